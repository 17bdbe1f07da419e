// Steps 1-2 of the seed flow ("a visitor opens a customer page carrying the tag; the tag loads an
// iframe and calls the DCS") in a real browser, end to end:
//
//   the real dcs-studio binary (--headless, a temporary database) serves /demo, /tag.js and
//   /dest.html; Debian's headless Chromium opens a customer page; the tag turns the page data
//   into c_ signals and loads the hidden dest.html iframe from the DCS origin; the iframe calls
//   /event with the visitor's cookie and posts the JSON answer to the page, which shows it.
//
// What it proves: the answer reaches the page (the dumped DOM shows a 38-digit uuid and the tid),
// the same call reached the DCS (the event row with that tid has the page's c_ signals), the
// demdex cookie flows (a second visit with the same browser profile keeps the uuid), and, with a
// customer page on another origin (a port of the test's own), the cross-origin path: data-c-*
// attributes, key sanitizing, a forged message from the page's own origin ignored, and an
// iframe that claims an origin other than its referrer's making no call at all.
//
// How the browser wait works, without sleeps: Chromium runs with --virtual-time-budget=10000
// --dump-dom. Under a virtual time budget the page's clock does not advance while network
// fetches are pending, and the DOM is dumped only once the budget is used up. The iframe load,
// the fetch of /event and the postMessage that follows all happen while virtual time stands
// still or before the budget (10 s of page time, fast-forwarded when the page is idle) is spent,
// so the dump always comes after the answer arrived, however slow the machine; the test only
// waits for the Chromium process to end (QProcess::waitForFinished with a time-out).
// Checked with Debian's chromium 156 (the "new" headless mode, which keeps these switches).
//
// Chromium is needed: Debian package "chromium" (scripts/lib.sh TEST_PACKAGES). Without it the
// test fails, naming the package; it never passes silently.
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include "studioprocess.h"

#include <csignal>
#include <optional>

namespace {

constexpr int kStartTimeoutMs = 30000;   // dcs-studio start-up, including the migration
constexpr int kStopTimeoutMs = 10000;    // SIGTERM to exit
constexpr int kBrowserTimeoutMs = 90000; // one Chromium run (typically 1-3 s; 2 shared cores)
constexpr int kNetworkTimeoutMs = 10000;

const QString kChromium = QStringLiteral("/usr/bin/chromium");

QString studioBinary()
{
    return QStringLiteral(DCS_STUDIO_BINARY);
}

// The real dcs-studio --headless on 127.0.0.1 with a port of its choice; 0 on failure.
quint16 startStudio(StudioProcess &studio, const QString &database)
{
    return studio.startHeadless({QStringLiteral("--db"), database}, kStartTimeoutMs);
}

// SIGTERM, then waits for a clean end (everything accepted is committed by then).
bool stopStudio(StudioProcess &studio)
{
    return studio.stopWith(SIGTERM, kStopTimeoutMs)
           && studio.process().exitStatus() == QProcess::NormalExit
           && studio.process().exitCode() == 0;
}

// One headless Chromium run: loads `url`, waits out the virtual time budget, prints the DOM.
struct BrowserRun
{
    bool finished = false;
    QByteArray dom;
    QString description;
};

BrowserRun dumpDom(const QString &profileDir, const QString &home, const QString &url)
{
    QProcess chromium;
    chromium.setProcessEnvironment(StudioProcess::isolatedEnvironment(home));
    chromium.setWorkingDirectory(home);
    chromium.setProgram(kChromium);
    chromium.setArguments({
        QStringLiteral("--headless"), QStringLiteral("--no-sandbox"),
        QStringLiteral("--disable-gpu"), QStringLiteral("--disable-quic"),
        QStringLiteral("--no-first-run"), QStringLiteral("--disable-background-networking"),
        QStringLiteral("--disable-component-update"), QStringLiteral("--disable-sync"),
        QStringLiteral("--user-data-dir=") + profileDir,
        QStringLiteral("--virtual-time-budget=10000"), QStringLiteral("--dump-dom"), url});
    chromium.start();
    BrowserRun run;
    run.finished = chromium.waitForStarted(kBrowserTimeoutMs)
                   && chromium.waitForFinished(kBrowserTimeoutMs);
    if (!run.finished) {
        chromium.kill();
        chromium.waitForFinished(kStopTimeoutMs);
    }
    run.dom = chromium.readAllStandardOutput();
    run.description =
        StudioProcess::describeProcess(chromium, run.dom, chromium.readAllStandardError());
    run.finished = run.finished && chromium.exitStatus() == QProcess::NormalExit
                   && chromium.exitCode() == 0;
    return run;
}

// The text of the element with id `id` (no nested elements), or a null string.
QString elementText(const QByteArray &dom, const QString &id)
{
    const QRegularExpression element(QStringLiteral("<(\\w+)[^>]* id=\"%1\"[^>]*>([^<]*)</\\1>")
                                         .arg(QRegularExpression::escape(id)));
    const QRegularExpressionMatch match = element.match(QString::fromUtf8(dom));
    return match.hasMatch() ? match.captured(2) : QString();
}

std::optional<HttpExchange> request(quint16 port, const QByteArray &method,
                                    const QByteArray &target)
{
    return httpRequest(port, method, target, kNetworkTimeoutMs);
}

// A customer's web server on an origin of its own (another port): answers every GET with one
// page. It runs in its own thread because the test's thread blocks in waitForFinished.
class CustomerSite final : public QThread
{
public:
    explicit CustomerSite(QByteArray page)
        : m_page(std::move(page))
    {
    }
    ~CustomerSite() override
    {
        quit();
        wait();
    }

