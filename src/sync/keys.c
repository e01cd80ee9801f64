/* keys.c: this database's identity, fingerprints, cards and the trusted
 * cards.  Backups of the identity are in keys_backup.c. */
#include "config.h"
#include "sync/keys.h"
#include "sync/keys_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"
#include "sync/bundle_int.h"

#define CARD_MAGIC "khaosat card 1\n"
#define CARD_MAX 4096

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* The store's message as a new string for *err; returns -1. */
static int store_err(store *st, char **err)
{
    *err = xstrdup(store_errmsg(st));
    return -1;
}

/* The libsodium sizes and the store's must agree. */
_Static_assert(crypto_sign_PUBLICKEYBYTES == STORE_SIGN_PK
               && crypto_sign_SECRETKEYBYTES == STORE_SIGN_SK
               && crypto_box_PUBLICKEYBYTES == STORE_BOX_PK
               && crypto_box_SECRETKEYBYTES == STORE_BOX_SK,
               "key sizes of the store and of libsodium differ");

void keys_fingerprint(const unsigned char *sign_pk,
                      const unsigned char *box_pk, char out[KEYS_FPR_SIZE])
{
    static const char domain[] = "khaosat card keys";
    unsigned char d[32];
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    crypto_generichash_update(&h, (const unsigned char *)domain,
                              sizeof domain - 1);
    crypto_generichash_update(&h, sign_pk, crypto_sign_PUBLICKEYBYTES);
    crypto_generichash_update(&h, box_pk, crypto_box_PUBLICKEYBYTES);
    crypto_generichash_final(&h, d, sizeof d);
    /* 10 bytes are 80 bits: sixteen base32 characters, high bits first. */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        int bit = i * 5, v = 0;
        for (int k = 0; k < 5; k++, bit++)
            v = (v << 1) | ((d[bit / 8] >> (7 - bit % 8)) & 1);
        if (i > 0 && i % 4 == 0)
            *p++ = '-';
        *p++ = b32[v];
    }
    *p = '\0';
}

int keys_fpr_parse(const char *in, char out[KEYS_FPR_SIZE])
{
    char raw[16];
    int n = 0;
    for (const char *p = in; p && *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        /* Base32 has no 0 or 1: whoever typed them meant O or I. */
        if (c == '0')
            c = 'O';
        else if (c == '1')
            c = 'I';
        if (!strchr(b32, c) || c == '\0' || n == 16)
            return -1;
        raw[n++] = c;
    }
    if (n != 16)
        return -1;
    char *q = out;
    for (int i = 0; i < 16; i++) {
        if (i > 0 && i % 4 == 0)
            *q++ = '-';
        *q++ = raw[i];
    }
    *q = '\0';
    return 0;
}

int keys_role(store *st, char **role, char **err)
{
    if (store_setting_get(st, STORE_SET_ROLE, role) != 0) {
        *err = xstrdup(store_errmsg(st));
        return -1;
    }
    if (!*role || strcmp(*role, "office") != 0) {
        free(*role);
        *role = xstrdup(_("laptop"));
    }
    return 0;
}

/* A card field from a setting: control characters become spaces and the
 * text is cut, on a character boundary, to KEYS_MAX_FIELD bytes. */
static char *card_field(const char *v)
{
    sbuf b;
    sbuf_init(&b);
    for (const unsigned char *p = (const unsigned char *)(v ? v : ""); *p;
         p++)
        sbuf_addc(&b, (char)(*p < 0x20 || *p == 0x7f ? ' ' : *p));
    if (b.len == 0)
        return sbuf_detach(&b);
    size_t n = b.len > KEYS_MAX_FIELD ? KEYS_MAX_FIELD : b.len;
    while (n > 0 && n < b.len && ((unsigned char)b.s[n] & 0xc0) == 0x80)
        n--;
    b.s[n] = '\0';
    b.len = n;
    if (!util_utf8_valid(b.s, b.len)) {
        sbuf_free(&b);
        return xstrdup("?");
    }
    return sbuf_detach(&b);
}

