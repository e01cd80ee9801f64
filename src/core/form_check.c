/* form_check.c: everything that needs the whole form loaded: question ids
 * indexed, ${references} bound, expressions parsed with errors placed in the
 * file, keys checked, dependents listed and a cycle-free evaluation order
 * found. */
#include "config.h"
#include "core/form.h"
#include "core/form_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"

/* Index every question id, reporting the ones used twice. */
static void index_ids(form *f, diag_list *d)
{
    form_priv *pv = f->priv;
    for (size_t i = 0; i < f->nq; i++) {
        if (!f->q[i].id)
            continue;
        int prev = form_index_put(&pv->ids, f->q[i].id, (int)i);
        if (prev >= 0)
            form_diag(f, d, pv->qx[i].id_line, pv->qx[i].id_col,
                      _("duplicate question id '%s' (first defined on line %d)"),
                      f->q[i].id, pv->qx[prev].id_line);
    }
}

/* Resolve the case key: answerable questions outside any repeat. */
static void resolve_keys(form *f, diag_list *d)
{
    form_priv *pv = f->priv;
    f->key = xcalloc(pv->nkeys, sizeof *f->key);
    for (size_t i = 0; i < pv->nkeys; i++) {
        const form_pending *p = &pv->keys[i];
        int q = form_find(f, p->name);
        if (q < 0) {
            form_diag(f, d, p->line, p->col,
                      _("key names unknown question '%s'"), p->name);
        } else if (f->q[q].repeat >= 0) {
            form_diag(f, d, p->line, p->col,
                      _("key question '%s' is inside repeat '%s'"), p->name,
                      f->q[f->q[q].repeat].id);
        } else if (f->q[q].type == QT_GROUP || f->q[q].type == QT_REPEAT ||
                   f->q[q].type == QT_NOTE) {
            form_diag(f, d, p->line, p->col,
                      _("key question '%s' is a %s, which has no answer"),
                      p->name, form_qtype_name(f->q[q].type));
        } else {
            f->key[f->nkey++] = q;
        }
    }
}

/* Bind the ${name}s written in texts; each becomes a dependency of the
 * question whose text it is. */
static void resolve_texts(form *f, diag_list *d)
{
    form_priv *pv = f->priv;
    for (size_t i = 0; i < pv->ntexts; i++) {
        const form_pending *p = &pv->texts[i];
        int r = form_find(f, p->name);
        if (r < 0) {
            form_diag(f, d, p->line, p->col,
                      _("reference to undefined question ${%s}"), p->name);
            continue;
        }
        if (p->q < 0)
            continue;
        form_qextra *qx = &pv->qx[p->q];
        size_t j = 0;
        while (j < qx->ntext_refs && qx->text_refs[j] != r)
            j++;
        if (j < qx->ntext_refs)
            continue;
        qx->text_refs = xrealloc(qx->text_refs,
                                 (qx->ntext_refs + 1) * sizeof *qx->text_refs);
        qx->text_refs[qx->ntext_refs++] = r;
    }
}

/* What the resolver needs: the form, the question whose expression is being
 * bound, whether bare names (choice attributes) are allowed, and the name
 * that failed. */
typedef struct bind_ctx {
    const form *f;
    int q;
    int filter;
    char *failed;         /* owned copy */
    int failed_bare;
} bind_ctx;

static int resolve_name(void *vctx, const char *name, int bare)
{
    bind_ctx *c = vctx;
    int id = -1;
    if (!bare) {
        id = form_find(c->f, name);
    } else if (c->filter && c->f->q[c->q].list >= 0) {
        const form_list *l = &c->f->lists[c->f->q[c->q].list];
        for (size_t i = 0; i < l->nattrs && id < 0; i++)
            if (!strcmp(l->attrs[i], name))
                id = (int)(c->f->nq + i);
    }
    if (id < 0 && !c->failed) {
        c->failed = xstrdup(name);
        c->failed_bare = bare;
    }
    return id;
}

