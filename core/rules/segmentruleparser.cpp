// The parser of the segment rule language (grammar in segmentrule.h): a tokenizer, then
// recursive descent with one token of lookahead. The first error stops it, with the position
// of the token at fault, or of the spot right after the last token when the rule ends early.
#include "segmentrule.h"

#include <QCoreApplication>
#include <QVarLengthArray>

namespace Dcs {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::SegmentRule", text);
}

enum class TokenType {
    Number,
    Word,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Operator,
    Other, // any other character: always an error, reported with what was expected
    End,
};

struct Token
{
    TokenType type = TokenType::End;
    qsizetype offset = 0;
    qsizetype length = 0;
    int line = 1;
    int column = 1;
    qint64 value = 0;      // Number: its magnitude, when it fits in qint64
    bool negative = false; // Number: written with a leading '-'
    bool overflow = false; // Number: beyond qint64
};

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isWordStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isWordChar(QChar c)
{
    return isWordStart(c) || isAsciiDigit(c);
}

// A run of these is one token, so ">==" or "=>" is reported whole rather than piecemeal.
bool isOperatorChar(QChar c)
{
    return c == u'<' || c == u'>' || c == u'=' || c == u'!';
}

QString termExpected()
{
    return tr("a trait (like 1234T), FREQUENCY, NOT or \"(\"");
}

QString frequencyExample()
{
    return tr("FREQUENCY is written like FREQUENCY([1T, 2T] <= 5D) >= 3");
}

} // namespace

class SegmentRuleParser
{
public:
    explicit SegmentRuleParser(QStringView text)
        : m_text(text)
    {
        tokenize();
    }

    std::optional<SegmentRule> parse(RuleDiagnostic *diagnostic);

private:
    using Node = SegmentRule::Node;
    using TraitRef = SegmentRule::TraitRef;

    void tokenize();
    const Token &current() const { return m_tokens.at(m_index); }
    void advance()
    {
        if (current().type != TokenType::End)
            ++m_index;
    }
    QStringView textOf(const Token &token) const
    {
        return m_text.sliced(token.offset, token.length);
    }
    bool isWord(const Token &token, QLatin1String word) const
    {
        return token.type == TokenType::Word
               && textOf(token).compare(word, Qt::CaseInsensitive) == 0;
    }
    bool isOperator(const Token &token, QLatin1String op) const
    {
        return token.type == TokenType::Operator && textOf(token) == op;
    }
    bool startsTerm(const Token &token) const;
    QString quoted(const Token &token) const;
    QString hintFor(const Token &token) const;
    QString operatorHint(QStringView op, bool recency) const;
    SourceSpan spanFrom(const Token &first) const;
    int addNode(const Node &node);
    void appendOperand(QVarLengthArray<qint32, 8> &operands, int operand,
                       SegmentNodeKind kind) const;

    int parseOr(int depth);
    int parseAnd(int depth);
    int parseJoined(int depth, SegmentNodeKind kind, QLatin1String keyword,
                    int (SegmentRuleParser::*parseOperand)(int));
    int parseUnary(int depth);
    int parseTrait();
    int parseFrequency();
    bool parseTraitRef(TraitRef *ref);
    bool parseRecency(Node *node);
    bool parseComparison(Node *node);

    void failAt(const Token &token, const QString &expected, const QString &text,
                const QString &hint = {});
    // "<sentence>, found "x"" at the current token, or "<sentence>" right after the previous
    // token when the rule has ended.
    void failExpecting(const QString &expected, const QString &sentence,
                       const QString &hint = {});

    QStringView m_text;
    QList<Token> m_tokens;
    qsizetype m_index = 0;
    SegmentRule m_rule;
    std::optional<RuleDiagnostic> m_error;
};

