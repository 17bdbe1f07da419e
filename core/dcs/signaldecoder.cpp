#include "dcs/signaldecoder.h"

#include <QHash>
#include <QSet>

#include <array>
#include <cstring>
#include <utility>

// Choices the header leaves open, decided here (dcs-api.md, "Signals and key prefixes"):
//
// Decoding (decodeForm)
// - '%' must be followed by two hex digits (either case); anything else, including a '%' at
//   the very end, is error 311.
// - A NUL byte, raw or decoded from %00, is error 311 too: keys and values reach SQLite, logs
//   and partner URLs, some of them through C strings, and Adobe's DCS drops such calls as well.
//   Other control bytes stay allowed: d_cid uses %01 as its separator.
// - UTF-8 is validated on the decoded bytes by hand in the same pass that decodes them
//   (Unicode 15 table 3-7): overlong forms, surrogates (ED A0..BF), code points above
//   U+10FFFF, stray continuation bytes and sequences cut short by the end of a key or value
//   are all error 311. Noncharacters such as U+FFFF are valid scalar values and pass.
// - A piece without '=' is a key with an empty value; "=v" is an empty key (dropped later).
//
// Signals (decodeEvent)
// - Keys are case-sensitive and kept as sent; so are the prefixes: "p_" marks a private key,
//   "P_" does not (Adobe documents the lower-case prefixes only). Key letters are ASCII.
// - Order: the h_ keys the DCS takes from the headers first (user-agent, referer, host,
//   accept-language, each present one once, with the header's whole value as ONE value), then
//   the query's pairs, then the body's. The h_ keys go first so that a caller that fills the
//   key limit cannot push out what the server itself observed.
// - A repeated key merges into the position of its first appearance.
// - A value wrapped in double quotes (after decoding, at least two characters) is one value
//   with the two quotes removed: `"a,b"` is the one value `a,b`. Otherwise the value is split
//   on ',' and empty pieces are dropped (`a,,b` gives a and b); a value with no non-empty piece
//   (`k=`, `k`, `k=,`) gives the one value "" so that every sent key exists with one value.
//   Nothing is trimmed.
// - Limits: keys past maxKeys are dropped with ONE warning naming how many distinct keys went;
//   values past maxValuesPerKey are dropped with one warning per key naming how many. A
//   maxValuesPerKey below 1 counts as 1 (a kept key has at least one value); a maxKeys below 1
//   keeps no key.
// - Warnings have code 0 and name the key (sanitised and shortened), never a value, so a p_
//   value cannot leak through them. Warnings for dropped keys (invalid or caller-sent h_) stop
//   after kMaxKeyWarnings with one more that counts the rest: the answer and its X-Error
//   header stay small whatever the caller sends.
// - Header values are used as sent, not percent-decoded: UTF-8 when valid, else Latin-1. A
//   header value holding a NUL byte is not used (a warning says so). The first header of a
//   name counts; names match in any case.
// - A bad encoding anywhere ignores the whole call: no signals, no warnings, only the reason,
//   which names the part (query or body) and the offset but never the bytes.

namespace Dcs {

namespace {

constexpr int kMaxKeyWarnings = 16;
constexpr qsizetype kMaxKeyInMessage = 64;
// Up to this many signals a linear scan finds a key faster than hashing it.
constexpr qsizetype kLinearLookup = 12;

// -1 for a byte that is not a hex digit.
constexpr std::array<signed char, 256> makeHexTable()
{
    std::array<signed char, 256> table{};
    for (int i = 0; i < 256; ++i)
        table[i] = -1;
    for (int i = 0; i < 10; ++i)
        table['0' + i] = static_cast<signed char>(i);
    for (int i = 0; i < 6; ++i) {
        table['a' + i] = static_cast<signed char>(10 + i);
        table['A' + i] = static_cast<signed char>(10 + i);
    }
    return table;
}
constexpr std::array<signed char, 256> kHex = makeHexTable();

// Bytes that send a component off the fast path: '%', '+', NUL and everything not ASCII.
constexpr std::array<bool, 256> makeSpecialTable()
{
    std::array<bool, 256> table{};
    for (int i = 0x80; i < 256; ++i)
        table[i] = true;
    table['%'] = table['+'] = table[0] = true;
    return table;
}
constexpr std::array<bool, 256> kSpecial = makeSpecialTable();

// Key characters: ASCII letters, digits, '-' and '_'.
constexpr std::array<bool, 128> makeKeyCharTable()
{
    std::array<bool, 128> table{};
    for (int c = 'a'; c <= 'z'; ++c)
        table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        table[c] = true;
    for (int c = '0'; c <= '9'; ++c)
        table[c] = true;
    table['-'] = table['_'] = true;
    return table;
}
constexpr std::array<bool, 128> kKeyChar = makeKeyCharTable();

// Why a component failed to decode, and where (offset into the whole form).
struct DecodeFailure
{
    const char *what = nullptr;
    qsizetype offset = 0;
};

// Decodes one key or value: form[begin, end). Percent escapes, '+' and UTF-8 are handled in
// one pass over the bytes, writing UTF-16 straight into the result (never more code units than
// bytes, so one allocation of `end - begin` suffices).
bool decodeComponent(QByteArrayView form, qsizetype begin, qsizetype end, QString *out,
                     DecodeFailure *failure)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(form.data());

