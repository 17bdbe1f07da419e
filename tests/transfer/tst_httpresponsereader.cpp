// HttpResponseReader: every framing a partner may use, every limit, every way a hostile or broken
// partner can get it wrong — and the same verdict however TCP splits the bytes.
#include "transfer/httpresponsereader.h"

#include <QList>
#include <QTest>

#include <algorithm>

using namespace Dcs;
using State = HttpResponseReader::State;

Q_DECLARE_METATYPE(Dcs::HttpResponseReader::State)

namespace {

constexpr qsizetype kMaxBody = HttpResponseReader::MaxBodyBytes;
constexpr qsizetype kMaxHead = HttpResponseReader::MaxHeaderBytes;

QByteArray crlf(const QList<QByteArray> &lines)
{
    QByteArray out;
    for (const QByteArray &line : lines)
        out += line + "\r\n";
    return out;
}

// Status line, headers, blank line, then `body` as is.
QByteArray answer(const QByteArray &statusLine, const QList<QByteArray> &headers,
                  const QByteArray &body = {})
{
    return crlf(QList<QByteArray>{statusLine} + headers) + "\r\n" + body;
}

QByteArray lengthAnswer(const QByteArray &body, const QList<QByteArray> &more = {})
{
    return answer("HTTP/1.1 200 OK",
                  QList<QByteArray>{"Content-Length: " + QByteArray::number(body.size())} + more,
                  body);
}

QByteArray chunk(const QByteArray &data)
{
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}

QByteArray chunkedAnswer(const QByteArray &chunks)
{
    return answer("HTTP/1.1 200 OK", {"Transfer-Encoding: chunked"}, chunks);
}

// A head of exactly `size` bytes (status line and headers, without the final blank line).
QByteArray headOfSize(qsizetype size)
{
    QByteArray head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: ";
    head += QByteArray(size - head.size(), 'p');
    return head;
}

const QByteArray kJson = "{\"segments\":[\"123\",\"456\"],\"ttl\":30}";

// What a reader shows after the bytes it got: the whole observable state.
struct Outcome
{
    State state = State::Incomplete;
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QByteArray head;
    bool keepAlive = false;
    bool overLimit = false;
    QString error;

    bool sameExceptKeepAlive(const Outcome &o) const
    {
        // A failed answer's body is whatever came before the failure: not part of the verdict.
        return state == o.state && status == o.status
               && (state == State::Failed || body == o.body) && contentType == o.contentType
               && head == o.head && overLimit == o.overLimit && error == o.error;
    }
    QByteArray describe() const
    {
        return QStringLiteral("state %1 status %2 body %3 bytes keepAlive %4 overLimit %5 "
                              "error \"%6\"")
            .arg(int(state))
            .arg(status)
            .arg(body.size())
            .arg(int(keepAlive))
            .arg(int(overLimit))
            .arg(error)
            .toUtf8();
    }
};

Outcome outcomeOf(const HttpResponseReader &reader)
{
    return {reader.state(), reader.status(),    reader.body(),      reader.contentType(),
            reader.head(),  reader.keepAlive(), reader.overLimit(), reader.error()};
}

Outcome feedPieces(const QList<QByteArrayView> &pieces, bool close)
{
    HttpResponseReader reader;
    for (const QByteArrayView piece : pieces)
        reader.feed(piece);
    if (close)
        reader.finishAtClose();
    return outcomeOf(reader);
}

} // namespace

class tst_HttpResponseReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answers_data();
    void answers();
    void everySplitGivesTheSameResult_data() { answers_data(); }
    void everySplitGivesTheSameResult();
    void nothingChangesOnceDone_data() { answers_data(); }
    void nothingChangesOnceDone();
    void headIsKeptAsReceived();
    void resetReadsTheNextAnswer();
    void finishAtCloseMessages();
};

