/* envelope.c: opening sealed bundles, refusing every one that is not
 * exactly what a trusted sender made for this database (sealing is in
 * envelope_seal.c).  The layout is in envelope.h and
 * khaosat-bundle(5). */
#include "config.h"
#include "sync/envelope.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/i18n.h"
#include "core/util.h"
#include "sync/bundle_int.h"
#include "sync/envelope_int.h"

/* Largest content decrypted straight into memory; above it the signature
 * is checked first, in a pass that allocates nothing, so that a file made
 * up to look large costs reading, never memory. */
#define ENVELOPE_EAGER (64LL << 20)

/* Refuse a damaged or altered sealed bundle, saying what to do: the
 * bytes that came are not the ones sealed.  h is its header when read far
 * enough to say which way the bundle goes (else NULL): the command that
 * writes it again differs. */
static int sealed_refuse(char **why, const envelope_header *h,
                         const char *fmt, ...) KS_PRINTF(3, 4);
static int sealed_refuse(char **why, const envelope_header *h,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = xvasprintf(fmt, ap);
    va_end(ap);
    const char *again = !h ? _("'khaosat export --all', or 'khaosat export "
                               "--down' for an office's bundle to its "
                               "laptops")
        : !strcmp(h->direction, "down") ? "'khaosat export --down'"
                                        : "'khaosat export --all'";
    util_refuse(why, _("%s; copy the sealed bundle again from its sender's "
                       "stick, or ask the sender to export it again (%s)"),
                what, again);
    free(what);
    return -1;
}

void envelope_info_clear(envelope_info *info)
{
    free(info->sender);
    info->sender = NULL;
}

void envelope_sig_message(crypto_generichash_state *h,
                          unsigned char msg[SIG_MSG])
{
    memcpy(msg, SIG_DOMAIN, sizeof SIG_DOMAIN - 1);
    crypto_generichash_final(h, msg + sizeof SIG_DOMAIN - 1,
                             crypto_generichash_BYTES_MAX);
}

long long envelope_body_len(long long size)
{
    long long chunks = (size + ENVELOPE_CHUNK - 1) / ENVELOPE_CHUNK;
    return SEALED_KEY + (long long)SS(HEADERBYTES) + size
        + chunks * (long long)SS(ABYTES);
}

/* Parse the header lines after the first; *hlen receives the header's
 * length, *signed_ whether it announces a signature. */
static int header_fields(const char *data, const char *p, const char *end,
                         envelope_header *h, size_t *hlen, int *signed_,
                         char **why)
{
    char v[5][64], sig[64];
    static const char *const key[5] = {"bundle", "from", "to", "interviews",
                                       "size"};
    for (int i = 0; i < 5; i++)
        if (util_kv_line(&p, end, key[i], v[i], sizeof v[i]) != 0)
            return sealed_refuse(why, NULL, _("damaged sealed bundle: header line "
                          "\"%s\" is missing or malformed"), key[i]);
    /* Format 2 says which way the bundle goes: up or down, never both. */
    if (h->format >= 2
        && (util_kv_line(&p, end, "direction", h->direction,
                         sizeof h->direction) != 0
            || (strcmp(h->direction, "up") && strcmp(h->direction, "down"))))
        return sealed_refuse(why, NULL, _("damaged sealed bundle: header line "
                      "\"direction\" is missing or malformed"));
    *signed_ = util_kv_line(&p, end, "signature", sig, sizeof sig) == 0;
    if (*signed_ && strcmp(sig, "ed25519") != 0)
        return util_refuse(why, _("signed with \"%s\", which khaosat does not "
                      "know"), sig);
    if (p >= end || *p != '\n')
        return sealed_refuse(why, NULL, _("damaged sealed bundle: the header does not end "
                      "where it should"));
    *hlen = (size_t)(p + 1 - data);
    long long n = util_parse_decimal15(v[3]);
    h->size = util_parse_decimal15(v[4]);
    if (strlen(v[0]) != 36 || keys_fpr_parse(v[1], h->from) != 0
        || keys_fpr_parse(v[2], h->to) != 0 || strcmp(h->from, v[1]) != 0
        || strcmp(h->to, v[2]) != 0 || n < 0 || n > BUNDLE_MAX_INTERVIEWS
        || h->size <= 0 || h->size > ENVELOPE_MAX)
        return sealed_refuse(why, NULL, _("damaged sealed bundle: malformed header"));
    memcpy(h->bundle, v[0], 37);
    h->interviews = (long)n;
    return 0;
}

