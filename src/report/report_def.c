/* report_def.c: loading a report definition (khaosat-report(5)) from YAML
 * and checking it against the forms it reads. Unknown keys are errors, so
 * that a misspelt key in a province's definition is not silently ignored. */
#include "config.h"
#include "report/report_def_int.h"
#include "report/report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <yaml.h>

#include "core/i18n.h"

static void rtext_free(rtext *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->code[i]);
        free(t->text[i]);
    }
    free(t->code);
    free(t->text);
}

const char *rtext_get(const rtext *t, const char *lang)
{
    for (size_t i = 0; lang && i < t->n; i++)
        if (!strcmp(t->code[i], lang))
            return t->text[i];
    return t->n ? t->text[0] : "";
}

const char *rfig_unit(const report_def *d, size_t i, const char *lang)
{
    const rdef_figure *fg = &d->figs[i];
    return rtext_get(fg->unit.n ? &fg->unit : &d->forms[fg->form].unit,
                     lang);
}

const char *rform_title(const report_def *d, size_t i, const char *lang)
{
    return d->forms[i].title.n ? rtext_get(&d->forms[i].title, lang)
                               : d->forms[i].id;
}

static void load_forms(rload *L, yaml_node_t *top)
{
    static const char *const keys[] = {"role", "unit", "title", "key",
        "name", "province", "village", "include", "excluded", "villages",
        NULL};
    static const char *const vkeys[] = {"repeat", "code", "name", "planned",
                                        NULL};
    yaml_node_t *v = rl_get(L, top, "forms");
    report_def *d = L->d;
    if (!v || v->type != YAML_MAPPING_NODE) {
        rl_err(L, v ? v : yaml_document_get_root_node(L->doc),
               _("the definition needs a 'forms' mapping"));
        return;
    }
    size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    d->forms = xcalloc(n, sizeof *d->forms);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
         p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *fn = yaml_document_get_node(L->doc, p->value);
        rdef_form *f = &d->forms[d->nforms++];
        f->id = xstrdup(rl_str(kn) ? rl_str(kn) : "?");
        f->line = (int)kn->start_mark.line + 1;
        char *what = xasprintf(_("form '%s'"), f->id);
        rl_keys(L, fn, what, keys);
        char *role = rl_scalar(L, fn, "role", 0, what);
        if (role && !strcmp(role, "context")) {
            if (d->context >= 0)
                rl_err(L, fn, _("only one form can have role: context"));
            f->context = 1;
            d->context = (int)(f - d->forms);
        } else if (role) {
            rl_err(L, fn, _("unknown role '%s' (the only role is context)"), role);
        }
        free(role);
        rl_text(L, fn, "unit", 0, what, &f->unit);
        rl_text(L, fn, "title", 0, what, &f->title);
        rl_src(L, fn, "key", f->context, what, &f->key);
        rl_src(L, fn, "name", 0, what, &f->name);
        rl_src(L, fn, "province", 0, what, &f->province);
        rl_src(L, fn, "village", 0, what, &f->village);
        rl_src(L, fn, "include", 0, what, &f->include);
        rl_text(L, fn, "excluded", 0, what, &f->excluded);
        yaml_node_t *vn = rl_get(L, fn, "villages");
        if (vn) {
            rl_keys(L, vn, what, vkeys);
            f->roster = rl_scalar(L, vn, "repeat", 1, what);
            rl_src(L, vn, "code", 1, what, &f->v_code);
            rl_src(L, vn, "name", 0, what, &f->v_name);
            rl_src(L, vn, "planned", 0, what, &f->v_planned);
        }
        free(what);
    }
}

/* Index of form id in the definition, or -1. */
static int def_form(const report_def *d, const char *id)
{
    for (size_t i = 0; id && i < d->nforms; i++)
        if (!strcmp(d->forms[i].id, id))
            return (int)i;
    return -1;
}

static int def_figure(const report_def *d, const char *id)
{
    for (size_t i = 0; id && i < d->nfigs; i++)
        if (!strcmp(d->figs[i].id, id))
            return (int)i;
    return -1;
}

