#pragma once

#include "dcs/commandline.h"

namespace Dcs {

// The GUI path of dcs-studio: opens the database, imports --import, starts the listener (and
// with --demo the demo beside it), shows the main window. A listener that cannot bind is shown
// in the status bar, a demo that cannot start in a message; neither is fatal.
// Must be called with a QApplication alive; returns the exit code.
int runGui(const CommandLineOptions &options);

} // namespace Dcs
