/* canon.c: canonical answers (numbers without leading zeros or a decimal
 * comma, text in NFC). NFC comes from utf8proc, not from our own tables. */
#include "config.h"
#include "core/canon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

/* White space that surrounds typed or pasted answers (ASCII and NBSP). */
static size_t canon_space_len(const char *s)
{
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        return 1;
    if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
        return 2;
    return 0;
}

/* s without leading and trailing white space, newly allocated. */
static char *canon_trim(const char *s)
{
    size_t k;
    while ((k = canon_space_len(s)) > 0)
        s += k;
    size_t end = 0;
    for (size_t i = 0; s[i];) {
        k = canon_space_len(s + i);
        if (k) {
            i += k;
        } else {
            i++;
            end = i;
        }
    }
    return xstrndup(s, end);
}

/* Append the digits [p, e) without leading zeros ("0" when none are
 * left). */
static void canon_int_part(sbuf *b, const char *p, const char *e)
{
    while (p + 1 < e && *p == '0')
        p++;
    if (p == e)
        sbuf_addf(b, "0");
    else
        sbuf_addf(b, "%.*s", (int)(e - p), p);
}

/* Significant digits a double keeps exactly. */
#define CANON_DIGITS 15

/* A decimal written with more significant digits than a double holds
 * ("100.000000000000000001"), as the value the checks compared: the
 * number read and written back with CANON_DIGITS digits. NULL when it
 * fits, or when the value would need an exponent. */
static char *canon_rounded(const char *b)
{
    size_t sig = 0;
    const char *p = b + (*b == '-');
    while (*p == '0' || *p == '.')
        p++;
    for (; *p; p++)
        sig += *p >= '0' && *p <= '9';
    if (sig <= CANON_DIGITS)
        return NULL;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*g", CANON_DIGITS, strtod(b, NULL));
    if (strpbrk(buf, "eE"))
        return NULL;
    return canon_number(buf, 1);
}

int canon_grouped(const char *s)
{
    char *t = canon_trim(s);
    const char *p = t + (*t == '-' || *t == '+');
    size_t whole = strspn(p, "0123456789");
    int grouped = whole >= 1 && whole <= 3 && *p != '0' &&
                  (p[whole] == '.' || p[whole] == ',') &&
                  strspn(p + whole + 1, "0123456789") == 3 &&
                  p[whole + 4] == '\0';
    free(t);
    return grouped;
}

char *canon_number_problem(form_qtype t, const char *s)
{
    char *n = canon_trim(s), *why = NULL;
    char *ok = *n ? canon_number(n, t == QT_DECIMAL) : NULL;
    char *dec = *n && !ok && t == QT_INTEGER ? canon_number(n, 1) : NULL;
    int grouped = *n && canon_grouped(n);
    if (!*n || (ok && !grouped))
        why = NULL;
    else if (grouped && t == QT_DECIMAL)
        why = xasprintf(_("'%s' may be a number with a thousands separator: "
                          "type it without digit groups (1500) or as 1.5; "
                          "for three decimals add a zero (12.3450)."), n);
    else if (grouped)
        why = xasprintf(_("'%s' is written with a thousands separator: type "
                          "the whole number without digit groups (1500)."), n);
    else if (dec)
        why = xasprintf(_("'%s' is not a whole number: this question takes "
                          "digits only."), n);
    else
        why = xasprintf(_("'%s' is not a number."), n);
    free(dec);
    free(ok);
    free(n);
    return why;
}

char *canon_number(const char *s, int decimal)
{
    char *t = canon_trim(s);
    const char *p = t;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    const char *ip = p;
    while (*p >= '0' && *p <= '9')
        p++;
    const char *ie = p, *fp = p, *fe = p;
    if (decimal && (*p == '.' || *p == ',')) {
        fp = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        fe = p;
    }
    if (*p || (ie == ip && fe == fp)) {
        free(t);
        return NULL;
    }
    while (fe > fp && fe[-1] == '0')
        fe--;
    sbuf b;
    sbuf_init(&b);
    canon_int_part(&b, ip, ie);
    if (fe > fp)
        sbuf_addf(&b, ".%.*s", (int)(fe - fp), fp);
    free(t);
    char *r = neg && strcmp(b.s, "0") != 0 ? xasprintf("-%s", b.s) : NULL;
    if (r)
        sbuf_free(&b);
    else
        r = sbuf_detach(&b);
    char *rounded = decimal ? canon_rounded(r) : NULL;
    if (rounded) {
        free(r);
        r = rounded;
    }
    return r;
}

