#include "dcs/signaldecoder.h"
#include "referenceformdecoder.h"

#include <QRandomGenerator>
#include <QStringDecoder>
#include <QTest>

#include <initializer_list>
#include <vector>

using Dcs::DecodedSignals;
using Dcs::Signal;
using Dcs::SignalLimits;
using namespace Dcs::SignalDecoder;

using Pairs = QList<QPair<QString, QString>>;
using Headers = QList<QPair<QByteArray, QByteArray>>;
using Signals = QList<Signal>;

namespace {

QString u8(const char *text)
{
    // Not QString::fromUtf8: it drops a leading BOM, which the decoder rightly keeps.
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    return decoder.decode(QByteArrayView(text));
}

QStringList u8List(std::initializer_list<const char *> texts)
{
    QStringList list;
    for (const char *text : texts)
        list.append(u8(text));
    return list;
}

Pairs pairs(std::initializer_list<std::pair<const char *, const char *>> list)
{
    Pairs result;
    for (const auto &[key, value] : list)
        result.append({u8(key), u8(value)});
    return result;
}

Signal sig(const char *key, std::initializer_list<const char *> values)
{
    return Signal{u8(key), u8List(values)};
}

// A literal that may contain NUL bytes, without its terminator.
template<std::size_t N>
QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, qsizetype(N) - 1);
}

// Readable and unambiguous: failures print both sides in full.
QString escaped(const QString &text)
{
    QString out;
    for (const QChar ch : text) {
        if (ch.unicode() < 0x20 || ch == u'\\' || ch == u'"' || ch == u'|')
            out += QStringLiteral("\\x%1").arg(ch.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += ch;
    }
    return out;
}

QString render(const Signals &list)
{
    QStringList parts;
    for (const Signal &signal : list) {
        QStringList values;
        for (const QString &value : signal.values)
            values.append(u'"' + escaped(value) + u'"');
        parts.append(escaped(signal.key) + u'=' + u'[' + values.join(u'|') + u']');
    }
    return parts.join(u' ');
}

QString render(const Pairs &list)
{
    QStringList parts;
    for (const auto &[key, value] : list)
        parts.append(u'"' + escaped(key) + QStringLiteral("\"=\"") + escaped(value) + u'"');
    return parts.join(u' ');
}

// One decodeEvent table row; designated initializers keep 60 rows readable.
struct EventRow
{
    const char *name = nullptr;
    QByteArray query;
    QByteArray body;
    Signals expected;
    std::vector<const char *> warnings; // a substring of each warning, in order
    Headers headers;
    SignalLimits limits;
    const char *badReason = nullptr; // a substring of badEncodingReason when the call is bad
};

void addEventRow(const EventRow &row)
{
    QStringList warnings;
    for (const char *warning : row.warnings)
        warnings.append(u8(warning));
    QTest::newRow(row.name) << row.query << row.body << row.headers << row.limits.maxKeys
                            << row.limits.maxValuesPerKey << row.expected << warnings
                            << (row.badReason != nullptr)
                            << (row.badReason ? u8(row.badReason) : QString());
}

QByteArray manyKeys(int count)
{
    QByteArray query;
    for (int i = 0; i < count; ++i)
        query += "&c_k" + QByteArray::number(i) + '=' + QByteArray::number(i);
    return query;
}

Signals manySignals(int count)
{
    Signals list;
    for (int i = 0; i < count; ++i)
        list.append(Signal{QStringLiteral("c_k%1").arg(i), {QString::number(i)}});
    return list;
}

QByteArray manyValues(int count)
{
    QByteArray query = "c_v=";
    for (int i = 0; i < count; ++i)
        query += (i ? "," : "") + QByteArray::number(i);
    return query;
}

Signals manyValuesSignal(int count)
{
    Signal signal{QStringLiteral("c_v"), {}};
    for (int i = 0; i < count; ++i)
        signal.values.append(QString::number(i));
    return {signal};
}

QByteArray invalidKeys(int count)
{
    QByteArray query;
    for (int i = 0; i < count; ++i)
        query += "&bad." + QByteArray::number(i) + "=x";
    return query;
}

using DcsTest::referenceComponent;
using DcsTest::referenceForm;

const QList<QByteArray> &headerKeyNames()
{
    static const QList<QByteArray> names = {"user-agent", "referer", "host", "accept-language"};
    return names;
}

// Everything decodeEvent promises whatever it is given; empty when it kept its word.
QString eventViolation(const DecodedSignals &decoded, QByteArrayView query, QByteArrayView body,
                       const Headers &headers, const SignalLimits &limits)
{
    Pairs queryPairs;
    Pairs bodyPairs;
    const bool good = referenceForm(query, &queryPairs) && referenceForm(body, &bodyPairs);
    if (decoded.badEncoding == good)
        return QStringLiteral("badEncoding disagrees with the reference decoder");
    if (decoded.badEncoding) {
        if (!decoded.signalList.isEmpty() || !decoded.warnings.isEmpty())
            return QStringLiteral("a bad call kept signals or warnings");
        if (decoded.badEncodingReason.isEmpty())
            return QStringLiteral("a bad call without a reason");
        return {};
    }
    if (!decoded.badEncodingReason.isEmpty())
        return QStringLiteral("a reason without bad encoding");
    if (decoded.signalList.size() > qMax(limits.maxKeys, 0))
        return QStringLiteral("more keys than the limit");
    QSet<QString> keys;
    bool limitWarning = false;
    for (const Dcs::DcsError &warning : decoded.warnings) {
        if (warning.code != 0 || warning.message.isEmpty())
            return QStringLiteral("a warning with a code or without a message");
        limitWarning = limitWarning || warning.message.startsWith(u"signal limit");
    }
    if (decoded.warnings.size() > 16 + 1 + 1 + 4 + decoded.signalList.size())
        return QStringLiteral("too many warnings");
    for (const Signal &signal : decoded.signalList) {
        if (!isValidKey(signal.key))
            return QStringLiteral("invalid key kept: ") + signal.key;
        if (keys.contains(signal.key))
            return QStringLiteral("key twice: ") + signal.key;
        keys.insert(signal.key);
        if (signal.values.isEmpty() || signal.values.size() > qMax(limits.maxValuesPerKey, 1))
            return QStringLiteral("value count out of bounds: ") + signal.key;
        for (const QString &value : signal.values) {
            if (value.contains(QChar(0)) || value.isNull())
                return QStringLiteral("NUL or null value in ") + signal.key;
        }
        if (signal.key.startsWith(u"h_")) {
            const QByteArray name = signal.key.sliced(2).toLatin1();
            bool sent = false;
            for (const auto &header : headers)
                sent = sent || header.first.compare(name, Qt::CaseInsensitive) == 0;
            if (!headerKeyNames().contains(name) || !sent || signal.values.size() != 1)
                return QStringLiteral("h_ key not from a header: ") + signal.key;
        }
    }
    // Without a limit hit, exactly the valid non-h_ keys the caller sent are there.
    if (!limitWarning) {
        QSet<QString> sentKeys;
        for (const Pairs *list : {&queryPairs, &bodyPairs}) {
            for (const auto &[key, value] : *list) {
                if (isValidKey(key) && !key.startsWith(u"h_"))
                    sentKeys.insert(key);
            }
        }
        QSet<QString> keptKeys;
        for (const QString &key : std::as_const(keys)) {
            if (!key.startsWith(u"h_"))
                keptKeys.insert(key);
        }
        if (sentKeys != keptKeys)
            return QStringLiteral("kept keys differ from the valid keys sent");
    }
    for (const Signal &signal : decoded.storable()) {
        if (signal.key.startsWith(u"p_"))
            return QStringLiteral("storable() holds a p_ key");
    }
    return {};
}

} // namespace

