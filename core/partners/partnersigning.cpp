#include "partnersigning.h"

#include <QMessageAuthenticationCode>

namespace Dcs::PartnerSigning {

QByteArray signature(QByteArrayView secret, QByteArrayView timestamp, QByteArrayView payload)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, secret.toByteArray());
    mac.addData(timestamp.data(), timestamp.size());
    mac.addData(".", 1);
    mac.addData(payload.data(), payload.size());
    QByteArray header = QByteArrayLiteral("sha256=");
    header += mac.result().toHex();
    return header;
}

bool verify(QByteArrayView secret, QByteArrayView timestamp, QByteArrayView payload,
            QByteArrayView header)
{
    const QByteArray expected = signature(secret, timestamp, payload);
    if (expected.size() != header.size())
        return false;
    // Constant time: a partner's verifier must not leak how much of a forgery was right.
    unsigned char difference = 0;
    for (qsizetype i = 0; i < expected.size(); ++i)
        difference |= static_cast<unsigned char>(expected.at(i) ^ header.at(i));
    return difference == 0;
}

} // namespace Dcs::PartnerSigning
