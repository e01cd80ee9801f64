/* check_hostile.c: bundles built by an attacker who knows the format,
 * against the reader and the merge: each one refused with a message that
 * says why, the office database byte-identical afterwards, and the office
 * still able to export. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundle_fixture.h"
#include "diamond.h"
#include "hostile_fixture.h"
#include "check_main.h"
#include "core/form.h"
#include "sync/merge.h"
#include "store/revision.h"

/* Open and merge path into st: 0 merged, -1 refused with *why set (by the
 * reader or the merge). */
static int try_merge(store *st, const char *path, char **why)
{
    bundle *b;
    *why = NULL;
    if (bundle_open(path, &b, why) != 0)
        return -1;
    merger *m = merger_new(st);
    merge_counts c;
    int rc = merger_run(m, b, NULL, NULL, &c, why);
    merger_free(m);
    bundle_close(b);
    return rc < 0 ? -1 : 0;
}

/* Merging path into o is refused with a message naming the file and
 * holding want, and o's content is byte-identical afterwards. */
static void refused_untouched(store *o, const char *path, const char *want)
{
    char *before = hx_fingerprint(store_path(o));
    char *why = NULL;
    ck_assert_msg(try_merge(o, path, &why) == -1, "merged: %s", path);
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(strstr(why, path) != NULL, "no file name in: %s", why);
    ck_assert_msg(strstr(why, want) != NULL, "expected '%s' in: %s", want,
                  why);
    free(why);
    char *after = hx_fingerprint(store_path(o));
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}

/* What khaosat verify says of path: bundle_check_values refuses it with
 * a message holding want (verify's "ok" means the merge takes it). */
static void values_refused(const char *path, const char *want)
{
    bundle *b;
    char *why = NULL;
    ck_assert_msg(bundle_open(path, &b, &why) == 0, "open: %s", why);
    ck_assert_int_eq(bundle_check_values(b, &why, NULL), -1);
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(strstr(why, want) != NULL, "expected '%s' in: %s", want,
                  why);
    free(why);
    bundle_close(b);
}

/* The office can still export everything it holds. */
static void office_exports(store *o)
{
    char *dir = fx_subdir("up");
    char *path = NULL, *err = NULL;
    long n = 0;
    ck_assert_msg(bundle_export(o, dir, BUNDLE_EXPORT_ALL, &path, &n, &err)
                  == 0, "office export: %s", err ? err : "?");
    free(path);
    free(dir);
}

/* A laptop "a.db" with one interview, exported; the office "office.db"
 * with a first honest bundle of another laptop merged. */
static char *one_interview(store **a, store **o)
{
    *a = fx_laptop("a.db");
    *o = fx_laptop("office.db");
    store *b = fx_laptop("b.db");
    char u[37];
    fx_interview(b, "v02", "9", "Honest", u);
    char *hb = fx_export(b, "usbB", 0, NULL);
    char *why = NULL;
    ck_assert_msg(try_merge(*o, hb, &why) == 0, "%s", why);
    free(hb);
    store_close(b);
    fx_interview(*a, "v01", "1", "An", u);
    return fx_export(*a, "usb", 0, NULL);
}

/* Copy the file at path to name in the test directory. */
static char *copy_of(const char *path, const char *name)
{
    char *copy = fx_path(name);
    char *cmd = xasprintf("cp '%s' '%s'", path, copy);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    return copy;
}

/* Items stored out of their key order, with revision id and manifest
 * hash computed over that order: once passed quick_check and the hash,
 * then stopped the office from ever exporting again. */
START_TEST(disordered_keys_refused)
{
    store *a, *o;
    char *honest = one_interview(&a, &o);
    char *t = copy_of(honest, "disorder.khb");
    hx_disorder_items(t);
    refused_untouched(o, t, "damaged (truncated or altered): ");
    office_exports(o);
    char *why = NULL;
    ck_assert_msg(try_merge(o, honest, &why) == 0, "%s", why);
    office_exports(o);
    free(t);
    free(honest);
    store_close(a);
    store_close(o);
}
END_TEST

/* A format 1 bundle (before reviews travelled) is still read and merged;
 * one claiming format 1 with a reviews table, or carrying a malformed
 * review, is refused with the office unchanged. */
