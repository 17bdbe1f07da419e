#pragma once

#include "sqliteconnection.h"
#include "walcheckpointer.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

class QThread;

namespace Dcs {

// What a write job sees: the writer's connection inside the open batch transaction, and a cache of
// prepared statements so hot inserts are prepared once per writer, not once per row.
class WriteContext
{
public:
    explicit WriteContext(QSqlDatabase db) : m_db(std::move(db)) {}

    // A prepared statement for `sql`, reused across jobs. Bind values, then call exec().
    QSqlQuery &prepared(const QString &sql);
    // The same on the raw SQLite handle, for the hottest statements (Sqlite::Statement).
    Sqlite::Statement &sqliteStatement(QByteArrayView sql);
    // exec() with the driver's error and statement text put in `error` on failure.
    static bool exec(QSqlQuery &query, QString *error);

    QSqlDatabase &database() { return m_db; }

private:
    QSqlDatabase m_db;
    QHash<QString, std::shared_ptr<QSqlQuery>> m_statements;
    QHash<QByteArray, std::shared_ptr<Sqlite::Statement>> m_sqliteStatements;
};

struct WriteResult
{
    bool ok = false;
    QString error;
};

// A unit of work run on the writer thread. Returning false (with `error` set) rolls back only this
// job: one bad item never costs its batch neighbours. A batch first runs without per-item
// savepoints; if any job fails, the batch is rolled back and every job runs again inside its own
// savepoint. So a job may run twice: it must write only through the context and start from its
// inputs each time (no state carried over from a previous run).
using WriteJob = std::function<bool(WriteContext &context, QString *error)>;
using WriteCallback = std::function<void(const WriteResult &result)>;

struct StorageWriterOptions
{
    int maxBatchItems = 1000;
    // How long a batch keeps collecting after its first item. 0 commits whatever is queued as
    // soon as the writer is free — items arriving meanwhile form the next batch.
    int maxBatchDelayMs = 0;
    // With maxBatchDelayMs 0: under load, a batch smaller than this yields the writer's CPU once
    // before it is taken, so that producers add to it. Fewer, larger commits: on the listener
    // benchmark the writer's CPU per event fell by a quarter. 0 never yields.
    int yieldBelowItems = 64;
    // How often the WAL is copied back into the database, on a thread of its own.
    int checkpointIntervalMs = 500;
};

// The single SQLite writer: one thread, one connection, WAL with synchronous=NORMAL, a transaction
// per batch (closed by count or by time), and group commit — a submitter can wait for, or be called
// back after, the commit of its own item. A crash of the process loses no acknowledged item.
class StorageWriter final
{
public:
    using Options = StorageWriterOptions;

    struct Stats
    {
        quint64 submitted = 0;
        quint64 committed = 0;
        quint64 failedItems = 0;
        quint64 batches = 0;
        quint64 largestBatch = 0;
        quint64 replayedBatches = 0; // had a failing item: replayed with per-item savepoints
        int queued = 0;
    };

    explicit StorageWriter(QString databasePath, Options options = {});
    ~StorageWriter();

    StorageWriter(const StorageWriter &) = delete;
    StorageWriter &operator=(const StorageWriter &) = delete;

    // Opens the writer connection on the writer thread; false with `error` if it cannot.
    bool start(QString *error);
    // Commits everything already submitted, then closes the connection and joins the thread.
    void stop();
    bool isRunning() const;

    // Queues `job`; returns its ticket. `onDone` runs on the writer thread after the job's batch
    // committed (or failed) — keep it short and non-blocking.
    quint64 submit(WriteJob job, WriteCallback onDone = {});
    // As above, but `onDone` is queued to `context`'s thread, and dropped if `context` is gone.
    quint64 submit(WriteJob job, QObject *context, WriteCallback onDone);

    // For threads that submit continuously (the listener's workers): the jobs and callbacks
    // this thread submits from now on are destroyed here, at its next submit(), instead of on
    // the writer thread. Whatever they captured was allocated here, and glibc is several times
    // slower when one thread frees what another allocated (its per-thread caches run dry).
    // A thread that may stop submitting must not opt in: its last jobs would wait until stop().
    static void disposeJobsOnThisThread();

    // Blocks until the batch holding `ticket` has finished (committed or failed), or the timeout.
    bool waitForCommit(quint64 ticket, int timeoutMs = -1);
    // Submits `job` and waits for its own result.
    WriteResult runAndWait(WriteJob job);

    // Runs `write(context, copy, error)` on a copy of `value` and waits; on success the copy, with
    // whatever the write filled in (an assigned id), is stored back into `value`. On failure
    // `value` is left exactly as it was.
    template <typename Value, typename Write>
    WriteResult writeBack(Value &value, Write write)
    {
        Value copy;
        // The copy is made inside the job: a job can run twice (see WriteJob).
        const WriteResult result = runAndWait([&value, &copy, &write](WriteContext &context,
                                                                      QString *error) {
            copy = value; // `value`'s thread is blocked in runAndWait meanwhile
            return write(context, copy, error);
        });
        if (result.ok)
            value = std::move(copy);
        return result;
    }

    Stats stats() const;
    WalCheckpointer::Stats checkpointStats() const
    {
        return m_checkpointer ? m_checkpointer->stats() : WalCheckpointer::Stats{};
    }
    // Items waiting for a batch, without taking the writer's lock (may lag by a batch).
    int queuedApproximately() const { return m_queuedApprox.load(std::memory_order_relaxed); }
    QString databasePath() const { return m_databasePath; }

private:
    struct Item
    {
        quint64 ticket = 0;
        WriteJob job;
        WriteCallback onDone;
        const void *disposer = nullptr; // the submitting thread, if it opted in
    };
    // Finished items waiting for their submitting thread to destroy them.
    struct Returned
    {
        const void *disposer = nullptr;
        std::vector<Item> items;
    };

    void returnToDisposers(std::deque<Item> &batch);

    void run();
    void commitBatch(WriteContext &context, std::deque<Item> &batch);
    bool runBatchOptimistically(WriteContext &context, std::deque<Item> &batch,
                                QList<WriteResult> &results);
    void finishBatch(std::deque<Item> &batch, const QList<WriteResult> &results,
                     bool replayed);

    const QString m_databasePath;
    const Options m_options;
    const QString m_connectionName;

    mutable std::mutex m_mutex;
    std::condition_variable m_wakeWriter;
    std::condition_variable m_committedChanged;
    std::deque<Item> m_queue;
    std::vector<Returned> m_returned; // one per opted-in thread
    quint64 m_nextTicket = 1;
    quint64 m_finishedTicket = 0; // every ticket <= this has finished
    bool m_stopping = false;
    bool m_writerWaiting = false; // waiting for work: a submit must wake it
    bool m_running = false;
    QString m_startError;
    bool m_startDone = false;
    Stats m_stats;
    std::atomic<int> m_queuedApprox{0};

    QThread *m_thread = nullptr;
    std::unique_ptr<WalCheckpointer> m_checkpointer;
};

} // namespace Dcs
