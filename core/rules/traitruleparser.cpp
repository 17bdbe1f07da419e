#include "rules/traitruleparser.h"

#include "rules/traitrulematch.h"

#include <QCoreApplication>

#include <array>
#include <utility>

using namespace Qt::StringLiterals;

// Choices rules.md leaves open, decided here:
//
// - Tokens: a word is a run of anything but whitespace, quotes, parentheses and the operator
//   characters = ! < > (and ~, so that "=~" is reported as one unknown operator). So
//   `c_make=="A"` needs no spaces, and a bare value may hold any other character
//   (`h_host == shop.example`, `c_lang == es-ES`). A value with spaces or operator
//   characters must be quoted.
// - AND, OR and NOT are reserved in the positions where the grammar allows them: a key that
//   is one of them must be double-quoted (`"not" == 1`, as print() writes it), and so must a
//   value (`c == "and"`); a bare one is refused with a hint rather than guessed at. Named
//   operators are not reserved: `contains contains "x"` compares the key `contains`.
// - Single quotes delimit values only; keys may be double-quoted (rules.md).
// - Inside single quotes \' is the quote; inside double quotes \" is. \\ is a backslash in
//   both, and every other backslash, \' in double quotes included, is kept as written.
// - Quoted and bare values mean the same: `n == "5"` is a numeric comparison like `n == 5`.
// - Parentheses and NOT nest at most kMaxDepth deep, so that neither the parser nor the
//   printer can run out of stack on hostile input. AND and OR chains have no limit.
// - Positions count UTF-16 code units (what QTextCursor counts); a line ends at '\n'. An error
//   at the end of the rule points just after its last token, not after trailing blanks.

namespace Dcs {

namespace {

constexpr int kMaxDepth = 100;

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::TraitRule", text);
}

QString operatorList()
{
    return tr("==, !=, <, >, <=, >=, =>, contains, startswith, endswith, matchesregex or "
              "matcheswords");
}

QString quoted(QStringView text)
{
    return u'"' + text.toString() + u'"';
}

struct NamedOperator
{
    QLatin1String name;
    TraitRuleOperator op;
};

constexpr std::array<NamedOperator, 12> kOperators = {{
    {"=="_L1, TraitRuleOperator::Equal},
    {"!="_L1, TraitRuleOperator::NotEqual},
    {"<"_L1, TraitRuleOperator::Less},
    {">"_L1, TraitRuleOperator::Greater},
    {"<="_L1, TraitRuleOperator::LessOrEqual},
    {">="_L1, TraitRuleOperator::GreaterOrEqual},
    {"=>"_L1, TraitRuleOperator::GreaterOrEqual},
    {"contains"_L1, TraitRuleOperator::Contains},
    {"startswith"_L1, TraitRuleOperator::StartsWith},
    {"endswith"_L1, TraitRuleOperator::EndsWith},
    {"matchesregex"_L1, TraitRuleOperator::MatchesRegex},
    {"matcheswords"_L1, TraitRuleOperator::MatchesWords},
}};

bool findOperator(QStringView spelling, TraitRuleOperator *op)
{
    for (const NamedOperator &candidate : kOperators) {
        if (TraitRuleMatch::equalsIgnoringAsciiCase(spelling, candidate.name)) {
            *op = candidate.op;
            return true;
        }
    }
    return false;
}

// What the analyst probably meant by an operator the language does not have.
QString operatorHint(QStringView spelling)
{
    struct Guess
    {
        QLatin1String written;
        const char *hint; // marked for lupdate, translated when shown
    };
    static constexpr std::array<Guess, 17> guesses = {{
        {"="_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "compare with \"==\"")},
        {"==="_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "compare with \"==\"")},
        {"!"_L1,
         QT_TRANSLATE_NOOP("Dcs::TraitRule", "write \"!=\", or NOT before the comparison")},
        {"!=="_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "compare with \"!=\"")},
        {"<>"_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "write \"!=\"")},
        {"=<"_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "write \"<=\"")},
        {"=~"_L1,
         QT_TRANSLATE_NOOP("Dcs::TraitRule", "write matchesregex for a regular expression")},
        {"~="_L1,
         QT_TRANSLATE_NOOP("Dcs::TraitRule", "write matchesregex for a regular expression")},
        {"like"_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "write contains, startswith or endswith")},
        {"matches"_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "write matchesregex or matcheswords")},
        {"regex"_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "write matchesregex")},
        {"is"_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "write \"==\"")},
        {"eq"_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "write \"==\"")},
        {"ne"_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "write \"!=\"")},
        {"in"_L1,
         QT_TRANSLATE_NOOP("Dcs::TraitRule", "write matcheswords, or join comparisons with OR")},
        {"doesnotcontain"_L1,
         QT_TRANSLATE_NOOP("Dcs::TraitRule", "write NOT key contains \"...\"")},
        {"notcontains"_L1, QT_TRANSLATE_NOOP("Dcs::TraitRule", "write NOT key contains \"...\"")},
    }};
    for (const Guess &guess : guesses) {
        if (TraitRuleMatch::equalsIgnoringAsciiCase(spelling, guess.written))
            return tr(guess.hint);
    }
    return QString();
}

