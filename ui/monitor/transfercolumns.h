#pragma once

#include "transfer/transferrecord.h"

#include <QColor>
#include <QIcon>
#include <QString>
#include <QVariant>

namespace Dcs {

// The columns every table of partner attempts shows (live monitor, history, onboarding calls),
// and how a TransferRecord fills them: one definition, so the tables read the same everywhere.
namespace TransferColumns {

enum Column { Time, Tid, Visitor, Partner, Outcome, Budget, Latency, Codes, Count };

// Role carrying a value to sort by (numbers as numbers, times as ms since the epoch).
inline constexpr int SortRole = Qt::UserRole + 40;
// Role carrying the record's outcome as an int (TransferOutcome), on every column.
inline constexpr int OutcomeRole = Qt::UserRole + 41;

QString header(int column);
QString headerToolTip(int column);
// Display, ToolTip, Decoration (the outcome's icon), TextAlignment, SortRole, OutcomeRole,
// AccessibleTextRole for the outcome column. Invalid for other roles.
QVariant data(const TransferRecord &record, int column, int role);

// "OK", "Timeout", ... for people (the stored names stay transferOutcomeName()).
QString outcomeLabel(TransferOutcome outcome);
// One sentence on what the outcome means, for tooltips.
QString outcomeDescription(TransferOutcome outcome);
// A small icon whose shape says the outcome's group, so colour is never the only cue:
// check in a disc (ok), ring (empty), dash in a square (not called), clock (timeout, late),
// exclamation in a triangle (errors).
QIcon outcomeIcon(TransferOutcome outcome);
// The colour of the outcome's group, as in its icon: a mid-tone that reads on light and dark
// backgrounds (the live charts draw each outcome group in it).
QColor outcomeColour(TransferOutcome outcome);

// "12:03:04.567" in local time (the day too when not today).
QString formatTime(qint64 msSinceEpoch);
// "42.1 ms" from microseconds.
QString formatMs(qint64 micros);

} // namespace TransferColumns
} // namespace Dcs
