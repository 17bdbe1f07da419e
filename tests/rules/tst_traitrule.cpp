// The trait rule language (rules.md, "Trait rule language"): parsing with exact diagnostics,
// canonical printing that round-trips, the meaning of every operator, and a property test
// against an independent reference evaluator.
#include "rules/rulesignals.h"
#include "rules/traitrule.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using Dcs::CompiledTraitRule;
using Dcs::RuleDiagnostic;
using Dcs::RuleSignals;
using Dcs::RuleValue;
using Dcs::Signal;
using Dcs::TraitRuleNode;
using Dcs::TraitRuleOperator;
using Dcs::TraitRuleParse;
namespace TraitRule = Dcs::TraitRule;

namespace {

// "k=v1|v2;k2=v": a compact spelling of a call's signals for the tables. "k=" is one empty
// value; "k" alone is a key with no value at all.
QList<Signal> parseSignals(const QString &spec)
{
    QList<Signal> result;
    if (spec.isEmpty())
        return result;
    for (const QString &pair : spec.split(u';')) {
        const qsizetype equals = pair.indexOf(u'=');
        if (equals < 0) {
            result.append(Signal{pair, {}});
            continue;
        }
        result.append(Signal{pair.first(equals), pair.sliced(equals + 1).split(u'|')});
    }
    return result;
}

std::shared_ptr<const CompiledTraitRule> compiled(const QString &text)
{
    const TraitRuleParse parse = TraitRule::compile(text);
    if (!parse.ok()) {
        qWarning("rule %s: %s", qPrintable(text),
                 qPrintable(parse.diagnostics.value(0).message()));
    }
    return parse.rule;
}

QString describe(const QList<RuleDiagnostic> &diagnostics)
{
    QStringList lines;
    for (const RuleDiagnostic &diagnostic : diagnostics)
        lines.append(diagnostic.message());
    return lines.join(u" | ");
}

// ---------------------------------------------------------------------------------------------
// The reference for the property test: rules.md's meaning written the slow, obvious way, with
// Qt's own number reading and regular expressions, sharing no code with the evaluator.

struct RefNode
{
    enum class Kind { And, Or, Not, Comparison };
    Kind kind = Kind::Comparison;
    std::vector<RefNode> children;
    QString key;
    TraitRuleOperator op = TraitRuleOperator::Equal;
    QString value;
};

QString asciiLower(QString text)
{
    for (QChar &ch : text) {
        if (ch.unicode() >= u'A' && ch.unicode() <= u'Z')
            ch = QChar(ch.unicode() + 32);
    }
    return text;
}

bool refIsNumber(const QString &text)
{
    static const QRegularExpression decimal(u"^[+-]?[0-9]+(\\.[0-9]+)?$"_s);
    return decimal.match(text).hasMatch();
}

bool refHolds(TraitRuleOperator op, const QString &signalValue, const QString &ruleValue)
{
    // The pools below keep numbers short, so doubles compare them exactly.
    const bool numeric = refIsNumber(signalValue) && refIsNumber(ruleValue);
    const double a = signalValue.toDouble();
    const double b = ruleValue.toDouble();
    const QString text = asciiLower(signalValue);
    const QString wanted = asciiLower(ruleValue);
    switch (op) {
    case TraitRuleOperator::Equal: return numeric ? a == b : text == wanted;
    case TraitRuleOperator::NotEqual: return numeric ? a != b : text != wanted;
    case TraitRuleOperator::Less: return numeric && a < b;
    case TraitRuleOperator::Greater: return numeric && a > b;
    case TraitRuleOperator::LessOrEqual: return numeric && a <= b;
    case TraitRuleOperator::GreaterOrEqual: return numeric && a >= b;
    case TraitRuleOperator::Contains: return text.contains(wanted);
    case TraitRuleOperator::StartsWith: return text.startsWith(wanted);
    case TraitRuleOperator::EndsWith: return text.endsWith(wanted);
    case TraitRuleOperator::MatchesRegex:
        return QRegularExpression(ruleValue).match(signalValue).hasMatch();
    case TraitRuleOperator::MatchesWords: {
        static const QRegularExpression separators(u"[\\s,]+"_s);
        const QString wordChar = u"[\\p{L}\\p{N}\\p{M}_]"_s;
        for (const QString &word : wanted.split(separators, Qt::SkipEmptyParts)) {
            const QRegularExpression whole(u"(?<!"_s + wordChar + u")"_s
                                           + QRegularExpression::escape(word) + u"(?!"_s
                                           + wordChar + u")"_s);
            if (whole.match(text).hasMatch())
                return true;
        }
        return false;
    }
    }
    return false;
}

bool refEvaluate(const RefNode &node, const QHash<QString, QStringList> &values)
{
    switch (node.kind) {
    case RefNode::Kind::And:
        for (const RefNode &child : node.children) {
            if (!refEvaluate(child, values))
                return false;
        }
        return true;
    case RefNode::Kind::Or:
        for (const RefNode &child : node.children) {
            if (refEvaluate(child, values))
                return true;
        }
        return false;
    case RefNode::Kind::Not:
        return !refEvaluate(node.children.front(), values);
    case RefNode::Kind::Comparison:
        for (const QString &value : values.value(node.key)) {
            if (refHolds(node.op, value, node.value))
                return true;
        }
        return false;
    }
    return false;
}

// AND in AND and OR in OR merged: the shape the parser promises.
RefNode normalised(const RefNode &node)
{
    RefNode result = node;
    result.children.clear();
    for (const RefNode &child : node.children) {
        RefNode normalChild = normalised(child);
        if (node.kind != RefNode::Kind::Not && normalChild.kind == node.kind) {
            for (RefNode &grandChild : normalChild.children)
                result.children.push_back(std::move(grandChild));
        } else {
            result.children.push_back(std::move(normalChild));
        }
    }
    return result;
}

bool sameShape(const QList<TraitRuleNode> &nodes, int index, const RefNode &ref)
{
    const TraitRuleNode &node = nodes.at(index);
    if (int(node.kind) != int(ref.kind) || node.children.size() != qsizetype(ref.children.size()))
        return false;
    if (node.kind == TraitRuleNode::Kind::Comparison)
        return node.key == ref.key && node.op == ref.op && node.value == ref.value;
    for (qsizetype i = 0; i < node.children.size(); ++i) {
        if (!sameShape(nodes, node.children.at(i), ref.children.at(size_t(i))))
            return false;
    }
    return true;
}

// Random rules, written in a random but valid style: keyword and operator case, spacing
// (tabs, newlines, no-break spaces, none where the grammar allows), quotes, optional escapes,
// bare values and redundant parentheses.
class RuleGenerator
{
public:
    explicit RuleGenerator(quint32 seed)
        : m_random(seed)
    {}

    RefNode tree(int depth)
    {
        // The root is mostly a combination; deeper down, mostly comparisons.
        const int roll = depth >= 4 ? 0 : int(m_random.bounded(10));
        const int comparisonBelow = depth == 0 ? 1 : 5;
        RefNode node;
        if (roll < comparisonBelow) {
            node.kind = RefNode::Kind::Comparison;
            node.key = pickFrom(keys());
            node.op = TraitRuleOperator(m_random.bounded(11));
            if (node.op == TraitRuleOperator::MatchesRegex)
                node.value = pickFrom(regexes());
            else if (node.op == TraitRuleOperator::MatchesWords)
                node.value = pickFrom(wordLists());
            else
                node.value = pickFrom(ruleValues());
            return node;
        }
        if (roll < comparisonBelow + 2) {
            node.kind = RefNode::Kind::Not;
            node.children.push_back(tree(depth + 1));
            return node;
        }
        node.kind = m_random.bounded(2) ? RefNode::Kind::Or : RefNode::Kind::And;
        const int count = 2 + int(m_random.bounded(3));
        for (int i = 0; i < count; ++i)
            node.children.push_back(tree(depth + 1));
        return node;
    }

    QString text(const RefNode &node, int minimumPrecedence = 0)
    {
        const int precedence = node.kind == RefNode::Kind::Or    ? 1
                               : node.kind == RefNode::Kind::And ? 2
                               : node.kind == RefNode::Kind::Not ? 3
                                                                 : 4;
        QString out;
        switch (node.kind) {
        case RefNode::Kind::And:
        case RefNode::Kind::Or: {
            const QString keyword = node.kind == RefNode::Kind::And ? u"and"_s : u"or"_s;
            for (size_t i = 0; i < node.children.size(); ++i) {
                if (i > 0)
                    out += space() + randomCase(keyword) + space();
                out += text(node.children.at(i), precedence);
            }
            break;
        }
        case RefNode::Kind::Not:
            out = randomCase(u"not"_s) + space() + text(node.children.front(), precedence);
            break;
        case RefNode::Kind::Comparison:
            out = comparison(node);
            break;
        }
        if (precedence < minimumPrecedence || m_random.bounded(8) == 0)
            out = u'(' + maybeSpace() + out + maybeSpace() + u')';
        return out;
    }

