#include "partnerspage.h"

#include "views/unsavedchangesprompt.h"
#include "views/storageworker.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "modechangedialog.h"
#include "monitor/monitorfeed.h"
#include "monitor/transfercolumns.h"
#include "partnereditor.h"
#include "partnerlistmodel.h"
#include "partnerpresentation.h"
#include "shadowresultsview.h"
#include "storage/partnerrepository.h"
#include "storage/partnertraffic.h"
#include "storage/storage.h"

#include <QAction>
#include <QApplication>
#include <QButtonGroup>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
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

constexpr int kLiveIntervalMs = 1000;
constexpr int kHourIntervalMs = 30000;
constexpr qint64 kHourMs = 3600 * 1000;

QToolButton *toolButtonFor(QAction *action, const QString &objectName)
{
    auto *button = new QToolButton;
    button->setObjectName(objectName);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    return button;
}

QString problemsText(int count)
{
    return count == 1 ? PartnersPage::tr("1 problem") : PartnersPage::tr("%1 problems").arg(count);
}

QString shortcutText(const QAction *action)
{
    return action->shortcut().toString(QKeySequence::NativeText);
}

} // namespace

template <typename Result>
void PartnersPage::runInBackground(std::function<Result()> work, std::function<void(Result)> done)
{
    runOnStorageWorker<Result>(m_worker, *m_server.storage(), this, std::move(work),
                               std::move(done));
}

PartnersPage::PartnersPage(DcsServer &server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_model(new PartnerListModel(this))
{
    setObjectName(QStringLiteral("partnersPage"));
    // One worker: writes and reads run in the order asked, so a read after a save sees it.
    m_worker.setMaxThreadCount(1);
    m_worker.setExpiryTimeout(5000);

    createActions();
    m_splitter = new QSplitter;
    m_splitter->setObjectName(QStringLiteral("partnersSplitter"));
    m_splitter->addWidget(createList());
    m_splitter->addWidget(createDetails());
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({560, 640});
    m_splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
    restoreLayout();
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { saveLayout(); });

    m_liveTimer = new QTimer(this);
    m_liveTimer->setInterval(kLiveIntervalMs);
    connect(m_liveTimer, &QTimer::timeout, this, &PartnersPage::refreshLiveStats);
    m_hourTimer = new QTimer(this);
    m_hourTimer->setInterval(kHourIntervalMs);
    connect(m_hourTimer, &QTimer::timeout, this, [this] {
        refreshHourFigures();
        if (m_tabs->currentWidget() == m_shadow)
            refreshShadowResults();
    });

    m_editor->setSecretStoreDescription(m_server.storage()->secrets().description());
    showPartner(std::nullopt);
    loadPartners();
}

PartnersPage::~PartnersPage()
{
    saveLayout();
    m_shadow->saveState();
    m_worker.waitForDone();
}

