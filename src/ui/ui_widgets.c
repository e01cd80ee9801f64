/* ui_widgets.c: the answer widgets of the interview screen: a UTF-8 line
 * editor for text, numbers and dates, choice lists, notes, read-only
 * values, and the roster of a repeat. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/i18n.h"
#include "ui/ui.h"
#include "core/util.h"

/* Non-zero for the types typed on the line editor. */
static int widget_is_typed(form_qtype t)
{
    return t == QT_TEXT || t == QT_INTEGER || t == QT_DECIMAL || t == QT_DATE;
}

int ui_widget_dirty(const ui_widget *w)
{
    return ui_widget_types(w) && w->initial && strcmp(w->ed.buf, w->initial);
}

int ui_widget_types(const ui_widget *w)
{
    return !w->read_only && widget_is_typed(w->type);
}

/* Tick the choices named in a space-separated answer. */
static void widget_check_values(ui_widget *w, const form *f, const char *v)
{
    const form_list *l = &f->lists[f->q[w->it.q].list];
    while (v && *v) {
        while (*v == ' ')
            v++;
        size_t n = strcspn(v, " ");
        for (size_t i = 0; i < w->nchoices && n; i++) {
            const char *cv = l->choices[w->choices[i]].value;
            if (strlen(cv) == n && !strncmp(cv, v, n)) {
                w->checked[i] = 1;
                if (w->type == QT_SELECT_ONE)
                    w->cursor = i;
            }
        }
        v += n;
    }
}

void ui_widget_init(ui_widget *w, session *s, session_item it)
{
    inst *in = session_inst(s);
    const form *f = inst_form(in);
    const form_question *fq = &f->q[it.q];
    memset(w, 0, sizeof *w);
    w->it = it;
    w->type = fq->type;
    w->read_only = fq->read_only || fq->calculation != NULL;
    w->multiline = fq->multiline && fq->type == QT_TEXT;
    const char *v = inst_get(in, it.fr, it.q);
    if (w->type == QT_DATE) {
        char *shown = ui_text_date_show(v);
        ui_edit_init(&w->ed, shown);
        free(shown);
    } else {
        ui_edit_init(&w->ed, widget_is_typed(w->type) ? v : NULL);
    }
    w->initial = xstrdup(w->ed.buf);
    if (w->type == QT_SELECT_ONE || w->type == QT_SELECT_MULTIPLE) {
        w->nchoices = inst_choices(in, it.fr, it.q, &w->choices);
        w->checked = xcalloc(w->nchoices + 1, 1);
        widget_check_values(w, f, v);
        ui_select_init(w, s);
    }
    if (w->type == QT_REPEAT)
        w->nrows = inst_repeat_count(in, it.fr, it.q) + 1;
}

void ui_widget_free(ui_widget *w)
{
    ui_edit_free(&w->ed);
    free(w->choices);
    free(w->checked);
    free(w->inline_msg);
    free(w->initial);
    free(w->vis);
    free(w->filter);
    memset(w, 0, sizeof *w);
}

void ui_widget_scroll(ui_widget *w, size_t rows)
{
    if (rows == 0)
        rows = 1;
    if (w->cursor < w->top)
        w->top = w->cursor;
    if (w->cursor >= w->top + rows)
        w->top = w->cursor - rows + 1;
}

/* The line editor: a field with the visible part of the text. */
static int widget_draw_edit(ui_widget *w, int y, int x, int width,
                            int *cy, int *cx)
{
    int fw = width > 62 ? 60 : width - 2;
    int c = ui_edit_view(&w->ed, fw);
    size_t off = ui_text_col_to_off(w->ed.buf, w->ed.scroll);
    ui_put(y, x, w->ed.buf + off, fw, UI_FIELD, 1);
    *cy = y;
    *cx = x + c;
    int rows = 1;
    if (w->type == QT_DATE)
        ui_put(y, x + fw + 1, _("dd/mm/yyyy"), width - fw - 1, UI_DIM, 0);
    if (w->inline_msg)
        ui_put(y + rows++, x, w->inline_msg, width, UI_ERROR, 0);
    return rows;
}

/* Multi-line text: the text wrapped to the field over as many rows as
 * the screen gives (three at least), scrolled to the cursor's line, with
 * the keys that break a line and save under it. */
