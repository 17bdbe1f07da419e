#pragma once

#include "rules/qualifier.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace Dcs {

// One trait_realizations row, as the explain view shows it.
struct StoredRealizationRow
{
    qint64 traitSid = 0;
    QString traitName; // traits.name; empty if the trait row is gone
    QString traitType; // traits.type: 'rule', 'onboarded', 'folder'; empty if gone
    qint64 timeMs = 0;
    qint64 expiresMs = Realization::Never; // NULL = never
    QString source;                        // 'call', 'sid', 'partner', 'batch', 'replay'
    QString tid;
    QString detail; // JSON
};

// One membership_changes row.
struct StoredMembershipChange
{
    qint64 segmentSid = 0;
    qint64 atMs = 0;
    MembershipChange::Kind kind = MembershipChange::Kind::Join;
    QString cause;
};

// Everything stored about one visitor that the explain view needs, read in one transaction.
struct StoredVisitor
{
    bool hasVisitorRow = false; // the visitors table knows the UUID
    std::optional<qint64> firstSeenMs;
    std::optional<qint64> lastSeenMs;
    std::optional<qint64> optedOutMs;
    // Unexpired at nowMs (stamped later than nowMs included: they will count), by
    // (traitSid, timeMs).
    QList<StoredRealizationRow> realizations;
    QList<HeldMembership> memberships;           // by segment sid
    QList<StoredMembershipChange> recentChanges; // at or before nowMs, newest first
    // Names of every folder trait and every segment: the view names what the rules name.
    QHash<qint64, QString> folderTraitNames;
    QHash<qint64, QString> segmentNames;

    bool isEmpty() const
    {
        return !hasVisitorRow && realizations.isEmpty() && memberships.isEmpty()
               && recentChanges.isEmpty();
    }
};

namespace ExplainStore {

// Reads one visitor through the (uuid, ...) indexes, plus the folder trait and segment names.
// `changeLimit` caps recentChanges. An unknown UUID is not an error: `visitor` is left empty.
bool readVisitor(QSqlDatabase db, const QString &uuid, qint64 nowMs, int changeLimit,
                 StoredVisitor *visitor, QString *error);

} // namespace ExplainStore
} // namespace Dcs
