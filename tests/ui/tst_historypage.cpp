// The history page driven as a user would: typing in the filter bar, choosing a partner or a time
// range, selecting rows with the mouse, the standard keys, and exports checked byte for byte.
#include "common/appidentity.h"
#include "common/appsettings.h"
#include "monitor/historypage.h"
#include "monitor/transfercolumns.h"
#include "monitor/transferexport.h"
#include "monitor/transferhistorymodel.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/transferlog.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFile>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMainWindow>
#include <QMenu>
#include <QMimeData>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Dcs;

namespace {

constexpr qint64 kT0 = 1'763'820'000'000;
constexpr int kRows = 300;

QStringList tidsOf(const QList<TransferRecord> &records)
{
    QStringList tids;
    for (const TransferRecord &r : records)
        tids.append(r.tid);
    return tids;
}

} // namespace

class tst_HistoryPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Storage> m_storage;
    QList<TransferRecord> m_rows; // oldest first
    std::unique_ptr<HistoryPage> m_page;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    // Shows a page on the whole log and waits for every row.
    void openPage()
    {
        m_page = std::make_unique<HistoryPage>(*m_storage);
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_page->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_page->resize(1100, 600);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowActive(m_page.get()));
        QTRY_COMPARE(m_page->model()->rowCount(), kRows);
        QTRY_VERIFY(!m_page->model()->isLoading());
    }

    QTableView *view() const { return m_page->view(); }

    void clickRow(int row, Qt::KeyboardModifiers modifiers = {})
    {
        const QRect rect = view()->visualRect(m_page->model()->index(row, 1));
        QTest::mouseClick(view()->viewport(), Qt::LeftButton, modifiers, rect.center());
    }

    // Newest first, as the page shows them.
    QList<TransferRecord> newestFirst(const std::function<bool(const TransferRecord &)> &keep)
    {
        QList<TransferRecord> rows;
        for (auto it = m_rows.crbegin(); it != m_rows.crend(); ++it) {
            if (keep(*it))
                rows.append(*it);
        }
        return rows;
    }

    QList<TransferRecord> shown() const
    {
        QList<TransferRecord> records;
        for (int row = 0; row < m_page->model()->rowCount(); ++row)
            records.append(m_page->model()->record(row));
        return records;
    }

    QByteArray readFile(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); // "2,100"
        QString error;
        m_storage = Storage::open(m_dir.filePath(QStringLiteral("page.sqlite")), &error);
        QVERIFY2(m_storage, qPrintable(error));
        QList<Partner> partners;
        for (const auto &[name, dpid] : {std::pair{"Acme Data", 1955}, {"Beta Signals", 2001}}) {
            Partner partner;
            partner.name = QString::fromLatin1(name);
            partner.dpid = dpid;
            partner.endpoint = QStringLiteral("http://127.0.0.1:9101/lookup");
            QVERIFY(PartnerRepository(*m_storage).save(partner).ok);
            partners.append(partner);
        }
        QList<TransferLog::PreparedRow> prepared;
        for (int i = 0; i < kRows; ++i) {
            TransferRecord r;
            r.eventId = i + 1;
            r.startMs = kT0 + i * 1000;
            r.tid = QStringLiteral("tid-%1").arg(i, 4, 10, QLatin1Char('0'));
            r.uuid = QStringLiteral("visitor-%1").arg(i % 10);
            r.partnerId = partners.at(i % 2).id;
            r.partnerName = partners.at(i % 2).name;
            r.dpid = partners.at(i % 2).dpid;
            r.deadlineMs = 100;
            r.budgetMs = 70;
            r.outcome = TransferOutcome(i % TransferOutcomeCount);
            r.reason = i % 30 == 5 ? QStringLiteral("connection refused, \"port\" 9101")
                                   : QStringLiteral("=row %1").arg(i);
            r.codes = {QStringLiteral("c%1").arg(i)};
            r.timings = {5, 10, -1, 20, 900, 950, 990};
            r.totalUs = 1000 + i;
            m_rows.append(r);
            prepared.append(TransferLog::PreparedRow::from(r));
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

    void init()
    {
        // Every test starts from the whole log with the default columns.
        AppSettings settings;
        settings.setHistoryHeaderState({});
        settings.setHistoryTimeRange(QStringLiteral("all"));
    }

    void cleanup()
    {
        m_tester.reset();
        m_page.reset();
    }

    void cleanupTestCase() { m_storage.reset(); }

    void showsTheLogNewestFirst()
    {
        openPage();
        QCOMPARE(tidsOf(shown()), tidsOf(newestFirst([](const TransferRecord &) {
                     return true;
                 })));
        QTRY_COMPARE(m_page->summaryLabel()->text(), QStringLiteral("300 transfers"));
        QCOMPARE(m_page->timeRange(), HistoryPage::TimeRange::All);
        QVERIFY(!m_page->fromEdit()->isEnabled());
        QCOMPARE(view()->horizontalHeader()->sortIndicatorSection(), int(TransferColumns::Time));
        QCOMPARE(view()->horizontalHeader()->sortIndicatorOrder(), Qt::DescendingOrder);
    }

    // Typing queries once, after a pause, not at every key.
    void typingFiltersAfterAPause()
    {
        openPage();
        QSignalSpy resets(m_page->model(), &QAbstractItemModel::modelReset);
        QTest::keyClicks(m_page->filterBar()->textEdit(), QStringLiteral("REFUSED"));
        QCOMPARE(resets.size(), 0); // not yet
        QCOMPARE(m_page->model()->rowCount(), kRows);
        QTRY_COMPARE(m_page->model()->rowCount(), 10);
        QCOMPARE(resets.size(), 1);
        QCOMPARE(tidsOf(shown()), tidsOf(newestFirst([](const TransferRecord &r) {
                     return r.reason.contains(QStringLiteral("refused"));
                 })));
        QTRY_COMPARE(m_page->summaryLabel()->text(), QStringLiteral("10 transfers"));

        // The visitor field too, together with the text.
        QTest::keyClicks(m_page->filterBar()->visitorEdit(), QStringLiteral("visitor-5"));
        QTRY_COMPARE(m_page->model()->rowCount(), 10); // every refused row has visitor 5
        m_page->filterBar()->textEdit()->clear();
        QTRY_COMPARE(m_page->model()->rowCount(), 30);
        for (const TransferRecord &r : shown())
            QCOMPARE(r.uuid, QStringLiteral("visitor-5"));
    }

    // A choice in a list applies at once.
    void partnerAndOutcomeApplyAtOnce()
    {
        openPage();
        QComboBox *partner = m_page->filterBar()->partnerBox();
        QTRY_COMPARE(partner->count(), 3); // "All partners" and the two, read off the GUI thread
        QSignalSpy resets(m_page->model(), &QAbstractItemModel::modelReset);
        partner->setCurrentIndex(partner->findData(2001));
        QCOMPARE(resets.size(), 1);
        QTRY_COMPARE(m_page->model()->rowCount(), 150);
        QComboBox *outcome = m_page->filterBar()->outcomeBox();
        outcome->setCurrentIndex(outcome->findData(int(TransferOutcome::Timeout)));
        QCOMPARE(resets.size(), 2);
        const QList<TransferRecord> want = newestFirst([](const TransferRecord &r) {
            return r.dpid == 2001 && r.outcome == TransferOutcome::Timeout;
        });
        QTRY_COMPARE(tidsOf(shown()), tidsOf(want));
        QVERIFY(!want.isEmpty());
    }

    void customTimeRange()
    {
        openPage();
        m_page->setCustomRange(QDateTime::fromMSecsSinceEpoch(kT0 + 100'000),
                               QDateTime::fromMSecsSinceEpoch(kT0 + 200'000));
        QCOMPARE(m_page->timeRange(), HistoryPage::TimeRange::Custom);
        QVERIFY(m_page->fromEdit()->isEnabled());
        QVERIFY(m_page->untilEdit()->isEnabled());
        QTRY_COMPARE(m_page->model()->rowCount(), 100);
        QCOMPARE(m_page->model()->record(0).tid, QStringLiteral("tid-0199")); // until: excluded
        QCOMPARE(m_page->model()->record(99).tid, QStringLiteral("tid-0100"));

        // Editing an end moves the range (after the pause).
        m_page->untilEdit()->setDateTime(QDateTime::fromMSecsSinceEpoch(kT0 + 150'000));
        QTRY_COMPARE(m_page->model()->rowCount(), 50);

        // A relative range: the rows are all older than the last 15 minutes.
        m_page->setTimeRange(HistoryPage::TimeRange::Last15Minutes);
        QVERIFY(!m_page->fromEdit()->isEnabled());
        QTRY_VERIFY(!m_page->model()->isLoading());
        QCOMPARE(m_page->model()->rowCount(), 0);
        QTRY_COMPARE(m_page->summaryLabel()->text(),
                     QStringLiteral("No transfers in this time range match the filter"));
    }

    void exportSelection_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("csv") << QStringLiteral("selection.csv");
        QTest::newRow("json") << QStringLiteral("selection.json");
    }

    // Rows chosen with the mouse, written off the GUI thread, exactly those rows in table order.
    void exportSelection()
    {
        QFETCH(QString, name);
        openPage();
        clickRow(2);
        clickRow(6, Qt::ShiftModifier);
        const QList<TransferRecord> selected = m_page->selectedRecords();
        QCOMPARE(tidsOf(selected), (QStringList{QStringLiteral("tid-0297"),
                                                QStringLiteral("tid-0296"),
                                                QStringLiteral("tid-0295"),
                                                QStringLiteral("tid-0294"),
                                                QStringLiteral("tid-0293")}));
        QVERIFY(m_page->exportSelectionAction()->isEnabled());

        QTemporaryDir dir;
        const QString path = dir.filePath(name);
        QSignalSpy finished(m_page.get(), &HistoryPage::exportFinished);
        QSignalSpy status(m_page.get(), &HistoryPage::statusMessage);
        QVERIFY(m_page->exportSelection(path));
        QVERIFY(m_page->isExporting());
        QVERIFY(finished.wait(10'000));
        QCOMPARE(finished.first().at(0).toString(), path);
        QCOMPARE(finished.first().at(1).toLongLong(), qint64(5));
        QCOMPARE(finished.first().at(2).toString(), QString());
        QVERIFY(!m_page->isExporting());
        QVERIFY2(status.constLast().first().toString().startsWith(
                     QStringLiteral("Exported 5 transfers to")),
                 qPrintable(status.constLast().first().toString()));

        const QByteArray bytes = readFile(path);
        if (name.endsWith(QLatin1StringView(".csv"))) {
            QCOMPARE(bytes, TransferExporter::toCsv(selected));
            const QList<QByteArray> lines = bytes.split('\n');
            QCOMPARE(lines.size(), 7); // header, five rows, and after the last CRLF
            QVERIFY(lines.at(1).startsWith("2025-11-22T14:04:57.000Z,tid-0297,visitor-7,"));
            QVERIFY(lines.at(1).contains(",'=row 297,")); // defused
        } else {
            QCOMPARE(bytes, TransferExporter::toJson(selected));
            const QJsonArray array = QJsonDocument::fromJson(bytes).array();
            QCOMPARE(array.size(), 5);
            QCOMPARE(array.at(0).toObject().value(u"tid").toString(), QStringLiteral("tid-0297"));
            QCOMPARE(array.at(4).toObject().value(u"reason").toString(),
                     QStringLiteral("=row 293"));
        }
    }

    void exportNeedsASelectionAndASuffix()
    {
        openPage();
        QTemporaryDir dir;
        QSignalSpy status(m_page.get(), &HistoryPage::statusMessage);
        QVERIFY(!m_page->exportSelectionAction()->isEnabled());
        QVERIFY(!m_page->exportSelection(dir.filePath(QStringLiteral("none.csv"))));
        QCOMPARE(status.constLast().first().toString(),
                 QStringLiteral("Select the transfers to export first"));
        clickRow(0);
        QVERIFY(!m_page->exportSelection(dir.filePath(QStringLiteral("rows.txt"))));
        QCOMPARE(status.constLast().first().toString(),
                 QStringLiteral("Export: name the file .csv or .json"));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("none.csv"))));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("rows.txt"))));
    }

    // Every matching row, read from the log page by page: not only the rows loaded in the table.
    void exportAllMatching()
    {
        openPage();
        m_page->model()->setPageSize(40);
        QComboBox *partner = m_page->filterBar()->partnerBox();
        QTRY_COMPARE(partner->count(), 3);
        partner->setCurrentIndex(partner->findData(1955));
        QTRY_VERIFY(m_page->model()->rowCount() >= 40);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("all.json"));
        QSignalSpy finished(m_page.get(), &HistoryPage::exportFinished);
        QVERIFY(m_page->exportAllMatching(path));
        QVERIFY(finished.wait(10'000));
        QCOMPARE(finished.first().at(1).toLongLong(), qint64(150));
        const QList<TransferRecord> want = newestFirst([](const TransferRecord &r) {
            return r.dpid == 1955;
        });
        const QJsonArray array = QJsonDocument::fromJson(readFile(path)).array();
        QCOMPARE(array.size(), 150);
        QStringList tids;
        for (const QJsonValue &value : array)
            tids.append(value.toObject().value(u"tid").toString());
        QCOMPARE(tids, tidsOf(want));
    }

    void ctrlCCopiesTheSelectedRows()
    {
        openPage();
        clickRow(0);
        clickRow(1, Qt::ShiftModifier);
        view()->setFocus();
        QApplication::clipboard()->clear();
        QTest::keySequence(view(), QKeySequence::Copy);
        const QMimeData *mime = QApplication::clipboard()->mimeData();
        QVERIFY(mime);
        const QStringList lines = mime->text().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        const QStringList cells = lines.at(0).split(u'\t');
        QCOMPARE(cells.size(), int(TransferColumns::Count));
        QCOMPARE(cells.at(TransferColumns::Tid), QStringLiteral("tid-0299"));
        QCOMPARE(cells.at(TransferColumns::Visitor), QStringLiteral("visitor-9"));
        QCOMPARE(lines.at(1).split(u'\t').at(TransferColumns::Tid), QStringLiteral("tid-0298"));
        QCOMPARE(mime->data(QStringLiteral("text/csv")),
                 TransferExporter::toCsv(m_page->selectedRecords()));

        // A hidden column is left out of the text.
        view()->horizontalHeader()->hideSection(TransferColumns::Codes);
        QTest::keySequence(view(), QKeySequence::Copy);
        QCOMPARE(QApplication::clipboard()->text().split(u'\n').at(0).split(u'\t').size(),
                 int(TransferColumns::Count) - 1);
    }

    // Thousands of rows are formatted on a worker thread; the clipboard gets them when done.
    void aBigCopyIsMadeOffTheGuiThread()
    {
        QTemporaryDir dir;
        QString error;
        auto storage = Storage::open(dir.filePath(QStringLiteral("big.sqlite")), &error);
        QVERIFY2(storage, qPrintable(error));
        constexpr int rows = 2100;
        QList<TransferLog::PreparedRow> prepared;
        for (int i = 0; i < rows; ++i) {
            TransferRecord r = m_rows.at(i % kRows);
            r.startMs = kT0 + i;
            r.tid = QStringLiteral("big-%1").arg(i);
            r.partnerId = 0; // no partners in this database
            prepared.append(TransferLog::PreparedRow::from(r));
        }
        const WriteResult written = storage->writer().runAndWait(
            [&prepared](WriteContext &context, QString *jobError) {
                for (const TransferLog::PreparedRow &row : prepared) {
                    if (!TransferLog::write(context, row, jobError))
                        return false;
                }
                return true;
            });
        QVERIFY2(written.ok, qPrintable(written.error));
        {
            HistoryPage page(*storage);
            QAbstractItemModelTester tester(
                page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            page.show();
            QVERIFY(QTest::qWaitForWindowActive(&page));
            QTRY_COMPARE(page.model()->rowCount(), rows); // the tester fetches every page
            page.view()->setFocus();
            QTest::keySequence(page.view(), QKeySequence::SelectAll);
            QSignalSpy status(&page, &HistoryPage::statusMessage);
            QApplication::clipboard()->clear();
            QTest::keySequence(page.view(), QKeySequence::Copy);
            QCOMPARE(status.constLast().first().toString(),
                     QStringLiteral("Copying 2,100 transfers…"));
            QTRY_COMPARE(status.constLast().first().toString(),
                         QStringLiteral("Copied 2,100 transfers"));
            const QStringList lines =
                QApplication::clipboard()->text().split(u'\n', Qt::SkipEmptyParts);
            QCOMPARE(lines.size(), rows);
            QCOMPARE(lines.first().split(u'\t').at(TransferColumns::Tid),
                     QStringLiteral("big-2099"));
            QCOMPARE(QApplication::clipboard()->mimeData()->data(QStringLiteral("text/csv")),
                     TransferExporter::toCsv(page.selectedRecords()));
        }
    }

    void ctrlASelectsEveryLoadedRow()
    {
        openPage();
        view()->setFocus();
        QTest::keySequence(view(), QKeySequence::SelectAll);
        QCOMPARE(view()->selectionModel()->selectedRows().size(), kRows);
    }

    // Ctrl+F and F5 work even when the window has actions on the same keys (the workspace's F5).
    void ctrlFAndF5WinOverWindowActions()
    {
        QMainWindow window;
        auto *page = new HistoryPage(*m_storage);
        QAbstractItemModelTester tester(page->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.setCentralWidget(page);
        QAction windowRefresh(&window);
        windowRefresh.setShortcut(QKeySequence::Refresh);
        window.addAction(&windowRefresh);
        QSignalSpy windowRefreshed(&windowRefresh, &QAction::triggered);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTRY_COMPARE(page->model()->rowCount(), kRows);

        page->view()->setFocus();
        QTRY_VERIFY(page->view()->hasFocus());
        QTest::keySequence(page->view(), QKeySequence::Find);
        QTRY_VERIFY(page->filterBar()->textEdit()->hasFocus());

        page->view()->setFocus();
        QSignalSpy resets(page->model(), &QAbstractItemModel::modelReset);
        QTest::keyClick(page->view(), Qt::Key_F5);
        QCOMPARE(resets.size(), 1);
        QCOMPARE(windowRefreshed.size(), 0);
        QTRY_COMPARE(page->model()->rowCount(), kRows);
        QTRY_VERIFY(!page->model()->isLoading());
    }

    void currentRowIsAnnounced()
    {
        openPage();
        QSignalSpy current(m_page.get(), &HistoryPage::currentTransferChanged);
        clickRow(3);
        QCOMPARE(current.size(), 1);
        const auto record = current.first().first().value<TransferRecord>();
        QCOMPARE(record.tid, QStringLiteral("tid-0296"));
        QCOMPARE(record.totalUs, 1296);
        QCOMPARE(m_page->currentRecord().tid, QStringLiteral("tid-0296"));
        // A new query empties the table: no current transfer any more.
        m_page->refresh();
        QCOMPARE(current.size(), 2);
        QCOMPARE(current.constLast().first().value<TransferRecord>().tid, QString());
    }

    // Only the time column sorts, in SQL; the other headers leave the order as it is.
    void theTimeHeaderTurnsTheOrder()
    {
        openPage();
        QHeaderView *header = view()->horizontalHeader();
        const auto clickHeader = [header](int section) {
            const int x = header->sectionViewportPosition(section)
                          + header->sectionSize(section) / 2;
            QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                              QPoint(x, header->height() / 2));
        };
        clickHeader(TransferColumns::Time);
        QCOMPARE(m_page->model()->order(), TransferLog::Order::OldestFirst);
        QTRY_COMPARE(m_page->model()->rowCount(), kRows);
        QCOMPARE(m_page->model()->record(0).tid, QStringLiteral("tid-0000"));
        QSignalSpy resets(m_page->model(), &QAbstractItemModel::modelReset);
        clickHeader(TransferColumns::Partner);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(header->sortIndicatorSection(), int(TransferColumns::Time));
        QCOMPARE(header->sortIndicatorOrder(), Qt::AscendingOrder);
    }

    // Hidden columns, the order and the time range come back with the next page.
    void choicesPersist()
    {
        openPage();
        view()->horizontalHeader()->hideSection(TransferColumns::Budget);
        view()->sortByColumn(TransferColumns::Time, Qt::AscendingOrder);
        m_page->setCustomRange(QDateTime::fromMSecsSinceEpoch(kT0 + 10'000),
                               QDateTime::fromMSecsSinceEpoch(kT0 + 20'000));
        QTRY_COMPARE(m_page->model()->rowCount(), 10);
        m_tester.reset();
        m_page.reset();

        m_page = std::make_unique<HistoryPage>(*m_storage);
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_page->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(view()->horizontalHeader()->isSectionHidden(TransferColumns::Budget));
        QVERIFY(!view()->horizontalHeader()->isSectionHidden(TransferColumns::Codes));
        QCOMPARE(m_page->timeRange(), HistoryPage::TimeRange::Custom);
        QCOMPARE(m_page->model()->order(), TransferLog::Order::OldestFirst);
        QVERIFY(!m_page->model()->hasQuery()); // nothing read before the page shows
        m_page->show();
        QTRY_COMPARE(m_page->model()->rowCount(), 10);
        QCOMPARE(m_page->model()->record(0).tid, QStringLiteral("tid-0010"));
    }

    // The table's context menu narrows the filter to the row's visitor.
    void contextMenuNarrowsToTheVisitor()
    {
        openPage();
        const QRect rect = view()->visualRect(m_page->model()->index(4, 1)); // visitor-5
        bool triggered = false;
        QTimer::singleShot(0, this, [&triggered] {
            auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
            if (!menu)
                return;
            for (QAction *action : menu->actions()) {
                if (action->text() == QStringLiteral("Show Only This &Visitor")) {
                    action->trigger();
                    triggered = true;
                }
            }
            menu->close();
        });
        Q_EMIT view()->customContextMenuRequested(rect.center());
        QVERIFY(triggered);
        QCOMPARE(m_page->filterBar()->visitorEdit()->text(), QStringLiteral("visitor-5"));
        QTRY_COMPARE(m_page->model()->rowCount(), 30);
        for (const TransferRecord &r : shown())
            QCOMPARE(r.uuid, QStringLiteral("visitor-5"));
    }
};

QTEST_MAIN(tst_HistoryPage)
#include "tst_historypage.moc"
