#include "historypage.h"

#include "views/pagekeys.h"
#include "views/columnmenu.h"

#include "common/appsettings.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "transfercolumns.h"
#include "transferhistorymodel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

namespace Dcs {

namespace {

constexpr int kDebounceMs = 250;
constexpr int kExportPageRows = 2000;
// Up to this many selected rows are copied at once; more are formatted on a worker thread.
constexpr int kCopyOnGuiThreadRows = 2000;

struct RangePreset
{
    HistoryPage::TimeRange range;
    const char *id; // stored in AppSettings
};

constexpr RangePreset kPresets[] = {
    {HistoryPage::TimeRange::Last15Minutes, "15m"}, {HistoryPage::TimeRange::LastHour, "1h"},
    {HistoryPage::TimeRange::Today, "today"},       {HistoryPage::TimeRange::Last7Days, "7d"},
    {HistoryPage::TimeRange::All, "all"},           {HistoryPage::TimeRange::Custom, "custom"},
};

QString presetLabel(HistoryPage::TimeRange range)
{
    using R = HistoryPage::TimeRange;
    switch (range) {
    case R::Last15Minutes: return HistoryPage::tr("Last 15 minutes");
    case R::LastHour: return HistoryPage::tr("Last hour");
    case R::Today: return HistoryPage::tr("Today");
    case R::Last7Days: return HistoryPage::tr("Last 7 days");
    case R::All: return HistoryPage::tr("All time");
    case R::Custom: return HistoryPage::tr("Custom range");
    }
    return {};
}

// [fromMs, untilMs) of a relative range at `now`; untilMs 0 = open (rows written later show on
// refresh).
std::pair<qint64, qint64> rangeAt(HistoryPage::TimeRange range, const QDateTime &now)
{
    using R = HistoryPage::TimeRange;
    const qint64 nowMs = now.toMSecsSinceEpoch();
    switch (range) {
    case R::Last15Minutes: return {nowMs - 15 * 60'000, 0};
    case R::LastHour: return {nowMs - 3'600'000, 0};
    case R::Today: return {now.date().startOfDay().toMSecsSinceEpoch(), 0};
    case R::Last7Days: return {nowMs - 7 * 86'400'000LL, 0};
    case R::All:
    case R::Custom: break;
    }
    return {0, 0};
}

// "1 transfer", "1,234 transfers" (no translation files yet to resolve %n plurals).
QString transfersText(qint64 count)
{
    return count == 1 ? HistoryPage::tr("1 transfer")
                      : HistoryPage::tr("%L1 transfers").arg(count);
}

// Tab-separated display texts of `columns`, one line per record (thread-safe: display texts
// only, no icons).
QString rowsText(const QList<TransferRecord> &records, const QList<int> &columns)
{
    QString text;
    for (const TransferRecord &record : records) {
        for (qsizetype i = 0; i < columns.size(); ++i) {
            QString cell =
                TransferColumns::data(record, columns.at(i), Qt::DisplayRole).toString();
            cell.replace(u'\t', u' ').replace(u'\n', u' ').remove(u'\r');
            if (i > 0)
                text += u'\t';
            text += cell;
        }
        text += u'\n';
    }
    return text;
}

QString exportFilters()
{
    return HistoryPage::tr("CSV (*.csv);;JSON, with request and response texts (*.json)");
}

} // namespace

HistoryPage::HistoryPage(Storage &storage, QWidget *parent)
    : QWidget(parent)
    , m_storage(storage)
    , m_model(new TransferHistoryModel(storage, this))
{
    setObjectName(QStringLiteral("historyPage"));
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &HistoryPage::applyQuery);

    buildActions();
    buildLayout();

