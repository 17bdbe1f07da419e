#include "rules/replay.h"

#include "rules/membershipsweeper.h"
#include "rules/qualifier.h"
#include "rules/traitpreview.h"
#include "storage/previewstore.h"
#include "storage/realizationstore.h"
#include "storage/storage.h"

#include <QDateTime>
#include <QLocale>
#include <QMetaObject>
#include <QSet>
#include <QSqlQuery>

#include <algorithm>

namespace Dcs {

namespace {

// One event read back, with what the current rules realize for it (replayed traits only).
struct ReplayedEvent
{
    QString uuid;
    QString tid;
    qint64 timeMs = 0;
    QList<NewRealization> realizations;
};

// What one page's write job did; reset at the start of each run of the job (it may run twice).
struct PageOutcome
{
    qint64 removed = 0;
    qint64 written = 0;
    QSet<QString> touched;
};

QString sidList(const QList<qint64> &sids)
{
    QStringList parts;
    parts.reserve(sids.size());
    for (const qint64 sid : sids)
        parts.append(QString::number(sid));
    return parts.join(u',');
}

bool writePage(WriteContext &context, const QList<ReplayedEvent> &events,
               const QString &deleteSql, PageOutcome *outcome, QString *error)
{
    *outcome = PageOutcome();
    QHash<QString, bool> optedOutByVisitor;
    for (const ReplayedEvent &event : events) {
        auto optedOut = optedOutByVisitor.find(event.uuid);
        if (optedOut == optedOutByVisitor.end()) {
            bool value = false;
            if (!RealizationStore::isOptedOut(context, event.uuid, &value, error))
                return false;
            optedOut = optedOutByVisitor.insert(event.uuid, value);
        }
        if (*optedOut)
            continue;
        QSqlQuery &remove = context.prepared(deleteSql);
        remove.bindValue(0, event.uuid);
        remove.bindValue(1, event.timeMs);
        remove.bindValue(2, event.tid);
        if (!WriteContext::exec(remove, error))
            return false;
        const qint64 removed = std::max(0, remove.numRowsAffected());
        outcome->removed += removed;
        if (!event.realizations.isEmpty()) {
            Qualification qualification;
            qualification.nowMs = event.timeMs;
            qualification.tid = event.tid;
            qualification.realizations = event.realizations;
            if (!RealizationStore::writeQualification(context, event.uuid, qualification, error))
                return false;
            outcome->written += event.realizations.size();
        }
        if (removed > 0 || !event.realizations.isEmpty())
            outcome->touched.insert(event.uuid);
    }
    return true;
}

} // namespace

QString ReplayResult::summary() const
{
    const QLocale locale;
    switch (status) {
    case Status::NothingToReplay:
        return QObject::tr("Nothing to replay: no rule-based trait can be replayed");
    case Status::Failed:
        return QObject::tr("Replay failed: %1").arg(error);
    case Status::Done:
    case Status::Cancelled:
        break;
    }
    const QString read = locale.toString(eventsRead);
    const QString expected = locale.toString(eventsExpected);
    QString text = replayedTraits.size() == 1
                       ? QObject::tr("%1 of %2 events replayed for 1 trait: ").arg(read, expected)
                       : QObject::tr("%1 of %2 events replayed for %3 traits: ")
                             .arg(read, expected, locale.toString(replayedTraits.size()));
    text += QObject::tr("%1 realizations written, %2 replaced; %3 visitors re-evaluated, "
                        "%4 membership changes")
                .arg(locale.toString(realizationsWritten), locale.toString(realizationsRemoved),
                     locale.toString(visitorsReevaluated), locale.toString(membershipChanges));
    if (status == Status::Cancelled)
        text += QObject::tr(" (cancelled: replay again to complete it)");
    return text;
}

void Replay::selectTraits(const RulesSnapshot &rules, const QList<qint64> &wanted,
                          QList<qint64> *replayable, QList<ReplaySkippedTrait> *skipped)
{
    replayable->clear();
    skipped->clear();
    QSet<qint64> ruleBased;
    for (const RulesSnapshot::RuleTrait &trait : rules.ruleTraits()) {
        ruleBased.insert(trait.sid);
        if (!wanted.isEmpty() && !wanted.contains(trait.sid))
            continue;
        const QStringList keys = trait.rule->keys();
        if (keys.contains(QLatin1String("ic"))) {
            skipped->append({trait.sid, QObject::tr("its rule reads ic: partner codes are in the "
                                                    "transfer log, not in the event log")});
        } else if (std::any_of(keys.cbegin(), keys.cend(), [](const QString &key) {
                       return key.startsWith(QLatin1String("p_"));
                   })) {
            skipped->append({trait.sid, QObject::tr("its rule reads a p_ signal, which is "
                                                    "never stored")});
        } else {
            replayable->append(trait.sid);
        }
    }
    for (const qint64 sid : wanted) {
        if (ruleBased.contains(sid) || replayable->contains(sid))
            continue;
        const RulesSnapshot::TraitEntry *trait = rules.trait(sid);
        const QString reason
            = !trait ? QObject::tr("no such trait, or its rule does not compile")
              : trait->type == Trait::Type::Onboarded
                  ? QObject::tr("an onboarded trait: partners realize it, not the event log")
                  : QObject::tr("a folder trait: replay the traits in its folder");
        if (!std::any_of(skipped->cbegin(), skipped->cend(),
                         [sid](const ReplaySkippedTrait &s) { return s.sid == sid; }))
            skipped->append({sid, reason});
    }
}

ReplayResult Replay::run(Storage &storage, const RulesSnapshot &rules,
                         const ReplayOptions &options, const ReplayProgress &progress,
                         const std::atomic<bool> *cancel, const ReplayScheduler &schedule)
{
    const auto clock = options.clock ? options.clock
                                     : [] { return QDateTime::currentMSecsSinceEpoch(); };
    ReplayResult result;
    selectTraits(rules, options.traitSids, &result.replayedTraits, &result.skippedTraits);
    if (result.replayedTraits.isEmpty()) {
        result.status = ReplayResult::Status::NothingToReplay;
        return result;
    }
    const QSet<qint64> replayed(result.replayedTraits.cbegin(), result.replayedTraits.cend());
    const qint64 toMs = options.toMs >= 0 ? options.toMs : clock();
    const int pageSize = std::max(1, options.eventsPerJob);
    const auto cancelled = [cancel] { return cancel && cancel->load(); };
    const auto fail = [&result](const QString &error) {
        result.status = ReplayResult::Status::Failed;
        result.error = error;
        return result;
    };

    // Only the keys the replayed rules read are parsed, and the two d_ keys the live path
    // reads besides the rules.
    QByteArrayList wantedKeys{"d_sid", "d_tdpid"};
    for (const RulesSnapshot::RuleTrait &trait : rules.ruleTraits()) {
        for (const QString &key : trait.rule->keys())
            wantedKeys.append(key.toUtf8());
    }
    // Deletes what the event's own call made of the replayed traits: same visitor, time and
    // tid. Through realizations_by_visitor (uuid, trait_sid, ts_ms).
    const QString deleteSql
        = QStringLiteral("DELETE FROM trait_realizations WHERE uuid = ? AND ts_ms = ? AND "
                         "tid = ? AND source IN ('call', 'sid', 'replay') AND trait_sid IN (%1)")
              .arg(sidList(result.replayedTraits));

    QSet<QString> touched;
    QString error;
    // Phase 1 on this thread's read connection, released when done (the QSqlDatabase handle
    // must be gone first): pages of events read, realized, written.
    const auto replayEvents = [&]() -> bool {
        QSqlDatabase db = storage.reader();
        if (!PreviewStore::countEvents(db, options.fromMs, toMs, &result.eventsExpected, &error))
            return false;
        qint64 afterMs = options.fromMs - 1;
        qint64 afterId = std::numeric_limits<qint64>::max();
        QList<Signal> signalList;
        RuleSignals callSignals;
        for (;;) {
            if (cancelled()) {
                result.status = ReplayResult::Status::Cancelled;
                break;
            }
            QList<ReplayedEvent> page;
            page.reserve(pageSize);
            int rows = 0;
            const auto visit = [&](const PreviewStore::ReplayEventRowView &row) {
                afterMs = row.timeMs;
                afterId = row.id;
                signalList.clear();
                TraitPreview::parseSignalsJson(row.signalsJson, &wantedKeys, &signalList);
                callSignals.setSignals(signalList);
                QualifierInput input;
                input.callSignals = &callSignals;
                input.nowMs = row.timeMs;
                input.replay = true;
                for (const Signal &signal : std::as_const(signalList)) {
                    if (signal.key == u"d_sid") {
                        input.directSids += signal.values;
                    } else if (signal.key == u"d_tdpid" && !signal.values.isEmpty()) {
                        bool ok = false;
                        const qint64 dpid = signal.values.first().toLongLong(&ok);
                        if (ok)
                            input.onlyDataSource = dpid;
                    }
                }
                Qualification realized = Qualifier::realize(rules, input);
                realized.realizations.removeIf([&replayed](const NewRealization &r) {
                    return !replayed.contains(r.traitSid);
                });
                ReplayedEvent &event = page.emplace_back();
                event.uuid = QString::fromLatin1(row.uuid);
                event.tid = QString::fromLatin1(row.tid);
                event.timeMs = row.timeMs;
                event.realizations = std::move(realized.realizations);
                result.eventsRealizing += !event.realizations.isEmpty();
            };
            // The first page starts at fromMs: (fromMs - 1, max id) precedes every row of it.
            if (!PreviewStore::scanEventPage(db, afterMs, afterId, toMs, pageSize, visit, &rows,
                                             &error))
                return false;
            if (rows == 0)
                break;
            result.eventsRead += rows;
            auto outcome = std::make_shared<PageOutcome>();
            const WriteResult written = storage.writer().runAndWait(
                [page = std::move(page), deleteSql, outcome](WriteContext &context,
                                                             QString *jobError) {
                    return writePage(context, page, deleteSql, outcome.get(), jobError);
                });
            if (!written.ok) {
                error = written.error;
                return false;
            }
            result.realizationsRemoved += outcome->removed;
            result.realizationsWritten += outcome->written;
            touched.unite(outcome->touched);
            if (progress) {
                const double share = result.eventsExpected > 0
                                         ? double(result.eventsRead) / double(result.eventsExpected)
                                         : 1.0;
                progress(0.85 * std::min(1.0, share), ReplayPhase::Events);
            }
            if (rows < pageSize)
                break;
        }
        return true;
    };
    const bool eventsReplayed = replayEvents();
    storage.releaseReader();
    if (!eventsReplayed)
        return fail(error);

    // The visitors whose realizations changed, as the sweeper would re-evaluate them. Not
    // skipped on cancel: what was replayed must show in their memberships.
    QStringList visitors(touched.cbegin(), touched.cend());
    std::sort(visitors.begin(), visitors.end());
    const RulesSnapshot *snapshot = &rules; // the jobs run while this function waits
    for (qsizetype first = 0; first < visitors.size();
         first += MembershipSweeper::MaxVisitorsPerJob) {
        const QStringList batch = visitors.mid(first, MembershipSweeper::MaxVisitorsPerJob);
        const qint64 nowMs = clock();
        auto outcomes = std::make_shared<QList<std::pair<qint64, int>>>();
        const WriteResult done = storage.writer().runAndWait(
            [batch, nowMs, snapshot, outcomes](WriteContext &context, QString *jobError) {
                outcomes->clear();
                for (const QString &uuid : batch) {
                    MembershipSweeper::Reevaluation reevaluation;
                    if (!MembershipSweeper::reevaluateVisitor(context, *snapshot, uuid, nowMs,
                                                              &reevaluation, jobError,
                                                              MembershipCause::Replay))
                        return false;
                    outcomes->append({reevaluation.nextChangeMs, reevaluation.changes});
                }
                return true;
            });
        if (!done.ok)
            return fail(done.error);
        for (qsizetype i = 0; i < batch.size(); ++i) {
            result.membershipChanges += outcomes->at(i).second;
            if (schedule)
                schedule(batch.at(i), outcomes->at(i).first);
        }
        result.visitorsReevaluated += batch.size();
        if (progress)
            progress(0.85 + 0.15 * double(first + batch.size()) / double(visitors.size()),
                     ReplayPhase::Visitors);
    }
    if (progress)
        progress(1.0, ReplayPhase::Visitors);
    return result;
}

// --- ReplayJob ------------------------------------------------------------------------------

ReplayJob::ReplayJob(Storage &storage, QObject *parent)
    : QObject(parent)
    , m_storage(storage)
{
    qRegisterMetaType<ReplayResult>();
    qRegisterMetaType<ReplayPhase>();
    m_pool.setMaxThreadCount(1);
}

ReplayJob::~ReplayJob()
{
    cancel();
    m_pool.waitForDone();
}

quint64 ReplayJob::start(std::shared_ptr<const RulesSnapshot> rules, const ReplayOptions &options,
                         ReplayScheduler schedule)
{
    if (m_running || !rules)
        return 0;
    m_running = true;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const quint64 generation = ++m_generation;
    m_pool.start([this, rules, options, schedule, cancelFlag = m_cancel, generation] {
        double lastSent = -1;
        const ReplayProgress progress = [&](double fraction, ReplayPhase phase) {
            if (fraction - lastSent < 0.005 && fraction < 1.0)
                return;
            lastSent = fraction;
            QMetaObject::invokeMethod(
                this, [this, fraction, phase] { Q_EMIT this->progress(fraction, phase); },
                Qt::QueuedConnection);
        };
        ReplayResult result = Replay::run(m_storage, *rules, options, progress, cancelFlag.get(),
                                          schedule);
        result.generation = generation;
        QMetaObject::invokeMethod(
            this,
            [this, result] {
                m_running = false;
                Q_EMIT finished(result);
            },
            Qt::QueuedConnection);
    });
    return generation;
}

void ReplayJob::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

} // namespace Dcs
