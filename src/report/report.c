/* report.c: computing a report: one pass over the context form (the
 * commune), one streaming pass over every other interview into running
 * totals, then conditions, verdicts and the needs ranking. */
#include "config.h"
#include "report/report_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/canon.h"
#include "core/i18n.h"
#include "core/value.h"
#include "report/report_emit.h"

void rwarn_add(rwarn *w, char *msg)
{
    w->v = xrealloc(w->v, (w->n + 1) * sizeof *w->v);
    w->v[w->n++] = msg;
}

static void rwarn_free(rwarn *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
}

/* The village with this code, added when new. */
static rvillage *village_get(rrun *R, const char *code)
{
    return report_village(R->r, R->d, code);
}

/* The enumerator row of (name, form), added when new. */
static renum *enum_get(rrun *R, const char *name, const char *form_id)
{
    return report_enum(R->r, name, form_id);
}

/* First pass: note the key of every complete context interview. */
static int ctx_keys_cb(void *ctx, const rscan_iv *iv, inst *in)
{
    rrun *R = ctx;
    if (!iv->complete || !in)
        return 0;
    rcomp *c = rcomp_get(R, inst_form(in));
    char *k = rev_str(in, inst_root(in), c->key);
    for (size_t i = 0; i < R->nkeys; i++)
        if (!strcmp(R->keys[i], k)) {
            free(k);
            return 0;
        }
    R->keys = xrealloc(R->keys, (R->nkeys + 1) * sizeof *R->keys);
    R->keys[R->nkeys++] = k;
    return 0;
}

/* What report_context_each carries through the scan. */
typedef struct ctx_each {
    rrun *R;
    rctx_fn fn;
    void *ctx;
} ctx_each;

static int ctx_each_cb(void *ctx, const rscan_iv *iv, inst *in)
{
    ctx_each *x = ctx;
    if (!iv->complete || !in)
        return 0;
    rcomp *c = rcomp_get(x->R, inst_form(in));
    char *code = rev_str(in, inst_root(in), c->key);
    char *name = rev_str(in, inst_root(in), c->name);
    int rc = x->fn(x->ctx, iv->uuid, code, name);
    free(code);
    free(name);
    return rc;
}

/* The village roster of the context interview. */
static void ctx_roster(rrun *R, rcomp *c, inst *in)
{
    if (c->roster < 0 || !c->v_code)
        return;
    inst_frame *root = inst_root(in);
    size_t n = inst_repeat_count(in, root, c->roster);
    for (size_t i = 0; i < n; i++) {
        inst_frame *fr = inst_repeat_get(in, root, c->roster, i);
        char *code = rev_str(in, fr, c->v_code);
        if (*code) {
            rvillage *v = village_get(R, code);
            if (c->v_name && !v->name)
                v->name = rev_str(in, fr, c->v_name);
            double p = c->v_planned ? rev_num(in, fr, c->v_planned) : NAN;
            if (p == p)
                v->planned = (long)p;
        }
        free(code);
    }
}

/* Thresholds and needs read from the context interview (in may be NULL:
 * then only thresholds that are plain numbers are known). */
static void ctx_eval(rrun *R, rcomp *c, inst *in)
{
    const report_def *d = R->d;
    report_result *r = R->r;
    for (size_t i = 0; i < d->nconds; i++)
        for (size_t k = 0; k < d->conds[i].ntests; k++) {
            rtest_res *t = &r->tests[i][k];
            const expr *e = c->at_least[i][k] ? c->at_least[i][k]
                                              : c->at_most[i][k];
            t->at_most = !c->at_least[i][k] && c->at_most[i][k];
            t->has_threshold = d->conds[i].tests[k].at_least.text ||
                               d->conds[i].tests[k].at_most.text;
            if (e && (in || expr_ref_count(e) == 0)) {
                inst *tmp = in ? NULL : inst_new(c->f, c->f->default_lang);
                inst *use = in ? in : tmp;
                t->threshold = rev_num(use, inst_root(use), e);
                inst_free(tmp);
            }
        }
    for (size_t i = 0; in && i < d->nfigs; i++)
        r->expected[i] = c->expected[i] ? rev_num(in, inst_root(in),
                                                 c->expected[i]) : NAN;
    for (size_t i = 0; in && i < d->nverdicts; i++) {
        double x = c->exempt[i] ? rev_num(in, inst_root(in), c->exempt[i]) : 0;
        r->exempt[i] = x != x ? -1 : x != 0;
    }
    for (size_t i = 0; in && i < d->nneeds; i++) {
        double nv = rev_num(in, inst_root(in), c->need[i]);
        r->needs[i].need = nv != nv ? -1 : nv != 0;
        r->needs[i].priority = c->prio[i] ? rev_num(in, inst_root(in), c->prio[i])
                                          : NAN;
    }
}