    connect(m_model, &TransferHistoryModel::loadingChanged, this, &HistoryPage::updateSummary);
    connect(m_model, &TransferHistoryModel::pageLoaded, this, &HistoryPage::updateSummary);
    connect(m_model, &TransferHistoryModel::modelReset, this, &HistoryPage::updateSummary);
    connect(m_model, &TransferHistoryModel::totalCountChanged, this, [this](qint64 count) {
        updateSummary();
        if (count >= 0)
            Q_EMIT statusMessage(tr("History: %1 match").arg(transfersText(count)));
    });
    connect(m_model, &TransferHistoryModel::loadFailed, this, [this](const QString &error) {
        updateSummary();
        Q_EMIT statusMessage(tr("The transfer history could not be read: %1").arg(error));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                Q_EMIT currentTransferChanged(m_model->record(current.row()));
            });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &HistoryPage::updateActions);
    // A reset clears the selection and the current row without a signal.
    connect(m_model, &TransferHistoryModel::modelReset, this, [this] {
        updateActions();
        Q_EMIT currentTransferChanged(TransferRecord());
    });
    connect(m_filterBar, &TransferFilterBar::filterChanged, this, &HistoryPage::onFilterChanged);

    restoreSettings();
    // The first read waits until the page is shown: nothing to count at start-up.
}

void HistoryPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_model->hasQuery())
        refresh();
}

HistoryPage::~HistoryPage()
{
    saveSettings();
    // Both read the log: done before the storage can go.
    if (m_exportThread) {
        m_exportThread->requestInterruption();
        m_exportThread->wait();
    }
    if (m_partnerThread)
        m_partnerThread->wait();
}

void HistoryPage::buildActions()
{
    m_refreshAction = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")),
                                  tr("&Refresh"), this);
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_refreshAction->setToolTip(tr("Read the transfer log again (a relative time range moves "
                                   "up to now)"));
    connect(m_refreshAction, &QAction::triggered, this, &HistoryPage::refresh);

    m_findAction = new QAction(tr("&Find"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_findAction, &QAction::triggered, this, [this] {
        m_filterBar->textEdit()->setFocus(Qt::ShortcutFocusReason);
        m_filterBar->textEdit()->selectAll();
    });

    m_copyAction = new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("&Copy"), this);
    m_copyAction->setShortcut(QKeySequence::Copy);
    m_copyAction->setShortcutContext(Qt::WidgetShortcut);
    m_copyAction->setToolTip(tr("Copy the selected rows (as tab-separated text, and as CSV "
                                "for applications that take it)"));
    m_copyAction->setEnabled(false);
    connect(m_copyAction, &QAction::triggered, this, &HistoryPage::copySelection);

    m_selectAllAction = new QAction(tr("Select &All"), this);
    m_selectAllAction->setShortcut(QKeySequence::SelectAll);
    m_selectAllAction->setShortcutContext(Qt::WidgetShortcut);
    m_selectAllAction->setToolTip(tr("Select every loaded row"));

    m_exportSelectionAction = new QAction(QIcon::fromTheme(QStringLiteral("document-export")),
                                          tr("Export &Selection…"), this);
    m_exportSelectionAction->setToolTip(tr("Write the selected transfers to a CSV or JSON "
                                           "file"));
    m_exportSelectionAction->setEnabled(false);
    connect(m_exportSelectionAction, &QAction::triggered, this, [this] { askAndExport(true); });

    m_exportAllAction = new QAction(tr("Export All &Matching…"), this);
    m_exportAllAction->setToolTip(tr("Write every transfer the filter and time range match "
                                     "(not only the loaded rows) to a CSV or JSON file"));
    connect(m_exportAllAction, &QAction::triggered, this, [this] { askAndExport(false); });

    for (QAction *action : {m_refreshAction, m_findAction})
        addAction(action);
}

