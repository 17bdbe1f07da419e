#pragma once

#include <QObject>

#include <initializer_list>

class QSocketNotifier;

namespace Dcs {

// Turns SIGINT/SIGTERM (or any listed signal) into a Qt signal on the event loop, through the
// self-pipe trick: the async-signal handler only writes one byte to a socketpair. One instance per
// process; a second instance is refused (the handler has nowhere to write).
class UnixSignalWatcher final : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignalWatcher(std::initializer_list<int> signalNumbers, QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

    bool isActive() const { return m_notifier != nullptr; }

Q_SIGNALS:
    void signalReceived(int signalNumber);

private:
    void readPendingSignals();

    QSocketNotifier *m_notifier = nullptr;
    QList<int> m_signals;
};

} // namespace Dcs
