/* ui_conflict.c: the conflicts left by merges, one interview at a time:
 * its answers side by side (the value kept here on the left, the one
 * merged in on the right), the conflicting ones highlighted, a side picked
 * for each and the choice recorded as a new revision, as `khaosat
 * resolve` does; and the list of possible duplicates. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/ui_text.h"
#include "sync/merge.h"
#include "store/revision.h"
#include "ui/ui.h"
#include "core/util.h"

/* One open conflict, copied out of the listing. */
typedef struct cf_item {
    char *uuid, *qid, *path, *mine, *theirs;
    char *mine_who, *theirs_who;    /* "by NAME, TIME" */
    int pick;                       /* 0 none, 1 mine, 2 theirs */
    int shown;                      /* placed on the resolution screen */
} cf_item;

typedef struct cf_list {
    cf_item *v;
    size_t n, cap;
} cf_list;

/* "by NAME, TIME" for one side of a conflict. */
static char *cf_who(const char *who, const char *when)
{
    /* "2024-05-01T08:30:00.123Z" is shown to the minute. */
    char *t = xstrndup(when ? when : "?", 16);
    char *sep = strchr(t, 'T');
    if (sep)
        *sep = ' ';
    char *s = xasprintf(_("by %s, %s"), who ? who : "?", t);
    free(t);
    return s;
}

static int cf_collect(void *ctx, const store_conflict *c)
{
    cf_list *l = ctx;
    l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    cf_item *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    x->uuid = xstrdup(c->interview);
    x->qid = xstrdup(c->qid);
    x->path = xstrdup(c->path);
    x->mine = xstrdup(c->mine);
    x->theirs = xstrdup(c->theirs);
    x->mine_who = cf_who(c->mine_enumerator, c->mine_time);
    x->theirs_who = cf_who(c->theirs_enumerator, c->theirs_time);
    return 0;
}

