#include "shadowcomparisonmodel.h"

#include "partnerpresentation.h"

#include <QFont>

namespace Dcs {

ShadowComparisonModel::ShadowComparisonModel(QObject *parent) : QAbstractTableModel(parent) {}

int ShadowComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ShadowComparisonModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ShadowComparisonModel::headerData(int section, Qt::Orientation orientation,
                                           int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Partner: return tr("Partner");
        case Events: return tr("Events");
        case Called: return tr("Called");
        case InTime: return tr("In time");
        case Late: return tr("Late");
        case Timeouts: return tr("Timeouts");
        case Errors: return tr("Errors");
        case NotCalled: return tr("Not called");
        case P50: return tr("p50");
        case P95: return tr("p95");
        case P99: return tr("p99");
        case WithinBudget: return tr("Within budget");
        case Codes: return tr("Codes");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Partner: return tr("The shadow partner, the live partners together, then each");
        case Events: return tr("/event calls the partner was planned for");
        case Called: return tr("Requests sent");
        case InTime: return tr("Usable answers (with or without segments) before the deadline, "
                               "as a share of requests sent");
        case Late: return tr("Answers that came after the deadline");
        case Timeouts: return tr("No answer before the deadline or the partner's timeout");
        case Errors: return tr("HTTP errors, bad answers and network errors");
        case NotCalled: return tr("Skipped for budget, breaker open, over the rate or without "
                                  "ID sync");
        case P50:
        case P95:
        case P99: return tr("Time the partner took, over requests sent (0.1 ms bins)");
        case WithinBudget: return tr("Requests that took no longer than the time they were "
                                     "given (X-DCS-Tmax)");
        case Codes: return tr("Segment codes received (unmapped ones in the tooltip)");
        }
    } else if (role == Qt::TextAlignmentRole) {
        return section == Partner ? QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter)
                                  : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant ShadowComparisonModel::display(const Row &row, int column) const
{
    const PartnerTraffic::PartnerFigures &f = row.figures;
    switch (column) {
    case Partner:
        switch (row.kind) {
        case RowKind::Shadow: return tr("%1 (shadow)").arg(f.name);
        case RowKind::LiveCombined: return tr("Live partners");
        case RowKind::Live: return tr("%1 (live)").arg(f.name.isEmpty() ? tr("deleted partner")
                                                                        : f.name);
        }
        return {};
    case Events: return QString::number(f.events);
    case Called: return QString::number(f.called);
    case InTime:
        return tr("%1 (%2)").arg(f.answeredInTime()).arg(
            PartnerPresentation::formatPercent(f.successPercent()));
    case Late: return QString::number(f.count(TransferOutcome::Late));
    case Timeouts: return QString::number(f.count(TransferOutcome::Timeout));
    case Errors: return QString::number(f.errors());
    case NotCalled: return QString::number(f.notCalled());
    case P50:
    case P95:
    case P99: {
        if (f.latency.measured == 0)
            return tr("–");
        const qint64 us = column == P50 ? f.latency.p50Us
                                        : (column == P95 ? f.latency.p95Us : f.latency.p99Us);
        return PartnerPresentation::formatLatencyUs(us);
    }
    case WithinBudget:
        return PartnerPresentation::formatPercent(f.latency.withinBudgetPercent());
    case Codes: return QString::number(f.codesReceived);
    }
    return {};
}

QVariant ShadowComparisonModel::sortValue(const Row &row, int column) const
{
    const PartnerTraffic::PartnerFigures &f = row.figures;
    switch (column) {
    case Partner: return int(row.kind) * 1000000 + int(f.dpid % 1000000);
    case Events: return QVariant::fromValue(f.events);
    case Called: return QVariant::fromValue(f.called);
    case InTime: return f.successPercent().value_or(-1.0);
    case Late: return QVariant::fromValue(f.count(TransferOutcome::Late));
    case Timeouts: return QVariant::fromValue(f.count(TransferOutcome::Timeout));
    case Errors: return QVariant::fromValue(f.errors());
    case NotCalled: return QVariant::fromValue(f.notCalled());
    case P50: return f.latency.p50Us;
    case P95: return f.latency.p95Us;
    case P99: return f.latency.p99Us;
    case WithinBudget: return f.latency.withinBudgetPercent().value_or(-1.0);
    case Codes: return QVariant::fromValue(f.codesReceived);
    }
    return {};
}

QVariant ShadowComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return display(row, index.column());
    case SortRole: return sortValue(row, index.column());
    case RowKindRole: return int(row.kind);
    case Qt::TextAlignmentRole: return headerData(index.column(), Qt::Horizontal, role);
    case Qt::FontRole:
        if (row.kind == RowKind::Shadow) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == Partner)
            return PartnerPresentation::modeIcon(row.kind == RowKind::Shadow
                                                     ? Dcs::Partner::Mode::Shadow
                                                     : Dcs::Partner::Mode::Live);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Codes)
            return tr("%1 codes, %2 of them unmapped")
                .arg(row.figures.codesReceived)
                .arg(row.figures.unmappedCodesReceived);
        if (index.column() == Partner && row.kind == RowKind::LiveCombined)
            return tr("Every live partner's calls on the events the shadow partner was called "
                      "for");
        if (index.column() >= P50 && index.column() <= P99)
            return tr("Deadline %1 ms; slowest %2")
                .arg(row.figures.deadlineMs)
                .arg(PartnerPresentation::formatLatencyUs(row.figures.latency.maxUs));
        return {};
    default: return {};
    }
}

void ShadowComparisonModel::setResults(const PartnerTraffic::ShadowResults &results)
{
    QList<Row> rows;
    rows.append({RowKind::Shadow, results.shadow});
    if (!results.live.isEmpty()) {
        rows.append({RowKind::LiveCombined, results.liveCombined});
        for (const PartnerTraffic::PartnerFigures &live : results.live)
            rows.append({RowKind::Live, live});
    }
    if (rows.size() == m_rows.size()) {
        m_rows = rows;
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

void ShadowComparisonModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

QString ShadowComparisonModel::toText() const
{
    QStringList lines;
    QStringList header;
    for (int column = 0; column < ColumnCount; ++column)
        header.append(headerData(column, Qt::Horizontal, Qt::DisplayRole).toString());
    lines.append(header.join(u'\t'));
    for (const Row &row : m_rows) {
        QStringList cells;
        for (int column = 0; column < ColumnCount; ++column)
            cells.append(display(row, column).toString());
        lines.append(cells.join(u'\t'));
    }
    return lines.join(u'\n');
}

} // namespace Dcs
