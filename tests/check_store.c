/* check_store.c: the SQLite store: opening, refusing foreign or newer files
 * untouched, migration from schema 1, settings, answers with their audit,
 * repeat instances, listing, and durability when the process is killed. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "store/revision.h"
#include "store/figures.h"
#include "store/store.h"
#include "store/store_merge.h"
#include "store/store_int.h"   /* the connection, for its query plans */
#include "core/clock.h"
#include "core/util.h"

static char *tmpdir;
static char *dbpath;

static void setup(void)
{
    tmpdir = check_tmpdir_new("check_store");
    dbpath = xasprintf("%s/khaosat.db", tmpdir);
}

static void teardown(void)
{
    check_tmpdir_free(tmpdir);
    free(dbpath);
}

/* Open dbpath, failing the test with the store's message if it cannot. */
static store *open_ok(void)
{
    store *st;
    char *err = NULL;
    int rc = store_open(dbpath, &st, &err);
    ck_assert_msg(rc == 0, "store_open: %s", err ? err : "?");
    return st;
}

static const char form_text[] = "id: hh\nversion: '1'\nquestions: []\n";

/* A store with form hh v1 saved and one draft interview in uuid. */
static store *open_with_interview(char uuid[37])
{
    store *st = open_ok();
    ck_assert_int_eq(store_save_form(st, "hh", "1", form_text,
                                     strlen(form_text), NULL), 0);
    ck_assert_msg(store_interview_create(st, "hh", "1", "Lan", uuid) == 0,
                  "%s", store_errmsg(st));
    return st;
}

/* Collects answers as "qid@path=value;" in load order. */
static int collect_answer(void *ctx, const char *qid, const char *path,
                          const char *value)
{
    sbuf_addf(ctx, "%s@%s=%s;", qid, path, value);
    return 0;
}

static char *answers_of(store *st, const char *uuid)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_load_answers(st, uuid, collect_answer, &b), 0);
    return sbuf_detach(&b);
}

/* Collects audit rows as "event qid path old>new;" (NULL shown as -). */
static int collect_audit(void *ctx, const store_audit *a)
{
#define OR(x) ((x) ? (x) : "-")
    sbuf_addf(ctx, "%s %s %s %s>%s;", a->event, OR(a->qid), OR(a->path),
              OR(a->old_value), OR(a->new_value));
#undef OR
    ck_assert_uint_eq(strlen(a->time), 24);   /* 2024-05-01T08:30:00.123Z */
    return 0;
}

static char *audit_of(store *st, const char *uuid)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_load_audit(st, uuid, collect_audit, &b), 0);
    return sbuf_detach(&b);
}

/* The whole content of a file, for before/after comparisons. */
static char *slurp(const char *path, size_t *len)
{
    char *s = util_read_file(path, len);
    ck_assert_ptr_nonnull(s);
    return s;
}

START_TEST(create_and_reopen)
{
    store *st = open_ok();
    ck_assert_str_eq(store_path(st), dbpath);
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM pragma_journal_mode"
                                            " WHERE journal_mode = 'wal'"), 1);
    st = open_ok();
    store_close(st);
}
END_TEST

START_TEST(settings_persist)
{
    store *st = open_ok();
    char *v;
    ck_assert_int_eq(store_setting_get(st, STORE_SET_ENUMERATOR, &v), 0);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_ENUMERATOR, "Nguyễn Lan"), 0);
    ck_assert_int_eq(store_setting_set(st, "commune", "Xã A"), 0);
    ck_assert_int_eq(store_setting_set(st, "commune", "Xã B"), 0);
    store_close(st);
    st = open_ok();
    ck_assert_int_eq(store_setting_get(st, STORE_SET_ENUMERATOR, &v), 0);
    ck_assert_str_eq(v, "Nguyễn Lan");
    free(v);
    ck_assert_int_eq(store_setting_get(st, "commune", &v), 0);
    ck_assert_str_eq(v, "Xã B");
    free(v);
    ck_assert_int_eq(store_setting_set(st, "commune", NULL), 0);
    ck_assert_int_eq(store_setting_get(st, "commune", &v), 0);
    ck_assert_ptr_null(v);
    store_close(st);
}
END_TEST

START_TEST(device_id_is_stable_uuid)
{
    store *st = open_ok();
    char *a, *b;
    ck_assert_int_eq(store_device_id(st, &a), 0);
    ck_assert_uint_eq(strlen(a), 36);
    ck_assert_int_eq(a[14], '4');
    ck_assert(strchr("89ab", a[19]) != NULL);
    ck_assert_int_eq(a[8], '-');
    store_close(st);
    st = open_ok();
    ck_assert_int_eq(store_device_id(st, &b), 0);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    char u1[37], u2[37];
    store_uuid_v4(u1);
    store_uuid_v4(u2);
    ck_assert_str_ne(u1, u2);
    store_close(st);
}
END_TEST

START_TEST(forms_are_kept_and_never_changed)
{
    store *st = open_ok();
    int64_t id1, id2;
    ck_assert_int_eq(store_save_form(st, "f", "1", "abc", 3, &id1), 0);
    ck_assert_int_eq(store_save_form(st, "f", "1", "abc", 3, &id2), 0);
    ck_assert_int_eq(id1, id2);
    ck_assert_int_eq(store_save_form(st, "f", "1", "abd", 3, NULL), -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), "different text"));
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), dbpath));
    ck_assert_int_eq(store_save_form(st, "f", "2", "abd", 3, &id2), 0);
    ck_assert_int_ne(id1, id2);
    store_form f;
    ck_assert_int_eq(store_load_form(st, "f", "1", &f), 0);
    ck_assert_int_eq(f.id, id1);
    ck_assert_uint_eq(f.source_len, 3);
    ck_assert_str_eq(f.source, "abc");
    ck_assert_str_eq(f.sha256, "ba7816bf8f01cfea414140de5dae2223"
                     "b00361a396177a9cb410ff61f20015ad");
    store_form_clear(&f);
    ck_assert_int_eq(store_load_form(st, "f", "9", &f), 1);
    store_close(st);
}
END_TEST

START_TEST(interview_needs_a_stored_form)
{
    store *st = open_ok();
    char uuid[37];
    ck_assert_int_eq(store_interview_create(st, "nope", "1", "Lan", uuid), -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), "not stored"));
    store_close(st);
}
END_TEST

START_TEST(answers_save_overwrite_clear_with_audit)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, uuid, &iv), 0);
    ck_assert_str_eq(iv.enumerator, "Lan");
    ck_assert_int_eq(iv.status, STORE_DRAFT);
    ck_assert_ptr_null(iv.exported_at);
    char *dev;
    ck_assert_int_eq(store_device_id(st, &dev), 0);
    ck_assert_str_eq(iv.device_id, dev);
    free(dev);
    store_interview_clear(&iv);

    ck_assert_int_eq(store_save_answer(st, uuid, "age", "", "41"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "age", "", "42"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "age", NULL, "42"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "members[1]", "Hà"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "note", "", "x"), 0);
    ck_assert_int_eq(store_clear_answer(st, uuid, "note", ""), 0);
    ck_assert_int_eq(store_clear_answer(st, uuid, "note", ""), 0);
    char *a = answers_of(st, uuid);
    ck_assert_str_eq(a, "age@=42;name@members[1]=Hà;");
    free(a);
    a = audit_of(st, uuid);
    ck_assert_str_eq(a, "create - - ->draft;"
                     "change age  ->41;change age  41>42;"
                     "change name members[1] ->Hà;"
                     "change note  ->x;change note  x>-;");
    free(a);

    ck_assert_int_eq(store_save_answer(st, uuid, "age", "members[0]", "1"), -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), "bad repeat path"));
    ck_assert_int_eq(store_save_answer(st, "no-such", "age", "", "1"), -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), "no interview no-such"));

    ck_assert_int_eq(store_audit_event(st, uuid, "enter", "age", "", NULL), 0);
    ck_assert_int_eq(store_audit_event(st, "no-such", "enter", "age", "",
                                       NULL), -1);
    store_close(st);
}
END_TEST

START_TEST(status_and_position)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_interview_set_position(st, uuid, "members[2]/age"),
                     0);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    store_close(st);
    st = open_ok();
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, uuid, &iv), 0);
    ck_assert_str_eq(iv.position, "members[2]/age");
    ck_assert_int_eq(iv.status, STORE_COMPLETE);
    ck_assert_uint_eq(strlen(iv.updated), 20);
    ck_assert_int_eq(iv.updated[19], 'Z');
    store_interview_clear(&iv);
    char *a = audit_of(st, uuid);
    ck_assert_ptr_nonnull(strstr(a, "status - - draft>complete;"));
    free(a);
    ck_assert_int_eq(store_get_interview(st, "nope", &iv), 1);
    ck_assert_int_eq(store_interview_set_position(st, "nope", "x"), -1);
    store_close(st);
}
END_TEST

START_TEST(delete_only_drafts)
{
    char uuid[37], done[37];
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_interview_create(st, "hh", "1", "Lan", done), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "a", "", "1"), 0);
    ck_assert_int_eq(store_save_answer(st, done, "a", "", "2"), 0);
    ck_assert_int_eq(store_interview_set_status(st, done, STORE_COMPLETE), 0);

    ck_assert_int_eq(store_interview_delete(st, done), -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), "is complete"));
    char *a = answers_of(st, done);
    ck_assert_str_eq(a, "a@=2;");
    free(a);

    ck_assert_int_eq(store_interview_delete(st, uuid), 0);
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, uuid, &iv), 1);
    a = answers_of(st, uuid);
    ck_assert_str_eq(a, "");
    free(a);
    a = audit_of(st, uuid);
    ck_assert_str_eq(a, "");
    free(a);
    ck_assert_int_eq(store_interview_delete(st, uuid), -1);
    store_close(st);
}
END_TEST

