/* cmd_forms.c: khaosat forms accept: the supervisor makes the forms a
 * bundle carries the office's own, after looking at them, so that bundles
 * held aside for their form can be merged. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/i18n.h"
#include "sync/envelope.h"
#include "sync/merge.h"

/* What accepting the forms of one bundle printed. */
typedef struct accept_ctx {
    const char *path;
    int differs;
} accept_ctx;

static void print_form(void *ctx, const merge_form *f)
{
    accept_ctx *a = ctx;
    char *id = merge_escaped(f->form_id), *ver = merge_escaped(f->version);
    switch (f->status) {
    case MERGE_FORM_ADDED:
        cmd_printf(_("%s: form %s version %s (SHA-256 %.16s): accepted\n"),
               a->path, id, ver, f->sha256);
        break;
    case MERGE_FORM_HERE:
        cmd_printf(_("%s: form %s version %s (SHA-256 %.16s): already one of "
                 "this database's forms\n"), a->path, id, ver, f->sha256);
        break;
    default:
        cmd_eprintf(_("khaosat forms: %s: form %s version %s (SHA-256 "
                          "%.16s) differs from this database's form of that "
                          "version; not accepted (a changed form needs a new "
                          "version)\n"), a->path, id, ver, f->sha256);
        a->differs = 1;
    }
    free(id);
    free(ver);
}

/* Accept the forms of one bundle file; 0, or 1 when refused. */
static int accept_one(store *st, const char *path, unsigned flags)
{
    bundle *b;
    char *err = NULL;
    if (envelope_open(st, path, flags, &b, NULL, &err) != 0) {
        cmd_eprintf("khaosat forms: %s\n", err);
        free(err);
        return 1;
    }
    accept_ctx a = {path, 0};
    int rc = merge_accept_forms(st, b, print_form, &a, &err);
    if (rc != 0) {
        cmd_eprintf("khaosat forms: %s\n", err);
        free(err);
    }
    bundle_close(b);
    return rc != 0 || a.differs;
}

int cmd_forms(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat forms accept [--db PATH] "
                          "[--allow-unsigned] BUNDLE...\n");
    const char *db = NULL;
    int allow = 0;
    const cmd_option opts[] = {
        {"db", &db, NULL, NULL},
        {"allow-unsigned", NULL, NULL, &allow},
    };
    if (argc < 2 || strcmp(argv[1], "accept") != 0) {
        if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        fputs(usage, stderr);
        return 2;
    }
    int rc = cmd_parse_options(argc - 1, argv + 1, opts,
                               sizeof opts / sizeof *opts, usage);
    if (rc)
        return rc < 0 ? 2 : 0;
    int first = optind + 1;
    if (first >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    /* The office's first step may start its database, but only for a
     * bundle whose forms are taken: a failed accept leaves nothing. */
    if (!cmd_any_readable("khaosat forms", argv + first, argc - first))
        return 1;
    int created = 0;
    store *st = cmd_open_store_new("khaosat forms", db, STORE_CREATE_MISSING,
                                   &created);
    if (!st)
        return 1;
    int bad = 0, taken = 0;
    for (int i = first; i < argc; i++) {
        int rc = accept_one(st, argv[i], allow ? ENVELOPE_ALLOW_UNSIGNED : 0);
        bad |= rc;
        taken += rc == 0;
    }
    cmd_close_store(st, "khaosat forms", created, taken > 0);
    return bad;
}
