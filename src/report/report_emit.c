/* report_emit.c: how the report's formats lay out headings, paragraphs
 * and tables (text at 80 columns, markdown, CSV cells, HTML), and the
 * wording of values, statuses and condition tests, shared by a commune's
 * report and the comparison of communes. */
#include "config.h"
#include "report/report_emit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/ui_text.h"
#include "report/csv.h"

#define TEXT_WIDTH 80


/* ------------------------------------------------------------ text helpers */

/* Append s wrapped at TEXT_WIDTH; the cursor is at column col, and
 * continuation lines start at column indent. Ends with a newline. */
void rfmt_wrap(sbuf *b, const char *s, size_t col, size_t indent)
{
    const char *p = s;
    int first = 1;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != '\n')
            e++;
        size_t w = ui_text_cols(p, (size_t)(e - p));
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
void rfmt_html_esc(sbuf *b, const char *s)
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

/* Append s as markdown text that shows as written: HTML is spelled out
 * as entities (a village name cannot add a script or a link), markdown's
 * own marks are backslashed, and in a table cell a newline is a <br>. */
static void md_text(sbuf *b, const char *s, int cell)
{
    int bol = 1;
    for (; *s; s++) {
        char c = *s;
        if (c == '<')
            sbuf_add(b, "&lt;");
        else if (c == '>')
            sbuf_add(b, "&gt;");
        else if (c == '&')
            sbuf_add(b, "&amp;");
        else if (c == '\n' && cell)
            sbuf_add(b, "<br>");
        else if (strchr("\\`*_[]|~#!", c) || (bol && strchr("+-=", c))) {
            sbuf_addc(b, '\\');
            sbuf_addc(b, c);
        } else
            sbuf_addc(b, c);
        bol = c == '\n';
    }
}

/* Append s as a markdown table cell. */
void rfmt_md_esc(sbuf *b, const char *s)
{
    md_text(b, s, 1);
}

/* Append s as one CSV field, a formula-like text neutralised (titles
 * and codes come from the definition and the data). */
void rfmt_csv_field(sbuf *b, const char *s)
{
    csv_add_field(b, s, 1);
}

/* ------------------------------------------------------------ the emitter */

void rfmt_heading(emitter *e, int level, const char *text)
{
    sbuf *b = e->b;
    switch (e->fmt) {
    case REPORT_TEXT: {
        sbuf_addc(b, '\n');
        rfmt_wrap(b, text, 0, 0);
        size_t w = ui_text_cols(text, strlen(text));
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
        sbuf_addc(b, ' ');
        md_text(b, text, 0);
        sbuf_add(b, "\n\n");
        break;
    case REPORT_HTML:
        sbuf_addf(b, "<h%d>", level);
        rfmt_html_esc(b, text);
        sbuf_addf(b, "</h%d>\n", level);
        break;
    case REPORT_CSV:
    case REPORT_PROPOSAL:
        break;
    }
}

void rfmt_para(emitter *e, const char *text)
{
    switch (e->fmt) {
    case REPORT_TEXT:
        rfmt_wrap(e->b, text, 0, 0);
        break;
    case REPORT_MARKDOWN:
        md_text(e->b, text, 0);
        sbuf_add(e->b, "\n\n");
        break;
    case REPORT_HTML:
        sbuf_add(e->b, "<p>");
        rfmt_html_esc(e->b, text);
        sbuf_add(e->b, "</p>\n");
        break;
    case REPORT_CSV:
    case REPORT_PROPOSAL:
        break;
    }
}

/* Start a table with the given header (ncols cells). */
void rfmt_tbegin(emitter *e, int numeric, size_t ncols, const char *const *head)
{
    e->t.ncols = ncols;
    e->t.numeric = numeric;
    e->t.nrows = 1;
    e->t.cells = xcalloc(ncols, sizeof *e->t.cells);
    for (size_t i = 0; i < ncols; i++)
        e->t.cells[i] = xstrdup(head[i]);
}

/* Add a row; the cells are taken over (NULL is an empty cell). */
void rfmt_trow(emitter *e, char **cells)
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
            size_t cw = ui_text_cols(s, strlen(s));
            w[c] = cw > w[c] ? cw : w[c];
        }
    for (size_t c = 0; c < t->ncols; c++)
        total += w[c] + (c ? 2 : 0);
    if (total > TEXT_WIDTH && w[0] > total - TEXT_WIDTH + 4)
        w[0] -= total - TEXT_WIDTH;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t cw = ui_text_cols(s, strlen(s));
            if (c == 0) {
                /* Copy whole characters while they fit. */
                size_t used = 0, i = 0, n = strlen(s);
                while (i < n) {
                    size_t j = i + 1;
                    while (j < n && (((unsigned char)s[j] & 0xC0) == 0x80))
                        j++;
                    size_t cwj = ui_text_cols(s + i, j - i);
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
        size_t cw = ui_text_cols(s, strlen(s));
        idw = cw > idw ? cw : idw;
    }
    idw = idw > 8 ? 8 : idw;
    for (size_t r = 1; r < t->nrows; r++) {
        const char *id = t->cells[r * t->ncols];
        sbuf_add(e->b, id);
        size_t col = ui_text_cols(id, strlen(id));
        for (; col < idw + 2; col++)
            sbuf_addc(e->b, ' ');
        rfmt_wrap(e->b, t->ncols > 1 ? t->cells[r * t->ncols + 1] : "", col, idw + 2);
        for (size_t c = 2; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            if (!*s)
                continue;
            for (size_t k = 0; k < idw + 4; k++)
                sbuf_addc(e->b, ' ');
            rfmt_wrap(e->b, s, idw + 4, idw + 6);
        }
    }
}

