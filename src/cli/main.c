/* main.c: the khaosat program: picks a subcommand, git style. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cmd.h"
#include "core/clock.h"
#include "ui/ui_main.h"
#include "core/i18n.h"
#include "core/util.h"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"validate", cmd_validate, N_("check form files and list their indicators")},
    {"eval", cmd_eval, N_("evaluate one expression against given answers")},
    {"simulate", cmd_simulate, N_("fill interviews with random valid answers")},
    {"report", cmd_report, N_("conditions, indicators, needs and coverage")},
    {"csv", cmd_csv, N_("export the interviews as CSV files")},
    {"export", cmd_export, N_("write a sync bundle for the commune office")},
    {"verify", cmd_verify, N_("check sync bundles without merging them")},
    {"bundle", cmd_bundle, N_("the SQLite file inside a bundle (bundle dump)")},
    {"merge", cmd_merge, N_("merge sync bundles into this database")},
    {"forms", cmd_forms, N_("accept the forms a bundle carries as this database's")},
    {"conflicts", cmd_conflicts, N_("list answers changed on two laptops")},
    {"duplicates", cmd_duplicates, N_("list possible duplicate interviews")},
    {"setup", cmd_setup, N_("the commune, its villages and household lists")},
    {"review", cmd_review, N_("approve an interview or return it with a comment")},
    {"reviews", cmd_reviews, N_("list interviews with their review state")},
    {"resolve", cmd_resolve, N_("choose the value of a conflicting answer")},
    {"backup", cmd_backup, N_("a checked copy of the database, taken while in use")},
    {"restore", cmd_restore, N_("put a backup back as the database")},
    {"import-xlsform", cmd_import_xlsform, N_("turn an XLSForm workbook into a khaosat form")},
    {"export-xlsform", cmd_export_xlsform, N_("write a khaosat form as an XLSForm workbook")},
    {"keys", cmd_keys, N_("this database's card, trusted cards, key backup")},
    {"list", cmd_list, N_("list the interviews by name, with their status")},
    {"answer", cmd_answer, N_("change one answer of an interview")},
    {"note", cmd_note, N_("write or remove the note on a question of an interview")},
    {"reopen", cmd_reopen, N_("return a complete interview to draft for correction")},
    {"finalise", cmd_finalise, N_("finish an interview after every check")},
};

/* Print the usage summary to f. */
static void print_usage(FILE *f)
{
    fprintf(f, _("Usage: khaosat [--db PATH] [--forms DIR] [--lang CODE]\n"
                 "       khaosat COMMAND [ARGS]...\n"));
    fprintf(f, _("Offline field surveys in the terminal. Without a command, "
                 "opens the interview screen.\n\nCommands:\n"));
    for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
        if (subcommands[i].summary)
            fprintf(f, "  %-14s %s\n", subcommands[i].name,
                    _(subcommands[i].summary));
    fprintf(f, _("\nSee khaosat(1) and khaosat-form(5).\n"));
}

int main(int argc, char **argv)
{
    /* Everything khaosat creates holds answers or keys: databases and
     * their -wal/-shm, CSV files, reports, cards and backups are its
     * owner's alone.  Sealed bundles are made 0644 on purpose (they are
     * safe to carry); see khaosat-bundle(5). */
    umask(077);
    setlocale(LC_ALL, "");
    /* Numbers in answers, expressions, reports and files are always written
     * with a decimal point, whatever the user's locale writes. */
    setlocale(LC_NUMERIC, "C");
    /* Run from the build tree, the messages are the build tree's own. */
    bindtextdomain(PACKAGE, util_in_build_tree() ? BUILDDIR "/locale" : LOCALEDIR);
    textdomain(PACKAGE);
    /* SOURCE_DATE_EPOCH stops the clock, for outputs that must be the
     * same on every run (the golden tests, tests/same_outputs.sh). */
    if (clock_fix_from_env() != 0) {
        fprintf(stderr, _("khaosat: SOURCE_DATE_EPOCH must be a whole number "
                          "of seconds since 1970\n"));
        return 2;
    }
    if (clock_seed_from_env() != 0) {
        fprintf(stderr, _("khaosat: KHAOSAT_TEST_SEED must be a whole "
                          "number\n"));
        return 2;
    }

    /* No subcommand, or only options: the enumerator's screen. */
    if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") &&
                     strcmp(argv[1], "-h") && strcmp(argv[1], "--version")))
        return ui_run(argc, argv);
    /* The commands write UTF-8 whatever the locale: the data they print is
     * UTF-8 already, and under LANG=C gettext would otherwise turn every
     * Vietnamese letter of a translation (report --lang vi) into '?'.
     * Terminal safety is ui_text_safe's, which needs no locale. */
    bind_textdomain_codeset(PACKAGE, "UTF-8");
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        print_usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) {
        printf("khaosat %s\n", PACKAGE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
        if (!strcmp(name, subcommands[i].name))
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, _("khaosat: '%s' is not a khaosat command; see 'khaosat --help'\n"), name);
    return 2;
}
