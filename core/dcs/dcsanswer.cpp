#include "dcsanswer.h"

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
    if (isIpv4)
        return QHostAddress(ipv4 & 0xffffff00u).toString();
    Q_IPV6ADDR ipv6 = address.toIPv6Address();
    for (int i = 6; i < 16; ++i)
        ipv6[i] = 0;
    return QHostAddress(ipv6).toString();
}

namespace {

QJsonArray idArray(const QList<qint64> &ids)
{
    QJsonArray array;
    for (qint64 id : ids)
        array.append(double(id));
    return array;
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
        QJsonObject answer{
            {QStringLiteral("uuid"), event.identity.uuid},
            {QStringLiteral("dcs_region"), dcsRegion},
            {QStringLiteral("tid"), event.tid},
            {QStringLiteral("stuff"), event.stuff},
        };
        if (event.includeDests)
            answer.insert(QStringLiteral("dests"), event.dests);
        if (event.includeTraits) {
            answer.insert(QStringLiteral("traits"), idArray(event.realizedTraits));
            answer.insert(QStringLiteral("segments"), idArray(event.segmentsHeld));
        }
        if (!event.errors.isEmpty())
            answer.insert(QStringLiteral("errors"), errorsJson(event.errors));
        const QByteArray json = QJsonDocument(answer).toJson(QJsonDocument::Compact);
        if (event.jsonpCallback.isEmpty())
            response = HttpResponse::json(200, json);
        else
            response = HttpResponse{200, QByteArrayLiteral("application/javascript"),
                                    event.jsonpCallback.toLatin1() + '(' + json + ");", {}};
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
