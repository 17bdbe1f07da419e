#include "traittreemodel.h"

#include <QApplication>
#include <QMimeData>
#include <QSet>
#include <QStyle>

#include <algorithm>

namespace Dcs {

TraitTreeModel::TraitTreeModel(QObject *parent)
    : QStandardItemModel(0, ColumnCount, parent)
{
    setHorizontalHeaderLabels({tr("Trait"), tr("SID")});
}

QString TraitTreeModel::typeLabel(Trait::Type type)
{
    switch (type) {
    case Trait::Type::Rule: return tr("rule-based");
    case Trait::Type::Onboarded: return tr("onboarded");
    case Trait::Type::Folder: return tr("folder trait");
    }
    return {};
}

void TraitTreeModel::setDefinitions(const QList<Folder> &folders, const QList<Trait> &traits)
{
    removeRows(0, rowCount());
    m_traits.clear();
    QStyle *style = QApplication::style();
    const QIcon folderIcon = style->standardIcon(QStyle::SP_DirIcon);
    const QIcon traitIcon = style->standardIcon(QStyle::SP_FileIcon);

    QHash<qint64, QStandardItem *> folderItems;
    const auto makeFolder = [&](const Folder &folder) {
        auto *name = new QStandardItem(folderIcon, folder.name);
        name->setEditable(false);
        name->setDragEnabled(false);
        name->setData(qint64(0), SidRole);
        auto *sid = new QStandardItem;
        sid->setEditable(false);
        sid->setDragEnabled(false);
        QStandardItem *parent = folder.parentId ? folderItems.value(*folder.parentId) : nullptr;
        (parent ? parent : invisibleRootItem())->appendRow({name, sid});
        folderItems.insert(folder.id, name);
    };
    // Parents first: a folder's id is larger than its parent's, as FolderRepository assigns.
    QList<Folder> ordered = folders;
    std::sort(ordered.begin(), ordered.end(),
              [](const Folder &a, const Folder &b) { return a.id < b.id; });
    for (const Folder &folder : std::as_const(ordered))
        makeFolder(folder);

    for (const Trait &trait : traits) {
        m_traits.insert(trait.sid, trait);
        auto *name = new QStandardItem(traitIcon, trait.name);
        auto *sid = new QStandardItem(QString::number(trait.sid) + u'T');
        sid->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        const QString tip = tr("%1 (%2T, %3)\nDrag it into a group")
                                .arg(trait.name)
                                .arg(trait.sid)
                                .arg(typeLabel(trait.type));
        for (QStandardItem *item : {name, sid}) {
            item->setEditable(false);
            item->setDragEnabled(true);
            item->setData(trait.sid, SidRole);
            item->setData(int(trait.type), TypeRole);
            item->setToolTip(tip);
        }
        QStandardItem *folder = folderItems.value(trait.folderId);
        (folder ? folder : invisibleRootItem())->appendRow({name, sid});
    }
}

QStringList TraitTreeModel::mimeTypes() const
{
    return {QString::fromLatin1(kMimeType)};
}

QMimeData *TraitTreeModel::mimeData(const QModelIndexList &indexes) const
{
    QStringList sids;
    QSet<qint64> seen;
    for (const QModelIndex &index : indexes) {
        const qint64 sid = index.data(SidRole).toLongLong();
        if (sid > 0 && !seen.contains(sid)) {
            seen.insert(sid);
            sids.append(QString::number(sid));
        }
    }
    if (sids.isEmpty())
        return nullptr;
    auto *mime = new QMimeData;
    mime->setData(QString::fromLatin1(kMimeType), sids.join(u'\n').toLatin1());
    // Dropped into a text field (the code view), a trait reads as the rule names it.
    QStringList refs;
    for (const QString &sid : std::as_const(sids))
        refs.append(sid + u'T');
    mime->setText(refs.join(QStringLiteral(" OR ")));
    return mime;
}

QList<qint64> TraitTreeModel::sidsFrom(const QMimeData *mime)
{
    QList<qint64> sids;
    if (!mime || !mime->hasFormat(QString::fromLatin1(kMimeType)))
        return sids;
    const QList<QByteArray> lines = mime->data(QString::fromLatin1(kMimeType)).split('\n');
    for (const QByteArray &line : lines) {
        bool ok = false;
        const qint64 sid = line.trimmed().toLongLong(&ok);
        if (ok && sid > 0)
            sids.append(sid);
    }
    return sids;
}

} // namespace Dcs
