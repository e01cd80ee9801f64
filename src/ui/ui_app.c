/* ui_app.c: `khaosat` without a subcommand: start curses, the first-run
 * setup, and the small screens every other screen uses (lists, text,
 * yes/no questions). */
#include "config.h"
#include "ui/ui_curses.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "core/canon.h"
#include "core/i18n.h"
#include "report/report.h"
#include "session/setup.h"
#include "ui/ui.h"
#include "ui/ui_main.h"
#include "core/util.h"

static int ui_has_color;
static SCREEN *ui_screen;

int ui_attr(ui_role r)
{
    switch (r) {
    case UI_HEADER:
        return A_REVERSE | (ui_has_color ? COLOR_PAIR(1) : 0);
    case UI_TITLE:
        return A_BOLD;
    case UI_SELECTED:
        return A_REVERSE | A_BOLD;
    case UI_ERROR:
        return A_BOLD | (ui_has_color ? COLOR_PAIR(2) : A_UNDERLINE);
    case UI_DIM:
        return ui_has_color ? COLOR_PAIR(3) : A_NORMAL;
    case UI_FIELD:
        return A_UNDERLINE;
    default:
        return A_NORMAL;
    }
}

/* Non-zero when the screen is too small to lay anything out. */
static int ui_too_small(void)
{
    return COLS < UI_MIN_COLS || LINES < UI_MIN_LINES;
}

/* The notice shown instead of a screen that does not fit. */
static void ui_draw_too_small(void)
{
    erase();
    char *m = xasprintf(_("Terminal too small: %dx%d, need %dx%d"), COLS,
                        LINES, UI_MIN_COLS, UI_MIN_LINES);
    ui_put(0, 0, m, COLS, UI_ERROR, 0);
    free(m);
    curs_set(0);
    refresh();
}

/* The program's state, for leaving it from any screen (ui_quit). */
static ui_app *ui_current;

ui_app *ui_current_app(void)
{
    return ui_current;
}

void ui_quit(void)
{
    endwin();
    ui_input_stop();
    delscreen(ui_screen);
    if (ui_current && ui_current->fresh) {
        session_discard_blank(ui_current->fresh);
        session_free(ui_current->fresh);
    }
    if (ui_current) {
        free(ui_current->enumerator);
        catalog_free(ui_current->cat);
        store_close(ui_current->st);
    }
    exit(0);
}

/* Ctrl-C: leave the program after asking. Every confirmed answer is
 * already committed, so leaving loses only what is being typed. */
static void ui_interrupt(void)
{
    if (ui_confirm(_("Quit khaosat? Every confirmed answer is saved; text "
                     "not yet confirmed with Enter is lost.")))
        ui_quit();
}

/* The key given back by ui_ungetkey, or UI_KEY_NONE. */
static int ui_key_back = UI_KEY_NONE;

void ui_ungetkey(int k)
{
    ui_key_back = k;
}

int ui_getkey_ready(void)
{
    if (ui_key_back != UI_KEY_NONE) {
        int k = ui_key_back;
        ui_key_back = UI_KEY_NONE;
        return k;
    }
    /* Only when bytes wait on the terminal, then read as usual: a read
     * that may not wait could stop inside a character or a sequence
     * that is still arriving, and lose it. */
    for (;;) {
        if (!ui_input_waiting())
            return UI_KEY_NONE;
        int k = ui_input_key();
        if (k == UI_KEY_ERR)
            return UI_KEY_NONE;
        if (k != UI_KEY_NONE)
            return k;
    }
}

int ui_getkey(void)
{
    return ui_getkey_within(-1);
}

