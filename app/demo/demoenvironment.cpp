#include "demoenvironment.h"

#include "dcs/dcsserver.h"
#include "partnersimulator.h"
#include "storage/partnerrepository.h"
#include "storage/segmentrepository.h"
#include "storage/settingsrepository.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"

#include <QFile>
#include <QJsonDocument>
#include <QUrl>

namespace Dcs {

namespace {

const QString kWorkspaceResource = QStringLiteral(":/demo/demo-workspace.json");
const QString kSimulatorsResource = QStringLiteral(":/demo/demo-simulators.json");
// Tells a partner the demo registered from a partner of the user's with the same DPID or name:
// every demo partner's description starts with it.
const QString kDemoDescription = QStringLiteral("Simulated partner of the DCS Studio demo");
const QString kDatabaseOfItsOwn = QStringLiteral(
    "Run the demo on a database of its own, e.g. dcs-studio --demo --db demo.sqlite");
constexpr int kErrorsShown = 10;

QJsonObject readJsonResource(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1 is missing from this build").arg(path);
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("%1 is not a JSON object: %2").arg(path, parseError.errorString());
        return {};
    }
    return document.object();
}

QString text(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1StringView(key)).toString();
}

qint64 dpidOf(const QJsonObject &partner)
{
    return partner.value(QLatin1StringView("dpid")).toInteger();
}

// The first partner of the database that holds a DPID, name or integration code one of the
// demo's partners needs without being that demo partner; empty when there is none.
QString conflictWith(const QList<Partner> &stored, const QJsonArray &demoPartners)
{
    for (const QJsonValue &value : demoPartners) {
        const QJsonObject demo = value.toObject();
        const QString name = text(demo, "name");
        const qint64 dpid = dpidOf(demo);
        const QString code = text(demo, "integration_code");
        for (const Partner &partner : stored) {
            const bool samePlace = partner.dpid == dpid || partner.name == name
                                   || (!code.isEmpty() && partner.integrationCode == code);
            const bool isTheDemos = partner.dpid == dpid && partner.name == name
                                    && partner.description.startsWith(kDemoDescription);
            if (samePlace && !isTheDemos)
                return QStringLiteral("this database has a partner of its own, \"%1\" (DPID %2), "
                                      "where the demo needs its simulated \"%3\" (DPID %4, "
                                      "integration code \"%5\"); the demo changed nothing. %6")
                    .arg(partner.name)
                    .arg(partner.dpid)
                    .arg(name)
                    .arg(dpid)
                    .arg(code, kDatabaseOfItsOwn);
        }
    }
    return {};
}

} // namespace

std::unique_ptr<DemoEnvironment> DemoEnvironment::start(DcsServer &server, QString *error)
{
    if (!server.storage()) {
        *error = QStringLiteral("no database is open");
        return nullptr;
    }
    if (!server.listener().isListening()) {
        *error = QStringLiteral("the DCS is not listening, and the demo's traffic needs it");
        return nullptr;
    }
    const QJsonObject workspace = readJsonResource(kWorkspaceResource, error);
    const QJsonObject behaviour = readJsonResource(kSimulatorsResource, error);
    if (workspace.isEmpty() || behaviour.isEmpty())
        return nullptr;
    const QJsonArray partners = workspace.value(QLatin1StringView("partners")).toArray();
    *error = conflictWith(PartnerRepository(*server.storage()).all(), partners);
    if (!error->isEmpty())
        return nullptr;

    std::unique_ptr<DemoEnvironment> demo(new DemoEnvironment);
    if (!demo->startSimulators(partners, behaviour, error)
        || !demo->install(server, workspace, error))
        return nullptr;

    // Visitors declare and sync IDs of every demo partner, as a site with several would.
    TrafficProfile profile;
    for (const SimulatedPartner &partner : std::as_const(demo->m_partners))
        profile.idSyncDpids.append(partner.dpid);
    demo->m_traffic = std::make_unique<TrafficGenerator>(profile);
    demo->m_traffic->start(server.listener().address(), server.listener().port());
    demo->m_trafficTarget = server.listenAddressText();
    return demo;
}

DemoEnvironment::~DemoEnvironment()
{
    // The traffic first: no call should find a simulator gone.
    m_traffic.reset();
    m_simulators.clear();
}

bool DemoEnvironment::startSimulators(const QJsonArray &partners, const QJsonObject &behaviour,
                                      QString *error)
{
    for (const QJsonValue &value : partners) {
        const QJsonObject partner = value.toObject();
        SimulatedPartner simulated;
        simulated.name = text(partner, "name");
        simulated.dpid = dpidOf(partner);
        SimulatorConfig config;
        config.dpid = simulated.dpid;
        QString configError;
        if (!applyConfigChanges(config, behaviour.value(QString::number(simulated.dpid)).toObject(),
                                ConfigKeyStyle::Json, &configError)) {
            *error = QStringLiteral("%1: the simulator of \"%2\": %3")
                         .arg(kSimulatorsResource, simulated.name, configError);
            return false;
        }
        // The simulator checks every call's signature against the secret the partner has.
        config.secret = text(partner, "secret").toUtf8();

        // The file's port keeps the registered endpoint the same from run to run; when it is
        // taken (another demo, another program) any free port does, and the endpoint follows.
        const QString fileEndpoint = text(partner, "endpoint");
        const int filePort = QUrl(fileEndpoint).port();
        auto simulator = std::make_unique<PartnerSimulator>(config, 1);
        const QHostAddress loopback(QHostAddress::LocalHost);
        if (!(filePort > 0 && simulator->listen(loopback, quint16(filePort)))
            && !simulator->listen(loopback, 0)) {
            *error = QStringLiteral("the simulator of \"%1\" cannot listen on loopback: %2")
                         .arg(simulated.name, simulator->errorString());
            return false;
        }
        // By hand rather than through QUrl, which would re-encode a template's ${MACROS}.
        simulated.endpoint = fileEndpoint;
        simulated.endpoint.replace(QStringLiteral("//127.0.0.1:%1/").arg(filePort),
                                   QStringLiteral("//127.0.0.1:%1/").arg(simulator->port()));
        simulated.simulator = simulator.get();
        m_simulators.push_back(std::move(simulator));
        m_partners.append(simulated);
    }
    return true;
}

