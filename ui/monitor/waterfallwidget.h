#pragma once

#include "transfer/transferrecord.h"

#include <QList>
#include <QWidget>

namespace Dcs {

// The timing breakdown of partner attempts drawn against the /event's deadline
// (partner-protocol.md, "Timings"): queue, connect, TLS, send, wait for the first byte, receive,
// parse. Two layouts:
// - one attempt (setRecord): one row per phase, each bar starting where the previous phase
//   ended, its duration written beside it;
// - several attempts of one /event (setRecords): one lane per partner, its phases stacked, so
//   the partners can be compared side by side.
// Both draw the partner's budget (X-DCS-Tmax) and the deadline as vertical lines. Phases that
// were not reached (-1) are left out; a phase ends where the next reached one starts.
class WaterfallWidget final : public QWidget
{
    Q_OBJECT
public:
    enum class Phase { Queue, Connect, Tls, Send, Wait, Receive, Parse, Count };

    struct Segment
    {
        Phase phase;
        qint64 startUs;
        qint64 endUs;
    };

    explicit WaterfallWidget(QWidget *parent = nullptr);

    void setRecord(const TransferRecord &record);
    // `highlightSequence` marks the lane of that record (0: none).
    void setRecords(const QList<TransferRecord> &records, qint64 highlightSequence = 0);
    void clear();

    // The phases of one attempt in time order, without the ones not reached.
    static QList<Segment> segmentsOf(const TransferRecord &record);
    static QString phaseName(Phase phase);
    // What the widget shows, as text: for the clipboard, the accessible description and tests.
    QString textSummary() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override; // tooltips per bar
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Lane
    {
        QString label;
        QList<Segment> segments;
        qint64 totalUs = 0;
        bool highlighted = false;
        TransferOutcome outcome = TransferOutcome::Ok;
    };

    void updateScale();
    QRectF plotRect() const;
    qreal xFor(qint64 micros, const QRectF &plot) const;
    QString tooltipAt(const QPoint &position) const;
    QColor colourOf(Phase phase) const;
    int rowCount() const;
    int legendLineCount(int widgetWidth) const;

    QList<Lane> m_lanes;
    bool m_detailed = false; // one attempt, a row per phase
    qint64 m_budgetUs = 0;
    qint64 m_deadlineUs = 0;
    qint64 m_scaleUs = 1; // the plot's right edge
    int m_legendLines = 1;
};

} // namespace Dcs