/* Fill the descriptive fields of this database's card from its settings. */
static int self_fields(store *st, keys_card *c, char **err)
{
    char *commune = NULL, *name = NULL;
    if (keys_role(st, &c->role, err) != 0)
        return -1;
    if (store_setting_get(st, STORE_SET_COMMUNE, &commune) != 0
        || store_setting_get(st, STORE_SET_CARD_NAME, &name) != 0
        || (!name && store_setting_get(st, STORE_SET_ENUMERATOR, &name) != 0)) {
        *err = xstrdup(store_errmsg(st));
        free(commune);
        return -1;
    }
    c->commune = card_field(commune);
    c->name = card_field(name);
    free(commune);
    free(name);
    if (store_device_id(st, &c->device) != 0) {
        *err = xstrdup(store_errmsg(st));
        return -1;
    }
    return 0;
}

/* Read the identity row: 0, 1 when there is none, -1. */
static int self_read(store *st, keys_self *out, char **err)
{
    store_identity id;
    int rc = store_identity_get(st, &id);
    if (rc < 0)
        return store_err(st, err);
    if (rc == 0) {
        memcpy(out->card.sign_pk, id.sign_pk, sizeof id.sign_pk);
        memcpy(out->sign_sk, id.sign_sk, sizeof id.sign_sk);
        memcpy(out->card.box_pk, id.box_pk, sizeof id.box_pk);
        memcpy(out->box_sk, id.box_sk, sizeof id.box_sk);
    }
    sodium_memzero(&id, sizeof id);
    return rc;
}

int keys_self_store(store *st, const keys_self *self, int replace,
                    char **err)
{
    store_identity id;
    memcpy(id.sign_pk, self->card.sign_pk, sizeof id.sign_pk);
    memcpy(id.sign_sk, self->sign_sk, sizeof id.sign_sk);
    memcpy(id.box_pk, self->card.box_pk, sizeof id.box_pk);
    memcpy(id.box_sk, self->box_sk, sizeof id.box_sk);
    int rc = store_identity_put(st, &id, replace);
    sodium_memzero(&id, sizeof id);
    return rc == 0 ? 0 : store_err(st, err);
}

int keys_self_get(store *st, int create, keys_self *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0) {
        *err = xstrdup(_("libsodium failed to initialise"));
        return -1;
    }
    int rc = self_read(st, out, err);
    if (rc == 1 && create) {
        keys_self fresh;
        memset(&fresh, 0, sizeof fresh);
        crypto_sign_keypair(fresh.card.sign_pk, fresh.sign_sk);
        crypto_box_keypair(fresh.card.box_pk, fresh.box_sk);
        /* INSERT OR IGNORE: a khaosat racing us keeps the one it made. */
        rc = keys_self_store(st, &fresh, 0, err);
        sodium_memzero(&fresh, sizeof fresh);
        if (rc == 0)
            rc = self_read(st, out, err);
        if (rc == 1) {
            *err = xasprintf(_("%s: the new identity vanished after saving"),
                             store_path(st));
            rc = -1;
        }
    }
    if (rc == 0) {
        keys_fingerprint(out->card.sign_pk, out->card.box_pk, out->card.fpr);
        rc = self_fields(st, &out->card, err);
    }
    if (rc != 0)
        keys_self_clear(out);
    return rc;
}

void keys_self_clear(keys_self *self)
{
    keys_card_clear(&self->card);
    sodium_memzero(self->sign_sk, sizeof self->sign_sk);
    sodium_memzero(self->box_sk, sizeof self->box_sk);
}

void keys_card_clear(keys_card *c)
{
    free(c->role);
    free(c->commune);
    free(c->name);
    free(c->device);
    c->role = c->commune = c->name = c->device = NULL;
}

void keys_b64(sbuf *b, const unsigned char *bin, size_t n)
{
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = xmalloc(len);
    sodium_bin2base64(s, len, bin, n, sodium_base64_VARIANT_ORIGINAL);
    sbuf_add(b, s);
    free(s);
}

int keys_unb64(const char *s, size_t slen, unsigned char *bin, size_t n)
{
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(bin, n, s, slen, NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0
        || got != n || end != s + slen)
        return -1;
    return 0;
}

