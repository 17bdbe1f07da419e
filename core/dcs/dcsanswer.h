#pragma once

#include "eventcontext.h"
#include "httpresponse.h"

#include <QHostAddress>
#include <QJsonArray>

namespace Dcs::DcsAnswer {

// JSONP callback names: [A-Za-z_$][A-Za-z0-9_$.]{0,63}.
bool isValidCallback(QStringView name);
// "301,309" for the X-Error header.
QByteArray errorHeader(const QList<DcsError> &errors);
QJsonArray errorsJson(const QList<DcsError> &errors);
// IPv4 with its last octet zeroed, IPv6 keeping its first 48 bits.
QString maskAddress(const QHostAddress &address);

// The answer to an /event call (dcs-api.md, "The answer"): JSON, JSONP or the 1x1 GIF, with the
// demdex cookie and X-Error.
HttpResponse forEvent(const EventContext &event, int dcsRegion);
// A call ignored whole (error 311): 200, empty body, X-Error.
HttpResponse ignored(const QList<DcsError> &errors);

} // namespace Dcs::DcsAnswer
