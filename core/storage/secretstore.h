#pragma once

#include <QByteArray>
#include <QString>

#include <memory>
#include <mutex>
#include <optional>

namespace Dcs {

// Where partner secrets live: never in the database, never in an export, never in a log.
class SecretStore
{
public:
    virtual ~SecretStore() = default;

    virtual bool store(const QString &key, const QByteArray &secret, QString *error) = 0;
    virtual std::optional<QByteArray> load(const QString &key) const = 0;
    virtual bool remove(const QString &key, QString *error) = 0;
    // For the UI and the logs: where secrets are kept and how they are protected.
    virtual QString description() const = 0;
};

// Secrets in a JSON file beside the database, created owner-read/write only (0600) and replaced
// atomically. Used where no platform keychain is reachable (servers, CI, containers): the database
// file and its exports can then be shared or backed up without carrying any secret.
class FileSecretStore final : public SecretStore
{
public:
    explicit FileSecretStore(QString path);

    bool store(const QString &key, const QByteArray &secret, QString *error) override;
    std::optional<QByteArray> load(const QString &key) const override;
    bool remove(const QString &key, QString *error) override;
    QString description() const override;

    QString path() const { return m_path; }

private:
    bool rewrite(const QString &key, const std::optional<QByteArray> &secret, QString *error);

    const QString m_path;
    mutable std::mutex m_mutex;
};

// Secrets in a platform keychain where one is reachable, else in the owner-only file; reads look
// in both (a secret saved while the keychain was away stays readable), removals clear both.
class LayeredSecretStore final : public SecretStore
{
public:
    LayeredSecretStore(std::unique_ptr<SecretStore> keychain, std::unique_ptr<SecretStore> file);

    bool store(const QString &key, const QByteArray &secret, QString *error) override;
    std::optional<QByteArray> load(const QString &key) const override;
    bool remove(const QString &key, QString *error) override;
    QString description() const override;

private:
    std::unique_ptr<SecretStore> m_keychain;
    std::unique_ptr<SecretStore> m_file;
};

} // namespace Dcs
