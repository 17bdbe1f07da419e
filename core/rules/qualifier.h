#pragma once

#include "dcs/signaldecoder.h"
#include "rules/realization.h"
#include "rules/rulesignals.h"
#include "rules/rulesnapshot.h"
#include "rules/segmentrule.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLatin1String>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVarLengthArray>

#include <memory>
#include <optional>
#include <span>

namespace Dcs {

// Real-time qualification (rules.md, "Evaluation"): which traits a call realizes, which
// segments the visitor holds after it, what changed and why, and what the answer carries.
// Pure logic: no I/O, no clock, no randomness of its own; thread-safe over a shared snapshot.
//
// Decisions where rules.md is silent:
// - A rule-based trait is realized at most once per call, however many ways the call
//   satisfies it (its rule and d_sid): one call, one realization, one more in FREQUENCY.
// - An onboarded trait counts at most once per visitor: realizing it again *replaces* the
//   visitor's earlier realization (NewRealization::replacesEarlier), so its TTL restarts from
//   the latest partner answer, d_sid or file, and the visitor still holds exactly one.
// - d_sid realizes rule-based and onboarded traits; a folder trait, an unknown sid or a value
//   that is not a sid is refused (Qualification::refusedDirectSids) and realizes nothing.
// - Partner codes realize only the onboarded traits of that partner's data source; the same
//   codes also reach rule-based traits as the key `ic` (RuleSignals, set by the caller).
// - A partner's key=value items (batch files, text/plain answers: PartnerKeyValues) realize
//   the onboarded traits of that partner's data source whose rule holds over them, with the
//   partner's codes as `ic`; like codes, they replace the visitor's earlier realization.
// - Removed traits (QualifierInput::removedTraits: a batch file's d_unsid, a partner's
//   unsegments) hide the visitor's stored realizations of them; additions of the same input
//   still count, so a line that removes and adds one trait leaves it realized.
// - d_tdpid (onlyDataSource) limits rule-based traits and d_sid to that data source.
// - The answer's `traits` lists the traits this call realized (folder traits are implied, not
//   listed); `segments` lists every segment held after the call.

// Where a realization came from: trait_realizations.source.
enum class RealizationOrigin : quint8 { Call, DirectSid, Partner, Batch, Replay };

QString realizationOriginName(RealizationOrigin origin); // "call", "sid", "partner", ...

// One realization already stored for the visitor.
struct StoredRealization
{
    qint64 traitSid = 0;
    Realization realization;

    friend bool operator==(const StoredRealization &, const StoredRealization &) = default;
};

// A segment the visitor held before this evaluation, and since when.
struct HeldMembership
{
    qint64 segmentSid = 0;
    qint64 sinceMs = 0;

    friend bool operator==(const HeldMembership &, const HeldMembership &) = default;
};

// What the engine needs of a stored visitor (RealizationStore reads it in one query).
struct VisitorProfile
{
    // Unexpired realizations, plus those that expired after the visitor's earliest held
    // membership began (they explain why a segment is left). Sorted by (traitSid, timeMs).
    QList<StoredRealization> realizations;
    QList<HeldMembership> memberships; // sorted by segmentSid

    bool isEmpty() const { return realizations.isEmpty() && memberships.isEmpty(); }
    friend bool operator==(const VisitorProfile &, const VisitorProfile &) = default;
};

// What one live partner answered for this visitor, or one line of its batch file
// (partner-protocol.md, "What happens to an answer"): its codes realize the onboarded traits of
// its data source whose rule is ic == "CODE", for `ttlDays` when it gave one (else each trait's
// own TTL).
struct PartnerCodes
{
    qint64 dpid = 0;
    QStringList codes;
    std::optional<int> ttlDays;
};

// The key=value items one partner sent (a batch file line, a text/plain answer): they realize
// the onboarded traits of `dpid` whose rule holds over them. `values` holds the items, and the
// same answer's codes as `ic` (RuleSignals' partner codes), for rules that read both.
struct PartnerKeyValues
{
    qint64 dpid = 0;
    std::shared_ptr<const RuleSignals> values;
};

// A realization this evaluation made, to be stored.
struct NewRealization
{
    enum class Trigger : quint8 { Signals, DirectSid, PartnerCode };

