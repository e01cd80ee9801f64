/* report_fmt.c: writing a computed report as text (80 columns), markdown,
 * CSV (one row per figure) or one self-contained HTML page that prints
 * well. The sections are laid out once through a small emitter; each
 * format only says how a heading, a paragraph and a table look. */
#include "config.h"
#include "report/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "report/csv.h"

#define TEXT_WIDTH 80

/* A table being collected before it is written. */
typedef struct ftable {
    size_t ncols;
    char **cells;         /* rows * ncols, owned */
    size_t nrows;         /* the header is row 0 */
    int numeric;          /* text: a grid of short cells, not a list */
} ftable;

typedef struct emitter {
    report_format fmt;
    sbuf *b;
    const report_result *r;
    ftable t;
} emitter;

/* ------------------------------------------------------------ text helpers */

/* Display width of UTF-8 s: code points, less combining marks. */
static size_t text_width(const char *s, size_t n)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        if ((p[i] & 0xC0) == 0x80)
            continue;
        /* U+0300..U+036F are two bytes: CC 80..CD AF. */
        if (i + 1 < n && (p[i] == 0xCC || (p[i] == 0xCD && p[i + 1] <= 0xAF)))
            continue;
        w++;
    }
    return w;
}

/* Append s wrapped at TEXT_WIDTH; the cursor is at column col, and
 * continuation lines start at column indent. Ends with a newline. */
static void wrap(sbuf *b, const char *s, size_t col, size_t indent)
{
    const char *p = s;
    int first = 1;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != '\n')
            e++;
        size_t w = text_width(p, (size_t)(e - p));
        if (!first && col + 1 + w > TEXT_WIDTH) {
            sbuf_addc(b, '\n');
            for (col = 0; col < indent; col++)
                sbuf_addc(b, ' ');
        } else if (!first) {
            sbuf_addc(b, ' ');
            col++;
        }
        sbuf_addn(b, p, (size_t)(e - p));
        col += w;
        first = 0;
        p = e;
        if (*p == '\n') {
            p++;
            sbuf_addc(b, '\n');
            for (col = 0; col < indent; col++)
                sbuf_addc(b, ' ');
            first = 1;
        }
    }
    sbuf_addc(b, '\n');
}

/* Append s with HTML's special characters escaped. */
static void html_esc(sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': sbuf_add(b, "&lt;"); break;
        case '>': sbuf_add(b, "&gt;"); break;
        case '&': sbuf_add(b, "&amp;"); break;
        case '"': sbuf_add(b, "&quot;"); break;
        case '\n': sbuf_add(b, "<br>"); break;
        default: sbuf_addc(b, *s);
        }
    }
}

/* Append s as a markdown table cell. */
static void md_esc(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            sbuf_add(b, "\\|");
        else if (*s == '\n')
            sbuf_add(b, "<br>");
        else
            sbuf_addc(b, *s);
    }
}

/* Append s as one CSV field, a formula-like text neutralised (titles
 * and codes come from the definition and the data). */
static void csv_field(sbuf *b, const char *s)
{
    csv_add_field(b, s, 1);
}

/* ------------------------------------------------------------ the emitter */

static void e_heading(emitter *e, int level, const char *text)
{
    sbuf *b = e->b;
    switch (e->fmt) {
    case REPORT_TEXT: {
        sbuf_addc(b, '\n');
        wrap(b, text, 0, 0);
        size_t w = text_width(text, strlen(text));
        w = w > TEXT_WIDTH ? TEXT_WIDTH : w;
        for (size_t i = 0; i < w; i++)
            sbuf_addc(b, level <= 1 ? '=' : '-');
        sbuf_addc(b, '\n');
        break;
    }
    case REPORT_MARKDOWN:
        sbuf_addc(b, '\n');
        for (int i = 0; i < level; i++)
            sbuf_addc(b, '#');
        sbuf_addf(b, " %s\n\n", text);
        break;
    case REPORT_HTML:
        sbuf_addf(b, "<h%d>", level);
        html_esc(b, text);
        sbuf_addf(b, "</h%d>\n", level);
        break;
    case REPORT_CSV:
        break;
    }
}

