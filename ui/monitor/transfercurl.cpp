#include "transfercurl.h"

#include "dcs/dcsserver.h"
#include "partners/partnerendpoint.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "transfer/transferengine.h"
#include "transfercolumns.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QGuiApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QThread>

#include <memory>

namespace Dcs::TransferCurl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::TransferCurl", text);
}

// A request as the monitor keeps it: request line, headers, body (maybe cut short).
struct RequestText
{
    QByteArray method;
    QByteArray target; // path and query
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
};

std::optional<RequestText> parseRequest(const QByteArray &text)
{
    const qsizetype headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return std::nullopt; // cut inside the head
    const QList<QByteArray> lines = text.first(headEnd).split('\n');
    const QList<QByteArray> requestLine = lines.constFirst().trimmed().split(' ');
    if (requestLine.size() != 3)
        return std::nullopt;
    RequestText request;
    request.method = requestLine.at(0);
    request.target = requestLine.at(1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            request.headers.insert(line.first(colon).trimmed().toLower(),
                                   line.sliced(colon + 1).trimmed());
    }
    request.body = text.sliced(headEnd + 4);
    bool numeric = false;
    const qsizetype length = request.headers.value("content-length").toLongLong(&numeric);
    if (numeric && request.body.size() < length)
        return std::nullopt; // the body was cut by the sample's size bound
    return request;
}

// The macro values a get-template endpoint put into `target`, by macro name ("UUID", ...).
std::optional<QHash<QString, QString>> templateValues(const Partner &partner,
                                                      const QByteArray &target)
{
    const QString pathTemplate
        = QString::fromLatin1(PartnerEndpoint::forPartner(partner).pathTemplate());
    static const QRegularExpression macro(
        QStringLiteral(R"(\$\{(UUID|DPUUID|DPID|TID|TMAX|TS)\})"));
    QString pattern = QStringLiteral("^");
    QStringList names;
    qsizetype last = 0;
    for (const QRegularExpressionMatch &match : macro.globalMatch(pathTemplate)) {
        pattern += QRegularExpression::escape(
            pathTemplate.mid(last, match.capturedStart() - last));
        pattern += QStringLiteral("([^/?&#]*)"); // values are percent-encoded: no delimiters
        names.append(match.captured(1));
        last = match.capturedEnd();
    }
    pattern += QRegularExpression::escape(pathTemplate.mid(last));
    pattern += u'$';
    const QRegularExpressionMatch found
        = QRegularExpression(pattern).match(QString::fromLatin1(target));
    if (!found.hasMatch())
        return std::nullopt; // the endpoint changed since the call
    QHash<QString, QString> values;
    for (qsizetype i = 0; i < names.size(); ++i)
        values.insert(names.at(i), QString::fromUtf8(QByteArray::fromPercentEncoding(
                                       found.captured(int(i) + 1).toLatin1())));
    return values;
}

} // namespace

std::optional<PartnerCall> callFromRequestText(const TransferRecord &record,
                                               const Partner &partner)
{
    if (record.requestText.isEmpty())
        return std::nullopt;
    const std::optional<RequestText> request = parseRequest(record.requestText);
    if (!request)
        return std::nullopt;
    PartnerCall call;
    call.tid = record.tid;
    call.uuid = record.uuid;
    bool numeric = false;
    call.timestampMs = request->headers.value("x-dcs-timestamp").toLongLong(&numeric);
    if (!numeric)
        call.timestampMs = record.startMs;
    call.tmaxMs = request->headers.value("x-dcs-tmax").toInt(&numeric);
    if (!numeric)
        call.tmaxMs = record.budgetMs;

    const bool post = partner.style == Partner::Style::JsonPost;
    if (request->method != (post ? QByteArrayView("POST") : QByteArrayView("GET")))
        return std::nullopt; // the partner's style changed since the call
    if (post) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(request->body, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            return std::nullopt;
        const QJsonObject body = document.object();
        call.tid = body.value(QLatin1StringView("tid")).toString(call.tid);
        call.uuid = body.value(QLatin1StringView("uuid")).toString(call.uuid);
        call.dpuuid = body.value(QLatin1StringView("dpuuid")).toString();
        const qint64 dpid = body.value(QLatin1StringView("dpid")).toInteger(partner.dpid);
        call.dpid = dpid == partner.dpid ? 0 : dpid;
        // A JSON object does not keep its keys' order: the signals come back sorted by key,
        // which changes the body's bytes but not what it says.
        const QJsonObject signalObject = body.value(QLatin1StringView("signals")).toObject();
        for (auto it = signalObject.begin(); it != signalObject.end(); ++it) {
            Signal signal;
            signal.key = it.key();
            for (const QJsonValue &value : it.value().toArray())
                signal.values.append(value.toString());
            call.signalList.append(signal);
        }
        return call;
    }
    const auto values = templateValues(partner, request->target);
    if (!values)
        return std::nullopt;
    call.uuid = values->value(QStringLiteral("UUID"), call.uuid);
    call.dpuuid = values->value(QStringLiteral("DPUUID"));
    call.tid = values->value(QStringLiteral("TID"), call.tid);
    const qint64 dpid = values->value(QStringLiteral("DPID")).toLongLong();
    call.dpid = dpid == partner.dpid ? 0 : dpid;
    return call;
}

