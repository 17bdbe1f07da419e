#include "definitionjson.h"

#include "partners/partnervalidator.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Dcs {

QString JsonIssue::toString() const
{
    QString where = path;
    if (line > 0)
        where += QStringLiteral(" (line %1, column %2)").arg(line).arg(column);
    return where + QStringLiteral(": ") + message;
}

namespace DefinitionJson {

namespace {

constexpr qint64 kMaxId = std::numeric_limits<qint32>::max();
// For strings whose length PartnerValidator checks.
constexpr int kNoLengthLimit = std::numeric_limits<int>::max();

// Reads one JSON object field by field, recording every problem with its path, and at the end
// reports fields nobody asked for (typos such as "ttl_day" must not be silently ignored).
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, QString path, QList<JsonIssue> *issues)
        : m_object(object), m_path(std::move(path)), m_issues(issues)
    {
    }
    ~FieldReader()
    {
        for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
            if (!m_seen.contains(it.key()))
                error(it.key(), QStringLiteral("unknown field"));
        }
    }

    QString fieldPath(const QString &key) const { return m_path + QLatin1Char('.') + key; }
    void error(const QString &key, const QString &message)
    {
        m_issues->append(JsonIssue{fieldPath(key), message});
    }

    bool has(const QString &key)
    {
        m_seen.insert(key);
        return m_object.contains(key) && !m_object.value(key).isNull();
    }

    QString string(const QString &key, bool required, const QString &fallback = {},
                   int maxLength = 4096)
    {
        if (!has(key)) {
            if (required)
                error(key, QStringLiteral("is required"));
            return fallback;
        }
        const QJsonValue value = m_object.value(key);
        if (!value.isString()) {
            error(key, QStringLiteral("must be a string"));
            return fallback;
        }
        const QString text = value.toString();
        if (required && text.trimmed().isEmpty())
            error(key, QStringLiteral("must not be empty"));
        if (text.size() > maxLength)
            error(key, QStringLiteral("is longer than %1 characters").arg(maxLength));
        return text;
    }

    qint64 integer(const QString &key, bool required, qint64 fallback, qint64 min, qint64 max)
    {
        if (!has(key)) {
            if (required)
                error(key, QStringLiteral("is required"));
            return fallback;
        }
        const QJsonValue value = m_object.value(key);
        const double number = value.toDouble();
        if (!value.isDouble() || number != double(qint64(number))) {
            error(key, QStringLiteral("must be an integer"));
            return fallback;
        }
        if (number < double(min) || number > double(max)) {
            error(key, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
            return fallback;
        }
        return qint64(number);
    }

    // Any whole number, for fields whose range a validator checks. Beyond +-2^53 a double no
    // longer holds every integer, so larger magnitudes saturate there (still out of range).
    qint64 wholeNumber(const QString &key, bool required, qint64 fallback)
    {
        if (!has(key)) {
            if (required)
                error(key, QStringLiteral("is required"));
            return fallback;
        }
        constexpr double kLimit = 9007199254740992.0; // 2^53
        const QJsonValue value = m_object.value(key);
        const double number = value.toDouble();
        if (!value.isDouble() || !std::isfinite(number) || number != std::floor(number)) {
            error(key, QStringLiteral("must be an integer"));
            return fallback;
        }
        return qint64(std::clamp(number, -kLimit, kLimit));
    }

    // wholeNumber() for int fields: saturated to int's range, so the validator still sees a
    // value out of its range rather than a wrapped one.
    int int32(const QString &key, int fallback)
    {
        return int(std::clamp<qint64>(wholeNumber(key, false, fallback),
                                      std::numeric_limits<int>::min(),
                                      std::numeric_limits<int>::max()));
    }

    bool boolean(const QString &key, bool fallback)
    {
        if (!has(key))
            return fallback;
        const QJsonValue value = m_object.value(key);
        if (!value.isBool()) {
            error(key, QStringLiteral("must be true or false"));
            return fallback;
        }
        return value.toBool();
    }

    QStringList stringList(const QString &key)
    {
        if (!has(key))
            return {};
        const QJsonValue value = m_object.value(key);
        if (!value.isArray()) {
            error(key, QStringLiteral("must be an array of strings"));
            return {};
        }
        QStringList list;
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array.at(i).isString())
                m_issues->append(JsonIssue{fieldPath(key) + QStringLiteral("[%1]").arg(i),
                                           QStringLiteral("must be a string")});
            else
                list.append(array.at(i).toString());
        }
        return list;
    }

    QJsonArray array(const QString &key)
    {
        if (!has(key))
            return {};
        const QJsonValue value = m_object.value(key);
        if (!value.isArray()) {
            error(key, QStringLiteral("must be an array"));
            return {};
        }
        return value.toArray();
    }

