/* session_finish.c: what is left to do in an interview (its problems),
 * finalising it, and the interviews a merge brought, opened from the
 * store and settled against their own checks. */
#include "config.h"
#include "session/session_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/i18n.h"
#include "core/util.h"

/* A growable problem list. */
struct session_plist {
    session_problem *v;
    size_t n, cap;
};

static void session_plist_add(struct session_plist *p, session_item it,
                              inst_check why, char *msg)
{
    p->v = util_grow(p->v, &p->cap, p->n + 1, sizeof *p->v);
    p->v[p->n].item = it;
    p->v[p->n].why = why;
    p->v[p->n].msg = msg;
    p->n++;
}

/* Collect the problems of scope and of every instance inside it. */
static void session_scan(session *s, inst_frame *scope, struct session_plist *p)
{
    session_item *items;
    size_t n = session_items(s, scope, &items);
    for (size_t i = 0; i < n; i++) {
        const form_question *fq = &s->f->q[items[i].q];
        if (fq->type == QT_REPEAT) {
            size_t count = inst_repeat_count(s->in, scope, items[i].q);
            if (inst_count_exceeds(s->in, scope, items[i].q))
                session_plist_add(p, items[i], INST_BAD_VALUE,
                                  session_overflow_msg(s, items[i].q));
            if (!fq->count && fq->min_count > 0 && count < (size_t)fq->min_count)
                session_plist_add(p, items[i], INST_REQUIRED,
                                  xasprintf(_("At least %d entries are needed."), fq->min_count));
            for (size_t k = 0; k < count; k++)
                session_scan(s, inst_repeat_get(s->in, scope, items[i].q, k), p);
            continue;
        }
        if (fq->type == QT_NOTE)
            continue;
        char *msg = NULL;
        inst_check rc = inst_check_value(s->in, scope, items[i].q,
                                         inst_get(s->in, scope, items[i].q), &msg);
        /* A village the office dropped since: say so, and what to do. */
        char *gone = rc == INST_BAD_VALUE
            ? session_village_gone_msg(s, items[i]) : NULL;
        if (gone) {
            free(msg);
            msg = gone;
        }
        if (rc != INST_OK)
            session_plist_add(p, items[i], rc, msg);
        else
            free(msg);
    }
    free(items);
}

/* The problems of the form's own checks. */
static size_t session_form_problems(session *s, session_problem **out)
{
    struct session_plist p = {NULL, 0, 0};
    session_scan(s, inst_root(s->in), &p);
    *out = p.v;
    return p.n;
}

size_t session_problems(session *s, session_problem **out)
{
    size_t n = session_form_problems(s, out);
    session_problem *more;
    size_t m = session_list_problems(s, &more);
    if (m) {
        *out = xrealloc(*out, (n + m) * sizeof **out);
        memcpy(*out + n, more, m * sizeof *more);
        n += m;
    }
    free(more);
    return n;
}

void session_problems_free(session_problem *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].msg);
    free(p);
}

/* store_load_answers callback: keep the answers longer than an answer
 * may be now (an older khaosat let them be typed). */
static int session_long_cb(void *ctx, const char *qid, const char *path,
                           const char *v)
{
    if (v && strlen(v) > FORM_MAX_ANSWER)
        inst_rows_add(ctx, qid, path, NULL, 0);
    return 0;
}

/* Remove (audited) an over-long answer of a question that skip logic now
 * hides: it cannot be answered again, the interview does not use it, and
 * it would make the office refuse the bundle.  Like a submission that
 * leaves out what is not relevant, only what cannot be sent is dropped. */
static int session_drop_hidden_long(session *s)
{
    inst_rows rows = {NULL, 0, 0};
    int bad = store_load_answers(s->st, s->uuid, session_long_cb, &rows);
    for (size_t i = 0; i < rows.n && !bad; i++) {
        int q = form_find(s->f, rows.v[i].qid);
        inst_frame *fr = q < 0 ? NULL : inst_frame_find(s->in, rows.v[i].path);
        if (!fr || s->f->q[q].repeat != inst_frame_repeat(fr) ||
            inst_relevant(s->in, fr, q))
            continue;
        bad = store_clear_answer(s->st, s->uuid, rows.v[i].qid,
                                 rows.v[i].path);
        if (!bad)
            inst_set(s->in, fr, q, NULL);
    }
    inst_rows_free(&rows);
    return bad ? session_fail(s) : 0;
}

int session_finalise(session *s)
{
    session_problem *p;
    size_t n = session_problems(s, &p);
    session_problems_free(p, n);
    if (n)
        return (int)(n > 1000000 ? 1000000 : n);
    if (s->complete)
        return 0;
    if (session_drop_hidden_long(s))
        return -1;
    if (store_interview_set_status(s->st, s->uuid, STORE_COMPLETE))
        return session_fail(s);
    s->complete = 1;
    return 0;
}

