/* inst.c: an interview in memory, with incremental recomputation.
 *
 * Answers live in frames: the root frame holds the top-level questions and
 * each repeat instance is a frame holding the questions of that repeat. A
 * frame spans the question range [lo, hi) of its repeat; slots of questions
 * that belong to a nested repeat stay unused, and the nested repeat's slot
 * holds the list of its instances instead. */
#include "config.h"
#include "core/inst_int.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"

static void inst_recompute_frame(inst *in, inst_frame *fr, int q);

/* True when question q stores a value in a frame of repeat r. */
static int inst_in_scope(const form *f, int q, int r)
{
    return f->q[q].repeat == r;
}

/* A new empty frame for repeat r (or the root when r is -1). */
static inst_frame *inst_frame_new(const form *f, int r, inst_frame *parent)
{
    inst_frame *fr = xcalloc(1, sizeof *fr);
    fr->repeat = r;
    fr->name = r < 0 ? "" : f->q[r].id;
    fr->parent = parent;
    fr->lo = r < 0 ? 0 : r + 1;
    fr->hi = r < 0 ? (int)f->nq : f->q[r].end;
    size_t n = (size_t)(fr->hi - fr->lo);
    fr->val = xcalloc(n, sizeof *fr->val);
    fr->rel = xcalloc(n, 1);
    fr->kids = xcalloc(n, sizeof *fr->kids);
    fr->nkids = xcalloc(n, sizeof *fr->nkids);
    return fr;
}

/* Free a frame and its nested instances. */
static void inst_frame_free(inst_frame *fr)
{
    if (!fr)
        return;
    size_t n = (size_t)(fr->hi - fr->lo);
    for (size_t i = 0; i < n; i++) {
        free(fr->val[i]);
        for (size_t k = 0; k < fr->nkids[i]; k++)
            inst_frame_free(fr->kids[i][k]);
        free(fr->kids[i]);
    }
    free(fr->val);
    free(fr->rel);
    free(fr->kids);
    free(fr->nkids);
    free(fr);
}

/* The frame on fr's chain (fr or an ancestor) that is an instance of r. */
static inst_frame *inst_chain_frame(inst_frame *fr, int r)
{
    while (fr && fr->repeat != r)
        fr = fr->parent;
    return fr;
}

/* Non-zero when repeat a is r or encloses r (-1, the root, encloses all). */
static int inst_repeat_encloses(const form *f, int a, int r)
{
    for (; r >= 0; r = f->q[r].repeat)
        if (r == a)
            return 1;
    return a < 0;
}

/* The deepest frame on fr's chain whose repeat encloses repeat r. */
static inst_frame *inst_common_frame(const form *f, inst_frame *fr, int r)
{
    while (fr->parent && !inst_repeat_encloses(f, fr->repeat, r))
        fr = fr->parent;
    return fr;
}

/* Call fn on every frame of repeat r at or below frame top. */
static void inst_each_frame(const form *f, inst_frame *top, int r,
                            void (*fn)(void *, inst_frame *), void *arg)
{
    if (top->repeat == r) {
        fn(arg, top);
        return;
    }
    /* The nested repeat of top's scope that leads towards r. */
    int step = r;
    while (step >= 0 && f->q[step].repeat != top->repeat)
        step = f->q[step].repeat;
    if (step < 0)
        return;
    size_t i = (size_t)(step - top->lo);
    for (size_t k = 0; k < top->nkids[i]; k++)
        inst_each_frame(f, top->kids[i][k], r, fn, arg);
}

/* The typed value of an answer, as expressions see it. */
static void inst_typed_value(const form_question *q, const char *s, value *out)
{
    if (!s) {
        *out = val_string("");
        return;
    }
    if ((q->type == QT_INTEGER || q->type == QT_DECIMAL) && *s) {
        *out = val_number(val_parse_number(s));
        return;
    }
    *out = val_string(s);
}

/* Collector of node-set values across repeat instances. */
struct inst_collect {
    const inst *in;
    int q;
    value *out;
};

