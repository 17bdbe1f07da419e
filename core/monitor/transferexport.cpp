#include "transferexport.h"

#include "common/jsonwriter.h"

#include <QDateTime>
#include <QFileInfo>
#include <QSaveFile>

namespace Dcs {

namespace {

// One exported field: its name, and its value as text (null: does not apply).
struct Field
{
    enum Kind { Text, Number, Boolean, Codes };

    Field(const char *fieldName, Kind fieldKind)
        : name(fieldName)
        , kind(fieldKind)
    {
    }

    QLatin1StringView name;
    Kind kind = Text;
    QString text;
    qint64 number = 0;
    bool present = true;
    bool flag = false;
    QStringList codes;
};

Field text(const char *name, const QString &value)
{
    Field field(name, Field::Text);
    field.text = value;
    return field;
}

Field number(const char *name, qint64 value, bool present = true)
{
    Field field(name, Field::Number);
    field.number = value;
    field.present = present;
    return field;
}

Field boolean(const char *name, bool value)
{
    Field field(name, Field::Boolean);
    field.flag = value;
    return field;
}

Field codes(const char *name, const QStringList &value)
{
    Field field(name, Field::Codes);
    field.codes = value;
    return field;
}

Field timing(const char *name, qint32 micros)
{
    return number(name, micros, micros >= 0);
}

// The timing phases, in the order they happen.
QList<Field> timingFields(const TransferRecord &r)
{
    return {timing("queue_us", r.timings.queueUs),
            timing("connect_us", r.timings.connectUs),
            timing("tls_us", r.timings.tlsUs),
            timing("sent_us", r.timings.sentUs),
            timing("first_byte_us", r.timings.firstByteUs),
            timing("last_byte_us", r.timings.lastByteUs),
            timing("parse_us", r.timings.parseUs)};
}

// Every field but the timing phases and the texts, in export order; the phases go after
// total_us.
QList<Field> leadingFields(const TransferRecord &r)
{
    return {text("start_time", TransferExporter::isoTime(r.startMs)),
            text("tid", r.tid),
            text("uuid", r.uuid),
            text("partner", r.partnerName),
            number("dpid", r.dpid),
            number("partner_id", r.partnerId, r.partnerId > 0),
            boolean("shadow", r.shadow),
            number("event_id", r.eventId, r.eventId > 0),
            number("test_run_id", r.testRunId, r.testRunId > 0),
            text("outcome", QString(transferOutcomeName(r.outcome))),
            text("reason", r.reason),
            number("http_status", r.httpStatus, r.httpStatus > 0),
            number("deadline_ms", r.deadlineMs),
            number("budget_ms", r.budgetMs, r.budgetMs > 0),
            number("total_us", r.totalUs)};
}

QList<Field> trailingFields(const TransferRecord &r)
{
    return {codes("codes", r.codes),
            codes("unsegments", r.unsegments),
            codes("unmapped_codes", r.unmappedCodes),
            number("ttl_days", r.ttlDays.value_or(0), r.ttlDays.has_value()),
            boolean("late_applied", r.lateApplied)};
}

QString csvText(const Field &field)
{
    if (!field.present)
        return {};
    switch (field.kind) {
    case Field::Text: return field.text;
    case Field::Number: return QString::number(field.number);
    case Field::Boolean: return field.flag ? QStringLiteral("true") : QStringLiteral("false");
    case Field::Codes: return field.codes.join(u' ');
    }
    return {};
}

void appendJson(QByteArray &out, const Field &field)
{
    JsonWriter::appendString(out, field.name);
    out += ':';
    if (!field.present) {
        out += "null";
        return;
    }
    switch (field.kind) {
    case Field::Text: JsonWriter::appendString(out, field.text); break;
    case Field::Number: out += QByteArray::number(field.number); break;
    case Field::Boolean: out += field.flag ? "true" : "false"; break;
    case Field::Codes: {
        out += '[';
        for (qsizetype i = 0; i < field.codes.size(); ++i) {
            if (i > 0)
                out += ',';
            JsonWriter::appendString(out, field.codes.at(i));
        }
        out += ']';
        break;
    }
    }
}

void appendJsonFields(QByteArray &out, const QList<Field> &fields)
{
    for (const Field &field : fields) {
        out += ',';
        appendJson(out, field);
    }
}

// Bytes kept as stored: the request and answer are text (HTTP/1.1 heads and JSON or plain
// bodies); anything not UTF-8 in them becomes U+FFFD.
void appendJsonText(QByteArray &out, const char *name, const QByteArray &bytes)
{
    Field field = text(name, QString::fromUtf8(bytes));
    field.present = !bytes.isNull();
    out += ',';
    appendJson(out, field);
}

} // namespace

QString TransferExporter::isoTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC)
        .toString(Qt::ISODateWithMs);
}

