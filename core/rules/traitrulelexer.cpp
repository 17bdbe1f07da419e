#include "rules/traitrulelexer.h"

namespace Dcs {

bool TraitRuleLexer::isSymbolChar(QChar ch)
{
    // '~' is no operator character of the language, but "=~" and "~=" are common guesses:
    // lexing them as one symbol lets the parser name the operator that was meant to be.
    switch (ch.unicode()) {
    case u'=':
    case u'!':
    case u'<':
    case u'>':
    case u'~':
        return true;
    default:
        return false;
    }
}

bool TraitRuleLexer::isWordChar(QChar ch)
{
    switch (ch.unicode()) {
    case u'(':
    case u')':
    case u'"':
    case u'\'':
        return false;
    default:
        return !ch.isSpace() && !isSymbolChar(ch);
    }
}

TraitRuleToken TraitRuleLexer::next()
{
    while (m_at < m_source.size() && m_source.at(m_at).isSpace())
        ++m_at;

    TraitRuleToken token;
    if (m_at >= m_source.size()) {
        token.type = TraitRuleToken::Type::End;
        token.offset = m_lastTokenEnd;
        return token;
    }

    const qsizetype start = m_at;
    const QChar first = m_source.at(start);
    if (first == u'"' || first == u'\'')
        return lexString(start);

    if (first == u'(' || first == u')') {
        token.type = first == u'(' ? TraitRuleToken::Type::OpenParen
                                   : TraitRuleToken::Type::CloseParen;
        ++m_at;
    } else if (isSymbolChar(first)) {
        token.type = TraitRuleToken::Type::Symbol;
        while (m_at < m_source.size() && isSymbolChar(m_source.at(m_at)))
            ++m_at;
    } else {
        token.type = TraitRuleToken::Type::Word;
        while (m_at < m_source.size() && isWordChar(m_source.at(m_at)))
            ++m_at;
    }
    token.offset = start;
    token.length = m_at - start;
    token.spelling = m_source.sliced(start, token.length);
    m_lastTokenEnd = m_at;
    return token;
}

TraitRuleToken TraitRuleLexer::lexString(qsizetype start)
{
    TraitRuleToken token;
    token.quote = m_source.at(start);
    token.offset = start;

    // Most values have no escape: they are one slice of the source.
    qsizetype at = start + 1;
    bool escaped = false;
    for (; at < m_source.size(); ++at) {
        const QChar ch = m_source.at(at);
        if (ch == token.quote)
            break;
        if (ch == u'\\' && at + 1 < m_source.size()) {
            const QChar following = m_source.at(at + 1);
            if (following == token.quote || following == u'\\') {
                escaped = true;
                ++at;
            }
        }
    }
    if (at >= m_source.size()) {
        token.type = TraitRuleToken::Type::Unterminated;
        token.length = 1;
        token.spelling = m_source.sliced(start, 1);
        m_at = m_source.size();
        return token;
    }

    token.type = TraitRuleToken::Type::String;
    token.length = at + 1 - start;
    token.spelling = m_source.sliced(start, token.length);
    const QStringView inner = m_source.sliced(start + 1, at - start - 1);
    if (!escaped) {
        token.text = inner.toString();
    } else {
        token.text.reserve(inner.size());
        for (qsizetype i = 0; i < inner.size(); ++i) {
            const QChar ch = inner.at(i);
            if (ch == u'\\' && i + 1 < inner.size()
                && (inner.at(i + 1) == token.quote || inner.at(i + 1) == u'\\')) {
                ++i;
                token.text += inner.at(i);
            } else {
                token.text += ch;
            }
        }
    }
    m_at = at + 1;
    m_lastTokenEnd = m_at;
    return token;
}

} // namespace Dcs
