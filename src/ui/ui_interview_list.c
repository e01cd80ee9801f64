/* ui_interview_list.c: the interview's lists: jump to any question,
 * review every answer with its problem, and the problems that stop the
 * interview being finished. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "ui/ui.h"
#include "ui/ui_interview_int.h"
#include "core/util.h"

/* A list of items to pick from (jump, review, problems). */
typedef struct iv_flat {
    session_item *it;
    char **text;
    int *mark;
    size_t n, cap;
} iv_flat;

static void iv_flat_add(iv_flat *l, session_item it, char *text, int mark)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 32;
        l->it = xrealloc(l->it, l->cap * sizeof *l->it);
        l->text = xrealloc(l->text, l->cap * sizeof *l->text);
        l->mark = xrealloc(l->mark, l->cap * sizeof *l->mark);
    }
    l->it[l->n] = it;
    l->text[l->n] = text;
    l->mark[l->n] = mark;
    l->n++;
}

static void iv_flat_free(iv_flat *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->text[i]);
    free(l->it);
    free(l->text);
    free(l->mark);
}

/* The problem found for item it, or NULL. */
static const session_problem *iv_problem(session_problem *p, size_t n,
                                         session_item it)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].item.q == it.q && p[i].item.fr == it.fr)
            return &p[i];
    return NULL;
}

/* One row of the jump or review list for item it. */
static char *iv_row(iv *v, session_item it, int indent, const session_problem *pr,
                    int review)
{
    const form_question *fq = &v->f->q[it.q];
    char *label = inst_text(v->in, it.fr, fq->label);
    char *nl = strchr(label, '\n');
    if (nl)
        *nl = '\0';
    const char *val = inst_get(v->in, it.fr, it.q);
    char *shown = fq->type == QT_REPEAT
                      ? xasprintf(_("%zu entries"), inst_repeat_count(v->in, it.fr, it.q))
                      : ui_answer_show(v->f, fq, val, inst_lang(v->in), "");
    const char *status = fq->type == QT_NOTE ? _("note")
                         : pr ? _("INVALID")
                         : (val && *val) || fq->type == QT_REPEAT ? _("answered")
                                                                : _("unanswered");
    char *row;
    if (review)
    {
        /* Pad by screen columns: Vietnamese takes more bytes than columns. */
        int pad = 11 - ui_text_width(status);
        row = xasprintf("%s%*s %*s%s: %s%s%s", status, pad > 0 ? pad : 0, "",
                        2 * indent, "", label, shown,
                        pr && pr->msg ? "  - " : "", pr && pr->msg ? pr->msg : "");
    }
    else
        row = xasprintf("%*s%s: %s", 2 * indent, "", label, shown);
    free(shown);
    free(label);
    return row;
}

/* Every item of scope and of the members inside it, in order. */
static void iv_flatten(iv *v, inst_frame *scope, int indent, session_problem *p,
                       size_t np, int review, iv_flat *out)
{
    session_item *items;
    size_t n = session_items(v->s, scope, &items);
    for (size_t i = 0; i < n; i++) {
        const session_problem *pr = iv_problem(p, np, items[i]);
        iv_flat_add(out, items[i], iv_row(v, items[i], indent, pr, review),
                    pr != NULL);
        if (v->f->q[items[i].q].type != QT_REPEAT)
            continue;
        size_t count = inst_repeat_count(v->in, scope, items[i].q);
        for (size_t k = 0; k < count; k++) {
            inst_frame *m = inst_repeat_get(v->in, scope, items[i].q, k);
            char *ml = session_member_label(v->s, items[i], k);
            iv_flat_add(out, items[i], xasprintf("%*s%s", 2 * indent + 2, "", ml), 0);
            free(ml);
            iv_flatten(v, m, indent + 2, p, np, review, out);
        }
    }
    free(items);
}

/* The jump (review = 0) or review (review = 1) list; Enter jumps. */
void iv_list(iv *v, int review)
{
    session_problem *p = NULL;
    size_t np = session_problems(v->s, &p);
    iv_flat l = {NULL, NULL, NULL, 0, 0};
    iv_flatten(v, inst_root(v->in), 0, p, np, review, &l);
    size_t sel = 0;
    for (size_t i = 0; i < l.n; i++)
        if (v->idx < v->nitems && l.it[i].q == v->items[v->idx].q &&
            l.it[i].fr == v->items[v->idx].fr) {
            sel = i;
            break;
        }
    char *title = review ? xasprintf(_("Review: %zu problem(s)"), np)
                         : xstrdup(_("Jump to a question"));
    int k = ui_pick(title, _("Enter go there   Esc back"), l.text,
                    review ? l.mark : NULL, l.n, &sel);
    if (k >= 0)
        iv_goto(v, l.it[k]);
    free(title);
    iv_flat_free(&l);
    session_problems_free(p, np);
}

/* Show why finishing was refused; Enter jumps to a problem. */
void iv_show_problems(iv *v)
{
    session_problem *p = NULL;
    size_t np = session_problems(v->s, &p);
    iv_flat l = {NULL, NULL, NULL, 0, 0};
    for (size_t i = 0; i < np; i++) {
        session_item it = p[i].item;
        char *label = inst_text(v->in, it.fr, v->f->q[it.q].label);
        char *path = inst_frame_path(it.fr);
        iv_flat_add(&l, it, xasprintf("%s%s%s: %s", path, *path ? " / " : "",
                                      label, p[i].msg ? p[i].msg : ""), 1);
        free(path);
        free(label);
    }
    char *title = xasprintf(_("Cannot finish: %zu question(s) need attention"), np);
    size_t sel = 0;
    int k = ui_pick(title, _("Enter go there   Esc back"), l.text, l.mark, l.n, &sel);
    if (k >= 0)
        iv_goto(v, l.it[k]);
    free(title);
    iv_flat_free(&l);
    session_problems_free(p, np);
}