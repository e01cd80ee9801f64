/* report.h: the supervisor's report of a survey: selection conditions,
 * indicators, needs ranking, coverage and data quality, computed from the
 * complete interviews of a database.
 *
 * What each figure means is data, not code: a report definition file
 * (forms/report.yaml, see khaosat-report(5)) says, with expressions of the
 * form language, what is counted over which interviews. Every interview is
 * replayed through its own form version (relevance and calculations as in
 * the interview), one at a time, into running totals, so memory does not
 * grow with the number of interviews. No printing here. */
#ifndef KHAOSAT_REPORT_H
#define KHAOSAT_REPORT_H

#include <stddef.h>

#include "core/catalog.h"
#include "core/form.h"
#include "core/inst.h"
#include "core/util.h"
#include "store/origin.h"
#include "store/store.h"

/* ---------------------------------------------------------------- definition */

typedef struct report_def report_def;

/* Load a report definition file. Returns NULL when it cannot be used;
 * every problem is appended to diags as FILE:LINE:COL: message. */
report_def *report_def_load(const char *path, diag_list *diags);
/* Same from text in memory; name is used in messages. */
report_def *report_def_load_string(const char *text, size_t len,
                                   const char *name, diag_list *diags);
/* Free a definition (NULL is fine). */
void report_def_free(report_def *d);
/* Check the definition against the forms of cat: every form it names is
 * there and every expression binds to that form's questions. Returns the
 * number of problems appended to diags. */
int report_def_check(const report_def *d, const catalog *cat,
                     diag_list *diags);

/* ---------------------------------------------------------------- stored figures */

/* What each interview adds to the report is computed when it is finalised
 * or merged and stored beside it (store/figures.h); a report is then SQL
 * aggregates over those rows. */
typedef struct report_keeper report_keeper;

/* Store the figures of every interview st finalises or merges from now
 * on, by the report definition of cat's forms folder (report.yaml; cat
 * borrowed, it must outlive the keeper).  NULL (nothing installed) when
 * there is no usable definition there.  Free with report_keep_detach. */
report_keeper *report_keep_attach(store *st, const struct catalog *cat);
/* Stop storing figures in st (NULL is fine) and free k (NULL is fine). */
void report_keep_detach(store *st, report_keeper *k);
/* How many form versions k met whose text in the catalog differs from the
 * database's own text of that version (the figures used the database's);
 * when i is below that count, the i-th one's id and version (k's
 * strings, valid until k is freed). */
size_t report_keeper_differing(const report_keeper *k, size_t i,
                               const char **id, const char **version);
/* Bring the stored figures of the database at path up to def: compute
 * those of the complete interviews that have none, or ones of another
 * definition, form version or revision.  *computed: how many were;
 * *changed: how many of them because the definition or form version
 * changed.  note (NULL: none) is called with the same two numbers before
 * they are computed.  0; 1 when the database cannot be written (the
 * report then replays the interviews); -1 with *err (newly allocated). */
typedef void (*report_refresh_fn)(void *ctx, long computed, long changed);
int report_refresh(const report_def *def, const struct catalog *cat,
                   const char *path, report_refresh_fn note, void *ctx,
                   long *computed, long *changed, char **err);

/* ---------------------------------------------------------------- reading */

/* A khaosat database opened read-only for reporting and export. */
typedef struct rscan rscan;

/* One interview row as the scan sees it (strings valid during the call). */
typedef struct rscan_iv {
    const char *uuid, *form_id, *form_version, *status;
    const char *enumerator, *device_id, *created, *updated;
    int complete;
    const char *review;   /* review state (see store_reviews_each) */
    int superseded;       /* a settled duplicate of one kept instead */
} rscan_iv;

/* Called for each interview; in is its replay (NULL when no version of
 * its form can be loaded). A non-zero return stops the scan. */
typedef int (*rscan_fn)(void *ctx, const rscan_iv *iv, inst *in);

/* Open the database at path read-only. Refuses a missing file and a file
 * that is not a khaosat database; *err (newly allocated) says why. */
int rscan_open(const char *path, rscan **out, char **err);
/* Close it (NULL is fine). */
void rscan_close(rscan *s);
/* Close the connection (no SQLite connection may cross a fork()), keeping
 * what was read; rscan_reconnect opens a new one. */
void rscan_disconnect(rscan *s);
/* Open the connection again after rscan_disconnect (no-op when open). */
int rscan_reconnect(rscan *s, char **err);
/* Make rscan_each visit only interviews number i with i % nparts == part
 * (in its stable order); (0, 1) visits all. */
