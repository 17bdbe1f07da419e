#include "visitorlookup.h"

#include "profiles/identityresolver.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"
#include "storage/transferlog.h"
#include "storage/visitorstore.h"

#include <QCoreApplication>

#include <algorithm>

namespace Dcs {

namespace {

// Partner attempts per event read at most: one per partner, and a workspace has few.
constexpr int kCallsPerEvent = 32;

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::VisitorLookup", text);
}

bool isDigits(QStringView text)
{
    return !text.isEmpty()
           && std::all_of(text.begin(), text.end(), [](QChar c) { return c.isDigit(); });
}

// A tid is 9 bytes base64-encoded: 12 characters of the base64 alphabet, '=' only at the end.
bool looksLikeTid(QStringView text)
{
    if (text.size() != 12)
        return false;
    return std::all_of(text.begin(), text.end(), [](QChar c) {
        return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9')
               || c == u'+' || c == u'/' || c == u'=' || c == u'-' || c == u'_';
    });
}

// The UUID the tid's /event was about: the event log first, then the transfer log (an
// onboarding test call has a tid but no event).
QString uuidOfTid(Storage &storage, const QString &tid, QString *error)
{
    if (const std::optional<EventRecord> event = EventLog(storage).byTid(tid))
        return event->uuid;
    TransferLog::Filter filter;
    filter.tid = tid;
    if (const auto decoded = storage.eventIds().decode(tid))
        filter.tidEventId = decoded->id;
    const QList<TransferRecord> calls =
        TransferLog::query(storage.reader(), filter, 1, 0, error);
    return calls.isEmpty() ? QString() : calls.first().uuid;
}

} // namespace

VisitorQuery VisitorQuery::parse(const QString &text)
{
    VisitorQuery query;
    query.text = text.trimmed();
    QString declared = query.text;
    declared.replace(QLatin1StringView("%01"), QStringLiteral(":"));
    declared.replace(QChar(0x01), u':');
    if (IdentityResolver::isValidUuid(query.text)) {
        query.kind = Kind::Uuid;
    } else if (declared.contains(u':')) {
        const QStringList parts = declared.split(u':');
        const QString source = parts.at(0).trimmed();
        const QString id = parts.at(1).trimmed();
        if (source.isEmpty() || id.isEmpty())
            return query;
        bool numeric = false;
        const qint64 dpid = source.toLongLong(&numeric);
        if (numeric)
            query.dpid = dpid;
        else
            query.integrationCode = source;
        query.id = id;
        query.kind = Kind::DeclaredId;
    } else if (looksLikeTid(query.text) && !isDigits(query.text)) {
        query.kind = Kind::Tid;
    }
    return query;
}

VisitorLookupResult lookUpVisitor(Storage &storage, const RulesSnapshot &rules,
                                  const VisitorQuery &query, qint64 nowMs, int eventLimit)
{
    VisitorLookupResult result;
    result.query = query;
    QSqlDatabase db = storage.reader();
    switch (query.kind) {
    case VisitorQuery::Kind::Invalid:
        result.error = tr("Type a UUID (38 digits), a tid (12 characters) or a declared ID "
                          "(DPID:ID)");
        return result;
    case VisitorQuery::Kind::Uuid:
        result.uuid = query.text;
        break;
    case VisitorQuery::Kind::Tid:
        result.uuid = uuidOfTid(storage, query.text, &result.error);
        if (result.uuid.isEmpty() && result.error.isEmpty())
            result.error = tr("No stored event has the tid %1").arg(query.text);
        break;
    case VisitorQuery::Kind::DeclaredId: {
        std::optional<qint64> dpid = query.dpid;
        if (!query.integrationCode.isEmpty())
            dpid = VisitorStore::dpidForIntegrationCode(db, query.integrationCode);
        if (!dpid) {
            result.error = tr("No partner has the integration code %1")
                               .arg(query.integrationCode);
            return result;
        }
        if (const std::optional<QString> uuid = VisitorStore::linkedUuid(db, *dpid, query.id))
            result.uuid = *uuid;
        else
            result.error = tr("The ID %1 of data source %2 is linked to no visitor")
                               .arg(query.id)
                               .arg(*dpid);
        break;
    }
    }
    if (result.uuid.isEmpty())
        return result;

    result.explanation = explainVisitor(db, rules, result.uuid, nowMs, &result.error);
    if (!result.error.isEmpty())
        return result;
    for (const Trait &trait : TraitRepository::readAll(db))
        result.traitNames.insert(trait.sid, trait.name);
    result.events = EventLog(storage).forVisitor(result.uuid, eventLimit);
    // Through each event's row (transfers_by_event): the log has no index by visitor.
    for (const EventRecord &event : std::as_const(result.events)) {
        TransferLog::Filter filter;
        filter.eventId = event.id;
        result.partnerCalls += TransferLog::query(db, filter, kCallsPerEvent, 0, &result.error);
        if (!result.error.isEmpty())
            return result;
    }
    std::stable_sort(result.partnerCalls.begin(), result.partnerCalls.end(),
                     [](const TransferRecord &a, const TransferRecord &b) {
                         return a.startMs > b.startMs;
                     });
    return result;
}

} // namespace Dcs
