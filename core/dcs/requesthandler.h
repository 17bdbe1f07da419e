#pragma once

#include "httprequestparser.h"
#include "httpresponse.h"

#include <QHostAddress>

#include <functional>

namespace Dcs {

struct RequestContext
{
    QHostAddress peer;
    bool tls = false;
};

// Answers one request. Call it exactly once, from any thread, now or later (after a commit, after
// partner answers): the connection sends answers in request order whatever order they come in.
// Calling it after the client went away is harmless.
using Responder = std::function<void(HttpResponse response)>;

// What the listener's worker threads call for each request. Implementations are shared by all
// workers: handle() must be thread-safe and must not block (it runs on a worker's event loop).
class RequestHandler
{
public:
    virtual ~RequestHandler() = default;
    virtual void handle(const HttpRequest &request, const RequestContext &context,
                        Responder respond) = 0;
};

} // namespace Dcs
