#include "segmentrulebuilder.h"

#include "traitclockdialog.h"
#include "traittreemodel.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QScrollArea>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <functional>

namespace Dcs {

namespace {

// A frame that takes traits dropped from the trait tree.
class TraitDropFrame final : public QFrame
{
public:
    using DropHandler = std::function<void(const QList<qint64> &sids)>;

    explicit TraitDropFrame(DropHandler onDrop, QWidget *parent = nullptr)
        : QFrame(parent)
        , m_onDrop(std::move(onDrop))
    {
        setAcceptDrops(true);
    }

protected:
    void dragEnterEvent(QDragEnterEvent *event) override
    {
        if (TraitTreeModel::sidsFrom(event->mimeData()).isEmpty())
            return;
        event->setDropAction(Qt::CopyAction);
        event->accept();
        setHighlighted(true);
    }
    void dragMoveEvent(QDragMoveEvent *event) override
    {
        event->setDropAction(Qt::CopyAction);
        event->accept();
    }
    void dragLeaveEvent(QDragLeaveEvent *) override { setHighlighted(false); }
    void dropEvent(QDropEvent *event) override
    {
        setHighlighted(false);
        const QList<qint64> sids = TraitTreeModel::sidsFrom(event->mimeData());
        if (sids.isEmpty())
            return;
        event->setDropAction(Qt::CopyAction);
        event->accept();
        m_onDrop(sids); // may rebuild the view: this frame is deleted later, not now
    }

private:
    void setHighlighted(bool on)
    {
        setForegroundRole(on ? QPalette::Highlight : QPalette::WindowText);
        setFrameShadow(on ? QFrame::Sunken : QFrame::Plain);
        setLineWidth(on ? 2 : 1);
    }

    DropHandler m_onDrop;
};

QString comparisonWords(FrequencyComparison comparison, qint64 count)
{
    const QString times = count == 1 ? SegmentRuleBuilder::tr("once")
                                     : SegmentRuleBuilder::tr("%1 times").arg(count);
    switch (comparison) {
    case FrequencyComparison::AtLeast: return SegmentRuleBuilder::tr("at least %1").arg(times);
    case FrequencyComparison::AtMost: return SegmentRuleBuilder::tr("at most %1").arg(times);
    case FrequencyComparison::Exactly: return SegmentRuleBuilder::tr("exactly %1").arg(times);
    }
    return times;
}

QString clockWords(const SegmentGroupItem &item)
{
    QString words = comparisonWords(item.comparison, item.threshold);
    switch (item.recency) {
    case Recency::None: break;
    case Recency::Within:
        words = item.recencyDays == 1
                    ? SegmentRuleBuilder::tr("%1 in the last day").arg(words)
                    : SegmentRuleBuilder::tr("%1 in the last %2 days")
                          .arg(words)
                          .arg(item.recencyDays);
        break;
    case Recency::Older:
        words = SegmentRuleBuilder::tr("%1, %2 or more days ago").arg(words).arg(item.recencyDays);
        break;
    }
    return words;
}

QFont smallBold(const QFont &base)
{
    QFont font = base;
    font.setBold(true);
    return font;
}

} // namespace

SegmentRuleBuilder::SegmentRuleBuilder(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("segmentRuleBuilder"));
    m_join = new QComboBox;
    m_join->setObjectName(QStringLiteral("groupJoinCombo"));
    m_join->addItem(tr("AND: every group must hold"), int(SegmentGroupJoin::And));
    m_join->addItem(tr("OR: any group will do"), int(SegmentGroupJoin::Or));
    m_join->setToolTip(tr("How the groups are joined; NOT on a group makes it AND NOT"));
    auto *joinLabel = new QLabel(tr("&Join groups with:"));
    joinLabel->setBuddy(m_join);
    connect(m_join, &QComboBox::activated, this, [this] {
        setJoin(SegmentGroupJoin(m_join->currentData().toInt()));
    });

    m_notice = new QLabel;
    m_notice->setObjectName(QStringLiteral("visualNotice"));
    m_notice->setWordWrap(true);
    m_notice->setTextFormat(Qt::PlainText);
    m_notice->setFrameShape(QFrame::StyledPanel);
    m_notice->setMargin(6);
    m_notice->setBackgroundRole(QPalette::ToolTipBase);
    m_notice->setForegroundRole(QPalette::ToolTipText);
    m_notice->setAutoFillBackground(true);
    m_notice->hide();

