/* keys_backup.c: the identity and trusted cards of a database written to
 * a file under a passphrase, and read back.
 *
 * The file is text:
 *   khaosat key backup 1
 *   fingerprint: K7QM-3XTA-9PZD-RW4E
 *   kdf: argon2id13 OPSLIMIT MEMLIMIT
 *   salt: BASE64
 *   nonce: BASE64
 *   data: BASE64
 * data is crypto_secretbox (XSalsa20-Poly1305) under the key Argon2id
 * derives from the passphrase and salt; inside, lines "sign-secret:",
 * "box-secret:" and "box-key:" (base64) and one "trusted:" line per card
 * with tab-separated fingerprint, purpose, trusted, revoked, role, both
 * keys, commune, name and device (empty when the card named none; older
 * backups end at the name). */
#include "config.h"
#include "sync/keys.h"
#include "sync/keys_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "store/store.h"
#include "core/durable.h"
#include "core/i18n.h"

#define BACKUP_MAGIC "khaosat key backup 1\n"
#define BACKUP_MAX (16L << 20)
/* The costs a backup may ask of the computer restoring it. */
#define MAX_OPSLIMIT 16ULL
#define MAX_MEMLIMIT (1ULL << 30)

/* Append the trusted card as one "trusted:" line. */
static int add_trusted(void *ctx, const keys_trusted *t)
{
    sbuf *b = ctx;
    sbuf_addf(b, "trusted: %s\t%s\t%s\t%s\t%s\t", t->card.fpr, t->purpose,
              t->trusted, t->revoked ? t->revoked : "", t->card.role);
    keys_b64(b, t->card.sign_pk, sizeof t->card.sign_pk);
    sbuf_addc(b, '\t');
    keys_b64(b, t->card.box_pk, sizeof t->card.box_pk);
    sbuf_addf(b, "\t%s\t%s\t%s\n", t->card.commune, t->card.name,
              t->card.device ? t->card.device : "");
    return 0;
}

/* The secret content of a backup; wipe it after use. */
static int backup_plain(store *st, const keys_self *self, sbuf *b,
                        char **err)
{
    sbuf_add(b, "sign-secret: ");
    keys_b64(b, self->sign_sk, sizeof self->sign_sk);
    sbuf_add(b, "\nbox-secret: ");
    keys_b64(b, self->box_sk, sizeof self->box_sk);
    sbuf_add(b, "\nbox-key: ");
    keys_b64(b, self->card.box_pk, sizeof self->card.box_pk);
    sbuf_addc(b, '\n');
    return keys_list(st, add_trusted, b, err);
}

/* Derive the secretbox key from the passphrase. */
static int derive(unsigned char *key, const char *pass,
                  const unsigned char *salt, unsigned long long ops,
                  size_t mem, char **err)
{
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, strlen(pass),
                      salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        *err = xstrdup(_("not enough memory to derive the key from the "
                       "passphrase"));
        return -1;
    }
    return 0;
}

/* Whether cp leaves no mark of its own: White_Space (the Z categories and
 * the controls, tab, LF, CR, VT, FF and NEL among them), format characters
 * (Cf: U+200B, U+FEFF ...), Default_Ignorable_Code_Point, and U+2800 (the
 * blank braille pattern).  utf8proc's tables, not a list of our own. */
static int passphrase_blank(utf8proc_int32_t cp)
{
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    switch (p->category) {
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
        return 1;
    default:
        return p->ignorable || cp == 0x2800;
    }
}

/* Characters (not bytes) of a UTF-8 passphrase, not counting blank or
 * invisible ones anywhere: twelve spaces, or twelve ideographic spaces,
 * are no passphrase at all.  A byte that is not UTF-8 counts as one. */
static size_t passphrase_chars(const char *s)
{
    size_t n = 0, len = strlen(s), off = 0;
    while (off < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s
                                              + off,
                                              (utf8proc_ssize_t)(len - off),
                                              &cp);
        if (k <= 0) {
            n++;
            off++;
            continue;
        }
        n += !passphrase_blank(cp);
        off += (size_t)k;
    }
    return n;
}