/* Collects repeat counts as "path=n;". */
static int collect_count(void *ctx, const char *path, long n)
{
    sbuf_addf(ctx, "%s=%ld;", path, n);
    return 0;
}

static char *counts_of(store *st, const char *uuid)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_load_repeat_counts(st, uuid, collect_count, &b), 0);
    return sbuf_detach(&b);
}

START_TEST(repeat_instance_delete_renumbers)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_save_answer(st, uuid, "head", "", "Lan"), 0);
    const char *names[] = {"An", "Bình", "Chi", "Dũng"};
    for (int i = 0; i < 4; i++) {
        char *p = xasprintf("members[%d]", i + 1);
        ck_assert_int_eq(store_save_answer(st, uuid, "name", p, names[i]), 0);
        free(p);
    }
    ck_assert_int_eq(store_save_answer(st, uuid, "crop", "members[2]/crops[1]",
                                       "rice"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "crop", "members[3]/crops[1]",
                                       "maize"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "crop", "members[3]/crops[2]",
                                       "tea"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "plot", "plots[3]", "p3"), 0);
    ck_assert_int_eq(store_set_repeat_count(st, uuid, "members", 4), 0);
    ck_assert_int_eq(store_set_repeat_count(st, uuid, "members[2]/crops", 1),
                     0);
    ck_assert_int_eq(store_set_repeat_count(st, uuid, "members[3]/crops", 2),
                     0);
    ck_assert_int_eq(store_set_repeat_count(st, uuid, "plots", 3), 0);

    ck_assert_int_eq(store_delete_repeat_instance(st, uuid, "members[2]"), 0);
    char *a = answers_of(st, uuid);
    ck_assert_str_eq(a, "head@=Lan;name@members[1]=An;name@members[2]=Chi;"
                     "crop@members[2]/crops[1]=maize;"
                     "crop@members[2]/crops[2]=tea;"
                     "name@members[3]=Dũng;plot@plots[3]=p3;");
    free(a);
    a = counts_of(st, uuid);
    ck_assert_str_eq(a, "members=3;members[2]/crops=2;plots=3;");
    free(a);
    a = audit_of(st, uuid);
    ck_assert_ptr_nonnull(strstr(a, "remove-instance - members[2] ->-;"));
    ck_assert_ptr_nonnull(strstr(a, "change name members[2] Bình>-;"));
    ck_assert_ptr_nonnull(strstr(a, "change crop members[2]/crops[1] rice>-;"));
    ck_assert_ptr_nonnull(strstr(a, "renumber - members[3] members[3]>"
                                 "members[2];"));
    ck_assert_ptr_nonnull(strstr(a, "renumber - members[4] members[4]>"
                                 "members[3];"));
    ck_assert_ptr_nonnull(strstr(a, "count - members 4>3;"));
    free(a);

    /* A nested instance: only its own siblings move. */
    ck_assert_int_eq(store_delete_repeat_instance(st, uuid,
                                                  "members[2]/crops[1]"), 0);
    a = answers_of(st, uuid);
    ck_assert_str_eq(a, "head@=Lan;name@members[1]=An;name@members[2]=Chi;"
                     "crop@members[2]/crops[1]=tea;"
                     "name@members[3]=Dũng;plot@plots[3]=p3;");
    free(a);
    a = counts_of(st, uuid);
    ck_assert_str_eq(a, "members=3;members[2]/crops=1;plots=3;");
    free(a);

    /* The last instance: nothing to renumber. */
    ck_assert_int_eq(store_delete_repeat_instance(st, uuid, "members[3]"), 0);
    a = answers_of(st, uuid);
    ck_assert_ptr_null(strstr(a, "Dũng"));
    free(a);
    ck_assert_int_eq(store_delete_repeat_instance(st, uuid, "members"), -1);
    ck_assert_int_eq(store_delete_repeat_instance(st, uuid, ""), -1);
    store_close(st);
}
END_TEST

/* Remembers each interview's uuid and status in list order. */
static int collect_interview(void *ctx, const store_interview *iv)
{
    sbuf_addf(ctx, "%s:%s;", iv->form_id,
              iv->status == STORE_COMPLETE ? "complete" : "draft");
    return 0;
}

static int collect_form_counts(void *ctx, const char *form_id,
                               const store_counts *c)
{
    sbuf_addf(ctx, "%s %ld/%ld/%ld;", form_id, c->drafts, c->complete,
              c->not_exported);
    return 0;
}

static int stop_at_first(void *ctx, const store_interview *iv)
{
    (void)iv;
    ++*(int *)ctx;
    return 7;
}

START_TEST(list_and_count)
{
    store *st = open_ok();
    ck_assert_int_eq(store_save_form(st, "a", "1", "A", 1, NULL), 0);
    ck_assert_int_eq(store_save_form(st, "b", "1", "B", 1, NULL), 0);
    char u[5][37];
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(store_interview_create(st, "a", "1", "x", u[i]), 0);
    for (int i = 3; i < 5; i++)
        ck_assert_int_eq(store_interview_create(st, "b", "1", "x", u[i]), 0);
    ck_assert_int_eq(store_interview_set_status(st, u[0], STORE_COMPLETE), 0);
    ck_assert_int_eq(store_interview_set_status(st, u[3], STORE_COMPLETE), 0);
    ck_assert_int_eq(store_interview_set_status(st, u[4], STORE_COMPLETE), 0);
    ck_assert_int_eq(store_interview_mark_exported(st, u[3]), 0);
    ck_assert_int_eq(store_interview_mark_exported(st, u[4]), 0);

    store_counts c;
    ck_assert_int_eq(store_count(st, "a", &c), 0);
    ck_assert_int_eq(c.drafts, 2);
    ck_assert_int_eq(c.complete, 1);
    ck_assert_int_eq(c.not_exported, 1);
    ck_assert_int_eq(store_count(st, NULL, &c), 0);
    ck_assert_int_eq(c.drafts, 2);
    ck_assert_int_eq(c.complete, 3);
    ck_assert_int_eq(c.not_exported, 1);
    ck_assert_int_eq(store_count(st, "none", &c), 0);
    ck_assert_int_eq(c.drafts + c.complete, 0);

    /* A change after export makes it due for export again. */
    ck_assert_int_eq(store_save_answer(st, u[4], "q", "", "late fix"), 0);
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_count_by_form(st, collect_form_counts, &b), 0);
    ck_assert_str_eq(b.s, "a 2/1/1;b 0/2/1;");
    sbuf_reset(&b);

    ck_assert_int_eq(store_list_interviews(st, "b", collect_interview, &b), 0);
    ck_assert_str_eq(b.s, "b:complete;b:complete;");
    sbuf_reset(&b);
    ck_assert_int_eq(store_list_interviews(st, NULL, collect_interview, &b), 0);
    ck_assert_uint_eq(strlen(b.s), strlen("a:draft;") * 2 +
                      strlen("a:complete;") + strlen("b:complete;") * 2);
    sbuf_free(&b);
    int calls = 0;
    ck_assert_int_eq(store_list_interviews(st, NULL, stop_at_first, &calls), 7);
    ck_assert_int_eq(calls, 1);
    store_close(st);
}
END_TEST

/* Answers acknowledged by a child before it was killed mid-work must all
 * be there: each save commits on its own. */
START_TEST(answers_survive_kill)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_close(st);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        store *cs;
        if (store_open(dbpath, &cs, NULL) != 0)
            _exit(3);
        for (int i = 0; ; i++) {
            char qid[32], val[32];
            snprintf(qid, sizeof qid, "q%d", i);
            snprintf(val, sizeof val, "v%d", i);
            if (store_save_answer(cs, uuid, qid, "", val) != 0)
                _exit(4);
            if (write(fds[1], &i, sizeof i) != sizeof i)
                _exit(5);
            if (i == 400)   /* slow machine: die anyway, still unclosed */
                raise(SIGKILL);
        }
    }
    close(fds[1]);
    int got = -1, n;
    while (got < 60 && read(fds[0], &n, sizeof n) == sizeof n)
        got = n;
    kill(pid, SIGKILL);
    /* Acknowledgements already in the pipe count as saved too. */
    while (read(fds[0], &n, sizeof n) == sizeof n)
        got = n;
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    ck_assert_int_ge(got, 60);

    st = open_ok();
    for (int i = 0; i <= got; i++) {
        char qid[32], val[32];
        snprintf(qid, sizeof qid, "q%d", i);
        snprintf(val, sizeof val, "v%d", i);
        sbuf b;
        sbuf_init(&b);
        ck_assert_int_eq(store_load_answers(st, uuid, collect_answer, &b), 0);
        char *want = xasprintf("%s@=%s;", qid, val);
        ck_assert_msg(strstr(b.s, want) != NULL, "lost %s", want);
        free(want);
        sbuf_free(&b);
    }
    store_close(st);
}
END_TEST