START_TEST(format_1_read_reviews_checked)
{
    store *a, *o;
    char *honest = one_interview(&a, &o);
    char *old = copy_of(honest, "format1.khb");
    hx_audit_as_text(old);
    check_sql_exec(old, "DROP TABLE reviews; DROP TABLE setups;"
                   " DROP TABLE setup_villages; DROP TABLE setup_households;"
                   " DROP TABLE decisions; PRAGMA user_version = 1;"
                   " UPDATE manifest SET value = '1' WHERE key = 'format'");
    hx_rehash(old);
    char *mixed = copy_of(honest, "mixed.khb");
    hx_audit_as_text(mixed);
    check_sql_exec(mixed, "DROP TABLE setups; DROP TABLE setup_villages;"
                   " DROP TABLE setup_households; DROP TABLE decisions;"
                   " PRAGMA user_version = 1;"
                   " UPDATE manifest SET value = '1' WHERE key = 'format'");
    hx_rehash(mixed);
    refused_untouched(o, mixed, "unexpected table \"reviews\"");
    char *bad = copy_of(honest, "badreview.khb");
    char *uuid = hx_text(honest, "SELECT uuid FROM interviews");
    char *sql = xasprintf("INSERT INTO reviews VALUES ('%s', 'burned', '',"
                          " 'x', '2030-01-01T00:00:00Z', '%064d', '%064d',"
                          " 'X')", uuid, 0, 0);
    check_sql_exec(bad, sql);
    hx_rehash(bad);
    refused_untouched(o, bad, "has status \"burned\"");
    /* A well-formed review in a plain bundle: only an office's signed
     * bundle reviews (a laptop could otherwise return its own work). */
    char *plain = copy_of(honest, "plainreview.khb");
    char *sql2 = xasprintf("INSERT INTO reviews VALUES ('%s', 'returned',"
                           " 'x', 'x', '2030-01-01T00:00:00.000Z', '%064d',"
                           " '%064d', '26734')", uuid, 0, 0);
    check_sql_exec(plain, sql2);
    hx_rehash(plain);
    refused_untouched(o, plain, "carries reviews, but it is not signed");
    free(sql2);
    free(plain);
    char *why = NULL;
    ck_assert_msg(try_merge(o, old, &why) == 0, "format 1: %s", why);
    office_exports(o);
    free(sql);
    free(uuid);
    free(bad);
    free(mixed);
    free(old);
    free(honest);
    store_close(a);
    store_close(o);
}
END_TEST

/* An office "so.db" of commune 26734 with villages TH01 and TH02 and
 * one interview: its plain upstream bundle. */
static char *office_with_setup(void)
{
    store *so = fx_laptop("so.db");
    ck_assert_int_eq(store_setting_set(so, STORE_SET_ROLE, "office"), 0);
    ck_assert_int_eq(store_setting_set(so, STORE_SET_SETUP_CODE, "26734"), 0);
    ck_assert_int_eq(store_setting_set(so, STORE_SET_SETUP_NAME,
                                       "Xã Đông Hòa"), 0);
    store_village v[2] = {{"TH01", "Thôn Một", NULL, 0},
                          {"TH02", "Thôn Hai", NULL, 0}};
    ck_assert_int_eq(store_villages_replace(so, v, 2), 0);
    store_household h[1] = {{"TH01", "7", "Lê Văn Bảy"}};
    size_t bad;
    ck_assert_int_eq(store_households_replace(so, h, 1, &bad), 0);
    char u[37];
    fx_interview(so, "v02", "3", "Ba", u);
    char *path = fx_export(so, "upSO", 0, NULL);
    ck_assert_ptr_nonnull(path);
    store_close(so);
    return path;
}

/* The set-up tables of an office's upstream bundle as a forger would edit
 * them, hash recomputed: a control character or an oversize name, a bad
 * code, a village code twice in one commune (stored out of the primary
 * key's order, or in other case), a household of a village not listed.
 * Each is refused naming the file, the province unchanged, and so is an
 * absurd sequence number; the honest bundle, plain, is refused for its
 * set-up. */
