/* expr_parse.c: recursive-descent parser for XLSForm expressions (the
 * XPath 1.0 expression grammar without paths), reference binding, and the
 * expression object's accessors. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/expr_int.h"
#include "core/util.h"

typedef struct parser {
    lexer lx;
    token tok;
    expr *e;
    int nest;
    int in_pred;   /* inside a list predicate: bare names are columns */
    int err_col;
    char *err_msg;
} parser;

node *node_new(node_kind k, int col)
{
    node *n = xcalloc(1, sizeof *n);
    n->kind = k;
    n->col = col;
    n->height = 1;
    n->ref = EXPR_REF_UNBOUND;
    n->lit.type = VAL_STRING;
    return n;
}

void node_free(node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nargs; i++)
        node_free(n->args[i]);
    free(n->args);
    if (n->aux && n->aux_free)
        n->aux_free(n->aux);
    val_free(&n->lit);
    free(n->name);
    free(n);
}

/* Append child to n's operands. */
static void node_add(node *n, node *child)
{
    /* Capacity doubles at powers of two, so long chains stay linear. */
    if ((n->nargs & (n->nargs - 1)) == 0)
        n->args = xrealloc(n->args,
                           (n->nargs ? n->nargs * 2 : 1) * sizeof *n->args);
    n->args[n->nargs++] = child;
    if (child->height + 1 > n->height)
        n->height = child->height + 1;
}

void expr_add_ref(expr *e, node *n)
{
    e->refs = util_grow(e->refs, &e->refcap, e->nrefs + 1, sizeof *e->refs);
    e->refs[e->nrefs++] = n;
}

/* Record the first error only; later ones are consequences. */
static node *fail(parser *ps, int col, char *msg)
{
    if (!ps->err_msg) {
        ps->err_col = col;
        ps->err_msg = msg;
    } else {
        free(msg);
    }
    return NULL;
}

static int next(parser *ps)
{
    if (lex_next(&ps->lx, &ps->tok) == 0)
        return 0;
    fail(ps, ps->lx.err_col, ps->lx.err_msg);
    ps->lx.err_msg = NULL;
    return -1;
}

/* A short quotation of the current token for messages. */
static char *tok_quote(const token *t)
{
    size_t n = t->text_len > 40 ? 40 : t->text_len;
    /* Do not cut a UTF-8 sequence in half. */
    while (n < t->text_len && n > 0 && ((unsigned char)t->text[n] & 0xC0) == 0x80)
        n--;
    return xasprintf("'%.*s%s'", (int)n, t->text, n < t->text_len ? "..." : "");
}

/* The error for a token that cannot start or continue here. */
static node *fail_unexpected(parser *ps, const char *what)
{
    if (ps->tok.kind == TOK_END)
        return fail(ps, ps->tok.col, xasprintf("unexpected end of expression "
                                               "(expected %s)", what));
    char *q = tok_quote(&ps->tok);
    node *r = fail(ps, ps->tok.col,
                   xasprintf("unexpected %s (expected %s)", q, what));
    free(q);
    return r;
}

static node *parse_or(parser *ps);

/* Check the tree height: long operator chains must not outgrow the stack
 * the evaluator recurses on. */
static node *check_height(parser *ps, node *n)
{
    if (n && n->height > EXPR_MAX_HEIGHT) {
        int col = n->col;
        node_free(n);
        return fail(ps, col, xasprintf("expression too complex (more than %d "
                                       "nested operations)", EXPR_MAX_HEIGHT));
    }
    return n;
}

/* Describe how many arguments fn takes. */
static char *arity_text(const func_def *fn)
{
    if (fn->max_args < 0)
        return xasprintf("at least %d", fn->min_args);
    if (fn->min_args == fn->max_args)
        return fn->min_args ? xasprintf("%d", fn->min_args) : xstrdup("none");
    if (fn->max_args == fn->min_args + 1)
        return xasprintf("%d or %d", fn->min_args, fn->max_args);
    return xasprintf("%d to %d", fn->min_args, fn->max_args);
}

