#pragma once

#include "commandline.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace Dcs {

class DcsServer;

// Something that runs beside the headless server once it listens: the --demo environment,
// which lives above core (it runs the partner simulator). Destroyed after the server stopped.
class ServerCompanion
{
public:
    virtual ~ServerCompanion() = default;
    // What it did when it started, a line each; printed once.
    virtual QStringList startupReport() const = 0;
    // Appended to each status line.
    virtual QString statusText() const = 0;
};

// Starts the companion for a listening `server`; null with `error` set when it cannot.
using ServerCompanionFactory =
    std::function<std::unique_ptr<ServerCompanion>(DcsServer &server, QString *error)>;

// The paths of dcs-studio that have no window: --export, --check, --import-batch,
// --test-partner and --headless (with --demo, `startDemo` starts the demo beside the server).
// Each returns the process exit code. Must be called with a QCoreApplication alive.
int runWithoutGui(const CommandLineOptions &options,
                  const ServerCompanionFactory &startDemo = {});

// --import, shared with the GUI path: imports `options.importFile` (if any) into `storage`.
// Prints each error to stderr and returns false on failure.
class Storage;
bool importRequestedWorkspace(Storage &storage, const CommandLineOptions &options);

} // namespace Dcs