/* Parse a header at the start of data: 0, 1 when data is not a sealed
 * bundle, -1 when it is a damaged or unreadable one. */
static int parse_header(const char *data, size_t len, envelope_header *h,
                        size_t *hlen, int *signed_, char **why)
{
    memset(h, 0, sizeof *h);
    size_t m = strlen(ENVELOPE_MAGIC);
    if (len < m || memcmp(data, ENVELOPE_MAGIC, m) != 0)
        return 1;
    const char *end = data + (len < HEADER_MAX ? len : HEADER_MAX);
    const char *p = data + m, *nl = memchr(p, '\n', (size_t)(end - p));
    char num[16];
    if (!nl || (size_t)(nl - p) >= sizeof num)
        return sealed_refuse(why, NULL, _("damaged sealed bundle: no format line"));
    memcpy(num, p, (size_t)(nl - p));
    num[nl - p] = '\0';
    h->format = (long)util_parse_decimal15(num);
    if (h->format < 1)
        return sealed_refuse(why, NULL, _("damaged sealed bundle: bad format number"));
    if (h->format > ENVELOPE_FORMAT)
        return util_refuse(why, _("sealed by a newer khaosat (envelope format %ld);"
                      " this khaosat reads formats up to %d: update "
                      "khaosat to read it"), h->format, ENVELOPE_FORMAT);
    return header_fields(data, nl + 1, end, h, hlen, signed_, why);
}

int envelope_header_parse(const char *data, size_t len, envelope_header *h,
                          size_t *hlen, char **why)
{
    int signed_ = 0;
    *why = NULL;
    return parse_header(data, len, h, hlen, &signed_, why);
}

/* The sender must be a card this database accepts bundles from. */
static int check_sender(store *st, const envelope_header *h,
                        envelope_info *info, char **why)
{
    keys_trusted t;
    keys_self self;
    char *err = NULL;
    int rc = keys_self_get(st, 0, &self, &err);
    int own = rc == 0 && strcmp(self.card.fpr, h->from) == 0;
    if (rc == 0)
        keys_self_clear(&self);
    if (own)
        return util_refuse(why, _("sealed by this database for the office %s: "
                      "only that office can open it"), h->to);
    if (rc < 0) {
        util_refuse(why, "%s", err);
        free(err);
        return -1;
    }
    rc = keys_trusted_get(st, h->from, &t, &err);
    if (rc < 0) {
        util_refuse(why, "%s", err);
        free(err);
        return -1;
    }
    if (rc == 1)
        return util_refuse(why, _("sealed by an unknown key %s: no trusted card "
                      "has it (check its fingerprint, then 'khaosat keys "
                      "trust' its card)"), h->from);
    /* " (name, commune)", or less when the card has less. */
    char *label = keys_card_label(&t.card);
    char *who = *label ? xasprintf(" (%s)", label) : xstrdup("");
    if (t.revoked)
        rc = util_refuse(why, _("sealed by %s%s, whose key was revoked on %s"),
                    h->from, who, t.revoked);
    else if (strcmp(t.purpose, "accept") != 0)
        rc = util_refuse(why, _("sealed by %s%s, which is trusted here as the "
                    "office bundles are sent to, not as a sender"), h->from,
                    who);
    if (rc == 0 && info)
        info->sender = xstrdup(who);
    free(who);
    free(label);
    keys_trusted_clear(&t);
    return rc;
}

