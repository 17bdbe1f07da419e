#include "httpresponse.h"

namespace Dcs {

QByteArray HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 200: return QByteArrayLiteral("OK");
    case 204: return QByteArrayLiteral("No Content");
    case 302: return QByteArrayLiteral("Found");
    case 400: return QByteArrayLiteral("Bad Request");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 411: return QByteArrayLiteral("Length Required");
    case 413: return QByteArrayLiteral("Content Too Large");
    case 414: return QByteArrayLiteral("URI Too Long");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 505: return QByteArrayLiteral("HTTP Version Not Supported");
    default: return QByteArrayLiteral("Error");
    }
}

QByteArray HttpResponse::serialize(bool keepAlive, bool headOnly) const
{
    QByteArray out;
    out.reserve(224 + (headOnly ? 0 : body.size()));
    out.append("HTTP/1.1 ").append(QByteArray::number(status)).append(' ');
    out.append(reasonPhrase(status)).append("\r\nServer: dcs-studio\r\n");
    if (!contentType.isEmpty())
        out.append("Content-Type: ").append(contentType).append("\r\n");
    out.append("Content-Length: ").append(QByteArray::number(body.size())).append("\r\n");
    for (const auto &header : headers)
        out.append(header.first).append(": ").append(header.second).append("\r\n");
    out.append(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    if (!headOnly)
        out.append(body);
    return out;
}

HttpResponse HttpResponse::text(int status, const QByteArray &body)
{
    return {status, QByteArrayLiteral("text/plain; charset=utf-8"), body, {}};
}

HttpResponse HttpResponse::json(int status, const QByteArray &body)
{
    return {status, QByteArrayLiteral("application/json"), body, {}};
}

HttpResponse HttpResponse::jsonError(int status)
{
    return json(status, QByteArrayLiteral("{\"error\":\"") + reasonPhrase(status).toLower()
                            + QByteArrayLiteral("\"}"));
}

HttpResponse HttpResponse::transparentGif()
{
    // GIF89a, 1x1, one transparent colour: the classic 43-byte tracking pixel.
    static const QByteArray gif = QByteArray::fromHex(
        "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b");
    return {200, QByteArrayLiteral("image/gif"), gif,
            {{QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store")}}};
}

} // namespace Dcs
