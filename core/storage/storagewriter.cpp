#include "storagewriter.h"

#include "common/logging.h"
#include "common/wakecoalescer.h"
#include "sqliteconnection.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QMetaObject>
#include <QSqlError>
#include <QThread>

#include <thread>

#include <chrono>
#include <future>

namespace Dcs {

QSqlQuery &WriteContext::prepared(const QString &sql)
{
    auto &slot = m_statements[sql];
    if (!slot) {
        slot = std::make_shared<QSqlQuery>(m_db);
        if (!slot->prepare(sql))
            qCWarning(lcStorage).noquote()
                << "cannot prepare" << sql.simplified() << ":" << slot->lastError().text();
    }
    return *slot;
}

Sqlite::Statement &WriteContext::sqliteStatement(QByteArrayView sql)
{
    auto &slot = m_sqliteStatements[sql.toByteArray()];
    if (!slot) {
        slot = std::make_shared<Sqlite::Statement>(m_db, sql);
        if (!slot->isValid())
            qCWarning(lcStorage).noquote() << "cannot prepare" << sql.toByteArray().simplified();
    }
    return *slot;
}

bool WriteContext::exec(QSqlQuery &query, QString *error)
{
    if (query.exec())
        return true;
    if (error)
        *error = QStringLiteral("%1 (in: %2)")
                     .arg(query.lastError().text(), query.lastQuery().simplified());
    return false;
}

StorageWriter::StorageWriter(QString databasePath, Options options)
    : m_databasePath(std::move(databasePath))
    , m_options(options)
    , m_connectionName(QStringLiteral("dcs-writer-%1")
                           .arg(quintptr(this), 0, 16))
{
}

StorageWriter::~StorageWriter()
{
    stop();
}

bool StorageWriter::start(QString *error)
{
    if (m_thread)
        return true;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
        m_startDone = false;
        m_startError.clear();
    }
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("dcs-writer"));
    m_thread->start();

    std::unique_lock lock(m_mutex);
    m_committedChanged.wait(lock, [this] { return m_startDone; });
    if (!m_running) {
        *error = m_startError;
        lock.unlock();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        return false;
    }
    lock.unlock();
    m_checkpointer = std::make_unique<WalCheckpointer>(m_databasePath,
                                                       m_options.checkpointIntervalMs);
    if (!m_checkpointer->start(error)) {
        m_checkpointer.reset();
        stop();
        return false;
    }
    return true;
}

void StorageWriter::stop()
{
    if (!m_thread)
        return;
    if (m_checkpointer)
        m_checkpointer->stop(); // before the writer: its close checkpoints what is left
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wakeWriter.notify_all();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    std::vector<Returned> returned;
    {
        std::lock_guard lock(m_mutex);
        returned.swap(m_returned);
    }
}

bool StorageWriter::isRunning() const
{
    std::lock_guard lock(m_mutex);
    return m_running && !m_stopping;
}

namespace {

// Set by disposeJobsOnThisThread(): the identity of an opted-in thread (the address of its own
// flag), and the vector its returned items are swapped into, capacity kept between swaps.
thread_local bool tDisposesOwnJobs = false;

} // namespace

void StorageWriter::disposeJobsOnThisThread()
{
    tDisposesOwnJobs = true;
}

quint64 StorageWriter::submit(WriteJob job, WriteCallback onDone)
{
    thread_local std::vector<Item> spare; // keeps its capacity from one submit to the next
    std::vector<Item> finishedHere = std::move(spare);
    const void *disposer = tDisposesOwnJobs ? &tDisposesOwnJobs : nullptr;
    quint64 ticket = 0;
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        if (disposer) {
            for (Returned &returned : m_returned) {
                if (returned.disposer == disposer) {
                    finishedHere.swap(returned.items);
                    break;
                }
            }
        }
        if (!m_running || m_stopping) {
            ticket = 0;
        } else {
            ticket = m_nextTicket++;
            m_queue.push_back(Item{ticket, std::move(job), std::move(onDone), disposer});
            ++m_stats.submitted;
            m_queuedApprox.store(int(m_queue.size()), std::memory_order_relaxed);
            wake = m_writerWaiting;
        }
    }
    finishedHere.clear(); // destroyed on this thread, outside the lock
    spare = std::move(finishedHere);
    if (ticket == 0) {
        if (onDone)
            onDone(WriteResult{false, QStringLiteral("the storage writer is not running")});
        return 0;
    }
    // Only a writer waiting for work needs waking; a busy one takes the queue when it is done
    // (a notify per submit cost a futex call each under load).
    if (wake)
        m_wakeWriter.notify_one();
    return ticket;
}

