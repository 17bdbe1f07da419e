#include "rules/segmentpreview.h"

#include "rules/segmentrule.h"
#include "storage/previewstore.h"
#include "rules/qualifier.h"
#include "storage/storage.h"

#include <QMetaObject>
#include <QVarLengthArray>

#include <algorithm>
#include <cstring>
#include <optional>

namespace Dcs {

namespace {

constexpr qint64 VisitorsPerCheck = 4096;

// Where a uuid stands between the first and last stored ones, for progress: the scan runs in
// uuid order and visitor ids are spread evenly (random digits), so this tracks the share read
// without counting rows first. Only the leading 15 characters matter (a double holds them).
double uuidPosition(QByteArrayView uuid)
{
    double value = 0;
    for (qsizetype i = 0; i < 15; ++i)
        value = value * 10 + (i < uuid.size() && uuid[i] >= '0' && uuid[i] <= '9'
                                  ? uuid[i] - '0'
                                  : 0);
    return value;
}

// A stored profile as the previewed rules read it: per sid they name, its realizations, or for
// a folder trait all its members' realizations together. Rebuilt per visitor without
// allocating once the buffers have grown.
class PreviewRealizations final : public RealizationSource
{
public:
    PreviewRealizations(const RulesSnapshot &rules, const QList<qint64> &sids)
    {
        for (const qint64 sid : sids) {
            const std::span<const qint64> members = rules.folderMembers(sid);
            Named named{sid, qsizetype(m_members.size()), 0, 0, 0};
            if (members.empty())
                m_members.append(sid);
            else
                m_members.append(members.data(), qsizetype(members.size()));
            named.memberCount = m_members.size() - named.firstMember;
            m_named.append(named);
        }
    }

    // The sids to read: the named ones, folder traits replaced by their members, each once.
    QList<qint64> scannedSids() const
    {
        QList<qint64> sids(m_members.cbegin(), m_members.cend());
        std::sort(sids.begin(), sids.end());
        sids.erase(std::unique(sids.begin(), sids.end()), sids.end());
        return sids;
    }

    // One visitor's rows, sorted by (traitSid, timeMs).
    void load(std::span<const StoredRealization> stored)
    {
        m_realizations.clear();
        for (Named &named : m_named) {
            named.first = m_realizations.size();
            for (qsizetype m = 0; m < named.memberCount; ++m) {
                const qint64 member = m_members.at(named.firstMember + m);
                auto it = std::lower_bound(stored.begin(), stored.end(), member,
                                           [](const StoredRealization &r, qint64 sid) {
                                               return r.traitSid < sid;
                                           });
                for (; it != stored.end() && it->traitSid == member; ++it)
                    m_realizations.append(it->realization);
            }
            named.count = m_realizations.size() - named.first;
        }
    }

