/* catalog.h: the forms available on this laptop, read from a directory of
 * *.yaml files (the installed forms, or --forms DIR / KHAOSAT_FORMS). */
#ifndef KHAOSAT_CATALOG_H
#define KHAOSAT_CATALOG_H

#include <stddef.h>

#include "core/form.h"
#include "core/util.h"

typedef struct catalog {
    form **forms;     /* loaded without error, sorted by id */
    size_t n;
    char *dir;
    char *broken;     /* the errors of the form files left out, each
                       * "FILE:LINE:COL: message", "; " between them;
                       * NULL when every form loaded */
} catalog;

/* Load every *.yaml form file of dir (report definitions, report.yaml and
 * *.report.yaml, are not forms). Forms with errors are left out, their
 * errors appended to diags and kept in the catalog's broken. Returns NULL
 * when dir cannot be read (diags says why). */
catalog *catalog_load(const char *dir, diag_list *diags);
/* Non-zero when path names a report definition (report.yaml or
 * *.report.yaml) rather than a form. */
int catalog_is_report_file(const char *path);
/* Free the catalog and its forms (NULL is fine). */
void catalog_free(catalog *c);
/* The form with this id, or NULL. When several versions are present the
 * last loaded wins; version NULL matches any. */
const form *catalog_find(const catalog *c, const char *id, const char *version);
/* Load the forms directory chosen by dir_opt (see catalog_default_dir),
 * for a command or a screen to start with.  *notes is set to the lines to
 * show the user (each form error as FILE:LINE:COL: message, then what to
 * do), newly allocated, or NULL when there is nothing to say.  Returns
 * NULL when no form can be read. */
catalog *catalog_open(const char *dir_opt, char **notes);
/* The directory to read forms from: dir_opt, else $KHAOSAT_FORMS, else the
 * source tree's forms/ when running from the build tree, else the installed
 * forms. Newly allocated. */
char *catalog_default_dir(const char *dir_opt);

#endif
