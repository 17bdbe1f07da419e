// The real dcs-studio binary without a window: --headless, --check, --import, --export and the
// usage errors, as a script or an operator would run them (workspace.md, "Command line").
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
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include "studioprocess.h"

#include <csignal>
#include <memory>
#include <optional>

namespace {

constexpr int kStartTimeoutMs = 30000;  // start-up, including the database migration
constexpr int kRunTimeoutMs = 30000;    // a one-shot run (--check, --export, usage errors)
constexpr int kStopTimeoutMs = 10000;   // SIGTERM/SIGINT to exit, as the spec promises
constexpr int kNetworkTimeoutMs = 10000;

const QString kSecret = QStringLiteral("brio-inline-secret-4711");

QString binary()
{
    return QStringLiteral(DCS_STUDIO_BINARY);
}

QString sampleWorkspace()
{
    return QStringLiteral(DCS_TEST_DATA_DIR "/workspace-sample.json");
}

std::optional<HttpExchange> httpGet(quint16 port, const QByteArray &target)
{
    return httpRequest(port, QByteArrayLiteral("GET"), target, kNetworkTimeoutMs);
}

// Every file under `directory` whose name ends in ".sqlite" (the default database is
// <XDG_DATA_HOME>/<organization>/<application>/dcs-studio.sqlite).
QStringList sqliteFilesUnder(const QString &directory)
{
    QStringList files;
    QDirIterator it(directory, {QStringLiteral("*.sqlite")}, QDir::Files | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next());
    return files;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

bool writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
           && file.write(contents) == contents.size();
}

} // namespace

class TestHeadless : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void servesAndStopsCleanlyOnSignal_data();
    void servesAndStopsCleanlyOnSignal();
    void signalRightAfterListening();
    void portAlreadyTaken();

    void checkValidFile();
    void checkInvalidFile_data();
    void checkInvalidFile();

    void importThenExport();
    void badImportChangesNothing_data();
    void badImportChangesNothing();

    void importBatch();
    void importBatchFailures_data();
    void importBatchFailures();

    void replayRebuildsTheRuleTraits();

    void usageErrors_data();
    void usageErrors();
    void helpAndVersion_data();
    void helpAndVersion();
    void noDisplayWithoutHeadless_data();
    void noDisplayWithoutHeadless();

private:
    // Checks that `path` is a complete, migrated SQLite database.
    void verifyDatabase(const QString &path);
    // Starts --headless (with `extra` arguments), waits for "listening on", stops with SIGTERM.
    void runHeadlessOnce(const QString &home, const QStringList &extra);
    // --export of `database` into `output`; the exported bytes.
    QByteArray exportOf(const QString &home, const QString &database, const QString &output);
};

void TestHeadless::initTestCase()
{
    QVERIFY2(QFileInfo(binary()).isExecutable(), qPrintable(binary()));
    QVERIFY(QFileInfo::exists(sampleWorkspace()));
    QVERIFY(QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")));
}

void TestHeadless::verifyDatabase(const QString &path)
{
    QVERIFY2(QFileInfo(path).isFile(), qPrintable(path));
    QVERIFY(QFileInfo(path).size() > 0);
    const QString connection = QStringLiteral("tst_headless-")
                               + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery query(db);
        QVERIFY2(query.exec(QStringLiteral("PRAGMA user_version")),
                 qPrintable(query.lastError().text()));
        QVERIFY(query.next());
        QVERIFY2(query.value(0).toInt() > 0,
                 qPrintable(QStringLiteral("user_version %1").arg(query.value(0).toInt())));
        QVERIFY2(query.exec(QStringLiteral("PRAGMA integrity_check")),
                 qPrintable(query.lastError().text()));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("ok"));
        QVERIFY(!query.next());
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
}

void TestHeadless::servesAndStopsCleanlyOnSignal_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::addColumn<QString>("signalName");
    QTest::newRow("SIGTERM") << int(SIGTERM) << QStringLiteral("SIGTERM");
    QTest::newRow("SIGINT") << int(SIGINT) << QStringLiteral("SIGINT");
}

