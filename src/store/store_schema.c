/* store_schema.c: finding, opening and migrating the khaosat database.
 *
 * Schema history (PRAGMA user_version):
 *   1  settings, forms, interviews (uuid, form, status, times), answers
 *      keyed by (interview, question) only.
 *   2  interviews gain enumerator, device_id, position and exported_at;
 *      answers gain a repeat path in their key; repeat counts and the
 *      audit trail appear.
 *   3  revisions: interviews gain a head revision; revisions and their
 *      items, the bundles merged here, merge conflicts, possible duplicate
 *      cases and their keys appear; audit rows gain the device and number
 *      they were first recorded under, so merged trails never repeat.
 *      Interviews already stored get their first revision when they are
 *      next changed or exported.
 *   4  the database's identity (signing and encryption key pairs), the
 *      cards of the other databases it trusts, and the supervisor's review
 *      of each interview (approved or returned, with a comment).
 *   5  merged bundles record the fingerprint of the key that signed them;
 *      audit rows merged from elsewhere are keyed by their device, number
 *      and a digest of their content, so a row claiming another device's
 *      number never keeps the real one out.
 *   6  answers in canonical form: numbers without leading zeros or a
 *      decimal comma, text in Unicode NFC (store_canon.c); each value
 *      rewritten is audited as 'canonical'. No table changes.
 *   7  the loop back to the laptops: a review records the revision it
 *      judged (and that revision's content hash), so a later change voids
 *      it; a pair of possible duplicates records the supervisor's decision
 *      (the same household, keeping one, or different ones); the commune's
 *      set-up: its villages with the enumerator covering each, and the
 *      household list of each village.  Reviews made before version 7 are
 *      taken to have judged the interview's head at the upgrade.
 *   8  a trusted card records the device id its card names (NULL for a
 *      card made before cards named their device).
 *   9  a review records the commune whose office made it when it came
 *      in an upstream bundle (NULL: made here), so the province sees
 *      which interviews each commune approved.
 *  10  interviews gain the name their form gives them (instance_name),
 *      kept for the lists; NULL until the interview is next opened.
 *  11  a laptop keeps the office's decisions on possible duplicates of
 *      its interviews (settled), the other interview possibly on another
 *      laptop: a pair settled is no longer asked about, and an interview
 *      the office superseded is known as such.
 *  12  notes on questions (the enumerator's remarks beside an answer),
 *      keyed as answers are.
 *  13  stored figures (store_figures.c): what each complete interview
 *      adds to the report, computed when it is finalised or merged and
 *      tagged with the report definition's hash, the form version and
 *      the revision it was computed from.  Interviews already stored get
 *      theirs at the next report.
 *  14  reviews cleared are kept (review_clears), so that a clear travels
 *      upward as a newer record than the review it withdrew.
 *  15  a merged bundle records the hash of its file as it came (BLAKE2b,
 *      file_hash): the same file merged again is recognised before it is
 *      unpacked and checked.  Bundles merged before have none.
 *  16  the set-up of each commune below (commune_setups, their villages
 *      and household lists), as the communes' offices send it upstream,
 *      so answers are checked against the set-up of their own commune;
 *      alias is the commune its office's bundles name (its commune
 *      setting, which may differ from the set-up's code and name).
 *  17  a commune's set-up is bound to the key of the office that first
 *      sent it (sender); digest tells two set-ups of one sequence apart.
 *  18  decisions of an office below on pairs of possible duplicates not
 *      flagged here yet (decisions_later), with the key that sent them,
 *      taken when the pair is flagged (its second interview arrives).
 *  19  decided pairs forgotten because a key changed (decisions_dropped).
 *  20  reviews of an office below for interviews not here yet
 *      (reviews_later), one per interview and key, with the commune and
 *      path of the bundle that sent them, taken when the interview
 *      arrives; decisions_later gains the path of its bundle (bundle), so
 *      a decision dropped later names where it came from.
 *  21  decisions_later keeps one decision per pair and sending key
 *      (signer, '' for an unsigned bundle), so that another office's
 *      newer decision no longer replaces the one of the office bound to
 *      the pair's commune before the pair arrives to say whose it is.
 * A new database is created by running every step from version 0, so the
 * migrations are exercised on every fresh install, not only on old data. */
