/* ui.h: what the curses screens of khaosat share (ui_app.c, ui_home.c,
 * ui_interview*.c, ui_widgets.c and the other screens). Only these files
 * include curses. */
#ifndef KHAOSAT_UI_H
#define KHAOSAT_UI_H

#include <stddef.h>

#include "core/catalog.h"
#include "session/session.h"
#include "store/store.h"
#include "core/ui_text.h"

/* The screen below this size shows "terminal too small" and nothing else. */
#define UI_MIN_COLS 60
#define UI_MIN_LINES 20

/* A key: a character's code point, or UI_FN(KEY_...) for a curses key. */
#define UI_FN(k) (0x200000 | (k))
#define UI_CTRL(c) ((c) & 0x1f)
#define UI_ESC 27
/* What ui_input_key returns for a sequence that means nothing here, and
 * when the terminal cannot be read. */
#define UI_KEY_NONE (-2)
#define UI_KEY_ERR (-1)
/* A Return that came in one burst with other keys: a line break pasted
 * on a terminal without bracketed paste, never Enter. */
#define UI_KEY_PASTE_BREAK UI_FN(0x1ffff)

/* What the program runs with. */
typedef struct ui_app {
    store *st;
    catalog *cat;
    const char *lang_code;   /* --lang, or NULL: each form's default */
    char *enumerator;
    int color;
    char *open_next;         /* an interview to open after this one (UUID) */
    session *fresh;          /* a new interview being taken, or NULL */
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
/* ui_getkey, but give up after ms milliseconds without a key and return
 * UI_KEY_NONE. */
int ui_getkey_within(int ms);
/* A key that has already arrived (typed ahead, or the rest of a paste),
 * taken without waiting; UI_KEY_NONE when none has. */
int ui_getkey_ready(void);
/* Give back key k, taken with ui_getkey_ready but not used: the next
 * ui_getkey returns it.  One key at most. */
void ui_ungetkey(int k);
/* Leave the program at once: close the screen and the database, exit 0.
 * Safe at any time, since every confirmed answer is already committed. */
void ui_quit(void);
/* Non-zero when k is Enter. */
int ui_is_enter(int k);
/* Draw UTF-8 text at (y, x) in at most width columns (cut with an
 * ellipsis); pad to width with role's background when pad is set.
 * Returns the columns drawn. */
int ui_put(int y, int x, const char *s, int width, ui_role r, int pad);
/* keys (a key bar: keys two spaces or more apart, the most needed first)
 * without the keys that do not fit in width columns, never cutting one
 * key in the middle. Newly allocated. */
char *ui_keys_trim(const char *keys, int width);
/* Append s cut or padded to width columns, then a space. */
void ui_cell(sbuf *b, const char *s, int width);
/* Clear the screen and draw the title bar and the bottom key line (cut
 * to the screen by ui_keys_trim). */
void ui_frame(const char *title, const char *keys);
/* The first of n key bars (longest first) that fits the screen's width,
 * else the last. */
const char *ui_keys_fit(const char *const *bars, size_t n);
/* Show msg on the line above the key line until the next key. */
void ui_status(const char *msg, ui_role r);
/* Show msg above the key line over as many lines as it needs (its end,
 * with the keys that answer it, kept when the screen is short). */
void ui_status_wrapped(const char *msg, ui_role r);
/* Ask a yes/no question on the status line; non-zero for yes. */
int ui_confirm(const char *question);
/* Show text (lines separated by '\n') in a scrolling screen until Esc,
 * q or Enter. */
void ui_show_text(const char *title, const char *text);
/* How ui_pick draws a marked entry (marks[i]). */
#define UI_MARK_ERROR 1     /* as UI_ERROR (any other non-zero too) */
#define UI_MARK_DIM 2       /* greyed: left out */
#define UI_MARK_HEADING 3   /* a section heading */
/* A list to pick from: returns the index picked with Enter, or -1 on Esc
 * or q. *sel is the highlighted row, kept between calls. Each entry takes
 * one line; marks[i] (marks may be NULL) draws entry i as UI_MARK_*
 * says. */
int ui_pick(const char *title, const char *keys, char **entries,
            const int *marks, size_t n, size_t *sel);
/* Like ui_pick, but any key in extra (e.g. "dn") also ends the list;
 * returns the key that ended it (Enter as '\n', Esc as UI_ESC). */
int ui_pick_key(const char *title, const char *keys, char **entries,
                const int *marks, size_t n, size_t *sel, const char *extra);
/* ui_pick where typing narrows the list to the entries that contain what
 * is typed (accents and case ignored; Backspace erases, Esc clears it,
 * then leaves). Returns the index in entries, or -1. */
int ui_pick_search(const char *title, const char *keys, char **entries,
                   const int *marks, size_t n, size_t *sel);
/* ui_pick_search where Enter with text typed that no entry matches
 * returns UI_PICK_TYPED with *typed the text (newly allocated), so that a
 * new name can be typed straight into the list. */
#define UI_PICK_TYPED (-2)
int ui_pick_search_typed(const char *title, const char *keys, char **entries,
                         const int *marks, size_t n, size_t *sel,
                         char **typed);
/* Move the cursor *sel of a list of n rows, page rows to a screen, for a
 * navigation key (arrows, Page Up/Down, Home, End); 0 when k is not one. */
int ui_list_move(int k, size_t n, size_t *sel, size_t page);
/* Scroll a list of n rows drawn from line 2 so that row sel shows (or say
 * that it is empty); the rows a screen holds. */
size_t ui_list_view(size_t n, size_t sel, size_t *top);
/* The application running (for the screens called without it). */
ui_app *ui_current_app(void);
/* help (ui_help.c): the help screens and the interface language. */
/* Speak language code ("vi", "en") from now on, whatever the locale. */
void ui_apply_language(const char *code);
/* The first run asks the interface language (Vietnamese first) and keeps
 * it, unless the database already has one. */
void ui_language_first_run(ui_app *a);
/* The help screen listing every key of the interview. */
void ui_help(void);
/* The help screen of the home screen and the supervisor's screens. */
void ui_help_home(void);
/* The form language index to start an interview of f in. */
int ui_form_lang(const ui_app *a, const form *f);
/* Apply an editing key (arrows, Home, End, Backspace, Delete, a
 * character) to a line editor; returns 0 when k is not one. */
int ui_edit_key(ui_edit *e, int k);
/* The setup screen: enumerator and commune, saved in the settings.
 * Returns non-zero when the enumerator left it without saving. */
int ui_setup(ui_app *a);

/* input (ui_input.c): keys decoded whatever the terminal type. */

/* Set the Esc delay and switch bracketed paste on (after newterm). */
void ui_input_start(void);
/* Switch bracketed paste off again (after endwin). */
void ui_input_stop(void);
/* Read one key: a character, UI_FN(KEY_...) (also for escape sequences
 * the terminal description lacks), UI_ESC, UI_KEY_NONE for a sequence
 * that means nothing, UI_KEY_ERR when the terminal cannot be read. Inside
 * a paste, line breaks and Tab come as spaces; a line break in a burst
 * of keys (a paste the terminal did not mark) as UI_KEY_PASTE_BREAK. */
int ui_input_key(void);
/* Non-zero while a bracketed paste is being read. */
int ui_input_pasting(void);
/* Non-zero when bytes wait on the terminal, not yet read. */
int ui_input_waiting(void);

/* home (ui_home.c). */

/* The home screen: returns when the enumerator quits. */
void ui_home(ui_app *a);
/* The form an interview was taken with: the catalog's, or the text kept
 * in the store (then *owned is set and the caller frees it); NULL when
 * neither can be read. */
const form *ui_form_of(ui_app *a, const store_interview *iv, form **owned);
/* Resume or reopen interview iv, as Enter does in the interview list. */
void ui_open_interview(ui_app *a, const store_interview *iv);

/* Returned interviews (ui_returned.c). */

/* How many interviews the office returned that are not finished again
 * (store_returned_count). */
long ui_returned_count(ui_app *a);
/* The supervisor's comment on iv when the office returned it and it is
 * not finished again (newly allocated, "" when none), else NULL;
 * *earlier (when not NULL) 1 when the return judged an earlier version. */
char *ui_returned_comment(ui_app *a, const store_interview *iv,
                          int *earlier);
/* Show the supervisor's comment when iv is a returned draft. */
void ui_returned_notice(ui_app *a, const store_interview *iv);
/* The list of returned drafts; Enter opens one. */
void ui_returned(ui_app *a);

/* office (ui_office.c): the supervisor's sync actions and the report. */

/* Ask for one line of text under question, starting from initial; returns
 * the text (newly allocated) or NULL when the person pressed Esc. */
char *ui_ask(const char *title, const char *question, const char *initial);
/* ui_ask holding at most max bytes (0: no limit): a key past it is not
 * taken and the status line says why. Newly allocated, or NULL. */
char *ui_ask_max(const char *title, const char *question,
                 const char *initial, size_t max);
/* Show text in a pager (arrows, PgUp, PgDn, Home, End; Left and Right
 * for wide lines when it is not wrapped) until Esc or q, or until a key
 * of extra (ASCII) is pressed; returns that key, or UI_ESC. msg (may be
 * NULL) is shown on the status line until the first key. */
int ui_pager(const char *title, const char *keys, const char *text,
             int wrap, const char *extra, const char *msg);
/* Clear the screen to a one-line notice while something slow runs. */
void ui_working(const char *title, const char *what);
/* Where a USB stick is: the first directory mounted under /media/USER or
 * /run/media/USER, else the current directory. Newly allocated. */
char *ui_usb_dir(void);
/* Export the interviews not yet exported into a directory (asked). */
void ui_export(ui_app *a);
/* At an office: write the downstream bundles for every laptop or the one
 * chosen into a directory (asked), as khaosat export --down, and say
 * what each carries. */
void ui_export_down(ui_app *a);
/* Back the database up into a directory the user gives, and say how it
 * went. */
void ui_backup(ui_app *a);
/* Merge every bundle of a directory (asked), with progress and summary. */
void ui_merge(ui_app *a);

/* commune (ui_commune.c). */

/* The office's set-up screen: the commune, its villages with their
 * household lists and enumerators, changed as khaosat setup does. */
void ui_commune(ui_app *a);

/* report (ui_report.c). */

/* The indicator report of this database on screen; of a database holding
 * several communes, the communes with their verdicts, each one's report
 * and their comparison. */
void ui_report(ui_app *a);

/* review (ui_review.c): the supervisor's browsing and review. */

/* Browse every interview with filters; open, approve and return them. */
void ui_browse(ui_app *a);
/* Show interview uuid read-only; review non-zero offers approve and
 * return. */
void ui_view_interview(ui_app *a, const char *uuid, int review);
/* The answers to f's key questions of interview uuid, "01 / 17" (newly
 * allocated, "" when unanswered); *village (may be NULL) gets the answer
 * to a top-level question "village", or NULL. */
char *ui_case_key(ui_app *a, const form *f, const char *uuid,
                  char **village);

/* keys (ui_keys.c). */

/* This database's fingerprint and the cards it trusts; write this card,
 * trust a card after showing its fingerprint, revoke one. */
void ui_keys(ui_app *a);

/* conflicts (ui_conflict.c). */

/* The open conflicts, resolved side by side, and the possible duplicates. */
void ui_conflicts(ui_app *a);

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
    int moved;            /* select_one: the highlight was moved by a key */
    char *initial;        /* what the line editor started with */
    int multiline;        /* text over several lines: Enter breaks a line,
                           * Tab confirms */
    size_t top;           /* first row shown */
    size_t nrows;         /* roster: members + the "continue" row */
    char *inline_msg;     /* shown under the field as the person types */
    size_t *vis;          /* selects: the choices shown (indices into
                           * choices), narrowed by filter; cursor and top
                           * count in it */
    size_t nvis;
    char *filter;         /* selects: letters typed to narrow a long list */
    char code[16];        /* selects: digits of a code being typed */
    int numeric;          /* selects: every offered code is a number */
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
/* Keep row cursor inside a window of rows rows starting at top. */
void ui_widget_scroll(ui_widget *w, size_t rows);
/* Move the highlighted row of n for an arrow, Home or End key; 0 when k
 * is not one. */
int ui_widget_arrows(ui_widget *w, int k, size_t n);
/* Non-zero while a choice code is typed that a longer one could
 * continue: the screen then waits a short time for the next digit and
 * passes UI_KEY_NONE when none came. */
int ui_widget_pending(const ui_widget *w);
/* The fewest rows w should have to be usable (a few choices, the field
 * and its message). */
int ui_widget_min_rows(const ui_widget *w);
/* Handle key k. */
ui_wres ui_widget_key(ui_widget *w, session *s, int k);
/* select (ui_select.c): choice lists with codes, filter and scrolling. */

/* Set up the list of shown choices and whether codes are typed. */
void ui_select_init(ui_widget *w, session *s);
/* Draw the choices of w from row y in at most height rows; the rows
 * used. */
int ui_select_draw(ui_widget *w, session *s, int y, int x, int width,
                   int height);
/* Handle key k (UI_KEY_NONE: the pause after a code ended). */
ui_wres ui_select_key(ui_widget *w, session *s, int k);
/* The answer to save (newly allocated, "" for none), or NULL with *err
 * (newly allocated, translated) when what was typed is not acceptable. */
char *ui_widget_value(ui_widget *w, session *s, char **err);
/* Non-zero when text was typed that is not saved yet. */
int ui_widget_dirty(const ui_widget *w);
/* Non-zero when the widget takes typed text (so '?' is text, not help). */
int ui_widget_types(const ui_widget *w);
/* Non-zero when k only changes the text of w's line editor (a character
 * or Backspace): keys typed ahead that may go in before w is drawn again. */
int ui_widget_typing_key(const ui_widget *w, int k);
/* An answer to question fq (may be NULL) of f as people read it, newly
 * allocated: choice labels in language lang, dates as dd/mm/yyyy, and
 * none for an empty answer. */
char *ui_answer_show(const form *f, const form_question *fq, const char *val,
                     int lang, const char *none);

#endif