static void load_groups(rload *L, yaml_node_t *top)
{
    static const char *const keys[] = {"id", "title", NULL};
    size_t n;
    yaml_node_item_t *it = rl_seq(L, top, "groups", &n);
    L->d->groups = xcalloc(n, sizeof *L->d->groups);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *g = yaml_document_get_node(L->doc, it[i]);
        rdef_group *rg = &L->d->groups[L->d->ngroups++];
        rl_keys(L, g, _("a group"), keys);
        rg->id = rl_id(L, g, _("a group"));
        rl_text(L, g, "title", 1, _("a group"), &rg->title);
    }
}

/* The keys of a figure beyond what to count: coverage, duplicates,
 * warnings and the basis printed beside it. */
static void load_figure_more(rload *L, yaml_node_t *g, rdef_figure *f,
                             const char *what)
{
    char *s = rl_scalar(L, g, "empty", 0, what);
    if (s && strcmp(s, "no") && strcmp(s, "unknown"))
        rl_err(L, rl_get(L, g, "empty"), _("%s: empty must be no or unknown"),
               what);
    f->empty_no = s && !strcmp(s, "no");
    if (f->empty_no && (f->kind != RK_YESNO || !f->repeat))
        rl_err(L, rl_get(L, g, "empty"),
               _("%s: empty: no is for a yes/no figure over a repeat"), what);
    free(s);
    rl_src(L, g, "distinct", 0, what, &f->distinct);
    if (f->distinct.text && f->repeat)
        rl_err(L, rl_get(L, g, "distinct"),
               _("%s: distinct counts interviews, not repeat instances"), what);
    rl_src(L, g, "expected", 0, what, &f->expected);
    rl_src(L, g, "warn_if", 0, what, &f->warn_if);
    rl_text(L, g, "warning", f->warn_if.text != NULL, what, &f->warning);
    rl_text(L, g, "basis", 0, what, &f->basis);
    f->compare_id = rl_scalar(L, g, "compare", 0, what);
    f->compare = -1;
    f->alt_id = rl_scalar(L, g, "alternative", 0, what);
    f->alt = -1;
    f->or_id = rl_scalar(L, g, "or", 0, what);
    f->or_fig = -1;
}

/* Resolve the figures named by compare: (they may come later). */
static void link_compares(rload *L)
{
    report_def *d = L->d;
    for (size_t i = 0; i < d->nfigs; i++) {
        rdef_figure *f = &d->figs[i];
        if (f->alt_id) {
            f->alt = def_figure(d, f->alt_id);
            if (f->alt < 0 || f->alt == (int)i) {
                diag_add(L->diags, d->path, f->line, 0, _("figure '%s': no "
                         "other figure '%s' (alternative)"), f->id, f->alt_id);
                L->errors++;
            }
        }
        if (f->or_id) {
            f->or_fig = def_figure(d, f->or_id);
            int o = f->or_fig;
            if (o < 0 || o == (int)i || f->kind != RK_YESNO ||
                d->figs[o].kind != RK_YESNO || d->figs[o].or_id) {
                diag_add(L->diags, d->path, f->line, 0, _("figure '%s': or "
                         "needs a yes/no figure and the id of another yes/no "
                         "figure without an or of its own ('%s')"), f->id,
                         f->or_id);
                L->errors++;
            }
        }
        if (!f->compare_id)
            continue;
        f->compare = def_figure(d, f->compare_id);
        if (f->compare < 0 || f->kind != RK_YESNO)
            diag_add(L->diags, d->path, f->line, 0,
                     _("figure '%s': compare needs a yes/no figure and "
                       "the id of another ('%s')"), f->id, f->compare_id);
        L->errors += f->compare < 0 || f->kind != RK_YESNO;
    }
}