/* Add question q's answer in frame fr to a node-set. */
static void inst_collect_one(void *arg, inst_frame *fr)
{
    struct inst_collect *c = arg;
    const char *v = inst_relevant(c->in, fr, c->q) ? inst_get(c->in, fr, c->q)
                                                   : NULL;
    val_nodeset_add(c->out, v ? v : "");
}

/* expr_env.lookup for interviews. */
void inst_lookup(void *ctxp, int id, value *out)
{
    struct inst_eval_ctx *ctx = ctxp;
    const form *f = ctx->in->f;
    if (id == EXPR_REF_SELF) {
        if (ctx->use_candidate)
            inst_typed_value(&f->q[ctx->self], ctx->candidate, out);
        else
            inst_typed_value(&f->q[ctx->self],
                             inst_get(ctx->in, ctx->fr, ctx->self), out);
        return;
    }
    if (id >= (int)f->nq) {
        /* Bare names of a choice_filter are numbered after the questions,
         * by their index in the filtered list's attribute names. */
        const form_question *fq = &f->q[ctx->self];
        const form_list *l = fq->list >= 0 ? &f->lists[fq->list] : NULL;
        size_t a = (size_t)id - f->nq;
        const char *name = l && a < l->nattrs ? l->attrs[a] : NULL;
        const char *v = NULL;
        if (ctx->choice && name) {
            if (!strcmp(name, "value"))
                v = ctx->choice->value;
            for (size_t i = 0; !v && i < ctx->choice->nattrs; i++)
                if (!strcmp(ctx->choice->attrs[i].key, name))
                    v = ctx->choice->attrs[i].value;
        }
        *out = val_string(v ? v : "");
        return;
    }
    int r = f->q[id].repeat;
    inst_frame *fr = inst_chain_frame(ctx->fr, r);
    if (fr) {
        const char *v = inst_relevant(ctx->in, fr, id) ? inst_get(ctx->in, fr, id)
                                                       : NULL;
        inst_typed_value(&f->q[id], v, out);
        return;
    }
    *out = val_nodeset();
    struct inst_collect c = {ctx->in, id, out};
    inst_each_frame(f, inst_common_frame(f, ctx->fr, r), r, inst_collect_one, &c);
}

/* expr_env.lookup_all for interviews: id's answers in every instance of
 * its roster, from wherever the expression is. */
static void inst_lookup_all(void *ctxp, int id, value *out)
{
    struct inst_eval_ctx *ctx = ctxp;
    const form *f = ctx->in->f;
    if (id < 0 || id >= (int)f->nq || f->q[id].repeat < 0) {
        inst_lookup(ctxp, id, out);
        return;
    }
    *out = val_nodeset();
    struct inst_collect c = {ctx->in, id, out};
    inst_each_frame(f, ctx->in->root, f->q[id].repeat, inst_collect_one, &c);
}

/* expr_env.choice_label for interviews. */
static const char *inst_choice_label(void *ctxp, int id, const char *v)
{
    struct inst_eval_ctx *ctx = ctxp;
    const form *f = ctx->in->f;
    if (id < 0 || id >= (int)f->nq)
        return NULL;
    const form_choice *c = form_choice_find(f, &f->q[id], v);
    return c ? form_text_get(f, c->label, ctx->in->lang) : NULL;
}

/* expr_env.position for interviews. */
static int inst_position(void *ctxp)
{
    struct inst_eval_ctx *ctx = ctxp;
    return ctx->fr->position;
}

/* An environment for evaluating in ctx. */
expr_env inst_env(struct inst_eval_ctx *ctx)
{
    expr_env env = {.ctx = ctx, .lookup = inst_lookup,
                    .choice_label = inst_choice_label,
                    .position = inst_position, .now = ctx->in->now,
                    .lists = &ctx->in->lists.lists,
                    .lookup_all = inst_lookup_all};
    return env;
}

/* Evaluate e as a boolean for question q in frame fr. */
int inst_eval_bool(inst *in, inst_frame *fr, int q, const expr *e)
{
    struct inst_eval_ctx ctx = {in, fr, q, NULL, 0, NULL};
    expr_env env = inst_env(&ctx);
    return expr_eval_bool(e, &env);
}

