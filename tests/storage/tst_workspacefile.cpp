#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"
#include "storage/workspacefile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Dcs;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray sample()
{
    return readFile(QStringLiteral(DCS_TEST_DATA_DIR "/workspace-sample.json"));
}

// The sample with one value replaced: `mutate` edits the parsed document.
QByteArray sampleWith(const std::function<void(QJsonObject &)> &mutate)
{
    QJsonObject root = QJsonDocument::fromJson(sample()).object();
    mutate(root);
    return QJsonDocument(root).toJson();
}

void setInArray(QJsonObject &root, const QString &array, int index, const QString &key,
                const QJsonValue &value)
{
    QJsonArray items = root.value(array).toArray();
    QJsonObject item = items.at(index).toObject();
    if (value.isUndefined())
        item.remove(key);
    else
        item.insert(key, value);
    items.replace(index, item);
    root.insert(array, items);
}

void appendToArray(QJsonObject &root, const QString &array, const QJsonValue &value)
{
    QJsonArray items = root.value(array).toArray();
    items.append(value);
    root.insert(array, items);
}

QString summarize(const WorkspaceReport &report)
{
    QStringList lines;
    for (const JsonIssue &issue : report.errors)
        lines.append(issue.toString());
    return lines.join(QLatin1Char('\n'));
}

} // namespace

class tst_WorkspaceFile : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;

    std::unique_ptr<Storage> freshStorage()
    {
        QString error;
        auto storage = Storage::open(
            m_dir.filePath(QStringLiteral("ws%1.sqlite").arg(++m_counter)), &error);
        if (!storage)
            qWarning("%s", qPrintable(error));
        return storage;
    }

