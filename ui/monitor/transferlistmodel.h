#pragma once

#include "transfer/transferrecord.h"

#include <QAbstractTableModel>
#include <QList>

namespace Dcs {

// A fixed list of partner attempts in the shared transfer columns: the attempts of one /event in
// the detail pane. Replaced as a whole (setRecords), never edited.
class TransferListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    explicit TransferListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setRecords(const QList<TransferRecord> &records);
    const QList<TransferRecord> &records() const { return m_records; }
    const TransferRecord &record(int row) const { return m_records.at(row); }

private:
    QList<TransferRecord> m_records;
};

} // namespace Dcs