bool DemoEnvironment::install(DcsServer &server, QJsonObject workspace, QString *error)
{
    Storage &storage = *server.storage();
    PartnerRepository repository(storage);
    const QList<Partner> stored = repository.all();

    QJsonArray partners = workspace.value(QLatin1StringView("partners")).toArray();
    for (qsizetype i = 0; i < partners.size(); ++i) {
        QJsonObject partner = partners.at(i).toObject();
        partner.insert(QStringLiteral("endpoint"), m_partners.at(i).endpoint);
        partners.replace(i, partner);
    }
    workspace.insert(QStringLiteral("partners"), partners);

    // conflictWith() made sure that a stored partner with a demo DPID is the demo's own.
    int installed = 0;
    for (const SimulatedPartner &demo : std::as_const(m_partners)) {
        for (Partner partner : stored) {
            if (partner.dpid != demo.dpid)
                continue;
            ++installed;
            if (partner.endpoint == demo.endpoint)
                continue;
            partner.endpoint = demo.endpoint;
            const WriteResult saved = repository.save(partner);
            if (!saved.ok) {
                *error = QStringLiteral("the endpoint of \"%1\" cannot be updated: %2")
                             .arg(partner.name, saved.error);
                return false;
            }
        }
    }

    if (installed < m_partners.size()) {
        // The demo's region and deadline only for a database of its own: a workspace already
        // there keeps its settings.
        m_keptSettings = !stored.isEmpty() || !TraitRepository::readAll(storage.reader()).isEmpty()
                         || !SegmentRepository::readAll(storage.reader()).isEmpty();
        if (m_keptSettings)
            workspace.remove(QStringLiteral("settings"));
        m_importReport = WorkspaceFile::import(storage, QJsonDocument(workspace).toJson(),
                                               QStringLiteral("demo"));
        if (!m_importReport.ok) {
            QStringList lines;
            for (const JsonIssue &issue : std::as_const(m_importReport.errors).mid(0, kErrorsShown))
                lines.append(QStringLiteral("  ") + issue.toString());
            if (m_importReport.errors.size() > kErrorsShown)
                lines.append(QStringLiteral("  and %1 more")
                                 .arg(m_importReport.errors.size() - kErrorsShown));
            *error = QStringLiteral("the demo workspace does not fit in this database, so nothing "
                                    "of it was imported:\n%1\n%2")
                         .arg(lines.join(QLatin1Char('\n')), kDatabaseOfItsOwn);
            return false;
        }
        m_imported = true;
    }
    server.reloadWorkspace();
    if (m_imported && !m_keptSettings) {
        // Stored by the import; the running endpoint takes them now, not at the next start.
        const WriteResult applied =
            server.applyWorkspaceSettings(SettingsRepository(storage).load());
        if (!applied.ok) {
            *error = QStringLiteral("the demo's settings cannot be applied: %1").arg(applied.error);
            return false;
        }
    }
    return true;
}

QStringList DemoEnvironment::startupReport() const
{
    QStringList simulated;
    for (const SimulatedPartner &partner : m_partners)
        simulated.append(QStringLiteral("\"%1\" (DPID %2) on 127.0.0.1:%3")
                             .arg(partner.name)
                             .arg(partner.dpid)
                             .arg(partner.simulator->port()));
    QStringList lines{QStringLiteral("partners simulated on loopback: ")
                      + simulated.join(QStringLiteral(", "))};
    if (m_imported)
        lines.append(QStringLiteral("demo workspace imported (%1)%2")
                         .arg(m_importReport.summary(),
                              m_keptSettings
                                  ? QStringLiteral("; this database's region and deadline kept")
                                  : QString()));
    else
        lines.append(QStringLiteral("the demo workspace is in this database already: nothing "
                                    "imported, its partners pointed at these simulators"));
    lines.append(QStringLiteral("traffic generator: %1 calls/s to %2")
                     .arg(m_traffic->rate())
                     .arg(m_trafficTarget));
    return lines;
}

QString DemoEnvironment::statusText() const
{
    const TrafficGenerator::Counters counters = m_traffic->counters();
    return QStringLiteral("demo traffic %1 calls/s%2: %3 sent, %4 answered, %5 errors, "
                          "%6 not sent")
        .arg(m_traffic->rate())
        .arg(m_traffic->isPaused() ? QStringLiteral(" (paused)") : QString())
        .arg(counters.sent)
        .arg(counters.answered)
        .arg(counters.errors)
        .arg(counters.notSent);
}

} // namespace Dcs
