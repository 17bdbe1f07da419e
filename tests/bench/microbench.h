#pragma once

#include "dcs/signaldecoder.h"

#include <QElapsedTimer>
#include <QList>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

// One micro-benchmark case of the bench_* programs: `operation` is timed in rounds of
// `operationsPerRound`; it returns something so that the compiler cannot drop the work.
struct MicroCase
{
    const char *what;
    int operationsPerRound;
    std::function<qsizetype()> operation;
};

// Prints one table row: the name, median and best ns per operation over `rounds` rounds (with
// `decimals` decimals), operations per second, and the last digit of the work's sum.
inline void runMicro(const MicroCase &c, int rounds, int nameWidth, int decimals)
{
    std::vector<double> perOperation;
    qsizetype sink = 0;
    for (int r = 0; r < rounds; ++r) {
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < c.operationsPerRound; ++i)
            sink += c.operation();
        perOperation.push_back(double(timer.nsecsElapsed()) / c.operationsPerRound);
    }
    std::sort(perOperation.begin(), perOperation.end());
    const double median = perOperation.at(perOperation.size() / 2);
    const double best = perOperation.front();
    std::printf("%-*s %10.*f %10.*f %14.0f   (%lld)\n", nameWidth, c.what, decimals, median,
                decimals, best, 1e9 / median, static_cast<long long>(sink % 10));
}

// What a shop page sends through tag.js, plus the h_ keys the DCS adds: 10 keys, two of them
// multi-valued. The call the rule benchmarks evaluate.
inline QList<Dcs::Signal> shopPageSignals()
{
    using namespace Qt::StringLiterals;
    return {
        {u"c_section"_s, {u"sports"_s}},
        {u"c_page"_s, {u"/news/article-42"_s}},
        {u"price"_s, {u"49.99"_s}},
        {u"c_qty"_s, {u"3"_s}},
        {u"c_tags"_s, {u"new"_s, u"running"_s, u"sale"_s}},
        {u"c_category"_s, {u"shoes"_s, u"trail running"_s}},
        {u"d_rtbd"_s, {u"json"_s}},
        {u"h_user-agent"_s,
         {u"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"_s}},
        {u"h_referer"_s, {u"https://shop.example/cart?x=1"_s}},
        {u"h_accept-language"_s, {u"en-US,en;q=0.5"_s}},
    };
}
