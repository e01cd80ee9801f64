/* report_annex.c: what makes the HTML report the annex a commune attaches
 * to its proposal: the national heading and the issuing body, the survey
 * period, the sample, the review status of the data, inline SVG charts
 * (no script, nothing fetched), the key products, the village table, and
 * the signature block. Every text from the data is escaped. */
#include "config.h"
#include "report/report_emit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/ui_text.h"

/* Width of a chart and of its label column, in SVG units (px); a row's
 * height for one line of label, and the height of each further line. */
#define SVG_W 640
#define SVG_LABEL 230
#define SVG_ROW 22
#define SVG_LINE 14
/* Characters of a label line: 12px text is at most about 7px a character
 * (Vietnamese letters with their marks included), and the line ends 6px
 * before the bars. */
#define SVG_LABEL_COLS 30
/* Lines of a label at most; a longer one ends with "…" (the tables above
 * the charts give every label whole). */
#define SVG_LABEL_LINES 4

/* One bar: a label, a value, an optional threshold (NaN: none), and
 * whether it meets it (-1: no threshold, 0 no, 1 yes). */
typedef struct sbar {
    char *label;
    double value, threshold;
    int ok;
} sbar;

/* Bytes of the longest start of s (n bytes) at most cols wide, ending on
 * a character boundary (at least one character). */
static size_t svg_fit(const char *s, size_t n, size_t cols)
{
    size_t k = 0;
    while (k < n) {
        size_t e = k + 1;
        while (e < n && ((unsigned char)s[e] & 0xC0) == 0x80)
            e++;
        /* Combining marks (U+0300..U+036F) stay with their letter. */
        while (e + 1 < n && ((unsigned char)s[e] == 0xCC ||
               ((unsigned char)s[e] == 0xCD && (unsigned char)s[e + 1] <= 0xAF)))
            e += 2;
        if (k && ui_text_cols(s, e) > cols)
            break;
        k = e;
    }
    return k;
}

/* label cut into lines of at most SVG_LABEL_COLS columns at spaces (a
 * longer word is cut), at most SVG_LABEL_LINES; *n lines, each newly
 * allocated. */
static char **svg_lines(const char *label, size_t *n)
{
    char **v = xcalloc(SVG_LABEL_LINES, sizeof *v);
    *n = 0;
    const char *p = label;
    while (*p == ' ')
        p++;
    while (*p && *n < SVG_LABEL_LINES) {
        size_t len = strlen(p);
        size_t take = len;
        if (ui_text_cols(p, len) > SVG_LABEL_COLS) {
            take = svg_fit(p, len, SVG_LABEL_COLS);
            /* Back to the last space inside, if any. */
            size_t sp = take;
            while (sp > 0 && p[sp] != ' ')
                sp--;
            if (sp > 0)
                take = sp;
        }
        const char *rest = p + take;
        while (*rest == ' ')
            rest++;
        if (*rest && *n + 1 == SVG_LABEL_LINES) {
            /* Last line: as much as fits with the ellipsis. */
            size_t t = svg_fit(p, len, SVG_LABEL_COLS - 1);
            v[(*n)++] = xasprintf("%.*s…", (int)t, p);
            break;
        }
        size_t e = take;
        while (e > 0 && p[e - 1] == ' ')
            e--;
        v[(*n)++] = xstrndup(p, e);
        p = rest;
    }
    if (!*n)
        v[(*n)++] = xstrdup("");
    return v;
}

/* The label of a row whose first baseline is at y, right-aligned at the
 * label column's edge, one tspan a line; the whole label as its title. */
static void svg_label(sbuf *b, char **lines, size_t n, const char *label,
                      int y)
{
    sbuf_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
              "font-size=\"12\"><title>", SVG_LABEL - 6, y);
    rfmt_html_esc(b, label);
    sbuf_add(b, "</title>");
    for (size_t k = 0; k < n; k++) {
        sbuf_addf(b, "<tspan x=\"%d\" dy=\"%d\">", SVG_LABEL - 6,
                  k ? SVG_LINE : 0);
        rfmt_html_esc(b, lines[k]);
        sbuf_add(b, "</tspan>");
    }
    sbuf_add(b, "</text>");
}

/* A horizontal bar chart of n bars scaled to max, values written with
 * suffix; thresholds are marked with a line. Labels wrap inside their
 * column, so nothing is cut at the chart's left edge. */
