/* report_scan.c: reading a khaosat database for reports and exports, one
 * interview at a time. The database is opened read-only by its own
 * connection: a report never changes data, and may run while the
 * enumerators' program has the file open (WAL readers do not block). */
#include "config.h"
#include "report/report_int.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "store/sqlutil.h"
#include "store/store.h"
#include "core/value.h"

/* "KHAO", as the store writes it. */
#define RSCAN_APP_ID 0x4B48414F

/* A form version loaded for the scan. */
typedef struct rscan_form {
    char *id, *version;
    form *owned;          /* loaded from the stored text, or NULL */
    const form *f;
} rscan_version;

struct rscan {
    sqlite3 *db;
    char *path;
    rscan_version *forms;
    size_t nforms;
    sqlite3_stmt *answers, *counts;
    inst_rows rows;       /* one interview's, storage reused for the next */
    int part, nparts;     /* rscan_each visits interviews i % nparts == part */
};

/* One integer from a query, or def on failure. */
static long query_long(sqlite3 *db, const char *sql, long def)
{
    long v = def;
    sqlutil_long(db, sql, &v);
    return v;
}

/* Open path read-only, check it is a khaosat database this code reads, and
 * prepare the per-interview statements into s. */
static int rscan_connect(rscan *s, const char *path, char **err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        *err = xasprintf(_("%s: cannot open: %s"), path,
                         db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    /* The scan reads every answer once: map the file rather than copy
     * each page through the page cache. */
    sqlite3_exec(db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
    long app = -1, ver = -1;
    int rc = sqlutil_long(db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = sqlutil_long(db, "PRAGMA user_version", &ver);
    if (rc != SQLITE_OK && rc != SQLITE_NOTADB) {
        /* A real read failure, not a foreign file: say which. */
        *err = xasprintf(_("%s: cannot read the database: %s"), path,
                         sqlite3_errstr(rc));
        sqlite3_close(db);
        return -1;
    }
    if (app != RSCAN_APP_ID) {
        *err = xasprintf(_("%s is not a khaosat database"), path);
        sqlite3_close(db);
        return -1;
    }
    if (ver > STORE_SCHEMA_VERSION) {
        *err = store_newer_msg(path, ver);
        sqlite3_close(db);
        return -1;
    }
    if (ver < 2) {
        *err = xasprintf(_("%s was made by an old khaosat (database schema "
                           "%ld); open it once with this khaosat (khaosat "
                           "--db %s) to upgrade it"), path, ver, path);
        sqlite3_close(db);
        return -1;
    }
    s->db = db;
    if (sqlite3_prepare_v2(db, "SELECT qid, path, value FROM answers"
                           " WHERE interview = ?1", -1, &s->answers, NULL) ||
        sqlite3_prepare_v2(db, "SELECT path, count FROM repeat_counts"
                           " WHERE interview = ?1", -1, &s->counts, NULL)) {
        *err = xasprintf(_("%s: cannot read: %s"), path, sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

int rscan_open(const char *path, rscan **out, char **err)
{
    *out = NULL;
    if ((*err = store_why_unreadable(path)) != NULL)
        return -1;
    rscan *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->nparts = 1;
    if (rscan_connect(s, path, err)) {
        rscan_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void rscan_disconnect(rscan *s)
{
    sqlite3_finalize(s->answers);
    sqlite3_finalize(s->counts);
    sqlite3_close(s->db);
    s->answers = s->counts = NULL;
    s->db = NULL;
}

int rscan_reconnect(rscan *s, char **err)
{
    return s->db ? 0 : rscan_connect(s, s->path, err);
}

void rscan_partition(rscan *s, int part, int nparts)
{
    s->part = part;
    s->nparts = nparts > 0 ? nparts : 1;
}

void rscan_close(rscan *s)
{
    if (!s)
        return;
    inst_rows_free(&s->rows);
    for (size_t i = 0; i < s->nforms; i++) {
        free(s->forms[i].id);
        free(s->forms[i].version);
        form_free(s->forms[i].owned);
    }
    free(s->forms);
    sqlite3_finalize(s->answers);
    sqlite3_finalize(s->counts);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

/* The stored text of a form version, or NULL. */
static form *rscan_stored_form(rscan *s, const char *id, const char *version)
{
    sqlite3_stmt *st;
    form *f = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT source FROM forms WHERE form_id = ?1"
                           " AND version = ?2", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *src = (const char *)sqlite3_column_text(st, 0);
        int len = sqlite3_column_bytes(st, 0);
        diag_list d;
        diag_init(&d);
        char *name = xasprintf("%s (%s %s)", s->path, id, version);
        f = form_load_string(src ? src : "", (size_t)len, name, &d);
        free(name);
        if (f && d.n) {
            form_free(f);
            f = NULL;
        }
        diag_free(&d);
    }
    sqlite3_finalize(st);
    return f;
}

const form *rscan_form(rscan *s, const catalog *cat, const char *id,
                       const char *version, char **err)
{
    for (size_t i = 0; i < s->nforms; i++)
        if (!strcmp(s->forms[i].id, id) && !strcmp(s->forms[i].version, version)) {
            if (!s->forms[i].f && err)
                *err = xasprintf(_("form %s version %s is neither in the "
                                   "forms directory nor stored in %s"),
                                 id, version, s->path);
            return s->forms[i].f;
        }
    const form *f = cat ? catalog_find(cat, id, version) : NULL;
    if (f && (!f->version || strcmp(f->version, version)))
        f = NULL;
    form *owned = f ? NULL : rscan_stored_form(s, id, version);
    s->forms = xrealloc(s->forms, (s->nforms + 1) * sizeof *s->forms);
    rscan_version *rf = &s->forms[s->nforms++];
    rf->id = xstrdup(id);
    rf->version = xstrdup(version);
    rf->owned = owned;
    rf->f = f ? f : owned;
    if (!rf->f && err)
        *err = xasprintf(_("form %s version %s is neither in the forms "
                           "directory nor stored in %s"), id, version, s->path);
    return rf->f;
}

/* A column as text, never NULL. */
static const char *col(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? v : "";
}

/* Read the answers and repeat counts of one interview into s. */
static int rscan_read_rows(rscan *s, const char *uuid)
{
    inst_rows_clear(&s->rows);
    sqlite3_bind_text(s->answers, 1, uuid, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s->answers)) == SQLITE_ROW)
        inst_rows_add(&s->rows, col(s->answers, 0), col(s->answers, 1),
                      col(s->answers, 2), 0);
    sqlite3_reset(s->answers);
    if (rc != SQLITE_DONE)
        return -1;
    sqlite3_bind_text(s->counts, 1, uuid, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s->counts)) == SQLITE_ROW)
        inst_rows_add(&s->rows, NULL, col(s->counts, 0), NULL,
                      (long)sqlite3_column_int64(s->counts, 1));
    sqlite3_reset(s->counts);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The clock of an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SS...", or 0. */
static time_t iso_time(const char *s)
{
    long y;
    int mo, d, h = 0, mi = 0, se = 0;
    if (!s || sscanf(s, "%ld-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &se) < 3)
        return 0;
    return (time_t)(val_days_from_civil(y, mo, d) * 86400L + h * 3600L +
                    mi * 60L + se);
}

/* Replay the rows of s into a new interview of f: outer levels first, as
 * resuming an interview does, so counted repeats exist before their
 * answers arrive. The clock is the interview's own last change, so that
 * today() gives what it gave the enumerator. */
static inst *rscan_replay(rscan *s, const form *f, const char *updated)
{
    return inst_restore(f, f->default_lang, iso_time(updated), s->rows.v,
                        s->rows.n);
}


int rscan_each(rscan *s, const catalog *cat, const char *form_id, int drafts,
               rscan_fn fn, void *ctx, char **err)
{
    sqlite3_stmt *st;
    const char *sql = form_id
        ? "SELECT uuid, form_id, form_version, status, enumerator, device_id,"
          " created, updated FROM interviews WHERE form_id = ?1 ORDER BY uuid"
        : "SELECT uuid, form_id, form_version, status, enumerator, device_id,"
          " created, updated FROM interviews ORDER BY uuid";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        *err = xasprintf(_("%s: cannot read the interviews: %s"), s->path,
                         sqlite3_errmsg(s->db));
        return -1;
    }
    if (form_id)
        sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
    int rc, ret = 0;
    long index = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (index++ % s->nparts != s->part)
            continue;
        rscan_iv iv = {col(st, 0), col(st, 1), col(st, 2), col(st, 3),
                       col(st, 4), col(st, 5), col(st, 6), col(st, 7), 0};
        iv.complete = !strcmp(iv.status, "complete");
        const form *f = rscan_form(s, cat, iv.form_id, iv.form_version, NULL);
        inst *in = NULL;
        if (f && (iv.complete || drafts)) {
            if (rscan_read_rows(s, iv.uuid)) {
                *err = xasprintf(_("%s: cannot read the answers of %s: %s"),
                                 s->path, iv.uuid, sqlite3_errmsg(s->db));
                ret = -1;
                break;
            }
            in = rscan_replay(s, f, iv.updated);
        }
        ret = fn(ctx, &iv, in);
        inst_free(in);
        if (ret)
            break;
    }
    if (!ret && rc != SQLITE_DONE) {
        *err = xasprintf(_("%s: cannot read the interviews: %s"), s->path,
                         sqlite3_errmsg(s->db));
        ret = -1;
    }
    sqlite3_finalize(st);
    inst_rows_clear(&s->rows);
    return ret;
}

char **rscan_versions(rscan *s, const char *form_id)
{
    sqlite3_stmt *st;
    size_t n = 0;
    char **v = xcalloc(1, sizeof *v);
    if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT form_id, form_version FROM"
                           " interviews WHERE ?1 IS NULL OR form_id = ?1"
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

void rscan_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

int rscan_has_table(rscan *s, const char *name)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE"
                           " type = 'table' AND name = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Non-zero when table has a column of that name. */
static int has_column(rscan *s, const char *table, const char *column)
{
    char *sql = sqlite3_mprintf("SELECT 1 FROM pragma_table_info(%Q)"
                                " WHERE name = %Q", table, column);
    long v = query_long(s->db, sql, 0);
    sqlite3_free(sql);
    return v == 1;
}

long rscan_open_rows(rscan *s, const char *table)
{
    if (!rscan_has_table(s, table))
        return -1;
    char *sql;
    /* The tables belong to the merge; what "open" means is read from the
     * columns they have, so the report follows whichever they use. */
    if (has_column(s, table, "resolved_rev"))
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE"
                              " resolved_rev IS NULL", table);
    else if (has_column(s, table, "resolved"))
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE resolved IS"
                              " NULL OR resolved IN (0, '', '0')", table);
    else if (has_column(s, table, "status"))
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE status IS"
                              " NULL OR status IN ('open', '')", table);
    else
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
    long v = query_long(s->db, sql, -1);
    sqlite3_free(sql);
    return v;
}

long rscan_interview_count(rscan *s)
{
    return query_long(s->db, "SELECT count(*) FROM interviews", 0);
}

long rscan_key_duplicates(rscan *s, const form *f)
{
    if (!f->nkey)
        return 0;
    sbuf key;
    sbuf_init(&key);
    for (size_t i = 0; i < f->nkey; i++) {
        char *part = sqlite3_mprintf("%s(SELECT value FROM answers WHERE"
                                     " interview = i.uuid AND qid = %Q AND"
                                     " path = '')", i ? " || char(31) || " : "",
                                     f->q[f->key[i]].id);
        sbuf_add(&key, part);
        sqlite3_free(part);
    }
    char *sql = sqlite3_mprintf("SELECT coalesce(sum(n), 0) FROM (SELECT"
                                " count(*) AS n FROM (SELECT %s AS k FROM"
                                " interviews i WHERE i.form_id = %Q AND"
                                " i.status = 'complete') WHERE k IS NOT NULL"
                                " GROUP BY k HAVING count(*) > 1)",
                                key.s, f->id);
    long v = query_long(s->db, sql, 0);
    sqlite3_free(sql);
    sbuf_free(&key);
    return v;
}
