#pragma once

#include "rules/realization.h"
#include "rules/rulediagnostic.h"
#include "rules/traitcatalog.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <limits>
#include <optional>
#include <span>

namespace Dcs {

// The segment rule language of rules.md ("Segment rule language"):
//
//   segment    := or
//   or         := and ( "OR" and )*
//   and        := unary ( "AND" unary )*
//   unary      := "NOT" unary | "(" or ")" | trait | frequency
//   trait      := <sid> "T"                                      -- e.g. 1234T
//   frequency  := "FREQUENCY" "(" "[" trait ( "," trait )* "]" ( recop <n> "D" )? ")" freqop <m>
//   recop      := ">=" | "<="        freqop := ">=" | "<=" | "=="
//
// Keywords (FREQUENCY, AND, OR, NOT, T, D) ignore case; whitespace, newlines included, may stand
// between any two tokens (`12 t` is 12T). AND and OR are associative, so "1T AND (2T AND 3T)"
// is the tree of "1T AND 2T AND 3T" and prints that way. A parsed rule is a compiled tree in
// flat arrays: holds(), evaluate() and nextChange() never parse or allocate, and one rule is
// safely shared read-only by every listener thread.
//
// Meaning at an instant nowMs, with each realization counting while timeMs <= nowMs < expiresMs
// (realization.h) and W = N * 86400000 ms:
//   1234T                          at least one counting realization of trait 1234
//   FREQUENCY([1T, 2T]) op m       the counting realizations of 1T and 2T, summed, compared to m
//   FREQUENCY([..] <= ND) op m     only those with timeMs >= nowMs - W: age at most N days
//   FREQUENCY([..] >= ND) op m     only those with timeMs <= nowMs - W: age at least N days
// Both recency bounds are inclusive, so each operator means what it says about the age
// nowMs - timeMs, to the millisecond: a realization exactly N days old is in `<= ND` and in
// `>= ND`. A trait listed twice in one FREQUENCY counts once (the list is a set of traits).
//
// Folder traits and "onboarded traits count once per visitor" are the caller's business: the
// RealizationSource answers a folder trait's sid with its children's realizations together.

enum class SegmentNodeKind : quint8 { Trait, Frequency, Not, And, Or };

// The comparison of a FREQUENCY count with its threshold: >=, <= or ==.
enum class FrequencyComparison : quint8 { AtLeast, AtMost, Exactly };

// The recency window of a FREQUENCY: none, `<= ND` (within the last N days) or `>= ND`
// (N days ago or earlier).
enum class Recency : quint8 { None, Within, Older };

// Where a part of the rule text is, in the terms of RuleDiagnostic (1-based line and column in
// QChar units; line 0 for rules built in code, which have no text).
struct SourceSpan
{
    int line = 0;
    int column = 0;
    int length = 0;
};

// A visitor's realizations, per trait sid, already expanded for folder traits.
class RealizationSource
{
public:
    virtual ~RealizationSource() = default;

    // Every realization of the trait the visitor has, expired or not, in any order. The span
    // must stay valid for the duration of the evaluate()/nextChange()/explain() call.
    virtual std::span<const Realization> realizations(qint64 traitSid) const = 0;
};

struct SegmentEvaluation
{
    bool holds = false;
    // The earliest instant after nowMs at which the result could change with no new
    // realization: one of the named traits' realizations starts counting, expires, or crosses a
    // recency boundary. Never later than the true change; the result is the same at every
    // instant in [nowMs, nextChangeMs). Realization::Never when nothing can change it.
    qint64 nextChangeMs = Realization::Never;
};

struct SegmentChange
{
    // The first instant after nowMs at which the result differs from the result at nowMs, or
    // Realization::Never when it never will without new realizations.
    qint64 atMs = Realization::Never;
    // False when the search gave up after maxSteps candidate instants: atMs is then the next
    // instant still to check, a lower bound that is still safe to schedule a sweep at.
    bool exact = true;
};

// One part of a rule evaluated for one visitor, for the GUI's "explain" view.
struct SegmentExplanation
{
    // windowFromMs of a count that reaches back to the visitor's first realization.
    static constexpr qint64 Unbounded = std::numeric_limits<qint64>::min();

