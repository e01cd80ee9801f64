/* check_envelope.c: sealed bundles.  A laptop's export is sealed for its
 * office and signed; the office merges it; every forged, altered, stripped,
 * misdirected, unknown or revoked bundle is refused with its reason and
 * the office database untouched; no answer can be read in the sealed
 * bytes; bundles go from laptop to commune to province. */
#include "config.h"

#include <check.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_fixture.h"
#include "hostile_fixture.h"
#include "check_main.h"
#include "sync/envelope.h"
#include "sync/keys.h"
#include "sync/merge.h"
#include "store/store_int.h"

/* A database with role set (laptops get the household form). */
static store *node(const char *name, const char *role)
{
    store *st = fx_laptop(name);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_ROLE, role), 0);
    return st;
}

/* truster trusts the card of trusted for purpose. */
static void trust(store *truster, store *trusted, const char *purpose)
{
    keys_self self;
    keys_card c;
    char *err = NULL;
    ck_assert_int_eq(keys_self_get(trusted, 1, &self, &err), 0);
    char *text = keys_card_text(&self);
    ck_assert_int_eq(keys_card_parse("card", text, strlen(text), &c, &err),
                     0);
    ck_assert_msg(keys_trust(truster, &c, purpose, &err) == 0, "%s", err);
    keys_card_clear(&c);
    free(text);
    keys_self_clear(&self);
}

/* The fingerprint of st (made if needed). */
static void fpr_of(store *st, char out[KEYS_FPR_SIZE])
{
    keys_self self;
    char *err = NULL;
    ck_assert_int_eq(keys_self_get(st, 1, &self, &err), 0);
    memcpy(out, self.card.fpr, KEYS_FPR_SIZE);
    keys_self_clear(&self);
}

/* Export st into directory sub; *sealed_for says for whom. */
static char *export_to(store *st, const char *sub, unsigned flags,
                       char sealed_for[KEYS_FPR_SIZE])
{
    char *dir = fx_subdir(sub);
    char *path = NULL, *err = NULL;
    long n;
    ck_assert_msg(envelope_export(st, dir, flags, &path, &n, NULL, sealed_for,
                                  &err) == 0, "export: %s", err);
    ck_assert_ptr_nonnull(path);
    free(dir);
    return path;
}

/* Open and merge path into st; the merge counts' added. */
static long merge_ok(store *st, const char *path, unsigned flags)
{
    bundle *b;
    char *err = NULL;
    ck_assert_msg(envelope_open(st, path, flags, &b, NULL, &err) == 0, "%s",
                  err);
    merger *m = merger_new(st);
    merge_counts c;
    ck_assert_msg(merger_run(m, b, NULL, NULL, &c, &err) == 0, "%s", err);
    merger_free(m);
    bundle_close(b);
    return c.added;
}

/* Opening path in st must fail saying want, changing nothing. */
static void refused(store *st, const char *path, unsigned flags,
                    const char *want)
{
    sqlite3 *db = store_sqlite(st);
    int before = sqlite3_total_changes(db);
    long ivs = check_sql_long(store_path(st), "SELECT count(*) FROM interviews");
    bundle *b = NULL;
    char *err = NULL;
    ck_assert_int_eq(envelope_open(st, path, flags, &b, NULL, &err), -1);
    ck_assert_ptr_null(b);
    ck_assert_msg(strstr(err, want) != NULL, "want \"%s\", got: %s", want,
                  err);
    ck_assert_msg(strstr(err, path) != NULL, "no file name in: %s", err);
    free(err);
    ck_assert_int_eq(sqlite3_total_changes(db), before);
    ck_assert_int_eq(check_sql_long(store_path(st), "SELECT count(*) FROM interviews"),
                     ivs);
}

/* The bytes of a file, and writing them back (as an attacker would). */
static unsigned char *slurp(const char *path, size_t *len)
{
    unsigned char *d = (unsigned char *)util_read_file(path, len);
    ck_assert_ptr_nonnull(d);
    return d;
}

