/* ui_commune.c: the office's set-up screen (S on the home screen): the
 * commune and its villages with their household lists and enumerators,
 * changed through the entry points `khaosat setup` calls
 * (session/setup.h), so that the screen and the command store the same
 * thing and refuse the same files with the same messages. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "session/setup.h"
#include "ui/ui.h"

/* One village as listed (owned strings; enumerator NULL: nobody). */
typedef struct cm_row {
    char *code, *name, *enumerator;
    long households;
} cm_row;

/* The screen: what the store holds, the row highlighted, the message
 * shown until the next key, and the last file typed. */
typedef struct cm_screen {
    ui_app *a;
    setup_commune_info commune;
    char *province_name;
    cm_row *v;
    size_t n, cap, sel, top;
    long households;
    char *msg;
    ui_role msg_role;
    char *last_path;
} cm_screen;

static int cm_collect(void *ctx, const store_village *v)
{
    cm_screen *s = ctx;
    s->v = util_grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = (cm_row){xstrdup(v->code), xstrdup(v->name),
                            v->enumerator ? xstrdup(v->enumerator) : NULL,
                            v->households};
    s->households += v->households;
    return 0;
}

static void cm_clear(cm_screen *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].code);
        free(s->v[i].name);
        free(s->v[i].enumerator);
    }
    s->n = 0;
    s->households = 0;
    setup_commune_info_clear(&s->commune);
    free(s->province_name);
    s->province_name = NULL;
}

/* Set the message shown under the list (taken). */
static void cm_say(cm_screen *s, char *msg, ui_role r)
{
    free(s->msg);
    s->msg = msg;
    s->msg_role = r;
}

/* Say why an action was refused (err: the library's message). */
static void cm_refused(cm_screen *s, const char *err)
{
    char *why = ui_text_safe(err, UI_TEXT_LINE);
    cm_say(s, xasprintf(_("%s\nNothing was changed."), why), UI_ERROR);
    free(why);
}

/* Read the commune and the villages again after a change. */
static void cm_load(cm_screen *s)
{
    cm_clear(s);
    if (setup_commune_get(s->a->st, &s->commune) != 0
        || store_villages_each(s->a->st, cm_collect, s) != 0) {
        cm_say(s, xstrdup(store_errmsg(s->a->st)), UI_ERROR);
        return;
    }
    if (s->commune.province) {
        char *path = setup_provinces_path(NULL, s->a->cat->dir);
        s->province_name = setup_province_name(path, s->commune.province);
        free(path);
    }
    if (s->sel >= s->n)
        s->sel = s->n ? s->n - 1 : 0;
}

/* Column widths: code, name, households, enumerator. */
static void cm_widths(const cm_screen *s, int w[4])
{
    w[0] = ui_text_width(_("Code"));
    for (size_t i = 0; i < s->n; i++) {
        int cw = ui_text_width(s->v[i].code);
        if (cw > w[0])
            w[0] = cw;
    }
    w[0]++;     /* two spaces before the name */
    w[2] = ui_text_width(_("Households"));
    if (w[2] < 5)
        w[2] = 5;
    int rest = COLS - 2 - 5 - w[0] - w[2];
    w[1] = rest * 11 / 20;
    w[3] = rest - w[1];
}

/* One line of the list: code, name, households, enumerator; the text
 * from the set-up made safe for the terminal. */
static char *cm_line(const cm_row *r, const int w[4])
{
    sbuf b;
    sbuf_init(&b);
    char *code = ui_text_safe(r->code, UI_TEXT_LINE);
    char *name = ui_text_safe(r->name, UI_TEXT_LINE);
    char *who = r->enumerator ? ui_text_safe(r->enumerator, UI_TEXT_LINE)
                              : xstrdup("-");
    ui_cell(&b, code, w[0]);
    ui_cell(&b, name, w[1]);
    sbuf_addf(&b, "%*ld  ", w[2], r->households);
    ui_cell(&b, who, w[3]);
    free(code);
    free(name);
    free(who);
    return sbuf_detach(&b);
}

