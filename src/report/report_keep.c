/* report_keep.c: what each interview adds to the report, worked out once
 * and stored beside it (store/figures.h): when it is finalised or merged,
 * by the settle hook installed with report_keep_attach, inside the same
 * transaction; and at a report, for the interviews whose stored figures
 * no longer hold (another report definition or form version, or an
 * interview stored before there were figures), by report_refresh.  The
 * numbers are those the report's replay adds up (report.c's main pass),
 * from the same engine: one function per quantity, shared by both. */
#include "config.h"
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/session.h"
#include "store/figures.h"

/* The form of one version as the figures use it: the database's own
 * text of that version (the interviews were answered on it), or the
 * catalog's form when its text is the very same (parsed once already). */
typedef struct keep_form {
    char *id, *version;
    const form *f;        /* NULL when it does not load */
    form *owned;          /* f when read from the database's text */
    int differs;          /* the catalog has another text of the version */
} keep_form;

struct report_keeper {
    report_def *owned;    /* the definition report_keep_attach loaded */
    report_opts o;
    rrun R;               /* compiled expressions, per form version */
    keep_form *forms;
    size_t nforms;
    inst_rows rows;       /* one interview's, storage reused */
};

report_keeper *report_keeper_new(const report_def *d, const catalog *cat)
{
    report_keeper *k = xcalloc(1, sizeof *k);
    k->R.d = d;
    k->R.cat = cat;
    k->R.o = &k->o;
    k->R.r = report_result_new(d, &k->o);
    k->R.village_form = -1;
    return k;
}

void report_keeper_free(report_keeper *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->R.ncomps; i++)
        rcomp_free(k->R.d, k->R.comps[i]);
    free(k->R.comps);
    report_result_free(k->R.r);
    for (size_t i = 0; i < k->nforms; i++) {
        free(k->forms[i].id);
        free(k->forms[i].version);
        form_free(k->forms[i].owned);
    }
    free(k->forms);
    inst_rows_free(&k->rows);
    report_def_free(k->owned);
    free(k);
}

/* Index of the reported, non-context form id in d, or -1. */
static int keep_def_form(const report_def *d, const char *id)
{
    for (size_t i = 0; i < d->nforms; i++)
        if (!d->forms[i].context && !strcmp(d->forms[i].id, id))
            return (int)i;
    return -1;
}

/* The form (id, version) from the text stored in st for that version,
 * the catalog's parsed form when its text is the same; the catalog's
 * only when st holds no text of the version.  NULL when none loads. */
static const form *keep_form_get(report_keeper *k, store *st, const char *id,
                                 const char *version)
{
    for (size_t i = 0; i < k->nforms; i++)
        if (!strcmp(k->forms[i].id, id) &&
            !strcmp(k->forms[i].version, version))
            return k->forms[i].f;
    const form *f = k->R.cat ? catalog_find(k->R.cat, id, version) : NULL;
    if (f && (!f->version || strcmp(f->version, version) != 0))
        f = NULL;
    keep_form e = {xstrdup(id), xstrdup(version), f, NULL, 0};
    store_form sf;
    if (store_load_form(st, id, version, &sf) == 0) {
        if (!f || f->source_len != sf.source_len
            || memcmp(f->source, sf.source, sf.source_len) != 0) {
            e.owned = session_stored_form(st, id, version);
            e.differs = f != NULL && e.owned != NULL;
            if (e.owned || !f)
                e.f = e.owned;
        }
        store_form_clear(&sf);
    }
    k->forms = xrealloc(k->forms, (k->nforms + 1) * sizeof *k->forms);
    k->forms[k->nforms++] = e;
    return e.f;
}

size_t report_keeper_differing(const report_keeper *k, size_t i,
                               const char **id, const char **version)
{
    size_t n = 0;
    for (size_t j = 0; k && j < k->nforms; j++)
        if (k->forms[j].differs && n++ == i) {
            *id = k->forms[j].id;
            *version = k->forms[j].version;
        }
    return n;
}

/* store_load_answers' and store_load_repeat_counts' callbacks. */
static int keep_answer(void *ctx, const char *qid, const char *path,
                       const char *value)
{
    inst_rows_add(ctx, qid, path, value, 0);
    return 0;
}

