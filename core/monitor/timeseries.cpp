#include "timeseries.h"

#include "latencyhistogram.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace Dcs {

namespace {

constexpr int kResolutionCount = 3;
constexpr std::array<int, kResolutionCount> kPeriodSeconds{1, 5, 10};
constexpr std::array<int, kResolutionCount> kPointCounts{300, 360, 360};
constexpr qint64 kLongestWindowSeconds = 3600;
constexpr qint64 kNoSecond = std::numeric_limits<qint64>::min();
constexpr float kNoValue = std::numeric_limits<float>::quiet_NaN();

qint64 floorDiv(qint64 value, qint64 divisor)
{
    return value >= 0 ? value / divisor : (value - divisor + 1) / divisor;
}

// Index of a period in a ring of `capacity` slots.
size_t slotOf(qint64 period, int capacity)
{
    return size_t(((period % capacity) + capacity) % capacity);
}

float millisecondsAt(const LatencyHistogram &histogram, double quantile)
{
    return histogram.isEmpty() ? kNoValue : float(histogram.quantileUs(quantile) / 1000.0);
}

// What was recorded during one period (the open second, or an open 5 s or 10 s period).
struct PeriodTotals
{
    quint64 events = 0;
    LatencyHistogram eventLatency;
    std::array<quint64, TransferOutcomeCount> transfers{};
    int seconds = 0; // seconds of the period observed so far

    void merge(const PeriodTotals &other)
    {
        events += other.events;
        eventLatency.merge(other.eventLatency);
        for (size_t i = 0; i < transfers.size(); ++i)
            transfers[i] += other.transfers[i];
        seconds += other.seconds;
    }
    void clear()
    {
        events = 0;
        eventLatency.clear();
        transfers.fill(0);
        seconds = 0;
    }
};

// A closed period, as the charts read it. NaN: no sample to take a percentile of.
struct Point
{
    float eventsPerSecond = 0;
    float eventP50Ms = kNoValue;
    float eventP99Ms = kNoValue;
    std::array<float, TransferOutcomeCount> transfersPerSecond{};
};

// One resolution: the period being filled and a ring of the last closed ones.
struct Resolution
{
    int periodSeconds = 1;
    int capacity = 0;
    PeriodTotals open;
    std::vector<Point> ring;
    qint64 newestPeriod = 0; // period index (start second / periodSeconds) of the newest point
    int count = 0;           // closed periods held, the newest last: consecutive periods

    void reset()
    {
        open.clear();
        newestPeriod = 0;
        count = 0;
    }
};

// A partner's latency per period, its rings aligned slot for slot with the resolutions' rings.
struct PartnerSeries
{
    std::array<LatencyHistogram, kResolutionCount> open;
    std::array<std::vector<float>, kResolutionCount> p99Ms;

    PartnerSeries()
    {
        for (int r = 0; r < kResolutionCount; ++r)
            p99Ms[size_t(r)].assign(size_t(kPointCounts[size_t(r)]), kNoValue);
    }
    void reset()
    {
        for (auto &histogram : open)
            histogram.clear();
        for (auto &ring : p99Ms)
            std::fill(ring.begin(), ring.end(), kNoValue);
    }
};

} // namespace

struct MonitorSeries::State
{
    State()
    {
        for (int r = 0; r < kResolutionCount; ++r) {
            Resolution &resolution = resolutions[size_t(r)];
            resolution.periodSeconds = kPeriodSeconds[size_t(r)];
            resolution.capacity = kPointCounts[size_t(r)];
            resolution.ring.resize(size_t(resolution.capacity));
        }
    }

    void advanceTo(qint64 nowSecond);
    void closeOpenSecond();
    void closePeriod(int resolutionIndex, qint64 period);
    void reset();
    PartnerSeries &partner(qint64 partnerId);

    // Calls `visit(x, pointSlot)` for the resolution's points, oldest first.
    template<typename Visit>
    void forEachPoint(Window window, Visit visit) const;

    std::array<Resolution, kResolutionCount> resolutions;
    QHash<qint64, std::shared_ptr<PartnerSeries>> partners;
    qint64 openSecond = kNoSecond; // the second samples go to; kNoSecond before the first call
};

void MonitorSeries::State::advanceTo(qint64 nowSecond)
{
    if (openSecond == kNoSecond || nowSecond - openSecond > kLongestWindowSeconds + 10) {
        reset();
        openSecond = nowSecond;
        return;
    }
    while (openSecond < nowSecond) {
        closeOpenSecond();
        ++openSecond;
    }
}

void MonitorSeries::State::closeOpenSecond()
{
    PeriodTotals &second = resolutions[0].open;
    second.seconds = 1;
    for (int r = 1; r < kResolutionCount; ++r)
        resolutions[size_t(r)].open.merge(second);
    for (const auto &series : std::as_const(partners)) {
        for (int r = 1; r < kResolutionCount; ++r)
            series->open[size_t(r)].merge(series->open[0]);
    }
    for (int r = 0; r < kResolutionCount; ++r) {
        const int periodSeconds = resolutions[size_t(r)].periodSeconds;
        if (floorDiv(openSecond + 1, periodSeconds) != floorDiv(openSecond, periodSeconds))
            closePeriod(r, floorDiv(openSecond, periodSeconds));
    }
}

