/* bundle.h: sync bundles, the one-file exchange format between a laptop
 * and the commune office, and between offices (see khaosat-bundle(5)).
 *
 * A bundle is a SQLite database with exactly six tables: a manifest, the
 * form definitions its interviews use, the interviews, their revisions,
 * the items (answers and repeat counts) of every revision, and the audit
 * trail.  Its SHA-256 covers every row, so any change is detected.
 *
 * Writing goes to a hidden temporary file in the target directory that is
 * synced and renamed only when complete, then read back and verified.
 * Reading treats the file as hostile: read-only, defensive SQLite, no
 * trusted schema, the exact expected tables and nothing else, bounded
 * sizes, every hash recomputed. */
#ifndef KHAOSAT_BUNDLE_H
#define KHAOSAT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/store.h"

/* The bundle format this khaosat writes and the newest it reads. */
#define BUNDLE_FORMAT 1
/* PRAGMA application_id of bundles: "KHAB". */
#define BUNDLE_APP_ID 0x4B484142
/* File name extension of bundles. */
#define BUNDLE_EXT ".khb"

/* Sizes a bundle may not exceed. */
#define BUNDLE_MAX_VALUE (1L << 20)        /* any text but a form source */
#define BUNDLE_MAX_SOURCE (8L << 20)       /* one form definition */
#define BUNDLE_MAX_FORMS 1000L
#define BUNDLE_MAX_INTERVIEWS 1000000L
#define BUNDLE_MAX_REVISIONS 10000000L
#define BUNDLE_MAX_IV_REVISIONS 100000L    /* of one interview */
#define BUNDLE_MAX_ITEMS 500000000L
#define BUNDLE_MAX_AUDIT 500000000L
/* The largest plain bundle file read (it is read whole into memory). */
#define BUNDLE_MAX_FILE (2LL << 30)

/* What a bundle says about itself.  Strings owned by the struct. */
typedef struct bundle_manifest {
    long format;
    char *uuid, *created, *device, *enumerator, *commune;
    long forms, interviews, revisions, items, audit;
    char *sha256;
} bundle_manifest;

/* Free the strings of a manifest. */
void bundle_manifest_clear(bundle_manifest *m);

/* Rows as given to the writer (strings borrowed). */
typedef struct bundle_iv {
    const char *uuid, *form_id, *form_version, *status;
    const char *enumerator, *device, *created, *updated, *head;
} bundle_iv;

typedef struct bundle_rev {
    const char *interview, *id, *parent, *parent2, *status;
    const char *device, *enumerator, *created;
} bundle_rev;

typedef struct bundle_audit {
    const char *interview, *device;
    int64_t seq;
    const char *time, *event, *qid, *path, *old_value, *new_value;
} bundle_audit;

typedef struct bundle_writer bundle_writer;

/* Start a bundle in directory dir (a hidden temporary file there). */
int bundle_writer_open(const char *dir, bundle_writer **out, char **err);
/* Add a form definition. */
int bundle_writer_form(bundle_writer *w, const char *form_id,
                       const char *version, const char *source, size_t len);
/* Add an interview. */
int bundle_writer_interview(bundle_writer *w, const bundle_iv *iv);
/* Add a revision of an interview. */
int bundle_writer_revision(bundle_writer *w, const bundle_rev *r);
/* Add one item (answer or repeat count) of a revision. */
int bundle_writer_item(bundle_writer *w, const char *interview,
                       const char *rev, const char *qid, const char *path,
                       const char *value);
/* Add one audit row. */
int bundle_writer_audit(bundle_writer *w, const bundle_audit *a);
/* Finish: write the manifest (device, enumerator, commune taken from m;
 * uuid, created, counts and sha256 filled in), sync, rename to a new name
 * saying commune, enumerator, device and time, sync the directory, read
 * the file back and verify it.  *path (newly allocated) names the bundle.
 * The writer is freed, whatever happens; on failure no bundle is left. */
int bundle_writer_commit(bundle_writer *w, bundle_manifest *m, char **path,
                         char **err);
/* Mark the bundle being written as a scratch copy that is read back and
 * removed at once (it is about to be sealed): commit skips syncing it. */
void bundle_writer_scratch(bundle_writer *w);
/* Give up: remove the temporary file and free the writer (NULL is fine). */
void bundle_writer_abort(bundle_writer *w);
/* The message of the writer's last failure. */
const char *bundle_writer_errmsg(const bundle_writer *w);

/* A bundle opened for reading, verified. */
typedef struct bundle bundle;

