#include "partnerrequest.h"

#include "common/jsonwriter.h"
#include "partners/partnerendpoint_p.h"
#include "partners/partnersigning.h"

#include <QVarLengthArray>

#include <algorithm>
#include <charconv>

namespace Dcs {

namespace {

// A decimal number in a stack buffer: no allocation for the numbers of every call.
class NumberText
{
public:
    explicit NumberText(qint64 number)
    {
        m_size = qsizetype(std::to_chars(m_buffer, m_buffer + sizeof m_buffer, number).ptr
                           - m_buffer);
    }
    QByteArrayView view() const { return {m_buffer, m_size}; }

private:
    char m_buffer[24];
    qsizetype m_size = 0;
};

constexpr char kHexUpper[] = "0123456789ABCDEF";

void appendPercentByte(QByteArray &out, uchar byte)
{
    out += '%';
    out += kHexUpper[byte >> 4];
    out += kHexUpper[byte & 0xF];
}

// A macro value in a URL: RFC 3986 unreserved characters as they are, everything else as the
// percent-encoded UTF-8 (a lone surrogate as U+FFFD, like QString::toUtf8).
void appendUrlEncoded(QByteArray &out, QStringView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
            || c == u'-' || c == u'.' || c == u'_' || c == u'~') {
            out += char(c);
            continue;
        }
        char32_t code = c;
        if (QChar::isHighSurrogate(c) && i + 1 < text.size()
            && QChar::isLowSurrogate(text[i + 1].unicode())) {
            code = QChar::surrogateToUcs4(c, text[i + 1].unicode());
            ++i;
        } else if (QChar::isSurrogate(c)) {
            code = 0xFFFD;
        }
        if (code < 0x80) {
            appendPercentByte(out, uchar(code));
        } else if (code < 0x800) {
            appendPercentByte(out, uchar(0xC0 | (code >> 6)));
            appendPercentByte(out, uchar(0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
            appendPercentByte(out, uchar(0xE0 | (code >> 12)));
            appendPercentByte(out, uchar(0x80 | ((code >> 6) & 0x3F)));
            appendPercentByte(out, uchar(0x80 | (code & 0x3F)));
        } else {
            appendPercentByte(out, uchar(0xF0 | (code >> 18)));
            appendPercentByte(out, uchar(0x80 | ((code >> 12) & 0x3F)));
            appendPercentByte(out, uchar(0x80 | ((code >> 6) & 0x3F)));
            appendPercentByte(out, uchar(0x80 | (code & 0x3F)));
        }
    }
}

// A header value that cannot end the header early: printable ASCII as it is, other bytes and
// '%' percent-encoded. ASCII-only text (every DCS tid) takes the copy-free path.
void appendHeaderValue(QByteArray &out, QStringView text)
{
    bool plain = true;
    for (const QChar c : text)
        plain = plain && c.unicode() > 0x20 && c.unicode() < 0x7f && c != u'%';
    if (plain) {
        for (const QChar c : text)
            out += char(c.unicode());
        return;
    }
    for (const char byte : text.toUtf8()) {
        const auto c = uchar(byte);
        if (c > 0x20 && c < 0x7f && c != '%')
            out += char(c);
        else
            appendPercentByte(out, c);
    }
}

void appendLine(QByteArray &out, QByteArrayView name, QByteArrayView value)
{
    out += name;
    out += value;
    out += "\r\n";
}

bool isShellSafe(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
           || c == u'-' || c == u'_' || c == u'.' || c == u'/' || c == u':' || c == u'='
           || c == u'@' || c == u'%' || c == u'+' || c == u',';
}

} // namespace

QByteArrayView PartnerRequest::userAgent()
{
    static constexpr QByteArrayView agent("dcs-studio/" DCS_VERSION);
    return agent;
}

PartnerRequest PartnerRequest::build(const PartnerEndpoint &endpoint, const Partner &partner,
                                     const PartnerCall &call,
                                     const std::optional<QByteArray> &secret)
{
    PartnerRequest request;
    if (!endpoint.isValid())
        return request;
    const PartnerEndpoint::Data &e = *endpoint.d;
    request.m_endpoint = endpoint;
    request.m_tmaxMs = call.tmaxMs;
    const NumberText timestamp(call.timestampMs);
    const NumberText tmax(call.tmaxMs);
    const bool post = e.style == Partner::Style::JsonPost;

    if (post) {
        QByteArray &body = request.m_body;
        body.reserve(160 + 2 * (call.tid.size() + call.uuid.size() + call.dpuuid.size()));
        JsonWriter json(body);
        json.beginObject()
            .key(QLatin1StringView("tid")).value(call.tid)
            .key(QLatin1StringView("uuid")).value(call.uuid)
            .key(QLatin1StringView("dpid")).value(call.dpid != 0 ? call.dpid : partner.dpid);
        if (!call.dpuuid.isEmpty())
            json.key(QLatin1StringView("dpuuid")).value(call.dpuuid);
        json.key(QLatin1StringView("tmax")).value(qint64(call.tmaxMs));
        json.key(QLatin1StringView("signals")).beginObject();
        QVarLengthArray<QStringView, 16> sent; // keys are unique by contract; made sure here
        for (const Signal &signal : call.signalList) {
            if (SignalDecoder::isPrivateKey(signal.key)
                || !partner.forwardedKeys.contains(signal.key)
                || std::find(sent.cbegin(), sent.cend(), QStringView(signal.key)) != sent.cend())
                continue;
            sent.append(signal.key);
            json.key(signal.key).beginArray();
            for (const QString &value : signal.values)
                json.value(value);
            json.endArray();
        }
        json.endObject();
        json.key(QLatin1StringView("ts")).value(call.timestampMs).endObject();
        request.m_pathAndQuery = e.literals.constFirst();
    } else {
        QByteArray &path = request.m_pathAndQuery;
        path.reserve(e.pathTemplate.size() + 3 * (call.tid.size() + call.uuid.size()
                                                  + call.dpuuid.size()) + 64);
        for (qsizetype i = 0; i < e.literals.size(); ++i) {
            path += e.literals.at(i);
            if (i == e.macros.size())
                break;
            switch (e.macros.at(i)) {
            case PartnerEndpoint::Macro::Uuid: appendUrlEncoded(path, call.uuid); break;
            case PartnerEndpoint::Macro::DpUuid: appendUrlEncoded(path, call.dpuuid); break;
            case PartnerEndpoint::Macro::Dpid:
                path += NumberText(call.dpid != 0 ? call.dpid : partner.dpid).view();
                break;
            case PartnerEndpoint::Macro::Tid: appendUrlEncoded(path, call.tid); break;
            case PartnerEndpoint::Macro::Tmax: path += tmax.view(); break;
            case PartnerEndpoint::Macro::Ts: path += timestamp.view(); break;
            }
        }
    }

    QByteArray signature;
    if (secret)
        signature = PartnerSigning::signature(*secret, timestamp.view(),
                                              post ? request.m_body : request.m_pathAndQuery);

    QByteArray &wire = request.m_wire;
    wire.reserve(e.head.size() + e.tail.size() + request.m_pathAndQuery.size()
                 + request.m_body.size() + signature.size() + call.tid.size() * 3 + 160);
    if (post) {
        wire += e.head;
        appendLine(wire, "Content-Length: ", NumberText(request.m_body.size()).view());
    } else {
        wire += "GET ";
        wire += request.m_pathAndQuery;
        wire += e.head;
    }
    wire += "X-DCS-Tid: ";
    appendHeaderValue(wire, call.tid);
    wire += "\r\n";
    appendLine(wire, "X-DCS-Timestamp: ", timestamp.view());
    appendLine(wire, "X-DCS-Tmax: ", tmax.view());
    if (!signature.isEmpty()) {
        wire += "X-DCS-Signature: ";
        request.m_signatureOffset = wire.size();
        request.m_signatureLength = signature.size();
        wire += signature;
        wire += "\r\n";
    }
    wire += e.tail;
    wire += request.m_body;
    return request;
}

QByteArrayView PartnerRequest::method() const
{
    if (!isValid())
        return {};
    return m_endpoint.style() == Partner::Style::JsonPost ? QByteArrayView("POST")
                                                          : QByteArrayView("GET");
}

QByteArray PartnerRequest::url() const
{
    QByteArray result = m_endpoint.origin();
    result += m_pathAndQuery;
    return result;
}

QList<PartnerRequest::Header> PartnerRequest::headers() const
{
    QList<Header> result;
    const QByteArrayView wire(m_wire);
    qsizetype start = wire.indexOf("\r\n") + 2; // after the request line
    while (start >= 2 && start < wire.size()) {
        const qsizetype end = wire.indexOf("\r\n", start);
        if (end <= start) // the blank line ends the headers
            break;
        const QByteArrayView line = wire.sliced(start, end - start);
        if (const qsizetype colon = line.indexOf(':'); colon > 0)
            result.append({line.first(colon).toByteArray(),
                           line.sliced(colon + 1).trimmed().toByteArray()});
        start = end + 2;
    }
    return result;
}

QByteArray PartnerRequest::header(QByteArrayView name) const
{
    for (const Header &header : headers()) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

QByteArray PartnerRequest::maskedText() const
{
    if (!isSigned())
        return m_wire;
    QByteArray text = m_wire;
    text.replace(m_signatureOffset, m_signatureLength, PartnerSigning::MaskedSignature);
    return text;
}

QStringList PartnerRequest::curlArguments(bool revealSignature) const
{
    if (!isValid())
        return {};
    // curl takes seconds; 0 would mean "no limit", so never less than a millisecond.
    QStringList arguments = {QStringLiteral("curl"),      QStringLiteral("--silent"),
                             QStringLiteral("--show-error"), QStringLiteral("--include"),
                             QStringLiteral("--globoff"), QStringLiteral("--max-time"),
                             QString::number(qMax(m_tmaxMs, 1) / 1000.0, 'f', 3)};
    for (const Header &header : headers()) {
        const QByteArray &name = header.first;
        if (name == "Host" || name == "Content-Length" || name == "Connection")
            continue;
        QString line = QString::fromLatin1(name);
        line += QStringLiteral(": ");
        if (name == "X-DCS-Signature" && !revealSignature)
            line += QLatin1StringView(PartnerSigning::MaskedSignature);
        else
            line += QString::fromLatin1(header.second);
        arguments << QStringLiteral("--header") << line;
    }
    if (method() == "POST") {
        // Older curls send "Expect: 100-continue" for bodies over 1 KiB; the DCS never does.
        if (m_body.size() > 1024)
            arguments << QStringLiteral("--header") << QStringLiteral("Expect:");
        // The body starts with '{', so --data-binary never reads it as an @file name.
        arguments << QStringLiteral("--data-binary") << QString::fromUtf8(m_body);
    }
    arguments << QString::fromLatin1(url());
    return arguments;
}

QString PartnerRequest::curlCommand(bool revealSignature) const
{
    QString command;
    for (const QString &argument : curlArguments(revealSignature)) {
        if (!command.isEmpty())
            command += u' ';
        command += shellQuote(argument);
    }
    return command;
}

QString PartnerRequest::shellQuote(QStringView argument)
{
    if (!argument.isEmpty() && std::all_of(argument.begin(), argument.end(), isShellSafe))
        return argument.toString();
    // Inside single quotes a POSIX shell takes every character literally, newlines, $ and `
    // included; only the single quote itself needs the close-escape-reopen dance.
    QString quoted;
    quoted.reserve(argument.size() + 2);
    quoted += u'\'';
    for (const QChar c : argument) {
        if (c == u'\'')
            quoted += QStringLiteral("'\\''");
        else
            quoted += c;
    }
    quoted += u'\'';
    return quoted;
}

} // namespace Dcs
