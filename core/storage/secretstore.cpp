#include "secretstore.h"

#include "common/logging.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace Dcs {

namespace {

QJsonObject readSecretsFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

FileSecretStore::FileSecretStore(QString path)
    : m_path(std::move(path))
{
}

bool FileSecretStore::store(const QString &key, const QByteArray &secret, QString *error)
{
    return rewrite(key, secret, error);
}

std::optional<QByteArray> FileSecretStore::load(const QString &key) const
{
    std::lock_guard lock(m_mutex);
    const QJsonValue value = readSecretsFile(m_path).value(key);
    if (!value.isString())
        return std::nullopt;
    return QByteArray::fromBase64(value.toString().toLatin1());
}

bool FileSecretStore::remove(const QString &key, QString *error)
{
    return rewrite(key, std::nullopt, error);
}

QString FileSecretStore::description() const
{
    return QStringLiteral("owner-only file %1 (mode 0600, outside the database)").arg(m_path);
}

bool FileSecretStore::rewrite(const QString &key, const std::optional<QByteArray> &secret,
                              QString *error)
{
    std::lock_guard lock(m_mutex);
    QJsonObject secrets = readSecretsFile(m_path);
    if (secret)
        secrets.insert(key, QString::fromLatin1(secret->toBase64()));
    else if (!secrets.contains(key))
        return true;
    else
        secrets.remove(key);

    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write the secrets file %1: %2")
                     .arg(m_path, file.errorString());
        return false;
    }
    // Restrict the temporary file before any secret is written into it.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *error = QStringLiteral("cannot make %1 owner-only").arg(m_path);
        file.cancelWriting();
        return false;
    }
    file.write(QJsonDocument(secrets).toJson(QJsonDocument::Compact));
    if (!file.commit()) {
        *error = QStringLiteral("cannot save the secrets file %1: %2")
                     .arg(m_path, file.errorString());
        return false;
    }
    return true;
}

LayeredSecretStore::LayeredSecretStore(std::unique_ptr<SecretStore> keychain,
                                       std::unique_ptr<SecretStore> file)
    : m_keychain(std::move(keychain))
    , m_file(std::move(file))
{
}

bool LayeredSecretStore::store(const QString &key, const QByteArray &secret, QString *error)
{
    QString keychainError;
    if (m_keychain->store(key, secret, &keychainError)) {
        QString ignored;
        m_file->remove(key, &ignored); // no stale copy left behind in the file
        return true;
    }
    // A locked or refused keychain must not make a partner impossible to save: fall back to the
    // owner-only file, and say so.
    qCWarning(lcStorage).noquote() << "keychain refused the secret (" << keychainError
                                   << "); keeping it in the owner-only secrets file";
    return m_file->store(key, secret, error);
}

std::optional<QByteArray> LayeredSecretStore::load(const QString &key) const
{
    if (auto secret = m_keychain->load(key))
        return secret;
    return m_file->load(key);
}

bool LayeredSecretStore::remove(const QString &key, QString *error)
{
    QString keychainError;
    const bool keychainOk = m_keychain->remove(key, &keychainError);
    const bool fileOk = m_file->remove(key, error);
    if (!keychainOk && error)
        *error = keychainError;
    return keychainOk && fileOk;
}

QString LayeredSecretStore::description() const
{
    return m_keychain->description() + QStringLiteral(" (fallback: ") + m_file->description()
           + QLatin1Char(')');
}

} // namespace Dcs
