#include "sqliteconnection.h"

#include "common/logging.h"

#include <QMutex>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

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
    // Pages are read through a 256 MiB memory map (no pread, no copy for a page only read); the
    // page cache holds the pages a batch writes. 8 MiB of it measured faster than 64 MiB on
    // the listener benchmark (fewer buffers to grow and recycle; a page missing from it costs
    // a 4 KiB copy from the map). Checkpoints are not the writer's job: the WalCheckpointer
    // runs them on its own thread. Durability is unchanged: a commit is in the WAL before it is
    // acknowledged.
    return exec(db, QStringLiteral("PRAGMA cache_size = -8192"), error)
           && exec(db, QStringLiteral("PRAGMA mmap_size = 268435456"), error)
           && exec(db, QStringLiteral("PRAGMA wal_autocheckpoint = 0"), error);
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

Statement::Statement(QSqlDatabase &db, QByteArrayView sql)
    : m_sql(sql.toByteArray())
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        m_db = *static_cast<sqlite3 *const *>(handle.constData());
    if (!m_db) {
        m_prepareError = QStringLiteral("not a SQLite connection");
        return;
    }
    if (sqlite3_prepare_v3(m_db, m_sql.constData(), int(m_sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &m_statement, nullptr)
        != SQLITE_OK) {
        m_prepareError = QString::fromUtf8(sqlite3_errmsg(m_db));
        m_statement = nullptr;
    }
}

Statement::~Statement()
{
    sqlite3_finalize(m_statement);
}

void Statement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_statement, index, value);
}

void Statement::bind(int index, QByteArrayView utf8)
{
    // An empty view may have no data pointer; SQLite would read that as NULL, not ''.
    sqlite3_bind_text(m_statement, index, utf8.isEmpty() ? "" : utf8.data(), int(utf8.size()),
                      SQLITE_STATIC);
}

void Statement::bindNull(int index)
{
    sqlite3_bind_null(m_statement, index);
}

bool Statement::step(QString *error)
{
    if (!m_statement) {
        if (error)
            *error = QStringLiteral("%1 (in: %2)").arg(m_prepareError, QString::fromUtf8(m_sql));
        return false;
    }
    int result = sqlite3_step(m_statement);
    while (result == SQLITE_ROW)
        result = sqlite3_step(m_statement);
    const bool ok = result == SQLITE_DONE;
    m_changes = ok ? sqlite3_changes(m_db) : 0;
    if (!ok && error)
        *error = QStringLiteral("%1 (in: %2)")
                     .arg(QString::fromUtf8(sqlite3_errmsg(m_db)), QString::fromUtf8(m_sql));
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    return ok;
}

bool Statement::nextRow()
{
    if (!m_statement)
        return false;
    m_lastStep = sqlite3_step(m_statement);
    return m_lastStep == SQLITE_ROW;
}

bool Statement::finish(QString *error)
{
    if (!m_statement) {
        if (error)
            *error = QStringLiteral("%1 (in: %2)").arg(m_prepareError, QString::fromUtf8(m_sql));
        return false;
    }
    const bool ok = m_lastStep == SQLITE_ROW || m_lastStep == SQLITE_DONE || m_lastStep == 0;
    if (!ok && error)
        *error = QStringLiteral("%1 (in: %2)")
                     .arg(QString::fromUtf8(sqlite3_errmsg(m_db)), QString::fromUtf8(m_sql));
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    m_lastStep = 0;
    return ok;
}

qint64 Statement::int64At(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

bool Statement::isNullAt(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

QByteArrayView Statement::bytesAt(int column) const
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    return QByteArrayView(text, sqlite3_column_bytes(m_statement, column));
}

} // namespace Dcs::Sqlite