START_TEST(setups_checked)
{
    char *honest = office_with_setup();
    store *p = fx_laptop("province.db");
    static const char *const forged[][3] = {
        {"control.khb", "UPDATE setup_villages SET name = 'Thôn ' ||"
         " char(27) || '[31m' WHERE code = 'TH02'",
         "table setup_villages, row 2: the village's name holds a control"
         " character"},
        {"bidi.khb", "UPDATE setups SET name = 'Xã ' || char(8238)",
         "the commune's name holds a control character"},
        {"long.khb", "UPDATE setup_villages SET name = printf('%.201c', 'x')"
         " WHERE code = 'TH01'",
         "table setup_villages, row 1: column name is longer than 200 bytes"},
        {"code.khb", "UPDATE setup_villages SET code = 'T H' WHERE"
         " code = 'TH02'", "village code \"T H\" is not 1 to 10"},
        {"commune.khb", "UPDATE setups SET commune = '2673';"
         " UPDATE setup_villages SET commune = '2673';"
         " UPDATE setup_households SET commune = '2673'",
         "commune code \"2673\" is not five digits"},
        {"orphan.khb", "UPDATE setup_households SET village = 'TH09'",
         "a household of village TH09 of commune 26734, which its set-up"
         " does not list"},
        {"seq.khb", "UPDATE setups SET sequence = 0",
         "has sequence number 0"},
        {"seqbig.khb", "UPDATE setups SET sequence = 2147483648",
         "has sequence number 2147483648"},
        {"hh0.khb", "UPDATE setup_households SET number = '0007'",
         "household number \"0007\" is not a whole number from 1 to 9999"},
        {"case.khb", "INSERT INTO setup_villages VALUES ('26734', 'th01',"
         " 'Thôn Một nhỏ', '')", "commune 26734 has village codes \"TH01\""
         " and \"th01\", the same but for case"},
        {"decision.khb", "INSERT INTO decisions VALUES ("
         "'0000000a-0000-4000-8000-000000000000',"
         " '0000000b-0000-4000-8000-000000000000', 'maybe', '',"
         " '2026-06-01T08:00:00.000Z', '26734')", "table decisions, row 1:"
         " the decision on 0000000a-0000-4000-8000-000000000000 and"
         " 0000000b-0000-4000-8000-000000000000 is \"maybe\""},
        {"keep.khb", "INSERT INTO decisions VALUES ("
         "'0000000a-0000-4000-8000-000000000000',"
         " '0000000b-0000-4000-8000-000000000000', 'same',"
         " '0000000c-0000-4000-8000-000000000000',"
         " '2026-06-01T08:00:00.000Z', '26734')", "keeps \"0000000c"},
        {"order.khb", "INSERT INTO decisions VALUES ("
         "'0000000b-0000-4000-8000-000000000000',"
         " '0000000a-0000-4000-8000-000000000000', 'different', '',"
         " '2026-06-01T08:00:00.000Z', '26734')", "are not two interview"
         " UUIDs in order"},
        /* A time compared as text must be one: "zzzz" would win for ever. */
        {"when.khb", "INSERT INTO decisions VALUES ("
         "'0000000a-0000-4000-8000-000000000000',"
         " '0000000b-0000-4000-8000-000000000000', 'different', '',"
         " 'zzzzzzzzzz', '26734')", "the decision on"
         " 0000000a-0000-4000-8000-000000000000 and"
         " 0000000b-0000-4000-8000-000000000000 lacks its time"},
        {"month.khb", "INSERT INTO decisions VALUES ("
         "'0000000a-0000-4000-8000-000000000000',"
         " '0000000b-0000-4000-8000-000000000000', 'different', '',"
         " '2026-13-01T08:00:00.000Z', '26734')", "lacks its time"},
        {"dup.khb", "CREATE TABLE sv (commune TEXT NOT NULL, code TEXT NOT"
         " NULL, name TEXT NOT NULL, enumerator TEXT NOT NULL, PRIMARY KEY"
         " (commune, code, name)) WITHOUT ROWID;"
         " INSERT INTO sv SELECT * FROM setup_villages;"
         " INSERT INTO sv VALUES ('26734', 'TH01', 'Thôn Khác', '');"
         " DROP TABLE setup_villages; ALTER TABLE sv RENAME TO"
         " setup_villages; PRAGMA writable_schema = ON;"
         " UPDATE sqlite_schema SET sql = 'CREATE TABLE setup_villages"
         " (commune TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,"
         " enumerator TEXT NOT NULL, PRIMARY KEY (commune, code)) WITHOUT"
         " ROWID' WHERE name = 'setup_villages'",
         "row not in PRIMARY KEY order for setup_villages"},
    };
    for (size_t i = 0; i < sizeof forged / sizeof *forged; i++) {
        char *t = copy_of(honest, forged[i][0]);
        check_sql_exec(t, forged[i][1]);
        hx_rehash(t);
        refused_untouched(p, t, forged[i][2]);
        free(t);
    }
    /* The honest bundle is plain: no key binds its set-up to its office,
     * so it is refused (a signed office's is kept: cli_setup_above.sh). */
    refused_untouched(p, honest, "carries a commune's set-up, but it is not"
                      " signed");
    char *why = NULL;
    /* The same bundle as format 4 wrote it (no set-ups) is still read
     * and merged, elsewhere; one claiming format 4 with set-ups is not. */
    char *old = copy_of(honest, "format4.khb");
    hx_audit_as_v3(old);
    check_sql_exec(old, "DROP TABLE setups; DROP TABLE setup_villages;"
                   " DROP TABLE setup_households; DROP TABLE decisions;"
                   " PRAGMA user_version = 4;"
                   " UPDATE manifest SET value = '4' WHERE key = 'format'");
    hx_rehash(old);
    char *mixed = copy_of(honest, "mixed4.khb");
    hx_audit_as_v3(mixed);
    check_sql_exec(mixed, "DROP TABLE decisions; PRAGMA user_version = 4;"
                   " UPDATE manifest SET value = '4' WHERE key = 'format'");
    hx_rehash(mixed);
    store *p4 = fx_laptop("province4.db");
    refused_untouched(p4, mixed, "unexpected table \"setup");
    ck_assert_msg(try_merge(p4, old, &why) == 0, "format 4: %s", why);
    /* As format 6 wrote it (no decisions): read; one claiming
     * format 6 with decisions is not. */
    char *old5 = copy_of(honest, "format6.khb");
    check_sql_exec(old5, "DROP TABLE decisions; PRAGMA user_version = 6;"
                   " UPDATE manifest SET value = '6' WHERE key = 'format'");
    hx_rehash(old5);
    char *mixed5 = copy_of(honest, "mixed6.khb");
    check_sql_exec(mixed5, "PRAGMA user_version = 6;"
                   " UPDATE manifest SET value = '6' WHERE key = 'format'");
    hx_rehash(mixed5);
    store *p5 = fx_laptop("province5.db");
    refused_untouched(p5, mixed5, "unexpected table \"decisions\"");
    /* Read past its tables: refused only as the plain bundle is, for
     * carrying a set-up without a signature. */
    refused_untouched(p5, old5, "carries a commune's set-up, but it is not"
                      " signed");
    store_close(p5);
    free(old5);
    free(mixed5);
    ck_assert_int_eq(check_sql_long(store_path(p4), "SELECT count(*) FROM"
                     " commune_setups"), 0);
    free(old);
    free(mixed);
    store_close(p4);
    free(honest);
    store_close(p);
}
END_TEST

