#include "dcs/httprequestparser.h"

#include <limits>
#include <utility>

namespace Dcs {

namespace {

// tchar (RFC 9110 §5.6.2): the bytes a method or a header name may contain.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return false;
    for (const char c : bytes) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// field-value bytes (RFC 9110 §5.5): visible ASCII, obs-text, space and tab; no other control.
bool isFieldValue(QByteArrayView bytes)
{
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 ? c != '\t' : u == 0x7f)
            return false;
    }
    return true;
}

// request-target bytes: visible ASCII only, and no fragment.
bool isTargetChars(QByteArrayView bytes)
{
    for (const char c : bytes) {
        if (c < 0x21 || c > 0x7e || c == '#')
            return false;
    }
    return true;
}

// Bytes that are wrong anywhere in a request head, so a line holding one fails at once
// instead of when (if ever) it ends: controls other than tab, CR and LF, DEL, and in the
// request line anything not ASCII.
bool isForbiddenHeadByte(char c, bool requestLine)
{
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20)
        return c != '\t' && c != '\r' && c != '\n';
    return u == 0x7f || (requestLine && u >= 0x80);
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmedOws(QByteArrayView bytes)
{
    while (!bytes.isEmpty() && isOws(bytes.front()))
        bytes = bytes.sliced(1);
    while (!bytes.isEmpty() && isOws(bytes.back()))
        bytes.chop(1);
    return bytes;
}

bool startsWithNoCase(QByteArrayView bytes, QByteArrayView prefix)
{
    return bytes.size() >= prefix.size()
           && bytes.first(prefix.size()).compare(prefix, Qt::CaseInsensitive) == 0;
}

} // namespace

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const HttpHeader &h : headers) {
        if (QByteArrayView(h.name).compare(name, Qt::CaseInsensitive) == 0)
            return h.value.isNull() ? QByteArray("", 0) : h.value;
    }
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView name) const
{
    return !header(name).isNull();
}

bool HttpRequest::headerHasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const HttpHeader &h : headers) {
        if (QByteArrayView(h.name).compare(name, Qt::CaseInsensitive) != 0)
            continue;
        QByteArrayView rest(h.value);
        while (!rest.isEmpty()) {
            const qsizetype comma = rest.indexOf(',');
            const QByteArrayView item = comma < 0 ? rest : rest.first(comma);
            if (trimmedOws(item).compare(token, Qt::CaseInsensitive) == 0)
                return true;
            rest = comma < 0 ? QByteArrayView() : rest.sliced(comma + 1);
        }
    }
    return false;
}

bool HttpRequest::keepAlive() const
{
    const QByteArrayView connection("connection");
    if (headerHasToken(connection, "close"))
        return false;
    if (version == HttpVersion::Http11)
        return true;
    return headerHasToken(connection, "keep-alive");
}

HttpRequestParser::HttpRequestParser()
    : HttpRequestParser(Limits())
{
}

HttpRequestParser::HttpRequestParser(const Limits &limits)
    : m_limits(limits)
    , m_activeLimits(limits)
{
}

void HttpRequestParser::setLimits(const Limits &limits)
{
    m_limits = limits;
    if (m_status == Status::NeedMore && m_headBytes == 0)
        m_activeLimits = limits;
}

HttpRequestParser::Limits HttpRequestParser::limits() const
{
    return m_limits;
}

qsizetype HttpRequestParser::feed(QByteArrayView data)
{
    if (m_status != Status::NeedMore)
        return 0;
    qsizetype consumed = 0;
    if (m_phase != Phase::Body)
        consumed = feedHead(data);
    if (m_status == Status::NeedMore && m_phase == Phase::Body)
        consumed += feedBody(data.sliced(consumed));
    return consumed;
}

bool HttpRequestParser::hasPartialRequest() const
{
    return m_status == Status::NeedMore && m_headBytes > 0;
}

HttpRequest HttpRequestParser::takeRequest()
{
    Q_ASSERT(m_status == Status::Complete);
    HttpRequest request = std::exchange(m_request, HttpRequest());
    reset();
    return request;
}

