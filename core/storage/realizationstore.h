#pragma once

#include "rules/qualifier.h"
#include "storagewriter.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <functional>

namespace Dcs {

// Reads one visitor's profile (realizations and memberships) with a single indexed statement,
// prepared once: keep one per thread that reads, on that thread's connection (Storage::reader()).
// The caller skips it for a brand-new visitor, who has nothing stored.
class ProfileReader final
{
public:
    explicit ProfileReader(QSqlDatabase db);

    ProfileReader(const ProfileReader &) = delete;
    ProfileReader &operator=(const ProfileReader &) = delete;

    bool read(const QString &uuid, qint64 nowMs, VisitorProfile *profile, QString *error);

private:
    QSqlQuery m_query;
    bool m_prepared = false;
};

// Realizations and memberships in SQL: building blocks for the caller's write job, so a call's
// event row, realizations and membership changes commit together.
namespace RealizationStore {

// VisitorProfile::realizations: unexpired at nowMs, or expired after the earliest held
// membership began; all memberships. One statement, through the (uuid, ...) indexes.
bool readProfile(QSqlDatabase db, const QString &uuid, qint64 nowMs, VisitorProfile *profile,
                 QString *error);
// The same inside a write job: the writer's connection sees every earlier job's writes.
bool readProfile(WriteContext &context, const QString &uuid, qint64 nowMs,
                 VisitorProfile *profile, QString *error);

// Stores a Qualification: its realizations (an onboarded one first deletes the visitor's
// earlier rows of that trait), its joins and leaves in memberships, and one membership_changes
// row per change that did change the memberships table (a join of a segment already held or a
// leave of one not held writes nothing, so two evaluations racing on one visitor cannot record
// a change twice). A realization of a trait, or a join of a segment, deleted since the
// snapshot was taken is skipped, not an error that would cost the caller's whole job.
// Writes only from its arguments: safe in a job that runs twice.
bool writeQualification(WriteContext &context, const QString &uuid,
                        const Qualification &qualification, QString *error);

// A Qualification's rows already converted to UTF-8, detail JSON included: made on the caller's
// thread (the listener's), so the single writer only binds and steps. write() is
// writeQualification's work; the writer gets no conversion to do.
struct PreparedQualification
{
    struct Row
    {
        qint64 traitSid = 0;
        qint64 timeMs = 0;
        qint64 expiresMs = 0; // Realization::Never: stored as NULL
        bool replacesEarlier = false;
        QByteArray origin;
        QByteArray detail;
    };
    struct Change
    {
        qint64 segmentSid = 0;
        qint64 atMs = 0;
        bool join = true;
        QByteArray cause;
    };
    QByteArray uuid;
    QByteArray tid;
    QList<Row> realizations;
    QList<Change> changes;

    bool isEmpty() const { return realizations.isEmpty() && changes.isEmpty(); }
    static PreparedQualification from(const QString &uuid, const Qualification &qualification);
};
bool write(WriteContext &context, const PreparedQualification &prepared, QString *error);

// Removes the visitor's realizations of `traitSids` made at or before nowMs: a partner's
// unsegments, a batch file's d_unsid, the traits an .overwrite file replaces. A realization
// made after nowMs (a newer call or answer that reached the writer first) is kept: a removal
// never undoes what it has not seen. Sids the visitor does not hold, unknown sids and repeated
// ones delete nothing, so the call is idempotent and safe in a job that runs twice.
// Memberships are not touched here: qualify with QualifierInput::removedTraits (or reevaluate)
// and write that Qualification in the same job, after this. `removedCount` (optional) gets the
// number of realizations deleted.
bool removeRealizations(WriteContext &context, const QString &uuid,
                        const QList<qint64> &traitSids, qint64 nowMs, QString *error,
                        qint64 *removedCount = nullptr);

// Whether the visitor holds a realization of `traitSid` stored with this origin and tid (a
// batch file's realizations carry the file's name as their tid).
bool hasRealization(WriteContext &context, const QString &uuid, qint64 traitSid,
                    RealizationOrigin origin, const QString &tid, bool *found, QString *error);

// Remembers the codes partner `dpid` sent for the visitor (partner_codes), whether or not a
// trait maps them, so that an onboarded trait created later shows its population at once. A
// code seen again keeps its first_seen_ms; last_seen_ms and expires_ms move on. expiresMs is
// Realization::Never (stored as NULL) when the sender gave no TTL. Idempotent.
bool storePartnerCodes(WriteContext &context, const QString &uuid, qint64 dpid,
                       const QStringList &codes, qint64 nowMs, qint64 expiresMs, QString *error);
// Forgets the visitor's `codes` from `dpid` (a partner's unsegments). Idempotent.
bool removePartnerCodes(WriteContext &context, const QString &uuid, qint64 dpid,
                        const QStringList &codes, QString *error);
// Forgets the visitor's codes from `dpid` last seen before `seenBeforeMs`: what an .overwrite
// file does to the codes it does not repeat. Idempotent.
bool forgetPartnerCodes(WriteContext &context, const QString &uuid, qint64 dpid,
                        qint64 seenBeforeMs, QString *error);

// Whether the visitor opted out (dcs-api.md: no more trait or segment qualifications).
bool isOptedOut(WriteContext &context, const QString &uuid, bool *optedOut, QString *error);

// Every visitor with a membership or an unexpired realization, in uuid order, each with its
// realizations unexpired at nowMs and its memberships: one pass over each table, for
// rebuilding the sweeper's schedule. `visit` returns false to stop early.
using ProfileVisitor = std::function<bool(const QString &uuid, const VisitorProfile &profile)>;
bool scanProfiles(QSqlDatabase db, qint64 nowMs, const ProfileVisitor &visit, QString *error);

} // namespace RealizationStore
} // namespace Dcs
