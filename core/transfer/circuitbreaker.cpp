#include "circuitbreaker.h"

#include "common/logging.h"

namespace Dcs {

CircuitBreaker::CircuitBreaker() : CircuitBreaker(Settings{}) {}

CircuitBreaker::CircuitBreaker(Settings settings)
    : m_settings([&] {
        settings.windowSeconds = qBound(1, settings.windowSeconds, 60);
        settings.probeEvery = qBound(1, settings.probeEvery, 10);
        settings.probesToClose = qMax(1, settings.probesToClose);
        return settings;
    }())
{
}

QLatin1StringView CircuitBreaker::stateName(State state)
{
    return state == State::Open ? QLatin1StringView("open") : QLatin1StringView("closed");
}

QLatin1StringView CircuitBreaker::overrideName(Override value)
{
    switch (value) {
    case Override::ForcedOpen:
        return QLatin1StringView("forced-open");
    case Override::ForcedClosed:
        return QLatin1StringView("forced-closed");
    case Override::Automatic:
        break;
    }
    return QLatin1StringView("automatic");
}

CircuitBreaker::Bucket &CircuitBreaker::bucketFor(qint64 nowMs)
{
    const qint64 second = nowMs / 1000;
    Bucket &bucket = m_buckets[std::size_t(second % qint64(m_buckets.size()))];
    if (bucket.second != second)
        bucket = Bucket{second, 0, 0};
    return bucket;
}

void CircuitBreaker::windowTotals(qint64 nowMs, int *calls, int *failures) const
{
    const qint64 second = nowMs / 1000;
    *calls = 0;
    *failures = 0;
    for (const Bucket &bucket : m_buckets) {
        if (bucket.second > second - m_settings.windowSeconds && bucket.second <= second) {
            *calls += bucket.calls;
            *failures += bucket.failures;
        }
    }
}

CircuitBreaker::Decision CircuitBreaker::decide(qint64 nowMs)
{
    Q_UNUSED(nowMs);
    QMutexLocker locker(&m_mutex);
    switch (m_status.override) {
    case Override::ForcedOpen:
        return Decision::Refuse;
    case Override::ForcedClosed:
        return Decision::Call;
    case Override::Automatic:
        break;
    }
    if (m_status.state == State::Closed)
        return Decision::Call;
    if (++m_callsSinceProbe >= m_settings.probeEvery) {
        m_callsSinceProbe = 0;
        return Decision::Probe;
    }
    return Decision::Refuse;
}

void CircuitBreaker::record(bool failure, bool probe, qint64 nowMs)
{
    Status changedTo;
    bool didChange = false;
    {
        QMutexLocker locker(&m_mutex);
        Bucket &bucket = bucketFor(nowMs);
        ++bucket.calls;
        if (failure)
            ++bucket.failures;
        if (m_status.override != Override::Automatic)
            return;
        if (m_status.state == State::Open) {
            if (!probe)
                return;
            if (failure) {
                m_probeSuccesses = 0;
                return;
            }
            if (++m_probeSuccesses < m_settings.probesToClose)
                return;
            m_status = Status{State::Closed, Override::Automatic,
                              QStringLiteral("closed: %1 probes in a row succeeded")
                                  .arg(m_settings.probesToClose),
                              nowMs};
            // A fresh window: the failures that opened it must not reopen it at once.
            m_buckets.fill(Bucket{});
        } else {
            if (!failure)
                return;
            int calls = 0;
            int failures = 0;
            windowTotals(nowMs, &calls, &failures);
            if (calls < m_settings.minCalls || failures < m_settings.failureRatio * calls)
                return;
            m_status = Status{State::Open, Override::Automatic,
                              QStringLiteral("opened: %1 of %2 calls failed in the last %3 s; "
                                             "probing with 1 call in %4")
                                  .arg(failures)
                                  .arg(calls)
                                  .arg(m_settings.windowSeconds)
                                  .arg(m_settings.probeEvery),
                              nowMs};
            m_callsSinceProbe = 0;
            m_probeSuccesses = 0;
        }
        changedTo = m_status;
        didChange = true;
    }
    if (didChange)
        changed(changedTo);
}

void CircuitBreaker::setOverride(Override override, qint64 nowMs)
{
    Status changedTo;
    {
        QMutexLocker locker(&m_mutex);
        if (m_status.override == override)
            return;
        m_status.override = override;
        m_status.sinceMs = nowMs;
        switch (override) {
        case Override::ForcedOpen:
            m_status.state = State::Open;
            m_status.reason = QStringLiteral("forced open by an admin: no calls, no probes");
            break;
        case Override::ForcedClosed:
            m_status.state = State::Closed;
            m_status.reason = QStringLiteral("forced closed by an admin: every call goes through");
            break;
        case Override::Automatic:
            m_status.state = State::Closed;
            m_status.reason = QStringLiteral("closed: handed back to the automatic rule");
            m_buckets.fill(Bucket{});
            break;
        }
        m_callsSinceProbe = 0;
        m_probeSuccesses = 0;
        changedTo = m_status;
    }
    changed(changedTo);
}

CircuitBreaker::Status CircuitBreaker::status() const
{
    QMutexLocker locker(&m_mutex);
    return m_status;
}

void CircuitBreaker::setChangeListener(ChangeListener listener)
{
    QMutexLocker locker(&m_mutex);
    m_listener = std::move(listener);
}

void CircuitBreaker::changed(const Status &status)
{
    ChangeListener listener;
    {
        QMutexLocker locker(&m_mutex);
        listener = m_listener;
    }
    if (listener)
        listener(status);
}

} // namespace Dcs
