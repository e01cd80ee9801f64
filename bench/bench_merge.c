/* bench_merge.c: merging sync bundles next to the floor, the same rows
 * inserted by plain SQLite in one transaction in the same run; exporting
 * the merged interviews; and the peak memory of a merge, which must stay
 * flat as the number of bundles grows.
 *
 * Data is generated straight through the bundle writer: BUNDLES bundles of
 * 50 household interviews with 100 items each (about a million answers at
 * the full size).  --quick: 20 bundles.  Wall time is reported: both sides
 * write the same database with the same settings.
 *
 * Then sealed against plain: the merged interviews exported as one plain
 * and one sealed bundle (encrypted for an office, signed), and each merged
 * into a copy of the same empty office database, best of five runs each
 * (goal: under 10% overhead).
 *
 * Then history: one interview whose history is a chain of 1000, 2000 and
 * 4000 revisions in uneven diamonds (tests/diamond.h), merged from two
 * bundles with different tips so the second is a three-way merge; the
 * time per revision must stay flat (the ancestor search is linear).
 * --history: this series alone. */
#include "config.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sync/bundle_int.h"   /* tests and benches reach the plain reader */
#include "sync/envelope.h"
#include "sync/keys.h"
#include "sync/merge.h"
#include "store/revision.h"
#include "store/store.h"
#include "store/store_int.h"
#include "core/util.h"
#include "../tests/diamond.h"
#include "bench_gen.h"

#define PER_BUNDLE 50
#define ITEMS 100


/* Merge the first n bundles of dir into a fresh database at path. */
static double merge_all(const char *path, const char *dir, int n,
                        long *added, double *cpu)
{
    int have;
    char **v = list_bundles(dir, &have);
    store *st = fresh_store(path);
    merger *m = merger_new(st);
    double t = bench_now(), c0 = bench_cpu();
    *added = 0;
    for (int i = 0; i < have; i++) {
        if (i < n) {
            bundle *b;
            char *err = NULL;
            merge_counts c;
            must(bundle_open(v[i], &b, &err) == 0, "verify", err);
            must(merger_run(m, b, NULL, NULL, &c, &err) == 0, "merge", err);
            *added += c.added;
            bundle_close(b);
        }
        free(v[i]);
    }
    t = bench_now() - t;
    *cpu = bench_cpu() - c0;
    free(v);
    merger_free(m);
    store_close(st);
    return t;
}

/* Time to verify (open) every bundle of dir, merging nothing. */
static double verify_all(const char *dir)
{
    int have;
    char **v = list_bundles(dir, &have);
    double t = bench_now();
    for (int i = 0; i < have; i++) {
        bundle *b;
        char *err = NULL;
        must(bundle_open(v[i], &b, &err) == 0, "verify", err);
        bundle_close(b);
        free(v[i]);
    }
    free(v);
    return bench_now() - t;
}

/* Export every interview of st into dir (emptied first), sealed or not as
 * expected; the seconds taken and the bundle. */
static double time_export(store *st, const char *dir, int sealed,
                          char **path, double *cpu)
{
    char *rm = xasprintf("rm -f '%s'/*", dir);
    must(system(rm) == 0, rm, NULL);
    free(rm);
    char fpr[KEYS_FPR_SIZE], *err = NULL;
    long count, reviews;
    double t = bench_now(), c = bench_cpu();
    int rc = envelope_export(st, dir, BUNDLE_EXPORT_ALL, path, &count,
                             &reviews, fpr, &err);
    must(rc == 0, "export", err);
    t = bench_now() - t;
    *cpu = bench_cpu() - c;
    must((*fpr != '\0') == sealed, "export", "sealed when it should not be,"
         " or the other way round");
    return t;
}

/* Merge bundle into a fresh copy of the office database template. */
static double time_merge(const char *tmpl_db, const char *db,
                         const char *bundle_path, long want, double *cpu)
{
    char *cp = xasprintf("rm -f '%s'*; cp '%s' '%s'", db, tmpl_db, db);
    must(system(cp) == 0, cp, NULL);
    free(cp);
    store *st;
    char *err = NULL;
    must(store_open(db, &st, &err) == 0, db, err);
    merger *m = merger_new(st);
    double t = bench_now(), c0 = bench_cpu();
    bundle *b;
    merge_counts c;
    must(envelope_open(st, bundle_path, ENVELOPE_ALLOW_UNSIGNED, &b, NULL,
                       &err) == 0, "open", err);
    must(merger_run(m, b, NULL, NULL, &c, &err) == 0, "merge", err);
    t = bench_now() - t;
    *cpu = bench_cpu() - c0;
    must(c.added == want, "merge", "not every interview was added");
    bundle_close(b);
    merger_free(m);
    store_close(st);
    return t;
}