    QList<Signal> signalSet(QStringList *partnerCodes)
    {
        QList<Signal> result;
        for (const QString &key : keys()) {
            if (m_random.bounded(3) == 0)
                continue;
            QStringList values;
            const int count = 1 + int(m_random.bounded(3));
            for (int i = 0; i < count; ++i)
                values.append(pickFrom(signalValues()));
            result.append(Signal{key, values});
        }
        partnerCodes->clear();
        if (m_random.bounded(2)) {
            for (int i = int(m_random.bounded(3)); i > 0; --i)
                partnerCodes->append(pickFrom(signalValues()));
        }
        return result;
    }

private:
    static const QStringList &keys()
    {
        // "ic" mixes partner codes in; "Not" must be quoted as a key; "and-or" need not.
        static const QStringList list = {u"c_a"_s, u"c_B"_s, u"price"_s, u"ic"_s, u"Not"_s,
                                         u"and-or"_s};
        return list;
    }
    static const QStringList &ruleValues()
    {
        static const QStringList list = {
            u"red"_s, u"RED"_s, u"1"_s, u"1.0"_s, u"-3"_s, u"10"_s, u"2.50"_s, u"007"_s,
            u"+4"_s, u"0"_s, u"-0"_s, u""_s, u"é"_s, u"a.b"_s, u"x y"_s, u"a\"b"_s,
            u"c\\d"_s, u"it's"_s, u"back\\"_s, u"1e3"_s, u".5"_s, u"and"_s, u"sky"_s,
            u"a=b"_s, u"(x)"_s};
        return list;
    }
    static const QStringList &regexes()
    {
        static const QStringList list = {u"^r"_s, u"e$"_s, u"(?i)BLUE"_s, u"[0-9]+"_s,
                                         u"a\\.b"_s, u""_s, u"^$"_s, u"é"_s, u"\\\\d"_s,
                                         u"\"|'"_s};
        return list;
    }
    static const QStringList &wordLists()
    {
        static const QStringList list = {u"red blue"_s, u"GREEN,red"_s, u"c++"_s, u"é"_s,
                                         u"x_y"_s, u" sky , car "_s};
        return list;
    }
    static const QStringList &signalValues()
    {
        static const QStringList list = {
            u"red"_s, u"RED"_s, u"Blue sky"_s, u"a red car"_s, u"redder"_s, u"1"_s,
            u"1.0"_s, u"-3"_s, u"10"_s, u"2.50"_s, u"007"_s, u"+4"_s, u"0"_s, u"-0"_s,
            u""_s, u"é"_s, u"É"_s, u"a.b"_s, u"axb"_s, u"x_y"_s, u"c++ fan"_s,
            u"it's"_s, u"a\"b"_s, u"c\\d"_s, u"green,red"_s, u"back\\"_s, u"x y"_s,
            u"1e3"_s, u"AND"_s};
        return list;
    }

    QString pickFrom(const QStringList &list)
    {
        return list.at(qsizetype(m_random.bounded(quint32(list.size()))));
    }

    QString space()
    {
        static const QStringList spaces = {u" "_s, u"  "_s, u"\t"_s, u"\n"_s, u"\u00A0"_s,
                                           u" \r\n "_s};
        return m_random.bounded(3) ? u" "_s : pickFrom(spaces);
    }

    QString maybeSpace() { return m_random.bounded(2) ? space() : QString(); }

    QString randomCase(const QString &word)
    {
        switch (m_random.bounded(3)) {
        case 0: return word.toUpper();
        case 1: return word.toLower();
        default: {
            QString mixed = word;
            for (QChar &ch : mixed)
                ch = m_random.bounded(2) ? ch.toUpper() : ch.toLower();
            return mixed;
        }
        }
    }

    static bool isKeyword(const QString &text)
    {
        const QString lower = text.toLower();
        return lower == u"and" || lower == u"or" || lower == u"not";
    }

    QString quoted(const QString &value, QChar quote)
    {
        QString out = quote;
        for (qsizetype i = 0; i < value.size(); ++i) {
            const QChar ch = value.at(i);
            if (ch == quote) {
                out += u'\\';
            } else if (ch == u'\\') {
                // A backslash before anything but the quote or another backslash may stay
                // single (rules.md): write it both ways.
                const QChar next = i + 1 < value.size() ? value.at(i + 1) : quote;
                if (next == quote || next == u'\\' || m_random.bounded(2))
                    out += u'\\';
            }
            out += ch;
        }
        return out + quote;
    }

    QString comparison(const RefNode &node)
    {
        static const QStringList symbols = {u"=="_s, u"!="_s, u"<"_s, u">"_s, u"<="_s,
                                            u">="_s};
        static const QStringList names = {u"contains"_s, u"startswith"_s, u"endswith"_s,
                                          u"matchesregex"_s, u"matcheswords"_s};
        const QString key = isKeyword(node.key) || m_random.bounded(4) == 0
                                ? u'"' + node.key + u'"'
                                : node.key;
        const int opIndex = int(node.op);
        const bool named = opIndex >= int(TraitRuleOperator::Contains);
        QString op = named ? randomCase(names.at(opIndex - int(TraitRuleOperator::Contains)))
                           : symbols.at(opIndex);
        if (node.op == TraitRuleOperator::GreaterOrEqual && m_random.bounded(2))
            op = u"=>"_s;

        static const QRegularExpression bareSafe(u"^[^\\s()\"'=!<>~]+$"_s);
        const bool canBeBare = bareSafe.match(node.value).hasMatch() && !isKeyword(node.value);
        QString value;
        switch (m_random.bounded(canBeBare ? 3 : 2)) {
        case 0: value = quoted(node.value, u'"'); break;
        case 1: value = quoted(node.value, u'\''); break;
        default: value = node.value; break;
        }
        const bool valueQuoted = !value.isEmpty() && (value.front() == u'"'
                                                      || value.front() == u'\'');
        const QString beforeOp = named ? space() : maybeSpace();
        const QString afterOp = named && !valueQuoted ? space() : maybeSpace();
        return key + beforeOp + op + afterOp + value;
    }

    QRandomGenerator m_random;
};

} // namespace

class TestTraitRule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void specExamples_data();
    void specExamples();
    void validRules_data();
    void validRules();
    void invalidRules_data();
    void invalidRules();
    void everyBadValueIsReported();
    void nesting();
    void semantics_data();
    void semantics();
    void hugeValues();
    void numbers_data();
    void numbers();
    void compareNumbers_data();
    void compareNumbers();
    void ruleSignals();
    void treeAndPositions();
    void explain();
    void keys();
    void sharedAcrossThreads();
    void randomRulesRoundTripAndAgree();
};

// ---------------------------------------------------------------------------------------------

void TestTraitRule::specExamples_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("signalSpec");
    QTest::addColumn<QStringList>("partnerCodes");
    QTest::addColumn<bool>("expected");

    const QString makeModel = u"(c_make==\"A\") AND (c_model==\"B\")"_s;
    QTest::newRow("make and model") << makeModel << u"c_make=A;c_model=B"_s << QStringList()
                                    << true;
    QTest::newRow("make and model, any case") << makeModel << u"c_make=a;c_model=b"_s
                                              << QStringList() << true;
    QTest::newRow("make only") << makeModel << u"c_make=A"_s << QStringList() << false;
    QTest::newRow("wrong model") << makeModel << u"c_make=A;c_model=C"_s << QStringList()
                                 << false;

    const QString aOrB = u"(a== \"1\" OR b==\"1\") AND (c==\"new\")"_s;
    QTest::newRow("a and c") << aOrB << u"a=1;c=new"_s << QStringList() << true;
    QTest::newRow("b and c") << aOrB << u"b=1.0;c=NEW"_s << QStringList() << true;
    QTest::newRow("a, b, no c") << aOrB << u"a=1;b=1"_s << QStringList() << false;
    QTest::newRow("c only") << aOrB << u"c=new"_s << QStringList() << false;

    const QString priceRange = u"price >= 1.00 AND price <= 100.00"_s;
    QTest::newRow("price 1") << priceRange << u"price=1"_s << QStringList() << true;
    QTest::newRow("price 100.000") << priceRange << u"price=100.000"_s << QStringList() << true;
    QTest::newRow("price 0.99") << priceRange << u"price=0.99"_s << QStringList() << false;
    QTest::newRow("price 100.01") << priceRange << u"price=100.01"_s << QStringList() << false;
    QTest::newRow("price text") << priceRange << u"price=cheap"_s << QStringList() << false;

    QTest::newRow("productkey") << u"productkey == 2093"_s << u"productkey=2093"_s
                                << QStringList() << true;
    QTest::newRow("productkey 2093.0") << u"productkey == 2093"_s << u"productkey=2093.0"_s
                                       << QStringList() << true;
    QTest::newRow("productkey other") << u"productkey == 2093"_s << u"productkey=2094"_s
                                      << QStringList() << false;

    const QString spanish = u"h_accept-language startswith 'es'"_s;
    QTest::newRow("es-ES") << spanish << u"h_accept-language=es-ES,es;q=0.9"_s
                           << QStringList() << true;
    QTest::newRow("ES") << spanish << u"h_accept-language=ES"_s << QStringList() << true;
    QTest::newRow("en first") << spanish << u"h_accept-language=en-US,es;q=0.5"_s
                              << QStringList() << false;

    const QString shop = u"c_url matchesregex \"^https?://shop\\.\""_s;
    QTest::newRow("https shop") << shop << u"c_url=https://shop.example/cart"_s
                                << QStringList() << true;
    QTest::newRow("http shop") << shop << u"c_url=http://shop.example"_s << QStringList()
                               << true;
    QTest::newRow("shopx") << shop << u"c_url=https://shopx.example"_s << QStringList()
                           << false;
    QTest::newRow("www") << shop << u"c_url=https://www.shop.example"_s << QStringList()
                         << false;

    QTest::newRow("partner code") << u"ic == \"seg-123\""_s << QString()
                                  << QStringList{u"x"_s, u"seg-123"_s} << true;
    QTest::newRow("partner code missing") << u"ic == \"seg-123\""_s << QString()
                                          << QStringList{u"seg-124"_s} << false;
}

