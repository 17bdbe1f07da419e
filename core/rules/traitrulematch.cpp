#include "rules/traitrulematch.h"

namespace Dcs::TraitRuleMatch {

namespace {

bool isWordCodePoint(char32_t codePoint)
{
    return codePoint == U'_' || QChar::isLetterOrNumber(codePoint) || QChar::isMark(codePoint);
}

// The code point that ends just before `at` (a surrogate pair counts as one).
char32_t codePointBefore(QStringView text, qsizetype at)
{
    const QChar last = text.at(at - 1);
    if (last.isLowSurrogate() && at >= 2 && text.at(at - 2).isHighSurrogate())
        return QChar::surrogateToUcs4(text.at(at - 2), last);
    return last.unicode();
}

char32_t codePointAt(QStringView text, qsizetype at)
{
    const QChar first = text.at(at);
    if (first.isHighSurrogate() && at + 1 < text.size() && text.at(at + 1).isLowSurrogate())
        return QChar::surrogateToUcs4(first, text.at(at + 1));
    return first.unicode();
}

bool isWordSeparator(QChar ch)
{
    return ch == u',' || ch.isSpace();
}

} // namespace

QString asciiFolded(QStringView text)
{
    QString folded(text.size(), Qt::Uninitialized);
    char16_t *out = reinterpret_cast<char16_t *>(folded.data());
    for (qsizetype i = 0; i < text.size(); ++i)
        out[i] = foldAscii(text.at(i).unicode());
    return folded;
}

bool equalsIgnoringAsciiCase(QStringView text, QStringView other)
{
    if (text.size() != other.size())
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (foldAscii(text.at(i).unicode()) != foldAscii(other.at(i).unicode()))
            return false;
    }
    return true;
}

bool equalsIgnoringAsciiCase(QStringView text, QLatin1String other)
{
    if (text.size() != other.size())
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (foldAscii(text.at(i).unicode()) != foldAscii(char16_t(uchar(other.at(i).toLatin1()))))
            return false;
    }
    return true;
}

bool equalsFolded(QStringView text, QStringView folded)
{
    if (text.size() != folded.size())
        return false;
    const char16_t *textData = text.utf16();
    const char16_t *foldedData = folded.utf16();
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (foldAscii(textData[i]) != foldedData[i])
            return false;
    }
    return true;
}

bool startsWithFolded(QStringView text, QStringView folded)
{
    return text.size() >= folded.size() && equalsFolded(text.first(folded.size()), folded);
}

bool endsWithFolded(QStringView text, QStringView folded)
{
    return text.size() >= folded.size() && equalsFolded(text.last(folded.size()), folded);
}

qsizetype indexOfFolded(QStringView text, QStringView folded, qsizetype from)
{
    if (folded.isEmpty())
        return from <= text.size() ? from : -1;
    // A plain scan: rule values are short and signal values are bounded by the listener's
    // limits (32 KiB a body), so the worst case stays small and the usual case is fastest.
    const char16_t *textData = text.utf16();
    const char16_t *foldedData = folded.utf16();
    const char16_t first = foldedData[0];
    const qsizetype last = text.size() - folded.size();
    for (qsizetype at = from; at <= last; ++at) {
        if (foldAscii(textData[at]) != first)
            continue;
        qsizetype i = 1;
        while (i < folded.size() && foldAscii(textData[at + i]) == foldedData[i])
            ++i;
        if (i == folded.size())
            return at;
    }
    return -1;
}

QStringList foldedWords(QStringView value)
{
    QStringList words;
    qsizetype at = 0;
    while (at < value.size()) {
        while (at < value.size() && isWordSeparator(value.at(at)))
            ++at;
        const qsizetype start = at;
        while (at < value.size() && !isWordSeparator(value.at(at)))
            ++at;
        if (at > start)
            words.append(asciiFolded(value.sliced(start, at - start)));
    }
    return words;
}

bool containsWholeWord(QStringView text, const QStringList &foldedWordList)
{
    for (const QString &word : foldedWordList) {
        for (qsizetype at = indexOfFolded(text, word); at >= 0;
             at = indexOfFolded(text, word, at + 1)) {
            const qsizetype end = at + word.size();
            const bool startsWord = at == 0 || !isWordCodePoint(codePointBefore(text, at));
            const bool endsWord = end == text.size() || !isWordCodePoint(codePointAt(text, end));
            if (startsWord && endsWord)
                return true;
        }
    }
    return false;
}

} // namespace Dcs::TraitRuleMatch