/* One entry of figures:. */
static void load_figure(rload *L, yaml_node_t *g, rdef_figure *f)
{
    static const char *const keys[] = {"id", "kind", "group", "form", "repeat",
        "title", "phrase", "unit", "numerator", "denominator", "value",
        "rule", "hidden", "empty", "distinct", "expected", "warn_if",
        "warning", "compare", "basis", "alternative", "or", NULL};
    report_def *d = L->d;
    f->line = (int)g->start_mark.line + 1;
    f->group = -1;
    f->id = rl_id(L, g, _("a figure"));
    char *what = xasprintf(_("figure '%s'"), f->id);
    rl_keys(L, g, what, keys);
    for (size_t i = 0; i + 1 < d->nfigs; i++)
        if (!strcmp(d->figs[i].id, f->id) && &d->figs[i] != f)
            rl_err(L, g, _("figure id '%s' is used twice"), f->id);
    char *kind = rl_scalar(L, g, "kind", 1, what);
    if (kind && !strcmp(kind, "rate"))
        f->kind = RK_RATE;
    else if (kind && !strcmp(kind, "count"))
        f->kind = RK_COUNT;
    else if (kind && !strcmp(kind, "yesno"))
        f->kind = RK_YESNO;
    else if (kind)
        rl_err(L, rl_get(L, g, "kind"),
               _("%s: kind must be rate, count or yesno"), what);
    free(kind);
    char *s = rl_scalar(L, g, "group", 0, what);
    for (size_t i = 0; s && i < d->ngroups; i++)
        if (!strcmp(d->groups[i].id, s))
            f->group = (int)i;
    if (s && f->group < 0)
        rl_err(L, rl_get(L, g, "group"), _("%s: no group '%s'"), what, s);
    free(s);
    s = rl_scalar(L, g, "form", 1, what);
    f->form = def_form(d, s);
    if (s && f->form < 0)
        rl_err(L, rl_get(L, g, "form"),
               _("%s: form '%s' is not listed under forms"), what, s);
    free(s);
    f->repeat = rl_scalar(L, g, "repeat", 0, what);
    rl_text(L, g, "title", 1, what, &f->title);
    rl_text(L, g, "phrase", 0, what, &f->phrase);
    rl_text(L, g, "unit", 0, what, &f->unit);
    if (f->kind == RK_RATE) {
        rl_src(L, g, "numerator", 1, what, &f->num);
        rl_src(L, g, "denominator", 0, what, &f->den);
    } else {
        rl_src(L, g, "value", 1, what, &f->num);
    }
    s = rl_scalar(L, g, "rule", 0, what);
    if (s && strcmp(s, "any") && strcmp(s, "all"))
        rl_err(L, rl_get(L, g, "rule"), _("%s: rule must be any or all"), what);
    f->rule_all = s && !strcmp(s, "all");
    free(s);
    s = rl_scalar(L, g, "hidden", 0, what);
    f->hidden = s && (!strcmp(s, "true") || !strcmp(s, "yes"));
    free(s);
    load_figure_more(L, g, f, what);
    free(what);
}

static void load_figures(rload *L, yaml_node_t *top)
{
    size_t n;
    yaml_node_item_t *it = rl_seq(L, top, "figures", &n);
    L->d->figs = xcalloc(n, sizeof *L->d->figs);
    for (size_t i = 0; i < n; i++) {
        L->d->nfigs++;
        load_figure(L, yaml_document_get_node(L->doc, it[i]), &L->d->figs[i]);
    }
}

/* The figures listed under a condition's evidence. */
static void load_evidence(rload *L, yaml_node_t *g, rdef_cond *c,
                          const char *what)
{
    size_t n;
    yaml_node_item_t *it = rl_seq(L, g, "evidence", &n);
    c->evidence = xcalloc(n + 1, sizeof *c->evidence);
    for (size_t k = 0; k < n; k++) {
        yaml_node_t *fn = yaml_document_get_node(L->doc, it[k]);
        int f = def_figure(L->d, rl_str(fn));
        if (f < 0)
            rl_err(L, fn, _("%s: no figure '%s'"), what,
                   rl_str(fn) ? rl_str(fn) : "?");
        else
            c->evidence[c->nevidence++] = f;
    }
}

