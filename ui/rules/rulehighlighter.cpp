#include "rules/rulehighlighter.h"

#include "rules/traitrulelexer.h"

#include <QGuiApplication>
#include <QPalette>
#include <QRegularExpression>

namespace Dcs {

namespace {

bool isOneOf(QStringView word, std::initializer_list<QLatin1StringView> names)
{
    for (const QLatin1StringView name : names) {
        if (word.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool isTextOperator(QStringView word)
{
    return isOneOf(word, {QLatin1StringView("contains"), QLatin1StringView("startswith"),
                          QLatin1StringView("endswith"), QLatin1StringView("matchesregex"),
                          QLatin1StringView("matcheswords")});
}

bool isLogicalKeyword(QStringView word)
{
    return isOneOf(word, {QLatin1StringView("AND"), QLatin1StringView("OR"),
                          QLatin1StringView("NOT")});
}

bool isNumber(QStringView word)
{
    bool ok = false;
    (void)word.toDouble(&ok);
    return ok;
}

// A colour between the text colour and `accent`: distinct from plain text on light and dark
// backgrounds alike, without hard-coding either.
QColor tinted(const QPalette &palette, const QColor &accent)
{
    const QColor text = palette.color(QPalette::Text);
    return QColor::fromRgbF(0.35f * text.redF() + 0.65f * accent.redF(),
                            0.35f * text.greenF() + 0.65f * accent.greenF(),
                            0.35f * text.blueF() + 0.65f * accent.blueF());
}

} // namespace

RuleHighlighter::RuleHighlighter(Language language, QTextDocument *document)
    : QSyntaxHighlighter(document)
    , m_language(language)
{
    setPalette(QGuiApplication::palette());
}

void RuleHighlighter::setPalette(const QPalette &palette)
{
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    const auto accent = [dark](int lightHue, int darkHue) {
        return QColor::fromHsv(dark ? darkHue : lightHue, dark ? 110 : 230, dark ? 255 : 150);
    };
    auto &keyword = m_formats[int(Kind::Keyword)];
    keyword = {};
    keyword.setFontWeight(QFont::Bold);
    keyword.setForeground(palette.color(QPalette::Link));
    auto &op = m_formats[int(Kind::Operator)];
    op = {};
    op.setForeground(tinted(palette, accent(300, 300)));
    auto &key = m_formats[int(Kind::Key)];
    key = {};
    key.setForeground(tinted(palette, accent(200, 190)));
    auto &string = m_formats[int(Kind::String)];
    string = {};
    string.setForeground(tinted(palette, accent(120, 110)));
    auto &number = m_formats[int(Kind::Number)];
    number = {};
    number.setForeground(tinted(palette, accent(25, 30)));
    auto &traitReference = m_formats[int(Kind::TraitReference)];
    traitReference = {};
    traitReference.setForeground(tinted(palette, accent(200, 190)));
    traitReference.setFontUnderline(false);
    traitReference.setFontItalic(true);
    rehighlight();
}

QTextCharFormat RuleHighlighter::format(Kind kind) const
{
    return m_formats[int(kind)];
}

void RuleHighlighter::highlightBlock(const QString &text)
{
    if (m_language == Language::Trait)
        highlightTrait(text);
    else
        highlightSegment(text);
}

void RuleHighlighter::highlightTrait(const QString &text)
{
    // The parser's own lexer, so a value is coloured as a value exactly when the parser reads
    // one. A word is a key when an operator follows it.
    TraitRuleLexer lexer(text);
    TraitRuleToken token = lexer.next();
    while (token.type != TraitRuleToken::Type::End) {
        const TraitRuleToken next = lexer.next();
        const int start = int(token.offset);
        const int length = int(token.length);
        switch (token.type) {
        case TraitRuleToken::Type::String:
        case TraitRuleToken::Type::Unterminated:
            QSyntaxHighlighter::setFormat(start, length, m_formats[int(Kind::String)]);
            break;
        case TraitRuleToken::Type::Symbol:
            QSyntaxHighlighter::setFormat(start, length, m_formats[int(Kind::Operator)]);
            break;
        case TraitRuleToken::Type::Word: {
            const bool beforeOperator
                = next.type == TraitRuleToken::Type::Symbol
                  || (next.type == TraitRuleToken::Type::Word && isTextOperator(next.spelling));
            if (beforeOperator)
                QSyntaxHighlighter::setFormat(start, length, m_formats[int(Kind::Key)]);
            else if (isLogicalKeyword(token.spelling))
                QSyntaxHighlighter::setFormat(start, length, m_formats[int(Kind::Keyword)]);
            else if (isTextOperator(token.spelling))
                QSyntaxHighlighter::setFormat(start, length, m_formats[int(Kind::Operator)]);
            else if (isNumber(token.spelling))
                QSyntaxHighlighter::setFormat(start, length, m_formats[int(Kind::Number)]);
            break;
        }
        default:
            break;
        }
        token = next;
    }
}

void RuleHighlighter::highlightSegment(const QString &text)
{
    static const QRegularExpression tokens(
        QStringLiteral(R"((?<trait>\b\d+\s*[tT]\b)|(?<days>\b\d+\s*[dD]\b)|)"
                       R"((?<keyword>\b(?i:FREQUENCY|AND|OR|NOT)\b)|)"
                       R"((?<op>>=|<=|==|[<>=!]+)|(?<number>\b\d+\b))"));
    auto it = tokens.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        const auto mark = [&](const QString &group, Kind kind) {
            if (match.capturedLength(group) == 0)
                return false;
            QSyntaxHighlighter::setFormat(int(match.capturedStart(group)),
                                          int(match.capturedLength(group)),
                                          m_formats[int(kind)]);
            return true;
        };
        mark(QStringLiteral("trait"), Kind::TraitReference)
            || mark(QStringLiteral("days"), Kind::Number)
            || mark(QStringLiteral("keyword"), Kind::Keyword)
            || mark(QStringLiteral("op"), Kind::Operator)
            || mark(QStringLiteral("number"), Kind::Number);
    }
}

} // namespace Dcs
