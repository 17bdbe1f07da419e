// The real dcs-partner-sim binary as a child process, talked to over loopback the way a DCS
// does: every answer style, every failure kind as the client sees it, signatures, keep-alive
// and pipelining, latency, runtime /config, garbage, and the command line itself.
#include "partners/inbounditem.h"
#include "partners/partnersigning.h"
#include "studioprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>

namespace {

constexpr int kStartTimeoutMs = 10000;
constexpr int kAnswerTimeoutMs = 5000;

QString simulatorBinary()
{
    return QStringLiteral(DCS_PARTNER_SIM_BINARY);
}

// One HTTP answer as it came over the wire.
struct Answer
{
    int status = 0;
    QByteArray head;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.sliced(colon + 1).trimmed();
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QStringList segments() const
    {
        QStringList codes;
        const QJsonArray array = json().value(QLatin1StringView("segments")).toArray();
        for (const QJsonValue &code : array)
            codes.append(code.toString());
        return codes;
    }
};

QByteArray callBody(const QString &uuid, const QString &dpuuid = QStringLiteral("u-8812"))
{
    const QJsonObject call{
        {QStringLiteral("tid"), QStringLiteral("31ZpxW5bQGc=")},
        {QStringLiteral("uuid"), uuid},
        {QStringLiteral("dpid"), 1955},
        {QStringLiteral("dpuuid"), dpuuid},
        {QStringLiteral("tmax"), 62},
        {QStringLiteral("signals"),
         QJsonObject{{QStringLiteral("c_section"), QJsonArray{QStringLiteral("sports")}}}},
        {QStringLiteral("ts"), qint64(1763820000123)},
    };
    return QJsonDocument(call).toJson(QJsonDocument::Compact);
}

QByteArray postRequest(const QByteArray &path, const QByteArray &body,
                       const QByteArray &extraHeaders = {})
{
    return "POST " + path + " HTTP/1.1\r\nHost: partner\r\nContent-Type: application/json\r\n"
           + extraHeaders + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
           + body;
}

QByteArray callRequest(const QString &uuid)
{
    return postRequest(QByteArrayLiteral("/segments"), callBody(uuid));
}

// A keep-alive client over one raw QTcpSocket: sends bytes, reads whole answers.
class Client
{
public:
    bool connectTo(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return m_socket.waitForConnected(kAnswerTimeoutMs);
    }

    QTcpSocket &socket() { return m_socket; }

    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }

    // The next complete answer (by Content-Length; none for 204), or nullopt when the
    // connection ends or nothing complete arrives within `timeoutMs`.
    std::optional<Answer> readAnswer(int timeoutMs = kAnswerTimeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            m_buffer += m_socket.readAll();
            if (std::optional<Answer> answer = takeAnswer())
                return answer;
            const qint64 left = timeoutMs - timer.elapsed();
            if (left <= 0 || !m_socket.waitForReadyRead(int(left)))
                return std::nullopt;
        }
    }

    std::optional<Answer> call(const QByteArray &request)
    {
        send(request);
        return readAnswer();
    }

private:
    std::optional<Answer> takeAnswer()
    {
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return std::nullopt;
        Answer answer;
        answer.head = m_buffer.first(headEnd);
        answer.status = answer.head.mid(9, 3).toInt();
        const qsizetype length = answer.header("Content-Length").toLongLong();
        if (m_buffer.size() < headEnd + 4 + length)
            return std::nullopt;
        answer.body = m_buffer.mid(headEnd + 4, length);
        m_buffer.remove(0, headEnd + 4 + length);
        return answer;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

// What a plain POSIX client sees until the server ends the connection: the bytes, and whether
// the end was a reset (RST, ECONNRESET) rather than an orderly close (FIN).
struct RawEnding
{
    QByteArray bytes;
    bool reset = false;
    bool ended = false; // false: still open when the time ran out
};

RawEnding sendAndReadToEnd(quint16 port, const QByteArray &request, int timeoutMs)
{
    RawEnding ending;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return ending;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == 0
        && ::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL)
               == request.size()) {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            pollfd readable{fd, POLLIN, 0};
            if (::poll(&readable, 1, int(timeoutMs - timer.elapsed())) <= 0)
                continue;
            char buffer[4096];
            const ssize_t received = ::recv(fd, buffer, sizeof(buffer), 0);
            if (received > 0) {
                ending.bytes.append(buffer, received);
                continue;
            }
            ending.ended = true;
            ending.reset = received < 0 && errno == ECONNRESET;
            break;
        }
    }
    ::close(fd);
    return ending;
}

} // namespace

