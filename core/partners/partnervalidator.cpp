#include "partnervalidator.h"

#include "dcs/signaldecoder.h"
#include "partners/partnerendpoint.h"

namespace Dcs::PartnerValidator {

namespace {

// Names in messages: bounded, and control characters shown as '?', so a pasted mess stays
// readable in the editor's tooltip.
QString shown(QStringView text)
{
    QString result = text.left(60).toString();
    for (QChar &c : result) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u'?';
    }
    if (text.size() > 60)
        result += QStringLiteral("...");
    return result;
}

void checkLength(QList<PartnerFieldIssue> &issues, const char *field, const QString &text,
                 qsizetype max)
{
    if (text.size() > max)
        issues.append({QLatin1StringView(field),
                       QStringLiteral("is %1 characters long; the most is %2")
                           .arg(text.size())
                           .arg(max)});
}

void checkRange(QList<PartnerFieldIssue> &issues, const char *field, qint64 value, qint64 min,
                qint64 max, const char *unit)
{
    if (value >= min && value <= max)
        return;
    issues.append({QLatin1StringView(field),
                   QStringLiteral("must be from %1 to %2%3, not %4")
                       .arg(min)
                       .arg(max)
                       .arg(QLatin1StringView(unit))
                       .arg(value)});
}

const Partner *sameAs(const Partner &partner, const QList<Partner> &others,
                      bool (*equal)(const Partner &, const Partner &))
{
    for (const Partner &other : others) {
        if (partner.id != 0 && other.id == partner.id)
            continue;
        if (equal(partner, other))
            return &other;
    }
    return nullptr;
}

} // namespace

bool isValidIntegrationCode(QStringView code)
{
    if (code.isEmpty() || code.size() > MaxIntegrationCodeLength)
        return false;
    for (const QChar c : code) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z')
                        || (c >= u'0' && c <= u'9') || c == u'_' || c == u'.' || c == u'-';
        if (!ok)
            return false;
    }
    return true;
}

QList<PartnerFieldIssue> validate(const Partner &partner, const QList<Partner> &others)
{
    QList<PartnerFieldIssue> issues;

    if (partner.name.trimmed().isEmpty()) {
        issues.append({QStringLiteral("name"), QStringLiteral("is required")});
    } else {
        checkLength(issues, "name", partner.name, MaxNameLength);
        if (const Partner *other = sameAs(partner, others, [](const Partner &a, const Partner &b) {
                return a.name == b.name;
            }))
            issues.append({QStringLiteral("name"),
                           QStringLiteral("is already the name of the partner with DPID %1")
                               .arg(other->dpid)});
    }
    checkLength(issues, "description", partner.description, MaxDescriptionLength);
    checkLength(issues, "contact", partner.contact, MaxContactLength);

    if (partner.dpid < 1 || partner.dpid > MaxDpid) {
        checkRange(issues, "dpid", partner.dpid, 1, MaxDpid, "");
    } else if (const Partner *other = sameAs(partner, others,
                                             [](const Partner &a, const Partner &b) {
                                                 return a.dpid == b.dpid;
                                             })) {
        issues.append({QStringLiteral("dpid"),
                       QStringLiteral("DPID %1 is already used by partner \"%2\"; each partner "
                                      "is its own data source")
                           .arg(partner.dpid)
                           .arg(shown(other->name))});
    }

    if (!partner.integrationCode.isEmpty()) {
        if (!isValidIntegrationCode(partner.integrationCode))
            issues.append({QStringLiteral("integration_code"),
                           QStringLiteral("\"%1\" is not valid: 1-64 letters, digits, '_', '.' "
                                          "or '-' (or leave it empty)")
                               .arg(shown(partner.integrationCode))});
        else if (const Partner *other = sameAs(partner, others,
                                               [](const Partner &a, const Partner &b) {
                                                   return a.integrationCode
                                                          == b.integrationCode;
                                               }))
            issues.append({QStringLiteral("integration_code"),
                           QStringLiteral("\"%1\" is already used by partner \"%2\"")
                               .arg(partner.integrationCode, shown(other->name))});
    }

    QString endpointError;
    if (!PartnerEndpoint::parse(partner.endpoint, partner.style, &endpointError).isValid())
        issues.append({QStringLiteral("endpoint"), endpointError});

    if (partner.style != Partner::Style::JsonPost && partner.style != Partner::Style::GetTemplate)
        issues.append({QStringLiteral("style"),
                       QStringLiteral("must be \"json-post\" or \"get-template\"")});
    checkLength(issues, "secret_env", partner.secretEnv, MaxSecretEnvLength);

    const bool timeoutValid = partner.timeoutMs >= 1 && partner.timeoutMs <= MaxTimeoutMs;
    checkRange(issues, "timeout_ms", partner.timeoutMs, 1, MaxTimeoutMs, " ms");
    if (partner.minBudgetMs < 0)
        issues.append({QStringLiteral("min_budget_ms"),
                       QStringLiteral("must be 0 ms or more, not %1").arg(partner.minBudgetMs)});
    else if (timeoutValid && partner.minBudgetMs > partner.timeoutMs)
        // tmax is capped by the timeout, so it could never reach this budget.
        issues.append({QStringLiteral("min_budget_ms"),
                       QStringLiteral("is larger than timeout_ms (%1 > %2 ms): the partner would "
                                      "never be called")
                           .arg(partner.minBudgetMs)
                           .arg(partner.timeoutMs)});
    checkRange(issues, "max_in_flight", partner.maxInFlight, 1, MaxInFlight, " calls");
    if (partner.maxRate < 0)
        issues.append({QStringLiteral("max_rate"),
                       QStringLiteral("must be 0 (unlimited) or more calls per second, not %1")
                           .arg(partner.maxRate)});

    for (qsizetype i = 0; i < partner.forwardedKeys.size(); ++i) {
        const QString &key = partner.forwardedKeys.at(i);
        const QString field = QStringLiteral("forwarded_keys[%1]").arg(i);
        if (SignalDecoder::isPrivateKey(key))
            issues.append({field, QStringLiteral("\"%1\": p_ keys are private (used for the call "
                                                 "only) and are never forwarded to a partner")
                                      .arg(shown(key))});
        else if (!SignalDecoder::isValidKey(key))
            issues.append({field, QStringLiteral("\"%1\" is not a signal key (1-255 letters, "
                                                 "digits, '-' or '_', not only digits)")
                                      .arg(shown(key))});
        else if (partner.forwardedKeys.indexOf(key) < i)
            issues.append({field, QStringLiteral("\"%1\" is listed twice").arg(key)});
    }

    if (partner.mode != Partner::Mode::Disabled && partner.mode != Partner::Mode::Shadow
        && partner.mode != Partner::Mode::Live)
        issues.append({QStringLiteral("mode"),
                       QStringLiteral("must be \"disabled\", \"shadow\" or \"live\"")});
    return issues;
}

} // namespace Dcs::PartnerValidator
