#pragma once

#include "inflightgate.h"
#include "transferrecord.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>

namespace Dcs {

class PartnerConnection;

// Monotonic nanoseconds: every timing of a partner call is measured on this clock.
inline qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Where a partner is reached.
struct PartnerTarget
{
    QString host;
    quint16 port = 80;
    bool tls = false;

    friend bool operator==(const PartnerTarget &, const PartnerTarget &) = default;
};

// What one HTTP exchange with a partner gave: an answer (any status), or why there is none.
struct PartnerExchange
{
    enum class Result {
        Answered,     // a complete HTTP answer: status, content type and body are set
        TimedOut,     // the call's time ran out (waiting for a connection, or for the answer)
        NetworkError, // refused, reset, closed early, DNS, TLS
        BadAnswer,    // not HTTP, or over a size limit
    };
    Result result = Result::NetworkError;
    QString reason; // for people, when not Answered
    int status = 0;
    QByteArray contentType;
    QByteArray body;
    QByteArray head; // status line and headers as received
    TransferTimings timings; // queue .. last byte (parse is the caller's)
    bool reusedConnection = false;
};

// Keep-alive HTTP/1.1 connections to one partner, owned by one thread: calls are asynchronous
// on that thread's event loop and call back on it. Concurrency across all threads is bounded by
// the partner's InFlightGate; a call that finds it full waits (counted as queue time) until a
// slot frees or its time runs out. A reused connection that turns out dead before answering a
// single byte is retried once on a fresh one (a partner closing idle connections is normal).
class PartnerConnectionPool final : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(PartnerExchange)>;

    PartnerConnectionPool(PartnerTarget target, std::shared_ptr<InFlightGate> gate,
                          QObject *parent = nullptr);
    ~PartnerConnectionPool() override;

    // Sends `request` (complete HTTP request bytes). `startNs` (steadyNowNs) is when the attempt
    // began, timings count from it; the call gives up `timeoutMs` after it. `done` runs exactly
    // once on this thread — never from inside call().
    void call(QByteArray request, qint64 startNs, int timeoutMs, Callback done);

    const PartnerTarget &target() const { return m_target; }
    int openConnections() const { return int(m_connections.size()); }
    int idleConnections() const { return int(m_idle.size()); }
    int queuedCalls() const { return int(m_queue.size()); }
    // Idle keep-alive connections are closed after this long unused.
    static constexpr int IdleCloseMs = 30'000;

    struct Call
    {
        QByteArray request;
        qint64 startNs = 0;
        qint64 expiresNs = 0;
        Callback done;
        TransferTimings timings;
        bool retried = false;
    };

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    friend class PartnerConnection;

    void dispatch(std::unique_ptr<Call> call);
    void drainQueue();
    void armQueueTimer();
    // From a connection: the call ended (answered or failed). The connection tells whether it
    // can take another call.
    void finished(PartnerConnection *connection, std::unique_ptr<Call> call,
                  PartnerExchange exchange, bool reusable);
    // From a reused connection that died before its call got any answer byte.
    void retryOnFreshConnection(PartnerConnection *connection, std::unique_ptr<Call> call);
    void becameIdle(PartnerConnection *connection);
    void closedWhileIdle(PartnerConnection *connection);
    void discard(PartnerConnection *connection);

    const PartnerTarget m_target;
    const std::shared_ptr<InFlightGate> m_gate;
    std::shared_ptr<InFlightGate::Waiter> m_waiter;
    std::deque<std::unique_ptr<Call>> m_queue; // FIFO: the front expires first
    QList<PartnerConnection *> m_connections;
    QList<PartnerConnection *> m_idle; // most recently used last
    int m_queueTimerId = 0;
};

} // namespace Dcs