qsizetype HttpRequestParser::bufferedBytes() const
{
    return m_headBytes + m_request.body.size();
}

void HttpRequestParser::reset()
{
    m_activeLimits = m_limits;
    m_status = Status::NeedMore;
    m_phase = Phase::RequestLine;
    m_request = HttpRequest();
    m_line.clear();
    m_headBytes = 0;
    m_bodyLength = 0;
    m_errorStatus = 0;
    m_errorReason.clear();
}

qsizetype HttpRequestParser::feedHead(QByteArrayView data)
{
    qsizetype pos = 0;
    while (pos < data.size() && m_status == Status::NeedMore && m_phase != Phase::Body) {
        const QByteArrayView rest = data.sliced(pos);
        const qsizetype newline = rest.indexOf('\n');
        const qsizetype take = newline < 0 ? rest.size() : newline + 1;
        // The first problem in byte order wins, however the input was split: a forbidden
        // byte within the limit, else the limit.
        const qsizetype room = qMax<qsizetype>(m_activeLimits.maxHeaderBytes - m_headBytes, 0);
        const bool requestLine = m_phase == Phase::RequestLine;
        for (const char c : rest.first(qMin(take, room))) {
            if (isForbiddenHeadByte(c, requestLine)) {
                fail(400, "control character in request head");
                return pos;
            }
        }
        if (take > room) {
            if (requestLine)
                fail(414, "request line too long");
            else
                fail(431, "request headers too large");
            break;
        }
        m_headBytes += take;
        pos += take;
        if (newline < 0) {
            m_line.append(rest);
            break;
        }
        if (m_line.isEmpty()) {
            parseLine(rest.first(take));
        } else {
            m_line.append(rest.first(take));
            const QByteArray line = std::exchange(m_line, QByteArray());
            parseLine(line);
        }
    }
    return pos;
}

qsizetype HttpRequestParser::feedBody(QByteArrayView data)
{
    const qsizetype take = qMin(data.size(), m_bodyLength - m_request.body.size());
    m_request.body.append(data.first(take));
    if (m_request.body.size() == m_bodyLength)
        m_status = Status::Complete;
    return take;
}

// `line` ends with '\n'.
bool HttpRequestParser::parseLine(QByteArrayView line)
{
    if (line.size() < 2 || line.at(line.size() - 2) != '\r')
        return fail(400, "line not ended by CRLF");
    const QByteArrayView content = line.chopped(2);
    if (m_phase == Phase::RequestLine) {
        // RFC 9112 §2.2: empty lines before a request line are ignored (the head limit
        // still counts them).
        return content.isEmpty() || parseRequestLine(content);
    }
    return content.isEmpty() ? finishHead() : parseHeaderLine(content);
}

bool HttpRequestParser::parseRequestLine(QByteArrayView line)
{
    // method SP request-target SP HTTP-version, single spaces.
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0)
        return fail(400, "malformed request line");
    const QByteArrayView method = line.first(sp1);
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (!isToken(method))
        return fail(400, "malformed method");
    if (target.isEmpty() || !isTargetChars(target))
        return fail(400, "malformed request target");
    if (version.size() != 8 || !version.startsWith("HTTP/") || !isDigit(version.at(5))
        || version.at(6) != '.' || !isDigit(version.at(7))) {
        return fail(400, "malformed HTTP version");
    }
    if (version.at(5) != '1')
        return fail(505, "HTTP version not supported");
    // A higher 1.x minor version is answered as 1.1 (RFC 9110 §6.2).
    m_request.version = version.at(7) == '0' ? HttpVersion::Http10 : HttpVersion::Http11;

    QByteArrayView pathAndQuery;
    if (target.front() == '/') {
        pathAndQuery = target; // origin-form
    } else if (target == "*") {
        if (method != "OPTIONS")
            return fail(400, "asterisk-form target outside OPTIONS");
        pathAndQuery = target;
    } else {
        // absolute-form (RFC 9112 §3.2.2): servers must accept it; the authority is dropped.
        qsizetype schemeEnd = 0;
        if (startsWithNoCase(target, "http://"))
            schemeEnd = 7;
        else if (startsWithNoCase(target, "https://"))
            schemeEnd = 8;
        else
            return fail(400, "malformed request target");
        const QByteArrayView afterScheme = target.sliced(schemeEnd);
        qsizetype authorityEnd = 0;
        while (authorityEnd < afterScheme.size() && afterScheme.at(authorityEnd) != '/'
               && afterScheme.at(authorityEnd) != '?') {
            ++authorityEnd;
        }
        if (authorityEnd == 0)
            return fail(400, "absolute-form target without authority");
        pathAndQuery = afterScheme.sliced(authorityEnd);
    }

    const qsizetype question = pathAndQuery.indexOf('?');
    const QByteArrayView path = question < 0 ? pathAndQuery : pathAndQuery.first(question);
    m_request.method = method.toByteArray();
    m_request.target = target.toByteArray();
    m_request.path = path.isEmpty() ? QByteArrayLiteral("/") : path.toByteArray();
    if (question >= 0)
        m_request.query = pathAndQuery.sliced(question + 1).toByteArray();
    m_phase = Phase::Headers;
    return true;
}

