#pragma once

#include "dcslistener.h"

#include <QObject>
#include <QSet>

#include <memory>

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

private:
    std::shared_ptr<ListenerShared> m_shared;
    QSet<HttpConnection *> m_connections;
};

} // namespace Dcs
