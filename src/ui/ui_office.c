/* ui_office.c: the supervisor's sync actions on the home screen: export
 * to a USB stick, merge every bundle found on one, back up; with the
 * line prompt, the pager and the notice they use (the report is in
 * ui_report.c). */
#include "config.h"
#include "ui/ui_curses.h"

#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sync/backup.h"
#include "core/i18n.h"
#include "sync/sync.h"
#include "session/session.h"
#include "session/setup.h"
#include "ui/ui.h"
#include "core/util.h"

/* Draw text wrapped from line 2 down; the line after it. */
static int office_draw_wrapped(const char *text, ui_role r)
{
    ui_line *l;
    size_t n = ui_text_wrap(text, COLS - 4, &l);
    int y = 2;
    for (size_t i = 0; i < n && y < LINES - 5; i++, y++) {
        char *t = xstrndup(text + l[i].off, l[i].len);
        ui_put(y, 2, t, COLS - 4, r, 0);
        free(t);
    }
    free(l);
    return y;
}

/* Draw the prompt screen, with msg (may be NULL) on the status line. */
static void office_ask_draw(const char *title, const char *question,
                            ui_edit *ed, const char *msg)
{
    ui_frame(title, _("Enter accept   Ctrl-U clear   Esc cancel"));
    if (msg)
        ui_status(msg, UI_ERROR);
    int y = office_draw_wrapped(question, UI_TITLE);
    y++;
    int fw = COLS - 4;
    int c = ui_edit_view(ed, fw);
    size_t off = ui_text_col_to_off(ed->buf, ed->scroll);
    ui_put(y, 2, ed->buf + off, fw, UI_FIELD, 1);
    move(y, 2 + c);
    curs_set(1);
    refresh();
}

char *ui_ask(const char *title, const char *question, const char *initial)
{
    return ui_ask_max(title, question, initial, 0);
}

/* Non-zero when typing key k would take text past max bytes. */
static int office_ask_full(const ui_edit *ed, int k, size_t max)
{
    if (!max || k < 32 || k >= 0x110000 || k == 127)
        return 0;
    size_t add = k < 0x80 ? 1 : k < 0x800 ? 2 : k < 0x10000 ? 3 : 4;
    return strlen(ed->buf) + add > max;
}

char *ui_ask_max(const char *title, const char *question,
                 const char *initial, size_t max)
{
    ui_edit ed;
    ui_edit_init(&ed, initial);
    char *out = NULL, *msg = NULL;
    for (;;) {
        office_ask_draw(title, question, &ed, msg);
        free(msg);
        msg = NULL;
        int k = ui_getkey();
        if (office_ask_full(&ed, k, max)) {
            /* Said, not silently dropped: the key is not taken. */
            msg = xasprintf(_("At most %zu bytes here: this key is not "
                              "taken (%zu bytes now)."), max,
                            strlen(ed.buf));
            continue;
        }
        if (k == UI_ESC)
            break;
        if (ui_is_enter(k)) {
            out = xstrdup(ed.buf);
            break;
        }
        if (k == UI_CTRL('u'))
            ui_edit_set(&ed, "");
        else
            ui_edit_key(&ed, k);
    }
    ui_edit_free(&ed);
    curs_set(0);
    return out;
}

/* The lines of text as shown: wrapped to the screen, or one per '\n'. */
static size_t office_pager_lines(const char *text, int wrap, ui_line **out)
{
    if (wrap)
        return ui_text_wrap(text, COLS - 1, out);
    size_t n = 1;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    ui_line *v = xcalloc(n, sizeof *v);
    size_t i = 0, off = 0, len = strlen(text);
    while (i < n) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t end = nl ? (size_t)(nl - text) : len;
        v[i].off = off;
        v[i++].len = end - off;
        off = end + 1;
        if (!nl)
            break;
    }
    *out = v;
    return i;
}

