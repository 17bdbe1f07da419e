#include "dcsanswer.h"

#include "common/jsonwriter.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Dcs::DcsAnswer {

bool isValidCallback(QStringView name)
{
    if (name.isEmpty() || name.size() > 64)
        return false;
    const auto isStart = [](QChar c) {
        return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || c == u'_' || c == u'$';
    };
    if (!isStart(name.front()))
        return false;
    for (const QChar c : name.sliced(1)) {
        if (!isStart(c) && !(c >= u'0' && c <= u'9') && c != u'.')
            return false;
    }
    return true;
}

QByteArray errorHeader(const QList<DcsError> &errors)
{
    QByteArray header;
    for (const DcsError &error : errors) {
        if (!header.isEmpty())
            header.append(',');
        header.append(QByteArray::number(error.code));
    }
    return header;
}

static void writeErrors(JsonWriter &json, const QList<DcsError> &errors)
{
    json.beginArray();
    for (const DcsError &error : errors) {
        json.beginObject();
        json.key(QLatin1StringView("code")).value(qint64(error.code));
        json.key(QLatin1StringView("msg")).value(error.message);
        json.endObject();
    }
    json.endArray();
}

QJsonArray errorsJson(const QList<DcsError> &errors)
{
    QJsonArray array;
    for (const DcsError &error : errors)
        array.append(QJsonObject{{QStringLiteral("code"), error.code},
                                 {QStringLiteral("msg"), error.message}});
    return array;
}

QString maskAddress(const QHostAddress &address)
{
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4); // also unwraps ::ffff:a.b.c.d
    if (isIpv4) {
        // Formatted here: QHostAddress::toString() showed in the /event profile.
        QString text;
        text.reserve(15);
        for (int shift = 24; shift >= 8; shift -= 8)
            text += QString::number((ipv4 >> shift) & 0xff) + u'.';
        return text + u'0';
    }
    Q_IPV6ADDR ipv6 = address.toIPv6Address();
    for (int i = 6; i < 16; ++i)
        ipv6[i] = 0;
    return QHostAddress(ipv6).toString();
}

namespace {

void writeIds(JsonWriter &json, const QList<qint64> &ids)
{
    json.beginArray();
    for (qint64 id : ids)
        json.value(id);
    json.endArray();
}

void addCommonHeaders(HttpResponse &response, const QString &uuid,
                      const QList<DcsError> &errors)
{
    if (!uuid.isEmpty())
        response.withHeader(QByteArrayLiteral("Set-Cookie"),
                            IdentityResolver::setCookieValue(uuid));
    if (!errors.isEmpty())
        response.withHeader(QByteArrayLiteral("X-Error"), errorHeader(errors));
    // Answers are per visitor and per call: never cached.
    if (!response.headers.contains({QByteArrayLiteral("Cache-Control"),
                                    QByteArrayLiteral("no-store")}))
        response.withHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
}

} // namespace

HttpResponse forEvent(const EventContext &event, int dcsRegion)
{
    HttpResponse response;
    if (!event.jsonAnswer) {
        response = HttpResponse::transparentGif();
    } else {
        // Written directly: a QJsonObject per answer cost more than the rest of the handler.
        QByteArray body;
        body.reserve(160);
        JsonWriter json(body);
        json.beginObject();
        json.key(QLatin1StringView("uuid")).value(event.identity.uuid);
        json.key(QLatin1StringView("dcs_region")).value(qint64(dcsRegion));
        json.key(QLatin1StringView("tid")).value(event.tid);
        json.key(QLatin1StringView("stuff")).value(event.stuff);
        if (event.includeDests)
            json.key(QLatin1StringView("dests")).value(event.dests);
        if (event.includeTraits) {
            writeIds(json.key(QLatin1StringView("traits")), event.realizedTraits);
            writeIds(json.key(QLatin1StringView("segments")), event.segmentsHeld);
        }
        if (!event.errors.isEmpty())
            writeErrors(json.key(QLatin1StringView("errors")), event.errors);
        json.endObject();
        if (event.jsonpCallback.isEmpty())
            response = HttpResponse::json(200, body);
        else
            response = HttpResponse{200, QByteArrayLiteral("application/javascript"),
                                    event.jsonpCallback.toLatin1() + '(' + body + ");", {}};
    }
    addCommonHeaders(response, event.identity.uuid, event.errors);
    return response;
}

HttpResponse ignored(const QList<DcsError> &errors)
{
    HttpResponse response{200, {}, {}, {}};
    addCommonHeaders(response, {}, errors);
    return response;
}

} // namespace Dcs::DcsAnswer
