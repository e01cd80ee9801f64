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


/* A commune form as the grouping sees it. */
typedef struct rcform {
    char *uuid, *code, *name;
} rcform;

/* The interviews of one commune setting (names equal once case, spaces
 * and Unicode normalisation are set aside are one setting). */
typedef struct rcorigin {
    char *key, *text;
    long n;
    char **codes;         /* distinct keys of its commune forms */
    size_t ncodes;
    const char *code;     /* the commune it belongs to, or NULL */
    long row;             /* its row when it has no commune form; -1 */
} rcorigin;

/* A commune setting as written, and its origin. */
typedef struct rcspell {
    char *text;
    size_t origin;
} rcspell;

/* Everything the grouping reads: the commune settings and commune forms,
 * never the interviews (a province has a million: they are walked). */
typedef struct rcgroup {
    report_cmp *c;
    rscan *s;
    char **err;
    rcorigin *org;
    size_t norg;
    rcspell *spell;       /* sorted by text */
    size_t nspell;
    rcform *form;         /* sorted by UUID */
    size_t nform;
    char **fkey, **fcode; /* commune forms: name keys and their codes */
    size_t nf;
    long nameless, mixed;
} rcgroup;

/* The origin of commune setting text, added when new. */
static size_t cg_origin(rcgroup *g, const char *text)
{
    size_t lo = 0, hi = g->nspell;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = strcmp(g->spell[mid].text, text);
        if (!d)
            return g->spell[mid].origin;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    char *key = canon_name_key(text);
    size_t k = 0;
    while (k < g->norg && strcmp(g->org[k].key, key))
        k++;
    if (k == g->norg) {
        g->org = xrealloc(g->org, (g->norg + 1) * sizeof *g->org);
        g->org[k] = (rcorigin){key, canon_line(text), 0, NULL, 0, NULL, -1};
        g->norg++;
    } else {
        free(key);
    }
    g->spell = xrealloc(g->spell, (g->nspell + 1) * sizeof *g->spell);
    memmove(g->spell + lo + 1, g->spell + lo,
            (g->nspell - lo) * sizeof *g->spell);
    g->spell[lo] = (rcspell){xstrdup(text), k};
    g->nspell++;
    return k;
}

static int form_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, ((const rcform *)b)->uuid);
}

/* The commune form of interview uuid, or NULL. */
static const rcform *cg_form(const rcgroup *g, const char *uuid)
{
    return g->nform ? bsearch(&uuid, g->form, g->nform, sizeof *g->form,
                              form_cmp) : NULL;
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
    char *c = canon_line(code);
    if (!*c) {
        free(c);
        return 0;
    }
    g->form = xrealloc(g->form, (g->nform + 1) * sizeof *g->form);
    g->form[g->nform++] = (rcform){xstrdup(uuid), c,
                                   name ? xstrdup(name) : NULL};
    return 0;
}

static int rcform_order(const void *a, const void *b)
{
    return strcmp(((const rcform *)a)->uuid, ((const rcform *)b)->uuid);
}

/* The first walk: count each setting's interviews and note the commune
 * forms each came under. */
static int cg_origin_cb(void *ctx, const store_origin *o)
{
    rcgroup *g = ctx;
    size_t k = cg_origin(g, o->commune);   /* may move g->org */
    rcorigin *org = &g->org[k];
    org->n++;
    const rcform *f = cg_form(g, o->uuid);
    if (!f)
        return 0;
    strset_add(&org->codes, &org->ncodes, f->code);
    /* A bundle whose commune setting is the commune's code or its name
     * belongs to that commune even without a commune form of its own. */
    const char *keys[2] = {f->code, f->name};
    for (int k = 0; k < 2; k++) {
        g->fkey = xrealloc(g->fkey, (g->nf + 1) * sizeof *g->fkey);
        g->fcode = xrealloc(g->fcode, (g->nf + 1) * sizeof *g->fcode);
        g->fkey[g->nf] = canon_name_key(keys[k] ? keys[k] : "");
        g->fcode[g->nf++] = xstrdup(f->code);
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
    for (size_t i = 0; i < g->norg; i++) {
        free(g->org[i].key);
        free(g->org[i].text);
        for (size_t k = 0; k < g->org[i].ncodes; k++)
            free(g->org[i].codes[k]);
        free(g->org[i].codes);
    }
    for (size_t i = 0; i < g->nspell; i++)
        free(g->spell[i].text);
    for (size_t i = 0; i < g->nform; i++) {
        free(g->form[i].uuid);
        free(g->form[i].code);
        free(g->form[i].name);
    }
    for (size_t i = 0; i < g->nf; i++) {
        free(g->fkey[i]);
        free(g->fcode[i]);
    }
    free(g->org);
    free(g->spell);
    free(g->form);
    free(g->fkey);
    free(g->fcode);
}

/* The row of commune code (NULL: of origin text without a commune form),
 * added when new: its index. */
static long cmp_row(report_cmp *c, const char *code, const char *origin)
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
        return (long)i;
    }
    c->rows = xrealloc(c->rows, (c->nrows + 1) * sizeof *c->rows);
    rcrow *r = &c->rows[c->nrows];
    memset(r, 0, sizeof *r);
    r->id = (long)c->nrows;
    r->code = xstrdup(code);
    r->origin = xstrdup(origin);
    return (long)c->nrows++;
}

/* The second walk: each interview into its commune's row (as a member in
 * the reader's temporary table), or counted as left out. */
