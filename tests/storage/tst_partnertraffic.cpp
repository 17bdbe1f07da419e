// PartnerTraffic on a real SQLite file: rows written through the single writer the way the
// engine writes them (TransferLog::write on a PreparedRow), then the partners page's figures
// read back and checked to the exact count.
#include "storage/partnerrepository.h"
#include "storage/partnertraffic.h"
#include "storage/storage.h"
#include "storage/transferlog.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;
using O = TransferOutcome;

namespace {

constexpr qint64 kFrom = 1'763'820'000'000; // ms since the epoch
constexpr qint64 kUntil = kFrom + 3'600'000;
constexpr qint64 kRunId = 3;

struct Row
{
    qint64 partnerId = 0;
    qint64 dpid = 0;
    O outcome = O::Ok;
    qint32 totalUs = 0;
    qint64 eventId = 0;
    qint64 startMs = kFrom + 1000;
    QStringList codes = {};
    QStringList unmapped = {};
    bool shadow = false;
    int budgetMs = 62;
    qint64 testRunId = 0;
    QString uuid = QStringLiteral("visitor");
};

} // namespace

class tst_PartnerTraffic : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Storage> m_storage;
    int m_counter = 0;
    Partner m_acme;
    Partner m_bolt;
    Partner m_cirrus;

    Partner savePartner(const QString &name, qint64 dpid, Partner::Mode mode)
    {
        Partner partner;
        partner.name = name;
        partner.dpid = dpid;
        partner.mode = mode;
        partner.endpoint = QStringLiteral("http://127.0.0.1:9101/lookup");
        const WriteResult saved = PartnerRepository(*m_storage).save(partner);
        if (!saved.ok)
            qWarning("%s", qPrintable(saved.error));
        return partner;
    }

    bool write(const Row &row)
    {
        TransferRecord record;
        record.eventId = row.eventId;
        record.startMs = row.startMs;
        record.tid = QStringLiteral("tid-%1").arg(row.eventId);
        record.uuid = row.uuid;
        record.partnerId = row.partnerId;
        record.dpid = row.dpid;
        record.shadow = row.shadow;
        record.deadlineMs = 100;
        record.budgetMs = transferOutcomeNotCalled(row.outcome) ? 0 : row.budgetMs;
        record.outcome = row.outcome;
        record.codes = row.codes;
        record.unmappedCodes = row.unmapped;
        record.totalUs = row.totalUs;
        record.testRunId = row.testRunId;
        const TransferLog::PreparedRow prepared = TransferLog::PreparedRow::from(record);
        const WriteResult result = m_storage->writer().runAndWait(
            [&prepared](WriteContext &context, QString *error) {
                return TransferLog::write(context, prepared, error);
            });
        if (!result.ok)
            qWarning("%s", qPrintable(result.error));
        return result.ok;
    }

    const PartnerTraffic::PartnerFigures *find(const QList<PartnerTraffic::PartnerFigures> &list,
                                               qint64 partnerId)
    {
        for (const auto &figures : list) {
            if (figures.partnerId == partnerId)
                return &figures;
        }
        return nullptr;
    }