static char *spit(const char *name, const unsigned char *d, size_t len)
{
    char *path = fx_path(name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(d, 1, len, f), len);
    fclose(f);
    return path;
}

/* A laptop with two households, its office, both trusting each other. */
typedef struct scene {
    store *lap, *off;
    char *sealed;
    char lap_fpr[KEYS_FPR_SIZE], off_fpr[KEYS_FPR_SIZE];
} scene;

static void scene_setup(scene *s)
{
    s->lap = node("lap.db", "laptop");
    s->off = node("office.db", "office");
    char u[37];
    fx_interview(s->lap, "v01", "17", "Nguyễn Thị Hoa", u);
    fx_interview(s->lap, "v01", "18", "Phạm Văn Khoa", u);
    trust(s->lap, s->off, "upstream");
    trust(s->off, s->lap, "accept");
    fpr_of(s->lap, s->lap_fpr);
    fpr_of(s->off, s->off_fpr);
    char to[KEYS_FPR_SIZE];
    s->sealed = export_to(s->lap, "usb", 0, to);
    ck_assert_str_eq(to, s->off_fpr);
}

static void scene_clear(scene *s)
{
    free(s->sealed);
    store_close(s->lap);
    store_close(s->off);
}

START_TEST(sealed_export_merges_at_its_office)
{
    scene s;
    scene_setup(&s);
    /* Named by fingerprint and time only: no commune or enumerator. */
    const char *base = strrchr(s.sealed, '/') + 1;
    ck_assert_msg(strncmp(base, s.lap_fpr, 19) == 0, "%s", base);
    ck_assert_ptr_null(strstr(base, "lap"));
    envelope_header h;
    char *err = NULL;
    ck_assert_int_eq(envelope_read_header(s.sealed, &h, &err), 0);
    ck_assert_str_eq(h.from, s.lap_fpr);
    ck_assert_str_eq(h.to, s.off_fpr);
    ck_assert_int_eq(h.interviews, 2);
    /* The laptop can check its own signature, not read the content. */
    keys_self self;
    ck_assert_int_eq(keys_self_get(s.lap, 0, &self, &err), 0);
    ck_assert_int_eq(envelope_check_signature(s.sealed, self.card.sign_pk,
                                              &h, &err), 0);
    keys_self_clear(&self);
    bundle *b;
    ck_assert_int_eq(envelope_open(s.lap, s.sealed, 0, &b, NULL, &err), -1);
    free(err);

    envelope_info info;
    ck_assert_int_eq(envelope_open(s.off, s.sealed, 0, &b, &info, &err), 0);
    ck_assert_int_eq(info.sealed, 1);
    ck_assert_str_eq(info.sender, " (lap.db, Xã A)");
    ck_assert_str_eq(bundle_path(b), s.sealed);
    envelope_info_clear(&info);
    bundle_close(b);
    ck_assert_int_eq(merge_ok(s.off, s.sealed, 0), 2);
    ck_assert_int_eq(check_sql_long(store_path(s.off),
                                    "SELECT count(*) FROM answers"
                                    " WHERE value = 'Nguyễn Thị Hoa'"), 2);
    scene_clear(&s);
}
END_TEST

START_TEST(no_answer_can_be_read_in_the_sealed_bytes)
{
    scene s;
    scene_setup(&s);
    size_t len;
    unsigned char *d = slurp(s.sealed, &len);
    static const char *const secrets[] = {
        "Nguyễn Thị Hoa", "Phạm Văn Khoa", "Thôn 1", "household",
        "lap.db", "Xã A", "SQLite format", "village",
    };
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        ck_assert_msg(memmem(d, len, secrets[i], strlen(secrets[i])) == NULL,
                      "\"%s\" is readable in the sealed bundle", secrets[i]);
    /* Nor any interview's UUID. */
    char *uuid = NULL;
    sqlite3 *db = store_sqlite(s.lap);
    sqlite3_stmt *q;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT uuid FROM interviews",
                                        -1, &q, NULL), SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        uuid = (char *)sqlite3_column_text(q, 0);
        ck_assert_ptr_null(memmem(d, len, uuid, 36));
        ck_assert_ptr_null(memmem(d, len, uuid, 8));
    }
    sqlite3_finalize(q);
    free(d);
    scene_clear(&s);
}
END_TEST

