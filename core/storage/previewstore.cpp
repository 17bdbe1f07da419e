#include "previewstore.h"

#include "sqlutil.h"

#include <QSqlDriver>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

#include <limits>

namespace Dcs::PreviewStore {

namespace {

sqlite3 *handleOf(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        return *static_cast<sqlite3 *const *>(handle.constData());
    return nullptr;
}

// Finalizes on every path out of scanEvents().
struct StatementGuard
{
    sqlite3_stmt *statement = nullptr;
    ~StatementGuard() { sqlite3_finalize(statement); }
};

QByteArrayView columnBytes(sqlite3_stmt *statement, int column)
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
    return QByteArrayView(text, sqlite3_column_bytes(statement, column));
}

bool countOne(QSqlDatabase db, const QString &sql, const QVariantList &values, qint64 *count,
              QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!SqlUtil::run(query, sql, values, error))
        return false;
    *count = query.next() ? query.value(0).toLongLong() : 0;
    return true;
}

} // namespace

bool scanEvents(QSqlDatabase db, qint64 fromMs, qint64 toMs, const EventRowVisitor &visit,
                QString *error)
{
    return scanEvents(db, fromMs, toMs, ScanOrder::OldestFirst, visit, error);
}

bool scanEvents(QSqlDatabase db, qint64 fromMs, qint64 toMs, ScanOrder order,
                const EventRowVisitor &visit, QString *error)
{
    sqlite3 *handle = handleOf(db);
    if (!handle) {
        if (error)
            *error = QStringLiteral("the event scan needs an open SQLite connection");
        return false;
    }
    static constexpr char Sql[] = "SELECT uuid, ts_ms, signals FROM events INDEXED BY "
                                  "events_by_time WHERE ts_ms >= ? AND ts_ms <= ? ORDER BY ts_ms";
    static constexpr char NewestFirstSql[] = "SELECT uuid, ts_ms, signals FROM events INDEXED BY "
                                             "events_by_time WHERE ts_ms >= ? AND ts_ms <= ? "
                                             "ORDER BY ts_ms DESC";
    const bool newestFirst = order == ScanOrder::NewestFirst;
    StatementGuard guard;
    if (sqlite3_prepare_v2(handle, newestFirst ? NewestFirstSql : Sql,
                           newestFirst ? int(sizeof NewestFirstSql - 1) : int(sizeof Sql - 1),
                           &guard.statement, nullptr)
        != SQLITE_OK) {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(handle));
        return false;
    }
    sqlite3_bind_int64(guard.statement, 1, fromMs);
    sqlite3_bind_int64(guard.statement, 2, toMs);
    EventRowView row;
    int result = SQLITE_ROW;
    while ((result = sqlite3_step(guard.statement)) == SQLITE_ROW) {
        row.uuid = columnBytes(guard.statement, 0);
        row.timeMs = sqlite3_column_int64(guard.statement, 1);
        row.signalsJson = columnBytes(guard.statement, 2);
        if (!visit(row))
            return true;
    }
    if (result != SQLITE_DONE) {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(handle));
        return false;
    }
    return true;
}

