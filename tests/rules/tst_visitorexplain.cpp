#include "qualificationfixture.h"

#include "rules/visitorexplain.h"
#include "storage/realizationstore.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <tuple>

using namespace Dcs;
using namespace Fixture;
using namespace Qt::StringLiterals;

namespace {

const QString Visitor = u"20000000000000000000000000000000000001"_s;
const QString Unknown = u"20000000000000000000000000000000000099"_s;

// Folder 2 (Sports) holds trait 1, so folder trait 3 stands for it.
Definitions definitions()
{
    Definitions d;
    d.folders = {folder(1, "Root"), folder(2, "Sports", 1)};
    d.traits = {
        trait(1, Trait::Type::Rule, 2,
              "c_section == \"sports\" AND (price > 10 OR c_kind == \"x\")"),
        trait(2, Trait::Type::Onboarded, 1, "ic == \"auto\"", 30, 1955),
        trait(3, Trait::Type::Folder, 2, ""),
        trait(4, Trait::Type::Rule, 1, "c_x == \"y\"", 1),
    };
    d.segments = {
        segment(10, "FREQUENCY([1T] <= 5D) >= 2"),
        segment(11, "2T AND 3T"),
        segment(12, "FREQUENCY([1T] >= 3D) >= 2"),
        segment(13, "4T"),
        segment(14, "2T OR 1T"),
    };
    return d;
}

} // namespace

