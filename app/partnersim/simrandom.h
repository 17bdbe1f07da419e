#pragma once

#include "common/bitmix.h"

#include <QByteArrayView>
#include <QtGlobal>

#include <cmath>
#include <numbers>

namespace Dcs {

// SplitMix64 as a generator: small, fast, seedable with any 64-bit value and good enough for
// simulation. Every draw of the simulator comes from one of these, seeded from --seed and a
// request's sequence number or a visitor's id, so a run can be replayed exactly.
class SimRandom final
{
public:
    explicit SimRandom(quint64 seed) : m_state(seed) {}

    quint64 nextU64()
    {
        m_state += kGoldenGamma;
        return splitMix64(m_state);
    }

    // Uniform in [0, 1), 53 random bits.
    double nextUnit() { return double(nextU64() >> 11) * 0x1.0p-53; }

    // Uniform in [0, bound); bound > 0. The modulo bias is below 2^-40 for the bounds used here.
    quint64 nextBelow(quint64 bound) { return nextU64() % bound; }

    // Standard normal, Box-Muller. 1 - nextUnit() is in (0, 1], so the logarithm is finite.
    double nextNormal()
    {
        const double radius = std::sqrt(-2.0 * std::log(1.0 - nextUnit()));
        return radius * std::cos(2.0 * std::numbers::pi * nextUnit());
    }

    static constexpr quint64 kGoldenGamma = 0x9e3779b97f4a7c15ULL;

private:
    quint64 m_state;
};

// FNV-1a over bytes, then mixed: a hash that, unlike qHash, is the same in every process.
constexpr quint64 stableHash(QByteArrayView bytes)
{
    quint64 hash = 0xcbf29ce484222325ULL;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return splitMix64(hash);
}

} // namespace Dcs
