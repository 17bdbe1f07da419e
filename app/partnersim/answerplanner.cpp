#include "answerplanner.h"

#include "common/jsonwriter.h"
#include "dcs/httprequestparser.h"
#include "partners/partnersigning.h"
#include "simrandom.h"
#include "simulatorconfig.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <cmath>

namespace Dcs {

namespace {

constexpr quint64 kRequestSalt = 0x2545f4914f6cdd1dULL;
// The huge answer: valid JSON, well over the DCS's 64 KiB answer limit.
constexpr qsizetype kHugeBodyBytes = 100 * 1024;

struct VisitorIds
{
    QString uuid;
    QString dpuuid;
};

// The payload the signature covers: the body for POST, the path and query for GET.
QByteArray signedPayload(const HttpRequest &request)
{
    if (request.method == "POST")
        return request.body;
    QByteArray pathAndQuery = request.path;
    if (request.target.contains('?'))
        pathAndQuery += '?' + request.query;
    return pathAndQuery;
}

std::optional<VisitorIds> idsFromBody(const QByteArray &body, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("the body is not a JSON object");
        return std::nullopt;
    }
    const QJsonObject call = document.object();
    return VisitorIds{call.value(QLatin1StringView("uuid")).toString(),
                      call.value(QLatin1StringView("dpuuid")).toString()};
}

VisitorIds idsFromQuery(const QByteArray &query)
{
    const QUrlQuery parameters(QString::fromUtf8(query));
    return VisitorIds{parameters.queryItemValue(QStringLiteral("uuid"), QUrl::FullyDecoded),
                      parameters.queryItemValue(QStringLiteral("dpuuid"), QUrl::FullyDecoded)};
}

QByteArray codesJson(const VisitorCodes &codes, int ttlDays)
{
    QByteArray body;
    JsonWriter json(body);
    json.beginObject().key(QLatin1StringView("segments")).beginArray();
    for (const QString &code : codes.segments)
        json.value(code);
    json.endArray();
    if (!codes.unsegments.isEmpty()) {
        json.key(QLatin1StringView("unsegments")).beginArray();
        for (const QString &code : codes.unsegments)
            json.value(code);
        json.endArray();
    }
    if (ttlDays > 0)
        json.key(QLatin1StringView("ttl")).value(qint64(ttlDays));
    json.endObject();
    return body;
}

SimAnswer codesAnswer(const VisitorCodes &codes, const SimulatorConfig &config)
{
    if (config.answerStyle == SimulatorConfig::AnswerStyle::Text) {
        // The text style has no way to say "left": only the segments are listed.
        if (codes.segments.isEmpty())
            return SimAnswer::noContent();
        return SimAnswer::text(200, codes.segments.join(QLatin1Char(',')).toUtf8());
    }
    if (codes.isEmpty())
        return SimAnswer::noContent();
    return SimAnswer::json(200, codesJson(codes, config.ttlDays));
}

const QByteArray &hugeBody()
{
    static const QByteArray body = [] {
        QByteArray json = QByteArrayLiteral("{\"segments\":[");
        for (int i = 0; json.size() < kHugeBodyBytes; ++i) {
            if (i > 0)
                json += ',';
            json += "\"huge-" + QByteArray::number(i).rightJustified(6, '0') + '"';
        }
        json += "]}";
        return json;
    }();
    return body;
}

SimAnswer failureAnswer(FailureKind failure, const SimAnswer &normal)
{
    switch (failure) {
    case FailureKind::Http500:
        return SimAnswer::error(500, u"simulated partner failure");
    case FailureKind::Malformed:
        return SimAnswer::json(200, QByteArrayLiteral("{\"segments\":[\"c1\",\"c2\","));
    case FailureKind::BadCodes:
        return SimAnswer::json(200, QByteArrayLiteral("{\"segments\":[\"has space\",\"\","
                                                      "\"<script>\",\"\xc3\xbcml\xc3\xa4ut\",\"")
                                        + QByteArray(65, 'x') + QByteArrayLiteral("\"]}"));
    case FailureKind::Huge:
        return SimAnswer::json(200, hugeBody());
    case FailureKind::Reset:
    case FailureKind::Drip:
        // The visitor's real answer, delivered badly; a 204 has too few bytes to drip or cut.
        return normal.status == 204 ? SimAnswer::json(200, codesJson({}, 0)) : normal;
    case FailureKind::Hang:
    case FailureKind::Close:
        return {};
    }
    return normal;
}

Delivery deliveryOf(FailureKind failure)
{
    switch (failure) {
    case FailureKind::Reset: return Delivery::Reset;
    case FailureKind::Drip: return Delivery::Drip;
    case FailureKind::Hang: return Delivery::Hang;
    case FailureKind::Close: return Delivery::Close;
    case FailureKind::Http500:
    case FailureKind::Malformed:
    case FailureKind::BadCodes:
    case FailureKind::Huge:
        break;
    }
    return Delivery::Whole;
}

AnswerPlan refusal(AnswerKind kind, int status, QStringView message)
{
    AnswerPlan plan;
    plan.kind = kind;
    plan.answer = SimAnswer::error(status, message);
    return plan;
}

} // namespace

AnswerPlan planPartnerAnswer(const HttpRequest &request, const SimulatorConfig &config,
                             quint64 requestSequence)
{
    const bool isPost = request.method == "POST";
    if (!isPost && request.method != "GET")
        return refusal(AnswerKind::BadRequest, 405, u"partner calls are POST or GET");

    if (!config.secret.isEmpty()) {
        const QByteArray timestamp = request.header("x-dcs-timestamp");
        const QByteArray signature = request.header("x-dcs-signature");
        if (timestamp.isEmpty() || signature.isEmpty()) {
            AnswerPlan plan = refusal(AnswerKind::Unauthorized, 401,
                                      u"missing X-DCS-Signature or X-DCS-Timestamp");
            plan.signatureFailed = true;
            return plan;
        }
        if (!PartnerSigning::verify(config.secret, timestamp, signedPayload(request),
                                    signature)) {
            AnswerPlan plan = refusal(AnswerKind::Unauthorized, 401, u"wrong signature");
            plan.signatureFailed = true;
            return plan;
        }
    }

    QString error;
    const std::optional<VisitorIds> ids =
        isPost ? idsFromBody(request.body, &error) : idsFromQuery(request.query);
    if (!ids)
        return refusal(AnswerKind::BadRequest, 400, error);
    if (ids->uuid.isEmpty() && ids->dpuuid.isEmpty())
        return refusal(AnswerKind::BadRequest, 400, u"the call has neither uuid nor dpuuid");

    SimRandom random(splitMix64(config.seed) ^ splitMix64(requestSequence ^ kRequestSalt));
    const std::optional<FailureKind> failure = config.failures.pick(random.nextUnit());
    AnswerPlan plan;
    plan.delayMs = int(std::lround(config.latency.sampleMs(random)));
    plan.answer = codesAnswer(assignCodes(config, ids->uuid, ids->dpuuid), config);
    if (failure) {
        plan.kind = answerKindOf(*failure);
        plan.delivery = deliveryOf(*failure);
        plan.answer = failureAnswer(*failure, plan.answer);
    } else {
        plan.kind = plan.answer.status == 204 ? AnswerKind::Empty : AnswerKind::Ok;
    }
    return plan;
}

} // namespace Dcs