/* The compact audit (format 3) as a forger would edit it, hash
 * recomputed: an interview number the bundle does not have, a time coded
 * past the year 9999, a text time that would read as a number.  Each is
 * refused, naming the file, and the office is unchanged; the honest
 * bundle merges afterwards. */
START_TEST(compact_audit_checked)
{
    store *a, *o;
    char *honest = one_interview(&a, &o);
    static const char *const edit[][2] = {
        {"UPDATE audit SET interview = 2",
         "audit of interview number 2, which the bundle does not carry"},
        {"UPDATE audit SET interview = 0",
         "audit of interview number 0, which the bundle does not carry"},
        {"UPDATE audit SET time = 253402300800000 WHERE seq ="
         " (SELECT min(seq) FROM audit)", "audit time 253402300800000 is "
         "out of range"},
        {"UPDATE audit SET time = -1 WHERE seq = (SELECT min(seq) FROM"
         " audit)", "audit time -1 is out of range"},
        {"UPDATE audit SET time = '12345' WHERE seq = (SELECT max(seq)"
         " FROM audit)", "audit time \"12345\" is text written as a number"},
    };
    for (size_t i = 0; i < sizeof edit / sizeof *edit; i++) {
        char name[32];
        snprintf(name, sizeof name, "audit%zu.khb", i);
        char *t = copy_of(honest, name);
        check_sql_exec(t, edit[i][0]);
        hx_rehash(t);
        refused_untouched(o, t, edit[i][1]);
        free(t);
    }
    char *why = NULL;
    ck_assert_msg(try_merge(o, honest, &why) == 0, "%s", why);
    free(honest);
    store_close(a);
    store_close(o);
}
END_TEST

/* Only regular files are read: a FIFO named like a bundle must not hang
 * the merge, a link may not lead out of its directory (to a device or
 * another file), a link inside it is followed. */
START_TEST(only_regular_files_are_opened)
{
    store *a, *o;
    char *honest = one_interview(&a, &o);
    char *fifo = fx_path("x.khb");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    time_t t0 = time(NULL);
    refused_untouched(o, fifo, "not a regular file");
    ck_assert_int_lt(time(NULL) - t0, 5);
    char *dev = fx_path("zero.khb");
    ck_assert_int_eq(symlink("/dev/zero", dev), 0);
    refused_untouched(o, dev, "outside its directory");
    char *sub = fx_subdir("stick");
    char *out = xasprintf("%s/out.khb", sub);
    ck_assert_int_eq(symlink(honest, out), 0);
    refused_untouched(o, out, "outside its directory");
    char *in = xasprintf("%s/in.khb", sub), *copy = xasprintf("%s/c", sub);
    char *cmd = xasprintf("cp '%s' '%s'", honest, copy);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(symlink("c", in), 0);
    char *why = NULL;
    ck_assert_msg(try_merge(o, in, &why) == 0, "%s", why);
    free(cmd);
    free(copy);
    free(in);
    free(out);
    free(sub);
    free(dev);
    free(fifo);
    free(honest);
    store_close(a);
    store_close(o);
}
END_TEST