/* report_tallies_of's callback: add to the result's tallies. */
static void tally_add_cb(void *ctx, size_t i, const char *code)
{
    report_result *r = ctx;
    if (*code)
        report_tally_count(r, i, code, 1);
    else
        r->tallies[i].units++;
}

/* Count the tallies of form df in interview in. */
static void tally_interview(rrun *R, int df, inst *in)
{
    report_tallies_of(R->d, df, in, tally_add_cb, R->r);
}

/* The question a column's value is when it is a bare "${q}" reference,
 * else -1. */
static int bare_question(const form *f, const char *src)
{
    while (*src == ' ')
        src++;
    if (strncmp(src, "${", 2))
        return -1;
    const char *e = strchr(src + 2, '}');
    if (!e || e[1 + strspn(e + 1, " ")])
        return -1;
    char *id = xstrndup(src + 2, (size_t)(e - src - 2));
    int q = form_find(f, id);
    free(id);
    return q;
}

/* A list cell as people read it (newly allocated): the labels of a
 * choice question's codes, a number in the report's language ("78,4"),
 * else the value as it is. */
static char *list_cell(const report_result *r, const form *f, int q,
                       char *value)
{
    if (q < 0 || !*value)
        return value;
    const form_question *fq = &f->q[q];
    if (fq->type == QT_INTEGER || fq->type == QT_DECIMAL) {
        double x = val_parse_number(value);
        if (x != x)
            return value;
        free(value);
        return rfmt_dec(r->lang, x);
    }
    if (fq->list < 0)
        return value;
    const form_list *l = &f->lists[fq->list];
    sbuf b;
    sbuf_init(&b);
    for (char *tok = strtok(value, " "); tok; tok = strtok(NULL, " ")) {
        const char *lab = tok;
        for (size_t c = 0; c < l->nchoices; c++)
            if (!strcmp(l->choices[c].value, tok)) {
                const char *t = form_text_get(f, l->choices[c].label,
                                              form_lang(f, r->lang));
                lab = t ? t : tok;
            }
        sbuf_addf(&b, "%s%s", b.len ? ", " : "", lab);
    }
    free(value);
    if (!b.s)
        sbuf_add(&b, "");
    return sbuf_detach(&b);
}

/* The rows of the definition's lists, read from the context interview. */
static void ctx_lists(rrun *R, rcomp *c, inst *in)
{
    const report_def *d = R->d;
    for (size_t i = 0; i < d->nlists; i++) {
        const rdef_list *l = &d->lists[i];
        rlist_res *lr = &R->r->lists[i];
        int rq = form_find(c->f, l->repeat);
        if (rq < 0 || c->f->q[rq].type != QT_REPEAT)
            continue;
        expr **e = xcalloc(l->ncols + 1, sizeof *e);
        int *bq = xcalloc(l->ncols + 1, sizeof *bq);
        for (size_t k = 0; k < l->ncols; k++) {
            e[k] = rcomp_one(R, c->f, &l->col_value[k]);
            bq[k] = l->col_value[k].text
                ? bare_question(c->f, l->col_value[k].text) : -1;
        }
        inst_frame *root = inst_root(in);
        size_t n = inst_relevant(in, root, rq) ? inst_repeat_count(in, root, rq)
                                               : 0;
        lr->cells = xcalloc(n * l->ncols + 1, sizeof *lr->cells);
        for (size_t j = 0; j < n; j++) {
            inst_frame *fr = inst_repeat_get(in, root, rq, j);
            for (size_t k = 0; k < l->ncols; k++)
                lr->cells[j * l->ncols + k] =
                    list_cell(R->r, c->f, bq[k], rev_str(in, fr, e[k]));
        }
        lr->nrows = n;
        for (size_t k = 0; k < l->ncols; k++)
            expr_free(e[k]);
        free(e);
        free(bq);
    }
}