static void e_para(emitter *e, const char *text)
{
    switch (e->fmt) {
    case REPORT_TEXT:
        wrap(e->b, text, 0, 0);
        break;
    case REPORT_MARKDOWN:
        sbuf_addf(e->b, "%s\n\n", text);
        break;
    case REPORT_HTML:
        sbuf_add(e->b, "<p>");
        html_esc(e->b, text);
        sbuf_add(e->b, "</p>\n");
        break;
    case REPORT_CSV:
        break;
    }
}

/* Start a table with the given header (ncols cells). */
static void t_begin(emitter *e, int numeric, size_t ncols, const char *const *head)
{
    e->t.ncols = ncols;
    e->t.numeric = numeric;
    e->t.nrows = 1;
    e->t.cells = xcalloc(ncols, sizeof *e->t.cells);
    for (size_t i = 0; i < ncols; i++)
        e->t.cells[i] = xstrdup(head[i]);
}

/* Add a row; the cells are taken over (NULL is an empty cell). */
static void t_row(emitter *e, char **cells)
{
    ftable *t = &e->t;
    t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = cells[i] ? cells[i] : xstrdup("");
    t->nrows++;
}

/* Text: a grid with columns as wide as their cells; the first column
 * (a name) is cut short when the line would pass TEXT_WIDTH. */
static void t_text_grid(emitter *e)
{
    ftable *t = &e->t;
    size_t *w = xcalloc(t->ncols, sizeof *w);
    size_t total = 0;
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t cw = text_width(s, strlen(s));
            w[c] = cw > w[c] ? cw : w[c];
        }
    for (size_t c = 0; c < t->ncols; c++)
        total += w[c] + (c ? 2 : 0);
    if (total > TEXT_WIDTH && w[0] > total - TEXT_WIDTH + 4)
        w[0] -= total - TEXT_WIDTH;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t cw = text_width(s, strlen(s));
            if (c == 0) {
                /* Copy whole characters while they fit. */
                size_t used = 0, i = 0, n = strlen(s);
                while (i < n) {
                    size_t j = i + 1;
                    while (j < n && (((unsigned char)s[j] & 0xC0) == 0x80))
                        j++;
                    size_t cwj = text_width(s + i, j - i);
                    if (used + cwj > w[0])
                        break;
                    sbuf_addn(e->b, s + i, j - i);
                    used += cwj;
                    i = j;
                }
                for (; used < w[0]; used++)
                    sbuf_addc(e->b, ' ');
            } else {
                sbuf_add(e->b, "  ");
                for (size_t k = cw; k < w[c]; k++)
                    sbuf_addc(e->b, ' ');
                sbuf_add(e->b, s);
            }
        }
        sbuf_addc(e->b, '\n');
    }
    free(w);
}

/* Text: each row as "ID  first cell" then the other cells indented. */
static void t_text_list(emitter *e)
{
    ftable *t = &e->t;
    size_t idw = 0;
    for (size_t r = 1; r < t->nrows; r++) {
        const char *s = t->cells[r * t->ncols];
        size_t cw = text_width(s, strlen(s));
        idw = cw > idw ? cw : idw;
    }
    idw = idw > 8 ? 8 : idw;
    for (size_t r = 1; r < t->nrows; r++) {
        const char *id = t->cells[r * t->ncols];
        sbuf_add(e->b, id);
        size_t col = text_width(id, strlen(id));
        for (; col < idw + 2; col++)
            sbuf_addc(e->b, ' ');
        wrap(e->b, t->ncols > 1 ? t->cells[r * t->ncols + 1] : "", col, idw + 2);
        for (size_t c = 2; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            if (!*s)
                continue;
            for (size_t k = 0; k < idw + 4; k++)
                sbuf_addc(e->b, ' ');
            wrap(e->b, s, idw + 4, idw + 6);
        }
    }
}

