#include "migrations.h"

#include "common/logging.h"
#include "sqliteconnection.h"

#include <QStringList>

namespace Dcs::Migrations {

namespace {

// Times are integer milliseconds since the Unix epoch (UTC). JSON columns hold compact JSON text.
// Each migration is a list of portable statements; version N is the state after migration N.
// Never edit a released migration: append a new one.
const QList<QStringList> &allMigrations()
{
    static const QList<QStringList> migrations = {
        // 1: the initial schema.
        {
            QStringLiteral(R"(CREATE TABLE workspace_settings (
                name  TEXT PRIMARY KEY,
                value TEXT NOT NULL))"),

            QStringLiteral(R"(CREATE TABLE partners (
                id               INTEGER PRIMARY KEY,
                name             TEXT NOT NULL UNIQUE,
                description      TEXT NOT NULL DEFAULT '',
                contact          TEXT NOT NULL DEFAULT '',
                dpid             INTEGER NOT NULL UNIQUE,
                integration_code TEXT UNIQUE,
                endpoint         TEXT NOT NULL,
                style            TEXT NOT NULL CHECK (style IN ('json-post', 'get-template')),
                secret_env       TEXT NOT NULL DEFAULT '',
                secret_ref       TEXT,
                timeout_ms       INTEGER NOT NULL,
                min_budget_ms    INTEGER NOT NULL,
                max_in_flight    INTEGER NOT NULL,
                max_rate         INTEGER NOT NULL,
                needs_id_sync    INTEGER NOT NULL,
                forwarded_keys   TEXT NOT NULL DEFAULT '[]',
                mode             TEXT NOT NULL CHECK (mode IN ('disabled', 'shadow', 'live')),
                created_ms       INTEGER NOT NULL,
                updated_ms       INTEGER NOT NULL))"),

            QStringLiteral(R"(CREATE TABLE visitors (
                uuid          TEXT PRIMARY KEY,
                first_seen_ms INTEGER NOT NULL,
                last_seen_ms  INTEGER NOT NULL,
                opted_out_ms  INTEGER))"),

            // One row per (data source, partner user ID): the latest link wins.
            QStringLiteral(R"(CREATE TABLE id_syncs (
                dpid       INTEGER NOT NULL,
                dpuuid     TEXT NOT NULL,
                uuid       TEXT NOT NULL,
                auth_state INTEGER NOT NULL DEFAULT 0,
                synced_ms  INTEGER NOT NULL,
                PRIMARY KEY (dpid, dpuuid)))"),
            QStringLiteral("CREATE INDEX id_syncs_by_uuid ON id_syncs (uuid, dpid)"),