private Q_SLOTS:
    void init()
    {
        QString error;
        m_storage = Storage::open(m_dir.filePath(QStringLiteral("p%1.sqlite").arg(++m_counter)),
                                  &error);
        QVERIFY2(m_storage, qPrintable(error));
        m_acme = savePartner(QStringLiteral("Acme Data"), 1955, Partner::Mode::Live);
        m_bolt = savePartner(QStringLiteral("Bolt Audiences"), 2077, Partner::Mode::Live);
        m_cirrus = savePartner(QStringLiteral("Cirrus Signals"), 3101, Partner::Mode::Shadow);
        QVERIFY(m_acme.id > 0 && m_bolt.id > 0 && m_cirrus.id > 0);
        const qint64 acmeId = m_acme.id;
        const WriteResult run = m_storage->writer().runAndWait(
            [acmeId](WriteContext &context, QString *jobError) {
                QSqlQuery &insert = context.prepared(QStringLiteral(
                    "INSERT INTO onboarding_runs (id, partner_id, started_ms) VALUES (?, ?, ?)"));
                insert.bindValue(0, kRunId);
                insert.bindValue(1, acmeId);
                insert.bindValue(2, kFrom);
                return WriteContext::exec(insert, jobError);
            });
        QVERIFY2(run.ok, qPrintable(run.error));
    }

    void cleanup() { m_storage.reset(); }

    void summariesCountOutcomesLatencyAndCodes()
    {
        const qint64 a = m_acme.id;
        const qint64 d = m_acme.dpid;
        const QList<Row> rows = {
            {a, d, O::Ok, 1000, 1, kFrom, {QStringLiteral("c1"), QStringLiteral("c2")},
             {QStringLiteral("c2")}},
            {a, d, O::Ok, 2000, 2, kFrom + 1, {QStringLiteral("c1"), QStringLiteral("c2")},
             {QStringLiteral("c2")}},
            {a, d, O::Ok, 3000, 3, kFrom + 2, {QStringLiteral("c1")}},
            {a, d, O::Ok, 4000, 4},
            {a, d, O::Ok, 5000, 5},
            {a, d, O::Ok, 6000, 6},
            {a, d, O::Empty, 7000, 7},
            {a, d, O::HttpError, 8000, 8},
            {a, d, O::Timeout, 80000, 9}, // over its 62 ms budget
            {a, d, O::Skipped, 0, 10},
            {a, d, O::Ok, 1000, 11, kUntil - 1},
            // Not in the range, or not live traffic: never counted.
            {a, d, O::Timeout, 90000, 12, kFrom - 1},
            {a, d, O::Timeout, 90000, 13, kUntil},
            {a, d, O::Timeout, 90000, 0, kFrom + 5, {}, {}, false, 62, kRunId},
            // Bolt: one event that Acme also had.
            {m_bolt.id, m_bolt.dpid, O::Late, 120000, 1},
        };
        for (const Row &row : rows)
            QVERIFY(write(row));

        QString error;
        const QList<PartnerTraffic::PartnerFigures> all =
            PartnerTraffic::summaries(m_storage->reader(), kFrom, kUntil, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(all.size(), 2);
        QCOMPARE(all[0].partnerId, m_acme.id); // by DPID
        QCOMPARE(all[1].partnerId, m_bolt.id);

        const PartnerTraffic::PartnerFigures &acme = all[0];
        QCOMPARE(acme.name, QStringLiteral("Acme Data"));
        QCOMPARE(acme.dpid, 1955);
        QCOMPARE(acme.attempts, 11u);
        QCOMPARE(acme.called, 10u);
        QCOMPARE(acme.notCalled(), 1u);
        QCOMPARE(acme.events, 11u);
        QCOMPARE(acme.count(O::Ok), 7u);
        QCOMPARE(acme.count(O::Empty), 1u);
        QCOMPARE(acme.count(O::Timeout), 1u);
        QCOMPARE(acme.answeredInTime(), 8u);
        QCOMPARE(acme.failures(), 2u);
        QCOMPARE(acme.errors(), 1u);
        QCOMPARE(*acme.successPercent(), 80.0);
        QCOMPARE(acme.deadlineMs, 100);
        // Called latencies: 1, 1, 2, 3, 4, 5, 6, 7, 8, 80 ms (nearest rank).
        QCOMPARE(acme.latency.measured, 10u);
        QCOMPARE(acme.latency.p50Us, 4000);
        QCOMPARE(acme.latency.p95Us, 80000);
        QCOMPARE(acme.latency.p99Us, 80000);
        QCOMPARE(acme.latency.maxUs, 80000);
        QCOMPARE(acme.latency.withinBudget, 9u);
        QCOMPARE(*acme.latency.withinBudgetPercent(), 90.0);
        QCOMPARE(acme.codesReceived, 5u);
        QCOMPARE(acme.unmappedCodesReceived, 2u);

        const PartnerTraffic::PartnerFigures &bolt = all[1];
        QCOMPARE(bolt.attempts, 1u);
        QCOMPARE(bolt.count(O::Late), 1u);
        QCOMPARE(*bolt.successPercent(), 0.0);
        QCOMPARE(bolt.latency.p99Us, 120000);
        QCOMPARE(bolt.latency.withinBudget, 0u);
    }

    void percentilesAreBinLowerEdges()
    {
        QVERIFY(write({m_acme.id, m_acme.dpid, O::Ok, 1234, 1}));
        QVERIFY(write({m_acme.id, m_acme.dpid, O::Ok, 1299, 2}));
        QString error;
        const auto all = PartnerTraffic::summaries(m_storage->reader(), kFrom, kUntil, &error);
        QCOMPARE(all.size(), 1);
        QCOMPARE(all[0].latency.p50Us, 1200);
        QCOMPARE(all[0].latency.p99Us, 1200);
        QCOMPARE(all[0].latency.maxUs, 1299); // the maximum is exact
    }

    void nothingInTheRangeIsAnEmptyList()
    {
        QVERIFY(write({m_acme.id, m_acme.dpid, O::Ok, 1000, 1, kFrom - 10}));
        QString error;
        QVERIFY(PartnerTraffic::summaries(m_storage->reader(), kFrom, kUntil, &error).isEmpty());
        QVERIFY(error.isEmpty());
        const PartnerTraffic::PartnerFigures none;
        QVERIFY(!none.successPercent());
        QVERIFY(!none.latency.withinBudgetPercent());
    }

    void shadowResultsAgainstTheLivePartnersOnTheSameEvents()
    {
        const qint64 c = m_cirrus.id;
        const qint64 cd = m_cirrus.dpid;
        const QString a = QStringLiteral("a");
        const QString b = QStringLiteral("b");
        const QList<Row> rows = {
            // Cirrus in shadow on events 1-4 and 6.
            {c, cd, O::Ok, 20000, 1, kFrom, {a, b}, {b}, true, 50, 0, QStringLiteral("v1")},
            {c, cd, O::Ok, 30000, 2, kFrom, {a}, {}, true, 50, 0, QStringLiteral("v2")},
            {c, cd, O::Ok, 40000, 3, kFrom, {a}, {}, true, 50, 0, QStringLiteral("v2")},
            {c, cd, O::Timeout, 60000, 4, kFrom, {}, {}, true, 50, 0, QStringLiteral("v3")},
            {c, cd, O::RateLimited, 0, 6, kFrom, {}, {}, true, 50, 0, QStringLiteral("v4")},
            // Not its shadow traffic: outside the range, live mode, an onboarding test.
            {c, cd, O::Ok, 1000, 99, kFrom - 1, {QStringLiteral("old")}, {}, true},
            {c, cd, O::Ok, 1000, 98, kFrom, {QStringLiteral("live")}, {}, false},
            {c, cd, O::Ok, 1000, 0, kFrom, {QStringLiteral("test")}, {}, true, 50, kRunId},
            // Live partners: Acme on events 1-5, Bolt on 1 and 2.
            {m_acme.id, m_acme.dpid, O::Ok, 5000, 1, kFrom, {QStringLiteral("x")}},
            {m_acme.id, m_acme.dpid, O::Ok, 6000, 2},
            {m_acme.id, m_acme.dpid, O::Empty, 7000, 3},
            {m_acme.id, m_acme.dpid, O::Ok, 8000, 4},
            {m_acme.id, m_acme.dpid, O::Ok, 9000, 5},
            {m_bolt.id, m_bolt.dpid, O::Timeout, 80000, 1},
            {m_bolt.id, m_bolt.dpid, O::Ok, 30000, 2},
        };
        for (const Row &row : rows)
            QVERIFY(write(row));

        QString error;
        const std::optional<PartnerTraffic::ShadowResults> results =
            PartnerTraffic::shadowResults(m_storage->reader(), c, kFrom, kUntil, &error);
        QVERIFY2(results, qPrintable(error));
        const PartnerTraffic::PartnerFigures &shadow = results->shadow;
        QCOMPARE(shadow.partnerId, c);
        QCOMPARE(shadow.name, QStringLiteral("Cirrus Signals"));
        QCOMPARE(shadow.dpid, 3101);
        QCOMPARE(shadow.events, 5u);
        QCOMPARE(shadow.attempts, 5u);
        QCOMPARE(shadow.called, 4u);
        QCOMPARE(shadow.answeredInTime(), 3u);
        QCOMPARE(shadow.count(O::Timeout), 1u);
        QCOMPARE(shadow.count(O::RateLimited), 1u);
        QCOMPARE(shadow.latency.p50Us, 30000);
        QCOMPARE(shadow.latency.p99Us, 60000);
        QCOMPARE(shadow.latency.withinBudget, 3u); // 20, 30, 40 ms within 50 ms
        QCOMPARE(shadow.codesReceived, 4u);
        QCOMPARE(shadow.unmappedCodesReceived, 1u);
        QCOMPARE(results->visitorsWithCodes, 2u);
        const QList<PartnerTraffic::CodeCount> codes = {{a, 3, 0}, {b, 1, 1}};
        QCOMPARE(results->codes, codes);
        QVERIFY(results->codes[0].mapped());
        QVERIFY(!results->codes[1].mapped());

        // Live partners, only on events 1-4 and 6 (Acme's event 5 had no shadow call).
        QCOMPARE(results->live.size(), 2);
        const PartnerTraffic::PartnerFigures *acme = find(results->live, m_acme.id);
        const PartnerTraffic::PartnerFigures *bolt = find(results->live, m_bolt.id);
        QVERIFY(acme && bolt);
        QCOMPARE(results->live[0].partnerId, m_acme.id);
        QCOMPARE(acme->name, QStringLiteral("Acme Data"));
        QCOMPARE(acme->events, 4u);
        QCOMPARE(acme->answeredInTime(), 4u);
        QCOMPARE(acme->latency.p50Us, 6000);
        QCOMPARE(acme->latency.p99Us, 8000);
        QCOMPARE(acme->codesReceived, 1u);
        QCOMPARE(bolt->events, 2u);
        QCOMPARE(bolt->count(O::Timeout), 1u);
        QCOMPARE(bolt->latency.p99Us, 80000);

        const PartnerTraffic::PartnerFigures &combined = results->liveCombined;
        QCOMPARE(combined.partnerId, 0);
        QCOMPARE(combined.events, 4u);
        QCOMPARE(combined.attempts, 6u);
        QCOMPARE(combined.answeredInTime(), 5u);
        QCOMPARE(combined.count(O::Timeout), 1u);
        // 5, 6, 7, 8, 30, 80 ms.
        QCOMPARE(combined.latency.p50Us, 7000);
        QCOMPARE(combined.latency.p95Us, 80000);
    }

    void aPartnerWithoutShadowTrafficHasZeroFigures()
    {
        QVERIFY(write({m_acme.id, m_acme.dpid, O::Ok, 1000, 1}));
        QString error;
        const auto results = PartnerTraffic::shadowResults(m_storage->reader(), m_cirrus.id,
                                                           kFrom, kUntil, &error);
        QVERIFY2(results, qPrintable(error));
        QCOMPARE(results->shadow.partnerId, m_cirrus.id);
        QCOMPARE(results->shadow.name, QStringLiteral("Cirrus Signals"));
        QCOMPARE(results->shadow.attempts, 0u);
        QVERIFY(results->codes.isEmpty());
        QVERIFY(results->live.isEmpty());
        QCOMPARE(results->liveCombined.attempts, 0u);
    }
};

QTEST_GUILESS_MAIN(tst_PartnerTraffic)
#include "tst_partnertraffic.moc"
