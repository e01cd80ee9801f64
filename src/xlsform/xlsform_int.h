/* xlsform_int.h: what the XLSForm importer's parts share: the columns of a
 * sheet, row iteration, the renaming of names, the YAML being written. */
#ifndef KHAOSAT_XLSFORM_INT_H
#define KHAOSAT_XLSFORM_INT_H

#include <stddef.h>

#include "core/util.h"
#include "xlsform/xlsx_read.h"

/* What a column of a sheet carries. */
typedef enum xf_kind {
    XK_NONE,              /* no header */
    XK_UNSUPPORTED,       /* a column khaosat has no place for */
    XK_TYPE, XK_NAME, XK_LABEL, XK_HINT, XK_REQUIRED, XK_REQUIRED_MSG,
    XK_RELEVANT, XK_CONSTRAINT, XK_CONSTRAINT_MSG, XK_CALCULATION,
    XK_DEFAULT, XK_READ_ONLY, XK_CHOICE_FILTER, XK_COUNT, XK_MIN, XK_MAX,
    XK_INDICATOR, XK_META, XK_COMMENT, XK_PARAMETERS, XK_APPEARANCE,
    XK_LIST_NAME, XK_ATTR,  /* choices sheet */
    XK_TITLE,             /* settings: khaosat_title_CODE */
    XK_FORM_TITLE, XK_FORM_ID, XK_VERSION, XK_DEFAULT_LANG, XK_INSTANCE_NAME,
    XK_KEY
} xf_kind;

/* Most languages a workbook may use: far more than any questionnaire,
 * and a bound on the work per row. */
#define XF_MAX_LANG 32
/* Number of column kinds. */
#define XK_N (XK_KEY + 1)

/* The texts a question carries, one per form language. */
enum { XT_LABEL, XT_HINT, XT_REQUIRED_MSG, XT_CONSTRAINT_MSG, XT_N };

typedef struct xf_col {
    xf_kind kind;
    const char *header;   /* as written (borrowed from the sheet) */
    int lang;             /* texts: index into the languages */
    char *key;            /* meta key, choice attribute name (owned) */
} xf_col;

/* A sheet's columns and the row being read. */
typedef struct xf_sheet {
    const xlsx_sheet *sh;
    const char *name;     /* "survey", "choices", "settings" */
    xf_col *cols;
    unsigned width;       /* columns: one past the last used one */
    const char **cell;    /* the current row's cells (NULL when empty) */
    unsigned char *used;  /* per column: consumed for the current row */
    unsigned *filled;     /* the current row's non-empty columns, in order */
    size_t nfilled;
    int *kcol;            /* first column of (kind, language + 1), or -1 */
    unsigned row;         /* 0-based number of the current row */
    size_t next;          /* next cell of sh to read */
} xf_sheet;

/* Old name -> new name, with hash indexes of both (slots hold index + 1,
 * 0 when free). */
typedef struct xf_names {
    char **old, **new;
    size_t n, cap;
    size_t *by_old, *by_new;
    size_t slots;         /* a power of two, at least twice n */
} xf_names;

/* From YAML line and column (1-based, the column in characters) on, the
 * text came from cell (row, col) of sheet (row -1: the sheet as a whole),
 * until the next mark. */
typedef struct xf_mark {
    int line, col;
    const char *sheet;    /* "survey", "choices", "settings" (static) */
    int row;
    unsigned cell;
} xf_mark;

/* The marks of an import, in the order of the YAML. */
struct xlsform_map {
    xf_mark *v;
    size_t n, cap;
};

typedef struct xf_import {
    const char *path;
    diag_list *notes;
    char **langs;         /* codes */
    size_t nlang;
    int deflang;
    int lang_pending;     /* a column had no language */
    xf_sheet survey, choices, settings;
    xf_names qnames;      /* question names */
    xf_names lnames;      /* choice list names */
    xf_names anames;      /* choice attribute names */
    xf_names other_lists; /* lists that get an "other" choice (or_other) */
    sbuf out;             /* the YAML */
    char *fatal;          /* a problem that stops the import */
    struct xlsform_map map; /* where each part of out came from */
    size_t seen;          /* bytes of out counted into line and col */
    int line, col;        /* where the next byte of out goes */
} xf_import;

/* Mark that what is written next comes from cell (row, col) of s (row -1:
 * the sheet as a whole). */
void xf_mark_at(xf_import *im, const xf_sheet *s, int row, unsigned col);
/* Mark that what is written next comes from the current row of s, in the
 * first column of this kind (and language, for texts; -1 for any). */
void xf_mark_kind(xf_import *im, xf_sheet *s, xf_kind kind, int lang);

