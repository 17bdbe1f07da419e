#include "monitor/transfercolumns.h"
#include "monitor/transferfilter.h"

#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

using namespace Dcs;

Q_DECLARE_METATYPE(Dcs::TransferFilter)

namespace {

TransferRecord sample()
{
    TransferRecord r;
    r.tid = QStringLiteral("tid-0001");
    r.uuid = QStringLiteral("12345678901234567890123456789012345678");
    r.partnerName = QStringLiteral("Acme Data");
    r.dpid = 1001;
    r.outcome = TransferOutcome::Ok;
    r.reason = QStringLiteral("status 200");
    r.codes = {QStringLiteral("auto"), QStringLiteral("sports")};
    r.unsegments = {QStringLiteral("golf")};
    r.unmappedCodes = {QStringLiteral("sports")};
    r.deadlineMs = 100;
    r.budgetMs = 78;
    r.totalUs = 12'345;
    return r;
}

} // namespace

class tst_TransferFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matches_data()
    {
        QTest::addColumn<TransferFilter>("filter");
        QTest::addColumn<bool>("expected");
        const auto with = [](auto change) {
            TransferFilter filter;
            change(filter);
            return filter;
        };
        QTest::newRow("empty") << TransferFilter{} << true;
        QTest::newRow("dpid") << with([](auto &f) { f.dpid = 1001; }) << true;
        QTest::newRow("other dpid") << with([](auto &f) { f.dpid = 1002; }) << false;
        QTest::newRow("outcome") << with([](auto &f) { f.outcome = TransferOutcome::Ok; }) << true;
        QTest::newRow("other outcome")
            << with([](auto &f) { f.outcome = TransferOutcome::Late; }) << false;
        QTest::newRow("visitor exact")
            << with([](auto &f) { f.visitor = QStringLiteral("12345678901234567890123456789012345678"); })
            << true;
        QTest::newRow("visitor prefix is not a match")
            << with([](auto &f) { f.visitor = QStringLiteral("1234"); }) << false;
        QTest::newRow("tid") << with([](auto &f) { f.tid = QStringLiteral("tid-0001"); }) << true;
        QTest::newRow("text in partner, any case")
            << with([](auto &f) { f.text = QStringLiteral("acme"); }) << true;
        QTest::newRow("text in code")
            << with([](auto &f) { f.text = QStringLiteral("SPORT"); }) << true;
        QTest::newRow("text in unsegment")
            << with([](auto &f) { f.text = QStringLiteral("golf"); }) << true;
        QTest::newRow("text in reason")
            << with([](auto &f) { f.text = QStringLiteral("status 2"); }) << true;
        QTest::newRow("text nowhere")
            << with([](auto &f) { f.text = QStringLiteral("tennis"); }) << false;
        QTest::newRow("all fields must hold")
            << with([](auto &f) {
                   f.dpid = 1001;
                   f.text = QStringLiteral("tennis");
               })
            << false;
    }

    void matches()
    {
        QFETCH(TransferFilter, filter);
        QFETCH(bool, expected);
        QCOMPARE(filter.matches(sample()), expected);
        QCOMPARE(filter.isEmpty(), filter == TransferFilter{});
    }

    void toLogFilter()
    {
        TransferFilter filter;
        filter.dpid = 7;
        filter.outcome = TransferOutcome::Timeout;
        filter.visitor = QStringLiteral("u");
        filter.tid = QStringLiteral("t");
        const TransferLog::Filter log = filter.toLogFilter();
        QCOMPARE(log.dpid, std::optional<qint64>(7));
        QCOMPARE(log.outcome, std::optional<TransferOutcome>(TransferOutcome::Timeout));
        QCOMPARE(log.uuid, QStringLiteral("u"));
        QCOMPARE(log.tid, QStringLiteral("t"));
    }

    void columns()
    {
        const TransferRecord r = sample();
        using namespace TransferColumns;
        QCOMPARE(data(r, Outcome, Qt::DisplayRole).toString(), QStringLiteral("OK"));
        QVERIFY(!data(r, Outcome, Qt::DecorationRole).value<QIcon>().isNull());
        QCOMPARE(data(r, Codes, Qt::DisplayRole).toString(),
                 QStringLiteral("auto, sports*, -golf"));
        QCOMPARE(data(r, Budget, Qt::DisplayRole).toString(), QStringLiteral("78 / 100 ms"));
        QCOMPARE(data(r, Latency, Qt::DisplayRole).toString(), QStringLiteral("12.3 ms"));
        QCOMPARE(data(r, Latency, SortRole).toLongLong(), 12'345);
        QCOMPARE(data(r, Tid, OutcomeRole).toInt(), int(TransferOutcome::Ok));
        TransferRecord skipped = r;
        skipped.outcome = TransferOutcome::Skipped;
        skipped.budgetMs = 0;
        QCOMPARE(data(skipped, Latency, Qt::DisplayRole).toString(), QString());
        QCOMPARE(data(skipped, Budget, Qt::DisplayRole).toString(), QStringLiteral("— / 100 ms"));
        // Every outcome has its own label and an icon.
        QSet<QString> labels;
        for (int value = 0; value < TransferOutcomeCount; ++value) {
            labels.insert(outcomeLabel(TransferOutcome(value)));
            QVERIFY(!outcomeIcon(TransferOutcome(value)).isNull());
            QVERIFY(!outcomeDescription(TransferOutcome(value)).isEmpty());
        }
        QCOMPARE(labels.size(), TransferOutcomeCount);
        for (int column = 0; column < Count; ++column)
            QVERIFY(!header(column).isEmpty());
    }

    void filterBarEmitsOnEveryChange()
    {
        TransferFilterBar bar;
        bar.setPartners({{QStringLiteral("Acme"), 1001}, {QStringLiteral("Beta"), 1002}});
        QSignalSpy spy(&bar, &TransferFilterBar::filterChanged);
        bar.partnerBox()->setCurrentIndex(bar.partnerBox()->findData(1002));
        QCOMPARE(spy.size(), 1);
        QCOMPARE(bar.filter().dpid, std::optional<qint64>(1002));
        QTest::keyClicks(bar.textEdit(), QStringLiteral("ab"));
        QCOMPARE(spy.size(), 3);
        QCOMPARE(bar.filter().text, QStringLiteral("ab"));
        bar.outcomeBox()->setCurrentIndex(bar.outcomeBox()->findData(int(TransferOutcome::Late)));
        QCOMPARE(bar.filter().outcome, std::optional<TransferOutcome>(TransferOutcome::Late));
        // The chosen partner survives a refresh of the list, and is dropped when it is gone.
        bar.setPartners({{QStringLiteral("Beta"), 1002}});
        QCOMPARE(bar.filter().dpid, std::optional<qint64>(1002));
        bar.setPartners({{QStringLiteral("Acme"), 1001}});
        QCOMPARE(bar.filter().dpid, std::nullopt);
        const int before = int(spy.size());
        bar.clear();
        QVERIFY(bar.filter().isEmpty());
        QCOMPARE(spy.size(), before + 1); // one signal for the whole reset
        TransferFilter wanted;
        wanted.visitor = QStringLiteral("v1");
        wanted.outcome = TransferOutcome::Timeout;
        bar.setFilter(wanted);
        QCOMPARE(bar.filter(), wanted);
        QCOMPARE(bar.visitorEdit()->text(), QStringLiteral("v1"));
    }
};

QTEST_MAIN(tst_TransferFilter)
#include "tst_transferfilter.moc"