class tst_SignalDecoder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodeForm_data();
    void decodeForm();
    void decodeFormPointersAndReuse();
    void isValidKey_data();
    void isValidKey();
    void decodeEvent_data();
    void decodeEvent();
    void lookups();
    void storableExcludesPrivateKeys();
    void warningsNeverShowValues();
    void emptyValuesAreEmptyNotNull();
    void roundTrip();
    void randomInputs();
};

void tst_SignalDecoder::decodeForm_data()
{
    QTest::addColumn<QByteArray>("form");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<Pairs>("expected");
    QTest::addColumn<QString>("errorPart"); // a substring of the error when !ok

    const auto good = [](const char *name, const QByteArray &form, const Pairs &expected) {
        QTest::newRow(name) << form << true << expected << QString();
    };
    const auto bad = [](const char *name, const QByteArray &form, const char *errorPart) {
        QTest::newRow(name) << form << false << Pairs() << u8(errorPart);
    };

    good("empty", "", {});
    good("one pair", "a=1", pairs({{"a", "1"}}));
    good("two pairs", "a=1&b=2", pairs({{"a", "1"}, {"b", "2"}}));
    good("empty pieces skipped", "&&a=1&&&b=2&", pairs({{"a", "1"}, {"b", "2"}}));
    good("only ampersands", "&&&", {});
    good("key without =", "a", pairs({{"a", ""}}));
    good("key without = among pairs", "a=1&flag&b=2",
         pairs({{"a", "1"}, {"flag", ""}, {"b", "2"}}));
    good("empty value", "a=", pairs({{"a", ""}}));
    good("empty key", "=v", pairs({{"", "v"}}));
    good("lone =", "=", pairs({{"", ""}}));
    good("= in value", "a=b=c", pairs({{"a", "b=c"}}));
    good("== value", "a==", pairs({{"a", "="}}));
    good("plus is space", "a+b=c+d", pairs({{"a b", "c d"}}));
    good("%2B is plus", "a%2Bb=%2b", pairs({{"a+b", "+"}}));
    good("encoded & and =", "k=%26%3D&x=%3d", pairs({{"k", "&="}, {"x", "="}}));
    good("hex either case", "k=%4a%4A%6b", pairs({{"k", "JJk"}}));
    good("%25 is percent", "k=100%25", pairs({{"k", "100%"}}));
    good("encoded key", "c%5Fa=1", pairs({{"c_a", "1"}}));
    good("commas kept", "k=a,b,,c", pairs({{"k", "a,b,,c"}}));
    good("quotes kept", "k=%22x%22", pairs({{"k", "\"x\""}}));
    good("repeated keys kept", "a=1&a=2", pairs({{"a", "1"}, {"a", "2"}}));
    good("control %01 allowed", "d_cid=123%01abc%011",
         pairs({{"d_cid", "123\x01" "abc\x01" "1"}}));
    good("DEL allowed", "k=%7F", pairs({{"k", "\x7f"}}));
    good("2-byte UTF-8 encoded", "k=%C3%A9", pairs({{"k", "\xc3\xa9"}}));
    good("2-byte UTF-8 lower-case hex", "k=%c3%a9", pairs({{"k", "\xc3\xa9"}}));
    good("2-byte UTF-8 raw", "k=\xc3\xa9", pairs({{"k", "\xc3\xa9"}}));
    good("UTF-8 half raw half encoded", "k=%C3\xa9", pairs({{"k", "\xc3\xa9"}}));
    good("3-byte UTF-8", "k=%E2%82%AC", pairs({{"k", "\xe2\x82\xac"}}));
    good("lowest 3-byte", "k=%E0%A0%80", pairs({{"k", "\xe0\xa0\x80"}}));
    good("4-byte UTF-8", "k=%F0%9F%98%80", pairs({{"k", "\xf0\x9f\x98\x80"}}));
    good("U+10FFFF", "k=%F4%8F%BF%BF", pairs({{"k", "\xf4\x8f\xbf\xbf"}}));
    good("noncharacter U+FFFF", "k=%EF%BF%BF", pairs({{"k", "\xef\xbf\xbf"}}));
    good("before surrogates U+D7FF", "k=%ED%9F%BF", pairs({{"k", "\xed\x9f\xbf"}}));
    good("BOM kept", "k=%EF%BB%BFx", pairs({{"k", "\xef\xbb\xbfx"}}));
    good("UTF-8 key", "c_%C3%A9=1", pairs({{"c_\xc3\xa9", "1"}}));

    bad("lone % at end", "k=%", "bad percent sequence at offset 2");
    bad("% with one digit at end", "k=%4", "bad percent sequence at offset 2");
    bad("% with one digit then &", "k=%4&x=1", "bad percent sequence at offset 2");
    bad("% with one digit then =", "k%4=1", "bad percent sequence at offset 1");
    bad("% with non-hex first", "k=%G1", "bad percent sequence at offset 2");
    bad("% with non-hex second", "k=%1G", "bad percent sequence at offset 2");
    bad("%%41", "k=%%41", "bad percent sequence at offset 2");
    bad("% space", "k=%+41", "bad percent sequence");
    bad("% in key", "%=1", "bad percent sequence at offset 0");
    bad("bad % after a good pair", "a=1&b=%zz", "bad percent sequence at offset 6");
    bad("%00 in value", "k=%00", "NUL byte at offset 2");
    bad("%00 in key", "%00=v", "NUL byte at offset 0");
    bad("raw NUL", bytes("k=a\0b"), "NUL byte at offset 3");
    bad("truncated 2-byte", "k=%C3", "truncated UTF-8 sequence at offset 2");
    bad("truncated 3-byte before &", "k=%E2%82&x=1", "truncated UTF-8 sequence at offset 2");
    bad("sequence cut by =", "%C3=%A9", "truncated UTF-8");
    bad("bad continuation", "k=%C3%28", "invalid UTF-8 at offset 5");
    bad("continuation is a space", "k=%C3+", "invalid UTF-8 at offset 5");
    bad("lone continuation", "k=%80", "invalid UTF-8 at offset 2");
    bad("raw lone continuation", "k=a\x80", "invalid UTF-8 at offset 3");
    bad("overlong 2-byte C0", "k=%C0%AF", "invalid UTF-8");
    bad("overlong 2-byte C1", "k=%C1%BF", "invalid UTF-8");
    bad("overlong 3-byte", "k=%E0%80%AF", "invalid UTF-8 at offset 5");
    bad("overlong 4-byte", "k=%F0%80%80%AF", "invalid UTF-8 at offset 5");
    bad("overlong NUL", "k=%C0%80", "invalid UTF-8");
    bad("high surrogate", "k=%ED%A0%80", "invalid UTF-8 at offset 5");
    bad("low surrogate", "k=%ED%BF%BF", "invalid UTF-8");
    bad("above U+10FFFF", "k=%F4%90%80%80", "invalid UTF-8 at offset 5");
    bad("F5 lead", "k=%F5%80%80%80", "invalid UTF-8 at offset 2");
    bad("FE", "k=%FE", "invalid UTF-8");
    bad("FF", "k=%FF", "invalid UTF-8");
    bad("raw FF", "k=\xff", "invalid UTF-8");
    bad("Latin-1 e-acute", "k=%E9t%E9", "invalid UTF-8 at offset 5");
    bad("invalid UTF-8 in key", "%FF=1", "invalid UTF-8 at offset 0");
}

