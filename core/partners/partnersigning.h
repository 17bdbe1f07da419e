#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Dcs {

// The X-DCS-Signature of partner-protocol.md: "sha256=" + hex HMAC-SHA256(secret,
// timestamp + "." + payload), where the payload is the body (json-post) or the path and query
// (get-template). The DCS signs with it; dcs-partner-sim verifies with it.
namespace PartnerSigning {

QByteArray signature(QByteArrayView secret, QByteArrayView timestamp, QByteArrayView payload);
// Constant-time comparison of a received X-DCS-Signature header with the expected one.
bool verify(QByteArrayView secret, QByteArrayView timestamp, QByteArrayView payload,
            QByteArrayView header);
// What logs, exports and the monitor show instead of a signature.
inline constexpr QByteArrayView MaskedSignature{"sha256=<masked>"};

} // namespace PartnerSigning
} // namespace Dcs
