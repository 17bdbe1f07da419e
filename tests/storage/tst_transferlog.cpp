// The transfer log on a real SQLite file: rows written through the single writer the way the
// engine writes them (a job calling TransferLog::write on a PreparedRow), read back with query().
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/transferlog.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;
using TransferLog::Filter;

Q_DECLARE_METATYPE(Dcs::TransferLog::Filter)

namespace {

constexpr qint64 kT0 = 1'763'820'000'000; // ms since the epoch
constexpr qint64 kRunId = 7;

// Every field set, with text that is not ASCII, and codes that need escaping in JSON.
TransferRecord fullRecord(qint64 partnerId)
{
    TransferRecord r;
    r.eventId = 4242;
    r.startMs = kT0 + 123;
    r.tid = QStringLiteral("31ZpxW5bQGc=");
    r.uuid = QStringLiteral("06151304227769720433039235178204449977");
    r.partnerId = partnerId;
    r.dpid = 1955;
    r.shadow = true;
    r.deadlineMs = 100;
    r.budgetMs = 62;
    r.outcome = TransferOutcome::Late;
    r.reason = QStringLiteral("answered 12 ms after the deadline \u2014 r\u00e9ponse tardive");
    r.httpStatus = 200;
    r.codes = {QStringLiteral("123"), QStringLiteral("456"), QStringLiteral("\u65e5\u672c"),
               QStringLiteral("quote\"back\\slash")};
    r.unsegments = {QStringLiteral("789")};
    r.unmappedCodes = {QStringLiteral("456")};
    r.ttlDays = 30;
    r.timings = {1000, 2000, 3000, 4000, 5000, 6000, 7000};
    r.totalUs = 9000;
    r.lateApplied = true;
    r.requestText = "POST /lookup HTTP/1.1\r\nX-DCS-Signature: sha256=***\r\n\r\n"
                    "{\"uuid\":\"0615\",\"signals\":{\"c_city\":[\"Z\u00fcrich\"]}}";
    r.responseText = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
                     "{\"segments\":[\"123\",\"\u65e5\u672c\"],\"ttl\":30}";
    r.testRunId = kRunId;
    return r;
}

// Nothing optional set: the NULL side of every column.
TransferRecord minimalRecord()
{
    TransferRecord r;
    r.startMs = kT0 + 456;
    r.tid = QStringLiteral("AAAAAAAAAAA=");
    r.uuid = QStringLiteral("u-minimal");
    r.dpid = 2001;
    r.outcome = TransferOutcome::Skipped;
    r.reason = QStringLiteral("budget 3 ms under the minimum of 10 ms");
    return r;
}

TransferRecord record(const QString &tid, const QString &uuid, qint64 dpid, qint64 partnerId,
                      TransferOutcome outcome, qint64 eventId, qint64 testRunId, qint64 startMs)
{
    TransferRecord r;
    r.tid = tid;
    r.uuid = uuid;
    r.dpid = dpid;
    r.partnerId = partnerId;
    r.outcome = outcome;
    r.eventId = eventId;
    r.testRunId = testRunId;
    r.startMs = startMs;
    return r;
}

QStringList tidsOf(const QList<TransferRecord> &records)
{
    QStringList tids;
    for (const TransferRecord &r : records)
        tids.append(r.tid);
    return tids;
}

} // namespace