static void svg_bars(sbuf *b, const char *title, const sbar *bars, size_t n,
                     double max, const char *lang, int percent)
{
    if (!n || !(max > 0))
        return;
    char ***lines = xcalloc(n, sizeof *lines);
    size_t *nl = xcalloc(n, sizeof *nl);
    int h = 8;
    for (size_t i = 0; i < n; i++) {
        lines[i] = svg_lines(bars[i].label, &nl[i]);
        h += SVG_ROW + (int)(nl[i] - 1) * SVG_LINE;
    }
    sbuf_addf(b, "<figure class=\"chart\"><svg width=\"%d\" height=\"%d\""
              " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", SVG_W, h,
              SVG_W, h);
    rfmt_html_esc(b, title);
    sbuf_add(b, "\">\n");
    double span = SVG_W - SVG_LABEL - 70;
    int y = 4;
    for (size_t i = 0; i < n; i++) {
        int rh = SVG_ROW + (int)(nl[i] - 1) * SVG_LINE;
        double v = bars[i].value == bars[i].value ? bars[i].value : 0;
        double w = span * (v > max ? 1 : v / max);
        const char *fill = bars[i].ok == 1 ? "#2a7" : bars[i].ok == 0 ? "#c44"
                                                                     : "#68a";
        svg_label(b, lines[i], nl[i], bars[i].label, y + 14);
        sbuf_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\""
                  " fill=\"%s\"/>", SVG_LABEL, y + 2, w, fill);
        char *vs = bars[i].value != bars[i].value ? xstrdup("—")
            : percent ? rfmt_pct(lang, bars[i].value) : rfmt_dec(lang, bars[i].value);
        sbuf_addf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">", SVG_LABEL + w + 4,
                  y + 14);
        rfmt_html_esc(b, vs);
        sbuf_add(b, "</text>");
        free(vs);
        if (bars[i].threshold == bars[i].threshold) {
            double tx = SVG_LABEL + span * (bars[i].threshold > max ? 1
                                            : bars[i].threshold / max);
            sbuf_addf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
                      " stroke=\"#000\" stroke-width=\"2\"/>", tx, y, tx, y + 20);
        }
        sbuf_addc(b, '\n');
        y += rh;
        for (size_t k = 0; k < nl[i]; k++)
            free(lines[i][k]);
        free(lines[i]);
    }
    free(lines);
    free(nl);
    sbuf_add(b, "</svg><figcaption>");
    rfmt_html_esc(b, title);
    sbuf_add(b, "</figcaption></figure>\n");
}

static void bars_free(sbar *bars, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(bars[i].label);
    free(bars);
}

/* An ISO time's date as dd/mm/yyyy (newly allocated), "" when none. */
static char *vn_date(const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3)
        return xstrdup("");
    return xasprintf("%02d/%02d/%04d", d, m, y);
}

void rannex_top(emitter *e)
{
    const report_result *r = e->r;
    sbuf *b = e->b;
    const char *name = rfmt_commune_bare(r);
    sbuf_add(b, "<table class=\"qh\"><tr><td>ỦY BAN NHÂN DÂN<br><b>XÃ ");
    rfmt_html_esc(b, name);
    sbuf_add(b, "</b></td><td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>"
                "<b><u>Độc lập - Tự do - Hạnh phúc</u></b></td></tr>\n<tr><td>"
                "</td><td class=\"place\"><i>");
    rfmt_html_esc(b, r->province && *r->province ? r->province : "……");
    sbuf_add(b, ", ngày …… tháng …… năm ……</i></td></tr></table>\n");
    char *from = vn_date(r->first), *to = vn_date(r->last);
    char *p = xasprintf(_("Commune: %s (code %s), province: %s. Survey period: "
                          "%s to %s."), name, r->commune_code ? r->commune_code : "",
                        r->province ? r->province : "", from, to);
    rfmt_para(e, p);
    free(p);
    free(from);
    free(to);
}

/* The first form with villages (the households) and the officials'
 * figure with a declared total, if any. */
static int annex_unit_form(const report_def *d)
{
    for (size_t i = 0; i < d->nforms; i++)
        if (!d->forms[i].context && d->forms[i].village.text)
            return (int)i;
    return -1;
}

