// The history model over a real SQLite file of 5,000 transfer rows written through the storage
// writer as the engine writes them, under QAbstractItemModelTester: pages arrive off the GUI
// thread as the view would fetch them, every filter gives exactly the rows it should, and a page
// read for a query that has since changed never reaches the table.
#include "monitor/transfercolumns.h"
#include "monitor/transferfilter.h"
#include "monitor/transferhistorymodel.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/transferlog.h"

#include <QAbstractItemModelTester>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;

Q_DECLARE_METATYPE(Dcs::TransferFilter)

namespace {

constexpr qint64 kT0 = 1'763'820'000'000;
constexpr int kRows = 5000;
const qint64 kDpids[] = {1955, 2001, 3003};

// Row i: two rows per second (ties on the millisecond), partners and outcomes in turn, 50
// visitors, a decodable tid for event i + 1, a reason, and codes on every tenth row.
TransferRecord makeRow(int i, const EventIds &ids, const QList<Partner> &partners)
{
    TransferRecord r;
    r.eventId = i + 1;
    r.startMs = kT0 + (i / 2) * 1000;
    r.tid = ids.tidOf(ids.run(), r.eventId);
    r.uuid = QStringLiteral("visitor-%1").arg(i % 50, 2, 10, QLatin1Char('0'));
    r.dpid = kDpids[i % 3];
    r.partnerId = partners.at(i % 3).id;
    r.partnerName = partners.at(i % 3).name;
    r.deadlineMs = 100;
    r.budgetMs = 80;
    r.outcome = TransferOutcome(i % TransferOutcomeCount);
    r.reason = i % 100 == 7 ? QStringLiteral("connection refused")
                            : QStringLiteral("row %1").arg(i);
    if (i % 10 == 0)
        r.codes = {QStringLiteral("seg-%1").arg(i), QStringLiteral("all-tenth")};
    if (i % 250 == 3)
        r.unsegments = {QStringLiteral("gone-%1").arg(i)};
    r.timings = {10, 20, -1, 30, 1000 + i, 1100 + i, 1200 + i};
    r.totalUs = 1300 + i;
    r.requestText = QStringLiteral("POST /lookup row %1").arg(i).toUtf8();
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

class tst_TransferHistoryModel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Storage> m_storage;
    QList<TransferRecord> m_rows; // as written, oldest first
    std::unique_ptr<TransferHistoryModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    // Newest first, as the model shows them.
    QList<TransferRecord> expected(const std::function<bool(const TransferRecord &)> &keep) const
    {
        QList<TransferRecord> rows;
        for (auto it = m_rows.crbegin(); it != m_rows.crend(); ++it) {
            if (keep(*it))
                rows.append(*it);
        }
        return rows;
    }

    // Fetches as a view scrolled to the end would, until nothing more comes.
    bool loadAll(TransferHistoryModel &model)
    {
        for (int pages = 0; pages < 100; ++pages) {
            if (model.isLoading()) {
                QSignalSpy loaded(&model, &TransferHistoryModel::pageLoaded);
                if (!loaded.wait(10'000))
                    return false;
            } else if (model.canFetchMore({})) {
                model.fetchMore({});
            } else {
                return true;
            }
        }
        return false;
    }

    QList<TransferRecord> shown(const TransferHistoryModel &model) const
    {
        QList<TransferRecord> records;
        for (int row = 0; row < model.rowCount(); ++row)
            records.append(model.record(row));
        return records;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        m_storage = Storage::open(m_dir.filePath(QStringLiteral("history.sqlite")), &error);
        QVERIFY2(m_storage, qPrintable(error));
        QList<Partner> partners;
        const char *names[] = {"Acme Data", "Beta Signals", "Gamma Audiences"};
        for (int i = 0; i < 3; ++i) {
            Partner partner;
            partner.name = QString::fromLatin1(names[i]);
            partner.dpid = kDpids[i];
            partner.endpoint = QStringLiteral("http://127.0.0.1:9101/lookup");
            QVERIFY(PartnerRepository(*m_storage).save(partner).ok);
            partners.append(partner);
        }
        QList<TransferLog::PreparedRow> prepared;
        for (int i = 0; i < kRows; ++i) {
            m_rows.append(makeRow(i, m_storage->eventIds(), partners));
            prepared.append(TransferLog::PreparedRow::from(m_rows.constLast()));
        }
        const WriteResult written = m_storage->writer().runAndWait(
            [&prepared](WriteContext &context, QString *jobError) {
                for (const TransferLog::PreparedRow &row : prepared) {
                    if (!TransferLog::write(context, row, jobError))
                        return false;
                }
                return true;
            });
        QVERIFY2(written.ok, qPrintable(written.error));
    }

    void cleanupTestCase() { m_storage.reset(); }

    void init()
    {
        m_model = std::make_unique<TransferHistoryModel>(*m_storage);
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }

    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
    }

    void emptyUntilAQueryIsSet()
    {
        QCOMPARE(m_model->rowCount(), 0);
        QCOMPARE(m_model->columnCount(), int(TransferColumns::Count));
        QVERIFY(!m_model->canFetchMore({}));
        QVERIFY(!m_model->isLoading());
        QCOMPARE(m_model->headerData(TransferColumns::Outcome, Qt::Horizontal).toString(),
                 QStringLiteral("Outcome"));
    }

    // The tester calls fetchMore() after every change, as a view scrolled to the end would: the
    // pages come one after the other, each with one insertion.
    void pagesLoadOffTheGuiThread()
    {
        QSignalSpy loading(m_model.get(), &TransferHistoryModel::loadingChanged);
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy counted(m_model.get(), &TransferHistoryModel::totalCountChanged);
        m_model->setQuery(TransferLog::Filter{});
        QVERIFY(m_model->isLoading());
        QCOMPARE(m_model->rowCount(), 0); // nothing read on the GUI thread
        QVERIFY(!m_model->canFetchMore({}));
        QCOMPARE(loading.size(), 1);
        QCOMPARE(loading.at(0).at(0).toBool(), true);
        QTRY_COMPARE(m_model->rowCount(), kRows);
        QTRY_VERIFY(!m_model->isLoading());
        QVERIFY(!m_model->canFetchMore({}));
        QCOMPARE(inserted.size(), kRows / TransferHistoryModel::DefaultPageSize);
        for (int page = 0; page < inserted.size(); ++page) {
            QCOMPARE(inserted.at(page).at(1).toInt(), page * 500);
            QCOMPARE(inserted.at(page).at(2).toInt(), page * 500 + 499);
        }
        const QList<TransferRecord> all = expected([](const TransferRecord &) { return true; });
        QCOMPARE(tidsOf(shown(*m_model)), tidsOf(all)); // ties on the ms in written order
        QTRY_COMPARE(m_model->totalCount(), qint64(kRows));
        QCOMPARE(counted.size(), 1);
        QCOMPARE(loading.constLast().at(0).toBool(), false);
    }

    // Without a tester (it fetches by itself), a page comes only when fetchMore() asks for it.
    void theNextPageOnlyOnFetchMore()
    {
        TransferHistoryModel model(*m_storage);
        model.setPageSize(400);
        QSignalSpy loaded(&model, &TransferHistoryModel::pageLoaded);
        model.setQuery(TransferLog::Filter{});
        QVERIFY(loaded.wait(10'000));
        QCOMPARE(model.rowCount(), 400);
        QVERIFY(model.canFetchMore({}));
        QVERIFY(!loaded.wait(200)); // nothing more unasked
        QCOMPARE(model.rowCount(), 400);
        model.fetchMore({});
        QVERIFY(model.isLoading());
        QVERIFY(!model.canFetchMore({})); // one page at a time
        model.fetchMore({});              // ignored while loading
        QVERIFY(loaded.wait(10'000));
        QCOMPARE(model.rowCount(), 800);
        QCOMPARE(loaded.size(), 2);
        const QList<TransferRecord> all = expected([](const TransferRecord &) { return true; });
        QCOMPARE(tidsOf(shown(model)), tidsOf(all.mid(0, 800)));
        QVERIFY(loadAll(model));
        QCOMPARE(model.rowCount(), kRows);
        QCOMPARE(loaded.size(), 13); // 12 full pages and the last of 200
        QVERIFY(!model.canFetchMore({}));
    }

    // Everything the detail pane shows comes with the row.
    void recordHasEveryField()
    {
        TransferLog::Filter filter;
        filter.tid = m_rows.at(1234).tid;
        m_model->setQuery(filter);
        QTRY_COMPARE(m_model->rowCount(), 1);
        const TransferRecord got = m_model->record(0);
        const TransferRecord &want = m_rows.at(1234);
        QCOMPARE(got.eventId, want.eventId);
        QCOMPARE(got.startMs, want.startMs);
        QCOMPARE(got.uuid, want.uuid);
        QCOMPARE(got.partnerName, want.partnerName);
        QCOMPARE(got.outcome, want.outcome);
        QCOMPARE(got.reason, want.reason);
        QCOMPARE(got.timings, want.timings);
        QCOMPARE(got.totalUs, want.totalUs);
        QCOMPARE(got.requestText, want.requestText);
        QCOMPARE(m_model->record(1).tid, QString()); // out of range: empty
        QCOMPARE(m_model->data(m_model->index(0, TransferColumns::Tid)).toString(), want.tid);
        QCOMPARE(m_model->data(m_model->index(0, TransferColumns::Outcome),
                               TransferColumns::OutcomeRole)
                     .toInt(),
                 int(want.outcome));
    }

    void filters_data()
    {
        QTest::addColumn<TransferFilter>("filter");
        QTest::addColumn<qint64>("fromMs");
        QTest::addColumn<qint64>("untilMs");
        QTest::addColumn<int>("count"); // worked out by hand, against the generator above

        const auto row = [](const char *name, const TransferFilter &filter, qint64 from,
                            qint64 until, int count) {
            QTest::newRow(name) << filter << from << until << count;
        };
        TransferFilter f;
        f.dpid = 2001;
        row("partner", f, 0, 0, 1667);
        f = {};
        f.outcome = TransferOutcome::Late;
        row("outcome", f, 0, 0, 455); // i % 11 == 4
        f = {};
        f.visitor = QStringLiteral("visitor-07");
        row("visitor", f, 0, 0, 100);
        f = {};
        f.tid = QStringLiteral("AAAAAAAAAAAA");
        row("tid of no row", f, 0, 0, 0);
        f = {};
        f.text = QStringLiteral("REFUSED");
        row("text in the reason, any case", f, 0, 0, 50);
        f.text = QStringLiteral("gamma aud");
        row("text in the partner name", f, 0, 0, 1666);
        f.text = QStringLiteral("seg-12");
        row("text in a code", f, 0, 0, 11); // seg-120 and seg-1200 .. seg-1290
        f.text = QStringLiteral("gone-");
        row("text in an unsegment", f, 0, 0, 20);
        f.text = QStringLiteral("visitor-4");
        row("text in the visitor", f, 0, 0, 1000);
        f = {};
        row("time range", f, kT0 + 1000 * 1000, kT0 + 1500 * 1000, 1000);
        row("time range, until exclusive", f, kT0, kT0 + 1000, 2);
        f.dpid = 1955;
        f.outcome = TransferOutcome::Ok;
        f.text = QStringLiteral("all-tenth");
        // i % 3 == 0, i % 11 == 0, i % 10 == 0: i % 330 == 0, and i < 3000
        row("partner, outcome, text and range", f, kT0, kT0 + 1500 * 1000, 10);
    }

    void filters()
    {
        QFETCH(TransferFilter, filter);
        QFETCH(qint64, fromMs);
        QFETCH(qint64, untilMs);
        QFETCH(int, count);
        TransferLog::Filter query = filter.toLogFilter();
        query.fromMs = fromMs;
        query.untilMs = untilMs;
        m_model->setQuery(query);
        QVERIFY(loadAll(*m_model));
        const QList<TransferRecord> want = expected([&](const TransferRecord &r) {
            return filter.matches(r) && r.startMs >= fromMs
                   && (untilMs == 0 || r.startMs < untilMs);
        });
        QCOMPARE(want.size(), count);
        QCOMPARE(tidsOf(shown(*m_model)), tidsOf(want));
        QTRY_COMPARE(m_model->totalCount(), qint64(count));
    }

    // A tid is one /event's row: found through the event index, exactly that row.
    void tidFindsItsRow()
    {
        for (int i : {0, 1, 2500, kRows - 1}) {
            TransferLog::Filter filter;
            filter.tid = m_rows.at(i).tid;
            m_model->setQuery(filter);
            QCOMPARE(m_model->effectiveFilter().tidEventId, std::optional<qint64>(i + 1));
            QTRY_COMPARE(m_model->rowCount(), 1);
            QVERIFY(!m_model->isLoading());
            QCOMPARE(m_model->record(0).eventId, qint64(i + 1));
        }
    }

    void oldestFirstBySortingTheTimeColumn()
    {
        m_model->setQuery(TransferLog::Filter{});
        QVERIFY(loadAll(*m_model));
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        m_model->sort(TransferColumns::Partner, Qt::AscendingOrder); // not sortable: ignored
        QCOMPARE(reset.size(), 0);
        m_model->sort(TransferColumns::Time, Qt::AscendingOrder);
        QCOMPARE(reset.size(), 1);
        QCOMPARE(m_model->order(), TransferLog::Order::OldestFirst);
        QVERIFY(loadAll(*m_model));
        QCOMPARE(tidsOf(shown(*m_model)), tidsOf(m_rows));
        m_model->sort(TransferColumns::Time, Qt::AscendingOrder); // already: nothing to do
        QCOMPARE(reset.size(), 1);
    }

    // The loader is held inside the first query's page read; the query changes meanwhile. The
    // first query's page still arrives, and is dropped: only the second query's rows show.
    void aQueryChangeDropsThePageBeingRead()
    {
        QSemaphore entered;
        QSemaphore gate;
        std::atomic<bool> held{false};
        m_model->setBeforePageQueryHook([&entered, &gate, &held] {
            if (held.exchange(true))
                return; // only the first read waits
            entered.release();
            gate.acquire();
        });
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

        TransferLog::Filter first;
        first.dpid = 1955;
        m_model->setQuery(first);
        QVERIFY(entered.tryAcquire(1, 10'000)); // the loader is inside the first page's read

        TransferLog::Filter second;
        second.dpid = 2001;
        m_model->setPageSize(100);
        m_model->setQuery(second);
        gate.release();
        QTRY_COMPARE(m_model->rowCount(), 1667); // the tester fetches every page
        QTRY_VERIFY(!m_model->isLoading());
        QCOMPARE(m_model->droppedPages(), 1);
        QCOMPARE(inserted.size(), 17);
        for (const TransferRecord &record : shown(*m_model))
            QCOMPARE(record.dpid, qint64(2001));
        // The first query's count is dropped too.
        QTRY_COMPARE(m_model->totalCount(), qint64(1667));
        QCOMPARE(m_model->filter().dpid, std::optional<qint64>(2001));
        m_model->setBeforePageQueryHook({});
    }

    // Queries set faster than pages come back: only the last one's rows, once.
    void manyQuickChangesEndWithTheLast()
    {
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        for (int i = 0; i < 20; ++i) {
            TransferLog::Filter filter;
            filter.uuid = QStringLiteral("visitor-%1").arg(i, 2, 10, QLatin1Char('0'));
            m_model->setQuery(filter);
        }
        QTRY_COMPARE(m_model->rowCount(), 100);
        QTRY_VERIFY(!m_model->isLoading());
        QCOMPARE(inserted.size(), 1);
        for (const TransferRecord &record : shown(*m_model))
            QCOMPARE(record.uuid, QStringLiteral("visitor-19"));
    }

    void reloadShowsRowsWrittenSince()
    {
        QTemporaryDir dir;
        QString error;
        auto storage = Storage::open(dir.filePath(QStringLiteral("r.sqlite")), &error);
        QVERIFY2(storage, qPrintable(error));
        const auto writeOne = [&storage](qint64 startMs) {
            TransferRecord r;
            r.startMs = startMs;
            r.tid = QStringLiteral("t%1").arg(startMs);
            r.uuid = QStringLiteral("u");
            r.dpid = 1;
            const TransferLog::PreparedRow row = TransferLog::PreparedRow::from(r);
            return storage->writer()
                .runAndWait([&row](WriteContext &context, QString *jobError) {
                    return TransferLog::write(context, row, jobError);
                })
                .ok;
        };
        QVERIFY(writeOne(kT0));
        {
            TransferHistoryModel model(*storage);
            QAbstractItemModelTester tester(
                &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            model.setQuery(TransferLog::Filter{});
            QTRY_COMPARE(model.rowCount(), 1);
            QVERIFY(writeOne(kT0 + 1));
            QCOMPARE(model.rowCount(), 1);
            model.reload();
            QTRY_COMPARE(model.rowCount(), 2);
            QCOMPARE(model.record(0).tid, QStringLiteral("t%1").arg(kT0 + 1));
        }
    }

    // A read that fails says why, and leaves the model usable.
    void aFailedReadIsReported()
    {
        QTemporaryDir dir;
        QString error;
        auto storage = Storage::open(dir.filePath(QStringLiteral("broken.sqlite")), &error);
        QVERIFY2(storage, qPrintable(error));
        const WriteResult renamed = storage->writer().runAndWait(
            [](WriteContext &context, QString *jobError) {
                QSqlQuery &rename = context.prepared(
                    QStringLiteral("ALTER TABLE transfers RENAME TO transfers_gone"));
                return WriteContext::exec(rename, jobError);
            });
        QVERIFY2(renamed.ok, qPrintable(renamed.error));
        {
            TransferHistoryModel model(*storage);
            QAbstractItemModelTester tester(
                &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            QSignalSpy failed(&model, &TransferHistoryModel::loadFailed);
            model.setQuery(TransferLog::Filter{});
            QVERIFY(failed.wait(10'000));
            QVERIFY2(failed.first().first().toString().contains(QStringLiteral("transfers")),
                     qPrintable(failed.first().first().toString()));
            QTRY_VERIFY(!model.isLoading());
            QCOMPARE(model.rowCount(), 0);
            QVERIFY(!model.errorString().isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(tst_TransferHistoryModel)
#include "tst_transferhistorymodel.moc"
