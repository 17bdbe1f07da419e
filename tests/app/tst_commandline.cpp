// parseCommandLine() and wantsGui(): the option table of workspace.md, in process.
#include "common/appidentity.h"
#include "dcs/commandline.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QTest>

#include <vector>

using Dcs::CommandLineResult;

namespace {

QStringList withProgram(const QStringList &arguments)
{
    return QStringList{QStringLiteral("dcs-studio")} + arguments;
}

} // namespace

class TestCommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void runOptions_data();
    void runOptions();

    void importBatch_data();
    void importBatch();
    void partnerTestAndDemo_data();
    void partnerTestAndDemo();

    void usageErrors_data();
    void usageErrors();

    void helpAndVersion_data();
    void helpAndVersion();

    void wantsGui_data();
    void wantsGui();
};

void TestCommandLine::initTestCase()
{
    Dcs::setApplicationIdentity();
    QCOMPARE(QCoreApplication::applicationName(), QStringLiteral("dcs-studio"));
    QVERIFY(!QCoreApplication::applicationVersion().isEmpty());
}

// Arguments that are accepted: the parsed options must be exactly what was asked for, and every
// option not given must keep its documented default.
void TestCommandLine::runOptions_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("headless");
    QTest::addColumn<QString>("databasePath");
    QTest::addColumn<bool>("databaseGiven");
    QTest::addColumn<QString>("listenAddress");
    QTest::addColumn<int>("listenPort");
    QTest::addColumn<QString>("importFile");
    QTest::addColumn<QString>("exportFile");
    QTest::addColumn<QString>("checkFile");

    const QString localhost = QStringLiteral("127.0.0.1");
    QTest::newRow("defaults") << QStringList{} << false << QString() << false << localhost << 8480
                              << QString() << QString() << QString();
    QTest::newRow("headless") << QStringList{QStringLiteral("--headless")} << true << QString()
                              << false << localhost << 8480 << QString() << QString() << QString();
    QTest::newRow("db") << QStringList{QStringLiteral("--db"), QStringLiteral("/tmp/x.sqlite")}
                        << false << QStringLiteral("/tmp/x.sqlite") << true << localhost << 8480
                        << QString() << QString() << QString();
    QTest::newRow("db=") << QStringList{QStringLiteral("--db=rel/y.sqlite")} << false
                         << QStringLiteral("rel/y.sqlite") << true << localhost << 8480
                         << QString() << QString() << QString();
    QTest::newRow("listen port 0")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--listen"),
                       QStringLiteral("127.0.0.1:0")}
        << true << QString() << false << localhost << 0 << QString() << QString() << QString();
    QTest::newRow("listen ipv6") << QStringList{QStringLiteral("--listen"),
                                                QStringLiteral("[::1]:9000")}
                                 << false << QString() << false << QStringLiteral("::1") << 9000
                                 << QString() << QString() << QString();
    QTest::newRow("listen= any") << QStringList{QStringLiteral("--listen=0.0.0.0:65535")} << false
                                 << QString() << false << QStringLiteral("0.0.0.0") << 65535
                                 << QString() << QString() << QString();
    QTest::newRow("listen trimmed") << QStringList{QStringLiteral("--listen"),
                                                   QStringLiteral(" 10.1.2.3:80 ")}
                                    << false << QString() << false << QStringLiteral("10.1.2.3")
                                    << 80 << QString() << QString() << QString();
    QTest::newRow("import") << QStringList{QStringLiteral("--headless"), QStringLiteral("--import"),
                                           QStringLiteral("ws.json")}
                            << true << QString() << false << localhost << 8480
                            << QStringLiteral("ws.json") << QString() << QString();
    QTest::newRow("export") << QStringList{QStringLiteral("--export"), QStringLiteral("out.json"),
                                           QStringLiteral("--db"), QStringLiteral("d.sqlite")}
                            << false << QStringLiteral("d.sqlite") << true << localhost << 8480
                            << QString() << QStringLiteral("out.json") << QString();
    QTest::newRow("check") << QStringList{QStringLiteral("--check"), QStringLiteral("in.json")}
                           << false << QString() << false << localhost << 8480 << QString()
                           << QString() << QStringLiteral("in.json");
    QTest::newRow("everything")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--db"),
                       QStringLiteral("a b.sqlite"), QStringLiteral("--listen"),
                       QStringLiteral("[::1]:0"), QStringLiteral("--import"),
                       QStringLiteral("w.json")}
        << true << QStringLiteral("a b.sqlite") << true << QStringLiteral("::1") << 0
        << QStringLiteral("w.json") << QString() << QString();
}

