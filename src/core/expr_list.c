/* expr_list.c: what expressions read from named lists and from rosters as
 * a whole: instance('list')/root/item[...] paths, pulldata(),
 * indexed-repeat() and randomize(). The lists themselves come from the
 * caller through expr_env.lists, so the engine knows nothing of where they
 * are kept (a form's choices, or lists the office sends down). */
#include "config.h"

#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr_int.h"
#include "core/util.h"

#define FN(name) static void name(const node *c, const expr_env *env, value *out)

/* Rows of list name, 0 when the caller has no such list. */
static size_t list_rows(const expr_env *env, const char *name)
{
    long n = env->lists ? env->lists->rows(env->lists->ctx, name) : -1;
    return n > 0 ? (size_t)n : 0;
}

/* Column col of row r of list name, or NULL. */
static const char *list_cell(const expr_env *env, const char *name, size_t r,
                             const char *col)
{
    return env->lists ? env->lists->cell(env->lists->ctx, name, r, col) : NULL;
}

void ev_column(const node *n, const expr_env *env, value *out)
{
    const char *v = env->row_list ? list_cell(env, env->row_list, env->row,
                                              n->name)
                                  : NULL;
    *out = val_string(v ? v : "");
}

/* Keep the rows of keep[0..*nk) that predicate p accepts: a number
 * selects the row at that position (from 1), anything else is tested as a
 * boolean with the row's columns as bare names. */
static void filter_rows(const node *p, const expr_env *env, const char *list,
                        size_t *keep, size_t *nk)
{
    expr_env row_env = *env;
    row_env.row_list = list;
    size_t m = 0;
    for (size_t k = 0; k < *nk; k++) {
        row_env.row = keep[k];
        value t = {0};
        const value *v = ev_val(p, &row_env, &t);
        int ok = v->type == VAL_NUMBER ? v->num == (double)(k + 1)
                                       : val_to_bool(v);
        val_free(&t);
        if (ok)
            keep[m++] = keep[k];
    }
    *nk = m;
}

void ev_path(const node *n, const expr_env *env, value *out)
{
    *out = val_nodeset();
    size_t rows = list_rows(env, n->name);
    if (!rows)
        return;
    size_t *keep = xmalloc(rows * sizeof *keep), nk = rows;
    for (size_t r = 0; r < rows; r++)
        keep[r] = r;
    for (size_t i = 0; i < n->nargs && nk; i++)
        filter_rows(n->args[i], env, n->name, keep, &nk);
    /* An item's own value is its name, the code a select stores. */
    const char *col = n->lit.str && n->lit.str[0] ? n->lit.str : "name";
    for (size_t k = 0; k < nk; k++) {
        const char *v = list_cell(env, n->name, keep[k], col);
        if (v)  /* a row without that column has no such node */
            val_nodeset_add(out, v);
    }
    free(keep);
}

/* pulldata('list', 'column', 'key_column', key): column of the first row
 * whose key_column is key, or empty. */
FN(fn_pulldata)
{
    value tl = {0}, tc = {0}, tk = {0}, tv = {0};
    const char *list = ev_str(c->args[0], env, &tl);
    const char *col = ev_str(c->args[1], env, &tc);
    const char *kcol = ev_str(c->args[2], env, &tk);
    const char *key = ev_str(c->args[3], env, &tv);
    size_t rows = list_rows(env, list);
    const char *found = NULL;
    for (size_t r = 0; r < rows && !found; r++) {
        const char *k = list_cell(env, list, r, kcol);
        if (k && !strcmp(k, key))
            found = list_cell(env, list, r, col);
    }
    *out = val_string(found ? found : "");
    val_free(&tl);
    val_free(&tc);
    val_free(&tk);
    val_free(&tv);
}

/* setup('name'): a value of the commune's set-up (the enumerator, the
 * commune...), which the caller gives as the list "setup" of rows with
 * the columns name and value; empty when it has none of that name. */
FN(fn_setup)
{
    value tn = {0};
    const char *name = ev_str(c->args[0], env, &tn);
    size_t rows = list_rows(env, EXPR_SETUP_LIST);
    const char *found = NULL;
    for (size_t r = 0; r < rows && !found; r++) {
        const char *k = list_cell(env, EXPR_SETUP_LIST, r, "name");
        if (k && !strcmp(k, name))
            found = list_cell(env, EXPR_SETUP_LIST, r, "value");
    }
    *out = val_string(found ? found : "");
    val_free(&tn);
}

/* indexed-repeat(${q}, ${roster}, i) reads a question and its roster as
 * written, not their values. */
static char *indexed_repeat_prepare(node *c, expr_parse_ctx *pc, int *col)
{
    for (int i = 0; i < 2; i++) {
        if (c->args[i]->kind != NODE_REF || c->args[i]->bare) {
            *col = c->args[i]->col;
            return xstrdup(i == 0 ? "the first argument of indexed-repeat "
                                    "must be a question, as in ${name}"
                                  : "the second argument of indexed-repeat "
                                    "must be its roster, as in ${members}");
        }
    }
    pc->e->reads_every_instance = 1;
    return NULL;
}

