/* report_cmp.c: the province's comparison of communes. An office or
 * province database holds the merged bundles of several communes; each
 * interview belongs to the commune of the bundle that first brought it.
 * Each commune's interviews get a report of their own, and the comparison
 * lays them side by side, the communes that qualify first. */
#include "config.h"
#include "report/report_emit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/i18n.h"

/* One commune of the comparison. */
typedef struct rcrow {
    char *code;           /* the commune form's key, or NULL: no such form */
    char *origin;         /* the bundles' commune setting(s), as written */
    char **uuids;         /* its interviews, sorted */
    size_t n, cap;
    long approved, returned, conflicts, duplicates;
    report_result *r;     /* NULL when it could not be made: err says why */
    char *err;
} rcrow;

struct report_cmp {
    const report_def *def;
    rcrow *rows;
    size_t nrows;
    char *lang;
    rwarn warn;           /* interviews no commune could be found for */
    size_t norigins;      /* commune settings the interviews came under */
};

/* One interview as the grouping sees it. */
typedef struct rciv {
    char *uuid;
    size_t origin;        /* index in the origins */
    char *code;           /* commune form: its key; else NULL */
    int approved, returned, dup;
    long conflicts;
    int complete;         /* not a draft: only these are counted as lost */
} rciv;

/* The interviews of one commune setting (names equal once case, spaces
 * and Unicode normalisation are set aside are one setting). */
typedef struct rcorigin {
    char *key, *text;
    long n;
    char **codes;         /* distinct keys of its commune forms */
    size_t ncodes;
    const char *code;     /* the commune it belongs to, or NULL */
} rcorigin;

/* Everything the grouping reads. */
typedef struct rcgroup {
    rciv *iv;
    size_t niv, cap;
    rcorigin *org;
    size_t norg;
    char **fkey, **fcode; /* commune forms: name keys and their codes */
    size_t nf;
} rcgroup;

static int cg_origin_cb(void *ctx, const store_origin *o)
{
    rcgroup *g = ctx;
    char *key = canon_name_key(o->commune);
    size_t k = 0;
    while (k < g->norg && strcmp(g->org[k].key, key))
        k++;
    if (k == g->norg) {
        g->org = xrealloc(g->org, (g->norg + 1) * sizeof *g->org);
        g->org[k] = (rcorigin){key, canon_line(o->commune), 0, NULL, 0, NULL};
        g->norg++;
    } else {
        free(key);
    }
    g->org[k].n++;
    g->iv = util_grow(g->iv, &g->cap, g->niv + 1, sizeof *g->iv);
    g->iv[g->niv++] = (rciv){xstrdup(o->uuid), k, NULL,
                             !strcmp(o->review, "approved"),
                             !strcmp(o->review, "returned"),
                             o->duplicates > 0, o->conflicts, o->complete};
    return 0;
}

static int civ_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, ((const rciv *)b)->uuid);
}

/* Add s to the set v[0..*n) unless there. */
static void strset_add(char ***v, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i], s))
            return;
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = xstrdup(s);
}

static int cg_form_cb(void *ctx, const char *uuid, const char *code,
                      const char *name)
{
    rcgroup *g = ctx;
    rciv *iv = bsearch(&uuid, g->iv, g->niv, sizeof *g->iv, civ_cmp);
    char *c = canon_line(code);
    if (!iv || !*c) {
        free(c);
        return 0;
    }
    iv->code = c;
    strset_add(&g->org[iv->origin].codes, &g->org[iv->origin].ncodes, c);
    /* A bundle whose commune setting is the commune's code or its name
     * belongs to that commune even without a commune form of its own. */
    const char *keys[2] = {code, name};
    for (int k = 0; k < 2; k++) {
        g->fkey = xrealloc(g->fkey, (g->nf + 1) * sizeof *g->fkey);
        g->fcode = xrealloc(g->fcode, (g->nf + 1) * sizeof *g->fcode);
        g->fkey[g->nf] = canon_name_key(keys[k] ? keys[k] : "");
        g->fcode[g->nf++] = xstrdup(c);
    }
    return 0;
}

