/* down_apply.c: a laptop takes a verified downstream bundle from its
 * office, in one transaction: forms, set-up, reviews (a return reopens).
 * layers: bundle-sql (its SQL reads the downstream image only).
 * Forms: new versions only, never another text under a version kept here;
 * a new version that would make drafts started under another version
 * lose answers (khaosat validate --against --db) is refused unless the
 * office allowed it, and what each new version changes is told.
 * The bundle's time orders those of one office: the same bundle again
 * changes nothing, an older one after a newer is refused. */
#include "config.h"
#include "sync/down_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/form_compare.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"
#include "sync/merge.h"

/* One applying in progress. */
typedef struct applier {
    store *st;
    down_bundle *d;
    sync_down_counts *n;
    sbuf changes;           /* what the new form versions change */
    sbuf versions;          /* each form's version: old -> new, or kept */
    long newer;             /* new versions of forms kept here before */
    char *err;
} applier;

static int a_fail(applier *a, const char *fmt, ...) KS_PRINTF(2, 3);
static int a_fail(applier *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = xvasprintf(fmt, ap);
    va_end(ap);
    free(a->err);
    a->err = xasprintf("%s: %s", down_path(a->d), why);
    free(why);
    return -1;
}

static int a_store_fail(applier *a)
{
    return a_fail(a, "%s", store_errmsg(a->st));
}

static sqlite3_stmt *a_query(applier *a, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(down_sqlite(a->d), sql, -1, &s, NULL)
        != SQLITE_OK) {
        a_fail(a, _("cannot be read: %s"), sqlite3_errmsg(down_sqlite(a->d)));
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Whether the office allowed its version of form id to break drafts. */
static int allowed(applier *a, const char *id, const char *version)
{
    if (down_get_info(a->d)->format < 2)
        return 0;
    sqlite3_stmt *s = a_query(a, "SELECT 1 FROM allowed WHERE form_id = ?1"
                              " AND version = ?2");
    if (!s)
        return 0;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, version, -1, SQLITE_STATIC);
    int yes = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return yes;
}

/* Tell what nw changes from old and count, into *lost, the drafts on
 * old's version here holding an answer it would lose (those answers are
 * named in *why). */
static int compare_drafts(applier *a, const form *old, const form *nw,
                          long *lost, sbuf *why)
{
    diag_list errors, warnings;
    diag_init(&errors);
    diag_init(&warnings);
    form_losses losses = {NULL, 0};
    form_compare(old, nw, &errors, &warnings, &losses);
    char *eid = merge_escaped(nw->id), *ev = merge_escaped(old->version);
    char *nv = merge_escaped(nw->version);
    for (size_t i = 0; i < errors.n + warnings.n; i++) {
        diag *e = i < errors.n ? &errors.v[i] : &warnings.v[i - errors.n];
        /* Whole (a cut message hides what is lost), one line of text. */
        char *m = ui_text_safe(e->msg, UI_TEXT_LINE);
        sbuf_addf(&a->changes, "%s %s -> %s: %s\n", eid, ev, nv, m);
        free(m);
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < losses.n; i++) {
        const form_loss *l = &losses.v[i];
        long n = 0;
        if (store_count_affected(a->st, old->id, old->version, l->qid,
                                 l->code, &n) != 0)
            rc = a_store_fail(a);
        else if (n > 0) {
            *lost += n;
            char *q = merge_escaped(l->qid);
            char *c = l->code ? merge_escaped(l->code) : NULL;
            if (c)
                sbuf_addf(why, _("%s%ld draft(s) on version %s answer '%s' "
                                 "with choice '%s'"), why->len ? "; " : "",
                          n, ev, q, c);
            else
                sbuf_addf(why, _("%s%ld draft(s) on version %s answer '%s'"),
                          why->len ? "; " : "", n, ev, q);
            free(q);
            free(c);
        }
    }
    free(eid);
    free(ev);
    free(nv);
    form_losses_free(&losses);
    diag_free(&errors);
    diag_free(&warnings);
    return rc;
}

/* A new version nw of a form, before it is installed: what it changes
 * from each version drafts here were started under, refused when drafts
 * would lose answers unless the office allowed it. */
