#include "qualificationfixture.h"

#include "rules/qualifier.h"
#include "rules/rulesnapshot.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace Dcs;
using namespace Fixture;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Fixture::Definitions)

namespace {

QList<qint64> ruleTraitSids(const RulesSnapshot &rules)
{
    QList<qint64> sids;
    for (const RulesSnapshot::RuleTrait &trait : rules.ruleTraits())
        sids.append(trait.sid);
    return sids;
}

QList<qint64> segmentSids(const RulesSnapshot &rules)
{
    QList<qint64> sids;
    for (const RulesSnapshot::SnapshotSegment &segment : rules.segments())
        sids.append(segment.sid);
    return sids;
}

QList<qint64> listOf(std::span<const qint64> sids)
{
    return QList<qint64>(sids.begin(), sids.end());
}

// "trait 1 out: <fragment of the message>" or "trait 2 kept: ..."
QString describe(const RuleDiagnosticWithItem &problem)
{
    return QStringLiteral("%1 %2 %3")
        .arg(problem.kind == RuleDiagnosticWithItem::Kind::Trait ? u"trait"_s : u"segment"_s)
        .arg(problem.sid)
        .arg(problem.leftOut ? u"out"_s : u"kept"_s);
}

// A snapshot whose every part says which generation built it: `n` rule traits 1..n and `n`
// segments 1001..1000+n, segment 1000+i naming trait i.
std::shared_ptr<const RulesSnapshot> generationSnapshot(int n)
{
    Definitions d;
    d.folders = {folder(1, "F")};
    for (int i = 1; i <= n; ++i) {
        d.traits.append(trait(i, Trait::Type::Rule, 1,
                              qPrintable(QStringLiteral("c_gen == \"%1\"").arg(n))));
        d.segments.append(segment(1000 + i, qPrintable(QStringLiteral("%1T").arg(i))));
    }
    return d.build();
}

} // namespace

