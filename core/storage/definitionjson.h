#pragma once

#include "partners/partner.h"
#include "rules/definitions.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Dcs {

// A problem found in a JSON document, with its JSON path ("$.traits[2].rule") and, where it is
// known, the line and column in the file (1-based; 0 = unknown).
struct JsonIssue
{
    QString path;
    QString message;
    int line = 0;
    int column = 0;

    QString toString() const;
};

// The workspace file's JSON form of each definition (workspace.md). The same form is stored as the
// "before"/"after" of definition versions, so history and files read alike. Secrets never appear.
namespace DefinitionJson {

QJsonObject toJson(const WorkspaceSettings &settings);
QJsonObject toJson(const Partner &partner);
QJsonObject toJson(const Folder &folder);
QJsonObject toJson(const Trait &trait);
QJsonObject toJson(const Segment &segment);

// Each reader checks types, ranges and unknown fields and appends every problem under `path`.
// Fields that are absent take the spec's defaults.
WorkspaceSettings settingsFromJson(const QJsonObject &object, const QString &path,
                                   QList<JsonIssue> *issues);
// `inlineSecret` receives a "secret" given inline in the file (workspace.md allows it).
Partner partnerFromJson(const QJsonObject &object, const QString &path, QList<JsonIssue> *issues,
                        QString *inlineSecret);
Folder folderFromJson(const QJsonObject &object, const QString &path, QList<JsonIssue> *issues);
Trait traitFromJson(const QJsonObject &object, const QString &path, QList<JsonIssue> *issues);
Segment segmentFromJson(const QJsonObject &object, const QString &path, QList<JsonIssue> *issues);

} // namespace DefinitionJson
} // namespace Dcs
