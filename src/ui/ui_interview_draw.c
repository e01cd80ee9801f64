/* ui_interview_draw.c: drawing the interview screen: the title bar with
 * the case key and progress, the section line, the question with its hint,
 * widget and message, and the end of the interview. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "ui/ui.h"
#include "ui/ui_interview_int.h"
#include "core/util.h"

/* The answers of the form's key questions, "Village 1, 12". */
char *iv_key_text(iv *v)
{
    sbuf b;
    sbuf_init(&b);
    int lang = inst_lang(v->in);
    for (size_t i = 0; i < v->f->nkey; i++) {
        int q = v->f->key[i];
        const char *val = inst_get(v->in, inst_root(v->in), q);
        if (!val || !*val)
            continue;
        const form_choice *c = v->f->q[q].type == QT_SELECT_ONE
                                   ? form_choice_find(v->f, &v->f->q[q], val)
                                   : NULL;
        sbuf_addf(&b, "%s%s", b.len ? ", " : "",
                  c ? form_text_get(v->f, c->label, lang) : val);
    }
    return sbuf_detach(&b);
}

/* The top-level section (group) question q is in, or -1. */
static int iv_top_section(const form *f, int q)
{
    int g = -1;
    for (int p = f->q[q].parent; p >= 0; p = f->q[p].parent)
        if (f->q[p].type == QT_GROUP && f->q[p].parent < 0)
            g = p;
    return g;
}

/* Non-zero when item it needs nothing more: answered, or not a question
 * that takes an answer here. */
static int iv_item_done(iv *v, session_item it)
{
    const form_question *fq = &v->f->q[it.q];
    if (fq->type == QT_NOTE || fq->type == QT_REPEAT || fq->read_only ||
        fq->calculation)
        return 1;
    const char *val = inst_get(v->in, it.fr, it.q);
    return (val && *val) || !inst_is_required(v->in, it.fr, it.q);
}

/* "2 of 5 sections done": the form's top-level groups (and the
 * questions before them, as one), counted from the form, so the figure
 * does not grow as skip logic opens questions; a section is done when
 * every question it asks is answered. Newly allocated. */
static char *iv_progress(iv *v)
{
    size_t nsec = 0, done = 0;
    int loose = 0;
    for (size_t q = 0; q < v->f->nq; q++)
        if (v->f->q[q].parent < 0) {
            if (v->f->q[q].type == QT_GROUP)
                nsec++;
            else if (v->f->q[q].type != QT_CALCULATE)
                loose = 1;
        }
    nsec += (size_t)loose;
    session_item *items;
    size_t n = session_items(v->s, inst_root(v->in), &items);
    /* A section skip logic hides counts as done only once the interview
     * has gone past it (an answer in a later section) or is complete:
     * hidden before anything is answered, it is not done yet, so the
     * figure only grows. */
    size_t hidden = 0;
    int complete = session_is_complete(v->s);
    for (int q = -1; q < (int)v->f->nq; q++) {
        if (q >= 0 && (v->f->q[q].parent >= 0 || v->f->q[q].type != QT_GROUP))
            continue;
        if (q < 0 && !loose)
            continue;
        int all = 1, asked = 0, answered = 0;
        for (size_t i = 0; i < n; i++)
            if (iv_top_section(v->f, items[i].q) == q) {
                int d = iv_item_done(v, items[i]);
                asked = 1;
                answered |= d;
                all &= d;
            }
        if (!asked) {
            hidden += !complete;
            done += (size_t)complete;
            continue;
        }
        if (answered) {
            done += hidden;     /* the hidden ones before it were passed */
            hidden = 0;
        }
        done += (size_t)all;
    }
    free(items);
    return xasprintf(_("%zu of %zu sections done"), done, nsec);
}

/* Title bar: case key, form title, progress and language. The form
 * title is shortened first: the household's identity stays. */
static void iv_draw_header(iv *v)
{
    const char *title = form_text_get(v->f, v->f->title, inst_lang(v->in));
    char *key = iv_key_text(v);
    char *prog = v->idx < v->nitems ? iv_progress(v) : xstrdup(_("end"));
    char *right = xasprintf("%s  [%s]", prog, v->f->languages[inst_lang(v->in)]);
    int rw = ui_text_width(right), room = COLS - rw - 2;
    int kw = *key ? ui_text_width(key) + 3 : 0;
    if (kw > room - 8)
        kw = room - 8 > 0 ? room - 8 : 0;       /* a tiny title still shows */
    int tw = ui_put(0, 0, title, room - kw, UI_HEADER, 0);
    if (*key && kw > 3) {
        char *k = xasprintf(" | %s", key);
        tw += ui_put(0, tw, k, room - tw, UI_HEADER, 0);
        free(k);
    }
    ui_put(0, tw, "", COLS - rw - tw, UI_HEADER, 1);
    ui_put(0, COLS - rw, right, rw, UI_HEADER, 1);
    free(right);
    free(prog);
    free(key);
}

