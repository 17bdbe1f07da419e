#pragma once

#include "monitor/timeseries.h"

#include <QHash>
#include <QWidget>

#include <array>
#include <functional>

class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLineSeries;
class QTimer;
class QValueAxis;

namespace Dcs {

class MonitorFeed;

// The live monitor's charts over the last 5, 30 or 60 minutes (MonitorSeries' three
// resolutions: a point per 1, 5 or 10 s):
// - events per second;
// - partner attempts per second by outcome group, one line each (OK, empty, timeout or late,
//   errors, not called), so a few errors stay visible beside thousands of OKs — a stacked area
//   would flatten them against the top of the OK band;
// - the visitor's latency at p50 and p99, in ms;
// - each partner's latency at p99, in ms (the first kMaxPartnerSeries partners by id).
// Lines differ by pen style as well as colour and the legend names them, so colour is never
// the only cue; colours follow the palette (dark mode included).
//
// A tick (1 Hz: the finest period is a second) reads each series once and hands it to its
// line with one replace(): at most 360 points a line, no animation. The timer runs while the
// view is active and shown.
class LiveChartsView final : public QWidget
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>; // ms since the epoch
    enum Chart { EventsChart, OutcomesChart, LatencyChart, PartnerLatencyChart, ChartCount };

    static constexpr int kRefreshMs = 1000;
    static constexpr int kMaxPartnerSeries = 8;
    static constexpr int kOutcomeGroupCount = 5;

    explicit LiveChartsView(MonitorFeed &feed, QWidget *parent = nullptr);
    ~LiveChartsView() override;

    // The time base of the series; MonitorFeed::currentTimeMs unless a test sets its own.
    void setClock(Clock clock);
    // Polls while active (the default) and shown; the page turns it off when not needed.
    void setActive(bool active);
    bool isActive() const { return m_active; }
    bool isPolling() const;
    // One tick, now: what the timer does.
    void refresh();

    MonitorSeries::Window timeWindow() const { return m_window; }
    void setTimeWindow(MonitorSeries::Window window);

    QChartView *chartView(Chart chart) const { return m_charts[size_t(chart)].view; }
    QComboBox *windowSelector() const { return m_windowSelector; }

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    struct ChartParts
    {
        QChartView *view = nullptr;
        QChart *chart = nullptr;
        QDateTimeAxis *x = nullptr;
        QValueAxis *y = nullptr;
        double yFloor = 1; // the y axis never shows less than 0 .. yFloor
    };
    struct PartnerLine
    {
        QLineSeries *series = nullptr;
        int style = 0; // index into the partner colours and pen styles
    };

    ChartParts makeChart(const QString &objectName, const QString &title,
                         const QString &accessibleName, double yFloor);
    QLineSeries *addLine(ChartParts &parts, const QString &objectName, const QString &name,
                         const QString &unit);
    void applyTheme();
    void styleLines();
    void updatePartnerLines(qint64 nowMs);
    void updateTimeAxes(qint64 nowMs);
    void updateYAxis(ChartParts &parts);
    void updateDescriptions();

    MonitorFeed &m_feed;
    Clock m_clock;
    MonitorSeries::Window m_window = MonitorSeries::Window::Last5Minutes;
    bool m_active = true;
    QTimer *m_timer = nullptr;
    QComboBox *m_windowSelector = nullptr;
    std::array<ChartParts, ChartCount> m_charts;
    QLineSeries *m_events = nullptr;
    std::array<QLineSeries *, kOutcomeGroupCount> m_outcomes{};
    QLineSeries *m_latencyP50 = nullptr;
    QLineSeries *m_latencyP99 = nullptr;
    QHash<qint64, PartnerLine> m_partners;
    bool m_styling = false; // applyTheme() runs; its own palette changes are not news
};

} // namespace Dcs