class tst_PartnerSim : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void answersTheCodeTable();
    void answersGetTemplateCalls();
    void randomCodesAreDeterministicPerSeed();
    void emptyVisitorsGet204();
    void textStyle();

    void failureKinds_data();
    void failureKinds();
    void dripSendsOneByteAtATime();
    void hangKeepsTheConnectionOpenWithoutAnswer();

    void verifiesSignatures();
    void keepAliveServesManyRequestsOnOneConnection();
    void pipelinedRequestsAreAnsweredInOrder();
    void http10ClosesAfterTheAnswer();
    void fixedLatencyDelaysTheAnswer();
    void configChangesBehaviourAtRuntime();
    void garbageGets400AndTheSimulatorKeepsServing();
    void statsShape();

    void usageErrors_data();
    void usageErrors();
    void helpDocumentsEveryOption();
    void stopsCleanlyOnSignal_data();
    void stopsCleanlyOnSignal();

private:
    // Starts dcs-partner-sim with `arguments`; its port, or 0 (and a failed test) if not.
    quint16 start(const QStringList &arguments);
    QJsonObject stats(quint16 port);
    std::optional<Answer> postConfig(quint16 port, const QByteArray &json);

    QTemporaryDir m_home;
    QString m_codeTable;
    std::unique_ptr<StudioProcess> m_shared; // one simulator for the tests that reconfigure it
    quint16 m_sharedPort = 0;
    std::vector<std::unique_ptr<StudioProcess>> m_processes;
};

quint16 tst_PartnerSim::start(const QStringList &arguments)
{
    auto process = std::make_unique<StudioProcess>(simulatorBinary(), m_home.path());
    process->start(arguments);
    static const QRegularExpression listening(
        QStringLiteral("^dcs-partner-sim listening on 127\\.0\\.0\\.1:([0-9]+)\n$"));
    QElapsedTimer timer;
    timer.start();
    quint16 port = 0;
    while (timer.elapsed() < kStartTimeoutMs) {
        const QRegularExpressionMatch match = listening.match(process->out());
        if (match.hasMatch()) {
            port = quint16(match.captured(1).toUInt());
            break;
        }
        if (process->process().state() == QProcess::NotRunning)
            break;
        process->process().waitForReadyRead(100);
    }
    if (port == 0)
        qWarning().noquote() << process->describe();
    m_processes.push_back(std::move(process));
    return port;
}

QJsonObject tst_PartnerSim::stats(quint16 port)
{
    const std::optional<HttpExchange> answer =
        httpRequest(port, QByteArrayLiteral("GET"), QByteArrayLiteral("/stats"), kAnswerTimeoutMs);
    return answer ? QJsonDocument::fromJson(answer->body).object() : QJsonObject();
}

std::optional<Answer> tst_PartnerSim::postConfig(quint16 port, const QByteArray &json)
{
    Client client;
    if (!client.connectTo(port))
        return std::nullopt;
    return client.call(postRequest(QByteArrayLiteral("/config"), json));
}

void tst_PartnerSim::initTestCase()
{
    QVERIFY2(QFileInfo(simulatorBinary()).isExecutable(), qPrintable(simulatorBinary()));
    QVERIFY(m_home.isValid());
    m_codeTable = m_home.filePath(QStringLiteral("codes.tsv"));
    QFile table(m_codeTable);
    QVERIFY(table.open(QIODevice::WriteOnly));
    table.write("# uuid or dpuuid, TAB, codes\n"
                "u-1\tseg1,seg2\n"
                "u-2\tseg3\tgone1\n"
                "u-3\tseg4\n"
                "d-7\tfrom-dpuuid\n"
                "u-none\t\n"
                "*\tdefault1\n");
    table.close();
    m_sharedPort = start({QStringLiteral("--codes"), m_codeTable});
    QVERIFY(m_sharedPort != 0);
}

// Each test starts from the shared simulator's command-line behaviour.
void tst_PartnerSim::init()
{
    const std::optional<Answer> answer =
        postConfig(m_sharedPort, R"({"fail":"none","latency":"fixed:0","answer_style":"json",)"
                                 R"("secret":"","empty_share":0,"codes":")"
                                     + m_codeTable.toUtf8() + "\"}");
    QVERIFY(answer);
    QCOMPARE(answer->status, 200);
}

