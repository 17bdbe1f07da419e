// PartnerConnectionPool against a real loopback partner: a QTcpServer scripted per test (answer,
// keep alive or not, close idle connections, never answer, drip, reset, huge answers). Pools live
// on the test thread unless the test says otherwise; waits are QTRY_* with generous timeouts, and
// time is asserted only as behaviour bounds (a timeout is not early; a queued call did wait).
#include "transfer/inflightgate.h"
#include "transfer/partnerconnectionpool.h"

#include <QCoreApplication>
#include <QHash>
#include <QPair>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

#include <sys/socket.h>

using namespace Dcs;
using Result = PartnerExchange::Result;

namespace {

constexpr int kWaitMs = 10'000;   // for QTRY_*: the machine may be heavily loaded
constexpr int kLongCallMs = 8000; // a call that must not time out during the test

QByteArray request(int n)
{
    return "GET /segments?n=" + QByteArray::number(n) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

QByteArray bodyFor(int n)
{
    return "{\"segments\":[\"" + QByteArray::number(n) + "\"]}";
}

QByteArray okAnswer(const QByteArray &body, const QByteArray &moreHeaders = {})
{
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
           + QByteArray::number(body.size()) + "\r\n" + moreHeaders + "\r\n" + body;
}

// A loopback partner. Each complete request goes to the test's script, which answers now,
// later, drip by drip, or not at all, or closes or resets the connection. The server counts
// connections, requests, and the requests it holds unanswered at once.
class ScriptedServer final : public QObject
{
public:
    // `onConnection`: 1 for a connection's first request; `overall`: 1 for the server's first.
    using Script = std::function<void(ScriptedServer &server, QTcpSocket *socket,
                                      int onConnection, int overall)>;

    explicit ScriptedServer(Script script) : m_script(std::move(script))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                adopt(socket);
        });
        m_server.listen(QHostAddress::LocalHost);
    }

    ~ScriptedServer() override
    {
        // The sockets go with m_server, after m_state: their last signals must not reach us.
        for (QTcpSocket *socket : m_server.findChildren<QTcpSocket *>())
            socket->disconnect(this);
    }

    PartnerTarget target() const
    {
        return PartnerTarget{QStringLiteral("127.0.0.1"), m_server.serverPort(), false};
    }
    int connections() const { return m_connections; }
    int requests() const { return m_requests; }
    int inFlight() const { return m_inFlight; }
    int maxInFlight() const { return m_maxInFlight; }

    void answer(QTcpSocket *socket, const QByteArray &bytes)
    {
        answered(socket);
        socket->write(bytes);
    }
    void answerLater(QTcpSocket *socket, int delayMs, const QByteArray &bytes)
    {
        QTimer::singleShot(delayMs, socket, [this, socket, bytes] { answer(socket, bytes); });
    }
    // One byte now, then one byte every `intervalMs`.
    void drip(QTcpSocket *socket, int intervalMs, const QByteArray &bytes)
    {
        answered(socket);
        auto *timer = new QTimer(socket);
        auto sent = std::make_shared<qsizetype>(0);
        const auto next = [socket, timer, sent, bytes] {
            if (*sent < bytes.size())
                socket->write(bytes.mid((*sent)++, 1));
            else
                timer->stop();
        };
        QObject::connect(timer, &QTimer::timeout, socket, next);
        next();
        timer->start(intervalMs);
    }
    // A TCP reset rather than an orderly close.
    void reset(QTcpSocket *socket)
    {
        const linger noLinger{1, 0};
        ::setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &noLinger,
                     sizeof noLinger);
        socket->abort();
    }

