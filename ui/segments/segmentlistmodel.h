#pragma once

#include "rules/definitions.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <optional>

namespace Dcs {

// The segments of the workspace, one row each: name, sid, status, folder, population now and
// the rule. Populations arrive later than the definitions (they are read off the GUI thread
// after the list), so a row shows "…" until its number is known.
class SegmentListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Sid, Status, Folder, Population, Rule, ColumnCount };
    enum Role {
        SidRole = Qt::UserRole + 1, // qint64
        SortRole,                   // numbers as numbers
        SearchRole,                 // name, sid, integration code and rule, for the search box
    };

    explicit SegmentListModel(QObject *parent = nullptr);

    // Replaces the rows (sorted by sid); folder names by folder id. Known populations stay.
    void setSegments(const QList<Segment> &segments, const QHash<qint64, QString> &folderNames);
    // Populations now by segment sid; a sid missing keeps "…".
    void setPopulations(const QHash<qint64, qint64> &populations);

    const QList<Segment> &segments() const { return m_segments; }
    std::optional<Segment> segment(qint64 sid) const;
    int rowOf(qint64 sid) const;
    std::optional<qint64> population(qint64 sid) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Segment> m_segments;
    QHash<qint64, QString> m_folderNames;
    QHash<qint64, qint64> m_populations;
};

} // namespace Dcs
