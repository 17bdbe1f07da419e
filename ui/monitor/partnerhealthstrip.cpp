#include "partnerhealthstrip.h"

#include "common/appsettings.h"
#include "monitor/monitorfeed.h"
#include "partnerhealthmodel.h"
#include "transfer/transferengine.h"
#include "transfercolumns.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace Dcs {

PartnerHealthStrip::PartnerHealthStrip(MonitorFeed &feed, TransferEngine &engine,
                                       QWidget *parent)
    : QWidget(parent)
    , m_feed(feed)
    , m_engine(engine)
    , m_clock(&MonitorFeed::currentTimeMs)
{
    setObjectName(QStringLiteral("partnerHealthStrip"));

    m_model = new PartnerHealthModel(m_feed, &m_engine, this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(PartnerHealthModel::SortRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("partnerHealthTable"));
    m_view->setAccessibleName(tr("Partner health"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setCornerButtonEnabled(false);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->verticalHeader()->hide();
    // Compact rows: the strip shows many partners in little height.
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionsMovable(true);
    m_view->setSortingEnabled(true);
    if (!header->restoreState(AppSettings().partnerHealthHeaderState())) {
        header->setSectionResizeMode(PartnerHealthModel::Name, QHeaderView::Stretch);
        header->resizeSection(PartnerHealthModel::Breaker, 130);
        for (int column = PartnerHealthModel::CallsPerSecond;
             column < PartnerHealthModel::Breaker; ++column) {
            header->resizeSection(column, 80);
        }
        m_view->sortByColumn(PartnerHealthModel::Name, Qt::AscendingOrder);
    }

    m_forceOpen = new QAction(TransferColumns::outcomeIcon(TransferOutcome::CircuitOpen),
                              tr("Force &open"), this);
    m_forceOpen->setObjectName(QStringLiteral("forceOpenAction"));
    m_forceOpen->setToolTip(tr("Stop calling the selected partner: no calls and no probes "
                               "until its breaker is closed or made automatic again"));
    m_forceClosed = new QAction(TransferColumns::outcomeIcon(TransferOutcome::Ok),
                                tr("Force &closed"), this);
    m_forceClosed->setObjectName(QStringLiteral("forceClosedAction"));
    m_forceClosed->setToolTip(tr("Call the selected partner on every event, however often it "
                                 "fails"));
    m_automatic = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("&Automatic"),
                              this);
    m_automatic->setObjectName(QStringLiteral("automaticAction"));
    m_automatic->setToolTip(tr("Give the selected partner's breaker back to the automatic rule: "
                               "it opens on failures, probes, and closes when probes succeed"));
    // Checked: the selected breaker's current mode.
    auto *modes = new QActionGroup(this);
    modes->setExclusive(true);
    for (QAction *action : {m_forceOpen, m_forceClosed, m_automatic}) {
        action->setCheckable(true);
        modes->addAction(action);
    }
    connect(m_forceOpen, &QAction::triggered, this,
            [this] { setBreakerOverride(CircuitBreaker::Override::ForcedOpen); });
    connect(m_forceClosed, &QAction::triggered, this,
            [this] { setBreakerOverride(CircuitBreaker::Override::ForcedClosed); });
    connect(m_automatic, &QAction::triggered, this,
            [this] { setBreakerOverride(CircuitBreaker::Override::Automatic); });

    m_showTransfers = new QAction(style()->standardIcon(QStyle::SP_FileDialogContentsView),
                                  tr("Show &transfers"), this);
    m_showTransfers->setObjectName(QStringLiteral("showTransfersAction"));
    m_showTransfers->setToolTip(tr("Show only the selected partner's transfers (or double-click "
                                   "the partner)"));
    connect(m_showTransfers, &QAction::triggered, this, [this] {
        const int row = currentSourceRow();
        if (row >= 0)
            Q_EMIT partnerActivated(m_model->rowAt(row).stats.dpid);
    });
    m_copy = new QAction(tr("&Copy"), this);
    m_copy->setShortcut(QKeySequence::Copy);
    m_copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_copy, &QAction::triggered, this, &PartnerHealthStrip::copySelection);
    m_view->addAction(m_copy);
    // The view copies its current cell on Ctrl+C by itself; the strip copies the whole row.
    m_view->installEventFilter(this);

    auto *title = new QLabel(tr("Partner health"));
    title->setObjectName(QStringLiteral("partnerHealthTitle"));
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    title->setToolTip(tr("Every shadow and live partner: its last 60 s, and its circuit breaker"));

    m_toolBar = new QToolBar;
    m_toolBar->setObjectName(QStringLiteral("partnerHealthToolBar"));
    m_toolBar->setAccessibleName(tr("Breaker of the selected partner"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->setIconSize(QSize(16, 16));
    m_toolBar->addWidget(new QLabel(tr("Breaker:")));
    for (QAction *action : {m_forceOpen, m_forceClosed, m_automatic}) {
        m_toolBar->addAction(action);
        if (QWidget *button = m_toolBar->widgetForAction(action))
            button->setAccessibleName(action->text().remove(u'&'));
    }
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_showTransfers);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(title);
    top->addStretch(1);
    top->addWidget(m_toolBar);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_view);

    connect(m_view, &QWidget::customContextMenuRequested, this,
            &PartnerHealthStrip::showContextMenu);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QWidget::customContextMenuRequested, this,
            &PartnerHealthStrip::showColumnMenu);
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        const QModelIndex source = m_proxy->mapToSource(index);
        if (source.isValid())
            Q_EMIT partnerActivated(m_model->rowAt(source.row()).stats.dpid);
    });
    // The current row changes before the selection does: both update the actions.
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &PartnerHealthStrip::updateActions);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &PartnerHealthStrip::updateActions);

    m_timer = new QTimer(this);
    m_timer->setInterval(kRefreshMs);
    connect(m_timer, &QTimer::timeout, this, &PartnerHealthStrip::refresh);

    refresh();
}

