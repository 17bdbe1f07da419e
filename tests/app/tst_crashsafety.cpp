// Crash safety of the event log (architecture.md, "Threads": "a crash loses no answered event").
// The real dcs-studio binary serves /event under load from several pipelining keep-alive
// connections; after a few thousand answers it is killed with SIGKILL, in the middle of that load.
// Every call whose full answer (200 and the JSON body with its tid) had reached the client must
// then be in the event log, with its own signal and visitor, and the database must be intact.
#include <QEventLoop>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include "studioprocess.h"

#include <csignal>
#include <deque>
#include <memory>
#include <vector>

namespace {

constexpr int kStartTimeoutMs = 30000; // start-up, including the database migration
constexpr int kKillTimeoutMs = 10000;  // SIGKILL to the end of the process
constexpr int kLoadTimeoutMs = 60000;  // the load phase ends after this at the latest ...
constexpr int kAnswersBeforeKill = 3000; // ... or after this many acknowledged answers
constexpr int kConnections = 16;
constexpr int kPipelineDepth = 8; // requests in flight per connection

QString binary()
{
    return QStringLiteral(DCS_STUDIO_BINARY);
}

// An answer the client received in full: 200 with a JSON body carrying a tid.
struct Acknowledged
{
    QString tid;
    QString uuid;
    QString signal; // the value of c_n sent with the call
};

// Drives the load: every connection keeps up to kPipelineDepth GET /event calls in flight, each
// with its own c_n, and reads the answers in order (the listener answers pipelined requests in
// request order). An answer counts as acknowledged only once its head and whole body are in.
class LoadDriver
{
public:
    LoadDriver(quint16 port, int answersWanted)
        : m_port(port)
        , m_answersWanted(answersWanted)
    {
    }

    LoadDriver(const LoadDriver &) = delete;
    LoadDriver &operator=(const LoadDriver &) = delete;

    // Runs until `answersWanted` answers are acknowledged, every connection failed, or the
    // timeout. Returns with the requests of the moment still in flight, unanswered.
    void run(int timeoutMs)
    {
        QEventLoop loop;
        m_loop = &loop;
        QTimer timeout;
        timeout.setSingleShot(true);
        QObject::connect(&timeout, &QTimer::timeout, &loop, [this, &loop] {
            m_timedOut = true;
            loop.quit();
        });
        timeout.start(timeoutMs);
        for (int index = 0; index < kConnections; ++index)
            open(index);
        if (!isDone())
            loop.exec();
        m_loop = nullptr;
        // Nothing read from here on counts: stop reacting to the sockets.
        for (const std::unique_ptr<Connection> &connection : m_connections)
            connection->socket.disconnect();
    }

    const std::vector<Acknowledged> &acknowledged() const { return m_acknowledged; }
    int inFlight() const
    {
        int count = 0;
        for (const std::unique_ptr<Connection> &connection : m_connections)
            count += int(connection->sentSignals.size());
        return count;
    }
    int otherAnswers() const { return m_otherAnswers; }
    bool timedOut() const { return m_timedOut; }
    QStringList problems() const { return m_problems; }

private:
    struct Connection
    {
        int index = 0;
        QTcpSocket socket;
        QByteArray buffer;
        std::deque<QString> sentSignals; // c_n of each request not yet answered, in order
        int sent = 0;
        bool failed = false;
    };

    bool isDone() const
    {
        if (int(m_acknowledged.size()) >= m_answersWanted)
            return true;
        for (const std::unique_ptr<Connection> &connection : m_connections) {
            if (!connection->failed)
                return false;
        }
        return !m_connections.empty();
    }

    void stopIfDone()
    {
        if (m_loop && isDone())
            m_loop->quit();
    }

    void open(int index)
    {
        auto connection = std::make_unique<Connection>();
        connection->index = index;
        Connection *c = connection.get();
        m_connections.push_back(std::move(connection));
        QObject::connect(&c->socket, &QTcpSocket::connected, &c->socket, [this, c] { fill(*c); });
        QObject::connect(&c->socket, &QTcpSocket::readyRead, &c->socket, [this, c] { read(*c); });
        QObject::connect(&c->socket, &QTcpSocket::errorOccurred, &c->socket,
                         [this, c](QAbstractSocket::SocketError) {
                             fail(*c, QStringLiteral("socket error: %1")
                                          .arg(c->socket.errorString()));
                         });
        c->socket.connectToHost(QHostAddress::LocalHost, m_port);
    }