bool scanEventPage(QSqlDatabase db, qint64 afterMs, qint64 afterId, qint64 toMs, int limit,
                   const ReplayEventRowVisitor &visit, int *rowsVisited, QString *error)
{
    *rowsVisited = 0;
    sqlite3 *handle = handleOf(db);
    if (!handle) {
        if (error)
            *error = QStringLiteral("the event scan needs an open SQLite connection");
        return false;
    }
    static constexpr char Sql[] = "SELECT id, ts_ms, tid, uuid, signals FROM events INDEXED BY "
                                  "events_by_time WHERE (ts_ms, id) > (?, ?) AND ts_ms <= ? "
                                  "ORDER BY ts_ms, id LIMIT ?";
    StatementGuard guard;
    if (sqlite3_prepare_v2(handle, Sql, int(sizeof Sql - 1), &guard.statement, nullptr)
        != SQLITE_OK) {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(handle));
        return false;
    }
    sqlite3_bind_int64(guard.statement, 1, afterMs);
    sqlite3_bind_int64(guard.statement, 2, afterId);
    sqlite3_bind_int64(guard.statement, 3, toMs);
    sqlite3_bind_int(guard.statement, 4, limit);
    ReplayEventRowView row;
    int result = SQLITE_ROW;
    while ((result = sqlite3_step(guard.statement)) == SQLITE_ROW) {
        row.id = sqlite3_column_int64(guard.statement, 0);
        row.timeMs = sqlite3_column_int64(guard.statement, 1);
        row.tid = columnBytes(guard.statement, 2);
        row.uuid = columnBytes(guard.statement, 3);
        row.signalsJson = columnBytes(guard.statement, 4);
        ++*rowsVisited;
        visit(row);
    }
    if (result != SQLITE_DONE) {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(handle));
        return false;
    }
    return true;
}

bool scanRealizations(QSqlDatabase db, const QList<qint64> &traitSids, qint64 nowMs,
                      const RealizationRowVisitor &visit, QString *error)
{
    sqlite3 *handle = handleOf(db);
    if (!handle) {
        if (error)
            *error = QStringLiteral("the realization scan needs an open SQLite connection");
        return false;
    }
    if (traitSids.isEmpty())
        return true;
    QByteArray sql = "SELECT uuid, trait_sid, ts_ms, expires_ms FROM trait_realizations "
                     "INDEXED BY realizations_by_visitor WHERE trait_sid IN (";
    for (qsizetype i = 0; i < traitSids.size(); ++i)
        sql += (i ? ",?" : "?");
    sql += ") AND (expires_ms IS NULL OR expires_ms > ?) ORDER BY uuid, trait_sid, ts_ms";
    StatementGuard guard;
    if (sqlite3_prepare_v2(handle, sql.constData(), int(sql.size()), &guard.statement, nullptr)
        != SQLITE_OK) {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(handle));
        return false;
    }
    int parameter = 0;
    for (const qint64 sid : traitSids)
        sqlite3_bind_int64(guard.statement, ++parameter, sid);
    sqlite3_bind_int64(guard.statement, ++parameter, nowMs);
    RealizationRowView row;
    int result = SQLITE_ROW;
    while ((result = sqlite3_step(guard.statement)) == SQLITE_ROW) {
        row.uuid = columnBytes(guard.statement, 0);
        row.traitSid = sqlite3_column_int64(guard.statement, 1);
        row.timeMs = sqlite3_column_int64(guard.statement, 2);
        row.expiresMs = sqlite3_column_type(guard.statement, 3) == SQLITE_NULL
                            ? std::numeric_limits<qint64>::max()
                            : sqlite3_column_int64(guard.statement, 3);
        if (!visit(row))
            return true;
    }
    if (result != SQLITE_DONE) {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(handle));
        return false;
    }
    return true;
}

bool realizationUuidRange(QSqlDatabase db, QByteArray *first, QByteArray *last, QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT (SELECT min(uuid) FROM trait_realizations), "
                                     "(SELECT max(uuid) FROM trait_realizations)"),
                      {}, error))
        return false;
    if (query.next()) {
        *first = query.value(0).toString().toLatin1();
        *last = query.value(1).toString().toLatin1();
    }
    return true;
}

bool countEvents(QSqlDatabase db, qint64 fromMs, qint64 toMs, qint64 *count, QString *error)
{
    return countOne(db,
                    QStringLiteral("SELECT count(*) FROM events WHERE ts_ms >= ? AND ts_ms <= ?"),
                    {fromMs, toMs}, count, error);
}

bool countVisitors(QSqlDatabase db, qint64 *count, QString *error)
{
    return countOne(db, QStringLiteral("SELECT count(*) FROM visitors"), {}, count, error);
}

} // namespace Dcs::PreviewStore
