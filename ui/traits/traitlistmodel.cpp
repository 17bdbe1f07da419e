#include "traits/traitlistmodel.h"

#include <QLocale>
#include <QMimeData>

namespace Dcs {

namespace {

QString typeText(Trait::Type type)
{
    switch (type) {
    case Trait::Type::Rule: return TraitListModel::tr("rule");
    case Trait::Type::Onboarded: return TraitListModel::tr("onboarded");
    case Trait::Type::Folder: return TraitListModel::tr("folder");
    }
    return {};
}

} // namespace

QString TraitListModel::mimeType()
{
    return QStringLiteral("application/x-dcs-trait-sids");
}

TraitListModel::TraitListModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void TraitListModel::setTraits(const QList<Trait> &traits)
{
    beginResetModel();
    m_traits = traits;
    m_rowBySid.clear();
    for (int row = 0; row < m_traits.size(); ++row)
        m_rowBySid.insert(m_traits.at(row).sid, row);
    endResetModel();
}

std::optional<Trait> TraitListModel::trait(qint64 sid) const
{
    const int row = rowOf(sid);
    return row < 0 ? std::nullopt : std::optional<Trait>(m_traits.at(row));
}

int TraitListModel::rowOf(qint64 sid) const
{
    return m_rowBySid.value(sid, -1);
}

void TraitListModel::setPartnerNames(const QHash<qint64, QString> &names)
{
    m_partnerNames = names;
    if (!m_traits.isEmpty())
        Q_EMIT dataChanged(index(0, DataSource), index(rowCount() - 1, DataSource));
}

void TraitListModel::setFigures(qint64 sid, const Figures &figures)
{
    m_figures.insert(sid, figures);
    const int row = rowOf(sid);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, Population), index(row, Uniques30));
}

std::optional<TraitListModel::Figures> TraitListModel::figures(qint64 sid) const
{
    const auto found = m_figures.constFind(sid);
    return found == m_figures.constEnd() ? std::nullopt : std::optional<Figures>(*found);
}

void TraitListModel::clearFigures()
{
    m_figures.clear();
    if (!m_traits.isEmpty())
        Q_EMIT dataChanged(index(0, Population), index(rowCount() - 1, Uniques30));
}

QString TraitListModel::dataSourceText(qint64 dataSource) const
{
    if (dataSource == 0)
        return tr("First party");
    const QString name = m_partnerNames.value(dataSource);
    return name.isEmpty() ? tr("DPID %1").arg(dataSource)
                          : tr("%1 (%2)").arg(name).arg(dataSource);
}

int TraitListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_traits.size());
}

int TraitListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TraitListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Trait &trait = m_traits.at(index.row());
    const std::optional<Figures> figured = figures(trait.sid);
    const auto figure = [&](int column) -> qint64 {
        if (!figured)
            return -1;
        return column == Population ? figured->populationNow
               : column == Uniques7 ? figured->uniques7
                                    : figured->uniques30;
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return trait.name;
        case Sid: return QString::number(trait.sid);
        case Type: return typeText(trait.type);
        case DataSource: return dataSourceText(trait.dataSource);
        case Population:
        case Uniques7:
        case Uniques30:
            return figured ? QLocale().toString(figure(index.column())) : QStringLiteral("…");
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case Name: return trait.name.toLower();
        case Sid: return trait.sid;
        case Type: return int(trait.type);
        case DataSource: return trait.dataSource;
        default: return figure(index.column());
        }
    case Qt::TextAlignmentRole:
        if (index.column() == Sid || index.column() >= Population)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Name) {
            if (trait.type == Trait::Type::Folder)
                return tr("Folder trait: every trait in its folder and the folders below");
            return trait.rule;
        }
        if (index.column() >= Population && !figured)
            return tr("Being counted…");
        return {};
    case SidRole: return trait.sid;
    case FolderRole: return trait.folderId;
    case SearchTextRole:
        return QStringList{trait.name, QString::number(trait.sid), trait.integrationCode,
                           trait.rule}
            .join(QLatin1Char('\n'));
    default: return {};
    }
}

QVariant TraitListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name: return tr("Name");
        case Sid: return tr("SID");
        case Type: return tr("Type");
        case DataSource: return tr("Data source");
        case Population: return tr("Population");
        case Uniques7: return tr("7 days");
        case Uniques30: return tr("30 days");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Population: return tr("Visitors holding the trait now");
        case Uniques7: return tr("Unique visitors who realized it in the last 7 days");
        case Uniques30: return tr("Unique visitors who realized it in the last 30 days");
        default: return {};
        }
    }
    return {};
}

Qt::ItemFlags TraitListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled
           | Qt::ItemNeverHasChildren;
}

QStringList TraitListModel::mimeTypes() const
{
    return {mimeType()};
}

QMimeData *TraitListModel::mimeData(const QModelIndexList &indexes) const
{
    QStringList sids;
    for (const QModelIndex &index : indexes) {
        if (!index.isValid())
            continue;
        const QString sid = QString::number(m_traits.at(index.row()).sid);
        if (!sids.contains(sid))
            sids.append(sid);
    }
    if (sids.isEmpty())
        return nullptr;
    auto *data = new QMimeData;
    data->setData(mimeType(), sids.join(QLatin1Char('\n')).toUtf8());
    return data;
}

Qt::DropActions TraitListModel::supportedDragActions() const
{
    return Qt::MoveAction;
}

TraitFilterProxy::TraitFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(TraitListModel::SortRole);
    setDynamicSortFilter(true);
}

void TraitFilterProxy::setFolders(const std::optional<QSet<qint64>> &folderIds)
{
    m_folders = folderIds;
    invalidateFilter();
}

void TraitFilterProxy::setSearchText(const QString &text)
{
    m_words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateFilter();
}

bool TraitFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_folders && !m_folders->contains(index.data(TraitListModel::FolderRole).toLongLong()))
        return false;
    if (m_words.isEmpty())
        return true;
    const QString text = index.data(TraitListModel::SearchTextRole).toString();
    for (const QString &word : m_words) {
        if (!text.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

} // namespace Dcs
