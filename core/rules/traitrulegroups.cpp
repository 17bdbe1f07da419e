#include "rules/traitrulegroups.h"

using namespace Qt::StringLiterals;

namespace Dcs::TraitRuleGroupsConversion {

namespace {

using Kind = TraitRuleNode::Kind;

TraitRuleCondition conditionOf(const TraitRuleNode &node)
{
    return TraitRuleCondition{node.key, node.op, node.value};
}

// The conditions of one group: a comparison, or an OR of comparisons. Anything deeper is not
// a group the visual view can show.
bool groupConditions(const QList<TraitRuleNode> &nodes, int index,
                     QList<TraitRuleCondition> *conditions, QString *reason)
{
    const TraitRuleNode &node = nodes.at(index);
    switch (node.kind) {
    case Kind::Comparison:
        conditions->append(conditionOf(node));
        return true;
    case Kind::Or:
        for (const int child : node.children) {
            const TraitRuleNode &member = nodes.at(child);
            if (member.kind != Kind::Comparison) {
                *reason = member.kind == Kind::Not
                              ? u"a NOT inside a group of OR-ed conditions"_s
                              : u"an AND inside a group of OR-ed conditions"_s;
                return false;
            }
            conditions->append(conditionOf(member));
        }
        return true;
    case Kind::And:
        *reason = u"a NOT before several AND-ed conditions"_s;
        return false;
    case Kind::Not:
        *reason = u"a NOT directly before another NOT"_s;
        return false;
    }
    return false;
}

} // namespace

std::optional<TraitRuleGroups> fromRule(const CompiledTraitRule &rule, QString *reason)
{
    QString why;
    const QList<TraitRuleNode> &nodes = rule.nodes();
    TraitRuleGroups groups;
    if (nodes.isEmpty())
        return groups;
    const TraitRuleNode &root = nodes.first();
    const QList<int> terms = root.kind == Kind::Or ? root.children : QList<int>{0};
    // Comparisons OR-ed at the top level, one after another, share a group: `a OR b` is one
    // group of two conditions, as the analyst would build it.
    bool lastWasTopComparison = false;
    for (qsizetype t = 0; t < terms.size(); ++t) {
        const TraitRuleNode &term = nodes.at(terms.at(t));
        if (root.kind == Kind::Or && term.kind == Kind::Comparison) {
            if (lastWasTopComparison) {
                groups.last().conditions.append(conditionOf(term));
            } else {
                groups.append({t == 0 ? TraitRuleGroup::Join::And : TraitRuleGroup::Join::Or,
                               {conditionOf(term)}});
            }
            lastWasTopComparison = true;
            continue;
        }
        lastWasTopComparison = false;
        const QList<int> factors = term.kind == Kind::And ? term.children
                                                          : QList<int>{terms.at(t)};
        for (qsizetype f = 0; f < factors.size(); ++f) {
            TraitRuleGroup group;
            group.join = f > 0 ? TraitRuleGroup::Join::And
                               : (t == 0 ? TraitRuleGroup::Join::And : TraitRuleGroup::Join::Or);
            int index = factors.at(f);
            if (nodes.at(index).kind == Kind::Not) {
                if (f == 0) {
                    why = t == 0 ? u"the rule starts with NOT (the visual view negates a group "
                                   u"only after AND)"_s
                                 : u"a NOT right after OR (the visual view negates a group "
                                   u"only after AND)"_s;
                    break;
                }
                group.join = TraitRuleGroup::Join::AndNot;
                index = nodes.at(index).children.first();
            }
            if (!groupConditions(nodes, index, &group.conditions, &why))
                break;
            groups.append(group);
        }
        if (!why.isEmpty())
            break;
    }
    if (!why.isEmpty()) {
        if (reason)
            *reason = why;
        return std::nullopt;
    }
    return groups;
}

std::optional<TraitRuleGroups> fromText(QStringView text, QString *reason)
{
    if (text.trimmed().isEmpty())
        return TraitRuleGroups{};
    const TraitRuleParse parse = TraitRule::compile(text);
    if (!parse.ok()) {
        if (reason)
            *reason = parse.diagnostics.isEmpty() ? u"the rule does not compile"_s
                                                  : parse.diagnostics.first().message();
        return std::nullopt;
    }
    return fromRule(*parse.rule, reason);
}

QString quotedValue(QStringView value)
{
    QString out;
    out.reserve(value.size() + 2);
    out += u'"';
    for (const QChar ch : value) {
        if (ch == u'"' || ch == u'\\')
            out += u'\\';
        out += ch;
    }
    out += u'"';
    return out;
}

QString joinText(TraitRuleGroup::Join join)
{
    switch (join) {
    case TraitRuleGroup::Join::And: return u"AND"_s;
    case TraitRuleGroup::Join::Or: return u"OR"_s;
    case TraitRuleGroup::Join::AndNot: return u"AND NOT"_s;
    }
    return u"AND"_s;
}

TraitRuleGroupsText toRuleText(const TraitRuleGroups &groups)
{
    QString draft;
    for (const TraitRuleGroup &group : groups) {
        QStringList conditions;
        for (const TraitRuleCondition &condition : group.conditions) {
            if (!condition.isComplete())
                continue;
            const QString key = condition.key.trimmed();
            // Quoted keys are keys too; a keyword must be quoted to be read as a key.
            conditions.append(quotedValue(key) + u' ' + TraitRule::operatorText(condition.op)
                              + u' ' + quotedValue(condition.value));
        }
        if (conditions.isEmpty())
            continue;
        if (!draft.isEmpty())
            draft += u' ' + joinText(group.join) + u' ';
        draft += u'(' + conditions.join(u" OR "_s) + u')';
    }
    TraitRuleGroupsText result;
    result.draft = draft;
    if (draft.isEmpty())
        return result;
    const TraitRuleParse parse = TraitRule::compile(draft);
    if (!parse.ok()) {
        result.diagnostics = parse.diagnostics;
        return result;
    }
    result.text = parse.rule->print();
    return result;
}

} // namespace Dcs::TraitRuleGroupsConversion
