#include "rules/rulesnapshot.h"

#include "common/logging.h"
#include "rules/traitrulematch.h"
#include "storage/folderrepository.h"
#include "storage/segmentrepository.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Dcs {

namespace {

// Folders nest at most 5 deep (rules.md); the walk stops far beyond that, so a cycle in a
// hand-edited database cannot hang a reload.
constexpr int kMaxFolderWalk = 64;

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::RulesSnapshot", text);
}

bool isAsciiDigit(QChar ch)
{
    return ch.unicode() >= u'0' && ch.unicode() <= u'9';
}

RuleDiagnostic wholeRuleDiagnostic(const QString &text, const QString &hint = {})
{
    RuleDiagnostic diagnostic;
    diagnostic.text = text;
    diagnostic.hint = hint;
    return diagnostic;
}

template <typename Definition>
QList<Definition> sortedBySid(QList<Definition> definitions)
{
    std::sort(definitions.begin(), definitions.end(),
              [](const Definition &a, const Definition &b) { return a.sid < b.sid; });
    return definitions;
}

} // namespace

QString RuleDiagnosticWithItem::message() const
{
    const QString what = kind == Kind::Trait ? QStringLiteral("trait %1").arg(sid)
                                             : QStringLiteral("segment %1").arg(sid);
    return what + u": "_s + diagnostic.message();
}

// --- building -------------------------------------------------------------------------------

std::shared_ptr<const RulesSnapshot> RulesSnapshot::build(const QList<Folder> &folders,
                                                          const QList<Trait> &traits,
                                                          const QList<Segment> &segments,
                                                          QList<RuleDiagnosticWithItem> *problems)
{
    std::shared_ptr<RulesSnapshot> snapshot(new RulesSnapshot());
    QList<RuleDiagnosticWithItem> found;
    QSet<qint64> refusedTraits;
    const QList<Trait> sortedTraits = sortedBySid(traits);
    snapshot->addTraits(sortedTraits, &refusedTraits, &found);
    snapshot->addFolderMembers(folders, sortedTraits);
    snapshot->addSegments(sortedBySid(segments), refusedTraits, &found);
    for (const RuleDiagnosticWithItem &problem : std::as_const(found))
        qCDebug(lcRules).noquote() << "definition refused:" << problem.message();
    if (problems)
        *problems = found;
    return snapshot;
}

void RulesSnapshot::addTraits(const QList<Trait> &traits, QSet<qint64> *refusedTraits,
                              QList<RuleDiagnosticWithItem> *problems)
{
    for (const Trait &trait : traits) {
        if (trait.type != Trait::Type::Folder) {
            const TraitRuleParse parse = TraitRule::compile(trait.rule);
            if (!parse.ok()) {
                problems->append({RuleDiagnosticWithItem::Kind::Trait, trait.sid,
                                  parse.diagnostics.value(0), true});
                refusedTraits->insert(trait.sid);
                continue;
            }
            RuleTrait entry{trait.sid, trait.dataSource, trait.ttlDays, parse.rule, {}};
            const QStringList keys = parse.rule->keys();
            for (const QString &key : keys) {
                if (!key.startsWith(u"p_"))
                    entry.detailKeys.append(key);
            }
            if (trait.type == Trait::Type::Rule) {
                m_ruleTraits.append(entry);
            } else {
                m_onboardedRuleTraits[trait.dataSource].append(entry);
                const QString code = onboardedCode(*parse.rule);
                if (code.isNull()) {
                    problems->append(
                        {RuleDiagnosticWithItem::Kind::Trait, trait.sid,
                         wholeRuleDiagnostic(
                             tr("partner codes cannot realize this onboarded trait: its rule "
                                "is not of the form ic == \"CODE\""),
                             tr("d_sid and a partner's key=value items (batch files) can "
                                "still realize it")),
                         false});
                } else {
                    m_onboardedByCode[{trait.dataSource, canonicalCode(code)}].append(trait.sid);
                }
            }
        }
        m_traits.insert(trait.sid, TraitEntry{trait.sid, trait.type, trait.dataSource,
                                              trait.ttlDays});
        m_catalog.insert(trait.sid, trait.type);
    }
}

