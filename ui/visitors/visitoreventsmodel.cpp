#include "visitoreventsmodel.h"

#include "monitor/transfercolumns.h"
#include "rules/visitorexplain.h"

#include <QJsonArray>
#include <QStringList>

namespace Dcs {

namespace {

QString idsText(const QJsonArray &ids)
{
    QStringList parts;
    for (const QJsonValue &id : ids)
        parts.append(QString::number(id.toInteger()));
    return parts.join(QStringLiteral(", "));
}

} // namespace

VisitorEventsModel::VisitorEventsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void VisitorEventsModel::setEvents(const QList<EventRecord> &events)
{
    beginResetModel();
    m_events = events;
    endResetModel();
}

EventRecord VisitorEventsModel::event(int row) const
{
    return row >= 0 && row < m_events.size() ? m_events.at(row) : EventRecord();
}

int VisitorEventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int VisitorEventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString VisitorEventsModel::signalsText(const EventRecord &event)
{
    QStringList parts;
    for (auto it = event.signalValues.constBegin(); it != event.signalValues.constEnd(); ++it) {
        QStringList values;
        for (const QJsonValue &value : it.value().toArray())
            values.append(value.toString());
        parts.append(it.key() + u'=' + values.join(u'|'));
    }
    return parts.join(QStringLiteral(", "));
}

QVariant VisitorEventsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EventRecord &event = m_events.at(index.row());
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole || role == SortRole) {
        switch (index.column()) {
        case Time:
            if (role == SortRole)
                return event.timeMs;
            return role == Qt::ToolTipRole ? explainTime(event.timeMs)
                                           : TransferColumns::formatTime(event.timeMs);
        case Tid: return event.tid;
        case Signals: return signalsText(event);
        case Traits: return idsText(event.realizedTraits);
        case Segments: return idsText(event.segmentsHeld);
        default: break;
        }
    }
    return {};
}

QVariant VisitorEventsModel::headerData(int section, Qt::Orientation orientation,
                                        int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Time: return tr("Time");
        case Tid: return tr("tid");
        case Signals: return tr("Signals");
        case Traits: return tr("Traits realized");
        case Segments: return tr("Segments held");
        default: break;
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Time: return tr("When the call arrived (local time)");
        case Tid: return tr("The call's transaction ID");
        case Signals: return tr("The signals stored with the call (never p_ keys)");
        case Traits: return tr("The traits this call realized");
        case Segments: return tr("The segments the visitor held after this call");
        default: break;
        }
    }
    return {};
}

} // namespace Dcs
