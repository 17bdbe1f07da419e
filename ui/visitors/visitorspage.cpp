#include "visitorspage.h"

#include "views/pagekeys.h"
#include "visitoreventsmodel.h"

#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "monitor/transfercolumns.h"
#include "monitor/transferlistmodel.h"
#include "rules/rulesnapshot.h"
#include "storage/storage.h"
#include "views/statusicons.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace Dcs {

namespace {

enum TraitColumn { TraitName, TraitRealizedBy, TraitExpires, TraitWhen };
enum SegmentColumn { PartColumn, StateColumn, ChangesColumn, CountedColumn };

QIcon truthIcon(bool holds)
{
    // Shape and text say it as well as the colour: a check or a cross, "true" or "false".
    return holds ? StatusIcons::icon(StatusIcons::Glyph::CheckDisc, StatusIcons::Tone::Good)
                 : StatusIcons::icon(StatusIcons::Glyph::CrossDisc, StatusIcons::Tone::Muted);
}

void setTruth(QTreeWidgetItem *item, int column, bool holds)
{
    item->setIcon(column, truthIcon(holds));
    item->setText(column, holds ? VisitorsPage::tr("true") : VisitorsPage::tr("false"));
    item->setData(0, VisitorsPage::HoldsRole, holds);
}

QString traitTypeLabel(Trait::Type type)
{
    switch (type) {
    case Trait::Type::Rule: return VisitorsPage::tr("Rule");
    case Trait::Type::Onboarded: return VisitorsPage::tr("Onboarded");
    case Trait::Type::Folder: return VisitorsPage::tr("Folder");
    }
    return {};
}

QString realizationsText(qsizetype count)
{
    return count == 1 ? VisitorsPage::tr("1 realization")
                      : VisitorsPage::tr("%L1 realizations").arg(count);
}

// What realized it, for people: the source of trait_realizations with the call's tid.
QString sourceLabel(const ExplainedRealization &realization)
{
    const QString &source = realization.source;
    QString label;
    if (source == QLatin1StringView("call"))
        label = VisitorsPage::tr("Call");
    else if (source == QLatin1StringView("sid"))
        label = VisitorsPage::tr("d_sid on a call");
    else if (source == QLatin1StringView("partner"))
        label = VisitorsPage::tr("Partner answer");
    else if (source == QLatin1StringView("batch"))
        label = VisitorsPage::tr("Batch file");
    else if (source == QLatin1StringView("replay"))
        label = VisitorsPage::tr("Replay");
    else
        label = source;
    if (!realization.tid.isEmpty())
        label += VisitorsPage::tr(" (tid %1)").arg(realization.tid);
    return label;
}

QString triggerText(const RealizationTrigger &trigger)
{
    switch (trigger.kind) {
    case RealizationTrigger::Kind::Signals:
        return trigger.signalValues.isEmpty() ? VisitorsPage::tr("no signal values recorded")
                                              : trigger.describe();
    case RealizationTrigger::Kind::DirectSid:
        return QStringLiteral("d_sid=") + trigger.directSid;
    case RealizationTrigger::Kind::PartnerCode:
        return VisitorsPage::tr("partner %1 answered code %2")
            .arg(trigger.partnerDpid)
            .arg(trigger.code);
    case RealizationTrigger::Kind::Unrecorded: break;
    }
    return VisitorsPage::tr("not recorded");
}

void addTraitRuleNode(QTreeWidgetItem *parent, const TraitRuleExplanation &rule, int index)
{
    const TraitRuleNode &node = rule.nodes.at(index);
    const TraitRuleNodeResult &result = rule.results.at(index);
    auto *item = new QTreeWidgetItem(parent);
    item->setText(TraitName, traitRuleNodeText(node));
    setTruth(item, TraitRealizedBy, result.holds);
    if (node.kind == TraitRuleNode::Kind::Comparison) {
        QString detail;
        if (!result.keyPresent)
            detail = VisitorsPage::tr("key absent");
        else if (!result.matchingValues.isEmpty())
            detail = VisitorsPage::tr("matched %1").arg(result.matchingValues.join(u'|'));
        if (!detail.isEmpty())
            item->setText(TraitRealizedBy,
                          item->text(TraitRealizedBy) + QStringLiteral(" · ") + detail);
    }
    for (const int child : node.children)
        addTraitRuleNode(item, rule, child);
}

QList<qint64> traitSidsIn(const QString &text)
{
    static const QRegularExpression traitReference(QStringLiteral("\\b(\\d+)T\\b"));
    QList<qint64> sids;
    for (auto it = traitReference.globalMatch(text); it.hasNext();) {
        const qint64 sid = it.next().captured(1).toLongLong();
        if (!sids.contains(sid))
            sids.append(sid);
    }
    return sids;
}

// The trait and FREQUENCY parts whose own change is the segment's: what a new realization
// would have to renew for the visitor to stay.
void collectCauses(const SegmentExplanation &node, qint64 atMs, QList<qint64> *traitSids)
{
    const bool leaf = node.kind == SegmentNodeKind::Trait
                      || node.kind == SegmentNodeKind::Frequency;
    if (leaf && node.holds && node.change.atMs == atMs) {
        for (const qint64 sid : traitSidsIn(node.text)) {
            if (!traitSids->contains(sid))
                traitSids->append(sid);
        }
    }
    for (const SegmentExplanation &child : node.children)
        collectCauses(child, atMs, traitSids);
}

QString changeTimeText(const SegmentChange &change)
{
    if (change.atMs == Realization::Never)
        return VisitorsPage::tr("never");
    const QString at = VisitorsPage::formatTime(change.atMs);
    return change.exact ? at : VisitorsPage::tr("%1 or later").arg(at);
}

QTreeWidget *makeTree(const QString &objectName, const QString &accessibleName,
                      const QStringList &headers)
{
    auto *tree = new QTreeWidget;
    tree->setObjectName(objectName);
    tree->setAccessibleName(accessibleName);
    tree->setHeaderLabels(headers);
    tree->setAlternatingRowColors(true);
    tree->setUniformRowHeights(true);
    tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tree->header()->setSectionsMovable(true);
    tree->header()->setStretchLastSection(true);
    tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    return tree;
}

// The first column as wide as its text, but never more than about half the tree, so that the
// state and times beside it stay in view.
void fitFirstColumn(QTreeWidget *tree)
{
    tree->resizeColumnToContents(0);
    const int most = std::max(200, tree->viewport()->width() / 2);
    if (tree->columnWidth(0) > most)
        tree->setColumnWidth(0, most);
}

QTableView *makeTable(const QString &objectName, const QString &accessibleName)
{
    auto *view = new QTableView;
    view->setObjectName(objectName);
    view->setAccessibleName(accessibleName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionsMovable(true);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    return view;
}

QWidget *titled(const QString &title, QWidget *body, QWidget *buddyOf = nullptr)
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *label = new QLabel(title);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    label->setBuddy(buddyOf ? buddyOf : body);
    layout->addWidget(label);
    layout->addWidget(body, 1);
    return box;
}

} // namespace

