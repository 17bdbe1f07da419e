// The contract of spec/dcs-api.md, tested end to end: a whole DcsServer (database, endpoints,
// listener with its worker threads) on 127.0.0.1, driven over real loopback sockets, both with
// QNetworkAccessManager (what a Qt client or a browser-like caller does, cookie jar included)
// and with raw QTcpSocket clients (exact bytes, pipelining, HTTP/1.0, split and oversize
// requests, slow and idle connections). What the server stored is read back from the database
// (EventLog, the id_syncs table), so every row checks the answer AND its effect.
//
// Every test function (every data row) gets its own server and its own database (init/cleanup).
// Waits are event-driven (a QEventLoop woken by the socket, QSignalSpy::wait, QTRY_*): the test
// thread also runs the listener's acceptor, so it must never block.

#include "dcs/dcsserver.h"
#include "dcs/eventcontext.h"
#include "dcs/eventendpoint.h"
#include "partners/partner.h"
#include "storage/eventlog.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/visitorstore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkCookie>
#include <QNetworkCookieJar>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#if defined(Q_OS_UNIX)
#include <sys/resource.h>
#endif

using namespace Dcs;

namespace {

constexpr int kTimeoutMs = 10000;
constexpr char kCookieAttributes[] = "; Max-Age=15552000; Path=/; SameSite=None; Secure";
constexpr qint64 kCookieMaxAgeSeconds = 15552000;
// A partner registered by the tests that need an integration code (d_cid_ic).
constexpr qint64 kIcDpid = 4242;
constexpr char kIntegrationCode[] = "crm-ic";

// ---------------------------------------------------------------------------------------------
// HTTP answers as they came off the wire

struct Reply
{
    int status = 0; // 0: no answer arrived
    QByteArray head; // status line and headers, without the final CRLF CRLF
    QList<QPair<QByteArray, QByteArray>> headers; // lower-case names, in arrival order
    QByteArray body;

    // First value of the header `name` (lower case), or a null QByteArray.
    QByteArray header(QByteArrayView name) const
    {
        for (const auto &header : headers) {
            if (QByteArrayView(header.first) == name)
                return header.second;
        }
        return {};
    }
    int headerCount(QByteArrayView name) const
    {
        int count = 0;
        for (const auto &header : headers)
            count += QByteArrayView(header.first) == name ? 1 : 0;
        return count;
    }
    bool closes() const { return header("connection").toLower() == "close"; }
    QByteArray wire() const { return head + "\r\n\r\n" + body; }
};

// Splits every complete answer off the front of `buffer` (all answers carry Content-Length).
QList<Reply> takeReplies(QByteArray &buffer)
{
    QList<Reply> replies;
    for (;;) {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            break;
        Reply reply;
        reply.head = buffer.left(headEnd);
        const QList<QByteArray> lines = reply.head.split('\n');
        if (lines.constFirst().startsWith("HTTP/1.1 "))
            reply.status = lines.constFirst().mid(9, 3).toInt();
        else
            reply.status = -1; // not an HTTP/1.1 status line: fails every status check
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                reply.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
        }
        const qsizetype length = reply.header("content-length").toLongLong();
        if (buffer.size() < headEnd + 4 + length)
            break;
        reply.body = buffer.mid(headEnd + 4, length);
        buffer.remove(0, headEnd + 4 + length);
        replies.append(reply);
    }
    return replies;
}

// A raw HTTP client on a real loopback socket: sends bytes exactly as given and collects the
// answers as they arrive (also those that arrive just before the server closes).
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { collect(); });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    }
    Q_DISABLE_COPY_MOVE(RawClient)

    void send(const QByteArray &bytes) { m_socket.write(bytes); }

    int replyCount()
    {
        collect();
        return int(m_replies.size());
    }
    bool waitForReplies(int count, int timeoutMs = kTimeoutMs)
    {
        return waitUntil([&] { return replyCount() >= count; }, timeoutMs);
    }
    bool waitForClose(int timeoutMs = kTimeoutMs)
    {
        return waitUntil(
            [&] {
                collect();
                return m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }
    Reply reply(int index) const { return m_replies.value(index); }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QByteArray unparsed() const { return m_buffer; }

private:
    // Runs the event loop until `predicate` holds, woken by the socket's signals (QTest::qWaitFor
    // would poll every 10 ms, which the 2,000-request loop cannot afford).
    template<typename Predicate>
    bool waitUntil(Predicate predicate, int timeoutMs)
    {
        QElapsedTimer clock;
        clock.start();
        while (!predicate()) {
            const qint64 remaining = timeoutMs - clock.elapsed();
            if (remaining <= 0)
                return false;
            QEventLoop loop;
            QTimer timer;
            timer.setSingleShot(true);
            QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
            QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, &QEventLoop::quit);
            QObject::connect(&m_socket, &QTcpSocket::stateChanged, &loop, &QEventLoop::quit);
            timer.start(int(qMin<qint64>(remaining, 100)));
            loop.exec();
        }
        return true;
    }

    void collect()
    {
        m_buffer += m_socket.readAll();
        m_replies += takeReplies(m_buffer);
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QList<Reply> m_replies;
};

QByteArray getRequest(const QByteArray &target, const QByteArray &headers = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
}

// A null `contentType` sends no Content-Type header.
QByteArray postRequest(const QByteArray &target, const QByteArray &contentType,
                       const QByteArray &body, const QByteArray &headers = {})
{
    QByteArray request = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!contentType.isNull())
        request += "Content-Type: " + contentType + "\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n" + headers + "\r\n";
    return request + body;
}

QByteArray cookieHeader(const QString &uuid)
{
    return "Cookie: demdex=" + uuid.toLatin1() + "\r\n";
}

// What dcs-api.md says every answer that identifies a visitor sets.
QByteArray expectedSetCookie(const QString &uuid)
{
    return "demdex=" + uuid.toLatin1() + kCookieAttributes;
}

// The UUID of a `Set-Cookie: demdex=<uuid>; ...` answer header, or empty.
QString setCookieUuid(const Reply &reply)
{
    const QByteArray value = reply.header("set-cookie");
    if (!value.startsWith("demdex="))
        return {};
    return QString::fromLatin1(value.mid(7, value.indexOf(';') - 7));
}

bool isUuid(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^[0-9]{38}$"));
    return pattern.match(text).hasMatch();
}

// 12 characters, base64 of 9 bytes.
bool isTid(const QString &tid)
{
    if (tid.size() != 12)
        return false;
    const auto decoded = QByteArray::fromBase64Encoding(tid.toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    return decoded.decodingStatus == QByteArray::Base64DecodingStatus::Ok
           && decoded.decoded.size() == 9;
}

QString randomUuid()
{
    QString uuid;
    for (int i = 0; i < 38; ++i)
        uuid += QChar(u'0' + char16_t(QRandomGenerator::global()->bounded(10)));
    return uuid;
}

QJsonObject jsonObject(const QByteArray &json)
{
    const QJsonDocument document = QJsonDocument::fromJson(json);
    return document.isObject() ? document.object() : QJsonObject();
}

// The codes of an answer's "errors" array, in order.
QList<int> answerCodes(const QJsonObject &answer)
{
    QList<int> codes;
    const QJsonArray errors = answer.value(QStringLiteral("errors")).toArray();
    for (const QJsonValue &error : errors)
        codes.append(error.toObject().value(QStringLiteral("code")).toInt(-1));
    return codes;
}

// The codes of the X-Error header, in order (empty without the header).
QList<int> headerCodes(const Reply &reply)
{
    QList<int> codes;
    const QByteArray header = reply.header("x-error");
    if (header.isEmpty())
        return codes;
    for (const QByteArray &code : header.split(','))
        codes.append(code.trimmed().toInt());
    return codes;
}

QList<int> sorted(QList<int> list)
{
    std::sort(list.begin(), list.end());
    return list;
}

QStringList utf8List(std::initializer_list<const char *> items)
{
    QStringList list;
    for (const char *item : items)
        list.append(QString::fromUtf8(item));
    return list;
}

// The stored values of one signal of an event (empty when the key was not stored).
QStringList storedValues(const EventRecord &record, const QString &key)
{
    QStringList values;
    const QJsonArray array = record.signalValues.value(key).toArray();
    for (const QJsonValue &value : array)
        values.append(value.toString());
    return values;
}

// Everything an event row holds that came from the call, as text (for "never stored" checks).
QByteArray storedText(const EventRecord &record)
{
    return QJsonDocument(record.signalValues).toJson(QJsonDocument::Compact)
           + QJsonDocument(record.errors).toJson(QJsonDocument::Compact)
           + QJsonDocument(record.declaredIds).toJson(QJsonDocument::Compact)
           + record.referer.toUtf8() + record.tid.toUtf8();
}

// The 1x1 GIF of dcs-api.md.
bool isTransparentGif(const Reply &reply)
{
    return reply.header("content-type") == "image/gif" && reply.body.size() == 43
           && reply.body.startsWith("GIF89a") && reply.body.endsWith(';');
}

bool waitFinished(QNetworkReply *reply)
{
    return reply->isFinished() || QSignalSpy(reply, &QNetworkReply::finished).wait(kTimeoutMs);
}

int httpStatus(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

// A real event stage (EventEndpoint::addStage, the product's extension point for partner calls
// and rules) that holds every event until the test lets it go. process() runs on a listener
// worker and hands `done` to the main thread; releaseOne() calls it there from a QTimer.
class HoldingStage final : public EventStage
{
public:
    void process(const std::shared_ptr<EventContext> &, std::function<void()> done) override
    {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [held = m_held, done] { held->append(done); },
            Qt::QueuedConnection);
    }
    int heldCount() const { return int(m_held->size()); } // main thread only
    // Lets the held event at `index` (0: the oldest) move on, from a zero-delay QTimer.
    void release(int index = 0)
    {
        QTimer::singleShot(0, QCoreApplication::instance(),
                           [done = m_held->takeAt(index)] { done(); });
    }

private:
    std::shared_ptr<QList<std::function<void()>>> m_held =
        std::make_shared<QList<std::function<void()>>>();
};

// One request of the robustness loop: mostly /event calls built from the pieces the decoder and
// the identity resolver care about, some mutated byte by byte, some over the size limits, some
// to the other routes. CR and LF are never inserted: framing attacks are the parser test's job,
// and here every request must get exactly one answer.
QByteArray fuzzRequest(QRandomGenerator &rng, bool *mayRedirect)
{
    static const char *const keys[] = {
        "c_a", "c_b", "color", "d_rtbd", "d_rtbd", "d_cb", "d_uuid", "d_cid", "d_cid", "d_cid_ic",
        "d_mid", "d_dpid", "d_dpuuid", "d_dst", "d_cts", "d_sid", "d_tmax", "d_orgid", "p_x",
        "h_host", "h_user-agent", "123", "a%20b", "k!", "%C3%A9", "", "c_%01", "-", "_", "c_a%2C"};
    static const char *const values[] = {
        "json", "json", "1", "2", "a,b", "%22a,b%22", "%22", "%C3%A9", "%01", "1955%01u-1",
        "1955%01u-1%011", "1955%01u%019", "x%01y%01z%01w", "crm-ic%01u-2", "alert%281%29", "cb",
        "$", "", ",,,", "+", "%2B", "12345678901234567890123456789012345678",
        "1234567890123456789012345678901234567", "-1", "99999999999999999999999",
        "%F0%9F%98%80", "%0D%0A", "%7B%22a%22%3A1%7D", "http%3A%2F%2Fp.example%2F",
        "javascript%3Ax"};
    // Pieces that make the whole call an error 311 (or, raw, a 400), used now and then.
    static const char *const badPieces[] = {
        "%zz", "%", "%4", "%C3", "%FF", "%ED%A0%80", "%F4%90%80%80", "%C0%AF", "%00", "\"q\"",
        "\xc3\xa9", "\xff\xfe", "{}", "a b"};
    const auto pick = [&rng](const auto &array) {
        return QByteArray(array[rng.bounded(int(std::size(array)))]);
    };
    const auto piece = [&](const auto &array) {
        return rng.bounded(40) == 0 ? pick(badPieces) : pick(array);
    };

    QByteArray query;
    const int pairs = int(rng.bounded(12));
    for (int i = 0; i < pairs; ++i) {
        if (!query.isEmpty() || rng.bounded(8) == 0)
            query += '&';
        query += piece(keys);
        if (rng.bounded(6) != 0)
            query += '=' + piece(values);
        if (rng.bounded(5) == 0)
            query += ',' + piece(values);
    }
    if (!query.isEmpty() && rng.bounded(6) == 0) {
        const int mutations = int(rng.bounded(1, 4));
        for (int i = 0; i < mutations; ++i) {
            // Mostly visible ASCII (valid in a request target), sometimes any byte.
            char byte = rng.bounded(4) == 0 ? char(rng.bounded(256))
                                            : char(rng.bounded(0x21, 0x7f));
            if (byte == '\r' || byte == '\n')
                byte = '%';
            query[rng.bounded(int(query.size()))] = byte;
        }
    }
    if (rng.bounded(80) == 0)
        query += "&c_big=" + QByteArray(int(rng.bounded(7000, 10000)), 'x'); // 414 / 431

    *mayRedirect = false;
    const int route = int(rng.bounded(100));
    if (route < 68)
        return getRequest("/event?" + query);
    if (route < 80) {
        QByteArray body = query;
        if (rng.bounded(40) == 0)
            body = QByteArray(int(rng.bounded(33000, 40000)), 'b'); // 413
        const QByteArray type = rng.bounded(3) == 0
                                    ? QByteArray("text/plain")
                                    : QByteArray("application/x-www-form-urlencoded");
        return postRequest("/event?d_rtbd=json", type, body);
    }
    if (route < 86) {
        *mayRedirect = true;
        QByteArray target = "/ibs:dpid=" + QByteArray::number(rng.bounded(-5, 3000)) + "&dpuuid="
                            + pick(values);
        if (rng.bounded(2))
            target += "&redir=" + pick(values);
        if (rng.bounded(3) == 0)
            target += "&redir=http%3A%2F%2Fp.example%2F%24%7BDD_UUID%7D";
        return getRequest(target + query);
    }
    if (route < 89) {
        *mayRedirect = true;
        return getRequest("/ibs?" + query);
    }
    if (route < 93)
        return getRequest("/id?" + query);
    if (route < 95)
        return getRequest("/demoptout.jpg?d_uuid=" + pick(values) + '&' + query);
    if (route < 97)
        return getRequest("/healthz");
    if (route < 98)
        return getRequest("/nope?" + query);
    return (rng.bounded(2) ? QByteArray("PUT /event?") : QByteArray("DELETE /ibs:dpid=1&"))
           + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
}

} // namespace