/* The one commune code origin o stands for, or NULL. */
static const char *cg_origin_code(const rcgroup *g, const rcorigin *o)
{
    if (o->ncodes)
        return o->ncodes == 1 ? o->codes[0] : NULL;
    const char *found = NULL;
    for (size_t i = 0; *o->key && i < g->nf; i++)
        if (*g->fkey[i] && !strcmp(g->fkey[i], o->key)) {
            if (found && strcmp(found, g->fcode[i]))
                return NULL;
            found = g->fcode[i];
        }
    return found;
}

static void cg_free(rcgroup *g)
{
    for (size_t i = 0; i < g->niv; i++) {
        free(g->iv[i].uuid);
        free(g->iv[i].code);
    }
    for (size_t i = 0; i < g->norg; i++) {
        free(g->org[i].key);
        free(g->org[i].text);
        for (size_t k = 0; k < g->org[i].ncodes; k++)
            free(g->org[i].codes[k]);
        free(g->org[i].codes);
    }
    for (size_t i = 0; i < g->nf; i++) {
        free(g->fkey[i]);
        free(g->fcode[i]);
    }
    free(g->iv);
    free(g->org);
    free(g->fkey);
    free(g->fcode);
}

/* The row of commune code (NULL: of origin text without a commune form),
 * added when new. */
static rcrow *cmp_row(report_cmp *c, const char *code, const char *origin)
{
    for (size_t i = 0; i < c->nrows; i++) {
        rcrow *w = &c->rows[i];
        if (code ? !w->code || strcmp(w->code, code)
                 : w->code || strcmp(w->origin, origin))
            continue;
        /* One commune under two settings: both are shown. */
        if (*origin && !strstr(w->origin, origin)) {
            char *o = xasprintf("%s%s%s", w->origin, *w->origin ? "; " : "",
                                origin);
            free(w->origin);
            w->origin = o;
        }
        return w;
    }
    c->rows = xrealloc(c->rows, (c->nrows + 1) * sizeof *c->rows);
    rcrow *r = &c->rows[c->nrows++];
    memset(r, 0, sizeof *r);
    r->code = xstrdup(code);
    r->origin = xstrdup(origin);
    return r;
}

/* Note interview iv under row r (they arrive sorted by UUID). */
static void cmp_row_add(rcrow *r, const rciv *iv)
{
    r->uuids = util_grow(r->uuids, &r->cap, r->n + 1, sizeof *r->uuids);
    r->uuids[r->n++] = xstrdup(iv->uuid);
    r->approved += iv->approved;
    r->returned += iv->returned;
    r->conflicts += iv->conflicts;
    r->duplicates += iv->dup;
}

/* Group the interviews of s into communes by the commune code their
 * commune form gives: the interviews of a commune setting (the bundles'
 * or this database's) go with the one commune form among them, else with
 * the commune form whose code or name the setting is; a setting with no
 * commune form is a row of its own, and interviews that name no commune
 * are counted in c's warnings. */
static int cmp_group(report_cmp *c, const catalog *cat, rscan *s, char **err)
{
    rcgroup g = {0};
    /* A commune form awaiting review still says which commune its
     * interviews belong to (--approved-only then flags it). */
    unsigned sel = rscan_selection(s);
    rscan_select(s, sel & ~(unsigned)RSCAN_APPROVED_ONLY);
    int rc = rscan_origins(s, cg_origin_cb, &g, err) < 0 ||
             report_context_each(c->def, cat, s, cg_form_cb, &g, err) < 0;
    rscan_select(s, sel);
    if (rc) {
        cg_free(&g);
        return -1;
    }
    c->norigins = g.norg;
    for (size_t k = 0; k < g.norg; k++)
        g.org[k].code = cg_origin_code(&g, &g.org[k]);
    long nameless = 0, mixed = 0;
    for (size_t i = 0; i < g.niv; i++) {
        const rciv *iv = &g.iv[i];
        const rcorigin *o = &g.org[iv->origin];
        const char *code = iv->code ? iv->code : o->code;
        if (code)
            cmp_row_add(cmp_row(c, code, o->text), iv);
        else if (o->ncodes > 1)
            mixed += iv->complete;
        else if (*o->text)
            cmp_row_add(cmp_row(c, NULL, o->text), iv);
        else
            nameless += iv->complete;
    }
    if (nameless)
        rwarn_add(&c->warn, xasprintf(_("%ld interviews name no commune (the "
            "bundles that brought them, or this database, have no commune "
            "setting and no commune form came with them): they are left out; "
            "set the commune on the laptop that made them (khaosat keys "
            "export --to CARD --commune NAME) and export them again with "
            "--all"), nameless));
    if (mixed)
        rwarn_add(&c->warn, xasprintf(_("%ld interviews came with commune "
            "forms of several communes under one commune setting: they are "
            "left out; give each commune's laptops their own commune setting "
            "and export them again with --all"), mixed));
    cg_free(&g);
    return 0;
}

