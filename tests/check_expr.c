/* check_expr.c: the expression lexer and parser: tokens, tree shapes,
 * reference binding, and errors with their exact columns. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/expr_int.h"
#include "core/util.h"

START_TEST(test_tokens)
{
    static const tok_kind want[] = {
        TOK_REF, TOK_GE, TOK_NUM, TOK_AND, TOK_STR, TOK_NE, TOK_STR, TOK_OR,
        TOK_NAME, TOK_LPAREN, TOK_DOTDOT, TOK_RPAREN, TOK_STAR, TOK_DOT,
        TOK_DIV, TOK_NAME, TOK_MOD, TOK_MINUS, TOK_NUM, TOK_LE, TOK_NAME,
        TOK_END
    };
    static const int cols[] = {
        1, 5, 7, 10, 14, 17, 19, 23, 26, 34, 35, 37, 39, 41, 43, 47, 51, 55,
        56, 58, 61, 65
    };
    const char *src = "${a}>=.5 and 'x'!=\"y\" or position(..) * . div mod mod -1 <= Việt";
    lexer lx;
    lex_init(&lx, src);
    token t;
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        ck_assert_int_eq(lex_next(&lx, &t), 0);
        ck_assert_msg(t.kind == want[i], "token %zu: kind %d, want %d", i,
                      (int)t.kind, (int)want[i]);
        ck_assert_msg(t.col == cols[i], "token %zu: column %d, want %d", i,
                      t.col, cols[i]);
    }
}
END_TEST

START_TEST(test_token_text)
{
    lexer lx;
    token t;
    lex_init(&lx, "'it''s' ${q_1.x-y} jr:choice-name 3.25");
    ck_assert_int_eq(lex_next(&lx, &t), 0);
    ck_assert(t.kind == TOK_STR && t.len == 2 && !memcmp(t.start, "it", 2));
    ck_assert_int_eq(lex_next(&lx, &t), 0);
    ck_assert(t.kind == TOK_STR && t.len == 1 && t.col == 5);
    ck_assert_int_eq(lex_next(&lx, &t), 0);
    ck_assert(t.kind == TOK_REF && t.len == 7 && !memcmp(t.start, "q_1.x-y", 7));
    ck_assert_int_eq(lex_next(&lx, &t), 0);
    ck_assert(t.kind == TOK_NAME && t.len == 14);
    ck_assert_int_eq(lex_next(&lx, &t), 0);
    ck_assert(t.kind == TOK_NUM && t.len == 4);
}
END_TEST

/* Parse src, failing the test with the error when it does not parse. */
static expr *parse_ok(const char *src)
{
    expr *e = NULL;
    expr_error err;
    if (expr_parse(src, &e, &err))
        ck_abort_msg("'%s': column %d: %s", src, err.col, err.msg);
    return e;
}

/* Tree shapes decide precedence and associativity. */
START_TEST(test_shapes)
{
    expr *e = parse_ok("1 + 2 * 3");
    ck_assert(e->root->kind == NODE_BIN && e->root->op == OP_ADD);
    ck_assert(e->root->args[1]->kind == NODE_BIN && e->root->args[1]->op == OP_MUL);
    expr_free(e);

    e = parse_ok("1 - 2 - 3");
    ck_assert(e->root->op == OP_SUB && e->root->args[0]->op == OP_SUB);
    ck_assert(e->root->args[1]->kind == NODE_NUM);
    expr_free(e);

    e = parse_ok("1 = 2 < 3");
    ck_assert(e->root->op == OP_EQ && e->root->args[1]->op == OP_LT);
    expr_free(e);

    e = parse_ok("1 < 2 + 3");
    ck_assert(e->root->op == OP_LT && e->root->args[1]->op == OP_ADD);
    expr_free(e);

    e = parse_ok("${a} or ${b} and ${c} or ${d}");
    ck_assert(e->root->kind == NODE_OR && e->root->nargs == 3);
    ck_assert(e->root->args[1]->kind == NODE_AND && e->root->args[1]->nargs == 2);
    expr_free(e);

    e = parse_ok("-2 * 3");
    ck_assert(e->root->op == OP_MUL && e->root->args[0]->kind == NODE_NEG);
    expr_free(e);

    e = parse_ok("- ${a} mod 2");
    ck_assert(e->root->op == OP_MOD && e->root->args[0]->kind == NODE_NEG);
    expr_free(e);

    e = parse_ok("(1 + 2) * 3");
    ck_assert(e->root->op == OP_MUL && e->root->args[0]->op == OP_ADD);
    expr_free(e);

    e = parse_ok("div div div");  /* names on both sides of the operator */
    ck_assert(e->root->op == OP_DIV && e->root->args[0]->kind == NODE_REF);
    ck_assert_str_eq(e->root->args[1]->name, "div");
    expr_free(e);

    e = parse_ok("x-1");  /* one XML name, as in XPath */
    ck_assert(e->root->kind == NODE_REF);
    ck_assert_str_eq(e->root->name, "x-1");
    expr_free(e);

    e = parse_ok("${x}-1");
    ck_assert(e->root->op == OP_SUB);
    expr_free(e);

    e = parse_ok("position(..)");
    ck_assert(e->root->kind == NODE_CALL && e->root->args[0]->kind == NODE_PARENT);
    expr_free(e);

    e = parse_ok(" \t\r\n 1 +\n 2 ");
    ck_assert(e->root->op == OP_ADD);
    ck_assert_str_eq(expr_source(e), " \t\r\n 1 +\n 2 ");
    expr_free(e);
}
END_TEST