            // The event log (Customer Data Feed style); p_ signals never reach it.
            QStringLiteral(R"(CREATE TABLE events (
                id                INTEGER PRIMARY KEY,
                ts_ms             INTEGER NOT NULL,
                tid               TEXT NOT NULL,
                uuid              TEXT NOT NULL,
                signals           TEXT NOT NULL DEFAULT '{}',
                referer           TEXT NOT NULL DEFAULT '',
                client_ip         TEXT NOT NULL DEFAULT '',
                declared_ids      TEXT NOT NULL DEFAULT '[]',
                realized_traits   TEXT NOT NULL DEFAULT '[]',
                realized_segments TEXT NOT NULL DEFAULT '[]',
                segments_held     TEXT NOT NULL DEFAULT '[]',
                errors            TEXT NOT NULL DEFAULT '[]'))"),
            QStringLiteral("CREATE INDEX events_by_time ON events (ts_ms)"),
            QStringLiteral("CREATE INDEX events_by_visitor ON events (uuid, ts_ms)"),
            QStringLiteral("CREATE INDEX events_by_tid ON events (tid)"),

            // One row per partner attempt, with the timing breakdown in microseconds from start.
            QStringLiteral(R"(CREATE TABLE transfers (
                id             INTEGER PRIMARY KEY,
                ts_ms          INTEGER NOT NULL,
                tid            TEXT NOT NULL,
                uuid           TEXT NOT NULL,
                partner_id     INTEGER REFERENCES partners (id) ON DELETE SET NULL,
                dpid           INTEGER NOT NULL,
                shadow         INTEGER NOT NULL DEFAULT 0,
                budget_ms      INTEGER NOT NULL,
                outcome        TEXT NOT NULL,
                reason         TEXT NOT NULL DEFAULT '',
                http_status    INTEGER,
                codes          TEXT NOT NULL DEFAULT '[]',
                unmapped_codes TEXT NOT NULL DEFAULT '[]',
                queue_us       INTEGER,
                connect_us     INTEGER,
                tls_us         INTEGER,
                sent_us        INTEGER,
                first_byte_us  INTEGER,
                last_byte_us   INTEGER,
                parse_us       INTEGER,
                request_body   TEXT,
                response_body  TEXT,
                test_run_id    INTEGER REFERENCES onboarding_runs (id) ON DELETE CASCADE))"),
            QStringLiteral("CREATE INDEX transfers_by_time ON transfers (ts_ms)"),
            QStringLiteral("CREATE INDEX transfers_by_tid ON transfers (tid)"),
            QStringLiteral("CREATE INDEX transfers_by_partner ON transfers (dpid, ts_ms)"),
            QStringLiteral("CREATE INDEX transfers_by_visitor ON transfers (uuid, ts_ms)"),
            QStringLiteral("CREATE INDEX transfers_by_run ON transfers (test_run_id)"),

            // Codes a partner returned for a visitor, mapped or not (so a new onboarded trait
            // shows its population at once).
            QStringLiteral(R"(CREATE TABLE partner_codes (
                uuid          TEXT NOT NULL,
                dpid          INTEGER NOT NULL,
                code          TEXT NOT NULL,
                first_seen_ms INTEGER NOT NULL,
                last_seen_ms  INTEGER NOT NULL,
                expires_ms    INTEGER,
                PRIMARY KEY (uuid, dpid, code)))"),
            QStringLiteral("CREATE INDEX partner_codes_by_code ON partner_codes (dpid, code)"),

            QStringLiteral(R"(CREATE TABLE onboarding_runs (
                id          INTEGER PRIMARY KEY,
                partner_id  INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
                started_ms  INTEGER NOT NULL,
                finished_ms INTEGER,
                config      TEXT NOT NULL DEFAULT '{}',
                report      TEXT NOT NULL DEFAULT '{}'))"),
            QStringLiteral("CREATE INDEX onboarding_runs_by_partner "
                           "ON onboarding_runs (partner_id, started_ms)"),

            QStringLiteral(R"(CREATE TABLE folders (
                id        INTEGER PRIMARY KEY,
                name      TEXT NOT NULL,
                parent_id INTEGER REFERENCES folders (id)))"),
            QStringLiteral("CREATE INDEX folders_by_parent ON folders (parent_id)"),

            QStringLiteral(R"(CREATE TABLE traits (
                sid              INTEGER PRIMARY KEY,
                name             TEXT NOT NULL,
                type             TEXT NOT NULL CHECK (type IN ('rule', 'onboarded', 'folder')),
                folder_id        INTEGER NOT NULL REFERENCES folders (id),
                data_source      INTEGER NOT NULL DEFAULT 0,
                integration_code TEXT NOT NULL DEFAULT '',
                description      TEXT NOT NULL DEFAULT '',
                rule             TEXT NOT NULL DEFAULT '',
                ttl_days         INTEGER NOT NULL DEFAULT 120,
                created_ms       INTEGER NOT NULL,
                updated_ms       INTEGER NOT NULL))"),
            QStringLiteral("CREATE INDEX traits_by_folder ON traits (folder_id)"),
            QStringLiteral("CREATE INDEX traits_by_source ON traits (data_source, type)"),

            // Realizations: rule traits many per visitor (frequency), onboarded at most one.
            QStringLiteral(R"(CREATE TABLE trait_realizations (
                id         INTEGER PRIMARY KEY,
                uuid       TEXT NOT NULL,
                trait_sid  INTEGER NOT NULL REFERENCES traits (sid) ON DELETE CASCADE,
                ts_ms      INTEGER NOT NULL,
                expires_ms INTEGER,
                source     TEXT NOT NULL CHECK (source IN
                               ('call', 'sid', 'partner', 'batch', 'replay')),
                tid        TEXT NOT NULL DEFAULT '',
                detail     TEXT NOT NULL DEFAULT '{}'))"),
            QStringLiteral("CREATE INDEX realizations_by_visitor "
                           "ON trait_realizations (uuid, trait_sid, ts_ms)"),
            QStringLiteral("CREATE INDEX realizations_by_trait "
                           "ON trait_realizations (trait_sid, ts_ms)"),
            QStringLiteral("CREATE INDEX realizations_by_expiry "
                           "ON trait_realizations (expires_ms)"),

            QStringLiteral(R"(CREATE TABLE segments (
                sid              INTEGER PRIMARY KEY,
                name             TEXT NOT NULL,
                description      TEXT NOT NULL DEFAULT '',
                folder_id        INTEGER NOT NULL REFERENCES folders (id),
                integration_code TEXT NOT NULL DEFAULT '',
                data_source      INTEGER NOT NULL DEFAULT 0,
                rule             TEXT NOT NULL,
                destinations     TEXT NOT NULL DEFAULT '[]',
                status           TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
                created_ms       INTEGER NOT NULL,
                updated_ms       INTEGER NOT NULL))"),
            QStringLiteral("CREATE INDEX segments_by_folder ON segments (folder_id)"),

            QStringLiteral(R"(CREATE TABLE memberships (
                uuid        TEXT NOT NULL,
                segment_sid INTEGER NOT NULL REFERENCES segments (sid) ON DELETE CASCADE,
                since_ms    INTEGER NOT NULL,
                PRIMARY KEY (uuid, segment_sid)))"),
            QStringLiteral("CREATE INDEX memberships_by_segment ON memberships (segment_sid)"),

            QStringLiteral(R"(CREATE TABLE membership_changes (
                id          INTEGER PRIMARY KEY,
                uuid        TEXT NOT NULL,
                segment_sid INTEGER NOT NULL,
                ts_ms       INTEGER NOT NULL,
                change      TEXT NOT NULL CHECK (change IN ('join', 'leave')),
                cause       TEXT NOT NULL DEFAULT ''))"),
            QStringLiteral("CREATE INDEX membership_changes_by_segment "
                           "ON membership_changes (segment_sid, ts_ms)"),
            QStringLiteral("CREATE INDEX membership_changes_by_visitor "
                           "ON membership_changes (uuid, ts_ms)"),

            // Every create/edit/delete of a trait or segment: who, when, before and after (JSON).
            QStringLiteral(R"(CREATE TABLE definition_versions (
                id      INTEGER PRIMARY KEY,
                kind    TEXT NOT NULL CHECK (kind IN ('trait', 'segment')),
                sid     INTEGER NOT NULL,
                version INTEGER NOT NULL,
                action  TEXT NOT NULL CHECK (action IN ('create', 'edit', 'delete')),
                author  TEXT NOT NULL,
                ts_ms   INTEGER NOT NULL,
                before  TEXT,
                after   TEXT,
                UNIQUE (kind, sid, version)))"),
        },
        // 2: the event log's write path: tids decode to their event's row (EventIds), so they
        // need no index of their own; visitors without a rowid.
        {
            QStringLiteral(R"(CREATE TABLE storage_meta (
                name  TEXT PRIMARY KEY,
                value TEXT NOT NULL))"),
            QStringLiteral("DROP INDEX events_by_tid"),
            // Visitors keyed by UUID alone: one B-tree per new visitor instead of a rowid table
            // plus its UUID index.
            QStringLiteral(R"(CREATE TABLE visitors_by_uuid (
                uuid          TEXT PRIMARY KEY,
                first_seen_ms INTEGER NOT NULL,
                last_seen_ms  INTEGER NOT NULL,
                opted_out_ms  INTEGER) WITHOUT ROWID)"),
            QStringLiteral("INSERT INTO visitors_by_uuid SELECT uuid, first_seen_ms, last_seen_ms, "
                           "opted_out_ms FROM visitors"),
            QStringLiteral("DROP TABLE visitors"),
            QStringLiteral("ALTER TABLE visitors_by_uuid RENAME TO visitors"),
        },
        // 3: the transfer log as the engine writes it: each attempt points to its /event row
        // (a tid decodes to that row, so no tid index), with the deadline, the total time and
        // what a late answer did. Nothing wrote the version-1 table, so it is replaced.
        {
            QStringLiteral("DROP TABLE transfers"),
            QStringLiteral(R"(CREATE TABLE transfers (
                id             INTEGER PRIMARY KEY,
                event_id       INTEGER,
                ts_ms          INTEGER NOT NULL,
                tid            TEXT NOT NULL,
                uuid           TEXT NOT NULL,
                partner_id     INTEGER REFERENCES partners (id) ON DELETE SET NULL,
                dpid           INTEGER NOT NULL,
                shadow         INTEGER NOT NULL DEFAULT 0,
                deadline_ms    INTEGER NOT NULL,
                budget_ms      INTEGER NOT NULL,
                outcome        TEXT NOT NULL,
                reason         TEXT NOT NULL DEFAULT '',
                http_status    INTEGER,
                codes          TEXT NOT NULL DEFAULT '[]',
                unsegments     TEXT NOT NULL DEFAULT '[]',
                unmapped_codes TEXT NOT NULL DEFAULT '[]',
                ttl_days       INTEGER,
                queue_us       INTEGER,
                connect_us     INTEGER,
                tls_us         INTEGER,
                sent_us        INTEGER,
                first_byte_us  INTEGER,
                last_byte_us   INTEGER,
                parse_us       INTEGER,
                total_us       INTEGER NOT NULL,
                late_applied   INTEGER NOT NULL DEFAULT 0,
                request_text   TEXT,
                response_text  TEXT,
                test_run_id    INTEGER REFERENCES onboarding_runs (id) ON DELETE CASCADE))"),
            QStringLiteral("CREATE INDEX transfers_by_event ON transfers (event_id)"),
            QStringLiteral("CREATE INDEX transfers_by_time ON transfers (ts_ms)"),
            QStringLiteral("CREATE INDEX transfers_by_partner ON transfers (dpid, ts_ms)"),
            QStringLiteral("CREATE INDEX transfers_by_run ON transfers (test_run_id)"),
        },
        // 4: partner codes keyed by visitor alone. The (dpid, code) index put each answer's codes
        // on as many scattered pages as there are distinct codes: a commit rewrote hundreds of
        // index pages, and with three partners it was most of the writer's time. A code's
        // population is now a scan (rare: when an analyst looks at unmapped codes).
        {
            QStringLiteral(R"(CREATE TABLE partner_codes_by_visitor (
                uuid          TEXT NOT NULL,
                dpid          INTEGER NOT NULL,
                code          TEXT NOT NULL,
                first_seen_ms INTEGER NOT NULL,
                last_seen_ms  INTEGER NOT NULL,
                expires_ms    INTEGER,
                PRIMARY KEY (uuid, dpid, code)) WITHOUT ROWID)"),
            QStringLiteral("INSERT INTO partner_codes_by_visitor SELECT uuid, dpid, code, "
                           "first_seen_ms, last_seen_ms, expires_ms FROM partner_codes"),
            QStringLiteral("DROP TABLE partner_codes"),
            QStringLiteral("ALTER TABLE partner_codes_by_visitor RENAME TO partner_codes"),
        },
        // 5: realizations_by_visitor covers expires_ms. A returning visitor's profile read on
        // /event and the segment preview's scan (PreviewStore::scanRealizations) then read the
        // index alone, never the table rows.
        {
            QStringLiteral("DROP INDEX realizations_by_visitor"),
            QStringLiteral("CREATE INDEX realizations_by_visitor "
                           "ON trait_realizations (uuid, trait_sid, ts_ms, expires_ms)"),
        },
    };
    return migrations;
}

} // namespace

