#pragma once

#include <QByteArrayView>
#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace Dcs {

// The reads behind the editors' live previews (rules/traitpreview.h, rules/segmentpreview.h).
// The event scan steps SQLite's statement on the raw handle and hands out the row's bytes
// without copying them: the trait preview's budget is twice the time SQLite needs to read the
// rows, and a QVariant plus a QString per column would spend most of it.
namespace PreviewStore {

// One events row, valid only during the visitor call that receives it.
struct EventRowView
{
    QByteArrayView uuid;
    qint64 timeMs = 0;
    QByteArrayView signalsJson; // the signals column as stored: {"key":["v1","v2"],...}
};

// One events row for replay: the row's bytes, valid only during the visitor call.
struct ReplayEventRowView
{
    qint64 id = 0;
    qint64 timeMs = 0;
    QByteArrayView tid;
    QByteArrayView uuid;
    QByteArrayView signalsJson;
};
using ReplayEventRowVisitor = std::function<void(const ReplayEventRowView &row)>;

// Returns false to stop the scan early (cancelled); the scan then still reports success.
using EventRowVisitor = std::function<bool(const EventRowView &row)>;

// Events with fromMs <= ts_ms <= toMs, through events_by_time, in ts_ms order.
bool scanEvents(QSqlDatabase db, qint64 fromMs, qint64 toMs, const EventRowVisitor &visit,
                QString *error);

// The same in either order. Newest first serves the trait editor's sample of matching events
// and the signal keys seen lately, which stop after the newest rows they need.
enum class ScanOrder : quint8 { OldestFirst, NewestFirst };
bool scanEvents(QSqlDatabase db, qint64 fromMs, qint64 toMs, ScanOrder order,
                const EventRowVisitor &visit, QString *error);

// One page of replay's scan: at most `limit` events after (afterMs, afterId) in (ts_ms, id)
// order with ts_ms <= toMs, through events_by_time (keyset paging: each page is a short read,
// so a long replay never pins one snapshot and the WAL can be checkpointed meanwhile).
// `rowsVisited` gets the number of rows; fewer than `limit` means the scan is over.
bool scanEventPage(QSqlDatabase db, qint64 afterMs, qint64 afterId, qint64 toMs, int limit,
                   const ReplayEventRowVisitor &visit, int *rowsVisited, QString *error);

// One trait_realizations row for the segment preview: valid only during the visitor call.
struct RealizationRowView
{
    QByteArrayView uuid;
    qint64 traitSid = 0;
    qint64 timeMs = 0;
    qint64 expiresMs = 0; // Realization::Never for NULL
};
using RealizationRowVisitor = std::function<bool(const RealizationRowView &row)>;

// The realizations of `traitSids` unexpired at nowMs, in (uuid, trait_sid, ts_ms) order: one
// pass over the covering index realizations_by_visitor, on SQLite's own handle. `visit`
// returns false to stop early (the scan still reports success).
bool scanRealizations(QSqlDatabase db, const QList<qint64> &traitSids, qint64 nowMs,
                      const RealizationRowVisitor &visit, QString *error);

// The smallest and largest uuid holding any realization (two index seeks), for progress.
bool realizationUuidRange(QSqlDatabase db, QByteArray *first, QByteArray *last, QString *error);

// How many events scanEvents() would visit (index only: a small fraction of the scan's cost).
bool countEvents(QSqlDatabase db, qint64 fromMs, qint64 toMs, qint64 *count, QString *error);

} // namespace PreviewStore
} // namespace Dcs
