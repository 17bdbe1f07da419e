#include "rules/qualifier.h"

#include "common/jsonwriter.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Dcs {

namespace {

using SnapshotSegment = RulesSnapshot::SnapshotSegment;
using HeldSegments = QVarLengthArray<const SnapshotSegment *, 16>;

template <typename T>
std::span<const T> spanOf(const QList<T> &list)
{
    return {list.constData(), size_t(list.size())};
}

// Where a realization made by this input is stored as coming from: `natural` for a live call.
RealizationOrigin originOf(const QualifierInput &input, RealizationOrigin natural)
{
    if (input.replay)
        return RealizationOrigin::Replay;
    return input.batchFile ? RealizationOrigin::Batch : natural;
}

bool alreadyRealized(const Qualification &result, qint64 sid)
{
    return std::any_of(result.realizations.cbegin(), result.realizations.cend(),
                       [sid](const NewRealization &r) { return r.traitSid == sid; });
}

NewRealization &addRealization(Qualification &result, qint64 sid, int ttlDays,
                               RealizationOrigin origin, NewRealization::Trigger trigger)
{
    NewRealization &added = result.realizations.emplace_back();
    added.traitSid = sid;
    added.realization = makeRealization(result.nowMs, ttlDays);
    added.origin = origin;
    added.trigger = trigger;
    return added;
}

void realizeRuleTraits(const RulesSnapshot &rules, const QualifierInput &input,
                       Qualification &result)
{
    if (!input.callSignals)
        return;
    const RuleSignals &signalSet = *input.callSignals;
    const RealizationOrigin origin = originOf(input, RealizationOrigin::Call);
    const QList<RulesSnapshot::RuleTrait> &traits = rules.ruleTraits();
    QVarLengthArray<qint32, 32> matched;
    for (qsizetype i = 0; i < traits.size(); ++i) {
        const RulesSnapshot::RuleTrait &trait = traits.at(i);
        if (input.onlyDataSource && trait.dataSource != *input.onlyDataSource)
            continue;
        if (trait.rule->matches(signalSet))
            matched.append(qint32(i));
    }
    // One allocation for every realization of the call, d_sid and partner codes included.
    qsizetype partnerCodeCount = 0;
    for (const PartnerCodes &partner : input.partnerCodes)
        partnerCodeCount += partner.codes.size();
    result.realizations.reserve(matched.size() + input.directSids.size() + partnerCodeCount);
    if (matched.isEmpty())
        return;
    const auto shared = std::make_shared<const RuleSignals>(signalSet); // implicitly shared
    for (const qint32 index : matched) {
        const RulesSnapshot::RuleTrait &trait = traits.at(index);
        NewRealization &added = addRealization(result, trait.sid, trait.ttlDays, origin,
                                               NewRealization::Trigger::Signals);
        added.callSignals = shared;
        added.detailKeys = trait.detailKeys;
    }
}

void realizeDirectSids(const RulesSnapshot &rules, const QualifierInput &input,
                       Qualification &result)
{
    const RealizationOrigin origin = originOf(input, RealizationOrigin::DirectSid);
    for (const QString &value : input.directSids) {
        bool isNumber = false;
        const qint64 sid = QStringView(value).trimmed().toLongLong(&isNumber);
        const RulesSnapshot::TraitEntry *trait = isNumber ? rules.trait(sid) : nullptr;
        if (!trait || trait->type == Trait::Type::Folder) {
            result.refusedDirectSids.append(value);
            continue;
        }
        if (input.onlyDataSource && trait->dataSource != *input.onlyDataSource)
            continue;
        if (alreadyRealized(result, sid))
            continue;
        NewRealization &added = addRealization(result, sid, trait->ttlDays, origin,
                                               NewRealization::Trigger::DirectSid);
        added.replacesEarlier = trait->type == Trait::Type::Onboarded;
        added.code = value;
    }
}

void realizePartnerCodes(const RulesSnapshot &rules, const QualifierInput &input,
                         Qualification &result)
{
    const RealizationOrigin origin = originOf(input, RealizationOrigin::Partner);
    for (const PartnerCodes &partner : input.partnerCodes) {
        for (const QString &code : partner.codes) {
            for (const qint64 sid : rules.onboardedTraits(partner.dpid, code)) {
                if (alreadyRealized(result, sid))
                    continue;
                const RulesSnapshot::TraitEntry *trait = rules.trait(sid);
                NewRealization &added = addRealization(result, sid,
                                                       partner.ttlDays.value_or(trait->ttlDays),
                                                       origin,
                                                       NewRealization::Trigger::PartnerCode);
                added.replacesEarlier = true;
                added.partnerDpid = partner.dpid;
                added.code = code;
            }
        }
    }
    // After the codes: a trait that a code realized already keeps the code as its reason.
    for (const PartnerKeyValues &partner : input.partnerKeyValues) {
        if (!partner.values)
            continue;
        for (const RulesSnapshot::RuleTrait &trait : rules.onboardedRuleTraits(partner.dpid)) {
            if (alreadyRealized(result, trait.sid) || !trait.rule->matches(*partner.values))
                continue;
            NewRealization &added = addRealization(result, trait.sid, trait.ttlDays, origin,
                                                   NewRealization::Trigger::Signals);
            added.replacesEarlier = true;
            added.callSignals = partner.values;
            added.detailKeys = trait.detailKeys;
        }
    }
}

// Why a segment's result differs from the stored membership, and since when. Runs only on a
// change, so it may build the extra views it needs.
class ChangeExplainer
{
public:
    // `inputCause`: the cause of a change this input's realizations or removals made (null
    // when it made none).
    ChangeExplainer(const RulesSnapshot &rules, const VisitorProfile &profile, qint64 nowMs,
                    QLatin1String inputCause)
        : m_rules(rules)
        , m_profile(profile)
        , m_nowMs(nowMs)
        , m_inputCause(inputCause)
    {
    }

