#pragma once

#include "rules/definitions.h"
#include "rules/rulesnapshot.h"
#include "rules/segmentpreview.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QTimer;
class QTreeView;

namespace Dcs {

class DestinationsEditor;
class RuleCodeEdit;
class SegmentPreviewPanel;
class SegmentRuleBuilder;
class Storage;
class TraitTreeModel;
class VersionHistoryView;

// One segment's fields and rule, the rule in two views kept in sync (Visual: groups of traits
// dragged from the trait tree; Code: the rule text with the parser's and the catalog's
// diagnostics), the live preview beside them (debounced after each edit, cancellable) and the
// destinations. Nothing is stored here: the page saves draft().
class SegmentEditor final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kPreviewDelayMs = 250;
    enum RuleView { VisualView, CodeView };

    explicit SegmentEditor(Storage &storage, QWidget *parent = nullptr);
    ~SegmentEditor() override;

    // The workspace's folders and traits, and the compiled rules the draft is checked and
    // previewed against (the rules engine's snapshot).
    void setCatalog(const QList<Folder> &folders, const QList<Trait> &traits,
                    std::shared_ptr<const RulesSnapshot> rules);
    // Shows a segment as stored (sid 0: a new one, not saved yet). Drops the edits.
    void setSegment(const Segment &segment);
    // Shows `draft` (a restored version) as an unsaved edit of the stored segment.
    void loadDraft(const Segment &draft);
    VersionHistoryView *historyView() const { return m_history; }
    const Segment &stored() const { return m_stored; }
    Segment draft() const;
    bool isDirty() const;
    // Problems that keep the draft from being saved, in words; empty when it may be saved.
    QStringList issues() const;
    bool isValid() const { return issues().isEmpty(); }
    void revert();

    // The last preview shown (status Done), or nullopt before the first or after an edit.
    const std::optional<SegmentPreviewResult> &lastPreview() const { return m_lastPreview; }
    // Starts the preview now instead of after the debounce delay.
    void previewNow();

    void setRuleView(RuleView view);
    RuleView ruleView() const;

    QTabWidget *editorTabs() const { return m_editorTabs; }
    QTabWidget *ruleTabs() const { return m_ruleTabs; }
    QSplitter *splitter() const { return m_splitter; }
    RuleCodeEdit *codeEdit() const { return m_code; }
    SegmentRuleBuilder *builder() const { return m_builder; }
    DestinationsEditor *destinationsEditor() const { return m_destinations; }
    SegmentPreviewPanel *previewPanel() const { return m_preview; }
    QTreeView *traitTree() const { return m_traitTree; }
    TraitTreeModel *traitModel() const { return m_traitModel; }
    QLabel *diagnosticsLabel() const { return m_diagnostics; }
    QLabel *ruleNotice() const { return m_notice; }
    QLineEdit *nameEdit() const { return m_name; }

Q_SIGNALS:
    // Any field, the rule or the destinations changed.
    void edited();
    void previewFinished(const Dcs::SegmentPreviewResult &result);

private:
    void fill(const Segment &segment);
    QWidget *createRuleTab();
    void codeChanged();
    void builderEdited();
    void showRuleInViews(const QString &text, bool chooseView);
    void schedulePreview();
    void runPreview();
    void updateDiagnostics(const QList<RuleDiagnostic> &diagnostics);
    void updateAlias();
    QList<RuleDiagnostic> check(QStringView text) const;

    Storage &m_storage;
    SegmentPreviewJob *m_job = nullptr;
    std::shared_ptr<const RulesSnapshot> m_rules;
    Segment m_stored;
    bool m_syncing = false;
    bool m_filling = false;
    std::optional<SegmentPreviewResult> m_lastPreview;

    QLineEdit *m_name = nullptr;
    QLineEdit *m_integrationCode = nullptr;
    QComboBox *m_folder = nullptr;
    QComboBox *m_status = nullptr;
    QLineEdit *m_description = nullptr;
    VersionHistoryView *m_history = nullptr;
    QTabWidget *m_editorTabs = nullptr;
    QTabWidget *m_ruleTabs = nullptr;
    QSplitter *m_splitter = nullptr;
    RuleCodeEdit *m_code = nullptr;
    SegmentRuleBuilder *m_builder = nullptr;
    DestinationsEditor *m_destinations = nullptr;
    SegmentPreviewPanel *m_preview = nullptr;
    TraitTreeModel *m_traitModel = nullptr;
    QSortFilterProxyModel *m_traitProxy = nullptr;
    QTreeView *m_traitTree = nullptr;
    QLabel *m_diagnostics = nullptr;
    QLabel *m_notice = nullptr;
    QTimer *m_previewTimer = nullptr;
};

} // namespace Dcs