PartnerHealthStrip::~PartnerHealthStrip()
{
    AppSettings().setPartnerHealthHeaderState(m_view->horizontalHeader()->saveState());
}

bool PartnerHealthStrip::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view && event->type() == QEvent::KeyPress
        && static_cast<QKeyEvent *>(event)->matches(QKeySequence::Copy)) {
        copySelection();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void PartnerHealthStrip::setClock(Clock clock)
{
    m_clock = clock ? std::move(clock) : Clock(&MonitorFeed::currentTimeMs);
}

void PartnerHealthStrip::setActive(bool active)
{
    m_active = active;
    if (active && isVisible())
        refresh();
    updateTimer();
}

bool PartnerHealthStrip::isPolling() const
{
    return m_timer->isActive();
}

void PartnerHealthStrip::updateTimer()
{
    if (m_active && isVisible())
        m_timer->start();
    else
        m_timer->stop();
}

void PartnerHealthStrip::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_active) {
        refresh();
        m_timer->start();
    }
}

void PartnerHealthStrip::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
}

void PartnerHealthStrip::refresh()
{
    m_model->refresh(m_clock());
    updateActions();
}

int PartnerHealthStrip::currentSourceRow() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid() || !m_view->selectionModel()->isRowSelected(current.row()))
        return -1;
    const QModelIndex source = m_proxy->mapToSource(current);
    return source.isValid() ? source.row() : -1;
}

qint64 PartnerHealthStrip::currentPartnerId() const
{
    const int row = currentSourceRow();
    return row < 0 ? 0 : m_model->rowAt(row).stats.partnerId;
}

