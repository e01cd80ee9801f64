/* value.c: expression values and the XPath 1.0 / ODK conversions between
 * strings, numbers, booleans and dates. */
#include "config.h"
#include "core/value.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

value val_string(const char *s)
{
    return val_string_own(xstrdup(s ? s : ""));
}

value val_string_own(char *s)
{
    value v = {0};
    v.type = VAL_STRING;
    v.str = s;
    return v;
}

value val_number(double d)
{
    value v = {0};
    v.type = VAL_NUMBER;
    v.num = d;
    return v;
}

value val_bool(int b)
{
    value v = {0};
    v.type = VAL_BOOL;
    v.b = b != 0;
    return v;
}

value val_nodeset(void)
{
    value v = {0};
    v.type = VAL_NODESET;
    return v;
}

void val_nodeset_add(value *v, const char *s)
{
    /* The capacity is 4, then doubles: n alone tells when it is full. */
    if (v->n == 0 || (v->n >= 4 && (v->n & (v->n - 1)) == 0))
        v->items = xrealloc(v->items,
                            (v->n ? v->n * 2 : 4) * sizeof *v->items);
    v->items[v->n++] = xstrdup(s ? s : "");
}

value val_copy(const value *v)
{
    value c = *v;
    if (v->type == VAL_STRING) {
        c.str = v->str ? xstrdup(v->str) : NULL;
    } else if (v->type == VAL_NODESET) {
        c = val_nodeset();
        for (size_t i = 0; i < v->n; i++)
            val_nodeset_add(&c, v->items[i]);
    }
    return c;
}

void val_free(value *v)
{
    if (v->type == VAL_STRING) {
        free(v->str);
    } else if (v->type == VAL_NODESET) {
        for (size_t i = 0; i < v->n; i++)
            free(v->items[i]);
        free(v->items);
    }
    memset(v, 0, sizeof *v);
    v->type = VAL_STRING;
}

/* The "C" locale, so that the user's LC_NUMERIC (Vietnamese writes a
 * decimal comma) never changes how numbers are read or written. */
static locale_t c_locale(void)
{
    static locale_t loc;
    if (!loc)
        loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    return loc;
}

/* XPath's whitespace: space, tab, CR and LF. */
static int is_xml_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const double pow10_exact[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

double val_parse_number(const char *s)
{
    const char *p = s;
    while (is_xml_space((unsigned char)*p))
        p++;
    const char *start = p;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    uint64_t mant = 0;
    int sig = 0, frac = 0, digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (mant || *p != '0')
            sig++;
        if (sig <= 18)
            mant = mant * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++, frac++) {
            if (mant || *p != '0')
                sig++;
            if (sig <= 18)
                mant = mant * 10 + (uint64_t)(*p - '0');
        }
    }
    if (!digits)
        return NAN;
    while (is_xml_space((unsigned char)*p))
        p++;
    if (*p)
        return NAN;
    /* Exact mantissa and power of ten: one correctly rounded division. */
    if (sig <= 15 && frac <= 22) {
        double d = (double)mant / pow10_exact[frac];
        return neg ? -d : d;
    }
    locale_t old = uselocale(c_locale());
    double d = strtod(start, NULL);
    uselocale(old);
    return d;
}

/* Write |d| in scientific notation with prec significant digits into buf,
 * in the C locale. */
static void format_sci(char *buf, size_t size, int prec, double d)
{
    locale_t old = uselocale(c_locale());
    snprintf(buf, size, "%.*e", prec - 1, d);
    uselocale(old);
}

/* Whether the C-locale text in buf reads back as d. */
static int reads_back(const char *buf, double d)
{
    locale_t old = uselocale(c_locale());
    double r = strtod(buf, NULL);
    uselocale(old);
    return r == d;
}

