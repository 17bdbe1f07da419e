// The trait editor's visual view (issue 7): rule text <-> groups of OR-ed conditions joined by
// AND / OR / AND NOT. Every construct the view can show survives the round trip; anything else
// is refused with a reason, never reshaped.
#include "rules/traitrulegroups.h"

#include <QTest>

using namespace Dcs;
using namespace Qt::StringLiterals;
namespace Conversion = TraitRuleGroupsConversion;

namespace {

// `[k == "v", k2 > "3"] AND NOT [x contains "y"]`: groups as the test tables write them.
QString describe(const TraitRuleGroups &groups)
{
    QString out;
    for (qsizetype g = 0; g < groups.size(); ++g) {
        if (g > 0)
            out += u' ' + Conversion::joinText(groups.at(g).join) + u' ';
        QStringList conditions;
        for (const TraitRuleCondition &condition : groups.at(g).conditions) {
            conditions.append(condition.key + u' ' + TraitRule::operatorText(condition.op)
                              + u' ' + Conversion::quotedValue(condition.value));
        }
        out += u'[' + conditions.join(u", "_s) + u']';
    }
    return out;
}

TraitRuleCondition condition(const char *key, TraitRuleOperator op, const char *value)
{
    return {QString::fromUtf8(key), op, QString::fromUtf8(value)};
}

} // namespace