private:
    struct Connection
    {
        QByteArray buffer;
        int requests = 0;
        int unanswered = 0;
    };

    void adopt(QTcpSocket *socket)
    {
        ++m_connections;
        m_state.insert(socket, Connection{});
        QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
        QObject::connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_inFlight -= m_state.value(socket).unanswered;
            m_state.remove(socket);
            socket->deleteLater();
        });
    }

    void answered(QTcpSocket *socket)
    {
        auto it = m_state.find(socket);
        if (it != m_state.end() && it->unanswered > 0) {
            --it->unanswered;
            --m_inFlight;
        }
    }

    // Requests carry no body in these tests: a blank line ends each one.
    void read(QTcpSocket *socket)
    {
        auto it = m_state.find(socket);
        if (it == m_state.end())
            return;
        it->buffer += socket->readAll();
        qsizetype end;
        while ((end = it->buffer.indexOf("\r\n\r\n")) >= 0) {
            it->buffer.remove(0, end + 4);
            const int onConnection = ++it->requests;
            ++it->unanswered;
            m_maxInFlight = qMax(m_maxInFlight, ++m_inFlight);
            m_script(*this, socket, onConnection, ++m_requests);
            it = m_state.find(socket); // the script may have closed the socket
            if (it == m_state.end())
                return;
        }
    }

    Script m_script;
    QTcpServer m_server;
    QHash<QTcpSocket *, Connection> m_state;
    int m_connections = 0;
    int m_requests = 0;
    int m_inFlight = 0;
    int m_maxInFlight = 0;
};

void answerEveryRequest(ScriptedServer &server, QTcpSocket *socket, int, int overall)
{
    server.answer(socket, okAnswer(bodyFor(overall)));
}

// Queue <= connect <= sent <= first byte <= last byte where set; the first `reached` phases of
// that chain are set and the others are -1. No TLS here, and parsing is the caller's.
void checkTimings(const TransferTimings &t, int reached)
{
    const qint32 chain[] = {t.queueUs, t.connectUs, t.sentUs, t.firstByteUs, t.lastByteUs};
    const auto text = [&] {
        return QStringLiteral("queue %1 connect %2 sent %3 first %4 last %5")
            .arg(t.queueUs)
            .arg(t.connectUs)
            .arg(t.sentUs)
            .arg(t.firstByteUs)
            .arg(t.lastByteUs)
            .toUtf8();
    };
    for (int i = 0; i < 5; ++i) {
        if (i < reached)
            QVERIFY2(chain[i] >= 0, text().constData());
        else
            QVERIFY2(chain[i] == -1, text().constData());
        if (i > 0 && i < reached)
            QVERIFY2(chain[i - 1] <= chain[i], text().constData());
    }
    QCOMPARE(t.tlsUs, -1);
    QCOMPARE(t.parseUs, -1);
}

// A port nothing listens on: taken from a server that is closed at once.
quint16 deadPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

// Calls a pool of its own, created on its own thread, for the shared-gate test.
class ThreadCaller final : public QObject
{
public:
    ThreadCaller(PartnerTarget target, std::shared_ptr<InFlightGate> gate)
        : m_target(std::move(target)), m_gate(std::move(gate))
    {
    }

    // Runs on this object's thread.
    void start(int calls)
    {
        m_pool = new PartnerConnectionPool(m_target, m_gate, this);
        for (int i = 0; i < calls; ++i) {
            m_pool->call(request(i), steadyNowNs(), kLongCallMs, [this](PartnerExchange e) {
                if (QThread::currentThread() != thread())
                    ++wrongThread;
                if (e.result == Result::Answered && e.status == 200)
                    ++answered;
                else
                    ++failed;
            });
        }
    }

    std::atomic<int> answered{0};
    std::atomic<int> failed{0};
    std::atomic<int> wrongThread{0};

private:
    const PartnerTarget m_target;
    const std::shared_ptr<InFlightGate> m_gate;
    PartnerConnectionPool *m_pool = nullptr;
};

} // namespace

class tst_PartnerConnectionPool : public QObject
{
    Q_OBJECT

private:
    // Every call goes through here: the callback records its exchange under the call's index
    // and notes if it ran inside call(), which the pool promises never to do.
    void call(PartnerConnectionPool &pool, int index, int timeoutMs,
              qint64 startNs = steadyNowNs())
    {
        m_insideCall = true;
        pool.call(request(index), startNs, timeoutMs, [this, index](PartnerExchange exchange) {
            if (m_insideCall)
                ++m_reentrantCallbacks;
            if (m_exchanges.contains(index))
                ++m_doubleCallbacks;
            m_exchanges.insert(index, std::move(exchange));
        });
        m_insideCall = false;
    }

