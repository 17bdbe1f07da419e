#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Dcs {

enum class HttpVersion { Http10, Http11 };

struct HttpHeader
{
    QByteArray name;  // lower-case
    QByteArray value; // surrounding spaces and tabs removed
};

// One complete HTTP/1.x request as the parser hands it over.
struct HttpRequest
{
    QByteArray method;  // case-sensitive token as sent, e.g. "GET"
    QByteArray target;  // request-target as sent, e.g. "/event?c_a=1"
    QByteArray path;    // "/event": up to the first '?', still percent-encoded
    QByteArray query;   // "c_a=1": after the first '?', still percent-encoded
    HttpVersion version = HttpVersion::Http11;
    QList<HttpHeader> headers; // in arrival order
    QByteArray body;

    // First value of the header called `name` (any case); a null QByteArray when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    // Whether `token` (any case) is among the comma-separated values of every `name` header.
    bool headerHasToken(QByteArrayView name, QByteArrayView token) const;
    // Whether the client wants the connection kept open after the answer (RFC 9112 §9.3):
    // HTTP/1.1 unless "Connection: close", HTTP/1.0 only with "Connection: keep-alive".
    bool keepAlive() const;
};

// Incremental HTTP/1.0 and 1.1 request parser. Feed it bytes as they arrive, split anywhere;
// it consumes at most up to the end of the current request, so pipelined requests in one
// buffer come out one at a time, and it never holds more than the limits allow.
//
// Framing is strict because a lenient parser behind or in front of another one is how
// requests get smuggled: lines must end in CRLF, header names are tokens directly followed by
// ':', no obsolete line folding, exactly one Host in HTTP/1.1, at most one Content-Length,
// which must be plain digits. Transfer-Encoding is not decoded: a body in chunked coding is
// answered 411 Length Required, which names the fix (send Content-Length) and is what nginx
// did before it decoded chunked; any other coding, Transfer-Encoding together with
// Content-Length, or Transfer-Encoding in HTTP/1.0 is a 400 (RFC 9112 §6.1, §6.3). The
// data-collection calls this server answers are small and every client it targets (tag.js,
// curl, wrk, QNetworkAccessManager) sends Content-Length for them.
class HttpRequestParser final
{
public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 8192; // request line + headers, CRLFs included
        qsizetype maxBodyBytes = 32768;
    };

    enum class Status {
        NeedMore, // the current request is not complete yet: feed more bytes
        Complete, // takeRequest() hands it over
        Error,    // errorStatus() says which answer to send; then close the connection
    };

    HttpRequestParser();
    explicit HttpRequestParser(const Limits &limits);

    void setLimits(const Limits &limits); // applies from the next request on
    Limits limits() const;

    // Consumes bytes from `data` until the current request is complete, an error is found or
    // `data` runs out; returns how many were consumed. The caller keeps the rest for the next
    // call. Consumes nothing while status() is Complete or Error.
    qsizetype feed(QByteArrayView data);

    Status status() const { return m_status; }
    // True once a byte of a request has been received and the request is not complete yet.
    bool hasPartialRequest() const;
    // Hands over the complete request and gets ready for the next one.
    HttpRequest takeRequest();

    // When status() is Error: 400, 411, 413, 414, 431 or 505, and a short reason for logs.
    int errorStatus() const { return m_errorStatus; }
    QByteArray errorReason() const { return m_errorReason; }

    // Bytes of the current request received and held; never above the two limits' sum.
    qsizetype bufferedBytes() const;

    // Forgets everything, including an error: the parser is ready for a new request.
    void reset();

private:
    enum class Phase { RequestLine, Headers, Body };

    qsizetype feedHead(QByteArrayView data);
    qsizetype feedBody(QByteArrayView data);
    bool parseLine(QByteArrayView line);
    bool parseRequestLine(QByteArrayView line);
    bool parseHeaderLine(QByteArrayView line);
    bool finishHead();
    bool fail(int status, const char *reason);

    Limits m_limits;
    Limits m_activeLimits; // m_limits as they were when the current request started
    Status m_status = Status::NeedMore;
    Phase m_phase = Phase::RequestLine;
    HttpRequest m_request;
    QByteArray m_line;       // a line whose end has not arrived yet
    qsizetype m_headBytes = 0;
    qsizetype m_bodyLength = 0;
    int m_errorStatus = 0;
    QByteArray m_errorReason;
};

} // namespace Dcs
