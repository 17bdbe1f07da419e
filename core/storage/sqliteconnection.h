#pragma once

#include <QSqlDatabase>
#include <QString>

namespace Dcs::Sqlite {

// Everything SQLite-specific lives in this file pair (pragmas, user_version, WAL). The schema and
// the repositories stay portable SQL so a PostgreSQL store remains a small step.

// Opens `path` under `connectionName` with foreign keys on and a busy timeout. Connection creation
// is serialized: QSqlDatabase::addDatabase from several threads at once races on Qt 6.4.
bool open(const QString &path, const QString &connectionName, QSqlDatabase *db, QString *error);

// Closes and unregisters a connection opened with open(), from the thread that opened it.
void close(const QString &connectionName);
// Unregisters (and so closes) a connection from another thread than the one that opened it,
// once that thread no longer uses it.
void forget(const QString &connectionName);

// Switches to WAL with synchronous=NORMAL and verifies that WAL really took (it silently does not
// on some file systems and for in-memory databases).
bool enableWriteAheadLog(QSqlDatabase &db, QString *error);

QString journalMode(QSqlDatabase &db);

// The writer connection's cache, memory map and checkpoint interval (see the .cpp for why).
bool tuneForWriting(QSqlDatabase &db, QString *error);

// PRAGMA user_version: the schema version this file was migrated to; -1 when unreadable.
int userVersion(QSqlDatabase &db, QString *error = nullptr);
bool setUserVersion(QSqlDatabase &db, int version, QString *error);

// Runs one statement; on failure fills `error` with the statement's driver text.
bool exec(QSqlDatabase &db, const QString &sql, QString *error);

} // namespace Dcs::Sqlite