void SegmentRuleParser::tokenize()
{
    const qsizetype size = m_text.size();
    int line = 1;
    qsizetype lineStart = 0;
    qsizetype i = 0;
    while (i < size) {
        const QChar c = m_text.at(i);
        if (c == u'\n') {
            ++line;
            lineStart = ++i;
            continue;
        }
        if (c.isSpace()) {
            ++i;
            continue;
        }
        Token token;
        token.offset = i;
        token.line = line;
        token.column = int(i - lineStart + 1);
        qsizetype end = i + 1;
        if (isAsciiDigit(c) || (c == u'-' && end < size && isAsciiDigit(m_text.at(end)))) {
            token.type = TokenType::Number;
            token.negative = c == u'-';
            end = token.negative ? i + 1 : i;
            for (; end < size && isAsciiDigit(m_text.at(end)); ++end) {
                const int digit = m_text.at(end).unicode() - u'0';
                if (token.value > (std::numeric_limits<qint64>::max() - digit) / 10)
                    token.overflow = true;
                if (!token.overflow)
                    token.value = token.value * 10 + digit;
            }
        } else if (isWordStart(c)) {
            token.type = TokenType::Word;
            while (end < size && isWordChar(m_text.at(end)))
                ++end;
        } else if (isOperatorChar(c)) {
            token.type = TokenType::Operator;
            while (end < size && isOperatorChar(m_text.at(end)))
                ++end;
        } else if (c == u'(') {
            token.type = TokenType::LParen;
        } else if (c == u')') {
            token.type = TokenType::RParen;
        } else if (c == u'[') {
            token.type = TokenType::LBracket;
        } else if (c == u']') {
            token.type = TokenType::RBracket;
        } else if (c == u',') {
            token.type = TokenType::Comma;
        } else {
            token.type = TokenType::Other;
            if (c.isHighSurrogate() && end < size && m_text.at(end).isLowSurrogate())
                ++end; // one character, two QChars
        }
        token.length = end - i;
        m_tokens.append(token);
        i = end;
    }
    Token last;
    last.offset = size;
    last.line = line;
    last.column = int(size - lineStart + 1);
    m_tokens.append(last);
}

bool SegmentRuleParser::startsTerm(const Token &token) const
{
    return (token.type == TokenType::Number && !token.negative)
           || token.type == TokenType::LParen || isWord(token, QLatin1String("NOT"))
           || isWord(token, QLatin1String("FREQUENCY"));
}

QString SegmentRuleParser::quoted(const Token &token) const
{
    constexpr qsizetype longest = 24;
    QStringView text = textOf(token);
    if (text.size() <= longest)
        return u'"' + text.toString() + u'"';
    return u'"' + text.first(longest).toString() + QLatin1String("...\"");
}

// What an analyst who typed this token most likely meant.
QString SegmentRuleParser::hintFor(const Token &token) const
{
    const QStringView text = textOf(token);
    if (token.type == TokenType::Other && text == u"&")
        return tr("write AND, not &&");
    if (token.type == TokenType::Other && text == u"|")
        return tr("write OR, not ||");
    if (token.type == TokenType::Operator && text.startsWith(u'!'))
        return tr("write NOT, not !");
    if (isWord(token, QLatin1String("AND")) || isWord(token, QLatin1String("OR")))
        return tr("a part of the rule is missing before %1").arg(text.toString().toUpper());
    if (token.type == TokenType::Word)
        return tr("traits are named by their ID, like 1234T");
    if (token.type == TokenType::Number && token.negative)
        return tr("trait IDs are not negative");
    return {};
}

QString SegmentRuleParser::operatorHint(QStringView op, bool recency) const
{
    if (op == u"=>")
        return tr("write >=");
    if (op == u"=<")
        return tr("write <=");
    if (recency) {
        if (op == u"<" || op == u">")
            return tr("recency bounds include day N: write <= ND or >= ND");
        return tr("<= 5D counts the last 5 days, >= 5D what is at least 5 days old");
    }
    if (op == u"<" || op == u">")
        return tr("FREQUENCY compares with >=, <= or ==; for more than 2, write >= 3");
    if (op == u"=")
        return tr("write ==");
    if (op == u"!=")
        return tr("for \"not equal\", write NOT FREQUENCY(...) == m");
    return tr("FREQUENCY compares with >=, <= or ==");
}

SourceSpan SegmentRuleParser::spanFrom(const Token &first) const
{
    const Token &last = m_tokens.at(qMax<qsizetype>(m_index - 1, 0));
    return {first.line, first.column, int(last.offset + last.length - first.offset)};
}

int SegmentRuleParser::addNode(const Node &node)
{
    m_rule.m_nodes.append(node);
    return m_rule.rootIndex();
}

// AND and OR are associative: a parenthesized AND inside an AND joins its operands, so that
// "1T AND (2T AND 3T)" and "1T AND 2T AND 3T" are one tree, printed the second way.
void SegmentRuleParser::appendOperand(QVarLengthArray<qint32, 8> &operands, int operand,
                                      SegmentNodeKind kind) const
{
    const Node &node = m_rule.m_nodes.at(operand);
    if (node.kind != kind) {
        operands.append(operand);
        return;
    }
    for (qint32 i = 0; i < node.count; ++i)
        operands.append(m_rule.m_operands.at(node.first + i));
}

