#pragma once

#include "partners/partner.h"
#include "rules/definitions.h"
#include "rules/signalkeystats.h"
#include "traits/onboardcodesdialog.h"

#include <QList>
#include <QPointer>
#include <QThreadPool>
#include <QWidget>

#include <atomic>
#include <functional>
#include <optional>

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QSplitter;
class QTableView;
class QTimer;
class QTreeView;

namespace Dcs {

class DcsServer;
class FolderTreeModel;
class OnboardCodesDialog;
class TraitEditor;
class TraitFilterProxy;
class TraitListModel;

// The Traits page (issue 7): the folder tree (drag traits and folders between folders; create,
// rename, delete folders), the trait list of the selected folder with its figures (computed
// off the GUI thread, filled in as they arrive) and search, and the trait editor with its
// visual and code views, live preview and versions. Saving writes through TraitRepository (a
// definition version) on a worker thread; the DCS then reloads its rules, so the next call
// uses the trait.
class TraitsPage final : public QWidget
{
    Q_OBJECT

public:
    explicit TraitsPage(DcsServer &server, QWidget *parent = nullptr);
    ~TraitsPage() override;

    QMenu *menu() const { return m_menu; }
    TraitEditor *editor() const { return m_editor; }
    TraitListModel *listModel() const { return m_model; }
    TraitFilterProxy *listProxy() const { return m_proxy; }
    FolderTreeModel *folderModel() const { return m_folders; }
    QTableView *listView() const { return m_list; }
    QTreeView *folderView() const { return m_tree; }
    QLineEdit *searchEdit() const { return m_search; }
    QAction *newAction() const { return m_newAction; }
    QAction *saveAction() const { return m_saveAction; }
    QAction *revertAction() const { return m_revertAction; }
    QAction *deleteAction() const { return m_deleteAction; }
    QAction *newFolderAction() const { return m_newFolderAction; }
    QAction *renameFolderAction() const { return m_renameFolderAction; }
    QAction *deleteFolderAction() const { return m_deleteFolderAction; }
    QAction *onboardAction() const { return m_onboardAction; }
    QAction *refreshAction() const { return m_refreshAction; }
    OnboardCodesDialog *onboardDialog() const { return m_onboardDialog; }

    // The trait in the editor (sid 0: a new one), or none.
    std::optional<qint64> currentSid() const { return m_current; }
    // Shows the trait (asking first about unsaved edits).
    void selectTrait(qint64 sid);
    void selectFolder(qint64 folderId); // 0: all traits
    qint64 selectedFolder() const;
    bool isBusy() const { return m_busy; }

public Q_SLOTS:
    void reload(); // folders, traits, partners; then figures and signal keys
    void startNew();
    void save(std::function<void()> afterSave = {});
    void removeCurrent();
    void createFolder();
    void renameFolder();
    void removeFolder();
    void openOnboardDialog();

Q_SIGNALS:
    void statusMessage(const QString &message);
    // Traits or folders changed in storage (after a save, delete, move or import).
    void traitsChanged();
    // The list and tree show the latest read (after reload()).
    void loaded();
    // The figures of every listed trait arrived.
    void figuresLoaded();
    void keyStatsLoaded();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    struct Contents
    {
        QList<Folder> folders;
        QList<Trait> traits;
        QList<Partner> partners;
    };

    void createActions();
    QWidget *createBrowser();
    QWidget *createEditorPane();
    template <typename Result>
    void runInBackground(std::function<Result()> work, std::function<void(Result)> done);
    void applyContents(const Contents &contents);
    void loadFigures();
    void loadKeyStats();
    void currentRowChanged();
    void guardUnsaved(std::function<void()> proceed);
    void showTrait(std::optional<qint64> sid);
    void updateActions();
    void updateTitle();
    void moveTraits(const QList<qint64> &sids, qint64 folderId);
    void moveFolder(qint64 folderId, std::optional<qint64> parentId);
    void writeFolder(const Folder &folder, const QString &done);
    void selectRowOf(std::optional<qint64> sid);
    std::optional<qint64> selectedSid() const;
    void restoreLayout();
    void saveLayout();

    DcsServer &m_server;
    TraitListModel *m_model = nullptr;
    TraitFilterProxy *m_proxy = nullptr;
    FolderTreeModel *m_folders = nullptr;
    QList<Partner> m_partners;
    QThreadPool m_worker;  // reads and writes in the order asked
    QThreadPool m_figures; // figures and signal keys: slow reads that never hold up a save
    std::atomic<quint64> m_figuresGeneration{0}; // read by the figures worker
    quint64 m_keyStatsGeneration = 0;
    std::optional<qint64> m_current;
    bool m_busy = false;
    bool m_ignoreSelection = false;
    bool m_guardOpen = false;
    bool m_guardQueued = false;
    qint64 m_pendingFolderEdit = 0; // a folder just created: renamed in place once shown

    QTimer *m_figuresTimer = nullptr;
    QMenu *m_menu = nullptr;
    QAction *m_newAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_revertAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_newFolderAction = nullptr;
    QAction *m_renameFolderAction = nullptr;
    QAction *m_deleteFolderAction = nullptr;
    QAction *m_onboardAction = nullptr;
    QAction *m_refreshAction = nullptr;

    QSplitter *m_splitter = nullptr;
    QSplitter *m_browserSplitter = nullptr;
    QTreeView *m_tree = nullptr;
    QLineEdit *m_search = nullptr;
    QTableView *m_list = nullptr;
    QLabel *m_title = nullptr;
    TraitEditor *m_editor = nullptr;
    QPointer<OnboardCodesDialog> m_onboardDialog; // deleted on close
};

} // namespace Dcs
