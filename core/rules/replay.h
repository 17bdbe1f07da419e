#pragma once

#include "rules/rulesnapshot.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>

namespace Dcs {

class Storage;

// Replay (rules.md): re-run the stored event log through the current definitions, to backfill a
// new or edited rule-based trait, so its population is real rather than estimated.
//
// One code path with live evaluation. Each stored event is read back as the call the listener
// saw (its signals column holds every signal but the private p_ ones, d_sid and d_tdpid
// included) and given to Qualifier::realize(), the first half of what a live call runs. Of what
// it realizes, only the replayed traits are kept. The visitors whose realizations changed are
// then re-evaluated as the membership sweeper re-evaluates a visitor (same function), so their
// joins and leaves are stored with time and cause ("replay" where time alone does not explain
// them).
//
// Exact and repeatable. Per event, the replayed traits' realizations that the event's call made
// (same visitor, time and tid; origin call, sid or replay) are deleted, and what the current rule
// realizes for it is written with origin "replay", in one write job per page of events. So an
// edited trait ends with exactly the realizations its new rule gives over the log. Replaying
// twice changes nothing the second time. Realizations from partners, batch files and other
// traits are never touched.
//
// What cannot be replayed, and is skipped with the reason:
// - a trait whose rule reads `ic` (partner codes are in the transfer log, not in the event log,
//   and a replay without them would delete what the live path realized from them);
// - onboarded and folder traits, which the event log does not realize.
//
// Opted-out visitors are not replayed: they get no new qualification (dcs-api.md).
// Concurrency: the jobs run on the single writer between live calls' jobs. A page is read on
// the caller's connection, then written; a live call's own realization of the same event is
// written in the same job as its event row, so it is either already visible to the page's read
// (and replaced exactly) or not yet an event the replay can see.
struct ReplayOptions
{
    QList<qint64> traitSids; // rule-based traits to rebuild; empty: every one that can be
    qint64 fromMs = 0;       // events with fromMs <= ts_ms <= toMs
    qint64 toMs = -1;        // -1: clock() when the replay begins
    int eventsPerJob = 2000;
    // "Now" for the window's end and for re-evaluating the visitors afterwards (a long replay
    // re-evaluates at the time it gets there, not at the time it began); null: system clock.
    std::function<qint64()> clock;
};

struct ReplaySkippedTrait
{
    qint64 sid = 0;
    QString reason;

    friend bool operator==(const ReplaySkippedTrait &, const ReplaySkippedTrait &) = default;
};

struct ReplayResult
{
    enum class Status : quint8 { Done, Cancelled, NothingToReplay, Failed };

    Status status = Status::Done;
    quint64 generation = 0; // ReplayJob::start()'s ticket
    QList<qint64> replayedTraits;
    QList<ReplaySkippedTrait> skippedTraits;
    qint64 eventsExpected = 0; // in the window when the replay began
    qint64 eventsRead = 0;
    qint64 eventsRealizing = 0; // events that realized at least one replayed trait
    qint64 realizationsRemoved = 0;
    qint64 realizationsWritten = 0;
    qint64 visitorsReevaluated = 0;
    qint64 membershipChanges = 0;
    QString error; // Failed

    bool ok() const { return status == Status::Done || status == Status::NothingToReplay; }
    // "12,000 events replayed for 2 traits: 3,100 realizations written, 2,950 replaced; 840
    // visitors re-evaluated, 95 membership changes"
    QString summary() const;
};

enum class ReplayPhase : quint8 { Events, Visitors };
// fraction in [0, 1] of the whole replay, and the phase it is in.
using ReplayProgress = std::function<void(double fraction, ReplayPhase phase)>;
// Called after a visitor was re-evaluated, with their next change: the live sweeper's
// schedule(), so that time goes on moving them.
using ReplayScheduler = std::function<void(const QString &uuid, qint64 nextChangeMs)>;

namespace Replay {

// Which of `wanted` (empty: every rule-based trait) can be replayed, and why the others cannot.
void selectTraits(const RulesSnapshot &rules, const QList<qint64> &wanted,
                  QList<qint64> *replayable, QList<ReplaySkippedTrait> *skipped);

// Runs on the calling thread: reads through that thread's Storage::reader(), writes through the
// storage's writer and waits for it. A set `cancel` stops after the page being written; the
// visitors touched so far are still re-evaluated, so what was replayed is consistent, and a
// later replay completes it. Status Cancelled then.
ReplayResult run(Storage &storage, const RulesSnapshot &rules, const ReplayOptions &options,
                 const ReplayProgress &progress = {},
                 const std::atomic<bool> *cancel = nullptr,
                 const ReplayScheduler &schedule = {});

} // namespace Replay

// A replay off the GUI thread, one at a time: start() while one runs is refused (returns 0).
// The Storage must outlive the job; the destructor cancels and waits.
class ReplayJob final : public QObject
{
    Q_OBJECT

public:
    explicit ReplayJob(Storage &storage, QObject *parent = nullptr);
    ~ReplayJob() override;

    quint64 start(std::shared_ptr<const RulesSnapshot> rules, const ReplayOptions &options,
                  ReplayScheduler schedule = {});
    void cancel();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void progress(double fraction, Dcs::ReplayPhase phase);
    void finished(const Dcs::ReplayResult &result);

private:
    Storage &m_storage;
    QThreadPool m_pool;
    quint64 m_generation = 0;
    bool m_running = false;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace Dcs

Q_DECLARE_METATYPE(Dcs::ReplayResult)
Q_DECLARE_METATYPE(Dcs::ReplayPhase)
