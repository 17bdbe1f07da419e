#include "storage/eventids.h"
#include "storage/eventlog.h"
#include "storage/storage.h"

#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;

// Event IDs are taken before the row is written, and tids decode back to their row.
class tst_EventIds : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    std::unique_ptr<Storage> open(const QString &name)
    {
        QString error;
        auto storage = Storage::open(m_dir.filePath(name), &error);
        if (!storage)
            qWarning("%s", qPrintable(error));
        return storage;
    }

    static EventRecord eventFor(const EventIds::Allocated &ids)
    {
        EventRecord record;
        record.id = ids.id;
        record.tid = ids.tid;
        record.uuid = QStringLiteral("17638200000000000000000000000000000001");
        return record;
    }

private Q_SLOTS:
    void tidsAreTwelveBase64CharactersAndDecodeToTheirId()
    {
        auto storage = open(QStringLiteral("decode.sqlite"));
        QVERIFY(storage);
        EventIds &ids = storage->eventIds();
        const QRegularExpression base64(QStringLiteral("^[A-Za-z0-9+/]{12}$"));
        QSet<QString> tids;
        qint64 previous = 0;
        for (int i = 0; i < 20000; ++i) {
            const EventIds::Allocated next = ids.next();
            QVERIFY(next.id > previous);
            previous = next.id;
            QVERIFY2(base64.match(next.tid).hasMatch(), qPrintable(next.tid));
            const std::optional<EventIds::Decoded> decoded = ids.decode(next.tid);
            QVERIFY(decoded);
            QCOMPARE(decoded->id, next.id);
            QCOMPARE(decoded->run, ids.run());
            tids.insert(next.tid);
        }
        QCOMPARE(tids.size(), 20000);
    }

    void consecutiveTidsLookUnrelated()
    {
        // Consecutive IDs must not give tids that share a prefix (that would reveal the count).
        auto storage = open(QStringLiteral("spread.sqlite"));
        QVERIFY(storage);
        QSet<QString> firstTwo;
        for (int i = 0; i < 1000; ++i)
            firstTwo.insert(storage->eventIds().next().tid.left(2));
        // 1000 random draws from 4096 two-character prefixes give about 887 distinct ones (the
        // key is random per database, so allow a margin); sequential tids would give one or two.
        QVERIFY2(firstTwo.size() > 840, qPrintable(QString::number(firstTwo.size())));
    }

    void extremeIdsAndRunsRoundTrip_data()
    {
        QTest::addColumn<quint32>("run");
        QTest::addColumn<qint64>("id");
        QTest::newRow("smallest") << quint32(0) << qint64(0);
        QTest::newRow("one") << quint32(1) << qint64(1);
        QTest::newRow("largest id") << quint32(1) << (qint64(1) << EventIds::kIdBits) - 1;
        QTest::newRow("largest run") << (quint32(1) << EventIds::kRunBits) - 1 << qint64(42);
        QTest::newRow("both largest") << (quint32(1) << EventIds::kRunBits) - 1
                                      << (qint64(1) << EventIds::kIdBits) - 1;
    }

    void extremeIdsAndRunsRoundTrip()
    {
        QFETCH(quint32, run);
        QFETCH(qint64, id);
        auto storage = open(QStringLiteral("extreme.sqlite"));
        QVERIFY(storage);
        const QString tid = storage->eventIds().tidOf(run, id);
        const auto decoded = storage->eventIds().decode(tid);
        QVERIFY(decoded);
        QCOMPARE(decoded->run, run);
        QCOMPARE(decoded->id, id);
    }

    void malformedTidsDecodeToNothing_data()
    {
        QTest::addColumn<QString>("tid");
        QTest::newRow("empty") << QString();
        QTest::newRow("short") << QStringLiteral("abc");
        QTest::newRow("long") << QStringLiteral("AAAAAAAAAAAAA");
        QTest::newRow("not base64") << QStringLiteral("AAAA*AAAAAAA");
        QTest::newRow("padding") << QStringLiteral("AAAAAAAAAA==");
        QTest::newRow("non-latin") << QStringLiteral("AAAAAAAAAAA\u00e9");
    }

    void malformedTidsDecodeToNothing()
    {
        QFETCH(QString, tid);
        auto storage = open(QStringLiteral("malformed.sqlite"));
        QVERIFY(storage);
        QVERIFY(!storage->eventIds().decode(tid));
        QVERIFY(!EventLog(*storage).byTid(tid));
    }

    void idsContinueAndRunsAdvanceAcrossOpenings()
    {
        const QString name = QStringLiteral("reopen.sqlite");
        EventIds::Allocated stored;
        quint32 firstRun = 0;
        {
            auto storage = open(name);
            QVERIFY(storage);
            firstRun = storage->eventIds().run();
            for (int i = 0; i < 5; ++i)
                stored = storage->eventIds().next();
            EventLog log(*storage);
            QVERIFY(storage->writer().waitForCommit(log.append(eventFor(stored)), 10000));
            storage->eventIds().next(); // taken, never written (a crash before the commit)
        }
        auto storage = open(name);
        QVERIFY(storage);
        QCOMPARE(storage->eventIds().run(), firstRun + 1);
        const EventIds::Allocated next = storage->eventIds().next();
        QCOMPARE(next.id, stored.id + 1); // after the highest stored row
        // The never-written ID is handed out again, but under a new run: a different tid.
        QVERIFY(next.tid != storage->eventIds().tidOf(firstRun, stored.id + 1));
        const auto found = EventLog(*storage).byTid(stored.tid);
        QVERIFY(found);
        QCOMPARE(found->id, stored.id);
        QVERIFY(!EventLog(*storage).byTid(storage->eventIds().tidOf(firstRun, stored.id + 1)));
    }

    void anEventAppendedWithoutAnIdNeverTakesOneACallWillGet()
    {
        auto storage = open(QStringLiteral("mixed.sqlite"));
        QVERIFY(storage);
        EventLog log(*storage);
        EventRecord withoutId;
        withoutId.uuid = QStringLiteral("17638200000000000000000000000000000002");
        QVERIFY(storage->writer().waitForCommit(log.append(withoutId), 10000));
        WriteResult result;
        const quint64 ticket = log.append(eventFor(storage->eventIds().next()),
                                          [&result](const WriteResult &done) { result = done; });
        QVERIFY(storage->writer().waitForCommit(ticket, 10000));
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(log.count(), qint64(2));
    }

    void aTidOfAnotherDatabaseFindsNothing()
    {
        auto first = open(QStringLiteral("first.sqlite"));
        auto second = open(QStringLiteral("second.sqlite"));
        QVERIFY(first && second);
        const EventIds::Allocated ids = first->eventIds().next();
        QVERIFY(first->writer().waitForCommit(EventLog(*first).append(eventFor(ids)), 10000));
        const EventIds::Allocated other = second->eventIds().next();
        QVERIFY(second->writer().waitForCommit(EventLog(*second).append(eventFor(other)), 10000));
        QCOMPARE(ids.id, other.id); // same row number in both ...
        QVERIFY(ids.tid != other.tid); // ... but each database has its own key
        QVERIFY(EventLog(*first).byTid(ids.tid));
        QVERIFY(!EventLog(*second).byTid(ids.tid));
    }
};

QTEST_GUILESS_MAIN(tst_EventIds)
#include "tst_eventids.moc"
