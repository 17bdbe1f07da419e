#pragma once

#include "partners/onboardingrun.h"
#include "partners/partner.h"

#include <QThreadPool>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class QAbstractButton;
class QAction;
class QButtonGroup;
class QLabel;
class QMenu;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTabWidget;
class QTimer;

namespace Dcs {

class DcsServer;
class PartnerEditor;
class PartnerListModel;
class ShadowResultsView;

// The partners page: the list (mode, health, last hour) on the left; on the right the selected
// partner's name, its mode switch and its tabs — Settings (the editor) and Shadow results, plus
// whatever addPartnerTab() brings (the onboarding panel). Every write (save, delete, mode
// change) and every read of the transfer log runs off the GUI thread; after a write the engine
// re-reads the partners, so the next call uses them. Outcomes go to the status bar.
class PartnersPage final : public QWidget
{
    Q_OBJECT
public:
    explicit PartnersPage(DcsServer &server, QWidget *parent = nullptr);
    ~PartnersPage() override;

    // Adds a tab about the selected partner; follow currentPartnerChanged() to know which.
    void addPartnerTab(QWidget *tab, const QString &title);
    // The selected partner as stored (nullopt: none, or a new one not saved yet).
    std::optional<Partner> currentPartner() const;
    // Selects a partner (as clicking it would, unsaved-changes guard included).
    void selectPartner(qint64 partnerId);
    // Starts moving the selected partner to `mode`: reads its latest onboarding test, then asks.
    void requestModeChange(Partner::Mode mode);

    // Re-reads the partners (after an import), the live statistics and the last hour.
    void reload();
    void refreshLiveStats();
    void refreshHourFigures();
    void refreshShadowResults();
    // Re-reads the selected partner's latest onboarding result shown under its name (after a
    // run finished on the Onboarding tab).
    void loadLastTest();

    QAction *newAction() const { return m_newAction; }
    QAction *saveAction() const { return m_saveAction; }
    QAction *revertAction() const { return m_revertAction; }
    QAction *deleteAction() const { return m_deleteAction; }
    QAction *refreshAction() const { return m_refreshAction; }
    // The page's menu (New, Save, Revert, Delete, Mode, Refresh), for the menu bar.
    QMenu *menu() const { return m_menu; }
    PartnerListModel *listModel() const { return m_model; }
    QTableView *listView() const { return m_view; }
    PartnerEditor *editor() const { return m_editor; }
    ShadowResultsView *shadowResults() const { return m_shadow; }
    QTabWidget *tabs() const { return m_tabs; }
    QAbstractButton *modeButton(Partner::Mode mode) const;
    bool isBusy() const { return m_busy; }

Q_SIGNALS:
    void statusMessage(const QString &message);
    // The selected partner changed, or its stored version did (saved, mode switched).
    void currentPartnerChanged(const std::optional<Dcs::Partner> &partner);
    // A save, delete or mode change was stored and the engine reloaded its partners.
    void partnersChanged();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    // Runs `work` on the page's worker thread (one at a time, in order) and `done` with its
    // result on the GUI thread.
    template <typename Result>
    void runInBackground(std::function<Result()> work, std::function<void(Result)> done);

    void createActions();
    QWidget *createList();
    QWidget *createDetails();
    void loadPartners();
    void currentRowChanged();
    // Runs `proceed` once the editor's edits are saved or dropped; asks when there are some.
    void guardUnsaved(std::function<void()> proceed);
    void showPartner(std::optional<qint64> partnerId);
    void startNew();
    void save(std::function<void()> afterSave = {});
    void removeCurrent();
    void changeMode(qint64 partnerId, Partner::Mode mode);
    void updateActions();
    void updateHeader();
    void selectRowOf(std::optional<qint64> partnerId);
    void saveLayout() const;
    void restoreLayout();
    std::optional<qint64> selectedPartnerId() const;

    DcsServer &m_server;
    QThreadPool m_worker;
    PartnerListModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QSplitter *m_splitter = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_lastTest = nullptr;
    QButtonGroup *m_modeGroup = nullptr;
    QTabWidget *m_tabs = nullptr;
    PartnerEditor *m_editor = nullptr;
    ShadowResultsView *m_shadow = nullptr;
    QMenu *m_menu = nullptr;
    QAction *m_newAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_revertAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QList<QAction *> m_modeActions;
    QTimer *m_liveTimer = nullptr;
    QTimer *m_hourTimer = nullptr;

    // The partner in the editor: nullopt none, 0 a new one not saved yet.
    std::optional<qint64> m_current;
    std::optional<qint64> m_selectAfterLoad;
    bool m_ignoreSelection = false;
    bool m_busy = false;
    bool m_guardOpen = false;
    bool m_guardQueued = false;
    bool m_restoring = false;
    bool m_fitColumns = false; // no saved widths: fit the columns to the first rows
    // Stale answers of the background reads are dropped by these.
    quint64 m_listGeneration = 0;
    quint64 m_hourGeneration = 0;
    quint64 m_shadowGeneration = 0;
    quint64 m_testGeneration = 0;
};

} // namespace Dcs
