#pragma once

#include <QString>

#include <condition_variable>
#include <mutex>

class QThread;

namespace Dcs {

// Copies the write-ahead log back into the database file on a thread of its own, so that the
// writer never stops committing for a checkpoint (a checkpoint reads and writes megabytes and
// waits for fdatasync; on the writer's thread it stalled every acknowledged call for that long).
// The writer's connection has automatic checkpoints switched off; this runs a PASSIVE checkpoint
// every `intervalMs`, which never blocks the writer or readers. A clean close of the last
// connection checkpoints what is left, as SQLite always does.
class WalCheckpointer final
{
public:
    WalCheckpointer(QString databasePath, int intervalMs);
    ~WalCheckpointer();

    bool start(QString *error);
    void stop();

    struct Stats
    {
        quint64 checkpoints = 0;
        quint64 framesCopied = 0;
    };
    Stats stats() const;

private:
    void run();

    const QString m_databasePath;
    const int m_intervalMs;
    const QString m_connectionName;

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_stopping = false;
    bool m_started = false;
    bool m_opened = false;
    QString m_startError;
    Stats m_stats;
    QThread *m_thread = nullptr;
};

} // namespace Dcs