/* The sealed bundle must be for this database. */
int envelope_check_recipient(store *st, const envelope_header *h,
                             keys_self *self, char **why)
{
    char *err = NULL;
    int rc = keys_self_get(st, 0, self, &err);
    if (rc < 0) {
        util_refuse(why, "%s", err);
        free(err);
        return -1;
    }
    if (rc == 1)
        return util_refuse(why, _("sealed for the office %s; this database has no "
                      "keys at all"), h->to);
    if (strcmp(self->card.fpr, h->to) != 0 && !strcmp(h->direction, "down"))
        return util_refuse(why, _("sealed for another laptop (%s); this database "
                      "is %s and cannot read it"), h->to, self->card.fpr);
    if (strcmp(self->card.fpr, h->to) != 0)
        return util_refuse(why, _("sealed for another office (%s); this database "
                      "is %s and cannot read it"), h->to, self->card.fpr);
    return 0;
}

int envelope_check_inner(const envelope_header *h, const char *uuid, long n,
                         int downstream, envelope_info *info, char **why)
{
    if (strcmp(uuid, h->bundle) != 0 || n != h->interviews)
        return downstream
            ? util_refuse(why, _("the header (bundle %s, %ld returns) does not "
                      "match the bundle inside (%s, %ld)"), h->bundle,
                      h->interviews, uuid, n)
            : util_refuse(why, _("the header (bundle %s, %ld interviews) does not "
                      "match the bundle inside (%s, %ld)"), h->bundle,
                      h->interviews, uuid, n);
    if (info) {
        info->sealed = 1;
        info->h = *h;
    }
    return 0;
}

/* Reading a sealed file from its descriptor, once, front to back: every
 * byte goes to the signature's hash as it is read, and (when opening) the
 * body is decrypted chunk by chunk into the plain buffer; nothing is used
 * before the signature at the end has been checked. */
typedef struct opener {
    int fd;
    long long base;             /* where the sealed file starts in fd */
    long long off;
    crypto_generichash_state hash;
    crypto_generichash_state *file;     /* the whole file's (NULL: none) */
    unsigned char *chunk;       /* one encrypted chunk */
} opener;

/* Feed n bytes of the file to the file's hash, when one is wanted. */
static void op_file(opener *o, const void *buf, size_t n)
{
    if (o->file)
        crypto_generichash_update(o->file, buf, n);
}

/* Read n bytes into buf, feeding them to the hashes. */
static int op_read(opener *o, void *buf, size_t n, char **why)
{
    if (bundle_file_read(o->fd, o->base + o->off, buf, n, why) != 0)
        return -1;
    crypto_generichash_update(&o->hash, buf, n);
    op_file(o, buf, n);
    o->off += (long long)n;
    return 0;
}

int envelope_check_bundle_limit(const envelope_header *h, char **why)
{
    if (h->size <= BUNDLE_MAX_FILE)
        return 0;
    return util_refuse(why, _("its header says %lld bytes inside, more than the "
                         "%lld a bundle may have; nothing more of it was "
                         "read"), h->size, (long long)BUNDLE_MAX_FILE);
}

/* The size a sealed file must have: header, body and signature.  The
 * header's size is at most ENVELOPE_MAX, so nothing here overflows. */
int envelope_check_size(long long fsize, size_t hlen, const envelope_header *h,
                        int signed_, char **why)
{
    long long want = (long long)hlen + envelope_body_len(h->size);
    if (!signed_ || fsize == want)
        return sealed_refuse(why, h, _("its signature was stripped: a sealed bundle "
                      "without its signature proves nothing about who "
                      "made it"));
    if (fsize != want + crypto_sign_BYTES)
        return sealed_refuse(why, h, _("damaged sealed bundle: %lld bytes where the "
                      "header promises %lld (cut short or padded)"), fsize,
                      want + crypto_sign_BYTES);
    return 0;
}

/* Read the body after the header (hlen bytes, already hashed): decrypt it
 * into out (h->size bytes) when self is given, else only hash it; then
 * check the signature.  A body that does not decrypt is reported only
 * once the signature matched, so an altered file says so. */