static int keep_count(void *ctx, const char *path, long count)
{
    inst_rows_add(ctx, NULL, path, NULL, count < 0 ? 0 : count);
    return 0;
}

/* report_tallies_of's callback: store one answer. */
typedef struct keep_tally {
    store *st;
    const char *uuid;
    int rc;
} keep_tally;

static void keep_tally_cb(void *ctx, size_t i, const char *code)
{
    keep_tally *t = ctx;
    if (t->rc == 0)
        t->rc = store_figures_put_tally(t->st, t->uuid, (int)i, code, 1);
}

/* Store what interview uuid of definition form df adds to the report; in
 * is its replay, NULL when its form cannot be read.  0 or -1. */
static int keep_store(report_keeper *k, store *st, const char *uuid, int df,
                      inst *in)
{
    const report_def *d = k->R.d;
    store_fig_unit u = {uuid, d->sha, in != NULL, 1, NULL, NULL};
    char *village = NULL, *key = NULL;
    const rcomp *c = NULL;
    if (in) {
        c = rcomp_get(&k->R, inst_form(in));
        if (c->village) {
            village = rev_str(in, inst_root(in), c->village);
            if (!*village) {
                free(village);
                village = xstrdup("?");
            }
        }
        key = report_case_key(c->f, in);
        u.included = !(c->include &&
                       rev_num(in, inst_root(in), c->include) == 0);
    }
    u.village = village;
    u.case_key = key;
    int rc = store_figures_put_unit(st, &u);
    free(village);
    free(key);
    if (!in || !u.included)
        return rc;
    for (size_t i = 0; rc == 0 && i < d->nfigs; i++) {
        if (!c->num[i])
            continue;
        char *dkey;
        racc one = racc_figure(d, c, in, i, &dkey);
        rc = store_figures_put(st, uuid, (int)i, one.num, one.den, one.units,
                               one.flagged, dkey);
        free(dkey);
    }
    keep_tally t = {st, uuid, rc};
    if (rc == 0)
        report_tallies_of(d, df, in, keep_tally_cb, &t);
    return t.rc;
}

/* Compute and store the figures of interview uuid when it is complete and
 * of a reported form: 1 when stored, 0 when there is nothing to store, or
 * -1. */
static int keep_interview(report_keeper *k, store *st, const char *uuid)
{
    store_interview iv;
    if (store_get_interview(st, uuid, &iv) != 0)
        return -1;
    int df = keep_def_form(k->R.d, iv.form_id), rc = 0;
    if (iv.status == STORE_COMPLETE && df >= 0) {
        const form *f = keep_form_get(k, st, iv.form_id, iv.form_version);
        inst *in = NULL;
        inst_rows_clear(&k->rows);
        if (f && (store_load_answers_any(st, uuid, keep_answer, &k->rows) ||
                  store_load_repeat_counts(st, uuid, keep_count, &k->rows)))
            rc = -1;
        else if (f)
            in = inst_restore(f, f->default_lang, rscan_iso_time(iv.updated),
                              k->rows.v, k->rows.n);
        if (rc == 0)
            rc = keep_store(k, st, uuid, df, in) ? -1 : 1;
        inst_free(in);
    }
    store_interview_clear(&iv);
    return rc;
}

int report_keeper_settle(void *ctx, store *st, const char *uuid)
{
    /* A failure leaves the figures missing (the store clears them): the
     * next report computes them. */
    return keep_interview(ctx, st, uuid);
}

report_keeper *report_keep_attach(store *st, const catalog *cat)
{
    if (!cat || !cat->dir)
        return NULL;
    char *path = xasprintf("%s/report.yaml", cat->dir);
    report_def *d = NULL;
    if (access(path, R_OK) == 0) {
        diag_list dl;
        diag_init(&dl);
        d = report_def_load(path, &dl);
        if (d && report_def_check(d, cat, &dl)) {
            report_def_free(d);
            d = NULL;
        }
        diag_free(&dl);
    }
    free(path);
    if (!d)
        return NULL;
    report_keeper *k = report_keeper_new(d, cat);
    k->owned = d;
    store_set_settle_hook(st, report_keeper_settle, k);
    return k;
}

