/* store_dups_up.c: decisions on possible duplicates travelling upstream.
 * An office's upstream bundle carries every decision it made or took
 * back, with its time; the level above keeps each on the pair it flagged
 * too, when newer than its own, so that it counts the pair decided and
 * leaves the superseded interview out as the office does.  Only the
 * office bound to the pair's commune decides it (the key its commune's
 * set-up came with, store_setup_take_tx); a decision on a pair not
 * flagged here yet waits in decisions_later until the pair is, one per
 * pair and sending key, so that another office's newer decision does not
 * replace the bound office's before the pair says whose it is. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

int store_decisions_up_each(store *st, const char *own,
                            int (*fn)(void *ctx, const store_up_decision *d),
                            void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "SELECT a, b, coalesce(decision, 'open'), coalesce(keep, ''),"
        " decided, coalesce(?1, '') FROM duplicates WHERE decided IS NOT NULL"
        /* A pair a key change made judged again, not decided since. */
        " UNION ALL SELECT a, b, 'open', '', dropped, coalesce(?1, '')"
        " FROM decisions_dropped t WHERE NOT EXISTS (SELECT 1 FROM"
        " duplicates d WHERE d.a = t.a AND d.b = t.b"
        " AND d.decided IS NOT NULL)"
        " ORDER BY a, b");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, own, -1, SQLITE_STATIC);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *c[6];
        for (int i = 0; i < 6; i++)
            c[i] = (const char *)sqlite3_column_text(s, i);
        store_up_decision d = {c[0], c[1], c[2], c[3], c[4], c[5]};
        ret = fn(ctx, &d);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "reading the decisions to send upstream");
    sqlite3_finalize(s);
    return ret;
}

/* Run s with the n strings v bound and finalise it: SQLite's code. */
static int run(sqlite3_stmt *s, const char *const *v, int n)
{
    store_bind_all(s, v, n);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc;
}

/* The interview of the pair a, b that is here (a first): 0 with *uuid
 * (newly allocated), 1 when neither is, -1. */
static int pair_member(store *st, const char *a, const char *b, char **uuid)
{
    *uuid = NULL;
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "SELECT uuid FROM interviews WHERE uuid IN (?1, ?2) ORDER BY"
        " uuid <> ?1 LIMIT 1");
    if (!s)
        return -1;
    const char *v[2] = {a, b};
    store_bind_all(s, v, 2);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *uuid = store_col_dup(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "reading the interviews %s and %s", a, b);
    return rc == SQLITE_ROW ? 0 : 1;
}

int store_office_decides(store *st, const char *uuid, const char *signer,
                         const char *from, char **commune, char **bound)
{
    char *code = NULL, *sender = NULL;
    if (store_interview_setup(st, uuid, NULL, &code) != 0)
        return -1;
    int rc = code ? store_setup_sender(st, code, &sender) : 0;
    if (rc == 0 && sender) {
        rc = signer && strcmp(sender, signer) == 0 ? 0 : STORE_DECISION_BOUND;
        if (rc) {
            *commune = code;
            *bound = sender;
            return rc;
        }
        free(code);
        free(sender);
        return 0;
    }
    free(code);
    if (rc < 0)
        return -1;
    /* No office bound: the pair must be of the bundle's own commune. */
    sqlite3_stmt *s = store_prepare(st, "a duplicates query", "SELECT "
        STORE_ORIGIN_RAW_SQL("?1") ", " STORE_ORIGIN_KEY_SQL("?1")
        " IS khaosat_commune_key(?2)");
    if (!s)
        return -1;
    const char *v[2] = {uuid, from ? from : ""};
    store_bind_all(s, v, 2);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && !sqlite3_column_int(s, 1)) {
        *commune = store_col_dup(s, 0);
        rc = STORE_DECISION_BOUND;
    } else {
        rc = rc == SQLITE_ROW ? 0
            : store_fail(st, "reading the commune of interview %s", uuid);
    }
    sqlite3_finalize(s);
    return rc;
}

/* Put decision (decision NULL: open) on the pair a, b when newer than the
 * one here, or as new and another: 0 changed, 1 not (older, the same, or
 * no such pair), -1.  A tie goes to the office: after its clock was once
 * ahead, its later decision and one made here meanwhile are both stamped
 * just after the time it set, and the commune's office has the last word
 * on its own pairs. */
