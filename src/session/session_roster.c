/* session_roster.c: members added to and removed from a roster, and the
 * stored answers that have no place in the interview (strays) dropped. */
#include "config.h"
#include "session/session_int.h"

#include <stdlib.h>

#include "core/util.h"

/* store_load_answers callback: keep where each stored answer is. */
static int session_stray_cb(void *ctx, const char *qid, const char *path,
                            const char *v)
{
    (void)v;
    inst_rows_add(ctx, qid, path, NULL, 0);
    return 0;
}

/* Delete (audited) those of the stored answers rows that have no place in
 * the interview as it is in memory. */
static int session_drop_rows(session *s, const inst_rows *rows)
{
    int bad = 0;
    for (size_t i = 0; i < rows->n && !bad; i++) {
        int q = form_find(s->f, rows->v[i].qid);
        if (q < 0)
            continue;           /* another version's question: kept */
        inst_frame *fr = inst_frame_find(s->in, rows->v[i].path);
        if (fr && s->f->q[q].repeat == inst_frame_repeat(fr) &&
            (inst_get(s->in, fr, q) || s->f->q[q].type == QT_CALCULATE))
            continue;
        if (!fr && s->f->q[q].repeat < 0)
            continue;
        bad = store_clear_answer(s->st, s->uuid, rows->v[i].qid,
                                 rows->v[i].path);
    }
    return bad ? session_fail(s) : 0;
}

int session_drop_strays(session *s)
{
    inst_rows rows = {NULL, 0, 0};
    int bad = store_load_answers(s->st, s->uuid, session_stray_cb, &rows)
                  ? session_fail(s) : session_drop_rows(s, &rows);
    inst_rows_free(&rows);
    return bad;
}

/* session_drop_strays for member fr alone (a new one): the answers stored
 * at its path or inside it, question by question of its roster, each a
 * search of the store's key.  A member added costs what its roster's
 * questions cost, not what the whole interview holds. */
static int session_drop_strays_in(session *s, inst_frame *fr)
{
    int r = inst_frame_repeat(fr);
    char *path = inst_frame_path(fr);
    inst_rows rows = {NULL, 0, 0};
    int bad = 0;
    for (int q = r + 1; q < s->f->q[r].end && !bad; q++)
        bad = store_load_answers_under(s->st, s->uuid, s->f->q[q].id, path,
                                       session_stray_cb, &rows);
    free(path);
    bad = bad ? session_fail(s) : session_drop_rows(s, &rows);
    inst_rows_free(&rows);
    return bad;
}

/* Fail because the interview is complete (session_errmsg says so). */
static int session_refuse_locked(session *s)
{
    free(s->err);
    s->err = NULL;
    session_locked(s, &s->err);
    return -1;
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
    if (session_locked(s, NULL))
        return session_refuse_locked(s);
    char *p = session_roster_path(s, it);
    long n = (long)inst_repeat_count(s->in, it.fr, it.q) + 1;
    int bad = store_set_repeat_count(s->st, s->uuid, p, n);
    free(p);
    if (bad)
        return session_fail(s);
    inst_frame *fr = inst_repeat_add(s->in, it.fr, it.q);
    if (out)
        *out = fr;
    if (session_drop_strays_in(s, fr))
        return -1;
    return session_save_defaults(s);
}

int session_repeat_remove(session *s, session_item it, size_t i)
{
    if (session_locked(s, NULL))
        return session_refuse_locked(s);
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
