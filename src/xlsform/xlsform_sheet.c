/* xlsform_sheet.c: the columns of an XLSForm sheet (what each header
 * means, in which language) and reading it row by row, keeping track of
 * which cells were carried so that the others are reported. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "core/i18n.h"
#include "xlsform/xlsform_int.h"

void xf_note(xf_import *im, const xf_sheet *s, int row, unsigned col,
             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    /* Cell text is data: no control character reaches a terminal. */
    for (unsigned char *p = (unsigned char *)msg; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = ' ';
        else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            p[0] = p[1] = '?';
    char *where = NULL;
    if (row >= 0) {
        char *cell = xlsx_cell_name((unsigned)row, col);
        where = xasprintf("%s!%s", s->name, cell);
        free(cell);
    } else {
        where = xstrdup(s->name);
    }
    diag_add(im->notes, where, 0, 0, "%s", msg);
    free(where);
    free(msg);
}

void xf_sheet_init(xf_sheet *s, const xlsx_sheet *sh, const char *name)
{
    memset(s, 0, sizeof *s);
    s->sh = sh;
    s->name = name;
    if (sh)
        for (size_t i = 0; i < sh->ncells; i++)
            if (sh->cells[i].col + 1 > s->width)
                s->width = sh->cells[i].col + 1;
    s->cols = xcalloc(s->width + 1, sizeof *s->cols);
    s->cell = xcalloc(s->width + 1, sizeof *s->cell);
    s->used = xcalloc(s->width + 1, 1);
    s->filled = xcalloc(s->width + 1, sizeof *s->filled);
    s->kcol = xmalloc(XK_N * (XF_MAX_LANG + 1) * sizeof *s->kcol);
    for (size_t i = 0; i < XK_N * (XF_MAX_LANG + 1); i++)
        s->kcol[i] = -1;
    xf_sheet_rewind(s);
}

void xf_sheet_rewind(xf_sheet *s)
{
    s->next = 0;
    /* Skip the header row (the first row with anything in it). */
    if (s->sh && s->sh->ncells) {
        unsigned hdr = s->sh->cells[0].row;
        while (s->next < s->sh->ncells && s->sh->cells[s->next].row == hdr)
            s->next++;
    }
}

size_t xf_sheet_tell(const xf_sheet *s)
{
    return s->next;
}

void xf_sheet_seek(xf_sheet *s, size_t pos)
{
    s->next = pos;
}

int xf_sheet_next(xf_sheet *s)
{
    if (!s->sh || s->next >= s->sh->ncells)
        return 0;
    /* Only what the last row filled is cleared: the work per row follows
     * its cells, not the sheet's width. */
    for (size_t i = 0; i < s->nfilled; i++)
        s->cell[s->filled[i]] = NULL;
    memset(s->used, 0, s->width);
    s->nfilled = 0;
    s->row = s->sh->cells[s->next].row;
    for (; s->next < s->sh->ncells && s->sh->cells[s->next].row == s->row; s->next++) {
        const xlsx_cell *c = &s->sh->cells[s->next];
        const char *t = c->text;
        while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
            t++;
        if (*t && !s->cell[c->col]) {
            s->cell[c->col] = c->text;
            s->filled[s->nfilled++] = c->col;
        }
    }
    return 1;
}

/* Where the first column of (kind, lang) is kept in s->kcol. */
static int *kcol_slot(xf_sheet *s, xf_kind kind, int lang)
{
    return &s->kcol[(size_t)kind * (XF_MAX_LANG + 1) + (size_t)(lang + 1)];
}

/* Index the first column of each kind and language. */
static void index_columns(xf_sheet *s)
{
    for (size_t i = 0; i < XK_N * (XF_MAX_LANG + 1); i++)
        s->kcol[i] = -1;
    for (unsigned c = s->width; c-- > 0;) {
        const xf_col *col = &s->cols[c];
        *kcol_slot(s, col->kind, -1) = (int)c;
        if (col->lang >= 0)
            *kcol_slot(s, col->kind, col->lang) = (int)c;
    }
}

const char *xf_get(xf_sheet *s, xf_kind kind, int lang)
{
    int c = *kcol_slot(s, kind, lang);
    if (c < 0)
        return NULL;
    s->used[c] = 1;
    return s->cell[c];
}

unsigned xf_col_of(const xf_sheet *s, xf_kind kind, int lang)
{
    int c = s->kcol[(size_t)kind * (XF_MAX_LANG + 1) + (size_t)(lang + 1)];
    return c < 0 ? 0 : (unsigned)c;
}

void xf_report_unused(xf_import *im, xf_sheet *s)
{
    for (size_t i = 0; i < s->nfilled; i++) {
        unsigned c = s->filled[i];
        if (s->used[c])
            continue;
        if (s->cols[c].kind == XK_NONE)
            xf_note(im, s, (int)s->row, c,
                    _("'%s' is in a column without a header; left out"),
                    s->cell[c]);
        else
            xf_note(im, s, (int)s->row, c, _("%s '%s' has no khaosat equivalent"),
                    s->cols[c].header, s->cell[c]);
    }
}

