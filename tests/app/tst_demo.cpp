// --demo (workspace.md): the real dcs-studio binary with its simulated partners and its traffic
// generator, and what ends up in its database; run twice, and next to a workspace of its own.
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUuid>

#include "studioprocess.h"

#include <csignal>

namespace {

constexpr int kStartTimeoutMs = 30000;
constexpr int kDataTimeoutMs = 60000; // live data: a few seconds, generous on a busy machine
constexpr int kStatusTimeoutMs = 20000; // the status line comes every 5 s
constexpr int kStopTimeoutMs = 15000;
constexpr int kAcmeFilePort = 8491; // Acme Data's port in resources/demo/demo-workspace.json

// The demo workspace's definitions (resources/demo/demo-workspace.json).
constexpr qint64 kDemoPartners = 3;
constexpr qint64 kDemoFolders = 8;
constexpr qint64 kDemoTraits = 28;
constexpr qint64 kDemoSegments = 8;

QString binary()
{
    return QStringLiteral(DCS_STUDIO_BINARY);
}

QString sampleWorkspace()
{
    return QStringLiteral(DCS_TEST_DATA_DIR "/workspace-sample.json");
}

// One value of `sql` in the SQLite database at `path`, read while the server may be writing
// to it (WAL); -1 when it cannot be read.
QVariant valueOf(const QString &path, const QString &sql)
{
    const QString connection = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QVariant value(-1);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=2000"));
        if (QFileInfo::exists(path) && db.open()) {
            QSqlQuery query(db);
            if (query.exec(sql) && query.next())
                value = query.value(0);
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return value;
}

qint64 count(const QString &path, const QString &sql)
{
    return valueOf(path, sql).toLongLong();
}

struct Definitions
{
    qint64 partners = 0, folders = 0, traits = 0, segments = 0, versions = 0;
    friend bool operator==(const Definitions &, const Definitions &) = default;
};

Definitions definitionsIn(const QString &database)
{
    return Definitions{count(database, QStringLiteral("SELECT count(*) FROM partners")),
                       count(database, QStringLiteral("SELECT count(*) FROM folders")),
                       count(database, QStringLiteral("SELECT count(*) FROM traits")),
                       count(database, QStringLiteral("SELECT count(*) FROM segments")),
                       count(database,
                             QStringLiteral("SELECT count(*) FROM definition_versions"))};
}

QString describe(const Definitions &d)
{
    return QStringLiteral("%1 partners, %2 folders, %3 traits, %4 segments, %5 versions")
        .arg(d.partners)
        .arg(d.folders)
        .arg(d.traits)
        .arg(d.segments)
        .arg(d.versions);
}

} // namespace

class TestDemo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void servesLiveDataFromEveryPartner();
    void secondRunAddsNothing();
    void keepsAWorkspaceOfItsOwn();
    void runsInTheWindowToo();

private:
    QTemporaryDir m_home;
};

