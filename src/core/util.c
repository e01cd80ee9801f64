/* util.c: allocation, string buffers and diagnostics. */
#include "config.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/i18n.h"

static void (*fatal_hook)(void);

void util_on_fatal(void (*fn)(void))
{
    fatal_hook = fn;
}

_Noreturn void util_fatal(void)
{
    void (*fn)(void) = fatal_hook;
    fatal_hook = NULL;      /* a hook that fails must not loop */
    if (fn)
        fn();
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        util_fatal();
    return p;
}

void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p)
        util_fatal();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        util_fatal();
    return p;
}

void *xrealloc_array(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        util_fatal();
    return xrealloc(p, n * size);
}

size_t util_next_cap(size_t cap, size_t need)
{
    size_t c = cap ? cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            util_fatal();
        c *= 2;
    }
    return c;
}

void *util_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap && p)
        return p;
    *cap = util_next_cap(*cap, need);
    return xrealloc_array(p, *cap, elem);
}

char *xstrdup(const char *s)
{
    return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

int util_refuse(char **why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(*why);
    *why = xvasprintf(fmt, ap);
    va_end(ap);
    return -1;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        util_fatal();
    char *p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void sbuf_init(sbuf *b)
{
    b->s = NULL;
    b->len = b->cap = 0;
}

/* Make room for n more bytes plus the terminator. */
static void sbuf_grow(sbuf *b, size_t n)
{
    b->s = util_grow(b->s, &b->cap, b->len + n + 1, 1);
}

void sbuf_addn(sbuf *b, const char *s, size_t n)
{
    sbuf_grow(b, n);
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sbuf_add(sbuf *b, const char *s)
{
    sbuf_addn(b, s, strlen(s));
}

void sbuf_addc(sbuf *b, char c)
{
    sbuf_addn(b, &c, 1);
}

void sbuf_addf(sbuf *b, const char *fmt, ...)
{
    /* Most pieces are short numbers: format in place when they fit. */
    sbuf_grow(b, 64);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        util_fatal();
    if ((size_t)n >= b->cap - b->len) {
        sbuf_grow(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void sbuf_reset(sbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

char *sbuf_detach(sbuf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    sbuf_init(b);
    return s;
}

void sbuf_free(sbuf *b)
{
    free(b->s);
    sbuf_init(b);
}

void diag_init(diag_list *d)
{
    d->v = NULL;
    d->n = d->cap = 0;
}

void diag_add(diag_list *d, const char *file, int line, int col,
              const char *fmt, ...)
{
    d->v = util_grow(d->v, &d->cap, d->n + 1, sizeof *d->v);
    va_list ap;
    va_start(ap, fmt);
    diag *e = &d->v[d->n++];
    e->file = xstrdup(file ? file : "");
    e->line = line;
    e->col = col;
    e->msg = xvasprintf(fmt, ap);
    va_end(ap);
}

char *diag_format(const diag *e)
{
    if (e->line > 0 && e->col > 0)
        return xasprintf("%s:%d:%d: %s", e->file, e->line, e->col, e->msg);
    if (e->line > 0)
        return xasprintf("%s:%d: %s", e->file, e->line, e->msg);
    return xasprintf("%s: %s", e->file, e->msg);
}

/* Insertion sort: lists are short and the sort must be stable. */
void diag_sort(diag_list *d)
{
    for (size_t i = 1; i < d->n; i++) {
        diag t = d->v[i];
        size_t j = i;
        while (j > 0) {
            diag *p = &d->v[j - 1];
            int c = strcmp(p->file, t.file);
            if (c == 0)
                c = p->line != t.line ? (p->line > t.line) - (p->line < t.line)
                                      : (p->col > t.col) - (p->col < t.col);
            if (c <= 0)
                break;
            d->v[j] = *p;
            j--;
        }
        d->v[j] = t;
    }
}

void diag_free(diag_list *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].msg);
    }
    free(d->v);
    diag_init(d);
}

char *util_read_file(const char *path, size_t *len)
{
    return util_read_file_max(path, SIZE_MAX, len);
}

int util_open_regular(const char *path, int flags)
{
    /* Non-blocking: opening a FIFO must not wait for its other end. */
    int fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = S_ISDIR(sb.st_mode) ? EISDIR : UTIL_ENOTREG;
        close(fd);
        errno = e;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

const char *util_strerror(int e)
{
    if (e == UTIL_ENOTREG)
        return _("not a regular file (a pipe, a device or a socket); give "
                 "a file");
    return strerror(e);
}

char *util_read_file_max(const char *path, size_t max, size_t *len)
{
    int fd = util_open_regular(path, O_RDONLY);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return NULL;
    }
    sbuf b;
    sbuf_init(&b);
    char chunk[65536];
    size_t n;
    /* Counting what was read, not trusting st_size: a pipe or a growing
     * file has none that holds. */
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (n > max || b.len > max - n) {
            fclose(f);
            sbuf_free(&b);
            errno = EFBIG;
            return NULL;
        }
        sbuf_addn(&b, chunk, n);
    }
    int bad = ferror(f);
    int saved = errno;
    fclose(f);
    if (bad) {
        sbuf_free(&b);
        errno = saved ? saved : EIO;
        return NULL;
    }
    if (len)
        *len = b.len;
    return sbuf_detach(&b);
}

int util_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t k;
        unsigned min;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - p) <= k)
            return 0;
        for (size_t i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        p += k + 1;
    }
    return 1;
}

int util_in_build_tree(void)
{
    char exe[PATH_MAX], build[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || !realpath(BUILDDIR, build))
        return 0;
    exe[n] = '\0';
    size_t bl = strlen(build);
    return !strncmp(exe, build, bl) && exe[bl] == '/';
}

int util_kv_line(const char **p, const char *end, const char *key, char *buf,
                 size_t cap)
{
    size_t k = strlen(key);
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl || (size_t)(nl - *p) < k + 2 || memcmp(*p, key, k) != 0
        || (*p)[k] != ':' || (*p)[k + 1] != ' ')
        return -1;
    size_t n = (size_t)(nl - *p) - k - 2;
    if (n >= cap)
        return -1;
    memcpy(buf, *p + k + 2, n);
    buf[n] = '\0';
    *p = nl + 1;
    return 0;
}

long long util_parse_decimal15(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 15 || strspn(v, "0123456789") != n)
        return -1;
    return strtoll(v, NULL, 10);
}

/* The digit run at *p, its leading zeros skipped: its start and length;
 * *p moves past it. */
static const char *util_digit_run(const char **p, size_t *len)
{
    while (**p == '0' && (*p)[1] >= '0' && (*p)[1] <= '9')
        (*p)++;
    const char *start = *p;
    while (**p >= '0' && **p <= '9')
        (*p)++;
    *len = (size_t)(*p - start);
    return start;
}

int util_natural_cmp(const char *a, const char *b)
{
    const char *pa = a, *pb = b;
    while (*pa && *pb) {
        int da = *pa >= '0' && *pa <= '9', db = *pb >= '0' && *pb <= '9';
        if (da && db) {
            size_t la, lb;
            const char *sa = util_digit_run(&pa, &la);
            const char *sb = util_digit_run(&pb, &lb);
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = memcmp(sa, sb, la);
            if (c)
                return c;
            continue;
        }
        if (*pa != *pb)
            return (unsigned char)*pa < (unsigned char)*pb ? -1 : 1;
        pa++;
        pb++;
    }
    if (*pa || *pb)
        return *pa ? 1 : -1;
    return strcmp(a, b);    /* "03" and "3": still one order */
}
