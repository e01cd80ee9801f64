/* bench_session.c: the cost of one answered question (engine + commit) next
 * to the floor, a bare SQLite insert-and-commit of one row in a database
 * with the same settings, in the same run; and the same cost deep in a
 * roster of 500 members, which must stay flat as the roster grows; and
 * finalising a simulated household of the bundled forms with and without
 * storing what it adds to the report (report_keep_attach), the write that
 * finalising makes since the report reads stored figures.
 *
 * CPU time is reported (CLOCK_PROCESS_CPUTIME_ID): the fsync that every
 * commit makes costs the same wall time in both and depends on the disk. */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/catalog.h"
#include "core/form.h"
#include "report/report.h"
#include "session/session.h"
#include "session/simulate.h"
#include "store/store.h"
#include "core/util.h"

/* CPU seconds of this process. */
static double bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A fresh temporary database path (newly allocated). */
static char *bench_tmpdb(void)
{
    char tmpl[] = "/tmp/khaosat-bench-db-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    close(fd);
    unlink(tmpl);
    return xstrdup(tmpl);
}

/* Remove a database and its WAL files. */
static void bench_rmdb(char *path)
{
    char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
    free(wal);
    free(shm);
    free(path);
}

/* CPU seconds per insert-and-commit of one row in a bare WAL database with
 * synchronous=FULL. */
static double bench_sqlite_floor(int n)
{
    char *path = bench_tmpdb();
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t (k TEXT, q TEXT, p TEXT, v TEXT,"
                     " PRIMARY KEY (k, q, p)) WITHOUT ROWID;", NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO t VALUES ('iv', ?1, '', ?2)",
                       -1, &st, NULL);
    double t0 = bench_cpu();
    for (int i = 0; i < n; i++) {
        char q[32], v[32];
        snprintf(q, sizeof q, "q%d", i % 50);
        snprintf(v, sizeof v, "%d", i);
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    double t = bench_cpu() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    bench_rmdb(path);
    return t / n;
}

/* A form with 50 top-level integer questions (each constrained, every
 * other one relevant on the previous) and a roster of 5 questions with a
 * computed age and a count over the roster. */
static form *bench_form(void)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, "form: {id: b, version: '1', title: B, languages: [vi]}\n"
                 "questions:\n");
    for (int i = 0; i < 50; i++) {
        sbuf_addf(&b, "  - {id: q%d, type: integer, label: Q, "
                      "constraint: '. >= 0 and . <= 100000'", i);
        if (i % 2)
            sbuf_addf(&b, ", relevant: '${q%d} != 7'", i - 1);
        sbuf_add(&b, "}\n");
    }
    sbuf_add(&b, "  - id: members\n    type: repeat\n    label: M\n"
                 "    questions:\n"
                 "      - {id: name, type: text, label: N, required: true}\n"
                 "      - {id: yob, type: integer, label: Y,"
                 " constraint: '. >= 1900 and . <= 2026'}\n"
                 "      - {id: age, type: calculate, calculation: '2026 - ${yob}'}\n"
                 "      - {id: adult, type: calculate, calculation: '${age} >= 18'}\n"
                 "      - {id: phone, type: integer, label: P,"
                 " relevant: '${age} >= 15'}\n"
                 "  - {id: size, type: calculate, calculation: 'count(${name})'}\n");
    diag_list d;
    diag_init(&d);
    form *f = form_load_string(b.s, b.len, "bench.yaml", &d);
    if (!f || d.n) {
        char *m = d.n ? diag_format(&d.v[0]) : xstrdup("?");
        fprintf(stderr, "bench form: %s\n", m);
        exit(1);
    }
    diag_free(&d);
    sbuf_free(&b);
    return f;
}

/* Answer item it with v, failing the benchmark on any refusal. */
static void bench_answer(session *s, session_item it, const char *v)
{
    char *msg = NULL;
    if (session_answer(s, it, v, &msg) != INST_OK) {
        fprintf(stderr, "bench answer refused: %s\n", msg ? msg : "?");
        exit(1);
    }
    free(msg);
}

#ifndef FORMSSRCDIR
#define FORMSSRCDIR "forms"
#endif

