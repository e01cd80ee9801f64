/* bench_report.c: the commune report over 100,000 household interviews
 * (10,000 with --quick), in the same run:
 *   - replaying every interview (how reports were made before the
 *     figures were stored; and still for a database that cannot be
 *     written);
 *   - computing every interview's figures once (report_refresh: what an
 *     upgraded database does at its first report);
 *   - the report from the stored figures, single process, against one
 *     hand-written SQL aggregate pass over the same rows (goal: within
 *     2x), and against one SQL query of its rate 4.1 from the answers
 *     (the figures must agree).
 *
 * The data: a handful of households filled by the simulator through real
 * sessions, then copied row by row, under fresh UUIDs, into a database the
 * store created, in one SQLite transaction. */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/catalog.h"
#include "report/report.h"
#include "session/session.h"
#include "session/simulate.h"
#include "store/store.h"
#include "core/util.h"

#define BENCH_NAME "bench_report"
#include "bench_fill.h"

#ifndef FORMSSRCDIR
#define FORMSSRCDIR "forms"
#endif

#define TEMPLATES 32

/* One template interview's rows. */
typedef struct tmpl {
    char **qid, **path, **val;
    size_t n;
    char **cpath;
    long *count;
    size_t ncount;
} tmpl;

static int keep_answer(void *ctx, const char *qid, const char *path,
                       const char *value)
{
    tmpl *t = ctx;
    t->qid = xrealloc(t->qid, (t->n + 1) * sizeof *t->qid);
    t->path = xrealloc(t->path, (t->n + 1) * sizeof *t->path);
    t->val = xrealloc(t->val, (t->n + 1) * sizeof *t->val);
    t->qid[t->n] = xstrdup(qid);
    t->path[t->n] = xstrdup(path);
    t->val[t->n++] = xstrdup(value);
    return 0;
}

static int keep_count(void *ctx, const char *path, long count)
{
    tmpl *t = ctx;
    t->cpath = xrealloc(t->cpath, (t->ncount + 1) * sizeof *t->cpath);
    t->count = xrealloc(t->count, (t->ncount + 1) * sizeof *t->count);
    t->cpath[t->ncount] = xstrdup(path);
    t->count[t->ncount++] = count;
    return 0;
}

static void tmpl_free(tmpl *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->qid[i]);
        free(t->path[i]);
        free(t->val[i]);
    }
    for (size_t i = 0; i < t->ncount; i++)
        free(t->cpath[i]);
    free(t->qid);
    free(t->path);
    free(t->val);
    free(t->cpath);
    free(t->count);
}

