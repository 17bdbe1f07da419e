#include "dcs/httprequestparser.h"

#include <QRandomGenerator>
#include <QTest>

using Dcs::HttpRequest;
using Dcs::HttpRequestParser;
using Dcs::HttpVersion;
using Status = HttpRequestParser::Status;
using Limits = HttpRequestParser::Limits;

namespace {

// What feeding one input produced, and whether the parser kept its contract on the way.
struct Outcome
{
    QList<HttpRequest> requests;
    Status status = Status::NeedMore;
    int errorStatus = 0;
    bool partial = false;   // hasPartialRequest() at the end
    QByteArray violation;   // empty while the parser kept its contract
};

// Feeds `input` in pieces of `chunk` bytes (all at once when chunk <= 0), taking every
// complete request, until the input ends or the parser reports an error.
Outcome feedInChunks(QByteArrayView input, qsizetype chunk, const Limits &limits)
{
    HttpRequestParser parser(limits);
    Outcome out;
    const qsizetype bound = limits.maxHeaderBytes + limits.maxBodyBytes;
    if (chunk <= 0)
        chunk = qMax<qsizetype>(input.size(), 1);
    for (qsizetype pos = 0; pos < input.size(); pos += chunk) {
        const QByteArrayView piece = input.sliced(pos, qMin(chunk, input.size() - pos));
        qsizetype offset = 0;
        while (offset < piece.size()) {
            const qsizetype left = piece.size() - offset;
            const qsizetype consumed = parser.feed(piece.sliced(offset));
            if (consumed < 0 || consumed > left)
                out.violation = "consumed more than it was given";
            offset += qMax<qsizetype>(consumed, 0);
            if (parser.bufferedBytes() > bound)
                out.violation = "buffered more than the limits";
            if (parser.status() == Status::Error) {
                out.status = Status::Error;
                out.errorStatus = parser.errorStatus();
                if (parser.feed(piece.sliced(qMin(offset, piece.size()))) != 0)
                    out.violation = "consumed input after an error";
                return out;
            }
            if (parser.status() == Status::Complete) {
                if (parser.feed("GET") != 0)
                    out.violation = "consumed input while a request was waiting";
                out.requests.append(parser.takeRequest());
                if (out.requests.constLast().body.size() > limits.maxBodyBytes)
                    out.violation = "body above the limit";
                continue;
            }
            if (consumed != left)
                out.violation = "needs more but left input unconsumed";
        }
    }
    out.status = parser.status();
    out.partial = parser.hasPartialRequest();
    return out;
}

// A literal that may contain NUL bytes, without its terminator.
template<std::size_t N>
QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, qsizetype(N) - 1);
}

QByteArray get(const QByteArray &target, const QByteArray &extraHeaders = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: dcs.test\r\n" + extraHeaders + "\r\n";
}

// A request whose request line plus headers take exactly `headBytes` bytes.
QByteArray requestWithHeadOf(qsizetype headBytes)
{
    const QByteArray start = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: ";
    const QByteArray end = "\r\n\r\n";
    return start + QByteArray(headBytes - start.size() - end.size(), 'p') + end;
}

QByteArray requestLineOf(qsizetype lineBytes) // CRLF included
{
    const QByteArray start = "GET /";
    const QByteArray end = " HTTP/1.1\r\n";
    return start + QByteArray(lineBytes - start.size() - end.size(), 'a') + end;
}

QByteArray postWithBodyOf(qsizetype bodyBytes)
{
    return "POST /event HTTP/1.1\r\nHost: a\r\nContent-Length: "
           + QByteArray::number(bodyBytes) + "\r\n\r\n" + QByteArray(bodyBytes, 'b');
}

} // namespace

class tst_HttpRequestParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void validRequest_data();
    void validRequest();
    void rejected_data();
    void rejected();
    void limits_data();
    void limits();
    void endlessLineStopsAtTheLimit_data();
    void endlessLineStopsAtTheLimit();
    void pipelined_data();
    void pipelined();
    void resetAfterError();
    void setLimitsAppliesToTheNextRequest();
    void headerLookups();
    void randomInputs();
};

