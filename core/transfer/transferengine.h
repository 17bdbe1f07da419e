#pragma once

#include "circuitbreaker.h"
#include "dcs/eventcontext.h"
#include "partners/partner.h"
#include "partners/partnerrequest.h"
#include "transferrecord.h"

#include <QHash>
#include <QMutex>
#include <QThread>

#include <functional>
#include <memory>
#include <optional>

namespace Dcs {

struct PartnerAnswerResult;
struct PartnerExchange;
class RulesEngine;
class Storage;
class TransferThreadState;
struct PartnerRuntime;
struct PartnerSet;
struct PendingTransfers;

struct TransferSettings
{
    int networkBufferMs = 5; // taken off each partner's tmax: the time the answer spends in transit
    int ownTimeMs = 2;       // taken off too: what the DCS needs to answer after the partners
    // Request and answer text kept in the log for 1 in this many ok/empty attempts; always for
    // the others (errors are what people open the detail for). 0 = never sampled.
    int textSampleEvery = 100;
    int textSampleMaxBytes = 4096;
};

// The real-time transfer engine (partner-protocol.md): an event stage that, on each /event,
// plans every shadow and live partner (mode, ID sync, budget, circuit breaker, rate), calls the
// eligible ones concurrently on the listener thread's keep-alive pools, and lets the event move
// on when every live partner answered or the deadline came. Live partners' codes go to the
// qualification stage (PartnerCodes) and are realized in the event's own write; shadow partners
// are called and recorded but never applied and never waited for. An answer after the deadline
// is `late`: recorded, and a live partner's codes applied in a write of their own, never on the
// visitor's clock. Every attempt ends in exactly one TransferRecord, stored in the transfer log
// and handed to the observer (the monitor feed).
class TransferEngine final : public EventStage
{
public:
    using RecordObserver = std::function<void(const TransferRecord &)>;
    using BreakerObserver = std::function<void(const Partner &, const CircuitBreaker::Status &)>;

    TransferEngine(Storage &storage, const RulesEngine &rules);
    ~TransferEngine() override;

    // Reads the partners and their secrets from the database; applies from the next call. A
    // partner whose endpoint cannot be parsed is left out and logged. Breakers, rate limits and
    // in-flight counts of partners that stay carry over.
    // Frees every thread's pools, timers and calls in flight on its own thread (which must
    // still run), without calling the stage continuations still owed: after this no callback
    // reaches the engine or the endpoint waiting on it. For the server's shutdown, before the
    // endpoint goes; the destructor does it too. A call made afterwards starts afresh.
    void shutdown();
    void reloadPartners();
    void setSettings(const TransferSettings &settings);
    TransferSettings settings() const;
    // Called from the engine's threads for every finished attempt. Set before serving.
    void setRecordObserver(RecordObserver observer);
    void setBreakerObserver(BreakerObserver observer);

    void process(const std::shared_ptr<EventContext> &event, std::function<void()> done) override;

    // The admin's hand on a breaker. False when no such partner is active.
    bool setBreakerOverride(qint64 partnerId, CircuitBreaker::Override override);
    std::optional<CircuitBreaker::Status> breakerStatus(qint64 partnerId) const;
    int inFlight(qint64 partnerId) const;
    // Partners currently shadow or live, as the engine runs them.
    QList<Partner> activePartners() const;

    // One call to `partner` whatever its mode (onboarding tests): same request, pools, timing
    // and classification as live traffic, but no breaker, rate limit or budget planning, nothing
    // applied, nothing stored — the caller decides. `done` runs on the calling thread, which
    // must run an event loop. The record carries the request and answer text.
    void testCall(const Partner &partner, const std::optional<QByteArray> &secret,
                  const PartnerCall &call, std::function<void(TransferRecord)> done);

private:
    friend class TransferThreadState;

    std::shared_ptr<const PartnerSet> partners() const;
    TransferThreadState &threadState();
    // `record` is the attempt as planned (partner, event, deadline); the call fills the rest.
    void startAttempt(const std::shared_ptr<PendingTransfers> &pending,
                      const std::shared_ptr<PartnerRuntime> &partner, const PartnerCall &call,
                      bool probe, TransferRecord record);
    // Classifies an exchange into `record` (outcome, reason, codes, timings, unmapped codes)
    // and parses its answer into `answer`: one step for live and test calls.
    void complete(const PartnerExchange &exchange, qint64 startNs, qint64 deadlineNs,
                  TransferRecord &record, PartnerAnswerResult &answer) const;
    void finishAttempt(const std::shared_ptr<PendingTransfers> &pending, TransferRecord record,
                       const PartnerAnswerResult *answer, bool countsForEvent);
    void continueEvent(const std::shared_ptr<PendingTransfers> &pending);
    void storeAlone(TransferRecord record, const PartnerAnswerResult *answer);
    bool keepText(const TransferRecord &record);

    Storage &m_storage;
    const RulesEngine &m_rules;
    mutable QMutex m_mutex; // partners, settings, observers, thread states
    std::shared_ptr<const PartnerSet> m_partners;
    TransferSettings m_settings;
    RecordObserver m_recordObserver;
    BreakerObserver m_breakerObserver;
    QHash<QThread *, TransferThreadState *> m_threadStates;
    std::atomic<quint64> m_sampleCounter{0};
};

} // namespace Dcs