char *inst_eval_string(inst *in, inst_frame *fr, int q, const expr *e)
{
    struct inst_eval_ctx ctx = {in, fr, q, NULL, 0, NULL};
    expr_env env = inst_env(&ctx);
    return expr_eval_string(e, &env);
}

char *inst_instance_name(inst *in)
{
    if (!in->f->instance_name)
        return NULL;
    char *v = inst_eval_string(in, in->root, 0, in->f->instance_name);
    size_t a = strspn(v, " \t\n\r"), n = strlen(v + a);
    while (n && strchr(" \t\n\r", v[a + n - 1]))
        n--;
    char *name = n ? xstrndup(v + a, n) : NULL;
    free(v);
    return name;
}

/* Relevance of q from its parent's cached relevance and its own
 * expression. */
static int inst_compute_relevance(inst *in, inst_frame *fr, int q)
{
    const form_question *fq = &in->f->q[q];
    int parent = fq->parent;
    if (parent >= 0) {
        /* A repeat's instance exists only where the repeat is relevant. */
        if (in->f->q[parent].type != QT_REPEAT || parent != fr->repeat) {
            if (!inst_relevant(in, fr, parent))
                return 0;
        } else if (fr->parent && !inst_relevant(in, fr->parent, parent)) {
            return 0;
        }
    }
    return !fq->relevant || inst_eval_bool(in, fr, q, fq->relevant);
}

/* Replace the answer slot of q in fr. */
void inst_store(inst_frame *fr, int q, const char *v)
{
    size_t i = (size_t)(q - fr->lo);
    free(fr->val[i]);
    fr->val[i] = v && *v ? xstrdup(v) : NULL;
}

/* The number of members the count of repeat r in fr asks for (NaN when
 * it is not a number). */
static double inst_count_asked(inst *in, inst_frame *fr, int r)
{
    char *s = inst_eval_string(in, fr, r, in->f->q[r].count);
    double d = val_parse_number(s);
    free(s);
    return d;
}

int inst_count_exceeds(inst *in, inst_frame *fr, int r)
{
    if (!in->f->q[r].count || !inst_relevant(in, fr, r))
        return 0;
    double d = inst_count_asked(in, fr, r);
    return d == d && d > FORM_MAX_REPEAT;
}

/* Make the number of instances of repeat r in fr follow its count. */
static void inst_sync_count(inst *in, inst_frame *fr, int r)
{
    const form_question *fq = &in->f->q[r];
    if (!fq->count)
        return;
    double d = inst_count_asked(in, fr, r);
    size_t want = 0;
    if (d == d && d > 0)
        want = d > FORM_MAX_REPEAT ? FORM_MAX_REPEAT : (size_t)d;
    if (d == d && d > FORM_MAX_REPEAT)
        in->overflow = r + 1;   /* bounded, and said (inst_count_overflow) */
    if (!inst_relevant(in, fr, r))
        want = 0;
    while (inst_repeat_count(in, fr, r) < want)
        inst_repeat_add(in, fr, r);
    while (inst_repeat_count(in, fr, r) > want)
        inst_repeat_remove(in, fr, r, inst_repeat_count(in, fr, r) - 1);
}

/* Recompute relevance and calculation of q in fr; when a group's or a
 * repeat's relevance changes, everything inside follows. */
static void inst_recompute_frame(inst *in, inst_frame *fr, int q)
{
    const form_question *fq = &in->f->q[q];
    size_t i = (size_t)(q - fr->lo);
    int rel = inst_compute_relevance(in, fr, q);
    int changed = rel != fr->rel[i];
    fr->rel[i] = (unsigned char)rel;
    if (fq->calculation && fq->type != QT_GROUP && fq->type != QT_REPEAT) {
        char *s = rel ? inst_eval_string(in, fr, q, fq->calculation) : NULL;
        inst_store(fr, q, s);
        free(s);
    }
    if (fq->type == QT_REPEAT) {
        inst_sync_count(in, fr, q);
        if (changed)
            for (size_t k = 0; k < fr->nkids[i]; k++)
                for (int d = q + 1; d < fq->end; d++)
                    if (in->f->q[d].repeat == q)
                        inst_recompute_frame(in, fr->kids[i][k], d);
    } else if (fq->type == QT_GROUP && changed) {
        for (int d = q + 1; d < fq->end; d++)
            if (inst_in_scope(in->f, d, fr->repeat))
                inst_recompute_frame(in, fr, d);
    }
}