/* Write r / 10^k in plain decimal notation. */
static char *format_scaled(long long r, int k)
{
    char buf[48];
    char *p = buf + sizeof buf;
    *--p = '\0';
    unsigned long long u = r < 0 ? 0ULL - (unsigned long long)r
                                 : (unsigned long long)r;
    int n = 0;
    do {
        if (n == k && k > 0)
            *--p = '.';
        *--p = (char)('0' + u % 10);
        u /= 10;
        n++;
    } while (u || n <= k);
    if (r < 0)
        *--p = '-';
    return xstrdup(p);
}

char *val_format_number(double d)
{
    if (isnan(d))
        return xstrdup("NaN");
    if (isinf(d))
        return xstrdup(d > 0 ? "Infinity" : "-Infinity");
    if (d == 0)
        return xstrdup("0");
    if (fabs(d) < 1e15 && d == trunc(d))
        return format_scaled((long long)d, 0);
    /* Most answers have a few decimals: the first k whose scaled value
     * divides back to d exactly is the shortest form. */
    if (fabs(d) < 1e9) {
        double scale = 1;
        for (int k = 1; k <= 6; k++) {
            scale *= 10;
            double r = nearbyint(d * scale);
            if (r / scale == d)
                return format_scaled((long long)r, k);
        }
    }
    char buf[64];
    /* For normal doubles at most one 15-digit decimal reads back as d, so
     * the first precision that works is the shortest; subnormals have
     * fewer significant bits and may need fewer digits. */
    int first = fabs(d) < DBL_MIN ? 1 : 15;
    for (int prec = first; prec <= 17; prec++) {
        format_sci(buf, sizeof buf, prec, d);
        if (reads_back(buf, d))
            break;
    }
    /* Split "-d.ddde+XX" into its digits and decimal exponent. */
    char dig[32];
    size_t k = 0;
    const char *p = buf;
    if (*p == '-')
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && k < sizeof dig - 1)
            dig[k++] = *p;
    int exp10 = *p == 'e' ? atoi(p + 1) : 0;
    while (k > 1 && dig[k - 1] == '0')
        k--;
    sbuf b;
    sbuf_init(&b);
    if (d < 0)
        sbuf_addc(&b, '-');
    if (exp10 < 0) {
        sbuf_add(&b, "0.");
        for (int i = -1; i > exp10; i--)
            sbuf_addc(&b, '0');
        sbuf_addn(&b, dig, k);
    } else if ((size_t)exp10 + 1 >= k) {
        sbuf_addn(&b, dig, k);
        for (size_t i = k; i < (size_t)exp10 + 1; i++)
            sbuf_addc(&b, '0');
    } else {
        sbuf_addn(&b, dig, (size_t)exp10 + 1);
        sbuf_addc(&b, '.');
        sbuf_addn(&b, dig + exp10 + 1, k - (size_t)exp10 - 1);
    }
    return sbuf_detach(&b);
}