static int uuid_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int report_commune_scope(const report_def *def, const catalog *cat, rscan *s,
                         const report_opts *o, char ***uuids, size_t *n,
                         int *no_form, char **err)
{
    *uuids = NULL;
    *n = 0;
    *no_form = 0;
    report_cmp *c = xcalloc(1, sizeof *c);
    c->def = def;
    if (cmp_group(c, cat, s, err) < 0) {
        report_compare_free(c);
        return -1;
    }
    char *want = canon_line(o->commune), *key = canon_name_key(o->commune);
    long all = rscan_interview_count(s);
    int coded = 0;
    for (size_t i = 0; i < c->nrows; i++)
        coded |= c->rows[i].code && !strcmp(c->rows[i].code, want);
    /* One commune setting: nothing tells its interviews apart, and the
     * commune form chosen speaks for all of them. */
    for (size_t i = 0; c->norigins > 1 && i < c->nrows; i++) {
        rcrow *w = &c->rows[i];
        char *wkey = w->code ? NULL : canon_name_key(w->origin);
        int formless = !coded && wkey && !strcmp(wkey, key);
        free(wkey);
        if (formless)
            *no_form = 1;
        else if (!w->code || strcmp(w->code, want) || (long)w->n == all)
            continue;
        *uuids = w->uuids;
        *n = w->n;
        w->uuids = NULL;
        w->n = 0;
        qsort(*uuids, *n, sizeof **uuids, uuid_cmp);
    }
    free(want);
    free(key);
    report_compare_free(c);
    return 0;
}

/* Verdicts met (or exempt), verdicts still open, conditions met. */
static void cmp_score(const rcrow *w, int s[3])
{
    s[0] = s[1] = s[2] = 0;
    if (!w->r)
        return;
    const report_def *d = w->r->def;
    for (size_t v = 0; v < d->nverdicts; v++) {
        s[0] += w->r->verdict_st[v] == REPORT_MET ||
                w->r->verdict_st[v] == REPORT_EXEMPT;
        s[1] += w->r->verdict_st[v] != REPORT_NOT_MET;
    }
    for (size_t i = 0; i < d->nconds; i++)
        s[2] += w->r->cond_st[i] == REPORT_MET;
}

/* The commune's code as shown (its form's key, else the setting). */
static const char *cmp_code(const rcrow *w)
{
    return w->code ? w->code : w->origin;
}

static int cmp_by_code(const void *a, const void *b)
{
    return strcmp(cmp_code(a), cmp_code(b));
}

/* Qualifying first: more verdicts met, then more still possible, then
 * more conditions met, then by code; communes without a commune form
 * last. */
static int cmp_by_qualify(const void *a, const void *b)
{
    /* A commune without its commune form cannot qualify: last. */
    int fa = ((const rcrow *)a)->r && ((const rcrow *)a)->r->have_context;
    int fb = ((const rcrow *)b)->r && ((const rcrow *)b)->r->have_context;
    if (fa != fb)
        return fb - fa;
    int x[3], y[3];
    cmp_score(a, x);
    cmp_score(b, y);
    for (int k = 0; k < 3; k++)
        if (x[k] != y[k])
            return y[k] - x[k];
    return cmp_by_code(a, b);
}