    // Starts the thread; the port it listens on, 0 if it could not listen.
    quint16 listen()
    {
        start();
        m_ready.acquire();
        return m_port;
    }

protected:
    void run() override
    {
        QTcpServer server;
        m_port = server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server] {
            while (QTcpSocket *socket = server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::disconnected, socket,
                                 &QObject::deleteLater);
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    if (!socket->peek(socket->bytesAvailable()).contains("\r\n\r\n"))
                        return;
                    socket->readAll();
                    socket->write(QByteArrayLiteral("HTTP/1.1 200 OK\r\n"
                                                    "Content-Type: text/html; charset=utf-8\r\n"
                                                    "Cache-Control: no-store\r\n"
                                                    "Connection: close\r\nContent-Length: ")
                                  + QByteArray::number(m_page.size())
                                  + QByteArrayLiteral("\r\n\r\n") + m_page);
                    socket->disconnectFromHost();
                });
            }
        });
        m_ready.release();
        if (m_port != 0)
            exec();
    }

private:
    const QByteArray m_page;
    quint16 m_port = 0;
    QSemaphore m_ready;
};

// The stored event with transaction ID `tid`, read from `database` (read-only).
struct StoredEvent
{
    bool found = false;
    QString uuid;
    QJsonObject signalValues;
    QString error;
};

StoredEvent storedEvent(const QString &database, const QString &tid)
{
    StoredEvent event;
    const QString connection = QStringLiteral("tst_tagbrowser-")
                               + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(database);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (!db.open()) {
            event.error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            query.prepare(QStringLiteral("SELECT uuid, signals FROM events WHERE tid = ?"));
            query.addBindValue(tid);
            if (!query.exec()) {
                event.error = query.lastError().text();
            } else if (query.next()) {
                event.found = true;
                event.uuid = query.value(0).toString();
                event.signalValues =
                    QJsonDocument::fromJson(query.value(1).toString().toUtf8()).object();
            }
            query.finish();
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return event;
}

// Every stored event's signals, as compact JSON, one per entry.
QStringList allEventSignals(const QString &database)
{
    QStringList all;
    const QString connection = QStringLiteral("tst_tagbrowser-")
                               + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(database);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("SELECT signals FROM events ORDER BY id")))
                while (query.next())
                    all.append(query.value(0).toString());
            query.finish();
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return all;
}

QJsonArray strings(const QStringList &values)
{
    return QJsonArray::fromStringList(values);
}