    void fail(Connection &connection, const QString &why)
    {
        if (connection.failed)
            return;
        connection.failed = true;
        m_problems.append(QStringLiteral("connection %1: %2").arg(connection.index).arg(why));
        connection.socket.abort();
        stopIfDone();
    }

    // Tops the connection up to kPipelineDepth requests in flight, in one write.
    void fill(Connection &connection)
    {
        if (connection.failed || isDone())
            return;
        QByteArray out;
        while (connection.sentSignals.size() < size_t(kPipelineDepth)) {
            const QString signal = QStringLiteral("k%1-%2").arg(connection.index)
                                       .arg(connection.sent++);
            connection.sentSignals.push_back(signal);
            out += QByteArrayLiteral("GET /event?d_rtbd=json&c_n=") + signal.toLatin1()
                   + QByteArrayLiteral(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        }
        if (!out.isEmpty())
            connection.socket.write(out);
    }

    void read(Connection &connection)
    {
        if (connection.failed)
            return;
        connection.buffer += connection.socket.readAll();
        static const QRegularExpression contentLength(
            QStringLiteral("\r\ncontent-length: *([0-9]+)"),
            QRegularExpression::CaseInsensitiveOption);
        for (;;) {
            if (isDone())
                break; // the rest is not acknowledged: the kill comes before it is read
            const qsizetype headEnd = connection.buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                break;
            const QByteArray head = connection.buffer.left(headEnd);
            const QRegularExpressionMatch match = contentLength.match(QString::fromLatin1(head));
            if (!match.hasMatch()) {
                fail(connection, QStringLiteral("answer without Content-Length: %1")
                                     .arg(QString::fromLatin1(head)));
                return;
            }
            const qsizetype length = match.captured(1).toLongLong();
            if (connection.buffer.size() < headEnd + 4 + length)
                break;
            const QByteArray body = connection.buffer.mid(headEnd + 4, length);
            connection.buffer.remove(0, headEnd + 4 + length);
            if (connection.sentSignals.empty()) {
                fail(connection, QStringLiteral("an answer nobody asked for"));
                return;
            }
            const QString signal = connection.sentSignals.front();
            connection.sentSignals.pop_front();
            answered(connection, head, body, signal);
            if (connection.failed)
                return;
        }
        fill(connection);
        stopIfDone();
    }

    void answered(Connection &connection, const QByteArray &head, const QByteArray &body,
                  const QString &signal)
    {
        if (!head.startsWith("HTTP/1.1 200 ")) {
            // 429 or 503 say "not taken": allowed, and not acknowledged.
            ++m_otherAnswers;
            if (m_problems.size() < 5)
                m_problems.append(QStringLiteral("connection %1: %2")
                                      .arg(connection.index)
                                      .arg(QString::fromLatin1(head.left(head.indexOf("\r\n")))));
            return;
        }
        QJsonParseError error;
        const QJsonObject json = QJsonDocument::fromJson(body, &error).object();
        const QString tid = json.value(QStringLiteral("tid")).toString();
        if (error.error != QJsonParseError::NoError || tid.size() != 12) {
            fail(connection, QStringLiteral("200 without a JSON body with a tid: %1")
                                 .arg(QString::fromUtf8(body)));
            return;
        }
        m_acknowledged.push_back(
            Acknowledged{tid, json.value(QStringLiteral("uuid")).toString(), signal});
    }

    const quint16 m_port;
    const int m_answersWanted;
    QEventLoop *m_loop = nullptr;
    std::vector<std::unique_ptr<Connection>> m_connections;
    std::vector<Acknowledged> m_acknowledged;
    int m_otherAnswers = 0;
    bool m_timedOut = false;
    QStringList m_problems;
};

} // namespace

class TestCrashSafety : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killedUnderLoadLosesNoAnsweredEvent();
};

