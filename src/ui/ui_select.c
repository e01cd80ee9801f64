/* ui_select.c: the choice lists of the interview. Where every code is a
 * number, the enumerator types the choice's code as printed on the paper
 * questionnaire ("8" Không biết, "15" Thôn 15); a code that a longer one
 * could still continue waits for the next digit, Enter or a short pause.
 * Elsewhere the keys 1-9 pick by position. Letters filter a long list;
 * a list longer than the screen scrolls with "▲ n more" / "▼ n more". */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <wchar.h>

#include "core/canon.h"
#include "core/i18n.h"
#include "ui/ui.h"
#include "core/util.h"

/* Letters filter a list of at least this many choices. */
#define SELECT_LONG 10

static const form_list *select_list(const ui_widget *w, session *s)
{
    const form *f = inst_form(session_inst(s));
    return &f->lists[f->q[w->it.q].list];
}

/* The code of offered choice i. */
static const char *select_code(const ui_widget *w, const form_list *l,
                               size_t i)
{
    return l->choices[w->choices[i]].value;
}

void ui_select_init(ui_widget *w, session *s)
{
    const form_list *l = select_list(w, s);
    w->vis = xmalloc((w->nchoices + 1) * sizeof *w->vis);
    w->nvis = w->nchoices;
    w->numeric = w->nchoices > 0;
    for (size_t i = 0; i < w->nchoices; i++) {
        w->vis[i] = i;
        const char *c = select_code(w, l, i);
        if (!*c || strspn(c, "0123456789") != strlen(c))
            w->numeric = 0;
    }
}

int ui_widget_pending(const ui_widget *w)
{
    return w->code[0] != '\0';
}

/* Digits without their leading zeros ("03" is 3), at least one. */
static const char *select_digits(const char *s)
{
    while (s[0] == '0' && s[1])
        s++;
    return s;
}

/* The offered choice whose code is typed ("3" finds "03"), or -1; *more
 * is set when a longer code starts with what is typed. */
static long select_code_match(const ui_widget *w, const form_list *l,
                              const char *typed, int *more)
{
    long m = -1;
    const char *t = select_digits(typed);
    size_t tn = strlen(t), rn = strlen(typed);
    *more = 0;
    for (size_t i = 0; i < w->nchoices; i++) {
        const char *c = select_code(w, l, i), *cd = select_digits(c);
        if (!strcmp(c, typed) || !strcmp(cd, t)) {
            if (m < 0 || !strcmp(c, typed))
                m = (long)i;
        } else if ((strlen(c) > rn && !strncmp(c, typed, rn)) ||
                   (strlen(cd) > tn && !strncmp(cd, t, tn))) {
            *more = 1;
        }
    }
    return m;
}

/* Show only the choices whose label or code matches the filter, keeping
 * the highlighted choice when it is still shown. */
static void select_refilter(ui_widget *w, session *s)
{
    inst *in = session_inst(s);
    const form_list *l = select_list(w, s);
    size_t cur = w->cursor < w->nvis ? w->vis[w->cursor] : 0;
    char *key = w->filter && *w->filter ? canon_search_key(w->filter) : NULL;
    w->nvis = 0;
    w->cursor = 0;
    for (size_t i = 0; i < w->nchoices; i++) {
        int keep = !key;
        if (!keep) {
            char *label = inst_text(in, w->it.fr, l->choices[w->choices[i]].label);
            char *lk = canon_search_key(label);
            keep = strstr(lk, key) != NULL ||
                   !strncmp(select_code(w, l, i), w->filter, strlen(w->filter));
            free(lk);
            free(label);
        }
        if (!keep)
            continue;
        if (i == cur)
            w->cursor = w->nvis;
        w->vis[w->nvis++] = i;
    }
    w->top = 0;
    free(key);
}

/* Highlight offered choice ci, clearing a filter that hides it. */
static void select_show(ui_widget *w, session *s, size_t ci)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < w->nvis; j++)
            if (w->vis[j] == ci) {
                w->cursor = j;
                return;
            }
        free(w->filter);
        w->filter = NULL;
        select_refilter(w, s);
    }
}

/* Pick offered choice ci: a select_one moves on when confirm is set, a
 * select_multiple ticks or unticks it. */
