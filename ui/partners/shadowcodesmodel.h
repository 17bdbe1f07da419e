#pragma once

#include "storage/partnertraffic.h"

#include <QAbstractTableModel>

namespace Dcs {

// The segment codes a shadow partner sent: how often, the share of its events, and whether an
// onboarded trait maps each one (an unmapped code is stored for the visitor but realizes no
// trait until an analyst creates one).
class ShadowCodesModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Code, Count, Share, Mapping, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit ShadowCodesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // `events`: the partner's events in the range, what the share is of.
    void setCodes(const QList<PartnerTraffic::CodeCount> &codes, quint64 events);
    void clear();

    const PartnerTraffic::CodeCount &codeAt(int row) const { return m_codes.at(row); }

private:
    QList<PartnerTraffic::CodeCount> m_codes;
    quint64 m_events = 0;
};

} // namespace Dcs