void SegmentRuleParser::failAt(const Token &token, const QString &expected, const QString &text,
                               const QString &hint)
{
    if (m_error)
        return;
    RuleDiagnostic diagnostic;
    diagnostic.line = token.line;
    diagnostic.column = token.column;
    diagnostic.length = int(token.length);
    diagnostic.expected = expected;
    diagnostic.text = text;
    diagnostic.hint = hint;
    m_error = diagnostic;
}

void SegmentRuleParser::failExpecting(const QString &expected, const QString &sentence,
                                      const QString &hint)
{
    const Token &token = current();
    if (token.type != TokenType::End) {
        failAt(token, expected, tr("%1, found %2").arg(sentence, quoted(token)), hint);
        return;
    }
    Token spot = token;
    if (m_index > 0) {
        const Token &previous = m_tokens.at(m_index - 1);
        spot.line = previous.line;
        spot.column = previous.column + int(previous.length);
    }
    spot.length = 0;
    failAt(spot, expected, sentence, hint);
}

std::optional<SegmentRule> SegmentRuleParser::parse(RuleDiagnostic *diagnostic)
{
    if (current().type == TokenType::End) {
        failAt(Token(), termExpected(), tr("the rule is empty"), tr("name a trait, like 1234T"));
    } else if (parseOr(0) >= 0 && current().type != TokenType::End) {
        const Token &token = current();
        const QString expected = tr("AND, OR or the end of the rule");
        if (token.type == TokenType::RParen) {
            failAt(token, expected, tr("unexpected \")\" with no \"(\" to close"));
        } else {
            failAt(token, expected, tr("expected %1, found %2").arg(expected, quoted(token)),
                   startsTerm(token) ? tr("join the parts with AND or OR") : hintFor(token));
        }
    }
    if (m_error) {
        if (diagnostic)
            *diagnostic = *m_error;
        return std::nullopt;
    }
    if (diagnostic)
        *diagnostic = RuleDiagnostic();
    // Flattening left operator nodes nobody points at; the saved rule holds none.
    return m_rule.compacted();
}

int SegmentRuleParser::parseOr(int depth)
{
    return parseJoined(depth, SegmentNodeKind::Or, QLatin1String("OR"),
                       &SegmentRuleParser::parseAnd);
}

int SegmentRuleParser::parseAnd(int depth)
{
    return parseJoined(depth, SegmentNodeKind::And, QLatin1String("AND"),
                       &SegmentRuleParser::parseUnary);
}

// operand ( keyword operand )*: one node of `kind` over all the operands, or the single operand
// itself when there is no keyword.
int SegmentRuleParser::parseJoined(int depth, SegmentNodeKind kind, QLatin1String keyword,
                                   int (SegmentRuleParser::*parseOperand)(int))
{
    const Token &first = current();
    QVarLengthArray<qint32, 8> operands;
    int operand = (this->*parseOperand)(depth);
    if (operand < 0)
        return -1;
    appendOperand(operands, operand, kind);
    bool joined = false;
    while (isWord(current(), keyword)) {
        advance();
        operand = (this->*parseOperand)(depth);
        if (operand < 0)
            return -1;
        appendOperand(operands, operand, kind);
        joined = true;
    }
    if (!joined)
        return operand;
    Node node;
    node.kind = kind;
    node.first = qint32(m_rule.m_operands.size());
    node.count = qint32(operands.size());
    node.span = spanFrom(first);
    for (const qint32 index : operands)
        m_rule.m_operands.append(index);
    return addNode(node);
}

