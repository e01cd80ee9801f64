/* cmd_backup.c: khaosat backup (a checked copy of the database, taken
 * while it is in use) and khaosat restore. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/i18n.h"
#include "core/util.h"
#include "sync/backup.h"

int cmd_backup(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat backup --to FILE [--with-keys] "
                          "[--db PATH]\n");
    const char *db = NULL, *to = NULL;
    int with_keys = 0;
    const cmd_option opts[] = {
        {"db", &db, NULL, NULL}, {"to", &to, NULL, NULL},
        {"with-keys", NULL, NULL, &with_keys},
    };
    int rc = cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                               usage);
    if (rc)
        return rc < 0 ? 2 : 0;
    if (!to || optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    store *st = cmd_open_store("khaosat backup", db, STORE_READ_ONLY_OK);
    if (!st)
        return 1;
    char *pass = with_keys ? cmd_new_passphrase("khaosat backup") : NULL;
    backup_info info;
    char *err = NULL;
    rc = 1;
    if (with_keys && !pass)
        ;
    else if (backup_write(st, to, pass, &info, &err) != 0)
        cmd_eprintf("khaosat backup: %s\n", err);
    else {
        cmd_printf(ngettext("%s: %ld interview of %s, checked after "
                            "writing\n", "%s: %ld interviews of %s, checked "
                            "after writing\n",
                            (unsigned long)info.interviews),
                   to, info.interviews, store_path(st));
        char *advice = backup_keys_advice(&info);
        cmd_printf("%s\n", advice);
        free(advice);
        rc = 0;
    }
    cmd_drop_passphrase(pass);
    free(err);
    store_close(st);
    return rc;
}

/* Ask for the passphrase of the keys inside a backup. */
static char *ask_passphrase(void *ctx)
{
    (void)ctx;
    return cmd_read_passphrase(_("Passphrase of the keys in the backup: "));
}

int cmd_restore(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat restore [--replace] [--db PATH] "
                          "FILE\n");
    const char *db = NULL;
    int replace = 0;
    const cmd_option opts[] = {
        {"db", &db, NULL, NULL}, {"replace", NULL, NULL, &replace},
    };
    int rc = cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                               usage);
    if (rc)
        return rc < 0 ? 2 : 0;
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return 2;
    }
    backup_info info;
    backup_restored out;
    char *err = NULL;
    if (backup_restore(argv[optind], db, replace, ask_passphrase, NULL, &info,
                       &out, &err) != 0) {
        cmd_eprintf("khaosat restore: %s\n", err);
        free(err);
        return 1;
    }
    if (out.created)
        cmd_eprintf(_("khaosat restore: created a new database %s\n"),
                    out.target);
    cmd_printf(_("%s: restored from %s (made %s, %ld interviews), checked\n"),
               out.target, argv[optind], info.made, info.interviews);
    if (db && *db && strcmp(db, out.target) != 0)
        cmd_printf(_("(%s is a link to it)\n"), db);
    if (out.kept)
        cmd_printf(_("what was there before is kept as %s; remove it once "
                     "the restored database is right\n"), out.kept);
    backup_restored_clear(&out);
    return 0;
}
