#include "walcheckpointer.h"

#include "common/logging.h"
#include "sqliteconnection.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <chrono>

namespace Dcs {

WalCheckpointer::WalCheckpointer(QString databasePath, int intervalMs)
    : m_databasePath(std::move(databasePath))
    , m_intervalMs(intervalMs)
    , m_connectionName(QStringLiteral("dcs-checkpoint-%1").arg(quintptr(this), 0, 16))
{
}

WalCheckpointer::~WalCheckpointer()
{
    stop();
}

bool WalCheckpointer::start(QString *error)
{
    if (m_thread)
        return true;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
        m_started = false;
    }
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("dcs-checkpoint"));
    m_thread->start(QThread::LowPriority);
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_started; });
    if (m_opened)
        return true;
    *error = m_startError;
    lock.unlock();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    return false;
}

void WalCheckpointer::stop()
{
    if (!m_thread)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

WalCheckpointer::Stats WalCheckpointer::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void WalCheckpointer::run()
{
    QSqlDatabase db;
    QString error;
    const bool opened = Sqlite::open(m_databasePath, m_connectionName, &db, &error);
    {
        std::lock_guard lock(m_mutex);
        m_opened = opened;
        m_startError = error;
        m_started = true;
    }
    m_changed.notify_all();
    if (opened) {
        QSqlQuery checkpoint(db);
        for (;;) {
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait_for(lock, std::chrono::milliseconds(m_intervalMs),
                                   [this] { return m_stopping; });
                if (m_stopping)
                    break;
            }
            // Columns: busy (0/1), frames in the log, frames checkpointed.
            if (!checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"))
                || !checkpoint.next()) {
                qCWarning(lcStorage).noquote()
                    << "checkpoint failed:" << checkpoint.lastError().text();
                continue;
            }
            const qint64 copied = checkpoint.value(2).toLongLong();
            checkpoint.finish();
            std::lock_guard lock(m_mutex);
            ++m_stats.checkpoints;
            m_stats.framesCopied += quint64(qMax<qint64>(copied, 0));
        }
    }
    db = QSqlDatabase();
    Sqlite::close(m_connectionName);
}

} // namespace Dcs
