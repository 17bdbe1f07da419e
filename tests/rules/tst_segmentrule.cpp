#include "rules/realization.h"
#include "rules/segmentrule.h"
#include "rules/traitcatalog.h"

#include <QDateTime>
#include <QHash>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <algorithm>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Day = MsPerDay;
constexpr qint64 Never = Realization::Never;

qint64 utcMs(int year, int month, int day, int hour = 0, int minute = 0, int second = 0,
             int ms = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute, second, ms), Qt::UTC)
        .toMSecsSinceEpoch();
}

// A fixed "now" for the tables: 2024-03-20T12:00:00.000Z.
const qint64 Now = utcMs(2024, 3, 20, 12);

// A visitor's realizations per trait sid, as the engine would load them.
class MapSource final : public RealizationSource
{
public:
    void add(qint64 sid, qint64 timeMs, qint64 expiresMs = Never)
    {
        m_map[sid].append(Realization{timeMs, expiresMs});
    }
    void addAll(qint64 sid, const QList<Realization> &list) { m_map[sid].append(list); }
    QList<Realization> list(qint64 sid) const { return m_map.value(sid); }
    QList<qint64> sids() const { return m_map.keys(); }

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

TraitTypeCatalog testCatalog()
{
    TraitTypeCatalog catalog;
    for (const qint64 sid : {1, 2, 3, 4, 5})
        catalog.insert(sid, Trait::Type::Rule);
    catalog.insert(10, Trait::Type::Folder);
    catalog.insert(12, Trait::Type::Onboarded);
    catalog.insert(13, Trait::Type::Onboarded);
    return catalog;
}

SegmentRule parsed(const QString &text)
{
    RuleDiagnostic diagnostic;
    const std::optional<SegmentRule> rule = SegmentRule::parse(text, &diagnostic);
    if (!rule)
        qWarning("%s does not parse: %s", qPrintable(text), qPrintable(diagnostic.message()));
    return rule.value_or(SegmentRule());
}

// --- a reference model, written straight from rules.md, for the property tests ---------------

struct RefNode
{
    SegmentNodeKind kind = SegmentNodeKind::Trait;
    qint64 sid = 0;
    FrequencySpec spec;
    QList<RefNode> operands;
};

SegmentRule build(const RefNode &node)
{
    QList<SegmentRule> operands;
    for (const RefNode &operand : node.operands)
        operands.append(build(operand));
    switch (node.kind) {
    case SegmentNodeKind::Trait: return SegmentRule::trait(node.sid);
    case SegmentNodeKind::Frequency: return SegmentRule::frequency(node.spec);
    case SegmentNodeKind::Not: return SegmentRule::negation(operands.constFirst());
    case SegmentNodeKind::And: return SegmentRule::allOf(operands);
    case SegmentNodeKind::Or: return SegmentRule::anyOf(operands);
    }
    return {};
}

bool unexpired(const Realization &realization, qint64 nowMs)
{
    return realization.timeMs <= nowMs && nowMs < realization.expiresMs;
}

bool refHolds(const RefNode &node, const MapSource &source, qint64 nowMs)
{
    switch (node.kind) {
    case SegmentNodeKind::Trait: {
        const QList<Realization> list = source.list(node.sid);
        return std::any_of(list.cbegin(), list.cend(), [&](const Realization &realization) {
            return unexpired(realization, nowMs);
        });
    }
    case SegmentNodeKind::Frequency: {
        const qint64 window = qint64(node.spec.recencyDays) * Day;
        qint64 count = 0;
        const QList<qint64> sids = node.spec.traitSids;
        const QSet<qint64> distinct(sids.cbegin(), sids.cend());
        for (const qint64 sid : distinct) {
            for (const Realization &realization : source.list(sid)) {
                if (!unexpired(realization, nowMs))
                    continue;
                if (node.spec.recency == Recency::Within && realization.timeMs < nowMs - window)
                    continue;
                if (node.spec.recency == Recency::Older && realization.timeMs > nowMs - window)
                    continue;
                ++count;
            }
        }
        switch (node.spec.comparison) {
        case FrequencyComparison::AtLeast: return count >= node.spec.threshold;
        case FrequencyComparison::AtMost: return count <= node.spec.threshold;
        case FrequencyComparison::Exactly: return count == node.spec.threshold;
        }
        return false;
    }
    case SegmentNodeKind::Not:
        return !refHolds(node.operands.constFirst(), source, nowMs);
    case SegmentNodeKind::And:
        for (const RefNode &operand : node.operands) {
            if (!refHolds(operand, source, nowMs))
                return false;
        }
        return true;
    case SegmentNodeKind::Or:
        for (const RefNode &operand : node.operands) {
            if (refHolds(operand, source, nowMs))
                return true;
        }
        return false;
    }
    return false;
}

RefNode randomNode(QRandomGenerator &rng, int depth)
{
    RefNode node;
    const int choice = depth <= 0 ? int(rng.bounded(2)) : int(rng.bounded(5));
    node.kind = SegmentNodeKind(choice);
    switch (node.kind) {
    case SegmentNodeKind::Trait:
        node.sid = rng.bounded(1, 6);
        break;
    case SegmentNodeKind::Frequency: {
        const int listed = int(rng.bounded(1, 4));
        for (int i = 0; i < listed; ++i)
            node.spec.traitSids.append(rng.bounded(1, 6));
        node.spec.recency = Recency(rng.bounded(3));
        node.spec.recencyDays = node.spec.recency == Recency::None ? 0 : int(rng.bounded(1, 6));
        node.spec.comparison = FrequencyComparison(rng.bounded(3));
        node.spec.threshold = rng.bounded(0, 4);
        break;
    }
    case SegmentNodeKind::Not:
        node.operands.append(randomNode(rng, depth - 1));
        break;
    case SegmentNodeKind::And:
    case SegmentNodeKind::Or: {
        const int count = int(rng.bounded(2, 4));
        for (int i = 0; i < count; ++i)
            node.operands.append(randomNode(rng, depth - 1));
        break;
    }
    }
    return node;
}

// Times on whole days and a few milliseconds off them, so that recency and expiry boundaries
// meet the instants the tests evaluate at.
MapSource randomSource(QRandomGenerator &rng, qint64 nowMs)
{
    MapSource source;
    for (qint64 sid = 1; sid <= 5; ++sid) {
        const int count = int(rng.bounded(0, 5));
        for (int i = 0; i < count; ++i) {
            qint64 time = nowMs - qint64(rng.bounded(0, 12)) * Day;
            switch (rng.bounded(4)) {
            case 0: break;
            case 1: time += qint64(rng.bounded(-2, 3)); break;
            case 2: time -= qint64(rng.bounded(0, int(Day))); break;
            default: time += qint64(rng.bounded(0, 3)) * Day; break; // some in the future
            }
            static constexpr int ttls[] = {0, 1, 2, 3, 7};
            source.add(sid, time, realizationExpiryMs(time, ttls[rng.bounded(5)]));
        }
    }
    return source;
}

// Every instant at which some realization starts or stops counting in some window the random
// rules use: the candidates of nextChangeMs, computed independently.
QList<qint64> allBounds(const MapSource &source)
{
    QList<qint64> bounds;
    for (const qint64 sid : source.sids()) {
        for (const Realization &realization : source.list(sid)) {
            bounds << realization.timeMs << realization.expiresMs;
            for (qint64 days = 1; days <= 5; ++days)
                bounds << realization.timeMs + days * Day << realization.timeMs + days * Day + 1;
        }
    }
    bounds.removeAll(Never);
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    return bounds;
}

QString describe(const SegmentExplanation &node, int indent = 0)
{
    QString out = QString(indent, u' ') + node.text + (node.holds ? u" holds"_s : u" fails"_s);
    if (node.kind == SegmentNodeKind::Trait || node.kind == SegmentNodeKind::Frequency)
        out += u" count=%1"_s.arg(node.count);
    out += u'\n';
    for (const SegmentExplanation &child : node.children)
        out += describe(child, indent + 2);
    return out;
}

} // namespace

