#pragma once

#include "definitionversions.h"
#include "rules/definitions.h"
#include "storagewriter.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace Dcs {

class Storage;

// Segment definitions. Every create, edit and delete is recorded as a definition version.
class SegmentRepository
{
public:
    explicit SegmentRepository(Storage &storage) : m_storage(storage) {}

    QList<Segment> all() const; // ordered by sid
    std::optional<Segment> bySid(qint64 sid) const;
    // sid 0 creates with the next free sid; an existing sid is edited. `segment.sid` is set.
    WriteResult save(Segment &segment, const QString &author = DefinitionVersions::currentAuthor());
    WriteResult remove(qint64 sid, const QString &author = DefinitionVersions::currentAuthor());
    QList<DefinitionVersion> history(qint64 sid) const;

    static QList<Segment> readAll(QSqlDatabase db);
    static std::optional<Segment> read(QSqlDatabase db, qint64 sid);
    // Creates the segment under its own sid when `segment.sid` is set and free, else edits it.
    static bool write(WriteContext &context, Segment &segment, const QString &author, QString *error);

private:
    Storage &m_storage;
};

} // namespace Dcs
