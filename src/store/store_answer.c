/* store_answer.c: answers, repeat instances and the audit trail.  Every
 * change is one short transaction that also writes its audit rows, so the
 * data and its history can never disagree, even after a crash. */
#include "config.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

int store_path_valid(const char *path)
{
    if (!path)
        return 1;
    const char *p = path;
    while (*p) {
        const char *name = p;
        while (*p && *p != '[' && *p != ']' && *p != '/')
            p++;
        if (p == name || *p != '[')
            return 0;
        p++;
        if (*p < '1' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p++ != ']')
            return 0;
        if (*p == '/') {
            p++;
            if (!*p)
                return 0;
        } else if (*p) {
            return 0;
        }
    }
    return 1;
}

/* The stored value of one answer, newly allocated, or NULL when there is
 * none; -1 on failure. */
static int read_answer(store *st, const char *uuid, const char *qid,
                       const char *path, char **out)
{
    *out = NULL;
    sqlite3_stmt *s = store_stmt(st, SS_ANS_GET);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, qid);
    store_bind(s, 3, path);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        *out = xstrdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_reset(s);
        return 0;
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, "reading answer %s of interview %s", qid, uuid);
    return 0;
}

/* Inside a transaction: set (value) or clear (NULL) one answer with its
 * audit row, *complete telling whether the interview is complete. 0 when
 * written, 1 when it was already so (*complete not known), -1 on
 * failure. */
static int change_answer_tx(store *st, const char *uuid, const char *qid,
                            const char *path, const char *value,
                            const char *now, const char *now_ms,
                            int *complete)
{
    char *old;
    if (read_answer(st, uuid, qid, path, &old) != 0)
        return -1;
    if (old ? value && strcmp(old, value) == 0 : !value) {
        free(old);          /* nothing changes: nothing to write */
        return 1;
    }
    int rc = store_touch_status(st, uuid, now, complete);
    if (rc == 1)
        store_failx(st, "no interview %s", uuid);
    if (rc != 0)
        goto fail;
    sqlite3_stmt *s = store_stmt(st, value ? SS_ANS_PUT : SS_ANS_DEL);
    if (!s)
        goto fail;
    store_bind(s, 1, uuid);
    store_bind(s, 2, qid);
    store_bind(s, 3, path);
    if (value)
        store_bind(s, 4, value);
    if (store_step(st, s) != SQLITE_DONE) {
        store_fail(st, "saving answer %s of interview %s", qid, uuid);
        goto fail;
    }
    if (store_audit_add(st, uuid, now_ms, "change", qid, path, old, value)
        != SQLITE_DONE) {
        store_fail(st, "auditing answer %s of interview %s", qid, uuid);
        goto fail;
    }
    free(old);
    return 0;
fail:
    free(old);
    return -1;
}

static int remove_instance(store *st, const char *uuid, const char *path,
                           const char *base, long k, const char *now_ms);

/* Inside a transaction: remove instance path ("members[3]") with all
 * inside it, shifting later ones down. */
static int remove_instance_tx(store *st, const char *uuid, const char *path,
                              const char *now_ms)
{
    if (!path || !*path || !store_path_valid(path))
        return store_failx(st, "interview %s: \"%s\" is not a repeat "
                           "instance path", uuid, path ? path : "");
    /* path is ".../repeat[K]": base is ".../repeat[". */
    const char *open = strrchr(path, '[');
    long k = strtol(open + 1, NULL, 10);
    char *base = xstrndup(path, (size_t)(open - path) + 1);
    int rc = remove_instance(st, uuid, path, base, k, now_ms);
    free(base);
    return rc;
}

/* The start of a change of one answer: *path checked (NULL is the top
 * level), the clock read into now and now_ms, the transaction begun. */
static int answer_begin(store *st, const char *uuid, const char *qid,
                        const char **path, char now[32], char now_ms[32])
{
    if (!*path)
        *path = "";
    if (!store_path_valid(*path))
        return store_failx(st, "answer %s of interview %s: bad repeat "
                           "path \"%s\"", qid, uuid, *path);
    store_now_both(now, now_ms);
    return store_begin(st);
}

/* Set or clear one answer and remove the instances `removed` (last
 * first, so that none is renumbered), all in one transaction. */
