#include "dcs/dcslistener.h"

#include "common/logging.h"
#include "dcs/httprequestparser.h"

#include <QCoreApplication>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <utility>

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#endif

namespace Dcs {

namespace {

constexpr qint64 kReadChunkBytes = 16 * 1024;
// Qt stops reading from the kernel when this much is buffered: the client is slowed by TCP
// flow control instead of our memory growing.
constexpr qint64 kSocketReadBufferBytes = 64 * 1024;
// Pipelined requests are not parsed while this much of their answers is still unsent.
constexpr qint64 kMaxPendingWriteBytes = 64 * 1024;
// After the last answer on a closing connection: how long to wait for the client to close.
constexpr int kLingerMs = 2000;
constexpr int kListenBacklog = 1024;

struct Response
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QByteArray allow;
};

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return QByteArrayLiteral("OK");
    case 400: return QByteArrayLiteral("Bad Request");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 411: return QByteArrayLiteral("Length Required");
    case 413: return QByteArrayLiteral("Content Too Large");
    case 414: return QByteArrayLiteral("URI Too Long");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 505: return QByteArrayLiteral("HTTP Version Not Supported");
    default: return QByteArrayLiteral("Error");
    }
}

Response jsonError(int status)
{
    Response response;
    response.status = status;
    response.contentType = QByteArrayLiteral("application/json");
    response.body = QByteArrayLiteral("{\"error\":\"") + reasonPhrase(status).toLower()
                    + QByteArrayLiteral("\"}");
    return response;
}

// The same bytes for the same answer: no Date header, fixed header order.
QByteArray serialize(const Response &response, bool keepAlive, bool headOnly)
{
    QByteArray out;
    out.reserve(192 + (headOnly ? 0 : response.body.size()));
    out.append("HTTP/1.1 ").append(QByteArray::number(response.status)).append(' ');
    out.append(reasonPhrase(response.status)).append("\r\nServer: dcs-studio\r\n");
    if (!response.contentType.isEmpty())
        out.append("Content-Type: ").append(response.contentType).append("\r\n");
    out.append("Content-Length: ").append(QByteArray::number(response.body.size()));
    out.append("\r\n");
    if (!response.allow.isEmpty())
        out.append("Allow: ").append(response.allow).append("\r\n");
    out.append(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    if (!headOnly)
        out.append(response.body);
    return out;
}

Response route(const HttpRequest &request)
{
    if (request.path == QByteArrayView("/healthz")) {
        if (request.method == QByteArrayView("GET") || request.method == QByteArrayView("HEAD"))
            return {200, QByteArrayLiteral("text/plain"), QByteArrayLiteral("ok\n"), {}};
        Response response = jsonError(405);
        response.allow = QByteArrayLiteral("GET, HEAD");
        return response;
    }
    return jsonError(404);
}

QString hostPortText(const QHostAddress &address, quint16 port)
{
    QString text = address.toString();
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        text = QLatin1Char('[') + text + QLatin1Char(']');
    return text + QLatin1Char(':') + QString::number(port);
}

QString translate(const char *text)
{
    return QCoreApplication::translate("Dcs::DcsListener", text);
}

} // namespace

// One accepted socket: parses its requests in order, answers them, enforces the timeouts and
// closes it gracefully. Deletes itself after finished().
class HttpConnection final : public QObject
{
    Q_OBJECT

public:
    HttpConnection(QTcpSocket *socket, const DcsListener::Limits &limits, QObject *parent);

    // Closes at once, without finished(): the listener is dropping every connection.
    void abortNow();

Q_SIGNALS:
    void finished();

private:
    enum class TimerPhase { None, Idle, Request, Linger };

    void processInput();
    void onBytesWritten();
    void onTimeout();
    void startClosing();
    void halfClose();
    void flushOutput();
    void armTimer(TimerPhase phase, int ms);
    void finish();

    QTcpSocket *m_socket;
    QTimer m_timer;
    HttpRequestParser m_parser;
    DcsListener::Limits m_limits;
    QByteArray m_input; // the last chunk read from the socket ...
    qsizetype m_inputPos = 0; // ... and how much of it the parser has consumed
    TimerPhase m_timerPhase = TimerPhase::None;
    bool m_closing = false;
    bool m_halfClosed = false;
    bool m_flushing = false;
    bool m_finished = false;
};

