#pragma once

#include "profiles/batchfile.h"

#include <QLatin1String>
#include <QList>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace Dcs {

class MembershipSweeper;
class RulesSnapshot;
class Storage;

// Reasons that need the database, beside the parser's (batchfile.h).
namespace BatchSkip {
// Lines
inline constexpr QLatin1String UnknownUserId("unknown user ID");
inline constexpr QLatin1String OptedOut("the visitor opted out");
inline constexpr QLatin1String NothingApplicable("no item could be applied");
inline constexpr QLatin1String NotStored("not stored");
// Items
inline constexpr QLatin1String RemovalInOverwrite("removal ignored in an .overwrite file");
inline constexpr QLatin1String NotATrait("not a rule or onboarded trait");
} // namespace BatchSkip

// What one import did. Nothing goes uncounted: every line read is applied or skipped with a
// reason (linesRead == linesApplied + linesSkipped()), and so is every item of an applied line.
struct BatchImportReport
{
    // Lines (or items) skipped for one reason: how many, and the first few, by line number.
    struct Skips
    {
        static constexpr int MaxExamples = 5;

        struct Example
        {
            qint64 line = 0;
            QString detail; // may be empty
        };

        QString reason; // one of BatchSkip
        qint64 count = 0;
        QList<Example> examples;
    };

    QString path;
    std::optional<BatchFileName> name; // unset when the name is not a batch file's
    bool opened = false; // the file could be opened: the counts below mean something
    // Why the import stopped short: a bad name, a file that cannot be opened or read to its
    // end (the lines before the failure are applied and counted), a failed write.
    QString error;
    bool cancelled = false; // BatchImportOptions::cancel stopped the reading

    qint64 linesRead = 0;
    qint64 linesApplied = 0;
    qint64 itemsApplied = 0;
    // Applied items by kind.
    qint64 codes = 0;
    qint64 unmappedCodes = 0; // codes no onboarded trait of the data source has (still stored)
    qint64 addedTraits = 0;   // d_sid=N
    qint64 keyValues = 0;     // key=value
    qint64 unmatchedKeyValues = 0; // on lines whose key=value items realized no trait
    qint64 removals = 0;      // d_unsid=N, N:0, N:-1
    // What changed.
    qint64 realizationsAdded = 0;
    qint64 realizationsRemoved = 0;
    qint64 segmentsJoined = 0;
    qint64 segmentsLeft = 0;
    qint64 unknownUserIds = 0; // distinct user IDs that matched no visitor
    QList<Skips> skippedLines; // by reason, in order of their first line
    QList<Skips> skippedItems;

    qint64 linesSkipped() const;
    qint64 itemsSkipped() const;
    qint64 skippedLineCount(const QString &reason) const;
    qint64 skippedItemCount(const QString &reason) const;

    // The file was read to its end and stored, and it applied something or had no line: the
    // command line's exit code 0. Skipped lines alone do not fail an import.
    bool succeeded() const;
    // The counts, then each reason with its first lines, for the command line.
    QString toText() const;

    void countSkippedLine(const QString &reason, qint64 line, const QString &detail = {});
    void countSkippedItem(const QString &reason, qint64 line, const QString &detail = {});
    // Adds `other`'s counts and skips to this report's (the file fields stay).
    void add(const BatchImportReport &other);
};

struct BatchImportOptions
{
    // Lines per write job. The writer may commit several jobs in one transaction, but never
    // splits one: a job is never a line (a transaction each would crawl) nor a whole file (a
    // huge file would hold the writer and its memory).
    int linesPerJob = 500;
    // "Now" in ms since the epoch, read once per import: every realization and membership
    // change of the file carries that time. Default: the system clock.
    std::function<qint64()> clock;
    // A running server's sweeper: each visitor is scheduled at its next membership change
    // once the line committed. Null without one (the command line: the next start rebuilds).
    MembershipSweeper *sweeper = nullptr;
    // Called now and then on the importing thread with the share of the file read, in [0, 1].
    std::function<void(double fraction)> progress;
    // Set (from any thread): reading stops before the next line. The lines read so far are
    // applied; the report's error says where it stopped, so an .overwrite file replaces
    // nothing, as with any file not read to its end.
    const std::atomic<bool> *cancel = nullptr;
};

// Applies an inbound batch file to the storage (dcs-api.md, "Batch inbound files"), through the
// same Qualifier and RealizationStore as a live call, so a line and a call realize the same
// traits and record the same kind of membership changes.
//
// For each line, inside a write job (so it sees every earlier line's writes):
// - The user ID is looked up among the IDs synced for the file's DPID (the data source whose
//   IDs the file holds); failing that, 38 digits that name a visitor of this DCS are that
//   visitor's UUID. Any other ID is unknown: counted and skipped. So is an opted-out visitor.
// - Items act on the traits of the file's data source (TARGET_DPID when the name has one):
//   a code realizes its onboarded traits (`ic == "CODE"`) and is remembered in partner_codes
//   even when no trait maps it yet; key=value items realize the onboarded traits whose rule
//   holds over them; d_sid=N realizes rule-based or onboarded trait N, like a call's d_sid (a
//   rule-based trait at most once per visitor per file, so importing a file again adds
//   nothing); d_unsid=N, N:0 and N:-1 remove the visitor's realizations of trait N. Removals
//   apply before additions: a line that removes and adds a trait leaves it realized.
// - .overwrite: lines add as in .sync (removal items are ignored, and counted as such); once
//   the whole file is in, each visitor a line applied to loses the traits of the data source
//   that no line of the file realized, and the codes it did not repeat. At the end rather than
//   on a user's first line, so that a user whose lines are spread over the file does not leave
//   a segment only to join it again. A file that cannot be read to its end replaces nothing.
// - The visitor's stored profile is read, the line qualified (QualifierInput::batchFile, with
//   partnerCodes, directSids and removedTraits), and its realizations, removals and membership
//   changes (cause "batch file", or why time moved them) written.
// Realizations are stamped with the import's time and carry the file's name as their tid.
class BatchImporter final
{
public:
    BatchImporter(Storage &storage, std::shared_ptr<const RulesSnapshot> rules,
                  BatchImportOptions options = {});

    // Reads `path` to its end, a job per BatchImportOptions::linesPerJob lines, while the
    // writer stores the previous job. Blocks until everything read is stored. Memory: a few
    // jobs of lines, a count per user ID, and for .overwrite the UUID of each user applied.
    BatchImportReport importFile(const QString &path);

private:
    Storage &m_storage;
    std::shared_ptr<const RulesSnapshot> m_rules;
    BatchImportOptions m_options;
};

} // namespace Dcs
