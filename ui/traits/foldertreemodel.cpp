#include "traits/foldertreemodel.h"

#include "traits/traitlistmodel.h"

#include <QApplication>
#include <QIcon>
#include <QMimeData>
#include <QStyle>

namespace Dcs {

QString FolderTreeModel::mimeType()
{
    return QStringLiteral("application/x-dcs-folder-id");
}

FolderTreeModel::FolderTreeModel(QObject *parent)
    : QStandardItemModel(parent)
{
    setColumnCount(ColumnCount);
    setHorizontalHeaderLabels({tr("Folder"), tr("Traits"), tr("Folder trait")});
}

void FolderTreeModel::setContents(const QList<Folder> &folders, const QList<Trait> &traits)
{
    m_reloading = true;
    QStandardItemModel::removeRows(0, rowCount());
    m_folders = folders;
    m_itemById.clear();

    QHash<qint64, int> traitCount;
    QHash<qint64, QList<qint64>> folderTraits;
    for (const Trait &trait : traits) {
        ++traitCount[trait.folderId];
        if (trait.type == Trait::Type::Folder)
            folderTraits[trait.folderId].append(trait.sid);
    }
    const QIcon folderIcon = QApplication::style()->standardIcon(QStyle::SP_DirIcon);
    const auto makeRow = [&](qint64 id, const QString &name) {
        auto *nameItem = new QStandardItem(id == 0 ? QApplication::style()->standardIcon(
                                                         QStyle::SP_DirHomeIcon)
                                                   : folderIcon,
                                           name);
        nameItem->setData(id, FolderIdRole);
        nameItem->setEditable(id != 0);
        const int count = id == 0 ? int(traits.size()) : traitCount.value(id);
        auto *countItem = new QStandardItem(QString::number(count));
        countItem->setData(id, FolderIdRole);
        countItem->setEditable(false);
        countItem->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        QStringList sids;
        for (const qint64 sid : folderTraits.value(id))
            sids.append(QString::number(sid));
        auto *folderTraitItem = new QStandardItem(sids.join(QStringLiteral(", ")));
        folderTraitItem->setData(id, FolderIdRole);
        folderTraitItem->setEditable(false);
        if (!sids.isEmpty())
            folderTraitItem->setToolTip(tr("Folder trait %1: every trait in this folder and "
                                           "the folders below it")
                                            .arg(sids.join(QStringLiteral(", "))));
        return QList<QStandardItem *>{nameItem, countItem, folderTraitItem};
    };

    const QList<QStandardItem *> allRow = makeRow(0, tr("All traits"));
    appendRow(allRow);
    m_itemById.insert(0, allRow.first());
    // Parents first: repeat until every folder whose parent is placed is placed.
    QList<Folder> pending = folders;
    while (!pending.isEmpty()) {
        const qsizetype before = pending.size();
        for (qsizetype i = 0; i < pending.size();) {
            const Folder &folder = pending.at(i);
            QStandardItem *parentItem = folder.parentId ? m_itemById.value(*folder.parentId)
                                                        : allRow.first();
            if (!parentItem) {
                ++i;
                continue;
            }
            const QList<QStandardItem *> row = makeRow(folder.id, folder.name);
            parentItem->appendRow(row);
            m_itemById.insert(folder.id, row.first());
            pending.removeAt(i);
        }
        if (pending.size() == before) { // a missing parent: show them at the top level
            for (const Folder &folder : std::as_const(pending)) {
                const QList<QStandardItem *> row = makeRow(folder.id, folder.name);
                allRow.first()->appendRow(row);
                m_itemById.insert(folder.id, row.first());
            }
            break;
        }
    }
    m_reloading = false;
}

std::optional<Folder> FolderTreeModel::folder(qint64 id) const
{
    for (const Folder &folder : m_folders) {
        if (folder.id == id)
            return folder;
    }
    return std::nullopt;
}

QModelIndex FolderTreeModel::indexOf(qint64 folderId) const
{
    QStandardItem *item = m_itemById.value(folderId);
    return item ? item->index() : QModelIndex();
}

QSet<qint64> FolderTreeModel::subtree(qint64 folderId) const
{
    QSet<qint64> ids{folderId};
    bool grew = true;
    while (grew) {
        grew = false;
        for (const Folder &folder : m_folders) {
            if (folder.parentId && ids.contains(*folder.parentId) && !ids.contains(folder.id)) {
                ids.insert(folder.id);
                grew = true;
            }
        }
    }
    return ids;
}

QString FolderTreeModel::pathOf(qint64 folderId) const
{
    QStringList names;
    std::optional<qint64> at = folderId;
    for (int guard = 0; at && guard < 16; ++guard) {
        const std::optional<Folder> found = folder(*at);
        if (!found)
            break;
        names.prepend(found->name);
        at = found->parentId;
    }
    return names.join(QStringLiteral(" / "));
}

qint64 FolderTreeModel::folderIdAt(const QModelIndex &index) const
{
    return index.isValid() ? index.data(FolderIdRole).toLongLong() : 0;
}

bool FolderTreeModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const qint64 id = folderIdAt(index);
    if (role == Qt::EditRole && index.column() == Name && id != 0 && !m_reloading) {
        const QString name = value.toString().trimmed();
        if (name.isEmpty() || name == index.data().toString())
            return false;
        Q_EMIT renameRequested(id, name);
    }
    return QStandardItemModel::setData(index, value, role);
}

