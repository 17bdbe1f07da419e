#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <atomic>

namespace Dcs {

// The signal keys the event log actually holds, for the trait editor's completion: each key
// with how many of the newest events carried it and its most frequent values. Reads the newest
// `eventLimit` events (newest first, through events_by_time) on the caller's connection: run it
// off the GUI thread.

struct SignalValueCount
{
    QString value;
    qint64 events = 0;

    friend bool operator==(const SignalValueCount &, const SignalValueCount &) = default;
};

struct SignalKeyStat
{
    QString key;
    qint64 events = 0;                   // events that carried the key (with a value)
    QList<SignalValueCount> topValues;   // most frequent first, then by value
    bool numeric = false;                // every value seen reads as a decimal number

    friend bool operator==(const SignalKeyStat &, const SignalKeyStat &) = default;
};

struct SignalKeyStatsResult
{
    QList<SignalKeyStat> keys; // most frequent first, then by key
    qint64 eventsRead = 0;
    bool cancelled = false;
};

namespace SignalKeyStats {

inline constexpr qint64 DefaultEventLimit = 50'000;
inline constexpr int DefaultTopValues = 10;
// Distinct values tracked per key: a key with more (a URL, an order ID) has its counts taken
// over the values seen first, which are the newest; the top values of such a key are rare anyway.
inline constexpr int MaxTrackedValuesPerKey = 5000;

// Events with ts_ms <= nowMs, newest first, at most `eventLimit` of them. p_ keys never count.
bool collect(QSqlDatabase db, qint64 nowMs, SignalKeyStatsResult *result, QString *error,
             qint64 eventLimit = DefaultEventLimit, int topValues = DefaultTopValues,
             const std::atomic<bool> *cancel = nullptr);

} // namespace SignalKeyStats
} // namespace Dcs
