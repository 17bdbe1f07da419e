#include "eventlog.h"

#include "sqlutil.h"
#include "storage.h"

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

bool EventLog::write(WriteContext &context, const EventRecord &record, QString *error)
{
    QSqlQuery &insert = context.prepared(QStringLiteral(
        "INSERT INTO events (ts_ms, tid, uuid, signals, referer, client_ip, declared_ids, "
        "realized_traits, realized_segments, segments_held, errors) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    SqlUtil::bindAll(insert, {record.timeMs ? record.timeMs : SqlUtil::nowMs(), record.tid,
                              record.uuid, SqlUtil::compactJson(record.signalValues),
                              record.referer, record.clientIp,
                              SqlUtil::compactJson(record.declaredIds),
                              SqlUtil::compactJson(record.realizedTraits),
                              SqlUtil::compactJson(record.realizedSegments),
                              SqlUtil::compactJson(record.segmentsHeld),
                              SqlUtil::compactJson(record.errors)});
    return WriteContext::exec(insert, error);
}

quint64 EventLog::append(const EventRecord &record, WriteCallback onDone)
{
    return m_storage.writer().submit(
        [record](WriteContext &context, QString *error) { return write(context, record, error); },
        std::move(onDone));
}

std::optional<EventRecord> EventLog::byTid(const QString &tid) const
{
    const QList<EventRecord> found = select(m_storage.reader(),
                                            QStringLiteral("WHERE tid = ? LIMIT 1"), {tid});
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
