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
        l->cap = util_next_cap(l->cap, l->n + 1);
        l->it = xrealloc_array(l->it, l->cap, sizeof *l->it);
        l->text = xrealloc_array(l->text, l->cap, sizeof *l->text);
        l->mark = xrealloc_array(l->mark, l->cap, sizeof *l->mark);
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

/* How a row of the lists is drawn (ui_pick's marks). */
enum { IV_ROW_PLAIN, IV_ROW_PROBLEM = UI_MARK_ERROR, IV_ROW_SKIPPED = UI_MARK_DIM,
       IV_ROW_HEADING = UI_MARK_HEADING };

/* left and right on one row of width columns: right (the answer) keeps
 * up to half the row, left (the label) is cut first. Newly allocated. */
static char *iv_columns(const char *left, const char *right, int width)
{
    int rw = ui_text_width(right);
    if (rw > width / 2)
        rw = width / 2;
    int lw = width - rw - 2;
    char *l = ui_text_truncate(left, lw > 1 ? lw : 1);
    char *r = ui_text_truncate(right, rw > 0 ? rw : 1);
    int pad = lw - ui_text_width(l);
    char *row = xasprintf("%s%*s  %s", l, pad > 0 ? pad : 0, "", *right ? r : "");
    free(l);
    free(r);
    return row;
}

/* The status word of a review row. */
static const char *iv_status(iv *v, const form_question *fq, const char *val,
                             const session_problem *pr, int relevant)
{
    int answered = (val && *val) || fq->type == QT_REPEAT;
    if (!relevant)
        return _("skipped");
    if (fq->type == QT_NOTE)
        return _("note");
    if (!answered)
        /* A draft is not finished yet: what is missing is to come. */
        return session_is_complete(v->s) ? _("unanswered") : _("not yet");
    return pr ? _("INVALID") : _("answered");
}

/* The width of the review's status column: its widest word in the
 * interface language, at least 11 (Vietnamese "chưa trả lời" is 12). */
static int iv_status_cols(void)
{
    const char *words[] = {_("skipped"), _("note"), _("unanswered"),
                           _("not yet"), _("INVALID"), _("answered")};
    int w = 11;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (ui_text_width(words[i]) > w)
            w = ui_text_width(words[i]);
    return w;
}

/* One row of the jump or review list for item it, question number num
 * of its scope: status (review), number, label, answer and problem. */
static char *iv_row(iv *v, session_item it, int indent, size_t num,
                    const session_problem *pr, int review, int relevant)
{
    const form_question *fq = &v->f->q[it.q];
    char *label = inst_text(v->in, it.fr, fq->label);
    char *nl = strchr(label, '\n');
    if (nl)
        *nl = '\0';
    const char *val = relevant ? inst_get(v->in, it.fr, it.q) : NULL;
    char *shown = fq->type == QT_REPEAT
                      ? xasprintf(_("%zu entries"), inst_repeat_count(v->in, it.fr, it.q))
                      : ui_answer_show(v->f, fq, val, inst_lang(v->in), "");
    if (pr && pr->msg && (val && *val)) {
        char *t = xasprintf("%s  \u2190 %s", shown, pr->msg);
        free(shown);
        shown = t;
    }
    /* The review shows the note written on a question: a mark, its text. */
    char *note = review ? session_note_get(v->s, it) : NULL;
    if (note) {
        char *t = xasprintf("%s%s\u270e %s", shown, *shown ? "  " : "", note);
        free(shown);
        shown = t;
        free(note);
    }
    char *left = xasprintf("%*s%zu. %s", 2 * indent, "", num, label);
    int width = COLS - 2;
    char *row;
    if (review) {
        /* Pad by screen columns: Vietnamese takes more bytes than columns. */
        const char *status = iv_status(v, fq, val, pr, relevant);
        int sw = iv_status_cols();
        int pad = sw - ui_text_width(status);
        char *cols = iv_columns(left, shown, width - sw - 1);
        row = xasprintf("%s%*s %s", status, pad > 0 ? pad : 0, "", cols);
        free(cols);
    } else {
        row = iv_columns(left, shown, width);
    }
    free(left);
    free(shown);
    free(label);
    return row;
}

/* The mark of a row: a problem only where an answer is wrong, or where
 * an answer is missing from a complete interview. */
static int iv_row_mark(iv *v, session_item it, const session_problem *pr,
                       int relevant)
{
    if (!relevant)
        return IV_ROW_SKIPPED;
    if (!pr)
        return IV_ROW_PLAIN;
    const char *val = inst_get(v->in, it.fr, it.q);
    if ((!val || !*val) && !session_is_complete(v->s))
        return IV_ROW_PLAIN;
    return IV_ROW_PROBLEM;
}

