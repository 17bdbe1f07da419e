#include "shadowresultsview.h"

#include "common/appsettings.h"
#include "latencybudgetbar.h"
#include "monitor/transfercolumns.h"
#include "partnerpresentation.h"
#include "shadowcodesmodel.h"
#include "shadowcomparisonmodel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace Dcs {

namespace {

struct Range
{
    const char *label;
    qint64 ms;
};

constexpr Range kRanges[] = {
    {QT_TRANSLATE_NOOP("Dcs::ShadowResultsView", "Last 15 minutes"), 15 * 60 * 1000},
    {QT_TRANSLATE_NOOP("Dcs::ShadowResultsView", "Last hour"), 60 * 60 * 1000},
    {QT_TRANSLATE_NOOP("Dcs::ShadowResultsView", "Last 24 hours"), 24 * 60 * 60 * 1000},
    {QT_TRANSLATE_NOOP("Dcs::ShadowResultsView", "Last 7 days"), 7LL * 24 * 60 * 60 * 1000},
};

} // namespace

ShadowResultsView::ShadowResultsView(QWidget *parent)
    : QWidget(parent)
    , m_comparison(new ShadowComparisonModel(this))
    , m_codes(new ShadowCodesModel(this))
{
    m_range = new QComboBox;
    m_range->setObjectName(QStringLiteral("shadowRange"));
    m_range->setAccessibleName(tr("Time range"));
    m_range->setToolTip(tr("The shadow traffic to look at, up to now"));
    for (const Range &range : kRanges)
        m_range->addItem(tr(range.label), range.ms);

    m_refreshAction = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")),
                                  tr("Refresh Shadow Results"), this);
    m_refreshAction->setToolTip(tr("Read the shadow results again"));
    connect(m_refreshAction, &QAction::triggered, this, &ShadowResultsView::refreshRequested);
    m_refresh = new QToolButton;
    m_refresh->setObjectName(QStringLiteral("shadowRefresh"));
    m_refresh->setDefaultAction(m_refreshAction);
    m_refresh->setAccessibleName(tr("Refresh shadow results"));
    if (m_refreshAction->icon().isNull())
        m_refresh->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_updated = new QLabel;
    m_updated->setObjectName(QStringLiteral("shadowUpdated"));

    auto *top = new QHBoxLayout;
    auto *rangeLabel = new QLabel(tr("&Range:"));
    rangeLabel->setBuddy(m_range);
    top->addWidget(rangeLabel);
    top->addWidget(m_range);
    top->addWidget(m_refresh);
    top->addStretch();
    top->addWidget(m_updated);

    m_note = new QLabel;
    m_note->setObjectName(QStringLiteral("shadowNote"));
    m_note->setWordWrap(true);
    m_headline = new QLabel;
    m_headline->setObjectName(QStringLiteral("shadowHeadline"));
    m_headline->setWordWrap(true);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_latency = new LatencyBudgetBar;
    m_latency->setObjectName(QStringLiteral("shadowLatency"));

    m_comparisonView = makeTable(m_comparison, ShadowComparisonModel::SortRole,
                                 QStringLiteral("shadowComparison"));
    m_comparisonView->setAccessibleName(tr("Shadow partner against the live partners"));
    m_codesView = makeTable(m_codes, ShadowCodesModel::SortRole, QStringLiteral("shadowCodes"));
    m_codesView->setAccessibleName(tr("Codes the shadow partner sent"));

    auto *comparisonBox = new QWidget;
    auto *comparisonLayout = new QVBoxLayout(comparisonBox);
    comparisonLayout->setContentsMargins(0, 0, 0, 0);
    auto *comparisonTitle = new QLabel(tr("<b>Answers and latency, against the live partners "
                                          "on the same events</b>"));
    comparisonTitle->setWordWrap(true);
    comparisonLayout->addWidget(comparisonTitle);
    comparisonLayout->addWidget(m_latency);
    comparisonLayout->addWidget(m_comparisonView, 1);
    auto *codesBox = new QWidget;
    auto *codesLayout = new QVBoxLayout(codesBox);
    codesLayout->setContentsMargins(0, 0, 0, 0);
    codesLayout->addWidget(new QLabel(tr("<b>Codes it would have added</b>")));
    codesLayout->addWidget(m_codesView, 1);
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->setObjectName(QStringLiteral("shadowSplitter"));
    splitter->addWidget(comparisonBox);
    splitter->addWidget(codesBox);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_note);
    layout->addWidget(m_headline);
    layout->addWidget(splitter, 1);

    restoreState();
    connect(m_range, &QComboBox::currentIndexChanged, this, [this](int index) {
        AppSettings().setShadowResultsRange(index);
        Q_EMIT refreshRequested();
    });
    setPartner(std::nullopt);
}

