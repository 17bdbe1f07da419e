#include "partnerpresentation.h"

#include "views/columnmenu.h"

#include "monitor/transfercolumns.h"

#include <QAction>
#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QHeaderView>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace Dcs::PartnerPresentation {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::PartnerPresentation", text);
}

// Mid-tone colours that read on light and dark backgrounds (as TransferColumns' icons).
QColor modeColour(Partner::Mode mode)
{
    switch (mode) {
    case Partner::Mode::Disabled: return QColor(0x8a, 0x8a, 0x8a);
    case Partner::Mode::Shadow: return QColor(0x5b, 0x7f, 0xc4);
    case Partner::Mode::Live: return QColor(0x2e, 0x9d, 0x4f);
    }
    return Qt::gray;
}

QPixmap drawMode(Partner::Mode mode, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal s = size;
    const QColor colour = modeColour(mode);
    const qreal width = qMax(1.5, s * 0.12);
    const QRectF box(s * 0.14, s * 0.14, s * 0.72, s * 0.72);
    switch (mode) {
    case Partner::Mode::Disabled:
        painter.setPen(QPen(colour, width));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(box);
        painter.drawLine(QPointF(s * 0.26, s * 0.74), QPointF(s * 0.74, s * 0.26));
        break;
    case Partner::Mode::Shadow: {
        painter.setPen(QPen(colour, width));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(box);
        QPainterPath half;
        half.moveTo(box.center());
        half.arcTo(box, 90, 180);
        half.closeSubpath();
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawPath(half);
        break;
    }
    case Partner::Mode::Live:
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawEllipse(box.adjusted(-s * 0.04, -s * 0.04, s * 0.04, s * 0.04));
        painter.setBrush(Qt::white);
        painter.drawEllipse(QRectF(s * 0.4, s * 0.4, s * 0.2, s * 0.2));
        break;
    }
    return pixmap;
}

} // namespace

QString modeLabel(Partner::Mode mode)
{
    switch (mode) {
    case Partner::Mode::Disabled: return tr("Disabled");
    case Partner::Mode::Shadow: return tr("Shadow");
    case Partner::Mode::Live: return tr("Live");
    }
    return {};
}

QString modeDescription(Partner::Mode mode)
{
    switch (mode) {
    case Partner::Mode::Disabled: return tr("Not called.");
    case Partner::Mode::Shadow:
        return tr("Called on real traffic and measured; its answers are validated and shown, "
                  "never applied to visitors.");
    case Partner::Mode::Live:
        return tr("Called on real traffic; its segment codes are applied to visitors.");
    }
    return {};
}

QIcon modeIcon(Partner::Mode mode)
{
    static QHash<int, QIcon> cache; // GUI thread only
    const auto found = cache.constFind(int(mode));
    if (found != cache.cend())
        return *found;
    QIcon icon;
    for (const int size : {16, 22, 32})
        icon.addPixmap(drawMode(mode, size));
    cache.insert(int(mode), icon);
    return icon;
}

QString breakerLabel(PartnerBreakerState state, bool forced)
{
    QString label;
    switch (state) {
    case PartnerBreakerState::Closed: label = tr("Closed"); break;
    case PartnerBreakerState::Open: label = tr("Open"); break;
    case PartnerBreakerState::HalfOpen: label = tr("Half-open"); break;
    }
    return forced ? tr("%1 (forced)").arg(label) : label;
}

QIcon breakerIcon(PartnerBreakerState state)
{
    switch (state) {
    case PartnerBreakerState::Closed: return TransferColumns::outcomeIcon(TransferOutcome::Ok);
    case PartnerBreakerState::Open:
        return TransferColumns::outcomeIcon(TransferOutcome::NetworkError);
    case PartnerBreakerState::HalfOpen:
        return TransferColumns::outcomeIcon(TransferOutcome::Timeout);
    }
    return {};
}

QString checkResultLabel(OnboardingCheck::Result result)
{
    switch (result) {
    case OnboardingCheck::Result::Pass: return tr("Pass");
    case OnboardingCheck::Result::Warn: return tr("Warning");
    case OnboardingCheck::Result::Fail: return tr("Fail");
    case OnboardingCheck::Result::NotApplicable: return tr("n/a");
    }
    return {};
}

QIcon checkResultIcon(OnboardingCheck::Result result)
{
    switch (result) {
    case OnboardingCheck::Result::Pass: return TransferColumns::outcomeIcon(TransferOutcome::Ok);
    case OnboardingCheck::Result::Warn:
        return TransferColumns::outcomeIcon(TransferOutcome::Timeout);
    case OnboardingCheck::Result::Fail:
        return TransferColumns::outcomeIcon(TransferOutcome::HttpError);
    case OnboardingCheck::Result::NotApplicable:
        return TransferColumns::outcomeIcon(TransferOutcome::Skipped);
    }
    return {};
}

QString formatPercent(std::optional<double> percent)
{
    if (!percent)
        return tr("–");
    return tr("%1 %").arg(*percent, 0, 'f', 1);
}

QString formatLatencyUs(qint64 micros)
{
    return TransferColumns::formatMs(micros);
}

QString formatAge(qint64 thenMs, qint64 nowMs)
{
    const qint64 seconds = qMax<qint64>(0, (nowMs - thenMs) / 1000);
    if (seconds < 60)
        return tr("just now");
    if (seconds < 120)
        return tr("a minute ago");
    if (seconds < 3600)
        return tr("%1 minutes ago").arg(seconds / 60);
    if (seconds < 7200)
        return tr("an hour ago");
    if (seconds < 86400)
        return tr("%1 hours ago").arg(seconds / 3600);
    if (seconds < 2 * 86400)
        return tr("a day ago");
    return tr("%1 days ago").arg(seconds / 86400);
}

void installColumnChooser(QHeaderView *header, std::function<void()> changed)
{
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(header, &QWidget::customContextMenuRequested, header,
                     [header, changed](const QPoint &position) {
                         QAbstractItemModel *model = header->model();
                         if (!model)
                             return;
                         QMenu menu(header);
                         menu.setTitle(tr("Columns"));
                         addColumnToggles(menu, header, KeptColumn::First, changed);
                         menu.exec(header->viewport()->mapToGlobal(position));
                     });
}

} // namespace Dcs::PartnerPresentation
