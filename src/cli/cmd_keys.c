/* cmd_keys.c: khaosat keys: this database's card, trusting and revoking
 * other databases' cards, and the passphrase-protected backup. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/i18n.h"
#include "sync/keys.h"
#include "core/util.h"

/* The options of every keys subcommand. */
typedef struct kopts {
    const char *db, *to, *role, *name, *commune, *purpose;
    int yes, replace;
} kopts;

static const char keys_usage[] = N_(
    "Usage: khaosat keys export --to FILE [--role laptop|office] "
    "[--name NAME] [--commune NAME]\n"
    "       khaosat keys trust CARD [--upstream|--accept] [--yes]\n"
    "       khaosat keys list\n"
    "       khaosat keys revoke FINGERPRINT\n"
    "       khaosat keys backup --to FILE\n"
    "       khaosat keys restore FILE [--replace]\n"
    "Every form takes --db PATH.\n");

/* Parse options after the subcommand; -1 on error, 1 after --help. */
static int parse_kopts(int argc, char **argv, kopts *o)
{
    memset(o, 0, sizeof *o);
    const cmd_option opts[] = {
        {"db", &o->db, NULL, NULL},
        {"to", &o->to, NULL, NULL},
        {"role", &o->role, NULL, NULL},
        {"name", &o->name, NULL, NULL},
        {"commune", &o->commune, NULL, NULL},
        {"upstream", &o->purpose, "upstream", NULL},
        {"accept", &o->purpose, "accept", NULL},
        {"yes", NULL, NULL, &o->yes},
        {"replace", NULL, NULL, &o->replace},
    };
    return cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                             _(keys_usage));
}

/* Save the settings the export options change. */
static int export_settings(store *st, const kopts *o)
{
    if (o->role && strcmp(o->role, "laptop") && strcmp(o->role, "office")) {
        cmd_eprintf(_("khaosat keys: --role is laptop or office, not "
                          "%s\n"), o->role);
        return -1;
    }
    if ((o->role && store_setting_set(st, STORE_SET_ROLE, o->role))
        || (o->name && store_setting_set(st, STORE_SET_CARD_NAME, o->name))
        || (o->commune && store_setting_set(st, STORE_SET_COMMUNE,
                                            o->commune))) {
        cmd_eprintf("khaosat keys: %s\n", store_errmsg(st));
        return -1;
    }
    return 0;
}

static int keys_export(store *st, const kopts *o)
{
    if (!o->to) {
        fputs(_(keys_usage), stderr);
        return 2;
    }
    if (export_settings(st, o) != 0)
        return 1;
    keys_self self;
    char *err = NULL;
    if (keys_self_get(st, 1, &self, &err) != 0) {
        cmd_eprintf("khaosat keys: %s\n", err);
        free(err);
        return 1;
    }
    int rc = 0;
    if (strcmp(o->to, "-") == 0) {
        char *text = keys_card_text(&self);
        rc = fputs(text, stdout) < 0 || fflush(stdout) != 0;
        free(text);
        if (rc)
            cmd_eprintf(_("khaosat keys: cannot write %s\n"), o->to);
    } else if (keys_card_write(&self, o->to, &err) != 0) {
        cmd_eprintf("khaosat keys: %s\n", err);
        free(err);
        rc = -1;
    }
    char *label = keys_card_label(&self.card);
    char *who = *label ? xasprintf(" (%s)", label) : xstrdup("");
    if (rc == 0)
        cmd_eprintf(_("khaosat keys: card of this %s%s written to "
                          "%s\nfingerprint: %s\n"), self.card.role, who,
                o->to, self.card.fpr);
    free(who);
    free(label);
    keys_self_clear(&self);
    return rc ? 1 : 0;
}

/* Ask on the terminal whether to go on; non-zero for yes. */
static int confirm(const char *question)
{
    fputs(question, stdout);
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        return 0;
    return line[0] == 'y' || line[0] == 'Y';
}