/* The question field holding slot s. */
static expr **slot_field(form_question *q, int s)
{
    switch (s) {
    case FS_RELEVANT: return &q->relevant;
    case FS_REQUIRED: return &q->required;
    case FS_CONSTRAINT: return &q->constraint;
    case FS_CALCULATION: return &q->calculation;
    case FS_CHOICE_FILTER: return &q->choice_filter;
    case FS_DEFAULT: return &q->default_expr;
    case FS_SEED: return &q->seed;
    default: return &q->count;
    }
}

/* Explain a failed bind of question q's slot. */
static void report_bind(form *f, diag_list *d, const form_src *src, int q,
                        int slot, const bind_ctx *c, const expr_error *err)
{
    int line = src->loc.line, col = form_loc_column(f, &src->loc, err->col);
    const char *name = c->failed ? c->failed : "?";
    if (!c->failed_bare)
        form_diag(f, d, line, col,
                  _("reference to undefined question ${%s}"), name);
    else if (slot == FS_CHOICE_FILTER && f->q[q].list >= 0)
        form_diag(f, d, line, col, _("choice list '%s' has no attribute '%s'"),
                  f->lists[f->q[q].list].name, name);
    else
        form_diag(f, d, line, col,
                  _("unknown name '%s' in %s (write ${%s} for a question)"),
                  name, form_slot_names[slot], name);
}

/* Parse and bind every expression of question q. */
static void compile_question(form *f, diag_list *d, int q)
{
    form_qextra *qx = &f->priv->qx[q];
    for (int s = 0; s < FS_NSLOTS; s++) {
        const form_src *src = &qx->src[s];
        if (!src->text)
            continue;
        /* A filter on a non-select was reported when loading. */
        if (s == FS_CHOICE_FILTER && f->q[q].type != QT_SELECT_ONE &&
            f->q[q].type != QT_SELECT_MULTIPLE)
            continue;
        expr *e = NULL;
        expr_error err = {0, NULL};
        if (expr_parse(src->text, &e, &err) != 0) {
            form_diag(f, d, src->loc.line,
                      form_loc_column(f, &src->loc, err.col),
                      _("error in %s: %s"), form_slot_names[s],
                      err.msg ? err.msg : "?");
            free(err.msg);
            continue;
        }
        bind_ctx c = {f, q, s == FS_CHOICE_FILTER, NULL, 0};
        if (expr_bind(e, resolve_name, &c, &err) != 0) {
            report_bind(f, d, src, q, s, &c, &err);
            free(err.msg);
            free(c.failed);
            expr_free(e);
            continue;
        }
        free(c.failed);
        *slot_field(&f->q[q], s) = e;
    }
}

/* Parse and bind the form's instance_name. It is computed for the whole
 * interview, so it may read only questions outside every repeat. */
static void compile_instance_name(form *f, diag_list *d)
{
    const form_src *src = &f->priv->instance_name;
    if (!src->text)
        return;
    expr *e = NULL;
    expr_error err = {0, NULL};
    bind_ctx c = {f, -1, 0, NULL, 0};
    if (expr_parse(src->text, &e, &err) != 0) {
        form_diag(f, d, src->loc.line, form_loc_column(f, &src->loc, err.col),
                  _("error in %s: %s"), "instance_name",
                  err.msg ? err.msg : "?");
    } else if (expr_bind(e, resolve_name, &c, &err) != 0) {
        int col = form_loc_column(f, &src->loc, err.col);
        if (c.failed_bare)
            form_diag(f, d, src->loc.line, col,
                      _("unknown name '%s' in %s (write ${%s} for a question)"),
                      c.failed ? c.failed : "?", "instance_name",
                      c.failed ? c.failed : "?");
        else
            form_diag(f, d, src->loc.line, col,
                      _("reference to undefined question ${%s}"),
                      c.failed ? c.failed : "?");
    } else if (expr_uses_self(e)) {
        form_diag(f, d, src->loc.line, src->loc.col,
                  _("'.' has no meaning in instance_name: name the "
                    "questions with ${id}"));
    } else {
        for (size_t i = 0; i < expr_ref_count(e); i++) {
            int id = expr_ref_id(e, i);
            if (id >= 0 && (size_t)id < f->nq && f->q[id].repeat >= 0) {
                form_diag(f, d, src->loc.line, src->loc.col,
                          _("instance_name reads ${%s}, which is inside "
                            "repeat '%s'"), f->q[id].id,
                          f->q[f->q[id].repeat].id);
                expr_free(e);
                e = NULL;
                break;
            }
        }
        f->instance_name = e;
        e = NULL;
    }
    free(err.msg);
    free(c.failed);
    expr_free(e);
}

