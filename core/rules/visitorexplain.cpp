#include "visitorexplain.h"

#include "storage/explainstore.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <algorithm>
#include <map>

namespace Dcs {

using namespace Qt::StringLiterals;

namespace {

// Enough candidate instants for any realistic profile: this is one visitor for a person
// reading, not the live path, so an exact answer is worth more steps than the default.
constexpr int ExplainMaxSteps = 4096;

QString triggerKindName(RealizationTrigger::Kind kind)
{
    switch (kind) {
    case RealizationTrigger::Kind::Signals: return u"signals"_s;
    case RealizationTrigger::Kind::DirectSid: return u"d_sid"_s;
    case RealizationTrigger::Kind::PartnerCode: return u"partner"_s;
    case RealizationTrigger::Kind::Unrecorded: break;
    }
    return u"unrecorded"_s;
}

QString segmentNodeKindName(SegmentNodeKind kind)
{
    switch (kind) {
    case SegmentNodeKind::Trait: return u"trait"_s;
    case SegmentNodeKind::Frequency: return u"frequency"_s;
    case SegmentNodeKind::Not: return u"not"_s;
    case SegmentNodeKind::And: return u"and"_s;
    case SegmentNodeKind::Or: return u"or"_s;
    }
    return QString();
}

QString quotedValue(const QString &value)
{
    if (RuleValue::readsAsNumber(value))
        return value;
    QString escaped = value;
    escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
    return u'"' + escaped + u'"';
}

QString comparisonText(const TraitRuleNode &node)
{
    return node.key + u' ' + TraitRule::operatorText(node.op) + u' ' + quotedValue(node.value);
}

QString traitNodeText(const QList<TraitRuleNode> &nodes, qsizetype index)
{
    return traitRuleNodeText(nodes.at(index));
}

QJsonValue timeJson(qint64 ms)
{
    return explainTime(ms);
}

QJsonValue optionalTimeJson(const std::optional<qint64> &ms)
{
    return ms ? QJsonValue(explainTime(*ms)) : QJsonValue(QJsonValue::Null);
}

QJsonObject traitNodeJson(const TraitRuleExplanation &rule, qsizetype index)
{
    const TraitRuleNode &node = rule.nodes.at(index);
    const TraitRuleNodeResult &result = rule.results.at(index);
    QJsonObject object{{u"part"_s, traitNodeText(rule.nodes, index)}, {u"holds"_s, result.holds}};
    if (node.kind == TraitRuleNode::Kind::Comparison) {
        object.insert(u"keyPresent"_s, result.keyPresent);
        object.insert(u"matchingValues"_s, QJsonArray::fromStringList(result.matchingValues));
    } else {
        QJsonArray parts;
        for (const int child : node.children)
            parts.append(traitNodeJson(rule, child));
        object.insert(u"parts"_s, parts);
    }
    return object;
}

QJsonObject segmentNodeJson(const SegmentExplanation &node)
{
    QJsonObject object{{u"part"_s, node.text},
                       {u"kind"_s, segmentNodeKindName(node.kind)},
                       {u"holds"_s, node.holds},
                       {u"changesAt"_s, timeJson(node.change.atMs)},
                       {u"changeExact"_s, node.change.exact}};
    if (node.kind == SegmentNodeKind::Trait || node.kind == SegmentNodeKind::Frequency) {
        object.insert(u"count"_s, node.count);
        object.insert(u"windowFrom"_s, node.windowFromMs == SegmentExplanation::Unbounded
                                           ? QJsonValue(u"unbounded"_s)
                                           : timeJson(node.windowFromMs));
        object.insert(u"windowTo"_s, timeJson(node.windowToMs));
    }
    if (!node.children.isEmpty()) {
        QJsonArray parts;
        for (const SegmentExplanation &child : node.children)
            parts.append(segmentNodeJson(child));
        object.insert(u"parts"_s, parts);
    }
    return object;
}

QJsonObject triggerJson(const RealizationTrigger &trigger)
{
    QJsonObject object{{u"kind"_s, triggerKindName(trigger.kind)}};
    switch (trigger.kind) {
    case RealizationTrigger::Kind::Signals: {
        QJsonObject values;
        for (const Signal &signal : trigger.signalValues)
            values.insert(signal.key, QJsonArray::fromStringList(signal.values));
        object.insert(u"signals"_s, values);
        break;
    }
    case RealizationTrigger::Kind::DirectSid:
        object.insert(u"d_sid"_s, trigger.directSid);
        break;
    case RealizationTrigger::Kind::PartnerCode:
        object.insert(u"dpid"_s, trigger.partnerDpid);
        object.insert(u"code"_s, trigger.code);
        break;
    case RealizationTrigger::Kind::Unrecorded:
        break;
    }
    return object;
}

void appendTraitNodeText(const TraitRuleExplanation &rule, qsizetype index, int depth,
                         QStringList &lines)
{
    const TraitRuleNode &node = rule.nodes.at(index);
    const TraitRuleNodeResult &result = rule.results.at(index);
    QString line = QString(depth * 2, u' ') + traitNodeText(rule.nodes, index) + u": "_s
                   + (result.holds ? u"holds"_s : u"fails"_s);
    if (node.kind == TraitRuleNode::Kind::Comparison) {
        if (!result.keyPresent)
            line += u" (key absent)"_s;
        else if (!result.matchingValues.isEmpty())
            line += u" (" + result.matchingValues.join(u", "_s) + u')';
    }
    lines.append(line);
    for (const int child : node.children)
        appendTraitNodeText(rule, child, depth + 1, lines);
}

void appendSegmentNodeText(const SegmentExplanation &node, int depth, QStringList &lines)
{
    QString line = QString(depth * 2, u' ') + node.text + u": "_s
                   + (node.holds ? u"holds"_s : u"fails"_s);
    if (node.kind == SegmentNodeKind::Trait || node.kind == SegmentNodeKind::Frequency)
        line += u", count %1"_s.arg(node.count);
    line += u", changes "_s
            + (node.change.atMs == Realization::Never ? u"never"_s
                                                       : u"at "_s + explainTime(node.change.atMs));
    lines.append(line);
    for (const SegmentExplanation &child : node.children)
        appendSegmentNodeText(child, depth + 1, lines);
}

QString changeKindName(MembershipChange::Kind kind)
{
    return kind == MembershipChange::Kind::Join ? u"join"_s : u"leave"_s;
}

RuleSignals signalsOf(const RealizationTrigger &trigger)
{
    // `ic` is stored like a signal but rules read it as the partner codes (RuleSignals drops an
    // `ic` among the signals), so it goes back where the call had it.
    QList<Signal> callSignals;
    QStringList partnerCodes;
    for (const Signal &signal : trigger.signalValues) {
        if (signal.key == QLatin1String("ic"))
            partnerCodes += signal.values;
        else
            callSignals.append(signal);
    }
    return RuleSignals(callSignals, partnerCodes);
}

ExplainedRealization explainRealization(const StoredRealizationRow &row,
                                        const RulesSnapshot::RuleTrait *ruleTrait)
{
    ExplainedRealization explained;
    explained.traitSid = row.traitSid;
    explained.timeMs = row.timeMs;
    explained.expiresMs = row.expiresMs;
    explained.source = row.source;
    explained.tid = row.tid;
    explained.trigger = RealizationTrigger::fromDetailJson(row.detail);
    if (ruleTrait && explained.trigger.kind == RealizationTrigger::Kind::Signals) {
        TraitRuleExplanation rule;
        rule.ruleText = ruleTrait->rule->print();
        rule.nodes = ruleTrait->rule->nodes();
        rule.results = ruleTrait->rule->explain(signalsOf(explained.trigger));
        explained.rule = rule;
    }
    return explained;
}

void explainTraits(const RulesSnapshot &rules, const StoredVisitor &stored, qint64 nowMs,
                   VisitorExplanation &result)
{
    QHash<qint64, const RulesSnapshot::RuleTrait *> ruleTraits;
    for (const RulesSnapshot::RuleTrait &ruleTrait : rules.ruleTraits())
        ruleTraits.insert(ruleTrait.sid, &ruleTrait);

    std::map<qint64, ExplainedTrait> traits; // by sid
    for (const StoredRealizationRow &row : stored.realizations) {
        if (row.timeMs > nowMs)
            continue; // stamped later: not held yet (segments still see it coming)
        const RulesSnapshot::TraitEntry *entry = rules.trait(row.traitSid);
        ExplainedTrait &trait = traits[row.traitSid];
        if (trait.sid == 0) {
            trait.sid = row.traitSid;
            trait.name = row.traitName;
            trait.inRules = entry != nullptr;
            if (entry)
                trait.type = entry->type;
            else
                traitTypeFromName(row.traitType, &trait.type);
        }
        const ExplainedRealization explained =
            explainRealization(row, ruleTraits.value(row.traitSid));
        trait.realizations.append(explained);
        for (const qint64 folderSid : rules.foldersContaining(row.traitSid)) {
            ExplainedTrait &folderTrait = traits[folderSid];
            if (folderTrait.sid == 0) {
                folderTrait.sid = folderSid;
                folderTrait.name = stored.folderTraitNames.value(folderSid);
                folderTrait.type = Trait::Type::Folder;
                folderTrait.inRules = true;
            }
            folderTrait.realizations.append(explained);
        }
    }
    for (auto &[sid, trait] : traits) {
        std::stable_sort(trait.realizations.begin(), trait.realizations.end(),
                         [](const ExplainedRealization &a, const ExplainedRealization &b) {
                             return a.timeMs < b.timeMs;
                         });
        result.traits.append(std::move(trait));
    }
}

void explainSegments(const RulesSnapshot &rules, const StoredVisitor &stored, qint64 nowMs,
                     VisitorExplanation &result)
{
    QList<StoredRealization> realizations;
    realizations.reserve(stored.realizations.size());
    for (const StoredRealizationRow &row : stored.realizations)
        realizations.append({row.traitSid, Realization{row.timeMs, row.expiresMs}});
    const VisitorRealizations current(
        rules, std::span<const StoredRealization>(realizations.constData(),
                                                  size_t(realizations.size())));

    QHash<qint64, qint64> memberSince;
    for (const HeldMembership &membership : stored.memberships)
        memberSince.insert(membership.segmentSid, membership.sinceMs);

    for (const RulesSnapshot::SnapshotSegment &segment : rules.segments()) {
        ExplainedSegment explained;
        explained.sid = segment.sid;
        explained.name = stored.segmentNames.value(segment.sid);
        explained.ruleText = segment.rule.toString();
        explained.rule = segment.rule.explain(current, nowMs, ExplainMaxSteps);
        explained.holds = explained.rule.holds;
        explained.change = explained.rule.change;
        if (memberSince.contains(segment.sid))
            explained.memberSinceMs = memberSince.take(segment.sid);
        result.segments.append(explained);
    }
    // Memberships of segments the rules no longer have: the sweeper drops them at once.
    for (const HeldMembership &membership : stored.memberships) {
        if (!memberSince.contains(membership.segmentSid))
            continue;
        ExplainedSegment explained;
        explained.sid = membership.segmentSid;
        explained.name = stored.segmentNames.value(membership.segmentSid);
        explained.inRules = false;
        explained.memberSinceMs = membership.sinceMs;
        explained.change = SegmentChange{nowMs, true};
        result.segments.append(explained);
    }
}

} // namespace

RealizationTrigger RealizationTrigger::fromDetailJson(const QString &json)
{
    RealizationTrigger trigger;
    const QJsonObject detail = QJsonDocument::fromJson(json.toUtf8()).object();
    if (detail.contains(u"signals"_s)) {
        trigger.kind = Kind::Signals;
        const QJsonObject values = detail.value(u"signals"_s).toObject();
        for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
            Signal signal{it.key(), {}};
            const QJsonArray array = it.value().toArray();
            for (const QJsonValue &value : array)
                signal.values.append(value.toString());
            trigger.signalValues.append(signal);
        }
    } else if (detail.contains(u"d_sid"_s)) {
        trigger.kind = Kind::DirectSid;
        trigger.directSid = detail.value(u"d_sid"_s).toVariant().toString();
    } else if (detail.contains(u"dpid"_s)) {
        trigger.kind = Kind::PartnerCode;
        trigger.partnerDpid = detail.value(u"dpid"_s).toVariant().toLongLong();
        trigger.code = detail.value(u"code"_s).toString();
    }
    return trigger;
}

