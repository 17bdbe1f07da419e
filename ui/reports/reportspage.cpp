#include "reportspage.h"

#include "views/pagekeys.h"
#include "reporttablemodel.h"

#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "rules/rulesnapshot.h"
#include "storage/storage.h"
#include "views/columnmenu.h"
#include "views/statusicons.h"

#include <QAction>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QMenu>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace Dcs {

namespace {

constexpr int kChartDayChoices[] = {7, 30, 90};
constexpr qreal kLineWidth = 2;

// A label every few days, so that 90 of them never overlap; the last day always has one.
int labelStep(int days)
{
    return days <= 10 ? 1 : days <= 31 ? 5 : 14;
}

// A whole-number step that gives the count axis about five ticks.
qreal countStep(qint64 highest)
{
    const qreal rough = std::max<qreal>(1, qreal(highest) / 5);
    const qreal magnitude = std::pow(10, std::floor(std::log10(rough)));
    for (const qreal factor : {1.0, 2.0, 5.0, 10.0}) {
        if (factor * magnitude >= rough)
            return std::max<qreal>(1, factor * magnitude);
    }
    return std::max<qreal>(1, 10 * magnitude);
}

QString itemName(const ReportRow &row)
{
    return QStringLiteral("%1 %2").arg(row.sid).arg(row.name);
}

} // namespace

ReportsPage::ReportsPage(DcsServer &server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_model(new ReportTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    setObjectName(QStringLiteral("reportsPage"));
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(5000);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ReportTableModel::SortRole);
    m_proxy->setFilterKeyColumn(ReportTableModel::Name);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    buildActions();
    buildLayout();
    restoreSettings();
    applyTheme();
    // Nothing is read before the page is shown: the numbers are as of the moment one looks.
}

ReportsPage::~ReportsPage()
{
    saveSettings();
    m_latestGeneration.store(0); // a refresh in progress stops at its next item
    m_pool.waitForDone();
}

qint64 ReportsPage::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

void ReportsPage::buildActions()
{
    m_refreshAction = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")),
                                  tr("&Refresh"), this);
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_refreshAction->setToolTip(tr("Compute every number again as of now (%1)")
                                    .arg(m_refreshAction->shortcut().toString(
                                        QKeySequence::NativeText)));
    connect(m_refreshAction, &QAction::triggered, this, &ReportsPage::refresh);

    m_exportAction = new QAction(QIcon::fromTheme(QStringLiteral("document-export")),
                                 tr("&Export CSV…"), this);
    m_exportAction->setObjectName(QStringLiteral("exportReportsAction"));
    m_exportAction->setToolTip(tr("Write the table, as sorted and filtered, to a CSV file"));
    m_exportAction->setEnabled(false);
    connect(m_exportAction, &QAction::triggered, this, &ReportsPage::askAndExport);

    m_findAction = new QAction(tr("&Find"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_findAction, &QAction::triggered, this, [this] {
        m_findEdit->setFocus(Qt::ShortcutFocusReason);
        m_findEdit->selectAll();
    });
    for (QAction *action : {m_refreshAction, m_findAction})
        addAction(action);
}