/* Question ids (< nq) an expression reads, appended to *v. */
static void add_refs(const form *f, const expr *e, int **v, size_t *n,
                     size_t *cap)
{
    if (!e)
        return;
    size_t k = expr_ref_count(e);
    for (size_t i = 0; i < k; i++) {
        int id = expr_ref_id(e, i);
        if (id < 0 || (size_t)id >= f->nq)
            continue;
        *v = util_grow(*v, cap, *n + 1, sizeof **v);
        (*v)[(*n)++] = id;
    }
}

/* Every question whose display or value may change when q's answer does:
 * what it reads in any expression or text, plus the relevance of its
 * enclosing groups. Lists are built from (source, user) edges found in
 * question order, so each is sorted and, with the stamp, free of repeats. */
static void build_dependents(form *f)
{
    int *src = NULL, *stamp = xmalloc((f->nq ? f->nq : 1) * sizeof *stamp);
    size_t n = 0, cap = 0, *count = xcalloc(f->nq + 1, sizeof *count);
    int *edge_q = NULL;
    size_t qcap = 0;
    for (size_t i = 0; i < f->nq; i++)
        stamp[i] = -1;
    for (size_t q = 0; q < f->nq; q++) {
        size_t from = n;
        const form_question *qq = &f->q[q];
        add_refs(f, qq->relevant, &src, &n, &cap);
        add_refs(f, qq->required, &src, &n, &cap);
        add_refs(f, qq->constraint, &src, &n, &cap);
        add_refs(f, qq->calculation, &src, &n, &cap);
        add_refs(f, qq->choice_filter, &src, &n, &cap);
        add_refs(f, qq->count, &src, &n, &cap);
        for (int p = qq->parent; p >= 0; p = f->q[p].parent)
            add_refs(f, f->q[p].relevant, &src, &n, &cap);
        const form_qextra *qx = &f->priv->qx[q];
        for (size_t i = 0; i < qx->ntext_refs; i++) {
            src = util_grow(src, &cap, n + 1, sizeof *src);
            src[n++] = qx->text_refs[i];
        }
        /* Drop repeats and self-references among this question's edges. */
        size_t keep = from;
        for (size_t i = from; i < n; i++) {
            if (src[i] == (int)q || stamp[src[i]] == (int)q)
                continue;
            stamp[src[i]] = (int)q;
            src[keep++] = src[i];
        }
        n = keep;
        if (qcap < n) {
            qcap = cap;
            edge_q = xrealloc_array(edge_q, qcap, sizeof *edge_q);
        }
        for (size_t i = from; i < n; i++) {
            edge_q[i] = (int)q;
            count[src[i]]++;
        }
    }
    for (size_t r = 0; r < f->nq; r++) {
        f->q[r].dependents = count[r] ? xmalloc(count[r] * sizeof(int)) : NULL;
        f->q[r].ndependents = 0;
    }
    for (size_t i = 0; i < n; i++) {
        form_question *r = &f->q[src[i]];
        r->dependents[r->ndependents++] = edge_q[i];
    }
    free(src);
    free(edge_q);
    free(stamp);
    free(count);
}

/* What question q's value waits for: what its calculation, relevance and
 * count read, and its parent's state. Required and constraint conditions
 * only read answers, so they never feed back into a value and are left
 * out; a constraint may well compare two questions both ways. */
