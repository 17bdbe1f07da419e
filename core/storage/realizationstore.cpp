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

PreparedQualification PreparedQualification::from(const QString &uuid,
                                                   const Qualification &qualification)
{
    PreparedQualification prepared;
    prepared.uuid = uuid.toUtf8();
    prepared.tid = qualification.tid.toUtf8();
    prepared.realizations.reserve(qualification.realizations.size());
    for (const NewRealization &realization : qualification.realizations)
        prepared.realizations.append(Row{realization.traitSid, realization.realization.timeMs,
                                         realization.realization.expiresMs,
                                         realization.replacesEarlier,
                                         realizationOriginName(realization.origin).toUtf8(),
                                         realization.detailUtf8()});
    prepared.changes.reserve(qualification.changes.size());
    for (const MembershipChange &change : qualification.changes)
        prepared.changes.append(Change{change.segmentSid, change.atMs,
                                       change.kind == MembershipChange::Kind::Join,
                                       change.cause.toUtf8()});
    return prepared;
}

bool writeQualification(WriteContext &context, const QString &uuid,
                        const Qualification &qualification, QString *error)
{
    return write(context, PreparedQualification::from(uuid, qualification), error);
}

bool write(WriteContext &context, const PreparedQualification &prepared, QString *error)
{
    for (const PreparedQualification::Row &row : prepared.realizations) {
        if (row.replacesEarlier) {
            Sqlite::Statement &remove = context.sqliteStatement(
                "DELETE FROM trait_realizations WHERE uuid = ? AND trait_sid = ?");
            remove.bind(1, QByteArrayView(prepared.uuid));
            remove.bind(2, row.traitSid);
            if (!remove.step(error))
                return false;
        }
        // Selecting the trait's own row inserts nothing if the trait was deleted meanwhile.
        Sqlite::Statement &insert = context.sqliteStatement(
            "INSERT INTO trait_realizations "
            "(uuid, trait_sid, ts_ms, expires_ms, source, tid, detail) "
            "SELECT ?, sid, ?, ?, ?, ?, ? FROM traits WHERE sid = ?");
        insert.bind(1, QByteArrayView(prepared.uuid));
        insert.bind(2, row.timeMs);
        // NULL is "never": no sentinel number that a PostgreSQL BIGINT or a report must know.
        if (row.expiresMs == Realization::Never)
            insert.bindNull(3);
        else
            insert.bind(3, row.expiresMs);
        insert.bind(4, QByteArrayView(row.origin));
        insert.bind(5, QByteArrayView(prepared.tid));
        insert.bind(6, QByteArrayView(row.detail));
        insert.bind(7, row.traitSid);
        if (!insert.step(error))
            return false;
    }

    for (const PreparedQualification::Change &change : prepared.changes) {
        Sqlite::Statement &apply = change.join
            ? context.sqliteStatement("INSERT INTO memberships (uuid, segment_sid, since_ms) "
                                      "SELECT ?, sid, ? FROM segments WHERE sid = ? "
                                      "ON CONFLICT (uuid, segment_sid) DO NOTHING")
            : context.sqliteStatement(
                  "DELETE FROM memberships WHERE uuid = ? AND segment_sid = ?");
        apply.bind(1, QByteArrayView(prepared.uuid));
        if (change.join) {
            apply.bind(2, change.atMs);
            apply.bind(3, change.segmentSid);
        } else {
            apply.bind(2, change.segmentSid);
        }
        if (!apply.step(error))
            return false;
        if (apply.changes() <= 0)
            continue; // already as wanted: another evaluation recorded this change
        Sqlite::Statement &record = context.sqliteStatement(
            "INSERT INTO membership_changes (uuid, segment_sid, ts_ms, change, cause) "
            "VALUES (?, ?, ?, ?, ?)");
        record.bind(1, QByteArrayView(prepared.uuid));
        record.bind(2, change.segmentSid);
        record.bind(3, change.atMs);
        record.bind(4, change.join ? QByteArrayView("join") : QByteArrayView("leave"));
        record.bind(5, QByteArrayView(change.cause));
        if (!record.step(error))
            return false;
    }
    return true;
}