int report_compare(const report_def *def, const catalog *cat, rscan *s,
                   const report_opts *o, const char *sort, report_cmp **out,
                   char **err)
{
    *out = NULL;
    if (sort && strcmp(sort, "qualify") && strcmp(sort, "code")) {
        *err = xasprintf(_("unknown order '%s'; use qualify or code"), sort);
        return -1;
    }
    report_cmp *c = xcalloc(1, sizeof *c);
    c->def = def;
    c->lang = xstrdup(o->lang ? o->lang : "vi");
    if (cmp_group(c, cat, s, err) < 0) {
        report_compare_free(c);
        return -1;
    }
    report_opts one = *o;
    one.commune = NULL;
    one.by_village = 1;
    for (size_t i = 0; i < c->nrows; i++) {
        rcrow *w = &c->rows[i];
        rscan_only(s, w->uuids, w->n);
        if (report_run(def, cat, s, &one, &w->r, &w->err))
            w->r = NULL;
    }
    rscan_only(s, NULL, 0);
    if (c->nrows > 1)
        qsort(c->rows, c->nrows, sizeof *c->rows,
              sort && !strcmp(sort, "code") ? cmp_by_code : cmp_by_qualify);
    *out = c;
    return 0;
}

void report_compare_free(report_cmp *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nrows; i++) {
        rcrow *w = &c->rows[i];
        for (size_t k = 0; k < w->n; k++)
            free(w->uuids[k]);
        free(w->uuids);
        free(w->origin);
        free(w->code);
        free(w->err);
        report_result_free(w->r);
    }
    free(c->rows);
    free(c->lang);
    for (size_t i = 0; i < c->warn.n; i++)
        free(c->warn.v[i]);
    free(c->warn.v);
    free(c);
}

char *const *report_compare_warnings(const report_cmp *c, size_t *n)
{
    *n = c->warn.n;
    return c->warn.v;
}

size_t report_compare_count(const report_cmp *c)
{
    return c->nrows;
}

const report_result *report_compare_row(const report_cmp *c, size_t i)
{
    return i < c->nrows ? c->rows[i].r : NULL;
}

/* ------------------------------------------------------------ wording */

/* Condition c's figures against their thresholds, briefly: "63.4% ≥ 50%",
 * "yes", "8/9 · 100% ≥ 100%". */
static char *cmp_figures(const report_result *r, size_t c)
{
    const rdef_cond *cd = &r->def->conds[c];
    sbuf b;
    sbuf_init(&b);
    for (size_t k = 0; k < cd->ntests; k++) {
        const rdef_test *t = &cd->tests[k];
        const rtest_res *tr = &r->tests[c][k];
        const rdef_figure *fg = &r->def->figs[t->figure];
        const rvalue *v = &r->val[t->figure];
        if (k)
            sbuf_add(&b, "; ");
        if (v->expected == v->expected)
            sbuf_addf(&b, "%ld/%.0f · ", v->units, v->expected);
        if (!v->known)
            sbuf_add(&b, "—");
        else if (fg->kind == RK_YESNO)
            sbuf_add(&b, v->value != 0 ? _("yes") : _("no"));
        else {
            double thr = tr->has_threshold ? tr->threshold : NAN;
            char *n = rfmt_beside(r->lang, v->value, thr, tr->at_most,
                                  fg->kind == RK_RATE);
            sbuf_add(&b, n);
            free(n);
        }
        if (tr->has_threshold && tr->threshold == tr->threshold) {
            char *th = fg->kind == RK_RATE ? rfmt_thr(r->lang, tr->threshold)
                                           : rfmt_dec(r->lang, tr->threshold);
            sbuf_addf(&b, " %s %s", tr->at_most ? "≤" : "≥", th);
            free(th);
        }
    }
    return sbuf_detach(&b);
}

/* Households planned (the villages' roster), or -1 when none says. */
static long cmp_planned(const report_result *r)
{
    long p = -1;
    for (size_t i = 0; i < r->nvillages; i++)
        if (r->villages[i].planned >= 0)
            p = (p < 0 ? 0 : p) + r->villages[i].planned;
    return p;
}

