#pragma once

#include "rules/segmentpreview.h"
#include "storage/reportstore.h"

#include <QWidget>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QProgressBar;
class QToolButton;
class QValueAxis;

namespace Dcs {

// Beside the segment editor: the live preview of the draft (holders now, joins and leaves
// against the saved version, with progress and cancel) and a small chart of the saved
// segment's population at the end of each of the last 30 days.
class SegmentPreviewPanel final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kHistoryDays = 30;

    explicit SegmentPreviewPanel(QWidget *parent = nullptr);

    void showPending();               // an edit is waiting for the debounce
    void showRunning();               // the job started
    void setProgress(double fraction);
    void showResult(const SegmentPreviewResult &result);
    void showInvalid(const RuleDiagnostic &diagnostic); // the draft cannot be previewed
    void showMessage(const QString &message);           // nothing to preview, or cancelled

    // The population at the end of each day (the last day: now), from the population now and
    // the joins and leaves of each day: walking back, a day's joins were not members before
    // it and its leaves were.
    static QList<qint64> populationByDay(qint64 populationNow,
                                         const QList<SegmentDayChanges> &days);
    void setHistory(qint64 populationNow, const QList<SegmentDayChanges> &days);
    void clearHistory(const QString &why);

    QLabel *holdersLabel() const { return m_holders; }
    QLabel *changesLabel() const { return m_changes; }
    QLabel *statusLabel() const { return m_status; }
    QProgressBar *progressBar() const { return m_progress; }
    QToolButton *cancelButton() const { return m_cancel; }
    QChartView *chartView() const { return m_chartView; }
    QLineSeries *historySeries() const { return m_series; }

Q_SIGNALS:
    void cancelRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyTheme();

    QLabel *m_holders = nullptr;
    QLabel *m_changes = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolButton *m_cancel = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_chartView = nullptr;
    QLineSeries *m_series = nullptr;
    QDateTimeAxis *m_x = nullptr;
    QValueAxis *m_y = nullptr;
    bool m_styling = false;
};

} // namespace Dcs
