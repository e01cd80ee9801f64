/* ui_report.c: the indicator report on the office screen. A database of
 * one commune shows its report in a pager; one holding several communes
 * (merged bundles) shows the communes with their verdicts, each one's
 * report, and the comparison table a province picks pilot sites from.
 * The same library calls as `khaosat report`, `report --commune CODE`
 * and `report --communes`, stored figures first (report_prepare). */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"
#include "report/report.h"
#include "ui/ui.h"

/* What every report of one visit to the screen shares. */
typedef struct rpt {
    ui_app *a;
    report_def *def;
    rscan *s;
    report_opts o;
    char when[32];
    char *notice;         /* the figures computed again, said once */
} rpt;

/* report_prepare's note: the figures computed before the report, said
 * while they are computed and above the report (as the command says
 * them on standard error). */
static void rpt_note(void *ctx, long computed, long changed)
{
    rpt *p = ctx;
    free(p->notice);
    p->notice = changed
        ? xasprintf(_("Report definition changed: recomputing figures for "
                      "%ld interviews."), changed)
        : xasprintf(_("Computing the figures of %ld interviews for the "
                      "first time."), computed);
    ui_working(_("Report"), p->notice);
}

/* Load and check the report definition beside the forms; NULL with the
 * problems in *msg. */
static report_def *rpt_def(ui_app *a, sbuf *msg)
{
    char *path = xasprintf("%s/report.yaml", a->cat->dir);
    diag_list d;
    diag_init(&d);
    report_def *def = report_def_load(path, &d);
    if (def && report_def_check(def, a->cat, &d)) {
        report_def_free(def);
        def = NULL;
    }
    if (!def)
        sbuf_addf(msg, _("The report definition %s cannot be used:\n"), path);
    for (size_t i = 0; i < d.n; i++) {
        char *m = diag_format(&d.v[i]);
        sbuf_addf(msg, "%s\n", m);
        free(m);
    }
    diag_free(&d);
    free(path);
    return def;
}

/* The text report of commune (NULL: the only one there is), as
 * `khaosat report [--commune CODE]` writes it; NULL with *err. */
static char *rpt_text(rpt *p, const char *commune, char **err)
{
    report_opts o = p->o;
    o.commune = commune;
    report_result *r = NULL;
    if (report_run(p->def, p->a->cat, p->s, &o, &r, err))
        return NULL;
    char *text = report_render(r, REPORT_TEXT);
    report_result_free(r);
    return text;
}

/* The keys of the report's pager. */
static const char *rpt_pager_keys(void)
{
    const char *bars[] = {_("Arrows/PgUp/PgDn/Home/End scroll   q/Esc close"),
                          _("Arrows/PgUp/PgDn scroll   q close")};
    return ui_keys_fit(bars, 2);
}

/* The report of the i-th commune of c in the pager. */
static void rpt_commune(rpt *p, const report_cmp *c, size_t i)
{
    const char *code = report_compare_code(c, i);
    char *what = xasprintf(_("Computing the report of commune %s..."), code);
    ui_working(_("Report"), what);
    free(what);
    char *err = NULL;
    char *text = rpt_text(p, code, &err);
    if (!text) {
        text = xasprintf(_("The report cannot be made: %s"), err);
        free(err);
    }
    char *title = xasprintf(_("Report: commune %s"), code);
    ui_pager(title, rpt_pager_keys(), text, 0, NULL, NULL);
    free(title);
    free(text);
}

/* ------------------------------------------------------------ the table */

/* The comparison's cells and how they are laid out on screen. */
typedef struct rtab {
    char **cells;
    size_t nrows, ncols;  /* row 0 the header */
    int *w;               /* each column's width */
    int fixed;            /* columns 0 and 1 (rank, commune) always shown */
} rtab;

/* The longest name shown whole in the table's commune column. */
#define RTAB_NAME_MAX 26