    qint64 traitSid = 0;
    Realization realization;
    RealizationOrigin origin = RealizationOrigin::Call;
    Trigger trigger = Trigger::Signals;
    // Onboarded traits: the visitor's earlier realizations of this trait are deleted first.
    bool replacesEarlier = false;
    // Signals: the call's signals (one copy shared by the call's realizations) and the keys
    // the rule reads (never a p_ key). matchedSignals() and detailJson() read them only when
    // the realization is stored, on the writer's thread, not on the visitor's clock.
    std::shared_ptr<const RuleSignals> callSignals;
    QStringList detailKeys;
    // PartnerCode: who answered what; DirectSid: the d_sid value as sent.
    qint64 partnerDpid = 0;
    QString code;

    // Signals: the call's values of the keys the rule reads, in rule order, keys without a
    // value left out. Empty for the other triggers.
    QList<Signal> matchedSignals() const;
    // trait_realizations.detail: {"signals":{"c_section":["sports"]}}, {"d_sid":"1234"} or
    // {"dpid":1955,"code":"auto"}.
    QString detailJson() const;
    QByteArray detailUtf8() const; // the same, as UTF-8
};

// Why a membership changed (membership_changes.cause).
namespace MembershipCause {
inline constexpr QLatin1String Call("call"); // this call's realizations
// A line of an inbound batch file: the realizations it added or removed.
inline constexpr QLatin1String BatchFile("batch file");
inline constexpr QLatin1String Expired("expired");
inline constexpr QLatin1String LeftRecencyWindow("left recency window");
inline constexpr QLatin1String EnteredRecencyWindow("entered recency window");
// Time does not explain it: the segment or a trait it names was edited (or realizations were
// removed without telling the qualifier: QualifierInput::removedTraits gives the input's cause).
inline constexpr QLatin1String DefinitionsChanged("definitions changed");
inline constexpr QLatin1String SegmentInactive("segment inactive"); // deactivated
inline constexpr QLatin1String SegmentRefused("segment rule refused"); // rule no longer compiles
// The event log was replayed through the current definitions (rules/replay.h) and the
// realizations it rebuilt changed the result.
inline constexpr QLatin1String Replay("replay");
} // namespace MembershipCause

struct MembershipChange
{
    enum class Kind : quint8 { Join, Leave };

    qint64 segmentSid = 0;
    Kind kind = Kind::Join;
    // When it happened: the call's time, or for a change time alone explains (a realization
    // expired or crossed a recency bound) the exact instant it did, which may be earlier.
    qint64 atMs = 0;
    QString cause;

    friend bool operator==(const MembershipChange &, const MembershipChange &) = default;
};

// One object of the answer's `stuff` (dcs-api.md): a cookie for the page to set. Cookie
// destinations go into one cookie (ours, matching dcs-api.md's example): every held segment's
// destination as key=value, the values of one key joined by ',' in segment sid order (each
// once), keys joined by '&': {"cn":"aam","cv":"segments=1606170,2461982","ttl":30,"dmn":""}.
// A destination with an empty key adds its value alone.
struct CookieStuff
{
    static constexpr QLatin1String DefaultName{"aam"};
    static constexpr int DefaultTtlDays = 30;

    QString name = DefaultName;         // cn
    QString value;                      // cv
    int ttlDays = DefaultTtlDays;       // ttl
    QString domain = QLatin1String(""); // dmn: empty = the DCS's own domain