int keys_backup_text(store *st, const char *passphrase, char **text,
                     size_t *len, char **err)
{
    *text = NULL;
    if (passphrase_chars(passphrase) < KEYS_MIN_PASSPHRASE) {
        *err = xasprintf(_("a passphrase needs at least %d characters, not "
                           "counting spaces and invisible characters; "
                           "nothing written"), KEYS_MIN_PASSPHRASE);
        return -1;
    }
    keys_self self;
    /* Backing up only reads: keys are made by 'keys export', never here. */
    int got = keys_self_get(st, 0, &self, err);
    if (got > 0)
        *err = xasprintf(_("%s has no keys yet, so there is nothing to back "
                           "up; 'khaosat keys export --to FILE' makes them"),
                         store_path(st));
    if (got != 0)
        return -1;
    sbuf plain;
    sbuf_init(&plain);
    int rc = backup_plain(st, &self, &plain, err);
    unsigned char salt[crypto_pwhash_SALTBYTES];
    unsigned char nonce[crypto_secretbox_NONCEBYTES];
    unsigned char key[crypto_secretbox_KEYBYTES];
    /* libsodium's MODERATE costs (256 MiB, about a second on an old
     * laptop): a stolen backup is attacked offline, at leisure.  Restore
     * reads the costs from the file, so older backups still open. */
    unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
    size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    if (rc == 0)
        rc = derive(key, passphrase, salt, ops, mem, err);
    unsigned char *box = NULL;
    if (rc == 0) {
        box = xmalloc(plain.len + crypto_secretbox_MACBYTES);
        crypto_secretbox_easy(box, (const unsigned char *)plain.s, plain.len,
                              nonce, key);
    }
    if (rc == 0) {
        sbuf out;
        sbuf_init(&out);
        sbuf_addf(&out, BACKUP_MAGIC "fingerprint: %s\nkdf: argon2id13 %llu "
                  "%zu\nsalt: ", self.card.fpr, ops, mem);
        keys_b64(&out, salt, sizeof salt);
        sbuf_add(&out, "\nnonce: ");
        keys_b64(&out, nonce, sizeof nonce);
        sbuf_add(&out, "\ndata: ");
        keys_b64(&out, box, plain.len + crypto_secretbox_MACBYTES);
        sbuf_addc(&out, '\n');
        *len = out.len;
        *text = sbuf_detach(&out);
    }
    free(box);
    sodium_memzero(key, sizeof key);
    sodium_memzero(plain.s, plain.len);
    sbuf_free(&plain);
    keys_self_clear(&self);
    return rc;
}

int keys_backup(store *st, const char *path, const char *passphrase,
                char **err)
{
    char *text;
    size_t len;
    if (keys_backup_text(st, passphrase, &text, &len, err) != 0)
        return -1;
    /* Only its owner may read it; on the disk before "backed up". */
    int rc = durable_write_file(path, text, len, 0600, DURABLE_NEW, err);
    free(text);
    return rc;
}

/* What a backup file says outside its encryption. */
typedef struct backup_head {
    char fpr[KEYS_FPR_SIZE];
    unsigned long long ops;
    unsigned long long mem;
    unsigned char salt[crypto_pwhash_SALTBYTES];
    unsigned char nonce[crypto_secretbox_NONCEBYTES];
    unsigned char *box;
    size_t box_len;
} backup_head;

/* The value of line "key: value" at *p, moving *p past it; NULL when the
 * line is not that (the returned value is newly allocated). */
static char *head_line(const char **p, const char *end, const char *key)
{
    size_t k = strlen(key);
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl || (size_t)(nl - *p) < k + 2 || memcmp(*p, key, k) != 0
        || (*p)[k] != ':' || (*p)[k + 1] != ' ')
        return NULL;
    char *v = xstrndup(*p + k + 2, (size_t)(nl - *p) - k - 2);
    *p = nl + 1;
    return v;
}

/* Parse the outside of a backup. */
static int parse_head(const char *text, size_t len, backup_head *h)
{
    size_t m = strlen(BACKUP_MAGIC);
    if (len < m || memcmp(text, BACKUP_MAGIC, m) != 0)
        return -1;
    const char *p = text + m, *end = text + len;
    char *v[5] = {NULL};
    static const char *const key[5] = {"fingerprint", "kdf", "salt", "nonce",
                                       "data"};
    int bad = 0;
    for (int i = 0; i < 5 && !bad; i++)
        bad = !(v[i] = head_line(&p, end, key[i]));
    char alg[16];
    char extra;
    if (!bad)
        bad = p != end || keys_fpr_parse(v[0], h->fpr) != 0
            || sscanf(v[1], "%15s %llu %llu%c", alg, &h->ops, &h->mem,
                      &extra) != 3
            || strcmp(alg, "argon2id13") != 0
            || keys_unb64(v[2], strlen(v[2]), h->salt, sizeof h->salt) != 0
            || keys_unb64(v[3], strlen(v[3]), h->nonce, sizeof h->nonce) != 0;
    if (!bad) {
        size_t cap = strlen(v[4]);
        h->box = xmalloc(cap + 1);
        const char *e = NULL;
        bad = sodium_base642bin(h->box, cap, v[4], strlen(v[4]), NULL,
                                &h->box_len, &e,
                                sodium_base64_VARIANT_ORIGINAL) != 0
            || e != v[4] + strlen(v[4])
            || h->box_len < crypto_secretbox_MACBYTES;
    }
    for (int i = 0; i < 5; i++)
        free(v[i]);
    return bad ? -1 : 0;
}