void tst_SignalDecoder::decodeForm()
{
    QFETCH(QByteArray, form);
    QFETCH(bool, ok);
    QFETCH(Pairs, expected);
    QFETCH(QString, errorPart);

    Pairs actual;
    QString error;
    QCOMPARE(Dcs::SignalDecoder::decodeForm(form, &actual, &error), ok);
    if (ok) {
        QCOMPARE(render(actual), render(expected));
        QCOMPARE(actual, expected);
        QVERIFY(error.isEmpty());
    } else {
        QVERIFY2(error.contains(errorPart), qPrintable(error));
        QVERIFY(actual.isEmpty());
    }

    // The reference decoder agrees, so the rows test the rules rather than restate the code.
    Pairs reference;
    QCOMPARE(referenceForm(form, &reference), ok);
    if (ok)
        QCOMPARE(render(reference), render(expected));
}

void tst_SignalDecoder::decodeFormPointersAndReuse()
{
    // Null outputs are allowed: a validity check only.
    QVERIFY(Dcs::SignalDecoder::decodeForm("a=1", nullptr, nullptr));
    QVERIFY(!Dcs::SignalDecoder::decodeForm("a=%", nullptr, nullptr));

    // Old contents are replaced, and an old error is cleared on success.
    Pairs list = pairs({{"old", "x"}});
    QString error = QStringLiteral("old error");
    QVERIFY(Dcs::SignalDecoder::decodeForm("b=2", &list, &error));
    QCOMPARE(list, pairs({{"b", "2"}}));
    QVERIFY(error.isEmpty());
    QVERIFY(!Dcs::SignalDecoder::decodeForm("c=3&d=%zz", &list, &error));
    QVERIFY(list.isEmpty());
    QVERIFY(!error.isEmpty());
}