void TestTraitRule::specExamples()
{
    QFETCH(QString, rule);
    QFETCH(QString, signalSpec);
    QFETCH(QStringList, partnerCodes);
    QFETCH(bool, expected);

    const auto compiledRule = compiled(rule);
    QVERIFY(compiledRule);
    const RuleSignals signalSet(parseSignals(signalSpec), partnerCodes);
    QCOMPARE(compiledRule->matches(signalSet), expected);
    QCOMPARE(compiledRule->explain(signalSet).first().holds, expected);
}

// ---------------------------------------------------------------------------------------------

void TestTraitRule::validRules_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("printed");

    const auto row = [](const char *name, const QString &rule, const QString &printed) {
        QTest::newRow(name) << rule << printed;
    };
    row("spec make model", u"(c_make==\"A\") AND (c_model==\"B\")"_s,
        u"c_make == \"A\" AND c_model == \"B\""_s);
    row("spec a or b", u"(a== \"1\" OR b==\"1\") AND (c==\"new\")"_s,
        u"(a == 1 OR b == 1) AND c == \"new\""_s);
    row("spec price", u"price >= 1.00 AND price <= 100.00"_s,
        u"price >= 1.00 AND price <= 100.00"_s);
    row("spec productkey", u"productkey == 2093"_s, u"productkey == 2093"_s);
    row("spec accept-language", u"h_accept-language startswith 'es'"_s,
        u"h_accept-language startswith \"es\""_s);
    row("spec regex", u"c_url matchesregex \"^https?://shop\\.\""_s,
        u"c_url matchesregex \"^https?://shop\\\\.\""_s);
    row("spec ic", u"ic == \"seg-123\""_s, u"ic == \"seg-123\""_s);
    row("=> is >=", u"a => 5"_s, u"a >= 5"_s);
    row("all symbols", u"a==1 OR a!=1 OR a<1 OR a>1 OR a<=1 OR a>=1"_s,
        u"a == 1 OR a != 1 OR a < 1 OR a > 1 OR a <= 1 OR a >= 1"_s);
    row("named operators any case",
        u"a CONTAINS x AND b StartsWith y AND c endsWITH z AND d MatchesRegex r"
        u" AND e MATCHESWORDS w"_s,
        u"a contains \"x\" AND b startswith \"y\" AND c endswith \"z\" AND d matchesregex \"r\""
        u" AND e matcheswords \"w\""_s);
    row("keywords any case", u"not a == 1 and b == 2 Or c == 3"_s,
        u"NOT a == 1 AND b == 2 OR c == 3"_s);
    row("NOT binds tightest", u"NOT a == 1 AND b == 2"_s, u"NOT a == 1 AND b == 2"_s);
    row("NOT of a group", u"not (a == 1 and b == 2)"_s, u"NOT (a == 1 AND b == 2)"_s);
    row("AND NOT", u"a == 1 AND NOT b == 2"_s, u"a == 1 AND NOT b == 2"_s);
    row("AND over OR", u"a == 1 OR b == 2 AND c == 3"_s, u"a == 1 OR b == 2 AND c == 3"_s);
    row("OR in parentheses", u"(a == 1 OR b == 2) AND c == 3"_s,
        u"(a == 1 OR b == 2) AND c == 3"_s);
    row("AND in AND merges", u"a == 1 AND (b == 2 AND c == 3)"_s,
        u"a == 1 AND b == 2 AND c == 3"_s);
    row("OR in OR merges", u"(a == 1 OR b == 2) OR (c == 3)"_s,
        u"a == 1 OR b == 2 OR c == 3"_s);
    row("groups of ANDs", u"(a == 1 AND b == 2) OR (c == 3 AND d == 4)"_s,
        u"a == 1 AND b == 2 OR c == 3 AND d == 4"_s);
    row("NOT of OR before AND", u"NOT (a == 1 OR b == 2) AND c == 3"_s,
        u"NOT (a == 1 OR b == 2) AND c == 3"_s);
    row("redundant parentheses", u"((a == 1))"_s, u"a == 1"_s);
    row("double NOT", u"NOT NOT a == 1"_s, u"NOT NOT a == 1"_s);
    row("NOT of NOT group", u"NOT (NOT a == 1)"_s, u"NOT NOT a == 1"_s);
    row("no spaces", u"a==1 AND(b==2)OR(c==3)"_s, u"a == 1 AND b == 2 OR c == 3"_s);
    row("string then keyword", u"a == \"x\"AND b == 'y'"_s, u"a == \"x\" AND b == \"y\""_s);
    row("quoted key", u"\"c_make\" == \"A\""_s, u"c_make == \"A\""_s);
    row("keyword key stays quoted", u"\"not\" == 1 AND \"AND\" == 2"_s,
        u"\"not\" == 1 AND \"AND\" == 2"_s);
    row("operator name as key", u"contains contains \"x\""_s, u"contains contains \"x\""_s);
    row("key with dash and digits", u"A-b_9 == 1 AND 9a == 2"_s,
        u"A-b_9 == 1 AND 9a == 2"_s);
    row("double quotes in single", u"a == 'say \"hi\"'"_s, u"a == \"say \\\"hi\\\"\""_s);
    row("escaped backslash", u"a == \"back\\\\slash\""_s, u"a == \"back\\\\slash\""_s);
    row("lone backslash kept", u"a == \"a\\.b\""_s, u"a == \"a\\\\.b\""_s);
    row("escaped single quote", u"a == 'it\\'s'"_s, u"a == \"it's\""_s);
    row("\\' in double quotes kept", u"a == \"it\\'s\""_s, u"a == \"it\\\\'s\""_s);
    row("escaped double quote", u"a == \"a\\\"b\""_s, u"a == \"a\\\"b\""_s);
    row("negative number", u"a == -3"_s, u"a == -3"_s);
    row("plus number", u"a > +3.50"_s, u"a > +3.50"_s);
    row("leading zeros", u"a == 00123"_s, u"a == 00123"_s);
    row("quoted number prints bare", u"a == \"1.00\""_s, u"a == 1.00"_s);
    row("bare word", u"c_section == sports"_s, u"c_section == \"sports\""_s);
    row("bare word with punctuation", u"h_host == shop.example/a?b,c"_s,
        u"h_host == \"shop.example/a?b,c\""_s);
    row("exponent is text", u"a == 1e3"_s, u"a == \"1e3\""_s);
    row("leading point is text", u"a == .5"_s, u"a == \".5\""_s);
    row("trailing point is text", u"a == 5."_s, u"a == \"5.\""_s);
    row("empty value", u"a == \"\""_s, u"a == \"\""_s);
    row("unicode value", u"a == é AND b contains '日本'"_s,
        u"a == \"é\" AND b contains \"日本\""_s);
    row("tabs, newlines, no-break spaces",
        u"\ta == 1\r\n\tAND\u00A0b == 2\n"_s, u"a == 1 AND b == 2"_s);
    row("value with spaces", u"c_city == \"new york\""_s, u"c_city == \"new york\""_s);
    row("keyword value quoted", u"a == \"and\""_s, u"a == \"and\""_s);
    row("mixed", u"a != x AND b < 10 OR c > -1.5"_s,
        u"a != \"x\" AND b < 10 OR c > -1.5"_s);
    row("string right after operator name", u"a contains\"x\""_s, u"a contains \"x\""_s);
}

void TestTraitRule::validRules()
{
    QFETCH(QString, rule);
    QFETCH(QString, printed);

    const TraitRuleParse parse = TraitRule::compile(rule);
    QVERIFY2(parse.ok(), qPrintable(describe(parse.diagnostics)));
    QVERIFY(parse.diagnostics.isEmpty());
    QCOMPARE(parse.rule->print(), printed);

    // Round trip: the printed form means the same tree and prints the same again.
    const TraitRuleParse again = TraitRule::compile(printed);
    QVERIFY2(again.ok(), qPrintable(describe(again.diagnostics)));
    QVERIFY(again.rule->hasSameTree(*parse.rule));
    QCOMPARE(again.rule->print(), printed);
}

// ---------------------------------------------------------------------------------------------

