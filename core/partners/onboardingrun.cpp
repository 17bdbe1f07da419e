#include "onboardingrun.h"

#include "common/logging.h"
#include "partners/partnerendpoint.h"
#include "storage/sqlutil.h"
#include "storage/storage.h"
#include "storage/transferlog.h"
#include "transfer/transferengine.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTimerEvent>

#include <algorithm>
#include <cmath>

namespace Dcs {

namespace {

// Nearest-rank percentile of sorted values.
double percentile(const QList<double> &sorted, double share)
{
    if (sorted.isEmpty())
        return 0;
    const qsizetype rank = qsizetype(std::ceil(share * double(sorted.size())));
    return sorted.at(qBound<qsizetype>(0, rank - 1, sorted.size() - 1));
}

QString answerSummary(const TransferRecord &record)
{
    QString text = transferOutcomeName(record.outcome);
    if (!record.codes.isEmpty())
        text += QStringLiteral(": ") + record.codes.join(QLatin1Char(','));
    return text;
}

OnboardingCheck::Result resultFromName(QStringView name)
{
    if (name == u"fail")
        return OnboardingCheck::Result::Fail;
    if (name == u"warn")
        return OnboardingCheck::Result::Warn;
    if (name == u"n/a")
        return OnboardingCheck::Result::NotApplicable;
    return OnboardingCheck::Result::Pass;
}

QJsonArray checksJson(const QList<OnboardingCheck> &checks)
{
    QJsonArray array;
    for (const OnboardingCheck &check : checks)
        array.append(QJsonObject{{QStringLiteral("name"), check.name},
                                 {QStringLiteral("result"),
                                  QString(OnboardingCheck::resultName(check.result))},
                                 {QStringLiteral("detail"), check.detail}});
    return array;
}

QString checksText(const QList<OnboardingCheck> &checks)
{
    QString text;
    for (const OnboardingCheck &check : checks)
        text += QStringLiteral("  [%1] %2: %3\n")
                    .arg(OnboardingCheck::resultName(check.result), -4)
                    .arg(check.name, check.detail);
    return text;
}

// The answer was not HTTP-correct in a way that is about its body, not its codes.
bool isCodeProblem(const TransferRecord &record)
{
    return record.outcome == TransferOutcome::BadAnswer
           && record.reason.contains(QLatin1String("code"), Qt::CaseInsensitive);
}

} // namespace

QLatin1StringView OnboardingCheck::resultName(Result result)
{
    switch (result) {
    case Result::Pass:
        return QLatin1StringView("pass");
    case Result::Warn:
        return QLatin1StringView("warn");
    case Result::Fail:
        return QLatin1StringView("fail");
    case Result::NotApplicable:
        break;
    }
    return QLatin1StringView("n/a");
}

QJsonObject OnboardingConfig::toJson() const
{
    QJsonObject signalsObject;
    for (const Signal &signal : signalList)
        signalsObject.insert(signal.key, QJsonArray::fromStringList(signal.values));
    return QJsonObject{{QStringLiteral("calls"), calls},
                       {QStringLiteral("rate"), ratePerSecond},
                       {QStringLiteral("uuid"), uuid},
                       {QStringLiteral("dpuuid"), dpuuid},
                       {QStringLiteral("signals"), signalsObject},
                       {QStringLiteral("tmax_ms"), tmaxMs}};
}

OnboardingConfig OnboardingConfig::fromJson(const QJsonObject &object)
{
    OnboardingConfig config;
    config.calls = object.value(QStringLiteral("calls")).toInt(1);
    config.ratePerSecond = object.value(QStringLiteral("rate")).toDouble(10);
    config.uuid = object.value(QStringLiteral("uuid")).toString();
    config.dpuuid = object.value(QStringLiteral("dpuuid")).toString();
    const QJsonObject signalsObject = object.value(QStringLiteral("signals")).toObject();
    for (auto it = signalsObject.begin(); it != signalsObject.end(); ++it) {
        Signal signal;
        signal.key = it.key();
        for (const QJsonValue &value : it.value().toArray())
            signal.values.append(value.toString());
        config.signalList.append(signal);
    }
    config.tmaxMs = object.value(QStringLiteral("tmax_ms")).toInt(0);
    return config;
}

bool OnboardingReport::passed() const
{
    return std::none_of(checks.begin(), checks.end(), [](const OnboardingCheck &check) {
        return check.result == OnboardingCheck::Result::Fail;
    });
}

QJsonObject OnboardingReport::toJson() const
{
    QJsonArray answers;
    for (const TransferRecord &call : calls)
        answers.append(QJsonObject{{QStringLiteral("uuid"), call.uuid},
                                   {QStringLiteral("answer"), answerSummary(call)},
                                   {QStringLiteral("total_us"), call.totalUs}});
    return QJsonObject{{QStringLiteral("partner_id"), partnerId},
                       {QStringLiteral("partner"), partnerName},
                       {QStringLiteral("started_ms"), startedMs},
                       {QStringLiteral("finished_ms"), finishedMs},
                       {QStringLiteral("cancelled"), cancelled},
                       {QStringLiteral("passed"), passed()},
                       {QStringLiteral("config"), config.toJson()},
                       {QStringLiteral("checks"), checksJson(checks)},
                       {QStringLiteral("p50_ms"), p50Ms},
                       {QStringLiteral("p95_ms"), p95Ms},
                       {QStringLiteral("p99_ms"), p99Ms},
                       {QStringLiteral("error_rate"), errorRate},
                       {QStringLiteral("answers"), answers}};
}

OnboardingReport OnboardingReport::fromJson(const QJsonObject &object)
{
    OnboardingReport report;
    report.partnerId = object.value(QStringLiteral("partner_id")).toInteger();
    report.partnerName = object.value(QStringLiteral("partner")).toString();
    report.startedMs = object.value(QStringLiteral("started_ms")).toInteger();
    report.finishedMs = object.value(QStringLiteral("finished_ms")).toInteger();
    report.cancelled = object.value(QStringLiteral("cancelled")).toBool();
    report.config = OnboardingConfig::fromJson(object.value(QStringLiteral("config")).toObject());
    for (const QJsonValue &value : object.value(QStringLiteral("checks")).toArray()) {
        const QJsonObject check = value.toObject();
        report.checks.append(OnboardingCheck{
            check.value(QStringLiteral("name")).toString(),
            resultFromName(check.value(QStringLiteral("result")).toString()),
            check.value(QStringLiteral("detail")).toString()});
    }
    report.p50Ms = object.value(QStringLiteral("p50_ms")).toDouble();
    report.p95Ms = object.value(QStringLiteral("p95_ms")).toDouble();
    report.p99Ms = object.value(QStringLiteral("p99_ms")).toDouble();
    report.errorRate = object.value(QStringLiteral("error_rate")).toDouble();
    // Without the stored calls, the answers are enough to compare runs.
    for (const QJsonValue &value : object.value(QStringLiteral("answers")).toArray()) {
        const QJsonObject answer = value.toObject();
        TransferRecord call;
        call.uuid = answer.value(QStringLiteral("uuid")).toString();
        const QString summary = answer.value(QStringLiteral("answer")).toString();
        const qsizetype colon = summary.indexOf(QStringLiteral(": "));
        call.outcome = transferOutcomeFromName(colon < 0 ? summary : summary.first(colon))
                           .value_or(TransferOutcome::BadAnswer);
        if (colon >= 0)
            call.codes = summary.sliced(colon + 2).split(QLatin1Char(','));
        call.totalUs = qint32(answer.value(QStringLiteral("total_us")).toInteger());
        report.calls.append(call);
    }
    return report;
}

QString OnboardingReport::toText() const
{
    QString text = QStringLiteral("Onboarding test of %1: %2 calls at %3/s%4\n")
                       .arg(partnerName)
                       .arg(calls.size())
                       .arg(config.ratePerSecond)
                       .arg(cancelled ? QStringLiteral(" (cancelled)") : QString());
    int counts[TransferOutcomeCount] = {};
    for (const TransferRecord &call : calls)
        ++counts[int(call.outcome)];
    QStringList outcomes;
    for (int i = 0; i < TransferOutcomeCount; ++i) {
        if (counts[i] > 0)
            outcomes.append(QStringLiteral("%1 %2").arg(counts[i]).arg(
                transferOutcomeName(TransferOutcome(i))));
    }
    text += QStringLiteral("Outcomes: %1\n").arg(outcomes.join(QStringLiteral(", ")));
    text += QStringLiteral("Latency: p50 %1 ms, p95 %2 ms, p99 %3 ms; error rate %4%\n")
                .arg(p50Ms, 0, 'f', 1)
                .arg(p95Ms, 0, 'f', 1)
                .arg(p99Ms, 0, 'f', 1)
                .arg(errorRate * 100, 0, 'f', 1);
    text += QStringLiteral("Checks:\n") + checksText(checks);
    text += passed() ? QStringLiteral("Result: PASSED\n") : QStringLiteral("Result: FAILED\n");
    return text;
}

OnboardingComparison OnboardingComparison::compare(const OnboardingReport &before,
                                                   const OnboardingReport &after)
{
    OnboardingComparison comparison;
    QHash<QString, QString> earlier;
    for (const TransferRecord &call : before.calls)
        earlier.insert(call.uuid, answerSummary(call));
    for (const TransferRecord &call : after.calls) {
        const auto found = earlier.constFind(call.uuid);
        if (found == earlier.constEnd())
            continue;
        const QString now = answerSummary(call);
        if (now == *found)
            ++comparison.sameAnswers;
        else
            comparison.changedAnswers.append(Change{call.uuid, *found, now});
    }
    comparison.checksBefore = before.checks;
    comparison.checksAfter = after.checks;
    comparison.p50Before = before.p50Ms;
    comparison.p95Before = before.p95Ms;
    comparison.p99Before = before.p99Ms;
    comparison.p50After = after.p50Ms;
    comparison.p95After = after.p95Ms;
    comparison.p99After = after.p99Ms;
    comparison.errorRateBefore = before.errorRate;
    comparison.errorRateAfter = after.errorRate;
    return comparison;
}

QString OnboardingComparison::toText() const
{
    QString text = QStringLiteral("Answers: %1 the same, %2 changed\n")
                       .arg(sameAnswers)
                       .arg(changedAnswers.size());
    for (const Change &change : changedAnswers)
        text += QStringLiteral("  %1: %2 -> %3\n").arg(change.uuid, change.before, change.after);
    text += QStringLiteral("Latency p50/p95/p99 ms: %1/%2/%3 -> %4/%5/%6\n")
                .arg(p50Before, 0, 'f', 1)
                .arg(p95Before, 0, 'f', 1)
                .arg(p99Before, 0, 'f', 1)
                .arg(p50After, 0, 'f', 1)
                .arg(p95After, 0, 'f', 1)
                .arg(p99After, 0, 'f', 1);
    text += QStringLiteral("Error rate: %1% -> %2%\n")
                .arg(errorRateBefore * 100, 0, 'f', 1)
                .arg(errorRateAfter * 100, 0, 'f', 1);
    return text;
}

OnboardingRun::OnboardingRun(Storage &storage, TransferEngine &engine, Partner partner,
                             std::optional<QByteArray> secret, OnboardingConfig config,
                             QObject *parent)
    : QObject(parent)
    , m_storage(storage)
    , m_engine(engine)
    , m_partner(std::move(partner))
    , m_secret(std::move(secret))
{
    config.calls = qBound(1, config.calls, 100000);
    config.ratePerSecond = qBound(0.1, config.ratePerSecond, 10000.0);
    m_report.config = config;
    m_report.partnerId = m_partner.id;
    m_report.partnerName = m_partner.name;
}

void OnboardingRun::start()
{
    if (m_running)
        return;
    m_running = true;
    m_report.startedMs = QDateTime::currentMSecsSinceEpoch();
    startNextCall();
    if (m_started < m_report.config.calls)
        m_pacer.start(qMax(1, int(1000.0 / m_report.config.ratePerSecond)), Qt::PreciseTimer,
                      this);
}

void OnboardingRun::cancel()
{
    if (!m_running || m_cancelled)
        return;
    m_cancelled = true;
    m_report.cancelled = true;
    m_pacer.stop();
    if (m_finished == m_started)
        finish();
}

void OnboardingRun::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_pacer.timerId())
        return;
    startNextCall();
    if (m_started >= m_report.config.calls)
        m_pacer.stop();
}