/* Draw one screen of the pager from line top, column left. */
static void office_pager_draw(const char *title, const char *keys,
                              const char *text, ui_line *v, size_t n,
                              size_t top, int left)
{
    size_t rows = (size_t)(LINES - 3);
    char *t = xasprintf("%s   %zu-%zu/%zu", title, n ? top + 1 : 0,
                        top + rows < n ? top + rows : n, n);
    ui_frame(t, keys);
    free(t);
    for (size_t i = top; i < n && i < top + rows; i++) {
        char *l = xstrndup(text + v[i].off, v[i].len);
        size_t off = ui_text_col_to_off(l, left);
        ui_put(1 + (int)(i - top), 0, l + off, COLS, UI_NORMAL, 0);
        free(l);
    }
}

/* Move the pager for navigation key k; 0 when k is not one. */
static int office_pager_move(int k, size_t n, size_t *top, int *left)
{
    size_t rows = (size_t)(LINES - 3);
    size_t last = n > rows ? n - rows : 0;
    /* The first line shown moves like a list cursor over 0..last. */
    if (ui_list_move(k == ' ' ? UI_FN(KEY_NPAGE) : k, last + 1, top, rows))
        return 1;
    if (k == UI_FN(KEY_LEFT))
        *left = *left > 8 ? *left - 8 : 0;
    else if (k == UI_FN(KEY_RIGHT))
        *left += 8;
    else
        return k == UI_FN(KEY_RESIZE);
    return 1;
}

int ui_pager(const char *title, const char *keys, const char *text,
             int wrap, const char *extra, const char *msg)
{
    size_t top = 0;
    int left = 0;
    for (;;) {
        ui_line *v;
        size_t n = office_pager_lines(text, wrap, &v);
        size_t rows = (size_t)(LINES - 3);
        if (top + rows > n)
            top = n > rows ? n - rows : 0;
        if (wrap)
            left = 0;
        office_pager_draw(title, keys, text, v, n, top, left);
        free(v);
        if (msg)
            ui_status_wrapped(msg, UI_TITLE);
        msg = NULL;
        refresh();
        int k = ui_getkey();
        if (office_pager_move(k, n, &top, &left))
            continue;
        if (k == UI_ESC || k == 'q' || k == UI_CTRL('x'))
            return UI_ESC;
        if (k > 0 && k < 128 && extra && strchr(extra, k))
            return k;
    }
}

static int office_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir that pass keep (sorted, full paths, NULL-ended). */
static char **office_scan(const char *dir, int (*keep)(const char *path,
                                                       const char *name),
                          size_t *count)
{
    char **v = xcalloc(1, sizeof *v);
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        if (!keep(p, e->d_name)) {
            free(p);
            continue;
        }
        v = xrealloc(v, (n + 2) * sizeof *v);
        v[n++] = p;
        v[n] = NULL;
    }
    if (d)
        closedir(d);
    qsort(v, n, sizeof *v, office_name_cmp);
    *count = n;
    return v;
}