static void load_conditions(rload *L, yaml_node_t *top)
{
    static const char *const keys[] = {"id", "title", "tests", "basis",
                                       "evidence", NULL};
    static const char *const tkeys[] = {"figure", "at_least", "at_most", NULL};
    report_def *d = L->d;
    size_t n;
    yaml_node_item_t *it = rl_seq(L, top, "conditions", &n);
    d->conds = xcalloc(n, sizeof *d->conds);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *g = yaml_document_get_node(L->doc, it[i]);
        rdef_cond *c = &d->conds[d->nconds++];
        c->line = (int)g->start_mark.line + 1;
        c->id = rl_id(L, g, _("a condition"));
        char *what = xasprintf(_("condition '%s'"), c->id);
        rl_keys(L, g, what, keys);
        rl_text(L, g, "title", 1, what, &c->title);
        rl_text(L, g, "basis", 0, what, &c->basis);
        load_evidence(L, g, c, what);
        size_t nt;
        yaml_node_item_t *ti = rl_seq(L, g, "tests", &nt);
        if (!nt)
            rl_err(L, g, _("%s needs at least one test"), what);
        c->tests = xcalloc(nt, sizeof *c->tests);
        for (size_t k = 0; k < nt; k++) {
            yaml_node_t *t = yaml_document_get_node(L->doc, ti[k]);
            rdef_test *rt = &c->tests[c->ntests++];
            rl_keys(L, t, what, tkeys);
            char *fid = rl_scalar(L, t, "figure", 1, what);
            rt->figure = def_figure(d, fid);
            if (fid && rt->figure < 0)
                rl_err(L, t, _("%s: no figure '%s'"), what, fid);
            free(fid);
            rl_src(L, t, "at_least", 0, what, &rt->at_least);
            rl_src(L, t, "at_most", 0, what, &rt->at_most);
            if (rt->figure >= 0 && !rt->at_least.text && !rt->at_most.text &&
                d->figs[rt->figure].kind != RK_YESNO)
                rl_err(L, t, _("%s: a rate or count needs at_least or at_most"),
                       what);
        }
        free(what);
    }
}

static void load_verdicts(rload *L, yaml_node_t *top)
{
    static const char *const keys[] = {"id", "title", "conditions", "exempt",
                                       "exempt_note", NULL};
    report_def *d = L->d;
    size_t n;
    yaml_node_item_t *it = rl_seq(L, top, "verdicts", &n);
    d->verdicts = xcalloc(n, sizeof *d->verdicts);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *g = yaml_document_get_node(L->doc, it[i]);
        rdef_verdict *v = &d->verdicts[d->nverdicts++];
        v->id = rl_id(L, g, _("a verdict"));
        rl_keys(L, g, _("a verdict"), keys);
        rl_text(L, g, "title", 1, _("a verdict"), &v->title);
        rl_src(L, g, "exempt", 0, _("a verdict"), &v->exempt);
        rl_text(L, g, "exempt_note", v->exempt.text != NULL, _("a verdict"),
                &v->exempt_note);
        size_t nc;
        yaml_node_item_t *ci = rl_seq(L, g, "conditions", &nc);
        v->conds = xcalloc(nc, sizeof *v->conds);
        for (size_t k = 0; k < nc; k++) {
            yaml_node_t *cn = yaml_document_get_node(L->doc, ci[k]);
            const char *cid = rl_str(cn);
            int found = -1;
            for (size_t j = 0; cid && j < d->nconds; j++)
                if (!strcmp(d->conds[j].id, cid))
                    found = (int)j;
            if (found < 0)
                rl_err(L, cn, _("verdict '%s': no condition '%s'"), v->id,
                       cid ? cid : "?");
            else
                v->conds[v->nconds++] = found;
        }
    }
}

static void load_needs(rload *L, yaml_node_t *top)
{
    static const char *const keys[] = {"id", "title", "need", "priority", NULL};
    report_def *d = L->d;
    size_t n;
    yaml_node_item_t *it = rl_seq(L, top, "needs", &n);
    d->needs = xcalloc(n, sizeof *d->needs);
    if (n && d->context < 0)
        rl_err(L, rl_get(L, top, "needs"),
               _("needs are read from the context form, and there is none"));
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *g = yaml_document_get_node(L->doc, it[i]);
        rdef_need *nd = &d->needs[d->nneeds++];
        nd->id = rl_id(L, g, _("a need"));
        rl_keys(L, g, _("a need"), keys);
        rl_text(L, g, "title", 1, _("a need"), &nd->title);
        rl_src(L, g, "need", 1, _("a need"), &nd->need);
        rl_src(L, g, "priority", 0, _("a need"), &nd->priority);
    }
}