void tst_HttpRequestParser::defaults()
{
    const HttpRequestParser parser;
    QCOMPARE(parser.limits().maxHeaderBytes, 8192);
    QCOMPARE(parser.limits().maxBodyBytes, 32768);
    QCOMPARE(parser.status(), Status::NeedMore);
    QVERIFY(!parser.hasPartialRequest());
    QCOMPARE(parser.bufferedBytes(), 0);
}

void tst_HttpRequestParser::validRequest_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<bool>("http11");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("headerName"); // looked up as given: any case
    QTest::addColumn<QByteArray>("headerValue");

    QTest::newRow("GET healthz")
        << get("/healthz") << QByteArray("GET") << QByteArray("/healthz") << QByteArray()
        << true << true << QByteArray() << QByteArray("HOST") << QByteArray("dcs.test");
    QTest::newRow("query kept encoded")
        << get("/event?c_a=1&d_rtbd=json&x=%20") << QByteArray("GET") << QByteArray("/event")
        << QByteArray("c_a=1&d_rtbd=json&x=%20") << true << true << QByteArray()
        << QByteArray("host") << QByteArray("dcs.test");
    QTest::newRow("empty query")
        << get("/e?") << QByteArray("GET") << QByteArray("/e") << QByteArray("") << true
        << true << QByteArray() << QByteArray("Host") << QByteArray("dcs.test");
    QTest::newRow("HTTP/1.0 without Host closes")
        << QByteArray("GET /healthz HTTP/1.0\r\n\r\n") << QByteArray("GET")
        << QByteArray("/healthz") << QByteArray() << false << false << QByteArray()
        << QByteArray("host") << QByteArray();
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("HEAD / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") << QByteArray("HEAD")
        << QByteArray("/") << QByteArray() << false << true << QByteArray()
        << QByteArray("connection") << QByteArray("Keep-Alive");
    QTest::newRow("HTTP/1.1 Connection: close")
        << get("/", "Connection: close\r\n") << QByteArray("GET") << QByteArray("/")
        << QByteArray() << true << false << QByteArray() << QByteArray("Connection")
        << QByteArray("close");
    QTest::newRow("close among other tokens")
        << get("/", "Connection: TE,  CLOSE \r\n") << QByteArray("GET") << QByteArray("/")
        << QByteArray() << true << false << QByteArray() << QByteArray("connection")
        << QByteArray("TE,  CLOSE");
    QTest::newRow("higher 1.x minor is 1.1")
        << QByteArray("GET / HTTP/1.9\r\nHost: a\r\n\r\n") << QByteArray("GET") << QByteArray("/")
        << QByteArray() << true << true << QByteArray() << QByteArray("host") << QByteArray("a");
    QTest::newRow("names any case, spaces around values")
        << QByteArray("GET / HTTP/1.1\r\nhOsT:   a  \r\nX-Custom:\tv a l\t\r\n\r\n")
        << QByteArray("GET") << QByteArray("/") << QByteArray() << true << true << QByteArray()
        << QByteArray("x-CUSTOM") << QByteArray("v a l");
    QTest::newRow("empty header value")
        << get("/", "X-Empty:\r\n") << QByteArray("GET") << QByteArray("/") << QByteArray()
        << true << true << QByteArray() << QByteArray("x-empty") << QByteArray("");
    QTest::newRow("obs-text in a value")
        << get("/", "X-Name: caf\xc3\xa9\x80\r\n") << QByteArray("GET") << QByteArray("/")
        << QByteArray() << true << true << QByteArray() << QByteArray("x-name")
        << QByteArray("caf\xc3\xa9\x80");
    QTest::newRow("POST with body")
        << postWithBodyOf(5) << QByteArray("POST") << QByteArray("/event") << QByteArray()
        << true << true << QByteArray("bbbbb") << QByteArray("content-length")
        << QByteArray("5");
    QTest::newRow("body with CRLF and NUL inside")
        << bytes("POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\na\r\n\0\nb")
        << QByteArray("POST") << QByteArray("/e") << QByteArray() << true << true
        << bytes("a\r\n\0\nb") << QByteArray("content-length") << QByteArray("6");
    QTest::newRow("Content-Length zero, leading zeros")
        << get("/", "Content-Length: 000\r\n") << QByteArray("GET") << QByteArray("/")
        << QByteArray() << true << true << QByteArray() << QByteArray("content-length")
        << QByteArray("000");
    QTest::newRow("empty lines before the request line")
        << QByteArray(QByteArray("\r\n\r\n") + get("/x")) << QByteArray("GET") << QByteArray("/x")
        << QByteArray() << true << true << QByteArray() << QByteArray("host")
        << QByteArray("dcs.test");
    QTest::newRow("absolute-form")
        << get("http://dcs.test:8480/event?d_rtbd=json") << QByteArray("GET")
        << QByteArray("/event") << QByteArray("d_rtbd=json") << true << true << QByteArray()
        << QByteArray("host") << QByteArray("dcs.test");
    QTest::newRow("absolute-form without path")
        << get("HTTPS://dcs.test") << QByteArray("GET") << QByteArray("/") << QByteArray()
        << true << true << QByteArray() << QByteArray("host") << QByteArray("dcs.test");
    QTest::newRow("OPTIONS *")
        << QByteArray("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray("OPTIONS")
        << QByteArray("*") << QByteArray() << true << true << QByteArray()
        << QByteArray("host") << QByteArray("a");
    QTest::newRow("unknown method is the router's business")
        << QByteArray("PURGE /x HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray("PURGE")
        << QByteArray("/x") << QByteArray() << true << true << QByteArray()
        << QByteArray("host") << QByteArray("a");
}

void tst_HttpRequestParser::validRequest()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    QFETCH(bool, http11);
    QFETCH(bool, keepAlive);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);

    const auto check = [&](const Outcome &out, const QByteArray &how) {
        const QByteArray where = "fed " + how;
        QVERIFY2(out.violation.isEmpty(), QByteArray(where + ": " + out.violation).constData());
        QVERIFY2(out.status == Status::NeedMore && !out.partial, where.constData());
        QCOMPARE(out.requests.size(), 1);
        const HttpRequest &request = out.requests.constFirst();
        QCOMPARE(request.method, method);
        QCOMPARE(request.path, path);
        QCOMPARE(request.query, query);
        QCOMPARE(request.version == HttpVersion::Http11, http11);
        QCOMPARE(request.keepAlive(), keepAlive);
        QCOMPARE(request.body, body);
        QCOMPARE(request.header(headerName), headerValue);
        QCOMPARE(request.hasHeader(headerName), !headerValue.isNull());
    };

    check(feedInChunks(input, 0, Limits()), "whole");
    if (QTest::currentTestFailed())
        return;
    check(feedInChunks(input, 1, Limits()), "byte by byte");
    if (QTest::currentTestFailed())
        return;
    // Two pieces, split at every position.
    for (qsizetype split = 0; split <= input.size(); ++split) {
        HttpRequestParser parser;
        const QByteArrayView view(input);
        const qsizetype first = parser.feed(view.first(split));
        QCOMPARE(first, split);
        const qsizetype second = parser.feed(view.sliced(split));
        QCOMPARE(second, input.size() - split);
        QVERIFY2(parser.status() == Status::Complete,
                 QByteArray("split at " + QByteArray::number(split)).constData());
        const HttpRequest request = parser.takeRequest();
        QCOMPARE(request.method, method);
        QCOMPARE(request.target.isEmpty(), false);
        QCOMPARE(request.body, body);
    }
}

