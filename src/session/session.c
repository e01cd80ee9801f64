/* session.c: an interview being taken, joined to the store. */
#include "config.h"
#include "session/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"

struct session {
    store *st;
    const form *f;
    inst *in;
    char uuid[37];
    char *err;
};

/* Keep the store's message as the session's. */
static int session_fail(session *s)
{
    free(s->err);
    s->err = xstrdup(store_errmsg(s->st));
    return -1;
}

/* A session of interview uuid around the in-memory interview in. */
static session *session_alloc(store *st, const form *f, inst *in,
                              const char *uuid)
{
    session *s = xcalloc(1, sizeof *s);
    s->st = st;
    s->f = f;
    s->in = in;
    snprintf(s->uuid, sizeof s->uuid, "%s", uuid ? uuid : "");
    return s;
}

int session_new(store *st, const form *f, const char *enumerator, int lang,
                session **out, char **err)
{
    *out = NULL;
    if (store_save_form(st, f->id, f->version, f->source, f->source_len, NULL)) {
        if (err)
            *err = xstrdup(store_errmsg(st));
        return -1;
    }
    session *s = session_alloc(st, f, inst_new(f, lang), NULL);
    if (store_interview_create(st, f->id, f->version, enumerator, s->uuid)) {
        if (err)
            *err = xstrdup(store_errmsg(st));
        session_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* store_load_answers callback: keep the answer for inst_restore. */
static int session_load_answer(void *ctx, const char *qid, const char *path,
                               const char *v)
{
    inst_rows_add(ctx, qid, path, v, 0);
    return 0;
}

/* store_load_repeat_counts callback: keep the count for inst_restore. */
static int session_load_count(void *ctx, const char *path, long count)
{
    inst_rows_add(ctx, NULL, path, NULL, count);
    return 0;
}

int session_resume(store *st, const form *f, const char *uuid, int lang,
                   session **out, char **err)
{
    *out = NULL;
    inst_rows rows = {NULL, 0, 0};
    if (store_load_answers(st, uuid, session_load_answer, &rows) ||
        store_load_repeat_counts(st, uuid, session_load_count, &rows)) {
        if (err)
            *err = xstrdup(store_errmsg(st));
        inst_rows_free(&rows);
        return -1;
    }
    *out = session_alloc(st, f, inst_restore(f, lang, 0, rows.v, rows.n), uuid);
    inst_rows_free(&rows);
    return 0;
}

void session_free(session *s)
{
    if (!s)
        return;
    inst_free(s->in);
    free(s->err);
    free(s);
}

inst *session_inst(session *s) { return s->in; }
const char *session_uuid(const session *s) { return s->uuid; }
const char *session_errmsg(const session *s) { return s->err ? s->err : ""; }

/* Questions the enumerator never stands on. */
static int session_hidden_type(form_qtype t)
{
    return t == QT_CALCULATE || t == QT_GROUP;
}

size_t session_items(session *s, inst_frame *scope, session_item **out)
{
    const form *f = s->f;
    int r = inst_frame_repeat(scope);
    int lo = r < 0 ? 0 : r + 1, hi = r < 0 ? (int)f->nq : f->q[r].end;
    session_item *v = xcalloc((size_t)(hi - lo) + 1, sizeof *v);
    size_t n = 0;
    for (int q = lo; q < hi; q++) {
        const form_question *fq = &f->q[q];
        if (fq->repeat != r || session_hidden_type(fq->type))
            continue;
        if (!inst_relevant(s->in, scope, q))
            continue;
        v[n].q = q;
        v[n].fr = scope;
        n++;
    }
    *out = v;
    return n;
}

int session_section(const session *s, int q, const inst_frame *scope)
{
    int r = inst_frame_repeat(scope);
    for (int p = s->f->q[q].parent; p >= 0 && p != r; p = s->f->q[p].parent)
        if (s->f->q[p].type == QT_GROUP)
            return p;
    return -1;
}

int session_answer(session *s, session_item it, const char *v, char **msg)
{
    const form_question *fq = &s->f->q[it.q];
    if (msg)
        *msg = NULL;
    if (fq->read_only || fq->type == QT_NOTE || fq->type == QT_CALCULATE ||
        fq->calculation) {
        if (msg)
            *msg = xstrdup(_("This answer is computed and cannot be changed."));
        return INST_BAD_VALUE;
    }
    inst_check rc = inst_check_value(s->in, it.fr, it.q, v, msg);
    if (rc != INST_OK && rc != INST_REQUIRED)
        return rc;
    /* An empty required answer may be left for later; finalising catches
     * it. It is still saved so that clearing a value sticks. */
    if (rc == INST_REQUIRED && msg) {
        free(*msg);
        *msg = NULL;
    }
    char *path = inst_frame_path(it.fr);
    int bad = store_save_answer(s->st, s->uuid, fq->id, path, v && *v ? v : NULL);
    free(path);
    if (bad) {
        session_fail(s);
        if (msg)
            *msg = xstrdup(s->err);
        return -1;
    }
    inst_set(s->in, it.fr, it.q, v);
    return INST_OK;
}

/* The store's path of roster item it: "members" or "members[2]/crops". */
static char *session_roster_path(const session *s, session_item it)
{
    char *up = inst_frame_path(it.fr);
    char *p = xasprintf("%s%s%s", up, *up ? "/" : "", s->f->q[it.q].id);
    free(up);
    return p;
}

int session_repeat_add(session *s, session_item it, inst_frame **out)
{
    char *p = session_roster_path(s, it);
    long n = (long)inst_repeat_count(s->in, it.fr, it.q) + 1;
    int bad = store_set_repeat_count(s->st, s->uuid, p, n);
    free(p);
    if (bad)
        return session_fail(s);
    inst_frame *fr = inst_repeat_add(s->in, it.fr, it.q);
    if (out)
        *out = fr;
    return 0;
}

int session_repeat_remove(session *s, session_item it, size_t i)
{
    inst_frame *fr = inst_repeat_get(s->in, it.fr, it.q, i);
    if (!fr)
        return 0;
    char *p = inst_frame_path(fr);
    int bad = store_delete_repeat_instance(s->st, s->uuid, p);
    free(p);
    if (bad)
        return session_fail(s);
    inst_repeat_remove(s->in, it.fr, it.q, i);
    return 0;
}

/* Audit one event about an item. */
static int session_audit(session *s, const char *event, session_item it)
{
    char *path = inst_frame_path(it.fr);
    int bad = store_audit_event(s->st, s->uuid, event, s->f->q[it.q].id, path, NULL);
    free(path);
    return bad ? session_fail(s) : 0;
}

int session_enter(session *s, session_item it)
{
    if (session_audit(s, "enter", it))
        return -1;
    char *path = inst_frame_path(it.fr);
    char *pos = xasprintf("%s|%s", path, s->f->q[it.q].id);
    int bad = store_interview_set_position(s->st, s->uuid, pos);
    free(pos);
    free(path);
    return bad ? session_fail(s) : 0;
}

int session_leave(session *s, session_item it)
{
    return session_audit(s, "leave", it);
}

session_item session_resume_item(session *s)
{
    session_item it = {-1, inst_root(s->in)};
    store_interview iv;
    if (store_get_interview(s->st, s->uuid, &iv) == 0) {
        const char *bar = iv.position ? strchr(iv.position, '|') : NULL;
        if (bar) {
            char *path = xstrndup(iv.position, (size_t)(bar - iv.position));
            inst_frame *fr = inst_frame_find(s->in, path);
            int q = form_find(s->f, bar + 1);
            if (fr && q >= 0 && s->f->q[q].repeat == inst_frame_repeat(fr)) {
                it.q = q;
                it.fr = fr;
            }
            free(path);
        }
        store_interview_clear(&iv);
    }
    if (it.q < 0) {
        session_item *items;
        size_t n = session_items(s, it.fr, &items);
        if (n)
            it = items[0];
        free(items);
    }
    return it;
}

/* A growable problem list. */
struct session_plist {
    session_problem *v;
    size_t n, cap;
};

static void session_plist_add(struct session_plist *p, session_item it,
                              inst_check why, char *msg)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 8;
        p->v = xrealloc(p->v, p->cap * sizeof *p->v);
    }
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
        if (rc != INST_OK)
            session_plist_add(p, items[i], rc, msg);
        else
            free(msg);
    }
    free(items);
}

size_t session_problems(session *s, session_problem **out)
{
    struct session_plist p = {NULL, 0, 0};
    session_scan(s, inst_root(s->in), &p);
    *out = p.v;
    return p.n;
}

void session_problems_free(session_problem *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].msg);
    free(p);
}

int session_finalise(session *s)
{
    session_problem *p;
    size_t n = session_problems(s, &p);
    session_problems_free(p, n);
    if (n)
        return (int)(n > 1000000 ? 1000000 : n);
    return store_interview_set_status(s->st, s->uuid, STORE_COMPLETE)
               ? session_fail(s) : 0;
}
