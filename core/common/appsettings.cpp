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
// History page
const QString historyHeader = QStringLiteral("history/header");
const QString historyRange = QStringLiteral("history/timeRange");
const QString historyFrom = QStringLiteral("history/customFromMs");
const QString historyUntil = QStringLiteral("history/customUntilMs");
const QString historyExportFolder = QStringLiteral("history/exportFolder");
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

// History page
QByteArray AppSettings::historyHeaderState() const
{
    return m_settings.value(Key::historyHeader).toByteArray();
}

void AppSettings::setHistoryHeaderState(const QByteArray &state)
{
    m_settings.setValue(Key::historyHeader, state);
}

QString AppSettings::historyTimeRange() const
{
    return m_settings.value(Key::historyRange, QStringLiteral("1h")).toString();
}

void AppSettings::setHistoryTimeRange(const QString &preset)
{
    m_settings.setValue(Key::historyRange, preset);
}

qint64 AppSettings::historyCustomFromMs() const
{
    return m_settings.value(Key::historyFrom, 0).toLongLong();
}

qint64 AppSettings::historyCustomUntilMs() const
{
    return m_settings.value(Key::historyUntil, 0).toLongLong();
}

void AppSettings::setHistoryCustomRange(qint64 fromMs, qint64 untilMs)
{
    m_settings.setValue(Key::historyFrom, fromMs);
    m_settings.setValue(Key::historyUntil, untilMs);
}

QString AppSettings::historyExportFolder() const
{
    return m_settings.value(Key::historyExportFolder).toString();
}

void AppSettings::setHistoryExportFolder(const QString &folder)
{
    m_settings.setValue(Key::historyExportFolder, folder);
}

} // namespace Dcs
