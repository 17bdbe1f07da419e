#include "segmenteditor.h"

#include "destinationseditor.h"
#include "rules/rulecodeedit.h"
#include "rules/segmentrulegroups.h"
#include "rules/versionhistoryview.h"
#include "storage/definitionjson.h"
#include "segmentpreviewpanel.h"
#include "segmentrulebuilder.h"
#include "storage/storage.h"
#include "traittreemodel.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace Dcs {

namespace {

constexpr int kMaxName = 255;
constexpr int kMaxIntegrationCode = 64;

QLabel *noticeLabel(const QString &objectName)
{
    auto *label = new QLabel;
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setMargin(4);
    label->setFrameShape(QFrame::StyledPanel);
    label->setBackgroundRole(QPalette::ToolTipBase);
    label->setForegroundRole(QPalette::ToolTipText);
    label->setAutoFillBackground(true);
    label->hide();
    return label;
}

} // namespace

SegmentEditor::SegmentEditor(Storage &storage, QWidget *parent)
    : QWidget(parent)
    , m_storage(storage)
    , m_job(new SegmentPreviewJob(storage, this))
{
    setObjectName(QStringLiteral("segmentEditor"));

    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("segmentNameEdit"));
    m_name->setMaxLength(kMaxName);
    m_name->setPlaceholderText(tr("Required"));
    m_integrationCode = new QLineEdit;
    m_integrationCode->setObjectName(QStringLiteral("integrationCodeEdit"));
    m_integrationCode->setMaxLength(kMaxIntegrationCode);
    m_integrationCode->setPlaceholderText(tr("Optional: %ALIAS% in URL destinations"));
    m_folder = new QComboBox;
    m_folder->setObjectName(QStringLiteral("folderCombo"));
    m_status = new QComboBox;
    m_status->setObjectName(QStringLiteral("statusCombo"));
    m_status->addItem(tr("Active"), true);
    m_status->addItem(tr("Inactive"), false);
    m_status->setToolTip(tr("An inactive segment is not evaluated: nobody joins or holds it"));
    m_description = new QLineEdit;
    m_description->setObjectName(QStringLiteral("descriptionEdit"));
    m_description->setPlaceholderText(tr("Optional: what the segment is for"));

    auto *fields = new QGridLayout;
    const auto addField = [fields](int row, int column, const QString &label, QWidget *field) {
        auto *text = new QLabel(label);
        text->setBuddy(field);
        fields->addWidget(text, row, column * 2);
        fields->addWidget(field, row, column * 2 + 1);
    };
    addField(0, 0, tr("&Name:"), m_name);
    addField(0, 1, tr("&Integration code:"), m_integrationCode);
    addField(1, 0, tr("&Folder:"), m_folder);
    addField(1, 1, tr("S&tatus:"), m_status);
    addField(2, 0, tr("D&escription:"), m_description);
    fields->setColumnStretch(1, 2);
    fields->setColumnStretch(3, 1);

    m_destinations = new DestinationsEditor;
    m_preview = new SegmentPreviewPanel;

    auto *ruleTab = new QWidget;
    ruleTab->setObjectName(QStringLiteral("segmentRuleTab"));
    auto *ruleLayout = new QVBoxLayout(ruleTab);
    ruleLayout->addLayout(fields);
    ruleLayout->addWidget(createRuleTab(), 1);

    m_editorTabs = new QTabWidget;
    m_editorTabs->setObjectName(QStringLiteral("segmentEditorTabs"));
    m_editorTabs->addTab(ruleTab, tr("&Rule"));
    m_editorTabs->setTabToolTip(0, tr("Name, folder, status and the rule, with its preview"));
    m_editorTabs->addTab(m_destinations, tr("&Destinations"));
    m_editorTabs->setTabToolTip(1, tr("Cookie and URL destinations sent in the answer"));
    // Every saved version with its diff; restoring one loads it as an unsaved edit.
    m_history = new VersionHistoryView(storage, DefinitionVersion::Kind::Segment);
    m_editorTabs->addTab(m_history, tr("&History"));
    m_editorTabs->setTabToolTip(2, tr("Every saved version of this segment, with what changed"));
    connect(m_history, &VersionHistoryView::restoreRequested, this,
            [this](const QJsonObject &definition, int version) {
                Q_UNUSED(version)
                QList<JsonIssue> issues;
                Segment restored = DefinitionJson::segmentFromJson(definition, QString(), &issues);
                restored.sid = m_stored.sid;
                loadDraft(restored);
                m_editorTabs->setCurrentIndex(0);
            });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_editorTabs);

    for (QLineEdit *edit : {m_name, m_integrationCode, m_description}) {
        connect(edit, &QLineEdit::textEdited, this, [this] {
            if (!m_filling)
                Q_EMIT edited();
        });
    }
    connect(m_integrationCode, &QLineEdit::textChanged, this, &SegmentEditor::updateAlias);
    for (QComboBox *combo : {m_folder, m_status}) {
        connect(combo, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_filling)
                Q_EMIT edited();
        });
    }
    connect(m_destinations, &DestinationsEditor::edited, this, [this] {
        if (!m_filling)
            Q_EMIT edited();
    });

    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(kPreviewDelayMs);
    connect(m_previewTimer, &QTimer::timeout, this, &SegmentEditor::runPreview);
    connect(m_job, &SegmentPreviewJob::progress, m_preview, &SegmentPreviewPanel::setProgress);
    connect(m_job, &SegmentPreviewJob::finished, this,
            [this](const SegmentPreviewResult &result) {
                if (result.generation != m_job->generation())
                    return; // an older draft's
                m_preview->showResult(result);
                m_lastPreview = result.ok() ? std::optional(result) : std::nullopt;
                Q_EMIT previewFinished(result);
            });
    connect(m_preview, &SegmentPreviewPanel::cancelRequested, this, [this] {
        m_previewTimer->stop();
        m_job->cancel();
        m_preview->showMessage(tr("Preview cancelled; edit the rule to count again"));
    });

    setSegment(Segment());
    setEnabled(false);
}

