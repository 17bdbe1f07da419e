// The partners page's models under QAbstractItemModelTester: the partner list (partners, live
// health, last hour), updated in place, and the shadow results' comparison and codes tables.
#include "partners/partnerlistmodel.h"
#include "partners/shadowcodesmodel.h"
#include "partners/shadowcomparisonmodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QIcon>
#include <QSignalSpy>
#include <QTest>

using namespace Dcs;
using Column = PartnerListModel::Column;

namespace {

Partner partner(qint64 id, const QString &name, qint64 dpid, Partner::Mode mode)
{
    Partner p;
    p.id = id;
    p.name = name;
    p.dpid = dpid;
    p.mode = mode;
    p.endpoint = QStringLiteral("http://127.0.0.1:9/%1").arg(dpid);
    return p;
}

PartnerLiveSnapshot snapshot(qint64 id, double success, double p99Us)
{
    PartnerLiveSnapshot s;
    s.partnerId = id;
    s.called60s = 40;
    s.attempts60s = 41;
    s.successPercent60s = success;
    s.p50Us = 4000;
    s.p95Us = 9000;
    s.p99Us = p99Us;
    return s;
}

QString text(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class tst_PartnerListModel : public QObject
{
    Q_OBJECT

private:
    const Partner m_acme = partner(1, QStringLiteral("Acme Data"), 1955, Partner::Mode::Live);
    const Partner m_bolt = partner(2, QStringLiteral("Bolt Audiences"), 2077,
                                   Partner::Mode::Shadow);

private Q_SLOTS:
    void showsPartnersWithModeIconAndText()
    {
        PartnerListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPartners({m_acme, m_bolt});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(PartnerListModel::ColumnCount));
        QCOMPARE(text(model, 0, Column::Name), QStringLiteral("Acme Data"));
        QCOMPARE(text(model, 0, Column::Dpid), QStringLiteral("1955"));
        QCOMPARE(text(model, 0, Column::Mode), QStringLiteral("Live"));
        QCOMPARE(text(model, 1, Column::Mode), QStringLiteral("Shadow"));
        QVERIFY(!model.index(1, Column::Mode).data(Qt::DecorationRole).value<QIcon>().isNull());
        QCOMPARE(model.index(1, Column::Mode).data(Qt::AccessibleTextRole).toString(),
                 QStringLiteral("Mode: Shadow"));
        QCOMPARE(model.index(1, Column::Name).data(PartnerListModel::PartnerIdRole).toLongLong(),
                 2);
        QCOMPARE(model.index(1, Column::Dpid).data(PartnerListModel::SortRole).toLongLong(),
                 2077);
        // No health yet: a dash, and a tooltip that says why.
        QCOMPARE(text(model, 0, Column::Success), QStringLiteral("–"));
        QVERIFY(model.index(0, Column::Success)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("not been called")));
        QCOMPARE(text(model, 0, Column::HourCalls), QStringLiteral("0"));
        QCOMPARE(model.headerData(Column::P99, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QStringLiteral("p99"));
        QVERIFY(!PartnerListModel::shownByDefault(Column::Endpoint));
        QVERIFY(PartnerListModel::shownByDefault(Column::Breaker));
    }

    void partnersUpdateInPlace()
    {
        PartnerListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPartners({m_acme, m_bolt});
        const QPersistentModelIndex bolt = model.index(1, Column::Name);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        Partner boltLive = m_bolt;
        boltLive.mode = Partner::Mode::Live;
        model.setPartners({m_acme, boltLive});
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 1);
        QVERIFY(bolt.isValid());
        QCOMPARE(bolt.row(), 1);
        QCOMPARE(text(model, 1, Column::Mode), QStringLiteral("Live"));

        // The same list again changes nothing.
        changed.clear();
        model.setPartners({m_acme, boltLive});
        QCOMPARE(changed.count(), 0);

        // Acme goes, Cirrus comes: one removal, one insertion, Bolt's index follows.
        const Partner cirrus = partner(3, QStringLiteral("Cirrus"), 3101, Partner::Mode::Disabled);
        model.setPartners({boltLive, cirrus});
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(bolt.row(), 0);
        QCOMPARE(bolt.data().toString(), QStringLiteral("Bolt Audiences"));
        QCOMPARE(model.rowOf(3), 1);
        QCOMPARE(model.rowOf(1), -1);
        QVERIFY(!model.partner(1));
        QCOMPARE(model.partner(3)->name, QStringLiteral("Cirrus"));
    }

