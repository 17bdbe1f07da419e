// libFuzzer target for Dcs::PartnerAnswer::parse.
//
// Input layout: byte 0 picks the status (bits 0-2: 200 x4, 204, 503, 404, 0), the content type
// (bits 3-4: application/json, text/plain, the first line of the rest, or
// "application/json; charset=utf-8") and, with bit 5, repeats the body past the 64 KiB cap;
// the rest is the body.
//
// Checked: the promises of partneranswer.h for any input (outcomes, reasons without control
// characters and bounded, Ok means valid segments, nothing kept from a failed answer, no
// duplicates, TTL in range), determinism, and that the hand-written JSON reader is never more
// lenient than Qt's and reads the same string codes.
#include "partners/inbounditem.h"
#include "partners/partneranswer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Dcs;

namespace {

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "PartnerAnswer contract violated: %s\n", what);
        std::abort();
    }
}

template <typename T>
bool unique(const QList<T> &list)
{
    return QSet<T>(list.begin(), list.end()).size() == list.size();
}

void checkJsonAgainstQt(QByteArrayView body, const PartnerAnswerResult &result)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body.toByteArray(), &error);
    // Qt refuses numbers a double cannot hold (1e999); RFC 8259 leaves that range open, and in
    // an unknown key such a number is no concern of ours.
    if (error.error == QJsonParseError::IllegalNumber)
        return;
    check(error.error == QJsonParseError::NoError && document.isObject(),
          "accepted JSON that Qt refuses");
    const QJsonObject object = document.object();
    const auto stringCodes = [&](const char *key, const QStringList &ours) {
        const QJsonArray array = object.value(QLatin1StringView(key)).toArray();
        QStringList theirs;
        for (const QJsonValue &value : array) {
            if (!value.isString())
                return; // numbers: Qt keeps only a double, ours keeps the digits
            if (!theirs.contains(value.toString()))
                theirs << value.toString();
        }
        check(theirs == ours, "codes differ from Qt's reading");
    };
    stringCodes("segments", result.segments);
    stringCodes("unsegments", result.unsegments);
    if (result.ttlDays)
        check(object.value(QStringLiteral("ttl")).toInt() == *result.ttlDays, "ttl differs");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    static constexpr std::array<int, 8> statuses = {200, 200, 200, 200, 204, 503, 404, 0};
    const int status = statuses[data[0] & 7];
    QByteArrayView rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    QByteArrayView contentType;
    switch ((data[0] >> 3) & 3) {
    case 0: contentType = "application/json"; break;
    case 1: contentType = "text/plain"; break;
    case 2: {
        const qsizetype newline = rest.indexOf('\n');
        contentType = newline < 0 ? rest : rest.first(newline);
        rest = newline < 0 ? QByteArrayView() : rest.sliced(newline + 1);
        break;
    }
    default: contentType = "application/json; charset=utf-8"; break;
    }
    QByteArray body = rest.toByteArray();
    if ((data[0] & 0x20) && !body.isEmpty()) {
        while (body.size() <= PartnerAnswer::MaxBodyBytes)
            body += rest;
    }

    const PartnerAnswerResult result = PartnerAnswer::parse(status, contentType, body);
    check(PartnerAnswer::parse(status, contentType, body) == result, "not deterministic");

    const TransferOutcome outcome = result.outcome;
    const bool valid = outcome == TransferOutcome::Ok || outcome == TransferOutcome::Empty;
    check(valid || outcome == TransferOutcome::HttpError || outcome == TransferOutcome::BadAnswer,
          "unexpected outcome");
    check((outcome == TransferOutcome::HttpError) == (status != 200 && status != 204),
          "HttpError and the status disagree");
    check(result.reason.isEmpty() == (outcome == TransferOutcome::Ok), "reason and outcome");
    check(result.reason.size() < 400, "reason unbounded");
    for (const QChar c : result.reason)
        check(c.unicode() >= 0x20 && c.unicode() != 0x7f, "control character in a reason");
    if (status == 200 && body.size() > PartnerAnswer::MaxBodyBytes)
        check(outcome == TransferOutcome::BadAnswer, "a huge body was read");

    if (!valid) {
        check(result.segments.isEmpty() && result.unsegments.isEmpty()
                  && result.directSids.isEmpty() && result.removedSids.isEmpty()
                  && !result.ttlDays,
              "a failed answer kept data");
        return 0;
    }
    check((outcome == TransferOutcome::Ok) == !result.segments.isEmpty(), "Ok without segments");
    for (const QString &code : result.segments)
        check(isValidPartnerCode(code) && !result.unsegments.contains(code), "bad segment");
    for (const QString &code : result.unsegments)
        check(isValidPartnerCode(code), "bad unsegment");
    for (const qint64 sid : result.directSids)
        check(sid >= 1 && sid <= 2147483647 && !result.removedSids.contains(sid), "bad sid");
    for (const qint64 sid : result.removedSids)
        check(sid >= 1 && sid <= 2147483647, "bad removed sid");
    check(unique(result.segments) && unique(result.unsegments) && unique(result.directSids)
              && unique(result.removedSids),
          "duplicates kept");
    if (result.ttlDays)
        check(*result.ttlDays >= 1 && *result.ttlDays <= PartnerAnswer::MaxTtlDays,
              "ttl out of range");
    const bool json = contentType.toByteArray().toLower().trimmed().startsWith("application/json");
    if (status == 200 && json)
        checkJsonAgainstQt(body, result);
    if (!json)
        check(!result.ttlDays && result.unsegments.isEmpty(), "text answer with JSON fields");
    return 0;
}
