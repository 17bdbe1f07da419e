#pragma once

#include "rules/definitions.h"
#include "storagewriter.h"

#include <QList>
#include <QSqlDatabase>

namespace Dcs {

class Storage;

// The folder tree that traits and segments live in (at most kMaxDepth levels).
class FolderRepository
{
public:
    static constexpr int kMaxDepth = 5;

    explicit FolderRepository(Storage &storage) : m_storage(storage) {}

    QList<Folder> all() const; // ordered by id
    // Inserts (id 0: assigned) or updates; refuses a missing parent, a cycle, or depth > 5.
    WriteResult save(Folder &folder);
    // Refuses to remove a folder that still holds folders, traits or segments.
    WriteResult remove(qint64 id);

    static QList<Folder> readAll(QSqlDatabase db);
    // Depth of `folder` (1 = top level) given every folder by id; -1 on a cycle or missing parent.
    static int depthOf(const Folder &folder, const QHash<qint64, Folder> &byId);
    static bool write(WriteContext &context, Folder &folder, bool keepId, QString *error);

private:
    Storage &m_storage;
};

} // namespace Dcs
