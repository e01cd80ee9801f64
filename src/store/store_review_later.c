/* store_review_later.c: reviews of an office below on their way up, at
 * the level above.  A review may reach the province before the interview
 * it judges (two bundles merged in the other order, a review sent alone):
 * it is then kept in reviews_later, one per interview and sending key (a
 * newer one from the same key replacing the older), and taken when the
 * interview arrives, checked then against the office bound to the
 * interview's commune as a review of an interview here is.  A review
 * judges a revision: taken after a later revision arrived, it still
 * judges its own, so the interview reads "changed" (or "corrected"), as
 * it does at the office.  One of a revision not here yet (the office
 * judged a correction whose bundle comes later) is kept the same way
 * until that revision arrives: taken at once it would read "changed"
 * although nothing changed after it.  A clear is never kept for its
 * revision: it withdraws whatever review is here.  Decisions kept for later (store_dups_up.c) name
 * their bundle the same way, so one dropped says where it came from. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void store_later_clear(store_later *k)
{
    free(k->signer);
    free(k->from);
    free(k->bundle);
    free(k->commune);
    free(k->bound);
    memset(k, 0, sizeof *k);
}

/* Whether interview uuid is here: 1 yes, 0 no, -1. */
static int interview_here(store *st, const char *uuid)
{
    char *one = NULL;
    int rc = store_text_by_key(st, "SELECT 1 FROM interviews WHERE"
                               " uuid = ?1", uuid, "looking up interview",
                               &one);
    free(one);
    return rc < 0 ? -1 : rc == 0;
}

/* Keep r for later, replacing the one kept from the same key when newer:
 * STORE_DECISION_LATER kept, STORE_DECISION_OLD not, -1. */
static int keep_for_later(store *st, const store_down_review *r,
                          const char *signer, const char *from,
                          const char *bundle)
{
    sqlite3_stmt *s = store_prepare(st, "a reviews query",
        "INSERT INTO reviews_later (interview, signer, status, comment,"
        " reviewer, time, revision, content, commune, bundle_commune,"
        " bundle) VALUES (?1, ?2, ?3, nullif(?4, ''), ?5, ?6, ?7, ?8, ?9,"
        " ?10, ?11) ON CONFLICT (interview, signer) DO UPDATE SET"
        " status = excluded.status, comment = excluded.comment,"
        " reviewer = excluded.reviewer, time = excluded.time,"
        " revision = excluded.revision, content = excluded.content,"
        " commune = excluded.commune,"
        " bundle_commune = excluded.bundle_commune, bundle = excluded.bundle"
        " WHERE excluded.time > reviews_later.time");
    if (!s)
        return -1;
    const char *v[11] = {r->interview, signer, r->status, r->comment,
                         r->reviewer, r->time, r->revision, r->content,
                         r->commune, from ? from : "", bundle ? bundle : ""};
    store_bind_all(s, v, 11);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "keeping the review of %s for later",
                          r->interview);
    return sqlite3_changes(store_sqlite(st)) > 0 ? STORE_DECISION_LATER
                                                 : STORE_DECISION_OLD;
}

/* Whether the revision r judged is here (a clear judges none): 1 yes, 0
 * no, -1. */
static int judged_here(store *st, const store_down_review *r)
{
    if (!strcmp(r->status, "cleared"))
        return 1;
    sqlite3_stmt *s = store_prepare(st, "a reviews query",
        "SELECT EXISTS (SELECT 1 FROM revisions WHERE id = ?1"
        " AND interview = ?2)");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, r->revision ? r->revision : "", -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(s, 2, r->interview, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    int yes = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    return yes < 0 ? store_fail(st, "looking up the revision judged of %s",
                                r->interview) : yes;
}

int store_review_office_tx(store *st, const store_down_review *r,
                           const char *signer, const char *from,
                           const char *bundle, char **commune, char **bound)
{
    *commune = *bound = NULL;
    int here = interview_here(st, r->interview);
    if (here > 0)
        here = judged_here(st, r);
    if (here < 0)
        return -1;
    if (!here)
        return keep_for_later(st, r, signer ? signer : "", from, bundle);
    int rc = store_office_decides(st, r->interview, signer, from, commune,
                                  bound);
    return rc == 0 ? store_review_take_tx(st, r) : rc;
}

/* SQL: the kept review's revision is here, or it is a clear (?1 the
 * interview). */
#define JUDGED_HERE "(status = 'cleared' OR EXISTS (SELECT 1 FROM" \
    " revisions v WHERE v.id = reviews_later.revision" \
    " AND v.interview = ?1))"

/* Take or drop one kept review (the statement's current row). */
static int take_one(store *st, sqlite3_stmt *s, store_later_fn fn, void *ctx)
{
    const char *c[11];
    for (int i = 0; i < 11; i++)
        c[i] = (const char *)sqlite3_column_text(s, i);
    store_down_review r = {c[0], c[2], c[3] ? c[3] : "", c[4] ? c[4] : "",
                           c[5], c[6], c[7], c[8]};
    store_later k = {xstrdup(c[1]), xstrdup(c[9]),
                    *c[10] ? xstrdup(c[10]) : NULL, NULL, NULL};
    int rc = store_office_decides(st, r.interview, k.signer, k.from,
                                  &k.commune, &k.bound);
    if (rc == 0)
        rc = store_review_take_tx(st, &r);
    if (rc >= 0)
        rc = fn(ctx, rc, &k) != 0 ? -1 : 0;
    store_later_clear(&k);
    return rc;
}

int store_reviews_later_take_tx(store *st, const char *uuid,
                                store_later_fn fn, void *ctx)
{
    /* Oldest first: of two offices, each is judged in turn, and a review
     * taken stays only when newer than the one here.  One whose revision
     * is still not here waits on. */
    sqlite3_stmt *s = store_prepare(st, "a reviews query",
        "SELECT interview, signer, status, comment, coalesce(reviewer, ''),"
        " time, revision, content, commune, bundle_commune, bundle"
        " FROM reviews_later WHERE interview = ?1 AND " JUDGED_HERE
        " ORDER BY time, signer");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    int rc, ret = 0, seen = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        seen = 1;
        ret = take_one(st, s, fn, ctx);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "reading the reviews kept for %s", uuid);
    sqlite3_finalize(s);
    if (ret != 0)
        return -1;
    /* Taken or dropped now, once (most interviews have none). */
    return !seen ? 0 : store_run_by_key(st, "DELETE FROM reviews_later"
                                        " WHERE interview = ?1 AND "
                                        JUDGED_HERE, uuid,
                                        "forgetting the reviews kept for");
}
