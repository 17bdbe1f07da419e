#include "rules/traitpreview.h"

#include "common/bitmix.h"
#include "rules/realization.h"
#include "rules/rulesignals.h"
#include "storage/previewstore.h"
#include "storage/storage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaObject>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <unordered_map>

namespace Dcs {

namespace {

constexpr qint64 RowsPerCheck = 4096; // how often the pass looks at the cancel flag
constexpr double Z95 = 1.959963984540054;

// Heterogeneous lookup: a row's uuid is looked up as a view into SQLite's
// buffer, and copied only when the visitor is first seen matching.
struct ViewHash
{
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using LatestMatchByVisitor = std::unordered_map<std::string, qint64, ViewHash, std::equal_to<>>;

quint64 uuidHash(QByteArrayView uuid)
{
    // FNV-1a, then the splitmix64 finalizer so the low bits (taken modulo M) are
    // well mixed.
    quint64 hash = 14695981039346656037ULL;
    for (const char c : uuid) {
        hash ^= quint8(c);
        hash *= 1099511628211ULL;
    }
    return splitMix64(hash);
}

class JsonCursor
{
public:
    explicit JsonCursor(QByteArrayView json) : m_at(json.data()), m_end(json.data() + json.size())
    {}

    void skipSpace()
    {
        while (m_at != m_end && (*m_at == ' ' || *m_at == '\n' || *m_at == '\r' || *m_at == '\t'))
            ++m_at;
    }
    bool take(char c)
    {
        skipSpace();
        if (m_at == m_end || *m_at != c)
            return false;
        ++m_at;
        return true;
    }
    bool atEnd()
    {
        skipSpace();
        return m_at == m_end;
    }
    // A string without escapes: the fast path gives up on a backslash.
    bool string(QByteArrayView *text)
    {
        if (!take('"'))
            return false;
        const char *begin = m_at;
        while (m_at != m_end && *m_at != '"') {
            if (*m_at == '\\')
                return false;
            ++m_at;
        }
        if (m_at == m_end)
            return false;
        *text = QByteArrayView(begin, m_at - begin);
        ++m_at;
        return true;
    }

private:
    const char *m_at;
    const char *m_end;
};

bool wanted(const QByteArrayList *wantedKeys, QByteArrayView key)
{
    if (!wantedKeys)
        return true;
    return std::any_of(wantedKeys->cbegin(), wantedKeys->cend(),
                       [key](const QByteArray &wantedKey) { return key == wantedKey; });
}

void parseWithDocument(QByteArrayView json, const QByteArrayList *wantedKeys, QList<Signal> *out)
{
    out->clear();
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray());
    const QJsonObject object = document.object();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString key = it.key();
        if (!wanted(wantedKeys, key.toUtf8()))
            continue;
        Signal signal{key, {}};
        const QJsonArray values = it.value().toArray();
        for (const QJsonValue &value : values) {
            if (value.isString())
                signal.values.append(value.toString());
            else if (value.isDouble())
                signal.values.append(QString::number(value.toDouble(), 'g', 17));
        }
        out->append(signal);
    }
}

TraitPreviewResult failed(TraitPreviewResult result, const QString &error)
{
    result.status = TraitPreviewResult::Status::Failed;
    result.error = error;
    return result;
}

} // namespace

