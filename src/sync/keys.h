/* keys.h: the identity of a khaosat database and the identities it trusts.
 *
 * Every database has one identity, made the first time it is needed: a
 * signing key pair (Ed25519) and an encryption key pair (X25519).  The
 * secret halves stay in the database; only keys_backup() writes them out,
 * encrypted under a passphrase.
 *
 * A card is the public side of an identity as a small text file that
 * travels to the other computer: role (laptop or office), commune, name,
 * both public keys, the fingerprint, and a signature by the card's own key
 * over all of it.  The fingerprint is what people compare aloud: the first
 * 10 bytes of a BLAKE2b hash of both public keys in base32, four groups of
 * four characters ("K7QM-3XTA-9PZD-RW4E").
 *
 * A trusted card has a purpose: "upstream" is the office this database's
 * bundles are sealed for (one at a time); "accept" is a laptop, or a
 * commune office, whose bundles this database merges.  Revoking keeps the
 * card, marked, so its bundles are refused as revoked rather than unknown.
 *
 * Errors: functions return 0 on success and -1 on failure with *err newly
 * allocated, saying what failed and where. */
#ifndef KHAOSAT_KEYS_H
#define KHAOSAT_KEYS_H

#include <stddef.h>

#include <sodium.h>

#include "store/store.h"

/* "XXXX-XXXX-XXXX-XXXX" and its NUL. */
#define KEYS_FPR_SIZE 20
/* Longest role, commune or name on a card, in bytes. */
#define KEYS_MAX_FIELD 200

/* The public side of an identity.  Strings owned by the struct. */
typedef struct keys_card {
    unsigned char sign_pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char box_pk[crypto_box_PUBLICKEYBYTES];
    char *role;               /* "laptop" or "office" */
    char *commune, *name;
    char *device;             /* the device id of the database, or NULL
                                 on a card made before cards named it */
    char fpr[KEYS_FPR_SIZE];
} keys_card;

/* This database's identity, secrets included (clear it after use). */
typedef struct keys_self {
    keys_card card;
    unsigned char sign_sk[crypto_sign_SECRETKEYBYTES];
    unsigned char box_sk[crypto_box_SECRETKEYBYTES];
} keys_self;

/* A card this database trusts, or trusted once. */
typedef struct keys_trusted {
    keys_card card;
    char *purpose;            /* "upstream" or "accept" */
    char *trusted;            /* when it was trusted */
    char *revoked;            /* when it was revoked, or NULL */
} keys_trusted;

/* The fingerprint of a pair of public keys. */
void keys_fingerprint(const unsigned char *sign_pk,
                      const unsigned char *box_pk, char out[KEYS_FPR_SIZE]);
/* Read a fingerprint as a person types it (any case, with or without
 * dashes or spaces) into its canonical form; -1 when it is not one. */
int keys_fpr_parse(const char *in, char out[KEYS_FPR_SIZE]);

/* This database's role: "laptop" unless set to "office"; newly allocated. */
int keys_role(store *st, char **role, char **err);

/* This database's identity, made now when it has none and create is set.
 * Returns 0, 1 when there is none (create unset), or -1. */
int keys_self_get(store *st, int create, keys_self *out, char **err);
/* Wipe the secrets and free the strings of an identity. */
void keys_self_clear(keys_self *self);

/* The card of this identity as text (newly allocated). */
char *keys_card_text(const keys_self *self);
/* Parse and check a card: fields, keys, fingerprint and self-signature.
 * name is the file, for messages. */
int keys_card_parse(const char *name, const char *text, size_t len,
                    keys_card *out, char **err);
/* Write the card of self to path (replacing it), mode 0600, synced to
 * the disk with its directory, and read it back. */
int keys_card_write(const keys_self *self, const char *path, char **err);
/* Read and check the card in file path. */
int keys_card_load(const char *path, keys_card *out, char **err);
/* "name, commune" of a card for messages, or whichever of the two it
 * has, or "" (newly allocated). */
