#include "qualificationfixture.h"

#include "rules/membershipsweeper.h"
#include "storage/realizationstore.h"
#include "storage/visitorstore.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace Dcs;
using namespace Fixture;
using namespace Qt::StringLiterals;

namespace {

const QString VisitorA = u"20000000000000000000000000000000000001"_s;
const QString VisitorB = u"20000000000000000000000000000000000002"_s;

// 10 holds within 2 days of a 1T; 11 holds while 2T (TTL 1) lasts; 12 needs 1T and no 3T
// (TTL 1), so it is joined when 3T expires.
Definitions definitions()
{
    Definitions d;
    d.folders = {folder(1, "F")};
    d.traits = {trait(1, Trait::Type::Rule, 1, "c_a == \"x\""),
                trait(2, Trait::Type::Rule, 1, "c_b == \"x\"", 1),
                trait(3, Trait::Type::Rule, 1, "c_c == \"x\"", 1)};
    d.segments = {segment(10, "FREQUENCY([1T] <= 2D) >= 1"), segment(11, "2T"),
                  segment(12, "1T AND NOT 3T")};
    return d;
}

} // namespace

class TestMembershipSweeper : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    int m_counter = 0;
    std::atomic<qint64> m_now{0};
    std::unique_ptr<Storage> m_storage;
    std::unique_ptr<RulesEngine> m_engine;
    std::unique_ptr<MembershipSweeper> m_sweeper;

    bool openStorage()
    {
        QString error;
        m_storage = Storage::open(m_path, &error);
        if (!m_storage) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        m_engine = std::make_unique<RulesEngine>();
        if (!m_engine->reload(*m_storage, nullptr, &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        m_sweeper = std::make_unique<MembershipSweeper>(*m_storage, *m_engine,
                                                        [this] { return m_now.load(); });
        return true;
    }

    void closeStorage()
    {
        m_sweeper.reset();
        m_engine.reset();
        m_storage.reset();
    }

    // What the lead's /event path does: read, qualify, write, schedule.
    Qualification callAt(const QString &uuid, const QStringList &pairs, qint64 atMs)
    {
        VisitorProfile profile;
        QString error;
        if (!RealizationStore::readProfile(m_storage->reader(), uuid, atMs, &profile, &error))
            qWarning("%s", qPrintable(error));
        const RuleSignals signalSet(signalList(pairs));
        QualifierInput input;
        input.callSignals = &signalSet;
        input.profile = &profile;
        input.nowMs = atMs;
        const Qualification result = Qualifier::qualify(*m_engine->snapshot(), input);
        const WriteResult written = m_storage->writer().runAndWait(
            [&](WriteContext &context, QString *writeError) {
                return RealizationStore::writeQualification(context, uuid, result, writeError);
            });
        if (!written.ok)
            qWarning("%s", qPrintable(written.error));
        m_sweeper->schedule(uuid, result.nextChangeMs);
        return result;
    }

    QList<qint64> memberships(const QString &uuid)
    {
        QSqlQuery query(m_storage->reader());
        query.prepare(u"SELECT segment_sid FROM memberships WHERE uuid = ? ORDER BY 1"_s);
        query.addBindValue(uuid);
        QList<qint64> sids;
        if (query.exec()) {
            while (query.next())
                sids.append(query.value(0).toLongLong());
        }
        return sids;
    }

    // "segment|ts|change|cause" of the visitor's changes after the first `skip`.
    QStringList changes(const QString &uuid, int skip = 0)
    {
        QSqlQuery query(m_storage->reader());
        query.prepare(u"SELECT segment_sid, ts_ms, change, cause FROM membership_changes "
                      "WHERE uuid = ? ORDER BY id"_s);
        query.addBindValue(uuid);
        QStringList out;
        if (query.exec()) {
            while (query.next()) {
                out.append(u"%1|%2|%3|%4"_s.arg(query.value(0).toString(),
                                                 query.value(1).toString(),
                                                 query.value(2).toString(),
                                                 query.value(3).toString()));
            }
        }
        return out.mid(skip);
    }

    void moveClockTo(qint64 atMs)
    {
        m_now = atMs;
        m_sweeper->clockChanged();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        m_path = m_dir.filePath(QStringLiteral("sweep%1.sqlite").arg(++m_counter));
        QString error;
        {
            const std::unique_ptr<Storage> storage = Storage::open(m_path, &error);
            QVERIFY2(storage, qPrintable(error));
            const WriteResult stored = storeDefinitions(*storage, definitions());
            QVERIFY2(stored.ok, qPrintable(stored.error));
        }
        m_now = now();
        QVERIFY(openStorage());
    }

    void cleanup() { closeStorage(); }

    void scheduleKeepsTheEarliest()
    {
        QCOMPARE(m_sweeper->nextDueMs(), Never);
        const qint64 far = now() + 10 * Day;
        m_sweeper->schedule(VisitorA, far);
        m_sweeper->schedule(VisitorA, far + Day);
        QCOMPARE(m_sweeper->scheduledAt(VisitorA), std::optional<qint64>(far));
        m_sweeper->schedule(VisitorA, far - Day);
        m_sweeper->schedule(VisitorB, far);
        m_sweeper->schedule(VisitorB, Never);
        QCOMPARE(m_sweeper->scheduledAt(VisitorA), std::optional<qint64>(far - Day));
        QCOMPARE(m_sweeper->scheduledCount(), 2);
        QCOMPARE(m_sweeper->nextDueMs(), far - Day);
        m_sweeper->schedule(u"nobody"_s, Never);
        QCOMPARE(m_sweeper->scheduledAt(u"nobody"_s), std::nullopt);
    }

    void leavesTheRecencyWindowAtTheExactInstant()
    {
        const qint64 t0 = now();
        const Qualification call = callAt(VisitorA, {u"c_a=x"_s}, t0);
        QCOMPARE(call.joined(), (QList<qint64>{10, 12}));
        const qint64 leaveAt = t0 + 2 * Day + 1; // the last instant in the window, plus one
        QCOMPARE(m_sweeper->scheduledAt(VisitorA), std::optional<qint64>(leaveAt));

        QSignalSpy swept(m_sweeper.get(), &MembershipSweeper::swept);
        moveClockTo(t0 + Day); // not due: nothing runs
        QCoreApplication::processEvents();
        QCOMPARE(swept.count(), 0);
        QVERIFY(!m_sweeper->isSweeping());

        moveClockTo(leaveAt);
        QVERIFY(swept.wait(10000));
        QCOMPARE(swept.first().at(0).toInt(), 1); // visitors
        QCOMPARE(swept.first().at(1).toInt(), 1); // changes
        QCOMPARE(memberships(VisitorA), QList<qint64>{12});
        QCOMPARE(changes(VisitorA, 2),
                 QStringList{u"10|%1|leave|left recency window"_s.arg(leaveAt)});
        // Next: 12 ends when 1T expires (TTL 120).
        QCOMPARE(m_sweeper->scheduledAt(VisitorA),
                 std::optional<qint64>(realizationExpiryMs(t0, 120)));
    }

    void expiryLeavesAndJoinsWhenSweptLate()
    {
        const qint64 t0 = now();
        const Qualification call = callAt(VisitorB, {u"c_a=x"_s, u"c_b=x"_s, u"c_c=x"_s}, t0);
        QCOMPARE(call.joined(), (QList<qint64>{10, 11}));
        const qint64 expiry = realizationExpiryMs(t0, 1); // 2T and 3T, the same instant
        QCOMPARE(m_sweeper->scheduledAt(VisitorB), std::optional<qint64>(expiry));

        QSignalSpy swept(m_sweeper.get(), &MembershipSweeper::swept);
        moveClockTo(expiry + 3 * 3600 * 1000); // the machine slept: swept three hours late
        QVERIFY(swept.wait(10000));
        QCOMPARE(memberships(VisitorB), (QList<qint64>{10, 12}));
        QCOMPARE(changes(VisitorB, 2),
                 (QStringList{u"11|%1|leave|expired"_s.arg(expiry),
                              u"12|%1|join|expired"_s.arg(expiry)}));
        QCOMPARE(m_sweeper->scheduledAt(VisitorB), std::optional<qint64>(t0 + 2 * Day + 1));
    }

    void optedOutVisitorsOnlyLeave()
    {
        const qint64 t0 = now();
        callAt(VisitorB, {u"c_a=x"_s, u"c_b=x"_s, u"c_c=x"_s}, t0);
        const WriteResult optedOut = m_storage->writer().runAndWait(
            [](WriteContext &context, QString *error) {
                return VisitorStore::optOut(context, VisitorB, now() + 1, error);
            });
        QVERIFY2(optedOut.ok, qPrintable(optedOut.error));

        QSignalSpy swept(m_sweeper.get(), &MembershipSweeper::swept);
        moveClockTo(realizationExpiryMs(t0, 1));
        QVERIFY(swept.wait(10000));
        QCOMPARE(memberships(VisitorB), QList<qint64>{10}); // 11 left, 12 not joined
        QCOMPARE(changes(VisitorB, 2),
                 QStringList{u"11|%1|leave|expired"_s.arg(realizationExpiryMs(t0, 1))});
    }

    void anEarlyWakeReschedulesAtTheExactChange()
    {
        const qint64 t0 = now();
        callAt(VisitorA, {u"c_a=x"_s}, t0);
        QSignalSpy swept(m_sweeper.get(), &MembershipSweeper::swept);
        m_sweeper->schedule(VisitorA, t0 + 3600 * 1000); // a safe but early lower bound
        moveClockTo(t0 + 3600 * 1000);
        QVERIFY(swept.wait(10000));
        QCOMPARE(swept.first().at(1).toInt(), 0);
        QCOMPARE(changes(VisitorA).size(), 2); // the call's two joins only
        QCOMPARE(m_sweeper->scheduledAt(VisitorA), std::optional<qint64>(t0 + 2 * Day + 1));
    }

    void rebuiltAfterReopening()
    {
        const qint64 t0 = now();
        callAt(VisitorA, {u"c_a=x"_s}, t0);
        callAt(VisitorB, {u"c_b=x"_s}, t0);
        closeStorage();

        m_now = t0 + Day;
        QVERIFY(openStorage());
        QCOMPARE(m_sweeper->scheduledCount(), 0);
        QString error;
        QVERIFY2(m_sweeper->rebuild(&error), qPrintable(error));
        QCOMPARE(m_sweeper->scheduledAt(VisitorA), std::optional<qint64>(t0 + 2 * Day + 1));
        QCOMPARE(m_sweeper->scheduledAt(VisitorB),
                 std::optional<qint64>(realizationExpiryMs(t0, 1)));

        QSignalSpy swept(m_sweeper.get(), &MembershipSweeper::swept);
        moveClockTo(t0 + 2 * Day + 1); // both due: 11 expired first, then 10's window ended
        QTRY_COMPARE(m_sweeper->scheduledAt(VisitorB), std::nullopt);
        QTRY_COMPARE(memberships(VisitorA), QList<qint64>{12});
        QCOMPARE(memberships(VisitorB), QList<qint64>());
        QCOMPARE(changes(VisitorB, 1),
                 QStringList{u"11|%1|leave|expired"_s.arg(realizationExpiryMs(t0, 1))});
        QCOMPARE(changes(VisitorA, 2),
                 QStringList{u"10|%1|leave|left recency window"_s.arg(t0 + 2 * Day + 1)});
        QVERIFY(swept.count() >= 1);
    }

    void rebuildFindsMembershipsAlreadyOutOfDate()
    {
        const qint64 t0 = now();
        callAt(VisitorA, {u"c_a=x"_s}, t0);
        closeStorage();

        // Down for a week: at start the membership of 10 is already stale.
        m_now = t0 + 7 * Day;
        QVERIFY(openStorage());
        QSignalSpy swept(m_sweeper.get(), &MembershipSweeper::swept);
        QVERIFY(m_sweeper->rebuild());
        QCOMPARE(m_sweeper->scheduledAt(VisitorA), std::optional<qint64>(t0 + 7 * Day));
        QVERIFY(swept.wait(10000)); // due at once, no clock change needed
        QCOMPARE(memberships(VisitorA), QList<qint64>{12});
        // Recorded when it happened, not when it was noticed.
        QCOMPARE(changes(VisitorA, 2),
                 QStringList{u"10|%1|leave|left recency window"_s.arg(t0 + 2 * Day + 1)});
    }

    void editedDefinitionsApplyToTheNextSweep()
    {
        const qint64 t0 = now();
        callAt(VisitorA, {u"c_a=x"_s}, t0);
        Segment inactive = definitions().segments.at(2);
        inactive.active = false;
        QVERIFY(SegmentRepository(*m_storage).save(inactive).ok);
        QVERIFY(m_engine->reload(*m_storage));

        QSignalSpy swept(m_sweeper.get(), &MembershipSweeper::swept);
        moveClockTo(t0 + 2 * Day + 1);
        QVERIFY(swept.wait(10000));
        QCOMPARE(memberships(VisitorA), QList<qint64>());
        QCOMPARE(changes(VisitorA, 2),
                 (QStringList{u"10|%1|leave|left recency window"_s.arg(t0 + 2 * Day + 1),
                              u"12|%1|leave|segment inactive"_s.arg(t0 + 2 * Day + 1)}));
        QCOMPARE(m_sweeper->scheduledAt(VisitorA), std::nullopt);
    }
};

QTEST_GUILESS_MAIN(TestMembershipSweeper)
#include "tst_membershipsweeper.moc"
