#include "rules/signalkeystats.h"

#include "dcs/signaldecoder.h"
#include "rules/rulesignals.h"
#include "rules/traitpreview.h"
#include "storage/previewstore.h"

#include <QHash>

#include <algorithm>
#include <limits>

namespace Dcs::SignalKeyStats {

namespace {

constexpr qint64 RowsPerCheck = 4096;

struct KeyCounts
{
    qint64 events = 0;
    bool numeric = true;
    QHash<QString, qint64> values;
};

} // namespace

bool collect(QSqlDatabase db, qint64 nowMs, SignalKeyStatsResult *result, QString *error,
             qint64 eventLimit, int topValues, const std::atomic<bool> *cancel)
{
    *result = {};
    QHash<QString, KeyCounts> byKey;
    QList<Signal> parsed;
    const bool scanned = PreviewStore::scanEvents(
        db, std::numeric_limits<qint64>::min(), nowMs, PreviewStore::ScanOrder::NewestFirst,
        [&](const PreviewStore::EventRowView &row) {
            if (result->eventsRead >= eventLimit)
                return false;
            if (++result->eventsRead % RowsPerCheck == 0 && cancel
                && cancel->load(std::memory_order_relaxed)) {
                result->cancelled = true;
                return false;
            }
            TraitPreview::parseSignalsJson(row.signalsJson, nullptr, &parsed);
            for (const Signal &signal : std::as_const(parsed)) {
                if (signal.values.isEmpty() || SignalDecoder::isPrivateKey(signal.key))
                    continue;
                KeyCounts &counts = byKey[signal.key];
                ++counts.events;
                // A value repeated on one call counts once for that call.
                for (qsizetype i = 0; i < signal.values.size(); ++i) {
                    const QString &value = signal.values.at(i);
                    if (signal.values.indexOf(value) != i)
                        continue;
                    counts.numeric = counts.numeric && RuleValue::readsAsNumber(value);
                    const auto found = counts.values.find(value);
                    if (found != counts.values.end())
                        ++found.value();
                    else if (counts.values.size() < MaxTrackedValuesPerKey)
                        counts.values.insert(value, 1);
                }
            }
            return true;
        },
        error);
    if (!scanned)
        return false;
    if (result->cancelled)
        return true;

    for (auto it = byKey.cbegin(); it != byKey.cend(); ++it) {
        SignalKeyStat stat;
        stat.key = it.key();
        stat.events = it->events;
        stat.numeric = it->numeric;
        for (auto value = it->values.cbegin(); value != it->values.cend(); ++value)
            stat.topValues.append({value.key(), value.value()});
        std::sort(stat.topValues.begin(), stat.topValues.end(),
                  [](const SignalValueCount &a, const SignalValueCount &b) {
                      return a.events != b.events ? a.events > b.events : a.value < b.value;
                  });
        if (stat.topValues.size() > topValues)
            stat.topValues.resize(topValues);
        result->keys.append(stat);
    }
    std::sort(result->keys.begin(), result->keys.end(),
              [](const SignalKeyStat &a, const SignalKeyStat &b) {
                  return a.events != b.events ? a.events > b.events : a.key < b.key;
              });
    return true;
}

} // namespace Dcs::SignalKeyStats
