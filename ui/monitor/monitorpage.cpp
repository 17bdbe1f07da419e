#include "monitorpage.h"

#include "views/columnmenu.h"

#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "livetransfermodel.h"
#include "monitor/monitorfeed.h"
#include "transfer/transferengine.h"
#include "transfercolumns.h"
#include "transfercurl.h"
#include "transferdetailview.h"
#include "transferfilter.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

namespace Dcs {

namespace {

QIcon themeIcon(const QString &name, QStyle *style, QStyle::StandardPixmap fallback)
{
    return QIcon::fromTheme(name, style->standardIcon(fallback));
}

// A column's default width: room for a typical value (and the outcome's icon).
int defaultWidth(const QFontMetrics &metrics, int column)
{
    const auto room = [&metrics](const char *sample) {
        return metrics.horizontalAdvance(QLatin1StringView(sample)) + 14;
    };
    switch (column) {
    case TransferColumns::Time: return room("00:00:00.000");
    case TransferColumns::Tid: return room("31ZpxW5bQGc=");
    case TransferColumns::Visitor: return room("06150000000000000009977");
    case TransferColumns::Partner: return room("Partner Name (shadow)");
    case TransferColumns::Outcome: return room("Network error") + 20;
    case TransferColumns::Budget: return room("100 / 100 ms");
    case TransferColumns::Latency: return room("100.0 ms");
    }
    return room("c1, c2, c3");
}

} // namespace

MonitorPage::MonitorPage(DcsServer &server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
{
    setObjectName(QStringLiteral("monitorPage"));
    const AppSettings settings;

    m_model = new LiveTransferModel(this);
    m_model->setCapacity(settings.monitorCapacity());
    // Connected before the view's own connections: when rows leave or the model resets, the
    // selection model moves the current row, which must not replace the transfer on show.
    connect(m_model, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this] { m_modelChanging = true; });
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_modelChanging = true; });
    connect(m_model, &QAbstractItemModel::layoutAboutToBeChanged, this,
            [this] { m_modelChanging = true; });

    createActions();

    m_filterBar = new TransferFilterBar;
    m_filterBar->setObjectName(QStringLiteral("monitorFilter"));
    connect(m_filterBar, &TransferFilterBar::filterChanged, m_model,
            &LiveTransferModel::setFilter);

    m_table = new QTableView;
    setUpTable();

    m_detail = new TransferDetailView;
    m_detail->setServer(&m_server);
    connect(m_detail, &TransferDetailView::statusMessage, this, &MonitorPage::statusMessage);
    connect(m_detail, &TransferDetailView::attemptActivated, this,
            [this](const TransferRecord &record) {
                m_shownSequence = record.sequence;
                restoreSelection();
            });

    m_detailSplitter = new QSplitter(Qt::Horizontal);
    m_detailSplitter->setObjectName(QStringLiteral("monitorDetailSplitter"));
    m_detailSplitter->addWidget(m_table);
    m_detailSplitter->addWidget(m_detail);
    m_detailSplitter->setStretchFactor(0, 3);
    m_detailSplitter->setStretchFactor(1, 2);
    m_detailSplitter->setChildrenCollapsible(false);

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("monitorStatus"));
    m_status->setToolTip(tr("Rows shown (after the filter), transfers held in the table, and "
                            "transfers the table could not keep up with"));

    auto *tablePanel = new QWidget;
    auto *panelLayout = new QVBoxLayout(tablePanel);
    panelLayout->setContentsMargins(0, 0, 0, 0);
    panelLayout->addWidget(createToolBar());
    panelLayout->addWidget(m_filterBar);
    panelLayout->addWidget(m_detailSplitter, 1);
    panelLayout->addWidget(m_status);

    m_splitter = new QSplitter(Qt::Vertical);
    m_splitter->setObjectName(QStringLiteral("monitorSplitter"));
    m_splitter->addWidget(tablePanel);
    m_splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_splitter);

    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(kPollIntervalMs);
    connect(m_pollTimer, &QTimer::timeout, this, &MonitorPage::pollNow);

    connect(m_model, &LiveTransferModel::partnersSeenChanged, this,
            &MonitorPage::refreshPartners);
    connect(m_model, &LiveTransferModel::countsChanged, this, &MonitorPage::updateStatus);
    refreshPartners();
    updateStatus();
}

MonitorPage::~MonitorPage()
{
    // Closing moves the focus: the capacity box would apply itself on a page half destroyed.
    m_capacity->disconnect(this);
    m_pollTimer->stop();
    saveLayout();
}

