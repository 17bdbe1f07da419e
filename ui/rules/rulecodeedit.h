#pragma once

#include "rules/rulediagnostic.h"
#include "rules/rulehighlighter.h"

#include <QList>
#include <QPlainTextEdit>
#include <QString>

#include <functional>

class QCompleter;
class QStandardItemModel;
class QTimer;

namespace Dcs {

// The code view of a trait or segment rule: the rule text with syntax highlighting, the
// checker's diagnostics underlined at their position as the analyst types (tooltip and
// diagnostics() say what is wrong), and completion of keys, operators and trait references
// (Ctrl+Space, or after two letters of a word).
//
// The editor checks its own text a moment after each edit (checkDelay(); 0 checks at once) with
// the language's parser, or with the checker the owner gives (a segment editor also checks the
// traits a rule names against the catalog). Diagnostics are positions in the text, so they are
// recomputed, never shifted, when the text changes.
class RuleCodeEdit final : public QPlainTextEdit
{
    Q_OBJECT

public:
    using Language = RuleLanguage;
    using Checker = std::function<QList<RuleDiagnostic>(QStringView text)>;

    // One completion: `text` is inserted, `detail` shown beside it ("12,340 events", a trait
    // name) and used by the popup's tooltip.
    struct Completion
    {
        QString text;
        QString detail;
    };

    explicit RuleCodeEdit(Language language, QWidget *parent = nullptr);
    ~RuleCodeEdit() override;

    Language language() const { return m_language; }
    QString ruleText() const { return toPlainText(); }
    // Replaces the text as one undoable edit and checks it at once (no delay).
    void setRuleText(const QString &text);

    void setChecker(Checker checker); // null: the language's own parser
    void setCheckDelay(int milliseconds);
    int checkDelay() const;
    // Checks now (e.g. after the catalog changed) and emits diagnosticsChanged.
    void recheck();
    QList<RuleDiagnostic> diagnostics() const { return m_diagnostics; }

    // Words offered besides the language's keywords and operators: signal keys with their most
    // frequent values for traits, "1234T" with the trait's name for segments.
    void setCompletions(const QList<Completion> &completions);
    QCompleter *completer() const { return m_completer; }
    // Opens the completion popup for the word before the cursor (what Ctrl+Space does).
    void complete();

    // The character range [start, start + length) a diagnostic underlines in this text.
    struct Range
    {
        int start = 0;
        int length = 0;
    };
    Range rangeOf(const RuleDiagnostic &diagnostic) const;

Q_SIGNALS:
    // After every check, with the diagnostics of the text now in the editor (empty: valid).
    void diagnosticsChanged(const QList<Dcs::RuleDiagnostic> &diagnostics);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    void insertCompletion(const QString &completion);
    QString wordBeforeCursor() const;
    void rebuildCompletionModel();
    void showDiagnostics();

    Language m_language;
    Checker m_checker;
    RuleHighlighter *m_highlighter = nullptr;
    QTimer *m_checkTimer = nullptr;
    QCompleter *m_completer = nullptr;
    QStandardItemModel *m_completionModel = nullptr;
    QList<Completion> m_extraCompletions;
    QList<RuleDiagnostic> m_diagnostics;
};

} // namespace Dcs
