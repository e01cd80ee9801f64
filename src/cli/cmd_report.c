/* cmd_report.c: khaosat report (conditions, indicators, needs, coverage)
 * and khaosat csv (the data for spreadsheets). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/durable.h"
#include "core/ui_text.h"
#include "report/csv.h"
#include "core/i18n.h"
#include "report/report.h"

/* Print the usage of report. */
static void report_usage(FILE *f)
{
    fprintf(f, _("Usage: khaosat report [--db PATH] [--forms DIR] "
                 "[--report FILE] [--commune CODE] [--by-village]\n"
                 "       [--approved-only] [--with-superseded]\n"
                 "       [--format text|markdown|csv|html|proposal] [--lang CODE] "
                 "[--out FILE] [--sync] [--jobs 1|2]\n"
                 "       khaosat report --communes [--sort qualify|code] "
                 "[--format text|csv|html] ...\n"));
}

/* The database path: --db, else the default; NULL with a message. */
static char *db_path(const char *prog, const char *db_opt)
{
    char *path = NULL;
    if (db_opt && *db_opt)
        return xstrdup(db_opt);
    if (store_default_path(&path)) {
        cmd_eprintf(_("%s: cannot find the database; give one with "
                          "--db PATH\n"), prog);
        return NULL;
    }
    return path;
}

/* Open the database of --db (else the default) for reading; NULL after
 * printing why not. */
static rscan *open_scan(const char *prog, const char *db_opt)
{
    char *path = db_path(prog, db_opt);
    if (!path)
        return NULL;
    rscan *s = NULL;
    char *err = NULL;
    if (rscan_open(path, &s, &err)) {
        cmd_eprintf("%s: %s\n", prog, err);
        free(err);
        s = NULL;
    }
    free(path);
    return s;
}

/* report_refresh's note: say when figures are computed again because
 * the definition or a form version changed. */
static void refresh_note(void *ctx, long computed, long changed)
{
    (void)computed;
    if (changed)
        cmd_eprintf(_("%s: report definition changed: recomputing figures "
                      "for %ld interviews\n"), (const char *)ctx, changed);
}

/* Make sure the report of o can be made as asked, then bring the stored
 * figures of the database up to def (report_prepare, as the report
 * screen does); 0, or 1 after printing why not. */
static int prepare_figures(const char *prog, const report_def *def,
                           const catalog *cat, rscan *s,
                           const report_opts *o, int communes,
                           const char *db_opt)
{
    char *path = db_path(prog, db_opt), *err = NULL;
    int rc = path ? report_prepare(def, cat, s, o, communes, path,
                                   refresh_note, (void *)prog, &err)
                  : -1;
    free(path);
    if (rc == 0)
        return 0;
    if (err)
        cmd_eprintf("%s: %s\n", prog, err);
    free(err);
    return 1;
}

/* Set by --sync: files written reach the disk before the command ends. */
static int sync_out;

/* --lang: the whole document speaks it, the program's own words (the
 * message catalogue) as well as the definition's texts, whatever the
 * locale says. */
static void cmd_speak(const char *lang)
{
    setenv("LANGUAGE", lang, 1);
    /* gettext ignores LANGUAGE in the C locale. */
    const char *cur = setlocale(LC_MESSAGES, NULL);
    if (cur && (!strcmp(cur, "C") || !strcmp(cur, "POSIX")))
        setlocale(LC_MESSAGES, "C.UTF-8");
    textdomain(PACKAGE);    /* drops the translations looked up so far */
}

/* Write text to path ("-" or NULL: standard output); 0 or 1.  A file is
 * always written durably (temporary, fsync, rename, directory fsync): a
 * cut leaves the old file or the whole new one, and a database's name is
 * refused rather than written over.  Made safe for the terminal first: it
 * may be shown with cat later. */
static int write_out(const char *prog, const char *path, const char *text)
{
    if (!path || !strcmp(path, "-")) {
        cmd_puts_safe(text, stdout);
        return fflush(stdout) ? 1 : 0;
    }
    char *safe = ui_text_safe(text, UI_TEXT_LINES), *err = NULL;
    int rc = durable_write_file(path, safe, strlen(safe), 0600,
                                DURABLE_REPLACE, &err);
    free(safe);
    if (rc == 0)
        return 0;
    cmd_eprintf("%s: %s\n", prog, err);
    free(err);
    return 1;
}

