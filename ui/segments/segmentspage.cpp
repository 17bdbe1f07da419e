#include "segmentspage.h"

#include "views/unsavedchangesprompt.h"
#include "views/storageworker.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "rules/rulesnapshot.h"
#include "segmenteditor.h"
#include "segmentlistmodel.h"
#include "segmentpreviewpanel.h"
#include "storage/folderrepository.h"
#include "storage/reportstore.h"
#include "storage/segmentrepository.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"

#include <QAction>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace Dcs {

namespace {

constexpr int kRefreshIntervalMs = 15000;

QString shortcutText(const QAction *action)
{
    return action->shortcut().toString(QKeySequence::NativeText);
}

QToolButton *toolButtonFor(QAction *action, const QString &objectName)
{
    auto *button = new QToolButton;
    button->setObjectName(objectName);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    return button;
}

struct Definitions
{
    QList<Folder> folders;
    QList<Trait> traits;
    QList<Segment> segments;
};

} // namespace

template <typename Result>
void SegmentsPage::runInBackground(std::function<Result()> work, std::function<void(Result)> done)
{
    runOnStorageWorker<Result>(m_worker, *m_server.storage(), this, std::move(work),
                               std::move(done));
}

SegmentsPage::SegmentsPage(DcsServer &server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_model(new SegmentListModel(this))
{
    setObjectName(QStringLiteral("segmentsPage"));
    // One worker: writes and reads run in the order asked, so a read after a save sees it.
    m_worker.setMaxThreadCount(1);
    m_worker.setExpiryTimeout(5000);

    createActions();
    m_splitter = new QSplitter(Qt::Vertical);
    m_splitter->setObjectName(QStringLiteral("segmentsSplitter"));
    m_splitter->addWidget(createList());
    m_splitter->addWidget(createEditor());
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setSizes({200, 600});
    m_splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
    restoreLayout();
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { saveLayout(); });
    connect(m_editor->splitter(), &QSplitter::splitterMoved, this, [this] { saveLayout(); });
    connect(m_editor->editorTabs(), &QTabWidget::currentChanged, this, [this] { saveLayout(); });
    connect(m_editor->ruleTabs(), &QTabWidget::currentChanged, this, [this] { saveLayout(); });

    // Populations and the chart move with the traffic: read again while the page is shown.
    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setInterval(kRefreshIntervalMs);
    connect(m_refreshTimer, &QTimer::timeout, this, [this] {
        loadPopulations();
        loadHistory();
    });

    showSegment(std::nullopt);
    loadAll();
}

void SegmentsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_refreshTimer->start();
}

void SegmentsPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_refreshTimer->stop();
}

SegmentsPage::~SegmentsPage()
{
    saveLayout();
    m_worker.waitForDone();
}

QTabWidget *SegmentsPage::editorTabs() const
{
    return m_editor->editorTabs();
}