PartnerCall OnboardingRun::callFor(int index) const
{
    const OnboardingConfig &config = m_report.config;
    PartnerCall call;
    // The same generated visitors every run, so two runs can be compared answer by answer.
    call.uuid = config.uuid.isEmpty()
                    ? QStringLiteral("%1").arg(index + 1, 38, 10, QLatin1Char('0'))
                    : config.uuid;
    call.dpuuid = config.dpuuid;
    call.tid = QStringLiteral("test%1").arg(index, 8, 10, QLatin1Char('0'));
    call.tmaxMs = config.tmaxMs > 0 ? config.tmaxMs : m_partner.timeoutMs;
    call.timestampMs = QDateTime::currentMSecsSinceEpoch();
    call.signalList = config.signalList;
    return call;
}

void OnboardingRun::startNextCall()
{
    if (m_cancelled || m_started >= m_report.config.calls)
        return;
    const int index = m_started++;
    const PartnerCall call = callFor(index);
    m_sentCalls.append(call);
    m_report.calls.append(TransferRecord()); // filled when it ends, kept in start order
    m_engine.testCall(m_partner, m_secret, call, [this, index](TransferRecord record) {
        callDone(index, std::move(record));
    });
}

void OnboardingRun::callDone(int index, TransferRecord record)
{
    m_report.calls[index] = record;
    ++m_finished;
    Q_EMIT callFinished(index, record);
    Q_EMIT progress(m_finished, m_report.config.calls);
    if (m_finished == m_started && (m_cancelled || m_started >= m_report.config.calls))
        finish();
}

