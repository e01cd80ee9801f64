/* ui_returned.c: interviews the office returned for correction, on the
 * laptop: their count and list first on the home screen, and the
 * supervisor's comment shown when one is opened. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/ui.h"

long ui_returned_count(ui_app *a)
{
    long n = 0;
    if (store_returned_count(a->st, &n) != 0)
        return 0;
    return n;
}

char *ui_returned_comment(ui_app *a, const store_interview *iv,
                          int *earlier)
{
    char *comment = NULL;
    int e = 0;
    if (store_returned_get(a->st, iv->uuid, &comment, &e) != 0)
        return NULL;
    if (earlier)
        *earlier = e;
    return comment;
}

void ui_returned_notice(ui_app *a, const store_interview *iv)
{
    int earlier = 0;
    char *comment = ui_returned_comment(a, iv, &earlier);
    if (!comment)
        return;
    char *text = earlier
        ? xasprintf(_("The office returned an earlier version of this "
                      "interview: the return reached this laptop after "
                      "the interview was changed, so it was not reopened. "
                      "The supervisor's comment (about the earlier "
                      "version):\n\n%s\n\nIf it still "
                      "applies, reopen the interview (E), correct "
                      "the answers and finalise it again; the next export "
                      "carries the correction to the office."), comment)
        : xasprintf(_("The office returned this interview for "
                      "correction. The supervisor's comment:\n\n%s"
                      "\n\nCorrect the answers, then finalise it "
                      "again; the next export carries the "
                      "correction to the office."), comment);
    ui_show_text(earlier ? _("Returned by the office (an earlier version)")
                         : _("Returned by the office"), text);
    free(text);
    free(comment);
}

/* The returned drafts, as collected. */
typedef struct returned_list {
    char **uuid, **comment;
    size_t n;
} returned_list;

static int returned_collect(void *ctx, const char *uuid, const char *comment,
                            int earlier)
{
    returned_list *l = ctx;
    l->uuid = xrealloc(l->uuid, (l->n + 1) * sizeof *l->uuid);
    l->comment = xrealloc(l->comment, (l->n + 1) * sizeof *l->comment);
    l->uuid[l->n] = xstrdup(uuid);
    /* One about an earlier version says so before the comment. */
    l->comment[l->n] = earlier ? xasprintf(_("(earlier version) %s"), comment)
                               : xstrdup(comment);
    l->n++;
    return 0;
}

static void returned_free(returned_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->uuid[i]);
        free(l->comment[i]);
    }
    free(l->uuid);
    free(l->comment);
    memset(l, 0, sizeof *l);
}

/* One line: the case key (or UUID) and the comment. */
static char *returned_line(ui_app *a, const char *uuid, const char *comment)
{
    store_interview iv;
    if (store_get_interview(a->st, uuid, &iv) != 0)
        return xstrdup(uuid);
    form *owned = NULL;
    const form *f = ui_form_of(a, &iv, &owned);
    char *key = f ? ui_case_key(a, f, uuid, NULL) : NULL;
    char *line = xasprintf("%s  %s  %s", iv.form_id,
                           key && *key ? key : uuid, comment);
    free(key);
    form_free(owned);
    store_interview_clear(&iv);
    return line;
}

void ui_returned(ui_app *a)
{
    size_t sel = 0;
    for (;;) {
        returned_list l = {NULL, NULL, 0};
        if (store_returned_each(a->st, returned_collect, &l) != 0
            || l.n == 0) {
            returned_free(&l);
            return;
        }
        char **e = xcalloc(l.n + 1, sizeof *e);
        for (size_t i = 0; i < l.n; i++)
            e[i] = returned_line(a, l.uuid[i], l.comment[i]);
        char *title = xasprintf(_("Returned by the office: %zu"), l.n);
        int k = ui_pick_key(title, _("Enter open   Esc back"), e, NULL, l.n,
                            &sel, "");
        free(title);
        for (size_t i = 0; i < l.n; i++)
            free(e[i]);
        free(e);
        store_interview iv;
        if (k == '\n' && store_get_interview(a->st, l.uuid[sel], &iv) == 0) {
            ui_open_interview(a, &iv);
            store_interview_clear(&iv);
        }
        returned_free(&l);
        if (k == UI_ESC)
            return;
    }
}
