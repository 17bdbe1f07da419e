#include "segmentpreviewpanel.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QLocale>
#include <QProgressBar>
#include <QStyle>
#include <QToolButton>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace Dcs {

namespace {

QString number(qint64 value)
{
    return QLocale().toString(value);
}

// A round top for the y axis at or above `value`: 1, 2 or 5 × 10^n.
double niceTop(double value)
{
    if (value <= 4)
        return 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= value)
            return step * magnitude;
    }
    return 10 * magnitude;
}

} // namespace

SegmentPreviewPanel::SegmentPreviewPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("segmentPreviewPanel"));
    auto *title = new QLabel(tr("<b>Preview</b>"));
    title->setToolTip(tr("What the draft would do if saved now, on every stored visitor"));

    m_holders = new QLabel;
    m_holders->setObjectName(QStringLiteral("previewHolders"));
    QFont big = m_holders->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    big.setBold(true);
    m_holders->setFont(big);
    m_holders->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_holders->setToolTip(tr("Visitors the draft holds for now"));

    m_changes = new QLabel;
    m_changes->setObjectName(QStringLiteral("previewChanges"));
    m_changes->setWordWrap(true);
    m_changes->setTextFormat(Qt::PlainText);
    m_changes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_changes->setToolTip(tr("Against the saved version, evaluated on the same visitors at the "
                             "same instant"));

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("previewStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setForegroundRole(QPalette::PlaceholderText);

    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("previewProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(8);
    m_progress->setAccessibleName(tr("Preview progress"));
    m_cancel = new QToolButton;
    m_cancel->setObjectName(QStringLiteral("cancelPreviewButton"));
    m_cancel->setIcon(style()->standardIcon(QStyle::SP_BrowserStop));
    m_cancel->setAutoRaise(true);
    m_cancel->setAccessibleName(tr("Cancel the preview"));
    m_cancel->setToolTip(tr("Stop counting"));
    connect(m_cancel, &QToolButton::clicked, this, &SegmentPreviewPanel::cancelRequested);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancel);

    m_series = new QLineSeries;
    m_series->setObjectName(QStringLiteral("populationSeries"));
    m_series->setName(tr("Holders at the end of the day"));
    m_series->setPointsVisible(true);
    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setTitle(tr("Population, last %1 days").arg(kHistoryDays));
    m_chart->legend()->hide();
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->setBackgroundRoundness(0);
    m_chart->addSeries(m_series);
    m_x = new QDateTimeAxis;
    m_x->setFormat(QStringLiteral("d MMM"));
    m_x->setTickCount(4);
    m_x->setTruncateLabels(false);
    m_y = new QValueAxis;
    m_y->setLabelFormat(QStringLiteral("%d"));
    m_y->setRange(0, 4);
    m_y->setTickCount(5);
    m_y->setMinorTickCount(0);
    m_y->setTruncateLabels(false);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_series->attachAxis(m_x);
    m_series->attachAxis(m_y);
    m_chartView = new QChartView(m_chart);
    m_chartView->setObjectName(QStringLiteral("populationChart"));
    m_chartView->setAccessibleName(tr("Population of the segment over the last %1 days")
                                       .arg(kHistoryDays));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumSize(220, 170);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(m_holders);
    layout->addWidget(m_changes);
    layout->addLayout(progressRow);
    layout->addWidget(m_status);
    layout->addWidget(m_chartView, 1);

    applyTheme();
    showMessage(tr("No segment selected"));
    clearHistory(tr("No segment selected"));
}

void SegmentPreviewPanel::showPending()
{
    m_status->setText(tr("Counting shortly…"));
}

void SegmentPreviewPanel::showRunning()
{
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    m_status->setText(tr("Counting…"));
}

void SegmentPreviewPanel::setProgress(double fraction)
{
    m_progress->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
}

void SegmentPreviewPanel::showResult(const SegmentPreviewResult &result)
{
    m_progress->hide();
    m_cancel->hide();
    switch (result.status) {
    case SegmentPreviewResult::Status::Done:
        break;
    case SegmentPreviewResult::Status::Cancelled:
        showMessage(tr("Preview cancelled"));
        return;
    case SegmentPreviewResult::Status::InvalidRule:
        showInvalid(result.diagnostic);
        return;
    case SegmentPreviewResult::Status::Failed:
        showMessage(tr("Preview failed: %1").arg(result.error));
        return;
    }
    m_holders->setText(tr("%1 visitors").arg(number(result.holders)));
    m_holders->setAccessibleName(tr("%1 visitors hold the draft now").arg(result.holders));
    if (result.compared) {
        m_changes->setText(tr("+%1 join · −%2 leave\nagainst the saved version, which %3 hold")
                               .arg(number(result.joins), number(result.leaves),
                                    number(result.savedHolders)));
    } else if (!result.savedDiagnostic.text.isEmpty()) {
        m_changes->setText(tr("Not compared with the saved version: %1")
                               .arg(result.savedDiagnostic.message()));
    } else {
        m_changes->setText(tr("+%1 join: the segment is not saved yet")
                               .arg(number(result.joins)));
    }
    m_status->setText(tr("Hold the draft now, of %1 visitors with traits")
                          .arg(number(result.visitorsScanned)));
}