void OnboardingRun::evaluate(const Partner &partner, OnboardingReport &report)
{
    report.checks.clear();
    const QList<TransferRecord> &calls = report.calls;
    const int total = int(calls.size());
    int connected = 0, answered = 0, badStatus = 0, badBody = 0, badCodes = 0, failures = 0;
    QString firstNetworkError, firstStatus, firstBody, firstCodes, tlsError;
    QSet<QString> codes, unmapped;
    QList<double> latencies;
    for (const TransferRecord &call : calls) {
        if (call.timings.connectUs >= 0)
            ++connected;
        if (call.outcome == TransferOutcome::NetworkError && firstNetworkError.isEmpty())
            firstNetworkError = call.reason;
        if (call.reason.startsWith(QLatin1String("TLS")) && tlsError.isEmpty())
            tlsError = call.reason;
        if (call.httpStatus > 0)
            ++answered;
        if (call.outcome == TransferOutcome::HttpError) {
            ++badStatus;
            if (firstStatus.isEmpty())
                firstStatus = call.reason;
        } else if (isCodeProblem(call)) {
            ++badCodes;
            if (firstCodes.isEmpty())
                firstCodes = call.reason;
        } else if (call.outcome == TransferOutcome::BadAnswer) {
            ++badBody;
            if (firstBody.isEmpty())
                firstBody = call.reason;
        }
        if (transferOutcomeIsFailure(call.outcome))
            ++failures;
        for (const QString &code : call.codes)
            codes.insert(code);
        for (const QString &code : call.unmappedCodes)
            unmapped.insert(code);
        if (call.outcome == TransferOutcome::Timeout)
            latencies.append(partner.timeoutMs); // at least that: it never answered in time
        else if (call.timings.lastByteUs >= 0)
            latencies.append(call.totalUs / 1000.0);
    }
    std::sort(latencies.begin(), latencies.end());
    report.p50Ms = percentile(latencies, 0.50);
    report.p95Ms = percentile(latencies, 0.95);
    report.p99Ms = percentile(latencies, 0.99);
    report.errorRate = total > 0 ? double(failures) / total : 0;

    using R = OnboardingCheck::Result;
    const auto add = [&report](const QString &name, R result, const QString &detail) {
        report.checks.append(OnboardingCheck{name, result, detail});
    };
    add(QStringLiteral("reachable"), connected > 0 ? R::Pass : R::Fail,
        connected > 0 ? QStringLiteral("%1 of %2 calls connected").arg(connected).arg(total)
                      : QStringLiteral("no call connected: %1").arg(firstNetworkError));
    const bool https = partner.endpoint.startsWith(QLatin1String("https:"), Qt::CaseInsensitive);
    if (!https)
        add(QStringLiteral("TLS"), R::NotApplicable, QStringLiteral("the endpoint is http://"));
    else
        add(QStringLiteral("TLS"), tlsError.isEmpty() ? R::Pass : R::Fail,
            tlsError.isEmpty() ? QStringLiteral("certificate valid, handshake done") : tlsError);
    add(QStringLiteral("status and content type"),
        answered == 0 ? R::Fail : (badStatus > 0 ? R::Fail : R::Pass),
        answered == 0 ? QStringLiteral("no HTTP answer")
        : badStatus > 0
            ? QStringLiteral("%1 of %2 answers had a wrong status (first: %3)")
                  .arg(badStatus)
                  .arg(answered)
                  .arg(firstStatus)
            : QStringLiteral("%1 answers: 200 with JSON or text, or 204").arg(answered));
    add(QStringLiteral("body parses"), answered == 0 ? R::NotApplicable
                                       : badBody > 0 ? R::Fail
                                                     : R::Pass,
        badBody > 0 ? QStringLiteral("%1 answers did not parse (first: %2)").arg(badBody).arg(firstBody)
                    : QStringLiteral("every answer parsed"));
    add(QStringLiteral("codes valid"), badCodes > 0 ? R::Fail : R::Pass,
        badCodes > 0 ? QStringLiteral("%1 answers had invalid codes (first: %2)")
                           .arg(badCodes)
                           .arg(firstCodes)
                     : QStringLiteral("%1 distinct codes, all valid").arg(codes.size()));
    QStringList unmappedList(unmapped.begin(), unmapped.end());
    std::sort(unmappedList.begin(), unmappedList.end());
    add(QStringLiteral("codes mapped"),
        codes.isEmpty() ? R::NotApplicable : (unmapped.isEmpty() ? R::Pass : R::Warn),
        codes.isEmpty()      ? QStringLiteral("no codes received")
        : unmapped.isEmpty() ? QStringLiteral("every code realizes an onboarded trait")
                             : QStringLiteral("%1 of %2 codes have no onboarded trait: %3")
                                   .arg(unmapped.size())
                                   .arg(codes.size())
                                   .arg(unmappedList.mid(0, 10).join(QStringLiteral(", "))));
    add(QStringLiteral("latency"),
        latencies.isEmpty() ? R::Fail : (report.p99Ms <= partner.timeoutMs ? R::Pass : R::Fail),
        QStringLiteral("p50 %1 ms, p95 %2 ms, p99 %3 ms against a timeout of %4 ms")
            .arg(report.p50Ms, 0, 'f', 1)
            .arg(report.p95Ms, 0, 'f', 1)
            .arg(report.p99Ms, 0, 'f', 1)
            .arg(partner.timeoutMs));
    add(QStringLiteral("error rate"),
        report.errorRate <= 0.01 ? R::Pass : (report.errorRate <= 0.05 ? R::Warn : R::Fail),
        QStringLiteral("%1 of %2 calls failed (%3%; pass at most 1%, warn at most 5%)")
            .arg(failures)
            .arg(total)
            .arg(report.errorRate * 100, 0, 'f', 1));
}

