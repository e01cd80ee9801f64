/* store_dups_kept.c: one interview kept in each household.  "The same
 * household" decisions link interviews into households; a decision keeps
 * one of its pair and supersedes the other.  Decisions made one pair at a
 * time (a1 kept over a2, a2 over a3, a3 over a1), or taken from an office
 * below beside this database's own, can supersede every interview of a
 * household, or leave two kept: the household would vanish from the
 * report and CSV, or count twice.  So after every change the household's
 * newest "same" decision names its interview kept, and each decision of
 * the household keeps the one of its pair nearer to that interview (the
 * others superseded), as khaosat duplicates --same --keep says. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"

/* One "same household" decision. */
typedef struct kedge {
    char *a, *b, *keep, *decided;
    size_t ia, ib;        /* the two interviews' indices in knodes */
} kedge;

/* Every "same" decision and the interviews they link. */
typedef struct kgraph {
    kedge *e;
    size_t ne, cap;
    char **node;          /* the interviews, sorted */
    size_t nnode;
    size_t *parent;       /* union-find over node */
    size_t *first, *adj;  /* each node's edges: adj[first[i]..first[i+1]) */
    long *dist;           /* from the household's interview kept */
} kgraph;

static int str_order(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Node uuid's index, or g->nnode when it is not one. */
static size_t node_of(const kgraph *g, const char *uuid)
{
    char *const *p = g->nnode ? bsearch(&uuid, g->node, g->nnode,
                                        sizeof *g->node, str_order) : NULL;
    return p ? (size_t)(p - g->node) : g->nnode;
}

static size_t root_of(kgraph *g, size_t i)
{
    while (g->parent[i] != i)
        i = g->parent[i] = g->parent[g->parent[i]];
    return i;
}

static void kgraph_free(kgraph *g)
{
    for (size_t i = 0; i < g->ne; i++) {
        free(g->e[i].a);
        free(g->e[i].b);
        free(g->e[i].keep);
        free(g->e[i].decided);
    }
    free(g->e);
    free(g->node);
    free(g->parent);
    free(g->first);
    free(g->adj);
    free(g->dist);
}

/* Read the "same" decisions: 0 or -1. */
static int kgraph_load(store *st, kgraph *g)
{
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "SELECT a, b, keep, coalesce(decided, '') FROM duplicates"
        " WHERE decision = 'same' AND keep IN (a, b) ORDER BY a, b");
    if (!s)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        g->e = util_grow(g->e, &g->cap, g->ne + 1, sizeof *g->e);
        kedge *e = &g->e[g->ne++];
        memset(e, 0, sizeof *e);
        e->a = store_col_dup(s, 0);
        e->b = store_col_dup(s, 1);
        e->keep = store_col_dup(s, 2);
        e->decided = store_col_dup(s, 3);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "reading the decisions on duplicates");
    /* The interviews, each once, and the households they make. */
    g->node = xcalloc(2 * g->ne + 1, sizeof *g->node);
    for (size_t i = 0; i < g->ne; i++) {
        g->node[2 * i] = g->e[i].a;
        g->node[2 * i + 1] = g->e[i].b;
    }
    qsort(g->node, 2 * g->ne, sizeof *g->node, str_order);
    for (size_t i = 0; i < 2 * g->ne; i++)
        if (!g->nnode || strcmp(g->node[g->nnode - 1], g->node[i]))
            g->node[g->nnode++] = g->node[i];
    g->parent = xcalloc(g->nnode + 1, sizeof *g->parent);
    g->first = xcalloc(g->nnode + 1, sizeof *g->first);
    g->adj = xcalloc(2 * g->ne + 1, sizeof *g->adj);
    g->dist = xcalloc(g->nnode + 1, sizeof *g->dist);
    for (size_t i = 0; i < g->nnode; i++)
        g->parent[i] = i;
    for (size_t i = 0; i < g->ne; i++) {
        kedge *e = &g->e[i];
        e->ia = node_of(g, e->a);
        e->ib = node_of(g, e->b);
        g->parent[root_of(g, e->ia)] = root_of(g, e->ib);
        g->first[e->ia]++;
        g->first[e->ib]++;
    }
    /* Counts into starts (first[i] ends up as node i's start). */
    size_t at = 0;
    for (size_t i = 0; i <= g->nnode; i++) {
        size_t n = i < g->nnode ? g->first[i] : 0;
        g->first[i] = at;
        at += n;
    }
    size_t *fill = xcalloc(g->nnode + 1, sizeof *fill);
    for (size_t i = 0; i < g->ne; i++) {
        size_t ends[2] = {g->e[i].ia, g->e[i].ib};
        for (int k = 0; k < 2; k++)
            g->adj[g->first[ends[k]] + fill[ends[k]]++] = i;
    }
    free(fill);
    return 0;
}

/* Distances from each household's interview kept (win[i] for node i's
 * household root; one walk for all households, which share no node). */
