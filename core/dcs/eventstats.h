#pragma once

#include <QtGlobal>

#include <array>
#include <atomic>

namespace Dcs {

// Lock-free counters and a latency histogram for /event, written by every worker and read by the
// status line and the GUI. Latency buckets are quarter powers of two of microseconds (about 19%
// wide): enough for p50/p99 at a glance, with no allocation and no lock per call.
class EventStats
{
public:
    static constexpr int kBuckets = 112; // up to 2^28 us, about 4.5 minutes

    struct Snapshot
    {
        quint64 events = 0;       // answered /event calls (stored or not)
        quint64 ignored = 0;      // error 311: ignored whole
        quint64 optedOut = 0;     // error 171
        quint64 withErrors = 0;   // answered with at least one error code
        quint64 storeFailures = 0;
        std::array<quint64, kBuckets> latency{};

        // Over the calls between `earlier` and this snapshot.
        Snapshot since(const Snapshot &earlier) const;
        // Latency at quantile q (0..1) in microseconds: the upper edge of its bucket; 0 if none.
        double quantileUs(double q) const;
    };

    void recordAnswered(qint64 latencyUs, bool hadErrors);
    void recordIgnored() { ++m_ignored; }
    void recordOptedOut() { ++m_optedOut; }
    void recordStoreFailure() { ++m_storeFailures; }

    Snapshot snapshot() const;

    static int bucketOf(qint64 latencyUs);
    static double bucketUpperUs(int bucket);

private:
    std::atomic<quint64> m_events{0};
    std::atomic<quint64> m_ignored{0};
    std::atomic<quint64> m_optedOut{0};
    std::atomic<quint64> m_withErrors{0};
    std::atomic<quint64> m_storeFailures{0};
    std::array<std::atomic<quint64>, kBuckets> m_latency{};
};

} // namespace Dcs