void MonitorPage::createActions()
{
    QStyle *style = this->style();
    m_pauseAction = new QAction(themeIcon(QStringLiteral("media-playback-pause"), style,
                                          QStyle::SP_MediaPause),
                                tr("&Pause"), this);
    m_pauseAction->setObjectName(QStringLiteral("pauseMonitor"));
    m_pauseAction->setCheckable(true);
    m_pauseAction->setShortcuts({QKeySequence(Qt::Key_Space), QKeySequence(Qt::CTRL | Qt::Key_P)});
    m_pauseAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_pauseAction->setToolTip(tr("Stop adding transfers to the table (Space or Ctrl+P); the "
                                 "monitor keeps what arrives for the resume"));
    connect(m_pauseAction, &QAction::toggled, this, &MonitorPage::setPaused);
    addAction(m_pauseAction);

    m_followAction = new QAction(themeIcon(QStringLiteral("go-bottom"), style,
                                           QStyle::SP_ArrowDown),
                                 tr("&Follow"), this);
    m_followAction->setObjectName(QStringLiteral("followTail"));
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_followAction->setToolTip(tr("Keep the newest transfers in view; scrolling away stops "
                                  "following, End follows again"));
    connect(m_followAction, &QAction::toggled, this, &MonitorPage::setFollowingTail);

    m_tailAction = new QAction(tr("Go to the &Newest"), this);
    m_tailAction->setObjectName(QStringLiteral("goToNewest"));
    m_tailAction->setShortcut(QKeySequence(Qt::Key_End));
    m_tailAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_tailAction->setToolTip(tr("Show the newest transfers and follow them (End)"));
    connect(m_tailAction, &QAction::triggered, this, [this] {
        if (m_model->isTimeOrder())
            setFollowingTail(true);
        else
            Q_EMIT statusMessage(tr("Sorted by %1: sort by Time to follow the newest "
                                    "transfers")
                                     .arg(TransferColumns::header(m_model->sortColumn())));
    });
    addAction(m_tailAction);

    m_clearAction = new QAction(themeIcon(QStringLiteral("edit-clear-all"), style,
                                          QStyle::SP_DialogResetButton),
                                tr("C&lear"), this);
    m_clearAction->setObjectName(QStringLiteral("clearMonitor"));
    m_clearAction->setToolTip(tr("Empty the table; new transfers keep arriving"));
    connect(m_clearAction, &QAction::triggered, this, [this] {
        m_model->clear();
        m_detail->clear();
        m_shownSequence = 0;
        Q_EMIT statusMessage(tr("Cleared the transfers table"));
    });

    m_copyAction = new QAction(themeIcon(QStringLiteral("edit-copy"), style,
                                         QStyle::SP_FileIcon),
                               tr("&Copy Rows"), this);
    m_copyAction->setObjectName(QStringLiteral("copyRows"));
    m_copyAction->setShortcut(QKeySequence::Copy);
    m_copyAction->setShortcutContext(Qt::WidgetShortcut); // the table's; edits keep their own
    m_copyAction->setToolTip(tr("Copy the selected transfers as tab-separated text"));
    connect(m_copyAction, &QAction::triggered, this, &MonitorPage::copySelectedRows);

    m_findAction = new QAction(tr("&Find"), this);
    m_findAction->setObjectName(QStringLiteral("findTransfers"));
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_findAction, &QAction::triggered, this, [this] {
        m_filterBar->textEdit()->setFocus(Qt::ShortcutFocusReason);
        m_filterBar->textEdit()->selectAll();
    });
    addAction(m_findAction);
}