static int change_answer(store *st, const char *uuid, const char *qid,
                         const char *path, const char *value,
                         char *const *removed, size_t nremoved)
{
    char now[32], now_ms[32];
    if (answer_begin(st, uuid, qid, &path, now, now_ms) != 0)
        return -1;
    int complete = 0;
    int rc = change_answer_tx(st, uuid, qid, path, value, now, now_ms,
                              &complete);
    if (rc == 1 && nremoved == 0) {
        store_rollback(st);
        return 0;
    }
    int written = rc == 0;
    for (size_t i = nremoved; rc >= 0 && i-- > 0;)
        rc = remove_instance_tx(st, uuid, removed[i], now_ms);
    if (rc >= 0 && (written ? store_rev_after_touch(st, uuid, complete)
                            : store_rev_after_change(st, uuid)) == 0)
        return store_commit(st);
    store_rollback(st);
    return -1;
}

int store_save_answer_noted(store *st, const char *uuid, const char *qid,
                            const char *path, const char *value,
                            const char *note_qid, const char *note,
                            const char *event, const char *detail)
{
    char now[32], now_ms[32];
    if (answer_begin(st, uuid, qid, &path, now, now_ms) != 0)
        return -1;
    int complete = 0;
    int rc = change_answer_tx(st, uuid, qid, path, value, now, now_ms,
                              &complete);
    qid = note_qid ? note_qid : qid;
    int noted = rc < 0 ? -1 : store_note_set_tx(st, uuid, qid, path,
                                               note && *note ? note : NULL,
                                               now, now_ms);
    if (noted >= 0 && event
        && store_audit_add(st, uuid, now_ms, event, qid, path, NULL, detail)
               != SQLITE_DONE)
        noted = store_fail(st, "auditing interview %s", uuid);
    if (noted >= 0 && (rc == 1 || store_rev_after_touch(st, uuid, complete)
                                  == 0))
        return store_commit(st);
    store_rollback(st);
    return -1;
}

int store_save_answer(store *st, const char *uuid, const char *qid,
                      const char *path, const char *value)
{
    return change_answer(st, uuid, qid, path, value, NULL, 0);
}

int store_save_answer_removing(store *st, const char *uuid, const char *qid,
                               const char *path, const char *value,
                               char *const *removed, size_t nremoved)
{
    return change_answer(st, uuid, qid, path, value, removed, nremoved);
}

int store_clear_answer(store *st, const char *uuid, const char *qid,
                       const char *path)
{
    return change_answer(st, uuid, qid, path, NULL, NULL, 0);
}

/* Non-zero when interview uuid's top-level answers to qids[k..n) equal
 * values[k..n); -1 on failure. */
static int same_answers(store *st, const char *uuid, const char *const *qids,
                        const char *const *values, size_t k, size_t n)
{
    for (; k < n; k++) {
        char *v;
        if (read_answer(st, uuid, qids[k], "", &v) != 0)
            return -1;
        int same = v && strcmp(v, values[k]) == 0;
        free(v);
        if (!same)
            return 0;
    }
    return 1;
}

long store_find_same_answers(store *st, const char *form_id,
                             const char *uuid, const char *const *qids,
                             const char *const *values, size_t n,
                             char ***out)
{
    *out = NULL;
    if (n == 0)
        return 0;
    sqlite3_stmt *s = store_stmt(st, SS_ANS_SAME);
    if (!s)
        return -1;
    store_bind(s, 1, form_id);
    store_bind(s, 2, uuid);
    store_bind(s, 3, qids[0]);
    store_bind(s, 4, values[0]);
    char **v = NULL;
    size_t nv = 0;
    int rc;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        v = xrealloc(v, (nv + 2) * sizeof *v);
        v[nv++] = xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    int failed = rc != SQLITE_DONE;
    if (failed)
        store_fail(st, "looking for interviews of %s with the same key",
                   form_id);
    size_t kept = 0;
    for (size_t i = 0; i < nv; i++) {
        int same = failed ? 0 : same_answers(st, v[i], qids, values, 1, n);
        failed |= same < 0;
        if (same > 0)
            v[kept++] = v[i];
        else
            free(v[i]);
    }
    if (failed || kept == 0) {
        for (size_t i = 0; i < kept; i++)
            free(v[i]);
        free(v);
        return failed ? -1 : 0;
    }
    *out = v;
    return (long)kept;
}

