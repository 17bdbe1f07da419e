#include "dcs/dcslistener.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#endif

using Dcs::DcsListener;

namespace {

struct Response
{
    int status = 0;
    QByteArray head; // status line and headers, without the final CRLF CRLF
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

// A raw HTTP client on a real loopback socket: sends bytes exactly as given and splits what
// comes back into responses (a HEAD answer has no body, so the test says which ones are).
class Client
{
public:
    explicit Client(quint16 port) { m_socket.connectToHost(QHostAddress::LocalHost, port); }

    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    void expectHeadAnswerAt(int index) { m_headAnswers.insert(index); }

    // Reads what has arrived; returns how many complete responses came so far.
    int responseCount()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                break;
            Response response;
            response.head = m_buffer.left(headEnd);
            const QList<QByteArray> lines = response.head.split('\n');
            response.status = lines.constFirst().mid(9, 3).toInt();
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines.at(i).trimmed();
                const qsizetype colon = line.indexOf(':');
                response.headers.insert(line.left(colon).toLower(), line.mid(colon + 1).trimmed());
            }
            const bool head = m_headAnswers.contains(int(m_responses.size()));
            const qsizetype length = head ? 0 : response.headers.value("content-length").toInt();
            if (m_buffer.size() < headEnd + 4 + length)
                break;
            response.body = m_buffer.mid(headEnd + 4, length);
            m_buffer.remove(0, headEnd + 4 + length);
            m_responses.append(response);
        }
        return int(m_responses.size());
    }

    const Response &response(int index) const { return m_responses.at(index); }
    QByteArray unparsed() const { return m_buffer; }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    bool isClosed() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    void abort() { m_socket.abort(); }
    // Ends the connection with a reset (RST) instead of FIN, as a crashed client would.
    void reset()
    {
        const linger hard{1, 0};
        ::setsockopt(static_cast<int>(m_socket.socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard,
                     sizeof(hard));
        m_socket.abort();
    }
    // Qt takes at most `bytes` at a time from the kernel: a client that reads in small steps.
    void readSlowly(qint64 bytes)
    {
        m_socket.setReadBufferSize(bytes);
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket,
                         [this] { m_buffer += m_socket.readAll(); });
    }
    qint64 bytesToSend() const { return m_socket.bytesToWrite(); }
    // Sends FIN but keeps reading, like "nc -N" after its input ends.
    bool shutdownWrite()
    {
#if defined(Q_OS_UNIX)
        m_socket.flush();
        const auto descriptor = static_cast<int>(m_socket.socketDescriptor());
        return m_socket.bytesToWrite() == 0 && ::shutdown(descriptor, SHUT_WR) == 0;
#else
        return false;
#endif
    }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QList<Response> m_responses;
    QSet<int> m_headAnswers;
};

QByteArray request(const QByteArray &method, const QByteArray &target,
                   const QByteArray &extra = {})
{
    return method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

constexpr int kTimeoutMs = 5000;

// `count` pipelined requests; every `missingEvery`-th (from the first) asks for a path that is
// not there. pipelinedStatus() is the answer each one must get.
QByteArray pipelinedRequests(int count, int missingEvery)
{
    QByteArray all;
    for (int i = 0; i < count; ++i)
        all += request("GET", i % missingEvery == 0 ? "/missing" : "/healthz");
    return all;
}

int pipelinedStatus(int index, int missingEvery)
{
    return index % missingEvery == 0 ? 404 : 200;
}

} // namespace

