#include "profiles/batchimporter.h"

#include "profiles/batchfilereader.h"
#include "rules/membershipsweeper.h"
#include "rules/qualifier.h"
#include "rules/rulesnapshot.h"
#include "storage/realizationstore.h"
#include "storage/storage.h"
#include "storage/visitorstore.h"

#include <QDateTime>
#include <QFileInfo>
#include <QSet>

#include <algorithm>
#include <deque>
#include <future>
#include <limits>

using namespace Qt::StringLiterals;

namespace Dcs {

namespace {

// Jobs handed to the writer and not yet finished: while the writer stores one, the next is
// read and parsed. Two keep both threads busy and bound what the import holds in memory.
constexpr int kMaxJobsInFlight = 2;
constexpr qsizetype kUuidDigits = 38;
// Distinct unknown user IDs are counted by a 64-bit hash, as BatchLineParser counts lines per
// user ID: a file of a million unknown IDs costs a few megabytes, not a copy of each.
constexpr size_t kUnknownIdSeed = 0x756e6b6e6f776e; // "unknown"

// What every job of one file needs, shared read-only.
struct FileInput
{
    std::shared_ptr<const RulesSnapshot> rules;
    QString tid;          // the file's name: the tid of its realizations
    qint64 idDpid = 0;    // whose user IDs
    qint64 traitDpid = 0; // whose traits
    bool overwrite = false;
    qint64 nowMs = 0;
};

// What a job did. Rebuilt from nothing each time the job runs (a job may run twice).
struct JobOutcome
{
    BatchImportReport counts;
    QList<size_t> unknownIdHashes;
    QList<std::pair<QString, qint64>> sweeps; // visitor, next membership change
    QStringList appliedVisitors; // .overwrite: whose traits the file then replaces
};

bool isUuid(QStringView id)
{
    return id.size() == kUuidDigits
           && std::all_of(id.begin(), id.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

// The visitor a user ID names (see BatchImporter) in `uuid`; when there is none to apply the
// line to, nullopt and why in `skipReason`. False only when the database cannot be read.
bool resolveVisitor(WriteContext &context, const FileInput &file, const QString &userId,
                    std::optional<QString> *uuid, QLatin1String *skipReason, QString *error)
{
    *skipReason = QLatin1String();
    if (!VisitorStore::linkedUuid(context, file.idDpid, userId, uuid, error))
        return false;
    VisitorStore::VisitorStatus status = VisitorStore::VisitorStatus::Unknown;
    if (*uuid) {
        if (!VisitorStore::visitorStatus(context, **uuid, &status, error))
            return false;
    } else if (isUuid(userId)) {
        if (!VisitorStore::visitorStatus(context, userId, &status, error))
            return false;
        if (status != VisitorStore::VisitorStatus::Unknown)
            *uuid = userId;
    }
    if (!*uuid) {
        *skipReason = BatchSkip::UnknownUserId;
    } else if (status == VisitorStore::VisitorStatus::OptedOut) {
        // dcs-api.md: an opted-out visitor gets no more trait or segment qualifications.
        uuid->reset();
        *skipReason = BatchSkip::OptedOut;
    }
    return true;
}

// The line's items, sorted by what they do, with those that cannot apply counted as skipped.
struct SortedItems
{
    QStringList codes;
    QList<Signal> keyValues;
    QStringList directSids;
    QList<qint64> removals;
    qint64 codeItems = 0;
    qint64 keyValueItems = 0;
    qint64 addItems = 0;
    qint64 removalItems = 0;

    qint64 applicable() const { return codeItems + keyValueItems + addItems + removalItems; }
};

bool sortItems(WriteContext &context, const FileInput &file, const BatchLine &line,
               const QString &uuid, SortedItems *sorted, JobOutcome &outcome, QString *error)
{
    const RulesSnapshot &rules = *file.rules;
    const auto realizable = [&rules](qint64 sid) {
        const RulesSnapshot::TraitEntry *trait = rules.trait(sid);
        return trait && trait->type != Trait::Type::Folder ? trait : nullptr;
    };
    for (const InboundItem &item : line.items) {
        switch (item.kind) {
        case InboundItem::Kind::Code:
            ++sorted->codeItems;
            if (!sorted->codes.contains(item.code))
                sorted->codes.append(item.code);
            break;
        case InboundItem::Kind::Signal: {
            ++sorted->keyValueItems;
            const auto same = std::find_if(sorted->keyValues.begin(), sorted->keyValues.end(),
                                           [&item](const Signal &s) { return s.key == item.key; });
            if (same == sorted->keyValues.end())
                sorted->keyValues.append(Signal{item.key, {item.value}});
            else
                same->values.append(item.value);
            break;
        }
        case InboundItem::Kind::AddTrait: {
            const RulesSnapshot::TraitEntry *trait = realizable(item.sid);
            if (!trait) {
                outcome.counts.countSkippedItem(BatchSkip::NotATrait, line.number,
                                                u"d_sid=%1"_s.arg(item.sid));
                break;
            }
            ++sorted->addItems;
            // A rule-based trait counts every realization (FREQUENCY): this file realizes it
            // once per visitor, so that importing the file again adds nothing.
            bool realizedByThisFile = false;
            if (trait->type == Trait::Type::Rule
                && !RealizationStore::hasRealization(context, uuid, item.sid,
                                                     RealizationOrigin::Batch, file.tid,
                                                     &realizedByThisFile, error))
                return false;
            const QString sid = QString::number(item.sid);
            if (!realizedByThisFile && !sorted->directSids.contains(sid))
                sorted->directSids.append(sid);
            break;
        }
        case InboundItem::Kind::RemoveTrait:
            if (file.overwrite) {
                outcome.counts.countSkippedItem(BatchSkip::RemovalInOverwrite, line.number,
                                                u"trait %1"_s.arg(item.sid));
            } else if (!realizable(item.sid)) {
                outcome.counts.countSkippedItem(BatchSkip::NotATrait, line.number,
                                                u"d_unsid=%1"_s.arg(item.sid));
            } else {
                ++sorted->removalItems;
                if (!sorted->removals.contains(item.sid))
                    sorted->removals.append(item.sid);
            }
            break;
        }
    }
    return true;
}

// Stores a line's (or a replacement's) qualification: removals first, as they delete
// realizations made up to now and the qualification's own are made at now.
bool storeQualification(WriteContext &context, const FileInput &file, const QString &uuid,
                        const QualifierInput &input, const Qualification &qualification,
                        JobOutcome &outcome, QString *error)
{
    qint64 removed = 0;
    if (!RealizationStore::removeRealizations(context, uuid, input.removedTraits, file.nowMs,
                                              error, &removed)
        || !RealizationStore::write(
            context, RealizationStore::PreparedQualification::from(uuid, qualification), error))
        return false;
    BatchImportReport &counts = outcome.counts;
    counts.realizationsAdded += qualification.realizations.size();
    counts.realizationsRemoved += removed;
    counts.segmentsJoined += qualification.joined().size();
    counts.segmentsLeft += qualification.left().size();
    if (qualification.nextChangeMs != Realization::Never)
        outcome.sweeps.append({uuid, qualification.nextChangeMs});
    return true;
}

QualifierInput batchInput(const FileInput &file, const QString &uuid,
                          const VisitorProfile &profile)
{
    QualifierInput input;
    input.batchFile = true;
    input.profile = &profile;
    input.nowMs = file.nowMs;
    input.uuid = uuid;
    input.tid = file.tid;
    return input;
}

bool applyLine(WriteContext &context, const FileInput &file, const BatchLine &line,
               JobOutcome &outcome, QString *error)
{
    BatchImportReport &counts = outcome.counts;
    std::optional<QString> resolved;
    QLatin1String skipReason;
    if (!resolveVisitor(context, file, line.userId, &resolved, &skipReason, error))
        return false;
    if (!resolved) {
        counts.countSkippedLine(skipReason, line.number, quoted(line.userId));
        if (skipReason == BatchSkip::UnknownUserId)
            outcome.unknownIdHashes.append(qHash(line.userId, kUnknownIdSeed));
        return true;
    }
    const QString &uuid = *resolved;

    SortedItems items;
    if (!sortItems(context, file, line, uuid, &items, outcome, error))
        return false;
    if (items.applicable() == 0) {
        // Without effect, like any skipped line: an .overwrite file's user who has only such
        // lines keeps their traits.
        counts.countSkippedLine(BatchSkip::NothingApplicable, line.number);
        return true;
    }

    VisitorProfile profile;
    if (!RealizationStore::readProfile(context, uuid, file.nowMs, &profile, error))
        return false;
    QualifierInput input = batchInput(file, uuid, profile);
    input.directSids = items.directSids;
    input.removedTraits = items.removals;
    if (!items.codes.isEmpty())
        input.partnerCodes = {PartnerCodes{file.traitDpid, items.codes, std::nullopt}};
    if (!items.keyValues.isEmpty())
        input.partnerKeyValues = {PartnerKeyValues{
            file.traitDpid, std::make_shared<const RuleSignals>(items.keyValues, items.codes)}};
    const Qualification qualification = Qualifier::qualify(*file.rules, input);
    if (!storeQualification(context, file, uuid, input, qualification, outcome, error)
        || !RealizationStore::storePartnerCodes(context, uuid, file.traitDpid, items.codes,
                                                file.nowMs, Realization::Never, error))
        return false;
    if (file.overwrite)
        outcome.appliedVisitors.append(uuid);

    ++counts.linesApplied;
    counts.itemsApplied += items.applicable();
    counts.codes += items.codeItems;
    for (const InboundItem &item : line.items) {
        if (item.kind == InboundItem::Kind::Code
            && file.rules->onboardedTraits(file.traitDpid, item.code).empty())
            ++counts.unmappedCodes;
    }
    counts.addedTraits += items.addItems;
    counts.keyValues += items.keyValueItems;
    const bool keyValuesRealized = std::any_of(
        qualification.realizations.cbegin(), qualification.realizations.cend(),
        [](const NewRealization &r) { return r.trigger == NewRealization::Trigger::Signals; });
    if (!keyValuesRealized)
        counts.unmatchedKeyValues += items.keyValueItems;
    counts.removals += items.removalItems;
    return true;
}

// The end of an .overwrite file, for a visitor one of its lines applied to: the traits of the
// data source that no line of this file realized are removed (a realization this file made
// carries its name as tid, whether made now or by an earlier import of the same file), and so
// are the codes this import did not repeat. Done once all lines are in, so a user whose lines
// are spread over the file leaves no segment only to join it again a few lines later.
bool replaceUnrepeated(WriteContext &context, const FileInput &file, const QString &uuid,
                       JobOutcome &outcome, QString *error)
{
    VisitorProfile profile;
    if (!RealizationStore::readProfile(context, uuid, file.nowMs, &profile, error))
        return false;
    QualifierInput input = batchInput(file, uuid, profile);
    for (const StoredRealization &held : std::as_const(profile.realizations)) {
        const RulesSnapshot::TraitEntry *trait = file.rules->trait(held.traitSid);
        if (!trait || trait->dataSource != file.traitDpid || trait->type == Trait::Type::Folder
            || input.removedTraits.contains(held.traitSid))
            continue;
        bool fromThisFile = false;
        if (!RealizationStore::hasRealization(context, uuid, held.traitSid,
                                              RealizationOrigin::Batch, file.tid, &fromThisFile,
                                              error))
            return false;
        if (!fromThisFile)
            input.removedTraits.append(held.traitSid);
    }
    if (!input.removedTraits.isEmpty()
        && !storeQualification(context, file, uuid, input,
                               Qualifier::qualify(*file.rules, input), outcome, error))
        return false;
    return RealizationStore::forgetPartnerCodes(context, uuid, file.traitDpid, file.nowMs,
                                                error);
}

// A job handed to the writer, and what the import needs once it finished.
struct PendingJob
{
    QList<qint64> lineNumbers; // of the lines it applies: counted as not stored if it fails
    QString what;              // for the error: "lines 1 to 500"
    std::shared_ptr<JobOutcome> outcome;
    std::future<WriteResult> result;
};

BatchImportReport::Skips *skipsFor(QList<BatchImportReport::Skips> &list, const QString &reason)
{
    const auto found = std::find_if(list.begin(), list.end(),
                                    [reason](const auto &skips) { return skips.reason == reason; });
    if (found != list.end())
        return &*found;
    list.append(BatchImportReport::Skips{reason, 0, {}});
    return &list.last();
}

void countSkip(QList<BatchImportReport::Skips> &list, const QString &reason, qint64 line,
               const QString &detail)
{
    BatchImportReport::Skips *skips = skipsFor(list, reason);
    ++skips->count;
    if (skips->examples.size() < BatchImportReport::Skips::MaxExamples)
        skips->examples.append({line, detail});
}

void addSkips(QList<BatchImportReport::Skips> &into, const QList<BatchImportReport::Skips> &from)
{
    for (const BatchImportReport::Skips &skips : from) {
        BatchImportReport::Skips *target = skipsFor(into, skips.reason);
        target->count += skips.count;
        for (const BatchImportReport::Skips::Example &example : skips.examples) {
            if (target->examples.size() >= BatchImportReport::Skips::MaxExamples)
                break;
            target->examples.append(example);
        }
    }
}

qint64 totalOf(const QList<BatchImportReport::Skips> &list)
{
    qint64 total = 0;
    for (const BatchImportReport::Skips &skips : list)
        total += skips.count;
    return total;
}

qint64 countOf(const QList<BatchImportReport::Skips> &list, const QString &reason)
{
    for (const BatchImportReport::Skips &skips : list) {
        if (skips.reason == reason)
            return skips.count;
    }
    return 0;
}

// Jobs finish in order, but the parser's skips are counted as lines are read, ahead of the
// jobs' own: sorted by first line, the report reads in file order.
void sortByFirstLine(QList<BatchImportReport::Skips> &list)
{
    const auto firstLine = [](const BatchImportReport::Skips &skips) {
        return skips.examples.isEmpty() ? std::numeric_limits<qint64>::max()
                                        : skips.examples.first().line;
    };
    for (BatchImportReport::Skips &skips : list) {
        std::sort(skips.examples.begin(), skips.examples.end(),
                  [](const auto &a, const auto &b) { return a.line < b.line; });
    }
    std::stable_sort(list.begin(), list.end(), [&](const auto &a, const auto &b) {
        return firstLine(a) < firstLine(b);
    });
}

QString skipsText(const QList<BatchImportReport::Skips> &list)
{
    QString text;
    for (const BatchImportReport::Skips &skips : list) {
        QStringList examples;
        for (const BatchImportReport::Skips::Example &example : skips.examples) {
            examples.append(example.detail.isEmpty()
                                ? u"line %1"_s.arg(example.line)
                                : u"line %1: %2"_s.arg(QString::number(example.line),
                                                       example.detail));
        }
        if (skips.count > skips.examples.size())
            examples.append(u"..."_s);
        text += u"  %1: %2 (%3)\n"_s.arg(skips.reason, QString::number(skips.count),
                                          examples.join(u"; "_s));
    }
    return text;
}

} // namespace

// --- BatchImportReport ------------------------------------------------------------------------

qint64 BatchImportReport::linesSkipped() const
{
    return totalOf(skippedLines);
}

qint64 BatchImportReport::itemsSkipped() const
{
    return totalOf(skippedItems);
}

qint64 BatchImportReport::skippedLineCount(const QString &reason) const
{
    return countOf(skippedLines, reason);
}

qint64 BatchImportReport::skippedItemCount(const QString &reason) const
{
    return countOf(skippedItems, reason);
}

bool BatchImportReport::succeeded() const
{
    return error.isEmpty() && (linesApplied > 0 || linesRead == 0);
}

void BatchImportReport::countSkippedLine(const QString &reason, qint64 line, const QString &detail)
{
    countSkip(skippedLines, reason, line, detail);
}

void BatchImportReport::countSkippedItem(const QString &reason, qint64 line, const QString &detail)
{
    countSkip(skippedItems, reason, line, detail);
}

void BatchImportReport::add(const BatchImportReport &other)
{
    linesRead += other.linesRead;
    linesApplied += other.linesApplied;
    itemsApplied += other.itemsApplied;
    codes += other.codes;
    unmappedCodes += other.unmappedCodes;
    addedTraits += other.addedTraits;
    keyValues += other.keyValues;
    unmatchedKeyValues += other.unmatchedKeyValues;
    removals += other.removals;
    realizationsAdded += other.realizationsAdded;
    realizationsRemoved += other.realizationsRemoved;
    segmentsJoined += other.segmentsJoined;
    segmentsLeft += other.segmentsLeft;
    unknownUserIds += other.unknownUserIds;
    addSkips(skippedLines, other.skippedLines);
    addSkips(skippedItems, other.skippedItems);
}

QString BatchImportReport::toText() const
{
    QString text;
    if (name) {
        text += u"%1: .%2 file of DPID %3"_s.arg(path, name->modeName(),
                                                 QString::number(name->dpid));
        if (name->targetDpid)
            text += u" for the traits of data source %1"_s.arg(*name->targetDpid);
        if (name->part)
            text += u", part %1"_s.arg(*name->part);
        text += u", written %1\n"_s.arg(
            QDateTime::fromSecsSinceEpoch(name->timestampSeconds, Qt::UTC)
                .toString(Qt::ISODate));
    } else {
        text += path + u'\n';
    }
    text += u"lines: %1 read, %2 applied, %3 skipped\n"_s.arg(
        QString::number(linesRead), QString::number(linesApplied),
        QString::number(linesSkipped()));
    text += u"items: %1 applied, %2 skipped; %3 codes (%4 unmapped), %5 d_sid, "
            "%6 key=value (%7 realized no trait), %8 removals\n"_s.arg(
                QString::number(itemsApplied), QString::number(itemsSkipped()),
                QString::number(codes), QString::number(unmappedCodes),
                QString::number(addedTraits), QString::number(keyValues),
                QString::number(unmatchedKeyValues), QString::number(removals));
    text += u"realizations: %1 added, %2 removed; segments: %3 joined, %4 left\n"_s.arg(
        QString::number(realizationsAdded), QString::number(realizationsRemoved),
        QString::number(segmentsJoined), QString::number(segmentsLeft));
    text += u"unknown user IDs: %1\n"_s.arg(unknownUserIds);
    if (!skippedLines.isEmpty())
        text += u"skipped lines:\n"_s + skipsText(skippedLines);
    if (!skippedItems.isEmpty())
        text += u"skipped items:\n"_s + skipsText(skippedItems);
    return text;
}

// --- BatchImporter --------------------------------------------------------------------------

BatchImporter::BatchImporter(Storage &storage, std::shared_ptr<const RulesSnapshot> rules,
                             BatchImportOptions options)
    : m_storage(storage)
    , m_rules(std::move(rules))
    , m_options(std::move(options))
{
    if (!m_options.clock)
        m_options.clock = [] { return QDateTime::currentMSecsSinceEpoch(); };
    m_options.linesPerJob = std::max(m_options.linesPerJob, 1);
}

BatchImportReport BatchImporter::importFile(const QString &path)
{
    BatchImportReport report;
    report.path = path;
    QString error;
    report.name = BatchFileName::parse(path, &error);
    if (!report.name) {
        report.error = error;
        return report;
    }
    BatchFileReader reader;
    if (!reader.open(path, report.name->gzipped, &error)) {
        report.error = error;
        return report;
    }
    report.opened = true;

    auto file = std::make_shared<FileInput>();
    file->rules = m_rules;
    file->tid = QFileInfo(path).fileName();
    file->idDpid = report.name->dpid;
    file->traitDpid = report.name->traitDataSource();
    file->overwrite = report.name->mode == BatchFileName::Mode::Overwrite;
    file->nowMs = m_options.clock();

    QSet<size_t> unknownIds;
    // .overwrite: every visitor a line applied to, for the replacement at the end. Grows with
    // the distinct users of the file (a UUID each), not with its lines.
    QSet<QString> overwritten;
    std::deque<PendingJob> pending;
    bool writeFailed = false;
    // Waits for the oldest job and counts what it did; a failed job's lines were not stored.
    const auto finishOldest = [&] {
        PendingJob job = std::move(pending.front());
        pending.pop_front();
        const WriteResult result = job.result.get();
        if (!result.ok) {
            for (const qint64 number : std::as_const(job.lineNumbers))
                report.countSkippedLine(BatchSkip::NotStored, number);
            if (!writeFailed)
                report.error = u"storing %1 failed: %2"_s.arg(job.what, result.error);
            writeFailed = true;
            return;
        }
        report.add(job.outcome->counts);
        for (const size_t hash : std::as_const(job.outcome->unknownIdHashes))
            unknownIds.insert(hash);
        for (const QString &uuid : std::as_const(job.outcome->appliedVisitors))
            overwritten.insert(uuid);
        if (m_options.sweeper) {
            for (const auto &[uuid, atMs] : std::as_const(job.outcome->sweeps))
                m_options.sweeper->schedule(uuid, atMs);
        }
    };
    // Hands `work` to the writer as one job; while it is stored, the caller reads on.
    const auto submit = [&](PendingJob job,
                            std::function<bool(WriteContext &, JobOutcome &, QString *)> work) {
        job.outcome = std::make_shared<JobOutcome>();
        auto promise = std::make_shared<std::promise<WriteResult>>();
        job.result = promise->get_future();
        m_storage.writer().submit(
            [work = std::move(work), outcome = job.outcome](WriteContext &context,
                                                            QString *jobError) {
                *outcome = JobOutcome{}; // a job may run twice: start from its inputs
                return work(context, *outcome, jobError);
            },
            [promise](const WriteResult &result) { promise->set_value(result); });
        pending.push_back(std::move(job));
        while (qsizetype(pending.size()) >= kMaxJobsInFlight)
            finishOldest();
    };
    const auto submitLines = [&](QList<BatchLine> &chunk) {
        PendingJob job;
        for (const BatchLine &line : std::as_const(chunk))
            job.lineNumbers.append(line.number);
        job.what = u"lines %1 to %2"_s.arg(QString::number(chunk.first().number),
                                           QString::number(chunk.last().number));
        auto lines = std::make_shared<const QList<BatchLine>>(std::exchange(chunk, {}));
        submit(std::move(job), [file, lines](WriteContext &context, JobOutcome &outcome,
                                             QString *jobError) {
            for (const BatchLine &line : *lines) {
                if (!applyLine(context, *file, line, outcome, jobError))
                    return false;
            }
            return true;
        });
    };

    BatchLineParser parser;
    QList<BatchLine> chunk;
    BatchFileReader::Line raw;
    // A failed write stops the reading: the next jobs would fail the same way.
    const qint64 fileBytes = QFileInfo(path).size();
    constexpr qint64 kLinesPerCheck = 1024;
    while (!writeFailed && reader.readLine(&raw)) {
        if (report.linesRead % kLinesPerCheck == 0) {
            if (m_options.cancel && m_options.cancel->load()) {
                report.cancelled = true;
                break;
            }
            if (m_options.progress && fileBytes > 0)
                m_options.progress(std::min(1.0, double(reader.bytesRead()) / double(fileBytes)));
        }
        ++report.linesRead;
        BatchLine line = parser.parse(raw.bytes, raw.truncated);
        for (const BatchLine::BadItem &bad : std::as_const(line.badItems))
            report.countSkippedItem(BatchSkip::InvalidItem, line.number,
                                    quoted(bad.text) + u": "_s + bad.reason);
        if (line.isSkipped()) {
            report.countSkippedLine(line.skipReason, line.number, line.skipDetail);
            continue;
        }
        chunk.append(std::move(line));
        if (chunk.size() >= m_options.linesPerJob)
            submitLines(chunk);
    }
    // What was read before a read error is still applied: those lines were whole. (After a
    // failed write the chunk is empty: submitLines() handed it over before it waited.)
    if (!chunk.isEmpty())
        submitLines(chunk);
    while (!pending.empty())
        finishOldest();
    if (reader.hasError() && !writeFailed)
        report.error = u"%1: reading stopped after line %2: %3"_s.arg(
            path, QString::number(report.linesRead), reader.errorString());
    else if (report.cancelled && !writeFailed)
        report.error = u"%1: cancelled after line %2; the lines before it were applied"_s.arg(
            path, QString::number(report.linesRead));

    // Only a file read to its end says what a user's traits are: a damaged .overwrite file
    // adds what it holds but replaces nothing.
    if (file->overwrite && report.error.isEmpty() && !overwritten.isEmpty()) {
        QStringList visitors(overwritten.cbegin(), overwritten.cend());
        std::sort(visitors.begin(), visitors.end());
        for (qsizetype first = 0; first < visitors.size() && !writeFailed;
             first += m_options.linesPerJob) {
            auto batch = std::make_shared<const QStringList>(
                visitors.mid(first, m_options.linesPerJob));
            PendingJob job;
            job.what = u"the replacement of %1 users' traits"_s.arg(batch->size());
            submit(std::move(job), [file, batch](WriteContext &context, JobOutcome &outcome,
                                                 QString *jobError) {
                for (const QString &uuid : *batch) {
                    if (!replaceUnrepeated(context, *file, uuid, outcome, jobError))
                        return false;
                }
                return true;
            });
        }
        while (!pending.empty())
            finishOldest();
    }

    report.unknownUserIds = unknownIds.size();
    if (m_options.progress && report.error.isEmpty())
        m_options.progress(1.0);
    sortByFirstLine(report.skippedLines);
    sortByFirstLine(report.skippedItems);
    return report;
}

} // namespace Dcs