void MonitorSeries::State::closePeriod(int resolutionIndex, qint64 period)
{
    Resolution &resolution = resolutions[size_t(resolutionIndex)];
    PeriodTotals &totals = resolution.open;
    const size_t slot = slotOf(period, resolution.capacity);
    Point &point = resolution.ring[slot];
    const float seconds = float(std::max(1, totals.seconds));
    point.eventsPerSecond = float(totals.events) / seconds;
    point.eventP50Ms = millisecondsAt(totals.eventLatency, 0.50);
    point.eventP99Ms = millisecondsAt(totals.eventLatency, 0.99);
    for (size_t i = 0; i < totals.transfers.size(); ++i)
        point.transfersPerSecond[i] = float(totals.transfers[i]) / seconds;
    totals.clear();

    for (const auto &series : std::as_const(partners)) {
        LatencyHistogram &latency = series->open[size_t(resolutionIndex)];
        series->p99Ms[size_t(resolutionIndex)][slot] = millisecondsAt(latency, 0.99);
        latency.clear();
    }
    resolution.count = std::min(resolution.count + 1, resolution.capacity);
    resolution.newestPeriod = period;
}

void MonitorSeries::State::reset()
{
    for (auto &resolution : resolutions)
        resolution.reset();
    for (const auto &series : std::as_const(partners))
        series->reset();
    openSecond = kNoSecond;
}

PartnerSeries &MonitorSeries::State::partner(qint64 partnerId)
{
    std::shared_ptr<PartnerSeries> &series = partners[partnerId];
    if (!series)
        series = std::make_shared<PartnerSeries>(); // once per partner
    return *series;
}

template<typename Visit>
void MonitorSeries::State::forEachPoint(Window window, Visit visit) const
{
    const Resolution &resolution = resolutions[size_t(window)];
    const qint64 periodMs = qint64(resolution.periodSeconds) * 1000;
    for (qint64 period = resolution.newestPeriod - resolution.count + 1;
         period <= resolution.newestPeriod; ++period) {
        visit(double(period * periodMs), slotOf(period, resolution.capacity));
    }
}

int MonitorSeries::periodSeconds(Window window)
{
    return kPeriodSeconds[size_t(window)];
}

int MonitorSeries::pointCount(Window window)
{
    return kPointCounts[size_t(window)];
}

MonitorSeries::MonitorSeries() : m_state(std::make_unique<State>()) {}

MonitorSeries::~MonitorSeries() = default;

void MonitorSeries::recordEvent(qint64 latencyUs, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    m_state->advanceTo(floorDiv(nowMs, 1000));
    PeriodTotals &second = m_state->resolutions[0].open;
    ++second.events;
    second.eventLatency.add(latencyUs);
}

void MonitorSeries::recordTransfer(qint64 partnerId, TransferOutcome outcome, qint64 totalUs,
                                   qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    m_state->advanceTo(floorDiv(nowMs, 1000));
    ++m_state->resolutions[0].open.transfers[size_t(outcome)];
    PartnerSeries &series = m_state->partner(partnerId);
    if (!transferOutcomeNotCalled(outcome))
        series.open[0].add(totalUs);
}

QList<QPointF> MonitorSeries::points(Metric metric, Window window, qint64 nowMs) const
{
    QMutexLocker lock(&m_mutex);
    m_state->advanceTo(floorDiv(nowMs, 1000));
    const std::vector<Point> &ring = m_state->resolutions[size_t(window)].ring;
    QList<QPointF> points;
    points.reserve(pointCount(window));
    m_state->forEachPoint(window, [&](double x, size_t slot) {
        const Point &point = ring[slot];
        float y = 0;
        switch (metric) {
        case Metric::EventsPerSecond:
            y = point.eventsPerSecond;
            break;
        case Metric::EventLatencyP50Ms:
            y = point.eventP50Ms;
            break;
        case Metric::EventLatencyP99Ms:
            y = point.eventP99Ms;
            break;
        }
        if (!std::isnan(y))
            points.append(QPointF(x, double(y)));
    });
    return points;
}

QList<QPointF> MonitorSeries::outcomePoints(TransferOutcome outcome, Window window,
                                            qint64 nowMs) const
{
    QMutexLocker lock(&m_mutex);
    m_state->advanceTo(floorDiv(nowMs, 1000));
    const std::vector<Point> &ring = m_state->resolutions[size_t(window)].ring;
    QList<QPointF> points;
    points.reserve(pointCount(window));
    m_state->forEachPoint(window, [&](double x, size_t slot) {
        points.append(QPointF(x, double(ring[slot].transfersPerSecond[size_t(outcome)])));
    });
    return points;
}

QList<QPointF> MonitorSeries::partnerP99Points(qint64 partnerId, Window window,
                                               qint64 nowMs) const
{
    QMutexLocker lock(&m_mutex);
    m_state->advanceTo(floorDiv(nowMs, 1000));
    const auto found = m_state->partners.constFind(partnerId);
    if (found == m_state->partners.cend())
        return {};
    const std::vector<float> &ring = found.value()->p99Ms[size_t(window)];
    QList<QPointF> points;
    points.reserve(pointCount(window));
    m_state->forEachPoint(window, [&](double x, size_t slot) {
        if (!std::isnan(ring[slot]))
            points.append(QPointF(x, double(ring[slot])));
    });
    return points;
}

QList<qint64> MonitorSeries::partnerIds() const
{
    QMutexLocker lock(&m_mutex);
    QList<qint64> ids = m_state->partners.keys();
    lock.unlock();
    std::sort(ids.begin(), ids.end());
    return ids;
}

void MonitorSeries::removePartner(qint64 partnerId)
{
    std::shared_ptr<PartnerSeries> removed;
    QMutexLocker lock(&m_mutex);
    removed = m_state->partners.take(partnerId);
    lock.unlock(); // freed outside the lock
}

void MonitorSeries::clear()
{
    QMutexLocker lock(&m_mutex);
    m_state->partners.clear();
    m_state->reset();
}

} // namespace Dcs
