/* bundle_open.c: opening a bundle held in memory as untrusted input: the
 * SQLite defences, format version, schema, structure, manifest, counts,
 * content hash and references, all checked before anything is merged.
 * layers: bundle-sql (its SQL reads the bundle file only). */
#include "config.h"
#include "sync/bundle_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/i18n.h"
#include "store/sqlutil.h"
#include "store/store.h"
#include "core/util.h"

struct bundle {
    sqlite3 *db;
    unsigned char *image;     /* the plain bundle in memory, wiped on close */
    size_t image_len;
    char *path;
    bundle_manifest m;
    char *signer, *signer_role;   /* of a sealed bundle */
    char file_hash[BUNDLE_FILE_HASH_HEX];   /* "" when not read from a file */
};

/* Every defence SQLite offers against a hostile file, on an open handle. */
static int harden(sqlite3 *db, char **why)
{
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, BUNDLE_MAX_SOURCE + 1024);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    if (sqlite3_exec(db, "PRAGMA trusted_schema = OFF;"
                     "PRAGMA cell_size_check = ON;"
                     "PRAGMA mmap_size = 0;", NULL, NULL, NULL) != SQLITE_OK)
        return util_refuse(why, _("cannot set up reading: %s"), sqlite3_errmsg(db));
    return 0;
}

/* Open the bundle held in data (len bytes, which stay the caller's until
 * the handle is closed) read-only and harden the handle. */
static int open_mem(unsigned char *data, size_t len, sqlite3 **db,
                    char **why)
{
    static const char magic[16] = "SQLite format 3";
    if (len < sizeof magic || memcmp(data, magic, sizeof magic) != 0)
        return util_refuse(why, _("not a khaosat bundle (not a SQLite file)"));
    if (store_header_is_database(data, len))
        return util_refuse(why, "%s", _("a khaosat database (a laptop's or an "
                                   "office's), not a bundle: make a bundle "
                                   "of it with 'khaosat export --db FILE "
                                   "--to DIR'"));
    /* A file switched to WAL mode (bytes 18 and 19 are 2) cannot be read
     * from memory; its pages are all here (a bundle travels without a
     * -wal file), so read it as the rollback-journal file it was made. */
    if (len > 19 && data[18] == 2 && data[19] == 2)
        data[18] = data[19] = 1;
    int rc = sqlite3_open_v2(":memory:", db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_deserialize(*db, "main", data, (sqlite3_int64)len,
                                 (sqlite3_int64)len,
                                 SQLITE_DESERIALIZE_READONLY);
    if (rc != SQLITE_OK)
        return util_refuse(why, _("cannot open: %s"),
                      *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
    if (harden(*db, why) != 0)
        return -1;
    /* Mapping is off for files, which could change under us; this copy is
     * ours alone, and reading its pages in place spares a copy of each. */
    char *sql = sqlite3_mprintf("PRAGMA mmap_size = %llu",
                                (unsigned long long)len);
    sqlite3_exec(*db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    return 0;
}

/* The file is a khaosat bundle of a format this khaosat reads (its
 * format to *version). */
static int check_identity(sqlite3 *db, long *version_out, char **why)
{
    long app = 0, version = 0;
    int rc = sqlutil_long(db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = sqlutil_long(db, "PRAGMA user_version", &version);
    if (rc != SQLITE_OK)
        return util_refuse(why, _("damaged, cannot be read: %s"),
                      sqlite3_errmsg(db));
    if (app != BUNDLE_APP_ID || version < 1)
        return util_refuse(why, _("not a khaosat bundle (a SQLite database of "
                      "another kind)"));
    if (version > BUNDLE_FORMAT)
        return util_refuse(why, _("made by a newer khaosat (bundle format %ld); "
                      "this khaosat reads formats up to %d: update khaosat "
                      "to read it"), version, BUNDLE_FORMAT);
    *version_out = version;
    return 0;
}

int bundle_check_tables(sqlite3 *db, const char *const *name,
                        const char *const *sql, int n, int downstream,
                        char **why)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM"
                           " sqlite_schema", -1, &s, NULL) != SQLITE_OK)
        return util_refuse(why, _("damaged, cannot be read: %s"),
                      sqlite3_errmsg(db));
    int *seen = xcalloc((size_t)n, sizeof *seen), rc, bad = 0;
    while (!bad && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *col[4];
        for (int i = 0; i < 4; i++)
            col[i] = (const char *)sqlite3_column_text(s, i);
        int t = 0;
        while (t < n && !(col[1] && strcmp(col[1], name[t]) == 0))
            t++;
        bad = t == n || seen[t]++ || !col[0] || !col[2] || !col[3]
            || strcmp(col[0], "table") || strcmp(col[2], col[1])
            || strcmp(col[3], sql[t]);
        if (bad && downstream)
            util_refuse(why, _("unexpected %s \"%.40s\" in the schema of a "
                   "downstream bundle"), col[0] ? col[0] : "object",
                   col[1] ? col[1] : "");
        else if (bad)
            util_refuse(why, _("unexpected %s \"%s\" in the schema; a bundle "
                   "has only the tables of its format"),
                   col[0] ? col[0] : "object", col[1] ? col[1] : "");
    }
    if (!bad && rc != SQLITE_DONE)
        bad = util_refuse(why, _("damaged, cannot be read: %s"), sqlite3_errmsg(db));
    sqlite3_finalize(s);
    for (int t = 0; !bad && t < n; t++)
        if (!seen[t])
            bad = util_refuse(why, _("table %s is missing"), name[t]);
    free(seen);
    return bad ? -1 : 0;
}

/* SQLite's own check of the file's structure: integrity_check, not
 * quick_check, which does not notice rows stored out of key order (the
 * hashes would then be computed over an order nobody else sees). */
static int check_structure(sqlite3 *db, char **why)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &s,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    const char *r = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0)
                                     : NULL;
    int ok = r && strcmp(r, "ok") == 0;
    if (!ok) {
        /* SQLite's report spans lines ("*** in database main ***\n
         * Page 217 ..."): one line of it, without its banner. */
        char *line = xstrdup(r ? r : sqlite3_errmsg(db));
        const char *at = line;
        if (strncmp(at, "*** in database ", 16) == 0 && strchr(at, '\n'))
            at = strchr(at, '\n') + 1;
        for (char *p = line; *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t')
                *p = ' ';
        util_refuse(why, _("damaged (truncated or altered): SQLite finds "
                           "\"%s\"; %s"), at, bundle_what_to_do());
        free(line);
    }
    sqlite3_finalize(s);
    return ok ? 0 : -1;
}