    void liveHealthUpdatesOnlyTheRowsThatChanged()
    {
        PartnerListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPartners({m_acme, m_bolt});
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        PartnerLiveSnapshot acme = snapshot(1, 97.5, 12300);
        acme.breakerState = PartnerBreakerState::Open;
        acme.breakerForced = true;
        acme.breakerReason = QStringLiteral("forced open by an admin");
        acme.inFlight = 3;
        model.setLiveStats({acme});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex(), model.index(0, Column::Success));
        QCOMPARE(changed.at(0).at(1).toModelIndex(), model.index(0, Column::InFlight));
        QCOMPARE(text(model, 0, Column::Success), QStringLiteral("97.5 %"));
        QCOMPARE(text(model, 0, Column::P99), QStringLiteral("12.3 ms"));
        QCOMPARE(text(model, 0, Column::Breaker), QStringLiteral("Open (forced)"));
        QCOMPARE(text(model, 0, Column::InFlight), QStringLiteral("3"));
        QCOMPARE(model.index(0, Column::Breaker).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("forced open by an admin"));
        QVERIFY(!model.index(0, Column::Breaker).data(Qt::DecorationRole).value<QIcon>().isNull());
        QCOMPARE(model.index(0, Column::Success).data(PartnerListModel::SortRole).toDouble(),
                 97.5);
        QCOMPARE(text(model, 1, Column::Success), QStringLiteral("–"));

        // The same numbers again: nothing to repaint.
        changed.clear();
        model.setLiveStats({acme});
        QCOMPARE(changed.count(), 0);