/* Call fn with each row of answers statement s (qid, path, value). */
static int each_answer(store *st, sqlite3_stmt *s, const char *uuid,
                       store_answer_fn fn, void *ctx)
{
    int rc;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        int ret = fn(ctx, (const char *)sqlite3_column_text(s, 0),
                     (const char *)sqlite3_column_text(s, 1),
                     (const char *)sqlite3_column_text(s, 2));
        if (ret != 0) {
            sqlite3_reset(s);
            return ret;
        }
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, "reading the answers of interview %s", uuid);
    return 0;
}

/* store_load_answers and store_load_answers_any: statement id's rows. */
static int load_answers(store *st, enum store_stmt id, const char *uuid,
                        store_answer_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_stmt_key(st, id, uuid);
    return s ? each_answer(st, s, uuid, fn, ctx) : -1;
}

int store_load_answers(store *st, const char *uuid, store_answer_fn fn,
                       void *ctx)
{
    return load_answers(st, SS_ANS_LOAD, uuid, fn, ctx);
}

int store_load_answers_under(store *st, const char *uuid, const char *qid,
                             const char *path, store_answer_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_stmt_key(st, SS_ANS_UNDER, uuid);
    if (!s)
        return -1;
    store_bind(s, 2, qid);
    store_bind(s, 3, path);
    return each_answer(st, s, uuid, fn, ctx);
}

int store_load_answers_any(store *st, const char *uuid, store_answer_fn fn,
                           void *ctx)
{
    return load_answers(st, SS_ANS_LOAD_ANY, uuid, fn, ctx);
}

/* The stored count of repeat path, or -1 when there is none; -2 on
 * failure. */
static long read_count(store *st, const char *uuid, const char *path)
{
    sqlite3_stmt *s = store_stmt(st, SS_RC_GET);
    if (!s)
        return -2;
    store_bind(s, 1, uuid);
    store_bind(s, 2, path);
    int rc = store_step(st, s);
    if (rc == SQLITE_DONE)
        return -1;
    if (rc != SQLITE_ROW) {
        store_fail(st, "reading the count of %s in interview %s", path, uuid);
        return -2;
    }
    long n = (long)sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return n;
}

/* Write a repeat count and audit it; inside a transaction. */
static int write_count(store *st, const char *uuid, const char *path,
                       long old, long count, const char *now_ms)
{
    sqlite3_stmt *s = store_stmt(st, SS_RC_PUT);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, path);
    sqlite3_bind_int64(s, 3, count);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "saving the count of %s in interview %s",
                          path, uuid);
    char oldbuf[24], newbuf[24];
    snprintf(oldbuf, sizeof oldbuf, "%ld", old);
    snprintf(newbuf, sizeof newbuf, "%ld", count);
    if (store_audit_add(st, uuid, now_ms, "count", NULL, path,
                        old < 0 ? NULL : oldbuf, newbuf) != SQLITE_DONE)
        return store_fail(st, "auditing interview %s", uuid);
    return 0;
}

int store_set_repeat_count(store *st, const char *uuid, const char *path,
                           long count)
{
    if (count < 0)
        return store_failx(st, "interview %s: negative count %ld for %s",
                           uuid, count, path);
    char now[32], now_ms[32];
    store_now_both(now, now_ms);
    if (store_begin(st) != 0)
        return -1;
    long old = read_count(st, uuid, path);
    if (old == -2)
        goto fail;
    if (old == count) {
        store_rollback(st);
        return 0;
    }
    int rc = store_touch(st, uuid, now);
    if (rc == 1)
        store_failx(st, "no interview %s", uuid);
    if (rc != 0 || write_count(st, uuid, path, old, count, now_ms) != 0
        || store_rev_after_change(st, uuid) != 0)
        goto fail;
    return store_commit(st);
fail:
    store_rollback(st);
    return -1;
}

int store_load_repeat_counts(store *st, const char *uuid, store_repeat_fn fn,
                             void *ctx)
{
    sqlite3_stmt *s = store_stmt_key(st, SS_RC_LOAD, uuid);
    if (!s)
        return -1;
    int rc;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        int ret = fn(ctx, (const char *)sqlite3_column_text(s, 0),
                     (long)sqlite3_column_int64(s, 1));
        if (ret != 0) {
            sqlite3_reset(s);
            return ret;
        }
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, "reading the repeat counts of interview %s",
                          uuid);
    return 0;
}

