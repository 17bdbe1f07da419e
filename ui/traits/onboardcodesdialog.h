#pragma once

#include "partners/partner.h"
#include "rules/definitions.h"
#include "storage/partnertraffic.h"

#include <QDialog>
#include <QList>
#include <QThreadPool>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace Dcs {

class DcsServer;

// Onboarded traits from a partner's unmapped codes, in one step: the codes the partner sent
// that no onboarded trait of its data source maps, each with how many visitors carry it now,
// so the analyst sees the population before creating anything. "Create onboarded traits"
// stores one trait per checked code (rule `ic == "CODE"`, data source the partner's DPID) in
// one write, and the DCS uses them from its next call.
class OnboardCodesDialog final : public QDialog
{
    Q_OBJECT

public:
    OnboardCodesDialog(DcsServer &server, const QList<Partner> &partners, qint64 folderId,
                       QWidget *parent = nullptr);
    ~OnboardCodesDialog() override;

    void selectPartner(qint64 dpid);
    // Unmapped codes of the selected partner, as listed (most carried first).
    const QList<PartnerTraffic::CodePopulation> &codes() const { return m_codes; }
    void setChecked(const QString &code, bool checked);
    QTableWidget *codesTable() const { return m_table; }
    QPushButton *createButton() const { return m_create; }

    // The trait made for one code (exposed for tests and for the page's preview).
    static Trait traitFor(const Partner &partner, const QString &code, qint64 folderId,
                          const QString &namePrefix);

Q_SIGNALS:
    void codesLoaded();
    // After the write: the traits as stored (sids assigned).
    void traitsCreated(const QList<Dcs::Trait> &traits);
    void failed(const QString &error);

private:
    void loadCodes();
    void create();
    void updateButton();
    std::optional<Partner> currentPartner() const;

    DcsServer &m_server;
    QList<Partner> m_partners;
    qint64 m_folderId = 0;
    quint64 m_generation = 0;
    QList<PartnerTraffic::CodePopulation> m_codes;
    QThreadPool m_worker;

    QComboBox *m_partner = nullptr;
    QLineEdit *m_prefix = nullptr;
    QTableWidget *m_table = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_create = nullptr;
};

} // namespace Dcs
