/* store_merge.h: what a merge reads and writes in the office's database.
 * The merge rules (src/sync/merge*.c) decide; these functions are their
 * only way to the tables (bundles, forms, interviews, revisions,
 * revision_items, answers, repeat_counts, audit, conflicts, case_keys,
 * duplicates).  All of them run inside the caller's transaction
 * (store_begin): a merge is one transaction, as before.
 *
 * Failures return -1 and keep SQLite's reason; the caller then says what
 * failed with store_merge_vfail, which sets store_errmsg() to "PATH: what:
 * reason" (and the advice to restore when the database is damaged). */
#ifndef KHAOSAT_STORE_MERGE_H
#define KHAOSAT_STORE_MERGE_H

#include <stdarg.h>
#include <stddef.h>

#include "core/util.h"
#include "store/store.h"

/* A merge's prepared statements on one store; owned by the caller. */
typedef struct store_merge store_merge;

/* Start merging into st (borrowed: it must outlive the handle); never
 * NULL.  Free with store_merge_free. */
store_merge *store_merge_new(store *st);
/* Free the handle and its statements (NULL is fine). */
void store_merge_free(store_merge *sm);
/* Set store_errmsg() to "PATH: what: reason" after a failed call, what
 * formatted from fmt and ap; -1. */
int store_merge_vfail(store_merge *sm, const char *fmt, va_list ap)
    KS_PRINTF(2, 0);

/* One row of a query handed to a callback: the text of each column
 * (NULL stays NULL), borrowed until the callback returns.  A callback
 * returns 0 to go on, or -1 to stop the query, which then returns -1. */
typedef int (*store_merge_row_fn)(void *ctx, const char *const *col);

/* Bundle uuid as merged here before: 0 never, 1 with this sha256 (and
 * *merged, newly allocated, when it was merged), 2 with another, -1 on
 * failure; *merged is NULL but for 1. */
int store_merge_bundle_seen(store_merge *sm, const char *uuid,
                            const char *sha256, char **merged);
/* The bundle merged here from a file whose hash (BLAKE2b-256 of every
 * byte of the file, in hex) is file_hash: 0 with its *uuid and the time
 * it was *merged (newly allocated), 1 when none was, -1 on failure. */
int store_merge_bundle_file(store_merge *sm, const char *file_hash,
                            char **uuid, char **merged);
/* What a merged bundle did, as recorded (strings borrowed; file_hash
 * NULL when the file's hash is not known). */
typedef struct store_merge_bundle {
    const char *uuid, *sha256, *file, *device, *enumerator, *commune;
    const char *created, *merged, *signer, *file_hash;
    long added, updated, unchanged, conflicts, duplicates;
} store_merge_bundle;
/* Record a merged bundle; 0 or -1. */
int store_merge_bundle_add(store_merge *sm, const store_merge_bundle *r);
/* Another device the key fpr brought bundles from than device, in *out
 * (newly allocated; NULL when none); 0 or -1. */
int store_merge_signer_device(store_merge *sm, const char *fpr,
                              const char *device, char **out);
/* The key, other than fpr (NULL: none) and not revoked, that signed
 * device's earlier bundles, in *out (newly allocated; NULL when none). */
int store_merge_device_signer(store_merge *sm, const char *device,
                              const char *fpr, char **out);

/* The sha256 of form form_id version kept here, in *out (newly
 * allocated): 0, 1 when it is not kept, -1. */
int store_merge_form_sha(store_merge *sm, const char *form_id,
                         const char *version, char **out);

/* Interview uuid's form, version and head (NULL: no revision yet), newly
 * allocated: 0, 1 when it is not here, -1. */
int store_merge_interview(store_merge *sm, const char *uuid, char **form_id,
                          char **version, char **head);
/* Add a new interview's row: uuid, form_id, form_version, status,
 * enumerator, device_id, created, updated. */
