#include "qualificationfixture.h"

#include "rules/segmentpreview.h"
#include "storage/sqlutil.h"
#include "storage/storage.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace Dcs;
using namespace Fixture;
using namespace Qt::StringLiterals;

namespace {

struct StoredRow
{
    QString uuid;
    qint64 traitSid = 0;
    qint64 timeMs = 0;
    int ttlDays = 120;
};

Definitions definitions()
{
    Definitions d;
    d.folders = {folder(1, "F"), folder(2, "Other")};
    d.traits = {trait(1, Trait::Type::Rule, 1, "c_a == \"x\""),
                trait(2, Trait::Type::Rule, 1, "c_b == \"x\""),
                trait(3, Trait::Type::Rule, 2, "c_c == \"x\""),
                trait(9, Trait::Type::Folder, 1, "")};
    return d;
}

QString visitor(char letter)
{
    return QString(38, QLatin1Char(letter));
}

// Realizations and visitors rows in one writer job.
bool store(Storage &storage, const QList<StoredRow> &rows)
{
    const WriteResult result
        = storage.writer().runAndWait([&rows](WriteContext &context, QString *error) {
              QSqlQuery &realization = context.prepared(QStringLiteral(
                  "INSERT INTO trait_realizations (uuid, trait_sid, ts_ms, expires_ms, source) "
                  "VALUES (?, ?, ?, ?, 'call')"));
              QSqlQuery &visitorRow = context.prepared(QStringLiteral(
                  "INSERT OR IGNORE INTO visitors (uuid, first_seen_ms, last_seen_ms) "
                  "VALUES (?, ?, ?)"));
              for (const StoredRow &row : rows) {
                  const qint64 expires = realizationExpiryMs(row.timeMs, row.ttlDays);
                  SqlUtil::bindAll(realization, {row.uuid, row.traitSid, row.timeMs,
                                                 expires == Never ? QVariant() : expires});
                  SqlUtil::bindAll(visitorRow, {row.uuid, row.timeMs, row.timeMs});
                  if (!WriteContext::exec(realization, error)
                      || !WriteContext::exec(visitorRow, error))
                      return false;
              }
              return true;
          });
    if (!result.ok)
        qWarning("%s", qPrintable(result.error));
    return result.ok;
}

// A: 1T yesterday. B: 1T ten days ago and 2T two days ago. C: 2T yesterday and 3T.
// D: 1T expired long ago. E: 1T tomorrow (has not happened yet at now()).
QList<StoredRow> population()
{
    const qint64 n = now();
    return {{visitor('a'), 1, n - Day},      {visitor('b'), 1, n - 10 * Day},
            {visitor('b'), 2, n - 2 * Day},  {visitor('c'), 2, n - Day},
            {visitor('c'), 3, n - Day},      {visitor('d'), 1, n - 200 * Day, 30},
            {visitor('e'), 1, n + Day}};
}

} // namespace

class TestSegmentPreview : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;

    std::unique_ptr<Storage> open()
    {
        QString error;
        auto storage
            = Storage::open(m_dir.filePath(QStringLiteral("s%1.sqlite").arg(++m_counter)), &error);
        if (!storage)
            qWarning("%s", qPrintable(error));
        if (storage && !storeDefinitions(*storage, definitions()).ok)
            return nullptr;
        return storage;
    }

