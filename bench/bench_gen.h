/* bench_gen.h: what the merge benchmarks share: clocks, generated
 * household interviews written straight through the bundle writer, the
 * floor (the same rows inserted by plain SQLite in one transaction), and
 * peak memory.  Included by one bench program each (static functions). */
#ifndef KHAOSAT_BENCH_GEN_H
#define KHAOSAT_BENCH_GEN_H

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sync/bundle_int.h"   /* tests and benches reach the plain writer */
#include "store/revision.h"
#include "store/store.h"
#include "store/store_int.h"
#include "core/util.h"

#define GEN_ITEMS_MAX 100
#define FORM_ID "household"
#define FORM_VERSION "2026.1"

/* Seconds on the monotonic clock. */
static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of this process (user + system): unlike wall time, it does
 * not depend on how long the disk takes to sync. */
static double bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Exit with a message when ok says failure.  A macro, so that the
 * message (often set by the call in ok) is read after that call. */
#define must(ok, what, why) \
    do { \
        int ok_ = (ok); \
        must_(ok_, what, why); \
    } while (0)

static void must_(int ok, const char *what, const char *why)
{
    if (!ok) {
        fprintf(stderr, "bench_merge: %s: %s\n", what, why ? why : "failed");
        exit(1);
    }
}

/* One generated interview: its items in canonical order and revision. */
typedef struct gen {
    char uuid[37], device[37], rev[65];
    char qid[GEN_ITEMS_MAX][8], path[GEN_ITEMS_MAX][24];
    char value[GEN_ITEMS_MAX][16];
    int order[GEN_ITEMS_MAX];
    int per_bundle, items;    /* interviews per bundle, items of each */
} gen;

static gen *sort_ctx;

static int item_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return rev_item_cmp(sort_ctx->qid[x], sort_ctx->path[x],
                        sort_ctx->qid[y], sort_ctx->path[y]);
}

/* Interview i of bundle b (g->items items): unique keys (village,
 * hh_no), a roster of three members, the rest top-level answers. */
static void generate(gen *g, int b, int i)
{
    snprintf(g->uuid, sizeof g->uuid, "%08x-%04x-4000-8000-%012x",
             (unsigned)b & 0xffffffffu, (unsigned)i & 0xffffu,
             (unsigned)(b * 100000 + i) & 0xffffffffu);
    snprintf(g->device, sizeof g->device, "%08x-0000-4000-8000-000000000000",
             (unsigned)b);
    unsigned x = (unsigned)(b * 7919 + i * 104729);
    int n = 0;
    snprintf(g->qid[n], 8, "village");
    snprintf(g->value[n++], 16, "%02d", b / 8 % 26 + 1);
    snprintf(g->qid[n], 8, "hh_no");
    snprintf(g->value[n++], 16, "%d", b % 8 * g->per_bundle + i + 1);
    snprintf(g->path[n], 24, "members");
    snprintf(g->value[n++], 16, "3");
    for (int m = 1; m <= 3; m++)
        for (int k = 0; k < 3; k++) {
            snprintf(g->qid[n], 8, "m_%c", 'a' + k);
            snprintf(g->path[n], 24, "members[%d]", m);
            snprintf(g->value[n++], 16, "%u", (x = x * 1103515245 + 12345)
                     % 1000);
        }
    for (int k = 0; n < g->items; k++) {
        snprintf(g->qid[n], 8, "q%03u", (unsigned)k % 1000u);
        snprintf(g->value[n++], 16, "%u", (x = x * 1103515245 + 12345)
                 % 100000);
    }
    for (int k = 0; k < g->items; k++) {
        if (k < 2 || k >= 12)
            g->path[k][0] = '\0';
        if (k == 2)
            g->qid[k][0] = '\0';
        g->order[k] = k;
    }
    sort_ctx = g;
    qsort(g->order, (size_t)g->items, sizeof *g->order, item_cmp);
    rev_meta m = {g->uuid, FORM_ID, FORM_VERSION, "complete", NULL, NULL};
    rev_hasher h;
    rev_hash_begin(&h, &m);
    for (int k = 0; k < g->items; k++) {
        int j = g->order[k];
        rev_hash_item(&h, g->qid[j], g->path[j], g->value[j]);
    }
    rev_hash_end(&h, g->rev, NULL);
}

