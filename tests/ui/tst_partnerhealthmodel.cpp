// The partner health strip's model over a real MonitorFeed fed with attempts at controlled
// times: exact rates, success, timeouts, attempts not sent, p99 and breaker text; rows inserted,
// updated in place and removed as partners come and go, never a reset.
#include "monitor/monitorfeed.h"
#include "monitor/partnerhealthmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Dcs;

namespace {

// A whole second (and a whole 10 s): the tests place attempts in seconds around it.
constexpr qint64 kT = 1'700'000'000'000;

TransferRecord attempt(qint64 partnerId, const QString &name, TransferOutcome outcome,
                       qint64 atMs, qint32 totalUs = 0)
{
    TransferRecord record;
    record.partnerId = partnerId;
    record.dpid = 1000 + partnerId;
    record.partnerName = name;
    record.outcome = outcome;
    record.totalUs = totalUs;
    record.startMs = atMs - totalUs / 1000; // the feed counts it at startMs + totalUs / 1000
    return record;
}

void record(MonitorFeed &feed, int count, qint64 partnerId, const QString &name,
            TransferOutcome outcome, qint64 atMs, qint32 totalUs = 0)
{
    for (int i = 0; i < count; ++i)
        feed.recordTransfer(attempt(partnerId, name, outcome, atMs, totalUs));
}

PartnerHealthRow row(qint64 partnerId, int inFlight = 0)
{
    PartnerHealthRow made;
    made.stats.partnerId = partnerId;
    made.stats.name = QStringLiteral("P%1").arg(partnerId);
    made.stats.inFlight = inFlight;
    made.active = true;
    return made;
}

QList<qint64> shownIds(const PartnerHealthModel &model)
{
    QList<qint64> ids;
    for (int r = 0; r < model.rowCount(); ++r)
        ids.append(model.index(r, 0).data(PartnerHealthModel::PartnerIdRole).toLongLong());
    return ids;
}

} // namespace