/* A row that moves down one instance: answer (qid, path) or, with qid
 * NULL, a repeat count at path. */
typedef struct shift {
    char *qid, *path, *to;
    long index;
} shift;

typedef struct shift_list {
    shift *v;
    size_t n, cap;
} shift_list;

/* If path is base + "J]" + rest with J > k, queue its move to J-1. */
static void shift_add(shift_list *l, const char *base, size_t baselen,
                      long k, const char *qid, const char *path)
{
    const char *p = path + baselen;
    char *end;
    long j = strtol(p, &end, 10);
    if (end == p || *end != ']' || (end[1] != '\0' && end[1] != '/') || j <= k)
        return;
    l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    shift *s = &l->v[l->n++];
    s->qid = xstrdup(qid);
    s->path = xstrdup(path);
    s->to = xasprintf("%.*s%ld%s", (int)baselen, base, j - 1, end);
    s->index = j;
}

/* Moves go lowest instance first, so each lands on a slot already freed. */
static int shift_cmp(const void *a, const void *b)
{
    long x = ((const shift *)a)->index, y = ((const shift *)b)->index;
    return (x > y) - (x < y);
}

static void shift_free(shift_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].qid);
        free(l->v[i].path);
        free(l->v[i].to);
    }
    free(l->v);
}

/* Queue every answer (qid set) or count below base whose instance is
 * after k. */
static int collect_shifts(store *st, const char *uuid, const char *base,
                          long k, int answers, shift_list *l)
{
    sqlite3_stmt *s = store_stmt(st, answers ? SS_INST_LATER_ANS
                                             : SS_INST_LATER_RC);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, base);
    size_t baselen = strlen(base);
    int rc;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(s, 0);
        const char *b = answers ? (const char *)sqlite3_column_text(s, 1) : a;
        shift_add(l, base, baselen, k, answers ? a : NULL, b);
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, "reading interview %s", uuid);
    return 0;
}

/* Apply the queued moves and audit one 'renumber' per instance. */
static int apply_shifts(store *st, const char *uuid, const char *base,
                        shift_list *l, const char *now_ms)
{
    if (l->n == 0)
        return 0;
    qsort(l->v, l->n, sizeof *l->v, shift_cmp);
    long audited = 0;
    for (size_t i = 0; i < l->n; i++) {
        shift *m = &l->v[i];
        sqlite3_stmt *s = store_stmt(st, m->qid ? SS_INST_MOVE_ANS
                                                : SS_INST_MOVE_RC);
        if (!s)
            return -1;
        store_bind(s, 1, uuid);
        if (m->qid) {
            store_bind(s, 2, m->qid);
            store_bind(s, 3, m->path);
            store_bind(s, 4, m->to);
        } else {
            store_bind(s, 2, m->path);
            store_bind(s, 3, m->to);
        }
        if (store_step(st, s) != SQLITE_DONE)
            return store_fail(st, "renumbering %s in interview %s", m->path,
                              uuid);
        if (m->index == audited)
            continue;
        audited = m->index;
        char *from = xasprintf("%s%ld]", base, m->index);
        char *to = xasprintf("%s%ld]", base, m->index - 1);
        int rc = store_audit_add(st, uuid, now_ms, "renumber", NULL, from,
                                 from, to);
        free(from);
        free(to);
        if (rc != SQLITE_DONE)
            return store_fail(st, "auditing interview %s", uuid);
    }
    return 0;
}

/* Run one of the instance-removal statements with (uuid, a, b[, c]). */
static int run_removal(store *st, enum store_stmt id, const char *uuid,
                       const char *a, const char *b, const char *c)
{
    sqlite3_stmt *s = store_stmt(st, id);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, a);
    if (b)
        store_bind(s, 3, b);
    if (c)
        store_bind(s, 4, c);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "removing %s from interview %s", a, uuid);
    return 0;
}

/* Remove instance path, its nested counts and answers (auditing each
 * answer as cleared), then shift the later instances down. */
