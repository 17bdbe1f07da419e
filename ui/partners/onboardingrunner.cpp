#include "onboardingrunner.h"

#include "partners/partnerendpoint.h"
#include "partners/partnerrequest.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"

#include <QThread>
#include <QTimer>

namespace Dcs {

namespace {

constexpr int kBatchMs = 50;

// X-DCS-Timestamp of a recorded request: the signature covers it, so a rebuilt request needs
// the very same value.
std::optional<qint64> timestampOf(const QByteArray &requestText)
{
    static const QByteArray name = QByteArrayLiteral("\r\nX-DCS-Timestamp: ");
    const qsizetype at = requestText.indexOf(name);
    if (at < 0)
        return std::nullopt;
    const qsizetype start = at + name.size();
    const qsizetype end = requestText.indexOf('\r', start);
    bool ok = false;
    const qint64 value = requestText.mid(start, end < 0 ? -1 : end - start).toLongLong(&ok);
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

} // namespace

struct OnboardingRunner::WorkerState
{
    std::unique_ptr<OnboardingRun> run;
    QList<int> pendingIndexes;
    QList<TransferRecord> pendingRecords;
    int finished = 0;
    int total = 0;
    bool flushScheduled = false;
};

OnboardingRunner::OnboardingRunner(Storage &storage, TransferEngine &engine, QObject *parent)
    : QObject(parent)
    , m_storage(storage)
    , m_engine(engine)
    , m_thread(new QThread)
    , m_worker(new QObject)
    , m_state(std::make_unique<WorkerState>())
{
    m_thread->setObjectName(QStringLiteral("onboarding"));
    m_worker->moveToThread(m_thread);
    m_thread->start();
}

OnboardingRunner::~OnboardingRunner()
{
    QMetaObject::invokeMethod(
        m_worker,
        [this] {
            if (m_state->run)
                m_state->run->cancel();
            m_storage.releaseReader();
        },
        Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    // The thread's connection pools went with it, and their callbacks never run: the run can go.
    m_state->run.reset();
    delete m_worker;
    delete m_thread;
}

bool OnboardingRunner::start(const Partner &partner, const OnboardingConfig &config)
{
    if (m_running)
        return false;
    m_running = true;
    m_runningPartnerId = partner.id;
    QMetaObject::invokeMethod(
        m_worker,
        [this, partner, config] {
            const std::optional<QByteArray> secret =
                PartnerRepository(m_storage).secretFor(partner);
            m_state->run = std::make_unique<OnboardingRun>(m_storage, m_engine, partner, secret,
                                                           config);
            m_state->finished = 0;
            m_state->total = config.calls;
            OnboardingRun *run = m_state->run.get();
            connect(run, &OnboardingRun::callFinished, m_worker,
                    [this](int index, const TransferRecord &record) {
                        m_state->pendingIndexes.append(index);
                        m_state->pendingRecords.append(record);
                        if (!m_state->flushScheduled) {
                            m_state->flushScheduled = true;
                            QTimer::singleShot(kBatchMs, m_worker, [this] { flushBatch(); });
                        }
                    });
            connect(run, &OnboardingRun::progress, m_worker, [this](int finished, int total) {
                m_state->finished = finished;
                m_state->total = total;
            });
            connect(run, &OnboardingRun::finished, m_worker, [this] {
                flushBatch();
                const OnboardingReport report = m_state->run->report();
                QMetaObject::invokeMethod(
                    this,
                    [this, report] {
                        m_running = false;
                        m_runningPartnerId = 0;
                        Q_EMIT runFinished(report);
                    },
                    Qt::QueuedConnection);
            });
            run->start();
        },
        Qt::QueuedConnection);
    return true;
}

void OnboardingRunner::cancel()
{
    if (!m_running)
        return;
    QMetaObject::invokeMethod(
        m_worker,
        [this] {
            if (m_state->run)
                m_state->run->cancel();
        },
        Qt::QueuedConnection);
}

void OnboardingRunner::flushBatch()
{
    m_state->flushScheduled = false;
    if (m_state->pendingIndexes.isEmpty())
        return;
    QMetaObject::invokeMethod(
        this,
        [this, indexes = std::exchange(m_state->pendingIndexes, {}),
         records = std::exchange(m_state->pendingRecords, {}), finished = m_state->finished,
         total = m_state->total] {
            Q_EMIT callsFinished(indexes, records);
            Q_EMIT progress(finished, total);
        },
        Qt::QueuedConnection);
}

void OnboardingRunner::loadHistory(qint64 partnerId)
{
    const quint64 generation = ++m_historyGeneration;
    QMetaObject::invokeMethod(
        m_worker,
        [this, partnerId, generation] {
            QString error;
            const QList<OnboardingReport> reports = OnboardingRun::history(m_storage, partnerId,
                                                                           &error);
            QMetaObject::invokeMethod(
                this,
                [this, partnerId, generation, reports, error] {
                    if (generation == m_historyGeneration)
                        Q_EMIT historyLoaded(partnerId, reports, error);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void OnboardingRunner::loadRun(qint64 runId)
{
    const quint64 generation = ++m_runGeneration;
    QMetaObject::invokeMethod(
        m_worker,
        [this, runId, generation] {
            QString error;
            const std::optional<OnboardingReport> report = OnboardingRun::load(m_storage, runId,
                                                                               &error);
            if (!report && error.isEmpty())
                error = tr("run %1 is not in the database").arg(runId);
            QMetaObject::invokeMethod(
                this,
                [this, runId, generation, report, error] {
                    if (generation == m_runGeneration)
                        Q_EMIT runLoaded(runId, report, error);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void OnboardingRunner::buildCurl(const Partner &partner, const OnboardingConfig &config,
                                 const TransferRecord &call, bool reveal)
{
    const quint64 generation = ++m_curlGeneration;
    QMetaObject::invokeMethod(
        m_worker,
        [this, partner, config, call, reveal, generation] {
            const std::optional<QByteArray> secret =
                PartnerRepository(m_storage).secretFor(partner);
            bool sameAsSent = false;
            QString problem;
            const QString command = curlFor(partner, secret, config, call, reveal, &sameAsSent,
                                            &problem);
            const bool revealed = reveal && secret.has_value() && !command.isEmpty();
            QMetaObject::invokeMethod(
                this,
                [this, generation, command, revealed, sameAsSent, problem] {
                    if (generation == m_curlGeneration)
                        Q_EMIT curlReady(command, revealed, sameAsSent, problem);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

QString OnboardingRunner::curlFor(const Partner &partner, const std::optional<QByteArray> &secret,
                                  const OnboardingConfig &config, const TransferRecord &call,
                                  bool reveal, bool *sameAsSent, QString *problem)
{
    QString error;
    const PartnerEndpoint endpoint = PartnerEndpoint::forPartner(partner, &error);
    if (!endpoint.isValid()) {
        if (problem)
            *problem = tr("the endpoint is not valid: %1").arg(error);
        return {};
    }
    // The call as OnboardingRun made it (callFor): the record and the run's config hold it all.
    PartnerCall sent;
    sent.tid = call.tid;
    sent.uuid = call.uuid;
    sent.dpuuid = config.dpuuid;
    sent.tmaxMs = call.budgetMs;
    sent.timestampMs = timestampOf(call.requestText).value_or(call.startMs);
    sent.signalList = config.signalList;
    const PartnerRequest request = PartnerRequest::build(endpoint, partner, sent, secret);
    if (sameAsSent)
        *sameAsSent = request.maskedText() == call.requestText;
    return request.curlCommand(reveal);
}

} // namespace Dcs