void TestDemo::initTestCase()
{
    QVERIFY(m_home.isValid());
    QVERIFY2(QFileInfo(binary()).isExecutable(), qPrintable(binary()));
    QVERIFY(QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")));
}

void TestDemo::servesLiveDataFromEveryPartner()
{
    // Acme's port from the file is taken: its simulator must move, and its endpoint with it.
    QTcpServer blocker;
    const bool blocked = blocker.listen(QHostAddress::LocalHost, kAcmeFilePort);

    const QString database = m_home.filePath(QStringLiteral("live.sqlite"));
    StudioProcess studio(binary(), m_home.path());
    const quint16 port = studio.startHeadless({QStringLiteral("--demo"), QStringLiteral("--db"),
                                               database},
                                              kStartTimeoutMs);
    QVERIFY2(port != 0, qPrintable(studio.describe()));
    QTRY_VERIFY2_WITH_TIMEOUT(studio.out().contains(QStringLiteral("demo: traffic generator")),
                              qPrintable(studio.describe()), kStartTimeoutMs);
    QVERIFY2(studio.out().contains(QStringLiteral("demo: partners simulated on loopback: "
                                                  "\"Acme Data\" (DPID 1955) on 127.0.0.1:")),
             qPrintable(studio.describe()));
    QVERIFY2(studio.out().contains(QStringLiteral("demo: demo workspace imported (partners: 3 "
                                                  "added")),
             qPrintable(studio.describe()));

    // Live data from the generated traffic, through every stage: events, the three partners,
    // onboarded traits realized from Acme's and Bolt's codes, segment memberships, ID syncs.
    const auto waitFor = [&](const QString &what, const QString &sql, qint64 atLeast) {
        QTRY_VERIFY2_WITH_TIMEOUT(count(database, sql) >= atLeast,
                                  qPrintable(QStringLiteral("%1 (%2 of %3)\n%4")
                                                 .arg(what)
                                                 .arg(count(database, sql))
                                                 .arg(atLeast)
                                                 .arg(studio.describe())),
                                  kDataTimeoutMs);
    };
    waitFor(QStringLiteral("events"), QStringLiteral("SELECT count(*) FROM events"), 40);
    if (QTest::currentTestFailed())
        return;
    waitFor(QStringLiteral("Acme answers"),
            QStringLiteral("SELECT count(*) FROM transfers WHERE dpid = 1955 AND outcome = 'ok'"),
            10);
    waitFor(QStringLiteral("Bolt calls"),
            QStringLiteral("SELECT count(*) FROM transfers WHERE dpid = 2077"), 10);
    waitFor(QStringLiteral("Cirrus calls"),
            QStringLiteral("SELECT count(*) FROM transfers WHERE dpid = 3101"), 10);
    waitFor(QStringLiteral("onboarded realizations"),
            QStringLiteral("SELECT count(*) FROM trait_realizations "
                           "WHERE trait_sid BETWEEN 91001 AND 92999"),
            1);
    waitFor(QStringLiteral("rule realizations"),
            QStringLiteral("SELECT count(*) FROM trait_realizations "
                           "WHERE trait_sid BETWEEN 90001 AND 90010"),
            1);
    waitFor(QStringLiteral("memberships"), QStringLiteral("SELECT count(*) FROM memberships"), 1);
    waitFor(QStringLiteral("ID syncs"), QStringLiteral("SELECT count(*) FROM id_syncs"), 1);
    if (QTest::currentTestFailed())
        return;
    // The status line shows the demo's traffic.
    QTRY_VERIFY2_WITH_TIMEOUT(studio.out().contains(QStringLiteral("; demo traffic 20 calls/s: ")),
                              qPrintable(studio.describe()), kStatusTimeoutMs);
    // And a line per status with each partner's live numbers, from the monitor feed.
    QTRY_VERIFY2_WITH_TIMEOUT(studio.out().contains(QStringLiteral("partners: Acme Data ")),
                              qPrintable(studio.describe()), kStatusTimeoutMs);

    QVERIFY2(studio.stopWith(SIGTERM, kStopTimeoutMs), qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 0, qPrintable(studio.describe()));
    QVERIFY2(studio.out().contains(QStringLiteral("stopped cleanly")),
             qPrintable(studio.describe()));

    // Cirrus is on trial: every one of its calls is shadow, none of its codes applied. Acme
    // and Bolt are live; Acme, fast and reliable, mostly answers with codes.
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                            "WHERE dpid = 3101 AND shadow = 0")),
             qint64(0));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM trait_realizations "
                                            "WHERE trait_sid BETWEEN 93001 AND 93999")),
             qint64(0));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                            "WHERE dpid IN (1955, 2077) AND shadow = 1")),
             qint64(0));
    const qint64 acmeCalls = count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                                            "WHERE dpid = 1955"));
    const qint64 acmeOk = count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                                         "WHERE dpid = 1955 AND outcome = 'ok'"));
    QVERIFY2(acmeOk * 2 > acmeCalls, qPrintable(QStringLiteral("%1 of %2").arg(acmeOk)
                                                    .arg(acmeCalls)));
    // The simulators check signatures: a wrong secret would be a 401.
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                            "WHERE http_status = 401")),
             qint64(0));
    QCOMPARE(definitionsIn(database).partners, kDemoPartners);
    QCOMPARE(definitionsIn(database).traits, kDemoTraits);
    QCOMPARE(definitionsIn(database).segments, kDemoSegments);
    QCOMPARE(definitionsIn(database).folders, kDemoFolders);
    // The demo's deadline applies.
    QCOMPARE(count(database, QStringLiteral("SELECT max(deadline_ms) FROM transfers "
                                            "WHERE event_id IS NOT NULL")),
             qint64(100));
    const QUrl acmeEndpoint(valueOf(database, QStringLiteral("SELECT endpoint FROM partners "
                                                             "WHERE dpid = 1955"))
                                .toString());
    QVERIFY2(acmeEndpoint.port() > 0, qPrintable(acmeEndpoint.toString()));
    if (blocked)
        QVERIFY2(acmeEndpoint.port() != kAcmeFilePort, qPrintable(acmeEndpoint.toString()));
}