void tst_HttpResponseReader::answers_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("close"); // finishAtClose() after the input
    QTest::addColumn<State>("state");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<bool>("overLimit");
    QTest::addColumn<QString>("error"); // a part of the error text; empty: no error
    QTest::addColumn<int>("extra");     // bytes after the end of the answer

    const auto ok = [](const char *name, const QByteArray &input, const QByteArray &body,
                       bool keepAlive = true, int status = 200, bool close = false,
                       const QByteArray &contentType = {}, int extra = 0) {
        QTest::newRow(name) << input << close << State::Complete << status << body
                            << contentType << keepAlive << false << QString() << extra;
    };
    const auto failed = [](const char *name, const QByteArray &input, const char *error,
                           bool overLimit = false, int status = 0, bool close = false) {
        QTest::newRow(name) << input << close << State::Failed << status << QByteArray()
                            << QByteArray() << false << overLimit
                            << QString::fromLatin1(error) << 0;
    };

    // Content-Length
    ok("content-length", lengthAnswer(kJson, {"Content-Type: application/json"}), kJson, true,
       200, false, "application/json");
    ok("content-length 0", lengthAnswer({}), {});
    ok("header names in any case",
       answer("HTTP/1.1 200 OK", {"cOnTeNt-LeNgTh: 2", "CONTENT-TYPE: text/plain"}, "ok"), "ok",
       true, 200, false, "text/plain");
    ok("header values trimmed",
       answer("HTTP/1.1 200 OK", {"Content-Length:   2  ", "Content-Type:\ttext/plain "}, "ok"),
       "ok", true, 200, false, "text/plain");
    ok("same content-length twice",
       answer("HTTP/1.1 200 OK", {"Content-Length: 2", "Content-Length: 2"}, "ok"), "ok");
    ok("content-length at the limit", lengthAnswer(QByteArray(kMaxBody, 'b')),
       QByteArray(kMaxBody, 'b'));
    ok("error status with a body", answer("HTTP/1.1 503 Service Unavailable",
                                          {"Content-Length: 4"}, "busy"),
       "busy", true, 503);
    ok("status line without a reason", answer("HTTP/1.1 200", {"Content-Length: 0"}), {});
    failed("conflicting content-lengths",
           answer("HTTP/1.1 200 OK", {"Content-Length: 2", "Content-Length: 3"}, "okk"),
           "bad Content-Length", false, 200);
    failed("negative content-length", answer("HTTP/1.1 200 OK", {"Content-Length: -1"}),
           "bad Content-Length", false, 200);
    failed("content-length not a number", answer("HTTP/1.1 200 OK", {"Content-Length: 1e3"}),
           "bad Content-Length", false, 200);
    failed("content-length over the limit",
           answer("HTTP/1.1 200 OK", {"Content-Length: 65537"}, "x"),
           "answer over 65536 bytes (Content-Length 65537)", true, 200);

    // Chunked
    ok("chunked", chunkedAnswer(chunk("hello") + chunk(" world") + "0\r\n\r\n"), "hello world");
    ok("chunked: upper-case hex, extensions",
       chunkedAnswer("A;name=value\r\n0123456789\r\n0;last=1\r\n\r\n"), "0123456789");
    ok("chunked with trailers",
       chunkedAnswer(chunk("abc") + "0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n"), "abc");
    ok("chunked wins over content-length",
       answer("HTTP/1.1 200 OK", {"Content-Length: 100", "Transfer-Encoding: chunked"},
              chunk("abc") + "0\r\n\r\n"),
       "abc");
    ok("chunked at the limit",
       chunkedAnswer(chunk(QByteArray(kMaxBody - 1, 'c')) + chunk("d") + "0\r\n\r\n"),
       QByteArray(kMaxBody - 1, 'c') + "d");
    failed("bad chunk size", chunkedAnswer("xyz\r\nabc\r\n0\r\n\r\n"), "bad chunk size", false,
           200);
    failed("empty chunk size", chunkedAnswer("\r\nabc\r\n0\r\n\r\n"), "bad chunk size", false,
           200);
    failed("negative chunk size", chunkedAnswer("-5\r\nabc\r\n"), "bad chunk size", false, 200);
    failed("chunk size of 9 hex digits", chunkedAnswer("100000000\r\n"), "bad chunk size",
           false, 200);
    failed("chunk without its CRLF", chunkedAnswer("5\r\nhelloX\r\n0\r\n\r\n"),
           "chunk not followed by CRLF", false, 200);
    failed("chunks over the limit",
           chunkedAnswer(chunk(QByteArray(40000, 'a')) + chunk(QByteArray(40000, 'a'))),
           "answer over 65536 bytes", true, 200);
    failed("one chunk of 4 GiB", chunkedAnswer("FFFFFFFF\r\n"), "answer over 65536 bytes",
           true, 200);
    failed("chunk framing line over its limit",
           chunkedAnswer("5;" + QByteArray(1100, 'x') + "\r\nhello\r\n"),
           "chunk framing line over 1024 bytes", true, 200);
    {
        QByteArray trailers = "0\r\n";
        for (int i = 0; i < 400; ++i)
            trailers += "X-Trailer-" + QByteArray::number(i) + ": " + QByteArray(40, 't')
                        + "\r\n";
        failed("trailers over the head limit", chunkedAnswer(chunk("a") + trailers + "\r\n"),
               "answer trailers over 16384 bytes", true, 200);
    }

    // To the close
    ok("HTTP/1.0 without length, to the close",
       answer("HTTP/1.0 200 OK", {"Content-Type: text/plain"}, "123,456"), "123,456", false,
       200, true, "text/plain");
    ok("HTTP/1.1 without length, to the close", answer("HTTP/1.1 200 OK", {}, "123"), "123",
       false, 200, true);
    ok("to the close at the limit", answer("HTTP/1.1 200 OK", {}, QByteArray(kMaxBody, 'z')),
       QByteArray(kMaxBody, 'z'), false, 200, true);
    ok("transfer coding other than chunked runs to the close",
       answer("HTTP/1.1 200 OK", {"Transfer-Encoding: gzip", "Content-Length: 2"}, "abcd"),
       "abcd", false, 200, true);
    ok("chunked not the last coding runs to the close",
       answer("HTTP/1.1 200 OK", {"Transfer-Encoding: chunked, gzip"}, "abcd"), "abcd", false,
       200, true);
    QTest::newRow("to the close, still open")
        << answer("HTTP/1.1 200 OK", {}, "123") << false << State::Incomplete << 200
        << QByteArray("123") << QByteArray() << false << false << QString() << 0;
    failed("to the close over the limit",
           answer("HTTP/1.1 200 OK", {}, QByteArray(kMaxBody + 1, 'z')),
           "answer over 65536 bytes", true, 200);

    // No body
    ok("204", answer("HTTP/1.1 204 No Content", {}), {}, true, 204);
    ok("204 ignores content-length", answer("HTTP/1.1 204 No Content", {"Content-Length: 10"}),
       {}, true, 204);
    ok("304", answer("HTTP/1.1 304 Not Modified", {"Content-Type: text/plain"}), {}, true, 304,
       false, "text/plain");
    ok("204 then bytes", answer("HTTP/1.1 204 No Content", {}, "hello"), {}, false, 204, false,
       {}, 5);

    // Keep-alive
    ok("Connection: close", lengthAnswer("ok", {"Connection: close"}), "ok", false);
    ok("Connection: Keep-Alive on 1.1", lengthAnswer("ok", {"Connection: Keep-Alive"}), "ok");
    ok("HTTP/1.0 with length", answer("HTTP/1.0 200 OK", {"Content-Length: 2"}, "ok"), "ok",
       false);
    ok("HTTP/1.0 keep-alive",
       answer("HTTP/1.0 200 OK", {"Content-Length: 2", "Connection: keep-alive"}, "ok"), "ok");
    ok("bytes after the answer", lengthAnswer("ok") + "EXTRA", "ok", false, 200, false, {}, 5);
    ok("a second answer after the first", lengthAnswer("ok") + lengthAnswer("no"), "ok", false,
       200, false, {}, int(lengthAnswer("no").size()));
    ok("chunked, then bytes", chunkedAnswer(chunk("a") + "0\r\n\r\n") + "X", "a", false, 200,
       false, {}, 1);

    // Head limits
    ok("head at the limit", headOfSize(kMaxHead) + "\r\n\r\nok", "ok");
    failed("head over the limit", headOfSize(kMaxHead + 1) + "\r\n\r\nok",
           "answer headers over 16384 bytes", true);
    failed("head over the limit, never ending", headOfSize(kMaxHead + 100),
           "answer headers over 16384 bytes", true);
    failed("interim heads count against the head limit",
           answer("HTTP/1.1 100 Continue", {"X-Pad: " + QByteArray(9000, 'p')})
               + answer("HTTP/1.1 200 OK", {"X-Pad: " + QByteArray(9000, 'p')}),
           "answer headers over 16384 bytes", true, 100);

    // Not HTTP, or broken
    failed("garbage", "<html><body>hello</body></html>\r\n\r\n", "not an HTTP/1.x answer");
    failed("HTTP/2 status line", answer("HTTP/2 200", {}), "not an HTTP/1.x answer");
    failed("short status line", answer("HTTP/1.1 20", {}), "not an HTTP/1.x answer");
    failed("status not a number", answer("HTTP/1.1 2x0 OK", {}), "bad status line");
    failed("status of four digits", answer("HTTP/1.1 2000 OK", {"Content-Length: 0"}),
           "bad status line");
    failed("status under 100", answer("HTTP/1.1 099 OK", {}), "bad status line");
    failed("header line without a colon", answer("HTTP/1.1 200 OK", {"NoColonHere"}),
           "malformed header line", false, 200);
    failed("header line with an empty name", answer("HTTP/1.1 200 OK", {": value"}),
           "malformed header line", false, 200);

    // Interim 1xx answers are skipped (RFC 9110 15.2); 101 is not an answer at all
    ok("100 Continue, then the answer",
       answer("HTTP/1.1 100 Continue", {}) + lengthAnswer("ok"), "ok");
    ok("103 and 100, then the answer",
       answer("HTTP/1.1 103 Early Hints", {"Link: </a>"}) + answer("HTTP/1.1 100 Continue", {})
           + answer("HTTP/1.1 204 No Content", {}),
       {}, true, 204);
    failed("101 Switching Protocols", answer("HTTP/1.1 101 Switching Protocols", {}),
           "interim status 101 is not an answer", false, 101);
    failed("only an interim answer, then the close", answer("HTTP/1.1 100 Continue", {}),
           "connection closed by the partner after 25 bytes of the answer", false, 100, true);

    // finishAtClose() before the answer is complete
    failed("closed before any byte", {}, "connection closed by the partner before any answer",
           false, 0, true);
    failed("closed in the head", "HTTP/1.1 200 OK\r\nContent-Le",
           "connection closed by the partner after 27 bytes of the answer", false, 0, true);
    failed("closed in a content-length body", lengthAnswer("hello").chopped(2),
           "connection closed by the partner after 41 bytes of the answer", false, 200, true);
    failed("closed in a chunked body", chunkedAnswer(chunk("hello")),
           "connection closed by the partner after 57 bytes of the answer", false, 200, true);
}