/* The section line: the members we are in ("member 2 of 5: Lò Thị
 * Mới") and the enclosing group. */
static void iv_draw_section(iv *v)
{
    sbuf b;
    sbuf_init(&b);
    int lang = inst_lang(v->in);
    for (size_t k = 1; k < v->depth; k++) {
        inst_frame *m = v->lv[k].scope;
        session_item roster = {inst_frame_repeat(m), inst_frame_parent(m)};
        size_t pos = (size_t)inst_frame_position(m);
        size_t count = inst_repeat_count(v->in, roster.fr, roster.q);
        char *ml = session_member_label(v->s, roster, pos - 1);
        /* The label starts "2. ": the number is said already. */
        const char *name = ml;
        char *dot = strstr(ml, ". ");
        if (dot && (size_t)(dot - ml) == strspn(ml, "0123456789"))
            name = dot + 2;
        char *where = *name != '#' ? xasprintf(_("member %zu of %zu: %s"), pos, count, name)
                                   : xasprintf(_("member %zu of %zu"), pos, count);
        sbuf_addf(&b, "%s%s: %s", b.len ? " > " : "",
                  form_text_get(v->f, v->f->q[roster.q].label, lang), where);
        free(where);
        free(ml);
    }
    if (v->idx < v->nitems) {
        int g = session_section(v->s, v->items[v->idx].q, iv_top(v)->scope);
        if (g >= 0) {
            char *gl = inst_text(v->in, iv_top(v)->scope, v->f->q[g].label);
            sbuf_addf(&b, "%s%s", b.len ? " > " : "", gl);
            free(gl);
        }
    }
    ui_put(1, 0, b.len ? b.s : "", COLS, UI_TITLE, 0);
    sbuf_free(&b);
}

/* Draw wrapped text from row y, at most max rows; returns rows used.
 * When the text needs more rows, the last row shown ends with "…" and
 * the key that shows all of it. */
static int iv_draw_wrapped(const char *s, int y, int max, ui_role r)
{
    ui_line *l;
    int width = COLS - 4;
    size_t n = ui_text_wrap(s, width, &l);
    int used = 0;
    for (size_t i = 0; i < n && used < max; i++) {
        char *t = xstrndup(s + l[i].off, l[i].len);
        if (used + 1 == max && i + 1 < n) {
            /* TRANSLATORS: after a cut hint or label: ^T shows it all. */
            const char *more = _("^T all");
            int room = width - ui_text_width(more) - 3;
            int w = ui_put(y + used, 2, t, room > 1 ? room : 1, r, 0);
            if (w == ui_text_width(t))     /* not cut by ui_put: mark it */
                w += ui_put(y + used, 2 + w, "\u2026", 1, r, 0);
            ui_put(y + used, 2 + w + 1, more, width - w - 1, UI_SELECTED, 0);
            used++;
        } else {
            ui_put(y + used++, 2, t, width, r, 0);
        }
        free(t);
    }
    free(l);
    return used;
}

/* The rows text takes wrapped to the question's width. */
static int iv_wrapped_rows(const char *s)
{
    ui_line *l;
    size_t n = ui_text_wrap(s, COLS - 4, &l);
    free(l);
    return (int)n;
}

/* The question's label with the required mark (newly allocated). */
static char *iv_label(iv *v, session_item it)
{
    const form_question *fq = &v->f->q[it.q];
    char *label = inst_text(v->in, it.fr, fq->label);
    if (fq->type != QT_NOTE && fq->type != QT_REPEAT &&
        inst_is_required(v->in, it.fr, it.q)) {
        char *l2 = xasprintf("%s *", label);
        free(label);
        label = l2;
    }
    return label;
}

/* The question: label, hint, widget and message. The label takes at
 * most half the room, the hint what the widget leaves (at least three
 * rows); what is cut is shown whole with ^T (iv_show_whole). */