class tst_PartnerHealthModel : public QObject
{
    Q_OBJECT

private:
    static QString text(const PartnerHealthModel &model, int row, int column,
                        int role = Qt::DisplayRole)
    {
        return model.index(row, column).data(role).toString();
    }

private Q_SLOTS:
    void showsEachPartnersStatistics()
    {
        MonitorFeed feed;
        PartnerHealthModel model(feed);
        QAbstractItemModelTester tester(&model);

        const QString acme = QStringLiteral("Acme");
        // Second kT - 1 (the last complete one at kT + 500): 11 requests sent.
        record(feed, 8, 1, acme, TransferOutcome::Ok, kT - 900, 20'000);
        record(feed, 2, 1, acme, TransferOutcome::Empty, kT - 800, 30'000);
        record(feed, 1, 1, acme, TransferOutcome::Timeout, kT - 700, 80'000);
        // Second kT - 2: three attempts not sent; kT - 5: four more requests.
        record(feed, 2, 1, acme, TransferOutcome::Skipped, kT - 1500);
        record(feed, 1, 1, acme, TransferOutcome::CircuitOpen, kT - 1400);
        record(feed, 4, 1, acme, TransferOutcome::Ok, kT - 4500, 20'000);
        // Bolt only times out; Cirrus is never called.
        record(feed, 3, 2, QStringLiteral("Bolt"), TransferOutcome::Timeout, kT - 300, 80'000);
        record(feed, 2, 3, QStringLiteral("Cirrus"), TransferOutcome::RateLimited, kT - 300);

        model.refresh(kT + 500);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(PartnerHealthModel::ColumnCount));
        using M = PartnerHealthModel;

        QCOMPARE(text(model, 0, M::Name), acme);
        QCOMPARE(model.index(0, M::Name).data(M::DpidRole).toLongLong(), 1001);
        // 15 requests in the last 10 complete seconds; 11 of them in the last one.
        QCOMPARE(text(model, 0, M::CallsPerSecond), QStringLiteral("1.5"));
        QVERIFY2(text(model, 0, M::CallsPerSecond, Qt::ToolTipRole).contains(
                     QStringLiteral("11 in the last second")),
                 qPrintable(text(model, 0, M::CallsPerSecond, Qt::ToolTipRole)));
        // 14 of the 15 requests sent were answered in time.
        QCOMPARE(text(model, 0, M::Success), QStringLiteral("93.3 %"));
        QVERIFY(text(model, 0, M::Success, Qt::ToolTipRole)
                    .startsWith(QStringLiteral("14 of the 15")));
        QCOMPARE(text(model, 0, M::Timeouts), QStringLiteral("1"));
        QVERIFY(!model.index(0, M::Timeouts).data(Qt::DecorationRole).value<QIcon>().isNull());
        QCOMPARE(text(model, 0, M::NotCalled), QStringLiteral("3"));
        const QString notCalledTip = text(model, 0, M::NotCalled, Qt::ToolTipRole);
        QVERIFY2(notCalledTip.contains(QStringLiteral("Skipped: 2"))
                     && notCalledTip.contains(QStringLiteral("Circuit open: 1"))
                     && notCalledTip.contains(QStringLiteral("Rate limited: 0")),
                 qPrintable(notCalledTip));
        // The 15th of 15 samples is the 80 ms timeout: its bin [79,872, 81,919] µs, midpoint
        // 80,895.5 µs. The 8th (p50) is 20 ms: bin [19,968, 20,479], midpoint 20,223.5 µs.
        QCOMPARE(text(model, 0, M::P99), QStringLiteral("80.9 ms"));
        QVERIFY2(text(model, 0, M::P99, Qt::ToolTipRole).contains(QStringLiteral("p50 20.2 ms")),
                 qPrintable(text(model, 0, M::P99, Qt::ToolTipRole)));
        QCOMPARE(text(model, 0, M::InFlight), QStringLiteral("0"));
        QCOMPARE(text(model, 0, M::Breaker), QStringLiteral("Closed"));

        QCOMPARE(text(model, 1, M::Name), QStringLiteral("Bolt"));
        QCOMPARE(text(model, 1, M::CallsPerSecond), QStringLiteral("0.3"));
        QCOMPARE(text(model, 1, M::Success), QStringLiteral("0.0 %"));
        QCOMPARE(text(model, 1, M::Timeouts), QStringLiteral("3"));
        QCOMPARE(text(model, 1, M::P99), QStringLiteral("80.9 ms"));

        QCOMPARE(text(model, 2, M::Name), QStringLiteral("Cirrus"));
        QCOMPARE(text(model, 2, M::CallsPerSecond), QStringLiteral("0.0"));
        QCOMPARE(text(model, 2, M::Success), QStringLiteral("—"));
        QCOMPARE(text(model, 2, M::NotCalled), QStringLiteral("2"));
        QCOMPARE(text(model, 2, M::P99), QStringLiteral("—"));
        QVERIFY(model.index(2, M::Timeouts).data(Qt::DecorationRole).isNull());

        // In flight, as the engine reports it.
        feed.partners().setInFlight(2, 7);
        model.refresh(kT + 600);
        QCOMPARE(text(model, 1, M::InFlight), QStringLiteral("7"));

        // A minute later everything has left the 60 s window.
        model.refresh(kT + 61'000);
        QCOMPARE(text(model, 0, M::CallsPerSecond), QStringLiteral("0.0"));
        QCOMPARE(text(model, 0, M::Success), QStringLiteral("—"));
        QCOMPARE(text(model, 0, M::Timeouts), QStringLiteral("0"));
        QCOMPARE(text(model, 0, M::P99), QStringLiteral("—"));
    }

    void sortsNumbersAsNumbers()
    {
        MonitorFeed feed;
        PartnerHealthModel model(feed);
        record(feed, 12, 1, QStringLiteral("A"), TransferOutcome::Timeout, kT - 500, 80'000);
        record(feed, 9, 2, QStringLiteral("B"), TransferOutcome::Timeout, kT - 500, 80'000);
        model.refresh(kT + 100);
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester tester(&proxy);
        proxy.setSourceModel(&model);
        proxy.setSortRole(PartnerHealthModel::SortRole);
        // As text "12" < "9"; as numbers 9 < 12.
        proxy.sort(PartnerHealthModel::Timeouts, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, PartnerHealthModel::Name).data().toString(), QStringLiteral("B"));
        QCOMPARE(proxy.index(1, PartnerHealthModel::Name).data().toString(), QStringLiteral("A"));
        QCOMPARE(model.index(0, PartnerHealthModel::CallsPerSecond)
                     .data(PartnerHealthModel::SortRole).toDouble(), 1.2);
    }

    void partnersComingAndGoingInsertAndRemoveRows()
    {
        MonitorFeed feed;
        PartnerHealthModel model(feed);
        QAbstractItemModelTester tester(&model);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);

        record(feed, 1, 1, QStringLiteral("A"), TransferOutcome::Ok, kT, 5'000);
        record(feed, 1, 3, QStringLiteral("C"), TransferOutcome::Ok, kT, 5'000);
        model.refresh(kT + 100);
        QCOMPARE(shownIds(model), (QList<qint64>{1, 3}));
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 0);
        QCOMPARE(inserted.first().at(2).toInt(), 1);

        // Nothing new: no signal at all.
        model.refresh(kT + 100);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(changed.size(), 0);

        // B appears between them: inserted at row 1, A and C untouched.
        record(feed, 1, 2, QStringLiteral("B"), TransferOutcome::Ok, kT, 5'000);
        model.refresh(kT + 100);
        QCOMPARE(shownIds(model), (QList<qint64>{1, 2, 3}));
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(inserted.last().at(1).toInt(), 1);
        QCOMPARE(inserted.last().at(2).toInt(), 1);
        QCOMPARE(changed.size(), 0);

        // C's numbers change: one dataChanged over its row only.
        record(feed, 1, 3, QStringLiteral("C"), TransferOutcome::Timeout, kT, 80'000);
        model.refresh(kT + 100);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), model.index(2, 0));
        QCOMPARE(changed.first().at(1).toModelIndex(),
                 model.index(2, PartnerHealthModel::ColumnCount - 1));
        QCOMPARE(text(model, 2, PartnerHealthModel::Timeouts), QStringLiteral("1"));

        // B is removed from the feed: its row goes.
        feed.removePartner(2);
        model.refresh(kT + 100);
        QCOMPARE(shownIds(model), (QList<qint64>{1, 3}));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.first().at(1).toInt(), 1);
        QCOMPARE(removed.first().at(2).toInt(), 1);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(layout.size(), 0);
    }

    void mergesRunsOfRowsInOnePass()
    {
        MonitorFeed feed;
        PartnerHealthModel model(feed);
        QAbstractItemModelTester tester(&model);
        model.setRows({row(1), row(2), row(3), row(5), row(7)}, kT);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // 1 goes, 2 stays, 3 goes, 4 comes, 5 changes, 6 and 8 come, 7 goes.
        model.setRows({row(2), row(4), row(5, 3), row(6), row(8)}, kT);
        QCOMPARE(shownIds(model), (QList<qint64>{2, 4, 5, 6, 8}));
        QCOMPARE(removed.size(), 3);
        QCOMPARE(inserted.size(), 3);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 2);
        QCOMPARE(changed.first().at(1).toModelIndex().row(), 2);
        QCOMPARE(text(model, 2, PartnerHealthModel::InFlight), QStringLiteral("3"));

        model.setRows({}, kT);
        QCOMPARE(model.rowCount(), 0);
        model.setRows({row(9), row(10)}, kT);
        QCOMPARE(shownIds(model), (QList<qint64>{9, 10}));
    }

    void showsBreakerChangesWithTheirReason()
    {
        MonitorFeed feed;
        PartnerHealthModel model(feed);
        QAbstractItemModelTester tester(&model);
        record(feed, 1, 1, QStringLiteral("Flaky"), TransferOutcome::HttpError, kT, 5'000);
        model.refresh(kT + 100);
        using M = PartnerHealthModel;
        QCOMPARE(text(model, 0, M::Breaker), QStringLiteral("Closed"));
        QVERIFY(text(model, 0, M::Breaker, Qt::ToolTipRole)
                    .contains(QStringLiteral("Unchanged since the DCS started")));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const QString reason = QStringLiteral("opened: 20 of 20 calls failed in 10 s");
        feed.partners().setBreakerState(1, PartnerBreakerState::Open, false, reason,
                                        kT + 100 - 125'000);
        model.refresh(kT + 100);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(text(model, 0, M::Breaker), QStringLiteral("Open"));
        QCOMPARE(text(model, 0, M::Breaker, Qt::AccessibleTextRole), QStringLiteral("Open"));
        const QString tip = text(model, 0, M::Breaker, Qt::ToolTipRole);
        QVERIFY2(tip.startsWith(QStringLiteral("Open: ") + reason), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("(2 min 5 s)")), qPrintable(tip));
        QVERIFY(!model.index(0, M::Breaker).data(Qt::DecorationRole).value<QIcon>().isNull());

        feed.partners().setBreakerState(1, PartnerBreakerState::Closed, true,
                                        QStringLiteral("forced closed by an admin"), kT);
        model.refresh(kT + 100);
        QCOMPARE(text(model, 0, M::Breaker), QStringLiteral("Forced closed"));
        feed.partners().setBreakerState(1, PartnerBreakerState::Open, true,
                                        QStringLiteral("forced open by an admin"), kT);
        model.refresh(kT + 100);
        QCOMPARE(text(model, 0, M::Breaker), QStringLiteral("Forced open"));
        QCOMPARE(changed.size(), 3);
    }

    void headersHaveTextAndToolTips()
    {
        MonitorFeed feed;
        PartnerHealthModel model(feed);
        for (int column = 0; column < model.columnCount(); ++column) {
            QVERIFY(!model.headerData(column, Qt::Horizontal).toString().isEmpty());
            QVERIFY(!model.headerData(column, Qt::Horizontal, Qt::ToolTipRole)
                         .toString().isEmpty());
        }
    }
};

QTEST_MAIN(tst_PartnerHealthModel)
#include "tst_partnerhealthmodel.moc"