bool isKeyChar(QChar ch)
{
    const char16_t c = ch.unicode();
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
           || c == u'_' || c == u'-';
}

} // namespace

TraitRuleParser::TraitRuleParser(QStringView source)
    : m_source(source)
    , m_lexer(source)
{}

TraitRuleParse TraitRuleParser::parse()
{
    TraitRuleParse result;
    advance();
    if (m_token.type == TraitRuleToken::Type::End) {
        result.diagnostics.append(
            diagnosticAt(0, 0, tr("a comparison"), tr("the rule is empty"),
                         tr("write a comparison such as c_section == \"sports\"")));
        return result;
    }

    const ArenaIndex root = parseOr();
    if (root >= 0 && m_token.type != TraitRuleToken::Type::End) {
        const QString expected = tr("AND, OR or the end of the rule");
        if (m_token.type == TraitRuleToken::Type::CloseParen) {
            fail(m_token, expected, tr("\")\" has no matching \"(\""));
        } else if (isKeyword(m_token, "not"_L1)) {
            fail(m_token, expected, tr("expected AND, OR or the end of the rule"),
                 tr("write AND NOT or OR NOT"));
        } else {
            fail(m_token, expected, tr("expected AND, OR or the end of the rule"),
                 tr("join comparisons with AND or OR, and quote values that contain spaces"));
        }
    }
    if (m_syntaxError) {
        result.diagnostics.append(*m_syntaxError);
        return result;
    }
    if (!m_valueErrors.isEmpty()) {
        result.diagnostics = m_valueErrors;
        return result;
    }

    auto rule = std::make_shared<CompiledTraitRule>();
    rule->m_nodes.reserve(m_arena.size());
    rule->m_comparisons.reserve(m_comparisons.size());
    emitNode(root, rule.get());
    rule->emitProgram(0);
    result.rule = std::move(rule);
    return result;
}

TraitRuleParser::ArenaIndex TraitRuleParser::parseOr()
{
    const ArenaIndex first = parseAnd();
    if (first < 0 || !isKeyword(m_token, "or"_L1))
        return first;
    QList<ArenaIndex> operands{first};
    while (isKeyword(m_token, "or"_L1)) {
        advance();
        const ArenaIndex operand = parseAnd();
        if (operand < 0)
            return -1;
        operands.append(operand);
    }
    return joined(TraitRuleNode::Kind::Or, operands);
}

TraitRuleParser::ArenaIndex TraitRuleParser::parseAnd()
{
    const ArenaIndex first = parseUnary();
    if (first < 0 || !isKeyword(m_token, "and"_L1))
        return first;
    QList<ArenaIndex> operands{first};
    while (isKeyword(m_token, "and"_L1)) {
        advance();
        const ArenaIndex operand = parseUnary();
        if (operand < 0)
            return -1;
        operands.append(operand);
    }
    return joined(TraitRuleNode::Kind::And, operands);
}

