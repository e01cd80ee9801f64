/* store_down.c: the office's side and the laptop's side of downstream
 * bundles (the office talking back to its laptops): which laptops an
 * office writes for, the returns it sends each, the household lists it
 * sends, and on the laptop a received return, the received set-up and the
 * mark of the last office bundle taken, each inside the caller's
 * transaction so that one bundle is applied whole or not at all. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/revision.h"
#include "core/util.h"

static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

int store_down_devices(store *st, const char *device,
                       store_down_device_fn fn, void *ctx)
{
    /* The signer of each device's latest bundle, while its laptop card is
     * trusted here and not revoked (SQLite takes the bare columns from the
     * row of max()). */
    sqlite3_stmt *s = store_prepare(st, NULL,
        "SELECT b.device, b.signer, max(b.merged) FROM bundles b"
        " JOIN trusted t ON t.fingerprint = b.signer"
        " WHERE t.revoked IS NULL AND t.purpose = 'accept'"
        " AND t.role = 'laptop' AND (?1 IS NULL OR b.device = ?1)"
        " GROUP BY b.device ORDER BY b.device");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
        ret = fn(ctx, col(s, 0), col(s, 1));
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing the laptops that sent bundles");
    sqlite3_finalize(s);
    return ret;
}

int store_down_reviews_each(store *st, const char *device,
                            store_down_review_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, NULL,
        "SELECT * FROM (SELECT i.uuid, coalesce(r.status, 'cleared'),"
        " coalesce(r.comment, ''), coalesce(r.reviewer, ''),"
        " coalesce(r.time, ?2), coalesce(r.revision, i.head) AS rev,"
        " coalesce(r.content, (SELECT content FROM revisions"
        " WHERE id = i.head)) AS content"
        " FROM interviews i LEFT JOIN reviews r ON r.interview = i.uuid"
        " WHERE i.device_id = ?1)"
        " WHERE rev IS NOT NULL AND content IS NOT NULL ORDER BY 1");
    if (!s)
        return -1;
    /* Interviews without a review go as "cleared", so that a return the
     * office took back is withdrawn on the laptop too (to the
     * millisecond, as review times are). */
    char now[32];
    store_now(now, 1);
    sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_down_review r = {col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                               col(s, 4), col(s, 5), col(s, 6), NULL};
        ret = fn(ctx, &r);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing the reviews of device %s",
                         device);
    sqlite3_finalize(s);
    return ret;
}

int store_households_each(store *st, store_household_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, NULL, "SELECT village, number, head"
                              " FROM households ORDER BY village, number");
    if (!s)
        return -1;
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_household h = {col(s, 0), col(s, 1), col(s, 2)};
        ret = fn(ctx, &h);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing the household lists");
    sqlite3_finalize(s);
    return ret;
}

/* Step a statement that changes rows, then finalise it: 0 or -1. */
static int exec_stmt(store *st, sqlite3_stmt *s, const char *what)
{
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, "%s", what);
}

/* The time of interview uuid's review here (newly allocated, NULL when it
 * has none): 0 or -1. */
static int review_time(store *st, const char *uuid, char **out)
{
    return store_text_by_key(st, "SELECT time FROM reviews WHERE"
                             " interview = ?1", uuid, "reading the review of",
                             out) < 0 ? -1 : 0;
}

/* Status, head and head content of interview uuid, its head made first
 * from its current content: 0, 1 when there is no such interview, -1. */
static int current_content(store *st, const char *uuid, int *complete,
                           char head[REV_HEX + 1], char content[REV_HEX + 1])
{
    store_interview iv;
    int rc = store_get_interview(st, uuid, &iv);
    if (rc != 0)
        return rc;
    *complete = iv.status == STORE_COMPLETE;
    store_interview_clear(&iv);
    if (store_rev_snapshot_tx(st, uuid, 0, head) != 0)
        return -1;
    sqlite3_stmt *s = store_stmt_key(st, SS_REV_CONTENT, head);
    if (!s)
        return -1;
    rc = sqlite3_step(s);
    content[0] = '\0';
    if (rc == SQLITE_ROW && col(s, 0))
        snprintf(content, REV_HEX + 1, "%s", col(s, 0));
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
        : store_fail(st, "reading revision %s", head);
}

/* Back to draft for correction, audited as a status change by the
 * office's return; a revision of the draft is made. */
