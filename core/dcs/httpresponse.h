#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace Dcs {

// One HTTP answer. Serialized with a fixed header order and no Date header, so the same answer
// is always the same bytes (tests compare them; caches and diffing tools like that too).
struct HttpResponse
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers; // extra headers, in this order

    HttpResponse &withHeader(const QByteArray &name, const QByteArray &value)
    {
        headers.append({name, value});
        return *this;
    }

    // The full answer. `keepAlive` picks the Connection header; `headOnly` drops the body (HEAD).
    QByteArray serialize(bool keepAlive, bool headOnly) const;

    static HttpResponse text(int status, const QByteArray &body);
    static HttpResponse json(int status, const QByteArray &body);
    // {"error":"<reason phrase>"} with the status's reason phrase.
    static HttpResponse jsonError(int status);
    // The 1x1 transparent GIF that pixel calls expect.
    static HttpResponse transparentGif();
    static QByteArray reasonPhrase(int status);
};

} // namespace Dcs