void TestTraitRule::invalidRules_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("length");
    QTest::addColumn<QString>("text");

    const QString operators = u"==, !=, <, >, <=, >=, =>, contains, startswith, endswith, "
                              u"matchesregex or matcheswords"_s;
    const auto unknown = [&operators](const QString &op) -> QString {
        return u"unknown operator \""_s + op + u"\": expected "_s + operators;
    };
    const QString trailing = u"expected AND, OR or the end of the rule"_s;
    const QString notClosed = u"\"(\" is never closed"_s;
    const QString tooDeep = u"the rule nests too deeply: at most 100 levels of parentheses "
                            u"and NOT"_s;
    const auto row = [](const char *name, const QString &rule, int line, int column,
                        int length, const QString &text) {
        QTest::newRow(name) << rule << line << column << length << text;
    };

    // Empty
    row("empty", u""_s, 1, 1, 0, u"the rule is empty"_s);
    row("blank", u"  \n\t "_s, 1, 1, 0, u"the rule is empty"_s);
    // Values
    row("no value", u"c_make =="_s, 1, 10, 0, u"expected a value after \"==\""_s);
    row("no value, trailing blanks", u"c_make ==  \n "_s, 1, 10, 0,
        u"expected a value after \"==\""_s);
    row("no value after named operator", u"c_a contains"_s, 1, 13, 0,
        u"expected a value after \"contains\""_s);
    row("parenthesis for value", u"(c_a CONTAINS )"_s, 1, 15, 1,
        u"expected a value after \"CONTAINS\""_s);
    row("keyword for value", u"c_a == AND b == 1"_s, 1, 8, 3,
        u"expected a value after \"==\""_s);
    row("operator for value", u"c_a == == 1"_s, 1, 8, 2, u"expected a value after \"==\""_s);
    row("no value after =>", u"c_a =>"_s, 1, 7, 0, u"expected a value after \"=>\""_s);
    // Operators
    row("=~", u"c_a =~ \"x\""_s, 1, 5, 2, unknown(u"=~"_s));
    row("single =", u"c_a = \"x\""_s, 1, 5, 1, unknown(u"="_s));
    row("===", u"c_a === 1"_s, 1, 5, 3, unknown(u"==="_s));
    row("<>", u"c_a <> 1"_s, 1, 5, 2, unknown(u"<>"_s));
    row("=<", u"c_a=<1"_s, 1, 4, 2, unknown(u"=<"_s));
    row("!", u"c_a ! 1"_s, 1, 5, 1, unknown(u"!"_s));
    row("~", u"c_a ~ 1"_s, 1, 5, 1, unknown(u"~"_s));
    row("like", u"c_a like \"x\""_s, 1, 5, 4, unknown(u"like"_s));
    row("contain", u"c_a contain \"x\""_s, 1, 5, 7, unknown(u"contain"_s));
    row("no operator", u"c_make"_s, 1, 7, 0, u"expected an operator after \"c_make\""_s);
    row("value without operator", u"c_a \"x\""_s, 1, 5, 3,
        u"expected an operator after \"c_a\""_s);
    row("keyword for operator", u"c_a AND c_b == 1"_s, 1, 5, 3,
        u"expected an operator after \"c_a\""_s);
    row("quoted key, no operator", u"\"not\" )"_s, 1, 7, 1,
        u"expected an operator after \"not\""_s);
    // Keys
    row("all-digit key", u"123 == \"x\""_s, 1, 1, 3, u"a key cannot be all digits"_s);
    row("quoted all-digit key", u"\"123\" == \"x\""_s, 1, 1, 5,
        u"a key cannot be all digits"_s);
    row("dot in key", u"c.make == 1"_s, 1, 2, 1, u"\".\" cannot appear in a key"_s);
    row("non-ASCII letter in key", u"c_ä == 1"_s, 1, 3, 1, u"\"ä\" cannot appear in a key"_s);
    row("emoji in key", u"c_😀 == 1"_s, 1, 3, 2, u"\"😀\" cannot appear in a key"_s);
    row("space in quoted key", u"\"c a\" == 1"_s, 1, 1, 5, u"\" \" cannot appear in a key"_s);
    row("empty quoted key", u"\"\" == 1"_s, 1, 1, 2, u"a key cannot be empty"_s);
    row("single-quoted key", u"'c_a' == 1"_s, 1, 1, 5,
        u"a key can be quoted with double quotes only"_s);
    // Comparisons missing
    row("starts with AND", u"AND c_a == 1"_s, 1, 1, 3, u"expected a comparison"_s);
    row("starts with operator", u"== 1"_s, 1, 1, 2, u"expected a comparison"_s);
    row("ends with AND", u"c_a == 1 AND"_s, 1, 13, 0, u"expected a comparison after \"AND\""_s);
    row("ends with lower-case and", u"c_a == 1 and"_s, 1, 13, 0,
        u"expected a comparison after \"AND\""_s);
    row("OR OR", u"c_a == 1 OR OR c_b == 1"_s, 1, 13, 2,
        u"expected a comparison after \"OR\""_s);
    row("AND OR", u"c_a == 1 AND or c_b == 1"_s, 1, 14, 2,
        u"expected a comparison after \"AND\""_s);
    row("NOT alone", u"NOT"_s, 1, 4, 0, u"expected a comparison after \"NOT\""_s);
    row("NOT NOT", u"not not"_s, 1, 8, 0, u"expected a comparison after \"NOT\""_s);
    row("AND NOT at the end", u"c_a == 1 AND NOT"_s, 1, 17, 0,
        u"expected a comparison after \"NOT\""_s);
    row("empty parentheses", u"()"_s, 1, 2, 1, u"expected a comparison after \"(\""_s);
    row("OR before )", u"c_a == 1 AND (c_b == 2 OR)"_s, 1, 26, 1,
        u"expected a comparison after \"OR\""_s);
    // Parentheses
    row("unclosed", u"(c_a == 1"_s, 1, 1, 1, notClosed);
    row("outer unclosed", u"((c_a == 1) AND (c_b == 2)"_s, 1, 1, 1, notClosed);
    row("inner unclosed", u"(c_a == 1) AND ((c_b == 2) OR (c_c == 3"_s, 1, 31, 1, notClosed);
    row("unclosed on line 3", u"c_a == 1 AND\n\n  (c_b == 2\n"_s, 3, 3, 1, notClosed);
    row("unopened )", u"c_a == 1)"_s, 1, 9, 1, u"\")\" has no matching \"(\""_s);
    row("extra )", u"(c_a == 1))"_s, 1, 11, 1, u"\")\" has no matching \"(\""_s);
    row("garbage in group", u"(c_a == 1 c_b == 2)"_s, 1, 11, 3,
        u"expected AND, OR or \")\""_s);
    // Trailing garbage
    row("two comparisons", u"c_a == 1 c_b == 2"_s, 1, 10, 3, trailing);
    row("NOT without AND", u"c_a == 1 NOT c_b == 2"_s, 1, 10, 3, trailing);
    row("unquoted spaces", u"c_city == new york"_s, 1, 15, 4, trailing);
    row("second line", u"c_a == 1\n  c_b"_s, 2, 3, 3, trailing);
    row("stray string", u"c_a == \"x\" \"y\""_s, 1, 12, 3, trailing);
    row("( after comparison", u"c_a == 1 (c_b == 2)"_s, 1, 10, 1, trailing);
    // Strings
    row("unterminated double", u"c_a == \"abc"_s, 1, 8, 1,
        u"unterminated string: expected a closing \""_s);
    row("unterminated single", u"c_a == 'abc"_s, 1, 8, 1,
        u"unterminated string: expected a closing '"_s);
    row("escaped closing quote", u"c_a == \"ab\\\""_s, 1, 8, 1,
        u"unterminated string: expected a closing \""_s);
    row("escaped single quote", u"c_a == 'it\\'s"_s, 1, 8, 1,
        u"unterminated string: expected a closing '"_s);
    row("unterminated later", u"c_a == \"x\" AND c_b == \"y"_s, 1, 23, 1,
        u"unterminated string: expected a closing \""_s);
    row("unterminated key", u"\"c_a == 1"_s, 1, 1, 1,
        u"unterminated string: expected a closing \""_s);
    row("unterminated after garbage", u"c_a == 1 c_b == \"x"_s, 1, 10, 3, trailing);
    // Positions count UTF-16 units and lines
    row("after non-ASCII value", u"c_a == \"é\" AND"_s, 1, 15, 0,
        u"expected a comparison after \"AND\""_s);
    row("after emoji value", u"c_a == \"😀\" AND"_s, 1, 16, 0,
        u"expected a comparison after \"AND\""_s);
    row("tab counts one", u"c_a\t=="_s, 1, 7, 0, u"expected a value after \"==\""_s);
    row("second line value", u"c_a == 1\nAND c_b =="_s, 2, 11, 0,
        u"expected a value after \"==\""_s);
    row("CRLF", u"c_a == 1\r\nAND"_s, 2, 4, 0, u"expected a comparison after \"AND\""_s);
    // Values the operator cannot use
    row("bad regex", u"c_url matchesregex \"(\""_s, 1, 20, 3,
        u"invalid regular expression: missing closing parenthesis "
        u"(at character 2 of the pattern)"_s);
    row("bad class", u"c_a == 1 AND c_url MATCHESREGEX '[a-'"_s, 1, 33, 5,
        u"invalid regular expression: missing terminating ] for character class "
        u"(at character 4 of the pattern)"_s);
    row("backslash at end", u"c_a matchesregex \"\\\\\""_s, 1, 18, 4,
        u"invalid regular expression: \\ at end of pattern (at character 2 of the pattern)"_s);
    row("no words", u"c_a matcheswords \"\""_s, 1, 18, 2,
        u"matcheswords needs at least one word"_s);
    row("only separators", u"c_a matcheswords \" , \""_s, 1, 18, 5,
        u"matcheswords needs at least one word"_s);
    // Depth
    row("101 parentheses",
        QString(101, u'(') + u"a == 1"_s + QString(101, u')'), 1, 101, 1, tooDeep);
    row("101 NOTs", u"NOT "_s.repeated(101) + u"a == 1"_s, 1, 401, 3, tooDeep);
}

