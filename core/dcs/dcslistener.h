#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>

QT_BEGIN_NAMESPACE
class QTcpServer;
class QThread;
QT_END_NAMESPACE

namespace Dcs {

class ListenerWorker;
class RequestHandler;
struct ListenerShared;

// Parses "127.0.0.1:8480", "0.0.0.0:80" or "[::1]:0" (port 0: any free port). The host must be
// an IP address; IPv6 addresses go in brackets. On failure returns false, leaves `address` and
// `port` alone and puts a human-readable reason in `error` (any of the pointers may be null).
bool parseListenAddress(const QString &text, QHostAddress *address, quint16 *port,
                        QString *error);

// The DCS HTTP listener: HTTP/1.0 and 1.1 with keep-alive and pipelining (answers in request
// order, even when they complete out of order), the limits of spec/dcs-api.md, and N worker
// threads that each own their connections and event loop. The thread that calls listen()
// accepts; each accepted socket is handed round-robin to a worker. Requests go to the
// RequestHandler (default: a RequestRouter that answers GET/HEAD /healthz).
class DcsListener final : public QObject
{
    Q_OBJECT

public:
    struct Limits
    {
        int maxHeaderBytes = 8192;    // request line + headers -> 414 / 431
        int maxBodyBytes = 32768;     // -> 413
        int idleTimeoutMs = 15000;    // keep-alive connection without a request -> closed
        int requestTimeoutMs = 10000; // from a request's first byte to its last -> 408, closed
        int maxConnections = 10000;   // beyond this, new connections are closed at once
        int maxInFlightRequests = 4096; // requests being worked on; beyond -> 429 Retry-After
    };

    struct Counters
    {
        int openConnections = 0;
        int inFlightRequests = 0;
        quint64 requests = 0;
        quint64 busyRejections = 0;     // answered 429
        quint64 badRequests = 0;        // refused by the parser
        quint64 refusedConnections = 0; // over maxConnections
    };

    // `workers` <= 0: one per core.
    explicit DcsListener(QObject *parent = nullptr, int workers = 0);
    ~DcsListener() override;

    // Takes effect for connections accepted afterwards (maxInFlightRequests at once).
    void setLimits(const Limits &limits);
    Limits limits() const;
    // Shared by every worker; must be thread-safe. Set before listen() for the first requests.
    void setRequestHandler(std::shared_ptr<RequestHandler> handler);

    // Starts listening (closing first if already listening). Port 0 picks a free port; see
    // port(). On failure returns false and errorString() says why.
    bool listen(const QHostAddress &address, quint16 port);
    // Stops accepting and closes every open connection at once.
    void close();

    bool isListening() const;
    QHostAddress address() const;
    quint16 port() const;
    QString errorString() const;
    int openConnections() const;
    int workerCount() const { return int(m_workers.size()); }
    Counters counters() const; // lock-free, callable from any thread

Q_SIGNALS:
    void stateChanged(); // listening started or stopped

private:
    void dispatchDescriptor(qintptr descriptor);

    std::shared_ptr<ListenerShared> m_shared;
    QTcpServer *m_server = nullptr;
    QList<QThread *> m_threads;
    QList<ListenerWorker *> m_workers;
    int m_nextWorker = 0;
    Limits m_limits;
    QString m_errorString;
    bool m_atCapacity = false; // warn once each time the connection limit is reached
};

} // namespace Dcs