QToolBar *MonitorPage::createToolBar()
{
    auto *toolBar = new QToolBar;
    toolBar->setObjectName(QStringLiteral("monitorToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->setIconSize(QSize(16, 16));
    toolBar->addAction(m_pauseAction);
    toolBar->addAction(m_followAction);
    toolBar->addAction(m_clearAction);
    toolBar->addSeparator();

    m_capacity = new QSpinBox;
    m_capacity->setObjectName(QStringLiteral("monitorCapacity"));
    m_capacity->setRange(LiveTransferModel::kMinimumCapacity,
                         LiveTransferModel::kMaximumCapacity);
    m_capacity->setSingleStep(5000);
    m_capacity->setGroupSeparatorShown(true);
    m_capacity->setValue(m_model->capacity());
    m_capacity->setSuffix(tr(" transfers"));
    m_capacity->setAccessibleName(tr("Transfers kept in the table"));
    m_capacity->setToolTip(tr("The most transfers the table keeps; the oldest leave first"));
    connect(m_capacity, &QSpinBox::editingFinished, this, &MonitorPage::applyCapacity);
    auto *keep = new QLabel(tr("Keep:"));
    keep->setBuddy(m_capacity);
    toolBar->addWidget(keep);
    toolBar->addWidget(m_capacity);
    return toolBar;
}

void MonitorPage::setUpTable()
{
    m_table->setObjectName(QStringLiteral("transfers"));
    m_table->setAccessibleName(tr("Live transfers"));
    m_table->setModel(m_model);
    // After the view's and the selection model's own handlers of the same signals.
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this] { m_modelChanging = false; });
    connect(m_model, &QAbstractItemModel::layoutChanged, this,
            [this] { m_modelChanging = false; });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_modelChanging = false;
        restoreSelection();
        if (m_follow)
            scrollToTail();
    });

    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->addAction(m_copyAction);
    // Fixed row heights: no size hints asked of 50,000 rows.
    QHeaderView *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + 6);

    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionsMovable(true);
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    header->setToolTip(tr("Click to sort; right-click to choose the columns"));
    for (int column = 0; column < TransferColumns::Count; ++column)
        header->resizeSection(column, defaultWidth(m_table->fontMetrics(), column));
    // Without a saved state: by arrival, the newest at the bottom (a header's own default is
    // descending).
    if (!header->restoreState(AppSettings().monitorHeaderState())
        || header->sortIndicatorSection() < 0
        || header->sortIndicatorSection() >= TransferColumns::Count)
        header->setSortIndicator(TransferColumns::Time, Qt::AscendingOrder);
    m_table->setSortingEnabled(true); // sorts the model by the restored indicator
    connect(header, &QHeaderView::sortIndicatorChanged, this, [this] {
        const bool timeOrder = m_model->isTimeOrder();
        m_followAction->setEnabled(timeOrder);
        if (!timeOrder)
            setFollowingTail(false);
    });
    m_followAction->setEnabled(m_model->isTimeOrder());
    m_follow = m_model->isTimeOrder();
    m_followAction->setChecked(m_follow);

    connect(header, &QWidget::customContextMenuRequested, this, &MonitorPage::showHeaderMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &MonitorPage::showContextMenu);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { currentRowChanged(current); });
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this,
            &MonitorPage::scrollValueChanged);
}

void MonitorPage::setHealthStrip(QWidget *strip)
{
    if (m_healthStrip || !strip)
        return;
    m_healthStrip = strip;
    m_splitter->insertWidget(0, strip);
    m_splitter->setStretchFactor(m_splitter->indexOf(strip), 0);
    m_splitter->setStretchFactor(m_splitter->count() - 1, 1);
}

void MonitorPage::setCharts(QWidget *charts)
{
    if (m_charts || !charts)
        return;
    m_charts = charts;
    m_splitter->insertWidget(m_healthStrip ? 1 : 0, charts);
    m_splitter->setStretchFactor(m_splitter->indexOf(charts), 0);
    m_splitter->setStretchFactor(m_splitter->count() - 1, 1);
}

void MonitorPage::setActive(bool active)
{
    m_active = active;
    updatePolling();
}

bool MonitorPage::isPolling() const
{
    return m_pollTimer->isActive();
}

void MonitorPage::updatePolling()
{
    const bool poll = m_active && isVisible();
    if (poll == m_pollTimer->isActive())
        return;
    if (poll) {
        m_pollTimer->start();
        refreshPartners();
        pollNow();
    } else {
        m_pollTimer->stop();
    }
}

void MonitorPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    restoreLayout();
    updatePolling();
}

void MonitorPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    updatePolling();
}

void MonitorPage::pollNow()
{
    const LiveTransferModel::PollResult result
        = m_model->poll(m_server.monitorFeed().transfers());
    if (m_model->isPaused())
        updateStatus(); // the waiting count grows without a model change
    if (result.read == 0)
        return;
    if (m_shownSequence != 0 && result.removed > 0
        && m_model->rowOfSequence(m_shownSequence) < 0 && m_table->currentIndex().isValid()) {
        // The transfer on show left the table: the pane keeps it, the table selects nothing.
        m_modelChanging = true;
        m_table->selectionModel()->clear();
        m_modelChanging = false;
    }
    if (!m_model->isTimeOrder())
        return;
    if (m_follow) {
        if (result.inserted > 0 || result.removed > 0)
            scrollToTail();
        return;
    }
    // Not following: keep the rows the user looks at in place while rows come and go.
    QScrollBar *bar = m_table->verticalScrollBar();
    const int shift = m_model->sortOrder() == Qt::AscendingOrder ? -result.removed
                                                                 : result.inserted;
    if (shift != 0) {
        m_table->doItemsLayout(); // the scroll range must know about the new rows
        m_scrolling = true;
        bar->setValue(bar->value() + shift);
        m_scrolling = false;
    }
}

