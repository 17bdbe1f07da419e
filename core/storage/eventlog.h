#pragma once

#include "storagewriter.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace Dcs {

// One accepted /event call as stored in the event log (dcs-api.md, "What is stored per event").
// `signals` never holds p_ keys: the listener strips them before a record is made.
struct EventRecord
{
    qint64 id = 0;
    qint64 timeMs = 0;
    QString tid;
    QString uuid;
    QJsonObject signalValues; // key -> array of values
    QString referer;
    QString clientIp;
    QJsonArray declaredIds;
    QJsonArray realizedTraits;
    QJsonArray realizedSegments;
    QJsonArray segmentsHeld;
    QJsonArray errors;
};

// An EventRecord ready for the writer: every column already UTF-8 and the JSON columns
// serialized, so the single writer thread only binds and steps (the caller's thread pays the
// conversions).
struct EventRow
{
    qint64 id = 0; // 0 = the next row ID
    qint64 timeMs = 0;
    QByteArray tid;
    QByteArray uuid;
    QByteArray signalValues;
    QByteArray referer;
    QByteArray clientIp;
    QByteArray declaredIds;
    QByteArray realizedTraits;
    QByteArray realizedSegments;
    QByteArray segmentsHeld;
    QByteArray errors;

    static EventRow from(const EventRecord &record);
};

class Storage;

class EventLog
{
public:
    explicit EventLog(Storage &storage) : m_storage(storage) {}

    // Queues the record on the writer; `onDone` runs after its batch commits (group commit).
    // A record without an ID gets one (and a tid, if it has none) from EventIds.
    quint64 append(const EventRecord &record, WriteCallback onDone = {});

    std::optional<EventRecord> byTid(const QString &tid) const;
    QList<EventRecord> forVisitor(const QString &uuid, int limit = 100) const; // newest first
    qint64 count() const;

    static bool write(WriteContext &context, const EventRow &row, QString *error);
    static bool write(WriteContext &context, const EventRecord &record, QString *error)
    {
        return write(context, EventRow::from(record), error);
    }

private:
    Storage &m_storage;
};

} // namespace Dcs