/* Parse a manifest count. */
static int parse_count(const char *v, long *out)
{
    if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 12)
        return -1;
    *out = strtol(v, NULL, 10);
    return 0;
}

/* Store one manifest entry into m. */
static int manifest_set(bundle_manifest *m, const char *k, const char *v,
                        char **why)
{
    char **str[] = {&m->uuid, &m->commune, &m->created, &m->device,
                    &m->enumerator, &m->sha256};
    const char *skey[] = {"bundle", "commune", "created", "device",
                          "enumerator", "sha256"};
    long *num[] = {&m->audit, &m->format, &m->forms, &m->interviews,
                   &m->items, &m->revisions};
    const char *nkey[] = {"audit", "format", "forms", "interviews", "items",
                          "revisions"};
    for (int i = 0; i < 6; i++) {
        if (strcmp(k, skey[i]) == 0) {
            free(*str[i]);
            *str[i] = xstrdup(v);    /* under 4096 bytes: see the query */
            return 0;
        }
        if (strcmp(k, nkey[i]) == 0) {
            if (parse_count(v, num[i]) == 0)
                return 0;
            return util_refuse(why, _("manifest %s \"%.40s\" is not a count"), k, v);
        }
    }
    return util_refuse(why, _("unknown manifest key \"%.40s\""), k);
}

/* Read the manifest of a bundle of format: every key once, and no
 * other. */
