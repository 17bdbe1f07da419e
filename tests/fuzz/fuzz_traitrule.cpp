// libFuzzer target for Dcs::TraitRule.
//
// Input: the rule text as UTF-8 (invalid sequences become U+FFFD, which may appear in bare and
// quoted values but never in a key).
//
// Checked, for a rule that compiles: no diagnostics; the printed form compiles to the same
// tree and prints the same again; both evaluate the same on fixed signal sets and on signals
// made from the rule's own keys and values (so that comparisons do hold sometimes); explain()
// agrees with matches() and with itself node by node; keys() lists each comparison's key once.
// For a rule that does not compile: at least one diagnostic, each with a sentence, what was
// expected and a span inside the text; compiling again gives the same diagnostics.
#include "rules/rulesignals.h"
#include "rules/traitrule.h"

#include <QSet>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

[[noreturn]] void violated(const char *what, const QString &rule)
{
    std::fprintf(stderr, "TraitRule contract violated: %s\nrule: %s\n", what,
                 rule.toUtf8().constData());
    std::abort();
}

void check(bool ok, const char *what, const QString &rule)
{
    if (!ok)
        violated(what, rule);
}

const QList<RuleSignals> &fixedSignalSets()
{
    static const QList<RuleSignals> sets = [] {
        QList<RuleSignals> list;
        list.append(RuleSignals());
        list.append(RuleSignals(
            {Signal{u"c_section"_s, {u"sports"_s}}, Signal{u"price"_s, {u"9.99"_s, u"10"_s}},
             Signal{u"c_url"_s, {u"https://shop.example/a?b=1"_s}},
             Signal{u"h_accept-language"_s, {u"es-ES,es;q=0.9"_s}},
             Signal{u"c_tags"_s, {u"red car"_s, u""_s, u"-0"_s, u"a\"b\\c"_s}},
             Signal{u"a"_s, {u"1"_s}}, Signal{u"b"_s, {u"1.0"_s}}, Signal{u"c"_s, {u"new"_s}}},
            {u"seg-123"_s, u"7"_s}));
        return list;
    }();
    return sets;
}

// Every key the rule reads, holding each value the rule compares it with, that value
// changed a little, and a number.
RuleSignals signalsFromRule(const CompiledTraitRule &rule)
{
    QHash<QString, QStringList> values;
    for (const TraitRuleNode &node : rule.nodes()) {
        if (node.kind != TraitRuleNode::Kind::Comparison)
            continue;
        QStringList &list = values[node.key];
        list.append(node.value);
        list.append(node.value.toUpper() + u'x');
        list.append(u"1"_s);
    }
    QList<Signal> signalList;
    QStringList partnerCodes;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        if (it.key() == u"ic")
            partnerCodes = it.value();
        else
            signalList.append(Signal{it.key(), it.value()});
    }
    return RuleSignals(signalList, partnerCodes);
}

void checkExplain(const CompiledTraitRule &rule, const RuleSignals &signalSet,
                  const QString &text)
{
    const QList<TraitRuleNodeResult> results = rule.explain(signalSet);
    const QList<TraitRuleNode> &nodes = rule.nodes();
    check(results.size() == nodes.size(), "explain() size differs from nodes()", text);
    check(results.first().holds == rule.matches(signalSet), "explain() and matches() differ",
          text);
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        const TraitRuleNode &node = nodes.at(i);
        const TraitRuleNodeResult &result = results.at(i);
        switch (node.kind) {
        case TraitRuleNode::Kind::Comparison: {
            check(node.children.isEmpty(), "comparison with children", text);
            check(result.holds == !result.matchingValues.isEmpty(),
                  "comparison result and matching values differ", text);
            check(result.keyPresent == !signalSet.values(node.key).empty(),
                  "keyPresent is wrong", text);
            break;
        }
        case TraitRuleNode::Kind::Not:
            check(node.children.size() == 1, "NOT without exactly one child", text);
            check(result.holds == !results.at(node.children.first()).holds, "NOT is wrong",
                  text);
            break;
        case TraitRuleNode::Kind::And:
        case TraitRuleNode::Kind::Or: {
            check(node.children.size() >= 2, "AND/OR with fewer than two children", text);
            const bool isAnd = node.kind == TraitRuleNode::Kind::And;
            bool expected = isAnd;
            for (const int child : node.children) {
                check(child > i && child < nodes.size(), "child index out of pre-order", text);
                check(nodes.at(child).kind != node.kind, "AND in AND or OR in OR", text);
                expected = isAnd ? expected && results.at(child).holds
                                 : expected || results.at(child).holds;
            }
            check(result.holds == expected, "AND/OR is wrong", text);
            break;
        }
        }
    }
}

void checkCompiled(const CompiledTraitRule &rule, const QString &text)
{
    const QString printed = rule.print();
    const TraitRuleParse again = TraitRule::compile(printed);
    check(again.ok(), "the printed form does not compile", text);
    check(again.rule->hasSameTree(rule), "the printed form is another tree", text);
    check(again.rule->print() == printed, "printing is not stable", text);

    QSet<QString> keys;
    for (const TraitRuleNode &node : rule.nodes()) {
        if (node.kind == TraitRuleNode::Kind::Comparison) {
            check(TraitRule::isValidKey(node.key), "invalid key compiled", text);
            keys.insert(node.key);
        }
    }
    const QStringList listed = rule.keys();
    check(listed.size() == keys.size() && QSet<QString>(listed.begin(), listed.end()) == keys,
          "keys() differs from the comparisons' keys", text);

    QList<RuleSignals> sets = fixedSignalSets();
    sets.append(signalsFromRule(rule));
    for (const RuleSignals &signalSet : std::as_const(sets)) {
        check(rule.matches(signalSet) == again.rule->matches(signalSet),
              "the printed form means something else", text);
        checkExplain(rule, signalSet, text);
    }
}

void checkRefused(const TraitRuleParse &parse, const QString &text)
{
    check(!parse.diagnostics.isEmpty(), "refused without a diagnostic", text);
    for (const RuleDiagnostic &diagnostic : parse.diagnostics) {
        check(!diagnostic.text.isEmpty() && !diagnostic.expected.isEmpty(),
              "diagnostic without a sentence or an expectation", text);
        check(diagnostic.line >= 1 && diagnostic.column >= 1 && diagnostic.length >= 0,
              "diagnostic without a position", text);
        // The span must lie inside the text.
        qsizetype offset = 0;
        for (int line = 1; line < diagnostic.line; ++line) {
            offset = text.indexOf(u'\n', offset);
            check(offset >= 0, "diagnostic past the last line", text);
            ++offset;
        }
        offset += diagnostic.column - 1;
        check(offset + diagnostic.length <= text.size(), "diagnostic span past the end", text);
    }
    const TraitRuleParse again = TraitRule::compile(text);
    check(again.diagnostics == parse.diagnostics, "diagnostics are not deterministic", text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data),
                                           qsizetype(size));
    const TraitRuleParse parse = TraitRule::compile(text);
    if (parse.ok()) {
        check(parse.diagnostics.isEmpty(), "compiled with diagnostics", text);
        checkCompiled(*parse.rule, text);
    } else {
        checkRefused(parse, text);
    }
    return 0;
}
