/* report_emit.h: the layout and wording shared by report_fmt.c and
 * report_cmp.c (inside src/report only). */
#ifndef KHAOSAT_REPORT_EMIT_H
#define KHAOSAT_REPORT_EMIT_H

#include "report/report_int.h"

/* A table being collected before it is written. */
typedef struct ftable {
    size_t ncols;
    char **cells;         /* rows * ncols, owned */
    size_t nrows;         /* the header is row 0 */
    int numeric;          /* text: a grid of short cells, not a list */
} ftable;

typedef struct emitter {
    report_format fmt;
    sbuf *b;
    const report_result *r;
    ftable t;
} emitter;

/* Append s wrapped at 80 columns from column col, continuing at indent. */
void rfmt_wrap(sbuf *b, const char *s, size_t col, size_t indent);
/* Append s escaped for HTML text or attributes. */
void rfmt_html_esc(sbuf *b, const char *s);
/* Append s as a markdown table cell. */
void rfmt_md_esc(sbuf *b, const char *s);
/* Append s as one CSV field, formula-like text neutralised. */
void rfmt_csv_field(sbuf *b, const char *s);
/* A heading of level 1-3 in e's format. */
void rfmt_heading(emitter *e, int level, const char *text);
/* A paragraph in e's format. */
void rfmt_para(emitter *e, const char *text);
/* Start a table with ncols header cells (copied). */
void rfmt_tbegin(emitter *e, int numeric, size_t ncols, const char *const *head);
/* Add a row; the cells are taken over (NULL is an empty cell). */
void rfmt_trow(emitter *e, char **cells);
/* Write the table and free it. */
void rfmt_tend(emitter *e);
/* A number as shown: whole numbers bare, else one decimal (newly allocated). */
char *rfmt_num(double v);
/* v as written in lang (Vietnamese: decimal comma), newly allocated. */
char *rfmt_dec(const char *lang, double v);
/* A percentage with one decimal: "52.6%", in Vietnamese "52,6 %". */
char *rfmt_pct(const char *lang, double v);
/* A threshold percentage as written: "50%", in Vietnamese "50 %". */
char *rfmt_thr(const char *lang, double v);
/* Figure value v (a percentage when pct) beside its threshold thr, with
 * enough decimals that it never seems to meet a threshold it fails, or
 * fail one it meets (newly allocated). */
char *rfmt_beside(const char *lang, double v, double thr, int at_most,
                  int pct);
/* The word for a status (static text). */
const char *rfmt_status(report_status s);
/* The unit word of figure i (borrowed). */
const char *rfmt_unit(const report_result *r, size_t i);
/* Figure i's value v as a short text (newly allocated). */
char *rfmt_value(const report_result *r, size_t i, const rvalue *v);
/* The warnings joined (newly allocated), or NULL. */
char *rfmt_warn(const rwarn *w);
/* The note beside figure i for village v (NULL: the commune), or NULL. */
char *rfmt_note(const report_result *r, size_t i, const rvillage *v);
/* Append condition c's evidence and basis. */
void rfmt_cond_more(sbuf *b, const report_result *r, size_t c);
/* The commune's name without a leading "Xã " (any case), which the
 * headings write themselves; borrowed from r, "" when unknown. */
const char *rfmt_commune_bare(const report_result *r);
/* Append the warnings of condition c's figures (each after sep), so that
 * what a verdict rests on is shown beside it in every format. */
void rfmt_cond_warn(sbuf *b, const report_result *r, size_t c,
                    const char *sep);
/* Append test k of condition c as a sentence. */
void rfmt_test(sbuf *b, const report_result *r, size_t c, size_t k);
/* The finished report of b (emptied) in fmt, newly allocated: HTML closed,
 * text and Markdown made safe to show (UI_TEXT_REPORT), for a terminal or
 * a file shown with cat later. */
char *rfmt_end(sbuf *b, report_format fmt);
/* Start e writing fmt into b; for HTML, the page's head with title and
 * the body's language (and class, or NULL). */
void rfmt_begin(emitter *e, sbuf *b, report_format fmt, const char *title,
                const char *lang, const char *body_class);
/* The annex parts of the HTML report (report_annex.c), each written
 * into e (whose r is set). National heading, issuing body and period. */
void rannex_top(emitter *e);
/* The sample by village, officials of those declared, other forms, and
 * the review status of the data. */
void rannex_sample(emitter *e);
/* A chart of each condition's rate against its threshold. */
void rannex_condition_chart(emitter *e);
/* The conditions' household rates by village, as a table and charts. */
void rannex_villages(emitter *e);
/* The definition's lists (key products). */
void rannex_lists(emitter *e);
/* The tallies ranked (and charted in HTML). */
void rannex_tallies(emitter *e);
/* The tallies as CSV rows of the report's table ("answer", the tally's id
 * in the id column, the answer as its title, its count of those who
 * answered). */
void rannex_csv_tallies(sbuf *b, const report_result *r);
/* The signature and seal block. */
void rannex_signature(emitter *e);
/* A village as shown: its code and name (newly allocated). */
char *rfmt_village(const rvillage *v);
/* The style sheet and head of an HTML page, up to <title>. */
extern const char rfmt_html_head[];

#endif
