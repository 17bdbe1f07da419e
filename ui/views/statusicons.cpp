#include "statusicons.h"

#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace Dcs::StatusIcons {

QColor colour(Tone tone)
{
    switch (tone) {
    case Tone::Good: return QColor(0x2e, 0x9d, 0x4f);
    case Tone::Calm: return QColor(0x6f, 0x8f, 0xaf);
    case Tone::Muted: return QColor(0x8a, 0x8a, 0x8a);
    case Tone::Caution: return QColor(0xe0, 0x8a, 0x1e);
    case Tone::Bad: return QColor(0xd6, 0x3b, 0x3b);
    case Tone::Shadow: return QColor(0x5b, 0x7f, 0xc4);
    }
    return Qt::gray;
}

namespace {

QPixmap draw(Glyph glyph, const QColor &tint, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal s = size;
    const QRectF box(s * 0.1, s * 0.1, s * 0.8, s * 0.8);
    const qreal stroke = qMax(1.5, s * 0.12);
    const QPen mark(Qt::white, stroke, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    const auto filledDisc = [&] {
        painter.setPen(Qt::NoPen);
        painter.setBrush(tint);
        painter.drawEllipse(box);
        painter.setPen(mark);
    };
    const auto outlinedRing = [&] {
        painter.setPen(QPen(tint, stroke));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(box.adjusted(s * 0.06, s * 0.06, -s * 0.06, -s * 0.06));
    };
    switch (glyph) {
    case Glyph::CheckDisc: {
        filledDisc();
        QPainterPath tick;
        tick.moveTo(s * 0.3, s * 0.52);
        tick.lineTo(s * 0.44, s * 0.66);
        tick.lineTo(s * 0.7, s * 0.36);
        painter.drawPath(tick);
        break;
    }
    case Glyph::CrossDisc:
        filledDisc();
        painter.drawLine(QPointF(s * 0.34, s * 0.34), QPointF(s * 0.66, s * 0.66));
        painter.drawLine(QPointF(s * 0.66, s * 0.34), QPointF(s * 0.34, s * 0.66));
        break;
    case Glyph::Ring:
        outlinedRing();
        break;
    case Glyph::DashSquare:
        painter.setPen(Qt::NoPen);
        painter.setBrush(tint);
        painter.drawRoundedRect(box, s * 0.12, s * 0.12);
        painter.setPen(mark);
        painter.drawLine(QPointF(s * 0.3, s * 0.5), QPointF(s * 0.7, s * 0.5));
        break;
    case Glyph::Clock:
    case Glyph::LateClock:
        filledDisc();
        painter.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.5, s * 0.26));
        painter.drawLine(QPointF(s * 0.5, s * 0.5), glyph == Glyph::LateClock
                                                        ? QPointF(s * 0.7, s * 0.62)
                                                        : QPointF(s * 0.68, s * 0.5));
        break;
    case Glyph::ExclamationTriangle: {
        painter.setPen(Qt::NoPen);
        painter.setBrush(tint);
        QPainterPath triangle;
        triangle.moveTo(s * 0.5, s * 0.06);
        triangle.lineTo(s * 0.96, s * 0.9);
        triangle.lineTo(s * 0.04, s * 0.9);
        triangle.closeSubpath();
        painter.drawPath(triangle);
        painter.setPen(mark);
        painter.drawLine(QPointF(s * 0.5, s * 0.36), QPointF(s * 0.5, s * 0.6));
        painter.drawPoint(QPointF(s * 0.5, s * 0.76));
        break;
    }
    case Glyph::SlashedRing:
        outlinedRing();
        painter.drawLine(QPointF(s * 0.26, s * 0.74), QPointF(s * 0.74, s * 0.26));
        break;
    case Glyph::HalfDisc: {
        outlinedRing();
        const QRectF inner = box.adjusted(s * 0.06, s * 0.06, -s * 0.06, -s * 0.06);
        QPainterPath half;
        half.moveTo(inner.center());
        half.arcTo(inner, 90, 180);
        half.closeSubpath();
        painter.setPen(Qt::NoPen);
        painter.setBrush(tint);
        painter.drawPath(half);
        break;
    }
    case Glyph::DotDisc:
        painter.setPen(Qt::NoPen);
        painter.setBrush(tint);
        painter.drawEllipse(box);
        painter.setBrush(Qt::white);
        painter.drawEllipse(QRectF(s * 0.4, s * 0.4, s * 0.2, s * 0.2));
        break;
    }
    return pixmap;
}

} // namespace

QIcon icon(Glyph glyph, Tone tone)
{
    static QHash<int, QIcon> cache; // GUI thread only
    const int key = int(glyph) * 16 + int(tone);
    const auto found = cache.constFind(key);
    if (found != cache.constEnd())
        return *found;
    QIcon drawn;
    for (int size : {16, 22, 24, 32})
        drawn.addPixmap(draw(glyph, colour(tone), size));
    cache.insert(key, drawn);
    return drawn;
}

} // namespace Dcs::StatusIcons
