// The demo's traffic generator against a real in-process DCS over loopback: the rate it is set
// to is the rate that arrives, pausing stops it, and its visitors come back and sync IDs.
#include "dcs/dcsserver.h"
#include "dcs/trafficgenerator.h"
#include "storage/storage.h"

#include <QElapsedTimer>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Dcs;

namespace {

constexpr int kWaitMs = 20000;

} // namespace

class TestTrafficGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void rateChangesTakeEffect();
    void pauseStopsTheTraffic();
    void visitorsReturnAndSyncIds();
    void unreachableDcsCountsErrors();
    void highRate();

private:
    quint64 events() const { return m_server->eventStats().snapshot().events; }
    // Calls per second arriving at the DCS while `calls` more of them arrive.
    double measuredRate(quint64 calls);
    qint64 count(const QString &sql);

    QTemporaryDir m_dir;
    std::unique_ptr<DcsServer> m_server;
    int m_databases = 0;
};

void TestTrafficGenerator::init()
{
    QVERIFY(m_dir.isValid());
    m_server = std::make_unique<DcsServer>(nullptr, 2);
    QString error;
    QVERIFY2(m_server->openStorage(m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_databases)),
                                   &error),
             qPrintable(error));
    QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
}

void TestTrafficGenerator::cleanup()
{
    m_server.reset();
}

double TestTrafficGenerator::measuredRate(quint64 calls)
{
    const quint64 start = events();
    QElapsedTimer clock;
    clock.start();
    [&] { QTRY_VERIFY_WITH_TIMEOUT(events() >= start + calls, kWaitMs); }();
    return double(events() - start) * 1000.0 / double(qMax<qint64>(1, clock.elapsed()));
}

