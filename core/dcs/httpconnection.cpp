#include "httpconnection.h"

#include "common/logging.h"
#include "listenershared.h"
#include "listenerworker.h"

#include <QTcpSocket>
#include <QThread>

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#endif

namespace Dcs {

namespace {

constexpr qint64 kReadChunkBytes = 16 * 1024;
// Qt stops reading from the kernel when this much is buffered: the client is slowed by TCP
// flow control instead of our memory growing.
constexpr qint64 kSocketReadBufferBytes = 64 * 1024;
// Pipelined requests are not parsed while this much of their answers is still unsent ...
constexpr qint64 kMaxPendingWriteBytes = 64 * 1024;
// ... or while this many of their answers are still being worked on.
constexpr size_t kMaxAnswersOwed = 64;
// After the last answer on a closing connection: how long to wait for the client to close.
constexpr int kLingerMs = 2000;

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, const DcsListener::Limits &limits,
                               std::shared_ptr<ListenerShared> shared, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_shared(std::move(shared))
    , m_self(std::make_shared<QPointer<HttpConnection>>(this))
    , m_parser(HttpRequestParser::Limits{limits.maxHeaderBytes, limits.maxBodyBytes})
    , m_limits(limits)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kSocketReadBufferBytes);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::processInput);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::finish);
    processInput();
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::abortNow()
{
    m_finished = true;
    m_timer.stop();
    m_socket->disconnect(this);
    m_socket->abort();
    deleteLater();
}

void HttpConnection::processInput()
{
    if (m_finished)
        return;
    if (m_closing) {
        // Read and drop what the client still sends: closing with unread data would reset the
        // connection and could destroy the answer before the client reads it.
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    while (!m_closeAfterAnswers) {
        if (m_slots.size() >= kMaxAnswersOwed)
            break; // complete() resumes
        if (m_socket->bytesToWrite() >= kMaxPendingWriteBytes) {
            flushOutput();
            if (m_finished)
                return;
            if (m_socket->bytesToWrite() >= kMaxPendingWriteBytes)
                break; // onBytesWritten() resumes
        }
        if (m_inputPos == m_input.size()) {
            // Only what is there: a fixed 16 KiB read allocated a large block per request,
            // and glibc consolidated its free lists for each one.
            const qint64 available = m_socket->bytesAvailable();
            if (available <= 0)
                break;
            m_input = m_socket->read(qMin(available, kReadChunkBytes));
            m_inputPos = 0;
            if (m_input.isEmpty())
                break;
        }
        m_inputPos += m_parser.feed(QByteArrayView(m_input).sliced(m_inputPos));

        if (m_parser.status() == HttpRequestParser::Status::Error) {
            qCDebug(lcListener) << "bad request from" << m_socket->peerAddress()
                                << m_parser.errorStatus() << m_parser.errorReason();
            ++m_shared->badRequests;
            // Earlier pipelined requests still get their answers first.
            m_slots.push_back(Slot{m_nextSlotId++, false, false, true,
                                   HttpResponse::jsonError(m_parser.errorStatus())
                                       .serialize(false, false)});
            m_closeAfterAnswers = true;
            writeReadyAnswers();
            return;
        }
        if (m_parser.status() == HttpRequestParser::Status::Complete) {
            dispatch(m_parser.takeRequest());
            if (m_finished)
                return;
            m_timerPhase = TimerPhase::None; // the next request gets fresh timers
        }
    }
    flushOutput();
    if (!m_finished)
        updateTimer();
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
        auto deliver = [self, id, response = std::move(response)] {
            if (HttpConnection *connection = self->data())
                connection->complete(id, response);
        };
        if (QThread::currentThread() == worker->thread())
            deliver();
        else
            worker->post(std::move(deliver));
    };

    const std::shared_ptr<RequestHandler> handler = m_shared->handler();
    if (!handler) {
        respond(HttpResponse::jsonError(503));
        return;
    }
    handler->handle(request, RequestContext{m_socket->peerAddress(), false}, std::move(respond));
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
    if (!m_finished && !m_closing && !m_closeAfterAnswers)
        processInput(); // requests held back while too many answers were owed
}

void HttpConnection::writeReadyAnswers()
{
    bool wrote = false;
    while (!m_slots.empty() && m_slots.front().ready) {
        const Slot slot = std::move(m_slots.front());
        m_slots.pop_front();
        m_socket->write(slot.bytes);
        wrote = true;
        if (!slot.keepAlive) {
            m_slots.clear();
            startClosing();
            return;
        }
    }
    if (wrote)
        flushOutput();
    if (!m_finished)
        updateTimer();
}

void HttpConnection::onBytesWritten()
{
    if (m_finished || m_flushing)
        return;
    if (m_closing) {
        if (!m_halfClosed && m_socket->bytesToWrite() == 0)
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
        qCDebug(lcListener) << "request timeout, closing" << m_socket->peerAddress();
        m_socket->write(HttpResponse::jsonError(408).serialize(false, false));
        m_slots.clear();
        startClosing();
        return;
    case TimerPhase::Idle:
        qCDebug(lcListener) << "idle timeout, closing" << m_socket->peerAddress();
        break;
    case TimerPhase::Linger:
    case TimerPhase::None:
        break;
    }
    m_socket->abort();
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
    m_closing = true;
    m_input.clear();
    m_inputPos = 0;
    armTimer(TimerPhase::Linger, qMin(kLingerMs, qMax(m_limits.idleTimeoutMs, 1)));
    m_socket->skip(m_socket->bytesAvailable());
    flushOutput();
    if (!m_finished && m_socket->bytesToWrite() == 0)
        halfClose();
}

// Hands the answers to the kernel now rather than on the next event-loop pass: lower latency,
// and a client that half-closes after its requests still gets them (Qt drops its write buffer
// when it reads the end of the stream).
void HttpConnection::flushOutput()
{
    m_flushing = true; // flush() may emit bytesWritten() from inside
    m_socket->flush();
    m_flushing = false;
}

// Sends FIN after the answer and waits for the client's (or the linger timeout): the client
// reads the whole answer even if it was still sending (nginx's "lingering close").
void HttpConnection::halfClose()
{
    if (m_halfClosed)
        return;
    m_halfClosed = true;
#if defined(Q_OS_UNIX)
    const qintptr descriptor = m_socket->socketDescriptor();
    if (descriptor >= 0 && ::shutdown(static_cast<int>(descriptor), SHUT_WR) == 0)
        return;
#endif
    m_socket->disconnectFromHost();
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
    Q_EMIT finished();
    deleteLater();
}

} // namespace Dcs
