#include "settingsrepository.h"

#include "definitionjson.h"
#include "sqlutil.h"
#include "storage.h"

#include <QSqlQuery>

namespace Dcs {

WorkspaceSettings SettingsRepository::read(QSqlDatabase db)
{
    QJsonObject object;
    QSqlQuery query(db);
    if (query.exec(QStringLiteral("SELECT name, value FROM workspace_settings"))) {
        while (query.next())
            object.insert(query.value(0).toString(), query.value(1).toLongLong());
    }
    // Unknown or out-of-range rows fall back to defaults rather than breaking start-up.
    QList<JsonIssue> ignored;
    return DefinitionJson::settingsFromJson(object, QStringLiteral("$.settings"), &ignored);
}

bool SettingsRepository::write(WriteContext &context, const WorkspaceSettings &settings,
                               QString *error)
{
    const QJsonObject object = DefinitionJson::toJson(settings);
    QSqlQuery &upsert = context.prepared(QStringLiteral(
        "INSERT INTO workspace_settings (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value"));
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        SqlUtil::bindAll(upsert, {it.key(), QString::number(it.value().toInteger())});
        if (!WriteContext::exec(upsert, error))
            return false;
    }
    return true;
}

WorkspaceSettings SettingsRepository::load() const
{
    return read(m_storage.reader());
}

WriteResult SettingsRepository::save(const WorkspaceSettings &settings)
{
    return m_storage.writer().runAndWait([settings](WriteContext &context, QString *error) {
        return write(context, settings, error);
    });
}

} // namespace Dcs
