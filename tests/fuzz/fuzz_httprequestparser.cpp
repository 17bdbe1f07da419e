// libFuzzer target for Dcs::HttpRequestParser.
//
// Input layout: byte 0 picks the limits, bytes 1-3 pick three split points, the rest is the
// byte stream a client sends. The stream is fed once whole and once in the four pieces; both
// runs must keep the parser's documented contract at every step, and must agree on every
// request and on the final state, since how TCP splits a stream must never change its meaning.
#include "dcs/httprequestparser.h"

#include <QByteArray>
#include <QList>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using Dcs::HttpRequest;
using Dcs::HttpRequestParser;
using Status = HttpRequestParser::Status;
using Limits = HttpRequestParser::Limits;

namespace {

[[noreturn]] void violated(const char *what)
{
    std::fprintf(stderr, "HttpRequestParser contract violated: %s\n", what);
    std::abort();
}

void check(bool ok, const char *what)
{
    if (!ok)
        violated(what);
}

struct Outcome
{
    QList<HttpRequest> requests;
    Status status = Status::NeedMore;
    int errorStatus = 0;
    bool partial = false;
};

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

// What a Complete request must look like whatever bytes produced it.
void checkRequest(const HttpRequest &request, const Limits &limits)
{
    check(!request.method.isEmpty(), "empty method");
    for (const char c : request.method)
        check(isTokenChar(c), "method is not a token");
    check(!request.target.isEmpty(), "empty target");
    check(!request.path.isEmpty(), "empty path");
    check(request.body.size() <= limits.maxBodyBytes, "body above the limit");
    int hosts = 0;
    for (const Dcs::HttpHeader &header : request.headers) {
        check(!header.name.isEmpty(), "empty header name");
        check(header.name == header.name.toLower(), "header name not lower-case");
        for (const char c : header.name)
            check(isTokenChar(c), "header name is not a token");
        for (const char c : header.value) {
            const auto u = static_cast<unsigned char>(c);
            check(u >= 0x20 ? u != 0x7f : c == '\t', "control character in a header value");
        }
        if (!header.value.isEmpty()) {
            check(header.value.front() != ' ' && header.value.front() != '\t'
                      && header.value.back() != ' ' && header.value.back() != '\t',
                  "header value not trimmed");
        }
        hosts += header.name == "host" ? 1 : 0;
    }
    if (request.version == Dcs::HttpVersion::Http11)
        check(hosts == 1, "HTTP/1.1 request without exactly one Host");
    const QByteArray length = request.header("content-length");
    if (!length.isNull())
        check(length.toLongLong() == request.body.size(), "body length differs from the header");
    else
        check(request.body.isEmpty(), "body without Content-Length");
    check(!request.hasHeader("transfer-encoding"), "Transfer-Encoding request accepted");
}

// Feeds `pieces` in order, taking every complete request, checking the contract as it goes.
Outcome feedPieces(const std::array<QByteArrayView, 4> &pieces, const Limits &limits)
{
    HttpRequestParser parser(limits);
    Outcome out;
    const qsizetype bound = limits.maxHeaderBytes + limits.maxBodyBytes;
    for (const QByteArrayView piece : pieces) {
        qsizetype offset = 0;
        while (offset < piece.size()) {
            const qsizetype left = piece.size() - offset;
            const qsizetype consumed = parser.feed(piece.sliced(offset));
            check(consumed >= 0 && consumed <= left, "consumed more than it was given");
            offset += consumed;
            check(parser.bufferedBytes() >= 0 && parser.bufferedBytes() <= bound,
                  "buffered more than the limits");
            switch (parser.status()) {
            case Status::Error: {
                const int status = parser.errorStatus();
                check(status == 400 || status == 411 || status == 413 || status == 414
                          || status == 431 || status == 505,
                      "undocumented error status");
                check(!parser.errorReason().isEmpty(), "error without a reason");
                check(!parser.hasPartialRequest(), "partial request after an error");
                check(parser.feed(piece.sliced(offset)) == 0, "consumed input after an error");
                check(parser.feed("GET / HTTP/1.1\r\n") == 0, "consumed input after an error");
                out.status = Status::Error;
                out.errorStatus = status;
                parser.reset();
                check(parser.status() == Status::NeedMore && parser.bufferedBytes() == 0
                          && !parser.hasPartialRequest() && parser.errorStatus() == 0,
                      "reset() did not forget the error");
                return out;
            }
            case Status::Complete: {
                check(!parser.hasPartialRequest(), "partial request while complete");
                check(parser.feed("GET") == 0, "consumed input while a request was waiting");
                HttpRequest request = parser.takeRequest();
                checkRequest(request, limits);
                check(parser.status() == Status::NeedMore && parser.bufferedBytes() == 0
                          && !parser.hasPartialRequest(),
                      "takeRequest() did not get ready for the next request");
                out.requests.append(std::move(request));
                break;
            }
            case Status::NeedMore:
                check(consumed == left, "needs more but left input unconsumed");
                check(parser.errorStatus() == 0, "error status without an error");
                break;
            }
        }
    }
    out.status = parser.status();
    out.partial = parser.hasPartialRequest();
    check(out.partial == (parser.bufferedBytes() > 0), "hasPartialRequest() and bufferedBytes()");
    return out;
}

bool sameRequest(const HttpRequest &a, const HttpRequest &b)
{
    if (a.method != b.method || a.target != b.target || a.path != b.path || a.query != b.query
        || a.version != b.version || a.body != b.body || a.headers.size() != b.headers.size()) {
        return false;
    }
    for (qsizetype i = 0; i < a.headers.size(); ++i) {
        if (a.headers.at(i).name != b.headers.at(i).name
            || a.headers.at(i).value != b.headers.at(i).value) {
            return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 4)
        return 0;
    // Small limits reach the limit paths with small inputs; the defaults are among them.
    static constexpr std::array<qsizetype, 4> headLimits = {8192, 256, 64, 16};
    static constexpr std::array<qsizetype, 4> bodyLimits = {32768, 64, 1, 0};
    const Limits limits{headLimits[data[0] & 3], bodyLimits[(data[0] >> 2) & 3]};

    const QByteArrayView input(reinterpret_cast<const char *>(data) + 4, qsizetype(size) - 4);
    std::array<qsizetype, 3> cuts{};
    for (std::size_t i = 0; i < cuts.size(); ++i)
        cuts[i] = input.size() * data[1 + i] / 255;
    std::sort(cuts.begin(), cuts.end());
    const std::array<QByteArrayView, 4> pieces = {
        input.first(cuts[0]), input.sliced(cuts[0], cuts[1] - cuts[0]),
        input.sliced(cuts[1], cuts[2] - cuts[1]), input.sliced(cuts[2])};

    const Outcome split = feedPieces(pieces, limits);
    const Outcome whole = feedPieces({input, {}, {}, {}}, limits);

    check(split.status == whole.status, "status depends on how the input was split");
    check(split.errorStatus == whole.errorStatus, "error depends on how the input was split");
    check(split.partial == whole.partial, "partial state depends on how the input was split");
    check(split.requests.size() == whole.requests.size(),
          "request count depends on how the input was split");
    for (qsizetype i = 0; i < split.requests.size(); ++i) {
        check(sameRequest(split.requests.at(i), whole.requests.at(i)),
              "a request depends on how the input was split");
    }
    return 0;
}