void TestTraitRule::invalidRules()
{
    QFETCH(QString, rule);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(int, length);
    QFETCH(QString, text);

    const TraitRuleParse parse = TraitRule::compile(rule);
    QVERIFY(!parse.ok());
    QCOMPARE(parse.diagnostics.size(), 1);
    const RuleDiagnostic &diagnostic = parse.diagnostics.first();
    QCOMPARE(diagnostic.text, text);
    QCOMPARE(diagnostic.line, line);
    QCOMPARE(diagnostic.column, column);
    QCOMPARE(diagnostic.length, length);
    QVERIFY(!diagnostic.expected.isEmpty());
    QVERIFY(diagnostic.message().startsWith(
        u"line %1, column %2: %3"_s.arg(line).arg(column).arg(text)));
}

void TestTraitRule::everyBadValueIsReported()
{
    const TraitRuleParse parse = TraitRule::compile(
        u"a matchesregex \"(\" OR b == 1 OR\nc matcheswords \",\" OR d matchesregex \"[\""_s);
    QVERIFY(!parse.ok());
    QCOMPARE(parse.diagnostics.size(), 3);
    QCOMPARE(parse.diagnostics.at(0).line, 1);
    QCOMPARE(parse.diagnostics.at(0).column, 16);
    QCOMPARE(parse.diagnostics.at(1).line, 2);
    QCOMPARE(parse.diagnostics.at(1).column, 16);
    QCOMPARE(parse.diagnostics.at(1).text, u"matcheswords needs at least one word"_s);
    QCOMPARE(parse.diagnostics.at(2).line, 2);
    QCOMPARE(parse.diagnostics.at(2).column, 38);
    QVERIFY(parse.diagnostics.at(2).text.startsWith(u"invalid regular expression: "_s));

    // A syntax error wins: it is the only one reported.
    const TraitRuleParse syntax = TraitRule::compile(u"a matchesregex \"(\" OR b =="_s);
    QCOMPARE(syntax.diagnostics.size(), 1);
    QCOMPARE(syntax.diagnostics.first().text, u"expected a value after \"==\""_s);

    // Hints say how to fix the common mistakes.
    QCOMPARE(TraitRule::compile(u"a = 1"_s).diagnostics.first().hint, u"compare with \"==\""_s);
    QCOMPARE(TraitRule::compile(u"a == not"_s).diagnostics.first().hint,
             u"quote a value that is a keyword: \"not\""_s);
    QVERIFY(TraitRule::compile(u"c_make"_s).diagnostics.first().hint.contains(u"matcheswords"));
    QCOMPARE(TraitRule::compile(u"2093 == 1"_s).diagnostics.first().hint,
             u"a key needs at least one letter, \"-\" or \"_\""_s);
    QCOMPARE(TraitRule::compile(u"c_make =="_s).diagnostics.first().expected, u"a value"_s);
    QCOMPARE(TraitRule::compile(u"c_a =~ 1"_s).diagnostics.first().expected, u"an operator"_s);
    QCOMPARE(TraitRule::compile(u"(c_a == 1"_s).diagnostics.first().expected, u"\")\""_s);
    QCOMPARE(TraitRule::compile(u"c_a == 1 b"_s).diagnostics.first().expected,
             u"AND, OR or the end of the rule"_s);
}

void TestTraitRule::nesting()
{
    const QString deepest = QString(100, u'(') + u"a == 1"_s + QString(100, u')');
    const auto parenthesized = compiled(deepest);
    QVERIFY(parenthesized);
    QCOMPARE(parenthesized->print(), u"a == 1"_s);

    const auto nots = compiled(u"NOT "_s.repeated(100) + u"a == 1"_s);
    QVERIFY(nots);
    QCOMPARE(nots->nodes().size(), 101);
    QVERIFY(nots->matches(RuleSignals(parseSignals(u"a=1"_s)))); // an even number of NOTs
    QVERIFY(!nots->matches(RuleSignals(parseSignals(u"a=2"_s))));

    // Long chains are flat, not deep: no limit.
    QStringList clauses;
    for (int i = 0; i < 20000; ++i)
        clauses.append(u"k%1 == %1"_s.arg(i));
    const auto chain = compiled(clauses.join(u" OR "));
    QVERIFY(chain);
    QCOMPARE(chain->nodes().size(), 20001);
    QVERIFY(chain->matches(RuleSignals(parseSignals(u"k19999=19999"_s))));
    QVERIFY(!chain->matches(RuleSignals(parseSignals(u"k19999=1"_s))));
    QCOMPARE(chain->print(), clauses.join(u" OR "));

    // Alternating AND/OR groups 100 deep print with exactly the parentheses they need.
    QString alternating = u"a == 0"_s;
    for (int i = 1; i <= 99; ++i) {
        alternating = u"(%1) %2 k == %3"_s.arg(alternating, i % 2 ? u"AND"_s : u"OR"_s)
                          .arg(i);
    }
    const auto groups = compiled(alternating);
    QVERIFY(groups);
    const auto reparsed = compiled(groups->print());
    QVERIFY(reparsed);
    QVERIFY(reparsed->hasSameTree(*groups));
}

// ---------------------------------------------------------------------------------------------