bool HttpRequestParser::parseHeaderLine(QByteArrayView line)
{
    if (isOws(line.front()))
        return fail(400, "obsolete header line folding");
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return fail(400, "malformed header name");
    const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
    if (!isFieldValue(value))
        return fail(400, "control character in header value");
    m_request.headers.append({line.first(colon).toByteArray().toLower(), value.toByteArray()});
    return true;
}

bool HttpRequestParser::finishHead()
{
    int hosts = 0;
    int contentLengths = 0;
    QByteArrayView contentLength;
    QByteArrayView lastTransferCoding;
    bool hasTransferEncoding = false;
    for (const HttpHeader &h : std::as_const(m_request.headers)) {
        if (h.name == "host") {
            ++hosts;
        } else if (h.name == "content-length") {
            ++contentLengths;
            contentLength = h.value;
        } else if (h.name == "transfer-encoding") {
            hasTransferEncoding = true;
            const QByteArrayView value(h.value);
            const qsizetype comma = value.lastIndexOf(',');
            lastTransferCoding = trimmedOws(comma < 0 ? value : value.sliced(comma + 1));
        }
    }

    if (hosts > 1 || (hosts == 0 && m_request.version == HttpVersion::Http11))
        return fail(400, "HTTP/1.1 request needs exactly one Host header");

    if (hasTransferEncoding) {
        if (m_request.version == HttpVersion::Http10)
            return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
        if (contentLengths > 0)
            return fail(400, "both Transfer-Encoding and Content-Length");
        if (lastTransferCoding.compare("chunked", Qt::CaseInsensitive) == 0)
            return fail(411, "chunked body: send Content-Length instead");
        return fail(400, "final transfer coding is not chunked");
    }

    if (contentLengths > 1)
        return fail(400, "more than one Content-Length");
    if (contentLengths == 1) {
        if (contentLength.isEmpty())
            return fail(400, "empty Content-Length");
        // Digits past the limit are still checked but no longer added: no overflow.
        constexpr qint64 saturation = std::numeric_limits<qint64>::max() / 10 - 10;
        qint64 length = 0;
        for (const char c : contentLength) {
            if (!isDigit(c))
                return fail(400, "Content-Length is not a number");
            if (length <= m_activeLimits.maxBodyBytes && length < saturation)
                length = length * 10 + (c - '0');
        }
        if (length > m_activeLimits.maxBodyBytes)
            return fail(413, "body too large");
        m_bodyLength = length;
    }

    if (m_bodyLength == 0) {
        m_status = Status::Complete;
    } else {
        m_phase = Phase::Body;
        m_request.body.reserve(m_bodyLength);
    }
    return true;
}

bool HttpRequestParser::fail(int status, const char *reason)
{
    m_status = Status::Error;
    m_errorStatus = status;
    m_errorReason = QByteArray(reason);
    m_line.clear();
    m_request.body.clear();
    return false;
}

} // namespace Dcs
