#include "qualificationstage.h"

#include "common/logging.h"
#include "rules/membershipsweeper.h"
#include "rules/qualifier.h"
#include "rules/rulesnapshot.h"
#include "storage/realizationstore.h"
#include "storage/storage.h"

#include <QRandomGenerator>

namespace Dcs {

QualificationStage::QualificationStage(Storage &storage, const RulesEngine &engine,
                                       MembershipSweeper *sweeper)
    : m_storage(storage)
    , m_engine(engine)
    , m_sweeper(sweeper)
{
}

QualificationStage::~QualificationStage() = default;

ProfileReader &QualificationStage::profileReader()
{
    QThread *const thread = QThread::currentThread();
    QMutexLocker locker(&m_readersMutex);
    std::shared_ptr<ProfileReader> &reader = m_readers[thread];
    if (!reader)
        reader = std::make_shared<ProfileReader>(m_storage.reader());
    return *reader;
}

void QualificationStage::process(const std::shared_ptr<EventContext> &event,
                                 std::function<void()> done)
{
    const std::shared_ptr<const RulesSnapshot> rules = m_engine.snapshot();
    const DecodedSignals &values = event->signalValues;
    const QStringList directSids = values.values(u"d_sid");
    if (!rules || (rules->ruleTraits().isEmpty() && rules->segments().isEmpty()
                   && directSids.isEmpty() && event->partnerCodes.isEmpty()
                   && event->removedTraits.isEmpty())) {
        done(); // nothing defined: no profile read, nothing stored
        return;
    }

    // A visitor made on this call has nothing stored: skip the read.
    VisitorProfile profile;
    if (event->identity.source != IdentityResult::Source::New) {
        QString error;
        if (!profileReader().read(event->identity.uuid, event->receivedMs, &profile, &error)) {
            // Qualifying without the visitor's history would record wrong joins and leaves.
            qCWarning(lcRules).noquote() << "no qualification for this call: cannot read the "
                                            "visitor's profile:" << error;
            done();
            return;
        }
    }

    // Rule traits see every live partner's codes of this call as the key `ic`.
    QStringList allPartnerCodes;
    for (const PartnerCodes &partner : std::as_const(event->partnerCodes))
        allPartnerCodes += partner.codes;
    const RuleSignals callSignals(values.signalList, allPartnerCodes);
    QualifierInput input;
    input.callSignals = &callSignals;
    input.directSids = directSids;
    input.partnerCodes = event->partnerCodes;
    input.removedTraits = event->removedTraits; // deleted by the transfer stage's write
    input.profile = &profile;
    input.nowMs = event->receivedMs;
    input.uuid = event->identity.uuid;
    input.tid = event->tid;
    if (const QStringList only = values.values(u"d_tdpid"); !only.isEmpty()) {
        bool ok = false;
        const qint64 dpid = only.first().toLongLong(&ok);
        if (ok)
            input.onlyDataSource = dpid;
    }
    input.urlDestinations = event->includeDests;
    input.random = QRandomGenerator::global()->generate();

    auto qualification = std::make_shared<const Qualification>(
        Qualifier::qualify(*rules, input));
    for (const QString &refused : qualification->refusedDirectSids)
        qCInfo(lcRules).noquote() << "d_sid" << refused << "realizes nothing: not a rule or "
                                                        "onboarded trait";

    event->realizedTraits = qualification->realizedTraits;
    event->segmentsHeld = qualification->segmentsHeld;
    event->realizedSegments = qualification->joined();
    if (!qualification->stuff.isEmpty())
        event->stuff = qualification->stuffJson();
    if (!qualification->destinationUrls.isEmpty())
        event->dests = qualification->destsJson();

    if (!qualification->realizations.isEmpty() || !qualification->changes.isEmpty()) {
        // Converted here, on the listener thread: the single writer only binds and steps.
        event->stageWrites.push_back(
            [prepared = RealizationStore::PreparedQualification::from(event->identity.uuid,
                                                                     *qualification)](
                WriteContext &context, QString *error) {
                return RealizationStore::write(context, prepared, error);
            });
    }
    if (m_sweeper && qualification->nextChangeMs != Realization::Never) {
        event->afterCommit.push_back([sweeper = m_sweeper, uuid = event->identity.uuid,
                                      at = qualification->nextChangeMs](bool committed) {
            if (committed)
                sweeper->schedule(uuid, at);
        });
    }
    done();
}

} // namespace Dcs
