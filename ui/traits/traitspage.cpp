#include "traits/traitspage.h"

#include "views/unsavedchangesprompt.h"
#include "views/storageworker.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "rules/reports.h"
#include "rules/rulesnapshot.h"
#include "rules/traitpreview.h"
#include "rules/versionhistoryview.h"
#include "storage/folderrepository.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"
#include "traits/foldertreemodel.h"
#include "traits/onboardcodesdialog.h"
#include "traits/traiteditor.h"
#include "traits/traitlistmodel.h"
#include "traits/traitpreviewpanel.h"
#include "views/columnmenu.h"

#include <QAction>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <memory>

namespace Dcs {

namespace {

constexpr int FiguresIntervalMs = 30000;

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

QAction *makeAction(QObject *parent, const char *icon, const QString &text, const QString &name,
                    const QKeySequence &keys, const QString &tip)
{
    auto *action = new QAction(QIcon::fromTheme(QString::fromLatin1(icon)), text, parent);
    action->setObjectName(name);
    action->setShortcut(keys);
    action->setToolTip(keys.isEmpty() ? tip
                                      : TraitsPage::tr("%1 (%2)").arg(
                                            tip, keys.toString(QKeySequence::NativeText)));
    return action;
}

} // namespace

template <typename Result>
void TraitsPage::runInBackground(std::function<Result()> work, std::function<void(Result)> done)
{
    runOnStorageWorker<Result>(m_worker, *m_server.storage(), this, std::move(work),
                               std::move(done));
}

TraitsPage::TraitsPage(DcsServer &server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_model(new TraitListModel(this))
    , m_proxy(new TraitFilterProxy(this))
    , m_folders(new FolderTreeModel(this))
{
    setObjectName(QStringLiteral("traitsPage"));
    m_worker.setMaxThreadCount(1);
    m_worker.setExpiryTimeout(5000);
    m_figures.setMaxThreadCount(1);
    m_figures.setExpiryTimeout(5000);
    m_proxy->setSourceModel(m_model);

    createActions();
    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("traitsSplitter"));
    m_splitter->addWidget(createBrowser());
    m_splitter->addWidget(createEditorPane());
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setSizes({560, 840});
    m_splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
    restoreLayout();
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { saveLayout(); });
    connect(m_browserSplitter, &QSplitter::splitterMoved, this, [this] { saveLayout(); });
    connect(m_editor->splitter(), &QSplitter::splitterMoved, this, [this] { saveLayout(); });
    connect(m_editor->ruleTabs(), &QTabWidget::currentChanged, this, [this] { saveLayout(); });

    // Figures move with the traffic: refreshed while the page is on screen.
    m_figuresTimer = new QTimer(this);
    m_figuresTimer->setInterval(FiguresIntervalMs);
    connect(m_figuresTimer, &QTimer::timeout, this, &TraitsPage::loadFigures);

    showTrait(std::nullopt);
    reload();
}

void TraitsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_model->traits().isEmpty())
        loadFigures();
    m_figuresTimer->start();
}

void TraitsPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_figuresTimer->stop();
}

TraitsPage::~TraitsPage()
{
    saveLayout();
    m_worker.waitForDone();
    m_figures.waitForDone();
}