class TestSegmentRule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesAndPrints_data();
    void parsesAndPrints();
    void refusesSyntax_data();
    void refusesSyntax();
    void refusesDeepNesting();
    void parsesToTheBuiltTree();
    void validates_data();
    void validates();
    void validatesBuiltRules();
    void compileReportsTheFirstProblem();
    void holdsForEveryone_data();
    void holdsForEveryone();
    void listsTraitSids();
    void randomTreesRoundTrip();
    void expiresByTtl_data();
    void expiresByTtl();
    void traitCountsUntilItExpires_data();
    void traitCountsUntilItExpires();
    void recencyWindowsAtTheirBoundaries_data();
    void recencyWindowsAtTheirBoundaries();
    void ttlOneCountsUntilTheEndOfTheFollowingDay();
    void folderTraitsCountTheirChildren();
    void nextChange_data();
    void nextChange();
    void nextChangeGivesUpSafely();
    void nextChangeIsNeverLate();
    void explainsEveryPart();
    void emptyRuleHoldsForNobody();
};

// --- parsing and printing -----------------------------------------------------------------

void TestSegmentRule::parsesAndPrints_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("canonical");

    const auto row = [](const char *name, const QString &text, const QString &canonical) {
        QTest::newRow(name) << text << canonical;
    };
    row("trait", u"1234T"_s, u"1234T"_s);
    row("lower-case t", u"1234t"_s, u"1234T"_s);
    row("spaces inside a trait", u" 12 T "_s, u"12T"_s);
    row("leading zeros", u"007T"_s, u"7T"_s);
    row("trait 0", u"0T"_s, u"0T"_s);
    row("largest sid", u"9223372036854775807T"_s, u"9223372036854775807T"_s);
    row("and", u"1T AND 2T"_s, u"1T AND 2T"_s);
    row("lower-case keywords", u"1t and 2t or not 3t"_s, u"1T AND 2T OR NOT 3T"_s);
    row("mixed-case keywords", u"1T aNd NoT 2T Or 3T"_s, u"1T AND NOT 2T OR 3T"_s);
    row("or under and", u"1T AND (2T OR 3T)"_s, u"1T AND (2T OR 3T)"_s);
    row("and under or loses parens", u"(1T AND 2T) OR 3T"_s, u"1T AND 2T OR 3T"_s);
    row("nested and flattens", u"1T AND (2T AND 3T)"_s, u"1T AND 2T AND 3T"_s);
    row("nested or flattens", u"(1T OR 2T) OR (3T OR 4T)"_s, u"1T OR 2T OR 3T OR 4T"_s);
    row("not of and", u"NOT (1T AND 2T)"_s, u"NOT (1T AND 2T)"_s);
    row("not of or", u"not(1t or 2t) and 3t"_s, u"NOT (1T OR 2T) AND 3T"_s);
    row("not binds tighter", u"NOT 1T AND 2T"_s, u"NOT 1T AND 2T"_s);
    row("double not", u"NOT NOT 1T"_s, u"NOT NOT 1T"_s);
    row("not of a group", u"NOT (NOT 1T)"_s, u"NOT NOT 1T"_s);
    row("redundant parens", u"((1T))"_s, u"1T"_s);
    row("two ors anded", u"(1T OR 2T) AND (3T OR 4T)"_s, u"(1T OR 2T) AND (3T OR 4T)"_s);
    row("deep mix", u"1T AND (2T OR (3T AND 4T))"_s, u"1T AND (2T OR 3T AND 4T)"_s);
    row("frequency", u"FREQUENCY([1T,2T] <= 5D) >= 3"_s, u"FREQUENCY([1T, 2T] <= 5D) >= 3"_s);
    row("frequency older", u"frequency ( [ 1 t , 2 t ] >= 5 d ) <= 3"_s,
        u"FREQUENCY([1T, 2T] >= 5D) <= 3"_s);
    row("frequency no recency", u"FREQUENCY([1T])==0"_s, u"FREQUENCY([1T]) == 0"_s);
    row("frequency duplicates", u"FREQUENCY([1T, 1T, 2T, 1T]) >= 2"_s,
        u"FREQUENCY([1T, 2T]) >= 2"_s);
    row("frequency limits", u"FREQUENCY([1T]<=2147483647D)>=9223372036854775807"_s,
        u"FREQUENCY([1T] <= 2147483647D) >= 9223372036854775807"_s);
    row("frequency in a rule", u"1T AND NOT 2T OR 3T AND FREQUENCY([4T]) >= 1"_s,
        u"1T AND NOT 2T OR 3T AND FREQUENCY([4T]) >= 1"_s);
    row("not frequency", u"NOT FREQUENCY([5T]) >= 1 AND 6T"_s,
        u"NOT FREQUENCY([5T]) >= 1 AND 6T"_s);
    row("newlines and tabs", u"1T\nAND\r\n\t2T"_s, u"1T AND 2T"_s);
    row("no-break spaces", u"1T\u00a0AND\u00a02T"_s, u"1T AND 2T"_s);
    row("no spaces at all", u"(1T)AND(NOT(2T))"_s, u"1T AND NOT 2T"_s);
}

void TestSegmentRule::parsesAndPrints()
{
    QFETCH(QString, text);
    QFETCH(QString, canonical);

    RuleDiagnostic diagnostic;
    const std::optional<SegmentRule> rule = SegmentRule::parse(text, &diagnostic);
    QVERIFY2(rule, qPrintable(diagnostic.message()));
    QCOMPARE(diagnostic, RuleDiagnostic());
    QCOMPARE(rule->toString(), canonical);

    const std::optional<SegmentRule> again = SegmentRule::parse(canonical);
    QVERIFY(again);
    QVERIFY(*again == *rule);
    QCOMPARE(again->toString(), canonical);
}

