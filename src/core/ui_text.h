/* ui_text.h: text measuring and editing for the terminal screens, without
 * curses, so that it can be tested without a terminal. Text stays UTF-8;
 * widths come from the C library's wcwidth() in the current locale. A byte
 * that does not start a valid character counts as one column (it is drawn
 * as '?'), so broken input never breaks the layout. */
#ifndef KHAOSAT_UI_TEXT_H
#define KHAOSAT_UI_TEXT_H

#include <stddef.h>

#include "core/util.h"

/* Length in bytes of the character at s (1 for an invalid byte, 0 at the
 * end); *wc (may be NULL) gets the character, or '?' for an invalid byte. */
size_t ui_text_char(const char *s, size_t n, wchar_t *wc);
/* Columns the character wc takes (0 for combining marks; 1 for characters
 * the terminal cannot show, which are drawn as '?'). */
int ui_text_wcwidth(wchar_t wc);
/* Display width of the first n bytes of s. */
int ui_text_width_n(const char *s, size_t n);
/* Display width of s. */
int ui_text_width(const char *s);
/* Columns the first n bytes of UTF-8 s take, whatever the locale (for
 * text written to files, such as reports): Unicode's widths (utf8proc), 0
 * for combining marks, 2 for wide characters, 1 for a control or a byte
 * that is not valid UTF-8 (each printed as one '?'). */
size_t ui_text_cols(const char *s, size_t n);
/* Byte offset of the character after the one at off (len at the end). */
size_t ui_text_next(const char *s, size_t len, size_t off);
/* Byte offset of the character before off (0 at the start). */
size_t ui_text_prev(const char *s, size_t off);
/* Byte offset of the next user-perceived character (grapheme cluster: a
 * letter with its combining marks) after off; len at the end. */
size_t ui_text_next_cluster(const char *s, size_t len, size_t off);
/* Byte offset where the cluster before off starts (0 at the start). */
size_t ui_text_prev_cluster(const char *s, size_t off);
/* Column where the character at byte offset off starts. */
int ui_text_off_to_col(const char *s, size_t off);
/* Byte offset of the first character that does not fit in col columns
 * (never inside a character; strlen(s) when everything fits). */
size_t ui_text_col_to_off(const char *s, int col);

/* One wrapped line: bytes [off, off + len) of the text. */
typedef struct ui_line {
    size_t off, len;
} ui_line;

/* Wrap s to width columns: breaks at spaces when it can, inside a word
 * only when the word alone is wider than the line, and at every newline.
 * Returns the number of lines (at least 1); *out is newly allocated. */
size_t ui_text_wrap(const char *s, int width, ui_line **out);
/* s cut to at most width columns, ending with an ellipsis when cut.
 * Newly allocated. */
char *ui_text_truncate(const char *s, int width);

/* A one-line text being edited: the cursor is a byte offset that always
 * sits on a grapheme cluster boundary, so a letter and its combining marks
 * move and go away together; scroll is the first column shown. */
typedef struct ui_edit {
    char *buf;
    size_t len, cap;
    size_t cur;
    int scroll;
} ui_edit;

/* Start editing a copy of text (NULL: empty), cursor at the end. */
void ui_edit_init(ui_edit *e, const char *text);
/* Free the text. */
void ui_edit_free(ui_edit *e);
/* Replace the text, cursor at the end. */
void ui_edit_set(ui_edit *e, const char *text);
/* Insert the UTF-8 bytes of one character (or more) at the cursor. */
void ui_edit_insert(ui_edit *e, const char *bytes, size_t n);
/* Insert the wide character wc at the cursor (ignored when the locale
 * cannot encode it). */
void ui_edit_insert_wc(ui_edit *e, wchar_t wc);
/* Delete the character (grapheme cluster) before the cursor. */
void ui_edit_backspace(ui_edit *e);
/* Delete the character (grapheme cluster) under the cursor. */
void ui_edit_delete(ui_edit *e);
/* Move the cursor one character (grapheme cluster) left. */
void ui_edit_left(ui_edit *e);
/* Move the cursor one character (grapheme cluster) right. */
void ui_edit_right(ui_edit *e);
/* Move the cursor to the start. */
void ui_edit_home(ui_edit *e);
/* Move the cursor to the end. */
void ui_edit_end(ui_edit *e);
/* Adjust scroll so that the cursor is visible in a field of width columns
 * (one column kept for the cursor after the last character); returns the
 * cursor's column inside the field. */
