#pragma once

#include "rules/traitmatchsample.h"
#include "rules/traitpreview.h"

#include <QThreadPool>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>

class QLabel;
class QProgressBar;
class QTableWidget;
class QTextBrowser;
class QTimer;

namespace Dcs {

class Storage;

// The live preview beside the trait editor: how many unique visitors the draft rule would have
// qualified over the last 1/7/14/30/60/90 days (TraitPreviewJob: on a large log the sampled
// estimate with its 95% interval first, then the exact count), and the newest events it
// matches with the signals that matched highlighted. setRule() waits for a pause in typing
// (debounceMs()), then supersedes whatever was running.
class TraitPreviewPanel final : public QWidget
{
    Q_OBJECT

public:
    using Clock = std::function<qint64()>;

    explicit TraitPreviewPanel(Storage &storage, QWidget *parent = nullptr);
    ~TraitPreviewPanel() override;

    void setRule(const QString &ruleText);
    // Runs now for the rule last set (e.g. after new events were stored).
    void refresh();
    void clear();
    void setClock(Clock clock); // "now" for the windows; the system clock by default
    void setDebounceMs(int milliseconds);
    int debounceMs() const;
    TraitPreviewJob &job() { return *m_job; }

    // What is on screen, for tests and accessibility.
    QTableWidget *windowsTable() const { return m_windows; }
    QTextBrowser *matchesView() const { return m_matches; }
    QLabel *statusLabel() const { return m_status; }
    QProgressBar *progressBar() const { return m_progress; }
    // The figures shown: exact once finished() arrived for the current rule.
    bool isExact() const { return m_exact; }
    const TraitPreviewResult &shownResult() const { return m_shown; }
    const TraitMatchSampleResult &shownMatches() const { return m_shownMatches; }

Q_SIGNALS:
    // The exact figures of the current rule are on screen.
    void previewFinished();
    void matchesShown();

private:
    void start();
    void showResult(const TraitPreviewResult &result, bool exact);
    void startMatches(const QString &ruleText, qint64 nowMs);
    void showMatches(const TraitMatchSampleResult &result);

    Storage &m_storage;
    TraitPreviewJob *m_job = nullptr;
    Clock m_clock;
    QString m_rule;
    QTimer *m_debounce = nullptr;
    QThreadPool m_matchPool;
    quint64 m_matchGeneration = 0;
    std::shared_ptr<std::atomic<bool>> m_matchCancel;
    TraitPreviewResult m_shown;
    TraitMatchSampleResult m_shownMatches;
    bool m_exact = false;

    QTableWidget *m_windows = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QTextBrowser *m_matches = nullptr;
};

} // namespace Dcs