class tst_DcsListener final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void routes_data();
    void routes();
    void deterministicHeaders();
    void keepAliveTwoRequests();
    void pipelinedAnsweredInOrder();
    void manyPipelinedRequests();
    void slowReaderGetsEveryAnswer();
    void clientResetMidStream();
    void http10Closes();
    void http10KeepAlive();
    void connectionCloseHonoured();
    void halfClosedClientIsAnswered();
    void rejectedRequestsClose_data();
    void rejectedRequestsClose();
    void idleTimeoutCloses();
    void idleTimeoutClosesSilentConnection();
    void activityKeepsConnectionOpen();
    void slowRequestTimesOut();
    void tricklingRequestTimesOut();
    void connectionCap();
    void busyPortFails();
    void closeDropsEverything();
    void parseListenAddress_data();
    void parseListenAddress();

private:
    // Starts `listener` on 127.0.0.1 with a free port.
    static bool start(DcsListener &listener, const DcsListener::Limits &limits = {});
};

bool tst_DcsListener::start(DcsListener &listener, const DcsListener::Limits &limits)
{
    listener.setLimits(limits);
    return listener.listen(QHostAddress::LocalHost, 0) && listener.port() != 0;
}

void tst_DcsListener::routes_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("head");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("contentLength");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("allow");

    const QByteArray notFound = "{\"error\":\"not found\"}";
    const QByteArray notAllowed = "{\"error\":\"method not allowed\"}";
    const QByteArray json = "application/json";
    QTest::newRow("GET /healthz") << request("GET", "/healthz") << false << 200
                                  << QByteArray("text/plain") << QByteArray("3")
                                  << QByteArray("ok\n") << QByteArray();
    QTest::newRow("GET /healthz with query") << request("GET", "/healthz?verbose=1") << false
                                             << 200 << QByteArray("text/plain") << QByteArray("3")
                                             << QByteArray("ok\n") << QByteArray();
    QTest::newRow("HEAD /healthz") << request("HEAD", "/healthz") << true << 200
                                   << QByteArray("text/plain") << QByteArray("3") << QByteArray()
                                   << QByteArray();
    QTest::newRow("GET /") << request("GET", "/") << false << 404 << json
                           << QByteArray::number(notFound.size()) << notFound << QByteArray();
    QTest::newRow("GET /healthz/") << request("GET", "/healthz/") << false << 404 << json
                                   << QByteArray::number(notFound.size()) << notFound
                                   << QByteArray();
    QTest::newRow("GET /HEALTHZ") << request("GET", "/HEALTHZ") << false << 404 << json
                                  << QByteArray::number(notFound.size()) << notFound
                                  << QByteArray();
    QTest::newRow("HEAD /missing") << request("HEAD", "/missing") << true << 404 << json
                                   << QByteArray::number(notFound.size()) << QByteArray()
                                   << QByteArray();
    QTest::newRow("POST /healthz")
        << QByteArray(request("POST", "/healthz", "Content-Length: 2\r\n") + "{}") << false
        << 405 << json << QByteArray::number(notAllowed.size()) << notAllowed
        << QByteArray("GET, HEAD");
    QTest::newRow("DELETE /healthz") << request("DELETE", "/healthz") << false << 405 << json
                                     << QByteArray::number(notAllowed.size()) << notAllowed
                                     << QByteArray("GET, HEAD");
    QTest::newRow("absolute-form") << request("GET", "http://127.0.0.1/healthz") << false << 200
                                   << QByteArray("text/plain") << QByteArray("3")
                                   << QByteArray("ok\n") << QByteArray();
}

void tst_DcsListener::routes()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, head);
    QFETCH(int, status);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, contentLength);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, allow);

    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    if (head)
        client.expectHeadAnswerAt(0);
    client.send(request);
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 1, kTimeoutMs);
    const Response &response = client.response(0);
    QCOMPARE(response.status, status);
    QCOMPARE(response.headers.value("content-type"), contentType);
    QCOMPARE(response.headers.value("content-length"), contentLength);
    QCOMPARE(response.headers.value("server"), QByteArray("dcs-studio"));
    QCOMPARE(response.headers.value("connection"), QByteArray("keep-alive"));
    QCOMPARE(response.headers.value("allow"), allow);
    QVERIFY(!response.headers.contains("date"));
    QCOMPARE(response.body, body);
    QVERIFY(client.unparsed().isEmpty()); // nothing after the answer: a HEAD has no body
    QVERIFY(client.isConnected());
    QCOMPARE(listener.openConnections(), 1);
}

