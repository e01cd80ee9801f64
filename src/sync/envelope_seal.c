/* envelope_seal.c: sealing a bundle for one office: compressed, encrypted
 * in chunks for the recipient's card and signed by this database's key,
 * written durably under a new name (the opening side is envelope.c). */
#include "config.h"
#include "sync/envelope.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"
#include "sync/bundle_int.h"
#include "sync/envelope_int.h"

/* The header of a sealed bundle, blank line included: format 2 with its
 * direction, or format 1 (backups, which have none). */
static char *header_text(const envelope_header *h)
{
    if (!*h->direction)
        return xasprintf(ENVELOPE_MAGIC "1\nbundle: %s\nfrom: %s\nto: %s\n"
                         "interviews: %ld\nsize: %lld\nsignature: "
                         "ed25519\n\n", h->bundle, h->from, h->to,
                         h->interviews, h->size);
    return xasprintf(ENVELOPE_MAGIC "%d\nbundle: %s\nfrom: %s\nto: %s\n"
                     "interviews: %ld\nsize: %lld\ndirection: %s\n"
                     "signature: ed25519\n\n", ENVELOPE_FORMAT, h->bundle,
                     h->from, h->to, h->interviews, h->size, h->direction);
}

/* Read a whole plain bundle file of at most ENVELOPE_MAX bytes, in one
 * allocation. */
static unsigned char *read_all(const char *path, size_t *len, char **why)
{
    struct stat sb;
    FILE *f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &sb) != 0) {
        util_refuse(why, _("cannot read: %s"), strerror(errno));
        if (f)
            fclose(f);
        return NULL;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size > ENVELOPE_MAX) {
        fclose(f);
        util_refuse(why, _("not a regular file of a bundle's size"));
        return NULL;
    }
    if ((unsigned long long)sb.st_size > SIZE_MAX / 2) {
        fclose(f);
        util_refuse(why, _("too large to read"));
        return NULL;
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *d = xmalloc(n ? n : 1);
    *len = fread(d, 1, n, f);
    /* One byte more than expected means the file grew: read it too. */
    int bad = ferror(f) || *len != n || fgetc(f) != EOF;
    fclose(f);
    if (bad) {
        free(d);
        util_refuse(why, _("cannot read: changed while being read"));
        return NULL;
    }
    return d;
}

/* Writes to a sealed file, feeding every byte to the signature too. */
typedef struct sealer {
    durable *d;           /* a new file ... */
    FILE *f;              /* ... or a stream */
    crypto_generichash_state hash;
    char *err;            /* the first write that failed */
} sealer;

static void seal_out(sealer *s, const void *p, size_t n)
{
    if (s->err)
        return;
    if (s->d)
        durable_write(s->d, p, n, &s->err);
    else if (fwrite(p, 1, n, s->f) != n)
        s->err = xasprintf(_("cannot write: %s"), strerror(errno));
}

static void seal_put(sealer *s, const void *p, size_t n)
{
    crypto_generichash_update(&s->hash, p, n);
    seal_out(s, p, n);
}

/* Header, sealed key, encrypted chunks and signature into s->d. */
static void seal_write(sealer *s, const char *header, const unsigned char *d,
                       size_t len, const keys_self *self,
                       const keys_card *to)
{
    unsigned char key[SS(KEYBYTES)], sealed[SEALED_KEY];
    unsigned char sh[SS(HEADERBYTES)];
    unsigned char *c = xmalloc(ENVELOPE_CHUNK + SS(ABYTES));
    SS(state) st;
    size_t hlen = strlen(header);
    crypto_generichash_init(&s->hash, NULL, 0, crypto_generichash_BYTES_MAX);
    seal_put(s, header, hlen);
    SS(keygen)(key);
    crypto_box_seal(sealed, key, sizeof key, to->box_pk);
    seal_put(s, sealed, sizeof sealed);
    SS(init_push)(&st, sh, key);
    seal_put(s, sh, sizeof sh);
    for (size_t done = 0; done < len;) {
        size_t n = len - done < ENVELOPE_CHUNK ? len - done : ENVELOPE_CHUNK;
        unsigned char tag = done + n == len ? SS(TAG_FINAL) : SS(TAG_MESSAGE);
        unsigned long long clen;
        /* The header is authenticated with the first chunk: a header
         * changed after sealing no longer decrypts, even re-signed. */
        SS(push)(&st, c, &clen, d + done, n, done == 0
                 ? (const unsigned char *)header : NULL,
                 done == 0 ? hlen : 0, tag);
        seal_put(s, c, (size_t)clen);
        done += n;
    }
    unsigned char sig[crypto_sign_BYTES], msg[SIG_MSG];
    envelope_sig_message(&s->hash, msg);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, self->sign_sk);
    seal_out(s, sig, sizeof sig);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&st, sizeof st);
    free(c);
}

