#include "partnerconnectionpool.h"

#include <QBasicTimer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimerEvent>

#include "httpresponsereader.h"

namespace Dcs {

namespace {

qint32 microsecondsSince(qint64 startNs, qint64 nowNs)
{
    return qint32(qBound<qint64>(0, (nowNs - startNs) / 1000, qint64(std::numeric_limits<qint32>::max())));
}

int millisecondsUntil(qint64 whenNs, qint64 nowNs)
{
    // Rounded up: a timer must not fire before the instant it stands for.
    return int(qMax<qint64>(0, (whenNs - nowNs + 999'999) / 1'000'000));
}

QString socketErrorReason(QAbstractSocket *socket)
{
    switch (socket->error()) {
    case QAbstractSocket::ConnectionRefusedError:
        return QStringLiteral("connection refused");
    case QAbstractSocket::HostNotFoundError:
        return QStringLiteral("host not found (DNS)");
    case QAbstractSocket::RemoteHostClosedError:
        return QStringLiteral("connection closed by the partner");
    case QAbstractSocket::NetworkError:
        return QStringLiteral("network error: %1").arg(socket->errorString());
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        return QStringLiteral("TLS: %1").arg(socket->errorString());
    default:
        return socket->errorString();
    }
}

} // namespace

// One keep-alive connection of a pool, carrying at most one call at a time.
class PartnerConnection final : public QObject
{
public:
    PartnerConnection(PartnerConnectionPool *pool, const PartnerTarget &target)
        : QObject(pool)
        , m_pool(pool)
        , m_target(target)
    {
        if (target.tls) {
            auto *ssl = new QSslSocket(this);
            connect(ssl, &QSslSocket::encrypted, this, &PartnerConnection::onEncrypted);
            connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
                // Certificate problems are not ignored: the call fails with the first of them.
                if (!errors.isEmpty())
                    m_tlsError = errors.first().errorString();
            });
            m_socket = ssl;
        } else {
            m_socket = new QTcpSocket(this);
        }
        connect(m_socket, &QAbstractSocket::connected, this, &PartnerConnection::onConnected);
        connect(m_socket, &QIODevice::readyRead, this, &PartnerConnection::onReadyRead);
        connect(m_socket, &QIODevice::bytesWritten, this, &PartnerConnection::onBytesWritten);
        connect(m_socket, &QAbstractSocket::disconnected, this, &PartnerConnection::onClosed);
        connect(m_socket, &QAbstractSocket::errorOccurred, this, &PartnerConnection::onClosed);
    }

    bool isReady() const { return m_ready && !m_dead; }

    void start(std::unique_ptr<PartnerConnectionPool::Call> call, bool reused)
    {
        m_call = std::move(call);
        m_reused = reused;
        m_reader.reset();
        m_written = 0;
        m_idleTimer.stop();
        const qint64 now = steadyNowNs();
        m_callTimer.start(millisecondsUntil(m_call->expiresNs, now), Qt::PreciseTimer, this);
        if (m_ready) {
            m_call->timings.connectUs = m_call->timings.queueUs;
            if (m_target.tls)
                m_call->timings.tlsUs = m_call->timings.queueUs;
            send();
            return;
        }
        // Connected from the event loop, never inside the caller's call(): a socket may report
        // some failures synchronously, and callbacks must not run re-entrantly.
        QMetaObject::invokeMethod(this, [this] {
            if (m_dead || !m_call)
                return;
            if (m_target.tls)
                static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(m_target.host,
                                                                             m_target.port);
            else
                m_socket->connectToHost(m_target.host, m_target.port);
        }, Qt::QueuedConnection);
    }

    void goIdle()
    {
        m_callTimer.stop();
        m_idleTimer.start(PartnerConnectionPool::IdleCloseMs, Qt::CoarseTimer, this);
    }

    void shutDown()
    {
        m_dead = true;
        m_callTimer.stop();
        m_idleTimer.stop();
        m_socket->disconnect(this);
        m_socket->abort();
    }

protected:
    void timerEvent(QTimerEvent *event) override
    {
        if (event->timerId() == m_idleTimer.timerId()) {
            m_idleTimer.stop();
            shutDown();
            m_pool->closedWhileIdle(this);
            return;
        }
        if (event->timerId() != m_callTimer.timerId() || !m_call)
            return;
        m_callTimer.stop();
        const int timeoutMs = int((m_call->expiresNs - m_call->startNs) / 1'000'000);
        PartnerExchange exchange;
        exchange.result = PartnerExchange::Result::TimedOut;
        if (!m_ready)
            exchange.reason = QStringLiteral("not connected within %1 ms").arg(timeoutMs);
        else if (m_reader.bytesReceived() > 0)
            exchange.reason = QStringLiteral("answer incomplete after %1 ms (%2 bytes received)")
                                  .arg(timeoutMs)
                                  .arg(m_reader.bytesReceived());
        else
            exchange.reason = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
        end(std::move(exchange), false);
    }

private:
    void onConnected()
    {
        // Only now: Qt ignores socket options set before the socket exists (before connected).
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (!m_call)
            return;
        m_call->timings.connectUs = microsecondsSince(m_call->startNs, steadyNowNs());
        if (!m_target.tls) {
            m_ready = true;
            send();
        }
    }

    void onEncrypted()
    {
        m_ready = true;
        if (!m_call)
            return;
        m_call->timings.tlsUs = microsecondsSince(m_call->startNs, steadyNowNs());
        send();
    }

    void send()
    {
        m_socket->write(m_call->request);
    }

    void onBytesWritten(qint64 bytes)
    {
        if (!m_call)
            return;
        m_written += bytes;
        if (m_written >= m_call->request.size() && m_call->timings.sentUs < 0)
            m_call->timings.sentUs = microsecondsSince(m_call->startNs, steadyNowNs());
    }

    void onReadyRead()
    {
        const QByteArray data = m_socket->readAll();
        if (!m_call) {
            // Bytes nobody asked for: the partner is out of step; never reuse this connection.
            shutDown();
            m_pool->closedWhileIdle(this);
            return;
        }
        const qint64 now = steadyNowNs();
        if (m_call->timings.firstByteUs < 0 && !data.isEmpty())
            m_call->timings.firstByteUs = microsecondsSince(m_call->startNs, now);
        if (m_call->timings.sentUs < 0) // the answer came before bytesWritten was reported
            m_call->timings.sentUs = m_call->timings.firstByteUs;
        switch (m_reader.feed(data)) {
        case HttpResponseReader::State::Incomplete:
            return;
        case HttpResponseReader::State::Complete:
            m_call->timings.lastByteUs = microsecondsSince(m_call->startNs, now);
            end(answered(), m_reader.keepAlive());
            return;
        case HttpResponseReader::State::Failed: {
            PartnerExchange exchange;
            exchange.result = PartnerExchange::Result::BadAnswer;
            exchange.reason = m_reader.error();
            exchange.status = m_reader.status();
            exchange.head = m_reader.head();
            end(std::move(exchange), false);
            return;
        }
        }
    }

    void onClosed()
    {
        if (m_dead)
            return;
        if (!m_call) {
            shutDown();
            m_pool->closedWhileIdle(this);
            return;
        }
        if (m_reader.bytesReceived() == 0 && m_reused && !m_call->retried) {
            // A kept-alive connection the partner had closed: try once on a fresh one.
            shutDown();
            m_callTimer.stop();
            m_pool->retryOnFreshConnection(this, std::move(m_call));
            return;
        }
        if (m_reader.finishAtClose() == HttpResponseReader::State::Complete) {
            m_call->timings.lastByteUs = microsecondsSince(m_call->startNs, steadyNowNs());
            end(answered(), false);
            return;
        }
        PartnerExchange exchange;
        exchange.result = m_reader.overLimit() ? PartnerExchange::Result::BadAnswer
                                               : PartnerExchange::Result::NetworkError;
        if (!m_tlsError.isEmpty())
            exchange.reason = QStringLiteral("TLS: %1").arg(m_tlsError);
        else if (m_reader.bytesReceived() > 0)
            exchange.reason = m_reader.error();
        else
            exchange.reason = socketErrorReason(m_socket);
        exchange.status = m_reader.status();
        exchange.head = m_reader.head();
        end(std::move(exchange), false);
    }

    PartnerExchange answered() const
    {
        PartnerExchange exchange;
        exchange.result = PartnerExchange::Result::Answered;
        exchange.status = m_reader.status();
        exchange.contentType = m_reader.contentType();
        exchange.body = m_reader.body();
        exchange.head = m_reader.head();
        return exchange;
    }

    void end(PartnerExchange exchange, bool reusable)
    {
        m_callTimer.stop();
        if (!reusable)
            shutDown();
        std::unique_ptr<PartnerConnectionPool::Call> call = std::move(m_call);
        exchange.timings = call->timings;
        exchange.reusedConnection = m_reused;
        m_pool->finished(this, std::move(call), std::move(exchange), reusable);
    }

    PartnerConnectionPool *const m_pool;
    const PartnerTarget m_target;
    QAbstractSocket *m_socket = nullptr;
    std::unique_ptr<PartnerConnectionPool::Call> m_call;
    HttpResponseReader m_reader;
    QBasicTimer m_callTimer;
    QBasicTimer m_idleTimer;
    QString m_tlsError;
    qint64 m_written = 0;
    bool m_ready = false; // connected (and encrypted, for https)
    bool m_reused = false;
    bool m_dead = false;
};

PartnerConnectionPool::PartnerConnectionPool(PartnerTarget target,
                                             std::shared_ptr<InFlightGate> gate, QObject *parent)
    : QObject(parent)
    , m_target(std::move(target))
    , m_gate(std::move(gate))
{
    m_waiter = std::make_shared<InFlightGate::Waiter>(this, [this] { drainQueue(); });
    m_gate->addWaiter(m_waiter);
}

PartnerConnectionPool::~PartnerConnectionPool()
{
    m_waiter->detach();
    for (PartnerConnection *connection : std::as_const(m_connections))
        connection->shutDown();
    // Calls still running hold gate slots: give them back so other threads are not starved.
    // Their callbacks are not run: the pool goes away with its thread.
    const int running = int(m_connections.size() - m_idle.size());
    for (int i = 0; i < running; ++i)
        m_gate->release();
}

void PartnerConnectionPool::call(QByteArray request, qint64 startNs, int timeoutMs,
                                 Callback done)
{
    auto call = std::make_unique<Call>();
    call->request = std::move(request);
    call->startNs = startNs;
    call->expiresNs = startNs + qint64(qMax(1, timeoutMs)) * 1'000'000;
    call->done = std::move(done);
    if (m_queue.empty() && m_gate->tryAcquire()) {
        dispatch(std::move(call));
        return;
    }
    m_queue.push_back(std::move(call));
    m_waiter->setWaiting(true);
    armQueueTimer();
    // A slot freed on another thread between the failed tryAcquire() and setWaiting() posted
    // no wake-up: look again, from the event loop (callbacks never run inside call()).
    if (m_gate->inFlight() < m_gate->maxInFlight())
        QMetaObject::invokeMethod(this, &PartnerConnectionPool::drainQueue, Qt::QueuedConnection);
}

void PartnerConnectionPool::dispatch(std::unique_ptr<Call> call)
{
    call->timings.queueUs = microsecondsSince(call->startNs, steadyNowNs());
    while (!m_idle.isEmpty()) {
        PartnerConnection *connection = m_idle.takeLast();
        if (connection->isReady()) {
            connection->start(std::move(call), true);
            return;
        }
        discard(connection);
    }
    auto *connection = new PartnerConnection(this, m_target);
    m_connections.append(connection);
    connection->start(std::move(call), false);
}

void PartnerConnectionPool::drainQueue()
{
    const qint64 now = steadyNowNs();
    while (!m_queue.empty()) {
        if (m_queue.front()->expiresNs <= now) {
            std::unique_ptr<Call> call = std::move(m_queue.front());
            m_queue.pop_front();
            PartnerExchange exchange;
            exchange.result = PartnerExchange::Result::TimedOut;
            exchange.reason = QStringLiteral("no free connection within %1 ms (%2 calls in "
                                             "flight, the partner's maximum)")
                                  .arg((call->expiresNs - call->startNs) / 1'000'000)
                                  .arg(m_gate->maxInFlight());
            call->timings.queueUs = microsecondsSince(call->startNs, now);
            exchange.timings = call->timings;
            call->done(std::move(exchange));
            continue;
        }
        if (!m_gate->tryAcquire())
            break;
        std::unique_ptr<Call> call = std::move(m_queue.front());
        m_queue.pop_front();
        dispatch(std::move(call));
    }
    m_waiter->setWaiting(!m_queue.empty());
    armQueueTimer();
}

void PartnerConnectionPool::armQueueTimer()
{
    if (m_queueTimerId) {
        killTimer(m_queueTimerId);
        m_queueTimerId = 0;
    }
    if (!m_queue.empty())
        m_queueTimerId = startTimer(millisecondsUntil(m_queue.front()->expiresNs, steadyNowNs()),
                                    Qt::PreciseTimer);
}

void PartnerConnectionPool::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_queueTimerId)
        drainQueue();
}

