/* bench_province.c: the province's comparison of its communes (report
 * --communes) over a province database of many household interviews in
 * many communes (default 200,000 in 300; --households N --communes C for
 * another scale, e.g. 1,000,000 in 300), next to one hand-written SQL
 * aggregate pass over the same stored figures, grouped by commune, in the
 * same run.  Goal: the comparison within 2x of the SQL pass.  The
 * comparison runs in a process of its own, whose peak resident memory
 * (VmHWM) is printed: it should not grow with the households.
 *
 * The data: one commune interview and a handful of households filled by
 * the simulator through real sessions, with the report's keeper attached
 * so that finalising stores their figures; then copied under fresh UUIDs
 * (the interview rows, the revisions naming the commune's bundle, and the
 * stored figures, which is all the comparison reads of a household) into
 * the database, in one SQLite transaction. */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/catalog.h"
#include "report/report.h"
#include "session/session.h"
#include "session/simulate.h"
#include "store/store.h"
#include "core/util.h"

#define BENCH_NAME "bench_province"
#include "bench_fill.h"

#ifndef FORMSSRCDIR
#define FORMSSRCDIR "forms"
#endif

#define TEMPLATES 32

/* Run sql (one statement with ?1 the new UUID, ?2 the template's, ?3 the
 * revision, ?4 the commune's code) for one copy. */
static void copy_rows(sqlite3 *db, sqlite3_stmt *s, const char *uuid,
                      const char *from, const char *rev, const char *code)
{
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, rev, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, code, -1, SQLITE_STATIC);
    must(sqlite3_step(s), db, "copy");
    sqlite3_reset(s);
}

/* A fresh UUID whose first eight digits count up: the copies' rows are
 * then appended to every index instead of scattered over it, which is
 * what kept a million households from being generated in minutes. */
static void counted_uuid(char uuid[37], unsigned long n)
{
    char head[9];
    store_uuid_v4(uuid);
    snprintf(head, sizeof head, "%08lx", n & 0xffffffffUL);
    memcpy(uuid, head, 8);
}

/* Copy interview from (commune or household) as uuid of commune c's
 * bundle; with_answers for the commune form (read whole by the report). */
static void copy_interview(sqlite3 *db, sqlite3_stmt *const *st, int nst,
                           const char *from, const char *code)
{
    static unsigned long copies;
    char uuid[37], rev[37];
    counted_uuid(uuid, copies);
    counted_uuid(rev, copies++);
    for (int i = 0; i < nst; i++)
        copy_rows(db, st[i], uuid, from, rev, code);
}

static const char *const copy_sql[] = {
    "INSERT INTO interviews (uuid, form_id, form_version, status,"
    " created, updated, enumerator, device_id, head) SELECT ?1, form_id,"
    " form_version, status, created, updated, enumerator, device_id, ?3"
    " FROM interviews WHERE uuid = ?2",
    "INSERT INTO revisions (id, interview, parent, parent2, status, device,"
    " enumerator, created, content, bundle) SELECT ?3, ?1, NULL, NULL,"
    " 'complete', 'dev' || ?4, 'bench', '2026-05-01T08:00:00Z', ?3,"
    " 'b' || ?4 FROM interviews WHERE uuid = ?2",
    "INSERT INTO report_units (interview, definition, form_version, head,"
    " readable, village, included, case_key) SELECT ?1, definition,"
    " form_version, ?3, readable, village, included, ?1 FROM report_units"
    " WHERE interview = ?2",
    "INSERT INTO report_figures (interview, figure, num, den, units,"
    " flagged, distinct_key) SELECT ?1, figure, num, den, units, flagged,"
    " distinct_key FROM report_figures WHERE interview = ?2",
    "INSERT INTO report_tallies (interview, tally, code, n) SELECT ?1,"
    " tally, code, n FROM report_tallies WHERE interview = ?2",
    /* The commune form: its answers, its code its own. */
    "INSERT INTO answers (interview, qid, path, value) SELECT ?1, qid, path,"
    " CASE WHEN qid = 'commune_code' THEN ?4 ELSE value END FROM answers"
    " WHERE interview = ?2",
    "INSERT INTO repeat_counts (interview, path, count) SELECT ?1, path,"
    " count FROM repeat_counts WHERE interview = ?2",
};

/* The province: communes c, each a bundle, a commune interview and its
 * share of n households copied from the templates. */
