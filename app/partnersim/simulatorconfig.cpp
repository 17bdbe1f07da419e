#include "simulatorconfig.h"

#include "partners/inbounditem.h"
#include "simrandom.h"

#include <QJsonValue>

#include <cmath>
#include <set>

namespace Dcs {

namespace {

// Salts keep the draws of one visitor independent of each other.
constexpr quint64 kEmptyShareSalt = 0x5e6d3a1c2b4f7e90ULL;
constexpr quint64 kCodePickSalt = 0x0f1e2d3c4b5a6978ULL;

// Parses and checks the values of one applyConfigChanges() call into a copy of the config.
class ConfigEditor final
{
public:
    ConfigEditor(SimulatorConfig config, ConfigKeyStyle keyStyle)
        : m_config(std::move(config)), m_keyStyle(keyStyle)
    {
    }

    bool apply(const QJsonObject &changes);
    const SimulatorConfig &config() const { return m_config; }
    const QString &error() const { return m_error; }

private:
    bool applyOne(const QString &key, const QJsonValue &value);
    bool fail(const QString &key, const QString &reason);
    QString displayName(const QString &key) const;

    std::optional<qint64> integer(const QString &key, const QJsonValue &value, qint64 min,
                                  qint64 max);
    std::optional<QString> string(const QString &key, const QJsonValue &value);

    SimulatorConfig m_config;
    ConfigKeyStyle m_keyStyle;
    QString m_error;
};

bool ConfigEditor::apply(const QJsonObject &changes)
{
    if (changes.contains(QLatin1StringView("codes"))
        && changes.contains(QLatin1StringView("random_codes"))) {
        m_error = QStringLiteral("%1 and %2 exclude each other: a code table or random codes")
                      .arg(displayName(QStringLiteral("codes")),
                           displayName(QStringLiteral("random_codes")));
        return false;
    }
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        if (!applyOne(it.key(), it.value()))
            return false;
    }
    // A prefix is checked against the largest code it will make, whichever key changed.
    const QString longest = m_config.codePrefix + QString::number(m_config.randomCodes - 1);
    if (!m_config.codeTable && !isValidPartnerCode(longest))
        return fail(QStringLiteral("code_prefix"),
                    QStringLiteral("makes codes like \"%1\" that are not partner codes "
                                   "(1-64 characters from A-Z a-z 0-9 _ . : -)")
                        .arg(longest));
    return true;
}

bool ConfigEditor::applyOne(const QString &key, const QJsonValue &value)
{
    if (key == u"seed") {
        // A string carries all 53 bits from the command line; JSON numbers do too up to 2^53.
        if (value.isString()) {
            bool ok = false;
            const quint64 seed = value.toString().toULongLong(&ok);
            if (!ok || seed > SimulatorConfig::kMaxSeed)
                return fail(key, QStringLiteral("must be an integer from 0 to 2^53 - 1"));
            m_config.seed = seed;
            return true;
        }
        const std::optional<qint64> seed = integer(key, value, 0, SimulatorConfig::kMaxSeed);
        if (seed)
            m_config.seed = quint64(*seed);
        return seed.has_value();
    }
    if (key == u"dpid") {
        const std::optional<qint64> dpid = integer(key, value, 0, 2147483647);
        if (dpid)
            m_config.dpid = *dpid;
        return dpid.has_value();
    }
    if (key == u"latency") {
        const std::optional<QString> text = string(key, value);
        if (!text)
            return false;
        QString reason;
        const std::optional<LatencyModel> latency = LatencyModel::parse(*text, &reason);
        if (!latency)
            return fail(key, reason);
        m_config.latency = *latency;
        return true;
    }
    if (key == u"fail") {
        if (value.isObject()) {
            FailureRates rates;
            const QJsonObject object = value.toObject();
            for (auto it = object.begin(); it != object.end(); ++it) {
                const std::optional<FailureKind> kind = failureKindFromName(it.key());
                if (!kind)
                    return fail(key, QStringLiteral("unknown failure kind \"%1\"").arg(it.key()));
                if (!it.value().isDouble() || !rates.setRate(*kind, it.value().toDouble()))
                    return fail(key, QStringLiteral("the rate of %1 must be a number from 0 to "
                                                    "1, all rates together at most 1")
                                         .arg(it.key()));
            }
            m_config.failures = rates;
            return true;
        }
        const std::optional<QString> text = string(key, value);
        if (!text)
            return false;
        QString reason;
        const std::optional<FailureRates> rates = FailureRates::parse(*text, &reason);
        if (!rates)
            return fail(key, reason);
        m_config.failures = *rates;
        return true;
    }
    if (key == u"secret") {
        const std::optional<QString> secret = string(key, value);
        if (secret)
            m_config.secret = secret->toUtf8();
        return secret.has_value();
    }
    if (key == u"codes") {
        const std::optional<QString> path = string(key, value);
        if (!path)
            return false;
        if (path->isEmpty()) {
            m_config.codeTable.reset();
            m_config.codeTablePath.clear();
            return true;
        }
        QString reason;
        std::shared_ptr<const CodeTable> table = CodeTable::load(*path, &reason);
        if (!table)
            return fail(key, reason);
        m_config.codeTable = std::move(table);
        m_config.codeTablePath = *path;
        return true;
    }
    if (key == u"random_codes") {
        const std::optional<qint64> count =
            integer(key, value, 1, SimulatorConfig::kMaxRandomCodes);
        if (!count)
            return false;
        m_config.randomCodes = int(*count);
        m_config.codeTable.reset();
        m_config.codeTablePath.clear();
        return true;
    }
    if (key == u"code_prefix") {
        const std::optional<QString> prefix = string(key, value);
        if (prefix)
            m_config.codePrefix = *prefix; // checked in apply() against the pool size
        return prefix.has_value();
    }
    if (key == u"codes_per_visitor") {
        const std::optional<qint64> count =
            integer(key, value, 0, SimulatorConfig::kMaxCodesPerVisitor);
        if (count)
            m_config.codesPerVisitor = int(*count);
        return count.has_value();
    }
    if (key == u"empty_share") {
        const double share = value.toDouble(-1);
        if (!value.isDouble() || !(share >= 0 && share <= 1))
            return fail(key, QStringLiteral("must be a number from 0 to 1"));
        m_config.emptyShare = share;
        return true;
    }
    if (key == u"answer_style") {
        const std::optional<QString> style = string(key, value);
        if (!style)
            return false;
        if (*style == u"json")
            m_config.answerStyle = SimulatorConfig::AnswerStyle::Json;
        else if (*style == u"text")
            m_config.answerStyle = SimulatorConfig::AnswerStyle::Text;
        else
            return fail(key, QStringLiteral("must be \"json\" or \"text\""));
        return true;
    }
    if (key == u"ttl") {
        const std::optional<qint64> days = integer(key, value, 0, SimulatorConfig::kMaxTtlDays);
        if (days)
            m_config.ttlDays = int(*days);
        return days.has_value();
    }
    m_error = QStringLiteral("unknown setting \"%1\"").arg(key);
    return false;
}

std::optional<qint64> ConfigEditor::integer(const QString &key, const QJsonValue &value,
                                            qint64 min, qint64 max)
{
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::trunc(number) != number || number < double(min)
        || number > double(max)) {
        fail(key, QStringLiteral("must be an integer from %1 to %2").arg(min).arg(max));
        return std::nullopt;
    }
    return qint64(number);
}