long val_days_from_civil(long y, int m, int d)
{
    /* Shift the year to start in March so the leap day comes last. */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void val_civil_from_days(long days, long *y, int *m, int *d)
{
    days += 719468;
    long era = (days >= 0 ? days : days - 146096) / 146097;
    long doe = days - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Read exactly n decimal digits at *p into *out, advancing *p. */
static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* Read one or two decimal digits at *p into *out, advancing *p: ODK reads
 * "1970-1-2" as 1970-01-02. */
static int read_1or2_digits(const char **p, int *out)
{
    if ((*p)[0] < '0' || (*p)[0] > '9')
        return -1;
    return read_digits(p, (*p)[1] >= '0' && (*p)[1] <= '9' ? 2 : 1, out);
}

static int days_in_month(long y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Parse "HH:MM[:SS[.fff]]" and an optional offset at *p. Sets *secs to the
 * time of day, *has_off and *off (seconds east of UTC). */
static int parse_time(const char **pp, double *secs, int *has_off, long *off)
{
    const char *p = *pp;
    int h, mi, s = 0;
    double fracsec = 0;
    if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi))
        return -1;
    if (*p == ':') {
        p++;
        if (read_digits(&p, 2, &s))
            return -1;
        if (*p == '.') {
            double scale = 0.1;
            for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
                fracsec += (*p - '0') * scale;
        }
    }
    if (h > 24 || mi > 59 || s > 60)
        return -1;
    *has_off = 0;
    *off = 0;
    if (*p == 'Z') {
        *has_off = 1;
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (read_digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (*p >= '0' && *p <= '9' && read_digits(&p, 2, &om))
            return -1;
        *has_off = 1;
        *off = sign * (oh * 3600L + om * 60L);
    }
    *secs = h * 3600.0 + mi * 60.0 + s + fracsec;
    *pp = p;
    return 0;
}

int val_parse_date(const char *s, double *days)
{
    const char *p = s;
    while (is_xml_space((unsigned char)*p))
        p++;
    int y, m, d;
    if (read_digits(&p, 4, &y) || *p++ != '-' || read_1or2_digits(&p, &m) ||
        *p++ != '-' || read_1or2_digits(&p, &d))
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    long civil = val_days_from_civil(y, m, d);
    double secs = 0;
    int has_off = 0;
    long off = 0;
    if (*p == 'T') {
        p++;
        if (parse_time(&p, &secs, &has_off, &off))
            return -1;
    }
    while (is_xml_space((unsigned char)*p))
        p++;
    if (*p)
        return -1;
    if (!has_off) {
        *days = civil + secs / 86400.0;
        return 0;
    }
    /* An instant: find the local calendar time it falls on. */
    double instant = civil * 86400.0 + secs - off;
    double whole = floor(instant);
    time_t t = (time_t)whole;
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return -1;
    double tod = tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec +
                 (instant - whole);
    *days = val_days_from_civil(tm.tm_year + 1900L, tm.tm_mon + 1,
                                tm.tm_mday) + tod / 86400.0;
    return 0;
}

double val_to_number(const value *v)
{
    switch (v->type) {
    case VAL_NUMBER:
        return v->num;
    case VAL_BOOL:
        return v->b ? 1 : 0;
    case VAL_NODESET:
        return v->n ? val_to_number(&(value){.type = VAL_STRING,
                                             .str = v->items[0]})
                     : NAN;
    case VAL_STRING:
        break;
    }
    const char *s = v->str ? v->str : "";
    double d = val_parse_number(s);
    /* ODK: a date in number context is its day count. */
    double days;
    if (isnan(d) && strlen(s) >= 8 && val_parse_date(s, &days) == 0)
        return days;
    return d;
}

int val_to_bool(const value *v)
{
    switch (v->type) {
    case VAL_NUMBER:
        return v->num != 0 && !isnan(v->num);
    case VAL_BOOL:
        return v->b;
    case VAL_NODESET:
        return v->n > 0;
    case VAL_STRING:
        break;
    }
    return v->str && *v->str;
}

char *val_to_string(const value *v)
{
    switch (v->type) {
    case VAL_NUMBER:
        return val_format_number(v->num);
    case VAL_BOOL:
        return xstrdup(v->b ? "true" : "false");
    case VAL_NODESET:
        return xstrdup(v->n ? v->items[0] : "");
    case VAL_STRING:
        break;
    }
    return xstrdup(v->str ? v->str : "");
}

double val_local_days(double t)
{
    if (!(fabs(t) < 1e15))
        return NAN;
    double whole = floor(t);
    /* today() is evaluated for every member of every household a report
     * replays, all at the same clock: remember the last conversion, since
     * localtime_r is by far the slowest part. (khaosat is single-threaded.) */
    static double memo_whole = NAN, memo_days;
    if (whole == memo_whole)
        return memo_days + (t - whole) / 86400.0;
    time_t tt = (time_t)whole;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return NAN;
    double tod = tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec;
    memo_whole = whole;
    memo_days = val_days_from_civil(tm.tm_year + 1900L, tm.tm_mon + 1, tm.tm_mday) +
                tod / 86400.0;
    return memo_days + (t - whole) / 86400.0;
}

/* Calendar fields of a local day number, to the millisecond. */
typedef struct date_fields {
    long day, y;
    int m, d, h, mi, s, ms;
} date_fields;

/* Split days into fields; -1 when it is not a usable date. */
static int split_days(double days, date_fields *f)
{
    /* Far outside any survey, and beyond what the arithmetic keeps exact. */
    if (!isfinite(days) || fabs(days) > 1e8)
        return -1;
    double whole = floor(days);
    long long ms = llround((days - whole) * 86400000.0);
    f->day = (long)whole;
    if (ms >= 86400000) {
        f->day++;
        ms -= 86400000;
    }
    val_civil_from_days(f->day, &f->y, &f->m, &f->d);
    f->h = (int)(ms / 3600000);
    f->mi = (int)(ms / 60000 % 60);
    f->s = (int)(ms / 1000 % 60);
    f->ms = (int)(ms % 1000);
    return 0;
}

char *val_format_date(double days)
{
    date_fields f;
    if (split_days(floor(days), &f))
        return xstrdup("");
    return xasprintf("%04ld-%02d-%02d", f.y, f.m, f.d);
}

/* Seconds east of UTC in effect at the local time f. */
static long utc_offset(const date_fields *f)
{
    struct tm tm = {0};
    tm.tm_year = (int)(f->y - 1900);
    tm.tm_mon = f->m - 1;
    tm.tm_mday = f->d;
    tm.tm_hour = f->h;
    tm.tm_min = f->mi;
    tm.tm_sec = f->s;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return 0;
    double local = f->day * 86400.0 + f->h * 3600.0 + f->mi * 60.0 + f->s;
    return (long)(local - (double)t);
}

char *val_format_datetime(double days)
{
    date_fields f;
    if (split_days(days, &f))
        return xstrdup("");
    long off = utc_offset(&f);
    char sign = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    return xasprintf("%04ld-%02d-%02dT%02d:%02d:%02d.%03d%c%02ld:%02ld",
                     f.y, f.m, f.d, f.h, f.mi, f.s, f.ms, sign, off / 3600,
                     off / 60 % 60);
}

char *val_format_date_pattern(double days, const char *fmt)
{
    static const char *const months[] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };
    static const char *const wdays[] = {
        "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
    };
    date_fields f;
    if (split_days(days, &f))
        return xstrdup("");
    sbuf b;
    sbuf_init(&b);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || !p[1]) {
            sbuf_addc(&b, *p);
            continue;
        }
        switch (*++p) {
        case 'Y': sbuf_addf(&b, "%04ld", f.y); break;
        case 'y': sbuf_addf(&b, "%02ld", (f.y % 100 + 100) % 100); break;
        case 'm': sbuf_addf(&b, "%02d", f.m); break;
        case 'n': sbuf_addf(&b, "%d", f.m); break;
        case 'b': sbuf_add(&b, months[f.m - 1]); break;
        case 'd': sbuf_addf(&b, "%02d", f.d); break;
        case 'e': sbuf_addf(&b, "%d", f.d); break;
        case 'H': sbuf_addf(&b, "%02d", f.h); break;
        case 'h': sbuf_addf(&b, "%d", f.h); break;
        case 'M': sbuf_addf(&b, "%02d", f.mi); break;
        case 'S': sbuf_addf(&b, "%02d", f.s); break;
        case '3': sbuf_addf(&b, "%03d", f.ms); break;
        /* 1970-01-01 was a Thursday. */
        case 'a': sbuf_add(&b, wdays[((f.day + 4) % 7 + 7) % 7]); break;
        case '%': sbuf_addc(&b, '%'); break;
        default:
            sbuf_addc(&b, '%');
            sbuf_addc(&b, *p);
        }
    }
    return sbuf_detach(&b);
}