/* st trusts the office of a new template database, which accepts st. */
static void make_office(store *st, const char *tmpl_db)
{
    store *off = fresh_store(tmpl_db);
    keys_self a, b;
    keys_card ca, cb;
    char *err = NULL;
    must(keys_self_get(st, 1, &a, &err) == 0, "keys", err);
    must(keys_self_get(off, 1, &b, &err) == 0, "keys", err);
    char *ta = keys_card_text(&a), *tb = keys_card_text(&b);
    must(keys_card_parse("a", ta, strlen(ta), &ca, &err) == 0, "card", err);
    must(keys_card_parse("b", tb, strlen(tb), &cb, &err) == 0, "card", err);
    must(keys_trust(st, &cb, "upstream", &err) == 0, "trust", err);
    must(keys_trust(off, &ca, "accept", &err) == 0, "trust", err);
    free(ta);
    free(tb);
    keys_card_clear(&ca);
    keys_card_clear(&cb);
    keys_self_clear(&a);
    keys_self_clear(&b);
    store_close(off);
}

/* The sealing step alone (no export): bp sealed again by st's keys for
 * its upstream; and opening (checking, decrypting, verifying) against
 * opening the plain bundle, in the office template. */
static void crypto_alone(store *st, const char *off, const char *bp,
                         const char *bs, const char *dir)
{
    keys_self self;
    keys_trusted to;
    bundle *b;
    char *err = NULL, *path = NULL;
    must(keys_self_get(st, 0, &self, &err) == 0, "keys", err);
    must(keys_upstream(st, &to, &err) == 0, "keys", err);
    must(bundle_open(bp, &b, &err) == 0, "open", err);
    double seal = 1e9, po = 1e9, so = 1e9;
    for (int i = 0; i < 5; i++) {
        double t = bench_now();
        must(envelope_seal(&self, &to.card, bp, bundle_get_manifest(b), dir,
                           &path, &err) == 0, "seal", err);
        t = bench_now() - t;
        seal = t < seal ? t : seal;
        unlink(path);
        free(path);
    }
    bundle_close(b);
    store *o;
    must(store_open(off, &o, &err) == 0, off, err);
    for (int i = 0; i < 5; i++) {
        double t = bench_now();
        must(envelope_open(o, bp, ENVELOPE_ALLOW_UNSIGNED, &b, NULL, &err)
             == 0, "open", err);
        t = bench_now() - t;
        po = t < po ? t : po;
        bundle_close(b);
        t = bench_now();
        must(envelope_open(o, bs, 0, &b, NULL, &err) == 0, "open", err);
        t = bench_now() - t;
        so = t < so ? t : so;
        bundle_close(b);
    }
    store_close(o);
    printf("    sealing step alone:           %8.3f s\n", seal);
    printf("    open+verify plain / sealed:   %8.3f s / %.3f s  (+%.3f s "
           "for signature and decryption)\n", po, so, so - po);
    keys_self_clear(&self);
    keys_trusted_clear(&to);
}

