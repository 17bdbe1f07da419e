#pragma once

#include "partnerlivestats.h"
#include "timeseries.h"
#include "transferfeed.h"

namespace Dcs {

// What the engine reports and the GUI polls (architecture.md, "Data flow"): one object shared by
// both, owning the transfers table's feed, the partner health strip's statistics and the charts'
// series. Every member is thread-safe; nothing here blocks the engine for longer than a copy of
// one record (see each class for how).
//
// The engine calls recordTransfer() once per attempt (when its outcome is known, late answers
// included) and recordEvent() once per answered /event; it reports in-flight counts and breaker
// changes through partners(). The GUI, on its 10-20 Hz timer, calls transfers().since(),
// partners().snapshot() and the series' points(), passing the wall clock where asked.
class MonitorFeed
{
public:
    explicit MonitorFeed(int transferCapacity = TransferFeed::kDefaultCapacity);
    Q_DISABLE_COPY_MOVE(MonitorFeed)

    // Stores the attempt in the transfers feed and returns its sequence. Live attempts also count
    // in the partner statistics and the series, at the time their outcome became known
    // (startMs + totalUs); onboarding test calls (testRunId != 0) go to the feed only, so that
    // testing a partner never shows up as its live traffic.
    qint64 recordTransfer(TransferRecord record);

    // One answered /event and the visitor's latency, at the current time or at nowMs.
    void recordEvent(qint64 latencyUs);
    void recordEvent(qint64 latencyUs, qint64 nowMs);

    // Forgets a partner's statistics and series (its records stay in the feed until overwritten).
    void removePartner(qint64 partnerId);

    TransferFeed &transfers() { return m_transfers; }
    const TransferFeed &transfers() const { return m_transfers; }
    PartnerLiveStats &partners() { return m_partners; }
    const PartnerLiveStats &partners() const { return m_partners; }
    MonitorSeries &series() { return m_series; }
    const MonitorSeries &series() const { return m_series; }

    // The wall clock in ms since the epoch: the time base of every nowMs in the monitor.
    static qint64 currentTimeMs();

private:
    TransferFeed m_transfers;
    PartnerLiveStats m_partners;
    MonitorSeries m_series;
};

} // namespace Dcs
