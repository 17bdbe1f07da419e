#include "commandline.h"

#include "dcslistener.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstring>

namespace Dcs {

namespace {

// Options of workspace.md whose features are built by later work. They are accepted by the
// parser so that --help lists them, and refused with exit code 2 instead of faking behaviour.
constexpr int kMaxTestCalls = 100000;
constexpr double kMinTestRate = 0.1; // what OnboardingRun paces at the slowest
constexpr double kMaxTestRate = 10000;

// --test-partner with its --calls and --rate into `options`; false with `error` on bad usage.
bool readPartnerTest(const QCommandLineParser &parser, const QCommandLineOption &testPartner,
                     const QCommandLineOption &calls, const QCommandLineOption &rate,
                     CommandLineOptions &options, QString *error)
{
    if (!parser.isSet(testPartner)) {
        if (parser.isSet(calls) || parser.isSet(rate)) {
            *error = QStringLiteral("--%1 only goes with --test-partner")
                         .arg(parser.isSet(calls) ? QStringLiteral("calls")
                                                  : QStringLiteral("rate"));
            return false;
        }
        return true;
    }
    options.testPartner = parser.value(testPartner).trimmed();
    if (options.testPartner.isEmpty()) {
        *error = QStringLiteral("--test-partner needs a partner's name or DPID");
        return false;
    }
    bool ok = true;
    if (parser.isSet(calls))
        options.testCalls = parser.value(calls).trimmed().toInt(&ok);
    if (!ok || options.testCalls < 1 || options.testCalls > kMaxTestCalls) {
        *error = QStringLiteral("--calls: \"%1\" is not a whole number from 1 to %2")
                     .arg(parser.value(calls))
                     .arg(kMaxTestCalls);
        return false;
    }
    if (parser.isSet(rate))
        options.testRate = parser.value(rate).trimmed().toDouble(&ok);
    // !(rate >= min) also refuses NaN.
    if (!ok || !(options.testRate >= kMinTestRate) || options.testRate > kMaxTestRate) {
        *error = QStringLiteral("--rate: \"%1\" is not a number of calls per second from %2 "
                                "to %3")
                     .arg(parser.value(rate))
                     .arg(kMinTestRate)
                     .arg(kMaxTestRate);
        return false;
    }
    return true;
}

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
    const QCommandLineOption testPartner(
        QStringLiteral("test-partner"),
        QStringLiteral("Run an onboarding test against the registered partner NAME (or DPID), "
                       "print the report and exit; exit 1 if a check fails."),
        QStringLiteral("NAME"));
    const QCommandLineOption calls(QStringLiteral("calls"),
                                   QStringLiteral("Calls for --test-partner (default 1, at most "
                                                  "%1).")
                                       .arg(kMaxTestCalls),
                                   QStringLiteral("N"));
    const QCommandLineOption rate(QStringLiteral("rate"),
                                  QStringLiteral("Calls per second for --test-partner (default "
                                                 "10, at most %1).")
                                      .arg(kMaxTestRate),
                                  QStringLiteral("R"));
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QStringLiteral("Load the demo workspace: simulated partners on loopback, sample traits "
                       "and segments, and a traffic generator."));
    const QCommandLineOption replay(
        QStringLiteral("replay"),
        QStringLiteral("Re-run the stored event log through the current definitions for the "
                       "rule-based traits TRAITS (comma-separated sids, or \"all\"), to "
                       "backfill a new or edited trait; print the counts and exit. Ctrl+C "
                       "stops after the current page, keeping what was replayed consistent."),
        QStringLiteral("TRAITS"));
    const QCommandLineOption sinceDays(
        QStringLiteral("since-days"),
        QStringLiteral("Events of the last N days for --replay (default 90)."),
        QStringLiteral("N"));
    parser.addOptions({headless, db, listen, importOption, exportOption, check, importBatch,
                       testPartner, calls, rate, demo, replay, sinceDays});

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

