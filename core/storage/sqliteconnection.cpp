#include "sqliteconnection.h"

#include "common/logging.h"

#include <QMutex>
#include <QSqlError>
#include <QSqlQuery>

namespace Dcs::Sqlite {

namespace {
Q_GLOBAL_STATIC(QMutex, connectionRegistryMutex)
constexpr int kBusyTimeoutMs = 5000;
} // namespace

bool open(const QString &path, const QString &connectionName, QSqlDatabase *db, QString *error)
{
    {
        QMutexLocker locker(connectionRegistryMutex());
        *db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    }
    if (!db->isValid()) {
        *error = QStringLiteral("the Qt SQLite driver (QSQLITE) is not available; "
                                "install libqt6sql6-sqlite");
        return false;
    }
    db->setDatabaseName(path);
    db->setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs));
    if (!db->open()) {
        *error = QStringLiteral("cannot open database %1: %2").arg(path, db->lastError().text());
        return false;
    }
    // A file that is not SQLite opens fine and fails on first read: read now to report it here.
    QSqlQuery probe(*db);
    if (!probe.exec(QStringLiteral("SELECT count(*) FROM sqlite_master"))) {
        *error = QStringLiteral("%1 is not a usable SQLite database: %2")
                     .arg(path, probe.lastError().databaseText());
        return false;
    }
    return exec(*db, QStringLiteral("PRAGMA foreign_keys = ON"), error);
}

void close(const QString &connectionName)
{
    QMutexLocker locker(connectionRegistryMutex());
    {
        QSqlDatabase db = QSqlDatabase::database(connectionName, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}

void forget(const QString &connectionName)
{
    QMutexLocker locker(connectionRegistryMutex());
    QSqlDatabase::removeDatabase(connectionName);
}

QString journalMode(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next())
        return query.value(0).toString().toLower();
    return {};
}

bool enableWriteAheadLog(QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !query.next()) {
        *error = QStringLiteral("cannot switch to WAL: %1").arg(query.lastError().text());
        return false;
    }
    const QString mode = query.value(0).toString().toLower();
    if (mode != QLatin1String("wal")) {
        *error = QStringLiteral("the database refused write-ahead logging (journal mode stays "
                                "'%1'); is it on a network or read-only file system?")
                     .arg(mode);
        return false;
    }
    return exec(db, QStringLiteral("PRAGMA synchronous = NORMAL"), error);
}

bool tuneForWriting(QSqlDatabase &db, QString *error)
{
    // The event log's indexes (by tid, by visitor) take random keys: every insert touches a
    // random leaf page. A 64 MiB page cache keeps the hot interior and leaf pages in memory
    // instead of re-reading them for every batch, memory-mapped reads replace pread calls,
    // and checkpoints every 16 MiB of WAL (instead of 4 MiB) pay their fdatasync a quarter as
    // often. Durability is unchanged: a commit is in the WAL before it is acknowledged.
    return exec(db, QStringLiteral("PRAGMA cache_size = -65536"), error)
           && exec(db, QStringLiteral("PRAGMA mmap_size = 268435456"), error)
           && exec(db, QStringLiteral("PRAGMA wal_autocheckpoint = 4096"), error);
}

int userVersion(QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
        if (error)
            *error = query.lastError().text();
        return -1;
    }
    return query.value(0).toInt();
}

bool setUserVersion(QSqlDatabase &db, int version, QString *error)
{
    return exec(db, QStringLiteral("PRAGMA user_version = %1").arg(version), error);
}

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    *error = QStringLiteral("%1 (in: %2)").arg(query.lastError().text(), sql.simplified());
    qCWarning(lcStorage).noquote() << *error;
    return false;
}

} // namespace Dcs::Sqlite