namespace TraitPreview {

bool isSampled(QByteArrayView uuid, int modulus)
{
    return modulus <= 1 || uuidHash(uuid) % quint64(modulus) == 0;
}

PreviewWindowCount estimate(int days, qint64 sampledVisitors, int modulus)
{
    PreviewWindowCount count;
    count.days = days;
    count.sampledVisitors = sampledVisitors;
    if (modulus <= 1) {
        count.visitors = count.low = count.high = sampledVisitors;
        return count;
    }
    const double p = 1.0 / modulus;
    const double x = double(sampledVisitors);
    // |x - N p| <= z sqrt(N p (1 - p))  <=>  p^2 N^2 - (2 x p + z^2 p (1 - p)) N
    // + x^2 <= 0
    const double b = 2 * x * p + Z95 * Z95 * p * (1 - p);
    const double root = std::sqrt(std::max(0.0, b * b - 4 * p * p * x * x));
    count.visitors = sampledVisitors * modulus;
    count.low = qint64(std::floor((b - root) / (2 * p * p)));
    count.high = qint64(std::ceil((b + root) / (2 * p * p)));
    // Every sampled visitor is a real one: the true count is at least x.
    count.low = std::max(count.low, sampledVisitors);
    return count;
}

bool parseSignalsFast(QByteArrayView json, const QByteArrayList *wantedKeys, QList<Signal> *out)
{
    out->clear();
    JsonCursor cursor(json);
    if (!cursor.take('{'))
        return false;
    if (cursor.take('}'))
        return cursor.atEnd();
    do {
        QByteArrayView key;
        if (!cursor.string(&key) || !cursor.take(':') || !cursor.take('['))
            return false;
        Signal *signal = nullptr;
        if (wanted(wantedKeys, key)) {
            out->append(Signal{QString::fromUtf8(key), {}});
            signal = &out->last();
        }
        if (!cursor.take(']')) {
            do {
                QByteArrayView value;
                if (!cursor.string(&value))
                    return false;
                if (signal)
                    signal->values.append(QString::fromUtf8(value));
            } while (cursor.take(','));
            if (!cursor.take(']'))
                return false;
        }
    } while (cursor.take(','));
    return cursor.take('}') && cursor.atEnd();
}

void parseSignalsJson(QByteArrayView json, const QByteArrayList *wantedKeys, QList<Signal> *out)
{
    if (!parseSignalsFast(json, wantedKeys, out))
        parseWithDocument(json, wantedKeys, out);
}

TraitPreviewResult run(QSqlDatabase db, const CompiledTraitRule &rule, qint64 nowMs,
                       const TraitPreviewOptions &options, const PreviewProgress &progress,
                       const std::atomic<bool> *cancel)
{
    TraitPreviewResult result;
    result.sampleModulus = std::max(1, options.sampleModulus);
    result.sampled = result.sampleModulus > 1;
    const qint64 fromMs = nowMs - qint64(PreviewWindowDays.back()) * MsPerDay;
    const auto cancelled = [cancel] { return cancel && cancel->load(std::memory_order_relaxed); };
    if (cancelled()) {
        result.status = TraitPreviewResult::Status::Cancelled;
        return result;
    }

    qint64 expected = options.expectedEvents;
    QString error;
    if (progress && expected < 0
        && !PreviewStore::countEvents(db, fromMs, nowMs, &expected, &error))
        return failed(result, error);

    // Only the keys the rule reads are materialized. `ic` never comes from stored
    // signals, and a p_ key is skipped even if an old or foreign row held one: it
    // is never shown.
    QByteArrayList wantedKeys;
    const QStringList ruleKeys = rule.keys();
    for (const QString &key : ruleKeys) {
        if (key != QLatin1String("ic") && !SignalDecoder::isPrivateKey(key))
            wantedKeys.append(key.toUtf8());
    }

    LatestMatchByVisitor latestMatch;
    RuleSignals ruleSignals;
    QList<Signal> parsed;
    bool stopped = false;
    const bool scanned = PreviewStore::scanEvents(
        db, fromMs, nowMs,
        [&](const PreviewStore::EventRowView &row) {
            if (++result.eventsRead % RowsPerCheck == 0) {
                if (cancelled()) {
                    stopped = true;
                    return false;
                }
                if (progress && expected > 0)
                    progress(std::min(1.0, double(result.eventsRead) / double(expected)));
            }
            if (result.sampled && !isSampled(row.uuid, result.sampleModulus))
                return true;
            ++result.eventsEvaluated;
            if (!wantedKeys.isEmpty()) {
                parseSignalsJson(row.signalsJson, &wantedKeys, &parsed);
                ruleSignals.setSignals(parsed);
            }
            if (!rule.matches(ruleSignals))
                return true;
            ++result.eventsMatched;
            // Rows come in ts_ms order: the last match seen is the latest.
            const std::string_view uuid(row.uuid.data(), size_t(row.uuid.size()));
            const auto found = latestMatch.find(uuid);
            if (found != latestMatch.end())
                found->second = row.timeMs;
            else
                latestMatch.emplace(std::string(uuid), row.timeMs);
            return true;
        },
        &error);
    if (!scanned)
        return failed(result, error);
    if (stopped) {
        result.status = TraitPreviewResult::Status::Cancelled;
        return result;
    }

    std::array<qint64, PreviewWindowDays.size()> counts{};
    for (const auto &[uuid, timeMs] : latestMatch) {
        for (size_t w = 0; w < PreviewWindowDays.size(); ++w) {
            if (timeMs >= nowMs - qint64(PreviewWindowDays[w]) * MsPerDay)
                ++counts[w];
        }
    }
    for (size_t w = 0; w < PreviewWindowDays.size(); ++w)
        result.windows[w] = estimate(PreviewWindowDays[w], counts[w], result.sampleModulus);
    if (progress)
        progress(1.0);
    return result;
}

TraitPreviewResult run(QSqlDatabase db, QStringView ruleText, qint64 nowMs,
                       const TraitPreviewOptions &options, const PreviewProgress &progress,
                       const std::atomic<bool> *cancel)
{
    const TraitRuleParse parse = TraitRule::compile(ruleText);
    if (!parse.ok()) {
        TraitPreviewResult result;
        result.status = TraitPreviewResult::Status::InvalidRule;
        result.diagnostics = parse.diagnostics;
        return result;
    }
    return run(db, *parse.rule, nowMs, options, progress, cancel);
}

} // namespace TraitPreview

