#pragma once

#include <QHostAddress>
#include <QList>

#include <memory>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace Dcs {

struct TrafficShared;
class TrafficWorker;

// What the generated visitors do. The defaults make a plausible mix for the demo; the page
// signals come from a small shop-and-magazine catalogue (trafficgenerator.cpp) that the demo
// workspace's rule traits are written against.
struct TrafficProfile
{
    // Data sources whose IDs visitors declare (d_cid=DPID%01ID) and sync (/ibs). None: no IDs.
    QList<qint64> idSyncDpids;
    double returningShare = 0.7;   // calls from a visitor seen before (the others are new)
    double cookieShare = 0.8;      // of those, known by the demdex cookie; the rest by d_uuid
    double partnerIdShare = 0.3;   // new visitors who have an ID at one of idSyncDpids
    double declaredIdShare = 0.25; // their /event calls that declare it with d_cid
    double idSyncShare = 0.02;     // their calls that are an /ibs ID sync instead of an /event
    int visitorPool = 5000;        // returning visitors remembered (then replaced at random)
    quint64 seed = 0;              // 0: a different mix every run
};

// Realistic traffic for a running DCS: /event calls (d_rtbd=json, d_cts=1, c_ page signals,
// browser headers) and occasional /ibs ID syncs from new and returning visitors, over real
// loopback HTTP on keep-alive connections, at a rate that can change while it runs. Everything
// happens on a thread of its own, so the GUI thread never waits on it; the control functions
// and counters() may be called from the thread that owns the generator at any time.
//
// One request at a time per connection (no pipelining): a call that finds every connection
// busy opens another one, up to kMaxConnections, and beyond that is counted as not sent rather
// than queued, so a DCS slower than the rate is shown, not hidden by a growing backlog.
class TrafficGenerator final
{
public:
    static constexpr double kMaxRate = 5000;     // calls per second
    static constexpr double kDefaultRate = 20;
    static constexpr int kMaxConnections = 512;
    static constexpr int kAnswerTimeoutMs = 10000; // then the call is an error

    struct Counters
    {
        quint64 sent = 0;     // requests written (events and ID syncs)
        quint64 idSyncs = 0;  // of those, /ibs calls
        quint64 answered = 0; // answers with a status below 400
        quint64 errors = 0;   // an error status, a refused or lost connection, or no answer
        quint64 notSent = 0;  // due while all kMaxConnections were busy
        int openConnections = 0;
    };

    explicit TrafficGenerator(TrafficProfile profile = {});
    ~TrafficGenerator();

    TrafficGenerator(const TrafficGenerator &) = delete;
    TrafficGenerator &operator=(const TrafficGenerator &) = delete;

    // Starts sending to the DCS listening at `address`:`port` (an "any" address means this
    // host's loopback). A running generator is stopped first. Counters carry on.
    void start(const QHostAddress &address, quint16 port);
    // Stops the thread; calls still in flight are dropped uncounted.
    void stop();
    bool isRunning() const { return m_worker != nullptr; }

    // Calls per second, clamped to 0..kMaxRate; applies from the next tick (a few ms).
    void setRate(double callsPerSecond);
    double rate() const;
    void setPaused(bool paused);
    bool isPaused() const;

    Counters counters() const;

private:
    void wakeWorker();

    const TrafficProfile m_profile;
    const std::shared_ptr<TrafficShared> m_shared; // settings in, counters out
    std::unique_ptr<QThread> m_thread;
    TrafficWorker *m_worker = nullptr; // lives on m_thread; deleted when it finishes
};

} // namespace Dcs
