#include "eventstats.h"

#include <cmath>

namespace Dcs {

int EventStats::bucketOf(qint64 latencyUs)
{
    if (latencyUs <= 1)
        return 0;
    const int bucket = int(std::floor(4.0 * std::log2(double(latencyUs))));
    return qBound(0, bucket, kBuckets - 1);
}

double EventStats::bucketUpperUs(int bucket)
{
    return std::exp2(double(bucket + 1) / 4.0);
}

void EventStats::recordAnswered(qint64 latencyUs, bool hadErrors)
{
    ++m_events;
    if (hadErrors)
        ++m_withErrors;
    m_latency[size_t(bucketOf(latencyUs))].fetch_add(1, std::memory_order_relaxed);
}

EventStats::Snapshot EventStats::snapshot() const
{
    Snapshot snapshot;
    snapshot.events = m_events.load();
    snapshot.ignored = m_ignored.load();
    snapshot.optedOut = m_optedOut.load();
    snapshot.withErrors = m_withErrors.load();
    snapshot.storeFailures = m_storeFailures.load();
    for (size_t i = 0; i < size_t(kBuckets); ++i)
        snapshot.latency[i] = m_latency[i].load(std::memory_order_relaxed);
    return snapshot;
}

EventStats::Snapshot EventStats::Snapshot::since(const Snapshot &earlier) const
{
    Snapshot delta;
    delta.events = events - earlier.events;
    delta.ignored = ignored - earlier.ignored;
    delta.optedOut = optedOut - earlier.optedOut;
    delta.withErrors = withErrors - earlier.withErrors;
    delta.storeFailures = storeFailures - earlier.storeFailures;
    for (size_t i = 0; i < size_t(kBuckets); ++i)
        delta.latency[i] = latency[i] - earlier.latency[i];
    return delta;
}

double EventStats::Snapshot::quantileUs(double q) const
{
    quint64 total = 0;
    for (quint64 count : latency)
        total += count;
    if (total == 0)
        return 0;
    const quint64 rank = quint64(std::ceil(q * double(total)));
    quint64 seen = 0;
    for (size_t i = 0; i < size_t(kBuckets); ++i) {
        seen += latency[i];
        if (seen >= std::max<quint64>(rank, 1))
            return bucketUpperUs(int(i));
    }
    return bucketUpperUs(kBuckets - 1);
}

} // namespace Dcs
