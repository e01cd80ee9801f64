/* bench_fill.h: what the report benchmarks share: wall and CPU clocks,
 * the SQLite step check, and one simulated, finalised interview.  Each
 * includes it once (static functions) after defining BENCH_NAME. */
#ifndef KHAOSAT_BENCH_FILL_H
#define KHAOSAT_BENCH_FILL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "session/session.h"
#include "session/simulate.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: the machine is shared, and the report
 * and the SQL pass both run here, so their ratio is one of work done. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void must(int rc, sqlite3 *db, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, BENCH_NAME ": %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

/* Fill and finalise one interview of f with the simulator; its UUID
 * into uuid. */
static void simulate_one(store *st, const form *f, sim_rng *rng, char uuid[37])
{
    session *s = NULL;
    char *err = NULL;
    if (session_new(st, f, "bench", f->default_lang, &s, &err) ||
        sim_fill(s, rng, 6) || session_finalise(s) != 0) {
        fprintf(stderr, BENCH_NAME ": simulating %s failed\n", f->id);
        exit(1);
    }
    snprintf(uuid, 37, "%s", session_uuid(s));
    session_free(s);
}

#endif