    MembershipChange explain(const SnapshotSegment &segment, const HeldMembership *held)
    {
        const bool wasHeld = held != nullptr;
        MembershipChange change{segment.sid,
                                wasHeld ? MembershipChange::Kind::Leave
                                        : MembershipChange::Kind::Join,
                                m_nowMs, QString()};
        if (!m_stored) {
            m_stored.emplace(m_rules, spanOf(m_profile.realizations));
            m_storedIgnoringExpiry.emplace(m_rules, spanOf(m_profile.realizations),
                                           std::span<const NewRealization>(),
                                           VisitorRealizations::Expiry::Ignored);
        }
        const SegmentRule &rule = segment.rule;
        if (!m_inputCause.isNull() && rule.holds(*m_stored, m_nowMs) == wasHeld) {
            change.cause = m_inputCause;
            return change;
        }
        // Time moved the result if, at the last instant the stored state is known to have been
        // right (the membership began, or the latest realization was made), the rule over the
        // same realizations gave the stored answer. Otherwise the definitions changed.
        std::optional<qint64> reference = m_stored->latestTimeMs();
        if (held)
            reference = std::max(reference.value_or(held->sinceMs), held->sinceMs);
        if (!reference || *reference >= m_nowMs || rule.holds(*m_stored, *reference) != wasHeld) {
            change.cause = MembershipCause::DefinitionsChanged;
            return change;
        }
        const SegmentChange found = rule.nextChange(*m_stored, *reference);
        if (found.exact && found.atMs <= m_nowMs)
            change.atMs = found.atMs;
        if (rule.holds(*m_storedIgnoringExpiry, change.atMs) == wasHeld)
            change.cause = MembershipCause::Expired;
        else if (wasHeld)
            change.cause = MembershipCause::LeftRecencyWindow;
        else
            change.cause = MembershipCause::EnteredRecencyWindow;
        return change;
    }