/* A new name in dir saying who sealed it and when. */
static char *seal_name(const char *dir, const char *from,
                       const char *created)
{
    char stamp[32];
    size_t k = 0;
    for (const char *p = created; *p && *p != '.' && k < 20; p++)
        if (*p != '-' && *p != ':')
            stamp[k++] = *p;
    stamp[k] = '\0';
    unsigned char r[3];
    clock_id_bytes(r, sizeof r);
    return xasprintf("%s/%s_%sZ_%02x%02x%02x" BUNDLE_EXT, dir, from, stamp,
                     r[0], r[1], r[2]);
}

/* Give the finished file s->d a new name in dir and sync the directory. */
static int seal_commit(sealer *s, const char *dir, const char *from,
                       const char *created, char **path, char **why)
{
    for (int tries = 0; tries < 20; tries++) {
        char *p = seal_name(dir, from, created);
        int rc = durable_commit(s->d, p, DURABLE_NEW, why);
        if (rc == 1) {          /* taken: s->d is still open */
            free(p);
            continue;
        }
        s->d = NULL;
        if (rc == 0)
            *path = p;
        else
            free(p);
        return rc;
    }
    return util_refuse(why, _("%s: no free bundle name"), dir);
}

static int seal_packed(const keys_self *self, const keys_card *to,
                       const char *name, const unsigned char *d, size_t len,
                       const bundle_manifest *m, const char *direction,
                       const char *dir, char **path, char **err);

/* Seal the plain bundle d (len bytes, called name in messages) into a new
 * file of dir, durably: the file and its directory entry are on the disk
 * before this returns. */
int envelope_seal_data(const keys_self *self, const keys_card *to,
                       const char *name, const unsigned char *d, size_t len,
                       const bundle_manifest *m, const char *direction,
                       const char *dir, char **path, char **err)
{
    *path = NULL;
    unsigned char *z = NULL;
    size_t zlen = 0;
    char *why = NULL;
    if (len == 0 || bundle_pack(d, len, &z, &zlen, &why) != 0) {
        *err = xasprintf("%s: %s", name, why ? why : _("empty bundle"));
        free(why);
        return -1;
    }
    int rc = seal_packed(self, to, name, z, zlen, m, direction, dir, path,
                         err);
    bundle_image_free(z, zlen);
    return rc;
}
/* envelope_seal_data once d is compressed. */
static int seal_packed(const keys_self *self, const keys_card *to,
                       const char *name, const unsigned char *d, size_t len,
                       const bundle_manifest *m, const char *direction,
                       const char *dir, char **path, char **err)
{
    envelope_header h = {.format = ENVELOPE_FORMAT,
                         .interviews = m->interviews,
                         .size = (long long)len};
    snprintf(h.direction, sizeof h.direction, "%s", direction);
    snprintf(h.bundle, sizeof h.bundle, "%s", m->uuid);
    memcpy(h.from, self->card.fpr, KEYS_FPR_SIZE);
    memcpy(h.to, to->fpr, KEYS_FPR_SIZE);
    char *header = header_text(&h), *why = NULL;
    long long expected = (long long)strlen(header) + envelope_body_len(h.size)
        + crypto_sign_BYTES;
    sealer s = {0};
    int rc = -1;
    if (len == 0)
        util_refuse(&why, _("empty bundle"));
    /* Sealed: safe for others to carry, so readable like any file. */
    else if ((s.d = durable_begin(dir, 0644, &why)) != NULL) {
        seal_write(&s, header, d, len, self, to);
        rc = s.err ? util_refuse(&why, "%s", s.err)
                   : seal_commit(&s, dir, h.from, m->created, path, &why);
    }
    durable_abort(s.d);
    free(s.err);
    free(header);
    if (rc != 0) {
        *err = xasprintf("%s: %s", name, why);
        free(why);
        return -1;
    }
    /* The content was checked as a plain bundle just before; what is left
     * to check is that the whole file reached the disk. */
    struct stat sb;
    if (stat(*path, &sb) != 0 || sb.st_size != (off_t)expected) {
        *err = xasprintf(_("%s: reads back with the wrong size"), *path);
        unlink(*path);
        free(*path);
        *path = NULL;
        return -1;
    }
    return 0;
}