int SegmentRuleParser::parseUnary(int depth)
{
    const Token &token = current();
    if (depth > SegmentRule::MaxNesting) {
        failAt(token, {},
               tr("the rule nests NOT and parentheses more than %1 levels deep")
                   .arg(SegmentRule::MaxNesting));
        return -1;
    }
    if (isWord(token, QLatin1String("NOT"))) {
        advance();
        const int operand = parseUnary(depth + 1);
        if (operand < 0)
            return -1;
        Node node;
        node.kind = SegmentNodeKind::Not;
        node.first = operand;
        node.count = 1;
        node.span = spanFrom(token);
        return addNode(node);
    }
    if (token.type == TokenType::LParen) {
        advance();
        const int inner = parseOr(depth + 1);
        if (inner < 0)
            return -1;
        const Token &close = current();
        if (close.type == TokenType::End) {
            failAt(token, tr("\")\""), tr("\"(\" is never closed"),
                   tr("add \")\" where the group ends"));
            return -1;
        }
        if (close.type != TokenType::RParen) {
            const QString expected = tr("AND, OR or \")\"");
            failAt(close, expected, tr("expected %1, found %2").arg(expected, quoted(close)),
                   startsTerm(close) ? tr("join the parts with AND or OR") : hintFor(close));
            return -1;
        }
        advance();
        return inner;
    }
    if (token.type == TokenType::Number && !token.negative)
        return parseTrait();
    if (isWord(token, QLatin1String("FREQUENCY")))
        return parseFrequency();
    if (token.type == TokenType::End && m_index > 0) {
        failExpecting(termExpected(),
                      tr("expected %1 after %2")
                          .arg(termExpected(), quoted(m_tokens.at(m_index - 1))));
    } else {
        failExpecting(termExpected(), tr("expected %1").arg(termExpected()), hintFor(token));
    }
    return -1;
}

int SegmentRuleParser::parseTrait()
{
    TraitRef ref;
    if (!parseTraitRef(&ref))
        return -1;
    Node node;
    node.kind = SegmentNodeKind::Trait;
    node.first = qint32(m_rule.m_traits.size());
    node.count = 1;
    node.span = ref.span;
    m_rule.m_traits.append(ref);
    return addNode(node);
}

// <sid> "T", the current token being a non-negative number.
bool SegmentRuleParser::parseTraitRef(TraitRef *ref)
{
    const Token &number = current();
    if (number.overflow) {
        failAt(number, {},
               tr("trait ID %1 is too large").arg(textOf(number).toString()));
        return false;
    }
    advance();
    if (!isWord(current(), QLatin1String("T"))) {
        failExpecting(tr("\"T\""), tr("expected \"T\" after the trait ID"),
                      tr("a trait is written like 1234T"));
        return false;
    }
    advance();
    ref->sid = number.value;
    ref->span = spanFrom(number);
    return true;
}

int SegmentRuleParser::parseFrequency()
{
    const Token &keyword = current();
    advance();
    const Token &open = current();
    if (open.type != TokenType::LParen) {
        failExpecting(tr("\"(\""), tr("expected \"(\" after FREQUENCY"), frequencyExample());
        return -1;
    }
    advance();
    const Token &bracket = current();
    if (bracket.type != TokenType::LBracket) {
        failExpecting(tr("\"[\""), tr("expected \"[\" to start the list of traits"),
                      frequencyExample());
        return -1;
    }
    advance();
    if (current().type == TokenType::RBracket) {
        failAt(current(), tr("a trait like 1234T"), tr("the list of traits is empty"),
               frequencyExample());
        return -1;
    }

    Node node;
    node.kind = SegmentNodeKind::Frequency;
    node.first = qint32(m_rule.m_traits.size());
    for (;;) {
        const Token &item = current();
        if (item.type != TokenType::Number || item.negative) {
            failExpecting(tr("a trait like 1234T"),
                          tr("expected a trait like 1234T in the list"), hintFor(item));
            return -1;
        }
        TraitRef ref;
        if (!parseTraitRef(&ref))
            return -1;
        // The list is a set: a trait listed twice still counts once.
        bool listed = false;
        for (qsizetype i = node.first; i < m_rule.m_traits.size() && !listed; ++i)
            listed = m_rule.m_traits.at(i).sid == ref.sid;
        if (!listed)
            m_rule.m_traits.append(ref);

        const Token &separator = current();
        if (separator.type == TokenType::Comma) {
            advance();
            continue;
        }
        if (separator.type == TokenType::RBracket) {
            advance();
            break;
        }
        const QString expected = tr("\",\" or \"]\"");
        if (separator.type == TokenType::End) {
            failAt(bracket, expected, tr("\"[\" is never closed"),
                   tr("close the list of traits with \"]\""));
        } else {
            failAt(separator, expected,
                   tr("expected %1 in the list of traits, found %2")
                       .arg(expected, quoted(separator)),
                   separator.type == TokenType::Number ? tr("separate the traits with commas")
                                                       : QString());
        }
        return -1;
    }
    node.count = qint32(m_rule.m_traits.size() - node.first);

    if (current().type == TokenType::Operator && !parseRecency(&node))
        return -1;
    const Token &close = current();
    if (close.type != TokenType::RParen) {
        if (close.type == TokenType::End) {
            failAt(open, tr("\")\""), tr("\"(\" is never closed"),
                   tr("close FREQUENCY( with \")\""));
        } else if (node.recency != Recency::None) {
            failAt(close, tr("\")\""),
                   tr("expected \")\" after the recency, found %1").arg(quoted(close)));
        } else {
            const QString expected = tr("\"<=\", \">=\" or \")\"");
            failAt(close, expected,
                   tr("expected %1 after the list of traits, found %2")
                       .arg(expected, quoted(close)),
                   frequencyExample());
        }
        return -1;
    }
    advance();
    if (!parseComparison(&node))
        return -1;
    node.span = spanFrom(keyword);
    return addNode(node);
}

