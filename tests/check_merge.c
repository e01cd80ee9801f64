/* check_merge.c: the merge rules: adding, idempotence, a revision that
 * descends replacing, an older one ignored, three-way merging, conflicts
 * kept and resolved, duplicates flagged, provenance, refusals and kills
 * that leave the database as it was, the schema 2 -> 3 migration, and a
 * bundle file merged before known by its hash. */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle_fixture.h"
#include "hostile_fixture.h"
#include "check_main.h"
#include "sync/merge.h"
#include "sync/sync.h"
#include "store/revision.h"

/* Merge the bundle at path into st; the merger's result. */
static int merge(store *st, const char *path, merge_counts *c)
{
    bundle *b;
    char *err = NULL;
    ck_assert_msg(bundle_open(path, &b, &err) == 0, "%s", err);
    merger *m = merger_new(st);
    int rc = merger_run(m, b, NULL, NULL, c, &err);
    if (rc < 0)
        fprintf(stderr, "merge: %s\n", err);
    free(err);
    merger_free(m);
    bundle_close(b);
    return rc;
}

/* Expect these counts from merging path into st. */
static void merged(store *st, const char *path, long added, long updated,
                   long unchanged, long conflicts, long duplicates)
{
    merge_counts c;
    ck_assert_int_eq(merge(st, path, &c), 0);
    ck_assert_int_eq(c.added, added);
    ck_assert_int_eq(c.updated, updated);
    ck_assert_int_eq(c.unchanged, unchanged);
    ck_assert_int_eq(c.conflicts, conflicts);
    ck_assert_int_eq(c.duplicates, duplicates);
}

/* The stored answer equals want. */
static void answer_is(store *st, const char *uuid, const char *qid,
                      const char *want)
{
    char *v = fx_answer(st, uuid, qid);
    ck_assert_pstr_eq(v, want);
    free(v);
}

START_TEST(adds_once_with_provenance)
{
    store *a = fx_laptop("a.db"), *o = fx_laptop("office.db");
    char u[37];
    fx_interview(a, "v01", "1", "An", u);
    fx_interview(a, "v01", "2", "Binh", u);
    char *b1 = fx_export(a, "usb", 0, NULL);
    merged(o, b1, 2, 0, 0, 0, 0);
    answer_is(o, u, "name", "Binh");
    merge_counts c;
    ck_assert_int_eq(merge(o, b1, &c), 1);      /* the same bundle */
    /* The same revisions in another bundle: unchanged. */
    char *b2 = fx_export(a, "usb", BUNDLE_EXPORT_ALL, NULL);
    merged(o, b2, 0, 0, 2, 0, 0);
    char *dev, *sql;
    ck_assert_int_eq(store_device_id(a, &dev), 0);
    sql = xasprintf("SELECT count(*) FROM revisions r JOIN bundles b"
                    " ON b.uuid = r.bundle WHERE r.device = '%s'"
                    " AND r.enumerator = 'a.db' AND b.file = '%s'", dev, b1);
    ck_assert_int_eq(check_sql_long(store_path(o), sql), 2);
    ck_assert_int_eq(check_sql_long(store_path(o), "SELECT count(*) FROM audit"
                                                   " WHERE origin IS NOT NULL"), 2 * 8);
    free(sql);
    free(dev);
    free(b1);
    free(b2);
    store_close(a);
    store_close(o);
}
END_TEST

/* Every audit row of a database as text, one per line, in the order of
 * its device's numbering: where (NULL: this database's own rows, else
 * origin = where), but the export events written after the bundle. */
