#pragma once

#include "rules/realization.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <optional>
#include <set>
#include <utility>

namespace Dcs {

class RulesEngine;
class Storage;

// Time moves (rules.md, "Segments"): a visitor leaves a segment when the realizations that held
// them in expire or fall out of a recency window, and joins one when a NOT-ed trait expires or a
// realization ages into a `>= ND` window, with no new call. The sweeper keeps, per visitor, the
// earliest instant such a change can happen, and one QTimer set to the earliest of them all —
// no periodic scan. When a visitor is due, a writer job re-reads them, re-evaluates every active
// segment at that time (Qualifier::reevaluate), writes the joins and leaves with their cause
// and exact instant, and the visitor is scheduled again at their next change.
//
// Feeding it: after each call, schedule(uuid, Qualification::nextChangeMs); at startup,
// rebuild(). An entry only ever moves earlier (schedule() keeps the earlier of two times): a
// lower bound is always safe, since a visitor swept too early is re-evaluated, found unchanged,
// and rescheduled at the exact time. The evaluation runs inside the writer, serialized with the
// calls' own write jobs, so it always sees the visitor's latest committed state.
//
// Lives on one thread (timer, signals); schedule() and clockChanged() may be called from any.
class MembershipSweeper final : public QObject
{
    Q_OBJECT

public:
    using Clock = std::function<qint64()>;

    // Visitors evaluated by one writer job; more due visitors wait for the next job.
    static constexpr int MaxVisitorsPerJob = 256;
    // A job that failed is retried after this long.
    static constexpr int RetryDelayMs = 5000;

    // `clock` gives "now" in ms since the epoch (default: the system clock).
    MembershipSweeper(Storage &storage, const RulesEngine &engine, Clock clock = {},
                      QObject *parent = nullptr);
    ~MembershipSweeper() override;

    // The visitor is re-evaluated at atMs at the latest. Realization::Never adds nothing.
    void schedule(const QString &uuid, qint64 atMs);
    // Schedules every stored visitor with a membership or an unexpired realization (one pass
    // over both tables on this thread's read connection; blocks for as long as that takes).
    // Out-of-date memberships are due at once. False with `error` if the read fails. May run
    // on any thread (it reads on that thread's connection and re-arms on the sweeper's).
    bool rebuild(QString *error = nullptr);
    // The clock jumped other than by real time (a test's clock, a resumed laptop): re-arm now.
    void clockChanged();

    qint64 nextDueMs() const; // Realization::Never when nothing is scheduled
    qsizetype scheduledCount() const;
    std::optional<qint64> scheduledAt(const QString &uuid) const;
    bool isSweeping() const { return m_jobInFlight; }

Q_SIGNALS:
    // A sweep job finished: this many visitors re-evaluated, this many memberships changed.
    void swept(int visitors, int changes);
    void sweepFailed(const QString &error);

private:
    struct Outcome
    {
        QString uuid;
        qint64 nextChangeMs = Realization::Never;
        int changes = 0;
    };

    void arm();
    void sweepDue();
    void scheduleLocked(const QString &uuid, qint64 atMs);

    Storage &m_storage;
    const RulesEngine &m_engine;
    const Clock m_clock;
    QTimer m_timer;
    bool m_jobInFlight = false;

    mutable QMutex m_mutex;
    QHash<QString, qint64> m_dueByVisitor;
    std::set<std::pair<qint64, QString>> m_queue; // (due time, uuid), earliest first
    qint64 m_armedForMs = Realization::Never;     // what the timer is set for (or a re-arm pends)
};

} // namespace Dcs