void tst_SignalDecoder::isValidKey_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("valid");

    QTest::newRow("c_ key") << u8("c_section") << true;
    QTest::newRow("one letter") << u8("a") << true;
    QTest::newRow("all kinds") << u8("Ab-9_z") << true;
    QTest::newRow("digit first") << u8("1a") << true;
    QTest::newRow("underscore") << u8("_") << true;
    QTest::newRow("dash") << u8("-") << true;
    QTest::newRow("digits and dash") << u8("12-34") << true;
    QTest::newRow("h_ header key") << u8("h_accept-language") << true;
    QTest::newRow("255 characters") << QString(255, u'k') << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("one digit") << u8("1") << false;
    QTest::newRow("all digits") << u8("1234567890") << false;
    QTest::newRow("256 characters") << QString(256, u'k') << false;
    QTest::newRow("space") << u8("a b") << false;
    QTest::newRow("dot") << u8("a.b") << false;
    QTest::newRow("equals") << u8("a=b") << false;
    QTest::newRow("non-ASCII letter") << u8("c_\xc3\xa9") << false;
    QTest::newRow("fullwidth digit") << u8("a\xef\xbc\x91") << false;
    QTest::newRow("control") << u8("a\x01") << false;
    QTest::newRow("NUL") << QString(QChar(0)) << false;
    QTest::newRow("quote") << u8("\"a\"") << false;
}

void tst_SignalDecoder::isValidKey()
{
    QFETCH(QString, key);
    QFETCH(bool, valid);
    QCOMPARE(Dcs::SignalDecoder::isValidKey(key), valid);
}

