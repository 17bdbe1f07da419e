#include "monitor/monitorfeed.h"

#include <QTest>

using namespace Dcs;

namespace {

constexpr qint64 kStartMs = 1'763'820'000'000;

TransferRecord attempt(qint64 partnerId, TransferOutcome outcome, qint64 startMs, qint32 totalUs)
{
    TransferRecord record;
    record.tid = QStringLiteral("tid-1");
    record.partnerId = partnerId;
    record.dpid = 100 + partnerId;
    record.partnerName = QStringLiteral("Partner %1").arg(partnerId);
    record.outcome = outcome;
    record.startMs = startMs;
    record.totalUs = totalUs;
    return record;
}

} // namespace

// The object the engine and the GUI share: one report reaches the feed, the stats and the series.
class tst_MonitorFeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneTransferReachesAllThree()
    {
        MonitorFeed feed(100);
        // Started at 0.9 s, answered 300 ms later: counted in second 1, when its outcome came.
        QCOMPARE(feed.recordTransfer(attempt(1, TransferOutcome::Ok, kStartMs + 900, 300'000)), 1);
        QCOMPARE(feed.recordTransfer(attempt(2, TransferOutcome::Late, kStartMs + 950, 150'000)),
                 2);
        feed.recordEvent(40'000, kStartMs + 1100);

        const TransferFeed::Batch batch = feed.transfers().since(0, 10);
        QCOMPARE(batch.records.size(), 2);
        QCOMPARE(feed.transfers().byTid(QStringLiteral("tid-1")).size(), 2);

        const QList<PartnerLiveSnapshot> partners = feed.partners().snapshot(kStartMs + 2000);
        QCOMPARE(partners.size(), 2);
        QCOMPARE(partners.at(0).name, QStringLiteral("Partner 1"));
        QCOMPARE(partners.at(0).dpid, 101);
        QCOMPARE(partners.at(0).callsPerSecond1s, 1.0); // second 1
        QCOMPARE(partners.at(1).count60s(TransferOutcome::Late), quint64(1));

        using Window = MonitorSeries::Window;
        const QList<QPointF> ok = feed.series().outcomePoints(TransferOutcome::Ok,
                                                              Window::Last5Minutes,
                                                              kStartMs + 2000);
        QCOMPARE(ok, (QList<QPointF>{{kStartMs + 1000.0, 1.0}}));
        QCOMPARE(feed.series().points(MonitorSeries::Metric::EventsPerSecond,
                                      Window::Last5Minutes, kStartMs + 2000),
                 (QList<QPointF>{{kStartMs + 1000.0, 1.0}}));

        feed.removePartner(1);
        QCOMPARE(feed.partners().partnerIds(), (QList<qint64>{2}));
        QCOMPARE(feed.series().partnerIds(), (QList<qint64>{2}));
        QCOMPARE(feed.transfers().size(), 2);
    }

    void onboardingTestCallsStayOutOfTheLiveNumbers()
    {
        MonitorFeed feed;
        TransferRecord test = attempt(1, TransferOutcome::Ok, kStartMs, 5000);
        test.testRunId = 12;
        feed.recordTransfer(test);
        QCOMPARE(feed.transfers().since(0, 10).records.size(), 1);
        QVERIFY(feed.partners().snapshot(kStartMs).isEmpty());
        QVERIFY(feed.series().partnerIds().isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_MonitorFeed)
#include "tst_monitorfeed.moc"
