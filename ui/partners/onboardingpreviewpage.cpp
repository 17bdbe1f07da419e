#include "onboardingpreviewpage.h"

#include "dcs/dcsserver.h"
#include "onboardingpanel.h"
#include "storage/partnerrepository.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace Dcs {

OnboardingPreviewPage::OnboardingPreviewPage(DcsServer &server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
{
    setObjectName(QStringLiteral("onboardingPreviewPage"));
    m_partnerBox = new QComboBox;
    m_partnerBox->setObjectName(QStringLiteral("onboardingPartnerBox"));
    m_partnerBox->setMinimumContentsLength(24);
    m_partnerBox->setToolTip(tr("The partner to test"));
    auto *label = new QLabel(tr("&Partner:"));
    label->setBuddy(m_partnerBox);
    auto *reload = new QToolButton;
    reload->setIcon(QIcon::fromTheme(QStringLiteral("view-refresh"),
                                     style()->standardIcon(QStyle::SP_BrowserReload)));
    reload->setAccessibleName(tr("Reload partners"));
    reload->setToolTip(tr("Read the partners again"));
    connect(reload, &QToolButton::clicked, this, &OnboardingPreviewPage::reloadPartners);
    auto *row = new QHBoxLayout;
    row->addWidget(label);
    row->addWidget(m_partnerBox);
    row->addWidget(reload);
    row->addStretch(1);

    m_panel = new OnboardingPanel(server);
    connect(m_panel, &OnboardingPanel::statusMessage, this,
            &OnboardingPreviewPage::statusMessage);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_panel, 1);

    connect(m_partnerBox, &QComboBox::currentIndexChanged, this,
            &OnboardingPreviewPage::choosePartner);
    reloadPartners();
}

void OnboardingPreviewPage::reloadPartners()
{
    const qint64 chosen = m_partnerBox->currentData().toLongLong();
    const QList<Partner> partners = PartnerRepository(*m_server.storage()).all();
    {
        const QSignalBlocker blocker(m_partnerBox);
        m_partnerBox->clear();
        for (const Partner &partner : partners)
            m_partnerBox->addItem(tr("%1 (DPID %2)").arg(partner.name).arg(partner.dpid),
                                  partner.id);
        const int index = m_partnerBox->findData(chosen);
        m_partnerBox->setCurrentIndex(index >= 0 ? index : (partners.isEmpty() ? -1 : 0));
    }
    choosePartner();
}

void OnboardingPreviewPage::choosePartner()
{
    const qint64 id = m_partnerBox->currentData().toLongLong();
    m_panel->setPartner(id > 0 ? PartnerRepository(*m_server.storage()).byId(id) : std::nullopt);
}

} // namespace Dcs
