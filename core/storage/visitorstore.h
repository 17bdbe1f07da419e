#pragma once

#include "storagewriter.h"

#include <QHash>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace Dcs {

// A partner's (or declared) user ID: data source DPID, the ID, and the authentication state
// (0 unknown, 1 authenticated, 2 logged out).
struct DeclaredId
{
    qint64 dpid = 0;
    QString id;
    int authState = 0;

    friend bool operator==(const DeclaredId &, const DeclaredId &) = default;
};

// Visitors, ID-sync links and opt-outs. Reads take the caller's (per-thread) connection; writes
// are building blocks for the caller's write job, so that an event, its visitor and its links
// commit together.
namespace VisitorStore {

// The UUID a declared ID is linked to, if any.
std::optional<QString> linkedUuid(QSqlDatabase db, qint64 dpid, const QString &id);
// The visitor's synced partner IDs: DPID -> the most recently synced ID of that data source.
QHash<qint64, QString> partnerIdsOf(QSqlDatabase db, const QString &uuid, QString *error);

// The same inside a write job (sees earlier jobs' links); false with `error` if the read fails.
bool linkedUuid(WriteContext &context, qint64 dpid, const QString &id,
                std::optional<QString> *uuid, QString *error);

// What the visitors table says of a UUID.
enum class VisitorStatus : quint8 { Unknown, Active, OptedOut };
bool visitorStatus(WriteContext &context, const QString &uuid, VisitorStatus *status,
                   QString *error);
// Every UUID that has opted out (loaded once at start; kept current in memory afterwards).
QSet<QString> optedOutUuids(QSqlDatabase db);
// The DPID whose integration code is `code` (partners), if any.
std::optional<qint64> dpidForIntegrationCode(QSqlDatabase db, const QString &code);

bool touchVisitor(WriteContext &context, const QString &uuid, qint64 timeMs, QString *error);
bool touchVisitor(WriteContext &context, QByteArrayView uuid, qint64 timeMs, QString *error);
// Links `id` to `uuid`; an existing link of the same ID to another UUID is replaced (latest wins).
bool link(WriteContext &context, const DeclaredId &id, const QString &uuid, qint64 timeMs,
          QString *error);
bool optOut(WriteContext &context, const QString &uuid, qint64 timeMs, QString *error);

} // namespace VisitorStore
} // namespace Dcs
