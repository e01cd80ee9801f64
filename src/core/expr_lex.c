/* expr_lex.c: splits expression text into tokens, tracking columns in
 * characters so errors point at what the form author sees. */
#include "config.h"

#include <string.h>

#include "core/expr_int.h"
#include "core/util.h"

void lex_init(lexer *lx, const char *src)
{
    lx->src = lx->p = src;
    lx->col = 1;
    lx->prev = TOK_END;
    lx->err_col = 0;
    lx->err_msg = NULL;
}

/* Move n bytes forward, counting the characters (UTF-8 lead bytes). */
static void advance(lexer *lx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)lx->p[i] & 0xC0) != 0x80)
            lx->col++;
    lx->p += n;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* First character of an XML name; any non-ASCII byte counts, so names in
 * Vietnamese work. */
static int is_name_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
}

static int is_name_char(int c)
{
    return is_name_start(c) || is_digit(c) || c == '-' || c == '.';
}

/* Length of the XML name at s (0 when none starts there). */
static size_t name_len(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (!is_name_start(u[0]))
        return 0;
    size_t n = 1;
    while (is_name_char(u[n]))
        n++;
    return n;
}

/* Whether the previous token ends an operand, which makes a following `*`
 * or `and`/`or`/`div`/`mod` an operator (XPath 1.0, section 3.7). */
static int after_operand(tok_kind prev)
{
    switch (prev) {
    case TOK_NUM: case TOK_STR: case TOK_REF: case TOK_NAME:
    case TOK_DOT: case TOK_DOTDOT: case TOK_RPAREN: case TOK_RBRACKET:
        return 1;
    default:
        return 0;
    }
}

/* Fail at the current position with message msg (taken). */
static int lex_fail(lexer *lx, int col, char *msg)
{
    lx->err_col = col;
    lx->err_msg = msg;
    return -1;
}

/* Length in bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t char_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return i;
    return n;
}

static int lex_string(lexer *lx, token *t)
{
    char q = *lx->p;
    const char *close = strchr(lx->p + 1, q);
    if (!close)
        return lex_fail(lx, lx->col, xstrdup("unterminated string"));
    t->kind = TOK_STR;
    t->start = lx->p + 1;
    t->len = (size_t)(close - lx->p - 1);
    advance(lx, t->len + 2);
    return 0;
}

static int lex_ref(lexer *lx, token *t)
{
    const char *name = lx->p + 2;
    size_t n = name_len(name);
    if (n == 0 || name[n] != '}') {
        const char *close = strchr(name, '}');
        if (!close)
            return lex_fail(lx, lx->col,
                            xstrdup("unterminated reference: '${' without '}'"));
        return lex_fail(lx, lx->col,
                        xasprintf("malformed reference '${%.*s}': a name "
                                  "starts with a letter or '_' and has only "
                                  "letters, digits, '_', '-' and '.'",
                                  (int)(close - name), name));
    }
    t->kind = TOK_REF;
    t->start = name;
    t->len = n;
    advance(lx, n + 3);
    return 0;
}

static int lex_number(lexer *lx, token *t)
{
    const char *p = lx->p;
    while (is_digit((unsigned char)*p))
        p++;
    if (*p == '.')
        for (p++; is_digit((unsigned char)*p); p++)
            ;
    t->kind = TOK_NUM;
    t->start = lx->p;
    t->len = (size_t)(p - lx->p);
    advance(lx, t->len);
    return 0;
}

/* A name, possibly prefixed (jr:choice-name); operator names after an
 * operand. */
static int lex_name(lexer *lx, token *t)
{
    size_t n = name_len(lx->p);
    if (lx->p[n] == ':' && name_len(lx->p + n + 1))
        n += 1 + name_len(lx->p + n + 1);
    t->kind = TOK_NAME;
    t->start = lx->p;
    t->len = n;
    if (after_operand(lx->prev)) {
        static const struct { const char *w; tok_kind k; } ops[] = {
            {"and", TOK_AND}, {"or", TOK_OR}, {"div", TOK_DIV}, {"mod", TOK_MOD}
        };
        for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
            if (strlen(ops[i].w) == n && !memcmp(ops[i].w, lx->p, n))
                t->kind = ops[i].k;
    }
    advance(lx, n);
    return 0;
}

