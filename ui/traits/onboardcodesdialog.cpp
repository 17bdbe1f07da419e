#include "traits/onboardcodesdialog.h"

#include "dcs/dcsserver.h"
#include "rules/rulesnapshot.h"
#include "rules/traitrulegroups.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>
#include <memory>

namespace Dcs {

namespace {

constexpr int CodeRole = Qt::UserRole + 1;

} // namespace

Trait OnboardCodesDialog::traitFor(const Partner &partner, const QString &code, qint64 folderId,
                                   const QString &namePrefix)
{
    Trait trait;
    trait.type = Trait::Type::Onboarded;
    trait.name = (namePrefix.isEmpty() ? partner.name + QStringLiteral(": ") : namePrefix) + code;
    trait.folderId = folderId;
    trait.dataSource = partner.dpid;
    trait.integrationCode = code;
    trait.rule = QStringLiteral("ic == ") + TraitRuleGroupsConversion::quotedValue(code);
    return trait;
}

OnboardCodesDialog::OnboardCodesDialog(DcsServer &server, const QList<Partner> &partners,
                                       qint64 folderId, QWidget *parent)
    : QDialog(parent)
    , m_server(server)
    , m_partners(partners)
    , m_folderId(folderId)
{
    setObjectName(QStringLiteral("onboardCodesDialog"));
    setWindowTitle(tr("Onboarded Traits from Partner Codes"));
    m_worker.setMaxThreadCount(1);
    m_worker.setExpiryTimeout(5000);

    m_partner = new QComboBox;
    m_partner->setObjectName(QStringLiteral("onboardPartnerCombo"));
    for (const Partner &partner : std::as_const(m_partners))
        m_partner->addItem(tr("%1 (DPID %2)").arg(partner.name).arg(partner.dpid), partner.dpid);
    m_prefix = new QLineEdit;
    m_prefix->setObjectName(QStringLiteral("onboardNamePrefix"));
    m_prefix->setPlaceholderText(tr("Partner name and a colon"));
    m_prefix->setToolTip(tr("Each trait is named this prefix followed by its code"));

    m_table = new QTableWidget(0, 2);
    m_table->setObjectName(QStringLiteral("onboardCodesTable"));
    m_table->setAccessibleName(tr("Unmapped codes"));
    m_table->setHorizontalHeaderLabels({tr("Code"), tr("Visitors now")});
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("onboardSummary"));
    m_summary->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_create = buttons->addButton(tr("&Create Onboarded Traits"), QDialogButtonBox::AcceptRole);
    m_create->setObjectName(QStringLiteral("createOnboardedButton"));
    m_create->setEnabled(false);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_create, &QPushButton::clicked, this, &OnboardCodesDialog::create);

    auto *form = new QFormLayout;
    form->addRow(tr("&Partner:"), m_partner);
    form->addRow(tr("&Name prefix:"), m_prefix);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Codes the partner sent that no onboarded trait maps, with "
                                    "how many visitors carry each now. Check the codes to "
                                    "create one onboarded trait each.")));
    layout->addLayout(form);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_summary);
    layout->addWidget(buttons);
    resize(520, 480);

    connect(m_partner, &QComboBox::currentIndexChanged, this, &OnboardCodesDialog::loadCodes);
    connect(m_table, &QTableWidget::itemChanged, this, &OnboardCodesDialog::updateButton);
    loadCodes();
}

OnboardCodesDialog::~OnboardCodesDialog()
{
    m_worker.waitForDone();
}

std::optional<Partner> OnboardCodesDialog::currentPartner() const
{
    const qint64 dpid = m_partner->currentData().toLongLong();
    for (const Partner &partner : m_partners) {
        if (partner.dpid == dpid)
            return partner;
    }
    return std::nullopt;
}

void OnboardCodesDialog::selectPartner(qint64 dpid)
{
    const int index = m_partner->findData(dpid);
    if (index >= 0 && index != m_partner->currentIndex())
        m_partner->setCurrentIndex(index);
}

void OnboardCodesDialog::setChecked(const QString &code, bool checked)
{
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QTableWidgetItem *item = m_table->item(row, 0);
        if (item->data(CodeRole).toString() == code)
            item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    }
}