#include "config.h"
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "store/revision.h"
#include "store/sqlutil.h"
#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"


static const char schema_v1[] =
    "PRAGMA application_id = 1263026511;"
    "CREATE TABLE settings ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL);"
    "CREATE TABLE forms ("
    " id INTEGER PRIMARY KEY,"
    " form_id TEXT NOT NULL,"
    " version TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " UNIQUE (form_id, version));"
    "CREATE TABLE interviews ("
    " uuid TEXT PRIMARY KEY,"
    " form_id TEXT NOT NULL,"
    " form_version TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('draft', 'complete')),"
    " created TEXT NOT NULL,"
    " updated TEXT NOT NULL,"
    " FOREIGN KEY (form_id, form_version) REFERENCES forms (form_id, version));"
    "CREATE TABLE answers ("
    " interview TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " qid TEXT NOT NULL,"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (interview, qid));";

/* Version 1 interviews had no enumerator or device of their own: they were
 * this laptop's, so they take the values from the settings. */
static const char schema_v2[] =
    "ALTER TABLE interviews ADD COLUMN enumerator TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE interviews ADD COLUMN device_id TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE interviews ADD COLUMN position TEXT;"
    "ALTER TABLE interviews ADD COLUMN exported_at TEXT;"
    "UPDATE interviews SET"
    " enumerator = coalesce((SELECT value FROM settings"
    "                        WHERE key = 'enumerator'), ''),"
    " device_id = coalesce((SELECT value FROM settings"
    "                       WHERE key = 'device_id'), '');"
    "CREATE INDEX interviews_form ON interviews (form_id, status);"
    "CREATE TABLE answers_v2 ("
    " interview TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " qid TEXT NOT NULL,"
    " path TEXT NOT NULL DEFAULT '',"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (interview, qid, path)) WITHOUT ROWID;"
    "INSERT INTO answers_v2 (interview, qid, path, value)"
    " SELECT interview, qid, '', value FROM answers;"
    "DROP TABLE answers;"
    "ALTER TABLE answers_v2 RENAME TO answers;"
    "CREATE TABLE repeat_counts ("
    " interview TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " path TEXT NOT NULL,"
    " count INTEGER NOT NULL CHECK (count >= 0),"
    " PRIMARY KEY (interview, path)) WITHOUT ROWID;"
    "CREATE TABLE audit ("
    " seq INTEGER PRIMARY KEY,"
    " interview TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " time TEXT NOT NULL,"
    " event TEXT NOT NULL,"
    " qid TEXT,"
    " path TEXT,"
    " old_value TEXT,"
    " new_value TEXT);"
    "CREATE INDEX audit_interview ON audit (interview, seq);";

