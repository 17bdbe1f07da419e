// The simulator's decisions in process, without sockets: latency distributions, failure
// rates, code tables and assignment, /config changes, the answer to one call; and one
// in-process PartnerSimulator, as the DCS's demo mode and tests would run it.
#include "answerplanner.h"
#include "codetable.h"
#include "dcs/httprequestparser.h"
#include "failurerates.h"
#include "latencymodel.h"
#include "partners/inbounditem.h"
#include "partners/partnersigning.h"
#include "partnersimulator.h"
#include "simrandom.h"
#include "simulatorconfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <vector>

using namespace Dcs;

namespace {

HttpRequest postRequest(const QByteArray &body)
{
    HttpRequest request;
    request.method = QByteArrayLiteral("POST");
    request.target = request.path = QByteArrayLiteral("/segments");
    request.headers.append({QByteArrayLiteral("host"), QByteArrayLiteral("partner")});
    request.body = body;
    return request;
}

QByteArray callBody(const QString &uuid, const QString &dpuuid = {})
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

QStringList segmentsOf(const SimAnswer &answer)
{
    QStringList codes;
    const QJsonObject object = QJsonDocument::fromJson(answer.body).object();
    const QJsonArray segments = object.value(QLatin1StringView("segments")).toArray();
    for (const QJsonValue &code : segments)
        codes.append(code.toString());
    return codes;
}

double quantile(std::vector<double> samples, double q)
{
    std::sort(samples.begin(), samples.end());
    return samples[size_t(q * double(samples.size() - 1))];
}

} // namespace

class tst_PartnerSimLogic : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void latencyParses_data();
    void latencyParses();
    void latencyRefuses_data();
    void latencyRefuses();
    void fixedAndUniformStayInRange();
    void lognormalHitsItsMedianAndP99_data();
    void lognormalHitsItsMedianAndP99();

    void failureRatesParse();
    void failureRatesRefuse_data();
    void failureRatesRefuse();
    void failuresArePickedAtTheirRates();

    void codeTableLooksUpUuidThenDpuuidThenDefault();
    void codeTableRefuses_data();
    void codeTableRefuses();

    void randomCodesAreDeterministicPerSeedAndVisitor();
    void randomCodesStayInThePool();
    void emptyShareIsTheShareOfVisitorsWithoutCodes();

    void configChangesApplyAllOrNothing();
    void configRoundTripsThroughJson();

    void answersCodesAsJsonTextOr204();
    void answersGetTemplateCalls();
    void checksTheSignature();
    void refusesWhatIsNotACall();
    void plansEachFailureKind_data();
    void plansEachFailureKind();

    void inProcessSimulatorAnswersWhileItsOwnerBlocks();
};

void tst_PartnerSimLogic::latencyParses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<double>("first");
    QTest::addColumn<double>("second");
    QTest::newRow("fixed") << QStringLiteral("fixed:20") << int(LatencyModel::Kind::Fixed) << 20.0
                           << 0.0;
    QTest::newRow("fixed zero") << QStringLiteral("fixed:0") << int(LatencyModel::Kind::Fixed)
                                << 0.0 << 0.0;
    QTest::newRow("uniform") << QStringLiteral("uniform:5,15") << int(LatencyModel::Kind::Uniform)
                             << 5.0 << 15.0;
    QTest::newRow("lognormal") << QStringLiteral("lognormal:20, 80")
                               << int(LatencyModel::Kind::LogNormal) << 20.0 << 80.0;
    QTest::newRow("fractions") << QStringLiteral("uniform:0.5,1.5")
                               << int(LatencyModel::Kind::Uniform) << 0.5 << 1.5;
}

void tst_PartnerSimLogic::latencyParses()
{
    QFETCH(QString, text);
    QFETCH(int, kind);
    QFETCH(double, first);
    QFETCH(double, second);
    QString error;
    const std::optional<LatencyModel> model = LatencyModel::parse(text, &error);
    QVERIFY2(model, qPrintable(error));
    QCOMPARE(int(model->kind), kind);
    QCOMPARE(model->first, first);
    QCOMPARE(model->second, second);
    QCOMPARE(LatencyModel::parse(model->toString(), nullptr), model);
}

