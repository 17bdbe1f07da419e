#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace Dcs {

// The definitions analysts edit (rules.md). Rules are kept as text here; the rules engine compiles
// them. Value types only: storage reads and writes them, the engine and the GUI consume them.

struct Folder
{
    qint64 id = 0;
    QString name;
    std::optional<qint64> parentId;

    friend bool operator==(const Folder &, const Folder &) = default;
};

struct Trait
{
    enum class Type { Rule, Onboarded, Folder };

    qint64 sid = 0;
    QString name;
    Type type = Type::Rule;
    qint64 folderId = 0;
    qint64 dataSource = 0; // a partner's DPID, or 0 for first-party
    QString integrationCode;
    QString description;
    QString rule; // empty for folder traits
    int ttlDays = 120; // 0 = never expires

    friend bool operator==(const Trait &, const Trait &) = default;
};

struct Destination
{
    enum class Type { Cookie, Url };

    Type type = Type::Cookie;
    QString key;   // cookie
    QString value; // cookie
    QString url;   // url template with %ALIAS% %did% %rnd% %timestamp%

    friend bool operator==(const Destination &, const Destination &) = default;
};

struct Segment
{
    qint64 sid = 0;
    QString name;
    QString description;
    qint64 folderId = 0;
    QString integrationCode;
    qint64 dataSource = 0;
    QString rule;
    QList<Destination> destinations;
    bool active = true;

    friend bool operator==(const Segment &, const Segment &) = default;
};

// Listener-wide settings that belong to the workspace (exported with it).
struct WorkspaceSettings
{
    int dcsRegion = 7;
    int deadlineMs = 100;

    friend bool operator==(const WorkspaceSettings &, const WorkspaceSettings &) = default;
};

QString traitTypeName(Trait::Type type);
bool traitTypeFromName(const QString &name, Trait::Type *type);

} // namespace Dcs
