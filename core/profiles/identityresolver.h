#pragma once

#include "dcs/signaldecoder.h"
#include "storage/visitorstore.h"

#include <QByteArray>
#include <QReadWriteLock>
#include <QSet>
#include <QString>

namespace Dcs {

class Storage;

// Who a call is about (dcs-api.md, "Identity").
struct IdentityResult
{
    enum class Source { UuidParameter, Cookie, DeclaredId, New };

    QString uuid;
    Source source = Source::New;
    QList<DeclaredId> declaredIds; // the valid ones kept, to link to `uuid`
    QList<DcsError> errors;        // 101 102 104 300 301 309 310
    bool optedOut = false;
};

// Resolves the visitor of a call: d_uuid, then the demdex cookie, then a declared ID already
// linked (d_cid, d_cid_ic, d_dpid + d_dpuuid, d_mid), else a new UUID. Thread-safe: lookups use
// the calling thread's read connection; the opt-out set is held in memory.
class IdentityResolver
{
public:
    static constexpr int kMaxDeclaredIds = 10;
    static constexpr int kMaxIdsPerDpid = 3;
    // d_mid values are kept as declared IDs of this pseudo data source (ours).
    static constexpr qint64 kMidDataSource = -1;

    explicit IdentityResolver(Storage &storage);

    IdentityResult resolve(const DecodedSignals &signalValues, const QByteArray &cookieHeader) const;

    bool isOptedOut(const QString &uuid) const;
    void markOptedOut(const QString &uuid);

    // 38 digits: creation time in ms (13), then 25 random digits.
    static QString newUuid();
    static bool isValidUuid(QStringView text);
    // The demdex value of a Cookie header, or empty.
    static QString uuidFromCookieHeader(QByteArrayView cookieHeader);
    // demdex=<uuid>; Max-Age=15552000; Path=/; SameSite=None; Secure
    static QByteArray setCookieValue(const QString &uuid);

private:
    QList<DeclaredId> declaredIds(const DecodedSignals &signalValues, QList<DcsError> *errors,
                                  QSqlDatabase db) const;

    Storage &m_storage;
    mutable QReadWriteLock m_optOutLock;
    QSet<QString> m_optedOut;
};

} // namespace Dcs
