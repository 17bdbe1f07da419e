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
const QString historySplitter = QStringLiteral("history/splitter");
const QString demoOfferDismissed = QStringLiteral("firstRun/demoOfferDismissed");
// Partners page
const QString partnersSplitter = QStringLiteral("partners/splitter");
const QString partnersListHeader = QStringLiteral("partners/listHeader");
const QString shadowRange = QStringLiteral("partners/shadowRange");
const QString shadowComparisonHeader = QStringLiteral("partners/shadowComparisonHeader");
const QString shadowCodesHeader = QStringLiteral("partners/shadowCodesHeader");
// Live monitor: partner health strip and live charts (h-charts).
const QString partnerHealthHeader = QStringLiteral("monitor/partnerHealthHeader");
const QString liveChartsWindow = QStringLiteral("monitor/chartsWindowMinutes");
// Onboarding panel (ui/partners/onboardingpanel).
const QString onboardingViews = QStringLiteral("onboarding/views/");
const QString onboardingCalls = QStringLiteral("onboarding/calls");
const QString onboardingRate = QStringLiteral("onboarding/rate");
// History page
const QString historyHeader = QStringLiteral("history/header");
const QString historyRange = QStringLiteral("history/timeRange");
const QString historyFrom = QStringLiteral("history/customFromMs");
const QString historyUntil = QStringLiteral("history/customUntilMs");
const QString historyExportFolder = QStringLiteral("history/exportFolder");
// Monitor page
const QString monitorCapacity = QStringLiteral("monitor/capacity");
const QString monitorHeader = QStringLiteral("monitor/header");
const QString monitorSplitter = QStringLiteral("monitor/splitter");
const QString monitorDetailSplitter = QStringLiteral("monitor/detailSplitter");
const QString transferDetailTab = QStringLiteral("monitor/detailTab");
// Visitors page
const QString visitorsViews = QStringLiteral("visitors/views/");
// Reports page
const QString reportsViews = QStringLiteral("reports/views/");
const QString reportsChartDays = QStringLiteral("reports/chartDays");
const QString reportsExportFolder = QStringLiteral("reports/exportFolder");
// Segments page
const QString segmentsSplitter = QStringLiteral("segments/splitter");
const QString segmentsEditorSplitter = QStringLiteral("segments/editorSplitter");
const QString segmentsListHeader = QStringLiteral("segments/listHeader");
const QString segmentsEditorTab = QStringLiteral("segments/editorTab");
const QString segmentsRuleView = QStringLiteral("segments/ruleView");
// Traits page (ui/traits).
const QString traitsViews = QStringLiteral("traits/views/");
const QString traitsRuleTab = QStringLiteral("traits/ruleTab");
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

QByteArray AppSettings::historySplitterState() const
{
    return m_settings.value(Key::historySplitter).toByteArray();
}

void AppSettings::setHistorySplitterState(const QByteArray &state)
{
    m_settings.setValue(Key::historySplitter, state);
}

bool AppSettings::demoOfferDismissed() const
{
    return m_settings.value(Key::demoOfferDismissed, false).toBool();
}

void AppSettings::setDemoOfferDismissed(bool dismissed)
{
    m_settings.setValue(Key::demoOfferDismissed, dismissed);
}

// Partners page

QByteArray AppSettings::partnersSplitterState() const
{
    return m_settings.value(Key::partnersSplitter).toByteArray();
}

void AppSettings::setPartnersSplitterState(const QByteArray &state)
{
    m_settings.setValue(Key::partnersSplitter, state);
}

QByteArray AppSettings::partnersListHeaderState() const
{
    return m_settings.value(Key::partnersListHeader).toByteArray();
}

void AppSettings::setPartnersListHeaderState(const QByteArray &state)
{
    m_settings.setValue(Key::partnersListHeader, state);
}

int AppSettings::shadowResultsRange() const
{
    return m_settings.value(Key::shadowRange, 1).toInt();
}

void AppSettings::setShadowResultsRange(int index)
{
    m_settings.setValue(Key::shadowRange, index);
}

QByteArray AppSettings::shadowComparisonHeaderState() const
{
    return m_settings.value(Key::shadowComparisonHeader).toByteArray();
}

void AppSettings::setShadowComparisonHeaderState(const QByteArray &state)
{
    m_settings.setValue(Key::shadowComparisonHeader, state);
}