static int read_manifest(sqlite3 *db, long format, bundle_manifest *m,
                         char **why)
{
    long n = 0;
    if (sqlutil_long(db, "SELECT count(*) FROM manifest", &n) != SQLITE_OK)
        return util_refuse(why, _("damaged manifest: %s"), sqlite3_errmsg(db));
    if (n != BUNDLE_NKEYS)
        return util_refuse(why, _("the manifest has %ld entries instead of %d"), n,
                      BUNDLE_NKEYS);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT key, value FROM manifest"
                           " WHERE typeof(key) = 'text'"
                           " AND typeof(value) = 'text'"
                           " AND length(value) < 4096", -1, &s, NULL))
        return util_refuse(why, _("damaged manifest: %s"), sqlite3_errmsg(db));
    int rc, bad = 0;
    n = 0;
    while (!bad && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        n++;
        bad = manifest_set(m, (const char *)sqlite3_column_text(s, 0),
                           (const char *)sqlite3_column_text(s, 1), why);
    }
    sqlite3_finalize(s);
    if (!bad && n != BUNDLE_NKEYS)
        bad = util_refuse(why, _("the manifest has malformed entries"));
    if (!bad && (!m->uuid || !bundle_is_uuid(m->uuid) || !m->sha256
                 || !bundle_is_hex64(m->sha256) || !m->created || !m->device
                 || !m->enumerator || !m->commune))
        bad = util_refuse(why, _("the manifest lacks a bundle UUID, hash, time or "
                     "origin"));
    if (!bad && m->format != format)
        bad = util_refuse(why, _("the manifest says format %ld, the file format "
                     "%ld"), m->format, format);
    return bad ? -1 : 0;
}

/* Row counts match the manifest and stay within the limits. */
static int check_counts(sqlite3 *db, const bundle_manifest *m, char **why)
{
    static const long limit[BT_COUNT] = {
        BUNDLE_NKEYS, BUNDLE_MAX_FORMS, BUNDLE_MAX_INTERVIEWS,
        BUNDLE_MAX_REVISIONS, BUNDLE_MAX_ITEMS, BUNDLE_MAX_AUDIT,
        BUNDLE_MAX_INTERVIEWS, BUNDLE_MAX_SETUPS, BUNDLE_MAX_SETUP_VILLAGES,
        BUNDLE_MAX_SETUP_HOUSEHOLDS, BUNDLE_MAX_INTERVIEWS};
    /* The manifest does not announce the reviews, set-ups and decisions
     * (-1): only the limit. */
    const long said[BT_COUNT] = {BUNDLE_NKEYS, m->forms, m->interviews,
                                 m->revisions, m->items, m->audit, -1, -1,
                                 -1, -1, -1};
    for (int t = 1; t < BUNDLE_TABLES(m->format); t++) {
        if (said[t] > limit[t])
            return util_refuse(why, _("the manifest announces %ld rows of %s, more "
                          "than the %ld khaosat accepts"), said[t],
                          bundle_table_name[t], limit[t]);
        char *sql = xasprintf("SELECT count(*) FROM %s",
                              bundle_table_name[t]);
        long n = -1;
        int rc = sqlutil_long(db, sql, &n);
        free(sql);
        if (rc != SQLITE_OK)
            return util_refuse(why, _("table %s cannot be read: %s"),
                          bundle_table_name[t], sqlite3_errmsg(db));
        if (said[t] < 0 && n > limit[t])
            return util_refuse(why, _("%ld rows of %s, more than the %ld "
                          "khaosat accepts"), n, bundle_table_name[t],
                          limit[t]);
        if (said[t] >= 0 && n != said[t])
            return util_refuse(why, _("table %s has %ld rows but the manifest "
                          "says %ld"), bundle_table_name[t], n, said[t]);
    }
    return 0;
}