static char *audit_text(const char *path, const char *where)
{
    char *sql = xasprintf("SELECT group_concat(r, char(10)) FROM (SELECT"
        " interview || '|' || time || '|' || event || '|' ||"
        " coalesce(qid, '-') || '|' || coalesce(path, '-') || '|' ||"
        " coalesce(old_value, '-') || '|' || coalesce(new_value, '-') AS r"
        " FROM audit WHERE %s AND event <> 'export'"
        " ORDER BY interview, coalesce(origin_seq, seq))",
        where ? "origin = ?1" : "origin IS NULL");
    sqlite3 *db;
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (where)
        sqlite3_bind_text(s, 1, where, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    char *out = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    free(sql);
    return out;
}

/* The compact audit of a bundle (interviews by number, times in
 * milliseconds since the previous row) gives the office back every row of
 * the laptop's trail exactly: edits with old and new values, times to the
 * millisecond, and times it cannot code (no milliseconds, an impossible
 * date, before 1970, a clock set back), which travel as text. */
START_TEST(audit_comes_back_row_for_row)
{
    store *a = fx_laptop("a.db"), *o = fx_laptop("office.db");
    char u[37], v[37];
    fx_interview(a, "v01", "1", "An", u);
    fx_interview(a, "v01", "2", "Binh", v);
    ck_assert_int_eq(store_save_answer(a, u, "name", "", "An Nguyen"), 0);
    ck_assert_int_eq(store_save_answer(a, v, "name", "", ""), 0);
    static const char *const odd[] = {
        "2026-05-01T08:00:00Z", "2026-02-31T10:00:00.000Z",
        "1969-12-31T23:59:59.999Z", "2026-01-01T00:00:00.000Z",
        "9999-12-31T23:59:59.999Z", "2026-05-01T08:00:00.5Z",
        "2026-05-01 08:00:00.000Z",
    };
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        char *sql = xasprintf("INSERT INTO audit (interview, time, event,"
                              " qid, path, old_value, new_value) VALUES"
                              " ('%s', '%s', 'change', 'name', '', 'x%zu',"
                              " 'y%zu')", i % 2 ? v : u, odd[i], i, i);
        check_sql_exec(store_path(a), sql);
        free(sql);
    }
    char *b = fx_export(a, "usb", 0, NULL);
    ck_assert_int_eq(check_sql_long(b, "SELECT value FROM manifest"
                                       " WHERE key = 'format'"), BUNDLE_FORMAT);
    ck_assert_int_gt(check_sql_long(b, "SELECT count(*) FROM audit"
                                       " WHERE typeof(time) = 'integer'"), 8);
    merged(o, b, 2, 0, 0, 0, 0);
    char *dev;
    ck_assert_int_eq(store_device_id(a, &dev), 0);
    char *mine = audit_text(store_path(a), NULL);
    char *there = audit_text(store_path(o), dev);
    ck_assert_str_eq(mine, there);
    ck_assert_ptr_nonnull(strstr(there, "|2026-02-31T10:00:00.000Z|"));
    free(mine);
    free(there);
    free(dev);
    free(b);
    store_close(a);
    store_close(o);
}
END_TEST

START_TEST(descendant_replaces_older_ignored)
{
    store *a = fx_laptop("a.db"), *o = fx_laptop("office.db");
    char u[37];
    fx_interview(a, "v01", "1", "An", u);
    char *old = fx_export(a, "usb", 0, NULL);
    ck_assert_int_eq(store_save_answer(a, u, "name", "", "An Nguyen"), 0);
    char *newer = fx_export(a, "usb", 0, NULL);
    ck_assert_ptr_nonnull(newer);
    merged(o, newer, 1, 0, 0, 0, 0);
    merged(o, old, 0, 0, 1, 0, 0);              /* older: ignored */
    answer_is(o, u, "name", "An Nguyen");
    store *o2 = fx_laptop("office2.db");
    merged(o2, old, 1, 0, 0, 0, 0);
    merged(o2, newer, 0, 1, 0, 0, 0);           /* descends: replaces */
    answer_is(o2, u, "name", "An Nguyen");
    free(old);
    free(newer);
    store_close(a);
    store_close(o);
    store_close(o2);
}
END_TEST