char *keys_card_label(const keys_card *c);
/* Free the strings of a card. */
void keys_card_clear(keys_card *c);

/* The purpose a card gets when none is asked for: "accept" for a laptop's
 * card, "upstream" for an office card on a laptop; NULL (with *err saying
 * to choose) for an office card on an office. */
const char *keys_default_purpose(store *st, const keys_card *c, char **err);
/* Whether card c may be trusted here for purpose, before anyone is asked:
 * 0, or -1 with *err (newly allocated) when the purpose is unknown, a
 * laptop's card is offered as upstream, c is this database's own card or
 * its device is already bound here to another card.  keys_trust checks
 * the same again. */
int keys_trust_check(store *st, const keys_card *c, const char *purpose,
                     char **err);
/* Trust card c for purpose, lifting any revocation of it.  A new upstream
 * office replaces the previous one (which is revoked). */
int keys_trust(store *st, const keys_card *c, const char *purpose,
               char **err);
/* Revoke the trusted card with fingerprint fpr: 0, 1 when there is no
 * such card, -1 on failure. */
int keys_revoke(store *st, const char *fpr, char **err);
/* The trusted card with fingerprint fpr: 0, 1 when there is none, -1. */
int keys_trusted_get(store *st, const char *fpr, keys_trusted *out,
                     char **err);
/* The office this database's bundles are sealed for: 0, 1 when there is
 * none (or it was revoked), -1. */
int keys_upstream(store *st, keys_trusted *out, char **err);
/* How many cards this database accepts bundles from (not revoked). */
int keys_accepting(store *st, long *n, char **err);
/* Whether this database takes only sealed bundles: once it has trusted
 * any sender (even one revoked since), plain bundles need an explicit
 * "allow unsigned" on each merge. */
int keys_sealed_only(store *st, int *yes, char **err);
/* Whether this database has ever sealed its bundles for an office (*yes):
 * once it has, it never writes a plain bundle again.  0 with the latest
 * office card it sealed for in *last (revoked or not, clear it), 1 when
 * none is left to name, -1. */
int keys_sealed_out(store *st, int *yes, keys_trusted *last, char **err);
/* Free the strings of a trusted card. */
void keys_trusted_clear(keys_trusted *t);

typedef int (*keys_trusted_fn)(void *ctx, const keys_trusted *t);
/* Call fn for each trusted card, revoked ones too, upstream first; a
 * non-zero return stops and is returned. */
int keys_list(store *st, keys_trusted_fn fn, void *ctx, char **err);

/* Shortest passphrase of a backup, in characters, blank and invisible
 * ones (anywhere) not counted. */
#define KEYS_MIN_PASSPHRASE 12

/* Write this database's identity and its trusted cards to a new file path,
 * encrypted under passphrase (at least KEYS_MIN_PASSPHRASE characters,
 * not counting blank or invisible ones;
 * Argon2id with libsodium's MODERATE costs, then XSalsa20-Poly1305);
 * mode 0600, on the disk (file and directory synced) before it returns. */
int keys_backup(store *st, const char *path, const char *passphrase,
                char **err);
/* The same backup as text (newly allocated, *len bytes), for a file
 * that carries it inside (khaosat backup --with-keys). */
int keys_backup_text(store *st, const char *passphrase, char **text,
                     size_t *len, char **err);
/* The identity inside backup text (len bytes; name for messages), for
 * opening what was sealed for it before any database has it. */
int keys_backup_identity(const char *name, const char *text, size_t len,
                         const char *passphrase, keys_self *out, char **err);
/* Restore a backup into st.  A database that already has another identity
 * is refused unless replace is set.  Trusted cards of the backup that st
 * does not know are added.  fpr receives the restored fingerprint. */
int keys_restore(store *st, const char *path, const char *passphrase,
                 int replace, char fpr[KEYS_FPR_SIZE], char **err);

#endif