/* The version 1 schema exactly as khaosat 1 wrote it. */
static const char v1_schema[] =
    "PRAGMA application_id = 1263026511;"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE forms (id INTEGER PRIMARY KEY, form_id TEXT NOT NULL,"
    " version TEXT NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL,"
    " UNIQUE (form_id, version));"
    "CREATE TABLE interviews (uuid TEXT PRIMARY KEY, form_id TEXT NOT NULL,"
    " form_version TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('draft', 'complete')),"
    " created TEXT NOT NULL, updated TEXT NOT NULL,"
    " FOREIGN KEY (form_id, form_version) REFERENCES forms (form_id, version));"
    "CREATE TABLE answers (interview TEXT NOT NULL REFERENCES interviews (uuid)"
    " ON DELETE CASCADE, qid TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (interview, qid));"
    "PRAGMA user_version = 1;";

START_TEST(migrates_from_v1)
{
    check_sql_exec(dbpath, v1_schema);
    check_sql_exec(dbpath,
            "INSERT INTO settings VALUES ('enumerator', 'Lan');"
            "INSERT INTO forms (form_id, version, source, sha256)"
            " VALUES ('hh', '1', 'x', 'h');"
            "INSERT INTO interviews VALUES ('u-1', 'hh', '1', 'complete',"
            " '2023-01-01T00:00:00Z', '2023-01-02T00:00:00Z');"
            "INSERT INTO answers VALUES ('u-1', 'age', '42');"
            "INSERT INTO answers VALUES ('u-1', 'name', 'Hà');");
    store *st = open_ok();
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, "u-1", &iv), 0);
    ck_assert_str_eq(iv.enumerator, "Lan");
    ck_assert_int_eq(iv.status, STORE_COMPLETE);
    ck_assert_str_eq(iv.created, "2023-01-01T00:00:00Z");
    char *dev;
    ck_assert_int_eq(store_device_id(st, &dev), 0);
    ck_assert_str_eq(iv.device_id, dev);
    free(dev);
    store_interview_clear(&iv);
    char *a = answers_of(st, "u-1");
    ck_assert_str_eq(a, "age@=42;name@=Hà;");
    free(a);
    ck_assert_int_eq(store_save_answer(st, "u-1", "age", "m[1]", "7"), 0);
    a = audit_of(st, "u-1");
    ck_assert_str_eq(a, "change age m[1] ->7;");
    free(a);
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
}
END_TEST

/* Opening must fail with a message containing want and leave the file
 * byte for byte as it was. */
static void refused_untouched(const char *want)
{
    size_t n1, n2;
    char *before = slurp(dbpath, &n1);
    store *st = (store *)&st;
    char *err = NULL;
    ck_assert_int_eq(store_open(dbpath, &st, &err), -1);
    ck_assert_ptr_null(st);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, want) != NULL, "message: %s", err);
    ck_assert_ptr_nonnull(strstr(err, dbpath));
    free(err);
    char *after = slurp(dbpath, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert(memcmp(before, after, n1) == 0);
    free(before);
    free(after);
    char *wal = xasprintf("%s-wal", dbpath);
    struct stat sb;
    ck_assert_int_ne(stat(wal, &sb), 0);
    free(wal);
}

START_TEST(refuses_newer_schema)
{
    check_sql_exec(dbpath, "PRAGMA application_id = 1263026511;"
                           "CREATE TABLE future (x); PRAGMA user_version = 99;");
    refused_untouched("was made by a newer khaosat (database schema 99; "
                      "this khaosat knows up to");
}
END_TEST

START_TEST(refuses_garbage)
{
    FILE *f = fopen(dbpath, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 300; i++)
        fprintf(f, "household %d, rice\n", i);
    fclose(f);
    refused_untouched("is not a SQLite database");
}
END_TEST

START_TEST(refuses_other_programs_database)
{
    check_sql_exec(dbpath, "CREATE TABLE contacts (name); INSERT INTO contacts"
                           " VALUES ('x');");
    refused_untouched("another program");
}
END_TEST

/* A missing database is refused (and not made) unless asked for; made,
 * it is announced; a folder is refused by name. */
START_TEST(open_at_creates_only_when_asked)
{
    char *path = xasprintf("%s/sub/typo.db", tmpdir);
    store *st = NULL;
    char *err = NULL;
    int created = -1;
    ck_assert_int_eq(store_open_at(path, STORE_REFUSE_MISSING, &st, &created,
                                   &err), -1);
    ck_assert_ptr_null(st);
    ck_assert_int_eq(created, 0);
    char *want = xasprintf("%s: there is no database there (the nearest "
                           "folder that exists is %s)", path, tmpdir);
    ck_assert_msg(strstr(err, want) != NULL, "message: %s", err);
    free(want);
    free(err);
    char *sub = xasprintf("%s/sub", tmpdir);
    ck_assert_int_eq(access(sub, F_OK), -1);
    ck_assert_int_eq(store_open_at(path, STORE_CREATE_MISSING, &st, &created,
                                   &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(created, 1);
    ck_assert_str_eq(store_path(st), path);
    store_close(st);
    ck_assert_int_eq(store_open_at(path, STORE_REFUSE_MISSING, &st, &created,
                                   &err), 0);
    ck_assert_int_eq(created, 0);
    store_close(st);
    ck_assert_int_eq(store_open_at(sub, STORE_CREATE_MISSING, &st, &created,
                                   &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is a folder, not a database"));
    free(err);
    free(sub);
    free(path);
}
END_TEST

/* What the reader of read_only_copy_is_shown_and_never_written finds:
 * 0 when all is as it should be, else the number of the first thing
 * that is not. */
static int read_only_child(const check_ro_case *c)
{
    store *st = NULL;
    char *err = NULL;
    int created = -1;
    /* A command that writes is refused, as before. */
    if (store_open_at(c->path, STORE_REFUSE_MISSING, &st, &created, &err)
        == 0)
        return 1;
    free(err);
    if (store_open_at(c->path, STORE_CREATE_OR_READ, &st, &created, &err))
        return 2;
    const char *ro = store_read_only(st);
    char other[37];
    char *want = xasprintf("this database is read-only: %s may only be "
                           "read by this user; copy it to a writable place "
                           "to change it", c->path);
    int rc = !ro || strcmp(ro, want) ? 3
        : store_interview_delete(st, c->uuid) != -1 ? 4
        : strcmp(store_errmsg(st), want) ? 5
        : store_interview_create(st, "hh", "1", "Lan", other) != -1 ? 6
        : strcmp(store_errmsg(st), want) ? 7 : 0;
    /* Still read: the interview is there. */
    store_interview iv;
    if (!rc && store_get_interview(st, c->uuid, &iv) != 0)
        rc = 8;
    else if (!rc)
        store_interview_clear(&iv);
    free(want);
    store_close(st);
    return rc;
}

/* A database this user may only read is opened by the screens' entry
 * point, read, every write refused in the store's words before SQLite
 * is asked, and left byte for byte, mode and all, with nothing beside
 * it; a missing one is still created, writable. */
START_TEST(read_only_copy_is_shown_and_never_written)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_close(st);
    if (geteuid() == 0)
        ck_assert_int_eq(chmod(tmpdir, 0755), 0);
    char *path = check_read_only_run(dbpath, xasprintf("%s/stick", tmpdir),
                                     uuid, read_only_child);
    char *fresh = xasprintf("%s/stick/new.db", tmpdir);
    int created = 0;
    char *err = NULL;
    ck_assert_int_eq(store_open_at(fresh, STORE_CREATE_OR_READ, &st, &created,
                                   &err), 0);
    ck_assert_int_eq(created, 1);
    ck_assert_ptr_null(store_read_only(st));
    store_close(st);
    free(fresh);
    free(path);
}
END_TEST

START_TEST(default_path_and_mkdirs)
{
    char *p;
    setenv("KHAOSAT_DB", "/x/y.db", 1);
    ck_assert_int_eq(store_default_path(&p), 0);
    ck_assert_str_eq(p, "/x/y.db");
    free(p);
    unsetenv("KHAOSAT_DB");
    setenv("XDG_DATA_HOME", "/d", 1);
    ck_assert_int_eq(store_default_path(&p), 0);
    ck_assert_str_eq(p, "/d/khaosat/khaosat.db");
    free(p);
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/h", 1);
    ck_assert_int_eq(store_default_path(&p), 0);
    ck_assert_str_eq(p, "/h/.local/share/khaosat/khaosat.db");
    free(p);

    free(dbpath);
    dbpath = xasprintf("%s/a/b/c/k.db", tmpdir);
    ck_assert_int_eq(store_mkdirs_for(dbpath), 0);
    ck_assert_int_eq(store_mkdirs_for(dbpath), 0);
    store *st = open_ok();
    store_close(st);
}
END_TEST

START_TEST(path_syntax)
{
    static const struct {
        const char *path;
        int ok;
    } cases[] = {
        {"", 1}, {"members[1]", 1}, {"members[12]/crops[3]", 1},
        {"m_x[9]", 1}, {"members", 0}, {"members[0]", 0}, {"members[01]", 0},
        {"members[1]/", 0}, {"/members[1]", 0}, {"members[1]x", 0},
        {"[1]", 0}, {"members[]", 0}, {"a[1]//b[2]", 0}, {"a[1]b[2]", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(store_path_valid(cases[i].path) == cases[i].ok,
                      "path \"%s\"", cases[i].path);
    ck_assert(store_path_valid(NULL));
}
END_TEST

/* Run sql on the database by a connection of its own: the text of the
 * first column of its first row (newly allocated), or NULL. */
static char *sql_text(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    char *t = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)
              ? xstrdup((const char *)sqlite3_column_text(s, 0)) : NULL;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return t;
}

/* Non-zero when the review's time is want. */
static int review_time_is(const char *want)
{
    char *t = sql_text("SELECT time FROM reviews");
    int same = t && !strcmp(t, want);
    ck_assert_msg(same, "review time %s, not %s", t ? t : "(none)", want);
    free(t);
    return same;
}

/* A clock once ahead: the reviews made after it was corrected are stamped
 * just after the one before, so the later wins upstream; a time that is
 * not a stamp is passed over. */
START_TEST(reviews_after_a_clock_once_ahead)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    clock_fix(1830297600);      /* 2028-01-01T00:00:00Z */
    ck_assert_int_eq(store_review_set(st, uuid, "returned", "Xem lại",
                                      "Hùng"), 0);
    clock_fix(1780300800);      /* 2026-06-01T08:00:00Z */
    ck_assert_int_eq(store_review_set(st, uuid, "approved", NULL, "Hùng"), 0);
    review_time_is("2028-01-01T00:00:00.001Z");
    ck_assert_int_eq(store_review_set(st, uuid, "approved", NULL, "Hùng"), 0);
    review_time_is("2028-01-01T00:00:00.002Z");
    free(sql_text("UPDATE reviews SET time = 'zzzz'"));
    ck_assert_int_eq(store_review_set(st, uuid, "approved", NULL, "Hùng"), 0);
    review_time_is("2026-06-01T08:00:00.000Z");
    store_close(st);
}
END_TEST

START_TEST(reviews_set_get_clear)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    char *status, *comment;
    ck_assert_int_eq(store_review_get(st, uuid, &status, &comment), 0);
    ck_assert_ptr_null(status);
    ck_assert_ptr_null(comment);
    /* A draft cannot be judged; a return needs its comment. */
    ck_assert_int_eq(store_review_set(st, uuid, "approved", NULL, "Hùng"), -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), "is a draft"));
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    ck_assert_int_eq(store_review_set(st, uuid, "returned", "", "Hùng"), -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), "needs a comment"));

    ck_assert_int_eq(store_review_set(st, uuid, "returned", "Tuổi sai",
                                      "Hùng"), 0);
    ck_assert_int_eq(store_review_get(st, uuid, &status, &comment), 0);
    ck_assert_str_eq(status, "returned");
    ck_assert_str_eq(comment, "Tuổi sai");
    free(status);
    free(comment);

    /* Approving replaces the earlier review; no comment reads as NULL. */
    ck_assert_int_eq(store_review_set(st, uuid, "approved", NULL, "Hùng"), 0);
    store_close(st);
    st = open_ok();
    ck_assert_int_eq(store_review_get(st, uuid, &status, &comment), 0);
    ck_assert_str_eq(status, "approved");
    ck_assert_ptr_null(comment);
    free(status);

    ck_assert_int_eq(store_review_set(st, uuid, "maybe", NULL, NULL), -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), "neither approved"));
    ck_assert_int_eq(store_review_set(st, "no-such", "approved", NULL, NULL),
                     -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(st), "no interview no-such"));

    /* A review is not a change of the data: no audit row, no new export. */
    char *a = audit_of(st, uuid);
    ck_assert_ptr_null(strstr(a, "approved"));
    free(a);

    ck_assert_int_eq(store_review_set(st, uuid, NULL, NULL, NULL), 0);
    ck_assert_int_eq(store_review_get(st, uuid, &status, &comment), 0);
    ck_assert_ptr_null(status);
    ck_assert_ptr_null(comment);
    store_close(st);
}
END_TEST

