/* bench_province_merge.c: the province's merge.  BENCH_COMMUNES commune bundles
 * (default 10) of BENCH_HOUSEHOLDS household interviews each (default
 * 500) with 50 answers each, written through the bundle writer as the
 * communes' offices would (compressed, format 3), merged one after the
 * other into one new province database as khaosat merge does (each
 * bundle checked whole and merged in its own transaction).  The full scale
 * of issue 16 is BENCH_COMMUNES=100 BENCH_HOUSEHOLDS=5000 (25 million
 * answers).
 *
 * Prints: the merge's time next to the floor (the same rows inserted by
 * plain SQLite in one transaction into a database of the same schema, in
 * the same run; goal within 2x); the peak memory of the merging process
 * after a quarter, half and all of the bundles (goal: flat); and a second
 * merge of the same bundles, which must change nothing (the database file
 * is the same, byte for byte) and take a small fraction of the first: each
 * file is known by the hash of its bytes, recorded at its merge. */
#include "config.h"

#include "bench_gen.h"
#include "sync/sync.h"

#define ITEMS_PER_HOUSEHOLD 50

/* A positive integer from the environment, or def. */
static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    int n = v ? atoi(v) : 0;
    return n > 0 ? n : def;
}

/* The SHA-256 of the file at path (the database after a merge). */
static void file_digest(const char *path, char out[65])
{
    size_t len = 0;
    char *d = util_read_file(path, &len);
    must(d != NULL, path, "cannot read");
    canon c;
    canon_init(&c);
    canon_field(&c, d, len);
    canon_final(&c, out);
    free(d);
}

/* A merge in the child: the clock, the marks at which peak memory is
 * printed, and the interviews changed. */
typedef struct run {
    double t0;
    int marks[3], k;
    long changed;
} run;

/* Print the time and peak memory after i bundles when i is a mark. */
static void mark(run *r, size_t i)
{
    while (r->k < 3 && (int)i == r->marks[r->k]) {
        printf("    after %3zu bundles:  %8.2f s, peak RSS %8ld kB\n", i,
               bench_now() - r->t0, peak_kb());
        r->k++;
    }
}

static void run_start(void *ctx, size_t i, size_t n, const char *path)
{
    (void)n;
    (void)path;
    mark(ctx, i);
}

static void run_done(void *ctx, const sync_bundle_result *res)
{
    run *r = ctx;
    must(res->outcome == SYNC_MERGED || res->outcome == SYNC_AGAIN,
         res->path, res->why);
    r->changed += res->counts.added + res->counts.updated;
}

/* Merge every bundle of dir into the database at db as khaosat merge
 * does (sync_merge_paths: each file checked whole, or known by its hash
 * when merged before, and merged in its own transaction), reporting the
 * time and peak memory after a quarter, half and all of them; the total
 * seconds, *changed the interviews added or updated. */
static double merge_bundles(const char *db, const char *dir, int n,
                            long *changed, double *cpu)
{
    double c0 = bench_cpu();
    store *st;
    char *err = NULL;
    must(store_open(db, &st, &err) == 0, db, err);
    run r = {bench_now(), {n / 4 > 0 ? n / 4 : 1, n / 2 > 0 ? n / 2 : 1, n},
             0, 0};
    sync_merge_hooks h = {.start = run_start, .done = run_done, .ctx = &r};
    sync_totals t;
    char *const v[1] = {(char *)dir};
    must(sync_merge_paths(st, NULL, v, 1, SYNC_ALLOW_UNSIGNED, &h, &t) == 0,
         "merge", dir);
    mark(&r, (size_t)n);
    double secs = bench_now() - r.t0;
    store_close(st);
    *cpu = bench_cpu() - c0;
    *changed = r.changed;
    return secs;
}

/* Run merge_bundles on the bundles of dir in a new process (its memory
 * is the merge's alone); the seconds, *changed and *cpu from the child. */