/* A plain bundle is read whole into memory once: removing or changing
 * the file after opening changes nothing of what is merged. */
START_TEST(plain_bundle_read_once)
{
    store *a, *o;
    char *honest = one_interview(&a, &o);
    char *t = copy_of(honest, "once.khb");
    bundle *b;
    char *why = NULL;
    ck_assert_msg(bundle_open(t, &b, &why) == 0, "%s", why);
    /* The stick's file is replaced by garbage after verification. */
    FILE *f = fopen(t, "r+b");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 65536; i++)
        fputc(0x5a, f);
    fclose(f);
    merger *m = merger_new(o);
    merge_counts c;
    ck_assert_msg(merger_run(m, b, NULL, NULL, &c, &why) == 0, "%s", why);
    ck_assert_int_eq(c.added, 1);
    merger_free(m);
    bundle_close(b);
    office_exports(o);
    /* Sizes: empty, and larger than any bundle, refused before reading. */
    ck_assert_int_eq(truncate(t, 0), 0);
    refused_untouched(o, t, "empty file");
    ck_assert_int_eq(truncate(t, BUNDLE_MAX_FILE + 1), 0);
    refused_untouched(o, t, "larger than the");
    free(t);
    free(honest);
    store_close(a);
    store_close(o);
}
END_TEST

/* Move every row of the (one-interview, one chain of revisions) bundle
 * at path to interview uuid, recomputing revision ids and the manifest
 * hash.  The audit names its interview by number: the one interview is
 * number 1 whatever its UUID. */
static void retarget(const char *path, const char *uuid)
{
    char *sql = xasprintf("UPDATE interviews SET uuid = '%1$s';"
                          "UPDATE revisions SET interview = '%1$s';"
                          "UPDATE items SET interview = '%1$s';", uuid);
    check_sql_exec(path, sql);
    free(sql);
    /* A chain of revisions: rename from the root down, each child then
     * hashed over its parent's new id. */
    char *rev = hx_text(path, "SELECT id FROM revisions"
                              " WHERE parent IS NULL"), id[65];
    while (rev) {
        hx_rev_id(path, uuid, rev, "SELECT qid, path, value FROM items"
                  " WHERE interview = ?1 AND revision = ?2"
                  " ORDER BY qid, path", id);
        hx_rename_rev(path, rev, id);
        free(rev);
        char *sql = xasprintf("SELECT id FROM revisions WHERE parent = '%s'",
                              id);
        rev = hx_text(path, sql);
        free(sql);
    }
    hx_rehash(path);
}

/* An interview made elsewhere under the UUID of one the office has: a
 * root unrelated to the office's history.  Its answers are conflicts to
 * resolve, never an update: the office's answers stay, none is filled
 * in. */
START_TEST(unrelated_root_is_a_conflict)
{
    store *a = fx_laptop("a.db"), *o = fx_laptop("office.db");
    store *x = fx_laptop("x.db");
    char u[37], ux[37];
    fx_interview(a, "v01", "1", "An", u);
    char *ba = fx_export(a, "usbA", 0, NULL);
    char *why = NULL;
    ck_assert_msg(try_merge(o, ba, &why) == 0, "%s", why);
    fx_interview(x, "v01", "1", "Mallory", ux);
    ck_assert_int_eq(store_save_answer(x, ux, "hh_size", "", "9"), 0);
    char *bx = fx_export(x, "usbX", 0, NULL);
    retarget(bx, u);
    char *head = hx_text(store_path(o), "SELECT head FROM interviews");
    bundle *b;
    ck_assert_msg(bundle_open(bx, &b, &why) == 0, "%s", why);
    merger *m = merger_new(o);
    merge_counts c;
    ck_assert_msg(merger_run(m, b, NULL, NULL, &c, &why) == 0, "%s", why);
    merger_free(m);
    bundle_close(b);
    ck_assert_int_eq(c.updated, 0);
    ck_assert_int_eq(c.added, 0);
    ck_assert_int_ge(c.conflicts, 3);   /* name, m_name, hh_size */
    char *v = fx_answer(o, u, "name");
    ck_assert_str_eq(v, "An");
    free(v);
    ck_assert_ptr_null(fx_answer(o, u, "hh_size"));
    char *after = hx_text(store_path(o), "SELECT head FROM interviews");
    ck_assert_str_eq(head, after);
    ck_assert_int_eq(check_sql_long(store_path(o), "SELECT count(*) FROM"
                                    " conflicts WHERE qid = 'hh_size' AND"
                                    " mine IS NULL AND theirs = '9'"), 1);
    office_exports(o);
    free(after);
    free(head);
    free(bx);
    free(ba);
    store_close(x);
    store_close(a);
    store_close(o);
}
END_TEST

