#pragma once

#include "commandline.h"
#include "dcslistener.h"
#include "eventendpoint.h"
#include "eventstats.h"
#include "rules/definitions.h"
#include "storage/storagewriter.h"

#include <QObject>

#include <memory>

namespace Dcs {

class IdSyncEndpoints;
class MonitorFeed;
class IdentityResolver;
class MembershipSweeper;
class RulesEngine;
class RequestRouter;
class TransferEngine;
class Storage;

// The DCS as one object: its database, the endpoints of dcs-api.md and the listener (and, as
// they arrive, the transfer engine and the rules engine as event stages). The GUI and the
// headless server both run exactly this.
class DcsServer final : public QObject
{
    Q_OBJECT
public:
    explicit DcsServer(QObject *parent = nullptr, int listenerWorkers = 0);
    ~DcsServer() override;

    // Opens (creating and migrating) the database and sets up the endpoints on it.
    bool openStorage(const QString &databasePath, QString *error);
    // Binds the listener. False with a message on failure; the storage stays open.
    bool startListener(const QHostAddress &address, quint16 port, QString *error);
    // Applies this computer's saved listener limits and durability mode (AppSettings).
    void applyComputerSettings();
    // Moves the listener to `address`:`port`. If that fails the listener goes back to where it
    // was, and `error` says why.
    bool rebindListener(const QHostAddress &address, quint16 port, QString *error);
    // Region and deadline: stored with the workspace and applied from the next call.
    WriteResult applyWorkspaceSettings(const WorkspaceSettings &settings);
    WorkspaceSettings workspaceSettings() const;
    // Recompiles the traits and segments from the database (after an import or an edit); the
    // next call uses them. Rules that do not compile are left out and logged.
    void reloadRules();
    // Re-reads the partners (modes, endpoints, secrets, limits); applies from the next call.
    void reloadPartners();
    // Both, after an import or anything else that changed the workspace.
    void reloadWorkspace();
    // Stops accepting, then commits everything accepted and closes the database.
    void shutdown();

    Storage *storage() const { return m_storage.get(); }
    DcsListener &listener() { return m_listener; }
    const EventStats &eventStats() const { return m_eventStats; }
    EventEndpoint *eventEndpoint() const { return m_eventEndpoint.get(); }
    TransferEngine *transferEngine() const { return m_transfers.get(); }
    // The live monitor's data: every partner attempt and answered call, polled by the GUI.
    MonitorFeed &monitorFeed() const { return *m_monitor; }
    const RulesEngine *rulesEngine() const { return m_rules.get(); }
    // Moves visitors out of segments as time passes; replay and batch imports schedule the
    // visitors they changed with it (null before openStorage()).
    MembershipSweeper *membershipSweeper() const { return m_sweeper.get(); }
    // "127.0.0.1:8480" (IPv6 in brackets), or empty when not listening.
    QString listenAddressText() const;

private:
    EventStats m_eventStats;
    std::unique_ptr<MonitorFeed> m_monitor;
    std::unique_ptr<Storage> m_storage;
    std::unique_ptr<IdentityResolver> m_identity;
    std::unique_ptr<RulesEngine> m_rules;
    std::unique_ptr<MembershipSweeper> m_sweeper;
    std::shared_ptr<TransferEngine> m_transfers;
    std::unique_ptr<EventEndpoint> m_eventEndpoint;
    std::unique_ptr<IdSyncEndpoints> m_idSync;
    DcsListener m_listener;
};

} // namespace Dcs