    // Fast path: plain ASCII with nothing to decode, the common case for keys and values.
    qsizetype firstSpecial = begin;
    while (firstSpecial < end && !kSpecial[bytes[firstSpecial]])
        ++firstSpecial;
    if (firstSpecial == end) {
        *out = QString::fromLatin1(form.sliced(begin, end - begin));
        return true;
    }

    QString result(end - begin, Qt::Uninitialized);
    char16_t *dst = reinterpret_cast<char16_t *>(result.data());
    char16_t *const dstBegin = dst;

    // The prefix before the first special byte is plain ASCII: widen it as it is.
    for (qsizetype i = begin; i < firstSpecial; ++i)
        *dst++ = bytes[i];

    char32_t codePoint = 0;
    int pending = 0;          // continuation bytes still expected
    unsigned char low = 0x80; // allowed range of the next continuation byte
    unsigned char high = 0xbf;
    qsizetype sequenceStart = begin;

    for (qsizetype i = firstSpecial; i < end; ++i) {
        const qsizetype at = i;
        unsigned char c = bytes[i];
        if (c == '%') {
            const int h1 = i + 1 < end ? kHex[bytes[i + 1]] : -1;
            const int h2 = h1 >= 0 && i + 2 < end ? kHex[bytes[i + 2]] : -1;
            if (h2 < 0) {
                *failure = {"bad percent sequence", at};
                return false;
            }
            c = static_cast<unsigned char>(h1 * 16 + h2);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == 0) {
            *failure = {"NUL byte", at};
            return false;
        }

        if (pending == 0) {
            if (c < 0x80) {
                *dst++ = c;
                continue;
            }
            sequenceStart = at;
            low = 0x80;
            high = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                pending = 1;
                codePoint = c & 0x1f;
            } else if (c >= 0xe0 && c <= 0xef) {
                pending = 2;
                codePoint = c & 0x0f;
                if (c == 0xe0)
                    low = 0xa0; // below: overlong
                else if (c == 0xed)
                    high = 0x9f; // above: UTF-16 surrogates
            } else if (c >= 0xf0 && c <= 0xf4) {
                pending = 3;
                codePoint = c & 0x07;
                if (c == 0xf0)
                    low = 0x90; // below: overlong
                else if (c == 0xf4)
                    high = 0x8f; // above: past U+10FFFF
            } else {
                // 80..BF: a continuation byte with no lead; C0, C1: overlong; F5..FF: never.
                *failure = {"invalid UTF-8", at};
                return false;
            }
            continue;
        }

        if (c < low || c > high) {
            *failure = {"invalid UTF-8", at};
            return false;
        }
        codePoint = (codePoint << 6) | (c & 0x3f);
        low = 0x80;
        high = 0xbf;
        if (--pending > 0)
            continue;
        if (codePoint < 0x10000) {
            *dst++ = static_cast<char16_t>(codePoint);
        } else {
            *dst++ = static_cast<char16_t>(0xd800 + ((codePoint - 0x10000) >> 10));
            *dst++ = static_cast<char16_t>(0xdc00 + ((codePoint - 0x10000) & 0x3ff));
        }
    }
    if (pending > 0) {
        *failure = {"truncated UTF-8 sequence", sequenceStart};
        return false;
    }
    result.truncate(dst - dstBegin);
    *out = std::move(result);
    return true;
}

