#pragma once

#include "rules/definitions.h"
#include "rules/segmentrulegroups.h"

#include <QHash>
#include <QWidget>

class QComboBox;
class QLabel;
class QScrollArea;
class QToolButton;

namespace Dcs {

// The visual view of a segment rule: groups of traits joined by AND or OR, each group
// negatable (AND NOT), the traits in a group joined by OR or AND, each trait with a clock for
// recency and frequency. Traits are dropped in from the trait tree (TraitTreeModel's mime
// type): onto a group to add them to it, onto the area below the groups to start a new one.
// A rule it cannot show (setInexpressible) leaves the view read-only with the reason.
class SegmentRuleBuilder final : public QWidget
{
    Q_OBJECT
public:
    explicit SegmentRuleBuilder(QWidget *parent = nullptr);

    // Names and types of the traits, for the labels and for which traits take a clock.
    void setTraits(const QHash<qint64, Trait> &traits);
    // Shows these groups (no edited() signal).
    void setGroups(const SegmentRuleGroups &groups);
    const SegmentRuleGroups &groups() const { return m_groups; }
    // The rule cannot be shown as groups: say why, and take no edits until setGroups().
    void setInexpressible(const QString &reason);
    bool isExpressible() const { return m_expressible; }

    // The edits the widgets make, each followed by edited(). `group` == groups().groups.size()
    // starts a new group.
    void addTraits(int group, const QList<qint64> &sids);
    void setItem(int group, int item, const SegmentGroupItem &value);
    void removeItem(int group, int item);
    void removeGroup(int group);
    void setGroupNegated(int group, bool negated);
    void setGroupJoin(int group, SegmentGroupJoin join);
    void setJoin(SegmentGroupJoin join);
    // Opens the clock of a trait (window-modal; applied when accepted).
    void openClock(int group, int item);

    // Where drops land, for tests and accessibility: a group's frame, the new-group area.
    QWidget *groupWidget(int group) const;
    QWidget *newGroupArea() const { return m_newGroupArea; }
    QToolButton *clockButton(int group, int item) const;

Q_SIGNALS:
    void edited();

private:
    void rebuild();
    void commit();
    QString traitLabel(qint64 sid) const;
    bool takesClock(const SegmentGroupItem &item) const;
    QWidget *makeGroup(int index);
    QWidget *makeItem(int group, int index);

    QHash<qint64, Trait> m_traits;
    SegmentRuleGroups m_groups;
    bool m_expressible = true;
    QComboBox *m_join = nullptr;
    QLabel *m_notice = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_newGroupArea = nullptr;
    QList<QWidget *> m_groupWidgets;
    QHash<std::pair<int, int>, QToolButton *> m_clockButtons;
};

} // namespace Dcs
