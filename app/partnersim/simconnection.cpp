#include "simconnection.h"

#include "controlendpoints.h"
#include "simulatorstate.h"

#include <QTcpSocket>

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#endif

namespace Dcs {

namespace {

// Requests of up to 64 KiB: a partner call is far smaller; more is refused with 413 / 431.
constexpr HttpRequestParser::Limits kRequestLimits{16 * 1024, 64 * 1024};
constexpr qint64 kReadChunkBytes = 16 * 1024;
// Qt stops reading from the kernel when this much is buffered: TCP flow control slows the
// client instead of memory growing.
constexpr qint64 kSocketReadBufferBytes = 64 * 1024;
// Pipelined requests are not parsed while this many answers are owed (a hang holds them all).
constexpr size_t kMaxAnswersOwed = 64;
// Between the partial answer and the reset: long enough for the bytes to reach the client
// first, short against any call's deadline.
constexpr int kResetDelayMs = 10;

} // namespace

SimConnection::SimConnection(QTcpSocket *socket, std::shared_ptr<SimulatorState> state,
                             QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_state(std::move(state))
    , m_parser(kRequestLimits)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kSocketReadBufferBytes);
    // Without it Nagle's algorithm would merge the drip's single bytes and delay answers.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_fromLoopback = m_socket->peerAddress().isLoopback();
    m_dripTimer.setInterval(kDripIntervalMs);
    m_dripTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_dripTimer, &QTimer::timeout, this, &SimConnection::dripNextByte);
    connect(m_socket, &QTcpSocket::readyRead, this, &SimConnection::processInput);
    connect(m_socket, &QTcpSocket::disconnected, this, &SimConnection::finish);
    // Nothing is read here: bytes already waiting raise readyRead() on the next loop pass, when
    // the worker is connected to finished().
}

SimConnection::~SimConnection() = default;

void SimConnection::abortNow()
{
    m_socket->disconnect(this);
    m_socket->abort();
    finish();
}

void SimConnection::processInput()
{
    while (!m_finished) {
        parseAvailableInput();
        const size_t owedBefore = m_pending.size();
        deliverReadyAnswers();
        // Answers that left make room for requests held back by kMaxAnswersOwed.
        if (m_finished || m_pending.size() == owedBefore || !hasUnparsedInput())
            break;
    }
}

