#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace Dcs {

enum class RuleLanguage : quint8 { Trait, Segment };

// Colours a trait or segment rule as the parsers read it: keywords (AND, OR, NOT, FREQUENCY),
// operators, keys, quoted values, numbers and trait references. Colours come from the palette
// given (readable in dark mode); keywords are also bold, so the structure shows without colour.
class RuleHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    using Language = RuleLanguage;
    enum class Kind : quint8 { Keyword, Operator, Key, String, Number, TraitReference };

    RuleHighlighter(Language language, QTextDocument *document);

    // Re-derives the formats from `palette` (call on a palette change) and rehighlights.
    void setPalette(const QPalette &palette);
    QTextCharFormat format(Kind kind) const;

protected:
    void highlightBlock(const QString &text) override;

private:
    void highlightTrait(const QString &text);
    void highlightSegment(const QString &text);

    Language m_language;
    QTextCharFormat m_formats[6];
};

} // namespace Dcs
