#include "rules/traitrule.h"

#include "rules/traitrulematch.h"
#include "rules/traitruleparser.h"

#include <QSet>
#include <QVarLengthArray>

using namespace Qt::StringLiterals;

// Semantics rules.md leaves open, decided here:
//
// - Every comparison follows "any value satisfies": on a key with values a and b,
//   `k != "a"` holds, because b differs from "a". To hold only when NO value is "a", write
//   `NOT k == "a"` (which also holds when k is absent).
// - Equality: both sides numbers (RuleValue) → exact decimal equality (1.0 == 1, -0 == 0);
//   otherwise ASCII-case-insensitive text equality, so "1" != "1a" and "" == "".
// - <, >, <=, >=: the signal's value on the left (`price < 10` holds for price=5); false
//   unless both sides are numbers.
// - contains, startswith, endswith with "" hold for every value of a present key.
// - matchesregex: PCRE2 through QRegularExpression, unanchored, case-sensitive unless the
//   pattern says (?i), as with Adobe's Java patterns; "" matches every value.
// - matcheswords: see TraitRuleMatch::containsWholeWord(); a value without any word is a rule
//   error, since such a comparison could never hold.

namespace Dcs {

namespace {

using Kind = TraitRuleNode::Kind;

int precedenceOf(Kind kind)
{
    switch (kind) {
    case Kind::Or: return 1;
    case Kind::And: return 2;
    case Kind::Not: return 3;
    case Kind::Comparison: return 4;
    }
    return 4;
}

void appendQuoted(QString &out, QStringView text)
{
    out += u'"';
    for (const QChar ch : text) {
        if (ch == u'"' || ch == u'\\')
            out += u'\\';
        out += ch;
    }
    out += u'"';
}

bool isKeywordText(QStringView text)
{
    return TraitRuleMatch::equalsIgnoringAsciiCase(text, u"and")
           || TraitRuleMatch::equalsIgnoringAsciiCase(text, u"or")
           || TraitRuleMatch::equalsIgnoringAsciiCase(text, u"not");
}

} // namespace

bool CompiledTraitRule::holds(const Comparison &comparison, const RuleValue &value) const
{
    using TraitRuleMatch::equalsFolded;
    const bool numeric = value.isNumber && comparison.value.isNumber;
    switch (comparison.op) {
    case TraitRuleOperator::Equal:
        return numeric ? RuleValue::compareNumbers(value, comparison.value) == 0
                       : equalsFolded(value.text, comparison.foldedValue);
    case TraitRuleOperator::NotEqual:
        return numeric ? RuleValue::compareNumbers(value, comparison.value) != 0
                       : !equalsFolded(value.text, comparison.foldedValue);
    case TraitRuleOperator::Less:
        return numeric && RuleValue::compareNumbers(value, comparison.value) < 0;
    case TraitRuleOperator::Greater:
        return numeric && RuleValue::compareNumbers(value, comparison.value) > 0;
    case TraitRuleOperator::LessOrEqual:
        return numeric && RuleValue::compareNumbers(value, comparison.value) <= 0;
    case TraitRuleOperator::GreaterOrEqual:
        return numeric && RuleValue::compareNumbers(value, comparison.value) >= 0;
    case TraitRuleOperator::Contains:
        return TraitRuleMatch::indexOfFolded(value.text, comparison.foldedValue) >= 0;
    case TraitRuleOperator::StartsWith:
        return TraitRuleMatch::startsWithFolded(value.text, comparison.foldedValue);
    case TraitRuleOperator::EndsWith:
        return TraitRuleMatch::endsWithFolded(value.text, comparison.foldedValue);
    case TraitRuleOperator::MatchesRegex:
        return comparison.regex.match(value.text).hasMatch();
    case TraitRuleOperator::MatchesWords:
        return TraitRuleMatch::containsWholeWord(value.text, comparison.foldedWords);
    }
    return false;
}

bool CompiledTraitRule::comparisonHolds(const Comparison &comparison,
                                        const RuleSignals &signalSet) const
{
    for (const RuleValue &value : signalSet.values(comparison.key, comparison.keyHash)) {
        if (holds(comparison, value))
            return true;
    }
    return false;
}

bool CompiledTraitRule::matches(const RuleSignals &signalSet) const
{
    const Instruction *program = m_program.constData();
    const qsizetype size = m_program.size();
    bool result = false;
    for (qsizetype at = 0; at < size;) {
        const Instruction &instruction = program[at];
        switch (instruction.code) {
        case Instruction::Code::Test:
            result = comparisonHolds(m_comparisons.at(instruction.argument), signalSet);
            ++at;
            break;
        case Instruction::Code::JumpIfFalse:
            at = result ? at + 1 : instruction.argument;
            break;
        case Instruction::Code::JumpIfTrue:
            at = result ? instruction.argument : at + 1;
            break;
        case Instruction::Code::Not:
            result = !result;
            ++at;
            break;
        }
    }
    return result;
}

QList<TraitRuleNodeResult> CompiledTraitRule::explain(const RuleSignals &signalSet) const
{
    QList<TraitRuleNodeResult> results(m_nodes.size());
    // Pre-order puts children after their parent: walking backwards meets them first.
    for (qsizetype i = m_nodes.size() - 1; i >= 0; --i) {
        const TraitRuleNode &node = m_nodes.at(i);
        TraitRuleNodeResult &result = results[i];
        switch (node.kind) {
        case Kind::Comparison: {
            const Comparison &comparison = m_comparisons.at(m_comparisonOfNode.at(i));
            const auto values = signalSet.values(comparison.key, comparison.keyHash);
            result.keyPresent = !values.empty();
            for (const RuleValue &value : values) {
                if (holds(comparison, value))
                    result.matchingValues.append(value.text);
            }
            result.holds = !result.matchingValues.isEmpty();
            break;
        }
        case Kind::Not:
            result.holds = !results.at(node.children.first()).holds;
            break;
        case Kind::And:
            result.holds = true;
            for (const int child : node.children)
                result.holds = result.holds && results.at(child).holds;
            break;
        case Kind::Or:
            for (const int child : node.children)
                result.holds = result.holds || results.at(child).holds;
            break;
        }
    }
    return results;
}

QString CompiledTraitRule::print() const
{
    QString out;
    if (!m_nodes.isEmpty())
        printNode(0, 0, out);
    return out;
}

void CompiledTraitRule::printNode(qsizetype index, int minimumPrecedence, QString &out) const
{
    const TraitRuleNode &node = m_nodes.at(index);
    const int precedence = precedenceOf(node.kind);
    const bool parenthesized = precedence < minimumPrecedence;
    if (parenthesized)
        out += u'(';
    switch (node.kind) {
    case Kind::Or:
    case Kind::And: {
        const QString joiner = node.kind == Kind::Or ? u" OR "_s : u" AND "_s;
        for (qsizetype i = 0; i < node.children.size(); ++i) {
            if (i > 0)
                out += joiner;
            printNode(node.children.at(i), precedence, out);
        }
        break;
    }
    case Kind::Not:
        out += u"NOT "_s;
        printNode(node.children.first(), precedence, out);
        break;
    case Kind::Comparison: {
        if (isKeywordText(node.key))
            appendQuoted(out, node.key);
        else
            out += node.key;
        out += u' ' + TraitRule::operatorText(node.op) + u' ';
        if (m_comparisons.at(m_comparisonOfNode.at(index)).value.isNumber)
            out += node.value;
        else
            appendQuoted(out, node.value);
        break;
    }
    }
    if (parenthesized)
        out += u')';
}

void CompiledTraitRule::emitProgram(qsizetype nodeIndex)
{
    const TraitRuleNode &node = m_nodes.at(nodeIndex);
    switch (node.kind) {
    case Kind::Comparison:
        m_program.append({Instruction::Code::Test, m_comparisonOfNode.at(nodeIndex)});
        return;
    case Kind::Not:
        emitProgram(node.children.first());
        m_program.append({Instruction::Code::Not, 0});
        return;
    case Kind::And:
    case Kind::Or: {
        // After each operand but the last: leave early when the result is already known.
        const Instruction::Code shortCircuit = node.kind == Kind::And
                                                   ? Instruction::Code::JumpIfFalse
                                                   : Instruction::Code::JumpIfTrue;
        QVarLengthArray<qsizetype, 16> jumps;
        for (qsizetype i = 0; i < node.children.size(); ++i) {
            emitProgram(node.children.at(i));
            if (i + 1 < node.children.size()) {
                jumps.append(m_program.size());
                m_program.append({shortCircuit, 0});
            }
        }
        for (const qsizetype jump : jumps)
            m_program[jump].argument = qint32(m_program.size());
        return;
    }
    }
}

QStringList CompiledTraitRule::keys() const
{
    QStringList result;
    QSet<QString> seen;
    for (const TraitRuleNode &node : m_nodes) {
        if (node.kind == Kind::Comparison && !seen.contains(node.key)) {
            seen.insert(node.key);
            result.append(node.key);
        }
    }
    return result;
}

bool CompiledTraitRule::hasSameTree(const CompiledTraitRule &other) const
{
    if (m_nodes.size() != other.m_nodes.size())
        return false;
    for (qsizetype i = 0; i < m_nodes.size(); ++i) {
        const TraitRuleNode &a = m_nodes.at(i);
        const TraitRuleNode &b = other.m_nodes.at(i);
        if (a.kind != b.kind || a.children != b.children || a.key != b.key || a.op != b.op
            || a.value != b.value) {
            return false;
        }
    }
    return true;
}

namespace TraitRule {

TraitRuleParse compile(QStringView text)
{
    return TraitRuleParser(text).parse();
}

QString operatorText(TraitRuleOperator op)
{
    switch (op) {
    case TraitRuleOperator::Equal: return u"=="_s;
    case TraitRuleOperator::NotEqual: return u"!="_s;
    case TraitRuleOperator::Less: return u"<"_s;
    case TraitRuleOperator::Greater: return u">"_s;
    case TraitRuleOperator::LessOrEqual: return u"<="_s;
    case TraitRuleOperator::GreaterOrEqual: return u">="_s;
    case TraitRuleOperator::Contains: return u"contains"_s;
    case TraitRuleOperator::StartsWith: return u"startswith"_s;
    case TraitRuleOperator::EndsWith: return u"endswith"_s;
    case TraitRuleOperator::MatchesRegex: return u"matchesregex"_s;
    case TraitRuleOperator::MatchesWords: return u"matcheswords"_s;
    }
    return u"=="_s;
}

bool isValidKey(QStringView key)
{
    bool allDigits = true;
    for (const QChar ch : key) {
        const char16_t c = ch.unicode();
        const bool digit = c >= u'0' && c <= u'9';
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
        if (!digit && !letter && c != u'_' && c != u'-')
            return false;
        allDigits = allDigits && digit;
    }
    return !key.isEmpty() && !allDigits;
}

} // namespace TraitRule
} // namespace Dcs
