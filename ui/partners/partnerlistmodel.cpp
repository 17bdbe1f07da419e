#include "partnerlistmodel.h"

#include "partnerpresentation.h"

#include <QSet>

namespace Dcs {

namespace {

bool sameHealth(const PartnerLiveSnapshot &a, const PartnerLiveSnapshot &b)
{
    return a.successPercent60s == b.successPercent60s && a.p99Us == b.p99Us
           && a.called60s == b.called60s && a.attempts60s == b.attempts60s
           && a.breakerState == b.breakerState && a.breakerForced == b.breakerForced
           && a.breakerReason == b.breakerReason && a.inFlight == b.inFlight;
}

bool sameHour(const PartnerTraffic::PartnerFigures &a, const PartnerTraffic::PartnerFigures &b)
{
    return a.outcomes == b.outcomes && a.codesReceived == b.codesReceived
           && a.unmappedCodesReceived == b.unmappedCodesReceived
           && a.latency.p99Us == b.latency.p99Us;
}

QVariant number(quint64 value)
{
    return QVariant::fromValue(value);
}

} // namespace

PartnerListModel::PartnerListModel(QObject *parent) : QAbstractTableModel(parent) {}

int PartnerListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_partners.size());
}

int PartnerListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool PartnerListModel::shownByDefault(int column)
{
    switch (column) {
    case HourSuccess:
    case HourP99:
    case HourCodes:
    case IntegrationCode:
    case Endpoint:
    case InFlight:
        return false;
    default:
        return true;
    }
}

QVariant PartnerListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name: return tr("Partner");
        case Dpid: return tr("DPID");
        case Mode: return tr("Mode");
        case Success: return tr("Success");
        case P99: return tr("p99");
        case Breaker: return tr("Breaker");
        case InFlight: return tr("In flight");
        case HourCalls: return tr("Calls (1 h)");
        case HourErrors: return tr("Failures (1 h)");
        case HourSuccess: return tr("Success (1 h)");
        case HourP99: return tr("p99 (1 h)");
        case HourCodes: return tr("Codes (1 h)");
        case IntegrationCode: return tr("Integration code");
        case Endpoint: return tr("Endpoint");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Name: return tr("The partner's name");
        case Dpid: return tr("The partner's data source ID");
        case Mode: return tr("Disabled: not called. Shadow: called and measured, nothing "
                             "applied. Live: its codes are applied.");
        case Success: return tr("Requests answered in time with a valid answer, last 60 s");
        case P99: return tr("99th percentile of the time the partner took, last 60 s");
        case Breaker: return tr("The partner's circuit breaker: open means it is not called");
        case InFlight: return tr("Calls to the partner waiting for an answer now");
        case HourCalls: return tr("Requests sent to the partner in the last hour");
        case HourErrors: return tr("Timeouts, late answers and errors in the last hour");
        case HourSuccess: return tr("Requests answered in time with a valid answer, last hour");
        case HourP99: return tr("99th percentile of the time the partner took, last hour");
        case HourCodes: return tr("Segment codes received in the last hour (unmapped ones in "
                                  "the tooltip)");
        case IntegrationCode: return tr("Usable in d_cid_ic and d_tdpid_ic");
        case Endpoint: return tr("Where the partner is called");
        }
    } else if (role == Qt::TextAlignmentRole) {
        switch (section) {
        case Name:
        case Mode:
        case Breaker:
        case IntegrationCode:
        case Endpoint:
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        default:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        }
    }
    return {};
}

QVariant PartnerListModel::display(const Partner &partner, int column) const
{
    const auto live = m_live.constFind(partner.id);
    const bool hasLive = live != m_live.cend();
    const auto hour = m_hour.constFind(partner.id);
    const bool hasHour = hour != m_hour.cend();
    const QString none = tr("–");
    switch (column) {
    case Name: return partner.name;
    case Dpid: return QString::number(partner.dpid);
    case Mode: return PartnerPresentation::modeLabel(partner.mode);
    case Success:
        return hasLive ? PartnerPresentation::formatPercent(live->successPercent60s) : none;
    case P99:
        return hasLive && live->called60s > 0 ? PartnerPresentation::formatLatencyUs(
                                                    qint64(live->p99Us))
                                              : none;
    case Breaker:
        return hasLive ? PartnerPresentation::breakerLabel(live->breakerState,
                                                           live->breakerForced)
                       : none;
    case InFlight: return hasLive ? QString::number(live->inFlight) : none;
    case HourCalls: return hasHour ? QString::number(hour->called) : QStringLiteral("0");
    case HourErrors: return hasHour ? QString::number(hour->failures()) : QStringLiteral("0");
    case HourSuccess:
        return hasHour ? PartnerPresentation::formatPercent(hour->successPercent()) : none;
    case HourP99:
        return hasHour && hour->called > 0
                   ? PartnerPresentation::formatLatencyUs(hour->latency.p99Us)
                   : none;
    case HourCodes: return hasHour ? QString::number(hour->codesReceived) : QStringLiteral("0");
    case IntegrationCode: return partner.integrationCode;
    case Endpoint: return partner.endpoint;
    }
    return {};
}