void TestCommandLine::runOptions()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, headless);
    QFETCH(QString, databasePath);
    QFETCH(bool, databaseGiven);
    QFETCH(QString, listenAddress);
    QFETCH(int, listenPort);
    QFETCH(QString, importFile);
    QFETCH(QString, exportFile);
    QFETCH(QString, checkFile);

    const CommandLineResult result = Dcs::parseCommandLine(withProgram(arguments));
    QCOMPARE(result.action, CommandLineResult::Action::Run);
    QCOMPARE(result.exitCode, Dcs::ExitCode::Success);
    QVERIFY2(result.message.isEmpty(), qPrintable(result.message));
    QCOMPARE(result.messageIsError, false);

    const Dcs::CommandLineOptions &options = result.options;
    QCOMPARE(options.headless, headless);
    QCOMPARE(options.databasePath, databasePath);
    QCOMPARE(options.databaseGiven, databaseGiven);
    QCOMPARE(options.listenAddress, QHostAddress(listenAddress));
    QCOMPARE(int(options.listenPort), listenPort);
    QCOMPARE(options.importFile, importFile);
    QCOMPARE(options.exportFile, exportFile);
    QCOMPARE(options.checkFile, checkFile);
}

// --import-batch FILE: applied and the process exits, like --export; --headless and --listen
// beside it change nothing (as beside --export and --check).
void TestCommandLine::importBatch_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("importBatchFile");
    QTest::addColumn<QString>("databasePath");

    QTest::newRow("with db") << QStringList{QStringLiteral("--import-batch"),
                                            QStringLiteral("ftp_dpm_1955_1700000000.sync"),
                                            QStringLiteral("--db"), QStringLiteral("d.sqlite")}
                             << QStringLiteral("ftp_dpm_1955_1700000000.sync")
                             << QStringLiteral("d.sqlite");
    QTest::newRow("=") << QStringList{QStringLiteral("--import-batch=in/b.sync.gz")}
                       << QStringLiteral("in/b.sync.gz") << QString();
    QTest::newRow("with headless") << QStringList{QStringLiteral("--headless"),
                                                  QStringLiteral("--import-batch"),
                                                  QStringLiteral("b.sync")}
                                   << QStringLiteral("b.sync") << QString();
}

void TestCommandLine::importBatch()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, importBatchFile);
    QFETCH(QString, databasePath);

    const CommandLineResult result = Dcs::parseCommandLine(withProgram(arguments));
    QCOMPARE(result.action, CommandLineResult::Action::Run);
    QVERIFY2(result.message.isEmpty(), qPrintable(result.message));
    QCOMPARE(result.options.importBatchFile, importBatchFile);
    QCOMPARE(result.options.databasePath, databasePath);
    QVERIFY(result.options.importFile.isEmpty());
    QVERIFY(result.options.exportFile.isEmpty());
    QVERIFY(result.options.checkFile.isEmpty());
}