Qt::ItemFlags FolderTreeModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags result = QStandardItemModel::flags(index);
    if (!index.isValid())
        return result & ~Qt::ItemIsDropEnabled;
    result |= Qt::ItemIsDropEnabled;
    if (folderIdAt(index) != 0)
        result |= Qt::ItemIsDragEnabled;
    else
        result &= ~Qt::ItemIsDragEnabled;
    return result;
}

QStringList FolderTreeModel::mimeTypes() const
{
    return {mimeType(), TraitListModel::mimeType()};
}

QMimeData *FolderTreeModel::mimeData(const QModelIndexList &indexes) const
{
    for (const QModelIndex &index : indexes) {
        const qint64 id = folderIdAt(index);
        if (id != 0) {
            auto *data = new QMimeData;
            data->setData(mimeType(), QByteArray::number(id));
            return data;
        }
    }
    return nullptr;
}

bool FolderTreeModel::canDropMimeData(const QMimeData *data, Qt::DropAction action, int row,
                                      int column, const QModelIndex &parent) const
{
    Q_UNUSED(action)
    Q_UNUSED(column)
    if (!data || row >= 0) // onto a folder, not between folders
        return false;
    const qint64 target = folderIdAt(parent);
    if (data->hasFormat(TraitListModel::mimeType()))
        return target != 0; // a trait lives in a folder
    if (data->hasFormat(mimeType())) {
        const qint64 moved = data->data(mimeType()).toLongLong();
        const std::optional<Folder> folder = this->folder(moved);
        if (!folder || subtree(moved).contains(target))
            return false;
        return folder->parentId.value_or(0) != target;
    }
    return false;
}

bool FolderTreeModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row,
                                   int column, const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    const qint64 target = folderIdAt(parent);
    if (data->hasFormat(TraitListModel::mimeType())) {
        QList<qint64> sids;
        const QList<QByteArray> lines = data->data(TraitListModel::mimeType()).split('\n');
        for (const QByteArray &line : lines) {
            bool ok = false;
            const qint64 sid = line.toLongLong(&ok);
            if (ok)
                sids.append(sid);
        }
        if (sids.isEmpty())
            return false;
        Q_EMIT traitsDropped(sids, target);
        return true;
    }
    const qint64 moved = data->data(mimeType()).toLongLong();
    Q_EMIT folderDropped(moved, target == 0 ? std::nullopt : std::optional<qint64>(target));
    return true;
}

Qt::DropActions FolderTreeModel::supportedDropActions() const
{
    return Qt::MoveAction;
}

Qt::DropActions FolderTreeModel::supportedDragActions() const
{
    return Qt::MoveAction;
}

bool FolderTreeModel::removeRows(int row, int count, const QModelIndex &parent)
{
    Q_UNUSED(row)
    Q_UNUSED(count)
    Q_UNUSED(parent)
    return false;
}

} // namespace Dcs