QVariant PartnerListModel::sortValue(const Partner &partner, int column) const
{
    const auto live = m_live.constFind(partner.id);
    const bool hasLive = live != m_live.cend();
    const auto hour = m_hour.constFind(partner.id);
    const bool hasHour = hour != m_hour.cend();
    switch (column) {
    case Name: return partner.name.toLower();
    case Dpid: return partner.dpid;
    case Mode: return int(partner.mode);
    case Success:
        // No calls sorts below 0 %.
        return hasLive && live->successPercent60s ? *live->successPercent60s : -1.0;
    case P99: return hasLive ? live->p99Us : 0.0;
    case Breaker: return hasLive ? int(live->breakerState) : -1;
    case InFlight: return hasLive ? live->inFlight : 0;
    case HourCalls: return number(hasHour ? hour->called : 0);
    case HourErrors: return number(hasHour ? hour->failures() : 0);
    case HourSuccess:
        return hasHour && hour->successPercent() ? *hour->successPercent() : -1.0;
    case HourP99: return hasHour ? hour->latency.p99Us : 0;
    case HourCodes: return number(hasHour ? hour->codesReceived : 0);
    case IntegrationCode: return partner.integrationCode.toLower();
    case Endpoint: return partner.endpoint;
    }
    return {};
}

QVariant PartnerListModel::toolTip(const Partner &partner, int column) const
{
    const auto live = m_live.constFind(partner.id);
    const bool hasLive = live != m_live.cend();
    const auto hour = m_hour.constFind(partner.id);
    const bool hasHour = hour != m_hour.cend();
    switch (column) {
    case Name:
        return partner.description.isEmpty() ? partner.name
                                             : tr("%1\n%2").arg(partner.name, partner.description);
    case Mode: return PartnerPresentation::modeDescription(partner.mode);
    case Success:
    case P99:
        if (!hasLive)
            return tr("No live statistics: the partner has not been called since the DCS "
                      "started");
        return tr("Last 60 s: %1 requests sent, %2 attempts; p50 %3, p95 %4, p99 %5")
            .arg(live->called60s)
            .arg(live->attempts60s)
            .arg(PartnerPresentation::formatLatencyUs(qint64(live->p50Us)),
                 PartnerPresentation::formatLatencyUs(qint64(live->p95Us)),
                 PartnerPresentation::formatLatencyUs(qint64(live->p99Us)));
    case Breaker:
        if (!hasLive)
            return QVariant();
        return live->breakerReason.isEmpty() ? PartnerPresentation::breakerLabel(
                                                   live->breakerState, live->breakerForced)
                                             : live->breakerReason;
    case HourCalls:
    case HourErrors:
    case HourSuccess:
    case HourP99:
    case HourCodes:
        if (!hasHour)
            return tr("No calls in the last hour");
        return tr("Last hour: %1 requests sent (%2 not called); %3 answered in time, %4 "
                  "timeouts, %5 late, %6 errors; %7 codes received, %8 unmapped")
            .arg(hour->called)
            .arg(hour->notCalled())
            .arg(hour->answeredInTime())
            .arg(hour->count(TransferOutcome::Timeout))
            .arg(hour->count(TransferOutcome::Late))
            .arg(hour->errors())
            .arg(hour->codesReceived)
            .arg(hour->unmappedCodesReceived);
    case Endpoint: return partner.endpoint;
    default: return {};
    }
}

