/* catalog.c: the forms available on this laptop. */
#include "config.h"
#include "core/catalog.h"
#include "core/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Order forms by id, then version. */
static int catalog_cmp(const void *a, const void *b)
{
    const form *x = *(form *const *)a, *y = *(form *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : strcmp(x->version, y->version);
}

int catalog_is_report_file(const char *path)
{
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    size_t n = strlen(name);
    return !strcmp(name, "report.yaml") ||
           (n > 12 && !strcmp(name + n - 12, ".report.yaml"));
}

/* Non-zero when name is a form file: "*.yaml", but not a report
 * definition kept beside the forms. */
static int catalog_is_form_file(const char *name)
{
    size_t n = strlen(name);
    if (n <= 5 || strcmp(name + n - 5, ".yaml") || name[0] == '.')
        return 0;
    return !catalog_is_report_file(name);
}

catalog *catalog_load(const char *dir, diag_list *diags)
{
    DIR *d = opendir(dir);
    if (!d) {
        diag_add(diags, dir, 0, 0, "cannot read the forms directory: %s",
                 strerror(errno));
        return NULL;
    }
    catalog *c = xcalloc(1, sizeof *c);
    c->dir = xstrdup(dir);
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!catalog_is_form_file(e->d_name))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        size_t before = diags->n;
        form *f = form_load_file(path, diags);
        free(path);
        if (!f || diags->n > before) {
            /* Kept, so that what sends the forms on (export --down)
             * refuses a folder missing one, whoever calls it. */
            for (size_t i = before; i < diags->n; i++) {
                char *m = diag_format(&diags->v[i]);
                char *all = c->broken ? xasprintf("%s; %s", c->broken, m)
                                      : xstrdup(m);
                free(c->broken);
                free(m);
                c->broken = all;
            }
            form_free(f);
            continue;
        }
        c->forms = util_grow(c->forms, &cap, c->n + 1, sizeof *c->forms);
        c->forms[c->n++] = f;
    }
    closedir(d);
    if (c->n)
        qsort(c->forms, c->n, sizeof *c->forms, catalog_cmp);
    return c;
}

void catalog_free(catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        form_free(c->forms[i]);
    free(c->forms);
    free(c->dir);
    free(c->broken);
    free(c);
}

const form *catalog_find(const catalog *c, const char *id, const char *version)
{
    const form *found = NULL;
    for (size_t i = 0; c && i < c->n; i++)
        if (!strcmp(c->forms[i]->id, id) &&
            (!version || !strcmp(c->forms[i]->version, version)))
            found = c->forms[i];
    return found;
}

char *catalog_default_dir(const char *dir_opt)
{
    if (dir_opt && *dir_opt)
        return xstrdup(dir_opt);
    const char *env = getenv("KHAOSAT_FORMS");
    if (env && *env)
        return xstrdup(env);
    struct stat sb;
    if (util_in_build_tree() && stat(SRCFORMSDIR, &sb) == 0)
        return xstrdup(SRCFORMSDIR);
    return xstrdup(FORMSDIR);
}

catalog *catalog_open(const char *dir_opt, char **notes)
{
    char *dir = catalog_default_dir(dir_opt);
    diag_list d;
    diag_init(&d);
    catalog *c = catalog_load(dir, &d);
    diag_sort(&d);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < d.n; i++) {
        char *m = diag_format(&d.v[i]);
        sbuf_addf(&b, "%s\n", m);
        free(m);
    }
    if (!c)
        sbuf_add(&b, _("no forms: give a forms directory with --forms DIR "
                       "or KHAOSAT_FORMS\n"));
    else if (d.n)
        sbuf_add(&b, _("forms with errors were left out; run 'khaosat "
                       "validate' on them\n"));
    *notes = b.len ? sbuf_detach(&b) : NULL;
    sbuf_free(&b);
    diag_free(&d);
    free(dir);
    return c;
}
