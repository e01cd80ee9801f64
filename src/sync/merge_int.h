/* merge_int.h: what the merge's source files share. */
#ifndef KHAOSAT_MERGE_INT_H
#define KHAOSAT_MERGE_INT_H

#include <sqlite3.h>

#include "sync/merge.h"
#include "store/revision.h"
#include "store/store_merge.h"
#include "core/util.h"

/* The most revisions of one interview a merge follows: the history
 * searches are linear in it, and no honest interview comes near. */
#define MERGE_MAX_REVISIONS BUNDLE_MAX_IV_REVISIONS

/* Statements on the bundle being merged (merge_bundle.c). */
enum bundle_stmt {
    BS_FORMS, BS_IVS, BS_REVS, BS_ITEMS, BS_AUDIT,
    BS_REVIEWS,         /* NULL for a format 1 bundle, which has none */
    BS_SETUPS, BS_SETUP_VILLAGES, BS_SETUP_HOUSEHOLDS,
    BS_REVIEW_COMMUNE,  /* the commune whose office reviewed interview ?1 */
                        /* NULL before format 5 */
    BS_DECISIONS,       /* NULL before format 7 */
    BS_COUNT
};

/* One item of a revision (see revision.h); strings owned. */
typedef struct merge_item {
    char *qid, *path, *value;
} merge_item;

typedef struct merge_items {
    merge_item *v;
    size_t n, cap;
} merge_items;

/* One form version as stored here: its key questions, and the form
 * itself to check incoming answers against (NULL when it does not load). */
typedef struct form_keys {
    char *form_id, *version;
    char *commune;            /* the code of the commune's set-up bound to
                               * f, or "" (this database's own set-up) */
    char **qid;
    size_t n;
    struct form *f;
    int unreadable;           /* reading it failed (a damaged database) */
} form_keys;

struct merger {
    store *st;
    store_merge *sm;          /* the merge's way to the office database */
    char *device, *enumerator;
    form_keys *keys;
    size_t nkeys;
    /* The bundle being merged. */
    bundle *b;
    sqlite3_stmt *bs[BS_COUNT];
    long iv_number;           /* the current interview's place in BS_IVS */
    char now[32], now_ms[32];
    merge_counts c;
    char *err;
    int forms_held;           /* the last run stopped at a form not kept here */
    char *merged_on;          /* the last run's bundle was merged before,
                                 then (UTC); else NULL */
    char *speaks_for;         /* the commune the bundle speaks for when its
                                 office corrected its code since (its
                                 set-up is older than one kept); else NULL:
                                 the manifest's */
    const catalog *cat;       /* the office's forms directory, or NULL */
    merge_province_fn province_ok;  /* checks set-ups' provinces, or NULL */
    /* The interviews whose content the last run changed. */
    char **changed;
    size_t nchanged, capchanged;
    /* Each device whose audit rows this run met, and its highest audit
     * number here before the run: a row numbered no higher may reuse a
     * number (a laptop restored from a backup). */
    char **audit_dev;
    long long *audit_max;
    size_t naudit_dev;
    char *reused_device;      /* the first device that numbered again */
    /* The last run's lines for the summary (merger_notes). */
    char **notes;
    size_t nnotes, capnotes;
};

/* Add a line to the last run's summary (merger_notes). */
void merge_note(merger *m, const char *fmt, ...) KS_PRINTF(2, 3);
/* Note that the decision on pair a, b from the bundle being merged is
 * ignored: the pair is of commune, whose set-up is bound here to the key
 * bound (NULL: none), not the bundle's signer (merge.c). */
void merge_note_bound(merger *m, const char *a, const char *b,
                      const char *commune, const char *bound);
/* Note that the decision on pair a, b kept for later is dropped now: k
 * says which bundle and key sent it and why (merge.c). */
void merge_note_kept_decision(merger *m, const char *a, const char *b,
                              const store_later *k);

/* Forget the devices merge_import_audit met (merge_rev.c). */
void merge_audit_forget(merger *m);

/* An interview's revision history in memory (merge_graph.c). */
typedef struct merge_graph {
    rev_node *v;              /* sorted by id */
    size_t n;
    size_t *queue;            /* scratch for the searches */
    unsigned char *mark;
} merge_graph;

/* Load the history of interview uuid as stored now (at most
 * MERGE_MAX_REVISIONS revisions, else refused with the merger's
 * message). */
