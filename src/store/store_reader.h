/* store_reader.h: a khaosat database read in bulk, read-only, by a
 * connection of its own: for the report and the CSV export, which never
 * change data and may run while the screens have the file open (WAL
 * readers do not block writers).  The rows are handed out as strings; what
 * they mean (forms, replay) is the caller's business. */
#ifndef KHAOSAT_STORE_READER_H
#define KHAOSAT_STORE_READER_H

#include <stddef.h>

#include "store/origin.h"
#include "store/store.h"

typedef struct store_reader store_reader;

/* One interview row (strings valid during the callback, never NULL). */
typedef struct store_reader_iv {
    const char *uuid, *form_id, *form_version, *status;
    const char *enumerator, *device_id, *created, *updated;
    const char *review;   /* review state: "unreviewed", "approved", ... */
    int superseded;       /* a duplicate of another interview kept instead */
} store_reader_iv;

/* Called for each interview; non-zero stops the walk. */
typedef int (*store_reader_iv_fn)(void *ctx, const store_reader_iv *iv);
/* Called for each answer (count < 0) or repeat count (qid and value NULL)
 * of one interview. */
typedef void (*store_reader_row_fn)(void *ctx, const char *qid,
                                    const char *path, const char *value,
                                    long count);

/* Open path read-only. Refuses a missing file, a file that is not a
 * khaosat database and one of a newer schema; *err (newly allocated)
 * names the file and says why. */
int store_reader_open(const char *path, store_reader **out, char **err);
/* Close it (NULL is fine). */
void store_reader_close(store_reader *r);
/* Walk the interviews of form_id (NULL: all) by UUID.  Returns 0, fn's
 * non-zero value, or -1 with *err set. */
int store_reader_interviews(store_reader *r, const char *form_id,
                            store_reader_iv_fn fn, void *ctx, char **err);
/* store_reader_walk's flags: only the drafts; only the interviews of
 * store_reader_fig_scope. */
enum { STORE_WALK_DRAFTS = 1, STORE_WALK_SCOPED = 2 };
/* store_reader_interviews, only those flags (STORE_WALK_*) say. */
int store_reader_walk(store_reader *r, const char *form_id, unsigned flags,
                      store_reader_iv_fn fn, void *ctx, char **err);
/* Hand every answer, then every repeat count, of interview uuid to fn;
 * -1 with *err set on a read error. */
int store_reader_rows(store_reader *r, const char *uuid,
                      store_reader_row_fn fn, void *ctx, char **err);
/* Hand every note on a question (store_notes_each's callback), by
 * interview, path and question, to fn: 0, fn's non-zero value, or -1
 * with *err set. A database from before notes has none. */
int store_reader_notes(store_reader *r, store_note_fn fn, void *ctx,
                       char **err);
/* The stored YAML text of a form version (newly allocated, *len bytes),
 * or NULL when it is not stored. */
char *store_reader_form_text(store_reader *r, const char *id,
                             const char *version, size_t *len);
/* The (form, version) pairs that have interviews, as "id\tversion"
 * strings, NULL-terminated (free each and the vector). */
char **store_reader_versions(store_reader *r, const char *form_id);
/* Non-zero when the database has a table of that name. */
int store_reader_has_table(store_reader *r, const char *name);
/* The open rows of a conflicts/duplicates table; -1 when there is none. */
long store_reader_open_rows(store_reader *r, const char *table);
/* The pairs of possible duplicates, by decision: pairs[0] undecided,
 * [1] the same household, [2] different households (scoped: both
 * interviews among those of store_reader_fig_scope): 0, or -1 when the
 * database has no such table (or it cannot be read). */
int store_reader_dup_pairs(store_reader *r, int scoped, long pairs[3]);
/* The complete interviews by review state (unreviewed, approved,
 * returned, changed, corrected), superseded duplicates counted apart in
 * *superseded: 0, or -1 with *err set. */
int store_reader_review_counts(store_reader *r, long counts[5],
                               long *superseded, char **err);
/* What a report says of the reviews of every interview in the database,
 * counted in one pass: the interviews; those with a review holding
 * (store_origins) that approved or returned them; the complete ones by
 * review state (as store_reader_review_counts) and superseded. */
typedef struct store_review_totals {
    long interviews, approved, returned, states[5], superseded;
} store_review_totals;
/* Fill t: 0; 1 for a schema older than version 7 (call the walks);
 * -1 with *err set. */
int store_reader_review_totals(store_reader *r, store_review_totals *t,
                               char **err);
/* Number of interviews. */
long store_reader_interview_count(store_reader *r);
/* Complete interviews of form_id whose top-level answers to the nkey
 * questions qids are shared with another interview. */
