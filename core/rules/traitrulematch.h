#pragma once

#include <QLatin1String>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace Dcs::TraitRuleMatch {

// The text tests of the trait rule language. "Ignoring case" is ASCII case only, as rules.md
// says: 'A' matches 'a', but 'É' does not match 'é' and the Kelvin sign is not a 'k'. The
// `folded` side is the rule's value, lower-cased once by asciiFolded() at compile time, so a
// test folds only the signal's characters and allocates nothing.

constexpr char16_t foldAscii(char16_t ch)
{
    return ch >= u'A' && ch <= u'Z' ? char16_t(ch + (u'a' - u'A')) : ch;
}

QString asciiFolded(QStringView text);
bool equalsIgnoringAsciiCase(QStringView text, QStringView other);
bool equalsIgnoringAsciiCase(QStringView text, QLatin1String other);

bool equalsFolded(QStringView text, QStringView folded);
bool startsWithFolded(QStringView text, QStringView folded);
bool endsWithFolded(QStringView text, QStringView folded);
// First index >= from where `folded` occurs in `text`, or -1; "" occurs everywhere.
qsizetype indexOfFolded(QStringView text, QStringView folded, qsizetype from = 0);

// matcheswords: the words of a rule's value, split on whitespace and commas, empty ones
// dropped, ASCII-folded.
QStringList foldedWords(QStringView value);
// Whether one of `foldedWordList` occurs in `text` as a whole word: not preceded or followed
// by a letter, digit, combining mark or '_' (Unicode classes, code point by code point).
bool containsWholeWord(QStringView text, const QStringList &foldedWordList);

} // namespace Dcs::TraitRuleMatch
