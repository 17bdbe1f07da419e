// The editors' live previews against architecture.md's budget: a trait preview over 1,000,000
// stored events within 2x the time SQLite needs to merely read those rows once, and a segment
// preview over 1,000,000 visitors under a second. Generates the data into a temporary database
// (a minute or two), then prints a table; asserts nothing. Build in Release.
//
//   build/release/tests/bench/bench_preview [events [visitors with realizations]]
#include "rules/segmentpreview.h"
#include "rules/traitpreview.h"
#include "storage/eventlog.h"
#include "storage/folderrepository.h"
#include "storage/previewstore.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Day = MsPerDay;
constexpr qint64 Now = 1'710'936'000'000; // 2024-03-20T12:00:00Z
constexpr int RowsPerJob = 20000;
constexpr int Rounds = 3;

QByteArray uuidOf(quint64 n)
{
    return QByteArray::number(n * 2654435761ULL % 100000000000000000ULL).rightJustified(38, '0');
}

bool check(const WriteResult &result)
{
    if (!result.ok)
        std::fprintf(stderr, "write failed: %s\n", qPrintable(result.error));
    return result.ok;
}

bool storeDefinitions(Storage &storage)
{
    return check(storage.writer().runAndWait([](WriteContext &context, QString *error) {
        Folder folder;
        folder.id = 1;
        folder.name = u"Bench"_s;
        if (!FolderRepository::write(context, folder, true, error))
            return false;
        for (qint64 sid = 1; sid <= 3; ++sid) {
            Trait trait;
            trait.sid = sid;
            trait.name = u"Trait %1"_s.arg(sid);
            trait.folderId = 1;
            trait.rule = u"c_section == \"s%1\""_s.arg(sid);
            if (!TraitRepository::write(context, trait, u"bench"_s, error))
                return false;
        }
        return true;
    }));
}

// Realistic calls: a section, a page path, a price, a user agent and one to three tags.
bool storeEvents(Storage &storage, int events, int visitors)
{
    static const char *const Sections[] = {"sports", "news", "travel", "finance", "cars"};
    static const char *const Tags[] = {"promo", "video", "premium", "mobile", "longread"};
    std::mt19937_64 random(42);
    for (int first = 0; first < events; first += RowsPerJob) {
        QList<EventRow> rows;
        for (int i = first; i < std::min(events, first + RowsPerJob); ++i) {
            EventRow row;
            row.timeMs = Now - qint64(random() % quint64(90 * Day));
            row.tid = "bench" + QByteArray::number(i);
            row.uuid = uuidOf(random() % quint64(visitors));
            QByteArray tags = "\"" + QByteArray(Tags[random() % 5]) + "\"";
            for (quint64 t = random() % 3; t > 0; --t)
                tags += ",\"" + QByteArray(Tags[random() % 5]) + "\"";
            row.signalValues = "{\"c_section\":[\"" + QByteArray(Sections[random() % 5])
                               + "\"],\"c_page\":[\"/articles/"
                               + QByteArray::number(random() % 5000) + "\"],\"price\":[\""
                               + QByteArray::number(double(random() % 20000) / 100)
                               + "\"],\"c_tags\":[" + tags
                               + "],\"h_user-agent\":[\"Mozilla/5.0 (X11; Linux x86_64) "
                                 "AppleWebKit/537.36 Chrome/122.0\"]}";
            rows.append(row);
        }
        storage.writer().submit([rows](WriteContext &context, QString *error) {
            for (const EventRow &row : rows) {
                if (!EventLog::write(context, row, error))
                    return false;
            }
            return true;
        });
    }
    return check(storage.writer().runAndWait([](WriteContext &, QString *) { return true; }));
}

