#pragma once

#include "partners/partner.h"
#include "rules/definitions.h"
#include "rules/rulediagnostic.h"
#include "rules/signalkeystats.h"

#include <QList>
#include <QPair>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QSpinBox;
class QSplitter;
class QTabWidget;

namespace Dcs {

class RuleCodeEdit;
class Storage;
class TraitPreviewPanel;
class VersionHistoryView;
class VisualRuleEditor;

// The trait editor: the fields of rules.md's trait table, and the rule in two views that stay
// in sync — Visual (VisualRuleEditor: groups of conditions) and Code (RuleCodeEdit) — with the
// parser's diagnostics listed under them, the live preview beside them (TraitPreviewPanel) and
// the trait's versions (VersionHistoryView). A rule the visual view cannot show stays in the
// code view, untouched, with a notice saying why.
class TraitEditor final : public QWidget
{
    Q_OBJECT

public:
    enum RuleTab { VisualTab, CodeTab, HistoryTab };

    explicit TraitEditor(Storage &storage, QWidget *parent = nullptr);

    // The stored trait (sid 0: a new one); the edits start from it.
    void setTrait(const Trait &trait);
    const Trait &original() const { return m_original; }
    // The editor's fields as a trait (the original's sid).
    Trait draft() const;
    // Loads a definition into the fields without changing what is stored (history restore).
    void loadDraft(const Trait &trait);
    void revert();
    bool isDirty() const;
    // Problems that keep the draft from being saved, in words; empty when it can be saved.
    QStringList issues() const;
    bool isValid() const { return issues().isEmpty(); }

    // "Demo / Interests" per folder id, in tree order.
    void setFolders(const QList<QPair<qint64, QString>> &folderPaths);
    void setPartners(const QList<Partner> &partners);
    void setKeyStats(const QList<SignalKeyStat> &stats);
    // Rows of a ruleTabs() tab or the preview/editor split, as saved by the page.
    QSplitter *splitter() const { return m_splitter; }

    QTabWidget *ruleTabs() const { return m_ruleTabs; }
    RuleCodeEdit *codeEdit() const { return m_code; }
    VisualRuleEditor *visualEditor() const { return m_visual; }
    TraitPreviewPanel *previewPanel() const { return m_preview; }
    VersionHistoryView *historyView() const { return m_history; }
    QListWidget *diagnosticsList() const { return m_diagnostics; }
    QLabel *visualNotice() const { return m_notice; }

Q_SIGNALS:
    // Any edit (fields or rule): dirty and valid may have changed.
    void edited();

private:
    QWidget *createFields();
    QWidget *createRuleViews();
    void codeChanged();
    void visualChanged();
    void syncVisualFromCode();
    void showDiagnostics(const QList<RuleDiagnostic> &diagnostics);
    void typeChanged();
    void fillFields(const Trait &trait);
    void selectData(QComboBox *combo, qint64 value);

    Storage &m_storage;
    Trait m_original;
    bool m_filling = false;
    bool m_syncing = false;

    QLineEdit *m_name = nullptr;
    QLineEdit *m_integrationCode = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QComboBox *m_dataSource = nullptr;
    QSpinBox *m_ttl = nullptr;
    QComboBox *m_folder = nullptr;
    QComboBox *m_type = nullptr;
    QSplitter *m_splitter = nullptr;
    QTabWidget *m_ruleTabs = nullptr;
    VisualRuleEditor *m_visual = nullptr;
    RuleCodeEdit *m_code = nullptr;
    QLabel *m_notice = nullptr;
    QLabel *m_folderTraitNote = nullptr;
    QListWidget *m_diagnostics = nullptr;
    TraitPreviewPanel *m_preview = nullptr;
    VersionHistoryView *m_history = nullptr;
};

} // namespace Dcs
