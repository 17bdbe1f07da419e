// The segment editor's visual view as pure logic: groups of traits <-> rule trees.
#include "rules/segmentrulegroups.h"

#include <QTest>

using namespace Dcs;

namespace {

using Join = SegmentGroupJoin;

SegmentGroupItem t(qint64 sid)
{
    return SegmentGroupItem::trait(sid);
}

SegmentGroupItem freq(QList<qint64> sids, Recency recency, int days, FrequencyComparison op,
                      qint64 threshold)
{
    FrequencySpec spec;
    spec.traitSids = sids;
    spec.recency = recency;
    spec.recencyDays = days;
    spec.comparison = op;
    spec.threshold = threshold;
    return SegmentGroupItem::frequency(spec);
}

SegmentGroup group(QList<SegmentGroupItem> items, Join join = Join::Or, bool negated = false)
{
    SegmentGroup g;
    g.items = items;
    g.join = join;
    g.negated = negated;
    return g;
}

SegmentRuleGroups groups(Join join, QList<SegmentGroup> list)
{
    SegmentRuleGroups g;
    g.join = join;
    g.groups = list;
    return g;
}

QString describe(const SegmentRuleGroups &g)
{
    return g.toText() + QStringLiteral(" (%1 groups)").arg(g.groups.size());
}

} // namespace

Q_DECLARE_METATYPE(Dcs::SegmentRuleGroups)

