#pragma once

#include "commandline.h"

#include <QList>
#include <QString>

#include <optional>

namespace Dcs {

struct Partner;
struct TransferRecord;

// --test-partner NAME [--calls N] [--rate R]: one onboarding test (partner-protocol.md,
// "Onboarding test") against a registered partner, without a window and without the listener.
// Imports --import first, prints one line per call and the report, and stores the run like the
// GUI does. Returns 0 when no check failed; 1 when one did, the run was cancelled (SIGINT or
// SIGTERM) or the partner is unknown. Must be called with a QCoreApplication alive.
int runTestPartnerCommand(const CommandLineOptions &options);

// The partner named `nameOrDpid` exactly (names are case-sensitive), else the one whose DPID it
// is, else nullopt.
std::optional<Partner> findPartnerByNameOrDpid(const QList<Partner> &partners,
                                               const QString &nameOrDpid);

// One call of a run on one line: index (from 1), outcome, HTTP status, total ms, codes, reason;
// in columns under compactCallHeader().
QString compactCallLine(int index, const TransferRecord &record);
QString compactCallHeader();

} // namespace Dcs
