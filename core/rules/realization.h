#pragma once

#include <QtGlobal>

#include <limits>

namespace Dcs {

inline constexpr qint64 MsPerDay = 86'400'000;

// One realization of a trait by a visitor (rules.md, "Traits"), as the rules engine sees it.
//
// It counts from timeMs (inclusive) until expiresMs (exclusive): at nowMs it is unexpired when
// timeMs <= nowMs < expiresMs. A realization stamped after nowMs has not happened yet at nowMs
// and does not count; this keeps evaluation a pure function of the realizations and the clock,
// which is what replay and "explain at time t" need. The live path realizes a call's traits with
// the call's time and evaluates at that same time, so they count at once.
struct Realization
{
    // expiresMs of a trait with TTL 0, and "no change ever" wherever a time is answered.
    static constexpr qint64 Never = std::numeric_limits<qint64>::max();

    qint64 timeMs = 0;
    qint64 expiresMs = Never;

    bool isExpiredAt(qint64 nowMs) const { return expiresMs <= nowMs; }

    friend bool operator==(const Realization &, const Realization &) = default;
};

// When a realization made at timeMs expires under a trait's TTL (rules.md: "A realization
// expires TTL days after it happened (for TTL 1: at the end of the following UTC day)").
//
// Expiry is the start of the UTC day (realization's UTC day + ttlDays + 1), so a realization
// counts for the rest of its own day and ttlDays whole days after it. Example, TTL 1: realized
// at 2024-03-10T23:59:59.999Z or at 2024-03-10T00:00:00.000Z, it expires at
// 2024-03-12T00:00:00.000Z: it still counts at 2024-03-11T23:59:59.999Z and no longer at
// 2024-03-12T00:00:00.000Z. TTL 120 realized on 2024-03-10 expires at 2024-07-09T00:00Z.
//
// ttlDays 0 means never: returns Realization::Never. A negative TTL cannot be saved (the
// trait editor refuses it); it is treated as 0 rather than as "already expired". A result
// beyond the range of qint64 is Realization::Never too.
qint64 realizationExpiryMs(qint64 timeMs, int ttlDays);

// A realization made at timeMs under ttlDays, with its expiry computed as above.
inline Realization makeRealization(qint64 timeMs, int ttlDays)
{
    return Realization{timeMs, realizationExpiryMs(timeMs, ttlDays)};
}

} // namespace Dcs
