/* merge.h: merging verified bundles into a database (a laptop's, a commune
 * office's, a province's: all the same), one transaction per bundle.
 *
 * Rules, per interview of the bundle (B its head revision, L the local one):
 *   - new here: added, with its whole revision history;
 *   - B == L, or B is an ancestor of L (an older state): unchanged;
 *   - L is an ancestor of B (B was edited from it): B replaces L;
 *   - otherwise both were edited from a common ancestor C: merged item by
 *     item against C.  An answer changed on one side only is taken; one
 *     changed on both sides to different values is a conflict: the local
 *     value stays for now and the conflict is recorded for `khaosat
 *     resolve`.  Repeat counts changed on both sides take the larger one.
 *     The result is a new revision with both L and B as parents.
 * Every revision is kept with the device and enumerator that made it and
 * the bundle that brought it.  Interviews of the same form with the same
 * key answers (form.key) but different UUIDs are flagged as possible
 * duplicates, never merged into one. */
#ifndef KHAOSAT_MERGE_H
#define KHAOSAT_MERGE_H

#include "sync/bundle.h"
#include "core/catalog.h"
#include "store/store.h"

/* What merging one bundle did. */
typedef struct merge_counts {
    long added, updated, unchanged;
    long conflicts;       /* answers changed on both sides */
    long duplicates;      /* interviews flagged as possible duplicates */
    long returned;        /* complete interviews that broke their own
                           * checks once merged: returned (sync) */
    long reviews;         /* an office's reviews kept (new or newer) */
    long reviews_later;   /* reviews of interviews not here yet: kept
                           * until they arrive */
    long setups;          /* communes' set-ups kept (new or newer) */
    long reused;          /* audit rows kept whose device and number
                           * another row here has: the device numbered
                           * again (restored from a backup) */
    long long reused_lo, reused_hi;   /* their numbers, lowest, highest */
    long setups_other;    /* set-ups not kept: the sequence number of the
                           * one kept here, with other content */
    long decisions;       /* an office's decisions on possible duplicates
                           * kept (newer than the one here) */
    long decisions_open;  /* an office's decisions taken back (the pair
                           * open again), kept as the decisions are */
    long decisions_later; /* decisions on pairs not flagged here yet:
                           * kept until they are */
    long decisions_bound; /* decisions ignored: not from the office of
                           * the pair's commune (merger_notes says each) */
    long villages_gone;   /* interviews that answer a village their
                           * commune's set-up here has dropped since:
                           * taken as answered, for the office to return
                           * (sync) */
    long households;      /* households whose decisions were changed so
                           * that each keeps one interview */
    long other_commune;   /* interviews held here as of another commune
                           * than the office's bundle speaks for: not
                           * taken (merger_notes names each) */
} merge_counts;

/* Called after each interview is merged (inside the transaction) with the
 * number merged so far; a non-zero return abandons the bundle. */
typedef int (*merge_progress_fn)(void *ctx, long done);

typedef struct merger merger;

/* A merger into st; it keeps what it learns across bundles (the key
 * questions of each form). */
merger *merger_new(store *st);
/* Free a merger (NULL is fine); the store is the caller's. */
void merger_free(merger *m);
/* Bring the case keys up to date with the interviews' heads (a key
 * answer corrected here since the last merge) in one transaction: pairs
 * made under an old key are forgotten and new ones flagged.  0, or -1 with
 * *err (newly allocated). */
int merger_rekey(merger *m, char **err);
/* Merge one verified bundle in one transaction.  Returns 0, 1 when this
 * bundle was merged before (nothing changes), or -1 with *err set and the
 * database as it was.  progress may be NULL. */
int merger_run(merger *m, bundle *b, merge_progress_fn progress, void *ctx,
               merge_counts *out, char **err);

/* The bundle merged here before from a file of hash file_hash
 * (bundle_file_hash): 0 with its *uuid and the time it was *merged (newly
 * allocated), 1 when no bundle came in such a file, -1 with *err (newly
 * allocated).  The same hash is the same bytes, verified then: such a
 * file need not be opened again. */
int merger_file_seen(merger *m, const char *file_hash, char **uuid,
                     char **merged, char **err);

/* When the bundle of the last merger_run that returned 1 was merged
 * before (UTC, as recorded; the merger's, valid until its next run), or
 * NULL. */
const char *merger_merged_on(const merger *m);
/* The first device whose audit numbers the last merger_run found reused
 * (the merger's, valid until its next run), or NULL. */
const char *merger_reused_device(const merger *m);
/* The interviews whose content the last merger_run changed (the
 * merger's strings, valid until its next run). */
size_t merger_changed(const merger *m, char *const **out);

/* The lines the last merger_run has for its summary besides the counts,
 * each "BUNDLE: what" (the merger's strings, valid until its next run):
 * the decisions on duplicates it ignored, naming the pair. */
size_t merger_notes(const merger *m, char *const **out);

/* What accepting one form of a bundle did. */
enum merge_form_status {
    MERGE_FORM_ADDED,         /* new here: now one of this database's */
    MERGE_FORM_HERE,          /* already here with the same text */
    MERGE_FORM_DIFFERS        /* here with another text: not taken */
};
typedef struct merge_form {
    const char *form_id, *version, *sha256;
    enum merge_form_status status;
} merge_form;
typedef void (*merge_form_fn)(void *ctx, const merge_form *f);

/* v quoted in a message: ui_text_safe(v, UI_TEXT_QUOTED) (at most 60
 * bytes, controls, C1 controls and bidirectional overrides escaped);
 * newly allocated. */
char *merge_escaped(const char *v);

/* Non-zero when m's last run held its bundle aside for a form this
 * database does not keep (merge_accept_forms can take it). */
int merger_forms_held(const merger *m);
/* Let m take the form versions of the office's own forms directory cat
 * (borrowed; NULL: none): a bundle carrying the very text of one of them
 * merges, and the form is kept here as part of that merge. */
void merger_set_forms(merger *m, const catalog *cat);
/* Checks a province code an upstream set-up carries against the list of
 * provinces of forms (the office's forms folder, NULL: the default): 0,
 * or -1 with *err (newly allocated) saying why it is not known. */
typedef int (*merge_province_fn)(const catalog *forms, const char *province,
                                 char **err);
/* Let m refuse a bundle carrying a commune's set-up whose province code
 * fn does not know (NULL: not checked). */
void merger_set_provinces(merger *m, merge_province_fn fn);
/* Make the forms the verified bundle b carries this database's own (the
 * supervisor has looked at them): those missing are stored, those here
 * with the same text left, those here with another text never replaced.
 * fn (may be NULL) is told about each.  -1 with *err (newly allocated) on
 * failure. */
int merge_accept_forms(store *st, bundle *b, merge_form_fn fn, void *ctx,
                       char **err);

#endif