/* Copy the templates into n household interviews, in one transaction. */
static void copy_households(const char *path, const form *f, tmpl *t, long n)
{
    sqlite3 *db;
    must(sqlite3_open(path, &db), db, "open");
    sqlite3_stmt *iv, *an, *rc;
    must(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), db, "begin");
    must(sqlite3_prepare_v2(db, "INSERT INTO interviews (uuid, form_id,"
                            " form_version, status, enumerator, device_id,"
                            " created, updated) VALUES (?1, ?2, ?3, 'complete',"
                            " ?4, 'bench', '2026-05-01T08:00:00Z',"
                            " '2026-05-01T09:00:00Z')", -1, &iv, NULL), db, "iv");
    must(sqlite3_prepare_v2(db, "INSERT INTO answers (interview, qid, path,"
                            " value) VALUES (?1, ?2, ?3, ?4)", -1, &an, NULL),
         db, "an");
    must(sqlite3_prepare_v2(db, "INSERT INTO repeat_counts (interview, path,"
                            " count) VALUES (?1, ?2, ?3)", -1, &rc, NULL),
         db, "rc");
    for (long i = 0; i < n; i++) {
        char uuid[37], enumerator[16];
        store_uuid_v4(uuid);
        snprintf(enumerator, sizeof enumerator, "enum%ld", i % 12);
        const tmpl *tp = &t[i % TEMPLATES];
        sqlite3_bind_text(iv, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(iv, 2, f->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(iv, 3, f->version, -1, SQLITE_STATIC);
        sqlite3_bind_text(iv, 4, enumerator, -1, SQLITE_STATIC);
        must(sqlite3_step(iv), db, "insert interview");
        sqlite3_reset(iv);
        for (size_t k = 0; k < tp->n; k++) {
            sqlite3_bind_text(an, 1, uuid, -1, SQLITE_STATIC);
            sqlite3_bind_text(an, 2, tp->qid[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(an, 3, tp->path[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(an, 4, tp->val[k], -1, SQLITE_STATIC);
            must(sqlite3_step(an), db, "insert answer");
            sqlite3_reset(an);
        }
        for (size_t k = 0; k < tp->ncount; k++) {
            sqlite3_bind_text(rc, 1, uuid, -1, SQLITE_STATIC);
            sqlite3_bind_text(rc, 2, tp->cpath[k], -1, SQLITE_STATIC);
            sqlite3_bind_int64(rc, 3, tp->count[k]);
            must(sqlite3_step(rc), db, "insert count");
            sqlite3_reset(rc);
        }
    }
    sqlite3_finalize(iv);
    sqlite3_finalize(an);
    sqlite3_finalize(rc);
    must(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), db, "commit");
    sqlite3_close(db);
}

/* One hand-written aggregate pass over the stored figures: each figure's
 * numerator, denominator and units over the complete interviews counted;
 * returns the number of rows summed. */
static long sql_pass(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    must(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), db, "open");
    must(sqlite3_prepare_v2(db,
        "SELECT f.figure, total(f.num), total(f.den), total(f.units),"
        " count(*) FROM interviews i"
        " JOIN report_units u ON u.interview = i.uuid"
        " JOIN report_figures f ON f.interview = i.uuid"
        " WHERE i.status = 'complete' AND u.included GROUP BY f.figure",
        -1, &s, NULL), db, "prepare");
    long rows = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        rows += (long)sqlite3_column_int64(s, 4);
    must(rc, db, "step");
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rows;
}

/* The same rows as sql_pass read without a GROUP BY, added up here as
 * they come (as the report adds its figures up): the least any pass over
 * them costs, printed beside the goal's floor so that a ratio under 1x
 * against that floor reads right.  Returns the number of rows. */
static long sql_stream(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    must(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), db, "open");
    must(sqlite3_prepare_v2(db,
        "SELECT f.figure, f.num, f.den, f.units FROM interviews i"
        " JOIN report_units u ON u.interview = i.uuid"
        " JOIN report_figures f ON f.interview = i.uuid"
        " WHERE i.status = 'complete' AND u.included", -1, &s, NULL),
        db, "prepare");
    enum { MAXFIG = 4096 };
    static double sum[MAXFIG][3];
    long rows = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        long f = (long)sqlite3_column_int64(s, 0);
        if (f >= 0 && f < MAXFIG) {
            sum[f][0] += sqlite3_column_double(s, 1);
            sum[f][1] += sqlite3_column_double(s, 2);
            sum[f][2] += sqlite3_column_double(s, 3);
        }
        rows++;
    }
    must(rc, db, "step");
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rows;
}

/* The report of path (o), rendered as text; its time in *t, the result in
 * *out. */
static void timed_report(const char *path, const report_def *def,
                         const catalog *cat, const report_opts *o,
                         report_result **out, double *t, double *cpu)
{
    double t0 = now_s(), c0 = cpu_s();
    rscan *s = NULL;
    char *err = NULL;
    if (rscan_open(path, &s, &err) || report_run(def, cat, s, o, out, &err)) {
        fprintf(stderr, "bench_report: %s\n", err);
        exit(1);
    }
    free(report_render(*out, REPORT_TEXT));
    *t = now_s() - t0;
    *cpu = cpu_s() - c0;
    rscan_close(s);
}

/* The 4.1 rate by hand: households that consented, and of them those with
 * an internet subscription. */
static void sql_rate(const char *path, long *num, long *den)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    must(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), db, "open");
    must(sqlite3_prepare_v2(db,
        "SELECT coalesce(sum(a.value = '1'), 0), count(*) FROM interviews i"
        " JOIN answers c ON c.interview = i.uuid AND c.qid = 'consent'"
        "  AND c.path = '' AND c.value = '1'"
        " JOIN answers a ON a.interview = i.uuid AND a.qid = 'hh_internet'"
        "  AND a.path = ''"
        " WHERE i.form_id = 'household' AND i.status = 'complete'", -1, &s,
        NULL), db, "prepare");
    must(sqlite3_step(s), db, "step");
    *num = (long)sqlite3_column_int64(s, 0);
    *den = (long)sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    long n = 100000;
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            n = 10000;
        else if (!strcmp(argv[i], "--keep"))
            keep = 1;     /* leave the database for profiling */
        else {
            fprintf(stderr, "usage: bench_report [--quick] [--keep]\n");
            return 2;
        }
    }
    char dir[] = "/tmp/bench_report.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char *path = xasprintf("%s/bench.db", dir);
    diag_list d;
    diag_init(&d);
    catalog *cat = catalog_load(FORMSSRCDIR, &d);
    report_def *def = report_def_load(FORMSSRCDIR "/report.yaml", &d);
    if (!cat || !def || report_def_check(def, cat, &d)) {
        fprintf(stderr, "bench_report: cannot load the forms or report.yaml\n");
        return 1;
    }
    diag_free(&d);
    const form *hh = catalog_find(cat, "household", NULL);
    const form *cm = catalog_find(cat, "commune", NULL);

    /* Templates, made by the simulator, then read back. */
    double t0 = now_s();
    store *st = NULL;
    char *err = NULL;
    if (store_open(path, &st, &err)) {
        fprintf(stderr, "bench_report: %s\n", err);
        return 1;
    }
    sim_rng rng;
    sim_seed(&rng, 41);
    char uuid[37];
    simulate_one(st, cm, &rng, uuid);
    tmpl t[TEMPLATES];
    memset(t, 0, sizeof t);
    for (int i = 0; i < TEMPLATES; i++) {
        simulate_one(st, hh, &rng, uuid);
        store_load_answers(st, uuid, keep_answer, &t[i]);
        store_load_repeat_counts(st, uuid, keep_count, &t[i]);
        store_interview_delete(st, uuid);
    }
    store_close(st);
    copy_households(path, hh, t, n);
    for (int i = 0; i < TEMPLATES; i++)
        tmpl_free(&t[i]);
    double t_gen = now_s() - t0;

    /* Before: the report replaying every interview (two processes, as
     * the report chose them by itself). */
    report_opts o = {NULL, 1, "en", NULL, 0};
    report_result *r = NULL;
    double t_replay, c_replay;
    timed_report(path, def, cat, &o, &r, &t_replay, &c_replay);
    report_result_free(r);

    /* Every interview's figures computed once, as an upgraded database's
     * first report does. */
    t0 = now_s();
    long computed = 0, changed = 0;
    if (report_refresh(def, cat, path, NULL, NULL, &computed, &changed,
                       &err) != 0) {
        fprintf(stderr, "bench_report: %s\n", err ? err : "read-only");
        return 1;
    }
    double t_refresh = now_s() - t0;

    /* The report, as `khaosat report` makes it, from the stored figures,
     * in this process alone. */
    o.jobs = 1;
    double t_report, c_report;
    timed_report(path, def, cat, &o, &r, &t_report, &c_report);

    t0 = now_s();
    double c0 = cpu_s();
    long rows = sql_pass(path);
    double t_pass = now_s() - t0, c_pass = cpu_s() - c0;

    t0 = now_s();
    c0 = cpu_s();
    long srows = sql_stream(path);
    double t_stream = now_s() - t0, c_stream = cpu_s() - c0;

    t0 = now_s();
    long snum, sden;
    sql_rate(path, &snum, &sden);
    double t_sql = now_s() - t0;

    double num = 0, den = 0;
    long units = 0;
    /* 4.1m: households with a subscription, fixed or mobile. */
    report_figure(r, "4.1m", NULL, &num, &den, &units);
    double ratio = c_pass > 0 ? c_report / c_pass : 0;
    printf("bench_report: %ld households generated in %.2f s\n", n, t_gen);
    printf("  report replaying every interview (before): %.3f s "
           "(%.3f s CPU here)\n", t_replay, c_replay);
    printf("  figures of %ld interviews computed and stored once: %.2f s\n",
           computed, t_refresh);
    printf("  report from the stored figures (all figures, by village, "
           "text, 1 process): %.3f s, %.3f s CPU\n", t_report, c_report);
    printf("  one SQL aggregate pass over the same %ld figure rows: %.3f s, "
           "%.3f s CPU\n", rows, t_pass, c_pass);
    printf("  report / SQL pass (CPU): %.2fx (goal <= 2x: %s)\n", ratio,
           ratio <= 2 ? "met" : "NOT MET");
    printf("  the same %ld rows streamed without GROUP BY, added up in C: "
           "%.3f s, %.3f s CPU; report / that: %.2fx\n", srows, t_stream,
           c_stream, c_stream > 0 ? c_report / c_stream : 0);
    printf("  4.1m by the report: %.0f / %.0f = %.1f%%\n", num, den,
           den > 0 ? 100 * num / den : 0);
    printf("  4.1m by one SQL query of the answers: %ld / %ld = %.1f%% in "
           "%.3f s; figures %s\n", snum, sden,
           sden > 0 ? 100.0 * (double)snum / (double)sden : 0, t_sql,
           (long)num == snum && (long)den == sden ? "agree" : "DIFFER");
    int rc = (long)num == snum && (long)den == sden ? 0 : 1;
    report_result_free(r);
    report_def_free(def);
    catalog_free(cat);
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