static int check_new_version(applier *a, const form *nw)
{
    char **v = NULL;
    size_t n = 0;
    if (store_draft_versions(a->st, nw->id, nw->version, &v, &n) != 0)
        return a_store_fail(a);
    long lost = 0;
    sbuf why;
    sbuf_init(&why);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        store_form here;
        int got = store_load_form(a->st, nw->id, v[i], &here);
        if (got < 0) {
            rc = a_store_fail(a);
            break;
        }
        if (got > 0)
            continue;
        diag_list dl;
        diag_init(&dl);
        form *old = form_load_string(here.source, here.source_len, nw->id,
                                     &dl);
        if (old)
            rc = compare_drafts(a, old, nw, &lost, &why);
        form_free(old);
        diag_free(&dl);
        store_form_clear(&here);
    }
    if (rc == 0 && lost > 0 && !allowed(a, nw->id, nw->version)) {
        char *eid = merge_escaped(nw->id), *ever = merge_escaped(nw->version);
        rc = a_fail(a, _("form \"%s\" version \"%s\" would make drafts on "
                         "this laptop lose answers (%s), and the office did "
                         "not allow it (khaosat export --down "
                         "--allow-breaking %s): nothing was installed; "
                         "finish or correct those drafts, or ask the office"),
                    eid, ever, why.s, eid);
        free(eid);
        free(ever);
    }
    sbuf_free(&why);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    return rc;
}

/* Whether version of form id is older than the office's version new
 * interviews here take (0 when unreadable: take_version fails then). */
static int older_than_taken(applier *a, const char *id, const char *version)
{
    char *key = xasprintf("office_form.%s", id), *cur = NULL;
    int older = store_setting_get(a->st, key, &cur) == 0 && cur
                && form_version_cmp(version, cur) < 0;
    free(cur);
    free(key);
    return older;
}

/* The office's version of form id becomes the one new interviews here
 * take, unless the one they take is newer (a bundle written from older
 * forms never rolls a laptop back); either is told in a->versions, a
 * version installed now (fresh) as new, one kept here before as such, so
 * that the new versions listed are the ones counted. */
static int take_version(applier *a, const char *id, const char *version,
                        const char *eid, const char *ever, int fresh)
{
    char *key = xasprintf("office_form.%s", id), *cur = NULL;
    int rc = store_setting_get(a->st, key, &cur) != 0 ? a_store_fail(a) : 0;
    char *ecur = cur ? merge_escaped(cur) : NULL;
    if (rc == 0 && cur && form_version_cmp(version, cur) < 0)
        sbuf_addf(&a->versions, _("%s: kept %s, the office sent %s (older: "
                                  "not installed)\n"), eid, ecur, ever);
    else if (rc == 0 && (!cur || strcmp(cur, version) != 0)) {
        if (cur && !fresh)
            sbuf_addf(&a->versions, _("%s %s -> %s (a version already on "
                                      "this laptop)\n"), eid, ecur, ever);
        else if (cur)
            sbuf_addf(&a->versions, "%s %s -> %s\n", eid, ecur, ever);
        else if (fresh)
            sbuf_addf(&a->versions, "%s -> %s\n", eid, ever);
        if (store_setting_set(a->st, key, version) != 0)
            rc = a_store_fail(a);
    }
    free(ecur);
    free(cur);
    free(key);
    return rc;
}

/* One form of the office: it must load, and a version kept here must
 * have the same text. */
static int apply_form(applier *a, const char *id, const char *version,
                      const char *sha, const char *source, size_t len)
{
    char *eid = merge_escaped(id), *ever = merge_escaped(version);
    diag_list dl;
    diag_init(&dl);
    form *f = form_load_string(source, len, id, &dl);
    int bad = !f || dl.n > 0;
    diag_free(&dl);
    int rc = 0, known = 0, fresh = 0;
    store_form here;
    int got = bad ? 0 : store_load_form(a->st, id, version, &here);
    if (bad)
        rc = a_fail(a, _("form \"%s\" version \"%s\" is not a valid form"),
                    eid, ever);
    else if (got < 0)
        rc = a_store_fail(a);
    else if (got == 0) {
        if (strcmp(here.sha256, sha) != 0)
            rc = a_fail(a, _("form \"%s\" version \"%s\" differs from "
                             "this laptop's form of that version (a changed "
                             "form needs a new version)"), eid, ever);
        store_form_clear(&here);
    } else if (older_than_taken(a, id, version)) {
        /* Not installed: take_version says the newer one is kept. */
    } else if (check_new_version(a, f) != 0)
        rc = -1;
    else if ((known = store_form_known(a->st, id)) < 0
             || store_save_form_tx(a->st, id, version, source, len) != 0)
        rc = a_store_fail(a);
    else {
        a->n->forms++;
        a->newer += known;
        fresh = 1;
    }
    form_free(f);
    if (rc == 0)
        rc = take_version(a, id, version, eid, ever, fresh);
    free(eid);
    free(ever);
    return rc;
}