void TestSegmentRule::refusesSyntax_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("length");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("hint");

    const QString term = u"a trait (like 1234T), FREQUENCY, NOT or \"(\""_s;
    const QString end = u"AND, OR or the end of the rule"_s;
    const QString comparison = u"\">=\", \"<=\" or \"==\""_s;
    const QString example = u"FREQUENCY is written like FREQUENCY([1T, 2T] <= 5D) >= 3"_s;
    const QString traitHint = u"a trait is written like 1234T"_s;
    const auto row = [](const char *name, const QString &text, int line, int column, int length,
                        const QString &expected, const QString &message,
                        const QString &hint = {}) {
        QTest::newRow(name) << text << line << column << length << expected << message << hint;
    };

    row("empty", u""_s, 1, 1, 0, term, u"the rule is empty"_s, u"name a trait, like 1234T"_s);
    row("blank", u"  \n "_s, 1, 1, 0, term, u"the rule is empty"_s,
        u"name a trait, like 1234T"_s);
    row("sid without T", u"1234"_s, 1, 5, 0, u"\"T\""_s,
        u"expected \"T\" after the trait ID"_s, traitHint);
    row("sid then a word", u"1234 X"_s, 1, 6, 1, u"\"T\""_s,
        u"expected \"T\" after the trait ID, found \"X\""_s, traitHint);
    row("sid glued to a word", u"12abc"_s, 1, 3, 3, u"\"T\""_s,
        u"expected \"T\" after the trait ID, found \"abc\""_s, traitHint);
    row("sid too large", u"99999999999999999999T"_s, 1, 1, 20, QString(),
        u"trait ID 99999999999999999999 is too large"_s);
    row("negative sid", u"-1T"_s, 1, 1, 2, term, u"expected %1, found \"-1\""_s.arg(term),
        u"trait IDs are not negative"_s);
    row("and at the end", u"1T AND"_s, 1, 7, 0, term,
        u"expected %1 after \"AND\""_s.arg(term));
    row("not at the end", u"NOT"_s, 1, 4, 0, term, u"expected %1 after \"NOT\""_s.arg(term));
    row("open paren at the end", u"("_s, 1, 2, 0, term,
        u"expected %1 after \"(\""_s.arg(term));
    row("and or", u"1T AND OR 2T"_s, 1, 8, 2, term, u"expected %1, found \"OR\""_s.arg(term),
        u"a part of the rule is missing before OR"_s);
    row("leading and", u"and 1T"_s, 1, 1, 3, term, u"expected %1, found \"and\""_s.arg(term),
        u"a part of the rule is missing before AND"_s);
    row("trait name", u"segment"_s, 1, 1, 7, term,
        u"expected %1, found \"segment\""_s.arg(term),
        u"traits are named by their ID, like 1234T"_s);
    row("long word is cut", u"abcdefghijklmnopqrstuvwxyz0123"_s, 1, 1, 30, term,
        u"expected %1, found \"abcdefghijklmnopqrstuvwx...\""_s.arg(term),
        u"traits are named by their ID, like 1234T"_s);
    row("bang", u"!1T"_s, 1, 1, 1, term, u"expected %1, found \"!\""_s.arg(term),
        u"write NOT, not !"_s);
    row("close paren as operand", u"1T OR )"_s, 1, 7, 1, term,
        u"expected %1, found \")\""_s.arg(term));
    row("empty parens", u"()"_s, 1, 2, 1, term, u"expected %1, found \")\""_s.arg(term));
    row("two traits", u"1T 2T"_s, 1, 4, 1, end, u"expected %1, found \"2\""_s.arg(end),
        u"join the parts with AND or OR"_s);
    row("ampersands", u"1T && 2T"_s, 1, 4, 1, end, u"expected %1, found \"&\""_s.arg(end),
        u"write AND, not &&"_s);
    row("pipes", u"1T || 2T"_s, 1, 4, 1, end, u"expected %1, found \"|\""_s.arg(end),
        u"write OR, not ||"_s);
    row("stray close paren", u"1T)"_s, 1, 3, 1, end,
        u"unexpected \")\" with no \"(\" to close"_s);
    row("trailing garbage", u"1T AND 2T;"_s, 1, 10, 1, end,
        u"expected %1, found \";\""_s.arg(end));
    row("emoji counts as one character", u"1T \U0001F600"_s, 1, 4, 2, end,
        u"expected %1, found \"\U0001F600\""_s.arg(end));
    row("unclosed paren", u"(1T AND 2T"_s, 1, 1, 1, u"\")\""_s, u"\"(\" is never closed"_s,
        u"add \")\" where the group ends"_s);
    row("unclosed paren on line 2", u"1T AND\n  (2T OR\n   3T"_s, 2, 3, 1, u"\")\""_s,
        u"\"(\" is never closed"_s, u"add \")\" where the group ends"_s);
    row("tab is one column", u"1T AND\t(2T"_s, 1, 8, 1, u"\")\""_s,
        u"\"(\" is never closed"_s, u"add \")\" where the group ends"_s);
    row("missing operator in parens", u"(1T 2T)"_s, 1, 5, 1, u"AND, OR or \")\""_s,
        u"expected AND, OR or \")\", found \"2\""_s, u"join the parts with AND or OR"_s);
    row("missing T on line 3", u"1T AND\n\n 2"_s, 3, 3, 0, u"\"T\""_s,
        u"expected \"T\" after the trait ID"_s, traitHint);
    row("zero recency", u"FREQUENCY([1T] <= 0D) >= 2"_s, 1, 19, 1, QString(),
        u"recency must be more than 0 days"_s, u"<= 7D counts the last 7 days"_s);
    row("negative recency", u"FREQUENCY([1T] >= -3D) >= 2"_s, 1, 19, 2, QString(),
        u"recency must be more than 0 days"_s, u"<= 7D counts the last 7 days"_s);
    row("recency too large", u"FREQUENCY([1T] <= 3000000000D) >= 1"_s, 1, 19, 10, QString(),
        u"recency must be at most 2147483647 days"_s);
    row("recency without D", u"FREQUENCY([1T] <= 5) >= 1"_s, 1, 20, 1, u"\"D\""_s,
        u"expected \"D\" after the number of days, found \")\""_s,
        u"recency is written like <= 5D"_s);
    row("recency without days", u"FREQUENCY([1T] <= D) >= 1"_s, 1, 19, 1,
        u"a number of days"_s, u"expected a number of days after \"<=\", found \"D\""_s,
        u"recency is written like <= 5D"_s);
    row("recency strict", u"FREQUENCY([1T] < 5D) >= 1"_s, 1, 16, 1, u"\"<=\" or \">=\""_s,
        u"expected \"<=\" or \">=\" before the number of days, found \"<\""_s,
        u"recency bounds include day N: write <= ND or >= ND"_s);
    row("recency arrow", u"FREQUENCY([1T] => 5D) >= 1"_s, 1, 16, 2, u"\"<=\" or \">=\""_s,
        u"expected \"<=\" or \">=\" before the number of days, found \"=>\""_s,
        u"write >="_s);
    row("recency without operator", u"FREQUENCY([1T] 5D) >= 1"_s, 1, 16, 1,
        u"\"<=\", \">=\" or \")\""_s,
        u"expected \"<=\", \">=\" or \")\" after the list of traits, found \"5\""_s, example);
    row("recency not closed", u"FREQUENCY([1T] <= 5D >= 1"_s, 1, 22, 2, u"\")\""_s,
        u"expected \")\" after the recency, found \">=\""_s);
    row("frequency without paren", u"FREQUENCY [1T] >= 1"_s, 1, 11, 1, u"\"(\""_s,
        u"expected \"(\" after FREQUENCY, found \"[\""_s, example);
    row("frequency without bracket", u"FREQUENCY(1T) >= 1"_s, 1, 11, 1, u"\"[\""_s,
        u"expected \"[\" to start the list of traits, found \"1\""_s, example);
    row("frequency cut after paren", u"FREQUENCY("_s, 1, 11, 0, u"\"[\""_s,
        u"expected \"[\" to start the list of traits"_s, example);
    row("frequency empty list", u"FREQUENCY([]) >= 1"_s, 1, 12, 1, u"a trait like 1234T"_s,
        u"the list of traits is empty"_s, example);
    row("frequency list cut after comma", u"FREQUENCY([1T,"_s, 1, 15, 0,
        u"a trait like 1234T"_s, u"expected a trait like 1234T in the list"_s);
    row("frequency list of words", u"FREQUENCY([x]) >= 1"_s, 1, 12, 1,
        u"a trait like 1234T"_s, u"expected a trait like 1234T in the list, found \"x\""_s,
        u"traits are named by their ID, like 1234T"_s);
    row("frequency list without commas", u"FREQUENCY([1T 2T]) >= 1"_s, 1, 15, 1,
        u"\",\" or \"]\""_s, u"expected \",\" or \"]\" in the list of traits, found \"2\""_s,
        u"separate the traits with commas"_s);
    row("unclosed bracket", u"FREQUENCY([1T, 2T"_s, 1, 11, 1, u"\",\" or \"]\""_s,
        u"\"[\" is never closed"_s, u"close the list of traits with \"]\""_s);
    row("unclosed frequency", u"FREQUENCY([1T]"_s, 1, 10, 1, u"\")\""_s,
        u"\"(\" is never closed"_s, u"close FREQUENCY( with \")\""_s);
    row("unclosed frequency after recency", u"FREQUENCY([1T] <= 5D"_s, 1, 10, 1, u"\")\""_s,
        u"\"(\" is never closed"_s, u"close FREQUENCY( with \")\""_s);
    row("frequency without comparison", u"FREQUENCY([1T])"_s, 1, 16, 0, comparison,
        u"expected %1 and a count after FREQUENCY(...)"_s.arg(comparison),
        u"for example FREQUENCY([1T]) >= 3"_s);
    row("frequency greater", u"FREQUENCY([1T]) > 2"_s, 1, 17, 1, comparison,
        u"expected %1 and a count after FREQUENCY(...), found \">\""_s.arg(comparison),
        u"FREQUENCY compares with >=, <= or ==; for more than 2, write >= 3"_s);
    row("frequency arrow", u"FREQUENCY([1T]) => 2"_s, 1, 17, 2, comparison,
        u"expected %1 and a count after FREQUENCY(...), found \"=>\""_s.arg(comparison),
        u"write >="_s);
    row("frequency single equals", u"FREQUENCY([1T]) = 2"_s, 1, 17, 1, comparison,
        u"expected %1 and a count after FREQUENCY(...), found \"=\""_s.arg(comparison),
        u"write =="_s);
    row("frequency not equal", u"FREQUENCY([1T]) != 2"_s, 1, 17, 2, comparison,
        u"expected %1 and a count after FREQUENCY(...), found \"!=\""_s.arg(comparison),
        u"for \"not equal\", write NOT FREQUENCY(...) == m"_s);
    row("frequency without count", u"FREQUENCY([1T]) >="_s, 1, 19, 0, u"a count"_s,
        u"expected a count after \">=\""_s);
    row("frequency negative count", u"FREQUENCY([1T]) >= -1"_s, 1, 20, 2, QString(),
        u"the count must be 0 or more"_s);
    row("frequency count too large", u"FREQUENCY([1T]) >= 99999999999999999999"_s, 1, 20, 20,
        QString(), u"the count 99999999999999999999 is too large"_s);
}

