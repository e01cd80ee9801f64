/* report_fmt.c: writing a computed report as text (80 columns), markdown,
 * CSV (one row per figure) or one self-contained HTML page that prints
 * well. The sections are laid out once through a small emitter; each
 * format only says how a heading, a paragraph and a table look. */
#include "config.h"
#include "report/report_emit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/i18n.h"
#include "report/csv.h"

/* ------------------------------------------------------------ sections */

static void sec_header(emitter *e)
{
    const report_result *r = e->r;
    rfmt_heading(e, 1, rtext_get(&r->def->title, r->lang));
    char *who = r->have_context
        ? xasprintf(_("Commune: %s (%s)"), r->commune_name ? r->commune_name : "",
                    r->commune_code ? r->commune_code : "")
        : xstrdup(_("Commune: no complete commune form"));
    rfmt_para(e, who);
    free(who);
    if (r->generated) {
        char *g = xasprintf(_("Generated: %s"), r->generated);
        rfmt_para(e, g);
        free(g);
    }
    rfmt_para(e, _("Only complete interviews are counted; answers to questions "
                "that did not apply are ignored."));
}

static void sec_conditions(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    if (!d->nconds)
        return;
    rfmt_heading(e, 2, _("Selection conditions"));
    for (size_t v = 0; v < d->nverdicts; v++) {
        const rdef_verdict *vd = &d->verdicts[v];
        rfmt_heading(e, 3, rtext_get(&vd->title, r->lang));
        const char *head[] = {_("Condition"), _("Figure"), _("Result")};
        rfmt_tbegin(e, 0, 3, head);
        for (size_t k = 0; k < vd->nconds; k++) {
            size_t c = (size_t)vd->conds[k];
            sbuf b;
            sbuf_init(&b);
            sbuf_addf(&b, "%s. ", rtext_get(&d->conds[c].title, r->lang));
            for (size_t t = 0; t < d->conds[c].ntests; t++) {
                if (t)
                    sbuf_add(&b, "; ");
                rfmt_test(&b, r, c, t);
            }
            rfmt_cond_more(&b, r, c);
            char *res = xstrdup(rfmt_status(r->cond_st[c]));
            char *cells[] = {xstrdup(d->conds[c].id), sbuf_detach(&b), res};
            rfmt_trow(e, cells);
        }
        char *cells[] = {xstrdup(_("Verdict")),
                         r->verdict_st[v] == REPORT_EXEMPT
                             ? xstrdup(rtext_get(&vd->exempt_note, r->lang))
                             : xasprintf(_("all conditions of %s"),
                                         rtext_get(&vd->title, r->lang)),
                         xstrdup(rfmt_status(r->verdict_st[v]))};
        rfmt_trow(e, cells);
        rfmt_tend(e);
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
                         rfmt_value(r, i, val), rfmt_note(r, i, v)};
        rfmt_trow(e, cells);
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
        rfmt_heading(e, 3, gi >= 0 ? rtext_get(&d->groups[gi].title, r->lang)
                                : _("Other figures"));
        rfmt_tbegin(e, 0, 4, head);
        figure_rows(e, gi, v);
        rfmt_tend(e);
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
        rfmt_heading(e, 2, h);
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
    rfmt_heading(e, 2, _("Needs, ranked"));
    const char *head[] = {_("Rank"), _("Content"), _("Need"), _("Priority")};
    rfmt_tbegin(e, 0, 4, head);
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
        rfmt_trow(e, cells);
    }
    rfmt_tend(e);
}

/* Which finished interviews the figures used, by review state, and what
 * was left out (superseded duplicates; unapproved ones with
 * --approved-only). */
static void sec_states(emitter *e)
{
    const report_result *r = e->r;
    if (!r->have_states)
        return;
    const long *n = r->states;
    int only = r->select & RSCAN_APPROVED_ONLY;
    char *c = only
        ? xasprintf(_("Interviews used: %ld approved (--approved-only: %ld "
                      "not reviewed, %ld returned, %ld changed since "
                      "approved and %ld corrected after return left out)"),
                    n[1], n[0], n[2], n[3], n[4])
        : xasprintf(_("Interviews used: %ld approved, %ld not reviewed, %ld "
                      "returned, %ld changed since approved, %ld corrected "
                      "after return"), n[1], n[0], n[2], n[3], n[4]);
    rfmt_para(e, c);
    free(c);
    if (r->superseded) {
        c = r->select & RSCAN_SUPERSEDED
            ? xasprintf(_("Superseded duplicates included: %ld"),
                        r->superseded)
            : xasprintf(_("Superseded duplicates left out: %ld"),
                        r->superseded);
        rfmt_para(e, c);
        free(c);
    }
}