VisitorsPage::VisitorsPage(DcsServer &server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_eventsModel(new VisitorEventsModel(this))
    , m_callsModel(new TransferListModel(this))
{
    setObjectName(QStringLiteral("visitorsPage"));
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(5000);
    buildActions();
    buildLayout();
    restoreSettings();
    updateNavigation();
    updateSummary();
}

VisitorsPage::~VisitorsPage()
{
    saveSettings();
    m_latestGeneration.store(0); // a queued lookup that has not started skips its read
    m_pool.waitForDone();
}

qint64 VisitorsPage::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

QString VisitorsPage::formatTime(qint64 ms)
{
    if (ms == Realization::Never)
        return tr("never");
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

void VisitorsPage::buildActions()
{
    m_lookUpAction = new QAction(QIcon::fromTheme(QStringLiteral("edit-find")), tr("&Look Up"),
                                 this);
    m_lookUpAction->setToolTip(tr("Explain the visitor with this UUID, tid or declared ID"));
    connect(m_lookUpAction, &QAction::triggered, this,
            [this] { lookUp(m_lookupEdit->text()); });

    m_backAction = new QAction(QIcon::fromTheme(QStringLiteral("go-previous")), tr("&Back"),
                               this);
    m_backAction->setObjectName(QStringLiteral("visitorBack"));
    m_backAction->setShortcut(QKeySequence::Back);
    m_backAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_backAction->setToolTip(tr("The visitor looked up before this one (%1)")
                                 .arg(m_backAction->shortcut().toString(
                                     QKeySequence::NativeText)));
    connect(m_backAction, &QAction::triggered, this, &VisitorsPage::goBack);

    m_forwardAction = new QAction(QIcon::fromTheme(QStringLiteral("go-next")), tr("&Forward"),
                                  this);
    m_forwardAction->setObjectName(QStringLiteral("visitorForward"));
    m_forwardAction->setShortcut(QKeySequence::Forward);
    m_forwardAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_forwardAction->setToolTip(tr("The visitor looked up after this one (%1)")
                                    .arg(m_forwardAction->shortcut().toString(
                                        QKeySequence::NativeText)));
    connect(m_forwardAction, &QAction::triggered, this, &VisitorsPage::goForward);

    m_refreshAction = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")),
                                  tr("&Refresh"), this);
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_refreshAction->setToolTip(tr("Explain this visitor again, as of now"));
    connect(m_refreshAction, &QAction::triggered, this, &VisitorsPage::refresh);

    m_openInHistoryAction = new QAction(tr("Open in &History"), this);
    m_openInHistoryAction->setObjectName(QStringLiteral("openInHistory"));
    m_openInHistoryAction->setToolTip(
        tr("Show this call's partner attempts in the History page"));
    m_openInHistoryAction->setEnabled(false);
    connect(m_openInHistoryAction, &QAction::triggered, this, &VisitorsPage::openCurrentCall);

    m_copyUuidAction = new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")),
                                   tr("Copy the Visitor's &UUID"), this);
    m_copyUuidAction->setEnabled(false);
    connect(m_copyUuidAction, &QAction::triggered, this, [this] {
        QGuiApplication::clipboard()->setText(m_result.uuid);
        Q_EMIT statusMessage(tr("Copied the visitor's UUID"));
    });

    for (QAction *action : {m_backAction, m_forwardAction, m_refreshAction})
        addAction(action);
}