START_TEST(altered_by_one_byte_is_refused)
{
    scene s;
    scene_setup(&s);
    size_t len;
    unsigned char *d = slurp(s.sealed, &len);
    size_t at[] = {len / 2, len - 1, len - 100, 400};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        d[at[i]] ^= 0x01;
        char *p = spit("altered.khb", d, len);
        refused(s.off, p, 0, "signature does not match");
        free(p);
        d[at[i]] ^= 0x01;
    }
    /* A changed header (one more interview announced) too. */
    char *iv = strstr((char *)d, "interviews: 2");
    iv[12] = '3';
    char *p = spit("header.khb", d, len);
    refused(s.off, p, 0, "signature does not match");
    free(p);
    free(d);
    scene_clear(&s);
}
END_TEST

START_TEST(stripped_signature_is_refused)
{
    scene s;
    scene_setup(&s);
    size_t len;
    unsigned char *d = slurp(s.sealed, &len);
    char *p = spit("stripped.khb", d, len - crypto_sign_BYTES);
    refused(s.off, p, 0, "signature was stripped");
    free(p);
    /* The header's signature line removed as well. */
    sbuf b;
    sbuf_init(&b);
    char *line = strstr((char *)d, "signature: ed25519\n");
    sbuf_addn(&b, (char *)d, (size_t)(line - (char *)d));
    line += strlen("signature: ed25519\n");
    sbuf_addn(&b, line, len - crypto_sign_BYTES - (size_t)(line - (char *)d));
    p = spit("nosig.khb", (unsigned char *)b.s, b.len);
    refused(s.off, p, 0, "signature was stripped");
    free(p);
    /* Cut short inside the content. */
    p = spit("short.khb", d, len - 200);
    refused(s.off, p, 0, "cut short or padded");
    free(p);
    sbuf_free(&b);
    free(d);
    scene_clear(&s);
}
END_TEST

START_TEST(unknown_and_revoked_senders_are_refused)
{
    scene s;
    scene_setup(&s);
    /* A stranger's laptop that knows the office's public card. */
    store *stranger = node("stranger.db", "laptop");
    char u[37];
    fx_interview(stranger, "v02", "1", "Kẻ Lạ", u);
    trust(stranger, s.off, "upstream");
    char to[KEYS_FPR_SIZE];
    char *forged = export_to(stranger, "usb2", 0, to);
    ck_assert_str_eq(to, s.off_fpr);
    refused(s.off, forged, 0, "sealed by an unknown key");

    char *err = NULL;
    ck_assert_int_eq(keys_revoke(s.off, s.lap_fpr, &err), 0);
    refused(s.off, s.sealed, 0, "whose key was revoked on");
    free(forged);
    store_close(stranger);
    scene_clear(&s);
}
END_TEST

START_TEST(bundle_for_another_office_is_refused)
{
    scene s;
    scene_setup(&s);
    store *other = node("other.db", "office");
    trust(s.lap, other, "upstream");
    char u[37];
    fx_interview(s.lap, "v01", "3", "Lê Thị Mai", u);
    char to[KEYS_FPR_SIZE], other_fpr[KEYS_FPR_SIZE];
    fpr_of(other, other_fpr);
    char *p = export_to(s.lap, "usb3", 0, to);
    ck_assert_str_eq(to, other_fpr);
    refused(s.off, p, 0, "sealed for another office");
    /* The other office reads it only once it trusts the laptop. */
    refused(other, p, 0, "unknown key");
    trust(other, s.lap, "accept");
    ck_assert_int_eq(merge_ok(other, p, 0), 1);
    free(p);
    store_close(other);
    scene_clear(&s);
}
END_TEST

/* A trusted laptop cannot pass another's bundle off as its own: the
 * header is bound into the encryption, so a re-signed copy with another
 * sender no longer decrypts. */
