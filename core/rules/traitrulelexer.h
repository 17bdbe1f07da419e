#pragma once

#include <QString>
#include <QStringView>

namespace Dcs {

// One token of a trait rule. Spellings are views into the rule text the lexer was given.
struct TraitRuleToken
{
    enum class Type : quint8 {
        End,        // after the last token; offset is where the last token ended
        Word,       // a run of anything but spaces, quotes, parentheses and = ! < > ~
        String,     // a quoted value; `text` holds it with its escapes resolved
        Symbol,     // a run of = ! < > ~, valid operator or not
        OpenParen,
        CloseParen,
        Unterminated, // a quote never closed; offset is the opening quote
    };

    Type type = Type::End;
    qsizetype offset = 0; // in UTF-16 code units
    qsizetype length = 0;
    QStringView spelling; // the token as written, quotes included
    QString text;         // String only
    QChar quote;          // String and Unterminated: '"' or '\''
};

// Splits a trait rule into tokens on demand, so that the parser reports the first error in
// text order: an unterminated string after a syntax error is never reached.
//
// Whitespace is anything QChar::isSpace() calls a space, so a no-break space pasted from a web
// page separates tokens like a plain one. Inside quotes, a backslash before the quote that
// opened the value or before another backslash escapes it; any other backslash is kept, so
// regular expressions need no doubling.
class TraitRuleLexer final
{
public:
    explicit TraitRuleLexer(QStringView source)
        : m_source(source)
    {}

    TraitRuleToken next();

private:
    static bool isSymbolChar(QChar ch);
    static bool isWordChar(QChar ch);
    TraitRuleToken lexString(qsizetype start);

    QStringView m_source;
    qsizetype m_at = 0;
    qsizetype m_lastTokenEnd = 0;
};

} // namespace Dcs