/* Second pass over the context form: evaluate the chosen interview. */
static int ctx_eval_cb(void *ctx, const rscan_iv *iv, inst *in)
{
    rrun *R = ctx;
    report_result *r = R->r;
    rformstat *fs = &r->forms[R->d->context];
    renum *e = enum_get(R, iv->enumerator, iv->form_id);
    if (!iv->complete) {
        fs->drafts++;
        e->drafts++;
        return 0;
    }
    if (!in) {
        fs->unreadable++;
        return 0;
    }
    rcomp *c = rcomp_get(R, inst_form(in));
    char *k = rev_str(in, inst_root(in), c->key);
    int chosen = r->commune_code && !strcmp(k, r->commune_code);
    free(k);
    if (!chosen)
        return 0;
    fs->complete++;
    e->complete++;
    if (R->ctx_done) {
        R->ctx_dups++;
        return 0;
    }
    R->ctx_done = 1;
    r->have_context = 1;
    r->commune_name = c->name ? rev_str(in, inst_root(in), c->name) : NULL;
    r->province = c->province ? rev_str(in, inst_root(in), c->province) : NULL;
    ctx_lists(R, c, in);
    tally_interview(R, R->d->context, in);
    racc_interview(R, c, in, r->acc, NULL);
    ctx_roster(R, c, in);
    ctx_eval(R, c, in);
    return 0;
}

/* Main pass: every interview of the other forms. */
static int main_cb(void *ctx, const rscan_iv *iv, inst *in)
{
    rrun *R = ctx;
    const report_def *d = R->d;
    report_result *r = R->r;
    if (d->context >= 0 && !strcmp(iv->form_id, d->forms[d->context].id))
        return 0;
    rcomp *c = in ? rcomp_get(R, inst_form(in)) : NULL;
    int df = -1;
    for (size_t i = 0; i < d->nforms; i++)
        if (!strcmp(d->forms[i].id, iv->form_id))
            df = (int)i;
    if (df < 0)
        return 0;
    rformstat *fs = &r->forms[df];
    renum *e = enum_get(R, iv->enumerator, iv->form_id);
    if (!in) {
        if (iv->complete)
            fs->unreadable++;
        else
            fs->drafts++, e->drafts++;
        return 0;
    }
    rvillage *v = NULL;
    /* Coverage per village counts the first form with villages (the
     * households); the others still give figures per village. */
    int counted = df == R->village_form;
    if (c->village) {
        char *code = rev_str(in, inst_root(in), c->village);
        v = village_get(R, *code ? code : "?");
        free(code);
    }
    if (!iv->complete) {
        fs->drafts++;
        e->drafts++;
        if (v && counted)
            v->drafts++;
        return 0;
    }
    e->complete++;
    report_note_key(r, c->f, in);
    if (c->include && rev_num(in, inst_root(in), c->include) == 0) {
        fs->excluded++;
        if (v && counted)
            v->excluded++;
        return 0;
    }
    fs->complete++;
    if (v && counted)
        v->complete++;
    report_note_time(r, iv->created);
    tally_interview(R, df, in);
    racc_interview(R, c, in, r->acc, v ? v->acc : NULL);
    return 0;
}

report_result *report_result_new(const report_def *d, const report_opts *o)
{
    report_result *r = xcalloc(1, sizeof *r);
    r->def = d;
    r->lang = xstrdup(o->lang ? o->lang : "vi");
    r->generated = xstrdup(o->generated);
    r->by_village = o->by_village;
    r->forms = xcalloc(d->nforms, sizeof *r->forms);
    r->acc = xcalloc(d->nfigs, sizeof *r->acc);
    r->val = xcalloc(d->nfigs, sizeof *r->val);
    r->fwarn = xcalloc(d->nfigs, sizeof *r->fwarn);
    r->dunits = xcalloc(d->nfigs, sizeof *r->dunits);
    r->expected = xcalloc(d->nfigs, sizeof *r->expected);
    for (size_t i = 0; i < d->nfigs; i++)
        r->expected[i] = NAN;
    r->exempt = xcalloc(d->nverdicts, sizeof *r->exempt);
    r->lists = xcalloc(d->nlists + 1, sizeof *r->lists);
    r->tallies = xcalloc(d->ntallies + 1, sizeof *r->tallies);
    r->tests = xcalloc(d->nconds, sizeof *r->tests);
    for (size_t i = 0; i < d->nconds; i++) {
        r->tests[i] = xcalloc(d->conds[i].ntests, sizeof **r->tests);
        for (size_t k = 0; k < d->conds[i].ntests; k++)
            r->tests[i][k].threshold = NAN;
    }
    r->cond_st = xcalloc(d->nconds, sizeof *r->cond_st);
    r->verdict_st = xcalloc(d->nverdicts, sizeof *r->verdict_st);
    r->needs = xcalloc(d->nneeds, sizeof *r->needs);
    for (size_t i = 0; i < d->nneeds; i++) {
        r->needs[i].need = -1;
        r->needs[i].priority = NAN;
    }
    r->need_order = xcalloc(d->nneeds, sizeof *r->need_order);
    return r;
}