void VisitorsPage::buildLayout()
{
    const auto toolButton = [](QAction *action, const QString &name) {
        auto *button = new QToolButton;
        button->setObjectName(name);
        button->setDefaultAction(action);
        button->setAutoRaise(true);
        button->setAccessibleName(action->text().remove(u'&'));
        return button;
    };

    m_lookupEdit = new QLineEdit;
    m_lookupEdit->setObjectName(QStringLiteral("visitorLookup"));
    m_lookupEdit->setAccessibleName(tr("Visitor to look up"));
    m_lookupEdit->setPlaceholderText(
        tr("UUID (38 digits), tid, or declared ID as DPID:ID or integration code:ID"));
    m_lookupEdit->setToolTip(
        tr("A visitor's UUID, the tid of one of their calls, or an ID a data source declared "
           "for them (d_cid: DPID:ID, or the partner's integration code:ID)"));
    m_lookupEdit->setClearButtonEnabled(true);
    connect(m_lookupEdit, &QLineEdit::returnPressed, m_lookUpAction, &QAction::trigger);
    auto *lookupLabel = new QLabel(tr("&Visitor:"));
    lookupLabel->setBuddy(m_lookupEdit);
    auto *lookUpButton = new QPushButton(m_lookUpAction->icon(), m_lookUpAction->text());
    lookUpButton->setObjectName(QStringLiteral("lookUpButton"));
    lookUpButton->setToolTip(m_lookUpAction->toolTip());
    connect(lookUpButton, &QPushButton::clicked, m_lookUpAction, &QAction::trigger);

    auto *bar = new QHBoxLayout;
    bar->addWidget(toolButton(m_backAction, QStringLiteral("backButton")));
    bar->addWidget(toolButton(m_forwardAction, QStringLiteral("forwardButton")));
    bar->addWidget(lookupLabel);
    bar->addWidget(m_lookupEdit, 1);
    bar->addWidget(lookUpButton);
    bar->addWidget(toolButton(m_refreshAction, QStringLiteral("refreshButton")));

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("visitorSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_traits = makeTree(QStringLiteral("traitsTree"), tr("Traits held"),
                        {tr("Trait / realization / rule part"), tr("Realized by"),
                         tr("Expires"), tr("When")});
    m_traits->setToolTip(tr("Every trait the visitor holds now, each realization with what "
                            "realized it, and a rule trait's rule evaluated on that call"));
    m_traits->addAction(m_copyUuidAction);
    m_traits->setColumnWidth(TraitName, 240);
    m_traits->setColumnWidth(TraitRealizedBy, 170);
    m_traits->setColumnWidth(TraitExpires, 140);
    m_segments = makeTree(QStringLiteral("segmentsTree"), tr("Segments"),
                          {tr("Segment / rule part"), tr("Now"), tr("Changes"),
                           tr("Counted")});
    m_segments->setToolTip(tr("Every active segment with each part of its rule evaluated now; "
                              "FREQUENCY parts show the realizations they counted"));
    m_segments->addAction(m_copyUuidAction);
    m_segments->setColumnWidth(PartColumn, 260);
    m_segments->setColumnWidth(StateColumn, 120);
    m_segments->setColumnWidth(ChangesColumn, 175);
    m_changes = new QListWidget;
    m_changes->setObjectName(QStringLiteral("upcomingChanges"));
    m_changes->setAccessibleName(tr("Upcoming membership changes"));
    m_changes->setToolTip(tr("When the visitor will leave or join each segment if nothing new "
                             "happens"));
    m_changes->setWordWrap(true);
    m_changes->setAlternatingRowColors(true);

    m_segmentsSplitter = new QSplitter(Qt::Vertical);
    m_segmentsSplitter->setObjectName(QStringLiteral("visitorSegmentsSplitter"));
    m_segmentsSplitter->addWidget(titled(tr("&Segments"), m_segments));
    m_segmentsSplitter->addWidget(titled(tr("If nothing new &happens"), m_changes));
    m_segmentsSplitter->setStretchFactor(0, 3);
    m_segmentsSplitter->setStretchFactor(1, 1);
    m_segmentsSplitter->setChildrenCollapsible(false);

    m_explainSplitter = new QSplitter(Qt::Horizontal);
    m_explainSplitter->setObjectName(QStringLiteral("visitorExplainSplitter"));
    m_explainSplitter->addWidget(titled(tr("&Traits held"), m_traits));
    m_explainSplitter->addWidget(m_segmentsSplitter);
    m_explainSplitter->setChildrenCollapsible(false);
    m_explainSplitter->setStretchFactor(0, 1);
    m_explainSplitter->setStretchFactor(1, 1);
    m_explainSplitter->setSizes({600, 650});

    m_eventsView = makeTable(QStringLiteral("visitorEvents"), tr("Recent events"));
    m_eventsView->setModel(m_eventsModel);
    m_eventsView->horizontalHeader()->resizeSection(VisitorEventsModel::Time, 150);
    m_eventsView->horizontalHeader()->resizeSection(VisitorEventsModel::Tid, 120);
    m_eventsView->horizontalHeader()->resizeSection(VisitorEventsModel::Signals, 420);
    m_eventsView->horizontalHeader()->resizeSection(VisitorEventsModel::Traits, 220);
    connect(m_eventsView, &QWidget::customContextMenuRequested, this,
            &VisitorsPage::showEventsMenu);

    m_callsView = makeTable(QStringLiteral("visitorCalls"), tr("Partner calls"));
    m_callsView->setModel(m_callsModel);
    m_callsView->horizontalHeader()->resizeSection(TransferColumns::Time, 170);
    m_callsView->horizontalHeader()->resizeSection(TransferColumns::Tid, 120);
    m_callsView->horizontalHeader()->resizeSection(TransferColumns::Visitor, 200);
    m_callsView->horizontalHeader()->resizeSection(TransferColumns::Partner, 150);
    m_callsView->horizontalHeader()->resizeSection(TransferColumns::Outcome, 120);
    m_callsView->setColumnHidden(TransferColumns::Visitor, true); // always this visitor
    connect(m_callsView, &QWidget::customContextMenuRequested, this,
            &VisitorsPage::showCallsMenu);
    connect(m_callsView, &QAbstractItemView::activated, this, &VisitorsPage::openCurrentCall);
    connect(m_callsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_openInHistoryAction->setEnabled(current.isValid());
            });
    connect(m_callsModel, &QAbstractItemModel::modelReset, this,
            [this] { m_openInHistoryAction->setEnabled(false); });

    m_membershipChanges = makeTree(QStringLiteral("membershipChanges"),
                                   tr("Membership changes"),
                                   {tr("Time"), tr("Segment"), tr("Change"), tr("Cause")});
    m_membershipChanges->setRootIsDecorated(false);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("visitorActivity"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_eventsView, tr("Recent &events"));
    m_tabs->addTab(m_callsView, tr("&Partner calls"));
    m_tabs->addTab(m_membershipChanges, tr("&Membership changes"));

    m_mainSplitter = new QSplitter(Qt::Vertical);
    m_mainSplitter->setObjectName(QStringLiteral("visitorMainSplitter"));
    m_mainSplitter->addWidget(m_explainSplitter);
    m_mainSplitter->addWidget(m_tabs);
    m_mainSplitter->setStretchFactor(0, 3);
    m_mainSplitter->setStretchFactor(1, 2);
    m_mainSplitter->setChildrenCollapsible(false);
    m_mainSplitter->setSizes({560, 260});

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    layout->addWidget(m_mainSplitter, 1);
}

