#pragma once

#include "partners/onboardingrun.h"
#include "partners/partner.h"

#include <QDialog>

#include <optional>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace Dcs {

// Asks before a partner changes mode. Moving to Shadow or Live shows the latest onboarding
// test, check by check with when it ran, or plainly that the partner was never tested; refusing
// keeps the mode. Opened with open() (window-modal, not blocking), so the page and its tests
// answer it through its buttons.
class ModeChangeDialog final : public QDialog
{
    Q_OBJECT
public:
    // `latest`: the newest onboarding report (nullopt: never tested); `historyError` when the
    // history could not be read.
    ModeChangeDialog(const Partner &partner, Partner::Mode target,
                     const std::optional<OnboardingReport> &latest, const QString &historyError,
                     qint64 nowMs, QWidget *parent = nullptr);

    Partner::Mode targetMode() const { return m_target; }
    qint64 partnerId() const { return m_partnerId; }
    QPushButton *confirmButton() const { return m_confirm; }
    QPushButton *cancelButton() const { return m_cancel; }
    // "never tested", "passed", "failed": what the onboarding part says, for tests.
    QLabel *testSummaryLabel() const { return m_testSummary; }
    QTreeWidget *checksView() const { return m_checks; }

private:
    const Partner::Mode m_target;
    const qint64 m_partnerId;
    QLabel *m_testSummary = nullptr;
    QTreeWidget *m_checks = nullptr;
    QPushButton *m_confirm = nullptr;
    QPushButton *m_cancel = nullptr;
};

} // namespace Dcs