void HistoryPage::buildLayout()
{
    m_filterBar = new TransferFilterBar;
    m_filterBar->setObjectName(QStringLiteral("historyFilterBar"));

    m_rangeBox = new QComboBox;
    m_rangeBox->setObjectName(QStringLiteral("timeRange"));
    m_rangeBox->setAccessibleName(tr("Time range"));
    m_rangeBox->setToolTip(tr("Which period of the transfer log to show"));
    for (const RangePreset &preset : kPresets)
        m_rangeBox->addItem(presetLabel(preset.range), int(preset.range));

    const auto makeEdit = [](const QString &name, const QString &accessible,
                             const QString &tip) {
        auto *edit = new QDateTimeEdit;
        edit->setObjectName(name);
        edit->setAccessibleName(accessible);
        edit->setToolTip(tip);
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        edit->setTimeSpec(Qt::LocalTime);
        edit->setMinimumDateTime(QDate(2000, 1, 1).startOfDay());
        return edit;
    };
    m_fromEdit = makeEdit(QStringLiteral("fromTime"), tr("From"),
                          tr("The first instant shown (local time)"));
    m_untilEdit = makeEdit(QStringLiteral("untilTime"), tr("Until"),
                           tr("The end of the range, not included (local time)"));
    m_fromEdit->setSpecialValueText(tr("The beginning"));
    auto *fromLabel = new QLabel(tr("&From"));
    fromLabel->setBuddy(m_fromEdit);
    auto *untilLabel = new QLabel(tr("&until"));
    untilLabel->setBuddy(m_untilEdit);
    auto *rangeLabel = new QLabel(tr("&Time"));
    rangeLabel->setBuddy(m_rangeBox);

    connect(m_rangeBox, &QComboBox::currentIndexChanged, this, &HistoryPage::onTimeRangeChanged);
    for (QDateTimeEdit *edit : {m_fromEdit, m_untilEdit}) {
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, [this] {
            if (timeRange() == TimeRange::Custom)
                m_debounce->start();
        });
    }

    auto *refreshButton = new QToolButton;
    refreshButton->setObjectName(QStringLiteral("refreshButton"));
    refreshButton->setDefaultAction(m_refreshAction);
    refreshButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    auto *exportMenu = new QMenu(this);
    exportMenu->addAction(m_exportSelectionAction);
    exportMenu->addAction(m_exportAllAction);
    m_exportButton = new QToolButton;
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setText(tr("&Export"));
    m_exportButton->setIcon(QIcon::fromTheme(QStringLiteral("document-export")));
    m_exportButton->setToolTip(tr("Write transfers to a CSV or JSON file"));
    m_exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setMenu(exportMenu);

    auto *rangeRow = new QHBoxLayout;
    rangeRow->addWidget(rangeLabel);
    rangeRow->addWidget(m_rangeBox);
    rangeRow->addSpacing(8);
    rangeRow->addWidget(fromLabel);
    rangeRow->addWidget(m_fromEdit);
    rangeRow->addWidget(untilLabel);
    rangeRow->addWidget(m_untilEdit);
    rangeRow->addStretch(1);
    rangeRow->addWidget(refreshButton);
    rangeRow->addWidget(m_exportButton);

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("historyTable"));
    m_view->setAccessibleName(tr("Transfer history"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->addAction(m_copyAction);
    m_view->addAction(m_selectAllAction);
    connect(m_selectAllAction, &QAction::triggered, m_view, &QTableView::selectAll);
    connect(m_view, &QWidget::customContextMenuRequested, this, &HistoryPage::showTableMenu);

    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionsMovable(true);
    header->setStretchLastSection(true);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    // Wide enough for a time on another day; today's times are shorter.
    header->resizeSection(TransferColumns::Time,
                          m_view->fontMetrics().horizontalAdvance(
                              QStringLiteral("2025-12-31 23:59:59.999"))
                              + 24);
    header->resizeSection(TransferColumns::Tid, 120);
    header->resizeSection(TransferColumns::Visitor, 200);
    header->resizeSection(TransferColumns::Partner, 150);
    header->resizeSection(TransferColumns::Outcome, 120);
    connect(header, &QWidget::customContextMenuRequested, this, &HistoryPage::showHeaderMenu);
    header->setSortIndicator(TransferColumns::Time, Qt::DescendingOrder);
    // Only the time sorts (in SQL); a click elsewhere leaves the order as it was.
    connect(header, &QHeaderView::sortIndicatorChanged, this,
            [this, header](int section, Qt::SortOrder) {
                if (section == TransferColumns::Time)
                    return;
                header->setSortIndicator(TransferColumns::Time,
                                         m_model->order() == TransferLog::Order::OldestFirst
                                             ? Qt::AscendingOrder
                                             : Qt::DescendingOrder);
            });

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("historySummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filterBar);
    layout->addLayout(rangeRow);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_summary);
}

bool HistoryPage::event(QEvent *event)
{
    // The page's keys win over window-wide actions with the same key (the workspace's F5).
    if (handlePageKeys(event, {{QKeySequence::Refresh, [this] { m_refreshAction->trigger(); }},
                               {QKeySequence::Find, [this] { m_findAction->trigger(); }}}))
        return true;
    return QWidget::event(event);
}

HistoryPage::TimeRange HistoryPage::timeRange() const
{
    return TimeRange(m_rangeBox->currentData().toInt());
}

void HistoryPage::setTimeRange(TimeRange range)
{
    m_rangeBox->setCurrentIndex(m_rangeBox->findData(int(range)));
}

void HistoryPage::setCustomRange(const QDateTime &from, const QDateTime &until)
{
    {
        const QSignalBlocker fromBlocker(m_fromEdit);
        const QSignalBlocker untilBlocker(m_untilEdit);
        m_fromEdit->setDateTime(from);
        m_untilEdit->setDateTime(until);
    }
    if (timeRange() == TimeRange::Custom)
        applyQuery();
    else
        setTimeRange(TimeRange::Custom);
}

void HistoryPage::onTimeRangeChanged()
{
    const bool custom = timeRange() == TimeRange::Custom;
    m_fromEdit->setEnabled(custom);
    m_untilEdit->setEnabled(custom);
    if (!m_restoring)
        applyQuery();
}

void HistoryPage::onFilterChanged(const TransferFilter &filter)
{
    // Typing is debounced; a choice in a list applies at once.
    const bool typed = filter.visitor != m_appliedFilter.visitor
                       || filter.tid != m_appliedFilter.tid || filter.text != m_appliedFilter.text;
    if (typed)
        m_debounce->start();
    else
        applyQuery();
}

void HistoryPage::applyQuery()
{
    m_debounce->stop();
    m_appliedFilter = m_filterBar->filter();
    TransferLog::Filter filter = m_appliedFilter.toLogFilter();
    if (timeRange() == TimeRange::Custom) {
        filter.fromMs = m_fromEdit->dateTime().toMSecsSinceEpoch();
        filter.untilMs = m_untilEdit->dateTime().toMSecsSinceEpoch();
    } else {
        const QDateTime now = QDateTime::currentDateTime();
        std::tie(filter.fromMs, filter.untilMs) = rangeAt(timeRange(), now);
        updateRangeEdits(filter.fromMs, now.toMSecsSinceEpoch());
    }
    const Qt::SortOrder order = m_view->horizontalHeader()->sortIndicatorOrder();
    m_model->setQuery(filter, order == Qt::AscendingOrder ? TransferLog::Order::OldestFirst
                                                          : TransferLog::Order::NewestFirst);
}

void HistoryPage::updateRangeEdits(qint64 fromMs, qint64 untilMs)
{
    const QSignalBlocker fromBlocker(m_fromEdit);
    const QSignalBlocker untilBlocker(m_untilEdit);
    m_fromEdit->setDateTime(fromMs > 0 ? QDateTime::fromMSecsSinceEpoch(fromMs)
                                       : m_fromEdit->minimumDateTime());
    m_untilEdit->setDateTime(QDateTime::fromMSecsSinceEpoch(untilMs));
}

void HistoryPage::refresh()
{
    loadPartners();
    applyQuery();
}

void HistoryPage::updateSummary()
{
    const int rows = m_model->rowCount();
    const qint64 total = m_model->totalCount();
    QString text;
    if (!m_model->errorString().isEmpty())
        text = tr("The transfer history could not be read: %1").arg(m_model->errorString());
    else if (m_model->isLoading() && rows == 0)
        text = tr("Loading…");
    else if (rows == 0 && total <= 0 && !m_model->isLoading())
        text = tr("No transfers in this time range match the filter");
    else if (total < 0)
        text = tr("%1 loaded, counting…").arg(transfersText(rows));
    else if (rows >= total)
        text = transfersText(total);
    else
        text = tr("%L1 of %2 loaded: scroll down for more").arg(rows).arg(transfersText(total));
    if (m_model->isLoading() && rows > 0)
        text += tr(" · loading…");
    m_summary->setText(text);
}

TransferRecord HistoryPage::currentRecord() const
{
    return m_model->record(m_view->currentIndex().row());
}

QList<TransferRecord> HistoryPage::selectedRecords() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_view->selectionModel()->selectedRows())
        rows.append(index.row());
    std::sort(rows.begin(), rows.end());
    return m_model->records(rows);
}