/* Version 3: revisions (see revision.h) and what merging bundles needs. */
static const char schema_v3[] =
    "ALTER TABLE interviews ADD COLUMN head TEXT;"
    "ALTER TABLE audit ADD COLUMN origin TEXT;"
    "ALTER TABLE audit ADD COLUMN origin_seq INTEGER;"
    "CREATE UNIQUE INDEX audit_origin ON audit (origin, origin_seq)"
    " WHERE origin IS NOT NULL;"
    "CREATE TABLE revisions ("
    " id TEXT PRIMARY KEY,"
    " interview TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " parent TEXT,"
    " parent2 TEXT,"
    " status TEXT NOT NULL CHECK (status IN ('draft', 'complete')),"
    " device TEXT NOT NULL,"
    " enumerator TEXT NOT NULL,"
    " created TEXT NOT NULL,"
    " content TEXT NOT NULL,"
    " bundle TEXT) WITHOUT ROWID;"
    "CREATE INDEX revisions_interview ON revisions (interview);"
    "CREATE TABLE revision_items ("
    " revision TEXT NOT NULL,"
    " qid TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (revision, qid, path)) WITHOUT ROWID;"
    "CREATE TABLE bundles ("
    " uuid TEXT PRIMARY KEY,"
    " sha256 TEXT NOT NULL,"
    " file TEXT NOT NULL,"
    " device TEXT NOT NULL,"
    " enumerator TEXT NOT NULL,"
    " commune TEXT NOT NULL,"
    " created TEXT NOT NULL,"
    " merged TEXT NOT NULL,"
    " added INTEGER NOT NULL, updated INTEGER NOT NULL,"
    " unchanged INTEGER NOT NULL, conflicts INTEGER NOT NULL,"
    " duplicates INTEGER NOT NULL);"
    "CREATE TABLE conflicts ("
    " interview TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " qid TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " base TEXT,"
    " mine TEXT,"
    " theirs TEXT,"
    " mine_rev TEXT NOT NULL,"
    " theirs_rev TEXT NOT NULL,"
    " merge_rev TEXT NOT NULL,"
    " found TEXT NOT NULL,"
    " resolved_rev TEXT,"
    " PRIMARY KEY (interview, qid, path, theirs_rev));"
    "CREATE TABLE case_keys ("
    " interview TEXT PRIMARY KEY REFERENCES interviews (uuid)"
    "  ON DELETE CASCADE,"
    " form_id TEXT NOT NULL,"
    " key TEXT,"
    " rev TEXT NOT NULL);"
    "CREATE INDEX case_keys_key ON case_keys (form_id, key);"
    "CREATE TABLE duplicates ("
    " a TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " b TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " form_id TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " found TEXT NOT NULL,"
    " PRIMARY KEY (a, b));";

/* Version 4: keys (see keys.h) and reviews.  One identity row at most;
 * trusted cards are kept after revocation, so a revoked key is recognised
 * as revoked rather than unknown. */
static const char schema_v4[] =
    "CREATE TABLE identity ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " sign_pk BLOB NOT NULL,"
    " sign_sk BLOB NOT NULL,"
    " box_pk BLOB NOT NULL,"
    " box_sk BLOB NOT NULL,"
    " created TEXT NOT NULL);"
    "CREATE TABLE trusted ("
    " fingerprint TEXT PRIMARY KEY,"
    " sign_pk BLOB NOT NULL UNIQUE,"
    " box_pk BLOB NOT NULL,"
    " role TEXT NOT NULL CHECK (role IN ('laptop', 'office')),"
    " commune TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " purpose TEXT NOT NULL CHECK (purpose IN ('upstream', 'accept')),"
    " trusted TEXT NOT NULL,"
    " revoked TEXT);"
    "CREATE TABLE reviews ("
    " interview TEXT PRIMARY KEY REFERENCES interviews (uuid)"
    "  ON DELETE CASCADE,"
    " status TEXT NOT NULL CHECK (status IN ('approved', 'returned')),"
    " comment TEXT,"
    " reviewer TEXT,"
    " time TEXT NOT NULL);";

/* Version 5: signers and audit digests (see store_audit_digest). */
static const char schema_v5[] =
    "ALTER TABLE bundles ADD COLUMN signer TEXT;"
    "ALTER TABLE audit ADD COLUMN origin_digest TEXT;"
    "UPDATE audit SET origin_digest = khaosat_audit_digest(interview, origin,"
    " origin_seq, time, event, qid, path, old_value, new_value)"
    " WHERE origin IS NOT NULL;"
    "DROP INDEX audit_origin;"
    "CREATE UNIQUE INDEX audit_origin ON audit (origin, origin_seq,"
    " origin_digest) WHERE origin IS NOT NULL;";

