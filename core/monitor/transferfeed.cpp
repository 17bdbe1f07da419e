#include "transferfeed.h"

#include <algorithm>
#include <utility>

namespace Dcs {

TransferFeed::TransferFeed(int capacity)
    : m_ring(std::make_shared<Ring>(std::max(1, capacity)))
{
}

TransferFeed::~TransferFeed() = default;

qint64 TransferFeed::append(TransferRecord record)
{
    QMutexLocker lock(&m_mutex);
    const qint64 sequence = ++m_newest;
    record.sequence = sequence;
    Slot &slot = m_ring->slotFor(sequence);
    {
        QMutexLocker slotLock(&slot.mutex);
        // A swap, not an assignment: the record it replaces leaves in `record` and is freed by
        // the caller's thread after both locks are released.
        std::swap(slot.record, record);
    }
    m_firstAvailable = std::max(m_firstAvailable, sequence - m_ring->capacity + 1);
    return sequence;
}

TransferFeed::Position TransferFeed::position() const
{
    QMutexLocker lock(&m_mutex);
    return {m_ring, m_firstAvailable, m_newest};
}

TransferFeed::Batch TransferFeed::since(qint64 afterSequence, int maxCount) const
{
    // Every sequence up to `newest` is in `ring` now: append() fills its slot before releasing the
    // feed mutex. From here on writers may overwrite slots, which the loop below detects.
    const Position at = position();
    Batch batch;
    batch.firstAvailable = at.firstAvailable;
    batch.newestSequence = at.newest;

    const qint64 after = std::clamp<qint64>(afterSequence, 0, at.newest);
    const qint64 from = std::max(after + 1, at.firstAvailable);
    const qint64 to = std::min(at.newest, from + std::max(0, maxCount) - 1);
    batch.missed = from - (after + 1);
    batch.lastSequence = from - 1;
    if (to >= from)
        batch.records.reserve(to - from + 1);

    for (qint64 sequence = from; sequence <= to; ++sequence) {
        Slot &slot = at.ring->slotFor(sequence);
        QMutexLocker slotLock(&slot.mutex);
        const qint64 held = slot.record.sequence;
        if (held == sequence)
            batch.records.append(slot.record);
        else if (held > sequence)
            ++batch.missed; // writers went round the ring while we were reading
        else
            break; // setCapacity() moved it to a new ring: the next call reads it from there
        batch.lastSequence = sequence;
    }
    return batch;
}

QList<TransferRecord> TransferFeed::byTid(QStringView tid) const
{
    const Position at = position();
    QList<TransferRecord> attempts;
    for (qint64 sequence = at.firstAvailable; sequence <= at.newest; ++sequence) {
        Slot &slot = at.ring->slotFor(sequence);
        QMutexLocker slotLock(&slot.mutex);
        if (slot.record.sequence == sequence && slot.record.tid == tid)
            attempts.append(slot.record);
    }
    return attempts;
}

void TransferFeed::setCapacity(int capacity)
{
    capacity = std::max(1, capacity);
    // Allocated before taking the lock: building 50,000 empty slots takes milliseconds.
    auto fresh = std::make_shared<Ring>(capacity);
    std::shared_ptr<Ring> old;
    {
        QMutexLocker lock(&m_mutex);
        if (capacity == m_ring->capacity)
            return;
        const qint64 keepFrom = std::max(m_firstAvailable, m_newest - capacity + 1);
        for (qint64 sequence = keepFrom; sequence <= m_newest; ++sequence) {
            Slot &from = m_ring->slotFor(sequence);
            QMutexLocker slotLock(&from.mutex);
            fresh->slotFor(sequence).record = std::move(from.record);
            from.record.sequence = 0; // tells a reader of the old ring to look in the new one
        }
        m_firstAvailable = keepFrom;
        old = std::exchange(m_ring, std::move(fresh));
    }
    // `old` and the records that no longer fit are freed here, outside the lock.
}

void TransferFeed::clear()
{
    std::shared_ptr<Ring> old;
    for (;;) {
        const int slotCount = capacity();
        auto fresh = std::make_shared<Ring>(slotCount); // outside the lock, as in setCapacity()
        QMutexLocker lock(&m_mutex);
        if (m_ring->capacity != slotCount)
            continue; // resized meanwhile: allocate again at the new size
        old = std::exchange(m_ring, std::move(fresh));
        m_firstAvailable = m_newest + 1;
        break;
    }
}

int TransferFeed::capacity() const
{
    QMutexLocker lock(&m_mutex);
    return m_ring->capacity;
}

int TransferFeed::size() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_newest - m_firstAvailable + 1);
}

qint64 TransferFeed::newestSequence() const
{
    QMutexLocker lock(&m_mutex);
    return m_newest;
}

} // namespace Dcs