static int read_body(opener *o, const char *header, size_t hlen,
                     const envelope_header *h, const keys_self *self,
                     unsigned char *out, const unsigned char *sign_pk,
                     char **why)
{
    unsigned char sealed[SEALED_KEY], sh[SS(HEADERBYTES)];
    unsigned char key[SS(KEYBYTES)], sig[crypto_sign_BYTES];
    SS(state) st;
    int undecryptable = 0;
    if (op_read(o, sealed, sizeof sealed, why) != 0
        || op_read(o, sh, sizeof sh, why) != 0)
        return -1;
    if (self)
        undecryptable = crypto_box_seal_open(key, sealed, sizeof sealed,
                                             self->card.box_pk,
                                             self->box_sk) != 0 ? 1
            : SS(init_pull)(&st, sh, key) != 0 ? 2 : 0;
    int rc = 0;
    for (long long done = 0; rc == 0 && done < h->size;) {
        long long n = h->size - done < ENVELOPE_CHUNK ? h->size - done
                                                      : ENVELOPE_CHUNK;
        size_t clen = (size_t)n + SS(ABYTES);
        rc = op_read(o, o->chunk, clen, why);
        unsigned long long got = 0;
        unsigned char tag = 0;
        if (rc == 0 && self && !undecryptable
            && (SS(pull)(&st, out + done, &got, &tag, o->chunk, clen,
                         done == 0 ? (const unsigned char *)header : NULL,
                         done == 0 ? hlen : 0) != 0
                || got != (unsigned long long)n
                || tag != (done + n == h->size ? SS(TAG_FINAL)
                                               : SS(TAG_MESSAGE))))
            undecryptable = 2;
        done += n;
    }
    sodium_memzero(key, sizeof key);
    sodium_memzero(&st, sizeof st);
    if (rc != 0
        || bundle_file_read(o->fd, o->base + o->off, sig, sizeof sig, why))
        return -1;
    op_file(o, sig, sizeof sig);
    unsigned char msg[SIG_MSG];
    envelope_sig_message(&o->hash, msg);
    if (crypto_sign_verify_detached(sig, msg, sizeof msg, sign_pk) != 0)
        return sealed_refuse(why, h, _("its signature does not match: the bundle was "
                      "altered or damaged after %s sealed it"), h->from);
    if (undecryptable == 1)
        return util_refuse(why, _("its key does not open with this database's "
                      "key, although the header names it"));
    if (undecryptable)
        return sealed_refuse(why, h, _("damaged sealed bundle: its content does not "
                      "decrypt"));
    return 0;
}

/* Read and parse the header from the first bytes of fd (fsize bytes):
 * 0, 1 when it is not a sealed bundle, -1 when it is a damaged one.  The
 * header's bytes (hlen of them) are left in head. */
int envelope_read_header_fd(int fd, long long base, long long fsize,
                            char head[HEADER_MAX], envelope_header *h,
                            size_t *hlen, int *signed_, char **why)
{
    size_t n = fsize < HEADER_MAX ? (size_t)fsize : HEADER_MAX;
    if (bundle_file_read(fd, base, head, n, why) != 0)
        return -1;
    return parse_header(head, n, h, hlen, signed_, why);
}

/* Hash the header and the rest of the sealed file on fd and check its
 * signature by sign_pk, decrypting into a new sqlite3_malloc64 buffer
 * (*plain) when self is given; file_hash (may be NULL) receives the
 * hash of every byte read (bundle_file_hash). */
static int read_sealed_once(int fd, long long base, const char *head,
                            size_t hlen, const envelope_header *h,
                            const keys_self *self,
                            const unsigned char *sign_pk,
                            unsigned char **plain, char *file_hash,
                            char **why)
{
    crypto_generichash_state file;
    opener o = {.fd = fd, .base = base, .off = (long long)hlen,
                .file = file_hash ? &file : NULL};
    crypto_generichash_init(&o.hash, NULL, 0, crypto_generichash_BYTES_MAX);
    crypto_generichash_update(&o.hash, (const unsigned char *)head, hlen);
    if (file_hash)
        bundle_hash_init(&file);
    op_file(&o, head, hlen);
    unsigned char *out = NULL;
    if (self && (unsigned long long)h->size > SIZE_MAX / 2)
        return util_refuse(why, _("%lld bytes inside, more than fit in memory"),
                      h->size);
    if (self && !(out = sqlite3_malloc64((sqlite3_uint64)h->size)))
        return util_refuse(why, _("%lld bytes inside do not fit in memory"),
                      h->size);
    o.chunk = xmalloc(ENVELOPE_CHUNK + SS(ABYTES));
    int rc = read_body(&o, head, hlen, h, self, out, sign_pk, why);
    free(o.chunk);
    if (rc == 0 && file_hash)
        bundle_hash_final(&file, file_hash);
    if (rc != 0 && out) {
        sodium_memzero(out, (size_t)h->size);
        sqlite3_free(out);
        out = NULL;
    }
    if (plain)
        *plain = out;
    return rc;
}