char *report_choice_problem(const char *form_id, char *const *keys,
                            size_t n, const char *commune)
{
    if (commune) {
        for (size_t i = 0; i < n; i++)
            if (!strcmp(keys[i], commune))
                return NULL;
        return xasprintf(_("no complete %s interview with key '%s' in "
                           "the database"), form_id, commune);
    }
    if (n <= 1)
        return NULL;
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        sbuf_addf(&b, "%s%s", i ? ", " : "", keys[i]);
    char *msg = xasprintf(_("the database holds %zu communes (%s); choose "
                            "one with --commune"), n, b.s);
    sbuf_free(&b);
    return msg;
}

/* Non-zero when the first pass saw context key key. */
static int has_key(const rrun *R, const char *key)
{
    for (size_t i = 0; i < R->nkeys; i++)
        if (!strcmp(R->keys[i], key))
            return 1;
    return 0;
}

/* Choose the commune: the one asked for, or the only one there is. */
static int choose_context(rrun *R, char **err)
{
    const report_def *d = R->d;
    report_result *r = R->r;
    const char *id = d->forms[d->context].id;
    if (rscan_each(R->s, R->cat, id, 0, ctx_keys_cb, R, err) < 0)
        return -1;
    unsigned sel = rscan_selection(R->s);
    int unapproved = 0;
    if (R->o->commune && (sel & RSCAN_APPROVED_ONLY)
        && !has_key(R, R->o->commune)) {
        /* A commune form awaiting review still names its commune (as in
         * the comparison): the report is made, without its figures. */
        rscan_select(R->s, sel & ~(unsigned)RSCAN_APPROVED_ONLY);
        int rc = rscan_each(R->s, R->cat, id, 0, ctx_keys_cb, R, err);
        rscan_select(R->s, sel);
        if (rc < 0)
            return -1;
        unapproved = has_key(R, R->o->commune);
    }
    if ((*err = report_choice_problem(id, R->keys, R->nkeys,
                                      R->o->commune)) != NULL)
        return -1;
    if (R->o->commune)
        r->commune_code = xstrdup(R->o->commune);
    else if (R->nkeys == 1)
        r->commune_code = xstrdup(R->keys[0]);
    if (rscan_each(R->s, R->cat, id, 1, ctx_eval_cb, R, err) < 0)
        return -1;
    if (!r->have_context) {
        /* Thresholds written as plain numbers still apply. */
        const form *f = catalog_find(R->cat, id, NULL);
        if (f)
            ctx_eval(R, rcomp_get(R, f), NULL);
        if (unapproved)
            rwarn_add(&r->warn, xasprintf(_("the %s form of %s is not "
                      "approved (--approved-only): conditions and figures "
                      "from it have no data"), id, r->commune_code));
        else
            rwarn_add(&r->warn, xasprintf(_("no complete %s form: "
                      "conditions and figures from it have no data"), id));
    }
    if (R->ctx_dups)
        rwarn_add(&r->warn, xasprintf(_("%d more complete %s interviews with "
                  "key %s were ignored"), R->ctx_dups, id, r->commune_code));
    return 0;
}

/* The main pass in this process alone. */
static int main_pass_serial(rrun *R, char **err)
{
    return rscan_each(R->s, R->cat, NULL, 1, main_cb, R, err) < 0 ? -1 : 0;
}

/* The worker's half of the main pass; never returns. */
static void main_pass_worker(rrun *R, int fd)
{
    FILE *w = fdopen(fd, "wb");
    char *e = NULL;
    int ok = w && rscan_reconnect(R->s, &e) == 0;
    if (ok) {
        rpart_reset(R->r, R->d);
        rscan_partition(R->s, 1, 2);
        ok = rscan_each(R->s, R->cat, NULL, 1, main_cb, R, &e) >= 0;
    }
    if (ok)
        rpart_write(w, R->r, R->d);
    ok = ok && fflush(w) == 0 && !ferror(w);
    rscan_disconnect(R->s);
    free(e);
    _exit(ok ? 0 : 1);
}

/* The main pass over every interview. With many interviews and more than
 * one core, a worker process takes every other interview and sends its
 * totals back, which halves the wait on a two-core laptop. */
