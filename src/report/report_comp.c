/* report_comp.c: the report definition's expressions compiled for one
 * form version, and one interview added to the figures' running totals. */
#include "config.h"
#include "report/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/i18n.h"
#include "core/value.h"

/* Compile src for f, or record why not (once per form version). */
expr *rcomp_one(rrun *R, const form *f, const rsrc *src)
{
    if (!src->text)
        return NULL;
    char *err = NULL;
    expr *e = report_compile(R->d, f, src, &err);
    if (!e)
        rwarn_add(&R->r->warn, err);
    return e;
}

void rcomp_free(const report_def *d, rcomp *c)
{
    for (size_t i = 0; i < d->nfigs; i++) {
        expr_free(c->num[i]);
        expr_free(c->den[i]);
        expr_free(c->dist[i]);
        expr_free(c->warn_if[i]);
        if (c->expected)
            expr_free(c->expected[i]);
    }
    for (size_t i = 0; c->exempt && i < d->nverdicts; i++)
        expr_free(c->exempt[i]);
    free(c->num);
    free(c->den);
    free(c->dist);
    free(c->warn_if);
    free(c->expected);
    free(c->exempt);
    free(c->rep);
    expr_free(c->key);
    expr_free(c->name);
    expr_free(c->province);
    expr_free(c->village);
    expr_free(c->include);
    expr_free(c->v_code);
    expr_free(c->v_name);
    expr_free(c->v_planned);
    for (size_t i = 0; c->at_least && i < d->nconds; i++) {
        for (size_t k = 0; k < d->conds[i].ntests; k++) {
            expr_free(c->at_least[i][k]);
            expr_free(c->at_most[i][k]);
        }
        free(c->at_least[i]);
        free(c->at_most[i]);
    }
    free(c->at_least);
    free(c->at_most);
    for (size_t i = 0; c->need && i < d->nneeds; i++) {
        expr_free(c->need[i]);
        expr_free(c->prio[i]);
    }
    free(c->need);
    free(c->prio);
    free(c);
}

/* The context-only expressions of a compiled form. */
static void comp_context(rrun *R, rcomp *c)
{
    const report_def *d = R->d;
    c->at_least = xcalloc(d->nconds, sizeof *c->at_least);
    c->at_most = xcalloc(d->nconds, sizeof *c->at_most);
    for (size_t i = 0; i < d->nconds; i++) {
        c->at_least[i] = xcalloc(d->conds[i].ntests, sizeof **c->at_least);
        c->at_most[i] = xcalloc(d->conds[i].ntests, sizeof **c->at_most);
        for (size_t k = 0; k < d->conds[i].ntests; k++) {
            c->at_least[i][k] = rcomp_one(R, c->f, &d->conds[i].tests[k].at_least);
            c->at_most[i][k] = rcomp_one(R, c->f, &d->conds[i].tests[k].at_most);
        }
    }
    c->expected = xcalloc(d->nfigs, sizeof *c->expected);
    for (size_t i = 0; i < d->nfigs; i++)
        c->expected[i] = rcomp_one(R, c->f, &d->figs[i].expected);
    c->exempt = xcalloc(d->nverdicts, sizeof *c->exempt);
    for (size_t i = 0; i < d->nverdicts; i++)
        c->exempt[i] = rcomp_one(R, c->f, &d->verdicts[i].exempt);
    c->need = xcalloc(d->nneeds, sizeof *c->need);
    c->prio = xcalloc(d->nneeds, sizeof *c->prio);
    for (size_t i = 0; i < d->nneeds; i++) {
        c->need[i] = rcomp_one(R, c->f, &d->needs[i].need);
        c->prio[i] = rcomp_one(R, c->f, &d->needs[i].priority);
    }
}

