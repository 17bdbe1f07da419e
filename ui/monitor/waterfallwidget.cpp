#include "waterfallwidget.h"

#include "transfercolumns.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <array>
#include <cmath>

namespace Dcs {

namespace {

constexpr int kMargin = 6;
constexpr int kLegendSpacing = 14;

QString msText(qint64 micros)
{
    return TransferColumns::formatMs(micros);
}

// A "nice" tick step (1, 2 or 5 × 10^n µs) giving about `wanted` ticks over `span`.
qint64 tickStepUs(qint64 span, int wanted)
{
    const double raw = double(span) / qMax(wanted, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(qMax(raw, 1.0))));
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (magnitude * factor >= raw)
            return qMax<qint64>(1, qint64(magnitude * factor));
    }
    return qMax<qint64>(1, qint64(magnitude * 10));
}

} // namespace

WaterfallWidget::WaterfallWidget(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("waterfall"));
    setAccessibleName(tr("Timing waterfall"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
    setMouseTracking(true);
}

QList<WaterfallWidget::Segment> WaterfallWidget::segmentsOf(const TransferRecord &record)
{
    const TransferTimings &t = record.timings;
    // Each phase ends at its timing mark; it starts where the last reached phase ended.
    const std::array<std::pair<Phase, qint32>, 7> marks{{
        {Phase::Queue, t.queueUs},
        {Phase::Connect, t.connectUs},
        {Phase::Tls, t.tlsUs},
        {Phase::Send, t.sentUs},
        {Phase::Wait, t.firstByteUs},
        {Phase::Receive, t.lastByteUs},
        {Phase::Parse, t.parseUs},
    }};
    QList<Segment> segments;
    qint64 previous = 0;
    for (const auto &[phase, end] : marks) {
        if (end < 0)
            continue;
        const qint64 endUs = qMax<qint64>(end, previous);
        segments.append({phase, previous, endUs});
        previous = endUs;
    }
    // A call cut short (timeout, network error) spent the rest of its time in the phase after
    // the last one reached: show it up to the outcome.
    if (!transferOutcomeNotCalled(record.outcome) && record.totalUs > previous) {
        const int reached = segments.isEmpty() ? -1 : int(segments.last().phase);
        if (reached < int(Phase::Parse)) {
            const auto next = Phase(qMin(reached + 1, int(Phase::Parse)));
            // Without a connection yet the time went to queueing or connecting.
            segments.append({next, previous, record.totalUs});
        }
    }
    return segments;
}

QString WaterfallWidget::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Queue: return tr("queue");
    case Phase::Connect: return tr("connect");
    case Phase::Tls: return tr("TLS");
    case Phase::Send: return tr("send");
    case Phase::Wait: return tr("first byte");
    case Phase::Receive: return tr("last byte");
    case Phase::Parse: return tr("parse");
    case Phase::Count: break;
    }
    return {};
}

void WaterfallWidget::setRecord(const TransferRecord &record)
{
    m_lanes.clear();
    m_detailed = true;
    for (const Segment &segment : segmentsOf(record)) {
        Lane lane;
        lane.label = phaseName(segment.phase);
        lane.segments = {segment};
        lane.totalUs = segment.endUs;
        lane.outcome = record.outcome;
        m_lanes.append(lane);
    }
    m_budgetUs = qint64(record.budgetMs) * 1000;
    m_deadlineUs = qint64(record.deadlineMs) * 1000;
    updateScale();
}

void WaterfallWidget::setRecords(const QList<TransferRecord> &records, qint64 highlightSequence)
{
    m_lanes.clear();
    m_detailed = false;
    m_budgetUs = 0;
    m_deadlineUs = 0;
    for (const TransferRecord &record : records) {
        Lane lane;
        lane.label = record.partnerName.isEmpty() ? tr("DPID %1").arg(record.dpid)
                                                  : record.partnerName;
        if (record.shadow)
            lane.label += tr(" (shadow)");
        lane.segments = segmentsOf(record);
        lane.totalUs = record.totalUs;
        lane.outcome = record.outcome;
        lane.highlighted = highlightSequence != 0 && record.sequence == highlightSequence;
        m_lanes.append(lane);
        m_deadlineUs = qMax(m_deadlineUs, qint64(record.deadlineMs) * 1000);
    }
    updateScale();
}

void WaterfallWidget::clear()
{
    m_lanes.clear();
    m_budgetUs = m_deadlineUs = 0;
    updateScale();
}

void WaterfallWidget::updateScale()
{
    qint64 widest = qMax(m_deadlineUs, m_budgetUs);
    for (const Lane &lane : std::as_const(m_lanes))
        widest = qMax(widest, lane.totalUs);
    m_scaleUs = qMax<qint64>(1000, widest + widest / 12);
    setAccessibleDescription(textSummary());
    updateGeometry();
    update();
}

int WaterfallWidget::rowCount() const
{
    return qMax(1, int(m_lanes.size()));
}