QVariant PartnerListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Partner &partner = m_partners.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return display(partner, column);
    case Qt::ToolTipRole: return toolTip(partner, column);
    case SortRole: return sortValue(partner, column);
    case PartnerIdRole: return partner.id;
    case Qt::TextAlignmentRole: return headerData(column, Qt::Horizontal, role);
    case Qt::DecorationRole:
        if (column == Mode)
            return PartnerPresentation::modeIcon(partner.mode);
        if (column == Breaker) {
            const auto live = m_live.constFind(partner.id);
            if (live != m_live.cend())
                return PartnerPresentation::breakerIcon(live->breakerState);
        }
        return {};
    case Qt::AccessibleTextRole:
        if (column == Mode)
            return tr("Mode: %1").arg(PartnerPresentation::modeLabel(partner.mode));
        return {};
    default: return {};
    }
}

std::optional<Partner> PartnerListModel::partner(qint64 id) const
{
    const int row = rowOf(id);
    return row < 0 ? std::nullopt : std::optional<Partner>(m_partners.at(row));
}

int PartnerListModel::rowOf(qint64 id) const
{
    for (int row = 0; row < m_partners.size(); ++row) {
        if (m_partners.at(row).id == id)
            return row;
    }
    return -1;
}

void PartnerListModel::emitRowChanged(int row, int firstColumn, int lastColumn)
{
    Q_EMIT dataChanged(index(row, firstColumn), index(row, lastColumn));
}

void PartnerListModel::setPartners(const QList<Partner> &partners)
{
    QHash<qint64, const Partner *> incoming;
    for (const Partner &partner : partners)
        incoming.insert(partner.id, &partner);

    for (int row = int(m_partners.size()) - 1; row >= 0; --row) {
        if (incoming.contains(m_partners.at(row).id))
            continue;
        beginRemoveRows({}, row, row);
        m_live.remove(m_partners.at(row).id);
        m_hour.remove(m_partners.at(row).id);
        m_partners.removeAt(row);
        endRemoveRows();
    }
    QSet<qint64> present;
    for (int row = 0; row < m_partners.size(); ++row) {
        Partner &current = m_partners[row];
        present.insert(current.id);
        const Partner &updated = *incoming.value(current.id);
        if (current == updated)
            continue;
        current = updated;
        emitRowChanged(row, 0, ColumnCount - 1);
    }
    QList<Partner> added;
    for (const Partner &partner : partners) {
        if (!present.contains(partner.id))
            added.append(partner);
    }
    if (added.isEmpty())
        return;
    const int first = int(m_partners.size());
    beginInsertRows({}, first, first + int(added.size()) - 1);
    m_partners.append(added);
    endInsertRows();
}

void PartnerListModel::setLiveStats(const QList<PartnerLiveSnapshot> &stats)
{
    QHash<qint64, PartnerLiveSnapshot> next;
    for (const PartnerLiveSnapshot &snapshot : stats)
        next.insert(snapshot.partnerId, snapshot);
    for (int row = 0; row < m_partners.size(); ++row) {
        const qint64 id = m_partners.at(row).id;
        const auto before = m_live.constFind(id);
        const auto after = next.constFind(id);
        const bool hadBefore = before != m_live.cend();
        const bool hasAfter = after != next.cend();
        if (hadBefore != hasAfter || (hasAfter && !sameHealth(*before, *after))) {
            if (hasAfter)
                m_live.insert(id, *after);
            else
                m_live.remove(id);
            emitRowChanged(row, Success, InFlight);
        }
    }
}

void PartnerListModel::setHourFigures(const QList<PartnerTraffic::PartnerFigures> &figures)
{
    QHash<qint64, PartnerTraffic::PartnerFigures> next;
    for (const PartnerTraffic::PartnerFigures &partner : figures)
        next.insert(partner.partnerId, partner);
    for (int row = 0; row < m_partners.size(); ++row) {
        const qint64 id = m_partners.at(row).id;
        const auto before = m_hour.constFind(id);
        const auto after = next.constFind(id);
        const bool hadBefore = before != m_hour.cend();
        const bool hasAfter = after != next.cend();
        if (hadBefore != hasAfter || (hasAfter && !sameHour(*before, *after))) {
            if (hasAfter)
                m_hour.insert(id, *after);
            else
                m_hour.remove(id);
            emitRowChanged(row, HourCalls, HourCodes);
        }
    }
}

} // namespace Dcs
