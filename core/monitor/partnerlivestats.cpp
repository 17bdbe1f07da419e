#include "partnerlivestats.h"

#include "latencyhistogram.h"

#include <algorithm>
#include <atomic>
#include <limits>

namespace Dcs {

namespace {

constexpr int kBucketCount = 64; // more than the 60 s window plus the current second
constexpr int kWindowSeconds = 60;
constexpr int kLongRateSeconds = 10;
// A bucket's `second` while it holds nothing valid (never used, or being cleared). Lower than any
// real second, so a writer seeing it takes the rollover path.
constexpr qint64 kNoSecond = std::numeric_limits<qint64>::min();

qint64 secondOf(qint64 ms)
{
    return ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
}

// Lowers (raises) `target` to `value` unless it is already lower (higher). One relaxed load when
// nothing changes, which is nearly always.
void lowerTo(std::atomic<int> &target, int value)
{
    int current = target.load(std::memory_order_relaxed);
    while (value < current
           && !target.compare_exchange_weak(current, value, std::memory_order_relaxed)) {
    }
}

void raiseTo(std::atomic<int> &target, int value)
{
    int current = target.load(std::memory_order_relaxed);
    while (value > current
           && !target.compare_exchange_weak(current, value, std::memory_order_relaxed)) {
    }
}

// One second of one partner. Writers add with relaxed atomics; the first writer of a new second
// clears it (seqlock style: `second` is kNoSecond while clearing), readers check `second` before
// and after reading and drop the bucket if it changed.
struct SecondBucket
{
    std::atomic<qint64> second{kNoSecond};
    std::array<std::atomic<quint32>, TransferOutcomeCount> outcomes{};
    // Bins outside [lowestBin, highestBin] are zero, so clearing and summing touch only the
    // range in use.
    std::atomic<int> lowestBin{LatencyBins::kCount};
    std::atomic<int> highestBin{-1};
    std::array<std::atomic<quint32>, LatencyBins::kCount> latency{};
};

// What a reader copied out of one bucket.
struct BucketCopy
{
    qint64 second = kNoSecond;
    std::array<quint32, TransferOutcomeCount> outcomes{};
    quint64 called = 0;
    int lowestBin = 0;
    int highestBin = -1;
    std::array<quint32, LatencyBins::kCount> latency; // only [lowestBin, highestBin] is set
};

} // namespace

QLatin1StringView partnerBreakerStateName(PartnerBreakerState state)
{
    switch (state) {
    case PartnerBreakerState::Closed:
        return QLatin1StringView("closed");
    case PartnerBreakerState::Open:
        return QLatin1StringView("open");
    case PartnerBreakerState::HalfOpen:
        return QLatin1StringView("half-open");
    }
    return QLatin1StringView("closed");
}

struct PartnerLiveStats::Partner
{
    // The bucket for `second`, cleared first if it held an older second; nullptr when a newer
    // second already owns it (the sample is more than a minute late: counted in totals only).
    SecondBucket *bucketFor(qint64 second);
    // Copies the bucket at `index` into `copy`; false if it was empty or recycled meanwhile.
    bool read(int index, BucketCopy &copy) const;

    std::array<SecondBucket, kBucketCount> buckets;
    std::array<std::atomic<quint64>, TransferOutcomeCount> totals{};
    std::atomic<int> inFlight{0};
    QMutex rolloverMutex; // only between writers starting the same new second

