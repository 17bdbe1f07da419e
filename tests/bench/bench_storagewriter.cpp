// Event-log write throughput: the DCS writer (group commit) against plain SQLite baselines measured
// in the same run on the same machine. Prints one table; asserts nothing.
//
//   build/debug/tests/bench/bench_storagewriter [events]     (default 50000)
#include "profiles/identityresolver.h"
#include "storage/eventlog.h"
#include "storage/sqliteconnection.h"
#include "storage/storage.h"
#include "storage/visitorstore.h"

#include <QCoreApplication>
#include <QSemaphore>
#include <QElapsedTimer>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <mutex>

using namespace Dcs;

namespace {

// As the listener makes them: a new visitor per event (wrk sends no cookie), its UUID from
// IdentityResolver (time-ordered), the row ID taken up front by the caller.
EventRecord sampleEvent(int i)
{
    EventRecord record;
    record.timeMs = 1763820000000 + i;
    record.tid = QStringLiteral("tid%1").arg(i, 9, 10, QLatin1Char('0'));
    record.uuid = IdentityResolver::newUuid();
    record.signalValues = QJsonObject{
        {QStringLiteral("c_section"), QJsonArray{QStringLiteral("sports")}},
        {QStringLiteral("c_page"), QJsonArray{QStringLiteral("/news/%1").arg(i % 500)}},
        {QStringLiteral("h_user-agent"), QJsonArray{QStringLiteral("Mozilla/5.0 (X11; Linux)")}}};
    record.referer = QStringLiteral("https://shop.example/cart");
    record.clientIp = QStringLiteral("127.0.0.0");
    return record;
}

// What the listener writes per /event: the visitor upsert and the event row.
bool writeEvent(WriteContext &context, const EventRow &row, QString *error)
{
    return VisitorStore::touchVisitor(context, QByteArrayView(row.uuid), row.timeMs, error)
           && EventLog::write(context, row, error);
}

struct Row
{
    const char *what;
    int events;
    double seconds;
    double p50Us = -1;
    double p99Us = -1;
};

void print(const Row &row)
{
    std::printf("%-58s %8d %10.0f", row.what, row.events, row.events / row.seconds);
    if (row.p50Us >= 0)
        std::printf(" %9.0f %9.0f", row.p50Us, row.p99Us);
    std::printf("\n");
}

// Baselines: the same INSERT on one WAL connection with synchronous=NORMAL.
Row rawSqlite(const QString &path, int events, bool oneTransaction)
{
    const QString name = QStringLiteral("bench-raw");
    Row row{oneTransaction ? "baseline: raw SQLite, one transaction for all"
                           : "baseline: raw SQLite, one transaction per event",
            events, 0};
    {
        QString error;
        auto storage = Storage::open(path, &error); // schema only
        if (!storage)
            qFatal("%s", qPrintable(error));
    }
    {
        QSqlDatabase db;
        QString error;
        Sqlite::open(path, name, &db, &error);
        Sqlite::enableWriteAheadLog(db, &error);
        WriteContext context(db);
        QElapsedTimer timer;
        timer.start();
        if (oneTransaction)
            db.transaction();
        for (int i = 0; i < events; ++i) {
            const EventRow event = EventRow::from(sampleEvent(i));
            if (!writeEvent(context, event, &error))
                qFatal("%s", qPrintable(error));
        }
        if (oneTransaction)
            db.commit();
        row.seconds = timer.nsecsElapsed() / 1e9;
    }
    Sqlite::close(name);
    return row;
}

// The DCS writer with `producers` threads, each keeping at most `window` events in flight: an
// event is acknowledged by its commit callback, as a listener worker answers a call only once its
// event is durable. window 0 = fire and forget. Latency is submit → commit callback.
Row dcsWriter(const QString &path, int events, int producers, int window)
{
    QString error;
    auto storage = Storage::open(path, &error);
    if (!storage)
        qFatal("%s", qPrintable(error));
    std::mutex latencyMutex;
    QList<double> latencies;
    latencies.reserve(events);
    QElapsedTimer timer;
    timer.start();
    QList<QThread *> threads;
    const int perProducer = events / producers;
    for (int p = 0; p < producers; ++p) {
        threads.append(QThread::create([&, p] {
            QSemaphore inFlight(window);
            for (int i = 0; i < perProducer; ++i) {
                if (window)
                    inFlight.acquire();
                QElapsedTimer sent;
                sent.start();
                EventRow event = EventRow::from(sampleEvent(p * perProducer + i));
                const auto job = [event = std::move(event)](WriteContext &context,
                                                            QString *why) {
                    return writeEvent(context, event, why);
                };
                storage->writer().submit(job, [&, sent](const WriteResult &) {
                    {
                        std::lock_guard lock(latencyMutex);
                        latencies.append(sent.nsecsElapsed() / 1e3);
                    }
                    if (window)
                        inFlight.release();
                });
            }
            if (window)
                inFlight.acquire(window); // every acknowledgement arrived
        }));
        threads.last()->start();
    }
    for (QThread *thread : std::as_const(threads)) {
        thread->wait();
        delete thread;
    }
    storage->writer().stop();
    const double seconds = timer.nsecsElapsed() / 1e9;
    std::sort(latencies.begin(), latencies.end());
    const auto at = [&](double q) { return latencies.at(qsizetype(q * (latencies.size() - 1))); };
    static QByteArray label;
    label = (window ? QStringLiteral("DCS writer: %1 producers, %2 in flight each, acked")
                          .arg(producers)
                          .arg(window)
                    : QStringLiteral("DCS writer: %1 producers, fire and forget").arg(producers))
                .toUtf8();
    Row row{label.constData(), perProducer * producers, seconds, at(0.5), at(0.99)};
    const StorageWriter::Stats stats = storage->writer().stats();
    print(row);
    std::printf("%-58s %8llu batches, largest %llu\n", "", qulonglong(stats.batches),
                qulonglong(stats.largestBatch));
    return row;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int events = argc > 1 ? std::max(1000, std::atoi(argv[1])) : 50000;
    QTemporaryDir dir;
    std::printf("%-58s %8s %10s %9s %9s\n", "run", "events", "events/s", "p50 us", "p99 us");
    print(rawSqlite(dir.filePath(QStringLiteral("raw1.sqlite")), events, true));
    print(rawSqlite(dir.filePath(QStringLiteral("raw2.sqlite")), std::min(events, 5000), false));
    dcsWriter(dir.filePath(QStringLiteral("w1.sqlite")), events, 2, 0);
    dcsWriter(dir.filePath(QStringLiteral("w2.sqlite")), events, 2, 1);
    dcsWriter(dir.filePath(QStringLiteral("w3.sqlite")), events, 2, 64);
    dcsWriter(dir.filePath(QStringLiteral("w4.sqlite")), events, 2, 512);
    return 0;
}
