#include "simanswer.h"

#include "common/jsonwriter.h"

namespace Dcs {

QByteArray SimAnswer::reasonPhrase(int status)
{
    switch (status) {
    case 200: return QByteArrayLiteral("OK");
    case 204: return QByteArrayLiteral("No Content");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 411: return QByteArrayLiteral("Length Required");
    case 413: return QByteArrayLiteral("Content Too Large");
    case 414: return QByteArrayLiteral("URI Too Long");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 505: return QByteArrayLiteral("HTTP Version Not Supported");
    default: return QByteArrayLiteral("Unknown");
    }
}

QByteArray SimAnswer::serialize(bool keepAlive) const
{
    QByteArray out;
    out.reserve(160 + body.size());
    out.append("HTTP/1.1 ").append(QByteArray::number(status)).append(' ');
    out.append(reasonPhrase(status)).append("\r\nServer: dcs-partner-sim\r\n");
    if (!contentType.isEmpty())
        out.append("Content-Type: ").append(contentType).append("\r\n");
    // RFC 9110 §8.6: no Content-Length in a 204.
    if (status != 204)
        out.append("Content-Length: ").append(QByteArray::number(body.size())).append("\r\n");
    out.append(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    if (status != 204)
        out.append(body);
    return out;
}

SimAnswer SimAnswer::json(int status, const QByteArray &body)
{
    return {status, QByteArrayLiteral("application/json"), body};
}

SimAnswer SimAnswer::text(int status, const QByteArray &body)
{
    return {status, QByteArrayLiteral("text/plain; charset=utf-8"), body};
}

SimAnswer SimAnswer::noContent()
{
    return {204, {}, {}};
}

SimAnswer SimAnswer::error(int status, QStringView message)
{
    QByteArray body;
    JsonWriter(body).beginObject().key(QLatin1StringView("error")).value(message).endObject();
    return json(status, body);
}

} // namespace Dcs
