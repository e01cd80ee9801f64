/* check_durable.c: files reach their final name whole, or not at all. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check_main.h"
#include "core/durable.h"

static char *dir;

static void setup(void)
{
    dir = check_tmpdir_new("khaosat-durable");
}

static void teardown(void)
{
    check_tmpdir_free(dir);
}

/* How many entries (other than . and ..) dir holds. */
static int count_entries(const char *d)
{
    DIR *dp = opendir(d);
    ck_assert_ptr_nonnull(dp);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(dp);
    return n;
}

START_TEST(whole_file_appears_with_its_mode)
{
    char *path = xasprintf("%s/card.txt", dir), *err = NULL;
    ck_assert_int_eq(durable_write_file(path, "hello", 5, 0600,
                                        DURABLE_NEW, &err), 0);
    size_t len;
    char *s = util_read_file(path, &len);
    ck_assert_uint_eq(len, 5);
    ck_assert_mem_eq(s, "hello", 5);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_uint_eq(sb.st_mode & 0777, 0600);
    ck_assert_int_eq(count_entries(dir), 1);
    free(s);
    free(path);
}
END_TEST

START_TEST(new_mode_never_overwrites)
{
    char *path = xasprintf("%s/b.khb", dir), *err = NULL;
    ck_assert_int_eq(durable_write_file(path, "first", 5, 0644,
                                        DURABLE_NEW, &err), 0);
    durable *d = durable_begin(dir, 0644, &err);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(durable_write(d, "second", 6, &err), 0);
    ck_assert_int_eq(durable_commit(d, path, DURABLE_NEW, &err), 1);
    /* d is still usable: give it another name. */
    char *other = xasprintf("%s/c.khb", dir);
    ck_assert_int_eq(durable_commit(d, other, DURABLE_NEW, &err), 0);
    size_t len;
    char *s = util_read_file(path, &len);
    ck_assert_mem_eq(s, "first", 5);
    free(s);
    ck_assert_int_eq(durable_write_file(path, "x", 1, 0644, DURABLE_NEW,
                                        &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "already exists"));
    free(err);
    ck_assert_int_eq(count_entries(dir), 2);
    free(other);
    free(path);
}
END_TEST

START_TEST(replace_mode_replaces)
{
    char *path = xasprintf("%s/report.csv", dir), *err = NULL;
    ck_assert_int_eq(durable_write_file(path, "a", 1, 0600, DURABLE_NEW,
                                        &err), 0);
    ck_assert_int_eq(durable_write_file(path, "bb", 2, 0600,
                                        DURABLE_REPLACE, &err), 0);
    size_t len;
    char *s = util_read_file(path, &len);
    ck_assert_uint_eq(len, 2);
    free(s);
    free(path);
}
END_TEST

