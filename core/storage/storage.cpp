#include "storage.h"

#include "common/logging.h"
#include "migrations.h"
#include "sqliteconnection.h"

#include <QDir>
#include <QFileInfo>
#include <QThread>

namespace Dcs {

namespace {

QString uniqueConnectionName(const char *role, const void *owner, Qt::HANDLE thread = nullptr)
{
    return QStringLiteral("dcs-%1-%2-%3")
        .arg(QLatin1String(role))
        .arg(quintptr(owner), 0, 16)
        .arg(quintptr(thread), 0, 16);
}

KeychainFactory &registeredKeychainFactory()
{
    static KeychainFactory factory;
    return factory;
}

std::unique_ptr<SecretStore> makeSecretStore(const QString &databasePath,
                                             const StorageOptions &options)
{
    auto file = std::make_unique<FileSecretStore>(
        options.secretsPath.isEmpty() ? databasePath + QStringLiteral(".secrets")
                                      : options.secretsPath);
    const KeychainFactory &factory = options.keychain ? options.keychain
                                                      : registeredKeychainFactory();
    std::unique_ptr<SecretStore> keychain = factory ? factory() : nullptr;
    if (!keychain)
        return file;
    return std::make_unique<LayeredSecretStore>(std::move(keychain), std::move(file));
}

} // namespace

void Storage::setKeychainFactory(KeychainFactory factory)
{
    registeredKeychainFactory() = std::move(factory);
}

Storage::Storage(QString path, const Options &options)
    : m_path(std::move(path))
    , m_writer(std::make_unique<StorageWriter>(m_path, options.writer))
    , m_secrets(makeSecretStore(m_path, options))
{
}

std::unique_ptr<Storage> Storage::open(const QString &path, QString *error)
{
    return open(path, Options{}, error);
}

std::unique_ptr<Storage> Storage::open(const QString &path, const Options &options,
                                       QString *error)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = QStringLiteral("cannot create the folder %1").arg(info.absolutePath());
        return nullptr;
    }

    std::unique_ptr<Storage> storage(new Storage(info.absoluteFilePath(), options));
    {
        // Check the version before anything that writes (WAL switch, migrations): a newer
        // database must be left byte-for-byte as it was.
        const QString name = uniqueConnectionName("migrate", storage.get());
        QSqlDatabase db;
        bool ok = Sqlite::open(storage->m_path, name, &db, error);
        if (ok) {
            const int version = Sqlite::userVersion(db, error);
            if (version > Migrations::latestVersion()) {
                ok = Migrations::migrate(db, error); // refuses, with the message
            } else {
                ok = version >= 0 && Sqlite::enableWriteAheadLog(db, error)
                     && Migrations::migrate(db, error) && storage->m_eventIds.load(db, error);
            }
            storage->m_schemaVersion = ok ? Sqlite::userVersion(db) : 0;
        }
        db = QSqlDatabase();
        Sqlite::close(name);
        if (!ok)
            return nullptr;
    }
    if (!storage->m_writer->start(error))
        return nullptr;
    qCInfo(lcStorage).noquote() << "database" << storage->m_path << "open at schema version"
                                << storage->m_schemaVersion;
    return storage;
}

Storage::~Storage()
{
    m_writer->stop();
    QMutexLocker locker(&m_readersMutex);
    const Qt::HANDLE self = QThread::currentThreadId();
    for (auto it = m_readers.cbegin(); it != m_readers.cend(); ++it) {
        if (it.key() == self)
            Sqlite::close(it.value());
        else
            Sqlite::forget(it.value()); // another thread's: it is done with it by now
    }
}

QSqlDatabase Storage::reader()
{
    const Qt::HANDLE thread = QThread::currentThreadId();
    QMutexLocker locker(&m_readersMutex);
    const auto found = m_readers.constFind(thread);
    if (found != m_readers.constEnd())
        return QSqlDatabase::database(*found, false);

    const QString name = uniqueConnectionName("read", this, thread);
    QSqlDatabase db;
    QString error;
    if (!Sqlite::open(m_path, name, &db, &error))
        qCWarning(lcStorage).noquote() << "cannot open a read connection:" << error;
    m_readers.insert(thread, name);
    return db;
}

void Storage::releaseReader()
{
    QMutexLocker locker(&m_readersMutex);
    const QString name = m_readers.take(QThread::currentThreadId());
    if (!name.isEmpty())
        Sqlite::close(name);
}

} // namespace Dcs
