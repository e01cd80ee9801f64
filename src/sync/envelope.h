/* envelope.h: sealed bundles, encrypted for one office and signed by the
 * database that made them (see khaosat-bundle(5), SEALED BUNDLES).
 *
 * A sealed bundle is a short text header saying only what routing needs
 * (bundle UUID, sender and recipient fingerprints, number of interviews,
 * size), the plain bundle encrypted with a fresh key that only the
 * recipient's key can open (crypto_box_seal, then XChaCha20-Poly1305
 * secretstream with the header as associated data), and an Ed25519
 * signature by the sender over everything before it.
 *
 * Opening checks, in order: the sender is trusted and not revoked, the
 * signature is there and matches, the bundle is for this database; then
 * it decrypts into memory (never to disk) and the plain bundle gets every
 * check of bundle_open().  Any refusal leaves the database untouched. */
#ifndef KHAOSAT_ENVELOPE_H
#define KHAOSAT_ENVELOPE_H

#include <stdio.h>

#include "core/catalog.h"
#include "sync/bundle.h"
#include "sync/keys.h"
#include "store/store.h"

/* The envelope format this khaosat writes and the newest it reads: 3
 * holds the bundle compressed (one zstd frame, compressed before it is
 * encrypted, unpacked only after the signature and decryption succeeded);
 * 2 the bare SQLite image; 1 (data backups) has no direction. */
#define ENVELOPE_FORMAT 3
/* First line of a sealed bundle, before its format number. */
#define ENVELOPE_MAGIC "khaosat sealed bundle "
/* Plain bytes per encrypted chunk. */
#define ENVELOPE_CHUNK (1 << 20)

/* What the header of a sealed bundle says. */
typedef struct envelope_header {
    long format;
    char bundle[37];
    char from[KEYS_FPR_SIZE], to[KEYS_FPR_SIZE];
    long interviews;
    long long size;           /* bytes of the content inside (compressed
                                 from format 3 on) */
    char direction[8];        /* "up" (towards the office) or "down" (an
                                 office to its laptop); "" in format 1,
                                 which was always up, and in backups */
} envelope_header;

/* How a bundle was opened. */
typedef struct envelope_info {
    int sealed;               /* 0: a plain, unsigned bundle */
    envelope_header h;        /* when sealed */
    char *sender;             /* " (name, commune)" of the sender's
                                 card, or "" when it names nothing */
    int refused_unsigned;     /* refused only for being plain: a person
                                 may still choose to take it */
} envelope_info;

/* Free the strings of an envelope_info. */
void envelope_info_clear(envelope_info *info);

/* Flags of envelope_open. */
enum {
    ENVELOPE_ALLOW_UNSIGNED = 1     /* take plain bundles even when this
                                       database trusts senders' keys */
};

/* Export st's interviews (and at an office its reviews, counted in
 * *reviews, may be NULL) into dir (see sync_export, which is what the
 * commands and screens call): sealed for the upstream office and signed
 * when this database trusts one, plain otherwise.  *sealed_for receives
 * the office's fingerprint, or "" when the bundle is plain. */
int envelope_export(store *st, const char *dir, unsigned flags, char **path,
                    long *count, long *reviews,
                    char sealed_for[KEYS_FPR_SIZE], char **err);

/* Seal the plain bundle file plain (manifest m) for card to, signed by
 * self, into a new file in dir named after the sender's fingerprint and
 * the time, synced and its size checked.  *path newly allocated. */
int envelope_seal(const keys_self *self, const keys_card *to,
                  const char *plain, const bundle_manifest *m,
                  const char *dir, char **path, char **err);

/* Open a bundle file to merge into st, sealed or plain, with every check
 * above; *info (may be NULL) says how.  With st NULL only plain bundles
 * can be opened.  On failure *err names the file
 * and says which check refused it. */
int envelope_open(store *st, const char *path, unsigned flags, bundle **out,
                  envelope_info *info, char **err);

/* Seal a downstream bundle for the laptop device (see sync_export_down,
 * which is what the commands call): its returns, the set-up of st and the
 * forms of cat, sealed for the laptop's card (the signer of its latest
 * bundle merged here) and signed by this office.  *path newly allocated;
 * *count the returns it carries. */
int envelope_export_down(store *st, const catalog *cat, const char *device,
                         const char *signer, const char *dir, char **path,
                         long *count, char **err);

/* The downstream bundle opened (down_int.h). */
typedef struct down_bundle down_bundle;

/* Open a downstream bundle file for the laptop st: it must be sealed
 * with the header's direction "down", by the office st trusts as its
 * upstream (not revoked), for st; then the image inside gets every check
 * of down_open_memory.  On failure *err names the file and the check. */
int envelope_open_down(store *st, const char *path, down_bundle **out,
                       envelope_info *info, char **err);

/* Non-zero, with *why (newly allocated) naming path, when path is a
 * downstream bundle sealed for another database than st: one for another
 * laptop, which a directory merge skips. */
int envelope_down_elsewhere(store *st, const char *path, char **why);
/* Every check of envelope_open_down on path, then nothing kept: 0 with
 * *info (clear it) and the number of its reviews returned, approved and
 * cleared in states. */
int envelope_verify_down(store *st, const char *path, envelope_info *info,
                         long states[3], char **err);

/* Parse the clear header at the start of data (len bytes, at most its
 * first kilobyte is looked at): 0 with *h and its length *hlen, 1 when
 * data is not a sealed bundle, -1 with *why (newly allocated) when it is
 * a damaged one. */
int envelope_header_parse(const char *data, size_t len, envelope_header *h,
                          size_t *hlen, char **why);

/* Read the header of path: 0 when it is a sealed bundle, 1 when it is not
 * one (maybe a plain bundle), -1 when it is a damaged one. */
int envelope_read_header(const char *path, envelope_header *h, char **err);

/* Check that path is a complete sealed bundle signed with sign_pk (for a
 * sender checking its own bundle, which it cannot decrypt). */
int envelope_check_signature(const char *path, const unsigned char *sign_pk,
                             envelope_header *h, char **err);

/* Seal the len bytes d for card to, signed by self, into f (at its
 * current position) in the sealed bundle layout, with id and count as the
 * header's bundle and interviews: for content that is not a bundle (a
 * data backup sealed for the database's own key). */
int envelope_seal_stream(const keys_self *self, const keys_card *to,
                         const char *id, long count, const unsigned char *d,
                         size_t len, FILE *f, char **err);
/* Check and open what envelope_seal_stream wrote: size bytes of fd from
 * offset base, for self, signed by sign_pk.  *plain (sqlite3_malloc64'd,
 * the caller sqlite3_frees it) receives h->size bytes; *err says why not
 * (without a file name). */
int envelope_unseal_fd(int fd, long long base, long long size,
                       const keys_self *self, const unsigned char *sign_pk,
                       unsigned char **plain, envelope_header *h, char **err);

#endif