/* Open path for reading as a bundle file: a regular file, or a symbolic
 * link to one in the same directory (no FIFO, device, or link leaving the
 * directory).  *fd (the caller's to close) and *size on success; on
 * failure *why (newly allocated) says what is wrong, without the path. */
int bundle_file_open(const char *path, int *fd, long long *size,
                     char **why);
/* Read exactly n bytes at offset off of fd into buf; -1 with *why (newly
 * allocated) when the file ends before or cannot be read. */
int bundle_file_read(int fd, long long off, void *buf, size_t n,
                     char **why);
/* Read the plain bundle file open on fd (size bytes, path for messages)
 * once, whole, into memory (at most BUNDLE_MAX_FILE bytes), then verify
 * it as bundle_open_memory does: what is merged is what was verified.
 * fd stays the caller's. */
int bundle_open_fd(const char *path, int fd, long long size, bundle **out,
                   char **err);
/* bundle_file_open then bundle_open_fd: open path and verify everything:
 * structure, format version, sizes, the content hash, every revision id
 * and every reference.  On failure *err (newly allocated) says "PATH:
 * what is wrong". */
int bundle_open(const char *path, bundle **out, char **err);
/* The same checks on a bundle held in memory (decrypted from a sealed
 * bundle, see envelope.h), so that its content never touches a disk.  data
 * (len bytes) must come from sqlite3_malloc64 and is taken over whatever
 * happens; name is the file to speak of in messages and records. */
int bundle_open_memory(const char *name, unsigned char *data, size_t len,
                       bundle **out, char **err);
/* Close a bundle (NULL is fine). */
void bundle_close(bundle *b);
/* The verified manifest. */
const bundle_manifest *bundle_get_manifest(const bundle *b);
/* The file it was read from. */
const char *bundle_path(const bundle *b);
/* Record that the bundle came sealed and signed by the key of fingerprint
 * fpr, whose card says role ("laptop" or "office"); strings copied. */
void bundle_set_signer(bundle *b, const char *fpr, const char *role);
/* The fingerprint that signed the bundle, or NULL for a plain one. */
const char *bundle_signer(const bundle *b);
/* The role of the signer's card, or NULL for a plain bundle. */
const char *bundle_signer_role(const bundle *b);
/* One form a bundle carries (strings valid during the call); non-zero
 * stops the iteration. */
typedef int (*bundle_form_fn)(void *ctx, const char *form_id,
                              const char *version, const char *sha256,
                              const char *source, size_t len);
/* Call fn for each form of b, by id and version: 0, or -1 when fn stopped
 * (the caller knows why) or reading failed (*err newly allocated). */
int bundle_each_form(bundle *b, bundle_form_fn fn, void *ctx, char **err);
/* The read-only SQLite handle, for reading rows. */
sqlite3 *bundle_sqlite(bundle *b);

/* Compute the content hash of an open bundle database, checking every row
 * on the way; on failure *err says what is wrong (without the path). */
int bundle_digest(sqlite3 *db, const bundle_manifest *m, char out[65],
                  char **err);

/* A file name for a new bundle: commune_enumerator_device_time_random.khb,
 * ASCII letters, digits, '-' and '_' only.  Newly allocated. */
char *bundle_file_name(const char *commune, const char *enumerator,
                       const char *device, const char *created);

/* Which interviews an export takes. */
enum {
    BUNDLE_EXPORT_ALL = 1,      /* also those exported before */
    BUNDLE_EXPORT_DRAFTS = 2    /* also drafts */
};

/* Export from st into a new bundle in dir: revisions are made of the
 * interviews' current content, the bundle written and verified, and only
 * then the interviews marked exported, all in one store transaction, so a
 * failure leaves the database as it was.  *path is the new bundle, or NULL
 * when there was nothing to export; *count the number of interviews. */
int bundle_export(store *st, const char *dir, unsigned flags, char **path,
                  long *count, char **err);

/* Turn the verified plain bundle plain (whose manifest is m) into the file
 * that goes on the stick, a new file in dir; *path (newly allocated) names
 * it.  On failure no file is left and *err says why. */
typedef int (*bundle_seal_fn)(void *ctx, const char *plain,
                              const bundle_manifest *m, const char *dir,
                              char **path, char **err);

/* bundle_export, but the plain bundle is written to a private temporary
 * directory (mode 0700, under $TMPDIR or /tmp), handed to seal, and
 * removed: only what seal writes reaches dir.  The interviews are marked
 * exported only when sealing succeeded. */
int bundle_export_sealed(store *st, const char *dir, unsigned flags,
                         bundle_seal_fn seal, void *ctx, char **path,
                         long *count, char **err);

#endif
