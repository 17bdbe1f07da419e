#include "partnerendpoint.h"

#include "partners/partnerendpoint_p.h"
#include "partners/partnerrequest.h"

#include <QUrl>

#include <array>
#include <optional>

namespace Dcs {

namespace {

constexpr std::array<QLatin1StringView, 6> kMacroNames = {
    QLatin1StringView("${UUID}"), QLatin1StringView("${DPUUID}"), QLatin1StringView("${DPID}"),
    QLatin1StringView("${TID}"),  QLatin1StringView("${TMAX}"),   QLatin1StringView("${TS}"),
};

std::optional<PartnerEndpoint::Macro> macroFromName(QStringView name)
{
    for (std::size_t i = 0; i < kMacroNames.size(); ++i) {
        if (name == kMacroNames[i])
            return PartnerEndpoint::Macro(i);
    }
    return std::nullopt;
}

// RFC 3986 characters allowed as they are in a path or query: unreserved, sub-delims, ':', '@',
// '/' and '?'. ('%' is checked apart: it must start an escape.)
bool isUriChar(char16_t c)
{
    if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9'))
        return true;
    switch (c) {
    case u'-': case u'.': case u'_': case u'~':
    case u'!': case u'$': case u'&': case u'\'': case u'(': case u')': case u'*': case u'+':
    case u',': case u';': case u'=': case u':': case u'@': case u'/': case u'?':
        return true;
    default:
        return false;
    }
}

bool isHexDigit(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

// A character as a person can read it in a message: 'x', or U+0009 for the invisible ones.
QString shownChar(QStringView text)
{
    const char32_t c = text.size() == 2 ? QChar::surrogateToUcs4(text[0], text[1])
                                        : char32_t(text[0].unicode());
    if (c <= 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        return QStringLiteral("U+%1").arg(uint(c), 4, 16, QLatin1Char('0')).toUpper();
    return QLatin1Char('\'') + text.toString() + QLatin1Char('\'');
}

QString shortened(QStringView text, qsizetype max = 40)
{
    if (text.size() <= max)
        return text.toString();
    QString result = text.first(max).toString();
    result += QStringLiteral("...");
    return result;
}

} // namespace

PartnerEndpoint PartnerEndpoint::parse(QStringView endpoint, Partner::Style style, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return PartnerEndpoint();
    };
    if (error)
        error->clear();
    if (endpoint.trimmed().isEmpty())
        return fail(QStringLiteral("is required"));
    if (endpoint.size() > MaxLength)
        return fail(QStringLiteral("is longer than %1 characters").arg(MaxLength));

    auto data = std::make_shared<Data>();
    data->style = style;
    qsizetype authorityStart = 0;
    if (endpoint.startsWith(u"http://", Qt::CaseInsensitive)) {
        authorityStart = 7;
    } else if (endpoint.startsWith(u"https://", Qt::CaseInsensitive)) {
        data->https = true;
        authorityStart = 8;
    } else {
        return fail(QStringLiteral("must start with http:// or https://"));
    }

    qsizetype authorityEnd = authorityStart;
    while (authorityEnd < endpoint.size() && endpoint[authorityEnd] != u'/'
           && endpoint[authorityEnd] != u'?' && endpoint[authorityEnd] != u'#')
        ++authorityEnd;
    const QStringView authority = endpoint.sliced(authorityStart, authorityEnd - authorityStart);
    if (authority.isEmpty())
        return fail(QStringLiteral("needs a host, as in http://example.com/lookup"));
    if (authority.contains(u"${"))
        return fail(QStringLiteral("can have macros in the path or the query only, not in the "
                                   "host or port"));
    if (authority.contains(u'@'))
        return fail(QStringLiteral("must not hold a user name or password: a partner "
                                   "authenticates the DCS by the X-DCS-Signature"));

    // QUrl knows host syntax (IPv6 literals, IDNs); this runs once per edit, never per call.
    QString authorityUrl = QStringLiteral("http://");
    authorityUrl += authority;
    authorityUrl += u'/';
    const QUrl url(authorityUrl, QUrl::StrictMode);
    const QString host = url.host(QUrl::FullyEncoded);
    if (!url.isValid() || host.isEmpty())
        return fail(QStringLiteral("\"%1\" is not a valid host (with an optional :port)")
                        .arg(shortened(authority, 80)));
    const int defaultPort = data->https ? 443 : 80;
    const int port = url.port(defaultPort);
    if (port < 1 || port > 65535)
        return fail(QStringLiteral("needs a port from 1 to 65535"));
    data->host = host;
    data->port = quint16(port);
    if (host.contains(u':')) { // an IPv6 literal
        data->hostHeader += '[';
        data->hostHeader += host.toLatin1();
        data->hostHeader += ']';
    } else {
        data->hostHeader = host.toLatin1();
    }
    if (port != defaultPort) {
        data->hostHeader += ':';
        data->hostHeader += QByteArray::number(port);
    }
    data->origin = data->https ? QByteArrayLiteral("https://") : QByteArrayLiteral("http://");
    data->origin += data->hostHeader;

    // The path and query, sent as written: checked character by character, split at macros.
    const QStringView rest = endpoint.sliced(authorityEnd);
    if (rest.contains(u'#'))
        return fail(QStringLiteral("must not have a #fragment: it is never sent to the server"));
    QByteArray literal;
    literal.reserve(rest.size() + 1);
    if (!rest.startsWith(u'/'))
        literal += '/'; // "http://host" and "http://host?q" request "/" and "/?q"
    for (qsizetype i = 0; i < rest.size(); ++i) {
        const QChar c = rest[i];
        const qsizetype position = authorityEnd + i + 1; // 1-based, in the whole endpoint
        if (c == u'$' && i + 1 < rest.size() && rest[i + 1] == u'{') {
            const qsizetype close = rest.indexOf(u'}', i + 2);
            if (close < 0)
                return fail(QStringLiteral("has a ${ at position %1 without its closing }")
                                .arg(position));
            const QStringView name = rest.sliced(i, close - i + 1);
            const std::optional<Macro> macro = macroFromName(name);
            if (!macro)
                return fail(QStringLiteral("has an unknown macro %1: the macros are %2")
                                .arg(shortened(name), allowedMacros()));
            if (style == Partner::Style::JsonPost)
                return fail(QStringLiteral("cannot have macros such as %1 in the json-post style: "
                                           "its IDs travel in the JSON body (get-template puts "
                                           "them in the URL)")
                                .arg(name));
            data->pathTemplate += literal;
            data->pathTemplate += name.toLatin1();
            data->literals.append(literal);
            data->macros.append(*macro);
            literal.clear();
            i = close;
            continue;
        }
        if (c == u'%') {
            if (i + 2 >= rest.size() || !isHexDigit(rest[i + 1]) || !isHexDigit(rest[i + 2]))
                return fail(QStringLiteral("has a '%' at position %1 that is not followed by two "
                                           "hex digits (write %25 for a percent sign)")
                                .arg(position));
            literal += char(c.unicode());
            continue;
        }
        if (!isUriChar(c.unicode())) {
            const qsizetype length = c.isHighSurrogate() && i + 1 < rest.size() ? 2 : 1;
            const QStringView character = rest.sliced(i, length);
            return fail(QStringLiteral("has %1 at position %2: write it percent-encoded (%3)")
                            .arg(shownChar(character))
                            .arg(position)
                            .arg(QString::fromLatin1(
                                character.toUtf8().toPercentEncoding())));
        }
        literal += char(c.unicode());
    }
    data->pathTemplate += literal;
    data->literals.append(literal);

    data->tail = QByteArrayLiteral("Connection: keep-alive\r\nUser-Agent: ");
    data->tail += PartnerRequest::userAgent();
    data->tail += "\r\n\r\n";
    if (style == Partner::Style::JsonPost) {
        data->head = QByteArrayLiteral("POST ");
        data->head += data->pathTemplate;
        data->head += " HTTP/1.1\r\nHost: ";
        data->head += data->hostHeader;
        data->head += "\r\nContent-Type: application/json\r\n";
    } else {
        data->head = QByteArrayLiteral(" HTTP/1.1\r\nHost: ");
        data->head += data->hostHeader;
        data->head += "\r\n";
    }

    PartnerEndpoint result;
    result.d = std::move(data);
    return result;
}

Partner::Style PartnerEndpoint::style() const
{
    return d ? d->style : Partner::Style::JsonPost;
}

bool PartnerEndpoint::isHttps() const
{
    return d && d->https;
}

QString PartnerEndpoint::host() const
{
    return d ? d->host : QString();
}

quint16 PartnerEndpoint::port() const
{
    return d ? d->port : 0;
}

QByteArray PartnerEndpoint::hostHeader() const
{
    return d ? d->hostHeader : QByteArray();
}

QByteArray PartnerEndpoint::origin() const
{
    return d ? d->origin : QByteArray();
}

QByteArray PartnerEndpoint::pathTemplate() const
{
    return d ? d->pathTemplate : QByteArray();
}

qsizetype PartnerEndpoint::macroCount() const
{
    return d ? d->macros.size() : 0;
}

QLatin1StringView PartnerEndpoint::macroName(Macro macro)
{
    return kMacroNames[std::size_t(macro)];
}

QString PartnerEndpoint::allowedMacros()
{
    QString names;
    for (const QLatin1StringView name : kMacroNames) {
        if (!names.isEmpty())
            names += u' ';
        names += name;
    }
    return names;
}

} // namespace Dcs
