#include "storage/eventlog.h"
#include "storage/sqliteconnection.h"
#include "storage/storage.h"

#include <QFileInfo>
#include <QProcess>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <mutex>

using namespace Dcs;

namespace {

const char kChildDbVariable[] = "DCS_WRITER_CHILD_DB";

EventRecord eventWithTid(const QString &tid)
{
    EventRecord record;
    record.tid = tid;
    record.uuid = QStringLiteral("06151304227769720433039235178204449977");
    record.signalValues = QJsonObject{{QStringLiteral("c_section"),
                                       QJsonArray{QStringLiteral("sports")}}};
    return record;
}

QSet<QString> storedTids(QSqlDatabase db)
{
    QSet<QString> tids;
    QSqlQuery query(db);
    query.exec(QStringLiteral("SELECT tid FROM events"));
    while (query.next())
        tids.insert(query.value(0).toString());
    return tids;
}

// The child of killedProcessLosesNoAcknowledgedWrite: writes events from four threads and prints
// "ack <tid>" for each one only after its commit. Bounded: stops by itself after 200,000 events.
int runWriterChild(const QString &path)
{
    QString error;
    auto storage = Storage::open(path, &error);
    if (!storage) {
        std::fprintf(stderr, "child: %s\n", qPrintable(error));
        return 3;
    }
    std::mutex outputMutex;
    QList<QThread *> threads;
    for (int t = 0; t < 4; ++t) {
        threads.append(QThread::create([&storage, &outputMutex, t] {
            EventLog log(*storage);
            for (int i = 0; i < 50000; ++i) {
                const QString tid = QStringLiteral("w%1-%2").arg(t).arg(i);
                const quint64 ticket = log.append(eventWithTid(tid), [&outputMutex, tid](
                                                                         const WriteResult &r) {
                    if (!r.ok)
                        return;
                    std::lock_guard lock(outputMutex);
                    std::fprintf(stdout, "ack %s\n", qPrintable(tid));
                    std::fflush(stdout);
                });
                storage->writer().waitForCommit(ticket);
            }
        }));
        threads.last()->start();
    }
    for (QThread *thread : std::as_const(threads)) {
        thread->wait();
        delete thread;
    }
    return 0;
}

} // namespace

class tst_StorageWriter : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_fileCounter = 0;

    std::unique_ptr<Storage> openStorage(StorageWriterOptions writer = {})
    {
        StorageOptions options;
        options.writer = writer;
        QString error;
        auto storage = Storage::open(
            m_dir.filePath(QStringLiteral("w%1.sqlite").arg(++m_fileCounter)), options, &error);
        if (!storage)
            qWarning("%s", qPrintable(error));
        return storage;
    }