void report_keep_detach(store *st, report_keeper *k)
{
    if (st && k)
        store_set_settle_hook(st, NULL, NULL);
    report_keeper_free(k);
}

size_t report_def_forms(const report_def *d, const char **ids)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nforms; i++)
        if (!d->forms[i].context)
            ids[n++] = d->forms[i].id;
    return n;
}

int report_refresh(const report_def *def, const catalog *cat,
                   const char *path, report_refresh_fn note, void *ctx,
                   long *computed, long *changed, char **err)
{
    *computed = *changed = 0;
    store *st = NULL;
    char *why = NULL;
    if (store_open(path, &st, &why) != 0) {
        /* A database this user may only read: the report replays. */
        free(why);
        return 1;
    }
    const char **ids = xcalloc(def->nforms + 1, sizeof *ids);
    size_t nids = report_def_forms(def, ids);
    long n = 0;
    char **stale = store_figures_stale(st, def->sha, ids, nids, &n, changed);
    free(ids);
    int rc = stale ? 0 : -1;
    if (stale && n && note)
        note(ctx, n, *changed);
    if (stale && n && store_begin(st) == 0) {
        report_keeper *k = report_keeper_new(def, cat);
        for (long i = 0; rc == 0 && i < n; i++)
            rc = keep_interview(k, st, stale[i]) < 0 ? -1 : 0;
        report_keeper_free(k);
        if (rc == 0)
            rc = store_commit(st);
        else
            store_rollback(st);
    } else if (stale && n) {
        rc = -1;
    }
    if (rc == 0)
        *computed = n;
    else
        *err = xstrdup(store_errmsg(st));
    for (long i = 0; stale && i < n; i++)
        free(stale[i]);
    free(stale);
    store_close(st);
    return rc;
}

/* The distinct keys of the complete context interviews, gathered. */
typedef struct choice_keys {
    char **v;
    size_t n, cap;
} choice_keys;

/* rctx_fn: note code once. */
static int choice_key(void *ctx, const char *uuid, const char *code,
                      const char *name)
{
    (void)uuid;
    (void)name;
    choice_keys *k = ctx;
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->v[i], code))
            return 0;
    k->v = util_grow(k->v, &k->cap, k->n + 1, sizeof *k->v);
    k->v[k->n++] = xstrdup(code);
    return 0;
}

/* Whether the report of o can be made as asked: 0, or -1 with *err. */
static int check_choice(const report_def *def, const catalog *cat, rscan *s,
                        const report_opts *o, char **err)
{
    if (def->context < 0 || rscan_scoped(s))
        return 0;
    choice_keys k = {0};
    /* A commune form awaiting review still names its commune for
     * --commune, with --approved-only too (report_run says why its
     * figures are missing). */
    unsigned sel = rscan_selection(s);
    if (o->commune)
        rscan_select(s, sel & ~(unsigned)RSCAN_APPROVED_ONLY);
    int rc = report_context_each(def, cat, s, choice_key, &k, err);
    rscan_select(s, sel);
    char *why = rc == 0 ? report_choice_problem(def->forms[def->context].id,
                                                k.v, k.n, o->commune)
                        : NULL;
    for (size_t i = 0; i < k.n; i++)
        free(k.v[i]);
    free(k.v);
    if (why && o->commune) {
        /* A commune known only by its commune setting is reported too
         * (report_run), without its commune form. */
        char **uuids;
        size_t n;
        int no_form = 0;
        if (report_commune_scope(def, cat, s, o, &uuids, &n, &no_form,
                                 err) < 0) {
            free(why);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            free(uuids[i]);
        free(uuids);
        if (no_form) {
            free(why);
            why = NULL;
        }
    }
    if (why) {
        *err = why;
        return -1;
    }
    return rc < 0 ? -1 : 0;
}

int report_prepare(const report_def *def, const catalog *cat, rscan *s,
                   const report_opts *o, int compare, const char *path,
                   report_refresh_fn note, void *ctx, char **err)
{
    *err = NULL;
    if (!compare && check_choice(def, cat, s, o, err) != 0)
        return -1;
    long computed, changed;
    return report_refresh(def, cat, path, note, ctx, &computed, &changed,
                          err) < 0 ? -1 : 0;
}