void tst_DcsListener::deterministicHeaders()
{
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    client.send(request("GET", "/healthz") + request("GET", "/healthz"));
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 2, kTimeoutMs);
    const QByteArray expected = "HTTP/1.1 200 OK\r\nServer: dcs-studio\r\n"
                                "Content-Type: text/plain\r\nContent-Length: 3\r\n"
                                "Connection: keep-alive";
    QCOMPARE(client.response(0).head, expected);
    QCOMPARE(client.response(1).head, expected);
}

void tst_DcsListener::keepAliveTwoRequests()
{
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    client.send(request("GET", "/healthz"));
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 1, kTimeoutMs);
    QVERIFY(client.isConnected());
    client.send(request("GET", "/other"));
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 2, kTimeoutMs);
    QCOMPARE(client.response(0).status, 200);
    QCOMPARE(client.response(1).status, 404);
    QVERIFY(client.isConnected());
    QCOMPARE(listener.openConnections(), 1);
}

void tst_DcsListener::pipelinedAnsweredInOrder()
{
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    client.expectHeadAnswerAt(2);
    client.send(request("GET", "/healthz") + request("GET", "/missing")
                + request("HEAD", "/healthz")
                + request("POST", "/healthz", "Content-Length: 3\r\n") + "abc"
                + request("GET", "/healthz?last"));
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 5, kTimeoutMs);
    const QList<int> statuses = {200, 404, 200, 405, 200};
    for (int i = 0; i < statuses.size(); ++i)
        QCOMPARE(client.response(i).status, statuses.at(i));
    QCOMPARE(client.response(0).body, QByteArray("ok\n"));
    QCOMPARE(client.response(2).body, QByteArray());
    QCOMPARE(client.response(4).body, QByteArray("ok\n"));
    QVERIFY(client.unparsed().isEmpty());
    QVERIFY(client.isConnected());
}

// More answers than the listener lets wait unsent: it holds the rest back and resumes.
void tst_DcsListener::manyPipelinedRequests()
{
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    constexpr int count = 2000;
    client.send(pipelinedRequests(count, 3));
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), count, 20000);
    for (int i = 0; i < count; ++i)
        QCOMPARE(client.response(i).status, pipelinedStatus(i, 3));
    QVERIFY(client.isConnected());
}

// Thousands of pipelined answers to a client that reads them in small steps: none is lost or
// reordered. (Sends the kernel does not take at once are tested on SocketChannel itself, where
// the buffer sizes can be pinned.)
void tst_DcsListener::slowReaderGetsEveryAnswer()
{
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), kTimeoutMs);
    client.readSlowly(4096);
    constexpr int count = 20000;
    client.send(pipelinedRequests(count, 2));
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), count, 60000);
    for (int i = 0; i < count; ++i)
        QCOMPARE(client.response(i).status, pipelinedStatus(i, 2));
    QVERIFY(client.unparsed().isEmpty());
    QVERIFY(client.isConnected());
    QCOMPARE(listener.openConnections(), 1);
}

// A client that resets its connection while answers are still owed and queued: the listener
// drops the connection and goes on serving others.
void tst_DcsListener::clientResetMidStream()
{
#if !defined(Q_OS_UNIX)
    QSKIP("needs SO_LINGER");
#endif
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), kTimeoutMs);
    client.readSlowly(1024);
    client.send(pipelinedRequests(5000, 2));
    QTRY_VERIFY_WITH_TIMEOUT(client.responseCount() > 0 && client.bytesToSend() == 0, kTimeoutMs);
    client.reset();
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 0, kTimeoutMs);

    Client next(listener.port());
    next.send(request("GET", "/healthz"));
    QTRY_COMPARE_WITH_TIMEOUT(next.responseCount(), 1, kTimeoutMs);
    QCOMPARE(next.response(0).status, 200);
}