bool wasSigned(const TransferRecord &record, const Partner &partner)
{
    if (!record.requestText.isEmpty()) {
        const qsizetype headEnd = record.requestText.indexOf("\r\n\r\n");
        const QByteArrayView text(record.requestText);
        const QByteArrayView head = headEnd < 0 ? text : text.first(headEnd);
        return head.contains("\r\nX-DCS-Signature:");
    }
    return partner.hasStoredSecret || !partner.secretEnv.isEmpty();
}

Result command(const TransferRecord &record, const Partner &partner,
               const std::optional<QByteArray> &secret, bool reveal)
{
    Result result;
    if (transferOutcomeNotCalled(record.outcome)) {
        result.note = tr("No request was sent: %1")
                          .arg(TransferColumns::outcomeDescription(record.outcome));
        return result;
    }
    QString endpointError;
    const PartnerEndpoint endpoint = PartnerEndpoint::forPartner(partner, &endpointError);
    if (!endpoint.isValid()) {
        result.note = tr("The partner's endpoint is not valid: %1").arg(endpointError);
        return result;
    }
    QStringList notes;
    std::optional<PartnerCall> call = callFromRequestText(record, partner);
    if (!call) {
        call = PartnerCall{};
        call->tid = record.tid;
        call->uuid = record.uuid;
        call->tmaxMs = record.budgetMs;
        call->timestampMs = record.startMs;
        notes.append(record.requestText.isEmpty()
                         ? tr("Rebuilt from the record: this call's request was not kept "
                              "(bodies are sampled), so its signals and partner user ID are "
                              "left out.")
                         : tr("Rebuilt from the record: the kept request is incomplete or no "
                              "longer matches the partner's endpoint, so its signals and "
                              "partner user ID are left out."));
    }
    const bool signedCall = wasSigned(record, partner);
    std::optional<QByteArray> signingSecret;
    if (signedCall && reveal && secret) {
        signingSecret = secret;
        result.revealed = true;
    } else if (signedCall) {
        // Any secret will do: the signature is masked in the command.
        signingSecret = QByteArrayLiteral("masked");
        if (reveal)
            notes.append(tr("No secret is available for this partner: the signature stays "
                            "masked."));
    }
    const PartnerRequest request = PartnerRequest::build(endpoint, partner, *call, signingSecret);
    result.command = request.curlCommand(result.revealed);
    result.note = notes.join(u' ');
    return result;
}

std::optional<Partner> partnerOf(DcsServer &server, const TransferRecord &record)
{
    if (TransferEngine *engine = server.transferEngine()) {
        for (const Partner &partner : engine->activePartners()) {
            if (partner.id == record.partnerId)
                return partner;
        }
    }
    if (Storage *storage = server.storage())
        return PartnerRepository(*storage).byId(record.partnerId);
    return std::nullopt;
}

void build(DcsServer &server, const TransferRecord &record, bool reveal, QObject *context,
           std::function<void(const Result &)> done)
{
    const std::optional<Partner> partner = partnerOf(server, record);
    if (!partner) {
        Result missing;
        missing.note = tr("The partner of this call is no longer registered.");
        done(missing);
        return;
    }
    Storage *storage = server.storage();
    if (!reveal || !storage) {
        done(command(record, *partner, std::nullopt, reveal));
        return;
    }
    auto result = std::make_shared<Result>();
    QThread *thread = QThread::create([storage, record, partner = *partner, result] {
        const std::optional<QByteArray> secret = PartnerRepository(*storage).secretFor(partner);
        storage->releaseReader(); // secretFor() reads the secret's key: this thread ends now
        *result = command(record, partner, secret, true);
    });
    QObject::connect(thread, &QThread::finished, context,
                     [result, done = std::move(done)] { done(*result); });
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

void copyToClipboard(DcsServer &server, const TransferRecord &record, bool reveal,
                     QObject *context, std::function<void(const QString &)> report)
{
    build(server, record, reveal, context, [report](const Result &result) {
        if (result.command.isEmpty()) {
            report(result.note);
            return;
        }
        QGuiApplication::clipboard()->setText(result.command);
        QString message = result.revealed
                              ? QCoreApplication::translate("Dcs::TransferCurl",
                                                            "Copied the curl command with its "
                                                            "signature")
                              : QCoreApplication::translate("Dcs::TransferCurl",
                                                            "Copied the curl command (signature "
                                                            "masked)");
        if (!result.note.isEmpty())
            message += QStringLiteral(". ") + result.note;
        report(message);
    });
}

} // namespace Dcs::TransferCurl