void xf_sheet_free(xf_sheet *s)
{
    for (unsigned c = 0; c < s->width; c++)
        free(s->cols[c].key);
    free(s->cols);
    free(s->cell);
    free(s->used);
    free(s->filled);
    free(s->kcol);
}

int xf_lang_add(xf_import *im, const char *code)
{
    for (size_t i = 0; i < im->nlang; i++)
        if (!strcmp(im->langs[i], code))
            return (int)i;
    if (im->nlang >= XF_MAX_LANG)
        return -1;
    im->langs = xrealloc(im->langs, (im->nlang + 1) * sizeof *im->langs);
    im->langs[im->nlang] = xstrdup(code);
    return (int)im->nlang++;
}

/* Header names and what they mean; a few are the aliases pyxform accepts. */
static const struct {
    const char *name;
    xf_kind kind;
} header_names[] = {
    {"type", XK_TYPE}, {"name", XK_NAME}, {"label", XK_LABEL},
    {"hint", XK_HINT}, {"required", XK_REQUIRED},
    {"required_message", XK_REQUIRED_MSG}, {"jr:requiredmsg", XK_REQUIRED_MSG},
    {"relevant", XK_RELEVANT}, {"relevance", XK_RELEVANT},
    {"constraint", XK_CONSTRAINT}, {"constraint_message", XK_CONSTRAINT_MSG},
    {"jr:constraintmsg", XK_CONSTRAINT_MSG}, {"calculation", XK_CALCULATION},
    {"default", XK_DEFAULT}, {"read_only", XK_READ_ONLY},
    {"readonly", XK_READ_ONLY}, {"choice_filter", XK_CHOICE_FILTER},
    {"repeat_count", XK_COUNT}, {"jr:count", XK_COUNT},
    {"khaosat_min", XK_MIN}, {"khaosat_max", XK_MAX},
    {"khaosat_indicator", XK_INDICATOR}, {"comments", XK_COMMENT},
    {"comment", XK_COMMENT}, {"notes", XK_COMMENT},
    {"parameters", XK_PARAMETERS}, {"appearance", XK_APPEARANCE},
    {"list_name", XK_LIST_NAME}, {"list name", XK_LIST_NAME},
    {"form_title", XK_FORM_TITLE}, {"form_id", XK_FORM_ID},
    {"version", XK_VERSION}, {"default_language", XK_DEFAULT_LANG},
    {"instance_name", XK_INSTANCE_NAME}, {"khaosat_key", XK_KEY},
};

/* Non-zero for the kinds that carry a translatable text. */
static int is_text_kind(xf_kind k)
{
    return k == XK_LABEL || k == XK_HINT || k == XK_REQUIRED_MSG ||
           k == XK_CONSTRAINT_MSG;
}

/* Languages written by name, without a code ("label::English"), as
 * XLSForm allows: the languages of the surveys khaosat serves and of their
 * partners, by their English and their own names (case-folded, NFC). */
static const struct lang_name {
    const char *name, *code;
} lang_names[] = {
    {"english", "en"}, {"tiếng anh", "en"},
    {"vietnamese", "vi"}, {"tiếng việt", "vi"}, {"tieng viet", "vi"},
    {"french", "fr"}, {"français", "fr"}, {"francais", "fr"},
    {"chinese", "zh"}, {"中文", "zh"}, {"khmer", "km"}, {"lao", "lo"},
    {"thai", "th"}, {"hmong", "hmn"}, {"spanish", "es"}, {"español", "es"},
    {"portuguese", "pt"}, {"português", "pt"}, {"german", "de"},
    {"deutsch", "de"}, {"japanese", "ja"}, {"korean", "ko"},
};

/* The code of language name b..e (NULL when it is none of lang_names). */
static const char *lang_by_name(const char *b, const char *e)
{
    char *name = xstrndup(b, (size_t)(e - b));
    char *folded = (char *)utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)name);
    const char *code = NULL;
    for (size_t i = 0; folded && i < sizeof lang_names / sizeof *lang_names; i++)
        if (!strcmp(folded, lang_names[i].name))
            code = lang_names[i].code;
    free(folded);
    free(name);
    return code;
}

/* Non-zero when b..e is written as a language code: 2 or 3 letters, then
 * subtags of letters and digits after '-' or '_' ("vi", "pt-BR", "hmn"). */
static int lang_is_code(const char *b, const char *e)
{
    const char *p = b;
    while (p < e && isalpha((unsigned char)*p))
        p++;
    if (p - b < 2 || p - b > 3)
        return 0;
    while (p < e) {
        if (*p != '-' && *p != '_')
            return 0;
        const char *t = ++p;
        while (p < e && isalnum((unsigned char)*p))
            p++;
        if (p == t || p - t > 8)
            return 0;
    }
    return 1;
}

