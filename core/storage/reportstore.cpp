#include "reportstore.h"

#include "rules/realization.h"
#include "sqlutil.h"

#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace Dcs::ReportStore {

namespace {

qint64 windowStartMs(qint64 nowMs, int days)
{
    return nowMs - qint64(days) * MsPerDay;
}

qint64 utcDayStartMs(qint64 ms)
{
    const qint64 day = ms / MsPerDay - (ms % MsPerDay < 0 ? 1 : 0);
    return day * MsPerDay;
}

} // namespace

bool traitReport(QSqlDatabase db, const QList<qint64> &traitSids, qint64 nowMs,
                 TraitReport *report, QString *error)
{
    *report = TraitReport();
    for (const int days : ReportWindowDays)
        report->windows.append({days, 0, 0});
    if (traitSids.isEmpty())
        return true;

    // Population needs every realization still counting, however old; the windows are
    // conditional aggregates over the same index range, so the trait's rows are read once.
    QString sql = QStringLiteral(
        "SELECT COUNT(DISTINCT CASE WHEN expires_ms IS NULL OR expires_ms > ? THEN uuid END)");
    QVariantList values{nowMs};
    for (const int days : ReportWindowDays) {
        sql += QStringLiteral(", COUNT(DISTINCT CASE WHEN ts_ms >= ? THEN uuid END)"
                              ", COUNT(CASE WHEN ts_ms >= ? THEN 1 END)");
        values << windowStartMs(nowMs, days) << windowStartMs(nowMs, days);
    }
    QStringList placeholders;
    for (const qint64 sid : traitSids) {
        placeholders.append(QStringLiteral("?"));
        values.append(sid);
    }
    sql += QStringLiteral(" FROM trait_realizations WHERE trait_sid IN (%1) AND ts_ms <= ?")
               .arg(placeholders.join(u','));
    values.append(nowMs);

    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!SqlUtil::run(query, sql, values, error))
        return false;
    if (query.next()) {
        report->populationNow = query.value(0).toLongLong();
        for (qsizetype i = 0; i < report->windows.size(); ++i) {
            report->windows[i].uniqueVisitors = query.value(int(1 + 2 * i)).toLongLong();
            report->windows[i].realizations = query.value(int(2 + 2 * i)).toLongLong();
        }
    }
    return true;
}

bool segmentReport(QSqlDatabase db, qint64 segmentSid, qint64 nowMs, SegmentReport *report,
                   QString *error)
{
    *report = SegmentReport();
    // Current members enter as rows with member = 1: held now, so in every window.
    QString sql = QStringLiteral("SELECT COUNT(CASE WHEN member = 1 THEN 1 END)");
    QVariantList values;
    for (const int days : ReportWindowDays) {
        sql += QStringLiteral(
            ", COUNT(DISTINCT CASE WHEN member = 1 OR (change = 'join' AND ts_ms >= ?) "
            "OR (change = 'leave' AND ts_ms > ?) THEN uuid END)");
        values << windowStartMs(nowMs, days) << windowStartMs(nowMs, days);
    }
    const int longest = ReportWindowDays.back();
    sql += QStringLiteral(
        " FROM (SELECT uuid, ts_ms, change, 0 AS member FROM membership_changes "
        "WHERE segment_sid = ? AND ts_ms >= ? AND ts_ms <= ? "
        "UNION ALL SELECT uuid, since_ms, 'join', 1 FROM memberships WHERE segment_sid = ?)");
    values << segmentSid << windowStartMs(nowMs, longest) << nowMs << segmentSid;

    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!SqlUtil::run(query, sql, values, error))
        return false;
    if (!query.next())
        return true;
    report->populationNow = query.value(0).toLongLong();
    for (qsizetype i = 0; i < qsizetype(ReportWindowDays.size()); ++i)
        report->windows.append({ReportWindowDays.at(size_t(i)),
                                query.value(int(1 + i)).toLongLong()});
    return true;
}

bool segmentDailyChanges(QSqlDatabase db, qint64 segmentSid, qint64 nowMs, int days,
                         QList<SegmentDayChanges> *changes, QString *error)
{
    changes->clear();
    if (days < 1)
        return true;
    const qint64 firstDayMs = utcDayStartMs(nowMs) - qint64(days - 1) * MsPerDay;
    for (int i = 0; i < days; ++i)
        changes->append({firstDayMs + qint64(i) * MsPerDay, 0, 0});

    // Day index relative to the first day: ts_ms >= firstDayMs, so integer division floors.
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!SqlUtil::run(query,
                      QStringLiteral(
                          "SELECT (ts_ms - ?) / ?, COUNT(CASE WHEN change = 'join' THEN 1 END), "
                          "COUNT(CASE WHEN change = 'leave' THEN 1 END) "
                          "FROM membership_changes "
                          "WHERE segment_sid = ? AND ts_ms >= ? AND ts_ms <= ? GROUP BY 1"),
                      {firstDayMs, MsPerDay, segmentSid, firstDayMs, nowMs}, error))
        return false;
    while (query.next()) {
        const qint64 index = query.value(0).toLongLong();
        if (index < 0 || index >= days)
            continue;
        (*changes)[index].adds = query.value(1).toLongLong();
        (*changes)[index].drops = query.value(2).toLongLong();
    }
    return true;
}

} // namespace Dcs::ReportStore
