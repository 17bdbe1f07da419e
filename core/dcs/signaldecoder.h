#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace Dcs {

// One key of a call with all its values, in order of appearance (repeated keys `k=a&k=b` and
// serialized values `k=a,b` both give two values).
struct Signal
{
    QString key;
    QStringList values;

    friend bool operator==(const Signal &, const Signal &) = default;
};

// A warning or error for the answer's "errors" array and the X-Error header (dcs-api.md codes).
struct DcsError
{
    int code = 0;
    QString message;

    friend bool operator==(const DcsError &, const DcsError &) = default;
};

struct SignalLimits
{
    int maxKeys = 256;
    int maxValuesPerKey = 64;
};

// The signals of one /event call after the dcs-api.md rules.
struct DecodedSignals
{
    // Error 311: a bad percent sequence or invalid UTF-8 anywhere; the whole call is ignored.
    bool badEncoding = false;
    QString badEncodingReason;

    QList<Signal> signalList; // keys unique, in order of first appearance; p_ keys included
    QList<DcsError> warnings; // invalid keys dropped, limits exceeded, spoofed h_ keys ignored

    const Signal *find(QStringView key) const;
    QStringList values(QStringView key) const; // empty when absent
    bool contains(QStringView key) const { return find(key) != nullptr; }
    // Everything but p_ keys: what may be stored, logged, shown or forwarded.
    QList<Signal> storable() const;
};

namespace SignalDecoder {

// Strict application/x-www-form-urlencoded decoding of a query string or form body: pairs split
// on '&' (empty pieces skipped), key and value split on the first '=', '+' is a space, every '%'
// must be followed by two hex digits, and the decoded bytes must be valid UTF-8. On a violation
// returns false with a reason naming the offset; `pairs` then holds nothing useful.
bool decodeForm(QByteArrayView form, QList<QPair<QString, QString>> *pairs, QString *error);

// A signal key: letters, digits, '-' and '_', 1 to 255 characters, not all digits.
bool isValidKey(QStringView key);
// p_ keys: private, used for the call only; never stored, logged, shown or forwarded.
bool isPrivateKey(QStringView key);

// /event semantics (dcs-api.md, "Signals and key prefixes"): the query's pairs, then the form
// body's; invalid keys dropped with a warning (code 0); h_ keys sent by the caller ignored with a
// warning (the DCS sets h_user-agent, h_referer, h_host and h_accept-language from `headers`);
// a value wrapped in double quotes is one value with the quotes removed, other values split on
// ','; limits applied with a warning. `headers` are (lower-case name, value) pairs.
DecodedSignals decodeEvent(QByteArrayView query, QByteArrayView formBody,
                           const QList<QPair<QByteArray, QByteArray>> &headers,
                           const SignalLimits &limits = {});

} // namespace SignalDecoder
} // namespace Dcs
