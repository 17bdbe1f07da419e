#include "traits/traiteditor.h"

#include "rules/rulecodeedit.h"
#include "rules/traitrule.h"
#include "rules/traitrulegroups.h"
#include "rules/versionhistoryview.h"
#include "storage/definitionjson.h"
#include "traits/traitpreviewpanel.h"
#include "traits/visualruleeditor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Dcs {

namespace {

constexpr int MaxNameLength = 255;
constexpr int MaxTtlDays = 3650;

QString diagnosticText(const RuleDiagnostic &diagnostic)
{
    QString text = diagnostic.line > 0 ? TraitEditor::tr("Line %1, column %2: %3")
                                             .arg(diagnostic.line)
                                             .arg(diagnostic.column)
                                             .arg(diagnostic.text)
                                       : diagnostic.text;
    if (!diagnostic.hint.isEmpty())
        text += TraitEditor::tr(" — hint: %1").arg(diagnostic.hint);
    return text;
}

} // namespace

TraitEditor::TraitEditor(Storage &storage, QWidget *parent)
    : QWidget(parent)
    , m_storage(storage)
{
    setObjectName(QStringLiteral("traitEditor"));
    m_preview = new TraitPreviewPanel(storage);

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("traitEditorSplitter"));
    m_splitter->addWidget(createRuleViews());
    m_splitter->addWidget(m_preview);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createFields());
    layout->addWidget(m_splitter, 1);
    setTrait(Trait{});
}

QWidget *TraitEditor::createFields()
{
    auto *fields = new QWidget;
    auto *grid = new QGridLayout(fields);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(4);

    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("traitNameEdit"));
    m_name->setMaxLength(MaxNameLength);
    m_name->setPlaceholderText(tr("Required, up to 255 characters"));
    m_type = new QComboBox;
    m_type->setObjectName(QStringLiteral("traitTypeCombo"));
    m_type->addItem(tr("Rule-based"), int(Trait::Type::Rule));
    m_type->addItem(tr("Onboarded"), int(Trait::Type::Onboarded));
    m_type->addItem(tr("Folder"), int(Trait::Type::Folder));
    m_type->setToolTip(tr("Rule-based: evaluated on each call's signals. Onboarded: from a "
                          "partner's codes (ic == \"CODE\"). Folder: every trait in its folder "
                          "and the folders below"));
    m_integrationCode = new QLineEdit;
    m_integrationCode->setObjectName(QStringLiteral("traitIntegrationCodeEdit"));
    m_integrationCode->setPlaceholderText(tr("Optional"));
    m_dataSource = new QComboBox;
    m_dataSource->setObjectName(QStringLiteral("traitDataSourceCombo"));
    m_dataSource->setToolTip(tr("Where the data comes from: first party, or a partner's DPID"));
    m_folder = new QComboBox;
    m_folder->setObjectName(QStringLiteral("traitFolderCombo"));
    m_ttl = new QSpinBox;
    m_ttl->setObjectName(QStringLiteral("traitTtlSpin"));
    m_ttl->setRange(0, MaxTtlDays);
    m_ttl->setSuffix(tr(" days"));
    m_ttl->setSpecialValueText(tr("Never expires"));
    m_ttl->setToolTip(tr("How long a realization counts (0: never expires)"));
    m_description = new QPlainTextEdit;
    m_description->setObjectName(QStringLiteral("traitDescriptionEdit"));
    m_description->setPlaceholderText(tr("Optional: what the trait means, for other analysts"));
    m_description->setTabChangesFocus(true);
    m_description->setMaximumHeight(m_name->sizeHint().height() * 2);

    const auto addField = [&](int row, int column, const QString &label, QWidget *field) {
        auto *caption = new QLabel(label);
        caption->setBuddy(field);
        grid->addWidget(caption, row, column * 2, Qt::AlignRight);
        grid->addWidget(field, row, column * 2 + 1);
    };
    addField(0, 0, tr("&Name:"), m_name);
    addField(0, 1, tr("T&ype:"), m_type);
    addField(1, 0, tr("&Integration code:"), m_integrationCode);
    addField(1, 1, tr("Data &source:"), m_dataSource);
    addField(2, 0, tr("&Folder:"), m_folder);
    addField(2, 1, tr("&TTL:"), m_ttl);
    auto *descriptionLabel = new QLabel(tr("&Description:"));
    descriptionLabel->setBuddy(m_description);
    grid->addWidget(descriptionLabel, 3, 0, Qt::AlignRight | Qt::AlignTop);
    grid->addWidget(m_description, 3, 1, 1, 3);
    grid->setColumnStretch(1, 3);
    grid->setColumnStretch(3, 2);

    const auto changed = [this] {
        if (!m_filling)
            Q_EMIT edited();
    };
    connect(m_name, &QLineEdit::textChanged, this, changed);
    connect(m_integrationCode, &QLineEdit::textChanged, this, changed);
    connect(m_description, &QPlainTextEdit::textChanged, this, changed);
    connect(m_dataSource, &QComboBox::currentIndexChanged, this, changed);
    connect(m_folder, &QComboBox::currentIndexChanged, this, changed);
    connect(m_ttl, &QSpinBox::valueChanged, this, changed);
    connect(m_type, &QComboBox::currentIndexChanged, this, [this, changed] {
        typeChanged();
        changed();
    });
    return fields;
}

