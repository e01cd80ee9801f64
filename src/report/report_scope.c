/* report_scope.c: an office database's interviews read once for the
 * comparison of its communes (report --communes): where each came from
 * and its review state, looked up by UUID for each commune's share, so
 * that comparing hundreds of communes reads the interviews once rather
 * than once a commune. */
#include "config.h"
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_reader.h"

/* One interview as the scoped walks need it; strings interned. */
typedef struct rscope_row {
    char *uuid;
    const char *commune, *review, *state;
    long conflicts, duplicates;
    unsigned char complete, superseded;
} rscope_row;

struct rscope {
    rscope_row *v;
    size_t n, cap;
    char **strs;          /* interned strings, sorted */
    size_t nstrs, capstrs;
};

/* The interned copy of s (few distinct: communes and states). */
static const char *rscope_intern(rscope *c, const char *s)
{
    size_t lo = 0, hi = c->nstrs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = strcmp(c->strs[mid], s);
        if (!d)
            return c->strs[mid];
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    c->strs = util_grow(c->strs, &c->capstrs, c->nstrs + 1, sizeof *c->strs);
    memmove(c->strs + lo + 1, c->strs + lo, (c->nstrs - lo) * sizeof *c->strs);
    c->strs[lo] = xstrdup(s);
    c->nstrs++;
    return c->strs[lo];
}

static int rscope_origin_cb(void *ctx, const store_origin *o)
{
    rscope *c = ctx;
    c->v = util_grow(c->v, &c->cap, c->n + 1, sizeof *c->v);
    c->v[c->n++] = (rscope_row){xstrdup(o->uuid),
                                rscope_intern(c, o->commune ? o->commune : ""),
                                rscope_intern(c, o->review ? o->review : ""),
                                NULL, o->conflicts, o->duplicates,
                                (unsigned char)(o->complete != 0), 0};
    return 0;
}

/* The row of uuid, or NULL. */
static rscope_row *rscope_find(const rscope *c, const char *uuid)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = strcmp(c->v[mid].uuid, uuid);
        if (!d)
            return &c->v[mid];
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int rscope_state_cb(void *ctx, const store_reader_iv *iv)
{
    rscope *c = ctx;
    rscope_row *row = rscope_find(c, iv->uuid);
    if (row) {
        row->state = rscope_intern(c, iv->review);
        row->superseded = (unsigned char)(iv->superseded != 0);
    }
    return 0;
}

/* Order for qsort of rows by UUID. */
static int row_cmp(const void *a, const void *b)
{
    return strcmp(((const rscope_row *)a)->uuid, ((const rscope_row *)b)->uuid);
}

rscope *rscope_load(store_reader *r, char **err)
{
    rscope *c = xcalloc(1, sizeof *c);
    if (store_reader_origins(r, rscope_origin_cb, c, err) < 0) {
        rscope_free(c);
        return NULL;
    }
    /* SQLite's order by UUID is strcmp's; sorted again all the same, so
     * that the lookups never depend on it. */
    qsort(c->v, c->n, sizeof *c->v, row_cmp);
    if (store_reader_interviews(r, NULL, rscope_state_cb, c, err) < 0) {
        rscope_free(c);
        return NULL;
    }
    return c;
}

void rscope_free(rscope *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].uuid);
    for (size_t i = 0; i < c->nstrs; i++)
        free(c->strs[i]);
    free(c->v);
    free(c->strs);
    free(c);
}

int rscope_origins(const rscope *c, char *const *kept, size_t n,
                   store_origin_fn fn, void *ctx)
{
    if (!kept)
        n = c->n;
    for (size_t i = 0; i < n; i++) {
        const rscope_row *row = kept ? rscope_find(c, kept[i]) : &c->v[i];
        if (!row)
            continue;
        store_origin o = {row->uuid, row->commune, row->conflicts,
                          row->duplicates, row->review, row->complete};
        int rc = fn(ctx, &o);
        if (rc)
            return rc;
    }
    return 0;
}

void rscope_states(const rscope *c, char *const *kept, size_t n,
                   long counts[RSCAN_NSTATES], long *superseded)
{
    static const char *const states[RSCAN_NSTATES] = {
        "unreviewed", "approved", "returned", "changed", "corrected"};
    memset(counts, 0, RSCAN_NSTATES * sizeof *counts);
    *superseded = 0;
    for (size_t i = 0; i < n; i++) {
        const rscope_row *row = rscope_find(c, kept[i]);
        if (!row || !row->complete || !row->state)
            continue;
        if (row->superseded) {
            ++*superseded;
            continue;
        }
        for (int k = 0; k < RSCAN_NSTATES; k++)
            if (!strcmp(row->state, states[k]))
                counts[k]++;
    }
}