/* The compiled definition for form version f (made on first use). */
rcomp *rcomp_get(rrun *R, const form *f)
{
    for (size_t i = 0; i < R->ncomps; i++)
        if (R->comps[i]->f == f)
            return R->comps[i];
    const report_def *d = R->d;
    rcomp *c = xcalloc(1, sizeof *c);
    c->f = f;
    c->dform = -1;
    for (size_t i = 0; i < d->nforms; i++)
        if (!strcmp(d->forms[i].id, f->id))
            c->dform = (int)i;
    c->num = xcalloc(d->nfigs, sizeof *c->num);
    c->den = xcalloc(d->nfigs, sizeof *c->den);
    c->rep = xcalloc(d->nfigs, sizeof *c->rep);
    c->dist = xcalloc(d->nfigs, sizeof *c->dist);
    c->warn_if = xcalloc(d->nfigs, sizeof *c->warn_if);
    c->roster = -1;
    if (c->dform >= 0) {
        const rdef_form *rf = &d->forms[c->dform];
        for (size_t i = 0; i < d->nfigs; i++) {
            const rdef_figure *fg = &d->figs[i];
            c->rep[i] = fg->repeat ? form_find(f, fg->repeat) : -1;
            if (fg->form != c->dform)
                continue;
            if (fg->repeat && (c->rep[i] < 0 || f->q[c->rep[i]].type != QT_REPEAT)) {
                rwarn_add(&R->r->warn, xasprintf(_("%s: figure %s: no repeat "
                          "'%s' in form %s version %s"), d->path, fg->id,
                          fg->repeat, f->id, f->version));
                continue;
            }
            c->num[i] = rcomp_one(R, f, &fg->num);
            c->den[i] = rcomp_one(R, f, &fg->den);
            c->dist[i] = rcomp_one(R, f, &fg->distinct);
            c->warn_if[i] = rcomp_one(R, f, &fg->warn_if);
            if (fg->den.text && !c->den[i]) {
                expr_free(c->num[i]);
                c->num[i] = NULL;
            }
        }
        c->key = rcomp_one(R, f, &rf->key);
        c->name = rcomp_one(R, f, &rf->name);
        c->province = rcomp_one(R, f, &rf->province);
        c->village = rcomp_one(R, f, &rf->village);
        c->include = rcomp_one(R, f, &rf->include);
        if (rf->roster) {
            c->roster = form_find(f, rf->roster);
            c->v_code = rcomp_one(R, f, &rf->v_code);
            c->v_name = rcomp_one(R, f, &rf->v_name);
            c->v_planned = rcomp_one(R, f, &rf->v_planned);
        }
        if (rf->context)
            comp_context(R, c);
    }
    R->comps = xrealloc(R->comps, (R->ncomps + 1) * sizeof *R->comps);
    R->comps[R->ncomps++] = c;
    return c;
}

void racc_add(racc *a, const racc *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        a[i].num += b[i].num;
        a[i].den += b[i].den;
        a[i].units += b[i].units;
        a[i].ivs += b[i].ivs;
        a[i].flagged += b[i].flagged;
    }
}

/* e evaluated in fr, newly allocated ("" when e is NULL). */
char *rev_str(inst *in, inst_frame *fr, const expr *e)
{
    return e ? inst_eval_string(in, fr, 0, e) : xstrdup("");
}

/* e as a number: booleans 1/0, empty or not a number NaN. */
double rev_num(inst *in, inst_frame *fr, const expr *e)
{
    char *s = rev_str(in, fr, e);
    double v;
    if (!strcmp(s, "true"))
        v = 1;
    else if (!strcmp(s, "false"))
        v = 0;
    else
        v = val_parse_number(s);
    free(s);
    return v;
}

/* Add one unit (frame fr) of figure i to a. */
static void acc_unit(const rdef_figure *fg, const rcomp *c, size_t i, inst *in,
                     inst_frame *fr, racc *a)
{
    if (c->warn_if[i] && rev_num(in, fr, c->warn_if[i]) > 0)
        a->flagged++;
    double n = rev_num(in, fr, c->num[i]);
    if (fg->kind == RK_RATE) {
        double dv = c->den[i] ? rev_num(in, fr, c->den[i]) : 1;
        if (!(dv > 0))
            return;       /* not in this rate's population */
        a->num += n == n ? n : 0;
        a->den += dv;
    } else {
        if (n != n)
            return;       /* unanswered: no data from this unit */
        a->num += fg->kind == RK_YESNO ? (n != 0) : n;
        a->den += 1;
    }
    a->units++;
}