    m_scroll = new QScrollArea;
    m_scroll->setObjectName(QStringLiteral("groupsArea"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);

    auto *top = new QHBoxLayout;
    top->addWidget(joinLabel);
    top->addWidget(m_join);
    top->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_notice);
    layout->addWidget(m_scroll, 1);
    rebuild();
}

void SegmentRuleBuilder::setTraits(const QHash<qint64, Trait> &traits)
{
    m_traits = traits;
    rebuild();
}

void SegmentRuleBuilder::setGroups(const SegmentRuleGroups &groups)
{
    m_groups = groups;
    m_expressible = true;
    m_notice->hide();
    rebuild();
}

void SegmentRuleBuilder::setInexpressible(const QString &reason)
{
    m_expressible = false;
    m_notice->setText(tr("The visual view cannot show this rule: %1. It is kept as written; "
                         "edit it in the Code view.")
                          .arg(reason));
    m_notice->show();
    rebuild();
}

QString SegmentRuleBuilder::traitLabel(qint64 sid) const
{
    const auto it = m_traits.constFind(sid);
    if (it == m_traits.cend())
        return tr("%1T (no such trait)").arg(sid);
    return tr("%1 · %2T").arg(it->name).arg(sid);
}

bool SegmentRuleBuilder::takesClock(const SegmentGroupItem &item) const
{
    for (const qint64 sid : item.traitSids) {
        const auto it = m_traits.constFind(sid);
        if (it != m_traits.cend() && it->type == Trait::Type::Onboarded)
            return false;
    }
    return true;
}

void SegmentRuleBuilder::rebuild()
{
    m_join->setCurrentIndex(m_join->findData(int(m_groups.join)));
    m_join->setEnabled(m_expressible);
    m_groupWidgets.clear();
    m_clockButtons.clear();

    auto *content = new QWidget;
    content->setObjectName(QStringLiteral("groupsContent"));
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(2, 2, 2, 2);
    for (int i = 0; i < m_groups.groups.size(); ++i) {
        if (i > 0) {
            auto *join = new QLabel(m_groups.join == SegmentGroupJoin::And ? tr("AND")
                                                                           : tr("OR"));
            join->setFont(smallBold(font()));
            join->setAlignment(Qt::AlignCenter);
            layout->addWidget(join);
        }
        QWidget *group = makeGroup(i);
        m_groupWidgets.append(group);
        layout->addWidget(group);
    }
    auto *area = new TraitDropFrame([this](const QList<qint64> &sids) {
        addTraits(int(m_groups.groups.size()), sids);
    });
    area->setObjectName(QStringLiteral("newGroupArea"));
    area->setFrameShape(QFrame::Box);
    area->setMinimumHeight(48);
    area->setEnabled(m_expressible);
    auto *hint = new QLabel(m_groups.groups.isEmpty()
                                ? tr("Drag traits here from the tree to start the rule")
                                : tr("Drag traits here to add a group"));
    hint->setAlignment(Qt::AlignCenter);
    hint->setForegroundRole(QPalette::PlaceholderText);
    auto *areaLayout = new QVBoxLayout(area);
    areaLayout->addWidget(hint);
    area->setAccessibleName(tr("New group drop area"));
    m_newGroupArea = area;
    layout->addWidget(area);
    layout->addStretch();

    // The old widgets may be inside the signal that brought us here: delete them later.
    if (QWidget *old = m_scroll->takeWidget())
        old->deleteLater();
    m_scroll->setWidget(content);
}