void PartnersPage::createActions()
{
    m_newAction = new QAction(QIcon::fromTheme(QStringLiteral("list-add")), tr("&New Partner"),
                              this);
    m_newAction->setObjectName(QStringLiteral("newPartnerAction"));
    m_newAction->setShortcut(QKeySequence::New);
    m_newAction->setToolTip(tr("Register a new data partner (%1)").arg(shortcutText(m_newAction)));
    m_saveAction = new QAction(QIcon::fromTheme(QStringLiteral("document-save")),
                               tr("&Save Partner"), this);
    m_saveAction->setObjectName(QStringLiteral("savePartnerAction"));
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAction->setToolTip(tr("Store the partner; the DCS uses it from its next call (%1)")
                                 .arg(shortcutText(m_saveAction)));
    m_revertAction = new QAction(QIcon::fromTheme(QStringLiteral("document-revert")),
                                 tr("&Revert Changes"), this);
    m_revertAction->setObjectName(QStringLiteral("revertPartnerAction"));
    m_revertAction->setShortcut(QKeySequence(tr("Ctrl+Shift+R")));
    m_revertAction->setToolTip(tr("Discard the edits and show the partner as stored (%1)")
                                   .arg(shortcutText(m_revertAction)));
    m_deleteAction = new QAction(QIcon::fromTheme(QStringLiteral("edit-delete")),
                                 tr("&Delete Partner…"), this);
    m_deleteAction->setObjectName(QStringLiteral("deletePartnerAction"));
    m_deleteAction->setShortcut(QKeySequence::Delete);
    m_deleteAction->setToolTip(tr("Remove the selected partner and its stored secret (%1 in "
                                  "the list)")
                                   .arg(shortcutText(m_deleteAction)));
    m_refreshAction = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")),
                                  tr("Re&fresh Partners"), this);
    m_refreshAction->setObjectName(QStringLiteral("refreshPartnersAction"));
    m_refreshAction->setToolTip(tr("Read the partners and their last hour again"));

    // Only while the focus is on this page: other pages may use the same standard keys.
    for (QAction *action : {m_newAction, m_saveAction, m_revertAction, m_refreshAction}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
    }
    // Delete belongs to the list: in a text field the key deletes text.
    m_deleteAction->setShortcutContext(Qt::WidgetShortcut);

    connect(m_newAction, &QAction::triggered, this, &PartnersPage::startNew);
    connect(m_saveAction, &QAction::triggered, this, [this] { save(); });
    connect(m_revertAction, &QAction::triggered, this, [this] {
        m_editor->revert();
        Q_EMIT statusMessage(tr("Edits discarded"));
    });
    connect(m_deleteAction, &QAction::triggered, this, &PartnersPage::removeCurrent);
    connect(m_refreshAction, &QAction::triggered, this, &PartnersPage::reload);

    m_menu = new QMenu(tr("&Partners"), this);
    m_menu->setObjectName(QStringLiteral("partnersMenu"));
    m_menu->addAction(m_newAction);
    m_menu->addAction(m_saveAction);
    m_menu->addAction(m_revertAction);
    m_menu->addAction(m_deleteAction);
    m_menu->addSeparator();
    QMenu *modeMenu = m_menu->addMenu(tr("Set &Mode"));
    for (const Partner::Mode mode :
         {Partner::Mode::Disabled, Partner::Mode::Shadow, Partner::Mode::Live}) {
        QAction *action = modeMenu->addAction(PartnerPresentation::modeIcon(mode),
                                              PartnerPresentation::modeLabel(mode));
        action->setToolTip(PartnerPresentation::modeDescription(mode));
        connect(action, &QAction::triggered, this, [this, mode] { requestModeChange(mode); });
        m_modeActions.append(action);
    }
    m_menu->addSeparator();
    m_menu->addAction(m_refreshAction);
}