void TestCrashSafety::initTestCase()
{
    QVERIFY2(QFileInfo(binary()).isExecutable(), qPrintable(binary()));
    QVERIFY(QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")));
}

void TestCrashSafety::killedUnderLoadLosesNoAnsweredEvent()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString database = home.filePath(QStringLiteral("crash.sqlite"));
    StudioProcess studio(binary(), home.path());
    const quint16 port = studio.startHeadless({QStringLiteral("--db"), database},
                                              kStartTimeoutMs);
    QVERIFY2(port != 0, qPrintable(studio.describe()));

    LoadDriver load(port, kAnswersBeforeKill);
    load.run(kLoadTimeoutMs);
    // The kill comes while the last calls are still being worked on: straight after the answer
    // that reached the count, before anything else is read.
    const int inFlightAtKill = load.inFlight();
    QVERIFY2(studio.process().state() == QProcess::Running, qPrintable(studio.describe()));
    QVERIFY2(studio.stopWith(SIGKILL, kKillTimeoutMs), qPrintable(studio.describe()));
    QCOMPARE(studio.process().exitStatus(), QProcess::CrashExit);

    const std::vector<Acknowledged> &acknowledged = load.acknowledged();
    qInfo("%d answers acknowledged, %d other answers, %d calls in flight at the kill%s",
          int(acknowledged.size()), load.otherAnswers(), inFlightAtKill,
          load.timedOut() ? " (load phase timed out)" : "");
    QVERIFY2(!acknowledged.empty(),
             qPrintable(load.problems().join(QLatin1Char('\n')) + studio.describe()));
    // A load phase that ended early (all connections lost) proves nothing: say why.
    QVERIFY2(load.timedOut() || int(acknowledged.size()) >= kAnswersBeforeKill,
             qPrintable(load.problems().join(QLatin1Char('\n'))));
    QVERIFY2(inFlightAtKill > 0, "the kill must come while calls are in flight");

    QHash<QString, const Acknowledged *> byTid;
    for (const Acknowledged &answer : acknowledged)
        byTid.insert(answer.tid, &answer);
    QCOMPARE(byTid.size(), qsizetype(acknowledged.size())); // 72 random bits: no two alike

    // Opening the database recovers the write-ahead log the killed writer left behind.
    const QString connection = QStringLiteral("tst_crashsafety-")
                               + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(database);
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery query(db);
        QVERIFY2(query.exec(QStringLiteral("PRAGMA integrity_check")),
                 qPrintable(query.lastError().text()));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("ok"));
        QVERIFY(!query.next());

        QVERIFY2(query.exec(QStringLiteral("SELECT tid, uuid, signals FROM events")),
                 qPrintable(query.lastError().text()));
        qsizetype stored = 0;
        QSet<QString> found;
        QStringList mismatches;
        while (query.next()) {
            ++stored;
            const QString tid = query.value(0).toString();
            const Acknowledged *answer = byTid.value(tid);
            if (!answer)
                continue; // committed, but its answer had not been read at the kill: fine
            found.insert(tid);
            const QJsonObject signalValues =
                QJsonDocument::fromJson(query.value(2).toString().toUtf8()).object();
            const QJsonArray signal = signalValues.value(QStringLiteral("c_n")).toArray();
            if (query.value(1).toString() != answer->uuid || signal.size() != 1
                || signal.at(0).toString() != answer->signal)
                mismatches.append(QStringLiteral("tid %1: stored %2 %3, answered %4 c_n=%5")
                                      .arg(tid, query.value(1).toString(),
                                           query.value(2).toString(), answer->uuid,
                                           answer->signal));
        }
        query.finish();

        QStringList lost;
        for (const Acknowledged &answer : acknowledged) {
            if (!found.contains(answer.tid))
                lost.append(QStringLiteral("%1 (c_n=%2)").arg(answer.tid, answer.signal));
        }
        qInfo("%lld events stored, %lld of them answered", qlonglong(stored),
              qlonglong(found.size()));
        QVERIFY2(lost.isEmpty(),
                 qPrintable(QStringLiteral("%1 of %2 answered events are not stored, e.g. %3")
                                .arg(lost.size())
                                .arg(acknowledged.size())
                                .arg(lost.mid(0, 10).join(QStringLiteral(", ")))));
        QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.mid(0, 10).join(QLatin1Char('\n'))));
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
