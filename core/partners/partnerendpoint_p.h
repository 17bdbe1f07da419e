#pragma once

// Private to PartnerEndpoint and PartnerRequest: the pre-built pieces of one endpoint.

#include "partners/partnerendpoint.h"

namespace Dcs {

struct PartnerEndpoint::Data
{
    Partner::Style style = Partner::Style::JsonPost;
    bool https = false;
    QString host;
    quint16 port = 80;
    QByteArray hostHeader;
    QByteArray origin;
    QByteArray pathTemplate;
    QList<QByteArray> literals; // the path and query split at the macros: macros.size() + 1
    QList<Macro> macros;
    // The constant bytes of PartnerRequest::wire(), built once by PartnerEndpoint::parse().
    // json-post: the request line through Content-Type; get-template: what follows the path
    // (" HTTP/1.1" and Host).
    QByteArray head;
    QByteArray tail; // Connection, User-Agent and the blank line
};

} // namespace Dcs