void SegmentsPage::createActions()
{
    m_newAction = new QAction(QIcon::fromTheme(QStringLiteral("list-add")), tr("&New Segment"),
                              this);
    m_newAction->setObjectName(QStringLiteral("newSegmentAction"));
    m_newAction->setShortcut(QKeySequence::New);
    m_newAction->setToolTip(tr("Define a new segment (%1)").arg(shortcutText(m_newAction)));
    m_saveAction = new QAction(QIcon::fromTheme(QStringLiteral("document-save")),
                               tr("&Save Segment"), this);
    m_saveAction->setObjectName(QStringLiteral("saveSegmentAction"));
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAction->setToolTip(tr("Store the segment; the DCS uses it from its next call (%1)")
                                 .arg(shortcutText(m_saveAction)));
    m_revertAction = new QAction(QIcon::fromTheme(QStringLiteral("document-revert")),
                                 tr("&Revert Changes"), this);
    m_revertAction->setObjectName(QStringLiteral("revertSegmentAction"));
    m_revertAction->setShortcut(QKeySequence(tr("Ctrl+Shift+R")));
    m_revertAction->setToolTip(tr("Discard the edits and show the segment as stored (%1)")
                                   .arg(shortcutText(m_revertAction)));
    m_deleteAction = new QAction(QIcon::fromTheme(QStringLiteral("edit-delete")),
                                 tr("&Delete Segment…"), this);
    m_deleteAction->setObjectName(QStringLiteral("deleteSegmentAction"));
    m_deleteAction->setShortcut(QKeySequence::Delete);
    m_deleteAction->setToolTip(tr("Remove the selected segment (%1 in the list)")
                                   .arg(shortcutText(m_deleteAction)));
    m_activateAction = new QAction(tr("&Deactivate"), this);
    m_activateAction->setObjectName(QStringLiteral("activateSegmentAction"));
    m_activateAction->setToolTip(tr("Switch the selected segment between active and inactive"));
    m_refreshAction = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")),
                                  tr("Re&fresh Segments"), this);
    m_refreshAction->setObjectName(QStringLiteral("refreshSegmentsAction"));
    m_refreshAction->setToolTip(tr("Read the segments, traits and populations again"));

    // Only while the focus is on this page: other pages use the same standard keys.
    for (QAction *action : {m_newAction, m_saveAction, m_revertAction, m_refreshAction}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
    }
    // Delete belongs to the list: in a text field the key deletes text.
    m_deleteAction->setShortcutContext(Qt::WidgetShortcut);

    connect(m_newAction, &QAction::triggered, this, &SegmentsPage::startNew);
    connect(m_saveAction, &QAction::triggered, this, [this] { save(); });
    connect(m_revertAction, &QAction::triggered, this, [this] {
        m_editor->revert();
        Q_EMIT statusMessage(tr("Edits discarded"));
    });
    connect(m_deleteAction, &QAction::triggered, this, &SegmentsPage::removeCurrent);
    connect(m_activateAction, &QAction::triggered, this, &SegmentsPage::toggleActive);
    connect(m_refreshAction, &QAction::triggered, this, &SegmentsPage::reload);

    m_menu = new QMenu(tr("&Segments"), this);
    m_menu->setObjectName(QStringLiteral("segmentsMenu"));
    m_menu->addActions({m_newAction, m_saveAction, m_revertAction, m_deleteAction});
    m_menu->addSeparator();
    m_menu->addAction(m_activateAction);
    m_menu->addSeparator();
    m_menu->addAction(m_refreshAction);
}

QWidget *SegmentsPage::createList()
{
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(SegmentListModel::SortRole);
    m_proxy->setFilterRole(SegmentListModel::SearchRole);
    m_proxy->setFilterKeyColumn(SegmentListModel::Name);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setDynamicSortFilter(true);

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("segmentList"));
    m_view->setAccessibleName(tr("Segments"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SegmentListModel::Sid, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setColumnWidth(SegmentListModel::Name, 220);
    m_view->setColumnWidth(SegmentListModel::Sid, 70);
    m_view->setColumnWidth(SegmentListModel::Status, 70);
    m_view->setColumnWidth(SegmentListModel::Folder, 110);
    m_view->setColumnWidth(SegmentListModel::Population, 90);
    m_view->addAction(m_deleteAction);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &SegmentsPage::currentRowChanged);
    connect(m_view->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this] { saveLayout(); });
    connect(m_view->horizontalHeader(), &QHeaderView::sectionMoved, this,
            [this] { saveLayout(); });
    connect(m_view->horizontalHeader(), &QHeaderView::sectionResized, this,
            [this] { saveLayout(); });

    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QMenu menu(m_view);
        menu.addAction(m_newAction);
        menu.addAction(m_activateAction);
        menu.addAction(m_deleteAction);
        menu.addSeparator();
        menu.addAction(m_refreshAction);
        menu.exec(m_view->viewport()->mapToGlobal(at));
    });

    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("segmentSearch"));
    m_search->setPlaceholderText(tr("Search by name, SID, integration code or rule"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search segments"));
    m_search->setMaximumWidth(360);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text.trimmed());
    });

    auto *toolBar = new QToolBar;
    toolBar->setObjectName(QStringLiteral("segmentsToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->setIconSize(QSize(16, 16));
    toolBar->addAction(m_newAction);
    toolBar->addAction(m_activateAction);
    toolBar->addAction(m_deleteAction);
    toolBar->addSeparator();
    toolBar->addWidget(m_search);
    auto *spacer = new QWidget;
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolBar->addWidget(spacer);
    toolBar->addAction(m_refreshAction);
    if (auto *refresh = qobject_cast<QToolButton *>(toolBar->widgetForAction(m_refreshAction))) {
        refresh->setAccessibleName(tr("Refresh segments"));
        if (!m_refreshAction->icon().isNull())
            refresh->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }

    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(toolBar);
    layout->addWidget(m_view, 1);
    return box;
}

QWidget *SegmentsPage::createEditor()
{
    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("segmentTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::PlainText);

    m_editor = new SegmentEditor(*m_server.storage());
    connect(m_editor, &SegmentEditor::edited, this, [this] {
        updateActions();
        updateTitle();
    });

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(toolButtonFor(m_revertAction, QStringLiteral("revertSegmentButton")));
    header->addWidget(toolButtonFor(m_saveAction, QStringLiteral("saveSegmentButton")));

    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_editor, 1);
    return box;
}

std::optional<Segment> SegmentsPage::currentSegment() const
{
    if (!m_current || *m_current == 0)
        return std::nullopt;
    return m_model->segment(*m_current);
}

std::optional<qint64> SegmentsPage::selectedSid() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid())
        return std::nullopt;
    return current.data(SegmentListModel::SidRole).toLongLong();
}