static void cf_list_free(cf_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        cf_item *x = &l->v[i];
        free(x->uuid);
        free(x->qid);
        free(x->path);
        free(x->mine);
        free(x->theirs);
        free(x->mine_who);
        free(x->theirs_who);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---------------------------------------------------------------- one interview */

/* One line of the side-by-side screen: a label (a question's, or a
 * member's heading), or the two values, or who gave them. */
typedef struct cf_row {
    char *label;          /* NULL on a line of values */
    char *left, *right;
    long conflict;        /* index in the interview's conflicts, or -1 */
    int who;              /* the "by NAME, TIME" line of a conflict */
} cf_row;

/* The interview being resolved. */
typedef struct cf_iv {
    ui_app *a;
    session *s;
    const form *f;
    int lang;
    cf_item **c;          /* its conflicts */
    size_t nc;
    cf_row *rows;
    size_t nrows, caprows;
    size_t cur;           /* conflict stood on */
    size_t top;           /* first row shown */
    int follow;           /* scroll to the conflict stood on */
} cf_iv;

static void cf_row_add(cf_iv *x, char *label, char *left, char *right,
                       long conflict, int who)
{
    x->rows = util_grow(x->rows, &x->caprows, x->nrows + 1, sizeof *x->rows);
    x->rows[x->nrows++] = (cf_row){label, left, right, conflict, who};
}

/* An answer as people read it, or "(no answer)". */
static char *cf_shown(cf_iv *x, const form_question *fq, const char *val)
{
    return ui_answer_show(x->f, fq, val, x->lang, _("(no answer)"));
}

/* The conflict on (qid, path) of this interview, or -1. */
static long cf_find(cf_iv *x, const char *qid, const char *path)
{
    for (size_t i = 0; i < x->nc; i++)
        if (!strcmp(x->c[i]->qid, qid) && !strcmp(x->c[i]->path, path))
            return (long)i;
    return -1;
}

/* The rows of a conflicting answer: label, the two values, who. */
static void cf_add_conflict(cf_iv *x, long ci, char *label,
                            const form_question *fq)
{
    cf_item *c = x->c[ci];
    c->shown = 1;
    cf_row_add(x, label, NULL, NULL, ci, 0);
    cf_row_add(x, NULL, cf_shown(x, fq, c->mine), cf_shown(x, fq, c->theirs),
               ci, 0);
    cf_row_add(x, NULL, xstrdup(c->mine_who), xstrdup(c->theirs_who), ci, 1);
}

/* Rows for every question of scope and of the members inside it. */
static void cf_flatten(cf_iv *x, inst_frame *scope, int indent)
{
    inst *in = session_inst(x->s);
    session_item *items;
    size_t n = session_items(x->s, scope, &items);
    char *path = inst_frame_path(scope);
    for (size_t i = 0; i < n; i++) {
        const form_question *fq = &x->f->q[items[i].q];
        if (fq->type == QT_NOTE)
            continue;
        char *l = inst_text(in, items[i].fr, fq->label);
        char *label = xasprintf("%*s%s", indent, "", l);
        free(l);
        if (fq->type == QT_REPEAT) {
            size_t count = inst_repeat_count(in, scope, items[i].q);
            cf_row_add(x, label, NULL, NULL, -1, 0);
            for (size_t k = 0; k < count; k++) {
                char *ml = session_member_label(x->s, items[i], k);
                cf_row_add(x, xasprintf("%*s-- %s --", indent + 2, "", ml),
                           NULL, NULL, -1, 0);
                free(ml);
                cf_flatten(x, inst_repeat_get(in, scope, items[i].q, k),
                           indent + 4);
            }
            continue;
        }
        long ci = cf_find(x, fq->id, path);
        if (ci >= 0) {
            cf_add_conflict(x, ci, label, fq);
            continue;
        }
        const char *v = inst_get(in, items[i].fr, items[i].q);
        cf_row_add(x, label, NULL, NULL, -1, 0);
        cf_row_add(x, NULL, cf_shown(x, fq, v), cf_shown(x, fq, v), -1, 0);
    }
    free(path);
    free(items);
}

/* Rows for conflicts on answers the screen does not ask now (not
 * relevant any more, or a repeat count). */
static void cf_add_hidden(cf_iv *x)
{
    int heading = 0;
    for (size_t i = 0; i < x->nc; i++) {
        if (x->c[i]->shown)
            continue;
        if (!heading++)
            cf_row_add(x, xstrdup(_("Other answers in conflict:")), NULL, NULL,
                       -1, 0);
        cf_item *c = x->c[i];
        int q = *c->qid ? form_find(x->f, c->qid) : -1;
        char *label = q >= 0
            ? xasprintf("%s%s%s", form_text_get(x->f, x->f->q[q].label, x->lang),
                        *c->path ? " @ " : "", c->path)
            : xasprintf(_("count of %s"), c->path);
        cf_add_conflict(x, (long)i, label, q >= 0 ? &x->f->q[q] : NULL);
    }
}

static void cf_rows_free(cf_iv *x)
{
    for (size_t i = 0; i < x->nrows; i++) {
        free(x->rows[i].label);
        free(x->rows[i].left);
        free(x->rows[i].right);
    }
    free(x->rows);
    x->rows = NULL;
    x->nrows = x->caprows = 0;
}

/* The label row of conflict ci. */
static size_t cf_row_of(cf_iv *x, size_t ci)
{
    for (size_t i = 0; i < x->nrows; i++)
        if (x->rows[i].conflict == (long)ci && x->rows[i].label)
            return i;
    return 0;
}

/* Stand on the next (dir 1) or previous (dir -1) conflict in the order
 * of the screen; from = -1 stands on the first one. */
static void cf_step(cf_iv *x, long dir, long from)
{
    long i = from < 0 ? 0 : (long)cf_row_of(x, x->cur) + dir;
    for (; i >= 0 && i < (long)x->nrows; i += from < 0 ? 1 : dir)
        if (x->rows[i].label && x->rows[i].conflict >= 0) {
            x->cur = (size_t)x->rows[i].conflict;
            return;
        }
}

/* Draw one value cell: the picked side reversed, both sides of a
 * conflict marked, agreeing values dim. */
static void cf_draw_cell(cf_iv *x, const cf_row *r, int side, int y, int col,
                         int w)
{
    const char *v = side == 1 ? r->left : r->right;
    if (r->conflict < 0) {
        ui_put(y, col, v, w, UI_DIM, 0);
        return;
    }
    if (r->who) {
        ui_put(y, col + 4, v, w - 4, UI_DIM, 0);
        return;
    }
    int picked = x->c[r->conflict]->pick == side;
    char *t = xasprintf("%s %s", picked ? "(*)" : "( )", v);
    ui_put(y, col, t, w, picked ? UI_SELECTED : UI_ERROR, picked);
    free(t);
}

/* Draw the side-by-side screen. */
static void cf_draw(cf_iv *x, const char *title)
{
    size_t picked = 0;
    for (size_t i = 0; i < x->nc; i++)
        picked += x->c[i]->pick != 0;
    ui_frame(title, _("Left/1 mine  Right/2 theirs  Up/Down next  "
                      "Enter save  Esc back"));
    int half = (COLS - 3) / 2;
    ui_put(1, 2, _("MINE (kept here)"), half - 2, UI_TITLE, 0);
    ui_put(1, half + 3, _("THEIRS (merged in)"), half - 2, UI_TITLE, 0);
    size_t rows = (size_t)(LINES - 4), cr = cf_row_of(x, x->cur);
    if (x->follow && cr < x->top)
        x->top = cr;
    if (x->follow && cr + 3 > x->top + rows)
        x->top = cr + 3 - rows;
    x->follow = 0;
    for (size_t i = x->top; i < x->nrows && i < x->top + rows; i++) {
        cf_row *r = &x->rows[i];
        int y = 2 + (int)(i - x->top);
        if (r->label) {
            int here = r->conflict == (long)x->cur;
            ui_put(y, 0, here ? ">" : r->conflict >= 0 ? "!" : " ", 1,
                   here ? UI_SELECTED : UI_ERROR, 0);
            ui_put(y, 2, r->label, COLS - 2,
                   r->conflict >= 0 ? UI_TITLE : UI_NORMAL, 0);
            continue;
        }
        cf_draw_cell(x, r, 1, y, 4, half - 4);
        ui_put(y, half + 1, "|", 1, UI_DIM, 0);
        cf_draw_cell(x, r, 2, y, half + 3, COLS - half - 3);
    }
    char *st = xasprintf(_("Conflict %zu of %zu; %zu picked"), x->cur + 1,
                         x->nc, picked);
    ui_status(st, UI_DIM);
    free(st);
    refresh();
}

/* Apply the picked values through a fresh session, as an answer typed on
 * the interview screen; checks them all before changing any. Returns 0,
 * or -1 with *msg (newly allocated). */
static int cf_apply(cf_iv *x, const char *uuid, int complete, char **msg)
{
    session *s = NULL;
    char *err = NULL;
    if (session_resume(x->a->st, x->f, uuid, x->lang, &s, &err)) {
        *msg = err ? err : xstrdup(store_errmsg(x->a->st));
        return -1;
    }
    inst *in = session_inst(s);
    int rc = 0;
    for (size_t pass = 0; pass < 2 && rc == 0; pass++) {
        /* All checked: a complete interview is reopened for the change
         * (audited) and finalised again below. */
        if (pass == 1 && session_reopen(s) != 0) {
            *msg = xstrdup(session_errmsg(s));
            rc = -1;
        }
        for (size_t i = 0; i < x->nc && rc == 0; i++) {
            cf_item *c = x->c[i];
            if (!c->pick)
                continue;
            const char *v = c->pick == 1 ? c->mine : c->theirs;
            int q = *c->qid ? form_find(x->f, c->qid) : -1;
            inst_frame *fr = inst_frame_find(in, c->path);
            char *m = NULL;
            if (q < 0 || !fr || x->f->q[q].repeat != inst_frame_repeat(fr)) {
                *msg = xasprintf(_("%s@%s cannot be set here; use khaosat "
                                   "resolve --take"), c->qid, c->path);
                rc = -1;
            } else if (pass == 0 && *(v ? v : "") &&
                       inst_check_value(in, fr, q, v, &m) != INST_OK) {
                *msg = xasprintf("%s: %s", c->qid, m ? m : _("refused"));
                rc = -1;
            } else if (pass == 1 &&
                       session_answer(s, (session_item){q, fr}, v ? v : "",
                                      &m) != INST_OK) {
                *msg = xasprintf("%s: %s", c->qid, m ? m : _("refused"));
                rc = -1;
            }
            free(m);
        }
    }
    if (rc == 0 && complete && session_finalise(s) < 0) {
        *msg = xstrdup(session_errmsg(s));
        rc = -1;
    }
    session_free(s);
    return rc;
}

/* Record the picks: the answers set, a new revision, the conflicts
 * marked resolved by it. Returns 0, or -1 with *msg. */
static int cf_save(cf_iv *x, const char *uuid, int complete, char **msg)
{
    store *st = x->a->st;
    char *before = NULL, *after = NULL;
    char rev[REV_HEX + 1];
    if (store_rev_head(st, uuid, &before) < 0) {
        *msg = xstrdup(store_errmsg(st));
        return -1;
    }
    if (cf_apply(x, uuid, complete, msg)) {
        free(before);
        return -1;
    }
    int rc = store_rev_head(st, uuid, &after) < 0 ? -1 : 0;
    /* As `khaosat resolve`: keeping the value shown is a decision too,
     * recorded as a revision of its own. */
    if (rc == 0 && (!after || (before && !strcmp(before, after))))
        rc = store_rev_snapshot(st, uuid, 1, rev) ? -1 : 0;
    else if (rc == 0)
        memcpy(rev, after, sizeof rev);
    for (size_t i = 0; i < x->nc && rc == 0; i++)
        if (x->c[i]->pick &&
            store_conflict_resolve(st, uuid, x->c[i]->qid, x->c[i]->path, rev))
            rc = -1;
    if (rc)
        *msg = xstrdup(store_errmsg(st));
    free(before);
    free(after);
    return rc;
}

/* Keys of the side-by-side screen; 1 to leave it, 0 to stay. */
static int cf_key(cf_iv *x, int k, const char *uuid, int complete)
{
    size_t rows = (size_t)(LINES - 4);
    cf_item *c = x->c[x->cur];
    x->follow = k != UI_FN(KEY_PPAGE) && k != UI_FN(KEY_NPAGE);
    if (k == UI_FN(KEY_UP) || k == UI_FN(KEY_BTAB))
        cf_step(x, -1, 0);
    else if (k == UI_FN(KEY_DOWN) || k == '\t')
        cf_step(x, 1, 0);
    else if (k == UI_FN(KEY_PPAGE))
        x->top = x->top > rows ? x->top - rows : 0;
    else if (k == UI_FN(KEY_NPAGE))
        x->top = x->top + rows < x->nrows ? x->top + rows : x->top;
    else if (k == UI_FN(KEY_LEFT) || k == '1' || k == 'm')
        c->pick = 1;
    else if (k == UI_FN(KEY_RIGHT) || k == '2' || k == 't')
        c->pick = 2;
    else if (k == ' ' || k == UI_FN(KEY_DC))
        c->pick = 0;
    else if (ui_is_enter(k) || k == 's') {
        char *msg = NULL;
        size_t picked = 0;
        for (size_t i = 0; i < x->nc; i++)
            picked += x->c[i]->pick != 0;
        if (!picked)
            msg = xstrdup(_("Pick a side (Left or Right) for a conflict first."));
        else if (!ui_confirm(_("Record the picked answers as a new revision?")))
            return 0;
        else if (!cf_save(x, uuid, complete, &msg))
            return 1;
        ui_status(msg, UI_ERROR);
        refresh();
        free(msg);
        ui_getkey();
    } else if (k == UI_ESC || k == 'q' || k == UI_CTRL('x')) {
        for (size_t i = 0; i < x->nc; i++)
            if (x->c[i]->pick)
                return ui_confirm(_("Leave without recording the picks?"));
        return 1;
    }
    return 0;
}

/* Resolve the conflicts of interview uuid (the n items at c). */
static void cf_resolve(ui_app *a, const char *uuid, cf_item **c, size_t n)
{
    store_interview iv;
    if (store_get_interview(a->st, uuid, &iv))
        return;
    form *owned = NULL;
    cf_iv x;
    memset(&x, 0, sizeof x);
    x.a = a;
    x.c = c;
    x.nc = n;
    x.f = ui_form_of(a, &iv, &owned);
    char *err = NULL;
    if (!x.f || session_resume(a->st, x.f, uuid, ui_form_lang(a, x.f), &x.s,
                               &err)) {
        ui_status(err ? err : _("The form of this interview cannot be read."),
                  UI_ERROR);
        refresh();
        ui_getkey();
    } else {
        x.lang = ui_form_lang(a, x.f);
        x.follow = 1;
        cf_flatten(&x, inst_root(session_inst(x.s)), 0);
        cf_add_hidden(&x);
        cf_step(&x, 1, -1);
        char *key = ui_case_key(a, x.f, uuid, NULL);
        char *title = xasprintf(_("Conflicts: %s %s"), x.f->id,
                                *key ? key : uuid);
        free(key);
        int complete = iv.status == STORE_COMPLETE;
        do
            cf_draw(&x, title);
        while (!cf_key(&x, ui_getkey(), uuid, complete));
        free(title);
    }
    free(err);
    cf_rows_free(&x);
    session_free(x.s);
    form_free(owned);
    store_interview_clear(&iv);
}

/* ---------------------------------------------------------------- lists */

/* One line of the duplicates list. */
typedef struct cf_dups {
    char **text;
    char **a, **b;
    size_t n;
} cf_dups;

static int cf_dup_collect(void *ctx, const store_duplicate *d)
{
    cf_dups *l = ctx;
    l->text = xrealloc(l->text, (l->n + 1) * sizeof *l->text);
    l->a = xrealloc(l->a, (l->n + 1) * sizeof *l->a);
    l->b = xrealloc(l->b, (l->n + 1) * sizeof *l->b);
    char *line = xasprintf(_("%s %s: %.8s (by %s) and %.8s (by %s)"),
                           d->form_id, d->key, d->a,
                           d->a_enumerator ? d->a_enumerator : "?", d->b,
                           d->b_enumerator ? d->b_enumerator : "?");
    if (d->decision && !strcmp(d->decision, "same"))
        l->text[l->n] = xasprintf(_("[same: %.8s kept] %s"),
                                  d->keep ? d->keep : "?", line);
    else if (d->decision)
        l->text[l->n] = xasprintf(_("[different] %s"), line);
    else
        l->text[l->n] = xstrdup(line);
    free(line);
    l->a[l->n] = xstrdup(d->a);
    l->b[l->n] = xstrdup(d->b);
    l->n++;
    return 0;
}

static void cf_dups_free(cf_dups *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->text[i]);
        free(l->a[i]);
        free(l->b[i]);
    }
    free(l->text);
    free(l->a);
    free(l->b);
    memset(l, 0, sizeof *l);
}