void tst_DcsListener::http10Closes()
{
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    client.send("GET /healthz HTTP/1.0\r\n\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 1, kTimeoutMs);
    QCOMPARE(client.response(0).status, 200);
    QCOMPARE(client.response(0).body, QByteArray("ok\n"));
    QCOMPARE(client.response(0).headers.value("connection"), QByteArray("close"));
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 0, kTimeoutMs);
}

void tst_DcsListener::http10KeepAlive()
{
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    client.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 1, kTimeoutMs);
    QCOMPARE(client.response(0).headers.value("connection"), QByteArray("keep-alive"));
    client.send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 2, kTimeoutMs);
    QCOMPARE(client.response(1).status, 404);
    QVERIFY(client.isConnected());
}

void tst_DcsListener::connectionCloseHonoured()
{
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    // The request after the one that says close must not be answered.
    client.send(request("GET", "/healthz", "Connection: close\r\n") + request("GET", "/healthz"));
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), kTimeoutMs);
    QCOMPARE(client.responseCount(), 1);
    QCOMPARE(client.response(0).status, 200);
    QCOMPARE(client.response(0).headers.value("connection"), QByteArray("close"));
    QVERIFY(client.unparsed().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 0, kTimeoutMs);
}

// The client sends its requests and then the end of its stream: every request is answered
// before the listener closes.
void tst_DcsListener::halfClosedClientIsAnswered()
{
#if !defined(Q_OS_UNIX)
    QSKIP("needs shutdown(2)");
#endif
    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), kTimeoutMs);
    client.send(request("GET", "/healthz") + request("GET", "/missing")
                + request("GET", "/healthz"));
    QVERIFY(client.shutdownWrite());
    QTRY_VERIFY_WITH_TIMEOUT(client.responseCount() == 3 || client.isClosed(), kTimeoutMs);
    QCOMPARE(client.responseCount(), 3);
    QCOMPARE(client.response(1).status, 404);
    QCOMPARE(client.response(2).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 0, kTimeoutMs);
}

void tst_DcsListener::rejectedRequestsClose_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");

    QTest::newRow("9 KiB header -> 431")
        << QByteArray(request("GET", "/healthz", "X-Big: " + QByteArray(9 * 1024, 'a') + "\r\n"))
        << 431;
    QTest::newRow("9 KiB request line -> 414")
        << request("GET", "/healthz?" + QByteArray(9 * 1024, 'q')) << 414;
    // The whole body is sent although the answer comes first: the client must still read it.
    QTest::newRow("64 KiB body -> 413")
        << QByteArray(request("POST", "/healthz", "Content-Length: 65536\r\n")
                      + QByteArray(65536, 'b'))
        << 413;
    // A TLS ClientHello: no line end to wait for, refused at the first byte.
    QTest::newRow("TLS on the plain port -> 400")
        << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << 400;
    QTest::newRow("garbage line -> 400") << QByteArray("HELLO\r\n\r\n") << 400;
    QTest::newRow("bare LF -> 400") << QByteArray("GET /healthz HTTP/1.1\nHost: a\n\n") << 400;
    QTest::newRow("chunked -> 411")
        << request("POST", "/healthz", "Transfer-Encoding: chunked\r\n") << 411;
    QTest::newRow("HTTP/2.0 -> 505") << QByteArray("GET /healthz HTTP/2.0\r\n\r\n") << 505;
}

