#pragma once

#include "partners/onboardingrun.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QList>
#include <QString>

namespace Dcs {

// The checks of an onboarding report (partner-protocol.md, "Onboarding test"), one per row:
// - one report (setChecks): Check | Result (icon and word) | Reason (with numbers);
// - two reports (setComparison): Check | Before | After, reasons in the tooltips and the rows
//   whose result changed in bold.
class OnboardingChecksModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Check, Result, Reason, Count };
    enum ComparisonColumn { ComparedCheck, Before, After, ComparisonCount };
    // The result as an int (OnboardingCheck::Result) on the result columns; -1 when absent.
    static constexpr int ResultRole = Qt::UserRole + 61;

    using QAbstractTableModel::QAbstractTableModel;

    void clear();
    void setChecks(const QList<OnboardingCheck> &checks);
    void setComparison(const QList<OnboardingCheck> &before, const QList<OnboardingCheck> &after);
    bool isComparison() const { return m_comparison; }
    const QList<OnboardingCheck> &checks() const { return m_before; }

    // "Pass", "Warn", "Fail", "n/a" for people.
    static QString resultLabel(OnboardingCheck::Result result);
    // A small icon whose shape says the result (colour is never the only cue): a tick in a disc
    // (pass), an exclamation in a triangle (warn), a cross in a disc (fail), a dash in a ring
    // (not applicable).
    static QIcon resultIcon(OnboardingCheck::Result result);
    // The check's name for people ("Status and content type") and what it verifies.
    static QString checkTitle(const QString &name);
    static QString checkDescription(const QString &name);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant resultData(const OnboardingCheck *check, int role) const;
    const OnboardingCheck *find(const QList<OnboardingCheck> &checks, const QString &name) const;

    bool m_comparison = false;
    QStringList m_names; // row order
    QList<OnboardingCheck> m_before; // the single report's checks, or the earlier run's
    QList<OnboardingCheck> m_after;
};

} // namespace Dcs