QWidget *SegmentRuleBuilder::makeGroup(int index)
{
    const SegmentGroup &group = m_groups.groups.at(index);
    auto *frame = new TraitDropFrame([this, index](const QList<qint64> &sids) {
        addTraits(index, sids);
    });
    frame->setObjectName(QStringLiteral("group%1").arg(index));
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setBackgroundRole(QPalette::AlternateBase);
    frame->setAutoFillBackground(true);
    frame->setEnabled(m_expressible);
    frame->setAccessibleName(tr("Group %1").arg(index + 1));

    auto *title = new QLabel(group.negated ? tr("NOT group %1").arg(index + 1)
                                           : tr("Group %1").arg(index + 1));
    title->setFont(smallBold(font()));
    auto *negate = new QCheckBox(tr("&NOT"));
    negate->setObjectName(QStringLiteral("groupNot%1").arg(index));
    negate->setChecked(group.negated);
    negate->setToolTip(tr("Visitors must not match this group (AND NOT)"));
    connect(negate, &QCheckBox::toggled, this,
            [this, index](bool on) { setGroupNegated(index, on); });
    auto *join = new QComboBox;
    join->setObjectName(QStringLiteral("groupJoin%1").arg(index));
    join->addItem(tr("any of these traits (OR)"), int(SegmentGroupJoin::Or));
    join->addItem(tr("all of these traits (AND)"), int(SegmentGroupJoin::And));
    join->setCurrentIndex(join->findData(int(group.join)));
    join->setEnabled(group.items.size() > 1);
    join->setAccessibleName(tr("How the traits of group %1 are joined").arg(index + 1));
    connect(join, &QComboBox::activated, this, [this, index, join] {
        setGroupJoin(index, SegmentGroupJoin(join->currentData().toInt()));
    });
    auto *remove = new QToolButton;
    remove->setObjectName(QStringLiteral("removeGroup%1").arg(index));
    remove->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    remove->setAutoRaise(true);
    remove->setAccessibleName(tr("Remove group %1").arg(index + 1));
    remove->setToolTip(tr("Remove this group and its traits"));
    connect(remove, &QToolButton::clicked, this, [this, index] { removeGroup(index); });

    auto *header = new QHBoxLayout;
    header->addWidget(title);
    header->addWidget(negate);
    header->addStretch();
    header->addWidget(join);
    header->addWidget(remove);

    auto *layout = new QVBoxLayout(frame);
    layout->setSpacing(2);
    layout->addLayout(header);
    for (int i = 0; i < group.items.size(); ++i) {
        if (i > 0) {
            auto *word = new QLabel(group.join == SegmentGroupJoin::And ? tr("and")
                                                                        : tr("or"));
            word->setForegroundRole(QPalette::PlaceholderText);
            word->setIndent(12);
            layout->addWidget(word);
        }
        layout->addWidget(makeItem(index, i));
    }
    if (group.items.isEmpty()) {
        auto *empty = new QLabel(tr("Drag traits here"));
        empty->setForegroundRole(QPalette::PlaceholderText);
        layout->addWidget(empty);
    }
    return frame;
}

QWidget *SegmentRuleBuilder::makeItem(int group, int index)
{
    const SegmentGroupItem &item = m_groups.groups.at(group).items.at(index);
    auto *row = new QWidget;
    row->setObjectName(QStringLiteral("item%1_%2").arg(group).arg(index));
    QStringList names;
    for (const qint64 sid : item.traitSids)
        names.append(traitLabel(sid));
    auto *name = new QLabel(names.join(tr(", ")));
    name->setTextFormat(Qt::PlainText);
    name->setWordWrap(true);
    name->setToolTip(item.toRule().toString());
    auto *clockText = new QLabel(item.clock ? clockWords(item) : QString());
    clockText->setObjectName(QStringLiteral("clockText%1_%2").arg(group).arg(index));
    clockText->setForegroundRole(QPalette::Link);

    auto *clock = new QToolButton;
    clock->setObjectName(QStringLiteral("clock%1_%2").arg(group).arg(index));
    const QIcon clockIcon = QIcon::fromTheme(QStringLiteral("chronometer"));
    clock->setIcon(clockIcon);
    clock->setText(item.clock ? tr("Clock ✓") : tr("Clock…"));
    clock->setToolButtonStyle(clockIcon.isNull() ? Qt::ToolButtonTextOnly
                                                 : Qt::ToolButtonTextBesideIcon);
    clock->setAutoRaise(true);
    clock->setCheckable(false);
    const bool allowed = takesClock(item);
    clock->setEnabled(allowed);
    clock->setAccessibleName(tr("Recency and frequency of %1").arg(names.join(tr(", "))));
    clock->setToolTip(allowed ? tr("Recency and frequency: how recently and how often")
                              : tr("Recency and frequency apply to rule-based and folder "
                                   "traits only; an onboarded trait counts once"));
    connect(clock, &QToolButton::clicked, this, [this, group, index] { openClock(group, index); });
    m_clockButtons.insert({group, index}, clock);

    auto *remove = new QToolButton;
    remove->setObjectName(QStringLiteral("removeItem%1_%2").arg(group).arg(index));
    remove->setIcon(style()->standardIcon(QStyle::SP_DialogDiscardButton));
    remove->setAutoRaise(true);
    remove->setAccessibleName(tr("Remove %1 from the group").arg(names.join(tr(", "))));
    remove->setToolTip(tr("Remove from the group"));
    connect(remove, &QToolButton::clicked, this, [this, group, index] {
        removeItem(group, index);
    });

    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(4, 0, 0, 0);
    layout->addWidget(name, 1);
    layout->addWidget(clockText);
    layout->addWidget(clock);
    layout->addWidget(remove);
    return row;
}

