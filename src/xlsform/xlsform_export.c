/* xlsform_export.c: a khaosat form as an XLSForm workbook (libxlsxwriter):
 * survey, choices and settings sheets as ODK and KoboToolbox read them,
 * with khaosat-only attributes in khaosat_* columns that XLSForm tools
 * ignore and the importer reads back. */
#include "config.h"
#include "core/durable.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/i18n.h"
#include "core/util.h"
#include "xlsform/xlsform.h"

/* The columns of the survey sheet, in order. */
enum {
    SC_TYPE, SC_NAME, SC_LABEL, SC_HINT, SC_REQUIRED, SC_REQUIRED_MSG,
    SC_RELEVANT, SC_CONSTRAINT, SC_CONSTRAINT_MSG, SC_CALCULATION,
    SC_DEFAULT, SC_READ_ONLY, SC_CHOICE_FILTER, SC_PARAMETERS, SC_COUNT, SC_MIN, SC_MAX,
    SC_INDICATOR, SC_APPEARANCE, SC_N
};

static const char *const survey_headers[SC_N] = {
    "type", "name", "label", "hint", "required", "required_message",
    "relevant", "constraint", "constraint_message", "calculation",
    "default", "read_only", "choice_filter", "parameters", "repeat_count", "khaosat_min",
    "khaosat_max", "khaosat_indicator", "appearance",
};

/* Non-zero for the columns written once per language. */
static int is_text_col(int c)
{
    return c == SC_LABEL || c == SC_HINT || c == SC_REQUIRED_MSG ||
           c == SC_CONSTRAINT_MSG;
}

/* What writing one workbook needs. */
typedef struct exporter {
    const form *f;
    lxw_workbook *wb;
    lxw_format *bold;
    int col[SC_N];        /* first sheet column of each survey column */
    char **meta_keys;     /* khaosat_meta_KEY columns, after the others */
    size_t nmeta;
    int meta_col;
} exporter;

/* The header suffix of language code: "Tiếng Việt (vi)" as XLSForm tools
 * show it, the code alone for languages without a name here. */
static char *lang_header(const char *code)
{
    if (!strcmp(code, "vi"))
        return xstrdup("Tiếng Việt (vi)");
    if (!strcmp(code, "en"))
        return xstrdup("English (en)");
    return xstrdup(code);
}

