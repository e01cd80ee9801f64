/* bench_session.c: the cost of one answered question (engine + commit) next
 * to the floor, a bare SQLite insert-and-commit of one row in a database
 * with the same settings, in the same run; and the same cost deep in a
 * roster of 500 members, which must stay flat as the roster grows; adding
 * a member to a household of 40 questions a member, at 10 members and at
 * 50 (flat: an addition reads its own member only); and
 * finalising a simulated household of the bundled forms with and without
 * storing what it adds to the report (report_keep_attach), the write that
 * finalising makes since the report reads stored figures.
 *
 * CPU time is reported (CLOCK_PROCESS_CPUTIME_ID): the fsync that every
 * commit makes costs the same wall time in both and depends on the disk.
 * The floor and the answers run in turns of 50, so that a shared machine's
 * changing load falls on both alike. */
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

/* The floor: a bare WAL database with synchronous=FULL (the settings of
 * store_open) and one prepared statement inserting a row; BEGIN and COMMIT
 * run through sqlite3_exec (the floor of the first measurements) or, with
 * prepared, are prepared once as the store's are (the stricter floor). */
typedef struct {
    char *path;
    sqlite3 *db;
    sqlite3_stmt *st, *begin, *commit;
    int prepared;
    int i;
} bench_floor;

