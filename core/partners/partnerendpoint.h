#pragma once

#include "partners/partner.h"

#include <QByteArray>
#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QStringView>

#include <memory>

namespace Dcs {

// A partner's endpoint, parsed once (when the partner is loaded or edited) into what every call
// needs: where to connect, the Host header, and the path and query as bytes with the
// get-template macros pre-split, so PartnerRequest never parses a URL on the hot path.
//
// The rules (also what PartnerValidator reports for "endpoint"):
//   - http:// or https:// (any case) with a host; an optional port 1-65535; no user name or
//     password (the partner authenticates the DCS by the signature) and no #fragment (never sent);
//   - the path and query are sent byte for byte as written: every character must be one RFC 3986
//     allows there, anything else percent-encoded (so what the admin sees is what is sent);
//   - get-template: ${UUID} ${DPUUID} ${DPID} ${TID} ${TMAX} ${TS} in the path or query only;
//     json-post: no macros at all (its IDs travel in the body).
// Copies are cheap (one shared, immutable block): the engine keeps one per partner and each
// PartnerRequest holds a copy.
class PartnerEndpoint final
{
public:
    enum class Macro : quint8 { Uuid, DpUuid, Dpid, Tid, Tmax, Ts };

    static constexpr qsizetype MaxLength = 2048;

    PartnerEndpoint() = default; // invalid

    // Returns an invalid endpoint and says why in `error` (a message about the field, without
    // its name: "must start with http:// or https://").
    static PartnerEndpoint parse(QStringView endpoint, Partner::Style style,
                                 QString *error = nullptr);
    static PartnerEndpoint forPartner(const Partner &partner, QString *error = nullptr)
    {
        return parse(partner.endpoint, partner.style, error);
    }

    bool isValid() const { return d != nullptr; }
    Partner::Style style() const;
    bool isHttps() const;
    QString host() const;          // to connect to: "example.com" (IDNs in ACE), "::1"
    quint16 port() const;          // explicit or the scheme's default
    QByteArray hostHeader() const; // "example.com", "127.0.0.1:9101", "[::1]:8080"
    QByteArray origin() const;     // "http://127.0.0.1:9101": origin() + path = the URL
    // The path and query as written, macros included ("/" when the URL has no path).
    QByteArray pathTemplate() const;
    qsizetype macroCount() const;

    static QLatin1StringView macroName(Macro macro); // "${UUID}"
    static QString allowedMacros();                  // "${UUID} ${DPUUID} ... ${TS}"

private:
    friend class PartnerRequest;
    struct Data;
    std::shared_ptr<const Data> d;
};

} // namespace Dcs
