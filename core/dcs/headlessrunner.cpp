#include "headlessrunner.h"

#include "common/appidentity.h"
#include "common/logging.h"
#include "common/unixsignalwatcher.h"
#include "dcsserver.h"
#include "monitor/monitorfeed.h"
#include "profiles/batchimporter.h"
#include "rules/realization.h"
#include "rules/replay.h"
#include "rules/rulesnapshot.h"
#include "storage/definitionversions.h"
#include "storage/storage.h"
#include "storage/workspacefile.h"
#include "testpartnercommand.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>

#include <csignal>
#include <cstdio>

namespace Dcs {

namespace {

constexpr int kStatusIntervalMs = 5000;

void printLine(FILE *stream, const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stream);
    std::fflush(stream);
}

void printReportErrors(const WorkspaceReport &report, const QString &file)
{
    for (const JsonIssue &issue : report.errors)
        printLine(stderr, file + QStringLiteral(": ") + issue.toString());
}

QString databasePathOf(const CommandLineOptions &options)
{
    return options.databaseGiven ? options.databasePath : defaultDatabasePath();
}

int runCheck(const CommandLineOptions &options)
{
    // Without --db, check against an empty workspace in a throw-away database rather than
    // creating the default one as a side effect.
    QTemporaryDir scratch;
    const QString path = options.databaseGiven
                             ? options.databasePath
                             : scratch.filePath(QStringLiteral("check.sqlite"));
    QString error;
    const std::unique_ptr<Storage> storage = Storage::open(path, &error);
    if (!storage) {
        printLine(stderr, error);
        return ExitCode::Failed;
    }
    const WorkspaceReport report = WorkspaceFile::checkFile(*storage, options.checkFile);
    if (!report.ok) {
        printReportErrors(report, options.checkFile);
        printLine(stderr, QStringLiteral("%1: invalid (%2)").arg(options.checkFile,
                                                                 report.summary()));
        return ExitCode::Failed;
    }
    printLine(stdout, QStringLiteral("%1: valid (%2)").arg(options.checkFile, report.summary()));
    return ExitCode::Success;
}

int runExport(const CommandLineOptions &options)
{
    QString error;
    const std::unique_ptr<Storage> storage = Storage::open(databasePathOf(options), &error);
    if (!storage || !WorkspaceFile::exportFile(*storage, options.exportFile, &error)) {
        printLine(stderr, error);
        return ExitCode::Failed;
    }
    printLine(stdout, QStringLiteral("workspace written to %1").arg(options.exportFile));
    return ExitCode::Success;
}

// The database of --db opened and its rules compiled, as the server would (DcsServer::
// reloadRules); a definition left out is said, as the server does. Null after printing why.
std::unique_ptr<Storage> openWithRules(const CommandLineOptions &options, RulesEngine &rules)
{
    QString error;
    std::unique_ptr<Storage> storage = Storage::open(databasePathOf(options), &error);
    if (!storage) {
        printLine(stderr, error);
        return nullptr;
    }
    QList<RuleDiagnosticWithItem> problems;
    if (!rules.reload(*storage, &problems, &error)) {
        printLine(stderr, error);
        return nullptr;
    }
    for (const RuleDiagnosticWithItem &problem : std::as_const(problems))
        printLine(stderr, QStringLiteral("warning: %1").arg(problem.message()));
    return storage;
}

// --import-batch: the rules compiled from the database, as the server would (DcsServer::
// reloadRules), then the file applied and its counts printed. No listener, no window.
int runImportBatch(const CommandLineOptions &options)
{
    QString error;
    // A name that is not a batch file's is refused before the database is opened (or created).
    if (!BatchFileName::parse(options.importBatchFile, &error)) {
        printLine(stderr, error);
        return ExitCode::Failed;
    }
    // A definition left out realizes nothing from this file: openWithRules() says which.
    RulesEngine rules;
    const std::unique_ptr<Storage> storage = openWithRules(options, rules);
    if (!storage)
        return ExitCode::Failed;

    BatchImporter importer(*storage, rules.snapshot());
    const BatchImportReport report = importer.importFile(options.importBatchFile);
    if (report.opened)
        std::fputs(qPrintable(report.toText()), stdout);
    std::fflush(stdout);
    if (!report.error.isEmpty())
        printLine(stderr, report.error);
    else if (!report.succeeded())
        printLine(stderr, QStringLiteral("%1: no line could be applied")
                              .arg(options.importBatchFile));
    return report.succeeded() ? ExitCode::Success : ExitCode::Failed;
}

// --replay: the rules compiled from the database, then the event log of the last N days re-run
// through them for the chosen traits (rules/replay.h), with progress on stderr. SIGINT/SIGTERM
// cancel after the page being written. Exit 0 when done, 1 when cancelled, failed, or nothing
// could be replayed.
int runReplay(const CommandLineOptions &options)
{
    RulesEngine rules;
    const std::unique_ptr<Storage> storage = openWithRules(options, rules);
    if (!storage)
        return ExitCode::Failed;

    ReplayOptions replayOptions;
    replayOptions.traitSids = options.replayTraits;
    replayOptions.fromMs = QDateTime::currentMSecsSinceEpoch()
                           - qint64(options.replayDays) * MsPerDay;
    ReplayJob job(*storage);
    UnixSignalWatcher signalWatcher({SIGINT, SIGTERM});
    QEventLoop loop;
    ReplayResult result;
    int lastPercent = -1;
    QObject::connect(&job, &ReplayJob::progress, &loop,
                     [&lastPercent](double fraction, ReplayPhase phase) {
                         const int percent = int(fraction * 100);
                         if (percent == lastPercent
                             || (percent / 10 == lastPercent / 10 && percent < 100))
                             return;
                         lastPercent = percent;
                         printLine(stderr, QStringLiteral("%1% (%2)").arg(percent).arg(
                                               phase == ReplayPhase::Events
                                                   ? QStringLiteral("events")
                                                   : QStringLiteral("re-evaluating visitors")));
                     });
    QObject::connect(&job, &ReplayJob::finished, &loop, [&](const ReplayResult &done) {
        result = done;
        loop.quit();
    });
    QObject::connect(&signalWatcher, &UnixSignalWatcher::signalReceived, &job, [&job] {
        printLine(stderr, QStringLiteral("cancelling after the page being written"));
        job.cancel();
    });
    if (job.start(rules.snapshot(), replayOptions) == 0) {
        printLine(stderr, QStringLiteral("no rules to replay"));
        return ExitCode::Failed;
    }
    loop.exec();
    for (const ReplaySkippedTrait &skipped : std::as_const(result.skippedTraits))
        printLine(stderr, QStringLiteral("trait %1 skipped: %2").arg(skipped.sid).arg(
                              skipped.reason));
    printLine(result.ok() ? stdout : stderr, result.summary());
    return result.status == ReplayResult::Status::Done ? ExitCode::Success : ExitCode::Failed;
}

// One line with every partner called in the last minute: calls/s, success, p99 and breaker,
// from the monitor feed (what the GUI's health strip shows).
void printPartnersLine(const MonitorFeed &monitor)
{
    QStringList parts;
    for (const PartnerLiveSnapshot &partner :
         monitor.partners().snapshot(MonitorFeed::currentTimeMs())) {
        if (partner.attempts60s == 0)
            continue;
        QString part = QStringLiteral("%1 %2 calls/s").arg(partner.name).arg(
            partner.callsPerSecond10s, 0, 'f', 1);
        if (partner.successPercent60s)
            part += QStringLiteral(", %1% ok").arg(*partner.successPercent60s, 0, 'f', 1);
        if (partner.called60s > 0)
            part += QStringLiteral(", p99 %1 ms").arg(partner.p99Us / 1000.0, 0, 'f', 1);
        if (partner.breakerState != PartnerBreakerState::Closed || partner.breakerForced)
            part += QStringLiteral(", breaker open: %1").arg(partner.breakerReason);
        parts.append(part);
    }
    if (!parts.isEmpty())
        printLine(stdout, QStringLiteral("partners: ") + parts.join(QStringLiteral("; ")));
}

int runHeadless(const CommandLineOptions &options, const ServerCompanionFactory &startDemo)
{
    // Installed first: a signal that arrives while the database opens or right after
    // "listening on" waits in the watcher's pipe and is handled as soon as the loop runs.
    UnixSignalWatcher signalWatcher({SIGINT, SIGTERM});
    DcsServer server;
    QString error;
    if (!server.openStorage(databasePathOf(options), &error)) {
        printLine(stderr, error);
        return ExitCode::Failed;
    }
    if (!importRequestedWorkspace(*server.storage(), options))
        return ExitCode::Failed;
    if (!options.importFile.isEmpty())
        server.reloadWorkspace(); // what --import brought in applies from the first call
    server.applyComputerSettings();
    if (!server.startListener(options.listenAddress, options.listenPort, &error)) {
        printLine(stderr, error);
        return ExitCode::Failed;
    }
    printLine(stdout, QStringLiteral("listening on %1").arg(server.listenAddressText()));
    std::unique_ptr<ServerCompanion> demo;
    if (options.demo) {
        demo = startDemo ? startDemo(server, &error) : nullptr;
        if (!demo) {
            printLine(stderr, QStringLiteral("--demo: %1")
                                  .arg(startDemo ? error
                                                 : QStringLiteral("not built into this program")));
            server.shutdown();
            return ExitCode::Failed;
        }
        for (const QString &line : demo->startupReport())
            printLine(stdout, QStringLiteral("demo: ") + line);
    }

    QObject::connect(&signalWatcher, &UnixSignalWatcher::signalReceived, qApp, [](int number) {
        printLine(stdout, QStringLiteral("stopping (%1)")
                              .arg(number == SIGINT ? QStringLiteral("SIGINT")
                                                    : QStringLiteral("SIGTERM")));
        QCoreApplication::exit(ExitCode::Success);
    });

    QTimer status;
    status.setInterval(kStatusIntervalMs);
    EventStats::Snapshot previous = server.eventStats().snapshot();
    StorageWriter::Stats previousWrites = server.storage()->writer().stats();
    QElapsedTimer sincePrevious;
    sincePrevious.start();
    QObject::connect(&status, &QTimer::timeout, &server, [&] {
        const EventStats::Snapshot now = server.eventStats().snapshot();
        const EventStats::Snapshot interval = now.since(previous);
        const double seconds = qMax(sincePrevious.restart(), qint64(1)) / 1000.0;
        previous = now;
        const DcsListener::Counters listener = server.listener().counters();
        const StorageWriter::Stats writes = server.storage()->writer().stats();
        printLine(stdout,
                  QStringLiteral("status: %1 events/s, p50 %2 ms, p99 %3 ms, %4 connections, "
                                 "errors: %5 with codes, %6 ignored (311), %7 busy (429), "
                                 "%8 bad requests, %9 not stored; writer queue %10, "
                                 "%11 writes per commit")
                      .arg(interval.events / seconds, 0, 'f', 1)
                      .arg(interval.quantileUs(0.5) / 1000.0, 0, 'f', 2)
                      .arg(interval.quantileUs(0.99) / 1000.0, 0, 'f', 2)
                      .arg(listener.openConnections)
                      .arg(now.withErrors)
                      .arg(now.ignored)
                      .arg(listener.busyRejections)
                      .arg(listener.badRequests)
                      .arg(now.storeFailures)
                      .arg(writes.queued)
                      .arg(double(writes.committed + writes.failedItems
                                  - previousWrites.committed - previousWrites.failedItems)
                               / qMax<quint64>(writes.batches - previousWrites.batches, 1),
                           0, 'f', 1)
                      + (demo ? QString(QStringLiteral("; ") + demo->statusText()) : QString()));
        previousWrites = writes;
        printPartnersLine(server.monitorFeed());
    });
    status.start();

    const int code = QCoreApplication::exec();
    server.shutdown();
    demo.reset(); // after the server: partner calls still in flight reach the simulators
    printLine(stdout, QStringLiteral("stopped cleanly"));
    return code;
}

} // namespace

bool importRequestedWorkspace(Storage &storage, const CommandLineOptions &options)
{
    if (options.importFile.isEmpty())
        return true;
    const WorkspaceReport report = WorkspaceFile::importFile(
        storage, options.importFile,
        QStringLiteral("import (%1)").arg(DefinitionVersions::currentAuthor()));
    if (!report.ok) {
        printReportErrors(report, options.importFile);
        printLine(stderr, QStringLiteral("%1: not imported, nothing changed (%2)")
                              .arg(options.importFile, report.summary()));
        return false;
    }
    printLine(stdout, QStringLiteral("%1: imported (%2)").arg(options.importFile,
                                                              report.summary()));
    return true;
}

int runWithoutGui(const CommandLineOptions &options, const ServerCompanionFactory &startDemo)
{
    if (!options.checkFile.isEmpty())
        return runCheck(options);
    if (!options.exportFile.isEmpty())
        return runExport(options);
    if (!options.importBatchFile.isEmpty())
        return runImportBatch(options);
    if (!options.testPartner.isEmpty())
        return runTestPartnerCommand(options);
    if (options.replay)
        return runReplay(options);
    return runHeadless(options, startDemo);
}

} // namespace Dcs
