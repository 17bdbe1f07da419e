#include "segmentrule.h"

#include <QCoreApplication>
#include <QSet>
#include <QVarLengthArray>

#include <algorithm>

namespace Dcs {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::SegmentRule", text);
}

qint64 saturatingAdd(qint64 a, qint64 b)
{
    qint64 sum = 0;
    if (__builtin_add_overflow(a, b, &sum))
        return b > 0 ? std::numeric_limits<qint64>::max() : std::numeric_limits<qint64>::min();
    return sum;
}

// The instants [from, until) during which a realization counts in a window. Every change of a
// rule's result happens at one of these bounds, which is what nextChangeMs is built from.
struct Interval
{
    qint64 from;
    qint64 until;
};

Interval countingInterval(const Realization &realization, Recency recency, qint64 windowMs)
{
    switch (recency) {
    case Recency::None:
        break;
    case Recency::Within: // timeMs >= now - W  <=>  now <= timeMs + W  <=>  now < timeMs + W + 1
        return {realization.timeMs,
                std::min(realization.expiresMs,
                         saturatingAdd(saturatingAdd(realization.timeMs, windowMs), 1))};
    case Recency::Older: // timeMs <= now - W  <=>  now >= timeMs + W
        return {std::max(realization.timeMs, saturatingAdd(realization.timeMs, windowMs)),
                realization.expiresMs};
    }
    return {realization.timeMs, realization.expiresMs};
}

bool counts(const Interval &interval, qint64 nowMs)
{
    return interval.from <= nowMs && nowMs < interval.until;
}

bool compareCount(qint64 count, FrequencyComparison comparison, qint64 threshold)
{
    switch (comparison) {
    case FrequencyComparison::AtLeast: return count >= threshold;
    case FrequencyComparison::AtMost: return count <= threshold;
    case FrequencyComparison::Exactly: return count == threshold;
    }
    return false;
}

QLatin1String comparisonText(FrequencyComparison comparison)
{
    switch (comparison) {
    case FrequencyComparison::AtLeast: return QLatin1String(">=");
    case FrequencyComparison::AtMost: return QLatin1String("<=");
    case FrequencyComparison::Exactly: return QLatin1String("==");
    }
    return QLatin1String(">=");
}

class NoRealizations final : public RealizationSource
{
public:
    std::span<const Realization> realizations(qint64) const override { return {}; }
};

RuleDiagnostic diagnosticAt(const SourceSpan &span, const QString &text,
                            const QString &hint = {})
{
    RuleDiagnostic diagnostic;
    diagnostic.line = span.line;
    diagnostic.column = span.column;
    diagnostic.length = span.length;
    diagnostic.text = text;
    diagnostic.hint = hint;
    return diagnostic;
}

QString traitName(qint64 sid)
{
    return QString::number(sid) + u'T';
}

} // namespace

// --- building -----------------------------------------------------------------------------

int SegmentRule::copySubtree(const SegmentRule &from, int index)
{
    Q_ASSERT(&from != this); // appending would invalidate references into `from`
    Node copy = from.m_nodes.at(index);
    switch (copy.kind) {
    case SegmentNodeKind::Trait:
    case SegmentNodeKind::Frequency: {
        const qint32 first = qint32(m_traits.size());
        for (qint32 i = 0; i < copy.count; ++i)
            m_traits.append(from.m_traits.at(copy.first + i));
        copy.first = first;
        break;
    }
    case SegmentNodeKind::Not:
        copy.first = copySubtree(from, copy.first);
        break;
    case SegmentNodeKind::And:
    case SegmentNodeKind::Or: {
        QVarLengthArray<qint32, 8> operands;
        for (qint32 i = 0; i < copy.count; ++i)
            operands.append(copySubtree(from, from.m_operands.at(copy.first + i)));
        copy.first = qint32(m_operands.size());
        for (const qint32 operand : operands)
            m_operands.append(operand);
        break;
    }
    }
    m_nodes.append(copy);
    return rootIndex();
}

SegmentRule SegmentRule::compacted() const
{
    SegmentRule rule;
    if (!isEmpty())
        rule.copySubtree(*this, rootIndex());
    return rule;
}

SegmentRule SegmentRule::trait(qint64 sid)
{
    SegmentRule rule;
    rule.m_traits.append(TraitRef{sid, {}});
    Node node;
    node.kind = SegmentNodeKind::Trait;
    node.count = 1;
    rule.m_nodes.append(node);
    return rule;
}

