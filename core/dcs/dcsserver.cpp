#include "dcsserver.h"

#include "common/appsettings.h"
#include "common/logging.h"
#include "idsyncendpoints.h"
#include "monitor/monitorfeed.h"
#include "qualificationstage.h"
#include "profiles/identityresolver.h"
#include "requestrouter.h"
#include "rules/membershipsweeper.h"
#include "rules/rulesnapshot.h"
#include "tagassets.h"
#include "transfer/transferengine.h"
#include "storage/settingsrepository.h"
#include "storage/storage.h"

namespace Dcs {

DcsServer::DcsServer(QObject *parent, int listenerWorkers)
    : QObject(parent)
    , m_monitor(std::make_unique<MonitorFeed>())
    , m_listener(nullptr, listenerWorkers)
{
}

DcsServer::~DcsServer()
{
    shutdown();
}

bool DcsServer::openStorage(const QString &databasePath, QString *error)
{
    m_storage = Storage::open(databasePath, error);
    if (!m_storage)
        return false;
    m_identity = std::make_unique<IdentityResolver>(*m_storage);
    m_eventEndpoint = std::make_unique<EventEndpoint>(*m_storage, *m_identity, m_eventStats);
    const WorkspaceSettings workspace = SettingsRepository(*m_storage).load();
    EventEndpointSettings settings;
    settings.dcsRegion = workspace.dcsRegion;
    settings.deadlineMs = workspace.deadlineMs;
    m_eventEndpoint->setSettings(settings);

    m_rules = std::make_unique<RulesEngine>();
    reloadRules();
    m_sweeper = std::make_unique<MembershipSweeper>(*m_storage, *m_rules);
    QString sweepError;
    if (!m_sweeper->rebuild(&sweepError))
        qCWarning(lcRules).noquote() << "the membership sweep could not be scheduled:"
                                     << sweepError;
    // Partners first: their codes of this call are what onboarded traits (and `ic`) qualify on.
    m_transfers = std::make_shared<TransferEngine>(*m_storage, *m_rules);
    MonitorFeed *monitor = m_monitor.get();
    TransferEngine *transfers = m_transfers.get();
    m_transfers->setRecordObserver([monitor, transfers](const TransferRecord &record) {
        monitor->recordTransfer(record);
        if (record.testRunId == 0)
            monitor->partners().setInFlight(record.partnerId, transfers->inFlight(record.partnerId));
    });
    m_transfers->setBreakerObserver([monitor](const Partner &partner,
                                              const CircuitBreaker::Status &status) {
        monitor->partners().setBreakerState(
            partner.id,
            status.state == CircuitBreaker::State::Open ? PartnerBreakerState::Open
                                                        : PartnerBreakerState::Closed,
            status.override != CircuitBreaker::Override::Automatic, status.reason,
            status.sinceMs);
    });
    m_transfers->reloadPartners();
    m_eventEndpoint->setMonitorFeed(monitor);
    m_eventEndpoint->addStage(m_transfers);
    m_eventEndpoint->addStage(
        std::make_shared<QualificationStage>(*m_storage, *m_rules, m_sweeper.get()));
    EventEndpoint *events = m_eventEndpoint.get();
    m_idSync = std::make_unique<IdSyncEndpoints>(*m_storage, *m_identity,
                                                 [events] { return events->settings().dcsRegion; });

    auto router = std::make_shared<RequestRouter>();
    const QByteArray get = QByteArrayLiteral("GET");
    router->addRoute(QByteArrayLiteral("/event"), {get, QByteArrayLiteral("POST")},
                     [events](const HttpRequest &request, const RequestContext &context,
                              Responder respond) {
                         events->handle(request, context, std::move(respond));
                     });
    IdSyncEndpoints *idSync = m_idSync.get();
    const auto ibs = [idSync](const HttpRequest &request, const RequestContext &context,
                              Responder respond) {
        idSync->ibs(request, context, std::move(respond));
    };
    router->addPrefixRoute(QByteArrayLiteral("/ibs:"), {get}, ibs);
    router->addRoute(QByteArrayLiteral("/ibs"), {get}, ibs);
    router->addRoute(QByteArrayLiteral("/id"), {get},
                     [idSync](const HttpRequest &request, const RequestContext &context,
                              Responder respond) {
                         idSync->id(request, context, std::move(respond));
                     });
    router->addRoute(QByteArrayLiteral("/demoptout.jpg"), {get},
                     [idSync](const HttpRequest &request, const RequestContext &context,
                              Responder respond) {
                         idSync->optOut(request, context, std::move(respond));
                     });
    TagAssets::addRoutes(*router);
    m_listener.setRequestHandler(router);
    return true;
}

bool DcsServer::startListener(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_listener.listen(address, port))
        return true;
    *error = m_listener.errorString();
    return false;
}

