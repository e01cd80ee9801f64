/* ui.h: what the curses screens of khaosat share (ui_app.c, ui_home.c,
 * ui_interview.c, ui_widgets.c). Only these files include curses. */
#ifndef KHAOSAT_UI_H
#define KHAOSAT_UI_H

#include <stddef.h>

#include "catalog.h"
#include "session.h"
#include "store.h"
#include "ui_text.h"

/* The screen below this size shows "terminal too small" and nothing else. */
#define UI_MIN_COLS 80
#define UI_MIN_LINES 24

/* A key: a character's code point, or UI_FN(KEY_...) for a curses key. */
#define UI_FN(k) (0x200000 | (k))
#define UI_CTRL(c) ((c) & 0x1f)
#define UI_ESC 27

/* What the program runs with. */
typedef struct ui_app {
    store *st;
    catalog *cat;
    const char *lang_code;   /* --lang, or NULL: each form's default */
    char *enumerator;
    int color;
} ui_app;

/* How a piece of the screen looks; works on monochrome terminals. */
typedef enum ui_role {
    UI_NORMAL,
    UI_HEADER,
    UI_TITLE,
    UI_SELECTED,
    UI_ERROR,
    UI_DIM,
    UI_FIELD
} ui_role;

/* app: colours, keys, drawing and the small shared screens (ui_app.c). */

/* The attributes of a role. */
int ui_attr(ui_role r);
/* Wait for a key; while the terminal is too small only a notice is shown.
 * Returns KEY_RESIZE as UI_FN(KEY_RESIZE) when the screen must be redrawn. */
int ui_getkey(void);
/* Non-zero when k is Enter. */
int ui_is_enter(int k);
/* Draw UTF-8 text at (y, x) in at most width columns (cut with an
 * ellipsis); pad to width with role's background when pad is set.
 * Returns the columns drawn. */
int ui_put(int y, int x, const char *s, int width, ui_role r, int pad);
/* Clear the screen and draw the title bar and the bottom key line. */
void ui_frame(const char *title, const char *keys);
/* Show msg on the line above the key line until the next key. */
void ui_status(const char *msg, ui_role r);
/* Ask a yes/no question on the status line; non-zero for yes. */
int ui_confirm(const char *question);
/* Show text (lines separated by '\n') in a scrolling screen until Esc,
 * q or Enter. */
void ui_show_text(const char *title, const char *text);
/* A list to pick from: returns the index picked with Enter, or -1 on Esc
 * or q. *sel is the highlighted row, kept between calls. Each entry takes
 * one line; marks[i] (marks may be NULL) draws entry i with UI_ERROR. */
int ui_pick(const char *title, const char *keys, char **entries,
            const int *marks, size_t n, size_t *sel);
/* Like ui_pick, but any key in extra (e.g. "dn") also ends the list;
 * returns the key that ended it (Enter as '\n', Esc as UI_ESC). */
int ui_pick_key(const char *title, const char *keys, char **entries,
                const int *marks, size_t n, size_t *sel, const char *extra);
/* The help screen listing every key of the interview. */
void ui_help(void);
/* The form language index to start an interview of f in. */
int ui_form_lang(const ui_app *a, const form *f);
/* The setup screen: enumerator and commune, saved in the settings.
 * Returns non-zero when the enumerator left it without saving. */
int ui_setup(ui_app *a);

/* home (ui_home.c). */

/* The home screen: returns when the enumerator quits. */
void ui_home(ui_app *a);

/* interview (ui_interview.c). */

/* Take the interview s of form f until the enumerator leaves it. Returns
 * non-zero when it was finalised. */
int ui_interview(ui_app *a, session *s);

/* widgets (ui_widgets.c). */

/* What a key did to a widget. */
typedef enum ui_wres {
    UI_W_UNHANDLED,   /* not the widget's key: the screen decides */
    UI_W_DONE,        /* consumed */
    UI_W_CONFIRM,     /* Enter: save the answer and go on */
    UI_W_OPEN,        /* roster: go into member w->cursor */
    UI_W_ADD,         /* roster: add a member */
    UI_W_REMOVE,      /* roster: remove member w->cursor */
    UI_W_CONTINUE     /* roster: move past the repeat */
} ui_wres;

/* The widget for one item, with what is being typed or picked. */
typedef struct ui_widget {
    session_item it;
    form_qtype type;
    int read_only;
    ui_edit ed;
    int *choices;         /* selects: offered choices (indices) */
    size_t nchoices;
    unsigned char *checked;
    size_t cursor;        /* selects and roster: highlighted row */
    size_t top;           /* first row shown */
    size_t nrows;         /* roster: members + the "continue" row */
    char *inline_msg;     /* shown under the field as the person types */
} ui_widget;

/* Set up w for item it with its current answer. */
void ui_widget_init(ui_widget *w, session *s, session_item it);
/* Free what w holds. */
void ui_widget_free(ui_widget *w);
/* Draw w from row y in the given width and at most height rows; returns
 * the rows used. Leaves the cursor where typing goes (*curs_y and *curs_x,
 * -1 when there is none). */
int ui_widget_draw(ui_widget *w, session *s, int y, int x, int width,
                   int height, int *curs_y, int *curs_x);
/* Handle key k. */
ui_wres ui_widget_key(ui_widget *w, session *s, int k);
/* The answer to save (newly allocated, "" for none), or NULL with *err
 * (newly allocated, translated) when what was typed is not acceptable. */
char *ui_widget_value(ui_widget *w, session *s, char **err);
/* Non-zero when the widget takes typed text (so '?' is text, not help). */
int ui_widget_types(const ui_widget *w);
/* The label of member i of roster item it: its first text answer, or #N. */
char *ui_member_label(session *s, session_item it, size_t i);

#endif