void OnboardCodesDialog::loadCodes()
{
    const quint64 generation = ++m_generation;
    m_table->setRowCount(0);
    m_codes.clear();
    updateButton();
    const std::optional<Partner> partner = currentPartner();
    if (!partner) {
        m_summary->setText(tr("No partner: add one on the Partners page first."));
        return;
    }
    m_summary->setText(tr("Reading the codes %1 sent…").arg(partner->name));
    DcsServer *server = &m_server;
    const qint64 dpid = partner->dpid;
    m_worker.start([this, server, dpid, generation] {
        auto codes = std::make_shared<QList<PartnerTraffic::CodePopulation>>();
        auto error = std::make_shared<QString>();
        PartnerTraffic::codePopulations(server->storage()->reader(), dpid,
                                        QDateTime::currentMSecsSinceEpoch(), codes.get(),
                                        error.get());
        server->storage()->releaseReader();
        // The codes the running DCS maps to an onboarded trait are not offered again.
        const std::shared_ptr<const RulesSnapshot> snapshot = server->rulesEngine()->snapshot();
        codes->removeIf([&](const PartnerTraffic::CodePopulation &code) {
            return snapshot && !snapshot->onboardedTraits(dpid, code.code).empty();
        });
        QMetaObject::invokeMethod(
            this,
            [this, codes, error, generation] {
                if (generation != m_generation)
                    return;
                m_codes = *codes;
                const QLocale locale;
                m_table->blockSignals(true);
                m_table->setRowCount(int(m_codes.size()));
                for (int row = 0; row < m_codes.size(); ++row) {
                    auto *code = new QTableWidgetItem(m_codes.at(row).code);
                    code->setData(CodeRole, m_codes.at(row).code);
                    code->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable
                                   | Qt::ItemIsUserCheckable);
                    code->setCheckState(Qt::Unchecked);
                    auto *visitors = new QTableWidgetItem(locale.toString(m_codes.at(row).visitors));
                    visitors->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                    m_table->setItem(row, 0, code);
                    m_table->setItem(row, 1, visitors);
                }
                m_table->blockSignals(false);
                if (!error->isEmpty())
                    m_summary->setText(tr("The codes could not be read: %1").arg(*error));
                else if (m_codes.isEmpty())
                    m_summary->setText(tr("Every code this partner sent is mapped."));
                updateButton();
                Q_EMIT codesLoaded();
            },
            Qt::QueuedConnection);
    });
}

void OnboardCodesDialog::updateButton()
{
    qint64 fewest = std::numeric_limits<qint64>::max();
    qint64 most = 0;
    int checked = 0;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        if (m_table->item(row, 0)->checkState() == Qt::Checked) {
            ++checked;
            fewest = std::min(fewest, m_codes.value(row).visitors);
            most = std::max(most, m_codes.value(row).visitors);
        }
    }
    m_create->setEnabled(checked > 0);
    const QLocale locale;
    if (checked > 0)
        m_summary->setText((checked == 1 ? tr("1 onboarded trait to create; ")
                                         : tr("%1 onboarded traits to create; ").arg(checked))
                           + tr("their codes are carried by %1 to %2 visitors now.")
                                 .arg(locale.toString(fewest), locale.toString(most)));
    else if (!m_codes.isEmpty())
        m_summary->setText(m_codes.size() == 1 ? tr("1 unmapped code.")
                                               : tr("%1 unmapped codes.").arg(m_codes.size()));
}

void OnboardCodesDialog::create()
{
    const std::optional<Partner> partner = currentPartner();
    if (!partner)
        return;
    QList<Trait> traits;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem *item = m_table->item(row, 0);
        if (item->checkState() == Qt::Checked)
            traits.append(traitFor(*partner, item->data(CodeRole).toString(), m_folderId,
                                   m_prefix->text()));
    }
    if (traits.isEmpty())
        return;
    m_create->setEnabled(false);
    DcsServer *server = &m_server;
    m_worker.start([this, server, traits] {
        auto stored = std::make_shared<QList<Trait>>(traits);
        // One write: all of them or none.
        const WriteResult result = server->storage()->writer().runAndWait(
            [stored, traits](WriteContext &context, QString *error) {
                *stored = traits; // a job can run twice: start from the inputs
                for (Trait &trait : *stored) {
                    if (!TraitRepository::write(context, trait,
                                                DefinitionVersions::currentAuthor(), error))
                        return false;
                }
                return true;
            });
        if (result.ok)
            server->reloadRules(); // the next call realizes them
        server->storage()->releaseReader();
        QMetaObject::invokeMethod(
            this,
            [this, result, stored] {
                if (!result.ok) {
                    m_create->setEnabled(true);
                    m_summary->setText(tr("Not created: %1").arg(result.error));
                    Q_EMIT failed(result.error);
                    return;
                }
                Q_EMIT traitsCreated(*stored);
                loadCodes(); // the codes just mapped leave the list
            },
            Qt::QueuedConnection);
    });
}

} // namespace Dcs
