#include "livetransfermodel.h"

#include "transfercolumns.h"

#include <algorithm>
#include <utility>

namespace Dcs {

namespace {

template <typename T>
int compareValues(const T &a, const T &b)
{
    return a < b ? -1 : (b < a ? 1 : 0);
}

} // namespace

LiveTransferModel::LiveTransferModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_ring.reserve(size_t(m_capacity));
}

LiveTransferModel::~LiveTransferModel() = default;

int LiveTransferModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LiveTransferModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(TransferColumns::Count);
}

QVariant LiveTransferModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TransferRecord &shown = at(m_rows.at(index.row()));
    if (role == SequenceRole)
        return shown.sequence;
    return TransferColumns::data(shown, index.column(), role);
}

QVariant LiveTransferModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= TransferColumns::Count)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (role) {
    case Qt::DisplayRole:
        return TransferColumns::header(section);
    case Qt::ToolTipRole:
        if (section == TransferColumns::Time)
            return tr("%1 (sorted by arrival: the newest at the end)")
                .arg(TransferColumns::headerToolTip(section));
        return TransferColumns::headerToolTip(section);
    }
    return {};
}

const TransferRecord &LiveTransferModel::at(qint64 position) const
{
    return m_ring[size_t(position % m_capacity)];
}

TransferRecord &LiveTransferModel::at(qint64 position)
{
    return m_ring[size_t(position % m_capacity)];
}

bool LiveTransferModel::isTimeOrder() const
{
    return m_sortColumn == TransferColumns::Time;
}

int LiveTransferModel::compareColumn(const TransferRecord &a, const TransferRecord &b) const
{
    switch (m_sortColumn) {
    case TransferColumns::Tid:
        return a.tid.compare(b.tid);
    case TransferColumns::Visitor:
        return a.uuid.compare(b.uuid);
    case TransferColumns::Partner:
        if (const int byName = a.partnerName.compare(b.partnerName, Qt::CaseInsensitive))
            return byName;
        if (const int byDpid = compareValues(a.dpid, b.dpid))
            return byDpid;
        return compareValues(a.shadow, b.shadow);
    case TransferColumns::Outcome:
        return compareValues(int(a.outcome), int(b.outcome));
    case TransferColumns::Budget:
        return compareValues(a.budgetMs, b.budgetMs);
    case TransferColumns::Latency:
        return compareValues(a.totalUs, b.totalUs);
    case TransferColumns::Codes:
        return compareValues(a.codes.size(), b.codes.size());
    }
    return 0;
}

bool LiveTransferModel::before(qint64 a, qint64 b) const
{
    int order = isTimeOrder() ? 0 : compareColumn(at(a), at(b));
    if (order == 0)
        order = compareValues(a, b); // arrival breaks ties: a strict total order
    return m_sortOrder == Qt::AscendingOrder ? order < 0 : order > 0;
}

void LiveTransferModel::sortRows(QList<qint64> &rows) const
{
    if (isTimeOrder()) {
        if (m_sortOrder == Qt::AscendingOrder)
            std::sort(rows.begin(), rows.end());
        else
            std::sort(rows.begin(), rows.end(), std::greater<qint64>());
        return;
    }
    std::sort(rows.begin(), rows.end(), [this](qint64 a, qint64 b) { return before(a, b); });
}

int LiveTransferModel::findRow(qint64 position) const
{
    if (position < m_first || position >= m_end)
        return -1;
    const auto found = std::lower_bound(m_rows.cbegin(), m_rows.cend(), position,
                                        [this](qint64 a, qint64 b) { return before(a, b); });
    if (found == m_rows.cend() || *found != position)
        return -1;
    return int(found - m_rows.cbegin());
}

template <typename Reorder>
void LiveTransferModel::changeLayout(Reorder reorder)
{
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList persistent = persistentIndexList();
    QList<qint64> positions;
    positions.reserve(persistent.size());
    for (const QModelIndex &index : persistent) {
        const bool shown = index.isValid() && index.row() < m_rows.size();
        positions.append(shown ? m_rows.at(index.row()) : -1);
    }
    const auto rowOf = reorder();
    QModelIndexList moved;
    moved.reserve(persistent.size());
    for (qsizetype i = 0; i < persistent.size(); ++i) {
        const int row = positions.at(i) < 0 ? -1 : rowOf(positions.at(i));
        moved.append(row < 0 ? QModelIndex() : index(row, persistent.at(i).column()));
    }
    changePersistentIndexList(persistent, moved);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void LiveTransferModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= TransferColumns::Count)
        column = TransferColumns::Time;
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    changeLayout([this] {
        sortRows(m_rows);
        return [this](qint64 position) { return findRow(position); };
    });
}