void tst_HttpRequestParser::rejected_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");

    const QByteArray host = "Host: a\r\n";
    QTest::newRow("bare LF line ends") << QByteArray("GET / HTTP/1.1\nHost: a\n\n") << 400;
    QTest::newRow("bare LF after headers") << QByteArray("GET / HTTP/1.1\r\nHost: a\n\n") << 400;
    QTest::newRow("bare CR") << QByteArray("GET / HTTP/1.1\rHost: a\r\n\r\n") << 400;
    QTest::newRow("CR inside a value") << get("/", "X: a\rb\r\n") << 400;
    QTest::newRow("NUL in method") << bytes("G\0T / HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("NUL in target") << bytes("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("NUL in name") << bytes("GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n") << 400;
    QTest::newRow("NUL in value") << bytes("GET / HTTP/1.1\r\nHost: \0\r\n\r\n") << 400;
    QTest::newRow("NUL line") << bytes("\0\r\n") << 400;
    QTest::newRow("only binary") << QByteArray("\xff\xfe\x01\x02\r\n") << 400;
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : a\r\n\r\n") << 400;
    QTest::newRow("obsolete folding") << get("/", "X: a\r\n b\r\n") << 400;
    QTest::newRow("header without colon") << get("/", "X a\r\n") << 400;
    QTest::newRow("empty header name") << get("/", ": a\r\n") << 400;
    QTest::newRow("separator in name") << get("/", "X(y): a\r\n") << 400;
    QTest::newRow("missing Host in 1.1") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("two Hosts") << get("/", host) << 400;
    QTest::newRow("two Hosts in 1.0")
        << QByteArray(QByteArray("GET / HTTP/1.0\r\n") + host + host + "\r\n")
                                      << 400;
    QTest::newRow("lower-case version") << QByteArray("GET / http/1.1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("version 1.10") << QByteArray("GET / HTTP/1.10\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("version 1") << QByteArray("GET / HTTP/1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("version 1.x") << QByteArray("GET / HTTP/1.x\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("version HTTPS/1.1") << QByteArray("GET / HTTPS/1.\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("version 2.0") << QByteArray("GET / HTTP/2.0\r\nHost: a\r\n\r\n") << 505;
    QTest::newRow("version 0.9") << QByteArray("GET / HTTP/0.9\r\n\r\n") << 505;
    QTest::newRow("HTTP/0.9 simple request") << QByteArray("GET /\r\n") << 400;
    QTest::newRow("double space") << QByteArray("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("trailing space") << QByteArray("GET / HTTP/1.1 \r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("tab separator") << QByteArray("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("four fields") << QByteArray("GET / x HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("leading space") << QByteArray(" GET / HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("relative target") << get("healthz") << 400;
    QTest::newRow("fragment") << get("/a#b") << 400;
    QTest::newRow("non-ASCII target") << get("/caf\xc3\xa9") << 400;
    QTest::newRow("DEL in target") << get("/a\x7f") << 400;
    QTest::newRow("asterisk outside OPTIONS") << get("*") << 400;
    QTest::newRow("absolute-form, no authority") << get("http:///x") << 400;
    QTest::newRow("other scheme") << get("ftp://a/x") << 400;
    QTest::newRow("negative Content-Length") << get("/", "Content-Length: -1\r\n") << 400;
    QTest::newRow("plus sign Content-Length") << get("/", "Content-Length: +5\r\n") << 400;
    QTest::newRow("hex Content-Length") << get("/", "Content-Length: 0x10\r\n") << 400;
    QTest::newRow("space in Content-Length") << get("/", "Content-Length: 1 0\r\n") << 400;
    QTest::newRow("empty Content-Length") << get("/", "Content-Length:\r\n") << 400;
    QTest::newRow("Content-Length list") << get("/", "Content-Length: 5, 5\r\n") << 400;
    QTest::newRow("duplicate equal Content-Length")
        << get("/", "Content-Length: 5\r\nContent-Length: 5\r\n") << 400;
    QTest::newRow("duplicate differing Content-Length")
        << get("/", "Content-Length: 5\r\nContent-length: 6\r\n") << 400;
    QTest::newRow("overflowing Content-Length")
        << get("/", "Content-Length: 99999999999999999999999999999999\r\n") << 413;
    QTest::newRow("2^64 Content-Length")
        << get("/", "Content-Length: 18446744073709551616\r\n") << 413;
    QTest::newRow("chunked") << get("/", "Transfer-Encoding: chunked\r\n") << 411;
    QTest::newRow("CHUNKED after gzip") << get("/", "Transfer-Encoding: gzip, CHUNKED\r\n") << 411;
    QTest::newRow("chunked in a second header")
        << get("/", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n") << 411;
    QTest::newRow("chunked not last") << get("/", "Transfer-Encoding: chunked, gzip\r\n") << 400;
    QTest::newRow("gzip only") << get("/", "Transfer-Encoding: gzip\r\n") << 400;
    QTest::newRow("empty Transfer-Encoding") << get("/", "Transfer-Encoding:\r\n") << 400;
    QTest::newRow("Transfer-Encoding and Content-Length")
        << get("/", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n") << 400;
    QTest::newRow("Transfer-Encoding in 1.0")
        << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") << 400;
}

void tst_HttpRequestParser::rejected()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);

    for (const qsizetype chunk : {qsizetype(0), qsizetype(1), qsizetype(2), qsizetype(7)}) {
        const Outcome out = feedInChunks(input, chunk, Limits());
        const QByteArray where = "chunk " + QByteArray::number(chunk);
        QVERIFY2(out.violation.isEmpty(), QByteArray(where + ": " + out.violation).constData());
        QVERIFY2(out.requests.isEmpty(), where.constData());
        QVERIFY2(out.status == Status::Error, where.constData());
        QCOMPARE(out.errorStatus, status);
    }
    HttpRequestParser parser;
    parser.feed(input);
    QVERIFY(!parser.errorReason().isEmpty());
    QVERIFY(!parser.hasPartialRequest());
}

void tst_HttpRequestParser::limits_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("maxHeaderBytes");
    QTest::addColumn<int>("maxBodyBytes");
    QTest::addColumn<int>("status"); // 0: one complete request

    QTest::newRow("head exactly 8192") << requestWithHeadOf(8192) << 8192 << 32768 << 0;
    QTest::newRow("head 8193 -> 431") << requestWithHeadOf(8193) << 8192 << 32768 << 431;
    QTest::newRow("head 9 KiB -> 431") << requestWithHeadOf(9 * 1024) << 8192 << 32768 << 431;
    QTest::newRow("request line exactly at the limit")
        << QByteArray(requestLineOf(8192) + "Host: a\r\n\r\n") << 8192 << 32768 << 431;
    QTest::newRow("request line fits, headers don't")
        << QByteArray(requestLineOf(8000) + "Host: a\r\nX: " + QByteArray(200, 'x') + "\r\n\r\n")
        << 8192
        << 32768 << 431;
    QTest::newRow("request line 8193 -> 414") << requestLineOf(8193) << 8192 << 32768 << 414;
    QTest::newRow("request line 1 MB -> 414") << requestLineOf(1 << 20) << 8192 << 32768 << 414;
    QTest::newRow("empty-line flood -> 414") << QByteArray(10000, '\n').replace("\n", "\r\n")
                                             << 8192 << 32768 << 414;
    QTest::newRow("many small headers -> 431")
        << get("/", QByteArray("X: y\r\n").repeated(2000)) << 8192 << 32768 << 431;
    QTest::newRow("body exactly 32768") << postWithBodyOf(32768) << 8192 << 32768 << 0;
    QTest::newRow("body 32769 -> 413") << postWithBodyOf(32769) << 8192 << 32768 << 413;
    QTest::newRow("body 0") << postWithBodyOf(0) << 8192 << 32768 << 0;
    QTest::newRow("small head limit, fits") << requestWithHeadOf(64) << 64 << 16 << 0;
    QTest::newRow("small head limit, 65") << requestWithHeadOf(65) << 64 << 16 << 431;
    QTest::newRow("small body limit, fits") << postWithBodyOf(16) << 128 << 16 << 0;
    QTest::newRow("small body limit, 17") << postWithBodyOf(17) << 128 << 16 << 413;
    QTest::newRow("zero body limit") << postWithBodyOf(1) << 128 << 0 << 413;
}

void tst_HttpRequestParser::limits()
{
    QFETCH(QByteArray, input);
    QFETCH(int, maxHeaderBytes);
    QFETCH(int, maxBodyBytes);
    QFETCH(int, status);

    const Limits limits{maxHeaderBytes, maxBodyBytes};
    for (const qsizetype chunk : {qsizetype(0), qsizetype(1), qsizetype(1000)}) {
        const Outcome out = feedInChunks(input, chunk, limits);
        const QByteArray where = "chunk " + QByteArray::number(chunk);
        QVERIFY2(out.violation.isEmpty(), QByteArray(where + ": " + out.violation).constData());
        if (status == 0) {
            QVERIFY2(out.status == Status::NeedMore, where.constData());
            QCOMPARE(out.requests.size(), 1);
        } else {
            QVERIFY2(out.status == Status::Error, where.constData());
            QCOMPARE(out.errorStatus, status);
            QCOMPARE(out.requests.size(), 0);
        }
    }
}

void tst_HttpRequestParser::endlessLineStopsAtTheLimit_data()
{
    QTest::addColumn<QByteArray>("start");
    QTest::addColumn<int>("status");

    QTest::newRow("request line") << QByteArray("GET /") << 414;
    QTest::newRow("header line") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX: ") << 431;
    QTest::newRow("request line, no space") << QByteArray("GET") << 414;
    // A control byte cannot start anything valid: no need to wait for the limit.
    QTest::newRow("binary") << bytes("\x16\x03\x01\x00") << 400;
    QTest::newRow("NUL in a header") << bytes("GET / HTTP/1.1\r\nX: \0") << 400;
    QTest::newRow("non-ASCII request line") << QByteArray("GET /\xc3\xa9") << 400;
}

// A client that never ends its line: the parser must give up at the limit, holding no more
// than the limit, and not wait for the end.
void tst_HttpRequestParser::endlessLineStopsAtTheLimit()
{
    QFETCH(QByteArray, start);
    QFETCH(int, status);

    const Limits limits{1024, 1024};
    HttpRequestParser parser(limits);
    QVERIFY(parser.feed(start) <= start.size());
    if (status == 400) { // found at once
        QCOMPARE(parser.status(), Status::Error);
        QCOMPARE(parser.errorStatus(), 400);
        return;
    }
    const QByteArray chunk(100, 'z');
    qsizetype fed = start.size();
    while (parser.status() == Status::NeedMore && fed < 1 << 20) {
        const qsizetype consumed = parser.feed(chunk);
        QVERIFY(consumed <= chunk.size());
        QVERIFY(parser.bufferedBytes() <= limits.maxHeaderBytes);
        fed += chunk.size();
    }
    QCOMPARE(parser.status(), Status::Error);
    QCOMPARE(parser.errorStatus(), status);
    QVERIFY2(fed <= limits.maxHeaderBytes + chunk.size(), "error found late");
}

void tst_HttpRequestParser::pipelined_data()
{
    QTest::addColumn<int>("chunk");
    QTest::newRow("one buffer") << 0;
    QTest::newRow("byte by byte") << 1;
    QTest::newRow("5 bytes") << 5;
    QTest::newRow("13 bytes") << 13;
}

void tst_HttpRequestParser::pipelined()
{
    QFETCH(int, chunk);

    const QByteArray input = get("/first") + postWithBodyOf(3)
                             + "HEAD /third?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                             + "GET /partial HTTP/1.1\r\nHo";
    const Outcome out = feedInChunks(input, chunk, Limits());
    QVERIFY2(out.violation.isEmpty(), out.violation.constData());
    QCOMPARE(out.requests.size(), 3);
    QCOMPARE(out.requests.at(0).path, QByteArray("/first"));
    QCOMPARE(out.requests.at(0).body, QByteArray());
    QCOMPARE(out.requests.at(1).method, QByteArray("POST"));
    QCOMPARE(out.requests.at(1).body, QByteArray("bbb"));
    QCOMPARE(out.requests.at(2).method, QByteArray("HEAD"));
    QCOMPARE(out.requests.at(2).query, QByteArray("x=1"));
    QCOMPARE(out.requests.at(2).keepAlive(), false);
    QCOMPARE(out.status, Status::NeedMore);
    QVERIFY(out.partial);

    // The parser stops at the end of each request: the caller keeps the rest.
    HttpRequestParser parser;
    QCOMPARE(parser.feed(input), get("/first").size());
    QCOMPARE(parser.status(), Status::Complete);
    QCOMPARE(parser.takeRequest().path, QByteArray("/first"));

    // A good request followed by a bad one: the first still comes out.
    const Outcome mixed = feedInChunks(QByteArray(get("/ok") + "BAD\r\n\r\n"), chunk, Limits());
    QCOMPARE(mixed.requests.size(), 1);
    QCOMPARE(mixed.status, Status::Error);
    QCOMPARE(mixed.errorStatus, 400);
}

void tst_HttpRequestParser::resetAfterError()
{
    HttpRequestParser parser;
    parser.feed("GET / HTTP/7.0\r\n");
    QCOMPARE(parser.status(), Status::Error);
    QCOMPARE(parser.errorStatus(), 505);
    QCOMPARE(parser.feed(get("/")), 0);
    parser.reset();
    QCOMPARE(parser.status(), Status::NeedMore);
    QCOMPARE(parser.errorStatus(), 0);
    const QByteArray request = get("/again");
    QCOMPARE(parser.feed(request), request.size());
    QCOMPARE(parser.status(), Status::Complete);
    QCOMPARE(parser.takeRequest().path, QByteArray("/again"));
    QCOMPARE(parser.bufferedBytes(), 0);
}

void tst_HttpRequestParser::setLimitsAppliesToTheNextRequest()
{
    HttpRequestParser parser;
    const QByteArray request = postWithBodyOf(100);
    QCOMPARE(parser.feed(QByteArrayView(request).first(20)), 20);
    parser.setLimits({8192, 10}); // the request under way keeps the limits it started with
    QCOMPARE(parser.feed(QByteArrayView(request).sliced(20)), request.size() - 20);
    QCOMPARE(parser.status(), Status::Complete);
    QCOMPARE(parser.takeRequest().body.size(), 100);
    QCOMPARE(parser.limits().maxBodyBytes, 10);
    parser.feed(request);
    QCOMPARE(parser.status(), Status::Error);
    QCOMPARE(parser.errorStatus(), 413);
}

void tst_HttpRequestParser::headerLookups()
{
    HttpRequestParser parser;
    parser.feed(get("/", "Accept: a\r\nX-List: one, Two\r\nX-List: three\r\naccept: b\r\n"));
    QCOMPARE(parser.status(), Status::Complete);
    const HttpRequest request = parser.takeRequest();
    QCOMPARE(request.headers.size(), 5);
    QCOMPARE(request.headers.at(1).name, QByteArray("accept"));
    QCOMPARE(request.header("ACCEPT"), QByteArray("a")); // the first one
    QVERIFY(request.headerHasToken("x-list", "two"));
    QVERIFY(request.headerHasToken("X-List", "THREE"));
    QVERIFY(!request.headerHasToken("x-list", "one, two"));
    QVERIFY(!request.headerHasToken("x-list", "on"));
    QVERIFY(!request.hasHeader("x-missing"));
    QVERIFY(request.header("x-missing").isNull());
}

// Seeded, bounded fuzzing: random bytes, random mixes of HTTP fragments and mutated valid
// requests, fed whole and in random pieces. The parser must keep its contract, stay within
// its limits, and reach the same result however the bytes are split.
void tst_HttpRequestParser::randomInputs()
{
    static const QList<QByteArray> fragments = {
        "GET ", "POST ", "HEAD ", " ", "/", "/healthz", "?a=1", " HTTP/1.1", " HTTP/1.0",
        "\r\n", "\n", "\r", "Host: a", "Content-Length: ", "Content-Length: 5", "0", "7",
        "-", "99999999999999999999", "Transfer-Encoding: chunked", "Connection: close",
        ":", "\t", bytes("\0"), "\xff", "\r\n\r\n", "hello", "#", "*",
    };
    const QList<QByteArray> seeds = {
        get("/healthz"), postWithBodyOf(7), get("/e?x=1", "Connection: close\r\n"),
        QByteArray("GET / HTTP/1.0\r\n\r\n") + get("/p"),
    };
    const Limits limits{256, 64};
    QRandomGenerator rng(20240611);
    int complete = 0;
    int errors = 0;
    for (int i = 0; i < 20000; ++i) {
        QByteArray input;
        switch (i % 3) {
        case 0: {
            input.resize(rng.bounded(600));
            for (char &c : input)
                c = static_cast<char>(rng.bounded(256));
            break;
        }
        case 1: {
            const int parts = rng.bounded(40);
            for (int p = 0; p < parts; ++p)
                input += fragments.at(rng.bounded(int(fragments.size())));
            break;
        }
        default: {
            input = seeds.at(rng.bounded(int(seeds.size())));
            const int edits = 1 + rng.bounded(4);
            for (int e = 0; e < edits && !input.isEmpty(); ++e) {
                const int at = rng.bounded(int(input.size()));
                const char c = "\r\n: \t0-9a\0\xff"[rng.bounded(12)];
                switch (rng.bounded(3)) {
                case 0: input[at] = c; break;
                case 1: input.insert(at, c); break;
                default: input.remove(at, 1); break;
                }
            }
            break;
        }
        }

        const Outcome whole = feedInChunks(input, 0, limits);
        const Outcome pieces = feedInChunks(input, 1 + rng.bounded(17), limits);
        const QByteArray where = "input #" + QByteArray::number(i) + ": "
                                 + input.toPercentEncoding().left(300);
        const QByteArray violations = whole.violation + pieces.violation;
        QVERIFY2(violations.isEmpty(), QByteArray(where + " " + violations).constData());
        QVERIFY2(whole.status == pieces.status, where.constData());
        QVERIFY2(whole.errorStatus == pieces.errorStatus, where.constData());
        QVERIFY2(whole.partial == pieces.partial, where.constData());
        QVERIFY2(whole.requests.size() == pieces.requests.size(), where.constData());
        for (qsizetype r = 0; r < whole.requests.size(); ++r) {
            QVERIFY2(whole.requests.at(r).target == pieces.requests.at(r).target,
                     where.constData());
            QVERIFY2(whole.requests.at(r).body == pieces.requests.at(r).body,
                     where.constData());
        }
        complete += int(whole.requests.size());
        errors += whole.status == Status::Error ? 1 : 0;
    }
    // The generator must reach both sides, or the loop proves little.
    QVERIFY2(complete > 500, QByteArray::number(complete).constData());
    QVERIFY2(errors > 5000, QByteArray::number(errors).constData());
}

QTEST_GUILESS_MAIN(tst_HttpRequestParser)

#include "tst_httprequestparser.moc"