/* Laptop b takes a's interview; both edit it from the same revision. */
static void two_edits(store *a, store *b, store *o, char u[37],
                      char **ba, char **bb)
{
    fx_interview(a, "v01", "1", "An", u);
    char *first = fx_export(a, "usb", 0, NULL);
    merged(b, first, 1, 0, 0, 0, 0);
    merged(o, first, 1, 0, 0, 0, 0);
    free(first);
    ck_assert_int_eq(store_save_answer(a, u, "hh_size", "", "4"), 0);
    ck_assert_int_eq(store_save_answer(b, u, "internet", "", "1"), 0);
    *ba = fx_export(a, "usbA", 0, NULL);
    *bb = fx_export(b, "usbB", 0, NULL);
}

START_TEST(three_way_takes_both_sides)
{
    store *a = fx_laptop("a.db"), *b = fx_laptop("b.db"),
          *o = fx_laptop("office.db");
    char u[37], *ba, *bb;
    two_edits(a, b, o, u, &ba, &bb);
    merged(o, ba, 0, 1, 0, 0, 0);
    merged(o, bb, 0, 1, 0, 0, 0);
    answer_is(o, u, "hh_size", "4");
    answer_is(o, u, "internet", "1");
    answer_is(o, u, "name", "An");
    char *sql = xasprintf("SELECT count(*) FROM revisions r JOIN interviews"
                          " i ON i.head = r.id WHERE i.uuid = '%s' AND"
                          " r.parent IS NOT NULL AND r.parent2 IS NOT NULL",
                          u);
    ck_assert_int_eq(check_sql_long(store_path(o), sql), 1);
    free(sql);
    /* Either order gives the same answers. */
    store *o2 = fx_laptop("office2.db");
    char *again = fx_export(a, "usbA", BUNDLE_EXPORT_ALL, NULL);
    merged(o2, bb, 1, 0, 0, 0, 0);
    merged(o2, again, 0, 1, 0, 0, 0);
    answer_is(o2, u, "hh_size", "4");
    answer_is(o2, u, "internet", "1");
    free(again);
    free(ba);
    free(bb);
    store_close(a);
    store_close(b);
    store_close(o);
    store_close(o2);
}
END_TEST

/* Collect conflicts as "qid:mine/theirs/base:who" lines. */
static int collect(void *ctx, const store_conflict *c)
{
    sbuf_addf(ctx, "%s:%s/%s/%s:%s;", c->qid, c->mine ? c->mine : "-",
              c->theirs ? c->theirs : "-", c->base ? c->base : "-",
              c->theirs_enumerator);
    return 0;
}

START_TEST(conflict_keeps_both_until_resolved)
{
    store *a = fx_laptop("a.db"), *b = fx_laptop("b.db"),
          *o = fx_laptop("office.db");
    char u[37];
    fx_interview(a, "v01", "1", "An", u);
    char *first = fx_export(a, "usb", 0, NULL);
    merged(b, first, 1, 0, 0, 0, 0);
    merged(o, first, 1, 0, 0, 0, 0);
    ck_assert_int_eq(store_save_answer(a, u, "name", "", "An A"), 0);
    ck_assert_int_eq(store_save_answer(b, u, "name", "", "An B"), 0);
    ck_assert_int_eq(store_set_repeat_count(b, u, "members", 3), 0);
    char *ba = fx_export(a, "usbA", 0, NULL), *bb = fx_export(b, "usbB", 0,
                                                              NULL);
    merged(o, ba, 0, 1, 0, 0, 0);
    merged(o, bb, 0, 1, 0, 1, 0);
    answer_is(o, u, "name", "An A");            /* nothing overwritten */
    sbuf s;
    sbuf_init(&s);
    ck_assert_int_eq(store_conflicts_each(o, 0, collect, &s), 0);
    ck_assert_str_eq(s.s, "name:An A/An B/An:b.db;");
    sbuf_reset(&s);
    /* Both revisions are kept. */
    char *sql = xasprintf("SELECT count(*) FROM revisions WHERE interview ="
                          " '%s'", u);
    ck_assert_int_eq(check_sql_long(store_path(o), sql), 5);   /* b edited twice */
    free(sql);
    char *mine, *theirs;
    ck_assert_int_eq(store_conflict_values(o, u, "name", "", &mine,
                                           &theirs), 0);
    ck_assert_str_eq(theirs, "An B");
    char rev[65];
    ck_assert_int_eq(store_save_answer(o, u, "name", "", theirs), 0);
    ck_assert_int_eq(store_rev_snapshot(o, u, 0, rev), 0);
    ck_assert_int_eq(store_conflict_resolve(o, u, "name", "", rev), 0);
    free(mine);
    free(theirs);
    ck_assert_int_eq(store_conflicts_each(o, 0, collect, &s), 0);
    ck_assert_str_eq(s.s, "");
    ck_assert_int_eq(store_conflict_values(o, u, "name", "", &mine,
                                           &theirs), 1);
    ck_assert_int_eq(check_sql_long(store_path(o), "SELECT count FROM repeat_counts"),
                     3);
    free(mine);
    free(theirs);
    sbuf_free(&s);
    free(first);
    free(ba);
    free(bb);
    store_close(a);
    store_close(b);
    store_close(o);
}
END_TEST

