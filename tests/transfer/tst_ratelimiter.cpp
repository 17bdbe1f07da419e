// RateLimiter on a simulated clock: unlimited at 0, the rate over time, bursts bounded by the
// bucket, and setRate() starting over.
#include "transfer/ratelimiter.h"

#include <QList>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace Dcs;

namespace {

constexpr qint64 kMs = 1'000'000;
constexpr qint64 kSecond = 1'000 * kMs;

// Takes every token there is at `nowNs`.
int drain(RateLimiter &limiter, qint64 nowNs)
{
    int taken = 0;
    while (limiter.tryTake(nowNs) && taken < 1'000'000)
        ++taken;
    return taken;
}

} // namespace

class tst_RateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void zeroIsUnlimited()
    {
        RateLimiter limiter(0);
        QCOMPARE(limiter.rate(), 0);
        for (int i = 0; i < 100'000; ++i)
            QVERIFY(limiter.tryTake(5 * kSecond));
        RateLimiter negative(-5);
        QCOMPARE(negative.rate(), 0);
        QVERIFY(negative.tryTake(0));
    }

    // Greedy callers every millisecond for ten simulated seconds: about `rate` a second, the
    // first second's burst aside. The clock may start anywhere, zero included.
    void admitsTheRateOverTime_data()
    {
        QTest::addColumn<int>("rate");
        QTest::addColumn<qint64>("startNs");
        QTest::addColumn<int>("capacity");
        QTest::newRow("100/s from 0") << 100 << qint64(0) << 10;
        QTest::newRow("100/s from 5 s") << 100 << 5 * kSecond << 10;
        QTest::newRow("2000/s") << 2000 << 123 * kMs << 200;
        QTest::newRow("7/s (a bucket of one)") << 7 << kSecond << 1;
    }
    void admitsTheRateOverTime()
    {
        QFETCH(int, rate);
        QFETCH(qint64, startNs);
        QFETCH(int, capacity);
        RateLimiter limiter(rate);
        QList<int> perSecond(10, 0);
        for (qint64 ms = 0; ms < 10'000; ++ms)
            perSecond[int(ms / 1000)] += drain(limiter, startNs + ms * kMs);
        int total = 0;
        for (int second = 0; second < 10; ++second) {
            total += perSecond[second];
            const QByteArray context = "second " + QByteArray::number(second) + ": "
                                       + QByteArray::number(perSecond[second]);
            QVERIFY2(perSecond[second] >= rate - capacity
                         && perSecond[second] <= rate + capacity,
                     context.constData());
        }
        // The full bucket at the start, then the rate for (almost) ten seconds.
        QVERIFY2(total >= 10 * rate - 1 && total <= 10 * rate + capacity,
                 qPrintable(QString::number(total)));
    }

    void burstsAreCappedAtTheBucket_data()
    {
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("capacity"); // a tenth of a second's worth, at least one
        QTest::newRow("100/s") << 100 << 10;
        QTest::newRow("5/s") << 5 << 1;
        QTest::newRow("10000/s") << 10000 << 1000;
    }
    void burstsAreCappedAtTheBucket()
    {
        QFETCH(int, rate);
        QFETCH(int, capacity);
        RateLimiter limiter(rate);
        QCOMPARE(drain(limiter, 1 * kSecond), capacity);
        QCOMPARE(drain(limiter, 1 * kSecond), 0);
        // However long it stays idle, the next burst is one bucket.
        QCOMPARE(drain(limiter, 100 * kSecond), capacity);
        QCOMPARE(drain(limiter, 100'000 * kSecond), capacity);
    }

    // A clock that starts at zero is a clock like any other.
    void refillsAfterATakeAtTimeZero()
    {
        RateLimiter limiter(100);
        QCOMPARE(drain(limiter, 0), 10);
        QCOMPARE(drain(limiter, 10 * kMs), 1);
        QCOMPARE(drain(limiter, kSecond), 10);
    }

    void timeGoingBackwardsGivesNothing()
    {
        RateLimiter limiter(100);
        QCOMPARE(drain(limiter, 10 * kSecond), 10);
        QCOMPARE(drain(limiter, 9 * kSecond), 0);
        QCOMPARE(drain(limiter, 10 * kSecond), 0); // the lost second is not credited
        QCOMPARE(drain(limiter, 10 * kSecond + 100 * kMs), 10);
    }

    void setRateStartsOver()
    {
        RateLimiter limiter(100);
        QCOMPARE(drain(limiter, kSecond), 10);
        limiter.setRate(200);
        QCOMPARE(limiter.rate(), 200);
        QCOMPARE(drain(limiter, kSecond), 20); // a full bucket at the new size, at once
        QCOMPARE(drain(limiter, kSecond + 50 * kMs), 10);
        limiter.setRate(0);
        QCOMPARE(drain(limiter, kSecond + 50 * kMs), 1'000'000);
        limiter.setRate(100);
        QCOMPARE(drain(limiter, 0), 10); // its clock starts over too: even at an earlier time
    }

    // Four threads racing for one bucket at one instant take exactly the bucket.
    void threadsShareOneBucket()
    {
        RateLimiter limiter(1000);
        std::atomic<int> taken{0};
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&] {
                for (int i = 0; i < 10'000; ++i)
                    taken += limiter.tryTake(kSecond) ? 1 : 0;
            }));
            threads.last()->start();
        }
        for (QThread *thread : std::as_const(threads)) {
            QVERIFY(thread->wait(10'000));
            delete thread;
        }
        QCOMPARE(taken.load(), 100);
    }
};

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
