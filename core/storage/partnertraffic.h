#pragma once

#include "transfer/transferrecord.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <array>
#include <optional>

namespace Dcs {

// What the transfer log says about partners' live traffic over a time range: the partners
// page's last-hour numbers and a shadow partner's results against the live partners. Onboarding
// test calls (test_run_id set) never count. Reads only, on the caller's connection: run it off
// the GUI thread.
//
// Aggregation happens in SQL (portable: GROUP BY, CASE, integer division), so the rows read
// back are counts, not attempts: latencies as a histogram of 100 µs bins, codes as the distinct
// answers with how often each came.
namespace PartnerTraffic {

// The width of a latency bin: percentiles are bin lower edges, within this of the true value.
inline constexpr qint64 LatencyBinUs = 100;

struct LatencySummary
{
    quint64 measured = 0; // called attempts (a request was sent)
    qint64 p50Us = 0;
    qint64 p95Us = 0;
    qint64 p99Us = 0;
    qint64 maxUs = 0;
    // Called attempts that took no longer than the budget they were given (tmax).
    quint64 withinBudget = 0;

    std::optional<double> withinBudgetPercent() const;
};

// One partner's figures over a range.
struct PartnerFigures
{
    qint64 partnerId = 0;
    qint64 dpid = 0;
    QString name; // empty when the partner no longer exists
    std::array<quint64, TransferOutcomeCount> outcomes{};
    quint64 attempts = 0; // every outcome
    quint64 called = 0;   // a request was sent (not transferOutcomeNotCalled)
    quint64 events = 0;   // distinct /event calls it was planned for
    quint64 codesReceived = 0;
    quint64 unmappedCodesReceived = 0;
    // The largest deadline of these calls, ms: what latency is measured against.
    int deadlineMs = 0;
    LatencySummary latency;

    quint64 count(TransferOutcome outcome) const { return outcomes[size_t(outcome)]; }
    // ok + empty: a usable answer before the deadline.
    quint64 answeredInTime() const;
    // timeout + late + http-error + bad-answer + network-error (transferOutcomeIsFailure).
    quint64 failures() const;
    // http-error + bad-answer + network-error: failures that were not about time.
    quint64 errors() const;
    quint64 notCalled() const { return attempts - called; }
    // 100 × answeredInTime / called, as PartnerLiveSnapshot::successPercent60s; empty when
    // nothing was called.
    std::optional<double> successPercent() const;
};

// Every partner with live or shadow traffic in [fromMs, untilMs), by DPID. `events` is filled.
QList<PartnerFigures> summaries(QSqlDatabase db, qint64 fromMs, qint64 untilMs, QString *error);

// One segment code a partner sent, and how often.
struct CodeCount
{
    QString code;
    quint64 count = 0;
    quint64 unmappedCount = 0; // answers in which it had no onboarded trait

    bool mapped() const { return unmappedCount == 0; }
    friend bool operator==(const CodeCount &, const CodeCount &) = default;
};

// What a shadow partner would have added on real traffic (partner-protocol.md: "shadow runs it
// on the real traffic without applying its answers"), and the live partners over the same events.
struct ShadowResults
{
    qint64 fromMs = 0;
    qint64 untilMs = 0;
    PartnerFigures shadow;         // the partner's shadow attempts only
    QList<CodeCount> codes;        // most frequent first, then by code
    QList<PartnerFigures> live;    // live attempts of other partners on the same events, by DPID
    PartnerFigures liveCombined;   // those together (partnerId 0), for one comparison line
    quint64 visitorsWithCodes = 0; // distinct visitors the partner sent at least one code for
};

// Reads the shadow results of `partnerId` over [fromMs, untilMs). Empty with `error` set when
// the query fails; a partner without shadow traffic gives zero figures.
std::optional<ShadowResults> shadowResults(QSqlDatabase db, qint64 partnerId, qint64 fromMs,
                                           qint64 untilMs, QString *error);

// One code a partner sent, with how many visitors carry it now (partner_codes, unexpired):
// the population an onboarded trait for the code would have at once.
struct CodePopulation
{
    QString code;
    qint64 visitors = 0;

    friend bool operator==(const CodePopulation &, const CodePopulation &) = default;
};

// Every code partner `dpid` has sent to visitors who still carry it at nowMs, most carried
// first, then by code. A scan of partner_codes (no index by code): run it off the GUI thread.
bool codePopulations(QSqlDatabase db, qint64 dpid, qint64 nowMs, QList<CodePopulation> *codes,
                     QString *error);

} // namespace PartnerTraffic
} // namespace Dcs
