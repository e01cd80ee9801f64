/* bundle_export.c: writing the store's interviews to a new bundle, the
 * whole export in one store transaction that commits only once the bundle
 * (plain or sealed) has been written, synced, renamed, its directory
 * synced, and verified: a power cut after "exported" cannot take the file
 * back. */
#include "config.h"
#include "sync/bundle_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"
#include "store/revision.h"
#include "store/store.h"
#include "store/store_export.h"

/* One export in progress. */
typedef struct exporter {
    store *st;
    unsigned flags;
    bundle_seal_fn seal;        /* NULL: the plain bundle goes to dir */
    void *seal_ctx;
    char *device;
    bundle_writer *w;
    char **uuids;
    size_t n, cap;
    int office;                 /* an office: its reviews go upstream */
    long reviews;
    long long setup_seq;        /* its own set-up's sequence (0: none) */
    long setups;                /* communes' set-ups carried */
    sbuf bad_times;             /* reviews and decisions with a time that
                                   is not a stamp: one line each */
    long nbad_times;
    char *err;
} exporter;

/* Add one row of set q to the bundle (or to the list of UUIDs). */
static int ex_row(exporter *x, enum store_export_set q,
                  const store_export_row *r)
{
    bundle_writer *w = x->w;
    const char *const *c = r->col;
    switch (q) {
    case STORE_EX_UUIDS:
        x->uuids = util_grow(x->uuids, &x->cap, x->n + 1, sizeof *x->uuids);
        x->uuids[x->n++] = xstrdup(c[0]);
        return 0;
    case STORE_EX_FORMS:
        return bundle_writer_form(w, c[0], c[1], c[2], r->len[2]);
    case STORE_EX_IVS: {
        bundle_iv iv = {c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
                        c[8]};
        return bundle_writer_interview(w, &iv);
    }
    case STORE_EX_REVS: {
        bundle_rev rv = {c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]};
        return bundle_writer_revision(w, &rv);
    }
    case STORE_EX_ITEMS:
        return bundle_writer_item(w, c[0], c[1], c[2], c[3], c[4]);
    default: {
        bundle_audit a = {c[0], c[1], c[2] ? strtoll(c[2], NULL, 10) : 0,
                          c[3], c[4], c[5], c[6], c[7], c[8]};
        return bundle_writer_audit(w, &a);
    }
    }
}

/* A query of the export under way and its set. */
typedef struct ex_run {
    exporter *x;
    enum store_export_set q;
} ex_run;

/* store_export_fn: one row to ex_row. */
static int ex_each(void *ctx, const store_export_row *r)
{
    ex_run *run = ctx;
    return ex_row(run->x, run->q, r);
}

/* Read set q from the store and hand each row to ex_row. */
static int ex_query(exporter *x, enum store_export_set q)
{
    ex_run run = {x, q};
    int rc = store_export_rows(x->st, q, (x->flags & BUNDLE_EXPORT_ALL) != 0,
                               (x->flags & BUNDLE_EXPORT_DRAFTS) != 0,
                               x->device, ex_each, &run);
    if (rc > 0)
        x->err = xstrdup(bundle_writer_errmsg(x->w));
    else if (rc < 0)
        x->err = xstrdup(store_errmsg(x->st));
    return rc == 0 ? 0 : -1;
}

/* Non-zero (after noting it in x->bad_times with the command that makes
 * it anew, fix, and what, naming the record) when time is not a stamp:
 * the level above could not order it with the others, and a bundle never
 * carries one. */
static int ex_bad_time(exporter *x, const char *time, const char *what,
                       const char *fix)
{
    struct timespec t;
    if (clock_stamp_parse(time, &t) == 0)
        return 0;
    char *shown = ui_text_safe(time, UI_TEXT_QUOTED);
    sbuf_addf(&x->bad_times, _("\n  %s: time \"%s\": %s"), what, shown, fix);
    free(shown);
    x->nbad_times++;
    return 1;
}

/* Say (-1) which reviews and decisions have a malformed time, all at
 * once, each with its command; 0 when none has. */
static int ex_bad_times(exporter *x)
{
    if (!x->nbad_times)
        return 0;
    x->err = xasprintf(ngettext("%ld review or decision on possible "
                                "duplicates here has a malformed time (not "
                                "a time as khaosat stamps it, such as "
                                "2026-06-01T08:00:00.000Z), which the level "
                                "above could not order; make it again with "
                                "the command shown:%s",
                                "%ld reviews or decisions on possible "
                                "duplicates here have a malformed time (not "
                                "a time as khaosat stamps it, such as "
                                "2026-06-01T08:00:00.000Z), which the level "
                                "above could not order; make each again "
                                "with the command shown:%s",
                                x->nbad_times),
                       x->nbad_times, x->bad_times.s);
    return -1;
}