int envelope_seal(const keys_self *self, const keys_card *to,
                  const char *plain, const bundle_manifest *m,
                  const char *dir, char **path, char **err)
{
    *path = NULL;
    char *why = NULL;
    size_t len = 0;
    unsigned char *d = read_all(plain, &len, &why);
    if (!d) {
        *err = xasprintf("%s: %s", plain, why);
        free(why);
        return -1;
    }
    /* A plain bundle file is compressed already: sealed as it is. */
    int rc = bundle_is_packed(d, len)
        ? seal_packed(self, to, plain, d, len, m, "up", dir, path, err)
        : envelope_seal_data(self, to, plain, d, len, m, "up", dir, path,
                             err);
    sodium_memzero(d, len);
    free(d);
    return rc;
}

/* The sealing step of an export: this database's keys and the office. */
typedef struct seal_ctx {
    keys_self self;
    keys_trusted to;
} seal_ctx;

static int seal_cb(void *ctx, const unsigned char *plain, size_t len,
                   const bundle_manifest *m, const char *dir, char **path,
                   char **err)
{
    seal_ctx *c = ctx;
    return envelope_seal_data(&c->self, &c->to.card, m->uuid, plain, len,
                              m, "up", dir, path, err);
}

/* A database that has sealed for an office never falls back to writing
 * plain bundles when that office's card is revoked: -1 with *err saying
 * what to do, 0 when it never sealed. */
static int refuse_plain_export(store *st, char **err)
{
    int yes = 0;
    keys_trusted last;
    int rc = keys_sealed_out(st, &yes, &last, err);
    if (rc < 0 || !yes)
        return rc < 0 ? -1 : 0;
    if (rc == 0 && last.revoked) {
        char *label = keys_card_label(&last.card);
        *err = xasprintf(_("the office card %s (%s) that bundles from here "
                           "are sealed for was revoked on %s, and a "
                           "database that has sealed its bundles never "
                           "writes them in the clear again: trust the "
                           "office's new card (khaosat keys trust CARD "
                           "--upstream), then export"), last.card.fpr,
                         label, last.revoked);
        free(label);
    } else {
        *err = xstrdup(_("no office card is trusted any more to seal "
                         "bundles for, and a database that has sealed its "
                         "bundles never writes them in the clear again: "
                         "trust the office's card (khaosat keys trust CARD "
                         "--upstream), then export"));
    }
    if (rc == 0)
        keys_trusted_clear(&last);
    return -1;
}

int envelope_export(store *st, const char *dir, unsigned flags, char **path,
                    long *count, long *reviews,
                    char sealed_for[KEYS_FPR_SIZE], char **err)
{
    *path = NULL;
    *count = 0;
    sealed_for[0] = '\0';
    seal_ctx c;
    memset(&c, 0, sizeof c);
    int rc = keys_upstream(st, &c.to, err);
    if (rc < 0)
        return -1;
    if (rc == 1 && refuse_plain_export(st, err) != 0)
        return -1;
    if (rc == 1)
        return bundle_export_sealed(st, dir, flags, NULL, NULL, path, count,
                                    reviews, err);
    rc = keys_self_get(st, 1, &c.self, err);
    if (rc == 0)
        rc = bundle_export_sealed(st, dir, flags, seal_cb, &c, path, count,
                                  reviews, err);
    if (rc == 0)
        memcpy(sealed_for, c.to.card.fpr, KEYS_FPR_SIZE);
    keys_self_clear(&c.self);
    keys_trusted_clear(&c.to);
    return rc;
}

int envelope_seal_stream(const keys_self *self, const keys_card *to,
                         const char *id, long count, const unsigned char *d,
                         size_t len, FILE *f, char **err)
{
    envelope_header h = {.format = ENVELOPE_FORMAT, .interviews = count,
                         .size = (long long)len};
    snprintf(h.bundle, sizeof h.bundle, "%s", id);
    memcpy(h.from, self->card.fpr, KEYS_FPR_SIZE);
    memcpy(h.to, to->fpr, KEYS_FPR_SIZE);
    if (len == 0) {
        *err = xstrdup(_("nothing to seal"));
        return -1;
    }
    char *header = header_text(&h);
    sealer s = {.f = f};
    seal_write(&s, header, d, len, self, to);
    free(header);
    if (!s.err && fflush(f) != 0)
        s.err = xasprintf(_("cannot write: %s"), strerror(errno));
    if (s.err) {
        *err = s.err;
        return -1;
    }
    return 0;
}
