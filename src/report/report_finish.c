/* report_finish.c: from running totals to the report's findings: each
 * figure's value and warnings, each condition and verdict, the needs
 * ranked, and the quality counts (conflicts, duplicates). */
#include "config.h"
#include "report/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"

/* The value of a running total. */
static rvalue value_of(const rdef_figure *fg, const racc *a)
{
    rvalue v = {0, a->num, a->den, a->units, NAN, NAN, 0};
    if (fg->kind == RK_RATE) {
        v.known = a->den > 0;
        v.value = v.known ? 100.0 * a->num / a->den : NAN;
    } else if (fg->kind == RK_COUNT) {
        v.known = a->units > 0;
        v.value = a->num;
    } else {
        v.known = a->units > 0;
        v.value = fg->rule_all ? a->num == a->den : a->num > 0;
        if (!v.known && fg->empty_no && a->ivs > 0) {
            /* Asked, and there is nothing to say yes about. */
            v.known = 1;
            v.value = 0;
        }
    }
    return v;
}

/* Order of distinct units: by key. */
static int dunit_cmp(const void *a, const void *b)
{
    return strcmp(((const rdunit *)a)->key, ((const rdunit *)b)->key);
}

/* Add the units of distinct figure i to its total, once per key: a key
 * interviewed twice counts in the numerator only when every interview of
 * it does (the cautious reading until the duplicate is resolved). Returns
 * the interviews beyond the first of a key. */
static long fold_distinct(rdlist *l, racc *a)
{
    long repeated = 0;
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, dunit_cmp);
    for (size_t k = 0; k < l->n;) {
        double num = l->v[k].num, den = l->v[k].den;
        size_t j = k + 1;
        for (; j < l->n && !strcmp(l->v[j].key, l->v[k].key); j++) {
            num = l->v[j].num < num ? l->v[j].num : num;
            den = l->v[j].den > den ? l->v[j].den : den;
            repeated++;
        }
        a->num += num;
        a->den += den;
        a->units++;
        k = j;
    }
    return repeated;
}

/* Warnings on figure i from its own checks: units flagged by warn_if,
 * keys interviewed twice, coverage short of what the commune declared,
 * and a figure it should agree with that says otherwise. */
static void figure_checks(report_result *r, size_t i)
{
    const report_def *d = r->def;
    const rdef_figure *fg = &d->figs[i];
    const rvalue *v = &r->val[i];
    rwarn *w = &r->fwarn[i];
    if (r->acc[i].flagged)
        rwarn_add(w, xasprintf("%s (%ld)", rtext_get(&fg->warning, r->lang),
                               r->acc[i].flagged));
    if (v->repeated)
        rwarn_add(w, xasprintf(_("%ld interviews repeat a number already "
                                 "interviewed; each number is counted once"),
                               v->repeated));
    if (fg->expected.text && v->expected != v->expected)
        rwarn_add(w, xstrdup(_("the declared total is not known")));
    else if (v->expected == v->expected && (double)v->units < v->expected)
        rwarn_add(w, xasprintf(_("%ld of %.0f declared %s interviewed"),
                               v->units, v->expected,
                               rfig_unit(d, i, r->lang)));
    else if (v->expected == v->expected && (double)v->units > v->expected)
        rwarn_add(w, xasprintf(_("%ld interviewed, more than the %.0f "
                                 "declared"), v->units, v->expected));
    if (fg->compare >= 0) {
        const rvalue *o = &r->val[fg->compare];
        if (v->known && o->known && (v->value != 0) != (o->value != 0))
            rwarn_add(w, xasprintf(_("%s says %s"), d->figs[fg->compare].id,
                                   o->value != 0 ? _("yes") : _("no")));
    }
}

/* Warnings on figure i: data it lacks or that is thin. */
static void figure_warnings(rrun *R, size_t i)
{
    const report_def *d = R->d;
    report_result *r = R->r;
    const rdef_figure *fg = &d->figs[i];
    const rdef_form *rf = &d->forms[fg->form];
    const rformstat *fs = &r->forms[fg->form];
    rwarn *w = &r->fwarn[i];
    if (rf->context && !r->have_context)
        rwarn_add(w, xasprintf(_("the %s form is missing"), rf->id));
    else if (!fs->complete)
        rwarn_add(w, xasprintf(_("no complete %s interview"), rf->id));
    if (fs->drafts)
        rwarn_add(w, xasprintf(_("%ld %s drafts not counted"), fs->drafts,
                               rf->id));
    if (fs->unreadable)
        rwarn_add(w, xasprintf(_("%ld %s interviews of an unknown form "
                                 "version not counted"), fs->unreadable, rf->id));
    if (!rf->context && r->val[i].known && r->val[i].units < d->min_units &&
        !(r->val[i].expected == r->val[i].expected))
        rwarn_add(w, xasprintf(_("small base: %ld %s"), r->val[i].units,
                               rtext_get(&rf->unit, r->lang)));
    figure_checks(r, i);
}