START_TEST(abort_and_sweep_leave_nothing_behind)
{
    char *err = NULL;
    durable *d = durable_begin(dir, 0600, &err);
    ck_assert_int_eq(durable_write(d, "secret", 6, &err), 0);
    ck_assert_int_eq(count_entries(dir), 1);
    durable_abort(d);
    ck_assert_int_eq(count_entries(dir), 0);
    /* A killed writer leaves its temporary (no lock held any more); the
     * sweep takes only those, and not this process's live one. */
    d = durable_begin(dir, 0600, &err);
    char *dead = xasprintf("%s/.khaosat-dead1.tmp", dir);
    FILE *f = fopen(dead, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    char *keep = xasprintf("%s/.hidden-but-mine.tmp", dir);
    ck_assert_int_eq(durable_write_file(keep, "k", 1, 0600, DURABLE_NEW,
                                        &err), 0);
    ck_assert_int_eq(durable_sweep(dir), 1);
    ck_assert_int_eq(count_entries(dir), 2);
    durable_abort(d);
    ck_assert_int_eq(count_entries(dir), 1);
    free(dead);
    free(keep);
}
END_TEST

START_TEST(sweep_leaves_a_live_file_alone)
{
    char *err = NULL;
    durable *d = durable_begin(dir, 0600, &err);
    ck_assert_ptr_nonnull(d);
    /* Another khaosat sweeping now (a child process: locks are per open
     * file) must not take the file this one is still writing. */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(durable_sweep(dir));
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_int_eq(durable_write(d, "x", 1, &err), 0);
    char *path = xasprintf("%s/live.txt", dir);
    ck_assert_int_eq(durable_commit(d, path, DURABLE_NEW, &err), 0);
    ck_assert_int_eq(count_entries(dir), 1);
    free(path);
}
END_TEST

START_TEST(replace_refuses_what_is_not_a_file)
{
    char *err = NULL;
    char *fifo = xasprintf("%s/fifo", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(durable_write_file(fifo, "x", 1, 0600,
                                        DURABLE_REPLACE, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is not a regular file"));
    free(err);
    struct stat sb;
    ck_assert_int_eq(lstat(fifo, &sb), 0);
    ck_assert(S_ISFIFO(sb.st_mode));
    ck_assert_int_eq(count_entries(dir), 1);    /* no temporary left */
    free(fifo);
}
END_TEST

START_TEST(replace_never_writes_over_a_database)
{
    char *err = NULL;
    char *db = xasprintf("%s/lap.db", dir);
    sqlite3 *h;
    ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    ck_assert_int_eq(durable_write_file(db, "report", 6, 0600,
                                        DURABLE_REPLACE, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is a database"));
    free(err);
    size_t len;
    char *s = util_read_file(db, &len);
    ck_assert_mem_eq(s, "SQLite format 3", 15);
    free(s);
    ck_assert_int_eq(count_entries(dir), 1);
    free(db);
}
END_TEST

START_TEST(replace_never_writes_over_a_backup)
{
    static const char *const heads[] = {"khaosat backup 1\nmade: x\n",
                                        "khaosat key backup 1\nfp: x\n"};
    for (int i = 0; i < 2; i++) {
        char *err = NULL;
        char *kbk = xasprintf("%s/b%d.kbk", dir, i);
        ck_assert_int_eq(durable_write_file(kbk, heads[i], strlen(heads[i]),
                                            0600, DURABLE_NEW, &err), 0);
        const char *said = i ? "is a khaosat key backup"
                             : "is a khaosat backup";
        ck_assert_int_eq(durable_check_replace(kbk, &err), -1);
        ck_assert_ptr_nonnull(strstr(err, said));
        free(err);
        err = NULL;
        ck_assert_int_eq(durable_write_file(kbk, "report", 6, 0600,
                                            DURABLE_REPLACE, &err), -1);
        ck_assert_ptr_nonnull(strstr(err, said));
        free(err);
        err = NULL;
        /* A data backup made again replaces only an older data backup. */
        ck_assert_int_eq(durable_check_backup(kbk, &err), i ? -1 : 0);
        if (i) {
            ck_assert_ptr_nonnull(strstr(err, said));
            free(err);
            err = NULL;
            ck_assert_int_eq(durable_write_file(kbk, "khaosat backup 1\n",
                                                17, 0600,
                                                DURABLE_REPLACE_BACKUP,
                                                &err), -1);
            ck_assert_ptr_nonnull(strstr(err, said));
            free(err);
        }
        size_t len;
        char *s = util_read_file(kbk, &len);
        ck_assert_str_eq(s, heads[i]);
        free(s);
        free(kbk);
    }
    ck_assert_int_eq(count_entries(dir), 2);
    char *err = NULL, *plain = xasprintf("%s/plain.html", dir);
    ck_assert_int_eq(durable_check_replace(plain, &err), 0);    /* none */
    ck_assert_int_eq(durable_write_file(plain, "x", 1, 0600, DURABLE_NEW,
                                        &err), 0);
    ck_assert_int_eq(durable_check_replace(plain, &err), 0);    /* a file */
    ck_assert_int_eq(durable_check_backup(plain, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is not a khaosat data backup"));
    free(err);
    err = NULL;
    ck_assert_int_eq(durable_write_file(plain, "khaosat backup 1\n", 17, 0600,
                                        DURABLE_REPLACE_BACKUP, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is not a khaosat data backup"));
    free(err);
    size_t len;
    char *s = util_read_file(plain, &len);
    ck_assert_str_eq(s, "x");
    free(s);
    free(plain);
}
END_TEST

START_TEST(errors_name_the_directory)
{
    char *err = NULL;
    char *missing = xasprintf("%s/no/such/dir", dir);
    ck_assert_ptr_null(durable_begin(missing, 0600, &err));
    ck_assert_ptr_nonnull(strstr(err, missing));
    ck_assert_ptr_nonnull(strstr(err, "cannot create"));
    free(err);
    free(missing);
}
END_TEST

START_TEST(dirname_of_paths)
{
    const char *in[] = {"a/b/c", "/x", "name", "./f"};
    const char *want[] = {"a/b", "/", ".", "."};
    for (int i = 0; i < 4; i++) {
        char *s = durable_dirname(in[i]);
        ck_assert_str_eq(s, want[i]);
        free(s);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("durable");
    TCase *tc = check_tcase(s, "durable", setup, teardown, 0);
    tcase_add_test(tc, whole_file_appears_with_its_mode);
    tcase_add_test(tc, new_mode_never_overwrites);
    tcase_add_test(tc, replace_mode_replaces);
    tcase_add_test(tc, abort_and_sweep_leave_nothing_behind);
    tcase_add_test(tc, sweep_leaves_a_live_file_alone);
    tcase_add_test(tc, replace_refuses_what_is_not_a_file);
    tcase_add_test(tc, replace_never_writes_over_a_database);
    tcase_add_test(tc, replace_never_writes_over_a_backup);
    tcase_add_test(tc, errors_name_the_directory);
    tcase_add_test(tc, dirname_of_paths);
    return check_run(s);
}