    MembershipChange explainAbsent(const HeldMembership &held) const
    {
        return MembershipChange{held.segmentSid, MembershipChange::Kind::Leave, m_nowMs,
                                m_rules.isRefusedSegment(held.segmentSid)
                                    ? QString(MembershipCause::SegmentRefused)
                                    : QString(MembershipCause::SegmentInactive)};
    }

private:
    const RulesSnapshot &m_rules;
    const VisitorProfile &m_profile;
    const qint64 m_nowMs;
    const QLatin1String m_inputCause;
    std::optional<VisitorRealizations> m_stored;
    std::optional<VisitorRealizations> m_storedIgnoringExpiry;
};

const QList<HeldMembership> &sortedMemberships(const VisitorProfile &profile,
                                               QList<HeldMembership> &storage)
{
    const auto bySid = [](const HeldMembership &a, const HeldMembership &b) {
        return a.segmentSid < b.segmentSid;
    };
    if (std::is_sorted(profile.memberships.cbegin(), profile.memberships.cend(), bySid))
        return profile.memberships;
    storage = profile.memberships;
    std::sort(storage.begin(), storage.end(), bySid);
    return storage;
}

// Every active segment over `current`, merged in sid order with the stored memberships.
void evaluateSegments(const RulesSnapshot &rules, const VisitorProfile &profile,
                      const VisitorRealizations &current, qint64 nowMs, QLatin1String inputCause,
                      bool exactNextChange, Qualification &result, HeldSegments *heldSegments)
{
    QList<HeldMembership> sortedStorage;
    const QList<HeldMembership> &memberships = sortedMemberships(profile, sortedStorage);
    std::optional<ChangeExplainer> explainer;
    const auto explainerFor = [&]() -> ChangeExplainer & {
        if (!explainer)
            explainer.emplace(rules, profile, nowMs, inputCause);
        return *explainer;
    };

    qsizetype next = 0;
    for (const SnapshotSegment &segment : rules.segments()) {
        for (; next < memberships.size() && memberships.at(next).segmentSid < segment.sid; ++next)
            result.changes.append(explainerFor().explainAbsent(memberships.at(next)));
        const HeldMembership *held = nullptr;
        if (next < memberships.size() && memberships.at(next).segmentSid == segment.sid)
            held = &memberships.at(next++);

        bool holds = false;
        qint64 changeMs = Realization::Never;
        if (exactNextChange) {
            holds = segment.rule.holds(current, nowMs);
            changeMs = segment.rule.nextChange(current, nowMs).atMs;
        } else {
            const SegmentEvaluation evaluation = segment.rule.evaluate(current, nowMs);
            holds = evaluation.holds;
            changeMs = evaluation.nextChangeMs;
        }
        result.nextChangeMs = std::min(result.nextChangeMs, changeMs);
        if (holds) {
            result.segmentsHeld.append(segment.sid);
            if (heldSegments)
                heldSegments->append(&segment);
        }
        if (holds != (held != nullptr))
            result.changes.append(explainerFor().explain(segment, held));
    }
    for (; next < memberships.size(); ++next)
        result.changes.append(explainerFor().explainAbsent(memberships.at(next)));
}

QString expandUrl(const QList<UrlTemplatePart> &parts, const SnapshotSegment &segment,
                  const QualifierInput &input)
{
    QString url;
    for (const UrlTemplatePart &part : parts) {
        switch (part.kind) {
        case UrlTemplatePart::Kind::Text: url += part.text; break;
        case UrlTemplatePart::Kind::Alias: url += segment.alias; break;
        case UrlTemplatePart::Kind::VisitorId: url += input.uuid; break;
        case UrlTemplatePart::Kind::Random: url += QString::number(input.random); break;
        case UrlTemplatePart::Kind::Timestamp: {
            qint64 seconds = input.nowMs / 1000; // floor, also before 1970
            if (input.nowMs % 1000 < 0)
                --seconds;
            url += QString::number(seconds);
            break;
        }
        }
    }
    return url;
}

void addDestinations(const HeldSegments &held, const QualifierInput &input,
                     Qualification &result)
{
    QVarLengthArray<std::pair<QString, QStringList>, 4> cookieGroups;
    for (const SnapshotSegment *segment : held) {
        for (const RulesSnapshot::SnapshotDestination &destination : segment->destinations) {
            if (destination.type == Destination::Type::Url) {
                if (input.urlDestinations) {
                    result.destinationUrls.append(
                        expandUrl(destination.urlParts, *segment, input));
                }
                continue;
            }
            auto group = std::find_if(cookieGroups.begin(), cookieGroups.end(),
                                      [&](const auto &g) {
                                          return g.first == destination.cookieKey;
                                      });
            if (group == cookieGroups.end()) {
                cookieGroups.append({destination.cookieKey, {}});
                group = cookieGroups.end() - 1;
            }
            if (!group->second.contains(destination.cookieValue))
                group->second.append(destination.cookieValue);
        }
    }
    if (cookieGroups.isEmpty())
        return;
    QString value;
    for (const auto &[key, values] : cookieGroups) {
        if (!value.isEmpty())
            value += u'&';
        if (!key.isEmpty())
            value += key + u'=';
        value += values.join(u',');
    }
    CookieStuff cookie;
    cookie.value = value;
    result.stuff.append(cookie);
}

} // namespace