static int widget_draw_multi(ui_widget *w, int y, int x, int width,
                             int height, int *cy, int *cx)
{
    int fw = width > 62 ? 60 : width - 2;
    ui_line *l;
    size_t n = ui_text_wrap(w->ed.buf, fw - 1, &l);
    size_t at = 0;          /* the line the cursor is on */
    for (size_t i = 0; i < n; i++)
        if (l[i].off <= w->ed.cur)
            at = i;
    int rows = height - 2 - (w->inline_msg != NULL);
    if (rows > (int)n + 1)
        rows = (int)n + 1;
    if (rows < 3)
        rows = 3;
    size_t top = at + 1 > (size_t)rows ? at + 1 - (size_t)rows : 0;
    for (int r = 0; r < rows; r++) {
        size_t i = top + (size_t)r;
        char *t = i < n ? xstrndup(w->ed.buf + l[i].off, l[i].len)
                        : xstrdup("");
        ui_put(y + r, x, t, fw, UI_FIELD, 1);
        free(t);
    }
    size_t in_line = w->ed.cur - l[at].off;
    if (in_line > l[at].len)
        in_line = l[at].len;
    *cy = y + (int)(at - top);
    *cx = x + ui_text_width_n(w->ed.buf + l[at].off, in_line);
    free(l);
    ui_put(y + rows, x, _("Enter new line   Tab save and go on"), width,
           UI_DIM, 0);
    rows++;
    if (w->inline_msg)
        ui_put(y + rows++, x, w->inline_msg, width, UI_ERROR, 0);
    return rows;
}

int ui_widget_min_rows(const ui_widget *w)
{
    if (w->multiline && !w->read_only)
        return 5;
    if (w->read_only || w->type == QT_NOTE)
        return 2;
    if (widget_is_typed(w->type))
        return 2;
    if (w->type == QT_REPEAT)
        return (w->nrows < 3 ? (int)w->nrows : 3) + 2;
    return w->nchoices <= 6 ? (int)w->nchoices + 1 : 6;
}

/* A member's state: errors when an answer breaks its checks, incomplete
 * when a required question is unanswered, else complete. */
static const char *widget_member_state(session *s, inst_frame *m)
{
    inst *in = session_inst(s);
    session_item *items;
    size_t n = session_items(s, m, &items);
    int missing = 0, wrong = 0;
    for (size_t i = 0; i < n; i++) {
        const char *val = inst_get(in, m, items[i].q);
        if (!val || !*val)
            missing |= inst_is_required(in, m, items[i].q);
        else
            wrong |= inst_check_value(in, m, items[i].q, val, NULL) != INST_OK;
    }
    free(items);
    return wrong ? _("errors") : missing ? _("incomplete") : _("complete");
}

/* A roster row: the member and its state (newly allocated). */
static char *widget_member_row(session *s, session_item it, size_t i)
{
    char *label = session_member_label(s, it, i);
    inst_frame *m = inst_repeat_get(session_inst(s), it.fr, it.q, i);
    char *row = m ? xasprintf("%s  [%s]", label, widget_member_state(s, m))
                  : xstrdup(label);
    free(label);
    return row;
}

/* The roster: one row per member and a last row to move on. */
static int widget_draw_roster(ui_widget *w, session *s, int y, int x,
                              int width, int height)
{
    size_t rows = height > 2 ? (size_t)height - 2 : 1;
    ui_widget_scroll(w, rows);
    int used = 0;
    for (size_t i = w->top; i < w->nrows && i < w->top + rows; i++) {
        char *line = i + 1 < w->nrows ? widget_member_row(s, w->it, i)
                                      : xasprintf("-> %s", _("Continue"));
        ui_put(y + used++, x, line, width,
               i == w->cursor ? UI_SELECTED : UI_NORMAL, 0);
        free(line);
    }
    ui_put(y + used++, x,
           _("Enter open   a/Insert add   x/Delete remove   PgDn continue"),
           width, UI_DIM, 0);
    if (w->inline_msg)
        ui_put(y + used++, x, w->inline_msg, width, UI_ERROR, 0);
    return used;
}

