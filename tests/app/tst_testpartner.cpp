// --test-partner NAME [--calls N] [--rate R] (workspace.md): the real dcs-studio binary against
// real dcs-partner-sim processes, as an admin or a script would run it, and what it stores.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include "studioprocess.h"

#include <memory>

namespace {

constexpr int kStartTimeoutMs = 30000;
constexpr int kRunTimeoutMs = 60000;
const QString kSecret = QStringLiteral("partner-test-secret");

QString studioBinary()
{
    return QStringLiteral(DCS_STUDIO_BINARY);
}

QString simulatorBinary()
{
    return QStringLiteral(DCS_PARTNER_SIM_BINARY);
}

QString dpidText(qint64 dpid)
{
    return QString::number(dpid);
}

QJsonObject partnerJson(const QString &name, qint64 dpid, quint16 simulatorPort)
{
    return QJsonObject{
        {QStringLiteral("name"), name},
        {QStringLiteral("dpid"), dpid},
        {QStringLiteral("endpoint"),
         QStringLiteral("http://127.0.0.1:%1/lookup").arg(simulatorPort)},
        {QStringLiteral("style"), QStringLiteral("json-post")},
        {QStringLiteral("secret"), kSecret},
        {QStringLiteral("timeout_ms"), 200},
        {QStringLiteral("mode"), QStringLiteral("shadow")},
    };
}

QJsonObject onboardedTrait(qint64 sid, const QString &name, qint64 dpid, const QString &code)
{
    return QJsonObject{{QStringLiteral("sid"), sid},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("type"), QStringLiteral("onboarded")},
                       {QStringLiteral("folder"), 1},
                       {QStringLiteral("data_source"), dpid},
                       {QStringLiteral("rule"), QStringLiteral("ic == \"%1\"").arg(code)},
                       {QStringLiteral("ttl_days"), 30}};
}

bool writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
           && file.write(contents) == contents.size();
}

QStringList sqliteFilesUnder(const QString &directory)
{
    QStringList files;
    QDirIterator it(directory, {QStringLiteral("*.sqlite")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next());
    return files;
}

// The lines of `text` that start (after spaces) with a call index: one per call made.
QStringList callLines(const QString &text)
{
    QStringList lines;
    bool inCalls = false;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("Calls:"))) {
            inCalls = true;
            continue;
        }
        const QString trimmed = line.trimmed();
        if (inCalls && !trimmed.isEmpty() && trimmed.at(0).isDigit())
            lines.append(trimmed);
        else if (inCalls && line.startsWith(QLatin1String("Onboarding test")))
            break;
    }
    return lines;
}

} // namespace

class TestTestPartner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void healthyPartnerPasses();
    void failingPartnerFails();
    void unmappedCodesOnlyWarn();
    void partnerByDpid();
    void unknownPartner_data();
    void unknownPartner();
    void noPartnersAtAll();
    void badUsage_data();
    void badUsage();
    void runsAreStored();

private:
    // A dcs-partner-sim child answering with `codes` for every visitor, plus `extra` options.
    quint16 startSimulator(const QString &name, const QString &codes, const QStringList &extra);
    // dcs-studio --db `database` with `arguments`, run to its end.
    std::unique_ptr<StudioProcess> runStudio(const QString &database, const QStringList &arguments);
    // --import of the test workspace and --test-partner `partner` in one invocation.
    std::unique_ptr<StudioProcess> runTest(const QString &database, const QString &partner,
                                           const QStringList &extra = {});
    qint64 count(const QString &database, const QString &sql);

    QTemporaryDir m_dir;
    QList<std::shared_ptr<StudioProcess>> m_simulators;
    QString m_workspace;
    int m_databases = 0;
};

quint16 TestTestPartner::startSimulator(const QString &name, const QString &codes,
                                        const QStringList &extra)
{
    const QString codeFile = m_dir.filePath(name + QStringLiteral(".codes"));
    if (!writeFile(codeFile, QStringLiteral("*\t%1\n").arg(codes).toUtf8()))
        return 0;
    QDir().mkpath(m_dir.filePath(name));
    auto simulator = std::make_shared<StudioProcess>(simulatorBinary(), m_dir.filePath(name));
    simulator->start(QStringList{QStringLiteral("--codes"), codeFile, QStringLiteral("--secret"),
                                 kSecret, QStringLiteral("--latency"), QStringLiteral("fixed:2")}
                     + extra);
    m_simulators.append(simulator);
    const quint16 port = simulator->waitForListening(kStartTimeoutMs);
    if (port == 0)
        qWarning("%s", qPrintable(simulator->describe()));
    return port;
}