/* Add "SHEET!CELL: message" (the sheet alone when row is -1). */
void xf_note(xf_import *im, const xf_sheet *s, int row, unsigned col,
             const char *fmt, ...) KS_PRINTF(5, 6);

/* Set up s over sheet sh (NULL: an empty sheet). */
void xf_sheet_init(xf_sheet *s, const xlsx_sheet *sh, const char *name);
/* Read the next non-empty row after the header into s->cell; 0 at the
 * end. */
int xf_sheet_next(xf_sheet *s);
/* Start reading s's rows again from the first after the header. */
void xf_sheet_rewind(xf_sheet *s);
/* Where the next row starts, for xf_sheet_seek. */
size_t xf_sheet_tell(const xf_sheet *s);
/* Read the row that starts at pos (from xf_sheet_tell) next. */
void xf_sheet_seek(xf_sheet *s, size_t pos);
/* The current row's cell in the first column of this kind (and language,
 * for texts; -1 for any), marking it used; NULL when empty. */
const char *xf_get(xf_sheet *s, xf_kind kind, int lang);
/* The first column of this kind (0 when there is none), for notes. */
unsigned xf_col_of(const xf_sheet *s, xf_kind kind, int lang);
/* Report every non-empty cell of the current row that was not used. */
void xf_report_unused(xf_import *im, xf_sheet *s);
/* Free s's storage. */
void xf_sheet_free(xf_sheet *s);

/* Classify every header of s; texts register their languages in im. */
void xf_read_headers(xf_import *im, xf_sheet *s);
/* After the default language is known: give it to the columns written
 * without one, and mark a repeated column unsupported. */
void xf_resolve_columns(xf_import *im, xf_sheet *s);
/* Index of language code in im, added when new; -1 when there are
 * XF_MAX_LANG already. */
int xf_lang_add(xf_import *im, const char *code);

/* A name khaosat accepts for s: characters other than letters, digits and
 * _ become _, and a leading digit gets a _ (newly allocated). */
char *xf_name_clean(const char *s);
/* Record old (its new name chosen later by xf_names_settle). */
void xf_names_add(xf_names *m, const char *old);
/* Give every recorded name its new name: itself when valid, else a clean
 * one no other name has. Changes are noted against sheet s. */
void xf_names_settle(xf_names *m);
/* The index of old in the order names were recorded, or -1. */
long xf_names_index(const xf_names *m, const char *old);
/* Non-zero when old was recorded. */
int xf_names_has(const xf_names *m, const char *old);
/* The new name of old, or NULL when it was never recorded. */
const char *xf_names_get(const xf_names *m, const char *old);
/* After xf_names_settle: record old as want, or want_2, want_3 ... when
 * want is taken; the name given (owned by m). */
const char *xf_names_add_unique(xf_names *m, const char *old, const char *want);
/* The key under which the "other" question of an or_other question named
 * name is recorded when NAME_other is a question of its own (newly
 * allocated; \x01 is in no cell, so no real name has it). */
char *xf_other_key(const char *name);
/* Free the map. */
void xf_names_free(xf_names *m);
/* Expression src with ${name}s and /data/.../name paths renamed through
 * qnames, and (when attrs is not NULL) bare names through attrs; newly
 * allocated. When text is set, src is a label: only its ${name}s. */
char *xf_rewrite(const xf_names *qnames, const xf_names *attrs, const char *src,
                 int text);
/* The language code of a header suffix or setting: "Tiếng Việt (vi)" ->
 * "vi", a bare code stays itself, a known language name is its code
 * ("English" -> "en", *by_name set when by_name is not NULL); NULL when
 * there is none (newly allocated). */
char *xf_lang_code(const char *s, int *by_name);
/* s without leading and trailing white space, newly allocated. */
char *xf_trim(const char *s);
/* Write text column kind of the current row of s as "key: {vi: ...}" at
 * indent, a missing translation taken from another language (and
 * noted); nothing when the row has none. */
void xf_write_text(xf_import *im, xf_sheet *s, xf_kind kind, const char *key,
                   int indent);

/* Append s as a YAML double-quoted scalar. */
void xf_yaml_str(sbuf *b, const char *s);
/* Append s as a YAML key: plain when it is a simple name, else quoted. */
void xf_yaml_key(sbuf *b, const char *s);
/* Append "# " comment lines at indent holding text s. */
void xf_yaml_comment(sbuf *b, int indent, const char *s);

/* Write the choices section of im's workbook. */
void xf_write_choices(xf_import *im);
/* Write the text question that or_other adds after select name. */
void xf_write_other_question(xf_import *im, const char *name, int indent);
/* Write the questions section. */
void xf_write_survey(xf_import *im);
/* Record the question names of the survey (first pass). */
void xf_survey_names(xf_import *im);

#endif
