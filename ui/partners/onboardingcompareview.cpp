#include "onboardingcompareview.h"

#include "elidemiddledelegate.h"
#include "onboardingchangesmodel.h"
#include "onboardingchecksmodel.h"
#include "onboardinghistorymodel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QEvent>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

namespace Dcs {

namespace {

constexpr int kTimingRows = 4;
constexpr int kMaxBins = 10;

// Latencies in ms of the calls that were made and ended with a time of their own.
QList<double> latenciesOf(const OnboardingReport &report)
{
    QList<double> values;
    for (const TransferRecord &call : report.calls) {
        if (!transferOutcomeNotCalled(call.outcome) && call.totalUs > 0)
            values.append(call.totalUs / 1000.0);
    }
    return values;
}

// A bin width of 1, 2 or 5 times a power of ten that covers `maxMs` in at most kMaxBins bins.
double binWidthFor(double maxMs)
{
    if (maxMs <= 0)
        return 1;
    const double raw = maxMs / kMaxBins;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * power >= raw)
            return step * power;
    }
    return 10 * power;
}

QString numberText(double value)
{
    return QString::number(value, 'g', 4);
}

QString signedText(double delta, const QString &unit)
{
    if (std::abs(delta) < 0.05)
        return OnboardingCompareView::tr("no change");
    const QString sign = delta > 0 ? QStringLiteral("+") : QStringLiteral("−");
    return OnboardingCompareView::tr("%1%2 %3")
        .arg(sign)
        .arg(std::abs(delta), 0, 'f', 1)
        .arg(unit);
}

QTableView *makeTable(const QString &objectName, const QString &accessibleName)
{
    auto *view = new QTableView;
    view->setObjectName(objectName);
    view->setAccessibleName(accessibleName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    return view;
}

QString runName(const OnboardingReport &report)
{
    return OnboardingCompareView::tr("run %1 (%2)")
        .arg(report.runId)
        .arg(QDateTime::fromMSecsSinceEpoch(report.startedMs).toString(
            QStringLiteral("yyyy-MM-dd HH:mm:ss")));
}

} // namespace

