#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringView>

#include <array>
#include <atomic>
#include <optional>

namespace Dcs {

// Row IDs and transaction IDs (tids) for the event log.
//
// An /event gets its row ID before it is stored, so its answer can carry the tid while the write
// is still queued. The tid is that ID, with the number of this database's openings ("run"), put
// through a keyed permutation of 72 bits: 9 bytes that look random, base64-encoded (dcs-api.md),
// yet decode back to the row. So the event log needs no index on tids: a B-tree of random keys
// that cost two thirds of the writer's throughput (docs/performance.md). The permutation is a
// Feistel network with a per-database 128-bit key; it hides the event count from callers but is
// not meant as cryptography — a tid grants nothing.
class EventIds final
{
public:
    struct Allocated
    {
        qint64 id = 0;
        QString tid;
    };
    struct Decoded
    {
        quint32 run = 0;
        qint64 id = 0;
    };

    static constexpr int kRunBits = 24;
    static constexpr int kIdBits = 48;

    // Reads (creating on first use) the key, counts this opening as a new run, and continues after
    // the highest stored event ID. Call inside the migration connection, before the writer starts.
    bool load(QSqlDatabase &db, QString *error);

    // Thread-safe, lock-free.
    Allocated next();

    QString tidOf(quint32 run, qint64 id) const;
    std::optional<Decoded> decode(QStringView tid) const; // nullopt when not 12 base64 chars

    quint32 run() const { return m_run; }

private:
    quint64 round(int index, quint64 half) const;

    std::array<quint64, 8> m_roundKeys{};
    quint32 m_run = 0;
    std::atomic<qint64> m_nextId{1};
};

} // namespace Dcs