// GCC 12 warns about members left out of a designated initializer even when they have default
// member initializers (fixed in GCC 13); leaving them out is the point of EventRow.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
void tst_SignalDecoder::decodeEvent_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<int>("maxKeys");
    QTest::addColumn<int>("maxValues");
    QTest::addColumn<Signals>("expected");
    QTest::addColumn<QStringList>("warnings");
    QTest::addColumn<bool>("bad");
    QTest::addColumn<QString>("badReason");

    const Headers allHeaders = {{"cookie", "demdex=1"},
                                {"accept-language", "en-US,en;q=0.9"},
                                {"host", "dcs.test:8080"},
                                {"referer", "https://shop.example/a?b=c"},
                                {"user-agent", "Mozilla/5.0 (X11; Linux x86_64)"}};

    addEventRow({.name = "nothing"});
    addEventRow({.name = "one c_ key", .query = "c_a=1", .expected = {sig("c_a", {"1"})}});
    addEventRow({.name = "every prefix kept",
                 .query = "c_a=1&d_rtbd=json&p_secret=x&plain=y",
                 .expected = {sig("c_a", {"1"}), sig("d_rtbd", {"json"}),
                              sig("p_secret", {"x"}), sig("plain", {"y"})}});
    addEventRow({.name = "repeated key", .query = "c_a=1&c_a=2",
                 .expected = {sig("c_a", {"1", "2"})}});
    addEventRow({.name = "serialized value", .query = "c_a=1,2",
                 .expected = {sig("c_a", {"1", "2"})}});
    addEventRow({.name = "repeats merge at first position", .query = "c_a=1,2&b=x&c_a=3",
                 .expected = {sig("c_a", {"1", "2", "3"}), sig("b", {"x"})}});
    addEventRow({.name = "empty pieces dropped", .query = "c_a=,1,,2,",
                 .expected = {sig("c_a", {"1", "2"})}});
    addEventRow({.name = "empty value", .query = "c_a=", .expected = {sig("c_a", {""})}});
    addEventRow({.name = "no =", .query = "c_a", .expected = {sig("c_a", {""})}});
    addEventRow({.name = "only commas", .query = "c_a=,,",
                 .expected = {sig("c_a", {""})}});
    addEventRow({.name = "repeated empty values", .query = "c_a=&c_a",
                 .expected = {sig("c_a", {"", ""})}});
    addEventRow({.name = "encoded comma splits", .query = "c_a=1%2C2",
                 .expected = {sig("c_a", {"1", "2"})}});
    addEventRow({.name = "quoted value is one value", .query = "c_a=%22x,y%22",
                 .expected = {sig("c_a", {"x,y"})}});
    addEventRow({.name = "quotes removed", .query = "c_a=%22x%22",
                 .expected = {sig("c_a", {"x"})}});
    addEventRow({.name = "raw quotes removed", .query = "c_a=\"x y\"",
                 .expected = {sig("c_a", {"x y"})}});
    addEventRow({.name = "empty quotes", .query = "c_a=%22%22",
                 .expected = {sig("c_a", {""})}});
    addEventRow({.name = "lone quote kept", .query = "c_a=%22",
                 .expected = {sig("c_a", {"\""})}});
    addEventRow({.name = "opening quote only splits", .query = "c_a=%22a,b",
                 .expected = {sig("c_a", {"\"a", "b"})}});
    addEventRow({.name = "quoted and repeated", .query = "c_a=%22a,b%22&c_a=c,d",
                 .expected = {sig("c_a", {"a,b", "c", "d"})}});
    addEventRow({.name = "= in value", .query = "c_a=x=y",
                 .expected = {sig("c_a", {"x=y"})}});
    addEventRow({.name = "plus and spaces kept", .query = "c_a=+a+,+b",
                 .expected = {sig("c_a", {" a ", " b"})}});
    addEventRow({.name = "UTF-8 value", .query = "c_a=%E2%82%AC,%F0%9F%98%80",
                 .expected = {sig("c_a", {"\xe2\x82\xac", "\xf0\x9f\x98\x80"})}});
    addEventRow({.name = "d_cid with %01", .query = "d_cid=123%01abc%011",
                 .expected = {sig("d_cid", {"123\x01" "abc\x01" "1"})}});
    addEventRow({.name = "keys are case-sensitive", .query = "c_a=1&C_A=2&c_A=3",
                 .expected = {sig("c_a", {"1"}), sig("C_A", {"2"}), sig("c_A", {"3"})}});
    addEventRow({.name = "body after query", .query = "c_a=1", .body = "c_b=2&c_a=3",
                 .expected = {sig("c_a", {"1", "3"}), sig("c_b", {"2"})}});
    addEventRow({.name = "body only", .body = "c_b=2,3&d_rtbd=json",
                 .expected = {sig("c_b", {"2", "3"}), sig("d_rtbd", {"json"})}});
    addEventRow({.name = "invalid key dropped", .query = "c_a=1&bad+key=2&c_b=3",
                 .expected = {sig("c_a", {"1"}), sig("c_b", {"3"})},
                 .warnings = {"invalid key dropped: \"bad key\""}});
    addEventRow({.name = "all-digit key dropped", .query = "123=x&c_a=1",
                 .expected = {sig("c_a", {"1"})},
                 .warnings = {"invalid key dropped: \"123\""}});
    addEventRow({.name = "empty key dropped", .query = "=x",
                 .warnings = {"invalid key dropped: \"\""}});
    addEventRow({.name = "non-ASCII key dropped", .query = "c_%C3%A9=x",
                 .warnings = {"invalid key dropped: \"c_\xc3\xa9\""}});
    addEventRow({.name = "invalid p_ key shown by its prefix", .query = "p_x%3Dsecret=1",
                 .warnings = {"invalid key dropped: \"p_...\""}});
    addEventRow({.name = "control in key shown as ?", .query = "c%01a=x",
                 .warnings = {"invalid key dropped: \"c?a\""}});
    addEventRow({.name = "256-character key dropped, shortened",
                 .query = QByteArray(256, 'k') + "=1",
                 .warnings = {"...\""}});
    addEventRow({.name = "255-character key kept", .query = QByteArray(255, 'k') + "=1",
                 .expected = {Signal{QString(255, u'k'), {QStringLiteral("1")}}}});
    addEventRow({.name = "every invalid key warned", .query = "a.b=1&a.b=2&c_x=3",
                 .expected = {sig("c_x", {"3"})},
                 .warnings = {"\"a.b\"", "\"a.b\""}});
    addEventRow({.name = "key warnings capped", .query = invalidKeys(20),
                 .warnings = {"bad.0", "bad.1", "bad.2", "bad.3", "bad.4", "bad.5", "bad.6",
                              "bad.7", "bad.8", "bad.9", "bad.10", "bad.11", "bad.12",
                              "bad.13", "bad.14", "bad.15", "4 more invalid or h_ keys"}});
    addEventRow({.name = "spoofed h_ ignored", .query = "h_user-agent=evil&c_a=1",
                 .expected = {sig("c_a", {"1"})}, .warnings = {"h_user-agent ignored"}});
    addEventRow({.name = "spoofed h_ in body ignored", .body = "h_referer=x",
                 .warnings = {"h_referer ignored"}});
    addEventRow({.name = "spoofed h_ never overrides the header", .query = "h_user-agent=evil",
                 .expected = {sig("h_user-agent", {"real/1.0"})},
                 .warnings = {"h_user-agent ignored"},
                 .headers = {{"user-agent", "real/1.0"}}});
    addEventRow({.name = "invalid h_ key is an invalid key", .query = "h_a+b=1",
                 .warnings = {"invalid key dropped: \"h_a b\""}});
    addEventRow({.name = "upper-case H_ is a bare key", .query = "H_user-agent=x",
                 .expected = {sig("H_user-agent", {"x"})}});
    addEventRow({.name = "header keys in fixed order, one value each",
                 .expected = {sig("h_user-agent", {"Mozilla/5.0 (X11; Linux x86_64)"}),
                              sig("h_referer", {"https://shop.example/a?b=c"}),
                              sig("h_host", {"dcs.test:8080"}),
                              sig("h_accept-language", {"en-US,en;q=0.9"})},
                 .headers = allHeaders});
    addEventRow({.name = "header keys before the query's", .query = "c_a=1",
                 .expected = {sig("h_host", {"dcs.test"}), sig("c_a", {"1"})},
                 .headers = {{"host", "dcs.test"}}});
    addEventRow({.name = "first of a repeated header",
                 .expected = {sig("h_referer", {"https://a/"})},
                 .headers = {{"referer", "https://a/"}, {"referer", "https://b/"}}});
    addEventRow({.name = "header name in any case",
                 .expected = {sig("h_user-agent", {"UA"})},
                 .headers = {{"User-Agent", "UA"}}});
    addEventRow({.name = "header value Latin-1",
                 .expected = {sig("h_user-agent", {"caf\xc3\xa9"})},
                 .headers = {{"user-agent", "caf\xe9"}}});
    addEventRow({.name = "header value UTF-8",
                 .expected = {sig("h_referer", {"https://x/\xc3\xa9"})},
                 .headers = {{"referer", "https://x/\xc3\xa9"}}});
    addEventRow({.name = "header value not percent-decoded",
                 .expected = {sig("h_referer", {"https://x/?q=%41+b"})},
                 .headers = {{"referer", "https://x/?q=%41+b"}}});
    addEventRow({.name = "empty header value", .expected = {sig("h_host", {""})},
                 .headers = {{"host", ""}}});
    addEventRow({.name = "header with NUL not used", .query = "c_a=1",
                 .expected = {sig("c_a", {"1"})},
                 .warnings = {"h_user-agent not set"},
                 .headers = {{"user-agent", bytes("a\0b")}}});

    addEventRow({.name = "keys at the limit", .query = "a=1&b=2",
                 .expected = {sig("a", {"1"}), sig("b", {"2"})},
                 .limits = {2, 64}});
    addEventRow({.name = "keys one over the limit", .query = "a=1&b=2&c=3",
                 .expected = {sig("a", {"1"}), sig("b", {"2"})},
                 .warnings = {"signal limit: 1 keys over the limit of 2 dropped"},
                 .limits = {2, 64}});
    addEventRow({.name = "kept keys still merge past the limit",
                 .query = "a=1&b=2&c=3&a=4&c=5&d=6",
                 .expected = {sig("a", {"1", "4"}), sig("b", {"2"})},
                 .warnings = {"signal limit: 2 keys over"},
                 .limits = {2, 64}});
    addEventRow({.name = "256 keys by default", .query = manyKeys(256),
                 .expected = manySignals(256)});
    addEventRow({.name = "257 keys by default", .query = manyKeys(257),
                 .expected = manySignals(256),
                 .warnings = {"signal limit: 1 keys over the limit of 256 dropped"}});
    addEventRow({.name = "values at the limit", .query = "a=1,2,3",
                 .expected = {sig("a", {"1", "2", "3"})},
                 .limits = {256, 3}});
    addEventRow({.name = "values one over the limit", .query = "a=1,2,3,4",
                 .expected = {sig("a", {"1", "2", "3"})},
                 .warnings = {"signal limit: 1 values of a over the limit of 3 dropped"},
                 .limits = {256, 3}});
    addEventRow({.name = "one value warning per key", .query = "a=1&a=2&a=3&b=1,2,3&a=4",
                 .expected = {sig("a", {"1", "2"}), sig("b", {"1", "2"})},
                 .warnings = {"2 values of a", "1 values of b"},
                 .limits = {256, 2}});
    addEventRow({.name = "64 values by default", .query = manyValues(64),
                 .expected = manyValuesSignal(64)});
    addEventRow({.name = "65 values by default", .query = manyValues(65),
                 .expected = manyValuesSignal(64),
                 .warnings = {"signal limit: 1 values of c_v over the limit of 64 dropped"}});
    addEventRow({.name = "quoted value counts once", .query = "a=%22x,y%22",
                 .expected = {sig("a", {"x,y"})},
                 .limits = {256, 1}});
    addEventRow({.name = "header keys count toward the limit", .query = "c_a=1",
                 .expected = {sig("h_user-agent", {"UA"}), sig("h_host", {"h"})},
                 .warnings = {"signal limit: 1 keys over the limit of 2"},
                 .headers = {{"host", "h"}, {"user-agent", "UA"}},
                 .limits = {2, 64}});
    addEventRow({.name = "no key allowed", .query = "a=1&b=2",
                 .warnings = {"signal limit: 2 keys over the limit of 0"},
                 .limits = {0, 64}});
    addEventRow({.name = "values limit below 1 counts as 1", .query = "a=1,2",
                 .expected = {sig("a", {"1"})},
                 .warnings = {"signal limit: 1 values of a over the limit of 1"},
                 .limits = {256, 0}});
    addEventRow({.name = "invalid keys do not use the limit", .query = "bad.1=1&a=1",
                 .expected = {sig("a", {"1"})},
                 .warnings = {"invalid key dropped"},
                 .limits = {1, 64}});
    addEventRow({.name = "limit warnings after key warnings", .query = "a=1&b=2&c.d=3",
                 .expected = {sig("a", {"1"})},
                 .warnings = {"invalid key dropped: \"c.d\"", "signal limit: 1 keys"},
                 .limits = {1, 64}});

    addEventRow({.name = "bad % in the query", .query = "c_a=1&c_b=%G1",
                 .badReason = "bad percent sequence at offset 10 in the query"});
    addEventRow({.name = "bad % in the body", .query = "c_a=1", .body = "a=1&b=%4",
                 .badReason = "bad percent sequence at offset 6 in the body"});
    addEventRow({.name = "%00 ignores the call and its headers", .query = "c_a=%00",
                 .headers = allHeaders, .badReason = "NUL byte at offset 4"});
    addEventRow({.name = "overlong in the body", .body = "c_a=%C0%AF",
                 .badReason = "invalid UTF-8 at offset 4 in the body"});
    addEventRow({.name = "surrogate in the query", .query = "c_a=%ED%A0%80",
                 .badReason = "invalid UTF-8 at offset 7 in the query"});
    addEventRow({.name = "truncated UTF-8 after good signals", .query = "c_a=1&c_b=%E2%82",
                 .badReason = "truncated UTF-8"});
    addEventRow({.name = "bad encoding beats an invalid key", .query = "bad.key=%",
                 .badReason = "bad percent sequence"});
}
#pragma GCC diagnostic pop