/* Write the collected table and free it. */
static void t_end(emitter *e)
{
    ftable *t = &e->t;
    sbuf *b = e->b;
    if (e->fmt == REPORT_TEXT) {
        if (t->numeric)
            t_text_grid(e);
        else
            t_text_list(e);
    } else if (e->fmt == REPORT_MARKDOWN) {
        for (size_t r = 0; r < t->nrows; r++) {
            for (size_t c = 0; c < t->ncols; c++) {
                sbuf_add(b, "| ");
                md_esc(b, t->cells[r * t->ncols + c]);
                sbuf_addc(b, ' ');
            }
            sbuf_add(b, "|\n");
            if (r == 0) {
                for (size_t c = 0; c < t->ncols; c++)
                    sbuf_add(b, t->numeric && c ? "| ---: " : "| --- ");
                sbuf_add(b, "|\n");
            }
        }
        sbuf_addc(b, '\n');
    } else if (e->fmt == REPORT_HTML) {
        sbuf_add(b, t->numeric ? "<table class=\"num\">\n" : "<table>\n");
        for (size_t r = 0; r < t->nrows; r++) {
            sbuf_add(b, "<tr>");
            for (size_t c = 0; c < t->ncols; c++) {
                const char *s = t->cells[r * t->ncols + c];
                const char *cls = !strcmp(s, _("met")) ? " class=\"met\""
                    : !strcmp(s, _("not met")) ? " class=\"notmet\""
                    : !strcmp(s, _("not enough data")) ? " class=\"nodata\"" : "";
                sbuf_addf(b, r ? "<td%s>" : "<th%s>", r ? cls : "");
                html_esc(b, s);
                sbuf_add(b, r ? "</td>" : "</th>");
            }
            sbuf_add(b, "</tr>\n");
        }
        sbuf_add(b, "</table>\n");
    }
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------ values */

/* A number as the report shows it: whole numbers bare, else 1 decimal. */
static char *num_str(double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        return xasprintf("%.0f", v);
    return xasprintf("%.1f", v);
}

static const char *status_word(report_status s)
{
    return s == REPORT_MET ? _("met") : s == REPORT_NOT_MET ? _("not met")
         : s == REPORT_EXEMPT ? _("exempt") : _("not enough data");
}

/* The unit word of figure i. */
static const char *unit_of(const report_result *r, size_t i)
{
    const rdef_figure *fg = &r->def->figs[i];
    if (fg->unit.n)
        return rtext_get(&fg->unit, r->lang);
    return rtext_get(&r->def->forms[fg->form].unit, r->lang);
}

/* Figure i's value v as a short text. */
static char *value_str(const report_result *r, size_t i, const rvalue *v)
{
    const rdef_figure *fg = &r->def->figs[i];
    if (!v->known)
        return xstrdup(_("not enough data"));
    if (fg->kind == RK_YESNO)
        return xstrdup(v->value != 0 ? _("yes") : _("no"));
    char *n = num_str(v->num), *out;
    if (fg->kind == RK_COUNT) {
        out = xasprintf("%s %s", n, unit_of(r, i));
    } else {
        char *dn = num_str(v->den);
        out = xasprintf("%.1f%% (%s / %s %s)", v->value, n, dn, unit_of(r, i));
        free(dn);
    }
    free(n);
    size_t len = strlen(out);
    while (len && out[len - 1] == ' ')
        out[--len] = '\0';
    return out;
}

/* The figure's warnings joined, or NULL. */
static char *warn_str(const rwarn *w)
{
    if (!w->n)
        return NULL;
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, "⚠ ");
    for (size_t i = 0; i < w->n; i++)
        sbuf_addf(&b, "%s%s", i ? "; " : "", w->v[i]);
    return sbuf_detach(&b);
}

/* The note beside figure i (for village v, NULL: the commune): its
 * warnings, its basis and the other reading, or NULL when none. */
static char *note_str(const report_result *r, size_t i, const rvillage *v)
{
    const report_def *d = r->def;
    const rdef_figure *fg = &d->figs[i];
    const rvalue *val = v ? &v->val[i] : &r->val[i];
    sbuf b;
    sbuf_init(&b);
    char *w = v ? NULL : warn_str(&r->fwarn[i]);
    if (w)
        sbuf_add(&b, w);
    free(w);
    if (v && val->known && val->units < d->min_units)
        sbuf_addf(&b, _("⚠ small base: %ld %s"), val->units,
                  rtext_get(&d->forms[fg->form].unit, r->lang));
    if (fg->alt >= 0) {
        const rvalue *av = v ? &v->val[fg->alt] : &r->val[fg->alt];
        char *vs = value_str(r, (size_t)fg->alt, av);
        sbuf_addf(&b, "%s%s %s (%s): %s", b.len ? "\n" : "", _("Other reading"),
                  d->figs[fg->alt].id, rtext_get(&d->figs[fg->alt].title,
                                                 r->lang), vs);
        free(vs);
    }
    if (!v && fg->basis.n)
        sbuf_addf(&b, "%s%s: %s", b.len ? "\n" : "", _("Basis"),
                  rtext_get(&fg->basis, r->lang));
    if (!b.len) {
        sbuf_free(&b);
        return NULL;
    }
    return sbuf_detach(&b);
}