int store_merge_interview_add(store_merge *sm, const char *const v[8]);
/* Make revision rev (replacing old, NULL: none) the interview's content
 * and head, updated at now, and audit it as 'merge' at now_ms: 0, -1 when
 * applying failed, -2 when auditing did. */
int store_merge_apply(store_merge *sm, const char *uuid, const char *old,
                      const char *rev, const char *now, const char *now_ms);

/* 1 when revision id is stored here, 0 when not, -1. */
int store_merge_rev_has(store_merge *sm, const char *id);
/* The status of stored revision id, newly allocated; -1 also when there
 * is no such revision. */
int store_merge_rev_status(store_merge *sm, const char *id, char **out);
/* Store a revision row: id, interview, parent, parent2, status, device,
 * enumerator, created, content, bundle (NULL: made here); kept when it is
 * there already. */
int store_merge_rev_add(store_merge *sm, const char *const v[10]);
/* Count the revisions device made of interview uuid as brought by bundle
 * of commune (which then names the interview's commune) unless the bundle
 * that brought them names that commune already; 0 or -1. */
int store_merge_rev_claim(store_merge *sm, const char *uuid,
                          const char *bundle, const char *device,
                          const char *commune);
/* Whether interview uuid is held here as of another commune than
 * commune (a code or its alias): 1 with *held (newly allocated) that
 * commune, 0 when it is of commune or of none, -1. */
int store_merge_other_commune(store_merge *sm, const char *uuid,
                              const char *commune, char **held);
/* Store one item of revision rev. */
int store_merge_item_add(store_merge *sm, const char *rev, const char *qid,
                         const char *path, const char *value);
/* Call fn with (qid, path, value) for each item of stored revision rev, in
 * canonical order. */
int store_merge_items(store_merge *sm, const char *rev, store_merge_row_fn fn,
                      void *ctx);

/* An audit row of another database (strings borrowed). */
typedef struct store_merge_audit {
    const char *interview, *device;
    long long seq;
    const char *time, *event, *qid, *path, *old_value, *new_value;
} store_merge_audit;
/* Copy an audit row unless it is here already; *added says whether it
 * was new, and *reused (when not NULL) whether another row of its device
 * and number was here already (a device that numbered again). */
int store_merge_audit_add(store_merge *sm, const store_merge_audit *a,
                          int *added, int *reused);
/* The highest number of the audit rows of device held here (0 when
 * none) in *max; 0 or -1. */
int store_merge_audit_max(store_merge *sm, const char *device,
                          long long *max);

/* Record a conflict: interview, qid, path, base, mine, theirs, mine_rev,
 * theirs_rev, merge_rev, found. */
int store_merge_conflict_add(store_merge *sm, const char *const v[10]);

/* Call fn with (uuid, form_id, form_version, head) for each interview
 * whose case key is older than its head. */
int store_merge_stale_keys(store_merge *sm, store_merge_row_fn fn,
                           void *ctx);
/* The top-level answer to qid of interview uuid, newly allocated: 0, 1
 * when it is missing or empty, -1. */
int store_merge_key_answer(store_merge *sm, const char *uuid,
                           const char *qid, char **out);
/* Set the interview's case key (NULL: none) as of revision head. */
int store_merge_key_put(store_merge *sm, const char *uuid,
                        const char *form_id, const char *key,
                        const char *head);
/* Call fn with (uuid) for each other interview of form_id with key. */
int store_merge_same_key(store_merge *sm, const char *form_id,
                         const char *key, const char *uuid,
                         store_merge_row_fn fn, void *ctx);
/* Forget the pairs (and decisions) of interview uuid made under another
 * key than key (NULL: it has none now), as store_duplicates_rekey does,
 * with a statement prepared once per merge. */
int store_merge_dup_rekey(store_merge *sm, const char *uuid,
                          const char *key);
/* Flag interviews a < b as possible duplicates by key, found at time
 * found; *added says whether the pair is new. */
int store_merge_dup_add(store_merge *sm, const char *a, const char *b,
                        const char *form_id, const char *key,
                        const char *found, int *added);

#endif