void tst_PartnerSim::answersTheCodeTable()
{
    Client client;
    QVERIFY(client.connectTo(m_sharedPort));
    std::optional<Answer> answer = client.call(callRequest(QStringLiteral("u-1")));
    QVERIFY(answer);
    QCOMPARE(answer->status, 200);
    QCOMPARE(answer->header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(answer->segments(), (QStringList{QStringLiteral("seg1"), QStringLiteral("seg2")}));

    answer = client.call(callRequest(QStringLiteral("u-2")));
    QVERIFY(answer);
    QCOMPARE(answer->body, QByteArray(R"({"segments":["seg3"],"unsegments":["gone1"]})"));

    answer = client.call(postRequest("/segments", callBody(QStringLiteral("u-x"),
                                                           QStringLiteral("d-7"))));
    QVERIFY(answer);
    QCOMPARE(answer->segments(), QStringList{QStringLiteral("from-dpuuid")});

    answer = client.call(callRequest(QStringLiteral("someone-else")));
    QVERIFY(answer);
    QCOMPARE(answer->segments(), QStringList{QStringLiteral("default1")});
}

void tst_PartnerSim::answersGetTemplateCalls()
{
    Client client;
    QVERIFY(client.connectTo(m_sharedPort));
    const std::optional<Answer> answer = client.call(
        "GET /seg?uuid=u-3&dpuuid=d-1&dpid=1955&tid=31ZpxW5bQGc%3D&tmax=62 HTTP/1.1\r\n"
        "Host: partner\r\n\r\n");
    QVERIFY(answer);
    QCOMPARE(answer->status, 200);
    QCOMPARE(answer->segments(), QStringList{QStringLiteral("seg4")});
}

void tst_PartnerSim::randomCodesAreDeterministicPerSeed()
{
    const QStringList arguments{QStringLiteral("--random-codes"), QStringLiteral("50"),
                                QStringLiteral("--codes-per-visitor"), QStringLiteral("4"),
                                QStringLiteral("--code-prefix"), QStringLiteral("rnd-"),
                                QStringLiteral("--seed"), QStringLiteral("7")};
    const quint16 first = start(arguments);
    const quint16 second = start(arguments);
    QVERIFY(first != 0 && second != 0);
    Client a;
    Client b;
    QVERIFY(a.connectTo(first));
    QVERIFY(b.connectTo(second));
    QList<QStringList> seed7;
    for (int i = 0; i < 20; ++i) {
        const QString uuid = QStringLiteral("visitor-%1").arg(i);
        const std::optional<Answer> fromA = a.call(callRequest(uuid));
        const std::optional<Answer> fromB = b.call(callRequest(uuid));
        const std::optional<Answer> again = a.call(callRequest(uuid));
        QVERIFY(fromA && fromB && again);
        QCOMPARE(fromA->status, 200);
        const QStringList codes = fromA->segments();
        QVERIFY(codes.size() >= 1 && codes.size() <= 4);
        for (const QString &code : codes)
            QVERIFY2(code.startsWith(u"rnd-"), qPrintable(code));
        QCOMPARE(fromB->segments(), codes);
        QCOMPARE(again->segments(), codes);
        seed7.append(codes);
    }

    // Another seed, other codes.
    QCOMPARE(postConfig(first, R"({"seed":8})")->status, 200);
    int different = 0;
    for (int i = 0; i < 20; ++i) {
        const std::optional<Answer> answer =
            a.call(callRequest(QStringLiteral("visitor-%1").arg(i)));
        QVERIFY(answer);
        if (answer->segments() != seed7.at(i))
            ++different;
    }
    QVERIFY2(different >= 15, qPrintable(QString::number(different)));
}

void tst_PartnerSim::emptyVisitorsGet204()
{
    Client client;
    QVERIFY(client.connectTo(m_sharedPort));
    std::optional<Answer> answer = client.call(callRequest(QStringLiteral("u-none")));
    QVERIFY(answer);
    QCOMPARE(answer->status, 204);
    QVERIFY(answer->body.isEmpty());

    QCOMPARE(postConfig(m_sharedPort, R"({"empty_share":1})")->status, 200);
    answer = client.call(callRequest(QStringLiteral("u-1")));
    QVERIFY(answer);
    QCOMPARE(answer->status, 204);
    // Still keep-alive after a 204 without a body.
    answer = client.call(callRequest(QStringLiteral("u-2")));
    QVERIFY(answer);
    QCOMPARE(answer->status, 204);
}

void tst_PartnerSim::textStyle()
{
    const quint16 port =
        start({QStringLiteral("--codes"), m_codeTable, QStringLiteral("--answer-style"),
               QStringLiteral("text")});
    QVERIFY(port != 0);
    Client client;
    QVERIFY(client.connectTo(port));
    std::optional<Answer> answer = client.call(callRequest(QStringLiteral("u-1")));
    QVERIFY(answer);
    QCOMPARE(answer->status, 200);
    QVERIFY(answer->header("Content-Type").startsWith("text/plain"));
    QCOMPARE(answer->body, QByteArray("seg1,seg2"));
    answer = client.call(callRequest(QStringLiteral("u-none")));
    QVERIFY(answer);
    QCOMPARE(answer->status, 204);
}

void tst_PartnerSim::failureKinds_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("http500") << QStringLiteral("http500");
    QTest::newRow("malformed") << QStringLiteral("malformed");
    QTest::newRow("badcodes") << QStringLiteral("badcodes");
    QTest::newRow("huge") << QStringLiteral("huge");
    QTest::newRow("reset") << QStringLiteral("reset");
    QTest::newRow("close") << QStringLiteral("close");
}

