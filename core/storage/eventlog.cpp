#include "eventlog.h"

#include "sqlutil.h"
#include "storage.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace Dcs {

namespace {

QList<EventRecord> select(QSqlDatabase db, const QString &tail, const QVariantList &values)
{
    QSqlQuery query(db);
    QList<EventRecord> records;
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT id, ts_ms, tid, uuid, signals, referer, client_ip, "
                                     "declared_ids, realized_traits, realized_segments, "
                                     "segments_held, errors FROM events ")
                          + tail,
                      values, nullptr))
        return records;
    while (query.next()) {
        EventRecord record;
        record.id = query.value(0).toLongLong();
        record.timeMs = query.value(1).toLongLong();
        record.tid = query.value(2).toString();
        record.uuid = query.value(3).toString();
        record.signalValues = SqlUtil::parseObject(query.value(4));
        record.referer = query.value(5).toString();
        record.clientIp = query.value(6).toString();
        record.declaredIds = SqlUtil::parseArray(query.value(7));
        record.realizedTraits = SqlUtil::parseArray(query.value(8));
        record.realizedSegments = SqlUtil::parseArray(query.value(9));
        record.segmentsHeld = SqlUtil::parseArray(query.value(10));
        record.errors = SqlUtil::parseArray(query.value(11));
        records.append(record);
    }
    return records;
}

} // namespace

EventRow EventRow::from(const EventRecord &record)
{
    EventRow row;
    row.id = record.id;
    row.timeMs = record.timeMs ? record.timeMs : SqlUtil::nowMs();
    row.tid = record.tid.toUtf8();
    row.uuid = record.uuid.toUtf8();
    row.signalValues = QJsonDocument(record.signalValues).toJson(QJsonDocument::Compact);
    row.referer = record.referer.toUtf8();
    row.clientIp = record.clientIp.toUtf8();
    const auto compact = [](const QJsonArray &array) {
        return QJsonDocument(array).toJson(QJsonDocument::Compact);
    };
    row.declaredIds = compact(record.declaredIds);
    row.realizedTraits = compact(record.realizedTraits);
    row.realizedSegments = compact(record.realizedSegments);
    row.segmentsHeld = compact(record.segmentsHeld);
    row.errors = compact(record.errors);
    return row;
}

bool EventLog::write(WriteContext &context, const EventRow &row, QString *error)
{
    // id NULL = the next row ID (callers that took an ID from EventIds pass it).
    Sqlite::Statement &insert = context.sqliteStatement(
        "INSERT INTO events (id, ts_ms, tid, uuid, signals, referer, client_ip, declared_ids, "
        "realized_traits, realized_segments, segments_held, errors) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (row.id > 0)
        insert.bind(1, row.id);
    else
        insert.bindNull(1);
    insert.bind(2, row.timeMs);
    int index = 3;
    for (const QByteArray *text : {&row.tid, &row.uuid, &row.signalValues, &row.referer,
                                   &row.clientIp, &row.declaredIds, &row.realizedTraits,
                                   &row.realizedSegments, &row.segmentsHeld, &row.errors})
        insert.bind(index++, *text);
    return insert.step(error);
}

quint64 EventLog::append(const EventRecord &record, WriteCallback onDone)
{
    EventRow row = EventRow::from(record);
    if (row.id <= 0) {
        // Row IDs come from EventIds only: an ID SQLite picked itself could be handed out again
        // to a call, whose insert would then fail.
        const EventIds::Allocated ids = m_storage.eventIds().next();
        row.id = ids.id;
        if (row.tid.isEmpty())
            row.tid = ids.tid.toLatin1();
    }
    return m_storage.writer().submit(
        [row = std::move(row)](WriteContext &context, QString *error) {
            return write(context, row, error);
        },
        std::move(onDone));
}

std::optional<EventRecord> EventLog::byTid(const QString &tid) const
{
    // A tid decodes to its row; the stored tid must match too (a tid of another database, or
    // one whose event was never stored, decodes to some other row or none).
    const std::optional<EventIds::Decoded> decoded = m_storage.eventIds().decode(tid);
    if (!decoded)
        return std::nullopt;
    const QList<EventRecord> found = select(m_storage.reader(),
                                            QStringLiteral("WHERE id = ? AND tid = ?"),
                                            {decoded->id, tid});
    return found.isEmpty() ? std::nullopt : std::optional<EventRecord>(found.first());
}

QList<EventRecord> EventLog::forVisitor(const QString &uuid, int limit) const
{
    return select(m_storage.reader(),
                  QStringLiteral("WHERE uuid = ? ORDER BY ts_ms DESC, id DESC LIMIT ?"),
                  {uuid, limit});
}

qint64 EventLog::count() const
{
    QSqlQuery query(m_storage.reader());
    if (query.exec(QStringLiteral("SELECT count(*) FROM events")) && query.next())
        return query.value(0).toLongLong();
    return -1;
}

} // namespace Dcs