class TestSegmentRuleGroups : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<SegmentRuleGroups>("expected");
        QTest::addColumn<QString>("canonical"); // SegmentRule::toString() of the text

        using FC = FrequencyComparison;
        QTest::newRow("one trait") << QStringLiteral("1234T")
                                   << groups(Join::And, {group({t(1234)})})
                                   << QStringLiteral("1234T");
        QTest::newRow("groups joined by AND")
            << QStringLiteral("1T AND 2T") << groups(Join::And, {group({t(1)}), group({t(2)})})
            << QStringLiteral("1T AND 2T");
        QTest::newRow("groups joined by OR")
            << QStringLiteral("1T or 2T or 3T")
            << groups(Join::Or, {group({t(1)}), group({t(2)}), group({t(3)})})
            << QStringLiteral("1T OR 2T OR 3T");
        QTest::newRow("OR inside, AND between")
            << QStringLiteral("(90001T OR 90005T) AND (91001T OR 92001T)")
            << groups(Join::And, {group({t(90001), t(90005)}), group({t(91001), t(92001)})})
            << QStringLiteral("(90001T OR 90005T) AND (91001T OR 92001T)");
        QTest::newRow("AND inside, OR between")
            << QStringLiteral("(1T AND 2T) OR 3T")
            << groups(Join::Or, {group({t(1), t(2)}, Join::And), group({t(3)})})
            << QStringLiteral("1T AND 2T OR 3T");
        QTest::newRow("AND NOT a group")
            << QStringLiteral("90008T AND NOT 90009T")
            << groups(Join::And, {group({t(90008)}), group({t(90009)}, Join::Or, true)})
            << QStringLiteral("90008T AND NOT 90009T");
        QTest::newRow("AND NOT a group of two")
            << QStringLiteral("1T AND NOT (2T OR 3T)")
            << groups(Join::And, {group({t(1)}), group({t(2), t(3)}, Join::Or, true)})
            << QStringLiteral("1T AND NOT (2T OR 3T)");
        QTest::newRow("OR NOT")
            << QStringLiteral("1T OR NOT (2T AND 3T)")
            << groups(Join::Or, {group({t(1)}), group({t(2), t(3)}, Join::And, true)})
            << QStringLiteral("1T OR NOT (2T AND 3T)");
        QTest::newRow("a negated group alone")
            << QStringLiteral("NOT (1T OR 2T)")
            << groups(Join::And, {group({t(1), t(2)}, Join::Or, true)})
            << QStringLiteral("NOT (1T OR 2T)");
        QTest::newRow("frequency without recency")
            << QStringLiteral("FREQUENCY([5T]) >= 3")
            << groups(Join::And, {group({freq({5}, Recency::None, 0, FC::AtLeast, 3)})})
            << QStringLiteral("FREQUENCY([5T]) >= 3");
        QTest::newRow("frequency within days")
            << QStringLiteral("FREQUENCY([90001T] <= 7D) >= 3")
            << groups(Join::And, {group({freq({90001}, Recency::Within, 7, FC::AtLeast, 3)})})
            << QStringLiteral("FREQUENCY([90001T] <= 7D) >= 3");
        QTest::newRow("frequency older, exactly, with a trait")
            << QStringLiteral("90011T AND NOT FREQUENCY([90011T] >= 7D) == 1")
            << groups(Join::And,
                      {group({t(90011)}),
                       group({freq({90011}, Recency::Older, 7, FC::Exactly, 1)}, Join::Or, true)})
            << QStringLiteral("90011T AND NOT FREQUENCY([90011T] >= 7D) == 1");
        QTest::newRow("frequency at most, in a group")
            << QStringLiteral("1T AND (2T OR FREQUENCY([3T] <= 30D) <= 4)")
            << groups(Join::And,
                      {group({t(1)}),
                       group({t(2), freq({3}, Recency::Within, 30, FC::AtMost, 4)})})
            << QStringLiteral("1T AND (2T OR FREQUENCY([3T] <= 30D) <= 4)");
        QTest::newRow("frequency over several traits")
            << QStringLiteral("FREQUENCY([90001T, 90002T, 90003T] <= 30D) >= 2 AND 90007T")
            << groups(Join::And, {group({freq({90001, 90002, 90003}, Recency::Within, 30,
                                               FC::AtLeast, 2)}),
                                  group({t(90007)})})
            << QStringLiteral("FREQUENCY([90001T, 90002T, 90003T] <= 30D) >= 2 AND 90007T");
        QTest::newRow("redundant parentheses flatten")
            << QStringLiteral("1T AND (2T AND 3T)")
            << groups(Join::And, {group({t(1)}), group({t(2)}), group({t(3)})})
            << QStringLiteral("1T AND 2T AND 3T");
        QTest::newRow("empty") << QString() << SegmentRuleGroups() << QString();
    }

    void roundTrip()
    {
        QFETCH(QString, text);
        QFETCH(SegmentRuleGroups, expected);
        QFETCH(QString, canonical);

        QString whyNot = QStringLiteral("unset");
        const std::optional<SegmentRuleGroups> fromText = SegmentRuleGroups::fromText(text,
                                                                                     &whyNot);
        QVERIFY2(fromText, qPrintable(whyNot));
        QVERIFY(whyNot.isEmpty());
        QCOMPARE(describe(*fromText), describe(expected));
        QVERIFY(*fromText == expected);
        // Groups -> rule: the tree the text parses to, printed canonically.
        QCOMPARE(expected.toText(), canonical);
        if (!text.isEmpty())
            QVERIFY(expected.toRule() == *SegmentRule::parse(text));
        // Rule -> groups -> rule -> groups: stable.
        const std::optional<SegmentRuleGroups> again = SegmentRuleGroups::fromRule(
            expected.toRule());
        QVERIFY(again);
        QVERIFY(*again == expected);
        QVERIFY(expected.normalized() == expected);
    }

    // What the builder can make that is not canonical gives the rule of its canonical form.
    void builderGroupsNormalize_data()
    {
        QTest::addColumn<SegmentRuleGroups>("built");
        QTest::addColumn<SegmentRuleGroups>("canonical");
        QTest::addColumn<QString>("text");

        QTest::newRow("AND inside AND")
            << groups(Join::And, {group({t(1), t(2)}, Join::And), group({t(3)})})
            << groups(Join::And, {group({t(1)}), group({t(2)}), group({t(3)})})
            << QStringLiteral("1T AND 2T AND 3T");
        QTest::newRow("one group of two: its join is the rule's")
            << groups(Join::And, {group({t(1), t(2)}, Join::Or)})
            << groups(Join::Or, {group({t(1)}), group({t(2)})}) << QStringLiteral("1T OR 2T");
        QTest::newRow("empty groups are dropped")
            << groups(Join::Or, {group({}), group({t(7)}, Join::And), group({})})
            << groups(Join::And, {group({t(7)})}) << QStringLiteral("7T");
        QTest::newRow("no traits at all")
            << groups(Join::Or, {group({}, Join::And, true)}) << SegmentRuleGroups()
            << QString();
    }

    void builderGroupsNormalize()
    {
        QFETCH(SegmentRuleGroups, built);
        QFETCH(SegmentRuleGroups, canonical);
        QFETCH(QString, text);
        QCOMPARE(built.toText(), text);
        QCOMPARE(describe(built.normalized()), describe(canonical));
        QVERIFY(built.normalized() == canonical);
    }

    void inexpressible_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("reason");

        QTest::newRow("NOT inside a group")
            << QStringLiteral("1T AND (2T OR NOT 3T)")
            << QStringLiteral("\"NOT 3T\" is a NOT inside a group; the visual view negates "
                              "whole groups only");
        QTest::newRow("NOT NOT")
            << QStringLiteral("1T AND NOT NOT 2T")
            << QStringLiteral("\"NOT NOT 2T\" negates a NOT; the visual view negates a group "
                              "once");
        QTest::newRow("three levels")
            << QStringLiteral("1T AND (2T OR (3T AND 4T))")
            << QStringLiteral("\"3T AND 4T\" nests parentheses three levels deep; the visual "
                              "view has groups of traits, not groups of groups");
        QTest::newRow("three levels under NOT")
            << QStringLiteral("NOT (1T AND (2T OR 3T))")
            << QStringLiteral("\"2T OR 3T\" nests parentheses three levels deep; the visual "
                              "view has groups of traits, not groups of groups");
        QTest::newRow("syntax error")
            << QStringLiteral("1T AND")
            << QStringLiteral("line 1, column 7: expected a trait (like 1234T), FREQUENCY, "
                              "NOT or \"(\" after \"AND\"");
    }

    void inexpressible()
    {
        QFETCH(QString, text);
        QFETCH(QString, reason);
        QString whyNot;
        QVERIFY(!SegmentRuleGroups::fromText(text, &whyNot));
        QCOMPARE(whyNot, reason);
    }
};

QTEST_GUILESS_MAIN(TestSegmentRuleGroups)
#include "tst_segmentrulegroups.moc"