/* The heading of the list. */
static char *cm_heading(const int w[4])
{
    sbuf b;
    sbuf_init(&b);
    ui_cell(&b, _("Code"), w[0]);
    ui_cell(&b, _("Village"), w[1]);
    int hw = ui_text_width(_("Households"));
    sbuf_addf(&b, "%*s%s  ", w[2] > hw ? w[2] - hw : 0, "", _("Households"));
    ui_cell(&b, _("Enumerator"), w[3]);
    return sbuf_detach(&b);
}

/* The commune's two lines: code and name, then its province. */
static void cm_draw_commune(const cm_screen *s)
{
    const setup_commune_info *c = &s->commune;
    if (!c->code) {
        ui_put(1, 1, _("No commune set up yet: c sets it."), COLS - 2,
               UI_ERROR, 0);
        return;
    }
    char *code = ui_text_safe(c->code, UI_TEXT_LINE);
    char *name = ui_text_safe(c->name, UI_TEXT_LINE);
    char *pcode = ui_text_safe(c->province, UI_TEXT_LINE);
    char *pname = ui_text_safe(s->province_name ? s->province_name
                               : _("(not in the province list)"),
                               UI_TEXT_LINE);
    char *l1 = xasprintf(_("Commune: %s  %s"), code, name);
    char *l2 = xasprintf(_("Province: %s  %s"), pcode, pname);
    ui_put(1, 1, l1, COLS - 2, UI_TITLE, 0);
    ui_put(2, 1, l2, COLS - 2, UI_NORMAL, 0);
    free(l1);
    free(l2);
    free(code);
    free(name);
    free(pcode);
    free(pname);
}

/* On the status line, the highlighted village's code and whole name when
 * its column (width) cuts the name: two names alike but at their end
 * read the same in the list. */
static void cm_full_name(const cm_row *r, int width)
{
    char *name = ui_text_safe(r->name, UI_TEXT_LINE);
    if (ui_text_width(name) > width) {
        char *code = ui_text_safe(r->code, UI_TEXT_LINE);
        char *line = xasprintf(_("Village %s: %s"), code, name);
        ui_status(line, UI_DIM);
        free(line);
        free(code);
    }
    free(name);
}

/* The rows of villages the screen holds (below the heading, above the
 * status line). */
static size_t cm_rows(void)
{
    return LINES > 7 ? (size_t)(LINES - 6) : 1;
}

static void cm_draw(cm_screen *s)
{
    static const char *const bars[] = {
        N_("c commune  v villages  h households  a assign  x clear  "
           "Esc back"),
        N_("c commune  v villages  h households  a assign  x clear"),
    };
    const char *tr[2] = {_(bars[0]), _(bars[1])};
    char *title = xasprintf(_("Commune set-up: %zu villages, %ld "
                              "households on the lists"), s->n,
                            s->households);
    ui_frame(title, ui_keys_fit(tr, 2));
    free(title);
    cm_draw_commune(s);
    int w[4];
    cm_widths(s, w);
    char *h = cm_heading(w);
    ui_put(3, 1, h, COLS - 2, UI_TITLE, 0);
    free(h);
    size_t rows = cm_rows();
    if (s->sel < s->top)
        s->top = s->sel;
    if (s->sel >= s->top + rows)
        s->top = s->sel - rows + 1;
    if (s->n == 0)
        ui_put(4, 2, _("No villages yet: v loads them from a CSV file."),
               COLS - 4, UI_DIM, 0);
    for (size_t i = s->top; i < s->n && i < s->top + rows; i++) {
        char *line = cm_line(&s->v[i], w);
        ui_put(4 + (int)(i - s->top), 1, line, COLS - 2,
               i == s->sel ? UI_SELECTED : UI_NORMAL, i == s->sel);
        free(line);
    }
    if (s->msg)
        ui_status_wrapped(s->msg, s->msg_role);
    else if (s->n)
        cm_full_name(&s->v[s->sel], w[1]);
    refresh();
}

/* The question asked again after a refusal: why, then the question. */
static char *cm_question(const char *why, const char *question)
{
    return why ? xasprintf(_("%s\nNothing was changed; correct it.\n\n%s"),
                           why, question)
               : xstrdup(question);
}

/* Pick the province from the list the command checks against, typing to
 * narrow it: its index, or -1 (Esc, or the list cannot be read: *err). */
