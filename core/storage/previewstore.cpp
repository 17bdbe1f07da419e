#include "previewstore.h"

#include "sqliteconnection.h"
#include "sqlutil.h"

#include <QSqlQuery>
#include <QVariant>

#include <limits>

namespace Dcs::PreviewStore {

namespace {

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
    static constexpr QByteArrayView Sql = "SELECT uuid, ts_ms, signals FROM events INDEXED BY "
                                          "events_by_time WHERE ts_ms >= ? AND ts_ms <= ? "
                                          "ORDER BY ts_ms";
    static constexpr QByteArrayView NewestFirstSql
        = "SELECT uuid, ts_ms, signals FROM events INDEXED BY events_by_time "
          "WHERE ts_ms >= ? AND ts_ms <= ? ORDER BY ts_ms DESC";
    Sqlite::Statement statement(db, order == ScanOrder::NewestFirst ? NewestFirstSql : Sql);
    statement.bind(1, fromMs);
    statement.bind(2, toMs);
    EventRowView row;
    while (statement.nextRow()) {
        row.uuid = statement.bytesAt(0);
        row.timeMs = statement.int64At(1);
        row.signalsJson = statement.bytesAt(2);
        if (!visit(row))
            break;
    }
    return statement.finish(error);
}

bool scanEventPage(QSqlDatabase db, qint64 afterMs, qint64 afterId, qint64 toMs, int limit,
                   const ReplayEventRowVisitor &visit, int *rowsVisited, QString *error)
{
    *rowsVisited = 0;
    Sqlite::Statement statement(db, "SELECT id, ts_ms, tid, uuid, signals FROM events INDEXED BY "
                                    "events_by_time WHERE (ts_ms, id) > (?, ?) AND ts_ms <= ? "
                                    "ORDER BY ts_ms, id LIMIT ?");
    statement.bind(1, afterMs);
    statement.bind(2, afterId);
    statement.bind(3, toMs);
    statement.bind(4, qint64(limit));
    ReplayEventRowView row;
    while (statement.nextRow()) {
        row.id = statement.int64At(0);
        row.timeMs = statement.int64At(1);
        row.tid = statement.bytesAt(2);
        row.uuid = statement.bytesAt(3);
        row.signalsJson = statement.bytesAt(4);
        ++*rowsVisited;
        visit(row);
    }
    return statement.finish(error);
}

bool scanRealizations(QSqlDatabase db, const QList<qint64> &traitSids, qint64 nowMs,
                      const RealizationRowVisitor &visit, QString *error)
{
    if (traitSids.isEmpty())
        return true;
    QByteArray sql = "SELECT uuid, trait_sid, ts_ms, expires_ms FROM trait_realizations "
                     "INDEXED BY realizations_by_visitor WHERE trait_sid IN (";
    for (qsizetype i = 0; i < traitSids.size(); ++i)
        sql += (i ? ",?" : "?");
    sql += ") AND (expires_ms IS NULL OR expires_ms > ?) ORDER BY uuid, trait_sid, ts_ms";
    Sqlite::Statement statement(db, sql);
    int parameter = 0;
    for (const qint64 sid : traitSids)
        statement.bind(++parameter, sid);
    statement.bind(++parameter, nowMs);
    RealizationRowView row;
    while (statement.nextRow()) {
        row.uuid = statement.bytesAt(0);
        row.traitSid = statement.int64At(1);
        row.timeMs = statement.int64At(2);
        row.expiresMs = statement.isNullAt(3) ? std::numeric_limits<qint64>::max()
                                              : statement.int64At(3);
        if (!visit(row))
            break;
    }
    return statement.finish(error);
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

} // namespace Dcs::PreviewStore
