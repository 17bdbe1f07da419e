#pragma once

#include "transfer/transferrecord.h"

#include <QList>
#include <QMutex>
#include <QPointF>

#include <memory>

namespace Dcs {

// The live charts' data: per-second points kept at three resolutions in fixed memory (the
// multi-resolution buffers of qBittorrent's speed graph):
//
//   Window         point period   points   covers
//   Last5Minutes   1 s            300      5 min
//   Last30Minutes  5 s            360      30 min
//   Last60Minutes  10 s           360      60 min
//
// Periods are aligned to the epoch (a 5 s point covers seconds 0-4, 5-9, ... of the minute). A
// point appears when its period is over, so the newest point of the 5-minute window is the last
// complete second. A point's x is the start of its period in ms since the epoch; its y is:
// - EventsPerSecond: recordEvent() calls in the period / the period's seconds;
// - EventLatencyP50Ms / EventLatencyP99Ms: the visitor latency (recordEvent()'s latencyUs) at
//   that quantile over every event of the period, in ms, at LatencyBins' precision (within 1.6%)
//   — no point for a period without events;
// - outcomePoints(outcome): partner attempts with that outcome per second, all partners
//   together, the attempts that were not called (skipped, circuit-open, ...) included;
// - partnerP99Points(partnerId): the partner's latency (TransferRecord::totalUs) at p99 over its
//   called attempts of the period, in ms — no point for a period without one.
// Rates and percentiles of a coarse point are computed over its whole period (percentiles from
// the merged histogram, never averaged). The first period after the series start may be
// partial: its rates divide by the seconds it actually covered.
//
// Time comes from the callers (nowMs): every call advances the series to its second, closing
// the periods that ended (periods without samples give rates of 0). A sample stamped before the
// open second — a thread that read the clock just before another one moved the series on —
// counts in the open second. After more than an hour without any call the series restart empty.
//
// One mutex guards everything: a record holds it for a few increments; the call that starts a
// new second also closes the previous one (a few microseconds); points() copies at most 360
// values. The QList<QPointF> goes to QLineSeries::replace() as is.
class MonitorSeries
{
public:
    enum class Metric { EventsPerSecond, EventLatencyP50Ms, EventLatencyP99Ms };
    enum class Window { Last5Minutes, Last30Minutes, Last60Minutes };

    static int periodSeconds(Window window); // 1, 5, 10
    static int pointCount(Window window);    // 300, 360, 360

    MonitorSeries();
    ~MonitorSeries();
    Q_DISABLE_COPY_MOVE(MonitorSeries)

    // One answered /event and its latency (visitor's view), from any thread.
    void recordEvent(qint64 latencyUs, qint64 nowMs);
    // One partner attempt, from any thread. A partner appears with its first attempt.
    void recordTransfer(qint64 partnerId, TransferOutcome outcome, qint64 totalUs, qint64 nowMs);

    // Oldest first; at most pointCount(window) points.
    QList<QPointF> points(Metric metric, Window window, qint64 nowMs) const;
    QList<QPointF> outcomePoints(TransferOutcome outcome, Window window, qint64 nowMs) const;
    QList<QPointF> partnerP99Points(qint64 partnerId, Window window, qint64 nowMs) const;

    QList<qint64> partnerIds() const; // ascending
    void removePartner(qint64 partnerId);
    void clear(); // every point and partner; the next call starts the series again

private:
    struct State; // in the .cpp

    mutable QMutex m_mutex;
    // Changed by the const readers too, under m_mutex: reading at a later nowMs closes the
    // periods that ended, as recording would.
    const std::unique_ptr<State> m_state;
};

} // namespace Dcs
