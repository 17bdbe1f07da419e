#pragma once

#include "rules/definitions.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QStandardItemModel>

#include <optional>

namespace Dcs {

// The Traits page's folder tree: "All traits" on top, then the folders as they nest, each with
// how many traits it holds and its folder trait (if it has one). Folders can be renamed in
// place and take drops: traits dragged from the list (TraitListModel::mimeType()) or another
// folder (mimeType() here). The model never changes the workspace itself: it asks, with the
// *Requested signals, and the page writes and reloads the tree from storage.
class FolderTreeModel final : public QStandardItemModel
{
    Q_OBJECT

public:
    enum Column { Name, Traits, FolderTrait, ColumnCount };
    enum Role { FolderIdRole = Qt::UserRole + 1 }; // 0 for "All traits"

    static QString mimeType(); // a dragged folder: its id as text

    explicit FolderTreeModel(QObject *parent = nullptr);

    void setContents(const QList<Folder> &folders, const QList<Trait> &traits);
    const QList<Folder> &folders() const { return m_folders; }
    std::optional<Folder> folder(qint64 id) const;
    QModelIndex indexOf(qint64 folderId) const; // column 0; "All traits" for 0
    // The folder and every folder below it.
    QSet<qint64> subtree(qint64 folderId) const;
    // "Demo / Interests": the folder's path, for combo boxes and messages.
    QString pathOf(qint64 folderId) const;

    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                         const QModelIndex &parent) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;
    Qt::DropActions supportedDropActions() const override;
    Qt::DropActions supportedDragActions() const override;
    // Rows leave the tree only when it is reloaded from storage (a move's drag source would
    // otherwise remove the dragged folder before the write said whether it may move).
    bool removeRows(int row, int count, const QModelIndex &parent = {}) override;

Q_SIGNALS:
    void renameRequested(qint64 folderId, const QString &name);
    void traitsDropped(const QList<qint64> &sids, qint64 folderId);
    // newParentId nullopt: to the top level ("All traits").
    void folderDropped(qint64 folderId, std::optional<qint64> newParentId);

private:
    qint64 folderIdAt(const QModelIndex &index) const;

    QList<Folder> m_folders;
    QHash<qint64, QStandardItem *> m_itemById;
    bool m_reloading = false;
};

} // namespace Dcs
