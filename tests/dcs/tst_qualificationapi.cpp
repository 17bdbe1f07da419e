// Traits and segments end to end: a workspace imported into a real database, /event calls over
// loopback HTTP, and the answers' traits, segments and destinations checked against rules.md,
// then what was stored (realizations, memberships, changes with their cause).
#include "dcs/dcsserver.h"
#include "storage/segmentrepository.h"
#include "storage/storage.h"
#include "storage/workspacefile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>

using namespace Dcs;

namespace {

constexpr int kTimeoutMs = 10000;
const QString kVisitor = QStringLiteral("17638200000000000000000000000000000042");

// tests/data/workspace-rules.json: rule traits on signals, an onboarded trait (realized here
// through d_sid), and segments using each: a plain AND with a cookie destination, FREQUENCY with a
// URL destination, and an inactive one.
QByteArray workspaceJson()
{
    QFile file(QStringLiteral(DCS_TEST_DATA_DIR "/workspace-rules.json"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The listener accepts on this (the test's) thread, so the client must not block it: a
// QNetworkAccessManager reply waited for with QSignalSpy keeps the event loop running.
QJsonObject eventAnswer(quint16 port, const QByteArray &query)
{
    static QNetworkAccessManager *const manager = [] {
        auto *made = new QNetworkAccessManager(qApp);
        made->setProxy(QNetworkProxy::NoProxy);
        made->setCookieJar(new QNetworkCookieJar(made)); // d_uuid says who the visitor is
        return made;
    }();
    QUrl url(QStringLiteral("http://127.0.0.1/event"));
    url.setPort(port);
    url.setQuery(QString::fromLatin1("d_rtbd=json&" + query));
    std::unique_ptr<QNetworkReply> reply(manager->get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(kTimeoutMs)
        || reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) {
        qWarning("no 200 answer for %s: %s", query.constData(),
                 qPrintable(reply->errorString()));
        return {};
    }
    return QJsonDocument::fromJson(reply->readAll()).object();
}

QList<qint64> ids(const QJsonValue &array)
{
    QList<qint64> out;
    for (const QJsonValue &value : array.toArray())
        out.append(value.toInteger());
    return out;
}

} // namespace

class tst_QualificationApi : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DcsServer> m_server;
    quint16 m_port = 0;
    int m_databases = 0;

    qint64 count(const QString &sql) const
    {
        QSqlQuery query(m_server->storage()->reader());
        if (!query.exec(sql) || !query.next())
            return -1;
        return query.value(0).toLongLong();
    }

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<DcsServer>(nullptr, 2);
        QString error;
        QVERIFY2(m_server->openStorage(
                     m_dir.filePath(QStringLiteral("q%1.sqlite").arg(++m_databases)), &error),
                 qPrintable(error));
        const WorkspaceReport report = WorkspaceFile::import(
            *m_server->storage(), workspaceJson(), QStringLiteral("test"));
        QVERIFY2(report.ok, report.errors.isEmpty()
                                ? "import failed"
                                : qPrintable(report.errors.first().message));
        m_server->reloadRules();
        QVERIFY2(m_server->startListener(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        m_port = m_server->listener().port();
    }

    void cleanup() { m_server.reset(); }

    void traitsWithoutCtsStayOutOfTheAnswer()
    {
        const QJsonObject answer = eventAnswer(m_port, "c_section=sports&d_uuid=" + kVisitor.toLatin1());
        QVERIFY(!answer.isEmpty());
        QVERIFY(!answer.contains(QStringLiteral("traits")));
        QVERIFY(!answer.contains(QStringLiteral("segments")));
        QTRY_COMPARE(count(QStringLiteral("SELECT count(*) FROM trait_realizations")), qint64(1));
    }

    void aCallRealizesItsTraitsAndSegmentsFollow()
    {
        const QByteArray visitor = "&d_cts=1&d_dst=1&d_uuid=" + kVisitor.toLatin1();

        QJsonObject answer = eventAnswer(m_port, "c_section=sports&basket=250" + visitor);
        QCOMPARE(ids(answer.value(QStringLiteral("traits"))), (QList<qint64>{1001, 1002}));
        QCOMPARE(ids(answer.value(QStringLiteral("segments"))), QList<qint64>{});
        QCOMPARE(answer.value(QStringLiteral("stuff")).toArray().size(), 0);

        // The second realization of 1001 within 7 days: FREQUENCY(...) >= 2 holds, and its URL
        // destination comes with %ALIAS% and %did% filled in.
        answer = eventAnswer(m_port, "c_section=sports" + visitor);
        QCOMPARE(ids(answer.value(QStringLiteral("traits"))), QList<qint64>{1001});
        QCOMPARE(ids(answer.value(QStringLiteral("segments"))), QList<qint64>{5002});
        const QJsonArray dests = answer.value(QStringLiteral("dests")).toArray();
        QCOMPARE(dests.size(), 1);
        QCOMPARE(dests.first().toObject().value(QStringLiteral("c")).toString(),
                 QStringLiteral("https://px.example/p?seg=regular-sports&u=") + kVisitor);

        // The onboarded trait through d_sid: 1001T AND 2001T now holds, with its cookie.
        answer = eventAnswer(m_port, "d_sid=2001" + visitor);
        QCOMPARE(ids(answer.value(QStringLiteral("traits"))), QList<qint64>{2001});
        QCOMPARE(ids(answer.value(QStringLiteral("segments"))), (QList<qint64>{5001, 5002}));
        const QJsonArray stuff = answer.value(QStringLiteral("stuff")).toArray();
        QCOMPARE(stuff.size(), 1);
        QVERIFY2(stuff.first().toObject().value(QStringLiteral("cv")).toString().contains(
                     QStringLiteral("seg=scb")),
                 QJsonDocument(stuff).toJson().constData());

        // A page that is not about sports realizes nothing; the segments are still held.
        answer = eventAnswer(m_port, "c_section=news" + visitor);
        QCOMPARE(ids(answer.value(QStringLiteral("traits"))), QList<qint64>{});
        QCOMPARE(ids(answer.value(QStringLiteral("segments"))), (QList<qint64>{5001, 5002}));

        // Stored with the events: 4 realizations, 2 memberships, 2 joins caused by calls. The
        // inactive segment on 1002T was never joined.
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM trait_realizations")), qint64(4));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM trait_realizations "
                                      "WHERE source = 'sid' AND trait_sid = 2001")),
                 qint64(1));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM memberships")), qint64(2));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM membership_changes "
                                      "WHERE change = 'join' AND cause = 'call'")),
                 qint64(2));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM memberships WHERE segment_sid = 5003")),
                 qint64(0));
    }

    void aNewVisitorIsQualifiedOnItsFirstCall()
    {
        const QJsonObject answer = eventAnswer(m_port, "d_cts=1&c_section=sports&d_sid=2001");
        const QString uuid = answer.value(QStringLiteral("uuid")).toString();
        QCOMPARE(uuid.size(), 38);
        QCOMPARE(ids(answer.value(QStringLiteral("traits"))), (QList<qint64>{1001, 2001}));
        QCOMPARE(ids(answer.value(QStringLiteral("segments"))), QList<qint64>{5001});
    }

    void aDefinitionEditAppliesFromTheNextCall()
    {
        const QByteArray visitor = "&d_cts=1&d_uuid=" + kVisitor.toLatin1();
        QCOMPARE(ids(eventAnswer(m_port, "basket=500" + visitor).value(QStringLiteral("segments"))),
                 QList<qint64>{});
        // Switch the "big spenders" segment on, as an analyst does in the segment editor.
        SegmentRepository segments(*m_server->storage());
        std::optional<Segment> bigSpenders = segments.bySid(5003);
        QVERIFY(bigSpenders);
        bigSpenders->active = true;
        const WriteResult saved = segments.save(*bigSpenders, QStringLiteral("test"));
        QVERIFY2(saved.ok, qPrintable(saved.error));
        m_server->reloadRules();
        QCOMPARE(ids(eventAnswer(m_port, "basket=500" + visitor).value(QStringLiteral("segments"))),
                 QList<qint64>{5003});
    }

    void anUnknownDirectSidRealizesNothing()
    {
        const QJsonObject answer = eventAnswer(
            m_port, "d_cts=1&d_sid=999999&d_sid=abc&d_uuid=" + kVisitor.toLatin1());
        QCOMPARE(ids(answer.value(QStringLiteral("traits"))), QList<qint64>{});
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM trait_realizations")), qint64(0));
    }
};

QTEST_GUILESS_MAIN(tst_QualificationApi)
#include "tst_qualificationapi.moc"
