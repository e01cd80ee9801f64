/* merge_graph.c: an interview's revision history in memory, to tell
 * whether one revision descends from another and to find the nearest
 * common ancestor of two.  Each search visits every revision at most
 * once (ids only, never (id, depth) pairs), so its cost grows with the
 * number of revisions, not with the number of paths through them. */
#include "config.h"
#include "sync/merge_int.h"
#include "core/i18n.h"

#include <stdlib.h>
#include <string.h>

static int node_cmp(const void *key, const void *node)
{
    return strcmp(key, ((const rev_node *)node)->id);
}

/* Index of revision id in g, or -1. */
static long find(const merge_graph *g, const char *id)
{
    if (!id || !*id)
        return -1;
    const rev_node *v = bsearch(id, g->v, g->n, sizeof *g->v, node_cmp);
    return v ? (long)(v - g->v) : -1;
}

int merge_graph_load(merger *m, const char *uuid, merge_graph *g)
{
    memset(g, 0, sizeof *g);
    int rc = store_rev_graph(m->st, uuid, MERGE_MAX_REVISIONS, &g->v, &g->n);
    if (rc == 0) {
        g->queue = xmalloc((g->n ? g->n : 1) * sizeof *g->queue);
        g->mark = xcalloc(g->n ? g->n : 1, 1);
        return 0;
    }
    free(m->err);
    if (rc == 1)
        m->err = xasprintf(_("%s: interview %s has more than %ld revisions "
                           "here; khaosat will not merge it further"),
                           store_path(m->st), uuid,
                           (long)MERGE_MAX_REVISIONS);
    else
        m->err = xstrdup(store_errmsg(m->st));
    return -1;
}

void merge_graph_free(merge_graph *g)
{
    free(g->v);
    free(g->queue);
    free(g->mark);
    memset(g, 0, sizeof *g);
}

/* Breadth-first walk from start over parents, setting bit in mark of
 * every revision reached; stops early when it reaches a revision that
 * already has bit stop (returning its index), else -1. */
static long walk(merge_graph *g, const char *start, unsigned char bit,
                 unsigned char stop)
{
    long s = find(g, start);
    if (s < 0)
        return -1;
    size_t head = 0, tail = 0;
    g->queue[tail++] = (size_t)s;
    g->mark[s] |= bit;
    while (head < tail) {
        size_t i = g->queue[head++];
        if (g->mark[i] & stop)
            return (long)i;
        const char *p[2] = {g->v[i].parent, g->v[i].parent2};
        for (int k = 0; k < 2; k++) {
            long j = find(g, p[k]);
            if (j >= 0 && !(g->mark[j] & bit)) {
                g->mark[j] |= bit;
                g->queue[tail++] = (size_t)j;
            }
        }
    }
    return -1;
}

int merge_graph_is_ancestor(merge_graph *g, const char *anc,
                            const char *rev)
{
    memset(g->mark, 0, g->n ? g->n : 1);
    long a = find(g, anc);
    if (a < 0)
        return 0;
    g->mark[a] = 2;
    return walk(g, rev, 1, 2) >= 0;
}

char *merge_graph_base(merge_graph *g, const char *mine, const char *theirs)
{
    memset(g->mark, 0, g->n ? g->n : 1);
    walk(g, mine, 2, 0);
    /* Nearest to theirs first: the breadth-first order is by depth. */
    long i = walk(g, theirs, 1, 2);
    return i < 0 ? NULL : xstrdup(g->v[i].id);
}