/* Whether s starts with the shape of an Excel escape, _xHHHH_. */
static int looks_like_excel_escape(const char *s)
{
    if (s[0] != '_' || s[1] != 'x')
        return 0;
    for (int i = 2; i < 6; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return s[6] == '_';
}

/* s with every literal _xHHHH_ written _x005F_xHHHH_, so that a reader
 * decoding Excel escapes gets the text back as it was; caller frees. */
static char *escape_excel_literals(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += looks_like_excel_escape(p) ? 6 : 0;
    char *out = xmalloc(strlen(s) + n + 1), *o = out;
    for (const char *p = s; *p; p++) {
        if (looks_like_excel_escape(p)) {
            memcpy(o, "_x005F", 6);
            o += 6;
        }
        *o++ = *p;
    }
    *o = 0;
    return out;
}

/* Write s (when not NULL) at row, col. */
static void put(lxw_worksheet *ws, lxw_row_t row, int col, const char *s)
{
    if (s && *s) {
        char *e = escape_excel_literals(s);
        worksheet_write_string(ws, row, (lxw_col_t)col, e, NULL);
        free(e);
    }
}

/* Write a text's translations in consecutive columns from col. */
static void put_text(const exporter *x, lxw_worksheet *ws, lxw_row_t row, int col,
                     form_text t)
{
    for (size_t l = 0; t && l < x->f->nlang; l++)
        put(ws, row, col + (int)l, t[l]);
}

/* Write header h (with ::language for texts) from col; returns the next
 * column. */
static int put_header(const exporter *x, lxw_worksheet *ws, int col,
                      const char *h, int per_lang)
{
    if (!per_lang) {
        worksheet_write_string(ws, 0, (lxw_col_t)col, h, x->bold);
        return col + 1;
    }
    for (size_t l = 0; l < x->f->nlang; l++) {
        char *lh = lang_header(x->f->languages[l]);
        char *s = xasprintf("%s::%s", h, lh);
        worksheet_write_string(ws, 0, (lxw_col_t)col++, s, x->bold);
        free(s);
        free(lh);
    }
    return col;
}

/* The meta keys of every question but indicator, in order of appearance. */
static void collect_meta(exporter *x)
{
    for (size_t i = 0; i < x->f->nq; i++)
        for (size_t m = 0; m < x->f->q[i].nmeta; m++) {
            const char *k = x->f->q[i].meta[m].key;
            size_t j = 0;
            while (j < x->nmeta && strcmp(x->meta_keys[j], k))
                j++;
            if (j == x->nmeta && strcmp(k, "indicator")) {
                x->meta_keys = xrealloc(x->meta_keys,
                                        (x->nmeta + 1) * sizeof *x->meta_keys);
                x->meta_keys[x->nmeta++] = xstrdup(k);
            }
        }
}

static const char *src(const expr *e)
{
    return e ? expr_source(e) : NULL;
}

/* The survey row of question q. */
static void survey_row(exporter *x, lxw_worksheet *ws, lxw_row_t row, const form_question *q)
{
    const form *f = x->f;
    char *type = q->type == QT_SELECT_ONE || q->type == QT_SELECT_MULTIPLE
                     ? xasprintf("%s %s", form_qtype_name(q->type), f->lists[q->list].name)
                 : q->type == QT_GROUP  ? xstrdup("begin group")
                 : q->type == QT_REPEAT ? xstrdup("begin repeat")
                                        : xstrdup(form_qtype_name(q->type));
    put(ws, row, x->col[SC_TYPE], type);
    free(type);
    put(ws, row, x->col[SC_NAME], q->id);
    put_text(x, ws, row, x->col[SC_LABEL], q->label);
    put_text(x, ws, row, x->col[SC_HINT], q->hint);
    put(ws, row, x->col[SC_REQUIRED], q->required_always ? "yes" : src(q->required));
    put_text(x, ws, row, x->col[SC_REQUIRED_MSG], q->required_msg);
    put(ws, row, x->col[SC_RELEVANT], src(q->relevant));
    put(ws, row, x->col[SC_CONSTRAINT], src(q->constraint));
    put_text(x, ws, row, x->col[SC_CONSTRAINT_MSG], q->constraint_msg);
    put(ws, row, x->col[SC_CALCULATION], src(q->calculation));
    /* XLSForm takes an expression in default as ODK does; import reads the
     * same text back as an expression. */
    put(ws, row, x->col[SC_DEFAULT], q->default_value ? q->default_value : src(q->default_expr));
    put(ws, row, x->col[SC_READ_ONLY], q->read_only ? "yes" : NULL);
    put(ws, row, x->col[SC_APPEARANCE], q->multiline ? "multiline" : NULL);
    put(ws, row, x->col[SC_CHOICE_FILTER], src(q->choice_filter));
    if (q->randomize) {
        char *par = q->seed ? xasprintf("randomize=true seed=%s", expr_source(q->seed))
                            : xstrdup("randomize=true");
        put(ws, row, x->col[SC_PARAMETERS], par);
        free(par);
    }
    put(ws, row, x->col[SC_COUNT], src(q->count));
    if (q->type == QT_REPEAT && !q->count) {
        char n[32];
        snprintf(n, sizeof n, "%d", q->min_count);
        put(ws, row, x->col[SC_MIN], q->min_count ? n : NULL);
        snprintf(n, sizeof n, "%d", q->max_count);
        put(ws, row, x->col[SC_MAX], q->max_count ? n : NULL);
    }
    sbuf ind;
    sbuf_init(&ind);
    for (size_t m = 0; m < q->nmeta; m++) {
        if (!strcmp(q->meta[m].key, "indicator")) {
            sbuf_add(&ind, ind.len ? " " : "");
            sbuf_add(&ind, q->meta[m].value);
            continue;
        }
        for (size_t k = 0; k < x->nmeta; k++)
            if (!strcmp(x->meta_keys[k], q->meta[m].key))
                put(ws, row, x->meta_col + (int)k, q->meta[m].value);
    }
    put(ws, row, x->col[SC_INDICATOR], ind.s);
    sbuf_free(&ind);
}

/* The survey sheet: a row per question, "end group"/"end repeat" rows
 * after the last question inside. */
static void write_survey(exporter *x)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "survey");
    int col = 0;
    for (int c = 0; c < SC_N; c++) {
        x->col[c] = col;
        col = put_header(x, ws, col, survey_headers[c], is_text_col(c));
    }
    collect_meta(x);
    x->meta_col = col;
    for (size_t k = 0; k < x->nmeta; k++) {
        char *h = xasprintf("khaosat_meta_%s", x->meta_keys[k]);
        col = put_header(x, ws, col, h, 0);
        free(h);
    }
    const form *f = x->f;
    int *open = xcalloc(f->nq + 1, sizeof *open);
    size_t nopen = 0;
    lxw_row_t row = 1;
    for (size_t i = 0; i <= f->nq; i++) {
        while (nopen && (i == f->nq || f->q[open[nopen - 1]].end <= (int)i)) {
            const form_question *g = &f->q[open[--nopen]];
            put(ws, row, x->col[SC_TYPE],
                g->type == QT_GROUP ? "end group" : "end repeat");
            put(ws, row++, x->col[SC_NAME], g->id);
        }
        if (i == f->nq)
            break;
        survey_row(x, ws, row++, &f->q[i]);
        if (f->q[i].type == QT_GROUP || f->q[i].type == QT_REPEAT)
            open[nopen++] = (int)i;
    }
    free(open);
}

