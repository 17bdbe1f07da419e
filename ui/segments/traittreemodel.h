#pragma once

#include "rules/definitions.h"

#include <QStandardItemModel>

namespace Dcs {

// The traits a segment can name, in their folders: what the analyst drags into the visual
// view's groups. A trait drags as kMimeType, its sid as decimal text (several, one a line).
// Folders are not draggable (their automatic folder trait is, like any other trait).
class TraitTreeModel final : public QStandardItemModel
{
    Q_OBJECT
public:
    static constexpr const char *kMimeType = "application/x-dcs-trait-sid";
    enum Column { NameColumn, SidColumn, ColumnCount };
    enum Role {
        SidRole = Qt::UserRole + 1, // qint64; 0 on folders
        TypeRole,                   // int(Trait::Type) on traits
    };

    explicit TraitTreeModel(QObject *parent = nullptr);

    void setDefinitions(const QList<Folder> &folders, const QList<Trait> &traits);
    // The traits by sid, as last set.
    const QHash<qint64, Trait> &traits() const { return m_traits; }

    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override { return Qt::CopyAction; }

    // The sids a drag carries (empty when it carries none).
    static QList<qint64> sidsFrom(const QMimeData *mime);
    static QString typeLabel(Trait::Type type);

private:
    QHash<qint64, Trait> m_traits;
};

} // namespace Dcs
