#pragma once

#include "commandline.h"

namespace Dcs {

// The paths of dcs-studio that have no window: --export, --check, --import-batch, --headless. Each returns
// the process exit code. Must be called with a QCoreApplication alive.
int runWithoutGui(const CommandLineOptions &options);

// --import, shared with the GUI path: imports `options.importFile` (if any) into `storage`.
// Prints each error to stderr and returns false on failure.
class Storage;
bool importRequestedWorkspace(Storage &storage, const CommandLineOptions &options);

} // namespace Dcs