QWidget *TraitEditor::createRuleViews()
{
    m_visual = new VisualRuleEditor;
    m_code = new RuleCodeEdit(RuleCodeEdit::Language::Trait);
    m_code->setObjectName(QStringLiteral("traitRuleCodeEdit"));
    m_code->setCheckDelay(0); // the parser is fast; diagnostics follow each keystroke
    m_history = new VersionHistoryView(m_storage, DefinitionVersion::Kind::Trait);

    m_ruleTabs = new QTabWidget;
    m_ruleTabs->setObjectName(QStringLiteral("ruleTabs"));
    m_ruleTabs->addTab(m_visual, tr("&Visual"));
    m_ruleTabs->addTab(m_code, tr("&Code"));
    m_ruleTabs->addTab(m_history, tr("&History"));
    m_ruleTabs->setTabToolTip(VisualTab, tr("Groups of conditions; the code view follows"));
    m_ruleTabs->setTabToolTip(CodeTab, tr("The rule text; the visual view follows"));
    m_ruleTabs->setTabToolTip(HistoryTab, tr("Every saved version, with what changed"));

    m_notice = new QLabel;
    m_notice->setObjectName(QStringLiteral("visualNotice"));
    m_notice->setWordWrap(true);
    m_notice->setFrameShape(QFrame::StyledPanel);
    m_notice->hide();
    m_folderTraitNote = new QLabel(tr("A folder trait has no rule: it holds every trait in its "
                                      "folder and the folders below it."));
    m_folderTraitNote->setObjectName(QStringLiteral("folderTraitNote"));
    m_folderTraitNote->setWordWrap(true);
    m_folderTraitNote->hide();

    m_diagnostics = new QListWidget;
    m_diagnostics->setObjectName(QStringLiteral("ruleDiagnosticsList"));
    m_diagnostics->setAccessibleName(tr("Problems in the rule"));
    m_diagnostics->setMaximumHeight(m_diagnostics->fontMetrics().height() * 4);
    m_diagnostics->setWordWrap(true);
    m_diagnostics->hide();
    // A click on a problem puts the cursor where it is, in the code view.
    connect(m_diagnostics, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QList<RuleDiagnostic> diagnostics = m_code->diagnostics();
        const int row = m_diagnostics->row(item);
        if (row < 0 || row >= diagnostics.size())
            return;
        m_ruleTabs->setCurrentIndex(CodeTab);
        QTextCursor cursor = m_code->textCursor();
        cursor.setPosition(m_code->rangeOf(diagnostics.at(row)).start);
        m_code->setTextCursor(cursor);
        m_code->setFocus();
    });

    connect(m_code, &QPlainTextEdit::textChanged, this, &TraitEditor::codeChanged);
    connect(m_code, &RuleCodeEdit::diagnosticsChanged, this, &TraitEditor::showDiagnostics);
    connect(m_visual, &VisualRuleEditor::groupsEdited, this, &TraitEditor::visualChanged);
    connect(m_history, &VersionHistoryView::restoreRequested, this,
            [this](const QJsonObject &definition, int version) {
                Q_UNUSED(version)
                QList<JsonIssue> issues;
                Trait restored = DefinitionJson::traitFromJson(definition, QString(), &issues);
                restored.sid = m_original.sid;
                loadDraft(restored);
                m_ruleTabs->setCurrentIndex(m_notice->isVisible() ? CodeTab : VisualTab);
            });

    auto *column = new QWidget;
    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_notice);
    layout->addWidget(m_folderTraitNote);
    layout->addWidget(m_ruleTabs, 1);
    layout->addWidget(m_diagnostics);
    return column;
}