/* Version 7: reviews bound to revisions, duplicate decisions, set-up. */
static const char schema_v7[] =
    "ALTER TABLE reviews ADD COLUMN revision TEXT;"
    "ALTER TABLE reviews ADD COLUMN content TEXT;"
    "UPDATE reviews SET revision = (SELECT head FROM interviews"
    "  WHERE uuid = reviews.interview),"
    " content = (SELECT r.content FROM interviews i JOIN revisions r"
    "  ON r.id = i.head WHERE i.uuid = reviews.interview);"
    "ALTER TABLE duplicates ADD COLUMN decision TEXT"
    " CHECK (decision IN ('same', 'different'));"
    "ALTER TABLE duplicates ADD COLUMN keep TEXT;"
    "ALTER TABLE duplicates ADD COLUMN decided TEXT;"
    "CREATE TABLE villages ("
    " code TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " enumerator TEXT) WITHOUT ROWID;"
    "CREATE TABLE households ("
    " village TEXT NOT NULL REFERENCES villages (code) ON DELETE CASCADE,"
    " number TEXT NOT NULL,"
    " head TEXT NOT NULL,"
    " PRIMARY KEY (village, number)) WITHOUT ROWID;";

/* Version 8: a trusted card records the device its card names, so that
 * a device is bound to its card from the day it is trusted. */
static const char schema_v8[] =
    "ALTER TABLE trusted ADD COLUMN device TEXT;";

/* Version 9: reviews merged from a commune's upstream bundle. */
static const char schema_v9[] =
    "ALTER TABLE reviews ADD COLUMN commune TEXT;";
/* Version 10: the name an interview is listed by, computed from its answers
 * by the session (a derived value, so no audit row). */
static const char schema_v10[] =
    "ALTER TABLE interviews ADD COLUMN name TEXT;";

/* Version 11: the office's duplicate decisions, on a laptop.  One row per
 * interview of this laptop and the other of its pair (not a foreign key:
 * often on another laptop). */
static const char schema_v11[] =
    "CREATE TABLE settled ("
    " interview TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " other TEXT NOT NULL,"
    " decision TEXT NOT NULL CHECK (decision IN ('same', 'different')),"
    " keep TEXT,"
    " decided TEXT NOT NULL,"
    " PRIMARY KEY (interview, other)) WITHOUT ROWID;";
/* Version 12: a note on any question, beside its answer. */
static const char schema_v12[] =
    "CREATE TABLE notes ("
    " interview TEXT NOT NULL REFERENCES interviews (uuid) ON DELETE CASCADE,"
    " qid TEXT NOT NULL,"
    " path TEXT NOT NULL DEFAULT '',"
    " note TEXT NOT NULL,"
    " PRIMARY KEY (interview, qid, path));";

/* Version 13: the report's figures stored with each complete interview
 * (one unit row, its figures' parts and its tallied answers). */
static const char schema_v13[] =
    "CREATE TABLE report_units ("
    " interview TEXT PRIMARY KEY REFERENCES interviews (uuid)"
    "  ON DELETE CASCADE,"
    " definition TEXT NOT NULL,"
    " form_version TEXT NOT NULL,"
    " head TEXT,"
    " readable INTEGER NOT NULL,"
    " village TEXT,"
    " included INTEGER NOT NULL,"
    " case_key TEXT) WITHOUT ROWID;"
    "CREATE TABLE report_figures ("
    " interview TEXT NOT NULL REFERENCES report_units (interview)"
    "  ON DELETE CASCADE,"
    " figure INTEGER NOT NULL,"
    " num REAL NOT NULL,"
    " den REAL NOT NULL,"
    " units INTEGER NOT NULL,"
    " flagged INTEGER NOT NULL,"
    " distinct_key TEXT,"
    " PRIMARY KEY (interview, figure)) WITHOUT ROWID;"
    "CREATE TABLE report_tallies ("
    " interview TEXT NOT NULL REFERENCES report_units (interview)"
    "  ON DELETE CASCADE,"
    " tally INTEGER NOT NULL,"
    " code TEXT NOT NULL,"
    " n INTEGER NOT NULL,"
    " PRIMARY KEY (interview, tally, code)) WITHOUT ROWID;";

/* Version 14: a review cleared here or at the office below, kept so that
 * the clear travels upward as a newer record than the review it withdrew. */
static const char schema_v14[] =
    "CREATE TABLE review_clears ("
    " interview TEXT PRIMARY KEY REFERENCES interviews (uuid)"
    "  ON DELETE CASCADE,"
    " reviewer TEXT,"
    " time TEXT NOT NULL,"
    " revision TEXT NOT NULL,"
    " content TEXT NOT NULL,"
    " commune TEXT) WITHOUT ROWID;";