LiveTransferModel::PollResult LiveTransferModel::poll(const TransferFeed &feed)
{
    PollResult result;
    if (m_paused)
        return result;
    if (!m_started) {
        // What the feed dropped before this table first looked was never the table's to show.
        m_started = true;
        m_cursor = feed.since(0, 0).lastSequence;
    }
    // On a catch-up, records older than the newest `capacity` would leave the ring within this
    // very catch-up: skip them rather than copy them in and out.
    const qint64 newest = feed.newestSequence();
    if (newest - m_cursor > m_capacity) {
        const qint64 skipped = newest - m_capacity - m_cursor;
        m_cursor += skipped;
        result.missed += skipped;
    }
    TransferFeed::Batch batch = feed.since(m_cursor, m_maxBatch);
    result.missed += batch.missed;
    result.read = int(batch.records.size());
    result.more = batch.newestSequence > batch.lastSequence;
    m_cursor = batch.lastSequence;
    m_missed += result.missed;
    append(std::move(batch.records), result);
    if (result.read > 0 || result.missed > 0)
        Q_EMIT countsChanged();
    return result;
}

qint64 LiveTransferModel::waitingIn(const TransferFeed &feed) const
{
    if (!m_started)
        return feed.size();
    return qMax<qint64>(0, feed.newestSequence() - m_cursor);
}

void LiveTransferModel::append(QList<TransferRecord> records, PollResult &result)
{
    if (records.isEmpty())
        return;
    qsizetype skip = 0;
    if (records.size() > m_capacity) { // only from a batch larger than the ring: never kept
        skip = records.size() - m_capacity;
        m_missed += skip;
        result.missed += skip;
    }
    const qint64 incoming = records.size() - skip;
    const qint64 overflow = (m_end - m_first) + incoming - m_capacity;
    if (overflow > 0)
        result.removed = dropOldest(overflow);

    QList<qint64> added;
    added.reserve(incoming);
    bool newPartner = false;
    const bool everything = m_filter.isEmpty();
    for (qsizetype i = skip; i < records.size(); ++i) {
        TransferRecord &record = records[i];
        const auto seen = m_partnersSeen.constFind(record.dpid);
        if (seen == m_partnersSeen.cend()) {
            m_partnersSeen.insert(record.dpid, record.partnerName);
            newPartner = true;
        } else if (*seen != record.partnerName && !record.partnerName.isEmpty()) {
            m_partnersSeen.insert(record.dpid, record.partnerName); // renamed
            newPartner = true;
        }
        const qint64 position = m_end++;
        const size_t slot = size_t(position % m_capacity);
        // Slots are filled in order up to the capacity, then overwritten: the record moved out
        // of the batch replaces (and frees) the one that left the ring.
        if (slot == m_ring.size())
            m_ring.push_back(std::move(record));
        else
            m_ring[slot] = std::move(record);
        if (everything || m_filter.matches(m_ring[slot]))
            added.append(position);
    }
    result.inserted = int(added.size());
    insertRows(added);
    if (newPartner)
        Q_EMIT partnersSeenChanged();
}

int LiveTransferModel::dropOldest(qint64 count)
{
    const qint64 newFirst = std::min(m_end, m_first + count);
    const auto leaving = [newFirst](qint64 position) { return position < newFirst; };
    int removed = 0;
    if (isTimeOrder() && m_sortOrder == Qt::AscendingOrder) {
        // The oldest rows are the first ones.
        removed = int(std::partition_point(m_rows.cbegin(), m_rows.cend(), leaving)
                      - m_rows.cbegin());
        if (removed > 0) {
            beginRemoveRows({}, 0, removed - 1);
            m_rows.remove(0, removed);
            endRemoveRows();
        }
    } else if (isTimeOrder()) {
        // Newest first: the oldest rows are the last ones.
        const int kept = int(std::partition_point(m_rows.cbegin(), m_rows.cend(),
                                                  [newFirst](qint64 position) {
                                                      return position >= newFirst;
                                                  })
                             - m_rows.cbegin());
        removed = int(m_rows.size()) - kept;
        if (removed > 0) {
            beginRemoveRows({}, kept, int(m_rows.size()) - 1);
            m_rows.resize(kept);
            endRemoveRows();
        }
    } else {
        removed = int(std::count_if(m_rows.cbegin(), m_rows.cend(), leaving));
        if (removed > 0) {
            // Scattered through the sort: gather them at the end (one layout change), then
            // remove them there in one go.
            const int kept = int(m_rows.size()) - removed;
            changeLayout([this, newFirst, kept] {
                std::stable_partition(m_rows.begin(), m_rows.end(),
                                      [newFirst](qint64 position) {
                                          return position >= newFirst;
                                      });
                return [this, newFirst, kept](qint64 position) -> int {
                    if (position < newFirst)
                        return -1; // removed right after
                    const auto end = m_rows.cbegin() + kept;
                    const auto found = std::lower_bound(
                        m_rows.cbegin(), end, position,
                        [this](qint64 a, qint64 b) { return before(a, b); });
                    return found != end && *found == position ? int(found - m_rows.cbegin())
                                                              : -1;
                };
            });
            beginRemoveRows({}, kept, int(m_rows.size()) - 1);
            m_rows.resize(kept);
            endRemoveRows();
        }
    }
    m_first = newFirst;
    return removed;
}