// What the DCS must survive, as its client sees it.
void tst_PartnerSim::failureKinds()
{
    QFETCH(QString, kind);
    QCOMPARE(postConfig(m_sharedPort, "{\"fail\":\"" + kind.toUtf8() + "=1\"}")->status, 200);
    const QJsonObject before = stats(m_sharedPort);
    const RawEnding ending = sendAndReadToEnd(
        m_sharedPort,
        postRequest("/segments", callBody(QStringLiteral("u-1")), "Connection: close\r\n"),
        kAnswerTimeoutMs);
    QVERIFY2(ending.ended, "the connection did not end");

    const qsizetype headEnd = ending.bytes.indexOf("\r\n\r\n");
    const QByteArray body = headEnd < 0 ? QByteArray() : ending.bytes.sliced(headEnd + 4);
    QJsonParseError parseError;
    const QJsonDocument json = QJsonDocument::fromJson(body, &parseError);
    if (kind == u"http500") {
        QVERIFY(ending.bytes.startsWith("HTTP/1.1 500 "));
        QVERIFY(!ending.reset);
    } else if (kind == u"malformed") {
        QVERIFY(ending.bytes.startsWith("HTTP/1.1 200 "));
        QVERIFY(ending.bytes.contains("Content-Type: application/json"));
        QVERIFY(!body.isEmpty());
        QVERIFY(parseError.error != QJsonParseError::NoError);
    } else if (kind == u"badcodes") {
        QVERIFY(ending.bytes.startsWith("HTTP/1.1 200 "));
        QCOMPARE(parseError.error, QJsonParseError::NoError);
        const QJsonArray codes = json.object().value(QLatin1StringView("segments")).toArray();
        QVERIFY(!codes.isEmpty());
        for (const QJsonValue &code : codes)
            QVERIFY2(!Dcs::isValidPartnerCode(code.toString()), qPrintable(code.toString()));
    } else if (kind == u"huge") {
        QVERIFY(ending.bytes.startsWith("HTTP/1.1 200 "));
        QVERIFY2(body.size() > 65536, qPrintable(QString::number(body.size())));
        QCOMPARE(parseError.error, QJsonParseError::NoError);
    } else if (kind == u"reset") {
        QVERIFY2(ending.reset, "expected a connection reset (RST)");
        QVERIFY2(!ending.bytes.isEmpty(), "expected part of an answer before the reset");
        QVERIFY(ending.bytes.startsWith("HTTP/1.1 200 "));
        const qsizetype promised =
            QRegularExpression(QStringLiteral("Content-Length: ([0-9]+)"))
                .match(QString::fromLatin1(ending.bytes))
                .captured(1)
                .toLongLong();
        QVERIFY2(headEnd < 0 || body.size() < promised, "the whole answer came before the reset");
    } else if (kind == u"close") {
        QVERIFY(ending.bytes.isEmpty());
        QVERIFY2(!ending.reset, "expected an orderly close (FIN), not a reset");
    }

    const QJsonObject after = stats(m_sharedPort);
    const QJsonObject answersBefore = before.value(QLatin1StringView("answers")).toObject();
    const QJsonObject answersAfter = after.value(QLatin1StringView("answers")).toObject();
    QCOMPARE(answersAfter.value(kind).toInteger() - answersBefore.value(kind).toInteger(), 1);
}