char *keys_card_text(const keys_self *self)
{
    const keys_card *c = &self->card;
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, CARD_MAGIC);
    sbuf_addf(&b, "role: %s\ncommune: %s\nname: %s\n", c->role, c->commune,
              c->name);
    if (c->device)
        sbuf_addf(&b, "device: %s\n", c->device);
    sbuf_add(&b, "sign-key: ");
    keys_b64(&b, c->sign_pk, sizeof c->sign_pk);
    sbuf_add(&b, "\nbox-key: ");
    keys_b64(&b, c->box_pk, sizeof c->box_pk);
    sbuf_addf(&b, "\nfingerprint: %s\n", c->fpr);
    /* The card signs itself: whoever holds the signing key also chose the
     * encryption key and the words on the card. */
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)b.s, b.len,
                         self->sign_sk);
    sbuf_add(&b, "signature: ");
    keys_b64(&b, sig, sizeof sig);
    sbuf_addc(&b, '\n');
    return sbuf_detach(&b);
}

int keys_card_write(const keys_self *self, const char *path, char **err)
{
    char *text = keys_card_text(self);
    int rc = durable_write_file(path, text, strlen(text), 0600,
                                DURABLE_REPLACE, err);
    free(text);
    keys_card back;
    if (rc == 0 && (rc = keys_card_load(path, &back, err)) == 0) {
        if (strcmp(back.fpr, self->card.fpr) != 0) {
            *err = xasprintf(_("%s: reads back as another card"), path);
            rc = -1;
        }
        keys_card_clear(&back);
    }
    return rc;
}