static void sec_coverage(emitter *e)
{
    const report_result *r = e->r;
    const report_def *d = r->def;
    rfmt_heading(e, 2, _("Coverage and quality"));
    const char *fh[] = {_("Form"), _("Complete"), _("Drafts"), _("Excluded"),
                        _("Same key")};
    rfmt_tbegin(e, 1, 5, fh);
    for (size_t i = 0; i < d->nforms; i++) {
        const rformstat *s = &r->forms[i];
        char *cells[] = {xstrdup(rform_title(d, i, r->lang)),
                         xasprintf("%ld", s->complete),
                         xasprintf("%ld", s->drafts), xasprintf("%ld", s->excluded),
                         xasprintf("%ld", s->duplicates)};
        rfmt_trow(e, cells);
    }
    rfmt_tend(e);
    if (r->nvillages) {
        rfmt_heading(e, 3, _("By village"));
        const char *vh[] = {_("Village"), _("Planned"), _("Complete"),
                            _("Drafts"), _("Excluded"), _("Done")};
        rfmt_tbegin(e, 1, 6, vh);
        for (size_t i = 0; i < r->nvillages; i++) {
            const rvillage *v = &r->villages[i];
            char *cells[] = {rfmt_village(v),
                             v->planned >= 0 ? xasprintf("%ld", v->planned) : NULL,
                             xasprintf("%ld", v->complete),
                             xasprintf("%ld", v->drafts),
                             xasprintf("%ld", v->excluded),
                             v->planned > 0 ? rfmt_thr(r->lang, round(100.0 *
                                 (double)(v->complete + v->excluded) /
                                 (double)v->planned)) : NULL};
            rfmt_trow(e, cells);
        }
        rfmt_tend(e);
    }
    if (r->nenums) {
        rfmt_heading(e, 3, _("By enumerator"));
        const char *eh[] = {_("Enumerator"), _("Form"), _("Complete"), _("Drafts")};
        rfmt_tbegin(e, 1, 4, eh);
        for (size_t i = 0; i < r->nenums; i++) {
            const renum *n = &r->enums[i];
            size_t f = 0;
            while (f < d->nforms && strcmp(d->forms[f].id, n->form))
                f++;
            char *cells[] = {xstrdup(*n->name ? n->name : "?"),
                             xstrdup(f < d->nforms ? rform_title(d, f, r->lang)
                                                   : n->form),
                             xasprintf("%ld", n->complete),
                             xasprintf("%ld", n->drafts)};
            rfmt_trow(e, cells);
        }
        rfmt_tend(e);
    }
    char *c = r->conflicts >= 0 ? xasprintf(_("Open conflicts: %ld"), r->conflicts)
                                : xstrdup(_("Open conflicts: no merge record"));
    rfmt_para(e, c);
    free(c);
    /* The pairs khaosat duplicates lists, decided ones too. */
    c = r->dup_table > 0
        ? xasprintf(_("Duplicates found by merging: %ld pair(s): %ld to "
                      "decide, %ld the same household, %ld different "
                      "households"), r->dup_table, r->dup_pairs[0],
                    r->dup_pairs[1], r->dup_pairs[2])
        : r->dup_table == 0 ? xasprintf(_("Duplicates found by merging: %ld"),
                                        r->dup_table)
        : xstrdup(_("Duplicates found by merging: no merge record"));
    rfmt_para(e, c);
    free(c);
    sec_states(e);
}

static void sec_warnings(emitter *e)
{
    const report_result *r = e->r;
    if (!r->warn.n)
        return;
    rfmt_heading(e, 2, _("Warnings"));
    for (size_t i = 0; i < r->warn.n; i++) {
        char *w = xasprintf("⚠ %s", r->warn.v[i]);
        rfmt_para(e, w);
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
    char *num = val->known ? rfmt_num(val->num) : xstrdup("");
    char *den = val->known && fg->kind == RK_RATE ? rfmt_num(val->den) : xstrdup("");
    char *value = !val->known ? xstrdup("")
        : fg->kind == RK_RATE ? xasprintf("%.1f", val->value)
        : fg->kind == RK_YESNO ? xstrdup(val->value != 0 ? "1" : "0")
        : rfmt_num(val->value);
    char *w = v ? NULL : rfmt_warn(&r->fwarn[i]);
    const char *f[] = {"figure", r->commune_code ? r->commune_code : "",
                       v ? v->code : "", fg->id, rtext_get(&fg->title, r->lang),
                       kinds[fg->kind], num, den, value, rfmt_unit(r, i), "",
                       val->known ? "ok" : "no_data", w ? w : ""};
    for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
        if (k)
            sbuf_addc(b, ',');
        rfmt_csv_field(b, f[k]);
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
        rfmt_csv_field(b, f[k]);
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
                char *s = rfmt_num(t);
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
    rannex_csv_tallies(b, r);
}

/* ------------------------------------------------------------ entry points */

int report_format_parse(const char *name, report_format *out)
{
    static const char *const names[] = {"text", "markdown", "csv", "html",
                                        "proposal"};
    for (int i = 0; i < 5; i++)
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
    rfmt_begin(&e, &b, fmt, rtext_get(&r->def->title, r->lang), r->lang, NULL);
    e.r = r;
    int annex = fmt == REPORT_HTML;
    if (annex)
        rannex_top(&e);
    sec_header(&e);
    if (annex)
        rannex_sample(&e);
    sec_conditions(&e);
    if (annex)
        rannex_condition_chart(&e);
    rfmt_heading(&e, 2, _("Indicators"));
    sec_figures(&e, NULL);
    if (annex) {
        rannex_lists(&e);
        rannex_villages(&e);
    }
    sec_villages(&e);
    sec_needs(&e);
    rannex_tallies(&e);
    sec_coverage(&e);
    sec_warnings(&e);
    if (annex)
        rannex_signature(&e);
    return rfmt_end(&b, fmt);
}

void report_generated_now(char buf[32])
{
    struct timespec now;
    clock_now(&now);
    time_t t = now.tv_sec + 7 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M (UTC+7)", &tm);
}
