/* store_dups.c: the supervisor's decisions on possible duplicates.  A pair
 * (two interviews of one form with the same case key) is open until
 * decided: the same household (one kept, the other superseded: still in
 * the data, with its history, but left out of reports and CSV) or two
 * different households.  A decision holds while both keep that key; when
 * either key changes, the pair is forgotten and judged again. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/ui_text.h"
#include "core/util.h"

/* Run s with the n strings v bound; SQLite's code (s finalised). */
static int run(sqlite3_stmt *s, const char *const *v, int n)
{
    store_bind_all(s, v, n);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc;
}

/* Refuse (-1, with the message) when a and b came from different
 * communes: an older khaosat paired them, but numbers are per commune,
 * so they are two different people whatever is decided. */
static int apart(store *st, const char *a, const char *b)
{
    sqlite3_stmt *s = store_prepare(st, "a duplicates query", "SELECT "
        STORE_ORIGIN_RAW_SQL("?1") ", " STORE_ORIGIN_RAW_SQL("?2") ", "
        STORE_ORIGIN_KEY_SQL("?1") " IS " STORE_ORIGIN_KEY_SQL("?2"));
    if (!s)
        return -1;
    const char *v[2] = {a, b};
    store_bind_all(s, v, 2);
    int rc = sqlite3_step(s), ret = 0;
    if (rc != SQLITE_ROW)
        ret = store_fail(st, "reading the communes of %s and %s", a, b);
    else if (!sqlite3_column_int(s, 2)) {
        char *ca = ui_text_safe((const char *)sqlite3_column_text(s, 0),
                                UI_TEXT_QUOTED);
        char *cb = ui_text_safe((const char *)sqlite3_column_text(s, 1),
                                UI_TEXT_QUOTED);
        ret = store_failx(st, "%s (commune %s) and %s (commune %s) are not a "
                          "pair of possible duplicates: they are of "
                          "different communes, and household and official "
                          "numbers are per commune", a, ca, b, cb);
        free(ca);
        free(cb);
    }
    sqlite3_finalize(s);
    return ret;
}

/* The times a new decision on the pair ?1, ?2 must come after: the
 * decisions on its household's pairs (one form, one key: "the same"
 * links only such pairs, and the household's newest decision says which
 * interview it keeps) and the pair's own taking back by a key change. */
static const char decided_before_sql[] =
    "SELECT decided FROM duplicates WHERE (form_id, key) IN"
    " (SELECT form_id, key FROM duplicates WHERE a = ?1 AND b = ?2)"
    " UNION ALL SELECT dropped FROM decisions_dropped WHERE a = ?1"
    " AND b = ?2";

/* Record the decision (NULL: taken back) inside a transaction, with its
 * time to the millisecond also when taken back, so that the newer of two
 * decisions wins upstream (after the earlier ones even when the clock
 * was once ahead); a decision changed is worth an upstream bundle, as a
 * review is.  Taking back a pair a key change already took back only
 * stamps that anew. */
static int decide_tx(store *st, const char *a, const char *b,
                     const char *decision, const char *keep)
{
    int first = strcmp(a, b) < 0;
    char now[32];
    const char *v[5] = {first ? a : b, first ? b : a, decision, keep, now};
    if (store_now_after(st, decided_before_sql, v, 2,
                        "reading the earlier decisions on the pair", now) != 0)
        return -1;
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "UPDATE duplicates SET decision = ?3,"
        " keep = ?4, decided = ?5 WHERE a = ?1 AND b = ?2");
    if (!s)
        return -1;
    if (run(s, v, 5) != SQLITE_DONE)
        return store_fail(st, "recording the decision on %s and %s", a, b);
    if (sqlite3_changes(store_sqlite(st)) == 0 && !decision) {
        const char *w[3] = {v[0], v[1], now};
        s = store_prepare(st, "a duplicates query", "UPDATE decisions_dropped"
                          " SET dropped = ?3 WHERE a = ?1 AND b = ?2");
        if (!s)
            return -1;
        if (run(s, w, 3) != SQLITE_DONE)
            return store_fail(st, "taking back the decision on %s and %s", a,
                              b);
    }
    if (sqlite3_changes(store_sqlite(st)) == 0)
        return store_failx(st, "%s and %s are not a pair of possible "
                           "duplicates (see khaosat duplicates)", a, b);
    return store_review_count_change_tx(st);
}