void TestHeadless::servesAndStopsCleanlyOnSignal()
{
    QFETCH(int, signalNumber);
    QFETCH(QString, signalName);

    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString database = home.filePath(QStringLiteral("x.sqlite"));
    StudioProcess studio(binary(), home.path());
    const quint16 port = studio.startHeadless({QStringLiteral("--db"), database},
                                              kStartTimeoutMs);
    QVERIFY2(port != 0, qPrintable(studio.describe()));

    const std::optional<HttpExchange> response = httpGet(port, QByteArrayLiteral("/healthz"));
    QVERIFY2(response, qPrintable(studio.describe()));
    QVERIFY2(response->statusLine.startsWith("HTTP/1.1 200"), response->statusLine.constData());
    QCOMPARE(response->body.trimmed(), QByteArrayLiteral("ok"));
    const std::optional<HttpExchange> missing = httpGet(port, QByteArrayLiteral("/no-such-path"));
    QVERIFY(missing);
    QVERIFY2(missing->statusLine.startsWith("HTTP/1.1 404"), missing->statusLine.constData());

    QVERIFY2(studio.stopWith(signalNumber, kStopTimeoutMs), qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 0, qPrintable(studio.describe()));
    QVERIFY2(studio.out().contains(QStringLiteral("stopping (%1)").arg(signalName)),
             qPrintable(studio.describe()));
    QVERIFY2(studio.out().trimmed().endsWith(QStringLiteral("stopped cleanly")),
             qPrintable(studio.describe()));

    // The port is free again, and the database is complete and migrated.
    QTcpServer again;
    QVERIFY2(again.listen(QHostAddress::LocalHost, port), qPrintable(again.errorString()));
    verifyDatabase(database);
    if (QTest::currentTestFailed())
        return;
    // --db was given: the default database must not have been created.
    QCOMPARE(sqliteFilesUnder(home.filePath(QStringLiteral("data"))), QStringList{});
}

// An operator (or a script) may stop the server as soon as it said where it listens: the signal
// must already be handled then, not kill the process with the default action.
void TestHeadless::signalRightAfterListening()
{
    constexpr int kRuns = 25; // each run loses the race about half the time here
    QStringList failures;
    for (int run = 0; run < kRuns; ++run) {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        StudioProcess studio(binary(), home.path());
        QVERIFY2(studio.startHeadless({QStringLiteral("--db"),
                                       home.filePath(QStringLiteral("x.sqlite"))},
                                      kStartTimeoutMs)
                     != 0,
                 qPrintable(studio.describe()));
        QVERIFY2(studio.stopWith(SIGTERM, kStopTimeoutMs), qPrintable(studio.describe()));
        if (studio.process().exitStatus() != QProcess::NormalExit
            || studio.process().exitCode() != 0
            || !studio.out().contains(QStringLiteral("stopped cleanly")))
            failures.append(QStringLiteral("run %1: %2").arg(run).arg(studio.describe()));
    }
    qInfo("%d of %d runs did not stop cleanly", int(failures.size()), kRuns);
    QVERIFY2(failures.isEmpty(),
             qPrintable(QStringLiteral("%1 of %2 runs did not stop cleanly; first: %3")
                            .arg(failures.size())
                            .arg(kRuns)
                            .arg(failures.value(0))));
}

void TestHeadless::portAlreadyTaken()
{
    QTcpServer blocker;
    QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(blocker.serverPort());

    QTemporaryDir home;
    QVERIFY(home.isValid());
    StudioProcess studio(binary(), home.path());
    QVERIFY2(studio.run({QStringLiteral("--headless"), QStringLiteral("--listen"), address,
                         QStringLiteral("--db"), home.filePath(QStringLiteral("x.sqlite"))},
                        kRunTimeoutMs),
             qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 1, qPrintable(studio.describe()));
    QVERIFY2(studio.err().contains(address), qPrintable(studio.describe()));
    QVERIFY2(!studio.out().contains(QStringLiteral("listening on")), qPrintable(studio.describe()));
}

void TestHeadless::checkValidFile()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    StudioProcess studio(binary(), home.path());
    QVERIFY2(studio.run({QStringLiteral("--check"), sampleWorkspace()}, kRunTimeoutMs),
             qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 0, qPrintable(studio.describe()));
    QVERIFY2(studio.out().contains(sampleWorkspace() + QStringLiteral(": valid")),
             qPrintable(studio.describe()));
    // Without --db, a check must not create the default database as a side effect.
    QCOMPARE(sqliteFilesUnder(home.path()), QStringList{});
}