/* The first form with villages (the households): its index, or -1. */
static int cmp_unit_form(const report_def *d)
{
    for (size_t i = 0; i < d->nforms; i++)
        if (!d->forms[i].context && d->forms[i].village.text)
            return (int)i;
    return -1;
}

/* Coverage: "households 412/450 (23 excluded); officials 8/9". */
static char *cmp_coverage(const report_result *r)
{
    const report_def *d = r->def;
    sbuf b;
    sbuf_init(&b);
    int hf = cmp_unit_form(d);
    if (hf >= 0) {
        const rformstat *fs = &r->forms[hf];
        long planned = cmp_planned(r);
        sbuf_addf(&b, "%s %ld", rtext_get(&d->forms[hf].unit, r->lang),
                  fs->complete);
        if (planned >= 0)
            sbuf_addf(&b, _(" of %ld planned"), planned);
        if (fs->excluded)
            sbuf_addf(&b, _(" (%ld %s)"), fs->excluded,
                      rtext_get(&d->forms[hf].excluded, r->lang));
    }
    for (size_t i = 0; i < d->nfigs; i++) {
        const rvalue *v = &r->val[i];
        if (!d->figs[i].expected.text)
            continue;
        sbuf_addf(&b, "%s%s %ld", b.len ? "; " : "", d->figs[i].id, v->units);
        if (v->expected == v->expected)
            sbuf_addf(&b, _(" of %.0f declared"), v->expected);
    }
    return sbuf_detach(&b);
}

/* Data-quality flags of a row, or "" when none (newly allocated). */
static char *cmp_flags(const rcrow *w)
{
    const report_result *r = w->r;
    const report_def *d = r->def;
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, "");
    if (!r->have_context)
        sbuf_add(&b, w->code && (r->select & RSCAN_APPROVED_ONLY)
                     ? _("commune form not approved") : _("no commune form"));
    /* Thin samples: a figure a condition tests, counted over fewer units
     * than the definition's minimum. */
    int thin = 0;
    char *seen = xcalloc(d->nfigs, 1);
    for (size_t c = 0; c < d->nconds; c++)
        for (size_t k = 0; k < d->conds[c].ntests; k++) {
            size_t f = (size_t)d->conds[c].tests[k].figure;
            const rvalue *v = &r->val[f];
            if (!d->forms[d->figs[f].form].context && v->known &&
                !(v->expected == v->expected) && v->units < d->min_units &&
                !seen[f]) {
                seen[f] = 1;
                if (!thin++)
                    sbuf_addf(&b, "%s%s ", b.len ? "; " : "",
                              _("thin sample:"));
                else
                    sbuf_add(&b, ", ");
                sbuf_addf(&b, "%s (%ld)", d->figs[f].id, v->units);
            }
        }
    free(seen);
    long unreviewed = (long)w->n - w->approved;
    if (unreviewed > 0)
        sbuf_addf(&b, _("%s%ld of %zu interviews not approved"),
                  b.len ? "; " : "", unreviewed, w->n);
    if (w->returned)
        sbuf_addf(&b, _("%s%ld returned"), b.len ? "; " : "", w->returned);
    if (w->conflicts)
        sbuf_addf(&b, _("%s%ld open conflicts"), b.len ? "; " : "",
                  w->conflicts);
    if (w->duplicates)
        sbuf_addf(&b, _("%s%ld interviews in duplicate pairs"),
                  b.len ? "; " : "", w->duplicates);
    for (size_t i = 0; i < d->nfigs; i++)
        if (r->val[i].repeated)
            sbuf_addf(&b, _("%s%s: %ld repeated numbers"), b.len ? "; " : "",
                      d->figs[i].id, r->val[i].repeated);
    return sbuf_detach(&b);
}

/* The row's name: "79001 Xã An Bình". */
static char *cmp_name(const rcrow *w)
{
    const char *name = w->r && w->r->commune_name ? w->r->commune_name : "";
    return xasprintf("%s%s%s", cmp_code(w), *name ? " " : "", name);
}

/* ------------------------------------------------------------ formats */

/* A number for the numeric columns: '.' decimals, empty when unknown. */
static void cmp_csv_number(sbuf *b, double x)
{
    if (x == x)
        sbuf_addf(b, ",%.10g", x);
    else
        sbuf_addc(b, ',');
}

