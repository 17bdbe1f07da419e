#include "keychainsecretstore.h"

#include "common/logging.h"

#include <QEventLoop>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace Dcs {

namespace {

const QString kService = QStringLiteral("dcs-studio");
// A keychain that does not answer in this time counts as unavailable: a locked keyring that
// shows an unlock prompt nobody sees must not hang the writer's callers.
constexpr int kJobTimeoutMs = 5000;

struct JobOutcome
{
    QKeychain::Error error = QKeychain::OtherError;
    QString message;
    QByteArray data;
};

// Runs a qtkeychain job to completion on a local event loop (works on any thread).
template <typename Job, typename Configure>
JobOutcome runJob(const QString &key, Configure configure)
{
    Job job(kService);
    job.setAutoDelete(false);
    job.setInsecureFallback(false); // never the plain-text QSettings fallback
    job.setKey(key);
    configure(job);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(kJobTimeoutMs, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    JobOutcome outcome;
    if (!finished) {
        outcome.message = QStringLiteral("the keychain did not answer within %1 ms")
                              .arg(kJobTimeoutMs);
        return outcome;
    }
    outcome.error = job.error();
    outcome.message = job.errorString();
    if constexpr (std::is_same_v<Job, QKeychain::ReadPasswordJob>)
        outcome.data = job.binaryData();
    return outcome;
}

} // namespace

std::unique_ptr<SecretStore> KeychainSecretStore::createIfAvailable()
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
        qCInfo(lcStorage) << "no D-Bus session: partner secrets go to the owner-only file";
        return nullptr;
    }
    // A read of a key that is never written: "not found" proves a working keychain.
    const JobOutcome probe = runJob<QKeychain::ReadPasswordJob>(
        QStringLiteral("availability-probe"), [](QKeychain::ReadPasswordJob &) {});
    if (probe.error != QKeychain::EntryNotFound && probe.error != QKeychain::NoError) {
        qCInfo(lcStorage).noquote() << "no usable keychain (" << probe.message
                                    << "): partner secrets go to the owner-only file";
        return nullptr;
    }
    return std::unique_ptr<SecretStore>(new KeychainSecretStore);
}

bool KeychainSecretStore::store(const QString &key, const QByteArray &secret, QString *error)
{
    const JobOutcome outcome = runJob<QKeychain::WritePasswordJob>(
        key, [&secret](QKeychain::WritePasswordJob &job) { job.setBinaryData(secret); });
    if (outcome.error == QKeychain::NoError)
        return true;
    *error = QStringLiteral("keychain: %1").arg(outcome.message);
    return false;
}

std::optional<QByteArray> KeychainSecretStore::load(const QString &key) const
{
    const JobOutcome outcome = runJob<QKeychain::ReadPasswordJob>(
        key, [](QKeychain::ReadPasswordJob &) {});
    if (outcome.error != QKeychain::NoError)
        return std::nullopt;
    return outcome.data;
}

bool KeychainSecretStore::remove(const QString &key, QString *error)
{
    const JobOutcome outcome = runJob<QKeychain::DeletePasswordJob>(
        key, [](QKeychain::DeletePasswordJob &) {});
    if (outcome.error == QKeychain::NoError || outcome.error == QKeychain::EntryNotFound)
        return true;
    *error = QStringLiteral("keychain: %1").arg(outcome.message);
    return false;
}

QString KeychainSecretStore::description() const
{
    return QStringLiteral("system keychain (service \"%1\")").arg(kService);
}

} // namespace Dcs