/* What version 21 changed, undone: decisions_later one per pair again
 * (what it kept is lost). */
#define UNDO_V21 "DROP TABLE decisions_later;" \
    " CREATE TABLE decisions_later (a TEXT NOT NULL, b TEXT NOT NULL," \
    " decision TEXT, keep TEXT, decided TEXT NOT NULL, signer TEXT," \
    " commune TEXT NOT NULL, bundle TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;"
/* What versions 20 and 21 added, undone. */
#define UNDO_V20 UNDO_V21 "DROP TABLE reviews_later;" \
    " ALTER TABLE decisions_later DROP COLUMN bundle;"
/* What versions 19 and 20 added, undone. */
#define UNDO_V19 UNDO_V20 "DROP TABLE decisions_dropped;"
/* What versions 18 and 19 added, undone. */
#define UNDO_V18 UNDO_V19 "DROP TABLE decisions_later;"
/* What versions 16 to 18 added, undone. */
#define UNDO_V16 UNDO_V18 "DROP TABLE commune_households; DROP TABLE commune_villages;" \
    " DROP TABLE commune_setups;"
/* What version 15 added, undone. */
#define UNDO_V15 UNDO_V16 "DROP INDEX bundles_file_hash;" \
    " ALTER TABLE bundles DROP COLUMN file_hash;"
/* What version 14 added, undone. */
#define UNDO_V14 UNDO_V15 "DROP TABLE review_clears;"
/* What version 13 added, undone. */
#define UNDO_V13 UNDO_V14 "DROP TABLE report_tallies; DROP TABLE report_figures;" \
    " DROP TABLE report_units;"
/* What version 12 added, undone: with it a database of today's schema
 * reads as one of version 11. */
#define UNDO_V12 UNDO_V13 "DROP TABLE notes;"
/* What versions 11 and 12 added, undone. */
#define UNDO_V11 UNDO_V12 "DROP TABLE settled;"
/* What version 10 added, undone: with it a database of today's schema
 * reads as one of version 9. */
#define UNDO_V10 UNDO_V11 "ALTER TABLE interviews DROP COLUMN name;"
/* What versions 9 and 10 added, undone: with it a database of today's
 * schema reads as one of version 8. */
#define UNDO_V9 UNDO_V10 "ALTER TABLE reviews DROP COLUMN commune;"
/* What versions 8 to 10 added, undone: with it a database of today's
 * schema reads as one of version 7. */
#define UNDO_V8 UNDO_V9 "ALTER TABLE trusted DROP COLUMN device;"

/* What versions 7 and 8 added, undone: with it a database of today's
 * schema reads as one of version 6. */
static const char undo_v7[] =
    UNDO_V8
    "DROP TABLE households; DROP TABLE villages;"
    " ALTER TABLE duplicates DROP COLUMN decision;"
    " ALTER TABLE duplicates DROP COLUMN keep;"
    " ALTER TABLE duplicates DROP COLUMN decided;"
    " ALTER TABLE reviews DROP COLUMN revision;"
    " ALTER TABLE reviews DROP COLUMN content;";

/* A schema 3 database (today's schema without what versions 4 and 5
 * added) gains the identity, trusted-card and review tables, the bundles'
 * signers and the audit rows' digests, keeping its data. */
START_TEST(migrates_from_v3)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "", "Hà"), 0);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    store_close(st);
    check_sql_exec(dbpath, undo_v7);
    check_sql_exec(dbpath, "DROP TABLE reviews; DROP TABLE trusted;"
                           " DROP TABLE identity; DROP INDEX audit_origin;"
                           " ALTER TABLE audit DROP COLUMN origin_digest;"
                           " ALTER TABLE bundles DROP COLUMN signer;"
                           " CREATE UNIQUE INDEX audit_origin ON audit"
                           " (origin, origin_seq) WHERE origin IS NOT NULL;"
                           " INSERT INTO audit (interview, time, event,"
                           " origin, origin_seq) SELECT uuid, 't', 'edit',"
                           " 'dev-9', 7 FROM interviews;"
                           " PRAGMA user_version = 3;");
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM sqlite_master"
                                            " WHERE name = 'reviews'"), 0);
    st = open_ok();
    char *a = answers_of(st, uuid);
    ck_assert_str_eq(a, "name@=Hà;");
    free(a);
    ck_assert_int_eq(store_review_set(st, uuid, "approved", "ok", "An"), 0);
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM audit"
                                            " WHERE origin = 'dev-9' AND"
                                            " length(origin_digest) = 64"), 1);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " pragma_table_info('bundles')"
                                            " WHERE name = 'signer'"), 1);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM sqlite_master"
                                            " WHERE name IN ('identity', 'trusted',"
                                            " 'reviews')"), 3);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM reviews"), 1);
}
END_TEST

/* A schema 5 database (answers stored as typed) gets its numbers and text
 * in canonical form, each change audited; text that only looks like a
 * number (a phone) and answers of unknown questions are left alone. */
START_TEST(migrates_from_v5_to_canonical_values)
{
    static const char src[] =
        "form:\n  id: canon\n  version: \"1\"\n  title: T\n  languages: [vi]\n"
        "  key: [hh_no]\n"
        "questions:\n"
        "  - {id: hh_no, type: integer, label: N}\n"
        "  - {id: area, type: decimal, label: A}\n"
        "  - {id: name, type: text, label: Name}\n"
        "  - {id: phone, type: text, label: Phone}\n";
    store *st = open_ok();
    ck_assert_int_eq(store_save_form(st, "canon", "1", src, strlen(src),
                                     NULL), 0);
    char uuid[37];
    ck_assert_int_eq(store_interview_create(st, "canon", "1", "Lan", uuid), 0);
    const char *in[][2] = {{"hh_no", "08"}, {"area", " 85,50"},
                           {"name", "Nguye\xcc\x82\xcc\x83n"},
                           {"phone", "0912345678"}, {"gone", "007"}};
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(store_save_answer(st, uuid, in[i][0], "", in[i][1]), 0);
    store_close(st);
    check_sql_exec(dbpath, undo_v7);
    /* The case key a merge recorded from the answer as typed. */
    char *sql = xasprintf("INSERT INTO case_keys (interview, form_id, key, rev)"
                          " VALUES ('%s', 'canon', 'hh_no=08', 'r');"
                          " UPDATE interviews SET exported_at = 't';"
                          " PRAGMA user_version = 5;", uuid);
    check_sql_exec(dbpath, sql);
    free(sql);
    st = open_ok();
    char *a = answers_of(st, uuid);
    ck_assert_str_eq(a, "area@=85.5;gone@=007;hh_no@=8;"
                        "name@=Nguy\xe1\xbb\x85n;phone@=0912345678;");
    free(a);
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM audit WHERE"
                                            " event = 'canonical'"), 3);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM audit WHERE"
                                            " event = 'canonical' AND qid ="
                                            " 'hh_no' AND old_value = '08' AND"
                                            " new_value = '8'"), 1);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM case_keys"
                                            " WHERE key = 'hh_no=8'"), 1);
    /* Rewritten, it goes out with the next export. */
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM interviews"
                                            " WHERE exported_at IS NULL"), 1);
    /* Opening again changes nothing more. */
    st = open_ok();
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM audit WHERE"
                                            " event = 'canonical'"), 3);
}
END_TEST

