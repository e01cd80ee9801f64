/* cmd_simulate.c: khaosat simulate --form ID --count N [--seed S]. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "cmd_common.h"
#include "i18n.h"
#include "simulate.h"

/* Print the usage of simulate. */
static void simulate_usage(FILE *f)
{
    fprintf(f, _("Usage: khaosat simulate --form ID --count N [--seed S] "
                 "[--drafts] [--db PATH] [--forms DIR]\n"));
}

/* Fill count interviews; returns the exit status. */
static int simulate_run(store *st, const form *f, long count, unsigned long seed,
                        int drafts)
{
    sim_rng rng;
    sim_seed(&rng, seed);
    char *enumerator = NULL;
    store_setting_get(st, "enumerator", &enumerator);
    long complete = 0, left = 0;
    for (long i = 0; i < count; i++) {
        session *s = NULL;
        char *err = NULL;
        if (session_new(st, f, enumerator ? enumerator : "simulate", f->default_lang,
                        &s, &err) || sim_fill(s, &rng, 6)) {
            fprintf(stderr, "khaosat simulate: %s\n", err ? err : session_errmsg(s));
            free(err);
            session_free(s);
            free(enumerator);
            return 1;
        }
        int rc = drafts ? 1 : session_finalise(s);
        if (rc < 0) {
            fprintf(stderr, "khaosat simulate: %s\n", session_errmsg(s));
            session_free(s);
            free(enumerator);
            return 1;
        }
        complete += rc == 0;
        left += rc > 0;
        session_free(s);
    }
    free(enumerator);
    printf(_("%ld interviews of %s: %ld complete, %ld left as drafts\n"),
           count, f->id, complete, left);
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"form", required_argument, NULL, 'f'},
        {"count", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"drafts", no_argument, NULL, 'd'},
        {"db", required_argument, NULL, 'D'},
        {"forms", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *form_id = NULL, *db = NULL, *forms = NULL;
    long count = -1, seed = 1;
    int drafts = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': form_id = optarg; break;
        case 'n': count = cmd_parse_count(optarg); break;
        case 's': seed = cmd_parse_count(optarg); break;
        case 'd': drafts = 1; break;
        case 'D': db = optarg; break;
        case 'F': forms = optarg; break;
        case 'h': simulate_usage(stdout); return 0;
        default: simulate_usage(stderr); return 2;
        }
    }
    if (!form_id || count < 0 || seed < 0 || optind != argc) {
        simulate_usage(stderr);
        return 2;
    }
    catalog *cat = cmd_load_catalog("khaosat simulate", forms);
    if (!cat)
        return 1;
    const form *f = catalog_find(cat, form_id, NULL);
    if (!f) {
        fprintf(stderr, _("khaosat simulate: no form '%s' in %s\n"), form_id, cat->dir);
        catalog_free(cat);
        return 1;
    }
    store *st = cmd_open_store("khaosat simulate", db);
    int rc = st ? simulate_run(st, f, count, (unsigned long)seed, drafts) : 1;
    store_close(st);
    catalog_free(cat);
    return rc;
}