private Q_SLOTS:
    void counts_data()
    {
        QTest::addColumn<QString>("draft");
        QTest::addColumn<QString>("saved");
        QTest::addColumn<bool>("compared");
        QTest::addColumn<QList<qint64>>("expected"); // holders, saved holders, joins, leaves
        // Visitors with an unexpired realization of a trait either rule names (folder traits:
        // of a member): only they can hold a segment (rules that hold with no realization are
        // refused), so only they are read. D's only realization expired; E's is in the future.
        QTest::addColumn<qint64>("scanned");

        QTest::newRow("new segment") << u"1T"_s << QString() << false
                                     << QList<qint64>{2, 0, 2, 0} << qint64(3); // A B E
        QTest::newRow("against the saved rule") << u"1T"_s << u"2T"_s << true
                                                << QList<qint64>{2, 2, 1, 1} << qint64(4);
        QTest::newRow("recency narrows") << u"FREQUENCY([1T] <= 5D) >= 1"_s << u"1T"_s << true
                                         << QList<qint64>{1, 2, 0, 1} << qint64(3);
        QTest::newRow("folder trait counts its members")
            << u"FREQUENCY([9T]) >= 2"_s << u"9T"_s << true << QList<qint64>{1, 3, 0, 2}
            << qint64(4); // 9T is 1T and 2T: A B C E
        QTest::newRow("same rule") << u"2T AND 3T"_s << u"3T AND 2T"_s << true
                                   << QList<qint64>{1, 1, 0, 0} << qint64(2); // B C
        QTest::newRow("saved rule no longer compiles")
            << u"2T OR 1T"_s << u"99T"_s << false << QList<qint64>{3, 0, 0, 0} << qint64(4);
    }

    void counts()
    {
        QFETCH(QString, draft);
        QFETCH(QString, saved);
        QFETCH(bool, compared);
        QFETCH(QList<qint64>, expected);
        QFETCH(qint64, scanned);

        auto storage = open();
        QVERIFY(storage);
        QVERIFY(store(*storage, population()));
        const auto rules = definitions().build();
        QList<double> progress;
        const SegmentPreviewResult result
            = SegmentPreview::run(storage->reader(), *rules, draft, saved, now(),
                                  [&progress](double fraction) { progress.append(fraction); });
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.compared, compared);
        QCOMPARE(result.visitorsScanned, scanned);
        QCOMPARE((QList<qint64>{result.holders, result.savedHolders, result.joins,
                                result.leaves}),
                 expected);
        QCOMPARE(result.savedDiagnostic.text.isEmpty(), saved.isEmpty() || compared);
        QCOMPARE(progress.last(), 1.0);
    }

    void invalidDraft_data()
    {
        QTest::addColumn<QString>("draft");
        QTest::addColumn<QString>("mentions");

        QTest::newRow("syntax") << u"1T AND"_s << u"expected"_s;
        QTest::newRow("unknown trait") << u"1T OR 99T"_s << u"99"_s;
        QTest::newRow("holds for everyone") << u"NOT 1T"_s << QString();
    }

    void invalidDraft()
    {
        QFETCH(QString, draft);
        QFETCH(QString, mentions);

        auto storage = open();
        QVERIFY(storage);
        const auto rules = definitions().build();
        const SegmentPreviewResult result
            = SegmentPreview::run(storage->reader(), *rules, draft, u"1T"_s, now());
        QCOMPARE(result.status, SegmentPreviewResult::Status::InvalidRule);
        QVERIFY(!result.diagnostic.text.isEmpty());
        QVERIFY2(result.diagnostic.message().contains(mentions),
                 qPrintable(result.diagnostic.message()));
        QCOMPARE(result.visitorsScanned, 0);
    }

    void cancelStopsEarly()
    {
        auto storage = open();
        QVERIFY(storage);
        QList<StoredRow> rows;
        for (int i = 0; i < 20000; ++i)
            rows.append({QString::number(i).rightJustified(38, u'1'), 1, now() - Day});
        QVERIFY(store(*storage, rows));
        const auto rules = definitions().build();
        std::atomic<bool> cancel{false};
        const SegmentPreviewResult result = SegmentPreview::run(
            storage->reader(), *rules, u"1T"_s, QString(), now(),
            [&cancel](double) { cancel = true; }, &cancel);
        QCOMPARE(result.status, SegmentPreviewResult::Status::Cancelled);
        QVERIFY2(result.visitorsScanned < 10000,
                 qPrintable(QString::number(result.visitorsScanned)));
    }

    void jobIgnoresStaleResults()
    {
        auto storage = open();
        QVERIFY(storage);
        QVERIFY(store(*storage, population()));
        const auto rules = definitions().build();
        SegmentPreviewJob job(*storage);
        QSignalSpy finished(&job, &SegmentPreviewJob::finished);
        QSignalSpy progress(&job, &SegmentPreviewJob::progress);
        job.start(rules, u"1T"_s, u"2T"_s, now());
        const quint64 last = job.start(rules, u"2T"_s, u"1T"_s, now());
        QVERIFY(finished.wait(30000));
        QTRY_VERIFY(!job.isRunning());
        QCoreApplication::processEvents();
        QCOMPARE(finished.count(), 1);
        const auto result = finished.at(0).at(0).value<SegmentPreviewResult>();
        QCOMPARE(result.generation, last);
        QCOMPARE((QList<qint64>{result.holders, result.joins, result.leaves}),
                 (QList<qint64>{2, 1, 1})); // C joins, A leaves
        QVERIFY(!progress.isEmpty());
    }

    void jobCancelEmitsNothing()
    {
        auto storage = open();
        QVERIFY(storage);
        QVERIFY(store(*storage, population()));
        SegmentPreviewJob job(*storage);
        QSignalSpy finished(&job, &SegmentPreviewJob::finished);
        job.start(definitions().build(), u"1T"_s, QString(), now());
        job.cancel();
        QTRY_VERIFY(!job.isRunning());
        QCoreApplication::processEvents();
        QCOMPARE(finished.count(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSegmentPreview)
#include "tst_segmentpreview.moc"
