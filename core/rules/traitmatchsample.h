#pragma once

#include "dcs/signaldecoder.h"
#include "rules/traitrule.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <atomic>

namespace Dcs {

// The trait editor's "sample of matching events": the newest stored events a draft rule
// matches, each with the signals that made it match, so the analyst sees what the rule catches.

struct TraitMatchedEvent
{
    QString uuid;
    qint64 timeMs = 0;
    QList<Signal> signalList; // every stored signal of the event, in stored order
    // Per key, the values that satisfied a comparison of the rule that held and counted for
    // the match (comparisons under a NOT never do), in rule order.
    QList<Signal> matched;

    friend bool operator==(const TraitMatchedEvent &, const TraitMatchedEvent &) = default;
};

struct TraitMatchSampleResult
{
    QList<TraitMatchedEvent> events; // newest first
    qint64 eventsRead = 0;
    bool cancelled = false;
};

namespace TraitMatchSample {

inline constexpr int DefaultLimit = 20;

// The matched signals of one call: see TraitMatchedEvent::matched.
QList<Signal> matchedSignals(const CompiledTraitRule &rule, const RuleSignals &signalSet);

// The newest `limit` events in [fromMs, toMs] the rule matches (reads newest first and stops
// there; a rare rule reads the whole range). `cancel` stops it within a few thousand rows.
bool newest(QSqlDatabase db, const CompiledTraitRule &rule, qint64 fromMs, qint64 toMs,
            TraitMatchSampleResult *result, QString *error, int limit = DefaultLimit,
            const std::atomic<bool> *cancel = nullptr);

} // namespace TraitMatchSample
} // namespace Dcs
