// BatchImporter on a real SQLite file: every item form, sync and overwrite, removals, user IDs
// (UUIDs and partner IDs through ID sync), gzip, partner_codes, membership changes, and
// importing the same file twice.
#include "../rules/qualificationfixture.h"
#include "gzipfile.h"

#include "profiles/batchimporter.h"
#include "storage/realizationstore.h"
#include "storage/visitorstore.h"

#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>

using namespace Dcs;
using namespace Fixture;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Acme = 1955;   // the partner whose traits the files realize
constexpr qint64 Other = 777;   // another partner, with a trait for the same code
constexpr qint64 Devices = 20914; // a global data source of device IDs (TARGET_DPID files)

const QString Known = u"10000000000000000000000000000000000001"_s;   // a visitor, by UUID
const QString Synced = u"10000000000000000000000000000000000002"_s;  // Acme's "p-1"
const QString Device = u"10000000000000000000000000000000000003"_s;  // device "dev-7"
const QString OptedOut = u"10000000000000000000000000000000000004"_s;
const QString Stranger = u"10000000000000000000000000000000000009"_s; // never seen

// Trait and segment sids.
enum : qint64 {
    SportsReaders = 1,  // rule-based, first party
    AutoIntenders = 2,  // Acme ic == "auto"
    BoatOwners = 3,     // Acme ic == "boat"
    Women = 4,          // Acme gender == "f": realized by key=value items
    OtherAuto = 5,      // Other's ic == "auto"
    AllInterests = 6,   // folder trait
    Pilots = 7,         // Acme ic == "plane"
    SegAuto = 10,       // 2T
    SegAutoWomen = 11,  // 2T AND 4T
    SegSports = 12,     // 1T
};

Definitions definitions()
{
    Definitions d;
    d.folders = {folder(1, "Interests")};
    d.traits = {trait(SportsReaders, Trait::Type::Rule, 1, "c_section == \"sports\""),
                trait(AutoIntenders, Trait::Type::Onboarded, 1, "ic == \"auto\"", 30, Acme),
                trait(BoatOwners, Trait::Type::Onboarded, 1, "ic == \"boat\"", 30, Acme),
                trait(Women, Trait::Type::Onboarded, 1, "gender == \"f\"", 30, Acme),
                trait(OtherAuto, Trait::Type::Onboarded, 1, "ic == \"auto\"", 30, Other),
                trait(AllInterests, Trait::Type::Folder, 1, ""),
                trait(Pilots, Trait::Type::Onboarded, 1, "ic == \"plane\"", 30, Acme)};
    d.segments = {segment(SegAuto, "2T"), segment(SegAutoWomen, "2T AND 4T"),
                  segment(SegSports, "1T")};
    return d;
}

QByteArray joinLines(const QStringList &lines)
{
    QByteArray bytes;
    for (const QString &line : lines)
        bytes += line.toUtf8() + '\n';
    return bytes;
}

} // namespace