/* The review holds the revision judged: a change voids an approval
 * ("changed"); a returned interview reopened stays "returned" until it is
 * finished again with a different content ("corrected"). */
START_TEST(review_states_follow_revisions)
{
    char uuid[37], *state;
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "", "Hà"), 0);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    ck_assert_int_eq(store_review_state(st, uuid, &state), 0);
    ck_assert_str_eq(state, "unreviewed");
    free(state);
    ck_assert_int_eq(store_review_set(st, uuid, "approved", NULL, "Hùng"), 0);
    char *head;
    ck_assert_int_eq(store_rev_head(st, uuid, &head), 0);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM reviews"
                                            " r JOIN interviews i ON"
                                            " i.head = r.revision"), 1);
    free(head);
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "", "Hoa"), 0);
    ck_assert_int_eq(store_review_state(st, uuid, &state), 0);
    ck_assert_str_eq(state, "changed");
    free(state);
    /* Back to the judged content: the approval holds again. */
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "", "Hà"), 0);
    ck_assert_int_eq(store_review_state(st, uuid, &state), 0);
    ck_assert_str_eq(state, "approved");
    free(state);

    ck_assert_int_eq(store_review_set(st, uuid, "returned", "Tên?", "Hùng"),
                     0);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_DRAFT), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "", "Hạnh"), 0);
    ck_assert_int_eq(store_review_state(st, uuid, &state), 0);
    ck_assert_str_eq(state, "returned");
    free(state);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    ck_assert_int_eq(store_review_state(st, uuid, &state), 0);
    ck_assert_str_eq(state, "corrected");
    free(state);
    long n;
    ck_assert_int_eq(store_review_count(st, "corrected", &n), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(store_review_count(st, "approved", &n), 0);
    ck_assert_int_eq(n, 0);
    store_close(st);
}
END_TEST

/* A schema 6 database gains review revisions (its reviews taken to judge
 * the head at the upgrade), duplicate decisions and the set-up tables. */
START_TEST(migrates_from_v6)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    store_close(st);
    check_sql_exec(dbpath, undo_v7);
    check_sql_exec(dbpath, "INSERT INTO reviews (interview, status, time)"
                           " SELECT uuid, 'approved', 't' FROM interviews;"
                           " PRAGMA user_version = 6;");
    st = open_ok();
    char *state;
    ck_assert_int_eq(store_review_state(st, uuid, &state), 0);
    ck_assert_str_eq(state, "approved");
    free(state);
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM reviews r"
                                            " JOIN interviews i ON i.uuid ="
                                            " r.interview AND i.head ="
                                            " r.revision"), 1);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM sqlite_master"
                                            " WHERE name IN ('villages',"
                                            " 'households')"), 2);
}
END_TEST

/* A schema 7 database gains the device of each trusted card, empty for
 * the cards it trusted before (which bind their device by their first
 * bundle, as then). */
START_TEST(migrates_from_v7)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_close(st);
    check_sql_exec(dbpath, UNDO_V8
                   "INSERT INTO trusted VALUES ('AAAA-BBBB-CCCC-DDDD',"
                   " zeroblob(32), zeroblob(32), 'laptop', 'X', 'An',"
                   " 'accept', 't', NULL); PRAGMA user_version = 7;");
    st = open_ok();
    store_trusted t;
    ck_assert_int_eq(store_trusted_get(st, "AAAA-BBBB-CCCC-DDDD", &t), 0);
    ck_assert_str_eq(t.name, "An");
    ck_assert_ptr_null(t.device);
    store_trusted_clear(&t);
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " pragma_table_info('trusted')"
                                            " WHERE name = 'device'"), 1);
}
END_TEST

/* Version 9: a review made before keeps its place, made here (no
 * commune). */
START_TEST(migrates_from_v8)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    ck_assert_int_eq(store_review_set(st, uuid, "approved", "ok", "Hà"), 0);
    store_close(st);
    check_sql_exec(dbpath, UNDO_V9 "PRAGMA user_version = 8;");
    st = open_ok();
    char *state = NULL;
    ck_assert_int_eq(store_review_state(st, uuid, &state), 0);
    ck_assert_str_eq(state, "approved");
    free(state);
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM reviews"
                                            " WHERE commune IS NULL"), 1);
}
END_TEST

/* A schema 9 database gains the names of its interviews, NULL until the
 * session computes one; a name is kept, replaced and cleared without an
 * audit row or marking the interview changed. */
START_TEST(migrates_from_v9_and_keeps_names)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_close(st);
    check_sql_exec(dbpath, UNDO_V10 "PRAGMA user_version = 9;");
    st = open_ok();
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, uuid, &iv), 0);
    ck_assert_ptr_null(iv.name);
    char *updated = xstrdup(iv.updated);
    store_interview_clear(&iv);
    long audit = check_sql_long(dbpath, "SELECT count(*) FROM audit");
    ck_assert_int_eq(store_interview_set_name(st, uuid, "Thôn 2 / hộ 7"), 0);
    ck_assert_int_eq(store_interview_set_name(st, uuid, "Thôn 2 / hộ 7"), 0);
    ck_assert_int_eq(store_get_interview(st, uuid, &iv), 0);
    ck_assert_str_eq(iv.name, "Thôn 2 / hộ 7");
    ck_assert_str_eq(iv.updated, updated);
    store_interview_clear(&iv);
    ck_assert_int_eq(store_interview_set_name(st, uuid, NULL), 0);
    ck_assert_int_eq(store_get_interview(st, uuid, &iv), 0);
    ck_assert_ptr_null(iv.name);
    store_interview_clear(&iv);
    store_close(st);
    free(updated);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM audit"),
                     audit);
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
}
END_TEST

/* Collects notes as "qid@path=note;". */
static int collect_note(void *ctx, const char *uuid, const char *qid,
                        const char *path, const char *note)
{
    (void)uuid;
    sbuf_addf(ctx, "%s@%s=%s;", qid, path, note);
    return 0;
}

static char *notes_of(store *st, const char *uuid)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_notes_each(st, uuid, collect_note, &b), 0);
    return sbuf_detach(&b);
}

/* A schema 11 database gains the notes table; a note is set, changed and
 * removed with an audit row each (old -> new) and the interview marked
 * changed; setting the same note writes nothing; the notes of a removed
 * roster member go with it and later members' notes follow them down. */
START_TEST(notes_are_kept_audited_and_follow_members)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_close(st);
    check_sql_exec(dbpath, UNDO_V12 "PRAGMA user_version = 11;");
    st = open_ok();
    char *n = NULL;
    ck_assert_int_eq(store_note_get(st, uuid, "age", "", &n), 0);
    ck_assert_ptr_null(n);
    ck_assert_int_eq(store_note_set(st, uuid, "age", "", "không nhớ rõ"), 0);
    ck_assert_int_eq(store_note_set(st, uuid, "age", "", "không nhớ rõ"), 0);
    ck_assert_int_eq(store_note_set(st, uuid, "age", "", "ước tính"), 0);
    ck_assert_int_eq(store_note_get(st, uuid, "age", "", &n), 0);
    ck_assert_str_eq(n, "ước tính");
    free(n);
    ck_assert_int_eq(store_note_set(st, uuid, "age", "", ""), 0);
    ck_assert_int_eq(store_note_get(st, uuid, "age", "", &n), 0);
    ck_assert_ptr_null(n);
    ck_assert_int_ne(store_note_set(st, uuid, "age", "bad[0]", "x"), 0);
    ck_assert_int_ne(store_note_set(st, "no-such", "age", "", "x"), 0);
    /* Three members with notes; the second is removed. */
    ck_assert_int_eq(store_set_repeat_count(st, uuid, "members", 3), 0);
    for (int i = 1; i <= 3; i++) {
        char path[32], note[32];
        snprintf(path, sizeof path, "members[%d]", i);
        snprintf(note, sizeof note, "n%d", i);
        ck_assert_int_eq(store_note_set(st, uuid, "name", path, note), 0);
    }
    ck_assert_int_eq(store_instance_notes(st, uuid, "members[2]"), 1);
    ck_assert_int_eq(store_instance_notes(st, uuid, "members[9]"), 0);
    ck_assert_int_eq(store_delete_repeat_instance(st, uuid, "members[2]"), 0);
    char *all = notes_of(st, uuid);
    ck_assert_str_eq(all, "name@members[1]=n1;name@members[2]=n3;");
    free(all);
    store_close(st);
    /* The removed member's note is audited as it goes. */
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM audit"
                                            " WHERE event = 'note'"), 7);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM audit"
                                            " WHERE event = 'note' AND"
                                            " path = 'members[2]' AND"
                                            " old_value = 'n2' AND"
                                            " new_value IS NULL"), 1);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM audit"
                                            " WHERE event = 'note' AND"
                                            " old_value = 'không nhớ rõ'"
                                            " AND new_value = 'ước tính'"), 1);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM audit"
                                            " WHERE event = 'note' AND"
                                            " old_value = 'ước tính'"
                                            " AND new_value IS NULL"), 1);
    /* Deleting the draft takes its notes. */
    st = open_ok();
    ck_assert_int_eq(store_interview_delete(st, uuid), 0);
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM notes"), 0);
}
END_TEST

