#include "guirunner.h"

#include "common/appidentity.h"
#include "common/logging.h"
#include "dcs/dcsserver.h"
#include "dcs/headlessrunner.h"
#include "mainwindow.h"

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
    if (!server.startListener(options.listenAddress, options.listenPort, &error))
        qCWarning(lcUi).noquote() << error;

    int code = 0;
    {
        MainWindow window(server);
        window.show();
        code = QApplication::exec();
    }
    server.shutdown();
    return code;
}

} // namespace Dcs