static void copy_province(const char *path, char tmpl[][37], const char *cm,
                          long n, int communes)
{
    sqlite3 *db;
    must(sqlite3_open(path, &db), db, "open");
    /* Generating, not measuring: no journal, a page cache of 256 MiB. */
    must(sqlite3_exec(db, "PRAGMA foreign_keys = OFF; PRAGMA journal_mode ="
                      " OFF; PRAGMA synchronous = OFF; PRAGMA cache_size ="
                      " -262144; BEGIN", NULL, NULL, NULL), db, "begin");
    sqlite3_stmt *st[7], *bundle;
    for (int i = 0; i < 7; i++)
        must(sqlite3_prepare_v2(db, copy_sql[i], -1, &st[i], NULL), db,
             "prepare");
    must(sqlite3_prepare_v2(db, "INSERT INTO bundles (uuid, sha256, file,"
                            " device, enumerator, commune, created, merged,"
                            " added, updated, unchanged, conflicts,"
                            " duplicates) VALUES ('b' || ?1, 'x', 'f',"
                            " 'dev' || ?1, 'bench', 'Xã ' || ?1,"
                            " '2026-05-01T09:00:00Z', '2026-05-02T09:00:00Z',"
                            " 0, 0, 0, 0, 0)", -1, &bundle, NULL), db, "b");
    for (int c = 0; c < communes; c++) {
        char code[16];
        snprintf(code, sizeof code, "79%03d", c);
        sqlite3_bind_text(bundle, 1, code, -1, SQLITE_STATIC);
        must(sqlite3_step(bundle), db, "bundle");
        sqlite3_reset(bundle);
        copy_interview(db, st, 7, cm, code);
        long share = n / communes + (c < n % communes);
        for (long h = 0; h < share; h++)
            copy_interview(db, st, 5, tmpl[(c + h) % TEMPLATES], code);
    }
    for (int i = 0; i < 7; i++)
        sqlite3_finalize(st[i]);
    sqlite3_finalize(bundle);
    /* The templates were this laptop's: not of any commune. */
    must(sqlite3_exec(db, "DELETE FROM report_tallies WHERE interview IN"
                      " (SELECT uuid FROM interviews WHERE head IS NULL"
                      " OR head NOT IN (SELECT id FROM revisions WHERE"
                      " bundle IS NOT NULL)); DELETE FROM report_figures"
                      " WHERE interview IN (SELECT uuid FROM interviews"
                      " WHERE uuid NOT IN (SELECT interview FROM revisions"
                      " WHERE bundle IS NOT NULL)); DELETE FROM report_units"
                      " WHERE interview IN (SELECT uuid FROM interviews"
                      " WHERE uuid NOT IN (SELECT interview FROM revisions"
                      " WHERE bundle IS NOT NULL)); DELETE FROM interviews"
                      " WHERE uuid NOT IN (SELECT interview FROM revisions"
                      " WHERE bundle IS NOT NULL); COMMIT;"
                      " PRAGMA journal_mode = WAL", NULL, NULL,
                      NULL), db, "commit");
    sqlite3_close(db);
}

/* One hand-written aggregate pass over the stored figures, by commune:
 * the rows summed. */
static long sql_pass(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    must(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), db, "open");
    must(sqlite3_prepare_v2(db,
        "SELECT b.commune, f.figure, total(f.num), total(f.den),"
        " total(f.units), count(*) FROM interviews i"
        " JOIN revisions r ON r.interview = i.uuid"
        " JOIN bundles b ON b.uuid = r.bundle"
        " JOIN report_units u ON u.interview = i.uuid"
        " JOIN report_figures f ON f.interview = i.uuid"
        " WHERE i.status = 'complete' AND u.included GROUP BY 1, 2",
        -1, &s, NULL), db, "prepare");
    long rows = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        rows += (long)sqlite3_column_int64(s, 5);
    must(rc, db, "step");
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rows;
}

/* What the comparison's child reports to the parent. */
typedef struct cmp_run {
    size_t rows;
    double wall, cpu;
    long maxrss_kb;
} cmp_run;

/* This process's peak resident memory (VmHWM: of its memory since it
 * was executed, unlike ru_maxrss, which keeps the forking parent's), in
 * KB, or -1. */
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

/* The child: the comparison (report --communes, text) over path, its
 * rows, wall and CPU seconds and peak memory written to fd.  The exit status. */
