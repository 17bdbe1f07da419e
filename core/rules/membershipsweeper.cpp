#include "rules/membershipsweeper.h"

#include "common/logging.h"
#include "rules/qualifier.h"
#include "rules/rulesnapshot.h"
#include "storage/realizationstore.h"
#include "storage/storage.h"

#include <QDateTime>
#include <QMutexLocker>

#include <algorithm>
#include <memory>

namespace Dcs {

namespace {

// The timer never waits longer than this: a clock that jumped (suspend, NTP) is noticed within
// the hour even if nobody calls clockChanged().
constexpr qint64 kMaxTimerMs = 3'600'000;
// How far after the sweep's "now" a call's realization may be stamped and still move the
// evaluation to its time (a call racing the sweep); anything later is a clock error.
constexpr qint64 kRacingCallMs = 60'000;

qint64 systemClock()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

MembershipSweeper::MembershipSweeper(Storage &storage, const RulesEngine &engine, Clock clock,
                                     QObject *parent)
    : QObject(parent)
    , m_storage(storage)
    , m_engine(engine)
    , m_clock(clock ? std::move(clock) : Clock(systemClock))
    , m_timer(this)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer); // a leave is recorded at its instant, not ±5 %
    connect(&m_timer, &QTimer::timeout, this, &MembershipSweeper::sweepDue);
}

MembershipSweeper::~MembershipSweeper() = default;

void MembershipSweeper::schedule(const QString &uuid, qint64 atMs)
{
    if (atMs == Realization::Never)
        return;
    bool rearm = false;
    {
        QMutexLocker locker(&m_mutex);
        scheduleLocked(uuid, atMs);
        if (atMs < m_armedForMs) {
            m_armedForMs = atMs; // one re-arm per new earliest, not one per call
            rearm = true;
        }
    }
    if (rearm)
        QMetaObject::invokeMethod(this, &MembershipSweeper::arm, Qt::QueuedConnection);
}

void MembershipSweeper::scheduleLocked(const QString &uuid, qint64 atMs)
{
    if (atMs == Realization::Never)
        return;
    const auto existing = m_dueByVisitor.find(uuid);
    if (existing != m_dueByVisitor.end()) {
        if (existing.value() <= atMs)
            return;
        m_queue.erase({existing.value(), uuid});
        existing.value() = atMs;
    } else {
        m_dueByVisitor.insert(uuid, atMs);
    }
    m_queue.insert({atMs, uuid});
}

bool MembershipSweeper::rebuild(QString *error)
{
    const std::shared_ptr<const RulesSnapshot> snapshot = m_engine.snapshot();
    const qint64 nowMs = m_clock();
    qsizetype scheduled = 0;
    const bool ok = RealizationStore::scanProfiles(
        m_storage.reader(), nowMs,
        [&](const QString &uuid, const VisitorProfile &profile) {
            const qint64 atMs = Qualifier::nextSweepMs(*snapshot, profile, nowMs);
            if (atMs != Realization::Never) {
                // Locked per visitor: listener threads keep scheduling while this runs.
                QMutexLocker locker(&m_mutex);
                scheduleLocked(uuid, atMs);
                ++scheduled;
            }
            return true;
        },
        error);
    qCInfo(lcRules) << "membership sweeper: scheduled" << scheduled << "visitors from storage";
    // The timer belongs to the sweeper's thread: a rebuild on a worker (an editor's save
    // reloading the rules off the GUI thread) re-arms it there.
    QMetaObject::invokeMethod(this, &MembershipSweeper::arm, Qt::AutoConnection);
    return ok;
}

void MembershipSweeper::clockChanged()
{
    QMetaObject::invokeMethod(this, &MembershipSweeper::arm, Qt::AutoConnection);
}

qint64 MembershipSweeper::nextDueMs() const
{
    QMutexLocker locker(&m_mutex);
    return m_queue.empty() ? Realization::Never : m_queue.begin()->first;
}

