#include "partnerhealthmodel.h"

#include "monitor/monitorfeed.h"
#include "transfer/transferengine.h"
#include "transfercolumns.h"

#include <QDateTime>
#include <QStringList>
#include <QGuiApplication>
#include <QHash>
#include <QPalette>

#include <algorithm>

namespace Dcs {

namespace {

// The outcomes of the "Not called" column, in the order its tooltip lists them.
constexpr TransferOutcome kNotCalled[] = {TransferOutcome::Skipped, TransferOutcome::CircuitOpen,
                                          TransferOutcome::RateLimited,
                                          TransferOutcome::NoIdSync};

quint64 notCalled60s(const PartnerLiveSnapshot &stats)
{
    quint64 total = 0;
    for (const TransferOutcome outcome : kNotCalled)
        total += stats.count60s(outcome);
    return total;
}

PartnerBreakerState breakerStateOf(const CircuitBreaker::Status &status)
{
    return status.state == CircuitBreaker::State::Open ? PartnerBreakerState::Open
                                                       : PartnerBreakerState::Closed;
}

// What the strip shows of a row: a change in anything else does not repaint it.
bool sameShown(const PartnerHealthRow &a, const PartnerHealthRow &b)
{
    const PartnerLiveSnapshot &x = a.stats;
    const PartnerLiveSnapshot &y = b.stats;
    return a.active == b.active && a.shadow == b.shadow && x.dpid == y.dpid && x.name == y.name
           && x.callsPerSecond1s == y.callsPerSecond1s
           && x.callsPerSecond10s == y.callsPerSecond10s && x.outcomes60s == y.outcomes60s
           && x.called60s == y.called60s && x.successPercent60s == y.successPercent60s
           && x.p50Us == y.p50Us && x.p95Us == y.p95Us && x.p99Us == y.p99Us
           && x.inFlight == y.inFlight && x.breakerState == y.breakerState
           && x.breakerForced == y.breakerForced && x.breakerReason == y.breakerReason
           && x.breakerSinceMs == y.breakerSinceMs;
}

// "45 s", "3 min 12 s", "2 h 5 min".
QString durationText(qint64 ms)
{
    const qint64 seconds = qMax<qint64>(0, ms / 1000);
    if (seconds < 60)
        return PartnerHealthModel::tr("%n s", nullptr, int(seconds));
    if (seconds < 3600)
        return PartnerHealthModel::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return PartnerHealthModel::tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
}

QString rateText(double perSecond)
{
    return QString::number(perSecond, 'f', perSecond < 10 ? 1 : 0);
}

} // namespace

PartnerHealthModel::PartnerHealthModel(MonitorFeed &feed, const TransferEngine *engine,
                                       QObject *parent)
    : QAbstractTableModel(parent)
    , m_feed(feed)
    , m_engine(engine)
{
}

void PartnerHealthModel::refresh(qint64 nowMs)
{
    const QList<PartnerLiveSnapshot> snapshot = m_feed.partners().snapshot(nowMs);
    QList<PartnerHealthRow> rows;
    rows.reserve(snapshot.size());
    // Without an engine the feed is all there is: every partner counts as active.
    for (const PartnerLiveSnapshot &stats : snapshot)
        rows.append(PartnerHealthRow{stats, m_engine == nullptr, false});

    if (m_engine) {
        QHash<qint64, int> rowOf;
        for (int i = 0; i < rows.size(); ++i)
            rowOf.insert(rows.at(i).stats.partnerId, i);
        bool added = false;
        for (const Partner &partner : m_engine->activePartners()) {
            int index = rowOf.value(partner.id, -1);
            if (index < 0) { // no call and no report yet
                PartnerHealthRow row;
                row.stats.partnerId = partner.id;
                rows.append(row);
                index = int(rows.size()) - 1;
                added = true;
            }
            PartnerHealthRow &row = rows[index];
            row.active = true;
            row.shadow = partner.mode == Partner::Mode::Shadow;
            row.stats.dpid = partner.dpid;
            row.stats.name = partner.name; // the current name, even before its next call
            // The breaker itself, not its last report: before its first change it has never
            // reported, and the engine's status says why it is closed.
            if (const auto status = m_engine->breakerStatus(partner.id)) {
                row.stats.breakerState = breakerStateOf(*status);
                row.stats.breakerForced = status->override != CircuitBreaker::Override::Automatic;
                row.stats.breakerReason = status->reason;
                row.stats.breakerSinceMs = status->sinceMs;
            }
        }
        if (added) {
            std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
                return a.stats.partnerId < b.stats.partnerId;
            });
        }
    }
    setRows(std::move(rows), nowMs);
}

