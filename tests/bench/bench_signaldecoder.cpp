// The /event signal decoder on typical calls: nanoseconds per decodeEvent(). Prints a small
// table; asserts nothing. Build in Release to get meaningful numbers.
//
//   build/release/tests/bench/bench_signaldecoder [calls per round [case number]]
//
// Calls per round default to 200000; a case number (1-based) runs that case alone, for a
// profiler (valgrind --tool=callgrind counts instructions however loaded the machine is).
#include "dcs/signaldecoder.h"

#include <QByteArray>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace Dcs;

namespace {

struct Case
{
    const char *what;
    QByteArray query;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
};

// Median and best of `rounds` rounds of `calls` calls, in ns per call.
void run(const Case &c, int calls, int rounds)
{
    std::vector<double> perCall;
    qsizetype sink = 0; // keeps the calls from being optimised away
    for (int r = 0; r < rounds; ++r) {
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < calls; ++i) {
            const DecodedSignals decoded = SignalDecoder::decodeEvent(c.query, c.body, c.headers);
            sink += decoded.signalList.size() + decoded.warnings.size();
        }
        perCall.push_back(double(timer.nsecsElapsed()) / calls);
    }
    std::sort(perCall.begin(), perCall.end());
    std::printf("%-52s %9.0f %9.0f   (%lld)\n", c.what, perCall.at(perCall.size() / 2),
                perCall.front(), static_cast<long long>(sink % 10));
}

} // namespace

int main(int argc, char **argv)
{
    const int calls = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200000;
    const int only = argc > 2 ? std::atoi(argv[2]) : 0;
    const int rounds = 7;

    // What tag.js sends: 6 signals, a percent-encoded path, a 38-digit UUID.
    const QByteArray typical = QByteArrayLiteral(
        "d_rtbd=json&d_cb=dcsCallback_1&c_section=sports&c_page=%2Fnews%2Farticle-42"
        "&d_uuid=06151304227769720433039235178204449977&c_tags=a,b,c");
    const QList<QPair<QByteArray, QByteArray>> browserHeaders = {
        {QByteArrayLiteral("host"), QByteArrayLiteral("dcs.example:8080")},
        {QByteArrayLiteral("user-agent"),
         QByteArrayLiteral("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 "
                           "Firefox/115.0")},
        {QByteArrayLiteral("accept"), QByteArrayLiteral("*/*")},
        {QByteArrayLiteral("accept-language"), QByteArrayLiteral("en-US,en;q=0.5")},
        {QByteArrayLiteral("referer"), QByteArrayLiteral("https://shop.example/cart?x=1")},
        {QByteArrayLiteral("cookie"), QByteArrayLiteral("demdex=0615130422776972043303923")},
    };
    const std::vector<Case> cases = {
        {"typical 6-signal query, no headers", typical, {}, {}},
        {"typical 6-signal query + 4 h_ headers", typical, {}, browserHeaders},
        {"6 signals with UTF-8 and quotes",
         QByteArrayLiteral("c_city=M%C3%BCnchen&c_q=%22a,b%22&c_emoji=%F0%9F%98%80"
                           "&d_rtbd=json&c_x=1&c_x=2"),
         {}, {}},
        {"40 signals in a form body", {},
         [] {
             QByteArray body;
             for (int i = 0; i < 40; ++i)
                 body += "&c_key" + QByteArray::number(i) + "=value" + QByteArray::number(i);
             return body;
         }(),
         {}},
        {"bad encoding (311) at the end", typical + QByteArrayLiteral("&c_bad=%zz"), {}, {}},
    };

    std::printf("%-52s %9s %9s\n", "decodeEvent, ns per call", "median", "best");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (only <= 0 || std::size_t(only) == i + 1)
            run(cases.at(i), calls, rounds);
    }
    return 0;
}