/* Typographic quotes, which spreadsheets substitute for straight ones. */
static int is_curly_quote(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    return u[0] == 0xE2 && u[1] == 0x80 &&
           (u[2] == 0x98 || u[2] == 0x99 || u[2] == 0x9C || u[2] == 0x9D);
}

/* Punctuation and symbolic operators; returns its length or 0. */
static size_t punct(const char *p, tok_kind prev, tok_kind *k)
{
    switch (p[0]) {
    case '(': *k = TOK_LPAREN; return 1;
    case ')': *k = TOK_RPAREN; return 1;
    case ',': *k = TOK_COMMA; return 1;
    case '+': *k = TOK_PLUS; return 1;
    case '-': *k = TOK_MINUS; return 1;
    case '=': *k = TOK_EQ; return 1;
    case '/': *k = TOK_SLASH; return 1;
    case '[': *k = TOK_LBRACKET; return 1;
    case ']': *k = TOK_RBRACKET; return 1;
    case '*':
        if (!after_operand(prev))
            return 0;
        *k = TOK_STAR;
        return 1;
    case '!':
        if (p[1] != '=')
            return 0;
        *k = TOK_NE;
        return 2;
    case '<':
        *k = p[1] == '=' ? TOK_LE : TOK_LT;
        return p[1] == '=' ? 2 : 1;
    case '>':
        *k = p[1] == '=' ? TOK_GE : TOK_GT;
        return p[1] == '=' ? 2 : 1;
    case '.':
        if (is_digit((unsigned char)p[1]))
            return 0;
        *k = p[1] == '.' ? TOK_DOTDOT : TOK_DOT;
        return p[1] == '.' ? 2 : 1;
    default:
        return 0;
    }
}

/* The error for a character that starts no token. */
static int lex_bad_char(lexer *lx)
{
    const char *p = lx->p;
    int c = (unsigned char)*p;
    const char *hint = "";
    if (c == '@' || c == '|')
        hint = " (XPath paths are not supported; refer to questions as ${name})";
    else if (c == '$')
        hint = " (a reference is written ${name})";
    return lex_fail(lx, lx->col,
                    xasprintf("unexpected character '%.*s'%s",
                              (int)char_len(p), p, hint));
}

int lex_next(lexer *lx, token *t)
{
    while (is_space((unsigned char)*lx->p))
        advance(lx, 1);
    const char *start = lx->p;
    t->col = lx->col;
    t->start = start;
    t->len = 0;
    int c = (unsigned char)*start;
    int rc = 0;
    tok_kind k;
    size_t n;
    if (c == '\0') {
        t->kind = TOK_END;
    } else if (c == '\'' || c == '"') {
        rc = lex_string(lx, t);
    } else if (c == '$' && start[1] == '{') {
        rc = lex_ref(lx, t);
    } else if (is_digit(c) || (c == '.' && is_digit((unsigned char)start[1]))) {
        rc = lex_number(lx, t);
    } else if (is_curly_quote(start)) {
        return lex_fail(lx, lx->col,
                        xasprintf("unexpected character '%.3s' (quote "
                                  "strings with ' or \")", start));
    } else if (is_name_start(c)) {
        rc = lex_name(lx, t);
    } else if ((n = punct(start, lx->prev, &k)) > 0) {
        t->kind = k;
        t->len = n;
        advance(lx, n);
    } else {
        return lex_bad_char(lx);
    }
    if (rc)
        return rc;
    t->text = start;
    t->text_len = (size_t)(lx->p - start);
    lx->prev = t->kind;
    return 0;
}