void TestTestPartner::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFileInfo(studioBinary()).isExecutable(), qPrintable(studioBinary()));
    QVERIFY2(QFileInfo(simulatorBinary()).isExecutable(), qPrintable(simulatorBinary()));
    QVERIFY(QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")));

    const quint16 healthy = startSimulator(QStringLiteral("healthy"),
                                           QStringLiteral("auto,sport"), {});
    QVERIFY(healthy != 0);
    const quint16 failing = startSimulator(QStringLiteral("failing"), QStringLiteral("auto"),
                                           {QStringLiteral("--fail"), QStringLiteral("http500=1")});
    QVERIFY(failing != 0);
    const quint16 unmapped = startSimulator(QStringLiteral("unmapped"),
                                            QStringLiteral("auto,mystery-1"), {});
    QVERIFY(unmapped != 0);

    // Each partner's "auto" (and the healthy one's "sport") has an onboarded trait;
    // "mystery-1" has none.
    const QJsonObject workspace{
        {QStringLiteral("format"), QStringLiteral("dcs-studio-workspace/1")},
        {QStringLiteral("partners"),
         QJsonArray{partnerJson(QStringLiteral("Healthy Partner"), 4001, healthy),
                    partnerJson(QStringLiteral("Failing Partner"), 4002, failing),
                    partnerJson(QStringLiteral("Unmapped Partner"), 4003, unmapped)}},
        {QStringLiteral("folders"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), 1},
                                {QStringLiteral("name"), QStringLiteral("Partners")},
                                {QStringLiteral("parent"), QJsonValue()}}}},
        {QStringLiteral("traits"),
         QJsonArray{onboardedTrait(2001, QStringLiteral("Healthy: auto"), 4001,
                                   QStringLiteral("auto")),
                    onboardedTrait(2002, QStringLiteral("Healthy: sport"), 4001,
                                   QStringLiteral("sport")),
                    onboardedTrait(2003, QStringLiteral("Failing: auto"), 4002,
                                   QStringLiteral("auto")),
                    onboardedTrait(2004, QStringLiteral("Unmapped: auto"), 4003,
                                   QStringLiteral("auto"))}},
    };
    m_workspace = m_dir.filePath(QStringLiteral("partners.json"));
    QVERIFY(writeFile(m_workspace, QJsonDocument(workspace).toJson()));
}

std::unique_ptr<StudioProcess> TestTestPartner::runStudio(const QString &database,
                                                          const QStringList &arguments)
{
    auto studio = std::make_unique<StudioProcess>(studioBinary(), m_dir.path());
    const bool ended = studio->run(QStringList{QStringLiteral("--db"), database} + arguments,
                                   kRunTimeoutMs);
    if (!ended || studio->process().exitStatus() != QProcess::NormalExit)
        qWarning("did not end normally: %s", qPrintable(studio->describe()));
    return studio;
}

std::unique_ptr<StudioProcess> TestTestPartner::runTest(const QString &database,
                                                        const QString &partner,
                                                        const QStringList &extra)
{
    return runStudio(database, QStringList{QStringLiteral("--import"), m_workspace,
                                           QStringLiteral("--test-partner"), partner}
                                   + extra);
}

qint64 TestTestPartner::count(const QString &database, const QString &sql)
{
    const QString connection = QUuid::createUuid().toString(QUuid::WithoutBraces);
    qint64 result = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(database);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(sql) && query.next())
                result = query.value(0).toLongLong();
            else
                qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return result;
}

void TestTestPartner::healthyPartnerPasses()
{
    const QString database = m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_databases));
    const auto studio = runTest(database, QStringLiteral("Healthy Partner"),
                                {QStringLiteral("--calls"), QStringLiteral("5"),
                                 QStringLiteral("--rate"), QStringLiteral("50")});
    QVERIFY2(studio->process().exitCode() == 0, qPrintable(studio->describe()));
    const QString out = studio->out();
    QVERIFY2(out.contains(QStringLiteral("Onboarding test of Healthy Partner: 5 calls at 50/s")),
             qPrintable(studio->describe()));
    // Every check of partner-protocol.md, "Onboarding test".
    for (const char *check : {"] reachable:", "] TLS:", "] status and content type:",
                              "] body parses:", "] codes valid:", "] codes mapped:",
                              "] latency:", "] error rate:"})
        QVERIFY2(out.contains(QLatin1String(check)),
                 qPrintable(QStringLiteral("no \"%1\" in\n%2").arg(QLatin1String(check),
                                                                   studio->describe())));
    QVERIFY(out.contains(QStringLiteral("[pass] codes mapped")));
    QVERIFY(out.contains(QStringLiteral("[n/a ] TLS")));
    QVERIFY(out.contains(QStringLiteral("Result: PASSED")));
    QVERIFY(!out.contains(QStringLiteral("[fail]")));
    // One compact line per call: index, outcome, status, time, codes.
    const QStringList calls = callLines(out);
    QCOMPARE(calls.size(), 5);
    for (int i = 0; i < calls.size(); ++i) {
        const QStringList fields = calls.at(i).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QVERIFY2(fields.size() >= 6, qPrintable(calls.at(i)));
        QCOMPARE(fields.at(0), QString::number(i + 1));
        QCOMPARE(fields.at(1), QStringLiteral("ok"));
        QCOMPARE(fields.at(2), QStringLiteral("200"));
        QCOMPARE(fields.at(4), QStringLiteral("ms"));
        QCOMPARE(fields.at(5), QStringLiteral("auto,sport"));
    }
    // No listener: a test run never serves.
    QVERIFY(!out.contains(QStringLiteral("listening on")));
}

