#include "partneranswer.h"

#include "partners/inbounditem.h"

#include <QSet>

namespace Dcs::PartnerAnswer {

namespace {

constexpr qsizetype kMaxShown = 64; // characters of input shown in a reason, escapes included

// Input quoted in a reason: printable ASCII as it is (with \" and \\), everything else escaped,
// and cut to kMaxShown characters. Reasons reach logs, the monitor and terminals.
template <typename Text, typename Escape>
QString shownWith(Text text, Escape escape)
{
    QString result;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const uint c = escape.code(text[i]);
        QString piece;
        if (c == '"' || c == '\\')
            piece = QLatin1Char('\\') + QChar(c);
        else if (c >= 0x20 && c < 0x7f)
            piece = QChar(c);
        else
            piece = escape.escaped(c);
        if (result.size() + piece.size() > kMaxShown) {
            result += QStringLiteral("...");
            break;
        }
        result += piece;
    }
    return result;
}

struct Utf16Escape
{
    static uint code(QChar c) { return c.unicode(); }
    static QString escaped(uint c)
    {
        return QStringLiteral("\\u%1").arg(c, 4, 16, QLatin1Char('0'));
    }
};

struct ByteEscape
{
    static uint code(char c) { return uchar(c); }
    static QString escaped(uint c)
    {
        return QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
    }
};

QString shown(QStringView text)
{
    return shownWith(text, Utf16Escape());
}

QString shown(QByteArrayView bytes)
{
    return shownWith(bytes, ByteEscape());
}

// A message that may hold input: control characters become '?'.
QString printable(QString text)
{
    for (QChar &c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u'?';
    }
    return text;
}

QString badCode(QStringView code, const QString &where)
{
    return QStringLiteral("code \"%1\" is not valid (1-64 of A-Z a-z 0-9 _ . : -) at %2")
        .arg(shown(code), where);
}

// Offset of the first byte that is not strict UTF-8 (no overlong forms, no surrogates, nothing
// past U+10FFFF), or -1.
qsizetype invalidUtf8At(QByteArrayView bytes)
{
    const auto *data = reinterpret_cast<const uchar *>(bytes.data());
    const qsizetype size = bytes.size();
    for (qsizetype i = 0; i < size;) {
        const uchar c = data[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int length = 0;
        uchar low = 0x80, high = 0xBF; // the allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0)
                low = 0xA0; // overlong
            else if (c == 0xED)
                high = 0x9F; // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0)
                low = 0x90; // overlong
            else if (c == 0xF4)
                high = 0x8F; // past U+10FFFF
        } else {
            return i;
        }
        if (i + length > size)
            return i;
        if (data[i + 1] < low || data[i + 1] > high)
            return i;
        for (int k = 2; k < length; ++k) {
            if ((data[i + k] & 0xC0) != 0x80)
                return i;
        }
        i += length;
    }
    return -1;
}

bool equalsIgnoringCase(QByteArrayView text, QByteArrayView lowerCase)
{
    if (text.size() != lowerCase.size())
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != lowerCase[i])
            return false;
    }
    return true;
}

QByteArrayView trimmedSpace(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t'))
        text.chop(1);
    return text;
}

// An ordered list without duplicates.
template <typename T>
class UniqueList
{
public:
    void add(const T &value)
    {
        if (!m_seen.contains(value)) {
            m_seen.insert(value);
            m_list.append(value);
        }
    }
    bool contains(const T &value) const { return m_seen.contains(value); }
    const QList<T> &list() const { return m_list; }

private:
    QList<T> m_list;
    QSet<T> m_seen;
};

PartnerAnswerResult failed(TransferOutcome outcome, const QString &reason)
{
    PartnerAnswerResult result;
    result.outcome = outcome;
    result.reason = reason;
    return result;
}

// Everything a valid answer carries, whatever its content type.
struct Collected
{
    UniqueList<QString> segments;
    UniqueList<QString> unsegments;
    std::optional<int> ttlDays;
    UniqueList<qint64> directSids;
    UniqueList<qint64> removedSids;
};