TraitRuleParser::ArenaIndex TraitRuleParser::parseUnary()
{
    const bool isNot = isKeyword(m_token, "not"_L1);
    if (!isNot && m_token.type != TraitRuleToken::Type::OpenParen)
        return parseComparison();

    if (m_depth >= kMaxDepth) {
        return fail(m_token, tr("a comparison"),
                    tr("the rule nests too deeply: at most %1 levels of parentheses and NOT")
                        .arg(kMaxDepth));
    }
    const TraitRuleToken opening = m_token;
    ++m_depth;
    advance();
    if (isNot) {
        const ArenaIndex operand = parseUnary();
        --m_depth;
        if (operand < 0)
            return -1;
        TraitRuleNode node;
        node.kind = TraitRuleNode::Kind::Not;
        node.children.append(int(operand));
        m_arena.append(std::move(node));
        m_arenaComparison.append(-1);
        return m_arena.size() - 1;
    }

    const ArenaIndex inner = parseOr();
    if (inner < 0)
        return -1;
    if (m_token.type == TraitRuleToken::Type::CloseParen) {
        --m_depth;
        advance();
        return inner;
    }
    if (m_token.type == TraitRuleToken::Type::End) {
        return failAt(opening.offset, opening.length, tr("\")\""),
                      tr("\"(\" is never closed"),
                      tr("add \")\" where the group ends"));
    }
    return fail(m_token, tr("AND, OR or \")\""), tr("expected AND, OR or \")\""),
                tr("join comparisons with AND or OR, and quote values that contain spaces"));
}

TraitRuleParser::ArenaIndex TraitRuleParser::parseComparison()
{
    const TraitRuleToken keyToken = m_token;
    QString key;
    if (!parseKey(&key))
        return -1;
    advance();
    TraitRuleOperator op = TraitRuleOperator::Equal;
    if (!parseOperator(key, &op))
        return -1;
    const TraitRuleToken opToken = m_token;
    advance();
    const TraitRuleToken valueToken = m_token;
    QString value;
    if (!parseValue(opToken, &value))
        return -1;
    advance();

    TraitRuleNode node;
    node.kind = TraitRuleNode::Kind::Comparison;
    node.key = key;
    node.op = op;
    node.value = value;
    position(keyToken.offset, &node.line, &node.column);
    node.length = int(valueToken.offset + valueToken.length - keyToken.offset);
    m_arena.append(std::move(node));
    m_arenaComparison.append(m_comparisons.size());
    m_comparisons.append(compileComparison(key, op, value, valueToken));
    return m_arena.size() - 1;
}

TraitRuleParser::ArenaIndex TraitRuleParser::joined(TraitRuleNode::Kind kind,
                                                    const QList<ArenaIndex> &operands)
{
    TraitRuleNode node;
    node.kind = kind;
    for (const ArenaIndex operand : operands) {
        // (a AND b) AND c is a AND b AND c: one tree for one meaning, which print() needs.
        if (m_arena.at(operand).kind == kind)
            node.children.append(m_arena.at(operand).children);
        else
            node.children.append(int(operand));
    }
    m_arena.append(std::move(node));
    m_arenaComparison.append(-1);
    return m_arena.size() - 1;
}

bool TraitRuleParser::parseKey(QString *key)
{
    const QString expected = tr("a key");
    const QString keyHint = tr("a key holds letters, digits, \"-\" and \"_\"");
    const QString unquotedKeyHint =
        tr("a key holds letters, digits, \"-\" and \"_\"; quote values, not keys");
    QStringView candidate;
    if (m_token.type == TraitRuleToken::Type::Word) {
        if (isKeyword(m_token, "and"_L1) || isKeyword(m_token, "or"_L1))
            return failExpectedComparison() >= 0;
        candidate = m_token.spelling;
        for (qsizetype i = 0; i < candidate.size(); ++i) {
            if (!isKeyChar(candidate.at(i))) {
                const qsizetype length =
                    candidate.at(i).isHighSurrogate() && i + 1 < candidate.size() ? 2 : 1;
                failAt(m_token.offset + i, length, expected,
                       tr("%1 cannot appear in a key").arg(quoted(candidate.sliced(i, length))),
                       unquotedKeyHint);
                return false;
            }
        }
    } else if (m_token.type == TraitRuleToken::Type::String) {
        if (m_token.quote != u'"') {
            fail(m_token, expected, tr("a key can be quoted with double quotes only"));
            return false;
        }
        candidate = m_token.text;
        if (candidate.isEmpty()) {
            fail(m_token, expected, tr("a key cannot be empty"));
            return false;
        }
        for (const QChar ch : candidate) {
            if (!isKeyChar(ch)) {
                fail(m_token, expected,
                     tr("%1 cannot appear in a key").arg(quoted(QStringView(&ch, 1))), keyHint);
                return false;
            }
        }
    } else {
        failExpectedComparison();
        return false;
    }

    if (!TraitRule::isValidKey(candidate)) { // every character is fine: all digits
        fail(m_token, expected, tr("a key cannot be all digits"),
             tr("a key needs at least one letter, \"-\" or \"_\""));
        return false;
    }
    *key = candidate.toString();
    return true;
}