void TestTestPartner::failingPartnerFails()
{
    const QString database = m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_databases));
    const auto studio = runTest(database, QStringLiteral("Failing Partner"),
                                {QStringLiteral("--calls"), QStringLiteral("3")});
    QVERIFY2(studio->process().exitCode() == 1, qPrintable(studio->describe()));
    const QString out = studio->out();
    QVERIFY2(out.contains(QStringLiteral("Result: FAILED")), qPrintable(studio->describe()));
    QVERIFY(out.contains(QStringLiteral("[fail] status and content type: 3 of 3 answers had a "
                                        "wrong status")));
    QVERIFY(out.contains(QStringLiteral("[fail] error rate")));
    QVERIFY(out.contains(QStringLiteral("[pass] reachable")));
    const QStringList calls = callLines(out);
    QCOMPARE(calls.size(), 3);
    for (const QString &call : calls) {
        QVERIFY2(call.contains(QStringLiteral(" http-error ")), qPrintable(call));
        QVERIFY2(call.contains(QStringLiteral(" 500 ")), qPrintable(call));
    }
}

void TestTestPartner::unmappedCodesOnlyWarn()
{
    const QString database = m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_databases));
    const auto studio = runTest(database, QStringLiteral("Unmapped Partner"),
                                {QStringLiteral("--calls"), QStringLiteral("2")});
    QVERIFY2(studio->process().exitCode() == 0, qPrintable(studio->describe()));
    const QString out = studio->out();
    QVERIFY2(out.contains(QStringLiteral("[warn] codes mapped: 1 of 2 codes have no onboarded "
                                         "trait: mystery-1")),
             qPrintable(studio->describe()));
    QVERIFY(out.contains(QStringLiteral("Result: PASSED")));
}

void TestTestPartner::partnerByDpid()
{
    const QString database = m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_databases));
    const auto studio = runTest(database, dpidText(4001));
    QVERIFY2(studio->process().exitCode() == 0, qPrintable(studio->describe()));
    QVERIFY2(studio->out().contains(QStringLiteral("Onboarding test of Healthy Partner: 1 calls")),
             qPrintable(studio->describe()));
}

void TestTestPartner::unknownPartner_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("no such name") << QStringLiteral("Nobody");
    QTest::newRow("names are case-sensitive") << QStringLiteral("healthy partner");
    QTest::newRow("no such dpid") << dpidText(9999);
}

void TestTestPartner::unknownPartner()
{
    QFETCH(QString, name);
    const QString database = m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_databases));
    const auto studio = runTest(database, name);
    QVERIFY2(studio->process().exitCode() == 1, qPrintable(studio->describe()));
    const QString err = studio->err();
    QVERIFY2(err.contains(QStringLiteral("no partner named \"%1\"").arg(name)),
             qPrintable(studio->describe()));
    for (const char *partner : {"\"Healthy Partner\" (DPID 4001)",
                                "\"Failing Partner\" (DPID 4002)",
                                "\"Unmapped Partner\" (DPID 4003)"})
        QVERIFY2(err.contains(QLatin1String(partner)), qPrintable(studio->describe()));
    QVERIFY(!studio->out().contains(QStringLiteral("Result:")));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM onboarding_runs")), qint64(0));
}

void TestTestPartner::noPartnersAtAll()
{
    const QString database = m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_databases));
    const auto studio = runStudio(database, {QStringLiteral("--test-partner"),
                                             QStringLiteral("Acme Data")});
    QVERIFY2(studio->process().exitCode() == 1, qPrintable(studio->describe()));
    QVERIFY2(studio->err().contains(QStringLiteral("has no partners")),
             qPrintable(studio->describe()));
}

