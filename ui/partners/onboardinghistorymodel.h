#pragma once

#include "partners/onboardingrun.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QList>
#include <QStringList>

namespace Dcs {

// A partner's onboarding runs, newest first as OnboardingRun::history() reads them: when, how
// many calls, passed or failed, the latency percentiles and error rate, then one narrow column
// per check with its result's icon (the reason in the tooltip).
class OnboardingHistoryModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { When, Calls, Result, P50, P95, P99, ErrorRate, FirstCheck };
    static constexpr int RunIdRole = Qt::UserRole + 62;
    // Numbers as numbers (ms since the epoch for When), for a sorting proxy.
    static constexpr int SortRole = Qt::UserRole + 63;

    using QAbstractTableModel::QAbstractTableModel;

    void setReports(const QList<OnboardingReport> &reports);
    void clear() { setReports({}); }
    const OnboardingReport &report(int row) const { return m_reports.at(row); }
    int rowOfRun(qint64 runId) const;
    // The check of each column from FirstCheck on.
    const QStringList &checkNames() const { return m_checkNames; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // "Passed", "Failed", "Cancelled" for people, and its icon: the fail icon when a check
    // failed, the warn icon when one warned, n/a when cancelled, else pass.
    static QString verdict(const OnboardingReport &report);
    static QIcon verdictIcon(const OnboardingReport &report);

private:
    QVariant checkData(const OnboardingReport &report, const QString &name, int role) const;

    QList<OnboardingReport> m_reports;
    QStringList m_checkNames;
};

} // namespace Dcs
