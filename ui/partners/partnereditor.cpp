#include "partnereditor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace Dcs {

namespace {

// A red that reads on light and dark backgrounds; the text says the problem, colour only marks it.
const QColor kProblemColour(0xd6, 0x3b, 0x3b);

QStringList parseKeys(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    return text.split(separators, Qt::SkipEmptyParts);
}

// "forwarded_keys[2]" belongs to the "forwarded_keys" field.
QString fieldKeyOf(const QString &issueField)
{
    const qsizetype bracket = issueField.indexOf(u'[');
    return bracket < 0 ? issueField : issueField.left(bracket);
}

QSpinBox *spinBox(int minimum, int maximum, const QString &suffix)
{
    auto *spin = new QSpinBox;
    spin->setRange(minimum, maximum);
    spin->setSuffix(suffix);
    spin->setAccelerated(true);
    return spin;
}

} // namespace

PartnerEditor::PartnerEditor(QWidget *parent) : QWidget(parent)
{
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("validationSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("e.g. Acme Data"));
    m_dpid = new QLineEdit;
    m_dpid->setObjectName(QStringLiteral("dpidEdit"));
    m_dpid->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("\\d{0,10}")), m_dpid));
    m_dpid->setPlaceholderText(tr("e.g. 1955"));
    m_integrationCode = new QLineEdit;
    m_integrationCode->setObjectName(QStringLiteral("integrationCodeEdit"));
    m_integrationCode->setPlaceholderText(tr("optional"));
    m_contact = new QLineEdit;
    m_contact->setObjectName(QStringLiteral("contactEdit"));
    m_description = new QPlainTextEdit;
    m_description->setObjectName(QStringLiteral("descriptionEdit"));
    m_description->setTabChangesFocus(true);
    m_description->setMaximumHeight(72);

    m_endpoint = new QLineEdit;
    m_endpoint->setObjectName(QStringLiteral("endpointEdit"));
    m_endpoint->setPlaceholderText(tr("http://host:port/path"));
    m_style = new QComboBox;
    m_style->setObjectName(QStringLiteral("styleBox"));
    m_style->addItem(tr("JSON POST"), int(Partner::Style::JsonPost));
    m_style->addItem(tr("GET template"), int(Partner::Style::GetTemplate));
    m_style->setItemData(0, tr("POST a JSON body to the endpoint"), Qt::ToolTipRole);
    m_style->setItemData(1, tr("GET the endpoint after replacing ${UUID}, ${DPUUID}, ${DPID}, "
                               "${TID}, ${TMAX} and ${TS}"),
                         Qt::ToolTipRole);
    m_forwardedKeys = new QLineEdit;
    m_forwardedKeys->setObjectName(QStringLiteral("forwardedKeysEdit"));
    m_forwardedKeys->setPlaceholderText(tr("none: only IDs are sent"));
    m_needsIdSync = new QCheckBox(tr("Call only for visitors with a synced partner ID"));
    m_needsIdSync->setObjectName(QStringLiteral("needsIdSyncBox"));

    m_secret = new QLineEdit;
    m_secret->setObjectName(QStringLiteral("secretEdit"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_secret->setClearButtonEnabled(true);
    m_secretState = new QLabel;
    m_secretState->setObjectName(QStringLiteral("secretState"));
    m_secretState->setWordWrap(true);
    m_removeSecretButton = new QPushButton(tr("Remove Stored Secret"));
    m_removeSecretButton->setObjectName(QStringLiteral("removeSecretButton"));
    m_removeSecretButton->setToolTip(tr("Remove the stored secret when the partner is saved "
                                        "(Revert undoes it)"));
    m_secretEnv = new QLineEdit;
    m_secretEnv->setObjectName(QStringLiteral("secretEnvEdit"));
    m_secretEnv->setPlaceholderText(tr("optional, e.g. ACME_SECRET"));

    m_timeout = spinBox(0, 999999, tr(" ms"));
    m_timeout->setObjectName(QStringLiteral("timeoutSpin"));
    m_minBudget = spinBox(0, 999999, tr(" ms"));
    m_minBudget->setObjectName(QStringLiteral("minBudgetSpin"));
    m_maxInFlight = spinBox(0, 999999, QString());
    m_maxInFlight->setObjectName(QStringLiteral("maxInFlightSpin"));
    m_maxRate = spinBox(0, 99999999, tr(" /s"));
    m_maxRate->setObjectName(QStringLiteral("maxRateSpin"));
    m_maxRate->setSpecialValueText(tr("unlimited"));

    auto *identity = new QGroupBox(tr("Partner"));
    auto *identityForm = new QFormLayout(identity);
    identityForm->addRow(tr("&Name:"), field(m_name, QStringLiteral("name"),
                                             tr("For people; unique")));
    identityForm->addRow(tr("&DPID:"), field(m_dpid, QStringLiteral("dpid"),
                                             tr("The partner's data source ID (unique): its "
                                                "onboarded traits live in this data source")));
    identityForm->addRow(tr("&Integration code:"),
                         field(m_integrationCode, QStringLiteral("integration_code"),
                               tr("Optional short code usable in d_cid_ic and d_tdpid_ic")));
    identityForm->addRow(tr("&Contact:"), field(m_contact, QStringLiteral("contact"),
                                                tr("Who to call when the partner misbehaves")));
    identityForm->addRow(tr("D&escription:"),
                         field(m_description, QStringLiteral("description"), QString()));

    auto *call = new QGroupBox(tr("Call"));
    auto *callForm = new QFormLayout(call);
    callForm->addRow(tr("E&ndpoint:"),
                     field(m_endpoint, QStringLiteral("endpoint"),
                           tr("http:// or https:// URL the DCS calls on each event")));
    callForm->addRow(tr("&Style:"), field(m_style, QStringLiteral("style"),
                                          tr("How the call is made (partner-protocol.md)")));
    callForm->addRow(tr("&Forwarded keys:"),
                     field(m_forwardedKeys, QStringLiteral("forwarded_keys"),
                           tr("Signal keys sent to the partner, separated by commas; p_ keys are "
                              "never sent")));
    callForm->addRow(QString(), field(m_needsIdSync, QStringLiteral("needs_id_sync"),
                                      tr("Skip visitors without a synced partner ID (/ibs or "
                                         "d_cid)")));

    auto *secret = new QGroupBox(tr("Secret"));
    auto *secretForm = new QFormLayout(secret);
    auto *secretBox = new QWidget;
    auto *secretLayout = new QVBoxLayout(secretBox);
    secretLayout->setContentsMargins(0, 0, 0, 0);
    auto *secretRow = new QHBoxLayout;
    secretRow->addWidget(m_secret, 1);
    secretRow->addWidget(m_removeSecretButton);
    secretLayout->addLayout(secretRow);
    secretLayout->addWidget(m_secretState);
    m_editors.insert(QStringLiteral("secret"), m_secret);
    m_secret->setToolTip(tr("The shared secret that signs each call. Never shown again once "
                            "stored; leave empty to keep the stored one"));
    m_secret->setAccessibleName(tr("Secret"));
    secretForm->addRow(tr("Sec&ret:"), secretBox);
    secretForm->addRow(tr("Secret from en&vironment:"),
                       field(m_secretEnv, QStringLiteral("secret_env"),
                             tr("An environment variable to sign with when no secret is "
                                "stored")));

    auto *limits = new QGroupBox(tr("Limits"));
    auto *limitsForm = new QFormLayout(limits);
    limitsForm->addRow(tr("&Timeout:"), field(m_timeout, QStringLiteral("timeout_ms"),
                                              tr("The longest this partner may take")));
    limitsForm->addRow(tr("&Minimum budget:"),
                       field(m_minBudget, QStringLiteral("min_budget_ms"),
                             tr("Skip the call when less than this is left before the "
                                "deadline")));
    limitsForm->addRow(tr("Max in fli&ght:"),
                       field(m_maxInFlight, QStringLiteral("max_in_flight"),
                             tr("Concurrent calls to this partner")));
    limitsForm->addRow(tr("Max r&ate:"), field(m_maxRate, QStringLiteral("max_rate"),
                                               tr("Calls per second; unlimited at 0")));

    auto *content = new QWidget;
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->addWidget(identity);
    contentLayout->addWidget(call);
    contentLayout->addWidget(secret);
    contentLayout->addWidget(limits);
    contentLayout->addStretch();
    auto *scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(scroll, 1);

    for (QLineEdit *edit : {m_name, m_dpid, m_integrationCode, m_contact, m_endpoint,
                            m_forwardedKeys, m_secretEnv})
        connect(edit, &QLineEdit::textChanged, this, &PartnerEditor::revalidate);
    connect(m_description, &QPlainTextEdit::textChanged, this, &PartnerEditor::revalidate);
    connect(m_style, &QComboBox::currentIndexChanged, this, &PartnerEditor::revalidate);
    connect(m_needsIdSync, &QCheckBox::toggled, this, &PartnerEditor::revalidate);
    for (QSpinBox *spin : {m_timeout, m_minBudget, m_maxInFlight, m_maxRate})
        connect(spin, &QSpinBox::valueChanged, this, &PartnerEditor::revalidate);
    connect(m_secret, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (!text.isEmpty())
            m_removeSecret = false; // typing a new one replaces rather than removes
        updateSecretState();
        revalidate();
    });
    connect(m_removeSecretButton, &QPushButton::clicked, this, [this] {
        m_secret->clear();
        m_removeSecret = true;
        updateSecretState();
        revalidate();
    });

    setPartner(Partner{});
}

