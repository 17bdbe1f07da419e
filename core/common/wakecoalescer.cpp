#include "wakecoalescer.h"

namespace Dcs {

namespace {

thread_local WakeCoalescer::Scope *tCurrentScope = nullptr;

} // namespace

WakeCoalescer::Scope::Scope()
    : m_outer(tCurrentScope)
{
    tCurrentScope = this;
}

WakeCoalescer::Scope::~Scope()
{
    tCurrentScope = m_outer;
    for (const auto &[consumer, wake] : m_wakes)
        wake();
}

bool WakeCoalescer::defer(const void *consumer, std::function<void()> wake)
{
    Scope *scope = tCurrentScope;
    if (!scope)
        return false;
    for (const auto &[known, unused] : scope->m_wakes) {
        if (known == consumer)
            return true;
    }
    scope->m_wakes.emplace_back(consumer, std::move(wake));
    return true;
}

} // namespace Dcs
