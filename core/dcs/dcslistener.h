#pragma once

#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QString>

QT_BEGIN_NAMESPACE
class QTcpServer;
QT_END_NAMESPACE

namespace Dcs {

class HttpConnection;

// Parses "127.0.0.1:8480", "0.0.0.0:80" or "[::1]:0" (port 0: any free port). The host must be
// an IP address; IPv6 addresses go in brackets. On failure returns false, leaves `address` and
// `port` alone and puts a human-readable reason in `error` (any of the pointers may be null).
bool parseListenAddress(const QString &text, QHostAddress *address, quint16 *port,
                        QString *error);

// The DCS HTTP listener: HTTP/1.0 and 1.1 on one QTcpServer, keep-alive, pipelining (answers
// in request order), and the limits of spec/dcs-api.md. Runs on the thread it lives in.
//
// Routes today: GET/HEAD /healthz -> 200 "ok\n"; other methods there -> 405; anything
// else -> 404. A request the parser rejects is answered with the parser's status and the
// connection is closed.
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
    };

    explicit DcsListener(QObject *parent = nullptr);
    ~DcsListener() override;

    // Takes effect for connections accepted afterwards.
    void setLimits(const Limits &limits);
    Limits limits() const;

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

Q_SIGNALS:
    void stateChanged(); // listening started or stopped

private:
    void acceptPendingConnections();
    void closeAllConnections();

    QTcpServer *m_server = nullptr;
    Limits m_limits;
    QString m_errorString;
    QSet<HttpConnection *> m_connections;
    bool m_atCapacity = false; // warn once each time the connection limit is reached
};

} // namespace Dcs
