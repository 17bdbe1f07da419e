#pragma once

#include "monitor/transferfeed.h"
#include "transfer/transferrecord.h"
#include "transferfilter.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <vector>

namespace Dcs {

// The live transfers table (architecture.md, "Data flow"): a bounded ring of the newest partner
// attempts read from the monitor's TransferFeed, with the filter and the sort applied inside the
// model, so that a batch costs work in proportion to the batch, never to the rows held.
//
// - poll() reads what the feed has that this model has not seen, and applies it as one batch:
//   in time order (the Time column, either direction) that is at most one beginRemoveRows for
//   the oldest rows that leave the ring and one beginInsertRows for the new rows that match
//   the filter (Wireshark's packet list, qBittorrent's log model).
// - Only new rows are tested against the filter; setFilter() re-filters the held rows once
//   (a model reset).
// - Sorted by another column, a batch costs two layout changes besides its removal and
//   insertion: the rows that leave are moved to the end and removed there, the new ones are
//   appended and merged into place. Selections and other persistent indexes follow their rows.
// - Records the table could not keep are counted as missed: ones the feed overwrote before they
//   were read (the GUI fell behind, or was paused or hidden), and ones skipped on a catch-up
//   because newer records would have pushed them out of the ring at once.
class LiveTransferModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int kDefaultCapacity = 50'000;
    static constexpr int kMinimumCapacity = 100;
    static constexpr int kMaximumCapacity = 1'000'000;
    // The most records one poll reads: at 15 polls/s, 150,000 transfers/s before falling behind.
    static constexpr int kDefaultMaxBatch = 10'000;
    // Role carrying the record's feed sequence (qint64), on every column.
    static constexpr int SequenceRole = Qt::UserRole + 42;

    struct PollResult
    {
        int read = 0;     // records taken from the feed
        int inserted = 0; // rows added to the table (read and matching the filter)
        int removed = 0;  // rows that left the table because the ring was full
        qint64 missed = 0;
        bool more = false; // the feed has more than one batch could read
    };

    explicit LiveTransferModel(QObject *parent = nullptr);
    ~LiveTransferModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // Reads one batch from `feed` (nothing while paused). The first poll starts at the oldest
    // record the feed holds; what it had already dropped then is not counted as missed.
    PollResult poll(const TransferFeed &feed);
    // Records in the feed this model has not read yet (what a resume will catch up on).
    qint64 waitingIn(const TransferFeed &feed) const;

    // While paused poll() reads nothing; the feed keeps the records for the resume, up to its
    // own capacity.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    // The most records held (filtered out or not). Shrinking drops the oldest ones.
    void setCapacity(int capacity);
    int capacity() const { return m_capacity; }
    void setMaxBatch(int maxBatch);
    int maxBatch() const { return m_maxBatch; }

    void setFilter(const TransferFilter &filter);
    const TransferFilter &filter() const { return m_filter; }

    // Drops every held record and the missed count; reading continues where it was.
    void clear();

    // The record shown on `row` (0 <= row < rowCount()).
    const TransferRecord &record(int row) const;
    // The row showing the record of this feed sequence, or -1 (filtered out, dropped, unknown).
    int rowOfSequence(qint64 sequence) const;

    int heldCount() const { return int(m_end - m_first); }
    qint64 missedCount() const { return m_missed; }
    // The last feed sequence read (or accounted for as missed).
    qint64 cursor() const { return m_cursor; }
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    // True when the sort is by arrival (the Time column): new rows come at one end.
    bool isTimeOrder() const;

    // Every partner seen in the records read so far: DPID to name (for the filter's choices).
    const QHash<qint64, QString> &partnersSeen() const { return m_partnersSeen; }

Q_SIGNALS:
    // A DPID not seen before arrived.
    void partnersSeenChanged();
    // Held, shown or missed counts changed (after a poll with records, a filter change, clear).
    void countsChanged();

private:
    const TransferRecord &at(qint64 position) const;
    TransferRecord &at(qint64 position);
    // True when the record at `a` comes before the one at `b` in the current sort.
    bool before(qint64 a, qint64 b) const;
    int compareColumn(const TransferRecord &a, const TransferRecord &b) const;
    void sortRows(QList<qint64> &rows) const;
    // The row of `position` in m_rows (sorted), or -1.
    int findRow(qint64 position) const;
    // Rebuilds m_rows from the held records (filter and sort), without signals.
    void rebuildRows();
    // Applies a batch read from the feed.
    void append(QList<TransferRecord> records, PollResult &result);
    // Drops the `count` oldest held records (and their rows).
    int dropOldest(qint64 count);
    void insertRows(const QList<qint64> &positions);
    // Runs `reorder` on m_rows inside a layout change, moving persistent indexes with their rows.
    template <typename Reorder>
    void changeLayout(Reorder reorder);

    // The held records: position p (0, 1, 2, ... for this model's lifetime) is in
    // m_ring[p % m_capacity]. Allocated once up to the capacity, then reused: no allocation per
    // row once full.
    std::vector<TransferRecord> m_ring;
    qint64 m_first = 0; // the oldest held position
    qint64 m_end = 0;   // one past the newest
    // The positions shown, in display order.
    QList<qint64> m_rows;

    TransferFilter m_filter;
    int m_capacity = kDefaultCapacity;
    int m_maxBatch = kDefaultMaxBatch;
    int m_sortColumn = 0; // TransferColumns::Time
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    bool m_paused = false;
    bool m_started = false; // polled at least once
    qint64 m_cursor = 0;
    qint64 m_missed = 0;
    QHash<qint64, QString> m_partnersSeen;
};

} // namespace Dcs
