#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace Dcs {

// Lets a thread that completes many items in one go (the storage writer calling back a whole
// committed batch) wake each consumer once at the end instead of once per item. A consumer
// thread that is quick to take each item as it comes otherwise gets a wake-up, a system call
// and a context switch per item, not per batch.
class WakeCoalescer
{
public:
    // While a Scope lives on this thread, defer() collects wake-ups; its end runs each once.
    class Scope
    {
    public:
        Scope();
        ~Scope();
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;

    private:
        friend class WakeCoalescer;
        Scope *m_outer;
        std::vector<std::pair<const void *, std::function<void()>>> m_wakes;
    };

    // Inside a scope on this thread: keeps `wake` (once per `consumer`) for the scope's end and
    // returns true. Outside any scope: returns false, and the caller wakes the consumer now.
    static bool defer(const void *consumer, std::function<void()> wake);
};

} // namespace Dcs
