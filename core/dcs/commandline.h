#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

namespace Dcs {

// The options of workspace.md, parsed and checked. Built by parseCommandLine(); main() decides
// between the GUI and the headless paths with wantsGui() before any QApplication exists.
struct CommandLineOptions
{
    bool headless = false;
    QString databasePath; // empty: the platform default
    bool databaseGiven = false;
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 listenPort = 8480;
    bool listenGiven = false; // else the GUI uses the address saved in its settings
    QString importFile;
    QString exportFile;
    QString checkFile;
    QString importBatchFile; // --import-batch: apply this inbound batch file and exit
    QString testPartner; // --test-partner: a partner's name, or its DPID
    int testCalls = 1;
    double testRate = 10; // calls started per second
    bool demo = false;
    // --replay: re-run the event log through the current rules for these rule-based traits
    // (empty with replay set: every one that can be replayed), over the last replayDays days.
    bool replay = false;
    QList<qint64> replayTraits;
    int replayDays = 90;
};

struct CommandLineResult
{
    enum class Action { Run, Exit };
    Action action = Action::Run;
    int exitCode = 0;
    QString message; // to print: help, version, or the usage error
    bool messageIsError = false;
    CommandLineOptions options;
};

namespace ExitCode {
inline constexpr int Success = 0;
// A check or an import failed, the server could not start, or --import-batch could not read its
// file to the end, store it, or apply any line of it.
inline constexpr int Failed = 1;
inline constexpr int BadUsage = 2; // unknown option, bad value, or a feature not available yet
} // namespace ExitCode

// Parses `arguments` (argv[0] first). Needs a QCoreApplication with the identity set.
CommandLineResult parseCommandLine(const QStringList &arguments);

// True unless the arguments ask for a mode without a window (--headless, --export, --check,
// --import-batch, --test-partner, --replay, --help, --version). Reads raw argv because it runs before the
// application object exists.
bool wantsGui(int argc, char **argv);

// True when a window can be shown: DISPLAY, WAYLAND_DISPLAY or an explicit QT_QPA_PLATFORM.
bool displayAvailable();

} // namespace Dcs