qsizetype MembershipSweeper::scheduledCount() const
{
    QMutexLocker locker(&m_mutex);
    return m_dueByVisitor.size();
}

std::optional<qint64> MembershipSweeper::scheduledAt(const QString &uuid) const
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_dueByVisitor.constFind(uuid);
    if (found == m_dueByVisitor.constEnd())
        return std::nullopt;
    return found.value();
}

void MembershipSweeper::arm()
{
    qint64 earliest = Realization::Never;
    {
        QMutexLocker locker(&m_mutex);
        earliest = m_queue.empty() ? Realization::Never : m_queue.begin()->first;
        m_armedForMs = earliest;
    }
    if (m_jobInFlight)
        return; // the job's completion arms again
    if (earliest == Realization::Never) {
        m_timer.stop();
        return;
    }
    const qint64 nowMs = m_clock();
    const qint64 delayMs = earliest <= nowMs ? 0 : std::min(earliest - nowMs, kMaxTimerMs);
    m_timer.start(int(delayMs));
}

void MembershipSweeper::sweepDue()
{
    if (m_jobInFlight)
        return;
    const qint64 nowMs = m_clock();
    QStringList uuids;
    {
        QMutexLocker locker(&m_mutex);
        while (!m_queue.empty() && m_queue.begin()->first <= nowMs
               && uuids.size() < MaxVisitorsPerJob) {
            const auto first = m_queue.begin();
            uuids.append(first->second);
            m_dueByVisitor.remove(first->second);
            m_queue.erase(first);
        }
    }
    if (uuids.isEmpty()) {
        arm(); // woke early (coarse clock, or the clock moved back): wait again
        return;
    }

    m_jobInFlight = true;
    const std::shared_ptr<const RulesSnapshot> snapshot = m_engine.snapshot();
    const auto outcomes = std::make_shared<QList<Outcome>>();
    const WriteJob job = [snapshot, uuids, nowMs, outcomes](WriteContext &context,
                                                            QString *error) {
        outcomes->clear(); // a job may run twice: start from the inputs
        VisitorProfile profile;
        for (const QString &uuid : uuids) {
            bool optedOut = false;
            if (!RealizationStore::readProfile(context, uuid, nowMs, &profile, error)
                || !RealizationStore::isOptedOut(context, uuid, &optedOut, error))
                return false;
            // A call committed just before this job may carry a realization stamped after
            // nowMs: evaluate no earlier than it, or the sweep would undo that call's join.
            qint64 atMs = nowMs;
            for (const StoredRealization &stored : std::as_const(profile.realizations)) {
                if (stored.realization.timeMs <= nowMs + kRacingCallMs)
                    atMs = std::max(atMs, stored.realization.timeMs);
            }
            Qualification result = Qualifier::reevaluate(*snapshot, profile, atMs);
            if (optedOut) { // leaves still apply; joins would be new qualifications
                result.changes.removeIf([](const MembershipChange &change) {
                    return change.kind == MembershipChange::Kind::Join;
                });
            }
            if (!RealizationStore::writeQualification(context, uuid, result, error))
                return false;
            outcomes->append(Outcome{uuid, result.nextChangeMs, int(result.changes.size())});
        }
        return true;
    };
    m_storage.writer().submit(job, this, [this, uuids, nowMs, outcomes](const WriteResult &done) {
        m_jobInFlight = false;
        int changes = 0;
        {
            QMutexLocker locker(&m_mutex);
            if (done.ok) {
                for (const Outcome &outcome : std::as_const(*outcomes)) {
                    scheduleLocked(outcome.uuid, outcome.nextChangeMs);
                    changes += outcome.changes;
                }
            } else {
                for (const QString &uuid : uuids)
                    scheduleLocked(uuid, nowMs + RetryDelayMs);
            }
        }
        if (done.ok) {
            Q_EMIT swept(int(uuids.size()), changes);
        } else {
            qCWarning(lcRules).noquote() << "membership sweep failed:" << done.error;
            Q_EMIT sweepFailed(done.error);
        }
        arm();
    });
}

} // namespace Dcs
