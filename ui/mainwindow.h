#pragma once

#include "dcs/eventstats.h"

#include <QElapsedTimer>
#include <QMainWindow>

class QLabel;
class QListWidget;
class QSplitter;
class QStackedWidget;
class QTimer;

namespace Dcs {

class BatchImportDialog;
class DcsServer;
class ReplayDialog;
class DemoEnvironment;
class DemoOfferBanner;
class DemoTrafficControl;
class OnboardingPanel;
class PartnersPage;
class HistoryPage;
class ReportsPage;
class VisitorsPage;
class MonitorPage;
class SegmentsPage;
class SettingsPage;
class WorkspacePage;

// The main window: a navigation list on the left whose entries are pages (each later area adds
// its own with addPage), menus that list every action with its shortcut, and a status bar with
// the listener's address and state. Geometry, splitter and current page persist.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(DcsServer &server, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Adds a page under `id` (stable, used to restore the current page) and a View menu entry
    // with Ctrl+<n> for the first nine pages.
    void addPage(const QString &id, const QString &title, const QIcon &icon, QWidget *page);
    QString currentPageId() const;
    void setCurrentPage(const QString &id);

    MonitorPage *monitorPage() const { return m_monitorPage; }
    WorkspacePage *workspacePage() const { return m_workspacePage; }
    SettingsPage *settingsPage() const { return m_settingsPage; }
    PartnersPage *partnersPage() const { return m_partnersPage; }
    OnboardingPanel *onboardingPanel() const { return m_onboardingPanel; }
    HistoryPage *historyPage() const { return m_historyPage; }
    VisitorsPage *visitorsPage() const { return m_visitorsPage; }
    ReportsPage *reportsPage() const { return m_reportsPage; }
    SegmentsPage *segmentsPage() const { return m_segmentsPage; }
    QLabel *listenerStatusLabel() const { return m_listenerLabel; }
    // The running demo (--demo, or started from the first-run offer), owned by the runner;
    // null without one. Shows its traffic control in the status bar.
    void setDemoEnvironment(DemoEnvironment *demo);
    DemoEnvironment *demoEnvironment() const { return m_demo; }
    // Null once dismissed or when the workspace was not empty.
    DemoOfferBanner *demoOffer() const { return m_demoOffer; }
    DemoTrafficControl *demoTrafficControl() const { return m_demoControl; }
    QAction *startDemoAction() const { return m_startDemoAction; }
    QAction *importBatchAction() const { return m_importBatchAction; }
    QAction *replayAction() const { return m_replayAction; }
    // The dialogs those actions open (non-modal, deleted on close), returned for tests.
    BatchImportDialog *openBatchImport(const QString &path);
    ReplayDialog *openReplay(const QList<qint64> &traitSids = {});
    // A message in the status bar for a few seconds (what pages use instead of alerts).
    void showStatusMessage(const QString &message);

Q_SIGNALS:
    // The user asked for the demo (first-run offer or Help menu); the runner starts it and
    // calls setDemoEnvironment().
    void demoRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void updateListenerStatus();
    void restoreSettings();
    void saveSettings();
    void offerDemoIfEmpty();

    DcsServer &m_server;
    QSplitter *m_splitter = nullptr;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    QMenu *m_viewMenu = nullptr;
    QLabel *m_listenerLabel = nullptr;
    MonitorPage *m_monitorPage = nullptr;
    WorkspacePage *m_workspacePage = nullptr;
    SettingsPage *m_settingsPage = nullptr;
    PartnersPage *m_partnersPage = nullptr;
    OnboardingPanel *m_onboardingPanel = nullptr;
    HistoryPage *m_historyPage = nullptr;
    SegmentsPage *m_segmentsPage = nullptr;
    QSplitter *m_historySplitter = nullptr;
    VisitorsPage *m_visitorsPage = nullptr;
    ReportsPage *m_reportsPage = nullptr;
    QTimer *m_rateTimer = nullptr;
    EventStats::Snapshot m_lastStats;
    QElapsedTimer m_sinceLastStats;
    QString m_savedPageId; // selected as soon as a page with this id is added
    DemoEnvironment *m_demo = nullptr;
    DemoOfferBanner *m_demoOffer = nullptr;
    DemoTrafficControl *m_demoControl = nullptr;
    QAction *m_startDemoAction = nullptr;
    QAction *m_importBatchAction = nullptr;
    QAction *m_replayAction = nullptr;
};

} // namespace Dcs