void ReportsPage::buildLayout()
{
    m_findEdit = new QLineEdit;
    m_findEdit->setObjectName(QStringLiteral("reportsFind"));
    m_findEdit->setAccessibleName(tr("Find a trait or segment"));
    m_findEdit->setPlaceholderText(tr("Find by name"));
    m_findEdit->setClearButtonEnabled(true);
    m_findEdit->setMaximumWidth(320);
    connect(m_findEdit, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("reportsSummary"));
    m_summary->setText(tr("Not computed yet"));

    const auto toolButton = [](QAction *action, const QString &name) {
        auto *button = new QToolButton;
        button->setObjectName(name);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        return button;
    };
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_findEdit, 1);
    bar->addWidget(m_summary, 1);
    bar->addWidget(toolButton(m_refreshAction, QStringLiteral("refreshButton")));
    bar->addWidget(toolButton(m_exportAction, QStringLiteral("exportButton")));

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("reportsTable"));
    m_view->setAccessibleName(tr("Trait and segment reports"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, &ReportsPage::showTableMenu);
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionsMovable(true);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    header->setDefaultAlignment(Qt::AlignCenter);
    // Wide enough for the headers' words and for millions of visitors, and no wider: the 16
    // columns should fit a laptop screen.
    const QFontMetrics metrics = m_view->fontMetrics();
    const int numberWidth = std::max({metrics.horizontalAdvance(QStringLiteral("Visitors")),
                                      metrics.horizontalAdvance(QStringLiteral("Realized")),
                                      metrics.horizontalAdvance(QStringLiteral("9,999,999"))})
                            + 12;
    header->setDefaultSectionSize(numberWidth);
    header->resizeSection(ReportTableModel::Kind,
                          metrics.horizontalAdvance(QStringLiteral("Segment")) + 16);
    header->resizeSection(ReportTableModel::Sid,
                          metrics.horizontalAdvance(QStringLiteral("999999")) + 16);
    header->resizeSection(ReportTableModel::Name, 220);
    connect(header, &QWidget::customContextMenuRequested, this, &ReportsPage::showHeaderMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ReportsPage::loadChart);

    m_daysBox = new QComboBox;
    m_daysBox->setObjectName(QStringLiteral("chartDays"));
    m_daysBox->setAccessibleName(tr("Days charted"));
    m_daysBox->setToolTip(tr("How many UTC days the chart shows, up to today"));
    for (const int days : kChartDayChoices)
        m_daysBox->addItem(tr("Last %1 days").arg(days), days);
    connect(m_daysBox, &QComboBox::currentIndexChanged, this, [this] {
        AppSettings().setReportsChartDays(chartDays());
        loadChart();
    });
    auto *daysLabel = new QLabel(tr("&Chart:"));
    daysLabel->setBuddy(m_daysBox);
    auto *chartBar = new QHBoxLayout;
    chartBar->addWidget(daysLabel);
    chartBar->addWidget(m_daysBox);
    chartBar->addStretch(1);
    auto *chartPanel = new QWidget;
    auto *chartLayout = new QVBoxLayout(chartPanel);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    chartLayout->addLayout(chartBar);
    chartLayout->addWidget(buildChart(), 1);

    m_splitter = new QSplitter(Qt::Vertical);
    m_splitter->setObjectName(QStringLiteral("reportsSplitter"));
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(chartPanel);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_splitter, 1);
}

QWidget *ReportsPage::buildChart()
{
    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    m_chart->setTitle(tr("Select a segment to chart its adds and drops per day"));

    m_adds = new QLineSeries;
    m_adds->setObjectName(QStringLiteral("addsSeries"));
    m_adds->setName(tr("Adds (visitors who joined)"));
    m_adds->setPointsVisible(true);
    m_drops = new QLineSeries;
    m_drops->setObjectName(QStringLiteral("dropsSeries"));
    m_drops->setName(tr("Drops (visitors who left)"));
    m_drops->setPointsVisible(true);
    m_chart->addSeries(m_adds);
    m_chart->addSeries(m_drops);

    // One category per UTC day (the x of day i is i): QDateTimeAxis would label local dates.
    m_dayAxis = new QCategoryAxis;
    m_dayAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_dayAxis->setTruncateLabels(false);
    m_countAxis = new QValueAxis;
    m_countAxis->setLabelFormat(QStringLiteral("%d"));
    m_countAxis->setMinorTickCount(0);
    m_countAxis->setTickType(QValueAxis::TicksDynamic);
    m_countAxis->setTickAnchor(0);
    m_countAxis->setTickInterval(1);
    m_countAxis->setRange(0, 1);
    m_countAxis->setTruncateLabels(false);
    m_chart->addAxis(m_dayAxis, Qt::AlignBottom);
    m_chart->addAxis(m_countAxis, Qt::AlignLeft);
    for (QLineSeries *series : {m_adds, m_drops}) {
        series->attachAxis(m_dayAxis);
        series->attachAxis(m_countAxis);
    }

    m_chartView = new QChartView(m_chart);
    m_chartView->setObjectName(QStringLiteral("reportsChart"));
    m_chartView->setAccessibleName(tr("Adds and drops per day"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumSize(320, 200);
    return m_chartView;
}

void ReportsPage::applyTheme()
{
    m_styling = true;
    const QPalette colours = palette();
    // Qt 6.4 has no colour scheme hint: a dark window background means a dark theme.
    const bool dark = colours.color(QPalette::Window).lightness() < 128;
    const QColor text = colours.color(QPalette::WindowText);
    QColor grid = colours.color(QPalette::Mid);
    grid.setAlpha(110);
    QFont titleFont = font();
    titleFont.setBold(true);
    QFont labelFont = font();
    labelFont.setPointSizeF(std::max(7.0, font().pointSizeF() * 0.9));
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->setBackgroundBrush(colours.brush(QPalette::Base));
    m_chart->setBackgroundPen(QPen(colours.color(QPalette::Mid), 1));
    m_chart->setBackgroundRoundness(0);
    m_chart->setTitleBrush(text);
    m_chart->setTitleFont(titleFont);
    m_chart->legend()->setLabelColor(text);
    m_chart->legend()->setFont(labelFont);
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_dayAxis),
                                static_cast<QAbstractAxis *>(m_countAxis)}) {
        axis->setLabelsBrush(text);
        axis->setLabelsFont(labelFont);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(colours.color(QPalette::Mid));
    }
    // setTheme() resets the series' pens: adds solid, drops dashed, so colour is not the cue.
    const auto pen = [](const QColor &colour, Qt::PenStyle style) {
        QPen made(colour, kLineWidth, style, Qt::RoundCap, Qt::RoundJoin);
        made.setCosmetic(true);
        return made;
    };
    m_adds->setPen(pen(StatusIcons::colour(StatusIcons::Tone::Good), Qt::SolidLine));
    m_drops->setPen(pen(StatusIcons::colour(StatusIcons::Tone::Bad), Qt::DashLine));
    m_styling = false;
}

void ReportsPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (!m_styling && m_chart
        && (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange))
        applyTheme();
}

bool ReportsPage::event(QEvent *event)
{
    // F5 and Ctrl+F are window-wide actions too: on this page they are the page's.
    if (handlePageKeys(event, {{QKeySequence::Refresh, [this] { m_refreshAction->trigger(); }},
                               {QKeySequence::Find, [this] { m_findAction->trigger(); }}}))
        return true;
    return QWidget::event(event);
}

void ReportsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_loading)
        refresh();
}

int ReportsPage::chartDays() const
{
    return m_daysBox->currentData().toInt();
}

void ReportsPage::refresh()
{
    const quint64 generation = ++m_generation;
    m_latestGeneration.store(generation, std::memory_order_release);
    m_loading = true;
    const QString computing = tr(" · computing…");
    if (m_model->rowCount() == 0)
        m_summary->setText(tr("Computing…"));
    else if (!m_summary->text().endsWith(computing))
        m_summary->setText(m_summary->text() + computing);
    Storage *storage = m_server.storage();
    std::shared_ptr<const RulesSnapshot> rules = m_server.rulesEngine()->snapshot();
    const qint64 nowMs = now();
    m_pool.start([this, storage, rules, nowMs, generation] {
        const auto superseded = [this, generation] {
            return m_latestGeneration.load(std::memory_order_acquire) != generation;
        };
        if (superseded())
            return;
        auto rows = std::make_shared<QList<ReportRow>>();
        auto error = std::make_shared<QString>();
        ReportRows::compute(storage->reader(), *rules, nowMs, rows.get(), error.get(),
                            superseded);
        storage->releaseReader(); // pool threads come and go
        QMetaObject::invokeMethod(
            this,
            [this, rows, error, nowMs, generation] {
                if (generation == m_generation)
                    showRows(*rows, nowMs, *error);
            },
            Qt::QueuedConnection);
    });
}

void ReportsPage::showRows(const QList<ReportRow> &rows, qint64 nowMs, const QString &error)
{
    m_loading = false;
    if (!error.isEmpty()) {
        m_summary->setText(tr("The reports could not be computed: %1").arg(error));
        Q_EMIT statusMessage(m_summary->text());
        return;
    }
    const std::optional<ReportRow> current = currentItem();
    m_reportTimeMs = nowMs;
    m_model->setRows(rows);
    qsizetype traits = 0;
    for (const ReportRow &row : rows)
        traits += row.kind == ReportRow::Kind::Trait ? 1 : 0;
    m_summary->setText(tr("%L1 traits and %L2 segments · as of %3")
                           .arg(traits)
                           .arg(rows.size() - traits)
                           .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(nowMs),
                                                   QLocale::ShortFormat)));
    m_exportAction->setEnabled(!rows.isEmpty() && !m_exporting);
    Q_EMIT reportsLoaded();
    // The same item stays selected; the first time, the first segment (it has a chart).
    if (current) {
        selectItem(current->kind, current->sid);
    } else {
        const auto segment = std::find_if(rows.cbegin(), rows.cend(), [](const ReportRow &row) {
            return row.kind == ReportRow::Kind::Segment;
        });
        if (segment != rows.cend())
            selectItem(segment->kind, segment->sid);
    }
    loadChart(); // numbers moved: the chart too, even if the selection did not
}

