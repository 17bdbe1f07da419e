// The live charts over a real MonitorFeed fed at controlled times: each line gets exactly the
// series' points after a tick, with one replace() and nothing else; the window switch changes
// the point spacing; the axes follow the time and the values; the theme follows the palette.
#include "common/appidentity.h"
#include "common/appsettings.h"
#include "monitor/livechartsview.h"
#include "monitor/monitorfeed.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QValueAxis>

#include <memory>

using namespace Dcs;

namespace {

// A whole minute: 5 s and 10 s periods start on it.
constexpr qint64 kT = 1'700'000'040'000;
static_assert(kT % 60'000 == 0);

TransferRecord attempt(qint64 partnerId, const QString &name, TransferOutcome outcome,
                       qint64 atMs, qint32 totalUs)
{
    TransferRecord record;
    record.partnerId = partnerId;
    record.dpid = 1000 + partnerId;
    record.partnerName = name;
    record.outcome = outcome;
    record.totalUs = totalUs;
    record.startMs = atMs - totalUs / 1000;
    return record;
}

QXYSeries *lineNamed(QChartView *view, const QString &objectName)
{
    for (QAbstractSeries *series : view->chart()->series()) {
        if (series->objectName() == objectName)
            return qobject_cast<QXYSeries *>(series);
    }
    return nullptr;
}

QList<qreal> xs(const QList<QPointF> &points)
{
    QList<qreal> out;
    for (const QPointF &point : points)
        out.append(point.x());
    return out;
}

QList<qreal> ys(const QList<QPointF> &points)
{
    QList<qreal> out;
    for (const QPointF &point : points)
        out.append(point.y());
    return out;
}

} // namespace

class tst_LiveCharts : public QObject
{
    Q_OBJECT

private:
    qint64 m_now = kT;
    std::unique_ptr<MonitorFeed> m_feed;
    std::unique_ptr<LiveChartsView> m_view;

    QChartView *chart(LiveChartsView::Chart which) const { return m_view->chartView(which); }
    QXYSeries *eventsLine() const
    {
        return lineNamed(chart(LiveChartsView::EventsChart), QStringLiteral("events"));
    }