void TestSegmentRule::refusesSyntax()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(int, length);
    QFETCH(QString, expected);
    QFETCH(QString, message);
    QFETCH(QString, hint);

    RuleDiagnostic diagnostic;
    QVERIFY(!SegmentRule::parse(text, &diagnostic));
    QCOMPARE(diagnostic.text, message);
    QCOMPARE(diagnostic.line, line);
    QCOMPARE(diagnostic.column, column);
    QCOMPARE(diagnostic.length, length);
    QCOMPARE(diagnostic.expected, expected);
    QCOMPARE(diagnostic.hint, hint);

    // The error stays inside the text: the editor underlines exactly that.
    const QStringList lines = text.split(u'\n');
    QVERIFY(line >= 1 && line <= lines.size());
    QVERIFY(column >= 1 && column - 1 + length <= lines.at(line - 1).size());
}

void TestSegmentRule::refusesDeepNesting()
{
    const QString deepest = u"NOT "_s.repeated(SegmentRule::MaxNesting) + u"1T"_s;
    QVERIFY(SegmentRule::parse(deepest));
    const QString parens = u"("_s.repeated(SegmentRule::MaxNesting) + u"1T"_s
                           + u")"_s.repeated(SegmentRule::MaxNesting);
    QVERIFY(SegmentRule::parse(parens));

    RuleDiagnostic diagnostic;
    QVERIFY(!SegmentRule::parse(QString(u"NOT "_s + deepest), &diagnostic));
    QCOMPARE(diagnostic.text, u"the rule nests NOT and parentheses more than 100 levels deep"_s);
    QCOMPARE(diagnostic.column, 4 * (SegmentRule::MaxNesting + 1) + 1);

    // Far deeper than the stack would allow: refused, not a crash.
    QVERIFY(!SegmentRule::parse(u"("_s.repeated(100000), &diagnostic));
    QCOMPARE(diagnostic.column, SegmentRule::MaxNesting + 2);
}

void TestSegmentRule::parsesToTheBuiltTree()
{
    FrequencySpec spec;
    spec.traitSids = {4, 5};
    spec.recency = Recency::Older;
    spec.recencyDays = 2;
    spec.comparison = FrequencyComparison::Exactly;
    spec.threshold = 1;
    const SegmentRule built = SegmentRule::allOf(
        {SegmentRule::trait(1),
         SegmentRule::anyOf({SegmentRule::trait(2), SegmentRule::negation(SegmentRule::trait(3))}),
         SegmentRule::frequency(spec)});
    const SegmentRule fromText =
        parsed(u"1t AND (2T OR NOT 3T) AND frequency([4T, 5T, 4T] >= 2D) == 1"_s);
    QVERIFY(fromText == built);
    QCOMPARE(built.toString(), u"1T AND (2T OR NOT 3T) AND FREQUENCY([4T, 5T] >= 2D) == 1"_s);
    QCOMPARE(built.kind(), SegmentNodeKind::And);

    // Positions are not part of the tree; structure and numbers are.
    QVERIFY(parsed(u"1T   AND\n2T"_s) == parsed(u"1T AND 2T"_s));
    QVERIFY(!(parsed(u"1T AND 2T"_s) == parsed(u"2T AND 1T"_s)));
    QVERIFY(!(parsed(u"FREQUENCY([1T] <= 5D) >= 1"_s) == parsed(u"FREQUENCY([1T] <= 6D) >= 1"_s)));
    QVERIFY(!(parsed(u"FREQUENCY([1T] <= 5D) >= 1"_s) == parsed(u"FREQUENCY([1T] >= 5D) >= 1"_s)));
    QVERIFY(!(parsed(u"FREQUENCY([1T]) >= 1"_s) == parsed(u"FREQUENCY([1T]) == 1"_s)));
    QVERIFY(!(parsed(u"NOT 1T"_s) == parsed(u"1T"_s)));
    QVERIFY(!(parsed(u"1T OR 2T"_s) == parsed(u"1T AND 2T"_s)));

    // Builders normalize as the parser does.
    QVERIFY(SegmentRule::allOf({SegmentRule::trait(7)}) == SegmentRule::trait(7));
    QVERIFY(SegmentRule::anyOf({SegmentRule(), SegmentRule::trait(7)}) == SegmentRule::trait(7));
    QVERIFY(SegmentRule::allOf({}).isEmpty());
    QVERIFY(SegmentRule::negation(SegmentRule()).isEmpty());
    QVERIFY(SegmentRule::allOf({parsed(u"1T AND 2T"_s), parsed(u"3T AND 4T"_s)})
            == parsed(u"1T AND 2T AND 3T AND 4T"_s));
    QVERIFY(SegmentRule::anyOf({parsed(u"1T AND 2T"_s), parsed(u"3T OR 4T"_s)})
            == parsed(u"1T AND 2T OR 3T OR 4T"_s));
    QCOMPARE(SegmentRule::negation(parsed(u"1T OR 2T"_s)).toString(), u"NOT (1T OR 2T)"_s);
}

// --- validation ---------------------------------------------------------------------------