void PartnerHealthStrip::selectPartner(qint64 partnerId)
{
    const int row = m_model->rowOfPartner(partnerId);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_view->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void PartnerHealthStrip::updateActions()
{
    const int row = currentSourceRow();
    const bool steerable = row >= 0 && m_model->rowAt(row).active;
    for (QAction *action : {m_forceOpen, m_forceClosed, m_automatic})
        action->setEnabled(steerable);
    m_showTransfers->setEnabled(row >= 0);
    m_copy->setEnabled(row >= 0);
    if (!steerable) {
        for (QAction *action : {m_forceOpen, m_forceClosed, m_automatic})
            action->setChecked(false);
        return;
    }
    const PartnerLiveSnapshot &stats = m_model->rowAt(row).stats;
    if (!stats.breakerForced)
        m_automatic->setChecked(true);
    else if (stats.breakerState == PartnerBreakerState::Open)
        m_forceOpen->setChecked(true);
    else
        m_forceClosed->setChecked(true);
}

void PartnerHealthStrip::setBreakerOverride(CircuitBreaker::Override override)
{
    const int row = currentSourceRow();
    if (row < 0) {
        Q_EMIT statusMessage(tr("Select a partner first"));
        return;
    }
    const PartnerHealthRow &selected = m_model->rowAt(row);
    const QString name = selected.stats.name;
    if (!m_engine.setBreakerOverride(selected.stats.partnerId, override)) {
        Q_EMIT statusMessage(tr("%1 is no longer active: its breaker cannot be changed")
                                 .arg(name));
        refresh();
        return;
    }
    switch (override) {
    case CircuitBreaker::Override::ForcedOpen:
        Q_EMIT statusMessage(tr("Breaker of %1 forced open: it is no longer called").arg(name));
        break;
    case CircuitBreaker::Override::ForcedClosed:
        Q_EMIT statusMessage(tr("Breaker of %1 forced closed: it is called on every event")
                                 .arg(name));
        break;
    case CircuitBreaker::Override::Automatic:
        Q_EMIT statusMessage(tr("Breaker of %1 is automatic again").arg(name));
        break;
    }
    refresh();
}

void PartnerHealthStrip::showContextMenu(const QPoint &position)
{
    const QModelIndex index = m_view->indexAt(position);
    if (index.isValid())
        m_view->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    updateActions();
    QMenu menu(this);
    menu.addActions({m_forceOpen, m_forceClosed, m_automatic});
    menu.addSeparator();
    menu.addAction(m_showTransfers);
    menu.addAction(m_copy);
    menu.exec(m_view->viewport()->mapToGlobal(position));
}

void PartnerHealthStrip::showColumnMenu(const QPoint &position)
{
    QHeaderView *header = m_view->horizontalHeader();
    QMenu menu(this);
    menu.setTitle(tr("Columns"));
    // The partner's name always stays: a row without it means nothing.
    for (int column = PartnerHealthModel::Name + 1; column < PartnerHealthModel::ColumnCount;
         ++column) {
        QAction *toggle = menu.addAction(m_model->headerData(column, Qt::Horizontal).toString());
        toggle->setCheckable(true);
        toggle->setChecked(!header->isSectionHidden(column));
        connect(toggle, &QAction::toggled, header,
                [header, column](bool shown) { header->setSectionHidden(column, !shown); });
    }
    menu.exec(header->viewport()->mapToGlobal(position));
}

void PartnerHealthStrip::copySelection()
{
    const int row = currentSourceRow();
    if (row < 0)
        return;
    QStringList headers;
    QStringList values;
    const QHeaderView *header = m_view->horizontalHeader();
    for (int visual = 0; visual < header->count(); ++visual) {
        const int column = header->logicalIndex(visual);
        if (header->isSectionHidden(column))
            continue;
        headers.append(m_model->headerData(column, Qt::Horizontal).toString());
        values.append(m_model->index(row, column).data().toString());
    }
    QApplication::clipboard()->setText(headers.join(u'\t') + u'\n' + values.join(u'\t')
                                       + u'\n');
    Q_EMIT statusMessage(tr("Copied %1's health").arg(m_model->rowAt(row).stats.name));
}

} // namespace Dcs