    SegmentNodeKind kind = SegmentNodeKind::Trait;
    QString text; // this part as printed, e.g. "FREQUENCY([1T, 2T] <= 5D) >= 3"
    bool holds = false;
    // Trait and Frequency: the realizations counted, those unexpired at nowMs whose timeMs lies
    // in [windowFromMs, windowToMs]. Zero for NOT, AND and OR.
    qint64 count = 0;
    qint64 windowFromMs = Unbounded;
    qint64 windowToMs = 0;
    // When this part's result changes with no new realization (exact, or a lower bound if the
    // search was cut short); for the root this is "will leave at" or "will join at".
    SegmentChange change;
    QList<SegmentExplanation> children; // operands of NOT, AND and OR, in rule order
};

// The parameters of one FREQUENCY, for building a rule in code (the GUI's rule builder).
struct FrequencySpec
{
    QList<qint64> traitSids;
    Recency recency = Recency::None;
    int recencyDays = 0;
    FrequencyComparison comparison = FrequencyComparison::AtLeast;
    qint64 threshold = 1;
};

// A rule as a tree of values, for editors that show its structure (the visual segment
// builder). Built on demand from the compiled arrays; the live path never uses it.
struct SegmentRulePart
{
    SegmentNodeKind kind = SegmentNodeKind::Trait;
    qint64 traitSid = 0;             // Trait
    FrequencySpec frequency;         // Frequency
    QList<SegmentRulePart> operands; // Not: one; And, Or: two or more, in rule order
    SourceSpan span;                 // where the part is in the rule text (line 0: built in code)
};

class SegmentRule
{
public:
    // The longest chain of nested NOTs and parentheses the parser accepts; deeper rules are
    // refused instead of exhausting the stack of a listener thread.
    static constexpr int MaxNesting = 100;
    // The largest N in `<= ND` / `>= ND` (the range of a trait's TTL in days).
    static constexpr int MaxRecencyDays = std::numeric_limits<int>::max();

    SegmentRule() = default; // the empty rule: holds for nobody, refused by validate()

    // Parses rule text. On a syntax error returns std::nullopt and fills `diagnostic` (if given)
    // with the first error: where, what was expected, what was found.
    static std::optional<SegmentRule> parse(QStringView text,
                                            RuleDiagnostic *diagnostic = nullptr);
    // parse() then validate(): what saving a segment does. `diagnostic` gets the first problem.
    static std::optional<SegmentRule> compile(QStringView text, const TraitCatalog &catalog,
                                              RuleDiagnostic *diagnostic = nullptr);

    // Building in code. The results are normalized as the parser normalizes: allOf/anyOf take
    // the operands of nested allOf/anyOf in, a single operand is returned as it is, and a
    // FREQUENCY list keeps the first occurrence of each sid. An empty allOf/anyOf is the empty
    // rule. Nothing is checked here; validate() refuses what the language cannot express.
    static SegmentRule trait(qint64 sid);
    static SegmentRule frequency(const FrequencySpec &spec);
    static SegmentRule negation(const SegmentRule &operand);
    static SegmentRule allOf(const QList<SegmentRule> &operands);
    static SegmentRule anyOf(const QList<SegmentRule> &operands);

    bool isEmpty() const { return m_nodes.isEmpty(); }
    SegmentNodeKind kind() const; // of the root; Trait for the empty rule

    // Canonical text: `1234T`, `FREQUENCY([1T, 2T] <= 5D) >= 3`, AND/OR/NOT in upper case,
    // parentheses only where precedence needs them. parse(toString()) == *this.
    QString toString() const;

    // The traits the rule names, each once, in order of first appearance: the realizations the
    // engine must load to evaluate it.
    QList<qint64> traitSids() const;

