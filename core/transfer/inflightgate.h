#pragma once

#include <QMutex>
#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace Dcs {

// The partner's "max in flight", shared by every thread that calls it: a counting gate. A call
// that finds it full waits in its own thread's queue; a release on any thread wakes the threads
// that have calls waiting (a queued call costs one posted event per release while it waits —
// only under saturation, and bounded by the partner's timeout).
class InFlightGate
{
public:
    explicit InFlightGate(int maxInFlight) : m_max(qMax(1, maxInFlight)) {}

    bool tryAcquire();
    void release();
    // Sequentially consistent with release(): a waiter that announced itself (setWaiting) and
    // then reads no free slot here is sure to be woken by the next release().
    int inFlight() const { return m_inFlight.load(); }
    int maxInFlight() const { return m_max.load(); }
    // Raising the maximum wakes the threads that have calls waiting.
    void setMaxInFlight(int maxInFlight);

    // A thread's queue of waiting calls. wake() runs on `context`'s thread.
    class Waiter
    {
    public:
        Waiter(QObject *context, std::function<void()> wake)
            : m_context(context), m_wake(std::move(wake)) {}
        // Sequentially consistent, paired with release() and inFlight(): with relaxed order a
        // release could miss a waiter that missed the freed slot, and its calls would wait
        // out their timeout with the gate open.
        void setWaiting(bool waiting) { m_waiting.store(waiting); }
        bool isWaiting() const { return m_waiting.load(); }
        // Called by the owner before `context` is destroyed: no wake-up is posted afterwards.
        void detach();

    private:
        friend class InFlightGate;
        void post();

        QMutex m_mutex;
        QObject *m_context;
        std::function<void()> m_wake;
        std::atomic<bool> m_waiting{false};
    };
    void addWaiter(const std::shared_ptr<Waiter> &waiter);

private:
    void wakeWaiters();

    std::atomic<int> m_inFlight{0};
    std::atomic<int> m_max;
    QMutex m_waitersMutex;
    std::vector<std::weak_ptr<Waiter>> m_waiters;
};

} // namespace Dcs
