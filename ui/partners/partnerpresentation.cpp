#include "partnerpresentation.h"

#include "views/statusicons.h"

#include "views/columnmenu.h"

#include "monitor/transfercolumns.h"

#include <QAction>
#include <QCoreApplication>
#include <QDateTime>
#include <QHeaderView>
#include <QMenu>

namespace Dcs::PartnerPresentation {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::PartnerPresentation", text);
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
    using namespace StatusIcons;
    switch (mode) {
    case Partner::Mode::Disabled: return icon(Glyph::SlashedRing, Tone::Muted);
    case Partner::Mode::Shadow: return icon(Glyph::HalfDisc, Tone::Shadow);
    case Partner::Mode::Live: return icon(Glyph::DotDisc, Tone::Good);
    }
    return {};
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
