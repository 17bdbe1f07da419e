#include "inbounditem.h"

namespace Dcs {

namespace {

constexpr qsizetype kMaxCodeLength = 64;
constexpr qint64 kMaxSid = 2147483647;

QStringView unquoted(QStringView text)
{
    text = text.trimmed();
    if (text.size() >= 2 && text.front() == u'"' && text.back() == u'"')
        text = text.sliced(1, text.size() - 2);
    return text;
}

std::optional<qint64> sidOf(QStringView text)
{
    if (text.isEmpty() || text.size() > 10)
        return std::nullopt;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
    }
    const qint64 sid = text.toLongLong();
    if (sid < 1 || sid > kMaxSid)
        return std::nullopt;
    return sid;
}

bool isValidKey(QStringView key)
{
    if (key.isEmpty() || key.size() > 255)
        return false;
    for (const QChar c : key) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z')
                        || (c >= u'0' && c <= u'9') || c == u'_' || c == u'.' || c == u'-';
        if (!ok)
            return false;
    }
    return true;
}

std::optional<InboundItem> fail(QString *error, QString message)
{
    if (error)
        *error = std::move(message);
    return std::nullopt;
}

} // namespace

bool isValidPartnerCode(QStringView code)
{
    if (code.isEmpty() || code.size() > kMaxCodeLength)
        return false;
    for (const QChar c : code) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z')
                        || (c >= u'0' && c <= u'9') || c == u'_' || c == u'.' || c == u':'
                        || c == u'-';
        if (!ok)
            return false;
    }
    return true;
}

std::optional<InboundItem> parseInboundItem(QStringView text, QString *error)
{
    const QStringView item = text.trimmed();
    if (item.isEmpty())
        return fail(error, QStringLiteral("empty item"));

    InboundItem result;
    const qsizetype equals = item.indexOf(u'=');
    if (equals < 0) {
        const QStringView bare = unquoted(item);
        // N:0 and N:-1 remove trait N (checked before codes: ':' is valid in a code).
        if (const qsizetype colon = bare.lastIndexOf(u':'); colon > 0) {
            const QStringView suffix = bare.sliced(colon + 1);
            if (suffix == u"0" || suffix == u"-1") {
                if (const std::optional<qint64> sid = sidOf(bare.first(colon))) {
                    result.kind = InboundItem::Kind::RemoveTrait;
                    result.sid = *sid;
                    return result;
                }
            }
        }
        if (!isValidPartnerCode(bare))
            return fail(error, QStringLiteral("\"%1\" is not a valid code (1-64 characters "
                                              "from A-Z a-z 0-9 _ . : -)")
                                   .arg(bare.left(80)));
        result.kind = InboundItem::Kind::Code;
        result.code = bare.toString();
        return result;
    }

    const QStringView key = unquoted(item.first(equals));
    const QStringView value = unquoted(item.sliced(equals + 1));
    if (key == u"d_sid" || key == u"d_unsid") {
        const std::optional<qint64> sid = sidOf(value);
        if (!sid)
            return fail(error, QStringLiteral("%1 needs a trait ID from 1 to %2, not \"%3\"")
                                   .arg(key, QString::number(kMaxSid), value.left(80)));
        result.kind = key == u"d_sid" ? InboundItem::Kind::AddTrait
                                      : InboundItem::Kind::RemoveTrait;
        result.sid = *sid;
        return result;
    }
    if (key == u"ic") {
        if (!isValidPartnerCode(value))
            return fail(error, QStringLiteral("\"%1\" is not a valid code (1-64 characters "
                                              "from A-Z a-z 0-9 _ . : -)")
                                   .arg(value.left(80)));
        result.kind = InboundItem::Kind::Code;
        result.code = value.toString();
        return result;
    }
    if (!isValidKey(key))
        return fail(error, QStringLiteral("\"%1\" is not a valid key").arg(key.left(80)));
    if (value.isEmpty())
        return fail(error, QStringLiteral("key \"%1\" has no value").arg(key));
    result.kind = InboundItem::Kind::Signal;
    result.key = key.toString();
    result.value = value.toString();
    return result;
}

QList<QStringView> splitInboundItems(QStringView text)
{
    QList<QStringView> items;
    if (text.isEmpty())
        return items;
    bool quoted = false;
    qsizetype start = 0;
    for (qsizetype at = 0; at < text.size(); ++at) {
        const QChar c = text.at(at);
        if (c == u'"') {
            quoted = !quoted;
        } else if (c == u',' && !quoted) {
            items.append(text.sliced(start, at - start));
            start = at + 1;
        }
    }
    items.append(text.sliced(start));
    return items;
}

} // namespace Dcs
