/* store_reader.c: bulk read-only access to a khaosat database for the
 * report and the CSV export. */
#include "config.h"
#include "store/store_reader.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "store/sqlutil.h"
#include "store/store.h"
#include "store/store_int.h"

struct store_reader {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *answers, *counts;
};

/* One integer from a query, or def on failure. */
static long query_long(sqlite3 *db, const char *sql, long def)
{
    long v = def;
    sqlutil_long(db, sql, &v);
    return v;
}

/* Refuse what this code cannot read: a foreign file, a newer or an
 * ancient schema.  Returns a newly allocated reason, or NULL. */
static char *reader_refusal(sqlite3 *db, const char *path)
{
    long app = -1, ver = -1;
    int rc = sqlutil_long(db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = sqlutil_long(db, "PRAGMA user_version", &ver);
    char *dir_ro = rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN
        ? store_why_dir_readonly(path) : NULL;
    if (dir_ro)
        return dir_ro;
    if (rc != SQLITE_OK && rc != SQLITE_NOTADB)
        /* A real read failure, not a foreign file: say which. */
        return xasprintf(_("%s: cannot read the database: %s"), path,
                         sqlite3_errstr(rc));
    if (app != STORE_APP_ID)
        return xasprintf(_("%s is not a khaosat database"), path);
    if (ver > STORE_SCHEMA_VERSION)
        return store_newer_msg(path, ver);
    if (ver < 2)
        return xasprintf(_("%s was made by an old khaosat (database schema "
                           "%ld); open it once with this khaosat (khaosat "
                           "--db %s) to upgrade it"), path, ver, path);
    return NULL;
}

int store_reader_open(const char *path, store_reader **out, char **err)
{
    *out = NULL;
    if ((*err = store_why_unreadable(path)) != NULL)
        return -1;
    store_tighten_files(path);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        *err = xasprintf(_("%s: cannot open: %s"), path,
                         db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    /* A report reads every answer once: map the file rather than copy each
     * page through the page cache. */
    sqlite3_exec(db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
    if ((*err = reader_refusal(db, path)) != NULL) {
        sqlite3_close(db);
        return -1;
    }
    store_reader *r = xcalloc(1, sizeof *r);
    r->db = db;
    r->path = xstrdup(path);
    if (sqlite3_prepare_v2(db, "SELECT qid, path, value FROM answers"
                           " WHERE interview = ?1", -1, &r->answers, NULL)
        || sqlite3_prepare_v2(db, "SELECT path, count FROM repeat_counts"
                              " WHERE interview = ?1", -1, &r->counts,
                              NULL)) {
        *err = xasprintf(_("%s: cannot read: %s"), path, sqlite3_errmsg(db));
        store_reader_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

void store_reader_close(store_reader *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->answers);
    sqlite3_finalize(r->counts);
    sqlite3_close(r->db);
    free(r->path);
    free(r);
}

/* A column as text, never NULL. */
static const char *col(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? v : "";
}

static int has_column(store_reader *r, const char *table,
                      const char *column);

/* The review state and the superseded mark of interview i, as columns 8
 * and 9, for the schema at hand (before version 7: unreviewed, never
 * superseded).  See store_review.c for the states. */
static char *iv_sql(store_reader *r)
{
    int v7 = has_column(r, "reviews", "content")
             && has_column(r, "duplicates", "decision");
    return sqlite3_mprintf("SELECT uuid, form_id, form_version, status,"
        " enumerator, device_id, created, updated, %s, %s"
        " FROM interviews i WHERE ?1 IS NULL OR form_id = ?1 ORDER BY uuid",
        v7 ? "coalesce((SELECT CASE WHEN v.content IS (SELECT content FROM"
             " revisions WHERE id = i.head) THEN v.status WHEN v.status ="
             " 'approved' THEN 'changed' WHEN i.status = 'draft' THEN"
             " 'returned' ELSE 'corrected' END FROM reviews v WHERE"
             " v.interview = i.uuid), 'unreviewed')" : "'unreviewed'",
        v7 ? "EXISTS (SELECT 1 FROM duplicates d WHERE d.decision = 'same'"
             " AND (d.a = i.uuid OR d.b = i.uuid) AND d.keep <> i.uuid)"
           : "0");
}

int store_reader_interviews(store_reader *r, const char *form_id,
                            store_reader_iv_fn fn, void *ctx, char **err)
{
    sqlite3_stmt *st;
    char *sql = iv_sql(r);
    int prc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (prc != SQLITE_OK) {
        *err = xasprintf(_("%s: cannot read the interviews: %s"), r->path,
                         sqlite3_errmsg(r->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
    int rc, ret = 0;
    while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_reader_iv iv = {col(st, 0), col(st, 1), col(st, 2), col(st, 3),
                              col(st, 4), col(st, 5), col(st, 6),
                              col(st, 7), col(st, 8),
                              sqlite3_column_int(st, 9)};
        ret = fn(ctx, &iv);
    }
    if (!ret && rc != SQLITE_DONE) {
        *err = xasprintf(_("%s: cannot read the interviews: %s"), r->path,
                         sqlite3_errmsg(r->db));
        ret = -1;
    }
    sqlite3_finalize(st);
    return ret;
}

int store_reader_rows(store_reader *r, const char *uuid,
                      store_reader_row_fn fn, void *ctx, char **err)
{
    int rc;
    sqlite3_bind_text(r->answers, 1, uuid, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(r->answers)) == SQLITE_ROW)
        fn(ctx, col(r->answers, 0), col(r->answers, 1), col(r->answers, 2),
           -1);
    sqlite3_reset(r->answers);
    if (rc == SQLITE_DONE) {
        sqlite3_bind_text(r->counts, 1, uuid, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(r->counts)) == SQLITE_ROW)
            fn(ctx, NULL, col(r->counts, 0), NULL,
               (long)sqlite3_column_int64(r->counts, 1));
        sqlite3_reset(r->counts);
    }
    if (rc == SQLITE_DONE)
        return 0;
    *err = xasprintf(_("%s: cannot read the answers of %s: %s"), r->path,
                     uuid, sqlite3_errmsg(r->db));
    return -1;
}

char *store_reader_form_text(store_reader *r, const char *id,
                             const char *version, size_t *len)
{
    sqlite3_stmt *st;
    char *text = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT source FROM forms WHERE"
                           " form_id = ?1 AND version = ?2", -1, &st,
                           NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        text = xstrndup(col(st, 0), *len);
    }
    sqlite3_finalize(st);
    return text;
}

char **store_reader_versions(store_reader *r, const char *form_id)
{
    sqlite3_stmt *st;
    size_t n = 0;
    char **v = xcalloc(1, sizeof *v);
    if (sqlite3_prepare_v2(r->db, "SELECT DISTINCT form_id, form_version"
                           " FROM interviews WHERE ?1 IS NULL OR form_id = ?1"
                           " ORDER BY form_id, form_version", -1, &st,
                           NULL) != SQLITE_OK)
        return v;
    sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        v = xrealloc(v, (n + 2) * sizeof *v);
        v[n++] = xasprintf("%s\t%s", col(st, 0), col(st, 1));
        v[n] = NULL;
    }
    sqlite3_finalize(st);
    return v;
}

int store_reader_notes(store_reader *r, store_note_fn fn, void *ctx,
                       char **err)
{
    if (!store_reader_has_table(r, "notes"))
        return 0;           /* a database from before notes */
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(r->db, "SELECT interview, qid, path, note"
                                " FROM notes ORDER BY interview, path, qid",
                                -1, &st, NULL);
    int stop = 0;
    if (rc == SQLITE_OK)
        while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
            stop = fn(ctx, col(st, 0), col(st, 1), col(st, 2), col(st, 3));
    sqlite3_finalize(st);
    if (stop || rc == SQLITE_DONE)
        return stop;
    *err = xasprintf(_("%s: cannot read the notes: %s"), r->path,
                     sqlite3_errmsg(r->db));
    return -1;
}

int store_reader_has_table(store_reader *r, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM sqlite_master WHERE"
                           " type = 'table' AND name = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Non-zero when table has a column of that name. */
static int has_column(store_reader *r, const char *table, const char *column)
{
    char *sql = sqlite3_mprintf("SELECT 1 FROM pragma_table_info(%Q)"
                                " WHERE name = %Q", table, column);
    long v = query_long(r->db, sql, 0);
    sqlite3_free(sql);
    return v == 1;
}

long store_reader_open_rows(store_reader *r, const char *table)
{
    if (!store_reader_has_table(r, table))
        return -1;
    char *sql;
    /* What "open" means is read from the columns the table has, so the
     * count follows whichever the schema version uses. */
    if (has_column(r, table, "decision"))       /* duplicates, schema 7 */
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE"
                              " decision IS NULL", table);
    else if (has_column(r, table, "resolved_rev"))
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE"
                              " resolved_rev IS NULL", table);
    else if (has_column(r, table, "resolved"))
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE resolved IS"
                              " NULL OR resolved IN (0, '', '0')", table);
    else if (has_column(r, table, "status"))
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE status IS"
                              " NULL OR status IN ('open', '')", table);
    else
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
    long v = query_long(r->db, sql, -1);
    sqlite3_free(sql);
    return v;
}