QWidget *PartnerEditor::field(QWidget *editor, const QString &key, const QString &toolTip)
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(editor);
    auto *message = new QLabel;
    message->setObjectName(key + QStringLiteral("Message"));
    message->setWordWrap(true);
    message->setTextFormat(Qt::PlainText);
    QPalette palette = message->palette();
    palette.setColor(QPalette::WindowText, kProblemColour);
    message->setPalette(palette);
    message->setVisible(false);
    layout->addWidget(message);
    if (!toolTip.isEmpty())
        editor->setToolTip(toolTip);
    m_messages.insert(key, message);
    m_editors.insert(key, editor);
    return box;
}

QString PartnerEditor::fieldLabel(const QString &key) const
{
    static const QHash<QString, const char *> labels = {
        {QStringLiteral("name"), QT_TR_NOOP("Name")},
        {QStringLiteral("dpid"), QT_TR_NOOP("DPID")},
        {QStringLiteral("integration_code"), QT_TR_NOOP("Integration code")},
        {QStringLiteral("contact"), QT_TR_NOOP("Contact")},
        {QStringLiteral("description"), QT_TR_NOOP("Description")},
        {QStringLiteral("endpoint"), QT_TR_NOOP("Endpoint")},
        {QStringLiteral("style"), QT_TR_NOOP("Style")},
        {QStringLiteral("forwarded_keys"), QT_TR_NOOP("Forwarded keys")},
        {QStringLiteral("secret_env"), QT_TR_NOOP("Secret from environment")},
        {QStringLiteral("timeout_ms"), QT_TR_NOOP("Timeout")},
        {QStringLiteral("min_budget_ms"), QT_TR_NOOP("Minimum budget")},
        {QStringLiteral("max_in_flight"), QT_TR_NOOP("Max in flight")},
        {QStringLiteral("max_rate"), QT_TR_NOOP("Max rate")},
        {QStringLiteral("mode"), QT_TR_NOOP("Mode")},
    };
    const char *label = labels.value(key);
    return label ? tr(label) : key;
}

