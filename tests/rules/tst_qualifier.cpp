#include "qualificationfixture.h"

#include "rules/qualifier.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Dcs;
using namespace Fixture;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Dcs::VisitorProfile)

namespace {

const QString Uuid = u"06151304227769720433039235178204449977"_s;

// Folders 1 > 2 > 3. Folder trait 301 sits in folder 2: it stands for 101 (folder 2) and for
// 102, 201 and 202 (folder 3), not for 103..105 and 203 (folder 1).
Definitions definitions()
{
    Definitions d;
    d.folders = {folder(1, "Interests"), folder(2, "Sports", 1), folder(3, "Ball", 2)};
    d.traits = {
        trait(101, Trait::Type::Rule, 2, "c_section == \"sports\""),
        trait(102, Trait::Type::Rule, 3, "c_ball contains \"foot\"", 1),
        trait(103, Trait::Type::Rule, 1, "c_cart == \"yes\" AND p_tier == \"gold\""),
        trait(104, Trait::Type::Rule, 1, "c_section == \"sports\"", 120, 77),
        trait(105, Trait::Type::Rule, 1, "ic == \"aud-1\""),
        trait(201, Trait::Type::Onboarded, 3, "ic == \"auto\"", 30, 1955),
        trait(202, Trait::Type::Onboarded, 3, "ic == \"007\"", 30, 1955),
        trait(203, Trait::Type::Onboarded, 1, "ic == \"auto\"", 30, 2000),
        trait(301, Trait::Type::Folder, 2, ""),
    };
    d.segments = {
        segment(5001, "101T",
                {cookie("segments", "sports"),
                 url("https://px.example/p?seg=%ALIAS%&u=%did%&r=%RND%&t=%timestamp%"
                     "&x=%20%foo%")},
                true, "sports fans"),
        segment(5002, "FREQUENCY([101T]) >= 3", {cookie("segments", "fan")}),
        segment(5003, "201T AND NOT 102T"),
        segment(5004, "FREQUENCY([301T]) >= 2", {cookie("folder", "f")}),
        segment(5005, "FREQUENCY([101T] <= 2D) >= 1"),
        segment(5006, "101T", {}, false),
        segment(5007, "999T"),
        segment(5008, "FREQUENCY([101T] >= 1D) >= 1"),
    };
    return d;
}

struct Call
{
    QStringList signalPairs;
    QList<PartnerCodes> partners;
    QStringList directSids;
    VisitorProfile profile;
    qint64 atMs = Fixture::now();
    std::optional<qint64> onlyDataSource;
    bool urlDestinations = false;
};

Qualification run(const RulesSnapshot &rules, const Call &call)
{
    QStringList codes;
    for (const PartnerCodes &partner : call.partners)
        codes += partner.codes;
    const RuleSignals signalSet(signalList(call.signalPairs), codes);
    QualifierInput input;
    input.callSignals = &signalSet;
    input.directSids = call.directSids;
    input.partnerCodes = call.partners;
    input.profile = &call.profile;
    input.nowMs = call.atMs;
    input.uuid = Uuid;
    input.tid = u"31ZpxW5bQGc="_s;
    input.onlyDataSource = call.onlyDataSource;
    input.urlDestinations = call.urlDestinations;
    input.random = 42;
    return Qualifier::qualify(rules, input);
}

const NewRealization *realizationOf(const Qualification &result, qint64 sid)
{
    for (const NewRealization &realization : result.realizations) {
        if (realization.traitSid == sid)
            return &realization;
    }
    return nullptr;
}

std::optional<MembershipChange> changeOf(const Qualification &result, qint64 sid)
{
    for (const MembershipChange &change : result.changes) {
        if (change.segmentSid == sid)
            return change;
    }
    return std::nullopt;
}

VisitorProfile profileOf(const QList<StoredRealization> &realizations,
                         const QList<HeldMembership> &memberships = {})
{
    VisitorProfile profile;
    profile.realizations = realizations;
    profile.memberships = memberships;
    return profile;
}

} // namespace

class TestQualifier : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const RulesSnapshot> m_rules;