/* A bundle whose audit rows claim another laptop's device and numbers,
 * merged first, does not keep that laptop's real trail out. */
START_TEST(audit_rows_cannot_be_preempted)
{
    store *a = fx_laptop("a.db"), *o = fx_laptop("office.db");
    store *x = fx_laptop("x.db");
    char u[37], ux[37];
    fx_interview(a, "v01", "1", "An", u);
    fx_interview(x, "v01", "2", "Mallory", ux);
    char *ba = fx_export(a, "usbA", 0, NULL);
    char *bx = fx_export(x, "usbX", 0, NULL);
    char *dev = NULL;
    ck_assert_int_eq(store_device_id(a, &dev), 0);
    char *sql = xasprintf("UPDATE audit SET device = '%s',"
                          " new_value = 'forged'", dev);
    check_sql_exec(bx, sql);
    free(sql);
    hx_rehash(bx);
    long real = check_sql_long(ba, "SELECT count(*) FROM audit");
    ck_assert_int_gt(real, 0);
    char *why = NULL;
    ck_assert_msg(try_merge(o, bx, &why) == 0, "%s", why);
    ck_assert_msg(try_merge(o, ba, &why) == 0, "%s", why);
    sql = xasprintf("SELECT count(*) FROM audit WHERE interview = '%s'"
                    " AND origin = '%s'", u, dev);
    ck_assert_int_eq(check_sql_long(store_path(o), sql), real);
    free(sql);
    free(dev);
    free(bx);
    free(ba);
    store_close(x);
    store_close(a);
    store_close(o);
}
END_TEST

/* Put one item (a note when qid starts with '#') into revision rows of
 * the bundle copy t: of the bundle's interview, or of interview other. */
static void add_item(const char *t, const char *other, const char *qid,
                     const char *value)
{
    sqlite3 *db;
    check_open(t, &db);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO items"
        " SELECT coalesce(?3, interview), revision, ?1, '', ?2 FROM items"
        " LIMIT 1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, qid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, other, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    check_sql_exec(t, "UPDATE manifest SET value = (SELECT count(*)"
                      " FROM items) WHERE key = 'items'");
}

/* The office can still export; then free what one_interview made. */
static void close_case(store *a, store *o, char *uuid, char *honest)
{
    office_exports(o);
    free(uuid);
    free(honest);
    store_close(a);
    store_close(o);
}

/* An item added to an honest bundle, and what refusing it must say. */
typedef struct bad_item {
    const char *qid, *value, *want;
} bad_item;

/* Each bad item added alone to a copy of honest (its interview retargeted
 * to uuid) is refused with its message, o unchanged. */
static void each_refused(store *o, const char *honest, const char *uuid,
                         const bad_item *bad, size_t n, const char *stem)
{
    for (size_t i = 0; i < n; i++) {
        char *name = xasprintf("%s%zu.khb", stem, i);
        char *t = copy_of(honest, name);
        add_item(t, NULL, bad[i].qid, bad[i].value);
        retarget(t, uuid);
        refused_untouched(o, t, bad[i].want);
        refused_untouched(o, t, uuid);
        values_refused(t, bad[i].want);
        free(t);
        free(name);
    }
}

/* Answers that cannot be answers of their questions, each refused with
 * a message naming the bundle, interview, question and the value with
 * its control characters escaped; the office unchanged. */