void TestHeadless::checkInvalidFile_data()
{
    QTest::addColumn<QByteArray>("contents"); // null: the file does not exist
    QTest::addColumn<QStringList>("errorContains");

    const QByteArray header = QByteArrayLiteral("{\"format\": \"dcs-studio-workspace/1\",\n");
    QTest::newRow("trait with unknown folder")
        << header
               + QByteArrayLiteral(
                   "\"folders\": [{\"id\": 1, \"name\": \"Interests\", \"parent\": null}],\n"
                   "\"traits\": [{\"sid\": 1001, \"name\": \"Sports\", \"type\": \"rule\", "
                   "\"folder\": 7, \"rule\": \"c_section == \\\"sports\\\"\", "
                   "\"ttl_days\": 30}]}\n")
        << QStringList{QStringLiteral("$.traits[0].folder"), QStringLiteral("7")};
    QTest::newRow("segment rule with unknown trait")
        << header
               + QByteArrayLiteral(
                   "\"folders\": [{\"id\": 1, \"name\": \"Interests\", \"parent\": null}],\n"
                   "\"segments\": [{\"sid\": 5001, \"name\": \"S\", \"folder\": 1, "
                   "\"rule\": \"1001T OR 4242T\", \"destinations\": [], "
                   "\"status\": \"active\"}]}\n")
        << QStringList{QStringLiteral("$.segments[0].rule"), QStringLiteral("4242"),
                       QStringLiteral("line 1, column 10")};
    QTest::newRow("not JSON")
        << QByteArrayLiteral("{\n  \"format\": \"dcs-studio-workspace/1\",\n  \"traits\": [}\n")
        // The stray '}' is column 14 of line 3.
        << QStringList{QStringLiteral("$ (line 3, column 14)"), QStringLiteral("not valid JSON")};
    QTest::newRow("empty file") << QByteArrayLiteral("")
                                << QStringList{QStringLiteral("$"),
                                               QStringLiteral("not valid JSON")};
    QTest::newRow("JSON array")
        << QByteArrayLiteral("[]") << QStringList{QStringLiteral("$: ")};
    QTest::newRow("wrong format")
        << QByteArrayLiteral("{\"format\": \"dcs-studio-workspace/2\"}")
        << QStringList{QStringLiteral("$.format")};
    QTest::newRow("unknown top-level field")
        << QByteArrayLiteral("{\"format\": \"dcs-studio-workspace/1\", \"trait\": []}")
        << QStringList{QStringLiteral("$.trait")};
    QTest::newRow("unknown trait field")
        << header
               + QByteArrayLiteral(
                   "\"folders\": [{\"id\": 1, \"name\": \"Interests\", \"parent\": null}],\n"
                   "\"traits\": [{\"sid\": 1001, \"name\": \"Sports\", \"type\": \"rule\", "
                   "\"folder\": 1, \"rule\": \"c_section == \\\"sports\\\"\", "
                   "\"ttl_day\": 30}]}\n")
        << QStringList{QStringLiteral("$.traits[0].ttl_day")};
    QTest::newRow("missing file") << QByteArray() << QStringList{QStringLiteral("$: cannot read")};
}

void TestHeadless::checkInvalidFile()
{
    QFETCH(QByteArray, contents);
    QFETCH(QStringList, errorContains);

    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString file = home.filePath(QStringLiteral("broken.json"));
    if (!contents.isNull())
        QVERIFY(writeFile(file, contents));

    StudioProcess studio(binary(), home.path());
    QVERIFY2(studio.run({QStringLiteral("--check"), file}, kRunTimeoutMs),
             qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 1, qPrintable(studio.describe()));
    // Each error line is "<file>: <json path>[ (line L, column C)]: message".
    for (const QString &part : std::as_const(errorContains))
        QVERIFY2(studio.err().contains(part),
                 qPrintable(QStringLiteral("expected \"%1\" in\n%2").arg(part, studio.describe())));
    QVERIFY2(studio.err().contains(file + QStringLiteral(": $")), qPrintable(studio.describe()));
    QVERIFY2(studio.err().contains(QStringLiteral("invalid")), qPrintable(studio.describe()));
    QVERIFY2(!studio.out().contains(QStringLiteral(": valid")), qPrintable(studio.describe()));
    // A failed check creates nothing either (only the broken file itself is there).
    QCOMPARE(sqliteFilesUnder(home.path()), QStringList{});
}