void RulesSnapshot::addFolderMembers(const QList<Folder> &folders, const QList<Trait> &traits)
{
    QHash<qint64, QList<qint64>> childFolders;
    for (const Folder &folder : folders) {
        if (folder.parentId)
            childFolders[*folder.parentId].append(folder.id);
    }
    QHash<qint64, QList<qint64>> traitsInFolder; // folder traits are not members of any folder
    for (const Trait &trait : traits) {
        if (trait.type != Trait::Type::Folder && m_traits.contains(trait.sid))
            traitsInFolder[trait.folderId].append(trait.sid);
    }
    for (const Trait &trait : traits) {
        if (trait.type != Trait::Type::Folder)
            continue;
        QList<qint64> members;
        QSet<qint64> visited;
        QList<std::pair<qint64, int>> pending = {{trait.folderId, 1}};
        while (!pending.isEmpty()) {
            const auto [folderId, depth] = pending.takeLast();
            if (visited.contains(folderId) || depth > kMaxFolderWalk)
                continue;
            visited.insert(folderId);
            members += traitsInFolder.value(folderId);
            const QList<qint64> children = childFolders.value(folderId);
            for (const qint64 child : children)
                pending.append({child, depth + 1});
        }
        std::sort(members.begin(), members.end());
        m_folderMembers.insert(trait.sid, members);
    }
}

void RulesSnapshot::addSegments(const QList<Segment> &segments,
                                const QSet<qint64> &refusedTraits,
                                QList<RuleDiagnosticWithItem> *problems)
{
    QSet<qint64> namedFolderTraits;
    for (const Segment &segment : segments) {
        if (!segment.active)
            continue;
        const auto refuse = [&](const RuleDiagnostic &diagnostic) {
            problems->append({RuleDiagnosticWithItem::Kind::Segment, segment.sid, diagnostic,
                              true});
            m_refusedSegments.insert(segment.sid);
        };
        RuleDiagnostic diagnostic;
        std::optional<SegmentRule> rule = SegmentRule::parse(segment.rule, &diagnostic);
        if (!rule) {
            refuse(diagnostic);
            continue;
        }
        const QList<qint64> named = rule->traitSids();
        const auto refusedTrait = std::find_if(named.cbegin(), named.cend(), [&](qint64 sid) {
            return refusedTraits.contains(sid);
        });
        if (refusedTrait != named.cend()) {
            refuse(wholeRuleDiagnostic(
                tr("names trait %1T, whose rule does not compile: the segment is left out "
                   "until that trait is fixed")
                    .arg(*refusedTrait)));
            continue;
        }
        const QList<RuleDiagnostic> invalid = rule->validate(m_catalog);
        if (!invalid.isEmpty()) {
            refuse(invalid.first());
            continue;
        }
        SnapshotSegment entry;
        entry.sid = segment.sid;
        entry.rule = std::move(*rule);
        const QString alias = segment.integrationCode.isEmpty()
                                  ? QString::number(segment.sid)
                                  : segment.integrationCode;
        entry.alias = QString::fromLatin1(QUrl::toPercentEncoding(alias));
        for (const Destination &destination : segment.destinations) {
            SnapshotDestination compiled;
            compiled.type = destination.type;
            if (destination.type == Destination::Type::Cookie) {
                compiled.cookieKey = destination.key;
                compiled.cookieValue = destination.value;
            } else {
                compiled.urlParts = parseUrlTemplate(destination.url);
            }
            entry.destinations.append(compiled);
        }
        for (const qint64 sid : named) {
            const TraitEntry *traitEntry = trait(sid);
            if (traitEntry && traitEntry->type == Trait::Type::Folder)
                namedFolderTraits.insert(sid);
        }
        m_segmentIndex.insert(entry.sid, m_segments.size());
        m_segments.append(std::move(entry));
    }
    for (const qint64 folderSid : std::as_const(namedFolderTraits)) {
        const QList<qint64> members = m_folderMembers.value(folderSid);
        for (const qint64 member : members)
            m_foldersContaining[member].append(folderSid);
    }
    for (QList<qint64> &containing : m_foldersContaining)
        std::sort(containing.begin(), containing.end());
}

