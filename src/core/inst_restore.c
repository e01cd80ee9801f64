/* inst_restore.c: an interview's paths ("member[2]/child[1]") and its
 * rebuilding from stored rows: the answers placed level by level, the
 * open-ended repeats grown to their stored counts, then recomputed. */
#include "config.h"
#include "core/inst_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

char *inst_frame_path(const inst_frame *fr)
{
    if (!fr->parent)
        return xstrdup("");
    char *up = inst_frame_path(fr->parent);
    char *p = xasprintf("%s%s%s[%d]", up, *up ? "/" : "", fr->name,
                        fr->position);
    free(up);
    return p;
}

/* Parse "name[N]" at *s, advancing past it; 0 on success. */
static int inst_path_step(const char **s, const char **name, size_t *len,
                          long *pos)
{
    const char *p = *s;
    const char *br = strchr(p, '[');
    if (!br || br == p)
        return -1;
    char *end;
    long n = strtol(br + 1, &end, 10);
    if (end == br + 1 || *end != ']' || n < 1)
        return -1;
    *name = p;
    *len = (size_t)(br - p);
    *pos = n;
    *s = end[1] == '/' ? end + 2 : end + 1;
    return 0;
}

inst_frame *inst_frame_find(inst *in, const char *path)
{
    inst_frame *fr = in->root;
    const char *s = path ? path : "";
    while (*s) {
        const char *name;
        size_t len;
        long pos;
        if (inst_path_step(&s, &name, &len, &pos))
            return NULL;
        char *id = xstrndup(name, len);
        int r = form_find(in->f, id);
        free(id);
        if (r < 0 || in->f->q[r].type != QT_REPEAT || in->f->q[r].repeat != fr->repeat)
            return NULL;
        fr = inst_repeat_get(in, fr, r, (size_t)pos - 1);
        if (!fr)
            return NULL;
    }
    return fr;
}

void inst_rows_add(inst_rows *r, const char *qid, const char *path,
                   const char *value, long count)
{
    r->v = util_grow(r->v, &r->cap, r->n + 1, sizeof *r->v);
    r->v[r->n++] = (inst_row){xstrdup(qid), xstrdup(path), xstrdup(value), count};
}

void inst_rows_clear(inst_rows *r)
{
    /* The strings were copied by inst_rows_add: they are the list's. */
    for (size_t i = 0; i < r->n; i++) {
        free((char *)r->v[i].qid);
        free((char *)r->v[i].path);
        free((char *)r->v[i].value);
    }
    r->n = 0;
}

void inst_rows_free(inst_rows *r)
{
    inst_rows_clear(r);
    free(r->v);
    r->v = NULL;
    r->cap = 0;
}

/* Number of '/'-separated segments of a path ("" has none). */
static int inst_path_depth(const char *path)
{
    if (!path || !*path)
        return 0;
    int d = 1;
    for (; *path; path++)
        d += *path == '/';
    return d;
}

/* Place a stored answer if it still fits the form. */
static void inst_replay_answer(inst *in, const inst_row *row)
{
    inst_frame *fr = inst_frame_find(in, row->path);
    int q = form_find(in->f, row->qid);
    if (!fr || q < 0 || in->f->q[q].repeat != fr->repeat)
        return;
    form_qtype t = in->f->q[q].type;
    if (t == QT_GROUP || t == QT_REPEAT || t == QT_NOTE || t == QT_CALCULATE)
        return;
    inst_store(fr, q, row->value);
}

/* Create the stored instances of an open-ended repeat. */
static void inst_replay_count(inst *in, const inst_row *row)
{
    const char *slash = strrchr(row->path, '/');
    char *parent_path = xstrndup(row->path, slash ? (size_t)(slash - row->path) : 0);
    inst_frame *parent = inst_frame_find(in, parent_path);
    int r = form_find(in->f, slash ? slash + 1 : row->path);
    free(parent_path);
    if (!parent || r < 0 || in->f->q[r].type != QT_REPEAT ||
        in->f->q[r].repeat != parent->repeat || in->f->q[r].count)
        return;
    long count = row->count > 10000 ? 10000 : row->count;
    while ((long)inst_repeat_count(in, parent, r) < count)
        inst_repeat_add(in, parent, r);
}

inst *inst_restore(const form *f, int lang, time_t now, const inst_row *rows,
                   size_t n)
{
    inst *in = inst_alloc(f, lang, 1, NULL);
    in->now = now;
    int maxd = 0;
    for (size_t i = 0; i < n; i++) {
        int d = inst_path_depth(rows[i].path) - !rows[i].qid;
        maxd = d > maxd ? d : maxd;
    }
    /* One full recomputation per level; new instances wait for the next
     * pass, and passes go on while the last one added instances (counted
     * repeats nested in counted repeats), at most once per nesting level. */
    in->replaying = 1;
    for (int d = 0; d <= maxd; d++) {
        for (size_t i = 0; i < n; i++)
            if (rows[i].qid && inst_path_depth(rows[i].path) == d)
                inst_replay_answer(in, &rows[i]);
        in->grew = 0;
        inst_recompute(in);
        for (size_t i = 0; i < n; i++)
            if (!rows[i].qid && inst_path_depth(rows[i].path) == d + 1)
                inst_replay_count(in, &rows[i]);
    }
    for (int pass = 0; in->grew && pass < 64; pass++) {
        in->grew = 0;
        inst_recompute(in);
    }
    in->replaying = 0;
    return in;
}
