#include "qualificationfixture.h"

#include "storage/realizationstore.h"

#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;
using namespace Fixture;
using namespace Qt::StringLiterals;

namespace {

const QString VisitorA = u"10000000000000000000000000000000000001"_s;
const QString VisitorB = u"10000000000000000000000000000000000002"_s;
const QString VisitorC = u"10000000000000000000000000000000000003"_s;
const QString VisitorD = u"10000000000000000000000000000000000004"_s;

Definitions definitions()
{
    Definitions d;
    d.folders = {folder(1, "F")};
    d.traits = {trait(1, Trait::Type::Rule, 1, "c_a == \"x\""),
                trait(2, Trait::Type::Onboarded, 1, "ic == \"auto\"", 30, 1955),
                trait(3, Trait::Type::Rule, 1, "c_never == \"x\"", 0)};
    d.segments = {segment(10, "1T"), segment(11, "2T"), segment(12, "FREQUENCY([1T]) >= 2")};
    return d;
}

// Rows of a query as "a|b|c" strings, NULL as "null".
QStringList rows(Storage &storage, const QString &sql)
{
    QSqlQuery query(storage.reader());
    if (!query.exec(sql))
        return {u"error"_s};
    QStringList out;
    while (query.next()) {
        QStringList fields;
        for (int i = 0; i < query.record().count(); ++i)
            fields.append(query.isNull(i) ? u"null"_s : query.value(i).toString());
        out.append(fields.join(u'|'));
    }
    return out;
}

NewRealization realizationAt(qint64 sid, qint64 timeMs, qint64 expiresMs)
{
    NewRealization realization;
    realization.traitSid = sid;
    realization.realization = Realization{timeMs, expiresMs};
    return realization;
}

MembershipChange change(qint64 sid, MembershipChange::Kind kind, qint64 atMs, const char *cause)
{
    return MembershipChange{sid, kind, atMs, QString::fromUtf8(cause)};
}

} // namespace

