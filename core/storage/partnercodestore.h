#pragma once

#include "storagewriter.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace Dcs {

// The codes partners returned for each visitor, mapped to an onboarded trait or not
// (partner-protocol.md, "What happens to an answer"): kept so that a trait created later for
// a code shows its population at once, and so the monitor can report unmapped codes.
namespace PartnerCodeStore {

// Adds or refreshes `codes` for the visitor (first seen kept, last seen and expiry updated) and
// removes `removed`. Expiry: `ttlDays` after `nowMs` when the partner gave one, else none.
// Idempotent (a writer job may run twice).
bool write(WriteContext &context, const QString &uuid, qint64 dpid, const QStringList &codes,
           const QStringList &removed, std::optional<int> ttlDays, qint64 nowMs, QString *error);

} // namespace PartnerCodeStore
} // namespace Dcs
