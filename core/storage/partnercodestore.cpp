#include "partnercodestore.h"

namespace Dcs::PartnerCodeStore {

bool write(WriteContext &context, const QString &uuid, qint64 dpid, const QStringList &codes,
           const QStringList &removed, std::optional<int> ttlDays, qint64 nowMs, QString *error)
{
    const QByteArray uuidUtf8 = uuid.toUtf8();
    if (!codes.isEmpty()) {
        Sqlite::Statement &upsert = context.sqliteStatement(
            "INSERT INTO partner_codes (uuid, dpid, code, first_seen_ms, last_seen_ms, expires_ms) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uuid, dpid, code) DO UPDATE SET "
            "last_seen_ms = max(last_seen_ms, excluded.last_seen_ms), "
            "expires_ms = excluded.expires_ms");
        for (const QString &code : codes) {
            const QByteArray codeUtf8 = code.toUtf8();
            upsert.bind(1, uuidUtf8);
            upsert.bind(2, dpid);
            upsert.bind(3, codeUtf8);
            upsert.bind(4, nowMs);
            upsert.bind(5, nowMs);
            if (ttlDays)
                upsert.bind(6, nowMs + qint64(*ttlDays) * 86'400'000);
            else
                upsert.bindNull(6);
            if (!upsert.step(error))
                return false;
        }
    }
    if (!removed.isEmpty()) {
        Sqlite::Statement &remove = context.sqliteStatement(
            "DELETE FROM partner_codes WHERE uuid = ? AND dpid = ? AND code = ?");
        for (const QString &code : removed) {
            const QByteArray codeUtf8 = code.toUtf8();
            remove.bind(1, uuidUtf8);
            remove.bind(2, dpid);
            remove.bind(3, codeUtf8);
            if (!remove.step(error))
                return false;
        }
    }
    return true;
}

} // namespace Dcs::PartnerCodeStore