void TestSegmentRule::validates_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("messages");

    const QString everyone = u"this rule would hold for every visitor, even one with no traits; "
                             "AND it with something a visitor must have"_s;
    const QString notHint = u" (hint: NOT holds for every visitor who lacks the trait)"_s;
    const QString zeroHint = u" (hint: a count of 0 satisfies this FREQUENCY)"_s;
    const QString onboarded = u"FREQUENCY and recency count realizations of rule-based and "
                              "folder traits only; %1 is onboarded (hint: an onboarded trait "
                              "counts once per visitor: write %1 on its own)"_s;

    QTest::newRow("fine") << u"1T"_s << QStringList();
    QTest::newRow("onboarded on its own") << u"12T AND NOT 13T"_s << QStringList();
    QTest::newRow("folder in frequency")
        << u"FREQUENCY([10T] <= 3D) >= 2"_s << QStringList();
    QTest::newRow("missing trait")
        << u"99T"_s << QStringList{u"line 1, column 1: trait 99T does not exist"_s};
    QTest::newRow("missing traits in order")
        << u"1T AND 99T AND\nFREQUENCY([98T, 1T]) >= 1"_s
        << QStringList{u"line 1, column 8: trait 99T does not exist"_s,
                       u"line 2, column 12: trait 98T does not exist"_s};
    QTest::newRow("onboarded in frequency")
        << u"FREQUENCY([1T, 12T]) >= 2 AND 1T"_s
        << QStringList{u"line 1, column 16: "_s + onboarded.arg(u"12T"_s)};
    QTest::newRow("onboarded with recency")
        << u"1T AND FREQUENCY([13T] <= 5D) >= 1"_s
        << QStringList{u"line 1, column 19: "_s + onboarded.arg(u"13T"_s)};
    QTest::newRow("frequency at most alone")
        << u"FREQUENCY([1T]) <= 5"_s
        << QStringList{u"line 1, column 1: "_s + everyone + zeroHint};
    QTest::newRow("frequency at least 0")
        << u"FREQUENCY([1T]) >= 0"_s
        << QStringList{u"line 1, column 1: "_s + everyone + zeroHint};
    QTest::newRow("frequency exactly 0")
        << u"FREQUENCY([1T] >= 3D) == 0"_s
        << QStringList{u"line 1, column 1: "_s + everyone + zeroHint};
    QTest::newRow("not alone")
        << u"NOT 1T"_s << QStringList{u"line 1, column 1: "_s + everyone + notHint};
    QTest::newRow("or not")
        << u"1T OR NOT 2T"_s << QStringList{u"line 1, column 7: "_s + everyone + notHint};
    QTest::newRow("or frequency inside parens")
        << u"1T OR (2T OR FREQUENCY([2T] <= 3D) <= 1)"_s
        << QStringList{u"line 1, column 14: "_s + everyone + zeroHint};
    QTest::newRow("and of nots")
        << u"NOT 1T AND NOT 2T"_s << QStringList{u"line 1, column 1: "_s + everyone};
    QTest::newRow("or of and of nots")
        << u"1T OR NOT 2T AND NOT 3T"_s << QStringList{u"line 1, column 7: "_s + everyone};
    QTest::newRow("not of and") << u"NOT (1T AND 2T)"_s
                                << QStringList{u"line 1, column 1: "_s + everyone + notHint};
    QTest::newRow("zero count anded")
        << u"FREQUENCY([1T]) == 0 AND 2T"_s << QStringList();
    QTest::newRow("window pair")
        << u"FREQUENCY([1T] <= 5D) <= 5 AND FREQUENCY([1T] >= 5D) >= 1"_s << QStringList();
    QTest::newRow("not of not") << u"NOT NOT 1T"_s << QStringList();
    QTest::newRow("not and positive") << u"NOT (1T AND 2T) AND 3T"_s << QStringList();
    QTest::newRow("contradiction is not refused") << u"1T AND NOT 1T"_s << QStringList();
    QTest::newRow("names first, then everyone")
        << u"NOT 99T"_s
        << QStringList{u"line 1, column 5: trait 99T does not exist"_s,
                       u"line 1, column 1: "_s + everyone + notHint};
}

void TestSegmentRule::validates()
{
    QFETCH(QString, text);
    QFETCH(QStringList, messages);

    const SegmentRule rule = parsed(text);
    QVERIFY(!rule.isEmpty());
    QStringList found;
    for (const RuleDiagnostic &diagnostic : rule.validate(testCatalog())) {
        QVERIFY(diagnostic.expected.isEmpty());
        QVERIFY(diagnostic.length > 0);
        found.append(diagnostic.message());
    }
    QCOMPARE(found, messages);
}

void TestSegmentRule::validatesBuiltRules()
{
    const TraitTypeCatalog catalog = testCatalog();
    FrequencySpec spec;
    spec.traitSids = {1};
    spec.recency = Recency::Within;
    spec.recencyDays = 0;
    const SegmentRule zeroDays =
        SegmentRule::allOf({SegmentRule::frequency(spec), SegmentRule::trait(1)});
    QList<RuleDiagnostic> problems = zeroDays.validate(catalog);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.at(0).line, 0);
    QCOMPARE(problems.at(0).message(), u"recency must be more than 0 days"_s);

    spec.recencyDays = -4;
    problems = SegmentRule::allOf({SegmentRule::frequency(spec), SegmentRule::trait(1)})
                   .validate(catalog);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.at(0).text, u"recency must be more than 0 days"_s);

    FrequencySpec empty;
    empty.threshold = -1;
    problems = SegmentRule::allOf({SegmentRule::frequency(empty), SegmentRule::trait(1)})
                   .validate(catalog);
    QCOMPARE(problems.size(), 2);
    QCOMPARE(problems.at(0).text, u"FREQUENCY needs at least one trait"_s);
    QCOMPARE(problems.at(1).text, u"the count must be 0 or more"_s);

    problems = SegmentRule().validate(catalog);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.at(0).message(), u"the rule is empty (hint: name a trait, like 1234T)"_s);

    QVERIFY(SegmentRule::trait(5).validate(catalog).isEmpty());
    QCOMPARE(SegmentRule::trait(6).validate(catalog).at(0).message(),
             u"trait 6T does not exist"_s);
    // The catalog can be filled from the workspace's traits.
    Trait folder;
    folder.sid = 6;
    folder.type = Trait::Type::Folder;
    const TraitTypeCatalog fromTraits({folder});
    QCOMPARE(fromTraits.typeOf(6), std::optional<Trait::Type>(Trait::Type::Folder));
    QCOMPARE(fromTraits.typeOf(7), std::nullopt);
    QVERIFY(SegmentRule::trait(6).validate(fromTraits).isEmpty());
}

void TestSegmentRule::compileReportsTheFirstProblem()
{
    const TraitTypeCatalog catalog = testCatalog();
    RuleDiagnostic diagnostic;
    QVERIFY(SegmentRule::compile(u"1T AND FREQUENCY([10T] <= 7D) >= 2"_s, catalog, &diagnostic));
    QCOMPARE(diagnostic, RuleDiagnostic());

    QVERIFY(!SegmentRule::compile(u"1T AND (2T"_s, catalog, &diagnostic));
    QCOMPARE(diagnostic.text, u"\"(\" is never closed"_s);

    QVERIFY(!SegmentRule::compile(u"NOT 99T OR 98T"_s, catalog, &diagnostic));
    QCOMPARE(diagnostic.message(), u"line 1, column 5: trait 99T does not exist"_s);

    QVERIFY(!SegmentRule::compile(u"NOT 1T"_s, catalog, &diagnostic));
    QCOMPARE(diagnostic.column, 1);
    QCOMPARE(diagnostic.length, 6);
    QVERIFY(diagnostic.text.startsWith(u"this rule would hold for every visitor"_s));
}

