#pragma once

#include "rules/signalkeystats.h"
#include "rules/traitrulegroups.h"

#include <QHash>
#include <QList>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QToolButton;
class QVBoxLayout;

namespace Dcs {

// The trait editor's visual view: groups of (key, operator, value) conditions, the conditions
// of a group OR-ed, groups joined by AND / OR / AND NOT (TraitRuleGroups). Keys complete from
// the signal keys seen in the event log (with how many events carried each), operators follow
// the key's values (numbers get < > <= >=, text gets contains ... matcheswords), and values
// are picked from the key's most frequent values or typed.
class VisualRuleEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit VisualRuleEditor(QWidget *parent = nullptr);

    // Rebuilds the rows; emits nothing (the owner set them).
    void setGroups(const TraitRuleGroups &groups);
    TraitRuleGroups groups() const { return m_groups; }
    void setKeyStats(const QList<SignalKeyStat> &stats);
    void setReadOnly(bool readOnly);

    // The operators offered for a key: all of them for a key never seen.
    QList<TraitRuleOperator> operatorsFor(const QString &key) const;

    // For tests and keyboard users: the widgets of one condition.
    QComboBox *keyCombo(int group, int condition) const;
    QComboBox *operatorCombo(int group, int condition) const;
    QComboBox *valueCombo(int group, int condition) const;
    QComboBox *joinCombo(int group) const;
    QPushButton *addGroupButton() const { return m_addGroup; }
    QToolButton *addConditionButton(int group) const;

Q_SIGNALS:
    // The analyst changed the groups (never emitted by setGroups()).
    void groupsEdited();

private:
    struct ConditionWidgets
    {
        QComboBox *key = nullptr;
        QComboBox *op = nullptr;
        QComboBox *value = nullptr;
    };
    struct GroupWidgets
    {
        QComboBox *join = nullptr;
        QToolButton *addCondition = nullptr;
        QList<ConditionWidgets> conditions;
    };

    void rebuild();
    QWidget *createGroup(int groupIndex);
    QWidget *createCondition(int groupIndex, int conditionIndex);
    void fillOperators(QComboBox *combo, const QString &key, TraitRuleOperator current);
    void fillValues(QComboBox *combo, const QString &key, const QString &current);
    void edited();

    TraitRuleGroups m_groups;
    QList<SignalKeyStat> m_stats;
    QHash<QString, int> m_statByKey;
    QStandardItemModel *m_keyModel = nullptr; // key | events, shared by the key combos
    QList<GroupWidgets> m_widgets;
    QWidget *m_groupsHost = nullptr;
    QVBoxLayout *m_groupsLayout = nullptr;
    QPushButton *m_addGroup = nullptr;
    QLabel *m_empty = nullptr;
    bool m_readOnly = false;
    bool m_building = false;
};

} // namespace Dcs
