/* ui_home.c: the home screen (the forms with their interview counts) and
 * the list of a form's interviews, from which drafts are resumed,
 * completed ones reopened and drafts deleted. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "ui/ui.h"
#include "core/util.h"

/* The interviews of one form, newest first. */
typedef struct home_list {
    store_interview *v;
    size_t n, cap;
} home_list;

static int home_collect(void *ctx, const store_interview *iv)
{
    home_list *l = ctx;
    l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    store_interview *d = &l->v[l->n++];
    memset(d, 0, sizeof *d);
    d->uuid = xstrdup(iv->uuid);
    d->form_id = xstrdup(iv->form_id);
    d->form_version = xstrdup(iv->form_version);
    d->status = iv->status;
    d->updated = xstrdup(iv->updated);
    d->enumerator = xstrdup(iv->enumerator);
    return 0;
}

static void home_list_free(home_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        store_interview_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Put drafts before completed interviews, keeping newest first in each:
 * drafts are what the enumerator comes back for. */
static void home_drafts_first(home_list *l)
{
    store_interview *v = xcalloc(l->n + 1, sizeof *v);
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < l->n; i++)
            if ((l->v[i].status == STORE_DRAFT) == (pass == 0))
                v[k++] = l->v[i];
    free(l->v);
    l->v = v;
    l->cap = l->n + 1;
}

/* The case key answers of one interview, "village: v01, hh_no: 12". */
struct home_keys {
    const form *f;
    sbuf b;
};

static int home_key_answer(void *ctx, const char *qid, const char *path,
                           const char *value)
{
    struct home_keys *k = ctx;
    if (*path)
        return 0;
    for (size_t i = 0; i < k->f->nkey; i++)
        if (!strcmp(k->f->q[k->f->key[i]].id, qid))
            sbuf_addf(&k->b, "%s%s=%s", k->b.len ? ", " : "", qid, value);
    return 0;
}

/* One line of the interview list. */
static char *home_entry(ui_app *a, const form *f, const store_interview *iv)
{
    struct home_keys k = {f, {NULL, 0, 0}};
    sbuf_init(&k.b);
    if (f)
        store_load_answers(a->st, iv->uuid, home_key_answer, &k);
    char when[17];
    snprintf(when, sizeof when, "%.16s", iv->updated ? iv->updated : "");
    char *t = strchr(when, 'T');
    if (t)
        *t = ' ';
    char *back = ui_returned_comment(a, iv);
    const char *st = back ? _("returned") : iv->status == STORE_DRAFT
        ? _("draft") : _("complete");
    free(back);
    char *stp = ui_text_truncate(st, 10);
    int pad = 10 - ui_text_width(stp);
    char *e = xasprintf("%s%*s  %s  %s", stp, pad > 0 ? pad : 0, "", when,
                        k.b.len ? k.b.s : iv->uuid);
    free(stp);
    sbuf_free(&k.b);
    return e;
}

const form *ui_form_of(ui_app *a, const store_interview *iv, form **owned)
{
    *owned = NULL;
    const form *f = catalog_find(a->cat, iv->form_id, iv->form_version);
    if (f)
        return f;
    store_form sf;
    if (store_load_form(a->st, iv->form_id, iv->form_version, &sf))
        return NULL;
    diag_list d;
    diag_init(&d);
    form *lf = form_load_string(sf.source, sf.source_len, iv->form_id, &d);
    store_form_clear(&sf);
    if (lf && d.n) {
        form_free(lf);
        lf = NULL;
    }
    if (lf)
        store_setup_bind(a->st, lf, 1);
    diag_free(&d);
    *owned = lf;
    return lf;
}

/* Show an error until a key is pressed. */
static void home_error(const char *msg)
{
    ui_status(msg, UI_ERROR);
    refresh();
    ui_getkey();
}

static void home_open(ui_app *a, const store_interview *iv);

/* Open the interview the one just left asked for (same key), if any. */
static void home_open_next(ui_app *a)
{
    char *uuid = a->open_next;
    a->open_next = NULL;
    if (!uuid)
        return;
    store_interview iv;
    if (store_get_interview(a->st, uuid, &iv) == 0) {
        home_open(a, &iv);
        store_interview_clear(&iv);
    }
    free(uuid);
}

/* Resume (or reopen) interview iv. */
static void home_open(ui_app *a, const store_interview *iv)
{
    form *owned;
    const form *f = ui_form_of(a, iv, &owned);
    if (!f) {
        home_error(_("The form of this interview cannot be read."));
        return;
    }
    session *s = NULL;
    char *err = NULL;
    if (session_resume(a->st, f, iv->uuid, ui_form_lang(a, f), &s, &err)) {
        home_error(err ? err : store_errmsg(a->st));
        free(err);
    } else {
        ui_returned_notice(a, iv);
        ui_interview(a, s);
        session_free(s);
    }
    form_free(owned);
    home_open_next(a);
}

void ui_open_interview(ui_app *a, const store_interview *iv)
{
    home_open(a, iv);
}

/* Delete draft iv after asking. */
static void home_delete(ui_app *a, const store_interview *iv)
{
    if (iv->status != STORE_DRAFT) {
        home_error(_("Only drafts can be deleted."));
        return;
    }
    if (!ui_confirm(_("Delete this draft and all its answers?")))
        return;
    if (store_interview_delete(a->st, iv->uuid))
        home_error(store_errmsg(a->st));
}

