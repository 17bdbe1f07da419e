#pragma once

#include "requesthandler.h"

#include <QMutex>

#include <atomic>
#include <memory>

namespace Dcs {

// What the acceptor and every worker share: the request handler and lock-free counters.
struct ListenerShared
{
    std::atomic<int> openConnections{0};
    std::atomic<int> inFlight{0};      // requests handed to the handler and not yet answered
    std::atomic<int> maxInFlight{4096}; // beyond this a request is answered 429 at once
    std::atomic<quint64> requests{0};
    std::atomic<quint64> busyRejections{0};
    std::atomic<quint64> badRequests{0};
    std::atomic<quint64> refusedConnections{0};

    std::shared_ptr<RequestHandler> handler() const
    {
        QMutexLocker locker(&m_mutex);
        return m_handler;
    }
    void setHandler(std::shared_ptr<RequestHandler> handler)
    {
        QMutexLocker locker(&m_mutex);
        m_handler = std::move(handler);
    }

private:
    mutable QMutex m_mutex;
    std::shared_ptr<RequestHandler> m_handler;
};

} // namespace Dcs
