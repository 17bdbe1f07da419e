#include "onboardingcallsmodel.h"

namespace Dcs {

void OnboardingCallsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_rowOfCall.clear();
    endResetModel();
}

void OnboardingCallsModel::setCalls(const QList<TransferRecord> &calls)
{
    beginResetModel();
    m_rows.clear();
    m_rowOfCall.clear();
    m_rows.reserve(calls.size());
    for (qsizetype i = 0; i < calls.size(); ++i) {
        m_rowOfCall.insert(int(i), int(i));
        m_rows.append(Row{int(i), calls.at(i)});
    }
    endResetModel();
}

void OnboardingCallsModel::addCalls(const QList<int> &indexes,
                                    const QList<TransferRecord> &records)
{
    QList<Row> added;
    for (qsizetype i = 0; i < indexes.size() && i < records.size(); ++i) {
        const int existing = rowOfCall(indexes.at(i));
        if (existing >= 0) {
            m_rows[existing].record = records.at(i);
            Q_EMIT dataChanged(index(existing, 0), index(existing, columnCount() - 1));
        } else {
            added.append(Row{indexes.at(i), records.at(i)});
        }
    }
    if (added.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(added.size()) - 1);
    for (const Row &row : std::as_const(added)) {
        m_rowOfCall.insert(row.index, int(m_rows.size()));
        m_rows.append(row);
    }
    endInsertRows();
}

int OnboardingCallsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int OnboardingCallsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : TransferColumns::Count + 1;
}

QVariant OnboardingCallsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    if (role == CallIndexRole)
        return row.index;
    if (index.column() != NumberColumn)
        return TransferColumns::data(row.record, index.column() - 1, role);
    switch (role) {
    case Qt::DisplayRole:
        return row.index + 1;
    case TransferColumns::SortRole:
        return row.index;
    case TransferColumns::OutcomeRole:
        return int(row.record.outcome);
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return tr("Call %1 of the run, in the order the calls were started").arg(row.index + 1);
    }
    return {};
}

QVariant OnboardingCallsModel::headerData(int section, Qt::Orientation orientation,
                                          int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (section == NumberColumn) {
        if (role == Qt::DisplayRole)
            return tr("#");
        if (role == Qt::ToolTipRole)
            return tr("The call's number in the run (the order the calls were started)");
        return {};
    }
    if (role == Qt::DisplayRole)
        return TransferColumns::header(section - 1);
    if (role == Qt::ToolTipRole)
        return TransferColumns::headerToolTip(section - 1);
    return {};
}

} // namespace Dcs