SegmentRule SegmentRule::frequency(const FrequencySpec &spec)
{
    SegmentRule rule;
    QSet<qint64> listed;
    for (const qint64 sid : spec.traitSids) {
        if (!listed.contains(sid)) {
            listed.insert(sid);
            rule.m_traits.append(TraitRef{sid, {}});
        }
    }
    Node node;
    node.kind = SegmentNodeKind::Frequency;
    node.count = qint32(rule.m_traits.size());
    node.recency = spec.recency;
    node.recencyDays = spec.recency == Recency::None ? 0 : spec.recencyDays;
    node.comparison = spec.comparison;
    node.threshold = spec.threshold;
    rule.m_nodes.append(node);
    return rule;
}

SegmentRule SegmentRule::negation(const SegmentRule &operand)
{
    if (operand.isEmpty())
        return {};
    SegmentRule rule;
    Node node;
    node.kind = SegmentNodeKind::Not;
    node.first = rule.copySubtree(operand, operand.rootIndex());
    node.count = 1;
    rule.m_nodes.append(node);
    return rule;
}

SegmentRule SegmentRule::junction(SegmentNodeKind kind, const QList<SegmentRule> &operands)
{
    SegmentRule rule;
    QVarLengthArray<qint32, 8> indexes;
    for (const SegmentRule &operand : operands) {
        if (operand.isEmpty())
            continue;
        const Node &root = operand.m_nodes.at(operand.rootIndex());
        if (root.kind == kind) {
            for (qint32 i = 0; i < root.count; ++i)
                indexes.append(rule.copySubtree(operand, operand.m_operands.at(root.first + i)));
        } else {
            indexes.append(rule.copySubtree(operand, operand.rootIndex()));
        }
    }
    if (indexes.size() <= 1)
        return rule; // empty, or the one operand's subtree with its root last
    Node node;
    node.kind = kind;
    node.first = qint32(rule.m_operands.size());
    node.count = qint32(indexes.size());
    for (const qint32 operand : indexes)
        rule.m_operands.append(operand);
    rule.m_nodes.append(node);
    return rule;
}

SegmentRule SegmentRule::allOf(const QList<SegmentRule> &operands)
{
    return junction(SegmentNodeKind::And, operands);
}

SegmentRule SegmentRule::anyOf(const QList<SegmentRule> &operands)
{
    return junction(SegmentNodeKind::Or, operands);
}

// --- text -----------------------------------------------------------------------------------

SegmentNodeKind SegmentRule::kind() const
{
    return isEmpty() ? SegmentNodeKind::Trait : m_nodes.at(rootIndex()).kind;
}

QString SegmentRule::toString() const
{
    QString out;
    if (!isEmpty())
        print(rootIndex(), out);
    return out;
}

// Precedence NOT > AND > OR: an operand needs parentheses only when it binds more loosely than
// its operator. Trees are normalized (no AND directly under AND, no OR under OR), so AND needs
// them around OR operands and NOT around AND and OR operands, nowhere else.
void SegmentRule::print(int index, QString &out) const
{
    const Node &node = m_nodes.at(index);
    const auto printOperand = [&](int operand, bool parenthesize) {
        if (parenthesize)
            out += u'(';
        print(operand, out);
        if (parenthesize)
            out += u')';
    };
    switch (node.kind) {
    case SegmentNodeKind::Trait:
        out += traitName(m_traits.at(node.first).sid);
        return;
    case SegmentNodeKind::Frequency:
        out += QLatin1String("FREQUENCY([");
        for (qint32 i = 0; i < node.count; ++i) {
            if (i > 0)
                out += QLatin1String(", ");
            out += traitName(m_traits.at(node.first + i).sid);
        }
        out += u']';
        if (node.recency != Recency::None) {
            out += node.recency == Recency::Within ? QLatin1String(" <= ")
                                                   : QLatin1String(" >= ");
            out += QString::number(node.recencyDays) + u'D';
        }
        out += QLatin1String(") ") + comparisonText(node.comparison) + u' '
               + QString::number(node.threshold);
        return;
    case SegmentNodeKind::Not: {
        const SegmentNodeKind operandKind = m_nodes.at(node.first).kind;
        out += QLatin1String("NOT ");
        printOperand(node.first,
                     operandKind == SegmentNodeKind::And || operandKind == SegmentNodeKind::Or);
        return;
    }
    case SegmentNodeKind::And:
    case SegmentNodeKind::Or:
        for (qint32 i = 0; i < node.count; ++i) {
            if (i > 0)
                out += node.kind == SegmentNodeKind::And ? QLatin1String(" AND ")
                                                         : QLatin1String(" OR ");
            const int operand = m_operands.at(node.first + i);
            const SegmentNodeKind operandKind = m_nodes.at(operand).kind;
            printOperand(operand, operandKind == SegmentNodeKind::Or
                                      || operandKind == node.kind);
        }
        return;
    }
}