const QRegularExpression &uuidPattern()
{
    static const QRegularExpression pattern(QStringLiteral("^[0-9]{38}$"));
    return pattern;
}

const QRegularExpression &tidPattern()
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9+/]{12}$"));
    return pattern;
}

} // namespace

class TestTagBrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void servesTheWebFiles_data();
    void servesTheWebFiles();
    void demoPageShowsTheAnswerAndTheEventIsStored();
    void customerPageOnAnotherOrigin();
};

void TestTagBrowser::initTestCase()
{
    QVERIFY2(QFileInfo(studioBinary()).isExecutable(), qPrintable(studioBinary()));
    QVERIFY2(QFileInfo(kChromium).isExecutable(),
             "Chromium is missing: this test needs /usr/bin/chromium, from the Debian package "
             "\"chromium\" (apt-get install -y chromium; scripts/lib.sh TEST_PACKAGES lists it)");
    QVERIFY(QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")));
    // The web files are compiled into Dcs::Core, and reach every program that links it (this
    // test included) without a Q_INIT_RESOURCE call.
    for (const char *name : {"tag.js", "dest.html", "demo.html"}) {
        QFile compiled(QStringLiteral(":/web/") + QLatin1String(name));
        QFile source(QStringLiteral(DCS_WEB_SOURCE_DIR "/") + QLatin1String(name));
        QVERIFY2(compiled.open(QIODevice::ReadOnly), qPrintable(compiled.fileName()));
        QVERIFY2(source.open(QIODevice::ReadOnly), qPrintable(source.fileName()));
        QVERIFY2(compiled.readAll() == source.readAll(), name);
    }
}

void TestTagBrowser::servesTheWebFiles_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("cacheControl");
    QTest::newRow("/tag.js") << QByteArrayLiteral("/tag.js") << QStringLiteral("tag.js")
                             << QByteArrayLiteral("application/javascript; charset=utf-8")
                             << QByteArrayLiteral("public, max-age=300");
    QTest::newRow("/dest.html") << QByteArrayLiteral("/dest.html") << QStringLiteral("dest.html")
                                << QByteArrayLiteral("text/html; charset=utf-8")
                                << QByteArrayLiteral("no-store");
    QTest::newRow("/demo") << QByteArrayLiteral("/demo") << QStringLiteral("demo.html")
                           << QByteArrayLiteral("text/html; charset=utf-8")
                           << QByteArrayLiteral("no-cache");
}

void TestTagBrowser::servesTheWebFiles()
{
    QFETCH(QByteArray, path);
    QFETCH(QString, file);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, cacheControl);

    QTemporaryDir home;
    QVERIFY(home.isValid());
    StudioProcess studio(studioBinary(), home.path());
    const quint16 port = startStudio(studio, home.filePath(QStringLiteral("dcs.sqlite")));
    QVERIFY2(port != 0, qPrintable(studio.describe()));

    QFile source(QStringLiteral(DCS_WEB_SOURCE_DIR "/") + file);
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QByteArray expected = source.readAll();
    for (const QByteArray &method : {QByteArrayLiteral("GET"), QByteArrayLiteral("HEAD")}) {
        const std::optional<HttpExchange> answer = request(port, method, path);
        QVERIFY2(answer, qPrintable(studio.describe()));
        QCOMPARE(answer->statusLine, QByteArrayLiteral("HTTP/1.1 200 OK"));
        const QByteArray head = answer->head.toLower();
        QVERIFY2(head.contains(QByteArray("\r\ncontent-type: " + contentType.toLower() + "\r\n")),
                 answer->head.constData());
        QVERIFY2(head.contains(QByteArray("\r\ncache-control: " + cacheControl + "\r\n")),
                 answer->head.constData());
        QVERIFY2(head.contains("\r\nx-content-type-options: nosniff\r\n"),
                 answer->head.constData());
        const QByteArray length = "\r\ncontent-length: " + QByteArray::number(expected.size());
        QVERIFY2(head.contains(length), answer->head.constData());
        QCOMPARE(answer->body, method == "GET" ? expected : QByteArray());
    }
    const std::optional<HttpExchange> post = request(port, QByteArrayLiteral("POST"), path);
    QVERIFY(post);
    QVERIFY2(post->statusLine.startsWith("HTTP/1.1 405"), post->statusLine.constData());
    QVERIFY2(stopStudio(studio), qPrintable(studio.describe()));
}