int ui_getkey_within(int ms)
{
    int was_small = 0, errs = 0;
    for (;;) {
        if (ui_too_small()) {
            ui_draw_too_small();
            was_small = 1;
        }
        int k = ui_key_back;
        ui_key_back = UI_KEY_NONE;
        if (k == UI_KEY_NONE) {
            wtimeout(stdscr, ms);
            k = ui_input_key();
            wtimeout(stdscr, -1);
        }
        if (k == UI_KEY_NONE)
            continue;
        if (k == UI_KEY_ERR && ms >= 0)
            return UI_KEY_NONE;     /* no key in time */
        if (k == UI_KEY_ERR) {
            /* The terminal went away: leave, as a closed terminal's
             * hang-up would; confirmed answers are all committed. */
            if (++errs > 100)
                ui_quit();
            continue;
        }
        if (k == UI_CTRL('c')) {
            ui_interrupt();
            return UI_FN(KEY_RESIZE);   /* said no: redraw the screen */
        }
        if (ui_too_small())
            continue;
        if (was_small)
            return UI_FN(KEY_RESIZE);
        return k;
    }
}

int ui_is_enter(int k)
{
    return k == '\n' || k == '\r' || k == UI_FN(KEY_ENTER);
}

int ui_put(int y, int x, const char *s, int width, ui_role r, int pad)
{
    if (width <= 0 || y < 0 || y >= LINES)
        return 0;
    char *t = ui_text_truncate(s ? s : "", width);
    size_t n = strlen(t), i = 0, k = 0;
    wchar_t *w = xmalloc((n + 1) * sizeof *w);
    int cols = 0;
    while (i < n) {
        wchar_t wc;
        size_t len = ui_text_char(t + i, n - i, &wc);
        if (wcwidth(wc) < 0 || ui_text_is_control((unsigned long)wc))
            wc = L'?';
        w[k++] = wc;
        cols += ui_text_wcwidth(wc);
        i += len;
    }
    w[k] = L'\0';
    attrset(ui_attr(r));
    mvaddnwstr(y, x, w, (int)k);
    for (; pad && cols < width; cols++)
        addch(' ');
    attrset(A_NORMAL);
    free(w);
    free(t);
    return cols;
}

char *ui_keys_trim(const char *keys, int width)
{
    if (ui_text_width(keys) <= width)
        return xstrdup(keys);
    /* Keys are apart by two spaces or more; words of one key by one. */
    size_t keep = 0;
    for (const char *p = keys; (p = strstr(p, "  ")) != NULL;) {
        char *head = xstrndup(keys, (size_t)(p - keys));
        int w = ui_text_width(head);
        free(head);
        if (w > width)
            break;
        keep = (size_t)(p - keys);
        p += strspn(p, " ");
    }
    /* Not one whole key fits: the first, cut with a mark by ui_put. */
    return keep ? xstrndup(keys, keep) : xstrdup(keys);
}

void ui_cell(sbuf *b, const char *s, int width)
{
    char *t = ui_text_truncate(s ? s : "", width);
    int pad = width - ui_text_width(t);
    sbuf_addf(b, "%s%*s ", t, pad > 0 ? pad : 0, "");
    free(t);
}

void ui_frame(const char *title, const char *keys)
{
    erase();
    curs_set(0);
    ui_put(0, 0, title, COLS, UI_HEADER, 1);
    char *fit = ui_keys_trim(keys, COLS);
    ui_put(LINES - 1, 0, fit, COLS, UI_DIM, 0);
    free(fit);
}

const char *ui_keys_fit(const char *const *bars, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (ui_text_width(bars[i]) <= COLS)
            return bars[i];
    return bars[n - 1];
}

void ui_status(const char *msg, ui_role r)
{
    move(LINES - 2, 0);
    clrtoeol();
    ui_put(LINES - 2, 0, msg, COLS, r, 0);
}

/* Draw a question over as many lines above the key bar as it needs, so
 * that the keys that answer it are never cut off (80 columns, Vietnamese
 * names and counts). */