private:
    const QJsonObject m_object; // a copy (implicitly shared): callers pass temporaries
    const QString m_path;
    QList<JsonIssue> *m_issues;
    QSet<QString> m_seen;
};

QJsonValue optionalId(const std::optional<qint64> &id)
{
    return id ? QJsonValue(double(*id)) : QJsonValue(QJsonValue::Null);
}

} // namespace

QJsonObject toJson(const WorkspaceSettings &settings)
{
    return {{QStringLiteral("dcs_region"), settings.dcsRegion},
            {QStringLiteral("deadline_ms"), settings.deadlineMs}};
}

QJsonObject toJson(const Partner &partner)
{
    return {
        {QStringLiteral("name"), partner.name},
        {QStringLiteral("description"), partner.description},
        {QStringLiteral("contact"), partner.contact},
        {QStringLiteral("dpid"), double(partner.dpid)},
        {QStringLiteral("integration_code"), partner.integrationCode},
        {QStringLiteral("endpoint"), partner.endpoint},
        {QStringLiteral("style"), partnerStyleName(partner.style)},
        {QStringLiteral("secret_env"), partner.secretEnv},
        {QStringLiteral("timeout_ms"), partner.timeoutMs},
        {QStringLiteral("min_budget_ms"), partner.minBudgetMs},
        {QStringLiteral("max_in_flight"), partner.maxInFlight},
        {QStringLiteral("max_rate"), partner.maxRate},
        {QStringLiteral("needs_id_sync"), partner.needsIdSync},
        {QStringLiteral("forwarded_keys"), QJsonArray::fromStringList(partner.forwardedKeys)},
        {QStringLiteral("mode"), partnerModeName(partner.mode)},
    };
}

QJsonObject toJson(const Folder &folder)
{
    return {{QStringLiteral("id"), double(folder.id)},
            {QStringLiteral("name"), folder.name},
            {QStringLiteral("parent"), optionalId(folder.parentId)}};
}

QJsonObject toJson(const Trait &trait)
{
    return {
        {QStringLiteral("sid"), double(trait.sid)},
        {QStringLiteral("name"), trait.name},
        {QStringLiteral("type"), traitTypeName(trait.type)},
        {QStringLiteral("folder"), double(trait.folderId)},
        {QStringLiteral("data_source"), double(trait.dataSource)},
        {QStringLiteral("integration_code"), trait.integrationCode},
        {QStringLiteral("description"), trait.description},
        {QStringLiteral("rule"), trait.rule},
        {QStringLiteral("ttl_days"), trait.ttlDays},
    };
}

QJsonObject toJson(const Segment &segment)
{
    QJsonArray destinations;
    for (const Destination &destination : segment.destinations) {
        if (destination.type == Destination::Type::Cookie)
            destinations.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("cookie")},
                                            {QStringLiteral("key"), destination.key},
                                            {QStringLiteral("value"), destination.value}});
        else
            destinations.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("url")},
                                            {QStringLiteral("url"), destination.url}});
    }
    return {
        {QStringLiteral("sid"), double(segment.sid)},
        {QStringLiteral("name"), segment.name},
        {QStringLiteral("description"), segment.description},
        {QStringLiteral("folder"), double(segment.folderId)},
        {QStringLiteral("integration_code"), segment.integrationCode},
        {QStringLiteral("data_source"), double(segment.dataSource)},
        {QStringLiteral("rule"), segment.rule},
        {QStringLiteral("destinations"), destinations},
        {QStringLiteral("status"),
         segment.active ? QStringLiteral("active") : QStringLiteral("inactive")},
    };
}

WorkspaceSettings settingsFromJson(const QJsonObject &object, const QString &path,
                                   QList<JsonIssue> *issues)
{
    FieldReader reader(object, path, issues);
    WorkspaceSettings settings;
    settings.dcsRegion = int(reader.integer(QStringLiteral("dcs_region"), false,
                                            settings.dcsRegion, 0, 9999));
    settings.deadlineMs = int(reader.integer(QStringLiteral("deadline_ms"), false,
                                             settings.deadlineMs, 1, 10000));
    return settings;
}

