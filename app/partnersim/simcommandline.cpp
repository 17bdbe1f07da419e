#include "simcommandline.h"

#include "answerplanner.h"
#include "dcs/dcslistener.h"
#include "partnersimulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonObject>

namespace Dcs {

namespace {

// Wrapped by hand: QCommandLineParser prints the description as it is.
const QString kDescription = QStringLiteral(
    "Simulates a real-time segment partner for DCS Studio (partner-protocol.md). It answers\n"
    "the DCS's calls - POST with the JSON call, or GET with the call in the query (uuid,\n"
    "dpuuid, tid, tmax) - with the visitor's segment codes after a simulated latency, and\n"
    "fails on purpose at the rates asked.\n"
    "\n"
    "Answers: 200 application/json {\"segments\":[...]} (\"unsegments\" when the code table\n"
    "has them, \"ttl\" with --ttl), or text/plain codes with --answer-style text; 204 when\n"
    "the visitor has no codes. Refused at once, without latency or failure: 401 for a missing\n"
    "or wrong X-DCS-Signature when a secret is set, 400/405/413 for what is not a call.\n"
    "\n"
    "Control endpoints (always on, reserved paths, loopback clients only, no latency, no\n"
    "signature): GET /stats (counters as JSON), POST /stats/reset, GET /config, and\n"
    "POST /config with a JSON object of the settings to change at runtime - seed, dpid,\n"
    "latency, fail, secret, codes, random_codes, code_prefix, codes_per_visitor,\n"
    "empty_share, answer_style, ttl: the options below in snake_case.\n"
    "\n"
    "On start it prints one line, \"dcs-partner-sim listening on HOST:PORT\". SIGINT or\n"
    "SIGTERM stop it. Exit codes: 0 stopped, 1 cannot listen, 2 bad usage.");

// Adds `option`'s value to `changes` under `key` as a JSON number; false when it is none.
bool addNumber(const QCommandLineParser &parser, const QString &option, const QString &key,
               QJsonObject *changes, QString *error)
{
    if (!parser.isSet(option))
        return true;
    const QString text = parser.value(option).trimmed();
    bool ok = false;
    const double number = text.toDouble(&ok);
    if (!ok) {
        *error = QStringLiteral("--%1: \"%2\" is not a number").arg(option, text);
        return false;
    }
    changes->insert(key, number);
    return true;
}

void addString(const QCommandLineParser &parser, const QString &option, const QString &key,
               QJsonObject *changes)
{
    if (parser.isSet(option))
        changes->insert(key, parser.value(option));
}

} // namespace

SimCommandLineResult parseSimulatorCommandLine(const QStringList &arguments)
{
    SimCommandLineResult result;
    const auto usageError = [&result](const QString &message) {
        result.action = SimCommandLineResult::Action::Exit;
        result.exitCode = kSimExitBadUsage;
        result.messageIsError = true;
        result.message = QStringLiteral("dcs-partner-sim: ") + message
                         + QStringLiteral("\nTry 'dcs-partner-sim --help' for the options.");
        return result;
    };
    const SimulatorConfig defaults;

    QCommandLineParser parser;
    parser.setApplicationDescription(kDescription);
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Shows this help."));
    const QCommandLineOption version(QStringLiteral("version"),
                                     QStringLiteral("Shows the version."));
    parser.addOption(help);
    parser.addOption(version);
    parser.addOptions({
        {QStringLiteral("port"),
         QStringLiteral("Listens on 127.0.0.1:<port>; 0 (the default) picks a free port."),
         QStringLiteral("port")},
        {QStringLiteral("listen"),
         QStringLiteral("Listens on <host:port> instead, e.g. [::1]:0 (an IP address; the "
                        "control endpoints still answer loopback clients only)."),
         QStringLiteral("host:port")},
        {QStringLiteral("threads"),
         QStringLiteral("Worker threads, each with its own event loop (1-%1, default 1).")
             .arg(PartnerSimulator::kMaxThreads),
         QStringLiteral("n")},
        {QStringLiteral("codes"),
         QStringLiteral("Code table: one line per visitor, KEY<TAB>CODE,CODE,...[<TAB>"
                        "UNSEGMENT,...], KEY a uuid or dpuuid, or * for everyone else; "
                        "'#' starts a comment line. Instead of random codes."),
         QStringLiteral("file")},
        {QStringLiteral("random-codes"),
         QStringLiteral("Random assignment from a pool of <n> codes, <prefix>0 .. <prefix>"
                        "<n-1> (the default, with n = %1).")
             .arg(defaults.randomCodes),
         QStringLiteral("n")},
        {QStringLiteral("code-prefix"),
         QStringLiteral("Prefix of the random codes (default \"%1\").").arg(defaults.codePrefix),
         QStringLiteral("prefix")},
        {QStringLiteral("codes-per-visitor"),
         QStringLiteral("A visitor with random codes gets 1 to <k> of them, the same ones "
                        "every time for one seed (default %1).")
             .arg(defaults.codesPerVisitor),
         QStringLiteral("k")},
        {QStringLiteral("empty-share"),
         QStringLiteral("Share of visitors (0-1, by hash of seed and uuid) who get no codes: "
                        "204. Applies to a code table too (default 0)."),
         QStringLiteral("f")},
        {QStringLiteral("seed"),
         QStringLiteral("Seed of every draw: codes, latencies, failures (0 to 2^53-1, "
                        "default %1).")
             .arg(defaults.seed),
         QStringLiteral("n")},
        {QStringLiteral("latency"),
         QStringLiteral("Answer latency in ms: fixed:MS, uniform:MIN,MAX or lognormal:P50,P99 "
                        "(median and 99th percentile). Default %1.")
             .arg(defaults.latency.toString()),
         QStringLiteral("spec")},
        {QStringLiteral("fail"),
         QStringLiteral("Failure rates, each a share (0-1) of requests, together at most 1: "
                        "KIND=RATE[,KIND=RATE...], repeatable. KIND: http500 (500 status), "
                        "reset (half the answer, then RST), malformed (invalid JSON), badcodes "
                        "(invalid codes), huge (100 KiB of JSON), drip (one byte every %1 ms), "
                        "hang (never answers, keeps the connection), close (closes without a "
                        "byte).")
             .arg(kDripIntervalMs),
         QStringLiteral("rates")},
        {QStringLiteral("secret"),
         QStringLiteral("Verifies X-DCS-Signature with this shared secret; a missing or wrong "
                        "signature gets 401. Visible to other users in the process list: "
                        "prefer --secret-env."),
         QStringLiteral("secret")},
        {QStringLiteral("secret-env"),
         QStringLiteral("Takes the secret from the environment variable <name>."),
         QStringLiteral("name")},
        {QStringLiteral("answer-style"),
         QStringLiteral("json (default) or text (text/plain, codes separated by commas)."),
         QStringLiteral("style")},
        {QStringLiteral("ttl"),
         QStringLiteral("Adds \"ttl\":<days> to JSON answers (default: none)."),
         QStringLiteral("days")},
        {QStringLiteral("dpid"),
         QStringLiteral("The partner's DPID; only labels /stats."),
         QStringLiteral("n")},
    });

    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(help)) {
        result.action = SimCommandLineResult::Action::Exit;
        result.message = parser.helpText().trimmed();
        return result;
    }
    if (parser.isSet(version)) {
        result.action = SimCommandLineResult::Action::Exit;
        result.message = QCoreApplication::applicationName() + QLatin1Char(' ')
                         + QCoreApplication::applicationVersion();
        return result;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument \"%1\"")
                              .arg(parser.positionalArguments().constFirst()));
    // A repeated option would silently keep only one value: say so instead (--fail adds up).
    for (const QString &name : parser.optionNames()) {
        if (name != u"fail" && parser.values(name).size() > 1)
            return usageError(QStringLiteral("--%1 is given more than once").arg(name));
    }

    SimulatorOptions &options = result.options;
    if (parser.isSet(QStringLiteral("port")) && parser.isSet(QStringLiteral("listen")))
        return usageError(QStringLiteral("--port and --listen exclude each other"));
    if (parser.isSet(QStringLiteral("port"))) {
        const QString text = parser.value(QStringLiteral("port")).trimmed();
        bool ok = false;
        const uint port = text.toUInt(&ok);
        if (!ok || port > 65535)
            return usageError(QStringLiteral("--port: \"%1\" is not a port number from 0 to "
                                             "65535").arg(text));
        options.port = quint16(port);
    }
    if (parser.isSet(QStringLiteral("listen"))) {
        QString error;
        if (!parseListenAddress(parser.value(QStringLiteral("listen")), &options.address,
                                &options.port, &error))
            return usageError(QStringLiteral("--listen: ") + error);
    }
    if (parser.isSet(QStringLiteral("threads"))) {
        const QString text = parser.value(QStringLiteral("threads")).trimmed();
        bool ok = false;
        const int threads = text.toInt(&ok);
        if (!ok || threads < 1 || threads > PartnerSimulator::kMaxThreads)
            return usageError(QStringLiteral("--threads: \"%1\" is not a number from 1 to %2")
                                  .arg(text)
                                  .arg(PartnerSimulator::kMaxThreads));
        options.threads = threads;
    }

    // Everything else goes through the same checks as POST /config.
    QJsonObject changes;
    QString error;
    if (!addNumber(parser, QStringLiteral("random-codes"), QStringLiteral("random_codes"),
                   &changes, &error)
        || !addNumber(parser, QStringLiteral("codes-per-visitor"),
                      QStringLiteral("codes_per_visitor"), &changes, &error)
        || !addNumber(parser, QStringLiteral("empty-share"), QStringLiteral("empty_share"),
                      &changes, &error)
        || !addNumber(parser, QStringLiteral("ttl"), QStringLiteral("ttl"), &changes, &error)
        || !addNumber(parser, QStringLiteral("dpid"), QStringLiteral("dpid"), &changes,
                      &error)) {
        return usageError(error);
    }
    addString(parser, QStringLiteral("seed"), QStringLiteral("seed"), &changes);
    addString(parser, QStringLiteral("codes"), QStringLiteral("codes"), &changes);
    addString(parser, QStringLiteral("code-prefix"), QStringLiteral("code_prefix"), &changes);
    addString(parser, QStringLiteral("latency"), QStringLiteral("latency"), &changes);
    addString(parser, QStringLiteral("answer-style"), QStringLiteral("answer_style"),
              &changes);
    if (parser.isSet(QStringLiteral("fail")))
        changes.insert(QStringLiteral("fail"),
                       parser.values(QStringLiteral("fail")).join(QLatin1Char(',')));

    if (parser.isSet(QStringLiteral("secret")) && parser.isSet(QStringLiteral("secret-env")))
        return usageError(QStringLiteral("--secret and --secret-env exclude each other"));
    addString(parser, QStringLiteral("secret"), QStringLiteral("secret"), &changes);
    if (parser.isSet(QStringLiteral("secret-env"))) {
        const QString variable = parser.value(QStringLiteral("secret-env"));
        const QString secret = qEnvironmentVariable(qPrintable(variable));
        if (secret.isEmpty())
            return usageError(QStringLiteral("--secret-env: the environment variable %1 is "
                                             "not set or empty").arg(variable));
        changes.insert(QStringLiteral("secret"), secret);
    }

    if (!applyConfigChanges(options.config, changes, ConfigKeyStyle::Option, &error))
        return usageError(error);
    return result;
}

} // namespace Dcs
