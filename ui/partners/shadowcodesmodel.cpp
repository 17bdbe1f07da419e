#include "shadowcodesmodel.h"

#include "monitor/transfercolumns.h"
#include "partnerpresentation.h"

namespace Dcs {

ShadowCodesModel::ShadowCodesModel(QObject *parent) : QAbstractTableModel(parent) {}

int ShadowCodesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_codes.size());
}

int ShadowCodesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ShadowCodesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Code: return tr("Code");
        case Count: return tr("Received");
        case Share: return tr("Of events");
        case Mapping: return tr("Trait");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Code: return tr("The partner's segment code");
        case Count: return tr("Answers that carried the code");
        case Share: return tr("Share of the partner's events that got the code");
        case Mapping: return tr("Whether an onboarded trait of the partner's data source maps "
                                "the code (ic == \"code\")");
        }
    } else if (role == Qt::TextAlignmentRole) {
        return section == Count || section == Share
                   ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
    return {};
}

QVariant ShadowCodesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PartnerTraffic::CodeCount &code = m_codes.at(index.row());
    const std::optional<double> share = m_events == 0
                                            ? std::nullopt
                                            : std::optional<double>(100.0 * double(code.count)
                                                                    / double(m_events));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Code: return code.code;
        case Count: return QString::number(code.count);
        case Share: return PartnerPresentation::formatPercent(share);
        case Mapping:
            if (code.mapped())
                return tr("Mapped");
            return code.unmappedCount == code.count ? tr("Unmapped")
                                                    : tr("Unmapped in %1").arg(code.unmappedCount);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case Code: return code.code;
        case Count: return QVariant::fromValue(code.count);
        case Share: return share.value_or(0.0);
        case Mapping: return QVariant::fromValue(code.unmappedCount);
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == Mapping)
            return TransferColumns::outcomeIcon(code.mapped() ? TransferOutcome::Ok
                                                              : TransferOutcome::Empty);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Mapping)
            return code.mapped() ? tr("An onboarded trait realizes this code")
                                 : tr("No onboarded trait with ic == \"%1\": the code is stored "
                                      "for the visitor but realizes nothing. Create the trait "
                                      "to use it.")
                                       .arg(code.code);
        return {};
    case Qt::TextAlignmentRole: return headerData(index.column(), Qt::Horizontal, role);
    default: return {};
    }
}

void ShadowCodesModel::setCodes(const QList<PartnerTraffic::CodeCount> &codes, quint64 events)
{
    beginResetModel();
    m_codes = codes;
    m_events = events;
    endResetModel();
}

void ShadowCodesModel::clear()
{
    setCodes({}, 0);
}

} // namespace Dcs
