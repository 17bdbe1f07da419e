#pragma once

#include "storagewriter.h"

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace Dcs {

// One create/edit/delete of a trait or segment: who, when, and the definition before and after, in
// the workspace file's JSON form (empty object for "none").
struct DefinitionVersion
{
    enum class Kind { Trait, Segment };
    enum class Action { Create, Edit, Delete };

    Kind kind = Kind::Trait;
    qint64 sid = 0;
    int version = 0;
    Action action = Action::Create;
    QString author;
    qint64 timeMs = 0;
    QJsonObject before;
    QJsonObject after;
};

namespace DefinitionVersions {

// Records the next version of (kind, sid) inside the caller's write job.
bool record(WriteContext &context, DefinitionVersion::Kind kind, qint64 sid,
            DefinitionVersion::Action action, const QString &author, const QJsonObject &before,
            const QJsonObject &after, QString *error);

// Deletes (kind, sid) and records the deletion with `before` as the last definition, in the
// caller's write job. Fails, naming it, when nothing has that sid.
bool removeDefinition(WriteContext &context, DefinitionVersion::Kind kind, qint64 sid,
                      const QJsonObject &before, const QString &author, QString *error);

// Every version of (kind, sid), oldest first.
QList<DefinitionVersion> history(QSqlDatabase db, DefinitionVersion::Kind kind, qint64 sid);

// Who is editing: $USER (or $USERNAME), for the "who" of a version.
QString currentAuthor();

} // namespace DefinitionVersions
} // namespace Dcs
