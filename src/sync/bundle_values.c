/* bundle_values.c: whether a bundle's answers and notes can be taken by
 * an office, checked as its merge checks them (form_value_problem,
 * store_note_problem), so that "ok" from verify, and a bundle an export
 * wrote, mean the merge will not refuse it for a value.
 * layers: bundle-sql (this SQL is the bundle file's). */
#include "config.h"
#include "sync/bundle_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

const char *bundle_item_problem(const form *f, const char *qid,
                                const char *value, int *question)
{
    *question = -1;
    if (qid[0] == STORE_NOTE_MARK) {
        if (form_find(f, qid + 1) < 0)
            return N_("on a question the form does not have");
        return store_note_problem(value);
    }
    int q = *qid ? form_find(f, qid) : -1;
    *question = q;
    return q >= 0 ? form_value_problem(f, &f->q[q], value) : NULL;
}

char *bundle_value_start(const char *value)
{
    /* The start of it is enough to find it (whole characters). */
    size_t cut = strlen(value);
    if (cut > 60) {
        cut = 60;
        while (cut > 0 && ((unsigned char)value[cut] & 0xc0) == 0x80)
            cut--;
    }
    char *start = xstrndup(value, cut);
    sbuf e;
    sbuf_init(&e);
    ui_text_escape(&e, start, UI_TEXT_QUOTED);
    if (cut < strlen(value))
        sbuf_add(&e, "...");
    free(start);
    return e.s ? sbuf_detach(&e) : xstrdup("");
}

/* The forms of the bundle loaded so far, by id and version (a form that
 * does not load is kept as NULL: its answers are not checked here). */
typedef struct cached {
    char *id, *version;
    form *f;
} cached;
typedef struct form_cache {
    cached *v;
    size_t n, cap;
} form_cache;

/* The bundle's form id version, loaded once (borrowed from c). */
static const form *cached_form(form_cache *c, sqlite3 *db, const char *id,
                               const char *version)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].id, id) && !strcmp(c->v[i].version, version))
            return c->v[i].f;
    form *f = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT source FROM forms WHERE form_id = ?1"
                           " AND version = ?2", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, version, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) {
            diag_list d;
            diag_init(&d);
            f = form_load_string((const char *)sqlite3_column_text(s, 0),
                                 (size_t)sqlite3_column_bytes(s, 0), id, &d);
            if (d.n) {
                form_free(f);
                f = NULL;
            }
            diag_free(&d);
        }
    }
    sqlite3_finalize(s);
    c->v = util_grow(c->v, &c->cap, c->n + 1, sizeof *c->v);
    c->v[c->n] = (cached){xstrdup(id), xstrdup(version), f};
    return c->v[c->n++].f;
}

static void cache_free(form_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].id);
        free(c->v[i].version);
        form_free(c->v[i].f);
    }
    free(c->v);
}

/* The refusal of one item: which interview, question and value. */
static char *refusal(const char *uuid, const char *qid, const char *value,
                     const char *why)
{
    char *start = bundle_value_start(value);
    char *msg;
    if (qid[0] == STORE_NOTE_MARK)
        msg = xasprintf(_("interview %s: the note \"%s\" on question %s is "
                          "%s"), uuid, start, qid + 1, _(why));
    else if (strcmp(why, "longer than an answer can be") == 0)
        msg = xasprintf(_("interview %s, question %s: \"%s\" is %zu bytes "
                          "long, more than the %d an answer can hold"), uuid,
                        qid, start, strlen(value), FORM_MAX_ANSWER);
    else
        msg = xasprintf(_("interview %s, question %s: \"%s\" is %s"), uuid,
                        qid, start, why);
    free(start);
    return msg;
}

/* The commands that correct the refused item on the laptop that made the
 * bundle, col as bundle_check_values reads it: the interview, reopened
 * when it is complete, answered again and finalised again. */
static char *remedy(const char *const *col, const char *problem)
{
    if (col[3][0] == STORE_NOTE_MARK)
        return xstrdup(_("correct that note (khaosat note, or on the "
                         "screen), finalise the interview again and export "
                         "again"));
    char *q = *col[5] ? xasprintf("%s@%s", col[3], col[5]) : xstrdup(col[3]);
    char *fix;
    if (!strcmp(col[6], "complete"))
        fix = xasprintf(_("on the laptop that made it, reopen interview %s, "
                          "answer question %s again and finalise it: on the "
                          "screen, open it from the list, press E, answer "
                          "it (Ctrl-U clears the old text) and finish with "
                          "Ctrl-F; or khaosat reopen %s; khaosat answer %s "
                          "%s NEW-ANSWER; khaosat finalise %s; then export "
                          "again"), col[0], q, col[0], col[0], q, col[0]);
    if (!strcmp(col[6], "complete") &&
        !strcmp(problem, "longer than an answer can be")) {
        /* A question that skip logic now hides takes no answer: finalising
         * drops its over-long one (session_finalise). */
        char *hidden = xasprintf(_("%s (if question %s no longer applies to "
                                   "the interview, answering it is refused: "
                                   "finalising alone clears it, khaosat "
                                   "reopen %s; khaosat finalise %s, or E "
                                   "and Ctrl-F on the screen)"),
                                 fix, q, col[0], col[0]);
        free(fix);
        fix = hidden;
    }
    else
        fix = xasprintf(_("on the laptop that made it, answer question %s of "
                          "interview %s again: on the screen, open it from "
                          "the list and answer it (Ctrl-U clears the old "
                          "text); or khaosat answer %s %s NEW-ANSWER; then "
                          "export again"), q, col[0], col[0], q);
    free(q);
    return fix;
}

int bundle_check_values(bundle *b, char **why, char **fix)
{
    static const char sql[] =
        "SELECT i.uuid, i.form_id, i.form_version, t.qid, t.value, t.path,"
        " i.status FROM items t JOIN interviews i ON i.uuid = t.interview"
        " ORDER BY i.uuid, t.revision, t.qid, t.path";
    sqlite3 *db = bundle_sqlite(b);
    sqlite3_stmt *s = NULL;
    form_cache c = {0};
    *why = NULL;
    if (fix)
        *fix = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        const char *col[7];
        for (int i = 0; i < 7; i++)
            col[i] = (const char *)sqlite3_column_text(s, i);
        const form *f = cached_form(&c, db, col[1], col[2]);
        int q;
        const char *p = f ? bundle_item_problem(f, col[3], col[4], &q) : NULL;
        /* Village codes are the office's set-up's: its merge checks them
         * against that, which this bundle does not know. */
        if (p && q >= 0 && form_meta(&f->q[q], "choices_from"))
            p = NULL;
        if (p) {
            *why = refusal(col[0], col[3], col[4], p);
            if (fix)
                *fix = remedy(col, p);
            rc = SQLITE_ABORT;
        }
    }
    if (rc != SQLITE_DONE && !*why)
        *why = xasprintf(_("reading the answers: %s"), sqlite3_errmsg(db));
    sqlite3_finalize(s);
    cache_free(&c);
    return *why ? -1 : 0;
}
