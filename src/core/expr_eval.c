/* expr_eval.c: evaluates parsed expressions with XPath 1.0 semantics:
 * operators, conversions and node-set comparisons. Constants are borrowed,
 * never copied, so numeric and boolean expressions allocate nothing beyond
 * what the caller's lookup returns. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr_int.h"
#include "core/util.h"

const char *val_text(const value *v)
{
    if (v->type == VAL_NODESET)
        return v->n ? v->items[0] : "";
    return v->type == VAL_STRING && v->str ? v->str : "";
}

void ev_lookup(const expr_env *env, int id, value *out)
{
    memset(out, 0, sizeof *out);
    out->type = VAL_STRING;
    if (id == EXPR_REF_UNBOUND || !env->lookup)
        return;
    env->lookup(env->ctx, id, out);
}

const value *ev_val(const node *n, const expr_env *env, value *tmp)
{
    if (n->kind == NODE_NUM || n->kind == NODE_STR)
        return &n->lit;
    ev(n, env, tmp);
    return tmp;
}

double ev_num(const node *n, const expr_env *env)
{
    switch (n->kind) {
    case NODE_NUM:
        return n->lit.num;
    case NODE_NEG:
        return -ev_num(n->args[0], env);
    case NODE_BIN:
        if (n->op >= OP_ADD) {
            double a = ev_num(n->args[0], env), b = ev_num(n->args[1], env);
            switch (n->op) {
            case OP_ADD: return a + b;
            case OP_SUB: return a - b;
            case OP_MUL: return a * b;
            case OP_DIV: return a / b;
            default: return fmod(a, b);
            }
        }
        return ev_bool(n, env);
    default: {
        value t = {0};
        double d = val_to_number(ev_val(n, env, &t));
        val_free(&t);
        return d;
    }
    }
}

const char *ev_str(const node *n, const expr_env *env, value *tmp)
{
    const value *v = ev_val(n, env, tmp);
    if (v->type == VAL_STRING || v->type == VAL_NODESET)
        return val_text(v);
    char *s = val_to_string(v);
    val_free(tmp);
    *tmp = val_string_own(s);
    return s;
}

/* The string "." when the call has no arguments, else argument i. */
const char *ev_str_or_self(const node *c, const expr_env *env, value *tmp)
{
    if (c->nargs)
        return ev_str(c->args[0], env, tmp);
    ev_lookup(env, EXPR_REF_SELF, tmp);
    if (tmp->type == VAL_STRING || tmp->type == VAL_NODESET)
        return val_text(tmp);
    *tmp = val_string_own(val_to_string(tmp));
    return tmp->str;
}

/* Call f on every member of the values of arguments from..nargs: the items
 * of node-sets, the values themselves otherwise. Stops when f returns 0. */
void ev_each_item(const node *c, size_t from, const expr_env *env,
                  int (*f)(void *acc, const value *item), void *acc)
{
    for (size_t i = from; i < c->nargs; i++) {
        value t = {0};
        const value *v = ev_val(c->args[i], env, &t);
        int go = 1;
        if (v->type == VAL_NODESET) {
            for (size_t j = 0; go && j < v->n; j++)
                go = f(acc, &(value){.type = VAL_STRING, .str = v->items[j]});
        } else {
            go = f(acc, v);
        }
        val_free(&t);
        if (!go)
            return;
    }
}

static int cmp_num(bin_op op, double a, double b)
{
    switch (op) {
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    default: return a >= b;
    }
}

/* Compare two values that are not node-sets (XPath 1.0, section 3.4):
 * equality goes through booleans, then numbers, then strings; order always
 * through numbers. */
static int cmp_scalar(bin_op op, const value *a, const value *b)
{
    if (op == OP_EQ || op == OP_NE) {
        int eq;
        if (a->type == VAL_BOOL || b->type == VAL_BOOL)
            eq = val_to_bool(a) == val_to_bool(b);
        else if (a->type == VAL_NUMBER || b->type == VAL_NUMBER)
            return cmp_num(op, val_to_number(a), val_to_number(b));
        else
            eq = strcmp(val_text(a), val_text(b)) == 0;
        return op == OP_EQ ? eq : !eq;
    }
    return cmp_num(op, val_to_number(a), val_to_number(b));
}

