#pragma once

#include "rules/rulediagnostic.h"
#include "rules/traitrule.h"

#include <QList>
#include <QString>

#include <optional>

namespace Dcs {

// The trait editor's visual view of a rule (issue 7): groups of conditions, the conditions of a
// group OR-ed, the groups joined by AND, OR or AND NOT, read with the language's precedence
// (AND before OR), exactly as the rule text the groups stand for:
//
//   [c_a == 1, c_b == 2]  AND NOT  [c_c contains "x"]  OR  [d == 3]
//   =  (c_a == 1 OR c_b == 2) AND NOT c_c contains "x" OR d == 3
//
// Conversions both ways are pure: fromRule() reads a compiled rule's normalised tree, or says
// why the visual view cannot show it (the editor then stays in the code view, text untouched);
// toRuleText() prints groups through the rule printer, so the code view always shows canonical
// text. For every rule fromRule() accepts, toRuleText(fromRule(r)) == r.print().

struct TraitRuleCondition
{
    QString key;
    TraitRuleOperator op = TraitRuleOperator::Equal;
    QString value; // as the rule means it: no quotes, no escapes

    // A condition with an empty key is a row still being filled in: toRuleText() skips it.
    bool isComplete() const { return !key.trimmed().isEmpty(); }

    friend bool operator==(const TraitRuleCondition &, const TraitRuleCondition &) = default;
};

struct TraitRuleGroup
{
    // How the group joins the groups before it; the first group's join is ignored (And).
    enum class Join : quint8 { And, Or, AndNot };

    Join join = Join::And;
    QList<TraitRuleCondition> conditions;

    friend bool operator==(const TraitRuleGroup &, const TraitRuleGroup &) = default;
};

using TraitRuleGroups = QList<TraitRuleGroup>;

// The canonical text of groups, or the parser's diagnostics (a bad key, a regular expression
// that does not compile, an empty word list) when the groups do not make a valid rule.
struct TraitRuleGroupsText
{
    QString text; // empty when there are no complete conditions (or on error)
    // The text as built from the groups, before printing: on error, what the parser refused,
    // so an editor can show it with the diagnostics at their positions.
    QString draft;
    QList<RuleDiagnostic> diagnostics;

    bool ok() const { return diagnostics.isEmpty(); }
};

namespace TraitRuleGroupsConversion {

// The groups of `rule`, or nothing with `reason` saying in words what the visual view cannot
// show (a NOT inside a group, an AND inside a group, a rule that starts with NOT, ...).
std::optional<TraitRuleGroups> fromRule(const CompiledTraitRule &rule, QString *reason);
// The same from text: `reason` gets the first diagnostic when the text does not compile.
// Empty text gives no groups.
std::optional<TraitRuleGroups> fromText(QStringView text, QString *reason);

TraitRuleGroupsText toRuleText(const TraitRuleGroups &groups);

// A value written so that the lexer reads it back unchanged: always double-quoted, with a
// backslash before each '"' and '\'.
QString quotedValue(QStringView value);

QString joinText(TraitRuleGroup::Join join); // "AND", "OR", "AND NOT"

} // namespace TraitRuleGroupsConversion
} // namespace Dcs
