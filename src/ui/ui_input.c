/* ui_input.c: keys as the enumerator pressed them, whatever the terminal
 * type says. A terminal whose description lacks a key (PgUp and Shift-Tab
 * on vt100, F1 on the Linux console) sends an escape sequence curses does
 * not know; read raw, its Esc would throw the enumerator out of the
 * interview. Such sequences are decoded here, unknown ones are dropped,
 * and a bracketed paste is marked so that a pasted line break never
 * confirms a field. */
#include "config.h"
#include "ui/ui_curses.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "ui/ui.h"

/* How long the rest of an escape sequence may take after its Esc: the
 * terminal sends it in one write, so a few milliseconds are plenty, and a
 * lone Esc still answers at once. */
#define INPUT_FOLLOW_MS 20
/* Esc alone is told from the start of a sequence after this long. */
#define INPUT_ESCDELAY_MS 25

static int input_in_paste;
static int input_after_cr;      /* the last key was a pasted Return */
static int input_paste_begin, input_paste_end;   /* curses codes, or 0 */

void ui_input_start(void)
{
    set_escdelay(INPUT_ESCDELAY_MS);
    /* Some terminal descriptions name the paste brackets as keys. */
    input_paste_begin = key_defined("\033[200~");
    input_paste_end = key_defined("\033[201~");
    if (input_paste_begin < 0)
        input_paste_begin = 0;
    if (input_paste_end < 0)
        input_paste_end = 0;
    input_in_paste = 0;
    fputs("\033[?2004h", stdout);   /* bracketed paste on */
    fflush(stdout);
}

void ui_input_stop(void)
{
    fputs("\033[?2004l", stdout);
    fflush(stdout);
}

int ui_input_pasting(void)
{
    return input_in_paste;
}

