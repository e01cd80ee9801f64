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
    sqlite3_stmt *figq[SFQ_DUPLICATES + 1]; /* prepared once a reader */
    sqlite3_stmt *member; /* store_reader_scope_assign's insert */
    sqlite3_stmt *rows;   /* store_reader_fig_rows' */
    int v7;               /* reviews.content and duplicates.decision: 1, 0,
                           * or -1 not yet looked at */
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
    /* Nothing written beside a database this user may only read, and its
     * mode left as it is: reading is not the owner's business. */
    sqlite3 *db = NULL;
    if (store_sqlite_open_ro(path, &db, err) != 0)
        return -1;
    sqlite3_busy_timeout(db, 5000);
    /* Not mapped: every mapped page of the file counts in the resident
     * memory, so a report over a province's database (1.6 GB for a
     * million households) grew to the map's size; read through SQLite's
     * small page cache it costs about the same CPU. */
    sqlite3_exec(db, "PRAGMA mmap_size = 0", NULL, NULL, NULL);
    if ((*err = reader_refusal(db, path)) != NULL) {
        sqlite3_close(db);
        return -1;
    }
    store_reader *r = xcalloc(1, sizeof *r);
    r->v7 = -1;
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
    sqlite3_finalize(r->member);
    sqlite3_finalize(r->rows);
    for (size_t i = 0; i < sizeof r->figq / sizeof *r->figq; i++)
        sqlite3_finalize(r->figq[i]);
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
/* Interview i's review state, and whether it is a superseded duplicate,
 * in SQL (schema 7 and later). */
#define REVIEW_STATE_SQL \
    "coalesce((SELECT CASE WHEN v.content IS (SELECT content FROM" \
    " revisions WHERE id = i.head) THEN v.status WHEN v.status =" \
    " 'approved' THEN 'changed' WHEN i.status = 'draft' OR NOT " \
    STORE_RETURN_SEEN_SQL("i.uuid", "v.revision", "i.head") " THEN" \
    " 'returned' ELSE 'corrected' END FROM reviews v WHERE" \
    " v.interview = i.uuid), 'unreviewed')"
#define SUPERSEDED_SQL STORE_DUP_DROPPED_SQL("i.uuid")

/* Non-zero for schema 7 and later (reviews of a content, decided
 * duplicates); looked at once a reader. */
static int is_v7(store_reader *r)
{
    if (r->v7 < 0)
        r->v7 = has_column(r, "reviews", "content")
                && has_column(r, "duplicates", "decision");
    return r->v7;
}