/* Each condition's tests as value, threshold and met (1, 0, or empty
 * with no data or no threshold). */
static void cmp_csv_numbers(sbuf *b, const report_result *r,
                            const report_def *d)
{
    for (size_t i = 0; i < d->nconds; i++)
        for (size_t k = 0; k < d->conds[i].ntests; k++) {
            if (!r) {
                sbuf_add(b, ",,,");
                continue;
            }
            const rtest_res *tr = &r->tests[i][k];
            const rvalue *v = &r->val[d->conds[i].tests[k].figure];
            cmp_csv_number(b, v->known ? v->value : NAN);
            cmp_csv_number(b, tr->has_threshold ? tr->threshold : NAN);
            if (tr->st == REPORT_MET || tr->st == REPORT_NOT_MET)
                sbuf_addf(b, ",%d", tr->st == REPORT_MET);
            else
                sbuf_addc(b, ',');
        }
}

static void cmp_csv(sbuf *b, const report_cmp *c)
{
    const report_def *d = c->def;
    const char *fixed[] = {"rank", "commune", "name", "origin"};
    for (size_t k = 0; k < 4; k++)
        sbuf_addf(b, "%s%s", k ? "," : "", fixed[k]);
    for (size_t v = 0; v < d->nverdicts; v++)
        sbuf_addf(b, ",%s", d->verdicts[v].id);
    for (size_t i = 0; i < d->nconds; i++)
        sbuf_addf(b, ",%s,%s_figures", d->conds[i].id, d->conds[i].id);
    sbuf_add(b, ",coverage,flags,error");
    /* The figures again as numbers, for a spreadsheet to sort and sum. */
    for (size_t i = 0; i < d->nconds; i++)
        for (size_t k = 0; k < d->conds[i].ntests; k++) {
            const char *f = d->figs[d->conds[i].tests[k].figure].id;
            sbuf_addf(b, ",%s.%s_value,%s.%s_threshold,%s.%s_met",
                      d->conds[i].id, f, d->conds[i].id, f, d->conds[i].id, f);
        }
    sbuf_add(b, "\r\n");
    static const char *const code[] = {"no_data", "met", "not_met", "exempt"};
    for (size_t i = 0; i < c->nrows; i++) {
        const rcrow *w = &c->rows[i];
        const report_result *r = w->r;
        sbuf_addf(b, "%zu,", i + 1);
        rfmt_csv_field(b, cmp_code(w));
        sbuf_addc(b, ',');
        rfmt_csv_field(b, r && r->commune_name ? r->commune_name : "");
        sbuf_addc(b, ',');
        rfmt_csv_field(b, w->origin);
        for (size_t v = 0; v < d->nverdicts; v++)
            sbuf_addf(b, ",%s", r ? code[r->verdict_st[v]] : "");
        for (size_t k = 0; k < d->nconds; k++) {
            char *f = r ? cmp_figures(r, k) : xstrdup("");
            sbuf_addf(b, ",%s,", r ? code[r->cond_st[k]] : "");
            rfmt_csv_field(b, f);
            free(f);
        }
        char *cov = r ? cmp_coverage(r) : xstrdup("");
        char *fl = r ? cmp_flags(w) : xstrdup("");
        sbuf_addc(b, ',');
        rfmt_csv_field(b, cov);
        sbuf_addc(b, ',');
        rfmt_csv_field(b, fl);
        sbuf_addc(b, ',');
        rfmt_csv_field(b, w->err ? w->err : "");
        cmp_csv_numbers(b, r, d);
        sbuf_add(b, "\r\n");
        free(cov);
        free(fl);
    }
}