static const char *const T0 = "2026-05-01T08:00:00Z";
static const char *const T0MS = "2026-05-01T08:00:00.000Z";

/* Write bundle b into dir. */
static void write_bundle(const char *dir, int b, const char *form,
                         size_t form_len, gen *g)
{
    bundle_writer *w;
    char *err = NULL, *path = NULL;
    must(bundle_writer_open(dir, &w, &err) == 0, "writer", err);
    must(bundle_writer_form(w, FORM_ID, FORM_VERSION, form, form_len) == 0,
         "form", bundle_writer_errmsg(w));
    for (int i = 0; i < g->per_bundle; i++) {
        generate(g, b, i);
        bundle_iv iv = {g->uuid, FORM_ID, FORM_VERSION, "complete", "bench",
                        g->device, T0, T0, g->rev};
        bundle_rev r = {g->uuid, g->rev, NULL, NULL, "complete", g->device,
                        "bench", T0MS};
        bundle_audit a1 = {g->uuid, g->device, 2 * i + 1, T0MS, "create",
                           NULL, NULL, NULL, "draft"};
        bundle_audit a2 = {g->uuid, g->device, 2 * i + 2, T0MS, "status",
                           NULL, NULL, "draft", "complete"};
        int ok = bundle_writer_interview(w, &iv) == 0
            && bundle_writer_revision(w, &r) == 0
            && bundle_writer_audit(w, &a1) == 0
            && bundle_writer_audit(w, &a2) == 0;
        for (int k = 0; ok && k < g->items; k++)
            ok = bundle_writer_item(w, g->uuid, g->rev, g->qid[k],
                                    g->path[k], g->value[k]) == 0;
        must(ok, "writing", bundle_writer_errmsg(w));
    }
    bundle_manifest m = {0};
    m.device = xstrdup(g->device);
    m.enumerator = xstrdup("bench");
    m.commune = xstrdup("bench");
    must(bundle_writer_commit(w, &m, &path, &err) == 0, "commit", err);
    bundle_manifest_clear(&m);
    free(path);
}

/* A fresh store at path (removing an old one). */
/* The form every database of the bench keeps (the office's own form:
 * bundles of forms it does not keep are held aside). */
static const char *office_form;
static size_t office_form_len;

static store *fresh_store(const char *path)
{
    char *cmd = xasprintf("rm -f '%s' '%s-wal' '%s-shm'", path, path, path);
    if (system(cmd) != 0)
        exit(1);
    free(cmd);
    store *st;
    char *err = NULL;
    must(store_open(path, &st, &err) == 0, path, err);
    if (office_form)
        must(store_save_form(st, FORM_ID, FORM_VERSION, office_form,
                             office_form_len, NULL) == 0, path,
             store_errmsg(st));
    return st;
}

/* Prepare or die. */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    must(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, sql,
         sqlite3_errmsg(db));
    return s;
}

/* Bind strings and step; die on failure. */
static void put(sqlite3 *db, sqlite3_stmt *s, int n, const char *const *v)
{
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
    must(sqlite3_step(s) == SQLITE_DONE, "floor insert", sqlite3_errmsg(db));
    sqlite3_reset(s);
}

/* The floor: every row the merge stores, inserted by plain SQLite in one
 * transaction into a database with the same schema and settings. */
