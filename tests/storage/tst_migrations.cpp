#include "storage/migrations.h"
#include "storage/sqliteconnection.h"
#include "storage/storage.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Dcs;

namespace {

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

// The schema as SQLite reports it: every table and index with its SQL, sorted.
QStringList schemaOf(const QString &path)
{
    const QString name = QStringLiteral("schema-probe");
    QStringList schema;
    {
        QSqlDatabase db;
        QString error;
        if (!Sqlite::open(path, name, &db, &error))
            return {error};
        QSqlQuery query(db);
        query.exec(QStringLiteral("SELECT type, name, sql FROM sqlite_master "
                                  "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"));
        while (query.next())
            schema.append(query.value(0).toString() + QLatin1Char(' ') + query.value(1).toString()
                          + QLatin1Char(' ') + query.value(2).toString().simplified());
    }
    Sqlite::close(name);
    return schema;
}

// Creates `path` at exactly schema `version` (0 = empty file) the way an older program left it.
void createAtVersion(const QString &path, int version)
{
    const QString name = QStringLiteral("old-program");
    {
        QSqlDatabase db;
        QString error;
        QVERIFY2(Sqlite::open(path, name, &db, &error), qPrintable(error));
        if (version > 0)
            QVERIFY2(Migrations::migrate(db, &error, version), qPrintable(error));
        QCOMPARE(Sqlite::userVersion(db), version);
    }
    Sqlite::close(name);
}

QVariant scalar(QSqlDatabase db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next())
        return {};
    return query.value(0);
}

// What a version-2 program had stored: a partner, two events, a visitor, a row in the version-1
// transfer table, and a partner code.
QStringList version2Rows()
{
    return {
        QStringLiteral("INSERT INTO partners (id, name, dpid, endpoint, style, timeout_ms, "
                       "min_budget_ms, max_in_flight, max_rate, needs_id_sync, mode, "
                       "created_ms, updated_ms) VALUES (1, 'Acme Data', 1955, "
                       "'http://127.0.0.1:9101/lookup', 'json-post', 80, 10, 64, 0, 0, 'live', "
                       "1700000000000, 1700000000000)"),
        QStringLiteral("INSERT INTO events (ts_ms, tid, uuid) VALUES (1700000000100, 't1', 'u-1')"),
        QStringLiteral("INSERT INTO events (ts_ms, tid, uuid) VALUES (1700000000500, 't2', 'u-1')"),
        QStringLiteral("INSERT INTO visitors (uuid, first_seen_ms, last_seen_ms) "
                       "VALUES ('u-1', 1700000000100, 1700000000500)"),
        QStringLiteral("INSERT INTO transfers (ts_ms, tid, uuid, partner_id, dpid, budget_ms, "
                       "outcome) VALUES (1700000000100, 't1', 'u-1', 1, 1955, 62, 'ok')"),
        QStringLiteral("INSERT INTO partner_codes (uuid, dpid, code, first_seen_ms, last_seen_ms) "
                       "VALUES ('u-1', 1955, 'auto', 1700000000100, 1700000000500)"),
    };
}

} // namespace