/* envelope_read_sealed, with the file's hash (may be NULL) taken in the
 * pass that decrypts: the bytes decrypted are the bytes hashed. */
static int read_sealed(int fd, long long base, const char *head,
                       size_t hlen, const envelope_header *h,
                       const keys_self *self, const unsigned char *sign_pk,
                       unsigned char **plain, char *file_hash, char **why)
{
    /* A large one: its signature first, without allocating; the second
     * pass checks it again, so a file changed in between is refused. */
    if (self && h->size > ENVELOPE_EAGER
        && read_sealed_once(fd, base, head, hlen, h, NULL, sign_pk, NULL,
                            NULL, why) != 0) {
        if (plain)
            *plain = NULL;
        return -1;
    }
    return read_sealed_once(fd, base, head, hlen, h, self, sign_pk, plain,
                            file_hash, why);
}

int envelope_read_sealed(int fd, long long base, const char *head,
                         size_t hlen, const envelope_header *h,
                         const keys_self *self, const unsigned char *sign_pk,
                         unsigned char **plain, char **why)
{
    return read_sealed(fd, base, head, hlen, h, self, sign_pk, plain, NULL,
                       why);
}

int envelope_decrypt(store *st, int fd, long long fsize, const char *head,
                     size_t hlen, const envelope_header *h, int signed_,
                     const unsigned char *sign_pk, unsigned char **plain,
                     size_t *len, char **why)
{
    return envelope_decrypt_hashed(st, fd, fsize, head, hlen, h, signed_,
                                   sign_pk, plain, len, NULL, why);
}

int envelope_decrypt_hashed(store *st, int fd, long long fsize,
                            const char *head, size_t hlen,
                            const envelope_header *h, int signed_,
                            const unsigned char *sign_pk,
                            unsigned char **plain, size_t *len,
                            char *file_hash, char **why)
{
    keys_self self;
    memset(&self, 0, sizeof self);
    *plain = NULL;
    *len = 0;
    int rc = envelope_check_size(fsize, hlen, h, signed_, why);
    if (rc == 0)
        rc = envelope_check_recipient(st, h, &self, why);
    if (rc == 0)
        rc = read_sealed(fd, 0, head, hlen, h, &self, sign_pk, plain,
                         file_hash, why);
    keys_self_clear(&self);
    if (rc != 0)
        return -1;
    *len = (size_t)h->size;
    return envelope_unpack(h, plain, len, why);
}

/* Every check of the sealed bundle on fd (fsize bytes): the header is
 * read and the sender and recipient checked from the first bytes, before
 * anything else of the file is read. */