/* The evidence and basis of condition c, after its tests. */
static void cond_more(sbuf *b, const report_result *r, size_t c)
{
    const rdef_cond *cd = &r->def->conds[c];
    for (size_t k = 0; k < cd->nevidence; k++) {
        size_t f = (size_t)cd->evidence[k];
        char *vs = value_str(r, f, &r->val[f]);
        sbuf_addf(b, "%s%s: %s", k ? "; " : _("\nEvidence: "),
                  rtext_get(&r->def->figs[f].title, r->lang), vs);
        free(vs);
    }
    if (cd->basis.n)
        sbuf_addf(b, "\n%s: %s", _("Basis"), rtext_get(&cd->basis, r->lang));
}

/* One test of a condition as a sentence with its figure and threshold. */
static void test_str(sbuf *b, const report_result *r, size_t c, size_t k)
{
    const rdef_test *t = &r->def->conds[c].tests[k];
    const rtest_res *tr = &r->tests[c][k];
    const rdef_figure *fg = &r->def->figs[t->figure];
    const rvalue *v = &r->val[t->figure];
    const char *phrase = rtext_get(&fg->phrase, r->lang);
    if (v->known && fg->kind == RK_RATE && *phrase) {
        char *dn = num_str(v->den);
        sbuf_addf(b, _("%.1f%% of %s %s %s"), v->value, dn, unit_of(r, t->figure),
                  phrase);
        free(dn);
    } else {
        char *vs = value_str(r, t->figure, v);
        sbuf_addf(b, "%s: %s", rtext_get(&fg->title, r->lang), vs);
        free(vs);
    }
    if (v->expected == v->expected)
        sbuf_addf(b, _(", %ld of %.0f %s interviewed"), v->units, v->expected,
                  unit_of(r, t->figure));
    else if (fg->expected.text)
        sbuf_addf(b, _(", declared total unknown"));
    if (tr->has_threshold) {
        if (tr->threshold == tr->threshold) {
            char *th = num_str(tr->threshold);
            sbuf_addf(b, " (%s %s%s)", tr->at_most ? "≤" : "≥", th,
                      fg->kind == RK_RATE ? "%" : "");
            free(th);
        } else {
            sbuf_addf(b, " (%s)", _("threshold unknown"));
        }
    }
}

/* ------------------------------------------------------------ sections */

static void sec_header(emitter *e)
{
    const report_result *r = e->r;
    e_heading(e, 1, rtext_get(&r->def->title, r->lang));
    char *who = r->have_context
        ? xasprintf(_("Commune: %s (%s)"), r->commune_name ? r->commune_name : "",
                    r->commune_code ? r->commune_code : "")
        : xstrdup(_("Commune: no complete commune form"));
    e_para(e, who);
    free(who);
    if (r->generated) {
        char *g = xasprintf(_("Generated: %s"), r->generated);
        e_para(e, g);
        free(g);
    }
    e_para(e, _("Only complete interviews are counted; answers to questions "
                "that did not apply are ignored."));
}

