#pragma once

#include "dcs/commandline.h"

namespace Dcs {

// The GUI path of dcs-studio: opens the database, imports --import, starts the listener, shows
// the main window. A listener that cannot bind is shown in the status bar, not fatal.
// Must be called with a QApplication alive; returns the exit code.
int runGui(const CommandLineOptions &options);

} // namespace Dcs
