#pragma once

#include "partners/onboardingrun.h"

#include <QWidget>

class QBarCategoryAxis;
class QBarSeries;
class QChart;
class QChartView;
class QLabel;
class QSplitter;
class QTableView;
class QValueAxis;

namespace Dcs {

class OnboardingChangesModel;
class OnboardingChecksModel;

// Two onboarding runs of one partner side by side (partner-protocol.md, "Onboarding test"):
// the answers that changed, visitor by visitor; p50/p95/p99 and the error rate before and after
// with the change; the two latency distributions as a histogram on shared bins; each check's
// result before and after.
class OnboardingCompareView final : public QWidget
{
    Q_OBJECT
public:
    explicit OnboardingCompareView(QWidget *parent = nullptr);

    void setRuns(const OnboardingReport &before, const OnboardingReport &after);
    void clear();
    bool hasComparison() const { return m_has; }
    const OnboardingComparison &comparison() const { return m_comparison; }
    // Everything shown, as text (the clipboard).
    QString text() const;

    QLabel *headline() const { return m_headline; }
    QTableView *changesView() const { return m_changesView; }
    QTableView *checksView() const { return m_checksView; }
    OnboardingChangesModel *changesModel() const { return m_changes; }
    OnboardingChecksModel *checksModel() const { return m_checks; }
    QSplitter *splitter() const { return m_splitter; }
    // The timing table's cell, row 0..3 (p50, p95, p99, error rate), column 0..2 (before,
    // after, change).
    QLabel *timingLabel(int row, int column) const { return m_timing[row][column]; }
    // Share of calls in each latency bin: [0] before, [1] after (for tests).
    QList<double> histogram(int run) const { return m_histogram[run]; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateChartTheme();
    void updateHistogram(const OnboardingReport &before, const OnboardingReport &after);

    bool m_has = false;
    OnboardingComparison m_comparison;
    QString m_beforeName;
    QString m_afterName;
    QLabel *m_headline = nullptr;
    QSplitter *m_splitter = nullptr;
    OnboardingChangesModel *m_changes = nullptr;
    OnboardingChecksModel *m_checks = nullptr;
    QTableView *m_changesView = nullptr;
    QTableView *m_checksView = nullptr;
    QLabel *m_timing[4][3] = {};
    QLabel *m_timingHeader[2] = {};
    QChart *m_chart = nullptr;
    QChartView *m_chartView = nullptr;
    QBarSeries *m_series = nullptr;
    QBarCategoryAxis *m_binAxis = nullptr;
    QValueAxis *m_shareAxis = nullptr;
    QList<double> m_histogram[2];
};

} // namespace Dcs
