#include "rules/traitmatchsample.h"

#include "rules/rulesignals.h"
#include "rules/traitpreview.h"
#include "storage/previewstore.h"

#include <algorithm>

namespace Dcs::TraitMatchSample {

namespace {

constexpr qint64 RowsPerCheck = 4096;

} // namespace

QList<Signal> matchedSignals(const CompiledTraitRule &rule, const RuleSignals &signalSet)
{
    const QList<TraitRuleNode> &nodes = rule.nodes();
    const QList<TraitRuleNodeResult> results = rule.explain(signalSet);
    // Pre-order: a parent comes before its children, so "under a NOT" flows down in one pass.
    QList<bool> negated(nodes.size(), false);
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        const bool below = negated.at(i) || nodes.at(i).kind == TraitRuleNode::Kind::Not;
        for (const int child : nodes.at(i).children)
            negated[child] = below;
    }
    QList<Signal> matched;
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        const TraitRuleNode &node = nodes.at(i);
        if (node.kind != TraitRuleNode::Kind::Comparison || negated.at(i)
            || !results.at(i).holds)
            continue;
        auto existing = std::find_if(matched.begin(), matched.end(),
                                     [&node](const Signal &s) { return s.key == node.key; });
        if (existing == matched.end()) {
            matched.append(Signal{node.key, {}});
            existing = matched.end() - 1;
        }
        for (const QString &value : results.at(i).matchingValues) {
            if (!existing->values.contains(value))
                existing->values.append(value);
        }
    }
    return matched;
}

bool newest(QSqlDatabase db, const CompiledTraitRule &rule, qint64 fromMs, qint64 toMs,
            TraitMatchSampleResult *result, QString *error, int limit,
            const std::atomic<bool> *cancel)
{
    *result = {};
    if (limit <= 0)
        return true;
    QList<Signal> parsed;
    RuleSignals ruleSignals;
    return PreviewStore::scanEvents(
        db, fromMs, toMs, PreviewStore::ScanOrder::NewestFirst,
        [&](const PreviewStore::EventRowView &row) {
            if (++result->eventsRead % RowsPerCheck == 0 && cancel
                && cancel->load(std::memory_order_relaxed)) {
                result->cancelled = true;
                return false;
            }
            // Every key: the event is shown whole. p_ keys never reach the log; one that did
            // is dropped, never shown.
            TraitPreview::parseSignalsJson(row.signalsJson, nullptr, &parsed);
            parsed.removeIf([](const Signal &s) { return SignalDecoder::isPrivateKey(s.key); });
            ruleSignals.setSignals(parsed);
            if (!rule.matches(ruleSignals))
                return true;
            result->events.append({QString::fromUtf8(row.uuid), row.timeMs, parsed,
                                   matchedSignals(rule, ruleSignals)});
            return result->events.size() < limit;
        },
        error);
}

} // namespace Dcs::TraitMatchSample
