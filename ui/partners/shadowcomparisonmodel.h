#pragma once

#include "storage/partnertraffic.h"

#include <QAbstractTableModel>

namespace Dcs {

// The shadow results' comparison: the shadow partner, the live partners together, then each live
// partner, over the same events, with the same figures (answers in time, late, timeouts, errors,
// latency against the deadline, codes). Rows are replaced in place when their count stays.
class ShadowComparisonModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Partner,
        Events,
        Called,
        InTime,
        Late,
        Timeouts,
        Errors,
        NotCalled,
        P50,
        P95,
        P99,
        WithinBudget,
        Codes,
        ColumnCount
    };
    enum class RowKind { Shadow, LiveCombined, Live };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int RowKindRole = Qt::UserRole + 2;

    explicit ShadowComparisonModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void setResults(const PartnerTraffic::ShadowResults &results);
    void clear();

    // The rows as text, tab-separated with a header line (the table's Copy).
    QString toText() const;

private:
    struct Row
    {
        RowKind kind = RowKind::Live;
        PartnerTraffic::PartnerFigures figures;
    };
    QVariant display(const Row &row, int column) const;
    QVariant sortValue(const Row &row, int column) const;

    QList<Row> m_rows;
};

} // namespace Dcs