    // Guarded by PartnerLiveStats::m_mutex.
    qint64 dpid = 0;
    QString name;
    PartnerBreakerState breakerState = PartnerBreakerState::Closed;
    bool breakerForced = false;
    QString breakerReason;
    qint64 breakerSinceMs = 0;
};

SecondBucket *PartnerLiveStats::Partner::bucketFor(qint64 second)
{
    SecondBucket &bucket = buckets[size_t(second % kBucketCount + kBucketCount) % kBucketCount];
    qint64 held = bucket.second.load(std::memory_order_acquire);
    if (held == second)
        return &bucket;
    if (held > second)
        return nullptr;

    QMutexLocker lock(&rolloverMutex);
    held = bucket.second.load(std::memory_order_acquire);
    if (held == second)
        return &bucket; // another writer cleared it first
    if (held > second)
        return nullptr;
    bucket.second.store(kNoSecond, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release); // readers see kNoSecond before zeros
    for (auto &count : bucket.outcomes)
        count.store(0, std::memory_order_relaxed);
    const int highest = bucket.highestBin.load(std::memory_order_relaxed);
    for (int bin = bucket.lowestBin.load(std::memory_order_relaxed); bin <= highest; ++bin)
        bucket.latency[size_t(bin)].store(0, std::memory_order_relaxed);
    bucket.lowestBin.store(LatencyBins::kCount, std::memory_order_relaxed);
    bucket.highestBin.store(-1, std::memory_order_relaxed);
    bucket.second.store(second, std::memory_order_release);
    return &bucket;
}

bool PartnerLiveStats::Partner::read(int index, BucketCopy &copy) const
{
    const SecondBucket &bucket = buckets[size_t(index)];
    copy.second = bucket.second.load(std::memory_order_acquire);
    if (copy.second == kNoSecond)
        return false;
    copy.called = 0;
    for (int outcome = 0; outcome < TransferOutcomeCount; ++outcome) {
        const quint32 count = bucket.outcomes[size_t(outcome)].load(std::memory_order_relaxed);
        copy.outcomes[size_t(outcome)] = count;
        if (!transferOutcomeNotCalled(TransferOutcome(outcome)))
            copy.called += count;
    }
    copy.lowestBin = bucket.lowestBin.load(std::memory_order_relaxed);
    copy.highestBin = bucket.highestBin.load(std::memory_order_relaxed);
    for (int bin = copy.lowestBin; bin <= copy.highestBin; ++bin)
        copy.latency[size_t(bin)] = bucket.latency[size_t(bin)].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    return bucket.second.load(std::memory_order_relaxed) == copy.second;
}

PartnerLiveStats::PartnerLiveStats() = default;
PartnerLiveStats::~PartnerLiveStats() = default;

std::shared_ptr<PartnerLiveStats::Partner> PartnerLiveStats::partner(qint64 partnerId,
                                                                    const Identity *identity)
{
    const auto updated = [identity](const std::shared_ptr<Partner> &found) {
        if (identity && found->dpid != identity->dpid)
            found->dpid = identity->dpid;
        if (identity && found->name != identity->name)
            found->name = identity->name;
        return found;
    };
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_partners.constFind(partnerId);
        if (it != m_partners.cend())
            return updated(it.value());
    }
    // A new partner's 180 KiB are allocated and zeroed outside the lock (and, should another
    // thread have added it meanwhile, freed after the lock is released).
    auto created = std::make_shared<Partner>();
    QMutexLocker lock(&m_mutex);
    std::shared_ptr<Partner> &slot = m_partners[partnerId];
    if (!slot)
        slot = std::move(created);
    return updated(slot);
}

void PartnerLiveStats::recordAttempt(qint64 partnerId, qint64 dpid, const QString &name,
                                     TransferOutcome outcome, qint64 totalUs, qint64 nowMs)
{
    const Identity identity{dpid, name};
    const std::shared_ptr<Partner> state = partner(partnerId, &identity);
    const auto outcomeIndex = size_t(outcome);
    state->totals[outcomeIndex].fetch_add(1, std::memory_order_relaxed);
    SecondBucket *bucket = state->bucketFor(secondOf(nowMs));
    if (!bucket)
        return;
    if (!transferOutcomeNotCalled(outcome)) {
        // The range first, then the count: a reader never misses a bin it is told to skip.
        const int bin = LatencyBins::binOf(totalUs);
        lowerTo(bucket->lowestBin, bin);
        raiseTo(bucket->highestBin, bin);
        bucket->latency[size_t(bin)].fetch_add(1, std::memory_order_relaxed);
    }
    bucket->outcomes[outcomeIndex].fetch_add(1, std::memory_order_relaxed);
}

void PartnerLiveStats::incrementInFlight(qint64 partnerId)
{
    partner(partnerId)->inFlight.fetch_add(1, std::memory_order_relaxed);
}

void PartnerLiveStats::decrementInFlight(qint64 partnerId)
{
    partner(partnerId)->inFlight.fetch_sub(1, std::memory_order_relaxed);
}