static void bench_floor_open(bench_floor *fl, int prepared)
{
    fl->path = bench_tmpdb();
    fl->prepared = prepared;
    fl->i = 0;
    sqlite3_open(fl->path, &fl->db);
    sqlite3_exec(fl->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE t (k TEXT, q TEXT, p TEXT, v TEXT,"
                 " PRIMARY KEY (k, q, p)) WITHOUT ROWID;", NULL, NULL, NULL);
    sqlite3_prepare_v2(fl->db, "INSERT OR REPLACE INTO t VALUES ('iv', ?1,"
                       " '', ?2)", -1, &fl->st, NULL);
    sqlite3_prepare_v2(fl->db, "BEGIN IMMEDIATE", -1, &fl->begin, NULL);
    sqlite3_prepare_v2(fl->db, "COMMIT", -1, &fl->commit, NULL);
}

/* CPU seconds spent on n more insert-and-commits of one row. */
static double bench_floor_run(bench_floor *fl, int n)
{
    double t0 = bench_cpu();
    for (int k = 0; k < n; k++, fl->i++) {
        char q[32], v[32];
        snprintf(q, sizeof q, "q%d", fl->i % 50);
        snprintf(v, sizeof v, "%d", fl->i);
        if (fl->prepared) {
            sqlite3_step(fl->begin);
            sqlite3_reset(fl->begin);
        } else {
            sqlite3_exec(fl->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        }
        sqlite3_bind_text(fl->st, 1, q, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(fl->st, 2, v, -1, SQLITE_TRANSIENT);
        sqlite3_step(fl->st);
        sqlite3_reset(fl->st);
        if (fl->prepared) {
            sqlite3_step(fl->commit);
            sqlite3_reset(fl->commit);
        } else {
            sqlite3_exec(fl->db, "COMMIT", NULL, NULL, NULL);
        }
    }
    return bench_cpu() - t0;
}

static void bench_floor_close(bench_floor *fl)
{
    sqlite3_finalize(fl->st);
    sqlite3_finalize(fl->begin);
    sqlite3_finalize(fl->commit);
    sqlite3_close(fl->db);
    bench_rmdb(fl->path);
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

/* A database where simulated households are finalised, with the report's
 * figures stored at finalise (k) or not. */
typedef struct {
    char *path;
    store *st;
    report_keeper *k;
    sim_rng rng;
    double spent;     /* CPU seconds in session_finalise */
} bench_fin;

static void bench_fin_open(bench_fin *b, const catalog *cat, int keep)
{
    b->path = bench_tmpdb();
    b->spent = 0;
    if (store_open(b->path, &b->st, NULL)) {
        fprintf(stderr, "cannot open the bench database\n");
        exit(1);
    }
    b->k = keep ? report_keep_attach(b->st, cat) : NULL;
    if (keep && !b->k) {
        fprintf(stderr, "bench: no report definition in %s\n", FORMSSRCDIR);
        exit(1);
    }
    sim_seed(&b->rng, 7);
}

/* Simulate one household of f and finalise it, timing the finalise. */
static void bench_fin_one(bench_fin *b, const form *f)
{
    session *s = NULL;
    if (session_new(b->st, f, "bench", f->default_lang, &s, NULL) ||
        sim_fill(s, &b->rng, 4)) {
        fprintf(stderr, "bench: simulating a household failed\n");
        exit(1);
    }
    double t0 = bench_cpu();
    if (session_finalise(s) != 0) {
        fprintf(stderr, "bench: finalising failed\n");
        exit(1);
    }
    b->spent += bench_cpu() - t0;
    session_free(s);
}

static void bench_fin_close(bench_fin *b)
{
    sim_free(&b->rng);
    report_keep_detach(b->st, b->k);
    store_close(b->st);
    bench_rmdb(b->path);
}


/* A form whose roster asks 40 questions of each member (integers, every
 * fourth a text). */
static form *bench_wide_form(void)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, "form: {id: w, version: '1', title: W, languages: [vi]}\n"
                 "questions:\n  - {id: head, type: text, label: H}\n"
                 "  - id: members\n    type: repeat\n    label: M\n"
                 "    questions:\n");
    for (int i = 0; i < 40; i++)
        sbuf_addf(&b, "      - {id: m%d, type: %s, label: Q}\n", i,
                  i % 4 ? "integer" : "text");
    diag_list d;
    diag_init(&d);
    form *f = form_load_string(b.s, b.len, "wide.yaml", &d);
    if (!f || d.n) {
        fprintf(stderr, "bench wide form does not load\n");
        exit(1);
    }
    diag_free(&d);
    sbuf_free(&b);
    return f;
}

/* A household growing to 50 members of 40 answered questions each: the
 * CPU of adding the members around the 10th (6-15) and the last ten
 * (41-50), against a bare answer (insert+commit, prepared) taken in turns
 * with each addition.  Flat when an addition reads only its own member. */
static void bench_roster_growth(void)
{
    form *f = bench_wide_form();
    char *path = bench_tmpdb();
    store *st;
    session *s;
    if (store_open(path, &st, NULL) || session_new(st, f, "b", 0, &s, NULL)) {
        fprintf(stderr, "cannot open the bench database\n");
        exit(1);
    }
    session_item roster = {form_find(f, "members"),
                           inst_root(session_inst(s))};
    bench_floor fl;
    bench_floor_open(&fl, 1);
    double at10 = 0, at50 = 0, floor10 = 0, floor50 = 0;
    for (int m = 0; m < 50; m++) {
        inst_frame *fr;
        double a = bench_cpu();
        if (session_repeat_add(s, roster, &fr)) {
            fprintf(stderr, "bench: %s\n", session_errmsg(s));
            exit(1);
        }
        double t = bench_cpu() - a, bare = bench_floor_run(&fl, 1);
        if (m >= 5 && m < 15) {
            at10 += t;
            floor10 += bare;
        } else if (m >= 40) {
            at50 += t;
            floor50 += bare;
        }
        for (int q = 0; q < 40; q++) {
            char id[16];
            snprintf(id, sizeof id, "m%d", q);
            bench_answer(s, (session_item){form_find(f, id), fr},
                         q % 4 ? "1990" : "Trần Thị Bình");
        }
    }
    bench_floor_close(&fl);
    printf("roster growth (40 answered questions a member): adding a member "
           "at 10 members %.0f us CPU (%.1f bare answers), at 50 members "
           "%.0f us (%.1f bare answers); ratio %.2fx (goal: flat, about 1x)\n",
           at10 / 10 * 1e6, at10 / floor10, at50 / 10 * 1e6, at50 / floor50,
           at50 / at10);
    session_free(s);
    store_close(st);
    bench_rmdb(path);
    form_free(f);
}

/* CPU seconds spent on n more answers to the top-level questions, from
 * answer number *i on. */
static double bench_answers(session *s, const form *f, int *i, int n)
{
    inst_frame *root = inst_root(session_inst(s));
    double t0 = bench_cpu();
    for (int k = 0; k < n; k++, (*i)++) {
        char q[16], v[16];
        snprintf(q, sizeof q, "q%d", *i % 50);
        snprintf(v, sizeof v, "%d", *i);
        session_item it = {form_find(f, q), root};
        bench_answer(s, it, v);
    }
    return bench_cpu() - t0;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && !strcmp(argv[1], "--quick");
    int n = quick ? 200 : 2000;

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
    /* The floors and the answers in turns of 50, so that all see the same
     * load of a shared machine. */
    bench_floor fl, flp;
    bench_floor_open(&fl, 0);
    bench_floor_open(&flp, 1);
    double floor = 0, floorp = 0, per = 0;
    for (int i = 0; i < n;) {
        floor += bench_floor_run(&fl, 50);
        floorp += bench_floor_run(&flp, 50);
        per += bench_answers(s, f, &i, 50);
    }
    bench_floor_close(&fl);
    bench_floor_close(&flp);
    floor /= n;
    floorp /= n;
    per /= n;
    printf("answer (engine + commit): %.1f us CPU; bare SQLite insert+commit: "
           "%.1f us CPU; ratio %.2fx\n", per * 1e6, floor * 1e6, per / floor);
    printf("the same floor with BEGIN and COMMIT prepared once: %.1f us CPU; "
           "ratio %.2fx\n", floorp * 1e6, per / floorp);

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
    bench_roster_growth();

    diag_list d;
    diag_init(&d);
    catalog *cat = catalog_load(FORMSSRCDIR, &d);
    diag_free(&d);
    if (!cat) {
        fprintf(stderr, "bench: cannot load %s\n", FORMSSRCDIR);
        return 1;
    }
    int hh = quick ? 20 : 100;
    /* The same households (one seed) in two databases, in turns. */
    const form *hf = catalog_find(cat, "household", NULL);
    bench_fin without, with;
    bench_fin_open(&without, cat, 0);
    bench_fin_open(&with, cat, 1);
    for (int i = 0; i < hh; i++) {
        bench_fin_one(&without, hf);
        bench_fin_one(&with, hf);
    }
    double bare = without.spent / hh, kept = with.spent / hh;
    bench_fin_close(&without);
    bench_fin_close(&with);
    printf("finalise a household: %.0f us CPU without the report's figures, "
           "%.0f us storing them; ratio %.2fx (%.1f bare inserts+commits)\n",
           bare * 1e6, kept * 1e6, kept / bare, (kept - bare) / floor);
    catalog_free(cat);
    return 0;
}
