#include "partnerrepository.h"

#include "sqlutil.h"
#include "storage.h"

#include <QJsonArray>
#include <QSqlQuery>
#include <QUuid>

namespace Dcs {

namespace {

const QString kSelect = QStringLiteral(
    "SELECT id, name, description, contact, dpid, integration_code, endpoint, style, "
    "secret_env, secret_ref, timeout_ms, min_budget_ms, max_in_flight, max_rate, needs_id_sync, "
    "forwarded_keys, mode FROM partners");

Partner partnerFromRow(const QSqlQuery &query)
{
    Partner partner;
    partner.id = query.value(0).toLongLong();
    partner.name = query.value(1).toString();
    partner.description = query.value(2).toString();
    partner.contact = query.value(3).toString();
    partner.dpid = query.value(4).toLongLong();
    partner.integrationCode = query.value(5).toString();
    partner.endpoint = query.value(6).toString();
    partnerStyleFromName(query.value(7).toString(), &partner.style);
    partner.secretEnv = query.value(8).toString();
    partner.hasStoredSecret = !query.value(9).isNull();
    partner.timeoutMs = query.value(10).toInt();
    partner.minBudgetMs = query.value(11).toInt();
    partner.maxInFlight = query.value(12).toInt();
    partner.maxRate = query.value(13).toInt();
    partner.needsIdSync = query.value(14).toBool();
    for (const QJsonValue &key : SqlUtil::parseArray(query.value(15)))
        partner.forwardedKeys.append(key.toString());
    partnerModeFromName(query.value(16).toString(), &partner.mode);
    return partner;
}

QList<Partner> select(QSqlDatabase db, const QString &where, const QVariantList &values)
{
    QSqlQuery query(db);
    QList<Partner> partners;
    if (!SqlUtil::run(query, kSelect + where + QStringLiteral(" ORDER BY dpid"), values, nullptr))
        return partners;
    while (query.next())
        partners.append(partnerFromRow(query));
    return partners;
}

std::optional<Partner> first(const QList<Partner> &partners)
{
    return partners.isEmpty() ? std::nullopt : std::optional<Partner>(partners.first());
}

} // namespace

QList<Partner> PartnerRepository::readAll(QSqlDatabase db)
{
    return select(db, {}, {});
}

QList<Partner> PartnerRepository::all() const
{
    return readAll(m_storage.reader());
}

std::optional<Partner> PartnerRepository::byId(qint64 id) const
{
    return first(select(m_storage.reader(), QStringLiteral(" WHERE id = ?"), {id}));
}

std::optional<Partner> PartnerRepository::byDpid(qint64 dpid) const
{
    return first(select(m_storage.reader(), QStringLiteral(" WHERE dpid = ?"), {dpid}));
}

bool PartnerRepository::write(WriteContext &context, Partner &partner, const QString &secretRef,
                              QString *error)
{
    const qint64 now = SqlUtil::nowMs();
    const QVariant integrationCode = partner.integrationCode.isEmpty()
                                         ? QVariant(QMetaType(QMetaType::QString))
                                         : QVariant(partner.integrationCode);
    const QVariant ref = secretRef.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                             : QVariant(secretRef);
    const QVariantList values = {
        partner.name, partner.description, partner.contact, partner.dpid, integrationCode,
        partner.endpoint, partnerStyleName(partner.style), partner.secretEnv, ref,
        partner.timeoutMs, partner.minBudgetMs, partner.maxInFlight, partner.maxRate,
        partner.needsIdSync ? 1 : 0,
        SqlUtil::compactJson(QJsonArray::fromStringList(partner.forwardedKeys)),
        partnerModeName(partner.mode), now};
    QSqlQuery query(context.database());
    if (partner.id == 0) {
        if (!SqlUtil::run(query,
                          QStringLiteral(
                              "INSERT INTO partners (name, description, contact, dpid, "
                              "integration_code, endpoint, style, secret_env, secret_ref, "
                              "timeout_ms, min_budget_ms, max_in_flight, max_rate, needs_id_sync, "
                              "forwarded_keys, mode, updated_ms, created_ms) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                          values + QVariantList{now}, error))
            return false;
        partner.id = query.lastInsertId().toLongLong();
    } else {
        if (!SqlUtil::run(query,
                          QStringLiteral(
                              "UPDATE partners SET name = ?, description = ?, contact = ?, "
                              "dpid = ?, integration_code = ?, endpoint = ?, style = ?, "
                              "secret_env = ?, secret_ref = ?, timeout_ms = ?, min_budget_ms = ?, "
                              "max_in_flight = ?, max_rate = ?, needs_id_sync = ?, "
                              "forwarded_keys = ?, mode = ?, updated_ms = ? WHERE id = ?"),
                          values + QVariantList{partner.id}, error))
            return false;
        if (query.numRowsAffected() != 1) {
            *error = QStringLiteral("partner %1 does not exist").arg(partner.id);
            return false;
        }
    }
    partner.hasStoredSecret = !secretRef.isEmpty();
    return true;
}

QString PartnerRepository::secretRefOf(qint64 id) const
{
    QSqlQuery query(m_storage.reader());
    if (SqlUtil::run(query, QStringLiteral("SELECT secret_ref FROM partners WHERE id = ?"), {id},
                     nullptr)
        && query.next())
        return query.value(0).toString();
    return {};
}

WriteResult PartnerRepository::save(Partner &partner, const std::optional<QByteArray> &secret)
{
    QString secretRef = partner.id ? secretRefOf(partner.id) : QString();
    if (secret) {
        QString error;
        if (secret->isEmpty()) {
            if (!secretRef.isEmpty() && !m_storage.secrets().remove(secretRef, &error))
                return {false, error};
            secretRef.clear();
        } else {
            if (secretRef.isEmpty())
                secretRef = QStringLiteral("partner-")
                            + QUuid::createUuid().toString(QUuid::WithoutBraces);
            if (!m_storage.secrets().store(secretRef, *secret, &error))
                return {false, error};
        }
    }
    return m_storage.writer().writeBack(partner, [&secretRef](WriteContext &context,
                                                             Partner &copy, QString *error) {
        return write(context, copy, secretRef, error);
    });
}

WriteResult PartnerRepository::remove(qint64 id)
{
    const QString secretRef = secretRefOf(id);
    const WriteResult result = m_storage.writer().runAndWait(
        [id](WriteContext &context, QString *error) {
            QSqlQuery query(context.database());
            if (!SqlUtil::run(query, QStringLiteral("DELETE FROM partners WHERE id = ?"), {id},
                              error))
                return false;
            if (query.numRowsAffected() == 0) {
                *error = QStringLiteral("partner %1 does not exist").arg(id);
                return false;
            }
            return true;
        });
    QString ignored;
    if (result.ok && !secretRef.isEmpty())
        m_storage.secrets().remove(secretRef, &ignored);
    return result;
}

std::optional<QByteArray> PartnerRepository::secretFor(const Partner &partner) const
{
    if (partner.hasStoredSecret) {
        if (auto stored = m_storage.secrets().load(secretRefOf(partner.id)))
            return stored;
    }
    if (!partner.secretEnv.isEmpty() && qEnvironmentVariableIsSet(qPrintable(partner.secretEnv)))
        return qgetenv(qPrintable(partner.secretEnv));
    return std::nullopt;
}

} // namespace Dcs