/* Recompute every question of frame fr, in dependency order. */
static void inst_recompute_all(inst *in, inst_frame *fr)
{
    const form *f = in->f;
    for (size_t k = 0; k < f->nq; k++) {
        int q = f->order[k];
        if (q >= fr->lo && q < fr->hi && inst_in_scope(f, q, fr->repeat))
            inst_recompute_frame(in, fr, q);
    }
}

/* The value of question q's computed default in frame fr: now() on a
 * date question keeps the date. Newly allocated. */
static char *inst_default_value(inst *in, inst_frame *fr, int q)
{
    const form_question *fq = &in->f->q[q];
    char *v = inst_eval_string(in, fr, q, fq->default_expr);
    double days;
    if (fq->type == QT_DATE && *v && val_parse_date(v, &days) == 0) {
        free(v);
        v = val_format_date(floor(days));
    }
    return v;
}

/* Apply the defaults of the questions of frame fr: literal ones as
 * written, computed ones (today()) evaluated now. A computed default is
 * saved as an answer when it is made (inst_unsaved_defaults), so an
 * interview being restored from its answers does not compute it again: a
 * later day would give another date, and an answer cleared would come
 * back. */
static void inst_apply_defaults(inst *in, inst_frame *fr)
{
    for (int q = fr->lo; q < fr->hi; q++) {
        const form_question *fq = &in->f->q[q];
        if (!inst_in_scope(in->f, q, fr->repeat))
            continue;
        if (fq->default_value) {
            inst_store(fr, q, fq->default_value);
        } else if (fq->default_expr && !in->replaying) {
            char *v = inst_default_value(in, fr, q);
            inst_store(fr, q, *v ? v : NULL);
            fr->defaults_unsaved |= *v != '\0';
            free(v);
        }
    }
}

/* inst_unsaved_defaults over fr and every instance inside it. */
static int inst_unsaved_in(inst *in, inst_frame *fr,
                           int (*save)(void *, inst_frame *, int, const char *),
                           void *ctx)
{
    int rc = 0;
    for (int q = fr->lo; q < fr->hi && !rc; q++) {
        const form_question *fq = &in->f->q[q];
        if (fq->repeat != fr->repeat)
            continue;
        size_t i = (size_t)(q - fr->lo);
        if (fq->type == QT_REPEAT)
            for (size_t k = 0; k < fr->nkids[i] && !rc; k++)
                rc = inst_unsaved_in(in, fr->kids[i][k], save, ctx);
        else if (fr->defaults_unsaved && fq->default_expr && fr->val[i])
            rc = save(ctx, fr, q, fr->val[i]);
    }
    if (!rc)
        fr->defaults_unsaved = 0;
    return rc;
}

int inst_unsaved_defaults(inst *in,
                          int (*save)(void *ctx, inst_frame *fr, int q,
                                      const char *v),
                          void *ctx)
{
    return inst_unsaved_in(in, in->root, save, ctx);
}

/* An interview with defaults applied but nothing computed yet. */
inst *inst_alloc(const form *f, int lang, int restoring,
                 const expr_lists *extra)
{
    inst *in = xcalloc(1, sizeof *in);
    in->f = f;
    in->lang = lang;
    in->replaying = restoring;
    form_list_source_init(&in->lists, f, &in->lang, extra);
    /* Without a seed, choices keep one shuffled order while the interview
     * is open, rather than a new one at every redraw. */
    if (sodium_init() < 0)
        abort();
    in->shuffle_seed = 1 + (double)randombytes_uniform(2147483646);
    in->mark = xcalloc(f->nq ? f->nq : 1, 1);
    in->queue = xcalloc(f->nq ? f->nq : 1, sizeof *in->queue);
    in->root = inst_frame_new(f, -1, NULL);
    inst_apply_defaults(in, in->root);
    return in;
}