    // Seconds kT .. kT + 9: i + 1 events of 10 ms in second i; partner attempts in seconds 2
    // and 5. In time order: the series count a sample older than their open second in it.
    void feedTenSeconds()
    {
        const QString acme = QStringLiteral("Acme");
        for (int second = 0; second < 10; ++second) {
            const qint64 at = kT + second * 1000 + 300;
            for (int event = 0; event <= second; ++event)
                m_feed->recordEvent(10'000, at);
            if (second == 2) {
                for (int i = 0; i < 3; ++i)
                    m_feed->recordTransfer(attempt(1, acme, TransferOutcome::Ok, at, 20'000));
                m_feed->recordTransfer(attempt(1, acme, TransferOutcome::HttpError, at, 20'000));
                m_feed->recordTransfer(
                    attempt(1, acme, TransferOutcome::NetworkError, at, 1'000));
                m_feed->recordTransfer(attempt(1, acme, TransferOutcome::Timeout, at, 80'000));
                m_feed->recordTransfer(attempt(1, acme, TransferOutcome::Timeout, at, 80'000));
                m_feed->recordTransfer(attempt(1, acme, TransferOutcome::Late, at, 90'000));
                m_feed->recordTransfer(attempt(1, acme, TransferOutcome::CircuitOpen, at, 0));
            }
            if (second == 5) {
                m_feed->recordTransfer(
                    attempt(2, QStringLiteral("Bolt"), TransferOutcome::Ok, at, 40'000));
            }
        }
        m_now = kT + 10'500; // seconds 0-9 are complete
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
    }

    void init()
    {
        AppSettings().setLiveChartsWindowMinutes(5);
        m_now = kT;
        m_feed = std::make_unique<MonitorFeed>();
        m_view = std::make_unique<LiveChartsView>(*m_feed);
        m_view->setClock([this] { return m_now; });
    }

    void cleanup()
    {
        m_view.reset();
        m_feed.reset();
    }

    void chartsAreLiveAndAccessible()
    {
        for (int which = 0; which < LiveChartsView::ChartCount; ++which) {
            QChartView *view = chart(LiveChartsView::Chart(which));
            QVERIFY(view);
            QVERIFY(!view->accessibleName().isEmpty());
            QVERIFY(!view->toolTip().isEmpty());
            QVERIFY(view->renderHints().testFlag(QPainter::Antialiasing));
            QCOMPARE(view->chart()->animationOptions(), QChart::NoAnimation);
            QVERIFY(qobject_cast<QDateTimeAxis *>(view->chart()->axes(Qt::Horizontal).value(0)));
            QVERIFY(qobject_cast<QValueAxis *>(view->chart()->axes(Qt::Vertical).value(0)));
            for (QAbstractSeries *series : view->chart()->series())
                QVERIFY2(!series->name().isEmpty(), qPrintable(series->objectName()));
        }
        QVERIFY(!m_view->windowSelector()->accessibleName().isEmpty());
        QCOMPARE(m_view->windowSelector()->count(), 3);
    }

    void aTickHandsEachLineTheSeriesPoints()
    {
        feedTenSeconds();
        m_view->refresh();

        QList<qreal> seconds;
        for (int i = 0; i < 10; ++i)
            seconds.append(qreal(kT + i * 1000));

        QXYSeries *events = eventsLine();
        QVERIFY(events);
        QCOMPARE(xs(events->points()), seconds);
        QCOMPARE(ys(events->points()), (QList<qreal>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
        QVERIFY(chart(LiveChartsView::EventsChart)->accessibleDescription()
                    .contains(QStringLiteral("10.0 events per second")));

        // Outcome groups: 0 OK, 1 empty, 2 timeout/late, 3 errors, 4 not called.
        const QList<qreal> expected[] = {{0, 0, 3, 0, 0, 0, 0, 0, 0, 0},
                                         {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                                         {0, 0, 3, 0, 0, 0, 0, 0, 0, 0},
                                         {0, 0, 2, 0, 0, 0, 0, 0, 0, 0},
                                         {0, 0, 1, 0, 0, 0, 0, 0, 0, 0}};
        // Acme's late answer and timeouts finish in second 2 too (start + total); Bolt's OK
        // is in second 5.
        QList<qreal> ok = expected[0];
        ok[5] = 1;
        for (int group = 0; group < LiveChartsView::kOutcomeGroupCount; ++group) {
            QXYSeries *line = lineNamed(chart(LiveChartsView::OutcomesChart),
                                        QStringLiteral("outcome%1").arg(group));
            QVERIFY(line);
            QCOMPARE(xs(line->points()), seconds);
            QCOMPARE(ys(line->points()), group == 0 ? ok : expected[group]);
        }
        QStringList legend;
        for (QAbstractSeries *series : chart(LiveChartsView::OutcomesChart)->chart()->series())
            legend.append(series->name());
        QCOMPARE(legend, (QStringList{QStringLiteral("OK"), QStringLiteral("Empty"),
                                      QStringLiteral("Timeout/late"), QStringLiteral("Errors"),
                                      QStringLiteral("Not called")}));

        // Visitor latency: every event took 10 ms (bin [9,984, 10,239] µs, midpoint 10.1115 ms).
        for (const char *name : {"latencyP50", "latencyP99"}) {
            QXYSeries *line = lineNamed(chart(LiveChartsView::LatencyChart),
                                        QString::fromLatin1(name));
            QVERIFY(line);
            QCOMPARE(xs(line->points()), seconds);
            for (const QPointF &point : line->points())
                QVERIFY2(qAbs(point.y() - 10.1115) < 0.001,
                         qPrintable(QString::number(point.y())));
        }

        // Partner p99: a point only where the partner was called; named after the partner.
        QXYSeries *acme = lineNamed(chart(LiveChartsView::PartnerLatencyChart),
                                    QStringLiteral("partner1"));
        QXYSeries *bolt = lineNamed(chart(LiveChartsView::PartnerLatencyChart),
                                    QStringLiteral("partner2"));
        QVERIFY(acme && bolt);
        QCOMPARE(acme->name(), QStringLiteral("Acme"));
        QCOMPARE(bolt->name(), QStringLiteral("Bolt"));
        QCOMPARE(xs(acme->points()), QList<qreal>{qreal(kT + 2000)});
        QVERIFY(qAbs(acme->points().first().y() - 90.0) < 90 * 0.016); // the late answer
        QCOMPARE(xs(bolt->points()), QList<qreal>{qreal(kT + 5000)});
        QVERIFY(qAbs(bolt->points().first().y() - 40.0) < 40 * 0.016);
    }

    void axesFollowTimeAndValues()
    {
        feedTenSeconds();
        m_view->refresh();
        QChart *events = chart(LiveChartsView::EventsChart)->chart();
        auto *x = qobject_cast<QDateTimeAxis *>(events->axes(Qt::Horizontal).first());
        auto *y = qobject_cast<QValueAxis *>(events->axes(Qt::Vertical).first());
        // The newest point (second 9) ends the axis, which spans the 5 minutes.
        QCOMPARE(x->max().toMSecsSinceEpoch(), kT + 9000);
        QCOMPARE(x->min().toMSecsSinceEpoch(), kT + 9000 - 300'000);
        QCOMPARE(x->format(), QStringLiteral("HH:mm:ss"));
        // Up to 10 events/s, plus headroom: 0 .. 20 in steps of 5.
        QCOMPARE(y->min(), 0.0);
        QCOMPARE(y->max(), 20.0);
        QCOMPARE(y->tickCount(), 5);
        QCOMPARE(y->labelFormat(), QStringLiteral("%.0f"));

        // Nothing yet: the calls chart still shows 0 .. 1 with readable labels.
        auto *callsY = qobject_cast<QValueAxis *>(
            chart(LiveChartsView::OutcomesChart)->chart()->axes(Qt::Vertical).first());
        QCOMPARE(callsY->max(), 4.0); // 3 calls/s + 5% → 4, steps of 1
        m_now += 600'000;             // ten minutes of silence
        m_view->refresh();
        QCOMPARE(callsY->max(), 1.0);
        QCOMPARE(callsY->labelFormat(), QStringLiteral("%.1f"));
        QCOMPARE(x->max().toMSecsSinceEpoch(), (m_now / 1000 - 1) * 1000);
    }

    void eachTickReplacesEachLineOnce()
    {
        feedTenSeconds();
        m_view->refresh(); // the partner lines exist from here on
        QList<std::shared_ptr<QSignalSpy>> replaced;
        QList<std::shared_ptr<QSignalSpy>> piecemeal;
        int lines = 0;
        for (int which = 0; which < LiveChartsView::ChartCount; ++which) {
            QChart *shown = chart(LiveChartsView::Chart(which))->chart();
            for (QAbstractSeries *series : shown->series()) {
                auto *line = qobject_cast<QXYSeries *>(series);
                QVERIFY(line);
                ++lines;
                replaced.append(std::make_shared<QSignalSpy>(line, &QXYSeries::pointsReplaced));
                piecemeal.append(std::make_shared<QSignalSpy>(line, &QXYSeries::pointAdded));
                piecemeal.append(std::make_shared<QSignalSpy>(line, &QXYSeries::pointRemoved));
                piecemeal.append(std::make_shared<QSignalSpy>(line, &QXYSeries::pointsRemoved));
                piecemeal.append(std::make_shared<QSignalSpy>(line, &QXYSeries::pointReplaced));
            }
        }
        QCOMPARE(lines, 1 + LiveChartsView::kOutcomeGroupCount + 2 + 2);

        m_now += 1000;
        m_view->refresh();
        for (const auto &spy : std::as_const(replaced))
            QCOMPARE(spy->size(), 1);
        for (const auto &spy : std::as_const(piecemeal))
            QCOMPARE(spy->size(), 0);
    }

    void aTickStaysBounded()
    {
        // 400 s of one event a second: the 5-minute window keeps its 300 points.
        for (int second = 0; second < 400; ++second)
            m_feed->recordEvent(5'000, kT + second * 1000);
        m_now = kT + 400'000;
        m_view->refresh();
        QXYSeries *events = eventsLine();
        QCOMPARE(events->count(), MonitorSeries::pointCount(MonitorSeries::Window::Last5Minutes));
        QCOMPARE(events->points().first().x(), qreal(kT + 100'000));
        QCOMPARE(events->points().last().x(), qreal(kT + 399'000));
    }

    void theWindowSwitchChangesThePointSpacing()
    {
        feedTenSeconds();
        m_view->refresh();
        QXYSeries *events = eventsLine();
        QCOMPARE(events->count(), 10);

        // 5 s periods: seconds 0-4 and 5-9, averaged.
        QSignalSpy replaced(events, &QXYSeries::pointsReplaced);
        m_view->windowSelector()->setCurrentIndex(1);
        QCOMPARE(m_view->timeWindow(), MonitorSeries::Window::Last30Minutes);
        QCOMPARE(replaced.size(), 1); // switching redraws at once
        QCOMPARE(xs(events->points()), (QList<qreal>{qreal(kT), qreal(kT + 5000)}));
        QCOMPARE(ys(events->points()), (QList<qreal>{3, 8}));
        QXYSeries *notCalled = lineNamed(chart(LiveChartsView::OutcomesChart),
                                         QStringLiteral("outcome4"));
        // 1 in 5 s (the series keep floats).
        QCOMPARE(ys(notCalled->points()), (QList<qreal>{qreal(0.2f), 0}));
        auto *x = qobject_cast<QDateTimeAxis *>(
            chart(LiveChartsView::EventsChart)->chart()->axes(Qt::Horizontal).first());
        QCOMPARE(x->format(), QStringLiteral("HH:mm"));
        QCOMPARE(x->max().toMSecsSinceEpoch() - x->min().toMSecsSinceEpoch(), qint64(1'800'000));
        QCOMPARE(AppSettings().liveChartsWindowMinutes(), 30);

        // 10 s periods: one point, seconds 0-9; the hour on the axis.
        m_view->windowSelector()->setCurrentIndex(2);
        QCOMPARE(xs(events->points()), QList<qreal>{qreal(kT)});
        QCOMPARE(ys(events->points()), QList<qreal>{5.5});
        QCOMPARE(x->max().toMSecsSinceEpoch() - x->min().toMSecsSinceEpoch(), qint64(3'600'000));
        QCOMPARE(AppSettings().liveChartsWindowMinutes(), 60);

        // A new view starts on the saved window.
        LiveChartsView again(*m_feed);
        QCOMPARE(again.timeWindow(), MonitorSeries::Window::Last60Minutes);
        QCOMPARE(again.windowSelector()->currentIndex(), 2);
    }

    void partnerLinesComeAndGo()
    {
        feedTenSeconds();
        m_view->refresh();
        QChart *partners = chart(LiveChartsView::PartnerLatencyChart)->chart();
        QCOMPARE(partners->series().size(), 2);
        m_feed->removePartner(1);
        m_view->refresh();
        QCOMPARE(partners->series().size(), 1);
        QCOMPARE(partners->series().first()->objectName(), QStringLiteral("partner2"));
        QVERIFY(!lineNamed(chart(LiveChartsView::PartnerLatencyChart),
                           QStringLiteral("partner1")));
        // Lines differ by pen style too, not by colour alone.
        m_feed->recordTransfer(attempt(3, QStringLiteral("Cirrus"), TransferOutcome::Ok,
                                       m_now, 10'000));
        m_now += 1000;
        m_view->refresh();
        QCOMPARE(partners->series().size(), 2);
        QXYSeries *bolt = lineNamed(chart(LiveChartsView::PartnerLatencyChart),
                                    QStringLiteral("partner2"));
        QXYSeries *cirrus = lineNamed(chart(LiveChartsView::PartnerLatencyChart),
                                      QStringLiteral("partner3"));
        QVERIFY(bolt->pen().style() != cirrus->pen().style());
        QVERIFY(bolt->pen().color() != cirrus->pen().color());
    }

    void pollsOnlyWhenActiveAndShown()
    {
        QVERIFY(!m_view->isPolling()); // not shown yet
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
        QVERIFY(m_view->isPolling());
        m_view->setActive(false);
        QVERIFY(!m_view->isPolling());
        m_view->setActive(true);
        QVERIFY(m_view->isPolling());
        m_view->hide();
        QVERIFY(!m_view->isPolling());

        // The timer does tick: a point appears without an explicit refresh.
        m_view->show();
        feedTenSeconds();
        QXYSeries *events = eventsLine();
        QTRY_COMPARE_WITH_TIMEOUT(events->count(), 10, 5000);
    }

    void followsTheDarkAndLightPalettes()
    {
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x20, 0x20, 0x24));
        dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
        dark.setColor(QPalette::Base, QColor(0x18, 0x18, 0x1c));
        dark.setColor(QPalette::Mid, QColor(0x50, 0x50, 0x58));
        m_view->setPalette(dark);
        for (int which = 0; which < LiveChartsView::ChartCount; ++which) {
            QChart *shown = chart(LiveChartsView::Chart(which))->chart();
            QCOMPARE(shown->theme(), QChart::ChartThemeDark);
            QCOMPARE(shown->backgroundBrush().color(), dark.color(QPalette::Base));
            QCOMPARE(shown->titleBrush().color(), dark.color(QPalette::WindowText));
            for (QAbstractAxis *axis : shown->axes())
                QCOMPARE(axis->labelsBrush().color(), dark.color(QPalette::WindowText));
            // The theme does not take the lines' colours: the outcome colours stay.
            for (QAbstractSeries *series : shown->series())
                QCOMPARE(qobject_cast<QXYSeries *>(series)->pen().widthF(), 2.0);
        }
        QPalette light;
        light.setColor(QPalette::Window, QColor(0xf0, 0xf0, 0xf0));
        light.setColor(QPalette::WindowText, Qt::black);
        light.setColor(QPalette::Base, Qt::white);
        m_view->setPalette(light);
        QCOMPARE(chart(LiveChartsView::EventsChart)->chart()->theme(), QChart::ChartThemeLight);
        QCOMPARE(chart(LiveChartsView::EventsChart)->chart()->backgroundBrush().color(),
                 QColor(Qt::white));
    }
};

QTEST_MAIN(tst_LiveCharts)
#include "tst_livecharts.moc"
