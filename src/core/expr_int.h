/* expr_int.h: the parse tree and tokens shared by the expression lexer,
 * parser, evaluator and function library. Not for use outside expr_*.c. */
#ifndef KHAOSAT_EXPR_INT_H
#define KHAOSAT_EXPR_INT_H

#include <stddef.h>

#include "core/expr.h"
#include "core/value.h"

/* Deepest nesting of parentheses, calls and unary minus the parser accepts;
 * keeps hostile input from exhausting the stack. */
#define EXPR_MAX_NEST 200
/* Tallest tree accepted (long chains of binary operators grow it). */
#define EXPR_MAX_HEIGHT 1000

typedef enum tok_kind {
    TOK_END, TOK_NUM, TOK_STR, TOK_REF, TOK_NAME, TOK_DOT, TOK_DOTDOT,
    TOK_LPAREN, TOK_RPAREN, TOK_COMMA,
    TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_DIV, TOK_MOD,
    TOK_EQ, TOK_NE, TOK_LT, TOK_LE, TOK_GT, TOK_GE, TOK_AND, TOK_OR,
    TOK_SLASH, TOK_LBRACKET, TOK_RBRACKET
} tok_kind;

typedef struct token {
    tok_kind kind;
    const char *start; /* TOK_STR/TOK_REF: the text inside the delimiters */
    size_t len;
    const char *text;  /* the whole token as written */
    size_t text_len;
    int col;           /* 1-based column in characters */
} token;

typedef struct lexer {
    const char *src, *p;
    int col;           /* column of *p */
    tok_kind prev;     /* kind of the previous token, TOK_END at the start */
    int err_col;
    char *err_msg;     /* set when lex_next fails */
} lexer;

/* Start lexing src. */
void lex_init(lexer *lx, const char *src);
/* Read the next token into *t; returns 0, or -1 with lx->err_* set. */
int lex_next(lexer *lx, token *t);

typedef enum node_kind {
    NODE_NUM, NODE_STR, NODE_REF, NODE_SELF, NODE_PARENT, NODE_NEG,
    NODE_BIN, NODE_AND, NODE_OR, NODE_CALL,
    NODE_PATH,  /* instance('list')/root/item[pred]...[/column] */
    NODE_COL    /* a column of the list row a predicate is testing */
} node_kind;

typedef enum bin_op {
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD
} bin_op;

typedef struct node node;
struct expr_parse_ctx;

/* A function of the library: what the parser checks and the evaluator
 * runs. */
typedef struct func_def {
    const char *name;
    int min_args, max_args;  /* max_args -1: no upper limit */
    int self_when_empty;     /* with no arguments it reads "." */
    void (*impl)(const node *call, const expr_env *env, value *out);
    /* Parse-time preparation (literal regexes, choice-name references);
     * returns NULL or an error message with *col set. */
    char *(*prepare)(node *call, struct expr_parse_ctx *pc, int *col);
} func_def;

struct node {
    node_kind kind;
    bin_op op;
    int col;
    int height;
    value lit;             /* NODE_NUM/NODE_STR constant, str owned;
                            * NODE_PATH: the column selected, "" for the
                            * items themselves */
    char *name;            /* reference name as written; NODE_PATH: the
                            * list; NODE_COL: the column */
    int ref;               /* bound id, EXPR_REF_UNBOUND until bound */
    int bare;              /* a bare name rather than ${name} */
    const func_def *fn;
    node **args;
    size_t nargs;
    void *aux;             /* prepared data, freed with aux_free */
    void (*aux_free)(void *);
};

struct expr {
    char *src;
    node *root;
    node **refs;           /* nodes carrying a reference, in source order */
    size_t nrefs, refcap;
    int *ids;              /* distinct bound ids, in order of appearance */
    const char **id_names;
    size_t nids;
    int uses_self;
    int reads_every_instance;  /* uses indexed-repeat() */
};

/* What the parser hands to a function's prepare hook. */
typedef struct expr_parse_ctx {
    expr *e;
} expr_parse_ctx;

/* Record n as carrying a reference, so expr_bind reaches it. */
void expr_add_ref(expr *e, node *n);
/* A new node of kind k at column col. */
node *node_new(node_kind k, int col);
/* Free n and its subtree. */
void node_free(node *n);

/* The text and select functions (expr_text.c). */
extern const func_def expr_text_funcs[];
extern const size_t expr_text_nfuncs;
/* The library function called name (len bytes), or NULL. */
const func_def *func_find(const char *name, size_t len);

/* Evaluate path node n (expr_list.c) into a node-set. */
void ev_path(const node *n, const expr_env *env, value *out);
/* The value of column node n in the row a predicate is testing. */
void ev_column(const node *n, const expr_env *env, value *out);
/* The list functions: pulldata, indexed-repeat, randomize (expr_list.c). */
extern const func_def expr_list_funcs[];
extern const size_t expr_list_nfuncs;

/* Evaluate n into *out (owned by the caller). */
void ev(const node *n, const expr_env *env, value *out);
/* Evaluate n, borrowing a constant's value when n is one; otherwise the
 * result lands in *tmp. Free *tmp (zeroed by the caller) afterwards. */
const value *ev_val(const node *n, const expr_env *env, value *tmp);
/* Evaluate n as a number. */
double ev_num(const node *n, const expr_env *env);
/* Evaluate n as a boolean. */
int ev_bool(const node *n, const expr_env *env);
/* Evaluate n as a string, valid until *tmp (zeroed by the caller) is
 * freed. */
const char *ev_str(const node *n, const expr_env *env, value *tmp);
/* Look reference id up through env; unbound references are empty. */
void ev_lookup(const expr_env *env, int id, value *out);
/* The first argument of call c as a string, or "." when it has none; valid
 * until *tmp (zeroed by the caller) is freed. */
const char *ev_str_or_self(const node *c, const expr_env *env, value *tmp);
/* Call f on every member of the values of arguments from.. of call c: the
 * items of node-sets, the values themselves otherwise; stop when f returns
 * 0. */
void ev_each_item(const node *c, size_t from, const expr_env *env,
                  int (*f)(void *acc, const value *item), void *acc);
/* The string-value of v without converting numbers: for strings and
 * node-sets only. */
const char *val_text(const value *v);

#endif
