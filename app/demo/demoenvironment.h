#pragma once

#include "dcs/headlessrunner.h"
#include "dcs/trafficgenerator.h"
#include "storage/workspacefile.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace Dcs {

class DcsServer;
class PartnerSimulator;

// --demo (workspace.md): the demo workspace with its partners simulated on loopback and a
// traffic generator calling the DCS, so that every window shows live data at once.
//
// The workspace (resources/demo/demo-workspace.json) is imported into the server's database
// the first time; a database that has the demo's three partners already keeps everything as it
// is (edits included) and only gets the partners' endpoints pointed at this run's simulators.
// The simulators (resources/demo/demo-simulators.json) run in this process, each on the port
// of its partner's endpoint in the file when that port is free, else on any free port.
class DemoEnvironment final : public ServerCompanion
{
public:
    struct SimulatedPartner
    {
        QString name;
        qint64 dpid = 0;
        QString endpoint; // as registered for this run
        PartnerSimulator *simulator = nullptr;
    };

    // Starts the demo beside `server`, which must have its storage open and be listening.
    // Null, with `error` saying why and what to do, when the database has other partners under
    // the demo's DPIDs or names (nothing is changed then), when the workspace cannot be
    // imported, or when a simulator cannot listen.
    static std::unique_ptr<DemoEnvironment> start(DcsServer &server, QString *error);
    ~DemoEnvironment() override;

    TrafficGenerator &traffic() { return *m_traffic; }
    const QList<SimulatedPartner> &partners() const { return m_partners; }
    // True when this start imported the demo workspace (false: it was there already).
    bool importedWorkspace() const { return m_imported; }

    QStringList startupReport() const override;
    QString statusText() const override;

private:
    DemoEnvironment() = default;

    bool startSimulators(const QJsonArray &partners, const QJsonObject &behaviour,
                         QString *error);
    bool install(DcsServer &server, QJsonObject workspace, QString *error);

    std::vector<std::unique_ptr<PartnerSimulator>> m_simulators;
    QList<SimulatedPartner> m_partners;
    std::unique_ptr<TrafficGenerator> m_traffic;
    bool m_imported = false;
    bool m_keptSettings = false; // the database's own region and deadline were left as they were
    WorkspaceReport m_importReport;
    QString m_trafficTarget;
};

} // namespace Dcs