/* Split line at tabs into exactly n fields (pointing into line). */
static int split_tabs(char *line, char **f, int n)
{
    for (int i = 0; i < n; i++) {
        f[i] = line;
        char *t = strchr(line, '\t');
        if (i < n - 1) {
            if (!t)
                return -1;
            *t = '\0';
            line = t + 1;
        } else if (t) {
            return -1;
        }
    }
    return 0;
}

/* One "trusted:" line (without its key) into st, unless st knows it. */
static int restore_trusted(store *st, char *line, char **err)
{
    char *f[10];
    keys_card c;
    memset(&c, 0, sizeof c);
    /* Backups made before cards named their device have nine fields. */
    int nf = 1;
    for (const char *p = line; *p; p++)
        nf += *p == '\t';
    f[9] = NULL;
    if ((nf != 9 && nf != 10) || split_tabs(line, f, nf) != 0
        || keys_unb64(f[5], strlen(f[5]), c.sign_pk, sizeof c.sign_pk) != 0
        || keys_unb64(f[6], strlen(f[6]), c.box_pk, sizeof c.box_pk) != 0
        || !keys_field_ok(f[7], strlen(f[7]))
        || !keys_field_ok(f[8], strlen(f[8]))
        || (f[9] && !keys_field_ok(f[9], strlen(f[9])))) {
        *err = xstrdup(_("a trusted card of the backup is damaged"));
        return -1;
    }
    keys_fingerprint(c.sign_pk, c.box_pk, c.fpr);
    if (strcmp(c.fpr, f[0]) != 0) {
        *err = xasprintf(_("trusted card %.19s of the backup does not match "
                         "its keys"), f[0]);
        return -1;
    }
    c.role = f[4];
    c.commune = f[7];
    c.name = f[8];
    c.device = f[9] && *f[9] ? f[9] : NULL;
    return keys_trusted_put(st, &c, f[1], f[2], *f[3] ? f[3] : NULL, 1, err);
}

/* Parse the decrypted content into self; the "trusted:" lines are left
 * for restore_cards.  *rest points at the first of them. */
static int parse_plain(char *text, keys_self *self, char **rest)
{
    static const char *const key[3] = {"sign-secret", "box-secret",
                                       "box-key"};
    unsigned char *dst[3] = {self->sign_sk, self->box_sk, self->card.box_pk};
    size_t n[3] = {sizeof self->sign_sk, sizeof self->box_sk,
                   sizeof self->card.box_pk};
    const char *p = text, *end = text + strlen(text);
    for (int i = 0; i < 3; i++) {
        char *v = head_line(&p, end, key[i]);
        int bad = !v || keys_unb64(v, strlen(v), dst[i], n[i]) != 0;
        if (v)
            sodium_memzero(v, strlen(v));
        free(v);
        if (bad)
            return -1;
    }
    crypto_sign_ed25519_sk_to_pk(self->card.sign_pk, self->sign_sk);
    unsigned char check[crypto_box_PUBLICKEYBYTES];
    crypto_scalarmult_base(check, self->box_sk);
    if (sodium_memcmp(check, self->card.box_pk, sizeof check) != 0)
        return -1;
    keys_fingerprint(self->card.sign_pk, self->card.box_pk, self->card.fpr);
    *rest = (char *)p;
    return 0;
}

/* Every "trusted:" line from p on. */
static int restore_cards(store *st, char *p, char **err)
{
    while (*p) {
        char *nl = strchr(p, '\n');
        if (!nl || strncmp(p, "trusted: ", 9) != 0) {
            *err = xstrdup(_("unexpected content in the backup"));
            return -1;
        }
        *nl = '\0';
        if (restore_trusted(st, p + 9, err) != 0)
            return -1;
        p = nl + 1;
    }
    return 0;
}

/* Refuse to replace a different identity unless asked to. */
static int check_replace(store *st, const char *fpr, int replace, char **err)
{
    keys_self old;
    int rc = keys_self_get(st, 0, &old, err);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return 0;
    int other = strcmp(old.card.fpr, fpr) != 0;
    if (other && !replace)
        *err = xasprintf(_("%s already has the identity %s; restoring %s "
                         "would replace it (bundles sealed for it could no "
                         "longer be read): use --replace if that is meant"),
                         store_path(st), old.card.fpr, fpr);
    keys_self_clear(&old);
    return other && !replace ? -1 : 0;
}