int ui_input_waiting(void)
{
    /* curses reads a byte at a time, so what it has not taken is still
     * there to be seen. */
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* Put back a byte or key (UI_FN) read ahead, for the next read. */
static void input_unread(int c)
{
    ungetch(c >= UI_FN(0) ? c & ~UI_FN(0) : c);
}

/* The next byte (or curses key, as UI_FN) of a sequence or a character,
 * or -1 when none follows at once. Bytes, not characters, are read:
 * curses' own decoding waits for ever on a byte that is not UTF-8. */
static int input_follow(void)
{
    wtimeout(stdscr, INPUT_FOLLOW_MS);
    int r = wgetch(stdscr);
    wtimeout(stdscr, -1);
    if (r == ERR)
        return -1;
    return r >= KEY_MIN ? UI_FN(r) : r;
}

/* The character that byte lead starts, its other bytes read at once; or
 * UI_KEY_NONE, so that a byte that is not UTF-8 (a Latin-1 key) or a
 * character cut short (a paste split inside it) is dropped, never waited
 * for. A byte that cannot continue the character is kept for the next
 * read. */
static int input_utf8(int lead)
{
    unsigned char b[4] = {(unsigned char)lead, 0, 0, 0};
    int len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    for (int i = 1; i < len; i++) {
        int c = input_follow();
        if (c < 0)
            return UI_KEY_NONE;
        if (c < 0x80 || c > 0xbf) {
            input_unread(c);
            return UI_KEY_NONE;
        }
        b[i] = (unsigned char)c;
    }
    utf8proc_int32_t cp;
    if (utf8proc_iterate(b, len, &cp) != len || cp < 0x80)
        return UI_KEY_NONE;     /* invalid, overlong or a surrogate */
    return (int)cp;
}

/* The key of "Esc [ n ~". */
static int input_tilde_key(int n)
{
    switch (n) {
    case 1: case 7: return UI_FN(KEY_HOME);
    case 4: case 8: return UI_FN(KEY_END);
    case 2: return UI_FN(KEY_IC);
    case 3: return UI_FN(KEY_DC);
    case 5: return UI_FN(KEY_PPAGE);
    case 6: return UI_FN(KEY_NPAGE);
    case 11: case 12: case 13: case 14: case 15:
        return UI_FN(KEY_F(n - 10));
    case 200: input_in_paste = 1; return UI_KEY_NONE;
    case 201: input_in_paste = 0; return UI_KEY_NONE;
    default: return UI_KEY_NONE;
    }
}

/* The key of a sequence ending in a letter ("Esc [ A", "Esc O P"). */
static int input_letter_key(int c)
{
    switch (c) {
    case 'A': return UI_FN(KEY_UP);
    case 'B': return UI_FN(KEY_DOWN);
    case 'C': return UI_FN(KEY_RIGHT);
    case 'D': return UI_FN(KEY_LEFT);
    case 'H': return UI_FN(KEY_HOME);
    case 'F': return UI_FN(KEY_END);
    case 'Z': return UI_FN(KEY_BTAB);
    case 'M': return '\r';                  /* keypad Enter */
    case 'P': case 'Q': case 'R': case 'S':
        return UI_FN(KEY_F(1 + c - 'P'));
    default: return UI_KEY_NONE;
    }
}

/* After an Esc: the key its sequence stands for, UI_ESC for Esc alone,
 * UI_KEY_NONE for a sequence (or Alt and a key) that means nothing here. */
static int input_escape(void)
{
    int c = input_follow();
    if (c < 0 || c == UI_ESC)
        return UI_ESC;
    if (c == '\t')
        return UI_FN(KEY_BTAB);             /* the Linux console's */
    if (c != '[' && c != 'O') {
        if (input_in_paste)
            input_unread(c);                /* a pasted Esc: text goes on */
        return UI_KEY_NONE;                 /* Alt and a key */
    }
    int n = 0, digits = 0;
    for (;;) {
        int d = input_follow();
        if (d < 0)
            return UI_KEY_NONE;
        if (d >= '0' && d <= '9') {
            if (!digits++ || n < 100000)
                n = 10 * n + (d - '0');
            continue;
        }
        if (d == ';') {                     /* modifiers: ignored */
            digits = 1;
            continue;
        }
        if (d == '[' && c == '[' && !digits) {
            int f = input_follow();         /* Linux console F1-F5 */
            return f >= 'A' && f <= 'E' ? UI_FN(KEY_F(1 + f - 'A'))
                                        : UI_KEY_NONE;
        }
        if (d == '~')
            return input_tilde_key(n);
        if (d >= 0x40 && d <= 0x7e)
            return input_letter_key(d);
        return UI_KEY_NONE;
    }
}

/* A key the terminal description names beyond curses' own (the Linux
 * console's Shift-Tab is "kcbt2", Ctrl and an arrow "kUP5"): the key it
 * is a variant of, or UI_KEY_NONE. */
static int input_extended_key(int code)
{
    static const struct {
        const char *prefix;
        int key;
    } names[] = {
        {"kcbt", KEY_BTAB}, {"kUP", KEY_UP}, {"kDN", KEY_DOWN},
        {"kLFT", KEY_LEFT}, {"kRIT", KEY_RIGHT}, {"kHOM", KEY_HOME},
        {"kEND", KEY_END}, {"kPRV", KEY_PPAGE}, {"kNXT", KEY_NPAGE},
        {"kDC", KEY_DC}, {"kIC", KEY_IC},
    };
    const char *name = keyname(code);
    for (size_t i = 0; name && i < sizeof names / sizeof *names; i++)
        if (!strncmp(name, names[i].prefix, strlen(names[i].prefix)))
            return UI_FN(names[i].key);
    return UI_KEY_NONE;
}

/* A key read by ui_input_key, before a paste's text is made text. */
static int input_raw_key(void)
{
    int r = wgetch(stdscr);
    if (r == ERR)
        return UI_KEY_ERR;
    if (r >= KEY_MIN) {
        if (input_paste_begin && r == input_paste_begin) {
            input_in_paste = 1;
            return UI_KEY_NONE;
        }
        if (input_paste_end && r == input_paste_end) {
            input_in_paste = 0;
            return UI_KEY_NONE;
        }
        return r > KEY_MAX ? input_extended_key(r) : UI_FN(r);
    }
    if (r == UI_ESC)
        return input_escape();
    return r >= 0x80 ? input_utf8(r) : r;
}

int ui_input_key(void)
{
    /* A Return that was waiting with more after it came in one burst with
     * other keys: a paste on a terminal without bracketed paste (the
     * Linux console), not the enumerator confirming a field. */
    int waited = ui_input_waiting();
    int k = input_raw_key();
    int after_cr = input_after_cr;
    input_after_cr = 0;
    if (k == '\n' && after_cr)
        return UI_KEY_NONE;     /* "\r\n" is one line break */
    if (!input_in_paste) {
        if ((k == '\r' || k == '\n') && waited && ui_input_waiting()) {
            input_after_cr = k == '\r';
            return UI_KEY_PASTE_BREAK;
        }
        return k;
    }
    if (k == UI_KEY_NONE)
        return k;
    /* Pasted text is text: a line break or Tab is a space, other
     * control characters and keys are dropped. */
    if (k == '\r' || k == '\n' || k == '\t') {
        input_after_cr = k == '\r';
        return ' ';
    }
    if (k < 32 || k == 127 || k >= UI_FN(0))
        return UI_KEY_NONE;
    return k;
}
