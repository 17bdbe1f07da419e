#include "traits/visualruleeditor.h"

#include "rules/rulesignals.h"

#include <QComboBox>
#include <QCompleter>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QStandardItemModel>
#include <QStyle>
#include <QToolButton>
#include <QTreeView>

namespace Dcs {

namespace {

using Op = TraitRuleOperator;
using Join = TraitRuleGroup::Join;

constexpr int OperatorRole = Qt::UserRole; // what addItem()'s data sets
constexpr int ValueRole = Qt::UserRole + 2;

const QList<Op> &allOperators()
{
    static const QList<Op> ops{Op::Equal,          Op::NotEqual,    Op::Less,
                               Op::Greater,        Op::LessOrEqual, Op::GreaterOrEqual,
                               Op::Contains,       Op::StartsWith,  Op::EndsWith,
                               Op::MatchesRegex,   Op::MatchesWords};
    return ops;
}

QString operatorLabel(Op op)
{
    switch (op) {
    case Op::Equal: return VisualRuleEditor::tr("== equals");
    case Op::NotEqual: return VisualRuleEditor::tr("!= differs from");
    case Op::Less: return VisualRuleEditor::tr("< less than");
    case Op::Greater: return VisualRuleEditor::tr("> greater than");
    case Op::LessOrEqual: return VisualRuleEditor::tr("<= at most");
    case Op::GreaterOrEqual: return VisualRuleEditor::tr(">= at least");
    case Op::Contains: return VisualRuleEditor::tr("contains");
    case Op::StartsWith: return VisualRuleEditor::tr("starts with");
    case Op::EndsWith: return VisualRuleEditor::tr("ends with");
    case Op::MatchesRegex: return VisualRuleEditor::tr("matches regex");
    case Op::MatchesWords: return VisualRuleEditor::tr("matches words");
    }
    return {};
}

QString joinLabel(Join join)
{
    switch (join) {
    case Join::And: return VisualRuleEditor::tr("AND");
    case Join::Or: return VisualRuleEditor::tr("OR");
    case Join::AndNot: return VisualRuleEditor::tr("AND NOT");
    }
    return {};
}

// A combo whose popup shows a second column (how many events) beside the text it completes.
void useTwoColumnPopup(QComboBox *combo)
{
    auto *view = new QTreeView;
    view->setHeaderHidden(true);
    view->setRootIsDecorated(false);
    view->setUniformRowHeights(true);
    view->setAllColumnsShowFocus(true);
    combo->setView(view);
    view->header()->setStretchLastSection(false);
    view->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    view->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    combo->setModelColumn(0);
    combo->setInsertPolicy(QComboBox::NoInsert);
    if (combo->completer()) {
        combo->completer()->setCompletionMode(QCompleter::PopupCompletion);
        combo->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    }
}

QString eventsText(qint64 events)
{
    return VisualRuleEditor::tr("%1 events").arg(QLocale().toString(events));
}

} // namespace

VisualRuleEditor::VisualRuleEditor(QWidget *parent)
    : QWidget(parent)
    , m_keyModel(new QStandardItemModel(0, 2, this))
{
    setObjectName(QStringLiteral("visualRuleEditor"));
    m_groupsHost = new QWidget;
    m_groupsLayout = new QVBoxLayout(m_groupsHost);
    m_groupsLayout->setContentsMargins(4, 4, 4, 4);
    m_groupsLayout->addStretch(1);
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // rows shrink, never scroll
    scroll->setWidget(m_groupsHost);

    m_empty = new QLabel(tr("No conditions yet: add a group, then pick a signal key, an "
                            "operator and a value."));
    m_empty->setObjectName(QStringLiteral("visualEmptyLabel"));
    m_empty->setWordWrap(true);
    m_addGroup = new QPushButton(QIcon::fromTheme(QStringLiteral("list-add")), tr("Add &Group"));
    m_addGroup->setObjectName(QStringLiteral("addGroupButton"));
    m_addGroup->setToolTip(tr("A new group of OR-ed conditions, joined to the others by AND"));
    connect(m_addGroup, &QPushButton::clicked, this, [this] {
        m_groups.append({Join::And, {TraitRuleCondition{}}});
        rebuild();
        edited();
        if (QComboBox *key = keyCombo(int(m_groups.size()) - 1, 0))
            key->setFocus();
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_empty);
    layout->addWidget(scroll, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_addGroup);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    rebuild();
}

void VisualRuleEditor::setGroups(const TraitRuleGroups &groups)
{
    m_groups = groups;
    rebuild();
}

void VisualRuleEditor::setKeyStats(const QList<SignalKeyStat> &stats)
{
    m_stats = stats;
    m_statByKey.clear();
    // A combo whose model goes from empty to filled selects its first row: the rows' key combos
    // must not follow (they are put back to their own text below).
    m_building = true;
    m_keyModel->removeRows(0, m_keyModel->rowCount());
    for (int i = 0; i < m_stats.size(); ++i) {
        const SignalKeyStat &stat = m_stats.at(i);
        m_statByKey.insert(stat.key, i);
        auto *key = new QStandardItem(stat.key);
        QStringList top;
        for (const SignalValueCount &value : stat.topValues.mid(0, 5))
            top.append(value.value);
        key->setToolTip(tr("%1 in the newest events; often %2").arg(eventsText(stat.events),
                                                                     top.join(QStringLiteral(", "))));
        auto *count = new QStandardItem(eventsText(stat.events));
        count->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_keyModel->appendRow({key, count});
    }
    // `ic`: the codes partners return, for onboarded traits; never in the event log.
    auto *ic = new QStandardItem(QStringLiteral("ic"));
    ic->setToolTip(tr("The segment codes a partner returned on the call (onboarded traits)"));
    m_keyModel->appendRow({ic, new QStandardItem(tr("partner codes"))});
    // Operators and values follow the keys now known; the rows keep their text.
    for (qsizetype g = 0; g < m_widgets.size() && g < m_groups.size(); ++g) {
        for (qsizetype c = 0; c < m_widgets.at(g).conditions.size(); ++c) {
            const TraitRuleCondition &condition = m_groups.at(g).conditions.at(c);
            const ConditionWidgets &row = m_widgets.at(g).conditions.at(c);
            row.key->setCurrentIndex(-1);
            row.key->setEditText(condition.key);
            fillOperators(row.op, condition.key, condition.op);
            fillValues(row.value, condition.key, condition.value);
        }
    }
    m_building = false;
}

void VisualRuleEditor::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    m_groupsHost->setEnabled(!readOnly);
    m_addGroup->setEnabled(!readOnly);
}

QList<TraitRuleOperator> VisualRuleEditor::operatorsFor(const QString &key) const
{
    const int found = m_statByKey.value(key, -1);
    if (found < 0)
        return allOperators();
    if (m_stats.at(found).numeric) {
        return {Op::Equal,          Op::NotEqual,    Op::Less,
                Op::Greater,        Op::LessOrEqual, Op::GreaterOrEqual};
    }
    return {Op::Equal,    Op::NotEqual,     Op::Contains,    Op::StartsWith,
            Op::EndsWith, Op::MatchesRegex, Op::MatchesWords};
}

QComboBox *VisualRuleEditor::keyCombo(int group, int condition) const
{
    if (group < 0 || group >= m_widgets.size() || condition < 0
        || condition >= m_widgets.at(group).conditions.size())
        return nullptr;
    return m_widgets.at(group).conditions.at(condition).key;
}

QComboBox *VisualRuleEditor::operatorCombo(int group, int condition) const
{
    return keyCombo(group, condition) ? m_widgets.at(group).conditions.at(condition).op : nullptr;
}

QComboBox *VisualRuleEditor::valueCombo(int group, int condition) const
{
    return keyCombo(group, condition) ? m_widgets.at(group).conditions.at(condition).value
                                      : nullptr;
}

QComboBox *VisualRuleEditor::joinCombo(int group) const
{
    return group >= 0 && group < m_widgets.size() ? m_widgets.at(group).join : nullptr;
}

QToolButton *VisualRuleEditor::addConditionButton(int group) const
{
    return group >= 0 && group < m_widgets.size() ? m_widgets.at(group).addCondition : nullptr;
}

void VisualRuleEditor::rebuild()
{
    m_building = true;
    m_widgets.clear();
    while (m_groupsLayout->count() > 1) {
        QLayoutItem *item = m_groupsLayout->takeAt(0);
        if (QWidget *widget = item->widget()) {
            widget->hide();
            widget->deleteLater();
        }
        delete item;
    }
    for (int g = 0; g < m_groups.size(); ++g)
        m_groupsLayout->insertWidget(m_groupsLayout->count() - 1, createGroup(g));
    m_empty->setVisible(m_groups.isEmpty());
    m_building = false;
}

QWidget *VisualRuleEditor::createGroup(int groupIndex)
{
    GroupWidgets widgets;
    auto *container = new QWidget;
    auto *outer = new QVBoxLayout(container);
    outer->setContentsMargins(0, 0, 0, 0);
    if (groupIndex > 0) {
        widgets.join = new QComboBox;
        widgets.join->setObjectName(QStringLiteral("joinCombo%1").arg(groupIndex));
        widgets.join->setAccessibleName(tr("How group %1 joins the groups above")
                                            .arg(groupIndex + 1));
        widgets.join->setToolTip(tr("AND binds before OR: a OR b AND c is a OR (b AND c)"));
        for (const Join join : {Join::And, Join::Or, Join::AndNot})
            widgets.join->addItem(joinLabel(join), int(join));
        widgets.join->setCurrentIndex(widgets.join->findData(int(m_groups.at(groupIndex).join)));
        connect(widgets.join, &QComboBox::currentIndexChanged, this, [this, groupIndex](int) {
            if (m_building || groupIndex >= m_widgets.size())
                return;
            m_groups[groupIndex].join = Join(m_widgets.at(groupIndex).join->currentData().toInt());
            edited();
        });
        auto *joinRow = new QHBoxLayout;
        joinRow->addWidget(widgets.join);
        joinRow->addStretch(1);
        outer->addLayout(joinRow);
    }
    auto *frame = new QFrame;
    frame->setObjectName(QStringLiteral("ruleGroup%1").arg(groupIndex));
    frame->setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(2);
    auto *title = new QHBoxLayout;
    auto *label = new QLabel(tr("Group %1: any of").arg(groupIndex + 1));
    label->setToolTip(tr("The group holds when any of its conditions holds"));
    title->addWidget(label);
    title->addStretch(1);
    widgets.addCondition = new QToolButton;
    widgets.addCondition->setObjectName(QStringLiteral("addConditionButton%1").arg(groupIndex));
    widgets.addCondition->setText(tr("Add condition"));
    widgets.addCondition->setIcon(QIcon::fromTheme(QStringLiteral("list-add")));
    widgets.addCondition->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    widgets.addCondition->setToolTip(tr("Another condition in this group (OR)"));
    connect(widgets.addCondition, &QToolButton::clicked, this, [this, groupIndex] {
        m_groups[groupIndex].conditions.append(TraitRuleCondition{});
        rebuild();
        edited();
        if (QComboBox *key = keyCombo(groupIndex,
                                      int(m_groups.at(groupIndex).conditions.size()) - 1))
            key->setFocus();
    });
    auto *removeGroup = new QToolButton;
    removeGroup->setObjectName(QStringLiteral("removeGroupButton%1").arg(groupIndex));
    removeGroup->setIcon(QIcon::fromTheme(QStringLiteral("edit-delete"),
                                          style()->standardIcon(QStyle::SP_TrashIcon)));
    removeGroup->setText(tr("Remove group"));
    removeGroup->setAccessibleName(tr("Remove group %1").arg(groupIndex + 1));
    removeGroup->setToolTip(tr("Remove this group and its conditions"));
    connect(removeGroup, &QToolButton::clicked, this, [this, groupIndex] {
        m_groups.removeAt(groupIndex);
        rebuild();
        edited();
    });
    title->addWidget(widgets.addCondition);
    title->addWidget(removeGroup);
    layout->addLayout(title);
    m_widgets.append(widgets);
    for (int c = 0; c < m_groups.at(groupIndex).conditions.size(); ++c)
        layout->addWidget(createCondition(groupIndex, c));
    outer->addWidget(frame);
    return container;
}

QWidget *VisualRuleEditor::createCondition(int groupIndex, int conditionIndex)
{
    const TraitRuleCondition &condition = m_groups.at(groupIndex).conditions.at(conditionIndex);
    ConditionWidgets row;
    auto *widget = new QWidget;
    auto *layout = new QHBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    if (conditionIndex > 0) {
        auto *orLabel = new QLabel(tr("or"));
        orLabel->setMinimumWidth(18);
        layout->addWidget(orLabel);
    } else {
        layout->addSpacing(22);
    }

    const QString suffix = QStringLiteral("%1_%2").arg(groupIndex).arg(conditionIndex);
    row.key = new QComboBox;
    row.key->setObjectName(QStringLiteral("keyCombo") + suffix);
    row.key->setAccessibleName(tr("Signal key"));
    row.key->setToolTip(tr("The signal key: c_, d_, h_ or bare keys of the call, or ic for "
                           "partner codes"));
    row.key->setEditable(true);
    row.key->setModel(m_keyModel);
    useTwoColumnPopup(row.key);
    row.key->setCurrentIndex(-1);
    row.key->setEditText(condition.key);
    row.key->lineEdit()->setPlaceholderText(tr("key"));
    row.key->setMinimumContentsLength(6);
    row.key->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);

