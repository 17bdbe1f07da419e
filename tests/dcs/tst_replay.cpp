// Replay (rules.md): the stored event log re-run through the current definitions. The events are
// made by real /event calls over loopback HTTP, so what replay rebuilds is compared with what the
// live path stored for the same calls.
#include "dcs/dcsserver.h"
#include "rules/qualifier.h"
#include "rules/replay.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"
#include "storage/workspacefile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 10000;

QString visitor(int n)
{
    return QString::number(n).rightJustified(38, u'0').replace(0, 1, u'1');
}

QByteArray workspaceJson()
{
    QFile file(QStringLiteral(DCS_TEST_DATA_DIR "/workspace-rules.json"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray get(quint16 port, const QByteArray &pathAndQuery)
{
    static QNetworkAccessManager *const manager = [] {
        auto *made = new QNetworkAccessManager(qApp);
        made->setProxy(QNetworkProxy::NoProxy);
        return made;
    }();
    QUrl url(QStringLiteral("http://127.0.0.1") + QString::fromLatin1(pathAndQuery));
    url.setPort(port);
    std::unique_ptr<QNetworkReply> reply(manager->get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(kTimeoutMs)
        || reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) {
        qWarning("no 200 answer for %s", pathAndQuery.constData());
        return {};
    }
    return reply->readAll();
}

} // namespace

class tst_Replay : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DcsServer> m_server;
    quint16 m_port = 0;
    int m_databases = 0;

    QJsonObject event(const QString &uuid, const QByteArray &signalQuery)
    {
        return QJsonDocument::fromJson(get(m_port, "/event?d_rtbd=json&d_cts=1&d_uuid="
                                                       + uuid.toLatin1() + '&' + signalQuery))
            .object();
    }

    QStringList rows(const QString &sql) const
    {
        QSqlQuery query(m_server->storage()->reader());
        QStringList out;
        if (!query.exec(sql)) {
            qWarning("%s", qPrintable(query.lastError().text()));
            return {QStringLiteral("error")};
        }
        while (query.next()) {
            QStringList columns;
            for (int i = 0; i < query.record().count(); ++i)
                columns.append(query.value(i).toString());
            out.append(columns.join(u'|'));
        }
        return out;
    }

    // Every realization of the rule traits, without its origin: what replay must rebuild.
    QStringList ruleRealizations() const
    {
        return rows(u"SELECT uuid, trait_sid, ts_ms, tid, expires_ms, detail FROM "
                    "trait_realizations WHERE trait_sid IN (1001, 1002, 1003) "
                    "ORDER BY uuid, trait_sid, ts_ms"_s);
    }

    ReplayResult replay(const QList<qint64> &traits = {}, int eventsPerJob = 2000,
                        const std::atomic<bool> *cancel = nullptr,
                        const ReplayProgress &progress = {})
    {
        ReplayOptions options;
        options.traitSids = traits;
        options.eventsPerJob = eventsPerJob;
        return Replay::run(*m_server->storage(), *m_server->rulesEngine()->snapshot(), options,
                           progress, cancel);
    }

    void writeTrait(qint64 sid, const QString &rule)
    {
        Trait trait;
        trait.sid = sid;
        trait.name = QStringLiteral("Trait %1").arg(sid);
        trait.type = Trait::Type::Rule;
        trait.folderId = 1;
        trait.rule = rule;
        trait.ttlDays = 60;
        const WriteResult written = m_server->storage()->writer().runAndWait(
            [trait](WriteContext &context, QString *error) mutable {
                return TraitRepository::write(context, trait, QStringLiteral("test"), error);
            });
        QVERIFY2(written.ok, qPrintable(written.error));
        m_server->reloadRules();
    }

    // Five visitors, twelve calls: sports twice for visitors 1 and 2 (segment 5002), once for 3,
    // a basket for 4, news for 5; visitor 1 also sends d_sid for the onboarded trait 2001.
    void sendTraffic()
    {
        for (int n : {1, 2, 1, 2, 3})
            QVERIFY(!event(visitor(n), "c_section=sports").isEmpty());
        QVERIFY(!event(visitor(4), "basket=250&c_section=home").isEmpty());
        QVERIFY(!event(visitor(5), "c_section=news&c_author=ann").isEmpty());
        QVERIFY(!event(visitor(5), "c_section=news&c_author=bob").isEmpty());
        QVERIFY(!event(visitor(1), "d_sid=2001&basket=50").isEmpty());
        QVERIFY(!event(visitor(3), "c_section=news").isEmpty());
        QVERIFY(!event(visitor(4), "basket=120").isEmpty());
        QVERIFY(!event(visitor(2), "c_section=home").isEmpty());
        QTRY_COMPARE(rows(u"SELECT count(*) FROM events"_s), QStringList{u"12"_s});
    }

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<DcsServer>(nullptr, 2);
        QString error;
        QVERIFY2(m_server->openStorage(
                     m_dir.filePath(QStringLiteral("r%1.sqlite").arg(++m_databases)), &error),
                 qPrintable(error));
        const WorkspaceReport report = WorkspaceFile::import(
            *m_server->storage(), workspaceJson(), QStringLiteral("test"));
        QVERIFY(report.ok);
        m_server->reloadRules();
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        m_port = m_server->listener().port();
        sendTraffic();
    }

    void cleanup() { m_server.reset(); }

    void replayOfUnchangedRulesRebuildsExactlyWhatTheLivePathStored()
    {
        const QStringList live = ruleRealizations();
        QCOMPARE(live.size(), 7); // 1001 x5, 1002 x2
        const QStringList memberships = rows(u"SELECT uuid, segment_sid, since_ms FROM "
                                             "memberships ORDER BY 1, 2"_s);
        // Visitors 1 and 2 in 5002; visitor 1 also in 5001 (1001 and, through d_sid, 2001).
        QCOMPARE(memberships.size(), 3);

        const ReplayResult result = replay();
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.replayedTraits, (QList<qint64>{1001, 1002}));
        QCOMPARE(result.eventsExpected, 12);
        QCOMPARE(result.eventsRead, 12);
        QCOMPARE(result.eventsRealizing, 7);
        QCOMPARE(result.realizationsRemoved, 7);
        QCOMPARE(result.realizationsWritten, 7);
        QCOMPARE(result.visitorsReevaluated, 4); // visitors 1..4 hold a 1001 or 1002
        QCOMPARE(result.membershipChanges, 0);
        QCOMPARE(ruleRealizations(), live);
        QCOMPARE(rows(u"SELECT DISTINCT source FROM trait_realizations WHERE trait_sid "
                      "IN (1001, 1002)"_s),
                 QStringList{u"replay"_s});
        // The onboarded trait's realization (from d_sid) is not the replay's business.
        QCOMPARE(rows(u"SELECT source FROM trait_realizations WHERE trait_sid = 2001"_s),
                 QStringList{u"sid"_s});
        QCOMPARE(rows(u"SELECT uuid, segment_sid, since_ms FROM memberships ORDER BY 1, 2"_s),
                 memberships);

        // Twice: nothing changes.
        const ReplayResult again = replay();
        QCOMPARE(again.realizationsRemoved, 7);
        QCOMPARE(again.realizationsWritten, 7);
        QCOMPARE(again.membershipChanges, 0);
        QCOMPARE(ruleRealizations(), live);
    }

    void aNewTraitIsBackfilledAsTheLivePathWouldRealizeIt()
    {
        writeTrait(1003, u"c_section == \"news\" AND c_author != \"bob\""_s);
        const ReplayResult result = replay({1003});
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.replayedTraits, QList<qint64>{1003});
        // Visitor 5 with ann; not bob; not visitor 3's news without an author (a missing key
        // makes != false too).
        QCOMPARE(result.eventsRealizing, 1);
        QCOMPARE(result.realizationsRemoved, 0);
        QCOMPARE(result.realizationsWritten, 1);
        // Each replayed realization carries its event's time and tid and the matched values.
        QCOMPARE(rows(u"SELECT r.uuid, r.ts_ms = e.ts_ms, r.source, r.detail FROM "
                      "trait_realizations r JOIN events e ON e.tid = r.tid WHERE "
                      "r.trait_sid = 1003 ORDER BY r.uuid"_s),
                 (QStringList{visitor(5) + u"|1|replay|{\"signals\":{\"c_author\":[\"ann\"],"
                                           "\"c_section\":[\"news\"]}}"_s}));
        // The other traits were not touched.
        QCOMPARE(rows(u"SELECT count(*) FROM trait_realizations WHERE source = 'replay' AND "
                      "trait_sid <> 1003"_s),
                 QStringList{u"0"_s});

        // The live path realizes the same for the same call.
        const QJsonObject answer = event(visitor(6), "c_section=news&c_author=ann");
        QVERIFY(answer.value(u"traits"_s).toArray().contains(QJsonValue(1003)));
        QTRY_COMPARE(rows(u"SELECT detail FROM trait_realizations WHERE trait_sid = 1003 AND "
                          "uuid = '"_s + visitor(6) + u"'"_s),
                     QStringList{u"{\"signals\":{\"c_author\":[\"ann\"],\"c_section\":[\"news\"]}}"_s});
    }

    void anEditedTraitEndsWithExactlyWhatItsNewRuleGives()
    {
        // 1001 now needs the home section: visitors 1 and 2 lose the realizations that held them
        // in 5002 (sports twice) and leave it, and visitor 1 leaves 5001 (1001T AND 2001T),
        // with the cause "replay".
        writeTrait(1001, u"c_section == \"home\""_s);
        const ReplayResult result = replay({1001});
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.realizationsRemoved, 5);
        QCOMPARE(result.realizationsWritten, 2); // visitor 4's and visitor 2's home calls
        QCOMPARE(rows(u"SELECT uuid FROM trait_realizations WHERE trait_sid = 1001 "
                      "ORDER BY uuid"_s),
                 (QStringList{visitor(2), visitor(4)}));
        QCOMPARE(rows(u"SELECT count(*) FROM memberships"_s), QStringList{u"0"_s});
        QCOMPARE(result.membershipChanges, 3);
        QCOMPARE(rows(u"SELECT uuid, segment_sid, change, cause FROM membership_changes WHERE "
                      "cause = 'replay' ORDER BY uuid, segment_sid"_s),
                 (QStringList{visitor(1) + u"|5001|leave|replay"_s,
                              visitor(1) + u"|5002|leave|replay"_s,
                              visitor(2) + u"|5002|leave|replay"_s}));
        // 1002 was not replayed: its realizations are still the live ones.
        QCOMPARE(rows(u"SELECT DISTINCT source FROM trait_realizations WHERE "
                      "trait_sid = 1002"_s),
                 QStringList{u"call"_s});
    }

    void whatCannotBeReplayedIsSkippedWithItsReason()
    {
        writeTrait(1004, u"ic == \"auto\" OR c_section == \"cars\""_s);
        const ReplayResult result = replay({1004, 2001, 4242, 1002});
        QCOMPARE(result.replayedTraits, QList<qint64>{1002});
        QCOMPARE(result.skippedTraits.size(), 3);
        QCOMPARE(result.skippedTraits.at(0).sid, 1004);
        QVERIFY(result.skippedTraits.at(0).reason.contains(u"ic"));
        QCOMPARE(result.skippedTraits.at(1).sid, 2001);
        QVERIFY(result.skippedTraits.at(1).reason.contains(u"onboarded"));
        QCOMPARE(result.skippedTraits.at(2).sid, 4242);
        QVERIFY(result.skippedTraits.at(2).reason.contains(u"no such trait"));

        const ReplayResult nothing = replay({2001});
        QCOMPARE(nothing.status, ReplayResult::Status::NothingToReplay);
        QVERIFY(nothing.ok());
    }

    void anOptedOutVisitorIsNotReplayed()
    {
        QVERIFY(!get(m_port, "/demoptout.jpg?d_uuid=" + visitor(3).toLatin1()).isNull());
        writeTrait(1003, u"c_section == \"news\""_s);
        const ReplayResult result = replay({1003});
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(rows(u"SELECT uuid FROM trait_realizations WHERE trait_sid = 1003 "
                      "ORDER BY uuid"_s),
                 (QStringList{visitor(5), visitor(5)}));
    }

    void cancelStopsAfterAPageAndLeavesItConsistent()
    {
        writeTrait(1003, u"c_section == \"news\""_s);
        std::atomic<bool> cancel = false;
        QList<ReplayPhase> phases;
        const ReplayResult cancelled = replay({1003}, 4, &cancel,
                                              [&](double, ReplayPhase phase) {
                                                  phases.append(phase);
                                                  cancel = true;
                                              });
        QCOMPARE(cancelled.status, ReplayResult::Status::Cancelled);
        QCOMPARE(cancelled.eventsRead, 4); // one page
        QVERIFY(cancelled.summary().contains(u"cancelled"));
        // The first four events hold no news: nothing was written, nobody re-evaluated.
        QCOMPARE(cancelled.realizationsWritten, 0);
        QCOMPARE(phases.first(), ReplayPhase::Events);

        const ReplayResult complete = replay({1003}, 4);
        QCOMPARE(complete.status, ReplayResult::Status::Done);
        QCOMPARE(complete.eventsRead, 12);
        QCOMPARE(complete.realizationsWritten, 3);
        QCOMPARE(complete.visitorsReevaluated, 2);
    }

    void theJobReportsProgressAndItsResult()
    {
        writeTrait(1003, u"c_section == \"news\""_s);
        ReplayJob job(*m_server->storage());
        QSignalSpy finished(&job, &ReplayJob::finished);
        QSignalSpy progress(&job, &ReplayJob::progress);
        ReplayOptions options;
        options.traitSids = {1003};
        options.eventsPerJob = 3;
        const quint64 generation = job.start(m_server->rulesEngine()->snapshot(), options);
        QVERIFY(generation != 0);
        QVERIFY(job.isRunning());
        QCOMPARE(job.start(m_server->rulesEngine()->snapshot(), options), quint64(0));
        QVERIFY(finished.wait(kTimeoutMs));
        const auto result = finished.first().first().value<ReplayResult>();
        QCOMPARE(result.generation, generation);
        QCOMPARE(result.realizationsWritten, 3);
        QVERIFY(!job.isRunning());
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().first().toDouble(), 1.0);
    }
};

QTEST_MAIN(tst_Replay)
#include "tst_replay.moc"