int store_reader_review_counts(store_reader *r, long counts[5],
                               long *superseded, char **err)
{
    memset(counts, 0, 5 * sizeof *counts);
    *superseded = 0;
    static const char *const states[5] = {
        "unreviewed", "approved", "returned", "changed", "corrected"};
    char *sql = iv_sql(r);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        *err = xasprintf(_("%s: cannot read the interviews: %s"), r->path,
                         sqlite3_errmsg(r->db));
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (strcmp(col(st, 3), "complete"))
            continue;
        if (sqlite3_column_int(st, 9)) {
            ++*superseded;
            continue;
        }
        for (int i = 0; i < 5; i++)
            if (!strcmp(col(st, 8), states[i]))
                counts[i]++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        *err = xasprintf(_("%s: cannot read the interviews: %s"), r->path,
                         sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

long store_reader_interview_count(store_reader *r)
{
    return query_long(r->db, "SELECT count(*) FROM interviews", 0);
}

long store_reader_key_duplicates(store_reader *r, const char *form_id,
                                 const char *const *qids, size_t nkey)
{
    if (!nkey)
        return 0;
    sbuf key;
    sbuf_init(&key);
    for (size_t i = 0; i < nkey; i++) {
        char *part = sqlite3_mprintf("%s(SELECT value FROM answers WHERE"
                                     " interview = i.uuid AND qid = %Q AND"
                                     " path = '')", i ? " || char(31) || " : "",
                                     qids[i]);
        sbuf_add(&key, part);
        sqlite3_free(part);
    }
    char *sql = sqlite3_mprintf("SELECT coalesce(sum(n), 0) FROM (SELECT"
                                " count(*) AS n FROM (SELECT %s AS k FROM"
                                " interviews i WHERE i.form_id = %Q AND"
                                " i.status = 'complete') WHERE k IS NOT NULL"
                                " GROUP BY k HAVING count(*) > 1)",
                                key.s, form_id);
    long v = query_long(r->db, sql, 0);
    sqlite3_free(sql);
    sbuf_free(&key);
    return v;
}

int store_reader_origins(store_reader *r, store_origin_fn fn, void *ctx,
                         char **err)
{
    int rc = store_origins(r->db, fn, ctx);
    if (rc > 0 && rc < 256) {
        *err = xasprintf(_("%s: cannot read where the interviews came from: "
                           "%s"), r->path, sqlite3_errstr(rc));
        return -1;
    }
    return rc;
}
