/* store_figures.c: the report's figures stored with each complete
 * interview (see figures.h). */
#include "config.h"
#include "store/figures.h"

#include <stdlib.h>

#include "store/store_int.h"

static const char *const fig_sql[SF_COUNT] = {
    /* Each table on its own: rows left by a connection without foreign
     * keys (the sqlite3 tool) must not stop them being stored again. */
    [SF_CLEAR] = "DELETE FROM report_units WHERE interview = ?1",
    [SF_CLEAR_FIGURES] = "DELETE FROM report_figures WHERE interview = ?1",
    [SF_CLEAR_TALLIES] = "DELETE FROM report_tallies WHERE interview = ?1",
    /* A DELETE builds a temporary table at every run (foreign keys):
     * looked for first, as an interview finalised for the first time has
     * no rows to delete. */
    [SF_ANY] = "SELECT EXISTS (SELECT 1 FROM report_units WHERE interview"
        " = ?1) OR EXISTS (SELECT 1 FROM report_figures WHERE interview ="
        " ?1) OR EXISTS (SELECT 1 FROM report_tallies WHERE interview = ?1)",
    [SF_UNIT] = "INSERT INTO report_units (interview, definition,"
        " form_version, head, readable, village, included, case_key)"
        " SELECT uuid, ?2, form_version, head, ?3, ?4, ?5, ?6"
        " FROM interviews WHERE uuid = ?1",
    [SF_FIGURE] = "INSERT INTO report_figures (interview, figure, num, den,"
        " units, flagged, distinct_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SF_TALLY] = "INSERT INTO report_tallies (interview, tally, code, n)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (interview, tally, code)"
        " DO UPDATE SET n = n + excluded.n",
    [SF_STALE] = "SELECT i.uuid, u.interview IS NOT NULL AND"
        " (u.definition <> ?2 OR u.form_version <> i.form_version)"
        " FROM interviews i LEFT JOIN report_units u ON u.interview = i.uuid"
        " WHERE i.form_id = ?1 AND i.status = 'complete'"
        " AND (u.interview IS NULL OR u.definition <> ?2"
        " OR u.form_version <> i.form_version OR u.head IS NOT i.head)"
        " ORDER BY i.uuid",
};

/* Statement id, prepared on first use; NULL with the message set. */
static sqlite3_stmt *fig_stmt(store *st, enum store_fig_stmt id)
{
    if (!st->fig[id] && sqlite3_prepare_v2(st->db, fig_sql[id], -1,
                                           &st->fig[id], NULL) != SQLITE_OK) {
        store_fail(st, "preparing to store the report's figures");
        return NULL;
    }
    return st->fig[id];
}

void store_figures_close(store *st)
{
    for (int i = 0; i < SF_COUNT; i++)
        sqlite3_finalize(st->fig[i]);
}

void store_set_settle_hook(store *st, store_settle_fn fn, void *ctx)
{
    st->settle = fn;
    st->settle_ctx = ctx;
}

int store_figures_clear(store *st, const char *uuid)
{
    static const enum store_fig_stmt steps[] = {SF_CLEAR_TALLIES,
                                                SF_CLEAR_FIGURES, SF_CLEAR};
    sqlite3_stmt *any = fig_stmt(st, SF_ANY);
    if (!any)
        return -1;
    store_bind(any, 1, uuid);
    int rc = store_step(st, any);
    int some = rc == SQLITE_ROW && sqlite3_column_int(any, 0);
    sqlite3_reset(any);
    if (rc != SQLITE_ROW)
        return store_fail(st, "reading the figures of interview %s", uuid);
    for (size_t i = 0; some && i < sizeof steps / sizeof *steps; i++) {
        sqlite3_stmt *s = fig_stmt(st, steps[i]);
        if (!s)
            return -1;
        store_bind(s, 1, uuid);
        if (store_step(st, s) != SQLITE_DONE)
            return store_fail(st, "clearing the figures of interview %s",
                              uuid);
    }
    return 0;
}

void store_figures_changed(store *st, const char *uuid)
{
    /* Stored again, the old rows went first (store_figures_put_unit);
     * else they are cleared here.  A table missing would be an older
     * schema: nothing to keep right. */
    if (!st->settle || st->settle(st->settle_ctx, st, uuid) != 1)
        (void)store_figures_clear(st, uuid);
}

int store_figures_put_unit(store *st, const store_fig_unit *u)
{
    sqlite3_stmt *s = fig_stmt(st, SF_UNIT);
    if (!s || store_figures_clear(st, u->uuid) != 0)
        return -1;
    store_bind(s, 1, u->uuid);
    store_bind(s, 2, u->definition);
    sqlite3_bind_int(s, 3, u->readable);
    store_bind(s, 4, u->village);
    sqlite3_bind_int(s, 5, u->included);
    store_bind(s, 6, u->case_key);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "storing the figures of interview %s", u->uuid);
    return 0;
}

int store_figures_put(store *st, const char *uuid, int figure, double num,
                      double den, long units, long flagged, const char *dkey)
{
    sqlite3_stmt *s = fig_stmt(st, SF_FIGURE);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    sqlite3_bind_int(s, 2, figure);
    sqlite3_bind_double(s, 3, num);
    sqlite3_bind_double(s, 4, den);
    sqlite3_bind_int64(s, 5, units);
    sqlite3_bind_int64(s, 6, flagged);
    store_bind(s, 7, dkey);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "storing the figures of interview %s", uuid);
    return 0;
}

int store_figures_put_tally(store *st, const char *uuid, int tally,
                            const char *code, long n)
{
    sqlite3_stmt *s = fig_stmt(st, SF_TALLY);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    sqlite3_bind_int(s, 2, tally);
    store_bind(s, 3, code);
    sqlite3_bind_int64(s, 4, n);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "storing the tallies of interview %s", uuid);
    return 0;
}

char **store_figures_stale(store *st, const char *definition,
                           const char *const *forms, size_t nforms,
                           long *n, long *changed)
{
    *n = *changed = 0;
    sqlite3_stmt *s = fig_stmt(st, SF_STALE);
    if (!s)
        return NULL;
    size_t cap = 0, cnt = 0;
    char **v = NULL;
    for (size_t f = 0; f < nforms; f++) {
        store_bind(s, 1, forms[f]);
        store_bind(s, 2, definition);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            v = util_grow(v, &cap, cnt + 2, sizeof *v);
            v[cnt++] = store_col_dup(s, 0);
            *changed += sqlite3_column_int(s, 1);
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            for (size_t i = 0; i < cnt; i++)
                free(v[i]);
            free(v);
            store_fail(st, "finding the interviews whose figures are out "
                           "of date");
            return NULL;
        }
    }
    v = util_grow(v, &cap, cnt + 1, sizeof *v);
    v[cnt] = NULL;
    *n = (long)cnt;
    return v;
}
