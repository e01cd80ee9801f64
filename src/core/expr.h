/* expr.h: XLSForm/ODK expressions (relevant, constraint, calculation,
 * choice_filter, required, count) parsed once and evaluated many times.
 *
 * An expression is parsed into a tree, then its ${name} references are bound
 * to integer ids chosen by the caller (the form compiler binds them to
 * question indices). Evaluation asks the caller for the values of those ids
 * through an expr_env, so the engine knows nothing of forms or storage. */
#ifndef KHAOSAT_EXPR_H
#define KHAOSAT_EXPR_H

#include <stddef.h>
#include <time.h>

#include "core/value.h"

typedef struct expr expr;

/* Reference id of "." (the current answer). */
#define EXPR_REF_SELF (-1)
/* Id of a reference that has not been bound. */
#define EXPR_REF_UNBOUND (-2)

/* A parse or bind error: 1-based column (in characters of the expression
 * text) and a message (owned, English, for diagnostics). */
typedef struct expr_error {
    int col;
    char *msg;
} expr_error;

/* Parse src. On success returns 0 and sets *out; on failure returns -1 and
 * fills err (free err->msg). Unknown functions and wrong argument counts are
 * parse errors. */
int expr_parse(const char *src, expr **out, expr_error *err);
/* Free a parsed expression (NULL is fine). */
void expr_free(expr *e);
/* The source text the expression was parsed from. */
const char *expr_source(const expr *e);

/* Resolve one reference: return its id (>= 0), or -1 when the name is
 * unknown. bare is 0 for ${name} and 1 for a bare name such as `commune` in
 * a choice_filter (a column of the choice being filtered); a resolver that
 * allows no bare names returns -1 for them. */
typedef int (*expr_resolve_fn)(void *ctx, const char *name, int bare);

/* Bind every ${name} and bare name of e through resolve. Returns 0, or -1 at
 * the first unknown name with err set (column of the reference, message
 * naming it). Names inside jr:choice-name's quoted second argument are bound
 * too. */
int expr_bind(expr *e, expr_resolve_fn resolve, void *ctx, expr_error *err);

/* Number of distinct bound reference ids of e ("." not included). */
size_t expr_ref_count(const expr *e);
/* The i-th distinct bound reference id, in order of first appearance. */
int expr_ref_id(const expr *e, size_t i);
/* The name of the i-th distinct reference, as written. */
const char *expr_ref_name(const expr *e, size_t i);
/* Non-zero when e uses "." */
int expr_uses_self(const expr *e);
/* Non-zero when e reads other instances of a roster than the one it is
 * evaluated in (indexed-repeat), so a change in any instance concerns it. */
int expr_reads_every_instance(const expr *e);

/* One use of a reference in an expression, as expr_each_use reports it. */
typedef struct expr_use {
    int id;               /* bound id; EXPR_REF_SELF for "." */
    int col;              /* 1-based column of the reference */
    int whole;            /* read as a whole node-set: an argument of sum(),
                           * count(), join(), indexed-repeat() ... */
    const char *constant; /* compared with this constant by =, != or
                           * selected(), else NULL */
    int constant_col;
} expr_use;

/* Call f for every use of a reference (and of ".") in e, in source order;
 * u and its strings are valid during the call only. */
void expr_each_use(const expr *e, void (*f)(void *ctx, const expr_use *u),
                   void *ctx);

/* Put the n ints of v in the order ODK's randomize(v, seed) gives them
 * (Park-Miller generator, inside-out Fisher-Yates), so that a select's
 * choices can be shuffled as ODK shuffles them for the same seed. */
void expr_shuffle_ints(int *v, size_t n, double seed);

/* What the evaluator asks of its caller. */
typedef struct expr_env {
    void *ctx;
    /* Store the value of reference id (EXPR_REF_SELF for ".") as seen from
     * the evaluation context into *out: a VAL_NUMBER for a non-empty numeric
     * answer, a VAL_STRING otherwise (the empty string when unanswered), a
     * VAL_NODESET when the reference spans several repeat instances. */
    void (*lookup)(void *ctx, int id, value *out);
    /* Label of choice value `val` of select question `id`, in the current
     * form language; NULL when unknown. May be NULL (then "" is used). */
    const char *(*choice_label)(void *ctx, int id, const char *val);
    /* 1-based position of the current repeat instance, 0 outside repeats.
     * May be NULL (then 0). */
    int (*position)(void *ctx);
    /* Fixed clock for today()/now() (seconds since epoch); 0 means the real
     * clock. */
    time_t now;
    /* Where instance('name')/root/item[...] and pulldata() read their rows:
     * a form's choice lists, or lists the office sends down. May be NULL
     * (then every list is empty). */
    const struct expr_lists *lists;
    /* The values of reference id across every instance of its repeat, for
     * indexed-repeat(); may be NULL (then lookup is used). */
    void (*lookup_all)(void *ctx, int id, value *out);
    /* Set by the evaluator while a predicate tests a row: the list and row
     * that bare names in the predicate read. Callers leave them zero. */
    const char *row_list;
    size_t row;
} expr_env;

/* A source of named lists of rows with named text columns. The lookup is
 * by name at evaluation time, so a source can join others (a form's choice
 * lists, then the office's set-up lists) by trying each in turn. */
typedef struct expr_lists {
    void *ctx;
    /* Number of rows of list `list`, or -1 when this source has no such
     * list. */
    long (*rows)(void *ctx, const char *list);
    /* Text of column `col` of row `row` of list `list` (borrowed, valid
     * until the source changes), or NULL when the row has no such column. */
    const char *(*cell)(void *ctx, const char *list, size_t row,
                        const char *col);
} expr_lists;

/* The list setup('name') reads: rows with the columns name and value (the
 * enumerator, the commune...), given by the caller through expr_env.lists. */
#define EXPR_SETUP_LIST "setup"

/* Evaluate e in env; *out receives a value the caller frees with val_free.
 * Never fails: runtime problems give NaN or the empty string, as ODK does. */
void expr_eval(const expr *e, const expr_env *env, value *out);
/* Evaluate and convert to a boolean. */
int expr_eval_bool(const expr *e, const expr_env *env);
/* Evaluate and convert to a string (newly allocated), as ODK would store it:
 * booleans "true"/"false", numbers by val_format_number, NaN as "". */
char *expr_eval_string(const expr *e, const expr_env *env);

#endif