void tst_PartnerSim::dripSendsOneByteAtATime()
{
    QCOMPARE(postConfig(m_sharedPort, R"({"fail":"drip=1"})")->status, 200);
    Client client;
    QVERIFY(client.connectTo(m_sharedPort));
    QElapsedTimer timer;
    client.send(callRequest(QStringLiteral("u-1")));
    QByteArray received;
    int reads = 0;
    constexpr int bytesToWatch = 6;
    while (received.size() < bytesToWatch && client.socket().waitForReadyRead(kAnswerTimeoutMs)) {
        if (received.isEmpty())
            timer.start(); // from the first byte: the latency before it is not the drip
        received += client.socket().readAll();
        ++reads;
    }
    QVERIFY(received.size() >= bytesToWatch);
    QVERIFY(received.startsWith("HTTP/"));
    const qint64 elapsed = timer.elapsed();
    // Byte 1 at once, then one every 50 ms: bytes 2..6 take at least 5 intervals (with 10%
    // margin for timers), arriving apart (a stall of this process may merge a few).
    QVERIFY2(elapsed >= 225, qPrintable(QString::number(elapsed)));
    QVERIFY2(reads >= 4, qPrintable(QString::number(reads)));
}

void tst_PartnerSim::hangKeepsTheConnectionOpenWithoutAnswer()
{
    QCOMPARE(postConfig(m_sharedPort, R"({"fail":"hang=1"})")->status, 200);
    {
        Client client;
        QVERIFY(client.connectTo(m_sharedPort));
        QSignalSpy readyRead(&client.socket(), &QTcpSocket::readyRead);
        QSignalSpy disconnected(&client.socket(), &QTcpSocket::disconnected);
        client.send(callRequest(QStringLiteral("u-1")));
        QVERIFY(!readyRead.wait(500));
        QCOMPARE(client.socket().bytesAvailable(), 0);
        QCOMPARE(disconnected.size(), 0);
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
        QVERIFY(stats(m_sharedPort).value(QLatin1StringView("in_flight")).toInt() >= 1);
    }
    // The client gave up: the hung request is no longer in flight.
    QTRY_COMPARE(stats(m_sharedPort).value(QLatin1StringView("in_flight")).toInt(), 0);
}

void tst_PartnerSim::verifiesSignatures()
{
    qputenv("TST_PARTNERSIM_SECRET", "brio-4711");
    const quint16 port = start({QStringLiteral("--codes"), m_codeTable,
                                QStringLiteral("--secret-env"),
                                QStringLiteral("TST_PARTNERSIM_SECRET"), QStringLiteral("--dpid"),
                                QStringLiteral("1955")});
    qunsetenv("TST_PARTNERSIM_SECRET");
    QVERIFY(port != 0);
    const QByteArray body = callBody(QStringLiteral("u-1"));
    const QByteArray timestamp = QByteArrayLiteral("1763820000123");
    const auto signedWith = [&](const QByteArray &secret,
                                const QByteArray &payload) -> QByteArray {
        return "X-DCS-Tid: 31ZpxW5bQGc=\r\nX-DCS-Timestamp: " + timestamp
               + "\r\nX-DCS-Tmax: 62\r\nX-DCS-Signature: "
               + Dcs::PartnerSigning::signature(secret, timestamp, payload) + "\r\n";
    };

    Client client;
    QVERIFY(client.connectTo(port));
    std::optional<Answer> answer =
        client.call(postRequest("/segments", body, signedWith("brio-4711", body)));
    QVERIFY(answer);
    QCOMPARE(answer->status, 200);
    QCOMPARE(answer->segments(), (QStringList{QStringLiteral("seg1"), QStringLiteral("seg2")}));

    answer = client.call(postRequest("/segments", body, signedWith("wrong", body)));
    QVERIFY(answer);
    QCOMPARE(answer->status, 401);
    QVERIFY(answer->json().contains(QLatin1StringView("error")));

    answer = client.call(postRequest("/segments", body));
    QVERIFY(answer);
    QCOMPARE(answer->status, 401);

    // get-template: the signature covers the path and query.
    const QByteArray target = QByteArrayLiteral("/seg?uuid=u-3&tmax=62");
    answer = client.call("GET " + target + " HTTP/1.1\r\nHost: p\r\n"
                         + signedWith("brio-4711", target) + "\r\n");
    QVERIFY(answer);
    QCOMPARE(answer->status, 200);
    QCOMPARE(answer->segments(), QStringList{QStringLiteral("seg4")});

    const QJsonObject counters = stats(port);
    QCOMPARE(counters.value(QLatin1StringView("signature_failures")).toInteger(), 2);
    QCOMPARE(counters.value(QLatin1StringView("answers")).toObject()
                 .value(QLatin1StringView("unauthorized")).toInteger(), 2);
    QCOMPARE(counters.value(QLatin1StringView("dpid")).toInteger(), 1955);
}