static double floor_insert(const char *path, int bundles, const char *form,
                           size_t form_len, gen *g, double *cpu)
{
    store *st = fresh_store(path);
    sqlite3 *db = store_sqlite(st);
    must(store_save_form(st, FORM_ID, FORM_VERSION, form, form_len, NULL)
         == 0, "form", store_errmsg(st));
    double t = bench_now(), c0 = bench_cpu();
    must(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK,
         "begin", sqlite3_errmsg(db));
    sqlite3_stmt *iv = prep(db, "INSERT INTO interviews (uuid, form_id,"
        " form_version, status, enumerator, device_id, created, updated,"
        " head) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    sqlite3_stmt *rv = prep(db, "INSERT INTO revisions (id, interview,"
        " status, device, enumerator, created, content, bundle)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    sqlite3_stmt *it = prep(db, "INSERT INTO revision_items VALUES"
                            " (?1, ?2, ?3, ?4)");
    sqlite3_stmt *an = prep(db, "INSERT INTO answers VALUES (?1, ?2, ?3, ?4)");
    sqlite3_stmt *rc = prep(db, "INSERT INTO repeat_counts VALUES (?1, ?2,"
                            " ?3)");
    sqlite3_stmt *au = prep(db, "INSERT INTO audit (interview, time, event,"
        " old_value, new_value, origin, origin_seq) VALUES (?1, ?2, ?3, ?4,"
        " ?5, ?6, ?7)");
    sqlite3_stmt *ck = prep(db, "INSERT INTO case_keys VALUES (?1, ?2, ?3,"
                            " ?4)");
    for (int b = 0; b < bundles; b++)
        for (int i = 0; i < g->per_bundle; i++) {
            generate(g, b, i);
            const char *v[9] = {g->uuid, FORM_ID, FORM_VERSION, "complete",
                                "bench", g->device, T0, T0, g->rev};
            put(db, iv, 9, v);
            const char *r[8] = {g->rev, g->uuid, "complete", g->device,
                                "bench", T0MS, g->rev, g->device};
            put(db, rv, 8, r);
            for (int k = 0; k < g->items; k++) {
                const char *x[4] = {g->rev, g->qid[k], g->path[k],
                                    g->value[k]};
                put(db, it, 4, x);
                const char *y[4] = {g->uuid, g->qid[k], g->path[k],
                                    g->value[k]};
                put(db, *g->qid[k] ? an : rc, *g->qid[k] ? 4 : 3,
                    *g->qid[k] ? y : (const char *[]){g->uuid, g->path[k],
                                                       g->value[k]});
            }
            for (int k = 1; k <= 2; k++) {
                char seq[16];
                snprintf(seq, sizeof seq, "%d", 2 * i + k);
                const char *a[7] = {g->uuid, T0MS, k == 1 ? "create"
                                    : "status", k == 1 ? NULL : "draft",
                                    k == 1 ? "draft" : "complete", g->device,
                                    seq};
                put(db, au, 7, a);
            }
            const char *c[4] = {g->uuid, FORM_ID, g->value[0], g->rev};
            put(db, ck, 4, c);
        }
    must(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK, "commit",
         sqlite3_errmsg(db));
    t = bench_now() - t;
    *cpu = bench_cpu() - c0;
    sqlite3_stmt *all[] = {iv, rv, it, an, rc, au, ck};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        sqlite3_finalize(all[i]);
    store_close(st);
    return t;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bundle files of dir, sorted; *n their number. */
static char **list_bundles(const char *dir, int *n)
{
    DIR *d = opendir(dir);
    must(d != NULL, dir, "cannot read");
    char **v = NULL;
    struct dirent *e;
    *n = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, BUNDLE_EXT) || e->d_name[0] == '.')
            continue;
        v = xrealloc(v, (*n + 1) * sizeof *v);
        v[(*n)++] = xasprintf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(v, *n, sizeof *v, name_cmp);
    return v;
}

/* Peak resident memory of this process so far, in kB (VmHWM). */
static long peak_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* Read the household form every database of the bench keeps into
 * office_form (newly allocated: the caller frees it). */
static char *bench_office_form(size_t *len)
{
    char *form = util_read_file(SRCFORMSDIR "/household.yaml", len);
    must(form != NULL, SRCFORMSDIR "/household.yaml", "cannot read");
    office_form = form;
    office_form_len = *len;
    return form;
}

/* Run this program again as argv (argv[0] its name) in a new process,
 * whose memory is then its own; the one line it writes to descriptor 3
 * goes to buf (n bytes).  Exits when it fails. */
static void bench_child(char *const argv[], char *buf, size_t n)
{
    int fd[2];
    must(pipe(fd) == 0, "pipe", NULL);
    fflush(stdout);
    pid_t pid = fork();
    must(pid >= 0, "fork", NULL);
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 3);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "r");
    if (!f || !fgets(buf, (int)n, f))
        buf[0] = '\0';
    if (f)
        fclose(f);
    int status;
    must(waitpid(pid, &status, 0) == pid && WIFEXITED(status)
         && WEXITSTATUS(status) == 0, argv[0], "the child process failed");
}

/* Remove the bench's directory tmpl and everything in it. */
static void bench_rmdir(const char *prog, const char *tmpl)
{
    char *rm = xasprintf("rm -rf '%s'", tmpl);
    if (system(rm) != 0)
        fprintf(stderr, "%s: could not remove %s\n", prog, tmpl);
    free(rm);
}

#endif