void SegmentPreviewPanel::showInvalid(const RuleDiagnostic &diagnostic)
{
    m_progress->hide();
    m_cancel->hide();
    m_holders->setText(tr("—"));
    m_changes->clear();
    m_status->setText(tr("Fix the rule to see the preview: %1").arg(diagnostic.message()));
}

void SegmentPreviewPanel::showMessage(const QString &message)
{
    m_progress->hide();
    m_cancel->hide();
    m_holders->setText(tr("—"));
    m_changes->clear();
    m_status->setText(message);
}

QList<qint64> SegmentPreviewPanel::populationByDay(qint64 populationNow,
                                                   const QList<SegmentDayChanges> &days)
{
    QList<qint64> population(days.size(), 0);
    qint64 atEnd = populationNow;
    for (qsizetype i = days.size() - 1; i >= 0; --i) {
        population[i] = std::max<qint64>(0, atEnd);
        atEnd = atEnd - days.at(i).adds + days.at(i).drops;
    }
    return population;
}

void SegmentPreviewPanel::setHistory(qint64 populationNow, const QList<SegmentDayChanges> &days)
{
    const QList<qint64> population = populationByDay(populationNow, days);
    QList<QPointF> points;
    qint64 highest = 0;
    for (qsizetype i = 0; i < days.size(); ++i) {
        // Plotted at noon UTC of each day, between its ticks.
        points.append(QPointF(qreal(days.at(i).dayStartMs + MsPerDay / 2),
                              qreal(population.at(i))));
        highest = std::max(highest, population.at(i));
    }
    m_series->replace(points);
    if (!days.isEmpty()) {
        m_x->setRange(QDateTime::fromMSecsSinceEpoch(days.first().dayStartMs, Qt::UTC),
                      QDateTime::fromMSecsSinceEpoch(days.last().dayStartMs + MsPerDay,
                                                     Qt::UTC));
    }
    const double top = niceTop(double(highest));
    m_y->setRange(0, top);
    // Round steps: fifths of 1 and 5 × 10^n, quarters of 2 × 10^n and of the floor of 4.
    const double leading = top / std::pow(10.0, std::floor(std::log10(top)));
    m_y->setTickCount(std::lround(leading) == 2 || top <= 4 ? 5 : 6);
    m_chart->setTitle(tr("Population, last %1 days").arg(kHistoryDays));
    m_chartView->setAccessibleDescription(
        tr("%1 visitors now; %2 at most over the last %3 days")
            .arg(number(populationNow), number(highest))
            .arg(kHistoryDays));
}

void SegmentPreviewPanel::clearHistory(const QString &why)
{
    m_series->clear();
    m_y->setRange(0, 4);
    m_y->setTickCount(5);
    const qint64 today = QDateTime::currentMSecsSinceEpoch() / MsPerDay * MsPerDay;
    m_x->setRange(
        QDateTime::fromMSecsSinceEpoch(today - (kHistoryDays - 1) * MsPerDay, Qt::UTC),
        QDateTime::fromMSecsSinceEpoch(today + MsPerDay, Qt::UTC));
    m_chart->setTitle(tr("Population, last %1 days: %2").arg(kHistoryDays).arg(why));
    m_chartView->setAccessibleDescription(why);
}

void SegmentPreviewPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_styling)
        applyTheme();
}

void SegmentPreviewPanel::applyTheme()
{
    m_styling = true;
    const QPalette colours = palette();
    // Qt 6.4 has no colour scheme hint: a dark window background means a dark theme.
    const bool dark = colours.color(QPalette::Window).lightness() < 128;
    const QColor text = colours.color(QPalette::WindowText);
    QColor grid = colours.color(QPalette::Mid);
    grid.setAlpha(110);
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->setBackgroundBrush(colours.brush(QPalette::Base));
    m_chart->setBackgroundPen(QPen(colours.color(QPalette::Mid), 1));
    m_chart->setBackgroundRoundness(0);
    m_chart->setTitleBrush(text);
    QFont titleFont = font();
    titleFont.setBold(true);
    m_chart->setTitleFont(titleFont);
    QFont labelFont = font();
    labelFont.setPointSizeF(std::max(7.0, font().pointSizeF() * 0.85));
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_x),
                                static_cast<QAbstractAxis *>(m_y)}) {
        axis->setLabelsBrush(text);
        axis->setLabelsFont(labelFont);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(colours.color(QPalette::Mid));
    }
    QPen pen(colours.color(QPalette::Highlight));
    pen.setWidthF(2);
    m_series->setPen(pen);
    m_series->setColor(colours.color(QPalette::Highlight));
    m_styling = false;
}

} // namespace Dcs
