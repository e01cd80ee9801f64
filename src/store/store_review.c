/* store_review.c: the supervisor's review of each interview (approved or
 * returned to the enumerator with a comment).  Reviews live beside the
 * interview, not in its answers: reviewing is not a change to the data, so
 * it makes no audit row and never marks the interview for export.
 *
 * A review is recorded against the revision it judged (the interview's
 * head, made first when the content moved on since the last one) and that
 * revision's content hash.  Its state is read, never stored: while the head
 * holds the judged content the review stands; once the content differs, an
 * approval reads "changed" and a return, once finalised again after it
 * reached the laptop, "corrected"; a revision the laptop made before the
 * return reached it leaves the return standing ("returned"). */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/revision.h"
#include "core/canon.h"
#include "core/util.h"

/* The state of every interview that is complete or reviewed.  ?1 one
 * interview or NULL; ?2 one state or NULL. */
static const char review_sql[] =
    "SELECT uuid, form_id, key, status, comment, reviewer, time, revision,"
    " state, commune FROM (SELECT i.uuid, i.form_id,"
    " coalesce(k.key, '') AS key,"
    " r.status, r.comment, r.reviewer, r.time, r.revision, r.commune,"
    " CASE WHEN r.status IS NULL THEN 'unreviewed'"
    "  WHEN r.content IS h.content THEN r.status"
    "  WHEN r.status = 'approved' THEN 'changed'"
    "  WHEN i.status = 'draft' OR NOT "
    STORE_RETURN_SEEN_SQL("i.uuid", "r.revision", "i.head")
    " THEN 'returned' ELSE 'corrected' END AS state"
    " FROM interviews i LEFT JOIN reviews r ON r.interview = i.uuid"
    " LEFT JOIN revisions h ON h.id = i.head"
    " LEFT JOIN case_keys k ON k.interview = i.uuid"
    " WHERE (?1 IS NULL OR i.uuid = ?1)"
    " AND (i.status = 'complete' OR r.status IS NOT NULL))"
    " WHERE ?2 IS NULL OR state = ?2 ORDER BY form_id, key, uuid";

/* The interview's status ("draft"/"complete", newly allocated): 0, 1 when
 * there is no such interview, -1 on failure. */
static int interview_status(store *st, const char *uuid, char **out)
{
    return store_text_by_key(st, "SELECT status FROM interviews"
                             " WHERE uuid = ?1", uuid, "looking up interview",
                             out);
}

/* Whether a review may be recorded: 0, or -1 with the message set. */
static int review_allowed(store *st, const char *uuid, const char *status,
                          const char *comment)
{
    if (strcmp(status, "approved") != 0 && strcmp(status, "returned") != 0)
        return store_failx(st, "review of %s: status \"%s\" is neither "
                           "approved nor returned", uuid, status);
    if (!strcmp(status, "returned") && (!comment || !*comment))
        return store_failx(st, "review of %s: a returned interview needs a "
                           "comment saying what to check or correct", uuid);
    char *ivs;
    int found = interview_status(st, uuid, &ivs);
    if (found < 0)
        return -1;
    if (found)
        return store_failx(st, "review: no interview %s", uuid);
    int draft = !strcmp(ivs, "draft");
    free(ivs);
    if (draft)
        return store_failx(st, "review of %s: the interview is a draft; "
                           "only a finished interview can be reviewed", uuid);
    return 0;
}

int store_review_count_change_tx(store *st)
{
    return store_run_by_key(st, "INSERT INTO settings (key, value) VALUES ('"
                            STORE_SET_REVIEWS_CHANGES "', 1) ON CONFLICT (key)"
                            " DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                            NULL, "counting a review change");
}

/* The times a new review or clear of interview ?1 must come after: its
 * review and its clear kept here. */
static const char reviewed_before_sql[] =
    "SELECT time FROM reviews WHERE interview = ?1"
    " UNION ALL SELECT time FROM review_clears WHERE interview = ?1";

/* The time of a new review or clear of uuid (store_now_after): 0 or -1. */
static int review_now(store *st, const char *uuid, char now[32])
{
    return store_now_after(st, reviewed_before_sql, &uuid, 1,
                           "reading the earlier reviews", now);
}

/* Withdraw the review of uuid inside a transaction, keeping what it judged
 * as a "cleared" record (time to the millisecond, after the review) so
 * that the withdrawal travels upward and replaces the review there. */
static int review_clear_tx(store *st, const char *uuid)
{
    char now[32];
    if (review_now(st, uuid, now) != 0)
        return -1;
    sqlite3_stmt *s = store_prepare(st, NULL,
        "INSERT INTO review_clears (interview, reviewer, time, revision,"
        " content, commune) SELECT interview, reviewer, ?2,"
        " revision, content, commune FROM reviews WHERE interview = ?1"
        " AND revision IS NOT NULL AND content IS NOT NULL"
        " ON CONFLICT (interview) DO UPDATE SET reviewer = excluded.reviewer,"
        " time = excluded.time, revision = excluded.revision,"
        " content = excluded.content, commune = excluded.commune");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "keeping the clear of the review of %s", uuid);
    if (store_run_by_key(st, "DELETE FROM reviews WHERE interview = ?1",
                         uuid, "clearing the review of") != 0)
        return -1;
    return store_review_count_change_tx(st);
}

