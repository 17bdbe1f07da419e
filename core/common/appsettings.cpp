#include "appsettings.h"

namespace Dcs {

namespace Key {
const QString geometry = QStringLiteral("mainWindow/geometry");
const QString state = QStringLiteral("mainWindow/state");
const QString splitter = QStringLiteral("mainWindow/splitter");
const QString page = QStringLiteral("mainWindow/page");
const QString workspaceFolder = QStringLiteral("workspace/lastFolder");
const QString listen = QStringLiteral("listener/address");
const QString maxHeaderBytes = QStringLiteral("listener/maxHeaderBytes");
const QString maxBodyBytes = QStringLiteral("listener/maxBodyBytes");
const QString idleTimeoutMs = QStringLiteral("listener/idleTimeoutMs");
const QString requestTimeoutMs = QStringLiteral("listener/requestTimeoutMs");
const QString maxConnections = QStringLiteral("listener/maxConnections");
const QString maxInFlight = QStringLiteral("listener/maxInFlightRequests");
const QString answerAfterCommit = QStringLiteral("listener/answerAfterCommit");
// Onboarding panel (ui/partners/onboardingpanel).
const QString onboardingViews = QStringLiteral("onboarding/views/");
const QString onboardingCalls = QStringLiteral("onboarding/calls");
const QString onboardingRate = QStringLiteral("onboarding/rate");
} // namespace Key

QByteArray AppSettings::mainWindowGeometry() const
{
    return m_settings.value(Key::geometry).toByteArray();
}

void AppSettings::setMainWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(Key::geometry, geometry);
}

QByteArray AppSettings::mainWindowState() const
{
    return m_settings.value(Key::state).toByteArray();
}

void AppSettings::setMainWindowState(const QByteArray &state)
{
    m_settings.setValue(Key::state, state);
}

QByteArray AppSettings::mainSplitterState() const
{
    return m_settings.value(Key::splitter).toByteArray();
}

void AppSettings::setMainSplitterState(const QByteArray &state)
{
    m_settings.setValue(Key::splitter, state);
}

QString AppSettings::currentPage() const
{
    return m_settings.value(Key::page).toString();
}

void AppSettings::setCurrentPage(const QString &pageId)
{
    m_settings.setValue(Key::page, pageId);
}

QString AppSettings::lastWorkspaceFolder() const
{
    return m_settings.value(Key::workspaceFolder).toString();
}

void AppSettings::setLastWorkspaceFolder(const QString &folder)
{
    m_settings.setValue(Key::workspaceFolder, folder);
}

QString AppSettings::listenAddress() const
{
    return m_settings.value(Key::listen, QStringLiteral("127.0.0.1:8480")).toString();
}

void AppSettings::setListenAddress(const QString &address)
{
    m_settings.setValue(Key::listen, address);
}

DcsListener::Limits AppSettings::listenerLimits() const
{
    DcsListener::Limits limits;
    const auto read = [this](const QString &key, int fallback) {
        const int value = m_settings.value(key, fallback).toInt();
        return value > 0 ? value : fallback;
    };
    limits.maxHeaderBytes = read(Key::maxHeaderBytes, limits.maxHeaderBytes);
    limits.maxBodyBytes = read(Key::maxBodyBytes, limits.maxBodyBytes);
    limits.idleTimeoutMs = read(Key::idleTimeoutMs, limits.idleTimeoutMs);
    limits.requestTimeoutMs = read(Key::requestTimeoutMs, limits.requestTimeoutMs);
    limits.maxConnections = read(Key::maxConnections, limits.maxConnections);
    limits.maxInFlightRequests = read(Key::maxInFlight, limits.maxInFlightRequests);
    return limits;
}

void AppSettings::setListenerLimits(const DcsListener::Limits &limits)
{
    m_settings.setValue(Key::maxHeaderBytes, limits.maxHeaderBytes);
    m_settings.setValue(Key::maxBodyBytes, limits.maxBodyBytes);
    m_settings.setValue(Key::idleTimeoutMs, limits.idleTimeoutMs);
    m_settings.setValue(Key::requestTimeoutMs, limits.requestTimeoutMs);
    m_settings.setValue(Key::maxConnections, limits.maxConnections);
    m_settings.setValue(Key::maxInFlight, limits.maxInFlightRequests);
}

bool AppSettings::answerAfterCommit() const
{
    return m_settings.value(Key::answerAfterCommit, true).toBool();
}

void AppSettings::setAnswerAfterCommit(bool enabled)
{
    m_settings.setValue(Key::answerAfterCommit, enabled);
}

// Onboarding panel (ui/partners/onboardingpanel).

QByteArray AppSettings::onboardingViewState(const QString &part) const
{
    return m_settings.value(Key::onboardingViews + part).toByteArray();
}

void AppSettings::setOnboardingViewState(const QString &part, const QByteArray &state)
{
    m_settings.setValue(Key::onboardingViews + part, state);
}

int AppSettings::onboardingCalls() const
{
    return qBound(1, m_settings.value(Key::onboardingCalls, 20).toInt(), 100000);
}

void AppSettings::setOnboardingCalls(int calls)
{
    m_settings.setValue(Key::onboardingCalls, calls);
}

double AppSettings::onboardingRate() const
{
    return qBound(0.1, m_settings.value(Key::onboardingRate, 20.0).toDouble(), 10000.0);
}

void AppSettings::setOnboardingRate(double ratePerSecond)
{
    m_settings.setValue(Key::onboardingRate, ratePerSecond);
}

} // namespace Dcs