QString RealizationTrigger::describe() const
{
    switch (kind) {
    case Kind::Signals: {
        QStringList parts;
        for (const Signal &signal : signalValues)
            parts.append(signal.key + u'=' + signal.values.join(u'|'));
        return parts.isEmpty() ? u"no signal values recorded"_s : parts.join(u", "_s);
    }
    case Kind::DirectSid: return u"d_sid="_s + directSid;
    case Kind::PartnerCode: return u"partner %1 code %2"_s.arg(partnerDpid).arg(code);
    case Kind::Unrecorded: break;
    }
    return u"not recorded"_s;
}

const ExplainedTrait *VisitorExplanation::trait(qint64 sid) const
{
    for (const ExplainedTrait &explained : traits) {
        if (explained.sid == sid)
            return &explained;
    }
    return nullptr;
}

const ExplainedSegment *VisitorExplanation::segment(qint64 sid) const
{
    for (const ExplainedSegment &explained : segments) {
        if (explained.sid == sid)
            return &explained;
    }
    return nullptr;
}

QJsonObject VisitorExplanation::toJson() const
{
    QJsonArray traitArray;
    for (const ExplainedTrait &explained : traits) {
        QJsonArray realizationArray;
        for (const ExplainedRealization &realization : explained.realizations) {
            QJsonObject object{{u"trait"_s, realization.traitSid},
                               {u"time"_s, timeJson(realization.timeMs)},
                               {u"expires"_s, timeJson(realization.expiresMs)},
                               {u"source"_s, realization.source},
                               {u"tid"_s, realization.tid},
                               {u"realizedBy"_s, triggerJson(realization.trigger)}};
            if (realization.rule) {
                QJsonObject rule{{u"text"_s, realization.rule->ruleText},
                                 {u"holds"_s, realization.rule->holds()}};
                if (!realization.rule->nodes.isEmpty())
                    rule.insert(u"evaluation"_s, traitNodeJson(*realization.rule, 0));
                object.insert(u"rule"_s, rule);
            }
            realizationArray.append(object);
        }
        traitArray.append(QJsonObject{{u"sid"_s, explained.sid},
                                      {u"name"_s, explained.name},
                                      {u"type"_s, traitTypeName(explained.type)},
                                      {u"inRules"_s, explained.inRules},
                                      {u"realizations"_s, realizationArray}});
    }

    QJsonArray segmentArray;
    for (const ExplainedSegment &explained : segments) {
        QJsonObject object{{u"sid"_s, explained.sid},
                           {u"name"_s, explained.name},
                           {u"inRules"_s, explained.inRules},
                           {u"holds"_s, explained.holds},
                           {u"memberSince"_s, optionalTimeJson(explained.memberSinceMs)},
                           {u"membershipOutOfDate"_s, explained.membershipOutOfDate()},
                           {explained.holds ? u"willLeave"_s : u"willJoin"_s,
                            timeJson(explained.change.atMs)},
                           {u"changeExact"_s, explained.change.exact}};
        if (explained.inRules) {
            object.insert(u"rule"_s, explained.ruleText);
            object.insert(u"evaluation"_s, segmentNodeJson(explained.rule));
        }
        segmentArray.append(object);
    }

    QJsonArray changeArray;
    for (const ExplainedMembershipChange &change : recentChanges) {
        changeArray.append(QJsonObject{{u"segment"_s, change.segmentSid},
                                       {u"segmentName"_s, change.segmentName},
                                       {u"time"_s, timeJson(change.atMs)},
                                       {u"change"_s, changeKindName(change.kind)},
                                       {u"cause"_s, change.cause}});
    }

    return QJsonObject{{u"uuid"_s, uuid},
                       {u"now"_s, timeJson(nowMs)},
                       {u"known"_s, known},
                       {u"firstSeen"_s, optionalTimeJson(firstSeenMs)},
                       {u"lastSeen"_s, optionalTimeJson(lastSeenMs)},
                       {u"optedOut"_s, optionalTimeJson(optedOutMs)},
                       {u"traits"_s, traitArray},
                       {u"segments"_s, segmentArray},
                       {u"recentChanges"_s, changeArray}};
}