void TraitsPage::createActions()
{
    m_newAction = makeAction(this, "document-new", tr("&New Trait"),
                             QStringLiteral("newTraitAction"), QKeySequence::New,
                             tr("Define a new trait in the selected folder"));
    m_saveAction = makeAction(this, "document-save", tr("&Save Trait"),
                              QStringLiteral("saveTraitAction"), QKeySequence::Save,
                              tr("Store the trait as a new version; the DCS uses it from its "
                                 "next call"));
    m_revertAction = makeAction(this, "document-revert", tr("&Revert Changes"),
                                QStringLiteral("revertTraitAction"),
                                QKeySequence(tr("Ctrl+Shift+R")),
                                tr("Discard the edits and show the trait as stored"));
    m_deleteAction = makeAction(this, "edit-delete", tr("&Delete Trait…"),
                                QStringLiteral("deleteTraitAction"), QKeySequence::Delete,
                                tr("Remove the selected trait (Delete in the list)"));
    m_newFolderAction = makeAction(this, "folder-new", tr("New &Folder"),
                                   QStringLiteral("newFolderAction"),
                                   QKeySequence(tr("Ctrl+Shift+N")),
                                   tr("A folder inside the selected folder"));
    m_renameFolderAction = makeAction(this, "edit-rename", tr("Re&name Folder"),
                                      QStringLiteral("renameFolderAction"), QKeySequence(Qt::Key_F2),
                                      tr("Rename the selected folder (F2 in the tree)"));
    m_deleteFolderAction = makeAction(this, "edit-delete", tr("Delete F&older"),
                                      QStringLiteral("deleteFolderAction"), QKeySequence::Delete,
                                      tr("Remove the selected folder; it must be empty"));
    m_onboardAction = makeAction(this, "list-add", tr("&Onboarded Traits from Codes…"),
                                 QStringLiteral("onboardCodesAction"),
                                 QKeySequence(tr("Ctrl+Shift+O")),
                                 tr("Create onboarded traits from a partner's unmapped codes"));
    m_refreshAction = makeAction(this, "view-refresh", tr("Re&fresh Traits"),
                                 QStringLiteral("refreshTraitsAction"), QKeySequence::Refresh,
                                 tr("Read the traits and their figures again"));

    // Only while the focus is on this page: other pages use the same standard keys.
    for (QAction *action : {m_newAction, m_saveAction, m_revertAction, m_newFolderAction,
                            m_onboardAction, m_refreshAction}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
    }
    // Delete and F2 belong to the list or the tree: in a text field Delete deletes text.
    for (QAction *action : {m_deleteAction, m_renameFolderAction, m_deleteFolderAction})
        action->setShortcutContext(Qt::WidgetShortcut);

    connect(m_newAction, &QAction::triggered, this, &TraitsPage::startNew);
    connect(m_saveAction, &QAction::triggered, this, [this] { save(); });
    connect(m_revertAction, &QAction::triggered, this, [this] {
        m_editor->revert();
        Q_EMIT statusMessage(tr("Edits discarded"));
    });
    connect(m_deleteAction, &QAction::triggered, this, &TraitsPage::removeCurrent);
    connect(m_newFolderAction, &QAction::triggered, this, &TraitsPage::createFolder);
    connect(m_renameFolderAction, &QAction::triggered, this, &TraitsPage::renameFolder);
    connect(m_deleteFolderAction, &QAction::triggered, this, &TraitsPage::removeFolder);
    connect(m_onboardAction, &QAction::triggered, this, &TraitsPage::openOnboardDialog);
    connect(m_refreshAction, &QAction::triggered, this, &TraitsPage::reload);

    m_menu = new QMenu(tr("&Traits"), this);
    m_menu->setObjectName(QStringLiteral("traitsMenu"));
    m_menu->addActions({m_newAction, m_saveAction, m_revertAction, m_deleteAction});
    m_menu->addSeparator();
    m_menu->addActions({m_newFolderAction, m_renameFolderAction, m_deleteFolderAction});
    m_menu->addSeparator();
    m_menu->addActions({m_onboardAction, m_refreshAction});
}