static void office_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int office_is_dir(const char *path, const char *name)
{
    (void)name;
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

char *ui_usb_dir(void)
{
    const char *user = getenv("USER");
    struct passwd *pw = user && *user ? NULL : getpwuid(getuid());
    if (pw)
        user = pw->pw_name;
    static const char *const roots[] = {"/media", "/run/media"};
    for (size_t r = 0; user && *user && r < 2; r++) {
        char *base = xasprintf("%s/%s", roots[r], user);
        size_t n;
        char **v = office_scan(base, office_is_dir, &n);
        char *found = n ? xstrdup(v[0]) : NULL;
        office_strv_free(v, n);
        free(base);
        if (found)
            return found;
    }
    char *cwd = getcwd(NULL, 0);
    return cwd ? cwd : xstrdup(".");
}

/* Ask for a directory (offering the USB stick); NULL on Esc. */
static char *office_ask_dir(const char *title, const char *question)
{
    char *def = ui_usb_dir();
    char *dir = ui_ask(title, question, def);
    free(def);
    struct stat sb;
    if (dir && !office_is_dir(dir, NULL)) {
        char *m = stat(dir, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR)
            ? xasprintf(_("The folder %s does not exist: create it first, "
                          "or choose another folder."), dir)
            : xasprintf(_("%s is not a directory."), dir);
        ui_show_text(title, m);
        free(m);
        free(dir);
        return NULL;
    }
    return dir;
}

void ui_working(const char *title, const char *what)
{
    ui_frame(title, _("Please wait"));
    ui_put(2, 2, what, COLS - 4, UI_TITLE, 0);
    refresh();
}

/* What an export says when it is done. */
static char *office_export_msg(const sync_export_result *x)
{
    if (!*x->sealed_for)
        return xasprintf(_("%ld interviews exported to\n\n%s\n\nThe bundle "
                           "was read back and verified.\n\nWARNING: no "
                           "office key is trusted, so this bundle is NOT "
                           "encrypted: anyone who finds the stick can read "
                           "it (k: keys, t: trust the office's card)."),
                         x->count, x->path);
    return xasprintf(_("%ld interviews exported to\n\n%s\n\nSealed for the "
                       "office %s and signed by this database: only that "
                       "office can open it."), x->count, x->path,
                     x->sealed_for);
}

void ui_export(ui_app *a)
{
    const char *title = _("Export to a USB stick");
    char *dir = office_ask_dir(title, _("Directory to write the bundle to "
                                        "(a USB stick is offered when one is mounted):"));
    if (!dir)
        return;
    unsigned flags = 0;
    char *msg = NULL;
    for (;;) {
        ui_working(title, _("Writing and verifying the bundle..."));
        char *err = NULL;
        sync_export_result x;
        int rc = sync_export(a->st, dir, flags, &x, &err);
        if (rc != 0)
            msg = xasprintf(_("The export failed: %s.\n\nNothing was exported; "
                              "the interviews are still to be sent."), err);
        else if (x.path && x.reviews) {
            char *m = office_export_msg(&x);
            msg = xasprintf(_("%s\n\nThe bundle carries %ld review(s) of "
                              "this office for the province."), m, x.reviews);
            free(m);
        } else if (x.path)
            msg = office_export_msg(&x);
        sync_export_result_clear(&x);
        free(err);
        if (msg || flags)
            break;
        if (!ui_confirm(_("Nothing new to export. Export every complete "
                          "interview again?")))
            break;
        flags = BUNDLE_EXPORT_ALL;
    }
    if (!msg)
        msg = xstrdup(_("There was nothing to export."));
    ui_show_text(title, msg);
    free(msg);
    free(dir);
}

/* The laptops to choose from: device ids (owned) and their lines. */
typedef struct down_pick {
    char **device, **line;
    size_t n, cap, cap2;
} down_pick;

static int down_pick_add(void *ctx, const char *device, const char *label)
{
    down_pick *p = ctx;
    p->device = util_grow(p->device, &p->cap, p->n + 1, sizeof *p->device);
    p->line = util_grow(p->line, &p->cap2, p->n + 2, sizeof *p->line);
    p->device[p->n] = xstrdup(device);
    char *safe = ui_text_safe(label, 0);
    p->line[p->n + 1] = xasprintf(_("laptop %.8s  %s"), device, safe);
    free(safe);
    p->n++;
    return 0;
}

static void down_pick_free(down_pick *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->device[i]);
        free(p->line[i + 1]);
    }
    if (p->line)
        free(p->line[0]);
    free(p->device);
    free(p->line);
}

/* Which laptop (or every one) to write for: 0 with *device (borrowed
 * from p, NULL: every laptop), 1 when the supervisor went back, -1 with
 * *err. */
static int down_choose(ui_app *a, const char *title, down_pick *p,
                       const char **device, char **err)
{
    *device = NULL;
    if (sync_down_laptops(a->st, down_pick_add, p, err) != 0)
        return -1;
    if (p->n == 0)
        return 0;       /* export --down says why there is no one */
    p->line = util_grow(p->line, &p->cap2, p->n + 1, sizeof *p->line);
    p->line[0] = xasprintf(_("every laptop (%zu)"), p->n);
    size_t sel = 0;
    int k = ui_pick(title, _("Up/Down choose   Enter write   Esc back"),
                    p->line, NULL, p->n + 1, &sel);
    if (k < 0)
        return 1;
    *device = k == 0 ? NULL : p->device[k - 1];
    return 0;
}

/* One downstream bundle written: a line of the summary. */
static void down_written_line(void *ctx, const char *device,
                              const char *path, long returns)
{
    sbuf_addf(ctx, _("laptop %.8s: %ld returned interview(s)\n    %s\n"),
              device, returns, path);
}