void OnboardingRun::finish()
{
    m_pacer.stop();
    m_running = false;
    // Calls never started (cancelled) leave no empty rows behind.
    m_report.calls.resize(m_started);
    m_report.finishedMs = QDateTime::currentMSecsSinceEpoch();
    evaluate(m_partner, m_report);

    std::vector<TransferLog::PreparedRow> rows;
    for (const TransferRecord &call : std::as_const(m_report.calls))
        rows.push_back(TransferLog::PreparedRow::from(call));
    const QByteArray config = QJsonDocument(m_report.config.toJson()).toJson(QJsonDocument::Compact);
    const QByteArray report = QJsonDocument(m_report.toJson()).toJson(QJsonDocument::Compact);
    auto runId = std::make_shared<qint64>(0);
    const WriteResult result = m_storage.writer().runAndWait(
        [rows = std::move(rows), config, report, partnerId = m_partner.id,
         started = m_report.startedMs, finished = m_report.finishedMs,
         runId](WriteContext &context, QString *error) mutable {
            QSqlQuery &insert = context.prepared(
                QStringLiteral("INSERT INTO onboarding_runs (partner_id, started_ms, "
                               "finished_ms, config, report) VALUES (?, ?, ?, ?, ?)"));
            insert.addBindValue(partnerId);
            insert.addBindValue(started);
            insert.addBindValue(finished);
            insert.addBindValue(QString::fromUtf8(config));
            insert.addBindValue(QString::fromUtf8(report));
            if (!WriteContext::exec(insert, error))
                return false;
            *runId = insert.lastInsertId().toLongLong();
            for (TransferLog::PreparedRow &row : rows) {
                row.testRunId = *runId;
                if (!TransferLog::write(context, row, error))
                    return false;
            }
            return true;
        });
    if (result.ok) {
        m_report.runId = *runId;
        for (TransferRecord &call : m_report.calls)
            call.testRunId = *runId;
    } else {
        qCWarning(lcTransfer).noquote() << "onboarding run not stored:" << result.error;
    }
    Q_EMIT finished();
}

