#include "segmentrepository.h"

#include "definitionjson.h"
#include "sqlutil.h"
#include "storage.h"

#include <QSqlQuery>

namespace Dcs {

namespace {

QJsonArray destinationsJson(const Segment &segment)
{
    return DefinitionJson::toJson(segment).value(QStringLiteral("destinations")).toArray();
}

QList<Segment> select(QSqlDatabase db, const QString &where, const QVariantList &values)
{
    QSqlQuery query(db);
    QList<Segment> segments;
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT sid, name, description, folder_id, integration_code, "
                                     "data_source, rule, destinations, status FROM segments")
                          + where + QStringLiteral(" ORDER BY sid"),
                      values, nullptr))
        return segments;
    while (query.next()) {
        // Destinations are stored in the file form; read them back through the file reader.
        QJsonObject object = DefinitionJson::toJson(Segment{});
        object.insert(QStringLiteral("sid"), query.value(0).toDouble());
        object.insert(QStringLiteral("name"), query.value(1).toString());
        object.insert(QStringLiteral("description"), query.value(2).toString());
        object.insert(QStringLiteral("folder"), query.value(3).toDouble());
        object.insert(QStringLiteral("integration_code"), query.value(4).toString());
        object.insert(QStringLiteral("data_source"), query.value(5).toDouble());
        object.insert(QStringLiteral("rule"), query.value(6).toString());
        object.insert(QStringLiteral("destinations"), SqlUtil::parseArray(query.value(7)));
        object.insert(QStringLiteral("status"), query.value(8).toString());
        QList<JsonIssue> ignored;
        segments.append(DefinitionJson::segmentFromJson(object, QStringLiteral("$"), &ignored));
    }
    return segments;
}

} // namespace

QList<Segment> SegmentRepository::readAll(QSqlDatabase db)
{
    return select(db, {}, {});
}

std::optional<Segment> SegmentRepository::read(QSqlDatabase db, qint64 sid)
{
    const QList<Segment> found = select(db, QStringLiteral(" WHERE sid = ?"), {sid});
    return found.isEmpty() ? std::nullopt : std::optional<Segment>(found.first());
}

QList<Segment> SegmentRepository::all() const
{
    return readAll(m_storage.reader());
}

std::optional<Segment> SegmentRepository::bySid(qint64 sid) const
{
    return read(m_storage.reader(), sid);
}

QList<DefinitionVersion> SegmentRepository::history(qint64 sid) const
{
    return DefinitionVersions::history(m_storage.reader(), DefinitionVersion::Kind::Segment, sid);
}

bool SegmentRepository::write(WriteContext &context, Segment &segment, const QString &author,
                              QString *error)
{
    const std::optional<Segment> before = segment.sid ? read(context.database(), segment.sid)
                                                      : std::nullopt;
    const qint64 now = SqlUtil::nowMs();
    const QVariantList fields = {
        segment.name,       segment.description,
        segment.folderId,   segment.integrationCode,
        segment.dataSource, segment.rule,
        SqlUtil::compactJson(destinationsJson(segment)),
        segment.active ? QStringLiteral("active") : QStringLiteral("inactive"),
        now};
    QSqlQuery query(context.database());
    if (before) {
        if (!SqlUtil::run(query,
                          QStringLiteral("UPDATE segments SET name = ?, description = ?, "
                                         "folder_id = ?, integration_code = ?, data_source = ?, "
                                         "rule = ?, destinations = ?, status = ?, updated_ms = ? "
                                         "WHERE sid = ?"),
                          fields + QVariantList{segment.sid}, error))
            return false;
    } else {
        const QVariant sid = segment.sid ? QVariant(segment.sid)
                                         : QVariant(QMetaType(QMetaType::LongLong));
        if (!SqlUtil::run(query,
                          QStringLiteral("INSERT INTO segments (name, description, folder_id, "
                                         "integration_code, data_source, rule, destinations, "
                                         "status, updated_ms, created_ms, sid) "
                                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                          fields + QVariantList{now, sid}, error))
            return false;
        segment.sid = query.lastInsertId().toLongLong();
    }
    return DefinitionVersions::record(
        context, DefinitionVersion::Kind::Segment, segment.sid,
        before ? DefinitionVersion::Action::Edit : DefinitionVersion::Action::Create, author,
        before ? DefinitionJson::toJson(*before) : QJsonObject(), DefinitionJson::toJson(segment),
        error);
}

WriteResult SegmentRepository::save(Segment &segment, const QString &author)
{
    return m_storage.writer().writeBack(segment, [&author](WriteContext &context,
                                                          Segment &copy, QString *error) {
        return write(context, copy, author, error);
    });
}

WriteResult SegmentRepository::remove(qint64 sid, const QString &author)
{
    return m_storage.writer().runAndWait([sid, &author](WriteContext &context, QString *error) {
        const std::optional<Segment> before = read(context.database(), sid);
        return DefinitionVersions::removeDefinition(
            context, DefinitionVersion::Kind::Segment, sid,
            before ? DefinitionJson::toJson(*before) : QJsonObject(), author, error);
    });
}

} // namespace Dcs
