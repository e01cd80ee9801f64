/* cmd_xlsform.c: `khaosat import-xlsform FORM.xlsx [--out FORM.yaml]` and
 * `khaosat export-xlsform FORM.yaml [--out FORM.xlsx]`. */
#include "config.h"
#include "core/durable.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/form.h"
#include "core/i18n.h"
#include "xlsform/xlsform.h"

static const char import_usage[] = N_(
    "Usage: khaosat import-xlsform FORM.xlsx [--out FORM.yaml]\n");
static const char export_usage[] = N_(
    "Usage: khaosat export-xlsform FORM.yaml [--out FORM.xlsx]\n");

/* path with its extension (if any) replaced by ext; newly allocated. */
static char *with_ext(const char *path, const char *ext)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    size_t n = dot && (!slash || dot > slash + 1) ? (size_t)(dot - path) : strlen(path);
    return xasprintf("%.*s%s", (int)n, path, ext);
}

/* Whether dest names the input file itself (the same path, or the same
 * file reached by another name): writing there would destroy the source. */
static int same_file(const char *in, const char *dest)
{
    struct stat a, b;
    if (strcmp(in, dest) == 0)
        return 1;
    if (stat(in, &a) || stat(dest, &b))
        return 0;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Refuse an output that is the input, naming it; returns 1 if refused. */
static int refuse_same(const char *prog, const char *in, const char *dest)
{
    if (!same_file(in, dest))
        return 0;
    fprintf(stderr, _("%s: %s: the output would replace the input; name "
                      "another file with --out; nothing written\n"),
            prog, dest);
    return 1;
}

/* Print diagnostics on stderr in order. */
static void print_diags(diag_list *d)
{
    for (size_t i = 0; i < d->n; i++) {
        char *s = diag_format(&d->v[i]);
        fprintf(stderr, "%s\n", s);
        free(s);
    }
}

/* Write text to path durably (temporary, fsync, rename, folder fsync),
 * so that a failure or a cut never leaves half a form. Returns 0, or -1
 * with the reason printed. */
static int write_file(const char *prog, const char *path, const char *text)
{
    char *err = NULL;
    if (durable_write_file(path, text, strlen(text), 0600, DURABLE_REPLACE,
                           &err) == 0)
        return 0;
    cmd_eprintf("%s: %s\n", prog, err);
    free(err);
    return -1;
}

/* Count the questions of a form text, to say what was written. */
static size_t question_count(const char *yaml, const char *name, diag_list *d)
{
    form *f = form_load_string(yaml, strlen(yaml), name, d);
    size_t n = f ? f->nq : 0;
    form_free(f);
    return n;
}

int cmd_import_xlsform(int argc, char **argv)
{
    static const char prog[] = "khaosat import-xlsform";
    const char *out = NULL;
    const cmd_option opts[] = {{"out", &out, NULL, NULL}};
    int rc = cmd_parse_options(argc, argv, opts, 1, _(import_usage));
    if (rc)
        return rc < 0 ? 2 : 0;
    if (optind + 1 != argc) {
        fputs(_(import_usage), stderr);
        return 2;
    }
    const char *in = argv[optind];
    char *dest = out ? xstrdup(out) : with_ext(in, ".yaml");
    if (refuse_same(prog, in, dest)) {
        free(dest);
        return 1;
    }
    if (!out && access(dest, F_OK) == 0) {
        fprintf(stderr, _("%s: %s already exists; name the output with --out to "
                          "replace it\n"), prog, dest);
        free(dest);
        return 1;
    }
    char *yaml = NULL, *err = NULL;
    xlsform_map *map = NULL;
    diag_list notes;
    diag_init(&notes);
    if (xlsform_import_mapped(in, &yaml, &map, &notes, &err)) {
        fprintf(stderr, "%s: %s\n", prog, err);
        free(err);
        diag_free(&notes);
        free(dest);
        return 1;
    }
    print_diags(&notes);
    diag_list d;
    diag_init(&d);
    size_t nq = question_count(yaml, dest, &d);
    rc = write_file(prog, dest, yaml) ? 1 : 0;
    if (!rc) {
        /* In the order of the YAML, which is the workbook's, each against
         * the cell to correct. */
        diag_sort(&d);
        xlsform_map_diags(map, &d);
        print_diags(&d);
        printf(_("%s: %zu questions written; %zu cells noted; %zu errors\n"),
               dest, nq, notes.n, d.n);
        rc = d.n ? 1 : 0;
    }
    diag_free(&d);
    diag_free(&notes);
    xlsform_map_free(map);
    free(yaml);
    free(dest);
    return rc;
}

int cmd_export_xlsform(int argc, char **argv)
{
    static const char prog[] = "khaosat export-xlsform";
    const char *out = NULL;
    const cmd_option opts[] = {{"out", &out, NULL, NULL}};
    int rc = cmd_parse_options(argc, argv, opts, 1, _(export_usage));
    if (rc)
        return rc < 0 ? 2 : 0;
    if (optind + 1 != argc) {
        fputs(_(export_usage), stderr);
        return 2;
    }
    const char *in = argv[optind];
    diag_list d;
    diag_init(&d);
    form *f = form_load_file(in, &d);
    if (!f || d.n) {
        diag_sort(&d);
        print_diags(&d);
        if (!f && !d.n)
            fprintf(stderr, "%s: %s: %s\n", prog, in, strerror(errno));
        fprintf(stderr, _("%s: %s has errors; nothing written\n"), prog, in);
        diag_free(&d);
        form_free(f);
        return 1;
    }
    diag_free(&d);
    char *dest = out ? xstrdup(out) : with_ext(in, ".xlsx");
    if (refuse_same(prog, in, dest)) {
        free(dest);
        form_free(f);
        return 1;
    }
    if (!out && access(dest, F_OK) == 0) {
        fprintf(stderr, _("%s: %s already exists; name the output with --out to "
                          "replace it\n"), prog, dest);
        free(dest);
        form_free(f);
        return 1;
    }
    char *err = NULL;
    rc = 0;
    if (xlsform_export(f, dest, &err)) {
        fprintf(stderr, "%s: %s\n", prog, err);
        free(err);
        rc = 1;
    } else {
        printf(_("%s: %zu questions written\n"), dest, f->nq);
    }
    free(dest);
    form_free(f);
    return rc;
}
