/* check_main.h: what every Check test program shares: running its suite
 * making and removing temporary directories and databases, and reading
 * and writing database files behind the store's back. */
#ifndef KHAOSAT_CHECK_MAIN_H
#define KHAOSAT_CHECK_MAIN_H

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zstd.h>

#include "core/util.h"

/* A test case name added to s, its tests run between setup and teardown
 * (either may be NULL) and stopped after timeout seconds (0: Check's
 * default). */
static inline TCase *check_tcase(Suite *s, const char *name, SFun setup,
                                 SFun teardown, double timeout)
{
    TCase *tc = tcase_create(name);
    if (setup || teardown)
        tcase_add_checked_fixture(tc, setup, teardown);
    if (timeout > 0)
        tcase_set_timeout(tc, timeout);
    suite_add_tcase(s, tc);
    return tc;
}

/* Run every test of s, free it; the exit status for main(). */
static inline int check_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A new empty directory /tmp/<prefix>.XXXXXX; newly allocated. */
static inline char *check_tmpdir_new(const char *prefix)
{
    char *dir = xasprintf("/tmp/%s.XXXXXX", prefix);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

/* Remove dir with everything in it, and free the string. */
static inline void check_tmpdir_free(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(dir);
}

/* The path of a database that does not exist yet, under a name no other
 * process holds; newly allocated. */
static inline char *check_tmpdb_new(const char *prefix)
{
    char *path = xasprintf("/tmp/%s-XXXXXX", prefix);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);
    return path;
}

/* What a reader of a read-only copy is given: the copy and an
 * interview in it. */
typedef struct check_ro_case {
    const char *path, *uuid;
} check_ro_case;

/* Move the database db into a new folder dir made read-only, as a copy
 * on a read-only stick (the file 0444, the folder 0555; as root, who may
 * write any file, both given to the user nobody), run fn on it in a child
 * process as a user who may not write it (nobody, as root), and check
 * that the file kept its bytes and mode with nothing made beside it.
 * fn returns 0 when all it saw was as it should be, else the number of
 * the first thing that was not, which fails the test.  The folder and
 * the file are made writable again; returns the copy's path (caller frees).  Takes
 * dir (freed here), so that the child frees everything it holds before
 * it ends and a run under valgrind finds no leak in it. */
static inline char *check_read_only_run(const char *db, char *dir,
                                        const char *uuid,
                                        int (*fn)(const check_ro_case *))
{
    char *path = xasprintf("%s/lap.db", dir);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    ck_assert_int_eq(rename(db, path), 0);
    int root = geteuid() == 0;
    if (root)
        ck_assert_int_eq(chown(path, 65534, 65534), 0);
    ck_assert_int_eq(chmod(path, 0444), 0);
    ck_assert_int_eq(chmod(dir, 0555), 0);
    size_t n0 = 0, n1 = 0;
    char *before = util_read_file(path, &n0);
    ck_assert_ptr_nonnull(before);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (root && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(99);
        check_ro_case c = {path, uuid};
        int rc = fn(&c);
        free(before);
        free(path);
        free(dir);
        _exit(rc);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the read-only copy: check %d failed", WEXITSTATUS(status));
    char *after = util_read_file(path, &n1);
    ck_assert(after && n0 == n1 && !memcmp(before, after, n0));
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0444);
    char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
    ck_assert_int_eq(access(wal, F_OK), -1);
    ck_assert_int_eq(access(shm, F_OK), -1);
    ck_assert_int_eq(chmod(dir, 0755), 0);
    /* A file with no write bit is read only even by root. */
    ck_assert_int_eq(chmod(path, 0644), 0);
    free(dir);
    free(wal);
    free(shm);
    free(before);
    free(after);
    return path;
}

/* Remove database path with its WAL files, and free the string. */
static inline void check_tmpdb_free(char *path)
{
    char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
    free(wal);
    free(shm);
    free(path);
}

/* Open the database file at path with sqlite3 as an attacker or an old
 * khaosat would; a compressed bundle is first unpacked in place, as
 * `zstd -d` would (khaosat reads a bundle compressed or not). */
static inline void check_open(const char *path, sqlite3 **db)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 4
        && fseek(f, 0, SEEK_SET) == 0) {
        d = xmalloc((size_t)n);
        ck_assert_int_eq(fread(d, 1, (size_t)n, f), (size_t)n);
    }
    if (f)
        fclose(f);
    static const unsigned char magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    if (d && memcmp(d, magic, 4) == 0) {
        unsigned long long size = ZSTD_getFrameContentSize(d, (size_t)n);
        ck_assert(size < (1ULL << 31));
        unsigned char *out = xmalloc(size + 1);
        ck_assert_int_eq(ZSTD_decompress(out, size, d, (size_t)n), size);
        f = fopen(path, "wb");
        ck_assert(f && fwrite(out, 1, size, f) == size && fclose(f) == 0);
        free(out);
    }
    free(d);
    ck_assert_int_eq(sqlite3_open(path, db), SQLITE_OK);
}

/* Run sql on the database file at path (as an attacker or an old khaosat
 * would). */
static inline void check_sql_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    check_open(path, &db);
    char *msg = NULL;
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
                  "%s: %s", sql, msg ? msg : "?");
    sqlite3_close(db);
}

/* The integer in the first row of a query on the database file at path;
 * -1 when there is no row. */
static inline long check_sql_long(const char *path, const char *sql)
{
    sqlite3 *db;
    check_open(path, &db);
    sqlite3_stmt *s;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(db));
    long n = -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

#endif
