#include "listenerworker.h"

#include "common/logging.h"
#include "common/wakecoalescer.h"
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

void ListenerWorker::deliver(std::shared_ptr<QPointer<HttpConnection>> connection,
                             quint64 answerId, HttpResponse response)
{
    bool schedule = false;
    {
        QMutexLocker locker(&m_deliveriesMutex);
        m_deliveries.push_back(Delivery{std::move(connection), answerId, std::move(response)});
        schedule = !std::exchange(m_runScheduled, true);
    }
    if (!schedule)
        return;
    const auto wake = [this] {
        QMetaObject::invokeMethod(this, &ListenerWorker::runDeliveries, Qt::QueuedConnection);
    };
    if (!WakeCoalescer::defer(this, wake))
        wake();
}

void ListenerWorker::runDeliveries()
{
    std::vector<Delivery> batch = std::move(m_spareDeliveries);
    {
        QMutexLocker locker(&m_deliveriesMutex);
        batch.swap(m_deliveries);
        m_runScheduled = false;
    }
    for (const Delivery &delivery : batch) {
        if (HttpConnection *connection = delivery.connection->data())
            connection->complete(delivery.answerId, delivery.response);
    }
    batch.clear();
    m_spareDeliveries = std::move(batch);
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
