/* bundle_fixture.h: laptops and interviews for the bundle and merge tests:
 * stores in a temporary directory holding the small household form of
 * tests/data/good.yaml (key: village, hh_no). */
#ifndef KHAOSAT_BUNDLE_FIXTURE_H
#define KHAOSAT_BUNDLE_FIXTURE_H

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/bundle_int.h"   /* tests and benches reach the plain reader */
#include "check_main.h"
#include "store/store.h"
#include "core/util.h"

static char *fx_dir;
static char *fx_source;
static size_t fx_source_len;

static inline void fx_setup(void)
{
    fx_dir = check_tmpdir_new("check_bundle");
    fx_source = util_read_file(TESTDATADIR "/good.yaml", &fx_source_len);
    ck_assert_ptr_nonnull(fx_source);
}

static inline void fx_teardown(void)
{
    check_tmpdir_free(fx_dir);
    free(fx_source);
}

/* A path inside the test directory; newly allocated. */
static inline char *fx_path(const char *name)
{
    return xasprintf("%s/%s", fx_dir, name);
}

/* Make directory sub inside the test directory (if missing); its path,
 * newly allocated. */
static inline char *fx_subdir(const char *sub)
{
    char *dir = fx_path(sub);
    char *mk = xasprintf("mkdir -p '%s'", dir);
    ck_assert_int_eq(system(mk), 0);
    free(mk);
    return dir;
}

/* Open (creating) laptop name, with its enumerator and the form. */
static inline store *fx_laptop(const char *name)
{
    char *path = fx_path(name);
    store *st;
    char *err = NULL;
    ck_assert_msg(store_open(path, &st, &err) == 0, "%s", err ? err : "?");
    free(path);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_ENUMERATOR, name), 0);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_COMMUNE, "Xã A"), 0);
    ck_assert_int_eq(store_save_form(st, "household", "2026.1", fx_source,
                                     fx_source_len, NULL), 0);
    return st;
}

/* A complete interview of household (village, hh_no) with a name. */
static inline void fx_interview(store *st, const char *village, const char *hh_no,
                         const char *name, char uuid[37])
{
    ck_assert_int_eq(store_interview_create(st, "household", "2026.1",
                                            "x", uuid), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "village", "", village), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "hh_no", "", hh_no), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "", name), 0);
    ck_assert_int_eq(store_set_repeat_count(st, uuid, "members", 1), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "m_name", "members[1]",
                                       name), 0);
    ck_assert_int_eq(store_interview_set_status(st, uuid, STORE_COMPLETE), 0);
}

/* Export st into the directory sub (created); the bundle's path, or NULL
 * when there was nothing to export. */
static inline char *fx_export(store *st, const char *sub, unsigned flags,
                       long *count)
{
    char *dir = fx_subdir(sub);
    char *path = NULL, *err = NULL;
    long n;
    int rc = bundle_export(st, dir, flags, &path, count ? count : &n, &err);
    ck_assert_msg(rc == 0, "export: %s", err ? err : "?");
    free(dir);
    return path;
}

/* The value of one top-level answer, newly allocated (NULL: none). */
static inline char *fx_answer(store *st, const char *uuid, const char *qid)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(store_path(st), &db), SQLITE_OK);
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT value FROM answers"
        " WHERE interview = ?1 AND qid = ?2 AND path = ''", -1, &s, NULL),
        SQLITE_OK);
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, qid, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

#endif
