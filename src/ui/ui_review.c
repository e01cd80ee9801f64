/* ui_review.c: the supervisor's list of every interview, filtered by
 * village, enumerator, status and form, and the read-only view of one
 * interview where it is approved or returned to the enumerator with a
 * comment. Reviewing never changes the answers. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "ui/ui.h"
#include "core/util.h"

/* ---------------------------------------------------------------- case key */

/* The key answers of one interview being collected. */
struct rv_keys {
    const form *f;
    char **val;           /* one per key question */
    char *village;
};

static int rv_key_answer(void *ctx, const char *qid, const char *path,
                         const char *value)
{
    struct rv_keys *k = ctx;
    if (*path)
        return 0;
    for (size_t i = 0; i < k->f->nkey; i++)
        if (!strcmp(k->f->q[k->f->key[i]].id, qid) && !k->val[i])
            k->val[i] = xstrdup(value);
    if (!strcmp(qid, "village") && !k->village)
        k->village = xstrdup(value);
    return 0;
}

char *ui_case_key(ui_app *a, const form *f, const char *uuid,
                  char **village)
{
    struct rv_keys k = {f, NULL, NULL};
    if (village)
        *village = NULL;
    if (!f)
        return xstrdup("");
    k.val = xcalloc(f->nkey + 1, sizeof *k.val);
    store_load_answers(a->st, uuid, rv_key_answer, &k);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < f->nkey; i++) {
        if (k.val[i] && *k.val[i])
            sbuf_addf(&b, "%s%s", b.len ? " / " : "", k.val[i]);
        free(k.val[i]);
    }
    free(k.val);
    if (village)
        *village = k.village;
    else
        free(k.village);
    return sbuf_detach(&b);
}

/* ---------------------------------------------------------------- the list */

/* What a review mark is shown as. */
static const char *rv_mark_name(const char *status)
{
    if (!status || !strcmp(status, "unreviewed"))
        return "";
    return !strcmp(status, "approved") ? _("approved")
           : !strcmp(status, "returned") ? _("returned")
           : !strcmp(status, "changed") ? _("changed since approved")
           : !strcmp(status, "corrected") ? _("corrected after return")
           : status;
}

/* One interview of the list. */
typedef struct rv_row {
    store_interview iv;
    char *key, *village, *review;
} rv_row;

typedef struct rv_list {
    rv_row *v;
    size_t n, cap;
} rv_list;

/* Forms loaded for the list, kept while it is shown. */
typedef struct rv_forms {
    form **owned;
    size_t n;
} rv_forms;

static int rv_collect(void *ctx, const store_interview *iv)
{
    rv_list *l = ctx;
    l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    rv_row *r = &l->v[l->n++];
    memset(r, 0, sizeof *r);
    r->iv.uuid = xstrdup(iv->uuid);
    r->iv.form_id = xstrdup(iv->form_id);
    r->iv.form_version = xstrdup(iv->form_version);
    r->iv.status = iv->status;
    r->iv.updated = xstrdup(iv->updated);
    r->iv.enumerator = xstrdup(iv->enumerator ? iv->enumerator : "");
    return 0;
}