static void rtab_load(rtab *t, const report_cmp *c)
{
    t->cells = report_compare_cells(c, &t->nrows, &t->ncols);
    t->w = xcalloc(t->ncols, sizeof *t->w);
    for (size_t i = 0; i < t->nrows * t->ncols; i++) {
        const char *s = t->cells[i];
        int cw = (int)ui_text_cols(s, strlen(s));
        if (cw > t->w[i % t->ncols])
            t->w[i % t->ncols] = cw;
    }
    if (t->ncols > 1 && t->w[1] > RTAB_NAME_MAX)
        t->w[1] = RTAB_NAME_MAX;
    t->fixed = t->ncols > 1 ? t->w[0] + 1 + t->w[1] : 0;
}

static void rtab_free(rtab *t)
{
    rscan_strv_free(t->cells);
    free(t->w);
}

/* Draw row r of the table at line y, the scrolled columns from column
 * left on. */
static void rtab_row(const rtab *t, size_t r, int y, size_t left, ui_role role)
{
    char *const *row = t->cells + r * t->ncols;
    int x = 1;
    for (size_t k = 0; k < t->ncols && x < COLS - 1; k++) {
        if (k >= 2 && k < left)
            continue;
        int w = t->w[k] < COLS - 1 - x ? t->w[k] : COLS - 1 - x;
        ui_put(y, x, row[k], w, role, 1);
        x += w;
        if (x < COLS - 1)
            ui_put(y, x, k == 1 ? "│" : " ", 1, role, 1);
        x++;
    }
    if (role == UI_SELECTED && x < COLS - 1)
        ui_put(y, x, "", COLS - 1 - x, role, 1);
}

/* Draw the comparison with the commune sel highlighted. */
static void rtab_draw(const rtab *t, int by_code, size_t sel, size_t *top,
                      size_t left)
{
    const char *order = by_code ? _("by code") : _("those that qualify first");
    char *title = xasprintf(_("Comparison of %zu communes, %s"),
                            t->nrows - 1, order);
    const char *bars[] = {
        _("Enter report   s order   Left/Right columns   q/Esc back"),
        _("Enter report  s order  Left/Right  q back")};
    ui_frame(title, ui_keys_fit(bars, 2));
    free(title);
    rtab_row(t, 0, 1, left, UI_TITLE);
    size_t n = t->nrows - 1;
    size_t rows = ui_list_view(n, sel, top);
    for (size_t i = *top; i < n && i < *top + rows; i++)
        rtab_row(t, i + 1, 2 + (int)(i - *top), left,
                 i == sel ? UI_SELECTED : UI_NORMAL);
}

/* The comparison's warnings, joined for the status line (NULL: none). */
static char *rtab_warnings(const report_cmp *c)
{
    size_t n;
    char *const *w = report_compare_warnings(c, &n);
    if (!n)
        return NULL;
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        sbuf_addf(&b, "%s⚠ %s", i ? "\n" : "", w[i]);
    return sbuf_detach(&b);
}

/* The comparison on screen until q or Esc; Enter opens the highlighted
 * commune's report, s orders the table the other way. */
static void rpt_compare(rpt *p, report_cmp *c, size_t *sel)
{
    int by_code = 0;
    size_t top = 0, left = 2;
    rtab t;
    rtab_load(&t, c);
    char *msg = rtab_warnings(c);
    for (;;) {
        rtab_draw(&t, by_code, *sel, &top, left);
        if (msg)
            ui_status_wrapped(msg, UI_ERROR);
        free(msg);
        msg = NULL;
        refresh();
        int k = ui_getkey();
        if (ui_list_move(k, t.nrows - 1, sel, (size_t)(LINES - 4)))
            continue;
        if (k == UI_FN(KEY_LEFT) && left > 2)
            left--;
        else if (k == UI_FN(KEY_RIGHT) && left + 1 < t.ncols)
            left++;
        else if (k == 's') {
            by_code = !by_code;
            report_compare_sort(c, by_code ? "code" : "qualify");
            rtab_free(&t);
            rtab_load(&t, c);
            *sel = 0;
        } else if (ui_is_enter(k) && t.nrows > 1) {
            rpt_commune(p, c, *sel);
        } else if (k == UI_ESC || k == 'q' || k == UI_CTRL('x'))
            break;
    }
    /* The list goes back to its own order. */
    report_compare_sort(c, "qualify");
    *sel = 0;
    rtab_free(&t);
}

