/* check_keys.c: identities, fingerprints, cards, trusting and revoking,
 * and the passphrase-protected backup. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "sync/keys.h"
#include "store/store.h"
#include "core/util.h"

static char *dir;

static void setup(void)
{
    dir = check_tmpdir_new("check_keys");
}

static void teardown(void)
{
    check_tmpdir_free(dir);
}

/* Open (creating) database name in the test directory. */
static store *db(const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    store *st;
    char *err = NULL;
    ck_assert_msg(store_open(path, &st, &err) == 0, "%s", err ? err : "?");
    free(path);
    return st;
}

/* A database with its role and names set, and its identity made. */
static store *member(const char *name, const char *role, const char *who)
{
    store *st = db(name);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_ROLE, role), 0);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_ENUMERATOR, who), 0);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_COMMUNE, "Xã A"), 0);
    return st;
}

/* The card of st, parsed back (as the other computer reads it). */
static void card_of(store *st, keys_card *out)
{
    keys_self self;
    char *err = NULL;
    ck_assert_msg(keys_self_get(st, 1, &self, &err) == 0, "%s", err);
    char *text = keys_card_text(&self);
    ck_assert_msg(keys_card_parse("card", text, strlen(text), out, &err) == 0,
                  "%s", err);
    free(text);
    keys_self_clear(&self);
}