static int apply_forms(applier *a)
{
    sqlite3_stmt *s = a_query(a, "SELECT form_id, version, sha256, source"
                              " FROM forms ORDER BY form_id, version");
    if (!s)
        return -1;
    int rc = 0;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW)
        rc = apply_form(a, col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                        (size_t)sqlite3_column_bytes(s, 3));
    sqlite3_finalize(s);
    return rc;
}

/* The office's villages v[0..n) drop one that interviews on this laptop
 * answer (a village the office dropped before they reached it): taken all
 * the same, as the office takes such interviews (the rest of the bundle,
 * a return among it, must reach the laptop); the summary says which
 * village and what to do, and finalising those interviews asks for
 * another village. */
static int dropped_in_use(applier *a, const store_village *v, size_t n)
{
    if (n == 0)
        return 0;
    store_village_use u;
    int rc = store_village_dropped_in_use(a->st, v, n, &u);
    if (rc > 0) {
        char *code = merge_escaped(u.code), *name = merge_escaped(u.name);
        free(a->n->gone);
        a->n->gone = xasprintf(_("the office's set-up no longer has village "
                                 "%s (%s), the answer of %ld interview(s) "
                                 "on this laptop: open each and choose "
                                 "another village before finishing it "
                                 "(finishing says which), or ask the "
                                 "office to put the village back"), code,
                               name, u.interviews);
        free(code);
        free(name);
    } else if (rc < 0) {
        a_store_fail(a);
    }
    store_village_use_clear(&u);
    return rc < 0 ? -1 : 0;
}

/* The set-up of the office, when it has one, replaces this laptop's. */
static int apply_setup(applier *a)
{
    const down_info *in = down_get_info(a->d);
    sqlite3_stmt *s = a_query(a, "SELECT (SELECT value FROM setup WHERE"
                              " key = 'commune_code'), (SELECT value FROM"
                              " setup WHERE key = 'commune_name'),"
                              " (SELECT value FROM setup WHERE"
                              " key = 'province_code')");
    if (!s)
        return -1;
    sqlite3_step(s);
    char *commune[3];
    for (int i = 0; i < 3; i++)
        commune[i] = col(s, i) ? xstrdup(col(s, i)) : NULL;
    sqlite3_finalize(s);
    int rc = 0;
    if (commune[0] || in->villages > 0) {
        store_village *v = xcalloc((size_t)in->villages + 1, sizeof *v);
        store_household *h = xcalloc((size_t)in->households + 1, sizeof *h);
        sqlite3_stmt *sv = a_query(a, "SELECT code, name, enumerator FROM"
                                   " villages ORDER BY code");
        sqlite3_stmt *sh = a_query(a, "SELECT village, number, head FROM"
                                   " households ORDER BY village, number");
        size_t nv = 0, nh = 0;
        /* Copies: a column's text lasts only until the next step. */
        while (sv && nv < (size_t)in->villages
               && sqlite3_step(sv) == SQLITE_ROW) {
            v[nv] = (store_village){xstrdup(col(sv, 0)), xstrdup(col(sv, 1)),
                                    *col(sv, 2) ? xstrdup(col(sv, 2)) : NULL,
                                    0};
            nv++;
        }
        while (sh && nh < (size_t)in->households
               && sqlite3_step(sh) == SQLITE_ROW) {
            h[nh] = (store_household){xstrdup(col(sh, 0)),
                                      xstrdup(col(sh, 1)),
                                      xstrdup(col(sh, 2))};
            nh++;
        }
        rc = !sv || !sh ? -1
            : dropped_in_use(a, v, nv) != 0 ? -1
            : store_setup_install_tx(a->st, (const char *const *)commune,
                                     v, nv, h, nh) != 0 ? a_store_fail(a)
                                                        : 0;
        a->n->villages = (long)nv;
        a->n->households = (long)nh;
        sqlite3_finalize(sv);
        sqlite3_finalize(sh);
        for (size_t i = 0; i < nv; i++) {
            free((char *)v[i].code);
            free((char *)v[i].name);
            free((char *)v[i].enumerator);
        }
        for (size_t i = 0; i < nh; i++) {
            free((char *)h[i].village);
            free((char *)h[i].number);
            free((char *)h[i].head);
        }
        free(v);
        free(h);
    }
    for (int i = 0; i < 3; i++)
        free(commune[i]);
    return rc;
}

