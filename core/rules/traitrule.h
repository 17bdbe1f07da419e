#pragma once

#include "rules/rulediagnostic.h"
#include "rules/rulesignals.h"

#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <memory>

namespace Dcs {

// The trait rule language of rules.md ("Trait rule language"): comparisons of a call's signals
// joined by AND, OR, NOT and parentheses, e.g. `c_section == "sports" AND NOT price < 10`.
// TraitRule::compile() parses a rule once into a CompiledTraitRule, which every listener
// worker then evaluates on every call, read-only and without locks.

enum class TraitRuleOperator : quint8 {
    Equal,          // ==
    NotEqual,       // !=
    Less,           // <
    Greater,        // >
    LessOrEqual,    // <=
    GreaterOrEqual, // >= and =>
    Contains,
    StartsWith,
    EndsWith,
    MatchesRegex,
    MatchesWords,
};

// One node of a compiled rule's tree, for the GUI (explain, highlighting). The tree is
// normalised: parentheses leave no trace, and an AND directly inside an AND (an OR inside an
// OR) is merged into it, so `a AND (b AND c)` is one AND of three comparisons.
struct TraitRuleNode
{
    enum class Kind : quint8 { And, Or, Not, Comparison };

    Kind kind = Kind::Comparison;
    QList<int> children; // indexes into nodes(), in rule order: And/Or 2 or more, Not 1

    // Comparison only.
    QString key;
    TraitRuleOperator op = TraitRuleOperator::Equal;
    QString value; // as the rule means it: quotes removed, escapes resolved
    // Where the comparison stands in the compiled text, key to value (1-based; columns and
    // length in UTF-16 code units, as QTextCursor counts them).
    int line = 0;
    int column = 0;
    int length = 0;
};

// How one node fared on one call (CompiledTraitRule::explain()).
struct TraitRuleNodeResult
{
    bool holds = false;
    bool keyPresent = false;     // comparison: the call has the key with at least one value
    QStringList matchingValues;  // comparison: the call's values that satisfy it, in order
};

class CompiledTraitRule final
{
public:
    // Whether a call with these signals realizes the trait. Thread-safe; allocates only for
    // matchesregex (QRegularExpression's match object).
    bool matches(const RuleSignals &signalSet) const;

    // Every node evaluated on these signals, indexed like nodes(); no short-circuit, so the
    // GUI can show each comparison's outcome. Slower than matches(): not for the hot path.
    QList<TraitRuleNodeResult> explain(const RuleSignals &signalSet) const;

    // Canonical text: keywords upper-case, named operators lower-case, `=>` as `>=`, values
    // that read as decimal numbers as written, all others double-quoted (with a backslash
    // before each quote and backslash in them), keys bare unless they are a keyword, one space
    // around operators and keywords, parentheses only where precedence needs them.
    // compile(print()) gives the same tree.
    QString print() const;

    // The keys the rule reads, each once, in rule order.
    QStringList keys() const;

    // The tree in pre-order: nodes().first() is the root, children follow their parent.
    const QList<TraitRuleNode> &nodes() const { return m_nodes; }

    // Same structure, keys, operators and values; positions are ignored.
    bool hasSameTree(const CompiledTraitRule &other) const;

private:
    friend class TraitRuleParser;

    struct Comparison
    {
        QString key;
        size_t keyHash = 0;
        TraitRuleOperator op = TraitRuleOperator::Equal;
        RuleValue value;     // with its number read once, at compile time
        QString foldedValue; // ASCII lower case: the side of a case-insensitive test fixed here
        QRegularExpression regex;  // matchesregex
        QStringList foldedWords;   // matcheswords, ASCII lower case
    };

    // A flat program with short-circuit jumps: no recursion and no allocation per call.
    // The accumulator holds the value of the sub-expression that ended last.
    struct Instruction
    {
        enum class Code : quint8 { Test, JumpIfFalse, JumpIfTrue, Not };
        Code code = Code::Test;
        qint32 argument = 0; // Test: comparison index; jumps: target instruction
    };

    bool holds(const Comparison &comparison, const RuleValue &value) const;
    bool comparisonHolds(const Comparison &comparison, const RuleSignals &signalSet) const;
    void printNode(qsizetype index, int minimumPrecedence, QString &out) const;
    void emitProgram(qsizetype nodeIndex);

    QList<TraitRuleNode> m_nodes;
    QList<qint32> m_comparisonOfNode; // index into m_comparisons, -1 for And/Or/Not
    QList<Comparison> m_comparisons;
    QList<Instruction> m_program;
};

// The outcome of TraitRule::compile(): a rule, or why there is none. A syntax error stops the
// parse at the first one; when the syntax is right, every bad regular expression and empty
// word list is reported.
struct TraitRuleParse
{
    std::shared_ptr<const CompiledTraitRule> rule;
    QList<RuleDiagnostic> diagnostics;

    bool ok() const { return rule != nullptr; }
};

namespace TraitRule {

TraitRuleParse compile(QStringView text);

// "==", "contains", ...: the canonical spelling print() uses.
QString operatorText(TraitRuleOperator op);

// rules.md's `key` outside quotes: letters, digits, '-' and '_' (ASCII), not all digits.
bool isValidKey(QStringView key);

} // namespace TraitRule
} // namespace Dcs
