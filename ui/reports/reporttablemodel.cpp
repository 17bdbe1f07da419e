#include "reporttablemodel.h"

#include <QLocale>

#include <limits>
#include <optional>

namespace Dcs {

namespace {

bool sameItems(const QList<ReportRow> &a, const QList<ReportRow> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a.at(i).kind != b.at(i).kind || a.at(i).sid != b.at(i).sid)
            return false;
    }
    return true;
}

int windowDays(int column, int first)
{
    return ReportWindowDays[size_t(column - first)];
}

} // namespace

ReportTableModel::ReportTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ReportTableModel::setRows(const QList<ReportRow> &rows)
{
    if (sameItems(m_rows, rows)) {
        m_rows = rows;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

ReportRow ReportTableModel::row(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : ReportRow();
}

int ReportTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ReportTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReportTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ReportRow &row = m_rows.at(index.row());
    const int column = index.column();
    const bool trait = row.kind == ReportRow::Kind::Trait;

    // The number behind a numeric cell; nullopt for text cells and cells that do not apply.
    std::optional<qint64> number;
    if (column == Sid)
        number = row.sid;
    else if (column == PopulationNow)
        number = row.populationNow;
    else if (column >= FirstVisitors && column < FirstRealizations)
        number = row.visitors[size_t(column - FirstVisitors)];
    else if (column >= FirstRealizations && trait)
        number = row.realizations[size_t(column - FirstRealizations)];

    switch (role) {
    case Qt::DisplayRole:
        if (column == Kind)
            return trait ? tr("Trait") : tr("Segment");
        if (column == Name)
            return row.name;
        if (column == Sid)
            return QString::number(row.sid); // an ID: no thousands separator
        return number ? QLocale().toString(*number) : QString();
    case SortRole:
        if (column == Kind)
            return int(row.kind);
        if (column == Name)
            return row.name;
        return number ? *number : std::numeric_limits<qint64>::min();
    case Qt::ToolTipRole:
        if (column == Name || column == Kind)
            return row.detail.isEmpty() ? QVariant() : QVariant(row.detail);
        if (column >= FirstRealizations && !trait)
            return tr("Segments have memberships, not realizations");
        return {};
    case Qt::TextAlignmentRole:
        if (column == Kind || column == Name)
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        return int(Qt::AlignRight | Qt::AlignVCenter);
    default: break;
    }
    return {};
}

QVariant ReportTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Kind: return tr("Kind");
        case Sid: return tr("SID");
        case Name: return tr("Name");
        case PopulationNow: return tr("Now");
        default: break;
        }
        if (section < FirstRealizations)
            return tr("Visitors\n%1 d").arg(windowDays(section, FirstVisitors));
        return tr("Realized\n%1 d").arg(windowDays(section, FirstRealizations));
    }
    if (role == Qt::InitialSortOrderRole && section != Kind && section != Name)
        return Qt::DescendingOrder; // the largest numbers first
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Kind: return tr("Trait or segment");
        case Sid: return tr("The trait's or segment's ID");
        case Name: return tr("Hover a name for the trait's type or the segment's rule");
        case PopulationNow:
            return tr("Visitors who hold the trait or segment now");
        default: break;
        }
        if (section < FirstRealizations)
            return tr("Unique visitors over the last %1 days: who realized the trait, or who "
                      "held the segment at any moment")
                .arg(windowDays(section, FirstVisitors));
        return tr("Every realization of the trait over the last %1 days")
            .arg(windowDays(section, FirstRealizations));
    }
    return {};
}

} // namespace Dcs
