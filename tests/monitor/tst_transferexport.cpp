// Transfer exports: CSV read back with an independent RFC 4180 reader, JSON with QJsonDocument,
// both with values chosen to break naive writers (separators, quotes, line breaks, non-ASCII,
// spreadsheet formulas).
#include "monitor/transferexport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;

namespace {

constexpr qint64 kT0 = 1'763'820'000'123; // 2025-11-22T14:00:00.123Z

// RFC 4180 as a spreadsheet reads it: records end with CRLF; a quoted field may hold anything,
// "" being one quote. Fails the test (returns {}) on anything malformed.
QList<QStringList> readCsv(const QByteArray &bytes, bool *ok)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> records;
    QStringList record;
    QString field;
    *ok = true;
    qsizetype i = 0;
    bool quoted = false;
    bool afterQuote = false;
    while (i < text.size()) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"') {
                if (i + 1 < text.size() && text.at(i + 1) == u'"') {
                    field += u'"';
                    i += 2;
                    continue;
                }
                quoted = false;
                afterQuote = true;
            } else {
                field += c;
            }
            ++i;
            continue;
        }
        if (c == u'"') {
            if (!field.isEmpty() || afterQuote)
                *ok = false; // a quote inside an unquoted field
            quoted = true;
        } else if (c == u',') {
            record.append(field);
            field.clear();
            afterQuote = false;
        } else if (c == u'\r') {
            if (i + 1 >= text.size() || text.at(i + 1) != u'\n')
                *ok = false; // a bare CR outside quotes
            record.append(field);
            records.append(record);
            record.clear();
            field.clear();
            afterQuote = false;
            ++i; // the LF
        } else if (c == u'\n') {
            *ok = false; // a bare LF outside quotes
        } else {
            if (afterQuote)
                *ok = false;
            field += c;
        }
        ++i;
    }
    if (quoted || !field.isEmpty() || !record.isEmpty())
        *ok = false; // unterminated
    return records;
}

TransferRecord hostileRecord()
{
    TransferRecord r;
    r.eventId = 42;
    r.startMs = kT0;
    r.tid = QStringLiteral("+AbCdEfGhIjK");
    r.uuid = QStringLiteral("=HYPERLINK(\"http://evil\",\"click\")");
    r.partnerId = 3;
    r.dpid = 1955;
    r.partnerName = QStringLiteral("Acme, \"Data\" \u65e5\u672c \U0001F600");
    r.shadow = true;
    r.deadlineMs = 100;
    r.budgetMs = 62;
    r.outcome = TransferOutcome::HttpError;
    r.reason = QStringLiteral("status 503\r\nRetry-After: 1\nline three");
    r.httpStatus = 503;
    r.codes = {QStringLiteral("-neg"), QStringLiteral("a.b:c_d")};
    r.unsegments = {QStringLiteral("@old")};
    r.unmappedCodes = {QStringLiteral("a.b:c_d")};
    r.ttlDays = 0;
    r.timings = {10, 20, -1, 40, 1500, 1600, 1700};
    r.totalUs = 1800;
    r.lateApplied = false;
    r.requestText = "POST /lookup HTTP/1.1\r\nX-DCS-Signature: sha256=***\r\n\r\n"
                    "{\"uuid\":\"=1+1\",\"c\":\"Z\xc3\xbcrich\"}";
    r.responseText = "HTTP/1.1 503 Service Unavailable\r\n\r\n";
    r.testRunId = 0;
    return r;
}

// Not called: no status, no budget, no phase reached, no TTL, no texts.
TransferRecord skippedRecord()
{
    TransferRecord r;
    r.startMs = kT0 + 1;
    r.tid = QStringLiteral("AAAAAAAAAAAA");
    r.uuid = QStringLiteral("visitor-2");
    r.dpid = 2001;
    r.deadlineMs = 100;
    r.outcome = TransferOutcome::Skipped;
    r.reason = QStringLiteral("@budget 3 ms");
    r.testRunId = 9;
    return r;
}