/* The choices sheet: list_name, name, labels, then each attribute. */
static void write_choices(exporter *x)
{
    const form *f = x->f;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "choices");
    int col = put_header(x, ws, 0, "list_name", 0);
    col = put_header(x, ws, col, "name", 0);
    int label_col = col;
    col = put_header(x, ws, col, "label", 1);
    char **attrs = NULL;
    size_t nattrs = 0;
    for (size_t i = 0; i < f->nlists; i++)
        for (size_t a = 1; a < f->lists[i].nattrs; a++) {
            size_t j = 0;
            while (j < nattrs && strcmp(attrs[j], f->lists[i].attrs[a]))
                j++;
            if (j == nattrs) {
                attrs = xrealloc(attrs, (nattrs + 1) * sizeof *attrs);
                attrs[nattrs++] = f->lists[i].attrs[a];
                put_header(x, ws, col + (int)j, attrs[j], 0);
            }
        }
    lxw_row_t row = 1;
    for (size_t i = 0; i < f->nlists; i++)
        for (size_t c = 0; c < f->lists[i].nchoices; c++, row++) {
            const form_choice *ch = &f->lists[i].choices[c];
            put(ws, row, 0, f->lists[i].name);
            put(ws, row, 1, ch->value);
            put_text(x, ws, row, label_col, ch->label);
            for (size_t j = 0; j < nattrs; j++)
                put(ws, row, col + (int)j, form_choice_attr(ch, attrs[j]));
        }
    free(attrs);
}

/* The settings sheet: one row. */
static void write_settings(exporter *x)
{
    const form *f = x->f;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "settings");
    static const char *const hdr[] = {"form_title", "form_id", "version",
                                      "default_language", "khaosat_key",
                                      "instance_name"};
    int col = 0;
    for (size_t i = 0; i < sizeof hdr / sizeof *hdr; i++)
        col = put_header(x, ws, col, hdr[i], 0);
    put(ws, 1, 0, form_text_get(f, f->title, f->default_lang));
    put(ws, 1, 1, f->id);
    put(ws, 1, 2, f->version);
    char *dl = lang_header(f->languages[f->default_lang]);
    put(ws, 1, 3, dl);
    free(dl);
    sbuf key;
    sbuf_init(&key);
    for (size_t k = 0; k < f->nkey; k++) {
        sbuf_add(&key, k ? " " : "");
        sbuf_add(&key, f->q[f->key[k]].id);
    }
    put(ws, 1, 4, key.s);
    sbuf_free(&key);
    put(ws, 1, 5, src(f->instance_name));
    for (size_t l = 0; l < f->nlang; l++, col++) {
        char *h = xasprintf("khaosat_title_%s", f->languages[l]);
        put_header(x, ws, col, h, 0);
        put(ws, 1, col, f->title ? f->title[l] : NULL);
        free(h);
    }
}

