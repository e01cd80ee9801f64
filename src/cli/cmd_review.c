/* cmd_review.c: khaosat review and khaosat reviews: the supervisor's
 * approvals and returns, recorded through the same store entry point as
 * the review screen, and the list of every interview's review state. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"
#include "sync/merge.h"

/* The reviewer's name: --reviewer, else the name this database was set up
 * with; newly allocated or NULL. */
static char *reviewer_name(store *st, const char *opt)
{
    if (opt && *opt)
        return xstrdup(opt);
    char *v = NULL;
    store_setting_get(st, STORE_SET_ENUMERATOR, &v);
    if (!v)
        store_setting_get(st, STORE_SET_CARD_NAME, &v);
    return v;
}

int cmd_review(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat review [--db PATH] UUID --approve "
                          "[--comment TEXT]\n"
                          "       khaosat review [--db PATH] UUID --return "
                          "--comment TEXT\n"
                          "       khaosat review [--db PATH] UUID --clear\n");
    const char *db = NULL, *comment = NULL, *reviewer = NULL;
    int approve = 0, ret = 0, clear = 0;
    const cmd_option opts[] = {
        {"db", &db, NULL, NULL},
        {"comment", &comment, NULL, NULL},
        {"reviewer", &reviewer, NULL, NULL},
        {"approve", NULL, NULL, &approve},
        {"return", NULL, NULL, &ret},
        {"clear", NULL, NULL, &clear},
    };
    int rc = cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                               usage);
    if (rc)
        return rc < 0 ? 2 : 0;
    if (argc - optind != 1 || approve + ret + clear != 1) {
        fputs(usage, stderr);
        return 2;
    }
    const char *uuid = argv[optind], *prog = "khaosat review";
    if (ret && (!comment || !*comment)) {
        cmd_eprintf(_("%s: a returned interview needs --comment saying "
                          "what the enumerator must check or correct\n"), prog);
        return 2;
    }
    store *st = cmd_open_store(prog, db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    char *who = reviewer_name(st, reviewer);
    rc = store_review_set(st, uuid, clear ? NULL : approve ? "approved"
                          : "returned", comment, who);
    free(who);
    if (rc)
        cmd_eprintf("%s: %s\n", prog, store_errmsg(st));
    store_close(st);
    return rc ? 1 : 0;
}

/* Print one review as a tab-separated line of terminal-safe fields; the
 * last is the commune whose office made it (empty: made here). */
static int print_review(void *ctx, const store_review *r)
{
    (void)ctx;
    const char *f[7] = {r->interview, r->form_id, r->key, r->state,
                        r->revision ? r->revision : "",
                        r->comment ? r->comment : "",
                        r->commune ? r->commune : ""};
    for (int i = 0; i < 7; i++) {
        char *s = ui_text_safe(f[i], UI_TEXT_FIELD);
        cmd_printf("%s%c", s, i < 6 ? '\t' : '\n');
        free(s);
    }
    return 0;
}

int cmd_reviews(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat reviews [--db PATH] [--state "
                          "approved|returned|changed|corrected|unreviewed]\n");
    const char *db = NULL, *state = NULL;
    const cmd_option opts[] = {
        {"db", &db, NULL, NULL},
        {"state", &state, NULL, NULL},
    };
    int rc = cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                               usage);
    if (rc)
        return rc < 0 ? 2 : 0;
    if (argc != optind || (state && !store_review_state_valid(state))) {
        fputs(usage, stderr);
        return 2;
    }
    store *st = cmd_open_store("khaosat reviews", db, STORE_READ_ONLY_OK);
    if (!st)
        return 1;
    rc = store_reviews_each(st, NULL, state, print_review, NULL);
    if (rc)
        cmd_eprintf("khaosat reviews: %s\n", store_errmsg(st));
    store_close(st);
    return rc ? 1 : 0;
}

/* Print one pair: form, key, each side's UUID, enumerator and device, and
 * the decision; every field from the data made terminal-safe. */