PartnerAnswerResult finished(const Collected &collected)
{
    PartnerAnswerResult result;
    for (const QString &code : collected.unsegments.list()) {
        if (collected.segments.contains(code))
            return failed(TransferOutcome::BadAnswer,
                          QStringLiteral("code \"%1\" is both in segments and in unsegments")
                              .arg(shown(code)));
    }
    for (const qint64 sid : collected.removedSids.list()) {
        if (collected.directSids.contains(sid))
            return failed(TransferOutcome::BadAnswer,
                          QStringLiteral("trait %1 is both added (d_sid) and removed").arg(sid));
    }
    result.segments = collected.segments.list();
    result.unsegments = collected.unsegments.list();
    result.ttlDays = collected.ttlDays;
    result.directSids = collected.directSids.list();
    result.removedSids = collected.removedSids.list();
    if (result.segments.isEmpty()) {
        result.outcome = TransferOutcome::Empty;
        result.reason = QStringLiteral("no segments");
    } else {
        result.outcome = TransferOutcome::Ok;
    }
    return result;
}

// A strict RFC 8259 reader for the answer object. Hand-written rather than QJsonDocument
// because a code given as a number must be read digit for digit (a double loses both the text
// and, past 2^53, the digits), and because it skips unknown values without building them.
// Recursion is bounded by MaxJsonDepth.
class JsonAnswerReader
{
public:
    explicit JsonAnswerReader(QByteArrayView text) : m_text(text) {}

    PartnerAnswerResult read()
    {
        Collected collected;
        if (!readAnswer(&collected))
            return failed(TransferOutcome::BadAnswer, m_error);
        return finished(collected);
    }

private:
    enum class Key { Segments, Unsegments, Ttl };

