#include "workspacemodel.h"

#include "storage/folderrepository.h"
#include "storage/partnerrepository.h"
#include "storage/segmentrepository.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"

#include <QApplication>
#include <QHash>
#include <QStyle>

namespace Dcs {

namespace {

QList<QStandardItem *> makeRow(const QString &name, const QString &kind, qint64 id,
                               const QString &details, const QIcon &icon = {})
{
    auto *nameItem = new QStandardItem(icon, name);
    auto *kindItem = new QStandardItem(kind);
    auto *idItem = new QStandardItem(id > 0 ? QString::number(id) : QString());
    idItem->setData(id, WorkspaceModel::IdRole);
    idItem->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto *detailsItem = new QStandardItem(details);
    detailsItem->setToolTip(details);
    QList<QStandardItem *> row{nameItem, kindItem, idItem, detailsItem};
    for (QStandardItem *item : row)
        item->setEditable(false);
    return row;
}

QString traitKind(Trait::Type type)
{
    switch (type) {
    case Trait::Type::Rule: return WorkspaceModel::tr("Rule-based trait");
    case Trait::Type::Onboarded: return WorkspaceModel::tr("Onboarded trait");
    case Trait::Type::Folder: return WorkspaceModel::tr("Folder trait");
    }
    return {};
}

} // namespace

WorkspaceModel::WorkspaceModel(QObject *parent)
    : QStandardItemModel(0, ColumnCount, parent)
{
    setHorizontalHeaderLabels({tr("Name"), tr("Kind"), tr("ID"), tr("Details")});
}

void WorkspaceModel::reload(Storage &storage)
{
    const QList<Partner> partners = PartnerRepository(storage).all();
    const QList<Folder> folders = FolderRepository(storage).all();
    const QList<Trait> traits = TraitRepository(storage).all();
    const QList<Segment> segments = SegmentRepository(storage).all();
    m_partnerCount = int(partners.size());
    m_folderCount = int(folders.size());
    m_traitCount = int(traits.size());
    m_segmentCount = int(segments.size());

    removeRows(0, rowCount());
    QStyle *style = QApplication::style();
    const QIcon folderIcon = style->standardIcon(QStyle::SP_DirIcon);
    const QIcon fileIcon = style->standardIcon(QStyle::SP_FileIcon);

    auto partnerRoot = makeRow(tr("Partners"), tr("Partner list"), 0,
                               m_partnerCount == 1 ? tr("1 partner")
                                                   : tr("%1 partners").arg(m_partnerCount),
                               style->standardIcon(QStyle::SP_DriveNetIcon));
    for (const Partner &partner : partners) {
        const QString details = tr("%1 · %2 · %3 ms timeout")
                                    .arg(partnerModeName(partner.mode), partner.endpoint)
                                    .arg(partner.timeoutMs);
        partnerRoot.first()->appendRow(makeRow(partner.name, tr("Partner"), partner.dpid, details));
    }
    appendRow(partnerRoot);

    QHash<qint64, QStandardItem *> folderItems;
    // Parents are created before children because ids grow with creation; an orphan (which
    // the schema prevents) would land at the top level rather than vanish.
    for (const Folder &folder : folders) {
        auto row = makeRow(folder.name, tr("Folder"), folder.id, {}, folderIcon);
        QStandardItem *parent = folder.parentId ? folderItems.value(*folder.parentId) : nullptr;
        if (parent)
            parent->appendRow(row);
        else
            appendRow(row);
        folderItems.insert(folder.id, row.first());
    }
    const auto attach = [&](qint64 folderId, const QList<QStandardItem *> &row) {
        if (QStandardItem *folder = folderItems.value(folderId))
            folder->appendRow(row);
        else
            appendRow(row);
    };
    for (const Trait &trait : traits)
        attach(trait.folderId, makeRow(trait.name, traitKind(trait.type), trait.sid, trait.rule,
                                       fileIcon));
    for (const Segment &segment : segments) {
        const QString kind = segment.active ? tr("Segment") : tr("Segment (inactive)");
        attach(segment.folderId, makeRow(segment.name, kind, segment.sid, segment.rule,
                                         style->standardIcon(QStyle::SP_FileDialogContentsView)));
    }
}

} // namespace Dcs