void ui_status_wrapped(const char *msg, ui_role r)
{
    ui_line *l;
    size_t n = ui_text_wrap(msg, COLS > 1 ? COLS - 1 : 1, &l);
    size_t room = LINES > 3 ? (size_t)LINES - 3 : 1;
    size_t first = n > room ? n - room : 0;   /* keep the end: the keys */
    for (size_t i = first; i < n; i++) {
        int y = LINES - 2 - (int)(n - 1 - i);
        char *line = xstrndup(msg + l[i].off, l[i].len);
        move(y, 0);
        clrtoeol();
        ui_put(y, 0, line, COLS, r, 0);
        free(line);
    }
    free(l);
}

int ui_confirm(const char *question)
{
    /* TRANSLATORS: the key that answers "yes" to a y/n question. */
    const char *yes = _("y");
    char *q = xasprintf(_("%s (y/n)"), question);
    /* What the question is asked over, to put back after the terminal was
     * too small (or changed size) while it waited. */
    WINDOW *under = dupwin(stdscr);
    int k;
    for (;;) {
        ui_status_wrapped(q, UI_ERROR);
        refresh();
        k = ui_getkey();
        if (k != UI_FN(KEY_RESIZE))
            break;
        int h = 0, w = 0;
        if (under)
            getmaxyx(under, h, w);
        if (h == LINES && w == COLS)
            copywin(under, stdscr, 0, 0, 0, 0, h - 1, w - 1, FALSE);
        else
            erase();
    }
    if (under)
        delwin(under);
    free(q);
    return k == 'y' || k == 'Y' || (k > 0 && k < 128 && k == yes[0]);
}

int ui_list_move(int k, size_t n, size_t *sel, size_t page)
{
    if (n == 0)
        return k == UI_FN(KEY_UP) || k == UI_FN(KEY_DOWN);
    if (k == UI_FN(KEY_UP) || k == UI_CTRL('p'))
        *sel = *sel > 0 ? *sel - 1 : 0;
    else if (k == UI_FN(KEY_DOWN) || k == UI_CTRL('n'))
        *sel = *sel + 1 < n ? *sel + 1 : n - 1;
    else if (k == UI_FN(KEY_PPAGE))
        *sel = *sel > page ? *sel - page : 0;
    else if (k == UI_FN(KEY_NPAGE))
        *sel = *sel + page < n ? *sel + page : n - 1;
    else if (k == UI_FN(KEY_HOME))
        *sel = 0;
    else if (k == UI_FN(KEY_END))
        *sel = n - 1;
    else
        return 0;
    return 1;
}

size_t ui_list_view(size_t n, size_t sel, size_t *top)
{
    size_t rows = (size_t)(LINES - 4);
    if (sel < *top)
        *top = sel;
    if (sel >= *top + rows)
        *top = sel - rows + 1;
    if (n == 0)
        ui_put(2, 2, _("(nothing here)"), COLS - 4, UI_DIM, 0);
    return rows;
}

/* Draw the rows of a list between line 2 and the status line. */
static void ui_list_draw(char **entries, const int *marks, size_t n,
                         size_t sel, size_t *top)
{
    size_t rows = ui_list_view(n, sel, top);
    for (size_t i = *top; i < n && i < *top + rows; i++) {
        int m = marks ? marks[i] : 0;
        ui_role r = i == sel ? UI_SELECTED
                    : m == UI_MARK_DIM ? UI_DIM
                    : m == UI_MARK_HEADING ? UI_TITLE
                    : m ? UI_ERROR : UI_NORMAL;
        ui_put(2 + (int)(i - *top), 1, entries[i], COLS - 2, r, i == sel);
    }
}

