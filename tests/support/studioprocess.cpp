#include "studioprocess.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QRegularExpression>
#include <QTcpSocket>

#include <csignal>
#include <sys/types.h>

namespace {

constexpr int kKillTimeoutMs = 10000; // the destructor's SIGKILL to the end of the process

} // namespace

StudioProcess::StudioProcess(const QString &binary, const QString &home)
{
    m_process.setProcessEnvironment(isolatedEnvironment(home));
    m_process.setProgram(binary);
    m_process.setWorkingDirectory(home);
}

StudioProcess::~StudioProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(kKillTimeoutMs);
    }
}

void StudioProcess::start(const QStringList &arguments)
{
    m_process.setArguments(arguments);
    m_process.start();
}

bool StudioProcess::run(const QStringList &arguments, int timeoutMs)
{
    start(arguments);
    if (!m_process.waitForStarted(timeoutMs))
        return false;
    const bool finished = m_process.waitForFinished(timeoutMs);
    collect();
    return finished;
}

quint16 StudioProcess::startHeadless(const QStringList &extraArguments, int timeoutMs)
{
    start(QStringList{QStringLiteral("--headless"), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0")}
          + extraArguments);
    if (!m_process.waitForStarted(timeoutMs))
        return 0;
    return waitForListening(timeoutMs);
}

quint16 StudioProcess::waitForListening(int timeoutMs)
{
    static const QRegularExpression listening(
        QStringLiteral("listening on 127\\.0\\.0\\.1:([0-9]+)$"),
        QRegularExpression::MultilineOption);
    const QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        collect();
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(m_stdout));
        if (match.hasMatch())
            return quint16(match.captured(1).toUInt());
        if (deadline.hasExpired() || m_process.state() == QProcess::NotRunning)
            return 0;
        m_process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
    }
}

bool StudioProcess::stopWith(int signalNumber, int timeoutMs)
{
    const qint64 pid = m_process.processId();
    if (pid <= 0 || ::kill(pid_t(pid), signalNumber) != 0)
        return false;
    const bool finished = m_process.waitForFinished(timeoutMs);
    collect();
    return finished;
}

QString StudioProcess::out()
{
    collect();
    return QString::fromUtf8(m_stdout);
}

QString StudioProcess::err()
{
    collect();
    return QString::fromUtf8(m_stderr);
}

QString StudioProcess::describe()
{
    collect();
    return describeProcess(m_process, m_stdout, m_stderr);
}

QProcessEnvironment StudioProcess::isolatedEnvironment(const QString &home)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("HOME"), home);
    environment.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    environment.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/cache"));
    environment.insert(QStringLiteral("XDG_STATE_HOME"), home + QStringLiteral("/state"));
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), home + QStringLiteral("/run"));
    environment.remove(QStringLiteral("ACME_SECRET"));
    // No display: none of the modes the tests run may need one, and without --headless (or
    // another mode without a window) dcs-studio must refuse to start.
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
    environment.remove(QStringLiteral("QT_QPA_PLATFORM"));
    // No session bus, as on a server: secrets go to the owner-only file and no keychain probe
    // can stall a start.
    environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    return environment;
}

QString StudioProcess::describeProcess(const QProcess &process, const QByteArray &out,
                                       const QByteArray &err)
{
    // A sanitizer's report goes first, from its ERROR line: QTest cuts long messages, and the
    // report's head (what went wrong, where) is what a failed CI run must show.
    QString sanitizer;
    for (const char *marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
        const qsizetype at = err.indexOf(marker);
        if (at >= 0) {
            sanitizer = QStringLiteral("--- sanitizer:\n%1\n")
                            .arg(QString::fromUtf8(err.mid(qMax<qsizetype>(0, at - 200), 2400)));
            break;
        }
    }
    return QStringLiteral("%1: exit %2 (%3)\n%6--- stdout:\n%4\n--- stderr:\n%5")
        .arg(process.program())
        .arg(process.exitCode())
        .arg(process.exitStatus() == QProcess::NormalExit ? QStringLiteral("normal")
                                                          : QStringLiteral("crash"))
        .arg(QString::fromUtf8(out.right(6000)), QString::fromUtf8(err.right(4000)), sanitizer);
}

void StudioProcess::collect()
{
    m_stdout += m_process.readAllStandardOutput();
    m_stderr += m_process.readAllStandardError();
}

std::optional<HttpExchange> httpRequest(quint16 port, const QByteArray &method,
                                        const QByteArray &target, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs))
        return std::nullopt;
    socket.write(method + ' ' + target + QByteArrayLiteral(" HTTP/1.1\r\nHost: x\r\n\r\n"));
    QByteArray buffer;
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (socket.bytesAvailable() == 0
            && !socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
        buffer += socket.readAll();
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            continue;
        HttpExchange answer;
        answer.head = buffer.left(headEnd);
        answer.statusLine = answer.head.left(answer.head.indexOf("\r\n"));
        static const QRegularExpression contentLength(
            QStringLiteral("\r\ncontent-length: *([0-9]+)"),
            QRegularExpression::CaseInsensitiveOption);
        const QRegularExpressionMatch match = contentLength.match(QString::fromLatin1(answer.head));
        const qsizetype length = method == "HEAD" || !match.hasMatch()
                                     ? 0
                                     : match.captured(1).toLongLong();
        if (buffer.size() < headEnd + 4 + length)
            continue;
        answer.body = buffer.mid(headEnd + 4, length);
        return answer;
    }
    return std::nullopt;
}