quint64 StorageWriter::submit(WriteJob job, QObject *context, WriteCallback onDone)
{
    QPointer<QObject> guard(context);
    return submit(std::move(job), [guard, onDone = std::move(onDone)](const WriteResult &result) {
        if (!guard || !onDone)
            return;
        QMetaObject::invokeMethod(
            guard.data(), [onDone, result] { onDone(result); }, Qt::QueuedConnection);
    });
}

bool StorageWriter::waitForCommit(quint64 ticket, int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    const auto done = [&] { return m_finishedTicket >= ticket || !m_running; };
    if (timeoutMs < 0) {
        m_committedChanged.wait(lock, done);
        return m_finishedTicket >= ticket;
    }
    m_committedChanged.wait_for(lock, std::chrono::milliseconds(timeoutMs), done);
    return m_finishedTicket >= ticket;
}

WriteResult StorageWriter::runAndWait(WriteJob job)
{
    auto promise = std::make_shared<std::promise<WriteResult>>();
    auto future = promise->get_future();
    submit(std::move(job), [promise](const WriteResult &result) { promise->set_value(result); });
    return future.get();
}

StorageWriter::Stats StorageWriter::stats() const
{
    std::lock_guard lock(m_mutex);
    Stats copy = m_stats;
    copy.queued = int(m_queue.size());
    return copy;
}

void StorageWriter::run()
{
    QSqlDatabase db;
    QString error;
    const bool opened = Sqlite::open(m_databasePath, m_connectionName, &db, &error)
                        && Sqlite::enableWriteAheadLog(db, &error)
                        && Sqlite::tuneForWriting(db, &error);
    {
        std::lock_guard lock(m_mutex);
        m_running = opened;
        m_startError = error;
        m_startDone = true;
    }
    m_committedChanged.notify_all();
    if (!opened) {
        db = QSqlDatabase();
        Sqlite::close(m_connectionName);
        return;
    }

    {
        WriteContext context(db);
        std::deque<Item> batch;
        size_t previousBatchSize = 0;
        for (;;) {
            {
                std::unique_lock lock(m_mutex);
                m_writerWaiting = true;
                m_wakeWriter.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                m_writerWaiting = false;
                if (m_queue.empty() && m_stopping)
                    break;
                if (m_options.maxBatchDelayMs > 0 && !m_stopping) {
                    const auto until = std::chrono::steady_clock::now()
                                       + std::chrono::milliseconds(m_options.maxBatchDelayMs);
                    m_writerWaiting = true; // a full batch ends the wait early
                    m_wakeWriter.wait_until(lock, until, [this] {
                        return m_stopping || int(m_queue.size()) >= m_options.maxBatchItems;
                    });
                    m_writerWaiting = false;
                } else if (previousBatchSize > 1 && !m_stopping
                           && int(m_queue.size()) < m_options.yieldBelowItems) {
                    // Under load (the last batch was not a lone item) a small batch waits for
                    // one turn of the scheduler: the threads producing items run first and
                    // this batch grows, so there are fewer commits, each with its fixed cost.
                    // On an idle machine the yield returns at once.
                    lock.unlock();
                    std::this_thread::yield();
                    lock.lock();
                }
                const auto take = std::min<size_t>(m_queue.size(), m_options.maxBatchItems);
                for (size_t i = 0; i < take; ++i) {
                    batch.push_back(std::move(m_queue.front()));
                    m_queue.pop_front();
                }
                m_queuedApprox.store(int(m_queue.size()), std::memory_order_relaxed);
            }
            previousBatchSize = batch.size();
            commitBatch(context, batch);
            batch.clear();
        }
    }
    {
        std::lock_guard lock(m_mutex);
        m_running = false;
    }
    m_committedChanged.notify_all();
    db = QSqlDatabase();
    Sqlite::close(m_connectionName);
}

