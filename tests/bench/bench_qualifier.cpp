// Real-time qualification on one core: qualifications per second for 20 rule traits and 10
// segments, for a new visitor and for a returning visitor holding ~30 realizations, with the
// answer's destinations; the sweeper's re-evaluation for comparison. Prints a small table;
// asserts nothing. Build in Release to get meaningful numbers.
//
//   build/release/tests/bench/bench_qualifier [operations per round [case number]]
#include "microbench.h"
#include "rules/qualifier.h"
#include "rules/rulesnapshot.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Day = MsPerDay;
constexpr qint64 Now = 1'710'936'000'000; // 2024-03-20T12:00:00Z

void run(const MicroCase &c, int rounds)
{
    runMicro(c, rounds, 52, 0);
}

Trait ruleTrait(qint64 sid, const QString &rule)
{
    Trait trait;
    trait.sid = sid;
    trait.name = QStringLiteral("Trait %1").arg(sid);
    trait.folderId = 1;
    trait.rule = rule;
    return trait;
}

Segment segment(qint64 sid, const QString &rule, QList<Destination> destinations = {})
{
    Segment result;
    result.sid = sid;
    result.name = QStringLiteral("Segment %1").arg(sid);
    result.folderId = 1;
    result.rule = rule;
    result.destinations = destinations;
    return result;
}

} // namespace

