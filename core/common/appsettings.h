#pragma once

#include "dcs/dcslistener.h"

#include <QByteArray>
#include <QSettings>
#include <QString>

namespace Dcs {

// Every per-user preference behind one typed class: no QSettings string keys elsewhere.
// Requires the application identity (setApplicationIdentity) before construction.
class AppSettings
{
public:
    AppSettings() = default;

    QByteArray mainWindowGeometry() const;
    void setMainWindowGeometry(const QByteArray &geometry);
    QByteArray mainWindowState() const;
    void setMainWindowState(const QByteArray &state);
    QByteArray mainSplitterState() const;
    void setMainSplitterState(const QByteArray &state);
    QString currentPage() const;
    void setCurrentPage(const QString &pageId);
    QString lastWorkspaceFolder() const;
    void setLastWorkspaceFolder(const QString &folder);

    // Where this machine's DCS listens when --listen is not given ("127.0.0.1:8480").
    QString listenAddress() const;
    void setListenAddress(const QString &address);
    // The listener's limits (dcs-api.md's table); the defaults when never set.
    DcsListener::Limits listenerLimits() const;
    void setListenerLimits(const DcsListener::Limits &limits);
    // Group commit: answer a call only once its event is stored (default). Off trades the
    // guarantee that every answered call is stored for lower latency.
    bool answerAfterCommit() const;
    void setAnswerAfterCommit(bool enabled);

    // The History page's split between the transfer log and the detail pane.
    QByteArray historySplitterState() const;
    void setHistorySplitterState(const QByteArray &state);
    // The first-run offer of the demo workspace was declined for good.
    bool demoOfferDismissed() const;
    void setDemoOfferDismissed(bool dismissed);
    // Partners page (ui/partners): its splitter, the list's columns and sort, the shadow
    // results' range and tables.
    QByteArray partnersSplitterState() const;
    void setPartnersSplitterState(const QByteArray &state);
    QByteArray partnersListHeaderState() const;
    void setPartnersListHeaderState(const QByteArray &state);
    int shadowResultsRange() const; // index into the view's ranges; 1 (last hour) by default
    void setShadowResultsRange(int index);
    QByteArray shadowComparisonHeaderState() const;
    void setShadowComparisonHeaderState(const QByteArray &state);
    QByteArray shadowCodesHeaderState() const;
    void setShadowCodesHeaderState(const QByteArray &state);
    // Live monitor: the partner health strip and the live charts (issue 6, h-charts).
    // The strip's column widths, order, hidden columns and sort (QHeaderView::saveState()).
    QByteArray partnerHealthHeaderState() const;
    void setPartnerHealthHeaderState(const QByteArray &state);
    // The charts' time window in minutes: 5, 30 or 60 (default 5).
    int liveChartsWindowMinutes() const;
    void setLiveChartsWindowMinutes(int minutes);
    // Onboarding panel (ui/partners/onboardingpanel): its splitters and table headers by part
    // name ("resultsSplitter", "callsHeader", ...), and the last run's calls and rate.
    QByteArray onboardingViewState(const QString &part) const;
    void setOnboardingViewState(const QString &part, const QByteArray &state);
    int onboardingCalls() const;
    void setOnboardingCalls(int calls);
    double onboardingRate() const;
    void setOnboardingRate(double ratePerSecond);
    // History page (ui/monitor/historypage): the table header (column order, widths, hidden
    // columns, sort), the time range preset by name ("15m", "1h", "today", "7d", "all",
    // "custom") with the custom range's ends (ms since the epoch), and the last export folder.
    QByteArray historyHeaderState() const;
    void setHistoryHeaderState(const QByteArray &state);
    QString historyTimeRange() const;
    void setHistoryTimeRange(const QString &preset);
    qint64 historyCustomFromMs() const;
    qint64 historyCustomUntilMs() const;
    void setHistoryCustomRange(qint64 fromMs, qint64 untilMs);
    QString historyExportFolder() const;
    void setHistoryExportFolder(const QString &folder);
    // Monitor page (live transfers table and its detail pane).
    // The most transfers the live table holds (default 50,000).
    int monitorCapacity() const;
    void setMonitorCapacity(int rows);
    // The table's header (visible columns, their order and widths, the sort).
    QByteArray monitorHeaderState() const;
    void setMonitorHeaderState(const QByteArray &state);
    // The page's vertical splitter (health strip, charts, table) and the table | detail one.
    QByteArray monitorSplitterState() const;
    void setMonitorSplitterState(const QByteArray &state);
    QByteArray monitorDetailSplitterState() const;
    void setMonitorDetailSplitterState(const QByteArray &state);
    // The transfer detail pane's current tab (shared by every page that shows one).
    int transferDetailTab() const;
    void setTransferDetailTab(int tab);
    // Visitors page (ui/visitors): its splitters and table headers by part name
    // ("mainSplitter", "traitsHeader", ...).
    QByteArray visitorsViewState(const QString &part) const;
    void setVisitorsViewState(const QString &part, const QByteArray &state);
    // Reports page (ui/reports): its splitter and table header by part name, the days the
    // adds/drops chart covers (7, 30 or 90; default 30) and the last CSV export folder.
    QByteArray reportsViewState(const QString &part) const;
    void setReportsViewState(const QString &part, const QByteArray &state);
    int reportsChartDays() const;
    void setReportsChartDays(int days);
    QString reportsExportFolder() const;
    void setReportsExportFolder(const QString &folder);

    // Segments page (ui/segments): the list | editor split, the tree | rule | preview split, the
    // list's columns and sort, the editor's tab and the rule view (0 Visual, 1 Code).
    QByteArray segmentsSplitterState() const;
    void setSegmentsSplitterState(const QByteArray &state);
    QByteArray segmentsEditorSplitterState() const;
    void setSegmentsEditorSplitterState(const QByteArray &state);
    QByteArray segmentsListHeaderState() const;
    void setSegmentsListHeaderState(const QByteArray &state);
    int segmentsEditorTab() const;
    void setSegmentsEditorTab(int tab);
    int segmentsRuleView() const;
    void setSegmentsRuleView(int view);

    // Traits page (ui/traits): its splitters and the trait list's header by part name
    // ("splitter", "browserSplitter", "editorSplitter", "listHeader"), and the rule view last
    // used (0 visual, 1 code; visual by default).
    QByteArray traitsViewState(const QString &part) const;
    void setTraitsViewState(const QString &part, const QByteArray &state);
    int traitsRuleTab() const;
    void setTraitsRuleTab(int tab);

private:
    QSettings m_settings;
};

} // namespace Dcs