static int count_dup(void *ctx, const store_duplicate *d)
{
    ck_assert_str_eq(d->key, "village=v01, hh_no=7");
    ++*(int *)ctx;
    return 0;
}

START_TEST(duplicates_flagged_not_merged)
{
    store *a = fx_laptop("a.db"), *b = fx_laptop("b.db"),
          *o = fx_laptop("office.db");
    char u1[37], u2[37], u3[37];
    fx_interview(a, "v01", "7", "An", u1);
    /* Typed "07" on a laptop that stored values as typed: the same key. */
    fx_interview(b, "v01", "07", "Binh", u2);
    fx_interview(b, "v02", "7", "Cuong", u3);
    char *ba = fx_export(a, "usbA", 0, NULL), *bb = fx_export(b, "usbB", 0,
                                                              NULL);
    merged(o, ba, 1, 0, 0, 0, 0);
    merged(o, bb, 2, 0, 0, 0, 1);
    answer_is(o, u1, "name", "An");
    answer_is(o, u2, "name", "Binh");
    int n = 0;
    ck_assert_int_eq(store_duplicates_each(o, count_dup, &n), 0);
    ck_assert_int_eq(n, 1);
    free(ba);
    free(bb);
    store_close(a);
    store_close(b);
    store_close(o);
}
END_TEST

static int kill_after_one(void *ctx, long done)
{
    (void)ctx;
    if (done >= 1)
        raise(SIGKILL);
    return 0;
}