QTableView *ShadowResultsView::makeTable(QAbstractItemModel *model, int sortRole,
                                         const QString &name)
{
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setSortRole(sortRole);
    auto *view = new QTableView;
    view->setObjectName(name);
    view->setModel(proxy);
    view->setSortingEnabled(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionsMovable(true);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, [this, view](const QPoint &at) {
        QMenu menu(view);
        QAction *copy = menu.addAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("&Copy"),
                                       this, [this, view] { copySelection(view); });
        copy->setShortcut(QKeySequence::Copy);
        copy->setEnabled(view->selectionModel()->hasSelection());
        menu.addAction(tr("Copy &All"), this, [this, view] {
            view->selectAll();
            copySelection(view);
        });
        menu.addSeparator();
        menu.addAction(m_refreshAction);
        menu.exec(view->viewport()->mapToGlobal(at));
    });
    auto *copy = new QAction(tr("Copy"), view);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, [this, view] { copySelection(view); });
    view->addAction(copy);
    PartnerPresentation::installColumnChooser(view->horizontalHeader(), [this] { saveState(); });
    connect(view->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this] { saveState(); });
    connect(view->horizontalHeader(), &QHeaderView::sectionMoved, this, [this] { saveState(); });
    return view;
}

void ShadowResultsView::copySelection(QTableView *view)
{
    const QModelIndexList rows = view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    QAbstractItemModel *model = view->model();
    QStringList lines;
    QStringList header;
    for (int column = 0; column < model->columnCount(); ++column) {
        if (!view->isColumnHidden(column))
            header.append(model->headerData(column, Qt::Horizontal).toString());
    }
    lines.append(header.join(u'\t'));
    QList<int> sortedRows;
    for (const QModelIndex &row : rows)
        sortedRows.append(row.row());
    std::sort(sortedRows.begin(), sortedRows.end());
    for (const int row : sortedRows) {
        QStringList cells;
        for (int column = 0; column < model->columnCount(); ++column) {
            if (!view->isColumnHidden(column))
                cells.append(model->index(row, column).data().toString());
        }
        lines.append(cells.join(u'\t'));
    }
    QApplication::clipboard()->setText(lines.join(u'\n'));
    Q_EMIT statusMessage(sortedRows.size() == 1 ? tr("Copied 1 row")
                                                : tr("Copied %1 rows").arg(sortedRows.size()));
}

void ShadowResultsView::restoreState()
{
    // Sorting while restoring emits the signals that save: nothing is saved until done.
    m_restoring = true;
    const AppSettings settings;
    const int range = settings.shadowResultsRange();
    m_range->setCurrentIndex(range >= 0 && range < m_range->count() ? range : 1);
    const auto restore = [](QTableView *view, const QByteArray &state, int column,
                            Qt::SortOrder order) {
        QHeaderView *header = view->horizontalHeader();
        if (!state.isEmpty() && header->restoreState(state)) {
            view->sortByColumn(header->sortIndicatorSection(), header->sortIndicatorOrder());
            return true;
        }
        view->sortByColumn(column, order);
        return false;
    };
    const bool restored = restore(m_comparisonView, settings.shadowComparisonHeaderState(),
                                  ShadowComparisonModel::Partner, Qt::AscendingOrder);
    m_columnsSized = restore(m_codesView, settings.shadowCodesHeaderState(),
                             ShadowCodesModel::Count, Qt::DescendingOrder)
                     && restored;
    m_restoring = false;
}

void ShadowResultsView::saveState() const
{
    if (m_restoring)
        return;
    AppSettings settings;
    settings.setShadowComparisonHeaderState(m_comparisonView->horizontalHeader()->saveState());
    settings.setShadowCodesHeaderState(m_codesView->horizontalHeader()->saveState());
}

