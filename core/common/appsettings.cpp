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
// Monitor page
const QString monitorCapacity = QStringLiteral("monitor/capacity");
const QString monitorHeader = QStringLiteral("monitor/header");
const QString monitorSplitter = QStringLiteral("monitor/splitter");
const QString monitorDetailSplitter = QStringLiteral("monitor/detailSplitter");
const QString transferDetailTab = QStringLiteral("monitor/detailTab");
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

// Monitor page

int AppSettings::monitorCapacity() const
{
    const int rows = m_settings.value(Key::monitorCapacity, 50'000).toInt();
    return rows > 0 ? rows : 50'000;
}

void AppSettings::setMonitorCapacity(int rows)
{
    m_settings.setValue(Key::monitorCapacity, rows);
}

QByteArray AppSettings::monitorHeaderState() const
{
    return m_settings.value(Key::monitorHeader).toByteArray();
}

void AppSettings::setMonitorHeaderState(const QByteArray &state)
{
    m_settings.setValue(Key::monitorHeader, state);
}

QByteArray AppSettings::monitorSplitterState() const
{
    return m_settings.value(Key::monitorSplitter).toByteArray();
}

void AppSettings::setMonitorSplitterState(const QByteArray &state)
{
    m_settings.setValue(Key::monitorSplitter, state);
}

QByteArray AppSettings::monitorDetailSplitterState() const
{
    return m_settings.value(Key::monitorDetailSplitter).toByteArray();
}

void AppSettings::setMonitorDetailSplitterState(const QByteArray &state)
{
    m_settings.setValue(Key::monitorDetailSplitter, state);
}

int AppSettings::transferDetailTab() const
{
    return m_settings.value(Key::transferDetailTab, 0).toInt();
}

void AppSettings::setTransferDetailTab(int tab)
{
    m_settings.setValue(Key::transferDetailTab, tab);
}

} // namespace Dcs
