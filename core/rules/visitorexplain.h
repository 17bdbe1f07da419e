#pragma once

#include "dcs/signaldecoder.h"
#include "rules/definitions.h"
#include "rules/qualifier.h"
#include "rules/rulesnapshot.h"
#include "rules/segmentrule.h"
#include "rules/traitrule.h"

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace Dcs {

// The "Explain" view of rules.md for one visitor: every trait held and what realized it, every
// active segment with each part of its rule evaluated, and when each membership will change if
// nothing new happens.
//
// Decisions where rules.md is silent:
// - A trait is held while it has a realization with timeMs <= nowMs < expiresMs; expired rows
//   are not shown (the recent membership changes say what their expiry did).
// - A folder trait is listed as held when an active segment names it (the engine derives it
//   only then), with its members' realizations, each naming the member trait.
// - A rule trait's explanation replays its rule on the values stored with the realization:
//   only the keys the rule reads are stored, and never a p_ key, so a comparison on a p_ key
//   shows its key as absent.
// - `holds` is the rule evaluated now; the stored membership is shown beside it, and a
//   difference means the sweeper has not applied a change yet.

// What realized a trait: trait_realizations.detail.
struct RealizationTrigger
{
    enum class Kind : quint8 { Signals, DirectSid, PartnerCode, Unrecorded };

    Kind kind = Kind::Unrecorded;
    QList<Signal> signalValues; // Signals: the call's values of the keys the rule reads
    QString directSid;          // DirectSid: d_sid as sent
    qint64 partnerDpid = 0;     // PartnerCode
    QString code;               // PartnerCode

    // {"signals":{"c_section":["sports"]}}, {"d_sid":"1234"}, {"dpid":1955,"code":"auto"}.
    static RealizationTrigger fromDetailJson(const QString &json);
    // "c_section=sports, price=12|13", "d_sid=1234", "partner 1955 code auto", "not recorded".
    QString describe() const;
};

// A rule trait's rule evaluated on the values a realization recorded.
struct TraitRuleExplanation
{
    QString ruleText;
    QList<TraitRuleNode> nodes;         // pre-order, as CompiledTraitRule::nodes()
    QList<TraitRuleNodeResult> results; // indexed like nodes

    bool holds() const { return !results.isEmpty() && results.first().holds; }
};

struct ExplainedRealization
{
    qint64 traitSid = 0; // the trait realized: the listed trait, or a folder trait's member
    qint64 timeMs = 0;
    qint64 expiresMs = Realization::Never;
    QString source; // call, sid, partner, batch, replay
    QString tid;
    RealizationTrigger trigger;
    std::optional<TraitRuleExplanation> rule; // rule traits realized by a call's signals
};

struct ExplainedTrait
{
    qint64 sid = 0;
    QString name;
    Trait::Type type = Trait::Type::Rule;
    bool inRules = false; // false: the trait's rule no longer compiles, or it was deleted
    QList<ExplainedRealization> realizations; // oldest first
};

struct ExplainedSegment
{
    qint64 sid = 0;
    QString name;
    QString ruleText;
    bool inRules = true; // false: a stored membership of a segment no longer active
    bool holds = false;  // the rule evaluated now
    std::optional<qint64> memberSinceMs; // the stored membership
    SegmentExplanation rule;             // inRules only
    // The next change with nothing new: a leave when `holds`, else a join.
    SegmentChange change;

    bool membershipOutOfDate() const { return holds != memberSinceMs.has_value(); }
};

struct ExplainedMembershipChange
{
    qint64 segmentSid = 0;
    QString segmentName;
    qint64 atMs = 0;
    MembershipChange::Kind kind = MembershipChange::Kind::Join;
    QString cause;
};

struct VisitorExplanation
{
    QString uuid;
    qint64 nowMs = 0;
    bool known = false; // anything stored about the UUID
    std::optional<qint64> firstSeenMs;
    std::optional<qint64> lastSeenMs;
    std::optional<qint64> optedOutMs;
    QList<ExplainedTrait> traits;                     // held now, by sid
    QList<ExplainedSegment> segments;                 // active segments, then stale, by sid
    QList<ExplainedMembershipChange> recentChanges;   // newest first

    const ExplainedTrait *trait(qint64 sid) const;
    const ExplainedSegment *segment(qint64 sid) const;

    // Times as ISO 8601 UTC with milliseconds, "never" for Realization::Never.
    QJsonObject toJson() const;
    // The same for a terminal: one line per trait, realization, rule part and change.
    QString toText() const;
};

inline constexpr int DefaultRecentChanges = 50;

// Reads the visitor on `db` (this thread's reader) and explains it against `rules` at nowMs.
// An unknown UUID gives an explanation with known == false and no error. On a database error
// returns an empty explanation and fills `error`.
VisitorExplanation explainVisitor(QSqlDatabase db, const RulesSnapshot &rules,
                                  const QString &uuid, qint64 nowMs, QString *error,
                                  int recentChangeLimit = DefaultRecentChanges);

// One part of a trait rule as toText() prints it: `c_section == "sports"`, AND, OR, NOT (the
// visitors page draws the same tree).
QString traitRuleNodeText(const TraitRuleNode &node);

// "2024-03-20T12:00:00.000Z", or "never" for Realization::Never.
QString explainTime(qint64 ms);

} // namespace Dcs