/* References between tables, each a query for the first broken one. */
static const struct {
    const char *sql;
} refs[] = {
    {"SELECT uuid, form_id || ' version ' || form_version FROM interviews i"
     " WHERE NOT EXISTS (SELECT 1 FROM forms f WHERE f.form_id = i.form_id"
     " AND f.version = i.form_version) LIMIT 1"},
    {"SELECT uuid, head FROM interviews i WHERE NOT EXISTS (SELECT 1 FROM"
     " revisions r WHERE r.interview = i.uuid AND r.id = i.head) LIMIT 1"},
    {"SELECT interview, id FROM revisions r WHERE (parent IS NOT NULL AND"
     " NOT EXISTS (SELECT 1 FROM revisions p WHERE p.interview = r.interview"
     " AND p.id = r.parent)) OR (parent2 IS NOT NULL AND NOT EXISTS (SELECT"
     " 1 FROM revisions p WHERE p.interview = r.interview"
     " AND p.id = r.parent2)) LIMIT 1"},
    {"SELECT interview, seq FROM audit a WHERE NOT EXISTS (SELECT 1 FROM"
     " interviews i WHERE i.uuid = a.interview) LIMIT 1"},
};

/* References of the set-up tables (format 5): each village of a commune
 * whose set-up the bundle carries, each household of one of its
 * villages. */
static const char *const setup_refs[2] = {
    "SELECT commune, code FROM setup_villages v WHERE NOT EXISTS (SELECT 1"
    " FROM setups s WHERE s.commune = v.commune) LIMIT 1",
    "SELECT commune, village FROM setup_households h WHERE NOT EXISTS"
    " (SELECT 1 FROM setup_villages v WHERE v.commune = h.commune"
    " AND v.code = h.village) LIMIT 1",
};

/* The message for broken reference i, naming a and b. */
static void ref_message(char **why, int i, const char *a, const char *b)
{
    switch (i) {
    case 0:
        util_refuse(why, _("interview %s uses form %s, which the bundle does not "
               "carry"), a, b);
        break;
    case 1:
        util_refuse(why, _("interview %s: its head revision %s is missing"), a, b);
        break;
    case 2:
        util_refuse(why, _("interview %s: revision %s was made from a revision "
               "that is missing"), a, b);
        break;
    default:
        util_refuse(why, _("audit of interview %s (row %s), which the bundle does "
               "not carry"), a, b);
    }
}

/* Format 3 numbers the audit's interviews: bundle_digest checked that
 * each number is one of the bundle's interviews. */