/* A value shown but not changed here. */
static int widget_draw_fixed(ui_widget *w, session *s, int y, int x, int width)
{
    inst *in = session_inst(s);
    if (w->type == QT_NOTE) {
        ui_put(y, x, _("(Enter to continue)"), width, UI_DIM, 0);
        return 1;
    }
    const char *v = inst_get(in, w->it.fr, w->it.q);
    ui_put(y, x, v && *v ? v : "-", width, UI_TITLE, 0);
    ui_put(y + 1, x, _("(calculated: cannot be changed here)"), width, UI_DIM, 0);
    return 2;
}

int ui_widget_draw(ui_widget *w, session *s, int y, int x, int width,
                   int height, int *curs_y, int *curs_x)
{
    *curs_y = *curs_x = -1;
    if (w->read_only || w->type == QT_NOTE)
        return widget_draw_fixed(w, s, y, x, width);
    if (w->multiline)
        return widget_draw_multi(w, y, x, width, height, curs_y, curs_x);
    if (widget_is_typed(w->type))
        return widget_draw_edit(w, y, x, width, curs_y, curs_x);
    if (w->type == QT_REPEAT)
        return widget_draw_roster(w, s, y, x, width, height);
    return ui_select_draw(w, s, y, x, width, height);
}

/* What was typed without the spaces around it (newly allocated). */
static char *widget_trimmed(const char *t)
{
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n > 0 && t[n - 1] == ' ')
        n--;
    return xstrndup(t, n);
}

/* Non-zero when t (trimmed) is not a number of w's type. */
static int widget_not_number(const ui_widget *w, const char *t)
{
    return *t && ((w->type == QT_INTEGER && !ui_text_is_integer(t)) ||
                  (w->type == QT_DECIMAL && !ui_text_is_decimal(t)));
}

/* Say "not a number" while a number is being typed wrongly.  Only a
 * number is looked at: text is never wrong while typed, and reading a
 * long answer whole at every key made a paste slow. */
static void widget_check_typing(ui_widget *w)
{
    free(w->inline_msg);
    w->inline_msg = NULL;
    if (w->type != QT_INTEGER && w->type != QT_DECIMAL)
        return;
    char *t = widget_trimmed(w->ed.buf);
    if (widget_not_number(w, t))
        w->inline_msg = xstrdup(_("not a number"));
    free(t);
}

/* A typed date (trimmed), or NULL with *err saying what is wrong. */
static char *widget_date_value(const char *t, char **err)
{
    char *d = ui_text_date_parse(t);
    if (!d)
        *err = canon_date_problem(t);
    return d;
}

/* Keys of the line editor. */
static ui_wres widget_key_edit(ui_widget *w, int k)
{
    if (k == UI_FN(KEY_LEFT))
        ui_edit_left(&w->ed);
    else if (k == UI_FN(KEY_RIGHT))
        ui_edit_right(&w->ed);
    else if (k == UI_FN(KEY_HOME) || k == UI_CTRL('a'))
        ui_edit_home(&w->ed);
    else if (k == UI_FN(KEY_END) || k == UI_CTRL('e'))
        ui_edit_end(&w->ed);
    else if (k == UI_FN(KEY_BACKSPACE) || k == 127 || k == 8)
        ui_edit_backspace(&w->ed);
    else if (k == UI_FN(KEY_DC))
        ui_edit_delete(&w->ed);
    else if (k == UI_CTRL('u'))
        ui_edit_set(&w->ed, "");    /* a long answer replaced at once */
    else if (k >= 32 && k < 0x110000 && k != 127)
        ui_edit_insert_wc(&w->ed, (wchar_t)k);
    else
        return UI_W_UNHANDLED;
    widget_check_typing(w);
    return UI_W_DONE;
}

int ui_widget_typing_key(const ui_widget *w, int k)
{
    return ui_widget_types(w) &&
           ((k >= 32 && k < 0x110000 && k != 127) ||
            k == UI_FN(KEY_BACKSPACE) || k == 127 || k == 8);
}

int ui_widget_arrows(ui_widget *w, int k, size_t n)
{
    if (k == UI_FN(KEY_UP) && w->cursor > 0)
        w->cursor--;
    else if (k == UI_FN(KEY_DOWN) && w->cursor + 1 < n)
        w->cursor++;
    else if (k == UI_FN(KEY_HOME))
        w->cursor = 0;
    else if (k == UI_FN(KEY_END) && n)
        w->cursor = n - 1;
    else
        return k == UI_FN(KEY_UP) || k == UI_FN(KEY_DOWN);
    return 1;
}

