#pragma once

// Definitions, times and helpers shared by the qualification tests (header-only: each test is
// its own executable).

#include "dcs/signaldecoder.h"
#include "rules/definitions.h"
#include "rules/qualifier.h"
#include "rules/realization.h"
#include "rules/rulesignals.h"
#include "rules/rulesnapshot.h"
#include "storage/folderrepository.h"
#include "storage/segmentrepository.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace Fixture {

using namespace Dcs;

inline constexpr qint64 Day = MsPerDay;
inline constexpr qint64 Never = Realization::Never;

inline qint64 utcMs(int year, int month, int day, int hour = 0, int minute = 0,
                    int second = 0, int ms = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute, second, ms), Qt::UTC)
        .toMSecsSinceEpoch();
}

// 2024-03-20T12:00:00.000Z
inline qint64 now()
{
    return utcMs(2024, 3, 20, 12);
}

inline Folder folder(qint64 id, const char *name, std::optional<qint64> parent = std::nullopt)
{
    Folder result;
    result.id = id;
    result.name = QString::fromUtf8(name);
    result.parentId = parent;
    return result;
}

inline Trait trait(qint64 sid, Trait::Type type, qint64 folderId, const char *rule,
                   int ttlDays = 120, qint64 dataSource = 0)
{
    Trait result;
    result.sid = sid;
    result.name = QStringLiteral("Trait %1").arg(sid);
    result.type = type;
    result.folderId = folderId;
    result.rule = QString::fromUtf8(rule);
    result.ttlDays = ttlDays;
    result.dataSource = dataSource;
    return result;
}

inline Segment segment(qint64 sid, const char *rule, QList<Destination> destinations = {},
                       bool active = true, const char *integrationCode = "")
{
    Segment result;
    result.sid = sid;
    result.name = QStringLiteral("Segment %1").arg(sid);
    result.folderId = 1;
    result.rule = QString::fromUtf8(rule);
    result.destinations = destinations;
    result.active = active;
    result.integrationCode = QString::fromUtf8(integrationCode);
    return result;
}

inline Destination cookie(const char *key, const char *value)
{
    return Destination{Destination::Type::Cookie, QString::fromUtf8(key),
                       QString::fromUtf8(value), QString()};
}

inline Destination url(const char *urlTemplate)
{
    return Destination{Destination::Type::Url, QString(), QString(),
                       QString::fromUtf8(urlTemplate)};
}

struct Definitions
{
    QList<Folder> folders;
    QList<Trait> traits;
    QList<Segment> segments;

    std::shared_ptr<const RulesSnapshot> build(QList<RuleDiagnosticWithItem> *problems
                                               = nullptr) const
    {
        return RulesSnapshot::build(folders, traits, segments, problems);
    }
};

// "c_section=sports", "k=a|b" (two values).
inline QList<Signal> signalList(const QStringList &pairs)
{
    QList<Signal> result;
    for (const QString &pair : pairs) {
        const qsizetype equals = pair.indexOf(u'=');
        result.append(Signal{pair.left(equals), pair.mid(equals + 1).split(u'|')});
    }
    return result;
}

inline StoredRealization stored(qint64 sid, qint64 timeMs, int ttlDays = 120)
{
    return StoredRealization{sid, makeRealization(timeMs, ttlDays)};
}

// Writes folders (keeping their ids), traits and segments (keeping their sids) in one job.
inline WriteResult storeDefinitions(Storage &storage, const Definitions &definitions)
{
    return storage.writer().runAndWait([&definitions](WriteContext &context, QString *error) {
        for (Folder folder : definitions.folders) {
            if (!FolderRepository::write(context, folder, true, error))
                return false;
        }
        for (Trait trait : definitions.traits) {
            if (!TraitRepository::write(context, trait, QStringLiteral("test"), error))
                return false;
        }
        for (Segment segment : definitions.segments) {
            if (!SegmentRepository::write(context, segment, QStringLiteral("test"), error))
                return false;
        }
        return true;
    });
}

} // namespace Fixture
