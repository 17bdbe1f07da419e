#include "guirunner.h"

#include "common/appidentity.h"
#include "common/appsettings.h"
#include "common/logging.h"
#include "dcs/dcsserver.h"
#include "dcs/headlessrunner.h"
#include "demoenvironment.h"
#include "mainwindow.h"
#include "views/workspacepage.h"

#include <QApplication>
#include <QMessageBox>

namespace Dcs {

int runGui(const CommandLineOptions &options)
{
    DcsServer server;
    QString error;
    const QString path = options.databaseGiven ? options.databasePath : defaultDatabasePath();
    if (!server.openStorage(path, &error)) {
        qCCritical(lcUi).noquote() << error;
        QMessageBox::critical(nullptr, QObject::tr("DCS Studio"),
                              QObject::tr("The database cannot be opened.\n\n%1").arg(error));
        return ExitCode::Failed;
    }
    if (!importRequestedWorkspace(*server.storage(), options))
        return ExitCode::Failed;
    if (!options.importFile.isEmpty())
        server.reloadWorkspace(); // what --import brought in applies from the first call
    // Without --listen: where this computer's DCS listened last, with its saved limits.
    const AppSettings settings;
    QHostAddress address = options.listenAddress;
    quint16 port = options.listenPort;
    if (!options.listenGiven && !parseListenAddress(settings.listenAddress(), &address, &port,
                                                    &error))
        qCWarning(lcUi).noquote() << "saved listen address ignored:" << error;
    server.applyComputerSettings();
    const bool listening = server.startListener(address, port, &error);
    if (!listening)
        qCWarning(lcUi).noquote() << error;
    // Destroyed after the server shut down, as in --headless: calls still in flight then reach
    // the simulated partners.
    std::unique_ptr<DemoEnvironment> demo;
    if (options.demo) {
        demo = DemoEnvironment::start(server, &error);
        if (demo) {
            for (const QString &line : demo->startupReport())
                qCInfo(lcUi).noquote() << "demo:" << line;
        } else {
            qCWarning(lcUi).noquote() << "--demo:" << error;
            QMessageBox::warning(nullptr, QObject::tr("DCS Studio"),
                                 QObject::tr("The demo cannot start.\n\n%1").arg(error));
        }
    }

    int code = 0;
    {
        MainWindow window(server);
        window.setDemoEnvironment(demo.get());
        // The first-run offer or Help ▸ Start the demo, while the window is up.
        QObject::connect(&window, &MainWindow::demoRequested, &window, [&] {
            if (demo)
                return;
            QString why;
            demo = DemoEnvironment::start(server, &why);
            if (!demo) {
                qCWarning(lcUi).noquote() << "demo:" << why;
                window.showStatusMessage(QObject::tr("The demo cannot start: %1").arg(why));
                return;
            }
            window.setDemoEnvironment(demo.get());
            window.workspacePage()->reload();
            window.showStatusMessage(QObject::tr("Demo started: %1")
                                         .arg(demo->startupReport().join(QStringLiteral("; "))));
        });
        window.show();
        code = QApplication::exec();
    }
    server.shutdown();
    return code;
}

} // namespace Dcs