// --test-partner with its --calls and --rate (defaults 1 and 10), and --demo.
void TestCommandLine::partnerTestAndDemo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("testPartner");
    QTest::addColumn<int>("calls");
    QTest::addColumn<double>("rate");
    QTest::addColumn<bool>("demo");
    QTest::addColumn<QString>("importFile");

    const QString partnerTest = QStringLiteral("--test-partner");
    const QString acme = QStringLiteral("Acme Data");
    QTest::newRow("neither") << QStringList{} << QString() << 1 << 10.0 << false << QString();
    QTest::newRow("test-partner defaults") << QStringList{partnerTest, acme} << acme << 1 << 10.0
                                           << false << QString();
    QTest::newRow("test-partner=") << QStringList{QStringLiteral("--test-partner=Acme Data")}
                                   << acme << 1 << 10.0 << false << QString();
    QTest::newRow("by dpid") << QStringList{partnerTest, QStringLiteral(" 1955 ")}
                             << QStringLiteral("1955") << 1 << 10.0 << false << QString();
    QTest::newRow("calls and rate")
        << QStringList{partnerTest, acme, QStringLiteral("--calls"), QStringLiteral("100000"),
                       QStringLiteral("--rate"), QStringLiteral("10000")}
        << acme << 100000 << 10000.0 << false << QString();
    QTest::newRow("slowest rate")
        << QStringList{QStringLiteral("--rate=0.1"), QStringLiteral("--calls=3"), partnerTest,
                       acme}
        << acme << 3 << 0.1 << false << QString();
    QTest::newRow("after an import")
        << QStringList{QStringLiteral("--import"), QStringLiteral("w.json"), partnerTest, acme,
                       QStringLiteral("--db"), QStringLiteral("d.sqlite")}
        << acme << 1 << 10.0 << false << QStringLiteral("w.json");
    QTest::newRow("demo") << QStringList{QStringLiteral("--demo")} << QString() << 1 << 10.0
                          << true << QString();
    QTest::newRow("demo headless with import")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--demo"),
                       QStringLiteral("--import"), QStringLiteral("w.json")}
        << QString() << 1 << 10.0 << true << QStringLiteral("w.json");
}

void TestCommandLine::partnerTestAndDemo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, testPartner);
    QFETCH(int, calls);
    QFETCH(double, rate);
    QFETCH(bool, demo);
    QFETCH(QString, importFile);

    const CommandLineResult result = Dcs::parseCommandLine(withProgram(arguments));
    QVERIFY2(result.message.isEmpty(), qPrintable(result.message));
    QCOMPARE(result.action, CommandLineResult::Action::Run);
    QCOMPARE(result.options.testPartner, testPartner);
    QCOMPARE(result.options.testCalls, calls);
    QCOMPARE(result.options.testRate, rate);
    QCOMPARE(result.options.demo, demo);
    QCOMPARE(result.options.importFile, importFile);
}