START_TEST(fingerprints)
{
    unsigned char s[crypto_sign_PUBLICKEYBYTES] = {1};
    unsigned char b[crypto_box_PUBLICKEYBYTES] = {2};
    char f1[KEYS_FPR_SIZE], f2[KEYS_FPR_SIZE], f3[KEYS_FPR_SIZE];
    keys_fingerprint(s, b, f1);
    ck_assert_uint_eq(strlen(f1), 19);
    for (int i = 0; i < 19; i++)
        ck_assert(i % 5 == 4 ? f1[i] == '-'
                  : strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", f1[i]) != NULL);
    b[0] = 3;       /* either key changes it */
    keys_fingerprint(s, b, f2);
    ck_assert_str_ne(f1, f2);

    /* Typed back in any case, without dashes, with 0 for O. */
    char typed[32];
    snprintf(typed, sizeof typed, "%.4s %.4s%.4s%.4s", f1, f1 + 5, f1 + 10,
             f1 + 15);
    for (char *p = typed; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    ck_assert_int_eq(keys_fpr_parse(typed, f3), 0);
    ck_assert_str_eq(f3, f1);
    ck_assert_int_eq(keys_fpr_parse("ABCD-EFGH-0000-1111", f3), 0);
    ck_assert_str_eq(f3, "ABCD-EFGH-OOOO-IIII");
    ck_assert_int_eq(keys_fpr_parse("ABCD-EFGH-IJKL", f3), -1);
    ck_assert_int_eq(keys_fpr_parse("ABCD-EFGH-IJKL-MNOPQ", f3), -1);
    ck_assert_int_eq(keys_fpr_parse("ABCD-EFGH-IJKL-MNO8", f3), -1);
    ck_assert_int_eq(keys_fpr_parse("", f3), -1);
}
END_TEST

START_TEST(identity_is_made_once)
{
    store *st = member("a.db", "laptop", "Lan");
    keys_self a, b;
    char *err = NULL;
    ck_assert_int_eq(keys_self_get(st, 0, &a, &err), 1);
    ck_assert_int_eq(keys_self_get(st, 1, &a, &err), 0);
    ck_assert_int_eq(keys_self_get(st, 0, &b, &err), 0);
    ck_assert_str_eq(a.card.fpr, b.card.fpr);
    ck_assert_str_eq(a.card.role, "laptop");
    ck_assert_str_eq(a.card.name, "Lan");
    ck_assert(memcmp(a.sign_sk, b.sign_sk, sizeof a.sign_sk) == 0);
    keys_self_clear(&b);
    store_close(st);
    st = db("a.db");
    ck_assert_int_eq(keys_self_get(st, 0, &b, &err), 0);
    ck_assert_str_eq(a.card.fpr, b.card.fpr);
    keys_self_clear(&b);
    store *other = member("b.db", "laptop", "Hà");
    ck_assert_int_eq(keys_self_get(other, 1, &b, &err), 0);
    ck_assert_str_ne(a.card.fpr, b.card.fpr);
    keys_self_clear(&b);
    keys_self_clear(&a);
    store_close(other);
    store_close(st);
}
END_TEST

START_TEST(card_round_trip_and_tampering)
{
    store *st = member("o.db", "office", "");
    ck_assert_int_eq(store_setting_set(st, STORE_SET_CARD_NAME,
                                       "Văn phòng\nxã"), 0);
    keys_self self;
    char *err = NULL;
    ck_assert_int_eq(keys_self_get(st, 1, &self, &err), 0);
    char *text = keys_card_text(&self);
    /* The secret keys never appear on a card. */
    ck_assert_ptr_null(memmem(text, strlen(text), self.sign_sk, 32));
    keys_card c;
    ck_assert_int_eq(keys_card_parse("c", text, strlen(text), &c, &err), 0);
    ck_assert_str_eq(c.fpr, self.card.fpr);
    ck_assert_str_eq(c.role, "office");
    ck_assert_str_eq(c.name, "Văn phòng xã");   /* newline made a space */
    ck_assert_str_eq(c.commune, "Xã A");
    ck_assert(memcmp(c.box_pk, self.card.box_pk, sizeof c.box_pk) == 0);
    /* The card names the database's device. */
    char *dev = NULL;
    ck_assert_int_eq(store_device_id(st, &dev), 0);
    ck_assert_str_eq(c.device, dev);
    keys_card_clear(&c);
    /* A card made before cards named their device still reads, without
     * one; a device that is not a device id is refused. */
    free(self.card.device);
    self.card.device = NULL;
    char *old = keys_card_text(&self);
    ck_assert_ptr_null(strstr(old, "device:"));
    ck_assert_int_eq(keys_card_parse("c", old, strlen(old), &c, &err), 0);
    ck_assert_ptr_null(c.device);
    keys_card_clear(&c);
    free(old);
    self.card.device = xstrdup("../../etc");
    old = keys_card_text(&self);
    ck_assert_int_eq(keys_card_parse("c", old, strlen(old), &c, &err), -1);
    ck_assert_msg(strstr(err, "not a device id") != NULL, "%s", err);
    free(err);
    free(old);
    free(self.card.device);
    self.card.device = dev;

    /* Changing the name on the card breaks its signature. */
    char *bad = xstrdup(text);
    char *at = strstr(bad, "Văn");
    at[0] = 'X';
    ck_assert_int_eq(keys_card_parse("c", bad, strlen(bad), &c, &err), -1);
    ck_assert_msg(strstr(err, "signature does not match") != NULL, "%s", err);
    free(err);
    free(bad);
    /* A fingerprint that is not the keys' is refused. */
    bad = xstrdup(text);
    at = strstr(bad, "fingerprint: ") + 13;
    at[0] = at[0] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(keys_card_parse("c", bad, strlen(bad), &c, &err), -1);
    ck_assert_msg(strstr(err, "does not match the card's keys") != NULL,
                  "%s", err);
    free(err);
    free(bad);
    ck_assert_int_eq(keys_card_parse("c", "hello", 5, &c, &err), -1);
    ck_assert_str_eq(err, "c: not a khaosat card");
    free(err);
    /* Cut short: the signature line is missing. */
    ck_assert_int_eq(keys_card_parse("c", text, strlen(text) - 90, &c, &err),
                     -1);
    free(err);
    free(text);
    keys_self_clear(&self);
    store_close(st);
}
END_TEST

START_TEST(trust_list_revoke)
{
    store *lap = member("l.db", "laptop", "Lan");
    store *lap2 = member("l2.db", "laptop", "Hà");
    store *off = member("o.db", "office", "");
    store *off2 = member("o2.db", "office", "");
    keys_card cl, cl2, co, co2;
    card_of(lap, &cl);
    card_of(lap2, &cl2);
    card_of(off, &co);
    card_of(off2, &co2);
    char *err = NULL;

    /* A laptop sends to the office; an office accepts laptops. */
    ck_assert_str_eq(keys_default_purpose(lap, &co, &err), "upstream");
    ck_assert_str_eq(keys_default_purpose(off, &cl, &err), "accept");
    ck_assert_ptr_null(keys_default_purpose(off, &co2, &err));
    ck_assert_ptr_nonnull(strstr(err, "--upstream"));
    free(err);

    ck_assert_int_eq(keys_trust(lap, &co, "upstream", &err), 0);
    keys_trusted t;
    ck_assert_int_eq(keys_upstream(lap, &t, &err), 0);
    ck_assert_str_eq(t.card.fpr, co.fpr);
    keys_trusted_clear(&t);
    /* A new office replaces the old one, which is kept as revoked. */
    ck_assert_int_eq(keys_trust(lap, &co2, "upstream", &err), 0);
    ck_assert_int_eq(keys_upstream(lap, &t, &err), 0);
    ck_assert_str_eq(t.card.fpr, co2.fpr);
    keys_trusted_clear(&t);
    ck_assert_int_eq(keys_trusted_get(lap, co.fpr, &t, &err), 0);
    ck_assert_ptr_nonnull(t.revoked);
    keys_trusted_clear(&t);

    long n;
    ck_assert_int_eq(keys_accepting(off, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(keys_trust(off, &cl, "accept", &err), 0);
    ck_assert_int_eq(keys_trust(off, &cl2, "accept", &err), 0);
    ck_assert_int_eq(keys_accepting(off, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(keys_upstream(off, &t, &err), 1);
    ck_assert_int_eq(keys_trust(off, &co, "accept", &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "own card"));
    free(err);

    ck_assert_int_eq(keys_revoke(off, cl2.fpr, &err), 0);
    ck_assert_int_eq(keys_accepting(off, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(keys_trusted_get(off, cl2.fpr, &t, &err), 0);
    ck_assert_ptr_nonnull(t.revoked);
    keys_trusted_clear(&t);
    ck_assert_int_eq(keys_revoke(off, "AAAA-AAAA-AAAA-AAAA", &err), 1);
    /* Trusting again lifts the revocation. */
    ck_assert_int_eq(keys_trust(off, &cl2, "accept", &err), 0);
    ck_assert_int_eq(keys_accepting(off, &n, &err), 0);
    ck_assert_int_eq(n, 2);

    keys_card_clear(&cl);
    keys_card_clear(&cl2);
    keys_card_clear(&co);
    keys_card_clear(&co2);
    store_close(lap);
    store_close(lap2);
    store_close(off);
    store_close(off2);
}
END_TEST

static int count_cards(void *ctx, const keys_trusted *t)
{
    (void)t;
    ++*(int *)ctx;
    return 0;
}

START_TEST(backup_and_restore)
{
    store *off = member("o.db", "office", "");
    /* A name long enough that random base64 cannot contain it by chance. */
    store *lap = member("l.db", "laptop", "Lò Thị Lan Anh");
    keys_card cl;
    card_of(lap, &cl);
    char *err = NULL;
    ck_assert_int_eq(keys_trust(off, &cl, "accept", &err), 0);
    keys_self self;
    ck_assert_int_eq(keys_self_get(off, 1, &self, &err), 0);
    char *file = xasprintf("%s/keys.backup", dir);
    ck_assert_msg(keys_backup(off, file, "correct horse", &err) == 0, "%s",
                  err);
    struct stat sb;
    ck_assert_int_eq(stat(file, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0600);
    /* The secrets are not in the file in any readable form. */
    size_t len;
    char *text = util_read_file(file, &len);
    ck_assert_ptr_null(memmem(text, len, self.sign_sk, 16));
    ck_assert_ptr_null(memmem(text, len, "Lò Thị Lan Anh", 16));
    free(text);
    /* Writing over an existing file is refused. */
    ck_assert_int_eq(keys_backup(off, file, "correct horse", &err), -1);
    free(err);

    /* A new computer for the office. */
    store *fresh = db("new.db");
    char fpr[KEYS_FPR_SIZE];
    ck_assert_int_eq(keys_restore(fresh, file, "wrong horse", 0, fpr, &err),
                     -1);
    ck_assert_msg(strstr(err, "wrong passphrase") != NULL, "%s", err);
    free(err);
    keys_self got;
    ck_assert_int_eq(keys_self_get(fresh, 0, &got, &err), 1);
    ck_assert_msg(keys_restore(fresh, file, "correct horse", 0, fpr, &err)
                  == 0, "%s", err);
    ck_assert_str_eq(fpr, self.card.fpr);
    ck_assert_int_eq(keys_self_get(fresh, 0, &got, &err), 0);
    ck_assert_str_eq(got.card.fpr, self.card.fpr);
    ck_assert(memcmp(got.box_sk, self.box_sk, sizeof got.box_sk) == 0);
    keys_self_clear(&got);
    int cards = 0;
    ck_assert_int_eq(keys_list(fresh, count_cards, &cards, &err), 0);
    ck_assert_int_eq(cards, 1);
    long n;
    ck_assert_int_eq(keys_accepting(fresh, &n, &err), 0);
    ck_assert_int_eq(n, 1);

    /* A database with an identity of its own keeps it unless told. */
    ck_assert_int_eq(keys_restore(lap, file, "correct horse", 0, fpr, &err),
                     -1);
    ck_assert_msg(strstr(err, "--replace") != NULL, "%s", err);
    free(err);
    ck_assert_int_eq(keys_self_get(lap, 0, &got, &err), 0);
    ck_assert_str_eq(got.card.fpr, cl.fpr);
    keys_self_clear(&got);
    ck_assert_int_eq(keys_restore(lap, file, "correct horse", 1, fpr, &err),
                     0);
    ck_assert_int_eq(keys_self_get(lap, 0, &got, &err), 0);
    ck_assert_str_eq(got.card.fpr, self.card.fpr);
    keys_self_clear(&got);

    /* A damaged backup is refused, not half restored. */
    text = util_read_file(file, &len);
    char *data = strstr(text, "data: ") + 6;
    data[0] = data[0] == 'A' ? 'B' : 'A';
    FILE *f = fopen(file, "w");
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    free(text);
    store *fresh2 = db("new2.db");
    ck_assert_int_eq(keys_restore(fresh2, file, "correct horse", 0, fpr,
                                  &err), -1);
    free(err);
    ck_assert_int_eq(keys_self_get(fresh2, 0, &got, &err), 1);

    free(file);
    keys_self_clear(&self);
    keys_card_clear(&cl);
    store_close(fresh);
    store_close(fresh2);
    store_close(lap);
    store_close(off);
}
END_TEST

/* keys_card_load(path) is refused with a message holding want. */
static void card_refused(const char *path, const char *want)
{
    keys_card c;
    char *err = NULL;
    ck_assert_int_eq(keys_card_load(path, &c, &err), -1);
    ck_assert_msg(strstr(err, path) && strstr(err, want), "%s", err);
    free(err);
}

/* A card is read only from a small regular file: a FIFO, a link to a
 * device and a huge sparse file are refused at once (the alarm fails the
 * test if one of them hangs or is read whole). */
START_TEST(card_files_bounded)
{
    alarm(10);
    char *fifo = xasprintf("%s/fifo.card", dir);
    char *zero = xasprintf("%s/zero.card", dir);
    char *big = xasprintf("%s/big.card", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(symlink("/dev/zero", zero), 0);
    FILE *f = fopen(big, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs("khaosat card 1\n", f) >= 0, 1);
    ck_assert_int_eq(fseeko(f, (off_t)1 << 31, SEEK_SET), 0);
    ck_assert_int_eq(fputc('\n', f), '\n');
    ck_assert_int_eq(fclose(f), 0);
    card_refused(fifo, "not a regular file");
    card_refused(zero, "symbolic link");
    card_refused(big, "too large");
    alarm(0);
    free(fifo);
    free(zero);
    free(big);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = check_tcase(s, "keys", setup, teardown, 120);
    tcase_add_test(tc, fingerprints);
    tcase_add_test(tc, identity_is_made_once);
    tcase_add_test(tc, card_round_trip_and_tampering);
    tcase_add_test(tc, card_files_bounded);
    tcase_add_test(tc, trust_list_revoke);
    tcase_add_test(tc, backup_and_restore);
    return check_run(s);
}