const QStringList &expectedColumns()
{
    static const QStringList columns = {
        QStringLiteral("start_time"),  QStringLiteral("tid"),
        QStringLiteral("uuid"),        QStringLiteral("partner"),
        QStringLiteral("dpid"),        QStringLiteral("partner_id"),
        QStringLiteral("shadow"),      QStringLiteral("event_id"),
        QStringLiteral("test_run_id"), QStringLiteral("outcome"),
        QStringLiteral("reason"),      QStringLiteral("http_status"),
        QStringLiteral("deadline_ms"), QStringLiteral("budget_ms"),
        QStringLiteral("total_us"),    QStringLiteral("queue_us"),
        QStringLiteral("connect_us"),  QStringLiteral("tls_us"),
        QStringLiteral("sent_us"),     QStringLiteral("first_byte_us"),
        QStringLiteral("last_byte_us"), QStringLiteral("parse_us"),
        QStringLiteral("codes"),       QStringLiteral("unsegments"),
        QStringLiteral("unmapped_codes"), QStringLiteral("ttl_days"),
        QStringLiteral("late_applied"),
    };
    return columns;
}

} // namespace

class tst_TransferExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void csvField_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QByteArray>("cell");
        const auto row = [](const char *name, const QString &value, const QByteArray &cell) {
            QTest::newRow(name) << value << cell;
        };
        row("plain", QStringLiteral("plain"), "plain");
        row("empty", QString(), "");
        row("comma", QStringLiteral("a,b"), "\"a,b\"");
        row("quotes", QStringLiteral("say \"hi\""), "\"say \"\"hi\"\"\"");
        row("LF", QStringLiteral("one\ntwo"), "\"one\ntwo\"");
        row("CRLF", QStringLiteral("one\r\ntwo"), "\"one\r\ntwo\"");
        row("unicode", QStringLiteral("\u65e5\u672c \U0001F600"),
            "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
        row("formula =", QStringLiteral("=1+1"), "'=1+1");
        row("formula +", QStringLiteral("+AbC"), "'+AbC");
        row("formula -", QStringLiteral("-2+3"), "'-2+3");
        row("formula @", QStringLiteral("@SUM(A1)"), "'@SUM(A1)");
        row("formula tab", QStringLiteral("\t=1"), "'\t=1");
        row("formula CR", QStringLiteral("\r=1"), "\"'\r=1\"");
        row("formula with quotes and commas", QStringLiteral("=HYPERLINK(\"u\",\"t\")"),
            "\"'=HYPERLINK(\"\"u\"\",\"\"t\"\")\"");
        row("sign inside is fine", QStringLiteral("a=b-c"), "a=b-c");
        row("apostrophe first is kept", QStringLiteral("'quoted"), "'quoted");
    }

    void csvField()
    {
        QFETCH(QString, value);
        QFETCH(QByteArray, cell);
        QCOMPARE(TransferExporter::csvField(value), cell);
    }

    void isoTimeIsUtcWithMilliseconds()
    {
        QCOMPARE(TransferExporter::isoTime(kT0), QStringLiteral("2025-11-22T14:00:00.123Z"));
        QCOMPARE(TransferExporter::isoTime(0), QStringLiteral("1970-01-01T00:00:00.000Z"));
    }

    void csvReadsBackField_by_field()
    {
        const QByteArray csv = TransferExporter::toCsv({hostileRecord(), skippedRecord()});
        QVERIFY(csv.endsWith("\r\n"));
        QVERIFY(!csv.startsWith("\xef\xbb\xbf")); // no byte order mark
        bool ok = false;
        const QList<QStringList> rows = readCsv(csv, &ok);
        QVERIFY2(ok, csv.constData());
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows.at(0), expectedColumns());
        QCOMPARE(TransferExporter::csvColumns(), expectedColumns());

        const QStringList hostile = {
            QStringLiteral("2025-11-22T14:00:00.123Z"),
            QStringLiteral("'+AbCdEfGhIjK"),
            QStringLiteral("'=HYPERLINK(\"http://evil\",\"click\")"),
            QStringLiteral("Acme, \"Data\" \u65e5\u672c \U0001F600"),
            QStringLiteral("1955"),
            QStringLiteral("3"),
            QStringLiteral("true"),
            QStringLiteral("42"),
            QString(), // no onboarding run
            QStringLiteral("http-error"),
            QStringLiteral("status 503\r\nRetry-After: 1\nline three"),
            QStringLiteral("503"),
            QStringLiteral("100"),
            QStringLiteral("62"),
            QStringLiteral("1800"),
            QStringLiteral("10"),
            QStringLiteral("20"),
            QString(), // no TLS
            QStringLiteral("40"),
            QStringLiteral("1500"),
            QStringLiteral("1600"),
            QStringLiteral("1700"),
            QStringLiteral("'-neg a.b:c_d"),
            QStringLiteral("'@old"),
            QStringLiteral("a.b:c_d"),
            QStringLiteral("0"), // a TTL of 0 days is a value
            QStringLiteral("false"),
        };
        QCOMPARE(rows.at(1), hostile);

        QStringList skipped(expectedColumns().size());
        skipped[0] = QStringLiteral("2025-11-22T14:00:00.124Z");
        skipped[1] = QStringLiteral("AAAAAAAAAAAA");
        skipped[2] = QStringLiteral("visitor-2");
        skipped[4] = QStringLiteral("2001");
        skipped[6] = QStringLiteral("false");
        skipped[8] = QStringLiteral("9");
        skipped[9] = QStringLiteral("skipped");
        skipped[10] = QStringLiteral("'@budget 3 ms");
        skipped[12] = QStringLiteral("100");
        skipped[14] = QStringLiteral("0");
        skipped[26] = QStringLiteral("false");
        QCOMPARE(rows.at(2), skipped);
        // The texts are for JSON only.
        QVERIFY(!csv.contains("X-DCS-Signature"));
    }

    void jsonReadsBack()
    {
        const QByteArray json = TransferExporter::toJson({hostileRecord(), skippedRecord()});
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
        QVERIFY2(parseError.error == QJsonParseError::NoError,
                 qPrintable(parseError.errorString()));
        QVERIFY(document.isArray());
        const QJsonArray array = document.array();
        QCOMPARE(array.size(), 2);

        const QJsonObject hostile = array.at(0).toObject();
        QCOMPARE(hostile.value(u"start_time").toString(),
                 QStringLiteral("2025-11-22T14:00:00.123Z"));
        // Values as they are: no apostrophe in JSON.
        QCOMPARE(hostile.value(u"tid").toString(), QStringLiteral("+AbCdEfGhIjK"));
        QCOMPARE(hostile.value(u"uuid").toString(), hostileRecord().uuid);
        QCOMPARE(hostile.value(u"partner").toString(), hostileRecord().partnerName);
        QCOMPARE(hostile.value(u"reason").toString(), hostileRecord().reason);
        QCOMPARE(hostile.value(u"dpid").toInteger(), qint64(1955));
        QCOMPARE(hostile.value(u"partner_id").toInteger(), qint64(3));
        QCOMPARE(hostile.value(u"shadow").toBool(), true);
        QCOMPARE(hostile.value(u"event_id").toInteger(), qint64(42));
        QVERIFY(hostile.value(u"test_run_id").isNull());
        QCOMPARE(hostile.value(u"outcome").toString(), QStringLiteral("http-error"));
        QCOMPARE(hostile.value(u"http_status").toInteger(), qint64(503));
        QCOMPARE(hostile.value(u"deadline_ms").toInteger(), qint64(100));
        QCOMPARE(hostile.value(u"budget_ms").toInteger(), qint64(62));
        QCOMPARE(hostile.value(u"total_us").toInteger(), qint64(1800));
        QCOMPARE(hostile.value(u"codes").toArray(),
                 QJsonArray({QStringLiteral("-neg"), QStringLiteral("a.b:c_d")}));
        QCOMPARE(hostile.value(u"unsegments").toArray(), QJsonArray({QStringLiteral("@old")}));
        QCOMPARE(hostile.value(u"unmapped_codes").toArray(),
                 QJsonArray({QStringLiteral("a.b:c_d")}));
        QVERIFY(hostile.value(u"ttl_days").isDouble());
        QCOMPARE(hostile.value(u"ttl_days").toInteger(), qint64(0));
        QCOMPARE(hostile.value(u"late_applied").toBool(), false);
        QCOMPARE(hostile.value(u"request_text").toString().toUtf8(), hostileRecord().requestText);
        QCOMPARE(hostile.value(u"response_text").toString().toUtf8(),
                 hostileRecord().responseText);
        const QJsonObject timings = hostile.value(u"timings").toObject();
        QCOMPARE(timings.size(), 7);
        QCOMPARE(timings.value(u"queue_us").toInteger(), qint64(10));
        QCOMPARE(timings.value(u"connect_us").toInteger(), qint64(20));
        QVERIFY(timings.value(u"tls_us").isNull());
        QCOMPARE(timings.value(u"sent_us").toInteger(), qint64(40));
        QCOMPARE(timings.value(u"first_byte_us").toInteger(), qint64(1500));
        QCOMPARE(timings.value(u"last_byte_us").toInteger(), qint64(1600));
        QCOMPARE(timings.value(u"parse_us").toInteger(), qint64(1700));
        // Every column of the CSV, plus the timings object and the texts; nothing else.
        QCOMPARE(hostile.size(), expectedColumns().size() - 7 + 3);

        const QJsonObject skipped = array.at(1).toObject();
        for (const char *key : {"partner_id", "event_id", "http_status", "budget_ms", "ttl_days",
                                "request_text", "response_text"})
            QVERIFY2(skipped.value(QLatin1StringView(key)).isNull(), key);
        QVERIFY(skipped.contains(u"http_status")); // present as null, not left out
        QCOMPARE(skipped.value(u"test_run_id").toInteger(), qint64(9));
        QCOMPARE(skipped.value(u"codes").toArray(), QJsonArray());
        const QJsonObject noPhases = skipped.value(u"timings").toObject();
        QCOMPARE(noPhases.size(), 7);
        for (auto it = noPhases.constBegin(); it != noPhases.constEnd(); ++it)
            QVERIFY2(it.value().isNull(), qPrintable(it.key()));
    }

    // Keys in a fixed order, one object per line: diffs and grep work on exports.
    void jsonKeysInFixedOrderOneLineEach()
    {
        const QByteArray json = TransferExporter::toJson({skippedRecord(), skippedRecord()});
        const QList<QByteArray> lines = json.split('\n');
        QCOMPARE(lines.size(), 5); // "[", two objects, "]", and the final newline's empty rest
        QCOMPARE(lines.at(0), QByteArray("["));
        QVERIFY(lines.at(1).startsWith("{\"start_time\":\"2025-11-22T14:00:00.124Z\",\"tid\":"));
        QVERIFY(lines.at(1).endsWith("},"));
        QCOMPARE(lines.at(2) + ',', lines.at(1));
        QCOMPARE(lines.at(3), QByteArray("]"));
        qsizetype previous = -1;
        for (const char *key : {"\"start_time\"", "\"tid\"", "\"outcome\"", "\"total_us\"",
                                "\"timings\"", "\"queue_us\"", "\"parse_us\"", "\"codes\"",
                                "\"late_applied\"", "\"request_text\"", "\"response_text\""}) {
            const qsizetype at = lines.at(2).indexOf(key);
            QVERIFY2(at > previous, key);
            previous = at;
        }
    }

    void emptyExports()
    {
        QCOMPARE(TransferExporter::toJson({}), QByteArray("[]\n"));
        QVERIFY(QJsonDocument::fromJson(TransferExporter::toJson({})).array().isEmpty());
        bool ok = false;
        const QList<QStringList> rows = readCsv(TransferExporter::toCsv({}), &ok);
        QVERIFY(ok);
        QCOMPARE(rows, QList<QStringList>{expectedColumns()});
    }

    // A streamed export is the same bytes as the whole one.
    void streamedEqualsWhole()
    {
        const QList<TransferRecord> records = {hostileRecord(), skippedRecord(), hostileRecord()};
        for (const auto format : {TransferExporter::Format::Csv, TransferExporter::Format::Json}) {
            TransferExporter exporter(format);
            QByteArray streamed = exporter.begin();
            for (const TransferRecord &record : records)
                streamed += exporter.row(record);
            streamed += exporter.end();
            QCOMPARE(streamed, format == TransferExporter::Format::Csv
                                   ? TransferExporter::toCsv(records)
                                   : TransferExporter::toJson(records));
        }
    }

    void formatForPath()
    {
        using F = TransferExporter::Format;
        QVERIFY(TransferExporter::formatForPath(QStringLiteral("/tmp/a.csv")) == F::Csv);
        QVERIFY(TransferExporter::formatForPath(QStringLiteral("b.CSV")) == F::Csv);
        QVERIFY(TransferExporter::formatForPath(QStringLiteral("c.d.json")) == F::Json);
        QVERIFY(!TransferExporter::formatForPath(QStringLiteral("e.txt")));
        QVERIFY(!TransferExporter::formatForPath(QStringLiteral("json")));
    }

    void writeFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.json"));
        const QList<TransferRecord> records = {hostileRecord()};
        QString error;
        QVERIFY2(TransferExporter::writeFile(path, TransferExporter::Format::Json, records,
                                             &error),
                 qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), TransferExporter::toJson(records));

        QVERIFY(!TransferExporter::writeFile(dir.filePath(QStringLiteral("missing/out.csv")),
                                             TransferExporter::Format::Csv, records, &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_TransferExport)
#include "tst_transferexport.moc"
