#include "workspace/replaydialog.h"

#include "dcs/dcsserver.h"
#include "rules/membershipsweeper.h"
#include "rules/realization.h"
#include "storage/traitrepository.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace Dcs {

namespace {
constexpr int SidRole = Qt::UserRole + 1;
} // namespace

ReplayDialog::ReplayDialog(DcsServer &server, QWidget *parent)
    : QDialog(parent)
    , m_server(server)
    , m_job(new ReplayJob(*server.storage(), this))
{
    setObjectName(QStringLiteral("replayDialog"));
    setWindowTitle(tr("Replay Event Log"));

    auto *intro = new QLabel(tr("Re-run the stored events through the current definitions, so "
                                "that a new or edited rule-based trait is realized as if its "
                                "rule had been live all along. Each event realizes exactly what "
                                "the same call would realize now; replaying twice changes "
                                "nothing more."));
    intro->setWordWrap(true);

    m_traits = new QListWidget;
    m_traits->setObjectName(QStringLiteral("replayTraitList"));
    m_traits->setAccessibleName(tr("Traits to replay"));
    m_days = new QSpinBox;
    m_days->setObjectName(QStringLiteral("replayDays"));
    m_days->setRange(1, 3650);
    m_days->setValue(90);
    m_days->setSuffix(tr(" days"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Traits:"), m_traits);
    form->addRow(tr("&Events of the last:"), m_days);

    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("replayProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_progress->setAccessibleName(tr("Replay progress"));
    m_phase = new QLabel;
    m_resultView = new QPlainTextEdit;
    m_resultView->setObjectName(QStringLiteral("replayResult"));
    m_resultView->setReadOnly(true);
    m_resultView->setMaximumBlockCount(200);
    m_resultView->setPlaceholderText(tr("The result of the replay shows here."));

    m_buttons = new QDialogButtonBox;
    m_replay = m_buttons->addButton(tr("&Replay"), QDialogButtonBox::AcceptRole);
    m_replay->setObjectName(QStringLiteral("replayButton"));
    m_cancel = m_buttons->addButton(QDialogButtonBox::Close);
    connect(m_replay, &QPushButton::clicked, this, &ReplayDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, &ReplayDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_phase);
    layout->addWidget(m_resultView, 1);
    layout->addWidget(m_buttons);
    resize(560, 520);

    connect(m_job, &ReplayJob::progress, this, [this](double fraction, ReplayPhase phase) {
        m_progress->setValue(int(fraction * 1000));
        m_phase->setText(phase == ReplayPhase::Events
                             ? tr("Replaying events… %1%").arg(int(fraction * 100))
                             : tr("Re-evaluating the visitors it changed… %1%")
                                   .arg(int(fraction * 100)));
    });
    connect(m_job, &ReplayJob::finished, this, &ReplayDialog::showResult);
    connect(m_traits, &QListWidget::itemChanged, this, &ReplayDialog::updateButtons);
    loadTraits();
    updateButtons();
}

ReplayDialog::~ReplayDialog() = default;

void ReplayDialog::loadTraits()
{
    // Definitions, not events: a few thousand rows at most.
    const std::shared_ptr<const RulesSnapshot> rules = m_server.rulesEngine()->snapshot();
    QHash<qint64, QString> names;
    QList<qint64> every; // onboarded and folder traits too: listed greyed, with the reason
    for (const Trait &trait : TraitRepository(*m_server.storage()).all()) {
        names.insert(trait.sid, trait.name);
        every.append(trait.sid);
    }
    QList<qint64> replayable;
    QList<ReplaySkippedTrait> skipped;
    if (rules && !every.isEmpty())
        Replay::selectTraits(*rules, every, &replayable, &skipped);
    m_traits->clear();
    for (const qint64 sid : std::as_const(replayable)) {
        auto *item = new QListWidgetItem(tr("%1 (%2T)").arg(names.value(sid), QString::number(sid)),
                                         m_traits);
        item->setData(SidRole, sid);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    for (const ReplaySkippedTrait &trait : std::as_const(skipped)) {
        auto *item = new QListWidgetItem(tr("%1 (%2T): cannot be replayed, %3")
                                             .arg(names.value(trait.sid),
                                                  QString::number(trait.sid), trait.reason),
                                         m_traits);
        item->setData(SidRole, trait.sid);
        item->setFlags(Qt::NoItemFlags); // shown, greyed, with the reason
    }
}

void ReplayDialog::selectTraits(const QList<qint64> &sids)
{
    for (int row = 0; row < m_traits->count(); ++row) {
        QListWidgetItem *item = m_traits->item(row);
        if (item->flags().testFlag(Qt::ItemIsUserCheckable))
            item->setCheckState(sids.isEmpty() || sids.contains(item->data(SidRole).toLongLong())
                                    ? Qt::Checked
                                    : Qt::Unchecked);
    }
}

QList<qint64> ReplayDialog::selectedTraits() const
{
    QList<qint64> sids;
    for (int row = 0; row < m_traits->count(); ++row) {
        const QListWidgetItem *item = m_traits->item(row);
        if (item->checkState() == Qt::Checked && item->flags().testFlag(Qt::ItemIsUserCheckable))
            sids.append(item->data(SidRole).toLongLong());
    }
    return sids;
}

void ReplayDialog::setDays(int days)
{
    m_days->setValue(days);
}

bool ReplayDialog::isRunning() const
{
    return m_job->isRunning();
}

void ReplayDialog::start()
{
    const QList<qint64> sids = selectedTraits();
    if (isRunning() || sids.isEmpty())
        return;
    ReplayOptions options;
    options.traitSids = sids;
    options.fromMs = QDateTime::currentMSecsSinceEpoch() - qint64(m_days->value()) * MsPerDay;
    MembershipSweeper *sweeper = m_server.membershipSweeper();
    ReplayScheduler schedule;
    if (sweeper) {
        schedule = [sweeper](const QString &uuid, qint64 nextChangeMs) {
            sweeper->schedule(uuid, nextChangeMs);
        };
    }
    m_resultView->clear();
    m_progress->setValue(0);
    m_phase->setText(tr("Starting…"));
    m_job->start(m_server.rulesEngine()->snapshot(), options, schedule);
    updateButtons();
    Q_EMIT statusMessage(sids.size() == 1
                             ? tr("Replaying the event log for 1 trait…")
                             : tr("Replaying the event log for %1 traits…").arg(sids.size()));
}

void ReplayDialog::showResult(const ReplayResult &result)
{
    m_result = result;
    if (result.ok())
        m_progress->setValue(m_progress->maximum());
    m_phase->setText(result.status == ReplayResult::Status::Cancelled ? tr("Cancelled")
                     : result.ok()                                     ? tr("Done")
                                                                       : tr("Failed"));
    QStringList lines{result.summary()};
    for (const ReplaySkippedTrait &skipped : result.skippedTraits)
        lines.append(tr("Trait %1 skipped: %2").arg(skipped.sid).arg(skipped.reason));
    m_resultView->setPlainText(lines.join(u'\n'));
    updateButtons();
    Q_EMIT statusMessage(result.summary());
    Q_EMIT finished(result);
}

void ReplayDialog::updateButtons()
{
    const bool running = isRunning();
    m_replay->setEnabled(!running && !selectedTraits().isEmpty());
    m_traits->setEnabled(!running);
    m_days->setEnabled(!running);
    m_cancel->setText(running ? tr("&Cancel") : tr("&Close"));
}

void ReplayDialog::reject()
{
    if (isRunning()) {
        m_job->cancel();
        m_phase->setText(tr("Cancelling after the page being written…"));
        return;
    }
    QDialog::reject();
}

} // namespace Dcs
