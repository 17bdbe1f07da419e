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
    std::optional<qint64> eventId;
    std::optional<qint64> testRunId;
    qint64 fromMs = 0;  // inclusive
    qint64 untilMs = 0; // exclusive; 0 = no upper bound
};

// Newest first; `limit` rows after skipping `offset`. Reads on `db` (the caller's connection).
QList<TransferRecord> query(QSqlDatabase db, const Filter &filter, int limit, int offset,
                            QString *error);

} // namespace TransferLog
} // namespace Dcs