void tst_HttpResponseReader::answers()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, close);
    QFETCH(State, state);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(bool, keepAlive);
    QFETCH(bool, overLimit);
    QFETCH(QString, error);

    HttpResponseReader reader;
    const State fed = reader.feed(input);
    QCOMPARE(reader.state(), fed);
    if (close) {
        const State closed = reader.finishAtClose();
        QCOMPARE(closed, reader.state());
    }
    QCOMPARE(reader.state(), state);
    QCOMPARE(reader.status(), status);
    if (state != State::Failed) // a failed answer's body is whatever came before the failure
        QCOMPARE(reader.body(), body);
    QCOMPARE(reader.contentType(), contentType);
    QCOMPARE(reader.keepAlive(), keepAlive);
    QCOMPARE(reader.overLimit(), overLimit);
    if (error.isEmpty()) {
        QVERIFY2(reader.error().isEmpty(), qPrintable(reader.error()));
    } else {
        QVERIFY2(reader.error().contains(error), qPrintable(reader.error()));
    }
    QVERIFY(reader.body().size() <= HttpResponseReader::MaxBodyBytes);
}

// How TCP cuts the stream must not change the verdict: byte by byte, and in two pieces at every
// position (at a sample of positions for the big rows, which would take minutes otherwise).
void tst_HttpResponseReader::everySplitGivesTheSameResult()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, close);
    QFETCH(int, extra);

    const Outcome whole = feedPieces({input}, close);
    // Where the answer ends exactly at a read's end, the bytes after it come in a later read
    // the reader never sees: then keep-alive is what the headers say.
    const qsizetype answerEnd = input.size() - extra;
    const Outcome exact = feedPieces({QByteArrayView(input).first(answerEnd)}, close);
    const auto check = [&](const Outcome &split, bool endsAtAnswer, const QByteArray &how) {
        const QByteArray context = how + ": " + split.describe() + " vs " + whole.describe();
        QVERIFY2(split.sameExceptKeepAlive(whole), context.constData());
        const bool keepAlive = extra > 0 && endsAtAnswer ? exact.keepAlive : whole.keepAlive;
        QVERIFY2(split.keepAlive == keepAlive, context.constData());
    };

    QList<QByteArrayView> bytes;
    for (qsizetype i = 0; i < input.size(); ++i)
        bytes.append(QByteArrayView(input).sliced(i, 1));
    check(feedPieces(bytes, close), true, "byte by byte");
    if (QTest::currentTestFailed())
        return;

    QList<qsizetype> cuts;
    if (input.size() <= 4096) {
        for (qsizetype k = 0; k <= input.size(); ++k)
            cuts.append(k);
    } else {
        const qsizetype headEnd = input.indexOf("\r\n\r\n");
        for (qsizetype k = 0; k <= input.size(); k += input.size() / 300 + 1)
            cuts.append(k);
        for (const qsizetype around : {qsizetype(0), headEnd, headEnd + 4, answerEnd,
                                       input.size(), kMaxHead, kMaxBody}) {
            for (qsizetype k = around - 6; k <= around + 6; ++k) {
                if (k >= 0 && k <= input.size())
                    cuts.append(k);
            }
        }
    }
    for (const qsizetype k : std::as_const(cuts)) {
        const QByteArrayView view(input);
        check(feedPieces({view.first(k), view.sliced(k)}, close), k == answerEnd,
              "split at " + QByteArray::number(k));
        if (QTest::currentTestFailed())
            return;
    }
}

