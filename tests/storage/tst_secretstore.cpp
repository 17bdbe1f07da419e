#include "storage/secretstore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Dcs;

class tst_SecretStore : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }

private Q_SLOTS:
    void fileStoreIsOwnerOnlyAndKeepsEveryByte()
    {
        FileSecretStore store(path("a.secrets"));
        const QByteArray secret("\0\xff binary \n secret", 18);
        QString error;
        QVERIFY2(store.store(QStringLiteral("k1"), secret, &error), qPrintable(error));
        QVERIFY(store.store(QStringLiteral("k2"), "other", &error));
        QCOMPARE(store.load(QStringLiteral("k1")), std::optional<QByteArray>(secret));
        struct stat info = {};
        QCOMPARE(::stat(qPrintable(path("a.secrets")), &info), 0);
        QCOMPARE(info.st_mode & 0777, mode_t(0600));

        QVERIFY(store.remove(QStringLiteral("k1"), &error));
        QCOMPARE(store.load(QStringLiteral("k1")), std::nullopt);
        QCOMPARE(store.load(QStringLiteral("k2")), std::optional<QByteArray>("other"));
        QVERIFY(store.remove(QStringLiteral("never"), &error));
    }

    void unwritableFileIsAnError()
    {
        FileSecretStore store(QStringLiteral("/proc/dcs-studio/none.secrets"));
        QString error;
        QVERIFY(!store.store(QStringLiteral("k"), "v", &error));
        QVERIFY(error.contains(QStringLiteral("/proc/dcs-studio/none.secrets")));
    }

    void layeredFallsBackToTheFileWhenTheKeychainRefuses()
    {
        // A "keychain" that cannot write (a real store on an unwritable path) and the real file.
        LayeredSecretStore layered(
            std::make_unique<FileSecretStore>(QStringLiteral("/proc/dcs-studio/k.secrets")),
            std::make_unique<FileSecretStore>(path("fallback.secrets")));
        QString error;
        QVERIFY2(layered.store(QStringLiteral("k"), "fell back", &error), qPrintable(error));
        QCOMPARE(layered.load(QStringLiteral("k")), std::optional<QByteArray>("fell back"));
        QCOMPARE(FileSecretStore(path("fallback.secrets")).load(QStringLiteral("k")),
                 std::optional<QByteArray>("fell back"));
        QVERIFY(layered.description().contains(QStringLiteral("fallback")));
    }

    void layeredPrefersTheKeychainAndLeavesNoStaleCopy()
    {
        const QString keychainPath = path("keychain.secrets");
        const QString filePath = path("file.secrets");
        FileSecretStore(filePath).store(QStringLiteral("k"), "old, from the file", nullptr);
        LayeredSecretStore layered(std::make_unique<FileSecretStore>(keychainPath),
                                   std::make_unique<FileSecretStore>(filePath));
        // Saved while the keychain was away: still readable.
        QCOMPARE(layered.load(QStringLiteral("k")), std::optional<QByteArray>("old, from the file"));

        QString error;
        QVERIFY(layered.store(QStringLiteral("k"), "new", &error));
        QCOMPARE(FileSecretStore(keychainPath).load(QStringLiteral("k")),
                 std::optional<QByteArray>("new"));
        QCOMPARE(FileSecretStore(filePath).load(QStringLiteral("k")), std::nullopt);

        QVERIFY(layered.remove(QStringLiteral("k"), &error));
        QCOMPARE(layered.load(QStringLiteral("k")), std::nullopt);
    }
};

QTEST_GUILESS_MAIN(tst_SecretStore)
#include "tst_secretstore.moc"
