#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QStringView>

namespace Dcs {

// Appends compact JSON (UTF-8) to a byte array, for the hot paths that answer and log every
// /event: building a QJsonObject and serializing it allocates once per value and cost more than
// the rest of the /event handler together. Callers produce the structure; this class gets the
// separators and the escaping right. Output is what QJsonDocument::Compact would accept; strings
// are escaped per RFC 8259 (quote, backslash, control characters; lone surrogates become U+FFFD,
// as QString::toUtf8 does).
class JsonWriter final
{
public:
    explicit JsonWriter(QByteArray &out) : m_out(out) {}

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();
    JsonWriter &key(QStringView name);
    JsonWriter &key(QLatin1StringView name);
    JsonWriter &value(QStringView text);
    JsonWriter &value(QLatin1StringView text);
    JsonWriter &value(qint64 number);
    JsonWriter &value(bool flag);
    // An already-built value (rare paths: destinations filled by a stage).
    JsonWriter &value(const QJsonArray &array);

    static void appendString(QByteArray &out, QStringView text);
    static void appendString(QByteArray &out, QLatin1StringView text);

private:
    void separate();

    QByteArray &m_out;
    bool m_needsComma = false;
};

} // namespace Dcs