class tst_DcsApi final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    // Signals and key prefixes
    void storedSignals_data();
    void storedSignals();
    void headerSignals_data();
    void headerSignals();
    void invalidKeys_data();
    void invalidKeys();
    void privateKeysNeverLeave_data();
    void privateKeysNeverLeave();
    void postBody_data();
    void postBody();
    void badEncodingIgnoresCall_data();
    void badEncodingIgnoresCall();
    void signalLimits_data();
    void signalLimits();

    // The answer
    void gifAnswer_data();
    void gifAnswer();
    void jsonAnswer_data();
    void jsonAnswer();
    void jsonp_data();
    void jsonp();

    // Identity
    void identityResolution_data();
    void identityResolution();
    void cookieRoundTripWithQnam();
    void declaredIds_data();
    void declaredIds();
    void declaredIdLimits_data();
    void declaredIdLimits();
    void latestLinkWins();
    void ibs_data();
    void ibs();
    void idEndpoint_data();
    void idEndpoint();
    void optOut_data();
    void optOut();
    void optOutSurvivesRestart();

    // The other routes
    void tagPages_data();
    void tagPages();

    // Robustness and transport
    void neverAnswers500();
    void pipelinedEventsInOrder();
    void pipelinedAnswersWaitForEarlierOnes();
    void qnamConcurrentRequests();
    void http10_data();
    void http10();
    void splitRequest_data();
    void splitRequest();
    void requestLimits_data();
    void requestLimits();
    void slowSenderClosed();
    void idleKeepAliveClosed();
    void idleConnectionsClosed();
    void connectionLimit();
    void busyListenerAnswers429();

private:
    // (Re)starts the server on a new database, with `stage` added before the listener serves.
    // `databasePath` empty: a new database.
    bool startServer(const DcsListener::Limits &limits = {},
                     const std::shared_ptr<EventStage> &stage = {},
                     const QString &databasePath = {});
    Reply send(const QByteArray &request) const;
    Reply get(const QByteArray &target, const QByteArray &headers = {}) const
    {
        return send(getRequest(target, headers));
    }
    EventLog events() const { return EventLog(*m_server->storage()); }
    std::optional<QString> linkedUuid(qint64 dpid, const QString &id) const
    {
        return VisitorStore::linkedUuid(m_server->storage()->reader(), dpid, id);
    }
    int authStateOf(qint64 dpid, const QString &id) const;
    bool addIntegrationCodePartner() const;
    QUrl url(const QByteArray &encodedPathAndQuery) const
    {
        return QUrl::fromEncoded("http://127.0.0.1:" + QByteArray::number(m_port)
                                     + encodedPathAndQuery,
                                 QUrl::StrictMode);
    }

    QTemporaryDir m_dir;
    int m_databases = 0;
    QString m_databasePath;
    std::unique_ptr<DcsServer> m_server;
    quint16 m_port = 0;
};

// ---------------------------------------------------------------------------------------------
// Fixture

void tst_DcsApi::initTestCase()
{
    QVERIFY(m_dir.isValid());
#if defined(Q_OS_UNIX)
    // idleConnectionsClosed holds 2,000 connections: two descriptors each in this process.
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 8192) {
        limit.rlim_cur =
            limit.rlim_max == RLIM_INFINITY ? 8192 : qMin<rlim_t>(8192, limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
    }
#endif
}

void tst_DcsApi::init()
{
    QVERIFY(startServer());
}

void tst_DcsApi::cleanup()
{
    m_server.reset();
    m_port = 0;
}

bool tst_DcsApi::startServer(const DcsListener::Limits &limits,
                             const std::shared_ptr<EventStage> &stage, const QString &databasePath)
{
    m_server.reset();
    m_server = std::make_unique<DcsServer>(nullptr, 2);
    QString error;
    m_databasePath = databasePath.isEmpty()
                         ? m_dir.filePath(QStringLiteral("dcs-%1.sqlite").arg(++m_databases))
                         : databasePath;
    if (!m_server->openStorage(m_databasePath, &error)) {
        qWarning().noquote() << "openStorage:" << error;
        return false;
    }
    if (stage)
        m_server->eventEndpoint()->addStage(stage);
    m_server->listener().setLimits(limits);
    if (!m_server->startListener(QHostAddress::LocalHost, 0, &error)) {
        qWarning().noquote() << "startListener:" << error;
        return false;
    }
    m_port = m_server->listener().port();
    return m_port != 0;
}

Reply tst_DcsApi::send(const QByteArray &request) const
{
    RawClient client(m_port);
    client.send(request);
    return client.waitForReplies(1) ? client.reply(0) : Reply{};
}

int tst_DcsApi::authStateOf(qint64 dpid, const QString &id) const
{
    QSqlQuery query(m_server->storage()->reader());
    query.prepare(QStringLiteral("SELECT auth_state FROM id_syncs WHERE dpid = ? AND dpuuid = ?"));
    query.addBindValue(dpid);
    query.addBindValue(id);
    if (!query.exec() || !query.next())
        return -1;
    return query.value(0).toInt();
}

bool tst_DcsApi::addIntegrationCodePartner() const
{
    Partner partner;
    partner.name = QStringLiteral("CRM");
    partner.dpid = kIcDpid;
    partner.integrationCode = QString::fromLatin1(kIntegrationCode);
    partner.endpoint = QStringLiteral("https://crm.example/dcs");
    const WriteResult result = PartnerRepository(*m_server->storage()).save(partner);
    if (!result.ok)
        qWarning().noquote() << "partner not saved:" << result.error;
    return result.ok;
}

// ---------------------------------------------------------------------------------------------
// Signals and key prefixes

void tst_DcsApi::storedSignals_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QStringList>("values");

    QTest::newRow("c_ key") << QByteArray("c_color=red") << QStringLiteral("c_color")
                            << utf8List({"red"});
    QTest::newRow("bare key") << QByteArray("color=red") << QStringLiteral("color")
                              << utf8List({"red"});
    QTest::newRow("bare key with - and digits")
        << QByteArray("page-type2=home") << QStringLiteral("page-type2") << utf8List({"home"});
    QTest::newRow("key of digits and letters") << QByteArray("123a=x") << QStringLiteral("123a")
                                               << utf8List({"x"});
    // d_ keys "accepted, stored, not acted on".
    for (const char *key : {"d_jsonv", "d_nsid", "d_orgid", "d_ver", "d_ptfm", "d_caller",
                            "d_dil_ver", "d_ld", "d_blob"}) {
        QTest::addRow("d_ key %s", key) << QByteArray(key) + "=v-1" << QString::fromLatin1(key)
                                        << utf8List({"v-1"});
    }
    // Acted on by the rules engine (rules.md); here: the signal itself is stored.
    QTest::newRow("d_sid") << QByteArray("d_sid=123,456") << QStringLiteral("d_sid")
                           << utf8List({"123", "456"});
    QTest::newRow("d_tdpid") << QByteArray("d_tdpid=1955") << QStringLiteral("d_tdpid")
                             << utf8List({"1955"});
    QTest::newRow("d_tdpid_ic") << QByteArray("d_tdpid_ic=crm-ic") << QStringLiteral("d_tdpid_ic")
                                << utf8List({"crm-ic"});
    QTest::newRow("d_ key, encoded value") << QByteArray("d_orgid=ABC123%40AdobeOrg")
                                           << QStringLiteral("d_orgid")
                                           << utf8List({"ABC123@AdobeOrg"});
    QTest::newRow("serialized k=a,b") << QByteArray("c_k=a,b") << QStringLiteral("c_k")
                                      << utf8List({"a", "b"});
    QTest::newRow("repeated k=a&k=b") << QByteArray("c_k=a&c_k=b") << QStringLiteral("c_k")
                                      << utf8List({"a", "b"});
    QTest::newRow("repeated and serialized") << QByteArray("c_k=a,b&c_k=c")
                                             << QStringLiteral("c_k") << utf8List({"a", "b", "c"});
    QTest::newRow("serialized bare key") << QByteArray("tags=x,y") << QStringLiteral("tags")
                                         << utf8List({"x", "y"});
    QTest::newRow("quoted value") << QByteArray("c_k=%22a%22") << QStringLiteral("c_k")
                                  << utf8List({"a"});
    QTest::newRow("quoted value with a comma is one value")
        << QByteArray("c_k=%22a,b%22") << QStringLiteral("c_k") << utf8List({"a,b"});
    QTest::newRow("+ is a space") << QByteArray("c_k=a+b") << QStringLiteral("c_k")
                                  << utf8List({"a b"});
    QTest::newRow("percent-encoded UTF-8")
        << QByteArray("c_k=%C3%A9t%C3%A9") << QStringLiteral("c_k")
        << utf8List({"\xc3\xa9t\xc3\xa9"});
    QTest::newRow("4-byte UTF-8") << QByteArray("c_k=%F0%9F%98%80") << QStringLiteral("c_k")
                                  << utf8List({"\xf0\x9f\x98\x80"});
    QTest::newRow("encoded key") << QByteArray("c%5Fk=1") << QStringLiteral("c_k")
                                 << utf8List({"1"});
}

void tst_DcsApi::storedSignals()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, key);
    QFETCH(QStringList, values);

    const Reply reply = get("/event?" + query + "&d_rtbd=json");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-error"), QByteArray());
    const QJsonObject answer = jsonObject(reply.body);
    const QString tid = answer.value(QStringLiteral("tid")).toString();
    QVERIFY(isTid(tid));
    const std::optional<EventRecord> record = events().byTid(tid);
    QVERIFY(record);
    QVERIFY2(record->signalValues.contains(key),
             qPrintable(QString::fromUtf8(storedText(*record))));
    QCOMPARE(storedValues(*record, key), values);
}

void tst_DcsApi::headerSignals_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected"); // null: the key must not be stored
    QTest::addColumn<bool>("warning");     // a code-0 warning for an h_ key sent by the caller

    const QByteArray ua = "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Test/1.0\r\n";
    const QString uaValue = QStringLiteral("Mozilla/5.0 (X11; Linux x86_64) Test/1.0");
    QTest::newRow("h_user-agent") << ua << QByteArray("c_a=1") << QStringLiteral("h_user-agent")
                                  << uaValue << false;
    QTest::newRow("h_user-agent, lower-case header name")
        << QByteArray("user-agent: lower/1.0\r\n") << QByteArray("c_a=1")
        << QStringLiteral("h_user-agent") << QStringLiteral("lower/1.0") << false;
    QTest::newRow("h_referer") << QByteArray("Referer: https://shop.example/cart?item=42\r\n")
                               << QByteArray("c_a=1") << QStringLiteral("h_referer")
                               << QStringLiteral("https://shop.example/cart?item=42") << false;
    QTest::newRow("h_host") << QByteArray() << QByteArray("c_a=1") << QStringLiteral("h_host")
                            << QStringLiteral("127.0.0.1") << false;
    QTest::newRow("h_accept-language")
        << QByteArray("Accept-Language: fr-CH, fr;q=0.9, en;q=0.8\r\n") << QByteArray("c_a=1")
        << QStringLiteral("h_accept-language") << QStringLiteral("fr-CH, fr;q=0.9, en;q=0.8")
        << false;
    QTest::newRow("no header, no h_ key") << QByteArray() << QByteArray("c_a=1")
                                          << QStringLiteral("h_user-agent") << QString() << false;
    QTest::newRow("query h_user-agent ignored, header kept")
        << ua << QByteArray("h_user-agent=spoofed") << QStringLiteral("h_user-agent") << uaValue
        << true;
    QTest::newRow("query h_referer ignored without a header")
        << QByteArray() << QByteArray("h_referer=https%3A%2F%2Fevil.example%2F")
        << QStringLiteral("h_referer") << QString() << true;
    QTest::newRow("query h_host ignored") << QByteArray() << QByteArray("h_host=evil.example")
                                          << QStringLiteral("h_host")
                                          << QStringLiteral("127.0.0.1") << true;
    QTest::newRow("query h_accept-language ignored")
        << QByteArray() << QByteArray("h_accept-language=xx") << QStringLiteral("h_accept-language")
        << QString() << true;
    QTest::newRow("query h_ key of no header ignored")
        << QByteArray() << QByteArray("h_x-forwarded-for=1.2.3.4")
        << QStringLiteral("h_x-forwarded-for") << QString() << true;
}