void PartnerLiveStats::setInFlight(qint64 partnerId, int count)
{
    partner(partnerId)->inFlight.store(count, std::memory_order_relaxed);
}

void PartnerLiveStats::setBreakerState(qint64 partnerId, PartnerBreakerState state, bool forced,
                                       const QString &reason, qint64 sinceMs)
{
    const std::shared_ptr<Partner> target = partner(partnerId);
    QMutexLocker lock(&m_mutex);
    target->breakerState = state;
    target->breakerForced = forced;
    target->breakerReason = reason;
    target->breakerSinceMs = sinceMs;
}

void PartnerLiveStats::removePartner(qint64 partnerId)
{
    std::shared_ptr<Partner> removed;
    QMutexLocker lock(&m_mutex);
    removed = m_partners.take(partnerId);
    lock.unlock(); // the last reference frees 180 KiB: not under the lock
}

QList<qint64> PartnerLiveStats::partnerIds() const
{
    QMutexLocker lock(&m_mutex);
    QList<qint64> ids = m_partners.keys();
    lock.unlock();
    std::sort(ids.begin(), ids.end());
    return ids;
}

QList<PartnerLiveSnapshot> PartnerLiveStats::snapshot(qint64 nowMs) const
{
    // Under the lock: only the list and the descriptive fields.
    QList<std::pair<PartnerLiveSnapshot, std::shared_ptr<Partner>>> partners;
    {
        QMutexLocker lock(&m_mutex);
        partners.reserve(m_partners.size());
        for (auto it = m_partners.cbegin(); it != m_partners.cend(); ++it) {
            const Partner &state = *it.value();
            PartnerLiveSnapshot row;
            row.partnerId = it.key();
            row.dpid = state.dpid;
            row.name = state.name;
            row.breakerState = state.breakerState;
            row.breakerForced = state.breakerForced;
            row.breakerReason = state.breakerReason;
            row.breakerSinceMs = state.breakerSinceMs;
            partners.append({std::move(row), it.value()});
        }
    }
    std::sort(partners.begin(), partners.end(), [](const auto &a, const auto &b) {
        return a.first.partnerId < b.first.partnerId;
    });

    const qint64 nowSecond = secondOf(nowMs);
    // Heap, not stack: both are several KiB.
    auto copy = std::make_unique<BucketCopy>();
    auto latency = std::make_unique<LatencyHistogram>();
    QList<PartnerLiveSnapshot> rows;
    rows.reserve(partners.size());
    for (auto &[row, state] : partners) {
        latency->clear();
        quint64 calls1s = 0;
        quint64 calls10s = 0;
        for (int index = 0; index < kBucketCount; ++index) {
            if (!state->read(index, *copy))
                continue;
            const qint64 age = nowSecond - copy->second;
            if (age < 0 || age >= kWindowSeconds)
                continue;
            if (age == 1)
                calls1s += copy->called;
            if (age >= 1 && age <= kLongRateSeconds)
                calls10s += copy->called;
            for (size_t outcome = 0; outcome < size_t(TransferOutcomeCount); ++outcome)
                row.outcomes60s[outcome] += copy->outcomes[outcome];
            row.called60s += copy->called;
            for (int bin = copy->lowestBin; bin <= copy->highestBin; ++bin)
                latency->addToBin(bin, copy->latency[size_t(bin)]);
        }
        for (size_t outcome = 0; outcome < size_t(TransferOutcomeCount); ++outcome) {
            row.outcomesTotal[outcome] = state->totals[outcome].load(std::memory_order_relaxed);
            row.attempts60s += row.outcomes60s[outcome];
        }
        row.callsPerSecond1s = double(calls1s);
        row.callsPerSecond10s = double(calls10s) / kLongRateSeconds;
        if (row.called60s > 0) {
            const quint64 answered = row.count60s(TransferOutcome::Ok)
                                     + row.count60s(TransferOutcome::Empty);
            row.successPercent60s = 100.0 * double(answered) / double(row.called60s);
        }
        row.p50Us = latency->quantileUs(0.50);
        row.p95Us = latency->quantileUs(0.95);
        row.p99Us = latency->quantileUs(0.99);
        row.inFlight = std::max(0, state->inFlight.load(std::memory_order_relaxed));
        rows.append(std::move(row));
    }
    return rows;
}

} // namespace Dcs