QWidget *PartnersPage::createList()
{
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(PartnerListModel::SortRole);
    m_proxy->setDynamicSortFilter(true);

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("partnerList"));
    m_view->setAccessibleName(tr("Partners"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->addAction(m_deleteAction);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &PartnersPage::currentRowChanged);
    PartnerPresentation::installColumnChooser(m_view->horizontalHeader(),
                                              [this] { saveLayout(); });
    connect(m_view->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this] { saveLayout(); });
    connect(m_view->horizontalHeader(), &QHeaderView::sectionMoved, this,
            [this] { saveLayout(); });

    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QMenu menu(m_view);
        menu.addAction(m_newAction);
        menu.addAction(m_deleteAction);
        menu.addSeparator();
        QMenu *modes = menu.addMenu(tr("Set &Mode"));
        modes->addActions(m_modeActions);
        const std::optional<Partner> partner = currentPartner();
        QAction *copy = menu.addAction(QIcon::fromTheme(QStringLiteral("edit-copy")),
                                       tr("&Copy Endpoint"), this, [partner] {
                                           if (partner)
                                               QApplication::clipboard()->setText(
                                                   partner->endpoint);
                                       });
        copy->setEnabled(partner.has_value());
        menu.addSeparator();
        menu.addAction(m_refreshAction);
        menu.exec(m_view->viewport()->mapToGlobal(at));
    });

    // A tool bar: when the list is narrow, what does not fit goes to its extension menu.
    auto *toolBar = new QToolBar;
    toolBar->setObjectName(QStringLiteral("partnersToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->setIconSize(QSize(16, 16));
    toolBar->addAction(m_newAction);
    toolBar->addAction(m_deleteAction);
    auto *spacer = new QWidget;
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolBar->addWidget(spacer);
    toolBar->addAction(m_refreshAction);
    if (auto *refresh = qobject_cast<QToolButton *>(toolBar->widgetForAction(m_refreshAction))) {
        refresh->setAccessibleName(tr("Refresh partners"));
        if (!m_refreshAction->icon().isNull())
            refresh->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }

    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(toolBar);
    layout->addWidget(m_view, 1);
    return box;
}

QWidget *PartnersPage::createDetails()
{
    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("partnerTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::PlainText);

    auto *modeLabel = new QLabel(tr("Mode:"));
    auto *modeRow = new QHBoxLayout;
    modeRow->setSpacing(0);
    m_modeGroup = new QButtonGroup(this);
    m_modeGroup->setExclusive(true);
    for (const Partner::Mode mode :
         {Partner::Mode::Disabled, Partner::Mode::Shadow, Partner::Mode::Live}) {
        auto *button = new QToolButton;
        const QString label = PartnerPresentation::modeLabel(mode);
        button->setObjectName(QStringLiteral("mode") + label);
        button->setText(label);
        button->setIcon(PartnerPresentation::modeIcon(mode));
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setCheckable(true);
        button->setAccessibleName(tr("Switch to %1").arg(label));
        button->setToolTip(tr("%1: %2 Asks first.")
                               .arg(label, PartnerPresentation::modeDescription(mode)));
        m_modeGroup->addButton(button, int(mode));
        modeRow->addWidget(button);
    }
    modeLabel->setBuddy(m_modeGroup->button(int(Partner::Mode::Disabled)));
    connect(m_modeGroup, &QButtonGroup::idClicked, this, [this](int id) {
        updateHeader(); // the switch shows the stored mode until the change is confirmed
        requestModeChange(Partner::Mode(id));
    });

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(modeLabel);
    header->addLayout(modeRow);

    m_lastTest = new QLabel;
    m_lastTest->setObjectName(QStringLiteral("lastTestLabel"));
    m_lastTest->setWordWrap(true);
    m_lastTest->setToolTip(tr("The latest onboarding test of this partner; switching to Shadow "
                              "or Live shows it in full"));

    m_editor = new PartnerEditor;
    m_editor->setObjectName(QStringLiteral("partnerEditor"));
    connect(m_editor, &PartnerEditor::edited, this, [this] {
        updateActions();
        updateHeader();
    });

    auto *settings = new QWidget;
    settings->setObjectName(QStringLiteral("partnerSettingsTab"));
    auto *editButtons = new QHBoxLayout;
    editButtons->addStretch();
    editButtons->addWidget(toolButtonFor(m_revertAction, QStringLiteral("revertPartnerButton")));
    editButtons->addWidget(toolButtonFor(m_saveAction, QStringLiteral("savePartnerButton")));
    auto *settingsLayout = new QVBoxLayout(settings);
    settingsLayout->addWidget(m_editor, 1);
    settingsLayout->addLayout(editButtons);

    m_shadow = new ShadowResultsView;
    m_shadow->setObjectName(QStringLiteral("shadowResultsView"));
    connect(m_shadow, &ShadowResultsView::refreshRequested, this,
            &PartnersPage::refreshShadowResults);
    connect(m_shadow, &ShadowResultsView::statusMessage, this, &PartnersPage::statusMessage);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("partnerTabs"));
    m_tabs->addTab(settings, tr("Settings"));
    m_tabs->setTabToolTip(0, tr("Every field of the partner"));
    m_tabs->addTab(m_shadow, tr("Shadow results"));
    m_tabs->setTabToolTip(1, tr("What the partner would have added on real traffic, against "
                                "the live partners"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_shadow)
            refreshShadowResults();
    });

    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_lastTest);
    layout->addWidget(m_tabs, 1);
    return box;
}

