/* store_backup.c: consistent copies of a database that is in use, and the
 * checks that a copy holds exactly what it should.
 *
 * Copying the file of an open database gives a header without the data
 * still in its -wal file.  A snapshot instead reads the database through
 * SQLite inside one read transaction: the content digest and the page copy
 * (the online backup API) see the same state, while the screens and a
 * merge keep writing (WAL readers and writers do not block each other).
 *
 * The content digest is SHA-256 over every table, in name order, of every
 * row, in key order, of every value with its type: two databases with the
 * same digest hold the same data, whatever their page layout. */
#include "config.h"
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/durable.h"
#include "core/i18n.h"
#include "store/sqlutil.h"

/* Feed one value, tagged with its type and length, to the hash. */
static void hash_value(crypto_hash_sha256_state *h, sqlite3_stmt *s, int i)
{
    unsigned char tag = (unsigned char)sqlite3_column_type(s, i);
    crypto_hash_sha256_update(h, &tag, 1);
    const void *p = NULL;
    int n = 0;
    char num[40];
    if (tag == SQLITE_INTEGER) {
        n = snprintf(num, sizeof num, "%lld",
                     (long long)sqlite3_column_int64(s, i));
        p = num;
    } else if (tag == SQLITE_FLOAT) {
        n = snprintf(num, sizeof num, "%.17g", sqlite3_column_double(s, i));
        p = num;
    } else if (tag != SQLITE_NULL) {
        p = tag == SQLITE_BLOB ? sqlite3_column_blob(s, i)
                               : (const void *)sqlite3_column_text(s, i);
        n = sqlite3_column_bytes(s, i);
    }
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n};
    crypto_hash_sha256_update(h, len, sizeof len);
    if (n > 0)
        crypto_hash_sha256_update(h, p, (unsigned long long)n);
}

/* Hash every row of table name.  Rowid tables in rowid order; WITHOUT
 * ROWID ones (which have no rowid) by all their columns, primary key
 * first in this schema. */
static int hash_table(sqlite3 *db, crypto_hash_sha256_state *h,
                      const char *name)
{
    char *q = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", name);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, q, -1, &s, NULL);
    sqlite3_free(q);
    if (rc != SQLITE_OK) {
        q = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
        rc = sqlite3_prepare_v2(db, q, -1, &s, NULL);
        sqlite3_free(q);
        if (rc != SQLITE_OK)
            return rc;
        int ncol = sqlite3_column_count(s);
        sqlite3_finalize(s);
        sbuf b;
        sbuf_init(&b);
        char *head = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY 1", name);
        sbuf_add(&b, head);
        sqlite3_free(head);
        for (int i = 2; i <= ncol; i++)
            sbuf_addf(&b, ", %d", i);
        rc = sqlite3_prepare_v2(db, b.s, -1, &s, NULL);
        sbuf_free(&b);
        if (rc != SQLITE_OK)
            return rc;
    }
    crypto_hash_sha256_update(h, (const unsigned char *)name,
                              strlen(name) + 1);
    int ncol = sqlite3_column_count(s);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        for (int i = 0; i < ncol; i++)
            hash_value(h, s, i);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The content digest of db (see above) as lowercase hex. */
static int digest_db(sqlite3 *db, char out[65])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    sqlite3_stmt *t = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE"
                                " type = 'table' ORDER BY name", -1, &t,
                                NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(t)) == SQLITE_ROW)
        rc = hash_table(db, &h, (const char *)sqlite3_column_text(t, 0));
    sqlite3_finalize(t);
    if (rc != SQLITE_DONE && rc != SQLITE_OK)
        return rc;
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
    return SQLITE_OK;
}

/* Why copying st's database db into out failed with rc: no room said so
 * with what to do, else SQLite's words from whichever side has them
 * (newly allocated). */
static char *copy_failure(sqlite3 *db, sqlite3 *out, int rc)
{
    int e = out ? sqlite3_system_errno(out) : 0;
    if ((rc & 0xff) == SQLITE_FULL || durable_no_room(e)) {
        char *why = durable_write_why(durable_no_room(e) ? e : ENOSPC);
        char *msg = xasprintf(_("no room for the copy made beside it "
                                "first: %s"), why);
        free(why);
        return msg;
    }
    if (out && sqlite3_errcode(out) != SQLITE_OK)
        return xstrdup(sqlite3_errmsg(out));
    if (sqlite3_errcode(db) != SQLITE_OK)
        return xstrdup(sqlite3_errmsg(db));
    return xstrdup(sqlite3_errstr(rc));
}

/* Copy st's database into out in one read transaction (the digest and the
 * pages of one state): SQLITE_OK, or the step that failed in *step and
 * why (newly allocated) in *why. */