    row.op = new QComboBox;
    row.op->setObjectName(QStringLiteral("operatorCombo") + suffix);
    row.op->setAccessibleName(tr("Operator"));
    fillOperators(row.op, condition.key, condition.op);

    row.value = new QComboBox;
    row.value->setObjectName(QStringLiteral("valueCombo") + suffix);
    row.value->setAccessibleName(tr("Value"));
    row.value->setToolTip(tr("Type a value or pick one of the key's most frequent values"));
    row.value->setEditable(true);
    useTwoColumnPopup(row.value);
    fillValues(row.value, condition.key, condition.value);
    row.value->lineEdit()->setPlaceholderText(tr("value"));
    row.value->setMinimumContentsLength(6);
    row.value->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);

    auto *remove = new QToolButton;
    remove->setObjectName(QStringLiteral("removeConditionButton") + suffix);
    remove->setIcon(QIcon::fromTheme(QStringLiteral("list-remove"),
                                     style()->standardIcon(QStyle::SP_DialogCloseButton)));
    remove->setText(QStringLiteral("−"));
    remove->setAccessibleName(tr("Remove condition"));
    remove->setToolTip(tr("Remove this condition"));

    layout->addWidget(row.key, 3);
    layout->addWidget(row.op, 2);
    layout->addWidget(row.value, 3);
    layout->addWidget(remove);

    connect(row.key, &QComboBox::editTextChanged, this,
            [this, groupIndex, conditionIndex](const QString &text) {
                if (m_building || !valueCombo(groupIndex, conditionIndex))
                    return;
                TraitRuleCondition &edited = m_groups[groupIndex].conditions[conditionIndex];
                edited.key = text.trimmed();
                const ConditionWidgets &widgets
                    = m_widgets.at(groupIndex).conditions.at(conditionIndex);
                m_building = true;
                fillOperators(widgets.op, edited.key, edited.op);
                fillValues(widgets.value, edited.key, edited.value);
                m_building = false;
                edited.op = TraitRuleOperator(widgets.op->currentData(OperatorRole).toInt());
                this->edited();
            });
    connect(row.op, &QComboBox::currentIndexChanged, this, [this, groupIndex, conditionIndex] {
        if (m_building || !valueCombo(groupIndex, conditionIndex))
            return;
        const ConditionWidgets &widgets = m_widgets.at(groupIndex).conditions.at(conditionIndex);
        m_groups[groupIndex].conditions[conditionIndex].op
            = TraitRuleOperator(widgets.op->currentData(OperatorRole).toInt());
        edited();
    });
    connect(row.value, &QComboBox::editTextChanged, this,
            [this, groupIndex, conditionIndex](const QString &text) {
                if (m_building || !valueCombo(groupIndex, conditionIndex))
                    return;
                m_groups[groupIndex].conditions[conditionIndex].value = text;
                edited();
            });
    connect(remove, &QToolButton::clicked, this, [this, groupIndex, conditionIndex] {
        if (!valueCombo(groupIndex, conditionIndex))
            return;
        QList<TraitRuleCondition> &conditions = m_groups[groupIndex].conditions;
        conditions.removeAt(conditionIndex);
        if (conditions.isEmpty())
            m_groups.removeAt(groupIndex);
        rebuild();
        edited();
    });
    m_widgets[groupIndex].conditions.append(row);
    return widget;
}

