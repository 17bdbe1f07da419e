#pragma once

#include "monitor/transfercolumns.h"
#include "transfer/transferrecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace Dcs {

// The calls of one onboarding run (live or loaded from the history): the call's number in the
// run, then the columns every transfers table shows (TransferColumns). Rows come in the order the
// calls ended; sort by the first column for the order they started. A live run's calls arrive in
// batches, each inserted with one beginInsertRows.
class OnboardingCallsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int NumberColumn = 0;
    // The call's index in the run (its start order), on every column.
    static constexpr int CallIndexRole = Qt::UserRole + 60;

    using QAbstractTableModel::QAbstractTableModel;

    // The model column of a TransferColumns column.
    static constexpr int columnOf(TransferColumns::Column column) { return int(column) + 1; }

    void clear();
    // Every call of a run, index = position in the list.
    void setCalls(const QList<TransferRecord> &calls);
    // Calls that just ended; a call already listed is updated in place.
    void addCalls(const QList<int> &indexes, const QList<TransferRecord> &records);

    const TransferRecord &record(int row) const { return m_rows.at(row).record; }
    int callIndex(int row) const { return m_rows.at(row).index; }
    int rowOfCall(int callIndex) const { return m_rowOfCall.value(callIndex, -1); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        int index = 0;
        TransferRecord record;
    };

    QList<Row> m_rows;
    QHash<int, int> m_rowOfCall;
};

} // namespace Dcs