QString realizationOriginName(RealizationOrigin origin)
{
    switch (origin) {
    case RealizationOrigin::Call: return u"call"_s;
    case RealizationOrigin::DirectSid: return u"sid"_s;
    case RealizationOrigin::Partner: return u"partner"_s;
    case RealizationOrigin::Batch: return u"batch"_s;
    case RealizationOrigin::Replay: return u"replay"_s;
    }
    return u"call"_s;
}

QList<Signal> NewRealization::matchedSignals() const
{
    QList<Signal> matched;
    if (trigger != Trigger::Signals || !callSignals)
        return matched;
    for (const QString &key : detailKeys) {
        const std::span<const RuleValue> values = callSignals->values(key);
        if (values.empty())
            continue;
        QStringList texts;
        texts.reserve(qsizetype(values.size()));
        for (const RuleValue &value : values)
            texts.append(value.text);
        matched.append(Signal{key, texts});
    }
    return matched;
}

QString NewRealization::detailJson() const
{
    return QString::fromUtf8(detailUtf8());
}

// Written directly (JsonWriter): through QJsonObject this was half of the listener's time per
// call with 20 rule traits. Keys in QJsonObject's order (sorted), so the text is the same.
QByteArray NewRealization::detailUtf8() const
{
    QByteArray out;
    JsonWriter json(out);
    json.beginObject();
    switch (trigger) {
    case Trigger::Signals: {
        QList<Signal> matched = matchedSignals();
        std::sort(matched.begin(), matched.end(),
                  [](const Signal &a, const Signal &b) { return a.key < b.key; });
        json.key(QLatin1StringView("signals")).beginObject();
        for (const Signal &signal : std::as_const(matched)) {
            json.key(signal.key).beginArray();
            for (const QString &value : signal.values)
                json.value(value);
            json.endArray();
        }
        json.endObject();
        break;
    }
    case Trigger::DirectSid:
        json.key(QLatin1StringView("d_sid")).value(code);
        break;
    case Trigger::PartnerCode:
        json.key(QLatin1StringView("code")).value(code);
        json.key(QLatin1StringView("dpid")).value(partnerDpid);
        break;
    }
    json.endObject();
    return out;
}

QList<qint64> Qualification::joined() const
{
    QList<qint64> sids;
    for (const MembershipChange &change : changes) {
        if (change.kind == MembershipChange::Kind::Join)
            sids.append(change.segmentSid);
    }
    return sids;
}

QJsonObject CookieStuff::toJson() const
{
    return QJsonObject{{u"cn"_s, name}, {u"cv"_s, value}, {u"ttl"_s, ttlDays}, {u"dmn"_s, domain}};
}

QJsonArray Qualification::stuffJson() const
{
    QJsonArray array;
    for (const CookieStuff &cookie : stuff)
        array.append(cookie.toJson());
    return array;
}

QJsonArray Qualification::destsJson() const
{
    QJsonArray array;
    for (const QString &url : destinationUrls)
        array.append(QJsonObject{{u"c"_s, url}, {u"y"_s, u"img"_s}});
    return array;
}

QList<qint64> Qualification::left() const
{
    QList<qint64> sids;
    for (const MembershipChange &change : changes) {
        if (change.kind == MembershipChange::Kind::Leave)
            sids.append(change.segmentSid);
    }
    return sids;
}

// --- VisitorRealizations --------------------------------------------------------------------

VisitorRealizations::VisitorRealizations(const RulesSnapshot &rules,
                                         std::span<const StoredRealization> stored,
                                         std::span<const NewRealization> added, Expiry expiry,
                                         std::span<const qint64> removed)
{
    const auto adjusted = [expiry](Realization realization) {
        if (expiry == Expiry::Ignored)
            realization.expiresMs = Realization::Never;
        return realization;
    };
    const auto replaced = [added](qint64 sid) {
        return std::any_of(added.begin(), added.end(), [sid](const NewRealization &r) {
            return r.replacesEarlier && r.traitSid == sid;
        });
    };
    const auto isRemoved = [removed](qint64 sid) {
        return std::find(removed.begin(), removed.end(), sid) != removed.end();
    };
    for (const StoredRealization &realization : stored) {
        if (!replaced(realization.traitSid) && !isRemoved(realization.traitSid))
            append(rules, realization.traitSid, adjusted(realization.realization));
    }
    for (const NewRealization &realization : added)
        append(rules, realization.traitSid, adjusted(realization.realization));

    std::sort(m_entries.begin(), m_entries.end(),
              [](const Entry &a, const Entry &b) { return a.sid < b.sid; });
    m_sids.reserve(m_entries.size());
    m_realizations.reserve(m_entries.size());
    for (const Entry &entry : std::as_const(m_entries)) {
        m_sids.append(entry.sid);
        m_realizations.append(entry.realization);
    }
}

