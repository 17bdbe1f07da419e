#include "sqlutil.h"

#include <QDateTime>
#include <QSqlError>

namespace Dcs::SqlUtil {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

void bindAll(QSqlQuery &query, const QVariantList &values)
{
    for (const QVariant &value : values) {
        if (!value.isNull() && value.typeId() == QMetaType::QString && value.toString().isNull())
            query.addBindValue(QString(QLatin1String("")));
        else
            query.addBindValue(value);
    }
}

bool run(QSqlQuery &query, const QString &sql, const QVariantList &values, QString *error)
{
    if (!query.prepare(sql)) {
        if (error)
            *error = QStringLiteral("%1 (in: %2)").arg(query.lastError().text(), sql.simplified());
        return false;
    }
    bindAll(query, values);
    if (query.exec())
        return true;
    if (error)
        *error = QStringLiteral("%1 (in: %2)").arg(query.lastError().text(), sql.simplified());
    return false;
}

QString compactJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString compactJson(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QJsonObject parseObject(const QVariant &value)
{
    return QJsonDocument::fromJson(value.toString().toUtf8()).object();
}

QJsonArray parseArray(const QVariant &value)
{
    return QJsonDocument::fromJson(value.toString().toUtf8()).array();
}

QVariant nullableId(const std::optional<qint64> &id)
{
    return id ? QVariant(*id) : QVariant(QMetaType(QMetaType::LongLong));
}

} // namespace Dcs::SqlUtil