void DcsServer::applyComputerSettings()
{
    const AppSettings settings;
    m_listener.setLimits(settings.listenerLimits());
    if (m_eventEndpoint) {
        EventEndpointSettings endpoint = m_eventEndpoint->settings();
        endpoint.answerAfterCommit = settings.answerAfterCommit();
        m_eventEndpoint->setSettings(endpoint);
    }
}

bool DcsServer::rebindListener(const QHostAddress &address, quint16 port, QString *error)
{
    const QHostAddress previousAddress = m_listener.address();
    const quint16 previousPort = m_listener.port();
    const bool wasListening = m_listener.isListening();
    if (m_listener.listen(address, port))
        return true;
    *error = m_listener.errorString();
    if (wasListening && !m_listener.listen(previousAddress, previousPort))
        *error += QStringLiteral("; and the previous address could not be taken back: %1")
                      .arg(m_listener.errorString());
    return false;
}

void DcsServer::reloadRules()
{
    if (!m_rules || !m_storage)
        return;
    QList<RuleDiagnosticWithItem> problems;
    QString error;
    if (!m_rules->reload(*m_storage, &problems, &error)) {
        qCWarning(lcRules).noquote() << "definitions not reloaded:" << error;
        return;
    }
    for (const RuleDiagnosticWithItem &problem : std::as_const(problems))
        qCWarning(lcRules).noquote() << problem.message();
    if (m_sweeper)
        m_sweeper->rebuild(); // edited definitions can move when visitors leave
}

void DcsServer::reloadPartners()
{
    if (m_transfers)
        m_transfers->reloadPartners();
}

void DcsServer::reloadWorkspace()
{
    reloadRules();
    reloadPartners();
}

WriteResult DcsServer::applyWorkspaceSettings(const WorkspaceSettings &settings)
{
    const WriteResult result = SettingsRepository(*m_storage).save(settings);
    if (result.ok) {
        EventEndpointSettings endpoint = m_eventEndpoint->settings();
        endpoint.dcsRegion = settings.dcsRegion;
        endpoint.deadlineMs = settings.deadlineMs;
        m_eventEndpoint->setSettings(endpoint);
    }
    return result;
}

WorkspaceSettings DcsServer::workspaceSettings() const
{
    const EventEndpointSettings endpoint = m_eventEndpoint->settings();
    return WorkspaceSettings{endpoint.dcsRegion, endpoint.deadlineMs};
}

void DcsServer::shutdown()
{
    m_listener.close();
    if (m_storage) {
        // Stops the writer after it committed its queue: every call that was accepted is
        // stored, and the answers still owed are handed to workers that are still running.
        m_storage->writer().stop();
        const auto stats = m_storage->writer().stats();
        qCInfo(lcStorage) << "storage closed;" << stats.committed << "writes committed,"
                          << stats.failedItems << "failed";
        m_idSync.reset();
        // Partner calls in flight are dropped first, on the listener threads (still running):
        // their continuations would otherwise run the endpoint's next stage after it is gone.
        // Their events were never answered, so nothing answered goes unstored.
        if (m_transfers)
            m_transfers->shutdown();
        m_eventEndpoint.reset(); // and its stages
        m_transfers.reset();
        m_sweeper.reset();       // after the writer: commits may still schedule visitors
        m_rules.reset();
        m_identity.reset();
        m_storage.reset();
    }
}

QString DcsServer::listenAddressText() const
{
    if (!m_listener.isListening())
        return {};
    const QHostAddress address = m_listener.address();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                             : address.toString();
    return host + QLatin1Char(':') + QString::number(m_listener.port());
}

} // namespace Dcs