static int open_sealed(store *st, const char *path, int fd, long long fsize,
                       bundle **out, envelope_info *info, char **why)
{
    envelope_header h;
    size_t hlen = 0;
    int signed_ = 0;
    char head[HEADER_MAX];
    if (envelope_read_header_fd(fd, 0, fsize, head, &h, &hlen, &signed_, why)
        != 0)
        return -1;
    if (!strcmp(h.direction, "down"))
        return util_refuse(why, _("a downstream bundle, from the office %s to its "
                      "laptop %s: only that laptop takes it"), h.from, h.to);
    if (!st)
        return util_refuse(why, _("sealed for the office %s: only its database can "
                      "check and open it (--db)"), h.to);
    if (envelope_check_bundle_limit(&h, why) != 0)
        return -1;
    if (check_sender(st, &h, info, why) != 0)
        return -1;
    keys_trusted t;
    char *err = NULL;
    if (keys_trusted_get(st, h.from, &t, &err) != 0) {
        util_refuse(why, "%s", err ? err : "the sender's card vanished");
        free(err);
        return -1;
    }
    unsigned char *plain = NULL;
    size_t len = 0;
    char file_hash[BUNDLE_FILE_HASH_HEX];
    int rc = envelope_decrypt_hashed(st, fd, fsize, head, hlen, &h, signed_,
                                     t.card.sign_pk, &plain, &len,
                                     file_hash, why);
    char *role = xstrdup(t.card.role);
    keys_trusted_clear(&t);
    if (rc != 0) {
        free(role);
        return -1;
    }
    rc = bundle_open_memory(path, plain, len, out, &err);
    if (rc == 0) {
        bundle_set_signer(*out, h.from, role);
        bundle_set_file_hash(*out, file_hash);
    }
    free(role);
    if (rc != 0) {
        /* The message already names the file. */
        util_refuse(why, _("inside the sealed bundle: %s"), err);
        free(err);
        return -1;
    }
    const bundle_manifest *m = bundle_get_manifest(*out);
    if (envelope_check_inner(&h, m->uuid, m->interviews, 0, info, why)) {
        bundle_close(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* A plain bundle: refused unsigned when this database takes only sealed
 * ones (see keys_sealed_only), unless allowed. */
static int open_plain(store *st, const char *path, int fd, long long size,
                      unsigned flags, bundle **out, envelope_info *info,
                      char **why)
{
    long n = 0;
    int only = 0;
    char *err = NULL;
    if (st && !(flags & ENVELOPE_ALLOW_UNSIGNED)) {
        if (keys_sealed_only(st, &only, &err) != 0
            || keys_accepting(st, &n, &err) != 0) {
            util_refuse(why, "%s", err);
            free(err);
            return -1;
        }
        if (only && info)
            info->refused_unsigned = 1;
        if (only && n > 0)
            return util_refuse(why, ngettext("unsigned bundle (not sealed): this "
                                        "database trusts %ld sender's key "
                                        "and takes only its sealed bundles; "
                                        "merge with --allow-unsigned to "
                                        "take it anyway",
                                        "unsigned bundle (not sealed): this "
                                        "database trusts %ld senders' keys "
                                        "and takes only their sealed "
                                        "bundles; merge with "
                                        "--allow-unsigned to take it anyway",
                                        (unsigned long)n), n);
        if (only)
            return util_refuse(why, _("unsigned bundle (not sealed): this database "
                                 "has taken only sealed bundles since it "
                                 "first trusted a sender's key, even with "
                                 "every key revoked now; merge with "
                                 "--allow-unsigned to take it anyway"));
    }
    if (bundle_open_fd(path, fd, size, out, &err) != 0) {
        /* The message names the file already. */
        free(*why);
        *why = err;
        return -2;
    }
    return 0;
}

/* Open path as a bundle file (see bundle_file_open): 0 with *fd and
 * *size, or -1 with *err naming the file. */
int envelope_open_file(const char *path, int *fd, long long *size,
                       char **err)
{
    char *why = NULL;
    if (bundle_file_open(path, fd, size, &why) == 0)
        return 0;
    *err = xasprintf("%s: %s", path, why);
    free(why);
    return -1;
}

int envelope_open_begin(const char *path, envelope_info *info, int *fd,
                        long long *size, char **err)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (sodium_init() < 0) {
        *err = xasprintf(_("%s: libsodium failed to initialise"), path);
        return -1;
    }
    return envelope_open_file(path, fd, size, err);
}

int envelope_open_end(const char *path, int fd, int rc, char *why,
                      envelope_info *info, char **err)
{
    close(fd);
    if (rc == 0)
        return 0;
    *err = xasprintf("%s: %s", path, why);
    free(why);
    if (info)
        envelope_info_clear(info);
    return -1;
}

int envelope_open(store *st, const char *path, unsigned flags, bundle **out,
                  envelope_info *info, char **err)
{
    *out = NULL;
    int fd;
    long long size;
    if (envelope_open_begin(path, info, &fd, &size, err) != 0)
        return -1;
    char *why = NULL;
    char head[32];
    size_t len = size < (long long)sizeof head ? (size_t)size : sizeof head;
    int rc = bundle_file_read(fd, 0, head, len, &why);
    if (rc == 0 && len >= strlen(ENVELOPE_MAGIC)
        && memcmp(head, ENVELOPE_MAGIC, strlen(ENVELOPE_MAGIC)) == 0)
        rc = open_sealed(st, path, fd, size, out, info, &why);
    else if (rc == 0)
        /* Plain, or neither: the reader says precisely what the file is
         * not, before handing it to SQLite. */
        /* Only a SQLite file or a compressed one can be an unsigned
         * bundle; anything else is refused for what it is, not for
         * lacking a seal. */
        rc = open_plain(st, path, fd, size,
                        (len >= 16 && memcmp(head, "SQLite format 3", 16) == 0)
                        || bundle_is_packed((unsigned char *)head, len)
                        ? flags : flags | ENVELOPE_ALLOW_UNSIGNED,
                        out, info, &why);
    if (rc == -2) {
        close(fd);
        *err = why;
        return -1;
    }
    return envelope_open_end(path, fd, rc, why, info, err);
}

int envelope_read_header(const char *path, envelope_header *h, char **err)
{
    memset(h, 0, sizeof *h);
    int fd;
    long long size;
    if (envelope_open_file(path, &fd, &size, err) != 0)
        return -1;
    char buf[HEADER_MAX];
    size_t hlen;
    int signed_;
    char *why = NULL;
    int rc = envelope_read_header_fd(fd, 0, size, buf, h, &hlen, &signed_,
                                     &why);
    close(fd);
    if (rc < 0) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
    }
    return rc;
}

int envelope_check_signature(const char *path, const unsigned char *sign_pk,
                             envelope_header *h, char **err)
{
    int fd;
    long long size;
    if (envelope_open_file(path, &fd, &size, err) != 0)
        return -1;
    char *why = NULL, head[HEADER_MAX];
    size_t hlen = 0;
    int signed_ = 0;
    int rc = envelope_read_header_fd(fd, 0, size, head, h, &hlen, &signed_,
                                     &why);
    if (rc == 1)
        rc = util_refuse(&why, _("not a sealed bundle"));
    if (rc == 0)
        rc = envelope_check_size(size, hlen, h, signed_, &why);
    if (rc == 0)
        rc = envelope_read_sealed(fd, 0, head, hlen, h, NULL, sign_pk, NULL,
                                  &why);
    close(fd);
    if (rc != 0) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
    }
    return rc;
}