QList<qint64> SegmentRule::traitSids() const
{
    QList<qint64> sids;
    QSet<qint64> seen;
    for (const TraitRef &ref : m_traits) {
        if (!seen.contains(ref.sid)) {
            seen.insert(ref.sid);
            sids.append(ref.sid);
        }
    }
    return sids;
}

SegmentRulePart SegmentRule::tree() const
{
    return isEmpty() ? SegmentRulePart() : partAt(rootIndex());
}

SegmentRulePart SegmentRule::partAt(int index) const
{
    const Node &node = m_nodes.at(index);
    SegmentRulePart part;
    part.kind = node.kind;
    part.span = node.span;
    switch (node.kind) {
    case SegmentNodeKind::Trait:
        part.traitSid = m_traits.at(node.first).sid;
        break;
    case SegmentNodeKind::Frequency:
        for (qint32 i = 0; i < node.count; ++i)
            part.frequency.traitSids.append(m_traits.at(node.first + i).sid);
        part.frequency.recency = node.recency;
        part.frequency.recencyDays = node.recencyDays;
        part.frequency.comparison = node.comparison;
        part.frequency.threshold = node.threshold;
        break;
    case SegmentNodeKind::Not:
        part.operands.append(partAt(node.first));
        break;
    case SegmentNodeKind::And:
    case SegmentNodeKind::Or:
        for (qint32 i = 0; i < node.count; ++i)
            part.operands.append(partAt(m_operands.at(node.first + i)));
        break;
    }
    return part;
}

// --- validation -----------------------------------------------------------------------------

QList<RuleDiagnostic> SegmentRule::validate(const TraitCatalog &catalog) const
{
    QList<RuleDiagnostic> problems;
    if (isEmpty()) {
        RuleDiagnostic empty;
        empty.text = tr("the rule is empty");
        empty.hint = tr("name a trait, like 1234T");
        problems.append(empty);
        return problems;
    }
    // Post-order visits the traits in the order they are written.
    for (const Node &node : m_nodes) {
        if (node.kind == SegmentNodeKind::Trait) {
            const TraitRef &ref = m_traits.at(node.first);
            if (!catalog.typeOf(ref.sid)) {
                problems.append(diagnosticAt(ref.span, tr("trait %1 does not exist")
                                                           .arg(traitName(ref.sid))));
            }
            continue;
        }
        if (node.kind != SegmentNodeKind::Frequency)
            continue;
        if (node.count == 0) {
            problems.append(diagnosticAt(node.span, tr("FREQUENCY needs at least one trait")));
        }
        for (qint32 i = 0; i < node.count; ++i) {
            const TraitRef &ref = m_traits.at(node.first + i);
            const std::optional<Trait::Type> type = catalog.typeOf(ref.sid);
            if (!type) {
                problems.append(diagnosticAt(ref.span, tr("trait %1 does not exist")
                                                           .arg(traitName(ref.sid))));
            } else if (*type == Trait::Type::Onboarded) {
                problems.append(diagnosticAt(
                    ref.span,
                    tr("FREQUENCY and recency count realizations of rule-based and folder "
                       "traits only; %1 is onboarded")
                        .arg(traitName(ref.sid)),
                    tr("an onboarded trait counts once per visitor: write %1 on its own")
                        .arg(traitName(ref.sid))));
            }
        }
        if (node.recency != Recency::None && node.recencyDays <= 0) {
            problems.append(diagnosticAt(node.span, tr("recency must be more than 0 days")));
        }
        if (node.threshold < 0) {
            problems.append(diagnosticAt(node.span, tr("the count must be 0 or more")));
        }
    }
    // Rules built in code have no positions (line 0): their order stays the order found.
    std::stable_sort(problems.begin(), problems.end(),
                     [](const RuleDiagnostic &a, const RuleDiagnostic &b) {
                         return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                     });
    // Last, whatever its position: fixing the names may change what the rule means.
    if (holdsForEveryone()) {
        const Node &culprit = m_nodes.at(everyoneCulprit(rootIndex()));
        const QString hint = culprit.kind == SegmentNodeKind::Not
                                 ? tr("NOT holds for every visitor who lacks the trait")
                             : culprit.kind == SegmentNodeKind::Frequency
                                 ? tr("a count of 0 satisfies this FREQUENCY")
                                 : QString();
        problems.append(diagnosticAt(culprit.span,
                                     tr("this rule would hold for every visitor, even one with "
                                        "no traits; AND it with something a visitor must have"),
                                     hint));
    }
    return problems;
}