// --- lookups --------------------------------------------------------------------------------

const RulesSnapshot::TraitEntry *RulesSnapshot::trait(qint64 sid) const
{
    const auto found = m_traits.constFind(sid);
    return found == m_traits.constEnd() ? nullptr : &found.value();
}

const QList<RulesSnapshot::RuleTrait> &RulesSnapshot::onboardedRuleTraits(qint64 dpid) const
{
    static const QList<RuleTrait> none;
    const auto found = m_onboardedRuleTraits.constFind(dpid);
    return found == m_onboardedRuleTraits.constEnd() ? none : found.value();
}

std::span<const qint64> RulesSnapshot::onboardedTraits(qint64 dpid, QStringView code) const
{
    const auto found = m_onboardedByCode.constFind({dpid, canonicalCode(code)});
    if (found == m_onboardedByCode.constEnd())
        return {};
    return {found->constData(), size_t(found->size())};
}

std::span<const qint64> RulesSnapshot::folderMembers(qint64 folderTraitSid) const
{
    const auto found = m_folderMembers.constFind(folderTraitSid);
    if (found == m_folderMembers.constEnd())
        return {};
    return {found->constData(), size_t(found->size())};
}

std::span<const qint64> RulesSnapshot::foldersContaining(qint64 traitSid) const
{
    if (m_foldersContaining.isEmpty())
        return {};
    const auto found = m_foldersContaining.constFind(traitSid);
    if (found == m_foldersContaining.constEnd())
        return {};
    return {found->constData(), size_t(found->size())};
}

const RulesSnapshot::SnapshotSegment *RulesSnapshot::segment(qint64 sid) const
{
    const auto found = m_segmentIndex.constFind(sid);
    return found == m_segmentIndex.constEnd() ? nullptr : &m_segments.at(found.value());
}

// --- helpers --------------------------------------------------------------------------------

QString RulesSnapshot::canonicalCode(QStringView code)
{
    // A decimal number as the rule language reads one (RuleValue): sign, digits, and an
    // optional point with at least one digit after it.
    qsizetype at = 0;
    const bool negative = !code.isEmpty() && code.front() == u'-';
    if (!code.isEmpty() && (code.front() == u'-' || code.front() == u'+'))
        ++at;
    const qsizetype integerBegin = at;
    while (at < code.size() && isAsciiDigit(code.at(at)))
        ++at;
    const qsizetype integerEnd = at;
    qsizetype fractionBegin = at;
    qsizetype fractionEnd = at;
    bool isNumber = integerEnd > integerBegin;
    if (isNumber && at < code.size()) {
        isNumber = code.at(at) == u'.';
        fractionBegin = at + 1;
        fractionEnd = fractionBegin;
        while (fractionEnd < code.size() && isAsciiDigit(code.at(fractionEnd)))
            ++fractionEnd;
        isNumber = isNumber && fractionEnd > fractionBegin && fractionEnd == code.size();
    }
    if (!isNumber)
        return TraitRuleMatch::asciiFolded(code);

    qsizetype firstDigit = integerBegin;
    while (firstDigit < integerEnd && code.at(firstDigit) == u'0')
        ++firstDigit;
    while (fractionEnd > fractionBegin && code.at(fractionEnd - 1) == u'0')
        --fractionEnd;
    QString canonical;
    const bool zero = firstDigit == integerEnd && fractionEnd == fractionBegin;
    if (negative && !zero)
        canonical += u'-';
    if (firstDigit == integerEnd)
        canonical += u'0';
    else
        canonical += code.sliced(firstDigit, integerEnd - firstDigit);
    if (fractionEnd > fractionBegin)
        canonical += u'.' + code.sliced(fractionBegin, fractionEnd - fractionBegin);
    return canonical;
}