QString OnboardingRun::curlCommand(int callIndex, bool reveal) const
{
    if (callIndex < 0 || callIndex >= m_sentCalls.size())
        return {};
    const PartnerEndpoint endpoint = PartnerEndpoint::forPartner(m_partner);
    // Rebuilt from the same call (timestamp included): the same bytes, the same signature.
    return PartnerRequest::build(endpoint, m_partner, m_sentCalls.at(callIndex), m_secret)
        .curlCommand(reveal);
}

QList<OnboardingReport> OnboardingRun::history(Storage &storage, qint64 partnerId, QString *error)
{
    QList<OnboardingReport> reports;
    QSqlQuery query(storage.reader());
    if (!SqlUtil::run(query,
                      QStringLiteral("SELECT id, report FROM onboarding_runs WHERE partner_id = ? "
                                     "ORDER BY started_ms DESC, id DESC"),
                      {partnerId}, error))
        return reports;
    while (query.next()) {
        OnboardingReport report = OnboardingReport::fromJson(
            QJsonDocument::fromJson(query.value(1).toString().toUtf8()).object());
        report.runId = query.value(0).toLongLong();
        reports.append(report);
    }
    return reports;
}

std::optional<OnboardingReport> OnboardingRun::load(Storage &storage, qint64 runId,
                                                    QString *error)
{
    QSqlQuery query(storage.reader());
    if (!SqlUtil::run(query, QStringLiteral("SELECT report FROM onboarding_runs WHERE id = ?"),
                      {runId}, error)
        || !query.next())
        return std::nullopt;
    OnboardingReport report = OnboardingReport::fromJson(
        QJsonDocument::fromJson(query.value(0).toString().toUtf8()).object());
    report.runId = runId;
    TransferLog::Filter filter;
    filter.testRunId = runId;
    QList<TransferRecord> calls = TransferLog::query(storage.reader(), filter, 100000, 0, error);
    std::reverse(calls.begin(), calls.end()); // the log reads newest first
    if (!calls.isEmpty())
        report.calls = calls;
    return report;
}

} // namespace Dcs