/* A test of a rate whose units should number v->expected: the units not
 * yet interviewed could each be in the numerator or not, so the test is
 * decided only when both extremes fall on the same side. */
static report_status test_bounds(const rvalue *v, const rtest_res *tr)
{
    if (v->expected != v->expected)
        return REPORT_NO_DATA;
    double missing = v->expected - (double)v->units;
    missing = missing > 0 ? missing : 0;
    if (v->den + missing <= 0)
        return REPORT_NO_DATA;
    double lo = round(1e8 * v->num / (v->den + missing)) / 1e6;
    double hi = round(1e8 * (v->num + missing) / (v->den + missing)) / 1e6;
    int lo_ok = tr->at_most ? hi <= tr->threshold : lo >= tr->threshold;
    int hi_ok = tr->at_most ? lo <= tr->threshold : hi >= tr->threshold;
    return lo_ok ? REPORT_MET : hi_ok ? REPORT_NO_DATA : REPORT_NOT_MET;
}

/* Status of one test of a condition. */
static report_status test_status(const report_result *r, const rdef_test *t,
                                 rtest_res *tr)
{
    const rvalue *v = &r->val[t->figure];
    if (!v->known)
        return REPORT_NO_DATA;
    if (!tr->has_threshold)
        return v->value != 0 ? REPORT_MET : REPORT_NOT_MET;
    if (tr->threshold != tr->threshold)
        return REPORT_NO_DATA;
    if (r->def->figs[t->figure].expected.text)
        return test_bounds(v, tr);
    /* Compare at the precision the report prints, so that a figure shown
     * as 50.0% against 50% is met, as the reader would judge it. */
    double x = round(v->value * 1e6) / 1e6;
    int ok = tr->at_most ? x <= tr->threshold : x >= tr->threshold;
    return ok ? REPORT_MET : REPORT_NOT_MET;
}

/* Combine: any not met is not met; else any unknown is no data. */
static report_status combine(report_status acc, report_status s)
{
    if (acc == REPORT_NOT_MET || s == REPORT_NOT_MET)
        return REPORT_NOT_MET;
    if (acc == REPORT_NO_DATA || s == REPORT_NO_DATA)
        return REPORT_NO_DATA;
    return REPORT_MET;
}

/* Order of needs: needed first, then by priority (1 high), then as
 * defined; unknown last. */
