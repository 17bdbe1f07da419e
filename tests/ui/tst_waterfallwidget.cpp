#include "monitor/waterfallwidget.h"

#include <QTest>

using namespace Dcs;
using Phase = WaterfallWidget::Phase;



namespace {

TransferRecord record(TransferOutcome outcome, TransferTimings timings, qint32 totalUs)
{
    TransferRecord r;
    r.outcome = outcome;
    r.timings = timings;
    r.totalUs = totalUs;
    r.deadlineMs = 100;
    r.budgetMs = 80;
    r.partnerName = QStringLiteral("Acme");
    return r;
}

QString describe(const QList<WaterfallWidget::Segment> &segments)
{
    QStringList parts;
    for (const auto &segment : segments)
        parts.append(QStringLiteral("%1:%2-%3")
                         .arg(WaterfallWidget::phaseName(segment.phase))
                         .arg(segment.startUs)
                         .arg(segment.endUs));
    return parts.join(u' ');
}

} // namespace

class tst_WaterfallWidget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void segments_data()
    {
        QTest::addColumn<int>("outcome");
        QTest::addColumn<int>("queue");
        QTest::addColumn<int>("connect");
        QTest::addColumn<int>("tls");
        QTest::addColumn<int>("sent");
        QTest::addColumn<int>("firstByte");
        QTest::addColumn<int>("lastByte");
        QTest::addColumn<int>("parse");
        QTest::addColumn<int>("total");
        QTest::addColumn<QString>("expected");

        QTest::newRow("plain http, every phase")
            << int(TransferOutcome::Ok) << 10 << 300 << -1 << 320 << 5000 << 5100 << 5150
            << 5150
            << "queue:0-10 connect:10-300 send:300-320 first byte:320-5000 "
               "last byte:5000-5100 parse:5100-5150";
        QTest::newRow("tls")
            << int(TransferOutcome::Ok) << 0 << 200 << 900 << 950 << 2000 << 2010 << 2020 << 2020
            << "queue:0-0 connect:0-200 TLS:200-900 send:900-950 first byte:950-2000 "
               "last byte:2000-2010 parse:2010-2020";
        // A timeout while waiting: the wait runs to the outcome.
        QTest::newRow("timeout waiting")
            << int(TransferOutcome::Timeout) << 5 << 5 << -1 << 40 << -1 << -1 << -1 << 80000
            << "queue:0-5 connect:5-5 send:5-40 first byte:40-80000";
        // Refused: never connected, the connect phase runs to the outcome.
        QTest::newRow("refused")
            << int(TransferOutcome::NetworkError) << 3 << -1 << -1 << -1 << -1 << -1 << -1
            << 250 << "queue:0-3 connect:3-250";
        QTest::newRow("not called: nothing drawn")
            << int(TransferOutcome::Skipped) << -1 << -1 << -1 << -1 << -1 << -1 << -1 << 0
            << "";
        // Marks out of order (clock granularity) never give a negative bar.
        QTest::newRow("marks out of order")
            << int(TransferOutcome::Ok) << 50 << 40 << -1 << 60 << 70 << 80 << 90 << 90
            << "queue:0-50 connect:50-50 send:50-60 first byte:60-70 last byte:70-80 "
               "parse:80-90";
    }

    void segments()
    {
        QFETCH(int, outcome);
        QFETCH(int, queue);
        QFETCH(int, connect);
        QFETCH(int, tls);
        QFETCH(int, sent);
        QFETCH(int, firstByte);
        QFETCH(int, lastByte);
        QFETCH(int, parse);
        QFETCH(int, total);
        QFETCH(QString, expected);
        const TransferRecord r = record(TransferOutcome(outcome),
                                        {queue, connect, tls, sent, firstByte, lastByte, parse},
                                        total);
        QCOMPARE(describe(WaterfallWidget::segmentsOf(r)), expected);
    }

    void detailedSummaryAndPaint()
    {
        WaterfallWidget widget;
        widget.resize(600, 200);
        widget.setRecord(record(TransferOutcome::Ok, {10, 300, -1, 320, 5000, 5100, 5150}, 5150));
        QCOMPARE(widget.textSummary(),
                 QStringLiteral("queue 0.01 ms\nconnect 0.29 ms\nsend 0.02 ms\n"
                                "first byte 4.68 ms\nlast byte 0.10 ms\nparse 0.05 ms\n"
                                "budget 80.0 ms\ndeadline 100.0 ms"));
        QCOMPARE(widget.accessibleDescription(), widget.textSummary());
        const QImage image = widget.grab().toImage();
        QVERIFY(!image.isNull());
        QVERIFY(widget.sizeHint().height() > 6 * widget.fontMetrics().height());
    }

    void lanesOfOneEvent()
    {
        TransferRecord fast = record(TransferOutcome::Ok, {0, 0, -1, 20, 3000, 3010, 3020}, 3020);
        fast.sequence = 1;
        TransferRecord slow = record(TransferOutcome::Timeout, {0, 0, -1, 20, -1, -1, -1}, 80000);
        slow.sequence = 2;
        slow.partnerName = QStringLiteral("Slowpoke");
        slow.shadow = true;
        WaterfallWidget widget;
        widget.setRecords({fast, slow}, 2);
        QCOMPARE(widget.textSummary(),
                 QStringLiteral("Acme: OK in 3.02 ms\nSlowpoke (shadow): Timeout in 80.0 ms\n"
                                "deadline 100.0 ms"));
        widget.clear();
        QCOMPARE(widget.textSummary(), QStringLiteral("No timings"));
    }
};

QTEST_MAIN(tst_WaterfallWidget)
#include "tst_waterfallwidget.moc"
