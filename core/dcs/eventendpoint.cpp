#include "eventendpoint.h"

#include "common/jsonwriter.h"
#include "common/logging.h"
#include "dcsanswer.h"
#include "monitor/monitorfeed.h"
#include "storage/eventlog.h"
#include "storage/storage.h"
#include "storage/visitorstore.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace Dcs {

namespace {

constexpr int kMaxQueuedUnacknowledged = 20000;

QList<QPair<QByteArray, QByteArray>> headerPairs(const HttpRequest &request)
{
    QList<QPair<QByteArray, QByteArray>> pairs;
    pairs.reserve(request.headers.size());
    for (const HttpHeader &header : request.headers)
        pairs.append({header.name, header.value});
    return pairs;
}

bool isFormBody(const HttpRequest &request)
{
    return request.method == QByteArrayView("POST")
           && request.header("content-type")
                  .trimmed()
                  .toLower()
                  .startsWith("application/x-www-form-urlencoded");
}

QByteArray idsJson(const QList<qint64> &ids)
{
    static const QByteArray empty = QByteArrayLiteral("[]");
    if (ids.isEmpty())
        return empty; // shared, no allocation: the usual case
    QByteArray out;
    JsonWriter json(out);
    json.beginArray();
    for (qint64 id : ids)
        json.value(id);
    json.endArray();
    return out;
}

// The event-log row, serialized here on the listener thread with the JSON written directly
// (QJsonObject per row was a tenth of the handler's time).
EventRow rowOf(const EventContext &event)
{
    EventRow row;
    row.id = event.eventId;
    row.timeMs = event.receivedMs;
    row.tid = event.tid.toLatin1();
    row.uuid = event.identity.uuid.toLatin1(); // 38 digits
    QByteArray out;
    out.reserve(128);
    JsonWriter json(out);
    json.beginObject();
    for (const Signal &signal : event.signalValues.signalList) {
        if (SignalDecoder::isPrivateKey(signal.key))
            continue;
        json.key(signal.key).beginArray();
        for (const QString &value : signal.values)
            json.value(value);
        json.endArray();
    }
    json.endObject();
    row.signalValues = std::move(out);
    row.referer = event.referer.toUtf8();
    row.clientIp = event.clientIp.toLatin1();
    if (event.identity.declaredIds.isEmpty()) {
        row.declaredIds = idsJson({});
    } else {
        out = QByteArray();
        JsonWriter ids(out);
        ids.beginArray();
        for (const DeclaredId &id : event.identity.declaredIds) {
            ids.beginObject();
            ids.key(QLatin1StringView("dpid")).value(id.dpid);
            ids.key(QLatin1StringView("id")).value(id.id);
            ids.key(QLatin1StringView("auth")).value(qint64(id.authState));
            ids.endObject();
        }
        ids.endArray();
        row.declaredIds = std::move(out);
    }
    row.realizedTraits = idsJson(event.realizedTraits);
    row.realizedSegments = idsJson(event.realizedSegments);
    row.segmentsHeld = idsJson(event.segmentsHeld);
    row.errors = event.errors.isEmpty() ? idsJson({})
                                        : QJsonDocument(DcsAnswer::errorsJson(event.errors))
                                              .toJson(QJsonDocument::Compact);
    return row;
}

} // namespace

EventEndpoint::EventEndpoint(Storage &storage, IdentityResolver &identity, EventStats &stats)
    : m_storage(storage)
    , m_identity(identity)
    , m_stats(stats)
{
}

void EventEndpoint::setSettings(const EventEndpointSettings &settings)
{
    QMutexLocker locker(&m_settingsMutex);
    m_settings = settings;
}

EventEndpointSettings EventEndpoint::settings() const
{
    QMutexLocker locker(&m_settingsMutex);
    return m_settings;
}

void EventEndpoint::addStage(std::shared_ptr<EventStage> stage)
{
    m_stages.append(std::move(stage));
}