std::optional<QString> ConfigEditor::string(const QString &key, const QJsonValue &value)
{
    if (!value.isString()) {
        fail(key, QStringLiteral("must be a string"));
        return std::nullopt;
    }
    return value.toString();
}

bool ConfigEditor::fail(const QString &key, const QString &reason)
{
    m_error = displayName(key) + QStringLiteral(": ") + reason;
    return false;
}

QString ConfigEditor::displayName(const QString &key) const
{
    if (m_keyStyle == ConfigKeyStyle::Json)
        return key;
    QString option = QStringLiteral("--") + key;
    return option.replace(QLatin1Char('_'), QLatin1Char('-'));
}

} // namespace

bool applyConfigChanges(SimulatorConfig &config, const QJsonObject &changes,
                        ConfigKeyStyle keyStyle, QString *error)
{
    ConfigEditor editor(config, keyStyle);
    if (!editor.apply(changes)) {
        if (error)
            *error = editor.error();
        return false;
    }
    config = editor.config();
    return true;
}

QJsonObject configToJson(const SimulatorConfig &config)
{
    QJsonObject failures;
    for (int i = 0; i < kFailureKindCount; ++i) {
        const auto kind = FailureKind(i);
        if (config.failures.rate(kind) > 0)
            failures.insert(failureKindName(kind), config.failures.rate(kind));
    }
    return QJsonObject{
        {QStringLiteral("seed"), qint64(config.seed)},
        {QStringLiteral("dpid"), config.dpid},
        {QStringLiteral("latency"), config.latency.toString()},
        {QStringLiteral("fail"), failures},
        {QStringLiteral("secret_set"), !config.secret.isEmpty()},
        {QStringLiteral("codes"), config.codeTable ? QJsonValue(config.codeTablePath)
                                                   : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("random_codes"), config.randomCodes},
        {QStringLiteral("code_prefix"), config.codePrefix},
        {QStringLiteral("codes_per_visitor"), config.codesPerVisitor},
        {QStringLiteral("empty_share"), config.emptyShare},
        {QStringLiteral("answer_style"),
         config.answerStyle == SimulatorConfig::AnswerStyle::Json ? QStringLiteral("json")
                                                                  : QStringLiteral("text")},
        {QStringLiteral("ttl"), config.ttlDays},
    };
}

VisitorCodes assignCodes(const SimulatorConfig &config, const QString &uuid,
                         const QString &dpuuid)
{
    const QString &key = uuid.isEmpty() ? dpuuid : uuid;
    const quint64 visitorHash = splitMix64(config.seed ^ stableHash(key.toUtf8()));
    if (config.emptyShare > 0
        && SimRandom(visitorHash ^ kEmptyShareSalt).nextUnit() < config.emptyShare) {
        return {};
    }
    if (config.codeTable)
        return config.codeTable->lookup(uuid, dpuuid).value_or(VisitorCodes());

    const int pool = qMax(config.randomCodes, 1);
    const int maxCount = qMin(config.codesPerVisitor, pool);
    if (maxCount <= 0)
        return {};
    SimRandom random(visitorHash ^ kCodePickSalt);
    const int count = 1 + int(random.nextBelow(quint64(maxCount)));
    // Floyd's sampling: `count` distinct indexes out of `pool` in `count` draws.
    std::set<int> picked;
    for (int candidateLimit = pool - count; candidateLimit < pool; ++candidateLimit) {
        const int index = int(random.nextBelow(quint64(candidateLimit) + 1));
        picked.insert(picked.count(index) ? candidateLimit : index);
    }
    VisitorCodes codes;
    codes.segments.reserve(count);
    for (const int index : picked)
        codes.segments.append(config.codePrefix + QString::number(index));
    return codes;
}

} // namespace Dcs