    bool syntaxError(const QString &what, qsizetype at = -1)
    {
        m_error = QStringLiteral("invalid JSON at offset %1: %2")
                      .arg(at < 0 ? m_pos : at)
                      .arg(what);
        return false;
    }
    bool answerError(const QString &reason)
    {
        m_error = reason;
        return false;
    }

    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text[m_pos]; }
    void skipSpace()
    {
        while (!atEnd()) {
            const char c = m_text[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    bool unexpected()
    {
        if (atEnd())
            return syntaxError(QStringLiteral("unexpected end of the answer"));
        const auto c = uchar(m_text[m_pos]);
        if (c > 0x20 && c < 0x7f)
            return syntaxError(QStringLiteral("unexpected '%1'").arg(QLatin1Char(char(c))));
        return syntaxError(QStringLiteral("unexpected byte 0x%1").arg(uint(c), 2, 16,
                                                                      QLatin1Char('0')));
    }

    bool atKey()
    {
        if (peek() == '"')
            return true;
        return atEnd() ? unexpected() : syntaxError(QStringLiteral("expected a string key"));
    }

    bool expect(char c)
    {
        if (peek() != c)
            return unexpected();
        ++m_pos;
        return true;
    }

    static int hexValue(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    // At '"'. `out` may be null to only skip. The body was checked to be UTF-8 beforehand.
    // \u escapes are UTF-16 units, so appending them as they come rebuilds surrogate pairs; a
    // lone one stays lone and fails the code check.
    bool readString(QString *out)
    {
        const qsizetype start = m_pos;
        ++m_pos;
        while (true) {
            qsizetype run = m_pos;
            while (run < m_text.size() && m_text[run] != '"' && m_text[run] != '\\'
                   && uchar(m_text[run]) >= 0x20)
                ++run;
            if (out && run > m_pos)
                *out += QString::fromUtf8(m_text.sliced(m_pos, run - m_pos));
            m_pos = run;
            if (atEnd())
                return syntaxError(QStringLiteral("unterminated string"), start);
            const char c = m_text[m_pos];
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c != '\\')
                return syntaxError(QStringLiteral("control character in a string"));
            if (m_pos + 1 >= m_text.size())
                return syntaxError(QStringLiteral("unterminated string"), start);
            const char escape = m_text[m_pos + 1];
            char16_t unit = 0;
            switch (escape) {
            case '"': unit = u'"'; break;
            case '\\': unit = u'\\'; break;
            case '/': unit = u'/'; break;
            case 'b': unit = u'\b'; break;
            case 'f': unit = u'\f'; break;
            case 'n': unit = u'\n'; break;
            case 'r': unit = u'\r'; break;
            case 't': unit = u'\t'; break;
            case 'u':
                if (m_pos + 6 > m_text.size())
                    return syntaxError(QStringLiteral("invalid \\u escape"));
                for (int k = 2; k < 6; ++k) {
                    const int digit = hexValue(m_text[m_pos + k]);
                    if (digit < 0)
                        return syntaxError(QStringLiteral("invalid \\u escape"));
                    unit = char16_t(unit * 16 + digit);
                }
                m_pos += 4;
                break;
            default:
                return syntaxError(QStringLiteral("invalid escape \\%1")
                                       .arg(shown(m_text.sliced(m_pos + 1, 1))));
            }
            m_pos += 2;
            if (out)
                *out += QChar(unit);
        }
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    bool readNumber(QByteArrayView *literal, bool *integer)
    {
        const qsizetype start = m_pos;
        const auto digits = [this] {
            const qsizetype from = m_pos;
            while (!atEnd() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9')
                ++m_pos;
            return m_pos - from;
        };
        if (peek() == '-')
            ++m_pos;
        if (peek() == '0')
            ++m_pos;
        else if (digits() == 0)
            return syntaxError(QStringLiteral("invalid number"), start);
        *integer = true;
        if (peek() == '.') {
            ++m_pos;
            *integer = false;
            if (digits() == 0)
                return syntaxError(QStringLiteral("invalid number"), start);
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_pos;
            *integer = false;
            if (peek() == '+' || peek() == '-')
                ++m_pos;
            if (digits() == 0)
                return syntaxError(QStringLiteral("invalid number"), start);
        }
        *literal = m_text.sliced(start, m_pos - start);
        return true;
    }

    bool readWord(QByteArrayView word)
    {
        if (m_text.sliced(m_pos).startsWith(word)) {
            m_pos += word.size();
            return true;
        }
        return unexpected();
    }

    // Checks and skips any value; `depth` counts the containers it is inside.
    bool skipValue(int depth)
    {
        switch (peek()) {
        case '{':
        case '[': {
            if (depth >= MaxJsonDepth)
                return syntaxError(QStringLiteral("nested deeper than %1 levels")
                                       .arg(MaxJsonDepth));
            const bool object = peek() == '{';
            const char close = object ? '}' : ']';
            ++m_pos;
            skipSpace();
            if (peek() == close) {
                ++m_pos;
                return true;
            }
            while (true) {
                if (object) {
                    if (!atKey())
                        return false;
                    if (!readString(nullptr))
                        return false;
                    skipSpace();
                    if (!expect(':'))
                        return false;
                    skipSpace();
                }
                if (!skipValue(depth + 1))
                    return false;
                skipSpace();
                if (peek() == close) {
                    ++m_pos;
                    return true;
                }
                if (!expect(','))
                    return false;
                skipSpace();
            }
        }
        case '"':
            return readString(nullptr);
        case 't':
            return readWord("true");
        case 'f':
            return readWord("false");
        case 'n':
            return readWord("null");
        default: {
            if (peek() != '-' && (peek() < '0' || peek() > '9'))
                return unexpected();
            QByteArrayView literal;
            bool integer = false;
            return readNumber(&literal, &integer);
        }
        }
    }

    static QString kindOf(char first)
    {
        switch (first) {
        case '{': return QStringLiteral("an object");
        case '[': return QStringLiteral("an array");
        case '"': return QStringLiteral("a string");
        case 't':
        case 'f': return QStringLiteral("a boolean");
        case 'n': return QStringLiteral("null");
        default: return QStringLiteral("a number");
        }
    }

    // "segments" or "unsegments": null, or an array of codes.
    bool readCodes(UniqueList<QString> *codes, const QString &name)
    {
        if (peek() != '[') {
            const char first = peek();
            if (!skipValue(1))
                return false;
            if (first == 'n')
                return true; // null: absent
            return answerError(QStringLiteral("\"%1\" must be an array of codes, not %2")
                                   .arg(name, kindOf(first)));
        }
        ++m_pos;
        skipSpace();
        if (peek() == ']') {
            ++m_pos;
            return true;
        }
        for (qsizetype index = 0;; ++index) {
            const auto where = [&] { return QStringLiteral("%1[%2]").arg(name).arg(index); };
            const char first = peek();
            QString code;
            if (first == '"') {
                if (!readString(&code))
                    return false;
            } else if (first == '-' || (first >= '0' && first <= '9')) {
                QByteArrayView literal;
                bool integer = false;
                if (!readNumber(&literal, &integer))
                    return false;
                if (!integer)
                    return answerError(
                        QStringLiteral("%1 is %2: a code is a string or a whole number "
                                       "(1e3 and 1000 are one number but two codes)")
                            .arg(where(), shown(literal)));
                code = QString::fromLatin1(literal);
            } else {
                if (!skipValue(2))
                    return false;
                return answerError(QStringLiteral("%1 must be a code (a string or a whole "
                                                  "number), not %2")
                                       .arg(where(), kindOf(first)));
            }
            if (!isValidPartnerCode(code))
                return answerError(badCode(code, where()));
            codes->add(code);
            skipSpace();
            if (peek() == ']') {
                ++m_pos;
                return true;
            }
            if (!expect(','))
                return false;
            skipSpace();
        }
    }

    // "ttl": null, or whole days from 1 to MaxTtlDays.
    bool readTtl(std::optional<int> *ttl)
    {
        const char first = peek();
        const auto refuse = [this](const QString &what) {
            return answerError(QStringLiteral("ttl must be a whole number of days from 1 to %1, "
                                              "not %2")
                                   .arg(MaxTtlDays)
                                   .arg(what));
        };
        if (first == '-' || (first >= '0' && first <= '9')) {
            QByteArrayView literal;
            bool integer = false;
            if (!readNumber(&literal, &integer))
                return false;
            // At most 4 digits: no overflow, and 0 or a leading '-' fails the range below.
            const int days = integer && literal.size() <= 4 ? literal.toInt() : 0;
            if (days < 1 || days > MaxTtlDays)
                return refuse(shown(literal));
            *ttl = days;
            return true;
        }
        if (!skipValue(1))
            return false;
        if (first == 'n')
            return true; // null: absent
        return refuse(kindOf(first));
    }

    bool readAnswer(Collected *collected)
    {
        skipSpace();
        if (atEnd())
            return syntaxError(QStringLiteral("the answer is empty"));
        if (peek() != '{') {
            const char first = peek();
            if (!skipValue(0))
                return false;
            skipSpace();
            if (!atEnd())
                return syntaxError(QStringLiteral("unexpected data after the JSON value"));
            return answerError(QStringLiteral("the answer is %1, not a JSON object such as "
                                              "{\"segments\":[\"123\"]}")
                                   .arg(kindOf(first)));
        }
        ++m_pos;
        skipSpace();
        bool seen[3] = {false, false, false};
        if (peek() != '}') {
            while (true) {
                if (!atKey())
                    return false;
                QString key;
                if (!readString(&key))
                    return false;
                skipSpace();
                if (!expect(':'))
                    return false;
                skipSpace();
                std::optional<Key> known;
                if (key == u"segments")
                    known = Key::Segments;
                else if (key == u"unsegments")
                    known = Key::Unsegments;
                else if (key == u"ttl")
                    known = Key::Ttl;
                if (known) {
                    if (seen[int(*known)])
                        return answerError(QStringLiteral("\"%1\" is given twice").arg(key));
                    seen[int(*known)] = true;
                }
                bool ok = false;
                if (!known)
                    ok = skipValue(1); // unknown keys are checked, not kept
                else if (*known == Key::Ttl)
                    ok = readTtl(&collected->ttlDays);
                else
                    ok = readCodes(*known == Key::Segments ? &collected->segments
                                                           : &collected->unsegments,
                                   key);
                if (!ok)
                    return false;
                skipSpace();
                if (peek() == '}')
                    break;
                if (!expect(','))
                    return false;
                skipSpace();
            }
        }
        ++m_pos;
        skipSpace();
        if (!atEnd())
            return syntaxError(QStringLiteral("unexpected data after the JSON object"));
        return true;
    }

    QByteArrayView m_text;
    qsizetype m_pos = 0;
    QString m_error;
};

// Removes surrounding spaces and one pair of double quotes, as parseInboundItem does.
QStringView unquoted(QStringView text)
{
    text = text.trimmed();
    if (text.size() >= 2 && text.front() == u'"' && text.back() == u'"')
        text = text.sliced(1, text.size() - 2);
    return text;
}

PartnerAnswerResult readText(QByteArrayView body)
{
    Collected collected;
    qsizetype number = 0; // items counted from 1, empty ones left out
    for (qsizetype start = 0; start < body.size();) {
        qsizetype end = start;
        while (end < body.size() && body[end] != ',' && body[end] != '\n')
            ++end;
        const QString text = QString::fromUtf8(body.sliced(start, end - start));
        start = end + 1;
        if (text.trimmed().isEmpty()) // also a lone '\r' of a CRLF
            continue;
        ++number;
        const QString where = QStringLiteral("item %1").arg(number);
        QString error;
        const std::optional<InboundItem> item = parseInboundItem(text, &error);
        if (!item) {
            // Code problems read the same as in a JSON answer; the others keep their words.
            const qsizetype equals = text.indexOf(u'=');
            if (equals < 0)
                return failed(TransferOutcome::BadAnswer, badCode(unquoted(text), where));
            if (unquoted(QStringView(text).first(equals)) == u"ic")
                return failed(TransferOutcome::BadAnswer,
                              badCode(unquoted(QStringView(text).sliced(equals + 1)), where));
            return failed(TransferOutcome::BadAnswer,
                          QStringLiteral("%1: %2").arg(where, printable(error)));
        }
        switch (item->kind) {
        case InboundItem::Kind::Code: collected.segments.add(item->code); break;
        case InboundItem::Kind::AddTrait: collected.directSids.add(item->sid); break;
        case InboundItem::Kind::RemoveTrait: collected.removedSids.add(item->sid); break;
        case InboundItem::Kind::Signal:
            return failed(TransferOutcome::BadAnswer,
                          QStringLiteral("%1 (\"%2\") is a key=value signal: a partner answer "
                                         "holds codes (123, ic=123), d_sid=N and N:0 only")
                              .arg(where, shown(text)));
        }
    }
    return finished(collected);
}

} // namespace

PartnerAnswerResult parse(int httpStatus, QByteArrayView contentType, QByteArrayView body)
{
    if (httpStatus == 204) {
        PartnerAnswerResult result;
        result.outcome = TransferOutcome::Empty;
        result.reason = QStringLiteral("status 204");
        return result;
    }
    if (httpStatus != 200)
        return failed(TransferOutcome::HttpError, QStringLiteral("status %1").arg(httpStatus));
    if (body.size() > MaxBodyBytes)
        return failed(TransferOutcome::BadAnswer,
                      QStringLiteral("answer over %1 bytes").arg(MaxBodyBytes));

    QByteArrayView mediaType = contentType;
    if (const qsizetype semicolon = mediaType.indexOf(';'); semicolon >= 0)
        mediaType = mediaType.first(semicolon);
    mediaType = trimmedSpace(mediaType);
    const bool json = equalsIgnoringCase(mediaType, "application/json");
    if (!json && !equalsIgnoringCase(mediaType, "text/plain")) {
        if (mediaType.isEmpty())
            return failed(TransferOutcome::BadAnswer,
                          QStringLiteral("no content type: it must be application/json or "
                                         "text/plain"));
        return failed(TransferOutcome::BadAnswer,
                      QStringLiteral("content type %1 is not application/json or text/plain")
                          .arg(shown(mediaType)));
    }
    if (const qsizetype offset = invalidUtf8At(body); offset >= 0)
        return failed(TransferOutcome::BadAnswer,
                      QStringLiteral("invalid UTF-8 at offset %1").arg(offset));
    return json ? JsonAnswerReader(body).read() : readText(body);
}

} // namespace Dcs::PartnerAnswer