int main(int argc, char **argv)
{
    const int operations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200000;
    const int only = argc > 2 ? std::atoi(argv[2]) : 0;
    const int rounds = 7;

    // The twenty typical rules of bench_traitrule, as traits 1..20.
    const QStringList ruleTexts = {
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
    QList<Trait> traits;
    for (qsizetype i = 0; i < ruleTexts.size(); ++i)
        traits.append(ruleTrait(i + 1, ruleTexts.at(i)));
    Trait onboarded = ruleTrait(101, u"ic == \"auto\""_s);
    onboarded.type = Trait::Type::Onboarded;
    onboarded.dataSource = 1955;
    onboarded.ttlDays = 30;
    traits.append(onboarded);

    const Destination cookie{Destination::Type::Cookie, u"segments"_s, u"s"_s, {}};
    const Destination pixel{Destination::Type::Url, {}, {},
                            u"https://px.example/p?seg=%ALIAS%&u=%did%&r=%rnd%"_s};
    const QList<Segment> segments = {
        segment(1001, u"1T"_s, {cookie}),
        segment(1002, u"FREQUENCY([1T] <= 7D) >= 3"_s, {cookie, pixel}),
        segment(1003, u"1T AND 6T"_s),
        segment(1004, u"FREQUENCY([1T, 14T]) >= 5 AND NOT 2T"_s),
        segment(1005, u"3T OR 4T"_s, {cookie}),
        segment(1006, u"FREQUENCY([5T] >= 3D) >= 1"_s),
        segment(1007, u"8T AND (16T OR 9T)"_s),
        segment(1008, u"101T AND 1T"_s, {pixel}),
        segment(1009, u"FREQUENCY([11T, 12T]) >= 2"_s),
        segment(1010, u"13T AND NOT 17T"_s),
    };
    QList<RuleDiagnosticWithItem> problems;
    const Folder folder{1, u"F"_s, std::nullopt};
    const auto rules = RulesSnapshot::build({folder}, traits, segments, &problems);
    if (!problems.isEmpty()) {
        std::fprintf(stderr, "benchmark definitions refused: %s\n",
                     qPrintable(problems.first().message()));
        return 1;
    }

    const QList<Signal> callSignals = shopPageSignals();
    const QStringList partnerCodes = {u"seg-123"_s, u"auto"_s};
    const RuleSignals plainCall(callSignals);
    const RuleSignals partnerCall(callSignals, partnerCodes);

    // A returning visitor: 30 realizations over the last 30 days, memberships as of now.
    VisitorProfile returning;
    for (int i = 0; i < 30; ++i) {
        const qint64 sid = 1 + (i * 7) % 20;
        returning.realizations.append({sid, makeRealization(Now - (i + 1) * Day + i, 120)});
    }
    std::sort(returning.realizations.begin(), returning.realizations.end(),
              [](const StoredRealization &a, const StoredRealization &b) {
                  return std::pair(a.traitSid, a.realization.timeMs)
                         < std::pair(b.traitSid, b.realization.timeMs);
              });
    for (const qint64 sid : Qualifier::reevaluate(*rules, returning, Now).segmentsHeld)
        returning.memberships.append({sid, Now - Day});

    const auto input = [&](const RuleSignals &signalSet, const VisitorProfile *profile,
                           bool urlDestinations, bool partners) {
        QualifierInput in;
        in.callSignals = &signalSet;
        in.profile = profile;
        in.nowMs = Now;
        in.uuid = u"06151304227769720433039235178204449977"_s;
        in.tid = u"31ZpxW5bQGc="_s;
        in.urlDestinations = urlDestinations;
        in.random = 12345;
        if (partners)
            in.partnerCodes = {PartnerCodes{1955, {u"auto"_s}, std::nullopt}, PartnerCodes{77, {u"seg-123"_s}, std::nullopt}};
        return in;
    };
    const QualifierInput newVisitor = input(plainCall, nullptr, false, false);
    const QualifierInput back = input(plainCall, &returning, false, false);
    const QualifierInput backDests = input(plainCall, &returning, true, false);
    const QualifierInput backPartners = input(partnerCall, &returning, true, true);

    const Qualification sample = Qualifier::qualify(*rules, backPartners);
    std::printf("returning visitor: %lld stored realizations, %lld memberships; the call "
                "realizes %lld traits, holds %lld segments, %lld changes\n\n",
                static_cast<long long>(returning.realizations.size()),
                static_cast<long long>(returning.memberships.size()),
                static_cast<long long>(sample.realizedTraits.size()),
                static_cast<long long>(sample.segmentsHeld.size()),
                static_cast<long long>(sample.changes.size()));

    const std::vector<MicroCase> cases = {
        {"20 rules alone: matches() per trait (the floor)", operations,
         [&] {
             qsizetype realized = 0;
             for (const RulesSnapshot::RuleTrait &trait : rules->ruleTraits())
                 realized += trait.rule->matches(plainCall) ? 1 : 0;
             return realized;
         }},
        {"qualify(): new visitor", operations,
         [&] { return Qualifier::qualify(*rules, newVisitor).segmentsHeld.size(); }},
        {"qualify(): returning visitor, 30 realizations", operations,
         [&] { return Qualifier::qualify(*rules, back).segmentsHeld.size(); }},
        {"qualify(): returning, + URL destinations (d_dst)", operations,
         [&] { return Qualifier::qualify(*rules, backDests).destinationUrls.size(); }},
        {"qualify(): returning, + 2 partner codes", operations,
         [&] { return Qualifier::qualify(*rules, backPartners).realizations.size(); }},
        {"RuleSignals + qualify(): returning (a whole call)", operations,
         [&] {
             const RuleSignals perCall(callSignals);
             QualifierInput in = back;
             in.callSignals = &perCall;
             return Qualifier::qualify(*rules, in).segmentsHeld.size();
         }},
        {"reevaluate() (sweeper, exact next change)", operations / 4,
         [&] { return Qualifier::reevaluate(*rules, returning, Now).segmentsHeld.size(); }},
        {"detailJson() of one realization (writer thread)", operations,
         [&] { return sample.realizations.first().detailJson().size(); }},
        {"stuffJson() + destsJson() (if the answer wants QJson)", operations,
         [&] { return sample.stuffJson().size() + sample.destsJson().size(); }},
    };

    std::printf("%-52s %10s %10s %12s\n", "qualification, one core", "ns median", "ns best",
                "per second");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (only <= 0 || std::size_t(only) == i + 1)
            run(cases.at(i), rounds);
    }
    return 0;
}