void TestHeadless::runHeadlessOnce(const QString &home, const QStringList &extra)
{
    StudioProcess studio(binary(), home);
    const quint16 port = studio.startHeadless(extra, kStartTimeoutMs);
    QVERIFY2(port != 0, qPrintable(studio.describe()));
    // The event loop (and with it the signal handling) runs once a request is answered.
    const std::optional<HttpExchange> response = httpGet(port, QByteArrayLiteral("/healthz"));
    QVERIFY2(response && response->statusLine.startsWith("HTTP/1.1 200"),
             qPrintable(studio.describe()));
    QVERIFY2(studio.stopWith(SIGTERM, kStopTimeoutMs), qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 0, qPrintable(studio.describe()));
    QVERIFY2(studio.out().contains(QStringLiteral("stopped cleanly")),
             qPrintable(studio.describe()));
}

QByteArray TestHeadless::exportOf(const QString &home, const QString &database,
                                  const QString &output)
{
    StudioProcess studio(binary(), home);
    [&] {
        QVERIFY2(studio.run({QStringLiteral("--export"), output, QStringLiteral("--db"), database},
                            kRunTimeoutMs),
                 qPrintable(studio.describe()));
        QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit,
                 qPrintable(studio.describe()));
        QVERIFY2(studio.process().exitCode() == 0, qPrintable(studio.describe()));
        QVERIFY2(QFileInfo::exists(output), qPrintable(studio.describe()));
    }();
    return readAll(output);
}

void TestHeadless::importThenExport()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString database = home.filePath(QStringLiteral("d.sqlite"));

    runHeadlessOnce(home.path(), {QStringLiteral("--db"), database, QStringLiteral("--import"),
                                  sampleWorkspace()});
    if (QTest::currentTestFailed())
        return;
    verifyDatabase(database);
    if (QTest::currentTestFailed())
        return;

    const QString output = home.filePath(QStringLiteral("out.json"));
    const QByteArray exported = exportOf(home.path(), database, output);
    if (QTest::currentTestFailed())
        return;

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(exported, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QVERIFY(document.isObject());
    const QJsonObject root = document.object();
    QCOMPARE(root.value(QStringLiteral("format")).toString(),
             QStringLiteral("dcs-studio-workspace/1"));
    QCOMPARE(root.value(QStringLiteral("partners")).toArray().size(), 2);
    QCOMPARE(root.value(QStringLiteral("folders")).toArray().size(), 2);
    QCOMPARE(root.value(QStringLiteral("traits")).toArray().size(), 4);
    QCOMPARE(root.value(QStringLiteral("segments")).toArray().size(), 2);

    // A secret is never written to an export, nor kept in the database itself.
    QVERIFY(!exported.contains(kSecret.toUtf8()));
    QVERIFY(!exported.contains(kSecret.toUtf8().toBase64()));
    QVERIFY(!exported.contains("\"secret\""));
    for (const QString &file : QDir(home.path()).entryList({QStringLiteral("d.sqlite*")}))
        if (!file.endsWith(QStringLiteral(".secrets")))
            QVERIFY2(!readAll(home.filePath(file)).contains(kSecret.toUtf8()), qPrintable(file));

    // The export is a valid workspace file itself, and importing it again changes nothing.
    StudioProcess check(binary(), home.path());
    QVERIFY2(check.run({QStringLiteral("--check"), output, QStringLiteral("--db"), database},
                       kRunTimeoutMs),
             qPrintable(check.describe()));
    QVERIFY2(check.process().exitCode() == 0, qPrintable(check.describe()));
    QVERIFY2(check.out().contains(QStringLiteral(": valid")), qPrintable(check.describe()));

    runHeadlessOnce(home.path(), {QStringLiteral("--db"), database, QStringLiteral("--import"),
                                  sampleWorkspace()});
    if (QTest::currentTestFailed())
        return;
    const QByteArray again = exportOf(home.path(), database,
                                      home.filePath(QStringLiteral("again.json")));
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(again, exported);
}