/* The interviews of form f: Enter opens one, d deletes a draft. */
static void home_interviews(ui_app *a, const form *f)
{
    size_t sel = 0;
    for (;;) {
        home_list l = {NULL, 0, 0};
        if (store_list_interviews(a->st, f->id, home_collect, &l)) {
            home_error(store_errmsg(a->st));
            home_list_free(&l);
            return;
        }
        home_drafts_first(&l);
        char **e = xcalloc(l.n + 1, sizeof *e);
        for (size_t i = 0; i < l.n; i++)
            e[i] = home_entry(a, f, &l.v[i]);
        char *title = xasprintf(_("Interviews: %s"),
                                form_text_get(f, f->title, ui_form_lang(a, f)));
        int k = ui_pick_key(title, _("Enter open   d delete draft   Esc back"),
                            e, NULL, l.n, &sel, "d");
        free(title);
        for (size_t i = 0; i < l.n; i++)
            free(e[i]);
        free(e);
        if (k == '\n')
            home_open(a, &l.v[sel]);
        else if (k == 'd' && l.n)
            home_delete(a, &l.v[sel]);
        home_list_free(&l);
        if (k == UI_ESC)
            return;
    }
}

/* Start a new interview of f. */
static void home_new(ui_app *a, const form *f)
{
    session *s = NULL;
    char *err = NULL;
    if (session_new(a->st, f, a->enumerator, ui_form_lang(a, f), &s, &err)) {
        home_error(err ? err : store_errmsg(a->st));
        free(err);
        return;
    }
    a->fresh = s;
    ui_interview(a, s);
    a->fresh = NULL;
    /* Enter and Esc at once leave nothing behind, as a blank new form is
     * discarded. */
    if (session_discard_blank(s) < 0)
        home_error(session_errmsg(s));
    session_free(s);
    home_open_next(a);
}

/* One line of the home list: the form with its counts. */
static char *home_form_line(ui_app *a, const form *f, int width)
{
    store_counts c = {0, 0, 0};
    store_count(a->st, f->id, &c);
    char *counts = xasprintf(_("drafts %ld  complete %ld  not exported %ld"),
                             c.drafts, c.complete, c.not_exported);
    int cw = ui_text_width(counts);
    int tw = width - cw - 2 > 10 ? width - cw - 2 : 10;
    char *t = ui_text_truncate(form_text_get(f, f->title, ui_form_lang(a, f)), tw);
    int pad = tw - ui_text_width(t);
    char *line = xasprintf("%s%*s  %s", t, pad > 0 ? pad : 0, "", counts);
    free(t);
    free(counts);
    return line;
}

/* The title bar of the home screen. */
static char *home_title(ui_app *a)
{
    char *commune = NULL;
    store_setting_get(a->st, "commune", &commune);
    char *t = xasprintf(_("khaosat   enumerator: %s   commune: %s"),
                        a->enumerator ? a->enumerator : "",
                        commune ? commune : "-");
    free(commune);
    return t;
}

/* The supervisor's keys of the home screen; 0 when k is not one. */
static int home_office_key(ui_app *a, int k)
{
    switch (k) {
    case 'b': ui_browse(a); return 1;
    case 'e': ui_export(a); return 1;
    case 'm': ui_merge(a); return 1;
    case 'c': ui_conflicts(a); return 1;
    case 'R': ui_report(a); return 1;
    case 'k': ui_keys(a); return 1;
    case 'B': ui_backup(a); return 1;
    case '?': ui_help_home(); return 1;
    default: return 0;
    }
}

void ui_home(ui_app *a)
{
    size_t sel = 0;
    for (;;) {
        /* Interviews the office returned come first, as one line. */
        long back = ui_returned_count(a);
        size_t first = back > 0 ? 1 : 0;
        size_t n = a->cat->n + first;
        char **e = xcalloc(n + 1, sizeof *e);
        if (first)
            e[0] = xasprintf(_("Returned by the office: %ld (Enter to "
                               "correct them)"), back);
        for (size_t i = first; i < n; i++)
            e[i] = home_form_line(a, a->cat->forms[i - first], COLS - 4);
        char *title = home_title(a);
        int k = ui_pick_key(title,
                            _("Enter new  r list  b browse  e export  "
                              "m merge  c conflicts  R report  ? help"),
                            e, NULL, n, &sel, "nrsbemcRkB?q");
        free(title);
        for (size_t i = 0; i < n; i++)
            free(e[i]);
        free(e);
        if (first && sel == 0 && (k == '\n' || k == 'n' || k == 'r')) {
            ui_returned(a);
            continue;
        }
        if (sel >= n)
            sel = n ? n - 1 : 0;
        /* q quits; Esc, the key that goes back everywhere else, asks
         * first, so that pressing it once too often keeps you here. */
        if (k == 'q' || (k == UI_ESC && ui_confirm(_("Quit khaosat?"))))
            return;
        if (k == UI_ESC)
            continue;
        if (k == 's') {
            ui_setup(a);
            continue;
        }
        if (home_office_key(a, k))
            continue;
        if (n == first || sel < first)
            continue;
        if (k == '\n' || k == 'n')
            home_new(a, a->cat->forms[sel - first]);
        else if (k == 'r')
            home_interviews(a, a->cat->forms[sel - first]);
    }
}
