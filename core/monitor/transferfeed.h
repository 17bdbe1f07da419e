#pragma once

#include "transfer/transferrecord.h"

#include <QList>
#include <QMutex>

#include <memory>

namespace Dcs {

// The newest partner attempts, for the GUI's live transfers table: a bounded ring of
// TransferRecord. The engine's threads append (thousands per second); the GUI polls since() on a
// timer and reads what it has not seen, learning how many records it missed when it fell behind.
//
// Locking: one feed mutex guards the sequence counter and which ring is current; each slot of the
// ring has its own mutex. append() holds the feed mutex for one swap of a record into its slot.
// Readers hold the feed mutex only to read the counters and copy one record at a time under that
// slot's mutex, so a reader copying thousands of records delays an append by one record's copy at
// most. Overwritten records are destroyed after the locks are released.
class TransferFeed
{
public:
    static constexpr int kDefaultCapacity = 50'000;

    struct Batch
    {
        QList<TransferRecord> records; // in sequence order, without gaps except `missed` ones
        // The oldest sequence still in the feed (newestSequence + 1 when the feed is empty).
        qint64 firstAvailable = 1;
        // The cursor for the next since(): the last sequence this batch accounts for (read or
        // missed). Equal to the afterSequence passed when there was nothing new.
        qint64 lastSequence = 0;
        // The newest sequence appended so far: greater than lastSequence when maxCount cut the
        // batch short and more records are waiting.
        qint64 newestSequence = 0;
        // Records after afterSequence that left the feed before this read (overwritten by newer
        // ones, or dropped by clear() or a smaller capacity).
        qint64 missed = 0;
    };

    explicit TransferFeed(int capacity = kDefaultCapacity);
    ~TransferFeed();
    Q_DISABLE_COPY_MOVE(TransferFeed)

    // Stores the record, overwriting the oldest one when full, and returns the sequence given to
    // it (1, 2, 3, ... for this feed's lifetime, also set in the stored record). Any thread.
    qint64 append(TransferRecord record);

    // Up to maxCount records with a sequence above afterSequence, oldest first. A poller starts
    // at 0 and passes each batch's lastSequence to the next call.
    Batch since(qint64 afterSequence, int maxCount) const;

    // Every attempt of one /event still in the feed (all its partner calls, late answers
    // included), in sequence order. Scans the whole ring: for a user's click, not for a timer.
    QList<TransferRecord> byTid(QStringView tid) const;

    // Keeps the newest records that fit (capacity at least 1). Sequences continue. Appends wait
    // while the kept records move to the new ring (a few ms for 50,000): a settings change, not
    // something to call per tick.
    void setCapacity(int capacity);
    // Drops every record; sequences continue, so a poller's cursor stays valid.
    void clear();

    int capacity() const;
    int size() const;
    qint64 newestSequence() const;

private:
    struct Slot
    {
        QMutex mutex;
        TransferRecord record; // record.sequence == 0: empty (or moved to a newer ring)
    };
    struct Ring
    {
        explicit Ring(int slotCount) : slots(new Slot[size_t(slotCount)]), capacity(slotCount) {}
        Slot &slotFor(qint64 sequence) { return slots[size_t((sequence - 1) % capacity)]; }

        std::unique_ptr<Slot[]> slots;
        const int capacity;
    };
    struct Position
    {
        std::shared_ptr<Ring> ring;
        qint64 firstAvailable;
        qint64 newest;
    };
    Position position() const;

    mutable QMutex m_mutex;
    // Replaced (not resized) by setCapacity() and clear(): a reader still copying from the old
    // ring keeps it alive through its own reference.
    std::shared_ptr<Ring> m_ring;
    qint64 m_newest = 0;         // the last sequence given
    qint64 m_firstAvailable = 1; // the oldest sequence still held
};

} // namespace Dcs