void TestTraitRule::semantics_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("signalSpec");
    QTest::addColumn<QStringList>("partnerCodes");
    QTest::addColumn<bool>("expected");

    int counter = 0;
    const auto row = [&counter](const QString &rule, const QString &spec, bool expected,
                                const QStringList &codes = QStringList()) {
        ++counter;
        QTest::addRow("%d: %s | %s", counter, qPrintable(rule), qPrintable(spec))
            << rule << spec << codes << expected;
    };

    // == on text: ASCII case ignored, nothing else.
    row(u"c == \"x\""_s, u"c=x"_s, true);
    row(u"c == \"x\""_s, u"c=X"_s, true);
    row(u"c == \"x\""_s, u"c=y"_s, false);
    row(u"c == \"x\""_s, u""_s, false);
    row(u"c == \"x\""_s, u"C=x"_s, false); // keys are case-sensitive
    row(u"c == \"x\""_s, u"c=y|x"_s, true);
    row(u"c == \"x\""_s, u"c=x "_s, false); // nothing is trimmed
    row(u"c == \"x\""_s, u"c="_s, false);
    row(u"c == \"\""_s, u"c="_s, true);
    row(u"c == \"\""_s, u"c"_s, false); // a key without values is as good as absent
    row(u"c == \"É\""_s, u"c=é"_s, false);
    row(u"c == \"Ärger\""_s, u"c=Ärger"_s, true);
    row(u"c == \"ärger\""_s, u"c=äRGER"_s, true);
    row(u"c == \"straße\""_s, u"c=STRASSE"_s, false);
    row(u"c == \"k\""_s, u"c=\u212A"_s, false); // Kelvin sign
    row(u"c == \"1e3\""_s, u"c=1000"_s, false);
    row(u"c == \"1e3\""_s, u"c=1E3"_s, true);
    row(u"c == \"😀\""_s, u"c=😀"_s, true);
    // == on numbers: exact decimal equality.
    row(u"price == 1.0"_s, u"price=1"_s, true);
    row(u"price == 1.0"_s, u"price=1.00"_s, true);
    row(u"price == 1.0"_s, u"price=01"_s, true);
    row(u"price == 1.0"_s, u"price=+1"_s, true);
    row(u"price == 1.0"_s, u"price=1.01"_s, false);
    row(u"price == 1.0"_s, u"price=1a"_s, false);
    row(u"price == 1.0"_s, u"price=1."_s, false);
    row(u"n == \"5\""_s, u"n=5.0"_s, true);
    row(u"n == -0"_s, u"n=0"_s, true);
    row(u"n == -0"_s, u"n=0.000"_s, true);
    row(u"x == 0.1"_s, u"x=0.10000000000000001"_s, false);
    row(u"id == 06151304227769720433039235178204449977"_s,
        u"id=06151304227769720433039235178204449977"_s, true);
    row(u"id == 06151304227769720433039235178204449977"_s,
        u"id=6151304227769720433039235178204449977.0"_s, true);
    row(u"id == 06151304227769720433039235178204449977"_s,
        u"id=06151304227769720433039235178204449978"_s, false);
    // !=: any value that differs; never on an absent key.
    row(u"c != \"x\""_s, u"c=y"_s, true);
    row(u"c != \"x\""_s, u"c=x"_s, false);
    row(u"c != \"x\""_s, u"c=X"_s, false);
    row(u"c != \"x\""_s, u""_s, false);
    row(u"c != \"x\""_s, u"c=x|y"_s, true);
    row(u"c != \"x\""_s, u"c=x|X"_s, false);
    row(u"c != \"x\""_s, u"c="_s, true);
    row(u"NOT c == \"x\""_s, u""_s, true);
    row(u"NOT c == \"x\""_s, u"c=x|y"_s, false);
    row(u"NOT c == \"x\""_s, u"c=y"_s, true);
    row(u"price != 1"_s, u"price=1.0"_s, false);
    row(u"price != 1"_s, u"price=2"_s, true);
    row(u"price != 1"_s, u"price=abc"_s, true);
    // <, >, <=, >=, =>: numbers only.
    row(u"price < 10"_s, u"price=9.99"_s, true);
    row(u"price < 10"_s, u"price=10"_s, false);
    row(u"price < 10"_s, u"price=10.0"_s, false);
    row(u"price < 10"_s, u"price=-5"_s, true);
    row(u"price < 10"_s, u"price=abc"_s, false);
    row(u"price < 10"_s, u"price=1e0"_s, false);
    row(u"price < 10"_s, u"price="_s, false);
    row(u"price < 10"_s, u""_s, false);
    row(u"price < 10"_s, u"price=abc|5"_s, true);
    row(u"price < 10"_s, u"price=20|30"_s, false);
    row(u"price < \"10\""_s, u"price=9"_s, true);
    row(u"price <= 10"_s, u"price=10.00"_s, true);
    row(u"price <= 10"_s, u"price=10.01"_s, false);
    row(u"price > 10"_s, u"price=10.5"_s, true);
    row(u"price > 10"_s, u"price=10"_s, false);
    row(u"price >= 10"_s, u"price=10"_s, true);
    row(u"price >= 10"_s, u"price=9.999"_s, false);
    row(u"price => 10"_s, u"price=10"_s, true);
    row(u"price => 10"_s, u"price=9"_s, false);
    row(u"c < \"b\""_s, u"c=a"_s, false);
    row(u"c > \"a\""_s, u"c=b"_s, false);
    row(u"price < abc"_s, u"price=1"_s, false);
    row(u"x > 0.1"_s, u"x=0.10000000000000001"_s, true);
    row(u"x < -0.1"_s, u"x=-0.10000000000000001"_s, true);
    row(u"x >= -3"_s, u"x=-3.0"_s, true);
    row(u"x < -2.5"_s, u"x=-3"_s, true);
    row(u"x > -0.5"_s, u"x=+0"_s, true);
    row(u"big > 99999999999999999999"_s, u"big=100000000000000000000"_s, true);
    row(u"big < 99999999999999999999"_s, u"big=100000000000000000000"_s, false);
    row(u"big < -99999999999999999999"_s, u"big=-100000000000000000000"_s, true);
    row(u"x < 1234567890123456.5"_s, u"x=1234567890123456"_s, true);
    row(u"x > 1234567890123456"_s, u"x=1234567890123457"_s, true);
    // contains, startswith, endswith: ASCII case ignored.
    row(u"c contains \"ORT\""_s, u"c=Sports"_s, true);
    row(u"c contains \"ORT\""_s, u"c=spo"_s, false);
    row(u"c contains \"ORT\""_s, u""_s, false);
    row(u"c contains \"ORT\""_s, u"c=a|xsportx"_s, true);
    row(u"c contains \"\""_s, u"c="_s, true);
    row(u"c contains \"\""_s, u""_s, false);
    row(u"c contains \"é\""_s, u"c=CAFÉ"_s, false);
    row(u"c contains \"é\""_s, u"c=café"_s, true);
    row(u"c contains \"ss\""_s, u"c=ß"_s, false);
    row(u"c contains \"aab\""_s, u"c=aaab"_s, true);
    row(u"c contains 12"_s, u"c=3124"_s, true);
    row(u"c startswith 'es'"_s, u"c=ES-es"_s, true);
    row(u"c startswith 'es'"_s, u"c=fr|es-ES"_s, true);
    row(u"c startswith 'es'"_s, u"c=xes"_s, false);
    row(u"c startswith 'es'"_s, u"c=e"_s, false);
    row(u"c endswith \"COM\""_s, u"c=shop.example.com"_s, true);
    row(u"c endswith \"COM\""_s, u"c=com.x"_s, false);
    row(u"c endswith \"\""_s, u"c=x"_s, true);
    // matchesregex: anywhere, case-sensitive unless (?i).
    row(u"c matchesregex \"b\""_s, u"c=abc"_s, true);
    row(u"c matchesregex \"B\""_s, u"c=abc"_s, false);
    row(u"c matchesregex \"(?i)B\""_s, u"c=abc"_s, true);
    row(u"c matchesregex \"\""_s, u"c=anything"_s, true);
    row(u"c matchesregex \"\""_s, u""_s, false);
    row(u"c matchesregex \"^\\d+$\""_s, u"c=123"_s, true);
    row(u"c matchesregex \"^\\d+$\""_s, u"c=12a"_s, false);
    row(u"c matchesregex \"^a\\.b$\""_s, u"c=a.b"_s, true);
    row(u"c matchesregex \"^a\\.b$\""_s, u"c=axb"_s, false);
    row(u"c matchesregex \"^a\\\\.b$\""_s, u"c=a.b"_s, true);
    row(u"c matchesregex \"é\""_s, u"c=café"_s, true);
    row(u"c matchesregex \"^.$\""_s, u"c=😀"_s, true);
    row(u"c matchesregex \"b\""_s, u"c=x|abc"_s, true);
    row(u"c matchesregex \"\\\"\""_s, u"c=say \"hi\""_s, true);
    // matcheswords: any listed word, whole, ASCII case ignored.
    row(u"c matcheswords \"red, blue\""_s, u"c=a red car"_s, true);
    row(u"c matcheswords \"red, blue\""_s, u"c=redder"_s, false);
    row(u"c matcheswords \"red, blue\""_s, u"c=BLUE sky"_s, true);
    row(u"c matcheswords \"red, blue\""_s, u"c=bluered"_s, false);
    row(u"c matcheswords \"red, blue\""_s, u"c=red,green"_s, true);
    row(u"c matcheswords \"red, blue\""_s, u"c=x_red"_s, false);
    row(u"c matcheswords \"red, blue\""_s, u"c=red-car"_s, true);
    row(u"c matcheswords \"red, blue\""_s, u"c=red2"_s, false);
    row(u"c matcheswords \"red, blue\""_s, u"c=rouge"_s, false);
    row(u"c matcheswords \"red, blue\""_s, u""_s, false);
    row(u"c matcheswords \"red\tblue\""_s, u"c=blue"_s, true);
    row(u"c matcheswords \"c++\""_s, u"c=i like c++ a lot"_s, true);
    row(u"c matcheswords \"café\""_s, u"c=un café noir"_s, true);
    row(u"c matcheswords \"café\""_s, u"c=cafés"_s, false);
    row(u"c matcheswords \"cafe\""_s, u"c=cafe\u0301"_s, false); // combining accent
    row(u"c matcheswords \"new york\""_s, u"c=york city"_s, true);
    row(u"c matcheswords \"red\""_s, u"c=redred red"_s, true);
    // ic: the partner codes, never a caller's ic signal.
    row(u"ic == \"seg-123\""_s, u""_s, true, {u"seg-123"_s});
    row(u"ic == \"seg-123\""_s, u"ic=seg-123"_s, false);
    row(u"ic == \"seg-123\""_s, u"ic=seg-123"_s, false, {u"other"_s});
    row(u"ic == \"seg-123\""_s, u""_s, true, {u"a"_s, u"SEG-123"_s});
    row(u"ic != \"seg-123\""_s, u""_s, false);
    row(u"NOT ic == \"seg-123\""_s, u""_s, true);
    // A missing key fails every operator.
    for (const QString &op : {u"=="_s, u"!="_s, u"<"_s, u">"_s, u"<="_s, u">="_s, u"=>"_s,
                              u"contains"_s, u"startswith"_s, u"endswith"_s,
                              u"matchesregex"_s, u"matcheswords"_s}) {
        row(u"gone %1 \"1\""_s.arg(op), u"here=1"_s, false);
        row(u"NOT gone %1 \"1\""_s.arg(op), u"here=1"_s, true);
    }
    // AND, OR, NOT.
    row(u"a == 1 OR b == 1 AND c == 1"_s, u"a=1"_s, true);
    row(u"a == 1 OR b == 1 AND c == 1"_s, u"b=1"_s, false);
    row(u"a == 1 OR b == 1 AND c == 1"_s, u"b=1;c=1"_s, true);
    row(u"(a == 1 OR b == 1) AND c == 1"_s, u"a=1"_s, false);
    row(u"NOT a == 1 AND b == 1"_s, u"b=1"_s, true);
    row(u"NOT a == 1 AND b == 1"_s, u"a=1;b=1"_s, false);
    row(u"NOT (a == 1 AND b == 1)"_s, u"a=1"_s, true);
    row(u"a == 1 AND NOT b == 2"_s, u"a=1;b=3"_s, true);
    row(u"a == 1 AND NOT b == 2"_s, u"a=1;b=2"_s, false);
    row(u"NOT NOT a == 1"_s, u"a=1"_s, true);
    row(u"a == 1 AND b == 1 AND c == 1"_s, u"a=1;b=1;c=1"_s, true);
    row(u"a == 1 AND b == 1 AND c == 1"_s, u"a=1;b=1;c=2"_s, false);
    row(u"a == 1 OR b == 1 OR c == 1"_s, u"c=1"_s, true);
    row(u"a == 1 OR b == 1 OR c == 1"_s, u"d=1"_s, false);
    // Repeated keys merge.
    row(u"k == b"_s, u"k=a;k=b"_s, true);
}

void TestTraitRule::semantics()
{
    QFETCH(QString, rule);
    QFETCH(QString, signalSpec);
    QFETCH(QStringList, partnerCodes);
    QFETCH(bool, expected);

    const auto compiledRule = compiled(rule);
    QVERIFY(compiledRule);
    const RuleSignals signalSet(parseSignals(signalSpec), partnerCodes);
    QCOMPARE(compiledRule->matches(signalSet), expected);
    QCOMPARE(compiledRule->explain(signalSet).first().holds, expected);

    const auto reprinted = compiled(compiledRule->print());
    QVERIFY(reprinted);
    QCOMPARE(reprinted->matches(signalSet), expected);
}