/* indexed-repeat(${q}, ${roster}, i): q's value in instance i (from 1) of
 * the roster, wherever the expression is evaluated. */
FN(fn_indexed_repeat)
{
    double i = trunc(ev_num(c->args[2], env));
    value all = {.type = VAL_STRING};
    if (env->lookup_all && c->args[0]->ref != EXPR_REF_UNBOUND)
        env->lookup_all(env->ctx, c->args[0]->ref, &all);
    else
        ev(c->args[0], env, &all);
    if (all.type == VAL_NODESET)
        *out = val_string(i >= 1 && i <= (double)all.n ? all.items[(size_t)i - 1]
                                                       : "");
    else if (i == 1)
        *out = val_copy(&all);
    else
        *out = val_string("");
    val_free(&all);
}

/* The Park-Miller "minimal standard" generator that ODK's engines use for
 * a seeded randomize(), so that a seed gives the same order there and
 * here. */
typedef struct park_miller {
    int64_t state;
} park_miller;

#define PARK_MILLER_M 2147483647

/* The seed as JavaRosa takes it (a double's longValue(): NaN is 0, the
 * fraction dropped, saturated at the long range), then reduced modulo M
 * keeping its sign, as ODK Web Forms does. */
static park_miller park_miller_new(double seed)
{
    double s = isnan(seed) ? 0 : trunc(seed), r;
    if (s >= 9223372036854775807.0)
        r = 1;   /* (2^63 - 1) mod M */
    else if (s <= -9223372036854775808.0)
        r = -2;  /* -(2^63) mod M, sign kept */
    else
        r = fmod(s, PARK_MILLER_M);
    park_miller g = {(int64_t)r};
    if (g.state <= 0)
        g.state += PARK_MILLER_M - 1;
    return g;
}

/* The next number in [0, 1). */
static double park_miller_next(park_miller *g)
{
    g->state = g->state * 16807 % PARK_MILLER_M;
    return (double)(g->state - 1) / (PARK_MILLER_M - 1);
}

/* The string-values of v, in order, as a new node-set. */
static value items_of(const value *v)
{
    value out = val_nodeset();
    if (v->type == VAL_NODESET) {
        for (size_t i = 0; i < v->n; i++)
            val_nodeset_add(&out, v->items[i]);
    } else {
        char *s = val_to_string(v);
        val_nodeset_add(&out, s);
        free(s);
    }
    return out;
}

/* The order ODK's randomize() gives n members: order[k] is the index of
 * the member that goes to place k ("inside-out" Fisher-Yates: member i
 * goes to a random place j <= i, and what was at j moves to i). g NULL
 * draws from libsodium instead of a seeded generator. */
static void shuffle_order(size_t n, park_miller *g, size_t *order)
{
    if (!g && sodium_init() < 0)
        abort();
    for (size_t i = 0; i < n; i++) {
        size_t j = g ? (size_t)floor(park_miller_next(g) * (double)(i + 1))
                     : randombytes_uniform((uint32_t)(i + 1));
        if (j != i)
            order[i] = order[j];
        order[j] = i;
    }
}

void expr_shuffle_ints(int *v, size_t n, double seed)
{
    park_miller g = park_miller_new(seed);
    size_t *order = xmalloc((n ? n : 1) * sizeof *order);
    int *copy = xmalloc((n ? n : 1) * sizeof *copy);
    shuffle_order(n, &g, order);
    for (size_t k = 0; k < n; k++)
        copy[k] = v[order[k]];
    if (n)
        memcpy(v, copy, n * sizeof *v);
    free(copy);
    free(order);
}

/* randomize(nodeset[, seed]): the members in a shuffled order, the same
 * for the same seed as in ODK. */
FN(fn_randomize)
{
    value t = {0};
    *out = items_of(ev_val(c->args[0], env, &t));
    val_free(&t);
    park_miller g = park_miller_new(c->nargs > 1 ? ev_num(c->args[1], env) : 0);
    size_t n = out->n;
    size_t *order = xmalloc((n ? n : 1) * sizeof *order);
    char **r = xmalloc((n ? n : 1) * sizeof *r);
    shuffle_order(n, c->nargs > 1 ? &g : NULL, order);
    for (size_t k = 0; k < n; k++)
        r[k] = out->items[order[k]];
    /* The same strings in the new order, in the node-set's own array. */
    if (n)
        memcpy(out->items, r, n * sizeof *r);
    free(r);
    free(order);
}

const func_def expr_list_funcs[] = {
    {"pulldata", 4, 4, 0, fn_pulldata, NULL},
    {"setup", 1, 1, 0, fn_setup, NULL},
    {"indexed-repeat", 3, 3, 0, fn_indexed_repeat, indexed_repeat_prepare},
    {"randomize", 1, 2, 0, fn_randomize, NULL},
};

const size_t expr_list_nfuncs = sizeof expr_list_funcs / sizeof *expr_list_funcs;