class TestVisitorExplain final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Storage> m_storage;
    std::shared_ptr<const RulesSnapshot> m_rules;

    // One /event call as the listener makes it: read the profile, qualify, store, in one job.
    void call(qint64 atMs, const QStringList &pairs, const QStringList &autoCodes = {})
    {
        const WriteResult result = m_storage->writer().runAndWait(
            [&](WriteContext &context, QString *error) {
                VisitorProfile profile;
                if (!RealizationStore::readProfile(context, Visitor, atMs, &profile, error))
                    return false;
                const RuleSignals signalSet(signalList(pairs), autoCodes);
                QualifierInput input;
                input.callSignals = &signalSet;
                if (!autoCodes.isEmpty())
                    input.partnerCodes = {PartnerCodes{1955, autoCodes, std::nullopt}};
                input.profile = &profile;
                input.nowMs = atMs;
                input.tid = u"tid-%1"_s.arg(atMs);
                input.uuid = Visitor;
                const Qualification qualification = Qualifier::qualify(*m_rules, input);
                return RealizationStore::writeQualification(context, Visitor, qualification,
                                                            error);
            });
        QVERIFY2(result.ok, qPrintable(result.error));
    }

    VisitorExplanation explainAt(qint64 atMs, const QString &uuid = Visitor)
    {
        QString error;
        const VisitorExplanation explanation =
            explainVisitor(m_storage->reader(), *m_rules, uuid, atMs, &error);
        if (!error.isEmpty())
            qWarning("%s", qPrintable(error));
        return explanation;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        m_storage = Storage::open(m_dir.filePath(u"explain.sqlite"_s), &error);
        QVERIFY2(m_storage, qPrintable(error));
        const WriteResult stored = storeDefinitions(*m_storage, definitions());
        QVERIFY2(stored.ok, qPrintable(stored.error));
        m_rules = definitions().build();
        QCOMPARE(m_rules->segments().size(), 5);

        call(now() - 4 * Day, {u"c_section=sports"_s, u"price=12"_s, u"p_secret=s"_s});
        // Trait 4 (TTL 1) on 2024-03-17 expires 2024-03-19T00:00Z: the last call leaves 13.
        call(now() - 3 * Day, {u"c_x=y"_s});
        call(now() - 2 * Day, {}, {u"auto"_s});
        call(now() - Day, {u"c_section=sports"_s, u"price=5"_s, u"c_kind=x"_s});
    }

    void heldTraits()
    {
        const VisitorExplanation explanation = explainAt(now());
        QVERIFY(explanation.known);
        QList<qint64> sids;
        for (const ExplainedTrait &trait : explanation.traits)
            sids.append(trait.sid);
        // Trait 4 expired: not held, although its row is stored.
        QCOMPARE(sids, (QList<qint64>{1, 2, 3}));

        const ExplainedTrait *rule = explanation.trait(1);
        QCOMPARE(rule->name, u"Trait 1"_s);
        QCOMPARE(rule->type, Trait::Type::Rule);
        QCOMPARE(rule->realizations.size(), 2);
        QCOMPARE(rule->realizations.at(0).timeMs, now() - 4 * Day);
        QCOMPARE(rule->realizations.at(0).expiresMs, realizationExpiryMs(now() - 4 * Day, 120));
        QCOMPARE(rule->realizations.at(0).source, u"call"_s);
        QCOMPARE(rule->realizations.at(0).tid, u"tid-%1"_s.arg(now() - 4 * Day));

        const ExplainedTrait *onboarded = explanation.trait(2);
        QCOMPARE(onboarded->type, Trait::Type::Onboarded);
        QCOMPARE(onboarded->realizations.size(), 1);
        const ExplainedRealization &partner = onboarded->realizations.first();
        QCOMPARE(partner.source, u"partner"_s);
        QCOMPARE(partner.trigger.kind, RealizationTrigger::Kind::PartnerCode);
        QCOMPARE(partner.trigger.partnerDpid, 1955);
        QCOMPARE(partner.trigger.code, u"auto"_s);
        QCOMPARE(partner.expiresMs, realizationExpiryMs(now() - 2 * Day, 30));
        QVERIFY(!partner.rule);

        // The folder trait shows its member's realizations, each naming the member.
        const ExplainedTrait *folderTrait = explanation.trait(3);
        QCOMPARE(folderTrait->type, Trait::Type::Folder);
        QCOMPARE(folderTrait->realizations.size(), 2);
        QCOMPARE(folderTrait->realizations.at(1).traitSid, 1);
        QCOMPARE(folderTrait->realizations.at(1).timeMs, now() - Day);
    }

    void ruleDetail()
    {
        const VisitorExplanation explanation = explainAt(now());
        const ExplainedTrait *rule = explanation.trait(1);
        QVERIFY(rule);
        const ExplainedRealization &first = rule->realizations.at(0);
        QCOMPARE(first.trigger.kind, RealizationTrigger::Kind::Signals);
        // Only the keys the rule reads, never a p_ key.
        QCOMPARE(first.trigger.signalValues,
                 (QList<Signal>{{u"c_section"_s, {u"sports"_s}}, {u"price"_s, {u"12"_s}}}));
        QCOMPARE(first.trigger.describe(), u"c_section=sports, price=12"_s);
        QVERIFY(first.rule);
        QVERIFY(first.rule->holds());
        // Pre-order: AND, c_section ==, OR, price >, c_kind ==.
        QCOMPARE(first.rule->nodes.size(), 5);
        QCOMPARE(first.rule->results.at(1).matchingValues, QStringList{u"sports"_s});
        QVERIFY(first.rule->results.at(3).holds);
        QVERIFY(!first.rule->results.at(4).keyPresent);

        // The second call qualified through c_kind, not price.
        const ExplainedRealization &second = rule->realizations.at(1);
        QVERIFY(second.rule->holds());
        QVERIFY(!second.rule->results.at(3).holds);
        QVERIFY(second.rule->results.at(3).keyPresent);
        QCOMPARE(second.rule->results.at(4).matchingValues, QStringList{u"x"_s});
    }

    void segmentChanges_data()
    {
        QTest::addColumn<qint64>("segment");
        QTest::addColumn<bool>("holds");
        QTest::addColumn<bool>("member");
        QTest::addColumn<qint64>("changeAt");

        // The older call leaves the 5-day window one millisecond after it is 5 days old.
        QTest::newRow("frequency within, leaves") << qint64(10) << true << true
                                                  << now() + Day + 1;
        // The partner realization (TTL 30) expires first.
        QTest::newRow("onboarded and folder, leaves")
            << qint64(11) << true << true << realizationExpiryMs(now() - 2 * Day, 30);
        // The newer call becomes 3 days old at now + 2 days: the visitor joins then.
        QTest::newRow("frequency older, joins") << qint64(12) << false << false
                                                << now() + 2 * Day;
        QTest::newRow("expired trait, never") << qint64(13) << false << false << Never;
        // Not when 2T expires (the first instant anything could change) but when 1T does.
        QTest::newRow("either trait, leaves at the later expiry")
            << qint64(14) << true << true << realizationExpiryMs(now() - Day, 120);
    }

    void segmentChanges()
    {
        QFETCH(qint64, segment);
        QFETCH(bool, holds);
        QFETCH(bool, member);
        QFETCH(qint64, changeAt);

        const VisitorExplanation explanation = explainAt(now());
        const ExplainedSegment *explained = explanation.segment(segment);
        QVERIFY(explained);
        QVERIFY(explained->inRules);
        QCOMPARE(explained->name, u"Segment %1"_s.arg(segment));
        QCOMPARE(explained->holds, holds);
        QCOMPARE(explained->memberSinceMs.has_value(), member);
        QVERIFY(!explained->membershipOutOfDate());
        QCOMPARE(explained->change.atMs, changeAt);
        QVERIFY(explained->change.exact);
        if (changeAt == Never)
            return;
        // Exact: the result is unchanged a millisecond before and flipped at the instant.
        QCOMPARE(explainAt(changeAt - 1).segment(segment)->holds, holds);
        QCOMPARE(explainAt(changeAt).segment(segment)->holds, !holds);
    }

    void segmentParts()
    {
        const VisitorExplanation explanation = explainAt(now());
        const ExplainedSegment *both = explanation.segment(11);
        QCOMPARE(both->rule.kind, SegmentNodeKind::And);
        QCOMPARE(both->rule.children.size(), 2);
        QCOMPARE(both->rule.children.at(1).text, u"3T"_s);
        QCOMPARE(both->rule.children.at(1).count, 2); // the folder counts its member's two
        const ExplainedSegment *within = explanation.segment(10);
        QCOMPARE(within->rule.count, 2);
        QCOMPARE(within->rule.windowFromMs, now() - 5 * Day);
        QCOMPARE(*within->memberSinceMs, now() - Day);
    }

    void recentChanges()
    {
        const VisitorExplanation explanation = explainAt(now());
        using Kind = MembershipChange::Kind;
        QList<std::tuple<qint64, Kind, qint64, QString>> changes;
        for (const ExplainedMembershipChange &change : explanation.recentChanges)
            changes.append({change.segmentSid, change.kind, change.atMs, change.cause});
        // Newest first; the leave is dated when the realization expired, not at the call.
        const QList<std::tuple<qint64, Kind, qint64, QString>> expected{
            {10, Kind::Join, now() - Day, u"call"_s},
            {13, Kind::Leave, utcMs(2024, 3, 19), u"expired"_s},
            {11, Kind::Join, now() - 2 * Day, u"call"_s},
            {13, Kind::Join, now() - 3 * Day, u"call"_s},
            {14, Kind::Join, now() - 4 * Day, u"call"_s},
        };
        QCOMPARE(changes, expected);
        QCOMPARE(explanation.recentChanges.first().segmentName, u"Segment 10"_s);

        // Changes after the explained instant are not shown.
        QCOMPARE(explainAt(now() - 2 * Day).recentChanges.size(), 3);
        // A limit keeps the newest.
        QString error;
        const VisitorExplanation limited =
            explainVisitor(m_storage->reader(), *m_rules, Visitor, now(), &error, 1);
        QCOMPARE(limited.recentChanges.size(), 1);
        QCOMPARE(limited.recentChanges.first().segmentSid, 10);
    }

    void outOfDateMembership()
    {
        // Time alone brings the visitor into 12, but nothing stored says so until a sweep.
        const VisitorExplanation explanation = explainAt(now() + 3 * Day);
        const ExplainedSegment *joined = explanation.segment(12); // points into `explanation`
        QVERIFY(joined->holds);
        QVERIFY(!joined->memberSinceMs);
        QVERIFY(joined->membershipOutOfDate());
    }

    void json()
    {
        const QJsonObject json = explainAt(now()).toJson();
        QCOMPARE(json.value(u"uuid"_s).toString(), Visitor);
        QCOMPARE(json.value(u"now"_s).toString(), u"2024-03-20T12:00:00.000Z"_s);
        const QJsonArray traits = json.value(u"traits"_s).toArray();
        QCOMPARE(traits.size(), 3);
        const QJsonObject first = traits.at(0).toObject().value(u"realizations"_s)
                                      .toArray().at(0).toObject();
        QCOMPARE(first.value(u"realizedBy"_s).toObject().value(u"signals"_s).toObject()
                     .value(u"c_section"_s).toArray(),
                 QJsonArray{u"sports"_s});
        QCOMPARE(first.value(u"rule"_s).toObject().value(u"holds"_s).toBool(), true);
        const QJsonObject partner = traits.at(1).toObject().value(u"realizations"_s)
                                        .toArray().at(0).toObject();
        QCOMPARE(partner.value(u"realizedBy"_s).toObject().value(u"dpid"_s).toInteger(), 1955);

        const QJsonArray segments = json.value(u"segments"_s).toArray();
        QCOMPARE(segments.size(), 5);
        QCOMPARE(segments.at(0).toObject().value(u"willLeave"_s).toString(),
                 u"2024-03-21T12:00:00.001Z"_s);
        QCOMPARE(segments.at(2).toObject().value(u"willJoin"_s).toString(),
                 u"2024-03-22T12:00:00.000Z"_s);
        QCOMPARE(segments.at(3).toObject().value(u"willJoin"_s).toString(), u"never"_s);

        const QString text = explainAt(now()).toText();
        QVERIFY2(text.contains(u"will leave at 2024-03-21T12:00:00.001Z"_s), qPrintable(text));
        QVERIFY2(text.contains(u"partner 1955 code auto"_s), qPrintable(text));
        QVERIFY2(text.contains(u"c_kind == \"x\": fails (key absent)"_s), qPrintable(text));
    }

    void unknownVisitor()
    {
        QString error;
        const VisitorExplanation explanation =
            explainVisitor(m_storage->reader(), *m_rules, Unknown, now(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!explanation.known);
        QCOMPARE(explanation.uuid, Unknown);
        QVERIFY(explanation.traits.isEmpty());
        QVERIFY(explanation.segments.isEmpty());
        QVERIFY(explanation.recentChanges.isEmpty());
        QCOMPARE(explanation.toJson().value(u"known"_s).toBool(true), false);
    }

    void detailParsing_data()
    {
        QTest::addColumn<QString>("detail");
        QTest::addColumn<QString>("described");

        QTest::newRow("signals") << u"{\"signals\":{\"k\":[\"a\",\"b\"]}}"_s << u"k=a|b"_s;
        QTest::newRow("d_sid") << u"{\"d_sid\":\"1234\"}"_s << u"d_sid=1234"_s;
        QTest::newRow("partner") << u"{\"dpid\":7,\"code\":\"c\"}"_s << u"partner 7 code c"_s;
        QTest::newRow("empty") << u"{}"_s << u"not recorded"_s;
        QTest::newRow("broken") << u"{"_s << u"not recorded"_s;
    }

    void detailParsing()
    {
        QFETCH(QString, detail);
        QFETCH(QString, described);
        QCOMPARE(RealizationTrigger::fromDetailJson(detail).describe(), described);
    }
};

QTEST_GUILESS_MAIN(TestVisitorExplain)
#include "tst_visitorexplain.moc"