/* Version 15: the hash of each merged bundle's file, looked up before a
 * file is opened. */
static const char schema_v15[] =
    "ALTER TABLE bundles ADD COLUMN file_hash TEXT;"
    "CREATE INDEX bundles_file_hash ON bundles (file_hash)"
    " WHERE file_hash IS NOT NULL;";

/* Version 16: the set-ups of the communes below, each replaced whole by
 * a newer one (a greater sequence number from its office). */
static const char schema_v16[] =
    "CREATE TABLE commune_setups ("
    " code TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " province TEXT NOT NULL,"
    " sequence INTEGER NOT NULL,"
    " alias TEXT) WITHOUT ROWID;"
    "CREATE TABLE commune_villages ("
    " commune TEXT NOT NULL,"
    " code TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " enumerator TEXT,"
    " PRIMARY KEY (commune, code)) WITHOUT ROWID;"
    "CREATE TABLE commune_households ("
    " commune TEXT NOT NULL,"
    " village TEXT NOT NULL,"
    " number TEXT NOT NULL,"
    " head TEXT,"
    " PRIMARY KEY (commune, village, number)) WITHOUT ROWID;";

/* Version 17: each commune's set-up is bound to the key of the office
 * that first sent it (sender, its card's fingerprint), and remembers the
 * digest of its content, so that another set-up with the same sequence
 * number is told apart. */
static const char schema_v17[] =
    "ALTER TABLE commune_setups ADD COLUMN sender TEXT;"
    "ALTER TABLE commune_setups ADD COLUMN digest TEXT;";

/* Version 18: an office's decision on a pair not flagged here yet, kept
 * until the pair is (then checked against the office bound to the
 * pair's commune, and applied when newer). */
static const char schema_v18[] =
    "CREATE TABLE decisions_later ("
    " a TEXT NOT NULL,"
    " b TEXT NOT NULL,"
    " decision TEXT,"
    " keep TEXT,"
    " decided TEXT NOT NULL,"
    " signer TEXT,"
    " commune TEXT NOT NULL,"
    " PRIMARY KEY (a, b)) WITHOUT ROWID;";

/* Version 19: a decided pair forgotten because a key changed (so judged
 * again), with the time: sent upstream as taken back, so that the level
 * above does not keep a decision this database no longer has. */
static const char schema_v19[] =
    "CREATE TABLE decisions_dropped ("
    " a TEXT NOT NULL,"
    " b TEXT NOT NULL,"
    " dropped TEXT NOT NULL,"
    " PRIMARY KEY (a, b)) WITHOUT ROWID;";

/* Version 20: a review of an office below for an interview not here yet,
 * kept until the interview arrives (then checked against the office bound
 * to its commune, and taken when newer), one per interview and sending
 * key; the path of the bundle a review or decision kept for later came
 * in, for the note when it is dropped. */
static const char schema_v20[] =
    "ALTER TABLE decisions_later ADD COLUMN bundle TEXT;"
    "CREATE TABLE reviews_later ("
    " interview TEXT NOT NULL,"
    " signer TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " comment TEXT,"
    " reviewer TEXT,"
    " time TEXT NOT NULL,"
    " revision TEXT,"
    " content TEXT,"
    " commune TEXT,"
    " bundle_commune TEXT NOT NULL,"
    " bundle TEXT NOT NULL,"
    " PRIMARY KEY (interview, signer)) WITHOUT ROWID;";

/* Version 21: decisions kept for later, one per pair and sending key
 * ('' unsigned), as reviews_later is; the ones kept are copied. */
static const char schema_v21[] =
    "CREATE TABLE decisions_later_v21 ("
    " a TEXT NOT NULL,"
    " b TEXT NOT NULL,"
    " decision TEXT,"
    " keep TEXT,"
    " decided TEXT NOT NULL,"
    " signer TEXT NOT NULL,"
    " commune TEXT NOT NULL,"
    " bundle TEXT,"
    " PRIMARY KEY (a, b, signer)) WITHOUT ROWID;"
    "INSERT INTO decisions_later_v21 SELECT a, b, decision, keep, decided,"
    " coalesce(signer, ''), commune, bundle FROM decisions_later;"
    "DROP TABLE decisions_later;"
    "ALTER TABLE decisions_later_v21 RENAME TO decisions_later;";