private Q_SLOTS:
    void initTestCase()
    {
        QList<RuleDiagnosticWithItem> problems;
        m_rules = definitions().build(&problems);
        QCOMPARE(problems.size(), 1); // 5007 names a trait that does not exist
        QCOMPARE(problems.first().sid, 5007);
    }

    void ruleTraitsRealize_data()
    {
        QTest::addColumn<QStringList>("signalPairs");
        QTest::addColumn<QStringList>("partnerCodes");
        QTest::addColumn<QList<qint64>>("realized");

        QTest::newRow("a call matching two rules") << QStringList{u"c_section=sports"_s}
                                                  << QStringList() << QList<qint64>{101, 104};
        QTest::newRow("values ignore case") << QStringList{u"c_section=SPORTS"_s}
                                            << QStringList() << QList<qint64>{101, 104};
        QTest::newRow("contains") << QStringList{u"c_ball=football"_s} << QStringList()
                                  << QList<qint64>{102};
        QTest::newRow("a private key is read")
            << QStringList{u"c_cart=yes"_s, u"p_tier=gold"_s} << QStringList()
            << QList<qint64>{103};
        QTest::newRow("a private key missing") << QStringList{u"c_cart=yes"_s} << QStringList()
                                               << QList<qint64>();
        QTest::newRow("partner codes are ic") << QStringList() << QStringList{u"aud-1"_s}
                                              << QList<qint64>{105};
        QTest::newRow("the caller cannot send ic") << QStringList{u"ic=aud-1"_s}
                                                   << QStringList() << QList<qint64>();
        QTest::newRow("nothing") << QStringList{u"c_other=1"_s} << QStringList()
                                 << QList<qint64>();
    }

    void ruleTraitsRealize()
    {
        QFETCH(QStringList, signalPairs);
        QFETCH(QStringList, partnerCodes);
        QFETCH(QList<qint64>, realized);

        Call call;
        call.signalPairs = signalPairs;
        if (!partnerCodes.isEmpty())
            call.partners = {PartnerCodes{4242, partnerCodes, std::nullopt}}; // a partner with no traits
        const Qualification result = run(*m_rules, call);
        QCOMPARE(result.realizedTraits, realized);
        QCOMPARE(result.realizations.size(), realized.size());
        for (const NewRealization &realization : result.realizations) {
            QCOMPARE(realization.origin, RealizationOrigin::Call);
            QCOMPARE(realization.realization.timeMs, call.atMs);
            QVERIFY(!realization.replacesEarlier);
        }
    }

    void realizationsExpireByTheTraitsTtl()
    {
        Call call;
        call.signalPairs = {u"c_section=sports"_s, u"c_ball=football"_s};
        const Qualification result = run(*m_rules, call);
        QVERIFY(realizationOf(result, 101));
        QCOMPARE(realizationOf(result, 101)->realization.expiresMs,
                 realizationExpiryMs(call.atMs, 120));
        // TTL 1: counts for the rest of today and all of tomorrow.
        QCOMPARE(realizationOf(result, 102)->realization.expiresMs, utcMs(2024, 3, 22));
    }

    void detailsRecordWhatRealized_data()
    {
        QTest::addColumn<QStringList>("signalPairs");
        QTest::addColumn<QStringList>("directSids");
        QTest::addColumn<QStringList>("autoCodes");
        QTest::addColumn<qint64>("sid");
        QTest::addColumn<QString>("detail");

        QTest::newRow("signal values, never p_")
            << QStringList{u"c_cart=yes"_s, u"p_tier=gold"_s, u"c_x=1"_s} << QStringList()
            << QStringList() << qint64(103) << u"{\"signals\":{\"c_cart\":[\"yes\"]}}"_s;
        QTest::newRow("every value of the key")
            << QStringList{u"c_section=news|sports"_s} << QStringList() << QStringList()
            << qint64(101) << u"{\"signals\":{\"c_section\":[\"news\",\"sports\"]}}"_s;
        QTest::newRow("partner codes read as ic")
            << QStringList() << QStringList() << QStringList{u"aud-1"_s} << qint64(105)
            << u"{\"signals\":{\"ic\":[\"aud-1\"]}}"_s;
        QTest::newRow("d_sid") << QStringList() << QStringList{u"101"_s} << QStringList()
                               << qint64(101) << u"{\"d_sid\":\"101\"}"_s;
        QTest::newRow("partner code") << QStringList() << QStringList()
                                      << QStringList{u"auto"_s} << qint64(201)
                                      << u"{\"code\":\"auto\",\"dpid\":1955}"_s;
    }

    void detailsRecordWhatRealized()
    {
        QFETCH(QStringList, signalPairs);
        QFETCH(QStringList, directSids);
        QFETCH(QStringList, autoCodes);
        QFETCH(qint64, sid);
        QFETCH(QString, detail);

        Call call;
        call.signalPairs = signalPairs;
        call.directSids = directSids;
        if (!autoCodes.isEmpty())
            call.partners = {PartnerCodes{1955, autoCodes, std::nullopt}};
        const Qualification result = run(*m_rules, call);
        const NewRealization *realization = realizationOf(result, sid);
        QVERIFY(realization);
        QCOMPARE(realization->detailJson(), detail);
    }

    void directSids_data()
    {
        QTest::addColumn<QStringList>("directSids");
        QTest::addColumn<QList<qint64>>("realized");
        QTest::addColumn<QStringList>("refused");

        QTest::newRow("a rule-based trait") << QStringList{u"101"_s} << QList<qint64>{101}
                                            << QStringList();
        QTest::newRow("an onboarded trait") << QStringList{u"201"_s} << QList<qint64>{201}
                                            << QStringList();
        QTest::newRow("spaces around") << QStringList{u" 102 "_s} << QList<qint64>{102}
                                       << QStringList();
        QTest::newRow("twice is once") << QStringList{u"101"_s, u"101"_s}
                                       << QList<qint64>{101} << QStringList();
        QTest::newRow("a folder trait is refused") << QStringList{u"301"_s, u"202"_s}
                                                   << QList<qint64>{202}
                                                   << QStringList{u"301"_s};
        QTest::newRow("unknown and not a sid")
            << QStringList{u"999"_s, u"abc"_s, u""_s} << QList<qint64>()
            << QStringList{u"999"_s, u"abc"_s, u""_s};
    }

    void directSids()
    {
        QFETCH(QStringList, directSids);
        QFETCH(QList<qint64>, realized);
        QFETCH(QStringList, refused);

        Call call;
        call.directSids = directSids;
        const Qualification result = run(*m_rules, call);
        QCOMPARE(result.realizedTraits, realized);
        QCOMPARE(result.refusedDirectSids, refused);
        for (const NewRealization &realization : result.realizations) {
            QCOMPARE(realization.origin, RealizationOrigin::DirectSid);
            QCOMPARE(realization.replacesEarlier, realization.traitSid == 201
                                                      || realization.traitSid == 202);
        }
    }

    void dataSourceFilter()
    {
        Call call;
        call.signalPairs = {u"c_section=sports"_s};
        call.directSids = {u"102"_s, u"999"_s};
        call.onlyDataSource = 77;
        const Qualification result = run(*m_rules, call);
        QCOMPARE(result.realizedTraits, QList<qint64>{104});
        QCOMPARE(result.refusedDirectSids, QStringList{u"999"_s}); // 102 is skipped, not wrong
    }

    void partnerCodesRealizeTheirOwnOnboardedTraits_data()
    {
        QTest::addColumn<qint64>("dpid");
        QTest::addColumn<QStringList>("codes");
        QTest::addColumn<QList<qint64>>("realized");

        QTest::newRow("code") << qint64(1955) << QStringList{u"auto"_s} << QList<qint64>{201};
        QTest::newRow("case ignored") << qint64(1955) << QStringList{u"AUTO"_s}
                                      << QList<qint64>{201};
        QTest::newRow("the other partner's trait") << qint64(2000) << QStringList{u"auto"_s}
                                                   << QList<qint64>{203};
        QTest::newRow("numbers by value") << qint64(1955) << QStringList{u"7"_s, u"07.0"_s}
                                          << QList<qint64>{202};
        QTest::newRow("a partner without traits") << qint64(3000) << QStringList{u"auto"_s}
                                                  << QList<qint64>();
        QTest::newRow("unknown code") << qint64(1955) << QStringList{u"boat"_s}
                                      << QList<qint64>();
    }

    void partnerCodesRealizeTheirOwnOnboardedTraits()
    {
        QFETCH(qint64, dpid);
        QFETCH(QStringList, codes);
        QFETCH(QList<qint64>, realized);

        Call call;
        call.partners = {PartnerCodes{dpid, codes, std::nullopt}};
        const Qualification result = run(*m_rules, call);
        QCOMPARE(result.realizedTraits, realized);
        for (const NewRealization &realization : result.realizations) {
            QCOMPARE(realization.origin, RealizationOrigin::Partner);
            QCOMPARE(realization.partnerDpid, dpid);
            QVERIFY(realization.replacesEarlier);
        }
    }

    void aPartnerTtlOverridesTheTraitTtl()
    {
        // partner-protocol.md: "ttl (optional) days the data stays valid, else the trait's own".
        Call call;
        call.partners = {PartnerCodes{1955, {u"auto"_s}, 2}};
        const Qualification withTtl = run(*m_rules, call);
        QCOMPARE(withTtl.realizations.size(), 1);
        QCOMPARE(withTtl.realizations.first().realization.expiresMs,
                 realizationExpiryMs(call.atMs, 2));
        call.partners = {PartnerCodes{1955, {u"auto"_s}, std::nullopt}};
        const Qualification withoutTtl = run(*m_rules, call);
        QCOMPARE(withoutTtl.realizations.size(), 1);
        QCOMPARE(withoutTtl.realizations.first().realization.expiresMs,
                 realizationExpiryMs(call.atMs, 30)); // trait 201's own TTL
    }

    void onboardedTraitsCountOncePerVisitor()
    {
        const qint64 earlier = now() - 10 * Day;
        Call call;
        call.profile = profileOf({stored(201, earlier, 30)}, {{5003, earlier}});
        call.partners = {PartnerCodes{1955, {u"auto"_s, u"Auto"_s}, std::nullopt}};
        call.directSids = {u"201"_s};
        const Qualification result = run(*m_rules, call);
        // d_sid, and the partner's code twice: one realization, replacing the stored one.
        QCOMPARE(result.realizations.size(), 1);
        QCOMPARE(result.realizations.first().origin, RealizationOrigin::DirectSid);
        QVERIFY(result.realizations.first().replacesEarlier);
        QCOMPARE(result.realizedTraits, QList<qint64>{201});

        const VisitorRealizations after(*m_rules, call.profile.realizations,
                                        result.realizations);
        QCOMPARE(after.realizations(201).size(), size_t(1));
        QCOMPARE(after.realizations(201).front().timeMs, call.atMs);
        // Held before and after: no change, and the segment now lasts until the new expiry.
        QVERIFY(result.changes.isEmpty());
        QVERIFY(result.segmentsHeld.contains(5003));
        QCOMPARE(result.nextChangeMs, realizationExpiryMs(call.atMs, 30));
    }

    void ruleTraitsCountEveryCall_data()
    {
        QTest::addColumn<int>("storedCount");
        QTest::addColumn<int>("expiredCount");
        QTest::addColumn<bool>("held");
        QTest::addColumn<QString>("cause"); // of the join, if any

        const QString call = MembershipCause::Call;
        QTest::newRow("first call") << 0 << 0 << false << QString();
        QTest::newRow("second call") << 1 << 0 << false << QString();
        QTest::newRow("third call") << 2 << 0 << true << call;
        // Not held with nine: the call did not cause it (a segment created since, say).
        QTest::newRow("tenth call, joined late")
            << 9 << 0 << true << QString(MembershipCause::DefinitionsChanged);
        QTest::newRow("expired ones do not count") << 1 << 5 << false << QString();
    }

    void ruleTraitsCountEveryCall()
    {
        QFETCH(int, storedCount);
        QFETCH(int, expiredCount);
        QFETCH(bool, held);
        QFETCH(QString, cause);

        Call call;
        call.signalPairs = {u"c_section=sports"_s};
        for (int i = 0; i < expiredCount; ++i)
            call.profile.realizations.append(
                StoredRealization{101, {now() - 200 * Day + i, now() - Day}});
        for (int i = 0; i < storedCount; ++i)
            call.profile.realizations.append(stored(101, now() - Day + i));
        const Qualification result = run(*m_rules, call);
        QCOMPARE(result.segmentsHeld.contains(5002), held);
        QCOMPARE(result.joined().contains(5002), held);
        if (held)
            QCOMPARE(changeOf(result, 5002)->cause, cause);
    }

    void folderTraitsCountTheirMembers_data()
    {
        QTest::addColumn<VisitorProfile>("profile");
        QTest::addColumn<bool>("held");

        QTest::newRow("the call alone") << VisitorProfile() << false;
        QTest::newRow("a subfolder's rule trait")
            << profileOf({stored(102, now() - 1000, 1)}) << true;
        QTest::newRow("an onboarded member") << profileOf({stored(201, now() - Day, 30)})
                                             << true;
        QTest::newRow("not a member") << profileOf({stored(103, now() - Day)}) << false;
        QTest::newRow("an expired member")
            << profileOf({stored(102, now() - 3 * Day, 1)}) << false;
    }

    void folderTraitsCountTheirMembers()
    {
        QFETCH(VisitorProfile, profile);
        QFETCH(bool, held);

        Call call;
        call.signalPairs = {u"c_section=sports"_s};
        call.profile = profile;
        const Qualification result = run(*m_rules, call);
        QCOMPARE(result.segmentsHeld.contains(5004), held); // FREQUENCY([301T]) >= 2
        QVERIFY(!result.realizedTraits.contains(301));      // implied, never listed
    }

    void membershipChanges_data()
    {
        QTest::addColumn<VisitorProfile>("profile");
        QTest::addColumn<QStringList>("signalPairs");
        QTest::addColumn<qint64>("segmentSid");
        QTest::addColumn<int>("kind"); // 0 none, 1 join, 2 leave
        QTest::addColumn<qint64>("atMs");
        QTest::addColumn<QString>("cause");

        const qint64 t = now();
        QTest::newRow("join: this call")
            << profileOf({stored(101, t - 2 * Day), stored(101, t - Day)})
            << QStringList{u"c_section=sports"_s} << qint64(5002) << 1 << t
            << QString(MembershipCause::Call);
        QTest::newRow("leave: this call realized a NOT-ed trait")
            << profileOf({stored(201, t - Day, 30)}, {{5003, t - Day}})
            << QStringList{u"c_ball=football"_s} << qint64(5003) << 2 << t
            << QString(MembershipCause::Call);
        const qint64 onboardedAt = t - 40 * Day;
        QTest::newRow("leave: expired, at the instant it did")
            << profileOf({stored(201, onboardedAt, 30)}, {{5003, onboardedAt}})
            << QStringList() << qint64(5003) << 2 << realizationExpiryMs(onboardedAt, 30)
            << QString(MembershipCause::Expired);
        QTest::newRow("leave: out of the recency window")
            << profileOf({stored(101, t - 3 * Day)}, {{5005, t - 3 * Day}}) << QStringList()
            << qint64(5005) << 2 << t - 3 * Day + 2 * Day + 1
            << QString(MembershipCause::LeftRecencyWindow);
        QTest::newRow("join: into the recency window")
            << profileOf({stored(101, t - 3 * Day)}) << QStringList() << qint64(5008) << 1
            << t - 2 * Day << QString(MembershipCause::EnteredRecencyWindow);
        QTest::newRow("join: a NOT-ed trait expired")
            << profileOf({stored(102, t - 5 * Day, 1), stored(201, t - 5 * Day, 30)})
            << QStringList() << qint64(5003) << 1 << realizationExpiryMs(t - 5 * Day, 1)
            << QString(MembershipCause::Expired);
        QTest::newRow("leave: segment made inactive")
            << profileOf({stored(101, t - Day)}, {{5006, t - Day}}) << QStringList()
            << qint64(5006) << 2 << t << QString(MembershipCause::SegmentInactive);
        QTest::newRow("leave: segment rule refused")
            << profileOf({stored(101, t - Day)}, {{5007, t - Day}}) << QStringList()
            << qint64(5007) << 2 << t << QString(MembershipCause::SegmentRefused);
        QTest::newRow("leave: not explained by time")
            << profileOf({stored(101, t - Day)}, {{5002, t - Day}}) << QStringList()
            << qint64(5002) << 2 << t << QString(MembershipCause::DefinitionsChanged);
        QTest::newRow("join: a new segment")
            << profileOf({stored(101, t - Day)}) << QStringList() << qint64(5001) << 1 << t
            << QString(MembershipCause::DefinitionsChanged);
        QTest::newRow("held and still held")
            << profileOf({stored(101, t - Day)}, {{5001, t - Day}})
            << QStringList{u"c_section=sports"_s} << qint64(5001) << 0 << t << QString();
    }

    void membershipChanges()
    {
        QFETCH(VisitorProfile, profile);
        QFETCH(QStringList, signalPairs);
        QFETCH(qint64, segmentSid);
        QFETCH(int, kind);
        QFETCH(qint64, atMs);
        QFETCH(QString, cause);

        Call call;
        call.profile = profile;
        call.signalPairs = signalPairs;
        const Qualification result = run(*m_rules, call);
        const std::optional<MembershipChange> change = changeOf(result, segmentSid);
        if (kind == 0) {
            QVERIFY(!change);
            return;
        }
        QVERIFY(change);
        QCOMPARE(int(change->kind), kind == 1 ? int(MembershipChange::Kind::Join)
                                              : int(MembershipChange::Kind::Leave));
        QCOMPARE(change->atMs, atMs);
        QCOMPARE(change->cause, cause);
        QCOMPARE(result.segmentsHeld.contains(segmentSid), kind == 1);

        // The sweeper, with no call, reaches the same verdict for time-driven changes.
        if (signalPairs.isEmpty()) {
            const Qualification swept = Qualifier::reevaluate(*m_rules, profile, call.atMs);
            QCOMPARE(changeOf(swept, segmentSid), change);
        }
    }

    void changesAreInSidOrder()
    {
        Call call;
        call.profile = profileOf({stored(101, now() - Day)},
                                 {{5007, now() - Day}, {4000, now() - Day}, {5006, now()}});
        const Qualification result = run(*m_rules, call);
        QList<qint64> sids;
        for (const MembershipChange &change : result.changes)
            sids.append(change.segmentSid);
        QCOMPARE(sids, (QList<qint64>{4000, 5001, 5005, 5006, 5007, 5008}));
    }

    void destinations()
    {
        Call call;
        call.signalPairs = {u"c_section=sports"_s};
        call.profile = profileOf({stored(101, now() - 2 * Day), stored(101, now() - Day)});
        Qualification result = run(*m_rules, call);
        QCOMPARE(result.segmentsHeld, (QList<qint64>{5001, 5002, 5004, 5005, 5008}));
        const QJsonObject cookieJson{{u"cn"_s, u"aam"_s},
                                     {u"cv"_s, u"segments=sports,fan&folder=f"_s},
                                     {u"ttl"_s, 30},
                                     {u"dmn"_s, u""_s}};
        QCOMPARE(result.stuffJson(), QJsonArray{cookieJson});
        QCOMPARE(result.stuff.size(), 1);
        QVERIFY(result.destinationUrls.isEmpty()); // not asked for
        QCOMPARE(result.destsJson(), QJsonArray());

        call.urlDestinations = true;
        result = run(*m_rules, call);
        const QString expected = u"https://px.example/p?seg=sports%20fans&u="_s + Uuid
                                 + u"&r=42&t="_s + QString::number(now() / 1000)
                                 + u"&x=%20%foo%"_s;
        QCOMPARE(result.destinationUrls, QStringList{expected});
        QCOMPARE(result.destsJson(),
                 (QJsonArray{QJsonObject{{u"c"_s, expected}, {u"y"_s, u"img"_s}}}));

        const Qualification nobody = run(*m_rules, Call());
        QCOMPARE(nobody.stuffJson(), QJsonArray()); // `stuff` is always in the answer
        QVERIFY(nobody.segmentsHeld.isEmpty());
    }

    void urlTemplates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("printed"); // macros as <name>

        QTest::newRow("plain") << u"https://a/b"_s << u"https://a/b"_s;
        QTest::newRow("every macro, any case")
            << u"%Alias%%DID%%rnd%%TIMESTAMP%"_s << u"<alias><did><rnd><timestamp>"_s;
        QTest::newRow("escapes and unknown words stay")
            << u"a%20b%ALIAS%c%x%"_s << u"a%20b<alias>c%x%"_s;
        QTest::newRow("a stray percent") << u"100%"_s << u"100%"_s;
        QTest::newRow("percent before a macro") << u"%%did%"_s << u"%<did>"_s;
    }

    void urlTemplates()
    {
        QFETCH(QString, text);
        QFETCH(QString, printed);
        QString out;
        for (const UrlTemplatePart &part : RulesSnapshot::parseUrlTemplate(text)) {
            switch (part.kind) {
            case UrlTemplatePart::Kind::Text: out += part.text; break;
            case UrlTemplatePart::Kind::Alias: out += u"<alias>"_s; break;
            case UrlTemplatePart::Kind::VisitorId: out += u"<did>"_s; break;
            case UrlTemplatePart::Kind::Random: out += u"<rnd>"_s; break;
            case UrlTemplatePart::Kind::Timestamp: out += u"<timestamp>"_s; break;
            }
        }
        QCOMPARE(out, printed);
    }

    void nextChange()
    {
        // A new visitor's first sports call: 5008 (">= 1D") joins in a day, before anything
        // else can change.
        Call call;
        call.signalPairs = {u"c_section=sports"_s};
        const Qualification first = run(*m_rules, call);
        QCOMPARE(first.nextChangeMs, now() + Day);
        QCOMPARE(run(*m_rules, Call()).nextChangeMs, Never);

        // The sweeper at that instant: the join, then the next change is 5005's window end.
        const VisitorProfile afterCall =
            profileOf({stored(101, now())}, {{5001, now()}, {5005, now()}});
        const Qualification swept = Qualifier::reevaluate(*m_rules, afterCall, now() + Day);
        QCOMPARE(swept.joined(), QList<qint64>{5008});
        QCOMPARE(swept.nextChangeMs, now() + 2 * Day + 1);
        QVERIFY(swept.realizations.isEmpty());
    }

    void reevaluateRealizesNothing()
    {
        Definitions d;
        d.folders = {folder(1, "F")};
        d.traits = {trait(1, Trait::Type::Rule, 1, "NOT c_optout == \"1\"")};
        d.segments = {segment(10, "1T")};
        const auto rules = d.build();
        Call call;
        QCOMPARE(run(*rules, call).realizedTraits, QList<qint64>{1}); // an empty call matches
        const Qualification swept = Qualifier::reevaluate(*rules, VisitorProfile(), now());
        QVERIFY(swept.realizations.isEmpty());
        QVERIFY(swept.changes.isEmpty());
    }

    // What batch files (and partners' text answers) bring: key=value items realize the
    // partner's onboarded traits whose rule holds over them, removed traits hide their stored
    // realizations, and a batch input's realizations and changes say where they came from.
    void partnerKeyValuesRemovalsAndBatchInput()
    {
        Definitions d;
        d.folders = {folder(1, "F")};
        d.traits = {trait(1, Trait::Type::Onboarded, 1, "ic == \"auto\"", 30, 1955),
                    trait(2, Trait::Type::Onboarded, 1, "gender == \"f\" AND ic == \"auto\"",
                          30, 1955),
                    trait(3, Trait::Type::Onboarded, 1, "gender == \"f\"", 30, 2000),
                    trait(4, Trait::Type::Rule, 1, "gender == \"f\"")};
        d.segments = {segment(10, "1T"), segment(11, "2T")};
        const auto rules = d.build();
        const qint64 t = now();

        // The partner's codes are `ic` for its key=value items. Another partner's trait and
        // a rule-based trait never see them: they are not a call's signals.
        const PartnerCodes partner{1955, {u"auto"_s}, std::nullopt};
        const PartnerKeyValues keyValues{
            1955, std::make_shared<const RuleSignals>(signalList({u"gender=f"_s}), partner.codes)};
        const VisitorProfile none;
        QualifierInput input;
        input.partnerCodes = {partner};
        input.partnerKeyValues = {keyValues};
        input.profile = &none;
        input.nowMs = t;
        input.batchFile = true;
        const Qualification added = Qualifier::qualify(*rules, input);
        QCOMPARE(added.realizedTraits, (QList<qint64>{1, 2}));
        for (const NewRealization &realization : added.realizations) {
            QCOMPARE(realization.origin, RealizationOrigin::Batch);
            QVERIFY(realization.replacesEarlier); // onboarded: once per visitor
        }
        QCOMPARE(added.realizations.at(1).detailJson(),
                 u"{\"signals\":{\"gender\":[\"f\"],\"ic\":[\"auto\"]}}"_s);
        QCOMPARE(added.changes,
                 (QList<MembershipChange>{
                     {10, MembershipChange::Kind::Join, t, QString(MembershipCause::BatchFile)},
                     {11, MembershipChange::Kind::Join, t,
                      QString(MembershipCause::BatchFile)}}));

        // Removing trait 2 leaves segment 11 because of this input: its cause, at its time.
        const VisitorProfile held = profileOf({stored(1, t - Day, 30), stored(2, t - Day, 30)},
                                              {{10, t - Day}, {11, t - Day}});
        QualifierInput removal;
        removal.profile = &held;
        removal.nowMs = t;
        removal.removedTraits = {2};
        removal.batchFile = true;
        const Qualification removed = Qualifier::qualify(*rules, removal);
        QVERIFY(removed.realizations.isEmpty());
        QCOMPARE(removed.segmentsHeld, QList<qint64>{10});
        QCOMPARE(removed.changes,
                 (QList<MembershipChange>{{11, MembershipChange::Kind::Leave, t,
                                           QString(MembershipCause::BatchFile)}}));
        removal.batchFile = false; // a partner's unsegments on a call
        QCOMPARE(Qualifier::qualify(*rules, removal).changes.value(0).cause,
                 QString(MembershipCause::Call));

        // Removed and realized again by the same input: still held, nothing changes.
        removal.removedTraits = {1};
        removal.partnerCodes = {PartnerCodes{1955, {u"auto"_s}, std::nullopt}};
        const Qualification again = Qualifier::qualify(*rules, removal);
        QCOMPARE(again.realizedTraits, QList<qint64>{1});
        QVERIFY(again.changes.isEmpty());
    }

    void nextSweep_data()
    {
        QTest::addColumn<VisitorProfile>("profile");
        QTest::addColumn<qint64>("expected");

        const qint64 t = now();
        QTest::newRow("up to date") << profileOf({stored(101, t)}, {{5001, t}, {5005, t}})
                                    << t + Day;
        QTest::newRow("a membership out of date")
            << profileOf({stored(101, t - 3 * Day)}, {{5001, t}, {5005, t}}) << t;
        QTest::newRow("a membership of an inactive segment")
            << profileOf({}, {{5006, t - Day}}) << t;
        QTest::newRow("nothing stored") << VisitorProfile() << Never;
    }

    void nextSweep()
    {
        QFETCH(VisitorProfile, profile);
        QFETCH(qint64, expected);
        QCOMPARE(Qualifier::nextSweepMs(*m_rules, profile, now()), expected);
    }
};

QTEST_GUILESS_MAIN(TestQualifier)
#include "tst_qualifier.moc"