/* Errors and the columns they point at. */
static const struct {
    const char *src;
    int col;
    const char *msg;  /* must occur in the message */
} error_cases[] = {
    {"", 1, "empty expression"},
    {"   ", 1, "empty expression"},
    {"1 +", 4, "unexpected end of expression"},
    {"1 + * 2", 5, "unexpected character '*'"},
    {"'abc", 1, "unterminated string"},
    {"1 + 'abc", 5, "unterminated string"},
    {"1 + \"abc'", 5, "unterminated string"},
    {"foo(1)", 1, "unknown function 'foo'"},
    {"1 + bar (2)", 5, "unknown function 'bar'"},
    {"substr('a')", 1, "wrong number of arguments to 'substr' (expects 2 or 3, got 1)"},
    {"substr('a', 1, 2, 3)", 1, "(expects 2 or 3, got 4)"},
    {"today(1)", 1, "wrong number of arguments to 'today' (expects none, got 1)"},
    {"if(1, 2)", 1, "(expects 3, got 2)"},
    {"max()", 1, "(expects at least 1, got 0)"},
    {"1 + not()", 5, "wrong number of arguments to 'not' (expects 1, got 0)"},
    {"coalesce(1, 2, 3)", 1, "(expects 2, got 3)"},
    {"concat('a'", 11, "missing ')' to close 'concat('"},
    {"(1 + 2", 7, "missing ')'"},
    {"(1 + 2 3", 8, "unexpected '3' (expected ')')"},
    {"1 2", 3, "unexpected '2' after a complete expression"},
    {"1 )", 3, "unexpected ')' after a complete expression"},
    {"${a} = 'x' ${b}", 12, "unexpected '${b}' after a complete expression"},
    {"#", 1, "unexpected character '#'"},
    {"1 + @x", 5, "unexpected character '@'"},
    {"/data/x", 1, "paths are not supported"},
    {"${a}[1]", 5, "unexpected '[' after a complete expression"},
    {"${a}/2", 5, "unexpected '/' after a complete expression (divide with div)"},
    {"[1]", 1, "XPath paths are not supported"},
    {"instance('x')", 14, "a list is read as instance('x')/root/item[...]/column"},
    {"instance('x')/root", 19, "a list is read as instance('x')/root/item"},
    {"instance('x')/data/item", 15, "a list is read as"},
    {"instance(${x})/root/item", 10, "takes the list's name in quotes"},
    {"instance('x', 'y')/root/item", 13, "unexpected ',' (expected ')' after the list name)"},
    {"instance('x')/root/item[name = 1", 33, "missing ']' to close the '[' at column 24"},
    {"instance('x')/root/item[]", 25, "unexpected ']' (expected a value)"},
    {"instance('x')/root/item/", 25, "expected a column name after '/'"},
    {"instance('x')/root/item/label/x", 30, "unexpected '/' after a complete expression"},
    {"digest('a', 'MD5')", 13, "digest algorithm 'MD5' is not available"},
    {"digest('a', 'SHA-1', 'hex')", 13, "use 'SHA-256' or 'SHA-512'"},
    {"digest('a', 'SHA-256', 'base32')", 24, "digest encoding 'base32' is not available"},
    {"indexed-repeat('a', ${r}, 1)", 16, "first argument of indexed-repeat must be a question"},
    {"indexed-repeat(${a}, 2, 1)", 22, "second argument of indexed-repeat"},
    {"pulldata('a', 'b', 'c')", 1, "(expects 4, got 3)"},
    {"randomize()", 1, "(expects 1 or 2, got 0)"},
    {"$a", 1, "unexpected character '$'"},
    {"${a", 1, "unterminated reference"},
    {"${}", 1, "malformed reference"},
    {"${a b}", 1, "malformed reference '${a b}'"},
    {"${1a}", 1, "malformed reference"},
    {"1 ! 2", 3, "unexpected character '!'"},
    {"'Việt' + #", 10, "unexpected character '#'"},
    {"'ệệệ' = ?", 9, "unexpected character '?'"},
    {"concat('Việt', 'x' 'y')", 20, "missing ')' or ',' before ''y''"},
    {"\xE2\x80\x9Cyes\xE2\x80\x9D", 1, "unexpected character '\xE2\x80\x9C'"},
    {"${a} = \xE2\x80\x9Cyes\xE2\x80\x9D", 8, "quote strings with"},
    {"1 +\n#", 5, "unexpected character '#'"},
    {"..", 1, "only supported as the argument of position()"},
    {"position(.., 1)", 1, "(expects 0 or 1, got 2)"},
    {"position(1 + ..)", 14, "only supported as the argument of position()"},
    {"regex(., '(')", 10, "invalid regular expression"},
    {"jr:choice-name(., 'sex')", 19, "second argument of jr:choice-name"},
    {"jr:choice-name(., ${x})", 19, "second argument of jr:choice-name"},
    {"jr:choice-name(., '${x} y')", 19, "second argument of jr:choice-name"},
    {"1 and", 6, "unexpected end of expression"},
    {"1 = = 2", 5, "unexpected '=' (expected a value)"},
    {"()", 2, "unexpected ')' (expected a value)"},
    {"not(1,)", 7, "unexpected ')' (expected a value)"},
    {"1 div", 6, "unexpected end of expression"},
    {"div 2", 5, "unexpected '2' after a complete expression"},
    {"f(", 1, "unknown function 'f'"},
    {"1 + 'very long text that goes on and on and on' 2", 49,
     "unexpected '2' after"},
    {"1 'a very long string literal that will be cut short here'", 3,
     "'a very long string literal that will be...'"},
    {",", 1, "unexpected ',' (expected a value)"},
    {"ệ(1)", 1, "unknown function 'ệ'"},
};