static void measure(kgraph *g, const size_t *win)
{
    size_t *queue = xcalloc(g->nnode + 1, sizeof *queue);
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < g->nnode; i++)
        g->dist[i] = -1;
    for (size_t i = 0; i < g->nnode; i++)
        if (root_of(g, i) == i) {
            g->dist[win[i]] = 0;
            queue[tail++] = win[i];
        }
    while (head < tail) {
        size_t u = queue[head++];
        for (size_t k = g->first[u]; k < g->first[u + 1]; k++) {
            const kedge *e = &g->e[g->adj[k]];
            size_t v = e->ia == u ? e->ib : e->ia;
            if (g->dist[v] < 0) {
                g->dist[v] = g->dist[u] + 1;
                queue[tail++] = v;
            }
        }
    }
    free(queue);
}

/* Make decision e keep keep (with time decided): 0 or -1. */
static int repoint(store *st, const kedge *e, const char *keep,
                   const char *decided)
{
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "UPDATE duplicates SET keep = ?3, decided = ?4 WHERE a = ?1"
        " AND b = ?2");
    if (!s)
        return -1;
    const char *v[4] = {e->a, e->b, keep, decided};
    store_bind_all(s, v, 4);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, "keeping one interview "
                                              "of the household of %s",
                                              keep);
}

/* Non-zero when node i is superseded by one of its decisions as they
 * stand. */
static int superseded_now(const kgraph *g, size_t i)
{
    for (size_t k = g->first[i]; k < g->first[i + 1]; k++)
        if (strcmp(g->e[g->adj[k]].keep, g->node[i]))
            return 1;
    return 0;
}

/* What the households need: for each household root, its newest
 * decision (the later pair on a tie) in newest[root] and the interview
 * it keeps (prefer in its own household) in win[root]. */
static void choose_kept(kgraph *g, const char *prefer, size_t *newest,
                        size_t *win)
{
    for (size_t i = 0; i < g->nnode; i++)
        newest[i] = g->ne;
    for (size_t i = 0; i < g->ne; i++) {
        size_t r = root_of(g, g->e[i].ia);
        if (newest[r] == g->ne
            || strcmp(g->e[i].decided, g->e[newest[r]].decided) >= 0)
            newest[r] = i;
    }
    for (size_t i = 0; i < g->nnode; i++)
        if (root_of(g, i) == i)
            win[i] = node_of(g, g->e[newest[i]].keep);
    size_t p = prefer ? node_of(g, prefer) : g->nnode;
    if (p < g->nnode)
        win[root_of(g, p)] = p;
}

/* Make every decision keep the one of its pair nearer its household's
 * interview kept; changed[root] set for each household changed.  The
 * number of decisions changed, or -1. */
static long repoint_all(store *st, kgraph *g, const size_t *newest,
                        unsigned char *changed)
{
    long n = 0;
    char now[32];
    store_now(now, 1);
    for (size_t i = 0; i < g->ne; i++) {
        kedge *e = &g->e[i];
        long da = g->dist[e->ia], db = g->dist[e->ib];
        const char *want = da < db ? e->a : db < da ? e->b : e->keep;
        if (!strcmp(want, e->keep))
            continue;
        /* The time of the household's newest decision: newer than what
         * the decision said, never newer than one the office makes
         * later. */
        size_t r = root_of(g, e->ia);
        const char *when = g->e[newest[r]].decided;
        if (repoint(st, e, want, *when ? when : now) != 0)
            return -1;
        free(e->keep);
        e->keep = xstrdup(want);
        changed[r] = 1;
        n++;
    }
    return n;
}

long store_dups_one_kept_tx(store *st, const char *prefer, store_kept_fn fn,
                            void *ctx)
{
    kgraph g;
    memset(&g, 0, sizeof g);
    if (kgraph_load(st, &g) != 0) {
        kgraph_free(&g);
        return -1;
    }
    size_t *newest = xcalloc(g.nnode + 1, sizeof *newest);
    size_t *win = xcalloc(g.nnode + 1, sizeof *win);
    unsigned char *was = xcalloc(g.nnode + 1, 1);
    unsigned char *changed = xcalloc(g.nnode + 1, 1);
    choose_kept(&g, prefer, newest, win);
    measure(&g, win);
    for (size_t i = 0; i < g.nnode; i++)
        was[i] = (unsigned char)superseded_now(&g, i);
    long n = repoint_all(st, &g, newest, changed), households = 0;
    for (size_t i = 0; n >= 0 && i < g.nnode; i++) {
        size_t r = root_of(&g, i);
        households += r == i && changed[i];
        if (!changed[r] || was[i] == (g.dist[i] > 0))
            continue;
        store_kept_change c = {g.node[i], g.node[win[r]], g.dist[i] > 0};
        if (fn && fn(ctx, &c) != 0)
            n = -1;
    }
    free(newest);
    free(win);
    free(was);
    free(changed);
    kgraph_free(&g);
    /* Decisions changed are worth an upstream bundle. */
    if (n > 0 && store_review_count_change_tx(st) != 0)
        return -1;
    return n < 0 ? -1 : households;
}

char *store_kept_text(const store_kept_change *c)
{
    if (c->superseded)
        return xasprintf(_("%s: now superseded: the same household as %s, "
                           "which the newest decision on that household "
                           "keeps (one interview of a household is kept)"),
                         c->uuid, c->kept);
    return xasprintf(_("%s: now kept: the newest decision on its household "
                       "keeps it, and the other interviews of the household "
                       "are superseded"), c->uuid);
}
