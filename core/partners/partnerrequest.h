#pragma once

#include "dcs/signaldecoder.h"
#include "partners/partner.h"
#include "partners/partnerendpoint.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace Dcs {

// What the engine knows about one partner call when it decides to make it.
struct PartnerCall
{
    QString tid;
    QString uuid;
    QString dpuuid;        // the visitor's ID at the partner; empty when not synced
    qint64 dpid = 0;       // the data source dpuuid belongs to; 0 = the partner's own DPID
    int tmaxMs = 0;        // the partner's budget (partner-protocol.md, "The call")
    qint64 timestampMs = 0; // wall clock, ms since the epoch: X-DCS-Timestamp and "ts"
    // The call's signals in order, keys unique (as DecodedSignals::signalList). Filtered by
    // build(): only the partner's forwarded keys are sent, and p_ keys never, even if listed.
    QList<Signal> signalList;
};

// One partner call exactly as it goes on the wire (partner-protocol.md, "The call").
//
// json-post:    POST <path> with Content-Type: application/json and the body
//               {"tid":..,"uuid":..,"dpid":N,"dpuuid":..,"tmax":N,"signals":{"k":["v"]},"ts":N}
//               ("dpuuid" is left out when empty: absent means "no synced ID", never an ID ""),
//               signed over timestamp + "." + body.
// get-template: GET <path and query with the macros replaced, percent-encoded>, no body and no
//               signals (the template is the partner's whole interface), signed over
//               timestamp + "." + path-and-query.
// Headers, in this order: Host, Content-Type (POST), Content-Length (POST), X-DCS-Tid,
// X-DCS-Timestamp, X-DCS-Tmax, X-DCS-Signature (only with a secret), Connection: keep-alive,
// User-Agent: dcs-studio/<version>. In X-DCS-Tid any byte outside printable ASCII, and '%', is
// percent-encoded so no tid can break the header (DCS tids are base64: never changed).
//
// build() assembles the whole request once, into one reserved buffer; wire() hands that out
// without copying.
class PartnerRequest final
{
public:
    using Header = QPair<QByteArray, QByteArray>;

    PartnerRequest() = default; // invalid

    // `endpoint` is PartnerEndpoint::forPartner(partner), parsed once and kept by the caller.
    // Without a secret the request has no X-DCS-Signature. An invalid endpoint gives an invalid
    // request.
    static PartnerRequest build(const PartnerEndpoint &endpoint, const Partner &partner,
                                const PartnerCall &call,
                                const std::optional<QByteArray> &secret);

    bool isValid() const { return !m_wire.isEmpty(); }
    QByteArrayView method() const; // "POST" or "GET"
    bool isHttps() const { return m_endpoint.isHttps(); }
    QString host() const { return m_endpoint.host(); }
    quint16 port() const { return m_endpoint.port(); }
    const PartnerEndpoint &endpoint() const { return m_endpoint; }
    QByteArray pathAndQuery() const { return m_pathAndQuery; }
    QByteArray url() const; // origin + path and query
    QByteArray body() const { return m_body; } // empty for get-template
    bool isSigned() const { return m_signatureLength > 0; }
    int tmaxMs() const { return m_tmaxMs; }
    // The headers in wire order, read back from wire() (for display: not a hot path).
    QList<Header> headers() const;
    QByteArray header(QByteArrayView name) const; // case-insensitive; empty when absent

    // The complete HTTP/1.1 request, ready to write to a socket.
    QByteArray wire() const { return m_wire; }
    // wire() with the signature replaced by PartnerSigning::MaskedSignature: what logs, the
    // monitor and onboarding reports keep.
    QByteArray maskedText() const;
    // A copy-pasteable curl command (POSIX shell quoting), signature masked unless asked,
    // --max-time from tmax. Host, Content-Length and Connection are left to curl.
    QString curlCommand(bool revealSignature = false) const;
    // The same command as an argument list, before quoting ("curl" first).
    QStringList curlArguments(bool revealSignature = false) const;

    // "dcs-studio/<version>"
    static QByteArrayView userAgent();
    // One argument for a POSIX shell: as it is when it holds only safe characters, else in
    // single quotes (a single quote inside written '\'').
    static QString shellQuote(QStringView argument);

private:
    PartnerEndpoint m_endpoint;
    QByteArray m_pathAndQuery;
    QByteArray m_body;
    QByteArray m_wire;
    qsizetype m_signatureOffset = 0; // of the header value in m_wire
    qsizetype m_signatureLength = 0;
    int m_tmaxMs = 0;
};

} // namespace Dcs