int store_reader_dup_pairs(store_reader *r, int scoped, long pairs[3])
{
    pairs[0] = pairs[1] = pairs[2] = 0;
    if (!store_reader_has_table(r, "duplicates"))
        return -1;
    /* Before schema 7 no pair was ever decided. */
    char *sql = sqlite3_mprintf("SELECT %s, count(*) FROM duplicates d%s"
        " GROUP BY 1", is_v7(r) ? "coalesce(d.decision, '')" : "''",
        scoped ? " WHERE d.a IN temp.report_scope AND d.b IN"
                 " temp.report_scope" : "");
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *d = col(st, 0);
        pairs[!strcmp(d, "same") ? 1 : !strcmp(d, "different") ? 2 : 0] +=
            (long)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static char *iv_sql(store_reader *r, int one_form, unsigned flags)
{
    int v7 = is_v7(r);
    /* "form_id = ?1" alone, so that one form's interviews are found by
     * its index rather than by reading every interview. */
    return sqlite3_mprintf("SELECT uuid, form_id, form_version, status,"
        " enumerator, device_id, created, updated, %s, %s"
        " FROM interviews i WHERE %s%s%s ORDER BY uuid",
        v7 ? REVIEW_STATE_SQL : "'unreviewed'", v7 ? SUPERSEDED_SQL : "0",
        one_form ? "form_id = ?1" : "?1 IS NULL",
        flags & STORE_WALK_DRAFTS ? " AND status = 'draft'" : "",
        /* One form's: by its index, each checked against the scope (the
         * unary + keeps SQLite from reading the scope first instead). */
        !(flags & STORE_WALK_SCOPED) ? ""
        : one_form ? " AND +uuid IN temp.report_scope"
        : " AND uuid IN temp.report_scope");
}

int store_reader_interviews(store_reader *r, const char *form_id,
                            store_reader_iv_fn fn, void *ctx, char **err)
{
    return store_reader_walk(r, form_id, 0, fn, ctx, err);
}

int store_reader_walk(store_reader *r, const char *form_id, unsigned flags,
                      store_reader_iv_fn fn, void *ctx, char **err)
{
    sqlite3_stmt *st;
    char *sql = iv_sql(r, form_id != NULL, flags);
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
    char *sql = iv_sql(r, 0, 0);
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

int store_reader_review_totals(store_reader *r, store_review_totals *t,
                               char **err)
{
    memset(t, 0, sizeof *t);
    if (!is_v7(r))
        return 1;
    /* One row an interview, added up here: as one SQL aggregate, SQLite
     * copied the review's and the superseded mark's subqueries into every
     * total that uses them (seven lookups of each an interview).  vs: its
     * review row's status; held: that review judged the head's content;
     * sup: a complete interview superseded by a duplicate decision. */
    static const char sql[] = "SELECT v.status, i.status = 'complete',"
        " i.status = 'draft', CASE WHEN v.interview IS NULL THEN 0 ELSE"
        " v.content IS (SELECT content FROM revisions WHERE id = i.head)"
        " END, CASE WHEN i.status = 'complete' THEN " SUPERSEDED_SQL
        " ELSE 0 END, CASE WHEN v.status = 'returned' THEN "
        STORE_RETURN_SEEN_SQL("i.uuid", "v.revision", "i.head")
        " ELSE 0 END FROM interviews i LEFT JOIN reviews v"
        " ON v.interview = i.uuid";
    static const char *const states[5] = {
        "unreviewed", "approved", "returned", "changed", "corrected"};
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        const char *vs = (const char *)sqlite3_column_text(st, 0);
        int c = sqlite3_column_int(st, 1), draft = sqlite3_column_int(st, 2);
        int held = sqlite3_column_int(st, 3), sup = sqlite3_column_int(st, 4);
        int seen = sqlite3_column_int(st, 5);
        t->interviews++;
        /* The review as store_origins gives it: held while the content
         * it judged is the head's. */
        if (held && vs && !strcmp(vs, "approved"))
            t->approved++;
        else if (held && vs && !strcmp(vs, "returned"))
            t->returned++;
        if (!c)
            continue;
        if (sup) {
            t->superseded++;
            continue;
        }
        /* The state REVIEW_STATE_SQL gives. */
        const char *state = !vs ? "unreviewed" : held ? vs
            : !strcmp(vs, "approved") ? "changed"
            : draft || !seen ? "returned" : "corrected";
        for (int k = 0; k < 5; k++)
            if (!strcmp(state, states[k]))
                t->states[k]++;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    *err = xasprintf(_("%s: cannot read the interviews: %s"), r->path,
                     sqlite3_errmsg(r->db));
    return -1;
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

/* ---------------------------------------------------------------- figures */

int store_reader_fig_scope(store_reader *r, char *const *uuids, size_t n,
                           char **err)
{
    int rc = sqlite3_exec(r->db, "CREATE TEMP TABLE IF NOT EXISTS"
                          " report_scope (uuid TEXT PRIMARY KEY)"
                          " WITHOUT ROWID; DELETE FROM temp.report_scope;"
                          " BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(r->db, "INSERT OR IGNORE INTO"
                                " temp.report_scope VALUES (?1)", -1, &st,
                                NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        sqlite3_bind_text(st, 1, uuids[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return 0;
    *err = xasprintf(_("%s: cannot read: %s"), r->path, sqlite3_errmsg(r->db));
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* ------------------------------------------------- the comparison's scope */

/* Say what could not be read: -1 with *err set. */
static int scope_error(store_reader *r, char **err)
{
    *err = xasprintf(_("%s: cannot read where the interviews came from: %s"),
                     r->path, sqlite3_errmsg(r->db));
    return -1;
}

int store_reader_scope_load(store_reader *r, char **err)
{
    /* Temporary tables live in SQLite's temporary file, not in memory:
     * a province's million interviews stay out of the resident memory. */
    int rc = sqlite3_exec(r->db, "CREATE TEMP TABLE IF NOT EXISTS"
        " report_origin (uuid TEXT PRIMARY KEY, commune TEXT, conflicts INT,"
        " duplicates INT, review TEXT, complete INT, state TEXT,"
        " superseded INT) WITHOUT ROWID;"
        " CREATE TEMP TABLE IF NOT EXISTS report_member (row INT, uuid TEXT,"
        " PRIMARY KEY (row, uuid)) WITHOUT ROWID;"
        " DELETE FROM temp.report_origin; DELETE FROM temp.report_member",
        NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        int v7 = is_v7(r);
        char *extra = sqlite3_mprintf(", %s, %s",
            v7 ? REVIEW_STATE_SQL : "'unreviewed'", v7 ? SUPERSEDED_SQL : "0");
        rc = store_origins_into(r->db, "INSERT INTO temp.report_origin"
                                " (uuid, commune, conflicts, duplicates,"
                                " review, complete, state, superseded)",
                                extra);
        sqlite3_free(extra);
    }
    return rc == SQLITE_OK ? 0 : scope_error(r, err);
}

int store_reader_scope_origins(store_reader *r, int scoped,
                               store_origin_fn fn, void *ctx, char **err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, scoped
            ? "SELECT uuid, commune, conflicts, duplicates, review, complete,"
              " superseded FROM temp.report_origin WHERE uuid IN"
              " temp.report_scope ORDER BY uuid"
            : "SELECT uuid, commune, conflicts, duplicates, review, complete,"
              " superseded FROM temp.report_origin ORDER BY uuid", -1, &st,
            NULL))
        return scope_error(r, err);
    int rc, ret = 0;
    while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_origin o = {col(st, 0), col(st, 1), sqlite3_column_int64(st, 2),
                          sqlite3_column_int64(st, 3), col(st, 4),
                          sqlite3_column_int(st, 5),
                          sqlite3_column_int(st, 6)};
        ret = fn(ctx, &o);
    }
    if (!ret && rc != SQLITE_DONE)
        ret = scope_error(r, err);
    sqlite3_finalize(st);
    return ret;
}

int store_reader_scope_states(store_reader *r, store_state_fn fn, void *ctx,
                              char **err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT state, superseded, count(*) FROM"
                           " temp.report_origin WHERE complete AND uuid IN"
                           " temp.report_scope GROUP BY 1, 2", -1, &st, NULL))
        return scope_error(r, err);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, col(st, 0), sqlite3_column_int(st, 1),
           sqlite3_column_int64(st, 2));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : scope_error(r, err);
}

int store_reader_scope_assign(store_reader *r, const char *uuid, long row,
                              char **err)
{
    if (!r->member && sqlite3_prepare_v2(r->db, "INSERT OR IGNORE INTO"
                                         " temp.report_member VALUES (?1, ?2)",
                                         -1, &r->member, NULL))
        return scope_error(r, err);
    sqlite3_bind_int64(r->member, 1, row);
    sqlite3_bind_text(r->member, 2, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(r->member);
    sqlite3_reset(r->member);
    return rc == SQLITE_DONE ? 0 : scope_error(r, err);
}

int store_reader_scope_batch(store_reader *r, int begin, char **err)
{
    if (!begin && sqlite3_get_autocommit(r->db))
        return 0;
    /* A new grouping's members replace the last one's. */
    if (sqlite3_exec(r->db, begin ? "BEGIN; DELETE FROM temp.report_member"
                     : "COMMIT", NULL, NULL, NULL))
        return scope_error(r, err);
    return 0;
}

int store_reader_scope_members(store_reader *r, long row, char ***uuids,
                               size_t *n, char **err)
{
    *uuids = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT uuid FROM temp.report_member"
                           " WHERE row = ?1 ORDER BY uuid", -1, &st, NULL))
        return scope_error(r, err);
    sqlite3_bind_int64(st, 1, row);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *uuids = util_grow(*uuids, &cap, *n + 1, sizeof **uuids);
        (*uuids)[(*n)++] = xstrdup(col(st, 0));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    for (size_t i = 0; i < *n; i++)
        free((*uuids)[i]);
    free(*uuids);
    *uuids = NULL;
    *n = 0;
    return scope_error(r, err);
}

