#include "monitorfeed.h"

#include <QDateTime>

namespace Dcs {

MonitorFeed::MonitorFeed(int transferCapacity) : m_transfers(transferCapacity) {}

qint64 MonitorFeed::recordTransfer(TransferRecord record)
{
    if (record.testRunId == 0) {
        const qint64 outcomeMs = record.startMs + record.totalUs / 1000;
        m_partners.recordAttempt(record.partnerId, record.dpid, record.partnerName,
                                 record.outcome, record.totalUs, outcomeMs);
        m_series.recordTransfer(record.partnerId, record.outcome, record.totalUs, outcomeMs);
    }
    return m_transfers.append(std::move(record));
}

void MonitorFeed::recordEvent(qint64 latencyUs)
{
    m_series.recordEvent(latencyUs, currentTimeMs());
}

void MonitorFeed::recordEvent(qint64 latencyUs, qint64 nowMs)
{
    m_series.recordEvent(latencyUs, nowMs);
}

void MonitorFeed::removePartner(qint64 partnerId)
{
    m_partners.removePartner(partnerId);
    m_series.removePartner(partnerId);
}

qint64 MonitorFeed::currentTimeMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace Dcs
