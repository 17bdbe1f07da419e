#pragma once

#include <QObject>
#include <QSet>

#include <memory>

namespace Dcs {

class SimConnection;
class SimulatorState;

// One of the simulator's threads: owns the connections handed to it and runs their event loop.
// adopt() and closeAll() are called on its thread.
class SimWorker final : public QObject
{
    Q_OBJECT
public:
    explicit SimWorker(std::shared_ptr<SimulatorState> state);

    // Takes over an accepted socket; the state already counts it as open.
    void adopt(qintptr descriptor);
    void closeAll();

private:
    std::shared_ptr<SimulatorState> m_state;
    QSet<SimConnection *> m_connections;
};

} // namespace Dcs