void tst_PartnerSimLogic::latencyRefuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("no colon") << QStringLiteral("20");
    QTest::newRow("unknown") << QStringLiteral("gauss:20,5");
    QTest::newRow("fixed two values") << QStringLiteral("fixed:1,2");
    QTest::newRow("uniform one value") << QStringLiteral("uniform:5");
    QTest::newRow("uniform reversed") << QStringLiteral("uniform:15,5");
    QTest::newRow("negative") << QStringLiteral("fixed:-1");
    QTest::newRow("not a number") << QStringLiteral("fixed:soon");
    QTest::newRow("lognormal p99 below p50") << QStringLiteral("lognormal:80,20");
    QTest::newRow("lognormal zero median") << QStringLiteral("lognormal:0,20");
    QTest::newRow("too long") << QStringLiteral("fixed:99999999");
}

void tst_PartnerSimLogic::latencyRefuses()
{
    QFETCH(QString, text);
    QString error;
    QVERIFY(!LatencyModel::parse(text, &error));
    QVERIFY(!error.isEmpty());
}

void tst_PartnerSimLogic::fixedAndUniformStayInRange()
{
    SimRandom random(42);
    const LatencyModel fixed = *LatencyModel::parse(u"fixed:20", nullptr);
    QCOMPARE(fixed.sampleMs(random), 20.0);
    const LatencyModel uniform = *LatencyModel::parse(u"uniform:5,15", nullptr);
    double lowest = 1e9;
    double highest = 0;
    for (int i = 0; i < 10000; ++i) {
        const double sample = uniform.sampleMs(random);
        lowest = qMin(lowest, sample);
        highest = qMax(highest, sample);
    }
    QVERIFY(lowest >= 5 && lowest < 5.1);
    QVERIFY(highest < 15 && highest > 14.9);
}

void tst_PartnerSimLogic::lognormalHitsItsMedianAndP99_data()
{
    QTest::addColumn<double>("p50");
    QTest::addColumn<double>("p99");
    QTest::newRow("20, 80") << 20.0 << 80.0;
    QTest::newRow("10, 11") << 10.0 << 11.0;
    QTest::newRow("5, 200") << 5.0 << 200.0;
    QTest::newRow("degenerate 30, 30") << 30.0 << 30.0;
}

void tst_PartnerSimLogic::lognormalHitsItsMedianAndP99()
{
    QFETCH(double, p50);
    QFETCH(double, p99);
    const LatencyModel model{LatencyModel::Kind::LogNormal, p50, p99};
    SimRandom random(7);
    std::vector<double> samples;
    for (int i = 0; i < 10000; ++i)
        samples.push_back(model.sampleMs(random));
    const double median = quantile(samples, 0.5);
    const double percentile99 = quantile(samples, 0.99);
    QVERIFY2(qAbs(median - p50) <= 0.1 * p50, qPrintable(QString::number(median)));
    QVERIFY2(qAbs(percentile99 - p99) <= 0.1 * p99, qPrintable(QString::number(percentile99)));
}

void tst_PartnerSimLogic::failureRatesParse()
{
    QString error;
    const std::optional<FailureRates> rates =
        FailureRates::parse(u"http500=0.1, reset=0.05,hang=0.25", &error);
    QVERIFY2(rates, qPrintable(error));
    QCOMPARE(rates->rate(FailureKind::Http500), 0.1);
    QCOMPARE(rates->rate(FailureKind::Reset), 0.05);
    QCOMPARE(rates->rate(FailureKind::Hang), 0.25);
    QCOMPARE(rates->rate(FailureKind::Drip), 0.0);
    QCOMPARE(FailureRates::parse(rates->toString(), nullptr), rates);
    QCOMPARE(FailureRates::parse(u"none", nullptr), FailureRates());
    QCOMPARE(FailureRates::parse(u"", nullptr), FailureRates());
    QCOMPARE(FailureRates().toString(), QStringLiteral("none"));
    // Every kind has a name that parses back.
    for (int i = 0; i < kFailureKindCount; ++i)
        QCOMPARE(failureKindFromName(QString(failureKindName(FailureKind(i)))), FailureKind(i));
    // Rates that add up to exactly 1 in decimal but not in binary are accepted.
    QVERIFY(FailureRates::parse(u"http500=0.1,reset=0.2,malformed=0.7", nullptr));
}

