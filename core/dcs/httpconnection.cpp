#include "httpconnection.h"

#include "common/logging.h"
#include "listenershared.h"
#include "listenerworker.h"
#include "socketchannel.h"

#include <QScopedValueRollback>
#include <QThread>

namespace Dcs {

namespace {

constexpr qsizetype kReadChunkBytes = 16 * 1024;
// Pipelined requests are not parsed while this much of their answers is still unsent ...
constexpr qint64 kMaxPendingWriteBytes = 64 * 1024;
// ... or while this many of their answers are still being worked on.
constexpr size_t kMaxAnswersOwed = 64;
// After the last answer on a closing connection: how long to wait for the client to close.
constexpr int kLingerMs = 2000;

} // namespace

HttpConnection::HttpConnection(SocketChannel *channel, const DcsListener::Limits &limits,
                               std::shared_ptr<ListenerShared> shared, QObject *parent)
    : QObject(parent)
    , m_channel(channel)
    , m_shared(std::move(shared))
    , m_self(std::make_shared<QPointer<HttpConnection>>(this))
    , m_parser(HttpRequestParser::Limits{limits.maxHeaderBytes, limits.maxBodyBytes})
    , m_limits(limits)
{
    m_channel->setParent(this);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    connect(m_channel, &SocketChannel::readable, this, &HttpConnection::processInput);
    connect(m_channel, &SocketChannel::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_channel, &SocketChannel::failed, this, &HttpConnection::finish);
    // Nothing is read here: the read notifier reports what is already waiting, and a finish()
    // from inside the constructor would come before anyone listens to finished().
    armTimer(TimerPhase::Idle, m_limits.idleTimeoutMs);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::abortNow()
{
    m_finished = true;
    m_timer.stop();
    m_channel->close();
    deleteLater();
}

void HttpConnection::processInput()
{
    if (m_finished || m_processingInput)
        return; // complete() of a synchronous answer: the loop below goes on by itself
    if (m_closing) {
        discardWhileClosing();
        return;
    }
    const QScopedValueRollback guard(m_processingInput, true);
    // Every connection of this thread reads into the same block, so an idle connection holds
    // no buffer; what must wait for later is copied into m_unparsed.
    static thread_local char scratch[kReadChunkBytes];
    QByteArrayView input(m_unparsed);
    bool inputIsScratch = false;
    // A read that did not fill the block took all there was: reading again would only say so
    // (one wasted system call per request). The notifier reports whatever arrives next.
    bool socketMayHaveMore = true;
    m_inputHeldBack = false;
    while (!m_closeAfterAnswers) {
        if (m_slots.size() >= kMaxAnswersOwed
            || m_channel->bytesToWrite() >= kMaxPendingWriteBytes) {
            m_inputHeldBack = true; // complete() or onBytesWritten() resumes
            break;
        }
        if (input.isEmpty()) {
            if (m_inputEnded || !socketMayHaveMore)
                break;
            const SocketChannel::ReadResult read = m_channel->read(scratch, sizeof(scratch));
            if (read.status == SocketChannel::ReadStatus::WouldBlock)
                break;
            if (read.status == SocketChannel::ReadStatus::EndOfStream) {
                m_inputEnded = true;
                break;
            }
            if (read.status == SocketChannel::ReadStatus::Failed) {
                m_channel->close(); // reset by the peer: nobody is left to answer
                finish();
                return;
            }
            input = QByteArrayView(scratch, read.bytes);
            inputIsScratch = true;
            socketMayHaveMore = read.bytes == qsizetype(sizeof(scratch));
        }
        input = input.sliced(m_parser.feed(input));

        if (m_parser.status() == HttpRequestParser::Status::Error) {
            qCDebug(lcListener) << "bad request from" << m_channel->peerAddress()
                                << m_parser.errorStatus() << m_parser.errorReason();
            ++m_shared->badRequests;
            m_unparsed.clear();
            // Earlier pipelined requests still get their answers first.
            m_slots.push_back(Slot{m_nextSlotId++, false, false, true,
                                   HttpResponse::jsonError(m_parser.errorStatus())
                                       .serialize(false, false)});
            m_closeAfterAnswers = true;
            m_channel->setReadEnabled(false);
            writeReadyAnswers();
            return;
        }
        if (m_parser.status() == HttpRequestParser::Status::Complete) {
            dispatch(m_parser.takeRequest());
            if (m_finished || m_closing)
                return; // answered at once and closing: startClosing() dropped the rest
            m_timerPhase = TimerPhase::None; // the next request gets fresh timers
        }
    }
    if (input.isEmpty())
        m_unparsed.clear();
    else if (inputIsScratch)
        m_unparsed = input.toByteArray();
    else
        m_unparsed = m_unparsed.last(input.size());
    // Not reading while held back lets the kernel's buffer fill and TCP slow the client down.
    m_channel->setReadEnabled(!m_inputHeldBack && !m_closeAfterAnswers && !m_inputEnded);
    if (!flushOutput())
        return;
    if (m_inputEnded && m_slots.empty() && !m_closing) {
        startClosing(); // nothing more can come and nothing is owed
        return;
    }
    updateTimer();
}

// After the last answer: read and drop what the client still sends (closing with unread data
// would reset the connection and could destroy the answer before the client reads it) until
// it closes its side.
void HttpConnection::discardWhileClosing()
{
    if (!m_inputEnded && !m_channel->discardInput())
        m_inputEnded = true;
    if (m_inputEnded) {
        m_channel->setReadEnabled(false);
        if (m_halfClosed)
            finish();
    }
}

void HttpConnection::dispatch(const HttpRequest &request)
{
    const quint64 id = m_nextSlotId++;
    const bool keepAlive = request.keepAlive();
    m_slots.push_back(Slot{id, keepAlive, request.method == QByteArrayView("HEAD"), false, {}});
    if (!keepAlive)
        m_closeAfterAnswers = true; // nothing after this request is read
    ++m_shared->requests;

    if (m_shared->inFlight.fetch_add(1) >= m_shared->maxInFlight.load()) {
        --m_shared->inFlight;
        ++m_shared->busyRejections;
        complete(id, HttpResponse::jsonError(429).withHeader(QByteArrayLiteral("Retry-After"),
                                                             QByteArrayLiteral("1")));
        return;
    }

    // The responder may run on any thread, once, possibly after this connection is gone.
    auto *worker = static_cast<ListenerWorker *>(parent());
    auto answered = std::make_shared<std::atomic<bool>>(false);
    Responder respond = [self = m_self, shared = m_shared, worker, answered,
                         id](HttpResponse response) {
        if (answered->exchange(true))
            return;
        --shared->inFlight;
        if (QThread::currentThread() != worker->thread())
            worker->deliver(self, id, std::move(response));
        else if (HttpConnection *connection = self->data())
            connection->complete(id, response);
    };

    const std::shared_ptr<RequestHandler> handler = m_shared->handler();
    if (!handler) {
        respond(HttpResponse::jsonError(503));
        return;
    }
    handler->handle(request, RequestContext{m_channel->peerAddress(), false}, std::move(respond));
}

void HttpConnection::complete(quint64 id, const HttpResponse &response)
{
    if (m_finished)
        return;
    for (Slot &slot : m_slots) {
        if (slot.id == id) {
            slot.bytes = response.serialize(slot.keepAlive, slot.headOnly);
            slot.ready = true;
            break;
        }
    }
    writeReadyAnswers();
    // Only input held back while too many answers were owed needs a push; otherwise the read
    // notifier reports the next request (a read here would mostly find nothing: one wasted
    // system call per answer).
    if (m_inputHeldBack && !m_finished && !m_closing && !m_closeAfterAnswers)
        processInput();
}

void HttpConnection::writeReadyAnswers()
{
    bool wrote = false;
    while (!m_slots.empty() && m_slots.front().ready) {
        const Slot slot = std::move(m_slots.front());
        m_slots.pop_front();
        m_channel->write(slot.bytes);
        wrote = true;
        if (!slot.keepAlive) {
            m_slots.clear();
            startClosing();
            return;
        }
    }
    if (wrote && !flushOutput())
        return;
    if (m_inputEnded && m_slots.empty()) {
        startClosing(); // the client's stream ended and its last answer is out
        return;
    }
    updateTimer();
}

void HttpConnection::onBytesWritten()
{
    if (m_finished)
        return;
    if (m_closing) {
        if (!m_halfClosed && m_channel->bytesToWrite() == 0)
            halfClose();
        return;
    }
    if (m_timerPhase == TimerPhase::Idle)
        armTimer(TimerPhase::Idle, m_limits.idleTimeoutMs); // the client is reading: not idle
    processInput();      // resumes pipelined requests held back by kMaxPendingWriteBytes
}

void HttpConnection::onTimeout()
{
    if (m_timerPhase == TimerPhase::None)
        return; // answers are being worked on: no limit runs
    if (!m_deadline.hasExpired()) {
        // Re-armed since the timer was started: fire again at the phase's own deadline.
        m_timer.start(qMax<qint64>(m_deadline.remainingTime(), 1));
        m_timerFiresAt = m_deadline;
        return;
    }
    switch (m_timerPhase) {
    case TimerPhase::Request:
        qCDebug(lcListener) << "request timeout, closing" << m_channel->peerAddress();
        m_channel->write(HttpResponse::jsonError(408).serialize(false, false));
        m_slots.clear();
        startClosing();
        return;
    case TimerPhase::Idle:
        qCDebug(lcListener) << "idle timeout, closing" << m_channel->peerAddress();
        break;
    case TimerPhase::Linger:
    case TimerPhase::None:
        break;
    }
    m_channel->close();
    finish();
}

// A partial request runs against the slow-request limit; a connection with nothing owed and
// nothing partial against the idle limit; while answers are being worked on, neither.
void HttpConnection::updateTimer()
{
    if (m_closing)
        return;
    if (m_parser.hasPartialRequest()) {
        if (m_timerPhase != TimerPhase::Request)
            armTimer(TimerPhase::Request, m_limits.requestTimeoutMs);
    } else if (!m_slots.empty()) {
        m_timerPhase = TimerPhase::None; // the timer may still fire: onTimeout() ignores it
    } else if (m_timerPhase != TimerPhase::Idle) {
        armTimer(TimerPhase::Idle, m_limits.idleTimeoutMs);
    }
}

void HttpConnection::startClosing()
{
    if (m_closing)
        return;
    m_closing = true;
    m_unparsed.clear();
    armTimer(TimerPhase::Linger, qMin(kLingerMs, qMax(m_limits.idleTimeoutMs, 1)));
    m_channel->setReadEnabled(!m_inputEnded); // to see the client's end of stream
    discardWhileClosing();
    if (!flushOutput())
        return;
    if (m_channel->bytesToWrite() == 0)
        halfClose();
}

// Hands the answers to the kernel now rather than on the next event-loop pass: lower latency,
// and one send() for a burst of pipelined answers.
bool HttpConnection::flushOutput()
{
    if (m_channel->flush())
        return true;
    finish(); // the peer is gone
    return false;
}

// Sends FIN after the answer and waits for the client's (or the linger timeout): the client
// reads the whole answer even if it was still sending (nginx's "lingering close"). A client
// that already ended its stream has nothing left to wait for.
void HttpConnection::halfClose()
{
    if (m_halfClosed)
        return;
    m_halfClosed = true;
    if (m_inputEnded || !m_channel->shutdownWrite())
        finish();
}

// Restarting a QTimer on every request and answer cost two timer registrations per call. The
// phase's deadline is kept here instead, and the timer is only restarted when it would fire
// after that deadline; firing early just re-arms it (onTimeout()).
void HttpConnection::armTimer(TimerPhase phase, int ms)
{
    m_timerPhase = phase;
    m_deadline = QDeadlineTimer(qMax(ms, 1));
    if (!m_timer.isActive() || m_timerFiresAt.deadline() > m_deadline.deadline()) {
        m_timer.start(qMax(ms, 1));
        m_timerFiresAt = m_deadline;
    }
}

void HttpConnection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_timer.stop();
    m_channel->close(); // the kernel still delivers what was sent, then FIN
    Q_EMIT finished();
    deleteLater();
}

} // namespace Dcs