void tst_DcsApi::headerSignals()
{
    QFETCH(QByteArray, headers);
    QFETCH(QByteArray, query);
    QFETCH(QString, key);
    QFETCH(QString, expected);
    QFETCH(bool, warning);

    const Reply reply = get("/event?" + query + "&c_marker=1&d_rtbd=json", headers);
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonObject(reply.body);
    QCOMPARE(answerCodes(answer), warning ? QList<int>{0} : QList<int>{});
    QCOMPARE(headerCodes(reply), warning ? QList<int>{0} : QList<int>{});

    const std::optional<EventRecord> record =
        events().byTid(answer.value(QStringLiteral("tid")).toString());
    QVERIFY(record);
    QCOMPARE(storedValues(*record, QStringLiteral("c_marker")), utf8List({"1"})); // rest stored
    if (expected.isNull()) {
        QVERIFY2(!record->signalValues.contains(key),
                 qPrintable(QString::fromUtf8(storedText(*record))));
    } else {
        // A header value may itself hold commas: compare the stored values joined back.
        QCOMPARE(storedValues(*record, key).join(u','), expected);
    }
    if (key == u"h_referer" && !expected.isNull())
        QCOMPARE(record->referer, expected); // the event's referer column too
}

void tst_DcsApi::invalidKeys_data()
{
    QTest::addColumn<QByteArray>("pair");
    QTest::addColumn<QString>("badKey");

    QTest::newRow("space (+)") << QByteArray("a+b=1") << QStringLiteral("a b");
    QTest::newRow("space (%20)") << QByteArray("a%20b=1") << QStringLiteral("a b");
    QTest::newRow("all digits") << QByteArray("123=1") << QStringLiteral("123");
    QTest::newRow("bang") << QByteArray("k!=1") << QStringLiteral("k!");
    QTest::newRow("dot") << QByteArray("k.x=1") << QStringLiteral("k.x");
    QTest::newRow("slash") << QByteArray("k%2Fx=1") << QStringLiteral("k/x");
    QTest::newRow("non-ASCII letter") << QByteArray("%C3%A9t%C3%A9=1")
                                      << QString::fromUtf8("\xc3\xa9t\xc3\xa9");
    QTest::newRow("empty key") << QByteArray("=1") << QString();
    QTest::newRow("control byte") << QByteArray("c_%01=1") << QStringLiteral("c_\x01");
}

void tst_DcsApi::invalidKeys()
{
    QFETCH(QByteArray, pair);
    QFETCH(QString, badKey);

    const Reply reply = get("/event?c_before=1&" + pair + "&c_ok=yes&d_rtbd=json");
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonObject(reply.body);
    QCOMPARE(answerCodes(answer), QList<int>{0});
    QCOMPARE(reply.header("x-error"), QByteArray("0"));

    const std::optional<EventRecord> record =
        events().byTid(answer.value(QStringLiteral("tid")).toString());
    QVERIFY(record);
    // The rest of the call went through ...
    QCOMPARE(storedValues(*record, QStringLiteral("c_before")), utf8List({"1"}));
    QCOMPARE(storedValues(*record, QStringLiteral("c_ok")), utf8List({"yes"}));
    QCOMPARE(record->errors.size(), 1);
    // ... and only valid keys were stored.
    QVERIFY(!record->signalValues.contains(badKey));
    static const QRegularExpression validKey(QStringLiteral("^(?![0-9]+$)[A-Za-z0-9_-]+$"));
    for (const QString &key : record->signalValues.keys())
        QVERIFY2(validKey.match(key).hasMatch(), qPrintable(key));
}

void tst_DcsApi::privateKeysNeverLeave_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("formBody"); // null: GET
    QTest::addColumn<QString>("privateKey");

    const QString secret = QStringLiteral("p_secret");
    QTest::newRow("GET, JSON answer") << QByteArray("p_secret=TOPSECRET&c_seen=1&d_rtbd=json")
                                      << QByteArray() << secret;
    QTest::newRow("GET, GIF answer") << QByteArray("p_secret=TOPSECRET&c_seen=1") << QByteArray()
                                     << secret;
    QTest::newRow("JSONP answer") << QByteArray("p_secret=TOPSECRET&c_seen=1&d_rtbd=json&d_cb=cb")
                                  << QByteArray() << secret;
    QTest::newRow("JSON with every option")
        << QByteArray("p_secret=TOPSECRET&c_seen=1&d_rtbd=json&d_dst=1&d_cts=2") << QByteArray()
        << secret;
    QTest::newRow("serialized") << QByteArray("p_secret=TOPSECRET1,TOPSECRET2&c_seen=1&d_rtbd=json")
                                << QByteArray() << secret;
    QTest::newRow("repeated")
        << QByteArray("p_secret=TOPSECRET1&c_seen=1&p_secret=TOPSECRET2&d_rtbd=json")
        << QByteArray() << secret;
    QTest::newRow("quoted") << QByteArray("p_secret=%22TOPSECRET%22&c_seen=1&d_rtbd=json")
                            << QByteArray() << secret;
    QTest::newRow("next to warnings")
        << QByteArray("p_secret=TOPSECRET&k!=1&h_host=x&d_cb=1abc&c_seen=1&d_rtbd=json")
        << QByteArray() << secret;
    QTest::newRow("p_ key named like a reserved one")
        << QByteArray("p_d_uuid=TOPSECRET&c_seen=1&d_rtbd=json") << QByteArray()
        << QStringLiteral("p_d_uuid");
    QTest::newRow("in the POST body") << QByteArray("c_seen=1&d_rtbd=json")
                                      << QByteArray("p_secret=TOPSECRET&c_body=1") << secret;
    QTest::newRow("in the query and the POST body")
        << QByteArray("p_secret=TOPSECRETq&c_seen=1&d_rtbd=json")
        << QByteArray("p_secret=TOPSECRETb") << secret;
    QByteArray many = "p_secret=";
    for (int i = 0; i < 70; ++i)
        many += "TOPSECRET" + QByteArray::number(i) + ',';
    QTest::newRow("over the value limit") << many + "&c_seen=1&d_rtbd=json" << QByteArray()
                                          << secret;
}

void tst_DcsApi::privateKeysNeverLeave()
{
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, formBody);
    QFETCH(QString, privateKey);

    const QString uuid = randomUuid();
    const QByteArray target = "/event?d_uuid=" + uuid.toLatin1() + '&' + query;
    const Reply reply = formBody.isNull()
                            ? get(target)
                            : send(postRequest(target, "application/x-www-form-urlencoded",
                                               formBody));
    QCOMPARE(reply.status, 200);
    QCOMPARE(setCookieUuid(reply), uuid);

    const QList<EventRecord> stored = events().forVisitor(uuid);
    QCOMPARE(stored.size(), 1);
    const EventRecord &record = stored.first();
    QCOMPARE(storedValues(record, QStringLiteral("c_seen")), utf8List({"1"})); // call stored
    for (const QString &key : record.signalValues.keys())
        QVERIFY2(!key.startsWith(u"p_"), qPrintable(key));
    const QByteArray text = storedText(record);
    QVERIFY2(!text.contains("TOPSECRET"), text.constData());
    QVERIFY2(!text.contains(privateKey.toLatin1()), text.constData());

    // Nor anywhere in the answer, headers included.
    QVERIFY2(!reply.wire().contains("TOPSECRET"), reply.wire().constData());
    QVERIFY2(!reply.wire().contains(privateKey.toLatin1()), reply.wire().constData());
}

void tst_DcsApi::postBody_data()
{
    QTest::addColumn<QByteArray>("contentType"); // null: no Content-Type header
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("present"); // "key=v1|v2" (values sorted)
    QTest::addColumn<QStringList>("absent");

    const QByteArray form = "application/x-www-form-urlencoded";
    QTest::newRow("form body and query keys")
        << form << QByteArray("c_q=1") << QByteArray("c_b=2&c_list=x,y&bare=3")
        << utf8List({"c_q=1", "c_b=2", "c_list=x|y", "bare=3"}) << QStringList();
    QTest::newRow("form body with charset")
        << form + "; charset=UTF-8" << QByteArray("c_q=1") << QByteArray("c_b=%C3%A9")
        << utf8List({"c_q=1", "c_b=\xc3\xa9"}) << QStringList();
    QTest::newRow("form media type in other case")
        << QByteArray("Application/X-WWW-Form-URLEncoded") << QByteArray("c_q=1")
        << QByteArray("c_b=2") << utf8List({"c_q=1", "c_b=2"}) << QStringList();
    QTest::newRow("same key in query and body")
        << form << QByteArray("c_k=q") << QByteArray("c_k=b")
        << utf8List({"c_k=b|q"}) << QStringList();
    QTest::newRow("plus, quotes and repeats in the body")
        << form << QByteArray("c_q=1") << QByteArray("c_b=a+b&c_c=%22x,y%22&c_r=1&c_r=2")
        << utf8List({"c_b=a b", "c_c=x,y", "c_r=1|2"}) << QStringList();
    QTest::newRow("body with d_ keys") << form << QByteArray() << QByteArray("d_rtbd=json&c_b=2")
                                       << utf8List({"c_b=2"}) << QStringList();
    QTest::newRow("text/plain body ignored")
        << QByteArray("text/plain") << QByteArray("c_q=1") << QByteArray("c_b=2")
        << utf8List({"c_q=1"}) << utf8List({"c_b"});
    QTest::newRow("JSON body ignored")
        << QByteArray("application/json") << QByteArray("c_q=1") << QByteArray("{\"c_b\":2}")
        << utf8List({"c_q=1"}) << utf8List({"c_b", "{\"c_b\":2}"});
    QTest::newRow("multipart body ignored")
        << QByteArray("multipart/form-data; boundary=x") << QByteArray("c_q=1")
        << QByteArray("c_b=2") << utf8List({"c_q=1"}) << utf8List({"c_b"});
    QTest::newRow("no Content-Type: body ignored")
        << QByteArray() << QByteArray("c_q=1") << QByteArray("c_b=2") << utf8List({"c_q=1"})
        << utf8List({"c_b"});
    QTest::newRow("bad encoding in an ignored body is no error")
        << QByteArray("text/plain") << QByteArray("c_q=1") << QByteArray("c_b=%zz")
        << utf8List({"c_q=1"}) << utf8List({"c_b"});
}

void tst_DcsApi::postBody()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, body);
    QFETCH(QStringList, present);
    QFETCH(QStringList, absent);

    const Reply reply = send(postRequest("/event?d_rtbd=json&" + query, contentType, body));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-error"), QByteArray());
    const std::optional<EventRecord> record =
        events().byTid(jsonObject(reply.body).value(QStringLiteral("tid")).toString());
    QVERIFY(record);
    for (const QString &expectation : present) {
        const QString key = expectation.section(u'=', 0, 0);
        QStringList values = storedValues(*record, key);
        values.sort();
        QCOMPARE(key + u'=' + values.join(u'|'), expectation);
    }
    for (const QString &key : absent)
        QVERIFY2(!record->signalValues.contains(key), qPrintable(key));
}

void tst_DcsApi::badEncodingIgnoresCall_data()
{
    QTest::addColumn<QByteArray>("request");

    // Every query also declares an ID and a visitor: none of it may be stored.
    const QByteArray prefix = "/event?d_uuid=1111111111111111111111111111111111111111"
                              "&d_cid=1955%01never-linked&c_a=1&";
    const auto get = [&prefix](const char *rest) { return getRequest(prefix + rest); };
    QTest::newRow("bad hex digits") << get("c_b=%zz&d_rtbd=json");
    QTest::newRow("lone % at the end") << get("c_b=%");
    QTest::newRow("one hex digit at the end") << get("c_b=%4");
    QTest::newRow("one hex digit before &") << get("c_b=%4&c_c=1");
    QTest::newRow("bad escape in a key") << get("%zz=1&d_rtbd=json");
    QTest::newRow("bad escape after good pairs") << get("c_b=2&c_c=3&c_d=%G1&d_rtbd=json");
    QTest::newRow("bad escape with JSONP asked") << get("d_rtbd=json&d_cb=cb&c_b=%zz");
    QTest::newRow("truncated UTF-8") << get("c_b=%C3&d_rtbd=json");
    QTest::newRow("lone continuation byte") << get("c_b=%80");
    QTest::newRow("byte FF") << get("c_b=%FF");
    QTest::newRow("overlong encoding") << get("c_b=%C0%AF");
    QTest::newRow("UTF-16 surrogate") << get("c_b=%ED%A0%80");
    QTest::newRow("beyond U+10FFFF") << get("c_b=%F4%90%80%80");
    QTest::newRow("invalid UTF-8 in a key") << get("c_%C3%28=1");
    QTest::newRow("bad escape in the form body")
        << postRequest(prefix + "d_rtbd=json", "application/x-www-form-urlencoded", "c_b=%zz");
    QTest::newRow("invalid UTF-8 in the form body")
        << postRequest(prefix + "d_rtbd=json", "application/x-www-form-urlencoded",
                       "c_b=%C3%28");
    QTest::newRow("/id, bad escape")
        << getRequest("/id?d_orgid=%zz&d_ver=2&d_cid=1955%01never-linked"
                      "&d_uuid=1111111111111111111111111111111111111111");
}

void tst_DcsApi::badEncodingIgnoresCall()
{
    QFETCH(QByteArray, request);

    const qint64 before = events().count();
    QVERIFY(before >= 0);
    const Reply reply = send(request);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, QByteArray());
    QCOMPARE(reply.header("content-length"), QByteArray("0"));
    QCOMPARE(reply.header("x-error"), QByteArray("311"));
    // The whole call is ignored: no event, no visitor, no link.
    QCOMPARE(events().count(), before);
    QCOMPARE(events().forVisitor(QStringLiteral("1111111111111111111111111111111111111111")).size(),
             0);
    QVERIFY(!linkedUuid(1955, QStringLiteral("never-linked")));
}