class tst_TraitRuleGroups : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("groups");
        QTest::addColumn<QString>("canonical");

        QTest::newRow("one comparison")
            << u"c_section == \"sports\""_s << u"[c_section == \"sports\"]"_s
            << u"c_section == \"sports\""_s;
        QTest::newRow("one group of OR-ed conditions")
            << u"c_section == \"news\" or c_section == 'business'"_s
            << u"[c_section == \"news\", c_section == \"business\"]"_s
            << u"c_section == \"news\" OR c_section == \"business\""_s;
        QTest::newRow("groups joined by AND")
            << u"(a== \"1\" OR b==\"1\") AND (c==\"new\")"_s
            << u"[a == \"1\", b == \"1\"] AND [c == \"new\"]"_s
            << u"(a == 1 OR b == 1) AND c == \"new\""_s;
        QTest::newRow("AND NOT a group")
            << u"c_section == \"tech\" AND NOT (c_page == \"product\" OR c_page == \"basket\")"_s
            << u"[c_section == \"tech\"] AND NOT [c_page == \"product\", c_page == \"basket\"]"_s
            << u"c_section == \"tech\" AND NOT (c_page == \"product\" OR c_page == \"basket\")"_s;
        QTest::newRow("AND NOT one condition")
            << u"a == 1 AND NOT b == 2"_s << u"[a == \"1\"] AND NOT [b == \"2\"]"_s
            << u"a == 1 AND NOT b == 2"_s;
        QTest::newRow("AND before OR")
            << u"a == 1 OR b == 2 AND c == 3"_s
            << u"[a == \"1\"] OR [b == \"2\"] AND [c == \"3\"]"_s
            << u"a == 1 OR b == 2 AND c == 3"_s;
        QTest::newRow("OR between AND-ed groups")
            << u"a == 1 AND b == 2 OR c == 3 AND NOT d == 4"_s
            << u"[a == \"1\"] AND [b == \"2\"] OR [c == \"3\"] AND NOT [d == \"4\"]"_s
            << u"a == 1 AND b == 2 OR c == 3 AND NOT d == 4"_s;
        QTest::newRow("OR-ed comparisons after an AND share a group")
            << u"x == 1 AND y == 2 OR a == 3 OR b == 4"_s
            << u"[x == \"1\"] AND [y == \"2\"] OR [a == \"3\", b == \"4\"]"_s
            << u"x == 1 AND y == 2 OR a == 3 OR b == 4"_s;
        QTest::newRow("numbers, ranges and =>")
            << u"price => 1.00 AND price <= 100.00"_s
            << u"[price >= \"1.00\"] AND [price <= \"100.00\"]"_s
            << u"price >= 1.00 AND price <= 100.00"_s;
        QTest::newRow("every named operator")
            << u"u contains 'shop' OR u startswith \"https\" OR u endswith \".html\" OR "
               u"u matchesregex \"^https?://shop\\.\" OR u matcheswords \"red, blue\""_s
            << u"[u contains \"shop\", u startswith \"https\", u endswith \".html\", "
               u"u matchesregex \"^https?://shop\\\\.\", u matcheswords \"red, blue\"]"_s
            << u"u contains \"shop\" OR u startswith \"https\" OR u endswith \".html\" OR "
               u"u matchesregex \"^https?://shop\\\\.\" OR u matcheswords \"red, blue\""_s;
        QTest::newRow("!= and < >")
            << u"a != \"x\" AND n < 5 AND NOT n > 10"_s
            << u"[a != \"x\"] AND [n < \"5\"] AND NOT [n > \"10\"]"_s
            << u"a != \"x\" AND n < 5 AND NOT n > 10"_s;
        QTest::newRow("quotes and backslashes in values")
            << u"c_q == 'say \"hi\"' OR c_p == \"a\\\\b\""_s
            << u"[c_q == \"say \\\"hi\\\"\", c_p == \"a\\\\b\"]"_s
            << u"c_q == \"say \\\"hi\\\"\" OR c_p == \"a\\\\b\""_s;
        QTest::newRow("a keyword as a key")
            << u"\"and\" == 1 AND \"not\" contains x"_s
            << u"[and == \"1\"] AND [not contains \"x\"]"_s
            << u"\"and\" == 1 AND \"not\" contains \"x\""_s;
        QTest::newRow("partner code") << u"ic == \"seg-123\""_s << u"[ic == \"seg-123\"]"_s
                                      << u"ic == \"seg-123\""_s;
        QTest::newRow("nested parentheses that flatten")
            << u"((a == 1) AND ((b == 2 OR (c == 3))))"_s
            << u"[a == \"1\"] AND [b == \"2\", c == \"3\"]"_s
            << u"a == 1 AND (b == 2 OR c == 3)"_s;
        QTest::newRow("multi-line rule")
            << u"a == 1\nAND\n  NOT (b == 2 OR b == 3)"_s
            << u"[a == \"1\"] AND NOT [b == \"2\", b == \"3\"]"_s
            << u"a == 1 AND NOT (b == 2 OR b == 3)"_s;
    }

    void roundTrip()
    {
        QFETCH(QString, rule);
        QFETCH(QString, groups);
        QFETCH(QString, canonical);

        const TraitRuleParse parse = TraitRule::compile(rule);
        QVERIFY2(parse.ok(), qPrintable(parse.diagnostics.value(0).message()));
        QString reason;
        const std::optional<TraitRuleGroups> read = Conversion::fromRule(*parse.rule, &reason);
        QVERIFY2(read.has_value(), qPrintable(reason));
        QCOMPARE(describe(*read), groups);

        // Groups back to text: the printer's canonical text of the same tree.
        const TraitRuleGroupsText text = Conversion::toRuleText(*read);
        QVERIFY2(text.ok(), qPrintable(text.diagnostics.value(0).message()));
        QCOMPARE(text.text, canonical);
        QCOMPARE(text.text, parse.rule->print());
        const TraitRuleParse again = TraitRule::compile(text.text);
        QVERIFY(again.ok());
        QVERIFY(again.rule->hasSameTree(*parse.rule));

        // And the groups of the canonical text are the same groups.
        const std::optional<TraitRuleGroups> reread = Conversion::fromText(text.text, &reason);
        QVERIFY2(reread.has_value(), qPrintable(reason));
        QCOMPARE(*reread, *read);
    }

    void groupsRoundTrip()
    {
        using Join = TraitRuleGroup::Join;
        using Op = TraitRuleOperator;
        const TraitRuleGroups groups{
            {Join::And,
             {condition("c_section", Op::Equal, "sports"),
              condition("c_url", Op::MatchesRegex, "^https?://a\\.b/")}},
            {Join::AndNot, {condition("price", Op::Less, "10")}},
            {Join::Or, {condition("h_accept-language", Op::StartsWith, "es")}},
            {Join::And,
             {condition("c_tags", Op::MatchesWords, "red blue"),
              condition("c_q", Op::Contains, "it's \"quoted\"")}},
        };
        const TraitRuleGroupsText text = Conversion::toRuleText(groups);
        QVERIFY2(text.ok(), qPrintable(text.diagnostics.value(0).message()));
        QCOMPARE(text.text,
                 u"(c_section == \"sports\" OR c_url matchesregex \"^https?://a\\\\.b/\") AND "
                 u"NOT price < 10 OR h_accept-language startswith \"es\" AND "
                 u"(c_tags matcheswords \"red blue\" OR c_q contains \"it's \\\"quoted\\\"\")"_s);
        QString reason;
        const std::optional<TraitRuleGroups> back = Conversion::fromText(text.text, &reason);
        QVERIFY2(back.has_value(), qPrintable(reason));
        QCOMPARE(*back, groups);
    }

    // Rows still being filled in are left out of the text; the first group's join means nothing.
    void incompleteRowsAndFirstJoin()
    {
        using Join = TraitRuleGroup::Join;
        const TraitRuleGroups groups{
            {Join::AndNot, {condition("a", TraitRuleOperator::Equal, "1"),
                            condition("  ", TraitRuleOperator::Equal, "ignored")}},
            {Join::Or, {condition("", TraitRuleOperator::Contains, "")}},
            {Join::And, {condition("b", TraitRuleOperator::Equal, "")}},
        };
        const TraitRuleGroupsText text = Conversion::toRuleText(groups);
        QVERIFY(text.ok());
        QCOMPARE(text.text, u"a == 1 AND b == \"\""_s);
        QCOMPARE(Conversion::toRuleText({}).text, QString());
        QString reason;
        const std::optional<TraitRuleGroups> none = Conversion::fromText(u"  "_s, &reason);
        QVERIFY(none.has_value());
        QVERIFY(none->isEmpty());
    }

    // What the parser refuses, the groups refuse with its diagnostic.
    void invalidGroups_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<int>("op");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("bad key") << u"c section"_s << int(TraitRuleOperator::Equal) << u"x"_s
                                 << u"key"_s;
        QTest::newRow("all-digit key") << u"123"_s << int(TraitRuleOperator::Equal) << u"x"_s
                                       << u"key"_s;
        QTest::newRow("bad regex") << u"u"_s << int(TraitRuleOperator::MatchesRegex)
                                   << u"(unclosed"_s << u"regular expression"_s;
        QTest::newRow("no words") << u"u"_s << int(TraitRuleOperator::MatchesWords) << u" , "_s
                                  << u"word"_s;
    }

    void invalidGroups()
    {
        QFETCH(QString, key);
        QFETCH(int, op);
        QFETCH(QString, value);
        QFETCH(QString, message);
        const TraitRuleGroupsText text
            = Conversion::toRuleText({{TraitRuleGroup::Join::And,
                                       {{key, TraitRuleOperator(op), value}}}});
        QVERIFY(!text.ok());
        QVERIFY(text.text.isEmpty());
        QVERIFY2(text.diagnostics.first().text.contains(message, Qt::CaseInsensitive),
                 qPrintable(text.diagnostics.first().message()));
    }

    void inexpressible_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("reason");
        QTest::newRow("starts with NOT") << u"NOT a == 1"_s << u"starts with NOT"_s;
        QTest::newRow("NOT first in an AND") << u"NOT a == 1 AND b == 2"_s
                                             << u"starts with NOT"_s;
        QTest::newRow("NOT right after OR") << u"a == 1 OR NOT b == 2"_s
                                            << u"NOT right after OR"_s;
        QTest::newRow("NOT inside a group") << u"a == 1 AND (b == 2 OR NOT c == 3)"_s
                                            << u"NOT inside a group"_s;
        QTest::newRow("AND inside a group") << u"a == 1 AND (b == 2 OR c == 3 AND d == 4)"_s
                                            << u"AND inside a group"_s;
        QTest::newRow("NOT before an AND") << u"a == 1 AND NOT (b == 2 AND c == 3)"_s
                                           << u"NOT before several AND-ed"_s;
        QTest::newRow("NOT NOT") << u"a == 1 AND NOT NOT b == 2"_s << u"NOT directly before"_s;
        QTest::newRow("syntax error") << u"a == "_s << u"column"_s;
    }

    void inexpressible()
    {
        QFETCH(QString, rule);
        QFETCH(QString, reason);
        QString why;
        QVERIFY(!Conversion::fromText(rule, &why).has_value());
        QVERIFY2(why.contains(reason), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(tst_TraitRuleGroups)
#include "tst_traitrulegroups.moc"
