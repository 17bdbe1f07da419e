#include "dcs/dcslistener.h"

#include "common/logging.h"
#include "dcs/listenershared.h"
#include "dcs/listenerworker.h"
#include "dcs/requestrouter.h"

#include <QCoreApplication>
#include <QTcpServer>
#include <QThread>

#include <unistd.h>

namespace Dcs {

namespace {

constexpr int kListenBacklog = 1024;

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

// Accepts on the listener's thread and hands the raw descriptor on, so that the socket object
// is created in the worker thread that will own it.
class DescriptorServer final : public QTcpServer
{
public:
    explicit DescriptorServer(std::function<void(qintptr)> onDescriptor, QObject *parent)
        : QTcpServer(parent), m_onDescriptor(std::move(onDescriptor))
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override { m_onDescriptor(descriptor); }

private:
    std::function<void(qintptr)> m_onDescriptor;
};

} // namespace

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

DcsListener::DcsListener(QObject *parent, int workers)
    : QObject(parent)
    , m_shared(std::make_shared<ListenerShared>())
    , m_server(new DescriptorServer([this](qintptr fd) { dispatchDescriptor(fd); }, this))
{
    m_server->setListenBacklogSize(kListenBacklog);
    m_shared->setHandler(std::make_shared<RequestRouter>());
    m_shared->maxInFlight = m_limits.maxInFlightRequests;
    const int count = workers > 0 ? workers : qMax(1, QThread::idealThreadCount());
    for (int i = 0; i < count; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("dcs-listener-%1").arg(i));
        auto *worker = new ListenerWorker(m_shared);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_threads.append(thread);
        m_workers.append(worker);
    }
}

DcsListener::~DcsListener()
{
    close();
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
        delete thread;
    }
}

void DcsListener::setLimits(const Limits &limits)
{
    m_limits = limits;
    m_shared->maxInFlight = limits.maxInFlightRequests;
}

DcsListener::Limits DcsListener::limits() const
{
    return m_limits;
}

void DcsListener::setRequestHandler(std::shared_ptr<RequestHandler> handler)
{
    m_shared->setHandler(std::move(handler));
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
    qCInfo(lcListener).noquote() << "listening on" << hostPortText(address, this->port())
                                 << "with" << m_workers.size() << "worker threads";
    Q_EMIT stateChanged();
    return true;
}

void DcsListener::close()
{
    const bool wasListening = isListening();
    m_server->close();
    for (ListenerWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, &ListenerWorker::closeAll,
                                  Qt::BlockingQueuedConnection);
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
    return m_shared->openConnections.load();
}

DcsListener::Counters DcsListener::counters() const
{
    Counters counters;
    counters.openConnections = m_shared->openConnections.load();
    counters.inFlightRequests = m_shared->inFlight.load();
    counters.requests = m_shared->requests.load();
    counters.busyRejections = m_shared->busyRejections.load();
    counters.badRequests = m_shared->badRequests.load();
    counters.refusedConnections = m_shared->refusedConnections.load();
    return counters;
}

void DcsListener::dispatchDescriptor(qintptr descriptor)
{
    if (m_shared->openConnections.load() >= m_limits.maxConnections) {
        if (!m_atCapacity)
            qCWarning(lcListener) << "connection limit" << m_limits.maxConnections
                                  << "reached: refusing new connections";
        m_atCapacity = true;
        ++m_shared->refusedConnections;
        ::close(int(descriptor));
        return;
    }
    m_atCapacity = false;
    ++m_shared->openConnections;
    ListenerWorker *worker = m_workers.at(m_nextWorker);
    m_nextWorker = (m_nextWorker + 1) % int(m_workers.size());
    QMetaObject::invokeMethod(
        worker, [worker, descriptor, limits = m_limits] { worker->adopt(descriptor, limits); },
        Qt::QueuedConnection);
}

} // namespace Dcs