qint64 ShadowResultsView::rangeMs() const
{
    return m_range->currentData().toLongLong();
}

std::optional<qint64> ShadowResultsView::partnerId() const
{
    return m_partner ? std::optional<qint64>(m_partner->id) : std::nullopt;
}

void ShadowResultsView::setPartner(const std::optional<Partner> &partner)
{
    const bool same = partner && m_partner && partner->id == m_partner->id;
    m_partner = partner;
    if (!partner || partner->id == 0) {
        m_note->setText(partner ? tr("Save the partner, then switch it to Shadow to see what it "
                                     "would add on real traffic.")
                                : tr("Select a partner."));
        m_headline->clear();
        m_updated->clear();
        m_comparison->clear();
        m_codes->clear();
        m_latency->setTracks({}, 0);
        m_refreshAction->setEnabled(false);
        return;
    }
    m_refreshAction->setEnabled(true);
    switch (partner->mode) {
    case Partner::Mode::Shadow:
        m_note->setText(tr("%1 is in shadow mode: called on real traffic, measured, nothing "
                           "applied. This is what it would have added.")
                            .arg(partner->name));
        break;
    case Partner::Mode::Live:
        m_note->setText(tr("%1 is live. Below: the time it spent in shadow mode within the "
                           "range, if any.")
                            .arg(partner->name));
        break;
    case Partner::Mode::Disabled:
        m_note->setText(tr("%1 is disabled. Switch it to Shadow to run it on real traffic "
                           "without applying its answers.")
                            .arg(partner->name));
        break;
    }
    if (!same) {
        m_headline->clear();
        m_comparison->clear();
        m_codes->clear();
        m_latency->setTracks({}, 0);
    }
}

void ShadowResultsView::showLoading()
{
    m_updated->setText(tr("Reading…"));
}

void ShadowResultsView::showError(const QString &error)
{
    m_updated->setText(tr("Not read"));
    m_headline->setText(tr("The shadow results cannot be read: %1").arg(error));
}

void ShadowResultsView::showResults(const PartnerTraffic::ShadowResults &results)
{
    const PartnerTraffic::PartnerFigures &shadow = results.shadow;
    m_updated->setText(tr("Updated %1").arg(TransferColumns::formatTime(results.untilMs)));
    if (shadow.attempts == 0) {
        m_headline->setText(tr("No shadow traffic in this range."));
    } else {
        quint64 unmappedCodes = 0;
        for (const PartnerTraffic::CodeCount &code : results.codes) {
            if (!code.mapped())
                ++unmappedCodes;
        }
        m_headline->setText(
            tr("On %1 events it answered %2 in time (%3), %4 late, %5 timed out, %6 errors, "
               "%7 not called. It would have added %8 codes to %9 visitors: %10 distinct, "
               "%11 of them with no onboarded trait.")
                .arg(shadow.events)
                .arg(shadow.answeredInTime())
                .arg(PartnerPresentation::formatPercent(shadow.successPercent()))
                .arg(shadow.count(TransferOutcome::Late))
                .arg(shadow.count(TransferOutcome::Timeout))
                .arg(shadow.errors())
                .arg(shadow.notCalled())
                .arg(shadow.codesReceived)
                .arg(results.visitorsWithCodes)
                .arg(results.codes.size())
                .arg(unmappedCodes));
    }
    m_comparison->setResults(results);
    m_codes->setCodes(results.codes, shadow.events);
    QList<LatencyBudgetBar::Track> tracks = {{shadow.name.isEmpty() ? tr("Shadow") : shadow.name,
                                              shadow.latency}};
    if (!results.live.isEmpty())
        tracks.append({tr("Live partners"), results.liveCombined.latency});
    m_latency->setTracks(tracks, qMax(shadow.deadlineMs, results.liveCombined.deadlineMs));
    if (!m_columnsSized && results.shadow.attempts > 0) {
        // Once, with the first numbers; afterwards the user's widths stay.
        m_comparisonView->resizeColumnsToContents();
        m_codesView->resizeColumnsToContents();
        m_columnsSized = true;
    }
}

} // namespace Dcs