// The part to underline when the rule holds for everyone: descend through OR into the first
// operand that holds on its own; anything else (NOT, a FREQUENCY, an AND of such parts) is
// the part that lets everyone in.
int SegmentRule::everyoneCulprit(int index) const
{
    const Node &node = m_nodes.at(index);
    if (node.kind != SegmentNodeKind::Or)
        return index;
    const NoRealizations none;
    for (qint32 i = 0; i < node.count; ++i) {
        const int operand = m_operands.at(node.first + i);
        if (nodeHolds(operand, none, 0))
            return everyoneCulprit(operand);
    }
    return index;
}

bool SegmentRule::holdsForEveryone() const
{
    return !isEmpty() && nodeHolds(rootIndex(), NoRealizations(), 0);
}

// --- evaluation ---------------------------------------------------------------------------

qint64 SegmentRule::nodeCount(const Node &node, const RealizationSource &source,
                              qint64 nowMs) const
{
    const qint64 windowMs = qint64(node.recencyDays) * MsPerDay;
    qint64 count = 0;
    for (qint32 i = 0; i < node.count; ++i) {
        for (const Realization &realization : source.realizations(m_traits.at(node.first + i).sid))
            count += counts(countingInterval(realization, node.recency, windowMs), nowMs);
    }
    return count;
}

bool SegmentRule::nodeHolds(int index, const RealizationSource &source, qint64 nowMs) const
{
    const Node &node = m_nodes.at(index);
    switch (node.kind) {
    case SegmentNodeKind::Trait:
        for (const Realization &realization : source.realizations(m_traits.at(node.first).sid)) {
            if (realization.timeMs <= nowMs && nowMs < realization.expiresMs)
                return true;
        }
        return false;
    case SegmentNodeKind::Frequency:
        return compareCount(nodeCount(node, source, nowMs), node.comparison, node.threshold);
    case SegmentNodeKind::Not:
        return !nodeHolds(node.first, source, nowMs);
    case SegmentNodeKind::And:
        for (qint32 i = 0; i < node.count; ++i) {
            if (!nodeHolds(m_operands.at(node.first + i), source, nowMs))
                return false;
        }
        return true;
    case SegmentNodeKind::Or:
        for (qint32 i = 0; i < node.count; ++i) {
            if (nodeHolds(m_operands.at(node.first + i), source, nowMs))
                return true;
        }
        return false;
    }
    return false;
}

// The first bound of a counting interval after afterMs among the realizations a part reads:
// between two consecutive bounds no count and no trait's presence changes, so neither does
// the result.
qint64 SegmentRule::nextCandidateAfter(int index, const RealizationSource &source,
                                       qint64 afterMs) const
{
    const Node &node = m_nodes.at(index);
    qint64 next = Realization::Never;
    switch (node.kind) {
    case SegmentNodeKind::Trait:
    case SegmentNodeKind::Frequency: {
        const Recency recency =
            node.kind == SegmentNodeKind::Trait ? Recency::None : node.recency;
        const qint64 windowMs = qint64(node.recencyDays) * MsPerDay;
        for (qint32 i = 0; i < node.count; ++i) {
            const qint64 sid = m_traits.at(node.first + i).sid;
            for (const Realization &realization : source.realizations(sid)) {
                const Interval interval = countingInterval(realization, recency, windowMs);
                if (interval.from >= interval.until)
                    continue; // never counts: no change
                if (interval.from > afterMs)
                    next = std::min(next, interval.from);
                else if (interval.until > afterMs)
                    next = std::min(next, interval.until);
            }
        }
        return next;
    }
    case SegmentNodeKind::Not:
        return nextCandidateAfter(node.first, source, afterMs);
    case SegmentNodeKind::And:
    case SegmentNodeKind::Or:
        for (qint32 i = 0; i < node.count; ++i) {
            next = std::min(next,
                            nextCandidateAfter(m_operands.at(node.first + i), source, afterMs));
        }
        return next;
    }
    return next;
}