QWidget *TraitsPage::createBrowser()
{
    m_tree = new QTreeView;
    m_tree->setObjectName(QStringLiteral("folderTree"));
    m_tree->setAccessibleName(tr("Trait folders"));
    m_tree->setModel(m_folders);
    m_tree->setUniformRowHeights(true);
    m_tree->setDragEnabled(true);
    m_tree->setAcceptDrops(true);
    m_tree->setDropIndicatorShown(true);
    m_tree->setDragDropMode(QAbstractItemView::DragDrop);
    m_tree->setDefaultDropAction(Qt::MoveAction);
    m_tree->setEditTriggers(QAbstractItemView::EditKeyPressed
                            | QAbstractItemView::SelectedClicked);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(FolderTreeModel::Name, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(FolderTreeModel::Traits,
                                           QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(FolderTreeModel::FolderTrait,
                                           QHeaderView::ResizeToContents);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_tree->addActions({m_newFolderAction, m_renameFolderAction, m_deleteFolderAction});
    m_tree->addAction(m_newAction);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        const qint64 folderId = selectedFolder();
        m_proxy->setFolders(folderId == 0 ? std::nullopt
                                          : std::optional<QSet<qint64>>(
                                                m_folders->subtree(folderId)));
        updateActions();
    });
    connect(m_folders, &FolderTreeModel::renameRequested, this,
            [this](qint64 folderId, const QString &name) {
                std::optional<Folder> folder = m_folders->folder(folderId);
                if (!folder)
                    return;
                folder->name = name;
                writeFolder(*folder, tr("Folder renamed to %1").arg(name));
            });
    connect(m_folders, &FolderTreeModel::traitsDropped, this, &TraitsPage::moveTraits);
    connect(m_folders, &FolderTreeModel::folderDropped, this, &TraitsPage::moveFolder);

    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("traitSearch"));
    m_search->setPlaceholderText(tr("Search name, SID, integration code or rule"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search traits"));
    connect(m_search, &QLineEdit::textChanged, m_proxy, &TraitFilterProxy::setSearchText);

    m_list = new QTableView;
    m_list->setObjectName(QStringLiteral("traitList"));
    m_list->setAccessibleName(tr("Traits"));
    m_list->setModel(m_proxy);
    m_list->setSortingEnabled(true);
    m_list->sortByColumn(TraitListModel::Name, Qt::AscendingOrder);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setDragEnabled(true);
    m_list->setDragDropMode(QAbstractItemView::DragOnly);
    m_list->setDefaultDropAction(Qt::MoveAction);
    m_list->verticalHeader()->hide();
    m_list->verticalHeader()->setDefaultSectionSize(m_list->fontMetrics().height() + 8);
    m_list->horizontalHeader()->setSectionsMovable(true);
    m_list->horizontalHeader()->setMinimumSectionSize(40);
    m_list->horizontalHeader()->setStretchLastSection(true);
    // The name first and readable; the figures and IDs at widths that fit them.
    const QFontMetrics metrics = m_list->fontMetrics();
    const auto fit = [&](TraitListModel::Column column, const char *sample) {
        m_list->horizontalHeader()->resizeSection(
            column, metrics.horizontalAdvance(QString::fromLatin1(sample)) + 16);
    };
    fit(TraitListModel::Name, "Acme: frequent flyers");
    fit(TraitListModel::Sid, "999999");
    fit(TraitListModel::Type, "onboarded");
    fit(TraitListModel::DataSource, "Partner (9999)");
    fit(TraitListModel::Population, "Population");
    fit(TraitListModel::Uniques7, "99,999");
    fit(TraitListModel::Uniques30, "99,999");
    m_list->setWordWrap(false);
    m_list->setAlternatingRowColors(true);
    m_list->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_list->addActions({m_newAction, m_deleteAction, m_onboardAction, m_refreshAction});
    m_list->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_list->horizontalHeader(), &QHeaderView::customContextMenuRequested, this,
            [this](const QPoint &at) {
                QMenu menu;
                addColumnToggles(menu, m_list->horizontalHeader(), KeptColumn::First,
                                 [this] { saveLayout(); });
                menu.exec(m_list->horizontalHeader()->mapToGlobal(at));
            });
    connect(m_list->horizontalHeader(), &QHeaderView::sectionResized, this,
            [this] { saveLayout(); });
    connect(m_list->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this] { saveLayout(); });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &TraitsPage::currentRowChanged);

    auto *listPane = new QWidget;
    auto *listLayout = new QVBoxLayout(listPane);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(m_search);
    listLayout->addWidget(m_list, 1);

    m_browserSplitter = new QSplitter(Qt::Vertical);
    m_browserSplitter->setObjectName(QStringLiteral("traitsBrowserSplitter"));
    m_browserSplitter->addWidget(m_tree);
    m_browserSplitter->addWidget(listPane);
    m_browserSplitter->setStretchFactor(0, 2);
    m_browserSplitter->setStretchFactor(1, 3);
    m_browserSplitter->setChildrenCollapsible(false);
    return m_browserSplitter;
}