START_TEST(resigned_by_another_trusted_laptop_is_refused)
{
    scene s;
    scene_setup(&s);
    store *mallory = node("mallory.db", "laptop");
    trust(s.off, mallory, "accept");
    keys_self m;
    char *err = NULL;
    ck_assert_int_eq(keys_self_get(mallory, 0, &m, &err), 0);
    size_t len;
    unsigned char *d = slurp(s.sealed, &len);
    char *from = strstr((char *)d, s.lap_fpr);
    memcpy(from, m.card.fpr, 19);
    /* Signed as khaosat-bundle(5) says: the domain string, then the
     * BLAKE2b-512 digest of every byte before the signature. */
    static const char domain[] = "khaosat sealed bundle signature 1";
    unsigned char msg[sizeof domain - 1 + 64];
    memcpy(msg, domain, sizeof domain - 1);
    crypto_generichash(msg + sizeof domain - 1, 64, d,
                       len - crypto_sign_BYTES, NULL, 0);
    crypto_sign_detached(d + len - crypto_sign_BYTES, NULL, msg, sizeof msg,
                         m.sign_sk);
    char *p = spit("resigned.khb", d, len);
    refused(s.off, p, 0, "does not decrypt");
    free(p);
    free(d);
    keys_self_clear(&m);
    store_close(mallory);
    scene_clear(&s);
}
END_TEST

START_TEST(unsigned_bundles_need_allowing_once_keys_are_in_use)
{
    store *lap = node("plain.db", "laptop");
    store *off = node("office.db", "office");
    char u[37], to[KEYS_FPR_SIZE];
    fx_interview(lap, "v02", "9", "Đỗ Văn Bình", u);
    /* No office trusted: the laptop exports plain bundles, as before. */
    char *p = export_to(lap, "usb", 0, to);
    ck_assert_str_eq(to, "");
    size_t len;
    unsigned char *d = slurp(p, &len);
    ck_assert(bundle_is_packed(d, len));
    free(d);
    /* An office that trusts no laptop takes it. */
    store *early = node("early.db", "office");
    ck_assert_int_eq(merge_ok(early, p, 0), 1);
    store_close(early);
    /* One that does refuses it unless allowed. */
    store *known = node("known.db", "laptop");
    trust(off, known, "accept");
    refused(off, p, 0, "unsigned bundle");
    ck_assert_int_eq(merge_ok(off, p, ENVELOPE_ALLOW_UNSIGNED), 1);
    /* Garbage is neither. */
    char *g = spit("garbage.khb", (const unsigned char *)"hello", 5);
    refused(off, g, ENVELOPE_ALLOW_UNSIGNED, "not a khaosat bundle");
    free(g);
    free(p);
    store_close(known);
    store_close(lap);
    store_close(off);
}
END_TEST

START_TEST(laptop_to_commune_to_province)
{
    store *lap = node("lap.db", "laptop");
    store *commune = node("commune.db", "office");
    store *province = node("province.db", "office");
    char u[37], to[KEYS_FPR_SIZE], c_fpr[KEYS_FPR_SIZE], d_fpr[KEYS_FPR_SIZE];
    fx_interview(lap, "v01", "4", "Vũ Thị Lan", u);
    fx_interview(lap, "v01", "5", "Hoàng Văn Nam", u);
    trust(lap, commune, "upstream");
    trust(commune, lap, "accept");
    trust(commune, province, "upstream");
    trust(province, commune, "accept");
    fpr_of(commune, c_fpr);
    fpr_of(province, d_fpr);

    char *p1 = export_to(lap, "usb1", 0, to);
    ck_assert_str_eq(to, c_fpr);
    ck_assert_int_eq(merge_ok(commune, p1, 0), 2);
    /* The province cannot read the laptop's bundle: it is the commune's. */
    refused(province, p1, 0, "unknown key");

    char *p2 = export_to(commune, "usb2", BUNDLE_EXPORT_ALL, to);
    ck_assert_str_eq(to, d_fpr);
    envelope_header h;
    char *err = NULL;
    ck_assert_int_eq(envelope_read_header(p2, &h, &err), 0);
    ck_assert_str_eq(h.from, c_fpr);
    ck_assert_int_eq(h.interviews, 2);
    ck_assert_int_eq(merge_ok(province, p2, 0), 2);
    ck_assert_int_eq(check_sql_long(store_path(province),
                                    "SELECT count(*) FROM answers"
                                    " WHERE value = 'Vũ Thị Lan'"), 2);
    /* The commune's own bundle is not for the commune. */
    refused(commune, p2, 0, "sealed by this database for the office");
    free(p1);
    free(p2);
    store_close(lap);
    store_close(commune);
    store_close(province);
}
END_TEST