void ui_export_down(ui_app *a)
{
    const char *title = _("Bundles for the laptops");
    down_pick p;
    memset(&p, 0, sizeof p);
    const char *device = NULL;
    char *err = NULL, *msg = NULL;
    int rc = down_choose(a, title, &p, &device, &err);
    char *dir = rc == 0
        ? office_ask_dir(title, _("Directory to write the laptops' bundles "
                                  "to (a USB stick is offered when one is "
                                  "mounted):"))
        : NULL;
    if (rc < 0)
        msg = xasprintf(_("The laptops cannot be listed: %s."), err);
    else if (dir) {
        ui_working(title, _("Writing the bundles for the laptops..."));
        sbuf lines;
        sbuf_init(&lines);
        long n = 0;
        rc = sync_export_down(a->st, a->cat, dir, device, down_written_line,
                              &lines, &n, &err);
        msg = rc != 0
            ? xasprintf(_("%s.\n\n%ld bundle(s) written.\n%s"), err, n,
                        lines.s ? lines.s : "")
            : xasprintf(_("%ld bundle(s) written, each sealed for its "
                          "laptop's card and signed by this office; each "
                          "carries the returns, the set-up and the forms:"
                          "\n\n%s\nEach laptop takes its own with m."), n,
                        lines.s ? lines.s : "");
        sbuf_free(&lines);
    }
    if (msg)
        ui_show_text(title, msg);
    free(msg);
    free(err);
    free(dir);
    down_pick_free(&p);
}

void ui_backup(ui_app *a)
{
    const char *title = _("Back up the database");
    char *dir = office_ask_dir(title, _("Directory to write the backup to "
                                        "(a USB stick is offered when one is mounted):"));
    if (!dir)
        return;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char day[32];
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    char *path = xasprintf("%s/khaosat-%s.kbk", dir, day);
    ui_working(title, _("Copying, writing and checking the backup..."));
    backup_info info;
    char *err = NULL, *msg;
    if (backup_write(a->st, path, NULL, &info, &err) != 0)
        msg = xasprintf(_("The backup failed: %s.\n\nNothing was backed "
                          "up; the database is as it was."), err);
    else {
        char *advice = backup_keys_advice(&info);
        msg = xasprintf(ngettext("%ld interview backed up to\n\n%s\n\nThe "
                                 "file was read back and checked. %s",
                                 "%ld interviews backed up to\n\n%s\n\nThe "
                                 "file was read back and checked. %s",
                                 (unsigned long)info.interviews),
                        info.interviews, path, advice);
        free(advice);
    }
    ui_show_text(title, msg);
    free(msg);
    free(err);
    free(path);
    free(dir);
}

/* Where a merge stands, for its progress bar and its summary. */
typedef struct office_merge {
    size_t i, n;          /* bundle i (0-based) of n */
    const char *name;
    int shown;            /* last percentage drawn */
    sbuf lines;           /* one entry per bundle */
} office_merge;

/* Draw the progress of bundle om->i, done of total interviews into it. */
static void office_merge_draw(office_merge *om, long done, long total)
{
    double part = total > 0 ? (double)done / (double)total : 0;
    if (part > 1)
        part = 1;
    double all = ((double)om->i + part) / (double)om->n;
    int pct = (int)(all * 100);
    if (pct == om->shown)
        return;
    om->shown = pct;
    ui_frame(_("Merging bundles"), _("Please wait"));
    char *l = xasprintf(_("Bundle %zu of %zu"), om->i + 1, om->n);
    ui_put(2, 2, l, COLS - 4, UI_TITLE, 0);
    free(l);
    ui_put(3, 2, om->name, COLS - 4, UI_NORMAL, 0);
    int w = COLS - 12, fill = (int)(all * w);
    char *bar = xmalloc((size_t)w + 1);
    for (int k = 0; k < w; k++)
        bar[k] = k < fill ? '#' : '-';
    bar[w] = '\0';
    char *line = xasprintf("[%s] %3d%%", bar, pct);
    ui_put(5, 2, line, COLS - 4, UI_NORMAL, 0);
    free(line);
    free(bar);
    refresh();
}