int latestVersion()
{
    return int(allMigrations().size());
}

bool migrate(QSqlDatabase &db, QString *error, int targetVersion)
{
    if (targetVersion < 0)
        targetVersion = latestVersion();
    Q_ASSERT(targetVersion <= latestVersion());

    const int current = Sqlite::userVersion(db, error);
    if (current < 0)
        return false;
    if (current > latestVersion()) {
        *error = QStringLiteral("the database has schema version %1 but this DCS Studio only "
                                "knows versions up to %2; it was written by a newer DCS Studio "
                                "and was left untouched")
                     .arg(current)
                     .arg(latestVersion());
        return false;
    }
    if (current >= targetVersion)
        return true;

    if (!db.transaction()) {
        *error = QStringLiteral("cannot begin the migration transaction");
        return false;
    }
    for (int version = current + 1; version <= targetVersion; ++version) {
        for (const QString &statement : allMigrations().at(version - 1)) {
            if (!Sqlite::exec(db, statement, error)) {
                db.rollback();
                *error = QStringLiteral("migration to schema version %1 failed: %2")
                             .arg(version)
                             .arg(*error);
                return false;
            }
        }
    }
    if (!Sqlite::setUserVersion(db, targetVersion, error) || !db.commit()) {
        db.rollback();
        return false;
    }
    qCInfo(lcStorage) << "database migrated from schema version" << current << "to"
                      << targetVersion;
    return true;
}

} // namespace Dcs::Migrations
