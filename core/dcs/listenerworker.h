#pragma once

#include "dcslistener.h"

#include <QMutex>
#include <QObject>
#include <QSet>

#include <functional>
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

    // Thread-safe: runs `delivery` on this worker's thread. Answers completed elsewhere (the
    // storage writer acknowledges a whole batch at once) arrive in bursts; a burst costs one
    // posted event and one wake-up of this thread, not one per answer.
    void post(std::function<void()> delivery);

private:
    void runPosted();

    std::shared_ptr<ListenerShared> m_shared;
    QSet<HttpConnection *> m_connections;
    QMutex m_postedMutex;
    std::vector<std::function<void()>> m_posted;
    bool m_runScheduled = false;
};

} // namespace Dcs