/* Non-zero when cell s is word, alone or before a new line. */
static int starts_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    return !strncmp(s, word, n) && (s[n] == '\0' || s[n] == '\n');
}

/* The class of a cell that gives a status, else "". */
static const char *html_class(const char *s)
{
    return starts_word(s, _("met")) ? " class=\"met\""
         : starts_word(s, _("not met")) ? " class=\"notmet\""
         : starts_word(s, _("exempt")) ? " class=\"exempt\""
         : starts_word(s, _("not enough data")) ? " class=\"nodata\"" : "";
}

/* Write the collected table and free it. */
void rfmt_tend(emitter *e)
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
                rfmt_md_esc(b, t->cells[r * t->ncols + c]);
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
                const char *cls = html_class(s);
                sbuf_addf(b, r ? "<td%s>" : "<th%s>", r ? cls : "");
                rfmt_html_esc(b, s);
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
char *rfmt_num(double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        return xasprintf("%.0f", v);
    return xasprintf("%.1f", v);
}

const char *rfmt_status(report_status s)
{
    return s == REPORT_MET ? _("met") : s == REPORT_NOT_MET ? _("not met")
         : s == REPORT_EXEMPT ? _("exempt") : _("not enough data");
}

/* The unit word of figure i. */
const char *rfmt_unit(const report_result *r, size_t i)
{
    const rdef_figure *fg = &r->def->figs[i];
    if (fg->unit.n)
        return rtext_get(&fg->unit, r->lang);
    return rtext_get(&r->def->forms[fg->form].unit, r->lang);
}

/* Non-zero when numbers are written the Vietnamese way (lang vi). */
static int vi_numbers(const char *lang)
{
    return lang && !strcmp(lang, "vi");
}

char *rfmt_dec(const char *lang, double v)
{
    char *s = rfmt_num(v);
    if (vi_numbers(lang)) {
        char *dot = strchr(s, '.');
        if (dot)
            *dot = ',';
    }
    return s;
}

char *rfmt_thr(const char *lang, double v)
{
    char *n = rfmt_dec(lang, v);
    char *out = xasprintf(vi_numbers(lang) ? "%s\u00a0%%" : "%s%%", n);
    free(n);
    return out;
}

/* v with decimals digits, the Vietnamese way for lang vi, as a percentage
 * when pct. */
static char *rfmt_fixed(const char *lang, double v, int decimals, int pct)
{
    char *s = xasprintf("%.*f", decimals, v);
    if (vi_numbers(lang)) {
        char *dot = strchr(s, '.');
        if (dot)
            *dot = ',';
    }
    if (!pct)
        return s;
    char *out = xasprintf(vi_numbers(lang) ? "%s\u00a0%%" : "%s%%", s);
    free(s);
    return out;
}

char *rfmt_beside(const char *lang, double v, double thr, int at_most,
                  int pct)
{
    int whole = v == floor(v) && fabs(v) < 1e15;
    if (thr != thr || (whole && !pct))
        return pct ? rfmt_pct(lang, v) : rfmt_dec(lang, v);
    int met = at_most ? v <= thr : v >= thr;
    for (int d = 1; d <= 4; d++) {
        double p = pow(10, d), s = round(v * p) / p;
        if ((at_most ? s <= thr : s >= thr) == met)
            return rfmt_fixed(lang, v, d, pct);
    }
    /* Closer than 4 decimals: round away from the threshold. */
    double p = 1e4, s = met != at_most ? ceil(v * p) / p : floor(v * p) / p;
    return rfmt_fixed(lang, s, 4, pct);
}

