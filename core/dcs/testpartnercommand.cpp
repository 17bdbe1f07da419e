#include "testpartnercommand.h"

#include "common/appidentity.h"
#include "common/unixsignalwatcher.h"
#include "dcsserver.h"
#include "headlessrunner.h"
#include "partners/onboardingrun.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"

#include <QCoreApplication>
#include <QEventLoop>

#include <csignal>
#include <cstdio>

namespace Dcs {

namespace {

void printLine(FILE *stream, const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stream);
    std::fflush(stream);
}

QString partnerList(const QList<Partner> &partners)
{
    QStringList names;
    for (const Partner &partner : partners)
        names.append(QStringLiteral("\"%1\" (DPID %2)").arg(partner.name).arg(partner.dpid));
    return names.join(QStringLiteral(", "));
}

} // namespace

std::optional<Partner> findPartnerByNameOrDpid(const QList<Partner> &partners,
                                               const QString &nameOrDpid)
{
    for (const Partner &partner : partners) {
        if (partner.name == nameOrDpid)
            return partner;
    }
    bool isNumber = false;
    const qint64 dpid = nameOrDpid.toLongLong(&isNumber);
    if (isNumber) {
        for (const Partner &partner : partners) {
            if (partner.dpid == dpid)
                return partner;
        }
    }
    return std::nullopt;
}

QString compactCallHeader()
{
    return QStringLiteral("%1  %2 %3 %4  %5")
        .arg(QStringLiteral("#"), 6)
        .arg(QStringLiteral("outcome"), -13)
        .arg(QStringLiteral("HTTP"), 4)
        .arg(QStringLiteral("total"), 11)
        .arg(QStringLiteral("codes (reason)"));
}

QString compactCallLine(int index, const TransferRecord &record)
{
    QString line = QStringLiteral("%1  %2 %3 %4 ms  %5")
                       .arg(index, 6)
                       .arg(transferOutcomeName(record.outcome), -13)
                       .arg(record.httpStatus > 0 ? QString::number(record.httpStatus)
                                                  : QStringLiteral("-"),
                            4)
                       .arg(record.totalUs / 1000.0, 8, 'f', 1)
                       .arg(record.codes.isEmpty() ? QStringLiteral("-")
                                                   : record.codes.join(QLatin1Char(',')));
    if (!record.reason.isEmpty())
        line += QStringLiteral("  (%1)").arg(record.reason);
    return line;
}

int runTestPartnerCommand(const CommandLineOptions &options)
{
    // Installed first, as in --headless: a long run stops cleanly on Ctrl+C with its report.
    UnixSignalWatcher signalWatcher({SIGINT, SIGTERM});
    DcsServer server(nullptr, 1); // never listens: one idle worker is enough
    QString error;
    const QString databasePath = options.databaseGiven ? options.databasePath
                                                       : defaultDatabasePath();
    if (!server.openStorage(databasePath, &error)) {
        printLine(stderr, error);
        return ExitCode::Failed;
    }
    if (!importRequestedWorkspace(*server.storage(), options))
        return ExitCode::Failed;
    if (!options.importFile.isEmpty())
        server.reloadRules(); // the imported onboarded traits decide which codes are mapped

    const PartnerRepository repository(*server.storage());
    const QList<Partner> partners = repository.all();
    const std::optional<Partner> partner = findPartnerByNameOrDpid(partners, options.testPartner);
    if (!partner) {
        printLine(stderr,
                  partners.isEmpty()
                      ? QStringLiteral("--test-partner: no partner \"%1\": %2 has no partners "
                                       "(register one, or --import a workspace)")
                            .arg(options.testPartner, databasePath)
                      : QStringLiteral("--test-partner: no partner named \"%1\" or with that "
                                       "DPID in %2; the partners are: %3")
                            .arg(options.testPartner, databasePath, partnerList(partners)));
        return ExitCode::Failed;
    }

    OnboardingConfig config;
    config.calls = options.testCalls;
    config.ratePerSecond = options.testRate;
    printLine(stdout, QStringLiteral("Testing \"%1\" (DPID %2, %3, %4): %5 calls at %6/s")
                          .arg(partner->name)
                          .arg(partner->dpid)
                          .arg(partner->endpoint, partnerModeName(partner->mode))
                          .arg(config.calls)
                          .arg(config.ratePerSecond));
    OnboardingRun run(*server.storage(), *server.transferEngine(), *partner,
                      repository.secretFor(*partner), config);
    QEventLoop loop;
    QObject::connect(&run, &OnboardingRun::finished, &loop, &QEventLoop::quit);
    QObject::connect(&signalWatcher, &UnixSignalWatcher::signalReceived, &run, [&run] {
        printLine(stderr, QStringLiteral("cancelling: the calls in flight finish first"));
        run.cancel();
    });
    run.start();
    if (run.isRunning())
        loop.exec();

    const OnboardingReport &report = run.report();
    printLine(stdout, QStringLiteral("Calls:\n") + compactCallHeader());
    for (qsizetype i = 0; i < report.calls.size(); ++i)
        printLine(stdout, compactCallLine(int(i) + 1, report.calls.at(i)));
    std::fputs(qPrintable(report.toText()), stdout);
    if (report.runId > 0)
        printLine(stdout, QStringLiteral("Stored as onboarding run %1.").arg(report.runId));
    else
        printLine(stderr, QStringLiteral("the run could not be stored (see the log above)"));
    std::fflush(stdout);
    server.shutdown();
    return report.passed() && !report.cancelled ? ExitCode::Success : ExitCode::Failed;
}

} // namespace Dcs