void tst_PartnerSim::keepAliveServesManyRequestsOnOneConnection()
{
    const qint64 acceptedBefore =
        stats(m_sharedPort).value(QLatin1StringView("connections_accepted")).toInteger();
    Client client;
    QVERIFY(client.connectTo(m_sharedPort));
    QSignalSpy disconnected(&client.socket(), &QTcpSocket::disconnected);
    for (int i = 0; i < 100; ++i) {
        const std::optional<Answer> answer = client.call(callRequest(QStringLiteral("u-3")));
        QVERIFY2(answer, qPrintable(QString::number(i)));
        QCOMPARE(answer->status, 200);
        QCOMPARE(answer->header("Connection"), QByteArray("keep-alive"));
        QCOMPARE(answer->segments(), QStringList{QStringLiteral("seg4")});
    }
    QCOMPARE(disconnected.size(), 0);
    // This client's one connection and the one of this stats request.
    QCOMPARE(stats(m_sharedPort).value(QLatin1StringView("connections_accepted")).toInteger()
                 - acceptedBefore,
             2);
}

void tst_PartnerSim::pipelinedRequestsAreAnsweredInOrder()
{
    // Random latencies finish out of order; answers must still leave in request order.
    QCOMPARE(postConfig(m_sharedPort, R"({"latency":"uniform:0,40"})")->status, 200);
    Client client;
    QVERIFY(client.connectTo(m_sharedPort));
    const QStringList uuids{QStringLiteral("u-3"), QStringLiteral("u-1"), QStringLiteral("u-2"),
                            QStringLiteral("u-none"), QStringLiteral("u-3"),
                            QStringLiteral("u-2")};
    QByteArray pipeline;
    for (const QString &uuid : uuids)
        pipeline += callRequest(uuid);
    client.send(pipeline);
    const QList<QStringList> expected{{QStringLiteral("seg4")},
                                      {QStringLiteral("seg1"), QStringLiteral("seg2")},
                                      {QStringLiteral("seg3")},
                                      {},
                                      {QStringLiteral("seg4")},
                                      {QStringLiteral("seg3")}};
    for (const QStringList &codes : expected) {
        const std::optional<Answer> answer = client.readAnswer();
        QVERIFY(answer);
        QCOMPARE(answer->segments(), codes);
    }
}

void tst_PartnerSim::http10ClosesAfterTheAnswer()
{
    const QByteArray body = callBody(QStringLiteral("u-1"));
    const RawEnding ending = sendAndReadToEnd(
        m_sharedPort,
        "POST /segments HTTP/1.0\r\nContent-Length: " + QByteArray::number(body.size())
            + "\r\n\r\n" + body,
        kAnswerTimeoutMs);
    QVERIFY(ending.ended);
    QVERIFY(!ending.reset);
    QVERIFY(ending.bytes.startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(ending.bytes.contains("Connection: close\r\n"));
    QVERIFY(ending.bytes.endsWith(R"({"segments":["seg1","seg2"]})"));
}

void tst_PartnerSim::fixedLatencyDelaysTheAnswer()
{
    QCOMPARE(postConfig(m_sharedPort, R"({"latency":"fixed:50"})")->status, 200);
    Client client;
    QVERIFY(client.connectTo(m_sharedPort));
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer timer;
        timer.start();
        const std::optional<Answer> answer = client.call(callRequest(QStringLiteral("u-1")));
        const qint64 elapsed = timer.elapsed();
        QVERIFY(answer);
        QCOMPARE(answer->status, 200);
        QVERIFY2(elapsed >= 45, qPrintable(QString::number(elapsed)));
    }
    // The latency setting shows in /stats.
    QCOMPARE(stats(m_sharedPort).value(QLatin1StringView("latency")).toString(),
             QStringLiteral("fixed:50"));
}

