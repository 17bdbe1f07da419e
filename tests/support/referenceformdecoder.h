#pragma once

// The slow obvious form decoder that SignalDecoder::decodeForm is checked against, by the unit
// test and by the fuzzer alike: split on '&', check every '%', turn '+' into a space,
// percent-decode with Qt, reject NUL, and let QStringDecoder judge the UTF-8. Header-only: the
// fuzzer is a separate clang build that compiles none of the test support library.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringDecoder>

namespace DcsTest {

using FormPairs = QList<QPair<QString, QString>>;

inline bool referenceComponent(QByteArrayView raw, QString *out)
{
    const auto isHexDigit = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    };
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw.at(i) == '%'
            && (i + 2 >= raw.size() || !isHexDigit(raw.at(i + 1)) || !isHexDigit(raw.at(i + 2))))
            return false;
    }
    QByteArray decoded = raw.toByteArray();
    decoded.replace('+', ' ');
    decoded = QByteArray::fromPercentEncoding(decoded);
    if (decoded.contains('\0'))
        return false;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless
                                                     | QStringDecoder::Flag::ConvertInitialBom);
    *out = decoder.decode(decoded);
    return !decoder.hasError();
}

inline bool referenceForm(QByteArrayView form, FormPairs *out)
{
    out->clear();
    for (const QByteArray &piece : form.toByteArray().split('&')) {
        if (piece.isEmpty())
            continue;
        const qsizetype equals = piece.indexOf('=');
        QString key;
        QString value;
        if (!referenceComponent(equals < 0 ? piece : piece.first(equals), &key))
            return false;
        if (equals >= 0 && !referenceComponent(piece.sliced(equals + 1), &value))
            return false;
        out->append({key, value});
    }
    return true;
}

} // namespace DcsTest
