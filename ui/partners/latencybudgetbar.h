#pragma once

#include "storage/partnertraffic.h"

#include <QList>
#include <QWidget>

namespace Dcs {

// Latency against the deadline, one track per row: bars to p50, p95 and p99 (darker to
// lighter) on a common scale, and the deadline as a line across all tracks. The numbers are in
// the tooltip and the accessible description, so the picture is never the only way to read them.
class LatencyBudgetBar final : public QWidget
{
    Q_OBJECT
public:
    struct Track
    {
        QString label;
        PartnerTraffic::LatencySummary latency;
    };

    explicit LatencyBudgetBar(QWidget *parent = nullptr);

    void setTracks(const QList<Track> &tracks, int deadlineMs);
    QString summaryText() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<Track> m_tracks;
    int m_deadlineMs = 0;
};

} // namespace Dcs
