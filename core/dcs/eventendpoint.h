#pragma once

#include "eventcontext.h"
#include "eventstats.h"
#include "requesthandler.h"

#include <QMutex>

#include <memory>

namespace Dcs {

class IdentityResolver;
class MonitorFeed;
class Storage;

struct EventEndpointSettings
{
    int dcsRegion = 7;
    int deadlineMs = 100;
    // Group commit: answer only once the event is durable. Off = answer at once, store behind.
    bool answerAfterCommit = true;
    bool maskClientIp = true;
    SignalLimits signalLimits;
};

// GET and POST /event: decodes the signals, resolves the visitor, runs the stages (partner calls,
// traits and segments, as they are added), answers, and stores the event with its visitor and
// ID links in one write. Thread-safe; every worker thread calls handle().
class EventEndpoint final
{
public:
    EventEndpoint(Storage &storage, IdentityResolver &identity, EventStats &stats);

    // Applies from the next call.
    void setSettings(const EventEndpointSettings &settings);
    EventEndpointSettings settings() const;
    // Stages run in the order added. Add them before the listener serves.
    void addStage(std::shared_ptr<EventStage> stage);
    // Where each answered call's latency also goes (the live charts). Set before serving.
    void setMonitorFeed(MonitorFeed *monitor) { m_monitor = monitor; }

    void handle(const HttpRequest &request, const RequestContext &context, Responder respond);

private:
    void runStage(const std::shared_ptr<EventContext> &event, qsizetype index,
                  const std::shared_ptr<Responder> &respond);
    void finish(const std::shared_ptr<EventContext> &event,
                const std::shared_ptr<Responder> &respond);

    Storage &m_storage;
    IdentityResolver &m_identity;
    EventStats &m_stats;
    mutable QMutex m_settingsMutex;
    EventEndpointSettings m_settings;
    QList<std::shared_ptr<EventStage>> m_stages;
    MonitorFeed *m_monitor = nullptr;
};

} // namespace Dcs