/* The review of r->interview with a malformed time: noted, 1; else 0. */
static int ex_review_time_bad(exporter *x, const store_down_review *r)
{
    char *what = xasprintf(_("the review of %s"), r->interview);
    char *fix;
    if (!strcmp(r->status, "approved"))
        fix = xasprintf("khaosat review %s --approve", r->interview);
    else if (!strcmp(r->status, "returned"))
        fix = xasprintf(_("khaosat review %s --return --comment TEXT"),
                        r->interview);
    else
        fix = xasprintf("khaosat review %s --clear", r->interview);
    int bad = ex_bad_time(x, r->time, what, fix);
    free(what);
    free(fix);
    return bad;
}

/* One review of the office into the bundle. */
static int ex_review(void *ctx, const store_down_review *r)
{
    exporter *x = ctx;
    if (ex_review_time_bad(x, r))
        return 0;
    bundle_review br = {r->interview, r->status, r->comment, r->reviewer,
                        r->time, r->revision, r->content, r->commune};
    if (bundle_writer_review(x->w, &br) != 0) {
        x->err = xstrdup(bundle_writer_errmsg(x->w));
        return -1;
    }
    x->reviews++;
    return 0;
}

/* An office's reviews, each with the commune that made it (own for those
 * made here), so the province sees which interviews each commune
 * approved. */
static int ex_reviews(exporter *x, const char *own)
{
    if (!x->office)
        return 0;
    int rc = store_reviews_up_each(x->st, own, ex_review, x);
    if (rc < 0 && !x->err)
        x->err = xstrdup(store_errmsg(x->st));
    return rc == 0 ? 0 : -1;
}

/* One decision of the office on possible duplicates into the bundle. */
static int ex_decision(void *ctx, const store_up_decision *d)
{
    exporter *x = ctx;
    char *what = xasprintf(_("the decision on %s and %s"), d->a, d->b);
    char *fix = !strcmp(d->decision, "same")
        ? xasprintf("khaosat duplicates --same %s %s --keep %s", d->a, d->b,
                    d->keep)
        : !strcmp(d->decision, "different")
        ? xasprintf("khaosat duplicates --different %s %s", d->a, d->b)
        : xasprintf("khaosat duplicates --reopen %s %s", d->a, d->b);
    int bad = ex_bad_time(x, d->decided, what, fix);
    free(what);
    free(fix);
    if (bad)
        return 0;
    bundle_decision bd = {d->a, d->b, d->decision, d->keep, d->decided,
                          d->commune};
    if (bundle_writer_decision(x->w, &bd) != 0) {
        x->err = xstrdup(bundle_writer_errmsg(x->w));
        return -1;
    }
    return 0;
}

/* An office's decisions on possible duplicates (own: its commune), so
 * that the level above counts the pairs decided as it does. */
static int ex_decisions(exporter *x, const char *own)
{
    if (!x->office)
        return 0;
    int rc = store_decisions_up_each(x->st, own, ex_decision, x);
    if (rc < 0 && !x->err)
        x->err = xstrdup(store_errmsg(x->st));
    return rc == 0 ? 0 : -1;
}

/* A set-up table being written. */
typedef struct ex_setup_run {
    exporter *x;
    int t;                      /* BT_SETUPS .. BT_SETUP_HOUSEHOLDS */
} ex_setup_run;

/* One row of a commune's set-up into the bundle. */
static int ex_setup_row(void *ctx, const char *const *col)
{
    ex_setup_run *run = ctx;
    int t = run->t;
    if (bundle_writer_setup(run->x->w, t, col) != 0) {
        run->x->err = xstrdup(bundle_writer_errmsg(run->x->w));
        return -1;
    }
    run->x->setups += t == BT_SETUPS;
    return 0;
}

/* An office's set-up, and those of the communes below it kept here, so
 * that the level above checks each commune's answers against its own
 * villages. */