void EventEndpoint::handle(const HttpRequest &request, const RequestContext &context,
                           Responder respond)
{
    const EventEndpointSettings settings = this->settings();
    auto event = std::make_shared<EventContext>();
    event->clock.start();
    event->receivedMs = QDateTime::currentMSecsSinceEpoch();

    event->signalValues = SignalDecoder::decodeEvent(
        request.query, isFormBody(request) ? QByteArrayView(request.body) : QByteArrayView(),
        headerPairs(request), settings.signalLimits);
    if (event->signalValues.badEncoding) {
        // As at Adobe: one bad percent sequence and the whole call is ignored.
        m_stats.recordIgnored();
        respond(DcsAnswer::ignored(
            {DcsError{311, QStringLiteral("bad URL encoding: %1")
                               .arg(event->signalValues.badEncodingReason)}}));
        return;
    }
    const EventIds::Allocated ids = m_storage.eventIds().next();
    event->eventId = ids.id;
    event->tid = ids.tid;
    event->errors = event->signalValues.warnings;

    const DecodedSignals &values = event->signalValues;
    event->jsonAnswer = values.values(u"d_rtbd").contains(QStringLiteral("json"));
    if (const QStringList callback = values.values(u"d_cb"); !callback.isEmpty()) {
        if (DcsAnswer::isValidCallback(callback.first()))
            event->jsonpCallback = callback.first();
        else
            event->errors.append(DcsError{0, QStringLiteral("invalid d_cb: not a JavaScript "
                                                            "identifier; answering plain JSON")});
    }
    event->includeDests = values.values(u"d_dst").contains(QStringLiteral("1"));
    const QStringList cts = values.values(u"d_cts");
    event->includeTraits = cts.contains(QStringLiteral("1")) || cts.contains(QStringLiteral("2"));
    event->deadlineMs = settings.deadlineMs;
    if (const QStringList tmax = values.values(u"d_tmax"); !tmax.isEmpty()) {
        bool ok = false;
        const int asked = tmax.first().toInt(&ok);
        if (ok && asked > 0)
            event->deadlineMs = qMin(asked, settings.deadlineMs); // a call may only ask less
    }
    event->referer = QString::fromUtf8(request.header("referer"));
    event->clientIp = settings.maskClientIp ? DcsAnswer::maskAddress(context.peer)
                                            : context.peer.toString();

    event->identity = m_identity.resolve(values, request.header("cookie"));
    event->errors += event->identity.errors;

    auto sharedRespond = std::make_shared<Responder>(std::move(respond));
    if (event->identity.optedOut) {
        // Opted out: no partner calls, no qualification, nothing stored.
        m_stats.recordOptedOut();
        event->errors.append(DcsError{171, QStringLiteral("opted out")});
        m_stats.recordAnswered(event->clock.nsecsElapsed() / 1000, true);
        (*sharedRespond)(DcsAnswer::forEvent(*event, settings.dcsRegion));
        return;
    }
    runStage(event, 0, sharedRespond);
}

void EventEndpoint::runStage(const std::shared_ptr<EventContext> &event, qsizetype index,
                             const std::shared_ptr<Responder> &respond)
{
    if (index >= m_stages.size()) {
        finish(event, respond);
        return;
    }
    m_stages.at(index)->process(event, [this, event, index, respond] {
        runStage(event, index + 1, respond);
    });
}

void EventEndpoint::finish(const std::shared_ptr<EventContext> &event,
                           const std::shared_ptr<Responder> &respond)
{
    const EventEndpointSettings settings = this->settings();
    HttpResponse answer = DcsAnswer::forEvent(*event, settings.dcsRegion);
    const bool hadErrors = !event->errors.isEmpty();
    const auto deliver = [this, event, respond, hadErrors](HttpResponse response) {
        const qint64 latencyUs = event->clock.nsecsElapsed() / 1000;
        m_stats.recordAnswered(latencyUs, hadErrors);
        if (m_monitor)
            m_monitor->recordEvent(latencyUs);
        (*respond)(std::move(response));
    };

    EventRow row = rowOf(*event); // serialized here, not on the single writer
    const QList<DeclaredId> links = event->identity.declaredIds;
    WriteJob job = [row = std::move(row), links, stageWrites = std::move(event->stageWrites)](
                       WriteContext &context, QString *error) {
        if (!VisitorStore::touchVisitor(context, QByteArrayView(row.uuid), row.timeMs, error))
            return false;
        for (const DeclaredId &id : links) {
            if (!VisitorStore::link(context, id, QString::fromLatin1(row.uuid), row.timeMs, error))
                return false;
        }
        for (const WriteJob &stageWrite : stageWrites) {
            if (!stageWrite(context, error))
                return false;
        }
        return EventLog::write(context, row, error);
    };
    const auto runAfterCommit = [afterCommit = std::move(event->afterCommit)](bool committed) {
        for (const auto &callback : afterCommit)
            callback(committed);
    };

    // Listener workers and the transfer engine's threads submit all the time: what this job
    // and its callback captured is freed back here, where it was allocated.
    StorageWriter::disposeJobsOnThisThread();
    // Answering before the commit must not let the writer's queue grow without bound: past
    // kMaxQueuedUnacknowledged the call waits for its commit like a durable one (back-pressure).
    if (!settings.answerAfterCommit
        && m_storage.writer().queuedApproximately() < kMaxQueuedUnacknowledged) {
        m_storage.writer().submit(std::move(job), [this, runAfterCommit](const WriteResult &result) {
            if (!result.ok)
                m_stats.recordStoreFailure();
            runAfterCommit(result.ok);
        });
        deliver(std::move(answer));
        return;
    }
    m_storage.writer().submit(std::move(job), [this, deliver, runAfterCommit,
                                               answer = std::move(answer)](
                                                  const WriteResult &result) {
        runAfterCommit(result.ok);
        if (result.ok) {
            deliver(answer);
            return;
        }
        // Not durable: say so rather than pretend; the caller may retry.
        m_stats.recordStoreFailure();
        qCWarning(lcListener).noquote() << "event not stored:" << result.error;
        deliver(HttpResponse::jsonError(503).withHeader(QByteArrayLiteral("Retry-After"),
                                                        QByteArrayLiteral("1")));
    });
}

} // namespace Dcs