START_TEST(values_checked_against_questions)
{
    static const bad_item bad[] = {
        {"hh_no", "=HYPERLINK(\"http://x\")\033]0;t\007",
         "question hh_no: \"=HYPERLINK(\\x22http://x\\x22)\\x1b]0;t\\x07\" "
         "is not an integer"},
        {"hh_no", "12a", "question hh_no: \"12a\" is not an integer"},
        {"village", "v99", "question village: \"v99\" is not a code of"},
        {"village", "v01 v02", "is not a code of the question's list"},
        {"speed", "fast", "question speed: \"fast\" is not a number"},
        {"phone", "1 1", "is not a code of the question's list"},
        {"internet", "\xe2\x80\xae" "1", "\"\\u202e1\" is not a code"},
    };
    store *a, *o;
    char *honest = one_interview(&a, &o);
    char *uuid = hx_text(honest, "SELECT uuid FROM interviews");
    each_refused(o, honest, uuid, bad, sizeof bad / sizeof *bad, "bad");
    /* Longer than any answer. */
    char *t = copy_of(honest, "long.khb");
    char *big = xmalloc(FORM_MAX_ANSWER + 2);
    memset(big, 'x', FORM_MAX_ANSWER + 1);
    big[FORM_MAX_ANSWER + 1] = '\0';
    char *sql = xasprintf("UPDATE items SET value = '%s' WHERE qid = 'name'",
                          big);
    check_sql_exec(t, sql);
    retarget(t, uuid);
    refused_untouched(o, t, "question name: \"xxxx");
    refused_untouched(o, t, "is longer than an answer can be");
    values_refused(t, "question name: \"xxxx");
    values_refused(t, "is 65537 bytes long, more than the 65536 an answer "
                   "can hold");
    free(sql);
    free(big);
    free(t);
    close_case(a, o, uuid, honest);
}
END_TEST

/* Notes travel as items "#QID": one on a question the form lacks, too
 * long, with a control character or a bidirectional override, or of an
 * interview the bundle does not carry, refuses the bundle (the text
 * escaped) with the office unchanged; an honest one, with a newline, is
 * stored beside its answer. */
START_TEST(notes_checked)
{
    char big[STORE_NOTE_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const bad_item bad[] = {
        {"#nosuch", "ghi chú", "the note \"ghi chú\" on question nosuch is "
         "on a question the form does not have"},
        {"#hh_no", "a\033]0;t\007", "the note \"a\\x1b]0;t\\x07\" on question"
         " hh_no is a text with a control character"},
        {"#hh_no", "\xe2\x80\xae" "1", "the note \"\\u202e1\" on question "
         "hh_no is a text with a control character"},
        {"#name", big, "xxx...\" on question name is longer than a note can "
         "be"},
    };
    store *a, *o;
    char *honest = one_interview(&a, &o);
    char *uuid = hx_text(honest, "SELECT uuid FROM interviews");
    each_refused(o, honest, uuid, bad, sizeof bad / sizeof *bad, "note");
    /* A note of an interview the bundle does not carry. */
    char *t = copy_of(honest, "stray.khb");
    add_item(t, "00000000-0000-4000-8000-0000000000aa", "#hh_no", "x");
    hx_rehash(t);
    refused_untouched(o, t, "which the bundle does not carry");
    free(t);
    /* An honest note merges, with its interview's revision. */
    t = copy_of(honest, "honest.khb");
    add_item(t, NULL, "#name", "tên thật\nhai dòng");
    retarget(t, uuid);
    char *why = NULL;
    ck_assert_msg(try_merge(o, t, &why) == 0, "%s", why);
    char *note = NULL;
    ck_assert_int_eq(store_note_get(o, uuid, "name", "", &note), 0);
    ck_assert_str_eq(note ? note : "(none)", "tên thật\nhai dòng");
    free(note);
    free(t);
    close_case(a, o, uuid, honest);
}
END_TEST

/* Collect the statuses merge_accept_forms reports. */
static void count_status(void *ctx, const merge_form *f)
{
    int *n = ctx;
    n[f->status]++;
}

/* Accept the forms of the bundle at path into st; n[status] counted. */
static void accept_forms(store *st, const char *path, int n[3])
{
    bundle *b;
    char *why = NULL;
    ck_assert_msg(bundle_open(path, &b, &why) == 0, "%s", why);
    memset(n, 0, 3 * sizeof *n);
    ck_assert_msg(merge_accept_forms(st, b, count_status, n, &why) == 0,
                  "%s", why);
    bundle_close(b);
}

/* A copy of the bundle at path whose form has another text under the
 * same id and version (its hash and the manifest's recomputed). */
static char *forged_form(const char *path, const char *name)
{
    char *t = copy_of(path, name);
    char *src = hx_text(t, "SELECT source FROM forms");
    char *forged = xasprintf("%s\n# forged\n", src);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)forged, strlen(forged));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    sqlite3 *db;
    check_open(t, &db);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE forms SET source = ?1,"
                                        " sha256 = ?2", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, forged, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    hx_rehash(t);
    free(forged);
    free(src);
    return t;
}