/* Sync the files csv wrote and their folder (--sync); 0 or 1. */
static int sync_csv(const char *prog, const char *dir, const csv_summary *sum)
{
    char *err = NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sum->n; i++)
        rc = durable_sync_file(sum->files[i].path, &err);
    if (rc == 0)
        rc = durable_sync_dir(dir, &err);
    /* A folder made by this command needs its own name synced too. */
    char *parent = durable_dirname(dir);
    if (rc == 0)
        rc = durable_sync_dir(parent, &err);
    free(parent);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        free(err);
        return 1;
    }
    return 0;
}

/* Load and check the report definition; NULL after printing why. */
static report_def *load_def(const char *prog, const char *file,
                            const catalog *cat)
{
    char *path = file ? xstrdup(file) : xasprintf("%s/report.yaml", cat->dir);
    diag_list d;
    diag_init(&d);
    report_def *def = report_def_load(path, &d);
    if (def && report_def_check(def, cat, &d)) {
        report_def_free(def);
        def = NULL;
    }
    for (size_t i = 0; i < d.n; i++) {
        char *m = diag_format(&d.v[i]);
        cmd_eprintf("%s: %s\n", prog, m);
        free(m);
    }
    if (!def && !d.n)
        cmd_eprintf(_("%s: %s: cannot use this report definition\n"),
                prog, path);
    diag_free(&d);
    free(path);
    return def;
}

/* khaosat report --communes: the comparison written to out; 0 or 1. */
static int compare_communes(const char *prog, const report_def *def,
                            const catalog *cat, rscan *s, const report_opts *o,
                            const char *sort, report_format fmt, const char *out)
{
    report_cmp *c = NULL;
    char *err = NULL;
    if (report_compare(def, cat, s, o, sort, &c, &err)) {
        cmd_eprintf("%s: %s\n", prog, err);
        free(err);
        return 1;
    }
    /* A CSV file has no place for them: they go to the terminal. */
    size_t nw;
    char *const *warn = report_compare_warnings(c, &nw);
    for (size_t i = 0; fmt == REPORT_CSV && i < nw; i++)
        cmd_eprintf(_("%s: warning: %s\n"), prog, warn[i]);
    char *text = report_compare_render(c, fmt);
    int rc = write_out(prog, out, text);
    free(text);
    report_compare_free(c);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'D'},
        {"forms", required_argument, NULL, 'F'},
        {"report", required_argument, NULL, 'r'},
        {"commune", required_argument, NULL, 'c'},
        {"by-village", no_argument, NULL, 'v'},
        {"format", required_argument, NULL, 'f'},
        {"lang", required_argument, NULL, 'l'},
        {"out", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"communes", no_argument, NULL, 'C'},
        {"sort", required_argument, NULL, 's'},
        {"sync", no_argument, NULL, 'S'},
        {"approved-only", no_argument, NULL, 'A'},
        {"with-superseded", no_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "khaosat report";
    const char *db = NULL, *forms = NULL, *file = NULL, *out = NULL;
    const char *sort = NULL;
    int communes = 0;
    unsigned select = 0;
    report_opts o = {NULL, 0, "vi", NULL, 0};
    report_format fmt = REPORT_TEXT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'D': db = optarg; break;
        case 'F': forms = optarg; break;
        case 'r': file = optarg; break;
        case 'c': o.commune = optarg; break;
        case 'v': o.by_village = 1; break;
        case 'l': o.lang = optarg; cmd_speak(optarg); break;
        case 'o': out = optarg; break;
        case 'C': communes = 1; break;
        case 's': sort = optarg; break;
        case 'S': sync_out = 1; break;
        case 'A': select |= RSCAN_APPROVED_ONLY; break;
        case 'W': select |= RSCAN_SUPERSEDED; break;
        case 'j':
            o.jobs = (int)cmd_parse_count(optarg);
            if (o.jobs < 1 || o.jobs > 2) {
                cmd_eprintf(_("%s: --jobs takes 1 or 2\n"), prog);
                return 2;
            }
            break;
        case 'f':
            if (report_format_parse(optarg, &fmt)) {
                cmd_eprintf(_("%s: unknown format '%s'; use text, "
                              "markdown, csv, html or proposal\n"), prog, optarg);
                return 2;
            }
            break;
        case 'h': report_usage(stdout); return 0;
        default: report_usage(stderr); return 2;
        }
    }
    if (communes && o.commune) {
        cmd_eprintf(_("%s: --communes and --commune exclude each other: "
                      "--communes compares every commune, --commune CODE "
                      "reports on one\n"), prog);
        return 2;
    }
    if (sort && !communes) {
        cmd_eprintf(_("%s: --sort orders the comparison: give it with "
                      "--communes\n"), prog);
        return 2;
    }
    if (optind != argc) {
        report_usage(stderr);
        return 2;
    }
    if (fmt == REPORT_PROPOSAL && (communes || !out || !strcmp(out, "-"))) {
        cmd_eprintf(_("%s: --format proposal writes a file: give it with "
                      "--out FILE.odt (one commune, not --communes)\n"), prog);
        return 2;
    }
    if (sort && strcmp(sort, "qualify") && strcmp(sort, "code")) {
        cmd_eprintf(_("%s: unknown order '%s'; use qualify or code\n"),
                prog, sort);
        return 2;
    }
    rscan *s = open_scan(prog, db);
    if (!s)
        return 1;
    rscan_select(s, select);
    char *err = NULL;
    catalog *cat = cmd_load_catalog(prog, forms);
    report_def *def = cat ? load_def(prog, file, cat) : NULL;
    int rc = 1;
    if (def && prepare_figures(prog, def, cat, s, &o, communes, db)) {
        report_def_free(def);
        def = NULL;
    }
    if (def) {
        char when[32];
        report_generated_now(when);
        o.generated = when;
        report_result *r = NULL;
        if (communes) {
            rc = compare_communes(prog, def, cat, s, &o, sort, fmt, out);
        } else if (report_run(def, cat, s, &o, &r, &err)) {
            cmd_eprintf("%s: %s\n", prog, err);
            free(err);
        } else if (fmt == REPORT_PROPOSAL) {
            rc = report_write_proposal(r, out, &err) ? 1 : 0;
            if (rc) {
                cmd_eprintf("%s: %s\n", prog, err);
                free(err);
            }
            report_result_free(r);
        } else {
            char *text = report_render(r, fmt);
            rc = write_out(prog, out, text);
            free(text);
            report_result_free(r);
        }
    }
    report_def_free(def);
    catalog_free(cat);
    rscan_close(s);
    return rc;
}