static int copy_into(store *st, sqlite3 *out, char digest[65],
                     const char **step, char **why)
{
    *step = "reading the database";
    int rc = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = digest_db(st->db, digest);
    sqlite3_backup *b = NULL;
    if (rc == SQLITE_OK) {
        *step = "copying";
        b = sqlite3_backup_init(out, "main", st->db, "main");
        rc = b ? sqlite3_backup_step(b, -1) : sqlite3_errcode(out);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        if (b && sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_OK)
            rc = sqlite3_errcode(out);
    }
    *why = rc == SQLITE_OK ? NULL : copy_failure(st->db, out, rc);
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

/* The failure of a snapshot of st at step (why or SQLite's words). */
static int snapshot_failed(store *st, const char *step, char *why, int rc,
                           char **err)
{
    *err = xasprintf("%s: %s: %s", st->path, step,
                     why ? why : sqlite3_errstr(rc));
    free(why);
    return -1;
}

int store_snapshot(store *st, const char *dest, char digest[65], char **err)
{
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE, NULL);
    const char *step = "opening the copy";
    char *why = NULL;
    if (rc == SQLITE_OK)
        rc = copy_into(st, out, digest, &step, &why);
    /* A copy is one file: no -wal beside it on the stick. */
    if (rc == SQLITE_OK) {
        step = "finishing the copy";
        rc = sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL,
                          NULL);
        if (rc != SQLITE_OK)
            why = xstrdup(sqlite3_errmsg(out));
    }
    if (sqlite3_close(out) != SQLITE_OK && rc == SQLITE_OK) {
        rc = SQLITE_ERROR;
        why = xstrdup(_("cannot close the copy"));
    }
    return rc == SQLITE_OK ? 0 : snapshot_failed(st, step, why, rc, err);
}

unsigned char *store_snapshot_memory(store *st, size_t *len,
                                     char digest[65], char **err)
{
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(":memory:", &out, SQLITE_OPEN_READWRITE, NULL);
    const char *step = "opening the copy";
    char *why = NULL;
    unsigned char *data = NULL;
    if (rc == SQLITE_OK)
        rc = copy_into(st, out, digest, &step, &why);
    sqlite3_int64 n = 0;
    unsigned char *image = rc == SQLITE_OK
        ? sqlite3_serialize(out, "main", &n, 0) : NULL;
    if (rc == SQLITE_OK && (!image || n < 100)) {
        step = "finishing the copy";
        rc = SQLITE_NOMEM;
    }
    if (image && n >= 100) {
        /* One file with no -wal: the header's legacy journal bytes, as
         * journal_mode = DELETE writes them. */
        image[18] = image[19] = 1;
        data = xmalloc((size_t)n);
        memcpy(data, image, (size_t)n);
        *len = (size_t)n;
        sodium_memzero(image, (size_t)n);
    }
    sqlite3_free(image);
    sqlite3_close(out);
    if (rc != SQLITE_OK) {
        snapshot_failed(st, step, why, rc, err);
        return NULL;
    }
    return data;
}

/* integrity_check, khaosat's identity, the digest of an open copy and
 * (interviews not NULL) how many interviews it holds; *why newly allocated
 * on failure. */
static int check_copy(sqlite3 *db, char digest[65], long *interviews,
                      char **why)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(s, 0);
        if (r && strcmp(r, "ok") != 0) {
            *why = xasprintf(_("damaged: %s"), r);
            sqlite3_finalize(s);
            return -1;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    long app = 0, version = 0;
    if (rc == SQLITE_OK)
        rc = sqlutil_long(db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = sqlutil_long(db, "PRAGMA user_version", &version);
    if (rc == SQLITE_OK && app != STORE_APP_ID) {
        *why = xstrdup(_("not a copy of a khaosat database"));
        return -1;
    }
    if (rc == SQLITE_OK && version > STORE_SCHEMA_VERSION) {
        *why = xasprintf(_("made by a newer khaosat (database schema %ld; "
                           "this khaosat knows up to %d); update khaosat"),
                         version, STORE_SCHEMA_VERSION);
        return -1;
    }
    if (rc == SQLITE_OK && store_schema_check(db, version, why) != 0)
        return -1;
    if (rc == SQLITE_OK)
        rc = digest_db(db, digest);
    if (rc == SQLITE_OK && interviews)
        rc = sqlutil_long(db, "SELECT count(*) FROM interviews", interviews);
    if (rc != SQLITE_OK) {
        *why = xasprintf(_("damaged, cannot be read: %s"), sqlite3_errstr(rc));
        return -1;
    }
    return 0;
}

int store_check_image(const char *name, const unsigned char *data,
                      size_t len, char digest[65], long *interviews,
                      char **err)
{
    sqlite3 *db = NULL;
    char *why = NULL;
    int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL);
    unsigned char *copy = NULL;
    if (rc == SQLITE_OK && len > 0) {
        /* SQLite owns and frees what it is given. */
        copy = sqlite3_malloc64(len);
        rc = copy ? SQLITE_OK : SQLITE_NOMEM;
    }
    if (rc == SQLITE_OK && len > 0) {
        memcpy(copy, data, len);
        rc = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len,
                                 (sqlite3_int64)len,
                                 SQLITE_DESERIALIZE_FREEONCLOSE
                                 | SQLITE_DESERIALIZE_READONLY);
    }
    if (rc != SQLITE_OK || len == 0)
        why = xstrdup(_("empty or unreadable copy"));
    else
        rc = check_copy(db, digest, interviews, &why);
    sqlite3_close(db);
    if (why) {
        *err = xasprintf("%s: %s", name, why);
        free(why);
        return -1;
    }
    return 0;
}