int store_duplicate_decide(store *st, const char *a, const char *b,
                           const char *decision, const char *keep,
                           store_kept_fn fn, void *ctx)
{
    if (decision && strcmp(decision, "same") && strcmp(decision, "different"))
        return store_failx(st, "duplicates %s and %s: decision \"%s\" is "
                           "neither same nor different", a, b, decision);
    if (decision && !strcmp(decision, "same")
        && (!keep || (strcmp(keep, a) && strcmp(keep, b))))
        return store_failx(st, "duplicates %s and %s: the one to keep must "
                           "be one of the two", a, b);
    if (!decision || strcmp(decision, "same"))
        keep = NULL;
    if (decision && apart(st, a, b) != 0)
        return -1;
    if (store_begin(st) != 0)
        return -1;
    int rc = decide_tx(st, a, b, decision, keep);
    if (rc == 0 && store_dups_one_kept_tx(st, keep, fn, ctx) < 0)
        rc = -1;
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st);
}

int store_duplicates_rekey(store *st, const char *uuid, const char *key)
{
    static const char *const sql[2] = {
        STORE_DUP_DROP_SQL,
        "DELETE FROM duplicates WHERE (a = ?1 OR b = ?1) AND key IS NOT ?2",
    };
    /* Taken back after the decisions it takes back, as a new decision. */
    char now[32];
    const char *v[3] = {uuid, key, now};
    if (store_now_after(st, "SELECT decided FROM duplicates WHERE (a = ?1"
                        " OR b = ?1) AND key IS NOT ?2", v, 2,
                        "reading the decisions on the pairs", now) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *s = store_prepare(st, "a duplicates query", sql[i]);
        if (!s)
            return -1;
        if (run(s, v, i == 0 ? 3 : 2) != SQLITE_DONE)
            return store_fail(st, "judging the duplicates of %s again", uuid);
    }
    return 0;
}

int store_duplicates_drop_foreign(store *st)
{
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "DELETE FROM duplicates WHERE " STORE_ORIGIN_KEY_SQL("a")
        " IS NOT " STORE_ORIGIN_KEY_SQL("b"));
    if (!s)
        return -1;
    if (run(s, NULL, 0) != SQLITE_DONE)
        return store_fail(st, "forgetting pairs of two communes");
    return 0;
}

int store_duplicates_open(store *st, long *n)
{
    return store_count_sql(st, "SELECT count(*) FROM duplicates WHERE"
                           " decision IS NULL", "counting duplicates", n);
}

/* Hand each row of s (a, b, form_id, key, decision, keep, decided) to
 * fn, then finalise s: 0, fn's non-zero value, or -1. */
static int settled_rows(store *st, sqlite3_stmt *s, store_settled_fn fn,
                        void *ctx)
{
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *c[7];
        for (int i = 0; i < 7; i++)
            c[i] = (const char *)sqlite3_column_text(s, i);
        store_settled d = {c[0], c[1], c[2], c[3], c[4], c[5], c[6]};
        ret = fn(ctx, &d);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing decisions on duplicates");
    sqlite3_finalize(s);
    return ret;
}

int store_down_settled_each(store *st, const char *device,
                            store_settled_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "a duplicates query", "SELECT d.a, d.b, d.form_id, d.key,"
                              " d.decision, coalesce(d.keep, ''), d.decided"
                              " FROM duplicates d WHERE d.decision IS NOT NULL"
                              " AND d.decided IS NOT NULL AND EXISTS (SELECT 1"
                              " FROM interviews i WHERE i.uuid IN (d.a, d.b)"
                              " AND i.device_id = ?1) ORDER BY d.a, d.b");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, device, -1, SQLITE_STATIC);
    return settled_rows(st, s, fn, ctx);
}