bool MonitorPage::atTail() const
{
    const QScrollBar *bar = m_table->verticalScrollBar();
    return m_model->sortOrder() == Qt::AscendingOrder ? bar->value() >= bar->maximum()
                                                      : bar->value() <= bar->minimum();
}

void MonitorPage::scrollToTail()
{
    m_scrolling = true;
    if (m_model->sortOrder() == Qt::AscendingOrder)
        m_table->scrollToBottom();
    else
        m_table->scrollToTop();
    m_scrolling = false;
}

void MonitorPage::scrollValueChanged(int value)
{
    Q_UNUSED(value);
    if (m_scrolling || m_modelChanging || !m_model->isTimeOrder())
        return;
    const bool tail = atTail();
    if (m_follow && !tail) {
        setFollowingTail(false);
        Q_EMIT statusMessage(tr("Stopped following the newest transfers: press End to follow "
                                "them again"));
    } else if (!m_follow && tail) {
        setFollowingTail(true); // back at the newest by hand: follow again
    }
}

void MonitorPage::setFollowingTail(bool follow)
{
    follow = follow && m_model->isTimeOrder();
    m_follow = follow;
    if (m_followAction->isChecked() != follow) {
        const QSignalBlocker blocker(m_followAction);
        m_followAction->setChecked(follow);
    }
    if (follow)
        scrollToTail();
}

void MonitorPage::setPaused(bool paused)
{
    if (paused == m_model->isPaused())
        return;
    m_model->setPaused(paused);
    if (m_pauseAction->isChecked() != paused) {
        const QSignalBlocker blocker(m_pauseAction);
        m_pauseAction->setChecked(paused);
    }
    QStyle *style = this->style();
    m_pauseAction->setText(paused ? tr("&Resume") : tr("&Pause"));
    m_pauseAction->setIcon(paused ? themeIcon(QStringLiteral("media-playback-start"), style,
                                              QStyle::SP_MediaPlay)
                                  : themeIcon(QStringLiteral("media-playback-pause"), style,
                                              QStyle::SP_MediaPause));
    const QLocale locale;
    if (paused) {
        m_missedAtPause = m_model->missedCount();
        Q_EMIT statusMessage(
            tr("Paused: the monitor keeps up to %1 new transfers for the resume")
                .arg(locale.toString(m_server.monitorFeed().transfers().capacity())));
    } else {
        if (isPolling())
            pollNow();
        const qint64 dropped = m_model->missedCount() - m_missedAtPause;
        Q_EMIT statusMessage(dropped > 0
                                 ? tr("Resumed: %1 transfers were dropped while paused")
                                       .arg(locale.toString(dropped))
                                 : tr("Resumed"));
    }
    updateStatus();
}

bool MonitorPage::isPaused() const
{
    return m_model->isPaused();
}

void MonitorPage::updateStatus()
{
    const QLocale locale;
    QString text = tr("%1 of %2 transfers shown (keeps %3)")
                       .arg(locale.toString(m_model->rowCount()),
                            locale.toString(m_model->heldCount()),
                            locale.toString(m_model->capacity()));
    if (m_model->missedCount() > 0)
        text += tr(" · %1 dropped while paused or behind")
                    .arg(locale.toString(m_model->missedCount()));
    if (m_model->isPaused())
        text += tr(" · paused, %1 waiting")
                    .arg(locale.toString(m_model->waitingIn(m_server.monitorFeed().transfers())));
    if (text != m_lastStatus) {
        m_lastStatus = text;
        m_status->setText(text);
    }
}

void MonitorPage::refreshPartners()
{
    QHash<qint64, QString> names = m_model->partnersSeen();
    if (TransferEngine *engine = m_server.transferEngine()) {
        for (const Partner &partner : engine->activePartners())
            names.insert(partner.dpid, partner.name);
    }
    QList<QPair<qint64, QString>> choices;
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        choices.append({it.key(), it.value()});
    std::sort(choices.begin(), choices.end(), [](const auto &a, const auto &b) {
        if (const int byName = a.second.compare(b.second, Qt::CaseInsensitive))
            return byName < 0;
        return a.first < b.first;
    });
    if (choices == m_partnerChoices)
        return;
    m_partnerChoices = choices;
    QList<TransferFilterBar::PartnerChoice> list;
    for (const auto &[dpid, name] : std::as_const(choices))
        list.append({name.isEmpty() ? tr("DPID %1").arg(dpid) : name, dpid});
    m_filterBar->setPartners(list);
}