// Bad usage: exit code 2, an error message (to stderr) that names what was wrong.
void TestCommandLine::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("messageContains");

    const QString listen = QStringLiteral("--listen");
    const QString naming = QStringLiteral("--listen");
    const std::vector<std::pair<const char *, QString>> badListen = {
        {"empty", QString()},
        {"blank", QStringLiteral("   ")},
        {"no port", QStringLiteral("127.0.0.1")},
        {"empty port", QStringLiteral("127.0.0.1:")},
        {"no host", QStringLiteral(":8480")},
        {"host name", QStringLiteral("localhost:8480")},
        {"port too big", QStringLiteral("127.0.0.1:65536")},
        {"port huge", QStringLiteral("127.0.0.1:99999999999")},
        {"negative port", QStringLiteral("127.0.0.1:-1")},
        {"port with sign", QStringLiteral("127.0.0.1:+80")},
        {"port not a number", QStringLiteral("127.0.0.1:http")},
        {"bad ipv4", QStringLiteral("127.0.0.256:80")},
        {"ipv6 without brackets", QStringLiteral("::1:9000")},
        {"ipv6 unclosed bracket", QStringLiteral("[::1:9000")},
        {"ipv6 no colon after bracket", QStringLiteral("[::1]9000")},
        {"ipv6 no port", QStringLiteral("[::1]")},
        {"ipv4 in brackets", QStringLiteral("[127.0.0.1]:80")},
    };
    for (const auto &[tag, value] : badListen)
        QTest::addRow("listen %s", tag) << QStringList{listen, value} << QStringList{naming};
    for (const auto &[tag, value] : badListen)
        QTest::addRow("listen= %s", tag)
            << QStringList{QStringLiteral("--listen=") + value} << QStringList{naming};
    QTest::newRow("listen missing value") << QStringList{listen} << QStringList{naming};

    QTest::newRow("db empty") << QStringList{QStringLiteral("--db"), QString()}
                              << QStringList{QStringLiteral("--db")};
    QTest::newRow("db missing value") << QStringList{QStringLiteral("--db")}
                                      << QStringList{QStringLiteral("--db")};
    QTest::newRow("unknown long option") << QStringList{QStringLiteral("--frobnicate")}
                                         << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("unknown short option") << QStringList{QStringLiteral("-x")}
                                          << QStringList{QStringLiteral("x")};
    QTest::newRow("typo of headless") << QStringList{QStringLiteral("--headles")}
                                      << QStringList{QStringLiteral("headles")};
    QTest::newRow("positional") << QStringList{QStringLiteral("workspace.json")}
                                << QStringList{QStringLiteral("workspace.json")};
    QTest::newRow("positional after options")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--db"), QStringLiteral("a"),
                       QStringLiteral("b")}
        << QStringList{QStringLiteral("unexpected argument: b")};

    // --calls and --rate: only with --test-partner, and only sensible numbers.
    const QString partnerTest = QStringLiteral("--test-partner");
    const QString acme = QStringLiteral("Acme");
    const QString calls = QStringLiteral("--calls");
    const QString rate = QStringLiteral("--rate");
    QTest::newRow("calls alone") << QStringList{calls, QStringLiteral("10")}
                                 << QStringList{QStringLiteral("--calls only goes with "
                                                               "--test-partner")};
    QTest::newRow("rate alone") << QStringList{QStringLiteral("--headless"), rate,
                                               QStringLiteral("5")}
                                << QStringList{QStringLiteral("--rate only goes with "
                                                              "--test-partner")};
    QTest::newRow("test-partner without a name") << QStringList{partnerTest}
                                                 << QStringList{partnerTest};
    QTest::newRow("test-partner blank name") << QStringList{partnerTest, QStringLiteral("  ")}
                                             << QStringList{partnerTest};
    const std::vector<std::pair<const char *, QString>> badCalls = {
        {"zero", QStringLiteral("0")},          {"negative", QStringLiteral("-3")},
        {"fraction", QStringLiteral("2.5")},     {"not a number", QStringLiteral("ten")},
        {"empty", QString()},                    {"too many", QStringLiteral("100001")},
        {"huge", QStringLiteral("99999999999")},
    };
    for (const auto &[tag, value] : badCalls)
        QTest::addRow("calls %s", tag) << QStringList{partnerTest, acme, calls, value}
                                       << QStringList{calls};
    const std::vector<std::pair<const char *, QString>> badRates = {
        {"zero", QStringLiteral("0")},         {"negative", QStringLiteral("-1")},
        {"not a number", QStringLiteral("fast")}, {"nan", QStringLiteral("nan")},
        {"empty", QString()},                   {"too fast", QStringLiteral("10001")},
        {"too slow", QStringLiteral("0.01")},   {"infinite", QStringLiteral("inf")},
    };
    for (const auto &[tag, value] : badRates)
        QTest::addRow("rate %s", tag) << QStringList{partnerTest, acme, rate, value}
                                      << QStringList{rate};
    QTest::newRow("test-partner with export")
        << QStringList{partnerTest, acme, QStringLiteral("--export"), QStringLiteral("o.json")}
        << QStringList{partnerTest, QStringLiteral("--export")};
    QTest::newRow("test-partner with check")
        << QStringList{QStringLiteral("--check"), QStringLiteral("i.json"), partnerTest, acme}
        << QStringList{partnerTest, QStringLiteral("--check")};
    QTest::newRow("test-partner with demo")
        << QStringList{partnerTest, acme, QStringLiteral("--demo")}
        << QStringList{partnerTest, QStringLiteral("--demo")};
    QTest::newRow("demo with export")
        << QStringList{QStringLiteral("--demo"), QStringLiteral("--export"),
                       QStringLiteral("o.json")}
        << QStringList{QStringLiteral("--demo"), QStringLiteral("--export")};

    QTest::newRow("export and check")
        << QStringList{QStringLiteral("--export"), QStringLiteral("out.json"),
                       QStringLiteral("--check"), QStringLiteral("in.json")}
        << QStringList{QStringLiteral("--export"), QStringLiteral("--check")};
    QTest::newRow("check and export")
        << QStringList{QStringLiteral("--check=in.json"), QStringLiteral("--export=out.json")}
        << QStringList{QStringLiteral("--export"), QStringLiteral("--check")};
    QTest::newRow("import with export")
        << QStringList{QStringLiteral("--import"), QStringLiteral("in.json"),
                       QStringLiteral("--export"), QStringLiteral("out.json")}
        << QStringList{QStringLiteral("--import"), QStringLiteral("--export")};
    QTest::newRow("replay not a sid")
        << QStringList{QStringLiteral("--replay"), QStringLiteral("1001,abc")}
        << QStringList{QStringLiteral("--replay"), QStringLiteral("\"abc\" is not a trait sid")};
    QTest::newRow("replay nothing")
        << QStringList{QStringLiteral("--replay"), QStringLiteral(",")}
        << QStringList{QStringLiteral("--replay needs trait sids")};
    QTest::newRow("since-days alone")
        << QStringList{QStringLiteral("--since-days"), QStringLiteral("3")}
        << QStringList{QStringLiteral("--since-days needs --replay")};
    QTest::newRow("since-days zero")
        << QStringList{QStringLiteral("--replay=all"), QStringLiteral("--since-days=0")}
        << QStringList{QStringLiteral("--since-days: a whole number")};
    QTest::newRow("replay and export")
        << QStringList{QStringLiteral("--replay=all"), QStringLiteral("--export=o.json")}
        << QStringList{QStringLiteral("--export"), QStringLiteral("--replay"),
                       QStringLiteral("cannot be combined")};
    QTest::newRow("import-batch missing value") << QStringList{QStringLiteral("--import-batch")}
                                                << QStringList{QStringLiteral("import-batch")};
    QTest::newRow("import-batch empty")
        << QStringList{QStringLiteral("--import-batch"), QString()}
        << QStringList{QStringLiteral("--import-batch needs a file")};
    QTest::newRow("import-batch and export")
        << QStringList{QStringLiteral("--import-batch"), QStringLiteral("b.sync"),
                       QStringLiteral("--export"), QStringLiteral("out.json")}
        << QStringList{QStringLiteral("--export and --import-batch cannot be combined")};
    QTest::newRow("check and import-batch")
        << QStringList{QStringLiteral("--check"), QStringLiteral("in.json"),
                       QStringLiteral("--import-batch"), QStringLiteral("b.sync")}
        << QStringList{QStringLiteral("--check and --import-batch cannot be combined")};
    QTest::newRow("import with import-batch")
        << QStringList{QStringLiteral("--import"), QStringLiteral("w.json"),
                       QStringLiteral("--import-batch"), QStringLiteral("b.sync")}
        << QStringList{QStringLiteral("--import cannot be combined with --import-batch")};
    QTest::newRow("import with check")
        << QStringList{QStringLiteral("--check"), QStringLiteral("a.json"),
                       QStringLiteral("--import"), QStringLiteral("b.json")}
        << QStringList{QStringLiteral("--import"), QStringLiteral("--check")};
}