void TestTestPartner::badUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("errorContains");
    const QString partnerTest = QStringLiteral("--test-partner");
    const QString healthy = QStringLiteral("Healthy Partner");
    const QString calls = QStringLiteral("--calls");
    const QString rate = QStringLiteral("--rate");
    QTest::newRow("calls without test-partner") << QStringList{calls, QStringLiteral("3")}
                                                << QStringLiteral("--test-partner");
    QTest::newRow("rate without test-partner")
        << QStringList{QStringLiteral("--headless"), rate, QStringLiteral("3")}
        << QStringLiteral("--test-partner");
    QTest::newRow("zero calls") << QStringList{partnerTest, healthy, calls, QStringLiteral("0")}
                                << calls;
    QTest::newRow("calls not a number")
        << QStringList{partnerTest, healthy, calls, QStringLiteral("many")} << calls;
    QTest::newRow("too many calls")
        << QStringList{partnerTest, healthy, calls, QStringLiteral("100001")} << calls;
    QTest::newRow("negative rate") << QStringList{partnerTest, healthy, rate, QStringLiteral("-5")}
                                   << rate;
    QTest::newRow("zero rate") << QStringList{partnerTest, healthy, rate, QStringLiteral("0")}
                               << rate;
    QTest::newRow("rate not a number")
        << QStringList{partnerTest, healthy, rate, QStringLiteral("fast")} << rate;
    QTest::newRow("rate too high")
        << QStringList{partnerTest, healthy, rate, QStringLiteral("10001")} << rate;
    QTest::newRow("no name") << QStringList{partnerTest} << partnerTest;
    QTest::newRow("with export")
        << QStringList{partnerTest, healthy, QStringLiteral("--export"), QStringLiteral("o.json")}
        << QStringLiteral("--export");
}

void TestTestPartner::badUsage()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, errorContains);

    QTemporaryDir home;
    QVERIFY(home.isValid());
    StudioProcess studio(studioBinary(), home.path()); // no display: nothing may open a window
    QVERIFY2(studio.run(arguments, kRunTimeoutMs), qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 2, qPrintable(studio.describe()));
    QVERIFY2(studio.err().contains(errorContains), qPrintable(studio.describe()));
    QVERIFY2(studio.out().isEmpty(), qPrintable(studio.describe()));
    QCOMPARE(sqliteFilesUnder(home.path()), QStringList{});
}

void TestTestPartner::runsAreStored()
{
    const QString database = m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_databases));
    // Import and test in one go, then test again on what was imported.
    const auto first = runTest(database, QStringLiteral("Healthy Partner"),
                               {QStringLiteral("--calls"), QStringLiteral("3")});
    QVERIFY2(first->process().exitCode() == 0, qPrintable(first->describe()));
    QVERIFY2(first->out().contains(QStringLiteral("Stored as onboarding run 1.")),
             qPrintable(first->describe()));
    const auto second = runStudio(database, {QStringLiteral("--test-partner"),
                                             QStringLiteral("Failing Partner"),
                                             QStringLiteral("--calls"), QStringLiteral("2")});
    QVERIFY2(second->process().exitCode() == 1, qPrintable(second->describe()));
    QVERIFY2(second->out().contains(QStringLiteral("Stored as onboarding run 2.")),
             qPrintable(second->describe()));

    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM onboarding_runs")), qint64(2));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                            "WHERE test_run_id IS NOT NULL")),
             qint64(5));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM transfers t "
                                            "JOIN onboarding_runs r ON r.id = t.test_run_id "
                                            "JOIN partners p ON p.id = r.partner_id "
                                            "WHERE p.dpid = 4001 AND t.outcome = 'ok'")),
             qint64(3));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM transfers t "
                                            "JOIN onboarding_runs r ON r.id = t.test_run_id "
                                            "JOIN partners p ON p.id = r.partner_id "
                                            "WHERE p.dpid = 4002 AND t.outcome = 'http-error'")),
             qint64(2));
    // The request and the answer are always kept for a test call, the secret never.
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                            "WHERE test_run_id IS NOT NULL "
                                            "AND (request_text IS NULL OR response_text IS NULL)")),
             qint64(0));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM transfers "
                                            "WHERE request_text LIKE '%%1%'")
                                 .arg(kSecret)),
             qint64(0));
    // A test call is not a visitor's event, and nothing of it was applied.
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM events")), qint64(0));
    QCOMPARE(count(database, QStringLiteral("SELECT count(*) FROM trait_realizations")),
             qint64(0));
}

QTEST_GUILESS_MAIN(TestTestPartner)
#include "tst_testpartner.moc"
