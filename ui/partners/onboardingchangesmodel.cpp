#include "onboardingchangesmodel.h"

#include "monitor/transfercolumns.h"

namespace Dcs {

namespace {

// "ok: auto,c3" -> the outcome's icon, so a change from codes to an error stands out.
std::optional<TransferOutcome> outcomeOf(const QString &answer)
{
    const qsizetype colon = answer.indexOf(u':');
    return transferOutcomeFromName(colon < 0 ? QStringView(answer)
                                             : QStringView(answer).first(colon));
}

} // namespace

void OnboardingChangesModel::setChanges(const QList<OnboardingComparison::Change> &changes)
{
    beginResetModel();
    m_changes = changes;
    endResetModel();
}

int OnboardingChangesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_changes.size());
}

int OnboardingChangesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Count);
}

QVariant OnboardingChangesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const OnboardingComparison::Change &change = m_changes.at(index.row());
    const QString &text = index.column() == Visitor  ? change.uuid
                          : index.column() == Before ? change.before
                                                     : change.after;
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return text;
    case Qt::DecorationRole:
        if (index.column() != Visitor) {
            if (const auto outcome = outcomeOf(text))
                return TransferColumns::outcomeIcon(*outcome);
        }
        break;
    }
    return {};
}

QVariant OnboardingChangesModel::headerData(int section, Qt::Orientation orientation,
                                            int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= Count)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Visitor: return tr("Visitor");
        case Before: return tr("Before");
        case After: return tr("After");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Visitor: return tr("The visitor's UUID, the same in both runs");
        case Before: return tr("The earlier run's answer: outcome and codes");
        case After: return tr("The later run's answer: outcome and codes");
        }
    }
    return {};
}

} // namespace Dcs