static ui_wres select_pick(ui_widget *w, size_t ci, int confirm)
{
    if (w->type == QT_SELECT_ONE) {
        memset(w->checked, 0, w->nchoices);
        w->checked[ci] = 1;
        return confirm ? UI_W_CONFIRM : UI_W_DONE;
    }
    w->checked[ci] = !w->checked[ci];
    return UI_W_DONE;
}

/* Say that no choice has the code typed, and forget it. */
static ui_wres select_no_code(ui_widget *w)
{
    free(w->inline_msg);
    w->inline_msg = xasprintf(_("no choice has code %s"), w->code);
    w->code[0] = '\0';
    return UI_W_DONE;
}

/* A digit of a code: pick at once when no longer code could follow. */
static ui_wres select_code_key(ui_widget *w, session *s, int k)
{
    const form_list *l = select_list(w, s);
    size_t n = strlen(w->code);
    if (n + 1 < sizeof w->code) {
        w->code[n] = (char)k;
        w->code[n + 1] = '\0';
    }
    int more;
    long m = select_code_match(w, l, w->code, &more);
    if (m < 0 && !more)
        return select_no_code(w);
    if (m >= 0) {
        select_show(w, s, (size_t)m);
        w->moved = 1;
    }
    if (more)
        return UI_W_DONE;
    w->code[0] = '\0';
    return select_pick(w, (size_t)m, 1);
}

/* Enter or the pause after a code that a longer one could continue. */
static ui_wres select_code_end(ui_widget *w, session *s)
{
    int more;
    long m = select_code_match(w, select_list(w, s), w->code, &more);
    if (m < 0)
        return select_no_code(w);
    w->code[0] = '\0';
    return select_pick(w, (size_t)m, 1);
}

/* Backspace: the last digit of a code, else the last letter of the
 * filter. */
static void select_erase(ui_widget *w, session *s)
{
    size_t n = strlen(w->code);
    if (n) {
        w->code[n - 1] = '\0';
        return;
    }
    if (!w->filter || !*w->filter)
        return;
    n = strlen(w->filter);
    while (n > 0 && ((unsigned char)w->filter[n - 1] & 0xc0) == 0x80)
        n--;                            /* never half a character */
    w->filter[n > 0 ? n - 1 : 0] = '\0';
    select_refilter(w, s);
}

/* A letter typed on a long list: narrow it. */
static void select_filter_add(ui_widget *w, session *s, int k)
{
    char utf[MB_LEN_MAX + 1];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = wcrtomb(utf, (wchar_t)k, &st);
    if (n == (size_t)-1 || n == 0)
        return;
    utf[n] = '\0';
    char *f = xasprintf("%s%s", w->filter ? w->filter : "", utf);
    free(w->filter);
    w->filter = f;
    select_refilter(w, s);
    w->moved = w->nvis > 0;
}

ui_wres ui_select_key(ui_widget *w, session *s, int k)
{
    int one = w->type == QT_SELECT_ONE;
    int digit = k >= '0' && k <= '9';
    if (k == UI_KEY_NONE)
        return w->code[0] ? select_code_end(w, s) : UI_W_DONE;
    if (ui_widget_arrows(w, k, w->nvis)) {
        w->moved = 1;
        w->code[0] = '\0';
        return UI_W_DONE;
    }
    if (w->numeric && digit)
        return select_code_key(w, s, k);
    if (w->code[0] && ui_is_enter(k))
        return select_code_end(w, s);
    if (k == UI_FN(KEY_BACKSPACE) || k == 127 || k == 8) {
        select_erase(w, s);
        return UI_W_DONE;
    }
    if (!w->numeric && k >= '1' && k <= '9') {
        size_t pos = (size_t)(k - '1');
        if (pos >= w->nvis)
            return UI_W_DONE;
        w->cursor = pos;
        return select_pick(w, w->vis[pos], 1);
    }
    int filtering = w->filter && *w->filter;
    if (w->nchoices >= SELECT_LONG && (k > ' ' || (k == ' ' && filtering)) &&
        k < 0x110000 && k != 127 && !digit) {
        select_filter_add(w, s, k);
        return UI_W_DONE;
    }
    /* Enter without moving keeps what is ticked (maybe nothing): a stray
     * Enter never picks the first choice. */
    if (k != ' ' && !(one && ui_is_enter(k) && w->moved))
        return ui_is_enter(k) || k == '\t' ? UI_W_CONFIRM : UI_W_UNHANDLED;
    if (w->nvis == 0)
        return ui_is_enter(k) ? UI_W_CONFIRM : UI_W_DONE;
    /* Enter picks and moves on; Space only marks. */
    return select_pick(w, w->vis[w->cursor], k != ' ');
}

