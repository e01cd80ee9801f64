/* store_review_up.c: reviews travelling upstream.  An office's upstream
 * bundle carries every review it made or keeps (with the revision each
 * judged), and the province keeps them with the commune whose office made
 * them, so that it sees which interviews each commune approved.  A review
 * is replaced only by a newer one: the same bundle merged again, or an
 * older one, changes nothing. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Prepare a one-off statement. */
static sqlite3_stmt *prepare(store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_sqlite(st), sql, -1, &s, NULL) != SQLITE_OK) {
        store_fail(st, "preparing \"%.40s...\"", sql);
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

int store_reviews_up_each(store *st, const char *own,
                          int (*fn)(void *ctx, const store_down_review *r),
                          void *ctx)
{
    sqlite3_stmt *s = prepare(st,
        "SELECT interview, status, coalesce(comment, ''),"
        " coalesce(reviewer, ''), time, revision, content,"
        " coalesce(commune, ?1, '') FROM reviews"
        " WHERE revision IS NOT NULL AND content IS NOT NULL"
        " ORDER BY interview");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, own, -1, SQLITE_STATIC);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_down_review r = {col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                               col(s, 4), col(s, 5), col(s, 6), col(s, 7)};
        ret = fn(ctx, &r);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "reading the reviews to send upstream");
    sqlite3_finalize(s);
    return ret;
}

int store_reviews_up_pending(store *st, int *yes)
{
    *yes = 0;
    sqlite3_stmt *s = prepare(st,
        "SELECT EXISTS (SELECT 1 FROM reviews WHERE revision IS NOT NULL"
        " AND content IS NOT NULL AND time > coalesce((SELECT value FROM"
        " settings WHERE key = '" STORE_SET_REVIEWS_SENT "'), ''))");
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *yes = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "reading the reviews");
}

int store_reviews_up_sent_tx(store *st)
{
    sqlite3_stmt *s = prepare(st,
        "INSERT INTO settings (key, value) SELECT '" STORE_SET_REVIEWS_SENT
        "', max(time) FROM reviews HAVING max(time) IS NOT NULL"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0
        : store_fail(st, "noting the reviews sent upstream");
}

int store_review_take_tx(store *st, const store_down_review *r)
{
    /* Only for an interview here, and only a newer review than the one
     * kept (a review made here later stays). */
    sqlite3_stmt *s = prepare(st,
        "INSERT INTO reviews (interview, status, comment, reviewer, time,"
        " revision, content, commune) SELECT ?1, ?2, nullif(?3, ''), ?4,"
        " ?5, ?6, ?7, ?8 WHERE EXISTS (SELECT 1 FROM interviews"
        " WHERE uuid = ?1) AND NOT EXISTS (SELECT 1 FROM reviews"
        " WHERE interview = ?1 AND time >= ?5)"
        " ON CONFLICT (interview) DO UPDATE"
        " SET status = excluded.status, comment = excluded.comment,"
        " reviewer = excluded.reviewer, time = excluded.time,"
        " revision = excluded.revision, content = excluded.content,"
        " commune = excluded.commune");
    if (!s)
        return -1;
    const char *v[8] = {r->interview, r->status, r->comment, r->reviewer,
                        r->time, r->revision, r->content, r->commune};
    for (int i = 0; i < 8; i++)
        sqlite3_bind_text(s, i + 1, v[i] ? v[i] : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "keeping the review of %s", r->interview);
    return sqlite3_changes(store_sqlite(st)) > 0 ? 0 : 1;
}