void VisualRuleEditor::fillOperators(QComboBox *combo, const QString &key,
                                     TraitRuleOperator current)
{
    QList<Op> ops = operatorsFor(key);
    if (!ops.contains(current))
        ops.append(current); // as written, even if the key's values suggest otherwise
    combo->clear();
    for (const Op op : std::as_const(ops)) {
        combo->addItem(operatorLabel(op), int(op));
        combo->setItemData(combo->count() - 1, TraitRule::operatorText(op), Qt::ToolTipRole);
    }
    combo->setCurrentIndex(combo->findData(int(current), OperatorRole));
}

void VisualRuleEditor::fillValues(QComboBox *combo, const QString &key, const QString &current)
{
    auto *model = qobject_cast<QStandardItemModel *>(combo->model());
    if (!model || model->columnCount() != 2) {
        model = new QStandardItemModel(0, 2, combo);
        combo->setModel(model);
        combo->setModelColumn(0);
    }
    model->removeRows(0, model->rowCount());
    const int found = m_statByKey.value(key, -1);
    if (found >= 0) {
        for (const SignalValueCount &value : m_stats.at(found).topValues) {
            auto *text = new QStandardItem(value.value);
            text->setData(value.value, ValueRole);
            auto *count = new QStandardItem(eventsText(value.events));
            count->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            model->appendRow({text, count});
        }
    }
    combo->setCurrentIndex(-1);
    combo->setEditText(current);
}

void VisualRuleEditor::edited()
{
    if (!m_building)
        Q_EMIT groupsEdited();
}

} // namespace Dcs
