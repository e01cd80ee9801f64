/* cmd_setup.c: khaosat setup: the commune's set-up at the office (the
 * commune, its villages, their household lists, who covers which
 * village), through the library's checked entry points (session/setup.h). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/i18n.h"
#include "core/util.h"
#include "session/setup.h"

/* Print one village: code, name, enumerator, households (tab-separated). */
static int print_village(void *ctx, const store_village *v)
{
    (void)ctx;
    cmd_printf("%s\t%s\t%s\t%ld\n", v->code, v->name,
               v->enumerator ? v->enumerator : "", v->households);
    return 0;
}

/* khaosat setup with no action: the commune line, then the villages. */
static int setup_show(store *st)
{
    setup_commune_info c;
    if (setup_commune_get(st, &c) != 0)
        return 1;
    if (c.code)
        cmd_printf(_("commune %s %s, province %s\n"), c.code,
                   c.name ? c.name : "", c.province ? c.province : "");
    else
        printf(_("no commune set up\n"));
    setup_commune_info_clear(&c);
    return store_villages_each(st, print_village, NULL) ? 1 : 0;
}

/* Print one commune's set-up kept here: code, name, province, sequence,
 * villages, households (tab-separated, escaped: it came in a bundle). */
static int print_commune(void *ctx, const store_commune_setup *c)
{
    (void)ctx;
    cmd_printf("%s\t%s\t%s\t%lld\t%ld\t%ld\n", c->code, c->name,
               c->province, c->sequence, c->villages, c->households);
    return 0;
}

/* Count the communes listed. */
static int count_commune(void *ctx, const store_commune_setup *c)
{
    (void)c;
    ++*(long *)ctx;
    return 0;
}

/* khaosat setup --communes, or --commune CODE: the set-ups of the
 * communes below kept here (at the province), or one with its
 * villages. */
static int setup_show_communes(store *st, const char *code)
{
    long n = 0;
    int rc = store_commune_setups_each(st, code, print_commune, NULL);
    if (rc == 0 && code)
        rc = store_commune_setups_each(st, code, count_commune, &n);
    if (rc == 0 && code && n == 0) {
        cmd_eprintf(_("khaosat setup: no set-up of commune %s kept here\n"),
                    code);
        return 1;
    }
    if (rc == 0 && code)
        rc = store_commune_villages_each(st, code, print_village, NULL);
    if (rc != 0)
        cmd_eprintf("khaosat setup: %s\n", store_errmsg(st));
    return rc ? 1 : 0;
}

int cmd_setup(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat setup [--db PATH]\n"
        "       khaosat setup --communes | --commune CODE\n"
        "       khaosat setup commune --code CODE --name NAME --province CODE "
        "[--provinces FILE]\n"
        "       khaosat setup villages FILE.csv\n"
        "       khaosat setup households FILE.csv\n"
        "       khaosat setup assign VILLAGE ENUMERATOR\n");
    const char *db = NULL, *code = NULL, *name = NULL, *province = NULL,
               *plist = NULL, *forms = NULL, *prog = "khaosat setup",
               *one = NULL;
    int communes = 0;
    const cmd_option opts[] = {
        {"db", &db, NULL, NULL}, {"code", &code, NULL, NULL},
        {"name", &name, NULL, NULL}, {"province", &province, NULL, NULL},
        {"provinces", &plist, NULL, NULL}, {"forms", &forms, NULL, NULL},
        {"communes", NULL, NULL, &communes}, {"commune", &one, NULL, NULL},
    };
    int rc = cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                               usage);
    if (rc)
        return rc < 0 ? 2 : 0;
    int nargs = argc - optind;
    const char *what = nargs ? argv[optind] : NULL;
    int ok = !what || (!strcmp(what, "commune") && nargs == 1)
             || ((!strcmp(what, "villages") || !strcmp(what, "households"))
                 && nargs == 2)
             || (!strcmp(what, "assign") && nargs == 3);
    if (!ok || ((communes || one) && what)) {
        fputs(usage, stderr);
        return 2;
    }
    store *st = cmd_open_store(prog, db, what ? STORE_CREATE_MISSING
                                              : STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    char *err = NULL;
    long n = 0;
    if (communes || one) {
        /* It says itself what went wrong (no set-up is not a store error). */
        rc = setup_show_communes(st, one);
        store_close(st);
        return rc;
    }
    if (!what) {
        rc = setup_show(st);
    } else if (!strcmp(what, "commune")) {
        char *pl = setup_provinces_path(plist, forms);
        rc = setup_commune(st, code, name, province, pl, &err);
        free(pl);
    } else if (!strcmp(what, "villages")) {
        rc = setup_villages(st, argv[optind + 1], &n, &err);
        if (!rc)
            fprintf(stderr, _("%s: %ld villages\n"), prog, n);
    } else if (!strcmp(what, "households")) {
        rc = setup_households(st, argv[optind + 1], &n, &err);
        if (!rc)
            fprintf(stderr, _("%s: %ld households\n"), prog, n);
    } else {
        rc = setup_assign(st, argv[optind + 1], argv[optind + 2], &err);
    }
    if (rc && err)
        cmd_eprintf("%s: %s\n", prog, err);
    else if (rc)
        cmd_eprintf("%s: %s\n", prog, store_errmsg(st));
    free(err);
    store_close(st);
    return rc ? 1 : 0;
}
