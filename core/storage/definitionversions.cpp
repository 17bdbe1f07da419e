#include "definitionversions.h"

#include "sqlutil.h"

#include <QSqlQuery>

namespace Dcs::DefinitionVersions {

namespace {

QString kindName(DefinitionVersion::Kind kind)
{
    return kind == DefinitionVersion::Kind::Trait ? QStringLiteral("trait")
                                                  : QStringLiteral("segment");
}

QString actionName(DefinitionVersion::Action action)
{
    switch (action) {
    case DefinitionVersion::Action::Create: return QStringLiteral("create");
    case DefinitionVersion::Action::Edit: return QStringLiteral("edit");
    case DefinitionVersion::Action::Delete: return QStringLiteral("delete");
    }
    return {};
}

DefinitionVersion::Action actionFromName(const QString &name)
{
    if (name == QLatin1String("edit"))
        return DefinitionVersion::Action::Edit;
    if (name == QLatin1String("delete"))
        return DefinitionVersion::Action::Delete;
    return DefinitionVersion::Action::Create;
}

QVariant jsonOrNull(const QJsonObject &object)
{
    return object.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                            : QVariant(SqlUtil::compactJson(object));
}

} // namespace

bool record(WriteContext &context, DefinitionVersion::Kind kind, qint64 sid,
            DefinitionVersion::Action action, const QString &author, const QJsonObject &before,
            const QJsonObject &after, QString *error)
{
    QSqlQuery &insert = context.prepared(QStringLiteral(
        "INSERT INTO definition_versions (kind, sid, version, action, author, ts_ms, before, "
        "after) SELECT ?, ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ? "
        "FROM definition_versions WHERE kind = ? AND sid = ?"));
    const QString kindText = kindName(kind);
    SqlUtil::bindAll(insert, {kindText, sid, actionName(action), author, SqlUtil::nowMs(),
                              jsonOrNull(before), jsonOrNull(after), kindText, sid});
    return WriteContext::exec(insert, error);
}

bool removeDefinition(WriteContext &context, DefinitionVersion::Kind kind, qint64 sid,
                      const QJsonObject &before, const QString &author, QString *error)
{
    const QString table = kind == DefinitionVersion::Kind::Trait ? QStringLiteral("traits")
                                                                 : QStringLiteral("segments");
    QSqlQuery query(context.database());
    if (!SqlUtil::run(query, QStringLiteral("DELETE FROM %1 WHERE sid = ?").arg(table), {sid},
                      error))
        return false;
    if (query.numRowsAffected() == 0) {
        *error = QStringLiteral("%1 %2 does not exist").arg(kindName(kind)).arg(sid);
        return false;
    }
    return record(context, kind, sid, DefinitionVersion::Action::Delete, author, before, {},
                  error);
}

QList<DefinitionVersion> history(QSqlDatabase db, DefinitionVersion::Kind kind, qint64 sid)
{
    QSqlQuery query(db);
    QList<DefinitionVersion> versions;
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT version, action, author, ts_ms, before, after "
                                     "FROM definition_versions WHERE kind = ? AND sid = ? "
                                     "ORDER BY version"),
                      {kindName(kind), sid}, nullptr))
        return versions;
    while (query.next()) {
        DefinitionVersion version;
        version.kind = kind;
        version.sid = sid;
        version.version = query.value(0).toInt();
        version.action = actionFromName(query.value(1).toString());
        version.author = query.value(2).toString();
        version.timeMs = query.value(3).toLongLong();
        version.before = SqlUtil::parseObject(query.value(4));
        version.after = SqlUtil::parseObject(query.value(5));
        versions.append(version);
    }
    return versions;
}

QString currentAuthor()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user.isEmpty() ? QStringLiteral("unknown") : user;
}

} // namespace Dcs::DefinitionVersions