    CommandLineOptions &options = result.options;
    options.headless = parser.isSet(headless);
    options.databaseGiven = parser.isSet(db);
    options.databasePath = parser.value(db);
    options.importFile = parser.value(importOption);
    options.exportFile = parser.value(exportOption);
    options.checkFile = parser.value(check);
    options.importBatchFile = parser.value(importBatch);
    options.demo = parser.isSet(demo);
    QString partnerTestError;
    if (!readPartnerTest(parser, testPartner, calls, rate, options, &partnerTestError))
        return exitWith(ExitCode::BadUsage, partnerTestError, true);
    if (options.databaseGiven && options.databasePath.isEmpty())
        return exitWith(ExitCode::BadUsage, QStringLiteral("--db needs a path"), true);
    if (parser.isSet(listen)) {
        options.listenGiven = true;
        QString error;
        if (!parseListenAddress(parser.value(listen), &options.listenAddress,
                                &options.listenPort, &error))
            return exitWith(ExitCode::BadUsage, QStringLiteral("--listen: %1").arg(error), true);
    }
    if (parser.isSet(sinceDays) && !parser.isSet(replay))
        return exitWith(ExitCode::BadUsage, QStringLiteral("--since-days needs --replay"), true);
    if (parser.isSet(replay)) {
        options.replay = true;
        const QString traits = parser.value(replay).trimmed();
        if (traits.compare(QLatin1String("all"), Qt::CaseInsensitive) != 0) {
            for (const QString &part : traits.split(u',', Qt::SkipEmptyParts)) {
                bool ok = false;
                const qint64 sid = part.trimmed().toLongLong(&ok);
                if (!ok || sid <= 0)
                    return exitWith(ExitCode::BadUsage,
                                    QStringLiteral("--replay: \"%1\" is not a trait sid; give "
                                                   "sids like 1001,1002 or \"all\"")
                                        .arg(part.trimmed()),
                                    true);
                options.replayTraits.append(sid);
            }
            if (options.replayTraits.isEmpty())
                return exitWith(ExitCode::BadUsage,
                                QStringLiteral("--replay needs trait sids or \"all\""), true);
        }
        if (parser.isSet(sinceDays)) {
            bool ok = false;
            options.replayDays = parser.value(sinceDays).toInt(&ok);
            if (!ok || options.replayDays <= 0 || options.replayDays > 3650)
                return exitWith(ExitCode::BadUsage,
                                QStringLiteral("--since-days: a whole number of days from 1 "
                                               "to 3650"),
                                true);
        }
    }
    // --export, --check, --import-batch and --replay each do one thing and exit.
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
    if (options.replay)
        modes.append(QStringLiteral("--replay"));
    if (modes.size() > 1)
        return exitWith(ExitCode::BadUsage,
                        QStringLiteral("%1 cannot be combined").arg(modes.join(
                            QStringLiteral(" and "))),
                        true);
    // --test-partner runs one test and exits: a mode of its own, but after an --import (so a
    // script can register a partner and test it in one go). It never serves, so no --demo.
    if (!options.testPartner.isEmpty() && (!modes.isEmpty() || options.demo))
        return exitWith(ExitCode::BadUsage,
                        QStringLiteral("--test-partner cannot be combined with %1")
                            .arg(options.demo ? QStringLiteral("--demo") : modes.constFirst()),
                        true);
    if (options.demo && !modes.isEmpty())
        return exitWith(ExitCode::BadUsage,
                        QStringLiteral("--demo cannot be combined with %1").arg(modes.constFirst()),
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
    // The modes that print and exit never open a window; neither do --calls and --rate, so that
    // a misuse of them is refused with a message first. --demo runs in the window when there is
    // one.
    static const char *const nonGui[] = {
        "--headless", "--export", "--check",        "--help",  "-h",     "--help-all",
        "--version",  "-v",       "--import-batch", "--calls", "--rate", "--test-partner",
        "--replay",   "--since-days"};
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