private Q_SLOTS:
    void exportImportExportIsIdentical()
    {
        auto first = freshStorage();
        QVERIFY(first);
        const WorkspaceReport imported = WorkspaceFile::import(*first, sample(), QStringLiteral("t"));
        QVERIFY2(imported.ok, qPrintable(summarize(imported)));
        QCOMPARE(imported.partners.added, 2);
        QCOMPARE(imported.folders.added, 2);
        QCOMPARE(imported.traits.added, 4);
        QCOMPARE(imported.segments.added, 2);

        const QByteArray exported = WorkspaceFile::exportJson(*first);
        auto second = freshStorage();
        QVERIFY(second);
        const WorkspaceReport again = WorkspaceFile::import(*second, exported, QStringLiteral("t"));
        QVERIFY2(again.ok, qPrintable(summarize(again)));
        QCOMPARE(WorkspaceFile::exportJson(*second), exported);

        // The export carries what the sample said, with the spec's defaults filled in.
        const QJsonObject root = QJsonDocument::fromJson(exported).object();
        QCOMPARE(root.value(QStringLiteral("format")).toString(),
                 QLatin1String(WorkspaceFile::kFormat));
        const QJsonObject brio = root.value(QStringLiteral("partners")).toArray().at(1).toObject();
        QCOMPARE(brio.value(QStringLiteral("mode")).toString(), QStringLiteral("shadow"));
        QCOMPARE(brio.value(QStringLiteral("max_in_flight")).toInt(), 64);
        const QJsonObject folderTrait =
            root.value(QStringLiteral("traits")).toArray().at(3).toObject();
        QCOMPARE(folderTrait.value(QStringLiteral("type")).toString(), QStringLiteral("folder"));
        QCOMPARE(root.value(QStringLiteral("settings")).toObject(),
                 (QJsonObject{{QStringLiteral("dcs_region"), 7},
                              {QStringLiteral("deadline_ms"), 100}}));
    }

    void reimportingTheSameFileChangesNothing()
    {
        auto storage = freshStorage();
        QVERIFY(storage);
        QVERIFY(WorkspaceFile::import(*storage, sample(), QStringLiteral("t")).ok);
        const QByteArray before = WorkspaceFile::exportJson(*storage);
        const WorkspaceReport again = WorkspaceFile::import(*storage, before, QStringLiteral("t"));
        QVERIFY2(again.ok, qPrintable(summarize(again)));
        QCOMPARE(again.traits.added, 0);
        QCOMPARE(again.traits.unchanged, 4);
        QCOMPARE(again.partners.unchanged, 2);
        QCOMPARE(WorkspaceFile::exportJson(*storage), before);
        QCOMPARE(TraitRepository(*storage).history(1001).size(), 1);
    }

    void secretsStayOutOfTheDatabaseAndTheExport()
    {
        auto storage = freshStorage();
        QVERIFY(storage);
        QVERIFY(WorkspaceFile::import(*storage, sample(), QStringLiteral("t")).ok);
        const QByteArray secret("brio-inline-secret-4711");

        PartnerRepository partners(*storage);
        const auto brio = partners.byDpid(2210);
        QVERIFY(brio);
        QVERIFY(brio->hasStoredSecret);
        QCOMPARE(partners.secretFor(*brio), std::optional<QByteArray>(secret));

        qputenv("ACME_SECRET", "from-the-environment");
        const auto acme = partners.byDpid(1955);
        QVERIFY(acme && !acme->hasStoredSecret);
        QCOMPARE(partners.secretFor(*acme),
                 std::optional<QByteArray>(QByteArray("from-the-environment")));
        qunsetenv("ACME_SECRET");
        QCOMPARE(partners.secretFor(*acme), std::nullopt);

        QVERIFY(!WorkspaceFile::exportJson(*storage).contains(secret));
        storage->writer().stop(); // everything on disk, WAL included
        for (const QString &suffix : {QString(), QStringLiteral("-wal")})
            QVERIFY(!readFile(storage->path() + suffix).contains(secret));
        const QString secretsPath = storage->path() + QStringLiteral(".secrets");
        struct stat info = {};
        QCOMPARE(::stat(qPrintable(secretsPath), &info), 0);
        QCOMPARE(info.st_mode & 0777, mode_t(0600));
        QVERIFY(!readFile(secretsPath).contains(secret)); // base64, but never the raw bytes
    }

    void badFilesAreRejectedWithTheirPathAndChangeNothing_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");

        QTest::addRow("not json") << QByteArray("{\n  \"format\": \"dcs-studio-workspace/1\",\n"
                                                "  \"traits\": [ }\n")
                                  << QStringLiteral("$ (line 3") << QStringLiteral("not valid JSON");
        QTest::addRow("not an object") << QByteArray("[1, 2]") << QStringLiteral("$")
                                       << QStringLiteral("JSON object");
        QTest::addRow("wrong format") << sampleWith([](QJsonObject &r) {
            r.insert(QStringLiteral("format"), QStringLiteral("aam/2"));
        }) << QStringLiteral("$.format") << QStringLiteral("dcs-studio-workspace/1");
        QTest::addRow("unknown top-level field") << sampleWith([](QJsonObject &r) {
            r.insert(QStringLiteral("trait"), QJsonArray());
        }) << QStringLiteral("$.trait") << QStringLiteral("unknown field");
        QTest::addRow("typo in a field") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("traits"), 1, QStringLiteral("ttl_day"), 3);
        }) << QStringLiteral("$.traits[1].ttl_day") << QStringLiteral("unknown field");
        QTest::addRow("partner without name") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("partners"), 0, QStringLiteral("name"), QJsonValue());
        }) << QStringLiteral("$.partners[0].name") << QStringLiteral("required");
        QTest::addRow("endpoint scheme") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("partners"), 0, QStringLiteral("endpoint"),
                       QStringLiteral("ftp://127.0.0.1/x"));
        }) << QStringLiteral("$.partners[0].endpoint") << QStringLiteral("http://");
        QTest::addRow("p_ key forwarded") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("partners"), 0, QStringLiteral("forwarded_keys"),
                       QJsonArray{QStringLiteral("c_ok"), QStringLiteral("p_email")});
        }) << QStringLiteral("$.partners[0].forwarded_keys[1]") << QStringLiteral("never");
        QTest::addRow("budget above timeout") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("partners"), 0, QStringLiteral("min_budget_ms"), 90);
        }) << QStringLiteral("$.partners[0].min_budget_ms") << QStringLiteral("timeout_ms");
        QTest::addRow("timeout not an integer") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("partners"), 0, QStringLiteral("timeout_ms"), 1.5);
        }) << QStringLiteral("$.partners[0].timeout_ms") << QStringLiteral("integer");
        QTest::addRow("bad mode") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("partners"), 1, QStringLiteral("mode"),
                       QStringLiteral("on"));
        }) << QStringLiteral("$.partners[1].mode") << QStringLiteral("shadow");
        QTest::addRow("duplicate dpid") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("partners"), 1, QStringLiteral("dpid"), 1955);
        }) << QStringLiteral("$.partners[1].dpid") << QStringLiteral("$.partners[0]");
        QTest::addRow("trait in a missing folder") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("traits"), 0, QStringLiteral("folder"), 42);
        }) << QStringLiteral("$.traits[0].folder") << QStringLiteral("folder 42 does not exist");
        QTest::addRow("duplicate trait sid") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("traits"), 1, QStringLiteral("sid"), 1001);
        }) << QStringLiteral("$.traits[1].sid") << QStringLiteral("$.traits[0]");
        QTest::addRow("onboarded without source") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("traits"), 2, QStringLiteral("data_source"), 0);
        }) << QStringLiteral("$.traits[2].data_source") << QStringLiteral("DPID");
        QTest::addRow("folder trait with rule") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("traits"), 3, QStringLiteral("rule"),
                       QStringLiteral("a == 1"));
        }) << QStringLiteral("$.traits[3].rule") << QStringLiteral("no rule");
        QTest::addRow("rule trait without rule") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("traits"), 0, QStringLiteral("rule"), QStringLiteral(" "));
        }) << QStringLiteral("$.traits[0].rule") << QStringLiteral("empty");
        QTest::addRow("segment names a missing trait") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("segments"), 0, QStringLiteral("rule"),
                       QStringLiteral("1001T AND\n  7777T"));
        }) << QStringLiteral("$.segments[0].rule")
           << QStringLiteral("trait 7777T does not exist (rule line 2, column 3)");
        QTest::addRow("trait rule that does not parse") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("traits"), 0, QStringLiteral("rule"),
                       QStringLiteral("c_section =="));
        }) << QStringLiteral("$.traits[0].rule")
           << QStringLiteral("(rule line 1, column 13)");
        QTest::addRow("trait regex that does not compile") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("traits"), 0, QStringLiteral("rule"),
                       QStringLiteral("c_url matchesregex \"(\""));
        }) << QStringLiteral("$.traits[0].rule") << QStringLiteral("rule line 1");
        QTest::addRow("segment rule that does not parse") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("segments"), 0, QStringLiteral("rule"),
                       QStringLiteral("1001T AND"));
        }) << QStringLiteral("$.segments[0].rule") << QStringLiteral("(rule line 1, column 10)");
        QTest::addRow("segment that everyone would hold") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("segments"), 0, QStringLiteral("rule"),
                       QStringLiteral("NOT 1001T"));
        }) << QStringLiteral("$.segments[0].rule") << QStringLiteral("every visitor");
        QTest::addRow("frequency of an onboarded trait") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("segments"), 0, QStringLiteral("rule"),
                       QStringLiteral("FREQUENCY([2001T]) >= 2"));
        }) << QStringLiteral("$.segments[0].rule") << QStringLiteral("onboarded");
        QTest::addRow("bad destination type") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("segments"), 0, QStringLiteral("destinations"),
                       QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("pixel")}}});
        }) << QStringLiteral("$.segments[0].destinations[0].type") << QStringLiteral("cookie");
        QTest::addRow("bad status") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("segments"), 1, QStringLiteral("status"),
                       QStringLiteral("paused"));
        }) << QStringLiteral("$.segments[1].status") << QStringLiteral("inactive");
        QTest::addRow("folder parent missing") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("folders"), 1, QStringLiteral("parent"), 9);
        }) << QStringLiteral("$.folders[1].parent") << QStringLiteral("folder 9 does not exist");
        QTest::addRow("folders too deep") << sampleWith([](QJsonObject &r) {
            for (int id = 3; id <= 6; ++id)
                appendToArray(r, QStringLiteral("folders"),
                              QJsonObject{{QStringLiteral("id"), id},
                                          {QStringLiteral("name"), QStringLiteral("L%1").arg(id)},
                                          {QStringLiteral("parent"), id - 1}});
        }) << QStringLiteral("$.folders[5].parent") << QStringLiteral("at most 5 levels");
        QTest::addRow("folder cycle") << sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("folders"), 0, QStringLiteral("parent"), 2);
        }) << QStringLiteral("$.folders[0].parent") << QStringLiteral("cycle");
        QTest::addRow("item not an object") << sampleWith([](QJsonObject &r) {
            appendToArray(r, QStringLiteral("segments"), QStringLiteral("5003"));
        }) << QStringLiteral("$.segments[2]") << QStringLiteral("must be an object");
    }

    void badFilesAreRejectedWithTheirPathAndChangeNothing()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, path);
        QFETCH(QString, message);

        auto storage = freshStorage();
        QVERIFY(storage);
        // A workspace with something in it, so that "nothing changed" means something.
        QJsonObject base = QJsonDocument::fromJson(sample()).object();
        base.insert(QStringLiteral("traits"), QJsonArray{});
        base.insert(QStringLiteral("segments"), QJsonArray{});
        base.insert(QStringLiteral("partners"), QJsonArray{});
        base.insert(QStringLiteral("folders"),
                    QJsonArray{QJsonObject{{QStringLiteral("id"), 50},
                                           {QStringLiteral("name"), QStringLiteral("Existing")}}});
        QVERIFY(WorkspaceFile::import(*storage, QJsonDocument(base).toJson(), QStringLiteral("t"))
                    .ok);
        const QByteArray before = WorkspaceFile::exportJson(*storage);

        const WorkspaceReport checked = WorkspaceFile::check(*storage, json);
        const WorkspaceReport imported = WorkspaceFile::import(*storage, json, QStringLiteral("t"));
        for (const WorkspaceReport &report : {checked, imported}) {
            QVERIFY(!report.ok);
            const auto match = std::find_if(report.errors.cbegin(), report.errors.cend(),
                                            [&](const JsonIssue &issue) {
                                                const QString text = issue.toString();
                                                return text.startsWith(path)
                                                       && text.contains(message);
                                            });
            QVERIFY2(match != report.errors.cend(),
                     qPrintable(QStringLiteral("expected %1 … %2, got:\n%3")
                                    .arg(path, message, summarize(report))));
        }
        QCOMPARE(WorkspaceFile::exportJson(*storage), before);
        QVERIFY(!QFile::exists(storage->path() + QStringLiteral(".secrets")));
    }

    void clashesNameBothSides()
    {
        auto storage = freshStorage();
        QVERIFY(storage);
        QVERIFY(WorkspaceFile::import(*storage, sample(), QStringLiteral("t")).ok);
        const QByteArray before = WorkspaceFile::exportJson(*storage);
        const QByteArray clashing = sampleWith([](QJsonObject &r) {
            setInArray(r, QStringLiteral("traits"), 0, QStringLiteral("name"),
                       QStringLiteral("Football fans"));
            setInArray(r, QStringLiteral("partners"), 0, QStringLiteral("timeout_ms"), 70);
        });
        const WorkspaceReport report = WorkspaceFile::import(*storage, clashing, QStringLiteral("t"));
        QVERIFY(!report.ok);
        const QString all = summarize(report);
        QVERIFY2(all.contains(QStringLiteral("$.traits[0].sid: sid 1001 (\"Football fans\" in the "
                                             "file) is taken by trait 1001 \"Sports readers\"")),
                 qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("$.partners[0]: partner \"Acme Data\" (DPID 1955) in "
                                             "the file clashes with partner \"Acme Data\"")),
                 qPrintable(all));
        QCOMPARE(report.errors.size(), 2);
        QCOMPARE(WorkspaceFile::exportJson(*storage), before);
    }

    void everyProblemIsReportedInOnePass()
    {
        auto storage = freshStorage();
        QVERIFY(storage);
        QVERIFY(WorkspaceFile::import(*storage, sample(), QStringLiteral("t")).ok);
        const QByteArray before = WorkspaceFile::exportJson(*storage);
        // A typo (a file error), a clash and a dangling reference (found against the database),
        // and an item with its own error whose missing folder must not be reported twice.
        const QByteArray json =
            "{\"format\": \"dcs-studio-workspace/1\",\n"
            " \"folders\": [{\"id\": 7, \"name\": \"Travel\", \"parent\": 1}],\n"
            " \"traits\": [\n"
            "  {\"sid\": 1001, \"name\": \"Beach lovers\", \"folder\": 1,"
            "   \"rule\": \"c_topic == 'beach'\"},\n"
            "  {\"sid\": 4001, \"name\": \"Skiers\", \"folder\": 9,"
            "   \"rule\": \"c_topic == 'ski'\", \"ttl_day\": 30}],\n"
            " \"segments\": [{\"sid\": 6001, \"name\": \"Winter sun\", \"folder\": 7,"
            "   \"rule\": \"4001T AND 4999T\"}]}";
        const WorkspaceReport report = WorkspaceFile::import(*storage, json, QStringLiteral("t"));
        QVERIFY(!report.ok);
        QStringList paths;
        for (const JsonIssue &issue : report.errors)
            paths.append(issue.path);
        QCOMPARE(paths, (QStringList{QStringLiteral("$.traits[1].ttl_day"),
                                     QStringLiteral("$.traits[0].sid"),
                                     QStringLiteral("$.segments[0].rule")}));
        QVERIFY(report.errors.at(2).message.contains(QStringLiteral("trait 4999")));
        QCOMPARE(WorkspaceFile::exportJson(*storage), before);
    }

    void checkChangesNothingEvenWhenValid()
    {
        auto storage = freshStorage();
        QVERIFY(storage);
        const QByteArray empty = WorkspaceFile::exportJson(*storage);
        const WorkspaceReport report = WorkspaceFile::check(*storage, sample());
        QVERIFY2(report.ok, qPrintable(summarize(report)));
        QCOMPARE(report.traits.added, 4);
        QCOMPARE(WorkspaceFile::exportJson(*storage), empty);
        QVERIFY(!QFile::exists(storage->path() + QStringLiteral(".secrets")));
    }

    void unreadableFileIsReported()
    {
        auto storage = freshStorage();
        QVERIFY(storage);
        const WorkspaceReport report = WorkspaceFile::importFile(
            *storage, m_dir.filePath(QStringLiteral("missing.json")), QStringLiteral("t"));
        QVERIFY(!report.ok);
        QVERIFY(report.errors.first().message.startsWith(QStringLiteral("cannot read")));
    }

    void hostileInputNeverCrashes()
    {
        // Bounded random mutations of a valid file: every outcome must be a report, never a
        // crash, and a rejected file must leave the workspace as it was.
        auto storage = freshStorage();
        QVERIFY(storage);
        const QByteArray original = sample();
        const QByteArray before = WorkspaceFile::exportJson(*storage);
        QRandomGenerator random(20261122);
        int rejected = 0;
        for (int round = 0; round < 300; ++round) {
            QByteArray mutated = original;
            const int edits = 1 + int(random.bounded(4));
            for (int e = 0; e < edits; ++e) {
                const qsizetype at = random.bounded(mutated.size());
                switch (random.bounded(3)) {
                case 0: mutated[at] = char(random.bounded(256)); break;
                case 1: mutated.remove(at, 1 + random.bounded(8)); break;
                default: mutated.insert(at, mutated.mid(random.bounded(mutated.size()), 12));
                }
            }
            const WorkspaceReport report = WorkspaceFile::check(*storage, mutated);
            if (!report.ok) {
                ++rejected;
                QVERIFY(!report.errors.isEmpty());
            }
        }
        QVERIFY(rejected > 200);
        QCOMPARE(WorkspaceFile::exportJson(*storage), before);
    }
};

QTEST_GUILESS_MAIN(tst_WorkspaceFile)
#include "tst_workspacefile.moc"