int ui_pick_key(const char *title, const char *keys, char **entries,
                const int *marks, size_t n, size_t *sel, const char *extra)
{
    size_t top = 0;
    if (n && *sel >= n)
        *sel = n - 1;
    for (;;) {
        ui_frame(title, keys);
        ui_list_draw(entries, marks, n, *sel, &top);
        refresh();
        int k = ui_getkey();
        if (ui_list_move(k, n, sel, (size_t)(LINES - 4)))
            continue;
        if (ui_is_enter(k) && n)
            return '\n';
        /* A key of extra first: the home screen tells q from Esc. */
        if (k > 0 && k < 128 && extra && strchr(extra, k))
            return k;
        if (k == UI_ESC || k == 'q' || k == UI_CTRL('x'))
            return UI_ESC;
        if (k == UI_FN(KEY_DC) && extra && strchr(extra, 'd'))
            return 'd';
    }
}

int ui_pick(const char *title, const char *keys, char **entries,
            const int *marks, size_t n, size_t *sel)
{
    int k = ui_pick_key(title, keys, entries, marks, n, sel, NULL);
    return k == '\n' ? (int)*sel : -1;
}

/* The entries (and marks) of a list whose search key contains key; the
 * count. vis[j] is the index of the j-th shown entry. */
static size_t ui_search_filter(char **keys, size_t n, const char *query,
                               size_t *vis)
{
    char *q = canon_search_key(query);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!*q || strstr(keys[i], q))
            vis[m++] = i;
    free(q);
    return m;
}

int ui_pick_search(const char *title, const char *keys, char **entries,
                   const int *marks, size_t n, size_t *sel)
{
    return ui_pick_search_typed(title, keys, entries, marks, n, sel, NULL);
}

int ui_pick_search_typed(const char *title, const char *keys, char **entries,
                         const int *marks, size_t n, size_t *sel,
                         char **typed)
{
    char **sk = xcalloc(n + 1, sizeof *sk), **shown = xcalloc(n + 1, sizeof *shown);
    size_t *vis = xcalloc(n + 1, sizeof *vis);
    int *vmarks = xcalloc(n + 1, sizeof *vmarks);
    for (size_t i = 0; i < n; i++)
        sk[i] = canon_search_key(entries[i]);
    ui_edit q;
    ui_edit_init(&q, "");
    size_t top = 0, cur = *sel, nv = n;
    for (size_t i = 0; i < n; i++)
        vis[i] = i;
    int picked = -1;
    for (;;) {
        for (size_t j = 0; j < nv; j++) {
            shown[j] = entries[vis[j]];
            vmarks[j] = marks ? marks[vis[j]] : 0;
        }
        if (nv && cur >= nv)
            cur = nv - 1;
        ui_frame(title, keys);
        ui_list_draw(shown, vmarks, nv, cur, &top);
        if (*q.buf) {
            char *m = xasprintf(_("search: %s"), q.buf);
            ui_status(m, UI_TITLE);
            free(m);
        }
        refresh();
        int k = ui_getkey();
        if (ui_list_move(k, nv, &cur, (size_t)(LINES - 4)))
            continue;
        if (ui_is_enter(k) && nv) {
            picked = (int)vis[cur];
            break;
        }
        /* Nothing matches what was typed: Enter takes the text itself. */
        if (ui_is_enter(k) && typed && *q.buf) {
            *typed = xstrdup(q.buf);
            picked = UI_PICK_TYPED;
            break;
        }
        if ((k == UI_ESC && !*q.buf) || k == UI_CTRL('x'))
            break;
        if (k == UI_ESC)
            ui_edit_set(&q, "");
        else if (k == UI_FN(KEY_BACKSPACE) || k == 127 || k == 8)
            ui_edit_backspace(&q);
        else if (k >= 32 && k < 0x110000 && k != 127)
            ui_edit_insert_wc(&q, (wchar_t)k);
        else
            continue;
        nv = ui_search_filter(sk, n, q.buf, vis);
        cur = 0;
        top = 0;
    }
    if (picked >= 0)
        *sel = (size_t)picked;
    for (size_t i = 0; i < n; i++)
        free(sk[i]);
    free(sk);
    free(shown);
    free(vis);
    free(vmarks);
    ui_edit_free(&q);
    return picked;
}