void PartnerHealthModel::setRows(QList<PartnerHealthRow> rows, qint64 nowMs)
{
    m_nowMs = nowMs;
    // A merge of two lists sorted by partner id: runs of partners that left are removed, runs
    // of new ones inserted, and the others updated in place. Each step only touches rows at or
    // after `i`, so the changed range collected so far stays valid.
    int firstChanged = -1;
    int lastChanged = -1;
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < m_rows.size() || j < rows.size()) {
        const bool leftOnly = j == rows.size()
                              || (i < m_rows.size()
                                  && m_rows.at(i).stats.partnerId < rows.at(j).stats.partnerId);
        if (leftOnly) {
            qsizetype end = i;
            while (end < m_rows.size()
                   && (j == rows.size()
                       || m_rows.at(end).stats.partnerId < rows.at(j).stats.partnerId)) {
                ++end;
            }
            beginRemoveRows({}, int(i), int(end - 1));
            m_rows.remove(i, end - i);
            endRemoveRows();
            continue;
        }
        const bool rightOnly = i == m_rows.size()
                               || rows.at(j).stats.partnerId < m_rows.at(i).stats.partnerId;
        if (rightOnly) {
            qsizetype end = j;
            while (end < rows.size()
                   && (i == m_rows.size()
                       || rows.at(end).stats.partnerId < m_rows.at(i).stats.partnerId)) {
                ++end;
            }
            beginInsertRows({}, int(i), int(i + (end - j) - 1));
            for (qsizetype k = j; k < end; ++k)
                m_rows.insert(i + (k - j), std::move(rows[k]));
            endInsertRows();
            i += end - j;
            j = end;
            continue;
        }
        if (!sameShown(m_rows.at(i), rows.at(j))) {
            m_rows[i] = std::move(rows[j]);
            if (firstChanged < 0)
                firstChanged = int(i);
            lastChanged = int(i);
        }
        ++i;
        ++j;
    }
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
}

int PartnerHealthModel::rowOfPartner(qint64 partnerId) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).stats.partnerId == partnerId)
            return row;
    }
    return -1;
}

int PartnerHealthModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PartnerHealthModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString PartnerHealthModel::breakerText(const PartnerLiveSnapshot &stats)
{
    switch (stats.breakerState) {
    case PartnerBreakerState::Open:
        return stats.breakerForced ? tr("Forced open") : tr("Open");
    case PartnerBreakerState::HalfOpen:
        return tr("Half-open");
    case PartnerBreakerState::Closed:
        break;
    }
    return stats.breakerForced ? tr("Forced closed") : tr("Closed");
}

QIcon PartnerHealthModel::breakerIcon(const PartnerLiveSnapshot &stats)
{
    switch (stats.breakerState) {
    case PartnerBreakerState::Open:
        return TransferColumns::outcomeIcon(TransferOutcome::CircuitOpen);
    case PartnerBreakerState::HalfOpen:
        return TransferColumns::outcomeIcon(TransferOutcome::Timeout);
    case PartnerBreakerState::Closed:
        break;
    }
    return TransferColumns::outcomeIcon(TransferOutcome::Ok);
}

QVariant PartnerHealthModel::display(const PartnerHealthRow &row, int column) const
{
    const PartnerLiveSnapshot &stats = row.stats;
    const bool called = stats.called60s > 0;
    switch (column) {
    case Name: {
        QString name = stats.name.isEmpty() ? tr("Partner %1").arg(stats.partnerId) : stats.name;
        if (row.shadow)
            name = tr("%1 (shadow)").arg(name);
        return name;
    }
    case CallsPerSecond: return rateText(stats.callsPerSecond10s);
    case Success:
        return stats.successPercent60s ? tr("%1 %").arg(*stats.successPercent60s, 0, 'f', 1)
                                       : tr("—");
    case Timeouts: return QString::number(stats.count60s(TransferOutcome::Timeout));
    case NotCalled: return QString::number(notCalled60s(stats));
    case P99: return called ? TransferColumns::formatMs(qint64(stats.p99Us)) : tr("—");
    case InFlight: return QString::number(stats.inFlight);
    case Breaker: return row.active ? breakerText(stats) : tr("Not active");
    }
    return {};
}

