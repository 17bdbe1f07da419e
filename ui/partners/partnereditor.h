#pragma once

#include "partners/partner.h"
#include "partners/partnervalidator.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace Dcs {

// Every field of a partner, checked as the admin types (PartnerValidator): each problem is
// shown under its field and in a summary at the top. The secret is write-only: a stored secret
// is never loaded back; the field says whether one is stored, an empty field keeps it, a typed
// one replaces it on save, and "Remove stored secret" removes it on save. The mode is not edited
// here (the page's mode switch does that, with a confirmation).
class PartnerEditor final : public QWidget
{
    Q_OBJECT
public:
    explicit PartnerEditor(QWidget *parent = nullptr);

    // Shows `stored` (id 0: a new partner) and forgets every edit and pending secret change.
    void setPartner(const Partner &stored);
    // The partners a name, DPID or integration code must not clash with.
    void setOtherPartners(const QList<Partner> &others);
    // Where secrets are kept, shown beside the secret field.
    void setSecretStoreDescription(const QString &description);
    // The stored mode changed (the mode switch): the baseline follows, edits stay.
    void setStoredMode(Partner::Mode mode);
    // Discards the edits.
    void revert();

    Partner stored() const { return m_stored; }
    // The fields as typed, on top of the stored partner (id, mode, secret state).
    Partner draft() const;
    // nullopt: keep the stored secret; empty: remove it; else the new secret.
    std::optional<QByteArray> secretChange() const;
    bool isDirty() const;
    bool isValid() const { return m_issues.isEmpty(); }
    QList<PartnerFieldIssue> issues() const { return m_issues; }
    // The message shown under a field ("dpid", "endpoint", ...; "forwarded_keys" for any key).
    QLabel *messageLabel(const QString &field) const { return m_messages.value(field); }

Q_SIGNALS:
    void edited();
    void dirtyChanged(bool dirty);
    void validityChanged(bool valid);

private:
    QWidget *field(QWidget *editor, const QString &key, const QString &toolTip);
    QString fieldLabel(const QString &key) const;
    void revalidate();
    void updateSecretState();
    void fill(const Partner &partner);

    Partner m_stored;
    QList<Partner> m_others;
    QList<PartnerFieldIssue> m_issues;
    bool m_removeSecret = false;
    bool m_lastDirty = false;
    bool m_lastValid = true;
    bool m_filling = false;
    QString m_secretStoreDescription;

    QLabel *m_summary = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_dpid = nullptr;
    QLineEdit *m_integrationCode = nullptr;
    QLineEdit *m_contact = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QLineEdit *m_endpoint = nullptr;
    QComboBox *m_style = nullptr;
    QLineEdit *m_forwardedKeys = nullptr;
    QCheckBox *m_needsIdSync = nullptr;
    QLineEdit *m_secret = nullptr;
    QLabel *m_secretState = nullptr;
    QPushButton *m_removeSecretButton = nullptr;
    QLineEdit *m_secretEnv = nullptr;
    QSpinBox *m_timeout = nullptr;
    QSpinBox *m_minBudget = nullptr;
    QSpinBox *m_maxInFlight = nullptr;
    QSpinBox *m_maxRate = nullptr;
    QHash<QString, QLabel *> m_messages;
    QHash<QString, QWidget *> m_editors;
};

} // namespace Dcs