/* Version 13: the stored figures' tables appear empty; an interview
 * finalised before has none until a report computes them. */
START_TEST(migrates_from_v12)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    store_close(st);
    check_sql_exec(dbpath, UNDO_V13 " PRAGMA user_version = 12;");
    st = open_ok();
    const char *forms[] = {"hh"};
    long n = 0, changed = 0;
    char **stale = store_figures_stale(st, "def", forms, 1, &n, &changed);
    ck_assert_ptr_nonnull(stale);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(changed, 0);
    ck_assert_str_eq(stale[0], uuid);
    free(stale[0]);
    free(stale);
    store_close(st);
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " report_units"), 0);
}
END_TEST

/* The set-up of one commune below, as an office sends it up. */
static int take_setup(store *st, const char *name, long long seq,
                      const char *village_name)
{
    store_commune_setup c = {"26734", name, "01", seq, 0, 0, "Xã A", "K1"};
    store_village v[2] = {{"TH01", village_name, NULL, 0},
                          {"TH02", "Thôn Hai", "An", 0}};
    store_household h[1] = {{"TH01", "7", "Lê Văn Bảy"}};
    ck_assert_int_eq(store_begin(st), 0);
    char *bound = NULL;
    int rc = store_setup_take_tx(st, &c, v, 2, h, 1, &bound);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_ptr_null(bound);
    return rc;
}

/* Collect the villages listed, "CODE=NAME;". */
static int village_line(void *ctx, const store_village *v)
{
    sbuf_addf(ctx, "%s=%s;", v->code, v->name);
    return 0;
}

/* Add interview uuid as a merge does (form hh 1, complete). */
static void merge_add(store *st, const char *uuid)
{
    store_merge *sm = store_merge_new(st);
    const char *v[8] = {uuid, "hh", "1", "complete", "Lan", "dev-2",
                        "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"};
    ck_assert_int_eq(store_merge_interview_add(sm, v), 0);
    store_merge_free(sm);
}

/* store_later_fn: "outcome signer from bundle commune bound;". */
static int later_line(void *ctx, int outcome, const store_later *k)
{
    sbuf_addf(ctx, "%d %s %s %s %s %s;", outcome,
              k->signer ? k->signer : "-", k->from,
              k->bundle ? k->bundle : "-", k->commune ? k->commune : "-",
              k->bound ? k->bound : "-");
    return 0;
}

/* A schema 17 database gains the decisions kept for later, empty; an
 * office's decision on a pair not flagged here is kept once (the newer
 * replacing the older), and only from a bundle of the pair's commune. */
START_TEST(migrates_from_v17_and_keeps_decisions_for_later)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_close(st);
    check_sql_exec(dbpath, UNDO_V18 " PRAGMA user_version = 17;");
    st = open_ok();
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " decisions_later"), 0);
    const char *other = "ffffffff-ffff-4fff-bfff-ffffffffffff";
    store_up_decision d = {uuid, other, "same", uuid,
                           "2026-01-02T03:04:05.006Z", ""};
    char *commune = NULL, *bound = NULL;
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_decision_take_tx(st, &d, NULL, "", "b.khb", &commune,
                                            &bound), STORE_DECISION_LATER);
    ck_assert_int_eq(store_decision_take_tx(st, &d, NULL, "", "b.khb", &commune,
                                            &bound), STORE_DECISION_OLD);
    d.decided = "2026-01-02T03:04:05.007Z";
    d.decision = "different";
    d.keep = "";
    ck_assert_int_eq(store_decision_take_tx(st, &d, NULL, "", "b.khb", &commune,
                                            &bound), STORE_DECISION_LATER);
    /* From a bundle of another commune: not kept. */
    d.decided = "2026-01-02T03:04:05.008Z";
    ck_assert_int_eq(store_decision_take_tx(st, &d, NULL, "Xã Khác",
                                            "f.khb", &commune, &bound),
                     STORE_DECISION_BOUND);
    ck_assert_str_eq(commune, "");
    ck_assert_ptr_null(bound);
    free(commune);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " decisions_later WHERE"
                                            " decision = 'different'"
                                            " AND decided LIKE '%.007Z'"), 1);
    /* Taken once: the pair is not flagged, so nothing changes but the
     * decision is forgotten. */
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_decisions_later_take_tx(st, uuid, other,
                                                   later_line, &b), 0);
    ck_assert_int_eq(store_decisions_later_take_tx(st, uuid, other,
                                                   later_line, &b), 0);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_str_eq(b.s, "1 -  b.khb - -;");
    sbuf_free(&b);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " decisions_later"), 0);
    store_close(st);
}
END_TEST

/* Add revision rev (content rev) of interview uuid, as a merge brings it,
 * inside the caller's transaction. */
static void add_revision(store *st, const char *uuid, const char *rev)
{
    char *sql = xasprintf("INSERT INTO revisions (id, interview, status,"
                          " device, enumerator, created, content) VALUES"
                          " ('%s', '%s', 'complete', 'dev-2', 'Lan',"
                          " '2026-01-02T00:00:00Z', '%s'); UPDATE"
                          " interviews SET head = '%s' WHERE uuid = '%s'",
                          rev, uuid, rev, rev, uuid);
    ck_assert_int_eq(sqlite3_exec(store_sqlite(st), sql, NULL, NULL, NULL),
                     SQLITE_OK);
    free(sql);
}

/* A schema 19 database gains the reviews kept for later, empty, and the
 * bundle of a decision kept for later.  A review of an interview not here
 * is kept, one per interview and key (the newer replacing the older), and
 * taken when the interview arrives: from the bundle naming its commune,
 * judging its own revision; from another, dropped, saying which bundle
 * and key sent it.  A decision kept for later and dropped says the same. */
START_TEST(migrates_from_v19_and_keeps_reviews_for_later)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_close(st);
    check_sql_exec(dbpath, UNDO_V20 " PRAGMA user_version = 19;");
    st = open_ok();
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " reviews_later"), 0);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " pragma_table_info("
                                            "'decisions_later') WHERE"
                                            " name = 'bundle'"), 1);
    const char *other = "eeeeeeee-eeee-4eee-beee-eeeeeeeeeeee";
    char rev[65];
    memset(rev, 'a', 64);
    rev[64] = '\0';
    store_down_review r = {other, "approved", "", "Hùng",
                           "2026-01-02T03:04:05.006Z", rev, rev, "00001"};
    char *commune = NULL, *bound = NULL;
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_review_office_tx(st, &r, "K1", "", "up/b1.khb",
                                            &commune, &bound),
                     STORE_DECISION_LATER);
    /* The same again, or an older one: nothing changes. */
    ck_assert_int_eq(store_review_office_tx(st, &r, "K1", "", "up/b1.khb",
                                            &commune, &bound),
                     STORE_DECISION_OLD);
    r.time = "2026-01-02T03:04:05.005Z";
    r.status = "returned";
    ck_assert_int_eq(store_review_office_tx(st, &r, "K1", "", "up/b0.khb",
                                            &commune, &bound),
                     STORE_DECISION_OLD);
    /* A newer one from the same key replaces it. */
    r.time = "2026-01-02T03:04:05.007Z";
    r.comment = "Sai tuổi";
    ck_assert_int_eq(store_review_office_tx(st, &r, "K1", "", "up/b2.khb",
                                            &commune, &bound),
                     STORE_DECISION_LATER);
    /* Another key's is kept beside it, until the interview says whose. */
    r.time = "2026-01-02T03:04:05.008Z";
    r.status = "approved";
    r.comment = "";
    ck_assert_int_eq(store_review_office_tx(st, &r, "K2", "Xã Khác",
                                            "up/f.khb", &commune, &bound),
                     STORE_DECISION_LATER);
    ck_assert_ptr_null(commune);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " reviews_later"), 2);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " reviews_later WHERE signer ="
                                            " 'K1' AND status = 'returned'"
                                            " AND time LIKE '%.007Z' AND"
                                            " bundle = 'up/b2.khb'"), 1);

    /* The interview arrives: K1's (of the interview's commune) taken,
     * K2's dropped, naming its bundle and key; both forgotten. */
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_begin(st), 0);
    merge_add(st, other);
    add_revision(st, other, rev);
    ck_assert_int_eq(store_reviews_later_take_tx(st, other, later_line, &b),
                     0);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_str_eq(b.s, "0 K1  up/b2.khb - -;"
                          "3 K2 Xã Khác up/f.khb  -;");
    sbuf_free(&b);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " reviews_later"), 0);
    char *status = NULL, *comment = NULL;
    ck_assert_int_eq(store_review_get(st, other, &status, &comment), 0);
    ck_assert_str_eq(status, "returned");
    ck_assert_str_eq(comment, "Sai tuổi");
    free(status);
    free(comment);
    /* Now here: a review is taken at once, not kept. */
    r.time = "2026-01-02T03:04:05.009Z";
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_review_office_tx(st, &r, "K1", "", "up/b3.khb",
                                            &commune, &bound), 0);
    ck_assert_int_eq(store_review_office_tx(st, &r, "K1", "", "up/b3.khb",
                                            &commune, &bound), 1);

    /* A decision kept for later, dropped when its pair arrives, says
     * which bundle and key sent it. */
    const char *c = "cccccccc-cccc-4ccc-bccc-cccccccccccc";
    const char *d9 = "dddddddd-dddd-4ddd-bddd-dddddddddddd";
    store_up_decision d = {c, d9, "different", "",
                           "2026-01-02T03:04:05.006Z", "Xã Khác"};
    ck_assert_int_eq(store_decision_take_tx(st, &d, "K2", "Xã Khác",
                                            "up/f.khb", &commune, &bound),
                     STORE_DECISION_LATER);
    merge_add(st, c);
    sbuf_init(&b);
    ck_assert_int_eq(store_decisions_later_take_tx(st, c, d9, later_line,
                                                   &b), 0);
    ck_assert_str_eq(b.s, "3 K2 Xã Khác up/f.khb  -;");
    sbuf_free(&b);
    ck_assert_int_eq(store_commit(st), 0);
    store_close(st);
}
END_TEST

