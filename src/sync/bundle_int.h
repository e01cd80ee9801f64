/* bundle_int.h: what the bundle's source files share. */
#ifndef KHAOSAT_BUNDLE_INT_H
#define KHAOSAT_BUNDLE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "core/form.h"
#include "sync/bundle.h"

/* The tables of a bundle, in the order they are hashed. */
enum bundle_table {
    BT_MANIFEST, BT_FORMS, BT_INTERVIEWS, BT_REVISIONS, BT_ITEMS, BT_AUDIT,
    BT_REVIEWS,         /* from format 2: the sending office's reviews */
    BT_SETUPS, BT_SETUP_VILLAGES, BT_SETUP_HOUSEHOLDS,
                        /* from format 5: the communes' set-ups */
    BT_DECISIONS,       /* from format 7: the sending office's decisions on
                         * possible duplicates */
    BT_COUNT
};

/* How many of the tables above a bundle of format has (format 1 ends
 * before BT_REVIEWS, formats 2 to 4 before BT_SETUPS, formats 5 and 6 before
 * BT_DECISIONS). */
#define BUNDLE_TABLES(format) ((format) >= 7 ? BT_COUNT \
                               : (format) >= 5 ? BT_DECISIONS \
                               : (format) >= 2 ? BT_SETUPS : BT_REVIEWS)

/* Name and exact CREATE statement of each table: a bundle whose schema
 * differs in any byte is refused. */
extern const char *const bundle_table_name[BT_COUNT];
extern const char *const bundle_table_sql[BT_COUNT];

/* The manifest keys, in the order they are hashed (sorted); the last,
 * "sha256", is not hashed. */
#define BUNDLE_NKEYS 12
extern const char *const bundle_manifest_key[BUNDLE_NKEYS];

/* The plain bundle writer and reader: private to src/sync, so that no
 * screen or command can write or read a bundle around the trust policy of
 * sync.h and envelope.h. */

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

/* A supervisor's review as an office sends it upstream (strings
 * borrowed): the revision judged and its content hash; commune is the
 * commune whose office made it. */
typedef struct bundle_review {
    const char *interview, *status, *comment, *reviewer, *time;
    const char *revision, *content, *commune;
} bundle_review;

/* A supervisor's decision on a pair of possible duplicates as an office
 * sends it upstream (strings borrowed): a < b, decision "same" (keep: the
 * one kept), "different" or "open" (taken back; keep ""), decided: when,
 * to the millisecond; commune: the commune whose office sends it. */
typedef struct bundle_decision {
    const char *a, *b, *decision, *keep, *decided, *commune;
} bundle_decision;

typedef struct bundle_writer bundle_writer;

/* Start a bundle that will go to directory dir (built in memory). */
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
/* Add one review (by interview UUID, in increasing order). */
int bundle_writer_review(bundle_writer *w, const bundle_review *r);
/* Add one decision on a pair of possible duplicates (in increasing order
 * of a, then b). */
int bundle_writer_decision(bundle_writer *w, const bundle_decision *d);
/* Add one row of a commune's set-up to table t (BT_SETUPS: commune, name,
 * province, sequence; BT_SETUP_VILLAGES: commune, code, name,
 * enumerator; BT_SETUP_HOUSEHOLDS: commune, village, number, head). */
int bundle_writer_setup(bundle_writer *w, int t, const char *const *col);
/* Finish: write the manifest (device, enumerator, commune taken from m;
 * uuid, created, counts and sha256 filled in), check the image as
 * bundle_open would, and hand it over: *data (from sqlite3_malloc64, free
 * with bundle_image_free) is the whole plain bundle, *len its size.  The
 * writer is freed, whatever happens. */
int bundle_writer_finish(bundle_writer *w, bundle_manifest *m,
                         unsigned char **data, size_t *len, char **err);
/* Wipe and free an image of bundle_writer_finish (NULL is fine). */
void bundle_image_free(unsigned char *data, size_t len);
/* Write the image data (len bytes, manifest m) durably as a new file of
 * dir, mode mode, named after commune, enumerator, device and time;
 * *path newly allocated.  The directory is synced before this returns. */
int bundle_write_new(const char *dir, const unsigned char *data, size_t len,
                     const bundle_manifest *m, unsigned mode, char **path,
                     char **err);
/* bundle_writer_finish, then bundle_write_new (mode 0600: the answers are
 * in the clear) into the writer's directory, then read the file back and
 * verify it.  On failure no bundle is left. */
int bundle_writer_commit(bundle_writer *w, bundle_manifest *m, char **path,
                         char **err);
/* Give up: remove the temporary file and free the writer (NULL is fine). */
void bundle_writer_abort(bundle_writer *w);
/* The message of the writer's last failure. */
const char *bundle_writer_errmsg(const bundle_writer *w);

/* The exact CREATE statement of the audit table of bundle formats 1-2,
 * which stored interviews and times as text (still read). */
extern const char bundle_audit_v1_sql[];

/* The CREATE statement of the audit table of bundle formats 3-5, keyed
 * without the reuse column. */
extern const char bundle_audit_v3_sql[];

/* Audit times as bundles of format 3 store them (bundle_audit.c): the
 * milliseconds of YYYY-MM-DDTHH:MM:SS.mmmZ, from 1970 to 9999. */
#define BUNDLE_TIME_LEN 24
#define BUNDLE_TIME_MAX 253402300799999LL
/* Milliseconds since 1970 of t when it is written exactly as above (and
 * reads back the same), else -1: such a time is stored as its text. */
long long bundle_time_ms(const char *t);
/* Write ms (0 .. BUNDLE_TIME_MAX) as YYYY-MM-DDTHH:MM:SS.mmmZ. */
void bundle_time_text(long long ms, char out[BUNDLE_TIME_LEN + 1]);
/* Reading the times of one interview's rows by one device, in seq
 * order: each integer is the milliseconds since the previous one. */