bool VisitorsPage::event(QEvent *event)
{
    // F5 is the window's workspace reload too: on this page it explains the visitor again.
    if (handlePageKeys(event, {{QKeySequence::Refresh, [this] { refresh(); }}}))
        return true;
    return QWidget::event(event);
}

void VisitorsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // Time moves: what expires and when is as of the moment the page is looked at.
    if (!m_result.uuid.isEmpty() && !m_loading)
        refresh();
}

void VisitorsPage::lookUp(const QString &text)
{
    if (m_lookupEdit->text() != text)
        m_lookupEdit->setText(text.trimmed());
    start(text, true);
}

void VisitorsPage::refresh()
{
    if (m_historyIndex >= 0)
        start(m_history.at(m_historyIndex), false);
    else if (!m_lookupEdit->text().trimmed().isEmpty())
        start(m_lookupEdit->text(), true);
}

void VisitorsPage::goBack()
{
    if (!canGoBack())
        return;
    --m_historyIndex;
    m_lookupEdit->setText(m_history.at(m_historyIndex));
    start(m_history.at(m_historyIndex), false);
    updateNavigation();
}

void VisitorsPage::goForward()
{
    if (!canGoForward())
        return;
    ++m_historyIndex;
    m_lookupEdit->setText(m_history.at(m_historyIndex));
    start(m_history.at(m_historyIndex), false);
    updateNavigation();
}

