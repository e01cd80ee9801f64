/* check_bundle.c: the bundle writer and reader: export, the manifest and
 * its hash, safe file names, the documented canonical serialisation, and
 * refusal of every kind of damaged or hostile bundle. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle_fixture.h"
#include "check_main.h"
#include "store/revision.h"

/* Number of entries of a directory (without . and ..). */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* bundle_open must refuse path with a message naming it and saying why. */
static void refused(const char *path, const char *why)
{
    bundle *b = (bundle *)&b;
    char *err = NULL;
    ck_assert_int_eq(bundle_open(path, &b, &err), -1);
    ck_assert_ptr_null(b);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, path) != NULL, "no file name in: %s", err);
    ck_assert_msg(strstr(err, why) != NULL, "expected '%s' in: %s", why, err);
    free(err);
}

/* A laptop with three complete interviews and a draft, exported. */
static char *three_and_a_draft(store **out)
{
    store *st = fx_laptop("a.db");
    char u[37];
    fx_interview(st, "v01", "1", "An", u);
    fx_interview(st, "v01", "2", "Binh", u);
    fx_interview(st, "v02", "1", "Cuong", u);
    ck_assert_int_eq(store_interview_create(st, "household", "2026.1", "x",
                                            u), 0);
    long n;
    char *path = fx_export(st, "usb", 0, &n);
    ck_assert_int_eq(n, 3);
    *out = st;
    return path;
}

START_TEST(export_then_verify)
{
    store *st;
    char *path = three_and_a_draft(&st);
    ck_assert_ptr_nonnull(strstr(path, BUNDLE_EXT));
    bundle *b;
    char *err = NULL;
    ck_assert_msg(bundle_open(path, &b, &err) == 0, "%s", err);
    const bundle_manifest *m = bundle_get_manifest(b);
    ck_assert_int_eq(m->format, BUNDLE_FORMAT);
    ck_assert_int_eq(m->interviews, 3);
    ck_assert_int_eq(m->forms, 1);
    ck_assert_int_eq(m->revisions, 3);
    ck_assert_int_eq(m->items, 3 * 5);
    ck_assert_str_eq(m->enumerator, "a.db");
    ck_assert_str_eq(m->commune, "Xã A");
    ck_assert_uint_eq(strlen(m->sha256), 64);
    bundle_close(b);
    store_counts c;
    ck_assert_int_eq(store_count(st, NULL, &c), 0);
    ck_assert_int_eq(c.not_exported, 0);
    /* Nothing new: no bundle.  --all: all three again; drafts on demand. */
    long n;
    ck_assert_ptr_null(fx_export(st, "usb", 0, &n));
    ck_assert_int_eq(n, 0);
    char *again = fx_export(st, "usb", BUNDLE_EXPORT_ALL, &n);
    ck_assert_int_eq(n, 3);
    ck_assert_str_ne(again, path);
    char *drafts = fx_export(st, "usb", BUNDLE_EXPORT_DRAFTS, &n);
    ck_assert_int_eq(n, 1);
    char *dir = fx_path("usb");
    ck_assert_int_eq(dir_entries(dir), 3);
    free(dir);
    free(again);
    free(drafts);
    free(path);
    store_close(st);
}
END_TEST

START_TEST(stock_sqlite_reads_it)
{
    store *st;
    char *path = three_and_a_draft(&st);
    /* A zstd frame, which check_sql_long unpacks as zstd -d would. */
    FILE *f = fopen(path, "rb");
    unsigned char head[4] = {0};
    ck_assert(f && fread(head, 1, 4, f) == 4);
    fclose(f);
    ck_assert(bundle_is_packed(head, 4));
    ck_assert_int_eq(check_sql_long(path, "SELECT count(*) FROM sqlite_schema"), 11);
    ck_assert_int_eq(check_sql_long(path, "SELECT count(*) FROM interviews"
                                          " WHERE status = 'complete'"), 3);
    ck_assert_int_eq(check_sql_long(path, "SELECT count(*) FROM items i"
                                    " JOIN interviews v ON v.uuid = i.interview"
                                    " AND v.head = i.revision"
                                    " WHERE i.qid = 'hh_no'"), 3);
    ck_assert_int_eq(check_sql_long(path, "SELECT value FROM manifest"
                                          " WHERE key = 'format'"), BUNDLE_FORMAT);
    ck_assert_int_eq(check_sql_long(path, "PRAGMA application_id"), BUNDLE_APP_ID);
    ck_assert_int_eq(check_sql_long(path, "SELECT count(*) FROM audit"
                                          " WHERE event = 'change'"), 3 * 4);
    free(path);
    store_close(st);
}
END_TEST

