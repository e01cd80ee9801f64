/* ui_keys.c: the keys screen: this database's fingerprint, shown to be
 * read aloud, and the cards it trusts; writing this database's card to a
 * USB stick, trusting a card only after its fingerprint is shown and the
 * person says yes, and revoking a card. */
#include "config.h"
#include "ui/ui_curses.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/i18n.h"
#include "sync/keys.h"
#include "ui/ui.h"
#include "core/util.h"

/* The trusted cards, upstream first, as keys_list gives them. */
typedef struct kv_list {
    keys_trusted *v;
    size_t n, cap;
} kv_list;

static void kv_card_copy(keys_card *d, const keys_card *s)
{
    *d = *s;
    d->role = xstrdup(s->role);
    d->commune = xstrdup(s->commune);
    d->name = xstrdup(s->name);
    d->device = xstrdup(s->device);
}

static int kv_collect(void *ctx, const keys_trusted *t)
{
    kv_list *l = ctx;
    l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    keys_trusted *d = &l->v[l->n++];
    kv_card_copy(&d->card, &t->card);
    d->purpose = xstrdup(t->purpose);
    d->trusted = xstrdup(t->trusted);
    d->revoked = xstrdup(t->revoked);
    return 0;
}

static void kv_list_free(kv_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        keys_trusted_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* A role or purpose as people read it. */
static const char *kv_word(const char *w)
{
    if (!strcmp(w, "laptop"))
        return _("laptop");
    if (!strcmp(w, "office"))
        return _("office");
    if (!strcmp(w, "upstream"))
        return _("upstream");
    if (!strcmp(w, "accept"))
        return _("accept");
    return w;
}

/* A stored time "YYYY-MM-DDTHH:MM..." as "YYYY-MM-DD HH:MM" (17 bytes). */
static void kv_when(const char *iso, char out[17])
{
    snprintf(out, 17, "%.16s", iso ? iso : "");
    char *t = strchr(out, 'T');
    if (t)
        *t = ' ';
}

/* Append s cut and padded to exactly width columns, then a space. */
static void kv_cell(sbuf *b, const char *s, int width)
{
    char *t = ui_text_truncate(s, width);
    int pad = width - ui_text_width(t);
    sbuf_addf(b, "%s%*s ", t, pad > 0 ? pad : 0, "");
    free(t);
}

/* The widest of two translated words and a heading. */
static int kv_width3(const char *a, const char *b, const char *c)
{
    int w = ui_text_width(a);
    if (ui_text_width(b) > w)
        w = ui_text_width(b);
    return ui_text_width(c) > w ? ui_text_width(c) : w;
}

/* One row of the list (or the heading when t is NULL); newly allocated. */
static char *kv_row(const keys_trusted *t)
{
    int wp = kv_width3(_("Purpose"), _("upstream"), _("accept"));
    int wr = kv_width3(_("Role"), _("laptop"), _("office"));
    int wx = kv_width3(_("Revoked"), _("REVOKED"), "");
    sbuf b;
    sbuf_init(&b);
    if (!t) {
        kv_cell(&b, _("Purpose"), wp);
        kv_cell(&b, _("Role"), wr);
        kv_cell(&b, _("Fingerprint"), KEYS_FPR_SIZE - 1);
        kv_cell(&b, _("Trusted"), 10);
        kv_cell(&b, _("Revoked"), wx);
        sbuf_add(&b, _("Name (commune)"));
        return sbuf_detach(&b);
    }
    char when[17];
    kv_when(t->trusted, when);
    when[10] = '\0';
    kv_cell(&b, kv_word(t->purpose), wp);
    kv_cell(&b, kv_word(t->card.role), wr);
    kv_cell(&b, t->card.fpr, KEYS_FPR_SIZE - 1);
    kv_cell(&b, when, 10);
    kv_cell(&b, t->revoked ? _("REVOKED") : "", wx);
    sbuf_addf(&b, "%s (%s)", t->card.name, t->card.commune);
    return sbuf_detach(&b);
}

/* The whole of the highlighted card, for the line under the list. */
static char *kv_detail(const keys_trusted *t)
{
    char when[17], gone[17];
    kv_when(t->trusted, when);
    if (!t->revoked)
        return xasprintf(_("\"%s\" (%s), trusted %s"), t->card.name,
                         t->card.commune, when);
    kv_when(t->revoked, gone);
    return xasprintf(_("\"%s\" (%s), trusted %s, revoked %s"), t->card.name,
                     t->card.commune, when, gone);
}

/* The fingerprint, large: centred on a reversed band of three lines. */
static void kv_band(int y, const char *fpr)
{
    for (int i = 0; i < 3; i++)
        ui_put(y + i, 2, "", COLS - 4, UI_SELECTED, 1);
    int w = ui_text_width(fpr);
    ui_put(y + 1, (COLS - w) / 2, fpr, w, UI_SELECTED, 0);
}

/* Draw text wrapped from line y, at most max lines; the lines used. */
static int kv_para(int y, const char *text, ui_role r, int max)
{
    ui_line *l;
    size_t n = ui_text_wrap(text, COLS - 4, &l);
    int used = 0;
    for (size_t i = 0; i < n && used < max; i++, used++) {
        char *s = xstrndup(text + l[i].off, l[i].len);
        ui_put(y + used, 2, s, COLS - 4, r, 0);
        free(s);
    }
    free(l);
    return used;
}

/* This database's role, name and commune in one line; newly allocated. */
static char *kv_who(const keys_card *c)
{
    return xasprintf(_("%s \"%s\" (%s)"), kv_word(c->role), c->name,
                     c->commune);
}

/* The first list line, and the rows of the list at this screen size. */
#define KV_LIST_Y 10
static size_t kv_rows(void)
{
    return LINES - 4 > KV_LIST_Y ? (size_t)(LINES - 4 - KV_LIST_Y) : 1;
}

/* Draw the keys screen with row sel of the list highlighted. */
static void kv_draw(const keys_card *self, const kv_list *l, size_t sel,
                    size_t *top)
{
    ui_frame(_("Keys: this database and the cards it trusts"),
             _("w write card  t trust a card  x revoke  Esc back"));
    if (!*self->fpr) {
        /* Looking makes no keys: they are made when the card is written. */
        kv_para(2, _("This database has no keys yet. Press w to make them "
                     "and write its card."), UI_TITLE, 3);
    } else {
        char *who = kv_who(self);
        char *line = xasprintf(_("This database: %s"), who);
        ui_put(2, 2, line, COLS - 4, UI_TITLE, 0);
        free(line);
        free(who);
        kv_band(3, self->fpr);
        kv_para(6, _("Read this fingerprint aloud to the other side when "
                     "they trust this card: their screen must show exactly "
                     "the same."), UI_NORMAL, 2);
    }
    char *h = kv_row(NULL);
    ui_put(KV_LIST_Y - 1, 1, h, COLS - 2, UI_DIM, 0);
    free(h);
    size_t rows = kv_rows();
    if (sel < *top)
        *top = sel;
    if (sel >= *top + rows)
        *top = sel - rows + 1;
    if (l->n == 0)
        ui_put(KV_LIST_Y, 2, _("No trusted cards yet: press t to trust one."),
               COLS - 4, UI_DIM, 0);
    for (size_t i = *top; i < l->n && i < *top + rows; i++) {
        char *r = kv_row(&l->v[i]);
        ui_role role = i == sel ? UI_SELECTED
                       : l->v[i].revoked ? UI_DIM : UI_NORMAL;
        ui_put(KV_LIST_Y + (int)(i - *top), 1, r, COLS - 2, role, i == sel);
        free(r);
    }
    if (l->n) {
        char *d = kv_detail(&l->v[sel]);
        ui_put(LINES - 3, 1, d, COLS - 2, UI_TITLE, 0);
        free(d);
    }
    refresh();
}

/* ------------------------------------------------------------ write card */

/* Where the card goes: a file in dir named after the card, or the path as
 * typed.  Newly allocated. */
static char *kv_card_path(const char *typed, const keys_card *c)
{
    struct stat sb;
    if (stat(typed, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return xstrdup(typed);
    size_t n = strlen(typed);
    return xasprintf("%s%skhaosat-%s-%s.card", typed,
                     n && typed[n - 1] == '/' ? "" : "/", c->role, c->fpr);
}

/* Write this database's card to path and read it back; the message to
 * show, newly allocated. */
static char *kv_write_card(store *st, const char *path)
{
    keys_self self;
    char *err = NULL, *msg = NULL;
    if (keys_self_get(st, 1, &self, &err) != 0) {
        msg = xasprintf(_("The card was not written: %s"), err);
        free(err);
        return msg;
    }
    if (keys_card_write(&self, path, &err) == 0)
        msg = xasprintf(_("The card of this database was written to\n\n"
                          "%s\n\nfingerprint: %s\n\nOn the other "
                          "computer, trust it and compare the fingerprint "
                          "it shows with this one."), path, self.card.fpr);
    else
        msg = xasprintf(_("The card was not written: %s"), err);
    free(err);
    keys_self_clear(&self);
    return msg;
}

static int kv_self(ui_app *a, int create, keys_card *out);

/* w: ask where, then write this database's card there (making the keys
 * first when it has none: *self is then filled in). */
static void kv_write(ui_app *a, keys_card *self)
{
    const char *title = _("Write this database's card");
    char *def = ui_usb_dir();
    char *typed = ui_ask(title, _("Directory or file to write this "
                                  "database's card to (a USB stick is "
                                  "offered when one is mounted):"), def);
    free(def);
    if (!typed)
        return;
    if (!*self->fpr && kv_self(a, 1, self) != 0) {
        free(typed);
        return;
    }
    char *path = kv_card_path(typed, self);
    free(typed);
    struct stat sb;
    if (stat(path, &sb) == 0
        && !ui_confirm(_("That file exists already. Replace it?"))) {
        free(path);
        return;
    }
    char *msg = kv_write_card(a->st, path);
    ui_show_text(title, msg);
    free(msg);
    free(path);
}

/* ------------------------------------------------------------ trust card */

/* A card about to be trusted, as the question screen shows it. */
typedef struct kv_offer {
    const char *path;
    const keys_card *c;
    const char *purpose;
    keys_trusted old;      /* the upstream office it replaces */
    int replaces;
} kv_offer;

/* Put one "label value" line at *y and step past it. */
static void kv_line(int *y, const char *label, const char *value)
{
    char *s = xasprintf("%s %s", label, value);
    ui_put((*y)++, 2, s, COLS - 4, UI_NORMAL, 0);
    free(s);
}

/* Draw the card, what trusting it means, its fingerprint and the
 * question. */
static void kv_offer_draw(const kv_offer *o)
{
    int up = strcmp(o->purpose, "upstream") == 0;
    ui_frame(_("Trust a card"), _("y trust   n do not trust"));
    int y = 2;
    kv_line(&y, _("Card file:"), o->path);
    y++;
    kv_line(&y, _("Role:"), kv_word(o->c->role));
    kv_line(&y, _("Name:"), o->c->name);
    kv_line(&y, _("Commune:"), o->c->commune);
    kv_line(&y, _("Purpose:"), kv_word(o->purpose));
    y += kv_para(y, up ? _("This database's bundles will be sealed for it: "
                           "only it can read them.")
                       : _("Bundles signed by it will be merged here."),
                 UI_NORMAL, 2);
    if (o->replaces) {
        char *s = xasprintf(_("It replaces the office %s \"%s\" (%s), which "
                              "will be revoked."), o->old.card.fpr,
                            o->old.card.name, o->old.card.commune);
        y += kv_para(y, s, UI_NORMAL, 2);
        free(s);
    }
    kv_band(y + 1, o->c->fpr);
    y += 5;
    kv_para(y, _("Trust this card? Compare the fingerprint with the one "
                 "shown on the other computer (y/n)"), UI_ERROR,
            LINES - 2 - y);
    refresh();
}

/* Show the offer until a key is pressed; non-zero for yes only. */
static int kv_offer_ask(const kv_offer *o)
{
    /* TRANSLATORS: the key that answers "yes" to a y/n question. */
    const char *yes = _("y");
    for (;;) {
        kv_offer_draw(o);
        int k = ui_getkey();
        if (k == UI_FN(KEY_RESIZE))
            continue;
        return k == 'y' || k == 'Y' || (k > 0 && k < 128 && k == yes[0]);
    }
}

/* An office's card at an office: ask which way it goes; NULL on Esc. */
static const char *kv_choose_purpose(void)
{
    char *e[2] = {
        xstrdup(_("upstream: the office this one sends its bundles to "
                  "(the province)")),
        xstrdup(_("accept: an office that sends its bundles here (a "
                  "commune of this province)"))};
    size_t sel = 0;
    int k = ui_pick(_("Trust a card: which way does this office's card go?"),
                    _("Up/Down choose   Enter pick   Esc cancel"), e, NULL, 2,
                    &sel);
    free(e[0]);
    free(e[1]);
    return k == 0 ? "upstream" : k == 1 ? "accept" : NULL;
}

/* The purpose card c gets here (asked when it must be); NULL when the
 * person cancelled (*err unset) or on failure. */
static const char *kv_purpose(store *st, const keys_card *c, char **err)
{
    char *role = NULL;
    if (keys_role(st, &role, err) != 0)
        return NULL;
    int both = !strcmp(role, "office") && !strcmp(c->role, "office");
    free(role);
    return both ? kv_choose_purpose() : keys_default_purpose(st, c, err);
}

/* Show card c from path and trust it if the person says yes; the message
 * to show after, or NULL when there is none. */
static char *kv_trust_card(store *st, const char *path, const keys_card *c)
{
    char *err = NULL, *msg = NULL;
    kv_offer o;
    memset(&o, 0, sizeof o);
    o.path = path;
    o.c = c;
    o.purpose = kv_purpose(st, c, &err);
    if (!o.purpose && !err)
        return NULL;
    int rc = o.purpose && !strcmp(o.purpose, "upstream")
             ? keys_upstream(st, &o.old, &err) : 1;
    if (rc == 0)
        o.replaces = strcmp(o.old.card.fpr, c->fpr) != 0;
    /* A card that cannot be trusted here (its device already bound to
     * another card, ...) is refused before the question, not after it. */
    int refused = o.purpose && rc >= 0
                  && keys_trust_check(st, c, o.purpose, &err) != 0;
    if (o.purpose && rc >= 0 && !refused) {
        if (!kv_offer_ask(&o))
            msg = xstrdup(_("Not trusted: nothing was changed."));
        else if (keys_trust(st, c, o.purpose, &err) == 0)
            msg = !strcmp(o.purpose, "upstream")
                  ? xasprintf(_("Trusted: the bundles of this database are "
                                "now sealed for %s."), c->fpr)
                  : xasprintf(_("Trusted: bundles signed by %s are now "
                                "accepted."), c->fpr);
        else {
            char *named = xasprintf("%s: %s", path, err);   /* as the
                                                            command says */
            free(err);
            err = named;
        }
    }
    if (rc == 0)
        keys_trusted_clear(&o.old);
    if (refused)
        msg = xasprintf(_("This card cannot be trusted here:\n\n%s: %s\n\n"
                          "Nothing was changed."), path, err);
    if (!msg)
        msg = xasprintf(_("The card was not trusted: %s"), err);
    free(err);
    return msg;
}

/* t: ask for a card file, show it and trust it after asking. */
static void kv_trust(ui_app *a)
{
    const char *title = _("Trust a card");
    char *def = ui_usb_dir();
    size_t n = strlen(def);
    char *init = xasprintf("%s%s", def, n && def[n - 1] == '/' ? "" : "/");
    free(def);
    char *path = ui_ask(title, _("The card file to trust, written by the "
                                 "other computer (for example on a USB "
                                 "stick):"), init);
    free(init);
    if (!path)
        return;
    keys_card c;
    char *err = NULL, *msg = NULL;
    if (keys_card_load(path, &c, &err) != 0) {
        msg = xasprintf(_("This card cannot be trusted:\n\n%s\n\nNothing "
                          "was changed."), err);
        free(err);
    } else {
        msg = kv_trust_card(a->st, path, &c);
        keys_card_clear(&c);
    }
    if (msg)
        ui_show_text(title, msg);
    free(msg);
    free(path);
}

/* ----------------------------------------------------------- revoke card */

/* Show msg on the status line until a key is pressed. */
static void kv_notice(const char *msg)
{
    ui_status(msg, UI_ERROR);
    refresh();
    ui_getkey();
}

/* x: revoke card t after asking. */
static void kv_revoke(ui_app *a, const keys_trusted *t)
{
    if (!t) {
        kv_notice(_("There is no card to revoke."));
        return;
    }
    if (t->revoked) {
        kv_notice(_("This card is revoked already."));
        return;
    }
    if (!ui_confirm(_("Revoke the highlighted card? Its bundles will be "
                      "refused from now on.")))
        return;
    char *err = NULL;
    if (keys_revoke(a->st, t->card.fpr, &err) != 0) {
        char *m = xasprintf(_("The card was not revoked: %s"),
                            err ? err : "?");
        kv_notice(m);
        free(m);
    }
    free(err);
}

/* ---------------------------------------------------------------- screen */

/* This database's card (made now if it has none and create is set; an
 * empty card, fpr "", when it has none and create is not); -1 with the
 * reason shown. */
static int kv_self(ui_app *a, int create, keys_card *out)
{
    keys_self self;
    char *err = NULL;
    int rc = keys_self_get(a->st, create, &self, &err);
    if (rc > 0) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    if (rc != 0) {
        char *m = xasprintf(_("This database has no keys: %s"), err);
        ui_show_text(_("Keys"), m);
        free(m);
        free(err);
        return -1;
    }
    kv_card_copy(out, &self.card);
    keys_self_clear(&self);
    return 0;
}

void ui_keys(ui_app *a)
{
    keys_card self;
    if (kv_self(a, 0, &self) != 0)
        return;
    kv_list l = {NULL, 0, 0};
    size_t sel = 0, top = 0;
    for (int reload = 1;;) {
        char *err = NULL;
        if (reload) {
            kv_list_free(&l);
            if (keys_list(a->st, kv_collect, &l, &err) != 0) {
                kv_notice(err);
                free(err);
                break;
            }
            reload = 0;
        }
        if (sel >= l.n)
            sel = l.n ? l.n - 1 : 0;
        kv_draw(&self, &l, sel, &top);
        int k = ui_getkey();
        if (ui_list_move(k, l.n, &sel, kv_rows()))
            continue;
        if (k == UI_ESC || k == 'q' || k == UI_CTRL('x'))
            break;
        if (k == 'w')
            kv_write(a, &self);
        else if (k == 't')
            kv_trust(a);
        else if (k == 'x' || k == UI_FN(KEY_DC))
            kv_revoke(a, l.n ? &l.v[sel] : NULL);
        reload = k == 't' || k == 'x' || k == UI_FN(KEY_DC);
    }
    kv_list_free(&l);
    keys_card_clear(&self);
}
