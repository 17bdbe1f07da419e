#include "ratelimiter.h"

#include <QtGlobal>

namespace Dcs {

void RateLimiter::setRate(int ratePerSecond)
{
    QMutexLocker locker(&m_mutex);
    m_rate = qMax(0, ratePerSecond);
    m_capacity = qMax(1.0, m_rate / 10.0);
    m_tokens = m_capacity;
    m_lastNs = NotStarted;
}

int RateLimiter::rate() const
{
    QMutexLocker locker(&m_mutex);
    return m_rate;
}

bool RateLimiter::tryTake(qint64 nowNs)
{
    QMutexLocker locker(&m_mutex);
    if (m_rate == 0)
        return true;
    if (m_lastNs != NotStarted && nowNs > m_lastNs)
        m_tokens = qMin(m_capacity, m_tokens + double(nowNs - m_lastNs) * m_rate / 1e9);
    m_lastNs = qMax(m_lastNs, nowNs);
    if (m_tokens < 1.0)
        return false;
    m_tokens -= 1.0;
    return true;
}

} // namespace Dcs