void tst_PartnerSimLogic::failureRatesRefuse_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("unknown kind") << QStringLiteral("timeout=0.1");
    QTest::newRow("no rate") << QStringLiteral("http500");
    QTest::newRow("rate above 1") << QStringLiteral("http500=1.5");
    QTest::newRow("negative rate") << QStringLiteral("http500=-0.1");
    QTest::newRow("not a number") << QStringLiteral("http500=often");
    QTest::newRow("sum above 1") << QStringLiteral("http500=0.6,hang=0.6");
}

void tst_PartnerSimLogic::failureRatesRefuse()
{
    QFETCH(QString, text);
    QString error;
    QVERIFY(!FailureRates::parse(text, &error));
    QVERIFY(!error.isEmpty());
}

void tst_PartnerSimLogic::failuresArePickedAtTheirRates()
{
    const FailureRates rates = *FailureRates::parse(u"http500=0.1,drip=0.3", nullptr);
    SimRandom random(3);
    int http500 = 0;
    int drip = 0;
    int normal = 0;
    constexpr int draws = 100000;
    for (int i = 0; i < draws; ++i) {
        const std::optional<FailureKind> kind = rates.pick(random.nextUnit());
        if (!kind)
            ++normal;
        else if (*kind == FailureKind::Http500)
            ++http500;
        else if (*kind == FailureKind::Drip)
            ++drip;
        else
            QFAIL("a kind with rate 0 was picked");
    }
    QVERIFY(qAbs(http500 / double(draws) - 0.1) < 0.01);
    QVERIFY(qAbs(drip / double(draws) - 0.3) < 0.01);
    QVERIFY(qAbs(normal / double(draws) - 0.6) < 0.01);
    QCOMPARE(FailureRates::parse(u"close=1", nullptr)->pick(0.999999), FailureKind::Close);
}

void tst_PartnerSimLogic::codeTableLooksUpUuidThenDpuuidThenDefault()
{
    QString error;
    const auto table = CodeTable::parse(u"# visitors\n"
                                        u"u-1\tseg1, seg2\r\n"
                                        u"\n"
                                        u"d-9\tdp1\tgone1,gone2\n"
                                        u"u-empty\t\n"
                                        u"*\tdefault:1\n",
                                        QStringLiteral("table"), &error);
    QVERIFY2(table, qPrintable(error));
    QCOMPARE(table->size(), qsizetype(4));
    const VisitorCodes uuidLine{{QStringLiteral("seg1"), QStringLiteral("seg2")}, {}};
    QCOMPARE(table->lookup(QStringLiteral("u-1"), QStringLiteral("d-9")), uuidLine);
    const VisitorCodes dpuuidLine{{QStringLiteral("dp1")},
                                  {QStringLiteral("gone1"), QStringLiteral("gone2")}};
    QCOMPARE(table->lookup(QStringLiteral("u-other"), QStringLiteral("d-9")), dpuuidLine);
    QCOMPARE(table->lookup(QStringLiteral("u-empty"), {}), VisitorCodes());
    QCOMPARE(table->lookup(QStringLiteral("u-other"), {}),
             (VisitorCodes{{QStringLiteral("default:1")}, {}}));

    const auto noDefault = CodeTable::parse(u"u-1\tseg1\n", QStringLiteral("t"), &error);
    QVERIFY(noDefault);
    QVERIFY(!noDefault->lookup(QStringLiteral("u-2"), {}));
}