/* Read the pairs again (after a decision). */
static void cf_dups_load(ui_app *a, cf_dups *l)
{
    cf_dups_free(l);
    if (store_duplicates_each(a->st, cf_dup_collect, l)) {
        ui_status(store_errmsg(a->st), UI_ERROR);
        refresh();
        ui_getkey();
    }
}

/* Collect what else a decision changed so that its household keeps one
 * interview, one line each. */
static int cf_kept_change(void *ctx, const store_kept_change *c)
{
    char *t = store_kept_text(c);
    char *safe = ui_text_safe(t, 0);
    sbuf_addf(ctx, "%s\n", safe);
    free(safe);
    free(t);
    return 0;
}

/* Record the decision key k on pair sel, as `khaosat duplicates` does,
 * and show what else it changed, as the command says it. */
static void cf_dup_decide(ui_app *a, cf_dups *l, size_t sel, int k)
{
    const char *keep = k == 's' ? l->a[sel] : k == 'S' ? l->b[sel] : NULL;
    const char *decision = keep ? "same" : k == 'n' ? "different" : NULL;
    sbuf changes;
    sbuf_init(&changes);
    if (store_duplicate_decide(a->st, l->a[sel], l->b[sel], decision, keep,
                               cf_kept_change, &changes)) {
        ui_status(store_errmsg(a->st), UI_ERROR);
        refresh();
        ui_getkey();
    } else if (changes.len) {
        ui_pager(_("The same household"),
                 _("Up/Down/PgUp/PgDn scroll   q/Esc close"), changes.s, 1,
                 NULL, NULL);
    }
    sbuf_free(&changes);
}

