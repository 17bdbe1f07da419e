#include "reports.h"

namespace Dcs::Reports {

bool traitReport(QSqlDatabase db, const RulesSnapshot &rules, qint64 traitSid, qint64 nowMs,
                 TraitReport *report, QString *error)
{
    const RulesSnapshot::TraitEntry *entry = rules.trait(traitSid);
    QList<qint64> sids;
    if (entry && entry->type == Trait::Type::Folder) {
        const std::span<const qint64> members = rules.folderMembers(traitSid);
        for (const qint64 member : members)
            sids.append(member);
    } else {
        sids.append(traitSid);
    }
    return ReportStore::traitReport(db, sids, nowMs, report, error);
}

} // namespace Dcs::Reports
