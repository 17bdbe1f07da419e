#pragma once

#include "storage/eventlog.h"

#include <QAbstractTableModel>
#include <QList>

namespace Dcs {

// One visitor's recent /event calls as the explain view lists them: time, tid, the stored
// signals, the traits each realized and the segments held after it. Replaced as a whole.
class VisitorEventsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Tid, Signals, Traits, Segments, ColumnCount };
    // Sortable value: times as ms, everything else as its text.
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit VisitorEventsModel(QObject *parent = nullptr);

    void setEvents(const QList<EventRecord> &events);
    const QList<EventRecord> &events() const { return m_events; }
    // An empty record out of range.
    EventRecord event(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // "c_section=sports, price=12|13": the stored signals, keys in order.
    static QString signalsText(const EventRecord &event);

private:
    QList<EventRecord> m_events;
};

} // namespace Dcs