static int put_on_pair(store *st, const char *const v[5])
{
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "UPDATE duplicates SET decision = nullif(?3, 'open'),"
        " keep = nullif(?4, ''), decided = ?5 WHERE a = ?1 AND b = ?2"
        " AND (decided IS NULL OR decided < ?5 OR (decided = ?5"
        " AND (decision IS NOT nullif(?3, 'open')"
        " OR keep IS NOT nullif(?4, ''))))");
    if (!s)
        return -1;
    if (run(s, v, 5) != SQLITE_DONE)
        return store_fail(st, "keeping the office's decision on %s and %s",
                          v[0], v[1]);
    return sqlite3_changes(store_sqlite(st)) > 0 ? 0 : 1;
}

int store_decision_take_tx(store *st, const store_up_decision *d,
                           const char *signer, const char *from,
                           const char *bundle, char **commune, char **bound)
{
    *commune = *bound = NULL;
    char *uuid = NULL;
    int rc = pair_member(st, d->a, d->b, &uuid);
    if (rc == 0)
        rc = store_office_decides(st, uuid, signer, from, commune, bound);
    free(uuid);
    if (rc < 0 || rc == STORE_DECISION_BOUND)
        return rc;
    const char *v[8] = {d->a, d->b, d->decision, d->keep, d->decided,
                        signer ? signer : "", from ? from : "", bundle};
    rc = put_on_pair(st, v);
    if (rc != 1)
        return rc;
    /* Not changed: an older decision, or the pair is not flagged here. */
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "SELECT 1 FROM duplicates WHERE a = ?1 AND b = ?2");
    if (!s)
        return -1;
    store_bind_all(s, v, 2);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)
        return STORE_DECISION_OLD;
    if (rc != SQLITE_DONE)
        return store_fail(st, "reading the pair %s and %s", d->a, d->b);
    s = store_prepare(st, "a duplicates query",
        "INSERT INTO decisions_later (a, b, decision, keep, decided, signer,"
        " commune, bundle) VALUES (?1, ?2, nullif(?3, 'open'), nullif(?4,"
        " ''), ?5, ?6, ?7, ?8) ON CONFLICT (a, b, signer) DO UPDATE SET"
        " decision = excluded.decision, keep = excluded.keep,"
        " decided = excluded.decided, commune = excluded.commune,"
        " bundle = excluded.bundle"
        " WHERE excluded.decided > decisions_later.decided");
    if (!s)
        return -1;
    if (run(s, v, 8) != SQLITE_DONE)
        return store_fail(st, "keeping the office's decision on %s and %s "
                          "for later", d->a, d->b);
    return sqlite3_changes(store_sqlite(st)) > 0 ? STORE_DECISION_LATER
                                                 : STORE_DECISION_OLD;
}

/* Take or drop one kept decision on a, b (the statement's current row). */
static int take_kept(store *st, sqlite3_stmt *s, const char *a,
                     const char *b, store_later_fn fn, void *ctx)
{
    store_later k = {store_col_dup(s, 3), store_col_dup(s, 4),
                     store_col_dup(s, 5), NULL, NULL};
    int rc = store_office_decides(st, a, k.signer, k.from, &k.commune,
                                  &k.bound);
    if (rc == 0) {
        const char *v[5] = {a, b, (const char *)sqlite3_column_text(s, 0),
                            (const char *)sqlite3_column_text(s, 1),
                            (const char *)sqlite3_column_text(s, 2)};
        rc = put_on_pair(st, v);
    }
    if (rc >= 0)
        rc = fn(ctx, rc, &k) != 0 ? -1 : 0;
    store_later_clear(&k);
    return rc;
}

int store_decisions_later_take_tx(store *st, const char *a, const char *b,
                                  store_later_fn fn, void *ctx)
{
    /* Oldest first: only the bound office's are put on the pair, each
     * when newer than the decision there. */
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "SELECT coalesce(decision, 'open'), coalesce(keep, ''), decided,"
        " nullif(signer, ''), commune, bundle FROM decisions_later"
        " WHERE a = ?1 AND b = ?2 ORDER BY decided, signer");
    if (!s)
        return -1;
    const char *ab[2] = {a, b};
    store_bind_all(s, ab, 2);
    int rc, ret = 0, seen = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        seen = 1;
        ret = take_kept(st, s, a, b, fn, ctx);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "reading the decisions kept for %s and %s", a,
                         b);
    sqlite3_finalize(s);
    if (ret != 0)
        return -1;
    if (!seen)
        return 0;       /* most pairs have none */
    /* Taken or dropped now, once. */
    s = store_prepare(st, "a duplicates query", "DELETE FROM"
                      " decisions_later WHERE a = ?1 AND b = ?2");
    if (!s)
        return -1;
    if (run(s, ab, 2) != SQLITE_DONE)
        return store_fail(st, "forgetting the decisions kept for %s and %s",
                          a, b);
    return 0;
}
