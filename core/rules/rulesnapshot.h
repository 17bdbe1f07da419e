#pragma once

#include "rules/definitions.h"
#include "rules/rulediagnostic.h"
#include "rules/segmentrule.h"
#include "rules/traitcatalog.h"
#include "rules/traitrule.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <atomic>
#include <memory>
#include <span>
#include <utility>

namespace Dcs {

class Storage;

// A definition that RulesSnapshot::build() left out, or kept with a limitation, and why.
struct RuleDiagnosticWithItem
{
    enum class Kind : quint8 { Trait, Segment };

    Kind kind = Kind::Trait;
    qint64 sid = 0;
    RuleDiagnostic diagnostic;
    // False for a definition kept with a limitation: an onboarded trait whose rule is not
    // `ic == "CODE"` stays usable through d_sid, but partner codes cannot realize it.
    bool leftOut = true;

    // "trait 12: line 1, column 9: expected a value after \"==\""
    QString message() const;

    friend bool operator==(const RuleDiagnosticWithItem &,
                           const RuleDiagnosticWithItem &) = default;
};

// A URL destination template cut at its macros once per edit, so that answering a call is
// concatenation only. Macros (dcs-api.md, "The answer"; names ignore case, as at Adobe):
// %ALIAS% the segment's integration code, or its sid when it has none (percent-encoded);
// %did% the visitor's UUID; %rnd% a random number per call; %timestamp% Unix time in seconds.
// Any other %word% is kept as written.
struct UrlTemplatePart
{
    enum class Kind : quint8 { Text, Alias, VisitorId, Random, Timestamp };

    Kind kind = Kind::Text;
    QString text; // Kind::Text only

    friend bool operator==(const UrlTemplatePart &, const UrlTemplatePart &) = default;
};

// An immutable, compiled view of every definition: built once per edit, then shared read-only
// (and lock-free) by every listener thread through RulesEngine. Only what compiles is in it:
// a trait whose rule does not compile is left out, and so is every segment that names it.
class RulesSnapshot final
{
public:
    struct TraitEntry
    {
        qint64 sid = 0;
        Trait::Type type = Trait::Type::Rule;
        qint64 dataSource = 0;
        int ttlDays = 120;
    };

    struct RuleTrait
    {
        qint64 sid = 0;
        qint64 dataSource = 0;
        int ttlDays = 120;
        std::shared_ptr<const CompiledTraitRule> rule;
        // The keys the rule reads, minus the private p_ keys: what a realization records of
        // the call (never a p_ value, dcs-api.md).
        QStringList detailKeys;
    };

    struct SnapshotDestination
    {
        Destination::Type type = Destination::Type::Cookie;
        QString cookieKey;
        QString cookieValue;
        QList<UrlTemplatePart> urlParts;
    };

    struct SnapshotSegment
    {
        qint64 sid = 0;
        SegmentRule rule;
        QString alias; // %ALIAS%, percent-encoded
        QList<SnapshotDestination> destinations;
    };

    // Compiles every definition. `problems` (if given) gets one entry per trait or segment
    // refused or limited, in sid order, traits first.
    static std::shared_ptr<const RulesSnapshot> build(const QList<Folder> &folders,
                                                      const QList<Trait> &traits,
                                                      const QList<Segment> &segments,
                                                      QList<RuleDiagnosticWithItem> *problems
                                                      = nullptr);

    // Rule-based traits, by sid.
    const QList<RuleTrait> &ruleTraits() const { return m_ruleTraits; }
    // The onboarded traits of data source `dpid` with their compiled rules, by sid: what a
    // partner's key=value items are evaluated against (PartnerKeyValues).
    const QList<RuleTrait> &onboardedRuleTraits(qint64 dpid) const;
    // Any trait in the snapshot (refused ones are not), or null.
    const TraitEntry *trait(qint64 sid) const;
    qsizetype traitCount() const { return m_traits.size(); }
    // The onboarded traits whose rule is `ic == "CODE"` with this code, for partner `dpid`.
    // Codes compare as `==` does: ASCII case ignored, numbers by value ("007" is 7).
    std::span<const qint64> onboardedTraits(qint64 dpid, QStringView code) const;
    // The traits a folder trait stands for: every rule-based and onboarded trait in its folder
    // and the folders below it, ascending. Empty for any other sid.
    std::span<const qint64> folderMembers(qint64 folderTraitSid) const;
    // The folder traits, among those an active segment names, that `traitSid` belongs to:
    // the engine copies the trait's realizations to them.
    std::span<const qint64> foldersContaining(qint64 traitSid) const;

    // Active segments whose rule compiles, by sid.
    const QList<SnapshotSegment> &segments() const { return m_segments; }
    const SnapshotSegment *segment(qint64 sid) const;
    // Active segments left out because their rule, or a trait it names, does not compile.
    bool isRefusedSegment(qint64 sid) const { return m_refusedSegments.contains(sid); }

    // Every trait in the snapshot, with its type: what segment rules were compiled against.
    const TraitCatalog &catalog() const { return m_catalog; }

    // The form onboardedTraits() looks codes up by.
    static QString canonicalCode(QStringView code);
    // "CODE" of an onboarded trait's `ic == "CODE"`, or a null QString for any other rule.
    static QString onboardedCode(const CompiledTraitRule &rule);
    static QList<UrlTemplatePart> parseUrlTemplate(QStringView url);

private:
    RulesSnapshot() = default;

    void addTraits(const QList<Trait> &traits, QSet<qint64> *refusedTraits,
                   QList<RuleDiagnosticWithItem> *problems);
    void addFolderMembers(const QList<Folder> &folders, const QList<Trait> &traits);
    void addSegments(const QList<Segment> &segments, const QSet<qint64> &refusedTraits,
                     QList<RuleDiagnosticWithItem> *problems);

    QList<RuleTrait> m_ruleTraits;
    QHash<qint64, TraitEntry> m_traits;
    QHash<std::pair<qint64, QString>, QList<qint64>> m_onboardedByCode;
    QHash<qint64, QList<RuleTrait>> m_onboardedRuleTraits; // by data source
    QHash<qint64, QList<qint64>> m_folderMembers;
    QHash<qint64, QList<qint64>> m_foldersContaining;
    QList<SnapshotSegment> m_segments;
    QHash<qint64, qsizetype> m_segmentIndex;
    QSet<qint64> m_refusedSegments;
    TraitTypeCatalog m_catalog;
};

// Holds the snapshot in force. Listener threads take it with snapshot() (an atomic load, no
// lock held while they use it); an edit builds a new one and swaps it in, and it applies from
// the next call. Calls in flight finish on the snapshot they started with.
class RulesEngine final
{
public:
    RulesEngine(); // an empty snapshot: no traits, no segments

    std::shared_ptr<const RulesSnapshot> snapshot() const;
    void setSnapshot(std::shared_ptr<const RulesSnapshot> snapshot);
    // Incremented by every setSnapshot(): a cheap "did the definitions change" check.
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }

    // Reads folders, traits and segments in one read transaction on this thread's connection,
    // builds, and swaps. False (snapshot unchanged) when the database cannot be read.
    bool reload(Storage &storage, QList<RuleDiagnosticWithItem> *problems = nullptr,
                QString *error = nullptr);

private:
    std::atomic<std::shared_ptr<const RulesSnapshot>> m_current;
    std::atomic<quint64> m_generation{0};
};

} // namespace Dcs
