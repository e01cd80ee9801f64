/* report_check.c: a report definition's expressions bound to the forms
 * they read: compiling one for a form version, and checking the whole
 * definition against a catalog before a report starts. */
#include "config.h"
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"

/* Resolver binding ${name} to f's questions. */
static int resolve_question(void *ctx, const char *name, int bare)
{
    return bare ? -1 : form_find(ctx, name);
}

expr *report_compile(const report_def *d, const form *f, const rsrc *src,
                     char **err)
{
    expr *e = NULL;
    expr_error ee = {0, NULL};
    if (expr_parse(src->text, &e, &ee) ||
        expr_bind(e, resolve_question, (void *)f, &ee)) {
        *err = xasprintf("%s:%d:%d: %s (form %s version %s)", d->path,
                         src->line, src->col + ee.col, ee.msg, f->id,
                         f->version);
        free(ee.msg);
        expr_free(e);
        return NULL;
    }
    return e;
}

/* Compile one source against f, recording a failure. */
static int check_src(const report_def *d, const form *f, const rsrc *src,
                     diag_list *diags)
{
    if (!src->text)
        return 0;
    char *err = NULL;
    expr *e = report_compile(d, f, src, &err);
    if (!e) {
        diag_add(diags, d->path, src->line, src->col, "%s", err);
        free(err);
        return 1;
    }
    expr_free(e);
    return 0;
}

/* Check the repeat a figure or roster counts over. */
static int check_repeat(const report_def *d, const form *f, const char *r,
                        int line, diag_list *diags)
{
    int q = r ? form_find(f, r) : -1;
    if (!r || (q >= 0 && f->q[q].type == QT_REPEAT))
        return 0;
    diag_add(diags, d->path, line, 0, _("'%s' is not a repeat of form %s"), r,
             f->id);
    return 1;
}

/* Each list's repeat and columns against the context form. */
static int check_lists(const report_def *d, const form *ctx, diag_list *diags)
{
    int bad = 0;
    for (size_t i = 0; ctx && i < d->nlists; i++) {
        bad += check_repeat(d, ctx, d->lists[i].repeat, 0, diags);
        for (size_t k = 0; k < d->lists[i].ncols; k++)
            bad += check_src(d, ctx, &d->lists[i].col_value[k], diags);
    }
    return bad;
}

/* Each tally's question: a choice or text question of its form. */
static int check_tallies(const report_def *d, const catalog *cat,
                         diag_list *diags)
{
    int bad = 0;
    for (size_t i = 0; i < d->ntallies; i++) {
        const rdef_tally *t = &d->tallies[i];
        const form *f = t->form >= 0
            ? catalog_find(cat, d->forms[t->form].id, NULL) : NULL;
        int q = f && t->question ? form_find(f, t->question) : -1;
        if (f && (q < 0 || (f->q[q].list < 0 && f->q[q].type != QT_TEXT) ||
                  f->q[q].repeat >= 0)) {
            diag_add(diags, d->path, 0, 0, _("tally '%s': '%s' is not a "
                     "top-level choice or text question of form %s"), t->id,
                     t->question ? t->question : "?", f->id);
            bad++;
        }
    }
    return bad;
}

int report_def_check(const report_def *d, const catalog *cat, diag_list *diags)
{
    int bad = 0;
    for (size_t i = 0; i < d->nforms; i++) {
        const rdef_form *rf = &d->forms[i];
        const form *f = catalog_find(cat, rf->id, NULL);
        if (!f) {
            diag_add(diags, d->path, rf->line, 0,
                     _("form '%s' is not among the forms in %s"), rf->id,
                     cat->dir ? cat->dir : "?");
            bad++;
            continue;
        }
        bad += check_src(d, f, &rf->key, diags) + check_src(d, f, &rf->name, diags)
            + check_src(d, f, &rf->province, diags)
            + check_src(d, f, &rf->village, diags)
            + check_src(d, f, &rf->include, diags)
            + check_repeat(d, f, rf->roster, rf->line, diags)
            + check_src(d, f, &rf->v_code, diags)
            + check_src(d, f, &rf->v_name, diags)
            + check_src(d, f, &rf->v_planned, diags);
    }
    for (size_t i = 0; i < d->nfigs; i++) {
        const rdef_figure *fg = &d->figs[i];
        const form *f = fg->form >= 0
            ? catalog_find(cat, d->forms[fg->form].id, NULL) : NULL;
        if (!f)
            continue;
        bad += check_repeat(d, f, fg->repeat, fg->line, diags)
            + check_src(d, f, &fg->num, diags) + check_src(d, f, &fg->den, diags)
            + check_src(d, f, &fg->distinct, diags)
            + check_src(d, f, &fg->warn_if, diags);
    }
    const form *ctx = d->context >= 0
        ? catalog_find(cat, d->forms[d->context].id, NULL) : NULL;
    for (size_t i = 0; ctx && i < d->nfigs; i++)
        bad += check_src(d, ctx, &d->figs[i].expected, diags);
    for (size_t i = 0; ctx && i < d->nverdicts; i++)
        bad += check_src(d, ctx, &d->verdicts[i].exempt, diags);
    for (size_t i = 0; ctx && i < d->nconds; i++)
        for (size_t k = 0; k < d->conds[i].ntests; k++)
            bad += check_src(d, ctx, &d->conds[i].tests[k].at_least, diags)
                + check_src(d, ctx, &d->conds[i].tests[k].at_most, diags);
    for (size_t i = 0; ctx && i < d->nneeds; i++)
        bad += check_src(d, ctx, &d->needs[i].need, diags)
            + check_src(d, ctx, &d->needs[i].priority, diags);
    bad += check_lists(d, ctx, diags) + check_tallies(d, cat, diags);
    return bad;
}