static int ex_setups(exporter *x)
{
    if (!x->office)
        return 0;
    for (int q = STORE_SU_COMMUNES; q <= STORE_SU_HOUSEHOLDS; q++) {
        ex_setup_run run = {x, BT_SETUPS + q};
        int rc = store_setups_up_rows(x->st, (enum store_setup_rows)q,
                                      x->setup_seq, ex_setup_row, &run);
        if (rc < 0 && !x->err)
            x->err = xstrdup(store_errmsg(x->st));
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Whether this database is an office (*office), and whether its reviews
 * or its set-up changed since the last upstream bundle (*pending). */
static int ex_role(exporter *x, int *pending)
{
    char *role = NULL;
    *pending = 0;
    if (store_setting_get(x->st, STORE_SET_ROLE, &role) != 0)
        return -1;
    x->office = role && strcmp(role, "office") == 0;
    free(role);
    int changed = 0;
    if (!x->office)
        return 0;
    if (store_reviews_up_pending(x->st, pending) != 0
        || store_setup_up_pending(x->st, &x->setup_seq, &changed) != 0)
        return -1;
    *pending = *pending || changed;
    return 0;
}

/* Make sure every interview to export has a revision of its content. */
static int ex_snapshots(exporter *x)
{
    for (size_t i = 0; i < x->n; i++)
        if (store_rev_snapshot_tx(x->st, x->uuids[i], 0, NULL) != 0) {
            x->err = xstrdup(store_errmsg(x->st));
            return -1;
        }
    return 0;
}

/* Finish the bundle in memory and seal it into dir; the plain image is
 * wiped whatever happens. */
static int ex_seal(exporter *x, bundle_writer *w, bundle_manifest *m,
                   const char *dir, char **path)
{
    unsigned char *d;
    size_t len;
    if (bundle_writer_finish(w, m, &d, &len, &x->err) != 0)
        return -1;
    int rc = x->seal(x->seal_ctx, d, len, m, dir, path, &x->err);
    bundle_image_free(d, len);
    return rc;
}

/* Write the bundle's tables and commit the file into dir (sealed when
 * the export seals); then mark the interviews exported. */
static int ex_write(exporter *x, const char *dir, char **path)
{
    if (bundle_writer_open(dir, &x->w, &x->err) != 0)
        return -1;
    for (int q = STORE_EX_FORMS; q < STORE_EX_COUNT; q++)
        if (ex_query(x, q) != 0)
            return -1;
    bundle_manifest m = {0};
    char *setup = NULL;
    m.device = xstrdup(x->device);
    if (store_setting_get(x->st, STORE_SET_ENUMERATOR, &m.enumerator) != 0
        || store_setting_get(x->st, STORE_SET_COMMUNE, &m.commune) != 0) {
        x->err = xstrdup(store_errmsg(x->st));
        bundle_manifest_clear(&m);
        return -1;
    }
    if (!m.enumerator)
        m.enumerator = xstrdup("");
    /* An office set up for its commune speaks for it upstream by its
     * code, whatever its first-run commune text says: the level above
     * knows the commune by the code of the set-up it carries.  Another
     * database names it so only without a commune text of its own. */
    if ((x->office || !m.commune || !*m.commune)
        && store_setting_get(x->st, STORE_SET_SETUP_CODE, &setup) == 0
        && setup && *setup) {
        free(m.commune);
        m.commune = setup;
        setup = NULL;
    }
    free(setup);
    if (!m.commune)
        m.commune = xstrdup("");
    if (ex_reviews(x, m.commune) != 0 || ex_decisions(x, m.commune) != 0
        || ex_bad_times(x) != 0 || ex_setups(x) != 0) {
        bundle_manifest_clear(&m);
        return -1;
    }
    bundle_writer *w = x->w;
    x->w = NULL;
    int rc = x->seal ? ex_seal(x, w, &m, dir, path)
                     : bundle_writer_commit(w, &m, path, &x->err);
    if (rc == 0) {
        char now[32], now_ms[32];
        store_now_both(now, now_ms);
        for (size_t i = 0; rc == 0 && i < x->n; i++)
            if (store_mark_exported_tx(x->st, x->uuids[i], now, now_ms,
                                       m.uuid) < 0) {
                x->err = xstrdup(store_errmsg(x->st));
                rc = -1;
            }
        if (rc == 0 && x->office && (store_reviews_up_sent_tx(x->st) != 0
            || store_setup_up_sent_tx(x->st, x->setup_seq) != 0)) {
            x->err = xstrdup(store_errmsg(x->st));
            rc = -1;
        }
    }
    bundle_manifest_clear(&m);
    return rc;
}

static void ex_free(exporter *x)
{
    bundle_writer_abort(x->w);
    sbuf_free(&x->bad_times);
    for (size_t i = 0; i < x->n; i++)
        free(x->uuids[i]);
    free(x->uuids);
    free(x->device);
}

int bundle_export(store *st, const char *dir, unsigned flags, char **path,
                  long *count, char **err)
{
    return bundle_export_sealed(st, dir, flags, NULL, NULL, path, count,
                                NULL, err);
}

int bundle_export_sealed(store *st, const char *dir, unsigned flags,
                         bundle_seal_fn seal, void *ctx, char **path,
                         long *count, long *reviews, char **err)
{
    *path = NULL;
    *count = 0;
    if (reviews)
        *reviews = 0;
    exporter x = {.st = st, .flags = flags, .seal = seal, .seal_ctx = ctx};
    sbuf_init(&x.bad_times);
    int pending = 0;
    if (store_device_id(st, &x.device) != 0 || ex_role(&x, &pending) != 0
        || store_begin(st) != 0) {
        *err = xstrdup(store_errmsg(st));
        ex_free(&x);
        return -1;
    }
    int rc = ex_query(&x, STORE_EX_UUIDS);
    /* A review made since the last bundle is worth one of its own. */
    int write = x.n > 0 || pending;
    if (rc == 0 && x.n > 0)
        rc = ex_snapshots(&x);
    if (rc == 0 && write)
        rc = ex_write(&x, dir, path);
    if (rc == 0 && write && store_commit(st) != 0) {
        x.err = xstrdup(store_errmsg(st));
        rc = -1;
    }
    if (rc != 0 || !write)
        store_rollback(st);
    if (rc != 0 && *path) {
        unlink(*path);
        free(*path);
        *path = NULL;
    }
    *count = rc == 0 ? (long)x.n : 0;
    if (reviews)
        *reviews = rc == 0 ? x.reviews : 0;
    if (rc != 0)
        *err = x.err;
    else
        free(x.err);
    ex_free(&x);
    return rc;
}
