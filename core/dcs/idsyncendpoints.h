#pragma once

#include "requesthandler.h"

#include <functional>

namespace Dcs {

class Storage;
class IdentityResolver;

// The identity endpoints of dcs-api.md: /ibs (inbound ID sync, path or query form, with
// redir and ${DD_UUID}), /id (the visitor's ID as d_mid) and /demoptout.jpg (opt-out).
// Each answers after its write is durable. Thread-safe.
class IdSyncEndpoints final
{
public:
    IdSyncEndpoints(Storage &storage, IdentityResolver &identity, std::function<int()> dcsRegion);

    void ibs(const HttpRequest &request, const RequestContext &context, Responder respond);
    void id(const HttpRequest &request, const RequestContext &context, Responder respond);
    void optOut(const HttpRequest &request, const RequestContext &context, Responder respond);

private:
    Storage &m_storage;
    IdentityResolver &m_identity;
    std::function<int()> m_dcsRegion;
};

} // namespace Dcs