void PartnerEditor::fill(const Partner &partner)
{
    m_filling = true;
    m_name->setText(partner.name);
    m_dpid->setText(partner.dpid > 0 ? QString::number(partner.dpid) : QString());
    m_integrationCode->setText(partner.integrationCode);
    m_contact->setText(partner.contact);
    m_description->setPlainText(partner.description);
    m_endpoint->setText(partner.endpoint);
    m_style->setCurrentIndex(m_style->findData(int(partner.style)));
    m_forwardedKeys->setText(partner.forwardedKeys.join(QStringLiteral(", ")));
    m_needsIdSync->setChecked(partner.needsIdSync);
    m_secret->clear(); // a stored secret is never loaded back
    m_secretEnv->setText(partner.secretEnv);
    m_timeout->setValue(partner.timeoutMs);
    m_minBudget->setValue(partner.minBudgetMs);
    m_maxInFlight->setValue(partner.maxInFlight);
    m_maxRate->setValue(partner.maxRate);
    m_removeSecret = false;
    m_filling = false;
    updateSecretState();
    revalidate();
}

void PartnerEditor::setPartner(const Partner &stored)
{
    m_stored = stored;
    fill(stored);
}

void PartnerEditor::revert()
{
    fill(m_stored);
}

void PartnerEditor::setOtherPartners(const QList<Partner> &others)
{
    m_others = others;
    revalidate();
}

void PartnerEditor::setSecretStoreDescription(const QString &description)
{
    m_secretStoreDescription = description;
    updateSecretState();
}