void tst_DcsApi::signalLimits_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<bool>("warning");
    QTest::addColumn<QString>("checkKey");    // a key whose stored values are counted
    QTest::addColumn<int>("checkValues");     // how many values it keeps
    QTest::addColumn<QString>("droppedKey");  // a key that must not be stored; empty: none

    const auto keys = [](int count) {
        QByteArray query;
        for (int i = 0; i < count; ++i)
            query += "&c_k" + QByteArray::number(i) + "=v";
        return query;
    };
    const auto values = [](int count, bool repeated) {
        QByteArray query = "&c_many=";
        for (int i = 0; i < count; ++i)
            query += (i == 0 ? "" : repeated ? "&c_many=" : ",") + QByteArray::number(i);
        return query;
    };
    QTest::newRow("200 keys: all kept") << keys(200) << false << QStringLiteral("c_k199") << 1
                                        << QString();
    QTest::newRow("300 keys: extra dropped, warning")
        << keys(300) << true << QStringLiteral("c_k0") << 1 << QStringLiteral("c_k299");
    QTest::newRow("64 values: all kept") << values(64, false) << false << QStringLiteral("c_many")
                                         << 64 << QString();
    QTest::newRow("65 serialized values: 64 kept, warning")
        << values(65, false) << true << QStringLiteral("c_many") << 64 << QString();
    QTest::newRow("65 repeated values: 64 kept, warning")
        << values(65, true) << true << QStringLiteral("c_many") << 64 << QString();
    QTest::newRow("100 values: 64 kept, warning")
        << values(100, false) << true << QStringLiteral("c_many") << 64 << QString();
}

void tst_DcsApi::signalLimits()
{
    QFETCH(QByteArray, query);
    QFETCH(bool, warning);
    QFETCH(QString, checkKey);
    QFETCH(int, checkValues);
    QFETCH(QString, droppedKey);

    const Reply reply = get("/event?d_rtbd=json" + query);
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonObject(reply.body);
    if (warning) {
        QVERIFY2(answerCodes(answer).contains(0), reply.body.constData());
        QVERIFY2(headerCodes(reply).contains(0), reply.head.constData());
    } else {
        QCOMPARE(answerCodes(answer), QList<int>{});
        QCOMPARE(reply.header("x-error"), QByteArray());
    }
    const std::optional<EventRecord> record =
        events().byTid(answer.value(QStringLiteral("tid")).toString());
    QVERIFY(record);
    QVERIFY2(record->signalValues.size() <= 256,
             qPrintable(QString::number(record->signalValues.size())));
    const QStringList kept = storedValues(*record, checkKey);
    QCOMPARE(kept.size(), checkValues);
    for (int i = 0; checkValues > 1 && i < checkValues; ++i)
        QCOMPARE(kept.at(i), QString::number(i)); // the first ones, in order
    if (!droppedKey.isEmpty())
        QVERIFY(!record->signalValues.contains(droppedKey));
}

// ---------------------------------------------------------------------------------------------
// The answer

void tst_DcsApi::gifAnswer_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("xError");

    QTest::newRow("no d_rtbd") << QByteArray("c_a=1") << QByteArray();
    QTest::newRow("d_rtbd other than json") << QByteArray("c_a=1&d_rtbd=img") << QByteArray();
    QTest::newRow("d_cb without d_rtbd=json") << QByteArray("c_a=1&d_cb=cb") << QByteArray();
    QTest::newRow("d_dst and d_cts without d_rtbd=json")
        << QByteArray("c_a=1&d_dst=1&d_cts=1") << QByteArray();
    QTest::newRow("with a warning") << QByteArray("c_a=1&k!=1") << QByteArray("0");
    QTest::newRow("empty query") << QByteArray() << QByteArray();
}

void tst_DcsApi::gifAnswer()
{
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, xError);

    const Reply reply = get("/event?" + query);
    QCOMPARE(reply.status, 200);
    QVERIFY2(isTransparentGif(reply), reply.head.constData());
    QCOMPARE(reply.header("x-error"), xError);
    const QString uuid = setCookieUuid(reply);
    QVERIFY(isUuid(uuid));
    QCOMPARE(reply.headerCount("set-cookie"), 1);
    QCOMPARE(reply.header("set-cookie"), expectedSetCookie(uuid));
    QCOMPARE(events().forVisitor(uuid).size(), 1); // stored before the answer came
}

void tst_DcsApi::jsonAnswer_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<bool>("dests");
    QTest::addColumn<bool>("traits");
    QTest::addColumn<bool>("errors");

    QTest::newRow("plain") << QByteArray("c_a=1") << false << false << false;
    QTest::newRow("d_dst=1") << QByteArray("c_a=1&d_dst=1") << true << false << false;
    QTest::newRow("d_dst=0") << QByteArray("c_a=1&d_dst=0") << false << false << false;
    QTest::newRow("d_cts=1") << QByteArray("c_a=1&d_cts=1") << false << true << false;
    QTest::newRow("d_cts=2") << QByteArray("c_a=1&d_cts=2") << false << true << false;
    QTest::newRow("d_cts=0") << QByteArray("c_a=1&d_cts=0") << false << false << false;
    QTest::newRow("d_cts=3") << QByteArray("c_a=1&d_cts=3") << false << false << false;
    QTest::newRow("d_dst=1 and d_cts=1") << QByteArray("c_a=1&d_dst=1&d_cts=1") << true << true
                                         << false;
    QTest::newRow("with a warning") << QByteArray("c_a=1&k!=1") << false << false << true;
    QTest::newRow("everything") << QByteArray("c_a=1&k!=1&d_dst=1&d_cts=2") << true << true
                                << true;
}

void tst_DcsApi::jsonAnswer()
{
    QFETCH(QByteArray, query);
    QFETCH(bool, dests);
    QFETCH(bool, traits);
    QFETCH(bool, errors);

    const qint64 sentMs = QDateTime::currentMSecsSinceEpoch();
    const Reply reply = get("/event?d_rtbd=json&" + query);
    const qint64 answeredMs = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), QByteArray("application/json"));
    const QJsonObject answer = jsonObject(reply.body);
    QVERIFY2(!answer.isEmpty(), reply.body.constData());

    QSet<QString> keys{QStringLiteral("uuid"), QStringLiteral("dcs_region"), QStringLiteral("tid"),
                       QStringLiteral("stuff")};
    if (dests)
        keys << QStringLiteral("dests");
    if (traits)
        keys << QStringLiteral("traits") << QStringLiteral("segments");
    if (errors)
        keys << QStringLiteral("errors");
    const QStringList answerKeys = answer.keys();
    QCOMPARE(QSet<QString>(answerKeys.begin(), answerKeys.end()), keys);

    const QString uuid = answer.value(QStringLiteral("uuid")).toString();
    QVERIFY2(isUuid(uuid), qPrintable(uuid));
    QVERIFY(answer.value(QStringLiteral("dcs_region")).isDouble());
    QCOMPARE(answer.value(QStringLiteral("dcs_region")).toInt(), 7);
    const QString tid = answer.value(QStringLiteral("tid")).toString();
    QVERIFY2(isTid(tid), qPrintable(tid));
    QVERIFY(answer.value(QStringLiteral("stuff")).isArray());
    QCOMPARE(answer.value(QStringLiteral("stuff")).toArray(), QJsonArray()); // no segments here
    if (dests)
        QVERIFY(answer.value(QStringLiteral("dests")).isArray());
    if (traits) {
        QVERIFY(answer.value(QStringLiteral("traits")).isArray());
        QVERIFY(answer.value(QStringLiteral("segments")).isArray());
    }
    // errors and X-Error go together, with the same codes; each error is {code, msg}.
    QCOMPARE(answerCodes(answer), headerCodes(reply));
    const QJsonArray errorList = answer.value(QStringLiteral("errors")).toArray();
    for (const QJsonValue &error : errorList) {
        const QStringList errorKeys = error.toObject().keys();
        QCOMPARE(errorKeys, (QStringList{QStringLiteral("code"), QStringLiteral("msg")}));
        QVERIFY(error.toObject().value(QStringLiteral("code")).isDouble());
        QVERIFY(!error.toObject().value(QStringLiteral("msg")).toString().isEmpty());
    }
    QCOMPARE(!reply.header("x-error").isNull(), errors);
    QCOMPARE(reply.header("set-cookie"), expectedSetCookie(uuid));

    // The answer's tid is the stored event's.
    const std::optional<EventRecord> record = events().byTid(tid);
    QVERIFY(record);
    QCOMPARE(record->tid, tid);
    QCOMPARE(record->uuid, uuid);
    QCOMPARE(storedValues(*record, QStringLiteral("c_a")), utf8List({"1"}));
    // Stored per event: the time, the client IP (masked or not), the warnings.
    QVERIFY(record->timeMs >= sentMs && record->timeMs <= answeredMs);
    QVERIFY2(record->clientIp.startsWith(u"127.0.0."), qPrintable(record->clientIp));
    QCOMPARE(answerCodes(QJsonObject{{QStringLiteral("errors"), record->errors}}),
             answerCodes(answer));
}

void tst_DcsApi::jsonp_data()
{
    QTest::addColumn<QByteArray>("callback"); // as sent (encoded)
    QTest::addColumn<QString>("name");        // decoded
    QTest::addColumn<bool>("valid");

    const auto row = [](const char *tag, const QByteArray &sent, const QString &name, bool valid) {
        QTest::newRow(tag) << sent << name << valid;
    };
    row("simple", "cb", QStringLiteral("cb"), true);
    row("dollar", "$", QStringLiteral("$"), true);
    row("underscore", "_", QStringLiteral("_"), true);
    row("jQuery style", "jQuery1830_1690000000000", QStringLiteral("jQuery1830_1690000000000"),
        true);
    row("dotted", "window.dcs.cb_1", QStringLiteral("window.dcs.cb_1"), true);
    row("64 characters", 'a' + QByteArray(63, 'b'),
        QLatin1Char('a') + QString(63, QLatin1Char('b')), true);
    row("alert(1)", "alert%281%29", QStringLiteral("alert(1)"), false);
    row("starts with a digit", "1abc", QStringLiteral("1abc"), false);
    row("65 characters", 'a' + QByteArray(64, 'b'),
        QLatin1Char('a') + QString(64, QLatin1Char('b')), false);
    row("dash", "a-b", QStringLiteral("a-b"), false);
    row("space", "a+b", QStringLiteral("a b"), false);
    row("semicolon", "a%3Bb", QStringLiteral("a;b"), false);
    row("markup", "%3Cscript%3E", QStringLiteral("<script>"), false);
    row("starts with a dot", ".a", QStringLiteral(".a"), false);
    row("non-ASCII letter", "%C3%A9", QString::fromUtf8("\xc3\xa9"), false);
    row("empty", "", QString(), false);
}

void tst_DcsApi::jsonp()
{
    QFETCH(QByteArray, callback);
    QFETCH(QString, name);
    QFETCH(bool, valid);

    const Reply reply = get("/event?d_rtbd=json&c_a=1&d_cb=" + callback);
    QCOMPARE(reply.status, 200);
    QByteArray json = reply.body;
    if (valid) {
        QCOMPARE(reply.header("content-type"), QByteArray("application/javascript"));
        const QByteArray open = name.toLatin1() + '(';
        QVERIFY2(json.startsWith(open) && json.endsWith(");"), json.constData());
        json = json.mid(open.size(), json.size() - open.size() - 2);
        QCOMPARE(reply.header("x-error"), QByteArray());
    } else {
        QCOMPARE(reply.header("content-type"), QByteArray("application/json"));
        QVERIFY2(json.startsWith('{'), json.constData());
        QCOMPARE(reply.header("x-error"), QByteArray("0"));
    }
    const QJsonObject answer = jsonObject(json);
    QVERIFY2(isUuid(answer.value(QStringLiteral("uuid")).toString()), json.constData());
    QCOMPARE(answerCodes(answer), valid ? QList<int>{} : QList<int>{0});
    QVERIFY(events().byTid(answer.value(QStringLiteral("tid")).toString()));
}

// ---------------------------------------------------------------------------------------------
// Identity

void tst_DcsApi::identityResolution_data()
{
    QTest::addColumn<QByteArray>("dUuid");  // "" none, "$P" a valid one, else sent as is
    QTest::addColumn<bool>("cookie");       // a demdex cookie of another visitor
    QTest::addColumn<bool>("linkedCid");    // a d_cid already linked to a third visitor
    QTest::addColumn<QString>("expected");  // param, cookie, linked or new
    QTest::addColumn<QList<int>>("codes");

    const QString param = QStringLiteral("param");
    const QString cookie = QStringLiteral("cookie");
    const QString linked = QStringLiteral("linked");
    const QString fresh = QStringLiteral("new");
    const QByteArray p = "$P";
    QTest::newRow("nothing: a new UUID") << QByteArray() << false << false << fresh << QList<int>{};
    QTest::newRow("d_uuid") << p << false << false << param << QList<int>{};
    QTest::newRow("cookie") << QByteArray() << true << false << cookie << QList<int>{};
    QTest::newRow("declared ID already synced")
        << QByteArray() << false << true << linked << QList<int>{};
    QTest::newRow("d_uuid wins over the cookie") << p << true << false << param << QList<int>{};
    QTest::newRow("d_uuid wins over a synced ID") << p << false << true << param << QList<int>{};
    QTest::newRow("cookie wins over a synced ID")
        << QByteArray() << true << true << cookie << QList<int>{};
    QTest::newRow("d_uuid wins over both") << p << true << true << param << QList<int>{};
    QTest::newRow("invalid d_uuid (short) falls back to the cookie")
        << QByteArray("123") << true << false << cookie << QList<int>{102};
    QTest::newRow("invalid d_uuid (letters) falls back to a new UUID")
        << QByteArray("abcdefghijabcdefghijabcdefghijabcdefgh") << false << false << fresh
        << QList<int>{102};
    QTest::newRow("invalid d_uuid (39 digits) falls back to a synced ID")
        << QByteArray(39, '7') << false << true << linked << QList<int>{102};
    QTest::newRow("invalid d_uuid (37 digits) falls back to a new UUID")
        << QByteArray(37, '7') << false << false << fresh << QList<int>{102};
    QTest::newRow("invalid d_uuid (sign) falls back to the cookie")
        << QByteArray("-1234567890123456789012345678901234567") << true << true << cookie
        << QList<int>{102};
}