/* Keys of a roster. */
static ui_wres widget_key_roster(ui_widget *w, int k)
{
    if (ui_widget_arrows(w, k, w->nrows))
        return UI_W_DONE;
    size_t members = w->nrows - 1;
    if (ui_is_enter(k))
        return w->cursor < members ? UI_W_OPEN : UI_W_CONTINUE;
    if (k == 'a' || k == 'A' || k == '+' || k == UI_FN(KEY_IC))
        return UI_W_ADD;
    if (k == 'x' || k == 'X' || k == '-' || k == UI_FN(KEY_DC))
        return w->cursor < members ? UI_W_REMOVE : UI_W_DONE;
    return UI_W_UNHANDLED;
}

ui_wres ui_widget_key(ui_widget *w, session *s, int k)
{
    if (w->read_only || w->type == QT_NOTE)
        return ui_is_enter(k) || k == '\t' ? UI_W_CONFIRM : UI_W_UNHANDLED;
    if (w->type == QT_REPEAT)
        return widget_key_roster(w, k);
    if (widget_is_typed(w->type)) {
        /* Multi-line text: Enter breaks the line; Tab confirms. */
        if (w->multiline && ui_is_enter(k)) {
            ui_edit_insert_wc(&w->ed, L'\n');
            return UI_W_DONE;
        }
        if (ui_is_enter(k) || k == '\t')
            return UI_W_CONFIRM;
        return widget_key_edit(w, k);
    }
    return ui_select_key(w, s, k);
}

/* The ticked choices' codes, space-separated in list order. */
static char *widget_multi_value(ui_widget *w, const form_list *l)
{
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < w->nchoices; i++)
        if (w->checked[i])
            sbuf_addf(&b, "%s%s", b.len ? " " : "",
                      l->choices[w->choices[i]].value);
    return sbuf_detach(&b);
}

char *ui_widget_value(ui_widget *w, session *s, char **err)
{
    *err = NULL;
    const char *t = w->ed.buf;
    const form *f = inst_form(session_inst(s));
    switch (w->type) {
    case QT_INTEGER:
    case QT_DECIMAL: {
        /* The words khaosat answer uses (the short hint under the field
         * while typing says only that it is not a number). */
        char *n = widget_trimmed(t);
        *err = canon_number_problem(w->type, n);
        if (*err) {
            free(w->inline_msg);        /* said in full instead: once */
            w->inline_msg = NULL;
            free(n);
            return NULL;
        }
        return n;
    }
    case QT_DATE: {
        char *d = widget_trimmed(t);
        char *v = *d ? widget_date_value(d, err) : xstrdup("");
        free(d);
        return v;
    }
    case QT_SELECT_ONE:
        for (size_t i = 0; i < w->nchoices; i++)
            if (w->checked[i])
                return xstrdup(f->lists[f->q[w->it.q].list]
                                   .choices[w->choices[i]].value);
        return xstrdup("");
    case QT_SELECT_MULTIPLE:
        return widget_multi_value(w, &f->lists[f->q[w->it.q].list]);
    default:
        return xstrdup(t);
    }
}

char *ui_answer_show(const form *f, const form_question *fq, const char *val,
                     int lang, const char *none)
{
    if (!val || !*val)
        return xstrdup(none);
    if (fq && fq->type == QT_DATE)
        return ui_text_date_show(val);
    if (fq && fq->type == QT_TEXT && strchr(val, '\n')) {
        /* A list row shows a multi-line answer on one line. */
        sbuf b;
        sbuf_init(&b);
        for (const char *p = val; *p; p++)
            if (*p == '\n')
                sbuf_add(&b, " \u21b5 ");
            else
                sbuf_addc(&b, *p);
        return sbuf_detach(&b);
    }
    if (!fq || (fq->type != QT_SELECT_ONE && fq->type != QT_SELECT_MULTIPLE))
        return xstrdup(val);
    sbuf b;
    sbuf_init(&b);
    for (const char *p = val; *p;) {
        size_t n = strcspn(p, " ");
        char *code = xstrndup(p, n);
        const form_choice *c = form_choice_find(f, fq, code);
        sbuf_addf(&b, "%s%s", b.len ? ", " : "",
                  c ? form_text_get(f, c->label, lang) : code);
        free(code);
        p += n;
        while (*p == ' ')
            p++;
    }
    return sbuf_detach(&b);
}
