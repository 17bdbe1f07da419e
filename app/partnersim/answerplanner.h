#pragma once

#include "simanswer.h"
#include "simulatorstate.h"

namespace Dcs {

struct HttpRequest;
struct SimulatorConfig;

// How an answer leaves the simulator, once its latency has passed.
enum class Delivery {
    Whole, // written at once
    Drip,  // written one byte every kDripIntervalMs
    Reset, // about half written, then the connection is reset
    Close, // nothing written; the connection is closed
    Hang,  // nothing, ever; the connection stays open
};

inline constexpr int kDripIntervalMs = 50;

struct AnswerPlan
{
    AnswerKind kind = AnswerKind::Ok;
    SimAnswer answer;
    Delivery delivery = Delivery::Whole;
    int delayMs = 0; // the simulated thinking time before the delivery starts
    bool signatureFailed = false;
};

// Decides the answer to one partner-protocol request (partner-protocol.md, "The call" and
// "The answer"): method, then signature, then the visitor's ids from the JSON body (POST) or the
// query (GET), then one failure draw and one latency draw from the seed and `requestSequence`,
// then the visitor's codes. A pure function: the same inputs give the same plan.
// Requests refused before the draws (405, 401, 400) have no latency.
AnswerPlan planPartnerAnswer(const HttpRequest &request, const SimulatorConfig &config,
                             quint64 requestSequence);

} // namespace Dcs
