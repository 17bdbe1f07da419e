// Runs under tests/ui/with-keyring.sh: a private D-Bus session with a real GNOME keyring.
#include "platform/keychainsecretstore.h"
#include "storage/partnerrepository.h"
#include "storage/storage.h"

#include <QCoreApplication>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;

class tst_KeychainSecretStore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<SecretStore> m_keychain;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"),
                 "run this test through tests/ui/with-keyring.sh");
        // The keyring daemon may still be starting: wait until it answers.
        QTRY_VERIFY_WITH_TIMEOUT((m_keychain = KeychainSecretStore::createIfAvailable()), 15000);
        QVERIFY(m_keychain->description().contains(QStringLiteral("keychain")));
    }

    void storeLoadRemoveKeepEveryByte()
    {
        const QByteArray secret("s3cr\0t\xff\x01 with spaces", 20);
        QString error;
        QVERIFY2(m_keychain->store(QStringLiteral("partner-test-1"), secret, &error),
                 qPrintable(error));
        QCOMPARE(m_keychain->load(QStringLiteral("partner-test-1")),
                 std::optional<QByteArray>(secret));
        QVERIFY(m_keychain->store(QStringLiteral("partner-test-1"), "replaced", &error));
        QCOMPARE(m_keychain->load(QStringLiteral("partner-test-1")),
                 std::optional<QByteArray>("replaced"));
        QVERIFY2(m_keychain->remove(QStringLiteral("partner-test-1"), &error), qPrintable(error));
        QCOMPARE(m_keychain->load(QStringLiteral("partner-test-1")), std::nullopt);
        QVERIFY(m_keychain->remove(QStringLiteral("never-stored"), &error));
    }

    void partnerSecretsGoToTheKeychainNotToAFile()
    {
        QTemporaryDir dir;
        StorageOptions options;
        options.keychain = &KeychainSecretStore::createIfAvailable;
        QString error;
        auto storage = Storage::open(dir.filePath(QStringLiteral("k.sqlite")), options, &error);
        QVERIFY2(storage, qPrintable(error));
        QVERIFY(storage->secrets().description().startsWith(QStringLiteral("system keychain")));

        PartnerRepository partners(*storage);
        Partner partner;
        partner.name = QStringLiteral("Acme Data");
        partner.dpid = 1955;
        partner.endpoint = QStringLiteral("http://127.0.0.1:9101/lookup");
        const WriteResult saved = partners.save(partner, QByteArray("keychain-only-secret"));
        QVERIFY2(saved.ok, qPrintable(saved.error));
        QCOMPARE(partners.secretFor(*partners.byDpid(1955)),
                 std::optional<QByteArray>("keychain-only-secret"));
        QVERIFY(!QFile::exists(storage->path() + QStringLiteral(".secrets")));

        QSqlQuery query(storage->reader());
        QVERIFY(query.exec(QStringLiteral("SELECT secret_ref FROM partners")) && query.next());
        const QString ref = query.value(0).toString();
        query.finish();
        QCOMPARE(m_keychain->load(ref), std::optional<QByteArray>("keychain-only-secret"));

        QVERIFY(partners.remove(partner.id).ok);
        QCOMPARE(m_keychain->load(ref), std::nullopt); // the keychain entry went with it
    }

    void noSessionBusMeansNoKeychain()
    {
        const QByteArray address = qgetenv("DBUS_SESSION_BUS_ADDRESS");
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        const auto store = KeychainSecretStore::createIfAvailable();
        qputenv("DBUS_SESSION_BUS_ADDRESS", address);
        QVERIFY(!store);
    }
};

QTEST_GUILESS_MAIN(tst_KeychainSecretStore)
#include "tst_keychainsecretstore.moc"
