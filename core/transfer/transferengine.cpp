#include "transferengine.h"

#include "common/logging.h"
#include "inflightgate.h"
#include "partnerconnectionpool.h"
#include "partners/partneranswer.h"
#include "partners/partnerendpoint.h"
#include "ratelimiter.h"
#include "rules/rulesnapshot.h"
#include "storage/partnerrepository.h"
#include "storage/realizationstore.h"
#include "storage/storage.h"
#include "storage/transferlog.h"
#include "storage/visitorstore.h"

#include <QDateTime>
#include <QTimer>

namespace Dcs {

// One shadow or live partner as the engine runs it. Shared by every thread; the parts that
// change at run time (gate, breaker, rate) are thread-safe and carried over by reloads.
struct PartnerRuntime
{
    Partner partner;
    std::optional<QByteArray> secret;
    PartnerEndpoint endpoint;
    PartnerTarget target;
    std::shared_ptr<InFlightGate> gate;
    std::shared_ptr<CircuitBreaker> breaker;
    std::shared_ptr<RateLimiter> rateLimiter;
    quint64 poolKey = 0; // names this partner's pools on each thread
};

struct PartnerSet
{
    std::vector<std::shared_ptr<PartnerRuntime>> active; // shadow and live, by DPID
    quint64 generation = 0;
};

// The transfers of one /event. Lives on the thread that ran process(): the pools, the
// deadline timer and every callback run there, so it needs no lock.
struct PendingTransfers
{
    std::shared_ptr<EventContext> event;
    std::function<void()> done;
    qint64 startMs = 0;     // wall clock, for the records
    qint64 deadlineNs = 0;  // when the engine stops waiting (the deadline less own time)
    int liveOutstanding = 0;
    bool continued = false;
    std::vector<TransferLog::PreparedRow> rows; // attempts that ended before the event moved on
    struct Codes
    {
        qint64 dpid = 0;
        QStringList codes;
        QStringList removed;
        std::optional<int> ttlDays;
    };
    std::vector<Codes> codeWrites;
};

// A thread's pools, one per partner endpoint, created on first use on that thread.
class TransferThreadState final : public QObject
{
public:
    PartnerConnectionPool &pool(const PartnerRuntime &partner)
    {
        PartnerConnectionPool *&pool = m_pools[partner.poolKey];
        if (!pool)
            pool = new PartnerConnectionPool(partner.target, partner.gate, this);
        return *pool;
    }

    // Pools of partners no longer active are dropped once nothing runs on them.
    void prune(const PartnerSet &set)
    {
        if (set.generation == m_generation)
            return;
        m_generation = set.generation;
        QSet<quint64> live;
        for (const auto &partner : set.active)
            live.insert(partner->poolKey);
        for (auto it = m_pools.begin(); it != m_pools.end();) {
            PartnerConnectionPool *pool = it.value();
            const bool busy = pool->openConnections() > pool->idleConnections()
                              || pool->queuedCalls() > 0;
            if (!live.contains(it.key()) && !busy) {
                delete pool;
                it = m_pools.erase(it);
            } else {
                ++it;
            }
        }
    }

