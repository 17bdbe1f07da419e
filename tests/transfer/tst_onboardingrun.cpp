// Onboarding tests of a partner (partner-protocol.md, "Onboarding test"): runs of N calls at R/s
// through the engine's own request and classification against a real dcs-partner-sim process,
// the checks of the spec, the stored history, the comparison of two runs, cancel, and curl.
#include "dcs/dcsserver.h"
#include "partners/onboardingrun.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"
#include "storage/workspacefile.h"
#include "studioprocess.h"
#include "transfer/transferengine.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Dcs;

namespace {

constexpr int kWaitMs = 15000;
const QByteArray kSecret = QByteArrayLiteral("onboard-secret");

QByteArray workspaceJson()
{
    QFile file(QStringLiteral(DCS_TEST_DATA_DIR "/workspace-rules.json"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool configure(quint16 simPort, const QJsonObject &changes)
{
    static QNetworkAccessManager *const manager = [] {
        auto *made = new QNetworkAccessManager(qApp);
        made->setProxy(QNetworkProxy::NoProxy);
        return made;
    }();
    QUrl url(QStringLiteral("http://127.0.0.1/config"));
    url.setPort(simPort);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    std::unique_ptr<QNetworkReply> reply(
        manager->post(request, QJsonDocument(changes).toJson(QJsonDocument::Compact)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    return finished.wait(kWaitMs)
           && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
}

const OnboardingCheck *check(const OnboardingReport &report, const QString &name)
{
    for (const OnboardingCheck &candidate : report.checks) {
        if (candidate.name == name)
            return &candidate;
    }
    return nullptr;
}

} // namespace

class tst_OnboardingRun : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<StudioProcess> m_sim;
    quint16 m_simPort = 0;
    std::unique_ptr<DcsServer> m_server;
    Partner m_partner;
    int m_databases = 0;

    std::unique_ptr<OnboardingRun> runOf(int calls, double rate)
    {
        OnboardingConfig config;
        config.calls = calls;
        config.ratePerSecond = rate;
        config.signalList = {Signal{QStringLiteral("c_section"), {QStringLiteral("sports")}}};
        return std::make_unique<OnboardingRun>(*m_server->storage(), *m_server->transferEngine(),
                                               m_partner, kSecret, config);
    }

    // Runs to the end (the event loop turns while waiting).
    bool runToEnd(OnboardingRun &run)
    {
        QSignalSpy finished(&run, &OnboardingRun::finished);
        run.start();
        return finished.count() > 0 || finished.wait(kWaitMs);
    }

    qint64 count(const QString &sql)
    {
        QSqlQuery query(m_server->storage()->reader());
        if (!query.exec(sql) || !query.next())
            return -1;
        return query.value(0).toLongLong();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QFile codes(m_dir.filePath(QStringLiteral("codes.tsv")));
        QVERIFY(codes.open(QIODevice::WriteOnly));
        codes.write("*\tauto,x-unmapped\n");
        codes.close();
        QDir().mkpath(m_dir.filePath(QStringLiteral("sim")));
        m_sim = std::make_unique<StudioProcess>(QStringLiteral(DCS_PARTNER_SIM_BINARY),
                                                m_dir.filePath(QStringLiteral("sim")));
        m_sim->start({QStringLiteral("--codes"), codes.fileName(), QStringLiteral("--secret"),
                      QString::fromLatin1(kSecret), QStringLiteral("--latency"),
                      QStringLiteral("fixed:2")});
        m_simPort = m_sim->waitForListening(kWaitMs);
        QVERIFY2(m_simPort != 0, qPrintable(m_sim->describe()));
    }

    void init()
    {
        QVERIFY(configure(m_simPort, QJsonObject{{QStringLiteral("fail"), QString()},
                                                 {QStringLiteral("empty_share"), 0}}));
        m_server = std::make_unique<DcsServer>(nullptr, 1);
        QString error;
        QVERIFY2(m_server->openStorage(
                     m_dir.filePath(QStringLiteral("o%1.sqlite").arg(++m_databases)), &error),
                 qPrintable(error));
        QVERIFY(WorkspaceFile::import(*m_server->storage(), workspaceJson(),
                                      QStringLiteral("test"))
                    .ok);
        PartnerRepository repository(*m_server->storage());
        m_partner = repository.all().first(); // "Acme", DPID 1955, disabled: tests run anyway
        m_partner.endpoint = QStringLiteral("http://127.0.0.1:%1/lookup").arg(m_simPort);
        QVERIFY(repository.save(m_partner, kSecret).ok);
        m_server->reloadWorkspace();
    }

    void cleanup() { m_server.reset(); }

    void aHealthyPartnerPassesEveryCheck()
    {
        const std::unique_ptr<OnboardingRun> run = runOf(5, 50);
        QSignalSpy progress(run.get(), &OnboardingRun::progress);
        QVERIFY(runToEnd(*run));
        const OnboardingReport &report = run->report();
        QCOMPARE(report.calls.size(), 5);
        QCOMPARE(progress.count(), 5);
        for (const TransferRecord &call : report.calls) {
            QCOMPARE(call.outcome, TransferOutcome::Ok);
            QVERIFY(call.requestText.contains("X-DCS-Signature: sha256=<masked>"));
            QVERIFY(call.responseText.startsWith("HTTP/1.1 200"));
        }
        QVERIFY2(report.passed(), qPrintable(report.toText()));
        QCOMPARE(check(report, QStringLiteral("reachable"))->result, OnboardingCheck::Result::Pass);
        QCOMPARE(check(report, QStringLiteral("TLS"))->result,
                 OnboardingCheck::Result::NotApplicable);
        QCOMPARE(check(report, QStringLiteral("status and content type"))->result,
                 OnboardingCheck::Result::Pass);
        QCOMPARE(check(report, QStringLiteral("body parses"))->result,
                 OnboardingCheck::Result::Pass);
        QCOMPARE(check(report, QStringLiteral("codes valid"))->result,
                 OnboardingCheck::Result::Pass);
        // "x-unmapped" realizes no onboarded trait: a warning that names it, not a failure.
        const OnboardingCheck *mapped = check(report, QStringLiteral("codes mapped"));
        QCOMPARE(mapped->result, OnboardingCheck::Result::Warn);
        QVERIFY(mapped->detail.contains(QStringLiteral("x-unmapped")));
        QCOMPARE(check(report, QStringLiteral("latency"))->result, OnboardingCheck::Result::Pass);
        QCOMPARE(check(report, QStringLiteral("error rate"))->result,
                 OnboardingCheck::Result::Pass);
        QVERIFY(report.p50Ms > 0 && report.p99Ms >= report.p50Ms);
        QVERIFY(report.toText().contains(QStringLiteral("Result: PASSED")));

        // Stored: the run and each call with its bodies.
        QVERIFY(report.runId > 0);
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM onboarding_runs")), qint64(1));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM transfers WHERE test_run_id = %1 "
                                      "AND request_text IS NOT NULL AND response_text IS NOT NULL")
                           .arg(report.runId)),
                 qint64(5));
        QString error;
        const QList<OnboardingReport> history = OnboardingRun::history(
            *m_server->storage(), m_partner.id, &error);
        QCOMPARE(history.size(), 1);
        QCOMPARE(history.first().runId, report.runId);
        QVERIFY(history.first().passed());
        const std::optional<OnboardingReport> loaded = OnboardingRun::load(*m_server->storage(),
                                                                           report.runId, &error);
        QVERIFY(loaded);
        QCOMPARE(loaded->calls.size(), 5);
        QCOMPARE(loaded->calls.first().codes, report.calls.first().codes);
    }

    void aFailingPartnerFailsTheRightChecks()
    {
        QVERIFY(configure(m_simPort, QJsonObject{{QStringLiteral("fail"),
                                                  QStringLiteral("http500=1")}}));
        const std::unique_ptr<OnboardingRun> run = runOf(3, 100);
        QVERIFY(runToEnd(*run));
        const OnboardingReport &report = run->report();
        QVERIFY(!report.passed());
        QCOMPARE(check(report, QStringLiteral("reachable"))->result, OnboardingCheck::Result::Pass);
        const OnboardingCheck *status = check(report, QStringLiteral("status and content type"));
        QCOMPARE(status->result, OnboardingCheck::Result::Fail);
        QVERIFY2(status->detail.contains(QStringLiteral("500")), qPrintable(status->detail));
        QCOMPARE(check(report, QStringLiteral("error rate"))->result,
                 OnboardingCheck::Result::Fail);
        QVERIFY(report.toText().contains(QStringLiteral("Result: FAILED")));
    }

    void aWrongSecretIsCaught()
    {
        OnboardingConfig config;
        config.calls = 1;
        OnboardingRun run(*m_server->storage(), *m_server->transferEngine(), m_partner,
                          QByteArrayLiteral("not-the-secret"), config);
        QVERIFY(runToEnd(run));
        QCOMPARE(run.report().calls.first().outcome, TransferOutcome::HttpError);
        QCOMPARE(run.report().calls.first().httpStatus, 401);
        QVERIFY(!run.report().passed());
    }

    void twoRunsCompareAnswerByAnswer()
    {
        const std::unique_ptr<OnboardingRun> first = runOf(4, 100);
        QVERIFY(runToEnd(*first));
        QVERIFY(configure(m_simPort, QJsonObject{{QStringLiteral("empty_share"), 1}}));
        const std::unique_ptr<OnboardingRun> second = runOf(4, 100);
        QVERIFY(runToEnd(*second));
        // The same generated visitors each run: every answer changed from codes to none.
        const OnboardingComparison comparison =
            OnboardingComparison::compare(first->report(), second->report());
        QCOMPARE(comparison.changedAnswers.size(), 4);
        QCOMPARE(comparison.sameAnswers, 0);
        QVERIFY(comparison.changedAnswers.first().before.startsWith(QStringLiteral("ok: auto")));
        QCOMPARE(comparison.changedAnswers.first().after, QStringLiteral("empty"));
        // Also from the stored history alone.
        QString error;
        const QList<OnboardingReport> history = OnboardingRun::history(
            *m_server->storage(), m_partner.id, &error);
        QCOMPARE(history.size(), 2);
        QCOMPARE(OnboardingComparison::compare(history.at(1), history.at(0)).changedAnswers.size(),
                 4);
        QVERIFY(comparison.toText().contains(QStringLiteral("4 changed")));
    }

    void aRunCanBeCancelled()
    {
        const std::unique_ptr<OnboardingRun> run = runOf(50, 20);
        QSignalSpy finished(run.get(), &OnboardingRun::finished);
        QSignalSpy progress(run.get(), &OnboardingRun::progress);
        run->start();
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 2, kWaitMs);
        run->cancel();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
        QVERIFY(run->report().cancelled);
        QVERIFY(run->report().calls.size() < 50);
        for (const TransferRecord &call : run->report().calls)
            QCOMPARE(call.outcome, TransferOutcome::Ok); // no empty rows for calls never made
        QVERIFY(run->report().toText().contains(QStringLiteral("cancelled")));
    }