/* Excel's limit on a cell, in UTF-16 units. */
#define CELL_MAX 32767

/* Non-zero when s is longer than a cell holds (counted as Excel counts:
 * a character beyond U+FFFF takes two). */
static int too_long(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; s && *p; p++)
        n += ((*p & 0xC0) != 0x80) + (*p >= 0xF0);
    return n > CELL_MAX;
}

static int text_too_long(const form *f, form_text t)
{
    for (size_t l = 0; t && l < f->nlang; l++)
        if (too_long(t[l]))
            return 1;
    return 0;
}

/* Non-zero when a cell of question q would be longer than Excel allows;
 * libxlsxwriter would leave it out without a word. */
static int question_too_long(const form *f, const form_question *q)
{
    const expr *e[] = {q->relevant, q->required, q->constraint, q->calculation,
                       q->choice_filter, q->count, q->default_expr, q->seed};
    for (size_t i = 0; i < sizeof e / sizeof *e; i++)
        if (e[i] && too_long(expr_source(e[i])))
            return 1;
    return too_long(q->default_value) || text_too_long(f, q->label) ||
           text_too_long(f, q->hint) || text_too_long(f, q->required_msg) ||
           text_too_long(f, q->constraint_msg);
}

/* The refusal when some text of f does not fit in a cell (newly
 * allocated), or NULL. */
static char *check_cell_sizes(const form *f, const char *path)
{
    for (size_t i = 0; i < f->nq; i++)
        if (question_too_long(f, &f->q[i]))
            return xasprintf(_("%s: question '%s' has a text longer than the %d "
                               "characters a spreadsheet cell holds"),
                             path, f->q[i].id, CELL_MAX);
    for (size_t i = 0; i < f->nlists; i++)
        for (size_t c = 0; c < f->lists[i].nchoices; c++) {
            const form_choice *ch = &f->lists[i].choices[c];
            int bad = text_too_long(f, ch->label);
            for (size_t k = 0; k < ch->nattrs; k++)
                bad |= too_long(ch->attrs[k].value);
            if (bad)
                return xasprintf(_("%s: choice '%s' of list '%s' has a text longer "
                                   "than the %d characters a spreadsheet cell holds"),
                                 path, ch->value, f->lists[i].name, CELL_MAX);
        }
    if (text_too_long(f, f->title))
        return xasprintf(_("%s: the form title is longer than the %d characters a "
                           "spreadsheet cell holds"), path, CELL_MAX);
    if (f->instance_name && too_long(expr_source(f->instance_name)))
        return xasprintf(_("%s: the instance_name is longer than the %d "
                           "characters a spreadsheet cell holds"), path,
                         CELL_MAX);
    return NULL;
}

int xlsform_export(const form *f, const char *path, char **err)
{
    *err = check_cell_sizes(f, path);
    if (*err)
        return -1;
    /* Written under a temporary name, synced, then renamed: a failure or
     * a cut leaves the old workbook or the whole new one. */
    char *dir = durable_dirname(path);
    durable *d = durable_begin(dir, 0600, err);
    free(dir);
    if (!d)
        return -1;
    exporter x;
    memset(&x, 0, sizeof x);
    x.f = f;
    x.wb = workbook_new(durable_tmp_path(d));
    if (!x.wb) {
        *err = xasprintf(_("%s: cannot create the workbook"), path);
        durable_abort(d);
        return -1;
    }
    x.bold = workbook_add_format(x.wb);
    format_set_bold(x.bold);
    write_survey(&x);
    write_choices(&x);
    write_settings(&x);
    for (size_t k = 0; k < x.nmeta; k++)
        free(x.meta_keys[k]);
    free(x.meta_keys);
    lxw_error rc = workbook_close(x.wb);
    if (rc != LXW_NO_ERROR) {
        *err = xasprintf(_("%s: cannot write the workbook: %s"), path,
                         lxw_strerror(rc));
        durable_abort(d);
        return -1;
    }
    if (durable_commit(d, path, DURABLE_REPLACE, err) != 0)
        return -1;
    return 0;
}