static int main_pass(rrun *R, char **err)
{
    /* From the stored figures when every complete interview has them;
     * the drafts (only counted) are replayed. */
    int stored = report_sql_pass(R, err);
    if (stored <= 0) {
        /* Form by form: each form's drafts are found by its index. */
        rscan_drafts_only(R->s, 1);
        for (size_t i = 0; stored == 0 && i < R->d->nforms; i++)
            if (!R->d->forms[i].context)
                stored = rscan_each(R->s, R->cat, R->d->forms[i].id, 1,
                                    main_cb, R, err) < 0 ? -1 : 0;
        rscan_drafts_only(R->s, 0);
        return stored;
    }
    int jobs = R->o->jobs;
    if (jobs <= 0)
        jobs = sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
               rscan_interview_count(R->s) >= 1000 ? 2 : 1;
    int fds[2];
    if (jobs < 2 || pipe(fds) != 0)
        return main_pass_serial(R, err);
    fflush(NULL);
    rscan_disconnect(R->s);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        main_pass_worker(R, fds[1]);
    }
    if (rscan_reconnect(R->s, err)) {
        close(fds[0]);
        close(fds[1]);
        if (pid > 0)
            waitpid(pid, NULL, 0);
        return -1;
    }
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return main_pass_serial(R, err);
    }
    close(fds[1]);
    rscan_partition(R->s, 0, 2);
    int rc = main_pass_serial(R, err);
    rscan_partition(R->s, 0, 1);
    /* Read the worker's totals even after a failure here, so that it never
     * blocks on a full pipe. */
    FILE *rd = fdopen(fds[0], "rb");
    int merged = rd && rpart_merge(rd, R->r, R->d) == 0;
    if (rd)
        fclose(rd);
    else
        close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && !(merged && WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        *err = xstrdup(_("the report's second process failed; "
                         "run again with --jobs 1"));
        rc = -1;
    }
    return rc;
}

/* The report over what the scan keeps. */
static int report_run_kept(const report_def *def, const catalog *cat,
                           rscan *s, const report_opts *o,
                           report_result **out, char **err)
{
    *out = NULL;
    rrun R = {def, cat, s, o, report_result_new(def, o), NULL, 0, NULL, 0, 0, 0, -1, 0, 0};
    for (size_t i = 0; i < def->nforms && R.village_form < 0; i++)
        if (!def->forms[i].context && def->forms[i].village.text)
            R.village_form = (int)i;
    int rc = def->context >= 0 ? choose_context(&R, err) : 0;
    if (rc == 0)
        rc = main_pass(&R, err);
    if (rc == 0)
        report_finish(&R);
    for (size_t i = 0; i < R.ncomps; i++)
        rcomp_free(def, R.comps[i]);
    free(R.comps);
    for (size_t i = 0; i < R.nkeys; i++)
        free(R.keys[i]);
    free(R.keys);
    if (rc) {
        report_result_free(R.r);
        return -1;
    }
    *out = R.r;
    return 0;
}

int report_run(const report_def *def, const catalog *cat, rscan *s,
               const report_opts *o, report_result **out, char **err)
{
    *out = NULL;
    if (!o->commune || def->context < 0 || rscan_scoped(s))
        return report_run_kept(def, cat, s, o, out, err);
    char **uuids;
    size_t n;
    int no_form = 0;
    if (report_commune_scope(def, cat, s, o, &uuids, &n, &no_form, err) < 0)
        return -1;
    if (n)
        rscan_only(s, uuids, n);
    /* A commune known only by its setting: its interviews, without the
     * commune form's figures (the report says none came). */
    report_opts formless = *o;
    formless.commune = NULL;
    int rc = report_run_kept(def, cat, s, no_form ? &formless : o, out, err);
    rscan_only(s, NULL, 0);
    for (size_t i = 0; i < n; i++)
        free(uuids[i]);
    free(uuids);
    return rc;
}

int report_context_each(const report_def *def, const catalog *cat, rscan *s,
                        rctx_fn fn, void *ctx, char **err)
{
    if (def->context < 0)
        return 0;
    report_opts o = {0};
    rrun R = {def, cat, s, &o, report_result_new(def, &o), NULL, 0, NULL, 0, 0, 0, -1, 0, 0};
    ctx_each x = {&R, fn, ctx};
    int rc = rscan_each(s, cat, def->forms[def->context].id, 0, ctx_each_cb,
                        &x, err);
    for (size_t i = 0; i < R.ncomps; i++)
        rcomp_free(def, R.comps[i]);
    free(R.comps);
    report_result_free(R.r);
    return rc;
}