static int compare_child(const char *path, int fd)
{
    diag_list d;
    diag_init(&d);
    catalog *cat = catalog_load(FORMSSRCDIR, &d);
    report_def *def = report_def_load(FORMSSRCDIR "/report.yaml", &d);
    diag_free(&d);
    double t0 = now_s(), c0 = cpu_s();
    rscan *s = NULL;
    report_cmp *c = NULL;
    char *err = NULL;
    report_opts o = {NULL, 0, "en", NULL, 1};
    if (!cat || !def || rscan_open(path, &s, &err) ||
        report_compare(def, cat, s, &o, NULL, &c, &err)) {
        fprintf(stderr, "bench_province: %s\n", err ? err : "no forms");
        return 1;
    }
    free(report_compare_render(c, REPORT_TEXT));
    cmp_run r = {report_compare_count(c), now_s() - t0, cpu_s() - c0, 0};
    report_compare_free(c);
    rscan_close(s);
    r.maxrss_kb = peak_rss_kb();
    report_def_free(def);
    catalog_free(cat);
    return write(fd, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1;
}

/* The comparison (report --communes, text) over path in a child process,
 * so that its peak resident memory is its own: rows, wall and CPU
 * seconds, and peak memory into *out.  0, or -1. */
static int compare_forked(const char *path, cmp_run *out)
{
    int fd[2];
    memset(out, 0, sizeof *out);
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* A fresh process (this program again), so that the peak is the
         * comparison's, not the generator's pages inherited by a fork. */
        close(fd[0]);
        char fdtext[16];
        snprintf(fdtext, sizeof fdtext, "%d", fd[1]);
        execl("/proc/self/exe", "bench_province", "--compare", path, fdtext,
              (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], out, sizeof *out);
    close(fd[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || got != (ssize_t)sizeof *out)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    long n = 200000;
    int communes = 300, keep = 0;
    if (argc == 4 && !strcmp(argv[1], "--compare"))
        return compare_child(argv[2], atoi(argv[3]));
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--households") && i + 1 < argc)
            n = atol(argv[++i]);
        else if (!strcmp(argv[i], "--communes") && i + 1 < argc)
            communes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--keep"))
            keep = 1;
        else {
            fprintf(stderr, "usage: bench_province [--households N] "
                            "[--communes C] [--keep]\n");
            return 2;
        }
    }
    if (n < 0 || communes < 1)
        return 2;
    char dir[] = "/tmp/bench_province.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char *path = xasprintf("%s/province.db", dir), *err = NULL;
    diag_list d;
    diag_init(&d);
    catalog *cat = catalog_load(FORMSSRCDIR, &d);
    report_def *def = report_def_load(FORMSSRCDIR "/report.yaml", &d);
    if (!cat || !def || report_def_check(def, cat, &d)) {
        fprintf(stderr, "bench_province: cannot load the forms\n");
        return 1;
    }
    diag_free(&d);

    double t0 = now_s();
    store *st = NULL;
    if (store_open(path, &st, &err)) {
        fprintf(stderr, "bench_province: %s\n", err);
        return 1;
    }
    report_keeper *k = report_keep_attach(st, cat);
    if (!k) {
        fprintf(stderr, "bench_province: no report definition\n");
        return 1;
    }
    sim_rng rng;
    sim_seed(&rng, 43);
    char cm[37], tmpl[TEMPLATES][37];
    simulate_one(st, catalog_find(cat, "commune", NULL), &rng, cm);
    for (int i = 0; i < TEMPLATES; i++)
        simulate_one(st, catalog_find(cat, "household", NULL), &rng, tmpl[i]);
    report_keep_detach(st, k);
    store_close(st);
    copy_province(path, tmpl, cm, n, communes);
    double t_gen = now_s() - t0;

    cmp_run run;
    if (compare_forked(path, &run) != 0)
        return 1;
    double t_cmp = run.wall, c_cmp = run.cpu;
    size_t rows_out = run.rows;

    t0 = now_s();
    double c0 = cpu_s();
    long rows = sql_pass(path);
    double t_pass = now_s() - t0, c_pass = cpu_s() - c0;
    double ratio = c_pass > 0 ? c_cmp / c_pass : 0;
    printf("bench_province: %ld households in %d communes generated in "
           "%.1f s\n", n, communes, t_gen);
    printf("  report --communes (%zu rows, text, 1 process): %.2f s, "
           "%.2f s CPU\n", rows_out, t_cmp, c_cmp);
    printf("  peak resident memory of the comparison (its own process, "
           "VmHWM): %ld KB\n", run.maxrss_kb);
    printf("  one SQL aggregate pass by commune over the same %ld figure "
           "rows: %.2f s, %.2f s CPU\n", rows, t_pass, c_pass);
    printf("  comparison / SQL pass (CPU): %.2fx (goal <= 2x: %s)\n", ratio,
           ratio <= 2 ? "met" : "NOT MET");
    report_def_free(def);
    catalog_free(cat);
    int rc = rows_out == (size_t)communes ? 0 : 1;
    if (keep) {
        printf("  database kept: %s\n", path);
    } else {
        char *cmd = xasprintf("rm -rf '%s'", dir);
        if (system(cmd) != 0)
            rc = 1;
        free(cmd);
    }
    free(path);
    return rc;
}