void tst_DcsApi::identityResolution()
{
    QFETCH(QByteArray, dUuid);
    QFETCH(bool, cookie);
    QFETCH(bool, linkedCid);
    QFETCH(QString, expected);
    QFETCH(QList<int>, codes);

    const QString paramUuid = randomUuid();
    const QString cookieUuid = randomUuid();
    const QString linkedUuidValue = randomUuid();
    const QString cid = QStringLiteral("idr-1");
    if (linkedCid) {
        QCOMPARE(get("/event?d_cid=1955%01idr-1&d_uuid=" + linkedUuidValue.toLatin1()).status, 200);
        QCOMPARE(linkedUuid(1955, cid), linkedUuidValue);
    }

    QByteArray target = "/event?d_rtbd=json&c_a=1";
    if (!dUuid.isEmpty())
        target += "&d_uuid=" + (dUuid == "$P" ? paramUuid.toLatin1() : dUuid);
    if (linkedCid)
        target += "&d_cid=1955%01idr-1";
    // A browser sends other cookies of the domain along.
    const QByteArray headers =
        cookie ? "Cookie: other=1; demdex=" + cookieUuid.toLatin1() + "; last=2\r\n" : QByteArray();
    const Reply reply = get(target, headers);
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonObject(reply.body);
    const QString uuid = answer.value(QStringLiteral("uuid")).toString();
    QVERIFY(isUuid(uuid));
    if (expected == u"param")
        QCOMPARE(uuid, paramUuid);
    else if (expected == u"cookie")
        QCOMPARE(uuid, cookieUuid);
    else if (expected == u"linked")
        QCOMPARE(uuid, linkedUuidValue);
    else
        QVERIFY(uuid != paramUuid && uuid != cookieUuid && uuid != linkedUuidValue);
    QCOMPARE(answerCodes(answer), codes);
    QCOMPARE(headerCodes(reply), codes);
    // The cookie names the visitor resolved, refreshed on every call.
    QCOMPARE(reply.header("set-cookie"), expectedSetCookie(uuid));
    const std::optional<EventRecord> record =
        events().byTid(answer.value(QStringLiteral("tid")).toString());
    QVERIFY(record);
    QCOMPARE(record->uuid, uuid);
    // The declared ID now points at the visitor of this call: the latest link wins.
    if (linkedCid)
        QCOMPARE(linkedUuid(1955, cid), uuid);
}

void tst_DcsApi::cookieRoundTripWithQnam()
{
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    QNetworkCookieJar *jar = nam.cookieJar();
    QVERIFY(jar);

    // 1. A first call: a new visitor, and the cookie that names it.
    std::unique_ptr<QNetworkReply> first(
        nam.get(QNetworkRequest(url("/event?d_rtbd=json&c_step=1"))));
    QVERIFY(waitFinished(first.get()));
    QCOMPARE(first->error(), QNetworkReply::NoError);
    QCOMPARE(httpStatus(first.get()), 200);
    const QString uuid =
        jsonObject(first->readAll()).value(QStringLiteral("uuid")).toString();
    QVERIFY(isUuid(uuid));
    QCOMPARE(first->rawHeader("Set-Cookie"), expectedSetCookie(uuid));

    // The jar took the cookie with its attributes: 180 days, path /, Secure.
    const QUrl httpUrl = url("/event");
    QUrl httpsUrl = httpUrl;
    httpsUrl.setScheme(QStringLiteral("https"));
    const QList<QNetworkCookie> stored = jar->cookiesForUrl(httpsUrl);
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored.first().name(), QByteArray("demdex"));
    QCOMPARE(stored.first().value(), uuid.toLatin1());
    QVERIFY(stored.first().isSecure());
    QCOMPARE(stored.first().path(), QStringLiteral("/"));
    const qint64 expiresIn =
        QDateTime::currentDateTimeUtc().secsTo(stored.first().expirationDate());
    QVERIFY2(qAbs(expiresIn - kCookieMaxAgeSeconds) < 300, qPrintable(QString::number(expiresIn)));

    // 2. Qt 6.4's QNetworkCookieJar stores this Secure cookie even though it came over plain
    // http://127.0.0.1, but never offers it back for an http:// URL: cookiesForUrl() skips Secure
    // cookies unless the scheme is https (browsers treat loopback as a secure context; Qt does
    // not). So, like a browser on http://localhost would, the next calls send the jar's cookie
    // in an explicit Cookie header.
    const QList<QNetworkCookie> offered = jar->cookiesForUrl(httpUrl);
    const QByteArray cookie = "demdex=" + stored.first().value();
    const auto withCookie = [&](const QUrl &target) {
        QNetworkRequest request(target);
        if (offered.isEmpty())
            request.setRawHeader("Cookie", cookie);
        return request;
    };
    std::unique_ptr<QNetworkReply> second(nam.get(withCookie(url("/event?d_rtbd=json&c_step=2"))));
    QVERIFY(waitFinished(second.get()));
    QCOMPARE(httpStatus(second.get()), 200);
    QCOMPARE(jsonObject(second->readAll()).value(QStringLiteral("uuid")).toString(), uuid);
    QCOMPARE(second->rawHeader("Set-Cookie"), expectedSetCookie(uuid)); // refreshed

    // 3. A form POST, as a page's form or tag would send it: same visitor, body signals stored.
    QNetworkRequest post = withCookie(url("/event?d_rtbd=json&c_step=3"));
    post.setHeader(QNetworkRequest::ContentTypeHeader,
                   QStringLiteral("application/x-www-form-urlencoded"));
    std::unique_ptr<QNetworkReply> third(nam.post(post, QByteArray("c_form=yes&c_list=a,b")));
    QVERIFY(waitFinished(third.get()));
    QCOMPARE(httpStatus(third.get()), 200);
    const QJsonObject thirdAnswer = jsonObject(third->readAll());
    QCOMPARE(thirdAnswer.value(QStringLiteral("uuid")).toString(), uuid);
    const std::optional<EventRecord> posted =
        events().byTid(thirdAnswer.value(QStringLiteral("tid")).toString());
    QVERIFY(posted);
    QCOMPARE(storedValues(*posted, QStringLiteral("c_form")), utf8List({"yes"}));
    QCOMPARE(storedValues(*posted, QStringLiteral("c_list")), utf8List({"a", "b"}));
    QCOMPARE(events().forVisitor(uuid).size(), 3);

    // 4. d_uuid wins over the cookie, and the answer moves the browser's cookie to it.
    const QString other = randomUuid();
    std::unique_ptr<QNetworkReply> fourth(
        nam.get(withCookie(url("/event?d_rtbd=json&d_uuid=" + other.toLatin1()))));
    QVERIFY(waitFinished(fourth.get()));
    QCOMPARE(jsonObject(fourth->readAll()).value(QStringLiteral("uuid")).toString(), other);
    const QList<QNetworkCookie> updated = jar->cookiesForUrl(httpsUrl);
    QCOMPARE(updated.size(), 1);
    QCOMPARE(updated.first().value(), other.toLatin1());
}

void tst_DcsApi::declaredIds_data()
{
    QTest::addColumn<QByteArray>("declared");
    QTest::addColumn<bool>("linked");     // a later call with only `declared` finds the visitor
    QTest::addColumn<qint64>("linkDpid"); // > 0: the id_syncs row to check
    QTest::addColumn<QString>("linkId");
    QTest::addColumn<int>("auth");
    QTest::addColumn<QList<int>>("codes"); // sorted

    const QString u1 = QStringLiteral("u-1");
    const auto ok = [&](const char *tag, const QByteArray &declared, qint64 dpid, int auth) {
        QTest::newRow(tag) << declared << true << dpid << u1 << auth << QList<int>{};
    };
    const auto bad = [](const char *tag, const QByteArray &declared, const QList<int> &codes) {
        QTest::newRow(tag) << declared << false << qint64(0) << QString() << 0 << codes;
    };
    ok("d_cid", "d_cid=1955%01u-1", 1955, 0);
    ok("d_cid, auth 0 (unknown)", "d_cid=1955%01u-1%010", 1955, 0);
    ok("d_cid, auth 1 (authenticated)", "d_cid=1955%01u-1%011", 1955, 1);
    ok("d_cid, auth 2 (logged out)", "d_cid=1955%01u-1%012", 1955, 2);
    bad("d_cid, auth 3", "d_cid=1955%01u-1%013", {104, 300});
    bad("d_cid, auth x", "d_cid=1955%01u-1%01x", {104, 300});
    bad("d_cid, empty auth", "d_cid=1955%01u-1%01", {104, 300});
    bad("d_cid without ID", "d_cid=1955%01", {104, 300});
    bad("d_cid without separator", "d_cid=1955", {104, 300});
    bad("d_cid, DPID not a number", "d_cid=abc%01u-1", {104, 300});
    bad("d_cid, negative DPID", "d_cid=-5%01u-1", {104, 300});
    bad("d_cid, too many fields", "d_cid=1955%01u-1%011%01x", {104, 300});
    bad("two invalid d_cid", "d_cid=abc%01u-1&d_cid=1955%01u-1%019", {104, 300, 300});
    QTest::newRow("one valid, one invalid d_cid")
        << QByteArray("d_cid=1955%01u-1&d_cid=abc%01u-2") << true << qint64(1955) << u1 << 0
        << QList<int>{300};
    ok("d_cid_ic", "d_cid_ic=crm-ic%01u-1", kIcDpid, 0);
    ok("d_cid_ic, auth 1", "d_cid_ic=crm-ic%01u-1%011", kIcDpid, 1);
    bad("d_cid_ic, unknown integration code", "d_cid_ic=nope%01u-1", {104, 300});
    bad("d_cid_ic, bad auth", "d_cid_ic=crm-ic%01u-1%019", {104, 300});
    ok("d_dpid + d_dpuuid", "d_dpid=1955&d_dpuuid=u-1", 1955, 0);
    bad("d_dpid without d_dpuuid", "d_dpid=1955", {104, 300});
    bad("d_dpuuid without d_dpid", "d_dpuuid=u-1", {104, 300});
    QTest::newRow("d_mid") << QByteArray("d_mid=12345678901234567890123456789012345678") << true
                           << qint64(0) << QString() << 0 << QList<int>{};
    bad("d_mid too short", "d_mid=123", {101});
    bad("d_mid with letters", "d_mid=1234567890123456789012345678901234567x", {101});
}

void tst_DcsApi::declaredIds()
{
    QFETCH(QByteArray, declared);
    QFETCH(bool, linked);
    QFETCH(qint64, linkDpid);
    QFETCH(QString, linkId);
    QFETCH(int, auth);
    QFETCH(QList<int>, codes);

    QVERIFY(addIntegrationCodePartner());
    const QString visitor = randomUuid();
    const Reply reply = get("/event?d_rtbd=json&d_uuid=" + visitor.toLatin1() + '&' + declared);
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonObject(reply.body);
    QCOMPARE(answer.value(QStringLiteral("uuid")).toString(), visitor);
    QCOMPARE(sorted(answerCodes(answer)), codes);
    QCOMPARE(sorted(headerCodes(reply)), codes);

    if (linkDpid > 0) {
        QCOMPARE(linkedUuid(linkDpid, linkId), visitor);
        QCOMPARE(authStateOf(linkDpid, linkId), auth);
        const std::optional<EventRecord> record =
            events().byTid(answer.value(QStringLiteral("tid")).toString());
        QVERIFY(record);
        const QJsonObject expectedId{{QStringLiteral("dpid"), double(linkDpid)},
                                     {QStringLiteral("id"), linkId},
                                     {QStringLiteral("auth"), auth}};
        QVERIFY2(record->declaredIds.contains(expectedId),
                 QJsonDocument(record->declaredIds).toJson().constData());
    }

    // Later, with nothing but the declared ID (no cookie, no d_uuid): the same visitor, if the
    // ID was linked.
    const QJsonObject later = jsonObject(get("/event?d_rtbd=json&" + declared).body);
    const QString laterUuid = later.value(QStringLiteral("uuid")).toString();
    QVERIFY(isUuid(laterUuid));
    if (linked)
        QCOMPARE(laterUuid, visitor);
    else
        QVERIFY(laterUuid != visitor);
}

void tst_DcsApi::declaredIdLimits_data()
{
    QTest::addColumn<QByteArray>("declared");
    QTest::addColumn<QList<int>>("codes"); // sorted
    QTest::addColumn<QStringList>("linkedIds");  // "dpid:id"
    QTest::addColumn<QStringList>("droppedIds"); // "dpid:id"

    // `count` IDs: each of its own data source, or all for DPID 1955.
    const auto ids = [](int count, bool oneDpid, QByteArray *query, QStringList *all) {
        for (int i = 0; i < count; ++i) {
            const qint64 dpid = oneDpid ? 1955 : 1000 + i;
            const QByteArray id = "lim-" + QByteArray::number(i);
            *query += "&d_cid=" + QByteArray::number(dpid) + "%01" + id;
            all->append(QString::number(dpid) + u':' + QString::fromLatin1(id));
        }
    };
    struct Case
    {
        const char *tag;
        int count;
        bool oneDpid;
        QList<int> codes;
        int kept;
    };
    const Case cases[] = {
        {"10 IDs", 10, false, {}, 10},
        {"11 IDs: 301 + 309", 11, false, {301, 309}, 10},
        {"12 IDs: 301 + 309 per dropped ID", 12, false, {301, 309, 309}, 10},
        {"3 IDs for one DPID", 3, true, {}, 3},
        {"4 IDs for one DPID: 310 + 309", 4, true, {309, 310}, 3},
    };
    for (const Case &c : cases) {
        QByteArray query;
        QStringList all;
        ids(c.count, c.oneDpid, &query, &all);
        QTest::newRow(c.tag) << query.mid(1) << c.codes << all.mid(0, c.kept) << all.mid(c.kept);
    }
    // Mixed: 4 for DPID 1955 among others; only the 4th for 1955 goes.
    QTest::newRow("4 for one DPID among others")
        << QByteArray("d_cid=1955%01a&d_cid=2000%01x&d_cid=1955%01b&d_cid=1955%01c"
                      "&d_cid=2000%01y&d_cid=1955%01d")
        << QList<int>{309, 310} << utf8List({"1955:a", "2000:x", "1955:b", "1955:c", "2000:y"})
        << utf8List({"1955:d"});
}