void TraitEditor::setTrait(const Trait &trait)
{
    m_original = trait;
    fillFields(trait);
    m_history->setSid(trait.sid);
}

void TraitEditor::loadDraft(const Trait &trait)
{
    fillFields(trait);
    Q_EMIT edited();
}

void TraitEditor::revert()
{
    fillFields(m_original);
    Q_EMIT edited();
}

void TraitEditor::fillFields(const Trait &trait)
{
    m_filling = true;
    m_name->setText(trait.name);
    m_integrationCode->setText(trait.integrationCode);
    m_description->setPlainText(trait.description);
    selectData(m_dataSource, trait.dataSource);
    selectData(m_folder, trait.folderId);
    m_ttl->setValue(trait.ttlDays);
    selectData(m_type, int(trait.type));
    typeChanged();
    m_syncing = false;
    m_code->setRuleText(trait.rule);
    m_code->document()->clearUndoRedoStacks();
    m_filling = false;
    syncVisualFromCode();
}

void TraitEditor::selectData(QComboBox *combo, qint64 value)
{
    int index = combo->findData(value);
    if (index < 0 && combo == m_dataSource) {
        combo->addItem(tr("DPID %1").arg(value), value);
        index = combo->count() - 1;
    }
    combo->setCurrentIndex(index);
}

Trait TraitEditor::draft() const
{
    Trait trait = m_original;
    trait.name = m_name->text().trimmed();
    trait.integrationCode = m_integrationCode->text().trimmed();
    trait.description = m_description->toPlainText();
    trait.dataSource = m_dataSource->currentData().toLongLong();
    trait.folderId = m_folder->currentData().toLongLong();
    trait.ttlDays = m_ttl->value();
    trait.type = Trait::Type(m_type->currentData().toInt());
    trait.rule = trait.type == Trait::Type::Folder ? QString() : m_code->ruleText();
    return trait;
}

bool TraitEditor::isDirty() const
{
    return draft() != m_original;
}

QStringList TraitEditor::issues() const
{
    QStringList problems;
    const Trait trait = draft();
    if (trait.name.isEmpty())
        problems.append(tr("a name is required"));
    if (trait.folderId == 0)
        problems.append(tr("choose a folder"));
    if (trait.type != Trait::Type::Folder) {
        if (trait.rule.trimmed().isEmpty())
            problems.append(tr("the rule is empty"));
        else if (!m_code->diagnostics().isEmpty() || !TraitRule::compile(trait.rule).ok())
            problems.append(tr("the rule has errors"));
    }
    return problems;
}

void TraitEditor::setFolders(const QList<QPair<qint64, QString>> &folderPaths)
{
    const qint64 current = m_folder->currentData().toLongLong();
    const bool filling = m_filling;
    m_filling = true;
    m_folder->clear();
    for (const auto &[id, path] : folderPaths)
        m_folder->addItem(path, id);
    selectData(m_folder, current ? current : m_original.folderId);
    m_filling = filling;
}