QByteArray TransferExporter::csvField(const QString &value)
{
    QString cell = value;
    if (!cell.isEmpty()) {
        const QChar first = cell.front();
        if (first == u'=' || first == u'+' || first == u'-' || first == u'@' || first == u'\t'
            || first == u'\r')
            cell.prepend(u'\'');
    }
    const bool quote = cell.contains(u',') || cell.contains(u'"') || cell.contains(u'\n')
                       || cell.contains(u'\r');
    if (!quote)
        return cell.toUtf8();
    cell.replace(u'"', QStringLiteral("\"\""));
    return '"' + cell.toUtf8() + '"';
}

QStringList TransferExporter::csvColumns()
{
    const TransferRecord none;
    QStringList names;
    for (const QList<Field> &fields :
         {leadingFields(none), timingFields(none), trailingFields(none)}) {
        for (const Field &field : fields)
            names.append(QString(field.name));
    }
    return names;
}

QByteArray TransferExporter::begin()
{
    m_first = true;
    if (m_format == Format::Json)
        return QByteArrayLiteral("[");
    QByteArray header;
    const QStringList columns = csvColumns();
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (i > 0)
            header += ',';
        header += csvField(columns.at(i));
    }
    return header + "\r\n";
}

QByteArray TransferExporter::row(const TransferRecord &record)
{
    QByteArray out;
    const QList<Field> leading = leadingFields(record);
    const QList<Field> timings = timingFields(record);
    const QList<Field> trailing = trailingFields(record);
    if (m_format == Format::Csv) {
        bool first = true;
        for (const QList<Field> *fields : {&leading, &timings, &trailing}) {
            for (const Field &field : *fields) {
                if (!first)
                    out += ',';
                first = false;
                out += csvField(csvText(field));
            }
        }
        out += "\r\n";
        return out;
    }
    out += m_first ? "\n{" : ",\n{";
    m_first = false;
    appendJson(out, leading.first());
    appendJsonFields(out, leading.mid(1));
    out += ",\"timings\":{";
    appendJson(out, timings.first());
    appendJsonFields(out, timings.mid(1));
    out += '}';
    appendJsonFields(out, trailing);
    appendJsonText(out, "request_text", record.requestText);
    appendJsonText(out, "response_text", record.responseText);
    out += '}';
    return out;
}

QByteArray TransferExporter::end()
{
    if (m_format == Format::Json)
        return m_first ? QByteArrayLiteral("]\n") : QByteArrayLiteral("\n]\n");
    return {};
}

QByteArray TransferExporter::toCsv(const QList<TransferRecord> &records)
{
    TransferExporter exporter(Format::Csv);
    QByteArray out = exporter.begin();
    for (const TransferRecord &record : records)
        out += exporter.row(record);
    return out + exporter.end();
}

QByteArray TransferExporter::toJson(const QList<TransferRecord> &records)
{
    TransferExporter exporter(Format::Json);
    QByteArray out = exporter.begin();
    for (const TransferRecord &record : records)
        out += exporter.row(record);
    return out + exporter.end();
}

std::optional<TransferExporter::Format> TransferExporter::formatForPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix();
    if (suffix.compare(QLatin1StringView("csv"), Qt::CaseInsensitive) == 0)
        return Format::Csv;
    if (suffix.compare(QLatin1StringView("json"), Qt::CaseInsensitive) == 0)
        return Format::Json;
    return std::nullopt;
}

bool TransferExporter::writeFile(const QString &path, Format format,
                                 const QList<TransferRecord> &records, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    TransferExporter exporter(format);
    bool ok = file.write(exporter.begin()) >= 0;
    for (qsizetype i = 0; ok && i < records.size(); ++i)
        ok = file.write(exporter.row(records.at(i))) >= 0;
    ok = ok && file.write(exporter.end()) >= 0;
    if (!ok || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

} // namespace Dcs