// Once Complete or Failed, more bytes and a close change nothing (the pool relies on it).
void tst_HttpResponseReader::nothingChangesOnceDone()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, close);

    HttpResponseReader reader;
    reader.feed(input);
    if (close)
        reader.finishAtClose();
    if (reader.state() == State::Incomplete)
        QSKIP("the answer is not done");
    const Outcome before = outcomeOf(reader);
    const qsizetype received = reader.bytesReceived();
    QCOMPARE(reader.feed("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"), before.state);
    QCOMPARE(reader.finishAtClose(), before.state);
    const Outcome after = outcomeOf(reader);
    QVERIFY2(after.sameExceptKeepAlive(before) && after.keepAlive == before.keepAlive,
             after.describe().constData());
    QCOMPARE(reader.bytesReceived(), received);
}

void tst_HttpResponseReader::headIsKeptAsReceived()
{
    HttpResponseReader reader;
    const QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: 2";
    QCOMPARE(reader.feed(QByteArray(head + "\r\n\r\nok")), State::Complete);
    QCOMPARE(reader.head(), head);
    QCOMPARE(reader.bytesReceived(), head.size() + 6);

    // After interim answers, the head is the real answer's.
    HttpResponseReader interim;
    QCOMPARE(interim.feed(QByteArray("HTTP/1.1 100 Continue\r\n\r\n" + head + "\r\n\r\nok")),
             State::Complete);
    QCOMPARE(interim.head(), head);

    // A failed answer keeps the head it got, for the transfer log.
    HttpResponseReader failed;
    QCOMPARE(failed.feed("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"), State::Failed);
    QCOMPARE(failed.head(), QByteArray("HTTP/1.1 200 OK\r\nContent-Length: x"));
}