// The seed flow's steps 1-2 with the demo page the DCS serves.
void TestTagBrowser::demoPageShowsTheAnswerAndTheEventIsStored()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString database = home.filePath(QStringLiteral("dcs.sqlite"));
    StudioProcess studio(studioBinary(), home.path());
    const quint16 port = startStudio(studio, database);
    QVERIFY2(port != 0, qPrintable(studio.describe()));
    const QString demo = QStringLiteral("http://127.0.0.1:%1/demo").arg(port);
    const QString profile = home.filePath(QStringLiteral("chromium-profile"));

    const BrowserRun first = dumpDom(profile, home.path(), demo);
    QVERIFY2(first.finished, qPrintable(first.description));
    QVERIFY2(first.dom.contains("id=\"dcs-result\""), qPrintable(first.description));
    const QString uuid = elementText(first.dom, QStringLiteral("dcs-uuid"));
    const QString tid = elementText(first.dom, QStringLiteral("dcs-tid"));
    QVERIFY2(uuidPattern().match(uuid).hasMatch() && tidPattern().match(tid).hasMatch(),
             qPrintable(QStringLiteral("no answer in the page: uuid \"%1\", tid \"%2\"\n%3")
                            .arg(uuid, tid, first.description)));
    QVERIFY2(first.dom.contains("id=\"dcs-result\" class=\"wide\" data-state=\"answered\""),
             qPrintable(first.description));

    // A second visit with the same browser profile: the iframe's call carried the demdex cookie
    // (credentials included), so the DCS knows the visitor again; a new call, a new tid.
    const BrowserRun second = dumpDom(profile, home.path(), demo);
    QVERIFY2(second.finished, qPrintable(second.description));
    QCOMPARE(elementText(second.dom, QStringLiteral("dcs-uuid")), uuid);
    const QString secondTid = elementText(second.dom, QStringLiteral("dcs-tid"));
    QVERIFY2(tidPattern().match(secondTid).hasMatch(), qPrintable(second.description));
    QVERIFY(secondTid != tid);

    QVERIFY2(stopStudio(studio), qPrintable(studio.describe()));
    const StoredEvent event = storedEvent(database, tid);
    QVERIFY2(event.error.isEmpty(), qPrintable(event.error));
    QVERIFY2(event.found, qPrintable(QStringLiteral("no event with tid %1; stored: %2")
                                         .arg(tid, allEventSignals(database).join(u'\n'))));
    QCOMPARE(event.uuid, uuid);
    QCOMPARE(event.signalValues.value(QStringLiteral("c_section")).toArray(),
             strings({QStringLiteral("sports")}));
    QCOMPARE(event.signalValues.value(QStringLiteral("c_product")).toArray(),
             strings({QStringLiteral("running-shoes")}));
    QCOMPARE(event.signalValues.value(QStringLiteral("d_rtbd")).toArray(),
             strings({QStringLiteral("json")}));
    // The call was made from the DCS origin, by the iframe page.
    QCOMPARE(event.signalValues.value(QStringLiteral("h_referer")).toArray(),
             strings({QStringLiteral("http://127.0.0.1:%1/dest.html").arg(port)}));
    QVERIFY(storedEvent(database, secondTid).found);
}