Partner partnerFromJson(const QJsonObject &object, const QString &path, QList<JsonIssue> *issues,
                        QString *inlineSecret)
{
    // Types here; every rule about the values is PartnerValidator's, so the editor and the
    // import can never disagree. A field with a type error keeps its default and is not
    // validated again (one message per problem).
    const qsizetype firstIssue = issues->size();
    Partner partner;
    {
        FieldReader reader(object, path, issues);
        partner.name = reader.string(QStringLiteral("name"), true, {}, kNoLengthLimit);
        partner.description = reader.string(QStringLiteral("description"), false, {},
                                            kNoLengthLimit);
        partner.contact = reader.string(QStringLiteral("contact"), false, {}, kNoLengthLimit);
        partner.dpid = reader.wholeNumber(QStringLiteral("dpid"), true, 0);
        partner.integrationCode = reader.string(QStringLiteral("integration_code"), false, {},
                                                kNoLengthLimit);
        partner.endpoint = reader.string(QStringLiteral("endpoint"), true, {}, kNoLengthLimit);
        const QString style = reader.string(QStringLiteral("style"), false,
                                            QStringLiteral("json-post"));
        if (!partnerStyleFromName(style, &partner.style))
            reader.error(QStringLiteral("style"),
                         QStringLiteral("must be \"json-post\" or \"get-template\""));
        partner.secretEnv = reader.string(QStringLiteral("secret_env"), false, {},
                                          kNoLengthLimit);
        *inlineSecret = reader.string(QStringLiteral("secret"), false);
        partner.timeoutMs = reader.int32(QStringLiteral("timeout_ms"), partner.timeoutMs);
        partner.minBudgetMs = reader.int32(QStringLiteral("min_budget_ms"), partner.minBudgetMs);
        partner.maxInFlight = reader.int32(QStringLiteral("max_in_flight"), partner.maxInFlight);
        partner.maxRate = reader.int32(QStringLiteral("max_rate"), partner.maxRate);
        partner.needsIdSync = reader.boolean(QStringLiteral("needs_id_sync"), false);
        partner.forwardedKeys = reader.stringList(QStringLiteral("forwarded_keys"));
        const QString mode = reader.string(QStringLiteral("mode"), false,
                                           QStringLiteral("disabled"));
        if (!partnerModeFromName(mode, &partner.mode))
            reader.error(QStringLiteral("mode"),
                         QStringLiteral("must be \"disabled\", \"shadow\" or \"live\""));
    }

    const auto reported = [&](const QString &field) {
        // "forwarded_keys[2]" counts as reported when anything under forwarded_keys was: the
        // reader drops non-strings, which shifts the indices of the rest.
        const QString base = path + QLatin1Char('.') + field.section(QLatin1Char('['), 0, 0);
        const QString indexed = base + QLatin1Char('[');
        for (qsizetype i = firstIssue; i < issues->size(); ++i) {
            const QString &issuePath = issues->at(i).path;
            if (issuePath == base || issuePath.startsWith(indexed))
                return true;
        }
        return false;
    };
    for (const PartnerFieldIssue &issue : PartnerValidator::validate(partner)) {
        // Rules that read another field are judged against its default when it had a type
        // error: macros against an unread style, a budget against an unread timeout.
        const bool dependsOnReported =
            (issue.field == QLatin1String("endpoint") && reported(QStringLiteral("style")))
            || (issue.field == QLatin1String("min_budget_ms")
                && reported(QStringLiteral("timeout_ms")));
        if (!reported(issue.field) && !dependsOnReported)
            issues->append(JsonIssue{path + QLatin1Char('.') + issue.field, issue.message});
    }
    return partner;
}

Folder folderFromJson(const QJsonObject &object, const QString &path, QList<JsonIssue> *issues)
{
    FieldReader reader(object, path, issues);
    Folder folder;
    folder.id = reader.integer(QStringLiteral("id"), true, 0, 1, kMaxId);
    folder.name = reader.string(QStringLiteral("name"), true, {}, 255);
    if (reader.has(QStringLiteral("parent")))
        folder.parentId = reader.integer(QStringLiteral("parent"), true, 0, 1, kMaxId);
    return folder;
}

