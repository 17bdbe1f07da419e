#pragma once

#include "dcslistener.h"
#include "httpresponse.h"

#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <memory>
#include <vector>

namespace Dcs {

class HttpConnection;
struct ListenerShared;

// One of the listener's worker threads: owns the connections handed to it and runs their event
// loop. Lives in its own QThread; adopt() and closeAll() are called on that thread.
class ListenerWorker final : public QObject
{
    Q_OBJECT
public:
    explicit ListenerWorker(std::shared_ptr<ListenerShared> shared);

    void adopt(qintptr descriptor, const DcsListener::Limits &limits);
    void closeAll();

    // Thread-safe: hands `response` to the connection on this worker's thread, unless it is
    // gone by then. Answers completed elsewhere (the storage writer acknowledges a whole batch
    // at once) arrive in bursts; a burst costs one posted event and one wake-up of this
    // thread, not one per answer, and no allocation on the completing thread.
    void deliver(std::shared_ptr<QPointer<HttpConnection>> connection, quint64 answerId,
                 HttpResponse response);

private:
    struct Delivery
    {
        std::shared_ptr<QPointer<HttpConnection>> connection;
        quint64 answerId = 0;
        HttpResponse response;
    };

    void runDeliveries();

    std::shared_ptr<ListenerShared> m_shared;
    QSet<HttpConnection *> m_connections;
    QMutex m_deliveriesMutex;
    std::vector<Delivery> m_deliveries;
    std::vector<Delivery> m_spareDeliveries; // swapped in, so both keep their capacity
    bool m_runScheduled = false;
};

} // namespace Dcs