void rscan_partition(rscan *s, int part, int nparts);
/* The form of (id, version): from cat when it has that version, else the
 * text stored with the data. Cached; NULL with *err set when neither. */
const form *rscan_form(rscan *s, const catalog *cat, const char *id,
                       const char *version, char **err);
/* Call fn for every interview of form_id (NULL: all forms), in a stable
 * order (by UUID). drafts: also replay drafts (else fn gets in NULL for
 * them). Returns 0, fn's non-zero value, or -1 with *err set. */
int rscan_each(rscan *s, const catalog *cat, const char *form_id,
               int drafts, rscan_fn fn, void *ctx, char **err);
/* The form versions with interviews of form_id, as "id\tversion" strings
 * (NULL-terminated, caller frees with rscan_strv_free). */
char **rscan_versions(rscan *s, const char *form_id);
/* Free a NULL-terminated string vector. */
void rscan_strv_free(char **v);
/* Which interviews rscan_each visits besides rscan_only: by default every
 * one but superseded duplicates (settled with `khaosat duplicates --same`). */
enum {
    RSCAN_APPROVED_ONLY = 1,    /* only those whose approval stands */
    RSCAN_SUPERSEDED = 2        /* superseded duplicates too */
};
/* The review states, in the order rscan_review_counts gives them. */
#define RSCAN_NSTATES 5
/* Set the selection (RSCAN_* flags). */
void rscan_select(rscan *s, unsigned flags);
/* The selection in force. */
unsigned rscan_selection(const rscan *s);
/* Complete interviews by review state (unreviewed, approved, returned,
 * changed, corrected), superseded duplicates apart: 0, or -1 with *err. */
int rscan_review_counts(rscan *s, long counts[RSCAN_NSTATES],
                        long *superseded, char **err);
/* Make rscan_each visit only the interviews whose UUIDs are in uuids
 * (sorted by strcmp, borrowed until cleared); NULL visits all. */
void rscan_only(rscan *s, char *const *uuids, size_t n);
/* Non-zero while rscan_only keeps a set of interviews. */
int rscan_scoped(const rscan *s);
/* Call fn with where each interview came from (store_origins), those
 * rscan_only keeps; 0, fn's value, or -1 with *err set. */
int rscan_origins(rscan *s, store_origin_fn fn, void *ctx, char **err);
/* Call fn with every note on a question (store_note_fn), by interview,
 * path and question: 0, fn's value, or -1 with *err set. */
int rscan_notes(rscan *s, store_note_fn fn, void *ctx, char **err);
/* Non-zero when the database has a table of that name. */
int rscan_has_table(rscan *s, const char *name);
/* The number of rows of table (open ones when it has a `status` or
 * `resolved` column); -1 when there is no such table. */
long rscan_open_rows(rscan *s, const char *table);
/* The pairs of possible duplicates by decision (store_reader_dup_pairs),
 * only those within the interviews rscan_only keeps when it keeps some:
 * 0, or -1 when the database has no pairs table. */
int rscan_dup_pairs(rscan *s, long pairs[3]);
/* Number of interviews in the database. */
long rscan_interview_count(rscan *s);
/* Interviews of form_id (complete ones) sharing the value of the form's
 * key questions with another: number of such interviews. */
long rscan_key_duplicates(rscan *s, const form *f);

/* ---------------------------------------------------------------- results */

typedef enum report_status {
    REPORT_NO_DATA,
    REPORT_MET,
    REPORT_NOT_MET,
    REPORT_EXEMPT         /* a verdict that does not apply (exempt: true) */
} report_status;

typedef enum report_format {
    REPORT_TEXT,
    REPORT_MARKDOWN,
    REPORT_CSV,
    REPORT_HTML,
    REPORT_PROPOSAL       /* a file (report_write_proposal), not text */
} report_format;

/* What to report. */
typedef struct report_opts {
    const char *commune;  /* key of the context interview, or NULL */
    int by_village;
    const char *lang;     /* language of the definition's texts */
    const char *generated;/* date line, or NULL for none (tests) */
    int jobs;             /* processes for the main pass; 0: automatic */
} report_opts;

typedef struct report_result report_result;

/* Compute the report of def over the interviews of s. Returns 0, or -1
 * with *err (newly allocated) when it cannot be made at all. */
int report_run(const report_def *def, const catalog *cat, rscan *s,
               const report_opts *o, report_result **out, char **err);
