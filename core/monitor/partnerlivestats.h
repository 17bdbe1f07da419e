#pragma once

#include "transfer/transferrecord.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <array>
#include <memory>
#include <optional>

namespace Dcs {

// A partner's circuit breaker as the monitor shows it (partner-protocol.md, "Protection").
enum class PartnerBreakerState : quint8 { Closed, Open, HalfOpen };
// "closed", "open", "half-open".
QLatin1StringView partnerBreakerStateName(PartnerBreakerState state);

// One partner's row of the GUI's health strip, computed by PartnerLiveStats::snapshot(nowMs).
//
// Windows, in whole seconds of the wall clock (nowSecond = floor(nowMs / 1000)):
// - rates use complete seconds only, so they do not dip while the current second fills:
//   "last 1 s" is second nowSecond - 1, "last 10 s" is seconds nowSecond - 10 .. nowSecond - 1;
// - the 60 s window is seconds nowSecond - 59 .. nowSecond: it includes the current second so
//   that a fresh timeout shows at once.
// "Called" attempts are those where a request was sent: every outcome except skipped,
// circuit-open, rate-limited and no-id-sync (transferOutcomeNotCalled()).
struct PartnerLiveSnapshot
{
    qint64 partnerId = 0;
    qint64 dpid = 0;
    QString name;

    double callsPerSecond1s = 0;  // called attempts in the last complete second
    double callsPerSecond10s = 0; // called attempts in the last 10 complete seconds, / 10

    std::array<quint64, TransferOutcomeCount> outcomes60s{};   // attempts by outcome, 60 s window
    std::array<quint64, TransferOutcomeCount> outcomesTotal{}; // since the partner appeared
    quint64 attempts60s = 0; // every outcome
    quint64 called60s = 0;   // called attempts
    // 100 × (ok + empty) / called60s: the share of requests sent that were answered in time
    // with a valid answer. Timeouts, late answers, HTTP, answer and network errors count against
    // it; attempts that were not called count neither way. Empty when called60s is 0.
    std::optional<double> successPercent60s;

    // Latency (TransferRecord::totalUs) of the called attempts in the 60 s window, at the
    // precision of LatencyBins (within 1.6%); 0 when there were none. Timeouts count at the time
    // they took, so a partner that times out shows its timeout as its p99.
    double p50Us = 0;
    double p95Us = 0;
    double p99Us = 0;

    int inFlight = 0;

    PartnerBreakerState breakerState = PartnerBreakerState::Closed;
    bool breakerForced = false; // an admin forced the state
    QString breakerReason;      // why it last changed
    qint64 breakerSinceMs = 0;  // when it last changed (0: never reported)

    quint64 count60s(TransferOutcome outcome) const { return outcomes60s[size_t(outcome)]; }
    quint64 countTotal(TransferOutcome outcome) const { return outcomesTotal[size_t(outcome)]; }
};

// Per-partner live statistics for the health strip, written by the engine's threads and read by
// the GUI's timer. Each partner keeps a ring of 64 per-second buckets (outcome counts and a
// LatencyBins histogram of atomics) plus totals since it appeared: memory is fixed per partner
// (about 180 KiB) whatever the traffic, and a snapshot sums at most 60 buckets.
//
// The engine's path is lock-free but for two short mutexes: the registry's, held for one hash
// lookup (also taken by the GUI only to list the partners), and, once per partner and second,
// the partner's rollover mutex while the first writer of a new second clears its bucket.
// Snapshots read the atomics without any lock and drop a bucket that was recycled mid-read.
//
// Partners appear with their first report of any kind and stay until removePartner().
class PartnerLiveStats
{
public:
    PartnerLiveStats();
    ~PartnerLiveStats();
    Q_DISABLE_COPY_MOVE(PartnerLiveStats)

    // One attempt, counted in the second of nowMs (when its outcome became known). dpid and name
    // update the partner's when they differ.
    void recordAttempt(qint64 partnerId, qint64 dpid, const QString &name,
                       TransferOutcome outcome, qint64 totalUs, qint64 nowMs);

    void incrementInFlight(qint64 partnerId);
    void decrementInFlight(qint64 partnerId);
    void setInFlight(qint64 partnerId, int count);

    void setBreakerState(qint64 partnerId, PartnerBreakerState state, bool forced,
                         const QString &reason, qint64 sinceMs);

    void removePartner(qint64 partnerId);
    QList<qint64> partnerIds() const;

    // Every partner, by ascending partnerId.
    QList<PartnerLiveSnapshot> snapshot(qint64 nowMs) const;

private:
    struct Partner; // counters, in the .cpp
    struct Identity
    {
        qint64 dpid;
        const QString &name;
    };

    // Finds or creates the partner; with `identity`, also updates its dpid and name.
    std::shared_ptr<Partner> partner(qint64 partnerId, const Identity *identity = nullptr);

    // Guards the map and each partner's descriptive fields (dpid, name, breaker): never held
    // while counting or summing.
    mutable QMutex m_mutex;
    QHash<qint64, std::shared_ptr<Partner>> m_partners;
};

} // namespace Dcs