OnboardingCompareView::OnboardingCompareView(QWidget *parent)
    : QWidget(parent)
{
    m_headline = new QLabel(tr("Select two runs in the history and choose Compare."));
    m_headline->setObjectName(QStringLiteral("compareHeadline"));
    m_headline->setWordWrap(true);
    m_headline->setTextFormat(Qt::RichText);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // The answers that changed.
    m_changes = new OnboardingChangesModel(this);
    m_changesView = makeTable(QStringLiteral("changedAnswersView"), tr("Answers that changed"));
    m_changesView->setModel(m_changes);
    m_changesView->setItemDelegateForColumn(OnboardingChangesModel::Visitor,
                                            new ElideMiddleDelegate(m_changesView));
    m_changesView->setToolTip(tr("The visitors whose answer differs between the two runs "
                                 "(the runs call the same generated visitors)"));
    auto *changesPane = new QWidget;
    auto *changesLayout = new QVBoxLayout(changesPane);
    changesLayout->setContentsMargins(0, 0, 0, 0);
    changesLayout->addWidget(new QLabel(tr("Answers that changed")));
    changesLayout->addWidget(m_changesView);

    // Timings side by side, and their distributions.
    auto *timingPane = new QWidget;
    auto *timingLayout = new QVBoxLayout(timingPane);
    timingLayout->setContentsMargins(0, 0, 0, 0);
    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(16);
    m_timingHeader[0] = new QLabel(tr("Before"));
    m_timingHeader[1] = new QLabel(tr("After"));
    grid->addWidget(m_timingHeader[0], 0, 1, Qt::AlignRight);
    grid->addWidget(m_timingHeader[1], 0, 2, Qt::AlignRight);
    grid->addWidget(new QLabel(tr("Change")), 0, 3, Qt::AlignRight);
    const QString rowNames[kTimingRows] = {tr("p50"), tr("p95"), tr("p99"), tr("Error rate")};
    for (int row = 0; row < kTimingRows; ++row) {
        grid->addWidget(new QLabel(rowNames[row]), row + 1, 0);
        for (int column = 0; column < 3; ++column) {
            m_timing[row][column] = new QLabel(tr("—"));
            m_timing[row][column]->setObjectName(
                QStringLiteral("timing%1_%2").arg(row).arg(column));
            m_timing[row][column]->setTextInteractionFlags(Qt::TextSelectableByMouse);
            grid->addWidget(m_timing[row][column], row + 1, column + 1, Qt::AlignRight);
        }
    }
    grid->setColumnStretch(4, 1);
    timingLayout->addLayout(grid);

    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_series = new QBarSeries;
    m_chart->addSeries(m_series);
    m_binAxis = new QBarCategoryAxis;
    m_binAxis->setTitleText(tr("latency, ms"));
    m_shareAxis = new QValueAxis;
    m_shareAxis->setTitleText(tr("% of calls"));
    m_shareAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_chart->addAxis(m_binAxis, Qt::AlignBottom);
    m_chart->addAxis(m_shareAxis, Qt::AlignLeft);
    m_series->attachAxis(m_binAxis);
    m_series->attachAxis(m_shareAxis);
    m_chartView = new QChartView(m_chart);
    m_chartView->setObjectName(QStringLiteral("latencyHistogram"));
    m_chartView->setAccessibleName(tr("Latency distributions of the two runs"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(200);
    timingLayout->addWidget(m_chartView, 1);

    // Each check before and after.
    m_checks = new OnboardingChecksModel(this);
    m_checks->setComparison({}, {});
    m_checksView = makeTable(QStringLiteral("comparedChecksView"), tr("Checks before and after"));
    m_checksView->setModel(m_checks);
    m_checksView->setToolTip(tr("Results that changed are in bold; hover a result for its "
                                "reason"));

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("compareSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(changesPane);
    m_splitter->addWidget(timingPane);
    m_splitter->addWidget(m_checksView);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_headline);
    layout->addWidget(m_splitter, 1);
    layout->addStretch(0);
    updateChartTheme();
    clear();
}

void OnboardingCompareView::clear()
{
    m_has = false;
    m_comparison = {};
    m_headline->setText(tr("Select two runs in the history and choose Compare."));
    m_changes->clear();
    m_checks->setComparison({}, {});
    for (auto &row : m_timing) {
        for (QLabel *label : row)
            label->setText(tr("—"));
    }
    m_series->clear();
    m_binAxis->clear();
    m_histogram[0].clear();
    m_histogram[1].clear();
    m_splitter->hide();
}

void OnboardingCompareView::setRuns(const OnboardingReport &before, const OnboardingReport &after)
{
    m_has = true;
    m_comparison = OnboardingComparison::compare(before, after);
    m_beforeName = runName(before);
    m_afterName = runName(after);
    const qsizetype changed = m_comparison.changedAnswers.size();
    m_headline->setText(tr("<b>%1</b> (%2) → <b>%3</b> (%4): %5, %6 the same")
                            .arg(m_beforeName.toHtmlEscaped(),
                                 OnboardingHistoryModel::verdict(before),
                                 m_afterName.toHtmlEscaped(),
                                 OnboardingHistoryModel::verdict(after),
                                 changed == 1 ? tr("1 answer changed")
                                              : tr("%1 answers changed").arg(changed))
                            .arg(m_comparison.sameAnswers));
    m_changes->setChanges(m_comparison.changedAnswers);
    m_checks->setComparison(m_comparison.checksBefore, m_comparison.checksAfter);
    m_timingHeader[0]->setText(tr("Run %1").arg(before.runId));
    m_timingHeader[1]->setText(tr("Run %1").arg(after.runId));

    const double values[kTimingRows][2] = {
        {m_comparison.p50Before, m_comparison.p50After},
        {m_comparison.p95Before, m_comparison.p95After},
        {m_comparison.p99Before, m_comparison.p99After},
        {m_comparison.errorRateBefore * 100, m_comparison.errorRateAfter * 100}};
    for (int row = 0; row < kTimingRows; ++row) {
        const bool rate = row == kTimingRows - 1;
        for (int column = 0; column < 2; ++column)
            m_timing[row][column]->setText(rate ? tr("%1%").arg(values[row][column], 0, 'f', 1)
                                                : tr("%1 ms").arg(values[row][column], 0, 'f', 1));
        m_timing[row][2]->setText(
            signedText(values[row][1] - values[row][0], rate ? tr("points") : tr("ms")));
    }
    updateHistogram(before, after);
    m_splitter->show();
    m_checksView->resizeColumnToContents(OnboardingChecksModel::ComparedCheck);
}

void OnboardingCompareView::updateHistogram(const OnboardingReport &before,
                                            const OnboardingReport &after)
{
    const QList<double> latencies[2] = {latenciesOf(before), latenciesOf(after)};
    double maxMs = 0;
    for (const QList<double> &values : latencies) {
        for (double value : values)
            maxMs = qMax(maxMs, value);
    }
    const double width = binWidthFor(maxMs);
    const int bins = qBound(1, int(std::floor(maxMs / width)) + 1, kMaxBins + 1);
    // Each bin by its lower edge: short labels that fit a narrow chart.
    QStringList categories;
    for (int bin = 0; bin < bins; ++bin)
        categories.append(numberText(bin * width));
    m_binAxis->setTitleText(tr("latency, ms (bins of %1 ms)").arg(numberText(width)));

    m_series->clear();
    double highest = 0;
    const QString names[2] = {tr("Run %1").arg(before.runId), tr("Run %1").arg(after.runId)};
    for (int run = 0; run < 2; ++run) {
        QList<double> shares(bins, 0.0);
        for (double value : latencies[run])
            shares[qMin(bins - 1, int(value / width))] += 1;
        for (double &share : shares) {
            share = latencies[run].isEmpty() ? 0 : 100.0 * share / double(latencies[run].size());
            highest = qMax(highest, share);
        }
        m_histogram[run] = shares;
        auto *set = new QBarSet(names[run]);
        set->append(shares);
        m_series->append(set);
    }
    m_binAxis->clear();
    m_binAxis->append(categories);
    m_shareAxis->setRange(0, highest > 0 ? highest : 100);
    m_shareAxis->applyNiceNumbers();
    m_chartView->setAccessibleDescription(
        tr("Share of calls per latency bin (ms), %1 and %2: %3")
            .arg(names[0], names[1], categories.join(QStringLiteral(", "))));
}

QString OnboardingCompareView::text() const
{
    if (!m_has)
        return {};
    QString text = tr("Comparison of %1 with %2\n").arg(m_beforeName, m_afterName);
    text += m_comparison.toText();
    text += tr("Checks (before -> after):\n");
    for (int row = 0; row < m_checks->rowCount(); ++row) {
        const auto cell = [this, row](int column) {
            return m_checks->index(row, column).data().toString();
        };
        text += QStringLiteral("  %1: %2 -> %3\n")
                    .arg(cell(OnboardingChecksModel::ComparedCheck),
                         cell(OnboardingChecksModel::Before), cell(OnboardingChecksModel::After));
    }
    return text;
}

void OnboardingCompareView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        updateChartTheme();
    QWidget::changeEvent(event);
}

void OnboardingCompareView::updateChartTheme()
{
    // Qt 6.4 has no colour scheme hint: the palette says whether the desktop is dark.
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->setBackgroundBrush(palette().brush(QPalette::Base));
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->setLabelColor(palette().color(QPalette::Text));
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_binAxis),
                                static_cast<QAbstractAxis *>(m_shareAxis)}) {
        axis->setLabelsColor(palette().color(QPalette::Text));
        axis->setTitleBrush(palette().brush(QPalette::Text));
    }
}

} // namespace Dcs
