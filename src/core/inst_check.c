/* inst_check.c: what an interview accepts as an answer (types, choices
 * after their filter, constraints, required) and the texts it shows. */
#include "config.h"
#include "core/inst_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/i18n.h"
#include "core/util.h"

int inst_is_required(inst *in, inst_frame *fr, int q)
{
    const form_question *fq = &in->f->q[q];
    if (fq->required_always)
        return 1;
    return fq->required && inst_eval_bool(in, fr, q, fq->required);
}

/* Non-zero when s is an optionally signed run of digits. */
static int inst_is_integer(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Non-zero when s is a real calendar date YYYY-MM-DD. */
static int inst_is_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || y < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Non-zero when every space-separated code of v is a choice that the
 * filter offers, none twice, and select_one has exactly one. */
static int inst_choices_ok(inst *in, inst_frame *fr, int q, const char *v)
{
    const form *f = in->f;
    const form_list *l = &f->lists[f->q[q].list];
    int *ix;
    size_t n = inst_choices(in, fr, q, &ix);
    unsigned char *used = xcalloc(n ? n : 1, 1);
    char *copy = xstrdup(v), *save = NULL;
    int ok = 1, count = 0;
    for (char *t = strtok_r(copy, " ", &save); t && ok;
         t = strtok_r(NULL, " ", &save)) {
        size_t i = 0;
        while (i < n && strcmp(l->choices[ix[i]].value, t))
            i++;
        ok = i < n && !used[i];
        if (ok)
            used[i] = 1;
        count++;
    }
    if (f->q[q].type == QT_SELECT_ONE && count != 1)
        ok = 0;
    free(copy);
    free(used);
    free(ix);
    return ok && count > 0;
}

/* The question's message in the current language, or fallback. */
static char *inst_message(inst *in, inst_frame *fr, form_text t,
                          const char *fallback)
{
    char *m = t ? inst_text(in, fr, t) : NULL;
    if (m && *m)
        return m;
    free(m);
    return xstrdup(fallback);
}

inst_check inst_check_value(inst *in, inst_frame *fr, int q, const char *v,
                            char **msg)
{
    const form_question *fq = &in->f->q[q];
    char *m = NULL;
    inst_check rc = INST_OK;
    if (!v || !*v) {
        if (inst_is_required(in, fr, q)) {
            rc = INST_REQUIRED;
            m = inst_message(in, fr, fq->required_msg, _("Sorry, this response is required."));
        }
    } else if ((fq->type == QT_INTEGER && !inst_is_integer(v)) ||
               (fq->type == QT_DECIMAL && val_parse_number(v) != val_parse_number(v)) ||
               (fq->type == QT_DATE && !inst_is_date(v)) ||
               ((fq->type == QT_SELECT_ONE || fq->type == QT_SELECT_MULTIPLE) &&
                !inst_choices_ok(in, fr, q, v))) {
        rc = INST_BAD_VALUE;
        if (fq->type == QT_INTEGER || fq->type == QT_DECIMAL)
            m = canon_number_problem(fq->type, v);
        if (fq->type == QT_DATE)
            m = canon_date_problem(v);
        const form_list *l = fq->list >= 0 ? &in->f->lists[fq->list] : NULL;
        if (!m && l && l->nfallback)
            m = xasprintf(_("%s is not a code of the commune's set-up: "
                            "choose one of its %zu. Codes from before the "
                            "set-up stay only in the answers that hold "
                            "them."), v, l->nchoices - l->nfallback);
        if (!m)
            m = xstrdup(_("This is not a valid answer for this question."));
    } else if (fq->constraint) {
        struct inst_eval_ctx ctx = {in, fr, q, v, 1, NULL};
        expr_env env = inst_env(&ctx);
        if (!expr_eval_bool(fq->constraint, &env)) {
            rc = INST_CONSTRAINT;
            m = inst_message(in, fr, fq->constraint_msg, _("Sorry, this response is invalid."));
        }
    }
    if (msg)
        *msg = m;
    else
        free(m);
    return rc;
}

/* Does choice c pass question q's filter in fr? */
static int inst_choice_offered(inst *in, inst_frame *fr, int q,
                               const form_choice *c)
{
    const expr *filter = in->f->q[q].choice_filter;
    if (!filter)
        return 1;
    struct inst_eval_ctx ctx = {in, fr, q, NULL, 0, c};
    expr_env env = inst_env(&ctx);
    return expr_eval_bool(filter, &env);
}

/* Non-zero when code is one of the space-separated codes of answer held
 * (NULL: none): a fallback choice is offered to the answer that holds it
 * only, so that it stays valid but is never given anew. */
static int inst_code_held(const char *held, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = held; p && *p;) {
        size_t k = strcspn(p, " ");
        if (k == n && !strncmp(p, code, n))
            return 1;
        p += k;
        p += strspn(p, " ");
    }
    return 0;
}

size_t inst_choices(inst *in, inst_frame *fr, int q, int **out)
{
    const form_question *fq = &in->f->q[q];
    *out = NULL;
    if (fq->list < 0)
        return 0;
    const form_list *l = &in->f->lists[fq->list];
    int *ix = xcalloc(l->nchoices ? l->nchoices : 1, sizeof *ix);
    size_t n = 0;
    const char *held = inst_get(in, fr, q);
    for (size_t i = 0; i < l->nchoices; i++)
        if (form_choice_is_fallback(l, i)
                ? inst_code_held(held, l->choices[i].value)
                : inst_choice_offered(in, fr, q, &l->choices[i]))
            ix[n++] = (int)i;
    if (fq->randomize) {
        double seed = in->shuffle_seed;
        if (fq->seed) {
            struct inst_eval_ctx ctx = {in, fr, q, NULL, 0, NULL};
            expr_env env = inst_env(&ctx);
            value v;
            expr_eval(fq->seed, &env, &v);
            seed = val_to_number(&v);
            val_free(&v);
        }
        expr_shuffle_ints(ix, n, seed);
    }
    *out = ix;
    return n;
}

char *inst_text(inst *in, inst_frame *fr, form_text t)
{
    const char *s = form_text_get(in->f, t, in->lang);
    sbuf b;
    sbuf_init(&b);
    while (*s) {
        const char *open = strstr(s, "${");
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            sbuf_add(&b, s);
            break;
        }
        sbuf_addn(&b, s, (size_t)(open - s));
        char *name = xstrndup(open + 2, (size_t)(close - open - 2));
        int q = form_find(in->f, name);
        if (q >= 0) {
            struct inst_eval_ctx ctx = {in, fr, q, NULL, 0, NULL};
            value v;
            inst_lookup(&ctx, q, &v);
            char *str = val_to_string(&v);
            sbuf_add(&b, str);
            free(str);
            val_free(&v);
        } else {
            sbuf_addn(&b, open, (size_t)(close - open + 1));
        }
        free(name);
        s = close + 1;
    }
    return sbuf_detach(&b);
}