/* The last part of a path. */
static const char *office_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void office_merge_start(void *ctx, size_t i, size_t n,
                               const char *path)
{
    office_merge *om = ctx;
    om->i = i;
    om->n = n;
    om->name = office_base(path);
    om->shown = -1;
    office_merge_draw(om, 0, 0);
}

static int office_merge_progress(void *ctx, long done, long total)
{
    office_merge_draw(ctx, done, total);
    return 0;
}

/* A plain bundle where only sealed ones are taken: the supervisor
 * decides, having read why. */
static int office_merge_unsigned(void *ctx, const char *path,
                                 const char *why)
{
    office_merge *om = ctx;
    (void)path;
    ui_frame(_("Merging bundles"), "");
    char *t = xasprintf(_("%s\n\nThis bundle is NOT sealed: anyone could "
                          "have made or changed it."), why);
    office_draw_wrapped(t, UI_NORMAL);
    free(t);
    int yes = ui_confirm(_("Merge this unsigned bundle anyway?"));
    om->shown = -1;
    return yes;
}

/* A bundle held aside for a form this office does not keep: the
 * supervisor accepts the form (as 'khaosat forms accept' does), having
 * read which one it is, or leaves the bundle aside. */
static int office_merge_forms(void *ctx, const char *path, const char *why)
{
    office_merge *om = ctx;
    (void)path;
    ui_frame(_("Merging bundles"), "");
    char *t = xasprintf(_("%s\n\nAccept a form only when it is the one the "
                          "survey's organisers sent: from then on it is "
                          "this office's form of that version."), why);
    office_draw_wrapped(t, UI_NORMAL);
    free(t);
    int yes = ui_confirm(_("Accept this bundle's form and merge it?"));
    om->shown = -1;
    return yes;
}

/* Show text and question after it in a pager that wraps every line at
 * the screen's width (never inside a character) and scrolls however long
 * the text is; non-zero when the answer is yes (y, or the interface
 * language's yes key), zero for no (n, its no key, Esc or q). */
static int office_pager_confirm(const char *title, const char *text,
                                const char *question)
{
    const char *yes = _("y");
    /* TRANSLATORS: the key that answers "no" to a y/n question. */
    const char *no = _("n");
    char extra[8] = "yYnN";
    size_t n = 4;
    /* Only a one-byte key can be pressed as itself. */
    if ((unsigned char)yes[0] - 1u < 0x7fu && !strchr(extra, yes[0]))
        extra[n++] = yes[0];
    if ((unsigned char)no[0] - 1u < 0x7fu && !strchr(extra, no[0]))
        extra[n++] = no[0];
    extra[n] = '\0';
    char *q = xasprintf(_("%s (y/n)"), question);
    char *all = xasprintf("%s\n%s", text, q);
    char *keys = xasprintf(_("%c yes   %c no   Up/Down/PgUp/PgDn scroll"),
                           yes[0], no[0]);
    int k = ui_pager(title, keys, all, 1, extra, NULL);
    free(keys);
    free(all);
    free(q);
    return k == 'y' || k == 'Y' || (k > 0 && k < 128 && k == yes[0]);
}

/* A downstream bundle brings new form versions: the enumerator reads what
 * they change (each change wrapped at the screen's width, the list
 * scrolled when it is long) and installs them (taking the bundle) or
 * leaves the bundle for later, the laptop unchanged. */
static int office_merge_versions(void *ctx, const char *path,
                                 const char *changes)
{
    office_merge *om = ctx;
    char *name = ui_text_safe(office_base(path), UI_TEXT_LINE);
    char *t = xasprintf(_("%s brings new form version(s) from the office. "
                          "What they change:\n%s"), name,
                        *changes ? changes
                        : _("(nothing that drafts on this laptop use)\n"));
    int yes = office_pager_confirm(_("Merging bundles"), t,
                                   _("Install the new form version(s) now? "
                                     "(n: leave the bundle for later, "
                                     "nothing changes)"));
    free(t);
    free(name);
    om->shown = -1;
    return yes;
}

