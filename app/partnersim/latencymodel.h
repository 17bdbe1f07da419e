#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace Dcs {

class SimRandom;

// How long the simulated partner thinks before it answers, in milliseconds:
//   fixed:MS             always MS
//   uniform:MIN,MAX      uniform between MIN and MAX
//   lognormal:P50,P99    log-normal with median P50 and 99th percentile P99, the shape real
//                        service latencies have (a body near the median and a long right tail)
struct LatencyModel
{
    enum class Kind { Fixed, Uniform, LogNormal };

    Kind kind = Kind::Fixed;
    double first = 0;  // fixed: the latency; uniform: MIN; lognormal: P50
    double second = 0; // uniform: MAX; lognormal: P99

    // No sample is longer than this, whatever the distribution's tail says.
    static constexpr double kMaxMs = 600000;

    // Parses the text form above; on failure says why in `error`.
    static std::optional<LatencyModel> parse(QStringView text, QString *error);
    // The text form, which parse() reads back.
    QString toString() const;

    double sampleMs(SimRandom &random) const;

    friend bool operator==(const LatencyModel &, const LatencyModel &) = default;
};

} // namespace Dcs