void SegmentsPage::selectRowOf(std::optional<qint64> sid)
{
    const bool ignoring = std::exchange(m_ignoreSelection, true);
    const int row = sid && *sid > 0 ? m_model->rowOf(*sid) : -1;
    const QModelIndex index = row >= 0 ? m_proxy->mapFromSource(m_model->index(row, 0))
                                       : QModelIndex();
    if (index.isValid()) {
        m_view->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(index);
    } else {
        m_view->selectionModel()->clearSelection();
        m_view->selectionModel()->setCurrentIndex({}, QItemSelectionModel::Clear);
    }
    m_ignoreSelection = ignoring;
}

void SegmentsPage::selectSegment(qint64 sid)
{
    selectRowOf(sid);
    currentRowChanged();
}

void SegmentsPage::currentRowChanged()
{
    if (m_ignoreSelection)
        return;
    const std::optional<qint64> target = selectedSid();
    if (target == m_current || (!target && m_current == 0))
        return;
    if (!m_editor->isDirty()) {
        showSegment(target);
        return;
    }
    if (m_guardQueued || m_guardOpen)
        return;
    // Asked once the view has finished with the click (its release would select again).
    m_guardQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this, target] {
            m_guardQueued = false;
            selectRowOf(m_current); // back to the edited segment while asking
            guardUnsaved([this, target] {
                selectRowOf(target);
                showSegment(target);
            });
        },
        Qt::QueuedConnection);
}

void SegmentsPage::guardUnsaved(std::function<void()> proceed)
{
    if (m_guardOpen)
        return;
    if (!m_editor->isDirty()) {
        proceed();
        return;
    }
    m_guardOpen = true;
    const Segment draft = m_editor->draft();
    const QString name = draft.name.isEmpty() ? tr("The new segment") : draft.name;
    const QStringList issues = m_editor->issues();
    const QString unsaveableBecause
        = issues.isEmpty() ? QString()
                           : tr("They cannot be saved as they are: %1.")
                                 .arg(issues.join(QStringLiteral("; ")));
    askAboutUnsavedChanges(
        this, name, unsaveableBecause,
        [this, proceed] {
            m_guardOpen = false;
            save(proceed);
        },
        [this, proceed] {
            m_guardOpen = false;
            m_editor->revert();
            proceed();
        },
        [this] {
            m_guardOpen = false;
            Q_EMIT statusMessage(tr("Edits kept"));
        });
}