HttpConnection::HttpConnection(QTcpSocket *socket, const DcsListener::Limits &limits,
                               QObject *parent)
    : QObject(parent)
    , m_socket(socket)
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
    for (;;) {
        if (m_socket->bytesToWrite() >= kMaxPendingWriteBytes) {
            flushOutput();
            if (m_finished)
                return;
            if (m_socket->bytesToWrite() >= kMaxPendingWriteBytes)
                break; // onBytesWritten() resumes
        }
        if (m_inputPos == m_input.size()) {
            m_input = m_socket->read(kReadChunkBytes);
            m_inputPos = 0;
            if (m_input.isEmpty())
                break;
        }
        m_inputPos += m_parser.feed(QByteArrayView(m_input).sliced(m_inputPos));

        if (m_parser.status() == HttpRequestParser::Status::Error) {
            qCDebug(lcListener) << "bad request from" << m_socket->peerAddress()
                                << m_parser.errorStatus() << m_parser.errorReason();
            m_socket->write(serialize(jsonError(m_parser.errorStatus()), false, false));
            startClosing();
            return;
        }
        if (m_parser.status() == HttpRequestParser::Status::Complete) {
            const HttpRequest request = m_parser.takeRequest();
            const bool keepAlive = request.keepAlive();
            const bool headOnly = request.method == QByteArrayView("HEAD");
            m_socket->write(serialize(route(request), keepAlive, headOnly));
            if (!keepAlive) {
                startClosing();
                return;
            }
            m_timerPhase = TimerPhase::None; // the next request gets fresh timers
        }
    }
    flushOutput();
    if (m_finished)
        return;

    if (m_parser.hasPartialRequest()) {
        if (m_timerPhase != TimerPhase::Request)
            armTimer(TimerPhase::Request, m_limits.requestTimeoutMs);
    } else if (m_timerPhase != TimerPhase::Idle) {
        armTimer(TimerPhase::Idle, m_limits.idleTimeoutMs);
    }
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
        m_timer.start(); // the client is reading: not idle
    processInput();      // resumes pipelined requests held back by kMaxPendingWriteBytes
}