    bool m_insideCall = false;
    int m_reentrantCallbacks = 0;
    int m_doubleCallbacks = 0;
    QHash<int, PartnerExchange> m_exchanges;
    std::shared_ptr<InFlightGate> m_gate;

private Q_SLOTS:
    void init()
    {
        m_exchanges.clear();
        m_reentrantCallbacks = 0;
        m_doubleCallbacks = 0;
        m_gate = std::make_shared<InFlightGate>(64);
    }
    void cleanup()
    {
        QCOMPARE(m_reentrantCallbacks, 0);
        QCOMPARE(m_doubleCallbacks, 0);
    }

    void answersACall();
    void keepAliveReusesOneConnection();
    void connectionCloseIsNotReused();
    void toTheCloseAnswer();
    void idleConnectionClosedByThePartnerIsDropped();
    void deadReusedConnectionIsRetriedOnFreshOne();
    void retriedOnlyOnce();
    void refused();
    void neverAnswersTimesOut();
    void slowDripCompletes();
    void slowDripTimesOutWithBytesCounted();
    void resetIsANetworkError();
    void closedMidAnswer();
    void badAnswers_data();
    void badAnswers();
    void bytesAfterTheAnswerEndTheConnection();
    void unaskedBytesOnAnIdleConnectionEndIt();
    void gateBoundsConcurrency();
    void queuedCallTimesOutInTheQueue();
    void raisingTheGateWakesQueuedCalls();
    void callbacksNeverRunInsideCall();
    void destroyingThePoolGivesBackItsSlots();
    void socketsHaveNoDelay();
    void gateSharedByPoolsOnTwoThreads();
};

void tst_PartnerConnectionPool::answersACall()
{
    ScriptedServer server(answerEveryRequest);
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QCOMPARE(pool.openConnections(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);

    const PartnerExchange &e = m_exchanges.value(1);
    QCOMPARE(e.result, Result::Answered);
    QVERIFY2(e.reason.isEmpty(), qPrintable(e.reason));
    QCOMPARE(e.status, 200);
    QCOMPARE(e.contentType, QByteArray("application/json"));
    QCOMPARE(e.body, bodyFor(1));
    QVERIFY(e.head.startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(!e.reusedConnection);
    checkTimings(e.timings, 5);
    QCOMPARE(m_gate->inFlight(), 0);
    QCOMPARE(pool.idleConnections(), 1);
}

void tst_PartnerConnectionPool::keepAliveReusesOneConnection()
{
    ScriptedServer server(answerEveryRequest);
    PartnerConnectionPool pool(server.target(), m_gate);
    constexpr int kCalls = 6;
    for (int i = 1; i <= kCalls; ++i) {
        call(pool, i, kLongCallMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), i, kWaitMs);
        const PartnerExchange &e = m_exchanges.value(i);
        QCOMPARE(e.result, Result::Answered);
        QCOMPARE(e.body, bodyFor(i)); // each call gets its own answer, in step
        QCOMPARE(e.reusedConnection, i > 1);
        checkTimings(e.timings, 5);
        if (e.reusedConnection) // no connect phase on a kept-alive connection
            QCOMPARE(e.timings.connectUs, e.timings.queueUs);
    }
    QCOMPARE(server.connections(), 1);
    QCOMPARE(server.requests(), kCalls);
    QCOMPARE(pool.openConnections(), 1);
}

void tst_PartnerConnectionPool::connectionCloseIsNotReused()
{
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int overall) {
        s.answer(socket, okAnswer(bodyFor(overall), "Connection: close\r\n"));
        socket->disconnectFromHost();
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    for (int i = 1; i <= 3; ++i) {
        call(pool, i, kLongCallMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), i, kWaitMs);
        QCOMPARE(m_exchanges.value(i).result, Result::Answered);
        QCOMPARE(m_exchanges.value(i).body, bodyFor(i));
        QVERIFY(!m_exchanges.value(i).reusedConnection);
        QCOMPARE(pool.idleConnections(), 0);
    }
    QCOMPARE(server.connections(), 3);
}

