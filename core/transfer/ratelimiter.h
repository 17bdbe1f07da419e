#pragma once

#include <QMutex>

#include <limits>

namespace Dcs {

// A partner's "max rate": a token bucket refilled at `ratePerSecond`, holding at most a tenth of
// a second's worth (at least one token), so calls are spread rather than let through in
// one-second bursts. 0 = unlimited. Thread-safe.
class RateLimiter
{
public:
    explicit RateLimiter(int ratePerSecond = 0) { setRate(ratePerSecond); }

    void setRate(int ratePerSecond);
    int rate() const;
    // Takes a token if one is there. `nowNs`: a monotonic clock.
    bool tryTake(qint64 nowNs);

private:
    mutable QMutex m_mutex;
    int m_rate = 0;
    double m_capacity = 1;
    double m_tokens = 1;
    // "No take yet": not a time any clock gives. (0 is one: a clock may start there.)
    static constexpr qint64 NotStarted = std::numeric_limits<qint64>::min();
    qint64 m_lastNs = NotStarted;
};

} // namespace Dcs
