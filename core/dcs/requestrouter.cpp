#include "requestrouter.h"

namespace Dcs {

RequestRouter::RequestRouter()
{
    addRoute(QByteArrayLiteral("/healthz"), {QByteArrayLiteral("GET"), QByteArrayLiteral("HEAD")},
             [](const HttpRequest &, const RequestContext &, Responder respond) {
                 respond(HttpResponse{200, QByteArrayLiteral("text/plain"),
                                      QByteArrayLiteral("ok\n"), {}});
             });
}

void RequestRouter::addRoute(const QByteArray &path, const QList<QByteArray> &methods,
                             Endpoint endpoint)
{
    m_routes.append(Route{path, false, methods, std::move(endpoint)});
}

void RequestRouter::addPrefixRoute(const QByteArray &prefix, const QList<QByteArray> &methods,
                                   Endpoint endpoint)
{
    m_routes.append(Route{prefix, true, methods, std::move(endpoint)});
}

void RequestRouter::handle(const HttpRequest &request, const RequestContext &context,
                           Responder respond)
{
    for (const Route &route : std::as_const(m_routes)) {
        const bool matches = route.prefix ? request.path.startsWith(route.path)
                                          : request.path == route.path;
        if (!matches)
            continue;
        if (!route.methods.contains(request.method)) {
            respond(HttpResponse::jsonError(405).withHeader(QByteArrayLiteral("Allow"),
                                                            route.methods.join(", ")));
            return;
        }
        route.endpoint(request, context, std::move(respond));
        return;
    }
    respond(HttpResponse::jsonError(404));
}

} // namespace Dcs