QWidget *SegmentRuleBuilder::groupWidget(int group) const
{
    return m_groupWidgets.value(group);
}

QToolButton *SegmentRuleBuilder::clockButton(int group, int item) const
{
    return m_clockButtons.value({group, item});
}

void SegmentRuleBuilder::commit()
{
    rebuild();
    Q_EMIT edited();
}

void SegmentRuleBuilder::addTraits(int group, const QList<qint64> &sids)
{
    if (!m_expressible || sids.isEmpty() || group < 0 || group > m_groups.groups.size())
        return;
    if (group == m_groups.groups.size())
        m_groups.groups.append(SegmentGroup());
    QList<SegmentGroupItem> &items = m_groups.groups[group].items;
    for (const qint64 sid : sids) {
        const SegmentGroupItem item = SegmentGroupItem::trait(sid);
        if (!items.contains(item))
            items.append(item);
    }
    commit();
}

void SegmentRuleBuilder::setItem(int group, int item, const SegmentGroupItem &value)
{
    if (group < 0 || group >= m_groups.groups.size() || item < 0
        || item >= m_groups.groups.at(group).items.size())
        return;
    m_groups.groups[group].items[item] = value;
    commit();
}

void SegmentRuleBuilder::removeItem(int group, int item)
{
    if (group < 0 || group >= m_groups.groups.size() || item < 0
        || item >= m_groups.groups.at(group).items.size())
        return;
    m_groups.groups[group].items.removeAt(item);
    if (m_groups.groups.at(group).items.isEmpty())
        m_groups.groups.removeAt(group);
    commit();
}

void SegmentRuleBuilder::removeGroup(int group)
{
    if (group < 0 || group >= m_groups.groups.size())
        return;
    m_groups.groups.removeAt(group);
    commit();
}

void SegmentRuleBuilder::setGroupNegated(int group, bool negated)
{
    if (group < 0 || group >= m_groups.groups.size()
        || m_groups.groups.at(group).negated == negated)
        return;
    m_groups.groups[group].negated = negated;
    commit();
}

void SegmentRuleBuilder::setGroupJoin(int group, SegmentGroupJoin join)
{
    if (group < 0 || group >= m_groups.groups.size() || m_groups.groups.at(group).join == join)
        return;
    m_groups.groups[group].join = join;
    commit();
}

void SegmentRuleBuilder::setJoin(SegmentGroupJoin join)
{
    if (m_groups.join == join)
        return;
    m_groups.join = join;
    commit();
}

void SegmentRuleBuilder::openClock(int group, int item)
{
    if (!m_expressible || group < 0 || group >= m_groups.groups.size() || item < 0
        || item >= m_groups.groups.at(group).items.size())
        return;
    const SegmentGroupItem current = m_groups.groups.at(group).items.at(item);
    QStringList names;
    for (const qint64 sid : current.traitSids)
        names.append(traitLabel(sid));
    auto *dialog = new TraitClockDialog(current, names.join(tr(", ")), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, group, item, current] {
        // The groups may have changed meanwhile (the code view): apply only to the same item.
        if (group < m_groups.groups.size() && item < m_groups.groups.at(group).items.size()
            && m_groups.groups.at(group).items.at(item) == current)
            setItem(group, item, dialog->item());
    });
    dialog->open();
}

} // namespace Dcs