bool removeRealizations(WriteContext &context, const QString &uuid,
                        const QList<qint64> &traitSids, qint64 nowMs, QString *error,
                        qint64 *removedCount)
{
    if (removedCount)
        *removedCount = 0;
    if (traitSids.isEmpty())
        return true;
    const QByteArray uuidUtf8 = uuid.toUtf8();
    // One statement per sid, prepared once per writer: a list of sids would need SQL text of
    // its own per length, and these lists are short.
    Sqlite::Statement &remove = context.sqliteStatement(
        "DELETE FROM trait_realizations WHERE uuid = ? AND trait_sid = ? AND ts_ms <= ?");
    for (const qint64 sid : traitSids) {
        remove.bind(1, QByteArrayView(uuidUtf8));
        remove.bind(2, sid);
        remove.bind(3, nowMs);
        if (!remove.step(error))
            return false;
        if (removedCount)
            *removedCount += remove.changes();
    }
    return true;
}

bool hasRealization(WriteContext &context, const QString &uuid, qint64 traitSid,
                    RealizationOrigin origin, const QString &tid, bool *found, QString *error)
{
    QSqlQuery &query = context.prepared(QStringLiteral(
        "SELECT 1 FROM trait_realizations "
        "WHERE uuid = ? AND trait_sid = ? AND source = ? AND tid = ? LIMIT 1"));
    SqlUtil::bindAll(query, {uuid, traitSid, realizationOriginName(origin), tid});
    if (!execOrFail(query, error))
        return false;
    *found = query.next();
    query.finish();
    return true;
}

bool storePartnerCodes(WriteContext &context, const QString &uuid, qint64 dpid,
                       const QStringList &codes, qint64 nowMs, qint64 expiresMs, QString *error)
{
    const QByteArray uuidUtf8 = uuid.toUtf8();
    Sqlite::Statement &upsert = context.sqliteStatement(
        "INSERT INTO partner_codes (uuid, dpid, code, first_seen_ms, last_seen_ms, expires_ms) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uuid, dpid, code) DO UPDATE SET "
        "last_seen_ms = excluded.last_seen_ms, expires_ms = excluded.expires_ms");
    for (const QString &code : codes) {
        const QByteArray codeUtf8 = code.toUtf8();
        upsert.bind(1, QByteArrayView(uuidUtf8));
        upsert.bind(2, dpid);
        upsert.bind(3, QByteArrayView(codeUtf8));
        upsert.bind(4, nowMs);
        upsert.bind(5, nowMs);
        if (expiresMs == Realization::Never)
            upsert.bindNull(6);
        else
            upsert.bind(6, expiresMs);
        if (!upsert.step(error))
            return false;
    }
    return true;
}

bool removePartnerCodes(WriteContext &context, const QString &uuid, qint64 dpid,
                        const QStringList &codes, QString *error)
{
    const QByteArray uuidUtf8 = uuid.toUtf8();
    Sqlite::Statement &remove = context.sqliteStatement(
        "DELETE FROM partner_codes WHERE uuid = ? AND dpid = ? AND code = ?");
    for (const QString &code : codes) {
        const QByteArray codeUtf8 = code.toUtf8();
        remove.bind(1, QByteArrayView(uuidUtf8));
        remove.bind(2, dpid);
        remove.bind(3, QByteArrayView(codeUtf8));
        if (!remove.step(error))
            return false;
    }
    return true;
}

bool forgetPartnerCodes(WriteContext &context, const QString &uuid, qint64 dpid,
                        qint64 seenBeforeMs, QString *error)
{
    const QByteArray uuidUtf8 = uuid.toUtf8();
    Sqlite::Statement &remove = context.sqliteStatement(
        "DELETE FROM partner_codes WHERE uuid = ? AND dpid = ? AND last_seen_ms < ?");
    remove.bind(1, QByteArrayView(uuidUtf8));
    remove.bind(2, dpid);
    remove.bind(3, seenBeforeMs);
    return remove.step(error);
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