/* Forms are the office's: a bundle of a form version the office does not
 * keep is held aside, naming the bundle and the form, until the form is
 * accepted; a forged text of a version, even arriving first, never
 * defines it and never locks out the honest bundles. */
START_TEST(forms_are_the_offices)
{
    store *a = fx_laptop("a.db");
    char u[37];
    fx_interview(a, "v01", "1", "An", u);
    char *honest = fx_export(a, "usbA", 0, NULL);
    char *forged = forged_form(honest, "forged.khb");
    char *opath = fx_path("office.db"), *why = NULL;
    store *o;
    ck_assert_msg(store_open(opath, &o, &why) == 0, "%s", why);
    refused_untouched(o, forged, "form \"household\" version \"2026.1\" is "
                      "not one of this database's forms; the bundle is held "
                      "aside, nothing merged: check the form, then accept "
                      "it with 'khaosat forms accept ");
    refused_untouched(o, honest, "is not one of this database's forms");
    int n[3];
    accept_forms(o, honest, n);
    ck_assert_int_eq(n[MERGE_FORM_ADDED], 1);
    accept_forms(o, honest, n);
    ck_assert_int_eq(n[MERGE_FORM_HERE], 1);
    char *before = hx_fingerprint(opath);
    accept_forms(o, forged, n);
    ck_assert_int_eq(n[MERGE_FORM_DIFFERS], 1);
    char *after = hx_fingerprint(opath);
    ck_assert_str_eq(before, after);
    refused_untouched(o, forged, "differs from this database's form of that "
                      "version");
    ck_assert_msg(try_merge(o, honest, &why) == 0, "%s", why);
    office_exports(o);
    free(before);
    free(after);
    free(opath);
    free(forged);
    free(honest);
    store_close(a);
    store_close(o);
}
END_TEST

/* Seconds on the monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Two bundles with the same 4,000-revision chain of uneven diamonds and
 * different tips: the second is a three-way merge whose ancestor search
 * once cost the square of the chain (500 revisions: 12 s). */
START_TEST(long_diamond_history_merges_fast)
{
    store *o = fx_laptop("office.db");
    char *dir = fx_subdir("usb"), *pa = NULL, *pb = NULL, *err = NULL;
    const char *dev = "0d1a0000-0000-4000-8000-00000000000a";
    ck_assert_msg(diamond_bundle(dir, fx_source, fx_source_len, "household",
                                 "2026.1", dev, 4000, "tip A", &pa, &err)
                  == 0, "%s", err);
    ck_assert_msg(diamond_bundle(dir, fx_source, fx_source_len, "household",
                                 "2026.1", dev, 4000, "tip B", &pb, &err)
                  == 0, "%s", err);
    char *why = NULL;
    ck_assert_msg(try_merge(o, pa, &why) == 0, "%s", why);
    double t0 = now_s();
    bundle *b;
    ck_assert_msg(bundle_open(pb, &b, &why) == 0, "%s", why);
    merger *m = merger_new(o);
    merge_counts c;
    ck_assert_msg(merger_run(m, b, NULL, NULL, &c, &why) == 0, "%s", why);
    double t = now_s() - t0;
    ck_assert_int_eq(c.updated, 1);
    ck_assert_int_eq(c.conflicts, 1);       /* name: tip A against tip B */
    ck_assert_msg(t < 5.0, "merging took %.1f s", t);
    merger_free(m);
    bundle_close(b);
    ck_assert_int_eq(check_sql_long(store_path(o), "SELECT count(*) FROM"
                                    " revisions"), 4001 + 3);
    free(pa);
    free(pb);
    free(dir);
    store_close(o);
}
END_TEST

static Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = check_tcase(s, "reader", fx_setup, fx_teardown, 60);
    tcase_add_test(tc, disordered_keys_refused);
    tcase_add_test(tc, format_1_read_reviews_checked);
    tcase_add_test(tc, compact_audit_checked);
    tcase_add_test(tc, only_regular_files_are_opened);
    tcase_add_test(tc, plain_bundle_read_once);
    tc = check_tcase(s, "merge", fx_setup, fx_teardown, 60);
    tcase_add_test(tc, unrelated_root_is_a_conflict);
    tcase_add_test(tc, audit_rows_cannot_be_preempted);
    tcase_add_test(tc, values_checked_against_questions);
    tcase_add_test(tc, notes_checked);
    tcase_add_test(tc, setups_checked);
    tcase_add_test(tc, forms_are_the_offices);
    tc = check_tcase(s, "cost", fx_setup, fx_teardown, 120);
    tcase_add_test(tc, long_diamond_history_merges_fast);
    return s;
}

int main(void)
{
    return check_run(hostile_suite());
}