/* ------------------------------------------------------------ communes */

/* The communes of c with their verdicts; Enter opens one's report, c the
 * comparison. */
static void rpt_communes(rpt *p, report_cmp *c)
{
    size_t sel = 0;
    for (;;) {
        size_t n = report_compare_count(c);
        char **e = xcalloc(n + 1, sizeof *e);
        int *marks = xcalloc(n + 1, sizeof *marks);
        for (size_t i = 0; i < n; i++) {
            e[i] = report_compare_entry(c, i);
            marks[i] = report_compare_row(c, i) ? 0 : UI_MARK_ERROR;
        }
        char *title = xasprintf(_("Report: %zu communes in this database; "
                                  "choose one"), n);
        const char *bars[] = {
            _("Enter the commune's report   c compare communes   q/Esc close"),
            _("Enter report   c compare   q close")};
        int k = ui_pick_key(title, ui_keys_fit(bars, 2), e, marks, n, &sel,
                            "c");
        free(title);
        rscan_strv_free(e);
        free(marks);
        if (k == '\n')
            rpt_commune(p, c, sel);
        else if (k == 'c')
            rpt_compare(p, c, &sel);
        else
            break;
    }
}

/* The report of the database, the communes to choose from, or why there
 * is neither; p is set up. */
static void rpt_show(rpt *p)
{
    char *err = NULL;
    char *text = rpt_text(p, NULL, &err);
    if (!text) {
        /* Several communes: the one report cannot be made, each can. */
        report_cmp *c = NULL;
        char *cerr = NULL;
        if (report_compare(p->def, p->a->cat, p->s, &p->o, NULL, &c,
                           &cerr) == 0 && report_compare_count(c) > 1) {
            rpt_communes(p, c);
            report_compare_free(c);
            free(err);
            return;
        }
        free(cerr);
        report_compare_free(c);
        text = xasprintf(_("The report cannot be made: %s"), err);
        free(err);
    }
    if (p->notice) {
        char *with = xasprintf("%s\n\n%s", p->notice, text);
        free(text);
        text = with;
    }
    ui_pager(_("Report"), rpt_pager_keys(), text, 0, NULL, NULL);
    free(text);
}

/* The language of the report's own texts: --lang, else the interface's
 * (the definition has Vietnamese and English). */
static const char *rpt_lang(const ui_app *a)
{
    const char *ui = getenv("LANGUAGE");
    if (a->lang_code)
        return a->lang_code;
    return ui && !strncmp(ui, "en", 2) ? "en" : "vi";
}

void ui_report(ui_app *a)
{
    ui_working(_("Report"), _("Computing the report..."));
    rpt p = {a, NULL, NULL, {NULL, 0, rpt_lang(a), NULL, 0}, "", NULL};
    char *err = NULL;
    sbuf msg;
    sbuf_init(&msg);
    if (rscan_open(store_path(a->st), &p.s, &err)) {
        sbuf_addf(&msg, _("The report cannot be made: %s"), err);
        free(err);
    } else {
        p.def = rpt_def(a, &msg);
    }
    /* The figures stored first, as `khaosat report` stores them: the
     * report then reads them instead of replaying every interview. */
    if (p.def && report_prepare(p.def, a->cat, p.s, &p.o, 1,
                                store_path(a->st), rpt_note, &p, &err)) {
        sbuf_addf(&msg, _("The report cannot be made: %s"), err);
        free(err);
        report_def_free(p.def);
        p.def = NULL;
    }
    if (p.def) {
        /* The command's own words: Vietnam's time, labelled. */
        report_generated_now(p.when);
        p.o.generated = p.when;
        rpt_show(&p);
    } else {
        ui_pager(_("Report"), rpt_pager_keys(), msg.s ? msg.s : "", 0, NULL,
                 NULL);
    }
    sbuf_free(&msg);
    free(p.notice);
    report_def_free(p.def);
    rscan_close(p.s);
}
