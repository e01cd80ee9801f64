/* util.h: memory, growable strings and positioned diagnostics shared by
 * every khaosat module.  No module-specific knowledge lives here. */
#ifndef KHAOSAT_UTIL_H
#define KHAOSAT_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define KS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KS_PRINTF(f, a)
#endif

/* Register fn to run before khaosat aborts on a fatal error (out of
 * memory): the screens use it to give the terminal back. */
void util_on_fatal(void (*fn)(void));
/* Run the registered hook, then abort(): for states with no way on. */
_Noreturn void util_fatal(void);

/* Allocate or abort: running out of memory is not a recoverable state for a
 * survey tool, and every caller checking it would hide the real logic. */
void *xmalloc(size_t n);
/* Zeroed allocation of n elements of size sz, or abort. */
void *xcalloc(size_t n, size_t sz);
/* Resize p to n bytes, or abort. */
void *xrealloc(void *p, size_t n);
/* Resize p to n elements of size bytes, or abort (also when n * size
 * does not fit in a size_t). */
void *xrealloc_array(void *p, size_t n, size_t size);
/* The capacity after cap that holds need elements: doubled from cap (16
 * when it is 0) until it does; aborts when it would overflow. */
size_t util_next_cap(size_t cap, size_t need);
/* The one way arrays grow: p (NULL when empty) with room for need
 * elements of size elem, *cap updated; p itself when it has room already.
 * The result replaces p (p may have moved); aborts when out of memory. */
void *util_grow(void *p, size_t *cap, size_t need, size_t elem);
/* Copy a NUL-terminated string (NULL stays NULL). */
char *xstrdup(const char *s);
/* Copy the first n bytes of s and terminate them. */
char *xstrndup(const char *s, size_t n);
/* printf into a newly allocated string. */
char *xasprintf(const char *fmt, ...) KS_PRINTF(1, 2);
/* vprintf into a newly allocated string. */
char *xvasprintf(const char *fmt, va_list ap) KS_PRINTF(1, 0);
/* Replace *why (NULL or the caller's) with a printf message and return -1:
 * the one-line refusal of functions that report through a char **. */
int util_refuse(char **why, const char *fmt, ...) KS_PRINTF(2, 3);

/* A growable, always NUL-terminated byte string. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

/* Make b an empty string. */
void sbuf_init(sbuf *b);
/* Append n bytes. */
void sbuf_addn(sbuf *b, const char *s, size_t n);
/* Append a NUL-terminated string. */
void sbuf_add(sbuf *b, const char *s);
/* Append one byte. */
void sbuf_addc(sbuf *b, char c);
/* Append printf output. */
void sbuf_addf(sbuf *b, const char *fmt, ...) KS_PRINTF(2, 3);
/* Empty b, keeping its storage. */
void sbuf_reset(sbuf *b);
/* Hand the string to the caller (never NULL) and leave b empty. */
char *sbuf_detach(sbuf *b);
/* Free b's storage. */
void sbuf_free(sbuf *b);

/* One error or warning located in a file. line/col are 1-based; 0 means
 * unknown. */
typedef struct diag {
    char *file;
    int line, col;
    char *msg;
} diag;

/* A list of diagnostics, in the order they were found. */
typedef struct diag_list {
    diag *v;
    size_t n, cap;
} diag_list;

/* Make an empty list. */
void diag_init(diag_list *d);
/* Record "file:line:col: message". */
void diag_add(diag_list *d, const char *file, int line, int col,
              const char *fmt, ...) KS_PRINTF(5, 6);
/* Format entry i as "FILE:LINE:COL: MSG" (newly allocated). */
char *diag_format(const diag *e);
/* Sort by file, line, column, keeping the order of equal positions. */
void diag_sort(diag_list *d);
/* Free every entry. */
void diag_free(diag_list *d);

/* Read a whole file; returns NULL and sets errno on failure. */
char *util_read_file(const char *path, size_t *len);
/* Like util_read_file, but a file longer than max bytes is refused (NULL,
 * errno EFBIG) after reading at most max + 64 KB of it. */
char *util_read_file_max(const char *path, size_t max, size_t *len);
/* The errno util_open_regular sets for a path that is not a regular file
 * (ENODEV: no other error of open(2) on an existing path uses it). */
#define UTIL_ENOTREG ENODEV
/* Open path (flags as open(2); close-on-exec) only when it is a regular
 * file: every file a user names (a database, a form, a report definition)
 * goes through here, so a FIFO or a device is refused at once instead of
 * hanging or never ending.  -1 with errno (UTIL_ENOTREG, EISDIR, or
 * open's own) on failure. */
int util_open_regular(const char *path, int flags);
/* strerror(e), with words for UTIL_ENOTREG (not to be freed). */
const char *util_strerror(int e);
/* Read the line "KEY: value" at *p (before end) into buf (cap bytes,
 * NUL-terminated) and move *p past it; -1 when the line is not that or the
 * value does not fit.  For the text headers of khaosat's files. */
int util_kv_line(const char **p, const char *end, const char *key, char *buf,
                 size_t cap);
/* A decimal number of 1 to 15 digits (nothing else); -1 when v is not
 * one. */
long long util_parse_decimal15(const char *v);
/* Compare a and b as people sort names with numbers in them: runs of
 * digits by their value ("Thôn 2" before "Thôn 10"), the rest byte by
 * byte; <0, 0 or >0 as strcmp. */
int util_natural_cmp(const char *a, const char *b);
/* Non-zero when s is valid UTF-8 of length n. */
int util_utf8_valid(const char *s, size_t n);

/* Non-zero when the running program is the one in the build tree (not an
 * installed copy), so that it uses the source tree's forms and messages. */
int util_in_build_tree(void);

#endif