/* Arguments of a call, after its '('. */
static node *parse_args(parser *ps, node *call)
{
    int is_position = !strcmp(call->fn->name, "position");
    if (ps->tok.kind == TOK_RPAREN)
        return call;
    for (;;) {
        node *arg;
        if (is_position && call->nargs == 0 && ps->tok.kind == TOK_DOTDOT) {
            arg = node_new(NODE_PARENT, ps->tok.col);
            if (next(ps))
                arg = (node_free(arg), NULL);
        } else {
            arg = parse_or(ps);
        }
        if (!arg)
            return NULL;
        node_add(call, arg);
        if (ps->tok.kind != TOK_COMMA)
            return call;
        if (next(ps))
            return NULL;
    }
}

static node *parse_call(parser *ps)
{
    token name = ps->tok;
    const func_def *fn = func_find(name.text, name.text_len);
    if (!fn)
        return fail(ps, name.col, xasprintf("unknown function '%.*s'",
                                            (int)name.text_len, name.text));
    if (next(ps) || next(ps))  /* the name, then '(' */
        return NULL;
    node *call = node_new(NODE_CALL, name.col);
    call->fn = fn;
    if (!parse_args(ps, call))
        return (node_free(call), NULL);
    if (ps->tok.kind != TOK_RPAREN) {
        node_free(call);
        if (ps->tok.kind == TOK_END)
            return fail(ps, ps->tok.col, xasprintf("missing ')' to close '%s('",
                                                   fn->name));
        char *q = tok_quote(&ps->tok);
        node *r = fail(ps, ps->tok.col,
                       xasprintf("missing ')' or ',' before %s", q));
        free(q);
        return r;
    }
    int n = (int)call->nargs;
    if (n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args)) {
        char *want = arity_text(fn);
        fail(ps, name.col, xasprintf("wrong number of arguments to '%s' "
                                     "(expects %s, got %d)", fn->name, want, n));
        free(want);
        return (node_free(call), NULL);
    }
    if (n == 0 && fn->self_when_empty)
        ps->e->uses_self = 1;
    if (fn->prepare) {
        expr_parse_ctx pc = {ps->e};
        int col = call->col;
        char *msg = fn->prepare(call, &pc, &col);
        if (msg) {
            node_free(call);
            return fail(ps, col, msg);
        }
    }
    if (next(ps))
        return (node_free(call), NULL);
    return call;
}

/* Whether token t is the name word. */
static int tok_is(const token *t, const char *word)
{
    return t->kind == TOK_NAME && t->text_len == strlen(word) &&
           !memcmp(t->text, word, t->text_len);
}

/* The rest of instance('list')/root/item[pred]...[/column], from the
 * current token on; n is the path node, freed on failure. */
static node *parse_path_steps(parser *ps, node *n)
{
    static const char *const steps[] = {"root", "item"};
    for (int i = 0; i < 2; i++) {
        if (ps->tok.kind != TOK_SLASH || next(ps))
            goto expected;
        if (!tok_is(&ps->tok, steps[i]))
            goto expected;
        if (next(ps))
            goto bad;
    }
    while (ps->tok.kind == TOK_LBRACKET) {
        int col = ps->tok.col;
        if (next(ps))
            goto bad;
        ps->in_pred++;
        node *pred = parse_or(ps);
        ps->in_pred--;
        if (!pred)
            goto bad;
        node_add(n, pred);
        if (ps->tok.kind != TOK_RBRACKET) {
            fail(ps, ps->tok.col, xasprintf("missing ']' to close the '[' "
                                            "at column %d", col));
            goto bad;
        }
        if (next(ps))
            goto bad;
    }
    if (ps->tok.kind == TOK_SLASH) {
        if (next(ps))
            goto bad;
        if (ps->tok.kind != TOK_NAME) {
            fail_unexpected(ps, "a column name after '/'");
            goto bad;
        }
        val_free(&n->lit);
        n->lit = val_string_own(xstrndup(ps->tok.text, ps->tok.text_len));
        if (next(ps))
            goto bad;
    }
    return check_height(ps, n);
expected:
    fail(ps, ps->tok.col, xasprintf("a list is read as instance('%s')/root/"
                                    "item[...]/column", n->name));
bad:
    node_free(n);
    return NULL;
}

