// The live monitor under the demo's highest traffic rate (issue 6, "responsiveness test"): a
// probe timer on the GUI thread records how late it fires while the monitor page polls the feed.
// The test asserts what must hold whatever the machine: every transfer the feed received was
// read by the table (none missed), the table and the feed stay within their capacities, and
// memory stops growing once they are full. The delays are printed for the benchmark
// (tests/bench/bench_gui.sh, docs/performance.md), never asserted: wall time is not behaviour.
#include "dcs/dcsserver.h"
#include "dcs/trafficgenerator.h"
#include "demoenvironment.h"
#include "mainwindow.h"
#include "monitor/livetransfermodel.h"
#include "monitor/monitorfeed.h"
#include "monitor/monitorpage.h"
#include "common/appidentity.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <sqlite3.h>

#include <algorithm>

using namespace Dcs;

namespace {

// Resident anonymous memory (RssAnon): the heap and the threads' stacks. File-backed pages are
// left out: the SQLite database is memory-mapped (PRAGMA mmap_size), and the pages of a growing
// event log mapped in are the file's, bounded by mmap_size, not the process's own growth.
qint64 residentAnonymousBytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("RssAnon:"))
            return line.mid(8).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return 0;
}

double quantileMs(std::vector<qint64> delaysNs, double q)
{
    if (delaysNs.empty())
        return 0;
    const size_t index = std::min(delaysNs.size() - 1, size_t(q * double(delaysNs.size())));
    std::nth_element(delaysNs.begin(), delaysNs.begin() + qsizetype(index), delaysNs.end());
    return double(delaysNs[index]) / 1e6;
}

// DCS_RESPONSIVENESS_RATE: the demo's calls/s (default its highest); 0 measures the idle
// window, the benchmark's baseline.
double rateFromEnvironment()
{
    bool ok = false;
    const double rate = qEnvironmentVariable("DCS_RESPONSIVENESS_RATE").toDouble(&ok);
    return ok ? qBound(0.0, rate, TrafficGenerator::kMaxRate) : TrafficGenerator::kMaxRate;
}

int secondsFromEnvironment()
{
    bool ok = false;
    const int seconds = qEnvironmentVariableIntValue("DCS_RESPONSIVENESS_SECONDS", &ok);
    return ok && seconds >= 3 ? seconds : 9;
}

} // namespace