int store_settled_put_tx(store *st, const store_settled *d, long *here)
{
    /* Each side that is here, with the other side of the pair. */
    const char *side[2][2] = {{d->a, d->b}, {d->b, d->a}};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *s = store_prepare(st, "a duplicates query", "INSERT INTO settled (interview, other,"
                                  " decision, keep, decided) SELECT ?1, ?2, ?3,"
                                  " nullif(?4, ''), ?5 WHERE EXISTS (SELECT 1"
                                  " FROM interviews WHERE uuid = ?1)"
                                  " ON CONFLICT (interview, other) DO UPDATE"
                                  " SET decision = excluded.decision,"
                                  " keep = excluded.keep,"
                                  " decided = excluded.decided");
        if (!s)
            return -1;
        const char *v[5] = {side[i][0], side[i][1], d->decision, d->keep,
                            d->decided};
        if (run(s, v, 5) != SQLITE_DONE)
            return store_fail(st, "keeping the office's decision on %s and "
                              "%s", d->a, d->b);
        *here += sqlite3_changes(store_sqlite(st)) > 0;
    }
    /* A pair flagged here too (both interviews here) takes the decision. */
    sqlite3_stmt *s = store_prepare(st, "a duplicates query", "UPDATE duplicates SET decision = ?3,"
                              " keep = nullif(?4, ''), decided = ?5"
                              " WHERE a = ?1 AND b = ?2");
    if (!s)
        return -1;
    const char *v[5] = {d->a, d->b, d->decision, d->keep, d->decided};
    if (run(s, v, 5) != SQLITE_DONE)
        return store_fail(st, "keeping the office's decision on %s and %s",
                          d->a, d->b);
    return 0;
}

int store_interview_superseded(store *st, const char *uuid, char **kept)
{
    *kept = NULL;
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "SELECT keep FROM settled WHERE interview = ?1 AND decision = 'same'"
        " AND keep IS NOT NULL AND keep <> ?1"
        " UNION ALL SELECT keep FROM duplicates WHERE (a = ?1 OR b = ?1)"
        " AND decision = 'same' AND keep IS NOT NULL AND keep <> ?1"
        " LIMIT 1");
    if (!s)
        return -1;
    const char *v[1] = {uuid};
    store_bind_all(s, v, 1);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *kept = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "reading the decisions on %s", uuid);
    return rc == SQLITE_ROW;
}

int store_settled_clear_tx(store *st)
{
    static const char *const sql[2] = {
        "UPDATE duplicates SET decision = NULL, keep = NULL, decided = NULL"
        " WHERE EXISTS (SELECT 1 FROM settled t WHERE t.interview = a"
        " AND t.other = b)",
        "DELETE FROM settled",
    };
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *s = store_prepare(st, "a duplicates query", sql[i]);
        if (!s)
            return -1;
        if (run(s, NULL, 0) != SQLITE_DONE)
            return store_fail(st, "forgetting the office's decisions");
    }
    return 0;
}

int store_settled_each(store *st, store_settled_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "a duplicates query", "SELECT t.interview, t.other,"
                              " i.form_id, '', t.decision,"
                              " coalesce(t.keep, ''), t.decided FROM settled t"
                              " JOIN interviews i ON i.uuid = t.interview"
                              " WHERE NOT EXISTS (SELECT 1 FROM duplicates d"
                              " WHERE (d.a = t.interview AND d.b = t.other)"
                              " OR (d.b = t.interview AND d.a = t.other))"
                              " ORDER BY t.interview, t.other");
    if (!s)
        return -1;
    return settled_rows(st, s, fn, ctx);
}