void PartnersPage::addPartnerTab(QWidget *tab, const QString &title)
{
    m_tabs->addTab(tab, title);
}

QAbstractButton *PartnersPage::modeButton(Partner::Mode mode) const
{
    return m_modeGroup->button(int(mode));
}

std::optional<Partner> PartnersPage::currentPartner() const
{
    if (!m_current || *m_current == 0)
        return std::nullopt;
    return m_model->partner(*m_current);
}

std::optional<qint64> PartnersPage::selectedPartnerId() const
{
    // The current row, not the selection: a click makes a row current before it selects it.
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid())
        return std::nullopt;
    return current.data(PartnerListModel::PartnerIdRole).toLongLong();
}

void PartnersPage::selectRowOf(std::optional<qint64> partnerId)
{
    const bool ignoring = m_ignoreSelection;
    m_ignoreSelection = true;
    const int row = partnerId && *partnerId > 0 ? m_model->rowOf(*partnerId) : -1;
    if (row >= 0) {
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        m_view->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(index);
    } else {
        m_view->selectionModel()->clearSelection();
        m_view->selectionModel()->setCurrentIndex({}, QItemSelectionModel::Clear);
    }
    m_ignoreSelection = ignoring;
}

void PartnersPage::selectPartner(qint64 partnerId)
{
    selectRowOf(partnerId);
    currentRowChanged();
}

void PartnersPage::currentRowChanged()
{
    if (m_ignoreSelection)
        return;
    const std::optional<qint64> target = selectedPartnerId();
    if (target == m_current || (!target && m_current == 0))
        return;
    if (!m_editor->isDirty()) {
        showPartner(target);
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
            selectRowOf(m_current); // back to the edited partner while asking
            guardUnsaved([this, target] {
                selectRowOf(target);
                showPartner(target);
            });
        },
        Qt::QueuedConnection);
}