bool TraitRuleParser::parseOperator(const QString &key, TraitRuleOperator *op)
{
    const QString expected = tr("an operator");
    const bool symbol = m_token.type == TraitRuleToken::Type::Symbol;
    const bool word = m_token.type == TraitRuleToken::Type::Word
                      && !isKeyword(m_token, "and"_L1)
                      && !isKeyword(m_token, "or"_L1)
                      && !isKeyword(m_token, "not"_L1);
    if (symbol || word) {
        if (findOperator(m_token.spelling, op))
            return true;
        fail(m_token, expected,
             tr("unknown operator %1: expected %2").arg(quoted(m_token.spelling), operatorList()),
             operatorHint(m_token.spelling));
        return false;
    }
    fail(m_token, expected, tr("expected an operator after %1").arg(quoted(key)),
         tr("the operators are %1").arg(operatorList()));
    return false;
}

bool TraitRuleParser::parseValue(const TraitRuleToken &opToken, QString *value)
{
    const QString expected = tr("a value");
    const QString text = tr("expected a value after %1").arg(quoted(opToken.spelling));
    if (m_token.type == TraitRuleToken::Type::String) {
        *value = m_token.text;
        return true;
    }
    if (m_token.type == TraitRuleToken::Type::Word) {
        for (const char *keyword : {"and", "or", "not"}) {
            if (isKeyword(m_token, QLatin1String(keyword))) {
                fail(m_token, expected, text,
                     tr("quote a value that is a keyword: %1").arg(quoted(m_token.spelling)));
                return false;
            }
        }
        *value = m_token.spelling.toString();
        return true;
    }
    fail(m_token, expected, text);
    return false;
}

CompiledTraitRule::Comparison TraitRuleParser::compileComparison(const QString &key,
                                                                 TraitRuleOperator op,
                                                                 const QString &value,
                                                                 const TraitRuleToken &valueToken)
{
    CompiledTraitRule::Comparison comparison;
    comparison.key = key;
    comparison.keyHash = RuleSignals::hashKey(key);
    comparison.op = op;
    comparison.value = RuleValue(value);
    comparison.foldedValue = TraitRuleMatch::asciiFolded(value);

    if (op == TraitRuleOperator::MatchesRegex) {
        // Case-sensitive unless the pattern says (?i), as at Adobe (Java's Pattern).
        comparison.regex.setPattern(value);
        if (comparison.regex.isValid()) {
            comparison.regex.optimize(); // compiled now, not by the first call that needs it
        } else {
            m_valueErrors.append(diagnosticAt(
                valueToken.offset, valueToken.length, tr("a regular expression"),
                tr("invalid regular expression: %1 (at character %2 of the pattern)")
                    .arg(comparison.regex.errorString(),
                         QString::number(comparison.regex.patternErrorOffset() + 1)),
                QString()));
        }
    } else if (op == TraitRuleOperator::MatchesWords) {
        comparison.foldedWords = TraitRuleMatch::foldedWords(value);
        if (comparison.foldedWords.isEmpty()) {
            m_valueErrors.append(diagnosticAt(valueToken.offset, valueToken.length,
                                              tr("a list of words"),
                                              tr("matcheswords needs at least one word"),
                                              tr("separate words with spaces or commas: "
                                              "\"red, blue\"")));
        }
    }
    return comparison;
}

