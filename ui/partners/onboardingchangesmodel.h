#pragma once

#include "partners/onboardingrun.h"

#include <QAbstractTableModel>
#include <QList>

namespace Dcs {

// The answers that changed between two onboarding runs (OnboardingComparison::changedAnswers):
// the visitor, its answer in the earlier run and in the later one ("ok: auto,c3").
class OnboardingChangesModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Visitor, Before, After, Count };

    using QAbstractTableModel::QAbstractTableModel;

    void setChanges(const QList<OnboardingComparison::Change> &changes);
    void clear() { setChanges({}); }
    const OnboardingComparison::Change &change(int row) const { return m_changes.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<OnboardingComparison::Change> m_changes;
};

} // namespace Dcs