void TestHeadless::badImportChangesNothing_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("errorContains");

    // Each file has valid, new definitions next to the error: none of them may be stored.
    const QByteArray newFolder = QByteArrayLiteral(
        "{\"format\": \"dcs-studio-workspace/1\",\n"
        "\"folders\": [{\"id\": 3, \"name\": \"New\", \"parent\": 1}],\n");
    QTest::newRow("trait with unknown folder")
        << newFolder
               + QByteArrayLiteral(
                   "\"traits\": [{\"sid\": 1501, \"name\": \"New trait\", \"type\": \"rule\", "
                   "\"folder\": 3, \"rule\": \"c_x == \\\"1\\\"\", \"ttl_days\": 30},\n"
                   "{\"sid\": 1502, \"name\": \"Lost\", \"type\": \"rule\", \"folder\": 99, "
                   "\"rule\": \"c_x == \\\"2\\\"\", \"ttl_days\": 30}]}\n")
        << QStringLiteral("$.traits[1].folder");
    QTest::newRow("sid clash")
        << newFolder
               + QByteArrayLiteral(
                   "\"traits\": [{\"sid\": 1501, \"name\": \"New trait\", \"type\": \"rule\", "
                   "\"folder\": 3, \"rule\": \"c_x == \\\"1\\\"\", \"ttl_days\": 30},\n"
                   "{\"sid\": 1001, \"name\": \"Not the sports readers\", \"type\": \"rule\", "
                   "\"folder\": 1, \"rule\": \"c_x == \\\"2\\\"\", \"ttl_days\": 30}]}\n")
        << QStringLiteral("$.traits[1].sid");
    QTest::newRow("new partner and a broken segment")
        << QByteArrayLiteral(
               "{\"format\": \"dcs-studio-workspace/1\",\n"
               "\"partners\": [{\"name\": \"Cato\", \"dpid\": 3300, "
               "\"endpoint\": \"http://127.0.0.1:9102/x\", \"style\": \"json-post\", "
               "\"secret\": \"cato-secret\", \"mode\": \"live\"}],\n"
               "\"segments\": [{\"sid\": 5003, \"name\": \"S\", \"folder\": 1, "
               "\"rule\": \"1001T AND 9999T\", \"destinations\": [], \"status\": \"active\"}]}\n")
        << QStringLiteral("$.segments[0].rule");
    // The input ends after 36 characters: the error is at the end, line 1, column 37.
    QTest::newRow("not JSON") << QByteArrayLiteral("{\"format\": \"dcs-studio-workspace/1\",")
                              << QStringLiteral("$ (line 1, column 37): not valid JSON");
}

void TestHeadless::badImportChangesNothing()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, errorContains);

    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString database = home.filePath(QStringLiteral("d.sqlite"));
    runHeadlessOnce(home.path(), {QStringLiteral("--db"), database, QStringLiteral("--import"),
                                  sampleWorkspace()});
    if (QTest::currentTestFailed())
        return;
    const QByteArray before = exportOf(home.path(), database,
                                       home.filePath(QStringLiteral("before.json")));
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!before.isEmpty());
    const QByteArray secretsBefore = readAll(database + QStringLiteral(".secrets"));

    const QString bad = home.filePath(QStringLiteral("bad.json"));
    QVERIFY(writeFile(bad, contents));
    StudioProcess studio(binary(), home.path());
    QVERIFY2(studio.run({QStringLiteral("--headless"), QStringLiteral("--listen"),
                         QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), database,
                         QStringLiteral("--import"), bad}, kRunTimeoutMs),
             qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 1, qPrintable(studio.describe()));
    QVERIFY2(studio.err().contains(bad + QStringLiteral(": ") + errorContains),
             qPrintable(studio.describe()));
    QVERIFY2(studio.err().contains(QStringLiteral("nothing changed")),
             qPrintable(studio.describe()));
    // A failed import does not start the server.
    QVERIFY2(!studio.out().contains(QStringLiteral("listening on")), qPrintable(studio.describe()));

    const QByteArray after = exportOf(home.path(), database,
                                      home.filePath(QStringLiteral("after.json")));
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(after, before);
    QCOMPARE(readAll(database + QStringLiteral(".secrets")), secretsBefore);
    verifyDatabase(database);
}