/* The selected interviews' rows, gathered once (temp.report_sel) for the
 * aggregates that follow: ?1 the definition, ?2 the forms (a JSON array),
 * then the selection.  An interview whose figures are missing or not of
 * the definition, its form version and head is marked stale: checking
 * the figures costs no walk of its own.  Sorted by the table's key first,
 * so that each row is appended to the temporary file rather than put in
 * its middle (100,000 households: 40% less time here). */
#define SEL_SQL "DELETE FROM temp.report_sel;" \
    " INSERT INTO temp.report_sel SELECT i.uuid, i.form_id, i.enumerator," \
    " nullif(i.created, ''), u.village, u.readable, u.included, u.case_key," \
    " u.interview IS NULL OR u.definition <> ?1 OR u.form_version <>" \
    " i.form_version OR u.head IS NOT i.head" \
    " FROM interviews i LEFT JOIN report_units u ON u.interview = i.uuid" \
    " WHERE i.status = 'complete' AND i.form_id IN" \
    " (SELECT value FROM json_each(?2))%s%s%s ORDER BY i.uuid;" \
    " SELECT count(*) FROM temp.report_sel WHERE stale"

int store_reader_fig_select(store_reader *r, const store_fig_sel *sel,
                            char **err)
{
    if (!store_reader_has_table(r, "report_units"))
        return 1;
    int rc = sqlite3_exec(r->db, "CREATE TEMP TABLE IF NOT EXISTS report_sel"
                          " (uuid TEXT PRIMARY KEY, form_id TEXT, enumerator"
                          " TEXT, created TEXT, village TEXT, readable INT,"
                          " included INT, case_key TEXT, stale INT)"
                          " WITHOUT ROWID", NULL, NULL, NULL);
    char *sql = sqlite3_mprintf(SEL_SQL,
        sel->scoped ? " AND i.uuid IN temp.report_scope" : "",
        sel->superseded ? "" : " AND NOT " SUPERSEDED_SQL,
        sel->approved_only ? " AND " REVIEW_STATE_SQL " = 'approved'" : "");
    const char *tail = sql;
    sqlite3_stmt *st = NULL;
    long stale = 0;
    /* Three statements: the DELETE, the INSERT, the stale ones counted. */
    while (rc == SQLITE_OK && tail && *tail) {
        rc = sqlite3_prepare_v2(r->db, tail, -1, &st, &tail);
        if (rc != SQLITE_OK || !st)
            break;
        if (sqlite3_bind_parameter_count(st)) {
            sqlite3_bind_text(st, 1, sel->definition, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, sel->forms, -1, SQLITE_STATIC);
        }
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            stale = (long)sqlite3_column_int64(st, 0);
        rc = step == SQLITE_DONE || step == SQLITE_ROW ? SQLITE_OK
                                                       : SQLITE_ERROR;
        sqlite3_finalize(st);
        st = NULL;
    }
    sqlite3_free(sql);
    if (rc == SQLITE_OK)
        return stale ? 1 : 0;
    *err = xasprintf(_("%s: cannot read the stored figures: %s"), r->path,
                     sqlite3_errmsg(r->db));
    return -1;
}