static void sec_conditions(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    if (!d->nconds)
        return;
    e_heading(e, 2, _("Selection conditions"));
    for (size_t v = 0; v < d->nverdicts; v++) {
        const rdef_verdict *vd = &d->verdicts[v];
        e_heading(e, 3, rtext_get(&vd->title, r->lang));
        const char *head[] = {_("Condition"), _("Figure"), _("Result")};
        t_begin(e, 0, 3, head);
        for (size_t k = 0; k < vd->nconds; k++) {
            size_t c = (size_t)vd->conds[k];
            sbuf b;
            sbuf_init(&b);
            sbuf_addf(&b, "%s. ", rtext_get(&d->conds[c].title, r->lang));
            for (size_t t = 0; t < d->conds[c].ntests; t++) {
                if (t)
                    sbuf_add(&b, "; ");
                test_str(&b, r, c, t);
            }
            cond_more(&b, r, c);
            char *res = xstrdup(status_word(r->cond_st[c]));
            char *cells[] = {xstrdup(d->conds[c].id), sbuf_detach(&b), res};
            t_row(e, cells);
        }
        char *cells[] = {xstrdup(_("Verdict")),
                         r->verdict_st[v] == REPORT_EXEMPT
                             ? xstrdup(rtext_get(&vd->exempt_note, r->lang))
                             : xasprintf(_("all conditions of %s"),
                                         rtext_get(&vd->title, r->lang)),
                         xstrdup(status_word(r->verdict_st[v]))};
        t_row(e, cells);
        t_end(e);
    }
}

/* Rows of the figures of group g (-1: those without a group) for v (NULL:
 * the commune), limited to forms with villages when v is set. */
static void figure_rows(emitter *e, int g, const rvillage *v)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    for (size_t i = 0; i < d->nfigs; i++) {
        const rdef_figure *fg = &d->figs[i];
        if (fg->hidden || fg->group != g)
            continue;
        if (v && !d->forms[fg->form].village.text)
            continue;
        const rvalue *val = v ? &v->val[i] : &r->val[i];
        char *cells[] = {xstrdup(fg->id), xstrdup(rtext_get(&fg->title, r->lang)),
                         value_str(r, i, val), note_str(r, i, v)};
        t_row(e, cells);
    }
}

static void sec_figures(emitter *e, const rvillage *v)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    const char *head[] = {_("Indicator"), _("Title"), _("Value"), _("Note")};
    for (int g = 0; g <= (int)d->ngroups; g++) {
        int gi = g == (int)d->ngroups ? -1 : g;
        int any = 0;
        for (size_t i = 0; i < d->nfigs; i++)
            any |= !d->figs[i].hidden && d->figs[i].group == gi &&
                   (!v || d->forms[d->figs[i].form].village.text);
        if (!any)
            continue;
        e_heading(e, 3, gi >= 0 ? rtext_get(&d->groups[gi].title, r->lang)
                                : _("Other figures"));
        t_begin(e, 0, 4, head);
        figure_rows(e, gi, v);
        t_end(e);
    }
}

static void sec_villages(emitter *e)
{
    const report_result *r = e->r;
    if (!r->by_village)
        return;
    for (size_t i = 0; i < r->nvillages; i++) {
        const rvillage *v = &r->villages[i];
        char *h = xasprintf(_("Village %s%s%s%s"), v->code, v->name ? " (" : "",
                            v->name ? v->name : "", v->name ? ")" : "");
        e_heading(e, 2, h);
        free(h);
        sec_figures(e, v);
    }
}

static void sec_needs(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    if (!d->nneeds)
        return;
    e_heading(e, 2, _("Needs, ranked"));
    const char *head[] = {_("Rank"), _("Content"), _("Need"), _("Priority")};
    t_begin(e, 0, 4, head);
    for (size_t k = 0; k < d->nneeds; k++) {
        size_t i = r->need_order[k];
        const rneed_res *n = &r->needs[i];
        char *cells[] = {xasprintf("%zu", k + 1),
                         xasprintf("%s %s", d->needs[i].id,
                                   rtext_get(&d->needs[i].title, r->lang)),
                         xstrdup(n->need == 1 ? _("needed") : n->need == 0
                                 ? _("not needed") : _("not enough data")),
                         n->priority == n->priority
                             ? xasprintf(_("priority %.0f"), n->priority) : NULL};
        t_row(e, cells);
    }
    t_end(e);
}