void tst_SignalDecoder::decodeEvent()
{
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, body);
    QFETCH(Headers, headers);
    QFETCH(int, maxKeys);
    QFETCH(int, maxValues);
    QFETCH(Signals, expected);
    QFETCH(QStringList, warnings);
    QFETCH(bool, bad);
    QFETCH(QString, badReason);

    const SignalLimits limits{maxKeys, maxValues};
    const DecodedSignals decoded = Dcs::SignalDecoder::decodeEvent(query, body, headers, limits);

    QCOMPARE(decoded.badEncoding, bad);
    if (bad) {
        QVERIFY2(decoded.badEncodingReason.contains(badReason),
                 qPrintable(decoded.badEncodingReason));
    } else {
        QVERIFY(decoded.badEncodingReason.isEmpty());
    }
    QCOMPARE(render(decoded.signalList), render(expected));
    QVERIFY(decoded.signalList == expected);

    QStringList messages;
    for (const Dcs::DcsError &warning : decoded.warnings) {
        QCOMPARE(warning.code, 0);
        messages.append(warning.message);
    }
    QVERIFY2(messages.size() == warnings.size(), qPrintable(messages.join(u" / ")));
    for (qsizetype i = 0; i < warnings.size(); ++i)
        QVERIFY2(messages.at(i).contains(warnings.at(i)), qPrintable(messages.at(i)));

    const QString violation = eventViolation(decoded, query, body, headers, limits);
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

