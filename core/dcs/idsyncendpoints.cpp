#include "idsyncendpoints.h"

#include "common/logging.h"
#include "dcsanswer.h"
#include "profiles/identityresolver.h"
#include "signaldecoder.h"
#include "storage/storage.h"
#include "storage/visitorstore.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace Dcs {

namespace {

constexpr int kIdSyncTtlSeconds = 604800;

HttpResponse pixel(const QString &uuid, const QList<DcsError> &errors)
{
    EventContext answer; // a GIF answer carries only the cookie and X-Error
    answer.identity.uuid = uuid;
    answer.errors = errors;
    return DcsAnswer::forEvent(answer, 0);
}

HttpResponse notStored(const QString &why)
{
    qCWarning(lcListener).noquote() << "identity write failed:" << why;
    return HttpResponse::jsonError(503).withHeader(QByteArrayLiteral("Retry-After"),
                                                   QByteArrayLiteral("1"));
}

QString firstValue(const QList<QPair<QString, QString>> &pairs, QStringView key)
{
    for (const auto &pair : pairs) {
        if (pair.first == key)
            return pair.second;
    }
    return {};
}

} // namespace

IdSyncEndpoints::IdSyncEndpoints(Storage &storage, IdentityResolver &identity,
                                 std::function<int()> dcsRegion)
    : m_storage(storage)
    , m_identity(identity)
    , m_dcsRegion(std::move(dcsRegion))
{
}