void VisitorsPage::start(const QString &text, bool addToHistory)
{
    const VisitorQuery query = VisitorQuery::parse(text);
    if (query.kind == VisitorQuery::Kind::Invalid) {
        const QString why = tr("Type a UUID (38 digits), a tid (12 characters) or a declared ID "
                               "(DPID:ID)");
        Q_EMIT statusMessage(why);
        m_summary->setText(why);
        return;
    }
    const quint64 generation = ++m_generation;
    m_latestGeneration.store(generation, std::memory_order_release);
    m_loading = true;
    m_summary->setText(tr("Looking up %1…").arg(query.text));
    Storage *storage = m_server.storage();
    std::shared_ptr<const RulesSnapshot> rules = m_server.rulesEngine()->snapshot();
    const qint64 nowMs = now();
    m_pool.start([this, storage, rules, query, nowMs, generation, addToHistory] {
        if (m_latestGeneration.load(std::memory_order_acquire) != generation)
            return; // a newer lookup was asked for before this one started
        auto result = std::make_shared<VisitorLookupResult>(
            lookUpVisitor(*storage, *rules, query, nowMs));
        storage->releaseReader(); // pool threads come and go
        QMetaObject::invokeMethod(
            this,
            [this, result, generation, addToHistory] {
                if (generation != m_generation)
                    return; // stale: another lookup replaced it
                showResult(std::move(*result), addToHistory);
            },
            Qt::QueuedConnection);
    });
}

void VisitorsPage::showResult(VisitorLookupResult result, bool addToHistory)
{
    m_loading = false;
    m_result = std::move(result);
    if (!m_result.uuid.isEmpty() && addToHistory
        && (m_historyIndex < 0 || m_history.at(m_historyIndex) != m_result.uuid)) {
        m_history.resize(m_historyIndex + 1); // a new lookup drops the forward entries
        m_history.append(m_result.uuid);
        m_historyIndex = int(m_history.size()) - 1;
    }
    m_copyUuidAction->setEnabled(!m_result.uuid.isEmpty());
    fillTraits();
    fillSegments();
    fillChanges();
    fillMembershipChanges();
    m_eventsModel->setEvents(m_result.events);
    m_callsModel->setRecords(m_result.partnerCalls);
    updateSummary();
    updateNavigation();
    if (!m_result.error.isEmpty())
        Q_EMIT statusMessage(m_result.error);
    else
        Q_EMIT statusMessage(tr("Explained visitor %1").arg(m_result.uuid));
    Q_EMIT lookupFinished(m_result.uuid);
}

QString VisitorsPage::traitLabel(qint64 sid) const
{
    const QString name = m_result.traitNames.value(sid);
    return name.isEmpty() ? QStringLiteral("%1T").arg(sid)
                          : QStringLiteral("%1T %2").arg(sid).arg(name);
}