class tst_Migrations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freshFileGetsLatestSchemaInWal()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fresh.sqlite"));
        QString error;
        auto storage = Storage::open(path, &error);
        QVERIFY2(storage, qPrintable(error));
        QCOMPARE(storage->schemaVersion(), Migrations::latestVersion());

        QSqlDatabase db = storage->reader();
        QCOMPARE(Sqlite::journalMode(db), QStringLiteral("wal"));
        const QStringList schema = schemaOf(path);
        for (const char *table :
             {"partners", "id_syncs", "visitors", "events", "transfers", "partner_codes",
              "folders", "traits", "trait_realizations", "segments", "memberships",
              "membership_changes", "definition_versions", "onboarding_runs",
              "workspace_settings"}) {
            QVERIFY2(schema.filter(QStringLiteral("table %1 ").arg(QLatin1String(table))).size()
                         == 1,
                     table);
        }
        for (const char *index : {"events_by_visitor", "events_by_time", "transfers_by_event",
                                  "transfers_by_time", "transfers_by_partner", "transfers_by_run",
                                  "realizations_by_visitor", "realizations_by_trait",
                                  "memberships_by_segment"})
            QVERIFY2(schema.filter(QStringLiteral("index %1 ").arg(QLatin1String(index))).size()
                         == 1,
                     index);
    }

    // A returning visitor's profile read (every /event) and the segment preview read the index
    // alone, never the table rows.
    void realizationReadsUseTheCoveringIndex()
    {
        QTemporaryDir dir;
        QString error;
        auto storage = Storage::open(dir.filePath(QStringLiteral("plan.sqlite")), &error);
        QVERIFY2(storage, qPrintable(error));
        QSqlQuery query(storage->reader());
        for (const char *sql :
             {"SELECT trait_sid, ts_ms, expires_ms FROM trait_realizations WHERE uuid = '1' "
              "AND (expires_ms IS NULL OR expires_ms > 5)",
              "SELECT uuid, trait_sid, ts_ms, expires_ms FROM trait_realizations INDEXED BY "
              "realizations_by_visitor WHERE trait_sid IN (1, 2) AND (expires_ms IS NULL OR expires_ms > 5) "
              "ORDER BY uuid, trait_sid, ts_ms"}) {
            QVERIFY(query.exec(QStringLiteral("EXPLAIN QUERY PLAN ") + QLatin1String(sql)));
            QStringList plan;
            while (query.next())
                plan.append(query.value(3).toString());
            QVERIFY2(plan.join(u';').contains(
                         QLatin1String("USING COVERING INDEX realizations_by_visitor")),
                     qPrintable(plan.join(u';')));
            QVERIFY2(!plan.join(u';').contains(QLatin1String("TEMP B-TREE")),
                     qPrintable(plan.join(u';')));
        }
    }

    void reopeningIsANoOp()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("twice.sqlite"));
        QString error;
        QVERIFY(Storage::open(path, &error));
        const QStringList first = schemaOf(path);
        QVERIFY(Storage::open(path, &error));
        QCOMPARE(schemaOf(path), first);
    }

    void fromEveryEarlierVersion_data()
    {
        QTest::addColumn<int>("fromVersion");
        for (int version = 0; version < Migrations::latestVersion(); ++version)
            QTest::addRow("from v%d", version) << version;
    }

    void fromEveryEarlierVersion()
    {
        QFETCH(int, fromVersion);
        QTemporaryDir dir;
        const QString reference = dir.filePath(QStringLiteral("reference.sqlite"));
        const QString old = dir.filePath(QStringLiteral("old.sqlite"));
        createAtVersion(reference, Migrations::latestVersion());
        createAtVersion(old, fromVersion);

        QString error;
        auto storage = Storage::open(old, &error);
        QVERIFY2(storage, qPrintable(error));
        QCOMPARE(storage->schemaVersion(), Migrations::latestVersion());
        storage.reset();
        QCOMPARE(schemaOf(old), schemaOf(reference));
    }

    // Migration 3 replaces the transfer log's table (nothing wrote the old one) and keeps
    // everything else a version-2 file holds.
    void version2WithDataMigratesToTheLatest()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v2.sqlite"));
        createAtVersion(path, 2);
        {
            const QString name = QStringLiteral("v2-program");
            {
                QSqlDatabase db;
                QString error;
                QVERIFY(Sqlite::open(path, name, &db, &error));
                for (const QString &sql : version2Rows())
                    QVERIFY2(Sqlite::exec(db, sql, &error), qPrintable(error));
            }
            Sqlite::close(name);
        }

        QString error;
        auto storage = Storage::open(path, &error);
        QVERIFY2(storage, qPrintable(error));
        QCOMPARE(storage->schemaVersion(), Migrations::latestVersion());
        QSqlDatabase db = storage->reader();
        QCOMPARE(scalar(db, QStringLiteral("SELECT name FROM partners WHERE dpid = 1955")),
                 QVariant(QStringLiteral("Acme Data")));
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM events")).toInt(), 2);
        QCOMPARE(scalar(db, QStringLiteral("SELECT last_seen_ms FROM visitors WHERE uuid = "
                                           "'u-1'"))
                     .toLongLong(),
                 qint64(1700000000500));
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM transfers")).toInt(), 0);
        // Migration 4 keeps partner codes, keyed by visitor, without the (dpid, code) index.
        QCOMPARE(scalar(db, QStringLiteral("SELECT last_seen_ms FROM partner_codes WHERE "
                                           "uuid = 'u-1' AND dpid = 1955 AND code = 'auto'"))
                     .toLongLong(),
                 qint64(1700000000500));
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = "
                                           "'partner_codes_by_code'"))
                     .toInt(),
                 0);

        QStringList columns;
        QSqlQuery info(db);
        QVERIFY(info.exec(QStringLiteral("PRAGMA table_info(transfers)")));
        while (info.next())
            columns.append(info.value(1).toString());
        for (const char *column : {"event_id", "deadline_ms", "unsegments", "ttl_days",
                                   "total_us", "late_applied", "request_text", "response_text"})
            QVERIFY2(columns.contains(QLatin1String(column)), column);
        for (const char *gone : {"request_body", "response_body"})
            QVERIFY2(!columns.contains(QLatin1String(gone)), gone);
        const QStringList schema = schemaOf(path);
        QVERIFY(schema.filter(QStringLiteral("index transfers_by_tid ")).isEmpty());
        QCOMPARE(schema.filter(QStringLiteral("index transfers_by_event ")).size(), 1);
    }

    void newerDatabaseIsRefusedUntouched()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("future.sqlite"));
        createAtVersion(path, Migrations::latestVersion());
        {
            const QString name = QStringLiteral("future-program");
            {
                QSqlDatabase db;
                QString error;
                QVERIFY(Sqlite::open(path, name, &db, &error));
                QVERIFY(Sqlite::exec(db, QStringLiteral("CREATE TABLE from_the_future (x)"),
                                     &error));
                QVERIFY(Sqlite::setUserVersion(db, Migrations::latestVersion() + 1, &error));
            }
            Sqlite::close(name);
        }
        const QByteArray before = fileHash(path);
        QVERIFY(!before.isEmpty());

        QString error;
        QVERIFY(!Storage::open(path, &error));
        QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));
        QVERIFY2(error.contains(QString::number(Migrations::latestVersion() + 1)),
                 qPrintable(error));
        QCOMPARE(fileHash(path), before);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
    }

    void notADatabaseIsRefusedUntouched()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.sqlite"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        const QByteArray before = fileHash(path);

        QString error;
        QVERIFY(!Storage::open(path, &error));
        QVERIFY2(error.contains(QStringLiteral("not a usable SQLite database")), qPrintable(error));
        QCOMPARE(fileHash(path), before);
    }

    void unwritableFolderIsReported()
    {
        QString error;
        QVERIFY(!Storage::open(QStringLiteral("/proc/dcs-studio/x.sqlite"), &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_Migrations)
#include "tst_migrations.moc"