void tst_DcsListener::rejectedRequestsClose()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);

    DcsListener listener;
    QVERIFY(start(listener));
    Client client(listener.port());
    // A valid request first: the error must not disturb answers already due.
    client.send(request("GET", "/healthz") + bytes);
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 2, kTimeoutMs);
    QCOMPARE(client.response(0).status, 200);
    QCOMPARE(client.response(1).status, status);
    QCOMPARE(client.response(1).headers.value("connection"), QByteArray("close"));
    QCOMPARE(client.response(1).headers.value("content-type"), QByteArray("application/json"));
    QVERIFY(client.response(1).body.startsWith("{\"error\":\""));
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), kTimeoutMs);
    QVERIFY(client.unparsed().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 0, kTimeoutMs);
}

void tst_DcsListener::idleTimeoutCloses()
{
    DcsListener listener;
    DcsListener::Limits limits;
    limits.idleTimeoutMs = 200;
    QVERIFY(start(listener, limits));
    Client client(listener.port());
    client.send(request("GET", "/healthz"));
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 1, kTimeoutMs);
    QElapsedTimer sinceAnswer;
    sinceAnswer.start();
    QVERIFY(client.isConnected());
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), kTimeoutMs);
    QVERIFY2(sinceAnswer.elapsed() >= 150, QByteArray::number(sinceAnswer.elapsed()).constData());
    QCOMPARE(client.responseCount(), 1); // closed silently, no 408 to an idle connection
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 0, kTimeoutMs);
}

void tst_DcsListener::idleTimeoutClosesSilentConnection()
{
    DcsListener listener;
    DcsListener::Limits limits;
    limits.idleTimeoutMs = 200;
    QVERIFY(start(listener, limits));
    Client client(listener.port());
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 1, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), kTimeoutMs);
    QCOMPARE(client.responseCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 0, kTimeoutMs);
}

// Requests every 100 ms for twice the idle timeout: each one restarts it.
void tst_DcsListener::activityKeepsConnectionOpen()
{
    DcsListener listener;
    DcsListener::Limits limits;
    limits.idleTimeoutMs = 500;
    QVERIFY(start(listener, limits));
    Client client(listener.port());
    constexpr int count = 10;
    int sent = 0;
    QTimer ticker;
    ticker.setInterval(100);
    QObject::connect(&ticker, &QTimer::timeout, &ticker, [&] {
        if (sent < count && client.isConnected()) {
            client.send(request("GET", "/healthz"));
            ++sent;
        }
    });
    QElapsedTimer elapsed;
    elapsed.start();
    ticker.start();
    QTRY_VERIFY_WITH_TIMEOUT(client.responseCount() == count || client.isClosed(), kTimeoutMs);
    ticker.stop();
    QVERIFY(elapsed.elapsed() > limits.idleTimeoutMs + 300);
    QCOMPARE(client.responseCount(), count);
    QVERIFY(client.isConnected());
}

void tst_DcsListener::slowRequestTimesOut()
{
    DcsListener listener;
    DcsListener::Limits limits;
    limits.requestTimeoutMs = 300;
    QVERIFY(start(listener, limits));
    Client client(listener.port());
    QElapsedTimer elapsed;
    elapsed.start();
    client.send("GET /healthz HTTP/1.1\r\nHo");
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), kTimeoutMs);
    QVERIFY2(elapsed.elapsed() >= 240, QByteArray::number(elapsed.elapsed()).constData());
    QCOMPARE(client.responseCount(), 1);
    QCOMPARE(client.response(0).status, 408);
    QCOMPARE(client.response(0).headers.value("connection"), QByteArray("close"));
}