// Calls onPair(QString &&key, QString &&value) for every pair of `form` in order; stops at the
// first encoding error and returns false with it.
template<typename OnPair>
bool forEachPair(QByteArrayView form, DecodeFailure *failure, OnPair &&onPair)
{
    const qsizetype size = form.size();
    const char *data = form.data();
    qsizetype pos = 0;
    while (pos < size) {
        // memchr: the C library scans many bytes per step.
        const void *amp = std::memchr(data + pos, '&', size_t(size - pos));
        const qsizetype end = amp ? static_cast<const char *>(amp) - data : size;
        const void *eq = end > pos ? std::memchr(data + pos, '=', size_t(end - pos)) : nullptr;
        const qsizetype equals = eq ? static_cast<const char *>(eq) - data : -1;
        if (end > pos) {
            QString key;
            QString value;
            const qsizetype keyEnd = equals < 0 ? end : equals;
            if (!decodeComponent(form, pos, keyEnd, &key, failure))
                return false;
            if (equals >= 0 && !decodeComponent(form, equals + 1, end, &value, failure))
                return false;
            onPair(std::move(key), std::move(value));
        }
        pos = end + 1;
    }
    return true;
}

QString failureText(const DecodeFailure &failure)
{
    return QStringLiteral("%1 at offset %2")
        .arg(QLatin1String(failure.what), QString::number(failure.offset));
}


// A key as it may appear in a warning: control characters replaced, long keys shortened, and
// a p_ key shown by its prefix only, valid or not: warnings are stored with the event and sent
// in the answer, and p_ keys are never stored, logged or shown (`p_x=secret` as a key too).
QString keyForMessage(const QString &key)
{
    if (SignalDecoder::isPrivateKey(key))
        return QStringLiteral("p_...");
    QString shown = key.left(kMaxKeyInMessage);
    for (QChar &ch : shown) {
        if (ch.unicode() < 0x20 || ch.unicode() == 0x7f)
            ch = u'?';
    }
    if (key.size() > kMaxKeyInMessage)
        shown += QStringLiteral("...");
    return shown;
}

// Header values are bytes (RFC 9110 allows obs-text): UTF-8 when they are valid UTF-8, else
// Latin-1, the historical charset of HTTP, so no byte is lost to a replacement character.
QString headerText(const QByteArray &value)
{
    if (QUtf8StringView(value).isValidUtf8())
        return QString::fromUtf8(value);
    return QString::fromLatin1(value);
}

// Collects signals under the limits and the warnings that go with them.
class SignalBuilder
{
public:
    SignalBuilder(const SignalLimits &limits, DecodedSignals *out)
        : m_maxKeys(qMax(limits.maxKeys, 0))
        , m_maxValues(qMax(limits.maxValuesPerKey, 1))
        , m_out(out)
    {
    }

    void reserve(qsizetype keys)
    {
        m_out->signalList.reserve(qMin<qsizetype>(keys, m_maxKeys));
    }

    // A pair sent by the caller.
    void addPair(QString &&key, QString &&value)
    {
        if (!SignalDecoder::isValidKey(key)) {
            if (roomForKeyWarning()) {
                m_out->warnings.append(
                    {0, QStringLiteral("invalid key dropped: \"%1\"").arg(keyForMessage(key))});
            }
            return;
        }
        if (key.startsWith(u"h_")) {
            if (roomForKeyWarning()) {
                m_out->warnings.append(
                    {0, QStringLiteral("%1 ignored: h_ keys are set by the DCS from the headers")
                            .arg(key)});
            }
            return;
        }
        const qsizetype index = indexFor(std::move(key));
        if (index < 0)
            return;
        addValues(index, std::move(value));
    }

    // A signal taken from a header: exactly one value.
    void addHeaderSignal(QString &&key, QString &&value)
    {
        const qsizetype index = indexFor(std::move(key));
        if (index >= 0)
            appendValue(index, std::move(value));
    }