bool StorageWriter::runBatchOptimistically(WriteContext &context, std::deque<Item> &batch,
                                           QList<WriteResult> &results)
{
    // The common case: every write succeeds, and one transaction without per-item savepoints
    // is all it costs. On the first failure the whole batch is rolled back and the caller
    // replays it with savepoints, so a bad write still costs only itself.
    QSqlDatabase &db = context.database();
    if (!db.transaction())
        return false;
    qsizetype index = 0;
    for (Item &item : batch) {
        WriteResult &result = results[index++];
        result.ok = item.job(context, &result.error);
        if (!result.ok) {
            db.rollback();
            return false;
        }
    }
    if (db.commit())
        return true;
    db.rollback();
    return false;
}

void StorageWriter::commitBatch(WriteContext &context, std::deque<Item> &batch)
{
    QSqlDatabase &db = context.database();
    QList<WriteResult> results(qsizetype(batch.size()));
    if (runBatchOptimistically(context, batch, results)) {
        finishBatch(batch, results, false);
        return;
    }
    for (WriteResult &result : results)
        result = WriteResult{};

    QString batchError;
    bool batchOk = db.transaction();
    if (!batchOk)
        batchError = QStringLiteral("cannot begin a transaction: %1").arg(db.lastError().text());

    // Savepoint statements are prepared once per writer like any hot statement.
    QSqlQuery &savepoint = context.prepared(QStringLiteral("SAVEPOINT item"));
    QSqlQuery &release = context.prepared(QStringLiteral("RELEASE item"));
    QSqlQuery &rollbackItem = context.prepared(QStringLiteral("ROLLBACK TO item"));
    qsizetype index = 0;
    for (Item &item : batch) {
        WriteResult &result = results[index++];
        if (!batchOk)
            break;
        if (!WriteContext::exec(savepoint, &batchError)) {
            batchOk = false;
            break;
        }
        result.ok = item.job(context, &result.error);
        if (result.ok) {
            result.ok = WriteContext::exec(release, &result.error);
        } else {
            if (result.error.isEmpty())
                result.error = QStringLiteral("the write was refused");
            QString ignored;
            WriteContext::exec(rollbackItem, &ignored);
            WriteContext::exec(release, &ignored);
        }
    }
    if (batchOk && !db.commit()) {
        batchOk = false;
        batchError = QStringLiteral("commit failed: %1").arg(db.lastError().text());
    }
    if (!batchOk) {
        db.rollback();
        qCWarning(lcStorage).noquote() << "a batch of" << batch.size() << "writes failed:"
                                       << batchError;
        for (WriteResult &result : results)
            result = WriteResult{false, batchError};
    }
    finishBatch(batch, results, true);
}

void StorageWriter::finishBatch(std::deque<Item> &batch, const QList<WriteResult> &results,
                                bool replayed)
{
    quint64 failed = 0;
    for (const WriteResult &result : std::as_const(results))
        failed += result.ok ? 0 : 1;
    {
        std::lock_guard lock(m_mutex);
        m_finishedTicket = batch.back().ticket;
        m_stats.committed += batch.size() - failed;
        m_stats.failedItems += failed;
        ++m_stats.batches;
        m_stats.replayedBatches += replayed ? 1 : 0;
        m_stats.largestBatch = std::max<quint64>(m_stats.largestBatch, batch.size());
    }
    {
        // The callbacks hand answers to listener threads: one wake-up each per batch.
        const WakeCoalescer::Scope oneWakePerConsumer;
        qsizetype index = 0;
        for (Item &item : batch) {
            if (item.onDone)
                item.onDone(results.at(index));
            ++index;
        }
    }
    m_committedChanged.notify_all();
    returnToDisposers(batch);
}

void StorageWriter::returnToDisposers(std::deque<Item> &batch)
{
    // A thread that stopped submitting would hold its items forever: past this many they are
    // destroyed here after all.
    constexpr size_t kMaxReturnedPerThread = 16384;
    std::lock_guard lock(m_mutex);
    Returned *last = nullptr;
    for (Item &item : batch) {
        if (!item.disposer)
            continue;
        if (!last || last->disposer != item.disposer) {
            last = nullptr;
            for (Returned &returned : m_returned) {
                if (returned.disposer == item.disposer)
                    last = &returned;
            }
            if (!last)
                last = &m_returned.emplace_back(Returned{item.disposer, {}});
        }
        if (last->items.size() < kMaxReturnedPerThread)
            last->items.push_back(std::move(item));
    }
}

} // namespace Dcs