SegmentEvaluation SegmentRule::evaluate(const RealizationSource &source, qint64 nowMs) const
{
    if (isEmpty())
        return {};
    return {nodeHolds(rootIndex(), source, nowMs), nextCandidateAfter(rootIndex(), source, nowMs)};
}

bool SegmentRule::holds(const RealizationSource &source, qint64 nowMs) const
{
    return !isEmpty() && nodeHolds(rootIndex(), source, nowMs);
}

SegmentChange SegmentRule::nodeNextChange(int index, const RealizationSource &source,
                                          qint64 nowMs, int maxSteps) const
{
    const bool holdsNow = nodeHolds(index, source, nowMs);
    qint64 instant = nowMs;
    for (int step = 0; step < maxSteps; ++step) {
        instant = nextCandidateAfter(index, source, instant);
        if (instant == Realization::Never)
            return {};
        if (nodeHolds(index, source, instant) != holdsNow)
            return {instant, true};
    }
    const qint64 next = nextCandidateAfter(index, source, instant);
    return {next, next == Realization::Never};
}

SegmentChange SegmentRule::nextChange(const RealizationSource &source, qint64 nowMs,
                                      int maxSteps) const
{
    if (isEmpty())
        return {};
    return nodeNextChange(rootIndex(), source, nowMs, maxSteps);
}

SegmentExplanation SegmentRule::explainNode(int index, const RealizationSource &source,
                                            qint64 nowMs, int maxSteps) const
{
    const Node &node = m_nodes.at(index);
    SegmentExplanation explanation;
    explanation.kind = node.kind;
    print(index, explanation.text);
    explanation.holds = nodeHolds(index, source, nowMs);
    explanation.change = nodeNextChange(index, source, nowMs, maxSteps);
    switch (node.kind) {
    case SegmentNodeKind::Trait:
    case SegmentNodeKind::Frequency: {
        Node window = node;
        if (node.kind == SegmentNodeKind::Trait)
            window.recency = Recency::None;
        explanation.count = nodeCount(window, source, nowMs);
        const qint64 windowMs = qint64(window.recencyDays) * MsPerDay;
        explanation.windowToMs = window.recency == Recency::Older
                                     ? saturatingAdd(nowMs, -windowMs)
                                     : nowMs;
        if (window.recency == Recency::Within)
            explanation.windowFromMs = saturatingAdd(nowMs, -windowMs);
        break;
    }
    case SegmentNodeKind::Not:
        explanation.children.append(explainNode(node.first, source, nowMs, maxSteps));
        break;
    case SegmentNodeKind::And:
    case SegmentNodeKind::Or:
        for (qint32 i = 0; i < node.count; ++i) {
            explanation.children.append(
                explainNode(m_operands.at(node.first + i), source, nowMs, maxSteps));
        }
        break;
    }
    return explanation;
}

SegmentExplanation SegmentRule::explain(const RealizationSource &source, qint64 nowMs,
                                        int maxSteps) const
{
    if (isEmpty())
        return {};
    return explainNode(rootIndex(), source, nowMs, maxSteps);
}

// --- comparison ---------------------------------------------------------------------------

bool SegmentRule::sameTree(int index, const SegmentRule &other, int otherIndex) const
{
    const Node &a = m_nodes.at(index);
    const Node &b = other.m_nodes.at(otherIndex);
    if (a.kind != b.kind || a.count != b.count)
        return false;
    switch (a.kind) {
    case SegmentNodeKind::Frequency:
        if (a.comparison != b.comparison || a.threshold != b.threshold || a.recency != b.recency
            || (a.recency != Recency::None && a.recencyDays != b.recencyDays)) {
            return false;
        }
        [[fallthrough]];
    case SegmentNodeKind::Trait:
        for (qint32 i = 0; i < a.count; ++i) {
            if (m_traits.at(a.first + i).sid != other.m_traits.at(b.first + i).sid)
                return false;
        }
        return true;
    case SegmentNodeKind::Not:
        return sameTree(a.first, other, b.first);
    case SegmentNodeKind::And:
    case SegmentNodeKind::Or:
        for (qint32 i = 0; i < a.count; ++i) {
            if (!sameTree(m_operands.at(a.first + i), other, other.m_operands.at(b.first + i)))
                return false;
        }
        return true;
    }
    return false;
}

bool operator==(const SegmentRule &a, const SegmentRule &b)
{
    if (a.isEmpty() || b.isEmpty())
        return a.isEmpty() == b.isEmpty();
    return a.sameTree(a.rootIndex(), b, b.rootIndex());
}

} // namespace Dcs