char *rfmt_pct(const char *lang, double v)
{
    char *s = xasprintf("%.1f", v);
    if (vi_numbers(lang)) {
        char *dot = strchr(s, '.');
        if (dot)
            *dot = ',';
        char *out = xasprintf("%s\u00a0%%", s);
        free(s);
        return out;
    }
    char *out = xasprintf("%s%%", s);
    free(s);
    return out;
}

/* Figure i's value v as a short text, beside threshold thr (NAN: none). */
static char *rfmt_value_beside(const report_result *r, size_t i,
                               const rvalue *v, double thr, int at_most)
{
    const rdef_figure *fg = &r->def->figs[i];
    if (!v->known)
        return xstrdup(_("not enough data"));
    if (fg->kind == RK_YESNO)
        return xstrdup(v->value != 0 ? _("yes") : _("no"));
    char *out;
    if (fg->kind == RK_COUNT) {
        char *n = rfmt_beside(r->lang, v->num, thr, at_most, 0);
        out = xasprintf("%s %s", n, rfmt_unit(r, i));
        free(n);
    } else {
        char *n = rfmt_dec(r->lang, v->num), *dn = rfmt_dec(r->lang, v->den);
        char *pc = rfmt_beside(r->lang, v->value, thr, at_most, 1);
        out = xasprintf("%s (%s / %s %s)", pc, n, dn, rfmt_unit(r, i));
        free(n);
        free(dn);
        free(pc);
    }
    size_t len = strlen(out);
    while (len && out[len - 1] == ' ')
        out[--len] = '\0';
    return out;
}

char *rfmt_value(const report_result *r, size_t i, const rvalue *v)
{
    return rfmt_value_beside(r, i, v, NAN, 0);
}

