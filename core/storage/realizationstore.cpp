#include "realizationstore.h"

#include "sqlutil.h"

#include <QSqlError>
#include <QVariant>

#include <algorithm>

namespace Dcs {

namespace {

// Realizations and memberships of one visitor, told apart by the first column. Realizations
// that expired after the earliest membership began are read too: they say why a segment is
// left ("expired" rather than "left recency window"). Both parts use an index on uuid.
const QString &profileSql()
{
    static const QString sql = QStringLiteral(
        "SELECT 0, trait_sid, ts_ms, expires_ms FROM trait_realizations "
        "WHERE uuid = ? AND (expires_ms IS NULL OR expires_ms > ? "
        "OR expires_ms > (SELECT MIN(since_ms) FROM memberships WHERE uuid = ?)) "
        "UNION ALL "
        "SELECT 1, segment_sid, since_ms, NULL FROM memberships WHERE uuid = ?");
    return sql;
}

QVariant expiresValue(qint64 expiresMs)
{
    // NULL is "never": no sentinel number that a PostgreSQL BIGINT or a report must know.
    return expiresMs == Realization::Never ? QVariant(QMetaType(QMetaType::LongLong))
                                           : QVariant(expiresMs);
}

qint64 expiresFrom(const QSqlQuery &query, int column)
{
    return query.isNull(column) ? Realization::Never : query.value(column).toLongLong();
}

QString queryError(const QSqlQuery &query)
{
    return QStringLiteral("%1 (in: %2)")
        .arg(query.lastError().text(), query.lastQuery().simplified());
}

bool runProfileQuery(QSqlQuery &query, const QString &uuid, qint64 nowMs,
                     VisitorProfile *profile, QString *error)
{
    SqlUtil::bindAll(query, {uuid, nowMs, uuid, uuid});
    if (!query.exec()) {
        if (error)
            *error = queryError(query);
        return false;
    }
    profile->realizations.clear();
    profile->memberships.clear();
    while (query.next()) {
        if (query.value(0).toInt() == 0) {
            profile->realizations.append(
                {query.value(1).toLongLong(),
                 Realization{query.value(2).toLongLong(), expiresFrom(query, 3)}});
        } else {
            profile->memberships.append({query.value(1).toLongLong(),
                                         query.value(2).toLongLong()});
        }
    }
    query.finish();
    // The index gives this order already; a different plan must not break the promise.
    const auto byTraitAndTime = [](const StoredRealization &a, const StoredRealization &b) {
        return std::pair(a.traitSid, a.realization.timeMs)
               < std::pair(b.traitSid, b.realization.timeMs);
    };
    if (!std::is_sorted(profile->realizations.cbegin(), profile->realizations.cend(),
                        byTraitAndTime))
        std::sort(profile->realizations.begin(), profile->realizations.end(), byTraitAndTime);
    const auto bySegment = [](const HeldMembership &a, const HeldMembership &b) {
        return a.segmentSid < b.segmentSid;
    };
    if (!std::is_sorted(profile->memberships.cbegin(), profile->memberships.cend(), bySegment))
        std::sort(profile->memberships.begin(), profile->memberships.end(), bySegment);
    return true;
}

bool execOrFail(QSqlQuery &query, QString *error)
{
    return WriteContext::exec(query, error);
}

} // namespace

ProfileReader::ProfileReader(QSqlDatabase db)
    : m_query(db)
{
    m_query.setForwardOnly(true);
}

bool ProfileReader::read(const QString &uuid, qint64 nowMs, VisitorProfile *profile,
                         QString *error)
{
    if (!m_prepared) {
        if (!m_query.prepare(profileSql())) {
            if (error)
                *error = queryError(m_query);
            return false;
        }
        m_prepared = true;
    }
    return runProfileQuery(m_query, uuid, nowMs, profile, error);
}

namespace RealizationStore {

bool readProfile(QSqlDatabase db, const QString &uuid, qint64 nowMs, VisitorProfile *profile,
                 QString *error)
{
    ProfileReader reader(db);
    return reader.read(uuid, nowMs, profile, error);
}

bool readProfile(WriteContext &context, const QString &uuid, qint64 nowMs,
                 VisitorProfile *profile, QString *error)
{
    return runProfileQuery(context.prepared(profileSql()), uuid, nowMs, profile, error);
}

bool writeQualification(WriteContext &context, const QString &uuid,
                        const Qualification &qualification, QString *error)
{
    for (const NewRealization &realization : qualification.realizations) {
        if (realization.replacesEarlier) {
            QSqlQuery &remove = context.prepared(QStringLiteral(
                "DELETE FROM trait_realizations WHERE uuid = ? AND trait_sid = ?"));
            SqlUtil::bindAll(remove, {uuid, realization.traitSid});
            if (!execOrFail(remove, error))
                return false;
        }
        // Selecting the trait's own row inserts nothing if the trait was deleted meanwhile.
        QSqlQuery &insert = context.prepared(QStringLiteral(
            "INSERT INTO trait_realizations "
            "(uuid, trait_sid, ts_ms, expires_ms, source, tid, detail) "
            "SELECT ?, sid, ?, ?, ?, ?, ? FROM traits WHERE sid = ?"));
        SqlUtil::bindAll(insert, {uuid, realization.realization.timeMs,
                                  expiresValue(realization.realization.expiresMs),
                                  realizationOriginName(realization.origin), qualification.tid,
                                  realization.detailJson(), realization.traitSid});
        if (!execOrFail(insert, error))
            return false;
    }

    for (const MembershipChange &change : qualification.changes) {
        const bool join = change.kind == MembershipChange::Kind::Join;
        QSqlQuery &apply = join
            ? context.prepared(QStringLiteral(
                  "INSERT INTO memberships (uuid, segment_sid, since_ms) "
                  "SELECT ?, sid, ? FROM segments WHERE sid = ? "
                  "ON CONFLICT (uuid, segment_sid) DO NOTHING"))
            : context.prepared(QStringLiteral(
                  "DELETE FROM memberships WHERE uuid = ? AND segment_sid = ?"));
        if (join)
            SqlUtil::bindAll(apply, {uuid, change.atMs, change.segmentSid});
        else
            SqlUtil::bindAll(apply, {uuid, change.segmentSid});
        if (!execOrFail(apply, error))
            return false;
        if (apply.numRowsAffected() <= 0)
            continue; // already as wanted: another evaluation recorded this change
        QSqlQuery &record = context.prepared(QStringLiteral(
            "INSERT INTO membership_changes (uuid, segment_sid, ts_ms, change, cause) "
            "VALUES (?, ?, ?, ?, ?)"));
        SqlUtil::bindAll(record, {uuid, change.segmentSid, change.atMs,
                                  join ? QStringLiteral("join") : QStringLiteral("leave"),
                                  change.cause});
        if (!execOrFail(record, error))
            return false;
    }
    return true;
}

bool isOptedOut(WriteContext &context, const QString &uuid, bool *optedOut, QString *error)
{
    QSqlQuery &query = context.prepared(QStringLiteral(
        "SELECT opted_out_ms FROM visitors WHERE uuid = ? AND opted_out_ms IS NOT NULL"));
    SqlUtil::bindAll(query, {uuid});
    if (!execOrFail(query, error))
        return false;
    *optedOut = query.next();
    query.finish();
    return true;
}

bool scanProfiles(QSqlDatabase db, qint64 nowMs, const ProfileVisitor &visit, QString *error)
{
    QSqlQuery realizations(db);
    QSqlQuery memberships(db);
    realizations.setForwardOnly(true);
    memberships.setForwardOnly(true);
    if (!SqlUtil::run(realizations,
                      QStringLiteral("SELECT uuid, trait_sid, ts_ms, expires_ms "
                                     "FROM trait_realizations "
                                     "WHERE expires_ms IS NULL OR expires_ms > ? "
                                     "ORDER BY uuid, trait_sid, ts_ms"),
                      {nowMs}, error)
        || !SqlUtil::run(memberships,
                         QStringLiteral("SELECT uuid, segment_sid, since_ms FROM memberships "
                                        "ORDER BY uuid, segment_sid"),
                         {}, error))
        return false;

    // A merge of two streams sorted by uuid: one visitor's rows at a time in memory.
    bool realizationRow = realizations.next();
    bool membershipRow = memberships.next();
    VisitorProfile profile;
    while (realizationRow || membershipRow) {
        QString uuid;
        if (realizationRow)
            uuid = realizations.value(0).toString();
        if (membershipRow) {
            const QString other = memberships.value(0).toString();
            if (!realizationRow || other < uuid)
                uuid = other;
        }
        profile.realizations.clear();
        profile.memberships.clear();
        while (realizationRow && realizations.value(0).toString() == uuid) {
            profile.realizations.append(
                {realizations.value(1).toLongLong(),
                 Realization{realizations.value(2).toLongLong(), expiresFrom(realizations, 3)}});
            realizationRow = realizations.next();
        }
        while (membershipRow && memberships.value(0).toString() == uuid) {
            profile.memberships.append({memberships.value(1).toLongLong(),
                                        memberships.value(2).toLongLong()});
            membershipRow = memberships.next();
        }
        if (!visit(uuid, profile))
            break;
    }
    const bool failed = realizations.lastError().isValid() || memberships.lastError().isValid();
    if (failed && error)
        *error = realizations.lastError().isValid() ? queryError(realizations)
                                                    : queryError(memberships);
    realizations.finish();
    memberships.finish();
    return !failed;
}

} // namespace RealizationStore
} // namespace Dcs
