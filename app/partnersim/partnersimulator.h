#pragma once

#include "simulatorconfig.h"
#include "simulatorstate.h"

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

class SimWorker;

// The partner simulator of partner-protocol.md ("The partner simulator"): serves the partner
// protocol over HTTP/1.x with the codes, latency, failures and signature check its config asks
// for, plus its control endpoints (controlendpoints.h). Usable in any process: everything runs
// on its own threads (the first one also accepts), so it answers even while the thread that
// owns it blocks, and it never touches that thread's event loop.
class PartnerSimulator final : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxThreads = 64;

    // `threads`: worker threads, each with its own event loop (clamped to 1..kMaxThreads).
    explicit PartnerSimulator(SimulatorConfig config = {}, int threads = 1,
                              QObject *parent = nullptr);
    ~PartnerSimulator() override;

    // Starts listening (closing first if already listening); port 0 picks a free port, see
    // port(). On failure returns false and errorString() says why.
    bool listen(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost),
                quint16 port = 0);
    // Stops accepting and drops every open connection.
    void close();

    bool isListening() const { return m_listening; }
    QHostAddress address() const { return m_address; }
    quint16 port() const { return m_port; }
    QString errorString() const { return m_errorString; }
    int threadCount() const { return int(m_workers.size()); }

    // Thread-safe; applies from the next request on.
    SimulatorConfig config() const;
    void setConfig(SimulatorConfig config);
    SimulatorStats stats() const;
    void resetStats();

private:
    void dispatchDescriptor(qintptr descriptor); // on the first worker's thread

    std::shared_ptr<SimulatorState> m_state;
    QList<QThread *> m_threads;
    QList<SimWorker *> m_workers;
    QTcpServer *m_server = nullptr; // lives on the first worker's thread
    int m_nextWorker = 0;           // only used on that thread
    QHostAddress m_address;
    quint16 m_port = 0;
    bool m_listening = false;
    QString m_errorString;
};

} // namespace Dcs