class TestRulesSnapshot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void build_data()
    {
        QTest::addColumn<Definitions>("definitions");
        QTest::addColumn<QStringList>("problems");  // describe() of each, in order
        QTest::addColumn<QStringList>("fragments"); // a part of each message, in order
        QTest::addColumn<QList<qint64>>("ruleTraits");
        QTest::addColumn<QList<qint64>>("segments");

        const QList<Folder> folders = {folder(1, "F")};
        Definitions clean;
        clean.folders = folders;
        clean.traits = {trait(1, Trait::Type::Rule, 1, "c_a == \"x\""),
                        trait(2, Trait::Type::Onboarded, 1, "ic == \"a\"", 30, 1955)};
        clean.segments = {segment(10, "1T AND 2T")};
        QTest::newRow("everything compiles") << clean << QStringList() << QStringList()
                                             << QList<qint64>{1} << QList<qint64>{10};

        Definitions brokenTrait;
        brokenTrait.folders = folders;
        brokenTrait.traits = {trait(1, Trait::Type::Rule, 1, "c_a =="),
                              trait(3, Trait::Type::Rule, 1, "c_b == \"x\"")};
        brokenTrait.segments = {segment(10, "FREQUENCY([3T, 1T]) >= 2"), segment(11, "3T")};
        QTest::newRow("a broken trait takes its segments along")
            << brokenTrait << QStringList{u"trait 1 out"_s, u"segment 10 out"_s}
            << QStringList{u"line 1, column"_s, u"names trait 1T, whose rule does not compile"_s}
            << QList<qint64>{3} << QList<qint64>{11};

        Definitions brokenSegment = clean;
        brokenSegment.segments = {segment(10, "1T AND"), segment(11, "99T"),
                                  segment(12, "NOT 1T")};
        QTest::newRow("broken segments")
            << brokenSegment
            << QStringList{u"segment 10 out"_s, u"segment 11 out"_s, u"segment 12 out"_s}
            << QStringList{u"line 1"_s, u"trait 99T does not exist"_s, u"every visitor"_s}
            << QList<qint64>{1} << QList<qint64>();

        Definitions inactive = clean;
        inactive.segments = {segment(10, "((", {}, false), segment(11, "1T")};
        QTest::newRow("inactive segments are not compiled")
            << inactive << QStringList() << QStringList() << QList<qint64>{1}
            << QList<qint64>{11};

        Definitions looseOnboarded;
        looseOnboarded.folders = folders;
        looseOnboarded.traits = {
            trait(2, Trait::Type::Onboarded, 1, "ic == \"a\" OR ic == \"b\"", 30, 1955),
            trait(4, Trait::Type::Onboarded, 1, "ic ==", 30, 1955)};
        looseOnboarded.segments = {segment(10, "2T"), segment(11, "4T")};
        QTest::newRow("onboarded rules other than ic == CODE")
            << looseOnboarded
            << QStringList{u"trait 2 kept"_s, u"trait 4 out"_s, u"segment 11 out"_s}
            << QStringList{u"not of the form ic == \"CODE\""_s, u"line 1"_s, u"4T"_s}
            << QList<qint64>() << QList<qint64>{10};

        Definitions unsorted;
        unsorted.folders = folders;
        unsorted.traits = {trait(5, Trait::Type::Rule, 1, "("),
                           trait(3, Trait::Type::Rule, 1, "c_a"),
                           trait(4, Trait::Type::Rule, 1, "c_a == 1")};
        unsorted.segments = {segment(20, "4T OR"), segment(10, "FREQUENCY(4T)")};
        QTest::newRow("problems by kind, then sid")
            << unsorted
            << QStringList{u"trait 3 out"_s, u"trait 5 out"_s, u"segment 10 out"_s,
                           u"segment 20 out"_s}
            << QStringList{u"trait 3:"_s, u"trait 5:"_s, u"segment 10:"_s, u"segment 20:"_s}
            << QList<qint64>{4} << QList<qint64>();
    }

    void build()
    {
        QFETCH(Definitions, definitions);
        QFETCH(QStringList, problems);
        QFETCH(QStringList, fragments);
        QFETCH(QList<qint64>, ruleTraits);
        QFETCH(QList<qint64>, segments);

        QList<RuleDiagnosticWithItem> found;
        const auto rules = definitions.build(&found);
        QStringList described;
        for (const RuleDiagnosticWithItem &problem : std::as_const(found))
            described.append(describe(problem));
        QCOMPARE(described, problems);
        for (qsizetype i = 0; i < fragments.size(); ++i) {
            QVERIFY2(found.at(i).message().contains(fragments.at(i)),
                     qPrintable(found.at(i).message()));
        }
        QCOMPARE(ruleTraitSids(*rules), ruleTraits);
        QCOMPARE(segmentSids(*rules), segments);
        for (const RuleDiagnosticWithItem &problem : std::as_const(found)) {
            if (problem.kind == RuleDiagnosticWithItem::Kind::Trait)
                QCOMPARE(rules->trait(problem.sid) != nullptr, !problem.leftOut);
            else
                QVERIFY(rules->isRefusedSegment(problem.sid));
        }
        for (const qint64 sid : segments)
            QVERIFY(!rules->isRefusedSegment(sid));
    }

    void folderTraits()
    {
        // 1 > 2 > 3 > 4 > 5, and 6 beside 2. Rule traits 11..15 one per level, 17 in 6,
        // onboarded 16 in 5; folder traits 21 (in 1), 23 (in 3), 25 (in 5), 26 (in 6).
        Definitions d;
        d.folders = {folder(1, "L1"),    folder(2, "L2", 1), folder(3, "L3", 2),
                     folder(4, "L4", 3), folder(5, "L5", 4), folder(6, "Side", 1)};
        for (int level = 1; level <= 5; ++level)
            d.traits.append(trait(10 + level, Trait::Type::Rule, level, "c_a == 1"));
        d.traits.append(trait(16, Trait::Type::Onboarded, 5, "ic == \"x\"", 30, 9));
        d.traits.append(trait(17, Trait::Type::Rule, 6, "c_b == 1"));
        for (const int at : {1, 3, 5, 6})
            d.traits.append(trait(20 + at, Trait::Type::Folder, at, ""));
        d.segments = {segment(100, "FREQUENCY([21T]) >= 4"), segment(101, "23T"),
                      segment(102, "FREQUENCY([25T] <= 3D) >= 3")};
        QList<RuleDiagnosticWithItem> problems;
        const auto rules = d.build(&problems);
        QVERIFY(problems.isEmpty());

        QCOMPARE(listOf(rules->folderMembers(21)), (QList<qint64>{11, 12, 13, 14, 15, 16, 17}));
        QCOMPARE(listOf(rules->folderMembers(23)), (QList<qint64>{13, 14, 15, 16}));
        QCOMPARE(listOf(rules->folderMembers(25)), (QList<qint64>{15, 16}));
        QCOMPARE(listOf(rules->folderMembers(26)), QList<qint64>{17});
        QVERIFY(rules->folderMembers(11).empty());
        // Only folder traits a segment names are fed: 26 is named by none.
        QCOMPARE(listOf(rules->foldersContaining(15)), (QList<qint64>{21, 23, 25}));
        QCOMPARE(listOf(rules->foldersContaining(17)), QList<qint64>{21});

        const qint64 t = now();
        const QList<StoredRealization> stored = {Fixture::stored(11, t - Day),
                                                 Fixture::stored(15, t - 2 * Day),
                                                 Fixture::stored(15, t - Day),
                                                 Fixture::stored(16, t - Day, 30)};
        const VisitorRealizations source(*rules, stored);
        QCOMPARE(source.realizations(21).size(), size_t(4)); // the sum of its members'
        QCOMPARE(source.realizations(23).size(), size_t(3));
        QCOMPARE(source.realizations(25).size(), size_t(3));
        QCOMPARE(source.realizations(15).size(), size_t(2)); // members keep their own
        QCOMPARE(source.realizations(26).size(), size_t(0));

        const Qualification result = Qualifier::reevaluate(*rules, VisitorProfile{stored, {}}, t);
        QCOMPARE(result.segmentsHeld, (QList<qint64>{100, 101, 102}));
    }

    void onboardedLookup_data()
    {
        QTest::addColumn<qint64>("dpid");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QList<qint64>>("sids");

        QTest::newRow("as written") << qint64(1955) << u"Auto"_s << QList<qint64>{1, 3};
        QTest::newRow("ASCII case ignored") << qint64(1955) << u"aUTO"_s << QList<qint64>{1, 3};
        QTest::newRow("another partner") << qint64(2000) << u"auto"_s << QList<qint64>{2};
        QTest::newRow("a number by value") << qint64(1955) << u"42.00"_s << QList<qint64>{4};
        QTest::newRow("a number by value, signed") << qint64(1955) << u"+042"_s
                                                   << QList<qint64>{4};
        QTest::newRow("not a prefix") << qint64(1955) << u"aut"_s << QList<qint64>();
        QTest::newRow("unknown partner") << qint64(7) << u"auto"_s << QList<qint64>();
    }

    void onboardedLookup()
    {
        QFETCH(qint64, dpid);
        QFETCH(QString, code);
        QFETCH(QList<qint64>, sids);

        Definitions d;
        d.folders = {folder(1, "F")};
        d.traits = {trait(1, Trait::Type::Onboarded, 1, "ic == \"Auto\"", 30, 1955),
                    trait(2, Trait::Type::Onboarded, 1, "ic == 'auto'", 30, 2000),
                    trait(3, Trait::Type::Onboarded, 1, "\"ic\" == \"AUTO\"", 30, 1955),
                    trait(4, Trait::Type::Onboarded, 1, "ic == 42", 30, 1955),
                    trait(5, Trait::Type::Rule, 1, "ic == \"auto\"")};
        const auto rules = d.build();
        QCOMPARE(listOf(rules->onboardedTraits(dpid, code)), sids);
        for (const qint64 sid : sids) {
            QVERIFY(rules->trait(sid));
            QCOMPARE(rules->trait(sid)->type, Trait::Type::Onboarded);
            QCOMPARE(rules->trait(sid)->dataSource, dpid);
            QCOMPARE(rules->trait(sid)->ttlDays, 30);
        }
    }

    void canonicalCode_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("canonical");

        QTest::newRow("text") << u"AbC-1"_s << u"abc-1"_s;
        QTest::newRow("leading zeros") << u"007"_s << u"7"_s;
        QTest::newRow("zeros") << u"000"_s << u"0"_s;
        QTest::newRow("negative zero") << u"-0.00"_s << u"0"_s;
        QTest::newRow("fraction") << u"+1.50"_s << u"1.5"_s;
        QTest::newRow("negative") << u"-12"_s << u"-12"_s;
        QTest::newRow("no exponent") << u"1E3"_s << u"1e3"_s;
        QTest::newRow("a trailing point is text") << u"1."_s << u"1."_s;
        QTest::newRow("a leading point is text") << u".5"_s << u".5"_s;
        QTest::newRow("non-ASCII case kept") << u"\u00C9T\u00C9"_s << u"\u00C9t\u00C9"_s;
    }

    void canonicalCode()
    {
        QFETCH(QString, code);
        QFETCH(QString, canonical);
        QCOMPARE(RulesSnapshot::canonicalCode(code), canonical);
    }

    void engineSwapsAtomicallyUnderReaders()
    {
        RulesEngine engine;
        QCOMPARE(engine.snapshot()->traitCount(), 0);
        const std::shared_ptr<const RulesSnapshot> first = generationSnapshot(1);
        engine.setSnapshot(first);
        QCOMPARE(engine.snapshot(), first); // applies from the next read

        constexpr int Swaps = 400;
        std::vector<std::shared_ptr<const RulesSnapshot>> built;
        for (int i = 0; i < Swaps; ++i)
            built.push_back(generationSnapshot(1 + i % 20));

        std::atomic<bool> stop{false};
        std::atomic<int> torn{0};
        std::atomic<int> reads{0};
        const auto reader = [&]() {
            quint64 lastGeneration = 0;
            while (!stop.load()) {
                const quint64 generation = engine.generation();
                const std::shared_ptr<const RulesSnapshot> rules = engine.snapshot();
                // Every part of one snapshot comes from the same build.
                const qsizetype n = rules->ruleTraits().size();
                bool consistent = n > 0 && rules->segments().size() == n
                                  && rules->traitCount() == n && generation >= lastGeneration;
                for (const RulesSnapshot::SnapshotSegment &segment : rules->segments())
                    consistent = consistent && rules->trait(segment.sid - 1000) != nullptr;
                const RuleSignals signalSet(
                    {Signal{u"c_gen"_s, {QString::number(n)}}});
                consistent = consistent && rules->ruleTraits().first().rule->matches(signalSet);
                if (!consistent)
                    ++torn;
                lastGeneration = generation;
                ++reads;
            }
        };
        std::thread readerA(reader);
        std::thread readerB(reader);
        for (const auto &snapshot : built) {
            engine.setSnapshot(snapshot);
            std::this_thread::yield();
        }
        QTRY_VERIFY(reads.load() > 1000);
        stop = true;
        readerA.join();
        readerB.join();
        QCOMPARE(torn.load(), 0);
        QCOMPARE(engine.snapshot(), built.back());
        QCOMPARE(engine.generation(), quint64(Swaps + 1));
        // A snapshot taken before the swaps is still whole: in-flight calls finish on it.
        QCOMPARE(first->ruleTraits().size(), 1);
        QCOMPARE(first->segments().first().sid, 1001);
    }

    void reloadReadsStorage()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        const std::unique_ptr<Storage> storage =
            Storage::open(dir.filePath(u"rules.sqlite"_s), &error);
        QVERIFY2(storage, qPrintable(error));

        Definitions d;
        d.folders = {folder(1, "F"), folder(2, "G", 1)};
        d.traits = {trait(1, Trait::Type::Rule, 2, "c_a == \"x\""),
                    trait(2, Trait::Type::Onboarded, 2, "ic == \"z\"", 30, 1955),
                    trait(3, Trait::Type::Folder, 1, "")};
        d.segments = {segment(10, "1T", {cookie("k", "v")}), segment(11, "3T", {}, false)};
        const WriteResult stored = storeDefinitions(*storage, d);
        QVERIFY2(stored.ok, qPrintable(stored.error));

        RulesEngine engine;
        QList<RuleDiagnosticWithItem> problems;
        QVERIFY2(engine.reload(*storage, &problems, &error), qPrintable(error));
        QVERIFY(problems.isEmpty());
        std::shared_ptr<const RulesSnapshot> rules = engine.snapshot();
        QCOMPARE(ruleTraitSids(*rules), QList<qint64>{1});
        QCOMPARE(segmentSids(*rules), QList<qint64>{10});
        QCOMPARE(listOf(rules->onboardedTraits(1955, u"Z")), QList<qint64>{2});
        QCOMPARE(listOf(rules->folderMembers(3)), (QList<qint64>{1, 2}));
        QCOMPARE(rules->segment(10)->destinations.first().cookieValue, u"v"_s);

        // An edit applies from the next snapshot taken; the old one stays as it was.
        Trait edited = d.traits.first();
        edited.rule = u"c_a == \"y\""_s;
        QVERIFY(TraitRepository(*storage).save(edited).ok);
        Segment activated = d.segments.last();
        activated.active = true;
        QVERIFY(SegmentRepository(*storage).save(activated).ok);
        QVERIFY(engine.reload(*storage, &problems, &error));
        const RuleSignals y({Signal{u"c_a"_s, {u"y"_s}}});
        QVERIFY(engine.snapshot()->ruleTraits().first().rule->matches(y));
        QVERIFY(!rules->ruleTraits().first().rule->matches(y));
        QCOMPARE(segmentSids(*engine.snapshot()), (QList<qint64>{10, 11}));
    }
};

QTEST_GUILESS_MAIN(TestRulesSnapshot)
#include "tst_rulesnapshot.moc"
