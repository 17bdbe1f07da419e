#pragma once

#include "requesthandler.h"

#include <QByteArray>
#include <QList>

#include <functional>

namespace Dcs {

// Maps request paths to endpoints. Exact paths, or prefixes for the path-parameter forms
// ("/ibs:dpid=..."). A path with no route answers 404; a route asked with a method it does not
// take answers 405 with Allow. GET and HEAD /healthz are built in. Routes are added before the
// router is handed to the listener; handle() is then read-only and thread-safe.
class RequestRouter final : public RequestHandler
{
public:
    using Endpoint = std::function<void(const HttpRequest &, const RequestContext &, Responder)>;

    RequestRouter();

    void addRoute(const QByteArray &path, const QList<QByteArray> &methods, Endpoint endpoint);
    void addPrefixRoute(const QByteArray &prefix, const QList<QByteArray> &methods,
                        Endpoint endpoint);

    void handle(const HttpRequest &request, const RequestContext &context,
                Responder respond) override;

private:
    struct Route
    {
        QByteArray path;
        bool prefix = false;
        QList<QByteArray> methods;
        Endpoint endpoint;
    };
    QList<Route> m_routes;
};

} // namespace Dcs