/* CPU seconds per finalise of n simulated households, with the report's
 * figures stored at finalise (keep) or not. */
static double bench_finalise(const catalog *cat, int n, int keep)
{
    char *path = bench_tmpdb();
    store *st;
    if (store_open(path, &st, NULL)) {
        fprintf(stderr, "cannot open the bench database\n");
        exit(1);
    }
    report_keeper *k = keep ? report_keep_attach(st, cat) : NULL;
    if (keep && !k) {
        fprintf(stderr, "bench: no report definition in %s\n", FORMSSRCDIR);
        exit(1);
    }
    const form *f = catalog_find(cat, "household", NULL);
    sim_rng rng;
    sim_seed(&rng, 7);
    double spent = 0;
    for (int i = 0; i < n; i++) {
        session *s = NULL;
        if (session_new(st, f, "bench", f->default_lang, &s, NULL) ||
            sim_fill(s, &rng, 4)) {
            fprintf(stderr, "bench: simulating a household failed\n");
            exit(1);
        }
        double t0 = bench_cpu();
        if (session_finalise(s) != 0) {
            fprintf(stderr, "bench: finalising failed\n");
            exit(1);
        }
        spent += bench_cpu() - t0;
        session_free(s);
    }
    sim_free(&rng);
    report_keep_detach(st, k);
    store_close(st);
    bench_rmdb(path);
    return spent / n;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && !strcmp(argv[1], "--quick");
    int n = quick ? 200 : 2000;
    double floor = bench_sqlite_floor(n);

    form *f = bench_form();
    char *path = bench_tmpdb();
    store *st;
    if (store_open(path, &st, NULL)) {
        fprintf(stderr, "cannot open the bench database\n");
        return 1;
    }
    session *s;
    session_new(st, f, "bench", 0, &s, NULL);
    inst_frame *root = inst_root(session_inst(s));
    double t0 = bench_cpu();
    for (int i = 0; i < n; i++) {
        char q[16], v[16];
        snprintf(q, sizeof q, "q%d", i % 50);
        snprintf(v, sizeof v, "%d", i);
        session_item it = {form_find(f, q), root};
        bench_answer(s, it, v);
    }
    double per = (bench_cpu() - t0) / n;
    printf("answer (engine + commit): %.1f us CPU; bare SQLite insert+commit: "
           "%.1f us CPU; ratio %.2fx\n", per * 1e6, floor * 1e6, per / floor);

    /* The roster: time answers to the first and the last 50 members. */
    session_item roster = {form_find(f, "members"), root};
    int members = quick ? 100 : 500;
    double first = 0, last = 0;
    for (int m = 0; m < members; m++) {
        inst_frame *fr;
        session_repeat_add(s, roster, &fr);
        double a = bench_cpu();
        bench_answer(s, (session_item){form_find(f, "name"), fr}, "Nguyễn Văn An");
        bench_answer(s, (session_item){form_find(f, "yob"), fr}, "1980");
        bench_answer(s, (session_item){form_find(f, "phone"), fr}, "1");
        double t = bench_cpu() - a;
        if (m < 50)
            first += t;
        if (m >= members - 50)
            last += t;
    }
    printf("roster of %d: %.1f us CPU per answer in members 1-50, %.1f us in "
           "members %d-%d; ratio %.2fx (goal: flat, about 1x)\n",
           members, first / 150 * 1e6, last / 150 * 1e6, members - 49, members,
           last / first);
    session_free(s);
    store_close(st);
    bench_rmdb(path);
    form_free(f);

    diag_list d;
    diag_init(&d);
    catalog *cat = catalog_load(FORMSSRCDIR, &d);
    diag_free(&d);
    if (!cat) {
        fprintf(stderr, "bench: cannot load %s\n", FORMSSRCDIR);
        return 1;
    }
    int hh = quick ? 20 : 100;
    double bare = bench_finalise(cat, hh, 0), kept = bench_finalise(cat, hh, 1);
    printf("finalise a household: %.0f us CPU without the report's figures, "
           "%.0f us storing them; ratio %.2fx (%.1f bare inserts+commits)\n",
           bare * 1e6, kept * 1e6, kept / bare, (kept - bare) / floor);
    catalog_free(cat);
    return 0;
}
