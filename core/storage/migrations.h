#pragma once

#include <QSqlDatabase>
#include <QString>

namespace Dcs::Migrations {

// The schema version this program writes. A file with a higher PRAGMA user_version came from a
// newer program and is refused untouched.
int latestVersion();

// Brings `db` from its current version to `targetVersion` (default: latest) in one transaction:
// either every step applies or the file is left as it was. Refuses a file newer than this program.
bool migrate(QSqlDatabase &db, QString *error, int targetVersion = -1);

} // namespace Dcs::Migrations