/* khaosat_audit_digest(interview, device, seq, time, event, qid, path,
 * old_value, new_value) in SQL, for the version 5 migration. */
static void sql_audit_digest(sqlite3_context *ctx, int argc,
                             sqlite3_value **argv)
{
    const char *v[9];
    for (int i = 0; i < argc && i < 9; i++)
        v[i] = (const char *)sqlite3_value_text(argv[i]);
    char out[65];
    store_audit_digest(v[0], v[1], sqlite3_value_int64(argv[2]), v[3], v[4],
                       v[5], v[6], v[7], v[8], out);
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* Version 2 stamps interviews with the device id, so one must exist before
 * the migration copies it. */
static int pre_v2(sqlite3 *db)
{
    char id[37];
    store_uuid_v4(id);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO settings (key, value)"
                           " VALUES ('device_id', ?1)", -1, &s, NULL))
        return -1;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

static const struct {
    const char *sql;
    int (*before)(sqlite3 *db);
} migrations[STORE_SCHEMA_VERSION] = {
    {schema_v1, NULL},      /* 0 -> 1 */
    {schema_v2, pre_v2},    /* 1 -> 2 */
    {schema_v3, NULL},      /* 2 -> 3 */
    {schema_v4, NULL},      /* 3 -> 4 */
    {schema_v5, NULL},      /* 4 -> 5 */
    {"", store_canon_migrate},  /* 5 -> 6 */
    {schema_v7, NULL},      /* 6 -> 7 */
    {schema_v8, NULL},      /* 7 -> 8 */
    {schema_v9, NULL},      /* 8 -> 9 */
    {schema_v10, NULL},     /* 9 -> 10 */
    {schema_v11, NULL},     /* 10 -> 11 */
    {schema_v12, NULL},     /* 11 -> 12 */
    {schema_v13, NULL},     /* 12 -> 13 */
    {schema_v14, NULL},     /* 13 -> 14 */
    {schema_v15, NULL},     /* 14 -> 15 */
    {schema_v16, NULL},     /* 15 -> 16 */
    {schema_v17, NULL},     /* 16 -> 17 */
    {schema_v18, NULL},     /* 17 -> 18 */
    {schema_v19, NULL},     /* 18 -> 19 */
    {schema_v20, NULL},     /* 19 -> 20 */
    {schema_v21, NULL},     /* 20 -> 21 */
};

/* Refuse a file that exists with content that is not SQLite's, before
 * SQLite gets a chance to write anything to it. */
static int check_header(const char *path, char **err)
{
    static const char magic[16] = "SQLite format 3";
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;           /* missing: SQLite creates it or reports why */
    char head[16];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n == 0)
        return 0;           /* an empty file is an empty database */
    if (n < sizeof head || memcmp(head, magic, sizeof head) != 0) {
        *err = xasprintf(_("%s is not a SQLite database; khaosat will not "
                           "touch it"), path);
        return -1;
    }
    return 0;
}

char *store_newer_msg(const char *path, long version)
{
    return xasprintf(_("%s was made by a newer khaosat (database schema %ld; "
                       "this khaosat knows up to %d); update khaosat"),
                     path, version, STORE_SCHEMA_VERSION);
}