static int remove_instance(store *st, const char *uuid, const char *path,
                           const char *base, long k, const char *now_ms)
{
    char *inside = xasprintf("%s/", path);
    shift_list l = {0};
    int rc = -1;
    if (store_audit_add(st, uuid, now_ms, "remove-instance", NULL, path,
                        NULL, NULL) != SQLITE_DONE) {
        store_fail(st, "auditing interview %s", uuid);
        goto out;
    }
    if (run_removal(st, SS_INST_AUDIT, uuid, now_ms, path, inside) != 0
        || run_removal(st, SS_INST_AUDIT_NOTES, uuid, now_ms, path, inside)
           != 0
        || run_removal(st, SS_INST_DEL_ANS, uuid, path, inside, NULL) != 0
        || run_removal(st, SS_INST_DEL_RC, uuid, inside, NULL, NULL) != 0
        || collect_shifts(st, uuid, base, k, 1, &l) != 0
        || collect_shifts(st, uuid, base, k, 0, &l) != 0
        || apply_shifts(st, uuid, base, &l, now_ms) != 0
        || store_notes_shift_tx(st, uuid, base, k) != 0)
        goto out;
    /* The repeat itself: base without its trailing '['. */
    char *repeat = xstrndup(base, strlen(base) - 1);
    long count = read_count(st, uuid, repeat);
    rc = 0;
    if (count == -2)
        rc = -1;
    else if (count > 0)
        rc = write_count(st, uuid, repeat, count, count - 1, now_ms);
    free(repeat);
out:
    shift_free(&l);
    free(inside);
    return rc;
}

long store_instance_notes(store *st, const char *uuid, const char *path)
{
    sqlite3_stmt *s = store_stmt(st, SS_INST_NOTES);
    if (!s)
        return -1;
    char *inside = xasprintf("%s/", path);
    store_bind(s, 1, uuid);
    store_bind(s, 2, path);
    store_bind(s, 3, inside);
    long n = store_step(st, s) == SQLITE_ROW ? sqlite3_column_int64(s, 0)
                                             : -1;
    sqlite3_reset(s);
    free(inside);
    if (n < 0)
        store_fail(st, "counting the notes in %s of interview %s", path, uuid);
    return n;
}

int store_delete_repeat_instance(store *st, const char *uuid,
                                 const char *path)
{
    char now[32], now_ms[32];
    store_now_both(now, now_ms);
    if (store_begin(st) != 0)
        return -1;
    int rc = store_touch(st, uuid, now);
    if (rc == 1)
        rc = store_failx(st, "no interview %s", uuid);
    if (rc == 0)
        rc = remove_instance_tx(st, uuid, path, now_ms);
    if (rc == 0)
        rc = store_rev_after_change(st, uuid);
    if (rc == 0)
        return store_commit(st);
    store_rollback(st);
    return -1;
}

int store_audit_event(store *st, const char *uuid, const char *event,
                      const char *qid, const char *path, const char *detail)
{
    char now_ms[32];
    store_now(now_ms, 1);
    int rc = store_audit_add(st, uuid, now_ms, event, qid, path, NULL, detail);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return store_failx(st, "auditing: no interview %s", uuid);
    if (rc != SQLITE_DONE)
        return store_fail(st, "auditing interview %s", uuid);
    return 0;
}

int store_audit_last(store *st, const char *uuid, const char *event,
                     const char *qid, const char *path, char **value)
{
    *value = NULL;
    sqlite3_stmt *s = store_stmt_key(st, SS_AUDIT_LAST, uuid);
    if (!s)
        return -1;
    store_bind(s, 2, event);
    store_bind(s, 3, qid);
    store_bind(s, 4, path ? path : "");
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        *value = v ? xstrdup(v) : NULL;
        sqlite3_reset(s);
        return 0;
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, "reading the audit of interview %s", uuid);
    return 0;
}

int store_load_audit(store *st, const char *uuid, store_audit_fn fn,
                     void *ctx)
{
    sqlite3_stmt *s = store_stmt_key(st, SS_AUDIT_LOAD, uuid);
    if (!s)
        return -1;
    int rc;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        store_audit a = {
            .seq = sqlite3_column_int64(s, 0),
            .time = (const char *)sqlite3_column_text(s, 1),
            .event = (const char *)sqlite3_column_text(s, 2),
            .qid = (const char *)sqlite3_column_text(s, 3),
            .path = (const char *)sqlite3_column_text(s, 4),
            .old_value = (const char *)sqlite3_column_text(s, 5),
            .new_value = (const char *)sqlite3_column_text(s, 6),
        };
        int ret = fn(ctx, &a);
        if (ret != 0) {
            sqlite3_reset(s);
            return ret;
        }
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, "reading the audit of interview %s", uuid);
    return 0;
}