void TestSegmentRule::holdsForEveryone_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("everyone");

    QTest::newRow("trait") << u"1T"_s << false;
    QTest::newRow("not") << u"NOT 1T"_s << true;
    QTest::newRow("at most") << u"FREQUENCY([1T]) <= 5"_s << true;
    QTest::newRow("at most with recency") << u"FREQUENCY([1T] <= 5D) <= 5"_s << true;
    QTest::newRow("older at most") << u"FREQUENCY([1T] >= 5D) <= 0"_s << true;
    QTest::newRow("at least 1") << u"FREQUENCY([1T] >= 5D) >= 1"_s << false;
    QTest::newRow("exactly 0") << u"FREQUENCY([1T]) == 0"_s << true;
    QTest::newRow("exactly 1") << u"FREQUENCY([1T]) == 1"_s << false;
    QTest::newRow("or not") << u"1T OR NOT 2T"_s << true;
    QTest::newRow("and not") << u"1T AND NOT 2T"_s << false;
    QTest::newRow("not not") << u"NOT NOT 1T"_s << false;
    QTest::newRow("not of and") << u"NOT (1T AND NOT 2T)"_s << true;
}

void TestSegmentRule::holdsForEveryone()
{
    QFETCH(QString, text);
    QFETCH(bool, everyone);

    const SegmentRule rule = parsed(text);
    QCOMPARE(rule.holdsForEveryone(), everyone);
    // The same as evaluating on no realizations, at any instant.
    const MapSource none;
    for (const qint64 instant : {qint64(0), Now, -Now, Never - 1})
        QCOMPARE(rule.holds(none, instant), everyone);
}

void TestSegmentRule::listsTraitSids()
{
    QCOMPARE(parsed(u"FREQUENCY([3T, 1T]) >= 1 AND 1T OR NOT 2T AND 3T"_s).traitSids(),
             (QList<qint64>{3, 1, 2}));
    QCOMPARE(parsed(u"42T"_s).traitSids(), QList<qint64>{42});
    QCOMPARE(SegmentRule().traitSids(), QList<qint64>());
}

// Seeded random trees: printed and re-parsed they are the same tree, print the same, and
// evaluate the same as the tree and as the reference model, at random instants.
void TestSegmentRule::randomTreesRoundTrip()
{
    QRandomGenerator rng(20240320);
    int evaluations = 0;
    for (int round = 0; round < 3000; ++round) {
        const RefNode reference = randomNode(rng, int(rng.bounded(0, 5)));
        const SegmentRule rule = build(reference);
        const QString text = rule.toString();
        RuleDiagnostic diagnostic;
        const std::optional<SegmentRule> again = SegmentRule::parse(text, &diagnostic);
        QVERIFY2(again, qPrintable(text + u": "_s + diagnostic.message()));
        QVERIFY2(*again == rule, qPrintable(text));
        QCOMPARE(again->toString(), text);

        const MapSource source = randomSource(rng, Now);
        for (int probe = 0; probe < 3; ++probe) {
            const qint64 at = Now + qint64(rng.bounded(-2, 3)) * Day
                              + (probe == 0 ? 0 : qint64(rng.bounded(-2, 3)));
            const bool expected = refHolds(reference, source, at);
            QVERIFY2(rule.holds(source, at) == expected, qPrintable(text));
            QVERIFY2(again->evaluate(source, at).holds == expected, qPrintable(text));
            ++evaluations;
        }
    }
    QVERIFY(evaluations >= 9000);
}

// --- time ---------------------------------------------------------------------------------

void TestSegmentRule::expiresByTtl_data()
{
    QTest::addColumn<qint64>("time");
    QTest::addColumn<int>("ttlDays");
    QTest::addColumn<qint64>("expires");

    QTest::newRow("ttl 0 never") << utcMs(2024, 3, 10, 15) << 0 << Never;
    QTest::newRow("negative ttl never") << utcMs(2024, 3, 10, 15) << -1 << Never;
    QTest::newRow("ttl 1 at midnight")
        << utcMs(2024, 3, 10) << 1 << utcMs(2024, 3, 12);
    QTest::newRow("ttl 1 at noon") << utcMs(2024, 3, 10, 12) << 1 << utcMs(2024, 3, 12);
    QTest::newRow("ttl 1 last ms of the day")
        << utcMs(2024, 3, 10, 23, 59, 59, 999) << 1 << utcMs(2024, 3, 12);
    QTest::newRow("ttl 1 first ms of the next day")
        << utcMs(2024, 3, 11) << 1 << utcMs(2024, 3, 13);
    QTest::newRow("ttl 1 over new year")
        << utcMs(2023, 12, 31, 18) << 1 << utcMs(2024, 1, 2);
    QTest::newRow("ttl 2 over a leap day")
        << utcMs(2024, 2, 28, 6) << 2 << utcMs(2024, 3, 2);
    QTest::newRow("ttl 120") << utcMs(2024, 3, 10, 12) << 120 << utcMs(2024, 7, 9);
    QTest::newRow("ttl 1 at the epoch") << qint64(0) << 1 << 2 * Day;
    QTest::newRow("ttl 1 before the epoch") << qint64(-1) << 1 << Day;
    QTest::newRow("ttl 1 a day before the epoch") << -Day << 1 << Day;
    QTest::newRow("ttl 1 just past a day before the epoch") << -Day - 1 << 1 << qint64(0);
    QTest::newRow("beyond qint64") << Never - 5 << 1 << Never;
    QTest::newRow("largest ttl")
        << utcMs(2024, 3, 10) << std::numeric_limits<int>::max()
        << utcMs(2024, 3, 10) + (qint64(std::numeric_limits<int>::max()) + 1) * Day;
}

void TestSegmentRule::expiresByTtl()
{
    QFETCH(qint64, time);
    QFETCH(int, ttlDays);
    QFETCH(qint64, expires);

    QCOMPARE(realizationExpiryMs(time, ttlDays), expires);
    const Realization realization = makeRealization(time, ttlDays);
    QCOMPARE(realization.timeMs, time);
    QCOMPARE(realization.expiresMs, expires);
    if (expires != Never) {
        QVERIFY(!realization.isExpiredAt(expires - 1));
        QVERIFY(realization.isExpiredAt(expires));
    }
}

void TestSegmentRule::traitCountsUntilItExpires_data()
{
    QTest::addColumn<qint64>("timeOffset");
    QTest::addColumn<qint64>("expiresOffset");
    QTest::addColumn<bool>("holds");

    QTest::newRow("realized now") << qint64(0) << Day << true;
    QTest::newRow("realized 1 ms from now") << qint64(1) << Day << false;
    QTest::newRow("expires 1 ms from now") << -Day << qint64(1) << true;
    QTest::newRow("expires now") << -Day << qint64(0) << false;
    QTest::newRow("expired 1 ms ago") << -Day << qint64(-1) << false;
    QTest::newRow("never expires") << -1000 * Day << Never << true;
}

void TestSegmentRule::traitCountsUntilItExpires()
{
    QFETCH(qint64, timeOffset);
    QFETCH(qint64, expiresOffset);
    QFETCH(bool, holds);

    MapSource source;
    source.add(1, Now + timeOffset, expiresOffset == Never ? Never : Now + expiresOffset);
    QCOMPARE(parsed(u"1T"_s).holds(source, Now), holds);
    QCOMPARE(parsed(u"FREQUENCY([1T]) >= 1"_s).holds(source, Now), holds);
    QCOMPARE(parsed(u"FREQUENCY([1T] <= 2000D) >= 1"_s).holds(source, Now), holds);
}