START_TEST(killed_merge_changes_nothing)
{
    store *a = fx_laptop("a.db"), *o = fx_laptop("office.db");
    char u[37];
    fx_interview(a, "v01", "1", "An", u);
    fx_interview(a, "v01", "2", "Binh", u);
    fx_interview(a, "v01", "3", "Cuong", u);
    char *ba = fx_export(a, "usbA", 0, NULL);
    char *opath = xstrdup(store_path(o));
    store_close(o);
    store_close(a);
    char *before = hx_fingerprint(opath);
    pid_t pid = fork();
    if (pid == 0) {
        store *st;
        bundle *b;
        char *err = NULL;
        merge_counts c;
        free(before);  /* the parent's; the child only merges */
        if (store_open(opath, &st, &err) || bundle_open(ba, &b, &err))
            _exit(3);
        merger_run(merger_new(st), b, kill_after_one, NULL, &c, &err);
        _exit(4);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    char *after = hx_fingerprint(opath);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    free(opath);
    free(ba);
}
END_TEST

START_TEST(differing_form_refused_untouched)
{
    store *a = fx_laptop("a.db"), *o = fx_laptop("office.db");
    char u[37];
    fx_interview(a, "v01", "1", "An", u);
    char *ba = fx_export(a, "usbA", 0, NULL);
    store *x = fx_laptop("x.db");
    char *other = xasprintf("%s\n# changed\n", fx_source);
    check_sql_exec(store_path(o), "DELETE FROM forms");
    ck_assert_int_eq(store_save_form(o, "household", "2026.1", other,
                                     strlen(other), NULL), 0);
    char *before = hx_fingerprint(store_path(o));
    merge_counts c;
    ck_assert_int_eq(merge(o, ba, &c), -1);
    char *after = hx_fingerprint(store_path(o));
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    free(other);
    free(ba);
    store_close(a);
    store_close(o);
    store_close(x);
}
END_TEST

/* A form text that does not load is never accepted (it would check no
 * answer), and a bundle whose stored form does not load is refused. */
START_TEST(unloadable_form_refused)
{
    store *a = fx_laptop("a.db"), *o = fx_laptop("office.db");
    char u[37];
    fx_interview(a, "v01", "1", "An", u);
    char *ba = fx_export(a, "usbA", 0, NULL);
    char *good = fx_path("good.khb");
    char *copy = xasprintf("VACUUM INTO '%s'", good);
    check_sql_exec(ba, copy);
    free(copy);
    static const char junk[] = "this is: [not a form";
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(h, (const unsigned char *)junk, strlen(junk));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    char *sql = xasprintf("UPDATE forms SET source = '%s', sha256 = '%s'",
                          junk, hex);
    check_sql_exec(ba, sql);
    free(sql);
    hx_rehash(ba);
    check_sql_exec(store_path(o), "DELETE FROM forms");
    char *before = hx_fingerprint(store_path(o));
    bundle *b;
    char *err = NULL;
    ck_assert_msg(bundle_open(ba, &b, &err) == 0, "%s", err);
    ck_assert_int_eq(merge_accept_forms(o, b, NULL, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "form \"household\" version "
                                      "\"2026.1\" is not a valid form"));
    ck_assert_ptr_nonnull(strstr(err, ba));
    free(err);
    err = NULL;
    bundle_close(b);
    char *after = hx_fingerprint(store_path(o));
    ck_assert_str_eq(before, after);
    free(after);
    /* The same text already kept (an older khaosat accepted it): merge
     * refuses rather than take answers it cannot check. */
    ck_assert_int_eq(store_save_form(o, "household", "2026.1", fx_source,
                                     strlen(fx_source), NULL), 0);
    check_sql_exec(store_path(o), "UPDATE forms SET source = 'this is: ['");
    free(before);
    before = hx_fingerprint(store_path(o));
    merge_counts c;
    ck_assert_int_eq(merge(o, good, &c), -1);
    after = hx_fingerprint(store_path(o));
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    free(good);
    free(ba);
    store_close(a);
    store_close(o);
}
END_TEST

/* A schema 2 database, as khaosat wrote it before revisions. */
static const char v2_db[] =
    "PRAGMA application_id = 1263026511;"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE forms (id INTEGER PRIMARY KEY, form_id TEXT NOT NULL,"
    " version TEXT NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL,"
    " UNIQUE (form_id, version));"
    "CREATE TABLE interviews (uuid TEXT PRIMARY KEY, form_id TEXT NOT NULL,"
    " form_version TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN"
    " ('draft', 'complete')), created TEXT NOT NULL, updated TEXT NOT NULL,"
    " enumerator TEXT NOT NULL DEFAULT '', device_id TEXT NOT NULL DEFAULT"
    " '', position TEXT, exported_at TEXT, FOREIGN KEY (form_id,"
    " form_version) REFERENCES forms (form_id, version));"
    "CREATE TABLE answers (interview TEXT NOT NULL REFERENCES interviews"
    " (uuid) ON DELETE CASCADE, qid TEXT NOT NULL, path TEXT NOT NULL"
    " DEFAULT '', value TEXT NOT NULL, PRIMARY KEY (interview, qid, path))"
    " WITHOUT ROWID;"
    "CREATE TABLE repeat_counts (interview TEXT NOT NULL, path TEXT NOT NULL,"
    " count INTEGER NOT NULL, PRIMARY KEY (interview, path)) WITHOUT ROWID;"
    "CREATE TABLE audit (seq INTEGER PRIMARY KEY, interview TEXT NOT NULL,"
    " time TEXT NOT NULL, event TEXT NOT NULL, qid TEXT, path TEXT,"
    " old_value TEXT, new_value TEXT);"
    "INSERT INTO settings VALUES ('device_id', 'dev-2');"
    "INSERT INTO forms (form_id, version, source, sha256)"
    " VALUES ('household', '2026.1', 'x', 'h');"
    "INSERT INTO interviews VALUES ('6f1c2d3e-0000-4000-8000-000000000001',"
    " 'household', '2026.1', 'complete', '2025-01-01T00:00:00Z',"
    " '2025-01-01T00:00:00Z', 'Lan', 'dev-2', NULL, NULL);"
    "INSERT INTO answers VALUES ('6f1c2d3e-0000-4000-8000-000000000001',"
    " 'village', '', 'v01');"
    "INSERT INTO audit (interview, time, event, new_value) VALUES"
    " ('6f1c2d3e-0000-4000-8000-000000000001', '2025-01-01T00:00:00.000Z',"
    " 'create', 'draft');"
    "PRAGMA user_version = 2;";

START_TEST(migrates_v2_and_exports)
{
    char *path = fx_path("old.db");
    check_sql_exec(path, v2_db);
    store *st;
    char *err = NULL;
    ck_assert_msg(store_open(path, &st, &err) == 0, "%s", err);
    ck_assert_int_eq(check_sql_long(path, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(path, "SELECT count(*) FROM revisions"), 0);
    long n;
    char *b = fx_export(st, "usb", 0, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(check_sql_long(path, "SELECT count(*) FROM revisions r JOIN"
                                          " interviews i ON i.head = r.id"), 1);
    ck_assert_int_eq(check_sql_long(b, "SELECT count(*) FROM audit"
                                       " WHERE device = 'dev-2' AND seq = 1"), 1);
    free(b);
    free(path);
    store_close(st);
}
END_TEST

/* What sync_merge_paths said about the last bundle. */
typedef struct outcome {
    enum sync_outcome what;
    char *merged_on, *why;
} outcome;

static void outcome_done(void *ctx, const sync_bundle_result *r)
{
    outcome *o = ctx;
    free(o->merged_on);
    free(o->why);
    o->what = r->outcome;
    o->merged_on = r->merged_on ? xstrdup(r->merged_on) : NULL;
    o->why = r->why ? xstrdup(r->why) : NULL;
}

/* Merge the file path into st as khaosat merge does (plain bundles
 * taken); what became of it in *o. */
static void merge_file(store *st, const char *path, outcome *o)
{
    sync_merge_hooks h = {.done = outcome_done, .ctx = o};
    sync_totals t;
    char *const v[1] = {(char *)path};
    sync_merge_paths(st, NULL, v, 1, SYNC_ALLOW_UNSIGNED, &h, &t);
    ck_assert_int_eq(t.bundles, 1);
}

/* A text query's first column on the database at path, newly allocated. */
static char *sql_text(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    char *v = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* The bytes of the file at path, byte for byte, as a hash (to show that
 * a merge left a database file exactly as it was). */
static char *file_hash(const char *path)
{
    size_t len = 0;
    unsigned char *d = (unsigned char *)util_read_file(path, &len);
    ck_assert_ptr_nonnull(d);
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, d, len, NULL, 0);
    char *hex = xmalloc(2 * sizeof h + 1);
    sodium_bin2hex(hex, 2 * sizeof h + 1, h, sizeof h);
    free(d);
    return hex;
}

/* A bundle file merged once is known again by its bytes: the same file
 * (or a copy of it) is told merged before, with the date, without being
 * opened: even when opening it would now be refused.  A different file
 * of the same bundle is checked whole as before: the same content is
 * merged before, a changed one refused, the database as it was. */
START_TEST(same_file_known_before_opening)
{
    store *a = fx_laptop("a.db"), *o = fx_laptop("office.db");
    char u[37];
    fx_interview(a, "v01", "1", "An", u);
    fx_interview(a, "v01", "2", "Binh", u);
    char *b = fx_export(a, "usb", 0, NULL);
    outcome r = {0};
    merge_file(o, b, &r);
    ck_assert_int_eq(r.what, SYNC_MERGED);
    /* What is recorded is the hash of every byte of the file. */
    char *want = file_hash(b);
    char *got = sql_text(store_path(o), "SELECT file_hash FROM bundles");
    ck_assert_str_eq(got, want);
    char hex[BUNDLE_FILE_HASH_HEX], *err = NULL;
    ck_assert_int_eq(bundle_hash_file(b, hex, &err), 0);
    ck_assert_str_eq(hex, want);
    char *when = sql_text(store_path(o), "SELECT merged FROM bundles");
    char *db_before = file_hash(store_path(o));

    /* The same file again, and a copy of it under another name. */
    merge_file(o, b, &r);
    ck_assert_int_eq(r.what, SYNC_AGAIN);
    ck_assert_pstr_eq(r.merged_on, when);
    char *copy = fx_path("usb/copy.khb");
    char *cp = xasprintf("cp '%s' '%s'", b, copy);
    ck_assert_int_eq(system(cp), 0);
    merge_file(o, copy, &r);
    ck_assert_int_eq(r.what, SYNC_AGAIN);
    ck_assert_pstr_eq(r.merged_on, when);
    char *db_after = file_hash(store_path(o));
    ck_assert_str_eq(db_before, db_after);
    free(db_after);

    /* The same bundle unpacked (another file, the same content): checked
     * whole, and known by its UUID and content hash. */
    ck_assert_int_gt(check_sql_long(copy, "SELECT count(*) FROM manifest"),
                     0);
    merge_file(o, copy, &r);
    ck_assert_int_eq(r.what, SYNC_AGAIN);
    ck_assert_pstr_eq(r.merged_on, when);
    db_after = file_hash(store_path(o));
    ck_assert_str_eq(db_before, db_after);
    free(db_after);

    /* Make the full check refuse this bundle: the copy is refused, so it
     * was opened; the very file merged is not opened again. */
    check_sql_exec(store_path(o), "UPDATE bundles SET sha256 = 'x'");
    free(db_before);
    db_before = file_hash(store_path(o));
    merge_file(o, copy, &r);
    ck_assert_int_eq(r.what, SYNC_REFUSED);
    ck_assert_ptr_nonnull(strstr(r.why, "a different bundle with the same "
                                 "UUID"));
    merge_file(o, b, &r);
    ck_assert_int_eq(r.what, SYNC_AGAIN);

    /* One byte more: another file, checked whole and refused. */
    FILE *f = fopen(b, "ab");
    ck_assert_int_eq(fputc(0, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    merge_file(o, b, &r);
    ck_assert_int_eq(r.what, SYNC_REFUSED);
    db_after = file_hash(store_path(o));
    ck_assert_str_eq(db_before, db_after);

    /* A hash never merged is unknown. */
    merger *m = merger_new(o);
    char *uuid = NULL, *at = NULL;
    ck_assert_int_eq(merger_file_seen(m, "00", &uuid, &at, &err), 1);
    ck_assert_ptr_null(uuid);
    merger_free(m);
    free(r.merged_on);
    free(r.why);
    free(db_before);
    free(db_after);
    free(when);
    free(want);
    free(got);
    free(cp);
    free(copy);
    free(b);
    store_close(a);
    store_close(o);
}
END_TEST

static Suite *merge_suite(void)
{
    Suite *s = suite_create("merge");
    TCase *tc = check_tcase(s, "core", fx_setup, fx_teardown, 60);
    tcase_add_test(tc, adds_once_with_provenance);
    tcase_add_test(tc, audit_comes_back_row_for_row);
    tcase_add_test(tc, descendant_replaces_older_ignored);
    tcase_add_test(tc, three_way_takes_both_sides);
    tcase_add_test(tc, conflict_keeps_both_until_resolved);
    tcase_add_test(tc, duplicates_flagged_not_merged);
    tcase_add_test(tc, killed_merge_changes_nothing);
    tcase_add_test(tc, differing_form_refused_untouched);
    tcase_add_test(tc, unloadable_form_refused);
    tcase_add_test(tc, migrates_v2_and_exports);
    tcase_add_test(tc, same_file_known_before_opening);
    return s;
}

int main(void)
{
    return check_run(merge_suite());
}