int store_check_file(const char *path, char digest[65], char **err)
{
    sqlite3 *db = NULL;
    char *why = NULL;
    /* Read-only and immutable: checking a file never writes beside it. */
    char *uri = store_immutable_uri(path);
    int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                             NULL);
    free(uri);
    if (rc != SQLITE_OK)
        why = xasprintf(_("cannot open: %s"), sqlite3_errstr(rc));
    else
        check_copy(db, digest, NULL, &why);
    sqlite3_close(db);
    if (why) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
        return -1;
    }
    return 0;
}

int store_data_summary(store *st, long *interviews, char **latest)
{
    *latest = NULL;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "SELECT count(*), max(updated)"
                                " FROM interviews", -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        *interviews = (long)sqlite3_column_int64(s, 0);
        const char *t = (const char *)sqlite3_column_text(s, 1);
        *latest = t ? xstrdup(t) : NULL;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_OK)
        return store_fail(st, "counting the interviews");
    return 0;
}

int store_close_for_replace(store *st, char **err)
{
    /* Back to a single file, which needs every other user gone: then no
     * -wal of the old database can be applied to the new one. */
    sqlite3_busy_timeout(st->db, 0);      /* in use: say so at once */
    int rc = sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
                          NULL, NULL);
    char *mode = NULL;
    if (rc == SQLITE_OK) {
        sqlite3_stmt *s = NULL;
        rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = DELETE", -1,
                                &s, NULL);
        if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
            mode = xstrdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    if (rc != SQLITE_OK || !mode || strcmp(mode, "delete") != 0) {
        *err = xasprintf(_("%s is open in another khaosat (a screen or a "
                           "merge); close it first"), st->path);
        free(mode);
        store_close(st);
        return -1;
    }
    free(mode);
    store_close(st);
    return 0;
}

/* "N things" for n rows of table, in words for the tables people know. */
static char *held_text(const char *table, long n)
{
    unsigned long k = (unsigned long)n;
    if (!strcmp(table, "interviews"))
        return xasprintf(ngettext("%ld interview", "%ld interviews", k), n);
    if (!strcmp(table, "identity"))
        return xstrdup(_("its keys"));
    if (!strcmp(table, "trusted"))
        return xasprintf(ngettext("%ld trusted card", "%ld trusted cards", k),
                         n);
    if (!strcmp(table, "reviews"))
        return xasprintf(ngettext("%ld review", "%ld reviews", k), n);
    if (!strcmp(table, "revisions"))
        return xasprintf(ngettext("%ld revision", "%ld revisions", k), n);
    if (!strcmp(table, "bundles"))
        return xasprintf(ngettext("%ld bundle merged or exported",
                                  "%ld bundles merged or exported", k), n);
    if (!strcmp(table, "settings"))
        return xasprintf(ngettext("%ld setting", "%ld settings", k), n);
    if (!strcmp(table, "villages") || !strcmp(table, "households"))
        return xasprintf(ngettext("%ld row of its set-up",
                                  "%ld rows of its set-up", k), n);
    if (!strcmp(table, "forms"))
        return xasprintf(ngettext("%ld form", "%ld forms", k), n);
    return xasprintf(_("%ld rows of %s"), n, table);
}

char *store_data_held(store *st, int skip_keys)
{
    sqlite3_stmt *t = NULL;
    sbuf b;
    sbuf_init(&b);
    if (sqlite3_prepare_v2(st->db, "SELECT name FROM sqlite_master WHERE type"
                           " = 'table' AND name NOT LIKE 'sqlite%'"
                           " ORDER BY rowid", -1, &t, NULL) != SQLITE_OK) {
        sbuf_free(&b);
        return xstrdup(_("data that cannot be read"));
    }
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(t, 0);
        if (skip_keys && !strcmp(name, "identity"))
            continue;
        /* Every new database has its device id: that alone is not data. */
        char *q = sqlite3_mprintf(strcmp(name, "settings") ? "SELECT count(*)"
                                  " FROM \"%w\"" : "SELECT count(*) FROM"
                                  " \"%w\" WHERE key <> 'device_id'", name);
        long n = 0;
        if (sqlutil_long(st->db, q, &n) != SQLITE_OK)
            n = 1;
        sqlite3_free(q);
        if (n > 0) {
            char *w = held_text(name, n);
            sbuf_addf(&b, "%s%s", b.len ? ", " : "", w);
            free(w);
        }
    }
    sqlite3_finalize(t);
    if (!b.len) {
        sbuf_free(&b);
        return NULL;
    }
    return sbuf_detach(&b);
}
