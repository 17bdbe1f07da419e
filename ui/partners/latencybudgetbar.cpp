#include "latencybudgetbar.h"

#include "partnerpresentation.h"

#include <QPainter>

namespace Dcs {

namespace {
constexpr int kTrackHeight = 14;
constexpr int kTrackGap = 8;
constexpr int kAxisHeight = 18;
} // namespace

LatencyBudgetBar::LatencyBudgetBar(QWidget *parent) : QWidget(parent)
{
    setAccessibleName(tr("Latency against the deadline"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void LatencyBudgetBar::setTracks(const QList<Track> &tracks, int deadlineMs)
{
    m_tracks = tracks;
    m_deadlineMs = deadlineMs;
    const QString summary = summaryText();
    setToolTip(summary);
    setAccessibleDescription(summary);
    updateGeometry();
    update();
}

QString LatencyBudgetBar::summaryText() const
{
    QStringList lines;
    if (m_deadlineMs > 0)
        lines.append(tr("Deadline: %1 ms").arg(m_deadlineMs));
    for (const Track &track : m_tracks) {
        if (track.latency.measured == 0) {
            lines.append(tr("%1: no requests sent").arg(track.label));
            continue;
        }
        lines.append(tr("%1: p50 %2, p95 %3, p99 %4; %5 within budget")
                         .arg(track.label,
                              PartnerPresentation::formatLatencyUs(track.latency.p50Us),
                              PartnerPresentation::formatLatencyUs(track.latency.p95Us),
                              PartnerPresentation::formatLatencyUs(track.latency.p99Us),
                              PartnerPresentation::formatPercent(
                                  track.latency.withinBudgetPercent())));
    }
    return lines.join(u'\n');
}

QSize LatencyBudgetBar::sizeHint() const
{
    const int tracks = int(qMax<qsizetype>(1, m_tracks.size()));
    return {400, kAxisHeight + tracks * (kTrackHeight + kTrackGap) + 4};
}

QSize LatencyBudgetBar::minimumSizeHint() const
{
    return {200, sizeHint().height()};
}

void LatencyBudgetBar::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    const QFontMetrics metrics = fontMetrics();

    int labelWidth = 0;
    for (const Track &track : std::as_const(m_tracks))
        labelWidth = qMax(labelWidth, metrics.horizontalAdvance(track.label));
    labelWidth += 8;
    const QRect area = rect().adjusted(labelWidth, 2, -metrics.horizontalAdvance(
                                                          QStringLiteral("000 ms")), -2);
    if (area.width() < 20)
        return;

    qint64 scaleUs = qint64(m_deadlineMs) * 1000;
    for (const Track &track : std::as_const(m_tracks))
        scaleUs = qMax(scaleUs, track.latency.p99Us);
    scaleUs = qMax<qint64>(1000, scaleUs * 11 / 10);
    const auto xOf = [&](qint64 us) {
        return area.left() + int(double(area.width()) * double(us) / double(scaleUs));
    };

    QColor strong = pal.color(QPalette::Highlight);
    QColor medium = strong;
    medium.setAlphaF(0.55f);
    QColor light = strong;
    light.setAlphaF(0.25f);
    QColor track = pal.color(QPalette::Mid);
    track.setAlphaF(0.25f);

    int y = area.top();
    for (const Track &row : std::as_const(m_tracks)) {
        const QRect trackRect(area.left(), y, area.width(), kTrackHeight);
        painter.setPen(pal.color(QPalette::WindowText));
        painter.drawText(QRect(0, y, labelWidth - 6, kTrackHeight),
                         Qt::AlignRight | Qt::AlignVCenter, row.label);
        painter.fillRect(trackRect, track);
        if (row.latency.measured > 0) {
            const auto bar = [&](qint64 fromUs, qint64 toUs, const QColor &colour) {
                const int left = xOf(fromUs);
                const int right = qMax(left + 1, xOf(toUs));
                painter.fillRect(QRect(left, y, right - left, kTrackHeight), colour);
            };
            bar(row.latency.p95Us, row.latency.p99Us, light);
            bar(row.latency.p50Us, row.latency.p95Us, medium);
            bar(0, row.latency.p50Us, strong);
        }
        y += kTrackHeight + kTrackGap;
    }

    // The axis: 0, the deadline, and the scale's end.
    painter.setPen(pal.color(QPalette::WindowText));
    const int axisY = y;
    painter.drawText(QRect(area.left(), axisY, 60, kAxisHeight), Qt::AlignLeft | Qt::AlignTop,
                     tr("0 ms"));
    const QString end = PartnerPresentation::formatLatencyUs(scaleUs);
    const int endWidth = metrics.horizontalAdvance(end);
    QRect endRect(area.right() - endWidth / 2, axisY, endWidth, kAxisHeight);
    endRect.moveRight(qMin(endRect.right(), rect().right()));
    QRect deadlineRect;
    if (m_deadlineMs > 0) {
        const int x = xOf(qint64(m_deadlineMs) * 1000);
        QPen dashed(pal.color(QPalette::WindowText), 1.5, Qt::DashLine);
        painter.setPen(dashed);
        painter.drawLine(x, area.top() - 2, x, axisY);
        painter.setPen(pal.color(QPalette::WindowText));
        const QString label = tr("deadline %1 ms").arg(m_deadlineMs);
        const int width = metrics.horizontalAdvance(label);
        deadlineRect = QRect(x - width / 2, axisY, width, kAxisHeight);
        painter.drawText(deadlineRect, Qt::AlignCenter, label);
    }
    // The scale's end only where it does not cover the deadline's label.
    if (!endRect.intersects(deadlineRect.adjusted(-6, 0, 6, 0)))
        painter.drawText(endRect, Qt::AlignCenter, end);
}

} // namespace Dcs
