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

class Storage;

class EventLog
{
public:
    explicit EventLog(Storage &storage) : m_storage(storage) {}

    // Queues the record on the writer; `onDone` runs after its batch commits (group commit).
    quint64 append(const EventRecord &record, WriteCallback onDone = {});

    std::optional<EventRecord> byTid(const QString &tid) const;
    QList<EventRecord> forVisitor(const QString &uuid, int limit = 100) const; // newest first
    qint64 count() const;

    static bool write(WriteContext &context, const EventRecord &record, QString *error);

private:
    Storage &m_storage;
};

} // namespace Dcs