// A customer page on an origin other than the DCS's, as in production: the tag comes from the
// DCS by absolute URL, with data-c-* attributes next to window.dcsData.
void TestTagBrowser::customerPageOnAnotherOrigin()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString database = home.filePath(QStringLiteral("dcs.sqlite"));
    StudioProcess studio(studioBinary(), home.path());
    const quint16 port = startStudio(studio, database);
    QVERIFY2(port != 0, qPrintable(studio.describe()));
    const QByteArray dcs = "http://127.0.0.1:" + QByteArray::number(port);

    const QByteArray page =
        "<!doctype html><meta charset=\"utf-8\"><title>shop</title>\n"
        "<p id=\"answers\">0</p><p id=\"uuid\"></p><p id=\"tid\"></p>\n"
        "<script>\n"
        "window.dcsData = {section: 'running', 'page type': 'product', c_already: 'kept',\n"
        "                  list: ['a', 'b'], nothing: null, count: 3};\n"
        "document.addEventListener('dcs:answer', function (e) {\n"
        "  var n = document.getElementById('answers');\n"
        "  n.textContent = +n.textContent + 1;\n"
        "  document.getElementById('uuid').textContent = e.detail.uuid;\n"
        "  document.getElementById('tid').textContent = window.dcsAnswer.tid;\n"
        "});\n"
        "</script>\n"
        // Synchronous here, so that the tag listens before the forged message below is sent.
        "<script src=\"" + dcs
        + "/tag.js\" data-c-section=\"trail\" data-c-sku=\"RS-42\"></script>\n"
        "<script>\n"
        // A message of the right shape, but from the page's own origin: the tag must ignore it.
        "window.postMessage({uuid: '12345678901234567890123456789012345678',\n"
        "                    tid: 'forgedforged'}, '*');\n"
        "</script>\n"
        // An iframe claiming an origin other than its referrer's: dest.html must make no call.
        "<iframe hidden src=\"" + dcs
        + "/dest.html#c_probe=liar&origin=http%3A%2F%2F127.0.0.1%3A9\"></iframe>\n";
    CustomerSite site(page);
    const quint16 sitePort = site.listen();
    QVERIFY(sitePort != 0);
    QVERIFY(sitePort != port);

    const BrowserRun run = dumpDom(home.filePath(QStringLiteral("chromium-profile")), home.path(),
                                   QStringLiteral("http://127.0.0.1:%1/shop").arg(sitePort));
    QVERIFY2(run.finished, qPrintable(run.description));
    QCOMPARE(elementText(run.dom, QStringLiteral("answers")), QStringLiteral("1"));
    const QString uuid = elementText(run.dom, QStringLiteral("uuid"));
    const QString tid = elementText(run.dom, QStringLiteral("tid"));
    QVERIFY2(uuidPattern().match(uuid).hasMatch(), qPrintable(run.description));
    QVERIFY2(tidPattern().match(tid).hasMatch(), qPrintable(run.description));
    QVERIFY(tid != QStringLiteral("forgedforged"));

    QVERIFY2(stopStudio(studio), qPrintable(studio.describe()));
    const QStringList all = allEventSignals(database);
    QVERIFY2(all.size() == 1, qPrintable(all.join(u'\n'))); // not the probe's
    const StoredEvent event = storedEvent(database, tid);
    QVERIFY2(event.found, qPrintable(event.error + all.join(u'\n')));
    QCOMPARE(event.uuid, uuid);
    const QJsonObject &s = event.signalValues;
    QCOMPARE(s.value(QStringLiteral("c_section")).toArray(), strings({QStringLiteral("trail")}));
    QCOMPARE(s.value(QStringLiteral("c_sku")).toArray(), strings({QStringLiteral("RS-42")}));
    QCOMPARE(s.value(QStringLiteral("c_page_type")).toArray(),
             strings({QStringLiteral("product")}));
    QCOMPARE(s.value(QStringLiteral("c_already")).toArray(), strings({QStringLiteral("kept")}));
    QCOMPARE(s.value(QStringLiteral("c_list")).toArray(),
             strings({QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(s.value(QStringLiteral("c_count")).toArray(), strings({QStringLiteral("3")}));
    QVERIFY2(!s.contains(QStringLiteral("c_nothing")), qPrintable(all.join(u'\n')));
    QVERIFY2(!s.contains(QStringLiteral("origin")), qPrintable(all.join(u'\n')));
    QVERIFY2(!s.contains(QStringLiteral("c_probe")), qPrintable(all.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestTagBrowser)
#include "tst_tagbrowser.moc"