QSize WaterfallWidget::sizeHint() const
{
    const int row = fontMetrics().height() + 6;
    // Axis labels above; below, the budget and deadline labels, then the legend (lanes only),
    // on as many lines as the width needs.
    return {480, kMargin * 2 + row * (rowCount() + 2)
                     + (m_detailed ? 0 : row * legendLineCount(qMax(width(), 240)))};
}

int WaterfallWidget::legendLineCount(int widgetWidth) const
{
    const QFontMetrics metrics = fontMetrics();
    int lines = 1;
    int x = kMargin;
    for (int phase = 0; phase < int(Phase::Count); ++phase) {
        const int item = 13 + metrics.horizontalAdvance(phaseName(Phase(phase)));
        if (x > kMargin && x + item > widgetWidth - kMargin) {
            ++lines;
            x = kMargin;
        }
        x += item + kLegendSpacing;
    }
    return lines;
}

void WaterfallWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (!m_detailed && legendLineCount(width()) != m_legendLines) {
        m_legendLines = legendLineCount(width());
        updateGeometry(); // the legend needs another line, or one less
    }
}

QSize WaterfallWidget::minimumSizeHint() const
{
    return {240, sizeHint().height()};
}

QRectF WaterfallWidget::plotRect() const
{
    const QFontMetrics metrics = fontMetrics();
    int labelWidth = metrics.horizontalAdvance(tr("first byte"));
    for (const Lane &lane : m_lanes)
        labelWidth = qMax(labelWidth, metrics.horizontalAdvance(lane.label));
    // elidedText() wants a pixel or two more than horizontalAdvance() to leave a label whole.
    labelWidth = qMin(labelWidth + 4, width() / 3);
    const int row = metrics.height() + 6;
    const int durationWidth = metrics.horizontalAdvance(QStringLiteral("000.00 ms"));
    const qreal left = kMargin + labelWidth + kMargin;
    const qreal top = kMargin + row; // axis labels
    const qreal right = width() - kMargin - durationWidth;
    return QRectF(left, top, qMax<qreal>(right - left, 40), row * rowCount());
}

qreal WaterfallWidget::xFor(qint64 micros, const QRectF &plot) const
{
    return plot.left() + plot.width() * double(micros) / double(m_scaleUs);
}

QColor WaterfallWidget::colourOf(Phase phase) const
{
    // A qualitative palette that stays distinguishable on light and dark backgrounds; each row
    // is also labelled, so the colours are never the only cue.
    static const std::array<QColor, 7> colours{{
        QColor(0x9e, 0x9e, 0x9e), // queue
        QColor(0xf2, 0xa9, 0x00), // connect
        QColor(0xa0, 0x5c, 0xd6), // TLS
        QColor(0x3d, 0x8e, 0xd9), // send
        QColor(0x6c, 0xb8, 0xe6), // wait for the first byte
        QColor(0x2e, 0x9d, 0x4f), // receive
        QColor(0xd6, 0x6a, 0x3b), // parse
    }};
    return colours[size_t(phase)];
}

void WaterfallWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    const QFontMetrics metrics = fontMetrics();
    const QRectF plot = plotRect();
    const int row = metrics.height() + 6;

    if (m_lanes.isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No timings: select a partner call"));
        return;
    }

    // The time axis: ticks and labels above the rows, faint grid lines through them.
    const qint64 step = tickStepUs(m_scaleUs, qMax(2, int(plot.width() / 70)));
    QColor grid = pal.color(QPalette::Mid);
    grid.setAlpha(90);
    for (qint64 tick = 0; tick <= m_scaleUs; tick += step) {
        const qreal x = xFor(tick, plot);
        painter.setPen(grid);
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter.setPen(pal.color(QPalette::WindowText));
        const QString label = tick >= 1000 || step >= 1000
                                  ? tr("%1 ms").arg(double(tick) / 1000.0, 0, 'g', 4)
                                  : tr("%1 µs").arg(tick);
        painter.drawText(QRectF(x - 40, kMargin, 80, row), Qt::AlignCenter, label);
    }

    for (int index = 0; index < m_lanes.size(); ++index) {
        const Lane &lane = m_lanes.at(index);
        const QRectF band(plot.left(), plot.top() + index * row, plot.width(), row);
        if (lane.highlighted) {
            QColor highlight = pal.color(QPalette::Highlight);
            highlight.setAlpha(50);
            painter.fillRect(QRectF(0, band.top(), width(), row), highlight);
        }
        painter.setPen(pal.color(QPalette::WindowText));
        painter.drawText(QRectF(kMargin, band.top(), plot.left() - 2 * kMargin, row),
                         Qt::AlignVCenter | Qt::AlignRight,
                         metrics.elidedText(lane.label, Qt::ElideRight,
                                            int(plot.left()) - 2 * kMargin));
        for (const Segment &segment : lane.segments) {
            const qreal x0 = xFor(segment.startUs, plot);
            const qreal x1 = qMax(xFor(segment.endUs, plot), x0 + 1.5);
            painter.fillRect(QRectF(x0, band.top() + 3, x1 - x0, row - 6),
                             colourOf(segment.phase));
        }
        const qint64 duration = m_detailed && !lane.segments.isEmpty()
                                    ? lane.segments.first().endUs - lane.segments.first().startUs
                                    : lane.totalUs;
        const qreal end = lane.segments.isEmpty() ? plot.left()
                                                  : xFor(lane.segments.last().endUs, plot);
        QString text = msText(duration);
        if (!m_detailed && lane.segments.isEmpty())
            text = TransferColumns::outcomeLabel(lane.outcome);
        painter.setPen(pal.color(QPalette::WindowText));
        painter.drawText(QRectF(end + 4, band.top(), width() - end - 4, row), Qt::AlignVCenter,
                         text);
    }

    // The budget and the deadline, drawn over the bars. Their labels sit in a row of their own
    // under the plot, the budget's left of its line and the deadline's right of it, so that they
    // cover neither an axis label, nor a bar's duration, nor each other.
    const auto drawLimit = [&](qint64 micros, const QColor &colour, const QString &label,
                               bool labelLeft) {
        if (micros <= 0)
            return;
        const qreal x = xFor(micros, plot);
        painter.setPen(QPen(colour, 1.5, Qt::DashLine));
        painter.drawLine(QPointF(x, plot.top() - 2), QPointF(x, plot.bottom() + row / 2));
        const int textWidth = metrics.horizontalAdvance(label) + 6;
        const QRectF box = labelLeft ? QRectF(x - textWidth - 2, plot.bottom(), textWidth, row)
                                     : QRectF(x + 3, plot.bottom(), textWidth, row);
        painter.fillRect(box, pal.color(QPalette::Window));
        painter.setPen(colour);
        painter.drawText(box, Qt::AlignCenter, label);
    };
    if (m_budgetUs > 0 && m_budgetUs == m_deadlineUs) {
        drawLimit(m_deadlineUs, pal.color(QPalette::WindowText), tr("budget = deadline"), false);
    } else {
        drawLimit(m_budgetUs, pal.color(QPalette::Highlight), tr("budget"), true);
        drawLimit(m_deadlineUs, pal.color(QPalette::WindowText), tr("deadline"), false);
    }

    if (!m_detailed) {
        // The legend: every phase with its colour and name, wrapped to the width.
        qreal x = kMargin;
        qreal y = plot.bottom() + row + 4;
        for (int phase = 0; phase < int(Phase::Count); ++phase) {
            const QString name = phaseName(Phase(phase));
            const int item = 13 + metrics.horizontalAdvance(name);
            if (x > kMargin && x + item > width() - kMargin) {
                x = kMargin;
                y += row;
            }
            painter.fillRect(QRectF(x, y + 3, 10, row - 10), colourOf(Phase(phase)));
            painter.setPen(pal.color(QPalette::WindowText));
            painter.drawText(QRectF(x + 13, y, item, row - 4), Qt::AlignVCenter, name);
            x += item + kLegendSpacing;
        }
    }
}

QString WaterfallWidget::tooltipAt(const QPoint &position) const
{
    const QRectF plot = plotRect();
    const int row = fontMetrics().height() + 6;
    const int index = int((position.y() - plot.top()) / row);
    if (position.y() < plot.top() || index < 0 || index >= m_lanes.size())
        return {};
    const Lane &lane = m_lanes.at(index);
    QStringList lines{lane.label};
    for (const Segment &segment : lane.segments)
        lines.append(tr("%1: %2 (%3 → %4)")
                         .arg(phaseName(segment.phase), msText(segment.endUs - segment.startUs),
                              msText(segment.startUs), msText(segment.endUs)));
    if (!m_detailed)
        lines.append(tr("%1 in %2").arg(TransferColumns::outcomeLabel(lane.outcome),
                                         msText(lane.totalUs)));
    return lines.join(u'\n');
}

bool WaterfallWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = tooltipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

QString WaterfallWidget::textSummary() const
{
    if (m_lanes.isEmpty())
        return tr("No timings");
    QStringList lines;
    for (const Lane &lane : m_lanes) {
        if (m_detailed) {
            const Segment &segment = lane.segments.first();
            lines.append(tr("%1 %2").arg(lane.label, msText(segment.endUs - segment.startUs)));
        } else {
            lines.append(tr("%1: %2 in %3")
                             .arg(lane.label, TransferColumns::outcomeLabel(lane.outcome),
                                  msText(lane.totalUs)));
        }
    }
    if (m_budgetUs > 0)
        lines.append(tr("budget %1").arg(msText(m_budgetUs)));
    if (m_deadlineUs > 0)
        lines.append(tr("deadline %1").arg(msText(m_deadlineUs)));
    return lines.join(u'\n');
}

} // namespace Dcs
