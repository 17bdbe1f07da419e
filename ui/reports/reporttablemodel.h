#pragma once

#include "reportrows.h"

#include <QAbstractTableModel>
#include <QList>

namespace Dcs {

// Every trait and segment with its report numbers (ReportRow), one row each, traits first.
// Numbers sort as numbers through SortRole (a segment's realization cells, which do not apply,
// sort below every trait's).
class ReportTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Kind,
        Sid,
        Name,
        PopulationNow,
        FirstVisitors,                                         // one per window
        FirstRealizations = FirstVisitors + ReportRow::WindowCount, // one per window
        ColumnCount = FirstRealizations + ReportRow::WindowCount,
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit ReportTableModel(QObject *parent = nullptr);

    // Replaces the rows. When the same items come back in the same order (a refresh), only
    // their numbers change: the views keep their selection and scroll position.
    void setRows(const QList<ReportRow> &rows);
    const QList<ReportRow> &rows() const { return m_rows; }
    // An empty row out of range.
    ReportRow row(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<ReportRow> m_rows;
};

} // namespace Dcs
