/* xlsx_read.c: open an .xlsx (a zip of XML parts) with libzip, parse the
 * workbook, its relationships, the shared strings and each worksheet with
 * libxml2, and keep the cells' text. Every size is bounded before it is
 * trusted: a part's declared size, the bytes actually inflated, the number
 * of cells, shared strings and columns. */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "core/i18n.h"
#include "core/util.h"
#include "xlsform/xlsx_read.h"

/* What reading one workbook needs. */
typedef struct reader {
    const char *path;
    zip_t *zip;
    char *err;            /* first error, "PATH: reason" */
    char **shared;        /* shared strings */
    size_t nshared;
} reader;

static int fail(reader *r, const char *fmt, ...) KS_PRINTF(2, 3);

/* Record the first error; always -1. */
static int fail(reader *r, const char *fmt, ...)
{
    if (!r->err) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = xvasprintf(fmt, ap);
        va_end(ap);
        r->err = xasprintf("%s: %s", r->path, msg);
        free(msg);
    }
    return -1;
}

/* The uncompressed bytes of part name (NUL-terminated), or NULL: with an
 * error when required, silently when the part is optional and absent. */
static char *read_part(reader *r, const char *name, size_t *len, int required)
{
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(r->zip, name, 0, &st) != 0) {
        if (required)
            fail(r, _("not an XLSForm workbook: part '%s' is missing"), name);
        return NULL;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > XLSX_MAX_PART) {
        fail(r, _("part '%s' would inflate to %llu bytes (at most %u are read)"),
             name, (unsigned long long)st.size, XLSX_MAX_PART);
        return NULL;
    }
    zip_file_t *zf = zip_fopen(r->zip, name, 0);
    if (!zf) {
        fail(r, _("cannot read part '%s': %s"), name, zip_strerror(r->zip));
        return NULL;
    }
    /* The declared size may lie: read at most one byte past the bound. */
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > XLSX_MAX_PART)
                break;
            cap = cap * 2 > XLSX_MAX_PART ? (size_t)XLSX_MAX_PART + 1 : cap * 2;
            buf = xrealloc(buf, cap + 1);
        }
        zip_int64_t got = zip_fread(zf, buf + n, cap - n);
        if (got < 0) {
            fail(r, _("cannot read part '%s': %s"), name,
                 zip_file_strerror(zf));
            zip_fclose(zf);
            free(buf);
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    zip_fclose(zf);
    if (n > XLSX_MAX_PART) {
        fail(r, _("part '%s' inflates to more than %u bytes"), name, XLSX_MAX_PART);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Parse part name as XML; NULL with an error. No network, no entity
 * substitution, no DTD: a workbook needs none of them. */
static xmlDoc *read_xml(reader *r, const char *name, int required)
{
    size_t len = 0;
    char *text = read_part(r, name, &len, required);
    if (!text)
        return NULL;
    xmlDoc *doc = xmlReadMemory(text, (int)len, name, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING);
    free(text);
    if (!doc || !xmlDocGetRootElement(doc)) {
        fail(r, _("part '%s' is not well-formed XML"), name);
        xmlFreeDoc(doc);
        return NULL;
    }
    if (doc->intSubset) {
        fail(r, _("part '%s' declares a DTD, which a workbook never does"), name);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

/* Non-zero when n is an element with this local name. */
static int is_elem(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* The value of n's attribute with this local name (any namespace, the
 * namespaced one preferred when ns_only), newly allocated, or NULL. */
static char *attr(const xmlNode *n, const char *name, int ns_only)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (!strcmp((const char *)a->name, name) && (!ns_only || a->ns)) {
            xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
            char *s = xstrdup(v ? (const char *)v : "");
            xmlFree(v);
            return s;
        }
    return NULL;
}

/* Append the text of every <t> below n, skipping phonetic runs (<rPh>). */
static void add_text(sbuf *b, const xmlNode *n)
{
    for (const xmlNode *k = n->children; k; k = k->next) {
        if (is_elem(k, "rPh"))
            continue;
        if (is_elem(k, "t")) {
            xmlChar *v = xmlNodeGetContent(k);
            if (v)
                sbuf_add(b, (const char *)v);
            xmlFree(v);
        } else if (k->type == XML_ELEMENT_NODE) {
            add_text(b, k);
        }
    }
}

/* Read xl/sharedStrings.xml when present. */
static int read_shared(reader *r)
{
    xmlDoc *doc = read_xml(r, "xl/sharedStrings.xml", 0);
    if (!doc)
        return r->err ? -1 : 0;
    size_t cap = 0;
    for (xmlNode *si = xmlDocGetRootElement(doc)->children; si; si = si->next) {
        if (!is_elem(si, "si"))
            continue;
        if (r->nshared >= XLSX_MAX_CELLS) {
            xmlFreeDoc(doc);
            return fail(r, _("more than %u shared strings"), XLSX_MAX_CELLS);
        }
        r->shared = util_grow(r->shared, &cap, r->nshared + 1,
                              sizeof *r->shared);
        sbuf b;
        sbuf_init(&b);
        add_text(&b, si);
        r->shared[r->nshared++] = sbuf_detach(&b);
    }
    xmlFreeDoc(doc);
    return 0;
}

/* Parse "C42" into 0-based column and row; -1 when it is not a reference. */
static int parse_ref(const char *s, unsigned *row, unsigned *col)
{
    unsigned long c = 0, rw = 0;
    const char *p = s;
    for (; *p >= 'A' && *p <= 'Z' && c <= 20000; p++)
        c = c * 26 + (unsigned long)(*p - 'A' + 1);
    if (p == s || c == 0 || c > 20000)
        return -1;
    const char *d = p;
    for (; *p >= '0' && *p <= '9' && rw <= 2000000; p++)
        rw = rw * 10 + (unsigned long)(*p - '0');
    if (p == d || *p || rw == 0 || rw > 2000000)
        return -1;
    *col = (unsigned)(c - 1);
    *row = (unsigned)(rw - 1);
    return 0;
}

char *xlsx_cell_name(unsigned row, unsigned col)
{
    char letters[8];
    int n = 0;
    unsigned long c = (unsigned long)col + 1;
    while (c > 0 && n < 7) {
        letters[n++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    char rev[8];
    for (int i = 0; i < n; i++)
        rev[i] = letters[n - 1 - i];
    rev[n] = '\0';
    return xasprintf("%s%u", rev, row + 1);
}

/* The text of cell element c, or NULL when it is empty. */
static char *cell_text(reader *r, const xmlNode *c)
{
    char *type = attr(c, "t", 0);
    char *text = NULL;
    for (const xmlNode *k = c->children; k; k = k->next) {
        if (type && !strcmp(type, "inlineStr") && is_elem(k, "is")) {
            sbuf b;
            sbuf_init(&b);
            add_text(&b, k);
            text = sbuf_detach(&b);
        } else if (is_elem(k, "v")) {
            xmlChar *v = xmlNodeGetContent(k);
            const char *s = v ? (const char *)v : "";
            if (type && !strcmp(type, "s")) {
                char *end;
                unsigned long i = strtoul(s, &end, 10);
                if (*s && !*end && i < r->nshared)
                    text = xstrdup(r->shared[i]);
                else
                    fail(r, _("a cell names shared string '%s', which does not exist"), s);
            } else if (type && !strcmp(type, "b")) {
                text = xstrdup(!strcmp(s, "1") ? "TRUE" : "FALSE");
            } else {
                text = xstrdup(s);
            }
            xmlFree(v);
        }
    }
    free(type);
    if (text && !*text) {
        free(text);
        text = NULL;
    }
    return text;
}

static int cell_cmp(const void *x, const void *y)
{
    const xlsx_cell *a = x, *b = y;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

/* Add cell element c of sheet sh; *row and *col carry the position of the
 * previous cell, for cells written without a reference. */
static int read_cell(reader *r, xlsx_sheet *sh, size_t *cap, const xmlNode *c,
                     unsigned row, unsigned *col)
{
    char *ref = attr(c, "r", 0);
    unsigned rr = row, cc = *col;
    int bad = ref && (parse_ref(ref, &rr, &cc) || rr != row);
    free(ref);
    if (bad)
        return fail(r, _("sheet '%s' has a cell reference that is not valid"),
                    sh->name);
    if (cc >= XLSX_MAX_COLS)
        return fail(r, _("sheet '%s' uses more than %u columns"), sh->name,
                    XLSX_MAX_COLS);
    *col = cc + 1;
    char *text = cell_text(r, c);
    if (r->err) {
        free(text);
        return -1;
    }
    if (!text)
        return 0;
    if (sh->ncells >= XLSX_MAX_CELLS) {
        free(text);
        return fail(r, _("sheet '%s' has more than %u cells"), sh->name,
                    XLSX_MAX_CELLS);
    }
    sh->cells = util_grow(sh->cells, cap, sh->ncells + 1, sizeof *sh->cells);
    sh->cells[sh->ncells++] = (xlsx_cell){rr, cc, text};
    return 0;
}

/* Read the cells of worksheet part into sh. */
static int read_sheet(reader *r, xlsx_sheet *sh, const char *part)
{
    xmlDoc *doc = read_xml(r, part, 1);
    if (!doc)
        return -1;
    size_t cap = 0;
    unsigned next_row = 0;
    int rc = 0;
    for (xmlNode *d = xmlDocGetRootElement(doc)->children; d && !rc; d = d->next) {
        if (!is_elem(d, "sheetData"))
            continue;
        for (xmlNode *rw = d->children; rw && !rc; rw = rw->next) {
            if (!is_elem(rw, "row"))
                continue;
            char *rs = attr(rw, "r", 0);
            unsigned row = next_row, col = 0;
            if (rs) {
                char *end;
                unsigned long v = strtoul(rs, &end, 10);
                if (!*rs || *end || v == 0 || v > 2000000)
                    rc = fail(r, _("sheet '%s' has a row number that is not valid"),
                              sh->name);
                row = (unsigned)(v - 1);
                free(rs);
            }
            next_row = row + 1;
            for (xmlNode *c = rw->children; c && !rc; c = c->next)
                if (is_elem(c, "c"))
                    rc = read_cell(r, sh, &cap, c, row, &col);
        }
    }
    xmlFreeDoc(doc);
    if (!rc)
        qsort(sh->cells, sh->ncells, sizeof *sh->cells, cell_cmp);
    return rc;
}

/* The zip path of the part a workbook relationship target names. */
static char *target_path(const char *target)
{
    if (target[0] == '/')
        return xstrdup(target + 1);
    return xasprintf("xl/%s", target);
}

/* The target of relationship id in the workbook's relationships. */
static char *find_target(const xmlDoc *rels, const char *id)
{
    for (xmlNode *n = xmlDocGetRootElement((xmlDoc *)rels)->children; n; n = n->next) {
        if (!is_elem(n, "Relationship"))
            continue;
        char *rid = attr(n, "Id", 0);
        int match = rid && !strcmp(rid, id);
        free(rid);
        if (match) {
            char *t = attr(n, "Target", 0);
            char *p = t ? target_path(t) : NULL;
            free(t);
            return p;
        }
    }
    return NULL;
}

/* Read each sheet the workbook lists, in its order. */
static int read_sheets(reader *r, xlsx_book *book)
{
    xmlDoc *wb = read_xml(r, "xl/workbook.xml", 1);
    if (!wb)
        return -1;
    xmlDoc *rels = read_xml(r, "xl/_rels/workbook.xml.rels", 1);
    if (!rels) {
        xmlFreeDoc(wb);
        return -1;
    }
    int rc = 0;
    for (xmlNode *s = xmlDocGetRootElement(wb)->children; s && !rc; s = s->next) {
        if (!is_elem(s, "sheets"))
            continue;
        for (xmlNode *sh = s->children; sh && !rc; sh = sh->next) {
            if (!is_elem(sh, "sheet"))
                continue;
            char *name = attr(sh, "name", 0), *id = attr(sh, "id", 1);
            char *part = id ? find_target(rels, id) : NULL;
            if (!name || !part) {
                rc = fail(r, _("the workbook lists a sheet without a part"));
            } else if (book->nsheets < 256) {
                book->sheets = xrealloc(book->sheets,
                                        (book->nsheets + 1) * sizeof *book->sheets);
                xlsx_sheet *x = &book->sheets[book->nsheets++];
                *x = (xlsx_sheet){xstrdup(name), NULL, 0};
                rc = read_sheet(r, x, part);
            } else {
                rc = fail(r, _("the workbook has more than %d sheets"), 256);
            }
            free(name);
            free(id);
            free(part);
        }
    }
    xmlFreeDoc(rels);
    xmlFreeDoc(wb);
    return rc;
}

int xlsx_read(const char *path, xlsx_book *book, char **err)
{
    *book = (xlsx_book){NULL, 0};
    *err = NULL;
    reader r = {path, NULL, NULL, NULL, 0};
    int zerr = 0;
    /* A FIFO or a device named as the workbook is refused before libzip
     * sees it (its message would be "Operation not supported"). */
    int fd = util_open_regular(path, O_RDONLY);
    if (fd < 0) {
        fail(&r, _("cannot open: %s"), util_strerror(errno));
        *err = r.err;
        return -1;
    }
    r.zip = zip_fdopen(fd, ZIP_RDONLY, &zerr);
    if (!r.zip)
        close(fd);
    if (!r.zip) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        if (zerr == ZIP_ER_NOZIP || zerr == ZIP_ER_INCONS)
            fail(&r, _("not an .xlsx workbook (not a zip archive)"));
        else
            fail(&r, _("cannot open: %s"), zip_error_strerror(&ze));
        zip_error_fini(&ze);
        *err = r.err;
        return -1;
    }
    int rc = read_shared(&r);
    if (!rc)
        rc = read_sheets(&r, book);
    zip_discard(r.zip);
    for (size_t i = 0; i < r.nshared; i++)
        free(r.shared[i]);
    free(r.shared);
    if (rc) {
        xlsx_book_free(book);
        *err = r.err;
    }
    return rc;
}

const xlsx_sheet *xlsx_sheet_find(const xlsx_book *book, const char *name)
{
    for (size_t i = 0; i < book->nsheets; i++)
        if (!strcasecmp(book->sheets[i].name, name))
            return &book->sheets[i];
    return NULL;
}

void xlsx_book_free(xlsx_book *book)
{
    for (size_t i = 0; i < book->nsheets; i++) {
        for (size_t j = 0; j < book->sheets[i].ncells; j++)
            free(book->sheets[i].cells[j].text);
        free(book->sheets[i].cells);
        free(book->sheets[i].name);
    }
    free(book->sheets);
    *book = (xlsx_book){NULL, 0};
}
