#pragma once

#include "eventcontext.h"

#include <QHash>
#include <QMutex>
#include <QThread>

#include <memory>

namespace Dcs {

class MembershipSweeper;
class ProfileReader;
class RulesEngine;
class Storage;

// Traits and segments on every /event (rules.md, "Evaluation"): realizes the traits the call's
// signals, d_sid and partner codes qualify for, evaluates the active segments over the visitor's
// stored and new realizations, and puts traits, segments and destinations into the answer. The
// realizations and membership changes are stored in the event's own write job, and the visitor
// is scheduled for the sweeper once that committed. Runs on the listener thread, synchronously.
class QualificationStage final : public EventStage
{
public:
    // `sweeper` may be null (no time-driven leaves: tests of the call path alone).
    QualificationStage(Storage &storage, const RulesEngine &engine, MembershipSweeper *sweeper);
    ~QualificationStage() override;

    void process(const std::shared_ptr<EventContext> &event,
                 std::function<void()> done) override;

private:
    ProfileReader &profileReader(); // the calling thread's, on its read connection

    Storage &m_storage;
    const RulesEngine &m_engine;
    MembershipSweeper *m_sweeper;
    QMutex m_readersMutex;
    QHash<QThread *, std::shared_ptr<ProfileReader>> m_readers;
};

} // namespace Dcs