static int keys_trust_cmd(store *st, const kopts *o, const char *file)
{
    keys_card c;
    char *err = NULL;
    if (keys_card_load(file, &c, &err) != 0) {
        cmd_eprintf("khaosat keys: %s\n", err);
        free(err);
        return 1;
    }
    const char *purpose = o->purpose ? o->purpose
                                     : keys_default_purpose(st, &c, &err);
    int rc = 1;
    /* A card made with empty names still says what is missing. */
    char *name = *c.name ? xasprintf("\"%s\"", c.name)
                         : xstrdup(_("(no name)"));
    cmd_printf(_("Card of the %s %s (%s)\nfingerprint: %s\n"), c.role, name,
               *c.commune ? c.commune : _("no commune"), c.fpr);
    free(name);
    if (!purpose)
        cmd_eprintf("khaosat keys: %s\n", err);
    else if (keys_trust_check(st, &c, purpose, &err) != 0)
        cmd_eprintf("khaosat keys: %s: %s\n", file, err);
    else if (!o->yes && !isatty(STDIN_FILENO))
        cmd_eprintf(_("khaosat keys: compare the fingerprint with the one "
                          "the other computer shows, then run again with "
                          "--yes\n"));
    else if (!o->yes && !confirm(strcmp(purpose, "upstream") == 0
                 ? _("Does the office's computer show this same "
                     "fingerprint? Seal this database's bundles for it "
                     "[y/N]? ")
                 : _("Does the other computer show this same fingerprint? "
                     "Accept its bundles [y/N]? ")))
        cmd_eprintf(_("khaosat keys: not trusted\n"));
    else if (keys_trust(st, &c, purpose, &err) != 0)
        cmd_eprintf("khaosat keys: %s: %s\n", file, err);
    else {
        cmd_printf(strcmp(purpose, "upstream") == 0
               ? _("trusted: bundles from here are now sealed for %s\n")
               : _("trusted: bundles signed by %s are now accepted\n"),
               c.fpr);
        rc = 0;
    }
    free(err);
    keys_card_clear(&c);
    return rc;
}

/* The short device id of a card (its first 8 characters, as export
 * --down --device takes it), or nothing for a card that names none. */
static void print_device(const char *device)
{
    if (device && *device)
        cmd_printf(" %s %.8s", _("device"), device);
}

static int print_trusted(void *ctx, const keys_trusted *t)
{
    (void)ctx;
    cmd_printf("%-8s %s %-6s \"%s\" (%s) %s %s", t->purpose, t->card.fpr,
           t->card.role, t->card.name, t->card.commune, _("trusted"),
           t->trusted);
    print_device(t->card.device);
    if (t->revoked)
        cmd_printf(" %s %s", _("REVOKED"), t->revoked);
    putchar('\n');
    return 0;
}

static int keys_list_cmd(store *st)
{
    keys_self self;
    char *err = NULL;
    /* Listing only reads: a database without keys is said to have none
     * (keys export makes them), never given a new identity here. */
    int rc = keys_self_get(st, 0, &self, &err);
    if (rc == 0) {
        cmd_printf(_("this     %s %-6s \"%s\" (%s)"), self.card.fpr,
               self.card.role, self.card.name, self.card.commune);
        print_device(self.card.device);
        cmd_printf("\n");
        keys_self_clear(&self);
    } else if (rc > 0) {
        cmd_printf(_("this     (no keys yet: 'khaosat keys export --to FILE' "
                     "makes them)\n"));
    }
    if (rc >= 0)
        rc = keys_list(st, print_trusted, NULL, &err);
    if (rc != 0)
        cmd_eprintf("khaosat keys: %s\n", err);
    free(err);
    return rc ? 1 : 0;
}

static int keys_revoke_cmd(store *st, const char *arg)
{
    char fpr[KEYS_FPR_SIZE], *err = NULL;
    if (keys_fpr_parse(arg, fpr) != 0) {
        cmd_eprintf(_("khaosat keys: %s is not a fingerprint "
                          "(XXXX-XXXX-XXXX-XXXX)\n"), arg);
        return 2;
    }
    int rc = keys_revoke(st, fpr, &err);
    if (rc < 0)
        cmd_eprintf("khaosat keys: %s\n", err);
    else if (rc > 0)
        cmd_eprintf(_("khaosat keys: no trusted card %s; see 'khaosat "
                          "keys list'\n"), fpr);
    else
        cmd_printf(_("revoked: bundles signed by %s are refused from now on\n"),
               fpr);
    free(err);
    return rc ? 1 : 0;
}

