#pragma once

#include <QtGlobal>

namespace Dcs {

// SplitMix64's finalizer: a cheap 64-bit mixing function in which every input bit moves every
// output bit. Not cryptographic. Used where low bits must be well spread (sampling by hash) and
// as the round function of the tid permutation.
constexpr quint64 splitMix64(quint64 x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

} // namespace Dcs