int merge_graph_load(merger *m, const char *uuid, merge_graph *g);
/* Free a history. */
void merge_graph_free(merge_graph *g);
/* Non-zero when revision anc is rev or one of its ancestors. */
int merge_graph_is_ancestor(merge_graph *g, const char *anc,
                            const char *rev);
/* The common ancestor of mine and theirs nearest to theirs, newly
 * allocated, or NULL when their histories never met. */
char *merge_graph_base(merge_graph *g, const char *mine, const char *theirs);

/* Prepare the statements on the bundle being merged (m->bs); 0, or -1
 * with the merger's message. */
int merge_bundle_prepare(merger *m);
/* Finalize them. */
void merge_bundle_finish(merger *m);
/* After a failed read of the bundle: the merger's message becomes
 * "BUNDLE: what: SQLite's reason"; -1. */
int merge_bundle_fail(merger *m, const char *fmt, ...) KS_PRINTF(2, 3);
/* After a failed store_merge call: the merger's message becomes "PATH:
 * what: SQLite's reason" (see store_merge_fail); -1. */
int merge_store_fail(merger *m, const char *fmt, ...) KS_PRINTF(2, 3);
/* The merger's message becomes the store's (store_errmsg); -1. */
int merge_store_err(merger *m);
/* Set the message to "BUNDLE: what" for a bundle refused by khaosat's own
 * rules (no SQLite reason); returns -1. */
int merge_refuse(merger *m, const char *fmt, ...) KS_PRINTF(2, 3);

/* Every form the bundle carries must be one of this database's, with the
 * same text; else -1 with the message saying the bundle is held aside
 * (merge_forms.c). */
int merge_check_forms(merger *m);

/* Append one item. */
void merge_items_add(merge_items *l, const char *qid, const char *path,
                     const char *value);
/* Free the items. */
void merge_items_free(merge_items *l);
/* Read the items of local revision rev (NULL: none), in canonical order. */
int merge_load_items(merger *m, const char *rev, merge_items *out);
/* Copy the interview's revisions (with their items) from the bundle that
 * are not here yet. */
int merge_import_revisions(merger *m, const char *uuid, const char *form_id,
                           const char *version);
/* Non-zero when the bundle being merged may carry only its own device's
 * new revisions and audit rows (one signed by a laptop's key). */
int merge_own_device_only(const merger *m);
/* Refuse (-1, the merger's message) a new revision or audit row of device
 * dev in a bundle that may carry only its own device's. */
int merge_check_device(merger *m, const char *what, const char *uuid,
                       const char *dev);
/* Copy the interview's audit rows that are not here yet. */
int merge_import_audit(merger *m, const char *uuid);
/* Two revisions of one interview UUID whose histories never met (a root
 * made elsewhere under a known UUID): every answer that differs is
 * recorded as a conflict, nothing is applied, mine stays the head. */
int merge_unrelated(merger *m, const char *uuid, const char *mine,
                    const char *theirs);
/* Merge revisions mine and theirs of the interview against their common
 * ancestor base; *out gets the new revision's id. */
int merge_three_way(merger *m, const char *uuid, const char *form_id,
                    const char *version, const char *base, const char *mine,
                    const char *theirs, char out[65]);
/* Recompute the interview's key and flag other interviews with the same. */
int merge_case_key(merger *m, const char *uuid, const char *form_id,
                   const char *version, const char *head);
/* Check the items of a revision from the bundle against the questions of
 * the stored form (form_value_problem); -1 with the merger's message
 * naming the bundle, interview, question and the value (escaped). */
int merge_check_values(merger *m, const char *uuid, const char *form_id,
                       const char *version, const merge_items *items);
/* The commune the bundle being merged speaks for: its manifest's, or
 * the code its office corrected it to since (borrowed). */
const char *merge_commune(const merger *m);
/* Keep the communes' set-ups the bundle carries, each when newer than
 * the one kept here (merge_setups.c); only an office sends them. */
int merge_setups(merger *m);

/* Recompute the keys that are out of date (local changes since). */
int merge_refresh_keys(merger *m);
/* Once decisions on duplicates changed (taken from the bundle, or
 * forgotten with a key): one interview kept in each household
 * (store_dups_one_kept_tx), the households changed counted. */
int merge_one_kept(merger *m);
/* Free the key cache. */
void merge_keys_free(merger *m);

#endif