START_TEST(test_errors)
{
    expr *e = (expr *)1;
    expr_error err;
    const char *src = error_cases[_i].src;
    ck_assert_msg(expr_parse(src, &e, &err) == -1, "'%s' parsed", src);
    ck_assert_ptr_null(e);
    int ok_col = err.col == error_cases[_i].col;
    int ok_msg = strstr(err.msg, error_cases[_i].msg) != NULL;
    char *m = xasprintf("'%s': column %d: %s", src, err.col, err.msg);
    free(err.msg);
    ck_assert_msg(ok_col && ok_msg, "%s (want column %d, '%s')", m,
                  error_cases[_i].col, error_cases[_i].msg);
    free(m);
}
END_TEST

/* Build src as prefix repeated n times, then middle, then suffix n times. */
static char *repeat(const char *prefix, size_t n, const char *middle,
                    const char *suffix)
{
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        sbuf_add(&b, prefix);
    sbuf_add(&b, middle);
    for (size_t i = 0; i < n; i++)
        sbuf_add(&b, suffix);
    return sbuf_detach(&b);
}

/* Hostile nesting and length fail cleanly instead of exhausting the stack. */
START_TEST(test_limits)
{
    expr *e;
    expr_error err;
    char *src = repeat("(", 300, "1", ")");
    ck_assert_int_eq(expr_parse(src, &e, &err), -1);
    ck_assert_int_eq(err.col, 201);
    ck_assert(strstr(err.msg, "nested too deeply"));
    free(err.msg);
    free(src);

    src = repeat("(", 199, "1", ")");
    e = parse_ok(src);
    expr_free(e);
    free(src);

    src = repeat("-", 300, "1", "");
    ck_assert_int_eq(expr_parse(src, &e, &err), -1);
    ck_assert_int_eq(err.col, 200);
    free(err.msg);
    free(src);

    src = repeat("not(", 100000, "1", ")");
    ck_assert_int_eq(expr_parse(src, &e, &err), -1);
    ck_assert(strstr(err.msg, "nested too deeply"));
    free(err.msg);
    free(src);

    src = repeat("1+", 2000, "1", "");
    ck_assert_int_eq(expr_parse(src, &e, &err), -1);
    ck_assert_int_eq(err.col, 2000);
    ck_assert(strstr(err.msg, "too complex"));
    free(err.msg);
    free(src);

    src = repeat("1+", 500, "1", "");
    e = parse_ok(src);
    expr_free(e);
    free(src);

    /* Long chains of `or` stay flat. */
    src = repeat("${a}=1 or ", 50000, "${a}=2", "");
    e = parse_ok(src);
    ck_assert(e->root->kind == NODE_OR && e->root->nargs == 50001);
    ck_assert_uint_eq(e->nrefs, 50001);
    expr_free(e);
    free(src);

    /* A megabyte of string literal. */
    char *big = repeat("x", 1 << 20, "", "");
    src = xasprintf("string-length('%s')", big);
    e = parse_ok(src);
    expr_env env = {0};
    char *s = expr_eval_string(e, &env);
    ck_assert_str_eq(s, "1048576");
    free(s);
    expr_free(e);
    free(src);
    free(big);
}
END_TEST

