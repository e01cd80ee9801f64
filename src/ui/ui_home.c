/* ui_home.c: the home screen (the forms with their interview counts) and
 * the list of a form's interviews, from which drafts are resumed,
 * completed ones reopened and drafts deleted. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "session/listing.h"
#include "session/setup.h"
#include "ui/ui.h"
#include "core/util.h"

/* The width of the interview list's status column: its widest word in
 * the interface language, at least 10. */
static int home_status_cols(void)
{
    const char *words[] = {_("returned"), _("draft"), _("complete"),
                           _("superseded"), _("returned earlier")};
    int w = 10;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (ui_text_width(words[i]) > w)
            w = ui_text_width(words[i]);
    return w;
}

/* One line of the interview list: state (the word `khaosat list`
 * prints, translated), last change, name; *mark is UI_MARK_DIM for an
 * interview the office superseded (left out of the report), else 0. */
static char *home_entry(const session_listed *l, int *mark)
{
    const store_interview *iv = &l->iv;
    const char *name = l->name;
    char when[17];
    snprintf(when, sizeof when, "%.16s", iv->updated ? iv->updated : "");
    char *t = strchr(when, 'T');
    if (t)
        *t = ' ';
    *mark = !strcmp(l->state, "superseded") ? UI_MARK_DIM : 0;
    const char *st = _(l->state);
    int sw = home_status_cols();
    int pad = sw - ui_text_width(st);
    char *safe = ui_text_safe(name, UI_TEXT_LINE);
    char *e = xasprintf("%s%*s  %s  %s", st, pad > 0 ? pad : 0, "", when,
                        safe);
    free(safe);
    return e;
}

/* Before opening a superseded interview: say which one the office kept,
 * and that this one is left out of the report. */
static void home_superseded_notice(ui_app *a, const store_interview *iv)
{
    char *kept = NULL;
    if (store_interview_superseded(a->st, iv->uuid, &kept) != 1)
        return;
    char *safe = ui_text_safe(kept, UI_TEXT_LINE);
    char *text = xasprintf(_("The office found this interview to be the "
                             "same household as interview %s, which it "
                             "kept. This one stays in the data but is left "
                             "out of the report and the CSV.\n\nAsk the "
                             "office before changing it."), safe);
    ui_show_text(_("Superseded by the office"), text);
    free(text);
    free(safe);
    free(kept);
}

const form *ui_form_of(ui_app *a, const store_interview *iv, form **owned)
{
    *owned = NULL;
    const form *f = catalog_find(a->cat, iv->form_id, iv->form_version);
    if (f)
        return f;
    form *lf = session_stored_form(a->st, iv->form_id, iv->form_version);
    *owned = lf;
    return lf;
}