SegmentEditor::~SegmentEditor() = default;

QWidget *SegmentEditor::createRuleTab()
{
    m_traitModel = new TraitTreeModel(this);
    m_traitProxy = new QSortFilterProxyModel(this);
    m_traitProxy->setSourceModel(m_traitModel);
    m_traitProxy->setRecursiveFilteringEnabled(true);
    m_traitProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_traitProxy->setFilterKeyColumn(-1);
    auto *traitSearch = new QLineEdit;
    traitSearch->setObjectName(QStringLiteral("traitSearch"));
    traitSearch->setPlaceholderText(tr("Find a trait by name or SID"));
    traitSearch->setClearButtonEnabled(true);
    traitSearch->setAccessibleName(tr("Find a trait"));
    connect(traitSearch, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_traitProxy->setFilterFixedString(text.trimmed());
        if (!text.trimmed().isEmpty())
            m_traitTree->expandAll();
    });
    m_traitTree = new QTreeView;
    m_traitTree->setObjectName(QStringLiteral("traitTree"));
    m_traitTree->setAccessibleName(tr("Traits"));
    m_traitTree->setModel(m_traitProxy);
    m_traitTree->setDragEnabled(true);
    m_traitTree->setDragDropMode(QAbstractItemView::DragOnly);
    m_traitTree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_traitTree->setUniformRowHeights(true);
    m_traitTree->header()->setStretchLastSection(false);
    m_traitTree->header()->setSectionResizeMode(TraitTreeModel::NameColumn,
                                                QHeaderView::Stretch);
    m_traitTree->header()->setSectionResizeMode(TraitTreeModel::SidColumn,
                                                QHeaderView::ResizeToContents);
    m_traitTree->setToolTip(tr("Drag traits into a group of the Visual view; double-click to "
                               "add one to the last group"));
    connect(m_traitTree, &QTreeView::doubleClicked, this, [this](const QModelIndex &index) {
        const qint64 sid = index.data(TraitTreeModel::SidRole).toLongLong();
        if (sid <= 0 || !m_builder->isExpressible())
            return;
        const int groups = int(m_builder->groups().groups.size());
        m_builder->addTraits(qMax(0, groups - 1), {sid});
    });
    auto *treeBox = new QWidget;
    auto *treeLayout = new QVBoxLayout(treeBox);
    treeLayout->setContentsMargins(0, 0, 0, 0);
    treeLayout->addWidget(traitSearch);
    treeLayout->addWidget(m_traitTree, 1);

    m_builder = new SegmentRuleBuilder;
    connect(m_builder, &SegmentRuleBuilder::edited, this, &SegmentEditor::builderEdited);
    m_code = new RuleCodeEdit(RuleCodeEdit::Language::Segment);
    m_code->setObjectName(QStringLiteral("segmentCodeEdit"));
    connect(m_code, &QPlainTextEdit::textChanged, this, &SegmentEditor::codeChanged);
    connect(m_code, &RuleCodeEdit::diagnosticsChanged, this, &SegmentEditor::updateDiagnostics);

    m_ruleTabs = new QTabWidget;
    m_ruleTabs->setObjectName(QStringLiteral("ruleViewTabs"));
    m_ruleTabs->addTab(m_builder, tr("&Visual"));
    m_ruleTabs->setTabToolTip(VisualView, tr("Groups of traits dragged from the tree"));
    m_ruleTabs->addTab(m_code, tr("C&ode"));
    m_ruleTabs->setTabToolTip(CodeView, tr("The rule as text, e.g. 1234T AND "
                                           "FREQUENCY([5678T] <= 7D) >= 2"));
    m_notice = noticeLabel(QStringLiteral("ruleNotice"));
    m_diagnostics = new QLabel;
    m_diagnostics->setObjectName(QStringLiteral("ruleDiagnostics"));
    m_diagnostics->setWordWrap(true);
    m_diagnostics->setTextFormat(Qt::PlainText);
    m_diagnostics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette red = m_diagnostics->palette();
    red.setColor(QPalette::WindowText, QColor(200, 40, 40));
    m_diagnostics->setPalette(red);

    auto *ruleBox = new QWidget;
    auto *ruleLayout = new QVBoxLayout(ruleBox);
    ruleLayout->setContentsMargins(0, 0, 0, 0);
    ruleLayout->addWidget(m_notice);
    ruleLayout->addWidget(m_ruleTabs, 1);
    ruleLayout->addWidget(m_diagnostics);

    m_splitter = new QSplitter;
    m_splitter->setObjectName(QStringLiteral("segmentEditorSplitter"));
    m_splitter->addWidget(treeBox);
    m_splitter->addWidget(ruleBox);
    m_splitter->addWidget(m_preview);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setStretchFactor(2, 1);
    m_splitter->setSizes({260, 560, 300});
    m_splitter->setChildrenCollapsible(false);
    return m_splitter;
}

