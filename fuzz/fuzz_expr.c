/* fuzz_expr.c: libFuzzer target for the expression parser and evaluator.
 * Every reference binds to one of two answers so that evaluation runs too. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/expr.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bind every name: ${...} to 0, bare names to 1. */
static int fuzz_resolve(void *ctx, const char *name, int bare)
{
    return bare ? 1 : 0;
}

/* Answer 0 is a number, answer 1 a node-set, "." a string. */
static void fuzz_lookup(void *ctx, int id, value *out)
{
    if (id == 0) {
        *out = val_number(3.5);
    } else if (id == 1) {
        *out = val_nodeset();
        val_nodeset_add(out, "2");
        val_nodeset_add(out, "a b");
    } else {
        *out = val_string("x y");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = xstrndup((const char *)data, size);
    expr *e = NULL;
    expr_error err = {0, NULL};
    if (expr_parse(src, &e, &err) == 0 &&
        expr_bind(e, fuzz_resolve, NULL, &err) == 0) {
        expr_env env = {.lookup = fuzz_lookup, .now = 1700000000};
        char *s = expr_eval_string(e, &env);
        free(s);
    }
    free(err.msg);
    expr_free(e);
    free(src);
    return 0;
}
