#include "realization.h"

namespace Dcs {

qint64 realizationExpiryMs(qint64 timeMs, int ttlDays)
{
    if (ttlDays <= 0)
        return Realization::Never;
    // Floor division: times before 1970 still fall on the day that contains them.
    qint64 day = timeMs / MsPerDay;
    if (timeMs % MsPerDay < 0)
        --day;
    const qint64 expiryDay = day + qint64(ttlDays) + 1;
    if (expiryDay > Realization::Never / MsPerDay)
        return Realization::Never;
    return expiryDay * MsPerDay;
}

} // namespace Dcs