void VisitorsPage::fillTraits()
{
    m_traits->clear();
    for (const ExplainedTrait &trait : m_result.explanation.traits) {
        auto *item = new QTreeWidgetItem(m_traits);
        item->setText(TraitName, QStringLiteral("%1 %2").arg(trait.sid).arg(trait.name));
        item->setData(0, SidRole, trait.sid);
        item->setText(TraitRealizedBy, tr("%1 trait · %2")
                                           .arg(traitTypeLabel(trait.type),
                                                realizationsText(trait.realizations.size())));
        qint64 lastMs = 0;
        qint64 expiresMs = 0;
        for (const ExplainedRealization &realization : trait.realizations) {
            lastMs = std::max(lastMs, realization.timeMs);
            expiresMs = std::max(expiresMs, realization.expiresMs);
        }
        item->setText(TraitWhen, formatTime(lastMs));
        item->setToolTip(TraitWhen, tr("The latest realization"));
        item->setText(TraitExpires, formatTime(expiresMs));
        item->setToolTip(TraitExpires, tr("When the last realization expires: the visitor "
                                          "no longer holds the trait then, unless it is "
                                          "realized again"));
        if (!trait.inRules)
            item->setToolTip(TraitName, tr("This trait is not in the rules in force: its rule "
                                           "no longer compiles, or it was deleted"));
        for (const ExplainedRealization &realization : trait.realizations) {
            auto *child = new QTreeWidgetItem(item);
            QString source = sourceLabel(realization);
            if (realization.traitSid != trait.sid)
                source += tr(", of %1").arg(traitLabel(realization.traitSid));
            child->setText(TraitName, source);
            child->setText(TraitRealizedBy, triggerText(realization.trigger));
            child->setToolTip(TraitRealizedBy, child->text(TraitRealizedBy));
            child->setText(TraitWhen, formatTime(realization.timeMs));
            child->setText(TraitExpires, formatTime(realization.expiresMs));
            if (realization.rule && !realization.rule->nodes.isEmpty()) {
                auto *rule = new QTreeWidgetItem(child);
                rule->setText(TraitName, tr("Rule: %1").arg(realization.rule->ruleText));
                rule->setToolTip(TraitName, realization.rule->ruleText);
                setTruth(rule, TraitRealizedBy, realization.rule->holds());
                addTraitRuleNode(rule, *realization.rule, 0);
            }
        }
        item->setExpanded(true);
    }
    fitFirstColumn(m_traits);
}

QTreeWidgetItem *VisitorsPage::segmentNodeItem(const SegmentExplanation &node) const
{
    auto *item = new QTreeWidgetItem;
    QString text = node.text;
    if (node.kind == SegmentNodeKind::Trait) {
        const QList<qint64> sids = traitSidsIn(node.text);
        if (sids.size() == 1 && m_result.traitNames.contains(sids.first()))
            text = traitLabel(sids.first());
    }
    item->setText(PartColumn, text);
    item->setToolTip(PartColumn, node.text);
    setTruth(item, StateColumn, node.holds);
    if (node.kind == SegmentNodeKind::Trait || node.kind == SegmentNodeKind::Frequency) {
        const bool fromStart = node.windowFromMs == SegmentExplanation::Unbounded;
        const bool untilNow = node.windowToMs >= m_result.explanation.nowMs;
        QString counted = realizationsText(node.count);
        if (!fromStart && untilNow)
            counted += tr(" since %1").arg(formatTime(node.windowFromMs));
        else if (!fromStart)
            counted += tr(" from %1 to %2")
                           .arg(formatTime(node.windowFromMs), formatTime(node.windowToMs));
        else if (!untilNow)
            counted += tr(" up to %1").arg(formatTime(node.windowToMs));
        else if (node.kind == SegmentNodeKind::Frequency)
            counted += tr(" (every unexpired one)");
        item->setText(CountedColumn, counted);
        item->setToolTip(CountedColumn, tr("The unexpired realizations this part counts now"));
    }
    item->setText(ChangesColumn, changeTimeText(node.change));
    item->setToolTip(ChangesColumn, tr("When this part's result changes with nothing new"));
    for (const SegmentExplanation &child : node.children)
        item->addChild(segmentNodeItem(child));
    return item;
}