void MonitorPage::currentRowChanged(const QModelIndex &current)
{
    if (m_modelChanging || !current.isValid())
        return;
    const TransferRecord &record = m_model->record(current.row());
    m_shownSequence = record.sequence;
    m_detail->setRecord(record);
    if (m_follow) {
        // The user picked a transfer: keep it in view rather than scroll it away.
        setFollowingTail(false);
        Q_EMIT statusMessage(tr("Stopped following the newest transfers to keep the selected "
                                "one in view: press End to follow them again"));
    }
}

void MonitorPage::restoreSelection()
{
    const int row = m_model->rowOfSequence(m_shownSequence);
    if (row < 0)
        return;
    const QModelIndex index = m_model->index(row, 0);
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (!m_follow) {
        m_scrolling = true;
        m_table->scrollTo(index);
        m_scrolling = false;
    }
}

void MonitorPage::showHeaderMenu(const QPoint &position)
{
    QHeaderView *header = m_table->horizontalHeader();
    QMenu menu(this);
    addColumnToggles(menu, header, KeptColumn::LastVisible, [this] {
        AppSettings().setMonitorHeaderState(m_table->horizontalHeader()->saveState());
    });
    menu.addSeparator();
    menu.addAction(tr("Reset Columns"), this, [this, header] {
        for (int column = 0; column < TransferColumns::Count; ++column) {
            header->moveSection(header->visualIndex(column), column);
            header->setSectionHidden(column, false);
            header->resizeSection(column, defaultWidth(m_table->fontMetrics(), column));
        }
        header->setSortIndicator(TransferColumns::Time, Qt::AscendingOrder);
        AppSettings().setMonitorHeaderState(header->saveState());
    });
    menu.exec(header->viewport()->mapToGlobal(position));
}

QMenu *MonitorPage::createContextMenu(const QModelIndex &index)
{
    auto *menu = new QMenu(this);
    menu->setToolTipsVisible(true);
    menu->addAction(m_copyAction);
    if (index.isValid()) {
        const TransferRecord record = m_model->record(index.row());
        menu->addAction(tr("Copy tid"), this,
                        [this, tid = record.tid] { copyText(tid, tr("the tid")); });
        menu->addAction(tr("Copy Visitor"), this,
                        [this, uuid = record.uuid] { copyText(uuid, tr("the visitor's UUID")); });
        QAction *explain = menu->addAction(tr("Explain Visitor"), this, [this, record] {
            Q_EMIT visitorRequested(record.uuid);
        });
        explain->setObjectName(QStringLiteral("explainVisitorAction"));
        explain->setToolTip(tr("Open the visitor in the Visitors page: traits, segments and "
                               "why"));
        menu->addSeparator();
        const QString partner
            = TransferColumns::data(record, TransferColumns::Partner, Qt::DisplayRole)
                  .toString();
        menu->addAction(tr("Filter by Partner “%1”").arg(partner), this, [this, record] {
            TransferFilter filter = m_filterBar->filter();
            filter.dpid = record.dpid;
            filterBy(filter);
        });
        menu->addAction(tr("Filter by Visitor"), this, [this, record] {
            TransferFilter filter = m_filterBar->filter();
            filter.visitor = record.uuid;
            filterBy(filter);
        });
        menu->addAction(tr("Filter by tid (this /event)"), this, [this, record] {
            TransferFilter filter = m_filterBar->filter();
            filter.tid = record.tid;
            filterBy(filter);
        });
        menu->addAction(TransferColumns::outcomeIcon(record.outcome),
                        tr("Filter by Outcome “%1”")
                            .arg(TransferColumns::outcomeLabel(record.outcome)),
                        this, [this, record] {
                            TransferFilter filter = m_filterBar->filter();
                            filter.outcome = record.outcome;
                            filterBy(filter);
                        });
        if (!m_filterBar->filter().isEmpty())
            menu->addAction(tr("Clear the Filter"), this, [this] { filterBy({}); });
        menu->addSeparator();
        const bool called = !transferOutcomeNotCalled(record.outcome);
        QAction *curl = menu->addAction(tr("Copy as curl"), this,
                                        [this, record] { copyAsCurl(record, false); });
        QAction *revealed = menu->addAction(tr("Copy as curl with Signature"), this,
                                            [this, record] { copyAsCurl(record, true); });
        curl->setEnabled(called);
        revealed->setEnabled(called);
        revealed->setToolTip(tr("Copy the call as a curl command with its real signature: "
                                "the partner's secret is read to sign it again"));
        if (!called) {
            curl->setToolTip(tr("No request was sent for this call"));
            revealed->setToolTip(curl->toolTip());
        }
    }
    menu->addSeparator();
    menu->addAction(m_pauseAction);
    menu->addAction(m_tailAction);
    menu->addAction(m_clearAction);
    return menu;
}