void SegmentsPage::showSegment(std::optional<qint64> sid)
{
    std::optional<Segment> segment;
    if (sid && *sid > 0)
        segment = m_model->segment(*sid);
    m_current = segment ? std::optional<qint64>(segment->sid) : std::nullopt;
    m_editor->setEnabled(segment.has_value());
    m_editor->setSegment(segment.value_or(Segment()));
    if (!segment)
        m_editor->previewPanel()->showMessage(tr("No segment selected"));
    updateTitle();
    updateActions();
    loadHistory();
    Q_EMIT currentSegmentChanged(segment);
}

void SegmentsPage::startNew()
{
    guardUnsaved([this] {
        m_current = 0;
        selectRowOf(std::nullopt);
        Segment fresh;
        m_editor->setEnabled(true);
        m_editor->setSegment(fresh);
        m_editor->editorTabs()->setCurrentIndex(0);
        updateTitle();
        updateActions();
        loadHistory();
        Q_EMIT currentSegmentChanged(std::nullopt);
        m_editor->nameEdit()->setFocus();
        Q_EMIT statusMessage(tr("New segment: name it, drag traits into the rule, then save "
                                "(%1)")
                                 .arg(shortcutText(m_saveAction)));
    });
}

void SegmentsPage::updateActions()
{
    const bool editing = m_current.has_value();
    const bool dirty = editing && m_editor->isDirty();
    const bool stored = editing && *m_current > 0;
    m_newAction->setEnabled(!m_busy);
    const QStringList issues = editing ? m_editor->issues() : QStringList();
    m_saveAction->setEnabled(!m_busy && editing && issues.isEmpty()
                             && (dirty || *m_current == 0));
    m_saveAction->setStatusTip(issues.isEmpty() ? QString()
                                                : tr("Not ready to save: %1")
                                                      .arg(issues.join(QStringLiteral("; "))));
    m_revertAction->setEnabled(!m_busy && dirty);
    m_deleteAction->setEnabled(!m_busy && stored);
    const std::optional<Segment> segment = currentSegment();
    m_activateAction->setEnabled(!m_busy && segment.has_value());
    m_activateAction->setText(segment && !segment->active ? tr("&Activate")
                                                          : tr("&Deactivate"));
}

void SegmentsPage::updateTitle()
{
    QString title;
    const std::optional<Segment> segment = currentSegment();
    if (!m_current)
        title = tr("No segment selected");
    else if (*m_current == 0)
        title = tr("New segment");
    else if (segment)
        title = tr("%1 · SID %2%3")
                    .arg(segment->name)
                    .arg(segment->sid)
                    .arg(segment->active ? QString() : tr(" · inactive"));
    if (m_current && m_editor->isDirty())
        title = tr("%1 (edited)").arg(title);
    m_title->setText(title);
}

void SegmentsPage::reload()
{
    loadAll();
}

void SegmentsPage::loadAll()
{
    const quint64 generation = ++m_listGeneration;
    Storage *storage = m_server.storage();
    runInBackground<Definitions>(
        [storage] {
            QSqlDatabase db = storage->reader();
            return Definitions{FolderRepository::readAll(db), TraitRepository::readAll(db),
                               SegmentRepository::readAll(db)};
        },
        [this, generation](Definitions definitions) {
            if (generation != m_listGeneration)
                return;
            m_folderNames.clear();
            for (const Folder &folder : std::as_const(definitions.folders))
                m_folderNames.insert(folder.id, folder.name);
            m_model->setSegments(definitions.segments, m_folderNames);
            m_editor->setCatalog(definitions.folders, definitions.traits,
                                 m_server.rulesEngine()->snapshot());
            if (m_current && *m_current > 0) {
                const std::optional<Segment> stored = m_model->segment(*m_current);
                if (!stored) {
                    showSegment(std::nullopt); // removed elsewhere (an import)
                    Q_EMIT statusMessage(tr("The segment shown no longer exists"));
                } else if (*stored != m_editor->stored() && !m_editor->isDirty()) {
                    m_editor->setSegment(*stored);
                }
            }
            selectRowOf(m_current);
            if (!m_current && m_model->rowCount() > 0 && !m_guardOpen && !m_loaded) {
                // Something to look at from the start: the first row as sorted.
                selectRowOf(m_proxy->index(0, 0).data(SegmentListModel::SidRole).toLongLong());
                showSegment(selectedSid());
            }
            m_loaded = true;
            updateTitle();
            updateActions();
            loadPopulations();
        });
}

