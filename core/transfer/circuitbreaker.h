#pragma once

#include <QMutex>
#include <QString>

#include <array>
#include <functional>

namespace Dcs {

// One partner's circuit breaker (partner-protocol.md, "Protection of the DCS"). Closed, it lets
// every call through and counts failures over a sliding window; past the failure ratio it opens
// and then lets through only every Nth call as a probe; a run of successful probes closes it
// again. An admin can force it open (no calls, no probes) or closed (always called), and hand
// it back to the automatic rule. Every change carries its reason, for the monitor and the log.
// Thread-safe; each call holds the mutex for a few arithmetic operations.
class CircuitBreaker
{
public:
    struct Settings
    {
        int windowSeconds = 10;     // failures counted over this sliding window
        int minCalls = 20;          // no opening on fewer calls than this in the window
        double failureRatio = 0.5;  // opens when failures / calls reaches this
        int probeEvery = 10;        // while open, one call in this many is a probe (spec: >= 1/10)
        int probesToClose = 3;      // consecutive successful probes that close it
    };
    enum class State { Closed, Open };
    enum class Override { Automatic, ForcedOpen, ForcedClosed };
    enum class Decision { Call, Probe, Refuse };

    struct Status
    {
        State state = State::Closed;
        Override override = Override::Automatic;
        QString reason = QStringLiteral("closed: no failures yet");
        qint64 sinceMs = 0; // when the state or the override last changed
    };
    using ChangeListener = std::function<void(const Status &)>;

    CircuitBreaker();
    explicit CircuitBreaker(Settings settings);

    Decision decide(qint64 nowMs);
    // The result of a call that decide() let through; `probe` if it was let through as one.
    void record(bool failure, bool probe, qint64 nowMs);
    void setOverride(Override override, qint64 nowMs);
    Status status() const;
    // Runs (outside the breaker's lock) after every change of state or override.
    void setChangeListener(ChangeListener listener);

    static QLatin1StringView stateName(State state);       // "closed", "open"
    static QLatin1StringView overrideName(Override value); // "automatic", "forced-open", ...

private:
    struct Bucket
    {
        qint64 second = -1;
        int calls = 0;
        int failures = 0;
    };
    Bucket &bucketFor(qint64 nowMs);
    void windowTotals(qint64 nowMs, int *calls, int *failures) const;
    void changed(const Status &status); // called with the lock released

    const Settings m_settings;
    mutable QMutex m_mutex;
    Status m_status;
    std::array<Bucket, 60> m_buckets{}; // windowSeconds <= 60
    int m_callsSinceProbe = 0;
    int m_probeSuccesses = 0;
    ChangeListener m_listener;
};

} // namespace Dcs
