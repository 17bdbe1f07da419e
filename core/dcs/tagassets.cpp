#include "tagassets.h"

#include "common/logging.h"
#include "requestrouter.h"

#include <QFile>

namespace Dcs::TagAssets {

namespace {

struct Asset
{
    const char *path;     // the route
    QString resource;     // the file in the :/web resources (tagassets.cmake)
    const char *contentType;
    const char *cacheControl;
};

// Reads a compiled-in file. A missing one is a build mistake (tagassets.cmake not included, or
// the resource object not linked): it is logged, and the route answers 404 rather than nothing.
QByteArray readResource(const QString &name)
{
    QFile file(name);
    if (!file.open(QIODevice::ReadOnly)) {
        qCCritical(lcListener) << "built-in web file missing:" << name;
        return {};
    }
    return file.readAll();
}

} // namespace

void addRoutes(RequestRouter &router)
{
    const Asset assets[] = {
        {"/tag.js", QStringLiteral(":/web/tag.js"), "application/javascript; charset=utf-8",
         "public, max-age=300"},
        {"/dest.html", QStringLiteral(":/web/dest.html"), "text/html; charset=utf-8", "no-store"},
        {"/demo", QStringLiteral(":/web/demo.html"), "text/html; charset=utf-8", "no-cache"},
    };
    for (const Asset &asset : assets) {
        // Read once: the endpoint runs on the listener's worker threads and only copies
        // (implicitly shared) bytes.
        HttpResponse response;
        response.body = readResource(asset.resource);
        if (response.body.isNull()) {
            response = HttpResponse::text(404, QByteArrayLiteral("not built in\n"));
        } else {
            response.contentType = asset.contentType;
            response.withHeader(QByteArrayLiteral("Cache-Control"), asset.cacheControl);
        }
        response.withHeader(QByteArrayLiteral("X-Content-Type-Options"),
                            QByteArrayLiteral("nosniff"));
        router.addRoute(asset.path, {QByteArrayLiteral("GET"), QByteArrayLiteral("HEAD")},
                        [response](const HttpRequest &, const RequestContext &,
                                   Responder respond) { respond(response); });
    }
}

} // namespace Dcs::TagAssets