static void rv_list_free(rv_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        store_interview_clear(&l->v[i].iv);
        free(l->v[i].key);
        free(l->v[i].village);
        free(l->v[i].review);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* The form of interview iv; a form read from the store is kept in fs. */
static const form *rv_form(ui_app *a, const store_interview *iv, rv_forms *fs)
{
    form *owned = NULL;
    const form *f = ui_form_of(a, iv, &owned);
    if (owned) {
        fs->owned = xrealloc(fs->owned, (fs->n + 1) * sizeof *fs->owned);
        fs->owned[fs->n++] = owned;
    }
    return f;
}

/* List order: by form, then case key, then UUID. */
static int rv_row_cmp(const void *pa, const void *pb)
{
    const rv_row *a = pa, *b = pb;
    int c = strcmp(a->iv.form_id, b->iv.form_id);
    if (!c)
        c = strcmp(a->key, b->key);
    return c ? c : strcmp(a->iv.uuid, b->iv.uuid);
}

/* Read every interview with its key and review mark. */
static int rv_load(ui_app *a, rv_list *l)
{
    if (store_list_interviews(a->st, NULL, rv_collect, l))
        return -1;
    rv_forms fs = {NULL, 0};
    /* Each form version is loaded once: firsts[] are the rows where a
     * version was first seen, forms[] their forms. */
    size_t *firsts = xcalloc(l->n + 1, sizeof *firsts), nf = 0;
    const form **forms = xcalloc(l->n + 1, sizeof *forms);
    for (size_t i = 0; i < l->n; i++) {
        const store_interview *iv = &l->v[i].iv;
        size_t j = 0;
        while (j < nf && (strcmp(l->v[firsts[j]].iv.form_id, iv->form_id) ||
                          strcmp(l->v[firsts[j]].iv.form_version,
                                 iv->form_version)))
            j++;
        if (j == nf) {
            firsts[nf] = i;
            forms[nf++] = rv_form(a, iv, &fs);
        }
        rv_row *r = &l->v[i];
        r->key = ui_case_key(a, forms[j], r->iv.uuid, &r->village);
        /* The state, not the mark: a later revision voids the review. */
        store_review_state(a->st, r->iv.uuid, &r->review);
        if (r->review && !strcmp(r->review, "unreviewed")) {
            free(r->review);
            r->review = NULL;
        }
    }
    free(firsts);
    free(forms);
    qsort(l->v, l->n, sizeof *l->v, rv_row_cmp);
    for (size_t i = 0; i < fs.n; i++)
        form_free(fs.owned[i]);
    free(fs.owned);
    return 0;
}

/* The filters: NULL is "all". */
enum { RV_VILLAGE, RV_ENUM, RV_STATUS, RV_FORM, RV_NFILTERS };

/* The statuses the status filter cycles through. */
static const char *const rv_statuses[] = {
    "draft", "complete", "unreviewed", "approved", "returned", "changed",
    "corrected"};

static const char *rv_status_name(const char *s)
{
    return !strcmp(s, "draft") ? _("draft")
           : !strcmp(s, "complete") ? _("complete")
           : !strcmp(s, "unreviewed") ? _("not reviewed") : rv_mark_name(s);
}

/* The value row r has for filter f. */
static const char *rv_value(const rv_row *r, int f)
{
    switch (f) {
    case RV_VILLAGE:
        return r->village ? r->village : "";
    case RV_ENUM:
        return r->iv.enumerator;
    case RV_FORM:
        return r->iv.form_id;
    default:
        return "";
    }
}

/* Non-zero when row r passes every filter. */
static int rv_pass(const rv_row *r, char *const *flt)
{
    for (int f = 0; f < RV_NFILTERS; f++) {
        if (!flt[f])
            continue;
        if (f != RV_STATUS) {
            if (strcmp(rv_value(r, f), flt[f]))
                return 0;
            continue;
        }
        const char *s = flt[f];
        if (!strcmp(s, "draft") || !strcmp(s, "complete")) {
            if ((r->iv.status == STORE_DRAFT) != !strcmp(s, "draft"))
                return 0;
        } else if (!strcmp(s, "unreviewed")) {
            if (r->review)
                return 0;
        } else if (!r->review || strcmp(r->review, s)) {
            return 0;
        }
    }
    return 1;
}

/* Move filter f to the next value found in the list (after the last one:
 * all). */
static void rv_cycle(rv_list *l, char **flt, int f)
{
    const char *cur = flt[f], *next = NULL;
    if (f == RV_STATUS) {
        size_t n = sizeof rv_statuses / sizeof *rv_statuses, i = 0;
        while (cur && i < n && strcmp(rv_statuses[i], cur))
            i++;
        next = !cur ? rv_statuses[0] : i + 1 < n ? rv_statuses[i + 1] : NULL;
    } else {
        /* The smallest value greater than the current one. */
        for (size_t i = 0; i < l->n; i++) {
            const char *v = rv_value(&l->v[i], f);
            if (*v && (!cur || strcmp(v, cur) > 0) && (!next || strcmp(v, next) < 0))
                next = v;
        }
    }
    char *copy = next ? xstrdup(next) : NULL;
    free(flt[f]);
    flt[f] = copy;
}

/* Column widths: form, key, enumerator, status, review. */
static void rv_widths(int w[5])
{
    w[0] = 12;
    w[2] = 16;
    w[3] = 9;
    w[4] = 9;
    w[1] = COLS - 2 - 5 - w[0] - w[2] - w[3] - w[4];
    if (w[1] < 10)
        w[1] = 10;
}

/* One line of the list. */
static char *rv_line(const rv_row *r)
{
    int w[5];
    rv_widths(w);
    sbuf b;
    sbuf_init(&b);
    ui_cell(&b, r->iv.form_id, w[0]);
    ui_cell(&b, *r->key ? r->key : r->iv.uuid, w[1]);
    ui_cell(&b, r->iv.enumerator, w[2]);
    ui_cell(&b, r->iv.status == STORE_DRAFT ? _("draft") : _("complete"), w[3]);
    ui_cell(&b, rv_mark_name(r->review), w[4]);
    return sbuf_detach(&b);
}

/* The column headings. */
static char *rv_heading(void)
{
    int w[5];
    rv_widths(w);
    sbuf b;
    sbuf_init(&b);
    ui_cell(&b, _("Form"), w[0]);
    ui_cell(&b, _("Case"), w[1]);
    ui_cell(&b, _("Enumerator"), w[2]);
    ui_cell(&b, _("Status"), w[3]);
    ui_cell(&b, _("Review"), w[4]);
    return sbuf_detach(&b);
}

/* The title: how many are shown and the filters. */
static char *rv_title(size_t shown, size_t all, char *const *flt)
{
    const char *any = _("all");
    return xasprintf(_("Interviews %zu/%zu   village: %s   enumerator: %s   "
                       "status: %s   form: %s"), shown, all,
                     flt[RV_VILLAGE] ? flt[RV_VILLAGE] : any,
                     flt[RV_ENUM] ? flt[RV_ENUM] : any,
                     flt[RV_STATUS] ? rv_status_name(flt[RV_STATUS]) : any,
                     flt[RV_FORM] ? flt[RV_FORM] : any);
}

/* Draw the list of the rows idx[0..n) with row sel highlighted. */
static void rv_draw(rv_list *l, const size_t *idx, size_t n, size_t sel,
                    size_t *top, char *const *flt)
{
    char *title = rv_title(n, l->n, flt);
    ui_frame(title, _("Enter view   v village  e enumerator  s status  "
                      "f form  x clear   Esc back"));
    free(title);
    char *h = rv_heading();
    ui_put(1, 1, h, COLS - 2, UI_TITLE, 0);
    free(h);
    size_t rows = ui_list_view(n, sel, top);
    for (size_t i = *top; i < n && i < *top + rows; i++) {
        const rv_row *r = &l->v[idx[i]];
        char *line = rv_line(r);
        ui_role role = i == sel ? UI_SELECTED
                       : r->review && !strcmp(r->review, "returned") ? UI_ERROR
                                                                     : UI_NORMAL;
        ui_put(2 + (int)(i - *top), 1, line, COLS - 2, role, i == sel);
        free(line);
    }
    refresh();
}

/* Show an error until a key is pressed. */
static void rv_error(const char *msg)
{
    ui_status(msg, UI_ERROR);
    refresh();
    ui_getkey();
}

void ui_browse(ui_app *a)
{
    char *flt[RV_NFILTERS] = {NULL, NULL, NULL, NULL};
    size_t sel = 0, top = 0;
    int reload = 1;
    rv_list l = {NULL, 0, 0};
    for (;;) {
        if (reload) {
            rv_list_free(&l);
            if (rv_load(a, &l)) {
                rv_error(store_errmsg(a->st));
                break;
            }
            reload = 0;
        }
        size_t *idx = xcalloc(l.n + 1, sizeof *idx), n = 0;
        for (size_t i = 0; i < l.n; i++)
            if (rv_pass(&l.v[i], flt))
                idx[n++] = i;
        if (sel >= n)
            sel = n ? n - 1 : 0;
        rv_draw(&l, idx, n, sel, &top, flt);
        int k = ui_getkey();
        size_t picked = n ? idx[sel] : 0;
        free(idx);
        if (ui_list_move(k, n, &sel, (size_t)(LINES - 4)))
            continue;
        if (k == UI_ESC || k == 'q' || k == UI_CTRL('x'))
            break;
        if (ui_is_enter(k) && n) {
            ui_view_interview(a, l.v[picked].iv.uuid, 1);
            reload = 1;
        } else if (k == 'v' || k == 'e' || k == 's' || k == 'f') {
            int f = k == 'v' ? RV_VILLAGE : k == 'e' ? RV_ENUM
                    : k == 's' ? RV_STATUS : RV_FORM;
            rv_cycle(&l, flt, f);
            sel = top = 0;
        } else if (k == 'x') {
            for (int f = 0; f < RV_NFILTERS; f++) {
                free(flt[f]);
                flt[f] = NULL;
            }
        }
    }
    for (int f = 0; f < RV_NFILTERS; f++)
        free(flt[f]);
    rv_list_free(&l);
}

/* ---------------------------------------------------------------- the view */

/* Append the enumerator's note (taken; NULL: none) under its answer, each
 * of its lines indented as the answer is. */
static void rv_add_note(sbuf *b, char *note, int indent)
{
    if (!note)
        return;
    sbuf_addf(b, "%*s\u270e ", indent, "");
    for (const char *p = note; *p; p++)
        if (*p == '\n')
            sbuf_addf(b, "\n%*s", indent + 2, "");
        else
            sbuf_addc(b, *p);
    sbuf_addc(b, '\n');
    free(note);
}

/* Append the questions of scope (and of the members in it) to b. */
static void rv_flatten(session *s, inst_frame *scope, int indent, sbuf *b)
{
    inst *in = session_inst(s);
    const form *f = inst_form(in);
    int lang = inst_lang(in), section = -1;
    session_item *items;
    size_t n = session_items(s, scope, &items);
    for (size_t i = 0; i < n; i++) {
        const form_question *fq = &f->q[items[i].q];
        if (fq->type == QT_NOTE)
            continue;
        int g = session_section(s, items[i].q, scope);
        if (g >= 0 && g != section) {
            char *gl = inst_text(in, scope, f->q[g].label);
            sbuf_addf(b, "\n%*s== %s ==\n", indent, "", gl);
            free(gl);
        }
        section = g;
        char *label = inst_text(in, items[i].fr, fq->label);
        if (fq->type == QT_REPEAT) {
            size_t count = inst_repeat_count(in, scope, items[i].q);
            sbuf_addf(b, "%*s%s: ", indent, "", label);
            sbuf_addf(b, _("%zu entries"), count);
            sbuf_addc(b, '\n');
            for (size_t k = 0; k < count; k++) {
                char *ml = session_member_label(s, items[i], k);
                sbuf_addf(b, "%*s-- %s --\n", indent + 2, "", ml);
                free(ml);
                rv_flatten(s, inst_repeat_get(in, scope, items[i].q, k),
                           indent + 4, b);
            }
        } else {
            char *v = ui_answer_show(f, fq,
                                     inst_get(in, items[i].fr, items[i].q),
                                     lang, "-");
            sbuf_addf(b, "%*s%s\n%*s= %s\n", indent, "", label, indent + 4,
                      "", v);
            free(v);
            rv_add_note(b, session_note_get(s, items[i]), indent + 4);
        }
        free(label);
    }
    free(items);
}

/* The whole read-only text of an interview, or NULL with *err. */
static char *rv_view_text(ui_app *a, const store_interview *iv, char **err)
{
    form *owned = NULL;
    const form *f = ui_form_of(a, iv, &owned);
    if (!f) {
        *err = xstrdup(_("The form of this interview cannot be read."));
        return NULL;
    }
    session *s = NULL;
    if (session_resume(a->st, f, iv->uuid, ui_form_lang(a, f), &s, err)) {
        if (!*err)
            *err = xstrdup(store_errmsg(a->st));
        form_free(owned);
        return NULL;
    }
    char *key = ui_case_key(a, f, iv->uuid, NULL);
    char *status = NULL, *comment = NULL, *state = NULL;
    store_review_get(a->st, iv->uuid, &status, &comment);
    store_review_state(a->st, iv->uuid, &state);
    sbuf b;
    sbuf_init(&b);
    int lang = ui_form_lang(a, f);
    sbuf_addf(&b, "%s (%s %s)\n", form_text_get(f, f->title, lang), f->id,
              f->version);
    sbuf_addf(&b, _("Case: %s   UUID: %s\n"), key, iv->uuid);
    sbuf_addf(&b, _("Enumerator: %s   status: %s   updated: %s\n"),
              iv->enumerator ? iv->enumerator : "",
              iv->status == STORE_DRAFT ? _("draft") : _("complete"),
              iv->updated ? iv->updated : "");
    sbuf_addf(&b, _("Review: %s%s%s\n"),
              status ? rv_mark_name(state ? state : status)
                     : _("not reviewed"),
              comment && *comment ? ": " : "", comment ? comment : "");
    char *flags = session_duplicate_flags(s);
    if (flags)
        sbuf_addf(&b, _("Same key as another interview, kept by the "
                        "enumerator: %s\n"), flags);
    free(flags);
    sbuf_addc(&b, '\n');
    rv_flatten(s, inst_root(session_inst(s)), 0, &b);
    free(status);
    free(state);
    free(comment);
    free(key);
    session_free(s);
    form_free(owned);
    return sbuf_detach(&b);
}

/* Approve (mark 'a') or return (any other) interview iv; the message to
 * show, newly allocated. */
static char *rv_mark(ui_app *a, const store_interview *iv, int mark)
{
    if (iv->status == STORE_DRAFT)
        return xstrdup(_("A draft cannot be reviewed: it is not finished."));
    const char *status = mark == 'a' ? "approved" : "returned";
    char *comment = NULL;
    if (mark != 'a') {
        char *old = NULL, *oldc = NULL;
        store_review_get(a->st, iv->uuid, &old, &oldc);
        comment = ui_ask(_("Return to the enumerator"),
                         _("What must the enumerator check or correct?"), oldc);
        free(old);
        free(oldc);
        if (!comment)
            return NULL;
        if (!*comment) {
            free(comment);
            return xstrdup(_("Not returned: a comment is needed."));
        }
    }
    int rc = store_review_set(a->st, iv->uuid, status, comment, a->enumerator);
    free(comment);
    if (rc)
        return xstrdup(store_errmsg(a->st));
    return xstrdup(mark == 'a' ? _("Approved.") : _("Returned with the comment."));
}

void ui_view_interview(ui_app *a, const char *uuid, int review)
{
    char *msg = NULL;
    for (;;) {
        store_interview iv;
        int rc = store_get_interview(a->st, uuid, &iv);
        if (rc) {
            rv_error(rc < 0 ? store_errmsg(a->st) : _("No such interview."));
            break;
        }
        char *err = NULL;
        char *text = rv_view_text(a, &iv, &err);
        if (!text) {
            rv_error(err);
            free(err);
            store_interview_clear(&iv);
            break;
        }
        /* A database only read: no review keys shown; pressed, they
         * are refused in words. */
        const char *ro = store_read_only(a->st);
        int k = ui_pager(_("Interview (read-only)"),
                         review && !ro
                             ? _("a approve   t return with a comment   "
                                 "Up/Down/PgUp/PgDn scroll   Esc back")
                             : _("Up/Down/PgUp/PgDn scroll   Esc back"),
                         text, 1, review ? "atr" : NULL, msg);
        free(text);
        free(msg);
        msg = NULL;
        if (k == UI_ESC) {
            store_interview_clear(&iv);
            break;
        }
        msg = ro ? xstrdup(ro) : rv_mark(a, &iv, k);
        store_interview_clear(&iv);
    }
    free(msg);
}