QString RulesSnapshot::onboardedCode(const CompiledTraitRule &rule)
{
    const QList<TraitRuleNode> &nodes = rule.nodes();
    if (nodes.size() != 1)
        return {};
    const TraitRuleNode &node = nodes.first();
    if (node.kind != TraitRuleNode::Kind::Comparison || node.key != u"ic"
        || node.op != TraitRuleOperator::Equal)
        return {};
    // A QString that is empty but not null: `ic == ""` is a (useless) code, not "no code".
    return node.value.isNull() ? u""_s : node.value;
}

QList<UrlTemplatePart> RulesSnapshot::parseUrlTemplate(QStringView url)
{
    using Kind = UrlTemplatePart::Kind;
    static const std::pair<QLatin1String, Kind> macros[] = {
        {QLatin1String("alias"), Kind::Alias},
        {QLatin1String("did"), Kind::VisitorId},
        {QLatin1String("rnd"), Kind::Random},
        {QLatin1String("timestamp"), Kind::Timestamp},
    };
    QList<UrlTemplatePart> parts;
    QString text;
    qsizetype at = 0;
    while (at < url.size()) {
        const qsizetype open = url.indexOf(u'%', at);
        if (open < 0) {
            text += url.sliced(at);
            break;
        }
        text += url.sliced(at, open - at);
        const qsizetype close = url.indexOf(u'%', open + 1);
        std::optional<Kind> macro;
        if (close > open) {
            const QStringView name = url.sliced(open + 1, close - open - 1);
            for (const auto &[macroName, kind] : macros) {
                if (TraitRuleMatch::equalsIgnoringAsciiCase(name, macroName))
                    macro = kind;
            }
        }
        if (!macro) {
            // Not a macro (a percent-escape such as %20, or a stray %): kept, and the next
            // % may still open one.
            text += u'%';
            at = open + 1;
            continue;
        }
        if (!text.isEmpty())
            parts.append({Kind::Text, std::exchange(text, QString())});
        parts.append({*macro, {}});
        at = close + 1;
    }
    if (!text.isEmpty())
        parts.append({Kind::Text, text});
    return parts;
}

// --- RulesEngine ------------------------------------------------------------------------------

RulesEngine::RulesEngine()
    : m_current(RulesSnapshot::build({}, {}, {}))
{
}

std::shared_ptr<const RulesSnapshot> RulesEngine::snapshot() const
{
    return m_current.load(std::memory_order_acquire);
}

void RulesEngine::setSnapshot(std::shared_ptr<const RulesSnapshot> snapshot)
{
    if (!snapshot)
        snapshot = RulesSnapshot::build({}, {}, {});
    m_current.store(std::move(snapshot), std::memory_order_release);
    m_generation.fetch_add(1, std::memory_order_acq_rel);
}

bool RulesEngine::reload(Storage &storage, QList<RuleDiagnosticWithItem> *problems,
                         QString *error)
{
    QSqlDatabase db = storage.reader();
    if (!db.isOpen()) {
        if (error)
            *error = QStringLiteral("cannot read the definitions: %1").arg(db.lastError().text());
        return false;
    }
    // One read transaction: a segment and the traits it names come from the same state.
    const bool inTransaction = db.transaction();
    const QList<Folder> folders = FolderRepository::readAll(db);
    const QList<Trait> traits = TraitRepository::readAll(db);
    const QList<Segment> segments = SegmentRepository::readAll(db);
    if (inTransaction)
        db.commit();
    setSnapshot(RulesSnapshot::build(folders, traits, segments, problems));
    return true;
}

} // namespace Dcs