    // Emits the limit warnings; call once, after the last pair.
    void finish()
    {
        if (m_suppressedKeyWarnings > 0) {
            m_out->warnings.append({0, QStringLiteral("%1 more invalid or h_ keys dropped")
                                           .arg(m_suppressedKeyWarnings)});
        }
        if (!m_droppedKeys.isEmpty()) {
            m_out->warnings.append(
                {0, QStringLiteral("signal limit: %1 keys over the limit of %2 dropped")
                        .arg(m_droppedKeys.size())
                        .arg(m_maxKeys)});
        }
        // m_droppedValues only grows as far as the last signal that dropped a value.
        for (qsizetype i = 0; i < m_droppedValues.size(); ++i) {
            if (m_droppedValues.at(i) == 0)
                continue;
            m_out->warnings.append(
                {0, QStringLiteral("signal limit: %1 values of %2 over the limit of %3 dropped")
                        .arg(m_droppedValues.at(i))
                        .arg(keyForMessage(m_out->signalList.at(i).key))
                        .arg(m_maxValues)});
        }
    }

private:
    // Whether one more dropped-key warning may be added; counts the ones that may not. Asked
    // before the message is built, so a flood of bad keys costs no strings.
    bool roomForKeyWarning()
    {
        if (m_keyWarnings < kMaxKeyWarnings) {
            ++m_keyWarnings;
            return true;
        }
        ++m_suppressedKeyWarnings;
        return false;
    }

    // The index of `key`'s signal, created when new; -1 when the key limit drops it.
    qsizetype indexFor(QString &&key)
    {
        QList<Signal> &list = m_out->signalList;
        if (m_index.isEmpty()) {
            const qsizetype size = key.size();
            for (qsizetype i = 0; i < list.size(); ++i) {
                const QString &other = list.at(i).key;
                if (other.size() == size
                    && std::memcmp(other.constData(), key.constData(),
                                   size_t(size) * sizeof(QChar)) == 0) {
                    return i;
                }
            }
        } else {
            const auto it = m_index.constFind(key);
            if (it != m_index.cend())
                return it.value();
        }
        if (list.size() >= m_maxKeys) {
            m_droppedKeys.insert(std::move(key));
            return -1;
        }
        const qsizetype index = list.size();
        if (!m_index.isEmpty()) {
            m_index.insert(key, index);
        } else if (index + 1 > kLinearLookup) {
            m_index.reserve(qMin<qsizetype>(m_maxKeys, 4 * kLinearLookup));
            for (qsizetype i = 0; i < index; ++i)
                m_index.insert(list.at(i).key, i);
            m_index.insert(key, index);
        }
        list.append(Signal{std::move(key), {}});
        return index;
    }

    void addValues(qsizetype index, QString &&value)
    {
        if (value.size() >= 2 && value.front() == u'"' && value.back() == u'"') {
            appendValue(index, value.sliced(1, value.size() - 2));
            return;
        }
        if (!value.contains(u',')) {
            appendValue(index, std::move(value));
            return;
        }
        bool any = false;
        qsizetype start = 0;
        while (start <= value.size()) {
            qsizetype comma = value.indexOf(u',', start);
            if (comma < 0)
                comma = value.size();
            if (comma > start) {
                // A value past the limit is only counted: no copy for what is dropped.
                if (isFull(index))
                    dropValue(index);
                else
                    appendValue(index, value.sliced(start, comma - start));
                any = true;
            }
            start = comma + 1;
        }
        if (!any)
            appendValue(index, QString());
    }

    bool isFull(qsizetype index) const
    {
        return m_out->signalList.at(index).values.size() >= m_maxValues;
    }

    void dropValue(qsizetype index)
    {
        // Allocated on the first drop only: most calls never drop anything.
        if (m_droppedValues.size() <= index)
            m_droppedValues.resize(index + 1);
        ++m_droppedValues[index];
    }

    void appendValue(qsizetype index, QString &&value)
    {
        if (isFull(index)) {
            dropValue(index);
            return;
        }
        // An empty value is "" rather than a null QString, so consumers can tell nothing from
        // an empty string the same way whichever path produced it.
        m_out->signalList[index].values.append(value.isNull() ? QStringLiteral("")
                                                               : std::move(value));
    }

    const qsizetype m_maxKeys;
    const qsizetype m_maxValues;
    DecodedSignals *const m_out;
    QHash<QString, qsizetype> m_index; // built once there are more than kLinearLookup keys
    QList<qsizetype> m_droppedValues;  // per signal index, up to the last one with drops
    QSet<QString> m_droppedKeys;
    int m_keyWarnings = 0;
    int m_suppressedKeyWarnings = 0;
};

} // namespace

const Signal *DecodedSignals::find(QStringView key) const
{
    for (const Signal &signal : signalList) {
        if (signal.key == key)
            return &signal;
    }
    return nullptr;
}

