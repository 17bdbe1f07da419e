#pragma once

#include <QByteArray>
#include <QLatin1StringView>
#include <QString>
#include <QStringList>

#include <optional>

namespace Dcs {

// The outcome of one partner attempt (partner-protocol.md, "Outcomes"): exactly one per attempt.
enum class TransferOutcome : quint8 {
    Ok,           // segments received
    Empty,        // 204, or an answer without segments
    Skipped,      // not called: less than the partner's min budget left before the deadline
    Timeout,      // the deadline or the partner's timeout reached before an answer
    Late,         // answered after the deadline: stored and applied for the next call
    HttpError,    // a status other than 200/204
    BadAnswer,    // unparsable, over 64 KiB, or bad codes (reason says which)
    NetworkError, // refused, reset, DNS, TLS (reason says which)
    CircuitOpen,  // not called: the partner's breaker is open
    RateLimited,  // not called: over the partner's max rate
    NoIdSync,     // not called: the partner needs a synced ID the visitor lacks
};
inline constexpr int TransferOutcomeCount = int(TransferOutcome::NoIdSync) + 1;

// "ok", "empty", "skipped", "timeout", "late", "http-error", "bad-answer", "network-error",
// "circuit-open", "rate-limited", "no-id-sync": the spec's names, used in storage and exports.
QLatin1StringView transferOutcomeName(TransferOutcome outcome);
std::optional<TransferOutcome> transferOutcomeFromName(QStringView name);
// True for the outcomes where no request was sent.
bool transferOutcomeNotCalled(TransferOutcome outcome);
// True for the outcomes the circuit breaker counts as the partner's failure.
bool transferOutcomeIsFailure(TransferOutcome outcome);

// Where the time of one attempt went, in microseconds from the attempt's start (when the engine
// decided to call). -1: the phase was not reached (or does not apply: TLS on http://).
struct TransferTimings
{
    qint32 queueUs = -1;     // waited for a connection or an in-flight slot
    qint32 connectUs = -1;   // TCP connected (a reused keep-alive connection: equal to queueUs)
    qint32 tlsUs = -1;       // TLS handshake done
    qint32 sentUs = -1;      // request written to the socket
    qint32 firstByteUs = -1; // first byte of the answer
    qint32 lastByteUs = -1;  // answer complete
    qint32 parseUs = -1;     // answer parsed and classified

    friend bool operator==(const TransferTimings &, const TransferTimings &) = default;
};

// One partner attempt as the engine records it: what the transfer log stores, the monitor feed
// holds and the GUI shows. Never holds a secret (signatures are masked in requestText).
struct TransferRecord
{
    qint64 sequence = 0; // set by the monitor feed: increasing, never reused in one run
    qint64 eventId = 0;  // the /event row; 0 for onboarding test calls
    qint64 startMs = 0;  // wall clock, ms since the epoch
    QString tid;
    QString uuid;
    qint64 partnerId = 0;
    qint64 dpid = 0;
    QString partnerName;
    bool shadow = false;
    int deadlineMs = 0; // the /event's deadline
    int budgetMs = 0;   // tmax sent to the partner (0 when not called)
    TransferOutcome outcome = TransferOutcome::Skipped;
    QString reason; // for people: why this outcome ("connection refused", "status 503", ...)
    int httpStatus = 0;
    QStringList codes;         // segment codes received (valid ones)
    QStringList unsegments;    // codes the visitor left
    QStringList unmappedCodes; // codes with no onboarded trait (subset of codes)
    std::optional<int> ttlDays;
    TransferTimings timings;
    qint32 totalUs = 0; // start to outcome
    bool lateApplied = false; // a late answer's codes were applied afterwards
    // Sampled (always for onboarding tests): the request as sent, signature masked, and the
    // answer's status line, headers and body (bounded).
    QByteArray requestText;
    QByteArray responseText;
    qint64 testRunId = 0; // onboarding run, 0 for live traffic
};

} // namespace Dcs