private Q_SLOTS:
    void manyThreadsEnqueueAndEverythingCommits()
    {
        StorageWriterOptions writer;
        writer.maxBatchDelayMs = 5; // let batches form so that group commit is exercised
        auto storage = openStorage(writer);
        QVERIFY(storage);
        constexpr int kThreads = 8;
        constexpr int kPerThread = 1000;
        std::atomic<int> callbacks{0};
        std::atomic<quint64> lastTicket{0};
        QList<QThread *> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.append(QThread::create([&, t] {
                EventLog log(*storage);
                for (int i = 0; i < kPerThread; ++i) {
                    const quint64 ticket = log.append(
                        eventWithTid(QStringLiteral("t%1-%2").arg(t).arg(i)),
                        [&callbacks](const WriteResult &result) {
                            if (result.ok)
                                ++callbacks;
                        });
                    quint64 seen = lastTicket.load();
                    while (ticket > seen && !lastTicket.compare_exchange_weak(seen, ticket)) {
                    }
                }
            }));
            threads.last()->start();
        }
        for (QThread *thread : std::as_const(threads)) {
            QVERIFY(thread->wait(60000));
            delete thread;
        }
        QVERIFY(storage->writer().waitForCommit(lastTicket.load(), 60000));
        QCOMPARE(callbacks.load(), kThreads * kPerThread);
        QCOMPARE(EventLog(*storage).count(), qint64(kThreads * kPerThread));
        QCOMPARE(storedTids(storage->reader()).size(), kThreads * kPerThread);

        const StorageWriter::Stats stats = storage->writer().stats();
        QCOMPARE(stats.committed, quint64(kThreads * kPerThread));
        QCOMPARE(stats.failedItems, quint64(0));
        QVERIFY2(stats.batches < stats.committed / 4,
                 qPrintable(QStringLiteral("%1 batches").arg(stats.batches)));
    }

    void waitForCommitMakesTheRowVisibleToReaders()
    {
        auto storage = openStorage();
        QVERIFY(storage);
        EventLog log(*storage);
        const EventIds::Allocated ids = storage->eventIds().next();
        EventRecord event = eventWithTid(ids.tid);
        event.id = ids.id;
        const quint64 ticket = log.append(event);
        QVERIFY(ticket > 0);
        QVERIFY(storage->writer().waitForCommit(ticket, 10000));
        const auto record = log.byTid(ids.tid);
        QVERIFY(record);
        QCOMPARE(record->id, ids.id);
        QCOMPARE(record->signalValues.value(QStringLiteral("c_section")).toArray().first(),
                 QJsonValue(QStringLiteral("sports")));
    }

    void aFailingJobCostsOnlyItself()
    {
        StorageWriterOptions writer;
        writer.maxBatchDelayMs = 300; // all three land in one batch
        auto storage = openStorage(writer);
        QVERIFY(storage);
        QList<WriteResult> results(3);
        StorageWriter &w = storage->writer();
        const auto insert = [](const QString &tid, bool succeed) {
            return [tid, succeed](WriteContext &context, QString *error) {
                if (!EventLog::write(context, eventWithTid(tid), error))
                    return false;
                if (!succeed)
                    *error = QStringLiteral("refused on purpose");
                return succeed;
            };
        };
        w.submit(insert(QStringLiteral("good-1"), true),
                 [&](const WriteResult &r) { results[0] = r; });
        w.submit(insert(QStringLiteral("bad"), false),
                 [&](const WriteResult &r) { results[1] = r; });
        const quint64 last = w.submit(insert(QStringLiteral("good-2"), true),
                                      [&](const WriteResult &r) { results[2] = r; });
        QVERIFY(w.waitForCommit(last, 10000));
        QVERIFY(results[0].ok);
        QVERIFY(!results[1].ok);
        QCOMPARE(results[1].error, QStringLiteral("refused on purpose"));
        QVERIFY(results[2].ok);
        QCOMPARE(w.stats().batches, quint64(1));
        QCOMPARE(w.stats().replayedBatches, quint64(1));
        QCOMPARE(storedTids(storage->reader()),
                 (QSet<QString>{QStringLiteral("good-1"), QStringLiteral("good-2")}));
    }

    void aCleanBatchRunsOnce()
    {
        StorageWriterOptions writer;
        writer.maxBatchDelayMs = 300;
        auto storage = openStorage(writer);
        QVERIFY(storage);
        int runs = 0;
        StorageWriter &w = storage->writer();
        w.submit([&runs](WriteContext &, QString *) { ++runs; return true; });
        QVERIFY(w.runAndWait([&runs](WriteContext &, QString *) { ++runs; return true; }).ok);
        QCOMPARE(runs, 2);
        QCOMPARE(w.stats().replayedBatches, quint64(0));
    }

    void writeBackStartsFromTheValueWhenItsBatchIsReplayed()
    {
        // A neighbour's failure replays the batch: the write must not see its own first run.
        StorageWriterOptions writer;
        writer.maxBatchDelayMs = 300;
        auto storage = openStorage(writer);
        QVERIFY(storage);
        StorageWriter &w = storage->writer();
        w.submit([](WriteContext &, QString *error) {
            *error = QStringLiteral("refused on purpose");
            return false;
        });
        struct Counted
        {
            int runsSeen = 0;
        };
        Counted value;
        const WriteResult result = w.writeBack(value, [](WriteContext &, Counted &copy,
                                                         QString *) {
            ++copy.runsSeen;
            return true;
        });
        QVERIFY(result.ok);
        QCOMPARE(w.stats().replayedBatches, quint64(1));
        QCOMPARE(value.runsSeen, 1);
    }

    void checkpointsCopyTheLogIntoTheDatabaseWhileOpen()
    {
        // The writer never checkpoints; its own thread does, so the database file grows while
        // the storage is open and the log does not grow without bound.
        StorageWriterOptions writer;
        writer.checkpointIntervalMs = 20;
        auto storage = openStorage(writer);
        QVERIFY(storage);
        const QString path = storage->path();
        const qint64 sizeBefore = QFileInfo(path).size();
        EventLog log(*storage);
        quint64 last = 0;
        for (int i = 0; i < 3000; ++i)
            last = log.append(eventWithTid(QStringLiteral("cp%1").arg(i)));
        QVERIFY(storage->writer().waitForCommit(last, 10000));
        QTRY_VERIFY(storage->writer().checkpointStats().framesCopied > 0);
        QTRY_VERIFY(QFileInfo(path).size() > sizeBefore);
        QSqlQuery mode(storage->reader());
        QVERIFY(mode.exec(QStringLiteral("PRAGMA wal_autocheckpoint")) && mode.next());
        QCOMPARE(mode.value(0).toInt(), 1000); // readers keep SQLite's default; only the writer
                                               // has automatic checkpoints off
    }

    void sqliteStatementsBindEmptyTextAndReportErrors()
    {
        auto storage = openStorage();
        QVERIFY(storage);
        const WriteResult result = storage->writer().runAndWait([](WriteContext &context,
                                                                   QString *error) {
            Sqlite::Statement &insert = context.sqliteStatement(
                "INSERT INTO events (id, ts_ms, tid, uuid) VALUES (?, ?, ?, ?)");
            insert.bind(1, qint64(7));
            insert.bind(2, qint64(1));
            insert.bind(3, QByteArrayView()); // '' (the column is NOT NULL), never NULL
            insert.bind(4, QByteArrayView("u"));
            if (!insert.step(error))
                return false;
            insert.bind(1, qint64(7)); // the bindings were cleared: all of them again
            insert.bind(2, qint64(1));
            insert.bind(3, QByteArrayView("t"));
            insert.bind(4, QByteArrayView("u"));
            QString duplicate;
            if (insert.step(&duplicate)) {
                *error = QStringLiteral("a duplicate id was accepted");
                return false;
            }
            if (!duplicate.contains(QStringLiteral("UNIQUE"))
                || !duplicate.contains(QStringLiteral("INSERT INTO events"))) {
                *error = QStringLiteral("unexpected message: ") + duplicate;
                return false;
            }
            return true;
        });
        QVERIFY2(result.ok, qPrintable(result.error));
        QSqlQuery stored(storage->reader());
        QVERIFY(stored.exec(QStringLiteral("SELECT tid IS NULL, tid FROM events WHERE id = 7")));
        QVERIFY(stored.next());
        QCOMPARE(stored.value(0).toInt(), 0);
        QCOMPARE(stored.value(1).toString(), QString());
    }

    void batchesCloseByCount()
    {
        StorageWriterOptions writer;
        writer.maxBatchItems = 10;
        writer.maxBatchDelayMs = 2000;
        auto storage = openStorage(writer);
        QVERIFY(storage);
        EventLog log(*storage);
        quint64 last = 0;
        for (int i = 0; i < 25; ++i)
            last = log.append(eventWithTid(QStringLiteral("c%1").arg(i)));
        storage->writer().stop(); // commits what is queued without waiting out the delay
        const StorageWriter::Stats stats = storage->writer().stats();
        QCOMPARE(stats.committed, quint64(25));
        QCOMPARE(stats.largestBatch, quint64(10));
        QVERIFY(stats.batches >= 3);
        QVERIFY(storage->writer().waitForCommit(last, 0));
    }

    void callbackArrivesOnTheContextThread()
    {
        auto storage = openStorage();
        QVERIFY(storage);
        QThread *callbackThread = nullptr;
        WriteResult result;
        storage->writer().submit(
            [](WriteContext &context, QString *error) {
                return EventLog::write(context, eventWithTid(QStringLiteral("ctx")), error);
            },
            this, [&](const WriteResult &r) {
                result = r;
                callbackThread = QThread::currentThread();
            });
        QTRY_VERIFY_WITH_TIMEOUT(callbackThread != nullptr, 10000);
        QCOMPARE(callbackThread, QThread::currentThread());
        QVERIFY(result.ok);
    }

    // A thread that opted in gets its finished jobs back to destroy at its next submit (what
    // they captured was allocated there); others' jobs are destroyed on the writer thread, and
    // whatever is still waiting for its thread at stop() is destroyed there.
    void finishedJobsAreDestroyedWhereTheOptedInThreadSubmitsNext()
    {
        std::mutex mutex; // before the storage: its stop() may still destroy probes
        QHash<QString, QThread *> destroyedOn;
        auto storage = openStorage();
        QVERIFY(storage);
        StorageWriter &writer = storage->writer();
        const auto probe = [&](const QString &name) {
            return std::shared_ptr<int>(new int(0), [&, name](int *value) {
                std::lock_guard lock(mutex);
                destroyedOn.insert(name, QThread::currentThread());
                delete value;
            });
        };
        // The job holds the only reference: no temporary outlives the statement that built it.
        const auto submitHolding = [&](const QString &name) {
            WriteJob job = [held = probe(name)](WriteContext &, QString *) { return bool(held); };
            return writer.submit(std::move(job));
        };

        bool committed = false;
        bool secondKeptUntilTheNextSubmit = false;
        QThread *producer = QThread::create([&] {
            StorageWriter::disposeJobsOnThisThread();
            const auto destroyed = [&](const QString &name) {
                std::lock_guard lock(mutex);
                return destroyedOn.contains(name);
            };
            committed = writer.waitForCommit(submitHolding(QStringLiteral("first")), 10000);
            // The job comes back just after its commit is announced: a later submit takes it.
            const WriteJob nothing = [](WriteContext &, QString *) { return true; };
            for (int i = 0; committed && i < 1000 && !destroyed(QStringLiteral("first")); ++i)
                committed = writer.waitForCommit(writer.submit(nothing), 10000);
            committed = committed
                        && writer.waitForCommit(submitHolding(QStringLiteral("second")), 10000);
            secondKeptUntilTheNextSubmit = !destroyed(QStringLiteral("second"));
        });
        producer->start();
        QVERIFY(producer->wait(30000));
        QVERIFY(committed);
        QVERIFY(secondKeptUntilTheNextSubmit);

        QVERIFY(writer.waitForCommit(submitHolding(QStringLiteral("not opted in")), 10000));
        QTRY_VERIFY_WITH_TIMEOUT(
            ([&] {
                std::lock_guard lock(mutex);
                return destroyedOn.contains(QStringLiteral("not opted in"));
            }()),
            10000);
        {
            std::lock_guard lock(mutex);
            QVERIFY(destroyedOn.value(QStringLiteral("first")) == producer);
            QVERIFY(destroyedOn.value(QStringLiteral("not opted in")) != QThread::currentThread());
            QVERIFY(destroyedOn.value(QStringLiteral("not opted in")) != producer);
        }
        delete producer;

        writer.stop();
        std::lock_guard lock(mutex);
        QCOMPARE(destroyedOn.value(QStringLiteral("second")), QThread::currentThread());
    }

    void submitAfterStopIsRefusedWithAReason()
    {
        auto storage = openStorage();
        QVERIFY(storage);
        storage->writer().stop();
        WriteResult result{true, {}};
        const quint64 ticket = storage->writer().submit(
            [](WriteContext &, QString *) { return true; },
            [&](const WriteResult &r) { result = r; });
        QCOMPARE(ticket, quint64(0));
        QVERIFY(!result.ok);
        QVERIFY(result.error.contains(QStringLiteral("not running")));
    }

    void killedProcessLosesNoAcknowledgedWrite()
    {
        const QString path = m_dir.filePath(QStringLiteral("killed.sqlite"));
        QProcess child;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QString::fromLatin1(kChildDbVariable), path);
        child.setProcessEnvironment(environment);
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted(10000));

        QSet<QString> acknowledged;
        QByteArray pending;
        const auto drain = [&] {
            pending += child.readAllStandardOutput();
            qsizetype newline;
            while ((newline = pending.indexOf('\n')) >= 0) {
                const QByteArray line = pending.left(newline);
                pending.remove(0, newline + 1);
                if (line.startsWith("ack "))
                    acknowledged.insert(QString::fromLatin1(line.mid(4)));
            }
        };
        while (acknowledged.size() < 3000 && child.state() == QProcess::Running) {
            child.waitForReadyRead(10000);
            drain();
        }
        QVERIFY2(child.state() == QProcess::Running, "the child ended before it was killed");
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished(10000));
        drain(); // acks already in the pipe were acknowledged before the kill too
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        QString error;
        auto storage = Storage::open(path, &error);
        QVERIFY2(storage, qPrintable(error));
        QSqlDatabase db = storage->reader();
        QSqlQuery integrity(db);
        QVERIFY(integrity.exec(QStringLiteral("PRAGMA integrity_check")) && integrity.next());
        QCOMPARE(integrity.value(0).toString(), QStringLiteral("ok"));
        const QSet<QString> stored = storedTids(db);
        QStringList lost;
        for (const QString &tid : std::as_const(acknowledged)) {
            if (!stored.contains(tid))
                lost.append(tid);
        }
        QVERIFY2(lost.isEmpty(), qPrintable(QStringLiteral("%1 of %2 acknowledged writes lost, "
                                                           "e.g. %3")
                                                .arg(lost.size())
                                                .arg(acknowledged.size())
                                                .arg(lost.value(0))));
        QVERIFY(stored.size() >= acknowledged.size());
    }
};

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsSet(kChildDbVariable)) {
        QCoreApplication app(argc, argv);
        return runWriterChild(qEnvironmentVariable(kChildDbVariable));
    }
    QCoreApplication app(argc, argv);
    tst_StorageWriter test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_storagewriter.moc"