static int reopen_tx(store *st, const char *uuid)
{
    char now[32], now_ms[32];
    store_now_both(now, now_ms);
    sqlite3_stmt *s = store_stmt(st, SS_IV_SET_STATUS);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, "draft");
    store_bind(s, 3, now);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "reopening interview %s", uuid);
    if (store_audit_add(st, uuid, now_ms, "status", NULL, NULL, "complete",
                        "draft") != SQLITE_DONE)
        return store_fail(st, "auditing interview %s", uuid);
    return store_rev_snapshot_tx(st, uuid, 0, NULL);
}

/* Audit the return r as it reached this laptop, with the head it found
 * here (old value the revision judged, new value that head): the office
 * tells a revision made after it (a correction) from one made before. */
static int audit_return(store *st, const store_down_review *r,
                        const char *head)
{
    char now[32], now_ms[32];
    store_now_both(now, now_ms);
    if (store_audit_add(st, r->interview, now_ms, "return", NULL, NULL,
                        r->revision, head) != SQLITE_DONE)
        return store_fail(st, "auditing interview %s", r->interview);
    return 0;
}

int store_down_review_tx(store *st, const store_down_review *r,
                         int *reopened, int *changed)
{
    *reopened = *changed = 0;
    if (strcmp(r->status, "cleared") == 0) {
        /* Only a return kept here is withdrawn; nothing else changes. */
        sqlite3_stmt *d = store_prepare(st, NULL, "DELETE FROM reviews WHERE"
                                  " interview = ?1 AND status = 'returned'"
                                                  " AND time <= ?2");
        if (!d)
            return -1;
        sqlite3_bind_text(d, 1, r->interview, -1, SQLITE_STATIC);
        sqlite3_bind_text(d, 2, r->time, -1, SQLITE_STATIC);
        if (exec_stmt(st, d, "withdrawing a return") != 0)
            return -1;
        return sqlite3_changes(store_sqlite(st)) > 0 ? 0 : 1;
    }
    char *had = NULL;
    if (review_time(st, r->interview, &had) != 0)
        return -1;
    /* An older decision than the one kept changes nothing (one of the
     * same second is later: review times are to the second). */
    int older = had && strcmp(had, r->time) > 0;
    /* The same review again (every bundle carries it): seen before. */
    int seen = had && strcmp(had, r->time) == 0;
    free(had);
    int complete = 0;
    char head[REV_HEX + 1], content[REV_HEX + 1];
    int rc = older ? 1 : current_content(st, r->interview, &complete, head,
                                         content);
    if (rc != 0)
        return rc;
    sqlite3_stmt *s = store_prepare(st, NULL,
        "INSERT INTO reviews (interview, status, comment, reviewer, time,"
        " revision, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT (interview) DO UPDATE"
        " SET status = excluded.status, comment = excluded.comment,"
        " reviewer = excluded.reviewer, time = excluded.time,"
        " revision = excluded.revision, content = excluded.content");
    if (!s)
        return -1;
    const char *v[7] = {r->interview, r->status,
                        *r->comment ? r->comment : NULL,
                        *r->reviewer ? r->reviewer : NULL, r->time,
                        r->revision, r->content};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
    if (exec_stmt(st, s, "saving the office's review") != 0)
        return -1;
    int back = strcmp(r->status, "returned") == 0;
    if (back && !seen && audit_return(st, r, head) != 0)
        return -1;
    /* Reopened only while it holds what the office judged: an interview
     * the enumerator changed since stays as it is, its comment shown on
     * it (store_returned_get) until it is corrected again. */
    if (back && complete && strcmp(content, r->content) == 0) {
        if (reopen_tx(st, r->interview) != 0)
            return -1;
        *reopened = 1;
    } else if (back && complete && !seen)
        *changed = 1;
    return 0;
}

