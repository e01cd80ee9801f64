/* report_cmp.c: the province's comparison of communes. An office or
 * province database holds the merged bundles of several communes; each
 * interview belongs to the commune of the bundle that first brought it.
 * Each commune's interviews get a report of their own, and the comparison
 * lays them side by side, the communes that qualify first. */
#include "config.h"
#include "report/report_cmp_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/i18n.h"


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

const char *cmp_code(const rcrow *w)
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
        else
            report_result_slim(w->r);
    }
    rscan_only(s, NULL, 0);
    report_compare_sort(c, sort);
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

int report_compare_sort(report_cmp *c, const char *sort)
{
    int by_code = sort && !strcmp(sort, "code");
    if (sort && !by_code && strcmp(sort, "qualify"))
        return -1;
    if (c->nrows > 1)
        qsort(c->rows, c->nrows, sizeof *c->rows,
              by_code ? cmp_by_code : cmp_by_qualify);
    return 0;
}