void PartnersPage::guardUnsaved(std::function<void()> proceed)
{
    if (m_guardOpen)
        return;
    if (!m_editor->isDirty()) {
        proceed();
        return;
    }
    m_guardOpen = true;
    const Partner draft = m_editor->draft();
    const QString name = draft.name.trimmed().isEmpty() ? tr("The new partner") : draft.name;
    const QString unsaveableBecause
        = m_editor->isValid() ? QString()
                              : tr("They cannot be saved as they are: %1 to fix.")
                                    .arg(problemsText(int(m_editor->issues().size())));
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

void PartnersPage::showPartner(std::optional<qint64> partnerId)
{
    std::optional<Partner> partner;
    if (partnerId && *partnerId > 0)
        partner = m_model->partner(*partnerId);
    m_current = partner ? std::optional<qint64>(partner->id) : std::nullopt;
    m_editor->setPartner(partner.value_or(Partner{}));
    m_editor->setEnabled(partner.has_value());
    m_shadow->setPartner(partner);
    updateHeader();
    updateActions();
    Q_EMIT currentPartnerChanged(partner);
    loadLastTest();
    if (partner && m_tabs->currentWidget() == m_shadow)
        refreshShadowResults();
}

void PartnersPage::startNew()
{
    guardUnsaved([this] {
        m_current = 0;
        selectRowOf(std::nullopt);
        const Partner fresh;
        m_editor->setPartner(fresh);
        m_editor->setEnabled(true);
        m_shadow->setPartner(fresh);
        m_tabs->setCurrentIndex(0);
        ++m_testGeneration; // a reading for the previous partner is not this one's
        m_lastTest->setText(tr("Not saved yet: a new partner starts disabled"));
        updateHeader();
        updateActions();
        Q_EMIT currentPartnerChanged(std::nullopt);
        if (QWidget *name = m_editor->findChild<QWidget *>(QStringLiteral("nameEdit")))
            name->setFocus();
        Q_EMIT statusMessage(tr("New partner: fill in the fields, then save (%1)")
                                 .arg(shortcutText(m_saveAction)));
    });
}

void PartnersPage::updateActions()
{
    const bool editing = m_current.has_value();
    const bool dirty = editing && m_editor->isDirty();
    const bool stored = editing && *m_current > 0;
    m_newAction->setEnabled(!m_busy);
    m_saveAction->setEnabled(!m_busy && editing && m_editor->isValid()
                             && (dirty || *m_current == 0));
    m_revertAction->setEnabled(!m_busy && dirty);
    m_deleteAction->setEnabled(!m_busy && stored);
    const std::optional<Partner> partner = currentPartner();
    for (QAction *action : std::as_const(m_modeActions))
        action->setEnabled(!m_busy && partner.has_value());
    for (QAbstractButton *button : m_modeGroup->buttons())
        button->setEnabled(!m_busy && partner.has_value());
}

void PartnersPage::updateHeader()
{
    const std::optional<Partner> partner = currentPartner();
    QString title;
    if (!m_current)
        title = tr("No partner selected");
    else if (*m_current == 0)
        title = tr("New partner");
    else if (partner)
        title = tr("%1 · DPID %2").arg(partner->name).arg(partner->dpid);
    if (m_current && m_editor->isDirty())
        title = tr("%1 (edited)").arg(title);
    m_title->setText(title);
    if (partner) {
        m_modeGroup->button(int(partner->mode))->setChecked(true);
    } else {
        // No mode is chosen until the partner exists (a new one starts disabled).
        m_modeGroup->setExclusive(false);
        for (QAbstractButton *button : m_modeGroup->buttons())
            button->setChecked(false);
        m_modeGroup->setExclusive(true);
    }
    const QString why = m_current == 0 ? tr("Save the partner first: it starts disabled")
                                       : QString();
    for (QAbstractButton *button : m_modeGroup->buttons()) {
        const auto mode = Partner::Mode(m_modeGroup->id(button));
        button->setToolTip(why.isEmpty()
                               ? tr("%1: %2 Asks first.")
                                     .arg(PartnerPresentation::modeLabel(mode),
                                          PartnerPresentation::modeDescription(mode))
                               : why);
    }
}

void PartnersPage::reload()
{
    loadPartners();
    refreshHourFigures();
    refreshLiveStats();
}

void PartnersPage::loadPartners()
{
    const quint64 generation = ++m_listGeneration;
    Storage *storage = m_server.storage();
    runInBackground<QList<Partner>>(
        [storage] { return PartnerRepository(*storage).all(); },
        [this, generation](QList<Partner> partners) {
            if (generation != m_listGeneration)
                return;
            m_model->setPartners(partners);
            m_editor->setOtherPartners(partners);
            if (m_fitColumns && !partners.isEmpty()) {
                refreshLiveStats(); // so the health columns fit their numbers too
                m_view->resizeColumnsToContents();
                // Room for the numbers to come, which may be wider than the first ones.
                const int numberWidth =
                    m_view->fontMetrics().horizontalAdvance(QStringLiteral("000.0 ms")) + 16;
                for (const int column :
                     {PartnerListModel::Success, PartnerListModel::P99,
                      PartnerListModel::HourSuccess, PartnerListModel::HourP99}) {
                    m_view->setColumnWidth(column,
                                           qMax(m_view->columnWidth(column), numberWidth));
                }
                m_fitColumns = false;
            }
            if (m_current && *m_current > 0) {
                const std::optional<Partner> stored = m_model->partner(*m_current);
                if (!stored) {
                    // Removed elsewhere (an import, another window).
                    showPartner(std::nullopt);
                    Q_EMIT statusMessage(tr("The partner shown no longer exists"));
                } else if (*stored != m_editor->stored() && !m_editor->isDirty()) {
                    m_editor->setPartner(*stored);
                    m_shadow->setPartner(*stored);
                    Q_EMIT currentPartnerChanged(stored);
                }
            }
            selectRowOf(m_current);
            if (!m_current && m_model->rowCount() > 0 && !m_guardOpen) {
                // Something to look at from the start: the first row as sorted.
                selectRowOf(m_proxy->index(0, 0).data(PartnerListModel::PartnerIdRole)
                                .toLongLong());
                showPartner(selectedPartnerId());
            }
            updateHeader();
            updateActions();
        });
}

void PartnersPage::loadLastTest()
{
    const quint64 generation = ++m_testGeneration;
    const std::optional<Partner> partner = currentPartner();
    if (!partner) {
        m_lastTest->clear();
        return;
    }
    Storage *storage = m_server.storage();
    const qint64 id = partner->id;
    using History = std::pair<std::optional<OnboardingReport>, QString>;
    runInBackground<History>(
        [storage, id] {
            QString error;
            const QList<OnboardingReport> reports = OnboardingRun::history(*storage, id, &error);
            return History{reports.isEmpty() ? std::nullopt
                                             : std::optional<OnboardingReport>(reports.first()),
                           error};
        },
        [this, generation](History history) {
            if (generation != m_testGeneration)
                return;
            if (!history.second.isEmpty()) {
                m_lastTest->setText(tr("Onboarding history not read: %1").arg(history.second));
            } else if (!history.first) {
                m_lastTest->setText(tr("Onboarding: never tested"));
            } else {
                const OnboardingReport &report = *history.first;
                const QString verdict = report.cancelled ? tr("cancelled")
                                                         : (report.passed() ? tr("passed")
                                                                            : tr("failed"));
                m_lastTest->setText(
                    tr("Latest onboarding test %1, %2 (%3)")
                        .arg(verdict,
                             PartnerPresentation::formatAge(report.startedMs,
                                                            MonitorFeed::currentTimeMs()),
                             report.config.calls == 1
                                 ? tr("1 call")
                                 : tr("%1 calls").arg(report.config.calls)));
            }
        });
}

void PartnersPage::save(std::function<void()> afterSave)
{
    if (m_busy || !m_current)
        return;
    if (!m_editor->isValid()) {
        Q_EMIT statusMessage(tr("Not saved: %1 to fix")
                                 .arg(problemsText(int(m_editor->issues().size()))));
        return;
    }
    const Partner partner = m_editor->draft();
    const std::optional<QByteArray> secret = m_editor->secretChange();
    m_busy = true;
    updateActions();
    Q_EMIT statusMessage(tr("Saving %1…").arg(partner.name));
    struct Outcome
    {
        WriteResult result;
        Partner partner;
    };
    DcsServer *server = &m_server;
    runInBackground<Outcome>(
        [server, partner, secret] {
            Outcome outcome{{}, partner};
            outcome.result = PartnerRepository(*server->storage()).save(outcome.partner, secret);
            if (outcome.result.ok)
                server->reloadPartners(); // the next call uses it
            return outcome;
        },
        [this, afterSave, isNew = partner.id == 0](Outcome outcome) {
            m_busy = false;
            if (!outcome.result.ok) {
                updateActions();
                Q_EMIT statusMessage(tr("%1 not saved: %2")
                                         .arg(outcome.partner.name, outcome.result.error));
                return;
            }
            const Partner &saved = outcome.partner;
            QList<Partner> partners = m_model->partners();
            const int row = m_model->rowOf(saved.id);
            if (row >= 0)
                partners[row] = saved;
            else
                partners.append(saved);
            m_model->setPartners(partners);
            m_current = saved.id;
            m_editor->setPartner(saved);
            m_shadow->setPartner(saved);
            selectRowOf(saved.id);
            updateHeader();
            updateActions();
            loadPartners();
            loadLastTest();
            Q_EMIT statusMessage(isNew ? tr("%1 added (%2); the DCS uses it from its next call")
                                             .arg(saved.name,
                                                  PartnerPresentation::modeLabel(saved.mode))
                                       : tr("%1 saved; the DCS uses it from its next call")
                                             .arg(saved.name));
            Q_EMIT currentPartnerChanged(saved);
            Q_EMIT partnersChanged();
            if (afterSave)
                afterSave();
        });
}

void PartnersPage::removeCurrent()
{
    const std::optional<Partner> partner = currentPartner();
    if (!partner || m_busy)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete Partner"),
                                tr("Delete %1 (DPID %2)?").arg(partner->name).arg(partner->dpid),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deletePartnerDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("It is not called any more from the next call, its stored secret "
                               "and onboarding tests are removed. Its transfer history stays."));
    QPushButton *remove = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmDeleteButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    const qint64 id = partner->id;
    const QString name = partner->name;
    connect(box, &QMessageBox::finished, this, [this, box, remove, id, name] {
        if (box->clickedButton() != remove)
            return;
        m_busy = true;
        updateActions();
        DcsServer *server = &m_server;
        runInBackground<WriteResult>(
            [server, id] {
                const WriteResult result = PartnerRepository(*server->storage()).remove(id);
                if (result.ok)
                    server->reloadPartners();
                return result;
            },
            [this, id, name](WriteResult result) {
                m_busy = false;
                if (!result.ok) {
                    updateActions();
                    Q_EMIT statusMessage(tr("%1 not deleted: %2").arg(name, result.error));
                    return;
                }
                m_server.monitorFeed().removePartner(id);
                if (m_current == id)
                    showPartner(std::nullopt);
                loadPartners();
                Q_EMIT statusMessage(tr("%1 deleted").arg(name));
                Q_EMIT partnersChanged();
            });
    });
    box->open();
}