void tst_SignalDecoder::lookups()
{
    const DecodedSignals decoded = Dcs::SignalDecoder::decodeEvent(
        "c_a=1,2&p_x=s&plain", {}, {{"host", "dcs.test"}});
    QCOMPARE(decoded.signalList.size(), 4);

    const Signal *found = decoded.find(u"c_a");
    QVERIFY(found);
    QCOMPARE(found, &decoded.signalList.at(1));
    QCOMPARE(found->values, u8List({"1", "2"}));
    QCOMPARE(decoded.values(u"c_a"), u8List({"1", "2"}));
    QCOMPARE(decoded.values(u"plain"), u8List({""}));
    QCOMPARE(decoded.values(u"h_host"), u8List({"dcs.test"}));
    QCOMPARE(decoded.values(u"p_x"), u8List({"s"}));
    QVERIFY(decoded.values(u"absent").isEmpty());
    QVERIFY(!decoded.find(u"absent"));

    QVERIFY(decoded.contains(u"c_a"));
    QVERIFY(decoded.contains(u"h_host"));
    QVERIFY(!decoded.contains(u"C_A")); // case-sensitive
    QVERIFY(!decoded.contains(u"c_"));  // whole keys, not prefixes
    QVERIFY(!decoded.contains(u""));

    const DecodedSignals empty;
    QVERIFY(!empty.find(u"c_a"));
    QVERIFY(empty.values(u"c_a").isEmpty());
    QVERIFY(!empty.contains(u"c_a"));
    QVERIFY(empty.storable().isEmpty());
}

void tst_SignalDecoder::storableExcludesPrivateKeys()
{
    const DecodedSignals decoded = Dcs::SignalDecoder::decodeEvent(
        "p_a=1&c_b=2&P_c=3&p_=4&xp_=5&p_a=6", "p_body=7&c_body=8", {{"referer", "r"}});
    // p_ keys are decoded and usable during the request...
    QCOMPARE(decoded.values(u"p_a"), u8List({"1", "6"}));
    QVERIFY(decoded.contains(u"p_"));
    QVERIFY(decoded.contains(u"p_body"));
    // ...but never among what may be stored, in the same order with the same values.
    const Signals storable = decoded.storable();
    QCOMPARE(render(storable),
             render({sig("h_referer", {"r"}), sig("c_b", {"2"}), sig("P_c", {"3"}),
                     sig("xp_", {"5"}), sig("c_body", {"8"})}));
}

void tst_SignalDecoder::warningsNeverShowValues()
{
    const DecodedSignals decoded = Dcs::SignalDecoder::decodeEvent(
        "p_x=SECRET1,SECRET2&p_x=SECRET3&p_y=SECRET4&p_z=SECRET5&p+bad=SECRET6"
        "&h_host=SECRET7&p_y&p_bad+SECRET9=1",
        "p_w=SECRET8", {}, SignalLimits{2, 1});
    QVERIFY(!decoded.badEncoding);
    // "p bad", h_host, "p_bad SECRET9", 2 keys over, 2 values of p_x, 1 of p_y.
    QCOMPARE(decoded.warnings.size(), 6);
    for (const Dcs::DcsError &warning : decoded.warnings)
        QVERIFY2(!warning.message.contains(u"SECRET"), qPrintable(warning.message));

    const DecodedSignals bad =
        Dcs::SignalDecoder::decodeEvent("p_x=SECRET%zz", "p_y=SECRET%C0%80", {});
    QVERIFY(bad.badEncoding);
    QVERIFY2(!bad.badEncodingReason.contains(u"SECRET"), qPrintable(bad.badEncodingReason));
    QString error;
    QVERIFY(!Dcs::SignalDecoder::decodeForm("p_x=SECRET%FF", nullptr, &error));
    QVERIFY2(!error.contains(u"SECRET"), qPrintable(error));
}

void tst_SignalDecoder::emptyValuesAreEmptyNotNull()
{
    Pairs list;
    QVERIFY(Dcs::SignalDecoder::decodeForm("a&b=&=c", &list, nullptr));
    QCOMPARE(list.size(), 3);
    for (const auto &[key, value] : std::as_const(list)) {
        QVERIFY(!key.isNull());
        QVERIFY(!value.isNull());
    }

    const DecodedSignals decoded =
        Dcs::SignalDecoder::decodeEvent("a&b=&c=%22%22&d=,", {}, {{"host", ""}});
    QCOMPARE(decoded.signalList.size(), 5);
    for (const Signal &signal : decoded.signalList) {
        QCOMPARE(signal.values.size(), 1);
        QVERIFY2(!signal.values.constFirst().isNull(), qPrintable(signal.key));
        QVERIFY(signal.values.constFirst().isEmpty());
    }
}