// A slow-loris client that keeps sending header bytes: the request timeout counts from the
// first byte, so steady trickling does not keep the connection (the idle timeout is long).
void tst_DcsListener::tricklingRequestTimesOut()
{
    DcsListener listener;
    DcsListener::Limits limits;
    limits.requestTimeoutMs = 400;
    limits.idleTimeoutMs = 60000;
    QVERIFY(start(listener, limits));
    Client client(listener.port());
    client.send("GET /healthz HTTP/1.1\r\nHost: a\r\n");
    int trickles = 0;
    QTimer ticker;
    ticker.setInterval(50);
    QObject::connect(&ticker, &QTimer::timeout, &ticker, [&] {
        if (client.isConnected()) {
            client.send("X-Slow: 1\r\n");
            ++trickles;
        }
    });
    QElapsedTimer elapsed;
    elapsed.start();
    ticker.start();
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), kTimeoutMs);
    ticker.stop();
    QVERIFY2(elapsed.elapsed() >= 320, QByteArray::number(elapsed.elapsed()).constData());
    QVERIFY2(trickles >= 4, QByteArray::number(trickles).constData());
    QCOMPARE(client.responseCount(), 1);
    QCOMPARE(client.response(0).status, 408);
}

void tst_DcsListener::connectionCap()
{
    DcsListener listener;
    DcsListener::Limits limits;
    limits.maxConnections = 2;
    QVERIFY(start(listener, limits));
    Client first(listener.port());
    Client second(listener.port());
    first.send(request("GET", "/healthz"));
    second.send(request("GET", "/healthz"));
    QTRY_COMPARE_WITH_TIMEOUT(first.responseCount(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(second.responseCount(), 1, kTimeoutMs);
    QCOMPARE(listener.openConnections(), 2);

    Client third(listener.port());
    third.send(request("GET", "/healthz"));
    QTRY_VERIFY_WITH_TIMEOUT(third.isClosed(), kTimeoutMs);
    QCOMPARE(third.responseCount(), 0);
    QCOMPARE(listener.openConnections(), 2);

    // The accepted ones still work, and a freed slot is usable again.
    first.send(request("GET", "/healthz"));
    QTRY_COMPARE_WITH_TIMEOUT(first.responseCount(), 2, kTimeoutMs);
    second.abort();
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 1, kTimeoutMs);
    Client fourth(listener.port());
    fourth.send(request("GET", "/healthz"));
    QTRY_COMPARE_WITH_TIMEOUT(fourth.responseCount(), 1, kTimeoutMs);
    QCOMPARE(fourth.response(0).status, 200);
    QCOMPARE(listener.openConnections(), 2);
}

void tst_DcsListener::busyPortFails()
{
    DcsListener first;
    QVERIFY(start(first));
    DcsListener second;
    QSignalSpy stateSpy(&second, &DcsListener::stateChanged);
    QVERIFY(!second.listen(QHostAddress::LocalHost, first.port()));
    QVERIFY(!second.isListening());
    QCOMPARE(second.port(), quint16(0));
    QCOMPARE(stateSpy.count(), 0);
    const QString error = second.errorString();
    QVERIFY2(error.contains(QString::number(first.port())), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("127.0.0.1")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("in use"), Qt::CaseInsensitive), qPrintable(error));

    // And once the port is free, the same object listens and the error is gone.
    const quint16 port = first.port();
    first.close();
    QVERIFY2(second.listen(QHostAddress::LocalHost, port), qPrintable(second.errorString()));
    QVERIFY(second.errorString().isEmpty());
    QCOMPARE(second.port(), port);
    QCOMPARE(stateSpy.count(), 1);
}

void tst_DcsListener::closeDropsEverything()
{
    DcsListener listener;
    QSignalSpy stateSpy(&listener, &DcsListener::stateChanged);
    QVERIFY(start(listener));
    QCOMPARE(stateSpy.count(), 1);
    QVERIFY(listener.isListening());
    QCOMPARE(listener.address(), QHostAddress(QHostAddress::LocalHost));
    const quint16 port = listener.port();

    Client client(port);
    client.send(request("GET", "/healthz"));
    QTRY_COMPARE_WITH_TIMEOUT(client.responseCount(), 1, kTimeoutMs);
    QCOMPARE(listener.openConnections(), 1);

    listener.close();
    QCOMPARE(stateSpy.count(), 2);
    QVERIFY(!listener.isListening());
    QCOMPARE(listener.port(), quint16(0));
    QCOMPARE(listener.openConnections(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), kTimeoutMs);

    Client late(port);
    QTRY_VERIFY_WITH_TIMEOUT(late.isClosed(), kTimeoutMs); // refused
    QCOMPARE(late.responseCount(), 0);
    listener.close(); // closing twice is harmless and says nothing
    QCOMPARE(stateSpy.count(), 2);
}