// ( ">=" | "<=" ) <n> "D", the current token being an operator.
bool SegmentRuleParser::parseRecency(Node *node)
{
    const Token &op = current();
    if (!isOperator(op, QLatin1String("<=")) && !isOperator(op, QLatin1String(">="))) {
        const QString expected = tr("\"<=\" or \">=\"");
        failAt(op, expected,
               tr("expected %1 before the number of days, found %2").arg(expected, quoted(op)),
               operatorHint(textOf(op), true));
        return false;
    }
    node->recency = textOf(op) == u"<=" ? Recency::Within : Recency::Older;
    advance();
    const Token &days = current();
    if (days.type != TokenType::Number) {
        failExpecting(tr("a number of days"),
                      tr("expected a number of days after %1").arg(quoted(op)),
                      tr("recency is written like <= 5D"));
        return false;
    }
    if (days.negative || (!days.overflow && days.value == 0)) {
        failAt(days, {}, tr("recency must be more than 0 days"),
               tr("<= 7D counts the last 7 days"));
        return false;
    }
    if (days.overflow || days.value > SegmentRule::MaxRecencyDays) {
        failAt(days, {},
               tr("recency must be at most %1 days").arg(SegmentRule::MaxRecencyDays));
        return false;
    }
    node->recencyDays = int(days.value);
    advance();
    if (!isWord(current(), QLatin1String("D"))) {
        failExpecting(tr("\"D\""), tr("expected \"D\" after the number of days"),
                      tr("recency is written like <= 5D"));
        return false;
    }
    advance();
    return true;
}

// freqop <m> after FREQUENCY(...).
bool SegmentRuleParser::parseComparison(Node *node)
{
    const Token &op = current();
    const QString expected = tr("\">=\", \"<=\" or \"==\"");
    if (isOperator(op, QLatin1String(">="))) {
        node->comparison = FrequencyComparison::AtLeast;
    } else if (isOperator(op, QLatin1String("<="))) {
        node->comparison = FrequencyComparison::AtMost;
    } else if (isOperator(op, QLatin1String("=="))) {
        node->comparison = FrequencyComparison::Exactly;
    } else {
        failExpecting(expected, tr("expected %1 and a count after FREQUENCY(...)").arg(expected),
                      op.type == TokenType::Operator ? operatorHint(textOf(op), false)
                                                     : tr("for example FREQUENCY([1T]) >= 3"));
        return false;
    }
    advance();
    const Token &count = current();
    if (count.type != TokenType::Number) {
        failExpecting(tr("a count"), tr("expected a count after %1").arg(quoted(op)));
        return false;
    }
    if (count.negative) {
        failAt(count, {}, tr("the count must be 0 or more"));
        return false;
    }
    if (count.overflow) {
        failAt(count, {}, tr("the count %1 is too large").arg(textOf(count).toString()));
        return false;
    }
    node->threshold = count.value;
    advance();
    return true;
}

std::optional<SegmentRule> SegmentRule::parse(QStringView text, RuleDiagnostic *diagnostic)
{
    return SegmentRuleParser(text).parse(diagnostic);
}

std::optional<SegmentRule> SegmentRule::compile(QStringView text, const TraitCatalog &catalog,
                                                RuleDiagnostic *diagnostic)
{
    std::optional<SegmentRule> rule = parse(text, diagnostic);
    if (!rule)
        return std::nullopt;
    const QList<RuleDiagnostic> problems = rule->validate(catalog);
    if (!problems.isEmpty()) {
        if (diagnostic)
            *diagnostic = problems.constFirst();
        return std::nullopt;
    }
    return rule;
}

} // namespace Dcs
