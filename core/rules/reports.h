#pragma once

#include "rules/rulesnapshot.h"
#include "storage/reportstore.h"

#include <QSqlDatabase>
#include <QString>

namespace Dcs::Reports {

// A trait's report (ReportStore::traitReport). A folder trait is the union of its members,
// as the rules engine sees it: a visitor counts once, every member realization is counted.
// A sid the snapshot lacks (a refused trait) is reported on its own stored realizations.
bool traitReport(QSqlDatabase db, const RulesSnapshot &rules, qint64 traitSid, qint64 nowMs,
                 TraitReport *report, QString *error);

} // namespace Dcs::Reports
