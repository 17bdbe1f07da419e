#pragma once

#include "failurerates.h"
#include "simulatorconfig.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QLatin1StringView>
#include <QMutex>

#include <array>
#include <atomic>
#include <functional>
#include <memory>

namespace Dcs {

// How the simulator answered a request of the partner protocol.
enum class AnswerKind {
    Ok,    // 200 with codes
    Empty, // 204: the visitor has no codes
    Http500,
    Reset,
    Malformed,
    BadCodes,
    Huge,
    Drip,
    Hang,
    Close,
    Unauthorized, // 401: missing or wrong signature
    BadRequest,   // 4xx: unparsable request or body, wrong method
};

inline constexpr int kAnswerKindCount = 12;

AnswerKind answerKindOf(FailureKind failure);
// The key in /stats: "ok", "empty", the failure kinds' names, "unauthorized", "bad_request".
QLatin1StringView answerKindName(AnswerKind kind);

// A consistent-enough copy of the counters (each is read atomically, not all at one instant).
struct SimulatorStats
{
    quint64 requests = 0; // partner-protocol requests, control endpoints not included
    std::array<quint64, kAnswerKindCount> answers{};
    quint64 signatureFailures = 0;
    quint64 controlRequests = 0; // /stats, /stats/reset, /config
    int inFlight = 0;            // accepted and not answered yet (hangs stay here)
    int connectionsOpen = 0;
    quint64 connectionsAccepted = 0;

    quint64 answered(AnswerKind kind) const { return answers[int(kind)]; }
};

// What the simulator's threads share: the current config and the counters. Thread-safe.
class SimulatorState final
{
public:
    SimulatorState(SimulatorConfig config, int threads);

    std::shared_ptr<const SimulatorConfig> config() const;
    void setConfig(SimulatorConfig config);
    // Read-modify-write of the config, serialized with other edits (two POST /config at once
    // must not lose one); requests keep reading the old config meanwhile. `edit` returns false to
    // leave the config unchanged.
    bool editConfig(const std::function<bool(SimulatorConfig &)> &edit);

    // Numbers the requests, so each one's draws are reproducible from the seed.
    quint64 nextRequestSequence() { return m_requestSequence.fetch_add(1); }

    void countRequest() { ++m_requests; }
    void countAnswer(AnswerKind kind) { ++m_answers[int(kind)]; }
    void countSignatureFailure() { ++m_signatureFailures; }
    void countControlRequest() { ++m_controlRequests; }
    void addInFlight(int delta) { m_inFlight += delta; }
    void connectionOpened()
    {
        ++m_connectionsOpen;
        ++m_connectionsAccepted;
    }
    void connectionClosed() { --m_connectionsOpen; }

    SimulatorStats stats() const;
    // Zeroes the totals; the gauges (in flight, connections open) stay as they are.
    void resetCounters();

    // The /stats answer: the counters, the threads and the latency and failure settings.
    QByteArray statsJson() const;

private:
    const int m_threads;
    QElapsedTimer m_uptime;
    QMutex m_editMutex;           // held across editConfig()
    mutable QMutex m_configMutex; // held only to read or swap m_config
    std::shared_ptr<const SimulatorConfig> m_config;

    std::atomic<quint64> m_requestSequence{0};
    std::atomic<quint64> m_requests{0};
    std::array<std::atomic<quint64>, kAnswerKindCount> m_answers{};
    std::atomic<quint64> m_signatureFailures{0};
    std::atomic<quint64> m_controlRequests{0};
    std::atomic<int> m_inFlight{0};
    std::atomic<int> m_connectionsOpen{0};
    std::atomic<quint64> m_connectionsAccepted{0};
};

} // namespace Dcs