QList<int> HistoryPage::visibleColumns() const
{
    // In the order the user arranged them.
    const QHeaderView *header = m_view->horizontalHeader();
    QList<int> columns;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            columns.append(logical);
    }
    return columns;
}

QString HistoryPage::selectedRowsText() const
{
    return rowsText(selectedRecords(), visibleColumns());
}

void HistoryPage::copySelection()
{
    const QList<TransferRecord> records = selectedRecords();
    if (records.isEmpty())
        return;
    const quint64 copy = ++m_copyGeneration;
    const auto done = [this, copy, count = records.size()](const QString &text,
                                                            const QByteArray &csv) {
        if (copy != m_copyGeneration)
            return; // a later copy replaced this one
        auto *mime = new QMimeData;
        mime->setText(text);
        mime->setData(QStringLiteral("text/csv"), csv);
        QGuiApplication::clipboard()->setMimeData(mime);
        Q_EMIT statusMessage(tr("Copied %1").arg(transfersText(count)));
    };
    const QList<int> columns = visibleColumns();
    if (records.size() <= kCopyOnGuiThreadRows) {
        done(rowsText(records, columns), TransferExporter::toCsv(records));
        return;
    }
    // Tens of thousands of rows take a second to format: not on the GUI thread.
    struct Texts
    {
        QString text;
        QByteArray csv;
    };
    auto texts = std::make_shared<Texts>();
    QThread *thread = QThread::create([texts, records, columns] {
        texts->text = rowsText(records, columns);
        texts->csv = TransferExporter::toCsv(records);
    });
    connect(thread, &QThread::finished, this, [texts, done] { done(texts->text, texts->csv); });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    Q_EMIT statusMessage(tr("Copying %1…").arg(transfersText(records.size())));
    thread->start();
}

