/* cmd_simulate.c: khaosat simulate --form ID --count N [--seed S]. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/clock.h"
#include "report/report.h"
#include "core/i18n.h"
#include "core/util.h"
#include "session/setup.h"
#include "session/simulate.h"

static const char simulate_usage[] = N_(
    "Usage: khaosat simulate --form ID --count N [--seed S] [--clock TIME] "
    "[--drafts] [--db PATH] [--forms DIR]\n");

/* Say which checks kept interviews as drafts, most frequent first: the
 * question, its rule, how many interviews it stopped and the first. */
static void simulate_print_blocks(const form *f, sim_blocks *b)
{
    if (!b->n)
        return;
    sim_blocks_sort(b);
    cmd_printf(_("Left as drafts by these checks:\n"));
    for (size_t i = 0; i < b->n; i++) {
        const sim_block *k = &b->v[i];
        const form_question *fq = &f->q[k->q];
        char *rule = k->why == INST_REQUIRED
                         ? xstrdup(_("required, left unanswered"))
                     : k->why == INST_CONSTRAINT && fq->constraint
                         ? xasprintf(_("constraint \"%s\" not met"),
                                     expr_source(fq->constraint))
                         : xstrdup(_("not a valid answer"));
        cmd_printf(ngettext("  %s: %s: %ld interview (first %s)\n",
                            "  %s: %s: %ld interviews (first %s)\n",
                            (unsigned long)k->count),
                   fq->id, rule, k->count, k->first);
        free(rule);
    }
}

/* Fill count interviews; returns the exit status. */
static int simulate_run(store *st, const form *f, long count, unsigned long seed,
                        int drafts, const char *forms_dir)
{
    sim_rng rng;
    sim_seed(&rng, seed);
    rng.st = st;
    /* The commune form names the set-up commune, when there is one. */
    char *provinces = xasprintf("%s/provinces.csv", forms_dir);
    sim_use_setup(&rng, st, provinces);
    free(provinces);
    char *enumerator = NULL;
    store_setting_get(st, "enumerator", &enumerator);
    long complete = 0, left = 0;
    sim_blocks blocks = {NULL, 0, 0};
    for (long i = 0; i < count; i++) {
        rng.seq = i + 1;
        session *s = NULL;
        char *err = NULL;
        if (session_new(st, f, enumerator ? enumerator : "simulate", f->default_lang,
                        &s, &err) || sim_fill(s, &rng, 6)) {
            cmd_eprintf("khaosat simulate: %s\n", err ? err : session_errmsg(s));
            free(err);
            session_free(s);
            free(enumerator);
            sim_free(&rng);
            sim_blocks_free(&blocks);
            return 1;
        }
        int rc = drafts ? 1 : session_finalise(s);
        if (rc < 0) {
            cmd_eprintf("khaosat simulate: %s\n", session_errmsg(s));
            session_free(s);
            free(enumerator);
            sim_free(&rng);
            sim_blocks_free(&blocks);
            return 1;
        }
        if (rc > 0 && !drafts)
            sim_blocks_add(&blocks, s);
        complete += rc == 0;
        left += rc > 0;
        session_free(s);
    }
    free(enumerator);
    sim_free(&rng);
    cmd_printf(ngettext("%ld interview of %s: %ld complete, %ld left as "
                        "drafts\n", "%ld interviews of %s: %ld complete, %ld "
                        "left as drafts\n", (unsigned long)count),
               count, f->id, complete, left);
    simulate_print_blocks(f, &blocks);
    sim_blocks_free(&blocks);
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    const char *form_id = NULL, *db = NULL, *forms = NULL;
    const char *count_arg = NULL, *seed_arg = "1", *clock_arg = NULL;
    int drafts = 0;
    const cmd_option opts[] = {
        {"form", &form_id, NULL, NULL},
        {"count", &count_arg, NULL, NULL},
        {"seed", &seed_arg, NULL, NULL},
        {"clock", &clock_arg, NULL, NULL},
        {"drafts", NULL, NULL, &drafts},
        {"db", &db, NULL, NULL},
        {"forms", &forms, NULL, NULL},
    };
    int rc = cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                               _(simulate_usage));
    if (rc)
        return rc < 0 ? 2 : 0;
    long count = cmd_parse_count(count_arg), seed = cmd_parse_count(seed_arg);
    if (!form_id || count < 0 || seed < 0 || optind != argc) {
        fputs(_(simulate_usage), stderr);
        return 2;
    }
    /* A reproducible run: the clock stands still and the identifiers
     * (device id, interview uuids) come from the seed, so the same command
     * makes the same database byte for byte. */
    if (clock_arg) {
        time_t at;
        if (clock_parse_utc(clock_arg, &at) != 0) {
            cmd_eprintf(_("khaosat simulate: --clock %s: not a UTC time such "
                          "as 2026-06-01T08:00:00Z\n"), clock_arg);
            return 2;
        }
        clock_fix(at);
        clock_seed_ids((unsigned long)seed);
    }
    catalog *cat = cmd_load_catalog("khaosat simulate", forms);
    if (!cat)
        return 1;
    if (!catalog_find(cat, form_id, NULL)) {
        cmd_eprintf(_("khaosat simulate: no form '%s' in %s\n"), form_id, cat->dir);
        catalog_free(cat);
        return 1;
    }
    store *st = cmd_open_store("khaosat simulate", db, STORE_CREATE_MISSING);
    /* Villages drawn from the set-up, the office's form versions. */
    if (st)
        setup_forms_bind(st, cat);
    /* A second reproducible run into the same database draws other
     * uuids than the first. */
    store_counts had = {0, 0, 0, 0};
    if (st && clock_arg && store_count(st, NULL, &had) == 0) {
        char *salt = xasprintf("simulate %ld %s %ld", seed, form_id,
                               had.drafts + had.complete);
        clock_seed_ids_text(salt);
        free(salt);
    }
    const form *f = catalog_find(cat, form_id, NULL);
    /* Finalised interviews get their report figures, as on a laptop. */
    report_keeper *keep = st ? report_keep_attach(st, cat) : NULL;
    rc = st && f ? simulate_run(st, f, count, (unsigned long)seed, drafts,
                                   cat->dir)
                 : 1;
    report_keep_detach(st, keep);
    store_close(st);
    catalog_free(cat);
    return rc;
}
