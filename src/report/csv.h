/* csv.h: the survey data as CSV files for spreadsheets, following ODK
 * Central's layout: one file per form (FORM.csv, one row per interview)
 * and one per repeat (FORM-REPEAT.csv, one row per instance, joined to its
 * parent by PARENT_KEY = the parent's KEY). RFC 4180 quoting, UTF-8, and
 * text that a spreadsheet would run as a formula neutralised. */
#ifndef KHAOSAT_CSV_H
#define KHAOSAT_CSV_H

#include <stddef.h>

#include "core/catalog.h"
#include "report/report.h"
#include "core/util.h"

typedef struct csv_opts {
    const char *dir;      /* where the files go (must exist) */
    int labels;           /* choice labels instead of codes */
    int bom;              /* start each file with a UTF-8 byte order mark */
    const char *lang;     /* language of the labels (NULL: form default) */
    int drafts;           /* drafts too (by default only finalised ones) */
} csv_opts;

/* One file written. */
typedef struct csv_file_stat {
    char *path;
    long rows;
} csv_file_stat;

typedef struct csv_summary {
    csv_file_stat *files;
    size_t n;
    long drafts_left_out; /* drafts not written (csv_opts.drafts unset) */
} csv_summary;

/* Non-zero when a spreadsheet could take v for a formula: it begins with
 * = + - @, a tab or a carriage return. */
int csv_is_formula(const char *v);
/* Append v as one RFC 4180 field; with neutralise set, a formula-like v
 * is prefixed with a single quote. */
void csv_add_field(sbuf *b, const char *v, int neutralise);
/* Write the CSV files of every form with interviews in s. Returns 0, or -1
 * with *err (newly allocated) set. sum lists the files written. */
int csv_export(rscan *s, const catalog *cat, const csv_opts *o,
               csv_summary *sum, char **err);
/* Free a summary's contents. */
void csv_summary_free(csv_summary *sum);

#endif
