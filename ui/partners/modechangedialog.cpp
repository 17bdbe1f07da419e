#include "modechangedialog.h"

#include "monitor/transfercolumns.h"
#include "partnerpresentation.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Dcs {

ModeChangeDialog::ModeChangeDialog(const Partner &partner, Partner::Mode target,
                                   const std::optional<OnboardingReport> &latest,
                                   const QString &historyError, qint64 nowMs, QWidget *parent)
    : QDialog(parent)
    , m_target(target)
    , m_partnerId(partner.id)
{
    setObjectName(QStringLiteral("modeChangeDialog"));
    const QString targetLabel = PartnerPresentation::modeLabel(target);
    setWindowTitle(tr("Switch %1 to %2").arg(partner.name, targetLabel));

    auto *title = new QLabel(tr("<b>Switch %1 from %2 to %3?</b>")
                                 .arg(partner.name.toHtmlEscaped(),
                                      PartnerPresentation::modeLabel(partner.mode),
                                      targetLabel));
    title->setWordWrap(true);
    auto *meaning = new QLabel(tr("%1 The DCS uses the new mode from its next call.")
                                   .arg(PartnerPresentation::modeDescription(target)));
    meaning->setWordWrap(true);

    m_testSummary = new QLabel;
    m_testSummary->setObjectName(QStringLiteral("onboardingSummary"));
    m_testSummary->setWordWrap(true);
    m_testSummary->setTextFormat(Qt::RichText);
    m_checks = new QTreeWidget;
    m_checks->setObjectName(QStringLiteral("onboardingChecks"));
    m_checks->setAccessibleName(tr("Checks of the latest onboarding test"));
    m_checks->setRootIsDecorated(false);
    m_checks->setColumnCount(3);
    m_checks->setHeaderLabels({tr("Check"), tr("Result"), tr("Detail")});
    m_checks->setVisible(false);

    bool warn = false;
    const bool showsTest = target != Partner::Mode::Disabled;
    if (!showsTest) {
        m_testSummary->setText(tr("It will not be called any more; its statistics and "
                                  "transfer history stay."));
    } else if (!historyError.isEmpty()) {
        warn = true;
        m_testSummary->setText(tr("The onboarding history cannot be read: %1")
                                   .arg(historyError.toHtmlEscaped()));
    } else if (!latest) {
        warn = true;
        m_testSummary->setText(tr("<b>Never tested.</b> No onboarding test has been run for "
                                  "this partner: run one (one call or a run of calls) before "
                                  "it goes on real traffic."));
    } else {
        const OnboardingReport &report = *latest;
        const bool passed = report.passed() && !report.cancelled;
        warn = !passed;
        const QString when = tr("%1 (%2)").arg(TransferColumns::formatTime(report.startedMs),
                                               PartnerPresentation::formatAge(report.startedMs,
                                                                              nowMs));
        QString verdict = report.cancelled ? tr("<b>Cancelled</b>")
                                           : (passed ? tr("<b>Passed</b>")
                                                     : tr("<b>Failed</b>"));
        const QString calls = report.config.calls == 1
                                  ? tr("1 call")
                                  : tr("%1 calls").arg(report.config.calls);
        m_testSummary->setText(
            tr("Latest onboarding test: %1, run %2 with %3; p50 %4, p99 %5, error rate %6.")
                .arg(verdict, when.toHtmlEscaped(), calls,
                     PartnerPresentation::formatLatencyUs(qint64(report.p50Ms * 1000)),
                     PartnerPresentation::formatLatencyUs(qint64(report.p99Ms * 1000)),
                     PartnerPresentation::formatPercent(report.errorRate * 100)));
        for (const OnboardingCheck &check : report.checks) {
            auto *item = new QTreeWidgetItem(m_checks);
            item->setText(0, check.name);
            item->setText(1, PartnerPresentation::checkResultLabel(check.result));
            item->setIcon(1, PartnerPresentation::checkResultIcon(check.result));
            item->setText(2, check.detail);
            item->setToolTip(2, check.detail);
        }
        m_checks->setVisible(!report.checks.isEmpty());
        m_checks->header()->resizeSections(QHeaderView::ResizeToContents);
    }
    if (warn && target == Partner::Mode::Live)
        m_testSummary->setText(m_testSummary->text()
                               + tr("<br>Its answers will be applied to visitors at once."));

    auto *buttons = new QDialogButtonBox;
    m_confirm = buttons->addButton(tr("Switch to %1").arg(targetLabel),
                                   QDialogButtonBox::AcceptRole);
    m_confirm->setObjectName(QStringLiteral("confirmModeButton"));
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("cancelModeButton"));
    // An untested or failing partner: the safe answer is the default one.
    if (warn) {
        m_confirm->setAutoDefault(false); // focus must not make it the default either
        m_cancel->setDefault(true);
        m_cancel->setFocus();
    } else {
        m_confirm->setDefault(true);
    }
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(meaning);
    layout->addWidget(m_testSummary);
    layout->addWidget(m_checks, 1);
    layout->addWidget(buttons);
    resize(showsTest && m_checks->topLevelItemCount() > 0 ? QSize(620, 420) : QSize(480, 200));
}

} // namespace Dcs
