#pragma once

#include "storagewriter.h"
#include "transfer/transferrecord.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace Dcs {

// The transfer log: one row per partner attempt (partner-protocol.md, "Outcomes"). Rows are
// written by the engine inside the writer's jobs, read by the monitor's history and explain.
namespace TransferLog {

// A record turned into the bytes its row binds, on the caller's thread: the single writer only
// binds and steps.
struct PreparedRow
{
    qint64 eventId = 0;
    qint64 startMs = 0;
    QByteArray tid;
    QByteArray uuid;
    qint64 partnerId = 0;
    qint64 dpid = 0;
    bool shadow = false;
    int deadlineMs = 0;
    int budgetMs = 0;
    QByteArray outcome;
    QByteArray reason;
    int httpStatus = 0;
    QByteArray codes;
    QByteArray unsegments;
    QByteArray unmappedCodes;
    std::optional<int> ttlDays;
    TransferTimings timings;
    qint32 totalUs = 0;
    bool lateApplied = false;
    QByteArray requestText;
    QByteArray responseText;
    qint64 testRunId = 0;

    static PreparedRow from(const TransferRecord &record);
};

bool write(WriteContext &context, const PreparedRow &row, QString *error);

struct Filter
{
    std::optional<qint64> dpid;
    std::optional<TransferOutcome> outcome;
    QString uuid;
    QString tid;
    // With `tid`: the /event row that tid decodes to (EventIds::decode), so the lookup goes
    // through transfers_by_event instead of scanning the time range. Rows without an event
    // (onboarding test calls, whose tids are not EventIds') still match by tid alone.
    std::optional<qint64> tidEventId;
    std::optional<qint64> eventId;
    std::optional<qint64> testRunId;
    // A substring of the partner's name, the visitor, the tid, the reason, a code or an
    // unsegment (TransferFilter::matches()). Case-insensitive for ASCII letters: SQLite's
    // lower() folds no others. A needle with a character no code can hold (partner-protocol.md:
    // [A-Za-z0-9_.:-]) is not looked for in the codes, whose column is a JSON array.
    QString text;
    qint64 fromMs = 0;  // inclusive
    qint64 untilMs = 0; // exclusive; 0 = no upper bound
};

enum class Order { NewestFirst, OldestFirst };

// Where a page ended: the next page starts after this row (keyset paging, so a deep page
// costs what the first one does, and rows written meanwhile do not shift the pages).
struct PageKey
{
    qint64 startMs = 0;
    qint64 rowId = 0;

    friend bool operator==(const PageKey &, const PageKey &) = default;
};

struct Page
{
    QList<TransferRecord> records;
    std::optional<PageKey> next; // set when more rows match after this page
};

// Newest first; `limit` rows after skipping `offset`. Reads on `db` (the caller's connection).
QList<TransferRecord> query(QSqlDatabase db, const Filter &filter, int limit, int offset,
                            QString *error);

// Up to `limit` rows in `order` (start time, then row ID: the order rows were written in),
// after `after` (the previous page's `next`) or from the start.
bool queryPage(QSqlDatabase db, const Filter &filter, Order order, int limit,
               const std::optional<PageKey> &after, Page *page, QString *error);

// How many rows match `filter`.
bool count(QSqlDatabase db, const Filter &filter, qint64 *count, QString *error);

} // namespace TransferLog
} // namespace Dcs