void HistoryPage::narrowTo(const TransferFilter &filter)
{
    m_filterBar->setFilter(filter);
    applyQuery(); // a menu choice: no debounce
}

void HistoryPage::showTableMenu(const QPoint &position)
{
    const std::unique_ptr<QMenu> menu(createTableMenu(m_view->indexAt(position)));
    menu->exec(m_view->viewport()->mapToGlobal(position));
}

QMenu *HistoryPage::createTableMenu(const QModelIndex &index)
{
    auto *menu = new QMenu(this);
    menu->addAction(m_copyAction);
    menu->addAction(m_selectAllAction);
    menu->addSeparator();
    menu->addAction(m_exportSelectionAction);
    menu->addAction(m_exportAllAction);
    if (index.isValid()) {
        const TransferRecord record = m_model->record(index.row());
        const TransferFilter current = m_filterBar->filter();
        menu->addSeparator();
        QAction *explain = menu->addAction(tr("E&xplain Visitor"), this, [this, record] {
            Q_EMIT visitorRequested(record.uuid);
        });
        explain->setObjectName(QStringLiteral("explainVisitorAction"));
        explain->setToolTip(tr("Open visitor %1 in the Visitors page: traits, segments and "
                               "why").arg(record.uuid));
        QAction *visitor = menu->addAction(tr("Show Only This &Visitor"), this, [=, this] {
            TransferFilter filter = current;
            filter.visitor = record.uuid;
            narrowTo(filter);
        });
        visitor->setToolTip(tr("Every partner call for visitor %1").arg(record.uuid));
        menu->addAction(tr("Show Only This &Event (tid)"), this, [=, this] {
            TransferFilter filter = current;
            filter.tid = record.tid;
            narrowTo(filter);
        });
        menu->addAction(tr("Show Only This &Partner"), this, [=, this] {
            TransferFilter filter = current;
            filter.dpid = record.dpid;
            narrowTo(filter);
        });
        menu->addAction(tr("Show Only This &Outcome"), this, [=, this] {
            TransferFilter filter = current;
            filter.outcome = record.outcome;
            narrowTo(filter);
        });
    }
    if (!m_filterBar->filter().isEmpty())
        menu->addAction(tr("C&lear Filter"), this, [this] { narrowTo({}); });
    menu->addSeparator();
    menu->addAction(m_refreshAction);
    return menu;
}

