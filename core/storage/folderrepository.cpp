#include "folderrepository.h"

#include "sqlutil.h"
#include "storage.h"

#include <QHash>
#include <QSqlQuery>

namespace Dcs {

QList<Folder> FolderRepository::readAll(QSqlDatabase db)
{
    QSqlQuery query(db);
    QList<Folder> folders;
    if (!SqlUtil::run(query, QStringLiteral("SELECT id, name, parent_id FROM folders ORDER BY id"),
                      {}, nullptr))
        return folders;
    while (query.next()) {
        Folder folder;
        folder.id = query.value(0).toLongLong();
        folder.name = query.value(1).toString();
        if (!query.value(2).isNull())
            folder.parentId = query.value(2).toLongLong();
        folders.append(folder);
    }
    return folders;
}

QList<Folder> FolderRepository::all() const
{
    return readAll(m_storage.reader());
}

int FolderRepository::depthOf(const Folder &folder, const QHash<qint64, Folder> &byId)
{
    int depth = 1;
    std::optional<qint64> parent = folder.parentId;
    while (parent) {
        if (*parent == folder.id || depth > byId.size() + 1)
            return -1;
        const auto found = byId.constFind(*parent);
        if (found == byId.constEnd())
            return -1;
        parent = found->parentId;
        ++depth;
    }
    return depth;
}

bool FolderRepository::write(WriteContext &context, Folder &folder, bool keepId, QString *error)
{
    QHash<qint64, Folder> byId;
    for (const Folder &existing : readAll(context.database()))
        byId.insert(existing.id, existing);
    if (folder.parentId && !byId.contains(*folder.parentId)) {
        *error = QStringLiteral("parent folder %1 does not exist").arg(*folder.parentId);
        return false;
    }
    if (folder.id != 0)
        byId.insert(folder.id, folder);
    const int depth = depthOf(folder, byId);
    if (depth < 0) {
        *error = QStringLiteral("folder \"%1\" would be inside itself").arg(folder.name);
        return false;
    }
    if (depth > kMaxDepth) {
        *error = QStringLiteral("folders nest at most %1 levels deep; \"%2\" would be at level %3")
                     .arg(kMaxDepth)
                     .arg(folder.name)
                     .arg(depth);
        return false;
    }

    QSqlQuery query(context.database());
    const QVariant parent = SqlUtil::nullableId(folder.parentId);
    if (folder.id != 0 && !keepId) {
        if (!SqlUtil::run(query,
                          QStringLiteral("UPDATE folders SET name = ?, parent_id = ? WHERE id = ?"),
                          {folder.name, parent, folder.id}, error))
            return false;
        return query.numRowsAffected() == 1
               || (*error = QStringLiteral("folder %1 does not exist").arg(folder.id), false);
    }
    const bool explicitId = folder.id != 0;
    if (!SqlUtil::run(query,
                      explicitId ? QStringLiteral("INSERT INTO folders (id, name, parent_id) "
                                                  "VALUES (?, ?, ?)")
                                 : QStringLiteral("INSERT INTO folders (name, parent_id) "
                                                  "VALUES (?, ?)"),
                      explicitId ? QVariantList{folder.id, folder.name, parent}
                                 : QVariantList{folder.name, parent},
                      error))
        return false;
    folder.id = query.lastInsertId().toLongLong();
    return true;
}

WriteResult FolderRepository::save(Folder &folder)
{
    return m_storage.writer().writeBack(folder, [](WriteContext &context, Folder &copy,
                                                   QString *error) {
        return write(context, copy, false, error);
    });
}

WriteResult FolderRepository::remove(qint64 id)
{
    return m_storage.writer().runAndWait([id](WriteContext &context, QString *error) {
        QSqlQuery query(context.database());
        if (!SqlUtil::run(query,
                          QStringLiteral(
                              "SELECT (SELECT count(*) FROM folders WHERE parent_id = ?) + "
                              "(SELECT count(*) FROM traits WHERE folder_id = ?) + "
                              "(SELECT count(*) FROM segments WHERE folder_id = ?)"),
                          {id, id, id}, error)
            || !query.next())
            return false;
        if (query.value(0).toInt() > 0) {
            *error = QStringLiteral("folder %1 is not empty: move or delete what it holds first")
                         .arg(id);
            return false;
        }
        if (!SqlUtil::run(query, QStringLiteral("DELETE FROM folders WHERE id = ?"), {id}, error))
            return false;
        return query.numRowsAffected() == 1
               || (*error = QStringLiteral("folder %1 does not exist").arg(id), false);
    });
}

} // namespace Dcs