static void sec_coverage(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    e_heading(e, 2, _("Coverage and quality"));
    const char *fh[] = {_("Form"), _("Complete"), _("Drafts"), _("Excluded"),
                        _("Same key")};
    t_begin(e, 1, 5, fh);
    for (size_t i = 0; i < d->nforms; i++) {
        const rformstat *s = &r->forms[i];
        char *cells[] = {xstrdup(d->forms[i].id), xasprintf("%ld", s->complete),
                         xasprintf("%ld", s->drafts), xasprintf("%ld", s->excluded),
                         xasprintf("%ld", s->duplicates)};
        t_row(e, cells);
    }
    t_end(e);
    if (r->nvillages) {
        e_heading(e, 3, _("By village"));
        const char *vh[] = {_("Village"), _("Planned"), _("Complete"),
                            _("Drafts"), _("Excluded"), _("Done")};
        t_begin(e, 1, 6, vh);
        for (size_t i = 0; i < r->nvillages; i++) {
            const rvillage *v = &r->villages[i];
            char *cells[] = {xasprintf("%s%s%s", v->code, v->name ? " " : "",
                                       v->name ? v->name : ""),
                             v->planned >= 0 ? xasprintf("%ld", v->planned) : NULL,
                             xasprintf("%ld", v->complete),
                             xasprintf("%ld", v->drafts),
                             xasprintf("%ld", v->excluded),
                             v->planned > 0 ? xasprintf("%.0f%%", 100.0 *
                                 (double)(v->complete + v->excluded) /
                                 (double)v->planned) : NULL};
            t_row(e, cells);
        }
        t_end(e);
    }
    if (r->nenums) {
        e_heading(e, 3, _("By enumerator"));
        const char *eh[] = {_("Enumerator"), _("Form"), _("Complete"), _("Drafts")};
        t_begin(e, 1, 4, eh);
        for (size_t i = 0; i < r->nenums; i++) {
            const renum *n = &r->enums[i];
            char *cells[] = {xstrdup(*n->name ? n->name : "?"), xstrdup(n->form),
                             xasprintf("%ld", n->complete),
                             xasprintf("%ld", n->drafts)};
            t_row(e, cells);
        }
        t_end(e);
    }
    char *c = r->conflicts >= 0 ? xasprintf(_("Open conflicts: %ld"), r->conflicts)
                                : xstrdup(_("Open conflicts: no merge record"));
    e_para(e, c);
    free(c);
    c = r->dup_table >= 0 ? xasprintf(_("Duplicates found by merging: %ld"),
                                      r->dup_table)
                          : xstrdup(_("Duplicates found by merging: no merge record"));
    e_para(e, c);
    free(c);
}

static void sec_warnings(emitter *e)
{
    const report_result *r = e->r;
    if (!r->warn.n)
        return;
    e_heading(e, 2, _("Warnings"));
    for (size_t i = 0; i < r->warn.n; i++) {
        char *w = xasprintf("⚠ %s", r->warn.v[i]);
        e_para(e, w);
        free(w);
    }
}

/* ------------------------------------------------------------ CSV */

/* One CSV row of figure i for village v (NULL: the commune). */
static void csv_figure(sbuf *b, const report_result *r, size_t i,
                       const rvillage *v)
{
    const rdef_figure *fg = &r->def->figs[i];
    const rvalue *val = v ? &v->val[i] : &r->val[i];
    static const char *const kinds[] = {"rate", "count", "yesno"};
    char *num = val->known ? num_str(val->num) : xstrdup("");
    char *den = val->known && fg->kind == RK_RATE ? num_str(val->den) : xstrdup("");
    char *value = !val->known ? xstrdup("")
        : fg->kind == RK_RATE ? xasprintf("%.1f", val->value)
        : fg->kind == RK_YESNO ? xstrdup(val->value != 0 ? "1" : "0")
        : num_str(val->value);
    char *w = v ? NULL : warn_str(&r->fwarn[i]);
    const char *f[] = {"figure", r->commune_code ? r->commune_code : "",
                       v ? v->code : "", fg->id, rtext_get(&fg->title, r->lang),
                       kinds[fg->kind], num, den, value, unit_of(r, i), "",
                       val->known ? "ok" : "no_data", w ? w : ""};
    for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
        if (k)
            sbuf_addc(b, ',');
        csv_field(b, f[k]);
    }
    sbuf_add(b, "\r\n");
    free(num);
    free(den);
    free(value);
    free(w);
}

/* A CSV row for a condition or verdict. */
static void csv_status(sbuf *b, const report_result *r, const char *section,
                       const char *id, const rtext *title, const char *threshold,
                       report_status st)
{
    static const char *const code[] = {"no_data", "met", "not_met", "exempt"};
    const char *f[] = {section, r->commune_code ? r->commune_code : "", "", id,
                       rtext_get(title, r->lang), "", "", "", "", "",
                       threshold, code[st], ""};
    for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
        if (k)
            sbuf_addc(b, ',');
        csv_field(b, f[k]);
    }
    sbuf_add(b, "\r\n");
}