/* Name a return of an interview changed here since, with its comment,
 * one line of a->n->late. */
static void late_line(applier *a, const store_down_review *r)
{
    char *comment = ui_text_safe(r->comment, UI_TEXT_QUOTED);
    char *line = xasprintf(_("interview %s returned by the office, but "
                             "changed here since: not reopened; the comment "
                             "is shown on the interview: %s\n"),
                           r->interview, comment);
    char *all = xasprintf("%s%s", a->n->late ? a->n->late : "", line);
    free(a->n->late);
    a->n->late = all;
    free(line);
    free(comment);
}

static int apply_reviews(applier *a)
{
    sqlite3_stmt *s = a_query(a, "SELECT interview, status, comment,"
                              " reviewer, time, revision, content"
                              " FROM reviews ORDER BY interview");
    if (!s)
        return -1;
    int rc = 0;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        store_down_review r = {col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                               col(s, 4), col(s, 5), col(s, 6), NULL};
        int reopened = 0, changed = 0;
        int got = store_down_review_tx(a->st, &r, &reopened, &changed);
        if (got < 0)
            rc = a_store_fail(a);
        else if (got == 0)
            a->n->reviews++;
        a->n->reopened += reopened;
        if (changed)
            late_line(a, &r);
    }
    sqlite3_finalize(s);
    return rc;
}

/* The office's decisions on possible duplicates of this laptop's
 * interviews (format 2); from format 3 they are all of them, so those
 * kept before are forgotten first (a decision the office took back). */
static int apply_settled(applier *a)
{
    long format = down_get_info(a->d)->format;
    if (format < 2)
        return 0;
    if (format >= 3 && (store_settled_mark_tx(a->st) != 0
                        || store_settled_clear_tx(a->st) != 0))
        return a_store_fail(a);
    sqlite3_stmt *s = a_query(a, "SELECT a, b, form_id, key, decision, keep,"
                              " decided FROM duplicates ORDER BY a, b");
    if (!s)
        return -1;
    int rc = 0;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        store_settled d = {col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                           col(s, 4), col(s, 5), col(s, 6)};
        if (store_settled_put_tx(a->st, &d, &a->n->settled) != 0)
            rc = a_store_fail(a);
    }
    sqlite3_finalize(s);
    if (rc == 0 && format >= 3
        && store_settled_gone_tx(a->st, &a->n->unsettled) != 0)
        rc = a_store_fail(a);
    return rc;
}

/* The setting key of what was taken last from d's office (newly
 * allocated): each office keeps its own order, so a laptop moved to
 * another office takes that office's bundles. */
static char *order_key(const char *base, const down_info *in)
{
    return xasprintf("%s.%s", base, in->office);
}

/* Whether the laptop took from this office a bundle that comes after in:
 * by the office's sequence number when both have one (format 3), else by
 * the office's clock as format 2 did.  *later gets the answer. */
static int taken_later(applier *a, const down_info *in, int *later)
{
    char *kt = order_key(STORE_SET_DOWN_TIME, in);
    char *ks = order_key(STORE_SET_DOWN_SEQ, in);
    char *when = NULL, *seq = NULL;
    int rc = store_setting_get(a->st, kt, &when) != 0
        || store_setting_get(a->st, ks, &seq) != 0 ? a_store_fail(a) : 0;
    if (rc == 0 && in->sequence > 0)
        *later = seq && util_parse_decimal15(seq) >= in->sequence;
    else if (rc == 0)
        *later = !seq && when && strcmp(when, in->created) >= 0;
    free(when);
    free(seq);
    free(kt);
    free(ks);
    return rc;
}

