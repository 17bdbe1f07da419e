#include "jsonwriter.h"

#include <QJsonDocument>

namespace Dcs {

void JsonWriter::separate()
{
    if (m_needsComma)
        m_out += ',';
    m_needsComma = true;
}

JsonWriter &JsonWriter::beginObject()
{
    separate();
    m_out += '{';
    m_needsComma = false;
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    m_out += '}';
    m_needsComma = true;
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    separate();
    m_out += '[';
    m_needsComma = false;
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    m_out += ']';
    m_needsComma = true;
    return *this;
}

JsonWriter &JsonWriter::key(QStringView name)
{
    separate();
    appendString(m_out, name);
    m_out += ':';
    m_needsComma = false; // the value follows without a comma
    return *this;
}

JsonWriter &JsonWriter::key(QLatin1StringView name)
{
    separate();
    appendString(m_out, name);
    m_out += ':';
    m_needsComma = false;
    return *this;
}

JsonWriter &JsonWriter::value(QStringView text)
{
    separate();
    appendString(m_out, text);
    return *this;
}

JsonWriter &JsonWriter::value(QLatin1StringView text)
{
    separate();
    appendString(m_out, text);
    return *this;
}

JsonWriter &JsonWriter::value(qint64 number)
{
    separate();
    m_out += QByteArray::number(number);
    return *this;
}

JsonWriter &JsonWriter::value(bool flag)
{
    separate();
    m_out += flag ? QByteArrayView("true") : QByteArrayView("false");
    return *this;
}

JsonWriter &JsonWriter::value(const QJsonArray &array)
{
    separate();
    if (array.isEmpty())
        m_out += "[]";
    else
        m_out += QJsonDocument(array).toJson(QJsonDocument::Compact);
    return *this;
}

namespace {

// Appends the escape for an ASCII character that JSON does not allow raw; false if it is allowed.
bool appendEscape(QByteArray &out, char16_t c)
{
    static constexpr char kHex[] = "0123456789abcdef";
    if (c >= 0x20 && c != u'"' && c != u'\\')
        return false;
    out += '\\';
    switch (c) {
    case u'"': out += '"'; break;
    case u'\\': out += '\\'; break;
    case u'\n': out += 'n'; break;
    case u'\r': out += 'r'; break;
    case u'\t': out += 't'; break;
    case u'\b': out += 'b'; break;
    case u'\f': out += 'f'; break;
    default:
        out += "u00";
        out += kHex[(c >> 4) & 0xF];
        out += kHex[c & 0xF];
    }
    return true;
}

} // namespace

void JsonWriter::appendString(QByteArray &out, QStringView text)
{
    out += '"';
    qsizetype plainFrom = 0; // runs without escapes are converted to UTF-8 in one call
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c >= 0x20 && c != u'"' && c != u'\\')
            continue;
        if (i > plainFrom)
            out += text.sliced(plainFrom, i - plainFrom).toUtf8();
        plainFrom = i + 1;
        appendEscape(out, c);
    }
    if (text.size() > plainFrom)
        out += text.sliced(plainFrom).toUtf8();
    out += '"';
}

void JsonWriter::appendString(QByteArray &out, QLatin1StringView text)
{
    out += '"';
    for (const char byte : text) {
        const auto c = char16_t(uchar(byte));
        if (c >= 0x80) {
            out += char(0xC0 | (c >> 6));
            out += char(0x80 | (c & 0x3F));
        } else if (!appendEscape(out, c)) {
            out += byte;
        }
    }
    out += '"';
}

} // namespace Dcs