// --import-batch as an operator runs it: a database with the sample workspace and one visitor
// synced with Acme (through /ibs on the running server), then the batch file applied by a
// second process without a display, its counts printed and its exit code 0.
void TestHeadless::importBatch()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString database = home.filePath(QStringLiteral("x.sqlite"));
    QString uuid;
    {
        StudioProcess server(binary(), home.path());
        const quint16 port = server.startHeadless({QStringLiteral("--db"), database,
                                                   QStringLiteral("--import"), sampleWorkspace()},
                                                  kStartTimeoutMs);
        QVERIFY2(port != 0, qPrintable(server.describe()));
        const std::optional<HttpExchange> synced =
            httpGet(port, QByteArrayLiteral("/ibs:dpid=1955&dpuuid=acme-user-1"));
        QVERIFY2(synced, qPrintable(server.describe()));
        const qsizetype cookie = synced->head.indexOf("demdex=");
        QVERIFY2(cookie >= 0, synced->head.constData());
        uuid = QString::fromLatin1(synced->head.mid(cookie + 7, 38));
        QVERIFY2(server.stopWith(SIGTERM, kStopTimeoutMs), qPrintable(server.describe()));
    }

    const QString batch = home.filePath(QStringLiteral("ftp_dpm_1955_1700000000.sync"));
    QVERIFY(writeFile(batch, "acme-user-1\tauto,d_sid=1001,not-mapped-yet\r\n"
                             "acme-user-404\tauto\r\n"
                             "row ending in a tab\t\r\n"
                             + uuid.toLatin1() + "\td_sid=3001\r\n"));
    StudioProcess studio(binary(), home.path()); // no display: must not need one
    QVERIFY2(studio.run({QStringLiteral("--import-batch"), batch, QStringLiteral("--db"),
                         database},
                        kRunTimeoutMs),
             qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 0, qPrintable(studio.describe()));
    const QStringList expected = {
        batch + QStringLiteral(": .sync file of DPID 1955"),
        QStringLiteral("lines: 4 read, 1 applied, 3 skipped"),
        QStringLiteral("items: 3 applied, 1 skipped; 2 codes (1 unmapped), 1 d_sid"),
        QStringLiteral("realizations: 2 added, 0 removed; segments: 1 joined, 0 left"),
        QStringLiteral("unknown user IDs: 1"),
        QStringLiteral("unknown user ID: 1 (line 2: \"acme-user-404\")"),
        QStringLiteral("row ends in a tab or a space: 1 (line 3)"),
        QStringLiteral("not a rule or onboarded trait: 1 (line 4: d_sid=3001)")};
    for (const QString &part : expected)
        QVERIFY2(studio.out().contains(part),
                 qPrintable(QStringLiteral("expected \"%1\" in\n%2").arg(part, studio.describe())));
    QVERIFY2(!studio.out().contains(QStringLiteral("listening on")), qPrintable(studio.describe()));

    // What the file did is in the database: the traits, the unmapped code, the segment joined.
    const QString connection = QStringLiteral("tst_headless-batch");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(database);
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        const auto rows = [&db](const QString &sql) {
            QSqlQuery query(db);
            QStringList out;
            if (!query.exec(sql))
                return QStringList{query.lastError().text()};
            while (query.next())
                out.append(query.value(0).toString() + QLatin1Char('|')
                           + query.value(1).toString());
            return out;
        };
        QCOMPARE(rows(QStringLiteral("SELECT trait_sid, source FROM trait_realizations "
                                     "WHERE uuid = '%1' ORDER BY trait_sid").arg(uuid)),
                 (QStringList{QStringLiteral("1001|batch"), QStringLiteral("2001|batch")}));
        QCOMPARE(rows(QStringLiteral("SELECT code, dpid FROM partner_codes WHERE uuid = '%1' "
                                     "ORDER BY code").arg(uuid)),
                 (QStringList{QStringLiteral("auto|1955"), QStringLiteral("not-mapped-yet|1955")}));
        QCOMPARE(rows(QStringLiteral("SELECT segment_sid, cause FROM membership_changes "
                                     "WHERE uuid = '%1'").arg(uuid)),
                 QStringList{QStringLiteral("5001|batch file")});
    }
    QSqlDatabase::removeDatabase(connection);
    verifyDatabase(database);
}

