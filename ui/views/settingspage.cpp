#include "settingspage.h"

#include "common/appsettings.h"
#include "dcs/dcsserver.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace Dcs {

namespace {

QSpinBox *spinBox(int minimum, int maximum, const QString &suffix, const QString &tip)
{
    auto *spin = new QSpinBox;
    spin->setRange(minimum, maximum);
    spin->setSuffix(suffix);
    spin->setToolTip(tip);
    spin->setAccelerated(true);
    spin->setGroupSeparatorShown(true);
    return spin;
}

} // namespace

SettingsPage::SettingsPage(DcsServer &server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
{
    m_address = new QLineEdit;
    m_address->setObjectName(QStringLiteral("listenAddress"));
    m_address->setMinimumWidth(280);
    m_address->setPlaceholderText(QStringLiteral("127.0.0.1:8480"));
    m_address->setToolTip(tr("An IP address and port; IPv6 in brackets, e.g. [::1]:8480. "
                             "Port 0 picks a free port."));
    m_addressProblem = new QLabel;
    m_addressProblem->setWordWrap(true);
    m_addressProblem->setVisible(false);

    m_headerBytes = spinBox(1024, 65536, tr(" bytes"),
                            tr("Request line and headers; longer requests get 431 or 414"));
    m_bodyBytes = spinBox(1024, 1048576, tr(" bytes"), tr("POST bodies; larger ones get 413"));
    m_idleSeconds = spinBox(1, 3600, tr(" s"),
                            tr("A keep-alive connection with no request is closed after this"));
    m_requestSeconds = spinBox(1, 600, tr(" s"),
                               tr("A request still incomplete this long after its first byte "
                                  "is answered 408 and closed (slow senders)"));
    m_maxConnections = spinBox(1, 1000000, QString(),
                               tr("Connections beyond this are refused at once"));
    m_maxInFlight = spinBox(1, 1000000, QString(),
                            tr("Calls being worked on at once; beyond this they are answered "
                               "429 with Retry-After"));
    m_region = spinBox(0, 9999, QString(), tr("dcs_region in every answer"));
    m_deadline = spinBox(1, 10000, tr(" ms"),
                         tr("How long a call may wait for partners before the visitor is "
                            "answered; a call may ask less with d_tmax"));

    m_answerAfterCommit = new QCheckBox(tr("Answer a call only once its event is &stored"));
    m_answerAfterCommit->setToolTip(tr("On: a crash never loses a call that was answered "
                                       "(group commit). Off: lower latency, but the calls of "
                                       "the last moments before a crash may be lost."));

    auto *listenerBox = new QGroupBox(tr("Listener"));
    auto *listenerForm = new QFormLayout(listenerBox);
    listenerForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    listenerForm->addRow(tr("&Address:"), m_address);
    listenerForm->addRow(QString(), m_addressProblem);
    listenerForm->addRow(tr("&Header limit:"), m_headerBytes);
    listenerForm->addRow(tr("&Body limit:"), m_bodyBytes);
    listenerForm->addRow(tr("&Idle timeout:"), m_idleSeconds);
    listenerForm->addRow(tr("&Slow request timeout:"), m_requestSeconds);
    listenerForm->addRow(tr("&Connections at most:"), m_maxConnections);
    listenerForm->addRow(tr("Calls in &flight at most:"), m_maxInFlight);
    listenerForm->addRow(QString(), m_answerAfterCommit);

    auto *dcsBox = new QGroupBox(tr("Answers"));
    auto *dcsForm = new QFormLayout(dcsBox);
    dcsForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    dcsForm->addRow(tr("DCS &region:"), m_region);
    dcsForm->addRow(tr("&Deadline:"), m_deadline);

    auto *note = new QLabel(tr("Applied at once, without a restart: the address is re-bound, "
                               "limits apply to new connections, region and deadline to the "
                               "next call. The address and limits are this computer's; region "
                               "and deadline belong to the workspace."));
    note->setWordWrap(true);

    auto *buttons = new QDialogButtonBox;
    m_apply = buttons->addButton(QDialogButtonBox::Apply);
    m_revert = buttons->addButton(QDialogButtonBox::Reset);
    m_revert->setText(tr("&Revert"));
    connect(m_apply, &QPushButton::clicked, this, &SettingsPage::apply);
    connect(m_revert, &QPushButton::clicked, this, &SettingsPage::revert);
    connect(m_address, &QLineEdit::textChanged, this, &SettingsPage::validateAddress);

    // A settings form reads best at the width of its fields, not of the window.
    auto *column = new QWidget;
    column->setMaximumWidth(720);
    auto *layout = new QVBoxLayout(column);
    auto *outer = new QHBoxLayout(this);
    outer->addWidget(column);
    outer->addStretch();
    layout->addWidget(listenerBox);
    layout->addWidget(dcsBox);
    layout->addWidget(note);
    layout->addWidget(buttons);
    layout->addStretch();

    revert();
}

void SettingsPage::revert()
{
    const QString current = m_server.listenAddressText();
    m_address->setText(current.isEmpty() ? AppSettings().listenAddress() : current);
    const DcsListener::Limits limits = m_server.listener().limits();
    m_headerBytes->setValue(limits.maxHeaderBytes);
    m_bodyBytes->setValue(limits.maxBodyBytes);
    m_idleSeconds->setValue(qMax(1, limits.idleTimeoutMs / 1000));
    m_requestSeconds->setValue(qMax(1, limits.requestTimeoutMs / 1000));
    m_maxConnections->setValue(limits.maxConnections);
    m_maxInFlight->setValue(limits.maxInFlightRequests);
    m_answerAfterCommit->setChecked(m_server.eventEndpoint()->settings().answerAfterCommit);
    const WorkspaceSettings workspace = m_server.workspaceSettings();
    m_region->setValue(workspace.dcsRegion);
    m_deadline->setValue(workspace.deadlineMs);
    validateAddress();
}

void SettingsPage::validateAddress()
{
    QString error;
    QHostAddress address;
    quint16 port = 0;
    const bool valid = parseListenAddress(m_address->text(), &address, &port, &error);
    m_addressProblem->setText(error);
    m_addressProblem->setVisible(!valid);
    m_address->setProperty("invalid", !valid);
    m_apply->setEnabled(valid);
}

bool SettingsPage::apply()
{
    QHostAddress address;
    quint16 port = 0;
    QString error;
    if (!parseListenAddress(m_address->text(), &address, &port, &error)) {
        Q_EMIT statusMessage(tr("Settings not applied: %1").arg(error));
        return false;
    }

    DcsListener::Limits limits = m_server.listener().limits();
    limits.maxHeaderBytes = m_headerBytes->value();
    limits.maxBodyBytes = m_bodyBytes->value();
    limits.idleTimeoutMs = m_idleSeconds->value() * 1000;
    limits.requestTimeoutMs = m_requestSeconds->value() * 1000;
    limits.maxConnections = m_maxConnections->value();
    limits.maxInFlightRequests = m_maxInFlight->value();
    AppSettings settings;
    settings.setListenerLimits(limits);
    settings.setAnswerAfterCommit(m_answerAfterCommit->isChecked());

    const bool moved = !m_server.listener().isListening() || m_server.listener().port() != port
                       || m_server.listener().address() != address;
    if (moved && !m_server.rebindListener(address, port, &error)) {
        Q_EMIT statusMessage(tr("Listener not moved: %1").arg(error));
        revert();
        return false;
    }
    settings.setListenAddress(m_server.listenAddressText());

    m_server.applyComputerSettings(); // limits and the durability mode, as just saved
    const WriteResult saved = m_server.applyWorkspaceSettings(
        WorkspaceSettings{m_region->value(), m_deadline->value()});
    if (!saved.ok) {
        Q_EMIT statusMessage(tr("Region and deadline not saved: %1").arg(saved.error));
        return false;
    }
    revert(); // shows what is in force, e.g. the port that 0 picked
    Q_EMIT statusMessage(tr("Settings applied: listening on %1, deadline %2 ms")
                             .arg(m_server.listenAddressText())
                             .arg(m_deadline->value()));
    return true;
}

} // namespace Dcs