        // Bolt appears, Acme's entry goes (its statistics were removed).
        model.setLiveStats({snapshot(2, 100, 2000)});
        QCOMPARE(changed.count(), 2);
        QCOMPARE(text(model, 0, Column::Success), QStringLiteral("–"));
        QCOMPARE(text(model, 1, Column::Success), QStringLiteral("100.0 %"));
        QCOMPARE(text(model, 1, Column::P99), QStringLiteral("2.00 ms"));
        QCOMPARE(text(model, 1, Column::Breaker), QStringLiteral("Closed"));
    }

    void lastHourFigures()
    {
        PartnerListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPartners({m_acme, m_bolt});
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        PartnerTraffic::PartnerFigures hour;
        hour.partnerId = 2;
        hour.outcomes[size_t(TransferOutcome::Ok)] = 7;
        hour.outcomes[size_t(TransferOutcome::Timeout)] = 2;
        hour.outcomes[size_t(TransferOutcome::HttpError)] = 1;
        hour.outcomes[size_t(TransferOutcome::Skipped)] = 5;
        hour.attempts = 15;
        hour.called = 10;
        hour.codesReceived = 21;
        hour.unmappedCodesReceived = 4;
        hour.latency.measured = 10;
        hour.latency.p99Us = 80000;
        model.setHourFigures({hour});
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex(), model.index(1, Column::HourCalls));
        QCOMPARE(changed.at(0).at(1).toModelIndex(), model.index(1, Column::HourCodes));
        QCOMPARE(text(model, 1, Column::HourCalls), QStringLiteral("10"));
        QCOMPARE(text(model, 1, Column::HourErrors), QStringLiteral("3"));
        QCOMPARE(text(model, 1, Column::HourSuccess), QStringLiteral("70.0 %"));
        QCOMPARE(text(model, 1, Column::HourP99), QStringLiteral("80.0 ms"));
        QCOMPARE(text(model, 1, Column::HourCodes), QStringLiteral("21"));
        QVERIFY(model.index(1, Column::HourCodes)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("21 codes received, 4 unmapped")));
        QCOMPARE(text(model, 0, Column::HourCalls), QStringLiteral("0"));
    }

    void shadowComparisonRows()
    {
        ShadowComparisonModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        PartnerTraffic::ShadowResults results;
        results.shadow.partnerId = 3;
        results.shadow.name = QStringLiteral("Cirrus");
        results.shadow.events = 4;
        results.shadow.called = 4;
        results.shadow.attempts = 4;
        results.shadow.outcomes[size_t(TransferOutcome::Ok)] = 3;
        results.shadow.outcomes[size_t(TransferOutcome::Late)] = 1;
        results.shadow.latency.measured = 4;
        results.shadow.latency.p50Us = 30000;
        results.shadow.latency.withinBudget = 3;
        model.setResults(results);
        QCOMPARE(model.rowCount(), 1); // no live partners: no comparison rows
        QCOMPARE(text(model, 0, ShadowComparisonModel::Partner),
                 QStringLiteral("Cirrus (shadow)"));
        QCOMPARE(text(model, 0, ShadowComparisonModel::InTime), QStringLiteral("3 (75.0 %)"));
        QCOMPARE(text(model, 0, ShadowComparisonModel::Late), QStringLiteral("1"));
        QCOMPARE(text(model, 0, ShadowComparisonModel::P50), QStringLiteral("30.0 ms"));
        QCOMPARE(text(model, 0, ShadowComparisonModel::WithinBudget), QStringLiteral("75.0 %"));

        PartnerTraffic::PartnerFigures acme;
        acme.partnerId = 1;
        acme.name = QStringLiteral("Acme");
        acme.called = 2;
        acme.outcomes[size_t(TransferOutcome::Ok)] = 2;
        results.live = {acme};
        results.liveCombined = acme;
        results.liveCombined.partnerId = 0;
        model.setResults(results);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(text(model, 1, ShadowComparisonModel::Partner), QStringLiteral("Live partners"));
        QCOMPARE(text(model, 2, ShadowComparisonModel::Partner), QStringLiteral("Acme (live)"));
        QCOMPARE(text(model, 2, ShadowComparisonModel::P50), QStringLiteral("–"));
        QVERIFY(model.toText().split(u'\n').at(3).startsWith(QStringLiteral("Acme (live)\t")));

        // Same number of rows: updated in place.
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setResults(results);
        QCOMPARE(reset.count(), 0);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void shadowCodes()
    {
        ShadowCodesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCodes({{QStringLiteral("auto"), 30, 0}, {QStringLiteral("c9"), 10, 10},
                        {QStringLiteral("c7"), 4, 1}},
                       40);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(text(model, 0, ShadowCodesModel::Code), QStringLiteral("auto"));
        QCOMPARE(text(model, 0, ShadowCodesModel::Share), QStringLiteral("75.0 %"));
        QCOMPARE(text(model, 0, ShadowCodesModel::Mapping), QStringLiteral("Mapped"));
        QCOMPARE(text(model, 1, ShadowCodesModel::Mapping), QStringLiteral("Unmapped"));
        QCOMPARE(text(model, 2, ShadowCodesModel::Mapping), QStringLiteral("Unmapped in 1"));
        QVERIFY(model.index(1, ShadowCodesModel::Mapping)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("ic == \"c9\"")));
        QCOMPARE(model.index(1, ShadowCodesModel::Count).data(ShadowCodesModel::SortRole)
                     .toULongLong(),
                 10u);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(tst_PartnerListModel)
#include "tst_partnerlistmodel.moc"
