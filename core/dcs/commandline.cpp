#include "commandline.h"

#include "dcslistener.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstring>

namespace Dcs {

namespace {

// Options of workspace.md whose features are built by later work. They are accepted by the
// parser so that --help lists them, and refused with exit code 2 instead of faking behaviour.
const char *const kNotAvailableYet[] = {"test-partner", "calls", "rate", "demo"};

} // namespace

CommandLineResult parseCommandLine(const QStringList &arguments)
{
    CommandLineResult result;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "DCS Studio: a real-time audience data pipeline (an Adobe Audience Manager compatible "
        "Data Collection Server) that you can run and watch."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption headless(
        QStringLiteral("headless"),
        QStringLiteral("No GUI: listener and engine only; prints a status line every few seconds "
                       "and stops cleanly on SIGINT/SIGTERM."));
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("The SQLite database (created and migrated as "
                                               "needed). Default: %1.")
                                    .arg(QStringLiteral("<app data>/dcs-studio.sqlite")),
                                QStringLiteral("PATH"));
    const QCommandLineOption listen(QStringLiteral("listen"),
                                    QStringLiteral("Where the DCS listens (default "
                                                   "127.0.0.1:8480; port 0 picks a free one)."),
                                    QStringLiteral("ADDR:PORT"));
    const QCommandLineOption importOption(
        QStringLiteral("import"),
        QStringLiteral("Import a workspace file before starting (all-or-nothing)."),
        QStringLiteral("FILE"));
    const QCommandLineOption exportOption(
        QStringLiteral("export"), QStringLiteral("Write the workspace to FILE and exit."),
        QStringLiteral("FILE"));
    const QCommandLineOption check(
        QStringLiteral("check"),
        QStringLiteral("Validate a workspace file without importing (against --db if given, "
                       "else against an empty workspace); exit 0 if valid, else print each "
                       "error and exit 1."),
        QStringLiteral("FILE"));
    const QCommandLineOption importBatch(
        QStringLiteral("import-batch"),
        QStringLiteral("Apply an inbound batch file (ftp_dpm_<DPID>[_<TARGET>]_<time>.sync or "
                       ".overwrite, optionally .gz) to --db and print the counts; exit 0 when "
                       "the file was read to its end and stored (skipped lines are counted, not "
                       "failures), 1 when its name or content cannot be read, storing fails, or "
                       "no line of it could be applied."),
        QStringLiteral("FILE"));
    const QCommandLineOption testPartner(QStringLiteral("test-partner"),
                                         QStringLiteral("Run an onboarding test against a "
                                                        "partner (not available yet)."),
                                         QStringLiteral("NAME"));
    const QCommandLineOption calls(QStringLiteral("calls"),
                                   QStringLiteral("Calls for --test-partner."), QStringLiteral("N"));
    const QCommandLineOption rate(QStringLiteral("rate"),
                                  QStringLiteral("Calls per second for --test-partner."),
                                  QStringLiteral("R"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Load the demo workspace with simulated partners "
                                                 "and traffic (not available yet)."));
    parser.addOptions({headless, db, listen, importOption, exportOption, check, importBatch,
                       testPartner, calls, rate, demo});

    const auto exitWith = [&result](int code, const QString &message, bool isError) {
        result.action = CommandLineResult::Action::Exit;
        result.exitCode = code;
        result.message = message;
        result.messageIsError = isError;
        return result;
    };

    if (!parser.parse(arguments))
        return exitWith(ExitCode::BadUsage, parser.errorText(), true);
    // addHelpOption() also registers --help-all (help including Qt's own options).
    if (parser.isSet(QStringLiteral("help-all")))
        return exitWith(ExitCode::Success,
                        parser.helpText()
                            + QStringLiteral("\nQt options (see QApplication): -platform, -style, "
                                             "-stylesheet, -geometry, -reverse, -qmljsdebugger\n"),
                        false);
    if (parser.isSet(help))
        return exitWith(ExitCode::Success, parser.helpText(), false);
    if (parser.isSet(version))
        return exitWith(ExitCode::Success,
                        QCoreApplication::applicationName() + QLatin1Char(' ')
                            + QCoreApplication::applicationVersion() + QLatin1Char('\n'),
                        false);
    if (!parser.positionalArguments().isEmpty())
        return exitWith(ExitCode::BadUsage,
                        QStringLiteral("unexpected argument: %1")
                            .arg(parser.positionalArguments().constFirst()),
                        true);
    for (const char *name : kNotAvailableYet) {
        if (parser.isSet(QLatin1String(name)))
            return exitWith(ExitCode::BadUsage,
                            QStringLiteral("--%1 is not available yet in this version of DCS "
                                           "Studio")
                                .arg(QLatin1String(name)),
                            true);
    }

    CommandLineOptions &options = result.options;
    options.headless = parser.isSet(headless);
    options.databaseGiven = parser.isSet(db);
    options.databasePath = parser.value(db);
    options.importFile = parser.value(importOption);
    options.exportFile = parser.value(exportOption);
    options.checkFile = parser.value(check);
    options.importBatchFile = parser.value(importBatch);
    if (options.databaseGiven && options.databasePath.isEmpty())
        return exitWith(ExitCode::BadUsage, QStringLiteral("--db needs a path"), true);
    if (parser.isSet(listen)) {
        options.listenGiven = true;
        QString error;
        if (!parseListenAddress(parser.value(listen), &options.listenAddress,
                                &options.listenPort, &error))
            return exitWith(ExitCode::BadUsage, QStringLiteral("--listen: %1").arg(error), true);
    }
    // --export, --check and --import-batch each do one thing and exit.
    QStringList modes;
    if (!options.exportFile.isEmpty())
        modes.append(QStringLiteral("--export"));
    if (!options.checkFile.isEmpty())
        modes.append(QStringLiteral("--check"));
    if (parser.isSet(importBatch)) {
        if (options.importBatchFile.isEmpty())
            return exitWith(ExitCode::BadUsage, QStringLiteral("--import-batch needs a file"),
                            true);
        modes.append(QStringLiteral("--import-batch"));
    }
    if (modes.size() > 1)
        return exitWith(ExitCode::BadUsage,
                        QStringLiteral("%1 cannot be combined").arg(modes.join(
                            QStringLiteral(" and "))),
                        true);
    // They exit without starting: an --import beside them would be ignored.
    if (!modes.isEmpty() && !options.importFile.isEmpty())
        return exitWith(ExitCode::BadUsage,
                        QStringLiteral("--import cannot be combined with %1; import first "
                                       "(--import FILE --headless), then run %1")
                            .arg(modes.constFirst()),
                        true);
    return result;
}

bool wantsGui(int argc, char **argv)
{
    // The options refused as "not available yet" are here too, so that they are refused with a
    // message instead of opening a window first. --import-batch never opens one.
    static const char *const nonGui[] = {
        "--headless", "--export",       "--check", "--help",         "-h",     "--help-all",
        "--version",  "-v",             "--demo",  "--import-batch", "--calls", "--rate",
        "--test-partner"};
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : nonGui) {
            const size_t length = std::strlen(flag);
            if (std::strncmp(argv[i], flag, length) == 0
                && (argv[i][length] == '\0' || argv[i][length] == '='))
                return false;
        }
    }
    return true;
}

bool displayAvailable()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
           || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

} // namespace Dcs