static double merge_in_child(const char *db, const char *dir, long *changed,
                             double *cpu)
{
    char buf[64];
    char *argv[] = {"bench_province_merge", "--merge", (char *)db, (char *)dir,
                    NULL};
    bench_child(argv, buf, sizeof buf);
    double t = 0;
    must(sscanf(buf, "%lf %ld %lf", &t, changed, cpu) == 3, "merge", buf);
    return t;
}

/* --merge DB DIR: merge every bundle of DIR into DB, the seconds and
 * the interviews changed to descriptor 3. */
static int child_main(char **argv)
{
    int n;
    char **v = list_bundles(argv[3], &n);
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
    long changed;
    double cpu;
    double t = merge_bundles(argv[2], argv[3], n, &changed, &cpu);
    fflush(stdout);
    dprintf(3, "%.6f %ld %.6f\n", t, changed, cpu);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--merge") == 0)
        return child_main(argv);
    int communes = env_int("BENCH_COMMUNES", 10);
    int households = env_int("BENCH_HOUSEHOLDS", 500);
    size_t form_len;
    char *form = bench_office_form(&form_len);
    char tmpl[] = "/tmp/khaosat-bench-provmerge-XXXXXX";
    must(mkdtemp(tmpl) != NULL, "mkdtemp", NULL);
    char *dir = xasprintf("%s/communes", tmpl);
    char *db = xasprintf("%s/province.db", tmpl);
    char *fl = xasprintf("%s/floor.db", tmpl);
    char *mk = xasprintf("mkdir -p '%s'", dir);
    must(system(mk) == 0, mk, NULL);
    gen *g = xcalloc(1, sizeof *g);
    g->per_bundle = households;
    g->items = ITEMS_PER_HOUSEHOLD;
    long n = (long)communes * households;
    printf("bench_province_merge: %d communes x %d households x %d answers = "
           "%ld answers (BENCH_COMMUNES, BENCH_HOUSEHOLDS)\n", communes,
           households, ITEMS_PER_HOUSEHOLD, n * ITEMS_PER_HOUSEHOLD);
    double t = bench_now();
    for (int b = 0; b < communes; b++)
        write_bundle(dir, b, form, form_len, g);
    printf("  writing the bundles:  %8.2f s\n", bench_now() - t);
    int have;
    char **v = list_bundles(dir, &have);
    long long bytes = 0;
    for (int i = 0; i < have; i++) {
        size_t len = 0;
        char *d = util_read_file(v[i], &len);
        bytes += (long long)len;
        free(d);
    }
    printf("  bundles: %lld bytes, %.0f per household\n", bytes,
           (double)bytes / n);
    double fl_cpu;
    double fl_t = floor_insert(fl, communes, form, form_len, g, &fl_cpu);
    store_close(fresh_store(db));
    long changed = 0;
    printf("  first merge into a new province database:\n");
    double c1, c2;
    double m1 = merge_in_child(db, dir, &changed, &c1);
    must(changed == n, "merge", "not every interview was added");
    printf("  merge:                %8.2f s, %.2f s CPU  (%.0f interviews/s)"
           "\n", m1, c1, n / m1);
    printf("  floor (same rows, plain SQLite, one transaction): %.2f s, "
           "%.2f s CPU\n", fl_t, fl_cpu);
    printf("  ratio merge / floor:  %8.2f   (goal <= 2); of CPU time %.2f\n",
           m1 / fl_t, c1 / fl_cpu);
    char before[65], after[65];
    file_digest(db, before);
    printf("  second merge of the same bundles:\n");
    double m2 = merge_in_child(db, dir, &changed, &c2);
    file_digest(db, after);
    printf("  second merge:         %8.2f s, %.2f s CPU  (%.3f of the first), "
           "%ld interviews changed, database %s\n", m2, c2, m2 / m1, changed,
           strcmp(before, after) == 0 ? "unchanged byte for byte"
                                      : "CHANGED");
    for (int i = 0; i < have; i++)
        free(v[i]);
    free(v);
    bench_rmdir("bench_province_merge", tmpl);
    free(mk);
    free(g);
    free(form);
    free(dir);
    free(db);
    free(fl);
    return 0;
}
