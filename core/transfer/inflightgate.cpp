#include "inflightgate.h"

#include <QMetaObject>

namespace Dcs {

bool InFlightGate::tryAcquire()
{
    int current = m_inFlight.load(std::memory_order_relaxed);
    do {
        if (current >= m_max.load(std::memory_order_relaxed))
            return false;
    } while (!m_inFlight.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel));
    return true;
}

void InFlightGate::release()
{
    m_inFlight.fetch_sub(1); // sequentially consistent: see Waiter::setWaiting()
    wakeWaiters();
}

void InFlightGate::setMaxInFlight(int maxInFlight)
{
    m_max.store(qMax(1, maxInFlight));
    wakeWaiters(); // more room: calls already waiting must not wait out their timeout
}

void InFlightGate::wakeWaiters()
{
    QMutexLocker locker(&m_waitersMutex);
    for (auto it = m_waiters.begin(); it != m_waiters.end();) {
        const std::shared_ptr<Waiter> waiter = it->lock();
        if (!waiter) {
            it = m_waiters.erase(it);
            continue;
        }
        if (waiter->isWaiting())
            waiter->post();
        ++it;
    }
}

void InFlightGate::addWaiter(const std::shared_ptr<Waiter> &waiter)
{
    QMutexLocker locker(&m_waitersMutex);
    m_waiters.push_back(waiter);
}

void InFlightGate::Waiter::detach()
{
    QMutexLocker locker(&m_mutex);
    m_context = nullptr;
}

void InFlightGate::Waiter::post()
{
    QMutexLocker locker(&m_mutex); // `context` cannot be destroyed while this is held
    if (m_context)
        QMetaObject::invokeMethod(m_context, m_wake, Qt::QueuedConnection);
}

} // namespace Dcs