/* The possible duplicates: Enter views the first, 2 the second; s and S
 * keep the first or the second as the same household, n marks them
 * different, o reopens. */
static void cf_duplicates(ui_app *a)
{
    cf_dups l = {NULL, NULL, NULL, 0};
    cf_dups_load(a, &l);
    size_t sel = 0;
    for (;;) {
        char *title = xasprintf(_("Possible duplicates: %zu"), l.n);
        int k = ui_pick_key(title, _("Enter/2 view first/second   s/S same, "
                                     "keep first/second   n different   "
                                     "o reopen   Esc back"),
                            l.text, NULL, l.n, &sel, "2sSno");
        free(title);
        if (k == UI_ESC)
            break;
        if (l.n && (k == '\n' || k == '2'))
            ui_view_interview(a, k == '2' ? l.b[sel] : l.a[sel], 1);
        else if (l.n && strchr("sSno", k)) {
            cf_dup_decide(a, &l, sel, k);
            cf_dups_load(a, &l);
        }
    }
    cf_dups_free(&l);
}

/* The conflicts of the i-th interview having any: its items gathered. */
static size_t cf_group(cf_list *l, const char *uuid, cf_item ***out)
{
    cf_item **v = xcalloc(l->n + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].uuid, uuid))
            v[n++] = &l->v[i];
    *out = v;
    return n;
}

