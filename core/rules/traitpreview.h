#pragma once

#include "dcs/signaldecoder.h"
#include "rules/rulediagnostic.h"
#include "rules/traitrule.h"

#include <QByteArrayList>
#include <QByteArrayView>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QThreadPool>

#include <array>
#include <atomic>
#include <functional>
#include <memory>

namespace Dcs {

class Storage;

// "Preview while editing" for a draft trait rule (rules.md): how many unique visitors the rule
// would have qualified over the stored event log in the last 1, 7, 14, 30, 60 and 90 days.
//
// One pass over the events of [nowMs - 90 days, nowMs] in ts_ms order (events_by_time): each
// row's signals are parsed (only the keys the rule reads), the compiled rule evaluated, and per
// visitor the latest matching time kept; a visitor counts in window N when that time is at or
// after nowMs - N days (inclusive, like a segment's `<= ND`). Stored signals never hold p_ keys
// (the listener strips them), and `ic` reads as absent: partner codes are not in the log.
//
// The sampled estimate (first, on a large log). Sampling events would not do: a visitor with
// 50 events is far likelier to be seen than one with a single event, so the distinct count of
// a sample of events has no simple relation to the true distinct count. Instead VISITORS are
// sampled: a visitor is in the sample when a fixed 64-bit hash of its uuid is 0 modulo M
// (M = 16 by default), and ALL its events in the window are evaluated. The number x of sampled
// visitors who qualify in a window is then Binomial(N, p = 1/M), N being the true count, and
// N^ = M * x is unbiased. The 95% interval is the score (Wilson-style) interval for N: every N
// with |x - N p| <= 1.96 sqrt(N p (1 - p)), the roots of a quadratic in N. Unlike
// M*x +- 1.96 M sqrt(x(1-p)) it is not [0, 0] when x is 0 (it is then [0, 57] for M = 16).
// The hash stands in for a random draw: uuids are not chosen with the hash in mind, so the
// sample is as good as random, and the same visitors are sampled on every run (stable numbers
// while the analyst types).

inline constexpr std::array<int, 6> PreviewWindowDays{1, 7, 14, 30, 60, 90};

struct PreviewWindowCount
{
    int days = 0;
    qint64 visitors = 0; // exact, or the estimate rounded
    qint64 low = 0;      // 95% interval; low == high == visitors when exact
    qint64 high = 0;
    qint64 sampledVisitors = 0; // sampled: x, the qualifying visitors of the sample

    friend bool operator==(const PreviewWindowCount &, const PreviewWindowCount &) = default;
};

struct TraitPreviewResult
{
    enum class Status : quint8 { Done, Cancelled, InvalidRule, Failed };

    Status status = Status::Done;
    quint64 generation = 0; // TraitPreviewJob::start()'s ticket
    bool sampled = false;
    int sampleModulus = 1;
    std::array<PreviewWindowCount, PreviewWindowDays.size()> windows{};
    qint64 eventsRead = 0;      // rows stepped
    qint64 eventsEvaluated = 0; // rows the rule ran on (sampled: only the sample's)
    qint64 eventsMatched = 0;
    QList<RuleDiagnostic> diagnostics; // InvalidRule
    QString error;                     // Failed

    bool ok() const { return status == Status::Done; }
};

struct TraitPreviewOptions
{
    int sampleModulus = 1; // 1: exact; M > 1: visitors whose uuid hash is 0 modulo M
    // Rows in the 90 days, when the caller already counted them (for progress); -1: count.
    qint64 expectedEvents = -1;
};

using PreviewProgress = std::function<void(double fraction)>;

namespace TraitPreview {

// Above this many events in the 90 days, TraitPreviewJob shows a sampled estimate first.
inline constexpr qint64 DefaultSampleThreshold = 200'000;
inline constexpr int DefaultSampleModulus = 16;

// The worker: runs on the calling thread, on `db` (that thread's connection). `progress` gets
// fractions in [0, 1] now and then; a set `cancel` stops the pass within a few thousand rows
// and answers Status::Cancelled.
TraitPreviewResult run(QSqlDatabase db, const CompiledTraitRule &rule, qint64 nowMs,
                       const TraitPreviewOptions &options = {},
                       const PreviewProgress &progress = {},
                       const std::atomic<bool> *cancel = nullptr);
// The same from rule text: InvalidRule with the diagnostics when it does not compile.
TraitPreviewResult run(QSqlDatabase db, QStringView ruleText, qint64 nowMs,
                       const TraitPreviewOptions &options = {},
                       const PreviewProgress &progress = {},
                       const std::atomic<bool> *cancel = nullptr);

// Whether the visitor is in the sample of 1 in `modulus` (always, for modulus <= 1).
bool isSampled(QByteArrayView uuid, int modulus);

// The estimate and 95% score interval of N from x sampled visitors at 1 in `modulus`.
PreviewWindowCount estimate(int days, qint64 sampledVisitors, int modulus);

// Parses the stored shape {"key":["v1","v2"],...} without building a JSON document, keeping
// only `wantedKeys` (all keys when null). False when the text strays from that shape (escapes,
// non-string values, whitespace aside): parseSignalsJson() then falls back to QJsonDocument.
bool parseSignalsFast(QByteArrayView json, const QByteArrayList *wantedKeys,
                      QList<Signal> *out);
// Fast path, else QJsonDocument; a row that is not a JSON object reads as no signals.
void parseSignalsJson(QByteArrayView json, const QByteArrayList *wantedKeys, QList<Signal> *out);

} // namespace TraitPreview

// Runs previews off the GUI thread for the trait editor. Each start() supersedes the previous
// run: that one is cancelled, and any result it still delivers is dropped (its generation is no
// longer current), so only the figures of the text on screen ever arrive. With more than
// sampleThreshold() events in 90 days, estimated() comes first, then finished() with the exact
// figures. The Storage must outlive the job; the destructor cancels and waits for the worker.
class TraitPreviewJob final : public QObject
{
    Q_OBJECT

public:
    explicit TraitPreviewJob(Storage &storage, QObject *parent = nullptr);
    ~TraitPreviewJob() override;

    // Returns the generation that the results of this run will carry.
    quint64 start(const QString &ruleText, qint64 nowMs);
    void cancel(); // the current run stops; it emits nothing more
    bool isRunning() const;
    quint64 generation() const { return m_generation; }

    void setSampleThreshold(qint64 events) { m_sampleThreshold = events; }
    qint64 sampleThreshold() const { return m_sampleThreshold; }
    void setSampleModulus(int modulus) { m_sampleModulus = modulus; }

Q_SIGNALS:
    void progress(double fraction);
    void estimated(const Dcs::TraitPreviewResult &result);
    void finished(const Dcs::TraitPreviewResult &result);

private:
    void deliver(const TraitPreviewResult &result, bool final);

    Storage &m_storage;
    QThreadPool m_pool; // one thread: a superseded run exits before the next starts
    quint64 m_generation = 0;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    qint64 m_sampleThreshold = TraitPreview::DefaultSampleThreshold;
    int m_sampleModulus = TraitPreview::DefaultSampleModulus;
};

} // namespace Dcs

Q_DECLARE_METATYPE(Dcs::TraitPreviewResult)
