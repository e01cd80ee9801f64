/* bundle.h: sync bundles, the one-file exchange format between a laptop
 * and the commune office, and between offices (see khaosat-bundle(5)).
 *
 * A bundle is a SQLite database with exactly seven tables: a manifest,
 * the form definitions its interviews use, the interviews, their
 * revisions, the items (answers and repeat counts) of every revision, the
 * audit trail, and the reviews an office made (format 1 had no
 * reviews).  Its SHA-256 covers every row, so any change is detected.
 *
 * Writing and reading bundles is private to src/sync (bundle_int.h):
 * everything else goes through sync.h, which applies the trust policy
 * (sealing, refusing unsigned bundles) the same way for the commands and
 * the screens. */
#ifndef KHAOSAT_BUNDLE_H
#define KHAOSAT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/store.h"

/* The bundle format this khaosat writes and the newest it reads: it
 * reads formats 1 to 6 too.  Format 2 added the reviews table; format 3
 * stores the audit trail compactly (interviews by number, times as
 * milliseconds); format 4 carries notes on questions as items "#QID"
 * (STORE_NOTE_MARK), which an older khaosat would take for answers to a
 * question it does not know; format 5 carries the set-up of the communes
 * an office speaks for (setups, setup_villages, setup_households);
 * format 6 keys the audit rows with a reuse number too, so that rows of a
 * device that numbered again (a laptop restored from a backup) all
 * travel; format 7 carries the sending office's decisions on possible
 * duplicates (decisions). */
#define BUNDLE_FORMAT 7
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
#define BUNDLE_MAX_SETUPS 10000L           /* communes' set-ups */
#define BUNDLE_MAX_SETUP_VILLAGES 1000000L /* all communes together */
#define BUNDLE_MAX_SETUP_HOUSEHOLDS 10000000L
/* The largest plain bundle file read (it is read whole into memory). */
#define BUNDLE_MAX_FILE (2LL << 30)
/* The largest SQLite image a compressed bundle may unpack to: one
 * number, stated in the refusals (an image is held whole in memory, and
 * SQLite allocates less than 2 GiB at once).  The writer refuses a larger
 * bundle before writing it, so every bundle khaosat writes is one it
 * reads, however well it compresses. */
#define BUNDLE_MAX_IMAGE (1LL << 30)
/* zstd level of the bundles written (a fast level: exports stay quick). */
#define BUNDLE_ZSTD_LEVEL 9

/* What a bundle says about itself.  Strings owned by the struct. */
typedef struct bundle_manifest {
    long format;
    char *uuid, *created, *device, *enumerator, *commune;
    long forms, interviews, revisions, items, audit;
    char *sha256;
} bundle_manifest;

/* Free the strings of a manifest. */
void bundle_manifest_clear(bundle_manifest *m);

/* A bundle opened for reading, verified. */
typedef struct bundle bundle;

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
/* The size of a bundle file's hash in hex with its terminating NUL: the
 * BLAKE2b-256 (libsodium's generic hash) of every byte of the file. */
#define BUNDLE_FILE_HASH_HEX 65
/* Record the hash of the file the bundle was read from (hex, copied). */
void bundle_set_file_hash(bundle *b, const char *hex);
/* The hash of every byte of the file as it was read and verified (hex,
 * borrowed), or NULL when the bundle was not read from a file. */
const char *bundle_file_hash(const bundle *b);
/* One form a bundle carries (strings valid during the call); non-zero
 * stops the iteration. */
typedef int (*bundle_form_fn)(void *ctx, const char *form_id,
                              const char *version, const char *sha256,
                              const char *source, size_t len);
/* Call fn for each form of b, by id and version: 0, or -1 when fn stopped
 * (the caller knows why) or reading failed (*err newly allocated). */
int bundle_each_form(bundle *b, bundle_form_fn fn, void *ctx, char **err);
/* The verified SQLite image (borrowed; *len its size). */
const unsigned char *bundle_image(const bundle *b, size_t *len);
/* The read-only SQLite handle, for reading rows. */
sqlite3 *bundle_sqlite(bundle *b);
/* Check every answer and note of every revision of b against the form
 * the bundle carries for its interview, as an office's merge checks them
 * against its own copy (type, list codes, length; village codes, which
 * are checked against the office's set-up, are left to the merge): 0,
 * or -1 with *why (newly allocated, without the file name) naming the
 * first interview, question and value it would refuse and, when fix is
 * not NULL, *fix (newly allocated) the commands that correct it on the
 * laptop that made the bundle. */
int bundle_check_values(bundle *b, char **why, char **fix);

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

#endif
