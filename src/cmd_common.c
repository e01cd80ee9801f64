/* cmd_common.c: database and forms for the subcommands. */
#include "config.h"
#include "cmd_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

store *cmd_open_store(const char *prog, const char *db_opt)
{
    char *path = NULL;
    if (db_opt && *db_opt) {
        path = xstrdup(db_opt);
    } else if (store_default_path(&path)) {
        fprintf(stderr, _("%s: cannot find a place for the database; give one with --db PATH\n"), prog);
        return NULL;
    }
    int rc = store_mkdirs_for(path);
    if (rc) {
        fprintf(stderr, _("%s: cannot create the directory of %s: %s\n"), prog,
                path, strerror(-rc));
        free(path);
        return NULL;
    }
    store *st = NULL;
    char *err = NULL;
    if (store_open(path, &st, &err)) {
        fprintf(stderr, "%s: %s\n", prog, err ? err : path);
        free(err);
        free(path);
        return NULL;
    }
    free(path);
    return st;
}

catalog *cmd_load_catalog(const char *prog, const char *forms_opt)
{
    char *dir = catalog_default_dir(forms_opt);
    diag_list d;
    diag_init(&d);
    catalog *c = catalog_load(dir, &d);
    diag_sort(&d);
    for (size_t i = 0; i < d.n; i++) {
        char *m = diag_format(&d.v[i]);
        fprintf(stderr, "%s: %s\n", prog, m);
        free(m);
    }
    if (!c)
        fprintf(stderr, _("%s: no forms: give a forms directory with --forms DIR or KHAOSAT_FORMS\n"), prog);
    else if (d.n)
        fprintf(stderr, _("%s: forms with errors were left out; run 'khaosat validate' on them\n"), prog);
    diag_free(&d);
    free(dir);
    return c;
}

long cmd_parse_count(const char *s)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (*end || errno || n < 0 || s[0] == '-' || s[0] == '+' || s[0] == ' ')
        return -1;
    return n;
}