    // "TLS valid where https": a partner whose certificate nobody vouches for (self-signed) is
    // reached over TCP, but the handshake is refused and the check says why. A real TLS server:
    // openssl s_server.
    void anUntrustedCertificateFailsTheTlsCheck()
    {
        const QString key = m_dir.filePath(QStringLiteral("tls.key"));
        const QString certificate = m_dir.filePath(QStringLiteral("tls.crt"));
        QProcess makeCertificate;
        makeCertificate.start(QStringLiteral("openssl"),
                              {QStringLiteral("req"), QStringLiteral("-x509"),
                               QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                               QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                               QStringLiteral("-out"), certificate, QStringLiteral("-days"),
                               QStringLiteral("1"), QStringLiteral("-subj"),
                               QStringLiteral("/CN=127.0.0.1")});
        QVERIFY2(makeCertificate.waitForFinished(kWaitMs) && makeCertificate.exitCode() == 0,
                 makeCertificate.readAllStandardError().constData());

        QTcpServer probe; // a port that was free a moment ago
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        QProcess server;
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start(QStringLiteral("openssl"),
                     {QStringLiteral("s_server"), QStringLiteral("-accept"),
                      QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-cert"),
                      certificate, QStringLiteral("-key"), key, QStringLiteral("-www")});
        QVERIFY(server.waitForStarted(kWaitMs));
        QByteArray started;
        while (!started.contains("ACCEPT") && server.waitForReadyRead(kWaitMs))
            started += server.readAll();
        QVERIFY2(started.contains("ACCEPT"), started.constData());

        Partner https = m_partner;
        https.endpoint = QStringLiteral("https://127.0.0.1:%1/lookup").arg(port);
        OnboardingConfig config;
        OnboardingRun run(*m_server->storage(), *m_server->transferEngine(), https, kSecret,
                          config);
        QVERIFY(runToEnd(run));
        server.kill();
        server.waitForFinished(kWaitMs);

        const TransferRecord &call = run.report().calls.first();
        QCOMPARE(call.outcome, TransferOutcome::NetworkError);
        QVERIFY2(call.reason.startsWith(QStringLiteral("TLS: ")), qPrintable(call.reason));
        QVERIFY(call.timings.connectUs >= 0); // TCP got through
        QCOMPARE(call.timings.tlsUs, -1);     // the handshake did not
        QCOMPARE(check(run.report(), QStringLiteral("reachable"))->result,
                 OnboardingCheck::Result::Pass);
        const OnboardingCheck *tls = check(run.report(), QStringLiteral("TLS"));
        QCOMPARE(tls->result, OnboardingCheck::Result::Fail);
        QVERIFY2(tls->detail.contains(QStringLiteral("self"), Qt::CaseInsensitive),
                 qPrintable(tls->detail));
        QVERIFY(!run.report().passed());
    }

    void anyCallCopiesAsCurl()
    {
        const std::unique_ptr<OnboardingRun> run = runOf(1, 10);
        QVERIFY(runToEnd(*run));
        const QString masked = run->curlCommand(0, false);
        QVERIFY2(masked.contains(QStringLiteral("sha256=<masked>")), qPrintable(masked));
        const QString revealed = run->curlCommand(0, true);
        QVERIFY(!revealed.contains(QStringLiteral("<masked>")));
        // The revealed command, run for real, gets the same answer: its signature is right.
        QProcess curl;
        curl.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), revealed + QStringLiteral(" -s")});
        QVERIFY(curl.waitForFinished(kWaitMs));
        const QByteArray output = curl.readAllStandardOutput(); // --include: headers first
        const QJsonObject answer =
            QJsonDocument::fromJson(output.sliced(output.indexOf("\r\n\r\n") + 4)).object();
        QVERIFY2(output.startsWith("HTTP/1.1 200"), output.constData());
        QVERIFY2(answer.value(QStringLiteral("segments")).toArray().contains(QStringLiteral("auto")),
                 qPrintable(revealed));
        QVERIFY(run->curlCommand(5, false).isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_OnboardingRun)
#include "tst_onboardingrun.moc"
