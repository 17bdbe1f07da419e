#pragma once

#include <QElapsedTimer>

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