/* Whether d is for this laptop and newer than what it took from the same
 * office: 0, 1 when it is the bundle taken last, 2 when it is older, -1. */
static int check_order(applier *a)
{
    const down_info *in = down_get_info(a->d);
    char *me = NULL, *last = NULL;
    char *kb = order_key(STORE_SET_DOWN_BUNDLE, in);
    int later = 0;
    int rc = store_device_id(a->st, &me) != 0
        || store_setting_get(a->st, kb, &last) != 0
        ? a_store_fail(a) : 0;
    if (rc == 0 && strcmp(me, in->device) != 0)
        rc = a_fail(a, _("made by the office for another laptop (device "
                         "%.8s); this laptop is %.8s"), in->device, me);
    else if (rc == 0 && last && !strcmp(last, in->uuid))
        rc = 1;
    else if (rc == 0 && (rc = taken_later(a, in, &later)) == 0 && later)
        rc = 2;
    free(me);
    free(last);
    free(kb);
    return rc;
}

/* Record d as the last bundle taken from its office. */
static int mark_taken(store *st, const down_info *in)
{
    char *kb = order_key(STORE_SET_DOWN_BUNDLE, in);
    char *kt = order_key(STORE_SET_DOWN_TIME, in);
    char *ks = order_key(STORE_SET_DOWN_SEQ, in);
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", in->sequence);
    int rc = store_setting_set(st, kb, in->uuid) != 0
        || store_setting_set(st, kt, in->created) != 0
        || (in->sequence > 0 && store_setting_set(st, ks, seq) != 0)
        ? -1 : 0;
    free(kb);
    free(kt);
    free(ks);
    return rc;
}

/* Whether the new form versions are wanted: asked only when there are
 * newer versions of forms kept here (a form new to the laptop replaces
 * nothing). */
static int versions_wanted(applier *a, down_ask_fn ask, void *ctx)
{
    if (!ask || a->newer == 0)
        return 1;
    /* The forms and versions first, then what they change. */
    sbuf t;
    sbuf_init(&t);
    sbuf_add(&t, a->versions.s ? a->versions.s : "");
    sbuf_add(&t, a->changes.len ? a->changes.s
                 : _("(nothing that drafts on this laptop use)\n"));
    int yes = ask(ctx, t.s ? t.s : "");
    sbuf_free(&t);
    return yes;
}

int down_apply(store *st, down_bundle *d, down_ask_fn ask, void *ask_ctx,
               sync_down_counts *out, char **err)
{
    memset(out, 0, sizeof *out);
    applier a = {.st = st, .d = d, .n = out};
    sbuf_init(&a.changes);
    sbuf_init(&a.versions);
    int rc = check_order(&a);
    if (rc == 0 && store_begin(st) != 0)
        rc = a_store_fail(&a);
    else if (rc == 0) {
        const down_info *in = down_get_info(d);
        int forms = apply_forms(&a);
        if (forms == 0 && !versions_wanted(&a, ask, ask_ctx)) {
            /* Left for later: nothing of it kept. */
            store_rollback(st);
            free(out->gone);
            free(out->late);
            memset(out, 0, sizeof *out);
            rc = 3;
        } else if (forms != 0 || apply_setup(&a) != 0
            || apply_reviews(&a) != 0 || apply_settled(&a) != 0
            || mark_taken(st, in) != 0
            || store_commit(st) != 0) {
            if (!a.err)
                a_store_fail(&a);
            store_rollback(st);
            free(out->gone);
            free(out->late);
            memset(out, 0, sizeof *out);
            rc = -1;
        }
    }
    if (rc == 0 && a.changes.len)
        out->changes = sbuf_detach(&a.changes);
    if (rc == 0 && a.versions.len)
        out->versions = sbuf_detach(&a.versions);
    sbuf_free(&a.changes);
    sbuf_free(&a.versions);
    if (rc < 0)
        *err = a.err;
    else
        free(a.err);
    return rc;
}
