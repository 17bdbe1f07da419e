// dcs-studio: the GUI, or with --headless/--export/--check/--test-partner the same DCS without
// a window.
#include "common/appidentity.h"
#include "dcs/commandline.h"
#include "dcs/headlessrunner.h"
#include "demoenvironment.h"
#include "guirunner.h"
#include "platform/keychainsecretstore.h"
#include "storage/storage.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <memory>

int main(int argc, char *argv[])
{
    const bool gui = Dcs::wantsGui(argc, argv);
    if (gui && !Dcs::displayAvailable()) {
        std::fputs("dcs-studio: no display to show a window on (DISPLAY is not set); "
                   "run with --headless for the server without a GUI\n",
                   stderr);
        return Dcs::ExitCode::BadUsage;
    }
    // Without a window, Qt's own UNIX event dispatcher: each worker thread's loop then costs
    // fewer system calls per request than glib's (measured in docs/performance.md). The GUI
    // keeps glib for its desktop integration.
    if (!gui && !qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    std::unique_ptr<QCoreApplication> app = gui ? std::make_unique<QApplication>(argc, argv)
                                                : std::make_unique<QCoreApplication>(argc, argv);
    Dcs::setApplicationIdentity();
    Dcs::Storage::setKeychainFactory(&Dcs::KeychainSecretStore::createIfAvailable);

    const Dcs::CommandLineResult parsed = Dcs::parseCommandLine(QCoreApplication::arguments());
    if (parsed.action == Dcs::CommandLineResult::Action::Exit) {
        std::fputs(qPrintable(parsed.message + QLatin1Char('\n')),
                   parsed.messageIsError ? stderr : stdout);
        return parsed.exitCode;
    }
    return gui && !parsed.options.headless
               ? Dcs::runGui(parsed.options)
               : Dcs::runWithoutGui(parsed.options, &Dcs::DemoEnvironment::start);
}