/* instance('list')/root/item...: the rows of a named list. */
static node *parse_instance(parser *ps)
{
    int col = ps->tok.col;
    if (next(ps) || next(ps))  /* the name, then '(' */
        return NULL;
    if (ps->tok.kind != TOK_STR)
        return fail(ps, ps->tok.col, xstrdup("instance() takes the list's "
                                             "name in quotes, as in "
                                             "instance('crops')"));
    node *n = node_new(NODE_PATH, col);
    n->name = xstrndup(ps->tok.start, ps->tok.len);
    if (next(ps))
        return (node_free(n), NULL);
    if (ps->tok.kind != TOK_RPAREN) {
        node_free(n);
        return fail_unexpected(ps, "')' after the list name");
    }
    if (next(ps))
        return (node_free(n), NULL);
    return parse_path_steps(ps, n);
}

static node *parse_primary(parser *ps)
{
    token t = ps->tok;
    node *n = NULL;
    switch (t.kind) {
    case TOK_NUM: {
        n = node_new(NODE_NUM, t.col);
        char *s = xstrndup(t.text, t.text_len);
        n->lit = val_number(val_parse_number(s));
        free(s);
        break;
    }
    case TOK_STR:
        n = node_new(NODE_STR, t.col);
        n->lit = val_string_own(xstrndup(t.start, t.len));
        break;
    case TOK_REF:
    case TOK_NAME:
        if (t.kind == TOK_NAME && ps->lx.p[strspn(ps->lx.p, " \t\r\n")] == '(')
            return tok_is(&t, "instance") ? parse_instance(ps) : parse_call(ps);
        if (t.kind == TOK_NAME && ps->in_pred) {
            n = node_new(NODE_COL, t.col);
            n->name = xstrndup(t.start, t.len);
            break;
        }
        n = node_new(NODE_REF, t.col);
        n->name = xstrndup(t.start, t.len);
        n->bare = t.kind == TOK_NAME;
        expr_add_ref(ps->e, n);
        break;
    case TOK_DOT:
        n = node_new(NODE_SELF, t.col);
        ps->e->uses_self = 1;
        break;
    case TOK_LPAREN:
        if (next(ps))
            return NULL;
        n = parse_or(ps);
        if (!n)
            return NULL;
        if (ps->tok.kind != TOK_RPAREN) {
            node_free(n);
            if (ps->tok.kind == TOK_END)
                return fail(ps, ps->tok.col, xstrdup("missing ')'"));
            return fail_unexpected(ps, "')'");
        }
        break;
    case TOK_DOTDOT:
        return fail(ps, t.col, xstrdup("'..' is only supported as the "
                                       "argument of position()"));
    case TOK_SLASH:
    case TOK_LBRACKET:
        return fail(ps, t.col, xasprintf("unexpected '%c' (XPath paths are "
                                         "not supported: refer to questions "
                                         "as ${name}, and to lists as "
                                         "instance('list')/root/item[...])",
                                         *t.text));
    default:
        return fail_unexpected(ps, "a value");
    }
    if (next(ps))
        return (node_free(n), NULL);
    return n;
}

static node *parse_unary(parser *ps)
{
    if (ps->tok.kind != TOK_MINUS)
        return parse_primary(ps);
    int col = ps->tok.col;
    if (++ps->nest > EXPR_MAX_NEST)
        return fail(ps, col, xasprintf("expression nested too deeply (more "
                                       "than %d levels)", EXPR_MAX_NEST));
    if (next(ps))
        return NULL;
    node *operand = parse_unary(ps);
    ps->nest--;
    if (!operand)
        return NULL;
    node *n = node_new(NODE_NEG, col);
    node_add(n, operand);
    return check_height(ps, n);
}