void tst_DcsApi::declaredIdLimits()
{
    QFETCH(QByteArray, declared);
    QFETCH(QList<int>, codes);
    QFETCH(QStringList, linkedIds);
    QFETCH(QStringList, droppedIds);

    const QString visitor = randomUuid();
    const Reply reply = get("/event?d_rtbd=json&d_uuid=" + visitor.toLatin1() + '&' + declared);
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonObject(reply.body);
    QCOMPARE(sorted(answerCodes(answer)), codes);
    QCOMPARE(sorted(headerCodes(reply)), codes);
    for (const QString &id : linkedIds)
        QVERIFY2(linkedUuid(id.section(u':', 0, 0).toLongLong(), id.section(u':', 1)) == visitor,
                 qPrintable(id));
    for (const QString &id : droppedIds)
        QVERIFY2(!linkedUuid(id.section(u':', 0, 0).toLongLong(), id.section(u':', 1)),
                 qPrintable(id));
    const std::optional<EventRecord> record =
        events().byTid(answer.value(QStringLiteral("tid")).toString());
    QVERIFY(record);
    QCOMPARE(record->declaredIds.size(), linkedIds.size());
}

void tst_DcsApi::latestLinkWins()
{
    const QString first = randomUuid();
    const QString second = randomUuid();
    const QString id = QStringLiteral("shared-1");

    Reply reply = get("/event?d_rtbd=json&d_cid=1955%01shared-1", cookieHeader(first));
    QCOMPARE(jsonObject(reply.body).value(QStringLiteral("uuid")).toString(), first);
    QCOMPARE(linkedUuid(1955, id), first);

    // The same partner ID seen with another visitor's cookie: re-linked to that visitor.
    reply = get("/event?d_rtbd=json&d_cid=1955%01shared-1", cookieHeader(second));
    QCOMPARE(jsonObject(reply.body).value(QStringLiteral("uuid")).toString(), second);
    QCOMPARE(linkedUuid(1955, id), second);

    // A call with only the ID resolves to the latest link.
    reply = get("/event?d_rtbd=json&d_cid=1955%01shared-1");
    QCOMPARE(jsonObject(reply.body).value(QStringLiteral("uuid")).toString(), second);

    // And back again, through an inbound ID sync this time.
    reply = get("/ibs:dpid=1955&dpuuid=shared-1", cookieHeader(first));
    QCOMPARE(reply.status, 200);
    QCOMPARE(linkedUuid(1955, id), first);
    reply = get("/event?d_rtbd=json&d_cid=1955%01shared-1");
    QCOMPARE(jsonObject(reply.body).value(QStringLiteral("uuid")).toString(), first);
}

void tst_DcsApi::ibs_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<bool>("cookie");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("xError");
    QTest::addColumn<qint64>("linkDpid"); // 0: no link to check
    QTest::addColumn<QString>("linkId");
    QTest::addColumn<QByteArray>("location"); // $UUID: the visitor's UUID; empty: none

    const QByteArray partnerUrl = "http%3A%2F%2Fpartner.example%2Fsync%3Fuid%3D%24%7BDD_UUID%7D";
    const QByteArray partnerLocation = "http://partner.example/sync?uid=$UUID";
    QTest::newRow("path form") << QByteArray("/ibs:dpid=1955&dpuuid=ibs-1") << false << 200
                               << QByteArray() << qint64(1955) << QStringLiteral("ibs-1")
                               << QByteArray();
    QTest::newRow("path form, known visitor") << QByteArray("/ibs:dpid=1955&dpuuid=ibs-1") << true
                                              << 200 << QByteArray() << qint64(1955)
                                              << QStringLiteral("ibs-1") << QByteArray();
    QTest::newRow("query form") << QByteArray("/ibs?dpid=1955&dpuuid=ibs-2") << false << 200
                                << QByteArray() << qint64(1955) << QStringLiteral("ibs-2")
                                << QByteArray();
    QTest::newRow("encoded partner ID") << QByteArray("/ibs:dpid=77&dpuuid=a%2Bb%40c") << false
                                        << 200 << QByteArray() << qint64(77)
                                        << QStringLiteral("a+b@c") << QByteArray();
    QTest::newRow("redir http") << "/ibs:dpid=1955&dpuuid=ibs-3&redir=" + partnerUrl << false
                                << 302 << QByteArray() << qint64(1955) << QStringLiteral("ibs-3")
                                << partnerLocation;
    QTest::newRow("redir http, known visitor")
        << "/ibs:dpid=1955&dpuuid=ibs-3&redir=" + partnerUrl << true << 302 << QByteArray()
        << qint64(1955) << QStringLiteral("ibs-3") << partnerLocation;
    QTest::newRow("redir https, macro twice, query form")
        << QByteArray("/ibs?dpid=1955&dpuuid=ibs-4&redir=https%3A%2F%2Fp.example%2F%24%7BDD_UUID"
                      "%7D%3Fu%3D%24%7BDD_UUID%7D")
        << true << 302 << QByteArray() << qint64(1955) << QStringLiteral("ibs-4")
        << QByteArray("https://p.example/$UUID?u=$UUID");
    QTest::newRow("redir with its own query")
        << QByteArray("/ibs:dpid=1955&dpuuid=ibs-6&redir=https%3A%2F%2Fp.example%2Fs%3Fa%3D1%26b"
                      "%3D2%26u%3D%24%7BDD_UUID%7D")
        << false << 302 << QByteArray() << qint64(1955) << QStringLiteral("ibs-6")
        << QByteArray("https://p.example/s?a=1&b=2&u=$UUID");
    // Unencoded, as some partners send it (without a '?': in the path form that starts the query).
    QTest::newRow("redir sent unencoded")
        << QByteArray("/ibs:dpid=1955&dpuuid=ibs-8&redir=http://p.example/sync/${DD_UUID}")
        << false << 302 << QByteArray() << qint64(1955) << QStringLiteral("ibs-8")
        << QByteArray("http://p.example/sync/$UUID");
    // Unencoded with its own '?query': everything after "/ibs:" is parameters, '?' included.
    QTest::newRow("redir sent unencoded, with a query")
        << QByteArray("/ibs:dpid=1955&dpuuid=ibs-9&redir=http://p.example/sync?uid=${DD_UUID}")
        << false << 302 << QByteArray() << qint64(1955) << QStringLiteral("ibs-9")
        << QByteArray("http://p.example/sync?uid=$UUID");
    QTest::newRow("redir without the macro")
        << QByteArray("/ibs:dpid=1955&dpuuid=ibs-5&redir=https%3A%2F%2Fp.example%2Fdone") << false
        << 302 << QByteArray() << qint64(1955) << QStringLiteral("ibs-5")
        << QByteArray("https://p.example/done");
    const auto missing = [](const char *tag, const QByteArray &target) {
        QTest::newRow(tag) << target << false << 200 << QByteArray("300") << qint64(0) << QString()
                           << QByteArray();
    };
    missing("no dpuuid", "/ibs:dpid=1955");
    missing("empty dpuuid", "/ibs:dpid=1955&dpuuid=");
    missing("no dpid", "/ibs:dpuuid=ibs-6");
    missing("dpid not a number", "/ibs:dpid=abc&dpuuid=ibs-6");
    missing("nothing after the colon", "/ibs:");
    missing("query form, nothing", "/ibs");
    missing("redir but no dpuuid", "/ibs:dpid=1955&redir=" + partnerUrl);
    const auto badRedirect = [](const char *tag, const QByteArray &redirect) {
        QTest::newRow(tag) << "/ibs:dpid=1955&dpuuid=ibs-7&redir=" + redirect << false << 200
                           << QByteArray("0") << qint64(0) << QString() << QByteArray();
    };
    badRedirect("redir javascript:", "javascript%3Aalert(1)");
    badRedirect("redir ftp:", "ftp%3A%2F%2Fp.example%2F");
    badRedirect("redir data:", "data%3Atext%2Fhtml%2C%3Cscript%3E");
    badRedirect("redir scheme-relative", "%2F%2Fevil.example%2F");
    badRedirect("redir relative path", "%2Flocal");
    const auto badEncoding = [](const char *tag, const QByteArray &target) {
        QTest::newRow(tag) << target << false << 200 << QByteArray("311") << qint64(0) << QString()
                           << QByteArray();
    };
    badEncoding("bad escape in dpuuid", "/ibs:dpid=1955&dpuuid=ibs-%zz");
    badEncoding("invalid UTF-8 in dpuuid, query form", "/ibs?dpid=1955&dpuuid=ibs-%C3");
}

void tst_DcsApi::ibs()
{
    QFETCH(QByteArray, target);
    QFETCH(bool, cookie);
    QFETCH(int, status);
    QFETCH(QByteArray, xError);
    QFETCH(qint64, linkDpid);
    QFETCH(QString, linkId);
    QFETCH(QByteArray, location);

    const QString known = randomUuid();
    const Reply reply = get(target, cookie ? cookieHeader(known) : QByteArray());
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.header("x-error"), xError);
    // A sync names the visitor in the cookie; a refused one need not (dcs-api.md does not say).
    const QString uuid = setCookieUuid(reply);
    if (linkDpid > 0 || !reply.header("set-cookie").isNull()) {
        QVERIFY2(isUuid(uuid), reply.head.constData());
        QCOMPARE(reply.header("set-cookie"), expectedSetCookie(uuid));
    }
    if (cookie)
        QCOMPARE(uuid, known);
    if (status == 200)
        QVERIFY2(isTransparentGif(reply), reply.head.constData());
    QByteArray expectedLocation = location;
    expectedLocation.replace("$UUID", uuid.toLatin1());
    QCOMPARE(reply.header("location"), expectedLocation);
    if (linkDpid > 0)
        QCOMPARE(linkedUuid(linkDpid, linkId), uuid);
    if (xError == "311") {
        QSqlQuery links(m_server->storage()->reader());
        QVERIFY(links.exec(QStringLiteral("SELECT count(*) FROM id_syncs")) && links.next());
        QCOMPARE(links.value(0).toInt(), 0);
    }

    if (linkDpid > 0) {
        // The sync resolves the visitor's later calls that carry only the partner's ID.
        const QByteArray cid = "&d_cid=" + QByteArray::number(linkDpid) + "%01"
                               + QUrl::toPercentEncoding(linkId);
        QCOMPARE(jsonObject(get("/event?d_rtbd=json" + cid).body)
                     .value(QStringLiteral("uuid"))
                     .toString(),
                 uuid);
    }
}

void tst_DcsApi::idEndpoint_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<bool>("cookie");
    QTest::addColumn<QString>("linkId"); // a d_cid of DPID 1955 to be linked; empty: none

    QTest::newRow("new visitor") << QByteArray("d_orgid=ABC%40AdobeOrg&d_ver=2") << false
                                 << QString();
    QTest::newRow("known visitor") << QByteArray("d_orgid=ABC%40AdobeOrg&d_ver=2") << true
                                   << QString();
    QTest::newRow("new visitor with d_cid")
        << QByteArray("d_orgid=ABC%40AdobeOrg&d_ver=2&d_cid=1955%01id-1") << false
        << QStringLiteral("id-1");
    QTest::newRow("known visitor with d_cid")
        << QByteArray("d_orgid=ABC%40AdobeOrg&d_ver=2&d_cid=1955%01id-2%011") << true
        << QStringLiteral("id-2");
}

void tst_DcsApi::idEndpoint()
{
    QFETCH(QByteArray, query);
    QFETCH(bool, cookie);
    QFETCH(QString, linkId);

    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    const QString known = randomUuid();
    QNetworkRequest request(url("/id?" + query));
    if (cookie)
        request.setRawHeader("Cookie", "demdex=" + known.toLatin1());
    std::unique_ptr<QNetworkReply> reply(nam.get(request));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QCOMPARE(httpStatus(reply.get()), 200);
    QCOMPARE(reply->rawHeader("Content-Type"), QByteArray("application/json"));
    const QByteArray body = reply->readAll();
    const QJsonObject answer = jsonObject(body);
    const QStringList keys = answer.keys();
    QCOMPARE(QSet<QString>(keys.begin(), keys.end()),
             (QSet<QString>{QStringLiteral("d_mid"), QStringLiteral("dcs_region"),
                            QStringLiteral("id_sync_ttl")}));
    const QString mid = answer.value(QStringLiteral("d_mid")).toString();
    QVERIFY2(isUuid(mid), body.constData());
    if (cookie)
        QCOMPARE(mid, known);
    QCOMPARE(answer.value(QStringLiteral("dcs_region")).toInt(), 7);
    QCOMPARE(answer.value(QStringLiteral("id_sync_ttl")).toInt(), 604800);
    QCOMPARE(reply->rawHeader("Set-Cookie"), expectedSetCookie(mid));
    QUrl httpsUrl = url("/");
    httpsUrl.setScheme(QStringLiteral("https"));
    const QList<QNetworkCookie> jarred = nam.cookieJar()->cookiesForUrl(httpsUrl);
    QCOMPARE(jarred.size(), 1);
    QCOMPARE(jarred.first().value(), mid.toLatin1());

    if (!linkId.isEmpty()) {
        QCOMPARE(linkedUuid(1955, linkId), mid);
        const QJsonObject later =
            jsonObject(get("/event?d_rtbd=json&d_cid=1955%01" + linkId.toLatin1()).body);
        QCOMPARE(later.value(QStringLiteral("uuid")).toString(), mid);
    }
}