/* Text and markdown: a section per commune; HTML: one table. */
static void cmp_sections(emitter *e, const report_cmp *c)
{
    const report_def *d = c->def;
    for (size_t i = 0; i < c->nrows; i++) {
        const rcrow *w = &c->rows[i];
        char *name = cmp_name(w);
        char *h = xasprintf("%zu. %s", i + 1, name);
        rfmt_heading(e, 2, h);
        free(h);
        free(name);
        if (!w->r) {
            rfmt_para(e, w->err ? w->err : "?");
            continue;
        }
        const char *head[] = {_("Condition"), _("Result")};
        rfmt_tbegin(e, 0, 2, head);
        for (size_t v = 0; v < d->nverdicts; v++) {
            char *cells[] = {xstrdup(d->verdicts[v].id),
                             xasprintf("%s: %s", rfmt_status(w->r->verdict_st[v]),
                                       rtext_get(&d->verdicts[v].title, c->lang))};
            rfmt_trow(e, cells);
        }
        for (size_t k = 0; k < d->nconds; k++) {
            char *f = cmp_figures(w->r, k);
            char *cells[] = {xstrdup(d->conds[k].id),
                             xasprintf("%s: %s", rfmt_status(w->r->cond_st[k]), f)};
            free(f);
            rfmt_trow(e, cells);
        }
        rfmt_tend(e);
        char *cov = cmp_coverage(w->r), *fl = cmp_flags(w);
        char *p = xasprintf(_("Coverage: %s"), cov);
        rfmt_para(e, p);
        free(p);
        if (*fl) {
            p = xasprintf("⚠ %s", fl);
            rfmt_para(e, p);
            free(p);
        }
        free(cov);
        free(fl);
    }
}

/* HTML: one row per commune, a column per verdict and condition. */
static void cmp_table(emitter *e, const report_cmp *c)
{
    const report_def *d = c->def;
    size_t ncols = 2 + d->nverdicts + d->nconds + 2;
    const char **head = xcalloc(ncols, sizeof *head);
    size_t k = 0;
    head[k++] = "#";
    head[k++] = _("Commune");
    for (size_t v = 0; v < d->nverdicts; v++)
        head[k++] = rtext_get(&d->verdicts[v].title, c->lang);
    for (size_t i = 0; i < d->nconds; i++)
        head[k++] = d->conds[i].id;
    head[k++] = _("Coverage");
    head[k++] = _("Data quality");
    rfmt_tbegin(e, 0, ncols, head);
    free(head);
    for (size_t i = 0; i < c->nrows; i++) {
        const rcrow *w = &c->rows[i];
        char **cells = xcalloc(ncols, sizeof *cells);
        k = 0;
        cells[k++] = xasprintf("%zu", i + 1);
        cells[k++] = cmp_name(w);
        for (size_t v = 0; v < d->nverdicts; v++)
            cells[k++] = xstrdup(w->r ? rfmt_status(w->r->verdict_st[v]) : "");
        for (size_t n = 0; n < d->nconds; n++) {
            char *f = w->r ? cmp_figures(w->r, n) : xstrdup("");
            cells[k++] = w->r ? xasprintf("%s\n%s", rfmt_status(w->r->cond_st[n]),
                                          f) : xstrdup("");
            free(f);
        }
        cells[k++] = w->r ? cmp_coverage(w->r) : xstrdup("");
        cells[k++] = w->r ? cmp_flags(w) : xstrdup(w->err ? w->err : "");
        rfmt_trow(e, cells);
        free(cells);
    }
    rfmt_tend(e);
}

char *report_compare_render(const report_cmp *c, report_format fmt)
{
    sbuf b;
    sbuf_init(&b);
    if (fmt == REPORT_CSV) {
        cmp_csv(&b, c);
        return sbuf_detach(&b);
    }
    emitter e;
    const char *title = _("Comparison of communes: selection conditions");
    rfmt_begin(&e, &b, fmt, title, c->lang, "wide");
    rfmt_heading(&e, 1, title);
    char *p = xasprintf(_("%zu communes, those that qualify first (verdicts "
                          "met, then still possible, then conditions met)."),
                        c->nrows);
    rfmt_para(&e, p);
    free(p);
    for (size_t i = 0; i < c->warn.n; i++) {
        p = xasprintf("⚠ %s", c->warn.v[i]);
        rfmt_para(&e, p);
        free(p);
    }
    if (fmt == REPORT_HTML)
        cmp_table(&e, c);
    else
        cmp_sections(&e, c);
    return rfmt_end(&b, fmt);
}
