#include "monitor/latencyhistogram.h"
#include "monitor/partnerlivestats.h"

#include <QTest>
#include <QThread>

using namespace Dcs;

namespace {

constexpr qint64 kStartMs = 1'763'820'000'000; // a whole second
constexpr qint64 kPartner = 7;

// Within the histogram's precision: a bin's midpoint is within 1/64 of any value in it.
bool nearLatency(double reportedUs, double expectedUs)
{
    return qAbs(reportedUs - expectedUs) <= expectedUs / 64.0 + 0.5;
}

PartnerLiveSnapshot only(const QList<PartnerLiveSnapshot> &rows)
{
    if (rows.size() != 1)
        qFatal("expected one partner, got %lld", static_cast<long long>(rows.size()));
    return rows.first();
}

} // namespace

// The health strip's numbers: percentiles, rates and windows computed from controlled times.
class tst_PartnerLiveStats : public QObject
{
    Q_OBJECT

private:
    static void record(PartnerLiveStats &stats, TransferOutcome outcome, qint64 totalUs,
                       qint64 nowMs, int times = 1)
    {
        for (int i = 0; i < times; ++i)
            stats.recordAttempt(kPartner, 42, QStringLiteral("Acme"), outcome, totalUs, nowMs);
    }

private Q_SLOTS:
    void binsCoverTheirValues()
    {
        for (qint64 us : {0LL, 1LL, 63LL, 64LL, 65LL, 1000LL, 99'999LL, 60'000'000LL}) {
            const int bin = LatencyBins::binOf(us);
            QVERIFY(LatencyBins::binLowUs(bin) <= us);
            QVERIFY(us < LatencyBins::binLowUs(bin) + LatencyBins::binWidthUs(bin));
            QVERIFY(nearLatency(LatencyBins::binMidUs(bin), double(us)));
        }
        QCOMPARE(LatencyBins::binOf(-5), 0);
        QCOMPARE(LatencyBins::binOf(3'600'000'000LL), LatencyBins::kCount - 1);
        for (int bin = 1; bin < LatencyBins::kCount; ++bin) // contiguous, no overlap
            QCOMPARE(LatencyBins::binLowUs(bin),
                     LatencyBins::binLowUs(bin - 1) + LatencyBins::binWidthUs(bin - 1));
    }

    void percentilesOfKnownLatencies_data()
    {
        QTest::addColumn<qint64>("stepUs"); // samples are stepUs, 2 × stepUs, ... 1000 × stepUs
        QTest::newRow("1 us .. 1 ms") << qint64(1);
        QTest::newRow("37 us .. 37 ms") << qint64(37);
        QTest::newRow("100 us .. 100 ms") << qint64(100);
        QTest::newRow("10 ms .. 10 s") << qint64(10'000);
    }

    void percentilesOfKnownLatencies()
    {
        QFETCH(qint64, stepUs);
        PartnerLiveStats stats;
        // Spread over 20 seconds of the window, in a shuffled order.
        for (int i = 0; i < 1000; ++i) {
            const int k = (i * 617) % 1000 + 1;
            record(stats, TransferOutcome::Ok, k * stepUs, kStartMs + (i % 20) * 1000);
        }
        const PartnerLiveSnapshot row = only(stats.snapshot(kStartMs + 19'500));
        QCOMPARE(row.called60s, quint64(1000));
        // The value of rank r is r × stepUs.
        const auto atRank = [stepUs](int rank) { return double(rank) * double(stepUs); };
        QVERIFY2(nearLatency(row.p50Us, atRank(500)), QByteArray::number(row.p50Us).constData());
        QVERIFY2(nearLatency(row.p95Us, atRank(950)), QByteArray::number(row.p95Us).constData());
        QVERIFY2(nearLatency(row.p99Us, atRank(990)), QByteArray::number(row.p99Us).constData());
    }

    void percentilesCountCalledAttemptsOnly()
    {
        PartnerLiveStats stats;
        record(stats, TransferOutcome::Ok, 10'000, kStartMs, 98);
        record(stats, TransferOutcome::Timeout, 100'000, kStartMs, 2);
        record(stats, TransferOutcome::Skipped, 1, kStartMs, 500); // never called: no latency
        const PartnerLiveSnapshot row = only(stats.snapshot(kStartMs));
        QVERIFY(nearLatency(row.p50Us, 10'000));
        QVERIFY(nearLatency(row.p95Us, 10'000));
        QVERIFY(nearLatency(row.p99Us, 100'000)); // the timeouts are the slowest 2%
    }

    void ratesOverOneAndTenSeconds()
    {
        PartnerLiveStats stats;
        // 10 calls per second for seconds 0..19, 30 in second 20, and 5 in the current second.
        for (int second = 0; second < 20; ++second)
            record(stats, TransferOutcome::Ok, 5000, kStartMs + second * 1000 + 300, 10);
        record(stats, TransferOutcome::Empty, 5000, kStartMs + 20'999, 30);
        record(stats, TransferOutcome::Ok, 5000, kStartMs + 21'000, 5);
        // Not called: not in calls/s.
        record(stats, TransferOutcome::RateLimited, 0, kStartMs + 20'500, 50);

        PartnerLiveSnapshot row = only(stats.snapshot(kStartMs + 21'400));
        QCOMPARE(row.callsPerSecond1s, 30.0);            // second 20
        QCOMPARE(row.callsPerSecond10s, (9 * 10 + 30) / 10.0); // seconds 11..20
        // A second later the current second (21) is complete and second 11 left the 10 s window.
        row = only(stats.snapshot(kStartMs + 22'000));
        QCOMPARE(row.callsPerSecond1s, 5.0);
        QCOMPARE(row.callsPerSecond10s, (8 * 10 + 30 + 5) / 10.0);
        // Nothing for 30 s: the rates fall to 0.
        row = only(stats.snapshot(kStartMs + 52'000));
        QCOMPARE(row.callsPerSecond1s, 0.0);
        QCOMPARE(row.callsPerSecond10s, 0.0);
    }

    void sixtySecondWindowExpires()
    {
        PartnerLiveStats stats;
        record(stats, TransferOutcome::Timeout, 100'000, kStartMs, 3);
        record(stats, TransferOutcome::Ok, 20'000, kStartMs + 30'000, 4);

        PartnerLiveSnapshot row = only(stats.snapshot(kStartMs + 59'999));
        QCOMPARE(row.count60s(TransferOutcome::Timeout), quint64(3)); // second 0 still in
        QCOMPARE(row.attempts60s, quint64(7));
        row = only(stats.snapshot(kStartMs + 60'000));
        QCOMPARE(row.count60s(TransferOutcome::Timeout), quint64(0)); // second 0 left
        QCOMPARE(row.count60s(TransferOutcome::Ok), quint64(4));
        QVERIFY(nearLatency(row.p99Us, 20'000));
        QCOMPARE(row.countTotal(TransferOutcome::Timeout), quint64(3)); // totals never expire

        row = only(stats.snapshot(kStartMs + 200'000));
        QCOMPARE(row.attempts60s, quint64(0));
        QCOMPARE(row.p99Us, 0.0);
        QVERIFY(!row.successPercent60s);
        QCOMPARE(row.countTotal(TransferOutcome::Ok), quint64(4));

        // The ring's buckets are reused: a minute later the partner's new second counts alone.
        record(stats, TransferOutcome::Ok, 1000, kStartMs + 64'000, 2); // bucket of second 0
        row = only(stats.snapshot(kStartMs + 64'000));
        QCOMPARE(row.count60s(TransferOutcome::Timeout), quint64(0));
        QCOMPARE(row.count60s(TransferOutcome::Ok), quint64(6));
        // A sample more than a minute late counts in the totals only.
        record(stats, TransferOutcome::Ok, 1000, kStartMs, 1);
        row = only(stats.snapshot(kStartMs + 64'000));
        QCOMPARE(row.count60s(TransferOutcome::Ok), quint64(6));
        QCOMPARE(row.countTotal(TransferOutcome::Ok), quint64(7));
    }

    void successPercentCountsCalledAttemptsOnly()
    {
        PartnerLiveStats stats;
        record(stats, TransferOutcome::Ok, 1000, kStartMs, 5);
        record(stats, TransferOutcome::Empty, 1000, kStartMs, 3);
        record(stats, TransferOutcome::Timeout, 100'000, kStartMs, 1);
        record(stats, TransferOutcome::HttpError, 2000, kStartMs, 1);
        // Not called: count neither way.
        record(stats, TransferOutcome::Skipped, 0, kStartMs, 4);
        record(stats, TransferOutcome::CircuitOpen, 0, kStartMs, 2);
        record(stats, TransferOutcome::NoIdSync, 0, kStartMs, 1);

        PartnerLiveSnapshot row = only(stats.snapshot(kStartMs + 500));
        QCOMPARE(row.called60s, quint64(10));
        QCOMPARE(row.attempts60s, quint64(17));
        QVERIFY(row.successPercent60s);
        QCOMPARE(*row.successPercent60s, 80.0);
        QCOMPARE(row.count60s(TransferOutcome::Skipped), quint64(4));

        // Late and bad answers, network errors: called, not successful.
        record(stats, TransferOutcome::Late, 150'000, kStartMs + 1000, 2);
        record(stats, TransferOutcome::BadAnswer, 3000, kStartMs + 1000, 1);
        record(stats, TransferOutcome::NetworkError, 3000, kStartMs + 1000, 3);
        row = only(stats.snapshot(kStartMs + 1500));
        QCOMPARE(*row.successPercent60s, 50.0);

        PartnerLiveStats notCalled;
        notCalled.recordAttempt(1, 1, QStringLiteral("p"), TransferOutcome::Skipped, 0, kStartMs);
        QVERIFY(!only(notCalled.snapshot(kStartMs)).successPercent60s);
    }

    void breakerStateAndReason()
    {
        PartnerLiveStats stats;
        stats.setBreakerState(3, PartnerBreakerState::Open, false,
                              QStringLiteral("12 failures in 20 calls"), kStartMs + 5);
        PartnerLiveSnapshot row = only(stats.snapshot(kStartMs));
        QCOMPARE(row.partnerId, 3);
        QCOMPARE(row.breakerState, PartnerBreakerState::Open);
        QVERIFY(!row.breakerForced);
        QCOMPARE(row.breakerReason, QStringLiteral("12 failures in 20 calls"));
        QCOMPARE(row.breakerSinceMs, kStartMs + 5);

        stats.setBreakerState(3, PartnerBreakerState::Closed, true,
                              QStringLiteral("forced closed by admin"), kStartMs + 9);
        row = only(stats.snapshot(kStartMs));
        QCOMPARE(row.breakerState, PartnerBreakerState::Closed);
        QVERIFY(row.breakerForced);
        QCOMPARE(row.breakerReason, QStringLiteral("forced closed by admin"));
        QCOMPARE(partnerBreakerStateName(PartnerBreakerState::HalfOpen),
                 QLatin1StringView("half-open"));
    }

    void inFlightNameAndRemoval()
    {
        PartnerLiveStats stats;
        stats.incrementInFlight(kPartner); // a partner may appear before its first outcome
        stats.incrementInFlight(kPartner);
        stats.incrementInFlight(kPartner);
        stats.decrementInFlight(kPartner);
        record(stats, TransferOutcome::Ok, 1000, kStartMs);
        stats.recordAttempt(9, 90, QStringLiteral("Beta"), TransferOutcome::Ok, 1000, kStartMs);

        QList<PartnerLiveSnapshot> rows = stats.snapshot(kStartMs);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(0).partnerId, kPartner); // by partnerId
        QCOMPARE(rows.at(0).inFlight, 2);
        QCOMPARE(rows.at(0).name, QStringLiteral("Acme"));
        QCOMPARE(rows.at(0).dpid, 42);
        QCOMPARE(rows.at(1).name, QStringLiteral("Beta"));

        stats.setInFlight(kPartner, 40);
        stats.recordAttempt(9, 91, QStringLiteral("Beta 2"), TransferOutcome::Ok, 1000, kStartMs);
        rows = stats.snapshot(kStartMs);
        QCOMPARE(rows.at(0).inFlight, 40);
        QCOMPARE(rows.at(1).name, QStringLiteral("Beta 2")); // renamed
        QCOMPARE(rows.at(1).dpid, 91);

        stats.removePartner(kPartner);
        QCOMPARE(stats.partnerIds(), (QList<qint64>{9}));
        QCOMPARE(only(stats.snapshot(kStartMs)).countTotal(TransferOutcome::Ok), quint64(2));
    }

    // Writers in four threads over three seconds, a reader snapshotting meanwhile: the counts add
    // up exactly once the writers are done.
    void concurrentWritersCountExactly()
    {
        constexpr int kThreads = 4;
        constexpr int kPerThread = 30'000;
        PartnerLiveStats stats;
        QList<QThread *> writers;
        for (int t = 0; t < kThreads; ++t) {
            writers.append(QThread::create([&stats, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    const auto outcome = i % 3 == 0 ? TransferOutcome::Timeout
                                                    : TransferOutcome::Ok;
                    stats.recordAttempt(t % 2, 0, QStringLiteral("p"), outcome, 1000 + i % 5000,
                                        kStartMs + qint64(i) * 3000 / kPerThread);
                }
            }));
            writers.last()->start();
        }
        bool running = true;
        while (running) {
            running = false;
            for (QThread *writer : std::as_const(writers))
                running = running || !writer->isFinished();
            for (const PartnerLiveSnapshot &row : stats.snapshot(kStartMs + 2999))
                QVERIFY(row.attempts60s <= quint64(kThreads / 2 * kPerThread));
        }
        for (QThread *writer : std::as_const(writers)) {
            writer->wait();
            delete writer;
        }
        const QList<PartnerLiveSnapshot> rows = stats.snapshot(kStartMs + 2999);
        QCOMPARE(rows.size(), 2);
        for (const PartnerLiveSnapshot &row : rows) {
            QCOMPARE(row.attempts60s, quint64(kThreads / 2 * kPerThread));
            QCOMPARE(row.count60s(TransferOutcome::Timeout),
                     quint64(kThreads / 2 * kPerThread / 3));
            QCOMPARE(row.called60s, row.attempts60s);
        }
    }
};

QTEST_GUILESS_MAIN(tst_PartnerLiveStats)
#include "tst_partnerlivestats.moc"