/* The figure's warnings joined, or NULL. */
char *rfmt_warn(const rwarn *w)
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
char *rfmt_note(const report_result *r, size_t i, const rvillage *v)
{
    const report_def *d = r->def;
    const rdef_figure *fg = &d->figs[i];
    const rvalue *val = v ? &v->val[i] : &r->val[i];
    sbuf b;
    sbuf_init(&b);
    char *w = v ? NULL : rfmt_warn(&r->fwarn[i]);
    if (w)
        sbuf_add(&b, w);
    free(w);
    if (v && val->known && val->units < d->min_units)
        sbuf_addf(&b, _("⚠ small base: %ld %s"), val->units,
                  rtext_get(&d->forms[fg->form].unit, r->lang));
    if (fg->or_fig >= 0 && !v) {
        const rvalue *ov = &r->val[fg->or_fig];
        char *vs = rfmt_value(r, (size_t)fg->or_fig, ov);
        sbuf_addf(&b, "%s%s %s (%s): %s", b.len ? "\n" : "", _("Also counted:"),
                  d->figs[fg->or_fig].id,
                  rtext_get(&d->figs[fg->or_fig].title, r->lang), vs);
        free(vs);
    }
    if (fg->alt >= 0) {
        const rvalue *av = v ? &v->val[fg->alt] : &r->val[fg->alt];
        char *vs = rfmt_value(r, (size_t)fg->alt, av);
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

void rfmt_cond_warn(sbuf *b, const report_result *r, size_t c,
                    const char *sep)
{
    const rdef_cond *cd = &r->def->conds[c];
    for (size_t k = 0; k < cd->ntests; k++) {
        size_t f = (size_t)cd->tests[k].figure, j = 0;
        while (j < k && (size_t)cd->tests[j].figure != f)
            j++;
        char *w = j == k ? rfmt_warn(&r->fwarn[f]) : NULL;
        if (w)
            sbuf_addf(b, "%s%s", sep, w);
        free(w);
    }
}

const char *rfmt_commune_bare(const report_result *r)
{
    /* Composed and decomposed (NFD) spellings. */
    static const char *const prefix[] = {"Xã ", "xã ", "XÃ ", "Xa\xcc\x83 ",
                                         "xa\xcc\x83 ", "XA\xcc\x83 "};
    const char *name = r->commune_name ? r->commune_name : "";
    for (size_t i = 0; i < sizeof prefix / sizeof *prefix; i++) {
        size_t n = strlen(prefix[i]);
        if (!strncmp(name, prefix[i], n) && name[n])
            return name + n;
    }
    return name;
}

/* The warnings, evidence and basis of condition c, after its tests. */
void rfmt_cond_more(sbuf *b, const report_result *r, size_t c)
{
    const rdef_cond *cd = &r->def->conds[c];
    rfmt_cond_warn(b, r, c, "\n");
    for (size_t k = 0; k < cd->nevidence; k++) {
        size_t f = (size_t)cd->evidence[k];
        char *vs = rfmt_value(r, f, &r->val[f]);
        sbuf_addf(b, "%s%s: %s", k ? "; " : _("\nEvidence: "),
                  rtext_get(&r->def->figs[f].title, r->lang), vs);
        free(vs);
    }
    if (cd->basis.n)
        sbuf_addf(b, "\n%s: %s", _("Basis"), rtext_get(&cd->basis, r->lang));
}

/* One test of a condition as a sentence with its figure and threshold. */
void rfmt_test(sbuf *b, const report_result *r, size_t c, size_t k)
{
    const rdef_test *t = &r->def->conds[c].tests[k];
    const rtest_res *tr = &r->tests[c][k];
    const rdef_figure *fg = &r->def->figs[t->figure];
    const rvalue *v = &r->val[t->figure];
    const char *phrase = rtext_get(&fg->phrase, r->lang);
    double thr = tr->has_threshold ? tr->threshold : NAN;
    if (v->known && fg->kind == RK_RATE && *phrase) {
        char *dn = rfmt_dec(r->lang, v->den);
        char *pc = rfmt_beside(r->lang, v->value, thr, tr->at_most, 1);
        sbuf_addf(b, _("%s of %s %s %s"), pc, dn, rfmt_unit(r, t->figure),
                  phrase);
        free(dn);
        free(pc);
    } else {
        char *vs = rfmt_value_beside(r, t->figure, v, thr, tr->at_most);
        sbuf_addf(b, "%s: %s", rtext_get(&fg->title, r->lang), vs);
        free(vs);
    }
    if (v->expected == v->expected)
        sbuf_addf(b, _(", %ld of %.0f %s interviewed"), v->units, v->expected,
                  rfmt_unit(r, t->figure));
    else if (fg->expected.text)
        sbuf_addf(b, _(", declared total unknown"));
    if (tr->has_threshold) {
        if (tr->threshold == tr->threshold) {
            char *th = fg->kind == RK_RATE ? rfmt_thr(r->lang, tr->threshold)
                                           : rfmt_dec(r->lang, tr->threshold);
            sbuf_addf(b, " (%s %s)", tr->at_most ? "≤" : "≥", th);
            free(th);
        } else {
            sbuf_addf(b, " (%s)", _("threshold unknown"));
        }
    }
}

const char rfmt_html_head[] =
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
    /* A long word from the data (a name without spaces) breaks inside
     * its cell rather than widen the table past an A4 page. */
    "th,td,p,figcaption{overflow-wrap:anywhere}\n"
    "table.num td+td{text-align:right}\n"
    ".met{color:#064;font-weight:bold}.notmet{color:#a00;font-weight:bold}"
    ".nodata{color:#a60;font-style:italic}\n"
    "body.wide{max-width:none}.exempt{color:#036;font-weight:bold}\n"
    "table.qh,table.sign{border:none;margin:0 0 1em}table.qh td,"
    "table.sign td{border:none;text-align:center;width:50%}"
    "td.place{text-align:right}table.sign{margin-top:2em}"
    "table.sign td{height:7em;vertical-align:top}\n"
    "figure.chart{margin:.5em 0 1em;page-break-inside:avoid}"
    "figure.chart svg{max-width:100%;height:auto}"
    "figcaption{font-size:.9em;font-style:italic}\n"
    "@media print{body{max-width:none;margin:0;font-size:11pt}"
    "h2{page-break-after:avoid}tr,td,th{page-break-inside:avoid}"
    "th{background:none}a{color:#000}@page{size:A4;margin:2cm 1.5cm}}\n"
    "</style>\n";

char *rfmt_end(sbuf *b, report_format fmt)
{
    if (fmt == REPORT_HTML) {
        sbuf_add(b, "</body></html>\n");
        return sbuf_detach(b);
    }
    char *safe = ui_text_safe(b->s, UI_TEXT_REPORT);
    sbuf_free(b);
    return safe;
}

void rfmt_begin(emitter *e, sbuf *b, report_format fmt, const char *title,
                const char *lang, const char *body_class)
{
    memset(e, 0, sizeof *e);
    e->fmt = fmt;
    e->b = b;
    if (fmt != REPORT_HTML)
        return;
    sbuf_addf(b, "%s<title>", rfmt_html_head);
    rfmt_html_esc(b, title);
    sbuf_add(b, "</title></head>\n<body lang=\"");
    rfmt_html_esc(b, lang);
    sbuf_add(b, "\"");
    if (body_class)
        sbuf_addf(b, " class=\"%s\"", body_class);
    sbuf_add(b, ">\n");
}

char *rfmt_village(const rvillage *v)
{
    return xasprintf("%s%s%s", v->code, v->name ? " " : "",
                     v->name ? v->name : "");
}
