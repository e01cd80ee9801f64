/* xlsform_names.c: XLSForm names that khaosat does not accept ("hh-size",
 * "q1.2") get a clean name, the same one everywhere: in ids, in ${...}
 * references, in /data/.../name paths and, for choice attributes, in the
 * bare names of a choice_filter. Also the YAML scalars the importer
 * writes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "xlsform/xlsform_int.h"

/* Non-zero for a character khaosat names may hold. */
static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* Non-zero for a byte of an XML name (NCName): ASCII name characters, '-',
 * '.', and any byte of a non-ASCII character. */
static int ncname_char(char c)
{
    return name_char(c) || c == '-' || c == '.' || (unsigned char)c >= 0x80;
}

/* s with the marks taken off its letters, so that a Vietnamese name keeps
 * its words in ASCII ("tên_chủ_hộ" -> "ten_chu_ho", đ -> d); newly
 * allocated. Invalid UTF-8 is returned as it is. */
static char *strip_marks(const char *s)
{
    utf8proc_uint8_t *m = NULL;
    if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &m,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
                         UTF8PROC_STRIPMARK) < 0)
        return xstrdup(s);
    /* đ and Đ are letters of their own, not d with a mark. */
    char *t = xstrdup((const char *)m), *o = t;
    free(m);
    for (const char *p = t; *p; p++) {
        if ((unsigned char)p[0] == 0xC4 &&
            ((unsigned char)p[1] == 0x90 || (unsigned char)p[1] == 0x91)) {
            *o++ = (unsigned char)p[1] == 0x90 ? 'D' : 'd';
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return t;
}

char *xf_name_clean(const char *s)
{
    char *t = strip_marks(s);
    sbuf b;
    sbuf_init(&b);
    if (!(*t >= 'a' && *t <= 'z') && !(*t >= 'A' && *t <= 'Z') && *t != '_')
        sbuf_addc(&b, '_');
    for (const char *p = t; *p; p++) {
        /* One _ for each whole character, not for each byte of it. */
        if (((unsigned char)*p & 0xC0) == 0x80)
            continue;
        sbuf_addc(&b, name_char(*p) ? *p : '_');
    }
    free(t);
    return sbuf_detach(&b);
}

/* FNV-1a: workbooks can hold a hundred thousand names, so lookups must
 * not be linear. */
static size_t name_hash(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of key in table (over keys), holding its index + 1, or the free
 * slot where it would go. */
static size_t *slot_of(size_t *table, size_t slots, char *const *keys,
                       const char *key)
{
    size_t i = name_hash(key) & (slots - 1);
    while (table[i] && strcmp(keys[table[i] - 1], key))
        i = (i + 1) & (slots - 1);
    return &table[i];
}

/* Rebuild both indexes with room for twice the names. */
static void names_grow(xf_names *m)
{
    free(m->by_old);
    free(m->by_new);
    m->slots = m->slots ? m->slots * 2 : 128;
    m->by_old = xcalloc(m->slots, sizeof *m->by_old);
    m->by_new = xcalloc(m->slots, sizeof *m->by_new);
    for (size_t i = 0; i < m->n; i++) {
        *slot_of(m->by_old, m->slots, m->old, m->old[i]) = i + 1;
        if (m->new[i])
            *slot_of(m->by_new, m->slots, m->new, m->new[i]) = i + 1;
    }
}

long xf_names_index(const xf_names *m, const char *old)
{
    if (!m->slots)
        return -1;
    size_t v = *slot_of(m->by_old, m->slots, m->old, old);
    return v ? (long)v - 1 : -1;
}

int xf_names_has(const xf_names *m, const char *old)
{
    return xf_names_index(m, old) >= 0;
}

void xf_names_add(xf_names *m, const char *old)
{
    if (xf_names_index(m, old) >= 0)
        return;
    if (m->n == m->cap) {
        m->cap = util_next_cap(m->cap, m->n + 1);
        m->old = xrealloc_array(m->old, m->cap, sizeof *m->old);
        m->new = xrealloc_array(m->new, m->cap, sizeof *m->new);
    }
    m->old[m->n] = xstrdup(old);
    m->new[m->n++] = NULL;
    if (m->n * 2 > m->slots)
        names_grow(m);
    else
        *slot_of(m->by_old, m->slots, m->old, old) = m->n;
}

/* Non-zero when some settled name is already name. */
static int names_taken(const xf_names *m, const char *name)
{
    return m->slots && *slot_of(m->by_new, m->slots, m->new, name) != 0;
}

/* Settle name i as name (owned). */
static void names_set(xf_names *m, size_t i, char *name)
{
    m->new[i] = name;
    *slot_of(m->by_new, m->slots, m->new, name) = i + 1;
}

void xf_names_settle(xf_names *m)
{
    /* Valid names keep themselves first, so that a renamed one never takes
     * a name that was already written. */
    for (size_t i = 0; i < m->n; i++) {
        char *clean = xf_name_clean(m->old[i]);
        if (!strcmp(clean, m->old[i]))
            names_set(m, i, clean);
        else
            free(clean);
    }
    for (size_t i = 0; i < m->n; i++) {
        if (m->new[i])
            continue;
        char *clean = xf_name_clean(m->old[i]);
        char *name = xstrdup(clean);
        for (int k = 2; names_taken(m, name); k++) {
            free(name);
            name = xasprintf("%s_%d", clean, k);
        }
        free(clean);
        names_set(m, i, name);
    }
}

const char *xf_names_add_unique(xf_names *m, const char *old, const char *want)
{
    xf_names_add(m, old);
    size_t i = (size_t)xf_names_index(m, old);
    if (m->new[i])
        return m->new[i];
    char *name = xstrdup(want);
    for (int k = 2; names_taken(m, name); k++) {
        free(name);
        name = xasprintf("%s_%d", want, k);
    }
    names_set(m, i, name);
    return name;
}

const char *xf_names_get(const xf_names *m, const char *old)
{
    long i = xf_names_index(m, old);
    if (i < 0)
        return NULL;
    return m->new[i] ? m->new[i] : m->old[i];
}

void xf_names_free(xf_names *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->old[i]);
        free(m->new[i]);
    }
    free(m->old);
    free(m->new);
    free(m->by_old);
    free(m->by_new);
    memset(m, 0, sizeof *m);
}