static int keys_backup_cmd(store *st, const kopts *o)
{
    if (!o->to) {
        fputs(_(keys_usage), stderr);
        return 2;
    }
    char *pass = cmd_new_passphrase("khaosat keys");
    if (!pass)
        return 1;
    int rc = 1;
    char *err = NULL;
    if (keys_backup(st, o->to, pass, &err) != 0)
        cmd_eprintf("khaosat keys: %s\n", err);
    else {
        cmd_eprintf(_("khaosat keys: keys backed up to %s; keep it and "
                          "its passphrase apart\n"), o->to);
        rc = 0;
    }
    cmd_drop_passphrase(pass);
    free(err);
    return rc;
}

static int keys_restore_cmd(store *st, const kopts *o, const char *file)
{
    char *pass = cmd_read_passphrase(_("Passphrase of the backup: "));
    char fpr[KEYS_FPR_SIZE], *err = NULL;
    int rc = 1;
    if (!pass)
        cmd_eprintf(_("khaosat keys: no terminal to ask for a passphrase "
                          "(or set KHAOSAT_PASSPHRASE)\n"));
    else if (keys_restore(st, file, pass, o->replace, fpr, &err) != 0)
        cmd_eprintf("khaosat keys: %s\n", err);
    else {
        cmd_printf(_("restored: this database is now %s\n"), fpr);
        rc = 0;
    }
    cmd_drop_passphrase(pass);
    free(err);
    return rc;
}

/* Run subcommand sub with its operands in argv[optind..]. */
static int keys_run(store *st, const char *sub, const kopts *o, int nargs,
                    char **args)
{
    if (!strcmp(sub, "export") && nargs == 0)
        return keys_export(st, o);
    if (!strcmp(sub, "trust") && nargs == 1)
        return keys_trust_cmd(st, o, args[0]);
    if (!strcmp(sub, "list") && nargs == 0)
        return keys_list_cmd(st);
    if (!strcmp(sub, "revoke") && nargs == 1)
        return keys_revoke_cmd(st, args[0]);
    if (!strcmp(sub, "backup") && nargs == 0)
        return keys_backup_cmd(st, o);
    if (!strcmp(sub, "restore") && nargs == 1)
        return keys_restore_cmd(st, o, args[0]);
    fputs(_(keys_usage), stderr);
    return 2;
}

int cmd_keys(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        int help = argc >= 2 && !strcmp(argv[1], "--help");
        fputs(_(keys_usage), help ? stdout : stderr);
        return help ? 0 : 2;
    }
    const char *sub = argv[1];
    kopts o;
    int rc = parse_kopts(argc - 1, argv + 1, &o);
    if (rc)
        return rc < 0 ? 2 : 0;
    static const char *const known[] = {"export", "trust", "list", "revoke",
                                        "backup", "restore"};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        ok |= !strcmp(sub, known[i]);
    if (!ok) {
        fputs(_(keys_usage), stderr);
        return 2;
    }
    /* Only writing this database's card, or restoring its keys on a new
     * laptop, may start a database: listing, trusting or backing up keys
     * of a mistyped path must not make a new identity there. */
    int starts = !strcmp(sub, "export") || !strcmp(sub, "restore");
    int created = 0;
    store *st = cmd_open_store_new("khaosat keys", o.db, starts
                                   ? STORE_CREATE_MISSING
                                   : !strcmp(sub, "list")
                                   ? STORE_READ_ONLY_OK
                                   : STORE_REFUSE_MISSING, &created);
    if (!st)
        return 1;
    rc = keys_run(st, sub, &o, argc - 1 - optind, argv + 1 + optind);
    /* A refused export or restore leaves no new database behind. */
    cmd_close_store(st, "khaosat keys", created, rc == 0);
    return rc;
}
