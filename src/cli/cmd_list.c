/* cmd_list.c: khaosat list: the interviews as the home screen lists them
 * (session_list, the same entry point), by the name their form gives them
 * in natural order, with their status. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"
#include "session/listing.h"

/* Print one interview: UUID, state (as the home screen's list shows it:
 * draft, complete, returned or superseded), last change and name, tab
 * separated; the name (from the data) made terminal-safe. */
static void list_print(const session_listed *l)
{
    char *name = ui_text_safe(l->name, 0);
    cmd_printf("%s\t%s\t%s\t%s\n", l->iv.uuid, l->state,
               l->iv.updated ? l->iv.updated : "", name);
    free(name);
}

int cmd_list(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat list [--db PATH] [--form ID] "
                          "[--status draft|complete]\n");
    const char *db = NULL, *form_id = NULL, *status = NULL;
    const cmd_option opts[] = {
        {"db", &db, NULL, NULL},
        {"form", &form_id, NULL, NULL},
        {"status", &status, NULL, NULL},
    };
    int rc = cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                               usage);
    if (rc)
        return rc < 0 ? 2 : 0;
    if (argc != optind || (status && strcmp(status, "draft") != 0 &&
                           strcmp(status, "complete") != 0)) {
        fputs(usage, stderr);
        return 2;
    }
    store *st = cmd_open_store("khaosat list", db, STORE_READ_ONLY_OK);
    if (!st)
        return 1;
    /* A misspelt form would list nothing and look like no interviews. */
    int known = form_id ? store_form_known(st, form_id) : 1;
    if (known <= 0) {
        if (known < 0)
            cmd_eprintf("khaosat list: %s\n", store_errmsg(st));
        else
            cmd_eprintf(_("khaosat list: this database has no form %s\n"),
                        form_id);
        store_close(st);
        return 1;
    }
    session_listed *l;
    size_t n;
    rc = session_list(st, form_id, &l, &n);
    if (rc)
        cmd_eprintf("khaosat list: %s\n", store_errmsg(st));
    for (size_t i = 0; !rc && i < n; i++)
        if (!status || (l[i].iv.status == STORE_DRAFT) ==
                           !strcmp(status, "draft"))
            list_print(&l[i]);
    session_list_free(l, n);
    store_close(st);
    return rc ? 1 : 0;
}
