#include "identityresolver.h"

#include "storage/storage.h"

#include <QDateTime>
#include <QHash>
#include <QRandomGenerator>

#include <limits>

namespace Dcs {

namespace {

constexpr QChar kFieldSeparator = QChar(0x01); // %01 in d_cid values

bool allDigits(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return true;
}

// "<dpid or code>\x01<id>[\x01<auth>]"; `byCode` reads the first field as an integration code.
std::optional<DeclaredId> parseDeclared(const QString &value, bool byCode, QSqlDatabase db,
                                        QString *why)
{
    const QList<QStringView> fields = QStringView(value).split(kFieldSeparator);
    if (fields.size() < 2 || fields.size() > 3) {
        *why = QStringLiteral("expected <data source>%01<ID>[%01<auth state>]");
        return std::nullopt;
    }
    DeclaredId id;
    if (byCode) {
        const auto dpid = VisitorStore::dpidForIntegrationCode(db, fields.at(0).toString());
        if (!dpid) {
            *why = QStringLiteral("unknown integration code \"%1\"").arg(fields.at(0));
            return std::nullopt;
        }
        id.dpid = *dpid;
    } else {
        bool ok = false;
        id.dpid = fields.at(0).toLongLong(&ok);
        if (!ok || id.dpid <= 0 || !allDigits(fields.at(0))) {
            *why = QStringLiteral("\"%1\" is not a data source ID").arg(fields.at(0));
            return std::nullopt;
        }
    }
    id.id = fields.at(1).toString();
    if (id.id.isEmpty() || id.id.size() > 255) {
        *why = QStringLiteral("the ID for data source %1 is empty or too long").arg(id.dpid);
        return std::nullopt;
    }
    if (fields.size() == 3) {
        const QStringView auth = fields.at(2);
        if (auth != u"0" && auth != u"1" && auth != u"2") {
            *why = QStringLiteral("authentication state must be 0, 1 or 2");
            return std::nullopt;
        }
        id.authState = auth.toInt();
    }
    return id;
}

} // namespace

IdentityResolver::IdentityResolver(Storage &storage)
    : m_storage(storage)
    , m_optedOut(VisitorStore::optedOutUuids(storage.reader()))
{
}

bool IdentityResolver::isValidUuid(QStringView text)
{
    return text.size() == 38 && allDigits(text);
}

QString IdentityResolver::newUuid()
{
    // The first 13 digits are the creation time in milliseconds, so new visitors' rows and index
    // entries are appended instead of landing on random pages (as UUIDv7 does for the same
    // reason); the other 25 digits (83 bits) are random, drawn without modulo bias.
    QRandomGenerator *random = QRandomGenerator::global();
    const auto uniformBelow = [random](quint64 limit) {
        const quint64 acceptBelow = std::numeric_limits<quint64>::max() / limit * limit;
        quint64 value = 0;
        do {
            value = random->generate64();
        } while (value >= acceptBelow);
        return value % limit;
    };
    // Digits written right to left into a fixed buffer: QString::arg showed in the profile.
    char16_t digits[38];
    const auto put = [&digits](int end, int width, quint64 value) {
        for (int i = end - 1; i >= end - width; --i) {
            digits[i] = char16_t(u'0' + value % 10);
            value /= 10;
        }
    };
    put(13, 13, quint64(QDateTime::currentMSecsSinceEpoch()) % 10'000'000'000'000ULL);
    put(32, 19, uniformBelow(10'000'000'000'000'000'000ULL));
    put(38, 6, uniformBelow(1'000'000ULL));
    return QString(reinterpret_cast<const QChar *>(digits), 38);
}

QString IdentityResolver::uuidFromCookieHeader(QByteArrayView cookieHeader)
{
    qsizetype start = 0;
    while (start < cookieHeader.size()) {
        qsizetype end = cookieHeader.indexOf(';', start);
        if (end < 0)
            end = cookieHeader.size();
        const QByteArrayView part = cookieHeader.sliced(start, end - start).trimmed();
        if (part.startsWith("demdex=")) {
            const QString value = QString::fromLatin1(part.sliced(7));
            return isValidUuid(value) ? value : QString();
        }
        start = end + 1;
    }
    return {};
}

QByteArray IdentityResolver::setCookieValue(const QString &uuid)
{
    return QByteArrayLiteral("demdex=") + uuid.toLatin1()
           + QByteArrayLiteral("; Max-Age=15552000; Path=/; SameSite=None; Secure");
}

bool IdentityResolver::isOptedOut(const QString &uuid) const
{
    QReadLocker locker(&m_optOutLock);
    return m_optedOut.contains(uuid);
}

void IdentityResolver::markOptedOut(const QString &uuid)
{
    QWriteLocker locker(&m_optOutLock);
    m_optedOut.insert(uuid);
}

QList<DeclaredId> IdentityResolver::declaredIds(const DecodedSignals &signalValues,
                                                QList<DcsError> *errors, QSqlDatabase db) const
{
    QList<DeclaredId> candidates;
    int offered = 0;
    int invalid = 0;
    const auto consider = [&](const QString &value, bool byCode) {
        ++offered;
        QString why;
        if (auto id = parseDeclared(value, byCode, db, &why))
            candidates.append(*id);
        else {
            ++invalid;
            errors->append(DcsError{300, QStringLiteral("invalid customer ID: %1").arg(why)});
        }
    };
    for (const QString &value : signalValues.values(u"d_cid"))
        consider(value, false);
    for (const QString &value : signalValues.values(u"d_cid_ic"))
        consider(value, true);
    const QStringList dpids = signalValues.values(u"d_dpid");
    const QStringList dpuuids = signalValues.values(u"d_dpuuid");
    if (!dpids.isEmpty() || !dpuuids.isEmpty())
        consider(dpids.value(0) + kFieldSeparator + dpuuids.value(0), false);
    for (const QString &mid : signalValues.values(u"d_mid")) {
        if (isValidUuid(mid))
            candidates.append(DeclaredId{kMidDataSource, mid, 0});
        else
            errors->append(DcsError{101, QStringLiteral("invalid d_mid: expected 38 digits")});
    }

    QList<DeclaredId> kept;
    QHash<qint64, int> perDpid;
    bool overTotal = false;
    for (const DeclaredId &id : std::as_const(candidates)) {
        if (kept.size() >= kMaxDeclaredIds) {
            if (!overTotal)
                errors->append(DcsError{301, QStringLiteral("more than %1 customer IDs in one "
                                                            "call")
                                                 .arg(kMaxDeclaredIds)});
            overTotal = true;
            errors->append(DcsError{309, QStringLiteral("customer ID dropped: over %1 per call "
                                                        "(data source %2)")
                                             .arg(kMaxDeclaredIds)
                                             .arg(id.dpid)});
            continue;
        }
        int &count = perDpid[id.dpid];
        if (count >= kMaxIdsPerDpid) {
            errors->append(DcsError{310, QStringLiteral("more than %1 IDs for DPID %2")
                                             .arg(kMaxIdsPerDpid)
                                             .arg(id.dpid)});
            errors->append(DcsError{309, QStringLiteral("customer ID dropped: ID %1 for DPID %2")
                                             .arg(count + 1)
                                             .arg(id.dpid)});
            continue;
        }
        ++count;
        kept.append(id);
    }
    if (offered > 0 && invalid == offered)
        errors->append(DcsError{104, QStringLiteral("every customer ID is invalid")});
    return kept;
}

IdentityResult IdentityResolver::resolve(const DecodedSignals &signalValues,
                                         const QByteArray &cookieHeader) const
{
    IdentityResult result;
    QSqlDatabase db = m_storage.reader();
    result.declaredIds = declaredIds(signalValues, &result.errors, db);

    const QStringList uuidParameter = signalValues.values(u"d_uuid");
    if (!uuidParameter.isEmpty()) {
        if (isValidUuid(uuidParameter.first())) {
            result.uuid = uuidParameter.first();
            result.source = IdentityResult::Source::UuidParameter;
        } else {
            result.errors.append(DcsError{102, QStringLiteral("invalid d_uuid: expected 38 "
                                                              "digits")});
        }
    }
    if (result.uuid.isEmpty()) {
        result.uuid = uuidFromCookieHeader(cookieHeader);
        if (!result.uuid.isEmpty())
            result.source = IdentityResult::Source::Cookie;
    }
    if (result.uuid.isEmpty()) {
        for (const DeclaredId &id : std::as_const(result.declaredIds)) {
            if (auto linked = VisitorStore::linkedUuid(db, id.dpid, id.id)) {
                result.uuid = *linked;
                result.source = IdentityResult::Source::DeclaredId;
                break;
            }
        }
    }
    if (result.uuid.isEmpty()) {
        result.uuid = newUuid();
        result.source = IdentityResult::Source::New;
    }
    result.optedOut = isOptedOut(result.uuid);
    return result;
}

} // namespace Dcs
