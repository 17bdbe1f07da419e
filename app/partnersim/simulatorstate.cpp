#include "simulatorstate.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Dcs {

namespace {

constexpr std::array<QLatin1StringView, kAnswerKindCount> kAnswerKindNames = {
    QLatin1StringView("ok"),        QLatin1StringView("empty"),
    QLatin1StringView("http500"),   QLatin1StringView("reset"),
    QLatin1StringView("malformed"), QLatin1StringView("badcodes"),
    QLatin1StringView("huge"),      QLatin1StringView("drip"),
    QLatin1StringView("hang"),      QLatin1StringView("close"),
    QLatin1StringView("unauthorized"), QLatin1StringView("bad_request"),
};

} // namespace

AnswerKind answerKindOf(FailureKind failure)
{
    switch (failure) {
    case FailureKind::Http500: return AnswerKind::Http500;
    case FailureKind::Reset: return AnswerKind::Reset;
    case FailureKind::Malformed: return AnswerKind::Malformed;
    case FailureKind::BadCodes: return AnswerKind::BadCodes;
    case FailureKind::Huge: return AnswerKind::Huge;
    case FailureKind::Drip: return AnswerKind::Drip;
    case FailureKind::Hang: return AnswerKind::Hang;
    case FailureKind::Close: return AnswerKind::Close;
    }
    return AnswerKind::Http500;
}

QLatin1StringView answerKindName(AnswerKind kind)
{
    return kAnswerKindNames[int(kind)];
}

SimulatorState::SimulatorState(SimulatorConfig config, int threads)
    : m_threads(threads)
    , m_config(std::make_shared<const SimulatorConfig>(std::move(config)))
{
    m_uptime.start();
}

std::shared_ptr<const SimulatorConfig> SimulatorState::config() const
{
    QMutexLocker locker(&m_configMutex);
    return m_config;
}

void SimulatorState::setConfig(SimulatorConfig config)
{
    auto replacement = std::make_shared<const SimulatorConfig>(std::move(config));
    QMutexLocker locker(&m_configMutex);
    m_config = std::move(replacement);
}

bool SimulatorState::editConfig(const std::function<bool(SimulatorConfig &)> &edit)
{
    QMutexLocker editLocker(&m_editMutex);
    SimulatorConfig edited = *config();
    if (!edit(edited))
        return false;
    setConfig(std::move(edited));
    return true;
}

SimulatorStats SimulatorState::stats() const
{
    SimulatorStats stats;
    stats.requests = m_requests.load();
    for (int i = 0; i < kAnswerKindCount; ++i)
        stats.answers[i] = m_answers[i].load();
    stats.signatureFailures = m_signatureFailures.load();
    stats.controlRequests = m_controlRequests.load();
    stats.inFlight = m_inFlight.load();
    stats.connectionsOpen = m_connectionsOpen.load();
    stats.connectionsAccepted = m_connectionsAccepted.load();
    return stats;
}

void SimulatorState::resetCounters()
{
    m_requests = 0;
    for (std::atomic<quint64> &answers : m_answers)
        answers = 0;
    m_signatureFailures = 0;
    m_controlRequests = 0;
    m_connectionsAccepted = 0;
}

QByteArray SimulatorState::statsJson() const
{
    const SimulatorStats now = stats();
    const std::shared_ptr<const SimulatorConfig> current = config();
    QJsonObject answers;
    for (int i = 0; i < kAnswerKindCount; ++i)
        answers.insert(kAnswerKindNames[i], qint64(now.answers[i]));
    const QJsonObject settings = configToJson(*current);
    const QJsonObject stats{
        {QStringLiteral("dpid"), current->dpid},
        {QStringLiteral("requests"), qint64(now.requests)},
        {QStringLiteral("answers"), answers},
        {QStringLiteral("signature_failures"), qint64(now.signatureFailures)},
        {QStringLiteral("control_requests"), qint64(now.controlRequests)},
        {QStringLiteral("in_flight"), now.inFlight},
        {QStringLiteral("connections_open"), now.connectionsOpen},
        {QStringLiteral("connections_accepted"), qint64(now.connectionsAccepted)},
        {QStringLiteral("latency"), settings.value(QLatin1StringView("latency"))},
        {QStringLiteral("fail"), settings.value(QLatin1StringView("fail"))},
        {QStringLiteral("threads"), m_threads},
        {QStringLiteral("uptime_ms"), m_uptime.elapsed()},
    };
    return QJsonDocument(stats).toJson(QJsonDocument::Compact);
}

} // namespace Dcs