void SimConnection::parseAvailableInput()
{
    if (m_closing || m_stopReading) {
        // Nothing after a closing request is answered: read and drop it.
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    while (!m_stopReading && m_pending.size() < kMaxAnswersOwed) {
        if (m_inputPos == m_input.size()) {
            const qint64 available = m_socket->bytesAvailable();
            if (available <= 0)
                return;
            m_input = m_socket->read(qMin(available, kReadChunkBytes));
            m_inputPos = 0;
            if (m_input.isEmpty())
                return;
        }
        m_inputPos += m_parser.feed(QByteArrayView(m_input).sliced(m_inputPos));

        if (m_parser.status() == HttpRequestParser::Status::Error) {
            // Garbage: answered after what was asked before it, then the connection closes.
            m_state->countRequest();
            m_state->countAnswer(AnswerKind::BadRequest);
            const SimAnswer answer = SimAnswer::error(
                m_parser.errorStatus(), QString::fromLatin1(m_parser.errorReason()));
            m_pending.push_back({m_nextId++, false, true, false, Delivery::Whole,
                                 answer.serialize(false)});
            m_stopReading = true;
            return;
        }
        if (m_parser.status() == HttpRequestParser::Status::Complete)
            dispatch(m_parser.takeRequest());
    }
}

bool SimConnection::hasUnparsedInput() const
{
    return m_inputPos < m_input.size() || m_socket->bytesAvailable() > 0;
}

void SimConnection::dispatch(const HttpRequest &request)
{
    PendingAnswer pending;
    pending.id = m_nextId++;
    pending.keepAlive = request.keepAlive();
    if (!pending.keepAlive)
        m_stopReading = true;

    if (isControlPath(request.path)) {
        pending.bytes = answerControlRequest(request, m_fromLoopback, *m_state)
                            .serialize(pending.keepAlive);
        pending.ready = true;
        m_pending.push_back(std::move(pending));
        return;
    }

    m_state->countRequest();
    pending.inFlight = true;
    ++m_inFlight;
    m_state->addInFlight(1);
    const std::shared_ptr<const SimulatorConfig> config = m_state->config();
    const AnswerPlan plan = planPartnerAnswer(request, *config, m_state->nextRequestSequence());
    m_state->countAnswer(plan.kind);
    if (plan.signatureFailed)
        m_state->countSignatureFailure();
    pending.delivery = plan.delivery;
    if (plan.delivery != Delivery::Close && plan.delivery != Delivery::Hang)
        pending.bytes = plan.answer.serialize(pending.keepAlive);
    if (plan.delivery == Delivery::Hang) {
        // Never ready: it holds every later answer of this connection too, as a hung server
        // would.
    } else if (plan.delayMs <= 0) {
        pending.ready = true;
    } else {
        const quint64 id = pending.id;
        QTimer::singleShot(plan.delayMs, Qt::PreciseTimer, this, [this, id] { markReady(id); });
    }
    m_pending.push_back(std::move(pending));
}

void SimConnection::markReady(quint64 id)
{
    for (PendingAnswer &pending : m_pending) {
        if (pending.id == id) {
            pending.ready = true;
            break;
        }
    }
    processInput();
}

void SimConnection::deliverReadyAnswers()
{
    bool wrote = false;
    while (!m_finished && !m_closing && !m_dripping && !m_pending.empty()
           && m_pending.front().ready) {
        PendingAnswer pending = std::move(m_pending.front());
        m_pending.pop_front();
        switch (pending.delivery) {
        case Delivery::Whole:
            m_socket->write(pending.bytes);
            wrote = true;
            answered(pending.inFlight);
            if (!pending.keepAlive) {
                closeGracefully();
                return;
            }
            break;
        case Delivery::Drip:
            startDrip(std::move(pending));
            return;
        case Delivery::Reset:
            resetAfterPartialAnswer(pending.bytes);
            return;
        case Delivery::Close:
            answered(pending.inFlight);
            closeGracefully();
            return;
        case Delivery::Hang:
            break; // never ready
        }
    }
    // Into the kernel now rather than on the next event-loop pass: the latency is the plan's.
    if (wrote && !m_finished)
        m_socket->flush();
}

void SimConnection::startDrip(PendingAnswer answer)
{
    m_dripping = true;
    m_dripBytes = std::move(answer.bytes);
    m_dripPos = 0;
    m_dripKeepAlive = answer.keepAlive;
    dripNextByte();
    if (m_dripping && !m_finished)
        m_dripTimer.start();
}

void SimConnection::dripNextByte()
{
    if (m_finished)
        return;
    m_socket->write(m_dripBytes.constData() + m_dripPos, 1);
    ++m_dripPos;
    m_socket->flush();
    if (m_finished || m_dripPos < m_dripBytes.size())
        return;
    m_dripTimer.stop();
    m_dripping = false;
    m_dripBytes.clear();
    answered(true);
    if (m_dripKeepAlive)
        processInput();
    else
        closeGracefully();
}

void SimConnection::resetAfterPartialAnswer(const QByteArray &bytes)
{
    m_closing = true;
    m_socket->write(bytes.first(qMax<qsizetype>(bytes.size() / 2, 1)));
    m_socket->flush();
    answered(true);
    if (!m_finished)
        QTimer::singleShot(kResetDelayMs, this, &SimConnection::resetNow);
}

// SO_LINGER with a zero timeout makes close() send RST instead of FIN: the client sees
// "connection reset by peer" after the partial answer.
void SimConnection::resetNow()
{
    if (m_finished)
        return;
#if defined(Q_OS_UNIX)
    const qintptr descriptor = m_socket->socketDescriptor();
    if (descriptor >= 0) {
        const linger resetOnClose{1, 0};
        ::setsockopt(int(descriptor), SOL_SOCKET, SO_LINGER, &resetOnClose,
                     sizeof(resetOnClose));
    }
#endif
    m_socket->abort();
    finish();
}

void SimConnection::closeGracefully()
{
    m_closing = true;
    m_socket->skip(m_socket->bytesAvailable());
    // Sends what is still buffered, then FIN; disconnected() then finishes this connection.
    m_socket->disconnectFromHost();
}

// Only partner calls count in in_flight: control answers and parse errors are ready at once.
void SimConnection::answered(bool inFlight)
{
    if (!inFlight)
        return;
    --m_inFlight;
    m_state->addInFlight(-1);
}

void SimConnection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_dripTimer.stop();
    m_pending.clear();
    m_state->addInFlight(-m_inFlight); // answers this connection will never give
    m_inFlight = 0;
    Q_EMIT finished();
    deleteLater();
}

} // namespace Dcs
