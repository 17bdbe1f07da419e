#pragma once

#include <QWidget>

class QComboBox;

namespace Dcs {

class DcsServer;
class OnboardingPanel;

// TEMPORARY (issue 6): a stand-alone page for the onboarding panel until the Partners page
// hosts it as a tab of the selected partner. A partner chooser above the panel, nothing else.
class OnboardingPreviewPage final : public QWidget
{
    Q_OBJECT
public:
    explicit OnboardingPreviewPage(DcsServer &server, QWidget *parent = nullptr);

    // Re-reads the partners (keeps the chosen one when it is still there).
    void reloadPartners();

    QComboBox *partnerBox() const { return m_partnerBox; }
    OnboardingPanel *panel() const { return m_panel; }

Q_SIGNALS:
    void statusMessage(const QString &message);

private:
    void choosePartner();

    DcsServer &m_server;
    QComboBox *m_partnerBox = nullptr;
    OnboardingPanel *m_panel = nullptr;
};

} // namespace Dcs