QWidget *TraitsPage::createEditorPane()
{
    m_editor = new TraitEditor(*m_server.storage());
    connect(m_editor, &TraitEditor::edited, this, [this] {
        updateActions();
        updateTitle();
    });

    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("traitTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_title, 1);
    buttons->addWidget(toolButtonFor(m_newAction, QStringLiteral("newTraitButton")));
    buttons->addWidget(toolButtonFor(m_saveAction, QStringLiteral("saveTraitButton")));
    buttons->addWidget(toolButtonFor(m_revertAction, QStringLiteral("revertTraitButton")));
    auto *deleteButton = new QToolButton;
    deleteButton->setObjectName(QStringLiteral("deleteTraitButton"));
    deleteButton->setIcon(m_deleteAction->icon());
    deleteButton->setText(tr("Delete"));
    deleteButton->setToolTip(m_deleteAction->toolTip());
    deleteButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    connect(deleteButton, &QToolButton::clicked, m_deleteAction, &QAction::trigger);
    connect(m_deleteAction, &QAction::changed, deleteButton,
            [this, deleteButton] { deleteButton->setEnabled(m_deleteAction->isEnabled()); });
    buttons->addWidget(deleteButton);
    buttons->addWidget(toolButtonFor(m_onboardAction, QStringLiteral("onboardCodesButton")));

    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(6, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_editor, 1);
    return pane;
}

void TraitsPage::restoreLayout()
{
    const AppSettings settings;
    m_splitter->restoreState(settings.traitsViewState(QStringLiteral("splitter")));
    m_browserSplitter->restoreState(settings.traitsViewState(QStringLiteral("browserSplitter")));
    m_editor->splitter()->restoreState(settings.traitsViewState(QStringLiteral("editorSplitter")));
    m_list->horizontalHeader()->restoreState(
        settings.traitsViewState(QStringLiteral("listHeader")));
    const int tab = settings.traitsRuleTab();
    if (tab == TraitEditor::VisualTab || tab == TraitEditor::CodeTab)
        m_editor->ruleTabs()->setCurrentIndex(tab);
}

void TraitsPage::saveLayout()
{
    AppSettings settings;
    settings.setTraitsViewState(QStringLiteral("splitter"), m_splitter->saveState());
    settings.setTraitsViewState(QStringLiteral("browserSplitter"),
                                m_browserSplitter->saveState());
    settings.setTraitsViewState(QStringLiteral("editorSplitter"),
                                m_editor->splitter()->saveState());
    settings.setTraitsViewState(QStringLiteral("listHeader"),
                                m_list->horizontalHeader()->saveState());
    const int tab = m_editor->ruleTabs()->currentIndex();
    if (tab == TraitEditor::VisualTab || tab == TraitEditor::CodeTab)
        settings.setTraitsRuleTab(tab);
}

void TraitsPage::reload()
{
    DcsServer *server = &m_server;
    runInBackground<Contents>(
        [server] {
            Storage &storage = *server->storage();
            return Contents{FolderRepository(storage).all(), TraitRepository(storage).all(),
                            PartnerRepository(storage).all()};
        },
        [this](Contents contents) {
            applyContents(contents);
            Q_EMIT loaded();
            loadFigures();
            loadKeyStats();
        });
}

void TraitsPage::applyContents(const Contents &contents)
{
    const qint64 folderId = selectedFolder();
    m_partners = contents.partners;
    QHash<qint64, QString> partnerNames;
    for (const Partner &partner : contents.partners)
        partnerNames.insert(partner.dpid, partner.name);

    m_ignoreSelection = true;
    m_model->setPartnerNames(partnerNames);
    m_model->setTraits(contents.traits);
    m_folders->setContents(contents.folders, contents.traits);
    m_tree->expandAll();
    QModelIndex folderIndex = m_folders->indexOf(folderId);
    if (!folderIndex.isValid())
        folderIndex = m_folders->indexOf(0);
    m_tree->setCurrentIndex(folderIndex);
    selectRowOf(m_current);
    m_ignoreSelection = false;

    QList<QPair<qint64, QString>> paths;
    for (const Folder &folder : contents.folders)
        paths.append({folder.id, m_folders->pathOf(folder.id)});
    std::sort(paths.begin(), paths.end(),
              [](const auto &a, const auto &b) { return a.second < b.second; });
    m_editor->setFolders(paths);
    m_editor->setPartners(contents.partners);
    // The stored trait may have moved (drag and drop): the editor follows, edits kept.
    if (m_current && *m_current > 0) {
        const std::optional<Trait> stored = m_model->trait(*m_current);
        if (!stored) {
            showTrait(std::nullopt);
        } else if (!m_editor->isDirty()) {
            m_editor->setTrait(*stored);
        }
    }
    if (m_pendingFolderEdit != 0) {
        const QModelIndex created = m_folders->indexOf(m_pendingFolderEdit);
        m_pendingFolderEdit = 0;
        if (created.isValid()) {
            m_tree->setCurrentIndex(created);
            m_tree->edit(created);
        }
    }
    updateTitle();
    updateActions();
}

void TraitsPage::loadFigures()
{
    // The figures on screen stay until their replacements arrive: no flicker on a refresh.
    const quint64 generation = ++m_figuresGeneration;
    QList<qint64> sids;
    for (const Trait &trait : m_model->traits())
        sids.append(trait.sid);
    DcsServer *server = &m_server;
    m_figures.start([this, server, sids, generation] {
        const std::shared_ptr<const RulesSnapshot> snapshot = server->rulesEngine()->snapshot();
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        QSqlDatabase db = server->storage()->reader();
        // Delivered in small batches: the list fills in as they arrive.
        auto batch = std::make_shared<QList<QPair<qint64, TraitListModel::Figures>>>();
        const auto flush = [&](bool last) {
            auto delivered = batch;
            batch = std::make_shared<QList<QPair<qint64, TraitListModel::Figures>>>();
            QMetaObject::invokeMethod(
                this,
                [this, delivered, generation, last] {
                    if (generation != m_figuresGeneration)
                        return;
                    for (const auto &[sid, figures] : std::as_const(*delivered))
                        m_model->setFigures(sid, figures);
                    if (last)
                        Q_EMIT figuresLoaded();
                },
                Qt::QueuedConnection);
        };
        for (const qint64 sid : sids) {
            if (generation != m_figuresGeneration.load()) // superseded: stop early
                break;
            TraitReport report;
            QString error;
            if (!snapshot || !Reports::traitReport(db, *snapshot, sid, nowMs, &report, &error))
                continue;
            TraitListModel::Figures figures;
            figures.populationNow = report.populationNow;
            for (const TraitWindowCount &window : std::as_const(report.windows)) {
                if (window.days == 7)
                    figures.uniques7 = window.uniqueVisitors;
                else if (window.days == 30)
                    figures.uniques30 = window.uniqueVisitors;
            }
            batch->append({sid, figures});
            if (batch->size() >= 16)
                flush(false);
        }
        db = QSqlDatabase();
        flush(true);
        server->storage()->releaseReader();
    });
}

void TraitsPage::loadKeyStats()
{
    const quint64 generation = ++m_keyStatsGeneration;
    Storage *storage = m_server.storage();
    m_figures.start([this, storage, generation] {
        auto result = std::make_shared<SignalKeyStatsResult>();
        QString error;
        SignalKeyStats::collect(storage->reader(), QDateTime::currentMSecsSinceEpoch(),
                                result.get(), &error);
        storage->releaseReader();
        QMetaObject::invokeMethod(
            this,
            [this, result, generation] {
                if (generation != m_keyStatsGeneration)
                    return;
                m_editor->setKeyStats(result->keys);
                Q_EMIT keyStatsLoaded();
            },
            Qt::QueuedConnection);
    });
}

qint64 TraitsPage::selectedFolder() const
{
    const QModelIndex index = m_tree->currentIndex();
    return index.isValid() ? index.data(FolderTreeModel::FolderIdRole).toLongLong() : 0;
}

void TraitsPage::selectFolder(qint64 folderId)
{
    const QModelIndex index = m_folders->indexOf(folderId);
    if (index.isValid())
        m_tree->setCurrentIndex(index);
}

std::optional<qint64> TraitsPage::selectedSid() const
{
    const QModelIndex index = m_list->selectionModel()->currentIndex();
    if (!index.isValid())
        return std::nullopt;
    return index.data(TraitListModel::SidRole).toLongLong();
}

void TraitsPage::selectRowOf(std::optional<qint64> sid)
{
    const bool ignoring = m_ignoreSelection;
    m_ignoreSelection = true;
    const int row = sid ? m_model->rowOf(*sid) : -1;
    const QModelIndex index = row >= 0 ? m_proxy->mapFromSource(m_model->index(row, 0))
                                       : QModelIndex();
    if (index.isValid()) {
        m_list->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_list->scrollTo(index);
    } else {
        m_list->selectionModel()->clearSelection();
        m_list->selectionModel()->setCurrentIndex({}, QItemSelectionModel::Clear);
    }
    m_ignoreSelection = ignoring;
}

void TraitsPage::selectTrait(qint64 sid)
{
    if (m_model->rowOf(sid) < 0)
        return;
    if (m_proxy->mapFromSource(m_model->index(m_model->rowOf(sid), 0)).isValid() == false) {
        m_search->clear();
        selectFolder(0);
    }
    selectRowOf(sid);
    currentRowChanged();
}

void TraitsPage::currentRowChanged()
{
    if (m_ignoreSelection)
        return;
    const std::optional<qint64> target = selectedSid();
    if (!target || target == m_current)
        return;
    if (!m_editor->isDirty()) {
        showTrait(target);
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
            selectRowOf(m_current); // back to the edited trait while asking
            guardUnsaved([this, target] {
                selectRowOf(target);
                showTrait(target);
            });
        },
        Qt::QueuedConnection);
}

