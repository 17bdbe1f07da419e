// libFuzzer target for Dcs::HttpResponseReader (a partner's answer: hostile input).
//
// Input layout: byte 0 picks a split point, the rest is the byte stream a partner sends. The
// stream is fed whole, in two pieces at that point, and (when small) byte by byte; then the
// connection closes. Every run must keep the reader's contract at every step, and the three
// must agree, since how TCP splits a stream must never change its meaning. One difference is
// allowed: keep-alive, when a piece ends exactly where the answer does and more bytes follow
// (the reader never sees those, so it cannot know the connection is out of step).
#include "transfer/httpresponsereader.h"

#include <QByteArray>
#include <QList>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using Dcs::HttpResponseReader;
using State = HttpResponseReader::State;

namespace {

[[noreturn]] void violated(const char *what)
{
    std::fprintf(stderr, "HttpResponseReader contract violated: %s\n", what);
    std::abort();
}

void check(bool ok, const char *what)
{
    if (!ok)
        violated(what);
}

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
    qsizetype bytesReceived = 0;
};

Outcome outcomeOf(const HttpResponseReader &reader)
{
    return {reader.state(),     reader.status(),    reader.body(),  reader.contentType(),
            reader.head(),      reader.keepAlive(), reader.overLimit(), reader.error(),
            reader.bytesReceived()};
}

bool same(const Outcome &a, const Outcome &b)
{
    return a.state == b.state && a.status == b.status && a.body == b.body
           && a.contentType == b.contentType && a.head == b.head && a.keepAlive == b.keepAlive
           && a.overLimit == b.overLimit && a.error == b.error
           && a.bytesReceived == b.bytesReceived;
}

// What must hold whatever bytes came.
void checkState(const HttpResponseReader &reader)
{
    check(reader.body().size() <= HttpResponseReader::MaxBodyBytes, "body over the limit");
    check(reader.head().size() <= HttpResponseReader::MaxHeaderBytes, "head over the limit");
    switch (reader.state()) {
    case State::Complete:
        check(reader.status() >= 200 && reader.status() <= 999, "complete with a 1xx status");
        check(reader.error().isEmpty(), "complete with an error");
        check(!reader.overLimit(), "complete and over the limit");
        if (reader.status() == 204 || reader.status() == 304)
            check(reader.body().isEmpty(), "a body on 204 or 304");
        break;
    case State::Failed:
        check(!reader.error().isEmpty(), "failed without an error");
        check(!reader.keepAlive(), "failed but keep-alive");
        break;
    case State::Incomplete:
        check(reader.error().isEmpty(), "incomplete with an error");
        break;
    }
}

// Once Complete or Failed, nothing changes: more bytes, a close, nothing.
void checkDoneIsFinal(HttpResponseReader &reader)
{
    if (reader.state() == State::Incomplete)
        return;
    const Outcome before = outcomeOf(reader);
    check(reader.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == before.state,
          "feed() after the end changed the state");
    check(reader.finishAtClose() == before.state, "finishAtClose() after the end changed it");
    check(same(outcomeOf(reader), before), "the reader changed after the end");
}

Outcome feedPieces(const QList<QByteArrayView> &pieces)
{
    HttpResponseReader reader;
    for (const QByteArrayView piece : pieces) {
        const State before = reader.state();
        const State state = reader.feed(piece);
        check(state == reader.state(), "feed() returned another state than state()");
        if (before != State::Incomplete)
            check(state == before, "feed() changed a finished reader");
        checkState(reader);
    }
    checkDoneIsFinal(reader);
    const State closed = reader.finishAtClose();
    check(closed == reader.state() && closed != State::Incomplete,
          "finishAtClose() left the answer open");
    checkState(reader);
    checkDoneIsFinal(reader);
    return outcomeOf(reader);
}

// `split` against `whole`: the same verdict, keep-alive aside where allowed (see the top).
void checkAgree(const Outcome &split, const Outcome &whole, qsizetype inputSize)
{
    check(split.state == whole.state, "state depends on how the input was split");
    check(split.status == whole.status, "status depends on how the input was split");
    check(split.error == whole.error, "error depends on how the input was split");
    check(split.overLimit == whole.overLimit, "overLimit depends on how the input was split");
    check(split.contentType == whole.contentType, "type depends on how the input was split");
    check(split.head == whole.head, "head depends on how the input was split");
    if (split.state == State::Complete)
        check(split.body == whole.body, "body depends on how the input was split");
    if (split.keepAlive != whole.keepAlive) {
        check(split.state == State::Complete && split.keepAlive && !whole.keepAlive
                  && split.bytesReceived < inputSize,
              "keep-alive depends on how the input was split");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    const qsizetype cut = input.size() * data[0] / 255;

    const Outcome whole = feedPieces({input});
    checkAgree(feedPieces({input.first(cut), input.sliced(cut)}), whole, input.size());
    if (input.size() <= 4096) {
        QList<QByteArrayView> bytes;
        for (qsizetype i = 0; i < input.size(); ++i)
            bytes.append(input.sliced(i, 1));
        checkAgree(feedPieces(bytes), whole, input.size());
    }

    HttpResponseReader reset;
    reset.feed(input);
    reset.reset();
    check(same(outcomeOf(reset), outcomeOf(HttpResponseReader())), "reset() kept something");
    return 0;
}