static const char csv_usage[] = N_(
    "Usage: khaosat csv --out DIR [--db PATH] [--forms DIR] [--labels] "
    "[--lang CODE] [--bom] [--drafts] [--sync] [--with-superseded]\n");

int cmd_csv(int argc, char **argv)
{
    const char *prog = "khaosat csv";
    const char *db = NULL, *forms = NULL;
    csv_opts o = {NULL, 0, 0, NULL, 0};
    int superseded = 0;
    const cmd_option opts[] = {
        {"db", &db, NULL, NULL},
        {"forms", &forms, NULL, NULL},
        {"out", &o.dir, NULL, NULL},
        {"labels", NULL, NULL, &o.labels},
        {"lang", &o.lang, NULL, NULL},
        {"bom", NULL, NULL, &o.bom},
        {"drafts", NULL, NULL, &o.drafts},
        {"sync", NULL, NULL, &sync_out},
        {"with-superseded", NULL, NULL, &superseded},
    };
    int rc = cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                               _(csv_usage));
    if (rc)
        return rc < 0 ? 2 : 0;
    if (o.lang)
        cmd_speak(o.lang);
    if (optind != argc || !o.dir) {
        fputs(_(csv_usage), stderr);
        return 2;
    }
    /* The database first: a mistyped --db leaves no folder behind. */
    rscan *s = open_scan(prog, db);
    if (!s)
        return 1;
    if (mkdir(o.dir, 0777) && errno != EEXIST) {
        int e = errno;
        if (e == EACCES || e == EPERM || e == EROFS)
            cmd_eprintf(_("%s: cannot create %s: the folder is read-only for "
                          "this user (%s); choose a folder you can write\n"),
                        prog, o.dir, strerror(e));
        else
            cmd_eprintf(_("%s: cannot create %s: %s\n"), prog, o.dir,
                        strerror(e));
        rscan_close(s);
        return 1;
    }
    /* Superseded duplicates are not data unless asked for. */
    rscan_select(s, superseded ? RSCAN_SUPERSEDED : 0);
    char *err = NULL;
    catalog *cat = cmd_load_catalog(prog, forms);
    rc = 1;
    csv_summary sum = {NULL, 0, 0};
    if (cat) {
        if (csv_export(s, cat, &o, &sum, &err)) {
            cmd_eprintf("%s: %s\n", prog, err);
            free(err);
        } else {
            for (size_t i = 0; i < sum.n; i++)
                cmd_printf(_("%s: %ld rows\n"), sum.files[i].path, sum.files[i].rows);
            if (sum.drafts_left_out)
                cmd_printf(_("%ld draft(s) left out: only finalised interviews are "
                         "exported (--drafts adds them)\n"),
                       sum.drafts_left_out);
            rc = sync_out ? sync_csv(prog, o.dir, &sum) : 0;
        }
    }
    csv_summary_free(&sum);
    catalog_free(cat);
    rscan_close(s);
    return rc;
}
