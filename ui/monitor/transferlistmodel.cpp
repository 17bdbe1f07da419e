#include "transferlistmodel.h"

#include "transfercolumns.h"

namespace Dcs {

TransferListModel::TransferListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int TransferListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int TransferListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(TransferColumns::Count);
}

QVariant TransferListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return TransferColumns::data(m_records.at(index.row()), index.column(), role);
}

QVariant TransferListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= TransferColumns::Count)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return TransferColumns::header(section);
    if (role == Qt::ToolTipRole)
        return TransferColumns::headerToolTip(section);
    return {};
}

void TransferListModel::setRecords(const QList<TransferRecord> &records)
{
    beginResetModel();
    m_records = records;
    endResetModel();
}

} // namespace Dcs
