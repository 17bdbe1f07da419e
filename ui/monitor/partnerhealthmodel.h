#pragma once

#include "monitor/partnerlivestats.h"

#include <QAbstractTableModel>
#include <QList>

namespace Dcs {

class MonitorFeed;
class TransferEngine;

// One row of the partner health strip: the partner's live statistics, and whether the engine
// runs it now.
struct PartnerHealthRow
{
    PartnerLiveSnapshot stats;
    // The engine calls it (shadow or live). False: disabled or removed since, and only the
    // statistics of its last calls remain; its breaker cannot be steered any more.
    bool active = false;
    bool shadow = false;
};

// The partner health strip's table: one row per partner, from the monitor feed's statistics
// (PartnerLiveStats::snapshot) joined with the engine's active partners, so that a partner
// shows (and its breaker can be forced) before its first call. Rows are ordered by partner id.
//
// refresh() is called by the strip's timer (10 Hz): rows that stay are updated in place with
// dataChanged (only those whose values changed), partners that appear or leave are inserted or
// removed; the model is never reset.
class PartnerHealthModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, CallsPerSecond, Success, Timeouts, NotCalled, P99, InFlight, Breaker,
                  ColumnCount };

    static constexpr int PartnerIdRole = Qt::UserRole + 60; // qint64, every column
    static constexpr int DpidRole = Qt::UserRole + 61;      // qint64, every column
    static constexpr int SortRole = Qt::UserRole + 62;      // numbers as numbers
    static constexpr int ActiveRole = Qt::UserRole + 63;    // bool, every column

    // `engine` may be null: the feed's statistics and breaker reports only, every partner shown
    // as active (the model's tests).
    explicit PartnerHealthModel(MonitorFeed &feed, const TransferEngine *engine = nullptr,
                                QObject *parent = nullptr);

    // Reads the feed and the engine at `nowMs` (ms since the epoch) and updates the rows.
    void refresh(qint64 nowMs);
    // The update step of refresh(), for rows from anywhere; `rows` must be sorted by partner id.
    void setRows(QList<PartnerHealthRow> rows, qint64 nowMs);

    const PartnerHealthRow &rowAt(int row) const { return m_rows.at(row); }
    int rowOfPartner(qint64 partnerId) const; // -1 when not shown

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // "Closed", "Open", "Half-open", "Forced open", "Forced closed".
    static QString breakerText(const PartnerLiveSnapshot &stats);
    // Closed: the "ok" icon; open: the "not called" one; half-open: the clock.
    static QIcon breakerIcon(const PartnerLiveSnapshot &stats);

private:
    QVariant display(const PartnerHealthRow &row, int column) const;
    QVariant toolTip(const PartnerHealthRow &row, int column) const;
    QVariant sortValue(const PartnerHealthRow &row, int column) const;

    MonitorFeed &m_feed;
    const TransferEngine *m_engine;
    QList<PartnerHealthRow> m_rows;
    qint64 m_nowMs = 0; // of the last refresh: "for 2 min" in the breaker's tooltip
};

} // namespace Dcs
