// The live monitor under load: producer threads report partner attempts and /event calls through
// MonitorFeed (transfers feed + partner statistics + chart series) while a poller at 10 Hz reads
// what the GUI reads per tick: transfers().since(), partners().snapshot() and every chart series.
// Prints ns per append, sampled append latencies, and the poller's time per poll. Asserts nothing.
//
//   build/rel/tests/bench/bench_monitorfeed [records per producer]     (default 1000000)
#include "monitor/monitorfeed.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <vector>

using namespace Dcs;

namespace {

constexpr int kPartners = 3;
constexpr int kPoolSize = 1024;
constexpr int kTimedEvery = 16; // one append in 16 is timed on its own

// Records as the engine makes them: distinct tid/uuid per /event, three partners, codes on
// successes, a sampled request/response now and then.
QList<TransferRecord> recordPool(int producer)
{
    QList<TransferRecord> pool;
    for (int i = 0; i < kPoolSize; ++i) {
        TransferRecord record;
        record.eventId = producer * 1'000'000 + i;
        record.tid = QStringLiteral("tid-%1-%2").arg(producer).arg(i / kPartners, 8, 10,
                                                                    QLatin1Char('0'));
        record.uuid = QStringLiteral("0193a1b2-7c4d-7e5f-8a9b-%1").arg(i, 12, 10, QLatin1Char('0'));
        record.partnerId = i % kPartners + 1;
        record.dpid = 1000 + record.partnerId;
        record.partnerName = QStringLiteral("Partner %1").arg(record.partnerId);
        record.deadlineMs = 100;
        record.budgetMs = 90;
        record.totalUs = 2000 + (i * 7919) % 30'000;
        record.outcome = i % 50 == 0 ? TransferOutcome::Timeout : TransferOutcome::Ok;
        if (record.outcome == TransferOutcome::Ok) {
            record.httpStatus = 200;
            record.codes = {QStringLiteral("seg-%1").arg(i % 40), QStringLiteral("seg-7")};
        } else {
            record.reason = QStringLiteral("deadline reached");
        }
        if (i % 100 == 0) {
            record.requestText = QByteArray("GET /rtdp?tmax=90&uuid=... HTTP/1.1\r\n\r\n");
            record.responseText = QByteArray("HTTP/1.1 200 OK\r\n\r\n{\"segments\":[]}");
        }
        pool.append(record);
    }
    return pool;
}

struct ProducerResult
{
    qint64 appends = 0;
    double seconds = 0;
    std::vector<qint64> sampledNs;
};

// Appends `count` records; with ratePerSecond > 0, paced to that rate (sleeping between bursts).
ProducerResult produce(MonitorFeed &feed, int producer, qint64 count, double ratePerSecond)
{
    const QList<TransferRecord> pool = recordPool(producer);
    ProducerResult result;
    result.sampledNs.reserve(size_t(count / kTimedEvery + 1));
    QElapsedTimer wall;
    wall.start();
    qint64 nowMs = MonitorFeed::currentTimeMs();
    for (qint64 i = 0; i < count; ++i) {
        if (i % 256 == 0)
            nowMs = MonitorFeed::currentTimeMs();
        if (ratePerSecond > 0 && i % 100 == 0) {
            const qint64 dueNs = qint64(double(i) / ratePerSecond * 1e9);
            const qint64 aheadNs = dueNs - wall.nsecsElapsed();
            if (aheadNs > 0)
                QThread::usleep(quint64(aheadNs / 1000));
        }
        TransferRecord record = pool.at(int(i % kPoolSize));
        record.startMs = nowMs - record.totalUs / 1000;
        const qint64 eventLatencyUs = record.totalUs + 500;
        if (i % kTimedEvery == 0) {
            QElapsedTimer one;
            one.start();
            feed.recordTransfer(std::move(record));
            if (i % kPartners == 0)
                feed.recordEvent(eventLatencyUs, nowMs);
            result.sampledNs.push_back(one.nsecsElapsed());
        } else {
            feed.recordTransfer(std::move(record));
            if (i % kPartners == 0)
                feed.recordEvent(eventLatencyUs, nowMs);
        }
    }
    result.appends = count;
    result.seconds = double(wall.nsecsElapsed()) / 1e9;
    return result;
}

// Resident memory in MiB (Linux), to show it stays flat whatever the number of appends.
double residentMiB()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toDouble() * 4096 / (1024 * 1024) : 0;
}

struct PollResult
{
    std::vector<qint64> pollNs;
    std::vector<double> residentMiB; // sampled by the poller, outside the timed part
    qint64 records = 0;
    qint64 missed = 0;
    qint64 points = 0;
};