char *canon_text(const char *s)
{
    char *t = canon_trim(s);
    utf8proc_uint8_t *n = utf8proc_NFC((const utf8proc_uint8_t *)t);
    if (!n)
        return t;   /* not valid UTF-8: kept, the screen shows it as '?' */
    free(t);
    /* utf8proc allocates with malloc: copy so that the caller frees ours. */
    char *r = xstrdup((const char *)n);
    free(n);
    return r;
}

/* s with every run of white space (newlines too) made one space. */
static char *canon_spaces(const char *s)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, "");
    for (const char *p = s; *p;) {
        size_t sp = 0;
        while (p[sp] == ' ' || p[sp] == '\t' || p[sp] == '\n' ||
               p[sp] == '\r' || p[sp] == '\v' || p[sp] == '\f' ||
               (p[sp] == '\xc2' && p[sp + 1] == '\xa0'))
            sp += p[sp] == '\xc2' ? 2 : 1;
        if (sp) {
            if (b.len && p[sp])
                sbuf_addc(&b, ' ');
            p += sp;
        } else {
            sbuf_addc(&b, *p++);
        }
    }
    return sbuf_detach(&b);
}

char *canon_line(const char *s)
{
    char *t = canon_text(s);
    char *r = canon_spaces(t);
    free(t);
    return r;
}

char *canon_name_key(const char *s)
{
    char *t = canon_line(s);
    utf8proc_uint8_t *f = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)t, 0, &f,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE |
                                      UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    if (n < 0)
        return t;   /* not valid UTF-8: compared as it is */
    free(t);
    char *r = xstrdup((const char *)f);
    free(f);
    return r;
}

char *canon_search_key(const char *s)
{
    utf8proc_uint8_t *f = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &f,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE |
                                      UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                      UTF8PROC_CASEFOLD);
    if (n < 0)
        return xstrdup(s);
    /* đ (U+0111) is a letter of its own, not d with a mark. */
    sbuf b;
    sbuf_init(&b);
    for (const char *p = (const char *)f; *p; p++) {
        if ((unsigned char)p[0] == 0xc4 && (unsigned char)p[1] == 0x91) {
            sbuf_add(&b, "d");
            p++;
        } else {
            sbuf_addc(&b, *p);
        }
    }
    free(f);
    return sbuf_detach(&b);
}

char *canon_date_problem(const char *s)
{
    char *t = canon_trim(s);
    size_t n = strlen(t);
    /* YYYY-MM-DD is read as the screen reads DD-MM-YYYY. */
    char *typed = n == 10 && t[4] == '-' && t[7] == '-'
                      ? xasprintf("%.2s-%.2s-%.4s", t + 8, t + 5, t)
                      : xstrdup(t);
    char *why = NULL;
    switch (ui_text_date_check(typed)) {
    case UI_DATE_OK:
        break;
    case UI_DATE_NO_DAY:
        why = xasprintf(_("no such day: %s"), t);
        break;
    case UI_DATE_NO_MONTH:
        why = xasprintf(_("no such month: %s"), t);
        break;
    case UI_DATE_NO_YEAR:
        why = xasprintf(_("no such year: %s"), t);
        break;
    default:
        why = xstrdup(_("not a date: type it as dd/mm/yyyy"));
        break;
    }
    free(typed);
    free(t);
    return why;
}

char *canon_answer(form_qtype t, const char *s)
{
    if (!s)
        return NULL;
    if (t == QT_INTEGER || t == QT_DECIMAL) {
        char *n = canon_number(s, t == QT_DECIMAL);
        if (n)
            return n;
    }
    if (t == QT_DATE) {
        char *d = ui_text_date_parse(s);   /* dd/mm/yyyy as on the screen */
        if (d)
            return d;
    }
    return canon_text(s);
}