typedef struct bundle_clock {
    long long base;
} bundle_clock;
/* Start a new (interview, device) run of rows. */
void bundle_clock_reset(bundle_clock *c);
/* The time of column col of the current row of s: the text as stored, or
 * the integer added to the clock and written into out; *text points at
 * it (valid until the next step, or as long as out).  -1 when the time is
 * neither text nor within 1970 .. 9999. */
int bundle_clock_read(bundle_clock *c, sqlite3_stmt *s, int col,
                      char out[BUNDLE_TIME_LEN + 1], const char **text);
/* Move the writer's audit rows from the temporary table temp.audit_in
 * (the columns of formats 1-2) into the compact audit table of db, rows
 * of a device that numbered again (restored from a backup) each with its
 * reuse number; 0, or -1 with the reason in *why (caller frees). */
int bundle_audit_pack(sqlite3 *db, char **why);

/* What to do about a damaged or refused bundle, ending a refusal (a
 * static translated string). */
const char *bundle_what_to_do(void);

/* Why item (qid, value) of a revision cannot be an answer, or a note
 * (qid "#QID"), of form f, as merge and bundle_check_values judge it: a
 * constant English phrase (form_value_problem's, or N_ for a note), or
 * NULL; *question is the answer's question in f (-1 for a note, a count,
 * or a question f does not have, which is not checked here). */
const char *bundle_item_problem(const form *f, const char *qid,
                                const char *value, int *question);
/* The start of value (60 bytes, whole characters, "..." when cut),
 * escaped for a message between quotes; newly allocated. */
char *bundle_value_start(const char *value);

/* Non-zero when d (len bytes) starts like a zstd frame: a compressed
 * bundle, plain or inside an envelope of format 3. */
int bundle_is_packed(const unsigned char *d, size_t len);
/* Compress the image d (len bytes, at most BUNDLE_MAX_IMAGE) into one
 * zstd frame that says its size and carries a checksum: *out (sqlite3_malloc64, free with
 * bundle_image_free) and *outlen; -1 with *why (newly allocated). */
int bundle_pack(const unsigned char *d, size_t len, unsigned char **out,
                size_t *outlen, char **why);
/* Unpack the one zstd frame d (len bytes, still the caller's) as hostile
 * input: refused when cut short, followed by other bytes, damaged, or
 * not exactly the SQLite image its header announces (page size x page
 * count), or more than BUNDLE_MAX_IMAGE, before that much is allocated;
 * memory is taken as the frame really unpacks.  *out
 * (sqlite3_malloc64) and *outlen, or -1 with *why (newly allocated,
 * without a file name). */
int bundle_unpack(const unsigned char *d, size_t len, unsigned char **out,
                  size_t *outlen, char **why);

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
/* Start the hash of a bundle file (bundle_file_hash): BLAKE2b-256. */
void bundle_hash_init(crypto_generichash_state *h);
/* Finish it, in hex. */
void bundle_hash_final(crypto_generichash_state *h,
                       char out[BUNDLE_FILE_HASH_HEX]);
/* The hash of the file at path, opened as bundle_file_open does and read
 * in pieces of bounded size: 0, or -1 with *err (newly allocated) "PATH:
 * why". */
int bundle_hash_file(const char *path, char out[BUNDLE_FILE_HASH_HEX],
                     char **err);
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

/* Open the SQLite image data (len bytes, still the caller's, which must
 * outlive *db) read-only with every defence against a hostile file, and
 * run SQLite's integrity check: for the downstream bundle's image, which
 * has its own schema (down.c).  -1 with *why (newly allocated, without a
 * file name). */
int bundle_image_open(unsigned char *data, size_t len, sqlite3 **db,
                      char **why);
/* Whether db's schema is exactly the n tables name[i], each made by sql[i]
 * byte for byte: no other table, no index, no view, no trigger (a
 * bundle's of its format, or with downstream a downstream bundle's). 0, or
 * -1 with *why (newly allocated, without a file name) naming the first
 * unexpected object or missing table. */
int bundle_check_tables(sqlite3 *db, const char *const *name,
                        const char *const *sql, int n, int downstream,
                        char **why);

/* Export from st into a new bundle in dir: revisions are made of the
 * interviews' current content, the bundle written and verified, and only
 * then the interviews marked exported, all in one store transaction, so a
 * failure leaves the database as it was.  *path is the new bundle, or NULL
 * when there was nothing to export; *count the number of interviews. */
int bundle_export(store *st, const char *dir, unsigned flags, char **path,
                  long *count, char **err);

/* Turn the verified plain bundle image plain (len bytes, whose manifest
 * is m) into the file
 * that goes on the stick, a new file in dir; *path (newly allocated) names
 * it.  On failure no file is left and *err says why. */
typedef int (*bundle_seal_fn)(void *ctx, const unsigned char *plain,
                              size_t len, const bundle_manifest *m,
                              const char *dir, char **path, char **err);

/* bundle_export, but the plain bundle is built in memory, handed to seal
 * and wiped: it never touches a disk, and only what seal writes reaches
 * dir.  The interviews are marked exported only when sealing succeeded.
 * At an office the bundle also carries every review kept there, and is
 * written when only a review changed since the last one: *reviews (may
 * be NULL) counts them. */
int bundle_export_sealed(store *st, const char *dir, unsigned flags,
                         bundle_seal_fn seal, void *ctx, char **path,
                         long *count, long *reviews, char **err);

/* Non-zero when s is a lowercase hex SHA-256. */
int bundle_is_hex64(const char *s);
/* Non-zero when s looks like a UUID (36 characters, hex and dashes). */
int bundle_is_uuid(const char *s);

#endif
