// The history page's reads and exports over a large transfer log: one page (500 rows) for each
// filter, deep pages by key against OFFSET, the counts, and exports. Generates the rows into a
// temporary database (three partners, seven days), then prints a table; asserts nothing.
//
//   build/<preset>/tests/bench/bench_transferhistory [rows]
#include "monitor/transferexport.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/transferlog.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace Dcs;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Now = 1'763'820'000'000;
constexpr qint64 Span = 7 * 86'400'000LL;
constexpr int RowsPerJob = 20000;
constexpr int PageRows = 500;
constexpr int Rounds = 5;

// Median ms of `rounds` runs of `work`.
double medianMs(const std::function<void()> &work, int rounds = Rounds)
{
    std::vector<double> times;
    for (int r = 0; r < rounds; ++r) {
        QElapsedTimer timer;
        timer.start();
        work();
        times.push_back(timer.nsecsElapsed() / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times.at(times.size() / 2);
}

TransferRecord rowAt(qint64 i, qint64 rows, const EventIds &ids, const QList<Partner> &partners)
{
    TransferRecord r;
    r.eventId = i / 3 + 1; // three partners per /event
    r.startMs = Now - Span + i * Span / rows;
    r.tid = ids.tidOf(ids.run(), r.eventId);
    r.uuid = QString::number(quint64(r.eventId % 200'000) * 2654435761ULL % 100000000000000ULL)
                 .rightJustified(38, u'0');
    const Partner &partner = partners.at(int(i % 3));
    r.partnerId = partner.id;
    r.dpid = partner.dpid;
    r.deadlineMs = 100;
    r.budgetMs = 80;
    const int kind = int(i * 7919 % 100);
    r.outcome = kind < 60   ? TransferOutcome::Ok
                : kind < 90 ? TransferOutcome::Empty
                : kind < 97 ? TransferOutcome::Timeout
                : kind < 99 ? TransferOutcome::HttpError
                            : TransferOutcome::NetworkError;
    if (r.outcome == TransferOutcome::NetworkError)
        r.reason = u"connection refused"_s;
    else if (r.outcome == TransferOutcome::HttpError)
        r.reason = u"status 503"_s;
    if (r.outcome == TransferOutcome::Ok)
        r.codes = {u"seg-%1"_s.arg(i % 40), u"seg-%1"_s.arg(i % 13)};
    r.timings = {10, 200, -1, 250, 8000, 8100, 8200};
    r.totalUs = 8300;
    return r;
}

void printRow(const char *what, double ms, const QString &note = {})
{
    std::printf("%-52s %9.2f ms  %s\n", what, ms, qPrintable(note));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 rows = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1'000'000;
    QTemporaryDir dir;
    QString error;
    auto storage = Storage::open(dir.filePath(u"bench.sqlite"_s), &error);
    if (!storage) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QList<Partner> partners;
    for (const auto &[name, dpid] :
         {std::pair{"Acme Data", 1955}, {"Bolt Audiences", 2077}, {"Cirrus Signals", 3101}}) {
        Partner partner;
        partner.name = QString::fromLatin1(name);
        partner.dpid = dpid;
        partner.endpoint = u"http://127.0.0.1:9101/lookup"_s;
        if (!PartnerRepository(*storage).save(partner).ok)
            return 1;
        partners.append(partner);
    }

    QElapsedTimer fill;
    fill.start();
    for (qint64 first = 0; first < rows; first += RowsPerJob) {
        QList<TransferLog::PreparedRow> prepared;
        for (qint64 i = first; i < qMin(rows, first + RowsPerJob); ++i)
            prepared.append(TransferLog::PreparedRow::from(
                rowAt(i, rows, storage->eventIds(), partners)));
        const WriteResult written = storage->writer().runAndWait(
            [&prepared](WriteContext &context, QString *jobError) {
                for (const TransferLog::PreparedRow &row : prepared) {
                    if (!TransferLog::write(context, row, jobError))
                        return false;
                }
                return true;
            });
        if (!written.ok) {
            std::fprintf(stderr, "%s\n", qPrintable(written.error));
            return 1;
        }
    }
    std::printf("%lld transfer rows over 7 days written in %.1f s\n\n",
                static_cast<long long>(rows), fill.elapsed() / 1000.0);

    QSqlDatabase db = storage->reader();
    using TransferLog::Filter;
    const auto firstPage = [&db](const Filter &filter, int *got = nullptr) {
        TransferLog::Page page;
        QString pageError;
        if (!TransferLog::queryPage(db, filter, TransferLog::Order::NewestFirst, PageRows,
                                    std::nullopt, &page, &pageError))
            std::fprintf(stderr, "%s\n", qPrintable(pageError));
        if (got)
            *got = int(page.records.size());
    };
    const auto pageCase = [&](const char *what, const Filter &filter) {
        int got = 0;
        const double ms = medianMs([&] { firstPage(filter, &got); });
        printRow(what, ms, u"%1 rows"_s.arg(got));
    };
    const auto countCase = [&](const char *what, const Filter &filter) {
        qint64 count = 0;
        const double ms = medianMs([&] {
            QString countError;
            TransferLog::count(db, filter, &count, &countError);
        }, 3);
        printRow(what, ms, u"%1 rows"_s.arg(count));
    };

    const qint64 lastHour = Now - 3'600'000;
    const TransferRecord sample = rowAt(rows / 2, rows, storage->eventIds(), partners);
    Filter f;
    pageCase("first page, no filter, all time", f);
    f.fromMs = lastHour;
    pageCase("first page, last hour", f);
    f = {};
    f.dpid = 2077;
    pageCase("first page, one partner", f);
    f = {};
    f.outcome = TransferOutcome::NetworkError;
    pageCase("first page, network-error (1%), all time", f);
    f = {};
    f.uuid = sample.uuid;
    pageCase("first page, one visitor, all time (scan)", f);
    f.fromMs = lastHour;
    pageCase("first page, one visitor, last hour", f);
    f = {};
    f.tid = sample.tid;
    pageCase("tid alone, all time (scan)", f);
    f.tidEventId = storage->eventIds().decode(sample.tid)->id;
    pageCase("tid through its event (as the model does)", f);
    f = {};
    f.text = u"refused"_s;
    pageCase("first page, text 'refused', all time", f);
    f.fromMs = lastHour;
    pageCase("first page, text 'refused', last hour", f);
    f = {};
    f.text = u"no such text"_s;
    f.fromMs = lastHour;
    pageCase("text matching nothing, last hour (full range)", f);

    std::printf("\n");
    // Deep pages: the page after row 200,000, by key and by OFFSET.
    const qint64 depth = qMin<qint64>(200'000, rows - PageRows);
    std::optional<TransferLog::PageKey> deepKey;
    {
        TransferLog::Page page;
        QString pageError;
        TransferLog::queryPage(db, Filter{}, TransferLog::Order::NewestFirst, int(depth),
                               std::nullopt, &page, &pageError);
        deepKey = page.next;
    }
    printRow("page after row 200,000 by key", medianMs([&] {
                 TransferLog::Page page;
                 QString pageError;
                 TransferLog::queryPage(db, Filter{}, TransferLog::Order::NewestFirst, PageRows,
                                        deepKey, &page, &pageError);
             }));
    printRow("page after row 200,000 by OFFSET", medianMs([&] {
                 QString pageError;
                 TransferLog::query(db, Filter{}, PageRows, int(depth), &pageError);
             }));

    std::printf("\n");
    f = {};
    countCase("count, all time", f);
    f.fromMs = lastHour;
    countCase("count, last hour", f);
    f = {};
    f.dpid = 2077;
    countCase("count, one partner", f);
    f = {};
    f.text = u"refused"_s;
    countCase("count, text 'refused', all time", f);

    std::printf("\n");
    QList<TransferRecord> records;
    {
        TransferLog::Page page;
        QString pageError;
        TransferLog::queryPage(db, Filter{}, TransferLog::Order::NewestFirst, 10'000,
                               std::nullopt, &page, &pageError);
        records = page.records;
    }
    printRow("read 10,000 rows (one query)", medianMs([&] {
                 TransferLog::Page page;
                 QString pageError;
                 TransferLog::queryPage(db, Filter{}, TransferLog::Order::NewestFirst, 10'000,
                                        std::nullopt, &page, &pageError);
             }));
    qsizetype bytes = 0;
    const double csvMs = medianMs([&] { bytes = TransferExporter::toCsv(records).size(); });
    printRow("10,000 rows to CSV (in memory)", csvMs, u"%1 KiB"_s.arg(bytes / 1024));
    const double jsonMs = medianMs([&] { bytes = TransferExporter::toJson(records).size(); });
    printRow("10,000 rows to JSON (in memory)", jsonMs, u"%1 KiB"_s.arg(bytes / 1024));
    printRow("10,000 rows to a CSV file", medianMs([&] {
                 TransferExporter::writeFile(dir.filePath(u"x.csv"_s),
                                             TransferExporter::Format::Csv, records, nullptr);
             }));
    return 0;
}