qint64 TestTrafficGenerator::count(const QString &sql)
{
    QSqlQuery query(m_server->storage()->reader());
    if (!query.exec(sql) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

void TestTrafficGenerator::rateChangesTakeEffect()
{
    TrafficGenerator traffic;
    QCOMPARE(traffic.rate(), TrafficGenerator::kDefaultRate);
    traffic.setRate(40);
    traffic.start(m_server->listener().address(), m_server->listener().port());
    QVERIFY(traffic.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(events() > 0, kWaitMs); // connected and answered
    // About one second's worth at each rate; the bounds allow for a busy machine.
    const double slow = measuredRate(40);
    QVERIFY2(slow > 15 && slow < 80, qPrintable(QString::number(slow)));
    traffic.setRate(200);
    QCOMPARE(traffic.rate(), 200.0);
    const double fast = measuredRate(200);
    QVERIFY2(fast > 100 && fast < 300, qPrintable(QString::number(fast)));
    QVERIFY2(fast > 2.5 * slow, qPrintable(QStringLiteral("%1 then %2").arg(slow).arg(fast)));

    // Out-of-range rates are clamped, not obeyed.
    traffic.setRate(-5);
    QCOMPARE(traffic.rate(), 0.0);
    traffic.setRate(1e9);
    QCOMPARE(traffic.rate(), TrafficGenerator::kMaxRate);
    traffic.setRate(0);
    traffic.stop();
    QVERIFY(!traffic.isRunning());
    const TrafficGenerator::Counters counters = traffic.counters();
    QVERIFY(counters.sent >= 240);
    QCOMPARE(counters.errors, quint64(0));
}

void TestTrafficGenerator::pauseStopsTheTraffic()
{
    TrafficGenerator traffic;
    traffic.setRate(100);
    traffic.start(m_server->listener().address(), m_server->listener().port());
    QTRY_VERIFY_WITH_TIMEOUT(events() >= 20, kWaitMs);

    traffic.setPaused(true);
    QVERIFY(traffic.isPaused());
    // What was in flight is answered, then nothing more is sent.
    QTRY_VERIFY_WITH_TIMEOUT(traffic.counters().answered + traffic.counters().errors
                                 == traffic.counters().sent,
                             kWaitMs);
    const TrafficGenerator::Counters paused = traffic.counters();
    QTRY_COMPARE_WITH_TIMEOUT(events(), paused.answered, kWaitMs);
    // A negative check needs a quiet period: at 100/s it would hold about 50 calls.
    QTest::qWait(500);
    QCOMPARE(traffic.counters().sent, paused.sent);
    QCOMPARE(events(), paused.answered);

    traffic.setPaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(events() >= paused.answered + 20, kWaitMs);
    QCOMPARE(traffic.counters().errors, quint64(0));
}

void TestTrafficGenerator::visitorsReturnAndSyncIds()
{
    TrafficProfile profile;
    profile.idSyncDpids = {1955, 2077};
    profile.partnerIdShare = 1; // every visitor has an ID at a partner
    profile.idSyncShare = 0.2;
    profile.seed = 42;
    TrafficGenerator traffic(profile);
    traffic.setRate(200);
    traffic.start(m_server->listener().address(), m_server->listener().port());
    QTRY_VERIFY_WITH_TIMEOUT(events() >= 300, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(traffic.counters().idSyncs >= 10, kWaitMs);
    traffic.stop();

    const TrafficGenerator::Counters counters = traffic.counters();
    QCOMPARE(counters.errors, quint64(0));
    QCOMPARE(counters.notSent, quint64(0));
    QVERIFY(counters.answered >= 300);
    QTRY_VERIFY_WITH_TIMEOUT(count(QStringLiteral("SELECT count(*) FROM events"))
                                 >= qint64(events()),
                             kWaitMs);
    // Returning visitors: far fewer visitors than calls, and most calls from a known one.
    const qint64 stored = count(QStringLiteral("SELECT count(*) FROM events"));
    const qint64 visitors = count(QStringLiteral("SELECT count(DISTINCT uuid) FROM events"));
    QVERIFY2(visitors > 0 && visitors * 2 < stored,
             qPrintable(QStringLiteral("%1 visitors in %2 events").arg(visitors).arg(stored)));
    // Declared IDs (d_cid) and /ibs syncs linked partner IDs to visitors, for both partners.
    QCOMPARE(count(QStringLiteral("SELECT count(DISTINCT dpid) FROM id_syncs")), qint64(2));
    // Page signals from the catalogue.
    QVERIFY(count(QStringLiteral("SELECT count(*) FROM events WHERE signals LIKE "
                                 "'%c_section%'"))
            > 0);
}

void TestTrafficGenerator::unreachableDcsCountsErrors()
{
    // A port that was free a moment ago: every connection is refused.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();

    TrafficGenerator traffic;
    traffic.setRate(50);
    traffic.start(QHostAddress::LocalHost, port);
    QTRY_VERIFY_WITH_TIMEOUT(traffic.counters().errors >= 10, kWaitMs);
    QCOMPARE(traffic.counters().answered, quint64(0));
    traffic.stop();
    QCOMPARE(traffic.counters().openConnections, 0);
}

void TestTrafficGenerator::highRate()
{
    // How fast the generator and this DCS go together on this machine: measured and printed,
    // asserted only loosely (debug build, shared machine).
    TrafficGenerator traffic;
    traffic.setRate(TrafficGenerator::kMaxRate);
    traffic.start(m_server->listener().address(), m_server->listener().port());
    QTRY_VERIFY_WITH_TIMEOUT(events() >= 200, kWaitMs);
    const double rate = measuredRate(2000);
    const TrafficGenerator::Counters counters = traffic.counters();
    traffic.stop();
    qInfo("at most %.0f calls/s arrived (%d connections open, %llu not sent)", rate,
          counters.openConnections, counters.notSent);
    QVERIFY2(rate > 200, qPrintable(QString::number(rate)));
    QCOMPARE(counters.errors, quint64(0));
}

QTEST_GUILESS_MAIN(TestTrafficGenerator)
#include "tst_trafficgenerator.moc"