/* One entry of the summary per bundle. */
static void office_merge_done(void *ctx, const sync_bundle_result *r)
{
    office_merge *om = ctx;
    const char *name = office_base(r->path);
    if (r->outcome == SYNC_MERGED) {
        /* The entries khaosat merge prints, under the bundle's name. */
        char **v = sync_merged_lines(r);
        sbuf_addf(&om->lines, "%s:\n", name);
        for (size_t i = 0; v[i]; i++) {
            size_t n = strlen(v[i]);
            sbuf_addf(&om->lines, "    %s%s", v[i],
                      n && v[i][n - 1] == '\n' ? "" : "\n");
        }
        sync_lines_free(v);
        return;
    }
    switch (r->outcome) {
    case SYNC_REFUSED:
        sbuf_addf(&om->lines, _("%s:\n    NOT MERGED: %s\n"), name, r->why);
        break;
    case SYNC_AGAIN:
        if (r->merged_on)
            sbuf_addf(&om->lines, _("%s:\n    already merged on %s; "
                                    "nothing changed\n"), name,
                      r->merged_on);
        else
            sbuf_addf(&om->lines, _("%s:\n    already merged; nothing "
                                    "changed\n"), name);
        break;
    case SYNC_MERGED:   /* above */
        break;
    case SYNC_EMPTY_DIR:
        sbuf_addf(&om->lines, _("No bundles (*%s) in %s."), BUNDLE_EXT,
                  r->path);
        sbuf_addc(&om->lines, '\n');
        break;
    case SYNC_SKIPPED:
        sbuf_addf(&om->lines, _("%s:\n    SKIPPED: %s\n"), name, r->why);
        break;
    case SYNC_LATER:
        sbuf_addf(&om->lines, _("%s:\n    LEFT FOR LATER: the new form "
                                "version(s) were not installed; nothing "
                                "changed (merge it again to install them)\n"),
                  name);
        break;
    }
}

void ui_merge(ui_app *a)
{
    const char *title = _("Merge bundles");
    char *dir = office_ask_dir(title, _("Directory with the bundles to merge "
                                        "(every *.khb file in it):"));
    if (!dir)
        return;
    office_merge om = {0, 0, NULL, -1, {NULL, 0, 0}};
    sbuf_init(&om.lines);
    sync_merge_hooks h = {.start = office_merge_start,
                          .progress = office_merge_progress,
                          .ask_unsigned = office_merge_unsigned,
                          .ask_forms = office_merge_forms,
                          .ask_versions = office_merge_versions,
                          .done = office_merge_done, .ctx = &om,
                          .settle = session_settle_merged,
                          .province = setup_province_known};
    sync_totals t;
    sync_merge_paths(a->st, a->cat, &dir, 1, 0, &h, &t);
    /* A form version or set-up the office sent is this session's at once,
     * as it is a fresh start's: new interviews take it. */
    if (t.merged)
        setup_forms_bind(a->st, a->cat);
    sbuf out;
    sbuf_init(&out);
    if (t.bundles) {
        /* Every bundle counted once: a downstream one whose new form
         * versions were declined is left for later. */
        if (t.later)
            sbuf_addf(&out, _("%zu bundles: %zu merged, %zu already merged, "
                              "%zu refused, %zu left for later, %zu "
                              "skipped.\n"), t.bundles, t.merged, t.again,
                      t.refused, t.later, t.skipped);
        else
            sbuf_addf(&out, _("%zu bundles: %zu merged, %zu already merged, "
                              "%zu refused, %zu skipped.\n"), t.bundles,
                      t.merged, t.again, t.refused, t.skipped);
        sbuf_addf(&out, _("In all: added %ld, updated %ld, unchanged %ld, "
                          "conflicts %ld, duplicates %ld.\n"),
                  t.counts.added, t.counts.updated, t.counts.unchanged,
                  t.counts.conflicts, t.counts.duplicates);
        if (t.counts.conflicts || t.counts.duplicates)
            sbuf_add(&out, _("Press c on the home screen to resolve the "
                             "conflicts and see the duplicates.\n"));
        sbuf_add(&out, "\n");
    }
    sbuf_add(&out, om.lines.s ? om.lines.s : "");
    ui_pager(_("Merge: summary"), _("Up/Down/PgUp/PgDn scroll   q/Esc close"),
             out.s, 1, NULL, NULL);
    sbuf_free(&out);
    sbuf_free(&om.lines);
    free(dir);
}