void TestTraitRule::hugeValues()
{
    const QString filler(100 * 1024, u'x');
    const QString huge = filler + u"Needle"_s;
    const RuleSignals signalSet({Signal{u"c"_s, {huge}},
                                 Signal{u"n"_s, {u'1' + QString(100 * 1024, u'0')}}});

    QVERIFY(compiled(u"c contains \"needle\""_s)->matches(signalSet));
    QVERIFY(compiled(u"c endswith \"NEEDLE\""_s)->matches(signalSet));
    QVERIFY(!compiled(u"c startswith \"needle\""_s)->matches(signalSet));
    QVERIFY(compiled(u"c matchesregex \"Needle$\""_s)->matches(signalSet));
    QVERIFY(!compiled(u"c matcheswords \"needle\""_s)->matches(signalSet)); // xNeedle
    QVERIFY(!compiled(u"c contains \"xy\""_s)->matches(signalSet));
    QVERIFY(compiled(u"n > 99999999999999999999"_s)->matches(signalSet));
    QVERIFY(!compiled(u"n < 5"_s)->matches(signalSet));

    // A 100 KB value in the rule itself, with quotes and backslashes to escape.
    const QString value = filler + u"\"\\"_s + filler;
    QString escaped = value;
    escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
    const auto rule = compiled(u"c == \""_s + escaped + u'"');
    QVERIFY(rule);
    QCOMPARE(rule->nodes().first().value, value);
    QVERIFY(rule->matches(RuleSignals({Signal{u"c"_s, {value.toUpper()}}})));
    QVERIFY(!rule->matches(signalSet));
    const auto reprinted = compiled(rule->print());
    QVERIFY(reprinted);
    QVERIFY(reprinted->hasSameTree(*rule));

    const auto longNumber = compiled(u"n == 1"_s + QString(100 * 1024, u'0') + u".000"_s);
    QVERIFY(longNumber);
    QVERIFY(longNumber->matches(signalSet));
}

// ---------------------------------------------------------------------------------------------

void TestTraitRule::numbers_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("isNumber");
    QTest::addColumn<double>("number");

    QTest::newRow("0") << u"0"_s << true << 0.0;
    QTest::newRow("-3") << u"-3"_s << true << -3.0;
    QTest::newRow("+3") << u"+3"_s << true << 3.0;
    QTest::newRow("1.00") << u"1.00"_s << true << 1.0;
    QTest::newRow("00012.3400") << u"00012.3400"_s << true << 12.34;
    QTest::newRow("2093") << u"2093"_s << true << 2093.0;
    QTest::newRow("0.1") << u"0.1"_s << true << 0.1;
    QTest::newRow("15 digits") << u"123456789.012345"_s << true << 123456789.012345;
    QTest::newRow("20 digits") << u"12345678901234567890"_s << true << 12345678901234567890.0;
    QTest::newRow("1.") << u"1."_s << false << 0.0;
    QTest::newRow(".5") << u".5"_s << false << 0.0;
    QTest::newRow("1e3") << u"1e3"_s << false << 0.0;
    QTest::newRow("leading space") << u" 1"_s << false << 0.0;
    QTest::newRow("trailing space") << u"1 "_s << false << 0.0;
    QTest::newRow("empty") << u""_s << false << 0.0;
    QTest::newRow("sign only") << u"-"_s << false << 0.0;
    QTest::newRow("two signs") << u"--1"_s << false << 0.0;
    QTest::newRow("hex") << u"0x10"_s << false << 0.0;
    QTest::newRow("comma") << u"1,5"_s << false << 0.0;
    QTest::newRow("two points") << u"1.2.3"_s << false << 0.0;
    QTest::newRow("arabic-indic digit") << u"\u0661"_s << false << 0.0;
    QTest::newRow("fullwidth digit") << u"\uFF11"_s << false << 0.0;
    QTest::newRow("inf") << u"inf"_s << false << 0.0;
    QTest::newRow("nan") << u"nan"_s << false << 0.0;
}

void TestTraitRule::numbers()
{
    QFETCH(QString, text);
    QFETCH(bool, isNumber);
    QFETCH(double, number);

    const RuleValue value(text);
    QCOMPARE(value.isNumber, isNumber);
    QCOMPARE(RuleValue::readsAsNumber(text), isNumber);
    QCOMPARE(value.text, text);
    if (isNumber)
        QCOMPARE(value.number, number);
}

void TestTraitRule::compareNumbers_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("expected");

    const auto row = [](const QString &a, const QString &b, int expected) {
        QTest::addRow("%s vs %s", qPrintable(a.left(30)), qPrintable(b.left(30)))
            << a << b << expected;
    };
    row(u"1"_s, u"1.0"_s, 0);
    row(u"-0"_s, u"0"_s, 0);
    row(u"0.000"_s, u"-0.0"_s, 0);
    row(u"+7"_s, u"7"_s, 0);
    row(u"10"_s, u"9"_s, 1);
    row(u"-10"_s, u"-9"_s, -1);
    row(u"1.5"_s, u"1.25"_s, 1);
    row(u"-1.5"_s, u"-1.25"_s, -1);
    row(u"0.5"_s, u"-0.5"_s, 1);
    row(u"123456789012345"_s, u"123456789012346"_s, -1);
    row(u"1234567890123456"_s, u"1234567890123457"_s, -1);
    row(u"1234567890123456.5"_s, u"1234567890123456"_s, 1);
    row(u"0.10000000000000001"_s, u"0.1"_s, 1);
    row(u"-0.10000000000000001"_s, u"-0.1"_s, -1);
    row(u"0.1000000000000000000"_s, u"0.1"_s, 0);
    row(u"06151304227769720433039235178204449977"_s,
        u"06151304227769720433039235178204449978"_s, -1);
    row(u"00000000000000000000000000001"_s, u"1.000000000000000000000000"_s, 0);
    row(u'1' + QString(400, u'0'), u'9' + QString(399, u'9'), 1);
    row(u'-' + QString(400, u'9'), u"-1"_s, -1);
    row(u"0."_s + QString(400, u'0') + u'1', u"0"_s, 1);
    row(u"-0."_s + QString(400, u'0') + u'1', u"0"_s, -1);
    row(u"0."_s + QString(400, u'0'), u"-0"_s, 0);
}

void TestTraitRule::compareNumbers()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, expected);

    const RuleValue left(a);
    const RuleValue right(b);
    QVERIFY(left.isNumber && right.isNumber);
    const auto sign = [](int value) { return value < 0 ? -1 : (value > 0 ? 1 : 0); };
    QCOMPARE(sign(RuleValue::compareNumbers(left, right)), expected);
    QCOMPARE(sign(RuleValue::compareNumbers(right, left)), -expected);
    QCOMPARE(RuleValue::compareNumbers(left, left), 0);
}

void TestTraitRule::ruleSignals()
{
    RuleSignals signalSet({Signal{u"c_a"_s, {u"1"_s, u"x"_s}}, Signal{u"ic"_s, {u"spoof"_s}},
                           Signal{u"C_a"_s, {u"2"_s}}, Signal{u"c_a"_s, {u"3.5"_s}},
                           Signal{u"empty"_s, {}}});
    QCOMPARE(signalSet.keys(), (QStringList{u"c_a"_s, u"C_a"_s, u"empty"_s}));
    QCOMPARE(signalSet.keyCount(), 3);
    const auto values = signalSet.values(u"c_a");
    QCOMPARE(values.size(), size_t(3));
    QCOMPARE(values[0].text, u"1"_s);
    QVERIFY(values[0].isNumber);
    QCOMPARE(values[1].text, u"x"_s);
    QVERIFY(!values[1].isNumber);
    QCOMPARE(values[2].number, 3.5);
    QCOMPARE(signalSet.values(u"C_a").size(), size_t(1));
    QVERIFY(signalSet.values(u"c_A").empty());
    QVERIFY(!signalSet.contains(u"ic"));
    QVERIFY(signalSet.values(u"empty").empty());
    QVERIFY(!signalSet.contains(u"empty")); // sent without values: no comparison can hold
    QVERIFY(signalSet.contains(u"C_a"));

    signalSet.setPartnerCodes({u"p1"_s, u"7"_s});
    QCOMPARE(signalSet.keys().last(), u"ic"_s);
    const auto codes = signalSet.values(u"ic");
    QCOMPARE(codes.size(), size_t(2));
    QCOMPARE(codes[0].text, u"p1"_s);
    QVERIFY(codes[1].isNumber);
    QCOMPARE(signalSet.values(u"c_a").size(), size_t(3));

    signalSet.setSignals({Signal{u"only"_s, {u"v"_s}}});
    QCOMPARE(signalSet.keys(), (QStringList{u"only"_s, u"ic"_s}));
    QVERIFY(signalSet.values(u"c_a").empty());

    // Many keys: the table grows and every key is still found.
    QList<Signal> many;
    for (int i = 0; i < 300; ++i)
        many.append(Signal{u"k%1"_s.arg(i), {QString::number(i)}});
    const RuleSignals large(many, {u"code"_s});
    QCOMPARE(large.keyCount(), 301);
    for (int i = 0; i < 300; ++i) {
        const auto found = large.values(u"k%1"_s.arg(i));
        QCOMPARE(found.size(), size_t(1));
        QCOMPARE(found[0].number, double(i));
    }
    QVERIFY(large.values(u"k300").empty());

    const RuleSignals none;
    QVERIFY(none.values(u"c_a").empty());
    QVERIFY(!compiled(u"NOT c == 1 AND c == 1"_s)->matches(none));
    QVERIFY(compiled(u"NOT c == 1"_s)->matches(none));
}