/* The operator that gives the same answer with the operands swapped. */
static bin_op mirror(bin_op op)
{
    switch (op) {
    case OP_LT: return OP_GT;
    case OP_LE: return OP_GE;
    case OP_GT: return OP_LT;
    case OP_GE: return OP_LE;
    default: return op;
    }
}

/* Node-set a against b: true when some member satisfies the comparison. */
static int cmp_nodeset(bin_op op, const value *a, const value *b)
{
    if (b->type == VAL_BOOL)
        return cmp_scalar(op, &(value){.type = VAL_BOOL, .b = a->n > 0}, b);
    for (size_t i = 0; i < a->n; i++) {
        value item = {.type = VAL_STRING, .str = a->items[i]};
        if (b->type == VAL_NODESET) {
            for (size_t j = 0; j < b->n; j++) {
                value other = {.type = VAL_STRING, .str = b->items[j]};
                if (cmp_scalar(op, &item, &other))
                    return 1;
            }
        } else if (cmp_scalar(op, &item, b)) {
            return 1;
        }
    }
    return 0;
}

/* Evaluate a comparison node. */
static int ev_compare(const node *n, const expr_env *env)
{
    value ta = {0}, tb = {0};
    const value *a = ev_val(n->args[0], env, &ta);
    const value *b = ev_val(n->args[1], env, &tb);
    int r;
    if (a->type == VAL_NODESET)
        r = cmp_nodeset(n->op, a, b);
    else if (b->type == VAL_NODESET)
        r = cmp_nodeset(mirror(n->op), b, a);
    else
        r = cmp_scalar(n->op, a, b);
    val_free(&ta);
    val_free(&tb);
    return r;
}

int ev_bool(const node *n, const expr_env *env)
{
    switch (n->kind) {
    case NODE_AND:
        for (size_t i = 0; i < n->nargs; i++)
            if (!ev_bool(n->args[i], env))
                return 0;
        return 1;
    case NODE_OR:
        for (size_t i = 0; i < n->nargs; i++)
            if (ev_bool(n->args[i], env))
                return 1;
        return 0;
    case NODE_BIN:
        if (n->op <= OP_GE)
            return ev_compare(n, env);
        /* fall through */
    case NODE_NEG: {
        double d = ev_num(n, env);
        return d != 0 && !isnan(d);
    }
    default: {
        value t = {0};
        int b = val_to_bool(ev_val(n, env, &t));
        val_free(&t);
        return b;
    }
    }
}

void ev(const node *n, const expr_env *env, value *out)
{
    switch (n->kind) {
    case NODE_NUM:
        *out = n->lit;
        return;
    case NODE_STR:
        *out = val_string(n->lit.str);
        return;
    case NODE_REF:
        ev_lookup(env, n->ref, out);
        return;
    case NODE_SELF:
        ev_lookup(env, EXPR_REF_SELF, out);
        return;
    case NODE_PARENT:
        *out = val_string("");
        return;
    case NODE_NEG:
        *out = val_number(ev_num(n, env));
        return;
    case NODE_BIN:
        if (n->op >= OP_ADD)
            *out = val_number(ev_num(n, env));
        else
            *out = val_bool(ev_compare(n, env));
        return;
    case NODE_AND:
    case NODE_OR:
        *out = val_bool(ev_bool(n, env));
        return;
    case NODE_PATH:
        ev_path(n, env, out);
        return;
    case NODE_COL:
        ev_column(n, env, out);
        return;
    case NODE_CALL:
        memset(out, 0, sizeof *out);
        out->type = VAL_STRING;
        n->fn->impl(n, env, out);
        return;
    }
}

void expr_eval(const expr *e, const expr_env *env, value *out)
{
    ev(e->root, env, out);
}

int expr_eval_bool(const expr *e, const expr_env *env)
{
    return ev_bool(e->root, env);
}

char *expr_eval_string(const expr *e, const expr_env *env)
{
    value v;
    ev(e->root, env, &v);
    char *s;
    if (v.type == VAL_NUMBER && isnan(v.num))
        s = xstrdup("");
    else if (v.type == VAL_STRING && v.str)
        return v.str;  /* hand over the string we already own */
    else
        s = val_to_string(&v);
    val_free(&v);
    return s;
}