void tst_HttpResponseReader::resetReadsTheNextAnswer()
{
    HttpResponseReader reader;
    QCOMPARE(reader.feed("nonsense\r\n\r\n"), State::Failed);
    QVERIFY(!reader.error().isEmpty());
    reader.reset();
    QCOMPARE(reader.state(), State::Incomplete);
    QVERIFY(reader.error().isEmpty());
    QCOMPARE(reader.bytesReceived(), qsizetype(0));
    QCOMPARE(reader.feed(lengthAnswer("second")), State::Complete);
    QCOMPARE(reader.body(), QByteArray("second"));
    QVERIFY(reader.keepAlive());
}

// The close's message says how far the answer got: the transfer log shows it as the reason.
void tst_HttpResponseReader::finishAtCloseMessages()
{
    HttpResponseReader nothing;
    QCOMPARE(nothing.finishAtClose(), State::Failed);
    QCOMPARE(nothing.error(), QStringLiteral("connection closed by the partner before any answer"));
    QVERIFY(!nothing.overLimit());
    QVERIFY(!nothing.keepAlive());

    HttpResponseReader partial;
    partial.feed("HTTP/1.1 200 OK\r\n");
    partial.feed("Content-Length: 10\r\n\r\n12345");
    QCOMPARE(partial.finishAtClose(), State::Failed);
    QCOMPARE(partial.error(),
             QStringLiteral("connection closed by the partner after 44 bytes of the answer"));
    QCOMPARE(partial.status(), 200);

    HttpResponseReader toClose;
    toClose.feed("HTTP/1.0 200 OK\r\n\r\n");
    toClose.feed("abc");
    QCOMPARE(toClose.state(), State::Incomplete);
    QCOMPARE(toClose.finishAtClose(), State::Complete);
    QCOMPARE(toClose.body(), QByteArray("abc"));
    QVERIFY(toClose.error().isEmpty());
    QVERIFY(!toClose.keepAlive());

    // An empty body to the close is still an answer.
    HttpResponseReader emptyToClose;
    emptyToClose.feed("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
    QCOMPARE(emptyToClose.finishAtClose(), State::Complete);
    QVERIFY(emptyToClose.body().isEmpty());
}

QTEST_GUILESS_MAIN(tst_HttpResponseReader)
#include "tst_httpresponsereader.moc"
