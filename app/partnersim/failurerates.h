#pragma once

#include <QLatin1StringView>
#include <QString>
#include <QStringView>

#include <array>
#include <optional>

namespace Dcs {

// The ways the simulated partner misbehaves (partner-protocol.md, "Protection of the DCS from
// its partners"). Each is what the DCS must survive at the cost of that one call only.
enum class FailureKind {
    Http500,   // 500 status
    Reset,     // part of the answer, then the connection is reset (RST)
    Malformed, // 200 application/json whose body is not JSON
    BadCodes,  // 200 JSON with codes outside [A-Za-z0-9_.:-]{1,64}
    Huge,      // 200 JSON of about 100 KiB, over the DCS's 64 KiB limit
    Drip,      // the answer, one byte every 50 ms
    Hang,      // never answered; the connection stays open
    Close,     // the connection is closed without a byte
};

inline constexpr int kFailureKindCount = 8;

// The name used in --fail, /config and /stats.
QLatin1StringView failureKindName(FailureKind kind);
std::optional<FailureKind> failureKindFromName(QStringView name);

// The share of requests that get each failure, each in [0, 1], together at most 1.
class FailureRates final
{
public:
    double rate(FailureKind kind) const { return m_rates[int(kind)]; }
    // False (and nothing changed) when `rate` is outside [0, 1] or the total would exceed 1.
    bool setRate(FailureKind kind, double rate);
    double total() const;

    // Parses "KIND=RATE[,KIND=RATE...]"; an empty text or "none" is no failure at all. Kinds not
    // named get rate 0. On failure says why in `error`.
    static std::optional<FailureRates> parse(QStringView text, QString *error);
    // The text form with the non-zero rates, which parse() reads back; "none" when all are 0.
    QString toString() const;

    // The failure for a request given a uniform draw in [0, 1), or nullopt for a normal answer.
    // The kinds take consecutive slices of [0, total()).
    std::optional<FailureKind> pick(double unitDraw) const;

    friend bool operator==(const FailureRates &, const FailureRates &) = default;

private:
    std::array<double, kFailureKindCount> m_rates{};
};

} // namespace Dcs
