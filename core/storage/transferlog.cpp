#include "transferlog.h"

#include "common/jsonwriter.h"
#include "sqlutil.h"

#include <QJsonArray>
#include <QSqlQuery>

namespace Dcs::TransferLog {

namespace {

QByteArray codesJson(const QStringList &codes)
{
    QByteArray out;
    JsonWriter json(out);
    json.beginArray();
    for (const QString &code : codes)
        json.value(code);
    json.endArray();
    return out;
}

QStringList codesFrom(const QVariant &value)
{
    QStringList codes;
    for (const QJsonValue &code : SqlUtil::parseArray(value))
        codes.append(code.toString());
    return codes;
}

void bindOptional(Sqlite::Statement &statement, int index, qint64 value, bool present)
{
    if (present)
        statement.bind(index, value);
    else
        statement.bindNull(index);
}

qint32 timingOf(const QVariant &value)
{
    return value.isNull() ? -1 : qint32(value.toLongLong());
}

} // namespace

PreparedRow PreparedRow::from(const TransferRecord &record)
{
    PreparedRow row;
    row.eventId = record.eventId;
    row.startMs = record.startMs;
    row.tid = record.tid.toUtf8();
    row.uuid = record.uuid.toUtf8();
    row.partnerId = record.partnerId;
    row.dpid = record.dpid;
    row.shadow = record.shadow;
    row.deadlineMs = record.deadlineMs;
    row.budgetMs = record.budgetMs;
    row.outcome = QByteArray(transferOutcomeName(record.outcome).data(),
                             transferOutcomeName(record.outcome).size());
    row.reason = record.reason.toUtf8();
    row.httpStatus = record.httpStatus;
    row.codes = codesJson(record.codes);
    row.unsegments = codesJson(record.unsegments);
    row.unmappedCodes = codesJson(record.unmappedCodes);
    row.ttlDays = record.ttlDays;
    row.timings = record.timings;
    row.totalUs = record.totalUs;
    row.lateApplied = record.lateApplied;
    row.requestText = record.requestText;
    row.responseText = record.responseText;
    row.testRunId = record.testRunId;
    return row;
}

bool write(WriteContext &context, const PreparedRow &row, QString *error)
{
    Sqlite::Statement &insert = context.sqliteStatement(
        "INSERT INTO transfers (event_id, ts_ms, tid, uuid, partner_id, dpid, shadow, "
        "deadline_ms, budget_ms, outcome, reason, http_status, codes, unsegments, "
        "unmapped_codes, ttl_days, queue_us, connect_us, tls_us, sent_us, first_byte_us, "
        "last_byte_us, parse_us, total_us, late_applied, request_text, response_text, "
        "test_run_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)");
    bindOptional(insert, 1, row.eventId, row.eventId > 0);
    insert.bind(2, row.startMs);
    insert.bind(3, row.tid);
    insert.bind(4, row.uuid);
    bindOptional(insert, 5, row.partnerId, row.partnerId > 0);
    insert.bind(6, row.dpid);
    insert.bind(7, qint64(row.shadow));
    insert.bind(8, qint64(row.deadlineMs));
    insert.bind(9, qint64(row.budgetMs));
    insert.bind(10, row.outcome);
    insert.bind(11, row.reason);
    bindOptional(insert, 12, row.httpStatus, row.httpStatus > 0);
    insert.bind(13, row.codes);
    insert.bind(14, row.unsegments);
    insert.bind(15, row.unmappedCodes);
    bindOptional(insert, 16, row.ttlDays.value_or(0), row.ttlDays.has_value());
    const qint32 timings[] = {row.timings.queueUs,     row.timings.connectUs,
                              row.timings.tlsUs,       row.timings.sentUs,
                              row.timings.firstByteUs, row.timings.lastByteUs,
                              row.timings.parseUs};
    int index = 17;
    for (const qint32 timing : timings)
        bindOptional(insert, index++, timing, timing >= 0);
    insert.bind(24, qint64(row.totalUs));
    insert.bind(25, qint64(row.lateApplied));
    if (row.requestText.isNull())
        insert.bindNull(26);
    else
        insert.bind(26, row.requestText);
    if (row.responseText.isNull())
        insert.bindNull(27);
    else
        insert.bind(27, row.responseText);
    bindOptional(insert, 28, row.testRunId, row.testRunId > 0);
    return insert.step(error);
}

namespace {

// The WHERE clause of a filter, with its values in order.
struct Conditions
{
    QStringList terms;
    QVariantList values;

