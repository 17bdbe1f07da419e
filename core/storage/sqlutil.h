#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <optional>

// Small helpers shared by the repositories (internal to core/storage).
namespace Dcs::SqlUtil {

qint64 nowMs();

// Binds `values` in order. A null QString binds as '' (Qt would bind SQL NULL); to bind NULL on
// purpose pass a typed null, e.g. QVariant(QMetaType(QMetaType::QString)).
void bindAll(QSqlQuery &query, const QVariantList &values);

// Prepares and runs `sql` with positional `values` on `db`; `error` gets the driver's message.
bool run(QSqlQuery &query, const QString &sql, const QVariantList &values, QString *error);

QString compactJson(const QJsonObject &object);
QString compactJson(const QJsonArray &array);
QJsonObject parseObject(const QVariant &value);
QJsonArray parseArray(const QVariant &value);

QVariant nullableId(const std::optional<qint64> &id);

} // namespace Dcs::SqlUtil
