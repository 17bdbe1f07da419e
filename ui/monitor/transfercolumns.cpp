#include "transfercolumns.h"

#include "views/statusicons.h"

#include <QCoreApplication>
#include <QDateTime>

namespace Dcs::TransferColumns {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Dcs::TransferColumns", text);
}

enum class OutcomeGroup { Answered, Empty, NotCalled, Slow, Failed };

OutcomeGroup groupOf(TransferOutcome outcome)
{
    switch (outcome) {
    case TransferOutcome::Ok:
        return OutcomeGroup::Answered;
    case TransferOutcome::Empty:
        return OutcomeGroup::Empty;
    case TransferOutcome::Timeout:
    case TransferOutcome::Late:
        return OutcomeGroup::Slow;
    case TransferOutcome::HttpError:
    case TransferOutcome::BadAnswer:
    case TransferOutcome::NetworkError:
        return OutcomeGroup::Failed;
    case TransferOutcome::Skipped:
    case TransferOutcome::CircuitOpen:
    case TransferOutcome::RateLimited:
    case TransferOutcome::NoIdSync:
        return OutcomeGroup::NotCalled;
    }
    return OutcomeGroup::Failed;
}

// The shape says the outcome's group (so colour is never the only cue), the tone its colour.
StatusIcons::Glyph glyphOf(TransferOutcome outcome)
{
    using StatusIcons::Glyph;
    switch (groupOf(outcome)) {
    case OutcomeGroup::Answered: return Glyph::CheckDisc;
    case OutcomeGroup::Empty: return Glyph::Ring;
    case OutcomeGroup::NotCalled: return Glyph::DashSquare;
    case OutcomeGroup::Slow:
        return outcome == TransferOutcome::Late ? Glyph::LateClock : Glyph::Clock;
    case OutcomeGroup::Failed: break;
    }
    return Glyph::ExclamationTriangle;
}

StatusIcons::Tone toneOf(OutcomeGroup group)
{
    using StatusIcons::Tone;
    switch (group) {
    case OutcomeGroup::Answered: return Tone::Good;
    case OutcomeGroup::Empty: return Tone::Calm;
    case OutcomeGroup::NotCalled: return Tone::Muted;
    case OutcomeGroup::Slow: return Tone::Caution;
    case OutcomeGroup::Failed: break;
    }
    return Tone::Bad;
}

} // namespace

QString header(int column)
{
    switch (column) {
    case Time: return tr("Time");
    case Tid: return tr("tid");
    case Visitor: return tr("Visitor");
    case Partner: return tr("Partner");
    case Outcome: return tr("Outcome");
    case Budget: return tr("Budget");
    case Latency: return tr("Latency");
    case Codes: return tr("Codes");
    }
    return {};
}

QString headerToolTip(int column)
{
    switch (column) {
    case Time: return tr("When the DCS decided to call the partner (local time)");
    case Tid: return tr("The /event call's transaction ID: every partner call of one visit "
                        "shares it");
    case Visitor: return tr("The visitor's UUID");
    case Partner: return tr("The data partner and its DPID; shadow partners are marked");
    case Outcome: return tr("What happened to the call (partner-protocol.md, \"Outcomes\")");
    case Budget: return tr("The time the partner was given (X-DCS-Tmax) against the call's "
                           "deadline");
    case Latency: return tr("From the decision to call to the outcome");
    case Codes: return tr("Segment codes received; unmapped ones are marked with *");
    }
    return {};
}

QString outcomeLabel(TransferOutcome outcome)
{
    switch (outcome) {
    case TransferOutcome::Ok: return tr("OK");
    case TransferOutcome::Empty: return tr("Empty");
    case TransferOutcome::Skipped: return tr("Skipped");
    case TransferOutcome::Timeout: return tr("Timeout");
    case TransferOutcome::Late: return tr("Late");
    case TransferOutcome::HttpError: return tr("HTTP error");
    case TransferOutcome::BadAnswer: return tr("Bad answer");
    case TransferOutcome::NetworkError: return tr("Network error");
    case TransferOutcome::CircuitOpen: return tr("Circuit open");
    case TransferOutcome::RateLimited: return tr("Rate limited");
    case TransferOutcome::NoIdSync: return tr("No ID sync");
    }
    return {};
}