/* Free what r keeps per interview and per village, keeping only what
 * the comparison of communes shows of it (figures, statuses, coverage):
 * the province keeps one such summary per commune, so its memory is
 * bounded by the number of communes, not of interviews.  The villages
 * stay, emptied, for their planned households. */
void report_result_slim(report_result *r)
{
    const report_def *d = r->def;
    for (size_t i = 0; i < r->nikeys; i++)
        free(r->ikeys[i]);
    free(r->ikeys);
    r->ikeys = NULL;
    r->nikeys = r->capikeys = 0;
    for (size_t i = 0; i < d->nfigs; i++) {
        for (size_t k = 0; k < r->dunits[i].n; k++)
            free(r->dunits[i].v[k].key);
        free(r->dunits[i].v);
        r->dunits[i] = (rdlist){0};
    }
    for (size_t i = 0; i < d->nlists; i++) {
        for (size_t k = 0; k < r->lists[i].nrows * d->lists[i].ncols; k++)
            free(r->lists[i].cells[k]);
        free(r->lists[i].cells);
        r->lists[i] = (rlist_res){0};
    }
    for (size_t i = 0; i < d->ntallies; i++) {
        for (size_t k = 0; k < r->tallies[i].cnt; k++) {
            free(r->tallies[i].code[k]);
            if (r->tallies[i].label)
                free(r->tallies[i].label[k]);
        }
        free(r->tallies[i].code);
        free(r->tallies[i].label);
        free(r->tallies[i].n);
        r->tallies[i] = (rtally_res){0};
    }
    for (size_t i = 0; i < r->nvillages; i++) {
        rvillage *v = &r->villages[i];
        free(v->code);
        free(v->name);
        free(v->acc);
        free(v->val);
        v->code = v->name = NULL;
        v->acc = NULL;
        v->val = NULL;
    }
    for (size_t i = 0; i < r->nenums; i++) {
        free(r->enums[i].name);
        free(r->enums[i].form);
    }
    free(r->enums);
    r->enums = NULL;
    r->nenums = 0;
}

void report_result_free(report_result *r)
{
    if (!r)
        return;
    const report_def *d = r->def;
    /* What a summary does not keep first, then the summary itself. */
    report_result_slim(r);
    for (size_t i = 0; i < d->nfigs; i++)
        rwarn_free(&r->fwarn[i]);
    free(r->dunits);
    free(r->lists);
    free(r->tallies);
    free(r->province);
    free(r->first);
    free(r->last);
    free(r->expected);
    free(r->exempt);
    for (size_t i = 0; i < d->nconds; i++)
        free(r->tests[i]);
    rwarn_free(&r->warn);
    free(r->villages);
    free(r->enums);
    free(r->tests);
    free(r->cond_st);
    free(r->verdict_st);
    free(r->needs);
    free(r->need_order);
    free(r->forms);
    free(r->acc);
    free(r->val);
    free(r->fwarn);
    free(r->lang);
    free(r->generated);
    free(r->commune_code);
    free(r->commune_name);
    free(r);
}

report_status report_status_of(const report_result *r, const char *id)
{
    const report_def *d = r->def;
    for (size_t i = 0; i < d->nconds; i++)
        if (!strcmp(d->conds[i].id, id))
            return r->cond_st[i];
    for (size_t i = 0; i < d->nverdicts; i++)
        if (!strcmp(d->verdicts[i].id, id))
            return r->verdict_st[i];
    return REPORT_NO_DATA;
}

/* Index of figure id, or -1. */
static int fig_index(const report_def *d, const char *id)
{
    for (size_t i = 0; i < d->nfigs; i++)
        if (!strcmp(d->figs[i].id, id))
            return (int)i;
    return -1;
}

int report_figure(const report_result *r, const char *id, const char *village,
                  double *num, double *den, long *units)
{
    int i = fig_index(r->def, id);
    if (i < 0)
        return -1;
    const rvalue *v = &r->val[i];
    if (village) {
        v = NULL;
        for (size_t k = 0; k < r->nvillages; k++)
            if (!strcmp(r->villages[k].code, village))
                v = &r->villages[k].val[i];
        if (!v)
            return -1;
    }
    *num = v->num;
    *den = v->den;
    *units = v->units;
    return v->known ? 0 : -1;
}

size_t report_figure_warnings(const report_result *r, const char *id)
{
    int i = fig_index(r->def, id);
    return i < 0 ? 0 : r->fwarn[i].n;
}