void TraitEditor::setPartners(const QList<Partner> &partners)
{
    const qint64 current = m_dataSource->currentData().toLongLong();
    const bool filling = m_filling;
    m_filling = true;
    m_dataSource->clear();
    m_dataSource->addItem(tr("First party (0)"), qint64(0));
    for (const Partner &partner : partners)
        m_dataSource->addItem(tr("%1 (%2)").arg(partner.name).arg(partner.dpid), partner.dpid);
    selectData(m_dataSource, current);
    m_filling = filling;
}

void TraitEditor::setKeyStats(const QList<SignalKeyStat> &stats)
{
    m_visual->setKeyStats(stats);
    QList<RuleCodeEdit::Completion> completions;
    for (const SignalKeyStat &stat : stats) {
        QStringList top;
        for (const SignalValueCount &value : stat.topValues.mid(0, 3))
            top.append(value.value);
        completions.append({stat.key, tr("%1 events; e.g. %2")
                                          .arg(stat.events)
                                          .arg(top.join(QStringLiteral(", ")))});
    }
    completions.append({QStringLiteral("ic"), tr("partner codes (onboarded traits)")});
    m_code->setCompletions(completions);
}

void TraitEditor::typeChanged()
{
    const bool folder = Trait::Type(m_type->currentData().toInt()) == Trait::Type::Folder;
    m_folderTraitNote->setVisible(folder);
    m_visual->setEnabled(!folder);
    m_code->setReadOnly(folder);
}

void TraitEditor::codeChanged()
{
    const QString text = m_code->ruleText();
    if (Trait::Type(m_type->currentData().toInt()) != Trait::Type::Folder)
        m_preview->setRule(text);
    else
        m_preview->clear();
    if (!m_syncing)
        syncVisualFromCode();
    if (!m_filling)
        Q_EMIT edited();
}

void TraitEditor::syncVisualFromCode()
{
    const QString text = m_code->ruleText();
    const TraitRuleParse parse = TraitRule::compile(text);
    if (text.trimmed().isEmpty()) {
        m_visual->setGroups({});
        m_visual->setReadOnly(false);
        m_notice->hide();
        return;
    }
    if (!parse.ok()) {
        // The groups shown are those of the last text that parsed; editing them would throw
        // the analyst's typing away.
        m_visual->setReadOnly(true);
        m_notice->setText(tr("The rule has errors: fix them in the code view to edit it "
                             "visually."));
        m_notice->show();
        return;
    }
    QString reason;
    const std::optional<TraitRuleGroups> groups
        = TraitRuleGroupsConversion::fromRule(*parse.rule, &reason);
    if (!groups) {
        m_visual->setGroups({});
        m_visual->setReadOnly(true);
        m_notice->setText(tr("The visual view cannot show this rule (%1). It stays as written: "
                             "edit it in the code view.")
                              .arg(reason));
        m_notice->show();
        if (m_ruleTabs->currentIndex() == VisualTab)
            m_ruleTabs->setCurrentIndex(CodeTab);
        return;
    }
    m_visual->setGroups(*groups);
    m_visual->setReadOnly(false);
    m_notice->hide();
}

void TraitEditor::visualChanged()
{
    const TraitRuleGroupsText text = TraitRuleGroupsConversion::toRuleText(m_visual->groups());
    m_syncing = true;
    // On error the text as built goes to the code view, so the problem shows where it is.
    m_code->setRuleText(text.ok() ? text.text : text.draft);
    m_syncing = false;
}

void TraitEditor::showDiagnostics(const QList<RuleDiagnostic> &diagnostics)
{
    m_diagnostics->clear();
    // An empty rule is not an error being typed: issues() says it when saving.
    if (m_code->ruleText().trimmed().isEmpty()) {
        m_diagnostics->hide();
        return;
    }
    for (const RuleDiagnostic &diagnostic : diagnostics) {
        auto *item = new QListWidgetItem(diagnosticText(diagnostic));
        item->setToolTip(diagnostic.message());
        m_diagnostics->addItem(item);
    }
    m_diagnostics->setVisible(!diagnostics.isEmpty());
}

} // namespace Dcs