static int cg_assign_cb(void *ctx, const store_origin *o)
{
    rcgroup *g = ctx;
    size_t k = cg_origin(g, o->commune);   /* may move g->org */
    rcorigin *org = &g->org[k];
    const rcform *f = cg_form(g, o->uuid);
    const char *code = f ? f->code : org->code;
    long row;
    if (code)
        row = cmp_row(g->c, code, org->text);
    else if (org->ncodes > 1) {
        g->mixed += o->complete != 0;
        return 0;
    } else if (*org->text) {
        /* The row of a setting without a commune form is the same for
         * all its interviews: looked up once. */
        if (org->row < 0)
            org->row = cmp_row(g->c, NULL, org->text);
        row = org->row;
    } else {
        g->nameless += o->complete != 0;
        return 0;
    }
    rcrow *r = &g->c->rows[row];
    r->members++;
    /* A superseded duplicate is left out of the commune's report, so it
     * is neither approved nor not here, unless --with-superseded. */
    int used = !o->superseded
               || (rscan_selection(g->s) & RSCAN_SUPERSEDED);
    r->n += used;
    r->approved += used && !strcmp(o->review, "approved");
    r->returned += used && !strcmp(o->review, "returned");
    r->conflicts += o->conflicts;
    r->duplicates += o->duplicates > 0;
    return rscan_member_add(g->s, o->uuid, r->id, g->err);
}

/* Group the interviews of s into communes by the commune code their
 * commune form gives: the interviews of a commune setting (the bundles'
 * or this database's) go with the one commune form among them, else with
 * the commune form whose code or name the setting is; a setting with no
 * commune form is a row of its own, and interviews that name no commune
 * are counted in c's warnings.  Each row's interviews are kept by the
 * reader (rscan_members), not in memory. */
static int cmp_group(report_cmp *c, const catalog *cat, rscan *s, char **err)
{
    rcgroup g = {0};
    g.c = c;
    g.s = s;
    g.err = err;
    /* A commune form awaiting review still says which commune its
     * interviews belong to (--approved-only then flags it). */
    unsigned sel = rscan_selection(s);
    rscan_select(s, sel & ~(unsigned)RSCAN_APPROVED_ONLY);
    int rc = report_context_each(c->def, cat, s, cg_form_cb, &g, err) < 0;
    if (g.nform)
        qsort(g.form, g.nform, sizeof *g.form, rcform_order);
    rc = rc || rscan_origins(s, cg_origin_cb, &g, err) < 0;
    rscan_select(s, sel);
    if (!rc) {
        c->norigins = g.norg;
        for (size_t k = 0; k < g.norg; k++)
            g.org[k].code = cg_origin_code(&g, &g.org[k]);
        rc = rscan_member_batch(s, 1, err) < 0 ||
             rscan_origins(s, cg_assign_cb, &g, err) != 0;
        rc = rscan_member_batch(s, 0, err) < 0 || rc;
    }
    if (rc) {
        cg_free(&g);
        return -1;
    }
    if (g.nameless)
        rwarn_add(&c->warn, xasprintf(_("%ld interviews name no commune (the "
            "bundles that brought them, or this database, have no commune "
            "setting and no commune form came with them): they are left out; "
            "set the commune on the laptop that made them (khaosat keys "
            "export --to CARD --commune NAME) and export them again with "
            "--all"), g.nameless));
    if (g.mixed)
        rwarn_add(&c->warn, xasprintf(_("%ld interviews came with commune "
            "forms of several communes under one commune setting: they are "
            "left out; give each commune's laptops their own commune setting "
            "and export them again with --all"), g.mixed));
    cg_free(&g);
    return 0;
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
    int coded = 0, rc = 0;
    for (size_t i = 0; i < c->nrows; i++)
        coded |= c->rows[i].code && !strcmp(c->rows[i].code, want);
    for (size_t i = 0; i < c->nrows; i++) {
        rcrow *w = &c->rows[i];
        char *wkey = w->code ? NULL : canon_name_key(w->origin);
        int formless = !coded && wkey && !strcmp(wkey, key);
        free(wkey);
        if (formless)
            *no_form = 1;
        else if (!w->code || strcmp(w->code, want))
            continue;
        /* One commune setting, or a commune holding every interview:
         * nothing tells its interviews apart, and the commune form chosen
         * speaks for all of them. */
        if (c->norigins < 2 || (long)w->members == all)
            continue;
        for (size_t k = 0; k < *n; k++)
            free((*uuids)[k]);
        free(*uuids);
        if (rscan_members(s, w->id, uuids, n, err) != 0) {
            rc = -1;
            break;
        }
    }
    free(want);
    free(key);
    report_compare_free(c);
    return rc;
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

/* Make row w's report, one commune at a time: its interviews' UUIDs
 * only while its report is made, and only its summary kept after (w->r,
 * or NULL with w->err). */
static void cmp_run_row(rcrow *w, const report_def *def, const catalog *cat,
                        rscan *s, const report_opts *one)
{
    char **uuids = NULL;
    size_t n = 0;
    w->r = NULL;
    if (rscan_members(s, w->id, &uuids, &n, &w->err) != 0)
        return;
    rscan_only(s, uuids, n);
    if (report_run(def, cat, s, one, &w->r, &w->err))
        w->r = NULL;
    else
        report_result_slim(w->r);
    rscan_only(s, NULL, 0);
    for (size_t k = 0; k < n; k++)
        free(uuids[k]);
    free(uuids);
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
        cmp_run_row(&c->rows[i], def, cat, s, &one);
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