void TestCommandLine::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, messageContains);

    const CommandLineResult result = Dcs::parseCommandLine(withProgram(arguments));
    QCOMPARE(result.action, CommandLineResult::Action::Exit);
    QCOMPARE(result.exitCode, Dcs::ExitCode::BadUsage);
    QVERIFY(result.messageIsError);
    for (const QString &part : std::as_const(messageContains))
        QVERIFY2(result.message.contains(part),
                 qPrintable(QStringLiteral("\"%1\" does not contain \"%2\"")
                                .arg(result.message, part)));
}

// --help and --version: exit code 0 and the text on stdout (messageIsError false).
void TestCommandLine::helpAndVersion_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("messageContains");

    const QStringList helpText{QStringLiteral("--headless"), QStringLiteral("--db"),
                               QStringLiteral("--listen"), QStringLiteral("--import"),
                               QStringLiteral("--export"), QStringLiteral("--check"),
                               QStringLiteral("--import-batch"), QStringLiteral("exit 0 when"),
                               QStringLiteral("--demo"), QStringLiteral("--version")};
    const QStringList versionText{QStringLiteral("dcs-studio"), QStringLiteral(DCS_VERSION)};
    QTest::newRow("--help") << QStringList{QStringLiteral("--help")} << helpText;
    QTest::newRow("-h") << QStringList{QStringLiteral("-h")} << helpText;
    QTest::newRow("--help wins over a bad value")
        << QStringList{QStringLiteral("--listen"), QStringLiteral("nonsense"),
                       QStringLiteral("--help")}
        << helpText;
    QTest::newRow("--help wins over not-available")
        << QStringList{QStringLiteral("--import-batch"), QStringLiteral("b.json"),
                       QStringLiteral("--help")}
        << helpText;
    QTest::newRow("--help-all") << QStringList{QStringLiteral("--help-all")} << helpText;
    QTest::newRow("--version") << QStringList{QStringLiteral("--version")} << versionText;
    QTest::newRow("-v") << QStringList{QStringLiteral("-v")} << versionText;
    QTest::newRow("--version with --headless")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--version")} << versionText;
}

