/* report_cmp_fmt.c: the comparison of communes written out: as text,
 * Markdown, CSV and HTML for `khaosat report --communes`, and as lines and
 * cells for the office screen's list and table of communes. */
#include "config.h"
#include "report/report_cmp_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/ui_text.h"

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
        /* Named as the single report names them, never by the id. */
        sbuf_addf(&b, "%s%s %ld", b.len ? "; " : "",
                  rfig_unit(d, i, r->lang), v->units);
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

/* ------------------------------------------------------------ screens */

const char *report_compare_code(const report_cmp *c, size_t i)
{
    return i < c->nrows ? cmp_code(&c->rows[i]) : NULL;
}


/* Text for one line of a screen: new lines made spaces, then terminal
 * controls neutralised (newly allocated; takes s over). */
static char *cmp_line(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ' ';
    char *safe = ui_text_safe(s, UI_TEXT_LINE);
    free(s);
    return safe;
}

char *report_compare_entry(const report_cmp *c, size_t i)
{
    if (i >= c->nrows)
        return NULL;
    const rcrow *w = &c->rows[i];
    const report_def *d = c->def;
    sbuf b;
    sbuf_init(&b);
    char *name = cmp_name(w);
    sbuf_add(&b, name);
    free(name);
    for (size_t v = 0; w->r && v < d->nverdicts; v++)
        sbuf_addf(&b, "%s%s: %s", v ? ", " : " — ", d->verdicts[v].id,
                  rfmt_status(w->r->verdict_st[v]));
    if (!w->r)
        sbuf_addf(&b, " — %s", w->err ? w->err : "?");
    /* The same data-quality flags as report --communes. */
    char *fl = w->r ? cmp_flags(w) : NULL;
    if (fl && *fl)
        sbuf_addf(&b, " — ⚠ %s", fl);
    free(fl);
    return cmp_line(sbuf_detach(&b));
}

char **report_compare_cells(const report_cmp *c, size_t *nrows, size_t *ncols)
{
    const report_def *d = c->def;
    size_t nc = 2 + d->nverdicts + d->nconds + 2;
    char **v = xcalloc((c->nrows + 1) * nc + 1, sizeof *v);
    size_t k = 0;
    v[k++] = xstrdup("#");
    v[k++] = xstrdup(_("Commune"));
    for (size_t i = 0; i < d->nverdicts; i++)
        v[k++] = xstrdup(d->verdicts[i].id);
    for (size_t i = 0; i < d->nconds; i++)
        v[k++] = xstrdup(d->conds[i].id);
    v[k++] = xstrdup(_("Coverage"));
    v[k++] = xstrdup(_("Data quality"));
    for (size_t i = 0; i < c->nrows; i++) {
        const rcrow *w = &c->rows[i];
        const report_result *r = w->r;
        v[k++] = xasprintf("%zu", i + 1);
        v[k++] = cmp_line(cmp_name(w));
        for (size_t n = 0; n < d->nverdicts; n++)
            v[k++] = xstrdup(r ? rfmt_status(r->verdict_st[n]) : "");
        for (size_t n = 0; n < d->nconds; n++) {
            char *f = r ? cmp_figures(r, n) : NULL;
            v[k++] = r ? cmp_line(xasprintf("%s: %s",
                                            rfmt_status(r->cond_st[n]), f))
                       : xstrdup("");
            free(f);
        }
        v[k++] = r ? cmp_line(cmp_coverage(r)) : xstrdup("");
        v[k++] = cmp_line(r ? cmp_flags(w) : xstrdup(w->err ? w->err : ""));
    }
    *nrows = c->nrows + 1;
    *ncols = nc;
    return v;
}
