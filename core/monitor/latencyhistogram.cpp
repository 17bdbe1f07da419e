#include "latencyhistogram.h"

#include <algorithm>
#include <cmath>

namespace Dcs {

static_assert(LatencyBins::kCount == 704);
static_assert(LatencyBins::binOf(63) == 63 && LatencyBins::binOf(64) == 64);
static_assert(LatencyBins::binOf(127) == 95 && LatencyBins::binOf(128) == 96);
static_assert(LatencyBins::binLowUs(LatencyBins::binOf(1000)) <= 1000
              && 1000 < LatencyBins::binLowUs(LatencyBins::binOf(1000)) + 32);
static_assert(LatencyBins::binOf((qint64(1) << 26) - 1) == LatencyBins::kCount - 1);

void LatencyHistogram::addToBin(int bin, quint64 count)
{
    if (count == 0)
        return;
    m_bins[size_t(bin)] += count;
    m_total += count;
    m_lowestBin = std::min(m_lowestBin, bin);
    m_highestBin = std::max(m_highestBin, bin);
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    for (int bin = other.m_lowestBin; bin <= other.m_highestBin; ++bin)
        addToBin(bin, other.m_bins[size_t(bin)]);
}

void LatencyHistogram::clear()
{
    if (m_highestBin >= m_lowestBin)
        std::fill(m_bins.begin() + m_lowestBin, m_bins.begin() + m_highestBin + 1, quint64(0));
    m_total = 0;
    m_lowestBin = LatencyBins::kCount;
    m_highestBin = -1;
}

double LatencyHistogram::quantileUs(double q) const
{
    if (m_total == 0)
        return 0;
    // The small epsilon keeps 0.99 × 100 at rank 99 despite binary fractions.
    const double exactRank = std::clamp(q, 0.0, 1.0) * double(m_total) - 1e-9;
    const quint64 rank = std::max<quint64>(1, quint64(std::ceil(exactRank)));
    quint64 seen = 0;
    for (int bin = m_lowestBin; bin <= m_highestBin; ++bin) {
        seen += m_bins[size_t(bin)];
        if (seen >= rank)
            return LatencyBins::binMidUs(bin);
    }
    return LatencyBins::binMidUs(m_highestBin);
}

} // namespace Dcs