class tst_TransferLog : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Storage> m_storage;
    int m_counter = 0;
    Partner m_acme;
    Partner m_beta;

    Partner savePartner(const QString &name, qint64 dpid)
    {
        Partner partner;
        partner.name = name;
        partner.dpid = dpid;
        partner.endpoint = QStringLiteral("http://127.0.0.1:9101/lookup");
        const WriteResult saved = PartnerRepository(*m_storage).save(partner);
        if (!saved.ok)
            qWarning("%s", qPrintable(saved.error));
        return partner;
    }

    // As the engine does it: prepared on the caller's thread, written by a writer job.
    bool write(const TransferRecord &record)
    {
        const TransferLog::PreparedRow row = TransferLog::PreparedRow::from(record);
        const WriteResult result = m_storage->writer().runAndWait(
            [&row](WriteContext &context, QString *error) {
                return TransferLog::write(context, row, error);
            });
        if (!result.ok)
            qWarning("%s", qPrintable(result.error));
        return result.ok;
    }

    QList<TransferRecord> query(const Filter &filter, int limit = 100, int offset = 0)
    {
        QString error;
        const QList<TransferRecord> records =
            TransferLog::query(m_storage->reader(), filter, limit, offset, &error);
        if (!error.isEmpty())
            qWarning("%s", qPrintable(error));
        return records;
    }

    qint64 countOf(const Filter &filter)
    {
        QString error;
        qint64 rows = -1;
        if (!TransferLog::count(m_storage->reader(), filter, &rows, &error))
            qWarning("%s", qPrintable(error));
        return rows;
    }

    QList<TransferRecord> allPages(const Filter &filter, TransferLog::Order order, int size)
    {
        QList<TransferRecord> records;
        std::optional<TransferLog::PageKey> after;
        for (int pages = 0; pages < 1000; ++pages) {
            TransferLog::Page page;
            QString error;
            if (!TransferLog::queryPage(m_storage->reader(), filter, order, size, after, &page,
                                        &error)) {
                qWarning("%s", qPrintable(error));
                break;
            }
            if (page.records.size() > size || (page.next && page.records.size() != size))
                qWarning("page of %d rows for a size of %d", int(page.records.size()), size);
            records += page.records;
            if (!page.next)
                break;
            after = page.next;
        }
        return records;
    }

    // The rows the filter tests look through (newest first: f6 .. f1; f2 shares f1's start
    // time and was written after it, so it comes first).
    void writeFilterRows()
    {
        using O = TransferOutcome;
        const QList<TransferRecord> rows = {
            record(QStringLiteral("f1"), QStringLiteral("A"), 1955, m_acme.id, O::Ok, 101, 0,
                   kT0 + 1000),
            record(QStringLiteral("f2"), QStringLiteral("A"), 2001, m_beta.id, O::Timeout, 101, 0,
                   kT0 + 1000),
            record(QStringLiteral("f3"), QStringLiteral("B"), 1955, m_acme.id, O::Empty, 102, 0,
                   kT0 + 2000),
            record(QStringLiteral("f4"), QStringLiteral("B"), 1955, m_acme.id, O::Ok, 0, kRunId,
                   kT0 + 3000),
            record(QStringLiteral("f5"), QStringLiteral("C"), 2001, m_beta.id, O::NetworkError,
                   103, 0, kT0 + 4000),
            record(QStringLiteral("f6"), QStringLiteral("A"), 1955, m_acme.id, O::Ok, 104, 0,
                   kT0 + 5000),
        };
        for (const TransferRecord &r : rows)
            QVERIFY(write(r));
    }

