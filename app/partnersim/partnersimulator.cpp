#include "partnersimulator.h"

#include "simworker.h"

#include <QTcpServer>
#include <QThread>

#include <functional>

namespace Dcs {

namespace {

// A DCS opens up to its pool size at once per partner; a benchmark opens more.
constexpr int kListenBacklog = 1024;

// Accepts on its thread and hands the raw descriptor on, so that each socket object is
// created on the worker thread that will own it.
class DescriptorServer final : public QTcpServer
{
public:
    explicit DescriptorServer(std::function<void(qintptr)> onDescriptor)
        : m_onDescriptor(std::move(onDescriptor))
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override { m_onDescriptor(descriptor); }

private:
    std::function<void(qintptr)> m_onDescriptor;
};

QString hostPortText(const QHostAddress &address, quint16 port)
{
    QString text = address.toString();
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        text = QLatin1Char('[') + text + QLatin1Char(']');
    return text + QLatin1Char(':') + QString::number(port);
}

} // namespace

PartnerSimulator::PartnerSimulator(SimulatorConfig config, int threads, QObject *parent)
    : QObject(parent)
{
    const int count = qBound(1, threads, kMaxThreads);
    m_state = std::make_shared<SimulatorState>(std::move(config), count);
    for (int i = 0; i < count; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("partner-sim-%1").arg(i));
        auto *worker = new SimWorker(m_state);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        m_threads.append(thread);
        m_workers.append(worker);
    }
    m_server = new DescriptorServer([this](qintptr descriptor) {
        dispatchDescriptor(descriptor);
    });
    m_server->setListenBacklogSize(kListenBacklog);
    m_server->moveToThread(m_threads.constFirst());
    connect(m_threads.constFirst(), &QThread::finished, m_server, &QObject::deleteLater);
    for (QThread *thread : std::as_const(m_threads))
        thread->start();
}

PartnerSimulator::~PartnerSimulator()
{
    close();
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
        delete thread;
    }
}

bool PartnerSimulator::listen(const QHostAddress &address, quint16 port)
{
    if (m_listening)
        close();
    bool listening = false;
    quint16 boundPort = 0;
    QString error;
    QMetaObject::invokeMethod(
        m_server,
        [&] {
            listening = m_server->listen(address, port);
            boundPort = m_server->serverPort();
            error = m_server->errorString();
        },
        Qt::BlockingQueuedConnection);
    if (!listening) {
        m_errorString = QStringLiteral("cannot listen on %1: %2")
                            .arg(hostPortText(address, port), error);
        return false;
    }
    m_errorString.clear();
    m_listening = true;
    m_address = address;
    m_port = boundPort;
    return true;
}

void PartnerSimulator::close()
{
    QMetaObject::invokeMethod(m_server, [this] { m_server->close(); },
                              Qt::BlockingQueuedConnection);
    for (SimWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, &SimWorker::closeAll, Qt::BlockingQueuedConnection);
    m_listening = false;
    m_port = 0;
}

SimulatorConfig PartnerSimulator::config() const
{
    return *m_state->config();
}

void PartnerSimulator::setConfig(SimulatorConfig config)
{
    m_state->editConfig([&config](SimulatorConfig &current) {
        current = std::move(config);
        return true;
    });
}

SimulatorStats PartnerSimulator::stats() const
{
    return m_state->stats();
}

void PartnerSimulator::resetStats()
{
    m_state->resetCounters();
}

void PartnerSimulator::dispatchDescriptor(qintptr descriptor)
{
    m_state->connectionOpened();
    SimWorker *worker = m_workers.at(m_nextWorker);
    m_nextWorker = (m_nextWorker + 1) % int(m_workers.size());
    if (worker->thread() == QThread::currentThread()) {
        worker->adopt(descriptor);
        return;
    }
    QMetaObject::invokeMethod(worker, [worker, descriptor] { worker->adopt(descriptor); },
                              Qt::QueuedConnection);
}

} // namespace Dcs
