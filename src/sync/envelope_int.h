/* envelope_int.h: what envelope.c shares with envelope_down.c, the
 * downstream side of sealed bundles. */
#ifndef KHAOSAT_ENVELOPE_INT_H
#define KHAOSAT_ENVELOPE_INT_H

#include <sodium.h>

#include "sync/envelope.h"

#define SS(x) crypto_secretstream_xchacha20poly1305_##x
/* The bundle key sealed for the recipient. */
#define SEALED_KEY (crypto_box_SEALBYTES + SS(KEYBYTES))
/* What the signature signs: a domain string and the BLAKE2b-512 digest of
 * every byte before the signature (hash, then sign: the digest is twice
 * as fast as Ed25519ph's SHA-512 on large bundles). */
#define SIG_DOMAIN "khaosat sealed bundle signature 1"
#define SIG_MSG (sizeof SIG_DOMAIN - 1 + crypto_generichash_BYTES_MAX)

/* The message the signature signs, from the hash of every byte before
 * it (the hash state is finalised). */
void envelope_sig_message(crypto_generichash_state *h,
                          unsigned char msg[SIG_MSG]);
/* Bytes between the header and the signature for a plain size. */
long long envelope_body_len(long long size);

/* Largest content of a sealed file khaosat reads (a sealed bundle holds
 * at most BUNDLE_MAX_FILE, a plain bundle's own limit; a sealed data
 * backup may hold more). */
#define ENVELOPE_MAX (4LL << 30)
/* Longest header khaosat reads. */
#define HEADER_MAX 1024

/* Open path as a bundle file: 0 with *fd and *size, or -1 with *err
 * naming the file. */
int envelope_open_file(const char *path, int *fd, long long *size,
                       char **err);
/* Read and parse the header from the first bytes of fd (fsize bytes):
 * 0, 1 when it is not a sealed bundle, -1 when it is a damaged one; the
 * header's hlen bytes are left in head. */
int envelope_read_header_fd(int fd, long long base, long long fsize,
                            char head[HEADER_MAX], envelope_header *h,
                            size_t *hlen, int *signed_, char **why);
/* The header's size is within a bundle's limit (BUNDLE_MAX_FILE): checked
 * from the header alone, before the file's length or anything after the
 * header is looked at. */
int envelope_check_bundle_limit(const envelope_header *h, char **why);
/* The file has exactly the size the header gives, signature included. */
int envelope_check_size(long long fsize, size_t hlen,
                        const envelope_header *h, int signed_, char **why);
/* The sealed bundle is for this database: *self receives its identity
 * (clear it). */
int envelope_check_recipient(store *st, const envelope_header *h,
                             keys_self *self, char **why);
/* Hash and check the signature by sign_pk of the rest of the file,
 * decrypting into *plain (sqlite3_malloc64) when self is given. */
int envelope_read_sealed(int fd, long long base, const char *head,
                         size_t hlen, const envelope_header *h,
                         const keys_self *self, const unsigned char *sign_pk,
                         unsigned char **plain, char **err);
/* The bundle image inside a sealed file whose content (*data, h->size
 * bytes, from envelope_read_sealed) was authenticated and decrypted: from
 * format 3 on it is unpacked into a new buffer and the old one wiped and
 * freed; *data and *len then say the image.  -1 with *why (and *data
 * freed) when it does not unpack. */
int envelope_unpack(const envelope_header *h, unsigned char **data,
                    size_t *len, char **why);
/* What opening a sealed file does after the sender is known, in either
 * direction: its size, that it is for this database, the signature by
 * sign_pk over the whole file, decryption and unpacking: *plain
 * (sqlite3_malloc64, the caller's) and *len say the bundle image; -1 with
 * *why (newly allocated) and nothing to free. */
int envelope_decrypt(store *st, int fd, long long fsize, const char *head,
                     size_t hlen, const envelope_header *h, int signed_,
                     const unsigned char *sign_pk, unsigned char **plain,
                     size_t *len, char **why);
/* envelope_decrypt, and file_hash (may be NULL) receives the hash of
 * every byte of the file as read in the pass that decrypted it
 * (bundle_file_hash). */
int envelope_decrypt_hashed(store *st, int fd, long long fsize,
                            const char *head, size_t hlen,
                            const envelope_header *h, int signed_,
                            const unsigned char *sign_pk,
                            unsigned char **plain, size_t *len,
                            char *file_hash, char **why);
/* The bundle inside (its uuid, and n: its interviews, or with downstream
 * its returns) is the one header h announced: then *info (when given)
 * says it was sealed, with h, and 0; else -1 with *why. */
int envelope_check_inner(const envelope_header *h, const char *uuid, long n,
                         int downstream, envelope_info *info, char **why);
/* The start of opening path in either direction: *info (when given)
 * emptied, libsodium ready, the file opened (see bundle_file_open): 0 with
 * *fd and *size, or -1 with *err (newly allocated) naming the file. */
int envelope_open_begin(const char *path, envelope_info *info, int *fd,
                        long long *size, char **err);
/* The end: fd closed; when rc is not 0, *err is "path: why" (newly
 * allocated), why freed and *info cleared, and -1 is returned; else 0. */
int envelope_open_end(const char *path, int fd, int rc, char *why,
                      envelope_info *info, char **err);
/* Seal d (len bytes, compressed here; name for messages; manifest m gives the header's
 * bundle, interviews and time) for card to, signed by self, with the
 * header's direction, into a new file of dir, durably.  *path newly
 * allocated. */
int envelope_seal_data(const keys_self *self, const keys_card *to,
                       const char *name, const unsigned char *d, size_t len,
                       const bundle_manifest *m, const char *direction,
                       const char *dir, char **path, char **err);

#endif