// One to three realizations per visitor, of traits 1 to 3, within the last 100 days.
bool storeRealizations(Storage &storage, int visitors)
{
    std::mt19937_64 random(7);
    for (int first = 0; first < visitors; first += RowsPerJob) {
        const int last = std::min(visitors, first + RowsPerJob);
        const quint64 seed = random();
        storage.writer().submit([first, last, seed](WriteContext &context, QString *error) {
            std::mt19937_64 rows(seed);
            Sqlite::Statement &realization = context.sqliteStatement(
                "INSERT INTO trait_realizations (uuid, trait_sid, ts_ms, expires_ms, source) "
                "VALUES (?, ?, ?, ?, 'call')");
            Sqlite::Statement &visitor = context.sqliteStatement(
                "INSERT INTO visitors (uuid, first_seen_ms, last_seen_ms) VALUES (?, ?, ?)");
            for (int v = first; v < last; ++v) {
                const QByteArray uuid = uuidOf(quint64(v) + 1'000'000'000ULL);
                visitor.bind(1, uuid);
                visitor.bind(2, Now - 100 * Day);
                visitor.bind(3, Now);
                if (!visitor.step(error))
                    return false;
                for (quint64 r = 1 + rows() % 3; r > 0; --r) {
                    const qint64 timeMs = Now - qint64(rows() % quint64(100 * Day));
                    realization.bind(1, uuid);
                    realization.bind(2, qint64(1 + rows() % 3));
                    realization.bind(3, timeMs);
                    realization.bind(4, timeMs + 120 * Day);
                    if (!realization.step(error))
                        return false;
                }
            }
            return true;
        });
    }
    return check(storage.writer().runAndWait([](WriteContext &, QString *) { return true; }));
}

double medianMs(const std::function<void()> &work)
{
    std::vector<double> times;
    for (int r = 0; r < Rounds; ++r) {
        QElapsedTimer timer;
        timer.start();
        work();
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times.at(times.size() / 2);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int events = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
    const int profiles = argc > 2 ? std::atoi(argv[2]) : 1'000'000;
    QTemporaryDir dir;
    QString error;
    auto storage = Storage::open(dir.filePath(u"bench.sqlite"_s), &error);
    if (!storage) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QElapsedTimer generation;
    generation.start();
    if (!storeDefinitions(*storage) || !storeEvents(*storage, events, 100'000)
        || !storeRealizations(*storage, profiles))
        return 1;
    std::printf("generated %d events (100,000 visitors) and %d profiles in %.1f s\n", events,
                profiles, double(generation.elapsed()) / 1000);

    QSqlDatabase db = storage->reader();
    const qint64 fromMs = Now - 90 * Day;
    qint64 bytes = 0;
    const auto readOnce = [&] {
        PreviewStore::scanEvents(
            db, fromMs, Now,
            [&bytes](const PreviewStore::EventRowView &row) {
                bytes += row.uuid.size() + row.signalsJson.size() + (row.timeMs & 1);
                return true;
            },
            nullptr);
    };
    readOnce(); // warm the page cache: every case below reads from memory

    const QString rule = u"c_section == \"sports\" AND price > 50"_s;
    TraitPreviewResult exact;
    TraitPreviewResult sample;
    TraitPreviewOptions sampled;
    sampled.sampleModulus = TraitPreview::DefaultSampleModulus;
    SegmentPreviewResult segment;

    const double readMs = medianMs(readOnce);
    const double exactMs = medianMs([&] { exact = TraitPreview::run(db, rule, Now); });
    const double sampleMs = medianMs([&] { sample = TraitPreview::run(db, rule, Now, sampled); });

    QList<Folder> folders{Folder{}};
    folders.first().id = 1;
    folders.first().name = u"Bench"_s;
    QList<Trait> traits;
    for (qint64 sid = 1; sid <= 3; ++sid) {
        Trait trait;
        trait.sid = sid;
        trait.name = u"Trait %1"_s.arg(sid);
        trait.folderId = 1;
        trait.rule = u"c_section == \"s%1\""_s.arg(sid);
        traits.append(trait);
    }
    const auto snapshot = RulesSnapshot::build(folders, traits, {});
    const double segmentMs = medianMs([&] {
        segment = SegmentPreview::run(db, *snapshot, u"1T AND FREQUENCY([2T] <= 30D) >= 1"_s,
                                      u"1T"_s, Now);
    });

    std::printf("\n%-58s %10s %10s\n", "case (median of 3, warm cache)", "ms", "vs (a)");
    std::printf("%-58s %10.0f %10s\n", "(a) SQLite reads the 90 days' rows once", readMs, "1.00");
    std::printf("%-58s %10.0f %10.2f\n", "(b) exact trait preview", exactMs, exactMs / readMs);
    std::printf("%-58s %10.0f %10.2f\n", "(c) sampled estimate, 1 visitor in 16", sampleMs,
                sampleMs / readMs);
    std::printf("%-58s %10.0f\n", "(d) segment preview, draft vs saved", segmentMs);
    std::printf("\n(b) read %lld rows, matched %lld, 90 days: %lld visitors (1 day: %lld)\n",
                qlonglong(exact.eventsRead), qlonglong(exact.eventsMatched),
                qlonglong(exact.windows.back().visitors),
                qlonglong(exact.windows.front().visitors));
    std::printf("(c) 90 days: %lld [%lld, %lld] from %lld sampled visitors\n",
                qlonglong(sample.windows.back().visitors), qlonglong(sample.windows.back().low),
                qlonglong(sample.windows.back().high),
                qlonglong(sample.windows.back().sampledVisitors));
    std::printf("(d) %lld visitors: %lld hold the draft, %lld the saved; +%lld -%lld\n",
                qlonglong(segment.visitorsScanned), qlonglong(segment.holders),
                qlonglong(segment.savedHolders), qlonglong(segment.joins),
                qlonglong(segment.leaves));
    std::printf("(checksum %lld)\n", qlonglong(bytes % 97));
    db = QSqlDatabase();
    storage->releaseReader();
    return 0;
}
