#include "segmentrulegroups.h"

#include <QCoreApplication>

namespace Dcs {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::SegmentRuleGroups", text);
}

SegmentGroupJoin joinOf(SegmentNodeKind kind)
{
    return kind == SegmentNodeKind::And ? SegmentGroupJoin::And : SegmentGroupJoin::Or;
}

bool isJunction(const SegmentRulePart &part)
{
    return part.kind == SegmentNodeKind::And || part.kind == SegmentNodeKind::Or;
}

SegmentRule ruleOf(const SegmentRulePart &part)
{
    switch (part.kind) {
    case SegmentNodeKind::Trait: return SegmentRule::trait(part.traitSid);
    case SegmentNodeKind::Frequency: return SegmentRule::frequency(part.frequency);
    case SegmentNodeKind::Not: return SegmentRule::negation(ruleOf(part.operands.constFirst()));
    case SegmentNodeKind::And:
    case SegmentNodeKind::Or: {
        QList<SegmentRule> operands;
        for (const SegmentRulePart &operand : part.operands)
            operands.append(ruleOf(operand));
        return part.kind == SegmentNodeKind::And ? SegmentRule::allOf(operands)
                                                 : SegmentRule::anyOf(operands);
    }
    }
    return {};
}

// The rule text of a part, for the reasons: rebuilt from the tree, so it reads canonically.
QString textOf(const SegmentRulePart &part)
{
    return ruleOf(part).toString();
}

std::optional<SegmentGroupItem> itemFrom(const SegmentRulePart &part, QString *whyNot)
{
    switch (part.kind) {
    case SegmentNodeKind::Trait: return SegmentGroupItem::trait(part.traitSid);
    case SegmentNodeKind::Frequency: return SegmentGroupItem::frequency(part.frequency);
    case SegmentNodeKind::Not:
        *whyNot = tr("\"%1\" is a NOT inside a group; the visual view negates whole groups only")
                      .arg(textOf(part));
        return std::nullopt;
    case SegmentNodeKind::And:
    case SegmentNodeKind::Or:
        *whyNot = tr("\"%1\" nests parentheses three levels deep; the visual view has groups "
                     "of traits, not groups of groups")
                      .arg(textOf(part));
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<SegmentGroup> groupFrom(const SegmentRulePart &whole, QString *whyNot)
{
    SegmentGroup group;
    const SegmentRulePart *part = &whole;
    if (part->kind == SegmentNodeKind::Not) {
        group.negated = true;
        part = &part->operands.constFirst();
        if (part->kind == SegmentNodeKind::Not) {
            *whyNot = tr("\"%1\" negates a NOT; the visual view negates a group once")
                          .arg(textOf(whole));
            return std::nullopt;
        }
    }
    if (isJunction(*part)) {
        group.join = joinOf(part->kind);
        for (const SegmentRulePart &operand : part->operands) {
            std::optional<SegmentGroupItem> item = itemFrom(operand, whyNot);
            if (!item)
                return std::nullopt;
            group.items.append(*item);
        }
        return group;
    }
    std::optional<SegmentGroupItem> item = itemFrom(*part, whyNot);
    if (!item)
        return std::nullopt;
    group.items.append(*item);
    return group;
}

} // namespace

SegmentGroupItem SegmentGroupItem::trait(qint64 sid)
{
    SegmentGroupItem item;
    item.traitSids = {sid};
    return item;
}

SegmentGroupItem SegmentGroupItem::frequency(const FrequencySpec &spec)
{
    SegmentGroupItem item;
    item.traitSids = spec.traitSids;
    item.clock = true;
    item.recency = spec.recency;
    item.recencyDays = spec.recency == Recency::None ? 0 : spec.recencyDays;
    item.comparison = spec.comparison;
    item.threshold = spec.threshold;
    return item;
}

FrequencySpec SegmentGroupItem::frequencySpec() const
{
    FrequencySpec spec;
    spec.traitSids = traitSids;
    spec.recency = recency;
    spec.recencyDays = recency == Recency::None ? 0 : recencyDays;
    spec.comparison = comparison;
    spec.threshold = threshold;
    return spec;
}

SegmentRule SegmentGroupItem::toRule() const
{
    if (clock)
        return SegmentRule::frequency(frequencySpec());
    QList<SegmentRule> traits;
    for (const qint64 sid : traitSids)
        traits.append(SegmentRule::trait(sid));
    return SegmentRule::anyOf(traits);
}

bool SegmentRuleGroups::isEmpty() const
{
    for (const SegmentGroup &group : groups) {
        if (!group.items.isEmpty())
            return false;
    }
    return true;
}

SegmentRule SegmentRuleGroups::toRule() const
{
    QList<SegmentRule> parts;
    for (const SegmentGroup &group : groups) {
        if (group.items.isEmpty())
            continue;
        QList<SegmentRule> items;
        for (const SegmentGroupItem &item : group.items)
            items.append(item.toRule());
        const SegmentRule inner = group.join == SegmentGroupJoin::And ? SegmentRule::allOf(items)
                                                                      : SegmentRule::anyOf(items);
        parts.append(group.negated ? SegmentRule::negation(inner) : inner);
    }
    return join == SegmentGroupJoin::And ? SegmentRule::allOf(parts) : SegmentRule::anyOf(parts);
}

SegmentRuleGroups SegmentRuleGroups::normalized() const
{
    // Every rule the groups can build has the shape fromRule() accepts.
    return fromRule(toRule()).value_or(SegmentRuleGroups());
}

std::optional<SegmentRuleGroups> SegmentRuleGroups::fromRule(const SegmentRule &rule,
                                                             QString *whyNot)
{
    QString reason;
    SegmentRuleGroups result;
    if (rule.isEmpty())
        return result;
    const SegmentRulePart root = rule.tree();
    QList<SegmentRulePart> groupParts{root};
    if (isJunction(root)) {
        result.join = joinOf(root.kind);
        groupParts = root.operands;
    }
    for (const SegmentRulePart &part : std::as_const(groupParts)) {
        std::optional<SegmentGroup> group = groupFrom(part, &reason);
        if (!group) {
            if (whyNot)
                *whyNot = reason;
            return std::nullopt;
        }
        result.groups.append(*group);
    }
    if (whyNot)
        whyNot->clear();
    return result;
}

std::optional<SegmentRuleGroups> SegmentRuleGroups::fromText(QStringView text, QString *whyNot)
{
    if (text.trimmed().isEmpty()) {
        if (whyNot)
            whyNot->clear();
        return SegmentRuleGroups();
    }
    RuleDiagnostic diagnostic;
    const std::optional<SegmentRule> rule = SegmentRule::parse(text, &diagnostic);
    if (!rule) {
        if (whyNot)
            *whyNot = diagnostic.message();
        return std::nullopt;
    }
    return fromRule(*rule, whyNot);
}

} // namespace Dcs
