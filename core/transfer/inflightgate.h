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
    int inFlight() const { return m_inFlight.load(std::memory_order_relaxed); }
    int maxInFlight() const { return m_max.load(std::memory_order_relaxed); }
    void setMaxInFlight(int maxInFlight) { m_max.store(qMax(1, maxInFlight)); }

    // A thread's queue of waiting calls. wake() runs on `context`'s thread.
    class Waiter
    {
    public:
        Waiter(QObject *context, std::function<void()> wake)
            : m_context(context), m_wake(std::move(wake)) {}
        void setWaiting(bool waiting) { m_waiting.store(waiting, std::memory_order_relaxed); }
        bool isWaiting() const { return m_waiting.load(std::memory_order_relaxed); }
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
    std::atomic<int> m_inFlight{0};
    std::atomic<int> m_max;
    QMutex m_waitersMutex;
    std::vector<std::weak_ptr<Waiter>> m_waiters;
};

} // namespace Dcs
