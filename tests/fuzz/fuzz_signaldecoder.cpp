// libFuzzer target for Dcs::SignalDecoder.
//
// Input layout: byte 0 picks the limits; the rest is split on '\n' into the query (first line),
// the form body (second line) and headers ("name:value", one a line). A line-based layout keeps
// the seeds readable; a raw '\n' inside a value is the same code path as any other byte, and
// %0A reaches it anyway.
//
// Checked: decodeForm() agrees pair for pair with a slow reference decoder (Qt's own
// percent-decoding and UTF-8 decoder), decoded pairs survive re-encoding, and decodeEvent()
// keeps every promise of signaldecoder.h and dcs-api.md (valid unique keys, limits, h_ keys
// only from headers, no NUL, no p_ in storable(), bad encoding ignores the whole call).
#include "dcs/signaldecoder.h"

#include <QSet>
#include <QStringDecoder>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "referenceformdecoder.h"

using namespace Dcs;

namespace {

using Pairs = QList<QPair<QString, QString>>;
using Headers = QList<QPair<QByteArray, QByteArray>>;

[[noreturn]] void violated(const char *what)
{
    std::fprintf(stderr, "SignalDecoder contract violated: %s\n", what);
    std::abort();
}

void check(bool ok, const char *what)
{
    if (!ok)
        violated(what);
}

using DcsTest::referenceComponent;
using DcsTest::referenceForm;

// decodeForm() against the reference; returns the pairs when the form is valid.
bool checkedForm(QByteArrayView form, Pairs *pairs)
{
    QString error;
    const bool ok = SignalDecoder::decodeForm(form, pairs, &error);
    Pairs reference;
    check(ok == referenceForm(form, &reference), "decodeForm() and the reference disagree");
    check(ok ? error.isEmpty() : !error.isEmpty(), "error text and result disagree");
    if (!ok)
        return false;
    check(*pairs == reference, "decodeForm() pairs differ from the reference");
    QByteArray encoded;
    for (const auto &[key, value] : std::as_const(*pairs)) {
        check(!key.contains(QChar(0)) && !value.contains(QChar(0)), "NUL in a decoded pair");
        check(!value.isNull(), "null value");
        encoded += key.toUtf8().toPercentEncoding() + '=' + value.toUtf8().toPercentEncoding()
                   + '&';
    }
    Pairs again;
    check(SignalDecoder::decodeForm(encoded, &again, nullptr) && again == *pairs,
          "pairs do not survive re-encoding");
    return true;
}

void checkEvent(QByteArrayView query, QByteArrayView body, const Headers &headers,
                const SignalLimits &limits, bool queryOk, bool bodyOk, const Pairs &queryPairs,
                const Pairs &bodyPairs)
{
    const DecodedSignals decoded = SignalDecoder::decodeEvent(query, body, headers, limits);
    check(decoded.badEncoding == !(queryOk && bodyOk), "badEncoding disagrees with decodeForm");
    if (decoded.badEncoding) {
        check(decoded.signalList.isEmpty() && decoded.warnings.isEmpty(),
              "a bad call kept signals or warnings");
        check(!decoded.badEncodingReason.isEmpty(), "a bad call without a reason");
        return;
    }
    check(decoded.badEncodingReason.isEmpty(), "a reason without bad encoding");
    check(decoded.signalList.size() <= qMax(limits.maxKeys, 0), "more keys than the limit");

    bool limitHit = false;
    for (const DcsError &warning : decoded.warnings) {
        check(warning.code == 0 && !warning.message.isEmpty(), "malformed warning");
        limitHit = limitHit || warning.message.startsWith(u"signal limit");
    }
    check(decoded.warnings.size() <= 16 + 1 + 1 + 4 + decoded.signalList.size(),
          "unbounded warnings");

    QSet<QString> keys;
    for (const Signal &signal : decoded.signalList) {
        check(SignalDecoder::isValidKey(signal.key), "invalid key kept");
        check(!keys.contains(signal.key), "key kept twice");
        keys.insert(signal.key);
        check(decoded.find(signal.key) == &signal, "find() misses a key");
        check(decoded.values(signal.key) == signal.values, "values() differs");
        check(!signal.values.isEmpty()
                  && signal.values.size() <= qMax(limits.maxValuesPerKey, 1),
              "value count out of bounds");
        for (const QString &value : signal.values)
            check(!value.isNull() && !value.contains(QChar(0)), "null or NUL value");
        if (signal.key.startsWith(u"h_")) {
            static const QList<QByteArray> names = {"user-agent", "referer", "host",
                                                    "accept-language"};
            const QByteArray name = signal.key.sliced(2).toLatin1();
            bool sent = false;
            for (const auto &header : headers)
                sent = sent || header.first.compare(name, Qt::CaseInsensitive) == 0;
            check(names.contains(name) && sent && signal.values.size() == 1,
                  "h_ key not taken from a header");
        }
    }

    if (!limitHit) {
        QSet<QString> sent;
        for (const Pairs *list : {&queryPairs, &bodyPairs}) {
            for (const auto &pair : *list) {
                if (SignalDecoder::isValidKey(pair.first) && !pair.first.startsWith(u"h_"))
                    sent.insert(pair.first);
            }
        }
        QSet<QString> kept;
        for (const QString &key : std::as_const(keys)) {
            if (!key.startsWith(u"h_"))
                kept.insert(key);
        }
        check(sent == kept, "kept keys differ from the valid keys sent");
    }

    for (const Signal &signal : decoded.storable())
        check(!signal.key.startsWith(u"p_"), "storable() holds a p_ key");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    static constexpr std::array<int, 8> keyLimits = {256, 0, 1, 2, 3, 5, 16, -1};
    static constexpr std::array<int, 8> valueLimits = {64, 0, 1, 2, 3, 5, 16, -1};
    const SignalLimits limits{keyLimits[data[0] & 7], valueLimits[(data[0] >> 3) & 7]};

    const QByteArrayView rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    QList<QByteArrayView> lines;
    for (qsizetype start = 0; start <= rest.size();) {
        qsizetype end = rest.indexOf('\n', start);
        if (end < 0)
            end = rest.size();
        lines.append(rest.sliced(start, end - start));
        start = end + 1;
    }
    const QByteArrayView query = lines.value(0);
    const QByteArrayView body = lines.value(1);
    Headers headers;
    for (qsizetype i = 2; i < lines.size(); ++i) {
        const QByteArrayView line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon >= 0) {
            headers.append(
                {line.first(colon).toByteArray(), line.sliced(colon + 1).toByteArray()});
        }
    }

    // The whole input as one form too: every byte value reaches the decoder that way.
    Pairs pairs;
    checkedForm(rest, &pairs);

    Pairs queryPairs;
    Pairs bodyPairs;
    const bool queryOk = checkedForm(query, &queryPairs);
    const bool bodyOk = checkedForm(body, &bodyPairs);
    checkEvent(query, body, headers, limits, queryOk, bodyOk, queryPairs, bodyPairs);
    return 0;
}