void PartnersPage::requestModeChange(Partner::Mode mode)
{
    const std::optional<Partner> partner = currentPartner();
    if (!partner) {
        Q_EMIT statusMessage(tr("Save the partner before changing its mode"));
        return;
    }
    if (partner->mode == mode || m_busy)
        return;
    m_busy = true; // until the question is on screen: one request at a time
    updateActions();
    Storage *storage = m_server.storage();
    const qint64 id = partner->id;
    using History = std::pair<QList<OnboardingReport>, QString>;
    runInBackground<History>(
        [storage, id] {
            QString error;
            QList<OnboardingReport> reports = OnboardingRun::history(*storage, id, &error);
            return History{reports, error};
        },
        [this, id, mode](History history) {
            m_busy = false;
            updateActions();
            const std::optional<Partner> now = currentPartner();
            if (!now || now->id != id)
                return; // the selection moved on meanwhile
            const std::optional<OnboardingReport> latest =
                history.first.isEmpty() ? std::nullopt
                                        : std::optional<OnboardingReport>(history.first.first());
            auto *dialog = new ModeChangeDialog(*now, mode, latest, history.second,
                                                MonitorFeed::currentTimeMs(), this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            const QString name = now->name;
            const Partner::Mode before = now->mode;
            connect(dialog, &QDialog::accepted, this, [this, id, mode] { changeMode(id, mode); });
            connect(dialog, &QDialog::rejected, this, [this, name, before] {
                Q_EMIT statusMessage(tr("%1 stays %2")
                                         .arg(name, PartnerPresentation::modeLabel(before)
                                                        .toLower()));
            });
            dialog->open();
        });
}

void PartnersPage::changeMode(qint64 partnerId, Partner::Mode mode)
{
    if (m_busy)
        return;
    m_busy = true;
    updateActions();
    struct Outcome
    {
        WriteResult result;
        std::optional<Partner> partner;
    };
    DcsServer *server = &m_server;
    runInBackground<Outcome>(
        [server, partnerId, mode] {
            PartnerRepository repository(*server->storage());
            // The stored partner, not the editor's draft: unsaved edits stay edits.
            Outcome outcome{{}, repository.byId(partnerId)};
            if (!outcome.partner) {
                outcome.result.error = QStringLiteral("the partner no longer exists");
                return outcome;
            }
            outcome.partner->mode = mode;
            outcome.result = repository.save(*outcome.partner);
            if (outcome.result.ok)
                server->reloadPartners();
            return outcome;
        },
        [this, partnerId, mode](Outcome outcome) {
            m_busy = false;
            if (!outcome.result.ok || !outcome.partner) {
                updateActions();
                Q_EMIT statusMessage(tr("Mode not changed: %1").arg(outcome.result.error));
                return;
            }
            const Partner &saved = *outcome.partner;
            QList<Partner> partners = m_model->partners();
            const int row = m_model->rowOf(partnerId);
            if (row >= 0)
                partners[row] = saved;
            m_model->setPartners(partners);
            if (m_current == partnerId) {
                m_editor->setStoredMode(mode);
                m_shadow->setPartner(saved);
            }
            updateHeader();
            updateActions();
            loadPartners();
            Q_EMIT statusMessage(tr("%1 is now %2; the DCS uses it from its next call")
                                     .arg(saved.name,
                                          PartnerPresentation::modeLabel(mode).toLower()));
            if (m_current == partnerId)
                Q_EMIT currentPartnerChanged(saved);
            Q_EMIT partnersChanged();
        });
}

void PartnersPage::refreshLiveStats()
{
    m_model->setLiveStats(
        m_server.monitorFeed().partners().snapshot(MonitorFeed::currentTimeMs()));
}

void PartnersPage::refreshHourFigures()
{
    const quint64 generation = ++m_hourGeneration;
    Storage *storage = m_server.storage();
    const qint64 now = MonitorFeed::currentTimeMs();
    using Figures = std::pair<QList<PartnerTraffic::PartnerFigures>, QString>;
    runInBackground<Figures>(
        [storage, now] {
            QString error;
            QList<PartnerTraffic::PartnerFigures> figures =
                PartnerTraffic::summaries(storage->reader(), now - kHourMs, now + 1, &error);
            return Figures{figures, error};
        },
        [this, generation](Figures figures) {
            if (generation != m_hourGeneration)
                return;
            if (!figures.second.isEmpty()) {
                Q_EMIT statusMessage(tr("Last hour not read: %1").arg(figures.second));
                return;
            }
            m_model->setHourFigures(figures.first);
        });
}

void PartnersPage::refreshShadowResults()
{
    const std::optional<qint64> partnerId = m_shadow->partnerId();
    if (!partnerId || *partnerId == 0)
        return;
    const quint64 generation = ++m_shadowGeneration;
    m_shadow->showLoading();
    Storage *storage = m_server.storage();
    const qint64 now = MonitorFeed::currentTimeMs();
    const qint64 from = now - m_shadow->rangeMs();
    const qint64 id = *partnerId;
    using Results = std::pair<std::optional<PartnerTraffic::ShadowResults>, QString>;
    runInBackground<Results>(
        [storage, id, from, now] {
            QString error;
            auto results = PartnerTraffic::shadowResults(storage->reader(), id, from, now + 1,
                                                         &error);
            return Results{results, error};
        },
        [this, generation](Results results) {
            if (generation != m_shadowGeneration)
                return;
            if (results.first)
                m_shadow->showResults(*results.first);
            else
                m_shadow->showError(results.second);
        });
}

void PartnersPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refreshLiveStats();
    refreshHourFigures();
    m_liveTimer->start();
    m_hourTimer->start();
}

void PartnersPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_liveTimer->stop();
    m_hourTimer->stop();
    saveLayout();
}

void PartnersPage::restoreLayout()
{
    // Sorting while restoring emits the signals that save: nothing is saved until done.
    m_restoring = true;
    const AppSettings settings;
    const QByteArray splitter = settings.partnersSplitterState();
    const QByteArray state = settings.partnersListHeaderState();
    m_splitter->restoreState(splitter);
    QHeaderView *header = m_view->horizontalHeader();
    if (!state.isEmpty() && header->restoreState(state)) {
        m_view->sortByColumn(header->sortIndicatorSection(), header->sortIndicatorOrder());
    } else {
        for (int column = 0; column < PartnerListModel::ColumnCount; ++column)
            header->setSectionHidden(column, !PartnerListModel::shownByDefault(column));
        m_view->sortByColumn(PartnerListModel::Dpid, Qt::AscendingOrder);
        m_fitColumns = true; // to the first rows
    }
    m_restoring = false;
}

void PartnersPage::saveLayout() const
{
    if (m_restoring)
        return;
    AppSettings settings;
    settings.setPartnersSplitterState(m_splitter->saveState());
    settings.setPartnersListHeaderState(m_view->horizontalHeader()->saveState());
}

} // namespace Dcs