// --replay as an operator runs it: events made by a running server, then the log replayed by a
// second process without a display; the counts printed, the realizations rebuilt with origin
// "replay", and the onboarded trait's left alone.
void TestHeadless::replayRebuildsTheRuleTraits()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString database = home.filePath(QStringLiteral("r.sqlite"));
    {
        StudioProcess server(binary(), home.path());
        const quint16 port = server.startHeadless({QStringLiteral("--db"), database,
                                                   QStringLiteral("--import"), sampleWorkspace()},
                                                  kStartTimeoutMs);
        QVERIFY2(port != 0, qPrintable(server.describe()));
        for (const QByteArray &query :
             {QByteArrayLiteral("/event?c_section=sports&d_rtbd=json"),
              QByteArrayLiteral("/event?c_section=news&d_rtbd=json"),
              QByteArrayLiteral("/event?c_section=sports&d_sid=2001&d_rtbd=json")})
            QVERIFY2(httpGet(port, query), qPrintable(server.describe()));
        QVERIFY2(server.stopWith(SIGTERM, kStopTimeoutMs), qPrintable(server.describe()));
    }

    StudioProcess studio(binary(), home.path()); // no display: must not need one
    QVERIFY2(studio.run({QStringLiteral("--replay"), QStringLiteral("all"),
                         QStringLiteral("--since-days"), QStringLiteral("2"),
                         QStringLiteral("--db"), database},
                        kRunTimeoutMs),
             qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 0, qPrintable(studio.describe()));
    QVERIFY2(studio.out().contains(QStringLiteral("3 of 3 events replayed for 2 traits: 2 "
                                                  "realizations written, 2 replaced")),
             qPrintable(studio.describe()));
    QVERIFY2(studio.err().contains(QStringLiteral("100% (")), qPrintable(studio.describe()));

    const QString connection = QStringLiteral("tst_headless-replay");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(database);
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT trait_sid, source, count(*) FROM "
                                          "trait_realizations GROUP BY 1, 2 ORDER BY 1, 2")));
        QStringList rows;
        while (query.next())
            rows.append(QStringLiteral("%1|%2|%3").arg(query.value(0).toString(),
                                                       query.value(1).toString(),
                                                       query.value(2).toString()));
        QCOMPARE(rows, (QStringList{QStringLiteral("1001|replay|2"),
                                    QStringLiteral("2001|sid|1")}));
    }
    QSqlDatabase::removeDatabase(connection);

    // Nothing that can be replayed: said, and exit 1.
    StudioProcess onboarded(binary(), home.path());
    QVERIFY2(onboarded.run({QStringLiteral("--replay"), QStringLiteral("2001"),
                            QStringLiteral("--db"), database},
                           kRunTimeoutMs),
             qPrintable(onboarded.describe()));
    QVERIFY2(onboarded.process().exitCode() == 1, qPrintable(onboarded.describe()));
    QVERIFY2(onboarded.err().contains(QStringLiteral("trait 2001 skipped: an onboarded trait")),
             qPrintable(onboarded.describe()));
    verifyDatabase(database);
}

void TestHeadless::importBatchFailures_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("contents"); // null: no such file
    QTest::addColumn<QString>("errorContains");
    QTest::addColumn<QString>("outputContains"); // empty: nothing on stdout
    QTest::addColumn<bool>("createsDatabase");

    QTest::newRow("not a batch file name") << QStringLiteral("acme.tsv")
                                           << QByteArray("u\tauto\n")
                                           << QStringLiteral("is not a batch file name")
                                           << QString() << false;
    QTest::newRow("missing file") << QStringLiteral("ftp_dpm_1955_1700000000.sync")
                                  << QByteArray() << QStringLiteral("no such file") << QString()
                                  << true;
    QTest::newRow("nothing applies")
        << QStringLiteral("ftp_dpm_1955_1700000000.sync")
        << QByteArray("someone-unknown\tauto\n\n")
        << QStringLiteral("no line could be applied")
        << QStringLiteral("lines: 2 read, 0 applied, 2 skipped") << true;
    QTest::newRow("damaged gzip")
        << QStringLiteral("ftp_dpm_1955_1700000000.sync.gz") << QByteArray("\x1f\x8b\x08\x00", 4)
        << QStringLiteral("reading stopped after line 0") << QStringLiteral("lines: 0 read")
        << true;
}

