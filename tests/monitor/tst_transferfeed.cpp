#include "monitor/transferfeed.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <vector>

using namespace Dcs;

namespace {

TransferRecord attempt(const QString &tid, qint64 partnerId = 1, qint64 eventId = 0)
{
    TransferRecord record;
    record.tid = tid;
    record.partnerId = partnerId;
    record.eventId = eventId;
    record.outcome = TransferOutcome::Ok;
    return record;
}

QList<qint64> sequencesOf(const QList<TransferRecord> &records)
{
    QList<qint64> sequences;
    for (const TransferRecord &record : records)
        sequences.append(record.sequence);
    return sequences;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> values;
    for (qint64 value = first; value <= last; ++value)
        values.append(value);
    return values;
}

} // namespace

// The transfers table's feed: bounded, sequenced, and honest about what a slow reader missed.
class tst_TransferFeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sequencesStartAtOneAndIncrease()
    {
        TransferFeed feed(10);
        QCOMPARE(feed.newestSequence(), 0);
        QCOMPARE(feed.append(attempt(QStringLiteral("a"))), 1);
        QCOMPARE(feed.append(attempt(QStringLiteral("b"))), 2);
        QCOMPARE(feed.append(attempt(QStringLiteral("c"))), 3);
        const TransferFeed::Batch batch = feed.since(0, 100);
        QCOMPARE(sequencesOf(batch.records), (QList<qint64>{1, 2, 3}));
        QCOMPARE(batch.records.at(1).tid, QStringLiteral("b"));
        QCOMPARE(batch.firstAvailable, 1);
        QCOMPARE(batch.lastSequence, 3);
        QCOMPARE(batch.newestSequence, 3);
        QCOMPARE(batch.missed, 0);
    }

    void sizeIsBoundedByCapacity()
    {
        TransferFeed feed(10);
        for (int i = 0; i < 25; ++i)
            feed.append(attempt(QString::number(i)));
        QCOMPARE(feed.size(), 10);
        QCOMPARE(feed.capacity(), 10);
        const TransferFeed::Batch batch = feed.since(0, 100);
        QCOMPARE(sequencesOf(batch.records), range(16, 25));
        QCOMPARE(batch.records.first().tid, QStringLiteral("15"));
        QCOMPARE(batch.firstAvailable, 16);
        QCOMPARE(batch.missed, 15);
        QCOMPARE(batch.lastSequence, 25);
    }

    void nothingNewLeavesTheCursor()
    {
        TransferFeed feed(10);
        QCOMPARE(feed.since(0, 100).lastSequence, 0);
        feed.append(attempt(QStringLiteral("a")));
        const TransferFeed::Batch batch = feed.since(1, 100);
        QVERIFY(batch.records.isEmpty());
        QCOMPARE(batch.lastSequence, 1);
        QCOMPARE(batch.missed, 0);
        // A cursor from the future (a bug in the caller) comes back to the newest sequence.
        QCOMPARE(feed.since(99, 100).lastSequence, 1);
    }

    void maxCountCutsTheBatchAndTheCursorResumes()
    {
        TransferFeed feed(100);
        for (int i = 0; i < 30; ++i)
            feed.append(attempt(QString::number(i)));
        TransferFeed::Batch batch = feed.since(0, 12);
        QCOMPARE(sequencesOf(batch.records), range(1, 12));
        QCOMPARE(batch.lastSequence, 12);
        QCOMPARE(batch.newestSequence, 30);
        batch = feed.since(batch.lastSequence, 12);
        QCOMPARE(sequencesOf(batch.records), range(13, 24));
        batch = feed.since(batch.lastSequence, 12);
        QCOMPARE(sequencesOf(batch.records), range(25, 30));
        QCOMPARE(batch.lastSequence, batch.newestSequence);
        QCOMPARE(feed.since(0, 0).records.size(), 0);
    }

    void missedCountsAfterWrapAround_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<int>("readFirst");    // records appended and read before falling behind
        QTest::addColumn<int>("appendedLater"); // appended before the next read
        QTest::newRow("no wrap") << 10 << 5 << 5;
        QTest::newRow("exactly one lap") << 10 << 5 << 10;
        QTest::newRow("one more than a lap") << 10 << 5 << 11;
        QTest::newRow("many laps") << 10 << 7 << 123;
        QTest::newRow("capacity 1") << 1 << 3 << 4;
    }

    void missedCountsAfterWrapAround()
    {
        QFETCH(int, capacity);
        QFETCH(int, readFirst);
        QFETCH(int, appendedLater);
        TransferFeed feed(capacity);
        for (int i = 0; i < readFirst; ++i)
            feed.append(attempt(QString::number(i)));
        qint64 cursor = 0;
        qint64 read = 0;
        qint64 missed = 0;
        for (;;) { // the first read may itself have missed records when readFirst > capacity
            const TransferFeed::Batch batch = feed.since(cursor, 1000);
            read += batch.records.size();
            missed += batch.missed;
            if (batch.lastSequence == cursor)
                break;
            cursor = batch.lastSequence;
        }
        for (int i = 0; i < appendedLater; ++i)
            feed.append(attempt(QString::number(i)));
        const TransferFeed::Batch batch = feed.since(cursor, 1000);
        const qint64 newest = readFirst + appendedLater;
        QCOMPARE(cursor, readFirst);
        QCOMPARE(batch.lastSequence, newest);
        QCOMPARE(sequencesOf(batch.records),
                 range(std::max<qint64>(cursor + 1, newest - capacity + 1), newest));
        QCOMPARE(batch.missed, std::max<qint64>(0, appendedLater - capacity));
        QCOMPARE(read + missed + batch.records.size() + batch.missed, newest);
    }

    void byTidFindsEveryAttemptStillHeld()
    {
        TransferFeed feed(8);
        feed.append(attempt(QStringLiteral("t1"), 1)); // 1: overwritten below
        feed.append(attempt(QStringLiteral("t2"), 1)); // 2
        feed.append(attempt(QStringLiteral("t1"), 2)); // 3
        for (int i = 0; i < 5; ++i)
            feed.append(attempt(QStringLiteral("other"))); // 4..8
        feed.append(attempt(QStringLiteral("t1"), 3)); // 9, a late answer: overwrites 1

        const QList<TransferRecord> attempts = feed.byTid(QStringLiteral("t1"));
        QCOMPARE(sequencesOf(attempts), (QList<qint64>{3, 9}));
        QCOMPARE(attempts.at(0).partnerId, 2);
        QCOMPARE(attempts.at(1).partnerId, 3);
        QCOMPARE(feed.byTid(QStringLiteral("t2")).size(), 1);
        QVERIFY(feed.byTid(QStringLiteral("nobody")).isEmpty());
    }

    void shrinkingKeepsTheNewest()
    {
        TransferFeed feed(10);
        for (int i = 0; i < 8; ++i)
            feed.append(attempt(QString::number(i)));
        feed.setCapacity(3);
        QCOMPARE(feed.capacity(), 3);
        QCOMPARE(feed.size(), 3);
        TransferFeed::Batch batch = feed.since(2, 100);
        QCOMPARE(sequencesOf(batch.records), range(6, 8));
        QCOMPARE(batch.records.first().tid, QStringLiteral("5"));
        QCOMPARE(batch.missed, 3); // 3, 4 and 5 were dropped unread
        QCOMPARE(feed.append(attempt(QStringLiteral("x"))), 9);
        batch = feed.since(0, 100);
        QCOMPARE(sequencesOf(batch.records), range(7, 9));
        QCOMPARE(batch.records.last().tid, QStringLiteral("x"));
    }

    void growingKeepsEverything()
    {
        TransferFeed feed(4);
        for (int i = 0; i < 6; ++i)
            feed.append(attempt(QString::number(i)));
        feed.setCapacity(10);
        QCOMPARE(feed.size(), 4);
        for (int i = 6; i < 12; ++i)
            feed.append(attempt(QString::number(i)));
        QCOMPARE(feed.size(), 10);
        const TransferFeed::Batch batch = feed.since(0, 100);
        QCOMPARE(sequencesOf(batch.records), range(3, 12));
        for (const TransferRecord &record : batch.records)
            QCOMPARE(record.tid, QString::number(record.sequence - 1));
        QCOMPARE(feed.byTid(QStringLiteral("2")).size(), 1);
        feed.setCapacity(0); // at least one record
        QCOMPARE(feed.capacity(), 1);
        QCOMPARE(sequencesOf(feed.since(0, 100).records), (QList<qint64>{12}));
    }

    void clearDropsRecordsButSequencesContinue()
    {
        TransferFeed feed(10);
        for (int i = 0; i < 5; ++i)
            feed.append(attempt(QStringLiteral("t")));
        feed.clear();
        QCOMPARE(feed.size(), 0);
        QVERIFY(feed.byTid(QStringLiteral("t")).isEmpty());
        TransferFeed::Batch batch = feed.since(2, 100);
        QVERIFY(batch.records.isEmpty());
        QCOMPARE(batch.missed, 3);
        QCOMPARE(batch.firstAvailable, 6);
        QCOMPARE(batch.lastSequence, 5);
        QCOMPARE(feed.append(attempt(QStringLiteral("t"))), 6);
        batch = feed.since(batch.lastSequence, 100);
        QCOMPARE(sequencesOf(batch.records), (QList<qint64>{6}));
        QCOMPARE(batch.missed, 0);
    }

    // 4 threads append 100,000 records in bursts while a reader polls, and the capacity changes
    // once along the way: every sequence the reader accounts for is read once or counted as
    // missed, never both, never twice; each thread's records arrive in its own order; the feed
    // never holds more than its capacity.
    void concurrentAppendsWhileReading()
    {
        constexpr int kThreads = 4;
        constexpr int kPerThread = 25'000;
        constexpr int kBurst = 500;
        constexpr qint64 kTotal = qint64(kThreads) * kPerThread;
        TransferFeed feed(4096);

        std::atomic<int> finished{0};
        QList<QThread *> writers;
        for (int t = 0; t < kThreads; ++t) {
            writers.append(QThread::create([&feed, &finished, t] {
                const QString tid = QStringLiteral("thread-%1").arg(t);
                for (int i = 0; i < kPerThread; ++i) {
                    feed.append(attempt(tid, t, i));
                    if (i % kBurst == kBurst - 1)
                        QThread::yieldCurrentThread();
                }
                ++finished;
            }));
        }
        for (QThread *writer : std::as_const(writers))
            writer->start();

        std::vector<qint64> lastIndexOfThread(kThreads, -1);
        std::vector<char> seen(size_t(kTotal) + 1, 0);
        qint64 cursor = 0;
        qint64 read = 0;
        qint64 missed = 0;
        int maxSize = 0;
        bool inOrder = true;
        bool resized = false;
        for (;;) {
            const bool writersDone = finished.load() == kThreads;
            const TransferFeed::Batch batch = feed.since(cursor, 1000);
            QCOMPARE(batch.missed + batch.records.size(), batch.lastSequence - cursor);
            qint64 expectedAtLeast = cursor + 1;
            for (const TransferRecord &record : batch.records) {
                QVERIFY(record.sequence >= expectedAtLeast); // increasing, no duplicate
                QVERIFY(!seen[size_t(record.sequence)]);
                seen[size_t(record.sequence)] = 1;
                expectedAtLeast = record.sequence + 1;
                qint64 &last = lastIndexOfThread[size_t(record.partnerId)];
                inOrder = inOrder && record.eventId > last;
                last = record.eventId;
            }
            read += batch.records.size();
            missed += batch.missed;
            cursor = batch.lastSequence;
            maxSize = std::max(maxSize, feed.size());
            if (!resized && cursor > kTotal / 2) {
                feed.setCapacity(8192);
                resized = true;
            }
            if (writersDone && cursor == feed.newestSequence())
                break;
        }
        for (QThread *writer : std::as_const(writers)) {
            writer->wait();
            delete writer;
        }
        QVERIFY(inOrder);
        QCOMPARE(cursor, kTotal);
        QCOMPARE(read + missed, kTotal);
        QVERIFY(maxSize <= 8192);
        QCOMPARE(feed.capacity(), 8192);
        // 4096 records moved over at the resize, then filled up by whatever came after it.
        QVERIFY(feed.size() >= 4096 && feed.size() <= 8192);
        qInfo("read %lld, missed %lld", static_cast<long long>(read),
              static_cast<long long>(missed));
    }
};

QTEST_GUILESS_MAIN(tst_TransferFeed)
#include "tst_transferfeed.moc"
