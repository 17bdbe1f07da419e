#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace Dcs {

class DcsServer;

// Edits where the DCS listens, its limits, the region and the deadline, and applies them without
// a restart: the address is re-bound at once (and kept as it was if the new one cannot be
// taken), limits apply to new connections, region and deadline from the next call.
class SettingsPage final : public QWidget
{
    Q_OBJECT
public:
    explicit SettingsPage(DcsServer &server, QWidget *parent = nullptr);

    // Fields as they are now in the running DCS.
    void revert();
    // Applies the fields; false (and a message) when the address is invalid or cannot be bound.
    bool apply();

    QLineEdit *addressEdit() const { return m_address; }
    QSpinBox *deadlineSpin() const { return m_deadline; }
    QSpinBox *regionSpin() const { return m_region; }
    QSpinBox *idleTimeoutSpin() const { return m_idleSeconds; }
    QCheckBox *answerAfterCommitBox() const { return m_answerAfterCommit; }

Q_SIGNALS:
    void statusMessage(const QString &message);

private:
    void validateAddress();

    DcsServer &m_server;
    QLineEdit *m_address = nullptr;
    QLabel *m_addressProblem = nullptr;
    QSpinBox *m_headerBytes = nullptr;
    QSpinBox *m_bodyBytes = nullptr;
    QSpinBox *m_idleSeconds = nullptr;
    QSpinBox *m_requestSeconds = nullptr;
    QSpinBox *m_maxConnections = nullptr;
    QSpinBox *m_maxInFlight = nullptr;
    QSpinBox *m_region = nullptr;
    QSpinBox *m_deadline = nullptr;
    QCheckBox *m_answerAfterCommit = nullptr;
    QPushButton *m_apply = nullptr;
    QPushButton *m_revert = nullptr;
};

} // namespace Dcs
