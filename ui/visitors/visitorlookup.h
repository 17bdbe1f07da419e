#pragma once

#include "rules/visitorexplain.h"
#include "storage/eventlog.h"
#include "transfer/transferrecord.h"

#include <QHash>
#include <QList>
#include <QString>

namespace Dcs {

class Storage;

// What the visitors page looks a visitor up by, read from what the user typed:
// - a UUID: 38 digits;
// - a tid: the 12 characters an /event answer carries;
// - a declared ID: "<DPID>:<ID>", d_cid's own "<DPID>%01<ID>", or "<integration code>:<ID>"
//   (d_cid_ic's form); an authentication state after a second separator is ignored.
struct VisitorQuery
{
    enum class Kind : quint8 { Invalid, Uuid, Tid, DeclaredId };

    Kind kind = Kind::Invalid;
    QString text;            // as typed, trimmed
    qint64 dpid = 0;         // DeclaredId named by its data source
    QString integrationCode; // DeclaredId named by its partner's integration code instead
    QString id;              // DeclaredId

    static VisitorQuery parse(const QString &text);
};

// Everything the explain view shows of one visitor, read in one go off the GUI thread.
struct VisitorLookupResult
{
    VisitorQuery query;
    QString uuid;  // empty when the query named nobody
    QString error; // why nobody was found, or the database error
    VisitorExplanation explanation;
    QList<EventRecord> events;          // newest first
    QList<TransferRecord> partnerCalls; // those events' partner attempts, newest first
    QHash<qint64, QString> traitNames;  // every trait, for rule parts naming one not held
};

inline constexpr int DefaultVisitorEventLimit = 50;

// Resolves `query` to a UUID and explains that visitor against `rules` at `nowMs`, with its
// most recent events and their partner calls. Runs on the calling thread's read connection.
VisitorLookupResult lookUpVisitor(Storage &storage, const RulesSnapshot &rules,
                                  const VisitorQuery &query, qint64 nowMs,
                                  int eventLimit = DefaultVisitorEventLimit);

} // namespace Dcs
