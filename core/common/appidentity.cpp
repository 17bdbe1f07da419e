#include "appidentity.h"

#include <QCoreApplication>
#include <QStandardPaths>

namespace Dcs {

void setApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("DCS Studio"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("dcs-studio.invalid"));
    QCoreApplication::setApplicationName(QStringLiteral("dcs-studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DCS_VERSION));
}

QString defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
           + QStringLiteral("/dcs-studio.sqlite");
}

} // namespace Dcs