void VisitorRealizations::append(const RulesSnapshot &rules, qint64 sid, Realization realization)
{
    m_entries.append(Entry{sid, realization});
    for (const qint64 folderSid : rules.foldersContaining(sid))
        m_entries.append(Entry{folderSid, realization});
    m_latestMs = std::max(m_latestMs.value_or(realization.timeMs), realization.timeMs);
}

std::span<const Realization> VisitorRealizations::realizations(qint64 traitSid) const
{
    const auto first = std::lower_bound(m_sids.cbegin(), m_sids.cend(), traitSid);
    auto last = first;
    while (last != m_sids.cend() && *last == traitSid)
        ++last;
    return {m_realizations.constData() + (first - m_sids.cbegin()), size_t(last - first)};
}

// --- Qualifier ------------------------------------------------------------------------------

Qualification Qualifier::realize(const RulesSnapshot &rules, const QualifierInput &input)
{
    Qualification result;
    result.nowMs = input.nowMs;
    result.tid = input.tid;
    realizeRuleTraits(rules, input, result);
    realizeDirectSids(rules, input, result);
    realizePartnerCodes(rules, input, result);
    result.realizedTraits.reserve(result.realizations.size());
    for (const NewRealization &realization : std::as_const(result.realizations))
        result.realizedTraits.append(realization.traitSid);
    std::sort(result.realizedTraits.begin(), result.realizedTraits.end());
    return result;
}

Qualification Qualifier::qualify(const RulesSnapshot &rules, const QualifierInput &input)
{
    Qualification result = realize(rules, input);
    static const VisitorProfile newVisitor;
    const VisitorProfile &profile = input.profile ? *input.profile : newVisitor;

    const VisitorRealizations current(rules, spanOf(profile.realizations),
                                      spanOf(result.realizations),
                                      VisitorRealizations::Expiry::AsStored,
                                      spanOf(input.removedTraits));
    const bool inputChangedSomething = !result.realizations.isEmpty()
                                       || !input.removedTraits.isEmpty();
    const QLatin1String inputCause = !inputChangedSomething ? QLatin1String()
                                     : input.batchFile     ? MembershipCause::BatchFile
                                                           : MembershipCause::Call;
    HeldSegments held;
    evaluateSegments(rules, profile, current, input.nowMs, inputCause, false, result, &held);
    addDestinations(held, input, result);
    return result;
}

Qualification Qualifier::reevaluate(const RulesSnapshot &rules, const VisitorProfile &profile,
                                    qint64 nowMs)
{
    Qualification result;
    result.nowMs = nowMs;
    const VisitorRealizations current(rules, spanOf(profile.realizations));
    evaluateSegments(rules, profile, current, nowMs, QLatin1String(), true, result, nullptr);
    return result;
}

qint64 Qualifier::nextSweepMs(const RulesSnapshot &rules, const VisitorProfile &profile,
                              qint64 nowMs)
{
    QList<HeldMembership> sortedStorage;
    const QList<HeldMembership> &memberships = sortedMemberships(profile, sortedStorage);
    const VisitorRealizations current(rules, spanOf(profile.realizations));
    qint64 earliest = Realization::Never;
    qsizetype matched = 0;
    for (const SnapshotSegment &segment : rules.segments()) {
        const SegmentEvaluation evaluation = segment.rule.evaluate(current, nowMs);
        const bool held = std::binary_search(
            memberships.cbegin(), memberships.cend(), HeldMembership{segment.sid, 0},
            [](const HeldMembership &a, const HeldMembership &b) {
                return a.segmentSid < b.segmentSid;
            });
        matched += held;
        if (evaluation.holds != held)
            return nowMs;
        earliest = std::min(earliest, evaluation.nextChangeMs);
    }
    // A membership of a segment the snapshot does not have is out of date already.
    return matched < memberships.size() ? nowMs : earliest;
}

} // namespace Dcs