    void add(const QString &term, const QVariant &value)
    {
        terms.append(term);
        values.append(value);
    }
    QString where() const
    {
        return terms.isEmpty() ? QString()
                               : QStringLiteral(" WHERE ") + terms.join(QStringLiteral(" AND "));
    }
};

// A LIKE pattern matching `text` anywhere, with LIKE's wildcards and the escape taken literally.
QString containsPattern(const QString &text)
{
    QString pattern;
    pattern.reserve(text.size() + 8);
    pattern += u'%';
    for (const QChar c : text.toLower()) {
        if (c == u'%' || c == u'_' || c == u'\\')
            pattern += u'\\';
        pattern += c;
    }
    pattern += u'%';
    return pattern;
}

// partner-protocol.md: codes are 1-64 of [A-Za-z0-9_.:-].
bool couldBeInACode(const QString &text)
{
    for (const QChar c : text) {
        const bool allowed = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z')
                             || (c >= u'0' && c <= u'9') || c == u'_' || c == u'.' || c == u':'
                             || c == u'-';
        if (!allowed)
            return false;
    }
    return true;
}

Conditions conditionsOf(const Filter &filter)
{
    Conditions where;
    if (filter.dpid)
        where.add(QStringLiteral("t.dpid = ?"), *filter.dpid);
    if (filter.outcome)
        where.add(QStringLiteral("t.outcome = ?"), QString(transferOutcomeName(*filter.outcome)));
    if (!filter.uuid.isEmpty())
        where.add(QStringLiteral("t.uuid = ?"), filter.uuid);
    if (!filter.tid.isEmpty()) {
        where.add(QStringLiteral("t.tid = ?"), filter.tid);
        if (filter.tidEventId)
            where.add(QStringLiteral("(t.event_id = ? OR t.event_id IS NULL)"),
                      *filter.tidEventId);
    }
    if (filter.eventId)
        where.add(QStringLiteral("t.event_id = ?"), *filter.eventId);
    if (filter.testRunId)
        where.add(QStringLiteral("t.test_run_id = ?"), *filter.testRunId);
    if (filter.fromMs > 0)
        where.add(QStringLiteral("t.ts_ms >= ?"), filter.fromMs);
    if (filter.untilMs > 0)
        where.add(QStringLiteral("t.ts_ms < ?"), filter.untilMs);
    if (!filter.text.isEmpty()) {
        QStringList columns = {QStringLiteral("coalesce(p.name, '')"), QStringLiteral("t.uuid"),
                               QStringLiteral("t.tid"), QStringLiteral("t.reason")};
        if (couldBeInACode(filter.text))
            columns += {QStringLiteral("t.codes"), QStringLiteral("t.unsegments")};
        QStringList alternatives;
        const QString pattern = containsPattern(filter.text);
        for (const QString &column : std::as_const(columns)) {
            alternatives.append(QStringLiteral("lower(%1) LIKE ? ESCAPE '\\'").arg(column));
            where.values.append(pattern);
        }
        where.terms.append(u'(' + alternatives.join(QStringLiteral(" OR ")) + u')');
    }
    return where;
}

const QString &selectColumns()
{
    static const QString sql = QStringLiteral(
        "SELECT t.event_id, t.ts_ms, t.tid, t.uuid, t.partner_id, t.dpid, p.name, t.shadow, "
        "t.deadline_ms, t.budget_ms, t.outcome, t.reason, t.http_status, t.codes, t.unsegments, "
        "t.unmapped_codes, t.ttl_days, t.queue_us, t.connect_us, t.tls_us, t.sent_us, "
        "t.first_byte_us, t.last_byte_us, t.parse_us, t.total_us, t.late_applied, "
        "t.request_text, t.response_text, t.test_run_id, t.id "
        "FROM transfers t LEFT JOIN partners p ON p.id = t.partner_id");
    return sql;
}

constexpr int kRowIdColumn = 29;

TransferRecord recordFrom(const QSqlQuery &rows)
{
    TransferRecord record;
    record.eventId = rows.value(0).toLongLong();
    record.startMs = rows.value(1).toLongLong();
    record.tid = rows.value(2).toString();
    record.uuid = rows.value(3).toString();
    record.partnerId = rows.value(4).toLongLong();
    record.dpid = rows.value(5).toLongLong();
    record.partnerName = rows.value(6).toString();
    record.shadow = rows.value(7).toBool();
    record.deadlineMs = rows.value(8).toInt();
    record.budgetMs = rows.value(9).toInt();
    record.outcome = transferOutcomeFromName(rows.value(10).toString())
                         .value_or(TransferOutcome::BadAnswer);
    record.reason = rows.value(11).toString();
    record.httpStatus = rows.value(12).toInt();
    record.codes = codesFrom(rows.value(13));
    record.unsegments = codesFrom(rows.value(14));
    record.unmappedCodes = codesFrom(rows.value(15));
    if (!rows.value(16).isNull())
        record.ttlDays = rows.value(16).toInt();
    record.timings.queueUs = timingOf(rows.value(17));
    record.timings.connectUs = timingOf(rows.value(18));
    record.timings.tlsUs = timingOf(rows.value(19));
    record.timings.sentUs = timingOf(rows.value(20));
    record.timings.firstByteUs = timingOf(rows.value(21));
    record.timings.lastByteUs = timingOf(rows.value(22));
    record.timings.parseUs = timingOf(rows.value(23));
    record.totalUs = qint32(rows.value(24).toLongLong());
    record.lateApplied = rows.value(25).toBool();
    record.requestText = rows.value(26).toByteArray();
    record.responseText = rows.value(27).toByteArray();
    record.testRunId = rows.value(28).toLongLong();
    return record;
}

} // namespace

QList<TransferRecord> query(QSqlDatabase db, const Filter &filter, int limit, int offset,
                            QString *error)
{
    Conditions where = conditionsOf(filter);
    const QString sql = selectColumns() + where.where()
                        + QStringLiteral(" ORDER BY t.ts_ms DESC, t.id DESC LIMIT ? OFFSET ?");
    where.values.append(limit);
    where.values.append(offset);

    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    QList<TransferRecord> records;
    if (!SqlUtil::run(rows, sql, where.values, error))
        return records;
    while (rows.next())
        records.append(recordFrom(rows));
    return records;
}

bool queryPage(QSqlDatabase db, const Filter &filter, Order order, int limit,
               const std::optional<PageKey> &after, Page *page, QString *error)
{
    Conditions where = conditionsOf(filter);
    const bool newestFirst = order == Order::NewestFirst;
    if (after) {
        // The plain bound on ts_ms lets the time index seek; the OR settles ties on the
        // millisecond by row ID.
        where.add(newestFirst ? QStringLiteral("t.ts_ms <= ?") : QStringLiteral("t.ts_ms >= ?"),
                  after->startMs);
        where.terms.append(newestFirst ? QStringLiteral("(t.ts_ms < ? OR t.id < ?)")
                                       : QStringLiteral("(t.ts_ms > ? OR t.id > ?)"));
        where.values.append(after->startMs);
        where.values.append(after->rowId);
    }
    const QString sql = selectColumns() + where.where()
                        + (newestFirst ? QStringLiteral(" ORDER BY t.ts_ms DESC, t.id DESC")
                                       : QStringLiteral(" ORDER BY t.ts_ms ASC, t.id ASC"))
                        + QStringLiteral(" LIMIT ?");
    where.values.append(limit + 1); // one more than asked says whether another page follows

    page->records.clear();
    page->next.reset();
    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    if (!SqlUtil::run(rows, sql, where.values, error))
        return false;
    PageKey last;
    while (rows.next()) {
        if (page->records.size() == limit) {
            page->next = last;
            break;
        }
        page->records.append(recordFrom(rows));
        last = {page->records.constLast().startMs, rows.value(kRowIdColumn).toLongLong()};
    }
    return true;
}

bool count(QSqlDatabase db, const Filter &filter, qint64 *count, QString *error)
{
    const Conditions where = conditionsOf(filter);
    // The join is only for the text filter's partner name; without it, count the index alone.
    const QString from = filter.text.isEmpty()
                             ? QStringLiteral("SELECT count(*) FROM transfers t")
                             : QStringLiteral("SELECT count(*) FROM transfers t "
                                              "LEFT JOIN partners p ON p.id = t.partner_id");
    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    if (!SqlUtil::run(rows, from + where.where(), where.values, error))
        return false;
    *count = rows.next() ? rows.value(0).toLongLong() : 0;
    return true;
}

} // namespace Dcs::TransferLog