void tst_SignalDecoder::roundTrip()
{
    // Any text without NUL survives percent-encoding, with or without '+' for spaces and with
    // non-ASCII left raw or encoded.
    static const std::vector<std::pair<char32_t, char32_t>> ranges = {
        {0x01, 0x7f}, {0x20, 0x2f}, {0x80, 0x7ff}, {0x800, 0xd7ff}, {0xe000, 0xffff},
        {0x10000, 0x10ffff}, {0xfeff, 0xfeff}, {0xffff, 0xffff}};
    QRandomGenerator rng(7071);
    const auto randomText = [&rng]() {
        QString text;
        const int length = rng.bounded(12);
        for (int i = 0; i < length; ++i) {
            const auto &[low, high] = ranges.at(rng.bounded(int(ranges.size())));
            const char32_t code = low + rng.bounded(quint32(high - low + 1));
            text += QString::fromUcs4(&code, 1);
        }
        return text;
    };
    const auto encode = [&rng](const QString &text) {
        const QByteArray utf8 = text.toUtf8();
        switch (rng.bounded(3)) {
        case 0:
            return utf8.toPercentEncoding();
        case 1: // '+' for spaces, as browsers send forms
            return utf8.toPercentEncoding(" ").replace(' ', '+');
        default: { // only the ASCII that must be encoded; UTF-8 bytes raw
            QByteArray out;
            for (const char c : utf8) {
                const auto u = static_cast<unsigned char>(c);
                if (u >= 0x80 || (u > 0x20 && u < 0x7f && !QByteArray("%&=+").contains(c)))
                    out += c;
                else
                    out += '%' + QByteArray::number(u, 16).rightJustified(2, '0');
            }
            return out;
        }
        }
    };
    for (int i = 0; i < 3000; ++i) {
        Pairs expected;
        QByteArray form;
        const int count = rng.bounded(5);
        for (int p = 0; p < count; ++p) {
            expected.append({randomText(), randomText()});
            form += (p ? "&" : "") + encode(expected.constLast().first) + '='
                    + encode(expected.constLast().second);
        }
        Pairs actual;
        QString error;
        QVERIFY2(Dcs::SignalDecoder::decodeForm(form, &actual, &error),
                 qPrintable(QString::fromLatin1(form.toPercentEncoding()) + u' ' + error));
        QVERIFY2(actual == expected, qPrintable(render(actual) + u" != " + render(expected)));
    }
}

void tst_SignalDecoder::randomInputs()
{
    // Tokens that keep a form valid, and tokens that (mostly) break it.
    static const QList<QByteArray> goodTokens = {
        "c_a", "c_b", "p_", "p_s", "h_user-agent", "h_host", "d_cid", "k", "K", "1", "12",
        "-", "_", ".", " ", "&", "&", "&", "=", "=", "=", ",", ",", "+", "\"", "%22", "%2C",
        "%26", "%3D", "%2b", "%41", "%C3%A9", "%E2%82%AC", "%F0%9F%98%80", "%ED%9F%BF", "%01",
        "%EF%BF%BF", "%F4%8F%BF%BF", "\xc3\xa9",
    };
    static const QList<QByteArray> badTokens = {
        "%", "%4", "%G", "%c3", "%A9", "%E2%82", "%ED%A0%80", "%C0%80", "%E0%80%AF", "%00",
        "%FF", "%F4%90%80%80", "\xe2\x82", "\x80", "\xff", bytes("\0"),
    };
    static const QList<QByteArray> headerNames = {
        "user-agent", "Referer", "host", "accept-language", "cookie", "h_host",
    };
    static const QList<QByteArray> headerValues = {
        "", "Mozilla/5.0", "a,b", "caf\xe9", "\xc3\xa9", bytes("x\0y"), "%41",
    };
    static const QList<int> keyLimits = {-1, 0, 1, 2, 3, 5, 256};
    static const QList<int> valueLimits = {-1, 0, 1, 2, 3, 64};

    QRandomGenerator rng(20240612);
    const auto randomForm = [&rng]() {
        QByteArray form;
        if (rng.bounded(6) == 0) {
            form.resize(rng.bounded(80));
            for (char &c : form)
                c = static_cast<char>(rng.bounded(256));
            return form;
        }
        const bool mayBreak = rng.bounded(2) == 0;
        const int count = rng.bounded(24);
        for (int t = 0; t < count; ++t) {
            const QList<QByteArray> &from =
                mayBreak && rng.bounded(8) == 0 ? badTokens : goodTokens;
            form += from.at(rng.bounded(int(from.size())));
        }
        return form;
    };

    int good = 0;
    int bad = 0;
    for (int i = 0; i < 20000; ++i) {
        const QByteArray query = randomForm();
        const QByteArray body = rng.bounded(3) == 0 ? randomForm() : QByteArray();
        Headers headers;
        const int headerCount = rng.bounded(4);
        for (int h = 0; h < headerCount; ++h) {
            headers.append({headerNames.at(rng.bounded(int(headerNames.size()))),
                            headerValues.at(rng.bounded(int(headerValues.size())))});
        }
        const SignalLimits limits{keyLimits.at(rng.bounded(int(keyLimits.size()))),
                                  valueLimits.at(rng.bounded(int(valueLimits.size())))};
        const QByteArray where = "input #" + QByteArray::number(i) + ": "
                                 + query.toPercentEncoding() + " | "
                                 + body.toPercentEncoding();

        // decodeForm agrees with the reference, pair for pair.
        Pairs actual;
        Pairs reference;
        QString error;
        const bool ok = Dcs::SignalDecoder::decodeForm(query, &actual, &error);
        QVERIFY2(ok == referenceForm(query, &reference), where.constData());
        QVERIFY2(ok || !error.isEmpty(), where.constData());
        QVERIFY2(!ok || actual == reference, where.constData());

        const DecodedSignals decoded =
            Dcs::SignalDecoder::decodeEvent(query, body, headers, limits);
        const QString violation = eventViolation(decoded, query, body, headers, limits);
        QVERIFY2(violation.isEmpty(), QByteArray(where + " -> " + violation.toUtf8()).constData());
        (decoded.badEncoding ? bad : good) += 1;
    }
    // The generator must reach both sides, or the loop proves little.
    QVERIFY2(good > 8000, QByteArray::number(good).constData());
    QVERIFY2(bad > 3000, QByteArray::number(bad).constData());
}

QTEST_GUILESS_MAIN(tst_SignalDecoder)

#include "tst_signaldecoder.moc"