QVariant PartnerHealthModel::toolTip(const PartnerHealthRow &row, int column) const
{
    const PartnerLiveSnapshot &stats = row.stats;
    switch (column) {
    case Name: {
        QString text = tr("%1, DPID %2").arg(display(row, Name).toString()).arg(stats.dpid);
        if (row.shadow)
            text += u'\n' + tr("Shadow: called and recorded, its answers never applied.");
        if (!row.active)
            text += u'\n' + tr("Not active: disabled or removed; these are its last calls.");
        return text;
    }
    case CallsPerSecond:
        return tr("Requests sent: %1/s over the last 10 s, %2 in the last second")
            .arg(rateText(stats.callsPerSecond10s))
            .arg(stats.callsPerSecond1s, 0, 'f', 0);
    case Success:
        if (!stats.successPercent60s)
            return tr("No request sent in the last 60 s");
        return tr("%1 of the %2 requests sent in the last 60 s were answered in time (OK or "
                  "empty)")
            .arg(stats.count60s(TransferOutcome::Ok) + stats.count60s(TransferOutcome::Empty))
            .arg(stats.called60s);
    case Timeouts:
        return tr("%1 in the last 60 s: %2\n%3 in the last 60 s: %4")
            .arg(TransferColumns::outcomeLabel(TransferOutcome::Timeout))
            .arg(stats.count60s(TransferOutcome::Timeout))
            .arg(TransferColumns::outcomeLabel(TransferOutcome::Late))
            .arg(stats.count60s(TransferOutcome::Late));
    case NotCalled: {
        QStringList lines{tr("Attempts not sent in the last 60 s:")};
        for (const TransferOutcome outcome : kNotCalled) {
            lines.append(tr("%1: %2").arg(TransferColumns::outcomeLabel(outcome))
                             .arg(stats.count60s(outcome)));
        }
        return lines.join(u'\n');
    }
    case P99:
        if (stats.called60s == 0)
            return tr("No request sent in the last 60 s");
        return tr("Latency of the %1 requests sent in the last 60 s:\np50 %2 · p95 %3 · p99 %4")
            .arg(stats.called60s)
            .arg(TransferColumns::formatMs(qint64(stats.p50Us)),
                 TransferColumns::formatMs(qint64(stats.p95Us)),
                 TransferColumns::formatMs(qint64(stats.p99Us)));
    case InFlight: return tr("Requests sent and not answered yet");
    case Breaker: {
        if (!row.active)
            return tr("The engine no longer calls this partner: its breaker is gone.");
        QString text = breakerText(stats);
        if (!stats.breakerReason.isEmpty())
            text += tr(": %1").arg(stats.breakerReason);
        if (stats.breakerSinceMs > 0) {
            text += u'\n'
                    + tr("Since %1 (%2)")
                          .arg(TransferColumns::formatTime(stats.breakerSinceMs),
                               durationText(m_nowMs - stats.breakerSinceMs));
        } else {
            text += u'\n' + tr("Unchanged since the DCS started");
        }
        return text;
    }
    }
    return {};
}

QVariant PartnerHealthModel::sortValue(const PartnerHealthRow &row, int column) const
{
    const PartnerLiveSnapshot &stats = row.stats;
    switch (column) {
    case Name: return display(row, Name);
    case CallsPerSecond: return stats.callsPerSecond10s;
    case Success: return stats.successPercent60s.value_or(-1.0);
    case Timeouts: return stats.count60s(TransferOutcome::Timeout);
    case NotCalled: return notCalled60s(stats);
    case P99: return stats.p99Us;
    case InFlight: return stats.inFlight;
    case Breaker: return row.active ? int(stats.breakerState) * 2 + int(stats.breakerForced) : -1;
    }
    return {};
}

QVariant PartnerHealthModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PartnerHealthRow &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return display(row, column);
    case Qt::ToolTipRole: return toolTip(row, column);
    case SortRole: return sortValue(row, column);
    case PartnerIdRole: return row.stats.partnerId;
    case DpidRole: return row.stats.dpid;
    case ActiveRole: return row.active;
    case Qt::DecorationRole:
        if (column == Breaker && row.active)
            return breakerIcon(row.stats);
        if (column == Timeouts && row.stats.count60s(TransferOutcome::Timeout) > 0)
            return TransferColumns::outcomeIcon(TransferOutcome::Timeout);
        break;
    case Qt::TextAlignmentRole:
        if (column != Name && column != Breaker)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (!row.active)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        break;
    case Qt::AccessibleTextRole:
        if (column == Breaker)
            return display(row, column);
        break;
    }
    return {};
}

QVariant PartnerHealthModel::headerData(int section, Qt::Orientation orientation,
                                        int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name: return tr("Partner");
        case CallsPerSecond: return tr("Calls/s");
        case Success: return tr("Success");
        case Timeouts: return tr("Timeouts");
        case NotCalled: return tr("Not called");
        case P99: return tr("p99");
        case InFlight: return tr("In flight");
        case Breaker: return tr("Breaker");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Name: return tr("The data partner; shadow partners are marked");
        case CallsPerSecond: return tr("Requests sent per second, over the last 10 s");
        case Success:
            return tr("Share of the requests sent in the last 60 s that were answered in time "
                      "(OK or empty)");
        case Timeouts: return tr("Requests that timed out in the last 60 s");
        case NotCalled:
            return tr("Attempts not sent in the last 60 s: skipped for lack of budget, circuit "
                      "open, rate limited or no ID sync");
        case P99:
            return tr("99th percentile of the latency of the requests sent in the last 60 s");
        case InFlight: return tr("Requests sent and not answered yet");
        case Breaker:
            return tr("The partner's circuit breaker: open means it is not called (but for "
                      "probes); forced means an admin chose the state");
        }
    }
    if (role == Qt::TextAlignmentRole && section != Name && section != Breaker)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace Dcs
