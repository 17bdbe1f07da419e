#include "visitorstore.h"

#include "sqlutil.h"

#include <QSqlQuery>

namespace Dcs::VisitorStore {

std::optional<QString> linkedUuid(QSqlDatabase db, qint64 dpid, const QString &id)
{
    QSqlQuery query(db);
    if (SqlUtil::run(query, QStringLiteral("SELECT uuid FROM id_syncs WHERE dpid = ? AND dpuuid = ?"),
                     {dpid, id}, nullptr)
        && query.next())
        return query.value(0).toString();
    return std::nullopt;
}

QHash<qint64, QString> partnerIdsOf(QSqlDatabase db, const QString &uuid, QString *error)
{
    QHash<qint64, QString> ids;
    QSqlQuery query(db);
    // Oldest first, so the latest link of a data source overwrites the earlier ones.
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT dpid, dpuuid FROM id_syncs WHERE uuid = ? "
                                     "ORDER BY synced_ms"),
                      {uuid}, error))
        return ids;
    while (query.next())
        ids.insert(query.value(0).toLongLong(), query.value(1).toString());
    return ids;
}

bool linkedUuid(WriteContext &context, qint64 dpid, const QString &id,
                std::optional<QString> *uuid, QString *error)
{
    QSqlQuery &query = context.prepared(
        QStringLiteral("SELECT uuid FROM id_syncs WHERE dpid = ? AND dpuuid = ?"));
    SqlUtil::bindAll(query, {dpid, id});
    if (!WriteContext::exec(query, error))
        return false;
    *uuid = query.next() ? std::optional<QString>(query.value(0).toString()) : std::nullopt;
    query.finish();
    return true;
}

bool visitorStatus(WriteContext &context, const QString &uuid, VisitorStatus *status,
                   QString *error)
{
    QSqlQuery &query = context.prepared(
        QStringLiteral("SELECT opted_out_ms FROM visitors WHERE uuid = ?"));
    SqlUtil::bindAll(query, {uuid});
    if (!WriteContext::exec(query, error))
        return false;
    if (!query.next())
        *status = VisitorStatus::Unknown;
    else
        *status = query.isNull(0) ? VisitorStatus::Active : VisitorStatus::OptedOut;
    query.finish();
    return true;
}

QSet<QString> optedOutUuids(QSqlDatabase db)
{
    QSet<QString> uuids;
    QSqlQuery query(db);
    if (query.exec(QStringLiteral("SELECT uuid FROM visitors WHERE opted_out_ms IS NOT NULL"))) {
        while (query.next())
            uuids.insert(query.value(0).toString());
    }
    return uuids;
}

std::optional<qint64> dpidForIntegrationCode(QSqlDatabase db, const QString &code)
{
    QSqlQuery query(db);
    if (SqlUtil::run(query, QStringLiteral("SELECT dpid FROM partners WHERE integration_code = ?"),
                     {code}, nullptr)
        && query.next())
        return query.value(0).toLongLong();
    return std::nullopt;
}

bool touchVisitor(WriteContext &context, QByteArrayView uuid, qint64 timeMs, QString *error)
{
    Sqlite::Statement &upsert = context.sqliteStatement(
        "INSERT INTO visitors (uuid, first_seen_ms, last_seen_ms) VALUES (?, ?, ?) "
        "ON CONFLICT (uuid) DO UPDATE SET last_seen_ms = excluded.last_seen_ms");
    upsert.bind(1, uuid);
    upsert.bind(2, timeMs);
    upsert.bind(3, timeMs);
    return upsert.step(error);
}

bool touchVisitor(WriteContext &context, const QString &uuid, qint64 timeMs, QString *error)
{
    return touchVisitor(context, QByteArrayView(uuid.toUtf8()), timeMs, error);
}

bool link(WriteContext &context, const DeclaredId &id, const QString &uuid, qint64 timeMs,
          QString *error)
{
    QSqlQuery &upsert = context.prepared(QStringLiteral(
        "INSERT INTO id_syncs (dpid, dpuuid, uuid, auth_state, synced_ms) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (dpid, dpuuid) DO UPDATE SET uuid = excluded.uuid, "
        "auth_state = excluded.auth_state, synced_ms = excluded.synced_ms"));
    SqlUtil::bindAll(upsert, {id.dpid, id.id, uuid, id.authState, timeMs});
    return WriteContext::exec(upsert, error);
}

bool optOut(WriteContext &context, const QString &uuid, qint64 timeMs, QString *error)
{
    QSqlQuery &upsert = context.prepared(QStringLiteral(
        "INSERT INTO visitors (uuid, first_seen_ms, last_seen_ms, opted_out_ms) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET "
        "opted_out_ms = COALESCE(visitors.opted_out_ms, excluded.opted_out_ms)"));
    SqlUtil::bindAll(upsert, {uuid, timeMs, timeMs, timeMs});
    return WriteContext::exec(upsert, error);
}

} // namespace Dcs::VisitorStore