/* A resolver over a fixed table: ${a}=10, ${b}=20, ${c}=30, bare commune=40. */
static int resolve(void *ctx, const char *name, int bare)
{
    static const struct { const char *name; int id, bare; } t[] = {
        {"a", 10, 0}, {"b", 20, 0}, {"c", 30, 0}, {"commune", 40, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (!strcmp(t[i].name, name) && t[i].bare == bare)
            return t[i].id;
    return -1;
}

START_TEST(test_bind)
{
    expr_error err;
    expr *e = parse_ok("${a} + ${b} * ${a} + count-selected(${c}) + commune");
    ck_assert_uint_eq(expr_ref_count(e), 0);
    ck_assert_int_eq(expr_bind(e, resolve, NULL, &err), 0);
    ck_assert_uint_eq(expr_ref_count(e), 4);
    ck_assert_int_eq(expr_ref_id(e, 0), 10);
    ck_assert_int_eq(expr_ref_id(e, 1), 20);
    ck_assert_int_eq(expr_ref_id(e, 2), 30);
    ck_assert_int_eq(expr_ref_id(e, 3), 40);
    ck_assert_str_eq(expr_ref_name(e, 0), "a");
    ck_assert_str_eq(expr_ref_name(e, 3), "commune");
    ck_assert(!expr_uses_self(e));
    /* Binding again gives the same list, not a doubled one. */
    ck_assert_int_eq(expr_bind(e, resolve, NULL, &err), 0);
    ck_assert_uint_eq(expr_ref_count(e), 4);
    expr_free(e);

    e = parse_ok("${a} + ${zz}");
    ck_assert_int_eq(expr_bind(e, resolve, NULL, &err), -1);
    ck_assert_int_eq(err.col, 8);
    ck_assert_str_eq(err.msg, "unknown reference ${zz}");
    free(err.msg);
    expr_free(e);

    e = parse_ok("foo = 1");
    ck_assert_int_eq(expr_bind(e, resolve, NULL, &err), -1);
    ck_assert_int_eq(err.col, 1);
    ck_assert_str_eq(err.msg, "unknown name 'foo'");
    free(err.msg);
    expr_free(e);

    e = parse_ok("${commune}");  /* a bare-only name is not a question */
    ck_assert_int_eq(expr_bind(e, resolve, NULL, &err), -1);
    free(err.msg);
    expr_free(e);

    e = parse_ok("jr:choice-name(${a}, '${b}')");
    ck_assert_int_eq(expr_bind(e, resolve, NULL, &err), 0);
    ck_assert_uint_eq(expr_ref_count(e), 2);
    ck_assert_int_eq(expr_ref_id(e, 1), 20);
    expr_free(e);

    e = parse_ok("jr:choice-name(${a}, '${zz}')");
    ck_assert_int_eq(expr_bind(e, resolve, NULL, &err), -1);
    ck_assert_int_eq(err.col, 23);
    ck_assert_str_eq(err.msg, "unknown reference ${zz}");
    free(err.msg);
    expr_free(e);

    e = parse_ok("jr:choice-name(${a}, '  ${zz}')");
    ck_assert_int_eq(expr_bind(e, resolve, NULL, &err), -1);
    ck_assert_int_eq(err.col, 25);
    free(err.msg);
    expr_free(e);

    e = parse_ok("'Việt' = ${zz}");
    ck_assert_int_eq(expr_bind(e, resolve, NULL, &err), -1);
    ck_assert_int_eq(err.col, 10);
    free(err.msg);
    expr_free(e);
}
END_TEST

START_TEST(test_uses_self)
{
    static const struct { const char *src; int uses; } t[] = {
        {".", 1}, {". > 3", 1}, {"once(1)", 1}, {"string-length()", 1},
        {"number()", 1}, {"normalize-space()", 1}, {"string()", 1},
        {"string-length('a')", 0}, {"${a}", 0}, {"position(..)", 0},
        {"regex(., 'x')", 1}, {"1", 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        expr *e = parse_ok(t[i].src);
        ck_assert_msg(expr_uses_self(e) == t[i].uses, "%s", t[i].src);
        expr_free(e);
    }
}
END_TEST

static Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *tc = check_tcase(s, "parse", NULL, NULL, 60);
    tcase_add_test(tc, test_tokens);
    tcase_add_test(tc, test_token_text);
    tcase_add_test(tc, test_shapes);
    tcase_add_loop_test(tc, test_errors, 0,
                        (int)(sizeof error_cases / sizeof *error_cases));
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_bind);
    tcase_add_test(tc, test_uses_self);
    return s;
}

int main(void)
{
    return check_run(expr_suite());
}