void LiveTransferModel::insertRows(const QList<qint64> &positions)
{
    if (positions.isEmpty())
        return;
    const int count = int(positions.size());
    if (isTimeOrder() && m_sortOrder == Qt::AscendingOrder) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + count - 1);
        m_rows.append(positions);
        endInsertRows();
        return;
    }
    if (isTimeOrder()) {
        beginInsertRows({}, 0, count - 1);
        m_rows.insert(0, count, 0);
        std::reverse_copy(positions.cbegin(), positions.cend(), m_rows.begin());
        endInsertRows();
        return;
    }
    // Appended, then merged into the sort: one insertion and one layout change per batch.
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + count - 1);
    m_rows.append(positions);
    endInsertRows();
    changeLayout([this, first] {
        const auto less = [this](qint64 a, qint64 b) { return before(a, b); };
        std::sort(m_rows.begin() + first, m_rows.end(), less);
        std::inplace_merge(m_rows.begin(), m_rows.begin() + first, m_rows.end(), less);
        return [this](qint64 position) { return findRow(position); };
    });
}

void LiveTransferModel::rebuildRows()
{
    m_rows.clear();
    m_rows.reserve(m_end - m_first);
    for (qint64 position = m_first; position < m_end; ++position) {
        if (m_filter.isEmpty() || m_filter.matches(at(position)))
            m_rows.append(position);
    }
    if (!(isTimeOrder() && m_sortOrder == Qt::AscendingOrder))
        sortRows(m_rows);
}

void LiveTransferModel::setPaused(bool paused)
{
    m_paused = paused;
}

void LiveTransferModel::setCapacity(int capacity)
{
    capacity = std::clamp(capacity, kMinimumCapacity, kMaximumCapacity);
    if (capacity == m_capacity)
        return;
    beginResetModel();
    // The newest records that fit move to a new ring, renumbered from 0.
    const qint64 keepFrom = std::max(m_first, m_end - capacity);
    std::vector<TransferRecord> ring;
    ring.reserve(size_t(capacity));
    for (qint64 position = keepFrom; position < m_end; ++position)
        ring.push_back(std::move(at(position)));
    m_ring = std::move(ring);
    m_capacity = capacity;
    m_first = 0;
    m_end = qint64(m_ring.size());
    rebuildRows();
    endResetModel();
    Q_EMIT countsChanged();
}

void LiveTransferModel::setMaxBatch(int maxBatch)
{
    m_maxBatch = std::max(1, maxBatch);
}

void LiveTransferModel::setFilter(const TransferFilter &filter)
{
    if (filter == m_filter)
        return;
    beginResetModel();
    m_filter = filter;
    rebuildRows();
    endResetModel();
    Q_EMIT countsChanged();
}

void LiveTransferModel::clear()
{
    beginResetModel();
    m_ring.clear(); // keeps its allocation for the next records
    m_first = m_end = 0;
    m_rows.clear();
    m_missed = 0;
    endResetModel();
    Q_EMIT countsChanged();
}

const TransferRecord &LiveTransferModel::record(int row) const
{
    Q_ASSERT(row >= 0 && row < m_rows.size());
    return at(m_rows.at(row));
}

int LiveTransferModel::rowOfSequence(qint64 sequence) const
{
    if (sequence <= 0)
        return -1;
    if (isTimeOrder()) {
        // Feed sequences grow with positions: a binary search either way round.
        const bool ascending = m_sortOrder == Qt::AscendingOrder;
        const auto found = std::lower_bound(
            m_rows.cbegin(), m_rows.cend(), sequence,
            [this, ascending](qint64 position, qint64 wanted) {
                return ascending ? at(position).sequence < wanted
                                 : at(position).sequence > wanted;
            });
        if (found != m_rows.cend() && at(*found).sequence == sequence)
            return int(found - m_rows.cbegin());
        return -1;
    }
    for (qsizetype row = 0; row < m_rows.size(); ++row) {
        if (at(m_rows.at(row)).sequence == sequence)
            return int(row);
    }
    return -1;
}

} // namespace Dcs