void tst_PartnerSimLogic::codeTableRefuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expectedError");
    QTest::newRow("invalid code") << QStringLiteral("u-1\tok\nu-2\tnot ok\n")
                                  << QStringLiteral("t:2: \"not ok\" is not a partner code");
    QTest::newRow("code too long") << QStringLiteral("u-1\t") + QString(65, u'x')
                                   << QStringLiteral("t:1:");
    QTest::newRow("no tab") << QStringLiteral("u-1 seg1") << QStringLiteral("t:1: expected");
    QTest::newRow("four columns") << QStringLiteral("u-1\ta\tb\tc") << QStringLiteral("t:1:");
    QTest::newRow("empty key") << QStringLiteral("\tseg1") << QStringLiteral("t:1:");
    QTest::newRow("duplicate") << QStringLiteral("u-1\ta\nu-1\tb")
                               << QStringLiteral("t:2: \"u-1\" already has a line");
    QTest::newRow("duplicate default") << QStringLiteral("*\ta\n*\tb") << QStringLiteral("t:2:");
}

void tst_PartnerSimLogic::codeTableRefuses()
{
    QFETCH(QString, text);
    QFETCH(QString, expectedError);
    QString error;
    QVERIFY(!CodeTable::parse(text, QStringLiteral("t"), &error));
    QVERIFY2(error.startsWith(expectedError), qPrintable(error));
}

void tst_PartnerSimLogic::randomCodesAreDeterministicPerSeedAndVisitor()
{
    SimulatorConfig config;
    config.seed = 11;
    SimulatorConfig otherSeed = config;
    otherSeed.seed = 12;
    int differentForOtherSeed = 0;
    QSet<QStringList> distinctAnswers;
    for (int i = 0; i < 200; ++i) {
        const QString uuid = QStringLiteral("visitor-%1").arg(i);
        const VisitorCodes codes = assignCodes(config, uuid, {});
        QCOMPARE(assignCodes(config, uuid, {}), codes);
        QCOMPARE(assignCodes(config, uuid, QStringLiteral("any dpuuid")), codes);
        distinctAnswers.insert(codes.segments);
        if (assignCodes(otherSeed, uuid, {}) != codes)
            ++differentForOtherSeed;
    }
    QVERIFY(differentForOtherSeed > 190);
    QVERIFY(distinctAnswers.size() > 150); // one-code answers from a pool of 100 repeat
    // Without a uuid, the dpuuid keys the visitor.
    QCOMPARE(assignCodes(config, {}, QStringLiteral("d-1")),
             assignCodes(config, QStringLiteral("d-1"), {}));
}

void tst_PartnerSimLogic::randomCodesStayInThePool()
{
    SimulatorConfig config;
    config.randomCodes = 10;
    config.codesPerVisitor = 4;
    config.codePrefix = QStringLiteral("seg.");
    QList<int> countsSeen(5, 0);
    for (int i = 0; i < 2000; ++i) {
        const QStringList codes = assignCodes(config, QString::number(i), {}).segments;
        QVERIFY(codes.size() >= 1 && codes.size() <= 4);
        ++countsSeen[codes.size()];
        QCOMPARE(QSet<QString>(codes.begin(), codes.end()).size(), codes.size());
        for (const QString &code : codes) {
            QVERIFY(code.startsWith(u"seg."));
            const int index = code.sliced(4).toInt();
            QVERIFY(index >= 0 && index < 10);
            QVERIFY(isValidPartnerCode(code));
        }
    }
    for (int count = 1; count <= 4; ++count)
        QVERIFY2(countsSeen[count] > 300, qPrintable(QString::number(countsSeen[count])));

    config.codesPerVisitor = 50; // more than the pool: every code, once
    QVERIFY(assignCodes(config, QStringLiteral("x"), {}).segments.size() <= 10);
    config.codesPerVisitor = 0;
    QVERIFY(assignCodes(config, QStringLiteral("x"), {}).isEmpty());
}