static int print_duplicate(void *ctx, const store_duplicate *d)
{
    (void)ctx;
    const char *f[10] = {d->form_id, d->key, d->a, d->a_commune,
                         d->a_enumerator, d->a_device, d->b, d->b_commune,
                         d->b_enumerator, d->b_device};
    char *v[10];
    for (int i = 0; i < 10; i++)
        v[i] = ui_text_safe(f[i], UI_TEXT_LINE);
    cmd_printf(_("%s %s: %s (commune %s, by %s on device %.8s) and %s "
                 "(commune %s, by %s on device %.8s)"), v[0], v[1], v[2],
               v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    if (d->decision && !strcmp(d->decision, "same"))
        cmd_printf(_(" [same household: %s kept]"), d->keep ? d->keep : "?");
    else if (d->decision)
        cmd_printf(_(" [different households]"));
    putchar('\n');
    for (int i = 0; i < 10; i++)
        free(v[i]);
    return 0;
}

/* Print one decision of the office on an interview of this laptop whose
 * pair is on another laptop. */
static int print_settled(void *ctx, const store_settled *d)
{
    (void)ctx;
    char *a = ui_text_safe(d->a, 0), *b = ui_text_safe(d->b, 0);
    if (!strcmp(d->decision, "same") && strcmp(d->keep, d->a) != 0)
        cmd_printf(_("%s: superseded: the office found it the same household "
                     "as %s, which it kept\n"), a, b);
    else if (!strcmp(d->decision, "same"))
        cmd_printf(_("%s: kept by the office, the same household as %s\n"),
                   a, b);
    else
        cmd_printf(_("%s and %s: different households, the office decided\n"),
                   a, b);
    free(a);
    free(b);
    return 0;
}

/* Say what else a decision changed so that its household keeps one
 * interview. */
static int print_kept_change(void *ctx, const store_kept_change *c)
{
    (void)ctx;
    char *t = store_kept_text(c);
    char *safe = ui_text_safe(t, 0);
    cmd_printf("khaosat duplicates: %s\n", safe);
    free(safe);
    free(t);
    return 0;
}

int cmd_duplicates(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat duplicates [--db PATH]\n"
                          "       khaosat duplicates [--db PATH] --same A B "
                          "--keep A|B\n"
                          "       khaosat duplicates [--db PATH] --different "
                          "A B\n"
                          "       khaosat duplicates [--db PATH] --reopen A B\n");
    const char *db = NULL, *keep = NULL, *prog = "khaosat duplicates";
    int same = 0, different = 0, reopen = 0;
    const cmd_option opts[] = {
        {"db", &db, NULL, NULL},
        {"keep", &keep, NULL, NULL},
        {"same", NULL, NULL, &same},
        {"different", NULL, NULL, &different},
        {"reopen", NULL, NULL, &reopen},
    };
    int rc = cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                               usage);
    if (rc)
        return rc < 0 ? 2 : 0;
    int deciding = same + different + reopen;
    if (deciding > 1 || (deciding ? argc - optind != 2 : argc != optind)
        || (same != !!keep)) {
        fputs(usage, stderr);
        return 2;
    }
    store *st = cmd_open_store(prog, db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    /* Keys corrected here since the last merge are judged first. */
    merger *mg = merger_new(st);
    char *err = NULL;
    rc = merger_rekey(mg, &err);
    merger_free(mg);
    if (rc) {
        cmd_eprintf("%s: %s\n", prog, err);
        free(err);
    } else if (deciding) {
        rc = store_duplicate_decide(st, argv[optind], argv[optind + 1],
                                    same ? "same" : different ? "different"
                                    : NULL, keep, print_kept_change, NULL);
        if (rc)
            cmd_eprintf("%s: %s\n", prog, store_errmsg(st));
    } else {
        rc = store_duplicates_each(st, print_duplicate, NULL);
        if (rc == 0)
            rc = store_settled_each(st, print_settled, NULL);
        if (rc)
            cmd_eprintf("%s: %s\n", prog, store_errmsg(st));
    }
    store_close(st);
    return rc ? 1 : 0;
}