void ui_show_text(const char *title, const char *text)
{
    size_t top = 0;
    for (;;) {
        ui_line *v;
        size_t n = ui_text_wrap(text, COLS - 4, &v);
        size_t rows = (size_t)(LINES - 4);
        if (top + rows > n)
            top = n > rows ? n - rows : 0;
        ui_frame(title, _("Up/Down scroll   Esc/Enter close"));
        for (size_t i = top; i < n && i < top + rows; i++) {
            char *l = xstrndup(text + v[i].off, v[i].len);
            ui_put(2 + (int)(i - top), 2, l, COLS - 4, UI_NORMAL, 0);
            free(l);
        }
        free(v);
        refresh();
        int k = ui_getkey();
        size_t step = k == UI_FN(KEY_PPAGE) || k == UI_FN(KEY_NPAGE) ? rows : 1;
        if (k == UI_FN(KEY_UP) || k == UI_FN(KEY_PPAGE))
            top = top > step ? top - step : 0;
        else if (k == UI_FN(KEY_DOWN) || k == UI_FN(KEY_NPAGE))
            top += step;
        else if (k == UI_ESC || k == 'q' || ui_is_enter(k) ||
                 k == UI_FN(KEY_F(1)))
            return;
    }
}

int ui_form_lang(const ui_app *a, const form *f)
{
    int l = a->lang_code ? form_lang(f, a->lang_code) : -1;
    return l >= 0 ? l : f->default_lang;
}

/* Draw the setup screen with field `at` being edited. */
static void ui_setup_draw(ui_edit *ed, int at, const char *msg)
{
    static const char *const labels[2] = {
        N_("Enumerator name or code:"), N_("Commune:")};
    ui_frame(_("khaosat: setup"),
             _("Enter next field / save   Tab switch field   Esc quit"));
    ui_put(2, 2, _("Who is taking interviews on this laptop?"), COLS - 4,
           UI_TITLE, 0);
    int cy = 4, cx = 0;
    for (int i = 0; i < 2; i++) {
        int y = 4 + 2 * i, fw = COLS - 34;
        ui_put(y, 2, _(labels[i]), 28, UI_NORMAL, 0);
        int c = ui_edit_view(&ed[i], fw);
        size_t off = ui_text_col_to_off(ed[i].buf, ed[i].scroll);
        ui_put(y, 32, ed[i].buf + off, fw, UI_FIELD, 1);
        if (i == at) {
            cy = y;
            cx = 32 + c;
        }
    }
    if (msg)
        ui_status(msg, UI_ERROR);
    move(cy, cx);
    curs_set(1);
    refresh();
}

int ui_edit_key(ui_edit *e, int k)
{
    if (k == UI_FN(KEY_LEFT))
        ui_edit_left(e);
    else if (k == UI_FN(KEY_RIGHT))
        ui_edit_right(e);
    else if (k == UI_FN(KEY_HOME))
        ui_edit_home(e);
    else if (k == UI_FN(KEY_END))
        ui_edit_end(e);
    else if (k == UI_FN(KEY_BACKSPACE) || k == 127 || k == 8)
        ui_edit_backspace(e);
    else if (k == UI_FN(KEY_DC))
        ui_edit_delete(e);
    else if (k >= 32 && k < 0x110000 && k != 127)
        ui_edit_insert_wc(e, (wchar_t)k);
    else
        return 0;
    return 1;
}

/* Save the setup; returns non-zero (with *msg) when it cannot be saved. */
static int ui_setup_save(ui_app *a, ui_edit *ed, const char **msg)
{
    /* Names in NFC, so that two input methods give the same bytes. */
    char *name = canon_text(ed[0].buf), *commune = canon_text(ed[1].buf);
    int rc = 1;
    if (!*name)
        *msg = _("The enumerator name or code is required.");
    else if (store_setting_set(a->st, "enumerator", name) ||
             store_setting_set(a->st, "commune", *commune ? commune : NULL))
        *msg = store_errmsg(a->st);
    else {
        free(a->enumerator);
        a->enumerator = name;
        name = NULL;
        rc = 0;
    }
    free(name);
    free(commune);
    return rc;
}

