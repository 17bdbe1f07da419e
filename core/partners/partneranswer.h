#pragma once

#include "transfer/transferrecord.h"

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Dcs {

// A partner's answer, classified (partner-protocol.md, "The answer" and "Outcomes").
struct PartnerAnswerResult
{
    TransferOutcome outcome = TransferOutcome::BadAnswer; // Ok, Empty, HttpError or BadAnswer
    // For people: "status 503", "invalid JSON at offset 12: ...", "no segments". Empty for Ok.
    // Quoted input is bounded and escaped, so it is safe to show and log.
    QString reason;

    // Only for Ok and Empty, each without duplicates, in the answer's order. Ok means segments
    // is not empty; an Empty answer may still carry unsegments or sids, to be applied all the
    // same.
    QStringList segments;   // codes the visitor now has
    QStringList unsegments; // codes the visitor left (JSON "unsegments")
    std::optional<int> ttlDays; // JSON "ttl"; absent: each trait's own TTL
    QList<qint64> directSids;   // text/plain d_sid=N: realize trait N itself
    QList<qint64> removedSids;  // text/plain N:0, N:-1, d_unsid=N: remove trait N

    friend bool operator==(const PartnerAnswerResult &, const PartnerAnswerResult &) = default;
};

// Reads a partner's answer strictly: any invalid code makes the whole answer a bad answer
// naming the first one (the onboarding check "codes valid" relies on it; a partner half-right
// today is wrong tomorrow). Never trusts the input: the body is capped, nesting is limited, and
// nothing is allocated beyond a small multiple of the body's size.
//
//   204                       -> Empty (any body ignored)
//   any status but 200 / 204  -> HttpError "status N" (body not read)
//   200, body over 64 KiB     -> BadAnswer "answer over 65536 bytes"
//   200, body not UTF-8       -> BadAnswer naming the offset
//   200 application/json      -> an object: "segments" and "unsegments" arrays of codes,
//                                "ttl" whole days 1-3650; null counts as absent; unknown keys
//                                ignored; a known key twice is a bad answer. A code is a
//                                string, or a JSON integer taken digit for digit: a fraction or
//                                an exponent is refused, since 1e3 and 1000 (or a 20-digit ID
//                                rounded by a double) would silently become another code.
//                                A code both in segments and unsegments is a bad answer.
//   200 text/plain            -> items split on ',' and newlines (CRLF too), empty ones
//                                skipped, in the inbound syntax (inbounditem.h): CODE, ic=CODE,
//                                d_sid=N, d_unsid=N, N:0, N:-1. Other key=value items are a bad
//                                answer: the protocol lists none, and dropping them quietly
//                                would hide a partner's mistake through onboarding.
//   200, other content type   -> BadAnswer (parameters such as charset are allowed; case is
//                                ignored)
// Then Ok when there are segments, else Empty "no segments".
namespace PartnerAnswer {

inline constexpr qsizetype MaxBodyBytes = 65536;
inline constexpr int MaxTtlDays = 3650;
inline constexpr int MaxJsonDepth = 64;

PartnerAnswerResult parse(int httpStatus, QByteArrayView contentType, QByteArrayView body);

} // namespace PartnerAnswer
} // namespace Dcs
