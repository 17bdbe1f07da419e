#include "simworker.h"

#include "common/logging.h"
#include "simconnection.h"
#include "simulatorstate.h"

#include <QTcpSocket>

namespace Dcs {

SimWorker::SimWorker(std::shared_ptr<SimulatorState> state)
    : m_state(std::move(state))
{
}

void SimWorker::adopt(qintptr descriptor)
{
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcApp) << "partner simulator: cannot adopt an accepted socket:"
                         << socket->errorString();
        m_state->connectionClosed();
        delete socket;
        return;
    }
    auto *connection = new SimConnection(socket, m_state, this);
    m_connections.insert(connection);
    connect(connection, &SimConnection::finished, this, [this, connection] {
        if (m_connections.remove(connection))
            m_state->connectionClosed();
    });
}

void SimWorker::closeAll()
{
    // abortNow() emits finished(), which must not find the connection in the set again.
    const QSet<SimConnection *> connections = std::exchange(m_connections, {});
    for (SimConnection *connection : connections) {
        connection->abortNow();
        m_state->connectionClosed();
    }
}

} // namespace Dcs