static void load_lists(rload *L, yaml_node_t *top)
{
    static const char *const keys[] = {"id", "title", "repeat", "columns", NULL};
    static const char *const ckeys[] = {"title", "value", NULL};
    report_def *d = L->d;
    size_t n;
    yaml_node_item_t *it = rl_seq(L, top, "lists", &n);
    d->lists = xcalloc(n + 1, sizeof *d->lists);
    if (n && d->context < 0)
        rl_err(L, rl_get(L, top, "lists"),
               _("lists are read from the context form, and there is none"));
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *g = yaml_document_get_node(L->doc, it[i]);
        rdef_list *l = &d->lists[d->nlists++];
        l->id = rl_id(L, g, _("a list"));
        rl_keys(L, g, _("a list"), keys);
        rl_text(L, g, "title", 1, _("a list"), &l->title);
        l->repeat = rl_scalar(L, g, "repeat", 1, _("a list"));
        size_t nc;
        yaml_node_item_t *ci = rl_seq(L, g, "columns", &nc);
        l->col_title = xcalloc(nc + 1, sizeof *l->col_title);
        l->col_value = xcalloc(nc + 1, sizeof *l->col_value);
        for (size_t k = 0; k < nc; k++) {
            yaml_node_t *cn = yaml_document_get_node(L->doc, ci[k]);
            rl_keys(L, cn, _("a list column"), ckeys);
            rl_text(L, cn, "title", 1, _("a list column"), &l->col_title[k]);
            rl_src(L, cn, "value", 1, _("a list column"), &l->col_value[k]);
            l->ncols++;
        }
    }
}

static void load_tallies(rload *L, yaml_node_t *top)
{
    static const char *const keys[] = {"id", "title", "form", "question", NULL};
    report_def *d = L->d;
    size_t n;
    yaml_node_item_t *it = rl_seq(L, top, "tallies", &n);
    d->tallies = xcalloc(n + 1, sizeof *d->tallies);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *g = yaml_document_get_node(L->doc, it[i]);
        rdef_tally *t = &d->tallies[d->ntallies++];
        t->id = rl_id(L, g, _("a tally"));
        rl_keys(L, g, _("a tally"), keys);
        rl_text(L, g, "title", 1, _("a tally"), &t->title);
        char *f = rl_scalar(L, g, "form", 1, _("a tally"));
        t->form = def_form(d, f);
        if (f && t->form < 0)
            rl_err(L, g, _("tally '%s': form '%s' is not listed under forms"),
                   t->id, f);
        free(f);
        t->question = rl_scalar(L, g, "question", 1, _("a tally"));
    }
}

/* Fill d from the document. */
static void load_top(rload *L)
{
    static const char *const keys[] = {"report", "forms", "groups", "figures",
        "conditions", "verdicts", "needs", "lists", "tallies", NULL};
    static const char *const rkeys[] = {"id", "version", "title", "min_units",
                                        NULL};
    yaml_node_t *top = yaml_document_get_root_node(L->doc);
    if (!top || (top->type == YAML_SCALAR_NODE && !top->data.scalar.length)) {
        rl_err(L, top, _("the report definition is empty: it needs report, "
                         "forms and figures (see khaosat-report(5))"));
        return;
    }
    if (top->type != YAML_MAPPING_NODE) {
        rl_err(L, top, _("a report definition is a mapping with report, "
                         "forms and figures"));
        return;
    }
    rl_keys(L, top, _("the definition"), keys);
    yaml_node_t *r = rl_get(L, top, "report");
    if (r) {
        rl_keys(L, r, "report", rkeys);
        rl_text(L, r, "title", 0, "report", &L->d->title);
        char *mu = rl_scalar(L, r, "min_units", 0, "report");
        if (mu) {
            char *end;
            long v = strtol(mu, &end, 10);
            if (*end || v < 0)
                rl_err(L, rl_get(L, r, "min_units"),
                       _("min_units must be a whole number"));
            else
                L->d->min_units = v;
            free(mu);
        }
    }
    load_forms(L, top);
    load_groups(L, top);
    load_figures(L, top);
    link_compares(L);
    load_conditions(L, top);
    load_verdicts(L, top);
    load_needs(L, top);
    load_lists(L, top);
    load_tallies(L, top);
}

