#include "onboardingchecksmodel.h"

#include "views/statusicons.h"

#include <QFont>

namespace Dcs {

namespace {

using Result = OnboardingCheck::Result;


} // namespace

QString OnboardingChecksModel::resultLabel(OnboardingCheck::Result result)
{
    switch (result) {
    case Result::Pass: return tr("Pass");
    case Result::Warn: return tr("Warn");
    case Result::Fail: return tr("Fail");
    case Result::NotApplicable: break;
    }
    return tr("n/a");
}

QIcon OnboardingChecksModel::resultIcon(OnboardingCheck::Result result)
{
    using namespace StatusIcons;
    switch (result) {
    case OnboardingCheck::Result::Pass: return icon(Glyph::CheckDisc, Tone::Good);
    case OnboardingCheck::Result::Warn: return icon(Glyph::ExclamationTriangle, Tone::Caution);
    case OnboardingCheck::Result::Fail: return icon(Glyph::CrossDisc, Tone::Bad);
    case OnboardingCheck::Result::NotApplicable: break;
    }
    return icon(Glyph::Ring, Tone::Muted);
}

QString OnboardingChecksModel::checkTitle(const QString &name)
{
    if (name == u"reachable")
        return tr("Reachable");
    if (name == u"TLS")
        return tr("TLS");
    if (name == u"status and content type")
        return tr("Status and content type");
    if (name == u"body parses")
        return tr("Body parses");
    if (name == u"codes valid")
        return tr("Codes valid");
    if (name == u"codes mapped")
        return tr("Codes mapped");
    if (name == u"latency")
        return tr("Latency");
    if (name == u"error rate")
        return tr("Error rate");
    return name;
}

QString OnboardingChecksModel::checkDescription(const QString &name)
{
    if (name == u"reachable")
        return tr("At least one call connected to the partner's endpoint.");
    if (name == u"TLS")
        return tr("An https:// endpoint presents a certificate this computer trusts.");
    if (name == u"status and content type")
        return tr("Every answer is 200 with application/json or text/plain, or 204.");
    if (name == u"body parses")
        return tr("Every answer's body parses as JSON or as the text form of codes.");
    if (name == u"codes valid")
        return tr("Every code is 1 to 64 characters from A-Z, a-z, 0-9 and _ . : -");
    if (name == u"codes mapped")
        return tr("Every code realizes an onboarded trait of the partner's data source. "
                  "Unmapped codes are still stored: a warning, not a failure.");
    if (name == u"latency")
        return tr("The run's p99 latency is within the partner's timeout.");
    if (name == u"error rate")
        return tr("Calls that failed: pass at most 1%, warn at most 5%.");
    return {};
}

void OnboardingChecksModel::clear()
{
    beginResetModel();
    m_comparison = false;
    m_names.clear();
    m_before.clear();
    m_after.clear();
    endResetModel();
}

void OnboardingChecksModel::setChecks(const QList<OnboardingCheck> &checks)
{
    beginResetModel();
    m_comparison = false;
    m_before = checks;
    m_after.clear();
    m_names.clear();
    for (const OnboardingCheck &check : checks)
        m_names.append(check.name);
    endResetModel();
}

void OnboardingChecksModel::setComparison(const QList<OnboardingCheck> &before,
                                          const QList<OnboardingCheck> &after)
{
    beginResetModel();
    m_comparison = true;
    m_before = before;
    m_after = after;
    m_names.clear();
    for (const QList<OnboardingCheck> *list : {&before, &after}) {
        for (const OnboardingCheck &check : *list) {
            if (!m_names.contains(check.name))
                m_names.append(check.name);
        }
    }
    endResetModel();
}

const OnboardingCheck *OnboardingChecksModel::find(const QList<OnboardingCheck> &checks,
                                                   const QString &name) const
{
    for (const OnboardingCheck &check : checks) {
        if (check.name == name)
            return &check;
    }
    return nullptr;
}

int OnboardingChecksModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_names.size());
}

int OnboardingChecksModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_comparison ? int(ComparisonCount) : int(Count);
}

QVariant OnboardingChecksModel::resultData(const OnboardingCheck *check, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return check ? resultLabel(check->result) : tr("—");
    case Qt::DecorationRole:
        return check ? QVariant(resultIcon(check->result)) : QVariant();
    case ResultRole:
        return check ? int(check->result) : -1;
    case Qt::ToolTipRole:
        return check ? check->detail : tr("Not checked in this run");
    }
    return {};
}

QVariant OnboardingChecksModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &name = m_names.at(index.row());
    if (index.column() == Check) { // the same column in both layouts
        switch (role) {
        case Qt::DisplayRole:
            return checkTitle(name);
        case Qt::ToolTipRole:
            return checkDescription(name);
        }
        if (!(m_comparison && role == Qt::FontRole))
            return {};
    }
    if (!m_comparison) {
        const OnboardingCheck &check = m_before.at(index.row());
        if (index.column() == Result)
            return resultData(&check, role);
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return check.detail;
        return {};
    }
    const OnboardingCheck *before = find(m_before, name);
    const OnboardingCheck *after = find(m_after, name);
    if (role == Qt::FontRole) {
        const bool changed = !before || !after || before->result != after->result;
        if (!changed)
            return {};
        QFont font;
        font.setBold(true);
        return font;
    }
    return resultData(index.column() == Before ? before : after, role);
}

QVariant OnboardingChecksModel::headerData(int section, Qt::Orientation orientation,
                                           int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (role == Qt::DisplayRole) {
        if (section == Check)
            return tr("Check");
        if (m_comparison)
            return section == Before ? tr("Before") : tr("After");
        return section == Result ? tr("Result") : tr("Reason");
    }
    if (role == Qt::ToolTipRole) {
        if (section == Check)
            return tr("What the onboarding test verifies (partner-protocol.md)");
        if (m_comparison)
            return section == Before ? tr("The earlier run's result; hover for the reason")
                                     : tr("The later run's result; hover for the reason");
        return section == Result ? tr("Pass, Warn, Fail, or n/a when the check does not apply")
                                 : tr("Why, with the numbers of the run");
    }
    return {};
}

} // namespace Dcs