void tst_DcsApi::optOut_data()
{
    QTest::addColumn<bool>("optOutByCookie");
    QTest::addColumn<bool>("eventByCookie");

    QTest::newRow("d_uuid, then d_uuid") << false << false;
    QTest::newRow("d_uuid, then cookie") << false << true;
    QTest::newRow("cookie, then cookie") << true << true;
    QTest::newRow("cookie, then d_uuid") << true << false;
}

void tst_DcsApi::optOut()
{
    QFETCH(bool, optOutByCookie);
    QFETCH(bool, eventByCookie);

    const QString visitor = randomUuid();
    const QByteArray byParam = "&d_uuid=" + visitor.toLatin1();
    QCOMPARE(get("/event?c_before=1" + byParam).status, 200);
    QCOMPARE(events().forVisitor(visitor).size(), 1);

    const Reply optedOut = optOutByCookie ? get("/demoptout.jpg", cookieHeader(visitor))
                                          : get("/demoptout.jpg?d_uuid=" + visitor.toLatin1());
    QCOMPARE(optedOut.status, 200);

    const qint64 before = events().count();
    const QByteArray target = "/event?d_rtbd=json&c_after=1&d_cid=1955%01oo-1"
                              + (eventByCookie ? QByteArray() : byParam);
    const QByteArray headers = eventByCookie ? cookieHeader(visitor) : QByteArray();
    const Reply reply = get(target, headers);
    QCOMPARE(reply.status, 200);
    const QJsonObject answer = jsonObject(reply.body);
    QCOMPARE(answer.value(QStringLiteral("uuid")).toString(), visitor);
    QVERIFY2(answerCodes(answer).contains(171), reply.body.constData());
    QVERIFY2(headerCodes(reply).contains(171), reply.head.constData());
    // The GIF form says so too.
    const Reply pixel = get("/event?c_after=2" + (eventByCookie ? QByteArray() : byParam), headers);
    QVERIFY(isTransparentGif(pixel));
    QVERIFY2(headerCodes(pixel).contains(171), pixel.head.constData());

    // Nothing stored: no event, no ID link.
    QCOMPARE(events().count(), before);
    QCOMPARE(events().forVisitor(visitor).size(), 1);
    QVERIFY(!linkedUuid(1955, QStringLiteral("oo-1")));
}

void tst_DcsApi::optOutSurvivesRestart()
{
    const QString visitor = randomUuid();
    QCOMPARE(get("/demoptout.jpg?d_uuid=" + visitor.toLatin1()).status, 200);
    const QString database = m_databasePath;
    QVERIFY(startServer({}, {}, database)); // the same database, a new server

    const qint64 before = events().count();
    const Reply reply = get("/event?d_rtbd=json&c_a=1", cookieHeader(visitor));
    QCOMPARE(reply.status, 200);
    QVERIFY2(headerCodes(reply).contains(171), reply.head.constData());
    QCOMPARE(events().count(), before);
}

// ---------------------------------------------------------------------------------------------
// The other routes

void tst_DcsApi::tagPages_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArrayList>("contentTypes"); // any of these, parameters aside
    QTest::addColumn<QByteArrayList>("mentions");     // the body names each

    QTest::newRow("/tag.js") << QByteArray("/tag.js")
                             << QByteArrayList{"application/javascript", "text/javascript"}
                             << QByteArrayList{"dest.html"};
    QTest::newRow("/dest.html") << QByteArray("/dest.html") << QByteArrayList{"text/html"}
                                << QByteArrayList{"/event", "postMessage"};
    QTest::newRow("/demo") << QByteArray("/demo") << QByteArrayList{"text/html"}
                           << QByteArrayList{"tag.js"};
}

void tst_DcsApi::tagPages()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArrayList, contentTypes);
    QFETCH(QByteArrayList, mentions);

    const Reply reply = get(path);
    QCOMPARE(reply.status, 200);
    const QByteArray type = reply.header("content-type").split(';').constFirst().trimmed();
    QVERIFY2(contentTypes.contains(type.toLower()), type.constData());
    for (const QByteArray &mention : std::as_const(mentions))
        QVERIFY2(reply.body.contains(mention), mention.constData());
}

// ---------------------------------------------------------------------------------------------
// Robustness and transport

void tst_DcsApi::neverAnswers500()
{
    constexpr int kRequests = 2000;
    const QSet<int> allowed{200, 400, 404, 405, 413, 414, 431};
    QRandomGenerator rng(20240611); // seeded: a failure replays
    auto client = std::make_unique<RawClient>(m_port);
    QMap<int, int> statuses;
    int connections = 1;
    for (int i = 0; i < kRequests; ++i) {
        bool mayRedirect = false;
        const QByteArray request = fuzzRequest(rng, &mayRedirect);
        const int before = client->replyCount();
        client->send(request);
        QVERIFY2(client->waitForReplies(before + 1),
                 qPrintable(QStringLiteral("request %1 got no answer: %2")
                                .arg(i)
                                .arg(QString::fromLatin1(request.left(300).toPercentEncoding(
                                    " /?&=:%")))));
        for (int r = before; r < client->replyCount(); ++r) {
            const Reply reply = client->reply(r);
            ++statuses[reply.status];
            QVERIFY2(allowed.contains(reply.status) || (mayRedirect && reply.status == 302),
                     qPrintable(QStringLiteral("request %1 answered %2: %3")
                                    .arg(i)
                                    .arg(reply.status)
                                    .arg(QString::fromLatin1(request.left(300).toPercentEncoding(
                                        " /?&=:%")))));
        }
        if (client->reply(client->replyCount() - 1).closes()) {
            client = std::make_unique<RawClient>(m_port);
            ++connections;
        }
    }
    qInfo() << "statuses" << statuses << "over" << connections << "connections";
    QVERIFY(statuses.value(200) > kRequests / 2); // the loop mostly made real calls
    QVERIFY(statuses.value(200) < kRequests);     // and hit the error paths too

    // Still healthy.
    const Reply health = get("/healthz");
    QCOMPARE(health.status, 200);
    QCOMPARE(health.body, QByteArray("ok\n"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->listener().counters().inFlightRequests, 0, kTimeoutMs);
    const QJsonObject answer = jsonObject(get("/event?d_rtbd=json&c_after=1").body);
    QVERIFY(events().byTid(answer.value(QStringLiteral("tid")).toString()));
}

void tst_DcsApi::pipelinedEventsInOrder()
{
    constexpr int kRequests = 24;
    // GETs, with every third one a form POST whose signal is in the body: the answers must
    // follow the requests, and every body must end where the next request starts.
    QByteArray batch;
    for (int i = 0; i < kRequests; ++i) {
        const QByteArray n = "c_n=" + QByteArray::number(i);
        batch += i % 3 == 2 ? postRequest("/event?d_rtbd=json", "application/x-www-form-urlencoded",
                                          n)
                            : getRequest("/event?d_rtbd=json&" + n);
    }
    const qint64 before = events().count();

    RawClient client(m_port);
    client.send(batch); // all at once, on one connection
    QVERIFY(client.waitForReplies(kRequests));
    QSet<QString> tids;
    for (int i = 0; i < kRequests; ++i) {
        const Reply reply = client.reply(i);
        QCOMPARE(reply.status, 200);
        const QString tid = jsonObject(reply.body).value(QStringLiteral("tid")).toString();
        const std::optional<EventRecord> record = events().byTid(tid);
        QVERIFY2(record, qPrintable(tid));
        // The i-th answer is the i-th request's.
        QCOMPARE(storedValues(*record, QStringLiteral("c_n")), QStringList{QString::number(i)});
        tids.insert(tid);
    }
    QCOMPARE(tids.size(), kRequests);
    QCOMPARE(events().count(), before + kRequests);
    QVERIFY(client.isConnected()); // keep-alive
}

void tst_DcsApi::pipelinedAnswersWaitForEarlierOnes()
{
    auto stage = std::make_shared<HoldingStage>();
    QVERIFY(startServer({}, stage));

    RawClient client(m_port);
    client.send(getRequest("/event?d_rtbd=json&c_n=0") + getRequest("/healthz")
                + getRequest("/event?d_rtbd=json&c_n=1"));
    QTRY_COMPARE_WITH_TIMEOUT(stage->heldCount(), 2, kTimeoutMs); // both events in the stage
    // The last one completes first (stored, answer ready), then the first one.
    stage->release(1);
    QTRY_COMPARE_WITH_TIMEOUT(events().count(), qint64(1), kTimeoutMs);
    QCOMPARE(client.replyCount(), 0); // nothing may go out before the first answer
    stage->release(0);
    QVERIFY(client.waitForReplies(3));

    // Answers in request order all the same.
    const auto storedN = [this](const Reply &reply) {
        const std::optional<EventRecord> record =
            events().byTid(jsonObject(reply.body).value(QStringLiteral("tid")).toString());
        return record ? storedValues(*record, QStringLiteral("c_n")) : QStringList();
    };
    QCOMPARE(storedN(client.reply(0)), utf8List({"0"}));
    QCOMPARE(client.reply(1).body, QByteArray("ok\n"));
    QCOMPARE(storedN(client.reply(2)), utf8List({"1"}));
}

void tst_DcsApi::qnamConcurrentRequests()
{
    constexpr int kRequests = 20;
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    std::vector<std::unique_ptr<QNetworkReply>> replies;
    for (int i = 0; i < kRequests; ++i) {
        QNetworkRequest request(url("/event?d_rtbd=json&c_n=" + QByteArray::number(i)));
        request.setAttribute(QNetworkRequest::HttpPipeliningAllowedAttribute, true);
        replies.emplace_back(nam.get(request));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.begin(), replies.end(),
                                         [](const auto &reply) { return reply->isFinished(); }),
                             kTimeoutMs);
    for (int i = 0; i < kRequests; ++i) {
        QNetworkReply *reply = replies.at(i).get();
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(httpStatus(reply), 200);
        const QString tid = jsonObject(reply->readAll()).value(QStringLiteral("tid")).toString();
        const std::optional<EventRecord> record = events().byTid(tid);
        QVERIFY2(record, qPrintable(tid));
        QCOMPARE(storedValues(*record, QStringLiteral("c_n")), QStringList{QString::number(i)});
    }
}

void tst_DcsApi::http10_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<QString>("marker"); // the c_n value stored

    QTest::newRow("HTTP/1.0 GET closes")
        << QByteArray("GET /event?d_rtbd=json&c_n=a HTTP/1.0\r\n\r\n") << false
        << QStringLiteral("a");
    QTest::newRow("HTTP/1.0 GET with Host closes")
        << QByteArray("GET /event?d_rtbd=json&c_n=b HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n") << false
        << QStringLiteral("b");
    QTest::newRow("HTTP/1.0 POST closes")
        << QByteArray("POST /event?d_rtbd=json HTTP/1.0\r\nContent-Type: "
                      "application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\nc_n=c")
        << false << QStringLiteral("c");
    QTest::newRow("HTTP/1.0 keep-alive stays open")
        << QByteArray("GET /event?d_rtbd=json&c_n=d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        << true << QStringLiteral("d");
    QTest::newRow("HTTP/1.1 Connection: close closes")
        << QByteArray("GET /event?d_rtbd=json&c_n=e HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Connection: close\r\n\r\n")
        << false << QStringLiteral("e");
}

void tst_DcsApi::http10()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, keepAlive);
    QFETCH(QString, marker);

    RawClient client(m_port);
    client.send(request);
    QVERIFY(client.waitForReplies(1));
    const Reply reply = client.reply(0);
    QCOMPARE(reply.status, 200);
    const std::optional<EventRecord> record =
        events().byTid(jsonObject(reply.body).value(QStringLiteral("tid")).toString());
    QVERIFY(record);
    QCOMPARE(storedValues(*record, QStringLiteral("c_n")), QStringList{marker});
    if (keepAlive) {
        QCOMPARE(reply.header("connection").toLower(), QByteArray("keep-alive"));
        client.send(request);
        QVERIFY(client.waitForReplies(2));
        QCOMPARE(client.reply(1).status, 200);
    } else {
        QCOMPARE(reply.header("connection").toLower(), QByteArray("close"));
        QVERIFY(client.waitForClose()); // the server closed after the answer
        QCOMPARE(client.replyCount(), 1);
    }
}

