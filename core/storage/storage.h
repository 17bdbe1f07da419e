#pragma once

#include "eventids.h"
#include "secretstore.h"
#include "storagewriter.h"

#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>

namespace Dcs {

// Makes a keychain-backed SecretStore, or returns null when no keychain is reachable. Core does
// not link any keychain library: the application registers one (see Storage::setKeychainFactory).
using KeychainFactory = std::function<std::unique_ptr<SecretStore>()>;

struct StorageOptions
{
    StorageWriterOptions writer;
    // Secrets file; empty = "<database>.secrets" beside the database.
    QString secretsPath;
    // Overrides the registered keychain factory for this storage (tests); empty = registered one.
    KeychainFactory keychain;
};

// One open DCS Studio database: migrated schema, the single writer, the secret store, and one
// read connection per thread that asks for one. Repositories are built on top of it.
class Storage final
{
public:
    using Options = StorageOptions;

    // Opens (creating if needed) and migrates `path`. Refuses, untouched, a database written by a
    // newer program. Returns null with a message in `error` on failure.
    static std::unique_ptr<Storage> open(const QString &path, QString *error);
    static std::unique_ptr<Storage> open(const QString &path, const Options &options,
                                         QString *error);
    ~Storage();

    // Registers the platform keychain for every Storage opened afterwards. Without one, or when
    // it finds no keychain, secrets go to the owner-only file.
    static void setKeychainFactory(KeychainFactory factory);

    QString path() const { return m_path; }
    int schemaVersion() const { return m_schemaVersion; }
    StorageWriter &writer() { return *m_writer; }
    SecretStore &secrets() { return *m_secrets; }
    // Row IDs and tids for new events (thread-safe).
    EventIds &eventIds() { return m_eventIds; }

    // This thread's read connection (created on first use). QSqlDatabase objects are per thread.
    QSqlDatabase reader();
    // Closes this thread's read connection: call from short-lived threads before they end.
    void releaseReader();

private:
    Storage(QString path, const Options &options);

    const QString m_path;
    int m_schemaVersion = 0;
    std::unique_ptr<StorageWriter> m_writer;
    std::unique_ptr<SecretStore> m_secrets;
    EventIds m_eventIds;
    QMutex m_readersMutex;
    QHash<Qt::HANDLE, QString> m_readers;
};

} // namespace Dcs