private Q_SLOTS:
    void init()
    {
        QString error;
        m_storage = Storage::open(m_dir.filePath(QStringLiteral("t%1.sqlite").arg(++m_counter)),
                                  &error);
        QVERIFY2(m_storage, qPrintable(error));
        m_acme = savePartner(QStringLiteral("Acme Data"), 1955);
        m_beta = savePartner(QStringLiteral("Beta Signals"), 2001);
        QVERIFY(m_acme.id > 0 && m_beta.id > 0);
        // An onboarding run of Acme's, for test_run_id (a foreign key).
        const qint64 acmeId = m_acme.id;
        const WriteResult run = m_storage->writer().runAndWait(
            [acmeId](WriteContext &context, QString *jobError) {
                QSqlQuery &insert = context.prepared(QStringLiteral(
                    "INSERT INTO onboarding_runs (id, partner_id, started_ms) VALUES (?, ?, ?)"));
                insert.bindValue(0, kRunId);
                insert.bindValue(1, acmeId);
                insert.bindValue(2, kT0);
                return WriteContext::exec(insert, jobError);
            });
        QVERIFY2(run.ok, qPrintable(run.error));
    }

    void cleanup() { m_storage.reset(); }

    void everyFieldRoundTrips()
    {
        const TransferRecord full = fullRecord(m_acme.id);
        const TransferRecord minimal = minimalRecord();
        QVERIFY(write(full));
        QVERIFY(write(minimal));

        const QList<TransferRecord> records = query(Filter{});
        QCOMPARE(records.size(), 2);
        QCOMPARE(records[0].tid, minimal.tid); // the newer one first
        for (const TransferRecord &expected : {minimal, full}) {
            const TransferRecord &got = expected.tid == minimal.tid ? records[0] : records[1];
            QCOMPARE(got.eventId, expected.eventId);
            QCOMPARE(got.startMs, expected.startMs);
            QCOMPARE(got.tid, expected.tid);
            QCOMPARE(got.uuid, expected.uuid);
            QCOMPARE(got.partnerId, expected.partnerId);
            QCOMPARE(got.dpid, expected.dpid);
            QCOMPARE(got.shadow, expected.shadow);
            QCOMPARE(got.deadlineMs, expected.deadlineMs);
            QCOMPARE(got.budgetMs, expected.budgetMs);
            QCOMPARE(got.outcome, expected.outcome);
            QCOMPARE(got.reason, expected.reason);
            QCOMPARE(got.httpStatus, expected.httpStatus);
            QCOMPARE(got.codes, expected.codes);
            QCOMPARE(got.unsegments, expected.unsegments);
            QCOMPARE(got.unmappedCodes, expected.unmappedCodes);
            QCOMPARE(got.ttlDays, expected.ttlDays);
            QCOMPARE(got.timings.queueUs, expected.timings.queueUs);
            QCOMPARE(got.timings.connectUs, expected.timings.connectUs);
            QCOMPARE(got.timings.tlsUs, expected.timings.tlsUs);
            QCOMPARE(got.timings.sentUs, expected.timings.sentUs);
            QCOMPARE(got.timings.firstByteUs, expected.timings.firstByteUs);
            QCOMPARE(got.timings.lastByteUs, expected.timings.lastByteUs);
            QCOMPARE(got.timings.parseUs, expected.timings.parseUs);
            QCOMPARE(got.totalUs, expected.totalUs);
            QCOMPARE(got.lateApplied, expected.lateApplied);
            QCOMPARE(got.requestText, expected.requestText);
            QCOMPARE(got.responseText, expected.responseText);
            QCOMPARE(got.testRunId, expected.testRunId);
        }
        QCOMPARE(records[1].partnerName, QStringLiteral("Acme Data"));
        QVERIFY(records[0].partnerName.isEmpty()); // no partner row: nothing to join
    }

    // What is unknown is stored as NULL, not as a -1 or 0 that a report would average in.
    void unknownsAreNullInTheTable()
    {
        QVERIFY(write(minimalRecord()));
        TransferRecord zeroTtl = fullRecord(m_acme.id);
        zeroTtl.ttlDays = 0; // a TTL of 0 days is a value, not "none"
        zeroTtl.timings.tlsUs = -1;
        QVERIFY(write(zeroTtl));
        QSqlQuery rows(m_storage->reader());
        QVERIFY(rows.exec(QStringLiteral(
            "SELECT event_id, partner_id, http_status, ttl_days, queue_us, tls_us, parse_us, "
            "request_text, test_run_id FROM transfers ORDER BY id")));
        QVERIFY(rows.next());
        for (int column = 0; column < 9; ++column)
            QVERIFY2(rows.value(column).isNull(), qPrintable(QString::number(column)));
        QVERIFY(rows.next());
        QCOMPARE(rows.value(3).toInt(), 0);
        QVERIFY(!rows.value(3).isNull());
        QVERIFY(rows.value(5).isNull());
        QCOMPARE(rows.value(6).toInt(), 7000);
        Filter byTid;
        byTid.tid = zeroTtl.tid;
        QCOMPARE(query(byTid).first().ttlDays, std::optional<int>(0));
    }

    void filters_data()
    {
        QTest::addColumn<Filter>("filter");
        QTest::addColumn<QStringList>("tids"); // newest first

        const auto row = [](const char *name, const Filter &filter, const QStringList &tids) {
            QTest::newRow(name) << filter << tids;
        };
        const auto tids = [](std::initializer_list<const char *> names) {
            QStringList list;
            for (const char *name : names)
                list.append(QString::fromLatin1(name));
            return list;
        };
        Filter f;
        row("none", f, tids({"f6", "f5", "f4", "f3", "f2", "f1"}));
        f = {};
        f.dpid = 1955;
        row("dpid", f, tids({"f6", "f4", "f3", "f1"}));
        f.dpid = 9999;
        row("dpid without rows", f, {});
        f = {};
        f.outcome = TransferOutcome::Ok;
        row("outcome ok", f, tids({"f6", "f4", "f1"}));
        f.outcome = TransferOutcome::Timeout;
        row("outcome timeout", f, tids({"f2"}));
        f.outcome = TransferOutcome::Late;
        row("outcome without rows", f, {});
        f = {};
        f.uuid = QStringLiteral("A");
        row("uuid", f, tids({"f6", "f2", "f1"}));
        f = {};
        f.tid = QStringLiteral("f3");
        row("tid", f, tids({"f3"}));
        f.tidEventId = 102; // what "f3" would decode to: the lookup goes by event
        row("tid with its event", f, tids({"f3"}));
        f.tidEventId = 101; // another event's: the tid still has to match
        row("tid with another event", f, {});
        f.tid = QStringLiteral("f4");
        row("tid of a test call (no event)", f, tids({"f4"}));
        f = {};
        f.eventId = 101;
        row("event", f, tids({"f2", "f1"}));
        f = {};
        f.testRunId = kRunId;
        row("onboarding run", f, tids({"f4"}));
        f = {};
        f.fromMs = kT0 + 2000;
        row("from (inclusive)", f, tids({"f6", "f5", "f4", "f3"}));
        f = {};
        f.untilMs = kT0 + 3000;
        row("until (exclusive)", f, tids({"f3", "f2", "f1"}));
        f.fromMs = kT0 + 2000;
        row("from and until", f, tids({"f3"}));
        f = {};
        f.dpid = 1955;
        f.outcome = TransferOutcome::Ok;
        f.uuid = QStringLiteral("B");
        row("dpid, outcome and uuid", f, tids({"f4"}));
        f = {};
        f.uuid = QStringLiteral("A");
        f.fromMs = kT0 + 1001;
        row("uuid and from", f, tids({"f6"}));
    }

    void filters()
    {
        QFETCH(Filter, filter);
        QFETCH(QStringList, tids);
        writeFilterRows();
        QCOMPARE(tidsOf(query(filter)), tids);
        QCOMPARE(countOf(filter), qint64(tids.size()));
        // The same rows page by page, both ways.
        QCOMPARE(tidsOf(allPages(filter, TransferLog::Order::NewestFirst, 2)), tids);
        QStringList reversed(tids.crbegin(), tids.crend());
        QCOMPARE(tidsOf(allPages(filter, TransferLog::Order::OldestFirst, 2)), reversed);
    }

    // The free text: partner name, visitor, tid, reason, codes and unsegments, case-insensitive
    // (ASCII), with LIKE's wildcards taken literally.
    void textFilter_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("tids"); // newest first
        const auto row = [](const char *name, const char *text, const QStringList &tids) {
            QTest::newRow(name) << QString::fromUtf8(text) << tids;
        };
        const auto s = [](const char *t) { return QString::fromLatin1(t); };
        row("partner name, any case", "aCmE", {s("tid-004"), s("tid-002"), s("tid-001")});
        row("visitor part", "visitor-7", {s("tid-003")});
        row("tid part", "TID-00", {s("tid-004"), s("tid-003"), s("tid-002"), s("tid-001")});
        row("reason", "refused", {s("tid-002")});
        row("code", "seg-9", {s("tid-001")});
        row("unsegment", "gone", {s("tid-003")});
        row("percent is literal", "100%", {s("tid-004")});
        row("underscore is literal", "a_b", {s("tid-004")});
        row("backslash is literal", "c\\d", {s("tid-004")});
        row("non-ASCII in the reason", "r\u00e9ponse", {s("tid-001")});
        // A quote is in no code: not looked for in the codes' JSON text.
        row("JSON syntax matches no code", "\",\"", {});
        row("nothing", "zzz", {});
    }

    void textFilter()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, tids);
        const auto make = [this](const char *tid, const char *uuid, qint64 dpid,
                                 const char *reason, QStringList codes, QStringList unsegments,
                                 qint64 startMs) {
            TransferRecord r = record(QString::fromLatin1(tid), QString::fromLatin1(uuid), dpid,
                                      dpid == 1955 ? m_acme.id : m_beta.id, TransferOutcome::Ok,
                                      0, 0, startMs);
            r.reason = QString::fromUtf8(reason);
            r.codes = codes;
            r.unsegments = unsegments;
            return r;
        };
        QVERIFY(write(make("tid-001", "visitor-1", 1955, "r\u00e9ponse", {QStringLiteral("seg-9"),
                           QStringLiteral("b")}, {}, kT0 + 1)));
        // What the wildcards would match if they were not escaped: 1000, axb, cd.
        QVERIFY(write(make("tid-002", "visitor-2", 1955, "connection refused: 1000 axb cd", {},
                           {}, kT0 + 2)));
        QVERIFY(write(make("tid-003", "visitor-7", 2001, "", {QStringLiteral("a")},
                           {QStringLiteral("gone")}, kT0 + 3)));
        QVERIFY(write(make("tid-004", "visitor-4", 1955, "100% a_b c\\d", {}, {}, kT0 + 4)));
        QVERIFY(write(make("other", "visitor-5", 2001, "", {}, {}, kT0 + 5)));
        Filter filter;
        filter.text = text;
        QCOMPARE(tidsOf(query(filter)), tids);
        QCOMPARE(countOf(filter), qint64(tids.size()));
    }

    // Keyset pages: every row once, in order, ties on the millisecond by the order written,
    // whatever the page size; a page says whether another follows.
    void pagesByKey()
    {
        for (int i = 0; i < 25; ++i) {
            QVERIFY(write(record(QStringLiteral("p%1").arg(i), QStringLiteral("u"), 1955, 0,
                                 TransferOutcome::Ok, 0, 0, kT0 + (i % 5) * 10)));
        }
        const QStringList newest = tidsOf(query(Filter{}, 100, 0));
        QCOMPARE(newest.size(), 25);
        const QStringList oldest(newest.crbegin(), newest.crend());
        for (int size : {1, 3, 5, 7, 25, 100}) {
            QCOMPARE(tidsOf(allPages(Filter{}, TransferLog::Order::NewestFirst, size)), newest);
            QCOMPARE(tidsOf(allPages(Filter{}, TransferLog::Order::OldestFirst, size)), oldest);
        }
        TransferLog::Page page;
        QString error;
        QVERIFY(TransferLog::queryPage(m_storage->reader(), Filter{},
                                       TransferLog::Order::NewestFirst, 25, std::nullopt, &page,
                                       &error));
        QCOMPARE(page.records.size(), 25);
        QVERIFY(!page.next); // exactly all: no empty page to fetch after it
        QVERIFY(TransferLog::queryPage(m_storage->reader(), Filter{},
                                       TransferLog::Order::NewestFirst, 24, std::nullopt, &page,
                                       &error));
        QVERIFY(page.next);
        QCOMPARE(page.next->startMs, page.records.constLast().startMs);
        QCOMPARE(countOf(Filter{}), qint64(25));
    }

    // The tid lookup with its event goes through the event index, not a scan.
    void tidLookupUsesTheEventIndex()
    {
        QSqlQuery plan(m_storage->reader());
        QVERIFY(plan.exec(QStringLiteral(
            "EXPLAIN QUERY PLAN SELECT t.id FROM transfers t WHERE t.tid = 'x' AND "
            "(t.event_id = 5 OR t.event_id IS NULL) ORDER BY t.ts_ms DESC, t.id DESC")));
        QStringList steps;
        while (plan.next())
            steps.append(plan.value(3).toString());
        QVERIFY2(steps.join(u'\n').contains(QStringLiteral("transfers_by_event")),
                 qPrintable(steps.join(u'\n')));
    }

    void newestFirstWithLimitAndOffset()
    {
        // Written out of time order, five to a start time: the latest start first, and among
        // equal starts the one written last first.
        for (int i = 0; i < 25; ++i) {
            QVERIFY(write(record(QStringLiteral("p%1").arg(i), QStringLiteral("u"), 1955, 0,
                                 TransferOutcome::Ok, 0, 0, kT0 + (i % 5) * 10)));
        }
        QStringList expected;
        for (int group = 4; group >= 0; --group) {
            for (int i = 20 + group; i >= 0; i -= 5)
                expected.append(QStringLiteral("p%1").arg(i));
        }
        const QList<TransferRecord> all = query(Filter{}, 100, 0);
        QCOMPARE(tidsOf(all), expected);

        QList<TransferRecord> paged;
        for (int offset = 0; offset < 30; offset += 10) {
            const QList<TransferRecord> page = query(Filter{}, 10, offset);
            QCOMPARE(page.size(), qMin(10, 25 - offset));
            paged += page;
        }
        QCOMPARE(tidsOf(paged), tidsOf(all));
        QVERIFY(query(Filter{}, 10, 25).isEmpty());
        QCOMPARE(query(Filter{}, 1, 0).size(), 1);
    }

    // The partner's name comes from the partners table; a deleted partner leaves the row,
    // without its name.
    void partnerNameIsJoined()
    {
        writeFilterRows();
        for (const TransferRecord &r : query(Filter{})) {
            QCOMPARE(r.partnerName, r.dpid == 1955 ? m_acme.name : m_beta.name);
            QCOMPARE(r.partnerId, r.dpid == 1955 ? m_acme.id : m_beta.id);
        }
        QVERIFY(PartnerRepository(*m_storage).remove(m_beta.id).ok);
        Filter beta;
        beta.dpid = 2001;
        const QList<TransferRecord> orphans = query(beta);
        QCOMPARE(tidsOf(orphans), (QStringList{QStringLiteral("f5"), QStringLiteral("f2")}));
        for (const TransferRecord &r : orphans) {
            QCOMPARE(r.partnerId, qint64(0));
            QVERIFY(r.partnerName.isEmpty());
        }
    }

    // Every outcome is stored under the spec's name and read back as itself.
    void everyOutcomeRoundTrips()
    {
        for (int i = 0; i < TransferOutcomeCount; ++i)
            QVERIFY(write(record(QStringLiteral("o%1").arg(i), QStringLiteral("u"), 1955, 0,
                                 TransferOutcome(i), 0, 0, kT0 + i)));
        for (int i = 0; i < TransferOutcomeCount; ++i) {
            Filter f;
            f.outcome = TransferOutcome(i);
            const QList<TransferRecord> rows = query(f);
            QCOMPARE(rows.size(), 1);
            QCOMPARE(rows.first().outcome, TransferOutcome(i));
        }
        QSqlQuery names(m_storage->reader());
        QVERIFY(names.exec(QStringLiteral("SELECT outcome FROM transfers WHERE tid = 'o5'")));
        QVERIFY(names.next());
        QCOMPARE(names.value(0).toString(), QStringLiteral("http-error"));
    }
};

QTEST_GUILESS_MAIN(tst_TransferLog)
#include "tst_transferlog.moc"