void rannex_sample(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    rfmt_heading(e, 2, _("Sample"));
    int hf = annex_unit_form(d);
    if (hf >= 0 && r->nvillages) {
        const char *head[] = {_("Village"), _("Planned"), _("Interviewed"),
                              _("Not interviewed"), _("Drafts")};
        rfmt_tbegin(e, 1, 5, head);
        long tp = 0, tc = 0, tx = 0, td = 0;
        for (size_t i = 0; i < r->nvillages; i++) {
            const rvillage *v = &r->villages[i];
            char *cells[] = {rfmt_village(v),
                             v->planned >= 0 ? xasprintf("%ld", v->planned) : NULL,
                             xasprintf("%ld", v->complete),
                             xasprintf("%ld", v->excluded),
                             xasprintf("%ld", v->drafts)};
            tp += v->planned > 0 ? v->planned : 0;
            tc += v->complete;
            tx += v->excluded;
            td += v->drafts;
            rfmt_trow(e, cells);
        }
        char *cells[] = {xstrdup(_("Total")), xasprintf("%ld", tp),
                         xasprintf("%ld", tc), xasprintf("%ld", tx),
                         xasprintf("%ld", td)};
        rfmt_trow(e, cells);
        rfmt_tend(e);
    }
    for (size_t i = 0; i < d->nfigs; i++) {
        const rvalue *v = &r->val[i];
        if (!d->figs[i].expected.text)
            continue;
        char *p = v->expected == v->expected
            ? xasprintf(_("%s: %ld of %.0f declared %s interviewed."),
                        rtext_get(&d->figs[i].title, r->lang), v->units,
                        v->expected, rfmt_unit(r, i))
            : xasprintf(_("%s: %ld %s interviewed; the declared total is not "
                          "known."), rtext_get(&d->figs[i].title, r->lang),
                        v->units, rfmt_unit(r, i));
        rfmt_para(e, p);
        free(p);
    }
    for (size_t i = 0; i < d->nforms; i++) {
        if (d->forms[i].context || (int)i == hf)
            continue;
        char *p = xasprintf(_("%s: %ld complete interviews."),
                            rform_title(d, i, r->lang), r->forms[i].complete);
        rfmt_para(e, p);
        free(p);
    }
    char *p = r->reviewable >= 0
        ? xasprintf(_("Review of the data used: %ld interviews, %ld approved, "
                      "%ld returned, %ld not yet reviewed."), r->reviewable,
                    r->reviewed, r->returned,
                    r->reviewable - r->reviewed - r->returned)
        : xstrdup(_("Review of the data used: not known."));
    rfmt_para(e, p);
    free(p);
}

void rannex_condition_chart(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    sbar *bars = xcalloc(d->nconds * 4 + 1, sizeof *bars);
    size_t n = 0;
    for (size_t c = 0; c < d->nconds; c++)
        for (size_t k = 0; k < d->conds[c].ntests; k++) {
            const rdef_test *t = &d->conds[c].tests[k];
            const rtest_res *tr = &r->tests[c][k];
            if (d->figs[t->figure].kind != RK_RATE || !tr->has_threshold)
                continue;
            bars[n].label = xasprintf("%s %s", d->conds[c].id,
                                      rtext_get(&d->conds[c].title, r->lang));
            bars[n].value = r->val[t->figure].known ? r->val[t->figure].value : NAN;
            bars[n].threshold = tr->threshold;
            bars[n].ok = tr->st == REPORT_MET ? 1 : tr->st == REPORT_NOT_MET ? 0 : -1;
            n++;
        }
    svg_bars(e->b, _("Each condition's figure against its threshold (line)"),
             bars, n, 100, r->lang, 1);
    bars_free(bars, n);
}

void rannex_villages(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    /* The rates the conditions test per household, by village: the
     * figures of the first rate test of each condition over a form with
     * villages (C2's connections, C5's smartphones). */
    int figs[8], nf = 0;
    for (size_t c = 0; c < d->nconds && nf < 8; c++) {
        int f = d->conds[c].ntests ? d->conds[c].tests[0].figure : -1;
        int dup = 0;
        for (int k = 0; k < nf; k++)
            dup |= figs[k] == f;
        if (f >= 0 && !dup && d->figs[f].kind == RK_RATE &&
            d->forms[d->figs[f].form].village.text)
            figs[nf++] = f;
    }
    if (!r->nvillages || !nf)
        return;
    rfmt_heading(e, 2, _("By village"));
    size_t ncols = 3 + (size_t)nf;
    const char **head = xcalloc(ncols, sizeof *head);
    head[0] = _("Village");
    head[1] = _("Interviewed");
    head[2] = _("Done");
    for (int k = 0; k < nf; k++)
        head[3 + k] = d->figs[figs[k]].id;
    rfmt_tbegin(e, 1, ncols, head);
    free(head);
    for (size_t i = 0; i < r->nvillages; i++) {
        const rvillage *v = &r->villages[i];
        char **cells = xcalloc(ncols, sizeof *cells);
        cells[0] = rfmt_village(v);
        cells[1] = xasprintf("%ld", v->complete);
        cells[2] = v->planned > 0 ? rfmt_pct(r->lang, 100.0 * (double)(v->complete
                   + v->excluded) / (double)v->planned) : NULL;
        for (int k = 0; k < nf; k++)
            cells[3 + k] = v->val[figs[k]].known
                ? rfmt_pct(r->lang, v->val[figs[k]].value) : xstrdup("—");
        rfmt_trow(e, cells);
        free(cells);
    }
    rfmt_tend(e);
    for (int k = 0; k < nf; k++) {
        sbar *bars = xcalloc(r->nvillages + 1, sizeof *bars);
        for (size_t i = 0; i < r->nvillages; i++) {
            const rvillage *v = &r->villages[i];
            bars[i].label = rfmt_village(v);
            bars[i].value = v->val[figs[k]].known ? v->val[figs[k]].value : NAN;
            bars[i].threshold = NAN;
            bars[i].ok = -1;
        }
        char *t = xasprintf("%s: %s", d->figs[figs[k]].id,
                            rtext_get(&d->figs[figs[k]].title, r->lang));
        svg_bars(e->b, t, bars, r->nvillages, 100, r->lang, 1);
        free(t);
        bars_free(bars, r->nvillages);
    }
}