/* A review of a revision not here yet (the office judged a correction
 * whose bundle comes later) is kept for later though its interview is
 * here, the review here standing meanwhile; taking the kept reviews
 * leaves it until its revision arrives, then takes it.  A clear is taken
 * at once whatever revision it names. */
START_TEST(keeps_a_review_until_its_revision_arrives)
{
    char uuid[37], head[REV_HEX + 1];
    store *st = open_with_interview(uuid);
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_rev_snapshot_tx(st, uuid, 0, head), 0);
    ck_assert_int_eq(store_commit(st), 0);
    char *content = sql_text("SELECT content FROM revisions");
    char rev[65];
    memset(rev, 'b', 64);
    rev[64] = '\0';
    store_down_review here = {uuid, "returned", "Sai tuổi", "Hùng",
                              "2026-01-02T03:04:05.001Z", head, content,
                              "00001"};
    store_down_review later = {uuid, "approved", "", "Hùng",
                               "2026-01-02T03:04:05.002Z", rev, rev,
                               "00001"};
    char *commune = NULL, *bound = NULL;
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_review_office_tx(st, &here, "K1", "", "up/a.khb",
                                            &commune, &bound), 0);
    ck_assert_int_eq(store_review_office_tx(st, &later, "K1", "",
                                            "up/b.khb", &commune, &bound),
                     STORE_DECISION_LATER);
    /* Its revision still not here: nothing taken, still kept. */
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_reviews_later_take_tx(st, uuid, later_line, &b),
                     0);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " reviews_later"), 1);
    char *state = NULL;
    ck_assert_int_eq(store_review_state(st, uuid, &state), 0);
    ck_assert_str_eq(state, "returned");
    free(state);
    /* The revision arrives: the approval is taken and forgotten. */
    ck_assert_int_eq(store_begin(st), 0);
    add_revision(st, uuid, rev);
    ck_assert_int_eq(store_reviews_later_take_tx(st, uuid, later_line, &b),
                     0);
    ck_assert_str_eq(b.s, "0 K1  up/b.khb - -;");
    /* A clear naming a revision not here is taken at once. */
    store_down_review clear = {uuid, "cleared", "", "Hùng",
                               "2026-01-02T03:04:05.003Z", head, head,
                               "00001"};
    clear.revision = "cccc";
    ck_assert_int_eq(store_review_office_tx(st, &clear, "K1", "",
                                            "up/c.khb", &commune, &bound), 0);
    ck_assert_int_eq(store_commit(st), 0);
    sbuf_free(&b);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " reviews_later"), 0);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " review_clears"), 1);
    free(content);
    store_close(st);
}
END_TEST

/* Make interview uuid complete with answer age = value, its head
 * revision made (in head). */
static void finish_with(store *st, const char *uuid, const char *value,
                        char head[REV_HEX + 1])
{
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_DRAFT), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "age", "", value), 0);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_rev_snapshot_tx(st, uuid, 0, head), 0);
    ck_assert_int_eq(store_commit(st), 0);
}

/* Revision rev made by another device (a laptop). */
static void made_by_laptop(const char *rev)
{
    char *sql = xasprintf("UPDATE revisions SET device = 'laptop-9' WHERE"
                          " id = '%s'", rev);
    check_sql_exec(dbpath, sql);
    free(sql);
}

/* The review state of uuid (checked against want). */
static void state_is(store *st, const char *uuid, const char *want)
{
    char *state = NULL;
    ck_assert_int_eq(store_review_state(st, uuid, &state), 0);
    ck_assert_str_eq(state, want);
    free(state);
}

/* A return reaching a laptop whose interview was finished again since
 * with other content: kept, audited with the head found, not reopened
 * but said (changed), and counted and given as returned about an earlier
 * version until the interview is finished again; the same return again
 * says nothing more.  The state reads "returned" while the head is the
 * one the laptop had when the return came, "corrected" once a later one
 * is made (or when the head was made here). */
START_TEST(return_of_an_earlier_version)
{
    char uuid[37], judged[REV_HEX + 1], found[REV_HEX + 1];
    char later[REV_HEX + 1];
    store *st = open_with_interview(uuid);
    finish_with(st, uuid, "41", judged);
    char *sql = xasprintf("SELECT content FROM revisions WHERE id = '%s'",
                          judged);
    char *content = sql_text(sql);
    free(sql);
    finish_with(st, uuid, "42", found);
    store_down_review r = {uuid, "returned", "Sai tuổi", "Hùng",
                           "2026-01-02T03:04:05.006Z", judged, content,
                           NULL};
    int reopened = -1, changed = -1;
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_down_review_tx(st, &r, &reopened, &changed), 0);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_int_eq(reopened, 0);
    ck_assert_int_eq(changed, 1);
    sql = xasprintf("SELECT count(*) FROM audit WHERE event = 'return'"
                    " AND old_value = '%s' AND new_value = '%s'", judged,
                    found);
    ck_assert_int_eq(check_sql_long(dbpath, sql), 1);
    long n = 0;
    ck_assert_int_eq(store_returned_count(st, &n), 0);
    ck_assert_int_eq(n, 1);
    char *comment = NULL;
    int earlier = 0;
    ck_assert_int_eq(store_returned_get(st, uuid, &comment, &earlier), 0);
    ck_assert_str_eq(comment, "Sai tuổi");
    ck_assert_int_eq(earlier, 1);
    free(comment);
    /* As the office sees it, the head made by the laptop before the
     * return reached it; one made here would have followed it. */
    state_is(st, uuid, "corrected");
    made_by_laptop(found);
    state_is(st, uuid, "returned");
    /* The same return again (the next bundle): nothing more. */
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_down_review_tx(st, &r, &reopened, &changed), 0);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_int_eq(changed, 0);
    ck_assert_int_eq(check_sql_long(dbpath, sql), 1);
    free(sql);
    /* Finished again after it: no longer returned; corrected. */
    finish_with(st, uuid, "43", later);
    made_by_laptop(later);
    ck_assert_int_eq(store_returned_get(st, uuid, &comment, &earlier), 1);
    ck_assert_ptr_null(comment);
    ck_assert_int_eq(store_returned_count(st, &n), 0);
    ck_assert_int_eq(n, 0);
    state_is(st, uuid, "corrected");
    free(content);
    store_close(st);
}
END_TEST

/* A schema 20 database keeps its decisions kept for later (an unsigned
 * one under the key ''), now one per pair and key: another office's newer
 * decision is kept beside the bound office's instead of replacing it, a
 * newer one from the same key replaces the older, and when the pair is
 * flagged the bound office's is taken and the other dropped, saying
 * which bundle and key sent it; all forgotten. */
START_TEST(migrates_from_v20_and_keeps_decisions_per_key)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_close(st);
    check_sql_exec(dbpath, UNDO_V21 " INSERT INTO decisions_later VALUES"
                   " ('a1', 'b1', 'same', 'a1', '2026-01-01T00:00:00.000Z',"
                   " NULL, '', 'up/old.khb'), ('a2', 'b2', 'different',"
                   " NULL, '2026-01-01T00:00:00.000Z', 'K9', 'Xã Cũ', NULL);"
                   " PRAGMA user_version = 20;");
    st = open_ok();
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " decisions_later WHERE a = 'a1'"
                                            " AND signer = '' AND bundle ="
                                            " 'up/old.khb' AND keep = 'a1'"),
                     1);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " decisions_later WHERE a = 'a2'"
                                            " AND signer = 'K9' AND commune"
                                            " = 'Xã Cũ' AND bundle IS NULL"),
                     1);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT pk FROM pragma_table_info("
                                            "'decisions_later') WHERE name ="
                                            " 'signer'"), 3);

    /* A pair neither of whose interviews is here yet. */
    const char *one = "11111111-1111-4111-b111-111111111111";
    const char *other = "ffffffff-ffff-4fff-bfff-ffffffffffff";
    store_up_decision d = {one, other, "same", one,
                           "2026-01-02T03:04:05.006Z", ""};
    char *commune = NULL, *bound = NULL;
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_decision_take_tx(st, &d, "K1", "", "up/b1.khb",
                                            &commune, &bound),
                     STORE_DECISION_LATER);
    /* Another office's, newer: kept beside it. */
    store_up_decision f = {one, other, "different", "",
                           "2026-01-02T03:04:05.009Z", "Xã Khác"};
    ck_assert_int_eq(store_decision_take_tx(st, &f, "K2", "Xã Khác",
                                            "up/f.khb", &commune, &bound),
                     STORE_DECISION_LATER);
    /* The same again: nothing changes; a newer one from K1 replaces
     * K1's. */
    ck_assert_int_eq(store_decision_take_tx(st, &d, "K1", "", "up/b1.khb",
                                            &commune, &bound),
                     STORE_DECISION_OLD);
    d.decided = "2026-01-02T03:04:05.007Z";
    d.keep = other;
    ck_assert_int_eq(store_decision_take_tx(st, &d, "K1", "", "up/b2.khb",
                                            &commune, &bound),
                     STORE_DECISION_LATER);
    ck_assert_ptr_null(commune);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " decisions_later WHERE b ="
                                            " 'ffffffff-ffff-4fff-bfff-"
                                            "ffffffffffff'"), 2);

    /* The pair arrives and is flagged: K1's newer decision taken, K2's
     * dropped. */
    ck_assert_int_eq(store_begin(st), 0);
    merge_add(st, one);
    merge_add(st, other);
    ck_assert_int_eq(store_commit(st), 0);
    char *sql = sqlite3_mprintf("INSERT INTO duplicates (a, b, form_id, key,"
                                " found) VALUES ('%q', '%q', 'hh', 'k',"
                                " '2026-01-03T00:00:00Z')", one, other);
    check_sql_exec(dbpath, sql);
    sqlite3_free(sql);
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_begin(st), 0);
    ck_assert_int_eq(store_decisions_later_take_tx(st, one, other,
                                                   later_line, &b), 0);
    ck_assert_int_eq(store_commit(st), 0);
    ck_assert_str_eq(b.s, "0 K1  up/b2.khb - -;"
                          "3 K2 Xã Khác up/f.khb  -;");
    sbuf_free(&b);
    sql = sqlite3_mprintf("SELECT count(*) FROM duplicates WHERE a = '%q'"
                          " AND decision = 'same' AND keep = '%q' AND"
                          " decided = '2026-01-02T03:04:05.007Z'", one,
                          other);
    ck_assert_int_eq(check_sql_long(dbpath, sql), 1);
    sqlite3_free(sql);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " decisions_later"), 2);
    store_close(st);
}
END_TEST

