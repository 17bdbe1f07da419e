#pragma once

#include "simulatorconfig.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace Dcs {

// What dcs-partner-sim runs with.
struct SimulatorOptions
{
    SimulatorConfig config;
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 0; // 0: a free port, printed on start
    int threads = 1;
};

struct SimCommandLineResult
{
    enum class Action { Run, Exit };
    Action action = Action::Run;
    int exitCode = 0;        // for Exit: 0 after --help/--version, 2 after a usage error
    QString message;         // for Exit: the help, the version or the error
    bool messageIsError = false;
    SimulatorOptions options;
};

inline constexpr int kSimExitBadUsage = 2;
inline constexpr int kSimExitCannotListen = 1;

// Parses dcs-partner-sim's command line (`arguments` with argv[0] first); every option is in
// --help. Needs a QCoreApplication (for the application name and version).
SimCommandLineResult parseSimulatorCommandLine(const QStringList &arguments);

} // namespace Dcs