void TraitsPage::guardUnsaved(std::function<void()> proceed)
{
    if (m_guardOpen)
        return;
    if (!m_current || !m_editor->isDirty()) {
        proceed();
        return;
    }
    m_guardOpen = true;
    const Trait draft = m_editor->draft();
    const QString name = draft.name.isEmpty() ? tr("The new trait") : draft.name;
    const QStringList issues = m_editor->issues();
    const QString unsaveableBecause
        = issues.isEmpty() ? QString()
                           : tr("They cannot be saved as they are: %1.")
                                 .arg(issues.join(tr("; ")));
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

void TraitsPage::showTrait(std::optional<qint64> sid)
{
    std::optional<Trait> trait;
    if (sid && *sid > 0)
        trait = m_model->trait(*sid);
    m_current = trait ? std::optional<qint64>(trait->sid) : std::nullopt;
    m_editor->setTrait(trait.value_or(Trait{}));
    m_editor->setEnabled(trait.has_value());
    updateTitle();
    updateActions();
}

void TraitsPage::startNew()
{
    guardUnsaved([this] {
        Trait fresh;
        fresh.folderId = selectedFolder();
        if (fresh.folderId == 0 && !m_folders->folders().isEmpty())
            fresh.folderId = m_folders->folders().first().id;
        m_current = 0;
        selectRowOf(std::nullopt);
        m_editor->setTrait(fresh);
        m_editor->setEnabled(true);
        updateTitle();
        updateActions();
        if (QWidget *name = m_editor->findChild<QWidget *>(QStringLiteral("traitNameEdit")))
            name->setFocus();
        Q_EMIT statusMessage(tr("New trait: name it, write its rule, then save (%1)")
                                 .arg(shortcutText(m_saveAction)));
    });
}

void TraitsPage::updateTitle()
{
    if (!m_current) {
        m_title->setText(tr("No trait selected"));
        return;
    }
    const Trait draft = m_editor->draft();
    QString title = *m_current == 0 ? tr("New trait")
                                    : tr("%1 · SID %2").arg(draft.name).arg(*m_current);
    if (m_editor->isDirty())
        title += tr(" (edited)");
    m_title->setText(title);
}

void TraitsPage::updateActions()
{
    const bool editing = m_current.has_value();
    const bool dirty = editing && m_editor->isDirty();
    m_newAction->setEnabled(!m_busy);
    m_saveAction->setEnabled(!m_busy && editing && m_editor->isValid()
                             && (dirty || *m_current == 0));
    m_revertAction->setEnabled(!m_busy && dirty);
    m_deleteAction->setEnabled(!m_busy && editing && *m_current > 0);
    const bool folder = selectedFolder() != 0;
    m_renameFolderAction->setEnabled(!m_busy && folder);
    m_deleteFolderAction->setEnabled(!m_busy && folder);
    m_newFolderAction->setEnabled(!m_busy);
    m_onboardAction->setEnabled(!m_busy);
}

void TraitsPage::save(std::function<void()> afterSave)
{
    if (m_busy || !m_current)
        return;
    const QStringList issues = m_editor->issues();
    if (!issues.isEmpty()) {
        Q_EMIT statusMessage(tr("Not saved: %1").arg(issues.join(tr("; "))));
        return;
    }
    const Trait trait = m_editor->draft();
    m_busy = true;
    updateActions();
    Q_EMIT statusMessage(tr("Saving %1…").arg(trait.name));
    struct Outcome
    {
        WriteResult result;
        Trait trait;
    };
    DcsServer *server = &m_server;
    runInBackground<Outcome>(
        [server, trait] {
            Outcome outcome{{}, trait};
            outcome.result = TraitRepository(*server->storage()).save(outcome.trait);
            if (outcome.result.ok)
                server->reloadRules(); // the next call uses it
            return outcome;
        },
        [this, afterSave, isNew = trait.sid == 0](Outcome outcome) {
            m_busy = false;
            if (!outcome.result.ok) {
                updateActions();
                Q_EMIT statusMessage(tr("%1 not saved: %2")
                                         .arg(outcome.trait.name, outcome.result.error));
                return;
            }
            const Trait &saved = outcome.trait;
            QList<Trait> traits = m_model->traits();
            const int row = m_model->rowOf(saved.sid);
            if (row >= 0)
                traits[row] = saved;
            else
                traits.append(saved);
            m_ignoreSelection = true;
            m_model->setTraits(traits);
            m_ignoreSelection = false;
            m_current = saved.sid;
            m_editor->setTrait(saved);
            selectRowOf(saved.sid);
            updateTitle();
            updateActions();
            Q_EMIT statusMessage(isNew ? tr("%1 created (SID %2); the DCS uses it from its "
                                            "next call")
                                             .arg(saved.name)
                                             .arg(saved.sid)
                                       : tr("%1 saved as a new version; the DCS uses it from "
                                            "its next call")
                                             .arg(saved.name));
            Q_EMIT traitsChanged();
            reload();
            if (afterSave)
                afterSave();
        });
}

void TraitsPage::removeCurrent()
{
    if (!m_current || *m_current == 0 || m_busy)
        return;
    const std::optional<Trait> trait = m_model->trait(*m_current);
    if (!trait)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete Trait"),
                                tr("Delete %1 (SID %2)?").arg(trait->name).arg(trait->sid),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deleteTraitDialog"));
    box->setInformativeText(tr("Its realizations go with it, and segments that name it stop "
                               "qualifying anyone. The deletion is recorded in its history."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *deleteButton = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    const qint64 sid = trait->sid;
    const QString name = trait->name;
    connect(box, &QMessageBox::finished, this, [this, box, deleteButton, sid, name] {
        if (box->clickedButton() != deleteButton)
            return;
        m_busy = true;
        updateActions();
        DcsServer *server = &m_server;
        runInBackground<WriteResult>(
            [server, sid] {
                const WriteResult result = TraitRepository(*server->storage()).remove(sid);
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
                    showTrait(std::nullopt);
                Q_EMIT statusMessage(tr("%1 deleted").arg(name));
                Q_EMIT traitsChanged();
                reload();
            });
    });
    box->open();
}

void TraitsPage::writeFolder(const Folder &folder, const QString &done)
{
    DcsServer *server = &m_server;
    struct Outcome
    {
        WriteResult result;
        Folder folder;
    };
    runInBackground<Outcome>(
        [server, folder] {
            Outcome outcome{{}, folder};
            outcome.result = FolderRepository(*server->storage()).save(outcome.folder);
            if (outcome.result.ok)
                server->reloadRules(); // folder traits follow their folders
            return outcome;
        },
        [this, done](Outcome outcome) {
            if (!outcome.result.ok) {
                Q_EMIT statusMessage(tr("Folder not changed: %1").arg(outcome.result.error));
            } else {
                Q_EMIT statusMessage(done);
                Q_EMIT traitsChanged();
            }
            reload(); // also undoes an edit in place that was refused
        });
}

void TraitsPage::createFolder()
{
    const qint64 parent = selectedFolder();
    Folder folder;
    folder.name = tr("New Folder");
    if (parent != 0)
        folder.parentId = parent;
    DcsServer *server = &m_server;
    runInBackground<std::pair<WriteResult, Folder>>(
        [server, folder] {
            Folder created = folder;
            const WriteResult result = FolderRepository(*server->storage()).save(created);
            return std::pair<WriteResult, Folder>{result, created};
        },
        [this](std::pair<WriteResult, Folder> outcome) {
            if (!outcome.first.ok) {
                Q_EMIT statusMessage(tr("Folder not created: %1").arg(outcome.first.error));
                return;
            }
            m_pendingFolderEdit = outcome.second.id;
            Q_EMIT statusMessage(tr("Folder created: type its name"));
            Q_EMIT traitsChanged();
            reload();
        });
}

void TraitsPage::renameFolder()
{
    const QModelIndex index = m_folders->indexOf(selectedFolder());
    if (index.isValid() && selectedFolder() != 0) {
        m_tree->setFocus();
        m_tree->edit(index);
    }
}

void TraitsPage::removeFolder()
{
    const qint64 id = selectedFolder();
    const std::optional<Folder> folder = m_folders->folder(id);
    if (!folder)
        return;
    DcsServer *server = &m_server;
    runInBackground<WriteResult>(
        [server, id] { return FolderRepository(*server->storage()).remove(id); },
        [this, name = folder->name, parent = folder->parentId](WriteResult result) {
            if (!result.ok) {
                Q_EMIT statusMessage(tr("%1 not deleted: %2").arg(name, result.error));
                return;
            }
            selectFolder(parent.value_or(0));
            Q_EMIT statusMessage(tr("Folder %1 deleted").arg(name));
            Q_EMIT traitsChanged();
            reload();
        });
}

void TraitsPage::moveTraits(const QList<qint64> &sids, qint64 folderId)
{
    QList<Trait> moved;
    for (const qint64 sid : sids) {
        std::optional<Trait> trait = m_model->trait(sid);
        if (trait && trait->folderId != folderId) {
            trait->folderId = folderId;
            moved.append(*trait);
        }
    }
    if (moved.isEmpty())
        return;
    DcsServer *server = &m_server;
    const QString path = m_folders->pathOf(folderId);
    runInBackground<WriteResult>(
        [server, moved] {
            // One write: every trait moves, or none does. Each move is a version.
            const WriteResult result = server->storage()->writer().runAndWait(
                [moved](WriteContext &context, QString *error) {
                    for (Trait trait : moved) {
                        if (!TraitRepository::write(context, trait,
                                                    DefinitionVersions::currentAuthor(), error))
                            return false;
                    }
                    return true;
                });
            if (result.ok)
                server->reloadRules(); // folder traits follow
            return result;
        },
        [this, count = moved.size(), path](WriteResult result) {
            if (!result.ok) {
                Q_EMIT statusMessage(tr("Not moved: %1").arg(result.error));
                return;
            }
            if (m_current && *m_current > 0)
                m_editor->historyView()->reload();
            Q_EMIT statusMessage(count == 1 ? tr("1 trait moved to %1").arg(path)
                                            : tr("%1 traits moved to %2").arg(count).arg(path));
            Q_EMIT traitsChanged();
            reload();
        });
}

void TraitsPage::moveFolder(qint64 folderId, std::optional<qint64> parentId)
{
    std::optional<Folder> folder = m_folders->folder(folderId);
    if (!folder)
        return;
    folder->parentId = parentId;
    writeFolder(*folder, tr("%1 moved to %2")
                             .arg(folder->name,
                                  parentId ? m_folders->pathOf(*parentId) : tr("the top level")));
}

void TraitsPage::openOnboardDialog()
{
    if (m_onboardDialog) {
        m_onboardDialog->raise();
        m_onboardDialog->activateWindow();
        return;
    }
    qint64 folderId = selectedFolder();
    if (folderId == 0 && !m_folders->folders().isEmpty())
        folderId = m_folders->folders().first().id;
    if (folderId == 0) {
        Q_EMIT statusMessage(tr("Create a folder first: every trait lives in one"));
        return;
    }
    m_onboardDialog = new OnboardCodesDialog(m_server, m_partners, folderId, this);
    m_onboardDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_onboardDialog, &OnboardCodesDialog::traitsCreated, this,
            [this](const QList<Trait> &traits) {
                const QString folder = m_folders->pathOf(traits.value(0).folderId);
                Q_EMIT statusMessage(traits.size() == 1
                                         ? tr("1 onboarded trait created in %1").arg(folder)
                                         : tr("%1 onboarded traits created in %2")
                                               .arg(traits.size())
                                               .arg(folder));
                Q_EMIT traitsChanged();
                reload();
            });
    m_onboardDialog->open();
}

} // namespace Dcs