QStringList DecodedSignals::values(QStringView key) const
{
    const Signal *signal = find(key);
    return signal ? signal->values : QStringList();
}

QList<Signal> DecodedSignals::storable() const
{
    QList<Signal> result;
    result.reserve(signalList.size());
    for (const Signal &signal : signalList) {
        if (!SignalDecoder::isPrivateKey(signal.key))
            result.append(signal);
    }
    return result;
}

namespace SignalDecoder {

bool isPrivateKey(QStringView key)
{
    return key.startsWith(u"p_");
}

bool decodeForm(QByteArrayView form, QList<QPair<QString, QString>> *pairs, QString *error)
{
    if (pairs) {
        pairs->clear();
        // Bounded: a body of 32 KiB of '&' must not reserve thousands of entries.
        pairs->reserve(qMin<qsizetype>(form.size() / 8 + 1, 64));
    }
    DecodeFailure failure;
    const bool ok = forEachPair(form, &failure, [pairs](QString &&key, QString &&value) {
        if (pairs) {
            // Keep "" rather than a null QString for a missing value (`k`), as for `k=`.
            pairs->append(
                {std::move(key), value.isNull() ? QStringLiteral("") : std::move(value)});
        }
    });
    if (!ok) {
        if (pairs)
            pairs->clear();
        if (error)
            *error = failureText(failure);
    } else if (error) {
        error->clear();
    }
    return ok;
}

bool isValidKey(QStringView key)
{
    if (key.isEmpty() || key.size() > 255)
        return false;
    bool allDigits = true;
    for (const QChar ch : key) {
        const char16_t c = ch.unicode();
        if (c >= 128 || !kKeyChar[c])
            return false;
        allDigits = allDigits && c >= u'0' && c <= u'9';
    }
    return !allDigits;
}

DecodedSignals decodeEvent(QByteArrayView query, QByteArrayView formBody,
                           const QList<QPair<QByteArray, QByteArray>> &headers,
                           const SignalLimits &limits)
{
    DecodedSignals out;
    SignalBuilder builder(limits, &out);
    // A guess without a pass over the bytes (a typical pair takes well over 8 bytes), capped:
    // past a few dozen keys geometric growth costs less than one big block up front.
    builder.reserve(qMin<qsizetype>((query.size() + formBody.size()) / 8 + 1 + 4, 32));

    // The h_ keys the DCS sets itself, from the first header of each name, added in this
    // fixed order. One pass over the headers; names are compared only when the length fits.
    static const std::array<std::pair<QByteArrayView, QString>, 4> headerKeys = {{
        {"user-agent", QStringLiteral("h_user-agent")},
        {"referer", QStringLiteral("h_referer")},
        {"host", QStringLiteral("h_host")},
        {"accept-language", QStringLiteral("h_accept-language")},
    }};
    std::array<const QByteArray *, 4> headerValues{};
    for (const auto &header : headers) {
        for (std::size_t i = 0; i < headerKeys.size(); ++i) {
            const QByteArrayView name = headerKeys[i].first;
            if (!headerValues[i] && header.first.size() == name.size()
                && QByteArrayView(header.first).compare(name, Qt::CaseInsensitive) == 0) {
                headerValues[i] = &header.second;
                break;
            }
        }
    }
    for (std::size_t i = 0; i < headerKeys.size(); ++i) {
        if (!headerValues[i])
            continue;
        const QString &key = headerKeys[i].second; // static data: copying it allocates nothing
        if (headerValues[i]->contains('\0')) {
            out.warnings.append({0, QStringLiteral("%1 not set: NUL byte in the header")
                                        .arg(key)});
        } else {
            builder.addHeaderSignal(QString(key), headerText(*headerValues[i]));
        }
    }

    const auto onPair = [&builder](QString &&key, QString &&value) {
        builder.addPair(std::move(key), std::move(value));
    };
    DecodeFailure failure;
    const char *part = nullptr;
    if (!forEachPair(query, &failure, onPair))
        part = "query";
    else if (!forEachPair(formBody, &failure, onPair))
        part = "body";
    if (part) {
        DecodedSignals bad;
        bad.badEncoding = true;
        // Callers prefix it with their own "bad URL encoding" (error 311).
        bad.badEncodingReason =
            QStringLiteral("%1 in the %2").arg(failureText(failure), QLatin1String(part));
        return bad;
    }
    builder.finish();
    return out;
}

} // namespace SignalDecoder
} // namespace Dcs