void MonitorPage::showContextMenu(const QPoint &position)
{
    const QModelIndex index = m_table->indexAt(position);
    QMenu *menu = createContextMenu(index);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(m_table->viewport()->mapToGlobal(position));
}

void MonitorPage::filterBy(const TransferFilter &narrowed)
{
    m_filterBar->setFilter(narrowed);
    Q_EMIT statusMessage(narrowed.isEmpty() ? tr("Showing every transfer")
                                            : m_model->rowCount() == 1
                                                  ? tr("Filtered: 1 transfer shown")
                                                  : tr("Filtered: %1 transfers shown")
                                                        .arg(QLocale().toString(
                                                            m_model->rowCount())));
}

void MonitorPage::copyText(const QString &text, const QString &what)
{
    QApplication::clipboard()->setText(text);
    Q_EMIT statusMessage(tr("Copied %1").arg(what));
}

QString MonitorPage::selectedRowsText() const
{
    QModelIndexList selected = m_table->selectionModel()->selectedRows();
    std::sort(selected.begin(), selected.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    const QHeaderView *header = m_table->horizontalHeader();
    QList<int> columns;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            columns.append(logical);
    }
    QStringList lines;
    QStringList cells;
    for (int column : std::as_const(columns))
        cells.append(TransferColumns::header(column));
    lines.append(cells.join(u'\t'));
    for (const QModelIndex &row : std::as_const(selected)) {
        cells.clear();
        for (int column : std::as_const(columns))
            cells.append(m_model->index(row.row(), column).data().toString());
        lines.append(cells.join(u'\t'));
    }
    return lines.join(u'\n') + u'\n';
}

void MonitorPage::copySelectedRows()
{
    const int count = int(m_table->selectionModel()->selectedRows().size());
    if (count == 0) {
        Q_EMIT statusMessage(tr("Select transfers to copy"));
        return;
    }
    QApplication::clipboard()->setText(selectedRowsText());
    Q_EMIT statusMessage(count == 1 ? tr("Copied 1 transfer")
                                    : tr("Copied %1 transfers").arg(QLocale().toString(count)));
}

void MonitorPage::copyAsCurl(const TransferRecord &record, bool reveal)
{
    TransferCurl::copyToClipboard(m_server, record, reveal, this,
                                  [this](const QString &message) {
                                      Q_EMIT statusMessage(message);
                                  });
}

void MonitorPage::applyCapacity()
{
    const int capacity = m_capacity->value();
    if (capacity == m_model->capacity())
        return;
    m_model->setCapacity(capacity);
    AppSettings().setMonitorCapacity(capacity);
    Q_EMIT statusMessage(tr("The table keeps up to %1 transfers")
                             .arg(QLocale().toString(capacity)));
}

void MonitorPage::restoreLayout()
{
    if (m_layoutRestored)
        return;
    m_layoutRestored = true;
    m_table->setFocus(); // the table, not the first box of the tool bar
    const AppSettings settings;
    if (!m_detailSplitter->restoreState(settings.monitorDetailSplitterState())) {
        // First run: 3:2 once the page has its width (the pane needs room for its tabs).
        QTimer::singleShot(0, this, [this] {
            const int width = m_detailSplitter->width();
            m_detailSplitter->setSizes({width * 3 / 5, width - width * 3 / 5});
        });
    }
    m_splitter->restoreState(settings.monitorSplitterState());
}

void MonitorPage::saveLayout()
{
    AppSettings settings;
    settings.setMonitorHeaderState(m_table->horizontalHeader()->saveState());
    if (m_layoutRestored) {
        settings.setMonitorSplitterState(m_splitter->saveState());
        settings.setMonitorDetailSplitterState(m_detailSplitter->saveState());
    }
}

} // namespace Dcs