void tst_DcsListener::parseListenAddress_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("errorMentions");

    const auto good = [](const char *name, const char *text, const char *address, int port) {
        QTest::newRow(name) << QString::fromLatin1(text) << true << QString::fromLatin1(address)
                            << port << QString();
    };
    const auto bad = [](const char *name, const char *text, const char *mentions) {
        QTest::newRow(name) << QString::fromLatin1(text) << false << QString() << 0
                            << QString::fromLatin1(mentions);
    };
    good("IPv4 loopback", "127.0.0.1:8480", "127.0.0.1", 8480);
    good("IPv6 loopback, any port", "[::1]:0", "::1", 0);
    good("all IPv4", "0.0.0.0:80", "0.0.0.0", 80);
    good("all IPv6", "[::]:8080", "::", 8080);
    good("highest port", "10.1.2.3:65535", "10.1.2.3", 65535);
    good("surrounding spaces", "  127.0.0.1:1  ", "127.0.0.1", 1);
    bad("empty", "", "empty");
    bad("blank", "   ", "empty");
    bad("no port", "127.0.0.1", "port");
    bad("empty port", "127.0.0.1:", "port");
    bad("no host", ":8480", "host");
    bad("port too big", "127.0.0.1:65536", "65536");
    bad("huge port", "127.0.0.1:99999999999", "99999999999");
    bad("negative port", "127.0.0.1:-1", "-1");
    bad("port with letters", "127.0.0.1:80a", "80a");
    bad("port with sign", "127.0.0.1:+80", "+80");
    bad("host name", "localhost:8480", "localhost");
    bad("bad IPv4", "300.1.1.1:80", "300.1.1.1");
    bad("IPv6 without brackets", "::1:80", "brackets");
    bad("unclosed bracket", "[::1:80", "]");
    bad("bracket without port", "[::1]", "port");
    bad("bracket, no colon", "[::1]80", "port");
    bad("IPv4 in brackets", "[127.0.0.1]:80", "IPv6");
    bad("empty brackets", "[]:80", "host");
    bad("IPv4 shorthand, three parts", "1.2.3:99", "did you mean 1.2.0.3");
    bad("IPv4 shorthand, two parts", "127.1:80", "did you mean 127.0.0.1");
    bad("IPv4 as one number", "2130706433:80", "dotted");
    bad("IPv4 with leading zeros", "127.000.0.1:80", "dotted");
}

void tst_DcsListener::parseListenAddress()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(QString, address);
    QFETCH(int, port);
    QFETCH(QString, errorMentions);

    QHostAddress parsedAddress(QHostAddress::Broadcast); // must stay untouched on failure
    quint16 parsedPort = 4242;
    QString error;
    QCOMPARE(Dcs::parseListenAddress(text, &parsedAddress, &parsedPort, &error), ok);
    if (ok) {
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(parsedAddress, QHostAddress(address));
        QCOMPARE(int(parsedPort), port);
    } else {
        QVERIFY2(error.contains(errorMentions, Qt::CaseInsensitive), qPrintable(error));
        QCOMPARE(parsedAddress, QHostAddress(QHostAddress::Broadcast));
        QCOMPARE(parsedPort, quint16(4242));
    }
    // Null out-parameters are allowed.
    QCOMPARE(Dcs::parseListenAddress(text, nullptr, nullptr, nullptr), ok);
}

QTEST_GUILESS_MAIN(tst_DcsListener)

#include "tst_dcslistener.moc"