void SegmentEditor::setCatalog(const QList<Folder> &folders, const QList<Trait> &traits,
                               std::shared_ptr<const RulesSnapshot> rules)
{
    m_rules = std::move(rules);
    m_traitModel->setDefinitions(folders, traits);
    m_traitTree->expandToDepth(1);
    m_builder->setTraits(m_traitModel->traits());

    QList<RuleCodeEdit::Completion> completions;
    for (const Trait &trait : traits)
        completions.append({QString::number(trait.sid) + u'T', trait.name});
    m_code->setCompletions(completions);
    m_code->setChecker([this](QStringView text) { return check(text); });

    const bool filling = std::exchange(m_filling, true);
    const qint64 current = m_folder->currentData().toLongLong();
    m_folder->clear();
    // Indented by depth, parents before children.
    QHash<qint64, Folder> byId;
    for (const Folder &folder : folders)
        byId.insert(folder.id, folder);
    QList<Folder> ordered = folders;
    std::sort(ordered.begin(), ordered.end(), [](const Folder &a, const Folder &b) {
        return a.id < b.id;
    });
    const std::function<void(std::optional<qint64>, int)> addChildren =
        [&](std::optional<qint64> parent, int depth) {
            for (const Folder &folder : std::as_const(ordered)) {
                if (folder.parentId != parent || depth > 6)
                    continue;
                m_folder->addItem(QString(depth * 2, u' ') + folder.name, folder.id);
                addChildren(folder.id, depth + 1);
            }
        };
    addChildren(std::nullopt, 0);
    const int index = m_folder->findData(current ? current : m_stored.folderId);
    m_folder->setCurrentIndex(qMax(0, index));
    m_filling = filling;
    if (isEnabled())
        schedulePreview();
}