inst *inst_new_with(const form *f, int lang, const expr_lists *extra)
{
    inst *in = inst_alloc(f, lang, 0, extra);
    inst_recompute_all(in, in->root);
    return in;
}

inst *inst_new(const form *f, int lang)
{
    return inst_new_with(f, lang, NULL);
}

void inst_free(inst *in)
{
    if (!in)
        return;
    inst_frame_free(in->root);
    free(in->mark);
    free(in->queue);
    free(in);
}

const form *inst_form(const inst *in) { return in->f; }
inst_frame *inst_root(inst *in) { return in->root; }
void inst_set_now(inst *in, time_t now) { in->now = now; }
void inst_set_lang(inst *in, int lang) { in->lang = lang; }
void inst_set_lists(inst *in, const expr_lists *extra) { in->lists.next = extra; }
int inst_lang(const inst *in) { return in->lang; }
inst_frame *inst_frame_parent(const inst_frame *fr) { return fr->parent; }
int inst_frame_repeat(const inst_frame *fr) { return fr->repeat; }
int inst_frame_position(const inst_frame *fr) { return fr->position; }

const char *inst_get(const inst *in, const inst_frame *fr, int q)
{
    if (!fr || q < fr->lo || q >= fr->hi)
        return NULL;
    return fr->val[q - fr->lo];
}

int inst_relevant(const inst *in, const inst_frame *fr, int q)
{
    if (!fr || q < fr->lo || q >= fr->hi)
        return 0;
    return fr->rel[q - fr->lo];
}

/* Mark every question reachable through dependents from the questions
 * [first, last), not counting those sources themselves. */
static void inst_mark_affected_range(inst *in, int first, int last)
{
    const form *f = in->f;
    memset(in->mark, 0, f->nq);
    size_t head = 0, tail = 0;
    for (int q = first; q < last; q++) {
        in->queue[tail++] = q;
        in->mark[q] = 1;
    }
    while (head < tail) {
        const form_question *fq = &f->q[in->queue[head++]];
        for (size_t i = 0; i < fq->ndependents; i++) {
            int d = fq->dependents[i];
            if (!in->mark[d]) {
                in->mark[d] = 1;
                in->queue[tail++] = d;
            }
        }
    }
    for (int q = first; q < last; q++)
        in->mark[q] = 0;
}

/* Mark what depends on q, directly or not. */
static void inst_mark_affected(inst *in, int q)
{
    inst_mark_affected_range(in, q, q + 1);
}

int inst_touches_counted(inst *in, int q)
{
    const form *f = in->f;
    inst_mark_affected(in, q);
    in->mark[q] = 1;
    for (size_t d = 0; d < f->nq; d++) {
        if (!in->mark[d] || (f->q[d].type != QT_REPEAT && f->q[d].type != QT_GROUP))
            continue;
        /* A counted repeat at or inside d follows d's count or relevance. */
        for (int k = (int)d; k < f->q[d].end; k++)
            if (f->q[k].type == QT_REPEAT && f->q[k].count)
                return 1;
    }
    return 0;
}

/* Adapter for inst_each_frame. */
struct inst_recompute_arg {
    inst *in;
    int q;
};

static void inst_recompute_cb(void *arg, inst_frame *fr)
{
    struct inst_recompute_arg *a = arg;
    inst_recompute_frame(a->in, fr, a->q);
}

/* Whether q's value or relevance reads other instances of a roster than
 * its own (indexed-repeat), so every instance recomputes on a change. */
static int inst_reads_every_instance(const form_question *q)
{
    return (q->calculation && expr_reads_every_instance(q->calculation)) ||
           (q->relevant && expr_reads_every_instance(q->relevant));
}

/* A copy of the marks just made: recomputing can add or remove repeat
 * instances, which marks again (inst_repeat_changed) and would otherwise
 * wipe the marks of the walk in progress, leaving later questions (a
 * section's relevance) stale. Newly allocated. */
static unsigned char *inst_take_marks(const inst *in)
{
    unsigned char *m = xmalloc(in->f->nq ? in->f->nq : 1);
    memcpy(m, in->mark, in->f->nq);
    return m;
}