void TestCommandLine::helpAndVersion()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, messageContains);

    const CommandLineResult result = Dcs::parseCommandLine(withProgram(arguments));
    QCOMPARE(result.action, CommandLineResult::Action::Exit);
    QCOMPARE(result.exitCode, Dcs::ExitCode::Success);
    QVERIFY(!result.messageIsError);
    // Simplified: --help wraps long descriptions onto indented lines.
    for (const QString &part : std::as_const(messageContains))
        QVERIFY2(result.message.simplified().contains(part),
                 qPrintable(QStringLiteral("\"%1\" does not contain \"%2\"")
                                .arg(result.message, part)));
}

void TestCommandLine::wantsGui_data()
{
    QTest::addColumn<QByteArrayList>("arguments");
    QTest::addColumn<bool>("gui");

    QTest::newRow("none") << QByteArrayList{} << true;
    QTest::newRow("db") << QByteArrayList{"--db", "x.sqlite"} << true;
    QTest::newRow("listen") << QByteArrayList{"--listen", "127.0.0.1:0"} << true;
    QTest::newRow("import") << QByteArrayList{"--import", "w.json"} << true;
    QTest::newRow("calls alone") << QByteArrayList{"--calls", "3"} << false;
    QTest::newRow("prefix of headless") << QByteArrayList{"--head"} << true;
    QTest::newRow("headless with suffix") << QByteArrayList{"--headlessly"} << true;
    QTest::newRow("export with suffix") << QByteArrayList{"--exporter"} << true;
    QTest::newRow("single dash headless") << QByteArrayList{"-headless"} << true;

    QTest::newRow("headless") << QByteArrayList{"--headless"} << false;
    QTest::newRow("headless last") << QByteArrayList{"--db", "x", "--listen", "127.0.0.1:0",
                                                     "--headless"}
                                   << false;
    QTest::newRow("headless=") << QByteArrayList{"--headless="} << false;
    QTest::newRow("export") << QByteArrayList{"--export", "out.json"} << false;
    QTest::newRow("export=") << QByteArrayList{"--export=out.json"} << false;
    QTest::newRow("check") << QByteArrayList{"--check", "in.json"} << false;
    QTest::newRow("check=") << QByteArrayList{"--check=in.json"} << false;
    QTest::newRow("replay") << QByteArrayList{"--replay", "all"} << false;
    QTest::newRow("replay=") << QByteArrayList{"--replay=1001", "--since-days=7"} << false;
    QTest::newRow("help") << QByteArrayList{"--help"} << false;
    QTest::newRow("-h") << QByteArrayList{"-h"} << false;
    QTest::newRow("help-all") << QByteArrayList{"--help-all"} << false;
    QTest::newRow("version") << QByteArrayList{"--version"} << false;
    QTest::newRow("-v") << QByteArrayList{"-v"} << false;
    QTest::newRow("demo") << QByteArrayList{"--demo"} << true;
    QTest::newRow("demo headless") << QByteArrayList{"--demo", "--headless"} << false;
    QTest::newRow("import-batch") << QByteArrayList{"--import-batch", "b.sync"} << false;
    QTest::newRow("import-batch=") << QByteArrayList{"--import-batch=b.sync"} << false;
    QTest::newRow("test-partner") << QByteArrayList{"--test-partner", "Acme"} << false;
    QTest::newRow("test-partner=") << QByteArrayList{"--test-partner=Acme"} << false;
}

void TestCommandLine::wantsGui()
{
    QFETCH(QByteArrayList, arguments);
    QFETCH(bool, gui);

    // argv as main() gets it: program name first, NUL-terminated strings, argv[argc] == nullptr.
    QByteArrayList storage{QByteArrayLiteral("dcs-studio")};
    storage += arguments;
    std::vector<char *> argv;
    for (QByteArray &argument : storage)
        argv.push_back(argument.data());
    argv.push_back(nullptr);

    QCOMPARE(Dcs::wantsGui(int(storage.size()), argv.data()), gui);
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