/* At p, "${name}": append it renamed and return what follows, or NULL. */
static const char *rewrite_ref(sbuf *b, const xf_names *q, const char *p)
{
    const char *close = strchr(p + 2, '}');
    if (!close)
        return NULL;
    char *name = xstrndup(p + 2, (size_t)(close - p - 2));
    const char *nn = xf_names_get(q, name);
    sbuf_addf(b, "${%s}", nn ? nn : name);
    free(name);
    return close + 1;
}

/* The question named n..e of a path: append ${name}, renamed, and return
 * e when it is a known question; else NULL. */
static const char *path_ref(sbuf *b, const xf_names *q, const char *n,
                            const char *e)
{
    char *name = xstrndup(n, (size_t)(e - n));
    const char *nn = xf_names_get(q, name);
    if (nn)
        sbuf_addf(b, "${%s}", nn);
    free(name);
    return nn ? e : NULL;
}

/* At p, an absolute path "/root/group/name": append ${name} for a known
 * question and return what follows, or NULL. */
static const char *rewrite_path(sbuf *b, const xf_names *q, const char *p)
{
    const char *e = p, *last = NULL;
    int steps = 0;
    while (*e == '/' && ncname_char(e[1]) && e[1] != '.' && e[1] != '-') {
        last = e + 1;
        for (e++; ncname_char(*e); e++)
            ;
        steps++;
    }
    if (steps < 2)
        return NULL;
    return path_ref(b, q, last, e);
}

/* At p, a relative path "../name", "../../name" (maybe after
 * "current()/"), as XLSForm writes a sibling inside a repeat: append
 * ${name} for a known question (names are unique in a form) and return
 * what follows, or NULL. */
static const char *rewrite_relative(sbuf *b, const xf_names *q, const char *p)
{
    const char *e = p;
    if (!strncmp(e, "current()/", 10))
        e += 10;
    int ups = 0;
    for (; e[0] == '.' && e[1] == '.' && e[2] == '/'; e += 3)
        ups++;
    if (!ups || !ncname_char(*e) || *e == '.' || *e == '-')
        return NULL;
    const char *n = e;
    while (ncname_char(*e))
        e++;
    return path_ref(b, q, n, e);
}

/* At p, a bare name: append it renamed through attrs (unless it names a
 * function) and return what follows. */