    QMetaObject::Connection finishedConnection;

private:
    QHash<quint64, PartnerConnectionPool *> m_pools;
    quint64 m_generation = 0;
};

namespace {

std::atomic<quint64> g_nextPoolKey{1};

qint32 microseconds(qint64 fromNs, qint64 toNs)
{
    return qint32(qBound<qint64>(0, (toNs - fromNs) / 1000,
                                 qint64(std::numeric_limits<qint32>::max())));
}

QStringList unmappedOf(const RulesSnapshot *rules, qint64 dpid, const QStringList &codes)
{
    QStringList unmapped;
    for (const QString &code : codes) {
        if (!rules || rules->onboardedTraits(dpid, code).empty())
            unmapped.append(code);
    }
    return unmapped;
}

// The onboarded traits a partner's answer takes away: those its unsegments map to, and the
// traits it names for removal (text answers' N:0) when they belong to its own data source.
QList<qint64> removedTraitsOf(const RulesSnapshot *rules, qint64 dpid,
                              const PartnerAnswerResult &answer)
{
    QList<qint64> sids;
    if (!rules)
        return sids;
    for (const QString &code : answer.unsegments) {
        for (const qint64 sid : rules->onboardedTraits(dpid, code)) {
            if (!sids.contains(sid))
                sids.append(sid);
        }
    }
    for (const qint64 sid : answer.removedSids) {
        const RulesSnapshot::TraitEntry *trait = rules->trait(sid);
        if (trait && trait->dataSource == dpid && !sids.contains(sid))
            sids.append(sid);
    }
    return sids;
}

// Expiry of the codes a partner sent: its ttl, else none known.
qint64 codesExpiryMs(qint64 nowMs, std::optional<int> ttlDays)
{
    return ttlDays ? nowMs + qint64(*ttlDays) * 86'400'000 : Realization::Never;
}

bool storeCodes(WriteContext &context, const QString &uuid, qint64 dpid, const QStringList &codes,
                const QStringList &removed, std::optional<int> ttlDays, qint64 nowMs,
                QString *error)
{
    return RealizationStore::storePartnerCodes(context, uuid, dpid, codes, nowMs,
                                               codesExpiryMs(nowMs, ttlDays), error)
           && RealizationStore::removePartnerCodes(context, uuid, dpid, removed, error);
}

QByteArray bounded(const QByteArray &text, int maxBytes)
{
    return text.size() <= maxBytes ? text : text.first(maxBytes);
}

// The answer's head and body as the log keeps them.
QByteArray responseTextOf(const PartnerExchange &exchange)
{
    if (exchange.head.isEmpty())
        return {};
    QByteArray text = exchange.head;
    text += "\r\n\r\n";
    text += exchange.body;
    return text;
}

// What one exchange means (partner-protocol.md, "Outcomes").
void classify(const PartnerExchange &exchange, qint64 startNs, qint64 deadlineNs,
              TransferRecord &record, PartnerAnswerResult &answer)
{
    record.timings = exchange.timings;
    record.httpStatus = exchange.status;
    switch (exchange.result) {
    case PartnerExchange::Result::TimedOut:
        record.outcome = TransferOutcome::Timeout;
        record.reason = exchange.reason;
        return;
    case PartnerExchange::Result::NetworkError:
        record.outcome = TransferOutcome::NetworkError;
        record.reason = exchange.reason;
        return;
    case PartnerExchange::Result::BadAnswer:
        record.outcome = TransferOutcome::BadAnswer;
        record.reason = exchange.reason;
        return;
    case PartnerExchange::Result::Answered:
        break;
    }
    answer = PartnerAnswer::parse(exchange.status, exchange.contentType, exchange.body);
    const qint64 parsedNs = steadyNowNs();
    record.timings.parseUs = microseconds(startNs, parsedNs);
    record.outcome = answer.outcome;
    record.reason = answer.reason;
    record.codes = answer.segments;
    record.unsegments = answer.unsegments;
    record.ttlDays = answer.ttlDays;
    const qint64 arrivedNs = startNs + qint64(qMax(0, exchange.timings.lastByteUs)) * 1000;
    if ((answer.outcome == TransferOutcome::Ok || answer.outcome == TransferOutcome::Empty)
        && arrivedNs > deadlineNs) {
        record.outcome = TransferOutcome::Late;
        record.reason = QStringLiteral("answered %1 ms after the deadline")
                            .arg((arrivedNs - deadlineNs + 999'999) / 1'000'000);
    }
}

} // namespace

TransferEngine::TransferEngine(Storage &storage, const RulesEngine &rules)
    : m_storage(storage)
    , m_rules(rules)
    , m_partners(std::make_shared<PartnerSet>())
{
}

TransferEngine::~TransferEngine()
{
    shutdown();
}

void TransferEngine::shutdown()
{
    QHash<QThread *, TransferThreadState *> states;
    {
        QMutexLocker locker(&m_mutex);
        states.swap(m_threadStates);
    }
    for (auto it = states.cbegin(); it != states.cend(); ++it) {
        QObject::disconnect(it.value()->finishedConnection);
        // Pools and their timers go on their own thread, while it still runs: after this no
        // callback can reach the engine.
        if (it.key() != QThread::currentThread() && it.key()->isRunning())
            QMetaObject::invokeMethod(
                it.value(), [state = it.value()] { delete state; },
                Qt::BlockingQueuedConnection);
        else
            delete it.value();
    }
}

void TransferEngine::reloadPartners()
{
    PartnerRepository repository(m_storage);
    const QList<Partner> partners = repository.all();
    const std::shared_ptr<const PartnerSet> previous = this->partners();
    auto set = std::make_shared<PartnerSet>();
    set->generation = previous->generation + 1;
    for (const Partner &partner : partners) {
        if (partner.mode == Partner::Mode::Disabled)
            continue;
        QString error;
        PartnerEndpoint endpoint = PartnerEndpoint::forPartner(partner, &error);
        if (!endpoint.isValid()) {
            qCWarning(lcTransfer).noquote()
                << "partner" << partner.name << "left out: its endpoint is not valid:" << error;
            continue;
        }
        auto runtime = std::make_shared<PartnerRuntime>();
        runtime->partner = partner;
        runtime->secret = repository.secretFor(partner);
        runtime->endpoint = endpoint;
        runtime->target = PartnerTarget{endpoint.host(), endpoint.port(), endpoint.isHttps()};
        // What carries over: the same partner keeps its breaker, its rate and its count of
        // calls in flight; the same endpoint keeps its pools.
        for (const auto &old : previous->active) {
            if (old->partner.id != partner.id)
                continue;
            runtime->gate = old->gate;
            runtime->breaker = old->breaker;
            runtime->rateLimiter = old->rateLimiter;
            if (old->target == runtime->target)
                runtime->poolKey = old->poolKey;
        }
        if (!runtime->gate)
            runtime->gate = std::make_shared<InFlightGate>(partner.maxInFlight);
        runtime->gate->setMaxInFlight(partner.maxInFlight);
        if (!runtime->breaker) {
            runtime->breaker = std::make_shared<CircuitBreaker>();
            runtime->breaker->setChangeListener(
                [this, partner](const CircuitBreaker::Status &status) {
                    qCInfo(lcTransfer).noquote()
                        << "partner" << partner.name << "breaker"
                        << CircuitBreaker::stateName(status.state) << "-" << status.reason;
                    BreakerObserver observer;
                    {
                        QMutexLocker locker(&m_mutex);
                        observer = m_breakerObserver;
                    }
                    if (observer)
                        observer(partner, status);
                });
        }
        if (!runtime->rateLimiter)
            runtime->rateLimiter = std::make_shared<RateLimiter>(partner.maxRate);
        else if (runtime->rateLimiter->rate() != partner.maxRate)
            runtime->rateLimiter->setRate(partner.maxRate);
        if (runtime->poolKey == 0)
            runtime->poolKey = g_nextPoolKey.fetch_add(1);
        set->active.push_back(std::move(runtime));
    }
    QMutexLocker locker(&m_mutex);
    m_partners = std::move(set);
}

void TransferEngine::setSettings(const TransferSettings &settings)
{
    QMutexLocker locker(&m_mutex);
    m_settings = settings;
}

TransferSettings TransferEngine::settings() const
{
    QMutexLocker locker(&m_mutex);
    return m_settings;
}

void TransferEngine::setRecordObserver(RecordObserver observer)
{
    QMutexLocker locker(&m_mutex);
    m_recordObserver = std::move(observer);
}

void TransferEngine::setBreakerObserver(BreakerObserver observer)
{
    QMutexLocker locker(&m_mutex);
    m_breakerObserver = std::move(observer);
}

std::shared_ptr<const PartnerSet> TransferEngine::partners() const
{
    QMutexLocker locker(&m_mutex);
    return m_partners;
}

TransferThreadState &TransferEngine::threadState()
{
    QThread *const thread = QThread::currentThread();
    QMutexLocker locker(&m_mutex);
    TransferThreadState *&state = m_threadStates[thread];
    if (!state) {
        state = new TransferThreadState;
        // The pools' sockets belong to this thread: they go when it ends.
        state->finishedConnection = QObject::connect(
            thread, &QThread::finished, thread,
            [this, thread] {
                QMutexLocker lock(&m_mutex);
                delete m_threadStates.take(thread);
            },
            Qt::DirectConnection);
    }
    return *state;
}

bool TransferEngine::setBreakerOverride(qint64 partnerId, CircuitBreaker::Override override)
{
    for (const auto &partner : partners()->active) {
        if (partner->partner.id == partnerId) {
            partner->breaker->setOverride(override, QDateTime::currentMSecsSinceEpoch());
            return true;
        }
    }
    return false;
}

std::optional<CircuitBreaker::Status> TransferEngine::breakerStatus(qint64 partnerId) const
{
    for (const auto &partner : partners()->active) {
        if (partner->partner.id == partnerId)
            return partner->breaker->status();
    }
    return std::nullopt;
}

int TransferEngine::inFlight(qint64 partnerId) const
{
    for (const auto &partner : partners()->active) {
        if (partner->partner.id == partnerId)
            return partner->gate->inFlight();
    }
    return 0;
}

QList<Partner> TransferEngine::activePartners() const
{
    QList<Partner> result;
    for (const auto &partner : partners()->active)
        result.append(partner->partner);
    return result;
}

void TransferEngine::process(const std::shared_ptr<EventContext> &event,
                             std::function<void()> done)
{
    const std::shared_ptr<const PartnerSet> set = partners();
    if (set->active.empty()) {
        done();
        return;
    }
    const TransferSettings settings = this->settings();
    TransferThreadState &state = threadState();
    state.prune(*set);

    auto pending = std::make_shared<PendingTransfers>();
    pending->event = event;
    pending->done = std::move(done);
    pending->startMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 nowNs = steadyNowNs();
    const qint64 elapsedMs = event->clock.elapsed();
    const qint64 waitMs = qMax<qint64>(0, event->deadlineMs - settings.ownTimeMs - elapsedMs);
    pending->deadlineNs = nowNs + waitMs * 1'000'000;
    const int budgetMs = int(event->deadlineMs - elapsedMs - settings.networkBufferMs
                             - settings.ownTimeMs);

    // The visitor's partner IDs: this call's declared ones first, then the stored syncs (read
    // once, and only for a visitor who can have any).
    std::optional<QHash<qint64, QString>> storedIds;
    const auto partnerIdOf = [&](qint64 dpid) -> QString {
        for (const DeclaredId &id : event->identity.declaredIds) {
            if (id.dpid == dpid)
                return id.id;
        }
        if (event->identity.source == IdentityResult::Source::New)
            return {};
        if (!storedIds) {
            QString error;
            storedIds = VisitorStore::partnerIdsOf(m_storage.reader(), event->identity.uuid,
                                                   &error);
            if (!error.isEmpty())
                qCWarning(lcTransfer).noquote() << "cannot read the visitor's synced IDs:"
                                                << error;
        }
        return storedIds->value(dpid);
    };

    const qint64 nowMs = pending->startMs;
    for (const std::shared_ptr<PartnerRuntime> &partner : set->active) {
        TransferRecord record;
        record.eventId = event->eventId;
        record.startMs = nowMs;
        record.tid = event->tid;
        record.uuid = event->identity.uuid;
        record.partnerId = partner->partner.id;
        record.dpid = partner->partner.dpid;
        record.partnerName = partner->partner.name;
        record.shadow = partner->partner.mode == Partner::Mode::Shadow;
        record.deadlineMs = event->deadlineMs;

        // Planned in this order: a call that would be skipped for its budget must not take a
        // probe slot of the breaker nor a token of the rate.
        const QString dpuuid = partnerIdOf(partner->partner.dpid);
        const int tmax = qMin(budgetMs, partner->partner.timeoutMs);
        bool probe = false;
        if (partner->partner.needsIdSync && dpuuid.isEmpty()) {
            record.outcome = TransferOutcome::NoIdSync;
            record.reason = QStringLiteral("the visitor has no ID synced with data source %1")
                                .arg(partner->partner.dpid);
        } else if (tmax < qMax(1, partner->partner.minBudgetMs)) {
            record.outcome = TransferOutcome::Skipped;
            record.reason = QStringLiteral("%1 ms left for the partner, below its minimum of %2 ms")
                                .arg(qMax(0, tmax))
                                .arg(partner->partner.minBudgetMs);
        } else if (const CircuitBreaker::Decision decision = partner->breaker->decide(nowMs);
                   decision == CircuitBreaker::Decision::Refuse) {
            record.outcome = TransferOutcome::CircuitOpen;
            record.reason = partner->breaker->status().reason;
        } else if (!partner->rateLimiter->tryTake(nowNs)) {
            record.outcome = TransferOutcome::RateLimited;
            record.reason = QStringLiteral("over the partner's maximum of %1 calls/s")
                                .arg(partner->partner.maxRate);
        } else {
            probe = decision == CircuitBreaker::Decision::Probe;
            PartnerCall call;
            call.tid = event->tid;
            call.uuid = event->identity.uuid;
            call.dpuuid = dpuuid;
            call.tmaxMs = tmax;
            call.timestampMs = nowMs;
            call.signalList = event->signalValues.signalList;
            if (partner->partner.mode == Partner::Mode::Live)
                ++pending->liveOutstanding;
            startAttempt(pending, partner, call, probe, std::move(record));
            continue;
        }
        finishAttempt(pending, std::move(record), nullptr, false);
    }

    if (pending->liveOutstanding == 0) {
        continueEvent(pending);
        return;
    }
    QTimer::singleShot(int(waitMs), Qt::PreciseTimer, &state,
                       [this, pending] { continueEvent(pending); });
}

void TransferEngine::startAttempt(const std::shared_ptr<PendingTransfers> &pending,
                                  const std::shared_ptr<PartnerRuntime> &partner,
                                  const PartnerCall &call, bool probe, TransferRecord record)
{
    const qint64 startNs = steadyNowNs();
    const PartnerRequest request = PartnerRequest::build(partner->endpoint, partner->partner, call,
                                                         partner->secret);
    record.budgetMs = call.tmaxMs;
    const bool live = !record.shadow;

    threadState().pool(*partner).call(
        request.wire(), startNs, partner->partner.timeoutMs,
        [this, pending, partner, record = std::move(record), probe, live, startNs,
         masked = request.maskedText()](PartnerExchange exchange) mutable {
            PartnerAnswerResult answer;
            complete(exchange, startNs, pending->deadlineNs, record, answer);
            partner->breaker->record(transferOutcomeIsFailure(record.outcome), probe,
                                     QDateTime::currentMSecsSinceEpoch());
            if (keepText(record)) {
                const int maxBytes = settings().textSampleMaxBytes;
                record.requestText = bounded(masked, maxBytes);
                record.responseText = bounded(responseTextOf(exchange), maxBytes);
            }
            finishAttempt(pending, std::move(record), &answer, live);
        });
}

void TransferEngine::complete(const PartnerExchange &exchange, qint64 startNs, qint64 deadlineNs,
                              TransferRecord &record, PartnerAnswerResult &answer) const
{
    classify(exchange, startNs, deadlineNs, record, answer);
    record.totalUs = microseconds(startNs, steadyNowNs());
    record.unmappedCodes = unmappedOf(m_rules.snapshot().get(), record.dpid, record.codes);
}

bool TransferEngine::keepText(const TransferRecord &record)
{
    const int every = settings().textSampleEvery;
    if (every <= 0)
        return false;
    if (record.outcome != TransferOutcome::Ok && record.outcome != TransferOutcome::Empty)
        return true;
    return m_sampleCounter.fetch_add(1, std::memory_order_relaxed) % quint64(every) == 0;
}

void TransferEngine::finishAttempt(const std::shared_ptr<PendingTransfers> &pending,
                                   TransferRecord record, const PartnerAnswerResult *answer,
                                   bool countsForEvent)
{
    RecordObserver observer;
    {
        QMutexLocker locker(&m_mutex);
        observer = m_recordObserver;
    }
    if (observer)
        observer(record);

    if (pending->continued) {
        storeAlone(std::move(record), answer);
        return;
    }
    const bool applies = !record.shadow && answer
                         && (record.outcome == TransferOutcome::Ok
                             || record.outcome == TransferOutcome::Empty);
    if (applies) {
        if (!record.codes.isEmpty())
            pending->event->partnerCodes.append(
                PartnerCodes{record.dpid, record.codes, record.ttlDays});
        for (const qint64 sid : removedTraitsOf(m_rules.snapshot().get(), record.dpid, *answer)) {
            if (!pending->event->removedTraits.contains(sid))
                pending->event->removedTraits.append(sid);
        }
        if (!record.codes.isEmpty() || !record.unsegments.isEmpty())
            pending->codeWrites.push_back(
                {record.dpid, record.codes, record.unsegments, record.ttlDays});
    }
    pending->rows.push_back(TransferLog::PreparedRow::from(record));
    if (countsForEvent && --pending->liveOutstanding == 0)
        continueEvent(pending);
}

void TransferEngine::continueEvent(const std::shared_ptr<PendingTransfers> &pending)
{
    if (pending->continued)
        return;
    pending->continued = true;
    EventContext &event = *pending->event;
    if (!pending->rows.empty() || !pending->codeWrites.empty()) {
        // Before the qualification stage's write in the same job: the unsegments' realizations
        // go first, then what this call realized is added.
        event.stageWrites.push_back(
            [rows = std::move(pending->rows), codes = std::move(pending->codeWrites),
             removed = event.removedTraits, uuid = event.identity.uuid,
             nowMs = event.receivedMs](WriteContext &context, QString *error) {
                for (const TransferLog::PreparedRow &row : rows) {
                    if (!TransferLog::write(context, row, error))
                        return false;
                }
                for (const PendingTransfers::Codes &partner : codes) {
                    if (!storeCodes(context, uuid, partner.dpid, partner.codes, partner.removed,
                                    partner.ttlDays, nowMs, error))
                        return false;
                }
                return removed.isEmpty()
                       || RealizationStore::removeRealizations(context, uuid, removed, nowMs,
                                                               error);
            });
    }
    const std::function<void()> done = std::move(pending->done);
    done();
}

void TransferEngine::storeAlone(TransferRecord record, const PartnerAnswerResult *answer)
{
    // After the event moved on: a live partner's late codes are applied now, in a write of
    // their own, over the visitor's stored profile — they count from the next call.
    const bool applyLate = !record.shadow && answer && record.outcome == TransferOutcome::Late
                           && (!record.codes.isEmpty() || !record.unsegments.isEmpty()
                               || !answer->removedSids.isEmpty());
    record.lateApplied = applyLate;
    const TransferLog::PreparedRow row = TransferLog::PreparedRow::from(record);
    std::shared_ptr<const RulesSnapshot> rules = applyLate ? m_rules.snapshot() : nullptr;
    const QList<qint64> removed = applyLate ? removedTraitsOf(rules.get(), record.dpid, *answer)
                                            : QList<qint64>();
    m_storage.writer().submit(
        [row, record = std::move(record), rules = std::move(rules),
         removed](WriteContext &context, QString *error) {
            if (!TransferLog::write(context, row, error))
                return false;
            if (!rules)
                return true;
            const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
            if (!storeCodes(context, record.uuid, record.dpid, record.codes, record.unsegments,
                            record.ttlDays, nowMs, error))
                return false;
            if (!removed.isEmpty()
                && !RealizationStore::removeRealizations(context, record.uuid, removed, nowMs,
                                                         error))
                return false;
            if (record.codes.isEmpty() && removed.isEmpty())
                return true;
            VisitorProfile profile;
            if (!RealizationStore::readProfile(context, record.uuid, nowMs, &profile, error))
                return false;
            QualifierInput input;
            input.partnerCodes = {PartnerCodes{record.dpid, record.codes, record.ttlDays}};
            input.removedTraits = removed;
            input.profile = &profile;
            input.nowMs = nowMs;
            input.uuid = record.uuid;
            input.tid = record.tid;
            const Qualification qualification = Qualifier::qualify(*rules, input);
            return RealizationStore::write(
                context, RealizationStore::PreparedQualification::from(record.uuid, qualification),
                error);
        },
        [](const WriteResult &result) {
            if (!result.ok)
                qCWarning(lcTransfer).noquote() << "a partner attempt was not stored:"
                                                << result.error;
        });
}

void TransferEngine::testCall(const Partner &partner, const std::optional<QByteArray> &secret,
                              const PartnerCall &call, std::function<void(TransferRecord)> done)
{
    const qint64 startNs = steadyNowNs();
    TransferRecord record;
    record.startMs = QDateTime::currentMSecsSinceEpoch();
    record.tid = call.tid;
    record.uuid = call.uuid;
    record.partnerId = partner.id;
    record.dpid = partner.dpid;
    record.partnerName = partner.name;
    record.shadow = partner.mode != Partner::Mode::Live;
    record.deadlineMs = call.tmaxMs;
    record.budgetMs = call.tmaxMs;

    QString error;
    const PartnerEndpoint endpoint = PartnerEndpoint::forPartner(partner, &error);
    if (!endpoint.isValid()) {
        record.outcome = TransferOutcome::NetworkError;
        record.reason = QStringLiteral("the endpoint is not valid: %1").arg(error);
        QTimer::singleShot(0, &threadState(), [done = std::move(done), record] { done(record); });
        return;
    }
    // A pool of its own per test partner and thread, with the partner's in-flight limit.
    auto runtime = std::make_shared<PartnerRuntime>();
    runtime->partner = partner;
    runtime->endpoint = endpoint;
    runtime->target = PartnerTarget{endpoint.host(), endpoint.port(), endpoint.isHttps()};
    runtime->gate = std::make_shared<InFlightGate>(partner.maxInFlight);
    {
        // One test pool per (partner, target) on this thread, so runs reuse connections.
        static QMutex keysMutex;
        static QHash<QString, quint64> keys;
        const QString name = QStringLiteral("%1|%2|%3|%4")
                                 .arg(partner.id)
                                 .arg(runtime->target.host)
                                 .arg(runtime->target.port)
                                 .arg(runtime->target.tls);
        QMutexLocker locker(&keysMutex);
        quint64 &key = keys[name];
        if (key == 0)
            key = g_nextPoolKey.fetch_add(1);
        runtime->poolKey = key;
    }
    const PartnerRequest request = PartnerRequest::build(endpoint, partner, call, secret);
    const qint64 deadlineNs = startNs + qint64(call.tmaxMs) * 1'000'000;
    threadState().pool(*runtime).call(
        request.wire(), startNs, partner.timeoutMs,
        [this, runtime, record = std::move(record), startNs, deadlineNs,
         masked = request.maskedText(), done = std::move(done)](PartnerExchange exchange) mutable {
            PartnerAnswerResult answer;
            complete(exchange, startNs, deadlineNs, record, answer);
            record.requestText = masked;
            record.responseText = responseTextOf(exchange);
            done(std::move(record));
        });
}

} // namespace Dcs
