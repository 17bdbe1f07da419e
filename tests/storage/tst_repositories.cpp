#include "storage/eventlog.h"
#include "storage/folderrepository.h"
#include "storage/partnerrepository.h"
#include "storage/segmentrepository.h"
#include "storage/settingsrepository.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;

class tst_Repositories : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Storage> m_storage;
    int m_counter = 0;

    Folder makeFolder(const QString &name, std::optional<qint64> parent = std::nullopt)
    {
        Folder folder;
        folder.name = name;
        folder.parentId = parent;
        const WriteResult result = FolderRepository(*m_storage).save(folder);
        if (!result.ok)
            qWarning("%s", qPrintable(result.error));
        return folder;
    }

private Q_SLOTS:
    void init()
    {
        QString error;
        m_storage = Storage::open(m_dir.filePath(QStringLiteral("r%1.sqlite").arg(++m_counter)),
                                  &error);
        QVERIFY2(m_storage, qPrintable(error));
    }

    void cleanup() { m_storage.reset(); }

    void partnerLifecycleWithSecret()
    {
        PartnerRepository partners(*m_storage);
        Partner partner;
        partner.name = QStringLiteral("Acme Data");
        partner.dpid = 1955;
        partner.endpoint = QStringLiteral("http://127.0.0.1:9101/lookup");
        partner.forwardedKeys = {QStringLiteral("c_section")};
        partner.mode = Partner::Mode::Shadow;
        const WriteResult saved = partners.save(partner, QByteArray("s3cret"));
        QVERIFY2(saved.ok, qPrintable(saved.error));
        QVERIFY(partner.id > 0);
        QVERIFY(partner.hasStoredSecret);

        auto stored = partners.byDpid(1955);
        QVERIFY(stored);
        QCOMPARE(*stored, partner);
        QCOMPARE(partners.secretFor(*stored), std::optional<QByteArray>("s3cret"));

        stored->timeoutMs = 50;
        QVERIFY(partners.save(*stored).ok); // no secret given: the stored one stays
        QCOMPARE(partners.byId(partner.id)->timeoutMs, 50);
        QCOMPARE(partners.secretFor(*partners.byId(partner.id)),
                 std::optional<QByteArray>("s3cret"));

        QVERIFY(partners.save(*stored, QByteArray()).ok); // empty secret: removed
        QVERIFY(!partners.byId(partner.id)->hasStoredSecret);
        QCOMPARE(partners.secretFor(*partners.byId(partner.id)), std::nullopt);

        Partner twin = partner;
        twin.id = 0;
        twin.name = QStringLiteral("Acme Again");
        const WriteResult clash = partners.save(twin);
        QVERIFY(!clash.ok);
        QVERIFY2(clash.error.contains(QStringLiteral("dpid")), qPrintable(clash.error));

        QVERIFY(partners.remove(partner.id).ok);
        QVERIFY(partners.all().isEmpty());
        QVERIFY(!partners.remove(partner.id).ok);
    }

    void foldersNestAtMostFiveDeepAndNeverInThemselves()
    {
        std::optional<qint64> parent;
        QList<Folder> chain;
        for (int level = 1; level <= 5; ++level) {
            chain.append(makeFolder(QStringLiteral("L%1").arg(level), parent));
            QVERIFY(chain.last().id > 0);
            parent = chain.last().id;
        }
        Folder sixth;
        sixth.name = QStringLiteral("L6");
        sixth.parentId = parent;
        const WriteResult tooDeep = FolderRepository(*m_storage).save(sixth);
        QVERIFY(!tooDeep.ok);
        QVERIFY2(tooDeep.error.contains(QStringLiteral("at most 5")), qPrintable(tooDeep.error));

        Folder root = chain.first();
        root.parentId = chain.at(2).id;
        const WriteResult cycle = FolderRepository(*m_storage).save(root);
        QVERIFY(!cycle.ok);
        QVERIFY2(cycle.error.contains(QStringLiteral("inside itself")), qPrintable(cycle.error));
        QCOMPARE(FolderRepository(*m_storage).all().size(), 5);
    }

    void nonEmptyFolderCannotBeRemoved()
    {
        const Folder folder = makeFolder(QStringLiteral("Interests"));
        Trait trait;
        trait.name = QStringLiteral("Sports");
        trait.folderId = folder.id;
        trait.rule = QStringLiteral("c_section == \"sports\"");
        QVERIFY(TraitRepository(*m_storage).save(trait).ok);
        const WriteResult refused = FolderRepository(*m_storage).remove(folder.id);
        QVERIFY(!refused.ok);
        QVERIFY(refused.error.contains(QStringLiteral("not empty")));
        QVERIFY(TraitRepository(*m_storage).remove(trait.sid).ok);
        QVERIFY(FolderRepository(*m_storage).remove(folder.id).ok);
    }

    void everyTraitChangeIsAVersion()
    {
        const Folder folder = makeFolder(QStringLiteral("Interests"));
        TraitRepository traits(*m_storage);
        Trait trait;
        trait.name = QStringLiteral("Sports readers");
        trait.folderId = folder.id;
        trait.rule = QStringLiteral("c_section == \"sports\"");
        QVERIFY(traits.save(trait, QStringLiteral("ana")).ok);
        QVERIFY(trait.sid > 0);
        trait.rule = QStringLiteral("c_section == \"sport\" OR c_section == \"sports\"");
        QVERIFY(traits.save(trait, QStringLiteral("bo")).ok);
        QCOMPARE(traits.bySid(trait.sid)->rule, trait.rule);
        QVERIFY(traits.remove(trait.sid, QStringLiteral("cy")).ok);
        QVERIFY(!traits.bySid(trait.sid));

        const QList<DefinitionVersion> history = traits.history(trait.sid);
        QCOMPARE(history.size(), 3);
        QCOMPARE(history.at(0).action, DefinitionVersion::Action::Create);
        QCOMPARE(history.at(0).author, QStringLiteral("ana"));
        QVERIFY(history.at(0).before.isEmpty());
        QCOMPARE(history.at(1).action, DefinitionVersion::Action::Edit);
        QCOMPARE(history.at(1).author, QStringLiteral("bo"));
        QCOMPARE(history.at(1).before.value(QStringLiteral("rule")).toString(),
                 QStringLiteral("c_section == \"sports\""));
        QCOMPARE(history.at(1).after.value(QStringLiteral("rule")).toString(), trait.rule);
        QCOMPARE(history.at(2).action, DefinitionVersion::Action::Delete);
        QVERIFY(history.at(2).after.isEmpty());
        QCOMPARE(history.at(2).version, 3);
        QVERIFY(history.at(2).timeMs >= history.at(0).timeMs);
    }

    void segmentsKeepTheirDestinations()
    {
        const Folder folder = makeFolder(QStringLiteral("Targets"));
        SegmentRepository segments(*m_storage);
        Segment segment;
        segment.name = QStringLiteral("Sporty car buyers");
        segment.folderId = folder.id;
        segment.rule = QStringLiteral("1001T AND 2001T");
        segment.destinations = {
            Destination{Destination::Type::Cookie, QStringLiteral("seg"), QStringLiteral("scb"), {}},
            Destination{Destination::Type::Url, {}, {}, QStringLiteral("https://px/?s=%ALIAS%")}};
        segment.active = false;
        QVERIFY(segments.save(segment).ok);
        QCOMPARE(*segments.bySid(segment.sid), segment);
        QCOMPARE(segments.history(segment.sid).size(), 1);

        Segment second = segment;
        second.sid = 0;
        second.name = QStringLiteral("Other");
        QVERIFY(segments.save(second).ok);
        QVERIFY(second.sid > segment.sid); // a sequence of its own, separate from traits
        QCOMPARE(segments.all().size(), 2);
    }

    void settingsRoundTrip()
    {
        SettingsRepository settings(*m_storage);
        QCOMPARE(settings.load(), WorkspaceSettings{});
        QVERIFY(settings.save(WorkspaceSettings{12, 80}).ok);
        QCOMPARE(settings.load(), (WorkspaceSettings{12, 80}));
    }

    void eventLogByVisitorNewestFirst()
    {
        EventLog log(*m_storage);
        quint64 last = 0;
        for (int i = 0; i < 5; ++i) {
            EventRecord record;
            record.timeMs = 1000 + i;
            record.tid = QStringLiteral("tid-%1").arg(i);
            record.uuid = i % 2 ? QStringLiteral("odd") : QStringLiteral("even");
            last = log.append(record);
        }
        QVERIFY(m_storage->writer().waitForCommit(last, 10000));
        const QList<EventRecord> even = log.forVisitor(QStringLiteral("even"));
        QCOMPARE(even.size(), 3);
        QCOMPARE(even.first().tid, QStringLiteral("tid-4"));
        QCOMPARE(even.last().tid, QStringLiteral("tid-0"));
        QCOMPARE(log.forVisitor(QStringLiteral("even"), 1).size(), 1);
        QVERIFY(!log.byTid(QStringLiteral("nope")));
    }
};

QTEST_GUILESS_MAIN(tst_Repositories)
#include "tst_repositories.moc"