void inst_set(inst *in, inst_frame *fr, int q, const char *v)
{
    const form *f = in->f;
    inst_store(fr, q, v);
    inst_mark_affected(in, q);
    unsigned char *mark = inst_take_marks(in);
    for (size_t k = 0; k < f->nq; k++) {
        int d = f->order[k];
        if (!mark[d])
            continue;
        int r = f->q[d].repeat;
        struct inst_recompute_arg a = {in, d};
        inst_frame *top = inst_reads_every_instance(&f->q[d])
                              ? in->root : inst_common_frame(f, fr, r);
        inst_each_frame(f, top, r, inst_recompute_cb, &a);
    }
    free(mark);
}

/* After instances of repeat r under parent were added or removed, recompute
 * what depends on the repeat outside it (counts, sums, positions). */
static void inst_repeat_changed(inst *in, inst_frame *parent, int r)
{
    const form *f = in->f;
    /* Node-sets over any question of the repeat change with it. */
    inst_mark_affected_range(in, r, f->q[r].end);
    unsigned char *mark = inst_take_marks(in);
    for (size_t k = 0; k < f->nq; k++) {
        int d = f->order[k];
        int dr = f->q[d].repeat;
        if (!mark[d] || d == r ||
            (inst_repeat_encloses(f, r, dr) &&
             !inst_reads_every_instance(&f->q[d])))
            continue;
        struct inst_recompute_arg a = {in, d};
        inst_each_frame(f, inst_common_frame(f, parent, dr), dr,
                        inst_recompute_cb, &a);
    }
    free(mark);
}

size_t inst_repeat_count(const inst *in, const inst_frame *parent, int r)
{
    if (!parent || r < parent->lo || r >= parent->hi)
        return 0;
    return parent->nkids[r - parent->lo];
}

inst_frame *inst_repeat_get(const inst *in, const inst_frame *parent, int r,
                            size_t i)
{
    if (i >= inst_repeat_count(in, parent, r))
        return NULL;
    return parent->kids[r - parent->lo][i];
}

unsigned long inst_members_added(const inst *in)
{
    return in->added;
}

inst_frame *inst_repeat_add(inst *in, inst_frame *parent, int r)
{
    size_t i = (size_t)(r - parent->lo);
    size_t n = parent->nkids[i];
    parent->kids[i] = xrealloc(parent->kids[i], (n + 1) * sizeof **parent->kids);
    inst_frame *fr = inst_frame_new(in->f, r, parent);
    fr->position = (int)n + 1;
    parent->kids[i][n] = fr;
    parent->nkids[i] = n + 1;
    in->added++;
    inst_apply_defaults(in, fr);
    if (in->replaying) {
        in->grew = 1;  /* recomputed by the replay's next full pass */
        return fr;
    }
    inst_recompute_all(in, fr);
    inst_repeat_changed(in, parent, r);
    return fr;
}

void inst_repeat_remove(inst *in, inst_frame *parent, int r, size_t i)
{
    size_t s = (size_t)(r - parent->lo);
    size_t n = parent->nkids[s];
    if (i >= n)
        return;
    inst_frame_free(parent->kids[s][i]);
    memmove(&parent->kids[s][i], &parent->kids[s][i + 1],
            (n - i - 1) * sizeof **parent->kids);
    parent->nkids[s] = n - 1;
    for (size_t k = i; k < n - 1; k++)
        parent->kids[s][k]->position = (int)k + 1;
    /* Recompute the instances that moved (position(..) changed) and what
     * depends on the repeat. */
    for (size_t k = i; k < n - 1; k++)
        inst_recompute_all(in, parent->kids[s][k]);
    inst_repeat_changed(in, parent, r);
}

void inst_recompute(inst *in)
{
    const form *f = in->f;
    for (size_t k = 0; k < f->nq; k++) {
        int q = f->order[k];
        struct inst_recompute_arg a = {in, q};
        inst_each_frame(f, in->root, f->q[q].repeat, inst_recompute_cb, &a);
    }
}