// Exit code 1, the reason on stderr; a bad name is refused before any database is made.
void TestHeadless::importBatchFailures()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, contents);
    QFETCH(QString, errorContains);
    QFETCH(QString, outputContains);
    QFETCH(bool, createsDatabase);

    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString file = home.filePath(name);
    if (!contents.isNull())
        QVERIFY(writeFile(file, contents));
    const QString database = home.filePath(QStringLiteral("x.sqlite"));
    StudioProcess studio(binary(), home.path());
    QVERIFY2(studio.run({QStringLiteral("--import-batch"), file, QStringLiteral("--db"),
                         database},
                        kRunTimeoutMs),
             qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 1, qPrintable(studio.describe()));
    QVERIFY2(studio.err().contains(errorContains), qPrintable(studio.describe()));
    if (outputContains.isEmpty())
        QVERIFY2(studio.out().isEmpty(), qPrintable(studio.describe()));
    else
        QVERIFY2(studio.out().contains(outputContains), qPrintable(studio.describe()));
    QCOMPARE(QFileInfo::exists(database), createsDatabase);
}

void TestHeadless::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("errorContains");
    QTest::newRow("bad listen") << QStringList{QStringLiteral("--headless"),
                                               QStringLiteral("--listen"),
                                               QStringLiteral("localhost:80")}
                                << QStringLiteral("--listen");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--headless"),
                                                   QStringLiteral("--frobnicate")}
                                    << QStringLiteral("frobnicate");
    QTest::newRow("positional") << QStringList{QStringLiteral("--headless"),
                                               QStringLiteral("stray")}
                                << QStringLiteral("stray");
    QTest::newRow("export and check") << QStringList{QStringLiteral("--export"),
                                                     QStringLiteral("o.json"),
                                                     QStringLiteral("--check"),
                                                     QStringLiteral("i.json")}
                                      << QStringLiteral("--check");
}

void TestHeadless::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, errorContains);

    QTemporaryDir home;
    QVERIFY(home.isValid());
    StudioProcess studio(binary(), home.path());
    QVERIFY2(studio.run(arguments, kRunTimeoutMs), qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 2, qPrintable(studio.describe()));
    QVERIFY2(studio.err().contains(errorContains), qPrintable(studio.describe()));
    QVERIFY2(studio.out().isEmpty(), qPrintable(studio.describe()));
    QCOMPARE(sqliteFilesUnder(home.path()), QStringList{});
}

void TestHeadless::helpAndVersion_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("outputContains");
    QTest::newRow("--help") << QStringList{QStringLiteral("--help")}
                            << QStringLiteral("--headless");
    QTest::newRow("--version") << QStringList{QStringLiteral("--version")}
                               << QStringLiteral("dcs-studio " DCS_VERSION);
}

void TestHeadless::helpAndVersion()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, outputContains);

    QTemporaryDir home;
    QVERIFY(home.isValid());
    StudioProcess studio(binary(), home.path()); // no display needed
    QVERIFY2(studio.run(arguments, kRunTimeoutMs), qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 0, qPrintable(studio.describe()));
    QVERIFY2(studio.out().contains(outputContains), qPrintable(studio.describe()));
    QCOMPARE(sqliteFilesUnder(home.path()), QStringList{});
}

void TestHeadless::noDisplayWithoutHeadless_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("no arguments") << QStringList{};
    QTest::newRow("db and listen") << QStringList{QStringLiteral("--db"), QStringLiteral("x.sqlite"),
                                                  QStringLiteral("--listen"),
                                                  QStringLiteral("127.0.0.1:0")};
    QTest::newRow("import") << QStringList{QStringLiteral("--import"), sampleWorkspace()};
    QTest::newRow("demo") << QStringList{QStringLiteral("--demo")}; // the GUI's demo
}

void TestHeadless::noDisplayWithoutHeadless()
{
    QFETCH(QStringList, arguments);

    QTemporaryDir home;
    QVERIFY(home.isValid());
    StudioProcess studio(binary(), home.path());
    QVERIFY(!studio.process().processEnvironment().contains(QStringLiteral("DISPLAY")));
    QVERIFY(!studio.process().processEnvironment().contains(QStringLiteral("QT_QPA_PLATFORM")));
    QVERIFY2(studio.run(arguments, kRunTimeoutMs), qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitStatus() == QProcess::NormalExit, qPrintable(studio.describe()));
    QVERIFY2(studio.process().exitCode() == 2, qPrintable(studio.describe()));
    QVERIFY2(studio.err().contains(QStringLiteral("--headless")), qPrintable(studio.describe()));
    // Nothing was started: no database, no listener.
    QCOMPARE(sqliteFilesUnder(home.path()), QStringList{});
    QVERIFY2(!studio.out().contains(QStringLiteral("listening on")), qPrintable(studio.describe()));
}

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"
