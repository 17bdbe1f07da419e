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

// How many events scanEvents() would visit (index only: a small fraction of the scan's cost).
bool countEvents(QSqlDatabase db, qint64 fromMs, qint64 toMs, qint64 *count, QString *error);

// Rows in the visitors table: the denominator of the segment preview's progress.
bool countVisitors(QSqlDatabase db, qint64 *count, QString *error);

} // namespace PreviewStore
} // namespace Dcs
