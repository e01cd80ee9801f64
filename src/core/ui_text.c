/* ui_text.c: text measuring, wrapping and one-line editing for the
 * terminal screens, in the current locale, without curses. */
#include "config.h"
#include "core/ui_text.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <utf8proc.h>

#include "core/canon.h"
#include "core/util.h"

size_t ui_text_char(const char *s, size_t n, wchar_t *wc)
{
    wchar_t c = L'?';
    size_t len;
    if (n == 0 || *s == '\0') {
        len = 0;
        c = L'\0';
    } else {
        mbstate_t st;
        memset(&st, 0, sizeof st);
        len = mbrtowc(&c, s, n, &st);
        if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
            len = 1;
            c = L'?';
        }
    }
    if (wc)
        *wc = c;
    return len;
}

int ui_text_wcwidth(wchar_t wc)
{
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

int ui_text_width_n(const char *s, size_t n)
{
    int w = 0;
    size_t i = 0;
    while (i < n) {
        wchar_t wc;
        size_t k = ui_text_char(s + i, n - i, &wc);
        if (k == 0)
            break;
        w += ui_text_wcwidth(wc);
        i += k;
    }
    return w;
}

int ui_text_width(const char *s)
{
    return ui_text_width_n(s, strlen(s));
}

size_t ui_text_next(const char *s, size_t len, size_t off)
{
    if (off >= len)
        return len;
    return off + ui_text_char(s + off, len - off, NULL);
}

size_t ui_text_prev(const char *s, size_t off)
{
    /* Walk from the start: only a forward decode knows where characters
     * begin when the text holds invalid bytes. */
    size_t i = 0, last = 0;
    while (i < off) {
        last = i;
        size_t k = ui_text_char(s + i, off - i, NULL);
        if (k == 0)
            break;
        i += k;
    }
    return last;
}

/* The code point at s (n bytes left) and its length; -1 and 1 for a byte
 * that does not start valid UTF-8. */
static utf8proc_ssize_t text_cp(const char *s, size_t n, utf8proc_int32_t *cp)
{
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          (utf8proc_ssize_t)n, cp);
    if (k <= 0) {
        *cp = -1;
        return 1;
    }
    return k;
}

size_t ui_text_cols(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        i += (size_t)text_cp(s + i, n - i, &cp);
        w += cp < 0 || ui_text_is_control((unsigned long)cp) ? 1
            : (size_t)utf8proc_charwidth(cp);
    }
    return w;
}

size_t ui_text_next_cluster(const char *s, size_t len, size_t off)
{
    if (off >= len)
        return len;
    utf8proc_int32_t prev, cp;
    off += (size_t)text_cp(s + off, len - off, &prev);
    utf8proc_int32_t state = 0;
    while (off < len && prev >= 0) {
        utf8proc_ssize_t k = text_cp(s + off, len - off, &cp);
        if (cp < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state))
            break;
        off += (size_t)k;
        prev = cp;
    }
    return off;
}

size_t ui_text_prev_cluster(const char *s, size_t off)
{
    /* Clusters are only known walking forward from the start. */
    size_t i = 0, last = 0;
    while (i < off) {
        last = i;
        i = ui_text_next_cluster(s, off, i);
    }
    return last;
}

int ui_text_off_to_col(const char *s, size_t off)
{
    return ui_text_width_n(s, off);
}

size_t ui_text_col_to_off(const char *s, int col)
{
    size_t n = strlen(s), i = 0;
    int w = 0;
    while (i < n) {
        wchar_t wc;
        size_t k = ui_text_char(s + i, n - i, &wc);
        int cw = ui_text_wcwidth(wc);
        if (w + cw > col)
            break;
        w += cw;
        i += k;
    }
    return i;
}

/* Append line [off, off+len) to the list, without trailing spaces. */
static void wrap_push(const char *s, ui_line **v, size_t *n, size_t *cap,
                      size_t off, size_t len)
{
    while (len > 0 && s[off + len - 1] == ' ')
        len--;
    *v = util_grow(*v, cap, *n + 1, sizeof **v);
    (*v)[*n].off = off;
    (*v)[*n].len = len;
    (*n)++;
}

size_t ui_text_wrap(const char *s, int width, ui_line **out)
{
    ui_line *v = NULL;
    size_t n = 0, cap = 0, len = strlen(s);
    if (width < 1)
        width = 1;
    size_t start = 0;
    while (start <= len) {
        /* Find how far this line can go. */
        size_t i = start, brk = 0;
        int w = 0, have_brk = 0;
        while (i < len && s[i] != '\n') {
            wchar_t wc;
            size_t k = ui_text_char(s + i, len - i, &wc);
            int cw = ui_text_wcwidth(wc);
            if (w + cw > width)
                break;
            if (s[i] == ' ') {
                brk = i;
                have_brk = 1;
            }
            w += cw;
            i += k;
        }
        if (i >= len || s[i] == '\n') {
            wrap_push(s, &v, &n, &cap, start, i - start);
            if (i >= len)
                break;
            start = i + 1;
            continue;
        }
        if (s[i] == ' ' || !have_brk || brk == start) {
            brk = i == start ? ui_text_next_cluster(s, len, i) : i;
            wrap_push(s, &v, &n, &cap, start, brk - start);
        } else {
            wrap_push(s, &v, &n, &cap, start, brk - start);
        }
        start = brk;
        while (start < len && s[start] == ' ')
            start++;
        if (start >= len)
            break;
    }
    if (n == 0)
        wrap_push(s, &v, &n, &cap, 0, 0);
    *out = v;
    return n;
}