static void value_preds(const form *f, size_t q, int **v, size_t *n,
                        size_t *cap)
{
    const form_question *qq = &f->q[q];
    add_refs(f, qq->calculation, v, n, cap);
    add_refs(f, qq->relevant, v, n, cap);
    add_refs(f, qq->count, v, n, cap);
    if (qq->parent >= 0) {
        *v = util_grow(*v, cap, *n + 1, sizeof **v);
        (*v)[(*n)++] = qq->parent;
    }
}

/* Report the cycle stack[from..top] closed by top reading stack[from]. */
static void report_cycle(form *f, diag_list *d, const int *stack, size_t from,
                         size_t top)
{
    sbuf b;
    sbuf_init(&b);
    for (size_t i = from; i <= top; i++)
        sbuf_addf(&b, "%s -> ", f->q[stack[i]].id ? f->q[stack[i]].id : "?");
    sbuf_add(&b, f->q[stack[from]].id ? f->q[stack[from]].id : "?");
    const form_question *q = &f->q[stack[from]];
    form_diag(f, d, q->line, q->col, _("dependency cycle: %s"), b.s);
    sbuf_free(&b);
}

/* A topological order of the questions (what a value reads comes first),
 * as close to document order as possible: depth-first from each question
 * in turn, emitting a question once everything it reads is emitted.
 * Iterative, so long chains cannot exhaust the C stack. */
static void build_order(form *f, diag_list *d)
{
    size_t nq = f->nq;
    size_t *start = xmalloc((nq + 1) * sizeof *start);
    int *preds = NULL;
    size_t np = 0, pcap = 0;
    for (size_t q = 0; q < nq; q++) {
        start[q] = np;
        value_preds(f, q, &preds, &np, &pcap);
    }
    start[nq] = np;
    f->order = xmalloc((nq ? nq : 1) * sizeof *f->order);
    int *stack = xmalloc((nq ? nq : 1) * sizeof *stack);
    size_t *next = xmalloc((nq ? nq : 1) * sizeof *next);
    size_t *pos = xmalloc((nq ? nq : 1) * sizeof *pos);
    char *state = xcalloc(nq ? nq : 1, 1);
    size_t emitted = 0;
    for (size_t root = 0; root < nq; root++) {
        if (state[root])
            continue;
        size_t top = 0;
        stack[0] = (int)root;
        state[root] = 1;
        pos[root] = 0;
        next[root] = start[root];
        for (;;) {
            int u = stack[top];
            if (next[u] < start[u + 1]) {
                int v = preds[next[u]++];
                if (state[v] == 0) {
                    state[v] = 1;
                    next[v] = start[v];
                    pos[v] = ++top;
                    stack[top] = v;
                } else if (state[v] == 1) {
                    report_cycle(f, d, stack, pos[v], top);
                }
                continue;
            }
            state[u] = 2;
            f->order[emitted++] = u;
            if (top == 0)
                break;
            top--;
        }
    }
    free(start);
    free(preds);
    free(stack);
    free(next);
    free(pos);
    free(state);
}

/* Every list_check finds the village its number is looked up in. */
static void resolve_list_checks(form *f, diag_list *d)
{
    for (size_t q = 0; q < f->nq; q++)
        if (form_meta(&f->q[q], "list_check")
            && form_list_check_village(f, (int)q) < 0)
            form_diag(f, d, f->priv->qx[q].list_check_line,
                      f->priv->qx[q].list_check_col,
                      _("'list_check: %s' needs the village to look the "
                        "number up in: exactly one select_one question "
                        "with 'choices_from: %s' beside it (outside any "
                        "repeat, or in the same repeat)"),
                      FORM_SETUP_HOUSEHOLDS, FORM_SETUP_VILLAGES);
}

void form_check(form *f, diag_list *d)
{
    index_ids(f, d);
    resolve_keys(f, d);
    resolve_list_checks(f, d);
    resolve_texts(f, d);
    for (size_t q = 0; q < f->nq; q++)
        compile_question(f, d, (int)q);
    compile_instance_name(f, d);
    form_lint(f, d);
    build_dependents(f);
    build_order(f, d);
}