static int cm_pick_province(const char *title, setup_province *pv,
                            size_t np, const char *current)
{
    char **e = xcalloc(np + 1, sizeof *e);
    size_t sel = 0;
    for (size_t i = 0; i < np; i++) {
        char *code = ui_text_safe(pv[i].code, UI_TEXT_LINE);
        char *name = ui_text_safe(pv[i].name, UI_TEXT_LINE);
        e[i] = xasprintf("%s  %s", code, name);
        free(code);
        free(name);
        if (current && !strcmp(pv[i].code, current))
            sel = i;
    }
    int k = ui_pick_search(title, _("Type to narrow   Enter choose   "
                                    "Esc back"), e, NULL, np, &sel);
    for (size_t i = 0; i < np; i++)
        free(e[i]);
    free(e);
    return k;
}

/* c: the commune's code, name and province, asked one after the other
 * and stored by setup_commune; a refusal asks again with the reason
 * above the first question and what was typed kept. */
static void cm_commune(cm_screen *s)
{
    const char *title = _("Commune set-up: the commune");
    char *path = setup_provinces_path(NULL, s->a->cat->dir), *err = NULL;
    setup_province *pv = NULL;
    size_t np = 0;
    if (setup_provinces(path, &pv, &np, &err) != 0) {
        cm_say(s, err, UI_ERROR);
        free(path);
        return;
    }
    const setup_commune_info *c = &s->commune;
    char *code = xstrdup(c->code ? c->code : "");
    char *name = xstrdup(c->name ? c->name : "");
    char *prov = c->province ? xstrdup(c->province) : NULL;
    int saved = 0;
    for (;;) {
        char *q = cm_question(err, _("Commune code (five digits, as in the "
                                     "list of administrative units):"));
        char *t = ui_ask_max(title, q, code, 64);
        free(q);
        free(err);
        err = NULL;
        if (!t)
            break;
        free(code);
        code = t;
        if (!(t = ui_ask_max(title, _("Commune name:"), name,
                             SETUP_MAX_NAME)))
            break;
        free(name);
        name = t;
        int k = cm_pick_province(_("Commune set-up: the province"), pv, np,
                                 prov);
        if (k < 0)
            break;
        free(prov);
        prov = xstrdup(pv[k].code);
        if (setup_commune(s->a->st, code, name, prov, path, &err) == 0) {
            saved = 1;
            break;
        }
    }
    cm_say(s, saved ? xstrdup(_("The commune is saved."))
                    : xstrdup(_("The commune was not changed.")),
           saved ? UI_TITLE : UI_DIM);
    free(code);
    free(name);
    free(prov);
    free(err);
    free(path);
    setup_provinces_free(pv, np);
}

/* v and h: a CSV file (path typed) loaded by setup_villages or
 * setup_households, or its refusal shown with nothing changed. */
static void cm_load_file(cm_screen *s, int villages)
{
    const char *title = villages ? _("Commune set-up: villages")
                                 : _("Commune set-up: household lists");
    const char *q = villages
        ? _("CSV file of the villages (columns code,name and optionally "
            "enumerator); it replaces the list:")
        : _("CSV file of the household lists (columns village,number,head); "
            "it replaces every list:");
    char *def = s->last_path ? xstrdup(s->last_path) : NULL;
    if (!def) {
        char *dir = ui_usb_dir();
        def = xasprintf("%s/", dir);
        free(dir);
    }
    char *path = ui_ask(title, q, def);
    free(def);
    if (!path)
        return;
    free(s->last_path);
    s->last_path = xstrdup(path);
    ui_working(title, _("Reading and checking the file..."));
    long n = 0;
    char *err = NULL;
    int rc = villages ? setup_villages(s->a->st, path, &n, &err)
                      : setup_households(s->a->st, path, &n, &err);
    char *shown = ui_text_safe(path, UI_TEXT_LINE);
    if (rc != 0)
        cm_refused(s, err);
    else if (villages)
        cm_say(s, xasprintf(_("%ld villages loaded from %s."), n, shown),
               UI_TITLE);
    else
        cm_say(s, xasprintf(_("%ld households loaded from %s."), n, shown),
               UI_TITLE);
    free(shown);
    free(err);
    free(path);
}

/* The name to assign to village r: picked among the enumerators this
 * office knows, or typed (the first entry asks for one; Enter on a name
 * typed that matches nobody listed takes it); NULL on Esc. */