QString VisitorExplanation::toText() const
{
    QStringList lines;
    lines.append(u"Visitor %1 at %2"_s.arg(uuid, explainTime(nowMs)));
    if (!known) {
        lines.append(u"Nothing is stored about this visitor."_s);
        return lines.join(u'\n') + u'\n';
    }
    if (optedOutMs)
        lines.append(u"Opted out at "_s + explainTime(*optedOutMs));

    lines.append(u"Traits held: %1"_s.arg(traits.size()));
    for (const ExplainedTrait &explained : traits) {
        lines.append(u"  %1T \"%2\" (%3)"_s.arg(explained.sid)
                         .arg(explained.name, traitTypeName(explained.type)));
        for (const ExplainedRealization &realization : explained.realizations) {
            QString line = u"    %1 by %2"_s.arg(explainTime(realization.timeMs),
                                                 realization.source);
            if (realization.traitSid != explained.sid)
                line += u" of %1T"_s.arg(realization.traitSid);
            if (!realization.tid.isEmpty())
                line += u" (tid %1)"_s.arg(realization.tid);
            line += u", expires %1: %2"_s.arg(explainTime(realization.expiresMs),
                                              realization.trigger.describe());
            lines.append(line);
            if (realization.rule && !realization.rule->nodes.isEmpty()) {
                QStringList ruleLines;
                appendTraitNodeText(*realization.rule, 0, 3, ruleLines);
                lines += ruleLines;
            }
        }
    }

    lines.append(u"Segments: %1"_s.arg(segments.size()));
    for (const ExplainedSegment &explained : segments) {
        QString line = u"  %1 \"%2\": "_s.arg(explained.sid).arg(explained.name);
        line += explained.holds ? u"holds"_s : u"does not hold"_s;
        if (explained.memberSinceMs)
            line += u", member since "_s + explainTime(*explained.memberSinceMs);
        if (explained.membershipOutOfDate())
            line += u" (membership not updated yet)"_s;
        if (!explained.inRules)
            line += u", no longer active"_s;
        line += explained.holds ? u", will leave "_s : u", will join "_s;
        line += explained.change.atMs == Realization::Never
                    ? u"never"_s
                    : u"at "_s + explainTime(explained.change.atMs);
        if (!explained.change.exact)
            line += u" or later"_s;
        lines.append(line);
        if (explained.inRules)
            appendSegmentNodeText(explained.rule, 2, lines);
    }

    lines.append(u"Recent membership changes: %1"_s.arg(recentChanges.size()));
    for (const ExplainedMembershipChange &change : recentChanges) {
        lines.append(u"  %1 %2 %3 \"%4\" (%5)"_s.arg(explainTime(change.atMs),
                                                     changeKindName(change.kind))
                         .arg(change.segmentSid)
                         .arg(change.segmentName, change.cause));
    }
    return lines.join(u'\n') + u'\n';
}

