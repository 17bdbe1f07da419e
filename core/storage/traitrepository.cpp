#include "traitrepository.h"

#include "definitionjson.h"
#include "sqlutil.h"
#include "storage.h"

#include <QSqlQuery>

namespace Dcs {

namespace {

QList<Trait> select(QSqlDatabase db, const QString &where, const QVariantList &values)
{
    QSqlQuery query(db);
    QList<Trait> traits;
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT sid, name, type, folder_id, data_source, "
                                     "integration_code, description, rule, ttl_days FROM traits")
                          + where + QStringLiteral(" ORDER BY sid"),
                      values, nullptr))
        return traits;
    while (query.next()) {
        Trait trait;
        trait.sid = query.value(0).toLongLong();
        trait.name = query.value(1).toString();
        traitTypeFromName(query.value(2).toString(), &trait.type);
        trait.folderId = query.value(3).toLongLong();
        trait.dataSource = query.value(4).toLongLong();
        trait.integrationCode = query.value(5).toString();
        trait.description = query.value(6).toString();
        trait.rule = query.value(7).toString();
        trait.ttlDays = query.value(8).toInt();
        traits.append(trait);
    }
    return traits;
}

} // namespace

QList<Trait> TraitRepository::readAll(QSqlDatabase db)
{
    return select(db, {}, {});
}

std::optional<Trait> TraitRepository::read(QSqlDatabase db, qint64 sid)
{
    const QList<Trait> found = select(db, QStringLiteral(" WHERE sid = ?"), {sid});
    return found.isEmpty() ? std::nullopt : std::optional<Trait>(found.first());
}

QList<Trait> TraitRepository::all() const
{
    return readAll(m_storage.reader());
}

std::optional<Trait> TraitRepository::bySid(qint64 sid) const
{
    return read(m_storage.reader(), sid);
}

QList<DefinitionVersion> TraitRepository::history(qint64 sid) const
{
    return DefinitionVersions::history(m_storage.reader(), DefinitionVersion::Kind::Trait, sid);
}

bool TraitRepository::write(WriteContext &context, Trait &trait, const QString &author,
                            QString *error)
{
    const std::optional<Trait> before = trait.sid ? read(context.database(), trait.sid)
                                                  : std::nullopt;
    const qint64 now = SqlUtil::nowMs();
    const QVariantList fields = {trait.name,        traitTypeName(trait.type), trait.folderId,
                                 trait.dataSource,  trait.integrationCode,     trait.description,
                                 trait.rule,        trait.ttlDays,             now};
    QSqlQuery query(context.database());
    if (before) {
        if (!SqlUtil::run(query,
                          QStringLiteral("UPDATE traits SET name = ?, type = ?, folder_id = ?, "
                                         "data_source = ?, integration_code = ?, "
                                         "description = ?, rule = ?, ttl_days = ?, "
                                         "updated_ms = ? WHERE sid = ?"),
                          fields + QVariantList{trait.sid}, error))
            return false;
    } else {
        if (!SqlUtil::run(query,
                          QStringLiteral("INSERT INTO traits (name, type, folder_id, "
                                         "data_source, integration_code, description, rule, "
                                         "ttl_days, updated_ms, created_ms, sid) "
                                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                          fields + QVariantList{now, trait.sid ? QVariant(trait.sid)
                                                               : QVariant(QMetaType(
                                                                     QMetaType::LongLong))},
                          error))
            return false;
        trait.sid = query.lastInsertId().toLongLong();
    }
    return DefinitionVersions::record(
        context, DefinitionVersion::Kind::Trait, trait.sid,
        before ? DefinitionVersion::Action::Edit : DefinitionVersion::Action::Create, author,
        before ? DefinitionJson::toJson(*before) : QJsonObject(), DefinitionJson::toJson(trait),
        error);
}

WriteResult TraitRepository::save(Trait &trait, const QString &author)
{
    return m_storage.writer().writeBack(trait, [&author](WriteContext &context, Trait &copy,
                                                        QString *error) {
        return write(context, copy, author, error);
    });
}

WriteResult TraitRepository::remove(qint64 sid, const QString &author)
{
    return m_storage.writer().runAndWait([sid, &author](WriteContext &context, QString *error) {
        const std::optional<Trait> before = read(context.database(), sid);
        return DefinitionVersions::removeDefinition(
            context, DefinitionVersion::Kind::Trait, sid,
            before ? DefinitionJson::toJson(*before) : QJsonObject(), author, error);
    });
}

} // namespace Dcs