void TestDemo::secondRunAddsNothing()
{
    const QString database = m_home.filePath(QStringLiteral("twice.sqlite"));
    Definitions afterFirst;
    for (int run = 1; run <= 2; ++run) {
        StudioProcess studio(binary(), m_home.path());
        const qint64 eventsBefore =
            qMax<qint64>(0, count(database, QStringLiteral("SELECT count(*) FROM events")));
        QVERIFY2(studio.startHeadless({QStringLiteral("--demo"), QStringLiteral("--db"),
                                       database},
                                      kStartTimeoutMs)
                     != 0,
                 qPrintable(studio.describe()));
        QTRY_VERIFY2_WITH_TIMEOUT(studio.out().contains(QStringLiteral("demo: traffic "
                                                                       "generator")),
                                  qPrintable(studio.describe()), kStartTimeoutMs);
        const QString expected = run == 1 ? QStringLiteral("demo: demo workspace imported")
                                          : QStringLiteral("demo: the demo workspace is in "
                                                           "this database already");
        QVERIFY2(studio.out().contains(expected), qPrintable(studio.describe()));
        // Serving on the second run as on the first.
        QTRY_VERIFY2_WITH_TIMEOUT(count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                                                 "WHERE dpid = 1955 AND "
                                                                 "outcome = 'ok'"))
                                          > 0
                                      && count(database, QStringLiteral("SELECT count(*) FROM "
                                                                        "events"))
                                             >= eventsBefore + 20,
                                  qPrintable(studio.describe()), kDataTimeoutMs);
        QVERIFY2(studio.stopWith(SIGTERM, kStopTimeoutMs), qPrintable(studio.describe()));
        QVERIFY2(studio.process().exitCode() == 0, qPrintable(studio.describe()));
        if (run == 1)
            afterFirst = definitionsIn(database);
    }
    const Definitions afterSecond = definitionsIn(database);
    QVERIFY2(afterSecond == afterFirst, qPrintable(describe(afterFirst) + QStringLiteral(" -> ")
                                                   + describe(afterSecond)));
    QCOMPARE(afterSecond.partners, kDemoPartners);
    QCOMPARE(afterSecond.traits, kDemoTraits);
}

void TestDemo::keepsAWorkspaceOfItsOwn()
{
    // The sample workspace registers its own "Acme Data" under DPID 1955: the demo must say so
    // and change nothing (what --import brought in stays, as asked).
    const QString database = m_home.filePath(QStringLiteral("own.sqlite"));
    StudioProcess studio(binary(), m_home.path());
    QVERIFY2(studio.run({QStringLiteral("--headless"), QStringLiteral("--listen"),
                         QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), database,
                         QStringLiteral("--import"), sampleWorkspace(), QStringLiteral("--demo")},
                        kStartTimeoutMs),
             qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 1, qPrintable(studio.describe()));
    const QString err = studio.err();
    QVERIFY2(err.contains(QStringLiteral("--demo: this database has a partner of its own, "
                                         "\"Acme Data\" (DPID 1955)")),
             qPrintable(studio.describe()));
    QVERIFY2(err.contains(QStringLiteral("--demo --db")), qPrintable(studio.describe()));

    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM partners")), qint64(2));
    QCOMPARE(valueOf(database, QStringLiteral("SELECT endpoint FROM partners WHERE dpid = 1955"))
                 .toString(),
             QStringLiteral("http://127.0.0.1:9101/lookup"));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM traits WHERE sid >= 90000")),
             qint64(0));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM folders WHERE id >= 900")),
             qint64(0));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM events")), qint64(0));
}

void TestDemo::runsInTheWindowToo()
{
    // The GUI path (offscreen): the same demo starts beside the window's server.
    const QString database = m_home.filePath(QStringLiteral("gui.sqlite"));
    StudioProcess studio(binary(), m_home.path());
    QProcessEnvironment environment = studio.process().processEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    studio.process().setProcessEnvironment(environment);
    studio.start({QStringLiteral("--demo"), QStringLiteral("--db"), database,
                  QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY2(studio.process().waitForStarted(kStartTimeoutMs), qPrintable(studio.describe()));
    QTRY_VERIFY2_WITH_TIMEOUT(count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                                             "WHERE dpid = 1955 AND "
                                                             "outcome = 'ok'"))
                                  >= 5,
                              qPrintable(studio.describe()), kDataTimeoutMs);
    QCOMPARE(definitionsIn(database).traits, kDemoTraits);
    QVERIFY2(studio.process().state() == QProcess::Running, qPrintable(studio.describe()));
    studio.process().terminate();
    QVERIFY2(studio.process().waitForFinished(kStopTimeoutMs), qPrintable(studio.describe()));
}

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