void SegmentsPage::loadPopulations()
{
    const quint64 generation = ++m_populationGeneration;
    Storage *storage = m_server.storage();
    QList<qint64> sids;
    for (const Segment &segment : m_model->segments())
        sids.append(segment.sid);
    using Populations = std::pair<QHash<qint64, qint64>, QString>;
    runInBackground<Populations>(
        [storage, sids] {
            Populations result;
            const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
            for (const qint64 sid : sids) {
                SegmentReport report;
                if (!ReportStore::segmentReport(storage->reader(), sid, nowMs, &report,
                                                &result.second))
                    break;
                result.first.insert(sid, report.populationNow);
            }
            return result;
        },
        [this, generation](Populations result) {
            if (generation != m_populationGeneration)
                return;
            m_model->setPopulations(result.first);
            if (!result.second.isEmpty())
                Q_EMIT statusMessage(tr("Populations not read: %1").arg(result.second));
        });
}

void SegmentsPage::loadHistory()
{
    const quint64 generation = ++m_historyGeneration;
    SegmentPreviewPanel *panel = m_editor->previewPanel();
    if (!m_current) {
        panel->clearHistory(tr("no segment selected"));
        return;
    }
    if (*m_current == 0) {
        panel->clearHistory(tr("not saved yet"));
        return;
    }
    Storage *storage = m_server.storage();
    const qint64 sid = *m_current;
    struct History
    {
        qint64 populationNow = 0;
        QList<SegmentDayChanges> days;
        QString error;
    };
    runInBackground<History>(
        [storage, sid] {
            History history;
            const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
            SegmentReport report;
            if (ReportStore::segmentReport(storage->reader(), sid, nowMs, &report,
                                           &history.error)
                && ReportStore::segmentDailyChanges(storage->reader(), sid, nowMs,
                                                    SegmentPreviewPanel::kHistoryDays,
                                                    &history.days, &history.error))
                history.populationNow = report.populationNow;
            return history;
        },
        [this, generation, panel](History history) {
            if (generation != m_historyGeneration)
                return;
            if (!history.error.isEmpty())
                panel->clearHistory(tr("not read: %1").arg(history.error));
            else
                panel->setHistory(history.populationNow, history.days);
        });
}

void SegmentsPage::save(std::function<void()> afterSave)
{
    if (m_busy || !m_current)
        return;
    const QStringList issues = m_editor->issues();
    if (!issues.isEmpty()) {
        Q_EMIT statusMessage(tr("Not saved: %1").arg(issues.join(QStringLiteral("; "))));
        return;
    }
    const Segment segment = m_editor->draft();
    store(segment,
          segment.sid == 0 ? tr("%1 created (SID %2); the DCS uses it from its next call")
                           : tr("%1 saved (SID %2); the DCS uses it from its next call"),
          std::move(afterSave));
}

void SegmentsPage::store(const Segment &segment, const QString &doneMessage,
                         std::function<void()> afterSave)
{
    m_busy = true;
    updateActions();
    Q_EMIT statusMessage(tr("Saving %1…").arg(segment.name));
    struct Outcome
    {
        WriteResult result;
        Segment segment;
    };
    DcsServer *server = &m_server;
    runInBackground<Outcome>(
        [server, segment] {
            Outcome outcome{{}, segment};
            outcome.result = SegmentRepository(*server->storage()).save(outcome.segment);
            if (outcome.result.ok)
                server->reloadRules(); // the next /event evaluates the new rule
            return outcome;
        },
        [this, doneMessage, afterSave](Outcome outcome) {
            m_busy = false;
            if (!outcome.result.ok) {
                updateActions();
                Q_EMIT statusMessage(tr("%1 not saved: %2")
                                         .arg(outcome.segment.name, outcome.result.error));
                return;
            }
            const Segment &saved = outcome.segment;
            QList<Segment> segments = m_model->segments();
            const int row = m_model->rowOf(saved.sid);
            if (row >= 0)
                segments[row] = saved;
            else
                segments.append(saved);
            m_model->setSegments(segments, m_folderNames);
            if (m_current == saved.sid || m_current == 0) {
                m_current = saved.sid;
                m_editor->setSegment(saved);
            }
            selectRowOf(m_current);
            updateTitle();
            updateActions();
            loadAll(); // the new rules snapshot, folder names and populations
            loadHistory();
            Q_EMIT statusMessage(doneMessage.arg(saved.name).arg(saved.sid));
            Q_EMIT segmentSaved(saved.sid);
            Q_EMIT currentSegmentChanged(currentSegment());
            if (afterSave)
                afterSave();
        });
}

