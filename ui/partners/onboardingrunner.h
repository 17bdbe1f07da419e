#pragma once

#include "partners/onboardingrun.h"
#include "partners/partner.h"
#include "transfer/transferrecord.h"

#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QThread;

namespace Dcs {

class Storage;
class TransferEngine;

// The onboarding panel's hands off the GUI thread: one worker thread of its own runs the
// OnboardingRun (its calls, pacing and final write: the GUI thread never waits on the network or
// on SQLite), reads a partner's run history and single runs from the database, and rebuilds a
// call as a curl command (the secret is read there too: a keychain may block). Results come back
// as signals on the GUI thread; a read that was overtaken by a newer one of the same kind is
// dropped (generation counter), so a quick change of partner never shows stale rows.
class OnboardingRunner final : public QObject
{
    Q_OBJECT
public:
    OnboardingRunner(Storage &storage, TransferEngine &engine, QObject *parent = nullptr);
    // Cancels a run in progress and stops the worker (calls in flight are abandoned).
    ~OnboardingRunner() override;

    // Starts a run against `partner` as it is now. False when a run is already going.
    bool start(const Partner &partner, const OnboardingConfig &config);
    // No new calls; the ones in flight finish, then runFinished() reports it as cancelled.
    void cancel();
    bool isRunning() const { return m_running; }
    qint64 runningPartnerId() const { return m_runningPartnerId; }

    void loadHistory(qint64 partnerId);
    void loadRun(qint64 runId);
    // Rebuilds the request of `call`, one of a run of `config` against `partner`, from its
    // timestamp: the same bytes and signature as sent while the partner is unchanged.
    void buildCurl(const Partner &partner, const OnboardingConfig &config,
                   const TransferRecord &call, bool reveal);

    // The curl command for a recorded call, or empty with `problem` set. `sameAsSent` says
    // whether the rebuilt request matches the recorded one byte for byte (signature masked).
    static QString curlFor(const Partner &partner, const std::optional<QByteArray> &secret,
                           const OnboardingConfig &config, const TransferRecord &call,
                           bool reveal, bool *sameAsSent, QString *problem);

Q_SIGNALS:
    // Calls that ended since the last batch (index in the run's start order), at most ~20 per
    // second of batches whatever the call rate, so that a fast run never floods the GUI.
    void callsFinished(const QList<int> &indexes, const QList<Dcs::TransferRecord> &records);
    void progress(int finished, int total);
    void runFinished(const Dcs::OnboardingReport &report);
    void historyLoaded(qint64 partnerId, const QList<Dcs::OnboardingReport> &reports,
                       const QString &error);
    // `report` is empty when the run could not be read (`error` says why).
    void runLoaded(qint64 runId, const std::optional<Dcs::OnboardingReport> &report,
                   const QString &error);
    void curlReady(const QString &command, bool revealed, bool sameAsSent,
                   const QString &problem);

private:
    struct WorkerState;

    void flushBatch(); // worker thread

    Storage &m_storage;
    TransferEngine &m_engine;
    QThread *m_thread = nullptr;
    QObject *m_worker = nullptr; // lives on m_thread: the context of work posted there
    std::unique_ptr<WorkerState> m_state; // touched on the worker thread only
    bool m_running = false;
    qint64 m_runningPartnerId = 0;
    quint64 m_historyGeneration = 0;
    quint64 m_runGeneration = 0;
    quint64 m_curlGeneration = 0;
};

} // namespace Dcs