class TestBatchImporter : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;
    std::unique_ptr<Storage> m_storage;
    std::shared_ptr<const RulesSnapshot> m_rules;
    qint64 m_now = 0;

    std::unique_ptr<Storage> open(const Storage::Options &options = {})
    {
        QString error;
        auto storage = Storage::open(m_dir.filePath(u"db%1.sqlite"_s.arg(++m_counter)), options,
                                     &error);
        if (!storage) {
            qWarning("%s", qPrintable(error));
            return storage;
        }
        WriteResult result = storeDefinitions(*storage, definitions());
        if (result.ok) {
            result = storage->writer().runAndWait([](WriteContext &context, QString *why) {
                const qint64 seen = now() - Day;
                for (const QString &uuid : {Known, Synced, Device, OptedOut}) {
                    if (!VisitorStore::touchVisitor(context, uuid, seen, why))
                        return false;
                }
                return VisitorStore::link(context, {Acme, u"p-1"_s, 0}, Synced, seen, why)
                       && VisitorStore::link(context, {Devices, u"dev-7"_s, 0}, Device, seen,
                                             why)
                       && VisitorStore::optOut(context, OptedOut, seen, why);
            });
        }
        if (!result.ok)
            qWarning("%s", qPrintable(result.error));
        return storage;
    }

    // Writes `lines` to a file called `name` (gzip-compressed when it ends in .gz).
    QString file(const QString &name, const QStringList &lines)
    {
        const QString path = m_dir.filePath(name);
        QByteArray bytes = joinLines(lines);
        if (name.endsWith(u".gz"))
            bytes = GzipFile::compress(bytes);
        if (!GzipFile::write(path, bytes))
            qWarning("cannot write %s", qPrintable(path));
        return path;
    }

    BatchImportReport import(const QString &path, int linesPerJob = 2)
    {
        BatchImportOptions options;
        options.linesPerJob = linesPerJob;
        const qint64 at = m_now;
        options.clock = [at] { return at; };
        BatchImporter importer(*m_storage, m_rules, options);
        const BatchImportReport report = importer.importFile(path);
        // The report's promise: every line read is applied or skipped with a reason.
        if (report.linesRead != report.linesApplied + report.linesSkipped())
            qWarning("lines do not add up:\n%s", qPrintable(report.toText()));
        return report;
    }

    QStringList rows(const QString &sql)
    {
        QSqlQuery query(m_storage->reader());
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

    // The traits a visitor holds, ascending.
    QStringList traitsOf(const QString &uuid)
    {
        return rows(u"SELECT DISTINCT trait_sid FROM trait_realizations WHERE uuid = '%1' "
                    "ORDER BY trait_sid"_s.arg(uuid));
    }

    QStringList segmentsOf(const QString &uuid)
    {
        return rows(u"SELECT segment_sid FROM memberships WHERE uuid = '%1' "
                    "ORDER BY segment_sid"_s.arg(uuid));
    }

    QStringList codesOf(const QString &uuid)
    {
        return rows(u"SELECT dpid, code FROM partner_codes WHERE uuid = '%1' "
                    "ORDER BY dpid, code"_s.arg(uuid));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_rules = definitions().build();
    }

    void init()
    {
        m_now = now();
        m_storage = open();
        QVERIFY(m_storage);
    }

    void cleanup() { m_storage.reset(); }

    void everyItemFormIsApplied()
    {
        const BatchImportReport report = import(file(
            u"ftp_dpm_1955_1700000000.sync"_s,
            {Known + u"\tauto,d_sid=1,gender=f,unmapped-code,ic=\"boat\""_s,
             u"p-1\t\"ic\"=\"auto\""_s,
             u"p-404\tauto"_s,
             OptedOut + u"\tauto"_s,
             Stranger + u"\tauto"_s,
             Known + u"\td_sid=6,d_sid=99999"_s,
             Known + u"\tbad item"_s,
             u"row ends in a tab\t"_s}));
        QVERIFY2(report.succeeded(), qPrintable(report.error + report.toText()));
        QCOMPARE(report.linesRead, qint64(8));
        QCOMPARE(report.linesApplied, qint64(2));
        QCOMPARE(report.skippedLineCount(BatchSkip::UnknownUserId), qint64(2));
        QCOMPARE(report.unknownUserIds, qint64(2));
        QCOMPARE(report.skippedLineCount(BatchSkip::OptedOut), qint64(1));
        QCOMPARE(report.skippedLineCount(BatchSkip::NothingApplicable), qint64(1));
        QCOMPARE(report.skippedLineCount(BatchSkip::NoValidItem), qint64(1));
        QCOMPARE(report.skippedLineCount(BatchSkip::TrailingWhitespace), qint64(1));
        QCOMPARE(report.itemsApplied, qint64(6));
        QCOMPARE(report.codes, qint64(4));
        QCOMPARE(report.unmappedCodes, qint64(1));
        QCOMPARE(report.addedTraits, qint64(1));
        QCOMPARE(report.keyValues, qint64(1));
        QCOMPARE(report.unmatchedKeyValues, qint64(0));
        QCOMPARE(report.skippedItemCount(BatchSkip::NotATrait), qint64(2));
        QCOMPARE(report.skippedItemCount(BatchSkip::InvalidItem), qint64(1));
        QCOMPARE(report.realizationsAdded, qint64(5));
        QCOMPARE(report.segmentsJoined, qint64(4));

        // Codes and key=value items realize Acme's traits only, never Other's "auto".
        QCOMPARE(traitsOf(Known), (QStringList{u"1"_s, u"2"_s, u"3"_s, u"4"_s}));
        QCOMPARE(traitsOf(Synced), QStringList{u"2"_s});
        QCOMPARE(traitsOf(OptedOut), QStringList{});
        QCOMPARE(rows(u"SELECT trait_sid, source, tid, ts_ms, detail FROM trait_realizations "
                      "WHERE uuid = '%1' ORDER BY trait_sid"_s.arg(Known)),
                 (QStringList{
                     u"1|batch|ftp_dpm_1955_1700000000.sync|%1|{\"d_sid\":\"1\"}"_s.arg(m_now),
                     u"2|batch|ftp_dpm_1955_1700000000.sync|%1|{\"code\":\"auto\","
                     "\"dpid\":1955}"_s.arg(m_now),
                     u"3|batch|ftp_dpm_1955_1700000000.sync|%1|{\"code\":\"boat\","
                     "\"dpid\":1955}"_s.arg(m_now),
                     u"4|batch|ftp_dpm_1955_1700000000.sync|%1|{\"signals\":{\"gender\":"
                     "[\"f\"]}}"_s.arg(m_now)}));
        // Every code is remembered, the unmapped one too, so a trait made later for it shows
        // its population at once.
        QCOMPARE(codesOf(Known), (QStringList{u"1955|auto"_s, u"1955|boat"_s,
                                              u"1955|unmapped-code"_s}));
        QCOMPARE(rows(u"SELECT first_seen_ms, last_seen_ms, expires_ms FROM partner_codes "
                      "WHERE code = 'unmapped-code'"_s),
                 QStringList{u"%1|%1|null"_s.arg(m_now)});

        // Segment memberships, with their changes recorded at the import's time.
        QCOMPARE(segmentsOf(Known), (QStringList{u"10"_s, u"11"_s, u"12"_s}));
        QCOMPARE(segmentsOf(Synced), QStringList{u"10"_s});
        QCOMPARE(rows(u"SELECT uuid, segment_sid, ts_ms, change, cause FROM membership_changes "
                      "ORDER BY uuid, segment_sid"_s),
                 (QStringList{u"%1|10|%2|join|batch file"_s.arg(Known).arg(m_now),
                              u"%1|11|%2|join|batch file"_s.arg(Known).arg(m_now),
                              u"%1|12|%2|join|batch file"_s.arg(Known).arg(m_now),
                              u"%1|10|%2|join|batch file"_s.arg(Synced).arg(m_now)}));

        const QString text = report.toText();
        QVERIFY2(text.contains(u"lines: 8 read, 2 applied, 6 skipped"_s), qPrintable(text));
        QVERIFY2(text.contains(u"unknown user ID: 2 (line 3: \"p-404\"; line 5: \"%1\")"_s
                                   .arg(Stranger)),
                 qPrintable(text));
        QVERIFY2(text.contains(u"line 6: d_sid=6; line 6: d_sid=99999"_s), qPrintable(text));
    }

    void removalsInASyncFile()
    {
        QVERIFY(import(file(u"ftp_dpm_1955_1700000000.sync"_s,
                            {Known + u"\tauto,boat,gender=f,d_sid=1"_s}))
                    .succeeded());
        QCOMPARE(segmentsOf(Known), (QStringList{u"10"_s, u"11"_s, u"12"_s}));

        m_now += 60'000;
        const BatchImportReport report = import(file(
            u"ftp_dpm_1955_1700000060.sync"_s,
            {Known + u"\td_unsid=4,2:0"_s,
             // Removed and added on one line: removals go first, so it stays.
             Known + u"\t3:-1,boat"_s,
             Known + u"\td_unsid=6"_s}));
        QVERIFY2(report.succeeded(), qPrintable(report.toText()));
        QCOMPARE(report.removals, qint64(3));
        QCOMPARE(report.realizationsRemoved, qint64(3));
        QCOMPARE(report.skippedItemCount(BatchSkip::NotATrait), qint64(1));
        QCOMPARE(traitsOf(Known), (QStringList{u"1"_s, u"3"_s}));
        QCOMPARE(rows(u"SELECT ts_ms FROM trait_realizations WHERE uuid = '%1' "
                      "AND trait_sid = 3"_s.arg(Known)),
                 QStringList{QString::number(m_now)});
        QCOMPARE(segmentsOf(Known), QStringList{u"12"_s});
        QCOMPARE(report.segmentsLeft, qint64(2));
        QCOMPARE(rows(u"SELECT segment_sid, ts_ms, change, cause FROM membership_changes "
                      "WHERE change = 'leave' ORDER BY segment_sid"_s),
                 (QStringList{u"10|%1|leave|batch file"_s.arg(m_now),
                              u"11|%1|leave|batch file"_s.arg(m_now)}));
        // Removing what the visitor no longer holds changes nothing, and fails nothing.
        const BatchImportReport again = import(file(u"ftp_dpm_1955_1700000061.sync"_s,
                                                    {Known + u"\t2:0"_s}));
        QVERIFY(again.succeeded());
        QCOMPARE(again.realizationsRemoved, qint64(0));
        QCOMPARE(traitsOf(Known), (QStringList{u"1"_s, u"3"_s}));
    }

    void overwriteReplacesTheDataSourceTraits()
    {
        QVERIFY(import(file(u"ftp_dpm_1955_1700000000.sync"_s,
                            {Known + u"\tauto,boat,gender=f,d_sid=1,unmapped-code"_s,
                             u"p-1\tboat"_s}))
                    .succeeded());
        QVERIFY(import(file(u"ftp_dpm_777_1700000000.sync"_s, {Known + u"\tauto"_s}))
                    .succeeded());
        QCOMPARE(traitsOf(Known), (QStringList{u"1"_s, u"2"_s, u"3"_s, u"4"_s, u"5"_s}));

        m_now += 60'000;
        const BatchImportReport report = import(file(
            u"ftp_dpm_1955_1700000060.overwrite"_s,
            {Known + u"\tplane"_s,
             Known + u"\t3:0"_s,
             u"p-1\td_sid=99999"_s, // a skipped line: p-1 keeps their traits
             Known + u"\tauto"_s}));
        QVERIFY2(report.succeeded(), qPrintable(report.toText()));
        QCOMPARE(report.skippedItemCount(BatchSkip::RemovalInOverwrite), qint64(1));
        QCOMPARE(report.skippedItemCount(BatchSkip::NotATrait), qint64(1));
        QCOMPARE(report.skippedLineCount(BatchSkip::NothingApplicable), qint64(2));
        QCOMPARE(report.linesApplied, qint64(2));
        QCOMPARE(report.realizationsRemoved, qint64(2));
        // Acme's traits are now those of the file; the first-party rule trait and the other
        // partner's trait are not Acme's to replace.
        QCOMPARE(traitsOf(Known), (QStringList{u"1"_s, u"2"_s, u"5"_s, u"7"_s}));
        QCOMPARE(traitsOf(Synced), QStringList{u"3"_s});
        QCOMPARE(codesOf(Known), (QStringList{u"777|auto"_s, u"1955|auto"_s, u"1955|plane"_s}));
        QCOMPARE(codesOf(Synced), QStringList{u"1955|boat"_s});
        // Auto intenders was held throughout, though its line came after the first: no leave
        // and join again, only the segment whose trait the file dropped.
        QCOMPARE(segmentsOf(Known), (QStringList{u"10"_s, u"12"_s}));
        QCOMPARE(rows(u"SELECT segment_sid, change, cause FROM membership_changes "
                      "WHERE uuid = '%1' AND ts_ms = %2"_s.arg(Known).arg(m_now)),
                 QStringList{u"11|leave|batch file"_s});
        QCOMPARE(report.segmentsLeft, qint64(1));
        QCOMPARE(report.segmentsJoined, qint64(0));

        // The same file again replaces nothing more.
        const QStringList before = rows(u"SELECT * FROM trait_realizations ORDER BY id"_s);
        QVERIFY(import(m_dir.filePath(u"ftp_dpm_1955_1700000060.overwrite"_s)).succeeded());
        QCOMPARE(rows(u"SELECT * FROM trait_realizations ORDER BY id"_s).size(), before.size());
        QCOMPARE(traitsOf(Known), (QStringList{u"1"_s, u"2"_s, u"5"_s, u"7"_s}));
    }

    void sameFileTwiceChangesNothingMore()
    {
        const QString path = file(u"ftp_dpm_1955_1700000000.sync"_s,
                                  {Known + u"\tauto,d_sid=1,gender=f"_s,
                                   Known + u"\td_sid=1"_s, // a rule trait: once per file
                                   u"p-1\tauto,unmapped-code"_s});
        const BatchImportReport first = import(path);
        QVERIFY2(first.succeeded(), qPrintable(first.toText()));
        const QString everything = u"SELECT uuid, trait_sid, source, tid, ts_ms "
                                   "FROM trait_realizations ORDER BY uuid, trait_sid, id"_s;
        const QStringList realizations = rows(everything);
        QCOMPARE(realizations.size(), qsizetype(4)); // trait 1 once, though on two lines
        const QStringList changes = rows(u"SELECT * FROM membership_changes"_s);
        const QStringList codes = rows(u"SELECT * FROM partner_codes ORDER BY 1, 2, 3"_s);

        const BatchImportReport second = import(path, 1);
        QVERIFY2(second.succeeded(), qPrintable(second.toText()));
        QCOMPARE(rows(everything), realizations);
        QCOMPARE(rows(u"SELECT * FROM membership_changes"_s), changes);
        QCOMPARE(rows(u"SELECT * FROM partner_codes ORDER BY 1, 2, 3"_s), codes);
        QCOMPARE(second.segmentsJoined, qint64(0));

        // Later, the onboarded realizations restart their TTL; still one of each.
        m_now += Day;
        QVERIFY(import(path).succeeded());
        QCOMPARE(rows(u"SELECT trait_sid, count(*) FROM trait_realizations "
                      "GROUP BY uuid, trait_sid ORDER BY uuid, trait_sid"_s),
                 (QStringList{u"1|1"_s, u"2|1"_s, u"4|1"_s, u"2|1"_s}));
    }

    void gzipFile()
    {
        const BatchImportReport report = import(
            file(u"ftp_dpm_1955_1700000000.sync.2.gz"_s,
                 {Known + u"\tauto,gender=f"_s, u"p-1\tboat"_s, u"p-2\tboat"_s}));
        QVERIFY2(report.succeeded(), qPrintable(report.error + report.toText()));
        QCOMPARE(report.linesRead, qint64(3));
        QCOMPARE(report.linesApplied, qint64(2));
        QCOMPARE(traitsOf(Known), (QStringList{u"2"_s, u"4"_s}));
        QCOMPARE(traitsOf(Synced), QStringList{u"3"_s});
        QVERIFY2(report.toText().contains(u", part 2"_s), qPrintable(report.toText()));
    }

    // ftp_dpm_<DPID>_<TARGET_DPID>: IDs are the DPID's, the traits the target's.
    void targetDpidFile()
    {
        const BatchImportReport report = import(
            file(u"ftp_dpm_20914_1955_1700000000.sync"_s,
                 {u"dev-7\tauto"_s, u"p-1\tauto"_s}));
        QVERIFY2(report.succeeded(), qPrintable(report.toText()));
        QCOMPARE(traitsOf(Device), QStringList{u"2"_s});
        QCOMPARE(codesOf(Device), QStringList{u"1955|auto"_s});
        // p-1 is Acme's ID, not a device ID: unknown in a file of device IDs.
        QCOMPARE(report.skippedLineCount(BatchSkip::UnknownUserId), qint64(1));
        QCOMPARE(traitsOf(Synced), QStringList{});
    }

    void keyValuesThatMatchNoTraitAreCounted()
    {
        const BatchImportReport report = import(file(u"ftp_dpm_1955_1700000000.sync"_s,
                                                     {Known + u"\tgender=m,age=40"_s}));
        QVERIFY(report.succeeded());
        QCOMPARE(report.keyValues, qint64(2));
        QCOMPARE(report.unmatchedKeyValues, qint64(2));
        QCOMPARE(report.realizationsAdded, qint64(0));
    }

    void manyLinesManyJobs()
    {
        QStringList lines;
        for (int i = 0; i < 205; ++i)
            lines.append(Known + (i % 2 ? u"\tauto"_s : u"\tboat"_s));
        for (int i = 0; i < 40; ++i)
            lines.append(u"p-1\tauto"_s);
        const BatchImportReport report = import(file(u"ftp_dpm_1955_1700000000.sync"_s, lines),
                                                7);
        QVERIFY2(report.succeeded(), qPrintable(report.toText()));
        QCOMPARE(report.linesRead, qint64(245));
        QCOMPARE(report.linesApplied, qint64(240));
        QCOMPARE(report.skippedLineCount(BatchSkip::OverUserLimit), qint64(5));
        QCOMPARE(rows(u"SELECT count(*) FROM trait_realizations"_s), QStringList{u"3"_s});
    }

    // Progress is the share of the file read, rising to 1; a cancel stops the reading at a line
    // boundary, applies what was read, and (as for any file not read to its end) an .overwrite
    // file replaces nothing.
    void progressAndCancel()
    {
        QStringList lines;
        for (int i = 0; i < 5000; ++i)
            lines.append(Known + (i % 2 ? u"\tauto"_s : u"\tboat"_s));
        const QString path = file(u"ftp_dpm_1955_1700000000.sync.gz"_s, lines);

        QList<double> fractions;
        BatchImportOptions options;
        options.linesPerJob = 100;
        options.progress = [&fractions](double fraction) { fractions.append(fraction); };
        const BatchImportReport done = BatchImporter(*m_storage, m_rules, options)
                                           .importFile(path);
        QVERIFY2(done.succeeded(), qPrintable(done.toText()));
        QVERIFY(!done.cancelled);
        QCOMPARE(done.linesRead, qint64(5000));
        QVERIFY(fractions.size() >= 3);
        QVERIFY(std::is_sorted(fractions.cbegin(), fractions.cend()));
        QCOMPARE(fractions.last(), 1.0);

        std::atomic<bool> cancel = false;
        options.progress = [&cancel](double) { cancel = true; };
        options.cancel = &cancel;
        const QString overwrite = file(u"ftp_dpm_1955_1700000060.overwrite"_s, lines);
        const BatchImportReport stopped = BatchImporter(*m_storage, m_rules, options)
                                              .importFile(overwrite);
        QVERIFY(stopped.cancelled);
        QVERIFY(!stopped.succeeded());
        QVERIFY2(stopped.error.contains(u"cancelled after line 1024"_s), qPrintable(stopped.error));
        QCOMPARE(stopped.linesRead, qint64(1024));
        QCOMPARE(stopped.linesApplied + stopped.linesSkipped(), qint64(1024));
        QCOMPARE(stopped.realizationsRemoved, qint64(0)); // nothing replaced
    }

    void jobReplayedAfterAFailingNeighbourCountsOnce()
    {
        // A batch with a failing job is rolled back and replayed job by job: the import's job
        // runs twice, and must neither write nor count twice.
        Storage::Options options;
        options.writer.maxBatchDelayMs = 300;
        m_storage = open(options);
        QVERIFY(m_storage);
        const quint64 replayedBefore = m_storage->writer().stats().replayedBatches;
        m_storage->writer().submit([](WriteContext &, QString *error) {
            *error = u"refused on purpose"_s;
            return false;
        });
        const BatchImportReport report = import(
            file(u"ftp_dpm_1955_1700000000.sync"_s, {Known + u"\tauto,d_sid=1"_s}), 10);
        QVERIFY2(report.succeeded(), qPrintable(report.toText()));
        QCOMPARE(m_storage->writer().stats().replayedBatches, replayedBefore + 1);
        QCOMPARE(report.realizationsAdded, qint64(2));
        QCOMPARE(report.segmentsJoined, qint64(2));
        QCOMPARE(rows(u"SELECT trait_sid FROM trait_realizations ORDER BY 1"_s),
                 (QStringList{u"1"_s, u"2"_s}));
        QCOMPARE(rows(u"SELECT count(*) FROM membership_changes"_s), QStringList{u"2"_s});
    }

    void whatCannotBeImported_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("lines"); // empty list: no file is written
        QTest::addColumn<bool>("succeeded");
        QTest::addColumn<QString>("errorContains");

        QTest::newRow("bad name") << u"acme.tsv"_s << QStringList{Known + u"\tauto"_s} << false
                                  << u"does not start with ftp_dpm_"_s;
        QTest::newRow("missing file") << u"ftp_dpm_1955_1700000000.overwrite"_s << QStringList{}
                                      << false << u"no such file"_s;
        QTest::newRow("nothing applies")
            << u"ftp_dpm_1955_1700000000.sync"_s << QStringList{u"p-404\tauto"_s, u"x"_s}
            << false << QString();
        QTest::newRow("only a blank line") << u"ftp_dpm_1955_1700000001.sync"_s
                                           << QStringList{QString()} << false << QString();
    }

    void whatCannotBeImported()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, lines);
        QFETCH(bool, succeeded);
        QFETCH(QString, errorContains);

        const QString path = lines.isEmpty() ? m_dir.filePath(name) : file(name, lines);
        const BatchImportReport report = import(path);
        QCOMPARE(report.succeeded(), succeeded);
        QVERIFY2(report.error.contains(errorContains), qPrintable(report.error));
        QCOMPARE(report.linesApplied, qint64(0));
        QCOMPARE(rows(u"SELECT count(*) FROM trait_realizations"_s), QStringList{u"0"_s});
    }

    void emptyFileSucceeds()
    {
        const QString path = m_dir.filePath(u"ftp_dpm_1955_1700000002.sync"_s);
        QVERIFY(GzipFile::write(path, QByteArray()));
        const BatchImportReport report = import(path);
        QVERIFY(report.succeeded());
        QCOMPARE(report.linesRead, qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestBatchImporter)
#include "tst_batchimporter.moc"
