#pragma once

#include <QtGlobal>

#include <array>
#include <bit>

namespace Dcs {

// The latency bins of the live monitor: HdrHistogram's log-linear layout at about two significant
// digits. Below 64 µs a bin is 1 µs wide, so those values are exact. Above, each power of two is
// split into 32 equal bins, up to 2^26 µs (about 67 s); larger values share the last bin. A bin is
// never wider than 1/32 of its lowest value, so its midpoint is within 1/64 (1.6%) of every value
// in it. 704 bins: fixed memory, and one pass gives any percentile.
namespace LatencyBins {

inline constexpr int kLinearBins = 64;  // 0..63 µs, one bin each
inline constexpr int kBinsPerOctave = 32;
inline constexpr int kLinearExponent = 6; // 2^6 == kLinearBins
inline constexpr int kTopExponent = 26;   // values from 2^26 µs up land in the last bin
inline constexpr int kCount = kLinearBins + (kTopExponent - kLinearExponent) * kBinsPerOctave;

constexpr int binOf(qint64 latencyUs)
{
    if (latencyUs < kLinearBins)
        return latencyUs < 0 ? 0 : int(latencyUs);
    if (latencyUs >= (qint64(1) << kTopExponent))
        return kCount - 1;
    const int exponent = 63 - std::countl_zero(quint64(latencyUs));
    const int shift = exponent - 5; // leaves the value in [32, 64): its bin within the octave + 32
    return kLinearBins + (exponent - kLinearExponent) * kBinsPerOctave
           + int(latencyUs >> shift) - kBinsPerOctave;
}

// The smallest value in `bin` and the bin's width, in microseconds.
constexpr qint64 binLowUs(int bin)
{
    if (bin < kLinearBins)
        return bin;
    const int exponent = kLinearExponent + (bin - kLinearBins) / kBinsPerOctave;
    const int step = (bin - kLinearBins) % kBinsPerOctave;
    return qint64(kBinsPerOctave + step) << (exponent - 5);
}

constexpr qint64 binWidthUs(int bin)
{
    if (bin < kLinearBins)
        return 1;
    return qint64(1) << (kLinearExponent + (bin - kLinearBins) / kBinsPerOctave - 5);
}

// What the monitor reports for a bin: the middle of the whole microseconds it holds.
constexpr double binMidUs(int bin)
{
    return double(binLowUs(bin)) + double(binWidthUs(bin) - 1) / 2.0;
}

} // namespace LatencyBins

// A plain (single-threaded) histogram over LatencyBins, for merging per-second counts into a
// window and reading percentiles. It remembers the range of bins in use so that clear(), merge()
// and quantileUs() touch only that range: latencies cluster, so that is a few dozen bins.
class LatencyHistogram
{
public:
    void add(qint64 latencyUs, quint64 count = 1)
    {
        addToBin(LatencyBins::binOf(latencyUs), count);
    }
    void addToBin(int bin, quint64 count);
    void merge(const LatencyHistogram &other);
    void clear();

    quint64 total() const { return m_total; }
    bool isEmpty() const { return m_total == 0; }
    // The value at quantile q (0..1) by nearest rank: the midpoint of the bin holding the
    // ceil(q × total)-th smallest sample. 0 when empty.
    double quantileUs(double q) const;

private:
    std::array<quint64, LatencyBins::kCount> m_bins{};
    quint64 m_total = 0;
    int m_lowestBin = LatencyBins::kCount; // empty range: lowest > highest
    int m_highestBin = -1;
};

} // namespace Dcs