void SegmentsPage::toggleActive()
{
    const std::optional<Segment> segment = currentSegment();
    if (!segment || m_busy)
        return;
    guardUnsaved([this, sid = segment->sid] {
        std::optional<Segment> stored = m_model->segment(sid);
        if (!stored)
            return;
        stored->active = !stored->active;
        store(*stored,
              stored->active ? tr("%1 (SID %2) activated: the DCS evaluates it from its next "
                                  "call")
                             : tr("%1 (SID %2) deactivated: nobody holds it from the next call"),
              {});
    });
}

void SegmentsPage::removeCurrent()
{
    const std::optional<Segment> segment = currentSegment();
    if (!segment || m_busy)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete Segment"),
                                tr("Delete %1 (SID %2)?").arg(segment->name).arg(segment->sid),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deleteSegmentDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("The DCS stops evaluating it from the next call and its "
                               "memberships are removed. Its versions stay in the history."));
    QPushButton *remove = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmDeleteButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    const qint64 sid = segment->sid;
    const QString name = segment->name;
    connect(box, &QMessageBox::finished, this, [this, box, remove, sid, name] {
        if (box->clickedButton() != remove)
            return;
        m_busy = true;
        updateActions();
        DcsServer *server = &m_server;
        runInBackground<WriteResult>(
            [server, sid] {
                const WriteResult result = SegmentRepository(*server->storage()).remove(sid);
                if (result.ok)
                    server->reloadRules();
                return result;
            },
            [this, sid, name](WriteResult result) {
                m_busy = false;
                if (!result.ok) {
                    updateActions();
                    Q_EMIT statusMessage(tr("%1 not deleted: %2").arg(name, result.error));
                    return;
                }
                if (m_current == sid)
                    showSegment(std::nullopt);
                loadAll();
                Q_EMIT statusMessage(tr("%1 deleted").arg(name));
                Q_EMIT segmentRemoved(sid);
            });
    });
    box->open();
}

void SegmentsPage::saveLayout() const
{
    if (m_restoring)
        return;
    AppSettings settings;
    settings.setSegmentsSplitterState(m_splitter->saveState());
    settings.setSegmentsEditorSplitterState(m_editor->splitter()->saveState());
    settings.setSegmentsListHeaderState(m_view->horizontalHeader()->saveState());
    settings.setSegmentsEditorTab(m_editor->editorTabs()->currentIndex());
    settings.setSegmentsRuleView(m_editor->ruleTabs()->currentIndex());
}

void SegmentsPage::restoreLayout()
{
    const AppSettings settings;
    m_restoring = true;
    m_splitter->restoreState(settings.segmentsSplitterState());
    m_editor->splitter()->restoreState(settings.segmentsEditorSplitterState());
    m_view->horizontalHeader()->restoreState(settings.segmentsListHeaderState());
    m_editor->editorTabs()->setCurrentIndex(
        qBound(0, settings.segmentsEditorTab(), m_editor->editorTabs()->count() - 1));
    m_editor->setRuleView(settings.segmentsRuleView() == SegmentEditor::CodeView
                              ? SegmentEditor::CodeView
                              : SegmentEditor::VisualView);
    m_restoring = false;
}

} // namespace Dcs
