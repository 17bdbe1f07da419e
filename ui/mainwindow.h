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

class DcsServer;
class DemoEnvironment;
class MonitorPage;
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
    QLabel *listenerStatusLabel() const { return m_listenerLabel; }
    // The running demo (--demo), owned by the runner; null without one. For the pages that
    // show or steer it (its traffic rate, its simulated partners).
    void setDemoEnvironment(DemoEnvironment *demo) { m_demo = demo; }
    DemoEnvironment *demoEnvironment() const { return m_demo; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void updateListenerStatus();
    void restoreSettings();
    void saveSettings();

    DcsServer &m_server;
    QSplitter *m_splitter = nullptr;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    QMenu *m_viewMenu = nullptr;
    QLabel *m_listenerLabel = nullptr;
    MonitorPage *m_monitorPage = nullptr;
    WorkspacePage *m_workspacePage = nullptr;
    SettingsPage *m_settingsPage = nullptr;
    QTimer *m_rateTimer = nullptr;
    EventStats::Snapshot m_lastStats;
    QElapsedTimer m_sinceLastStats;
    QString m_savedPageId; // selected as soon as a page with this id is added
    DemoEnvironment *m_demo = nullptr;
};

} // namespace Dcs
