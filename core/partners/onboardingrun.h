#pragma once

#include "partners/partner.h"
#include "partners/partnerrequest.h"
#include "storage/storagewriter.h"
#include "transfer/transferrecord.h"

#include <QBasicTimer>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace Dcs {

class Storage;
class TransferEngine;

// What an admin asks of an onboarding test (partner-protocol.md, "Onboarding test").
struct OnboardingConfig
{
    int calls = 1;
    double ratePerSecond = 10; // calls started per second
    QString uuid;              // empty: a generated visitor per call (the same ones every run)
    QString dpuuid;
    QList<Signal> signalList;  // sent as the page's signals (forwarded keys only)
    int tmaxMs = 0;            // 0: the partner's timeout

    QJsonObject toJson() const;
    static OnboardingConfig fromJson(const QJsonObject &object);
};

struct OnboardingCheck
{
    enum class Result { Pass, Warn, Fail, NotApplicable };
    QString name;   // "reachable", "tls", "status and content type", ...
    Result result = Result::Pass;
    QString detail; // the reason, with numbers

    static QLatin1StringView resultName(Result result); // "pass", "warn", "fail", "n/a"
};

struct OnboardingReport
{
    qint64 runId = 0;
    qint64 partnerId = 0;
    QString partnerName;
    qint64 startedMs = 0;
    qint64 finishedMs = 0;
    bool cancelled = false;
    OnboardingConfig config;
    QList<TransferRecord> calls; // in the order they were started, with request/answer text
    QList<OnboardingCheck> checks;
    // Over the calls that got an answer: total time in ms.
    double p50Ms = 0;
    double p95Ms = 0;
    double p99Ms = 0;
    double errorRate = 0; // attempts that failed (transferOutcomeIsFailure) / calls made

    bool passed() const; // no check failed
    QJsonObject toJson() const; // what onboarding_runs.report stores (calls not included)
    static OnboardingReport fromJson(const QJsonObject &object);
    QString toText() const;     // for --test-partner and the clipboard
};

// Two runs side by side: which visitors' answers changed, and the timing distributions.
struct OnboardingComparison
{
    struct Change
    {
        QString uuid;
        QString before; // outcome and codes, e.g. "ok: auto,c3"
        QString after;
    };
    QList<Change> changedAnswers;
    int sameAnswers = 0;
    QList<OnboardingCheck> checksBefore;
    QList<OnboardingCheck> checksAfter;
    double p50Before = 0, p95Before = 0, p99Before = 0;
    double p50After = 0, p95After = 0, p99After = 0;
    double errorRateBefore = 0, errorRateAfter = 0;

    static OnboardingComparison compare(const OnboardingReport &before,
                                        const OnboardingReport &after);
    QString toText() const;
};

// One onboarding test: N calls at R/s to one partner through the engine's own request, pools
// and classification (TransferEngine::testCall), then every check of the spec. Runs on the
// thread that created it (an event loop is needed). The run and each call are stored
// (onboarding_runs, transfers with test_run_id, bodies always kept) when it ends.
class OnboardingRun final : public QObject
{
    Q_OBJECT
public:
    OnboardingRun(Storage &storage, TransferEngine &engine, Partner partner,
                  std::optional<QByteArray> secret, OnboardingConfig config,
                  QObject *parent = nullptr);

    void start();
    void cancel(); // calls in flight finish; no new ones; the report says cancelled
    bool isRunning() const { return m_running; }
    const OnboardingReport &report() const { return m_report; }
    // A call as a curl command, signature masked unless `reveal`.
    QString curlCommand(int callIndex, bool reveal) const;

    // The history of a partner's runs, newest first (reports without their calls), and one
    // run with its calls, read from the database.
    static QList<OnboardingReport> history(Storage &storage, qint64 partnerId, QString *error);
    static std::optional<OnboardingReport> load(Storage &storage, qint64 runId, QString *error);
    // The checks, from the calls (pure: used by the run and by tests).
    static void evaluate(const Partner &partner, OnboardingReport &report);

Q_SIGNALS:
    void progress(int finished, int total);
    void callFinished(int index, const Dcs::TransferRecord &record);
    void finished();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void startNextCall();
    void callDone(int index, TransferRecord record);
    void finish();
    PartnerCall callFor(int index) const;

    Storage &m_storage;
    TransferEngine &m_engine;
    const Partner m_partner;
    const std::optional<QByteArray> m_secret;
    OnboardingReport m_report;
    QList<PartnerCall> m_sentCalls;
    QBasicTimer m_pacer;
    int m_started = 0;
    int m_finished = 0;
    bool m_running = false;
    bool m_cancelled = false;
};

} // namespace Dcs