void tst_PartnerSim::configChangesBehaviourAtRuntime()
{
    Client client;
    QVERIFY(client.connectTo(m_sharedPort));
    QCOMPARE(client.call(callRequest(QStringLiteral("u-1")))->status, 200);

    std::optional<Answer> config = postConfig(m_sharedPort, R"({"fail":{"http500":1}})");
    QVERIFY(config);
    QCOMPARE(config->status, 200);
    QCOMPARE(config->json().value(QLatin1StringView("fail")).toObject()
                 .value(QLatin1StringView("http500")).toDouble(), 1.0);
    QCOMPARE(client.call(callRequest(QStringLiteral("u-1")))->status, 500);
    QCOMPARE(client.call(callRequest(QStringLiteral("u-1")))->status, 500);

    // A bad change is refused whole and changes nothing.
    config = postConfig(m_sharedPort, R"({"fail":"none","latency":"soon"})");
    QVERIFY(config);
    QCOMPARE(config->status, 400);
    QVERIFY(config->json().value(QLatin1StringView("error")).toString().contains(u"latency"));
    QCOMPARE(client.call(callRequest(QStringLiteral("u-1")))->status, 500);

    // Recovery.
    QCOMPARE(postConfig(m_sharedPort, R"({"fail":"none"})")->status, 200);
    QCOMPARE(client.call(callRequest(QStringLiteral("u-1")))->status, 200);

    // GET /config shows the settings, never the secret.
    QCOMPARE(postConfig(m_sharedPort, R"({"secret":"do-not-show"})")->status, 200);
    const std::optional<HttpExchange> shown = httpRequest(
        m_sharedPort, QByteArrayLiteral("GET"), QByteArrayLiteral("/config"), kAnswerTimeoutMs);
    QVERIFY(shown);
    QVERIFY(!shown->body.contains("do-not-show"));
    QVERIFY(shown->body.contains("\"secret_set\":true"));

    // /stats/reset zeroes the counters.
    Client resetter;
    QVERIFY(resetter.connectTo(m_sharedPort));
    const std::optional<Answer> reset =
        resetter.call("POST /stats/reset HTTP/1.1\r\nHost: p\r\nContent-Length: 0\r\n\r\n");
    QVERIFY(reset);
    QCOMPARE(reset->status, 200);
    QCOMPARE(reset->json().value(QLatin1StringView("requests")).toInteger(), 0);
}

void tst_PartnerSim::garbageGets400AndTheSimulatorKeepsServing()
{
    const RawEnding garbage =
        sendAndReadToEnd(m_sharedPort, QByteArrayLiteral("THIS IS NOT HTTP\r\n\r\n"),
                         kAnswerTimeoutMs);
    QVERIFY(garbage.ended);
    QVERIFY2(garbage.bytes.startsWith("HTTP/1.1 400 "), garbage.bytes.constData());

    QByteArray binary(300, '\0');
    for (int i = 0; i < binary.size(); ++i)
        binary[i] = char(i * 37);
    const RawEnding noise = sendAndReadToEnd(m_sharedPort, binary, kAnswerTimeoutMs);
    QVERIFY(noise.ended);
    QVERIFY2(noise.bytes.startsWith("HTTP/1.1 400 "), noise.bytes.constData());

    const RawEnding tooLarge = sendAndReadToEnd(
        m_sharedPort,
        "POST /segments HTTP/1.1\r\nHost: p\r\nContent-Length: 1000000\r\n\r\n{",
        kAnswerTimeoutMs);
    QVERIFY(tooLarge.ended);
    QVERIFY2(tooLarge.bytes.startsWith("HTTP/1.1 413 "), tooLarge.bytes.constData());

    Client client;
    QVERIFY(client.connectTo(m_sharedPort));
    std::optional<Answer> answer =
        client.call(postRequest("/segments", QByteArrayLiteral("{\"no\":\"ids\"}")));
    QVERIFY(answer);
    QCOMPARE(answer->status, 400);
    answer = client.call(postRequest("/segments", QByteArrayLiteral("[not json")));
    QVERIFY(answer);
    QCOMPARE(answer->status, 400);
    // A body that is merely wrong keeps the connection.
    answer = client.call(callRequest(QStringLiteral("u-1")));
    QVERIFY(answer);
    QCOMPARE(answer->status, 200);
}

void tst_PartnerSim::statsShape()
{
    const QJsonObject counters = stats(m_sharedPort);
    for (const char *key : {"dpid", "requests", "answers", "signature_failures",
                            "control_requests", "in_flight", "connections_open",
                            "connections_accepted", "latency", "fail", "threads", "uptime_ms"}) {
        QVERIFY2(counters.contains(QLatin1StringView(key)), key);
    }
    const QJsonObject answers = counters.value(QLatin1StringView("answers")).toObject();
    for (const char *key : {"ok", "empty", "http500", "reset", "malformed", "badcodes", "huge",
                            "drip", "hang", "close", "unauthorized", "bad_request"}) {
        QVERIFY2(answers.contains(QLatin1StringView(key)), key);
    }
    QVERIFY(counters.value(QLatin1StringView("connections_open")).toInt() >= 1);
    QCOMPARE(counters.value(QLatin1StringView("threads")).toInt(), 1);
}

