#pragma once

#include "rules/definitions.h"

#include <QHash>
#include <QThreadPool>
#include <QWidget>

#include <functional>
#include <optional>

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;

namespace Dcs {

class DcsServer;
class SegmentEditor;
class SegmentListModel;

// The segments page (issue 7, "Segments"): the list of segments with their population now,
// searchable, above the editor of the selected one (fields, the rule in Visual and Code views,
// the live preview with the population chart, the destinations). Reads and writes run on the
// page's worker thread; after a save, delete or status change the DCS recompiles its rules,
// so the next /event uses them. Outcomes go to the status bar.
class SegmentsPage final : public QWidget
{
    Q_OBJECT
public:
    explicit SegmentsPage(DcsServer &server, QWidget *parent = nullptr);
    ~SegmentsPage() override;

    // Re-reads folders, traits and segments (after an import or an edit elsewhere).
    void reload();
    // Selects a segment as clicking it would (unsaved-changes guard included).
    void selectSegment(qint64 sid);
    // The segment in the editor as stored: nullopt for none or a new one not saved yet.
    std::optional<Segment> currentSegment() const;

    // The editor's tabs (Rule, Destinations): the lead adds the version history here.
    QTabWidget *editorTabs() const;
    SegmentEditor *editor() const { return m_editor; }
    SegmentListModel *listModel() const { return m_model; }
    QTableView *listView() const { return m_view; }
    QLineEdit *searchEdit() const { return m_search; }
    QSplitter *splitter() const { return m_splitter; }
    QMenu *menu() const { return m_menu; }
    QAction *newAction() const { return m_newAction; }
    QAction *saveAction() const { return m_saveAction; }
    QAction *revertAction() const { return m_revertAction; }
    QAction *deleteAction() const { return m_deleteAction; }
    QAction *activateAction() const { return m_activateAction; }
    QAction *refreshAction() const { return m_refreshAction; }
    bool isBusy() const { return m_busy; }

Q_SIGNALS:
    void statusMessage(const QString &message);
    // A segment was stored (created, edited, activated or deactivated) and the rules reloaded.
    void segmentSaved(qint64 sid);
    void segmentRemoved(qint64 sid);
    void currentSegmentChanged(const std::optional<Dcs::Segment> &segment);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    template <typename Result>
    void runInBackground(std::function<Result()> work, std::function<void(Result)> done);

    void createActions();
    QWidget *createList();
    QWidget *createEditor();
    void loadAll();
    void loadPopulations();
    void loadHistory();
    void currentRowChanged();
    void guardUnsaved(std::function<void()> proceed);
    void showSegment(std::optional<qint64> sid);
    void startNew();
    void save(std::function<void()> afterSave = {});
    void store(const Segment &segment, const QString &doneMessage,
               std::function<void()> afterSave);
    void removeCurrent();
    void toggleActive();
    void updateActions();
    void updateTitle();
    void selectRowOf(std::optional<qint64> sid);
    std::optional<qint64> selectedSid() const;
    void saveLayout() const;
    void restoreLayout();

    DcsServer &m_server;
    QThreadPool m_worker;
    SegmentListModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_search = nullptr;
    QSplitter *m_splitter = nullptr;
    QLabel *m_title = nullptr;
    SegmentEditor *m_editor = nullptr;
    QMenu *m_menu = nullptr;
    QAction *m_newAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_revertAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_activateAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QTimer *m_refreshTimer = nullptr;

    // The segment in the editor: nullopt none, 0 a new one not saved yet.
    std::optional<qint64> m_current;
    bool m_ignoreSelection = false;
    bool m_busy = false;
    bool m_guardOpen = false;
    bool m_guardQueued = false;
    bool m_loaded = false;
    bool m_restoring = false;
    QHash<qint64, QString> m_folderNames;
    quint64 m_listGeneration = 0;
    quint64 m_populationGeneration = 0;
    quint64 m_historyGeneration = 0;
};

} // namespace Dcs
