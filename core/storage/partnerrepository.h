#pragma once

#include "partners/partner.h"
#include "storagewriter.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace Dcs {

class Storage;

// Registered partners. Secrets go to the Storage's SecretStore under a key kept in the row; the
// row itself never holds one.
class PartnerRepository
{
public:
    explicit PartnerRepository(Storage &storage) : m_storage(storage) {}

    QList<Partner> all() const; // ordered by DPID
    std::optional<Partner> byId(qint64 id) const;
    std::optional<Partner> byDpid(qint64 dpid) const;

    // Inserts (id 0) or updates `partner`; on success `partner.id` is set. A non-null `secret`
    // replaces the stored secret; an empty one removes it.
    WriteResult save(Partner &partner, const std::optional<QByteArray> &secret = std::nullopt);
    WriteResult remove(qint64 id);

    // The secret to sign with: the stored one, else the environment variable named by secretEnv.
    std::optional<QByteArray> secretFor(const Partner &partner) const;

    // Building blocks for other jobs on the writer thread (workspace import).
    static QList<Partner> readAll(QSqlDatabase db);
    static bool write(WriteContext &context, Partner &partner, const QString &secretRef,
                      QString *error);

private:
    QString secretRefOf(qint64 id) const;

    Storage &m_storage;
};

} // namespace Dcs
