#include "monitor/timeseries.h"

#include <QTest>

using namespace Dcs;

namespace {

using Metric = MonitorSeries::Metric;
using Window = MonitorSeries::Window;

constexpr qint64 kStartMs = 1'763'820'000'000; // a multiple of 10 s

bool near(double reported, double expected)
{
    return qAbs(reported - expected) <= expected / 64.0 + 1e-3;
}

QList<double> xs(const QList<QPointF> &points)
{
    QList<double> values;
    for (const QPointF &point : points)
        values.append(point.x());
    return values;
}

QList<double> ys(const QList<QPointF> &points)
{
    QList<double> values;
    for (const QPointF &point : points)
        values.append(point.y());
    return values;
}

} // namespace

// The charts' series: points close with their period, at three resolutions, in fixed counts.
class tst_TimeSeries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resolutions()
    {
        QCOMPARE(MonitorSeries::periodSeconds(Window::Last5Minutes), 1);
        QCOMPARE(MonitorSeries::periodSeconds(Window::Last30Minutes), 5);
        QCOMPARE(MonitorSeries::periodSeconds(Window::Last60Minutes), 10);
        QCOMPARE(MonitorSeries::pointCount(Window::Last5Minutes), 300);
        QCOMPARE(MonitorSeries::pointCount(Window::Last30Minutes), 360);
        QCOMPARE(MonitorSeries::pointCount(Window::Last60Minutes), 360);
    }

    void secondPointsAppearWhenTheSecondIsOver()
    {
        MonitorSeries series;
        QVERIFY(series.points(Metric::EventsPerSecond, Window::Last5Minutes, kStartMs).isEmpty());
        for (int i = 0; i < 4; ++i)
            series.recordEvent(1000, kStartMs + 100 + i);
        series.recordEvent(1000, kStartMs + 1200);
        QList<QPointF> points = series.points(Metric::EventsPerSecond, Window::Last5Minutes,
                                              kStartMs + 1999);
        QCOMPARE(points, (QList<QPointF>{{double(kStartMs), 4.0}}));
        points = series.points(Metric::EventsPerSecond, Window::Last5Minutes, kStartMs + 2000);
        QCOMPARE(points, (QList<QPointF>{{double(kStartMs), 4.0}, {kStartMs + 1000.0, 1.0}}));
        // Idle seconds are zeros, up to the last complete one.
        points = series.points(Metric::EventsPerSecond, Window::Last5Minutes, kStartMs + 5500);
        QCOMPARE(ys(points), (QList<double>{4, 1, 0, 0, 0}));
        QCOMPARE(xs(points).last(), kStartMs + 4000.0);
    }

    void latencyPercentilesPerPoint()
    {
        MonitorSeries series;
        // Second 0: 1..100 ms; second 1: nothing; second 2: 100 events at 3 ms.
        for (int ms = 1; ms <= 100; ++ms)
            series.recordEvent(ms * 1000, kStartMs + ms);
        for (int i = 0; i < 100; ++i)
            series.recordEvent(3000, kStartMs + 2000 + i);
        const QList<QPointF> p50 = series.points(Metric::EventLatencyP50Ms,
                                                 Window::Last5Minutes, kStartMs + 3000);
        const QList<QPointF> p99 = series.points(Metric::EventLatencyP99Ms,
                                                 Window::Last5Minutes, kStartMs + 3000);
        // No point for the second without events.
        QCOMPARE(xs(p50), (QList<double>{double(kStartMs), kStartMs + 2000.0}));
        QVERIFY(near(p50.at(0).y(), 50));
        QVERIFY(near(p99.at(0).y(), 99));
        QVERIFY(near(p50.at(1).y(), 3));
        QVERIFY(near(p99.at(1).y(), 3));

        // The 10 s point merges both seconds' histograms: of the 200 events, ranks 4 to 103 are
        // 3 ms (p50: rank 100) and rank 198 is 98 ms (p99).
        const QList<QPointF> coarseP50 = series.points(Metric::EventLatencyP50Ms,
                                                       Window::Last60Minutes, kStartMs + 10'000);
        const QList<QPointF> coarseP99 = series.points(Metric::EventLatencyP99Ms,
                                                       Window::Last60Minutes, kStartMs + 10'000);
        QCOMPARE(coarseP50.size(), 1);
        QVERIFY(near(coarseP50.at(0).y(), 3));
        QVERIFY(near(coarseP99.at(0).y(), 98));
        QCOMPARE(series.points(Metric::EventsPerSecond, Window::Last60Minutes, kStartMs + 10'000),
                 (QList<QPointF>{{double(kStartMs), 20.0}}));
    }

    void coarsePointsRollOverAtTheirPeriods()
    {
        MonitorSeries series;
        series.points(Metric::EventsPerSecond, Window::Last5Minutes, kStartMs); // starts the clock
        // i events in second i, for 25 seconds.
        for (int second = 0; second < 25; ++second) {
            for (int i = 0; i < second; ++i)
                series.recordEvent(500, kStartMs + second * 1000 + i);
        }
        const qint64 nowMs = kStartMs + 25'000; // seconds 0..24 are over
        QList<QPointF> fiveSeconds = series.points(Metric::EventsPerSecond,
                                                   Window::Last30Minutes, nowMs);
        // Mean of 0..4, 5..9, ...: 2, 7, 12, 17, 22.
        QCOMPARE(ys(fiveSeconds), (QList<double>{2, 7, 12, 17, 22}));
        QCOMPARE(xs(fiveSeconds), (QList<double>{double(kStartMs), kStartMs + 5000.0,
                                                 kStartMs + 10'000.0, kStartMs + 15'000.0,
                                                 kStartMs + 20'000.0}));
        QList<QPointF> tenSeconds = series.points(Metric::EventsPerSecond,
                                                  Window::Last60Minutes, nowMs);
        QCOMPARE(ys(tenSeconds), (QList<double>{4.5, 14.5})); // 20..29 not over yet
        tenSeconds = series.points(Metric::EventsPerSecond, Window::Last60Minutes,
                                   kStartMs + 30'000);
        QCOMPARE(ys(tenSeconds), (QList<double>{4.5, 14.5, (20 + 21 + 22 + 23 + 24) / 10.0}));
    }

    void aPartialFirstPeriodDividesByItsSeconds()
    {
        MonitorSeries series;
        // Starts in second 7 of a 10 s period: 3 seconds covered, 6 events each.
        for (int second = 7; second < 10; ++second) {
            for (int i = 0; i < 6; ++i)
                series.recordEvent(500, kStartMs + second * 1000 + i);
        }
        QCOMPARE(series.points(Metric::EventsPerSecond, Window::Last60Minutes, kStartMs + 10'000),
                 (QList<QPointF>{{double(kStartMs), 6.0}}));
        QCOMPARE(ys(series.points(Metric::EventsPerSecond, Window::Last30Minutes,
                                  kStartMs + 10'000)),
                 (QList<double>{6.0}));
    }

    void pointCountsStayFixed()
    {
        MonitorSeries series;
        // Two hours of one event per second.
        for (qint64 second = 0; second < 7200; ++second)
            series.recordEvent(2000, kStartMs + second * 1000);
        const qint64 nowMs = kStartMs + 7200 * 1000;
        for (Window window : {Window::Last5Minutes, Window::Last30Minutes, Window::Last60Minutes}) {
            const QList<QPointF> points = series.points(Metric::EventsPerSecond, window, nowMs);
            QCOMPARE(points.size(), MonitorSeries::pointCount(window));
            const double periodMs = MonitorSeries::periodSeconds(window) * 1000.0;
            // Contiguous, the newest being the last complete period.
            QCOMPARE(points.last().x(), double(nowMs) - periodMs);
            QCOMPARE(points.last().x() - points.first().x(),
                     periodMs * (MonitorSeries::pointCount(window) - 1));
            for (const QPointF &point : points)
                QCOMPARE(point.y(), 1.0);
            QCOMPARE(series.points(Metric::EventLatencyP99Ms, window, nowMs).size(),
                     MonitorSeries::pointCount(window));
        }
    }

    void transfersByOutcomeAndPartnerP99()
    {
        MonitorSeries series;
        // Second 0: partner 1 answers 10 times in 20 ms and once in 90 ms; partner 2 times out
        // twice and is skipped 4 times.
        for (int i = 0; i < 10; ++i)
            series.recordTransfer(1, TransferOutcome::Ok, 20'000, kStartMs + i);
        series.recordTransfer(1, TransferOutcome::Empty, 90'000, kStartMs + 20);
        series.recordTransfer(2, TransferOutcome::Timeout, 100'000, kStartMs + 30);
        series.recordTransfer(2, TransferOutcome::Timeout, 100'000, kStartMs + 31);
        for (int i = 0; i < 4; ++i)
            series.recordTransfer(2, TransferOutcome::Skipped, 0, kStartMs + 40);
        // Second 1: only skips for partner 2.
        series.recordTransfer(2, TransferOutcome::Skipped, 0, kStartMs + 1500);

        const qint64 nowMs = kStartMs + 2000;
        QCOMPARE(ys(series.outcomePoints(TransferOutcome::Ok, Window::Last5Minutes, nowMs)),
                 (QList<double>{10, 0}));
        QCOMPARE(ys(series.outcomePoints(TransferOutcome::Timeout, Window::Last5Minutes, nowMs)),
                 (QList<double>{2, 0}));
        QCOMPARE(ys(series.outcomePoints(TransferOutcome::Skipped, Window::Last5Minutes, nowMs)),
                 (QList<double>{4, 1}));
        QCOMPARE(ys(series.outcomePoints(TransferOutcome::Late, Window::Last5Minutes, nowMs)),
                 (QList<double>{0, 0}));

        const QList<QPointF> partner1 = series.partnerP99Points(1, Window::Last5Minutes, nowMs);
        QCOMPARE(partner1.size(), 1); // second 1 had no called attempt
        QVERIFY(near(partner1.at(0).y(), 90));
        const QList<QPointF> partner2 = series.partnerP99Points(2, Window::Last5Minutes, nowMs);
        QCOMPARE(partner2.size(), 1);
        QVERIFY(near(partner2.at(0).y(), 100));
        QCOMPARE(series.partnerIds(), (QList<qint64>{1, 2}));

        // The 5 s point: rates over 5 s, p99 over the period.
        const qint64 later = kStartMs + 5000;
        QCOMPARE(ys(series.outcomePoints(TransferOutcome::Skipped, Window::Last30Minutes, later)),
                 (QList<double>{1.0}));
        QVERIFY(near(series.partnerP99Points(1, Window::Last30Minutes, later).at(0).y(), 90));

        series.removePartner(1);
        QVERIFY(series.partnerP99Points(1, Window::Last5Minutes, later).isEmpty());
        QCOMPARE(series.partnerIds(), (QList<qint64>{2}));
    }

    void lateStampsCountInTheOpenSecond()
    {
        MonitorSeries series;
        series.recordEvent(1000, kStartMs + 1500); // the series is at second 1
        series.recordEvent(1000, kStartMs + 900);  // a thread that read the clock earlier
        QCOMPARE(series.points(Metric::EventsPerSecond, Window::Last5Minutes, kStartMs + 2000),
                 (QList<QPointF>{{kStartMs + 1000.0, 2.0}}));
    }

    void longIdleRestartsAndClearEmpties()
    {
        MonitorSeries series;
        series.recordEvent(1000, kStartMs);
        // An idle hour is caught up with zeros.
        QCOMPARE(series.points(Metric::EventsPerSecond, Window::Last60Minutes,
                               kStartMs + 3600 * 1000).size(), 360);
        // Two more idle hours: nothing from before, the new second is open.
        const qint64 laterMs = kStartMs + 3 * 3600 * 1000;
        series.recordEvent(1000, laterMs);
        QVERIFY(series.points(Metric::EventsPerSecond, Window::Last5Minutes, laterMs).isEmpty());
        QCOMPARE(series.points(Metric::EventsPerSecond, Window::Last5Minutes, laterMs + 1000),
                 (QList<QPointF>{{double(laterMs), 1.0}}));
        series.recordTransfer(4, TransferOutcome::Ok, 1000, laterMs + 1000);
        series.clear();
        QVERIFY(series.partnerIds().isEmpty());
        QVERIFY(series.points(Metric::EventsPerSecond, Window::Last5Minutes,
                              laterMs + 100'000).isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_TimeSeries)
#include "tst_timeseries.moc"