void tst_PartnerConnectionPool::toTheCloseAnswer()
{
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int) {
        s.answer(socket, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n123,456");
        socket->disconnectFromHost();
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    const PartnerExchange &e = m_exchanges.value(1);
    QCOMPARE(e.result, Result::Answered);
    QCOMPARE(e.body, QByteArray("123,456"));
    QCOMPARE(e.contentType, QByteArray("text/plain"));
    checkTimings(e.timings, 5);
    QCOMPARE(pool.openConnections(), 0);
}

void tst_PartnerConnectionPool::idleConnectionClosedByThePartnerIsDropped()
{
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int overall) {
        s.answer(socket, okAnswer(bodyFor(overall)));
        QTimer::singleShot(50, socket, [socket] { socket->disconnectFromHost(); });
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    QCOMPARE(m_exchanges.value(1).result, Result::Answered);
    // The pool notices the close while the connection is idle and drops it...
    QTRY_COMPARE_WITH_TIMEOUT(pool.openConnections(), 0, kWaitMs);
    QCOMPARE(pool.idleConnections(), 0);
    // ...so the next call opens a fresh one.
    call(pool, 2, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 2, kWaitMs);
    QCOMPARE(m_exchanges.value(2).result, Result::Answered);
    QVERIFY(!m_exchanges.value(2).reusedConnection);
    QCOMPARE(server.connections(), 2);
}

// The race a partner closing idle connections causes: the request goes out on a connection the
// partner has just closed. The call is not lost: it is retried once on a fresh connection.
void tst_PartnerConnectionPool::deadReusedConnectionIsRetriedOnFreshOne()
{
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int onConnection,
                             int overall) {
        if (onConnection == 1)
            s.answer(socket, okAnswer(bodyFor(overall)));
        else
            socket->disconnectFromHost(); // closes instead of answering a reused connection
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    QCOMPARE(pool.idleConnections(), 1);

    call(pool, 2, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 2, kWaitMs);
    const PartnerExchange &e = m_exchanges.value(2);
    QCOMPARE(e.result, Result::Answered);
    QCOMPARE(e.body, bodyFor(3)); // the server's third request: the retry
    QVERIFY(!e.reusedConnection); // answered on the fresh connection
    // The dead connection's phases are not this answer's: connect comes before sent.
    checkTimings(e.timings, 5);
    QCOMPARE(server.connections(), 2);
    QCOMPARE(server.requests(), 3);
    QCOMPARE(m_gate->inFlight(), 0);
}

void tst_PartnerConnectionPool::retriedOnlyOnce()
{
    // Only the server's first request is ever answered.
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int overall) {
        if (overall == 1)
            s.answer(socket, okAnswer(bodyFor(overall)));
        else
            socket->disconnectFromHost();
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    call(pool, 2, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 2, kWaitMs);
    const PartnerExchange &e = m_exchanges.value(2);
    QCOMPARE(e.result, Result::NetworkError);
    QVERIFY2(e.reason.contains(QStringLiteral("closed by the partner")), qPrintable(e.reason));
    QCOMPARE(server.requests(), 3); // the reused attempt and one retry, no more
    QCOMPARE(server.connections(), 2);
    QCOMPARE(m_gate->inFlight(), 0);
    QCOMPARE(pool.openConnections(), 0);
}

void tst_PartnerConnectionPool::refused()
{
    PartnerConnectionPool pool(PartnerTarget{QStringLiteral("127.0.0.1"), deadPort(), false},
                               m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    const PartnerExchange &e = m_exchanges.value(1);
    QCOMPARE(e.result, Result::NetworkError);
    QCOMPARE(e.reason, QStringLiteral("connection refused"));
    QCOMPARE(e.status, 0);
    QVERIFY(e.body.isEmpty());
    checkTimings(e.timings, 1);
    QCOMPARE(m_gate->inFlight(), 0);
    QCOMPARE(pool.openConnections(), 0);
}

void tst_PartnerConnectionPool::neverAnswersTimesOut()
{
    // The first call opens the connection, so the second one is surely past connecting.
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int overall) {
        if (overall == 1)
            s.answer(socket, okAnswer(bodyFor(overall)));
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);

    constexpr int kTimeoutMs = 300;
    const qint64 startNs = steadyNowNs();
    call(pool, 2, kTimeoutMs, startNs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 2, kWaitMs);
    const qint64 elapsedMs = (steadyNowNs() - startNs) / 1'000'000;
    const PartnerExchange &e = m_exchanges.value(2);
    QCOMPARE(e.result, Result::TimedOut);
    QCOMPARE(e.reason, QStringLiteral("no answer within 300 ms"));
    // Not before its time; and not stuck long past it (a generous bound for a loaded machine).
    QVERIFY2(elapsedMs >= kTimeoutMs && elapsedMs < kTimeoutMs + kWaitMs,
             qPrintable(QString::number(elapsedMs)));
    checkTimings(e.timings, 3);
    QCOMPARE(m_gate->inFlight(), 0);
    QCOMPARE(pool.openConnections(), 0); // a timed-out connection is never reused
}

void tst_PartnerConnectionPool::slowDripCompletes()
{
    constexpr int kIntervalMs = 5;
    const QByteArray answer = okAnswer(bodyFor(1));
    ScriptedServer server([answer](ScriptedServer &s, QTcpSocket *socket, int, int) {
        s.drip(socket, kIntervalMs, answer);
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    const PartnerExchange &e = m_exchanges.value(1);
    QCOMPARE(e.result, Result::Answered);
    QCOMPARE(e.body, bodyFor(1));
    checkTimings(e.timings, 5);
    // The last byte cannot have come before the partner sent it (coarse timers may fire up to
    // 5 % early: hence 90 %).
    const qint64 dripUs = qint64(answer.size() - 1) * kIntervalMs * 1000;
    QVERIFY2(e.timings.lastByteUs >= dripUs * 9 / 10,
             qPrintable(QString::number(e.timings.lastByteUs)));
}

void tst_PartnerConnectionPool::slowDripTimesOutWithBytesCounted()
{
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int overall) {
        s.drip(socket, 200, okAnswer(bodyFor(overall))); // some 15 s for the whole answer
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, 1000);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    const PartnerExchange &e = m_exchanges.value(1);
    QCOMPARE(e.result, Result::TimedOut);
    QVERIFY2(e.reason.startsWith(QStringLiteral("answer incomplete after 1000 ms (")),
             qPrintable(e.reason));
    QVERIFY2(e.reason.endsWith(QStringLiteral(" bytes received)")), qPrintable(e.reason));
    checkTimings(e.timings, 4);
}

void tst_PartnerConnectionPool::resetIsANetworkError()
{
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int) {
        s.reset(socket);
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    const PartnerExchange &e = m_exchanges.value(1);
    QCOMPARE(e.result, Result::NetworkError);
    QVERIFY(!e.reason.isEmpty());
    checkTimings(e.timings, 3);
    QCOMPARE(server.connections(), 1); // a fresh connection's failure is not retried
    QCOMPARE(m_gate->inFlight(), 0);
}

void tst_PartnerConnectionPool::closedMidAnswer()
{
    const QByteArray half = okAnswer(bodyFor(1)).chopped(5);
    ScriptedServer server([half](ScriptedServer &s, QTcpSocket *socket, int, int) {
        s.answer(socket, half);
        socket->disconnectFromHost();
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    const PartnerExchange &e = m_exchanges.value(1);
    QCOMPARE(e.result, Result::NetworkError);
    QCOMPARE(e.reason, QStringLiteral("connection closed by the partner after %1 bytes of the "
                                      "answer")
                           .arg(half.size()));
    QCOMPARE(e.status, 200);
    checkTimings(e.timings, 4);
}

void tst_PartnerConnectionPool::badAnswers_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<bool>("closeAfter");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");

    QTest::newRow("not HTTP") << QByteArray("<html>hello</html>\r\n\r\n") << false << 0
                              << QStringLiteral("not an HTTP/1.x answer");
    QTest::newRow("huge by Content-Length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
                      + QByteArray(100000, 'x'))
        << false << 200 << QStringLiteral("answer over 65536 bytes (Content-Length 100000)");
    QTest::newRow("huge by chunks")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + QByteArray("8000\r\n" + QByteArray(0x8000, 'x') + "\r\n").repeated(3))
        << false << 200 << QStringLiteral("answer over 65536 bytes");
    // Stays open: the limit, not the close, must end it.
    QTest::newRow("huge to the close")
        << QByteArray("HTTP/1.1 200 OK\r\n\r\n" + QByteArray(70000, 'x')) << false << 200
        << QStringLiteral("answer over 65536 bytes");
    QTest::newRow("bad chunk size") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
                                                  "chunked\r\n\r\nzz\r\n")
                                    << false << 200 << QStringLiteral("bad chunk size");
}

void tst_PartnerConnectionPool::badAnswers()
{
    QFETCH(QByteArray, answer);
    QFETCH(bool, closeAfter);
    QFETCH(int, status);
    QFETCH(QString, reason);
    ScriptedServer server([answer, closeAfter](ScriptedServer &s, QTcpSocket *socket, int, int) {
        s.answer(socket, answer);
        if (closeAfter)
            socket->disconnectFromHost();
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    const PartnerExchange &e = m_exchanges.value(1);
    QCOMPARE(e.result, Result::BadAnswer);
    QVERIFY2(e.reason.contains(reason), qPrintable(e.reason));
    QCOMPARE(e.status, status);
    QVERIFY(e.body.isEmpty());
    checkTimings(e.timings, 4);
    QCOMPARE(pool.openConnections(), 0); // never reused after a bad answer
    QCOMPARE(m_gate->inFlight(), 0);
}

void tst_PartnerConnectionPool::bytesAfterTheAnswerEndTheConnection()
{
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int overall) {
        s.answer(socket, okAnswer(bodyFor(overall)) + "HTTP/1.1 200 OK\r\n");
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    QCOMPARE(m_exchanges.value(1).result, Result::Answered);
    QCOMPARE(m_exchanges.value(1).body, bodyFor(1));
    QTRY_COMPARE_WITH_TIMEOUT(pool.openConnections(), 0, kWaitMs);
    call(pool, 2, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 2, kWaitMs);
    QCOMPARE(m_exchanges.value(2).body, bodyFor(2));
    QVERIFY(!m_exchanges.value(2).reusedConnection);
    QCOMPARE(server.connections(), 2);
}

void tst_PartnerConnectionPool::unaskedBytesOnAnIdleConnectionEndIt()
{
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int overall) {
        s.answer(socket, okAnswer(bodyFor(overall)));
        QTimer::singleShot(50, socket, [socket] { socket->write("surprise"); });
    });
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    QCOMPARE(m_exchanges.value(1).result, Result::Answered);
    QTRY_COMPARE_WITH_TIMEOUT(pool.openConnections(), 0, kWaitMs);
}

// Max in flight 2, six calls at once to a slow partner: the partner never holds more than two,
// all six are answered, and the four that waited say so in their queue time.
void tst_PartnerConnectionPool::gateBoundsConcurrency()
{
    // The partner answers only once it holds two requests (then after kDelayMs): it sees two
    // at once however slowly the loaded machine delivers them, and a third never comes early.
    constexpr int kDelayMs = 100;
    auto held = std::make_shared<QList<QPair<QPointer<QTcpSocket>, int>>>();
    ScriptedServer server([held](ScriptedServer &s, QTcpSocket *socket, int, int overall) {
        held->append({socket, overall});
        if (held->size() < 2)
            return;
        for (const auto &[heldSocket, n] : std::as_const(*held)) {
            if (heldSocket)
                s.answerLater(heldSocket, kDelayMs, okAnswer(bodyFor(n)));
        }
        held->clear();
    });
    m_gate = std::make_shared<InFlightGate>(2);
    PartnerConnectionPool pool(server.target(), m_gate);
    for (int i = 1; i <= 6; ++i)
        call(pool, i, kLongCallMs);
    QCOMPARE(m_gate->inFlight(), 2);
    QCOMPARE(pool.queuedCalls(), 4);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 6, kWaitMs);

    QCOMPARE(server.maxInFlight(), 2);
    QVERIFY(server.connections() <= 2); // queued calls take freed connections
    for (int i = 1; i <= 6; ++i) {
        const PartnerExchange &e = m_exchanges.value(i);
        QCOMPARE(e.result, Result::Answered);
        checkTimings(e.timings, 5);
        // Calls 3 to 6 could not start before an answer, which takes the partner kDelayMs.
        if (i > 2) {
            QVERIFY2(e.timings.queueUs >= (kDelayMs - 10) * 1000,
                     qPrintable(QString::number(e.timings.queueUs)));
        }
    }
    QCOMPARE(m_gate->inFlight(), 0);
    QCOMPARE(pool.queuedCalls(), 0);
}