    QJsonObject toJson() const;
    friend bool operator==(const CookieStuff &, const CookieStuff &) = default;
};

struct QualifierInput
{
    const RuleSignals *callSignals = nullptr; // the call's signals, `ic` = every partner code
                                              // (copied, cheaply, only if a trait matches)
    QStringList directSids;                   // d_sid values, one sid each
    QList<PartnerCodes> partnerCodes;         // for onboarded traits
    QList<PartnerKeyValues> partnerKeyValues; // for onboarded traits
    const VisitorProfile *profile = nullptr;  // null or empty: a new visitor
    qint64 nowMs = 0;
    QString uuid; // %did%
    QString tid;
    std::optional<qint64> onlyDataSource; // d_tdpid
    bool urlDestinations = false;         // d_dst=1: fill Qualification::destinationUrls
    quint32 random = 0;                   // %rnd%
    bool replay = false;                  // store realizations with origin Replay
    // An inbound batch file line rather than a call: realizations are stored with origin
    // Batch, and the changes this input causes with MembershipCause::BatchFile.
    bool batchFile = false;
    // Traits whose stored realizations this input removes (the caller deletes the rows in the
    // same write job, RealizationStore::removeRealizations): segments are evaluated without
    // them, and a change that follows is this input's.
    QList<qint64> removedTraits;
};

struct Qualification
{
    qint64 nowMs = 0;
    QString tid;
    QList<NewRealization> realizations; // to store
    QList<qint64> realizedTraits;       // the answer's `traits`, ascending
    QList<qint64> segmentsHeld;         // the answer's `segments`, ascending
    QList<MembershipChange> changes;    // by segment sid
    QStringList refusedDirectSids;
    QList<CookieStuff> stuff;    // cookie destinations of the held segments (none: empty)
    QStringList destinationUrls; // URL destinations, macros expanded, when asked for
    // The earliest instant at which a segment could change for this visitor without a new
    // call; Realization::Never if none can. qualify() answers a safe lower bound (cheap);
    // reevaluate() the exact instant.
    qint64 nextChangeMs = Realization::Never;

    QList<qint64> joined() const;
    QList<qint64> left() const;
    // The answer's arrays: [{"cn":..,"cv":..,"ttl":..,"dmn":..}] and [{"c":url,"y":"img"}].
    QJsonArray stuffJson() const;
    QJsonArray destsJson() const;
};

// A visitor's realizations as segment rules read them: stored ones, plus this call's, with
// each folder trait that an active segment names answering its members' realizations together
// (its count is their sum). An onboarded realization that replaces earlier ones hides them,
// and so does a removal (`removed`: stored realizations of these traits are left out).
// Allocation-free for up to 64 realizations (folder copies included).
class VisitorRealizations final : public RealizationSource
{
public:
    enum class Expiry : quint8 { AsStored, Ignored };

    VisitorRealizations(const RulesSnapshot &rules, std::span<const StoredRealization> stored,
                        std::span<const NewRealization> added = {},
                        Expiry expiry = Expiry::AsStored,
                        std::span<const qint64> removed = {});

    std::span<const Realization> realizations(qint64 traitSid) const override;
    // The latest timeMs of any realization, or std::nullopt when there is none.
    std::optional<qint64> latestTimeMs() const { return m_latestMs; }

private:
    struct Entry
    {
        qint64 sid;
        Realization realization;
    };
    void append(const RulesSnapshot &rules, qint64 sid, Realization realization);

    QVarLengthArray<Entry, 64> m_entries;
    QVarLengthArray<qint64, 64> m_sids; // sorted; parallel to m_realizations
    QVarLengthArray<Realization, 64> m_realizations;
    std::optional<qint64> m_latestMs;
};

namespace Qualifier {

// The first half of qualify(): the traits this input realizes (realizations, realizedTraits,
// refusedDirectSids), no segment evaluated. Replay runs the stored log through it, so a
// replayed event realizes exactly what the same call would realize live.
Qualification realize(const RulesSnapshot &rules, const QualifierInput &input);

// One call: realize traits, evaluate every active segment, compare with what the visitor
// held, and build the answer's destinations.
Qualification qualify(const RulesSnapshot &rules, const QualifierInput &input);

// Time alone (the sweeper): no trait is realized; every active segment is evaluated at nowMs
// over the stored realizations and compared with the stored memberships. nextChangeMs is the
// exact next change (SegmentRule::nextChange), or a lower bound after a long search.
Qualification reevaluate(const RulesSnapshot &rules, const VisitorProfile &profile,
                         qint64 nowMs);

// When this visitor next needs a sweep: nowMs if a stored membership is already out of date,
// else a lower bound of the next change (Realization::Never for none). Cheap: for rebuilding
// the sweeper's schedule.
qint64 nextSweepMs(const RulesSnapshot &rules, const VisitorProfile &profile, qint64 nowMs);

} // namespace Qualifier
} // namespace Dcs