/* Show an error until a key is pressed. */
static void home_error(const char *msg)
{
    ui_status_wrapped(msg, UI_ERROR);
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
        home_superseded_notice(a, iv);
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
    int why = store_interview_deletable(a->st, iv->uuid);
    if (why != 0) {
        /* The store says why in one long line; a returned interview gets
         * the reason and what to do instead, on lines that fit. */
        if (why == 1)
            ui_show_text(_("Cannot delete"), _("The office returned this "
                "interview for corrections,\nso it cannot be deleted: the "
                "office would never hear of it again.\n\nCorrect it and "
                "finish it again (Enter opens it from the list),\nor ask "
                "the office to withdraw the return."));
        else
            home_error(store_errmsg(a->st));
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
        session_listed *l;
        size_t n;
        if (session_list(a->st, f->id, &l, &n)) {
            home_error(store_errmsg(a->st));
            return;
        }
        char **e = xcalloc(n + 1, sizeof *e);
        int *marks = xcalloc(n + 1, sizeof *marks);
        for (size_t i = 0; i < n; i++)
            e[i] = home_entry(&l[i], &marks[i]);
        char *title = xasprintf(_("Interviews: %s"),
                                form_text_get(f, f->title, ui_form_lang(a, f)));
        const char *ro = store_read_only(a->st);
        int k = ui_pick_key(title, ro ? _("READ-ONLY   Enter look   Esc back")
                                      : _("Enter open   d delete draft   "
                                          "Esc back"),
                            e, marks, n, &sel, "d");
        free(title);
        for (size_t i = 0; i < n; i++)
            free(e[i]);
        free(e);
        free(marks);
        if (k == '\n' && n)
            home_open(a, &l[sel].iv);
        else if (k == 'd' && n && ro)
            home_error(ro);
        else if (k == 'd' && n)
            home_delete(a, &l[sel].iv);
        session_list_free(l, n);
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
    store_counts c = {0, 0, 0, 0};
    store_count(a->st, f->id, &c);
    /* A superseded interview is not one more complete household: counted
     * apart, as the list shows it, and only when there is one. */
    char *counts = c.superseded
        ? xasprintf(_("drafts %ld  complete %ld  superseded %ld  not "
                      "exported %ld"), c.drafts, c.complete, c.superseded,
                    c.not_exported)
        : xasprintf(_("drafts %ld  complete %ld  not exported %ld"),
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

/* The title bar of the home screen: the commune is the set-up's name
 * (the office's, on a laptop) when there is one, else the name typed at
 * the first run; both shown as text (the set-up came in a bundle). */
static char *home_title(ui_app *a)
{
    setup_commune_info c;
    char *commune = NULL;
    if (setup_commune_get(a->st, &c) == 0 && c.name && *c.name)
        commune = xstrdup(c.name);
    else
        store_setting_get(a->st, "commune", &commune);
    setup_commune_info_clear(&c);
    char *who = ui_text_safe(a->enumerator ? a->enumerator : "",
                             UI_TEXT_LINE);
    char *where = ui_text_safe(commune ? commune : "-", UI_TEXT_LINE);
    char *t = store_read_only(a->st)
        ? xasprintf(_("khaosat (read-only)   enumerator: %s   commune: %s"),
                    who, where)
        : xasprintf(_("khaosat   enumerator: %s   commune: %s"), who, where);
    free(who);
    free(where);
    free(commune);
    return t;
}

/* The supervisor's keys of the home screen; 0 when k is not one. */
static int home_office_key(ui_app *a, int k)
{
    switch (k) {
    case 'b': ui_browse(a); return 1;
    case 'e': ui_export(a); return 1;
    case 'D': ui_export_down(a); return 1;
    case 'm': ui_merge(a); return 1;
    case 'c': ui_conflicts(a); return 1;
    case 'R': ui_report(a); return 1;
    case 'k': ui_keys(a); return 1;
    case 'B': ui_backup(a); return 1;
    case 'S': ui_commune(a); return 1;
    case '?': ui_help_home(); return 1;
    default: return 0;
    }
}

/* At start, offer the draft the enumerator was last on: one key (Enter
 * or y) resumes it, any other goes to the home list. */
static void home_offer_resume(ui_app *a)
{
    session_listed last;
    if (session_last_draft(a->st, &last))
        return;
    form *owned = NULL;
    const form *f = ui_form_of(a, &last.iv, &owned);
    int k = 0;
    while (f) {
        ui_frame(_("khaosat: resume?"),
                 _("Enter, y resume   any other key: the list"));
        ui_put(2, 2, _("The last unfinished interview:"), COLS - 4,
               UI_NORMAL, 0);
        ui_put(4, 4, last.name, COLS - 6, UI_TITLE, 0);
        ui_put(5, 4, form_text_get(f, f->title, ui_form_lang(a, f)),
               COLS - 6, UI_DIM, 0);
        ui_put(7, 2, _("Resume it?"), COLS - 4, UI_NORMAL, 0);
        refresh();
        k = ui_getkey();
        if (k != UI_FN(KEY_RESIZE))
            break;
    }
    form_free(owned);
    if (f && (ui_is_enter(k) || k == 'y' || k == 'Y' ||
              (k > 0 && k < 128 && k == _("y")[0])))
        home_open(a, &last.iv);
    store_interview_clear(&last.iv);
    free(last.name);
}

/* Non-zero when home key k would write to the database (a new
 * interview, the set-up, an export, a merge, decisions, keys). */
static int home_key_writes(int k)
{
    return k > 0 && k < 128 && strchr("nsemDckS", k) != NULL;
}

/* The home screen's keys: on a database only read, those that look. */
static const char *home_keys(ui_app *a)
{
    if (store_read_only(a->st))
        return _("READ-ONLY  Enter list  b browse  R report  B back up  "
                 "? help  q quit");
    return _("Enter new  r list  e export  ? help  b browse  m merge  "
             "c conflicts  R report  q quit");
}

void ui_home(ui_app *a)
{
    size_t sel = 0;
    home_offer_resume(a);
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
        int k = ui_pick_key(title, home_keys(a), e, NULL, n, &sel,
                            "nrsbemDcRkBS?q");
        const char *ro = store_read_only(a->st);
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
        /* Enter lists a form's interviews: none can be added here. */
        if (ro && k == '\n')
            k = 'r';
        if (ro && home_key_writes(k)) {
            home_error(ro);
            continue;
        }
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