// What the GUI does per tick: new rows, the health strip, every series of one chart window.
void pollOnce(const MonitorFeed &feed, qint64 &cursor, PollResult &result)
{
    QElapsedTimer timer;
    timer.start();
    const qint64 nowMs = MonitorFeed::currentTimeMs();
    const TransferFeed::Batch batch = feed.transfers().since(cursor,
                                                             TransferFeed::kDefaultCapacity);
    cursor = batch.lastSequence;
    const QList<PartnerLiveSnapshot> partners = feed.partners().snapshot(nowMs);
    qsizetype points = 0;
    const auto window = MonitorSeries::Window::Last5Minutes;
    for (auto metric : {MonitorSeries::Metric::EventsPerSecond,
                        MonitorSeries::Metric::EventLatencyP50Ms,
                        MonitorSeries::Metric::EventLatencyP99Ms})
        points += feed.series().points(metric, window, nowMs).size();
    for (int outcome = 0; outcome < TransferOutcomeCount; ++outcome)
        points += feed.series().outcomePoints(TransferOutcome(outcome), window, nowMs).size();
    for (const PartnerLiveSnapshot &partner : partners)
        points += feed.series().partnerP99Points(partner.partnerId, window, nowMs).size();
    result.pollNs.push_back(timer.nsecsElapsed());
    result.points += points;
    result.records += batch.records.size();
    result.missed += batch.missed;
}

double percentile(std::vector<qint64> values, double q)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return double(values.at(std::min(values.size() - 1, size_t(q * double(values.size())))));
}

void run(const char *what, int producers, qint64 perProducer, double totalRate, bool poll)
{
    MonitorFeed feed;
    std::atomic<bool> producing{true};
    PollResult polled;
    QThread *poller = nullptr;
    if (poll) {
        poller = QThread::create([&] {
            qint64 cursor = 0;
            QElapsedTimer clock;
            clock.start();
            for (int tick = 1; producing.load(); ++tick) {
                pollOnce(feed, cursor, polled);
                polled.residentMiB.push_back(residentMiB());
                const qint64 sleepMs = tick * 100 - clock.elapsed();
                if (sleepMs > 0)
                    QThread::msleep(quint64(sleepMs));
            }
        });
        poller->start();
    }
    std::vector<ProducerResult> results(static_cast<size_t>(producers));
    QList<QThread *> threads;
    QElapsedTimer wall;
    wall.start();
    for (int p = 0; p < producers; ++p) {
        threads.append(QThread::create([&, p] {
            results[size_t(p)] = produce(feed, p, perProducer, totalRate / producers);
        }));
        threads.last()->start();
    }
    for (QThread *thread : std::as_const(threads)) {
        thread->wait();
        delete thread;
    }
    const double seconds = double(wall.nsecsElapsed()) / 1e9;
    const double memoryMiB = residentMiB(); // the feed is full and alive
    producing = false;
    if (poller) {
        poller->wait();
        delete poller;
    }

    std::vector<qint64> sampled;
    double producerSeconds = 0;
    for (const ProducerResult &result : results) {
        sampled.insert(sampled.end(), result.sampledNs.begin(), result.sampledNs.end());
        producerSeconds += result.seconds;
    }
    const double appends = double(perProducer) * producers;
    std::printf("%-44s %10.0f", what, appends / seconds);
    if (totalRate > 0) // paced: the wall time is mostly sleep
        std::printf(" %8s", "paced");
    else
        std::printf(" %8.1f", producerSeconds * 1e9 / appends);
    std::printf(" %8.0f %8.0f %9.0f", percentile(sampled, 0.99), percentile(sampled, 0.999),
                percentile(sampled, 1.0));
    // With a poller: resident memory at mid-run and at the end, to show it stays flat.
    const std::vector<double> &samples = polled.residentMiB;
    const double midMiB = samples.empty() ? memoryMiB : samples.at(samples.size() / 2);
    std::printf(" %5.0f/%-5.0f", midMiB, memoryMiB);
    if (poll) {
        std::printf(" %6zu %8.2f %8.2f %9.0f %9lld", polled.pollNs.size(),
                    percentile(polled.pollNs, 0.5) / 1e6, percentile(polled.pollNs, 1.0) / 1e6,
                    double(polled.records) / double(std::max<size_t>(1, polled.pollNs.size())),
                    static_cast<long long>(polled.missed));
    }
    std::printf("\n");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const qint64 perProducer = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1'000'000;

    std::printf("%-44s %10s %8s %8s %8s %9s %11s %6s %8s %8s %9s %9s\n", "case", "appends/s",
                "ns/app", "p99 ns", "p99.9 ns", "max ns", "RSS", "polls", "poll p50",
                "poll max", "rows/poll", "missed");
    std::printf("%-44s %10s %8s %8s %8s %9s %11s %6s %8s %8s %9s %9s\n", "", "", "(thread)",
                "(sample)", "(sample)", "(sample)", "mid/end MiB", "", "ms", "ms", "", "");
    run("1 producer, no poller", 1, perProducer, 0, false);
    run("2 producers, no poller", 2, perProducer, 0, false);
    run("2 producers + poller at 10 Hz", 2, perProducer, 0, true);
    // The architecture's budget: 10,000 transfers/s watched by the GUI, for 5 seconds.
    run("2 producers at 10,000/s total + poller 10 Hz", 2, 25'000, 10'000, true);
    run("2 producers, 4x the records + poller 10 Hz", 2, 4 * perProducer, 0, true);
    std::printf("\nns/app: a producer's wall time per append (MonitorFeed::recordTransfer, plus\n"
                "recordEvent every 3rd append, plus copying the record from a pool).\n"
                "p99/p99.9/max: one append in %d timed alone. poll: since() + snapshot() + %d "
                "series.\nmissed: rows that left the 50,000-row ring before the poller read "
                "them.\n", kTimedEvery, 3 + TransferOutcomeCount + kPartners);
    return 0;
}