int envelope_unpack(const envelope_header *h, unsigned char **data,
                    size_t *len, char **why)
{
    if (h->format < 3)
        return 0;
    unsigned char *img = NULL;
    size_t n = 0;
    int rc = bundle_is_packed(*data, *len)
        ? bundle_unpack(*data, *len, &img, &n, why)
        : sealed_refuse(why, h, _("damaged sealed bundle: its content is not "
                             "compressed as its format says"));
    bundle_image_free(*data, *len);
    *data = img;
    *len = n;
    return rc;
}


int envelope_unseal_fd(int fd, long long base, long long size,
                       const keys_self *self, const unsigned char *sign_pk,
                       unsigned char **plain, envelope_header *h, char **err)
{
    *plain = NULL;
    char head[HEADER_MAX], *why = NULL;
    size_t hlen = 0;
    int signed_ = 0;
    int rc = envelope_read_header_fd(fd, base, size, head, h, &hlen,
                                     &signed_, &why);
    if (rc == 1)
        rc = util_refuse(&why, _("not sealed"));
    if (rc == 0)
        rc = envelope_check_size(size, hlen, h, signed_, &why);
    if (rc == 0 && strcmp(h->to, self->card.fpr) != 0)
        rc = util_refuse(&why, _("sealed for %s; this database is %s and cannot "
                    "read it"), h->to, self->card.fpr);
    if (rc == 0)
        rc = envelope_read_sealed(fd, base, head, hlen, h, self, sign_pk,
                                  plain, &why);
    if (rc != 0) {
        *err = why;
        return -1;
    }
    return 0;
}