/* Free a result (NULL is fine). */
void report_result_free(report_result *r);
/* What the commands and the report screen call before a report: first
 * refuse, writing nothing, a report of o that cannot be made as asked
 * (without compare, several communes and none chosen, or an unknown
 * o->commune), then bring the stored figures of the database at path up
 * to def (report_refresh; note as there, so that each can say
 * "recomputing figures for N interviews").  s is the scan the report
 * will read.  0 (also when the database can only be read: the report
 * replays), or -1 with *err (newly allocated). */
int report_prepare(const report_def *def, const catalog *cat, rscan *s,
                   const report_opts *o, int compare, const char *path,
                   report_refresh_fn note, void *ctx, char **err);
/* Parse a format name ("text", "markdown", "csv", "html"); 0 or -1. */
int report_format_parse(const char *name, report_format *out);
/* Write the model proposal's skeleton (Annex II, sections I-IX, with the
 * eligible models and III.2 filled in from r) as an OpenDocument text at
 * path. Returns 0, or -1 with *err (newly allocated). */
int report_write_proposal(const report_result *r, const char *path, char **err);
/* The report in format fmt, newly allocated. */
char *report_render(const report_result *r, report_format fmt);
/* Now as a report's "Generated:" line says it: the time in Vietnam
 * (UTC+7 all year, whatever the machine's zone) by the clock (core/
 * clock.h), "2026-12-01 16:58 (UTC+7)", written into buf.  The command
 * and the screen both take it from here. */
void report_generated_now(char buf[32]);

/* ---------------------------------------------------------------- communes */

typedef struct report_cmp report_cmp;

/* Compare the communes of an office or province database: each commune's
 * interviews (by the bundles that brought them) reported on their own.
 * sort: "qualify" (NULL: the same) or "code". Returns 0, or -1 with *err
 * (newly allocated). A commune whose report cannot be made is a row with
 * its reason. */
int report_compare(const report_def *def, const catalog *cat, rscan *s,
                   const report_opts *o, const char *sort, report_cmp **out,
                   char **err);
/* The comparison in format fmt (text, markdown, csv, html), newly allocated. */
char *report_compare_render(const report_cmp *c, report_format fmt);
/* Number of communes compared. */
size_t report_compare_count(const report_cmp *c);
/* The report of the i-th commune in order (borrowed), NULL when it could
 * not be made. */
const report_result *report_compare_row(const report_cmp *c, size_t i);
/* The comparison's warnings (interviews no commune was found for and why,
 * with what to do), borrowed; *n of them. */
char *const *report_compare_warnings(const report_cmp *c, size_t *n);
/* Free a comparison (NULL is fine). */
void report_compare_free(report_cmp *c);
/* The i-th commune's code as --commune takes it (borrowed), NULL past
 * the last. */
const char *report_compare_code(const report_cmp *c, size_t i);
/* Order the communes again by sort ("qualify", NULL: the same, or
 * "code"); 0, or -1 for an unknown order (nothing changed). */
int report_compare_sort(report_cmp *c, const char *sort);
/* The i-th commune on one line for a list on screen: code, name, each
 * verdict and the data-quality flags of report --communes ("79001 Xã An
 * Bình — smart: met, ecom: not met — ⚠ no commune form"), newly
 * allocated, safe for a terminal; NULL past the last. */
char *report_compare_entry(const report_cmp *c, size_t i);
/* The comparison as one-line cells for a screen: row 0 the header, then
 * a row per commune in order (rank, commune, each verdict, each
 * condition with its figures against its thresholds, coverage, data
 * quality), safe for a terminal. Returns the *nrows * *ncols cells row
 * by row, NULL-terminated, newly allocated (free with rscan_strv_free). */
char **report_compare_cells(const report_cmp *c, size_t *nrows, size_t *ncols);

/* Status of condition or verdict id (a condition id such as "C2" or a
 * verdict id), for callers and tests; REPORT_NO_DATA when unknown. */
report_status report_status_of(const report_result *r, const char *id);
/* Figure id's commune-level value: numerator, denominator, units counted.
 * Returns 0 when the figure has data, -1 when not (or no such figure).
 * village NULL: the commune; else that village code. */
int report_figure(const report_result *r, const char *id, const char *village,
                  double *num, double *den, long *units);
/* Number of warnings attached to figure id (0 when none or unknown). */
size_t report_figure_warnings(const report_result *r, const char *id);

#endif