/* The aggregates over temp.report_sel, by store_fig_query.  CROSS JOIN
 * keeps SQLite reading the few selected interviews first and seeking
 * their rows, never scanning every stored figure for them. */
static const char *const fig_query_sql[] = {
    [SFQ_UNITS] = "SELECT form_id, village, readable, included, count(*),"
        " min(created), max(created) FROM temp.report_sel"
        " GROUP BY 1, 2, 3, 4",
    [SFQ_ENUMS] = "SELECT enumerator, form_id, sum(readable)"
        " FROM temp.report_sel GROUP BY 1, 2",
    [SFQ_TALLIES] = "SELECT t.tally, t.code, sum(t.n)"
        " FROM temp.report_sel s CROSS JOIN report_tallies t"
        " ON t.interview = s.uuid GROUP BY 1, 2",
    [SFQ_DUPLICATES] = "SELECT form_id, sum(c) FROM (SELECT form_id,"
        " count(*) AS c FROM temp.report_sel WHERE readable AND case_key"
        " IS NOT NULL GROUP BY form_id, case_key HAVING count(*) > 1)"
        " GROUP BY 1",
};

int store_reader_fig_query(store_reader *r, enum store_fig_query q,
                           store_reader_fig_fn fn, void *ctx, char **err)
{
    /* Prepared once: a comparison runs them for every commune. */
    sqlite3_stmt *st = r->figq[q];
    int rc = st ? SQLITE_OK : sqlite3_prepare_v2(r->db, fig_query_sql[q], -1,
                                                 &r->figq[q], NULL);
    st = r->figq[q];
    int ret = 0;
    if (rc == SQLITE_OK) {
        int n = sqlite3_column_count(st);
        const char *text[10];
        double num[10];
        while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            for (int i = 0; i < n && i < 10; i++) {
                text[i] = (const char *)sqlite3_column_text(st, i);
                num[i] = sqlite3_column_double(st, i);
            }
            ret = fn(ctx, text, num);
        }
        if (!ret && rc != SQLITE_DONE)
            ret = -1;
    } else {
        ret = -1;
        st = NULL;
    }
    if (ret < 0 && rc != SQLITE_ROW)
        *err = xasprintf(_("%s: cannot read the stored figures: %s"),
                         r->path, sqlite3_errmsg(r->db));
    if (st)
        sqlite3_reset(st);
    return ret;
}