/* Record the review of the head revision head, inside a transaction. */
static int review_write(store *st, const char *uuid, const char *status,
                        const char *comment, const char *reviewer,
                        const char *head)
{
    sqlite3_stmt *s = store_prepare(st, NULL,
        "INSERT INTO reviews (interview, status, comment, reviewer, time,"
        " revision, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " (SELECT content FROM revisions WHERE id = ?6))"
        " ON CONFLICT (interview) DO UPDATE"
        " SET status = excluded.status, comment = excluded.comment,"
        " reviewer = excluded.reviewer, time = excluded.time,"
        " revision = excluded.revision, content = excluded.content,"
        " commune = NULL");
    if (!s)
        return -1;
    /* To the millisecond, so that a clear or a newer review made within
     * the same second still reads as later upstream; after the earlier
     * ones even when the clock was once ahead. */
    char now[32];
    if (review_now(st, uuid, now) != 0) {
        sqlite3_finalize(s);
        return -1;
    }
    const char *v[6] = {uuid, status, comment && *comment ? comment : NULL,
                        reviewer, now, head};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "saving the review of %s", uuid);
    if (store_run_by_key(st, "DELETE FROM review_clears WHERE interview = ?1",
                         uuid, "forgetting the clear of") != 0)
        return -1;
    return store_review_count_change_tx(st);
}

int store_review_set(store *st, const char *uuid, const char *status,
                     const char *comment, const char *reviewer)
{
    if (!status) {
        if (store_begin(st) != 0)
            return -1;
        if (review_clear_tx(st, uuid) != 0) {
            store_rollback(st);
            return -1;
        }
        return store_commit(st);
    }
    /* Kept as notes are: NFC, spaces around it dropped, so the same
     * words typed with two input methods are the same comment. */
    char *c = comment ? canon_text(comment) : NULL;
    int rc = review_allowed(st, uuid, status, c);
    /* The revision judged is the content shown: make it one if needed. */
    char head[REV_HEX + 1];
    if (rc == 0 && store_begin(st) != 0)
        rc = -1;
    else if (rc == 0 && (store_rev_snapshot_tx(st, uuid, 0, head) != 0
             || review_write(st, uuid, status, c, reviewer, head) != 0)) {
        store_rollback(st);
        rc = -1;
    } else if (rc == 0)
        rc = store_commit(st);
    free(c);
    return rc;
}

int store_review_get(store *st, const char *uuid, char **status,
                     char **comment)
{
    *status = NULL;
    *comment = NULL;
    sqlite3_stmt *s = store_prepare(st, NULL,
        "SELECT status, comment FROM reviews WHERE interview = ?1");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *status = xstrdup((const char *)sqlite3_column_text(s, 0));
        *comment = xstrdup((const char *)sqlite3_column_text(s, 1));
        rc = SQLITE_DONE;
    }
    if (rc != SQLITE_DONE)
        store_fail(st, "reading the review of %s", uuid);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_review_state_valid(const char *state)
{
    static const char *const states[] = {
        "unreviewed", "approved", "returned", "changed", "corrected"};
    for (size_t i = 0; i < sizeof states / sizeof *states; i++)
        if (state && !strcmp(state, states[i]))
            return 1;
    return 0;
}

/* Column i as text ("" for NULL where the struct promises a string). */
static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

int store_reviews_each(store *st, const char *uuid, const char *state,
                       store_review_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, NULL, review_sql);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_review r = {col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                          col(s, 4), col(s, 5), col(s, 6), col(s, 7),
                          col(s, 8), col(s, 9)};
        ret = fn(ctx, &r);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing the reviews");
    sqlite3_finalize(s);
    return ret;
}

/* Copy the state of the one row seen. */
static int keep_state(void *ctx, const store_review *r)
{
    *(char **)ctx = xstrdup(r->state);
    return 1;
}

int store_review_state(store *st, const char *uuid, char **state)
{
    *state = NULL;
    int rc = store_reviews_each(st, uuid, NULL, keep_state, state);
    if (rc < 0)
        return -1;
    if (!*state)
        *state = xstrdup("unreviewed");
    return 0;
}

/* Count one row. */
static int count_one(void *ctx, const store_review *r)
{
    (void)r;
    ++*(long *)ctx;
    return 0;
}

int store_review_count(store *st, const char *state, long *n)
{
    *n = 0;
    return store_reviews_each(st, NULL, state, count_one, n);
}