void TestSegmentRule::recencyWindowsAtTheirBoundaries_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<qint64>>("offsets"); // realization times of 1T relative to now
    QTest::addColumn<bool>("holds");

    const QString within = u"FREQUENCY([1T] <= 5D) >= 1"_s;
    const QString older = u"FREQUENCY([1T] >= 5D) >= 1"_s;
    QTest::newRow("within: exactly 5 days old") << within << QList<qint64>{-5 * Day} << true;
    QTest::newRow("within: 1 ms too old") << within << QList<qint64>{-5 * Day - 1} << false;
    QTest::newRow("within: 1 ms young enough") << within << QList<qint64>{-5 * Day + 1} << true;
    QTest::newRow("within: now") << within << QList<qint64>{0} << true;
    QTest::newRow("within: future") << within << QList<qint64>{1} << false;
    QTest::newRow("older: exactly 5 days old") << older << QList<qint64>{-5 * Day} << true;
    QTest::newRow("older: 1 ms too young") << older << QList<qint64>{-5 * Day + 1} << false;
    QTest::newRow("older: 1 ms older") << older << QList<qint64>{-5 * Day - 1} << true;
    QTest::newRow("older: long ago") << older << QList<qint64>{-400 * Day} << true;
    QTest::newRow("older: now") << older << QList<qint64>{0} << false;
    QTest::newRow("within 1 day: both in")
        << u"FREQUENCY([1T] <= 1D) >= 2"_s << QList<qint64>{-Day, 0} << true;
    QTest::newRow("within 1 day: one out")
        << u"FREQUENCY([1T] <= 1D) >= 2"_s << QList<qint64>{-Day - 1, 0} << false;
    QTest::newRow("no recency counts all")
        << u"FREQUENCY([1T]) >= 2"_s << QList<qint64>{-1000 * Day, 0} << true;
    QTest::newRow("exactly: the 5-day-old one is in both windows")
        << u"FREQUENCY([1T] <= 5D) == 2 AND FREQUENCY([1T] >= 5D) == 2"_s
        << QList<qint64>{-5 * Day, -Day, -6 * Day} << true;
    QTest::newRow("at most: young ones only")
        << u"1T AND FREQUENCY([1T] <= 2D) <= 1"_s << QList<qint64>{-3 * Day, -2 * Day} << true;
    QTest::newRow("at most: two young ones")
        << u"1T AND FREQUENCY([1T] <= 2D) <= 1"_s << QList<qint64>{-2 * Day, -Day} << false;
}

void TestSegmentRule::recencyWindowsAtTheirBoundaries()
{
    QFETCH(QString, text);
    QFETCH(QList<qint64>, offsets);
    QFETCH(bool, holds);

    MapSource source;
    for (const qint64 offset : offsets)
        source.add(1, Now + offset);
    const SegmentRule rule = parsed(text);
    QCOMPARE(rule.holds(source, Now), holds);
    QCOMPARE(rule.evaluate(source, Now).holds, holds);
    QCOMPARE(rule.explain(source, Now).holds, holds);
}

void TestSegmentRule::ttlOneCountsUntilTheEndOfTheFollowingDay()
{
    MapSource source;
    source.addAll(1, {makeRealization(utcMs(2024, 3, 10, 23, 59, 59, 999), 1)});
    const SegmentRule rule = parsed(u"1T"_s);
    QVERIFY(rule.holds(source, utcMs(2024, 3, 10, 23, 59, 59, 999)));
    QVERIFY(rule.holds(source, utcMs(2024, 3, 11, 23, 59, 59, 999)));
    QVERIFY(!rule.holds(source, utcMs(2024, 3, 12)));
    const SegmentEvaluation evaluation = rule.evaluate(source, utcMs(2024, 3, 11, 8));
    QVERIFY(evaluation.holds);
    QCOMPARE(evaluation.nextChangeMs, utcMs(2024, 3, 12));

    MapSource forever;
    forever.addAll(1, {makeRealization(utcMs(2000, 1, 1), 0)});
    QVERIFY(rule.holds(forever, utcMs(2100, 1, 1)));
    QCOMPARE(rule.evaluate(forever, utcMs(2024, 1, 1)).nextChangeMs, Never);
}

void TestSegmentRule::folderTraitsCountTheirChildren()
{
    // Folder 10 holds traits 1 and 2: the engine answers 10 with their realizations together.
    MapSource source;
    source.add(1, Now - Day);
    source.add(1, Now - 2 * Day);
    source.add(2, Now - 3 * Day);
    source.add(2, Now - 9 * Day);
    source.addAll(10, source.list(1) + source.list(2));

    QVERIFY(parsed(u"FREQUENCY([10T] <= 7D) >= 3"_s).holds(source, Now));
    QVERIFY(!parsed(u"FREQUENCY([10T] <= 7D) >= 4"_s).holds(source, Now));
    QVERIFY(parsed(u"FREQUENCY([10T]) == 4"_s).holds(source, Now));
    QVERIFY(parsed(u"FREQUENCY([1T, 2T] <= 7D) == 3"_s).holds(source, Now));
    QVERIFY(parsed(u"FREQUENCY([10T] >= 7D) == 1"_s).holds(source, Now));
    QVERIFY(parsed(u"10T"_s).holds(source, Now));
    const SegmentExplanation explanation =
        parsed(u"FREQUENCY([10T] <= 7D) >= 3"_s).explain(source, Now);
    QCOMPARE(explanation.count, 3);
    // The 3-day-old one leaves the 7-day window first.
    QCOMPARE(explanation.change.atMs, Now - 3 * Day + 7 * Day + 1);
}

void TestSegmentRule::nextChange_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<qint64>>("realizations"); // sid, time offset, expiry offset, ...
    QTest::addColumn<bool>("holds");
    QTest::addColumn<qint64>("conservative");
    QTest::addColumn<qint64>("exact");

    QTest::newRow("expiry") << u"1T"_s << QList<qint64>{1, -Day, 5} << true << qint64(5)
                            << qint64(5);
    QTest::newRow("never") << u"1T"_s << QList<qint64>{1, -Day, Never} << true << Never
                           << Never;
    QTest::newRow("no realizations") << u"1T"_s << QList<qint64>{} << false << Never << Never;
    QTest::newRow("future realization")
        << u"1T"_s << QList<qint64>{1, 100, Never} << false << qint64(100) << qint64(100);
    QTest::newRow("leaves the window")
        << u"FREQUENCY([1T] <= 5D) >= 2"_s
        << QList<qint64>{1, -Day, Never, 1, -2 * Day, Never} << true << 3 * Day + 1
        << 3 * Day + 1;
    QTest::newRow("grows old enough")
        << u"FREQUENCY([1T] >= 5D) >= 1"_s << QList<qint64>{1, -Day, Never} << false
        << 4 * Day << 4 * Day;
    QTest::newRow("joins when one expires")
        << u"FREQUENCY([1T]) <= 1 AND 2T"_s
        << QList<qint64>{1, -Day, Day, 1, -Day, Never, 2, -Day, Never} << false << Day << Day;
    QTest::newRow("or: the later one decides")
        << u"1T OR 2T"_s << QList<qint64>{1, -Day, Day, 2, -Day, 3 * Day} << true << Day
        << 3 * Day;
    QTest::newRow("expired ones do not count")
        << u"1T"_s << QList<qint64>{1, -2 * Day, -Day} << false << Never << Never;
    QTest::newRow("expires before it is old enough")
        << u"FREQUENCY([1T] >= 5D) >= 1"_s << QList<qint64>{1, -Day, Day} << false << Never
        << Never;
    QTest::newRow("unrelated traits do not matter")
        << u"1T"_s << QList<qint64>{1, -Day, Never, 2, -Day, 5} << true << Never << Never;
    QTest::newRow("window edge then expiry")
        << u"NOT FREQUENCY([1T] <= 1D) >= 1 AND 1T"_s << QList<qint64>{1, -Day / 2, 2 * Day}
        << false << Day / 2 + 1 << Day / 2 + 1;
}