void VisitorsPage::fillSegments()
{
    m_segments->clear();
    for (const ExplainedSegment &segment : m_result.explanation.segments) {
        auto *item = new QTreeWidgetItem(m_segments);
        item->setText(PartColumn, QStringLiteral("%1 %2").arg(segment.sid).arg(segment.name));
        item->setData(0, SidRole, segment.sid);
        item->setData(0, HoldsRole, segment.holds);
        item->setIcon(StateColumn, segment.holds
                                        ? StatusIcons::icon(StatusIcons::Glyph::CheckDisc,
                                                            StatusIcons::Tone::Good)
                                        : StatusIcons::icon(StatusIcons::Glyph::Ring,
                                                            StatusIcons::Tone::Muted));
        QString state = segment.holds ? tr("member") : tr("not a member");
        if (segment.membershipOutOfDate())
            state += tr(" (stored membership not updated yet)");
        if (!segment.inRules)
            state = tr("member of a segment no longer active");
        item->setText(StateColumn, state);
        if (segment.memberSinceMs)
            item->setText(CountedColumn,
                          tr("member since %1").arg(formatTime(*segment.memberSinceMs)));
        item->setToolTip(PartColumn, segment.ruleText);
        if (segment.change.atMs != Realization::Never) {
            item->setText(ChangesColumn, (segment.holds ? tr("leaves %1") : tr("joins %1"))
                                             .arg(changeTimeText(segment.change)));
        } else {
            item->setText(ChangesColumn, tr("no change"));
        }
        if (segment.inRules) {
            item->addChild(segmentNodeItem(segment.rule));
            item->setExpanded(true);
        }
    }
    m_segments->expandAll();
    fitFirstColumn(m_segments);
}

void VisitorsPage::fillChanges()
{
    m_changes->clear();
    for (const ExplainedSegment &segment : m_result.explanation.segments) {
        const QString name = tr("“%1” (%2)").arg(segment.name).arg(segment.sid);
        QString line;
        if (!segment.inRules) {
            line = tr("Leaves %1 at the next sweep: the segment is no longer active").arg(name);
        } else if (segment.holds && segment.change.atMs == Realization::Never) {
            line = tr("Stays in %1: nothing it relies on expires").arg(name);
        } else if (segment.holds) {
            QList<qint64> causes;
            collectCauses(segment.rule, segment.change.atMs, &causes);
            QStringList names;
            for (const qint64 sid : std::as_const(causes))
                names.append(traitLabel(sid));
            const QString unless = names.isEmpty()
                                       ? tr("something new happens")
                                       : tr("%1 is realized again").arg(
                                             names.join(tr(" or ")));
            line = tr("Leaves %1 on %2 unless %3")
                       .arg(name, changeTimeText(segment.change), unless);
        } else if (segment.change.atMs != Realization::Never) {
            line = tr("Joins %1 on %2 as its realizations age, unless something changes first")
                       .arg(name, changeTimeText(segment.change));
        } else {
            continue; // not a member, and nothing will make it one: no line
        }
        auto *item = new QListWidgetItem(line, m_changes);
        item->setData(SidRole, segment.sid);
        item->setIcon(segment.holds ? truthIcon(true) : truthIcon(false));
    }
    if (m_changes->count() == 0 && !m_result.uuid.isEmpty()) {
        auto *item = new QListWidgetItem(tr("No membership will change with nothing new"),
                                         m_changes);
        item->setFlags(Qt::ItemIsEnabled);
    }
}

void VisitorsPage::fillMembershipChanges()
{
    m_membershipChanges->clear();
    for (const ExplainedMembershipChange &change : m_result.explanation.recentChanges) {
        auto *item = new QTreeWidgetItem(m_membershipChanges);
        item->setText(0, formatTime(change.atMs));
        item->setText(1, QStringLiteral("%1 %2").arg(change.segmentSid).arg(change.segmentName));
        const bool join = change.kind == MembershipChange::Kind::Join;
        item->setText(2, join ? tr("joined") : tr("left"));
        item->setIcon(2, truthIcon(join));
        item->setText(3, change.cause);
    }
}