/* Sealed against plain bundles of the same interviews. */
static void sealed_vs_plain(const char *db, const char *tmpl, long n)
{
    char *dir_p = xasprintf("%s/plain", tmpl), *dir_s = xasprintf("%s/sealed",
                                                                  tmpl);
    char *off = xasprintf("%s/office-template.db", tmpl);
    char *run = xasprintf("%s/office-run.db", tmpl);
    char *mk = xasprintf("mkdir -p '%s' '%s'", dir_p, dir_s);
    must(system(mk) == 0, mk, NULL);
    store *st;
    char *err = NULL, *bp = NULL, *bs = NULL;
    must(store_open(db, &st, &err) == 0, db, err);
    /* Best of five, wall and CPU time each. */
    double ep = 1e9, es = 1e9, mp = 1e9, ms = 1e9, c, cpu[4] = {1e9, 1e9, 1e9, 1e9};
    for (int i = 0; i < 5; i++) {
        /* Plain first: no upstream yet on the first round. */
        if (i == 0) {
            double t = time_export(st, dir_p, 0, &bp, &c);
            ep = t < ep ? t : ep;
            cpu[0] = c < cpu[0] ? c : cpu[0];
            make_office(st, off);
        } else {
            /* Plain again, by setting the upstream aside for a moment. */
            must(sqlite3_exec(store_sqlite(st), "UPDATE trusted SET purpose"
                              " = 'accept'", NULL, NULL, NULL) == SQLITE_OK,
                 "bench", "hiding the upstream");
            free(bp);
            double t = time_export(st, dir_p, 0, &bp, &c);
            ep = t < ep ? t : ep;
            cpu[0] = c < cpu[0] ? c : cpu[0];
            must(sqlite3_exec(store_sqlite(st), "UPDATE trusted SET purpose"
                              " = 'upstream'", NULL, NULL, NULL) == SQLITE_OK,
                 "bench", "restoring the upstream");
        }
        free(bs);
        double t = time_export(st, dir_s, 1, &bs, &c);
        es = t < es ? t : es;
        cpu[1] = c < cpu[1] ? c : cpu[1];
    }
    for (int i = 0; i < 5; i++) {
        double t = time_merge(off, run, bp, n, &c);
        mp = t < mp ? t : mp;
        cpu[2] = c < cpu[2] ? c : cpu[2];
        t = time_merge(off, run, bs, n, &c);
        ms = t < ms ? t : ms;
        cpu[3] = c < cpu[3] ? c : cpu[3];
    }
    printf("  sealed vs plain, %ld interviews in one bundle (best of 5):\n",
           n);
    printf("    export plain / sealed, wall:  %8.2f s / %.2f s  (%+.1f%%)\n",
           ep, es, (es / ep - 1) * 100);
    printf("    export plain / sealed, CPU:   %8.2f s / %.2f s  (%+.1f%%, "
           "goal < 10%%)\n", cpu[0], cpu[1], (cpu[1] / cpu[0] - 1) * 100);
    printf("    merge  plain / sealed, wall:  %8.2f s / %.2f s  (%+.1f%%)\n",
           mp, ms, (ms / mp - 1) * 100);
    printf("    merge  plain / sealed, CPU:   %8.2f s / %.2f s  (%+.1f%%, "
           "goal < 10%%)\n", cpu[2], cpu[3], (cpu[3] / cpu[2] - 1) * 100);
    crypto_alone(st, off, bp, bs, dir_s);
    store_close(st);
    free(bp);
    free(bs);
    free(dir_p);
    free(dir_s);
    free(off);
    free(run);
    free(mk);
}


/* Peak memory of merging n bundles, measured in a fresh process. */
static long child_peak(const char *dir, const char *db, int n)
{
    char num[16], buf[64];
    snprintf(num, sizeof num, "%d", n);
    char *argv[] = {"bench_merge", "--child", num, (char *)dir, (char *)db,
                    NULL};
    bench_child(argv, buf, sizeof buf);
    return strtol(buf, NULL, 10);
}

/* --child N DIR DB: merge N bundles and print the peak memory. */
static int child_main(char **argv)
{
    long added;
    double cpu;
    char *form = util_read_file(SRCFORMSDIR "/household.yaml",
                                &office_form_len);
    must(form != NULL, SRCFORMSDIR "/household.yaml", "cannot read");
    office_form = form;
    merge_all(argv[4], argv[3], atoi(argv[2]), &added, &cpu);
    dprintf(3, "%ld\n", peak_kb());
    free(form);
    return 0;
}

/* Time the three-way merge of a revs-revision diamond history into a
 * fresh database under tmpl; seconds. */
static double diamond_merge(const char *tmpl, const char *form,
                            size_t form_len, long revs)
{
    char *dir = xasprintf("%s/diamond%ld", tmpl, revs);
    char *db = xasprintf("%s/diamond%ld.db", tmpl, revs);
    char *mk = xasprintf("mkdir -p '%s'", dir), *err = NULL;
    char *pa = NULL, *pb = NULL;
    must(system(mk) == 0, mk, NULL);
    const char *dev = "0d1a0000-0000-4000-8000-00000000000a";
    must(diamond_bundle(dir, form, form_len, FORM_ID, FORM_VERSION, dev,
                        revs, "tip A", &pa, &err) == 0, "diamond", err);
    must(diamond_bundle(dir, form, form_len, FORM_ID, FORM_VERSION, dev,
                        revs, "tip B", &pb, &err) == 0, "diamond", err);
    store *st = fresh_store(db);
    const char *paths[2] = {pa, pb};
    double t = 0;
    for (int i = 0; i < 2; i++) {
        bundle *b;
        merge_counts c;
        double t0 = bench_now();
        must(bundle_open(paths[i], &b, &err) == 0, paths[i], err);
        merger *m = merger_new(st);
        int rc = merger_run(m, b, NULL, NULL, &c, &err);
        must(rc == 0, paths[i], err);
        merger_free(m);
        bundle_close(b);
        t = bench_now() - t0;
    }
    store_close(st);
    free(pa);
    free(pb);
    free(mk);
    free(db);
    free(dir);
    return t;
}