/* Binary operator of token kind k, or -1. */
static int tok_op(tok_kind k)
{
    switch (k) {
    case TOK_EQ: return OP_EQ;
    case TOK_NE: return OP_NE;
    case TOK_LT: return OP_LT;
    case TOK_LE: return OP_LE;
    case TOK_GT: return OP_GT;
    case TOK_GE: return OP_GE;
    case TOK_PLUS: return OP_ADD;
    case TOK_MINUS: return OP_SUB;
    case TOK_STAR: return OP_MUL;
    case TOK_DIV: return OP_DIV;
    case TOK_MOD: return OP_MOD;
    default: return -1;
    }
}

/* Precedence level of an operator token, for the left-associative binary
 * levels: 1 equality, 2 relational, 3 additive, 4 multiplicative. */
static int op_level(tok_kind k)
{
    int op = tok_op(k);
    if (op < 0)
        return 0;
    if (op <= OP_NE)
        return 1;
    if (op <= OP_GE)
        return 2;
    if (op <= OP_SUB)
        return 3;
    return 4;
}

/* One left-associative binary level and everything tighter. */
static node *parse_level(parser *ps, int level)
{
    node *left = level > 4 ? parse_unary(ps) : parse_level(ps, level + 1);
    if (level > 4)
        return left;
    while (left && op_level(ps->tok.kind) == level) {
        node *n = node_new(NODE_BIN, ps->tok.col);
        n->op = (bin_op)tok_op(ps->tok.kind);
        node_add(n, left);
        if (next(ps))
            return (node_free(n), NULL);
        node *right = parse_level(ps, level + 1);
        if (!right)
            return (node_free(n), NULL);
        node_add(n, right);
        left = check_height(ps, n);
    }
    return left;
}

/* `and` (tighter) or `or` chains, kept flat so long chains stay shallow. */
static node *parse_chain(parser *ps, tok_kind op)
{
    node *first = op == TOK_OR ? parse_chain(ps, TOK_AND) : parse_level(ps, 1);
    if (!first || ps->tok.kind != op)
        return first;
    node *n = node_new(op == TOK_OR ? NODE_OR : NODE_AND, ps->tok.col);
    node_add(n, first);
    while (ps->tok.kind == op) {
        if (next(ps))
            return (node_free(n), NULL);
        node *item = op == TOK_OR ? parse_chain(ps, TOK_AND) : parse_level(ps, 1);
        if (!item)
            return (node_free(n), NULL);
        node_add(n, item);
    }
    return check_height(ps, n);
}

static node *parse_or(parser *ps)
{
    if (++ps->nest > EXPR_MAX_NEST)
        return fail(ps, ps->tok.col, xasprintf("expression nested too deeply "
                                               "(more than %d levels)",
                                               EXPR_MAX_NEST));
    node *n = parse_chain(ps, TOK_OR);
    ps->nest--;
    return n;
}

int expr_parse(const char *src, expr **out, expr_error *err)
{
    parser ps = {0};
    expr *e = xcalloc(1, sizeof *e);
    e->src = xstrdup(src);
    ps.e = e;
    lex_init(&ps.lx, e->src);
    *out = NULL;
    err->col = 0;
    err->msg = NULL;
    if (next(&ps) == 0) {
        if (ps.tok.kind == TOK_END) {
            fail(&ps, 1, xstrdup("empty expression"));
        } else {
            e->root = parse_or(&ps);
            if (e->root && ps.tok.kind != TOK_END) {
                char *q = tok_quote(&ps.tok);
                fail(&ps, ps.tok.col, xasprintf("unexpected %s after a "
                                                "complete expression%s", q,
                                                ps.tok.kind == TOK_SLASH
                                                    ? " (divide with div)"
                                                    : ""));
                free(q);
            }
        }
    }
    if (ps.err_msg) {
        err->col = ps.err_col;
        err->msg = ps.err_msg;
        expr_free(e);
        return -1;
    }
    *out = e;
    return 0;
}

void expr_free(expr *e)
{
    if (!e)
        return;
    node_free(e->root);
    free(e->refs);
    free(e->ids);
    free(e->id_names);
    free(e->src);
    free(e);
}

const char *expr_source(const expr *e)
{
    return e->src;
}