void HistoryPage::showTid(const QString &tid)
{
    // The whole log: the call may be older than the range shown.
    setTimeRange(TimeRange::All);
    TransferFilter filter;
    filter.tid = tid;
    narrowTo(filter);
}

void HistoryPage::showHeaderMenu(const QPoint &position)
{
    QHeaderView *header = m_view->horizontalHeader();
    QMenu menu(this);
    addColumnToggles(menu, header, KeptColumn::LastVisible, [this] { saveSettings(); });
    menu.exec(header->mapToGlobal(position));
}

void HistoryPage::askAndExport(bool selectionOnly)
{
    AppSettings settings;
    QString folder = settings.historyExportFolder();
    if (folder.isEmpty())
        folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString name = QStringLiteral("transfers-%1.csv")
                             .arg(QDateTime::currentDateTime().toString(
                                 QStringLiteral("yyyyMMdd-HHmmss")));
    QString selectedFilter;
    QString path = QFileDialog::getSaveFileName(
        this, selectionOnly ? tr("Export Selected Transfers") : tr("Export Matching Transfers"),
        QDir(folder).filePath(name), exportFilters(), &selectedFilter);
    if (path.isEmpty())
        return;
    if (!TransferExporter::formatForPath(path))
        path += selectedFilter.contains(QLatin1StringView("*.json")) ? QStringLiteral(".json")
                                                                      : QStringLiteral(".csv");
    settings.setHistoryExportFolder(QFileInfo(path).absolutePath());
    if (selectionOnly)
        exportSelection(path);
    else
        exportAllMatching(path);
}

bool HistoryPage::exportSelection(const QString &path)
{
    const auto format = TransferExporter::formatForPath(path);
    if (!format) {
        Q_EMIT statusMessage(tr("Export: name the file .csv or .json"));
        return false;
    }
    if (isExporting()) {
        Q_EMIT statusMessage(tr("An export is still being written"));
        return false;
    }
    const QList<TransferRecord> records = selectedRecords();
    if (records.isEmpty()) {
        Q_EMIT statusMessage(tr("Select the transfers to export first"));
        return false;
    }
    startExport(path, *format, records, false);
    return true;
}

bool HistoryPage::exportAllMatching(const QString &path)
{
    const auto format = TransferExporter::formatForPath(path);
    if (!format) {
        Q_EMIT statusMessage(tr("Export: name the file .csv or .json"));
        return false;
    }
    if (isExporting()) {
        Q_EMIT statusMessage(tr("An export is still being written"));
        return false;
    }
    if (!m_model->hasQuery())
        return false;
    startExport(path, *format, {}, true);
    return true;
}

