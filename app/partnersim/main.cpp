// dcs-partner-sim: the partner simulator as a program (see simcommandline.cpp for its options).
#include "common/unixsignalwatcher.h"
#include "partnersimulator.h"
#include "simcommandline.h"

#include <QCoreApplication>

#include <csignal>
#include <cstdio>

namespace {

void printLine(FILE *stream, const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stream);
    std::fflush(stream);
}

} // namespace

int main(int argc, char *argv[])
{
    // Qt's own UNIX event dispatcher costs fewer system calls per request than glib's.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("dcs-partner-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DCS_VERSION));

    const Dcs::SimCommandLineResult parsed =
        Dcs::parseSimulatorCommandLine(QCoreApplication::arguments());
    if (parsed.action == Dcs::SimCommandLineResult::Action::Exit) {
        printLine(parsed.messageIsError ? stderr : stdout, parsed.message);
        return parsed.exitCode;
    }

    // Installed before listening: a signal right after the start line is not lost.
    Dcs::UnixSignalWatcher signalWatcher({SIGINT, SIGTERM});
    QObject::connect(&signalWatcher, &Dcs::UnixSignalWatcher::signalReceived, &app,
                     [] { QCoreApplication::quit(); });

    Dcs::PartnerSimulator simulator(parsed.options.config, parsed.options.threads);
    if (!simulator.listen(parsed.options.address, parsed.options.port)) {
        printLine(stderr, QStringLiteral("dcs-partner-sim: ") + simulator.errorString());
        return Dcs::kSimExitCannotListen;
    }
    QString host = simulator.address().toString();
    if (simulator.address().protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    printLine(stdout, QStringLiteral("dcs-partner-sim listening on %1:%2")
                          .arg(host)
                          .arg(simulator.port()));

    const int exitCode = QCoreApplication::exec();
    simulator.close();
    return exitCode;
}