/* Decide, reading only, whether this file is a database we may write. */
static int check_identity(sqlite3 *db, const char *path, char **err)
{
    long version = 0, app = 0, objects = 0;
    int rc = sqlutil_long(db, "PRAGMA user_version", &version);
    if (rc == SQLITE_OK)
        rc = sqlutil_long(db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = sqlutil_long(db, "SELECT count(*) FROM sqlite_master", &objects);
    if (rc == SQLITE_NOTADB) {
        *err = xasprintf(_("%s is not a SQLite database; khaosat will not "
                           "touch it"), path);
        return -1;
    }
    if (rc != SQLITE_OK) {
        *err = xasprintf(_("%s: cannot read the database: %s"), path,
                         sqlite3_errmsg(db));
        return -1;
    }
    if ((app != 0 && app != STORE_APP_ID) || (app == 0 && objects > 0)) {
        *err = xasprintf(_("%s is a SQLite database of another program, not "
                           "khaosat's; khaosat will not touch it"), path);
        return -1;
    }
    if (version > STORE_SCHEMA_VERSION) {
        *err = store_newer_msg(path, version);
        return -1;
    }
    return 0;
}

/* Run the migrations from the current version up, all in one transaction
 * so a crash mid-way leaves the old schema intact. */
static int migrate(sqlite3 *db, const char *path, char **err)
{
    const char *step = N_("starting the schema upgrade");
    long version = 0;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto fail_nobegin;
    /* Read again under the lock: another khaosat may have just migrated. */
    if (sqlutil_long(db, "PRAGMA user_version", &version) != SQLITE_OK)
        goto fail;
    if (version > STORE_SCHEMA_VERSION) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        *err = store_newer_msg(path, version);
        return -1;
    }
    for (long v = version; v < STORE_SCHEMA_VERSION; v++) {
        step = N_("upgrading the schema");
        if (migrations[v].before && migrations[v].before(db) != 0)
            goto fail;
        if (sqlite3_exec(db, migrations[v].sql, NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
    }
    if (version < STORE_SCHEMA_VERSION) {
        char *sql = xasprintf("PRAGMA user_version = %d",
                              STORE_SCHEMA_VERSION);
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        free(sql);
        if (rc != SQLITE_OK)
            goto fail;
    }
    step = N_("committing the schema upgrade");
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    return 0;
fail:
    *err = xasprintf(_("%s: %s from schema %ld to %d: %s"), path, _(step),
                     version, STORE_SCHEMA_VERSION, sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
fail_nobegin:
    *err = xasprintf("%s: %s: %s", path, _(step), sqlite3_errmsg(db));
    return -1;
}

/* Apply one setting pragma, reporting failure. */
static int pragma(sqlite3 *db, const char *path, const char *sql, char **err)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    *err = xasprintf("%s: %s: %s", path, sql, sqlite3_errmsg(db));
    return -1;
}

void store_tighten_files(const char *path)
{
    /* SQLite gives a new -wal and -shm the database's own mode. */
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        char *p = xasprintf("%s%s", path, suffix[i]);
        durable_tighten_path(p);
        free(p);
    }
}

/* Open path with flags, extended result codes and a busy timeout, and
 * check that it is a khaosat database before anything else runs on it:
 * *db, or -1 with *err (and nothing left open). */
static int open_identified(const char *path, int flags, sqlite3 **out,
                           char **err)
{
    sqlite3 *db = NULL;
    if (flags == SQLITE_OPEN_READONLY) {
        if (store_sqlite_open_ro(path, &db, err) != 0)
            return -1;
    } else {
        int rc = sqlite3_open_v2(path, &db, flags, NULL);
        if (rc != SQLITE_OK) {
            *err = xasprintf(_("%s: cannot open: %s"), path,
                             db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
            sqlite3_close(db);
            return -1;
        }
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    if (check_identity(db, path, err) != 0) {
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

int store_schema_open_ro(const char *path, sqlite3 **out, char **err)
{
    *out = NULL;
    if (sodium_init() < 0 || check_header(path, err) != 0) {
        if (!*err)
            *err = xasprintf(_("%s: libsodium failed to initialise"), path);
        return -1;
    }
    sqlite3 *db = NULL;
    long version = 0;
    if (open_identified(path, SQLITE_OPEN_READONLY, &db, err) != 0)
        return -1;
    if (pragma(db, path, "PRAGMA temp_store = MEMORY", err) != 0
        || store_origin_register(db) != SQLITE_OK) {
        if (!*err)
            *err = xasprintf("%s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    /* Read as it is: an older schema would need an upgrade, a write. */
    if (sqlutil_long(db, "PRAGMA user_version", &version) != SQLITE_OK
        || version != STORE_SCHEMA_VERSION) {
        *err = xasprintf(_("%s is read-only and made by an older "
                           "khaosat, which must be upgraded (a write) "
                           "before it is read: copy it (with its -wal file, "
                           "if there is one) to a folder of yours and open "
                           "the copy"), path);
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

/* A new database in memory holding khaosat's schema at version, NULL
 * when it cannot be made. */
static sqlite3 *reference_schema(long version)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL)
        != SQLITE_OK
        || sqlite3_create_function(db, "khaosat_audit_digest", 9,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                   sql_audit_digest, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    for (long v = 0; v < version && v < STORE_SCHEMA_VERSION; v++)
        if ((migrations[v].before && migrations[v].before(db) != 0)
            || sqlite3_exec(db, migrations[v].sql, NULL, NULL, NULL)
               != SQLITE_OK) {
            sqlite3_close(db);
            return NULL;
        }
    return db;
}

int store_schema_check(sqlite3 *copy, long version, char **why)
{
    sqlite3 *ref = reference_schema(version);
    sqlite3_stmt *s = NULL, *q = NULL;
    /* SQLite's own objects (autoindexes, sqlite_sequence) come with the
     * tables that make them. */
    int rc = ref ? sqlite3_prepare_v2(copy, "SELECT type, name, tbl_name, sql"
                                      " FROM sqlite_master WHERE name NOT"
                                      " LIKE 'sqlite\\_%' ESCAPE '\\'",
                                      -1, &s, NULL) : SQLITE_NOMEM;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(ref, "SELECT 1 FROM sqlite_master WHERE"
                                " type = ?1 AND name = ?2 AND tbl_name = ?3"
                                " AND sql IS ?4", -1, &q, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < 4; i++)
            sqlite3_bind_value(q, i + 1, sqlite3_column_value(s, i));
        int found = sqlite3_step(q) == SQLITE_ROW;
        sqlite3_reset(q);
        if (!found) {
            *why = xasprintf(_("holds a %s \"%s\" that khaosat does not "
                               "make: altered, refused"),
                             (const char *)sqlite3_column_text(s, 0),
                             (const char *)sqlite3_column_text(s, 1));
            rc = -1;
        } else
            rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    sqlite3_finalize(q);
    sqlite3_close(ref);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != -1)
        *why = xasprintf(_("damaged, cannot be read: %s"), sqlite3_errstr(rc));
    return -1;
}

int store_schema_open(const char *path, int create, sqlite3 **out,
                      char **err)
{
    *out = NULL;
    if (sodium_init() < 0) {
        *err = xasprintf(_("%s: libsodium failed to initialise"), path);
        return -1;
    }
    if (check_header(path, err) != 0)
        return -1;
    /* A database this user may only read is refused before anything is
     * changed: not its mode, no -wal or -shm made beside it. */
    if (access(path, F_OK) == 0 && (*err = store_why_read_only(path)))
        return -1;
    store_tighten_files(path);
    sqlite3 *db = NULL;
    /* Identity first: nothing below may run on a file we must not change. */
    if (open_identified(path, SQLITE_OPEN_READWRITE
                        | (create ? SQLITE_OPEN_CREATE : 0), &db, err) != 0)
        return -1;
    if (pragma(db, path, "PRAGMA journal_mode = WAL", err) != 0
        || pragma(db, path, "PRAGMA synchronous = FULL", err) != 0
        /* Sorts and temporary tables stay in memory: answers must never
         * reach a file in $TMPDIR (an export sorts them). */
        || pragma(db, path, "PRAGMA temp_store = MEMORY", err) != 0
        || sqlite3_create_function(db, "khaosat_audit_digest", 9,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                   sql_audit_digest, NULL, NULL) != SQLITE_OK
        || store_origin_register(db) != SQLITE_OK
        || migrate(db, path, err) != 0
        || pragma(db, path, "PRAGMA foreign_keys = ON", err) != 0) {
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}