/* The ellipsis to end cut text with: one column in a UTF-8 locale. */
static const char *ellipsis(void)
{
    return MB_CUR_MAX > 1 ? "\xe2\x80\xa6" : ".";
}

char *ui_text_truncate(const char *s, int width)
{
    if (width <= 0)
        return xstrdup("");
    if (ui_text_width(s) <= width)
        return xstrdup(s);
    size_t cut = ui_text_col_to_off(s, width - 1);
    char *r = xasprintf("%.*s%s", (int)cut, s, ellipsis());
    return r;
}

void ui_edit_init(ui_edit *e, const char *text)
{
    memset(e, 0, sizeof *e);
    ui_edit_set(e, text);
}

void ui_edit_free(ui_edit *e)
{
    free(e->buf);
    memset(e, 0, sizeof *e);
}

void ui_edit_set(ui_edit *e, const char *text)
{
    e->len = 0;
    e->cur = 0;
    e->scroll = 0;
    if (!e->buf) {
        e->cap = 32;
        e->buf = xmalloc(e->cap);
    }
    e->buf[0] = '\0';
    if (text)
        ui_edit_insert(e, text, strlen(text));
}

void ui_edit_insert(ui_edit *e, const char *bytes, size_t n)
{
    e->buf = util_grow(e->buf, &e->cap, e->len + n + 1, 1);
    memmove(e->buf + e->cur + n, e->buf + e->cur, e->len - e->cur + 1);
    memcpy(e->buf + e->cur, bytes, n);
    e->len += n;
    e->cur += n;
}

void ui_edit_insert_wc(ui_edit *e, wchar_t wc)
{
    char mb[MB_LEN_MAX];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t k = wcrtomb(mb, wc, &st);
    if (k == (size_t)-1 || k == 0)
        return;
    ui_edit_insert(e, mb, k);
}

/* Remove bytes [a, b). */
static void edit_cut(ui_edit *e, size_t a, size_t b)
{
    memmove(e->buf + a, e->buf + b, e->len - b + 1);
    e->len -= b - a;
    e->cur = a;
}

void ui_edit_backspace(ui_edit *e)
{
    if (e->cur > 0)
        edit_cut(e, ui_text_prev_cluster(e->buf, e->cur), e->cur);
}

void ui_edit_delete(ui_edit *e)
{
    if (e->cur < e->len) {
        size_t cur = e->cur;
        edit_cut(e, cur, ui_text_next_cluster(e->buf, e->len, cur));
    }
}

void ui_edit_left(ui_edit *e) { e->cur = ui_text_prev_cluster(e->buf, e->cur); }
void ui_edit_right(ui_edit *e)
{
    e->cur = ui_text_next_cluster(e->buf, e->len, e->cur);
}
void ui_edit_home(ui_edit *e) { e->cur = 0; }
void ui_edit_end(ui_edit *e) { e->cur = e->len; }

int ui_edit_view(ui_edit *e, int width)
{
    if (width < 2)
        width = 2;
    int col = ui_text_off_to_col(e->buf, e->cur);
    if (col < e->scroll)
        e->scroll = col;
    /* Keep the cursor column inside [scroll, scroll + width - 1]. */
    if (col > e->scroll + width - 1)
        e->scroll = col - (width - 1);
    int total = ui_text_width(e->buf);
    if (e->scroll > 0 && total - e->scroll < width - 1)
        e->scroll = total - (width - 1) > 0 ? total - (width - 1) : 0;
    if (e->scroll > col)
        e->scroll = col;
    /* Never start the view inside a wide character. */
    size_t off = ui_text_col_to_off(e->buf, e->scroll);
    if (ui_text_off_to_col(e->buf, off) < e->scroll)
        off = ui_text_next(e->buf, e->len, off);
    e->scroll = ui_text_off_to_col(e->buf, off);
    return col - e->scroll;
}

int ui_text_is_integer(const char *s)
{
    char *c = canon_number(s, 0);
    free(c);
    return c != NULL;
}

int ui_text_is_decimal(const char *s)
{
    char *c = canon_number(s, 1);
    free(c);
    return c != NULL;
}

/* Read 1..max digits as a number; -1 when there are none or too many. */
static int read_part(const char **s, int max)
{
    int v = 0, n = 0;
    while (isdigit((unsigned char)**s)) {
        if (++n > max)
            return -1;
        v = v * 10 + (**s - '0');
        (*s)++;
    }
    return n ? v : -1;
}