/* Opening path in st works but merging it is refused saying want, with
 * st's content byte-identical afterwards. */
static void merge_refused(store *st, const char *path, const char *want)
{
    char *before = hx_fingerprint(store_path(st));
    bundle *b;
    char *err = NULL;
    ck_assert_msg(envelope_open(st, path, ENVELOPE_ALLOW_UNSIGNED, &b, NULL,
                                &err) == 0, "%s", err);
    merger *m = merger_new(st);
    merge_counts c;
    ck_assert_int_eq(merger_run(m, b, NULL, NULL, &c, &err), -1);
    ck_assert_msg(strstr(err, want) != NULL, "want \"%s\", got: %s", want,
                  err);
    ck_assert_msg(strstr(err, path) != NULL, "no file name in: %s", err);
    free(err);
    merger_free(m);
    bundle_close(b);
    char *after = hx_fingerprint(store_path(st));
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}

/* The office records who signed each bundle; a laptop's sealed bundle
 * carries only its own device's new revisions and audit rows; a key
 * speaks for one device and a device's bundles come from one key. */
START_TEST(signer_bound_to_content)
{
    scene s;
    scene_setup(&s);
    ck_assert_int_eq(merge_ok(s.off, s.sealed, 0), 2);
    char *sql = xasprintf("SELECT count(*) FROM bundles WHERE signer = '%s'",
                          s.lap_fpr);
    ck_assert_int_eq(check_sql_long(store_path(s.off), sql), 1);
    free(sql);
    /* A rogue laptop's revision claiming another device. */
    char u[37], to[KEYS_FPR_SIZE];
    fx_interview(s.lap, "v02", "3", "Giả Mạo", u);
    sql = xasprintf("UPDATE revisions SET device = '0ther000-0000-4000-8000"
                    "-000000000000' WHERE interview = '%s'", u);
    check_sql_exec(store_path(s.lap), sql);
    free(sql);
    char *p = export_to(s.lap, "usb3", 0, to);
    merge_refused(s.off, p, "a laptop's bundle carries only its own work");
    free(p);
    /* Its audit rows claiming another device. */
    fx_interview(s.lap, "v02", "4", "Giả Mạo", u);
    sql = xasprintf("UPDATE audit SET origin = '0ther000-0000-4000-8000"
                    "-000000000000', origin_seq = seq WHERE interview = '%s'",
                    u);
    check_sql_exec(store_path(s.lap), sql);
    free(sql);
    p = export_to(s.lap, "usb4", 0, to);
    merge_refused(s.off, p, "an audit row of interview");
    free(p);
    /* Another trusted laptop claiming the first one's device (its card
     * names its own). */
    store *lap2 = node("lap2.db", "laptop");
    trust(lap2, s.off, "upstream");
    trust(s.off, lap2, "accept");
    char *dev = NULL;
    ck_assert_int_eq(store_device_id(s.lap, &dev), 0);
    ck_assert_int_eq(store_setting_set(lap2, STORE_SET_DEVICE_ID, dev), 0);
    fx_interview(lap2, "v02", "5", "Khác", u);
    char *p2 = export_to(lap2, "usb5", 0, to);
    merge_refused(s.off, p2, "whose card is for device");
    /* A plain bundle saying it comes from a device whose bundles are
     * signed, even taken with --allow-unsigned. */
    fx_interview(s.lap, "v02", "6", "Không ký", u);
    p = fx_export(s.lap, "usb6", 0, NULL);
    merge_refused(s.off, p, "but it is not signed");
    free(p);
    /* Once the first key is revoked, the device may speak with another
     * card naming it: a laptop given a new key. */
    char *err = NULL;
    ck_assert_int_eq(keys_revoke(s.off, s.lap_fpr, &err), 0);
    trust(s.off, lap2, "accept");
    ck_assert_int_eq(merge_ok(s.off, p2, 0), 1);
    free(p2);
    free(dev);
    store_close(lap2);
    scene_clear(&s);
}
END_TEST