/* ---- reviews travelling upstream ----
 * An office's upstream bundle carries every review it made or keeps (with
 * the revision each judged), and the province keeps them with the commune
 * whose office made them, so that it sees which interviews each commune
 * approved.  A review is replaced only by a newer one: the same bundle
 * merged again, or an older one, changes nothing. */

int store_reviews_up_each(store *st, const char *own,
                          int (*fn)(void *ctx, const store_down_review *r),
                          void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, NULL,
        "SELECT interview, status, coalesce(comment, ''),"
        " coalesce(reviewer, ''), time, revision, content,"
        " coalesce(commune, ?1, '') FROM reviews"
        " WHERE revision IS NOT NULL AND content IS NOT NULL"
        " UNION ALL SELECT interview, 'cleared', '', coalesce(reviewer, ''),"
        " time, revision, content, coalesce(commune, ?1, '')"
        " FROM review_clears ORDER BY 1");
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
    sqlite3_stmt *s = store_prepare(st, NULL,
        "SELECT EXISTS (SELECT 1 FROM reviews WHERE revision IS NOT NULL"
        " AND content IS NOT NULL AND time > coalesce((SELECT value FROM"
        " settings WHERE key = '" STORE_SET_REVIEWS_SENT "'), ''))"
        " OR coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE"
        " key = '" STORE_SET_REVIEWS_CHANGES "'), 0) > coalesce((SELECT"
        " CAST(value AS INTEGER) FROM settings WHERE key = '"
        STORE_SET_REVIEWS_CHANGES_SENT "'), 0)");
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
    sqlite3_stmt *s = store_prepare(st, NULL,
        "INSERT INTO settings (key, value) SELECT '" STORE_SET_REVIEWS_SENT
        "', max(time) FROM reviews HAVING max(time) IS NOT NULL"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "noting the reviews sent upstream");
    return store_run_by_key(st, "INSERT INTO settings (key, value) SELECT '"
                            STORE_SET_REVIEWS_CHANGES_SENT "', value FROM"
                            " settings WHERE key = '"
                            STORE_SET_REVIEWS_CHANGES "' ON CONFLICT (key)"
                            " DO UPDATE SET value = excluded.value", NULL,
                            "noting the reviews sent upstream");
}

/* Keep a clear of the office below (r->status "cleared") when newer than
 * the review or clear kept here: the review withdrawn, the clear kept so
 * that an older review merged later does not bring it back.  0 taken, 1
 * not, -1. */
static int review_take_clear_tx(store *st, const store_down_review *r)
{
    sqlite3_stmt *s = store_prepare(st, NULL,
        "INSERT INTO review_clears (interview, reviewer, time, revision,"
        " content, commune) SELECT ?1, ?2, ?3, ?4, ?5, ?6"
        " WHERE EXISTS (SELECT 1 FROM interviews WHERE uuid = ?1)"
        " AND NOT EXISTS (SELECT 1 FROM reviews WHERE interview = ?1"
        " AND time >= ?3) AND NOT EXISTS (SELECT 1 FROM review_clears"
        " WHERE interview = ?1 AND time >= ?3)"
        " ON CONFLICT (interview) DO UPDATE SET reviewer = excluded.reviewer,"
        " time = excluded.time, revision = excluded.revision,"
        " content = excluded.content, commune = excluded.commune");
    if (!s)
        return -1;
    const char *v[6] = {r->interview, r->reviewer, r->time, r->revision,
                        r->content, r->commune};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(s, i + 1, v[i] ? v[i] : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "keeping the clear of the review of %s",
                          r->interview);
    if (sqlite3_changes(store_sqlite(st)) == 0)
        return 1;
    return store_run_by_key(st, "DELETE FROM reviews WHERE interview = ?1",
                            r->interview, "withdrawing the review of");
}

int store_review_take_tx(store *st, const store_down_review *r)
{
    if (strcmp(r->status, "cleared") == 0)
        return review_take_clear_tx(st, r);
    /* Only for an interview here, and only a newer review than the one
     * (or the clear) kept (a review made here later stays). */
    sqlite3_stmt *s = store_prepare(st, NULL,
        "INSERT INTO reviews (interview, status, comment, reviewer, time,"
        " revision, content, commune) SELECT ?1, ?2, nullif(?3, ''), ?4,"
        " ?5, ?6, ?7, ?8 WHERE EXISTS (SELECT 1 FROM interviews"
        " WHERE uuid = ?1) AND NOT EXISTS (SELECT 1 FROM reviews"
        " WHERE interview = ?1 AND time >= ?5) AND NOT EXISTS (SELECT 1"
        " FROM review_clears WHERE interview = ?1 AND time >= ?5)"
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
    if (sqlite3_changes(store_sqlite(st)) == 0)
        return 1;
    return store_run_by_key(st, "DELETE FROM review_clears WHERE"
                            " interview = ?1", r->interview,
                            "forgetting the clear of");
}