/* Days in month m of year y (proleptic Gregorian). */
static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

/* Read a typed date into *y, *m, *d and say what is wrong with it. */
static ui_date_problem date_read(const char *typed, int *y, int *m, int *d)
{
    const char *s = typed;
    while (*s == ' ')
        s++;
    *d = read_part(&s, 2);
    if (*d < 0 || (*s != '/' && *s != '-' && *s != '.'))
        return UI_DATE_FORMAT;
    char sep = *s++;
    *m = read_part(&s, 2);
    if (*m < 0 || *s != sep)
        return UI_DATE_FORMAT;
    s++;
    const char *ys = s;
    *y = read_part(&s, 4);
    while (*s == ' ')
        s++;
    if (*y < 0 || *s != '\0' || s - ys < 4)
        return UI_DATE_FORMAT;
    if (*y < 1)
        return UI_DATE_NO_YEAR;
    if (*m < 1 || *m > 12)
        return UI_DATE_NO_MONTH;
    if (*d < 1 || *d > days_in_month(*y, *m))
        return UI_DATE_NO_DAY;
    return UI_DATE_OK;
}

ui_date_problem ui_text_date_check(const char *typed)
{
    int y, m, d;
    return date_read(typed, &y, &m, &d);
}

char *ui_text_date_parse(const char *typed)
{
    int y, m, d;
    if (date_read(typed, &y, &m, &d) != UI_DATE_OK)
        return NULL;
    return xasprintf("%04d-%02d-%02d", y, m, d);
}

char *ui_text_date_show(const char *stored)
{
    int y, m, d;
    char tail;
    if (stored && strlen(stored) == 10 &&
        sscanf(stored, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
        return xasprintf("%02d/%02d/%04d", d, m, y);
    return xstrdup(stored ? stored : "");
}

int ui_text_is_control(unsigned long cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
        || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Decode the UTF-8 character at s (n bytes left): its length, or 0 when
 * the bytes there are not one (bad, overlong, surrogate, cut short). */
static size_t utf8_decode(const unsigned char *s, size_t n,
                          unsigned long *cp)
{
    static const unsigned long min[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2
               : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
               : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    unsigned long c = len == 1 ? s[0] : s[0] & (0x3f >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

int ui_text_has_control(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n > 0) {
        unsigned long cp;
        size_t len = utf8_decode(p, n, &cp);
        if (len == 0)
            return 0;           /* not UTF-8: refused as such elsewhere */
        if (ui_text_is_control(cp) || cp == 0xFEFF)
            return 1;
        p += len;
        n -= len;
    }
    return 0;
}

int ui_text_name_ok(const char *s, size_t len)
{
    return util_utf8_valid(s, len) && !memchr(s, 0, len)
           && !ui_text_has_control(s);
}

/* Whether mode shows code point cp (at s, followed by next) as it is. */
static int escape_keeps(ui_text_mode mode, unsigned long cp,
                        unsigned char next)
{
    if (!ui_text_is_control(cp) && mode == UI_TEXT_FIELD)
        return cp != '\\';
    if (!ui_text_is_control(cp))
        return mode != UI_TEXT_QUOTED || (cp != '"' && cp != '\\');
    if (mode == UI_TEXT_LINES)
        return cp == '\n' || cp == '\t' || (cp == '\r' && next == '\n');
    return mode == UI_TEXT_REPORT && cp == '\n';
}

void ui_text_escape(sbuf *b, const char *s, ui_text_mode mode)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *start = p;
    size_t n = strlen((const char *)p);
    while (*p) {
        if (mode == UI_TEXT_QUOTED && p - start >= 60) {
            sbuf_add(b, "...");
            return;
        }
        unsigned long cp = 0;
        size_t len = utf8_decode(p, n, &cp);
        if (len && escape_keeps(mode, cp, p[len]))
            sbuf_addn(b, (const char *)p, len);
        else if (len && mode == UI_TEXT_REPORT && cp == '\t')
            sbuf_addc(b, ' ');
        else if (mode == UI_TEXT_FIELD && len == 1 && strchr("\\\t\n\r", cp))
            sbuf_addf(b, "\\%c", cp == '\t' ? 't' : cp == '\n' ? 'n'
                      : cp == '\r' ? 'r' : '\\');
        else if (mode != UI_TEXT_QUOTED && mode != UI_TEXT_FIELD)
            sbuf_addc(b, '?');
        else if (len && cp >= 0x80)
            sbuf_addf(b, "\\u%04lx", cp);
        else
            sbuf_addf(b, "\\x%02x", *p);
        len = len ? len : 1;
        p += len;
        n -= len;
    }
}

char *ui_text_safe(const char *s, ui_text_mode mode)
{
    sbuf b;
    sbuf_init(&b);
    ui_text_escape(&b, s, mode);
    return sbuf_detach(&b);
}