/* A schema 15 database gains the communes' set-ups, empty; one taken is
 * replaced only by a greater sequence number, and found by its commune's
 * code or name. */
START_TEST(migrates_from_v15_and_keeps_setups_by_sequence)
{
    char uuid[37];
    store *st = open_with_interview(uuid);
    store_close(st);
    check_sql_exec(dbpath, UNDO_V16 " PRAGMA user_version = 15;");
    st = open_ok();
    ck_assert_int_eq(check_sql_long(dbpath, "PRAGMA user_version"),
                     STORE_SCHEMA_VERSION);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " commune_setups"), 0);
    ck_assert_int_eq(take_setup(st, "Xã Đông Hòa", 2, "Thôn Một"), 0);
    /* The same sequence again, or an older one: nothing changes; the same
     * sequence with other content is told apart. */
    ck_assert_int_eq(take_setup(st, "Xã Đông Hòa", 2, "Thôn Một"),
                     STORE_SETUP_OLD);
    ck_assert_int_eq(take_setup(st, "Xã Đông Hòa", 2, "Thôn Khác"),
                     STORE_SETUP_OTHER);
    ck_assert_int_eq(take_setup(st, "Xã Cũ", 1, "Thôn Cũ"), 1);
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_commune_villages_each(st, "26734", village_line,
                                                 &b), 0);
    ck_assert_str_eq(b.s, "TH01=Thôn Một;TH02=Thôn Hai;");
    ck_assert_int_eq(take_setup(st, "Xã Đông Hòa", 3, "Thôn Mới"), 0);
    sbuf_free(&b);
    sbuf_init(&b);
    ck_assert_int_eq(store_commune_villages_each(st, "26734", village_line,
                                                 &b), 0);
    ck_assert_str_eq(b.s, "TH01=Thôn Mới;TH02=Thôn Hai;");
    sbuf_free(&b);
    char *code = NULL;
    /* Never by its name, which two communes may share. */
    ck_assert_int_eq(store_setup_commune_find(st, "xã  đông hòa", &code), 1);
    ck_assert_ptr_null(code);
    ck_assert_int_eq(store_setup_commune_find(st, "26734", &code), 0);
    free(code);
    ck_assert_int_eq(store_setup_commune_find(st, "xã a", &code), 0);
    ck_assert_str_eq(code, "26734");
    free(code);
    ck_assert_int_eq(store_setup_commune_find(st, "Xã Tây Sơn", &code), 1);
    ck_assert_ptr_null(code);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " commune_households"), 1);
    store_close(st);
}
END_TEST

/* Non-zero when EXPLAIN QUERY PLAN row id, or one above it, reads a
 * correlated subquery: one run per row of the outer query. */
static int plan_correlated(sqlite3_stmt *plan, int id)
{
    while (id > 0) {
        int up = -1;
        sqlite3_reset(plan);
        while (sqlite3_step(plan) == SQLITE_ROW)
            if (sqlite3_column_int(plan, 0) == id) {
                if (strstr((const char *)sqlite3_column_text(plan, 3),
                           "CORRELATED"))
                    return 1;
                up = sqlite3_column_int(plan, 1);
            }
        id = up;
    }
    return 0;
}

/* The counts' superseded test reads the pairs of duplicates once a
 * statement, not once an interview: "a = uuid OR b = uuid" had no index
 * for b, so every interview read every pair. */
START_TEST(superseded_count_reads_the_pairs_once)
{
    char a[37], b[37];
    store *st = open_with_interview(a);
    ck_assert_int_eq(store_interview_create(st, "hh", "1", "Lan", b), 0);
    ck_assert_int_eq(store_interview_set_status(st, b, STORE_COMPLETE), 0);
    sqlite3 *db = store_sqlite(st);
    char *sql = sqlite3_mprintf("INSERT INTO duplicates (a, b, form_id, key,"
                                " found, decision, keep, decided) VALUES"
                                " (%Q, %Q, 'hh', 'k', 'now', 'same', %Q,"
                                " 'now')", a, b, a);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    store_counts c;
    ck_assert_int_eq(store_count(st, NULL, &c), 0);
    ck_assert_int_eq(c.superseded, 1);
    ck_assert_int_eq(c.complete, 0);
    ck_assert_int_eq(c.drafts, 1);
    /* The statement that counted, as the store prepared it. */
    const char *text = NULL;
    for (sqlite3_stmt *p = sqlite3_next_stmt(db, NULL); p;
         p = sqlite3_next_stmt(db, p))
        if (strstr(sqlite3_sql(p), "FROM duplicates"))
            text = sqlite3_sql(p);
    ck_assert_ptr_nonnull(text);
    char *eqp = xasprintf("EXPLAIN QUERY PLAN %s", text);
    sqlite3_stmt *plan;
    ck_assert_int_eq(sqlite3_prepare_v2(db, eqp, -1, &plan, NULL),
                     SQLITE_OK);
    int reads = 0;
    while (sqlite3_step(plan) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(plan, 3);
        if (!strstr(d, "duplicates"))
            continue;
        reads++;
        sqlite3_stmt *again;
        ck_assert_int_eq(sqlite3_prepare_v2(db, eqp, -1, &again, NULL),
                         SQLITE_OK);
        ck_assert_msg(!plan_correlated(again, sqlite3_column_int(plan, 1)),
                      "pairs read once an interview: %s", d);
        sqlite3_finalize(again);
    }
    ck_assert_int_ge(reads, 2);     /* a's side and b's side at least */
    sqlite3_finalize(plan);
    free(eqp);
    store_close(st);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("store");
    TCase *tc = check_tcase(s, "store", setup, teardown, 60);
    tcase_add_test(tc, create_and_reopen);
    tcase_add_test(tc, settings_persist);
    tcase_add_test(tc, device_id_is_stable_uuid);
    tcase_add_test(tc, forms_are_kept_and_never_changed);
    tcase_add_test(tc, interview_needs_a_stored_form);
    tcase_add_test(tc, answers_save_overwrite_clear_with_audit);
    tcase_add_test(tc, status_and_position);
    tcase_add_test(tc, delete_only_drafts);
    tcase_add_test(tc, repeat_instance_delete_renumbers);
    tcase_add_test(tc, list_and_count);
    tcase_add_test(tc, answers_survive_kill);
    tcase_add_test(tc, migrates_from_v1);
    tcase_add_test(tc, refuses_newer_schema);
    tcase_add_test(tc, migrates_from_v8);
    tcase_add_test(tc, migrates_from_v12);
    tcase_add_test(tc, migrates_from_v15_and_keeps_setups_by_sequence);
    tcase_add_test(tc, migrates_from_v17_and_keeps_decisions_for_later);
    tcase_add_test(tc, migrates_from_v19_and_keeps_reviews_for_later);
    tcase_add_test(tc, keeps_a_review_until_its_revision_arrives);
    tcase_add_test(tc, return_of_an_earlier_version);
    tcase_add_test(tc, migrates_from_v20_and_keeps_decisions_per_key);
    tcase_add_test(tc, migrates_from_v7);
    tcase_add_test(tc, migrates_from_v9_and_keeps_names);
    tcase_add_test(tc, notes_are_kept_audited_and_follow_members);
    tcase_add_test(tc, refuses_garbage);
    tcase_add_test(tc, refuses_other_programs_database);
    tcase_add_test(tc, open_at_creates_only_when_asked);
    tcase_add_test(tc, default_path_and_mkdirs);
    tcase_add_test(tc, read_only_copy_is_shown_and_never_written);
    tcase_add_test(tc, path_syntax);
    tcase_add_test(tc, reviews_set_get_clear);
    tcase_add_test(tc, reviews_after_a_clock_once_ahead);
    tcase_add_test(tc, migrates_from_v3);
    tcase_add_test(tc, migrates_from_v5_to_canonical_values);
    tcase_add_test(tc, review_states_follow_revisions);
    tcase_add_test(tc, migrates_from_v6);
    tcase_add_test(tc, superseded_count_reads_the_pairs_once);
    return check_run(s);
}