int store_setup_install_tx(store *st, const char *const commune[3],
                           const store_village *v, size_t nv,
                           const store_household *h, size_t nh)
{
    static const char *const key[3] = {STORE_SET_SETUP_CODE,
                                       STORE_SET_SETUP_NAME,
                                       STORE_SET_SETUP_PROVINCE};
    for (int i = 0; i < 3; i++)
        if (store_setting_set(st, key[i], commune[i] && *commune[i]
                              ? commune[i] : NULL) != 0)
            return -1;
    if (store_setting_set(st, STORE_SET_SETUP_FROM, "office") != 0)
        return -1;
    if (exec_stmt(st, store_prepare(st, NULL, "DELETE FROM households"),
                  "clearing the household lists") != 0
        || exec_stmt(st, store_prepare(st, NULL, "DELETE FROM villages"),
                                                 "clearing the villages") != 0)
        return -1;
    sqlite3_stmt *pv = store_prepare(st, NULL,
        "INSERT INTO villages (code, name, enumerator) VALUES (?1, ?2, ?3)");
    int rc = pv ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < nv; i++) {
        sqlite3_bind_text(pv, 1, v[i].code, -1, SQLITE_STATIC);
        sqlite3_bind_text(pv, 2, v[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(pv, 3, v[i].enumerator, -1, SQLITE_STATIC);
        if (sqlite3_step(pv) != SQLITE_DONE)
            rc = store_fail(st, "saving village %s", v[i].code);
        sqlite3_reset(pv);
    }
    sqlite3_finalize(pv);
    sqlite3_stmt *ph = rc ? NULL : store_prepare(st, NULL,
        "INSERT INTO households (village, number, head) VALUES (?1, ?2, ?3)");
    rc = rc || !ph ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < nh; i++) {
        sqlite3_bind_text(ph, 1, h[i].village, -1, SQLITE_STATIC);
        sqlite3_bind_text(ph, 2, h[i].number, -1, SQLITE_STATIC);
        sqlite3_bind_text(ph, 3, h[i].head, -1, SQLITE_STATIC);
        if (sqlite3_step(ph) != SQLITE_DONE)
            rc = store_fail(st, "saving household %s of village %s",
                            h[i].number, h[i].village);
        sqlite3_reset(ph);
    }
    sqlite3_finalize(ph);
    return rc;
}

/* SQL: the interviews i returned by the office with review r, not
 * finished again since: a draft (reopened by the return or by hand), or
 * one complete still at the head it had when a return of an earlier
 * version reached it (audited by audit_return), "earlier" 1. */
#define RETURNED_FROM \
    " FROM (SELECT i.uuid, i.updated, coalesce(r.comment, '') AS comment," \
    " i.status = 'complete' AS earlier FROM interviews i" \
    " JOIN reviews r ON r.interview = i.uuid WHERE r.status = 'returned'" \
    " AND (i.status = 'draft' OR EXISTS (SELECT 1 FROM audit a" \
    " WHERE a.interview = i.uuid AND a.event = 'return'" \
    " AND a.old_value = r.revision AND a.new_value = i.head)))"

int store_returned_count(store *st, long *n)
{
    return store_count_sql(st, "SELECT count(*)" RETURNED_FROM,
                           "counting returned interviews", n);
}

int store_returned_get(store *st, const char *uuid, char **comment,
                       int *earlier)
{
    *comment = NULL;
    *earlier = 0;
    sqlite3_stmt *s = store_prepare(st, NULL, "SELECT comment, earlier"
                                    RETURNED_FROM " WHERE uuid = ?1");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *comment = xstrdup(col(s, 0));
        *earlier = sqlite3_column_int(s, 1);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "reading the return of %s", uuid);
    return rc == SQLITE_ROW ? 0 : 1;
}

int store_returned_each(store *st, store_returned_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, NULL,
        "SELECT uuid, comment, earlier" RETURNED_FROM
        " ORDER BY updated DESC, uuid");
    if (!s)
        return -1;
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
        ret = fn(ctx, col(s, 0), col(s, 1), sqlite3_column_int(s, 2));
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing the returned interviews");
    sqlite3_finalize(s);
    return ret;
}

int store_settled_mark_tx(store *st)
{
    static const char *const sql[2] = {
        "CREATE TEMP TABLE IF NOT EXISTS settled_before (a TEXT, b TEXT,"
        " PRIMARY KEY (a, b)) WITHOUT ROWID",
        "DELETE FROM temp.settled_before",
    };
    for (int i = 0; i < 2; i++)
        if (store_run_by_key(st, sql[i], NULL,
                             "noting the office's decisions") != 0)
            return -1;
    return store_run_by_key(st, "INSERT OR IGNORE INTO temp.settled_before"
                            " SELECT min(interview, other), max(interview,"
                            " other) FROM settled", NULL,
                            "noting the office's decisions");
}

int store_settled_gone_tx(store *st, long *n)
{
    return store_count_sql(st, "SELECT count(*) FROM temp.settled_before p"
        " WHERE NOT EXISTS (SELECT 1 FROM settled t WHERE t.interview IN"
        " (p.a, p.b) AND t.other IN (p.a, p.b))",
        "counting the office's decisions taken back", n);
}
