#include "partnertraffic.h"

#include "sqlutil.h"

#include <QHash>
#include <QMap>
#include <QSqlQuery>

#include <algorithm>
#include <cmath>

namespace Dcs::PartnerTraffic {

namespace {

// The outcomes where no request was sent, as SQL text for NOT IN (transferOutcomeNotCalled).
QString notCalledList()
{
    QStringList names;
    for (int i = 0; i < TransferOutcomeCount; ++i) {
        const auto outcome = TransferOutcome(i);
        if (transferOutcomeNotCalled(outcome))
            names.append(QLatin1Char('\'') + transferOutcomeName(outcome) + QLatin1Char('\''));
    }
    return names.join(QLatin1Char(','));
}

// One group's figures while the queries come in: the histogram and code counts are kept until
// the percentiles and the code list can be worked out.
struct Accumulator
{
    PartnerFigures figures;
    QMap<qint64, quint64> latencyBins; // bin (total_us / LatencyBinUs) -> called attempts
    QHash<QString, CodeCount> codes;
};

using Groups = QMap<qint64, Accumulator>; // by partner id (0 when not grouped by partner)

// The queries of one answer read one snapshot of the log (a read transaction: WAL keeps it
// stable), so rows written meanwhile cannot make the shadow partner's events disagree with the
// live partners' ones.
class ReadSnapshot
{
public:
    explicit ReadSnapshot(QSqlDatabase db) : m_db(std::move(db)), m_open(m_db.transaction()) {}
    ~ReadSnapshot()
    {
        if (m_open)
            m_db.rollback(); // nothing was written: ending it is all that is needed
    }
    Q_DISABLE_COPY_MOVE(ReadSnapshot)

private:
    QSqlDatabase m_db;
    const bool m_open;
};

qint64 percentileOf(const QMap<qint64, quint64> &bins, quint64 total, double quantile)
{
    if (total == 0)
        return 0;
    // Nearest rank: the smallest value with at least quantile × total values at or below it.
    const auto rank = quint64(std::max(1.0, std::ceil(quantile * double(total))));
    quint64 seen = 0;
    for (auto it = bins.cbegin(); it != bins.cend(); ++it) {
        seen += it.value();
        if (seen >= rank)
            return it.key() * LatencyBinUs;
    }
    return bins.isEmpty() ? 0 : bins.lastKey() * LatencyBinUs;
}

// Runs the aggregate queries over the transfers rows `condition` selects (a WHERE clause on
// alias t, with `values` bound in order) and adds them to `groups`, one per partner or, when
// !byPartner, all in group 0.
bool collect(QSqlDatabase db, const QString &condition, const QVariantList &values,
             bool byPartner, Groups &groups, QString *error)
{
    // Not grouped: a constant key column and no GROUP BY term for it (a constant GROUP BY term
    // is a column number in SQLite and an error in PostgreSQL).
    const QString key = byPartner ? QStringLiteral("t.partner_id") : QStringLiteral("0");
    const QString groupBy = byPartner ? QStringLiteral(" GROUP BY t.partner_id, ")
                                      : QStringLiteral(" GROUP BY ");
    const QString where = QStringLiteral(" FROM transfers t WHERE ") + condition;
    const QString notCalled = notCalledList();

    QSqlQuery outcomes(db);
    if (!SqlUtil::run(outcomes,
                      QStringLiteral("SELECT %1, t.outcome, COUNT(*), "
                                     "SUM(CASE WHEN t.total_us <= t.budget_ms * 1000 "
                                     "THEN 1 ELSE 0 END), "
                                     "MAX(t.deadline_ms), MAX(t.total_us), MAX(t.dpid)")
                              .arg(key)
                          + where + groupBy + QStringLiteral("t.outcome"),
                      values, error))
        return false;
    while (outcomes.next()) {
        const auto outcome = transferOutcomeFromName(outcomes.value(1).toString());
        if (!outcome)
            continue; // written by a newer program: not counted rather than misfiled
        PartnerFigures &figures = groups[outcomes.value(0).toLongLong()].figures;
        figures.partnerId = outcomes.value(0).toLongLong();
        const auto count = quint64(outcomes.value(2).toLongLong());
        figures.outcomes[size_t(*outcome)] += count;
        figures.attempts += count;
        figures.deadlineMs = std::max(figures.deadlineMs, outcomes.value(4).toInt());
        if (figures.dpid == 0)
            figures.dpid = outcomes.value(6).toLongLong();
        if (!transferOutcomeNotCalled(*outcome)) {
            figures.called += count;
            figures.latency.measured += count;
            figures.latency.withinBudget += quint64(outcomes.value(3).toLongLong());
            figures.latency.maxUs = std::max(figures.latency.maxUs,
                                             outcomes.value(5).toLongLong());
        }
    }

    QSqlQuery events(db);
    if (!SqlUtil::run(events,
                      QStringLiteral("SELECT %1, COUNT(DISTINCT t.event_id)").arg(key) + where
                          + (byPartner ? QStringLiteral(" GROUP BY t.partner_id") : QString()),
                      values, error))
        return false;
    while (events.next()) {
        const auto found = groups.find(events.value(0).toLongLong());
        if (found != groups.end())
            found->figures.events = quint64(events.value(1).toLongLong());
    }

    QSqlQuery latency(db);
    if (!SqlUtil::run(latency,
                      QStringLiteral("SELECT %1, t.total_us / %2, COUNT(*)")
                              .arg(key)
                              .arg(LatencyBinUs)
                          + where
                          + QStringLiteral(" AND t.outcome NOT IN (%1)").arg(notCalled) + groupBy
                          + QStringLiteral("t.total_us / %1").arg(LatencyBinUs),
                      values, error))
        return false;
    while (latency.next()) {
        const auto found = groups.find(latency.value(0).toLongLong());
        if (found != groups.end())
            found->latencyBins[latency.value(1).toLongLong()] += latency.value(2).toLongLong();
    }

    // Identical answers are counted by SQL, so only the distinct ones are parsed here.
    QSqlQuery codes(db);
    if (!SqlUtil::run(codes,
                      QStringLiteral("SELECT %1, t.codes, t.unmapped_codes, COUNT(*)").arg(key)
                          + where
                          + QStringLiteral(" AND t.codes <> '[]'") + groupBy
                          + QStringLiteral("t.codes, t.unmapped_codes"),
                      values, error))
        return false;
    while (codes.next()) {
        const auto found = groups.find(codes.value(0).toLongLong());
        if (found == groups.end())
            continue;
        const auto times = quint64(codes.value(3).toLongLong());
        QStringList unmapped;
        for (const QJsonValue &code : SqlUtil::parseArray(codes.value(2)))
            unmapped.append(code.toString());
        for (const QJsonValue &value : SqlUtil::parseArray(codes.value(1))) {
            const QString code = value.toString();
            CodeCount &entry = found->codes[code];
            entry.code = code;
            entry.count += times;
            found->figures.codesReceived += times;
            if (unmapped.contains(code)) {
                entry.unmappedCount += times;
                found->figures.unmappedCodesReceived += times;
            }
        }
    }
    return true;
}

void finish(Accumulator &group)
{
    LatencySummary &latency = group.figures.latency;
    latency.p50Us = percentileOf(group.latencyBins, latency.measured, 0.50);
    latency.p95Us = percentileOf(group.latencyBins, latency.measured, 0.95);
    latency.p99Us = percentileOf(group.latencyBins, latency.measured, 0.99);
}

bool addNames(QSqlDatabase db, QList<PartnerFigures> &figures, QString *error)
{
    QSqlQuery names(db);
    if (!SqlUtil::run(names, QStringLiteral("SELECT id, dpid, name FROM partners"), {}, error))
        return false;
    QHash<qint64, std::pair<qint64, QString>> byId;
    while (names.next())
        byId.insert(names.value(0).toLongLong(),
                    {names.value(1).toLongLong(), names.value(2).toString()});
    for (PartnerFigures &partner : figures) {
        const auto found = byId.constFind(partner.partnerId);
        if (found != byId.cend()) {
            partner.dpid = found->first;
            partner.name = found->second;
        }
    }
    std::sort(figures.begin(), figures.end(),
              [](const PartnerFigures &a, const PartnerFigures &b) {
                  return a.dpid != b.dpid ? a.dpid < b.dpid : a.partnerId < b.partnerId;
              });
    return true;
}

QList<PartnerFigures> finishAll(Groups &groups)
{
    QList<PartnerFigures> result;
    for (Accumulator &group : groups) {
        finish(group);
        result.append(group.figures);
    }
    return result;
}

} // namespace

std::optional<double> LatencySummary::withinBudgetPercent() const
{
    if (measured == 0)
        return std::nullopt;
    return 100.0 * double(withinBudget) / double(measured);
}

quint64 PartnerFigures::answeredInTime() const
{
    return count(TransferOutcome::Ok) + count(TransferOutcome::Empty);
}

quint64 PartnerFigures::failures() const
{
    quint64 total = 0;
    for (int i = 0; i < TransferOutcomeCount; ++i) {
        if (transferOutcomeIsFailure(TransferOutcome(i)))
            total += outcomes[size_t(i)];
    }
    return total;
}

quint64 PartnerFigures::errors() const
{
    return count(TransferOutcome::HttpError) + count(TransferOutcome::BadAnswer)
           + count(TransferOutcome::NetworkError);
}

std::optional<double> PartnerFigures::successPercent() const
{
    if (called == 0)
        return std::nullopt;
    return 100.0 * double(answeredInTime()) / double(called);
}

QList<PartnerFigures> summaries(QSqlDatabase db, qint64 fromMs, qint64 untilMs, QString *error)
{
    const ReadSnapshot snapshot(db);
    Groups groups;
    if (!collect(db,
                 QStringLiteral("t.ts_ms >= ? AND t.ts_ms < ? AND t.test_run_id IS NULL "
                                "AND t.partner_id IS NOT NULL"),
                 {fromMs, untilMs}, true, groups, error))
        return {};
    QList<PartnerFigures> result = finishAll(groups);
    if (!addNames(db, result, error))
        return {};
    return result;
}

std::optional<ShadowResults> shadowResults(QSqlDatabase db, qint64 partnerId, qint64 fromMs,
                                           qint64 untilMs, QString *error)
{
    const ReadSnapshot snapshot(db);
    ShadowResults results;
    results.fromMs = fromMs;
    results.untilMs = untilMs;

    const QString shadowRows = QStringLiteral(
        "%1.partner_id = ? AND %1.shadow = 1 AND %1.ts_ms >= ? AND %1.ts_ms < ? "
        "AND %1.test_run_id IS NULL");
    const QVariantList shadowValues = {partnerId, fromMs, untilMs};

    Groups shadow;
    if (!collect(db, shadowRows.arg(QLatin1Char('t')), shadowValues, true, shadow, error))
        return std::nullopt;
    if (auto found = shadow.find(partnerId); found != shadow.end()) {
        finish(*found);
        results.shadow = found->figures;
        results.codes = found->codes.values();
        std::sort(results.codes.begin(), results.codes.end(),
                  [](const CodeCount &a, const CodeCount &b) {
                      return a.count != b.count ? a.count > b.count : a.code < b.code;
                  });
    }
    results.shadow.partnerId = partnerId;

    QSqlQuery visitors(db);
    if (!SqlUtil::run(visitors,
                      QStringLiteral("SELECT COUNT(DISTINCT t.uuid) FROM transfers t WHERE ")
                          + shadowRows.arg(QLatin1Char('t'))
                          + QStringLiteral(" AND t.codes <> '[]'"),
                      shadowValues, error))
        return std::nullopt;
    if (visitors.next())
        results.visitorsWithCodes = quint64(visitors.value(0).toLongLong());

    // The live partners' attempts on the events the shadow partner was called for.
    const QString liveRows = QStringLiteral(
        "t.shadow = 0 AND t.test_run_id IS NULL AND t.partner_id IS NOT NULL "
        "AND t.partner_id <> ? AND t.event_id IN (SELECT s.event_id FROM transfers s WHERE ")
                             + shadowRows.arg(QLatin1Char('s'))
                             + QStringLiteral(" AND s.event_id IS NOT NULL)");
    const QVariantList liveValues = QVariantList{partnerId} + shadowValues;
    Groups live;
    if (!collect(db, liveRows, liveValues, true, live, error))
        return std::nullopt;
    results.live = finishAll(live);
    Groups combined;
    if (!collect(db, liveRows, liveValues, false, combined, error))
        return std::nullopt;
    if (auto found = combined.find(0); found != combined.end()) {
        finish(*found);
        results.liveCombined = found->figures;
    }
    results.liveCombined.partnerId = 0;
    results.liveCombined.dpid = 0;

    QList<PartnerFigures> named = {results.shadow};
    if (!addNames(db, named, error) || !addNames(db, results.live, error))
        return std::nullopt;
    results.shadow = named.first();
    return results;
}

bool codePopulations(QSqlDatabase db, qint64 dpid, qint64 nowMs, QList<CodePopulation> *codes,
                     QString *error)
{
    codes->clear();
    QSqlQuery query(db);
    query.setForwardOnly(true);
    // (uuid, dpid, code) is the key: count(*) counts visitors.
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT code, count(*) AS visitors FROM partner_codes "
                                     "WHERE dpid = ? AND (expires_ms IS NULL OR expires_ms > ?) "
                                     "GROUP BY code ORDER BY visitors DESC, code"),
                      {dpid, nowMs}, error))
        return false;
    while (query.next())
        codes->append({query.value(0).toString(), query.value(1).toLongLong()});
    return true;
}

} // namespace Dcs::PartnerTraffic
