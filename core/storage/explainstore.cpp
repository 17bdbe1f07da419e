#include "explainstore.h"

#include "sqlutil.h"

#include <QSqlQuery>
#include <QVariant>

namespace Dcs::ExplainStore {

namespace {

std::optional<qint64> optionalMs(const QSqlQuery &query, int column)
{
    if (query.isNull(column))
        return std::nullopt;
    return query.value(column).toLongLong();
}

bool readRealizations(QSqlDatabase db, const QString &uuid, qint64 nowMs, StoredVisitor *visitor,
                      QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!SqlUtil::run(query,
                      QStringLiteral(
                          "SELECT r.trait_sid, COALESCE(t.name, ''), COALESCE(t.type, ''), "
                          "r.ts_ms, r.expires_ms, r.source, r.tid, r.detail "
                          "FROM trait_realizations r LEFT JOIN traits t ON t.sid = r.trait_sid "
                          "WHERE r.uuid = ? AND (r.expires_ms IS NULL OR r.expires_ms > ?) "
                          "ORDER BY r.trait_sid, r.ts_ms, r.id"),
                      {uuid, nowMs}, error))
        return false;
    while (query.next()) {
        StoredRealizationRow row;
        row.traitSid = query.value(0).toLongLong();
        row.traitName = query.value(1).toString();
        row.traitType = query.value(2).toString();
        row.timeMs = query.value(3).toLongLong();
        row.expiresMs = optionalMs(query, 4).value_or(Realization::Never);
        row.source = query.value(5).toString();
        row.tid = query.value(6).toString();
        row.detail = query.value(7).toString();
        visitor->realizations.append(row);
    }
    return true;
}

bool readMemberships(QSqlDatabase db, const QString &uuid, qint64 nowMs, int changeLimit,
                     StoredVisitor *visitor, QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT segment_sid, since_ms FROM memberships "
                                     "WHERE uuid = ? ORDER BY segment_sid"),
                      {uuid}, error))
        return false;
    while (query.next())
        visitor->memberships.append({query.value(0).toLongLong(), query.value(1).toLongLong()});

    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT segment_sid, ts_ms, change, cause "
                                     "FROM membership_changes WHERE uuid = ? AND ts_ms <= ? "
                                     "ORDER BY ts_ms DESC, id DESC LIMIT ?"),
                      {uuid, nowMs, changeLimit}, error))
        return false;
    while (query.next()) {
        StoredMembershipChange change;
        change.segmentSid = query.value(0).toLongLong();
        change.atMs = query.value(1).toLongLong();
        change.kind = query.value(2).toString() == QLatin1String("join")
                          ? MembershipChange::Kind::Join
                          : MembershipChange::Kind::Leave;
        change.cause = query.value(3).toString();
        visitor->recentChanges.append(change);
    }
    return true;
}

bool readVisitorRow(QSqlDatabase db, const QString &uuid, StoredVisitor *visitor, QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT first_seen_ms, last_seen_ms, opted_out_ms "
                                     "FROM visitors WHERE uuid = ?"),
                      {uuid}, error))
        return false;
    if (query.next()) {
        visitor->hasVisitorRow = true;
        visitor->firstSeenMs = optionalMs(query, 0);
        visitor->lastSeenMs = optionalMs(query, 1);
        visitor->optedOutMs = optionalMs(query, 2);
    }
    return true;
}

bool readNames(QSqlDatabase db, StoredVisitor *visitor, QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT sid, name FROM traits WHERE type = 'folder'"), {},
                      error))
        return false;
    while (query.next())
        visitor->folderTraitNames.insert(query.value(0).toLongLong(), query.value(1).toString());
    if (!SqlUtil::run(query, QStringLiteral("SELECT sid, name FROM segments"), {}, error))
        return false;
    while (query.next())
        visitor->segmentNames.insert(query.value(0).toLongLong(), query.value(1).toString());
    return true;
}

} // namespace

bool readVisitor(QSqlDatabase db, const QString &uuid, qint64 nowMs, int changeLimit,
                 StoredVisitor *visitor, QString *error)
{
    *visitor = StoredVisitor();
    // One read transaction: realizations and memberships from the same committed state, so a
    // segment is not shown joined on realizations the view does not list.
    const bool inTransaction = db.transaction();
    const bool ok = readVisitorRow(db, uuid, visitor, error)
                    && readRealizations(db, uuid, nowMs, visitor, error)
                    && readMemberships(db, uuid, nowMs, changeLimit, visitor, error)
                    && (visitor->isEmpty() || readNames(db, visitor, error));
    if (inTransaction)
        db.commit();
    if (!ok)
        *visitor = StoredVisitor();
    return ok;
}

} // namespace Dcs::ExplainStore