QList<RuleDiagnostic> SegmentEditor::check(QStringView text) const
{
    RuleDiagnostic diagnostic;
    const std::optional<SegmentRule> rule = SegmentRule::parse(text, &diagnostic);
    if (!rule)
        return {diagnostic};
    if (!m_rules)
        return {};
    return rule->validate(m_rules->catalog());
}

void SegmentEditor::setSegment(const Segment &segment)
{
    m_stored = segment;
    m_history->setSid(segment.sid);
    fill(segment);
}

void SegmentEditor::loadDraft(const Segment &draft)
{
    fill(draft);
    Q_EMIT edited();
}

void SegmentEditor::fill(const Segment &segment)
{
    const bool filling = std::exchange(m_filling, true);
    m_name->setText(segment.name);
    m_integrationCode->setText(segment.integrationCode);
    m_description->setText(segment.description);
    int folder = m_folder->findData(segment.folderId);
    if (folder < 0 && segment.sid == 0)
        folder = 0; // a new segment: the first folder until the analyst picks one
    m_folder->setCurrentIndex(folder);
    m_status->setCurrentIndex(segment.active ? 0 : 1);
    m_destinations->setDestinations(segment.destinations);
    updateAlias();
    showRuleInViews(segment.rule, true);
    m_filling = filling;
    m_lastPreview.reset();
    if (segment.sid == 0 && segment.name.isEmpty() && segment.rule.isEmpty())
        m_preview->showMessage(tr("Add traits to the rule to see who would hold it"));
    schedulePreview();
}

void SegmentEditor::showRuleInViews(const QString &text, bool chooseView)
{
    const bool syncing = std::exchange(m_syncing, true);
    m_code->setRuleText(text);
    QString whyNot;
    const std::optional<SegmentRuleGroups> groups = SegmentRuleGroups::fromText(text, &whyNot);
    if (groups) {
        m_builder->setGroups(*groups);
        m_notice->hide();
    } else {
        m_builder->setInexpressible(whyNot);
        if (chooseView) {
            m_notice->setText(tr("Opened in the Code view: the visual view cannot show this "
                                 "rule (%1)")
                                  .arg(whyNot));
            m_notice->show();
            m_ruleTabs->setCurrentIndex(CodeView);
        }
    }
    m_syncing = syncing;
}

Segment SegmentEditor::draft() const
{
    Segment segment = m_stored;
    segment.name = m_name->text().trimmed();
    segment.integrationCode = m_integrationCode->text().trimmed();
    segment.description = m_description->text().trimmed();
    if (m_folder->currentIndex() >= 0)
        segment.folderId = m_folder->currentData().toLongLong();
    segment.active = m_status->currentData().toBool();
    segment.rule = m_code->ruleText().trimmed();
    segment.destinations = m_destinations->destinations();
    return segment;
}

