#pragma once

#include <QString>

namespace Dcs {

// Sets organization, application name and version on QCoreApplication. Must run before the first
// QSettings or QStandardPaths call, or those land under an anonymous path.
void setApplicationIdentity();

// The database used when --db is not given: <AppDataLocation>/dcs-studio.sqlite.
QString defaultDatabasePath();

} // namespace Dcs
