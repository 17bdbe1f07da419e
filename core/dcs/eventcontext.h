#pragma once

#include "profiles/identityresolver.h"
#include "rules/qualifier.h"
#include "signaldecoder.h"
#include "storage/storagewriter.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace Dcs {

// Everything known about one /event call as it moves through the stages: filled by the endpoint
// (signals, identity, options), then by the stages (partner codes, traits, segments,
// destinations), then turned into the answer and the event-log record.
struct EventContext
{
    qint64 receivedMs = 0;
    QElapsedTimer clock; // started when the request was taken in
    qint64 eventId = 0; // the event-log row, taken before the row is written
    QString tid;        // the row's tid (EventIds)

    DecodedSignals signalValues;
    IdentityResult identity;
    QList<DcsError> errors;

    // What the caller asked for.
    bool jsonAnswer = false;    // d_rtbd=json
    QString jsonpCallback;      // d_cb, validated
    bool includeDests = false;  // d_dst=1
    bool includeTraits = false; // d_cts=1 or 2
    int deadlineMs = 100;       // per call: the workspace deadline, or less with d_tmax

    QString referer;
    QString clientIp; // masked

    // Filled by the stages.
    QList<PartnerCodes> partnerCodes; // live partners that answered within the deadline
    QList<qint64> removedTraits;      // their unsegments: onboarded traits the visitor left
    QList<qint64> realizedTraits;
    QList<qint64> realizedSegments;
    QList<qint64> segmentsHeld;
    QJsonArray stuff; // cookie destinations
    QJsonArray dests; // URL destinations

    // What the stages store with the event: each runs inside the event's own write job, in
    // the same transaction as the event row, so a call's realizations and memberships are
    // durable exactly when its event is (see WriteJob: a job may run twice).
    std::vector<WriteJob> stageWrites;
    // Run on the writer's thread once that transaction committed (ok) or failed.
    std::vector<std::function<void(bool committed)>> afterCommit;
};

// A step between "identity resolved" and "answer sent": the transfer engine (partner calls
// within the deadline) and the rules engine (traits and segments) are stages. process() must not
// block; it calls `done` exactly once, from any thread, when the event may move on.
class EventStage
{
public:
    virtual ~EventStage() = default;
    virtual void process(const std::shared_ptr<EventContext> &event,
                         std::function<void()> done) = 0;
};

} // namespace Dcs