void ReportsPage::selectItem(ReportRow::Kind kind, qint64 sid)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const ReportRow &item = m_model->rows().at(row);
        if (item.kind != kind || item.sid != sid)
            continue;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        if (!index.isValid())
            return; // filtered out
        if (m_view->currentIndex().row() != index.row())
            m_view->setCurrentIndex(index);
        m_view->scrollTo(index);
        return;
    }
}

std::optional<ReportRow> ReportsPage::currentItem() const
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return std::nullopt;
    return m_model->row(m_proxy->mapToSource(current).row());
}

void ReportsPage::loadChart()
{
    const quint64 generation = ++m_chartGeneration;
    const std::optional<ReportRow> row = currentItem();
    if (!row || row->kind != ReportRow::Kind::Segment || m_reportTimeMs == 0) {
        showChart(row.value_or(ReportRow()), {}, {});
        return;
    }
    Storage *storage = m_server.storage();
    // The table's instant: the chart's last day is the day its numbers are for.
    const qint64 nowMs = m_reportTimeMs;
    const int days = chartDays();
    const ReportRow item = *row;
    m_pool.start([this, storage, item, nowMs, days, generation] {
        auto changes = std::make_shared<QList<SegmentDayChanges>>();
        auto error = std::make_shared<QString>();
        ReportStore::segmentDailyChanges(storage->reader(), item.sid, nowMs, days,
                                         changes.get(), error.get());
        storage->releaseReader();
        QMetaObject::invokeMethod(
            this,
            [this, item, changes, error, generation] {
                if (generation == m_chartGeneration)
                    showChart(item, *changes, *error);
            },
            Qt::QueuedConnection);
    });
}

void ReportsPage::showChart(const ReportRow &row, const QList<SegmentDayChanges> &changes,
                            const QString &error)
{
    m_charted = changes;
    QList<QPointF> adds;
    QList<QPointF> drops;
    qint64 highest = 0;
    qint64 totalAdds = 0;
    qint64 totalDrops = 0;
    for (qsizetype i = 0; i < changes.size(); ++i) {
        adds.append(QPointF(qreal(i), qreal(changes.at(i).adds)));
        drops.append(QPointF(qreal(i), qreal(changes.at(i).drops)));
        highest = std::max({highest, changes.at(i).adds, changes.at(i).drops});
        totalAdds += changes.at(i).adds;
        totalDrops += changes.at(i).drops;
    }
    m_adds->replace(adds);
    m_drops->replace(drops);

    for (const QString &label : m_dayAxis->categoriesLabels())
        m_dayAxis->remove(label);
    const qsizetype days = std::max<qsizetype>(changes.size(), 1);
    m_dayAxis->setStartValue(-0.5);
    const int step = labelStep(int(days));
    QList<qsizetype> labelled;
    for (qsizetype i = changes.size() - 1; i >= 0; i -= step)
        labelled.prepend(i);
    for (const qsizetype i : std::as_const(labelled)) {
        const QDate day = QDateTime::fromMSecsSinceEpoch(changes.at(i).dayStartMs, Qt::UTC)
                              .date();
        m_dayAxis->append(QLocale().toString(day, QStringLiteral("MMM d")), qreal(i));
    }
    m_dayAxis->setRange(-0.5, qreal(days) - 0.5);
    const qreal tick = countStep(highest);
    m_countAxis->setTickInterval(tick);
    m_countAxis->setRange(0, std::max<qreal>(tick, std::ceil(qreal(highest) / tick) * tick));

    QString title;
    QString description;
    if (!error.isEmpty()) {
        title = tr("The adds and drops could not be read: %1").arg(error);
    } else if (row.sid == 0) {
        title = tr("Select a segment to chart its adds and drops per day");
    } else if (row.kind == ReportRow::Kind::Trait) {
        title = tr("Adds and drops are counted for segments: select one to chart it");
    } else {
        title = tr("%1: adds and drops per UTC day").arg(itemName(row));
        description = tr("Over the last %1 days: %2 adds and %3 drops")
                          .arg(changes.size())
                          .arg(totalAdds)
                          .arg(totalDrops);
        if (!changes.isEmpty())
            description += tr("; today %1 adds and %2 drops")
                               .arg(changes.last().adds)
                               .arg(changes.last().drops);
    }
    m_chart->setTitle(title);
    m_chartView->setAccessibleDescription(description.isEmpty() ? title : description);
    m_chartView->setToolTip(description);
    Q_EMIT chartLoaded();
}