    // The rule as a tree of values; a Trait part with sid 0 for the empty rule.
    SegmentRulePart tree() const;

    // The refusals of rules.md, each pointing at the offending part: a trait that does not
    // exist; FREQUENCY or recency on an onboarded trait; recency of 0 days or less; an empty
    // FREQUENCY list or a negative threshold (rules built in code), all in text order; then a
    // rule that holds for a visitor with no realizations, underlining the OR operand (or the
    // whole part) that lets everyone in. Empty when the rule may be saved.
    QList<RuleDiagnostic> validate(const TraitCatalog &catalog) const;

    // True when a visitor with no realization at all satisfies the rule (`NOT 1T`,
    // `FREQUENCY([1T]) <= 5`, `1T OR NOT 2T`). Exact, not a heuristic: the rule is evaluated
    // on the empty set. With no realizations every count is 0 and every trait is absent
    // whatever the instant and whatever the recency windows, so one evaluation decides it for
    // all times.
    bool holdsForEveryone() const;

    // The live path: allocation-free, one pass over the named traits' realizations for the
    // result plus one for nextChangeMs.
    SegmentEvaluation evaluate(const RealizationSource &source, qint64 nowMs) const;
    bool holds(const RealizationSource &source, qint64 nowMs) const;

    // The exact next change: the candidate instants of SegmentEvaluation::nextChangeMs are
    // visited in order and the rule re-evaluated at each until the result differs. Costs up to
    // maxSteps evaluations; allocation-free.
    SegmentChange nextChange(const RealizationSource &source, qint64 nowMs,
                             int maxSteps = 256) const;

    // Every part of the rule evaluated (no short-circuit), for the GUI.
    SegmentExplanation explain(const RealizationSource &source, qint64 nowMs,
                               int maxSteps = 256) const;

    // Same tree: positions in the source text are not compared.
    friend bool operator==(const SegmentRule &a, const SegmentRule &b);

private:
    friend class SegmentRuleParser;

    struct TraitRef
    {
        qint64 sid = 0;
        SourceSpan span;
    };

    // Nodes are kept in post-order (operands before their operator, the root last), in flat
    // arrays so that a rule is three allocations however large it is.
    struct Node
    {
        SegmentNodeKind kind = SegmentNodeKind::Trait;
        FrequencyComparison comparison = FrequencyComparison::AtLeast;
        Recency recency = Recency::None;
        int recencyDays = 0;
        // Trait, Frequency: first index in m_traits; Not: the operand's node index;
        // And, Or: first index in m_operands.
        qint32 first = 0;
        qint32 count = 0; // Trait: 1; Frequency: traits listed; Not: 1; And, Or: operands
        qint64 threshold = 0;
        SourceSpan span; // the whole part, e.g. "FREQUENCY(...) >= 3" or "1T AND 2T"
    };

    static SegmentRule junction(SegmentNodeKind kind, const QList<SegmentRule> &operands);
    int rootIndex() const { return int(m_nodes.size()) - 1; }
    int copySubtree(const SegmentRule &from, int index);
    SegmentRule compacted() const;

    void print(int index, QString &out) const;
    bool nodeHolds(int index, const RealizationSource &source, qint64 nowMs) const;
    qint64 nodeCount(const Node &node, const RealizationSource &source, qint64 nowMs) const;
    qint64 nextCandidateAfter(int index, const RealizationSource &source, qint64 afterMs) const;
    SegmentChange nodeNextChange(int index, const RealizationSource &source, qint64 nowMs,
                                 int maxSteps) const;
    SegmentExplanation explainNode(int index, const RealizationSource &source, qint64 nowMs,
                                   int maxSteps) const;
    int everyoneCulprit(int index) const;
    SegmentRulePart partAt(int index) const;
    bool sameTree(int index, const SegmentRule &other, int otherIndex) const;

    QList<Node> m_nodes;
    QList<TraitRef> m_traits;
    QList<qint32> m_operands;
};

} // namespace Dcs