char *xf_lang_code(const char *suffix, int *by_name)
{
    if (by_name)
        *by_name = 0;
    const char *open = strrchr(suffix, '('), *close = strrchr(suffix, ')');
    const char *b = suffix, *e = suffix + strlen(suffix);
    int paren = open && close && close > open;
    if (paren) {
        b = open + 1;
        e = close;
    }
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    if (b == e)
        return NULL;
    if (!paren) {
        const char *known = lang_by_name(b, e);
        if (known) {
            if (by_name)
                *by_name = 1;
            return xstrdup(known);
        }
        if (!lang_is_code(b, e))
            return NULL;
    }
    for (const char *p = b; p < e; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return NULL;
    char *code = xstrndup(b, (size_t)(e - b));
    for (char *p = code; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return code;
}

/* Classify one header cell of column c. */
static void read_header(xf_import *im, xf_sheet *s, unsigned c, const char *h)
{
    xf_col *col = &s->cols[c];
    col->header = h;
    col->kind = XK_UNSUPPORTED;
    col->lang = -1;
    const char *sep = strstr(h, "::");
    size_t blen = sep ? (size_t)(sep - h) : strlen(h);
    while (blen && isspace((unsigned char)h[blen - 1]))
        blen--;
    char *base = xstrndup(h, blen);
    for (char *p = base; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    for (size_t i = 0; i < sizeof header_names / sizeof *header_names; i++)
        if (!strcmp(base, header_names[i].name))
            col->kind = header_names[i].kind;
    int is_settings = s == &im->settings, is_choices = s == &im->choices;
    if (!strncmp(base, "khaosat_meta_", 13) && base[13] && !is_choices && !is_settings) {
        col->kind = XK_META;
        col->key = xstrdup(base + 13);
    } else if (is_settings && !strncmp(base, "khaosat_title_", 14) && base[14]) {
        col->kind = XK_TITLE;
        col->lang = xf_lang_add(im, base + 14);
        if (col->lang < 0)
            col->kind = XK_UNSUPPORTED;
    } else if (is_choices && col->kind == XK_UNSUPPORTED && !sep &&
               strcmp(base, "image") && strcmp(base, "audio") &&
               strcmp(base, "video") && strcmp(base, "big-image")) {
        /* Any other column of the choices sheet is an attribute a
         * choice_filter may use. */
        col->kind = XK_ATTR;
        col->key = xstrdup(h);
        xf_names_add(&im->anames, h);
    }
    free(base);
    if (!is_text_kind(col->kind)) {
        if (sep && col->kind != XK_TITLE)
            col->kind = XK_UNSUPPORTED;
        return;
    }
    if (!sep) {
        im->lang_pending = 1;
        col->lang = -2;   /* the default language, known after settings */
        return;
    }
    int by_name;
    char *code = xf_lang_code(sep + 2, &by_name);
    if (!code) {
        xf_note(im, s, (int)s->sh->cells[0].row, c,
                _("language '%s' has no code; write it as '%s (xx)' with its "
                  "two-letter code"), sep + 2, sep + 2);
        col->kind = XK_UNSUPPORTED;
        return;
    }
    if (by_name)
        xf_note(im, s, (int)s->sh->cells[0].row, c,
                _("language '%s' is taken as '%s'; write it as '%s (%s)' to "
                  "say so"), sep + 2, code, sep + 2, code);
    col->lang = xf_lang_add(im, code);
    if (col->lang < 0) {
        xf_note(im, s, (int)s->sh->cells[0].row, c,
                _("more than %d languages; '%s' is left out"), XF_MAX_LANG, code);
        col->kind = XK_UNSUPPORTED;
    }
    free(code);
}

/* Resolve the columns written without a language to the default one, and
 * leave a second column for the same thing to be reported, not ignored. */
void xf_resolve_columns(xf_import *im, xf_sheet *s)
{
    for (unsigned c = 0; c < s->width; c++) {
        xf_col *col = &s->cols[c];
        if (col->lang == -2)
            col->lang = im->deflang;
        if (col->kind == XK_NONE || col->kind == XK_UNSUPPORTED ||
            col->kind == XK_META || col->kind == XK_ATTR)
            continue;
        for (unsigned d = 0; d < c; d++)
            if (s->cols[d].kind == col->kind && s->cols[d].lang == col->lang) {
                col->kind = XK_UNSUPPORTED;
                break;
            }
    }
    index_columns(s);
}

void xf_read_headers(xf_import *im, xf_sheet *s)
{
    if (!s->sh || !s->sh->ncells)
        return;
    unsigned hdr = s->sh->cells[0].row;
    for (size_t i = 0; i < s->sh->ncells && s->sh->cells[i].row == hdr; i++) {
        const xlsx_cell *c = &s->sh->cells[i];
        const char *t = c->text;
        while (isspace((unsigned char)*t))
            t++;
        if (*t)
            read_header(im, s, c->col, t);
    }
    index_columns(s);
}