class TestRealizationStore : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;
    std::unique_ptr<Storage> m_storage;
    std::shared_ptr<const RulesSnapshot> m_rules;

    std::unique_ptr<Storage> open(const Storage::Options &options = {})
    {
        QString error;
        auto storage = Storage::open(m_dir.filePath(QStringLiteral("s%1.sqlite").arg(++m_counter)),
                                     options, &error);
        if (!storage) {
            qWarning("%s", qPrintable(error));
            return storage;
        }
        const WriteResult stored = storeDefinitions(*storage, definitions());
        if (!stored.ok)
            qWarning("%s", qPrintable(stored.error));
        return storage;
    }

    WriteResult write(const QString &uuid, const Qualification &qualification)
    {
        return m_storage->writer().runAndWait(
            [&](WriteContext &context, QString *error) {
                return RealizationStore::writeQualification(context, uuid, qualification,
                                                            error);
            });
    }

    VisitorProfile read(const QString &uuid, qint64 atMs)
    {
        VisitorProfile profile;
        QString error;
        if (!RealizationStore::readProfile(m_storage->reader(), uuid, atMs, &profile, &error))
            qWarning("%s", qPrintable(error));
        return profile;
    }

    Qualification call(const QStringList &pairs, const QStringList &directSids,
                       const QStringList &autoCodes, const VisitorProfile &profile, qint64 atMs)
    {
        const RuleSignals signalSet(signalList(pairs), autoCodes);
        QualifierInput input;
        input.callSignals = &signalSet;
        input.directSids = directSids;
        if (!autoCodes.isEmpty())
            input.partnerCodes = {PartnerCodes{1955, autoCodes, std::nullopt}};
        input.profile = &profile;
        input.nowMs = atMs;
        input.tid = u"tid-%1"_s.arg(atMs);
        return Qualifier::qualify(*m_rules, input);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_rules = definitions().build();
    }

    void init()
    {
        m_storage = open();
        QVERIFY(m_storage);
    }

    void cleanup() { m_storage.reset(); }

    void writeThenReadBack()
    {
        const qint64 t = now();
        const Qualification first = call({u"c_a=x"_s, u"p_secret=1"_s}, {u"3"_s}, {u"auto"_s},
                                         VisitorProfile(), t);
        QCOMPARE(first.realizedTraits, (QList<qint64>{1, 2, 3}));
        QCOMPARE(first.joined(), (QList<qint64>{10, 11}));
        const WriteResult written = write(VisitorA, first);
        QVERIFY2(written.ok, qPrintable(written.error));

        const VisitorProfile profile = read(VisitorA, t);
        QCOMPARE(profile.realizations,
                 (QList<StoredRealization>{stored(1, t), stored(2, t, 30), stored(3, t, 0)}));
        QCOMPARE(profile.memberships, (QList<HeldMembership>{{10, t}, {11, t}}));

        const QString tid = u"tid-%1"_s.arg(t);
        QCOMPARE(rows(*m_storage, u"SELECT trait_sid, source, tid, detail, expires_ms "
                                  "FROM trait_realizations ORDER BY trait_sid"_s),
                 (QStringList{u"1|call|%1|{\"signals\":{\"c_a\":[\"x\"]}}|%2"_s.arg(
                                  tid, QString::number(realizationExpiryMs(t, 120))),
                              u"2|partner|%1|{\"code\":\"auto\",\"dpid\":1955}|%2"_s.arg(
                                  tid, QString::number(realizationExpiryMs(t, 30))),
                              u"3|sid|%1|{\"d_sid\":\"3\"}|null"_s.arg(tid)}));
        QCOMPARE(rows(*m_storage, u"SELECT uuid, segment_sid, ts_ms, change, cause "
                                  "FROM membership_changes ORDER BY id"_s),
                 (QStringList{u"%1|10|%2|join|call"_s.arg(VisitorA).arg(t),
                              u"%1|11|%2|join|call"_s.arg(VisitorA).arg(t)}));

        // The next call: a second realization of 1 joins 12; the partner's code again
        // replaces the onboarded realization instead of adding one.
        const qint64 later = t + Day;
        const Qualification second = call({u"c_a=x"_s}, {}, {u"AUTO"_s}, profile, later);
        QVERIFY(write(VisitorA, second).ok);
        const VisitorProfile after = read(VisitorA, later);
        QCOMPARE(after.realizations,
                 (QList<StoredRealization>{stored(1, t), stored(1, later), stored(2, later, 30),
                                           stored(3, t, 0)}));
        QCOMPARE(after.memberships, (QList<HeldMembership>{{10, t}, {11, t}, {12, later}}));
        QCOMPARE(rows(*m_storage, u"SELECT count(*) FROM membership_changes"_s),
                 QStringList{u"3"_s});
    }

    void changesAreRecordedOnlyWhenTheyChangeSomething()
    {
        const qint64 t = now();
        Qualification join;
        join.nowMs = t;
        join.changes = {change(10, MembershipChange::Kind::Join, t, "call")};
        QVERIFY(write(VisitorA, join).ok);
        QVERIFY(write(VisitorA, join).ok); // a racing evaluation saw the same join
        Qualification leave;
        leave.changes = {change(10, MembershipChange::Kind::Leave, t + 5, "expired"),
                         change(11, MembershipChange::Kind::Leave, t + 5, "expired")};
        QVERIFY(write(VisitorA, leave).ok);
        QVERIFY(write(VisitorA, leave).ok);
        QCOMPARE(rows(*m_storage, u"SELECT segment_sid, ts_ms, change, cause "
                                  "FROM membership_changes ORDER BY id"_s),
                 (QStringList{u"10|%1|join|call"_s.arg(t),
                              u"10|%1|leave|expired"_s.arg(t + 5)}));
        QVERIFY(read(VisitorA, t).memberships.isEmpty());
    }

    void deletedDefinitionsAreSkipped()
    {
        Qualification stale;
        stale.nowMs = now();
        stale.realizations = {realizationAt(99, now(), Never), realizationAt(1, now(), Never)};
        stale.changes = {change(99, MembershipChange::Kind::Join, now(), "call")};
        const WriteResult written = write(VisitorA, stale);
        QVERIFY2(written.ok, qPrintable(written.error));
        QCOMPARE(rows(*m_storage, u"SELECT trait_sid FROM trait_realizations"_s),
                 QStringList{u"1"_s});
        QCOMPARE(rows(*m_storage, u"SELECT count(*) FROM memberships"_s), QStringList{u"0"_s});
        QCOMPARE(rows(*m_storage, u"SELECT count(*) FROM membership_changes"_s),
                 QStringList{u"0"_s});
    }

    void readKeepsWhatExplainsALeave_data()
    {
        QTest::addColumn<qint64>("expiresMs");
        QTest::addColumn<qint64>("memberSinceMs"); // 0: no membership
        QTest::addColumn<bool>("read");

        const qint64 t = now();
        QTest::newRow("unexpired") << t + 1 << qint64(0) << true;
        QTest::newRow("never expires") << Never << qint64(0) << true;
        QTest::newRow("expiring now") << t << qint64(0) << false;
        QTest::newRow("expired, no membership") << t - Day << qint64(0) << false;
        QTest::newRow("expired while a member") << t - Day << t - 2 * Day << true;
        QTest::newRow("expired before membership") << t - 2 * Day << t - Day << false;
    }

    void readKeepsWhatExplainsALeave()
    {
        QFETCH(qint64, expiresMs);
        QFETCH(qint64, memberSinceMs);
        QFETCH(bool, read);

        const qint64 t = now();
        Qualification written;
        written.realizations = {realizationAt(1, t - 10 * Day, expiresMs)};
        if (memberSinceMs)
            written.changes = {change(10, MembershipChange::Kind::Join, memberSinceMs, "")};
        QVERIFY(write(VisitorA, written).ok);
        // Another visitor's rows never leak in.
        written.changes.clear();
        written.realizations = {realizationAt(1, t, Never)};
        QVERIFY(write(VisitorB, written).ok);

        const VisitorProfile profile = this->read(VisitorA, t);
        QCOMPARE(profile.realizations.size(), read ? 1 : 0);
        if (read)
            QCOMPARE(profile.realizations.first().realization.expiresMs, expiresMs);
        QCOMPARE(profile.memberships.size(), memberSinceMs ? 1 : 0);
    }

    void oneReaderForManyVisitors()
    {
        const qint64 t = now();
        Qualification a;
        a.realizations = {realizationAt(1, t, Never), realizationAt(3, t - 1, Never)};
        a.changes = {change(10, MembershipChange::Kind::Join, t, "call")};
        Qualification b;
        b.realizations = {realizationAt(2, t, Never)};
        QVERIFY(write(VisitorA, a).ok);
        QVERIFY(write(VisitorB, b).ok);

        ProfileReader reader(m_storage->reader());
        VisitorProfile profile;
        QString error;
        for (int round = 0; round < 2; ++round) {
            QVERIFY2(reader.read(VisitorA, t, &profile, &error), qPrintable(error));
            QCOMPARE(profile.realizations, (QList<StoredRealization>{{1, {t, Never}},
                                                                      {3, {t - 1, Never}}}));
            QCOMPARE(profile.memberships, (QList<HeldMembership>{{10, t}}));
            QVERIFY(reader.read(VisitorB, t, &profile, &error));
            QCOMPARE(profile.realizations, (QList<StoredRealization>{{2, {t, Never}}}));
            QVERIFY(profile.memberships.isEmpty());
            QVERIFY(reader.read(VisitorC, t, &profile, &error));
            QVERIFY(profile.isEmpty());
        }
    }

    void aJobThatRunsTwiceWritesOnce()
    {
        // A batch with a failing neighbour is rolled back and replayed item by item: the
        // qualification's job runs twice and must leave one copy of everything.
        Storage::Options options;
        options.writer.maxBatchDelayMs = 300;
        m_storage = open(options);
        QVERIFY(m_storage);
        const quint64 replayedBefore = m_storage->writer().stats().replayedBatches;

        const Qualification qualification =
            call({u"c_a=x"_s}, {}, {u"auto"_s}, VisitorProfile(), now());
        StorageWriter &writer = m_storage->writer();
        const quint64 ours = writer.submit([&](WriteContext &context, QString *error) {
            return RealizationStore::writeQualification(context, VisitorA, qualification, error);
        });
        const quint64 failing = writer.submit([](WriteContext &, QString *error) {
            *error = u"refused on purpose"_s;
            return false;
        });
        QVERIFY(writer.waitForCommit(ours, 10000));
        QVERIFY(writer.waitForCommit(failing, 10000));
        QCOMPARE(writer.stats().replayedBatches, replayedBefore + 1);

        QCOMPARE(rows(*m_storage, u"SELECT trait_sid FROM trait_realizations ORDER BY 1"_s),
                 (QStringList{u"1"_s, u"2"_s}));
        QCOMPARE(rows(*m_storage, u"SELECT segment_sid, change FROM membership_changes"_s),
                 (QStringList{u"10|join"_s, u"11|join"_s}));
    }

    void scanVisitsEveryStoredVisitorInOrder()
    {
        const qint64 t = now();
        Qualification realizationsOnly;
        realizationsOnly.realizations = {realizationAt(1, t - 1, t + Day),
                                         realizationAt(1, t - 2, t - 1)}; // one expired
        Qualification membershipOnly;
        membershipOnly.changes = {change(11, MembershipChange::Kind::Join, t - 5, "")};
        Qualification both;
        both.realizations = {realizationAt(3, t - 3, Never)};
        both.changes = {change(10, MembershipChange::Kind::Join, t - 3, ""),
                        change(12, MembershipChange::Kind::Join, t - 3, "")};
        Qualification expiredOnly;
        expiredOnly.realizations = {realizationAt(1, t - 9, t)};
        QVERIFY(write(VisitorC, both).ok);
        QVERIFY(write(VisitorA, realizationsOnly).ok);
        QVERIFY(write(VisitorD, expiredOnly).ok);
        QVERIFY(write(VisitorB, membershipOnly).ok);

        QList<std::pair<QString, VisitorProfile>> visited;
        QString error;
        QVERIFY2(RealizationStore::scanProfiles(m_storage->reader(), t,
                                                [&](const QString &uuid,
                                                    const VisitorProfile &profile) {
                                                    visited.append({uuid, profile});
                                                    return true;
                                                },
                                                &error),
                 qPrintable(error));
        QCOMPARE(visited.size(), 3);
        QCOMPARE(visited.at(0).first, VisitorA);
        QCOMPARE(visited.at(0).second.realizations,
                 (QList<StoredRealization>{{1, {t - 1, t + Day}}}));
        QVERIFY(visited.at(0).second.memberships.isEmpty());
        QCOMPARE(visited.at(1).first, VisitorB);
        QCOMPARE(visited.at(1).second.memberships, (QList<HeldMembership>{{11, t - 5}}));
        QCOMPARE(visited.at(2).first, VisitorC);
        QCOMPARE(visited.at(2).second.realizations,
                 (QList<StoredRealization>{{3, {t - 3, Never}}}));
        QCOMPARE(visited.at(2).second.memberships,
                 (QList<HeldMembership>{{10, t - 3}, {12, t - 3}}));

        int calls = 0;
        QVERIFY(RealizationStore::scanProfiles(m_storage->reader(), t,
                                               [&](const QString &, const VisitorProfile &) {
                                                   return ++calls < 2;
                                               },
                                               &error));
        QCOMPARE(calls, 2); // stopped when asked
    }
};

QTEST_GUILESS_MAIN(TestRealizationStore)
#include "tst_realizationstore.moc"