Trait traitFromJson(const QJsonObject &object, const QString &path, QList<JsonIssue> *issues)
{
    FieldReader reader(object, path, issues);
    Trait trait;
    trait.sid = reader.integer(QStringLiteral("sid"), false, 0, 1, kMaxId);
    trait.name = reader.string(QStringLiteral("name"), true, {}, 255);
    const QString type = reader.string(QStringLiteral("type"), false, QStringLiteral("rule"));
    if (!traitTypeFromName(type, &trait.type))
        reader.error(QStringLiteral("type"),
                     QStringLiteral("must be \"rule\", \"onboarded\" or \"folder\""));
    trait.folderId = reader.integer(QStringLiteral("folder"), true, 0, 1, kMaxId);
    trait.dataSource = reader.integer(QStringLiteral("data_source"), false, 0, 0, kMaxId);
    trait.integrationCode = reader.string(QStringLiteral("integration_code"), false, {}, 64);
    trait.description = reader.string(QStringLiteral("description"), false);
    trait.ttlDays = int(reader.integer(QStringLiteral("ttl_days"), false, trait.ttlDays, 0,
                                       36500));
    trait.rule = reader.string(QStringLiteral("rule"), trait.type != Trait::Type::Folder, {},
                               65536);
    if (trait.type == Trait::Type::Folder && !trait.rule.isEmpty())
        reader.error(QStringLiteral("rule"),
                     QStringLiteral("a folder trait has no rule: it is the OR of its folder"));
    if (trait.type == Trait::Type::Onboarded && trait.dataSource == 0)
        reader.error(QStringLiteral("data_source"),
                     QStringLiteral("an onboarded trait needs the partner's DPID as data source"));
    return trait;
}

Segment segmentFromJson(const QJsonObject &object, const QString &path, QList<JsonIssue> *issues)
{
    FieldReader reader(object, path, issues);
    Segment segment;
    segment.sid = reader.integer(QStringLiteral("sid"), false, 0, 1, kMaxId);
    segment.name = reader.string(QStringLiteral("name"), true, {}, 255);
    segment.description = reader.string(QStringLiteral("description"), false);
    segment.folderId = reader.integer(QStringLiteral("folder"), true, 0, 1, kMaxId);
    segment.integrationCode = reader.string(QStringLiteral("integration_code"), false, {}, 64);
    segment.dataSource = reader.integer(QStringLiteral("data_source"), false, 0, 0, kMaxId);
    segment.rule = reader.string(QStringLiteral("rule"), true, {}, 65536);
    const QString status = reader.string(QStringLiteral("status"), false,
                                         QStringLiteral("active"));
    if (status != QLatin1String("active") && status != QLatin1String("inactive"))
        reader.error(QStringLiteral("status"), QStringLiteral("must be \"active\" or \"inactive\""));
    segment.active = status != QLatin1String("inactive");

    const QJsonArray destinations = reader.array(QStringLiteral("destinations"));
    for (qsizetype i = 0; i < destinations.size(); ++i) {
        const QString destinationPath = reader.fieldPath(QStringLiteral("destinations"))
                                        + QStringLiteral("[%1]").arg(i);
        if (!destinations.at(i).isObject()) {
            issues->append(JsonIssue{destinationPath, QStringLiteral("must be an object")});
            continue;
        }
        FieldReader destinationReader(destinations.at(i).toObject(), destinationPath, issues);
        Destination destination;
        const QString type = destinationReader.string(QStringLiteral("type"), true);
        if (type == QLatin1String("cookie")) {
            destination.type = Destination::Type::Cookie;
            destination.key = destinationReader.string(QStringLiteral("key"), true, {}, 64);
            destination.value = destinationReader.string(QStringLiteral("value"), true, {},
                                                         1024);
        } else if (type == QLatin1String("url")) {
            destination.type = Destination::Type::Url;
            destination.url = destinationReader.string(QStringLiteral("url"), true, {}, 2048);
            if (!destination.url.startsWith(QLatin1String("http://"))
                && !destination.url.startsWith(QLatin1String("https://")))
                destinationReader.error(QStringLiteral("url"),
                                        QStringLiteral("must start with http:// or https://"));
        } else if (!type.isEmpty()) {
            destinationReader.error(QStringLiteral("type"),
                                    QStringLiteral("must be \"cookie\" or \"url\""));
        }
        segment.destinations.append(destination);
    }
    return segment;
}

} // namespace DefinitionJson
} // namespace Dcs