static char *report_def_hash(yaml_document_t *doc);

report_def *report_def_load_string(const char *text, size_t len,
                                   const char *name, diag_list *diags)
{
    report_def *d = xcalloc(1, sizeof *d);
    d->path = xstrdup(name);
    d->context = -1;
    d->min_units = 30;
    rload L = {NULL, d, diags, 0};
    if (!util_utf8_valid(text, len)) {
        rl_err(&L, NULL, _("the file is not valid UTF-8"));
        report_def_free(d);
        return NULL;
    }
    yaml_parser_t p;
    yaml_document_t doc;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &doc)) {
        diag_add(diags, name, (int)p.problem_mark.line + 1,
                 (int)p.problem_mark.column + 1, "%s",
                 p.problem ? p.problem : _("not YAML"));
        yaml_parser_delete(&p);
        report_def_free(d);
        return NULL;
    }
    L.doc = &doc;
    d->sha = report_def_hash(&doc);
    load_top(&L);
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    if (L.errors) {
        report_def_free(d);
        return NULL;
    }
    return d;
}

report_def *report_def_load(const char *path, diag_list *diags)
{
    size_t len;
    /* The same limit as a form's: a report definition is smaller still. */
    char *text = util_read_file_max(path, FORM_MAX_BYTES, &len);
    if (!text && errno == EFBIG) {
        diag_add(diags, path, 0, 0, _("the report definition is larger than "
                                      "%ld MB; khaosat does not read it"),
                 FORM_MAX_BYTES / (1024 * 1024));
        return NULL;
    }
    if (!text) {
        diag_add(diags, path, 0, 0, _("cannot read: %s"),
                 util_strerror(errno));
        return NULL;
    }
    report_def *d = report_def_load_string(text, len, path, diags);
    free(text);
    return d;
}

/* Feed n bytes of s to the hash as one field: its length, then it. */
static void hash_field(crypto_hash_sha256_state *st, char mark, const char *s,
                       size_t n)
{
    unsigned char head[9] = {(unsigned char)mark};
    for (int i = 0; i < 8; i++)
        head[1 + i] = (unsigned char)((unsigned long long)n >> (56 - 8 * i));
    crypto_hash_sha256_update(st, head, sizeof head);
    crypto_hash_sha256_update(st, (const unsigned char *)s, n);
}

/* Feed node n of doc to the hash as what it means: scalars by value,
 * mappings and sequences by their members in order.  Comments, spacing,
 * quoting and line breaks of the source never reach it.  depth bounds
 * the walk (an alias cannot loop in a loaded document, but stays cheap). */
static void hash_node(crypto_hash_sha256_state *st, yaml_document_t *doc,
                      yaml_node_t *n, int depth)
{
    if (!n || depth > 256) {
        hash_field(st, 'N', "", 0);
        return;
    }
    switch (n->type) {
    case YAML_SCALAR_NODE:
        hash_field(st, 'S', (const char *)n->data.scalar.value,
                   n->data.scalar.length);
        break;
    case YAML_SEQUENCE_NODE: {
        yaml_node_item_t *i = n->data.sequence.items.start;
        size_t count = (size_t)(n->data.sequence.items.top - i);
        hash_field(st, 'L', "", count);
        for (; i < n->data.sequence.items.top; i++)
            hash_node(st, doc, yaml_document_get_node(doc, *i), depth + 1);
        break;
    }
    case YAML_MAPPING_NODE: {
        yaml_node_pair_t *p = n->data.mapping.pairs.start;
        size_t count = (size_t)(n->data.mapping.pairs.top - p);
        hash_field(st, 'M', "", count);
        for (; p < n->data.mapping.pairs.top; p++) {
            hash_node(st, doc, yaml_document_get_node(doc, p->key),
                      depth + 1);
            hash_node(st, doc, yaml_document_get_node(doc, p->value),
                      depth + 1);
        }
        break;
    }
    default:
        hash_field(st, 'N', "", 0);
    }
}

