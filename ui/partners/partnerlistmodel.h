#pragma once

#include "monitor/partnerlivestats.h"
#include "partners/partner.h"
#include "storage/partnertraffic.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <optional>

namespace Dcs {

// The partners page's list: every registered partner with its mode, its health from the live
// statistics (last 60 s: success, p99, breaker) and its last hour from the transfer log. Each
// source updates rows in place (dataChanged on the cells that changed), so selection, sorting
// and scrolling survive the 1 s refresh.
class PartnerListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Name,
        Dpid,
        Mode,
        Success,
        P99,
        Breaker,
        InFlight,
        HourCalls,
        HourErrors,
        HourSuccess,
        HourP99,
        HourCodes,
        IntegrationCode,
        Endpoint,
        ColumnCount
    };
    // The partner's id on every cell; a value to sort by (numbers as numbers).
    static constexpr int PartnerIdRole = Qt::UserRole + 1;
    static constexpr int SortRole = Qt::UserRole + 2;

    explicit PartnerListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // The registered partners (PartnerRepository::all()). Rows of partners that stay are
    // updated in place, gone ones removed, new ones appended.
    void setPartners(const QList<Partner> &partners);
    // PartnerLiveStats::snapshot(); partners without an entry show no health.
    void setLiveStats(const QList<PartnerLiveSnapshot> &stats);
    // PartnerTraffic::summaries() over the last hour.
    void setHourFigures(const QList<PartnerTraffic::PartnerFigures> &figures);

    const Partner &partnerAt(int row) const { return m_partners.at(row); }
    QList<Partner> partners() const { return m_partners; }
    std::optional<Partner> partner(qint64 id) const;
    int rowOf(qint64 id) const; // -1 when absent
    // Default visibility of a column (the rest are offered in the header's menu).
    static bool shownByDefault(int column);

private:
    QVariant display(const Partner &partner, int column) const;
    QVariant sortValue(const Partner &partner, int column) const;
    QVariant toolTip(const Partner &partner, int column) const;
    void emitRowChanged(int row, int firstColumn, int lastColumn);

    QList<Partner> m_partners;
    QHash<qint64, PartnerLiveSnapshot> m_live;
    QHash<qint64, PartnerTraffic::PartnerFigures> m_hour;
};

} // namespace Dcs