/* Every item of scope and of the members inside it, in order, with a
 * heading row where a section begins; the questions skip logic leaves
 * out are listed (greyed) in the review only. */
static void iv_flatten(iv *v, inst_frame *scope, int indent, session_problem *p,
                       size_t np, int review, iv_flat *out)
{
    session_item *items;
    unsigned char *rel;
    size_t n = session_items_every(v->s, scope, &items, &rel);
    int section = -1;
    for (size_t i = 0; i < n; i++) {
        if (!rel[i] && !review)
            continue;
        int g = session_section(v->s, items[i].q, scope);
        if (g >= 0 && g != section) {
            char *gl = inst_text(v->in, scope, v->f->q[g].label);
            iv_flat_add(out, items[i], xasprintf("%*s%s", 2 * indent, "", gl),
                        IV_ROW_HEADING);
            free(gl);
        }
        section = g;
        const session_problem *pr = rel[i] ? iv_problem(p, np, items[i]) : NULL;
        iv_flat_add(out, items[i],
                    iv_row(v, items[i], indent, i + 1, pr, review, rel[i]),
                    iv_row_mark(v, items[i], pr, rel[i]));
        if (v->f->q[items[i].q].type != QT_REPEAT || !rel[i])
            continue;
        size_t count = inst_repeat_count(v->in, scope, items[i].q);
        for (size_t k = 0; k < count; k++) {
            inst_frame *m = inst_repeat_get(v->in, scope, items[i].q, k);
            char *ml = session_member_label(v->s, items[i], k);
            iv_flat_add(out, items[i], xasprintf("%*s%s", 2 * indent + 2, "", ml),
                        IV_ROW_HEADING);
            free(ml);
            iv_flatten(v, m, indent + 2, p, np, review, out);
        }
    }
    free(rel);
    free(items);
}

/* Keep only the problem rows of l (the review's "problems only"). */
static void iv_flat_problems(iv_flat *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->mark[i] != IV_ROW_PROBLEM) {
            free(l->text[i]);
            continue;
        }
        l->it[k] = l->it[i];
        l->text[k] = l->text[i];
        l->mark[k] = l->mark[i];
        k++;
    }
    l->n = k;
}

/* The row of l standing for the current item, or 0. */
static size_t iv_flat_current(iv *v, const iv_flat *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (v->idx < v->nitems && l->it[i].q == v->items[v->idx].q &&
            l->it[i].fr == v->items[v->idx].fr && l->mark[i] != IV_ROW_HEADING)
            return i;
    return 0;
}

/* The jump list: sections, numbered questions, typing searches. */
static void iv_jump(iv *v)
{
    iv_flat l = {NULL, NULL, NULL, 0, 0};
    iv_flatten(v, inst_root(v->in), 0, NULL, 0, 0, &l);
    size_t sel = iv_flat_current(v, &l);
    int k = ui_pick_search(_("Jump to a question"),
                           _("type to search   Enter go there   Esc back"),
                           l.text, l.mark, l.n, &sel);
    if (k >= 0)
        iv_goto(v, l.it[k]);
    iv_flat_free(&l);
}

/* The review: every question with its status and answer; p shows the
 * problems only (and back). */
static void iv_review(iv *v)
{
    int only = 0;
    for (;;) {
        session_problem *p = NULL;
        size_t np = session_problems(v->s, &p);
        iv_flat l = {NULL, NULL, NULL, 0, 0};
        iv_flatten(v, inst_root(v->in), 0, p, np, 1, &l);
        size_t nbad = 0;
        for (size_t i = 0; i < l.n; i++)
            nbad += l.mark[i] == IV_ROW_PROBLEM;
        if (only)
            iv_flat_problems(&l);
        size_t sel = iv_flat_current(v, &l);
        char *title = only ? xasprintf(_("Review: %zu problem(s), only they are shown"), nbad)
                           : xasprintf(_("Review: %zu problem(s)"), nbad);
        int k = ui_pick_key(title, only ? _("Enter go there   p show all   Esc back")
                                        : _("Enter go there   p problems only   Esc back"),
                            l.text, l.mark, l.n, &sel, "p");
        free(title);
        if (k == '\n')
            iv_goto(v, l.it[sel]);
        iv_flat_free(&l);
        session_problems_free(p, np);
        if (k != 'p')
            return;
        only = !only;
    }
}

void iv_list(iv *v, int review)
{
    if (review)
        iv_review(v);
    else
        iv_jump(v);
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
    if (k >= 0) {
        /* The list cuts a long reason at the screen's width; the
         * question shows it whole, wrapped. */
        iv_goto(v, l.it[k]);
        if (p[k].msg)
            iv_say(v, xstrdup(p[k].msg), UI_ERROR);
    }
    free(title);
    iv_flat_free(&l);
    session_problems_free(p, np);
}