/* Call acc_unit for every instance of repeat chain[depth..] under fr. */
static void acc_walk(const rdef_figure *fg, const rcomp *c, size_t i, inst *in,
                     inst_frame *fr, const int *chain, int depth, int n,
                     racc *a)
{
    if (depth == n) {
        acc_unit(fg, c, i, in, fr, a);
        return;
    }
    if (!inst_relevant(in, fr, chain[depth]))
        return;
    size_t k = inst_repeat_count(in, fr, chain[depth]);
    for (size_t j = 0; j < k; j++)
        acc_walk(fg, c, i, in, inst_repeat_get(in, fr, chain[depth], j), chain,
                 depth + 1, n, a);
}

racc racc_figure(const report_def *d, const rcomp *c, inst *in, size_t i,
                 char **dkey)
{
    const rdef_figure *fg = &d->figs[i];
    int chain[16], n = 0;
    for (int r = c->rep[i]; r >= 0 && n < 16; r = c->f->q[r].repeat)
        n++;
    int k = n;
    for (int r = c->rep[i]; r >= 0 && k > 0; r = c->f->q[r].repeat)
        chain[--k] = r;
    racc one = {0, 0, 0, 1, 0};
    acc_walk(fg, c, i, in, inst_root(in), chain, 0, n, &one);
    *dkey = NULL;
    if (c->dist[i] && one.units) {
        char *key = rev_str(in, inst_root(in), c->dist[i]);
        if (*key)
            *dkey = key;
        else
            free(key);
    }
    return one;
}

/* Add one interview to the figures of its form, in acc (and vacc). */
void racc_interview(rrun *R, const rcomp *c, inst *in, racc *acc,
                    racc *vacc)
{
    const report_def *d = R->d;
    for (size_t i = 0; i < d->nfigs; i++) {
        if (!c->num[i])
            continue;
        char *key;
        racc one = racc_figure(d, c, in, i, &key);
        if (key) {
            /* Counted when the run is finished, once per key. */
            report_dunit_add(R->r, i, key, one.num, one.den);
            one.num = one.den = 0;
            one.units = 0;
            free(key);
        }
        racc_add(&acc[i], &one, 1);
        if (vacc)
            racc_add(&vacc[i], &one, 1);
    }
}

void report_tallies_of(const report_def *d, int df, inst *in, rtally_fn fn,
                       void *ctx)
{
    const form *f = inst_form(in);
    for (size_t i = 0; i < d->ntallies; i++) {
        if (d->tallies[i].form != df)
            continue;
        int q = form_find(f, d->tallies[i].question);
        const char *v = q >= 0 && f->q[q].repeat < 0
            ? inst_get(in, inst_root(in), q) : NULL;
        if (v && *v && f->q[q].type == QT_TEXT) {
            /* A free answer counts whole, on one line, so that answers
             * written alike are counted together. */
            char *line = canon_line(v);
            if (*line) {
                fn(ctx, i, line);
                fn(ctx, i, "");
            }
            free(line);
        } else if (v && *v) {
            for (const char *p = v; *p;) {
                while (*p == ' ')
                    p++;
                const char *e = p;
                while (*e && *e != ' ')
                    e++;
                if (e > p) {
                    char *code = xstrndup(p, (size_t)(e - p));
                    fn(ctx, i, code);
                    free(code);
                }
                p = e;
            }
            fn(ctx, i, "");
        }
    }
}

char *report_case_key(const form *f, inst *in)
{
    if (!f->nkey)
        return NULL;
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < f->nkey; i++) {
        const char *v = inst_get(in, inst_root(in), f->key[i]);
        if (!v) {
            sbuf_free(&b);
            return NULL;
        }
        if (i)
            sbuf_addc(&b, '\037');
        sbuf_add(&b, v);
    }
    if (!b.s)
        sbuf_add(&b, "");
    return sbuf_detach(&b);
}