static void render_csv(sbuf *b, const report_result *r)
{
    const report_def *d = r->def;
    sbuf_add(b, "section,commune,village,id,title,kind,numerator,denominator,"
                "value,unit,threshold,status,warning\r\n");
    for (size_t c = 0; c < d->nconds; c++) {
        sbuf th;
        sbuf_init(&th);
        for (size_t k = 0; k < d->conds[c].ntests; k++) {
            double t = r->tests[c][k].threshold;
            if (t == t) {
                char *s = num_str(t);
                sbuf_addf(&th, "%s%s", th.len ? ";" : "", s);
                free(s);
            }
        }
        csv_status(b, r, "condition", d->conds[c].id, &d->conds[c].title,
                   th.s ? th.s : "", r->cond_st[c]);
        sbuf_free(&th);
    }
    for (size_t v = 0; v < d->nverdicts; v++)
        csv_status(b, r, "verdict", d->verdicts[v].id, &d->verdicts[v].title, "",
                   r->verdict_st[v]);
    for (size_t i = 0; i < d->nfigs; i++)
        csv_figure(b, r, i, NULL);
    for (size_t v = 0; r->by_village && v < r->nvillages; v++)
        for (size_t i = 0; i < d->nfigs; i++)
            if (d->forms[d->figs[i].form].village.text)
                csv_figure(b, r, i, &r->villages[v]);
}

/* ------------------------------------------------------------ entry points */

static const char html_head[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<style>\n"
    "body{font-family:\"Times New Roman\",serif;max-width:60em;margin:1em auto;"
    "padding:0 1em;color:#000;line-height:1.35}\n"
    "h1{font-size:1.5em;text-align:center}h2{font-size:1.25em;"
    "border-bottom:1px solid #444;margin-top:1.6em}h3{font-size:1.05em}\n"
    "table{border-collapse:collapse;width:100%;margin:.5em 0 1em}\n"
    "th,td{border:1px solid #888;padding:.25em .45em;vertical-align:top;"
    "text-align:left}\nth{background:#eee}\n"
    "table.num td+td{text-align:right}\n"
    ".met{color:#064;font-weight:bold}.notmet{color:#a00;font-weight:bold}"
    ".nodata{color:#a60;font-style:italic}\n"
    "@media print{body{max-width:none;margin:0;font-size:11pt}"
    "h2{page-break-after:avoid}tr,td,th{page-break-inside:avoid}"
    "th{background:none}a{color:#000}@page{size:A4;margin:2cm 1.5cm}}\n"
    "</style>\n";

int report_format_parse(const char *name, report_format *out)
{
    static const char *const names[] = {"text", "markdown", "csv", "html"};
    for (int i = 0; i < 4; i++)
        if (name && !strcmp(name, names[i])) {
            *out = (report_format)i;
            return 0;
        }
    if (name && !strcmp(name, "md")) {
        *out = REPORT_MARKDOWN;
        return 0;
    }
    return -1;
}

char *report_render(const report_result *r, report_format fmt)
{
    sbuf b;
    sbuf_init(&b);
    if (fmt == REPORT_CSV) {
        render_csv(&b, r);
        return sbuf_detach(&b);
    }
    emitter e;
    memset(&e, 0, sizeof e);
    e.fmt = fmt;
    e.b = &b;
    e.r = r;
    if (fmt == REPORT_HTML) {
        sbuf_addf(&b, "%s<title>", html_head);
        html_esc(&b, rtext_get(&r->def->title, r->lang));
        sbuf_addf(&b, "</title></head>\n<body lang=\"%s\">\n", r->lang);
    }
    sec_header(&e);
    sec_conditions(&e);
    e_heading(&e, 2, _("Indicators"));
    sec_figures(&e, NULL);
    sec_villages(&e);
    sec_needs(&e);
    sec_coverage(&e);
    sec_warnings(&e);
    if (fmt == REPORT_HTML)
        sbuf_add(&b, "</body></html>\n");
    return sbuf_detach(&b);
}
