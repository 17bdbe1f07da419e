// The reports page against a real database: realizations and membership changes seeded through
// the store the engine writes with, the page's numbers compared with ReportStore's at the same
// instant, the chart's points with segmentDailyChanges, sorting and the CSV export byte for byte.
#include "common/appidentity.h"
#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "reports/reportspage.h"
#include "reports/reporttablemodel.h"
#include "rules/reports.h"
#include "rules/rulesnapshot.h"
#include "storage/realizationstore.h"
#include "storage/reportstore.h"
#include "storage/storage.h"
#include "storage/workspacefile.h"

#include <QAbstractItemModelTester>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;

namespace {

constexpr qint64 kDay = MsPerDay;

qint64 utcMs(int year, int month, int day, int hour = 0, int minute = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute), Qt::UTC)
        .toMSecsSinceEpoch();
}

// 2024-03-20T12:00:00Z: the page's clock, pinned.
const qint64 kNow = utcMs(2024, 3, 20, 12);

// tests/data/workspace-reports.json: traits 1 and 2 in folder 2 (folder trait 3 stands for
// both); trait 4's name would run as a formula in a spreadsheet and trait 2's holds a comma;
// segment 10 is 1T, segment 11 is 2T.
QByteArray workspaceJson()
{
    QFile file(QStringLiteral(DCS_TEST_DATA_DIR "/workspace-reports.json"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString visitor(int number)
{
    return QStringLiteral("4%1").arg(number, 37, 10, QLatin1Char('0'));
}

NewRealization realization(qint64 sid, qint64 timeMs, qint64 expiresMs)
{
    NewRealization result;
    result.traitSid = sid;
    result.realization = Realization{timeMs, expiresMs};
    return result;
}

MembershipChange join(qint64 sid, qint64 atMs)
{
    return MembershipChange{sid, MembershipChange::Kind::Join, atMs, QStringLiteral("call")};
}

MembershipChange leave(qint64 sid, qint64 atMs)
{
    return MembershipChange{sid, MembershipChange::Kind::Leave, atMs, QStringLiteral("expired")};
}

} // namespace

class tst_ReportsPage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DcsServer> m_server;
    std::unique_ptr<ReportsPage> m_page;
    std::unique_ptr<QAbstractItemModelTester> m_modelTester;
    std::unique_ptr<QAbstractItemModelTester> m_proxyTester;

    void store(const QString &uuid, const QList<NewRealization> &realizations,
               const QList<MembershipChange> &changes = {})
    {
        Qualification qualification;
        qualification.realizations = realizations;
        qualification.changes = changes;
        const WriteResult result = m_server->storage()->writer().runAndWait(
            [&](WriteContext &context, QString *error) {
                return RealizationStore::writeQualification(context, uuid, qualification,
                                                            error);
            });
        QVERIFY2(result.ok, qPrintable(result.error));
    }

    void openPage()
    {
        m_page = std::make_unique<ReportsPage>(*m_server);
        m_page->setClock([] { return kNow; });
        m_modelTester = std::make_unique<QAbstractItemModelTester>(
            m_page->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_proxyTester = std::make_unique<QAbstractItemModelTester>(
            m_page->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(m_page.get(), &ReportsPage::reportsLoaded);
        m_page->resize(1300, 800);
        m_page->show(); // showing the page computes its numbers
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        QTRY_COMPARE(loaded.size(), 1);
        QCOMPARE(m_page->reportTimeMs(), kNow);
    }

    int viewRowOf(ReportRow::Kind kind, qint64 sid) const
    {
        for (int row = 0; row < m_page->proxy()->rowCount(); ++row) {
            const ReportRow item = m_page->model()->row(
                m_page->proxy()->mapToSource(m_page->proxy()->index(row, 0)).row());
            if (item.kind == kind && item.sid == sid)
                return row;
        }
        return -1;
    }

    void clickItem(ReportRow::Kind kind, qint64 sid)
    {
        const int row = viewRowOf(kind, sid);
        QVERIFY(row >= 0);
        const QModelIndex index = m_page->proxy()->index(row, ReportTableModel::Name);
        m_page->view()->scrollTo(index);
        QTest::mouseClick(m_page->view()->viewport(), Qt::LeftButton, {},
                          m_page->view()->visualRect(index).center());
    }

    QList<SegmentDayChanges> storedChanges(qint64 sid, int days)
    {
        QList<SegmentDayChanges> changes;
        QString error;
        if (!ReportStore::segmentDailyChanges(m_server->storage()->reader(), sid, kNow, days,
                                              &changes, &error))
            qWarning("%s", qPrintable(error));
        return changes;
    }

    QString cell(int viewRow, int column) const
    {
        return m_page->proxy()->index(viewRow, column).data().toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        setApplicationIdentity();
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(m_dir.isValid());
        m_server = std::make_unique<DcsServer>(nullptr, 1);
        QString error;
        QVERIFY2(m_server->openStorage(m_dir.filePath(QStringLiteral("reports.sqlite")), &error),
                 qPrintable(error));
        const WorkspaceReport report =
            WorkspaceFile::import(*m_server->storage(), workspaceJson(), QStringLiteral("test"));
        QVERIFY2(report.ok, report.errors.isEmpty() ? "import failed"
                                                    : qPrintable(report.errors.first().message));
        m_server->reloadRules();
        QCOMPARE(m_server->rulesEngine()->snapshot()->segments().size(), 2);

        // Trait 1: visitor 1 twice today, visitor 2 ten days ago, visitor 3 long expired.
        store(visitor(1), {realization(1, kNow - 3'600'000, kNow + 100 * kDay),
                           realization(1, kNow - 7'200'000, kNow + 100 * kDay)});
        store(visitor(2), {realization(1, kNow - 10 * kDay, kNow + 110 * kDay)});
        store(visitor(3), {realization(1, kNow - 200 * kDay, kNow - 80 * kDay)});
        // Trait 2 (TTL 1): visitor 1 yesterday, still held; visitor 4 three days ago, expired.
        store(visitor(1), {realization(2, kNow - kDay, utcMs(2024, 3, 21))});
        store(visitor(4), {realization(2, kNow - 3 * kDay, utcMs(2024, 3, 19))});
        // Segment 10: joins and leaves on a few UTC days.
        store(visitor(1), {}, {join(10, utcMs(2024, 3, 20, 10))});
        store(visitor(2), {}, {join(10, utcMs(2024, 3, 10, 12))});
        store(visitor(3), {}, {join(10, utcMs(2024, 3, 1)), leave(10, utcMs(2024, 3, 19, 8))});
        store(visitor(5), {},
              {join(10, utcMs(2024, 3, 19, 9)), leave(10, utcMs(2024, 3, 19, 20))});
        // Segment 11.
        store(visitor(1), {}, {join(11, utcMs(2024, 3, 19, 12))});
        store(visitor(4), {}, {join(11, utcMs(2024, 3, 17, 12)), leave(11, utcMs(2024, 3, 19))});
    }

    void init()
    {
        // Every test starts from the default columns and order (a page saves its header).
        AppSettings().setReportsViewState(QStringLiteral("header"), {});
    }

    void cleanup()
    {
        m_proxyTester.reset();
        m_modelTester.reset();
        m_page.reset();
    }

    void cleanupTestCase() { m_server.reset(); }

    void tableShowsTheStoresNumbers()
    {
        openPage();
        ReportTableModel *model = m_page->model();
        QCOMPARE(model->rowCount(), 6); // 4 traits, then 2 segments, by sid
        const auto rules = m_server->rulesEngine()->snapshot();
        QSqlDatabase db = m_server->storage()->reader();
        QString error;
        for (const qint64 sid : {1, 2, 3, 4}) {
            TraitReport expected;
            QVERIFY(Reports::traitReport(db, *rules, sid, kNow, &expected, &error));
            const ReportRow row = model->row(int(sid) - 1);
            QCOMPARE(row.kind, ReportRow::Kind::Trait);
            QCOMPARE(row.sid, sid);
            QCOMPARE(row.populationNow, expected.populationNow);
            for (int w = 0; w < ReportRow::WindowCount; ++w) {
                QCOMPARE(row.visitors[size_t(w)], expected.windows.at(w).uniqueVisitors);
                QCOMPARE(row.realizations[size_t(w)], expected.windows.at(w).realizations);
                // What the cells say.
                QCOMPARE(model->index(int(sid) - 1, ReportTableModel::FirstVisitors + w).data(),
                         QVariant(QLocale().toString(expected.windows.at(w).uniqueVisitors)));
            }
        }
        for (const qint64 sid : {10, 11}) {
            SegmentReport expected;
            QVERIFY(ReportStore::segmentReport(db, sid, kNow, &expected, &error));
            const ReportRow row = model->row(sid == 10 ? 4 : 5);
            QCOMPARE(row.kind, ReportRow::Kind::Segment);
            QCOMPARE(row.sid, sid);
            QCOMPARE(row.populationNow, expected.populationNow);
            for (int w = 0; w < ReportRow::WindowCount; ++w)
                QCOMPARE(row.visitors[size_t(w)], expected.windows.at(w).visitors);
            // Realizations do not apply to segments: empty cells.
            QCOMPARE(model->index(sid == 10 ? 4 : 5, ReportTableModel::FirstRealizations).data(),
                     QVariant(QString()));
        }
        // The seeds, by hand: trait 1 is held by visitors 1 and 2 now; over 1 day visitor 1
        // with 2 realizations; over 90 days visitors 1 and 2 with 3.
        QCOMPARE(model->row(0).populationNow, 2);
        QCOMPARE(model->row(0).visitors[0], 1);
        QCOMPARE(model->row(0).realizations[0], 2);
        QCOMPARE(model->row(0).visitors[5], 2);
        QCOMPARE(model->row(0).realizations[5], 3);
        // Folder trait 3 = traits 1 and 2: over 7 days visitors 1 (counted once) and 4, with
        // 4 realizations.
        QCOMPARE(model->row(2).visitors[1], 2);
        QCOMPARE(model->row(2).realizations[1], 4);
        // Segment 10: visitors 1 and 2 now; over 1 day also 5, who left at 20:00 on the 19th
        // (visitor 3 left before the day began).
        QCOMPARE(model->row(4).populationNow, 2);
        QCOMPARE(model->row(4).visitors[0], 3);
        QVERIFY(m_page->summaryLabel()->text().startsWith(
            QStringLiteral("4 traits and 2 segments · as of ")));
    }

    void chartShowsTheSelectedSegmentsDays()
    {
        openPage();
        // The first segment is charted from the start.
        QTRY_COMPARE(m_page->chartedChanges(), storedChanges(10, 30));
        QCOMPARE(m_page->chartDays(), 30);

        QSignalSpy charted(m_page.get(), &ReportsPage::chartLoaded);
        clickItem(ReportRow::Kind::Segment, 11);
        QTRY_VERIFY(!charted.isEmpty());
        const QList<SegmentDayChanges> expected = storedChanges(11, 30);
        QCOMPARE(m_page->chartedChanges(), expected);
        QCOMPARE(expected.size(), 30);
        const QList<QPointF> adds = m_page->addsSeries()->points();
        const QList<QPointF> drops = m_page->dropsSeries()->points();
        QCOMPARE(adds.size(), 30);
        QCOMPARE(drops.size(), 30);
        for (int i = 0; i < 30; ++i) {
            QCOMPARE(adds.at(i), QPointF(i, qreal(expected.at(i).adds)));
            QCOMPARE(drops.at(i), QPointF(i, qreal(expected.at(i).drops)));
        }
        // By hand: the last three days (17th, 18th, 19th; 20th is today).
        QCOMPARE(expected.at(26).dayStartMs, utcMs(2024, 3, 17));
        QCOMPARE(adds.at(26).y(), 1.0); // visitor 4 joined
        QCOMPARE(adds.at(28).y(), 1.0); // visitor 1 joined
        QCOMPARE(drops.at(28).y(), 1.0); // visitor 4 left at 00:00 on the 19th
        QCOMPARE(adds.at(29).y(), 0.0);
        // Today is labelled, in UTC.
        QVERIFY(m_page->dayAxis()->categoriesLabels().contains(QStringLiteral("Mar 20")));
        QVERIFY(m_page->chartView()->chart()->title().startsWith(QStringLiteral("11 Football")));
        QCOMPARE(m_page->chartView()->accessibleName(), QStringLiteral("Adds and drops per day"));

        // Seven days: seven points, the same numbers.
        charted.clear();
        m_page->chartDaysBox()->setCurrentIndex(m_page->chartDaysBox()->findData(7));
        QTRY_COMPARE(m_page->chartedChanges(), storedChanges(11, 7));
        QCOMPARE(m_page->addsSeries()->points().size(), 7);
        QCOMPARE(m_page->addsSeries()->points().at(5), QPointF(5, 1)); // the 19th
        QCOMPARE(AppSettings().reportsChartDays(), 7);
        m_page->chartDaysBox()->setCurrentIndex(m_page->chartDaysBox()->findData(30));

        // A trait has no adds and drops: an empty chart that says so.
        charted.clear();
        clickItem(ReportRow::Kind::Trait, 1);
        QTRY_VERIFY(!charted.isEmpty());
        QVERIFY(m_page->addsSeries()->points().isEmpty());
        QVERIFY(m_page->chartView()->chart()->title().contains(QStringLiteral("segments")));
    }

    void refreshKeepsTheSelection()
    {
        openPage();
        clickItem(ReportRow::Kind::Trait, 2);
        QCOMPARE(m_page->currentItem()->sid, 2);
        QSignalSpy loaded(m_page.get(), &ReportsPage::reportsLoaded);
        QSignalSpy resets(m_page->model(), &QAbstractItemModel::modelReset);
        QTest::keyClick(m_page->view(), Qt::Key_F5);
        QTRY_COMPARE(loaded.size(), 1);
        QCOMPARE(resets.size(), 0); // the same items: numbers updated in place
        QVERIFY(m_page->currentItem());
        QCOMPARE(m_page->currentItem()->kind, ReportRow::Kind::Trait);
        QCOMPARE(m_page->currentItem()->sid, 2);
    }

    void sortsByNumbers()
    {
        openPage();
        QHeaderView *header = m_page->view()->horizontalHeader();
        // Population now: 2 1 2 0 | 2 1. Numbers sort largest first on the first click; ties
        // keep the table's order.
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                          QPoint(header->sectionViewportPosition(ReportTableModel::PopulationNow)
                                     + 5,
                                 header->height() / 2));
        QStringList order;
        for (int row = 0; row < m_page->proxy()->rowCount(); ++row)
            order.append(cell(row, ReportTableModel::Sid) + u'='
                         + cell(row, ReportTableModel::PopulationNow));
        QCOMPARE(order, (QStringList{QStringLiteral("1=2"), QStringLiteral("3=2"),
                                     QStringLiteral("10=2"), QStringLiteral("2=1"),
                                     QStringLiteral("11=1"), QStringLiteral("4=0")}));
        // Find narrows by name.
        QTest::keyClicks(m_page->findEdit(), QStringLiteral("sport"));
        QCOMPARE(m_page->proxy()->rowCount(), 3); // Sports readers, All sports, Sporty
    }

    void exportsCsv()
    {
        openPage();
        const QString path = m_dir.filePath(QStringLiteral("reports.csv"));
        QSignalSpy finished(m_page.get(), &ReportsPage::exportFinished);
        QVERIFY(m_page->exportCsv(path));
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(1).toString(), QString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray csv = file.readAll();

        QByteArray expected =
            "kind,sid,name,population_now,visitors_1d,visitors_7d,visitors_14d,visitors_30d,"
            "visitors_60d,visitors_90d,realizations_1d,realizations_7d,realizations_14d,"
            "realizations_30d,realizations_60d,realizations_90d\r\n";
        for (const ReportRow &row : m_page->model()->rows()) {
            QByteArray line = row.kind == ReportRow::Kind::Trait ? "trait," : "segment,";
            line += QByteArray::number(row.sid) + ',';
            // The comma is quoted; the formula is defused with an apostrophe (and quoted).
            line += row.sid == 2   ? QByteArray("\"Football, live\"")
                    : row.sid == 4 ? QByteArray("\"'=HYPERLINK(\"\"x\"\")\"")
                                   : row.name.toUtf8();
            line += ',' + QByteArray::number(row.populationNow);
            for (const qint64 count : row.visitors)
                line += ',' + QByteArray::number(count);
            for (const qint64 count : row.realizations) {
                line += ',';
                if (row.kind == ReportRow::Kind::Trait)
                    line += QByteArray::number(count);
            }
            expected += line + "\r\n";
        }
        QCOMPARE(csv.split('\n'), expected.split('\n')); // a line at a time, for the message
        QCOMPARE(csv, expected);
        // The same bytes as the shared helper gives for these rows.
        QCOMPARE(csv, ReportRows::toCsv(m_page->model()->rows()));
        QVERIFY(csv.contains("trait,1,Sports readers,2,1,1,2,2,2,2,2,2,3,3,3,3\r\n"));
        QVERIFY(csv.contains("segment,11,Football fans,1,"));

        // Sorted by population now (largest first), the file follows the table.
        QHeaderView *header = m_page->view()->horizontalHeader();
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                          QPoint(header->sectionViewportPosition(ReportTableModel::PopulationNow)
                                     + 5,
                                 header->height() / 2));
        QVERIFY(m_page->exportCsv(path));
        QTRY_COMPARE(finished.size(), 2);
        QFile sorted(path); // a new file: QSaveFile replaced the old one
        QVERIFY(sorted.open(QIODevice::ReadOnly));
        QList<QByteArray> sids;
        const QList<QByteArray> lines = sorted.readAll().split('\n');
        for (const QByteArray &line : lines.mid(1, 6))
            sids.append(line.split(',').at(1));
        QCOMPARE(sids, (QList<QByteArray>{"1", "3", "10", "2", "11", "4"}));
    }
};

QTEST_MAIN(tst_ReportsPage)
#include "tst_reportspage.moc"
