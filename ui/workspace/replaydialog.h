#pragma once

#include "rules/replay.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace Dcs {

class DcsServer;

// File ▸ Replay Event Log: re-runs the stored events of the last N days through the current
// definitions for the rule-based traits chosen (rules/replay.h), to backfill a new or edited
// trait. Progress by phase, Cancel stops after the page being written (what was replayed stays
// consistent), and the result is summed up with the traits that could not be replayed and why.
// The visitors it changed are handed to the running server's sweeper.
class ReplayDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ReplayDialog(DcsServer &server, QWidget *parent = nullptr);
    ~ReplayDialog() override;

    // Checks exactly these traits (none: every replayable one).
    void selectTraits(const QList<qint64> &sids);
    QList<qint64> selectedTraits() const;
    void setDays(int days);
    // What the Replay button does.
    void start();
    bool isRunning() const;
    const ReplayResult &lastResult() const { return m_result; }

    QListWidget *traitList() const { return m_traits; }
    QPushButton *replayButton() const { return m_replay; }
    QProgressBar *progressBar() const { return m_progress; }
    QPlainTextEdit *resultView() const { return m_resultView; }

Q_SIGNALS:
    void finished(const Dcs::ReplayResult &result);
    void statusMessage(const QString &message);

protected:
    void reject() override; // Escape or Close while running cancels first

private:
    void loadTraits();
    void updateButtons();
    void showResult(const ReplayResult &result);

    DcsServer &m_server;
    ReplayJob *m_job = nullptr;
    ReplayResult m_result;
    QListWidget *m_traits = nullptr;
    QSpinBox *m_days = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_phase = nullptr;
    QPlainTextEdit *m_resultView = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_replay = nullptr;
    QPushButton *m_cancel = nullptr;
};

} // namespace Dcs