long store_reader_key_duplicates(store_reader *r, const char *form_id,
                                 const char *const *qids, size_t nkey);
/* Call fn with where each interview came from (store_origins); 0, fn's
 * value, or -1 with *err set. */
int store_reader_origins(store_reader *r, store_origin_fn fn, void *ctx,
                         char **err);

/* The comparison of communes' scope, in temporary tables rather than in
 * memory.  Read every interview's origin (store_origins), review state
 * and superseded mark once into temp.report_origin, and empty the
 * communes' members: 0, or -1 with *err set. */
int store_reader_scope_load(store_reader *r, char **err);
/* Call fn for each interview of temp.report_origin by UUID (scoped: only
 * those of store_reader_fig_scope): 0, fn's non-zero value, or -1 with
 * *err set. */
int store_reader_scope_origins(store_reader *r, int scoped,
                               store_origin_fn fn, void *ctx, char **err);
/* Called with a review state, a superseded mark and how many complete
 * interviews have both. */
typedef void (*store_state_fn)(void *ctx, const char *state, int superseded,
                               long n);
/* Call fn for the complete interviews of store_reader_fig_scope, grouped
 * by review state and superseded mark: 0, or -1 with *err set. */
int store_reader_scope_states(store_reader *r, store_state_fn fn, void *ctx,
                              char **err);
/* Note interview uuid as a member of commune row row: 0, or -1 with *err
 * set.  Many at once between store_reader_scope_batch(r, 1) and (r, 0). */
int store_reader_scope_assign(store_reader *r, const char *uuid, long row,
                              char **err);
/* Begin (begin 1: the members noted before are forgotten) or commit (0)
 * a batch of store_reader_scope_assign: 0, or -1 with *err set. */
int store_reader_scope_batch(store_reader *r, int begin, char **err);
/* The UUIDs of commune row row, sorted, into *uuids (newly allocated, as
 * each string) and *n: 0, or -1 with *err set. */
int store_reader_scope_members(store_reader *r, long row, char ***uuids,
                               size_t *n, char **err);

/* Keep store_reader_fig_query (when the selection says scoped) and
 * store_reader_walk (STORE_WALK_SCOPED) to the n interviews uuids: 0, or
 * -1 with *err set. */
int store_reader_fig_scope(store_reader *r, char *const *uuids, size_t n,
                           char **err);
/* Which interviews: figures of definition; of the forms (a JSON array of
 * ids); only approved ones; also superseded duplicates; only those of
 * store_reader_fig_scope. */
typedef struct store_fig_sel {
    const char *definition, *forms;
    int approved_only, superseded, scoped;
} store_fig_sel;
/* Gather the selected complete interviews' stored rows for the
 * aggregates of store_reader_fig_query: 0; 1 when some of them have no
 * figures, or not those of the definition, their form version and head
 * (figures.h), or the database has none; -1 with *err set. */
int store_reader_fig_select(store_reader *r, const store_fig_sel *sel,
                            char **err);
/* The aggregates over the gathered interviews (columns as in
 * store_reader.c's fig_query_sql). */
enum store_fig_query {
    SFQ_UNITS,        /* form, village, readable, included, count, times */
    SFQ_ENUMS,        /* enumerator, form, readable interviews */
    SFQ_TALLIES,      /* tally, code ("" for answering ones), count */
    SFQ_DUPLICATES    /* form, interviews sharing their case key */
};
/* One row: each column as text (NULL stays NULL) and as a number. */
typedef int (*store_reader_fig_fn)(void *ctx, const char *const *text,
                                   const double *num);
/* Call fn with each row of query q: 0, fn's non-zero value, or -1 with
 * *err set. */
int store_reader_fig_query(store_reader *r, enum store_fig_query q,
                           store_reader_fig_fn fn, void *ctx, char **err);
/* One stored figure of a gathered interview (figures.h); the strings are
 * SQLite's, valid during the call. */
typedef struct store_fig_row {
    const char *village;      /* the interview's, NULL when none */
    const char *distinct_key; /* NULL unless counted once per key */
    long figure;
    double num, den;
    long units, flagged;
} store_fig_row;
typedef int (*store_reader_figrow_fn)(void *ctx,
                                      const store_fig_row *row);
/* Call fn with every stored figure of the gathered interviews, by UUID and
 * figure, ungrouped (the caller adds them up as they come: no sort of a
 * million rows): 0, fn's non-zero value, or -1 with *err set. */
int store_reader_fig_rows(store_reader *r, store_reader_figrow_fn fn,
                          void *ctx, char **err);

#endif
