#pragma once

#include "definitionjson.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Dcs {

class Storage;

// What an import or check found: every error with its JSON path, or what was (or would be) added.
struct WorkspaceReport
{
    struct Counts
    {
        int added = 0;
        int unchanged = 0; // already in the workspace, identical
    };

    bool ok = false;
    QList<JsonIssue> errors;
    Counts partners;
    Counts folders;
    Counts traits;
    Counts segments;

    QString summary() const; // one line, for the CLI and the status bar
};

// Workspace files (workspace.md): the definitions as one JSON document that can be reviewed,
// versioned and moved between machines. Import is all-or-nothing.
namespace WorkspaceFile {

inline constexpr auto kFormat = "dcs-studio-workspace/1";

// The workspace as JSON: deterministic (sorted keys, rows by id), indented, without secrets.
QByteArray exportJson(Storage &storage);

// Validates `json` against the file format and the current workspace; changes nothing.
WorkspaceReport check(Storage &storage, const QByteArray &json);

// Validates and applies `json` in one transaction: on any error nothing is changed. Definitions
// keep their ids when free; an identical existing one is left as is; a different one under the
// same id is a clash, reported with both names.
WorkspaceReport import(Storage &storage, const QByteArray &json, const QString &author);

// The same, reading or writing a file; a file that cannot be read is reported as an error at "$".
WorkspaceReport checkFile(Storage &storage, const QString &path);
WorkspaceReport importFile(Storage &storage, const QString &path, const QString &author);
bool exportFile(Storage &storage, const QString &path, QString *error);

} // namespace WorkspaceFile
} // namespace Dcs
