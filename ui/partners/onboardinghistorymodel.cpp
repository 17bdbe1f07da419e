#include "onboardinghistorymodel.h"

#include "monitor/transfercolumns.h"
#include "onboardingchecksmodel.h"

#include <QDateTime>

#include <algorithm>

namespace Dcs {

namespace {

QString shortCheckTitle(const QString &name)
{
    // Narrow columns: the full title is in the header's tooltip.
    if (name == u"status and content type")
        return OnboardingHistoryModel::tr("Status");
    if (name == u"body parses")
        return OnboardingHistoryModel::tr("Body");
    if (name == u"codes valid")
        return OnboardingHistoryModel::tr("Codes");
    if (name == u"codes mapped")
        return OnboardingHistoryModel::tr("Mapped");
    if (name == u"error rate")
        return OnboardingHistoryModel::tr("Errors");
    if (name == u"reachable")
        return OnboardingHistoryModel::tr("Reach");
    return OnboardingChecksModel::checkTitle(name);
}

QString msText(double ms)
{
    return OnboardingHistoryModel::tr("%1 ms").arg(ms, 0, 'f', 1);
}

} // namespace

QString OnboardingHistoryModel::verdict(const OnboardingReport &report)
{
    if (report.cancelled)
        return tr("Cancelled");
    return report.passed() ? tr("Passed") : tr("Failed");
}

QIcon OnboardingHistoryModel::verdictIcon(const OnboardingReport &report)
{
    using Result = OnboardingCheck::Result;
    Result result = Result::Pass;
    if (!report.passed())
        result = Result::Fail;
    else if (report.cancelled)
        result = Result::NotApplicable;
    else if (std::any_of(report.checks.begin(), report.checks.end(),
                         [](const OnboardingCheck &check) {
                             return check.result == Result::Warn;
                         }))
        result = Result::Warn;
    return OnboardingChecksModel::resultIcon(result);
}

void OnboardingHistoryModel::setReports(const QList<OnboardingReport> &reports)
{
    beginResetModel();
    m_reports = reports;
    m_checkNames.clear();
    for (const OnboardingReport &report : reports) {
        for (const OnboardingCheck &check : report.checks) {
            if (!m_checkNames.contains(check.name))
                m_checkNames.append(check.name);
        }
    }
    endResetModel();
}

int OnboardingHistoryModel::rowOfRun(qint64 runId) const
{
    for (qsizetype row = 0; row < m_reports.size(); ++row) {
        if (m_reports.at(row).runId == runId)
            return int(row);
    }
    return -1;
}

int OnboardingHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_reports.size());
}

int OnboardingHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FirstCheck + int(m_checkNames.size());
}

QVariant OnboardingHistoryModel::checkData(const OnboardingReport &report, const QString &name,
                                           int role) const
{
    const OnboardingCheck *found = nullptr;
    for (const OnboardingCheck &check : report.checks) {
        if (check.name == name)
            found = &check;
    }
    switch (role) {
    case Qt::DecorationRole:
        return found ? QVariant(OnboardingChecksModel::resultIcon(found->result)) : QVariant();
    case Qt::AccessibleTextRole:
        return found ? OnboardingChecksModel::resultLabel(found->result) : tr("not checked");
    case Qt::ToolTipRole:
        return found ? tr("%1: %2\n%3")
                           .arg(OnboardingChecksModel::checkTitle(name),
                                OnboardingChecksModel::resultLabel(found->result), found->detail)
                     : tr("%1: not checked in this run")
                           .arg(OnboardingChecksModel::checkTitle(name));
    case SortRole:
        return found ? int(found->result) : -1;
    }
    return {};
}

QVariant OnboardingHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const OnboardingReport &report = m_reports.at(index.row());
    if (role == RunIdRole)
        return report.runId;
    const int column = index.column();
    if (column >= FirstCheck)
        return checkData(report, m_checkNames.at(column - FirstCheck), role);

    if (role == Qt::DisplayRole) {
        switch (column) {
        case When:
            return TransferColumns::formatTime(report.startedMs).section(u'.', 0, 0);
        case Calls:
            return report.cancelled ? tr("%1 of %2").arg(report.calls.size())
                                                    .arg(report.config.calls)
                                    : QString::number(report.calls.size());
        case Result:
            return verdict(report);
        case P50:
            return msText(report.p50Ms);
        case P95:
            return msText(report.p95Ms);
        case P99:
            return msText(report.p99Ms);
        case ErrorRate:
            return tr("%1%").arg(report.errorRate * 100, 0, 'f', 1);
        }
        return {};
    }
    switch (role) {
    case SortRole:
        switch (column) {
        case When: return report.startedMs;
        case Calls: return int(report.calls.size());
        case Result: return report.cancelled ? 2 : (report.passed() ? 0 : 1);
        case P50: return report.p50Ms;
        case P95: return report.p95Ms;
        case P99: return report.p99Ms;
        case ErrorRate: return report.errorRate;
        }
        break;
    case Qt::DecorationRole:
        if (column == Result)
            return verdictIcon(report);
        break;
    case Qt::ToolTipRole:
        switch (column) {
        case When:
            return tr("Run %1, %2 to %3")
                .arg(report.runId)
                .arg(QDateTime::fromMSecsSinceEpoch(report.startedMs).toString(Qt::ISODateWithMs),
                     QDateTime::fromMSecsSinceEpoch(report.finishedMs)
                         .toString(Qt::ISODateWithMs));
        case Calls:
            return tr("%1 calls asked at %2/s").arg(report.config.calls)
                                               .arg(report.config.ratePerSecond);
        case Result:
            return report.cancelled ? tr("Cancelled before every call was made")
                                    : tr("Passed when no check failed");
        }
        break;
    case Qt::TextAlignmentRole:
        if (column == Calls || column >= P50)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant OnboardingHistoryModel::headerData(int section, Qt::Orientation orientation,
                                            int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (section >= FirstCheck) {
        const QString &name = m_checkNames.at(section - FirstCheck);
        if (role == Qt::DisplayRole)
            return shortCheckTitle(name);
        if (role == Qt::ToolTipRole)
            return tr("%1: %2").arg(OnboardingChecksModel::checkTitle(name),
                                    OnboardingChecksModel::checkDescription(name));
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case When: return tr("When");
        case Calls: return tr("Calls");
        case Result: return tr("Result");
        case P50: return tr("p50");
        case P95: return tr("p95");
        case P99: return tr("p99");
        case ErrorRate: return tr("Error rate");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case When: return tr("When the run started (local time)");
        case Calls: return tr("Calls made (of the calls asked, when cancelled)");
        case Result: return tr("Passed, Failed (a check failed) or Cancelled");
        case P50: return tr("Median latency of the calls that got an answer");
        case P95: return tr("95th percentile latency");
        case P99: return tr("99th percentile latency");
        case ErrorRate: return tr("Share of the calls that failed");
        }
    }
    return {};
}

} // namespace Dcs