void IdSyncEndpoints::ibs(const HttpRequest &request, const RequestContext &,
                          Responder respond)
{
    // /ibs:dpid=1955&dpuuid=u-1 (parameters in the path, Adobe's form) or /ibs?dpid=... (ours).
    // In the path form everything after "/ibs:" is parameters, a '?' included: an unencoded
    // redir=http://p.example/x?uid=${DD_UUID} keeps its query.
    const QByteArrayView parameters = request.path.startsWith("/ibs:")
                                          ? QByteArrayView(request.target).sliced(5)
                                          : QByteArrayView(request.query);
    QList<QPair<QString, QString>> pairs;
    QString why;
    const QString cookieUuid = IdentityResolver::uuidFromCookieHeader(request.header("cookie"));
    if (!SignalDecoder::decodeForm(parameters, &pairs, &why)) {
        respond(pixel(cookieUuid, {DcsError{311, QStringLiteral("bad URL encoding: %1").arg(why)}}));
        return;
    }
    DeclaredId id;
    bool ok = false;
    id.dpid = firstValue(pairs, u"dpid").toLongLong(&ok);
    id.id = firstValue(pairs, u"dpuuid");
    if (!ok || id.dpid <= 0 || id.id.isEmpty() || id.id.size() > 255) {
        respond(pixel(cookieUuid, {DcsError{300, QStringLiteral("invalid ID sync: dpid and "
                                                                "dpuuid are required")}}));
        return;
    }
    QString redirect = firstValue(pairs, u"redir");

    QString uuid = cookieUuid;
    if (uuid.isEmpty())
        uuid = VisitorStore::linkedUuid(m_storage.reader(), id.dpid, id.id)
                   .value_or(IdentityResolver::newUuid());
    if (m_identity.isOptedOut(uuid)) {
        respond(pixel(uuid, {DcsError{171, QStringLiteral("opted out")}}));
        return;
    }
    if (!redirect.isEmpty()) {
        redirect.replace(QStringLiteral("${DD_UUID}"), uuid);
        const QUrl url(redirect, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (!url.isValid() || url.host().isEmpty()
            || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
            respond(pixel(uuid, {DcsError{0, QStringLiteral("redir must be an http(s) URL")}}));
            return;
        }
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_storage.writer().submit(
        [id, uuid, now](WriteContext &context, QString *error) {
            return VisitorStore::touchVisitor(context, uuid, now, error)
                   && VisitorStore::link(context, id, uuid, now, error);
        },
        [respond, uuid, redirect](const WriteResult &result) {
            if (!result.ok) {
                respond(notStored(result.error));
                return;
            }
            if (redirect.isEmpty()) {
                respond(pixel(uuid, {}));
                return;
            }
            HttpResponse found{302, {}, {}, {}};
            found.withHeader(QByteArrayLiteral("Location"),
                             QUrl(redirect).toEncoded())
                .withHeader(QByteArrayLiteral("Set-Cookie"),
                            IdentityResolver::setCookieValue(uuid))
                .withHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
            respond(found);
        });
}

void IdSyncEndpoints::id(const HttpRequest &request, const RequestContext &, Responder respond)
{
    const DecodedSignals values = SignalDecoder::decodeEvent(request.query, {}, {});
    if (values.badEncoding) {
        respond(DcsAnswer::ignored({DcsError{311, QStringLiteral("bad URL encoding: %1")
                                                      .arg(values.badEncodingReason)}}));
        return;
    }
    IdentityResult identity = m_identity.resolve(values, request.header("cookie"));
    QList<DcsError> errors = values.warnings + identity.errors;
    QString callback;
    if (const QStringList cb = values.values(u"d_cb"); !cb.isEmpty()) {
        if (DcsAnswer::isValidCallback(cb.first()))
            callback = cb.first();
        else
            errors.append(DcsError{0, QStringLiteral("invalid d_cb")});
    }
    if (identity.optedOut)
        errors.append(DcsError{171, QStringLiteral("opted out")});

    QJsonObject body{{QStringLiteral("d_mid"), identity.uuid},
                     {QStringLiteral("dcs_region"), m_dcsRegion()},
                     {QStringLiteral("id_sync_ttl"), kIdSyncTtlSeconds}};
    if (!errors.isEmpty())
        body.insert(QStringLiteral("errors"), DcsAnswer::errorsJson(errors));
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    HttpResponse answer = callback.isEmpty()
                              ? HttpResponse::json(200, json)
                              : HttpResponse{200, QByteArrayLiteral("application/javascript"),
                                             callback.toLatin1() + '(' + json + ");", {}};
    answer.withHeader(QByteArrayLiteral("Set-Cookie"),
                      IdentityResolver::setCookieValue(identity.uuid))
        .withHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    if (!errors.isEmpty())
        answer.withHeader(QByteArrayLiteral("X-Error"), DcsAnswer::errorHeader(errors));
    if (identity.optedOut) {
        respond(answer);
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_storage.writer().submit(
        [uuid = identity.uuid, links = identity.declaredIds, now](WriteContext &context,
                                                                 QString *error) {
            if (!VisitorStore::touchVisitor(context, uuid, now, error))
                return false;
            for (const DeclaredId &link : links) {
                if (!VisitorStore::link(context, link, uuid, now, error))
                    return false;
            }
            return true;
        },
        [respond, answer](const WriteResult &result) {
            respond(result.ok ? answer : notStored(result.error));
        });
}

void IdSyncEndpoints::optOut(const HttpRequest &request, const RequestContext &,
                             Responder respond)
{
    QList<QPair<QString, QString>> pairs;
    QString why;
    if (!SignalDecoder::decodeForm(request.query, &pairs, &why)) {
        respond(pixel({}, {DcsError{311, QStringLiteral("bad URL encoding: %1").arg(why)}}));
        return;
    }
    QString uuid = firstValue(pairs, u"d_uuid");
    if (!uuid.isEmpty() && !IdentityResolver::isValidUuid(uuid)) {
        respond(pixel({}, {DcsError{102, QStringLiteral("invalid d_uuid: expected 38 digits")}}));
        return;
    }
    if (uuid.isEmpty())
        uuid = IdentityResolver::uuidFromCookieHeader(request.header("cookie"));
    if (uuid.isEmpty()) {
        respond(pixel({}, {DcsError{102, QStringLiteral("no visitor to opt out: give d_uuid "
                                                        "or the demdex cookie")}}));
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_storage.writer().submit(
        [uuid, now](WriteContext &context, QString *error) {
            return VisitorStore::optOut(context, uuid, now, error);
        },
        [this, respond, uuid](const WriteResult &result) {
            if (!result.ok) {
                respond(notStored(result.error));
                return;
            }
            m_identity.markOptedOut(uuid);
            respond(pixel(uuid, {DcsError{171, QStringLiteral("opted out")}}));
        });
}

} // namespace Dcs