START_TEST(file_names_are_safe_and_distinct)
{
    char *a = bundle_file_name("Xã Đông Hòa", "Nguyễn Văn A: 1/2",
                               "5204cab7-94cc", "2026-05-01T08:30:00.123Z");
    char *b = bundle_file_name("Xã Đông Hòa", "Nguyễn Văn A: 1/2",
                               "5204cab7-94cc", "2026-05-01T08:30:00.123Z");
    ck_assert_msg(strncmp(a, "Xa-Dong-Hoa_Nguyen-Van-A-1-2_5204cab7_"
                          "20260501T083000Z_", 54) == 0, "%s", a);
    ck_assert_str_ne(a, b);
    for (const char *p = a; *p; p++)
        ck_assert_msg(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
                             "TUVWXYZ0123456789-_.", *p), "%s", a);
    free(a);
    free(b);
    char *c = bundle_file_name("", NULL, "../..", "x");
    ck_assert_ptr_null(strchr(c, '/'));
    ck_assert_int_eq(strncmp(c, "unknown_unknown_", 16), 0);
    free(c);
}
END_TEST

/* The revision id is exactly the documented serialisation. */
START_TEST(revision_hash_is_documented)
{
    static const unsigned char expect[] =
        "\x01\0\0\0\0\0\0\0\x12khaosat-revision-1"
        "\x01\0\0\0\0\0\0\0\x01u" "\x01\0\0\0\0\0\0\0\x01" "f"
        "\x01\0\0\0\0\0\0\0\x01v" "\x01\0\0\0\0\0\0\0\x08" "complete"
        "\x01\0\0\0\0\0\0\0\x01p" "\x00"
        "R\x01\0\0\0\0\0\0\0\0" "\x01\0\0\0\0\0\0\0\x01m"
        "\x01\0\0\0\0\0\0\0\x01" "2"
        "R\x01\0\0\0\0\0\0\0\x01q" "\x01\0\0\0\0\0\0\0\0"
        "\x01\0\0\0\0\0\0\0\x02hi" "E";
    unsigned char h[32];
    char hex[65], id[65], content[65];
    crypto_hash_sha256(h, expect, sizeof expect - 1);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    rev_meta m = {"u", "f", "v", "complete", "p", NULL};
    rev_hasher rh;
    rev_hash_begin(&rh, &m);
    rev_hash_item(&rh, "", "m", "2");
    rev_hash_item(&rh, "q", "", "hi");
    rev_hash_end(&rh, id, content);
    ck_assert_str_eq(id, hex);
    ck_assert_str_ne(content, id);
    ck_assert_int_lt(rev_item_cmp("a", "b", "ab", ""), 0);
    ck_assert_int_lt(rev_item_cmp("q", "m[1]", "q", "m[1]/c[1]"), 0);
}
END_TEST

/* Copy the bundle to name and apply sql to the copy. */
static char *tampered(const char *path, const char *name, const char *sql)
{
    char *copy = fx_path(name);
    char *cmd = xasprintf("cp '%s' '%s'", path, copy);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    if (sql)
        check_sql_exec(copy, sql);
    return copy;
}

static const struct {
    const char *sql, *why;
} attacks[] = {
    {"UPDATE interviews SET enumerator = 'Mallory'",
     "does not match the manifest's SHA-256"},
    {"UPDATE items SET value = 'Mallory' WHERE qid = 'name'",
     "does not match its content"},
    {"UPDATE manifest SET value = 'Mallory' WHERE key = 'enumerator'",
     "does not match the manifest's SHA-256"},
    {"DELETE FROM audit WHERE seq = (SELECT min(seq) FROM audit)",
     "table audit has"},
    {"PRAGMA user_version = 8", "made by a newer khaosat (bundle format 8)"},
    {"PRAGMA application_id = 5", "not a khaosat bundle"},
    {"CREATE TRIGGER t AFTER INSERT ON forms BEGIN SELECT 1; END",
     "unexpected trigger \"t\""},
    {"CREATE VIEW v AS SELECT 1", "unexpected view \"v\""},
    {"CREATE INDEX i ON items (value)", "unexpected index \"i\""},
    {"CREATE TABLE extra (x)", "unexpected table \"extra\""},
    {"ALTER TABLE items ADD COLUMN y", "unexpected table \"items\""},
    {"UPDATE items SET value = x'00' WHERE qid = 'name'",
     "is not text"},
    {"UPDATE items SET path = 'members[0]' WHERE qid = 'm_name'",
     "bad repeat path"},
    {"UPDATE manifest SET value = '999999999999' WHERE key = 'interviews'",
     "more than"},
};

START_TEST(refuses_tampering)
{
    store *st;
    char *path = three_and_a_draft(&st);
    for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
        char name[32];
        snprintf(name, sizeof name, "attack%zu.khb", i);
        char *copy = tampered(path, name, attacks[i].sql);
        refused(copy, attacks[i].why);
        free(copy);
    }
    free(path);
    store_close(st);
}
END_TEST

