#pragma once

#include "storage/secretstore.h"

#include <memory>

namespace Dcs {

// Partner secrets in the platform keychain (Secret Service on Linux desktops, through
// qtkeychain). Lives beside the widgets because it needs Qt DBus, which core never links.
class KeychainSecretStore final : public SecretStore
{
public:
    // A store when a keychain answers, null otherwise. Without a session bus (servers, CI) it
    // returns at once rather than let D-Bus try to start one.
    static std::unique_ptr<SecretStore> createIfAvailable();

    bool store(const QString &key, const QByteArray &secret, QString *error) override;
    std::optional<QByteArray> load(const QString &key) const override;
    bool remove(const QString &key, QString *error) override;
    QString description() const override;

private:
    KeychainSecretStore() = default;
};

} // namespace Dcs
