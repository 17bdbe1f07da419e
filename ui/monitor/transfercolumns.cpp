#include "transfercolumns.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

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

// Mid-tone colours that read on light and dark backgrounds alike; the shape carries the meaning.
QColor colourOf(OutcomeGroup group)
{
    switch (group) {
    case OutcomeGroup::Answered: return QColor(0x2e, 0x9d, 0x4f);
    case OutcomeGroup::Empty: return QColor(0x6f, 0x8f, 0xaf);
    case OutcomeGroup::NotCalled: return QColor(0x8a, 0x8a, 0x8a);
    case OutcomeGroup::Slow: return QColor(0xe0, 0x8a, 0x1e);
    case OutcomeGroup::Failed: return QColor(0xd6, 0x3b, 0x3b);
    }
    return Qt::gray;
}

QPixmap drawOutcome(OutcomeGroup group, bool late, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor colour = colourOf(group);
    const qreal s = size;
    const QRectF box(s * 0.1, s * 0.1, s * 0.8, s * 0.8);
    QPen mark(Qt::white, qMax(1.5, s * 0.12), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    switch (group) {
    case OutcomeGroup::Answered: {
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawEllipse(box);
        painter.setPen(mark);
        QPainterPath tick;
        tick.moveTo(s * 0.3, s * 0.52);
        tick.lineTo(s * 0.44, s * 0.66);
        tick.lineTo(s * 0.7, s * 0.36);
        painter.drawPath(tick);
        break;
    }
    case OutcomeGroup::Empty:
        painter.setPen(QPen(colour, qMax(1.5, s * 0.12)));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(box.adjusted(s * 0.06, s * 0.06, -s * 0.06, -s * 0.06));
        break;
    case OutcomeGroup::NotCalled:
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawRoundedRect(box, s * 0.12, s * 0.12);
        painter.setPen(mark);
        painter.drawLine(QPointF(s * 0.3, s * 0.5), QPointF(s * 0.7, s * 0.5));
        break;
    case OutcomeGroup::Slow: {
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawEllipse(box);
        painter.setPen(mark);
        painter.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.5, s * 0.26));
        painter.drawLine(QPointF(s * 0.5, s * 0.5), late ? QPointF(s * 0.7, s * 0.62)
                                                         : QPointF(s * 0.68, s * 0.5));
        break;
    }
    case OutcomeGroup::Failed: {
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        QPainterPath triangle;
        triangle.moveTo(s * 0.5, s * 0.06);
        triangle.lineTo(s * 0.96, s * 0.9);
        triangle.lineTo(s * 0.04, s * 0.9);
        triangle.closeSubpath();
        painter.drawPath(triangle);
        painter.setPen(mark);
        painter.drawLine(QPointF(s * 0.5, s * 0.36), QPointF(s * 0.5, s * 0.6));
        painter.drawPoint(QPointF(s * 0.5, s * 0.76));
        break;
    }
    }
    return pixmap;
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
    static QHash<int, QIcon> cache; // GUI thread only
    const auto found = cache.constFind(int(outcome));
    if (found != cache.constEnd())
        return *found;
    QIcon icon;
    for (int size : {16, 24, 32})
        icon.addPixmap(drawOutcome(groupOf(outcome), outcome == TransferOutcome::Late, size));
    cache.insert(int(outcome), icon);
    return icon;
}

QColor outcomeColour(TransferOutcome outcome)
{
    return colourOf(groupOf(outcome));
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