static const char *rewrite_bare(sbuf *b, const xf_names *attrs, const char *p)
{
    const char *e = p;
    while (ncname_char(*e) || (*e == ':' && ncname_char(e[1])))
        e++;
    const char *after = e;
    while (*after == ' ')
        after++;
    char *name = xstrndup(p, (size_t)(e - p));
    const char *nn = *after == '(' ? NULL : xf_names_get(attrs, name);
    sbuf_add(b, nn ? nn : name);
    free(name);
    return e;
}

char *xf_rewrite(const xf_names *qnames, const xf_names *attrs, const char *src,
                 int text)
{
    sbuf b;
    sbuf_init(&b);
    char quote = 0;
    const char *p = src;
    while (*p) {
        const char *next = NULL;
        if (p[0] == '$' && p[1] == '{') {
            /* References are renamed inside quotes too: jr:choice-name
             * names its question in a string. */
            next = rewrite_ref(&b, qnames, p);
        } else if (text) {
            /* A label or hint: only its ${name}s are names. */
        } else if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '/') {
            next = rewrite_path(&b, qnames, p);
        } else if ((*p == '.' || *p == 'c') && (p == src || !ncname_char(p[-1])) &&
                   (next = rewrite_relative(&b, qnames, p))) {
            /* renamed */
        } else if (attrs && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                             *p == '_') &&
                   (p == src || !ncname_char(p[-1]))) {
            next = rewrite_bare(&b, attrs, p);
        }
        if (next) {
            p = next;
        } else {
            sbuf_addc(&b, *p);
            p++;
        }
    }
    return sbuf_detach(&b);
}

void xf_yaml_str(sbuf *b, const char *s)
{
    sbuf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            sbuf_addc(b, '\\');
            sbuf_addc(b, (char)*p);
        } else if (*p == '\n') {
            sbuf_add(b, "\\n");
        } else if (*p == '\t') {
            sbuf_add(b, "\\t");
        } else if (*p < 0x20 || *p == 0x7f) {
            sbuf_addf(b, "\\x%02x", *p);
        } else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
            /* C1 controls (NEL among them) are not printable YAML. */
            sbuf_addf(b, "\\x%02x", p[1]);
            p++;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
            /* Line and paragraph separators would be folded into spaces. */
            sbuf_add(b, p[2] == 0xA8 ? "\\L" : "\\P");
            p += 2;
        } else if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
            sbuf_add(b, "\\ufeff");
            p += 2;
        } else {
            sbuf_addc(b, (char)*p);
        }
    }
    sbuf_addc(b, '"');
}

void xf_yaml_key(sbuf *b, const char *s)
{
    const char *p = s;
    int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
    for (; *p && plain; p++)
        plain = name_char(*p) || (*p == '-' && p != s);
    static const char *const reserved[] = {"true", "false", "yes", "no", "on",
                                           "off", "null", "y", "n"};
    for (size_t i = 0; plain && i < sizeof reserved / sizeof *reserved; i++)
        if (!strcasecmp(s, reserved[i]))
            plain = 0;
    if (plain)
        sbuf_add(b, s);
    else
        xf_yaml_str(b, s);
}

void xf_yaml_comment(sbuf *b, int indent, const char *s)
{
    const char *p = s;
    while (*p) {
        const char *e = p;
        while (*e && *e != '\n' && *e != '\r')
            e++;
        sbuf_addf(b, "%*s#", indent, "");
        if (e > p)
            sbuf_addc(b, ' ');
        for (const unsigned char *q = (const unsigned char *)p;
             q < (const unsigned char *)e; q++) {
            /* Whatever YAML reads as a line break or control would end
             * the comment: a space instead. */
            if (q[0] == 0xC2 && q[1] >= 0x80 && q[1] <= 0x9F) {
                q++;
                sbuf_addc(b, ' ');
            } else if (q[0] == 0xE2 && q[1] == 0x80 && (q[2] == 0xA8 || q[2] == 0xA9)) {
                q += 2;
                sbuf_addc(b, ' ');
            } else {
                sbuf_addc(b, *q < 0x20 || *q == 0x7f ? ' ' : (char)*q);
            }
        }
        sbuf_addc(b, '\n');
        p = *e ? e + 1 : e;
        if (*e == '\r' && *p == '\n')
            p++;
    }
}