void TestSegmentRule::nextChange()
{
    QFETCH(QString, text);
    QFETCH(QList<qint64>, realizations);
    QFETCH(bool, holds);
    QFETCH(qint64, conservative);
    QFETCH(qint64, exact);

    MapSource source;
    for (qsizetype i = 0; i + 2 < realizations.size(); i += 3) {
        const qint64 expires = realizations.at(i + 2);
        source.add(realizations.at(i), Now + realizations.at(i + 1),
                   expires == Never ? Never : Now + expires);
    }
    const SegmentRule rule = parsed(text);
    const SegmentEvaluation evaluation = rule.evaluate(source, Now);
    QCOMPARE(evaluation.holds, holds);
    QCOMPARE(evaluation.nextChangeMs, conservative == Never ? Never : Now + conservative);
    const SegmentChange change = rule.nextChange(source, Now);
    QVERIFY(change.exact);
    QCOMPARE(change.atMs, exact == Never ? Never : Now + exact);
    if (change.atMs != Never) {
        QCOMPARE(rule.holds(source, change.atMs - 1), holds);
        QCOMPARE(rule.holds(source, change.atMs), !holds);
    }
}

void TestSegmentRule::nextChangeGivesUpSafely()
{
    // Held by ten realizations expiring one after another: the result changes at the last.
    MapSource source;
    for (qint64 i = 1; i <= 10; ++i)
        source.add(1, Now - Day, Now + i * 1000);
    const SegmentRule rule = parsed(u"1T"_s);
    QCOMPARE(rule.evaluate(source, Now).nextChangeMs, Now + 1000);

    const SegmentChange exact = rule.nextChange(source, Now);
    QVERIFY(exact.exact);
    QCOMPARE(exact.atMs, Now + 10 * 1000);

    const SegmentChange cut = rule.nextChange(source, Now, 3);
    QVERIFY(!cut.exact);
    QCOMPARE(cut.atMs, Now + 4 * 1000); // the first instant not yet checked: still not late
    QVERIFY(rule.holds(source, cut.atMs));

    const SegmentChange none = rule.nextChange(source, Now, 0);
    QVERIFY(!none.exact);
    QCOMPARE(none.atMs, Now + 1000);
}

// For random rules and visitors: nothing changes before nextChangeMs, and the exact change is
// the first candidate instant at which the result differs.
void TestSegmentRule::nextChangeIsNeverLate()
{
    QRandomGenerator rng(7);
    int changes = 0;
    for (int round = 0; round < 3000; ++round) {
        const RefNode reference = randomNode(rng, int(rng.bounded(0, 4)));
        const SegmentRule rule = build(reference);
        const MapSource source = randomSource(rng, Now);
        const qint64 now = Now + qint64(rng.bounded(-2, 3)) * Day + qint64(rng.bounded(-1, 2));
        const bool holdsNow = refHolds(reference, source, now);
        const SegmentEvaluation evaluation = rule.evaluate(source, now);
        const QString context = rule.toString();
        QVERIFY2(evaluation.holds == holdsNow, qPrintable(context));
        QVERIFY(evaluation.nextChangeMs > now);

        const SegmentChange change = rule.nextChange(source, now);
        QVERIFY2(change.exact, qPrintable(context));
        QVERIFY2(evaluation.nextChangeMs <= change.atMs, qPrintable(context));
        if (evaluation.nextChangeMs != Never) {
            QVERIFY2(refHolds(reference, source, evaluation.nextChangeMs - 1) == holdsNow,
                     qPrintable(context));
        }
        // Every candidate instant before the change keeps the result, and so does the
        // millisecond before each.
        for (const qint64 bound : allBounds(source)) {
            if (bound <= now || bound >= change.atMs)
                continue;
            QVERIFY2(refHolds(reference, source, bound) == holdsNow, qPrintable(context));
            QVERIFY2(refHolds(reference, source, bound - 1) == holdsNow, qPrintable(context));
        }
        if (change.atMs != Never) {
            QVERIFY2(refHolds(reference, source, change.atMs - 1) == holdsNow,
                     qPrintable(context));
            QVERIFY2(refHolds(reference, source, change.atMs) != holdsNow, qPrintable(context));
            ++changes;
        }
    }
    QVERIFY(changes > 500); // the property was exercised, not vacuously true
}

// --- explain ------------------------------------------------------------------------------

void TestSegmentRule::explainsEveryPart()
{
    MapSource source;
    source.add(1, Now - Day, Now + 3 * Day);
    source.add(2, Now - 2 * Day);
    source.add(2, Now - 6 * Day);
    source.add(3, Now - Day, Now + Day);
    source.add(4, Now - Day);
    const SegmentRule rule =
        parsed(u"1T and (frequency([2T, 3T] <= 5D) >= 2 or not 4T) and frequency([3T]) <= 3"_s);
    const SegmentExplanation root = rule.explain(source, Now);

    QCOMPARE(describe(root),
             u"1T AND (FREQUENCY([2T, 3T] <= 5D) >= 2 OR NOT 4T) AND FREQUENCY([3T]) <= 3 holds\n"
             "  1T holds count=1\n"
             "  FREQUENCY([2T, 3T] <= 5D) >= 2 OR NOT 4T holds\n"
             "    FREQUENCY([2T, 3T] <= 5D) >= 2 holds count=2\n"
             "    NOT 4T fails\n"
             "      4T holds count=1\n"
             "  FREQUENCY([3T]) <= 3 holds count=1\n"_s);
    QCOMPARE(root.kind, SegmentNodeKind::And);
    QCOMPARE(root.children.size(), 3);
    // 3T expires in a day: the FREQUENCY then counts 1, the OR fails, the visitor leaves.
    QCOMPARE(root.change.atMs, Now + Day);
    QVERIFY(root.change.exact);
    QCOMPARE(root.change.atMs, rule.nextChange(source, Now).atMs);

    const SegmentExplanation &trait = root.children.at(0);
    QCOMPARE(trait.kind, SegmentNodeKind::Trait);
    QCOMPARE(trait.windowFromMs, SegmentExplanation::Unbounded);
    QCOMPARE(trait.windowToMs, Now);
    QCOMPARE(trait.change.atMs, Now + 3 * Day);

    const SegmentExplanation &either = root.children.at(1);
    QCOMPARE(either.kind, SegmentNodeKind::Or);
    const SegmentExplanation &frequency = either.children.at(0);
    QCOMPARE(frequency.kind, SegmentNodeKind::Frequency);
    QCOMPARE(frequency.windowFromMs, Now - 5 * Day);
    QCOMPARE(frequency.windowToMs, Now);
    QCOMPARE(frequency.change.atMs, Now + Day);
    const SegmentExplanation &negation = either.children.at(1);
    QCOMPARE(negation.kind, SegmentNodeKind::Not);
    QCOMPARE(negation.count, 0);
    QCOMPARE(negation.change.atMs, Never);

    const SegmentExplanation older =
        parsed(u"FREQUENCY([2T] >= 5D) >= 1"_s).explain(source, Now);
    QCOMPARE(older.count, 1);
    QCOMPARE(older.windowFromMs, SegmentExplanation::Unbounded);
    QCOMPARE(older.windowToMs, Now - 5 * Day);
    QVERIFY(older.holds);
    QCOMPARE(older.change.atMs, Never);
}

void TestSegmentRule::emptyRuleHoldsForNobody()
{
    const SegmentRule empty;
    MapSource source;
    source.add(1, Now);
    QVERIFY(empty.isEmpty());
    QCOMPARE(empty.toString(), QString());
    QVERIFY(!empty.holds(source, Now));
    QVERIFY(!empty.evaluate(source, Now).holds);
    QCOMPARE(empty.evaluate(source, Now).nextChangeMs, Never);
    QCOMPARE(empty.nextChange(source, Now).atMs, Never);
    QVERIFY(!empty.holdsForEveryone());
    QCOMPARE(empty.explain(source, Now).text, QString());
    QVERIFY(empty == SegmentRule());
    QVERIFY(!(empty == SegmentRule::trait(1)));
}

QTEST_GUILESS_MAIN(TestSegmentRule)

#include "tst_segmentrule.moc"
