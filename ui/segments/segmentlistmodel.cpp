#include "segmentlistmodel.h"

#include <QApplication>
#include <QLocale>
#include <QPalette>

#include <algorithm>

namespace Dcs {

SegmentListModel::SegmentListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void SegmentListModel::setSegments(const QList<Segment> &segments,
                                   const QHash<qint64, QString> &folderNames)
{
    beginResetModel();
    m_segments = segments;
    std::sort(m_segments.begin(), m_segments.end(),
              [](const Segment &a, const Segment &b) { return a.sid < b.sid; });
    m_folderNames = folderNames;
    endResetModel();
}

void SegmentListModel::setPopulations(const QHash<qint64, qint64> &populations)
{
    for (auto it = populations.cbegin(); it != populations.cend(); ++it)
        m_populations.insert(it.key(), it.value());
    if (!m_segments.isEmpty())
        Q_EMIT dataChanged(index(0, Population), index(rowCount() - 1, Population));
}

std::optional<Segment> SegmentListModel::segment(qint64 sid) const
{
    const int row = rowOf(sid);
    return row < 0 ? std::nullopt : std::optional<Segment>(m_segments.at(row));
}

int SegmentListModel::rowOf(qint64 sid) const
{
    for (int row = 0; row < m_segments.size(); ++row) {
        if (m_segments.at(row).sid == sid)
            return row;
    }
    return -1;
}

std::optional<qint64> SegmentListModel::population(qint64 sid) const
{
    const auto it = m_populations.constFind(sid);
    return it == m_populations.cend() ? std::nullopt : std::optional<qint64>(*it);
}

int SegmentListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_segments.size());
}

int SegmentListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SegmentListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Segment &segment = m_segments.at(index.row());
    const std::optional<qint64> population = this->population(segment.sid);
    const QString folder = m_folderNames.value(segment.folderId,
                                               tr("Folder %1").arg(segment.folderId));
    switch (role) {
    case SidRole:
        return segment.sid;
    case SearchRole:
        return QStringList{segment.name, QString::number(segment.sid), segment.integrationCode,
                           segment.rule}
            .join(u'\n');
    case SortRole:
        switch (index.column()) {
        case Sid: return segment.sid;
        case Population: return population.value_or(-1);
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return segment.name;
        case Sid: return segment.sid;
        case Status: return segment.active ? tr("Active") : tr("Inactive");
        case Folder: return folder;
        case Population:
            return population ? QLocale().toString(*population) : QStringLiteral("…");
        case Rule: return QString(segment.rule).replace(u'\n', u' ');
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Status:
            return segment.active ? tr("Evaluated on every call")
                                  : tr("Not evaluated: nobody joins or holds it");
        case Population:
            if (!population)
                return tr("Counting…");
            return *population == 1 ? tr("1 visitor holds this segment now")
                                    : tr("%1 visitors hold this segment now")
                                          .arg(QLocale().toString(*population));
        case Rule: return segment.rule;
        case Name:
            return segment.description.isEmpty() ? segment.name
                                                 : tr("%1\n%2").arg(segment.name,
                                                                    segment.description);
        default: return {};
        }
    case Qt::TextAlignmentRole:
        if (index.column() == Sid || index.column() == Population)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (!segment.active)
            return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    default:
        return {};
    }
}

QVariant SegmentListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name: return tr("Name");
        case Sid: return tr("SID");
        case Status: return tr("Status");
        case Folder: return tr("Folder");
        case Population: return tr("Population");
        case Rule: return tr("Rule");
        }
    }
    if (role == Qt::ToolTipRole && section == Population)
        return tr("Visitors who hold the segment now");
    return {};
}

} // namespace Dcs
