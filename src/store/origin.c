/* origin.c: the commune an interview came from (the bundle that first
 * brought it) with its open conflicts, undecided duplicate pairs and the
 * review that still holds (none once a later revision changed it). */
#include "config.h"
#include "store/origin.h"

#include <stddef.h>
#include <stdlib.h>

#include "core/canon.h"
#include "core/util.h"

#include "store/sqlutil.h"
#include "store/store_int.h"

/* Non-zero when db has a table of that name. */
static int origin_has(sqlite3 *db, const char *table)
{
    char *sql = sqlite3_mprintf("SELECT count(*) FROM sqlite_master WHERE"
                                " type = 'table' AND name = %Q", table);
    long n = 0;
    sqlutil_long(db, sql, &n);
    sqlite3_free(sql);
    return n > 0;
}

/* Non-zero when db's table has that column (schema 7 added a few). */
static int origin_has_column(sqlite3 *db, const char *table,
                             const char *column)
{
    char *sql = sqlite3_mprintf("SELECT count(*) FROM pragma_table_info(%Q)"
                                " WHERE name = %Q", table, column);
    long n = 0;
    sqlutil_long(db, sql, &n);
    sqlite3_free(sql);
    return n > 0;
}

/* khaosat_commune_key(x): a commune setting as compared (case, spacing
 * and Unicode normalisation set aside, as the report groups them). */
static void origin_key_fn(sqlite3_context *c, int n, sqlite3_value **v)
{
    (void)n;
    const char *s = (const char *)sqlite3_value_text(v[0]);
    if (!s) {
        sqlite3_result_null(c);
        return;
    }
    char *k = canon_name_key(s);
    sqlite3_result_text(c, k, -1, free);
}

/* COLLATE khaosat_natural: codes in natural order ("K2" before "K10"),
 * as people number villages (util_natural_cmp). */
static int origin_natural_cmp(void *ctx, int na, const void *a, int nb,
                              const void *b)
{
    (void)ctx;
    char *x = xstrndup(a, (size_t)na), *y = xstrndup(b, (size_t)nb);
    int c = util_natural_cmp(x, y);
    free(x);
    free(y);
    return c;
}

int store_origin_register(sqlite3 *db)
{
    int rc = sqlite3_create_function(db, "khaosat_commune_key", 1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                     NULL, origin_key_fn, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_collation(db, "khaosat_natural", SQLITE_UTF8,
                                      NULL, origin_natural_cmp);
    return rc;
}

/* The query of every interview's origin (columns as store_origin, then
 * extra, which may name the interview as i), by UUID; sqlite3_free it. */
static char *origin_sql(sqlite3 *db, const char *extra)
{
    int revs = origin_has(db, "revisions") && origin_has(db, "bundles");
    int confl = origin_has(db, "conflicts"), dups = origin_has(db, "duplicates");
    int revw = origin_has(db, "reviews");
    int v7 = revw && dups && origin_has_column(db, "reviews", "content")
             && origin_has_column(db, "duplicates", "decision");
    /* The first revision that arrived in a bundle names the commune: an
     * office's later edits do not move an interview to another commune. */
    const char *first = "(SELECT %s(b.commune) FROM revisions r JOIN"
        " bundles b ON b.uuid = r.bundle WHERE r.interview = %s ORDER BY"
        " r.created, r.id LIMIT 1)";
    /* A duplicate pair counts only when both came from the same commune
     * (two spellings of one name are one commune): household and official
     * numbers are per commune, so one key in two communes is two
     * different people. */
    char *mine = sqlite3_mprintf(first, "khaosat_commune_key", "i.uuid");
    char *other = sqlite3_mprintf(first, "khaosat_commune_key",
                                  "(CASE WHEN d.a = i.uuid THEN d.b"
                                  " ELSE d.a END)");
    char *origin = sqlite3_mprintf(first, "", "i.uuid");
    char *dup = !dups ? sqlite3_mprintf("0") : sqlite3_mprintf(
        "(SELECT count(*) FROM duplicates d WHERE (d.a = i.uuid OR"
        " d.b = i.uuid)%s%s%s%s%s)", v7 ? " AND d.decision IS NULL" : "",
        revs ? " AND " : "", revs ? other : "", revs ? " IS " : "",
        revs ? mine : "");
    char *sql = sqlite3_mprintf(
        "SELECT i.uuid, coalesce(%s, (SELECT nullif(value, '') FROM settings"
        " WHERE key = '" STORE_SET_SETUP_CODE "'), (SELECT value FROM settings"
        " WHERE key = 'commune'), ''), %s, %s, %s, i.status = 'complete'%s"
        " FROM interviews i"
        " ORDER BY i.uuid",
        revs ? origin : "NULL",
        confl ? "(SELECT count(*) FROM conflicts c WHERE c.interview = i.uuid"
                " AND c.resolved_rev IS NULL)" : "0",
        dup,
        /* A review holds only while the content it judged is the head's. */
        !revw ? "''" : v7 ? "coalesce((SELECT status FROM reviews v WHERE"
               " v.interview = i.uuid AND v.content IS (SELECT content FROM"
               " revisions WHERE id = i.head)), '')"
             : "coalesce((SELECT status FROM reviews v WHERE v.interview ="
               " i.uuid), '')", extra);
    sqlite3_free(mine);
    sqlite3_free(origin);
    sqlite3_free(other);
    sqlite3_free(dup);
    return sql;
}

int store_origins_into(sqlite3 *db, const char *insert, const char *extra)
{
    int rc = store_origin_register(db);
    if (rc != SQLITE_OK)
        return rc;
    char *q = origin_sql(db, extra);
    char *sql = sqlite3_mprintf("%s %s", insert, q);
    sqlite3_free(q);
    rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    return rc;
}

int store_origins(sqlite3 *db, store_origin_fn fn, void *ctx)
{
    int frc = store_origin_register(db);
    if (frc != SQLITE_OK)
        return frc;
    char *sql = origin_sql(db, "");
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return rc;
    int ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_origin o = {(const char *)sqlite3_column_text(st, 0),
                          (const char *)sqlite3_column_text(st, 1),
                          sqlite3_column_int64(st, 2),
                          sqlite3_column_int64(st, 3),
                          (const char *)sqlite3_column_text(st, 4),
                          sqlite3_column_int(st, 5), 0};
        if (!o.commune)
            o.commune = "";
        if (!o.review)
            o.review = "";
        if ((ret = fn(ctx, &o)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return ret ? ret : rc == SQLITE_DONE ? 0 : rc;
}