QString traitRuleNodeText(const TraitRuleNode &node)
{
    switch (node.kind) {
    case TraitRuleNode::Kind::Comparison: return comparisonText(node);
    case TraitRuleNode::Kind::Not: return u"NOT"_s;
    case TraitRuleNode::Kind::And: return u"AND"_s;
    case TraitRuleNode::Kind::Or: return u"OR"_s;
    }
    return QString();
}

QString explainTime(qint64 ms)
{
    if (ms == Realization::Never)
        return u"never"_s;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

VisitorExplanation explainVisitor(QSqlDatabase db, const RulesSnapshot &rules,
                                  const QString &uuid, qint64 nowMs, QString *error,
                                  int recentChangeLimit)
{
    VisitorExplanation result;
    result.uuid = uuid;
    result.nowMs = nowMs;
    StoredVisitor stored;
    if (!ExplainStore::readVisitor(db, uuid, nowMs, recentChangeLimit, &stored, error))
        return result;
    if (stored.isEmpty())
        return result;
    result.known = true;
    result.firstSeenMs = stored.firstSeenMs;
    result.lastSeenMs = stored.lastSeenMs;
    result.optedOutMs = stored.optedOutMs;
    explainTraits(rules, stored, nowMs, result);
    explainSegments(rules, stored, nowMs, result);
    for (const StoredMembershipChange &change : stored.recentChanges) {
        result.recentChanges.append({change.segmentSid,
                                     stored.segmentNames.value(change.segmentSid), change.atMs,
                                     change.kind, change.cause});
    }
    return result;
}

} // namespace Dcs