QByteArray AppSettings::shadowCodesHeaderState() const
{
    return m_settings.value(Key::shadowCodesHeader).toByteArray();
}

void AppSettings::setShadowCodesHeaderState(const QByteArray &state)
{
    m_settings.setValue(Key::shadowCodesHeader, state);
}

// Live monitor: partner health strip and live charts (h-charts).
QByteArray AppSettings::partnerHealthHeaderState() const
{
    return m_settings.value(Key::partnerHealthHeader).toByteArray();
}

void AppSettings::setPartnerHealthHeaderState(const QByteArray &state)
{
    m_settings.setValue(Key::partnerHealthHeader, state);
}

int AppSettings::liveChartsWindowMinutes() const
{
    const int minutes = m_settings.value(Key::liveChartsWindow, 5).toInt();
    return minutes == 30 || minutes == 60 ? minutes : 5;
}

void AppSettings::setLiveChartsWindowMinutes(int minutes)
{
    m_settings.setValue(Key::liveChartsWindow, minutes);
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

// Visitors page
QByteArray AppSettings::visitorsViewState(const QString &part) const
{
    return m_settings.value(Key::visitorsViews + part).toByteArray();
}

void AppSettings::setVisitorsViewState(const QString &part, const QByteArray &state)
{
    m_settings.setValue(Key::visitorsViews + part, state);
}

// Reports page
QByteArray AppSettings::reportsViewState(const QString &part) const
{
    return m_settings.value(Key::reportsViews + part).toByteArray();
}

void AppSettings::setReportsViewState(const QString &part, const QByteArray &state)
{
    m_settings.setValue(Key::reportsViews + part, state);
}

int AppSettings::reportsChartDays() const
{
    const int days = m_settings.value(Key::reportsChartDays, 30).toInt();
    return days == 7 || days == 90 ? days : 30;
}

void AppSettings::setReportsChartDays(int days)
{
    m_settings.setValue(Key::reportsChartDays, days);
}

QString AppSettings::reportsExportFolder() const
{
    return m_settings.value(Key::reportsExportFolder).toString();
}

void AppSettings::setReportsExportFolder(const QString &folder)
{
    m_settings.setValue(Key::reportsExportFolder, folder);
}

// Segments page

QByteArray AppSettings::segmentsSplitterState() const
{
    return m_settings.value(Key::segmentsSplitter).toByteArray();
}

void AppSettings::setSegmentsSplitterState(const QByteArray &state)
{
    m_settings.setValue(Key::segmentsSplitter, state);
}

QByteArray AppSettings::segmentsEditorSplitterState() const
{
    return m_settings.value(Key::segmentsEditorSplitter).toByteArray();
}

void AppSettings::setSegmentsEditorSplitterState(const QByteArray &state)
{
    m_settings.setValue(Key::segmentsEditorSplitter, state);
}

QByteArray AppSettings::segmentsListHeaderState() const
{
    return m_settings.value(Key::segmentsListHeader).toByteArray();
}

void AppSettings::setSegmentsListHeaderState(const QByteArray &state)
{
    m_settings.setValue(Key::segmentsListHeader, state);
}

int AppSettings::segmentsEditorTab() const
{
    return m_settings.value(Key::segmentsEditorTab, 0).toInt();
}

void AppSettings::setSegmentsEditorTab(int tab)
{
    m_settings.setValue(Key::segmentsEditorTab, tab);
}

int AppSettings::segmentsRuleView() const
{
    return m_settings.value(Key::segmentsRuleView, 0).toInt();
}

void AppSettings::setSegmentsRuleView(int view)
{
    m_settings.setValue(Key::segmentsRuleView, view);
}

// Traits page

QByteArray AppSettings::traitsViewState(const QString &part) const
{
    return m_settings.value(Key::traitsViews + part).toByteArray();
}

void AppSettings::setTraitsViewState(const QString &part, const QByteArray &state)
{
    m_settings.setValue(Key::traitsViews + part, state);
}

int AppSettings::traitsRuleTab() const
{
    return m_settings.value(Key::traitsRuleTab, 0).toInt();
}

void AppSettings::setTraitsRuleTab(int tab)
{
    m_settings.setValue(Key::traitsRuleTab, tab);
}

} // namespace Dcs