int keys_field_ok(const char *v, size_t n)
{
    if (n > KEYS_MAX_FIELD || !util_utf8_valid(v, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return 0;
    return 1;
}

/* The next line of a card, which must start with "key: "; *val and *vlen
 * receive its value, *p moves past it.  -1 when the line is not that. */
static int card_line(const char **p, const char *end, const char *key,
                     const char **val, size_t *vlen)
{
    size_t k = strlen(key);
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl || (size_t)(nl - *p) < k + 2 || memcmp(*p, key, k) != 0
        || (*p)[k] != ':' || (*p)[k + 1] != ' ')
        return -1;
    *val = *p + k + 2;
    *vlen = (size_t)(nl - *val);
    *p = nl + 1;
    return 0;
}

/* Keep msg as the reason a card is refused; returns -1. */
static int card_bad(char **why, char *msg)
{
    *why = msg;
    return -1;
}

/* Non-zero when v (n bytes) is a device id: a UUID. */
static int device_ok(const char *v, size_t n)
{
    char id[37];
    if (n != 36)
        return 0;
    memcpy(id, v, n);
    id[n] = '\0';
    return bundle_is_uuid(id);
}

/* Parse the body of a card (after its first line) into out. */
static int card_fields(const char *text, const char *p, const char *end,
                       keys_card *out, char **why)
{
    static const char *const keys[] = {"role", "commune", "name", "sign-key",
                                       "box-key", "fingerprint",
                                       "signature"};
    const char *v[7], *dev = NULL;
    size_t n[7], ndev = 0;
    const char *signed_end = NULL;
    for (int i = 0; i < 7; i++) {
        if (i == 6)
            signed_end = p;
        /* The device line, after the name, is on every card made since
         * cards name their device; older cards have none. */
        if (i == 3 && card_line(&p, end, "device", &dev, &ndev) == 0
            && !device_ok(dev, ndev)) {
            *why = xstrdup(_("the device is not a device id"));
            return -1;
        }
        if (card_line(&p, end, keys[i], &v[i], &n[i]) != 0) {
            *why = xasprintf(_("line \"%s: ...\" is missing or out of order"),
                             keys[i]);
            return -1;
        }
    }
    unsigned char sig[crypto_sign_BYTES];
    if (p != end) {
        *why = xstrdup(_("text after the signature"));
        return -1;
    }
    for (int i = 0; i < 3; i++)
        if (!keys_field_ok(v[i], n[i])) {
            *why = xasprintf(_("the %s is not plain text of at most %d bytes"),
                             keys[i], KEYS_MAX_FIELD);
            return -1;
        }
    out->role = xstrndup(v[0], n[0]);
    out->commune = xstrndup(v[1], n[1]);
    out->name = xstrndup(v[2], n[2]);
    out->device = dev ? xstrndup(dev, ndev) : NULL;
    if (strcmp(out->role, "laptop") != 0 && strcmp(out->role, "office") != 0)
        return card_bad(why, xasprintf(_("role \"%s\" is neither laptop nor "
                                       "office"), out->role));
    if (keys_unb64(v[3], n[3], out->sign_pk, sizeof out->sign_pk) != 0
        || keys_unb64(v[4], n[4], out->box_pk, sizeof out->box_pk) != 0
        || keys_unb64(v[6], n[6], sig, sizeof sig) != 0)
        return card_bad(why, xstrdup(_("a key or the signature is not valid "
                                     "base64 of the right length")));
    keys_fingerprint(out->sign_pk, out->box_pk, out->fpr);
    if (n[5] != KEYS_FPR_SIZE - 1 || memcmp(v[5], out->fpr, n[5]) != 0)
        return card_bad(why, xasprintf(_("the fingerprint %.*s does not match "
                                       "the card's keys"),
                                       (int)(n[5] > 40 ? 40 : n[5]), v[5]));
    if (crypto_sign_verify_detached(sig, (const unsigned char *)text,
                                    (size_t)(signed_end - text),
                                    out->sign_pk) != 0)
        return card_bad(why, xstrdup(_("its signature does not match: the "
                                     "card was altered")));
    return 0;
}

int keys_card_parse(const char *name, const char *text, size_t len,
                    keys_card *out, char **err)
{
    memset(out, 0, sizeof *out);
    char *why = NULL;
    size_t m = strlen(CARD_MAGIC);
    if (sodium_init() < 0)
        why = xstrdup(_("libsodium failed to initialise"));
    else if (len > CARD_MAX || len < m || memcmp(text, CARD_MAGIC, m) != 0
             || memchr(text, '\0', len))
        why = xstrdup(_("not a khaosat card"));
    else
        card_fields(text, text + m, text + len, out, &why);
    if (why) {
        *err = xasprintf("%s: %s", name, why);
        free(why);
        keys_card_clear(out);
        return -1;
    }
    return 0;
}

/* The text of the card file at path (newly allocated, *len bytes), or
 * NULL with *why set.  Only a regular file, not through a link, at most
 * CARD_MAX bytes: a FIFO, a device or a huge file is refused before any
 * read, so a hostile "card" can neither hang nor fill memory. */
static char *card_read(const char *path, size_t *len, char **why)
{
    int f = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
                       | O_NOFOLLOW);
    if (f < 0) {
        *why = errno == ELOOP ? xstrdup(_("a symbolic link; give the card "
                                        "file itself"))
                              : xasprintf(_("cannot read: %s"), strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(f, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        *why = xstrdup(_("not a regular file"));
        close(f);
        return NULL;
    }
    if (sb.st_size > CARD_MAX) {
        *why = xstrdup(_("not a khaosat card (too large)"));
        close(f);
        return NULL;
    }
    char *text = xmalloc(CARD_MAX + 2);
    size_t n = 0;
    for (;;) {
        ssize_t r = read(f, text + n, CARD_MAX + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *why = xasprintf(_("cannot read: %s"), strerror(errno));
            free(text);
            close(f);
            return NULL;
        }
        n += (size_t)r;
        if (r == 0 || n > CARD_MAX)
            break;
    }
    close(f);
    if (n > CARD_MAX) {
        *why = xstrdup(_("not a khaosat card (too large)"));
        free(text);
        return NULL;
    }
    text[n] = '\0';
    *len = n;
    return text;
}

int keys_card_load(const char *path, keys_card *out, char **err)
{
    memset(out, 0, sizeof *out);
    size_t len;
    char *why = NULL;
    char *text = card_read(path, &len, &why);
    if (!text) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
        return -1;
    }
    int rc = keys_card_parse(path, text, len, out, err);
    free(text);
    return rc;
}

const char *keys_default_purpose(store *st, const keys_card *c, char **err)
{
    if (strcmp(c->role, "laptop") == 0)
        return "accept";
    char *role = NULL;
    if (keys_role(st, &role, err) != 0)
        return NULL;
    int laptop = strcmp(role, "laptop") == 0;
    free(role);
    if (laptop)
        return "upstream";
    *err = xasprintf(_("%s is an office's card and this database is an "
                     "office's: say --upstream if it is the office this "
                     "one sends its bundles to, or --accept if this office "
                     "merges its bundles"), c->fpr);
    return NULL;
}

/* The trusted row of card c (strings borrowed from c and the args). */
static store_trusted trusted_of(const keys_card *c, const char *purpose,
                                const char *trusted, const char *revoked)
{
    store_trusted t;
    memset(&t, 0, sizeof t);
    memcpy(t.sign_pk, c->sign_pk, sizeof t.sign_pk);
    memcpy(t.box_pk, c->box_pk, sizeof t.box_pk);
    t.fingerprint = (char *)c->fpr;
    t.role = c->role;
    t.commune = c->commune;
    t.name = c->name;
    t.device = c->device;
    t.purpose = (char *)purpose;
    t.trusted = (char *)trusted;
    t.revoked = (char *)revoked;
    return t;
}

int keys_trusted_put(store *st, const keys_card *c, const char *purpose,
                     const char *trusted, const char *revoked, int keep,
                     char **err)
{
    store_trusted t = trusted_of(c, purpose, trusted, revoked);
    return store_trusted_put(st, &t, keep) == 0 ? 0 : store_err(st, err);
}

/* A device has one card in force: refuse c when its device is already
 * bound to another card here, by that card or by bundles it signed. */
static int device_taken(store *st, const keys_card *c, char **err)
{
    store_trusted t;
    int rc = store_trusted_device_card(st, c->device, c->fpr, &t);
    if (rc < 0)
        return store_err(st, err);
    if (rc == 1)
        return 0;
    char *label = keys_card_label(&(keys_card){.name = t.name,
                                               .commune = t.commune});
    *err = xasprintf(_("the card is for device %s, which is already bound "
                       "here to the card %s (%s): a device has one card. "
                       "If this laptop replaced that identity, revoke the "
                       "old card first (khaosat keys revoke %s); otherwise "
                       "one of the two cards is not what it claims"),
                     c->device, t.fingerprint, label, t.fingerprint);
    free(label);
    store_trusted_clear(&t);
    return -1;
}

int keys_trust_check(store *st, const keys_card *c, const char *purpose,
                     char **err)
{
    if (strcmp(purpose, "upstream") != 0 && strcmp(purpose, "accept") != 0) {
        *err = xasprintf(_("unknown purpose \"%s\""), purpose);
        return -1;
    }
    /* The card says what it is: a laptop never opens bundles for others,
     * so sealing for one would send data where no office reads it. */
    if (strcmp(purpose, "upstream") == 0 && strcmp(c->role, "office") != 0) {
        *err = xasprintf(_("%s is the card of a %s, not of an office: only "
                           "an office's card can be the one bundles are "
                           "sealed for (--upstream); a laptop's card is "
                           "trusted to send bundles here (--accept)"),
                         c->fpr, c->role);
        return -1;
    }
    keys_self self;
    int rc = keys_self_get(st, 0, &self, err);
    if (rc < 0)
        return -1;
    int mine = rc == 0 && strcmp(self.card.fpr, c->fpr) == 0;
    if (rc == 0)
        keys_self_clear(&self);
    if (mine) {
        *err = xasprintf(_("%s is this database's own card"), c->fpr);
        return -1;
    }
    return c->device ? device_taken(st, c, err) : 0;
}

int keys_trust(store *st, const keys_card *c, const char *purpose,
               char **err)
{
    if (keys_trust_check(st, c, purpose, err) != 0)
        return -1;
    char now[32];
    store_now(now, 0);
    store_trusted t = trusted_of(c, purpose, now, NULL);
    return store_trusted_trust(st, &t) == 0 ? 0 : store_err(st, err);
}

/* A stored trusted row as keys_trusted, its fingerprint recomputed from
 * its keys.  Takes ownership of t's strings and clears t. */
static void trusted_from(store_trusted *t, keys_trusted *out)
{
    memset(out, 0, sizeof *out);
    keys_card *c = &out->card;
    memcpy(c->sign_pk, t->sign_pk, sizeof c->sign_pk);
    memcpy(c->box_pk, t->box_pk, sizeof c->box_pk);
    keys_fingerprint(c->sign_pk, c->box_pk, c->fpr);
    c->role = t->role;
    c->commune = t->commune;
    c->name = t->name;
    c->device = t->device;
    out->purpose = t->purpose;
    out->trusted = t->trusted;
    out->revoked = t->revoked;
    t->role = t->commune = t->name = t->purpose = t->device = NULL;
    t->trusted = t->revoked = NULL;
    store_trusted_clear(t);
}

/* Finish a one-row lookup: 0 (out filled), 1 none, -1. */
static int trusted_one(store *st, int rc, store_trusted *t,
                       keys_trusted *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (rc < 0)
        return store_err(st, err);
    if (rc == 0)
        trusted_from(t, out);
    return rc;
}

int keys_trusted_get(store *st, const char *fpr, keys_trusted *out,
                     char **err)
{
    store_trusted t;
    return trusted_one(st, store_trusted_get(st, fpr, &t), &t, out, err);
}

int keys_upstream(store *st, keys_trusted *out, char **err)
{
    store_trusted t;
    return trusted_one(st, store_trusted_upstream(st, &t), &t, out, err);
}

int keys_accepting(store *st, long *n, char **err)
{
    return store_trusted_accepting(st, n) == 0 ? 0 : store_err(st, err);
}

int keys_sealed_only(store *st, int *yes, char **err)
{
    /* Revoked cards are kept, never deleted: counting them too makes the
     * policy sticky, so that revoking the last laptop (the answer to a
     * lost one) does not let plain bundles in again. */
    long n = 0;
    int rc = store_trusted_accepted_ever(st, &n) == 0 ? 0 : store_err(st, err);
    *yes = rc == 0 && n > 0;
    return rc;
}

int keys_sealed_out(store *st, int *yes, keys_trusted *last, char **err)
{
    store_trusted t;
    return trusted_one(st, store_trusted_sealed_out(st, yes, &t), &t, last,
                       err);
}

int keys_revoke(store *st, const char *fpr, char **err)
{
    keys_trusted t;
    int rc = keys_trusted_get(st, fpr, &t, err);
    if (rc != 0)
        return rc;
    int already = t.revoked != NULL;
    keys_trusted_clear(&t);
    if (already)
        return 0;
    char now[32];
    store_now(now, 0);
    return store_trusted_revoke(st, fpr, now) == 0 ? 0 : store_err(st, err);
}

void keys_trusted_clear(keys_trusted *t)
{
    keys_card_clear(&t->card);
    free(t->purpose);
    free(t->trusted);
    free(t->revoked);
    t->purpose = t->trusted = t->revoked = NULL;
}

/* keys_list's walk: each stored row handed on as keys_trusted. */
typedef struct list_walk {
    keys_trusted_fn fn;
    void *ctx;
} list_walk;

/* Copy a stored row (borrowed) and hand it to the caller's function. */
static int list_one(void *ctx, const store_trusted *row)
{
    list_walk *w = ctx;
    store_trusted t = *row;
    t.role = xstrdup(row->role);
    t.commune = xstrdup(row->commune);
    t.name = xstrdup(row->name);
    t.purpose = xstrdup(row->purpose);
    t.trusted = xstrdup(row->trusted);
    t.revoked = xstrdup(row->revoked);
    t.device = xstrdup(row->device);
    t.fingerprint = NULL;
    keys_trusted k;
    trusted_from(&t, &k);
    int stop = w->fn(w->ctx, &k);
    keys_trusted_clear(&k);
    return stop;
}

int keys_list(store *st, keys_trusted_fn fn, void *ctx, char **err)
{
    list_walk w = {fn, ctx};
    int rc = store_trusted_each(st, list_one, &w);
    return rc < 0 ? store_err(st, err) : rc;
}

char *keys_card_label(const keys_card *c)
{
    const char *name = c->name ? c->name : "";
    const char *commune = c->commune ? c->commune : "";
    if (*name && *commune)
        return xasprintf("%s, %s", name, commune);
    return xstrdup(*name ? name : commune);
}
