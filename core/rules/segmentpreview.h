#pragma once

#include "rules/rulediagnostic.h"
#include "rules/rulesnapshot.h"
#include "rules/traitpreview.h"

#include <QMetaType>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QStringView>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace Dcs {

class Storage;

// "Preview while editing" for a draft segment (rules.md): how many visitors hold it now, and,
// against the saved version of the segment, how many would join and how many would leave.
//
// One pass over the unexpired realizations of the traits the two rules name (folder traits: their
// members), in visitor order, from the covering index realizations_by_visitor: only a visitor
// with such a realization can hold either rule, since a rule that holds with none is refused.
// The draft is compiled against the snapshot's catalog, exactly as saving would compile it; a
// folder trait it names counts its members' realizations together, whether or not an active
// segment names that folder. "Join" and "leave" compare the draft with the saved rule
// evaluated on the same realizations at the same instant, not with the memberships table: the
// table may lag a sweep, and the analyst asks what the edit changes, not what time does.
struct SegmentPreviewResult
{
    enum class Status : quint8 { Done, Cancelled, InvalidRule, Failed };

    Status status = Status::Done;
    quint64 generation = 0; // SegmentPreviewJob::start()'s ticket
    qint64 visitorsScanned = 0; // visitors with a realization of a named trait
    qint64 holders = 0; // visitors the draft holds for at nowMs
    // A saved rule was given and still compiles: savedHolders, joins and leaves are set.
    // With no saved rule, joins == holders; with one that no longer compiles (a trait it
    // names was deleted), joins and leaves stay 0 and savedDiagnostic says why.
    bool compared = false;
    qint64 savedHolders = 0;
    qint64 joins = 0;  // the draft holds, the saved rule does not
    qint64 leaves = 0; // the saved rule holds, the draft does not
    RuleDiagnostic diagnostic;      // InvalidRule: the draft's first problem
    RuleDiagnostic savedDiagnostic; // why the saved rule could not be compared (compared false)
    QString error;                  // Failed

    bool ok() const { return status == Status::Done; }
};

namespace SegmentPreview {

// The worker, on the calling thread and its connection `db`. `savedRuleText` empty: no saved
// version (a new segment), so every holder is a join. Progress is where the scan stands in the
// stored uuid range; `cancel` stops within a few thousand visitors (Status::Cancelled).
SegmentPreviewResult run(QSqlDatabase db, const RulesSnapshot &rules, QStringView draftRuleText,
                         QStringView savedRuleText, qint64 nowMs,
                         const PreviewProgress &progress = {},
                         const std::atomic<bool> *cancel = nullptr);

} // namespace SegmentPreview

// The segment editor's preview off the GUI thread, as TraitPreviewJob: each start() cancels
// the previous run and drops its results (generation); the Storage must outlive the job.
class SegmentPreviewJob final : public QObject
{
    Q_OBJECT

public:
    explicit SegmentPreviewJob(Storage &storage, QObject *parent = nullptr);
    ~SegmentPreviewJob() override;

    quint64 start(std::shared_ptr<const RulesSnapshot> rules, const QString &draftRuleText,
                  const QString &savedRuleText, qint64 nowMs);
    void cancel();
    bool isRunning() const;
    quint64 generation() const { return m_generation; }

Q_SIGNALS:
    void progress(double fraction);
    void finished(const Dcs::SegmentPreviewResult &result);

private:
    Storage &m_storage;
    QThreadPool m_pool;
    quint64 m_generation = 0;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace Dcs

Q_DECLARE_METATYPE(Dcs::SegmentPreviewResult)
