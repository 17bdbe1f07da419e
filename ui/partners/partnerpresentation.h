#pragma once

#include "monitor/partnerlivestats.h"
#include "partners/onboardingrun.h"
#include "partners/partner.h"

#include <QIcon>
#include <QString>

#include <functional>
#include <optional>

class QHeaderView;

namespace Dcs {

// How the partners page shows a partner's mode, breaker and numbers: one definition for the
// list, the editor's header, the mode switch and the confirmation.
namespace PartnerPresentation {

// "Disabled", "Shadow", "Live".
QString modeLabel(Partner::Mode mode);
// One sentence on what the mode does, for tooltips and the confirmation.
QString modeDescription(Partner::Mode mode);
// Shape first, colour second: a ring with a bar (disabled), a half-filled disc (shadow), a
// filled disc (live).
QIcon modeIcon(Partner::Mode mode);

// "Closed", "Open", "Half-open", with " (forced)" when an admin set it.
QString breakerLabel(PartnerBreakerState state, bool forced);
QIcon breakerIcon(PartnerBreakerState state);

// "Pass", "Warn", "Fail", "n/a", and an icon of the outcome shapes.
QString checkResultLabel(OnboardingCheck::Result result);
QIcon checkResultIcon(OnboardingCheck::Result result);

// "99.5 %", or "–" without a value.
QString formatPercent(std::optional<double> percent);
// "12.3 ms" from microseconds.
QString formatLatencyUs(qint64 micros);
// "5 minutes ago" style distance from nowMs, for the last onboarding test.
QString formatAge(qint64 thenMs, qint64 nowMs);

// A right-click menu on `header` that shows and hides its columns (the first one stays), and
// calls `changed` after each change so the caller can persist the header's state.
void installColumnChooser(QHeaderView *header, std::function<void()> changed);

} // namespace PartnerPresentation
} // namespace Dcs
