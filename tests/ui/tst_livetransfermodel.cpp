// The live transfers table's model against a real TransferFeed: bounded, one insertion per
// batch, the filter applied inside, missed records counted, pause and resume, sorts that keep
// persistent indexes on their rows. Every model of the monitor runs under
// QAbstractItemModelTester.
#include "monitor/livetransfermodel.h"
#include "monitor/transfercolumns.h"
#include "monitor/transferlistmodel.h"
#include "monitor/transferfeed.h"

#include <QAbstractItemModelTester>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Dcs;

namespace {

constexpr int kPartners = 3;

// The i-th attempt of a deterministic stream: three partners per /event, a visitor per
// event, outcomes and latencies spread over every value.
TransferRecord attempt(qint64 i)
{
    TransferRecord record;
    const qint64 event = i / kPartners;
    record.eventId = event + 1;
    record.startMs = 1'763'820'000'000 + i;
    record.tid = QStringLiteral("tid%1").arg(event);
    record.uuid = QStringLiteral("visitor%1").arg(event % 101);
    record.dpid = 1000 + i % kPartners;
    record.partnerId = 1 + i % kPartners;
    record.partnerName = QStringLiteral("Partner %1").arg(QChar(u'A' + int(i % kPartners)));
    record.deadlineMs = 100;
    record.budgetMs = 80;
    record.outcome = TransferOutcome((i * 7 + i / 5) % TransferOutcomeCount);
    record.totalUs = qint32((i * 7919) % 90'000);
    if (record.outcome == TransferOutcome::Ok)
        record.codes = {QStringLiteral("c%1").arg(i % 13)};
    return record;
}

// Appends attempts [from, to) to the feed.
void appendRange(TransferFeed &feed, qint64 from, qint64 to)
{
    for (qint64 i = from; i < to; ++i)
        feed.append(attempt(i));
}

qint64 sequenceAt(const LiveTransferModel &model, int row)
{
    return model.index(row, 0).data(LiveTransferModel::SequenceRole).toLongLong();
}

// Burst sizes from 1 to 4,000 in a fixed pseudo-random order.
int burstSize(quint32 &state)
{
    state = state * 1'664'525u + 1'013'904'223u;
    return 1 + int((state >> 8) % 4000);
}

} // namespace

class tst_LiveTransferModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hundredThousandTransfersInBursts()
    {
        TransferFeed feed(60'000);
        LiveTransferModel model;
        QCOMPARE(model.capacity(), LiveTransferModel::kDefaultCapacity);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);

