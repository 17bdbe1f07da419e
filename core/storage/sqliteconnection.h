#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QSqlDatabase>
#include <QString>

struct sqlite3;
struct sqlite3_stmt;

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

// The writer connection's cache and memory map, and no automatic checkpoints (WalCheckpointer).
bool tuneForWriting(QSqlDatabase &db, QString *error);

// PRAGMA user_version: the schema version this file was migrated to; -1 when unreadable.
int userVersion(QSqlDatabase &db, QString *error = nullptr);
bool setUserVersion(QSqlDatabase &db, int version, QString *error);

// Runs one statement; on failure fills `error` with the statement's driver text.
bool exec(QSqlDatabase &db, const QString &sql, QString *error);

// A prepared statement on the SQLite handle beneath a Qt connection, for the writer's hottest
// statements (one event row and one visitor row per /event). Binding UTF-8 bytes directly skips
// QVariant, Qt's per-value bookkeeping and SQLite's UTF-16 conversion: together a quarter of the
// writer's time. Parameters are 1-based, as in SQLite. Not copyable; use on the connection's
// thread only.
class Statement final
{
public:
    Statement(QSqlDatabase &db, QByteArrayView sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    bool isValid() const { return m_statement != nullptr; }

    void bind(int index, qint64 value);
    void bind(int index, QByteArrayView utf8); // the bytes must outlive step()
    void bindNull(int index);
    // Runs the statement to completion, then resets it and clears the bindings. On failure
    // `error` names SQLite's message and the statement.
    bool step(QString *error);
    // Rows the last step() inserted, updated or deleted.
    int changes() const { return m_changes; }

    // Reading row by row (the preview scans): nextRow() while it answers true, reading the
    // columns between calls; then finish(), which says whether the rows ended cleanly (at the
    // end, or stopped early by the caller) and resets the statement and its bindings.
    bool nextRow();
    bool finish(QString *error);
    qint64 int64At(int column) const;
    bool isNullAt(int column) const;
    QByteArrayView bytesAt(int column) const; // valid until the next nextRow()

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    QByteArray m_sql;
    QString m_prepareError;
    int m_changes = 0;
    int m_lastStep = 0; // SQLITE_ROW, SQLITE_DONE or an error code, from nextRow()
};

} // namespace Dcs::Sqlite