TraitRuleParser::ArenaIndex TraitRuleParser::failExpectedComparison()
{
    const QString text = m_hasPrevious
                             ? tr("expected a comparison after %1").arg(quoted(previousName()))
                             : tr("expected a comparison");
    return fail(m_token, tr("a comparison"), text,
                tr("a comparison is a key, an operator and a value: c_section == \"sports\""));
}

void TraitRuleParser::advance()
{
    if (m_token.type != TraitRuleToken::Type::End || m_hasPrevious) {
        m_previous = m_token;
        m_hasPrevious = true;
    }
    m_token = m_lexer.next();
}

bool TraitRuleParser::isKeyword(const TraitRuleToken &token, QLatin1String keyword) const
{
    return token.type == TraitRuleToken::Type::Word
           && TraitRuleMatch::equalsIgnoringAsciiCase(token.spelling, keyword);
}

QString TraitRuleParser::previousName() const
{
    for (const char *keyword : {"AND", "OR", "NOT"}) {
        if (isKeyword(m_previous, QLatin1String(keyword)))
            return QLatin1String(keyword);
    }
    return m_previous.spelling.toString();
}

TraitRuleParser::ArenaIndex TraitRuleParser::fail(const TraitRuleToken &token,
                                                  const QString &expected, const QString &text,
                                                  const QString &hint)
{
    // Wherever an unterminated string turns up, it is the error: nothing after it is a token.
    if (token.type == TraitRuleToken::Type::Unterminated) {
        return failAt(token.offset, 1, QString(token.quote),
                      tr("unterminated string: expected a closing %1").arg(token.quote),
                      tr("inside quotes, write \\%1 for the quote itself").arg(token.quote));
    }
    return failAt(token.offset, token.length, expected, text, hint);
}

TraitRuleParser::ArenaIndex TraitRuleParser::failAt(qsizetype offset, qsizetype length,
                                                    const QString &expected, const QString &text,
                                                    const QString &hint)
{
    if (!m_syntaxError)
        m_syntaxError = diagnosticAt(offset, length, expected, text, hint);
    return -1;
}

void TraitRuleParser::position(qsizetype offset, int *line, int *column)
{
    if (offset < m_cursorOffset) {
        m_cursorOffset = 0;
        m_cursorLineStart = 0;
        m_cursorLine = 1;
    }
    for (; m_cursorOffset < offset && m_cursorOffset < m_source.size(); ++m_cursorOffset) {
        if (m_source.at(m_cursorOffset) == u'\n') {
            ++m_cursorLine;
            m_cursorLineStart = m_cursorOffset + 1;
        }
    }
    *line = m_cursorLine;
    *column = int(offset - m_cursorLineStart + 1);
}

RuleDiagnostic TraitRuleParser::diagnosticAt(qsizetype offset, qsizetype length,
                                             const QString &expected, const QString &text,
                                             const QString &hint)
{
    RuleDiagnostic diagnostic;
    position(offset, &diagnostic.line, &diagnostic.column);
    diagnostic.length = int(length);
    diagnostic.expected = expected;
    diagnostic.text = text;
    diagnostic.hint = hint;
    return diagnostic;
}

qsizetype TraitRuleParser::emitNode(ArenaIndex index, CompiledTraitRule *rule) const
{
    const qsizetype nodeIndex = rule->m_nodes.size();
    TraitRuleNode node = m_arena.at(index);
    const QList<int> arenaChildren = std::exchange(node.children, {});
    rule->m_nodes.append(std::move(node));
    const qsizetype comparison = m_arenaComparison.at(index);
    if (comparison >= 0) {
        rule->m_comparisonOfNode.append(qint32(rule->m_comparisons.size()));
        rule->m_comparisons.append(m_comparisons.at(comparison));
    } else {
        rule->m_comparisonOfNode.append(-1);
    }
    for (const int child : arenaChildren) {
        const qsizetype childIndex = emitNode(child, rule);
        rule->m_nodes[nodeIndex].children.append(int(childIndex));
    }
    return nodeIndex;
}

} // namespace Dcs