QList<ReportRow> ReportsPage::rowsInViewOrder() const
{
    QList<ReportRow> rows;
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        rows.append(m_model->row(m_proxy->mapToSource(m_proxy->index(row, 0)).row()));
    return rows;
}

void ReportsPage::askAndExport()
{
    AppSettings settings;
    QString folder = settings.reportsExportFolder();
    if (folder.isEmpty())
        folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString name = QStringLiteral("reports-%1.csv")
                             .arg(QDateTime::currentDateTime().toString(
                                 QStringLiteral("yyyyMMdd-HHmmss")));
    QString path = QFileDialog::getSaveFileName(this, tr("Export Reports"),
                                                QDir(folder).filePath(name),
                                                tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1StringView(".csv"), Qt::CaseInsensitive))
        path += QStringLiteral(".csv");
    settings.setReportsExportFolder(QFileInfo(path).absolutePath());
    exportCsv(path);
}

bool ReportsPage::exportCsv(const QString &path)
{
    if (m_exporting) {
        Q_EMIT statusMessage(tr("An export is still being written"));
        return false;
    }
    const QList<ReportRow> rows = rowsInViewOrder();
    if (rows.isEmpty()) {
        Q_EMIT statusMessage(tr("Nothing to export: no trait or segment is shown"));
        return false;
    }
    m_exporting = true;
    m_exportAction->setEnabled(false);
    Q_EMIT statusMessage(tr("Exporting to %1…").arg(QDir::toNativeSeparators(path)));
    m_pool.start([this, path, rows] {
        QString error;
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(ReportRows::toCsv(rows)) < 0
            || !file.commit()) {
            error = file.errorString();
            file.cancelWriting();
        }
        QMetaObject::invokeMethod(
            this,
            [this, path, error, count = rows.size()] {
                m_exporting = false;
                m_exportAction->setEnabled(m_model->rowCount() > 0);
                if (error.isEmpty())
                    Q_EMIT statusMessage(tr("Exported %L1 rows to %2")
                                             .arg(count)
                                             .arg(QDir::toNativeSeparators(path)));
                else
                    Q_EMIT statusMessage(tr("Export to %1 failed: %2")
                                             .arg(QDir::toNativeSeparators(path), error));
                Q_EMIT exportFinished(path, error);
            },
            Qt::QueuedConnection);
    });
    return true;
}

void ReportsPage::showTableMenu(const QPoint &position)
{
    QMenu menu(this);
    menu.addAction(m_refreshAction);
    menu.addAction(m_exportAction);
    menu.exec(m_view->viewport()->mapToGlobal(position));
}

void ReportsPage::showHeaderMenu(const QPoint &position)
{
    QHeaderView *header = m_view->horizontalHeader();
    QMenu menu(this);
    addColumnToggles(menu, header, KeptColumn::LastVisible, [this] { saveSettings(); });
    menu.exec(header->mapToGlobal(position));
}

void ReportsPage::restoreSettings()
{
    const AppSettings settings;
    m_splitter->restoreState(settings.reportsViewState(QStringLiteral("splitter")));
    QHeaderView *header = m_view->horizontalHeader();
    if (!header->restoreState(settings.reportsViewState(QStringLiteral("header"))))
        header->setSortIndicator(-1, Qt::AscendingOrder); // traits, then segments, by sid
    m_view->setSortingEnabled(true);
    const int days = settings.reportsChartDays();
    const QSignalBlocker blocker(m_daysBox);
    m_daysBox->setCurrentIndex(std::max(0, m_daysBox->findData(days)));
}

void ReportsPage::saveSettings() const
{
    AppSettings settings;
    settings.setReportsViewState(QStringLiteral("splitter"), m_splitter->saveState());
    settings.setReportsViewState(QStringLiteral("header"),
                                 m_view->horizontalHeader()->saveState());
}

} // namespace Dcs
