#include "qualificationfixture.h"

#include "rules/reports.h"
#include "storage/realizationstore.h"
#include "storage/reportstore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;
using namespace Fixture;
using namespace Qt::StringLiterals;

namespace {

// Folder trait 3 stands for traits 1 and 2 (folder 2).
Definitions definitions()
{
    Definitions d;
    d.folders = {folder(1, "Root"), folder(2, "Sub", 1)};
    d.traits = {trait(1, Trait::Type::Rule, 2, "c_a == \"x\""),
                trait(2, Trait::Type::Rule, 2, "c_b == \"x\"", 1),
                trait(3, Trait::Type::Folder, 2, "")};
    d.segments = {segment(10, "1T"), segment(11, "2T")};
    return d;
}

QString visitor(int number)
{
    return u"3%1"_s.arg(number, 37, 10, QChar(u'0'));
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
    return MembershipChange{sid, MembershipChange::Kind::Join, atMs, u"call"_s};
}

MembershipChange leave(qint64 sid, qint64 atMs)
{
    return MembershipChange{sid, MembershipChange::Kind::Leave, atMs, u"expired"_s};
}

} // namespace

class TestReports final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Storage> m_storage;
    std::shared_ptr<const RulesSnapshot> m_rules;

    void store(const QString &uuid, const QList<NewRealization> &realizations,
               const QList<MembershipChange> &changes = {})
    {
        Qualification qualification;
        qualification.realizations = realizations;
        qualification.changes = changes;
        const WriteResult result = m_storage->writer().runAndWait(
            [&](WriteContext &context, QString *error) {
                return RealizationStore::writeQualification(context, uuid, qualification,
                                                            error);
            });
        QVERIFY2(result.ok, qPrintable(result.error));
    }

    TraitReport traitReport(qint64 sid)
    {
        TraitReport report;
        QString error;
        if (!Reports::traitReport(m_storage->reader(), *m_rules, sid, now(), &report, &error))
            qWarning("%s", qPrintable(error));
        return report;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        m_storage = Storage::open(m_dir.filePath(u"reports.sqlite"_s), &error);
        QVERIFY2(m_storage, qPrintable(error));
        const WriteResult stored = storeDefinitions(*m_storage, definitions());
        QVERIFY2(stored.ok, qPrintable(stored.error));
        m_rules = definitions().build();

        // Trait 1: each pair straddles a window's first millisecond.
        store(visitor(1), {realization(1, now() - Day, now()),          // expired at now
                           realization(1, now() - Day - 1, now())});
        store(visitor(2), {realization(1, now() - 7 * Day, now() + 1),  // counts at now
                           realization(1, now() - 7 * Day - 1, now() + 1)});
        store(visitor(3), {realization(1, now() - 90 * Day, Never),
                           realization(1, now() - 90 * Day - 1, Never)});
        store(visitor(4), {realization(1, now() + 1, Never)}); // after now: nowhere
        // Trait 2, for folder trait 3.
        store(visitor(1), {realization(2, now() - 2 * 3600'000, Never)});
        store(visitor(5), {realization(2, now() - 3 * 3600'000, Never)});

        // Segment 10: held at some instant of each window?
        store(visitor(11), {}, {join(10, now() - 100 * Day), leave(10, now() - 90 * Day)});
        store(visitor(12), {}, {join(10, now() - 100 * Day), leave(10, now() - 90 * Day + 1)});
        store(visitor(13), {}, {join(10, now() - 10 * Day)}); // a member now
        store(visitor(14), {}, {join(10, now() - Day), leave(10, now() - 3600'000)});
        store(visitor(15), {}, {join(10, now() - 20 * Day), leave(10, now() - 15 * Day)});

        // Segment 11: changes around midnights, for adds and drops per UTC day.
        store(visitor(21), {}, {join(11, utcMs(2024, 3, 18, 23, 59, 59, 999)),
                                leave(11, utcMs(2024, 3, 19))});
        store(visitor(22), {}, {join(11, utcMs(2024, 3, 19))});
        store(visitor(23), {}, {join(11, utcMs(2024, 3, 17, 23, 59, 59, 999)),
                                leave(11, now())});
        store(visitor(24), {}, {join(11, now() + 1)});
    }

    void traitWindows_data()
    {
        QTest::addColumn<qint64>("trait");
        QTest::addColumn<int>("window");
        QTest::addColumn<qint64>("unique");
        QTest::addColumn<qint64>("total");

        QTest::newRow("1 day") << qint64(1) << 0 << qint64(1) << qint64(1);
        QTest::newRow("7 days") << qint64(1) << 1 << qint64(2) << qint64(3);
        QTest::newRow("14 days") << qint64(1) << 2 << qint64(2) << qint64(4);
        QTest::newRow("30 days") << qint64(1) << 3 << qint64(2) << qint64(4);
        QTest::newRow("60 days") << qint64(1) << 4 << qint64(2) << qint64(4);
        QTest::newRow("90 days") << qint64(1) << 5 << qint64(3) << qint64(5);
        // The folder: visitor 1 counts once for traits 1 and 2.
        QTest::newRow("folder, 1 day") << qint64(3) << 0 << qint64(2) << qint64(3);
        QTest::newRow("folder, 90 days") << qint64(3) << 5 << qint64(4) << qint64(7);
        QTest::newRow("trait 2, 1 day") << qint64(2) << 0 << qint64(2) << qint64(2);
    }

    void traitWindows()
    {
        QFETCH(qint64, trait);
        QFETCH(int, window);
        QFETCH(qint64, unique);
        QFETCH(qint64, total);

        const TraitReport report = traitReport(trait);
        QCOMPARE(report.windows.size(), qsizetype(ReportWindowDays.size()));
        const TraitWindowCount &count = report.windows.at(window);
        QCOMPARE(count.days, ReportWindowDays.at(size_t(window)));
        QCOMPARE(count.uniqueVisitors, unique);
        QCOMPARE(count.realizations, total);
    }

    void traitPopulation_data()
    {
        QTest::addColumn<qint64>("trait");
        QTest::addColumn<qint64>("atMs");
        QTest::addColumn<qint64>("population");

        // Visitor 1's realizations expire at now exactly; visitor 2's one millisecond later.
        QTest::newRow("now") << qint64(1) << now() << qint64(2);
        QTest::newRow("just before") << qint64(1) << now() - 1 << qint64(3);
        QTest::newRow("just after") << qint64(1) << now() + 1 << qint64(2); // 3 and 4
        QTest::newRow("folder now") << qint64(3) << now() << qint64(4);
        QTest::newRow("unknown trait") << qint64(99) << now() << qint64(0);
    }

    void traitPopulation()
    {
        QFETCH(qint64, trait);
        QFETCH(qint64, atMs);
        QFETCH(qint64, population);

        TraitReport report;
        QString error;
        QVERIFY2(Reports::traitReport(m_storage->reader(), *m_rules, trait, atMs, &report,
                                      &error),
                 qPrintable(error));
        QCOMPARE(report.populationNow, population);
    }

    void segmentWindows()
    {
        SegmentReport report;
        QString error;
        QVERIFY2(ReportStore::segmentReport(m_storage->reader(), 10, now(), &report, &error),
                 qPrintable(error));
        QCOMPARE(report.populationNow, 1);
        // Visitor 11 left at the 90-day window's first instant: not held inside it.
        const QList<SegmentWindowCount> expected{{1, 2}, {7, 2}, {14, 2},
                                                 {30, 3}, {60, 3}, {90, 4}};
        QCOMPARE(report.windows, expected);

        // A millisecond later visitor 12's leave is at the 90-day window's first instant.
        QVERIFY(ReportStore::segmentReport(m_storage->reader(), 10, now() + 1, &report,
                                           &error));
        const QList<SegmentWindowCount> later{{1, 2}, {7, 2}, {14, 2},
                                              {30, 3}, {60, 3}, {90, 3}};
        QCOMPARE(report.windows, later);
    }

    void segmentDaily_data()
    {
        QTest::addColumn<qint64>("atMs");
        QTest::addColumn<int>("days");
        QTest::addColumn<QList<SegmentDayChanges>>("expected");

        const qint64 day18 = utcMs(2024, 3, 18);
        const qint64 day19 = utcMs(2024, 3, 19);
        const qint64 day20 = utcMs(2024, 3, 20);
        QTest::newRow("three days") << now() << 3
                                    << QList<SegmentDayChanges>{{day18, 1, 0},
                                                                {day19, 1, 1},
                                                                {day20, 0, 1}};
        QTest::newRow("today") << now() << 1 << QList<SegmentDayChanges>{{day20, 0, 1}};
        QTest::newRow("before the leave") << now() - 1 << 1
                                          << QList<SegmentDayChanges>{{day20, 0, 0}};
        QTest::newRow("at midnight") << day19 << 2
                                     << QList<SegmentDayChanges>{{day18, 1, 0},
                                                                 {day19, 1, 1}};
        QTest::newRow("none") << now() << 0 << QList<SegmentDayChanges>{};
    }

    void segmentDaily()
    {
        QFETCH(qint64, atMs);
        QFETCH(int, days);
        QFETCH(QList<SegmentDayChanges>, expected);

        QList<SegmentDayChanges> changes;
        QString error;
        QVERIFY2(ReportStore::segmentDailyChanges(m_storage->reader(), 11, atMs, days, &changes,
                                                  &error),
                 qPrintable(error));
        QCOMPARE(changes.size(), expected.size());
        for (qsizetype i = 0; i < changes.size(); ++i) {
            QCOMPARE(changes.at(i).dayStartMs, expected.at(i).dayStartMs);
            QCOMPARE(changes.at(i).adds, expected.at(i).adds);
            QCOMPARE(changes.at(i).drops, expected.at(i).drops);
        }
    }
};

QTEST_GUILESS_MAIN(TestReports)
#include "tst_reports.moc"
