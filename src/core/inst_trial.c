/* inst_trial.c: an interview written out as rows, and what a change would
 * do to its repeat instances before it is made (a trial on a copy rebuilt
 * from the rows), so that nobody loses a roster member without being
 * asked. */
#include "config.h"
#include "core/inst_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* The store's path of repeat r under frame fr: "members", "members[2]/crops". */
static char *trial_repeat_path(const inst_frame *fr, const form *f, int r)
{
    char *up = inst_frame_path(fr);
    char *p = xasprintf("%s%s%s", up, *up ? "/" : "", f->q[r].id);
    free(up);
    return p;
}

/* Non-zero for questions whose value is computed, never entered. */
static int trial_computed(const form_question *fq)
{
    return fq->calculation || fq->type == QT_CALCULATE || fq->type == QT_NOTE
           || fq->type == QT_GROUP;
}

static void trial_dump_frame(const inst *in, const inst_frame *fr,
                             inst_rows *out)
{
    const form *f = in->f;
    char *path = inst_frame_path(fr);
    for (int q = fr->lo; q < fr->hi; q++) {
        const form_question *fq = &f->q[q];
        if (fq->repeat != fr->repeat)
            continue;
        size_t i = (size_t)(q - fr->lo);
        if (fq->type == QT_REPEAT) {
            if (!fq->count) {
                char *rp = trial_repeat_path(fr, f, q);
                inst_rows_add(out, NULL, rp, NULL, (long)fr->nkids[i]);
                free(rp);
            }
            for (size_t k = 0; k < fr->nkids[i]; k++)
                trial_dump_frame(in, fr->kids[i][k], out);
        } else if (!trial_computed(fq) && fr->val[i]) {
            inst_rows_add(out, fq->id, path, fr->val[i], 0);
        }
    }
    free(path);
}

void inst_rows_dump(const inst *in, inst_rows *out)
{
    trial_dump_frame(in, in->root, out);
}

/* Answers entered in fr and in every instance inside it. */
static size_t trial_count_answers(const inst *in, const inst_frame *fr)
{
    size_t n = 0;
    for (int q = fr->lo; q < fr->hi; q++) {
        const form_question *fq = &in->f->q[q];
        if (fq->repeat != fr->repeat)
            continue;
        size_t i = (size_t)(q - fr->lo);
        if (fq->type == QT_REPEAT)
            for (size_t k = 0; k < fr->nkids[i]; k++)
                n += trial_count_answers(in, fr->kids[i][k]);
        else if (!trial_computed(fq) && fr->val[i]
                 && !(fq->default_value && !strcmp(fq->default_value, fr->val[i])))
            n++;
    }
    return n;
}

/* A growable loss list. */
typedef struct trial_list {
    inst_loss *v;
    size_t n, cap;
} trial_list;

/* Every instance under fr (in the live interview) with no counterpart in
 * the trial copy; an instance lost goes in whole, its insides not listed. */
static void trial_compare(inst *live, inst_frame *fr, inst *copy,
                          trial_list *l)
{
    for (int q = fr->lo; q < fr->hi; q++) {
        if (live->f->q[q].repeat != fr->repeat || live->f->q[q].type != QT_REPEAT)
            continue;
        size_t i = (size_t)(q - fr->lo);
        for (size_t k = 0; k < fr->nkids[i]; k++) {
            inst_frame *kid = fr->kids[i][k];
            char *path = inst_frame_path(kid);
            if (inst_frame_find(copy, path)) {
                free(path);
                trial_compare(live, kid, copy, l);
                continue;
            }
            l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
            l->v[l->n++] = (inst_loss){path, kid, trial_count_answers(live, kid)};
        }
    }
}

/* A copy of in with value set as the answer of q in fr (NULL when fr has
 * no copy). */
static inst *trial_apply(inst *in, inst_frame *fr, int q, const char *value)
{
    inst_rows rows = {NULL, 0, 0};
    inst_rows_dump(in, &rows);
    inst *copy = inst_restore(in->f, in->lang, in->now, rows.v, rows.n);
    inst_rows_free(&rows);
    char *path = inst_frame_path(fr);
    inst_frame *cfr = inst_frame_find(copy, path);
    free(path);
    if (!cfr) {
        inst_free(copy);
        return NULL;
    }
    copy->overflow = 0;
    inst_set(copy, cfr, q, value);
    return copy;
}

size_t inst_would_remove(inst *in, inst_frame *fr, int q, const char *value,
                         inst_loss **out)
{
    *out = NULL;
    if (!inst_touches_counted(in, q))
        return 0;
    inst *copy = trial_apply(in, fr, q, value);
    trial_list l = {NULL, 0, 0};
    if (copy)
        trial_compare(in, in->root, copy, &l);
    inst_free(copy);
    *out = l.v;
    return l.n;
}

int inst_count_overflow(inst *in, inst_frame *fr, int q, const char *value)
{
    if (!inst_touches_counted(in, q))
        return -1;
    inst *copy = trial_apply(in, fr, q, value);
    int r = copy ? copy->overflow - 1 : -1;
    inst_free(copy);
    return r;
}

void inst_losses_free(inst_loss *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].path);
    free(v);
}
