#pragma once

#include "rules/segmentrule.h"

#include <QList>
#include <QString>

#include <optional>

namespace Dcs {

// How the parts of a segment rule's visual view are joined: the groups with each other, and
// the traits inside one group.
enum class SegmentGroupJoin : quint8 { And, Or };

// One trait of a group, or, once its clock is set, a FREQUENCY over it: how many realizations
// (compared with `threshold`), optionally only those of the last N days (Recency::Within) or
// at least N days old (Recency::Older). A FREQUENCY the analyst wrote over several traits
// (`FREQUENCY([1T, 2T] <= 7D) >= 2`) stays one item listing them all.
struct SegmentGroupItem
{
    QList<qint64> traitSids; // exactly one unless `clock`
    bool clock = false;
    Recency recency = Recency::None;
    int recencyDays = 0; // 0 when recency is None
    FrequencyComparison comparison = FrequencyComparison::AtLeast;
    qint64 threshold = 1;

    static SegmentGroupItem trait(qint64 sid);
    static SegmentGroupItem frequency(const FrequencySpec &spec);
    SegmentRule toRule() const;
    FrequencySpec frequencySpec() const;

    friend bool operator==(const SegmentGroupItem &, const SegmentGroupItem &) = default;
};

// Traits joined by `join`, the whole negated when `negated` ("AND NOT" this group).
struct SegmentGroup
{
    bool negated = false;
    SegmentGroupJoin join = SegmentGroupJoin::Or;
    QList<SegmentGroupItem> items;

    friend bool operator==(const SegmentGroup &, const SegmentGroup &) = default;
};

// The visual view of a segment rule (issue 7, "Segments"): groups of traits joined by one
// operator, each group negated or not, each trait with its clock. Pure logic, no widgets:
//
//   rule   := group ( join group )*            join: AND | OR, one for the whole rule
//   group  := [NOT] ( item | "(" item ( gjoin item )+ ")" )
//   item   := <sid>T | FREQUENCY([...] ...) op m
//
// fromRule() accepts exactly the rules of that shape and gives their canonical groups; any other
// rule (NOT inside a group, NOT NOT, parentheses three levels deep) is refused with the reason
// in words, so the editor opens it in the code view instead of changing it. toRule() of the
// canonical groups is the same tree as the rule they came from, and fromRule(toRule(g)) == g
// for canonical g. Groups the builder makes that are not canonical (a group whose traits are
// joined by the same operator as the groups, a one-trait group joined by AND) give the same
// rule as their canonical form; normalized() returns that form.
struct SegmentRuleGroups
{
    SegmentGroupJoin join = SegmentGroupJoin::And;
    QList<SegmentGroup> groups;

    // Empty groups are left out; no group at all is the empty rule.
    SegmentRule toRule() const;
    QString toText() const { return toRule().toString(); }
    SegmentRuleGroups normalized() const;
    bool isEmpty() const;

    // std::nullopt with `whyNot` (if given) set when the visual view cannot show the rule.
    static std::optional<SegmentRuleGroups> fromRule(const SegmentRule &rule,
                                                     QString *whyNot = nullptr);
    // parse() then fromRule(); a syntax error is a reason too.
    static std::optional<SegmentRuleGroups> fromText(QStringView text, QString *whyNot = nullptr);

    friend bool operator==(const SegmentRuleGroups &, const SegmentRuleGroups &) = default;
};

} // namespace Dcs
