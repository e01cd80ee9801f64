/* sync.h: the one way bundles leave and enter a database.  The commands
 * (khaosat export, khaosat merge) and the screens (e and m on the home
 * screen) call these and nothing lower, so that both apply the same trust
 * policy: sealed for the upstream office when one is trusted, unsigned
 * bundles refused once the database takes sealed ones (keys_sealed_only),
 * the same directory scan, the same messages. */
#ifndef KHAOSAT_SYNC_H
#define KHAOSAT_SYNC_H

#include <stddef.h>
#include <stdio.h>

#include "sync/bundle.h"
#include "sync/keys.h"
#include "sync/merge.h"
#include "store/store.h"

/* What an export did.  path is owned by the struct. */
typedef struct sync_export_result {
    char *path;                       /* NULL: there was nothing to export */
    long count;                       /* interviews exported */
    long reviews;                     /* an office's reviews it carries */
    char sealed_for[KEYS_FPR_SIZE];   /* the office's fingerprint; "" when
                                         the bundle is plain */
    int swept;                        /* leftovers of killed exports removed */
} sync_export_result;

/* Export st's interviews (flags: BUNDLE_EXPORT_*) into a new bundle in
 * directory dir, sealed when this database has an upstream office.  First
 * removes what killed exports left in dir and in $TMPDIR.  The bundle and
 * its directory entry are on the disk before the interviews are marked
 * exported.  0 with *out filled in (clear it), or -1 with *err (newly
 * allocated) and the database as it was. */
int sync_export(store *st, const char *dir, unsigned flags,
                sync_export_result *out, char **err);
/* Free the strings of an export result. */
void sync_export_result_clear(sync_export_result *r);

/* Told about each downstream bundle written: the laptop's device id, the
 * new file and the number of returns it carries (borrowed). */
typedef void (*sync_down_fn)(void *ctx, const char *device,
                             const char *path, long returns);

/* At an office: write into directory dir one downstream bundle for each
 * laptop that sent it signed bundles and whose card is still trusted
 * (only for device when not NULL: a device id or a prefix of one that
 * names a single laptop, as git takes a hash's), sealed for that laptop and signed by
 * this office: the returned interviews it started with the supervisor's
 * comments, the commune's set-up, and the forms of forms (the office's
 * forms directory; may be NULL).  fn (may be NULL) hears of each;
 * *written counts them.  0, or -1 with *err (newly allocated) when dir is
 * not a directory, a form of forms' folder does not load (forms->broken:
 * nothing written), no such laptop is known, or a bundle failed (those
 * written before stay). */
int sync_export_down(store *st, const catalog *forms, const char *dir,
                     const char *device, sync_down_fn fn, void *ctx,
                     long *written, char **err);

/* One laptop an office can write a downstream bundle for: its device id,
 * and the name and commune of its card (borrowed for the call). */
typedef int (*sync_laptop_fn)(void *ctx, const char *device,
                              const char *label);
/* At an office: call fn for each laptop sync_export_down writes for, by
 * device id.  0, fn's non-zero value, or -1 with *err. */
int sync_down_laptops(store *st, sync_laptop_fn fn, void *ctx, char **err);

/* At an office: allow the version of form form_id in forms (the office's
 * forms directory) to replace, on its laptops, the versions their drafts
 * were started under even when those drafts would lose answers; every
 * later downstream bundle carries the leave.  *version (newly allocated)
 * names it.  0, or -1 with *err (newly allocated) when the form is not
 * in forms, a form of forms' folder does not load (nothing kept), or
 * this database is not an office's. */
int sync_down_allow(store *st, const catalog *forms, const char *form_id,
                    char **version, char **err);

/* Flags of sync_merge_paths. */
enum {
    SYNC_ALLOW_UNSIGNED = 1     /* take plain bundles even where only
                                   sealed ones are taken */
};

/* What became of one bundle file (or directory) of a merge. */
enum sync_outcome {
    SYNC_MERGED,        /* merged: counts say what it did */
    SYNC_AGAIN,         /* merged before; nothing changed */
    SYNC_REFUSED,       /* not merged: why says so */
    SYNC_EMPTY_DIR,     /* a directory without bundles */
    SYNC_SKIPPED,       /* an entry of a directory named like a bundle
                           but no regular file (a FIFO, a link, ...): not
                           opened; why says what it is */
    SYNC_LATER          /* a downstream bundle whose new form versions
                           the ask_versions hook declined: nothing of it
                           kept, to be merged later; down_counts.changes
                           says what they change */
};

/* What applying one downstream bundle (office to laptop) did. */
typedef struct sync_down_counts {
    long reviews;       /* the office's reviews kept */
    long reopened;      /* returned interviews back to draft */
    long villages, households;
    long forms;         /* form versions new here */
    long settled;       /* the office's decisions on duplicates kept */
    long unsettled;     /* decisions kept here before that the office
                           no longer sends: taken back */
    char *changes;      /* what the new form versions change, one line
                           each (NULL when nothing); owned, freed by the
                           merge after its done hook */
    char *versions;     /* each form whose version the office sent is new
                           here: "ID OLD -> NEW", or that a newer one was
                           kept; one line each (NULL when none); owned as
                           changes */
    char *gone;         /* a village the office's set-up dropped that
                           interviews here answer, and what to do (NULL
                           when none); owned as changes */
    char *late;         /* each return of an interview changed here since
                           (not reopened; its comment shown on it): one
                           line each, "UUID: COMMENT" escaped (NULL when
                           none); owned as changes */
} sync_down_counts;