/* Three-way merges over ever longer histories: time per revision. */
static void diamond_series(const char *tmpl, const char *form,
                           size_t form_len)
{
    static const long revs[3] = {1000, 2000, 4000};
    double first = 0;
    printf("  history of uneven diamonds, three-way merge of the second "
           "tip:\n");
    for (int i = 0; i < 3; i++) {
        double t = diamond_merge(tmpl, form, form_len, revs[i]);
        double per = t / revs[i] * 1e6;
        if (i == 0)
            first = per;
        printf("    %5ld revisions:              %8.3f s  (%.1f us per "
               "revision, %.2fx the 1000's)\n", revs[i], t, per,
               per / first);
    }
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--child") == 0)
        return child_main(argv);
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int bundles = quick ? 20 : 200;
    size_t form_len;
    char *form = bench_office_form(&form_len);
    char tmpl[] = "/tmp/khaosat-bench-merge-XXXXXX";
    must(mkdtemp(tmpl) != NULL, "mkdtemp", NULL);
    if (argc > 1 && strcmp(argv[1], "--history") == 0) {
        /* The history series alone. */
        printf("bench_merge --history\n");
        diamond_series(tmpl, form, form_len);
        char *rm = xasprintf("rm -rf '%s'", tmpl);
        int rc = system(rm);
        free(rm);
        free(form);
        return rc == 0 ? 0 : 1;
    }
    char *dir = xasprintf("%s/usb", tmpl), *db = xasprintf("%s/o.db", tmpl),
         *fl = xasprintf("%s/floor.db", tmpl), *up = xasprintf("%s/up", tmpl);
    char *mk = xasprintf("mkdir -p '%s' '%s'", dir, up);
    must(system(mk) == 0, mk, NULL);
    gen *g = xcalloc(1, sizeof *g);
    g->per_bundle = PER_BUNDLE;
    g->items = ITEMS;
    double t = bench_now();
    for (int b = 0; b < bundles; b++)
        write_bundle(dir, b, form, form_len, g);
    t = bench_now() - t;
    long n = (long)bundles * PER_BUNDLE;
    printf("bench_merge: %d bundles x %d interviews x %d items = %ld "
           "answers%s\n", bundles, PER_BUNDLE, ITEMS, n * ITEMS,
           quick ? " (--quick)" : "");
    printf("  writing the bundles:            %8.2f s\n", t);
    double fl_cpu, m_cpu;
    double fl_t = floor_insert(fl, bundles, form, form_len, g, &fl_cpu);
    long added;
    double m_t = merge_all(db, dir, bundles, &added, &m_cpu);
    must(added == n, "merge", "not every interview was added");
    printf("  merge (verify + merge):         %8.2f s  (%.0f interviews/s)\n",
           m_t, n / m_t);
    printf("    of which verifying alone:     %8.2f s\n", verify_all(dir));
    printf("  floor (same rows, one tx):      %8.2f s\n", fl_t);
    printf("  ratio merge / floor, wall:      %8.2f   (goal <= 2)\n",
           m_t / fl_t);
    printf("  ratio merge / floor, CPU:       %8.2f   (%.2f s / %.2f s)\n",
           m_cpu / fl_cpu, m_cpu, fl_cpu);
    store *st;
    char *err = NULL, *path = NULL;
    long count;
    must(store_open(db, &st, &err) == 0, db, err);
    t = bench_now();
    must(bundle_export(st, up, BUNDLE_EXPORT_ALL, &path, &count, &err) == 0,
         "export", err);
    t = bench_now() - t;
    printf("  export %ld interviews (+verify): %7.2f s\n", count, t);
    store_close(st);
    free(path);
    sealed_vs_plain(db, tmpl, n);
    diamond_series(tmpl, form, form_len);
    int small = bundles / 10 > 0 ? bundles / 10 : 1;
    long p1 = child_peak(dir, db, small);
    long p2 = child_peak(dir, db, bundles);
    printf("  peak RSS merging %3d bundles:    %8ld kB\n", small, p1);
    printf("  peak RSS merging %3d bundles:    %8ld kB  (ratio %.2f, goal: "
           "flat)\n", bundles, p2, p1 > 0 ? (double)p2 / p1 : 0);
    bench_rmdir("bench_merge", tmpl);
    free(mk);
    free(g);
    free(form);
    free(dir);
    free(db);
    free(fl);
    free(up);
    return 0;
}