/* The version of the figures stored for a definition: the hash of what
 * it says (its parsed document, so that a comment or a re-indented line
 * recomputes nothing, and any changed value, key or order does), with
 * the version of the way khaosat stores them (RKEEP_FORMAT). */
static char *report_def_hash(yaml_document_t *doc)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)RKEEP_FORMAT,
                              sizeof RKEEP_FORMAT);
    hash_node(&st, doc, yaml_document_get_root_node(doc), 0);
    crypto_hash_sha256_final(&st, h);
    char *hex = xmalloc(2 * sizeof h + 1);
    sodium_bin2hex(hex, 2 * sizeof h + 1, h, sizeof h);
    return hex;
}

void report_def_free(report_def *d)
{
    if (!d)
        return;
    free(d->sha);
    for (size_t i = 0; i < d->nforms; i++) {
        rdef_form *f = &d->forms[i];
        free(f->id);
        rtext_free(&f->unit);
        rtext_free(&f->title);
        rtext_free(&f->excluded);
        free(f->key.text);
        free(f->name.text);
        free(f->province.text);
        free(f->village.text);
        free(f->include.text);
        free(f->roster);
        free(f->v_code.text);
        free(f->v_name.text);
        free(f->v_planned.text);
    }
    for (size_t i = 0; i < d->ngroups; i++) {
        free(d->groups[i].id);
        rtext_free(&d->groups[i].title);
    }
    for (size_t i = 0; i < d->nfigs; i++) {
        rdef_figure *f = &d->figs[i];
        free(f->id);
        free(f->repeat);
        rtext_free(&f->title);
        rtext_free(&f->phrase);
        rtext_free(&f->unit);
        free(f->num.text);
        free(f->den.text);
        free(f->distinct.text);
        free(f->expected.text);
        free(f->warn_if.text);
        rtext_free(&f->warning);
        rtext_free(&f->basis);
        free(f->compare_id);
        free(f->alt_id);
        free(f->or_id);
    }
    for (size_t i = 0; i < d->nconds; i++) {
        rdef_cond *c = &d->conds[i];
        free(c->id);
        rtext_free(&c->title);
        rtext_free(&c->basis);
        free(c->evidence);
        for (size_t k = 0; k < c->ntests; k++) {
            free(c->tests[k].at_least.text);
            free(c->tests[k].at_most.text);
        }
        free(c->tests);
    }
    for (size_t i = 0; i < d->nverdicts; i++) {
        free(d->verdicts[i].id);
        rtext_free(&d->verdicts[i].title);
        free(d->verdicts[i].exempt.text);
        rtext_free(&d->verdicts[i].exempt_note);
        free(d->verdicts[i].conds);
    }
    for (size_t i = 0; i < d->nneeds; i++) {
        free(d->needs[i].id);
        rtext_free(&d->needs[i].title);
        free(d->needs[i].need.text);
        free(d->needs[i].priority.text);
    }
    for (size_t i = 0; i < d->nlists; i++) {
        rdef_list *l = &d->lists[i];
        free(l->id);
        free(l->repeat);
        rtext_free(&l->title);
        for (size_t k = 0; k < l->ncols; k++) {
            rtext_free(&l->col_title[k]);
            free(l->col_value[k].text);
        }
        free(l->col_title);
        free(l->col_value);
    }
    for (size_t i = 0; i < d->ntallies; i++) {
        free(d->tallies[i].id);
        free(d->tallies[i].question);
        rtext_free(&d->tallies[i].title);
    }
    free(d->lists);
    free(d->tallies);
    rtext_free(&d->title);
    free(d->forms);
    free(d->groups);
    free(d->figs);
    free(d->conds);
    free(d->verdicts);
    free(d->needs);
    free(d->path);
    free(d);
}