static void iv_draw_question(iv *v)
{
    session_item it = v->items[v->idx];
    const form_question *fq = &v->f->q[it.q];
    char *label = iv_label(v, it);
    int y = 3, bottom = LINES - 2;
    y += iv_draw_wrapped(label, y, (bottom - y) / 2, UI_TITLE);
    free(label);
    if (fq->hint) {
        char *hint = inst_text(v->in, it.fr, fq->hint);
        int room = bottom - y - 2 - ui_widget_min_rows(&v->w);
        int rows = iv_wrapped_rows(hint);
        y += iv_draw_wrapped(hint, y, rows < room ? rows : room > 3 ? room : 3,
                             UI_DIM);
        free(hint);
    }
    y += iv_draw_note(v, y, 2);
    y++;
    int cy, cx;
    int h = ui_widget_draw(&v->w, v->s, y, 4, COLS - 8, bottom - y - 1, &cy, &cx);
    if (v->msg)
        iv_draw_wrapped(v->msg, y + h, 2, v->msg_role);
    if (cy >= 0) {
        move(cy, cx);
        curs_set(1);
    }
}

void iv_show_whole(iv *v)
{
    if (v->idx >= v->nitems)
        return;
    session_item it = v->items[v->idx];
    const form_question *fq = &v->f->q[it.q];
    char *label = iv_label(v, it);
    char *hint = fq->hint ? inst_text(v->in, it.fr, fq->hint) : xstrdup("");
    /* The message too: the question's screen cuts a long one (a
     * problem's reason and what to do) with "^T all". */
    char *all = xasprintf("%s\n\n%s%s%s", label, hint,
                          v->msg ? "\n\n" : "", v->msg ? v->msg : "");
    ui_show_text(_("The whole question"), all);
    free(all);
    free(hint);
    free(label);
}

/* The screen after the last question. */
static void iv_draw_end(iv *v)
{
    ui_put(3, 2, _("End of the interview."), COLS - 4, UI_TITLE, 0);
    int y = 5;
    y += iv_draw_wrapped(store_read_only(v->a->st)
                         ? _("The database is read-only: nothing can be "
                             "changed here. Ctrl-R to review, PgUp to go "
                             "back, Esc to leave.")
                         : _("Press Ctrl-F or Enter to finish it, Ctrl-R to review, PgUp to go back."),
                         y, 3, UI_NORMAL);
    if (v->msg)
        iv_draw_wrapped(v->msg, y + 1, 3, v->msg_role);
}

void iv_draw(iv *v)
{
    /* F1 first: when a translation makes the line too long for the
     * screen, the key to the full list stays visible. Each bar comes
     * long to short; the first that fits is shown, so a narrow or vt100
     * terminal still shows the control key of every move. */
    const char *done_keys[] = {
        _("COMPLETE (read-only)  E correct  Enter next  ^P/PgUp back  "
          "^G jump  ^R review  ^X/Esc home"),
        _("COMPLETE  E correct  Enter next  ^P back  ^G jump  ^R review  "
          "^X home"),
        _("COMPLETE E correct ^P back ^G jump ^R review ^X home"),
    };
    const char *keys[] = {
        _("F1 help  Enter next  ^P/PgUp back  ^N/PgDn skip  ^G jump  "
          "^R review  ^E note  ^F finish  ^L lang  ^X/Esc home"),
        _("F1 help  Enter next  ^P back  ^N skip  ^G jump  ^R review  "
          "^E note  ^F finish  ^X home"),
        _("F1 help ^P back ^N skip ^G jump ^R review ^E note ^X home"),
    };
    /* A database only read: the keys that look, none that change. */
    const char *ro_keys[] = {
        _("READ-ONLY DATABASE  Enter next  ^P/PgUp back  ^N/PgDn skip  "
          "^G jump  ^R review  ^X/Esc home"),
        _("READ-ONLY  Enter next  ^P back  ^N skip  ^G jump  ^R review  "
          "^X home"),
        _("READ-ONLY ^P back ^N skip ^G jump ^R review ^X home"),
    };
    if (store_read_only(v->a->st))
        ui_frame("", ui_keys_fit(ro_keys, 3));
    else if (session_is_complete(v->s))
        ui_frame("", ui_keys_fit(done_keys, 3));
    else
        ui_frame("", ui_keys_fit(keys, 3));
    iv_draw_header(v);
    iv_draw_section(v);
    if (v->idx < v->nitems)
        iv_draw_question(v);
    else
        iv_draw_end(v);
    refresh();
}
