#pragma once

#include "definitionversions.h"
#include "rules/definitions.h"
#include "storagewriter.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace Dcs {

class Storage;

// Trait definitions. Every create, edit and delete is recorded as a definition version.
class TraitRepository
{
public:
    explicit TraitRepository(Storage &storage) : m_storage(storage) {}

    QList<Trait> all() const; // ordered by sid
    std::optional<Trait> bySid(qint64 sid) const;
    // sid 0 creates with the next free sid; an existing sid is edited. `trait.sid` is set.
    WriteResult save(Trait &trait, const QString &author = DefinitionVersions::currentAuthor());
    WriteResult remove(qint64 sid, const QString &author = DefinitionVersions::currentAuthor());
    QList<DefinitionVersion> history(qint64 sid) const;

    static QList<Trait> readAll(QSqlDatabase db);
    static std::optional<Trait> read(QSqlDatabase db, qint64 sid);
    // Creates the trait under its own sid when `trait.sid` is set and free, else edits it.
    static bool write(WriteContext &context, Trait &trait, const QString &author, QString *error);

private:
    Storage &m_storage;
};

} // namespace Dcs