void rannex_lists(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    for (size_t i = 0; i < d->nlists; i++) {
        const rdef_list *l = &d->lists[i];
        rfmt_heading(e, 2, rtext_get(&l->title, r->lang));
        if (!r->lists[i].nrows) {
            rfmt_para(e, _("None listed."));
            continue;
        }
        const char **head = xcalloc(l->ncols + 1, sizeof *head);
        for (size_t k = 0; k < l->ncols; k++)
            head[k] = rtext_get(&l->col_title[k], r->lang);
        rfmt_tbegin(e, 0, l->ncols, head);
        free(head);
        for (size_t j = 0; j < r->lists[i].nrows; j++) {
            char **cells = xcalloc(l->ncols + 1, sizeof *cells);
            for (size_t k = 0; k < l->ncols; k++)
                cells[k] = xstrdup(r->lists[i].cells[j * l->ncols + k]);
            rfmt_trow(e, cells);
            free(cells);
        }
        rfmt_tend(e);
    }
}

void rannex_tallies(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    if (d->ntallies)
        rfmt_heading(e, 2, _("Needs voiced in the interviews"));
    for (size_t i = 0; i < d->ntallies; i++) {
        const rtally_res *t = &r->tallies[i];
        const char *title = rtext_get(&d->tallies[i].title, r->lang);
        rfmt_heading(e, 3, title);
        if (!t->cnt) {
            rfmt_para(e, _("No answers."));
            continue;
        }
        const char *head[] = {_("Rank"), _("Answer"), _("Count")};
        rfmt_tbegin(e, 0, 3, head);
        for (size_t k = 0; k < t->cnt; k++) {
            char *cells[] = {xasprintf("%zu", k + 1),
                             xstrdup(t->label ? t->label[k] : t->code[k]),
                             xasprintf(_("%ld of %ld"), t->n[k], t->units)};
            rfmt_trow(e, cells);
        }
        rfmt_tend(e);
        if (e->fmt != REPORT_HTML || t->cnt < 2)
            continue;
        sbar *bars = xcalloc(t->cnt + 1, sizeof *bars);
        double max = 0;
        for (size_t k = 0; k < t->cnt; k++) {
            bars[k].label = xstrdup(t->label ? t->label[k] : t->code[k]);
            bars[k].value = (double)t->n[k];
            bars[k].threshold = NAN;
            bars[k].ok = -1;
            max = bars[k].value > max ? bars[k].value : max;
        }
        svg_bars(e->b, title, bars, t->cnt, max, r->lang, 0);
        bars_free(bars, t->cnt);
    }
}

void rannex_csv_tallies(sbuf *b, const report_result *r)
{
    const report_def *d = r->def;
    for (size_t i = 0; i < d->ntallies; i++) {
        const rtally_res *t = &r->tallies[i];
        for (size_t k = 0; k < t->cnt; k++) {
            sbuf_add(b, "answer,");
            rfmt_csv_field(b, r->commune_code ? r->commune_code : "");
            sbuf_addc(b, ',');
            sbuf_addc(b, ',');
            rfmt_csv_field(b, d->tallies[i].id);
            sbuf_addc(b, ',');
            rfmt_csv_field(b, t->label ? t->label[k] : t->code[k]);
            sbuf_addf(b, ",count,%ld,%ld,%ld,,,,\r\n", t->n[k], t->units,
                      t->n[k]);
        }
    }
}

void rannex_signature(emitter *e)
{
    sbuf_add(e->b, "<table class=\"sign\"><tr><td><b>NGƯỜI LẬP BIỂU</b><br>"
                   "<i>(Ký, ghi rõ họ tên)</i></td><td><b>TM. ỦY BAN NHÂN DÂN"
                   "<br>CHỦ TỊCH</b><br><i>(Ký tên, đóng dấu)</i></td></tr>"
                   "</table>\n");
}