static const report_result *sort_r;
static int need_cmp(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const rneed_res *x = &sort_r->needs[i], *y = &sort_r->needs[j];
    int rx = x->need == 1 ? 0 : x->need == 0 ? 1 : 2;
    int ry = y->need == 1 ? 0 : y->need == 0 ? 1 : 2;
    if (rx != ry)
        return rx - ry;
    double px = x->priority == x->priority ? x->priority : 1e9;
    double py = y->priority == y->priority ? y->priority : 1e9;
    if (px != py)
        return px < py ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Villages in order of their codes. */
static int village_cmp(const void *a, const void *b)
{
    return strcmp(((const rvillage *)a)->code, ((const rvillage *)b)->code);
}

/* Enumerator rows by form, then name: the same order however the
 * interviews were shared between processes. */
static int enum_cmp(const void *a, const void *b)
{
    const renum *x = a, *y = b;
    int c = strcmp(x->form, y->form);
    return c ? c : strcmp(x->name, y->name);
}

/* What review_cb counts besides the reviews: the open conflicts of the
 * interviews read (a commune's share of an office database). */
typedef struct review_walk {
    report_result *r;
    long conflicts;
} review_walk;

/* Count the reviews of the interviews the report read. */
static int review_cb(void *ctx, const store_origin *o)
{
    review_walk *w = ctx;
    report_result *r = w->r;
    r->reviewable++;
    r->reviewed += !strcmp(o->review, "approved");
    r->returned += !strcmp(o->review, "returned");
    w->conflicts += o->conflicts;
    return 0;
}

/* Order of a tally's choices: most answered first, then by code. */
static const rtally_res *sort_t;
static int tally_cmp(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (sort_t->n[i] != sort_t->n[j])
        return sort_t->n[i] > sort_t->n[j] ? -1 : 1;
    return strcmp(sort_t->code[i], sort_t->code[j]);
}

/* Rank tally i's choices and give them their labels from the form. */
static void tally_finish(rrun *R, size_t i)
{
    const report_def *d = R->d;
    rtally_res *t = &R->r->tallies[i];
    size_t *ord = xcalloc(t->cnt + 1, sizeof *ord);
    for (size_t k = 0; k < t->cnt; k++)
        ord[k] = k;
    sort_t = t;
    qsort(ord, t->cnt, sizeof *ord, tally_cmp);
    sort_t = NULL;
    char **code = xcalloc(t->cnt + 1, sizeof *code);
    long *n = xcalloc(t->cnt + 1, sizeof *n);
    t->label = xcalloc(t->cnt + 1, sizeof *t->label);
    const form *f = catalog_find(R->cat, d->forms[d->tallies[i].form].id, NULL);
    int q = f ? form_find(f, d->tallies[i].question) : -1;
    const form_list *l = q >= 0 && f->q[q].list >= 0 ? &f->lists[f->q[q].list]
                                                      : NULL;
    for (size_t k = 0; k < t->cnt; k++) {
        code[k] = t->code[ord[k]];
        n[k] = t->n[ord[k]];
        const char *lab = code[k];
        for (size_t c = 0; l && c < l->nchoices; c++)
            if (!strcmp(l->choices[c].value, code[k]))
                lab = form_text_get(f, l->choices[c].label,
                                    form_lang(f, R->r->lang));
        t->label[k] = xstrdup(lab ? lab : code[k]);
    }
    free(t->code);
    free(t->n);
    free(ord);
    t->code = code;
    t->n = n;
}

/* Vietnam keeps UTC+7 all year (Asia/Ho_Chi_Minh, no summer time): the
 * date a UTC time "YYYY-MM-DDTHH:MM:SSZ" falls on there, as YYYY-MM-DD
 * (newly allocated); a time without the Z is taken as local already. */
static char *vn_local_date(const char *t)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
                                  30, 31};
    int y, m, d, h = 0;
    if (!t || sscanf(t, "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31)
        return xstrdup(t ? t : "");
    size_t n = strlen(t);
    if (n && t[n - 1] == 'Z' && sscanf(t, "%*d-%*d-%*dT%d", &h) == 1 &&
        h + 7 >= 24) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int last = mdays[m - 1] + (m == 2 && leap);
        if (++d > last) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    return xasprintf("%04d-%02d-%02d", y, m, d);
}

void report_finish(rrun *R)
{
    const report_def *d = R->d;
    report_result *r = R->r;
    /* The survey period as dates in Vietnam, not UTC: an interview at
     * 06:30 on 2 June is stored as 23:30 on 1 June. */
    char *first = vn_local_date(r->first), *last = vn_local_date(r->last);
    if (r->first) {
        free(r->first);
        r->first = first;
    } else {
        free(first);
    }
    if (r->last) {
        free(r->last);
        r->last = last;
    } else {
        free(last);
    }
    long *repeated = xcalloc(d->nfigs, sizeof *repeated);
    for (size_t i = 0; i < d->nfigs; i++)
        repeated[i] = fold_distinct(&r->dunits[i], &r->acc[i]);
    for (size_t i = 0; i < d->nfigs; i++) {
        r->val[i] = value_of(&d->figs[i], &r->acc[i]);
        r->val[i].expected = r->expected[i];
        r->val[i].repeated = repeated[i];
    }
    free(repeated);
    /* "or": yes when either says yes, no when one says no and the other
     * has nothing to say yes with. */
    for (size_t i = 0; i < d->nfigs; i++) {
        int o = d->figs[i].or_fig;
        if (o < 0)
            continue;
        rvalue *v = &r->val[i];
        const rvalue *w = &r->val[o];
        if (d->figs[i].empty_no && r->acc[i].units == 0 && r->acc[i].ivs > 0) {
            /* The commune lists none of the things asked about (no key
             * product): nothing another figure says can be one of them. */
            if (w->known && w->value != 0)
                rwarn_add(&r->fwarn[i], xasprintf(_("the commune lists none, "
                          "so %s is not counted"), d->figs[o].id));
            continue;
        }
        int yes = (v->known && v->value != 0) || (w->known && w->value != 0);
        if (v->known || w->known) {
            v->known = 1;
            v->value = yes;
            v->num += w->known ? w->num : 0;   /* units saying yes, both */
            v->den += w->known ? w->den : 0;
            v->units += w->known ? w->units : 0;
        }
    }
    if (r->nvillages)
        qsort(r->villages, r->nvillages, sizeof *r->villages, village_cmp);
    if (r->nenums)
        qsort(r->enums, r->nenums, sizeof *r->enums, enum_cmp);
    for (size_t v = 0; v < r->nvillages; v++) {
        r->villages[v].val = xcalloc(d->nfigs, sizeof *r->villages[v].val);
        for (size_t i = 0; i < d->nfigs; i++)
            r->villages[v].val[i] = value_of(&d->figs[i], &r->villages[v].acc[i]);
    }
    for (size_t i = 0; i < d->nfigs; i++)
        figure_warnings(R, i);
    for (size_t i = 0; i < d->nconds; i++) {
        report_status st = REPORT_MET;
        for (size_t k = 0; k < d->conds[i].ntests; k++) {
            r->tests[i][k].st = test_status(r, &d->conds[i].tests[k],
                                            &r->tests[i][k]);
            st = combine(st, r->tests[i][k].st);
        }
        r->cond_st[i] = st;
    }
    for (size_t i = 0; i < d->nverdicts; i++) {
        report_status st = REPORT_MET;
        for (size_t k = 0; k < d->verdicts[i].nconds; k++)
            st = combine(st, r->cond_st[d->verdicts[i].conds[k]]);
        /* A commune the central level already chose is not held to the
         * conditions (section 2.1/2.2: "Ngoài các xã đã được Trung ương
         * lựa chọn ..."). */
        r->verdict_st[i] = r->exempt[i] == 1 ? REPORT_EXEMPT : st;
    }
    for (size_t i = 0; i < d->nneeds; i++)
        r->need_order[i] = i;
    sort_r = r;
    qsort(r->need_order, d->nneeds, sizeof *r->need_order, need_cmp);
    sort_r = NULL;
    for (size_t i = 0; i < d->ntallies; i++)
        tally_finish(R, i);
    char *err = NULL;
    review_walk rw = {r, 0};
    /* Of the whole database: one aggregate pass instead of two walks. */
    store_review_totals tot;
    int totals = rscan_review_totals(R->s, &tot, &err) == 0;
    free(err);
    err = NULL;
    int origins = 0;
    if (totals) {
        r->reviewable += tot.interviews;
        r->reviewed += tot.approved;
        r->returned += tot.returned;
    } else {
        origins = rscan_origins(R->s, review_cb, &rw, &err);
    }
    if (origins < 0) {
        rwarn_add(&r->warn, err);
        r->reviewable = -1;
    }
    r->conflicts = rscan_open_rows(R->s, "conflicts");
    /* Every pair, decided or not, as khaosat duplicates lists them and a
     * merge counts them; one commune of an office database (--commune):
     * its own pairs (both ends of a pair are of one commune). */
    r->dup_table = rscan_dup_pairs(R->s, r->dup_pairs) == 0
        ? r->dup_pairs[0] + r->dup_pairs[1] + r->dup_pairs[2] : -1;
    /* One commune of an office database (--commune): its own conflicts,
     * not the whole office's. */
    if (rscan_scoped(R->s) && origins == 0 && r->conflicts >= 0)
        r->conflicts = rw.conflicts;
    char *serr = NULL;
    r->select = rscan_selection(R->s);
    if (totals) {
        memcpy(r->states, tot.states, sizeof r->states);
        r->superseded = tot.superseded;
        r->have_states = 1;
    } else {
        r->have_states = rscan_review_counts(R->s, r->states, &r->superseded,
                                             &serr) == 0;
    }
    free(serr);
    /* Keys of the context form's interviews were not collected (it is read
     * in passes of its own): the database finds those few. */
    for (size_t i = 0; i < d->nforms; i++) {
        const form *f = catalog_find(R->cat, d->forms[i].id, NULL);
        if (d->forms[i].context)
            r->forms[i].duplicates = f ? rscan_key_duplicates(R->s, f) : 0;
        else if (!R->from_store)
            r->forms[i].duplicates = report_key_duplicates(r, d->forms[i].id);
    }
}