        quint32 state = 7;
        qint64 appended = 0;
        int polls = 0;
        int pollsWithRows = 0;
        int pollsWithRemovals = 0;
        while (appended < 100'000) {
            const qint64 next = std::min<qint64>(100'000, appended + burstSize(state));
            appendRange(feed, appended, next);
            const int burst = int(next - appended);
            appended = next;
            const int before = model.rowCount();
            inserted.clear();
            removed.clear();
            const LiveTransferModel::PollResult result = model.poll(feed);
            ++polls;
            QCOMPARE(result.read, burst);
            QCOMPARE(result.inserted, burst); // no filter
            QCOMPARE(result.missed, 0);
            QVERIFY(model.rowCount() <= model.capacity());
            // Exactly one insertion for the batch, at the end, and at most one removal.
            QCOMPARE(inserted.size(), 1);
            QCOMPARE(inserted.first().at(1).toInt(), model.rowCount() - burst);
            QCOMPARE(inserted.first().at(2).toInt(), model.rowCount() - 1);
            QVERIFY(removed.size() <= 1);
            if (!removed.isEmpty()) {
                ++pollsWithRemovals;
                QCOMPARE(removed.first().at(1).toInt(), 0); // the oldest rows, at the top
                QCOMPARE(removed.first().at(2).toInt(), result.removed - 1);
                QCOMPARE(before + burst - result.removed, model.rowCount());
            }
            ++pollsWithRows;
        }
        QCOMPARE(pollsWithRows, polls);
        QVERIFY(pollsWithRemovals > 0);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(layout.size(), 0);

        // The newest 50,000, in arrival order.
        QCOMPARE(model.rowCount(), 50'000);
        QCOMPARE(model.heldCount(), 50'000);
        QCOMPARE(sequenceAt(model, 0), qint64(50'001));
        QCOMPARE(sequenceAt(model, 49'999), qint64(100'000));
        QCOMPARE(model.record(0).tid, attempt(50'000).tid);
        QCOMPARE(model.record(49'999).uuid, attempt(99'999).uuid);
        QCOMPARE(model.missedCount(), qint64(0));
        QCOMPARE(model.cursor(), qint64(100'000));

        // Nothing new: nothing happens.
        inserted.clear();
        const LiveTransferModel::PollResult idle = model.poll(feed);
        QCOMPARE(idle.read, 0);
        QCOMPARE(inserted.size(), 0);
    }

    void filterAppliesToNewRowsAndOnChange()
    {
        TransferFeed feed(20'000);
        LiveTransferModel model;
        model.setCapacity(5'000);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        TransferFilter timeouts;
        timeouts.outcome = TransferOutcome::Timeout;
        timeouts.dpid = 1001;
        model.setFilter(timeouts);

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        quint32 state = 11;
        qint64 appended = 0;
        while (appended < 30'000) {
            const qint64 next = std::min<qint64>(30'000, appended + burstSize(state) / 4);
            appendRange(feed, appended, next);
            appended = next;
            inserted.clear();
            const LiveTransferModel::PollResult result = model.poll(feed);
            QCOMPARE(inserted.size(), result.inserted > 0 ? 1 : 0);
            QVERIFY(model.heldCount() <= 5'000);
        }
        // Held: the newest 5,000 attempts; shown: those of them that match.
        const auto expected = [](const TransferFilter &filter) {
            QList<qint64> sequences;
            for (qint64 i = 25'000; i < 30'000; ++i) {
                if (filter.matches(attempt(i)))
                    sequences.append(i + 1);
            }
            return sequences;
        };
        const auto shown = [&model] {
            QList<qint64> sequences;
            for (int row = 0; row < model.rowCount(); ++row)
                sequences.append(sequenceAt(model, row));
            return sequences;
        };
        QCOMPARE(model.heldCount(), 5'000);
        QVERIFY(!expected(timeouts).isEmpty());
        QCOMPARE(shown(), expected(timeouts));
        for (int row = 0; row < model.rowCount(); ++row) {
            QCOMPARE(model.record(row).outcome, TransferOutcome::Timeout);
            QCOMPARE(model.record(row).dpid, qint64(1001));
        }

        // A new filter re-filters what is held, at once (one reset).
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        TransferFilter text;
        text.text = QStringLiteral("visitor7"); // visitor7, visitor70..79
        model.setFilter(text);
        QCOMPARE(reset.size(), 1);
        QCOMPARE(shown(), expected(text));
        TransferFilter event;
        event.tid = attempt(29'997).tid;
        model.setFilter(event);
        QCOMPARE(model.rowCount(), kPartners);
        model.setFilter({});
        QCOMPARE(model.rowCount(), 5'000);
    }

    void missedWhenTheFeedOverwroteUnreadRecords()
    {
        TransferFeed feed(1'000);
        LiveTransferModel model;
        appendRange(feed, 0, 100);
        QCOMPARE(model.poll(feed).read, 100);
        QSignalSpy counts(&model, &LiveTransferModel::countsChanged);

        appendRange(feed, 100, 3'100); // the feed keeps 2,101..3,100 only
        const LiveTransferModel::PollResult result = model.poll(feed);
        QCOMPARE(result.missed, qint64(2'000));
        QCOMPARE(result.read, 1'000);
        QCOMPARE(model.missedCount(), qint64(2'000));
        QCOMPARE(model.rowCount(), 1'100);
        QCOMPARE(sequenceAt(model, 99), qint64(100));
        QCOMPARE(sequenceAt(model, 100), qint64(2'101));
        QVERIFY(counts.size() >= 1);

        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.missedCount(), qint64(0));
        appendRange(feed, 3'100, 3'105);
        QCOMPARE(model.poll(feed).read, 5); // reading goes on where it was
        QCOMPARE(sequenceAt(model, 0), qint64(3'101));
    }

    void firstPollDoesNotCountWhatTheFeedDroppedBefore()
    {
        TransferFeed feed(500);
        appendRange(feed, 0, 2'000);
        LiveTransferModel model;
        const LiveTransferModel::PollResult result = model.poll(feed);
        QCOMPARE(result.read, 500);
        QCOMPARE(result.missed, qint64(0));
        QCOMPARE(sequenceAt(model, 0), qint64(1'501));
    }

    void catchUpSkipsWhatCouldNotStay()
    {
        TransferFeed feed(50'000);
        LiveTransferModel model;
        model.setCapacity(1'000);
        model.poll(feed);
        appendRange(feed, 0, 10'000);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        const LiveTransferModel::PollResult result = model.poll(feed);
        QCOMPARE(result.read, 1'000);
        QCOMPARE(result.missed, qint64(9'000));
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.rowCount(), 1'000);
        QCOMPARE(sequenceAt(model, 0), qint64(9'001));
        QCOMPARE(sequenceAt(model, 999), qint64(10'000));
    }

    void batchesAreBoundedAndCatchUpOverPolls()
    {
        TransferFeed feed(50'000);
        LiveTransferModel model;
        model.setMaxBatch(300);
        model.poll(feed);
        appendRange(feed, 0, 1'000);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        LiveTransferModel::PollResult result = model.poll(feed);
        QCOMPARE(result.read, 300);
        QVERIFY(result.more);
        int polls = 1;
        while (result.more) {
            result = model.poll(feed);
            ++polls;
        }
        QCOMPARE(polls, 4);
        QCOMPARE(inserted.size(), 4);
        QCOMPARE(model.rowCount(), 1'000);
        QCOMPARE(model.waitingIn(feed), qint64(0));
    }

    void pauseStopsInsertsAndResumeCatchesUp()
    {
        TransferFeed feed(2'000);
        LiveTransferModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        appendRange(feed, 0, 50);
        model.poll(feed);
        QCOMPARE(model.rowCount(), 50);

        model.setPaused(true);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        appendRange(feed, 50, 550);
        QCOMPARE(model.poll(feed).read, 0);
        QCOMPARE(model.poll(feed).read, 0);
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(model.rowCount(), 50);
        QCOMPARE(model.waitingIn(feed), qint64(500));

        // More than the feed keeps arrives while paused: the overwritten ones are missed.
        appendRange(feed, 550, 2'550);
        QCOMPARE(model.waitingIn(feed), qint64(2'500));
        model.setPaused(false);
        const LiveTransferModel::PollResult result = model.poll(feed);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(result.read, 2'000);
        QCOMPARE(result.missed, qint64(500));
        QCOMPARE(model.rowCount(), 2'050);
        QCOMPARE(sequenceAt(model, 50), qint64(551));
        QCOMPARE(model.waitingIn(feed), qint64(0));
    }

    void newestFirstInsertsAtTheTop()
    {
        TransferFeed feed(10'000);
        LiveTransferModel model;
        model.setCapacity(1'000);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.sort(TransferColumns::Time, Qt::DescendingOrder);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        quint32 state = 3;
        qint64 appended = 0;
        while (appended < 5'000) {
            const qint64 next = std::min<qint64>(5'000, appended + burstSize(state) / 10);
            appendRange(feed, appended, next);
            appended = next;
            inserted.clear();
            removed.clear();
            const LiveTransferModel::PollResult result = model.poll(feed);
            QCOMPARE(inserted.size(), 1);
            QCOMPARE(inserted.first().at(1).toInt(), 0);
            QCOMPARE(inserted.first().at(2).toInt(), result.inserted - 1);
            QVERIFY(removed.size() <= 1);
            if (!removed.isEmpty())
                QCOMPARE(removed.first().at(2).toInt(), model.rowCount() + result.removed
                                                            - result.inserted - 1);
            QCOMPARE(sequenceAt(model, 0), appended);
        }
        QCOMPARE(model.rowCount(), 1'000);
        QCOMPARE(sequenceAt(model, 999), qint64(4'001));
        QCOMPARE(model.rowOfSequence(4'500), 500);
        QCOMPARE(model.rowOfSequence(4'000), -1);
    }

    void sortedByLatencyStaysSortedAndSelectionFollows()
    {
        TransferFeed feed(20'000);
        LiveTransferModel model;
        model.setCapacity(2'000);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        appendRange(feed, 0, 1'500);
        model.poll(feed);
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        model.sort(TransferColumns::Latency, Qt::AscendingOrder);
        QCOMPARE(layout.size(), 1);
        QVERIFY(!model.isTimeOrder());

        // A row the user holds on to (as a selection would) keeps pointing at its record.
        const int watchedRow = model.rowOfSequence(1'400);
        QVERIFY(watchedRow >= 0);
        const QPersistentModelIndex watched(model.index(watchedRow, TransferColumns::Latency));

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        quint32 state = 5;
        qint64 appended = 1'500;
        while (appended < 3'000) {
            const qint64 next = std::min<qint64>(3'000, appended + 1 + burstSize(state) / 40);
            appendRange(feed, appended, next);
            appended = next;
            inserted.clear();
            removed.clear();
            layout.clear();
            const LiveTransferModel::PollResult result = model.poll(feed);
            QCOMPARE(inserted.size(), 1);
            QCOMPARE(removed.size(), result.removed > 0 ? 1 : 0);
            // One layout change to merge the new rows, one more to gather the leaving ones.
            QCOMPARE(layout.size(), result.removed > 0 ? 2 : 1);
            QVERIFY(model.rowCount() <= 2'000);
            for (int row = 1; row < model.rowCount(); ++row)
                QVERIFY(model.record(row - 1).totalUs <= model.record(row).totalUs);
            QVERIFY(watched.isValid());
            QCOMPARE(watched.data(LiveTransferModel::SequenceRole).toLongLong(), qint64(1'400));
        }
        QCOMPARE(model.rowCount(), 2'000);
        QCOMPARE(model.heldCount(), 2'000);
        // Held: sequences 1,001..3,000; every one shown once.
        QSet<qint64> sequences;
        for (int row = 0; row < model.rowCount(); ++row)
            sequences.insert(sequenceAt(model, row));
        QCOMPARE(sequences.size(), 2'000);
        QVERIFY(sequences.contains(1'001) && sequences.contains(3'000));
        QVERIFY(!sequences.contains(1'000));

        // Descending by partner, then back to arrival order.
        model.sort(TransferColumns::Partner, Qt::DescendingOrder);
        QCOMPARE(model.record(0).partnerName, QStringLiteral("Partner C"));
        QCOMPARE(model.record(1'999).partnerName, QStringLiteral("Partner A"));
        QCOMPARE(watched.data(LiveTransferModel::SequenceRole).toLongLong(), qint64(1'400));
        model.sort(TransferColumns::Time, Qt::AscendingOrder);
        QCOMPARE(sequenceAt(model, 0), qint64(1'001));
        QCOMPARE(watched.row(), 399);

        // Appending more: the watched record leaves the ring, and its index with it.
        appendRange(feed, 3'000, 3'500);
        model.poll(feed);
        QVERIFY(!watched.isValid());
    }

    void capacityChangeKeepsTheNewest()
    {
        TransferFeed feed(10'000);
        LiveTransferModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        appendRange(feed, 0, 3'000);
        model.poll(feed);
        model.setCapacity(1'000);
        QCOMPARE(model.capacity(), 1'000);
        QCOMPARE(model.rowCount(), 1'000);
        QCOMPARE(sequenceAt(model, 0), qint64(2'001));
        appendRange(feed, 3'000, 3'600);
        model.poll(feed);
        QCOMPARE(model.rowCount(), 1'000);
        QCOMPARE(sequenceAt(model, 0), qint64(2'601));
        QCOMPARE(sequenceAt(model, 999), qint64(3'600));
        model.setCapacity(5'000); // growing keeps everything
        QCOMPARE(model.rowCount(), 1'000);
        appendRange(feed, 3'600, 4'000);
        model.poll(feed);
        QCOMPARE(model.rowCount(), 1'400);
        QCOMPARE(sequenceAt(model, 1'399), qint64(4'000));
        model.setCapacity(1); // clamped
        QCOMPARE(model.capacity(), LiveTransferModel::kMinimumCapacity);
        QCOMPARE(model.rowCount(), LiveTransferModel::kMinimumCapacity);
    }

    void partnersSeenAreReported()
    {
        TransferFeed feed(100);
        LiveTransferModel model;
        QSignalSpy seen(&model, &LiveTransferModel::partnersSeenChanged);
        appendRange(feed, 0, 10);
        model.poll(feed);
        QCOMPARE(seen.size(), 1);
        QCOMPARE(model.partnersSeen().size(), kPartners);
        QCOMPARE(model.partnersSeen().value(1002), QStringLiteral("Partner C"));
        appendRange(feed, 10, 20);
        model.poll(feed);
        QCOMPARE(seen.size(), 1);
    }

    void columnsAndRoles()
    {
        TransferFeed feed(100);
        LiveTransferModel model;
        appendRange(feed, 0, 3);
        model.poll(feed);
        QCOMPARE(model.columnCount(), int(TransferColumns::Count));
        QCOMPARE(model.headerData(TransferColumns::Outcome, Qt::Horizontal).toString(),
                 QStringLiteral("Outcome"));
        const TransferRecord expected = attempt(1);
        const QModelIndex outcome = model.index(1, TransferColumns::Outcome);
        QCOMPARE(outcome.data().toString(), TransferColumns::outcomeLabel(expected.outcome));
        QVERIFY(!outcome.data(Qt::DecorationRole).value<QIcon>().isNull());
        QCOMPARE(outcome.data(TransferColumns::OutcomeRole).toInt(), int(expected.outcome));
        QCOMPARE(model.index(1, TransferColumns::Tid).data().toString(), expected.tid);
        QCOMPARE(model.index(1, TransferColumns::Latency).data(TransferColumns::SortRole)
                     .toLongLong(),
                 qint64(expected.totalUs));
    }

    void listModelUnderTester()
    {
        TransferListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setRecords({attempt(0), attempt(1), attempt(2)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(2, TransferColumns::Partner).data().toString(),
                 QStringLiteral("Partner C"));
        QCOMPARE(model.headerData(TransferColumns::Partner, Qt::Horizontal).toString(),
                 QStringLiteral("Partner"));
        model.setRecords({attempt(5)});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.record(0).partnerName, attempt(5).partnerName);
    }
};

QTEST_MAIN(tst_LiveTransferModel)
#include "tst_livetransfermodel.moc"