void tst_DcsApi::splitRequest_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QList<int>>("cuts"); // offsets where the request is split
    QTest::addColumn<QString>("key");
    QTest::addColumn<QStringList>("values");

    const QByteArray get = getRequest("/event?d_rtbd=json&c_split=%C3%A9t%C3%A9,b&c_z=1",
                                      "User-Agent: split/1.0\r\n");
    const QStringList values = utf8List({"\xc3\xa9t\xc3\xa9", "b"});
    const QString key = QStringLiteral("c_split");
    const int escape = int(get.indexOf("%A9")) + 2; // between "%A" and "9"
    QTest::newRow("inside the method") << get << QList<int>{2} << key << values;
    QTest::newRow("inside a percent escape") << get << QList<int>{escape} << key << values;
    QTest::newRow("in the query and in a header")
        << get << QList<int>{int(get.indexOf("c_z")), int(get.indexOf("split/"))} << key << values;
    QTest::newRow("between CR and LF of the last line")
        << get << QList<int>{int(get.size()) - 1} << key << values;
    QTest::newRow("before the final CRLF") << get << QList<int>{int(get.size()) - 2} << key
                                           << values;
    QList<int> everyByte;
    for (int i = 1; i < get.size(); ++i)
        everyByte.append(i);
    QTest::newRow("one byte at a time") << get << everyByte << key << values;

    const QByteArray post = postRequest("/event?d_rtbd=json", "application/x-www-form-urlencoded",
                                        "c_body=first,second&c_more=1");
    const int bodyStart = int(post.indexOf("\r\n\r\n")) + 4;
    const QStringList bodyValues = utf8List({"first", "second"});
    QTest::newRow("POST, between head and body") << post << QList<int>{bodyStart}
                                                 << QStringLiteral("c_body") << bodyValues;
    QTest::newRow("POST, inside the body") << post << QList<int>{bodyStart + 10}
                                           << QStringLiteral("c_body") << bodyValues;
    QTest::newRow("POST, inside Content-Length")
        << post << QList<int>{int(post.indexOf("Content-Length: ")) + 17, bodyStart + 3}
        << QStringLiteral("c_body") << bodyValues;
}

void tst_DcsApi::splitRequest()
{
    QFETCH(QByteArray, request);
    QFETCH(QList<int>, cuts);
    QFETCH(QString, key);
    QFETCH(QStringList, values);

    QList<QByteArray> chunks;
    int start = 0;
    for (int cut : std::as_const(cuts)) {
        chunks.append(request.mid(start, cut - start));
        start = cut;
    }
    chunks.append(request.mid(start));

    RawClient client(m_port);
    client.send(chunks.takeFirst());
    // The rest follows chunk by chunk from a timer; no answer may come before the last byte.
    bool answeredEarly = false;
    QTimer feeder;
    feeder.setInterval(chunks.size() > 20 ? 5 : 60);
    connect(&feeder, &QTimer::timeout, &feeder, [&] {
        if (chunks.isEmpty()) {
            feeder.stop(); // everything is sent: from here on an answer is not early
            return;
        }
        if (client.replyCount() > 0)
            answeredEarly = true;
        client.send(chunks.takeFirst());
    });
    feeder.start();
    QVERIFY(client.waitForReplies(1, kTimeoutMs + int(cuts.size()) * 100));
    QVERIFY(chunks.isEmpty());
    QVERIFY(!answeredEarly);
    const Reply reply = client.reply(0);
    QCOMPARE(reply.status, 200);
    const std::optional<EventRecord> record =
        events().byTid(jsonObject(reply.body).value(QStringLiteral("tid")).toString());
    QVERIFY(record);
    QCOMPARE(storedValues(*record, key), values);
    QVERIFY(client.isConnected());
}

void tst_DcsApi::requestLimits_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QList<int>>("statuses");
    QTest::addColumn<bool>("closes");
    QTest::addColumn<bool>("stored");

    const QByteArray form = "application/x-www-form-urlencoded";
    QTest::newRow("header over 8 KiB")
        << getRequest("/event?c_a=1", "X-Big: " + QByteArray(9000, 'h') + "\r\n")
        << QList<int>{431} << true << false;
    QTest::newRow("many headers over 8 KiB")
        << getRequest("/event?c_a=1", QByteArray("X-Many: 0123456789012345678901234567890123\r\n")
                                          .repeated(200))
        << QList<int>{431} << true << false;
    QTest::newRow("request line over 8 KiB")
        << getRequest("/event?c_a=" + QByteArray(9000, 'u')) << QList<int>{414, 431} << true
        << false;
    QTest::newRow("POST body over 32 KiB")
        << postRequest("/event?c_a=1", form, "c_b=" + QByteArray(33000, 'b')) << QList<int>{413}
        << true << false;
    QTest::newRow("POST body over 32 KiB, declared only")
        << QByteArray("POST /event?c_a=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + form
                      + "\r\nContent-Length: 1000000\r\n\r\nc_b=1")
        << QList<int>{413} << true << false;
    // Just inside the limits: served. (8 KiB less 4, however the final CRLF CRLF is counted.)
    const QByteArray head = getRequest("/event?c_a=1", "X-Fill: \r\n");
    QTest::newRow("request head of 8 KiB - 4")
        << getRequest("/event?c_a=1",
                      "X-Fill: " + QByteArray(8188 - int(head.size()), 'f') + "\r\n")
        << QList<int>{200} << false << true;
    const QByteArray line = getRequest("/event?c_a=");
    QTest::newRow("request line of nearly 8 KiB")
        << getRequest("/event?c_a=" + QByteArray(8188 - int(line.size()), 'u')) << QList<int>{200}
        << false << true;
    QTest::newRow("POST body of exactly 32 KiB")
        << postRequest("/event?c_a=1", form, "c_b=" + QByteArray(32768 - 4, 'b'))
        << QList<int>{200} << false << true;
}

void tst_DcsApi::requestLimits()
{
    QFETCH(QByteArray, request);
    QFETCH(QList<int>, statuses);
    QFETCH(bool, closes);
    QFETCH(bool, stored);

    const qint64 before = events().count();
    RawClient client(m_port);
    client.send(request);
    QVERIFY(client.waitForReplies(1));
    const Reply reply = client.reply(0);
    QVERIFY2(statuses.contains(reply.status), reply.head.constData());
    if (closes) {
        QVERIFY(reply.closes());
        QVERIFY(client.waitForClose());
    } else {
        QVERIFY(!reply.closes());
        QVERIFY(client.isConnected());
    }
    QCOMPARE(events().count(), before + (stored ? 1 : 0));
}

void tst_DcsApi::slowSenderClosed()
{
    DcsListener::Limits limits;
    limits.requestTimeoutMs = 400;
    QVERIFY(startServer(limits));
    const qint64 before = events().count();

    // A slowloris client: one byte of a long request every 100 ms.
    const QByteArray request =
        getRequest("/event?c_slow=1", "X-Pad: " + QByteArray(200, 'p') + "\r\n");
    RawClient client(m_port);
    qsizetype sent = 0;
    QElapsedTimer sinceFirstByte;
    QTimer trickle;
    trickle.setInterval(100);
    connect(&trickle, &QTimer::timeout, &trickle, [&] {
        if (!client.isConnected() || sent >= request.size())
            return;
        client.send(request.mid(sent, 1));
        ++sent;
        if (!sinceFirstByte.isValid())
            sinceFirstByte.start();
    });
    trickle.start();
    QVERIFY(client.waitForClose(5000));
    trickle.stop();
    QVERIFY(sinceFirstByte.isValid());
    const qint64 elapsed = sinceFirstByte.elapsed();
    QVERIFY2(elapsed >= 350, qPrintable(QString::number(elapsed))); // not before the limit ...
    QVERIFY2(elapsed < 3000, qPrintable(QString::number(elapsed))); // ... and soon after it
    QVERIFY(sent < request.size()); // the request never completed
    for (int i = 0; i < client.replyCount(); ++i)
        QVERIFY(client.reply(i).status != 200);
    QCOMPARE(events().count(), before);
    QCOMPARE(get("/healthz").status, 200);
}

void tst_DcsApi::idleKeepAliveClosed()
{
    DcsListener::Limits limits;
    limits.idleTimeoutMs = 300;
    QVERIFY(startServer(limits));

    RawClient client(m_port);
    client.send(getRequest("/event?c_a=1"));
    QVERIFY(client.waitForReplies(1));
    QCOMPARE(client.reply(0).status, 200);
    QVERIFY(!client.reply(0).closes());
    QElapsedTimer sinceAnswer;
    sinceAnswer.start();
    // Kept alive for the next request ...
    client.send(getRequest("/event?c_a=2"));
    QVERIFY(client.waitForReplies(2));
    sinceAnswer.restart();
    // ... then, with nothing more, closed by the idle timeout.
    QVERIFY(client.waitForClose(5000));
    QVERIFY2(sinceAnswer.elapsed() >= 250, qPrintable(QString::number(sinceAnswer.elapsed())));
    QCOMPARE(client.replyCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->listener().openConnections(), 0, kTimeoutMs);
}

void tst_DcsApi::idleConnectionsClosed()
{
    constexpr int kConnections = 2000;
    constexpr int kBatch = 250;
    // Low, but above the time it takes to open all of them (batch by batch, each waited for, so
    // that none waits in the kernel's backlog): they must all be open at once.
    constexpr int kIdleMs = 2500;
#if defined(Q_OS_UNIX)
    rlimit limit{};
    QVERIFY(getrlimit(RLIMIT_NOFILE, &limit) == 0);
    QVERIFY2(limit.rlim_cur >= rlim_t(2 * kConnections + 256),
             qPrintable(QString::number(limit.rlim_cur)));
#endif
    DcsListener::Limits limits;
    limits.idleTimeoutMs = kIdleMs;
    QVERIFY(startServer(limits));
    DcsListener &listener = m_server->listener();

    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    sockets.reserve(kConnections);
    QElapsedTimer ramp;
    ramp.start();
    while (int(sockets.size()) < kConnections) {
        for (int i = 0; i < kBatch; ++i) {
            sockets.push_back(std::make_unique<QTcpSocket>());
            sockets.back()->connectToHost(QHostAddress::LocalHost, m_port);
        }
        QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), int(sockets.size()), kTimeoutMs);
    }
    qInfo() << kConnections << "connections open after" << ramp.elapsed() << "ms";
    QCOMPARE(listener.openConnections(), kConnections);
    QCOMPARE(listener.counters().refusedConnections, quint64(0));

    // None of them sends a byte: the idle timeout closes every one.
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), 0, 30000);
    QVERIFY2(ramp.elapsed() >= kIdleMs, qPrintable(QString::number(ramp.elapsed())));
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(sockets.begin(), sockets.end(),
                                         [](const auto &socket) {
                                             return socket->state()
                                                    == QAbstractSocket::UnconnectedState;
                                         }),
                             kTimeoutMs);
    sockets.clear();
    QCOMPARE(get("/healthz").status, 200); // and the listener still serves
}

void tst_DcsApi::connectionLimit()
{
    constexpr int kMax = 5;
    DcsListener::Limits limits;
    limits.maxConnections = kMax;
    QVERIFY(startServer(limits));
    DcsListener &listener = m_server->listener();

    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kMax; ++i) {
        clients.push_back(std::make_unique<RawClient>(m_port));
        QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), i + 1, kTimeoutMs);
    }
    // One more is refused: closed without an answer.
    RawClient refused(m_port);
    refused.send(getRequest("/healthz"));
    QVERIFY(refused.waitForClose());
    QCOMPARE(refused.replyCount(), 0);
    QCOMPARE(listener.counters().refusedConnections, quint64(1));
    QCOMPARE(listener.openConnections(), kMax);
    // The ones inside the limit are served.
    for (const auto &client : clients) {
        client->send(getRequest("/healthz"));
        QVERIFY(client->waitForReplies(1));
        QCOMPARE(client->reply(0).status, 200);
    }
    // Room again once one goes.
    clients.pop_back();
    QTRY_COMPARE_WITH_TIMEOUT(listener.openConnections(), kMax - 1, kTimeoutMs);
    RawClient later(m_port);
    later.send(getRequest("/healthz"));
    QVERIFY(later.waitForReplies(1));
    QCOMPARE(later.reply(0).status, 200);
}

void tst_DcsApi::busyListenerAnswers429()
{
    auto stage = std::make_shared<HoldingStage>();
    DcsListener::Limits limits;
    limits.maxInFlightRequests = 1;
    QVERIFY(startServer(limits, stage));

    RawClient first(m_port);
    first.send(getRequest("/event?d_rtbd=json&c_n=1"));
    QTRY_COMPARE_WITH_TIMEOUT(stage->heldCount(), 1, kTimeoutMs); // in the stage, in flight
    QCOMPARE(m_server->listener().counters().inFlightRequests, 1);

    // The queue is full: shed at once, with Retry-After.
    RawClient second(m_port);
    second.send(getRequest("/event?d_rtbd=json&c_n=2"));
    QVERIFY(second.waitForReplies(1));
    QCOMPARE(second.reply(0).status, 429);
    QCOMPARE(second.reply(0).header("retry-after"), QByteArray("1"));
    QVERIFY(second.isConnected());
    QCOMPARE(m_server->listener().counters().busyRejections, quint64(1));
    QCOMPARE(stage->heldCount(), 1); // the shed call never reached the stage ...
    QCOMPARE(first.replyCount(), 0);
    QCOMPARE(events().count(), 0);   // ... nor the event log

    stage->release();
    QVERIFY(first.waitForReplies(1));
    QCOMPARE(first.reply(0).status, 200);
    QCOMPARE(events().count(), 1);

    // Retried once the listener has room: served.
    second.send(getRequest("/event?d_rtbd=json&c_n=2"));
    QTRY_COMPARE_WITH_TIMEOUT(stage->heldCount(), 1, kTimeoutMs);
    stage->release();
    QVERIFY(second.waitForReplies(2));
    QCOMPARE(second.reply(1).status, 200);
    const std::optional<EventRecord> record =
        events().byTid(jsonObject(second.reply(1).body).value(QStringLiteral("tid")).toString());
    QVERIFY(record);
    QCOMPARE(storedValues(*record, QStringLiteral("c_n")), utf8List({"2"}));
    QCOMPARE(events().count(), 2);
}

QTEST_GUILESS_MAIN(tst_DcsApi)
#include "tst_dcsapi.moc"