TraitPreviewJob::TraitPreviewJob(Storage &storage, QObject *parent)
    : QObject(parent), m_storage(storage)
{
    m_pool.setMaxThreadCount(1);
}

TraitPreviewJob::~TraitPreviewJob()
{
    cancel();
    m_pool.waitForDone();
}

void TraitPreviewJob::cancel()
{
    if (m_cancel)
        m_cancel->store(true, std::memory_order_relaxed);
    ++m_generation; // a result the run already posted is stale from now on
}

bool TraitPreviewJob::isRunning() const
{
    return m_pool.activeThreadCount() > 0;
}

quint64 TraitPreviewJob::start(const QString &ruleText, qint64 nowMs)
{
    cancel();
    auto cancelFlag = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancelFlag;
    const quint64 generation = ++m_generation;
    const qint64 threshold = m_sampleThreshold;
    const int modulus = m_sampleModulus;

    m_pool.start([this, cancelFlag, generation, ruleText, nowMs, threshold, modulus] {
        const std::atomic<bool> *flag = cancelFlag.get();
        // Progress of the whole run: the sampled pass (if any) takes the first third.
        double offset = 0;
        double weight = 1;
        double lastSent = -1;
        const PreviewProgress progress = [&](double fraction) {
            const double overall = offset + weight * fraction;
            if (overall - lastSent < 0.01 && fraction < 1.0)
                return;
            lastSent = overall;
            QMetaObject::invokeMethod(
                this,
                [this, generation, overall] {
                    if (generation == m_generation)
                        Q_EMIT this->progress(overall);
                },
                Qt::QueuedConnection);
        };
        const auto post = [this, generation](TraitPreviewResult result, bool final) {
            if (result.status == TraitPreviewResult::Status::Cancelled)
                return;
            result.generation = generation;
            QMetaObject::invokeMethod(
                this, [this, result, final] { deliver(result, final); }, Qt::QueuedConnection);
        };

        TraitPreviewResult result;
        {
            QSqlDatabase db = m_storage.reader(); // released below: gone before releaseReader()
            const TraitRuleParse parse = TraitRule::compile(ruleText);
            qint64 events = 0;
            QString error;
            if (!parse.ok()) {
                result.status = TraitPreviewResult::Status::InvalidRule;
                result.diagnostics = parse.diagnostics;
            } else if (!PreviewStore::countEvents(
                           db, nowMs - qint64(PreviewWindowDays.back()) * MsPerDay, nowMs, &events,
                           &error)) {
                result = failed(result, error);
            } else {
                TraitPreviewOptions options;
                options.expectedEvents = events;
                if (events > threshold && modulus > 1) {
                    weight = 1.0 / 3;
                    options.sampleModulus = modulus;
                    const TraitPreviewResult sample = TraitPreview::run(db, *parse.rule, nowMs,
                                                                        options, progress, flag);
                    if (sample.ok())
                        post(sample, false);
                    offset = weight;
                    weight = 1 - offset;
                }
                options.sampleModulus = 1;
                result = TraitPreview::run(db, *parse.rule, nowMs, options, progress, flag);
            }
        }
        post(result, true);
        m_storage.releaseReader();
    });
    return generation;
}

void TraitPreviewJob::deliver(const TraitPreviewResult &result, bool final)
{
    if (result.generation != m_generation)
        return; // superseded: the analyst has typed since
    if (final)
        Q_EMIT finished(result);
    else
        Q_EMIT estimated(result);
}

} // namespace Dcs