static int check_refs(sqlite3 *db, long format, char **why)
{
    size_t n = sizeof refs / sizeof *refs - (format >= 3);
    size_t nall = n + (format >= 5 ? 2 : 0);
    for (size_t i = 0; i < nall; i++) {
        sqlite3_stmt *s;
        int rc = sqlite3_prepare_v2(db, i < n ? refs[i].sql
                                    : setup_refs[i - n], -1, &s, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        const char *a = rc == SQLITE_ROW
            ? (const char *)sqlite3_column_text(s, 0) : NULL;
        const char *b = rc == SQLITE_ROW
            ? (const char *)sqlite3_column_text(s, 1) : NULL;
        if (rc == SQLITE_ROW && i == n)
            util_refuse(why, _("village %s of commune %s, whose set-up the "
                               "bundle does not carry"), b, a);
        else if (rc == SQLITE_ROW && i >= n)
            util_refuse(why, _("a household of village %s of commune %s, "
                               "which its set-up does not list"), b, a);
        else if (rc == SQLITE_ROW)
            ref_message(why, (int)i, a, b);
        else if (rc != SQLITE_DONE)
            util_refuse(why, _("cannot be read: %s"), sqlite3_errmsg(db));
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return -1;
    }
    return 0;
}

int bundle_image_open(unsigned char *data, size_t len, sqlite3 **db,
                      char **why)
{
    *db = NULL;
    if (open_mem(data, len, db, why) == 0 && check_structure(*db, why) == 0)
        return 0;
    sqlite3_close(*db);
    *db = NULL;
    return -1;
}

/* Everything but the file checks, on an open database. */
static int verify_db(sqlite3 *db, bundle_manifest *m, char **why)
{
    long format = 0;
    /* Formats 1 and 2 have the audit table of text, 3 to 5 one keyed
     * without the reuse number. */
    const char *sql[BT_COUNT];
    memcpy(sql, bundle_table_sql, sizeof sql);
    if (check_identity(db, &format, why) != 0)
        return -1;
    if (format < 3)
        sql[BT_AUDIT] = bundle_audit_v1_sql;
    else if (format < 6)
        sql[BT_AUDIT] = bundle_audit_v3_sql;
    if (bundle_check_tables(db, bundle_table_name, sql,
                            BUNDLE_TABLES(format), 0, why) != 0
        || check_structure(db, why) != 0
        || read_manifest(db, format, m, why) != 0
        || check_counts(db, m, why) != 0)
        return -1;
    char hex[65];
    if (bundle_digest(db, m, hex, why) != 0)
        return -1;
    if (strcmp(hex, m->sha256) != 0)
        return util_refuse(why, _("the content does not match the manifest's "
                      "SHA-256: the bundle was changed or damaged"));
    return check_refs(db, format, why);
}

int bundle_open_memory(const char *name, unsigned char *data, size_t len,
                       bundle **out, char **err)
{
    *out = NULL;
    if (sodium_init() < 0) {
        sqlite3_free(data);
        *err = xasprintf(_("%s: libsodium failed to initialise"), name);
        return -1;
    }
    bundle *b = xcalloc(1, sizeof *b);
    b->path = xstrdup(name);
    /* Kept, not handed to SQLite, so that closing wipes it: a decrypted
     * bundle's answers do not linger in freed memory. */
    b->image = data;
    b->image_len = len;
    char *why = NULL;
    if (open_mem(data, len, &b->db, &why) != 0
        || verify_db(b->db, &b->m, &why) != 0) {
        *err = xasprintf("%s: %s", name, why);
        free(why);
        bundle_close(b);
        return -1;
    }
    *out = b;
    return 0;
}

void bundle_close(bundle *b)
{
    if (!b)
        return;
    sqlite3_close(b->db);
    if (b->image) {
        sodium_memzero(b->image, b->image_len);
        sqlite3_free(b->image);
    }
    bundle_manifest_clear(&b->m);
    free(b->path);
    free(b->signer);
    free(b->signer_role);
    free(b);
}

const bundle_manifest *bundle_get_manifest(const bundle *b)
{
    return &b->m;
}

const char *bundle_path(const bundle *b)
{
    return b->path;
}

const unsigned char *bundle_image(const bundle *b, size_t *len)
{
    *len = b->image_len;
    return b->image;
}

sqlite3 *bundle_sqlite(bundle *b)
{
    return b->db;
}

void bundle_set_signer(bundle *b, const char *fpr, const char *role)
{
    free(b->signer);
    free(b->signer_role);
    b->signer = xstrdup(fpr);
    b->signer_role = xstrdup(role);
}

void bundle_set_file_hash(bundle *b, const char *hex)
{
    snprintf(b->file_hash, sizeof b->file_hash, "%s", hex);
}

const char *bundle_file_hash(const bundle *b)
{
    return *b->file_hash ? b->file_hash : NULL;
}

const char *bundle_signer(const bundle *b)
{
    return b->signer;
}

const char *bundle_signer_role(const bundle *b)
{
    return b->signer_role;
}

int bundle_each_form(bundle *b, bundle_form_fn fn, void *ctx, char **err)
{
    sqlite3_stmt *s;
    *err = NULL;
    if (sqlite3_prepare_v2(b->db, "SELECT form_id, version, sha256, source"
                           " FROM forms ORDER BY form_id, version", -1, &s,
                           NULL) != SQLITE_OK) {
        *err = xasprintf(_("%s: reading its forms: %s"), b->path,
                         sqlite3_errmsg(b->db));
        return -1;
    }
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
        stop = fn(ctx, (const char *)sqlite3_column_text(s, 0),
                  (const char *)sqlite3_column_text(s, 1),
                  (const char *)sqlite3_column_text(s, 2),
                  (const char *)sqlite3_column_text(s, 3),
                  (size_t)sqlite3_column_bytes(s, 3));
    if (!stop && rc != SQLITE_DONE)
        *err = xasprintf(_("%s: reading its forms: %s"), b->path,
                         sqlite3_errmsg(b->db));
    sqlite3_finalize(s);
    return stop || rc != SQLITE_DONE ? -1 : 0;
}