void tst_PartnerSim::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expectedError");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--bogus")}
                                    << QStringLiteral("bogus");
    QTest::newRow("bad latency") << QStringList{QStringLiteral("--latency"),
                                                QStringLiteral("gauss:1")}
                                 << QStringLiteral("--latency");
    QTest::newRow("bad failure kind") << QStringList{QStringLiteral("--fail"),
                                                     QStringLiteral("explode=1")}
                                      << QStringLiteral("explode");
    QTest::newRow("rates above 1") << QStringList{QStringLiteral("--fail"),
                                                  QStringLiteral("hang=0.6"),
                                                  QStringLiteral("--fail"),
                                                  QStringLiteral("close=0.6")}
                                   << QStringLiteral("more than 1");
    QTest::newRow("empty share") << QStringList{QStringLiteral("--empty-share"),
                                                QStringLiteral("1.5")}
                                 << QStringLiteral("--empty-share");
    QTest::newRow("not a number") << QStringList{QStringLiteral("--codes-per-visitor"),
                                                 QStringLiteral("many")}
                                  << QStringLiteral("--codes-per-visitor");
    QTest::newRow("threads") << QStringList{QStringLiteral("--threads"), QStringLiteral("0")}
                             << QStringLiteral("--threads");
    QTest::newRow("port") << QStringList{QStringLiteral("--port"), QStringLiteral("70000")}
                          << QStringLiteral("--port");
    QTest::newRow("missing code table") << QStringList{QStringLiteral("--codes"),
                                                       QStringLiteral("/nonexistent.tsv")}
                                        << QStringLiteral("/nonexistent.tsv");
    QTest::newRow("table and random") << QStringList{QStringLiteral("--codes"),
                                                     QStringLiteral("x.tsv"),
                                                     QStringLiteral("--random-codes"),
                                                     QStringLiteral("5")}
                                      << QStringLiteral("exclude each other");
    QTest::newRow("secret env unset") << QStringList{QStringLiteral("--secret-env"),
                                                     QStringLiteral("TST_PARTNERSIM_UNSET")}
                                      << QStringLiteral("TST_PARTNERSIM_UNSET");
    QTest::newRow("answer style") << QStringList{QStringLiteral("--answer-style"),
                                                 QStringLiteral("xml")}
                                  << QStringLiteral("--answer-style");
    QTest::newRow("positional") << QStringList{QStringLiteral("extra")}
                                << QStringLiteral("extra");
}

void tst_PartnerSim::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expectedError);
    StudioProcess process(simulatorBinary(), m_home.path());
    QVERIFY(process.run(arguments, kStartTimeoutMs));
    QCOMPARE(process.process().exitCode(), 2);
    QVERIFY(process.out().isEmpty());
    QVERIFY2(process.err().contains(expectedError), qPrintable(process.err()));
}

void tst_PartnerSim::helpDocumentsEveryOption()
{
    StudioProcess process(simulatorBinary(), m_home.path());
    QVERIFY(process.run({QStringLiteral("--help")}, kStartTimeoutMs));
    QCOMPARE(process.process().exitCode(), 0);
    const QString help = process.out();
    for (const char *option : {"--port", "--listen", "--threads", "--codes", "--random-codes",
                               "--code-prefix", "--codes-per-visitor", "--empty-share", "--seed",
                               "--latency", "--fail", "--secret", "--secret-env",
                               "--answer-style", "--ttl", "--dpid", "/stats", "/config"}) {
        QVERIFY2(help.contains(QLatin1StringView(option)), option);
    }
}

void tst_PartnerSim::stopsCleanlyOnSignal_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGINT") << SIGINT;
}

void tst_PartnerSim::stopsCleanlyOnSignal()
{
    QFETCH(int, signalNumber);
    const quint16 port = start({QStringLiteral("--threads"), QStringLiteral("2"),
                                QStringLiteral("--fail"), QStringLiteral("hang=1")});
    QVERIFY(port != 0);
    // An open connection with a hung request must not hold the exit up.
    Client client;
    QVERIFY(client.connectTo(port));
    client.send(callRequest(QStringLiteral("u-1")));
    QTRY_COMPARE(stats(port).value(QLatin1StringView("in_flight")).toInt(), 1);
    StudioProcess &process = *m_processes.back();
    QVERIFY(process.stopWith(signalNumber, kStartTimeoutMs));
    QCOMPARE(process.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.process().exitCode(), 0);
    QVERIFY2(process.err().isEmpty(), qPrintable(process.err()));
}

QTEST_GUILESS_MAIN(tst_PartnerSim)
#include "tst_partnersim.moc"
