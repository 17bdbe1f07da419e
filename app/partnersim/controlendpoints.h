#pragma once

#include "simanswer.h"

#include <QByteArrayView>

namespace Dcs {

struct HttpRequest;
class SimulatorState;

// The simulator's own endpoints, always on and reserved (a partner endpoint cannot use these
// paths), answered at once and only to loopback clients:
//   GET  /stats         the counters, as JSON (SimulatorState::statsJson())
//   POST /stats/reset   zeroes the counters; answers the zeroed stats
//   GET  /config        the current settings (configToJson())
//   POST /config        changes the settings present in the JSON body (applyConfigChanges());
//                       answers the new settings, or 400 and changes nothing
bool isControlPath(QByteArrayView path);

SimAnswer answerControlRequest(const HttpRequest &request, bool fromLoopback,
                               SimulatorState &state);

} // namespace Dcs
