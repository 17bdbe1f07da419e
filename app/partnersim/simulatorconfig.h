#pragma once

#include "codetable.h"
#include "failurerates.h"
#include "latencymodel.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace Dcs {

// Everything that decides how the simulated partner answers. The same options come from the
// command line and from POST /config (snake_case keys, see applyConfigChanges()); a copy is
// taken per request, so a change applies from the next request on.
struct SimulatorConfig
{
    enum class AnswerStyle { Json, Text };

    // Seeds every random draw: visitors' codes, latencies, failures. At most 2^53 - 1 so that it
    // survives a round trip through JSON.
    quint64 seed = 1;
    qint64 dpid = 0; // only labels /stats
    LatencyModel latency;
    FailureRates failures;
    QByteArray secret; // empty: signatures are not checked

    // Code assignment: the table when there is one, else random codes per visitor.
    std::shared_ptr<const CodeTable> codeTable;
    QString codeTablePath;
    int randomCodes = 100;        // the pool: codePrefix + 0 .. randomCodes - 1
    QString codePrefix = QStringLiteral("c");
    int codesPerVisitor = 3;      // a visitor with codes gets 1 .. this many
    double emptyShare = 0;        // the share of visitors, by hash, who get none (both modes)

    AnswerStyle answerStyle = AnswerStyle::Json;
    int ttlDays = 0; // > 0: "ttl" in JSON answers

    static constexpr quint64 kMaxSeed = (quint64(1) << 53) - 1;
    static constexpr int kMaxRandomCodes = 1000000;
    static constexpr int kMaxCodesPerVisitor = 1000;
    static constexpr int kMaxTtlDays = 36500;
};

// How applyConfigChanges() names a setting in its error messages.
enum class ConfigKeyStyle {
    Json,   // "empty_share", for /config
    Option, // "--empty-share", for the command line
};

// Applies the settings present in `changes` to `config`:
//   seed (integer or decimal string), dpid (integer), latency (string, LatencyModel),
//   fail (string "KIND=RATE,..." or object {"KIND": RATE}: replaces all rates),
//   secret (string, "" turns verification off), codes (path of a code table, "" for random),
//   random_codes, code_prefix, codes_per_visitor (integers / string), empty_share (0..1),
//   answer_style ("json" or "text"), ttl (integer days, 0 for none).
// `codes` and `random_codes` together are refused; `random_codes` drops a table. All or
// nothing: on an unknown key or a bad value, `config` is unchanged and `error` says why.
bool applyConfigChanges(SimulatorConfig &config, const QJsonObject &changes,
                        ConfigKeyStyle keyStyle, QString *error);

// The settings in the form applyConfigChanges() reads, except the secret: "secret_set" says
// whether there is one.
QJsonObject configToJson(const SimulatorConfig &config);

// The codes the simulated partner answers for a visitor: deterministic for one config (seed,
// table or pool, share); keyed by uuid, or by dpuuid when there is no uuid.
VisitorCodes assignCodes(const SimulatorConfig &config, const QString &uuid,
                         const QString &dpuuid);

} // namespace Dcs