void TestTraitRule::treeAndPositions()
{
    const auto rule = compiled(u"c_a == 1 AND\n  (c_b != \"x y\" OR NOT c_c => 2)"_s);
    QVERIFY(rule);
    const QList<TraitRuleNode> &nodes = rule->nodes();
    QCOMPARE(nodes.size(), 6);
    using Kind = TraitRuleNode::Kind;
    QCOMPARE(nodes.at(0).kind, Kind::And);
    QCOMPARE(nodes.at(0).children, (QList<int>{1, 2}));
    QCOMPARE(nodes.at(1).kind, Kind::Comparison);
    QCOMPARE(nodes.at(1).key, u"c_a"_s);
    QCOMPARE(nodes.at(1).op, TraitRuleOperator::Equal);
    QCOMPARE(nodes.at(1).value, u"1"_s);
    QCOMPARE(nodes.at(1).line, 1);
    QCOMPARE(nodes.at(1).column, 1);
    QCOMPARE(nodes.at(1).length, 8);
    QCOMPARE(nodes.at(2).kind, Kind::Or);
    QCOMPARE(nodes.at(2).children, (QList<int>{3, 4}));
    QCOMPARE(nodes.at(3).key, u"c_b"_s);
    QCOMPARE(nodes.at(3).op, TraitRuleOperator::NotEqual);
    QCOMPARE(nodes.at(3).value, u"x y"_s);
    QCOMPARE(nodes.at(3).line, 2);
    QCOMPARE(nodes.at(3).column, 4);
    QCOMPARE(nodes.at(3).length, 12);
    QCOMPARE(nodes.at(4).kind, Kind::Not);
    QCOMPARE(nodes.at(4).children, (QList<int>{5}));
    QCOMPARE(nodes.at(5).op, TraitRuleOperator::GreaterOrEqual);
    QCOMPARE(nodes.at(5).column, 24);

    QCOMPARE(TraitRule::operatorText(TraitRuleOperator::MatchesWords), u"matcheswords"_s);
    QVERIFY(TraitRule::isValidKey(u"h_accept-language"));
    QVERIFY(!TraitRule::isValidKey(u"2093"));
    QVERIFY(!TraitRule::isValidKey(u""));
    QVERIFY(!TraitRule::isValidKey(u"c.x"));

    // Same tree ignores positions, not content.
    const auto spaced = compiled(u"c_a==1 AND (c_b!='x y' OR NOT c_c>=2)"_s);
    QVERIFY(spaced->hasSameTree(*rule));
    QVERIFY(!compiled(u"c_a == 1 AND (c_b != \"x y\" OR NOT c_c > 2)"_s)->hasSameTree(*rule));
    QVERIFY(!compiled(u"c_a == 1 AND (c_b != \"x Y\" OR NOT c_c >= 2)"_s)->hasSameTree(*rule));
}

void TestTraitRule::explain()
{
    const auto rule = compiled(
        u"c_a == \"x\" AND (c_b > 5 OR NOT c_c contains \"z\") AND c_d != 1"_s);
    QVERIFY(rule);
    const RuleSignals signalSet(parseSignals(u"c_a=y|X|x;c_b=1|7|9.5|no;c_c=zz;c_d=1|1.0|2"_s));
    const QList<Dcs::TraitRuleNodeResult> results = rule->explain(signalSet);
    QCOMPARE(results.size(), rule->nodes().size());
    QVERIFY(rule->matches(signalSet));
    // 0 AND, 1 c_a, 2 OR, 3 c_b, 4 NOT, 5 c_c, 6 c_d
    QVERIFY(results.at(0).holds);
    QVERIFY(results.at(1).holds);
    QVERIFY(results.at(1).keyPresent);
    QCOMPARE(results.at(1).matchingValues, (QStringList{u"X"_s, u"x"_s}));
    QVERIFY(results.at(2).holds);
    QCOMPARE(results.at(3).matchingValues, (QStringList{u"7"_s, u"9.5"_s}));
    QVERIFY(!results.at(4).holds);
    QVERIFY(results.at(5).holds);
    QCOMPARE(results.at(5).matchingValues, (QStringList{u"zz"_s}));
    QCOMPARE(results.at(6).matchingValues, (QStringList{u"2"_s}));
    QVERIFY(results.at(4).matchingValues.isEmpty()); // only comparisons carry values

    const RuleSignals without(parseSignals(u"c_a=x;c_b=1"_s));
    const auto missing = rule->explain(without);
    QVERIFY(!missing.at(0).holds);
    QVERIFY(missing.at(2).holds);      // NOT of the absent c_c
    QVERIFY(!missing.at(5).keyPresent);
    QVERIFY(!missing.at(6).holds);     // != on an absent key
    QVERIFY(!missing.at(6).keyPresent);
    QCOMPARE(rule->matches(without), false);
}

void TestTraitRule::keys()
{
    const auto rule = compiled(
        u"c_a == 1 OR (p_b == 2 AND NOT c_a == 3) OR ic == \"x\" OR \"not\" == 4 OR p_b > 1"_s);
    QVERIFY(rule);
    QCOMPARE(rule->keys(), (QStringList{u"c_a"_s, u"p_b"_s, u"ic"_s, u"not"_s}));
}

void TestTraitRule::sharedAcrossThreads()
{
    // One compiled rule, read by several workers at once (architecture.md): same answers.
    const auto rule = compiled(u"c_url matchesregex \"^https?://shop\\.\" AND NOT c_x contains "
                               u"\"bot\" AND (price < 100 OR c_tags matcheswords \"sale\")"_s);
    QVERIFY(rule);
    const RuleSignals yes(parseSignals(u"c_url=https://shop.example;price=99;c_x=human"_s));
    const RuleSignals no(parseSignals(u"c_url=https://shop.example;price=99;c_x=a bot"_s));
    std::atomic<int> wrong = 0;
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back(QThread::create([&] {
            for (int i = 0; i < 20000; ++i) {
                if (!rule->matches(yes) || rule->matches(no))
                    ++wrong;
            }
        }));
        threads.back()->start();
    }
    for (const auto &thread : threads)
        QVERIFY(thread->wait(60000));
    QCOMPARE(wrong.load(), 0);
}

void TestTraitRule::randomRulesRoundTripAndAgree()
{
    RuleGenerator generator(20240611);
    const int cases = 4000;
    const int signalSetsPerCase = 6;
    int matched = 0;
    for (int i = 0; i < cases; ++i) {
        const RefNode tree = generator.tree(0);
        const QString text = generator.text(tree);
        const TraitRuleParse parse = TraitRule::compile(text);
        QVERIFY2(parse.ok(), qPrintable(u"case %1: %2\n%3"_s.arg(i).arg(
                                 describe(parse.diagnostics), text)));
        QVERIFY2(sameShape(parse.rule->nodes(), 0, normalised(tree)),
                 qPrintable(u"case %1: tree differs for\n%2"_s.arg(i).arg(text)));

        const QString printed = parse.rule->print();
        const TraitRuleParse again = TraitRule::compile(printed);
        QVERIFY2(again.ok(), qPrintable(u"case %1: printed form refused: %2\n%3"_s.arg(i).arg(
                                 describe(again.diagnostics), printed)));
        QVERIFY2(again.rule->hasSameTree(*parse.rule),
                 qPrintable(u"case %1: %2\nprinted %3"_s.arg(i).arg(text, printed)));
        QCOMPARE(again.rule->print(), printed);

        for (int s = 0; s < signalSetsPerCase; ++s) {
            QStringList codes;
            const QList<Signal> signalList = generator.signalSet(&codes);
            QHash<QString, QStringList> reference;
            for (const Signal &signal : signalList) {
                if (signal.key != u"ic")
                    reference[signal.key] += signal.values;
            }
            if (!codes.isEmpty())
                reference.insert(u"ic"_s, codes);
            const bool expected = refEvaluate(tree, reference);
            const RuleSignals signalSet(signalList, codes);
            const bool actual = parse.rule->matches(signalSet);
            if (actual != expected) {
                QStringList shown;
                for (auto it = reference.cbegin(); it != reference.cend(); ++it)
                    shown.append(it.key() + u'=' + it.value().join(u'|'));
                QFAIL(qPrintable(u"case %1.%2: rule\n%3\nprinted %4\nsignals %5\nexpected %6"_s
                                     .arg(i)
                                     .arg(s)
                                     .arg(text, printed, shown.join(u"; "),
                                          expected ? u"true"_s : u"false"_s)));
            }
            QCOMPARE(again.rule->matches(signalSet), expected);
            QCOMPARE(parse.rule->explain(signalSet).first().holds, expected);
            matched += expected ? 1 : 0;
        }
    }
    // Both outcomes occur often enough for the comparison to mean something.
    QVERIFY(matched > cases * signalSetsPerCase / 10);
    QVERIFY(matched < cases * signalSetsPerCase * 9 / 10);
}

QTEST_GUILESS_MAIN(TestTraitRule)
#include "tst_traitrule.moc"