START_TEST(refuses_garbage)
{
    store *st;
    char *path = three_and_a_draft(&st);
    char *t = tampered(path, "t.khb", NULL);
    ck_assert_int_eq(truncate(t, 8192), 0);
    refused(t, "damaged");
    ck_assert_int_eq(truncate(t, 0), 0);
    refused(t, "empty file");
    FILE *f = fopen(t, "wb");
    for (int i = 0; i < 5000; i++)
        fputc((i * 7919) & 0xff, f);
    fclose(f);
    refused(t, "not a khaosat bundle");
    refused(fx_dir, "not a regular file");
    char *none = fx_path("none.khb");
    refused(none, "cannot read");
    free(none);
    free(t);
    free(path);
    store_close(st);
}
END_TEST

/* A bundle whose interview uses a form it does not carry cannot even be
 * written: the writer's own check refuses it and leaves nothing. */
START_TEST(refuses_missing_form)
{
    char *dir = fx_path("w");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    bundle_writer *w;
    char *err = NULL, *out = NULL;
    ck_assert_int_eq(bundle_writer_open(dir, &w, &err), 0);
    const char *u = "0b7e7a43-4b1e-4a0e-8d7a-0f0e0d0c0b0a";
    rev_meta m = {u, "ghost", "1", "complete", NULL, NULL};
    rev_hasher h;
    char id[65];
    rev_hash_begin(&h, &m);
    rev_hash_item(&h, "q", "", "1");
    rev_hash_end(&h, id, NULL);
    bundle_iv iv = {u, "ghost", "1", "complete", "e", "d",
                    "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", id};
    bundle_rev r = {u, id, NULL, NULL, "complete", "d", "e",
                    "2026-01-01T00:00:00.000Z"};
    ck_assert_int_eq(bundle_writer_interview(w, &iv), 0);
    ck_assert_int_eq(bundle_writer_revision(w, &r), 0);
    ck_assert_int_eq(bundle_writer_item(w, u, id, "q", "", "1"), 0);
    bundle_manifest man = {0};
    man.device = xstrdup("d");
    man.enumerator = xstrdup("e");
    man.commune = xstrdup("c");
    ck_assert_int_eq(bundle_writer_commit(w, &man, &out, &err), -1);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(err, "uses form ghost version 1, which the bundle "
                         "does not carry") != NULL, "%s", err);
    ck_assert_int_eq(dir_entries(dir), 0);
    bundle_manifest_clear(&man);
    free(err);
    free(dir);
}
END_TEST

/* A stick that fills up: the export fails, nothing that looks like a
 * bundle is left, and the laptop still has everything to send. */
START_TEST(full_stick_changes_nothing)
{
    store *st = fx_laptop("a.db");
    char u[37], big[2048];
    unsigned x = 12345;
    big[sizeof big - 1] = '\0';
    for (int i = 0; i < 30; i++) {
        /* Letters that do not compress, so the bundle needs the room. */
        for (size_t k = 0; k < sizeof big - 1; k++)
            big[k] = (char)('a' + (x = x * 1103515245 + 12345) / 65536 % 26);
        char no[8];
        snprintf(no, sizeof no, "%d", i + 1);
        fx_interview(st, "v01", no, big, u);
    }
    store_close(st);
    char *db = fx_path("a.db"), *dir = fx_path("full");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {32768, 32768};
        setrlimit(RLIMIT_FSIZE, &rl);
        store *s2;
        char *err = NULL, *path = NULL;
        long n;
        if (store_open(db, &s2, &err) != 0)
            _exit(3);
        int rc = bundle_export(s2, dir, 0, &path, &n, &err);
        int ok = rc == -1 && !path && err && strstr(err, dir);
        store_close(s2);    /* clean exit, for valgrind's sake */
        free(err);
        free(db);
        free(dir);
        free(fx_source);
        _exit(ok ? 0 : 4);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "status %d", status);
    ck_assert_int_eq(dir_entries(dir), 0);
    ck_assert_int_eq(check_sql_long(db, "SELECT count(*) FROM interviews"
                                        " WHERE exported_at IS NULL"), 30);
    ck_assert_int_eq(check_sql_long(db, "SELECT count(*) FROM audit"
                                        " WHERE event = 'export'"), 0);
    free(db);
    free(dir);
}
END_TEST

static Suite *bundle_suite(void)
{
    Suite *s = suite_create("bundle");
    TCase *tc = check_tcase(s, "core", fx_setup, fx_teardown, 60);
    tcase_add_test(tc, export_then_verify);
    tcase_add_test(tc, stock_sqlite_reads_it);
    tcase_add_test(tc, file_names_are_safe_and_distinct);
    tcase_add_test(tc, revision_hash_is_documented);
    tcase_add_test(tc, refuses_tampering);
    tcase_add_test(tc, refuses_garbage);
    tcase_add_test(tc, refuses_missing_form);
    tcase_add_test(tc, full_stick_changes_nothing);
    return s;
}

int main(void)
{
    return check_run(bundle_suite());
}