/* Decrypt the backup's content; newly allocated, NUL-terminated. */
static char *open_box(const backup_head *h, const char *pass, size_t *len,
                      char **err)
{
    if (h->ops < crypto_pwhash_OPSLIMIT_MIN || h->ops > MAX_OPSLIMIT
        || h->mem < crypto_pwhash_MEMLIMIT_MIN || h->mem > MAX_MEMLIMIT) {
        *err = xstrdup(_("the backup asks for unreasonable key derivation "
                       "costs"));
        return NULL;
    }
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (derive(key, pass, h->salt, h->ops, (size_t)h->mem, err) != 0)
        return NULL;
    size_t n = h->box_len - crypto_secretbox_MACBYTES;
    char *plain = xmalloc(n + 1);
    int rc = crypto_secretbox_open_easy((unsigned char *)plain, h->box,
                                        h->box_len, h->nonce, key);
    sodium_memzero(key, sizeof key);
    if (rc != 0 || memchr(plain, '\0', n)) {
        free(plain);
        *err = xstrdup(_("wrong passphrase, or the backup was altered"));
        return NULL;
    }
    plain[n] = '\0';
    *len = n;
    return plain;
}

/* Store the restored identity and cards in one transaction. */
static int restore_into(store *st, const keys_self *self, char *cards,
                        char **err)
{
    if (store_begin(st) != 0) {
        *err = xstrdup(store_errmsg(st));
        return -1;
    }
    int rc = keys_self_store(st, self, 1, err);
    if (rc == 0)
        rc = restore_cards(st, cards, err);
    if (rc == 0 && store_commit(st) != 0) {
        *err = xstrdup(store_errmsg(st));
        rc = -1;
    }
    if (rc != 0)
        store_rollback(st);
    return rc;
}

int keys_restore(store *st, const char *path, const char *passphrase,
                 int replace, char fpr[KEYS_FPR_SIZE], char **err)
{
    if (sodium_init() < 0) {
        *err = xstrdup(_("libsodium failed to initialise"));
        return -1;
    }
    size_t len;
    char *text = util_read_file(path, &len);
    if (!text) {
        *err = xasprintf(_("%s: cannot read: %s"), path, strerror(errno));
        return -1;
    }
    backup_head h;
    memset(&h, 0, sizeof h);
    char *why = NULL, *plain = NULL, *cards = NULL;
    size_t plain_len = 0;
    keys_self self;
    memset(&self, 0, sizeof self);
    int rc = -1;
    if (len > BACKUP_MAX || parse_head(text, len, &h) != 0)
        why = xstrdup(_("not a khaosat key backup, or a damaged one"));
    else if (!(plain = open_box(&h, passphrase, &plain_len, &why)))
        ;
    else if (parse_plain(plain, &self, &cards) != 0
             || strcmp(self.card.fpr, h.fpr) != 0)
        why = xstrdup(_("the keys inside the backup are damaged"));
    else if (check_replace(st, self.card.fpr, replace, err) != 0)
        ;
    else if ((rc = restore_into(st, &self, cards, &why)) == 0)
        memcpy(fpr, self.card.fpr, KEYS_FPR_SIZE);
    if (why)
        *err = xasprintf("%s: %s", path, why);
    free(why);
    if (plain) {
        sodium_memzero(plain, plain_len);
        free(plain);
    }
    free(h.box);
    free(text);
    keys_self_clear(&self);
    return rc;
}

int keys_backup_identity(const char *name, const char *text, size_t len,
                         const char *passphrase, keys_self *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0) {
        *err = xstrdup(_("libsodium failed to initialise"));
        return -1;
    }
    backup_head h;
    memset(&h, 0, sizeof h);
    char *why = NULL, *plain = NULL, *cards = NULL;
    size_t plain_len = 0;
    if (len > BACKUP_MAX || parse_head(text, len, &h) != 0)
        why = xstrdup(_("not a khaosat key backup, or a damaged one"));
    else if (!(plain = open_box(&h, passphrase, &plain_len, &why)))
        ;
    else if (parse_plain(plain, out, &cards) != 0
             || strcmp(out->card.fpr, h.fpr) != 0)
        why = xstrdup(_("the keys inside the backup are damaged"));
    if (why) {
        *err = xasprintf("%s: %s", name, why);
        free(why);
        keys_self_clear(out);
    }
    if (plain) {
        sodium_memzero(plain, plain_len);
        free(plain);
    }
    free(h.box);
    return why ? -1 : 0;
}