bool SegmentEditor::isDirty() const
{
    if (!isEnabled())
        return false;
    Segment stored = m_stored;
    stored.rule = stored.rule.trimmed();
    return draft() != stored;
}

QStringList SegmentEditor::issues() const
{
    QStringList problems;
    const Segment segment = draft();
    if (segment.name.isEmpty())
        problems.append(tr("the segment needs a name"));
    if (m_folder->currentIndex() < 0)
        problems.append(tr("choose a folder (create one on the Traits page first)"));
    const QList<RuleDiagnostic> diagnostics = check(segment.rule);
    if (!diagnostics.isEmpty())
        problems.append(tr("rule: %1").arg(diagnostics.first().message()));
    problems.append(m_destinations->issues());
    return problems;
}

void SegmentEditor::revert()
{
    setSegment(m_stored);
    Q_EMIT edited();
}

void SegmentEditor::setRuleView(RuleView view)
{
    m_ruleTabs->setCurrentIndex(view);
}

SegmentEditor::RuleView SegmentEditor::ruleView() const
{
    return RuleView(m_ruleTabs->currentIndex());
}

void SegmentEditor::codeChanged()
{
    if (m_syncing)
        return;
    // Typed in the code view: the visual view follows when it can show the rule.
    const bool syncing = std::exchange(m_syncing, true);
    QString whyNot;
    const std::optional<SegmentRuleGroups> groups
        = SegmentRuleGroups::fromText(m_code->ruleText(), &whyNot);
    if (groups) {
        m_builder->setGroups(*groups);
        m_notice->hide();
    } else {
        m_builder->setInexpressible(whyNot);
    }
    m_syncing = syncing;
    schedulePreview();
    if (!m_filling)
        Q_EMIT edited();
}

void SegmentEditor::builderEdited()
{
    if (m_syncing)
        return;
    const bool syncing = std::exchange(m_syncing, true);
    m_code->setRuleText(m_builder->groups().toText());
    m_notice->hide();
    m_syncing = syncing;
    schedulePreview();
    Q_EMIT edited();
}

void SegmentEditor::updateDiagnostics(const QList<RuleDiagnostic> &diagnostics)
{
    QStringList lines;
    for (const RuleDiagnostic &diagnostic : diagnostics)
        lines.append(diagnostic.message());
    if (m_code->ruleText().trimmed().isEmpty())
        lines.clear(); // an empty rule is the start of one, not an error worth red text
    m_diagnostics->setText(lines.join(u'\n'));
    m_diagnostics->setVisible(!lines.isEmpty());
}

void SegmentEditor::updateAlias()
{
    const QString code = m_integrationCode->text().trimmed();
    m_destinations->setAlias(code.isEmpty() ? (m_stored.sid > 0 ? QString::number(m_stored.sid)
                                                                : tr("SID"))
                                            : code);
}

void SegmentEditor::schedulePreview()
{
    m_lastPreview.reset();
    if (!isEnabled())
        return; // no segment shown
    m_job->cancel();
    m_preview->showPending();
    m_previewTimer->start();
}

void SegmentEditor::previewNow()
{
    m_previewTimer->stop();
    runPreview();
}

void SegmentEditor::runPreview()
{
    m_previewTimer->stop();
    const QString text = m_code->ruleText();
    if (!m_rules) {
        m_preview->showMessage(tr("Reading the traits…"));
        return;
    }
    if (text.trimmed().isEmpty()) {
        m_job->cancel();
        m_preview->showMessage(tr("Add traits to the rule to see who would hold it"));
        return;
    }
    const QList<RuleDiagnostic> diagnostics = check(text);
    if (!diagnostics.isEmpty()) {
        m_job->cancel();
        m_preview->showInvalid(diagnostics.first());
        return;
    }
    m_job->start(m_rules, text, m_stored.sid > 0 ? m_stored.rule : QString(),
                 QDateTime::currentMSecsSinceEpoch());
    m_preview->showRunning();
}

} // namespace Dcs