int store_reader_fig_rows(store_reader *r, store_reader_figrow_fn fn,
                          void *ctx, char **err)
{
    /* The figures' rows as they lie, found from the selected interviews
     * (CROSS JOIN: never a scan of every stored figure); a GROUP BY
     * village and figure here sorted every row and was most of a
     * report's time. */
    if (!r->rows && sqlite3_prepare_v2(r->db, "SELECT s.village,"
            " f.distinct_key, f.figure, f.num, f.den, f.units, f.flagged"
            " FROM temp.report_sel s CROSS JOIN report_figures f"
            " ON f.interview = s.uuid", -1, &r->rows, NULL) != SQLITE_OK) {
        *err = xasprintf(_("%s: cannot read the stored figures: %s"),
                         r->path, sqlite3_errmsg(r->db));
        return -1;
    }
    sqlite3_stmt *st = r->rows;
    int rc, ret = 0;
    while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_fig_row f = {
            (const char *)sqlite3_column_text(st, 0),
            (const char *)sqlite3_column_text(st, 1),
            (long)sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3),
            sqlite3_column_double(st, 4), (long)sqlite3_column_int64(st, 5),
            (long)sqlite3_column_int64(st, 6)};
        ret = fn(ctx, &f);
    }
    if (!ret && rc != SQLITE_DONE) {
        *err = xasprintf(_("%s: cannot read the stored figures: %s"),
                         r->path, sqlite3_errmsg(r->db));
        ret = -1;
    }
    sqlite3_reset(st);
    return ret;
}