int ui_setup(ui_app *a)
{
    char *commune = NULL;
    store_setting_get(a->st, "commune", &commune);
    ui_edit ed[2];
    ui_edit_init(&ed[0], a->enumerator);
    ui_edit_init(&ed[1], commune);
    free(commune);
    int at = 0, rc = 1;
    const char *msg = NULL;
    for (;;) {
        ui_setup_draw(ed, at, msg);
        int k = ui_getkey();
        msg = NULL;
        if (k == UI_ESC) {
            break;
        } else if (k == '\t' || k == UI_FN(KEY_BTAB) || k == UI_FN(KEY_UP) ||
                   k == UI_FN(KEY_DOWN)) {
            at = !at;
        } else if (ui_is_enter(k) && at == 0) {
            at = 1;
        } else if (ui_is_enter(k)) {
            if (!ui_setup_save(a, ed, &msg)) {
                rc = 0;
                break;
            }
        } else {
            ui_edit_key(&ed[at], k);
        }
    }
    ui_edit_free(&ed[0]);
    ui_edit_free(&ed[1]);
    curs_set(0);
    return rc;
}

/* Warn about a locale that cannot show Vietnamese; non-zero to stop. */
static int ui_check_locale(void)
{
    const char *cs = nl_langinfo(CODESET);
    if (cs && !strcmp(cs, "UTF-8"))
        return 0;
    fprintf(stderr, _("khaosat: the terminal's character set is %s, not UTF-8:\n"
                      "Vietnamese text would be shown as garbage.\n"
                      "Set a UTF-8 locale first, for example:\n"
                      "  export LANG=C.UTF-8   (or vi_VN.UTF-8)\n"),
            cs ? cs : "?");
    if (!isatty(STDIN_FILENO))
        return 1;
    fprintf(stderr, _("Continue anyway? [y/N] "));
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        return 1;
    return !(line[0] == 'y' || line[0] == 'Y' || line[0] == _("y")[0]);
}

/* On a fatal error give the terminal back before the program aborts, so
 * the enumerator's shell is not left raw and silent. */
static void ui_fatal_restore(void)
{
    endwin();
    ui_input_stop();
    fputs(_("khaosat: out of memory; every confirmed answer is saved\n"),
          stderr);
}

/* Start curses; returns non-zero (after saying why) when it cannot. */
static int ui_start(void)
{
    SCREEN *sc = newterm(NULL, stdout, stdin);
    if (!sc) {
        fprintf(stderr, _("khaosat: cannot use terminal type '%s'\n"),
                getenv("TERM") ? getenv("TERM") : "");
        return 1;
    }
    set_term(sc);
    ui_screen = sc;
    util_on_fatal(ui_fatal_restore);
    /* raw: Ctrl-C is a key that asks before leaving (ui_getkey), not a
     * signal that ends the program at once. */
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    ui_input_start();
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
        init_pair(1, COLOR_WHITE, COLOR_BLUE);
        init_pair(2, COLOR_RED, -1);
        init_pair(3, COLOR_CYAN, -1);
        ui_has_color = 1;
    }
    return 0;
}

/* Print how to run the interview screen. */
static void ui_usage(FILE *f)
{
    fprintf(f, _("Usage: khaosat [--db PATH] [--forms DIR] [--lang CODE]\n"
                 "Take interviews on the terminal.\n\n"
                 "  --db PATH     the database (default: $KHAOSAT_DB or ~/.local/share/khaosat)\n"
                 "  --forms DIR   the forms directory (default: $KHAOSAT_FORMS)\n"
                 "  --lang CODE   the form language to start in (e.g. vi, en)\n"
                 "  --help        this help\n"));
}