QString outcomeDescription(TransferOutcome outcome)
{
    switch (outcome) {
    case TransferOutcome::Ok: return tr("The partner answered in time with segments.");
    case TransferOutcome::Empty: return tr("The partner answered in time without segments.");
    case TransferOutcome::Skipped:
        return tr("Not called: less than the partner's minimum budget was left.");
    case TransferOutcome::Timeout:
        return tr("No answer before the deadline or the partner's timeout.");
    case TransferOutcome::Late:
        return tr("Answered after the deadline: applied for the visitor's next call.");
    case TransferOutcome::HttpError: return tr("The partner answered with an error status.");
    case TransferOutcome::BadAnswer:
        return tr("The answer could not be used: unparsable, too large or bad codes.");
    case TransferOutcome::NetworkError:
        return tr("The connection failed: refused, reset, DNS or TLS.");
    case TransferOutcome::CircuitOpen: return tr("Not called: the partner's breaker is open.");
    case TransferOutcome::RateLimited:
        return tr("Not called: the partner's maximum rate was reached.");
    case TransferOutcome::NoIdSync:
        return tr("Not called: the partner needs a synced ID the visitor lacks.");
    }
    return {};
}

QIcon outcomeIcon(TransferOutcome outcome)
{
    return StatusIcons::icon(glyphOf(outcome), toneOf(groupOf(outcome)));
}

QColor outcomeColour(TransferOutcome outcome)
{
    return StatusIcons::colour(toneOf(groupOf(outcome)));
}

QString formatTime(qint64 msSinceEpoch)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(msSinceEpoch);
    if (time.date() == QDate::currentDate())
        return time.toString(QStringLiteral("HH:mm:ss.zzz"));
    return time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QString formatMs(qint64 micros)
{
    return tr("%1 ms").arg(micros / 1000.0, 0, 'f', micros < 10'000 ? 2 : 1);
}

namespace {

QString codesText(const TransferRecord &record)
{
    if (record.codes.isEmpty() && record.unsegments.isEmpty())
        return {};
    QStringList parts;
    parts.reserve(record.codes.size() + record.unsegments.size());
    for (const QString &code : record.codes)
        parts.append(record.unmappedCodes.contains(code) ? code + u'*' : code);
    for (const QString &code : record.unsegments)
        parts.append(u'-' + code);
    return parts.join(u", ");
}

QString partnerText(const TransferRecord &record)
{
    QString text = record.partnerName.isEmpty() ? tr("DPID %1").arg(record.dpid)
                                                : record.partnerName;
    if (record.shadow)
        text += tr(" (shadow)");
    return text;
}

QString budgetText(const TransferRecord &record)
{
    if (record.budgetMs <= 0)
        return tr("— / %1 ms").arg(record.deadlineMs);
    return tr("%1 / %2 ms").arg(record.budgetMs).arg(record.deadlineMs);
}

} // namespace

QVariant data(const TransferRecord &record, int column, int role)
{
    if (role == OutcomeRole)
        return int(record.outcome);
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Time: return formatTime(record.startMs);
        case Tid: return record.tid;
        case Visitor: return record.uuid;
        case Partner: return partnerText(record);
        case Outcome: return outcomeLabel(record.outcome);
        case Budget: return budgetText(record);
        case Latency:
            return transferOutcomeNotCalled(record.outcome) ? QString()
                                                            : formatMs(record.totalUs);
        case Codes: return codesText(record);
        }
        break;
    case SortRole:
        switch (column) {
        case Time: return record.startMs;
        case Tid: return record.tid;
        case Visitor: return record.uuid;
        case Partner: return partnerText(record);
        case Outcome: return int(record.outcome);
        case Budget: return record.budgetMs;
        case Latency: return record.totalUs;
        case Codes: return int(record.codes.size());
        }
        break;
    case Qt::DecorationRole:
        if (column == Outcome)
            return outcomeIcon(record.outcome);
        break;
    case Qt::ToolTipRole:
        switch (column) {
        case Outcome:
            return record.reason.isEmpty()
                       ? outcomeDescription(record.outcome)
                       : outcomeDescription(record.outcome) + u'\n' + record.reason;
        case Partner: return tr("%1, DPID %2").arg(partnerText(record)).arg(record.dpid);
        case Time:
            return QDateTime::fromMSecsSinceEpoch(record.startMs)
                .toString(Qt::ISODateWithMs);
        case Codes:
            if (!record.unmappedCodes.isEmpty())
                return tr("Unmapped (no onboarded trait): %1")
                    .arg(record.unmappedCodes.join(u", "));
            break;
        }
        break;
    case Qt::TextAlignmentRole:
        if (column == Budget || column == Latency)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::AccessibleTextRole:
        if (column == Outcome)
            return outcomeLabel(record.outcome);
        break;
    }
    return {};
}

} // namespace Dcs::TransferColumns