form *session_stored_form(store *st, const char *form_id,
                          const char *version)
{
    store_form sf;
    if (store_load_form(st, form_id, version, &sf) != 0)
        return NULL;
    diag_list d;
    diag_init(&d);
    form *f = form_load_string(sf.source, sf.source_len, form_id, &d);
    if (f && d.n) {
        form_free(f);
        f = NULL;
    }
    if (f)
        store_setup_bind(st, f);
    diag_free(&d);
    store_form_clear(&sf);
    return f;
}

int session_open_stored(store *st, const char *uuid, session **out,
                        form **fout, char **err)
{
    *out = NULL;
    *fout = NULL;
    store_interview iv;
    int rc = store_get_interview(st, uuid, &iv);
    if (rc != 0) {
        *err = rc > 0 ? xasprintf(_("no interview %s in %s"), uuid,
                                  store_path(st))
                      : xstrdup(store_errmsg(st));
        return -1;
    }
    form *f = session_stored_form(st, iv.form_id, iv.form_version);
    /* Its villages are those of its own commune's set-up, as the merge
     * checked them. */
    if (f && store_setup_bind_interview(st, f, uuid) != 0) {
        form_free(f);
        store_interview_clear(&iv);
        *err = xstrdup(store_errmsg(st));
        return -1;
    }
    if (!f)
        *err = xasprintf(_("the form %s version %s of interview %s cannot "
                           "be loaded"), iv.form_id, iv.form_version, uuid);
    store_interview_clear(&iv);
    if (!f)
        return -1;
    if (session_resume(st, f, uuid, f->default_lang, out, err) != 0) {
        form_free(f);
        return -1;
    }
    *fout = f;
    return 0;
}

/* "q@path: message; ..." for the first few problems of the form's own
 * checks (a household number not on this database's list is the
 * enumerator's to confirm, not a reason to return a merged interview);
 * newly allocated. */
static char *session_problem_text(session *s)
{
    session_problem *p;
    size_t n = session_form_problems(s, &p);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n && i < 5; i++) {
        char *path = inst_frame_path(p[i].item.fr);
        sbuf_addf(&b, "%s%s%s%s: %s", i ? "; " : "", s->f->q[p[i].item.q].id,
                  *path ? "@" : "", path, p[i].msg ? p[i].msg : "");
        free(path);
    }
    if (n > 5)
        sbuf_addf(&b, "; ...");
    session_problems_free(p, n);
    return sbuf_detach(&b);
}

/* Rewrite every stored answer that is not in its canonical form (a value
 * from a laptop of an older release), audited as a change. */
static int session_canon_all(session *s)
{
    inst_rows rows = {NULL, 0, 0};
    inst_rows_dump(s->in, &rows);
    int bad = 0;
    for (size_t i = 0; i < rows.n && !bad; i++) {
        int q = rows.v[i].qid ? form_find(s->f, rows.v[i].qid) : -1;
        inst_frame *fr = q >= 0 ? inst_frame_find(s->in, rows.v[i].path)
                                : NULL;
        if (!fr || !rows.v[i].value)
            continue;
        char *cv = session_canon(s, &s->f->q[q], rows.v[i].value);
        if (strcmp(cv, rows.v[i].value) != 0) {
            bad = store_save_answer(s->st, s->uuid, rows.v[i].qid,
                                    rows.v[i].path, cv);
            if (!bad)
                inst_set(s->in, fr, q, cv);
        }
        free(cv);
    }
    inst_rows_free(&rows);
    return bad ? session_fail(s) : 0;
}

int session_settle_merged(store *st, const char *uuid, int *returned,
                          char **gone, char **err)
{
    *returned = 0;
    *gone = NULL;
    *err = NULL;
    session *s;
    form *f;
    if (session_open_stored(st, uuid, &s, &f, err) != 0)
        return -1;
    int rc = session_canon_all(s) || session_keep_name(s);
    if (!rc)
        *gone = session_villages_gone(s);
    /* A commune's office judged it: the level above keeps that review
     * and never reopens the interview. */
    int below = 0;
    if (!rc && s->complete && store_review_from_below(st, uuid, &below))
        rc = -1;
    char *why = !rc && s->complete && !below ? session_problem_text(s)
                                             : NULL;
    if (why && *why) {
        char *comment = xasprintf(_("After merging, this complete interview "
                                    "breaks its own checks: %s"), why);
        rc = store_review_set(st, uuid, "returned", comment, "merge") ||
             session_reopen(s);
        free(comment);
        if (rc)
            *err = xstrdup(store_errmsg(st));
        else
            *returned = 1;
    }
    if (rc && !*err)
        *err = xstrdup(session_errmsg(s));
    free(why);
    session_free(s);
    form_free(f);
    return rc ? -1 : 0;
}