void tst_PartnerSimLogic::emptyShareIsTheShareOfVisitorsWithoutCodes()
{
    SimulatorConfig config;
    config.emptyShare = 0.3;
    int empty = 0;
    constexpr int visitors = 10000;
    for (int i = 0; i < visitors; ++i) {
        if (assignCodes(config, QStringLiteral("v%1").arg(i), {}).isEmpty())
            ++empty;
    }
    QVERIFY2(qAbs(empty / double(visitors) - 0.3) < 0.02, qPrintable(QString::number(empty)));

    // The share applies to a table too.
    config.codeTable = CodeTable::parse(u"*\tall", QStringLiteral("t"), nullptr);
    config.emptyShare = 1;
    QVERIFY(assignCodes(config, QStringLiteral("v1"), {}).isEmpty());
    config.emptyShare = 0;
    QCOMPARE(assignCodes(config, QStringLiteral("v1"), {}).segments,
             QStringList{QStringLiteral("all")});
}

void tst_PartnerSimLogic::configChangesApplyAllOrNothing()
{
    SimulatorConfig config;
    QString error;
    const QJsonObject changes{
        {QStringLiteral("latency"), QStringLiteral("fixed:5")},
        {QStringLiteral("fail"), QJsonObject{{QStringLiteral("hang"), 0.5}}},
        {QStringLiteral("empty_share"), 0.25},
        {QStringLiteral("answer_style"), QStringLiteral("text")},
        {QStringLiteral("secret"), QStringLiteral("s3")},
        {QStringLiteral("seed"), QStringLiteral("9007199254740991")}, // 2^53 - 1, as a string
        {QStringLiteral("ttl"), 30},
    };
    QVERIFY2(applyConfigChanges(config, changes, ConfigKeyStyle::Json, &error),
             qPrintable(error));
    QCOMPARE(config.latency.toString(), QStringLiteral("fixed:5"));
    QCOMPARE(config.failures.rate(FailureKind::Hang), 0.5);
    QCOMPARE(config.emptyShare, 0.25);
    QCOMPARE(config.answerStyle, SimulatorConfig::AnswerStyle::Text);
    QCOMPARE(config.secret, QByteArray("s3"));
    QCOMPARE(config.seed, SimulatorConfig::kMaxSeed);
    QCOMPARE(config.ttlDays, 30);

    const SimulatorConfig before = config;
    const auto refused = [&](const QJsonObject &attempted, const QString &expected) {
        QString reason;
        const bool applied =
            applyConfigChanges(config, attempted, ConfigKeyStyle::Json, &reason);
        return !applied && reason.contains(expected) && config.latency == before.latency
               && config.emptyShare == before.emptyShare;
    };
    // A good value next to a bad one is not applied either.
    QVERIFY(refused({{QStringLiteral("latency"), QStringLiteral("fixed:7")},
                     {QStringLiteral("empty_share"), 2}},
                    QStringLiteral("empty_share")));
    QVERIFY(refused({{QStringLiteral("latency"), QStringLiteral("fixed:7")},
                     {QStringLiteral("bogus"), 1}},
                    QStringLiteral("unknown setting \"bogus\"")));
    QVERIFY(refused({{QStringLiteral("codes_per_visitor"), 2.5}}, QStringLiteral("integer")));
    QVERIFY(refused({{QStringLiteral("latency"), 20}}, QStringLiteral("must be a string")));
    QVERIFY(refused({{QStringLiteral("codes"), QStringLiteral("/nonexistent/table.tsv")}},
                    QStringLiteral("cannot read")));
    QVERIFY(refused({{QStringLiteral("codes"), QStringLiteral("")},
                     {QStringLiteral("random_codes"), 5}},
                    QStringLiteral("exclude each other")));
    QVERIFY(refused({{QStringLiteral("code_prefix"), QStringLiteral("bad prefix")}},
                    QStringLiteral("code_prefix")));
    QVERIFY(refused({{QStringLiteral("fail"), QStringLiteral("http500=0.7,close=0.7")}},
                    QStringLiteral("more than 1")));

    // Options are named as on the command line when they come from there.
    QVERIFY(!applyConfigChanges(config, {{QStringLiteral("empty_share"), -1}},
                                ConfigKeyStyle::Option, &error));
    QVERIFY2(error.startsWith(u"--empty-share:"), qPrintable(error));

    // A table replaces random codes and random_codes drops the table.
    QTemporaryDir directory;
    QFile file(directory.filePath(QStringLiteral("codes.tsv")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("u-1\tfrom-file\n");
    file.close();
    QVERIFY(applyConfigChanges(config, {{QStringLiteral("codes"), file.fileName()}},
                               ConfigKeyStyle::Json, &error));
    QVERIFY(config.codeTable);
    QCOMPARE(config.codeTablePath, file.fileName());
    QVERIFY(applyConfigChanges(config, {{QStringLiteral("random_codes"), 7}},
                               ConfigKeyStyle::Json, &error));
    QVERIFY(!config.codeTable);
    QCOMPARE(config.randomCodes, 7);
}

void tst_PartnerSimLogic::configRoundTripsThroughJson()
{
    SimulatorConfig config;
    QString error;
    QVERIFY(applyConfigChanges(config,
                               {{QStringLiteral("latency"), QStringLiteral("lognormal:20,80")},
                                {QStringLiteral("fail"), QStringLiteral("reset=0.1,drip=0.2")},
                                {QStringLiteral("dpid"), 1955},
                                {QStringLiteral("secret"), QStringLiteral("hidden")}},
                               ConfigKeyStyle::Json, &error));
    QJsonObject json = configToJson(config);
    QCOMPARE(json.value(QLatin1StringView("secret_set")).toBool(), true);
    QVERIFY(!json.contains(QLatin1StringView("secret")));
    QVERIFY(!QJsonDocument(json).toJson().contains("hidden"));
    // What /config shows can be posted back (without the read-only secret_set).
    json.remove(QLatin1StringView("secret_set"));
    json.remove(QLatin1StringView("codes"));
    SimulatorConfig copy;
    QVERIFY2(applyConfigChanges(copy, json, ConfigKeyStyle::Json, &error), qPrintable(error));
    QCOMPARE(copy.latency, config.latency);
    QCOMPARE(copy.failures, config.failures);
    QCOMPARE(copy.dpid, qint64(1955));
}

void tst_PartnerSimLogic::answersCodesAsJsonTextOr204()
{
    SimulatorConfig config;
    config.codeTable = CodeTable::parse(u"u-1\ta,b\tgone\nu-2\tc\nu-none\t\n",
                                        QStringLiteral("t"), nullptr);
    config.ttlDays = 30;
    AnswerPlan plan = planPartnerAnswer(postRequest(callBody(QStringLiteral("u-1"))), config, 0);
    QCOMPARE(plan.kind, AnswerKind::Ok);
    QCOMPARE(plan.delivery, Delivery::Whole);
    QCOMPARE(plan.answer.status, 200);
    QCOMPARE(plan.answer.contentType, QByteArray("application/json"));
    QCOMPARE(plan.answer.body,
             QByteArray(R"({"segments":["a","b"],"unsegments":["gone"],"ttl":30})"));

    plan = planPartnerAnswer(postRequest(callBody(QStringLiteral("u-none"))), config, 1);
    QCOMPARE(plan.kind, AnswerKind::Empty);
    QCOMPARE(plan.answer.status, 204);
    QVERIFY(!plan.answer.serialize(true).contains("Content-Length"));

    plan = planPartnerAnswer(postRequest(callBody(QStringLiteral("unknown"))), config, 2);
    QCOMPARE(plan.answer.status, 204);

    config.answerStyle = SimulatorConfig::AnswerStyle::Text;
    plan = planPartnerAnswer(postRequest(callBody(QStringLiteral("u-1"))), config, 3);
    QCOMPARE(plan.answer.status, 200);
    QVERIFY(plan.answer.contentType.startsWith("text/plain"));
    QCOMPARE(plan.answer.body, QByteArray("a,b"));
}

void tst_PartnerSimLogic::answersGetTemplateCalls()
{
    SimulatorConfig config;
    config.codeTable = CodeTable::parse(u"u+1\tx\nd 2\ty\n", QStringLiteral("t"), nullptr);
    HttpRequest request;
    request.method = QByteArrayLiteral("GET");
    request.path = QByteArrayLiteral("/seg");
    request.query = QByteArrayLiteral("uuid=u%2B1&dpuuid=d%202&tid=abc&tmax=40");
    request.target = request.path + '?' + request.query;
    AnswerPlan plan = planPartnerAnswer(request, config, 0);
    QCOMPARE(segmentsOf(plan.answer), QStringList{QStringLiteral("x")});
    request.query = QByteArrayLiteral("dpuuid=d%202");
    request.target = request.path + '?' + request.query;
    plan = planPartnerAnswer(request, config, 0);
    QCOMPARE(segmentsOf(plan.answer), QStringList{QStringLiteral("y")});
}

void tst_PartnerSimLogic::checksTheSignature()
{
    SimulatorConfig config;
    config.secret = QByteArrayLiteral("s3cret");
    const QByteArray body = callBody(QStringLiteral("u-1"));
    const QByteArray timestamp = QByteArrayLiteral("1763820000123");

    HttpRequest request = postRequest(body);
    AnswerPlan plan = planPartnerAnswer(request, config, 0);
    QCOMPARE(plan.answer.status, 401);
    QVERIFY(plan.signatureFailed);

    request.headers.append({QByteArrayLiteral("x-dcs-timestamp"), timestamp});
    request.headers.append({QByteArrayLiteral("x-dcs-signature"),
                            PartnerSigning::signature("other", timestamp, body)});
    plan = planPartnerAnswer(request, config, 0);
    QCOMPARE(plan.kind, AnswerKind::Unauthorized);
    QVERIFY(plan.signatureFailed);

    request.headers.last().value = PartnerSigning::signature(config.secret, timestamp, body);
    plan = planPartnerAnswer(request, config, 0);
    QCOMPARE(plan.answer.status, 200);
    QVERIFY(!plan.signatureFailed);

    // GET: the signature covers the path and query.
    HttpRequest get;
    get.method = QByteArrayLiteral("GET");
    get.path = QByteArrayLiteral("/seg");
    get.query = QByteArrayLiteral("uuid=u-1");
    get.target = QByteArrayLiteral("/seg?uuid=u-1");
    get.headers.append({QByteArrayLiteral("x-dcs-timestamp"), timestamp});
    get.headers.append({QByteArrayLiteral("x-dcs-signature"),
                        PartnerSigning::signature(config.secret, timestamp, get.target)});
    QCOMPARE(planPartnerAnswer(get, config, 0).answer.status, 200);
    get.headers.last().value = PartnerSigning::signature(config.secret, timestamp, "/seg");
    QCOMPARE(planPartnerAnswer(get, config, 0).answer.status, 401);
}

void tst_PartnerSimLogic::refusesWhatIsNotACall()
{
    const SimulatorConfig config;
    HttpRequest request = postRequest(QByteArrayLiteral("not json"));
    AnswerPlan plan = planPartnerAnswer(request, config, 0);
    QCOMPARE(plan.answer.status, 400);
    QCOMPARE(plan.kind, AnswerKind::BadRequest);
    request.body = QByteArrayLiteral("{\"tid\":\"x\"}");
    QCOMPARE(planPartnerAnswer(request, config, 0).answer.status, 400);
    request.method = QByteArrayLiteral("DELETE");
    QCOMPARE(planPartnerAnswer(request, config, 0).answer.status, 405);
}

void tst_PartnerSimLogic::plansEachFailureKind_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("delivery");
    QTest::addColumn<bool>("bodyIsJson");
    QTest::newRow("http500") << QStringLiteral("http500") << 500 << int(Delivery::Whole) << true;
    QTest::newRow("reset") << QStringLiteral("reset") << 200 << int(Delivery::Reset) << true;
    QTest::newRow("malformed") << QStringLiteral("malformed") << 200 << int(Delivery::Whole)
                               << false;
    QTest::newRow("badcodes") << QStringLiteral("badcodes") << 200 << int(Delivery::Whole)
                              << true;
    QTest::newRow("huge") << QStringLiteral("huge") << 200 << int(Delivery::Whole) << true;
    QTest::newRow("drip") << QStringLiteral("drip") << 200 << int(Delivery::Drip) << true;
    QTest::newRow("hang") << QStringLiteral("hang") << 200 << int(Delivery::Hang) << false;
    QTest::newRow("close") << QStringLiteral("close") << 200 << int(Delivery::Close) << false;
}

void tst_PartnerSimLogic::plansEachFailureKind()
{
    QFETCH(QString, kind);
    QFETCH(int, status);
    QFETCH(int, delivery);
    QFETCH(bool, bodyIsJson);
    SimulatorConfig config;
    config.failures = *FailureRates::parse(QString(kind + QStringLiteral("=1")), nullptr);
    config.latency = *LatencyModel::parse(u"fixed:25", nullptr);
    const AnswerPlan plan =
        planPartnerAnswer(postRequest(callBody(QStringLiteral("u-1"))), config, 5);
    QCOMPARE(QString(answerKindName(plan.kind)), kind);
    QCOMPARE(plan.answer.status, status);
    QCOMPARE(int(plan.delivery), delivery);
    QCOMPARE(plan.delayMs, 25);
    QJsonParseError error;
    QJsonDocument::fromJson(plan.answer.body, &error);
    QCOMPARE(error.error == QJsonParseError::NoError, bodyIsJson);
    if (kind == u"huge")
        QVERIFY(plan.answer.body.size() > 65536);
    if (kind == u"badcodes") {
        const QStringList codes = segmentsOf(plan.answer);
        QVERIFY(!codes.isEmpty());
        for (const QString &code : codes)
            QVERIFY2(!isValidPartnerCode(code), qPrintable(code));
    }
}

void tst_PartnerSimLogic::inProcessSimulatorAnswersWhileItsOwnerBlocks()
{
    SimulatorConfig config;
    config.codeTable = CodeTable::parse(u"u-1\tseg1\n", QStringLiteral("t"), nullptr);
    PartnerSimulator simulator(config, 2);
    QVERIFY2(simulator.listen(), qPrintable(simulator.errorString()));
    QVERIFY(simulator.port() != 0);
    QCOMPARE(simulator.threadCount(), 2);

    // Blocking calls on this thread: the simulator must not need its owner's event loop.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, simulator.port());
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray body = callBody(QStringLiteral("u-1"));
    const QByteArray request = "POST /p HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               "Content-Length: "
                               + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    socket.write(request);
    QByteArray answer;
    while (!answer.endsWith("]}") && socket.waitForReadyRead(5000))
        answer += socket.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer.constData());
    QVERIFY(answer.endsWith("{\"segments\":[\"seg1\"]}"));

    // A new config applies to the next request on the same connection.
    SimulatorConfig failing = simulator.config();
    failing.failures = *FailureRates::parse(u"http500=1", nullptr);
    simulator.setConfig(failing);
    socket.write(request);
    answer.clear();
    while (!answer.endsWith("}") && socket.waitForReadyRead(5000))
        answer += socket.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 500 "), answer.constData());

    const SimulatorStats stats = simulator.stats();
    QCOMPARE(stats.requests, quint64(2));
    QCOMPARE(stats.answered(AnswerKind::Ok), quint64(1));
    QCOMPARE(stats.answered(AnswerKind::Http500), quint64(1));
    QCOMPARE(stats.connectionsOpen, 1);
    simulator.resetStats();
    QCOMPARE(simulator.stats().requests, quint64(0));
    simulator.close();
    QVERIFY(!simulator.isListening());
}

QTEST_GUILESS_MAIN(tst_PartnerSimLogic)
#include "tst_partnersim_logic.moc"