void HttpConnection::onTimeout()
{
    switch (m_timerPhase) {
    case TimerPhase::Request:
        qCDebug(lcListener) << "request timeout, closing" << m_socket->peerAddress();
        m_socket->write(serialize(jsonError(408), false, false));
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

void HttpConnection::armTimer(TimerPhase phase, int ms)
{
    m_timerPhase = phase;
    m_timer.start(qMax(ms, 1));
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

bool parseListenAddress(const QString &text, QHostAddress *address, quint16 *port,
                        QString *error)
{
    const auto failWith = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return failWith(translate("The listen address is empty; expected host:port, "
                                  "e.g. 127.0.0.1:8480."));
    QString host;
    QString portText;
    const bool bracketed = trimmed.startsWith(QLatin1Char('['));
    if (bracketed) {
        const qsizetype close = trimmed.indexOf(QLatin1Char(']'));
        if (close < 0)
            return failWith(translate("Missing ']' after the IPv6 address in \"%1\".")
                                .arg(trimmed));
        host = trimmed.mid(1, close - 1);
        if (trimmed.mid(close + 1, 1) != QLatin1String(":"))
            return failWith(translate("Expected \":port\" after ']' in \"%1\".").arg(trimmed));
        portText = trimmed.mid(close + 2);
    } else {
        const qsizetype colon = trimmed.lastIndexOf(QLatin1Char(':'));
        if (colon < 0)
            return failWith(translate("Missing port in \"%1\"; expected host:port, "
                                      "e.g. 127.0.0.1:8480.").arg(trimmed));
        if (trimmed.indexOf(QLatin1Char(':')) != colon)
            return failWith(translate("Put IPv6 addresses in brackets, e.g. [::1]:8480."));
        host = trimmed.left(colon);
        portText = trimmed.mid(colon + 1);
    }

    if (host.isEmpty())
        return failWith(translate("Missing host in \"%1\".").arg(trimmed));
    QHostAddress parsedAddress;
    if (!parsedAddress.setAddress(host))
        return failWith(translate("\"%1\" is not an IP address (host names are not "
                                  "accepted here).").arg(host));
    if (bracketed && parsedAddress.protocol() != QAbstractSocket::IPv6Protocol)
        return failWith(translate("Only IPv6 addresses go in brackets: \"%1\".").arg(host));
    // QHostAddress also takes inet_aton shorthands ("1.2.3" is 1.2.0.3, "127.1" is 127.0.0.1):
    // a typo would silently bind elsewhere, so IPv4 must be written as four decimal numbers.
    if (!bracketed && parsedAddress.protocol() == QAbstractSocket::IPv4Protocol
        && parsedAddress.toString() != host)
        return failWith(translate("\"%1\" is not a dotted IPv4 address; did you mean %2?")
                            .arg(host, parsedAddress.toString()));

    bool digitsOnly = !portText.isEmpty() && portText.size() <= 5;
    for (const QChar c : std::as_const(portText))
        digitsOnly = digitsOnly && c >= QLatin1Char('0') && c <= QLatin1Char('9');
    const uint portValue = digitsOnly ? portText.toUInt() : 0;
    if (!digitsOnly || portValue > 65535)
        return failWith(translate("\"%1\" is not a port number from 0 to 65535.")
                            .arg(portText));

    if (address)
        *address = parsedAddress;
    if (port)
        *port = static_cast<quint16>(portValue);
    return true;
}

DcsListener::DcsListener(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    m_server->setListenBacklogSize(kListenBacklog);
    connect(m_server, &QTcpServer::newConnection, this, &DcsListener::acceptPendingConnections);
}

DcsListener::~DcsListener()
{
    closeAllConnections();
}

void DcsListener::setLimits(const Limits &limits)
{
    m_limits = limits;
}

DcsListener::Limits DcsListener::limits() const
{
    return m_limits;
}

bool DcsListener::listen(const QHostAddress &address, quint16 port)
{
    if (isListening())
        close();
    m_errorString.clear();
    if (!m_server->listen(address, port)) {
        m_errorString = tr("Cannot listen on %1: %2")
                            .arg(hostPortText(address, port), m_server->errorString());
        qCWarning(lcListener).noquote() << m_errorString;
        return false;
    }
    qCInfo(lcListener).noquote() << "listening on" << hostPortText(address, this->port());
    Q_EMIT stateChanged();
    return true;
}

void DcsListener::close()
{
    const bool wasListening = isListening();
    m_server->close();
    closeAllConnections();
    if (wasListening) {
        qCInfo(lcListener) << "stopped listening";
        Q_EMIT stateChanged();
    }
}

bool DcsListener::isListening() const
{
    return m_server->isListening();
}

QHostAddress DcsListener::address() const
{
    return isListening() ? m_server->serverAddress() : QHostAddress();
}

quint16 DcsListener::port() const
{
    return isListening() ? m_server->serverPort() : 0;
}

QString DcsListener::errorString() const
{
    return m_errorString;
}

int DcsListener::openConnections() const
{
    return static_cast<int>(m_connections.size());
}

void DcsListener::acceptPendingConnections()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_connections.size() >= m_limits.maxConnections) {
            if (!m_atCapacity)
                qCWarning(lcListener) << "connection limit" << m_limits.maxConnections
                                      << "reached: refusing new connections";
            m_atCapacity = true;
            socket->abort();
            socket->deleteLater();
            continue;
        }
        m_atCapacity = false;
        auto *connection = new HttpConnection(socket, m_limits, this);
        m_connections.insert(connection);
        connect(connection, &HttpConnection::finished, this,
                [this, connection] { m_connections.remove(connection); });
    }
}

void DcsListener::closeAllConnections()
{
    const QSet<HttpConnection *> connections = std::exchange(m_connections, {});
    for (HttpConnection *connection : connections)
        connection->abortNow();
}

} // namespace Dcs

#include "dcslistener.moc"
