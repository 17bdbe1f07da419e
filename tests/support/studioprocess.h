#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

// One HTTP answer as it came over the wire.
struct HttpExchange
{
    QByteArray statusLine;
    QByteArray head; // status line and headers
    QByteArray body;
};

// One request on a fresh connection to 127.0.0.1:`port`; the whole answer (by Content-Length;
// none for HEAD), or nothing if it did not come within `timeoutMs`.
std::optional<HttpExchange> httpRequest(quint16 port, const QByteArray &method,
                                        const QByteArray &target, int timeoutMs);

// One dcs-studio (or other) child process in an isolated environment: HOME and the XDG folders
// inside a temporary directory, no display and no session bus, so that nothing of the real
// user's data or settings is read or written and no keychain probe can stall a start. The
// working directory is `home`. The destructor kills a process a failed test left running.
class StudioProcess
{
public:
    StudioProcess(const QString &binary, const QString &home);
    ~StudioProcess();

    StudioProcess(const StudioProcess &) = delete;
    StudioProcess &operator=(const StudioProcess &) = delete;

    QProcess &process() { return m_process; }

    void start(const QStringList &arguments);

    // `--headless --listen 127.0.0.1:0` plus `extraArguments` (e.g. --db PATH): started and
    // read up to "listening on 127.0.0.1:PORT". The port; 0 if it did not start or listen.
    quint16 startHeadless(const QStringList &extraArguments, int timeoutMs);

    // Runs to the end; false if it did not start or did not end within `timeoutMs` (each).
    bool run(const QStringList &arguments, int timeoutMs);

    // Reads stdout until the "listening on 127.0.0.1:PORT" line; the port, 0 if it never came.
    quint16 waitForListening(int timeoutMs);

    // Sends `signalNumber` and waits for the end; false if it did not end in time.
    bool stopWith(int signalNumber, int timeoutMs);

    // Everything the process wrote so far.
    QString out();
    QString err();

    // Exit code and status, stdout and stderr, for a failure message.
    QString describe();

    // HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_STATE_HOME and XDG_RUNTIME_DIR
    // inside `home`; DISPLAY, WAYLAND_DISPLAY, QT_QPA_PLATFORM, DBUS_SESSION_BUS_ADDRESS and
    // ACME_SECRET removed.
    static QProcessEnvironment isolatedEnvironment(const QString &home);

    // The program, its exit and the tails of `out` and `err`, for a failure message.
    static QString describeProcess(const QProcess &process, const QByteArray &out,
                                   const QByteArray &err);

private:
    void collect();

    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
};