int ui_edit_view(ui_edit *e, int width);

/* Non-zero when s is a whole number (optional sign, digits; spaces around
 * it are allowed). */
int ui_text_is_integer(const char *s);
/* Non-zero when s is a decimal number (optional sign, digits, one '.' or
 * decimal comma ','; spaces around it are allowed). */
int ui_text_is_decimal(const char *s);
/* Convert a typed date dd/mm/yyyy (1 or 2 digits for day and month; '-'
 * or '.' also separate) to YYYY-MM-DD, newly allocated; NULL when it is
 * not a real calendar date. */
char *ui_text_date_parse(const char *typed);
/* What is wrong with a typed date, so the message can say it. */
typedef enum ui_date_problem {
    UI_DATE_OK,
    UI_DATE_FORMAT,       /* not dd/mm/yyyy at all */
    UI_DATE_NO_MONTH,     /* month 0 or above 12 */
    UI_DATE_NO_DAY,       /* day 0 or past the month's end (30/02) */
    UI_DATE_NO_YEAR       /* year 0 */
} ui_date_problem;
/* Check a typed date as ui_text_date_parse reads it. */
ui_date_problem ui_text_date_check(const char *typed);
/* Convert a stored YYYY-MM-DD to dd/mm/yyyy for editing (newly
 * allocated); other text is copied as it is. */
char *ui_text_date_show(const char *stored);

/* Non-zero when code point cp must never reach a terminal as it is: C0
 * and C1 controls, DEL, and the bidirectional overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069) that make text show other than it
 * reads. */
int ui_text_is_control(unsigned long cp);
/* Non-zero when the UTF-8 text s holds a control character (as above)
 * or a byte-order mark: text from outside that screens and bundles
 * cannot show. */
int ui_text_has_control(const char *s);
/* Non-zero when the len bytes of s can be a name of the commune's set-up
 * (of the commune, a village, an enumerator, a household's head): UTF-8
 * without a NUL, a control character or a byte-order mark.  The one check
 * of the office's CSV files (khaosat setup) and of a laptop taking the
 * office's set-up from a bundle. */
int ui_text_name_ok(const char *s, size_t len);
/* How text from outside is made safe to show: the one escaping of
 * khaosat, in the mode of where the text goes. Valid UTF-8 other than the
 * controls is kept whatever the locale (a report file written under
 * LANG=C keeps its Vietnamese). */
typedef enum ui_text_mode {
    /* One line for a terminal: every control character (ui_text_is_control,
     * new lines and tabs too) and every byte that is not valid UTF-8
     * becomes '?'. */
    UI_TEXT_LINE = 0,
    /* Text of several lines: the same, but '\n', '\t' and "\r\n" kept. */
    UI_TEXT_LINES = 1,
    /* A report's text, printed or written to a file that is shown with cat
     * later: '\n' kept, a tab a space (its columns are laid out in
     * spaces), every other control and bad byte '?'. */
    UI_TEXT_REPORT = 2,
    /* A value quoted inside a message, where the reader must see what the
     * value holds: C0 controls, DEL, '"', '\\' and bytes that are not
     * UTF-8 as \xNN, C1 controls and bidi overrides as \uNNNN, and after
     * 60 bytes of it "..." (never inside a character). */
    UI_TEXT_QUOTED = 3,
    /* A field of a tab-separated line, whole: '\\', tab, new line and
     * carriage return as \\\\, \\t, \\n and \\r, the rest as UI_TEXT_QUOTED
     * (but '"' kept and never cut). */
    UI_TEXT_FIELD = 4,
} ui_text_mode;
/* Append s (NULL as "") to b made safe in mode. */
void ui_text_escape(sbuf *b, const char *s, ui_text_mode mode);
/* s (NULL as "") made safe in mode: the one function through which the
 * commands print text from databases, bundles and file names.  Newly
 * allocated. */
char *ui_text_safe(const char *s, ui_text_mode mode);

#endif
