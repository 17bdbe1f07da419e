// libFuzzer target for Dcs::SegmentRule.
//
// Input: the rule text as UTF-8 (invalid sequences become U+FFFD, which the parser must refuse
// like any other stray character).
//
// Checked, for a rule that parses: the printed form parses to the same tree and prints the
// same; both trees evaluate the same on a fixed set of realizations at instants around their
// boundaries; nextChangeMs is after now, never after the exact change, and nothing changes
// before it; explain() agrees with evaluate(); validate() and holdsForEveryone() agree with
// an evaluation on no realizations. For a rule that does not parse: a diagnostic with a
// sentence and a position inside the text.
#include "rules/segmentrule.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Dcs;

namespace {

[[noreturn]] void violated(const char *what, const QString &rule)
{
    std::fprintf(stderr, "SegmentRule contract violated: %s\nrule: %s\n", what,
                 rule.toUtf8().constData());
    std::abort();
}

void check(bool ok, const char *what, const QString &rule)
{
    if (!ok)
        violated(what, rule);
}

constexpr qint64 Now = 1'710'936'000'000; // 2024-03-20T12:00:00Z

// Traits 0 to 9, each realized a few times around Now, some expiring, one in the future.
class FixedSource final : public RealizationSource
{
public:
    FixedSource()
    {
        for (qint64 sid = 0; sid < 10; ++sid) {
            for (qint64 i = 0; i < sid % 4; ++i) {
                const qint64 time = Now - (sid + i * 3) * MsPerDay + (i - 1) * 1000;
                m_map[sid].append(makeRealization(time, int((sid + i) % 5)));
            }
        }
        m_map[7].append(Realization{Now + 2 * MsPerDay, Realization::Never});
    }

    std::span<const Realization> realizations(qint64 traitSid) const override
    {
        const auto found = m_map.constFind(traitSid);
        if (found == m_map.constEnd())
            return {};
        return {found->constData(), std::size_t(found->size())};
    }

private:
    QHash<qint64, QList<Realization>> m_map;
};

class NoRealizations final : public RealizationSource
{
public:
    std::span<const Realization> realizations(qint64) const override { return {}; }
};

void checkRefusal(const QString &text, const RuleDiagnostic &diagnostic)
{
    check(!diagnostic.text.isEmpty(), "a refusal without a sentence", text);
    const QStringList lines = text.split(u'\n');
    check(diagnostic.line >= 1 && diagnostic.line <= lines.size(), "line outside the text",
          text);
    check(diagnostic.column >= 1 && diagnostic.column - 1 <= lines.at(diagnostic.line - 1).size(),
          "column outside its line", text);
    // A part of the rule may span lines: its underline runs on through the newlines.
    qsizetype offset = diagnostic.column - 1;
    for (int i = 0; i < diagnostic.line - 1; ++i)
        offset += lines.at(i).size() + 1;
    check(diagnostic.length >= 0 && offset + diagnostic.length <= text.size(),
          "underline outside the text", text);
}

void checkEvaluation(const SegmentRule &rule, const SegmentRule &again, const QString &text)
{
    static const FixedSource source;
    const qint64 instants[] = {Now, Now - 1, Now + 1, Now + MsPerDay, Now - 3 * MsPerDay,
                               Now + 5 * MsPerDay + 1};
    for (const qint64 now : instants) {
        const SegmentEvaluation first = rule.evaluate(source, now);
        const SegmentEvaluation second = again.evaluate(source, now);
        check(first.holds == second.holds && first.nextChangeMs == second.nextChangeMs,
              "the re-parsed rule evaluates differently", text);
        check(first.holds == rule.holds(source, now), "holds() and evaluate() disagree", text);
        check(first.nextChangeMs > now, "nextChangeMs is not after now", text);

        const SegmentChange change = rule.nextChange(source, now, 64);
        check(first.nextChangeMs <= change.atMs, "nextChangeMs is later than the change", text);
        if (first.nextChangeMs != Realization::Never) {
            check(rule.holds(source, first.nextChangeMs - 1) == first.holds,
                  "the result changed before nextChangeMs", text);
        }
        if (change.exact && change.atMs != Realization::Never) {
            check(rule.holds(source, change.atMs - 1) == first.holds
                      && rule.holds(source, change.atMs) != first.holds,
                  "the exact change is not where the result changes", text);
        }

        const SegmentExplanation explanation = rule.explain(source, now, 64);
        check(explanation.holds == first.holds, "explain() and evaluate() disagree", text);
        check(explanation.change.atMs == change.atMs, "explain() has another change", text);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString text =
        QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    RuleDiagnostic diagnostic;
    const std::optional<SegmentRule> rule = SegmentRule::parse(text, &diagnostic);
    if (!rule) {
        checkRefusal(text, diagnostic);
        return 0;
    }
    check(diagnostic == RuleDiagnostic(), "a diagnostic for a rule that parsed", text);
    check(!rule->isEmpty(), "an empty rule parsed", text);

    const QString printed = rule->toString();
    RuleDiagnostic reparseDiagnostic;
    const std::optional<SegmentRule> again = SegmentRule::parse(printed, &reparseDiagnostic);
    check(again.has_value(), "the printed form does not parse", printed);
    check(*again == *rule, "the printed form parses to another tree", printed);
    check(again->toString() == printed, "the printed form is not stable", printed);
    check(again->traitSids() == rule->traitSids(), "traitSids() changed", printed);

    checkEvaluation(*rule, *again, printed);

    // holdsForEveryone() is exactly an evaluation on no realizations, and validate() refuses it.
    const bool everyone = rule->holds(NoRealizations(), Now);
    check(rule->holdsForEveryone() == everyone, "holdsForEveryone() is not exact", printed);
    TraitTypeCatalog catalog;
    for (qint64 sid = 0; sid < 10; ++sid)
        catalog.insert(sid, sid == 3 ? Trait::Type::Onboarded : Trait::Type::Rule);
    const QList<RuleDiagnostic> problems = rule->validate(catalog);
    check(!everyone || !problems.isEmpty(), "a rule for everyone passed validation", printed);
    for (const RuleDiagnostic &problem : problems) {
        check(!problem.text.isEmpty() && problem.expected.isEmpty(), "malformed refusal",
              printed);
        checkRefusal(text, problem);
    }
    return 0;
}
