#include "listenerworker.h"

#include "common/logging.h"
#include "httpconnection.h"
#include "listenershared.h"
#include "socketchannel.h"


namespace Dcs {

ListenerWorker::ListenerWorker(std::shared_ptr<ListenerShared> shared)
    : m_shared(std::move(shared))
{
}

void ListenerWorker::adopt(qintptr descriptor, const DcsListener::Limits &limits)
{
    auto *connection = new HttpConnection(new SocketChannel(descriptor, nullptr), limits,
                                          m_shared, this);
    m_connections.insert(connection);
    connect(connection, &HttpConnection::finished, this, [this, connection] {
        if (m_connections.remove(connection))
            --m_shared->openConnections;
    });
}

void ListenerWorker::post(std::function<void()> delivery)
{
    bool schedule = false;
    {
        QMutexLocker locker(&m_postedMutex);
        m_posted.push_back(std::move(delivery));
        schedule = !std::exchange(m_runScheduled, true);
    }
    if (schedule)
        QMetaObject::invokeMethod(this, &ListenerWorker::runPosted, Qt::QueuedConnection);
}

void ListenerWorker::runPosted()
{
    std::vector<std::function<void()>> batch;
    {
        QMutexLocker locker(&m_postedMutex);
        batch.swap(m_posted);
        m_runScheduled = false;
    }
    for (const std::function<void()> &delivery : batch)
        delivery();
}

void ListenerWorker::closeAll()
{
    const QSet<HttpConnection *> connections = std::exchange(m_connections, {});
    for (HttpConnection *connection : connections) {
        connection->abortNow();
        --m_shared->openConnections;
    }
}

} // namespace Dcs
