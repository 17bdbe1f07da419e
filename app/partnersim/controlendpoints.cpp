#include "controlendpoints.h"

#include "dcs/httprequestparser.h"
#include "simulatorstate.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Dcs {

namespace {

SimAnswer configAnswer(const SimulatorConfig &config)
{
    return SimAnswer::json(200, QJsonDocument(configToJson(config)).toJson(QJsonDocument::Compact));
}

SimAnswer changeConfig(const QByteArray &body, SimulatorState &state)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject())
        return SimAnswer::error(400, u"the body must be a JSON object of settings");
    QString error;
    const bool changed = state.editConfig([&](SimulatorConfig &config) {
        return applyConfigChanges(config, document.object(), ConfigKeyStyle::Json, &error);
    });
    if (!changed)
        return SimAnswer::error(400, error);
    return configAnswer(*state.config());
}

} // namespace

bool isControlPath(QByteArrayView path)
{
    return path == "/stats" || path == "/stats/reset" || path == "/config";
}

SimAnswer answerControlRequest(const HttpRequest &request, bool fromLoopback,
                               SimulatorState &state)
{
    state.countControlRequest();
    if (!fromLoopback)
        return SimAnswer::error(403, u"the simulator's control endpoints answer loopback only");
    const bool isGet = request.method == "GET";
    const bool isPost = request.method == "POST";
    if (request.path == "/stats" && isGet)
        return SimAnswer::json(200, state.statsJson());
    if (request.path == "/stats/reset" && isPost) {
        state.resetCounters();
        return SimAnswer::json(200, state.statsJson());
    }
    if (request.path == "/config" && isGet)
        return configAnswer(*state.config());
    if (request.path == "/config" && isPost)
        return changeConfig(request.body, state);
    return SimAnswer::error(405, u"GET /stats, POST /stats/reset, GET or POST /config");
}

} // namespace Dcs