void PartnerConnectionPool::finished(PartnerConnection *connection, std::unique_ptr<Call> call,
                                     PartnerExchange exchange, bool reusable)
{
    m_gate->release();
    if (reusable) {
        becameIdle(connection);
    } else {
        discard(connection);
    }
    call->done(std::move(exchange));
    drainQueue();
}

void PartnerConnectionPool::retryOnFreshConnection(PartnerConnection *connection,
                                                   std::unique_ptr<Call> call)
{
    discard(connection);
    call->retried = true;
    // The dead connection's phases do not belong to this attempt: keep only the queue wait,
    // or "sent" would come before the fresh connection's "connect".
    const qint32 queueUs = call->timings.queueUs;
    call->timings = TransferTimings();
    call->timings.queueUs = queueUs;
    auto *fresh = new PartnerConnection(this, m_target);
    m_connections.append(fresh);
    fresh->start(std::move(call), false); // its own failure, if any, is the call's
}

void PartnerConnectionPool::closedWhileIdle(PartnerConnection *connection)
{
    m_idle.removeOne(connection);
    discard(connection);
}

void PartnerConnectionPool::discard(PartnerConnection *connection)
{
    m_idle.removeOne(connection);
    if (m_connections.removeOne(connection)) {
        connection->shutDown();
        connection->deleteLater();
    }
}

void PartnerConnectionPool::becameIdle(PartnerConnection *connection)
{
    connection->goIdle();
    m_idle.append(connection);
}

} // namespace Dcs