    std::span<const Realization> realizations(qint64 traitSid) const override
    {
        for (const Named &named : m_named) {
            if (named.sid == traitSid)
                return {m_realizations.constData() + named.first, size_t(named.count)};
        }
        return {};
    }

private:
    struct Named
    {
        qint64 sid;
        qsizetype firstMember;
        qsizetype memberCount;
        qsizetype first; // into m_realizations, for the visitor loaded
        qsizetype count;
    };
    QVarLengthArray<Named, 16> m_named;
    QVarLengthArray<qint64, 16> m_members;
    QVarLengthArray<Realization, 64> m_realizations;
};

} // namespace

namespace SegmentPreview {

SegmentPreviewResult run(QSqlDatabase db, const RulesSnapshot &rules, QStringView draftRuleText,
                         QStringView savedRuleText, qint64 nowMs,
                         const PreviewProgress &progress, const std::atomic<bool> *cancel)
{
    SegmentPreviewResult result;
    const std::optional<SegmentRule> draft
        = SegmentRule::compile(draftRuleText, rules.catalog(), &result.diagnostic);
    if (!draft) {
        result.status = SegmentPreviewResult::Status::InvalidRule;
        return result;
    }
    std::optional<SegmentRule> saved;
    if (!savedRuleText.trimmed().isEmpty())
        saved = SegmentRule::compile(savedRuleText, rules.catalog(), &result.savedDiagnostic);
    result.compared = saved.has_value();
    const auto cancelled = [cancel] { return cancel && cancel->load(std::memory_order_relaxed); };

    QList<qint64> sids = draft->traitSids();
    if (saved) {
        const QList<qint64> savedSids = saved->traitSids();
        for (const qint64 sid : savedSids) {
            if (!sids.contains(sid))
                sids.append(sid);
        }
    }
    PreviewRealizations source(rules, sids);

    QString error;
    double firstPosition = 0;
    double span = 0;
    if (progress) {
        QByteArray first;
        QByteArray last;
        if (!PreviewStore::realizationUuidRange(db, &first, &last, &error)) {
            result.status = SegmentPreviewResult::Status::Failed;
            result.error = error;
            return result;
        }
        firstPosition = uuidPosition(first);
        span = uuidPosition(last) - firstPosition;
    }

    // Only visitors with a counting realization of a named trait can hold either rule: one
    // that holds with none is refused when compiled. So the scan reads just those rows, from
    // the covering index, one visitor's rows at a time.
    QVarLengthArray<StoredRealization, 64> visitorRows;
    QByteArray currentUuid;
    const auto evaluateVisitor = [&] {
        source.load({visitorRows.constData(), size_t(visitorRows.size())});
        const bool draftHolds = draft->holds(source, nowMs);
        result.holders += draftHolds;
        if (saved) {
            const bool savedHolds = saved->holds(source, nowMs);
            result.savedHolders += savedHolds;
            result.joins += draftHolds && !savedHolds;
            result.leaves += savedHolds && !draftHolds;
        }
    };
    bool stopped = false;
    const bool scanned = PreviewStore::scanRealizations(
        db, source.scannedSids(), nowMs,
        [&](const PreviewStore::RealizationRowView &row) {
            if (row.uuid != QByteArrayView(currentUuid)) {
                if (!visitorRows.isEmpty())
                    evaluateVisitor();
                visitorRows.clear();
                // Copied into the same buffer each time: no allocation per visitor.
                currentUuid.resize(row.uuid.size());
                std::memcpy(currentUuid.data(), row.uuid.data(), size_t(row.uuid.size()));
                if (++result.visitorsScanned % VisitorsPerCheck == 0) {
                    if (cancelled()) {
                        stopped = true;
                        return false;
                    }
                    if (progress)
                        progress(span > 0 ? std::clamp((uuidPosition(row.uuid) - firstPosition)
                                                           / span,
                                                       0.0, 1.0)
                                          : 0.0);
                }
            }
            visitorRows.append(StoredRealization{row.traitSid,
                                                 Realization{row.timeMs, row.expiresMs}});
            return true;
        },
        &error);
    if (scanned && !stopped && !visitorRows.isEmpty())
        evaluateVisitor();
    if (!scanned) {
        result.status = SegmentPreviewResult::Status::Failed;
        result.error = error;
    } else if (stopped) {
        result.status = SegmentPreviewResult::Status::Cancelled;
    } else if (savedRuleText.trimmed().isEmpty()) {
        result.joins = result.holders; // a new segment: everyone who holds it joins
    }
    if (progress && result.ok())
        progress(1.0);
    return result;
}

} // namespace SegmentPreview

SegmentPreviewJob::SegmentPreviewJob(Storage &storage, QObject *parent)
    : QObject(parent), m_storage(storage)
{
    m_pool.setMaxThreadCount(1);
}

SegmentPreviewJob::~SegmentPreviewJob()
{
    cancel();
    m_pool.waitForDone();
}

void SegmentPreviewJob::cancel()
{
    if (m_cancel)
        m_cancel->store(true, std::memory_order_relaxed);
    ++m_generation; // a result the run already posted is stale from now on
}

bool SegmentPreviewJob::isRunning() const
{
    return m_pool.activeThreadCount() > 0;
}

quint64 SegmentPreviewJob::start(std::shared_ptr<const RulesSnapshot> rules,
                                 const QString &draftRuleText, const QString &savedRuleText,
                                 qint64 nowMs)
{
    cancel();
    auto cancelFlag = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancelFlag;
    const quint64 generation = ++m_generation;

    m_pool.start([this, cancelFlag, generation, rules = std::move(rules), draftRuleText,
                  savedRuleText, nowMs] {
        double lastSent = -1;
        const PreviewProgress progress = [&](double fraction) {
            if (fraction - lastSent < 0.01 && fraction < 1.0)
                return;
            lastSent = fraction;
            QMetaObject::invokeMethod(
                this,
                [this, generation, fraction] {
                    if (generation == m_generation)
                        Q_EMIT this->progress(fraction);
                },
                Qt::QueuedConnection);
        };
        SegmentPreviewResult result
            = SegmentPreview::run(m_storage.reader(), *rules, draftRuleText, savedRuleText,
                                  nowMs, progress, cancelFlag.get());
        m_storage.releaseReader();
        if (result.status == SegmentPreviewResult::Status::Cancelled)
            return;
        result.generation = generation;
        QMetaObject::invokeMethod(
            this,
            [this, result] {
                if (result.generation == m_generation) // else superseded by a later start()
                    Q_EMIT finished(result);
            },
            Qt::QueuedConnection);
    });
    return generation;
}

} // namespace Dcs