void PartnerEditor::setStoredMode(Partner::Mode mode)
{
    m_stored.mode = mode;
    revalidate();
}

Partner PartnerEditor::draft() const
{
    Partner partner = m_stored;
    partner.name = m_name->text();
    partner.dpid = m_dpid->text().toLongLong();
    partner.integrationCode = m_integrationCode->text().trimmed();
    partner.contact = m_contact->text();
    partner.description = m_description->toPlainText();
    partner.endpoint = m_endpoint->text().trimmed();
    partner.style = Partner::Style(m_style->currentData().toInt());
    partner.forwardedKeys = parseKeys(m_forwardedKeys->text());
    partner.needsIdSync = m_needsIdSync->isChecked();
    partner.secretEnv = m_secretEnv->text().trimmed();
    partner.timeoutMs = m_timeout->value();
    partner.minBudgetMs = m_minBudget->value();
    partner.maxInFlight = m_maxInFlight->value();
    partner.maxRate = m_maxRate->value();
    return partner;
}

std::optional<QByteArray> PartnerEditor::secretChange() const
{
    if (!m_secret->text().isEmpty())
        return m_secret->text().toUtf8();
    if (m_removeSecret && m_stored.hasStoredSecret)
        return QByteArray("");
    return std::nullopt;
}

bool PartnerEditor::isDirty() const
{
    return draft() != m_stored || secretChange().has_value();
}

void PartnerEditor::updateSecretState()
{
    const QString where = m_secretStoreDescription.isEmpty()
                              ? QString()
                              : tr(" (%1)").arg(m_secretStoreDescription);
    QString state;
    if (!m_secret->text().isEmpty())
        state = m_stored.hasStoredSecret ? tr("The new secret replaces the stored one when you "
                                              "save.")
                                         : tr("The secret is stored when you save%1.").arg(where);
    else if (m_removeSecret && m_stored.hasStoredSecret)
        state = tr("The stored secret is removed when you save.");
    else if (m_stored.hasStoredSecret)
        state = tr("A secret is stored%1. It is never shown; leave the field empty to keep it.")
                    .arg(where);
    else
        state = tr("No secret stored.");
    m_secretState->setText(state);
    m_secret->setPlaceholderText(m_stored.hasStoredSecret && !m_removeSecret
                                     ? tr("Stored: type to replace")
                                     : tr("Not stored"));
    m_removeSecretButton->setEnabled(m_stored.hasStoredSecret && !m_removeSecret);
}

void PartnerEditor::revalidate()
{
    if (m_filling)
        return;
    m_issues = PartnerValidator::validate(draft(), m_others);

    QHash<QString, QStringList> byField;
    QStringList summary;
    for (const PartnerFieldIssue &issue : std::as_const(m_issues)) {
        const QString key = fieldKeyOf(issue.field);
        byField[key].append(issue.message);
        summary.append(tr("%1 %2").arg(fieldLabel(key), issue.message));
    }
    for (auto it = m_messages.cbegin(); it != m_messages.cend(); ++it) {
        const QStringList messages = byField.value(it.key());
        it.value()->setText(messages.join(u'\n'));
        it.value()->setVisible(!messages.isEmpty());
        if (QWidget *editor = m_editors.value(it.key()))
            editor->setAccessibleDescription(messages.join(u' '));
    }
    if (m_issues.isEmpty()) {
        m_summary->setText(m_stored.id == 0 ? tr("New partner: fill in the fields and save.")
                                            : QString());
        m_summary->setPalette(QPalette());
        m_summary->setVisible(m_stored.id == 0);
    } else {
        m_summary->setText(m_issues.size() == 1
                               ? tr("1 problem to fix before saving: %1")
                                     .arg(summary.join(QStringLiteral("; ")))
                               : tr("%1 problems to fix before saving: %2")
                                     .arg(m_issues.size())
                                     .arg(summary.join(QStringLiteral("; "))));
        QPalette palette = m_summary->palette();
        palette.setColor(QPalette::WindowText, kProblemColour);
        m_summary->setPalette(palette);
        m_summary->setVisible(true);
    }

    const bool dirty = isDirty();
    const bool valid = isValid();
    Q_EMIT edited();
    if (dirty != m_lastDirty) {
        m_lastDirty = dirty;
        Q_EMIT dirtyChanged(dirty);
    }
    if (valid != m_lastValid) {
        m_lastValid = valid;
        Q_EMIT validityChanged(valid);
    }
}

} // namespace Dcs