/* The interviews with open conflicts (first conflict of each). */
static size_t cf_interviews(ui_app *a, cf_list *l, size_t **first, char ***text)
{
    size_t *fi = xcalloc(l->n + 1, sizeof *fi), n = 0;
    char **t = xcalloc(l->n + 1, sizeof *t);
    for (size_t i = 0; i < l->n; i++) {
        size_t j = 0;
        while (j < n && strcmp(l->v[fi[j]].uuid, l->v[i].uuid))
            j++;
        if (j < n)
            continue;
        fi[n] = i;
        cf_item **g;
        size_t ng = cf_group(l, l->v[i].uuid, &g);
        free(g);
        store_interview iv;
        char *key = NULL;
        const char *fid = "?";
        form *owned = NULL;
        int got = store_get_interview(a->st, l->v[i].uuid, &iv) == 0;
        if (got) {
            key = ui_case_key(a, ui_form_of(a, &iv, &owned), iv.uuid, NULL);
            fid = iv.form_id;
        }
        t[n++] = xasprintf(_("%s %s: %zu answer(s) in conflict"), fid,
                           key && *key ? key : l->v[i].uuid, ng);
        free(key);
        form_free(owned);
        if (got)
            store_interview_clear(&iv);
    }
    *first = fi;
    *text = t;
    return n;
}

void ui_conflicts(ui_app *a)
{
    size_t sel = 0;
    for (;;) {
        cf_list l = {NULL, 0, 0};
        if (store_conflicts_each(a->st, 0, cf_collect, &l)) {
            ui_status(store_errmsg(a->st), UI_ERROR);
            refresh();
            ui_getkey();
            cf_list_free(&l);
            return;
        }
        size_t *first;
        char **text;
        size_t n = cf_interviews(a, &l, &first, &text);
        char *title = xasprintf(_("Open conflicts: %zu answer(s) in %zu "
                                  "interview(s)"), l.n, n);
        int k = ui_pick_key(title, _("Enter resolve   d possible duplicates   "
                                     "Esc back"), text, NULL, n, &sel, "d");
        free(title);
        if (k == '\n' && n) {
            cf_item **g;
            size_t ng = cf_group(&l, l.v[first[sel]].uuid, &g);
            cf_resolve(a, l.v[first[sel]].uuid, g, ng);
            free(g);
        } else if (k == 'd') {
            cf_duplicates(a);
        }
        for (size_t i = 0; i < n; i++)
            free(text[i]);
        free(text);
        free(first);
        cf_list_free(&l);
        if (k == UI_ESC)
            return;
    }
}
