// Trait rules on one core: evaluations per second of a simple and a 20-clause rule over a
// realistic call, the per-call cost of preparing the signals, and compiles per second. Prints
// a small table; asserts nothing. Build in Release to get meaningful numbers.
//
//   build/release/tests/bench/bench_traitrule [operations per round [case number]]
//
// Operations per round default to 1000000 (compiles: a tenth of that); a case number
// (1-based) runs that case alone, for a profiler.
#include "microbench.h"
#include "rules/rulesignals.h"
#include "rules/traitrule.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

void run(const MicroCase &c, int rounds)
{
    runMicro(c, rounds, 48, 1);
}

std::shared_ptr<const CompiledTraitRule> mustCompile(const QString &text)
{
    const TraitRuleParse parse = TraitRule::compile(text);
    if (!parse.ok()) {
        std::fprintf(stderr, "benchmark rule refused: %s\n",
                     qPrintable(parse.diagnostics.first().message()));
        std::exit(1);
    }
    return parse.rule;
}

} // namespace

int main(int argc, char **argv)
{
    const int operations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1000000;
    const int only = argc > 2 ? std::atoi(argv[2]) : 0;
    const int rounds = 7;

    // A shop page's call (shopPageSignals) and one partner code.
    const QList<Signal> callSignals = shopPageSignals();
    const QStringList partnerCodes = {u"seg-123"_s};
    const RuleSignals signalSet(callSignals, partnerCodes);

    const QString simpleText = u"c_section == \"sports\""_s;
    // 20 comparisons; the call satisfies the rule, so every AND operand runs.
    const QString twentyText =
        u"(c_section == \"sports\" OR c_section == \"news\" OR c_category contains \"run\")"
        u" AND price < 100 AND price >= 10.00"
        u" AND NOT h_user-agent matchesregex \"(?i)bot|crawler|spider\""
        u" AND (h_referer startswith \"https://shop.\" OR h_referer contains \"utm_source\")"
        u" AND h_accept-language startswith \"en\""
        u" AND (c_tags == \"clearance\" OR c_tags matcheswords \"promo, sale\""
        u" OR c_tags == \"deal\")"
        u" AND c_qty > 0 AND c_qty <= 10 AND NOT c_page endswith \".pdf\""
        u" AND (d_rtbd == \"json\" OR ic == \"seg-123\")"
        u" AND c_page matchesregex \"^/news/article-[0-9]+$\""
        u" AND NOT c_category == \"kids\" AND c_category != \"adult\""_s;
    const auto simple = mustCompile(simpleText);
    const auto twenty = mustCompile(twentyText);
    if (!simple->matches(signalSet) || !twenty->matches(signalSet)) {
        std::fprintf(stderr, "benchmark rules do not match the benchmark call\n");
        return 1;
    }

    // Twenty typical rule traits against one call: what the listener does per /event.
    const QStringList typicalTexts = {
        u"c_section == \"sports\""_s, u"c_section == \"news\""_s,
        u"price >= 10 AND price < 50"_s, u"price >= 50"_s,
        u"c_tags contains \"sale\""_s, u"c_category == \"shoes\""_s,
        u"h_accept-language startswith \"es\""_s, u"h_accept-language startswith \"en\""_s,
        u"c_page matchesregex \"^/news/\""_s, u"h_referer contains \"utm_source=mail\""_s,
        u"ic == \"seg-123\""_s, u"ic == \"seg-456\""_s, u"c_qty > 5"_s,
        u"c_section == \"sports\" AND price > 20"_s, u"NOT d_rtbd == \"json\""_s,
        u"c_tags matcheswords \"running, trail\""_s, u"h_user-agent contains \"Mobile\""_s,
        u"c_category == \"kids\" OR c_category == \"baby\""_s, u"c_missing == 1"_s,
        u"c_section != \"sports\""_s};
    std::vector<std::shared_ptr<const CompiledTraitRule>> typical;
    for (const QString &text : typicalTexts)
        typical.push_back(mustCompile(text));

    const int compiles = std::max(1, operations / 10);
    const std::vector<MicroCase> cases = {
        {"matches(): c_section == \"sports\"", operations,
         [&] { return qsizetype(simple->matches(signalSet)); }},
        {"matches(): 20 clauses, 2 regexes", operations / 4,
         [&] { return qsizetype(twenty->matches(signalSet)); }},
        {"RuleSignals from 10 keys + 1 partner code", operations / 4,
         [&] { return RuleSignals(callSignals, partnerCodes).keyCount(); }},
        {"one call: RuleSignals + 20 typical rules", operations / 10,
         [&] {
             const RuleSignals perCall(callSignals, partnerCodes);
             qsizetype realized = 0;
             for (const auto &rule : typical)
                 realized += rule->matches(perCall) ? 1 : 0;
             return realized;
         }},
        {"explain(): 20 clauses", operations / 20,
         [&] { return twenty->explain(signalSet).size(); }},
        {"compile(): c_section == \"sports\"", compiles,
         [&] { return TraitRule::compile(simpleText).rule->nodes().size(); }},
        {"compile(): 20 clauses, 2 regexes", compiles / 10,
         [&] { return TraitRule::compile(twentyText).rule->nodes().size(); }},
        {"compile(): a syntax error", compiles,
         [&] { return TraitRule::compile(u"c_make =="_s).diagnostics.size(); }},
    };

    std::printf("%-48s %10s %10s %14s\n", "trait rules, one core", "ns median", "ns best",
                "per second");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (only <= 0 || std::size_t(only) == i + 1)
            run(cases.at(i), rounds);
    }
    return 0;
}