void VisitorsPage::updateSummary()
{
    if (m_loading)
        return;
    const VisitorExplanation &explanation = m_result.explanation;
    if (m_result.uuid.isEmpty()) {
        m_summary->setText(m_result.error.isEmpty()
                               ? tr("Look a visitor up by UUID, tid or declared ID, or choose "
                                    "Explain Visitor on a transfer in Monitor or History.")
                               : m_result.error);
        return;
    }
    if (!explanation.known) {
        m_summary->setText(tr("Nothing is stored about visitor %1.").arg(m_result.uuid));
        return;
    }
    int held = 0;
    for (const ExplainedSegment &segment : explanation.segments)
        held += segment.holds ? 1 : 0;
    QStringList parts;
    parts.append(tr("Visitor %1").arg(m_result.uuid));
    if (explanation.firstSeenMs)
        parts.append(tr("first seen %1").arg(formatTime(*explanation.firstSeenMs)));
    if (explanation.lastSeenMs)
        parts.append(tr("last seen %1").arg(formatTime(*explanation.lastSeenMs)));
    if (explanation.optedOutMs)
        parts.append(tr("opted out %1").arg(formatTime(*explanation.optedOutMs)));
    const qsizetype traits = explanation.traits.size();
    parts.append(traits == 1 ? tr("1 trait held") : tr("%L1 traits held").arg(traits));
    parts.append(tr("in %L1 of %L2 segments").arg(held).arg(explanation.segments.size()));
    parts.append(tr("as of %1").arg(formatTime(explanation.nowMs)));
    m_summary->setText(parts.join(QStringLiteral(" · ")));
}

void VisitorsPage::updateNavigation()
{
    m_backAction->setEnabled(canGoBack());
    m_forwardAction->setEnabled(canGoForward());
}

void VisitorsPage::openCurrentCall()
{
    const QModelIndex current = m_callsView->currentIndex();
    if (!current.isValid())
        return;
    Q_EMIT historyRequested(m_callsModel->record(current.row()).tid);
}

void VisitorsPage::showCallsMenu(const QPoint &position)
{
    const QModelIndex index = m_callsView->indexAt(position);
    if (!index.isValid())
        return;
    m_callsView->setCurrentIndex(index);
    const TransferRecord record = m_callsModel->record(index.row());
    QMenu menu(this);
    menu.addAction(m_openInHistoryAction);
    menu.addAction(tr("Copy tid"), this,
                   [tid = record.tid] { QGuiApplication::clipboard()->setText(tid); });
    menu.exec(m_callsView->viewport()->mapToGlobal(position));
}

void VisitorsPage::showEventsMenu(const QPoint &position)
{
    const QModelIndex index = m_eventsView->indexAt(position);
    if (!index.isValid())
        return;
    const EventRecord event = m_eventsModel->event(index.row());
    QMenu menu(this);
    menu.addAction(tr("Show Its Partner Calls in &History"), this,
                   [this, tid = event.tid] { Q_EMIT historyRequested(tid); });
    menu.addAction(tr("Copy tid"), this,
                   [tid = event.tid] { QGuiApplication::clipboard()->setText(tid); });
    menu.exec(m_eventsView->viewport()->mapToGlobal(position));
}

void VisitorsPage::restoreSettings()
{
    const AppSettings settings;
    m_mainSplitter->restoreState(settings.visitorsViewState(QStringLiteral("mainSplitter")));
    m_explainSplitter->restoreState(
        settings.visitorsViewState(QStringLiteral("explainSplitter")));
    m_segmentsSplitter->restoreState(
        settings.visitorsViewState(QStringLiteral("segmentsSplitter")));
    m_traits->header()->restoreState(settings.visitorsViewState(QStringLiteral("traitsHeader")));
    m_segments->header()->restoreState(
        settings.visitorsViewState(QStringLiteral("segmentsHeader")));
    m_eventsView->horizontalHeader()->restoreState(
        settings.visitorsViewState(QStringLiteral("eventsHeader")));
    m_callsView->horizontalHeader()->restoreState(
        settings.visitorsViewState(QStringLiteral("callsHeader")));
}

void VisitorsPage::saveSettings() const
{
    AppSettings settings;
    settings.setVisitorsViewState(QStringLiteral("mainSplitter"), m_mainSplitter->saveState());
    settings.setVisitorsViewState(QStringLiteral("explainSplitter"),
                                  m_explainSplitter->saveState());
    settings.setVisitorsViewState(QStringLiteral("segmentsSplitter"),
                                  m_segmentsSplitter->saveState());
    settings.setVisitorsViewState(QStringLiteral("traitsHeader"),
                                  m_traits->header()->saveState());
    settings.setVisitorsViewState(QStringLiteral("segmentsHeader"),
                                  m_segments->header()->saveState());
    settings.setVisitorsViewState(QStringLiteral("eventsHeader"),
                                  m_eventsView->horizontalHeader()->saveState());
    settings.setVisitorsViewState(QStringLiteral("callsHeader"),
                                  m_callsView->horizontalHeader()->saveState());
}

} // namespace Dcs