/* One bundle's result; strings borrowed for the time of the call. */
typedef struct sync_bundle_result {
    const char *path;
    enum sync_outcome outcome;
    int sealed;                 /* it was a sealed bundle */
    merge_counts counts;        /* SYNC_MERGED */
    const char *merged_on;      /* SYNC_AGAIN: when it was merged (UTC,
                                   as recorded), or NULL */
    const char *reused_device;  /* SYNC_MERGED with counts.reused: the
                                   device that numbered its audit rows
                                   again */
    const char *why;            /* SYNC_REFUSED, SYNC_SKIPPED:
                                   "PATH: reason" */
    char *const *notes;         /* SYNC_MERGED: more lines for the
                                   summary (merger_notes) */
    size_t nnotes;
    char *gone;                 /* SYNC_MERGED with counts.villages_gone:
                                   "interview UUID: village CODE no longer
                                   in the commune's set-up", one line
                                   each; owned, freed by the merge after
                                   its done hook */
    int down;                   /* a downstream bundle: down, not counts,
                                   says what it did */
    sync_down_counts down_counts;
} sync_bundle_result;

/* What merging one bundle did (r->outcome SYNC_MERGED, from above or
 * below), in words, one entry each (an entry may hold more lines),
 * without the bundle's path: the command prints each after the path, the
 * merge screen under the bundle's name.  NULL-terminated, newly allocated
 * (sync_lines_free); empty for any other outcome (sync_summary.c). */
char **sync_merged_lines(const sync_bundle_result *r);
/* Free what sync_merged_lines returned. */
void sync_lines_free(char **v);

/* What a merge tells its caller as it goes; every member may be NULL. */
typedef struct sync_merge_hooks {
    /* Bundle i (0-based) of n is about to be opened. */
    void (*start)(void *ctx, size_t i, size_t n, const char *path);
    /* done of total interviews of the current bundle merged; non-zero
     * abandons the bundle (nothing of it is kept). */
    int (*progress)(void *ctx, long done, long total);
    /* path is plain and refused for that alone (why): non-zero takes it
     * anyway.  Without this hook it stays refused. */
    int (*ask_unsigned)(void *ctx, const char *path, const char *why);
    /* path is held aside for a form this database does not keep (why
     * names it): non-zero accepts the bundle's forms as this database's
     * and merges it.  Without this hook it stays held aside. */
    int (*ask_forms)(void *ctx, const char *path, const char *why);
    /* The downstream bundle path brings newer versions of forms kept
     * here; changes is what they change (one line each, "" when no draft
     * here is on an older version): non-zero installs them and takes the bundle, zero
     * leaves it for later with nothing changed.  Without this hook they
     * install (the command, which prints the changes). */
    int (*ask_versions)(void *ctx, const char *path, const char *changes);
    /* The bundle's result. */
    void (*done)(void *ctx, const sync_bundle_result *r);
    void *ctx;
    /* Called for each interview a merged bundle changed, after its
     * transaction: the commands and screens pass session_settle_merged
     * (answers beyond the rosters' counts dropped, a complete interview
     * that breaks its own checks returned; *gone: the villages it answers
     * that its set-up dropped since, newly allocated or NULL). 0, or -1
     * with *err. */
    int (*settle)(store *st, const char *uuid, int *returned, char **gone,
                  char **err);
    /* Checks the province code of each commune's set-up an upstream
     * bundle carries (merger_set_provinces): the commands and screens
     * pass setup_province_known, the check of khaosat setup commune. */
    merge_province_fn province;
} sync_merge_hooks;

/* Totals over a merge. */
typedef struct sync_totals {
    size_t bundles, merged, again, refused;   /* bundles: every one */
    size_t later;               /* left for later (SYNC_LATER) */
    size_t skipped;             /* not opened: another laptop's, not a file */
    merge_counts counts;        /* summed over the merged bundles */
} sync_totals;

/* The bundles of directory dir: regular files named *.khb in any case,
 * not hidden (temporaries start with '.'), in name order; newly allocated
 * array of n newly allocated paths.  The entries named like bundles that
 * are not regular files (FIFOs, links, devices, directories) are never
 * opened: *skipped receives *nskipped pairs (path, "PATH: skipped: why")
 * in name order (sync_paths_free(*skipped, 2 * *nskipped)).  -1 with *err
 * when dir cannot be read. */
int sync_scan_dir(const char *dir, char ***paths, size_t *n,
                  char ***skipped, size_t *nskipped, char **err);
/* Free what sync_scan_dir returned. */
void sync_paths_free(char **paths, size_t n);

/* Merge into st every bundle named in paths (n of them), upstream bundles
 * from the laptops (or communes) this database accepts and downstream
 * bundles from its own office (the header says which), taking the form
 * versions of forms, the office's own forms directory (may be NULL), as
 * this database's (merger_set_forms): a directory
 * stands for every bundle in it (sync_scan_dir).  Each bundle is checked
 * (envelope_open) and merged in its own transaction; hooks (may be NULL)
 * hear about each.  Returns 0 when every bundle merged or was merged
 * before, 1 when any was refused. */
int sync_merge_paths(store *st, const catalog *forms, char *const *paths,
                     size_t n, unsigned flags, const sync_merge_hooks *hooks,
                     sync_totals *totals);

/* Check the bundle file path as khaosat verify does (a sealed one is
 * opened with st's keys: st may be NULL for a plain bundle), then write
 * the SQLite file inside it, unpacked and decrypted, to out (a new file,
 * mode 0600, never written over) or, when out is NULL, to f.  -1 with
 * *err (newly allocated, naming the file) when it does not verify or
 * cannot be written. */
int sync_dump(store *st, const char *path, const char *out, FILE *f,
              char **err);

#endif