void HistoryPage::startExport(const QString &path, TransferExporter::Format format,
                              const QList<TransferRecord> &records, bool allMatching)
{
    struct Outcome
    {
        qint64 rows = 0;
        QString error;
    };
    auto outcome = std::make_shared<Outcome>();
    const TransferLog::Filter filter = m_model->effectiveFilter();
    const TransferLog::Order order = m_model->order();
    Storage *storage = &m_storage;
    QThread *thread = QThread::create([=] {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly)) {
            outcome->error = file.errorString();
            return;
        }
        TransferExporter exporter(format);
        bool ok = file.write(exporter.begin()) >= 0;
        if (!allMatching) {
            for (const TransferRecord &record : records) {
                ok = ok && file.write(exporter.row(record)) >= 0;
                ++outcome->rows;
            }
        } else {
            std::optional<TransferLog::PageKey> after;
            do {
                if (QThread::currentThread()->isInterruptionRequested()) {
                    outcome->error = tr("cancelled");
                    ok = false;
                    break;
                }
                TransferLog::Page page;
                if (!TransferLog::queryPage(storage->reader(), filter, order, kExportPageRows,
                                            after, &page, &outcome->error)) {
                    ok = false;
                    break;
                }
                for (const TransferRecord &record : std::as_const(page.records))
                    ok = ok && file.write(exporter.row(record)) >= 0;
                outcome->rows += page.records.size();
                after = page.next;
            } while (ok && after);
            storage->releaseReader();
        }
        ok = ok && file.write(exporter.end()) >= 0;
        if (!ok || !file.commit()) {
            if (outcome->error.isEmpty())
                outcome->error = file.errorString();
            file.cancelWriting();
        }
    });
    thread->setObjectName(QStringLiteral("history export"));
    connect(thread, &QThread::finished, this, [this, path, outcome] {
        setExporting(nullptr);
        if (outcome->error.isEmpty())
            Q_EMIT statusMessage(tr("Exported %1 to %2")
                                     .arg(transfersText(outcome->rows),
                                          QDir::toNativeSeparators(path)));
        else
            Q_EMIT statusMessage(tr("Export to %1 failed: %2")
                                     .arg(QDir::toNativeSeparators(path), outcome->error));
        Q_EMIT exportFinished(path, outcome->error.isEmpty() ? outcome->rows : 0,
                              outcome->error);
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    setExporting(thread);
    Q_EMIT statusMessage(tr("Exporting to %1…").arg(QDir::toNativeSeparators(path)));
    thread->start();
}

void HistoryPage::setExporting(QThread *thread)
{
    m_exportThread = thread;
    updateActions();
}

void HistoryPage::updateActions()
{
    const bool selected = m_view->selectionModel()->hasSelection();
    m_copyAction->setEnabled(selected);
    m_exportSelectionAction->setEnabled(selected && !isExporting());
    m_exportAllAction->setEnabled(!isExporting());
}

void HistoryPage::loadPartners()
{
    if (m_partnerThread)
        return; // already reading
    auto partners = std::make_shared<QList<TransferFilterBar::PartnerChoice>>();
    Storage *storage = &m_storage;
    QThread *thread = QThread::create([storage, partners] {
        for (const Partner &partner : PartnerRepository::readAll(storage->reader()))
            partners->append({partner.name, partner.dpid});
        storage->releaseReader();
    });
    connect(thread, &QThread::finished, this, [this, partners] {
        m_filterBar->setPartners(*partners);
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_partnerThread = thread;
    thread->start();
}

void HistoryPage::restoreSettings()
{
    const AppSettings settings;
    m_restoring = true;
    QHeaderView *header = m_view->horizontalHeader();
    header->restoreState(settings.historyHeaderState());
    const QString preset = settings.historyTimeRange();
    TimeRange range = TimeRange::LastHour;
    for (const RangePreset &candidate : kPresets) {
        if (preset == QLatin1StringView(candidate.id))
            range = candidate.range;
    }
    if (range == TimeRange::Custom) {
        const qint64 fromMs = settings.historyCustomFromMs();
        const qint64 untilMs = settings.historyCustomUntilMs();
        const QDateTime now = QDateTime::currentDateTime();
        m_fromEdit->setDateTime(fromMs > 0 ? QDateTime::fromMSecsSinceEpoch(fromMs)
                                           : now.addSecs(-3600));
        m_untilEdit->setDateTime(untilMs > 0 ? QDateTime::fromMSecsSinceEpoch(untilMs) : now);
    }
    setTimeRange(range);
    onTimeRangeChanged(); // the edits' state, even when the index did not change
    m_restoring = false;
    // Clicking the time header flips the order and queries again (TransferHistoryModel::sort).
    m_view->setSortingEnabled(true);
}

void HistoryPage::saveSettings() const
{
    AppSettings settings;
    settings.setHistoryHeaderState(m_view->horizontalHeader()->saveState());
    const TimeRange range = timeRange();
    for (const RangePreset &preset : kPresets) {
        if (preset.range == range)
            settings.setHistoryTimeRange(QString::fromLatin1(preset.id));
    }
    if (range == TimeRange::Custom)
        settings.setHistoryCustomRange(m_fromEdit->dateTime().toMSecsSinceEpoch(),
                                       m_untilEdit->dateTime().toMSecsSinceEpoch());
}

} // namespace Dcs