static char *cm_ask_enumerator(cm_screen *s, const cm_row *r)
{
    char **names = NULL, *err = NULL;
    size_t n = 0;
    if (setup_enumerators(s->a->st, &names, &n, &err) != 0) {
        cm_say(s, err, UI_ERROR);
        return NULL;
    }
    char **e = xcalloc(n + 2, sizeof *e);
    e[0] = xstrdup(_("(type a name)"));
    size_t sel = 0;
    for (size_t i = 0; i < n; i++) {
        e[i + 1] = ui_text_safe(names[i], UI_TEXT_LINE);
        if (r->enumerator && !strcmp(names[i], r->enumerator))
            sel = i + 1;
    }
    char *code = ui_text_safe(r->code, UI_TEXT_LINE);
    char *title = xasprintf(_("Enumerator for village %s"), code);
    free(code);
    char *out = NULL;       /* set by the picker on UI_PICK_TYPED */
    int k = ui_pick_search_typed(title, _("Type to narrow   Enter choose   "
                                          "Esc back"), e, NULL, n + 1, &sel,
                                 &out);
    if (k == 0)
        out = ui_ask_max(title, _("The enumerator's name:"),
                         r->enumerator ? r->enumerator : "", SETUP_MAX_NAME);
    else if (k > 0)
        out = xstrdup(names[k - 1]);
    free(title);
    for (size_t i = 0; i < n + 1; i++)
        free(e[i]);
    free(e);
    setup_names_free(names, n);
    return out;
}

/* a (or Enter) and x: assign an enumerator to the highlighted village,
 * or clear its assignment, by setup_assign. */
static void cm_assign(cm_screen *s, int clear)
{
    if (s->n == 0) {
        cm_say(s, xstrdup(_("No villages yet: v loads them from a CSV "
                            "file.")), UI_ERROR);
        return;
    }
    const cm_row *r = &s->v[s->sel];
    char *code = ui_text_safe(r->code, UI_TEXT_LINE);
    char *who = NULL;
    if (clear) {
        char *q = xasprintf(_("Clear the enumerator of village %s?"), code);
        int yes = r->enumerator && ui_confirm(q);
        free(q);
        if (!r->enumerator)
            cm_say(s, xasprintf(_("Nobody covers village %s."), code),
                   UI_DIM);
        if (!yes) {
            free(code);
            return;
        }
    } else if (!(who = cm_ask_enumerator(s, r))) {
        free(code);
        return;
    }
    char *err = NULL;
    if (setup_assign(s->a->st, r->code, who, &err) != 0)
        cm_refused(s, err);
    else if (who && *who) {
        char *name = ui_text_safe(who, UI_TEXT_LINE);
        cm_say(s, xasprintf(_("Village %s: %s covers it."), code, name),
               UI_TITLE);
        free(name);
    } else
        cm_say(s, xasprintf(_("Village %s: nobody covers it now."), code),
               UI_TITLE);
    free(err);
    free(who);
    free(code);
}

void ui_commune(ui_app *a)
{
    cm_screen s;
    memset(&s, 0, sizeof s);
    s.a = a;
    for (;;) {
        cm_load(&s);
        cm_draw(&s);
        int k = ui_getkey();
        cm_say(&s, NULL, UI_NORMAL);
        if (ui_list_move(k, s.n, &s.sel, cm_rows()))
            continue;
        if (k == UI_ESC || k == 'q' || k == UI_CTRL('x'))
            break;
        char *err = NULL;
        int edit = k == 'c' || k == 'v' || k == 'h' || k == 'a' || k == 'x'
                   || ui_is_enter(k) || k == UI_FN(KEY_DC);
        if (edit && setup_editable(a->st, &err) != 0)
            cm_refused(&s, err);
        else if (k == 'c')
            cm_commune(&s);
        else if (k == 'v' || k == 'h')
            cm_load_file(&s, k == 'v');
        else if (k == 'a' || ui_is_enter(k))
            cm_assign(&s, 0);
        else if (k == 'x' || k == UI_FN(KEY_DC))
            cm_assign(&s, 1);
        free(err);
    }
    cm_clear(&s);
    free(s.v);
    free(s.msg);
    free(s.last_path);
}