void tst_PartnerConnectionPool::queuedCallTimesOutInTheQueue()
{
    ScriptedServer server([](ScriptedServer &, QTcpSocket *, int, int) {}); // never answers
    m_gate = std::make_shared<InFlightGate>(1);
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs); // holds the only slot
    constexpr int kTimeoutMs = 300;
    const qint64 startNs = steadyNowNs();
    call(pool, 2, kTimeoutMs, startNs);
    QCOMPARE(pool.queuedCalls(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(m_exchanges.contains(2), kWaitMs);
    QVERIFY(!m_exchanges.contains(1));

    const PartnerExchange &e = m_exchanges.value(2);
    QCOMPARE(e.result, Result::TimedOut);
    QCOMPARE(e.reason, QStringLiteral("no free connection within 300 ms (1 calls in flight, "
                                      "the partner's maximum)"));
    QVERIFY2(e.timings.queueUs >= kTimeoutMs * 1000,
             qPrintable(QString::number(e.timings.queueUs)));
    checkTimings(e.timings, 1);
    QCOMPARE(pool.queuedCalls(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(server.requests(), 1, kWaitMs); // only the first reached it
    QCOMPARE(m_gate->inFlight(), 1);
}

// An admin raising max in flight lets waiting calls go at once, not at their timeout.
void tst_PartnerConnectionPool::raisingTheGateWakesQueuedCalls()
{
    ScriptedServer server([](ScriptedServer &, QTcpSocket *, int, int) {}); // never answers
    m_gate = std::make_shared<InFlightGate>(1);
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    call(pool, 2, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(server.requests(), 1, kWaitMs);
    QCOMPARE(pool.queuedCalls(), 1);
    m_gate->setMaxInFlight(2);
    QTRY_COMPARE_WITH_TIMEOUT(server.requests(), 2, kWaitMs / 2);
    QVERIFY(m_exchanges.isEmpty()); // both still waiting for their answers: nothing timed out
    QCOMPARE(m_gate->inFlight(), 2);
}

// The paths where the pool could be tempted to answer at once: a refused or unknown host, a call
// already past its deadline (with a free slot and with a full gate), a reused connection.
// cleanup() checks that no callback ran inside call().
void tst_PartnerConnectionPool::callbacksNeverRunInsideCall()
{
    ScriptedServer server(answerEveryRequest);
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    call(pool, 2, kLongCallMs); // on the kept-alive connection: sent at once
    QVERIFY(!m_exchanges.contains(2));
    const qint64 longAgo = steadyNowNs() - qint64(60'000) * 1'000'000;
    call(pool, 3, 10, longAgo); // already expired, a slot is free
    QVERIFY(!m_exchanges.contains(3));
    call(pool, 4, 0);
    QVERIFY(!m_exchanges.contains(4));

    PartnerConnectionPool refusing(PartnerTarget{QStringLiteral("127.0.0.1"), deadPort(), false},
                                   m_gate);
    call(refusing, 5, kLongCallMs);
    PartnerConnectionPool nowhere(PartnerTarget{QStringLiteral("nowhere.invalid"), 80, false},
                                  m_gate);
    call(nowhere, 6, 2000);
    QVERIFY(!m_exchanges.contains(5) && !m_exchanges.contains(6));

    auto full = std::make_shared<InFlightGate>(1);
    PartnerConnectionPool saturated(PartnerTarget{QStringLiteral("127.0.0.1"), deadPort(), false},
                                    full);
    QVERIFY(full->tryAcquire()); // someone else holds the only slot
    call(saturated, 7, 10, longAgo);
    QVERIFY(!m_exchanges.contains(7));

    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 7, kWaitMs);
    QCOMPARE(m_exchanges.value(2).result, Result::Answered);
    QVERIFY(m_exchanges.value(2).reusedConnection);
    QCOMPARE(m_exchanges.value(3).result, Result::TimedOut);
    QCOMPARE(m_exchanges.value(5).result, Result::NetworkError);
    const PartnerExchange &unknown = m_exchanges.value(6);
    QVERIFY2(unknown.result == Result::TimedOut
                 || (unknown.result == Result::NetworkError
                     && unknown.reason == QStringLiteral("host not found (DNS)")),
             qPrintable(unknown.reason));
    QCOMPARE(m_exchanges.value(7).result, Result::TimedOut);
    QVERIFY(m_exchanges.value(7).reason.startsWith(QStringLiteral("no free connection")));
    full->release();
}

// A pool going away with its thread gives back the slots of its running calls.
void tst_PartnerConnectionPool::destroyingThePoolGivesBackItsSlots()
{
    ScriptedServer server([](ScriptedServer &, QTcpSocket *, int, int) {}); // never answers
    {
        PartnerConnectionPool pool(server.target(), m_gate);
        call(pool, 1, kLongCallMs);
        call(pool, 2, kLongCallMs);
        QTRY_COMPARE_WITH_TIMEOUT(server.requests(), 2, kWaitMs);
        QCOMPARE(m_gate->inFlight(), 2);
    }
    QCOMPARE(m_gate->inFlight(), 0);
    QCoreApplication::processEvents(); // nothing posted by the pool runs after it is gone
    QVERIFY(m_exchanges.isEmpty());
}

// Requests are small writes: Nagle's algorithm must be off on every partner connection.
void tst_PartnerConnectionPool::socketsHaveNoDelay()
{
    ScriptedServer server(answerEveryRequest);
    PartnerConnectionPool pool(server.target(), m_gate);
    call(pool, 1, kLongCallMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_exchanges.size(), 1, kWaitMs);
    const QList<QAbstractSocket *> sockets = pool.findChildren<QAbstractSocket *>();
    QCOMPARE(sockets.size(), 1);
    QCOMPARE(sockets.first()->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(sockets.first()->socketOption(QAbstractSocket::LowDelayOption).toInt(), 1);
}

// One gate, two pools on two threads: the partner never holds more calls than the gate allows.
void tst_PartnerConnectionPool::gateSharedByPoolsOnTwoThreads()
{
    ScriptedServer server([](ScriptedServer &s, QTcpSocket *socket, int, int overall) {
        s.answerLater(socket, 100, okAnswer(bodyFor(overall)));
    });
    m_gate = std::make_shared<InFlightGate>(2);
    constexpr int kCallsPerThread = 5;
    QList<QThread *> threads;
    QList<ThreadCaller *> callers;
    for (int t = 0; t < 2; ++t) {
        auto *thread = new QThread;
        auto *caller = new ThreadCaller(server.target(), m_gate);
        caller->moveToThread(thread);
        thread->start();
        threads.append(thread);
        callers.append(caller);
    }
    for (ThreadCaller *caller : std::as_const(callers))
        QMetaObject::invokeMethod(caller, [caller] { caller->start(kCallsPerThread); });

    QTRY_VERIFY_WITH_TIMEOUT(callers[0]->answered + callers[0]->failed == kCallsPerThread
                                 && callers[1]->answered + callers[1]->failed == kCallsPerThread,
                             kWaitMs);
    for (ThreadCaller *caller : std::as_const(callers)) {
        QCOMPARE(caller->answered.load(), kCallsPerThread);
        QCOMPARE(caller->wrongThread.load(), 0);
    }
    QVERIFY2(server.maxInFlight() <= 2, qPrintable(QString::number(server.maxInFlight())));
    QCOMPARE(server.requests(), 2 * kCallsPerThread);
    QCOMPARE(m_gate->inFlight(), 0);

    for (int t = 0; t < 2; ++t) {
        ThreadCaller *caller = callers[t];
        QMetaObject::invokeMethod(caller, [caller] { delete caller; },
                                  Qt::BlockingQueuedConnection);
        threads[t]->quit();
        QVERIFY(threads[t]->wait(kWaitMs));
        delete threads[t];
    }
}

QTEST_GUILESS_MAIN(tst_PartnerConnectionPool)
#include "tst_partnerconnectionpool.moc"