class tst_GuiResponsiveness : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
    }

    void monitorKeepsUpWithTheDemoAtItsHighestRate()
    {
        // Capacities small enough that both rings fill during the warm-up, so that memory
        // measured afterwards must be flat.
        constexpr int kCapacity = 5'000;
        constexpr int kProbeIntervalMs = 10;
        const int seconds = secondsFromEnvironment();
        const int warmUpSeconds = seconds / 3;

        QTemporaryDir dir;
        DcsServer server;
        QString error;
        QVERIFY2(server.openStorage(dir.filePath(QStringLiteral("gui.sqlite")), &error),
                 qPrintable(error));
        QVERIFY2(server.startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        server.monitorFeed().transfers().setCapacity(kCapacity);
        std::unique_ptr<DemoEnvironment> demo = DemoEnvironment::start(server, &error);
        QVERIFY2(demo, qPrintable(error));

        qint64 rssAfterWarmUp = 0;
        qint64 rssPeak = 0;
        std::vector<qint64> delaysNs;
        quint64 sentAtStart = 0;
        {
            MainWindow window(server);
            window.setDemoEnvironment(demo.get());
            window.setCurrentPage(QStringLiteral("monitor"));
            auto *page = window.findChild<MonitorPage *>();
            QVERIFY(page);
            page->model()->setCapacity(kCapacity);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));

            const double rate = rateFromEnvironment();
            demo->traffic().setRate(rate);
            demo->traffic().setPaused(rate == 0);
            sentAtStart = demo->traffic().counters().sent;
            const qint64 firstSequence = server.monitorFeed().transfers().newestSequence();

            QElapsedTimer clock;
            clock.start();
            qint64 lastFire = clock.nsecsElapsed();
            delaysNs.reserve(size_t(seconds) * 1000 / kProbeIntervalMs + 16);
            QTimer probe;
            probe.setTimerType(Qt::PreciseTimer);
            probe.setInterval(kProbeIntervalMs);
            connect(&probe, &QTimer::timeout, this, [&] {
                const qint64 now = clock.nsecsElapsed();
                if (clock.elapsed() > warmUpSeconds * 1000)
                    delaysNs.push_back(qMax<qint64>(0, now - lastFire
                                                           - qint64(kProbeIntervalMs) * 1'000'000));
                lastFire = now;
            });
            QTimer memory;
            memory.setInterval(250);
            connect(&memory, &QTimer::timeout, this, [&] {
                // SQLite's own heap (its page caches, up to 64 MiB per connection, fill as the
                // log grows: bounded by design) is left out of what must stay flat.
                const qint64 rss = residentAnonymousBytes() - sqlite3_memory_used();
                if (clock.elapsed() <= warmUpSeconds * 1000)
                    rssAfterWarmUp = rss;
                else
                    rssPeak = qMax(rssPeak, rss);
            });
            QTimer end;
            end.setSingleShot(true);
            QSignalSpy ended(&end, &QTimer::timeout);
            probe.start();
            memory.start();
            end.start(seconds * 1000);
            QVERIFY(ended.wait(seconds * 1000 + 60'000));
            probe.stop();
            memory.stop();
            demo->traffic().setPaused(true);

            // Every transfer the feed received reaches the table: the cursor catches up and
            // nothing was overwritten before it was read.
            const TransferFeed &feed = server.monitorFeed().transfers();
            QTRY_COMPARE_WITH_TIMEOUT(page->model()->waitingIn(feed), qint64(0), 30'000);
            const qint64 received = feed.newestSequence() - firstSequence;
            if (rate > 0)
                QVERIFY2(received > 0, "the demo produced no partner calls");
            QCOMPARE(page->model()->missedCount(), qint64(0));
            QVERIFY(page->model()->heldCount() <= kCapacity);
            QVERIFY(page->model()->rowCount() <= kCapacity);
            QVERIFY(feed.size() <= kCapacity);

            const double runSeconds = clock.elapsed() / 1000.0;
            const quint64 sent = demo->traffic().counters().sent - sentAtStart;
            qInfo().noquote()
                << QStringLiteral("responsiveness: demo rate %6/s: %1 s, %2 events sent (%3/s), "
                                  "%4 transfers read by the table (%5/s), none missed")
                       .arg(runSeconds, 0, 'f', 1)
                       .arg(sent)
                       .arg(double(sent) / runSeconds, 0, 'f', 0)
                       .arg(received)
                       .arg(double(received) / runSeconds, 0, 'f', 0)
                       .arg(rate);
            qInfo().noquote()
                << QStringLiteral("responsiveness: GUI probe delay over %1 ticks after %2 s "
                                  "warm-up: p50 %3 ms, p99 %4 ms, max %5 ms")
                       .arg(delaysNs.size())
                       .arg(warmUpSeconds)
                       .arg(quantileMs(delaysNs, 0.5), 0, 'f', 2)
                       .arg(quantileMs(delaysNs, 0.99), 0, 'f', 2)
                       .arg(quantileMs(delaysNs, 1.0), 0, 'f', 2);
            qInfo().noquote()
                << QStringLiteral("responsiveness: resident anonymous memory outside SQLite %1 MiB "
                                  "after warm-up, peak %2 MiB after")
                       .arg(double(rssAfterWarmUp) / (1 << 20), 0, 'f', 1)
                       .arg(double(rssPeak) / (1 << 20), 0, 'f', 1);
        }
        QVERIFY(!delaysNs.empty());
#if defined(__SANITIZE_ADDRESS__)
        // AddressSanitizer keeps freed memory in quarantine (up to 256 MiB) to catch
        // use-after-free: resident memory grows with every allocation churned, whatever the
        // code does. The debug and release runs assert flatness; this one only prints it.
        qInfo("responsiveness: memory not asserted under AddressSanitizer (quarantine)");
#else
        // Flat once the rings are full: what may still grow is the allocator's arenas. Keeping
        // every transfer (about 1 KiB each with its strings) would grow by that much per
        // transfer read, tens of MiB in this run.
        QVERIFY2(rssPeak - rssAfterWarmUp < 16LL << 20,
                 qPrintable(QStringLiteral("grew by %1 MiB")
                                .arg(double(rssPeak - rssAfterWarmUp) / (1 << 20))));
#endif
        server.shutdown();
        demo.reset();
    }
};

QTEST_MAIN(tst_GuiResponsiveness)
#include "tst_guiresponsiveness.moc"