/* Bytes this process has read from files so far (Linux /proc). */
static long long bytes_read(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    ck_assert_ptr_nonnull(f);
    char line[128];
    long long n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "rchar: %lld", &n) == 1)
            break;
    fclose(f);
    return n;
}

/* refused(), and the file was not read beyond its first bytes. */
static void refused_unread(store *st, const char *path, const char *want)
{
    long long before = bytes_read();
    refused(st, path, 0, want);
    long long n = bytes_read() - before;
    ck_assert_msg(n < (8 << 20), "read %lld bytes of %s", n, path);
}

/* The header is parsed and the sender and size checked from the first
 * bytes: a huge file from a stranger, or bigger or smaller than its
 * header says, is refused without its body being read. */
START_TEST(header_checked_before_the_body_is_read)
{
    scene s;
    scene_setup(&s);
    store *stranger = node("stranger.db", "laptop");
    char u[37];
    fx_interview(stranger, "v02", "1", "Kẻ Lạ", u);
    trust(stranger, s.off, "upstream");
    char to[KEYS_FPR_SIZE];
    char *forged = export_to(stranger, "usb2", 0, to);
    ck_assert_int_eq(truncate(forged, 1LL << 30), 0);   /* sparse 1 GiB */
    refused_unread(s.off, forged, "sealed by an unknown key");
    size_t len;
    unsigned char *d = slurp(s.sealed, &len);
    char *p = spit("padded.khb", d, len);
    ck_assert_int_eq(truncate(p, 1LL << 30), 0);
    refused_unread(s.off, p, "cut short or padded");
    free(p);
    /* Sizes that do not add up, or beyond any bundle. */
    static const char *const sizes[][2] = {
        {"99999999999", "malformed header"},
        {"999999999999999", "malformed header"},
        {"4294967296", "more than the 2147483648 a bundle may have"},
        {"0", "malformed header"},
    };
    char *line = strstr((char *)d, "\nsize: ");
    ck_assert_ptr_nonnull(line);
    char *eol = strchr(line + 1, '\n');
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        sbuf b;
        sbuf_init(&b);
        sbuf_addn(&b, (char *)d, (size_t)(line - (char *)d));
        sbuf_addf(&b, "\nsize: %s", sizes[i][0]);
        sbuf_addn(&b, eol, len - (size_t)(eol - (char *)d));
        char name[32];
        snprintf(name, sizeof name, "size%zu.khb", i);
        p = spit(name, (unsigned char *)b.s, b.len);
        refused_unread(s.off, p, sizes[i][1]);
        free(p);
        sbuf_free(&b);
    }
    free(d);
    free(forged);
    store_close(stranger);
    scene_clear(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("envelope");
    TCase *tc = check_tcase(s, "envelope", fx_setup, fx_teardown, 120);
    tcase_add_test(tc, sealed_export_merges_at_its_office);
    tcase_add_test(tc, no_answer_can_be_read_in_the_sealed_bytes);
    tcase_add_test(tc, altered_by_one_byte_is_refused);
    tcase_add_test(tc, stripped_signature_is_refused);
    tcase_add_test(tc, unknown_and_revoked_senders_are_refused);
    tcase_add_test(tc, bundle_for_another_office_is_refused);
    tcase_add_test(tc, resigned_by_another_trusted_laptop_is_refused);
    tcase_add_test(tc, unsigned_bundles_need_allowing_once_keys_are_in_use);
    tcase_add_test(tc, laptop_to_commune_to_province);
    tcase_add_test(tc, header_checked_before_the_body_is_read);
    tcase_add_test(tc, signer_bound_to_content);
    return check_run(s);
}