/* The row of shown choice j: its box, its code (or position) and label. */
static char *select_row(ui_widget *w, session *s, size_t j, int codew)
{
    inst *in = session_inst(s);
    const form_list *l = select_list(w, s);
    size_t i = w->vis[j];
    char *label = inst_text(in, w->it.fr, l->choices[w->choices[i]].label);
    if (form_choice_is_fallback(l, (size_t)w->choices[i])) {
        /* The answer's own code from before the set-up: kept, not offered
         * to others, and said so. */
        char *kept = xasprintf(_("%s (kept: not in the commune's set-up)"),
                               label);
        free(label);
        label = kept;
    }
    const char *box = w->type == QT_SELECT_ONE
                          ? (w->checked[i] ? "(*)" : "( )")
                          : (w->checked[i] ? "[x]" : "[ ]");
    char *line;
    if (w->numeric) {
        line = xasprintf("%s %*s  %s", box, codew, select_code(w, l, i), label);
    } else {
        char num[8] = "  ";
        if (j < 9)
            snprintf(num, sizeof num, "%zu.", j + 1);
        line = xasprintf("%s %s %s", box, num, label);
    }
    free(label);
    return line;
}

/* A "▲ 3 more" or "▼ 12 more" row of a list that does not fit. */
static void select_more_row(int y, int x, int width, const char *mark,
                            size_t n)
{
    if (!n)
        return;
    char *m = xasprintf(ngettext("%s %zu more", "%s %zu more", n), mark, n);
    ui_put(y, x, m, width, UI_DIM, 0);
    free(m);
}

/* The row under a list that shows a code or filter being typed, or NULL
 * (newly allocated). */
static char *select_typing(const ui_widget *w)
{
    if (w->code[0])
        return xasprintf(_("code %s_  (Enter picks)"), w->code);
    if (w->filter && *w->filter)
        return xasprintf(_("filter: %s  (Backspace erases)"), w->filter);
    return NULL;
}

int ui_select_draw(ui_widget *w, session *s, int y, int x, int width,
                   int height)
{
    char *typing = select_typing(w);
    int extra = (w->inline_msg ? 1 : 0) + (typing ? 1 : 0);
    size_t room = height > extra + 1 ? (size_t)(height - extra) : 1;
    int scrolls = w->nvis > room && room >= 3;
    size_t rows = scrolls ? room - 2 : room;
    ui_widget_scroll(w, rows);
    int codew = 0;
    const form_list *l = select_list(w, s);
    for (size_t i = 0; w->numeric && i < w->nchoices; i++) {
        int cw = (int)strlen(select_code(w, l, i));
        codew = cw > codew ? cw : codew;
    }
    int used = 0;
    if (w->nchoices == 0)
        ui_put(y + used++, x, _("(no choices apply)"), width, UI_DIM, 0);
    else if (w->nvis == 0)
        ui_put(y + used++, x, _("(no choice matches)"), width, UI_DIM, 0);
    if (scrolls)
        select_more_row(y + used++, x, width, "\u25b2", w->top);
    for (size_t j = w->top; j < w->nvis && j < w->top + rows; j++) {
        char *line = select_row(w, s, j, codew);
        ui_put(y + used++, x, line, width,
               j == w->cursor ? UI_SELECTED : UI_NORMAL, 0);
        free(line);
    }
    if (scrolls)
        select_more_row(y + used++, x, width, "\u25bc",
                        w->top + rows < w->nvis ? w->nvis - w->top - rows : 0);
    if (typing)
        ui_put(y + used++, x, typing, width, UI_TITLE, 0);
    if (w->inline_msg)
        ui_put(y + used++, x, w->inline_msg, width, UI_ERROR, 0);
    free(typing);
    return used ? used : 1;
}