int expr_bind(expr *e, expr_resolve_fn resolve, void *ctx, expr_error *err)
{
    err->col = 0;
    err->msg = NULL;
    e->nids = 0;
    for (size_t i = 0; i < e->nrefs; i++) {
        node *n = e->refs[i];
        int id = resolve(ctx, n->name, n->bare);
        if (id < 0) {
            err->col = n->col;
            err->msg = n->bare ? xasprintf("unknown name '%s'", n->name)
                               : xasprintf("unknown reference ${%s}", n->name);
            return -1;
        }
        n->ref = id;
        size_t j = 0;
        while (j < e->nids && e->ids[j] != id)
            j++;
        if (j == e->nids) {
            e->ids = xrealloc(e->ids, (e->nids + 1) * sizeof *e->ids);
            e->id_names = xrealloc(e->id_names,
                                   (e->nids + 1) * sizeof *e->id_names);
            e->ids[e->nids] = id;
            e->id_names[e->nids++] = n->name;
        }
    }
    return 0;
}

size_t expr_ref_count(const expr *e)
{
    return e->nids;
}

int expr_ref_id(const expr *e, size_t i)
{
    return i < e->nids ? e->ids[i] : EXPR_REF_UNBOUND;
}

const char *expr_ref_name(const expr *e, size_t i)
{
    return i < e->nids ? e->id_names[i] : NULL;
}

int expr_uses_self(const expr *e)
{
    return e->uses_self;
}

int expr_reads_every_instance(const expr *e)
{
    return e->reads_every_instance;
}

/* Functions whose arguments are read as whole node-sets. */
static int takes_nodesets(const func_def *fn)
{
    static const char *const names[] = {
        "sum", "min", "max", "count", "count-non-empty", "join", "concat",
        "checklist", "indexed-repeat", "randomize", "boolean",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(fn->name, names[i]))
            return 1;
    return 0;
}

/* Whether n is a reference or ".". */
static int is_ref(const node *n)
{
    return n->kind == NODE_REF || n->kind == NODE_SELF;
}

/* Report reference n, compared with constant c (NULL for none). */
static void report_use(const node *n, int whole, const node *c,
                       void (*f)(void *, const expr_use *), void *ctx)
{
    expr_use u = {n->kind == NODE_SELF ? EXPR_REF_SELF : n->ref, n->col,
                  whole, NULL, 0};
    char *num = NULL;
    if (c) {
        u.constant = c->kind == NODE_STR
                         ? (c->lit.str ? c->lit.str : "")
                         : (num = val_format_number(c->lit.num));
        u.constant_col = c->col;
    }
    f(ctx, &u);
    free(num);
}

/* Whether n is a string or number constant. */
static int is_constant(const node *n)
{
    return n->kind == NODE_STR || n->kind == NODE_NUM;
}

static void walk_uses(const node *n, int whole,
                      void (*f)(void *, const expr_use *), void *ctx)
{
    if (is_ref(n)) {
        report_use(n, whole, NULL, f, ctx);
        return;
    }
    if (n->kind == NODE_BIN && (n->op == OP_EQ || n->op == OP_NE)) {
        const node *a = n->args[0], *b = n->args[1];
        if (is_ref(a) && is_constant(b)) {
            report_use(a, 0, b, f, ctx);
            return;
        }
        if (is_ref(b) && is_constant(a)) {
            report_use(b, 0, a, f, ctx);
            return;
        }
    }
    int args_whole = 0;
    if (n->kind == NODE_CALL) {
        if (!strcmp(n->fn->name, "selected") && is_ref(n->args[0]) &&
            n->args[1]->kind == NODE_STR) {
            report_use(n->args[0], 0, n->args[1], f, ctx);
            return;
        }
        if (n->ref != EXPR_REF_UNBOUND) {  /* jr:choice-name's question */
            expr_use u = {n->ref, n->col, 1, NULL, 0};
            f(ctx, &u);
        }
        args_whole = takes_nodesets(n->fn);
    }
    for (size_t i = 0; i < n->nargs; i++)
        walk_uses(n->args[i], args_whole, f, ctx);
}

void expr_each_use(const expr *e, void (*f)(void *ctx, const expr_use *u),
                   void *ctx)
{
    if (e && e->root)
        walk_uses(e->root, 0, f, ctx);
}