/* Print the catalog's notes (NULL is fine) before the screen starts, made
 * safe for the terminal. */
static void ui_print_notes(const char *notes)
{
    if (!notes)
        return;
    char *safe = ui_text_safe(notes, UI_TEXT_LINES);
    for (char *p = safe, *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
        nl = strchr(p, '\n');
        fprintf(stderr, "khaosat: %.*s\n", nl ? (int)(nl - p) : (int)strlen(p),
                p);
    }
    free(safe);
}

/* Parse the options; returns -1 to run, else the exit status. */
static int ui_options(int argc, char **argv, const char **db,
                      const char **forms, const char **lang)
{
    /* argv[0] is the program, unless the caller passed the options only. */
    int i = argc > 0 && argv[0][0] != '-' ? 1 : 0;
    for (; i < argc; i++) {
        const char *o = argv[i];
        const char **dst = !strcmp(o, "--db") ? db
                           : !strcmp(o, "--forms") ? forms
                           : !strcmp(o, "--lang") ? lang : NULL;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            ui_usage(stdout);
            return 0;
        }
        if (!dst || i + 1 >= argc) {
            fprintf(stderr, dst ? _("khaosat: %s needs a value\n")
                                : _("khaosat: unknown option '%s'\n"), o);
            ui_usage(stderr);
            return 2;
        }
        *dst = argv[++i];
    }
    return -1;
}

int ui_run(int argc, char **argv)
{
    const char *db = NULL, *forms = NULL, *lang = NULL;
    int rc = ui_options(argc, argv, &db, &forms, &lang);
    if (rc >= 0)
        return rc;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, _("khaosat: the interview screen needs a terminal\n"));
        return 1;
    }
    if (ui_check_locale())
        return 1;
    ui_app a;
    memset(&a, 0, sizeof a);
    a.lang_code = lang;
    ui_current = &a;
    /* The first run of the screen starts the database (and says so). */
    char *err = NULL;
    int created = 0;
    /* A database this user may only read (a copy on a read-only stick)
     * is shown: every change is refused in words (store_read_only). */
    if (store_open_at(db, STORE_CREATE_OR_READ, &a.st, &created, &err)) {
        fprintf(stderr, "khaosat: %s\n", err);
        free(err);
        return 1;
    }
    if (created)
        fprintf(stderr, _("khaosat: created a new database %s\n"),
                store_path(a.st));
    char *notes = NULL;
    a.cat = catalog_open(forms, &notes);
    if (!a.cat) {
        ui_print_notes(notes);
        free(notes);
        store_close(a.st);
        return 1;
    }
    /* The office's forms and the commune's villages, when it sent them. */
    setup_forms_bind(a.st, a.cat);
    /* Ctrl-F stores what the interview adds to the report. */
    report_keeper *keep = report_keep_attach(a.st, a.cat);
    store_setting_get(a.st, "enumerator", &a.enumerator);
    char *ui_lang = NULL;
    if (!store_setting_get(a.st, "ui_lang", &ui_lang) && ui_lang)
        ui_apply_language(ui_lang);
    free(ui_lang);
    rc = 1;
    if (!ui_start()) {
        a.color = ui_has_color;
        /* A form with errors is left out: say so here, not only on stderr
         * after the screen is gone. */
        if (notes)
            ui_show_text(_("Forms left out"), notes);
        /* The first run's questions are saved: not asked of a
         * database only read. */
        int ro = store_read_only(a.st) != NULL;
        if (!a.enumerator && !ro)
            ui_language_first_run(&a);
        if (a.enumerator || ro || !ui_setup(&a))
            ui_home(&a);
        endwin();
        ui_input_stop();
        util_on_fatal(NULL);
        delscreen(ui_screen);
        rc = 0;
    }
    free(notes);
    free(a.enumerator);
    report_keep_detach(a.st, keep);
    catalog_free(a.cat);
    store_close(a.st);
    return rc;
}
